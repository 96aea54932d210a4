//! The page's links view: for each direction between two nodes, the
//! messages on the wire and held by a `hold` rule (from the simulator's
//! network), and those dropped so far (from the trace), by Kafka API name.
//! Only links with something to show are listed.

use std::collections::BTreeMap;

use kafkascope_view::links::{ApiCount, LinkView};
use sim::{NodeId, TraceKind};

use crate::cluster::Cluster;

fn counts(m: BTreeMap<&str, usize>) -> Vec<ApiCount> {
    m.into_iter()
        .map(|(api, count)| ApiCount {
            api: api.to_string(),
            count,
        })
        .collect()
}

/// Every link with messages moving, held or dropped, or cut, in node order.
pub fn links(c: &Cluster) -> Vec<LinkView> {
    type Apis<'a> = BTreeMap<&'a str, usize>;
    let mut on: BTreeMap<(NodeId, NodeId), [Apis; 3]> = BTreeMap::new();
    for (_, m) in c.sim.in_flight_messages() {
        *on.entry((m.from, m.to)).or_default()[0]
            .entry(m.api)
            .or_default() += 1;
    }
    let ids: Vec<NodeId> = c.sim.node_ids().collect();
    for &a in &ids {
        for &b in &ids {
            if a == b {
                continue;
            }
            for m in c.sim.held(a, b) {
                *on.entry((a, b)).or_default()[1].entry(m.api).or_default() += 1;
            }
            if c.sim.is_cut(a, b) {
                on.entry((a, b)).or_default();
            }
        }
    }
    for e in c.sim.trace() {
        if let TraceKind::Dropped { from, to, api, .. } = &e.kind {
            *on.entry((*from, *to)).or_default()[2]
                .entry(api)
                .or_default() += 1;
        }
    }
    let names = c.sim.names();
    let name = |id: NodeId| names.get(id.index()).cloned().unwrap_or_default();
    on.into_iter()
        .map(|((a, b), [in_flight, held, dropped])| LinkView {
            from: name(a),
            to: name(b),
            cut: c.sim.is_cut(a, b),
            in_flight: counts(in_flight),
            held: counts(held),
            dropped: counts(dropped),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    /// The link `from -> to` (there must be one).
    fn link<'a>(links: &'a [LinkView], from: &str, to: &str) -> &'a LinkView {
        links
            .iter()
            .find(|l| l.from == from && l.to == to)
            .unwrap_or_else(|| panic!("no link {from}->{to} in {links:?}"))
    }

    #[test]
    fn held_dropped_and_moving_messages_by_link_and_api() {
        let mut s = Session::new(4);
        s.submit(
            "cluster brokers=2\n\
             topic create t partitions=1 replication-factor=2 assignment=0:1\n\
             hold 1->0 type=Fetch\n\
             tick 2000\n",
        )
        .unwrap();
        let v = s.view();
        let l = link(&v.links, "1", "0");
        assert!(
            l.held.iter().any(|a| a.api == "Fetch" && a.count >= 1),
            "{l:?}"
        );
        assert!(!l.cut);
        // Held messages are the view's `held` total too.
        let held: usize = v.links.iter().flat_map(|l| &l.held).map(|a| a.count).sum();
        let total: usize = v.held.iter().map(|(_, n)| n).sum();
        assert_eq!(held, total);
        // Moving messages add up to the view's in-flight total.
        let moving: usize = v
            .links
            .iter()
            .flat_map(|l| &l.in_flight)
            .map(|a| a.count)
            .sum();
        let total: usize = v.in_flight.iter().map(|(_, n)| n).sum();
        assert_eq!(moving, total);

        // The follower's next Fetch is dropped by a rule.
        s.submit("release 1->0 type=Fetch\ndrop 1->0 type=Fetch count=1\ntick 3000\n")
            .unwrap();
        let v = s.view();
        let l = link(&v.links, "1", "0");
        assert!(l.held.is_empty(), "{l:?}");
        assert_eq!(
            l.dropped,
            [ApiCount {
                api: "Fetch".into(),
                count: 1
            }]
        );
        s.submit("partition 0 | 1,zk\ntick 100\n").unwrap();
        let v = s.view();
        let cut = link(&v.links, "0", "1");
        assert!(cut.cut);
        assert!(v.links.iter().all(|l| !l.is_quiet()));
    }
}

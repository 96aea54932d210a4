//! Fault injection: latency, partitions, holds, drops, delays, heal.

use super::Simulator;
use crate::node::{Node, NodeId};
use crate::rules::ApiFilter;
use crate::sim::MsgInfo;
use crate::trace::{FaultChange, TraceKind};
use crate::Message;

impl<N: Node> Simulator<N> {
    fn assert_node(&self, id: NodeId) {
        assert!(id.index() < self.nodes.len(), "unknown node {id}");
    }

    fn fault(&mut self, change: FaultChange) {
        self.core
            .tracer
            .record(self.core.now, TraceKind::Fault(change));
    }

    /// Set the one-way latency bounds (ms, inclusive) for messages sent from
    /// now on.
    pub fn set_latency(&mut self, min: u64, max: u64) {
        self.core.net.set_latency(min, max);
        self.fault(FaultChange::Latency { min, max });
    }

    pub fn latency(&self) -> (u64, u64) {
        self.core.net.latency()
    }

    /// Cut every link between the groups (both ways). Nodes in no group keep
    /// all their links. Adds to earlier partitions; `heal` undoes them all.
    /// A message arriving on a cut link is dropped, including one sent
    /// before the cut.
    pub fn partition<G: AsRef<[NodeId]>>(&mut self, groups: &[G]) {
        let groups: Vec<Vec<NodeId>> = groups.iter().map(|g| g.as_ref().to_vec()).collect();
        for id in groups.iter().flatten() {
            self.assert_node(*id);
        }
        self.core.net.partition(&groups);
        self.fault(FaultChange::Partition { groups });
    }

    /// Is `from -> to` cut by a partition?
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.core.net.link(from, to).cut
    }

    /// Is any partition, hold, drop or delay rule in force, i.e. would
    /// `heal` change anything? (The page offers Heal only then.)
    pub fn has_fault_rules(&self) -> bool {
        self.core.net.links().any(|l| l.has_rules())
    }

    /// Undo every partition, hold, drop and delay rule; held messages are
    /// released (link by link, in order).
    pub fn heal(&mut self) {
        self.fault(FaultChange::Heal);
        let n = self.nodes.len() as u32;
        for link in self.core.net.links_mut() {
            link.cut = false;
            link.extra_delay = 0;
            link.rules.clear();
        }
        for from in 0..n {
            for to in 0..n {
                let (from, to) = (NodeId(from), NodeId(to));
                let held: Vec<_> = self.core.net.link_mut(from, to).held.drain(..).collect();
                self.core.release_held(from, to, held);
            }
        }
    }

    /// Hold messages sent on `from -> to` from now on (only `api`'s, if
    /// given): they are parked in send order and put on the wire by
    /// `release` or `heal`. Messages already in flight still arrive. The
    /// rule is directed; to hold a request/response exchange, hold both
    /// directions.
    pub fn hold(&mut self, from: NodeId, to: NodeId, api: Option<&str>) {
        self.assert_node(from);
        self.assert_node(to);
        let filter = ApiFilter::from_option(api);
        self.core
            .net
            .link_mut(from, to)
            .rules
            .add_hold(filter.clone());
        self.fault(FaultChange::Hold {
            from,
            to,
            api: filter,
        });
    }

    /// Remove the hold on `from -> to` (all holds if `api` is `None`, else
    /// that API's) and put the matching held messages on the wire in order,
    /// as if sent now (latency and FIFO as for any send). Returns how many
    /// were released.
    pub fn release(&mut self, from: NodeId, to: NodeId, api: Option<&str>) -> usize {
        self.assert_node(from);
        self.assert_node(to);
        let filter = ApiFilter::from_option(api);
        let link = self.core.net.link_mut(from, to);
        link.rules.remove_holds(&filter);
        let (out, keep): (Vec<_>, Vec<_>) = link
            .held
            .drain(..)
            .partition(|m| filter.matches(m.msg.api()));
        link.held = keep.into();
        let released = out.len();
        self.fault(FaultChange::Release {
            from,
            to,
            api: filter,
            released,
        });
        self.core.release_held(from, to, out);
        released
    }

    /// Messages held on `from -> to`.
    pub fn held(&self, from: NodeId, to: NodeId) -> Vec<MsgInfo> {
        self.core
            .net
            .link(from, to)
            .held
            .iter()
            .map(|m| MsgInfo {
                from: m.from,
                to: m.to,
                id: m.id,
                api: m.msg.api(),
            })
            .collect()
    }

    /// Drop messages arriving on `from -> to` (only `api`'s, if given): the
    /// next `count` of them, or all until `heal` if `count` is `None`.
    pub fn drop_messages(
        &mut self,
        from: NodeId,
        to: NodeId,
        api: Option<&str>,
        count: Option<u64>,
    ) {
        self.assert_node(from);
        self.assert_node(to);
        let filter = ApiFilter::from_option(api);
        self.core
            .net
            .link_mut(from, to)
            .rules
            .add_drop(filter.clone(), count);
        self.fault(FaultChange::Drop {
            from,
            to,
            api: filter,
            count,
        });
    }

    /// Add `ms` of one-way delay to messages sent on `from -> to` from now
    /// on (replaces an earlier delay on the link; 0 removes it). FIFO still
    /// holds: later messages queue behind delayed ones.
    pub fn delay(&mut self, from: NodeId, to: NodeId, ms: u64) {
        self.assert_node(from);
        self.assert_node(to);
        self.core.net.link_mut(from, to).extra_delay = ms;
        self.fault(FaultChange::Delay { from, to, ms });
    }
}

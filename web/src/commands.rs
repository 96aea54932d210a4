//! Scenario-language lines the page's buttons and forms write: the page
//! never acts on the cluster behind the script's back, so every click is a
//! line of the session (replayable, shareable).

/// A value or key as the language writes it: bare, or in double quotes
/// when it has spaces (the engine refuses what it cannot parse).
pub fn quote(v: &str) -> String {
    if v.is_empty() || v.chars().any(char::is_whitespace) {
        format!("\"{v}\"")
    } else {
        v.to_string()
    }
}

/// `send P T value=V [key=K] [partition=P] [count=N]`.
pub fn send(
    producer: &str,
    topic: &str,
    value: &str,
    key: &str,
    partition: Option<u32>,
    count: u32,
) -> String {
    let mut line = format!("send {producer} {topic} value={}", quote(value));
    if !key.is_empty() {
        line.push_str(&format!(" key={}", quote(key)));
    }
    if let Some(p) = partition {
        line.push_str(&format!(" partition={p}"));
    }
    if count > 1 {
        line.push_str(&format!(" count={count}"));
    }
    line
}

/// Cuts broker `b` off from every other broker and ZooKeeper (clients keep
/// their links, as `partition` leaves unnamed nodes alone).
pub fn isolate(b: i32, brokers: &[i32]) -> String {
    let others: Vec<String> = brokers
        .iter()
        .filter(|&&o| o != b)
        .map(|o| o.to_string())
        .chain(std::iter::once("zk".to_string()))
        .collect();
    format!("partition {b} | {}", others.join(","))
}

/// A fault on one direction of a link, as the links view's controls
/// write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkFault {
    /// Queue the link's messages (of one API, with a type) until released.
    Hold,
    Release,
    /// Lose the next `count` messages.
    Drop {
        count: u32,
    },
    /// Every message takes `ms` longer: a slow link, a slow follower.
    Delay {
        ms: u64,
    },
}

/// `hold FROM->TO [type=API]`, `release ...`, `drop ... [type=API] count=N`,
/// `delay FROM->TO ms=N` (the language's delay has no type: it slows the
/// whole direction). An empty `api` means every API.
pub fn link_fault(fault: LinkFault, from: &str, to: &str, api: &str) -> String {
    let typed = |verb: &str| {
        if api.is_empty() {
            format!("{verb} {from}->{to}")
        } else {
            format!("{verb} {from}->{to} type={api}")
        }
    };
    match fault {
        LinkFault::Hold => typed("hold"),
        LinkFault::Release => typed("release"),
        LinkFault::Drop { count } => format!("{} count={}", typed("drop"), count.max(1)),
        LinkFault::Delay { ms } => format!("delay {from}->{to} ms={ms}"),
    }
}

/// What kind of node a link end is: the any-link form says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Broker,
    ZooKeeper,
    Producer,
    Consumer,
}

/// Every node a link fault can name, as the language names it, with its
/// kind: the brokers by id, `zk`, then the producers and the consumers by
/// name (each once, in the order given).
pub fn link_nodes<'a>(
    brokers: &[i32],
    producers: impl IntoIterator<Item = &'a str>,
    consumers: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, NodeKind)> {
    let mut out: Vec<(String, NodeKind)> = brokers
        .iter()
        .map(|b| (b.to_string(), NodeKind::Broker))
        .collect();
    out.push(("zk".to_string(), NodeKind::ZooKeeper));
    let clients = producers
        .into_iter()
        .map(|n| (n, NodeKind::Producer))
        .chain(consumers.into_iter().map(|n| (n, NodeKind::Consumer)));
    for (name, kind) in clients {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), kind));
        }
    }
    out
}

/// `partition A | B`: cuts both directions between two nodes and leaves
/// every other link alone (it adds to earlier cuts; `heal` undoes them).
pub fn cut(a: &str, b: &str) -> String {
    format!("partition {a} | {b}")
}

/// The APIs the link's `type=` select offers: those seen on the link
/// first, then the ones a learner most often holds or drops.
pub fn api_choices<'a>(seen: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    const COMMON: [&str; 8] = [
        "Produce",
        "Fetch",
        "LeaderAndIsr",
        "UpdateMetadata",
        "OffsetForLeaderEpoch",
        "Metadata",
        "Heartbeat",
        "OffsetCommit",
    ];
    let mut out: Vec<String> = Vec::new();
    for api in seen.into_iter().chain(COMMON) {
        if !out.iter().any(|a| a == api) {
            out.push(api.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_lines() {
        assert_eq!(
            send("p", "t", "v{i}", "", None, 5),
            "send p t value=v{i} count=5"
        );
        assert_eq!(
            send("p", "t", "hello world", "k 1", None, 1),
            "send p t value=\"hello world\" key=\"k 1\""
        );
        assert_eq!(send("p", "t", "", "", None, 1), "send p t value=\"\"");
        assert_eq!(
            send("p", "t", "v", "k{i}", Some(2), 3),
            "send p t value=v key=k{i} partition=2 count=3"
        );
    }

    #[test]
    fn isolate_lines() {
        assert_eq!(isolate(1, &[0, 1, 2]), "partition 1 | 0,2,zk");
        assert_eq!(isolate(0, &[0]), "partition 0 | zk");
    }

    #[test]
    fn link_fault_lines() {
        assert_eq!(
            link_fault(LinkFault::Hold, "1", "0", "Fetch"),
            "hold 1->0 type=Fetch"
        );
        assert_eq!(link_fault(LinkFault::Hold, "1", "zk", ""), "hold 1->zk");
        assert_eq!(
            link_fault(LinkFault::Release, "1", "0", "Fetch"),
            "release 1->0 type=Fetch"
        );
        assert_eq!(link_fault(LinkFault::Release, "p", "2", ""), "release p->2");
        assert_eq!(
            link_fault(LinkFault::Drop { count: 3 }, "0", "2", "LeaderAndIsr"),
            "drop 0->2 type=LeaderAndIsr count=3"
        );
        // Zero would drop nothing: the form's minimum is one.
        assert_eq!(
            link_fault(LinkFault::Drop { count: 0 }, "0", "2", ""),
            "drop 0->2 count=1"
        );
        // A delay slows the whole direction, whatever API is selected.
        assert_eq!(
            link_fault(LinkFault::Delay { ms: 250 }, "0", "1", "Fetch"),
            "delay 0->1 ms=250"
        );
    }

    #[test]
    fn link_nodes_name_every_node_once() {
        let n = link_nodes(&[0, 1, 2], ["p", "q"], ["c", "p"]);
        let names: Vec<&str> = n.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["0", "1", "2", "zk", "p", "q", "c"]);
        assert_eq!(n[0].1, NodeKind::Broker);
        assert_eq!(n[3].1, NodeKind::ZooKeeper);
        assert_eq!(n[4].1, NodeKind::Producer);
        assert_eq!(n[6].1, NodeKind::Consumer);
        // ZooKeeper is there before any broker or client.
        assert_eq!(
            link_nodes(&[], [], []),
            [("zk".to_string(), NodeKind::ZooKeeper)]
        );
    }

    #[test]
    fn cut_lines() {
        assert_eq!(cut("p", "0"), "partition p | 0");
        assert_eq!(cut("1", "zk"), "partition 1 | zk");
    }

    /// The lines the any-link form writes for client and ZooKeeper links
    /// are lines the console accepts.
    #[test]
    fn client_and_zk_link_lines_check() {
        let base = "cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p acks=all\nconsumer c group.id=g\n";
        let lines = [
            link_fault(LinkFault::Hold, "p", "0", "Produce"),
            link_fault(LinkFault::Release, "p", "0", "Produce"),
            link_fault(LinkFault::Drop { count: 2 }, "0", "c", "Fetch"),
            link_fault(LinkFault::Delay { ms: 50 }, "zk", "1", ""),
            link_fault(LinkFault::Hold, "1", "zk", ""),
            cut("c", "2"),
            cut("0", "zk"),
        ];
        for l in lines {
            let script = format!("{base}{l}\n");
            // `parse` runs the checker too (node names, API names).
            if let Err(e) = kafkascope_scenario::parse("t", &script) {
                panic!("{l}: {e:?}");
            }
        }
    }

    #[test]
    fn api_choices_put_the_seen_first_once() {
        let c = api_choices(["JoinGroup", "Fetch", "JoinGroup"]);
        assert_eq!(&c[..3], ["JoinGroup", "Fetch", "Produce"]);
        assert_eq!(c.iter().filter(|a| *a == "Fetch").count(), 1);
        assert_eq!(c.len(), 9);
        // Every choice is a name the scenario language accepts.
        for a in &c {
            assert!(
                kafkascope_scenario::names::API_NAMES.contains(&a.as_str()),
                "{a}"
            );
        }
    }
}

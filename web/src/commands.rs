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

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
}

//! Kafka's offset checkpoint text format (`recovery-point-offset-checkpoint`,
//! `log-start-offset-checkpoint`): version 0, the entry count, then
//! "topic partition offset" lines. Kafka keeps one file per log directory for
//! all partitions; a [`Log`](crate::Log) is self-contained, so each partition
//! directory holds its own file with its one entry.

pub const RECOVERY_POINT_FILE: &str = "recovery-point-offset-checkpoint";
pub const LOG_START_OFFSET_FILE: &str = "log-start-offset-checkpoint";
/// Kafka's clean shutdown marker (written on close, removed on open).
pub const CLEAN_SHUTDOWN_FILE: &str = ".kafka_cleanshutdown";

/// Splits `topic-3` into ("topic", 3) (Kafka's partition directory naming);
/// other names are kept whole with partition 0.
fn topic_partition(dir: &str) -> (&str, i32) {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    match name.rsplit_once('-') {
        Some((t, p)) if !t.is_empty() => match p.parse() {
            Ok(p) => (t, p),
            Err(_) => (name, 0),
        },
        _ => (name, 0),
    }
}

pub fn encode(dir: &str, offset: i64) -> String {
    let (topic, partition) = topic_partition(dir);
    format!("0\n1\n{topic} {partition} {offset}\n")
}

/// The offset in a checkpoint; the error names the problem.
pub fn decode(bytes: &[u8]) -> Result<i64, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("0") {
        return Err("line 1: expected version 0".into());
    }
    if lines.next().map(str::trim) != Some("1") {
        return Err("line 2: expected one entry".into());
    }
    let line = lines.next().ok_or("line 3: missing entry")?;
    line.split_whitespace()
        .nth(2)
        .and_then(|o| o.parse().ok())
        .ok_or_else(|| format!("line 3: malformed entry {line:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_kafkas_format() {
        let s = encode("orders-3", 42);
        assert_eq!(s, "0\n1\norders 3 42\n");
        assert_eq!(decode(s.as_bytes()), Ok(42));
        assert_eq!(encode("my-topic-10", 7), "0\n1\nmy-topic 10 7\n");
        assert!(decode(b"1\n1\nt 0 5\n").is_err());
        assert!(decode(b"0\n1\nt 0\n").is_err());
        assert!(decode(&[0xff]).is_err());
    }
}

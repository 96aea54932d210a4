//! [`LogConfig`]: the per-topic log settings with Kafka's names and defaults.
//! Built from `(name, value)` pairs that may use the topic-level names
//! (`segment.bytes`) or the broker-level ones (`log.segment.bytes`).

use std::fmt;

use protocol::TimestampType;

/// `cleanup.policy`: any of `delete`, `compact` (both is `compact,delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupPolicy {
    pub delete: bool,
    pub compact: bool,
}

impl CleanupPolicy {
    pub const DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: false,
    };
    pub const COMPACT: CleanupPolicy = CleanupPolicy {
        delete: false,
        compact: true,
    };
    pub const COMPACT_DELETE: CleanupPolicy = CleanupPolicy {
        delete: true,
        compact: true,
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// `segment.bytes` / `log.segment.bytes`.
    pub segment_bytes: i32,
    /// `segment.ms` / `log.roll.ms` (`log.roll.hours`).
    pub segment_ms: i64,
    /// `segment.index.bytes` / `log.index.size.max.bytes`.
    pub segment_index_bytes: i32,
    /// `index.interval.bytes` / `log.index.interval.bytes`.
    pub index_interval_bytes: i32,
    /// `retention.ms` / `log.retention.ms` (`.minutes`, `.hours`); -1 keeps forever.
    pub retention_ms: i64,
    /// `retention.bytes` / `log.retention.bytes`; -1 is no size limit.
    pub retention_bytes: i64,
    /// `cleanup.policy` / `log.cleanup.policy`.
    pub cleanup_policy: CleanupPolicy,
    /// `delete.retention.ms` / `log.cleaner.delete.retention.ms`.
    pub delete_retention_ms: i64,
    /// `min.compaction.lag.ms` / `log.cleaner.min.compaction.lag.ms`.
    pub min_compaction_lag_ms: i64,
    /// `flush.messages` / `log.flush.interval.messages`.
    pub flush_messages: i64,
    /// `flush.ms` / `log.flush.interval.ms`.
    pub flush_ms: i64,
    /// `max.message.bytes` / `message.max.bytes`.
    pub max_message_bytes: i32,
    /// `message.timestamp.type` / `log.message.timestamp.type`.
    pub message_timestamp_type: TimestampType,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1024 * 1024 * 1024,
            segment_ms: 7 * 24 * 60 * 60 * 1000,
            segment_index_bytes: 10 * 1024 * 1024,
            index_interval_bytes: 4096,
            retention_ms: 7 * 24 * 60 * 60 * 1000,
            retention_bytes: -1,
            cleanup_policy: CleanupPolicy::DELETE,
            delete_retention_ms: 24 * 60 * 60 * 1000,
            min_compaction_lag_ms: 0,
            flush_messages: i64::MAX,
            flush_ms: i64::MAX,
            // 1 MiB + Records.LOG_OVERHEAD, as Kafka.
            max_message_bytes: 1024 * 1024 + 12,
            message_timestamp_type: TimestampType::CreateTime,
        }
    }
}

/// A rejected setting, naming the key and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub value: String,
    pub allowed: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid value {:?} for configuration {}: {}",
            self.value, self.key, self.allowed
        )
    }
}

impl std::error::Error for ConfigError {}

fn err(key: &str, value: &str, allowed: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_string(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

fn parse_long(key: &str, value: &str, min: i64) -> Result<i64, ConfigError> {
    let v: i64 = value
        .trim()
        .parse()
        .map_err(|_| err(key, value, format!("expected a long integer >= {min}")))?;
    if v < min {
        return Err(err(key, value, format!("value must be at least {min}")));
    }
    Ok(v)
}

fn parse_int(key: &str, value: &str, min: i32) -> Result<i32, ConfigError> {
    let v = parse_long(key, value, min as i64)?;
    i32::try_from(v).map_err(|_| {
        err(
            key,
            value,
            format!("expected an int between {min} and {}", i32::MAX),
        )
    })
}

fn parse_policy(key: &str, value: &str) -> Result<CleanupPolicy, ConfigError> {
    let mut p = CleanupPolicy {
        delete: false,
        compact: false,
    };
    for part in value.split(',').map(str::trim) {
        match part {
            "delete" => p.delete = true,
            "compact" => p.compact = true,
            _ => return Err(err(
                key,
                value,
                "a list of [delete, compact] (e.g. \"delete\", \"compact\", \"compact,delete\")",
            )),
        }
    }
    Ok(p)
}

/// Time settings Kafka accepts at several precisions; the finest one given wins
/// (`log.retention.ms` over `.minutes` over `.hours`), whatever the order.
#[derive(Default)]
struct Precise {
    value: Option<(u8, i64)>,
}

impl Precise {
    fn set(&mut self, rank: u8, v: i64) {
        if self.value.is_none_or(|(r, _)| rank >= r) {
            self.value = Some((rank, v));
        }
    }
}

impl LogConfig {
    /// Builds a config from Kafka-named settings over the defaults. Unknown
    /// keys are an error (they are always a typo here).
    pub fn from_pairs<'a, I>(pairs: I) -> Result<LogConfig, ConfigError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut c = LogConfig::default();
        let mut roll = Precise::default();
        let mut retention = Precise::default();
        for (key, value) in pairs {
            match key {
                "segment.bytes" | "log.segment.bytes" => {
                    c.segment_bytes = parse_int(key, value, 14)?
                }
                "segment.ms" | "log.roll.ms" => roll.set(2, parse_long(key, value, 1)?),
                "log.roll.hours" => {
                    roll.set(1, parse_long(key, value, 1)?.saturating_mul(3_600_000))
                }
                "segment.index.bytes" | "log.index.size.max.bytes" => {
                    c.segment_index_bytes = parse_int(key, value, 4)?
                }
                "index.interval.bytes" | "log.index.interval.bytes" => {
                    c.index_interval_bytes = parse_int(key, value, 0)?
                }
                "retention.ms" | "log.retention.ms" => {
                    retention.set(3, parse_long(key, value, -1)?)
                }
                "log.retention.minutes" => {
                    let v = parse_long(key, value, -1)?;
                    retention.set(2, if v < 0 { -1 } else { v.saturating_mul(60_000) })
                }
                "log.retention.hours" => {
                    let v = parse_long(key, value, -1)?;
                    retention.set(
                        1,
                        if v < 0 {
                            -1
                        } else {
                            v.saturating_mul(3_600_000)
                        },
                    )
                }
                "retention.bytes" | "log.retention.bytes" => {
                    c.retention_bytes = parse_long(key, value, i64::MIN)?
                }
                "cleanup.policy" | "log.cleanup.policy" => {
                    c.cleanup_policy = parse_policy(key, value)?
                }
                "delete.retention.ms" | "log.cleaner.delete.retention.ms" => {
                    c.delete_retention_ms = parse_long(key, value, 0)?
                }
                "min.compaction.lag.ms" | "log.cleaner.min.compaction.lag.ms" => {
                    c.min_compaction_lag_ms = parse_long(key, value, 0)?
                }
                "flush.messages" | "log.flush.interval.messages" => {
                    c.flush_messages = parse_long(key, value, 1)?
                }
                "flush.ms" | "log.flush.interval.ms" => c.flush_ms = parse_long(key, value, 0)?,
                "max.message.bytes" | "message.max.bytes" => {
                    c.max_message_bytes = parse_int(key, value, 0)?
                }
                "message.timestamp.type" | "log.message.timestamp.type" => {
                    c.message_timestamp_type = match value.trim() {
                        "CreateTime" => TimestampType::CreateTime,
                        "LogAppendTime" => TimestampType::LogAppendTime,
                        _ => return Err(err(key, value, "one of [CreateTime, LogAppendTime]")),
                    }
                }
                _ => return Err(err(key, value, "unknown log configuration")),
            }
        }
        if let Some((_, v)) = roll.value {
            c.segment_ms = v;
        }
        if let Some((_, v)) = retention.value {
            c.retention_ms = v;
        }
        Ok(c)
    }

    /// Max entries of an offset index (`segment.index.bytes` / 8).
    pub fn max_offset_index_entries(&self) -> usize {
        self.segment_index_bytes as usize / crate::index::OFFSET_ENTRY_SIZE
    }

    /// Max entries of a time index (`segment.index.bytes` / 12).
    pub fn max_time_index_entries(&self) -> usize {
        self.segment_index_bytes as usize / crate::index::TIME_ENTRY_SIZE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        let c = LogConfig::default();
        assert_eq!(c.segment_bytes, 1073741824);
        assert_eq!(c.segment_ms, 604800000);
        assert_eq!(c.segment_index_bytes, 10485760);
        assert_eq!(c.index_interval_bytes, 4096);
        assert_eq!(c.retention_ms, 168 * 3600 * 1000);
        assert_eq!(c.retention_bytes, -1);
        assert_eq!(c.delete_retention_ms, 86400000);
        assert_eq!(c.max_message_bytes, 1048588);
        assert_eq!(c.flush_messages, i64::MAX);
        assert_eq!(c.max_offset_index_entries(), 1310720);
    }

    #[test]
    fn topic_and_broker_names_both_work() {
        let c = LogConfig::from_pairs([
            ("log.segment.bytes", "1024"),
            ("retention.ms", "1000"),
            ("cleanup.policy", "compact, delete"),
            ("message.max.bytes", "2000"),
            ("log.message.timestamp.type", "LogAppendTime"),
            ("log.flush.interval.messages", "1"),
        ])
        .unwrap();
        assert_eq!(c.segment_bytes, 1024);
        assert_eq!(c.retention_ms, 1000);
        assert_eq!(c.cleanup_policy, CleanupPolicy::COMPACT_DELETE);
        assert_eq!(c.max_message_bytes, 2000);
        assert_eq!(c.message_timestamp_type, TimestampType::LogAppendTime);
        assert_eq!(c.flush_messages, 1);
    }

    #[test]
    fn finest_time_unit_wins_in_any_order() {
        let c = LogConfig::from_pairs([("log.retention.ms", "5"), ("log.retention.hours", "1")])
            .unwrap();
        assert_eq!(c.retention_ms, 5);
        let c =
            LogConfig::from_pairs([("log.retention.hours", "2"), ("log.roll.hours", "1")]).unwrap();
        assert_eq!(c.retention_ms, 7_200_000);
        assert_eq!(c.segment_ms, 3_600_000);
    }

    #[test]
    fn errors_name_the_key_and_the_allowed_values() {
        let e = LogConfig::from_pairs([("cleanup.policy", "forever")]).unwrap_err();
        assert_eq!(e.key, "cleanup.policy");
        assert!(e.to_string().contains("[delete, compact]"), "{e}");
        let e = LogConfig::from_pairs([("message.timestamp.type", "Now")]).unwrap_err();
        assert!(e.to_string().contains("CreateTime"), "{e}");
        let e = LogConfig::from_pairs([("segment.bytes", "10")]).unwrap_err();
        assert!(e.to_string().contains("at least 14"), "{e}");
        let e = LogConfig::from_pairs([("segment.bytes", "1e9")]).unwrap_err();
        assert_eq!(e.key, "segment.bytes");
        let e = LogConfig::from_pairs([("retention.msec", "1")]).unwrap_err();
        assert!(e.to_string().contains("unknown"), "{e}");
    }
}

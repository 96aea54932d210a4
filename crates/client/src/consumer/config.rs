//! `ConsumerConfig`: Kafka's consumer settings by Kafka's names, with
//! Kafka's defaults. Unknown names and bad values are errors that name the
//! setting and what it accepts (never a silent default).

use std::fmt;

use broker::api::IsolationLevel;

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoOffsetReset {
    Earliest,
    Latest,
    /// No committed offset is an error (`NoOffsetForPartitionException`).
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerConfig {
    pub group_id: Option<String>,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: u64,
    pub auto_offset_reset: AutoOffsetReset,
    /// Assignor names in preference order.
    pub partition_assignment_strategy: Vec<String>,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub max_poll_interval_ms: u64,
    pub max_poll_records: usize,
    pub fetch_min_bytes: usize,
    pub fetch_max_wait_ms: u64,
    pub fetch_max_bytes: usize,
    pub max_partition_fetch_bytes: usize,
    pub isolation_level: IsolationLevel,
    pub request_timeout_ms: u64,
    pub retry_backoff_ms: u64,
    pub metadata_max_age_ms: u64,
    /// How long a blocking call without its own timeout (commitSync) waits.
    pub default_api_timeout_ms: u64,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            group_id: None,
            group_instance_id: None,
            client_id: "consumer".to_string(),
            enable_auto_commit: true,
            auto_commit_interval_ms: 5000,
            auto_offset_reset: AutoOffsetReset::Latest,
            // Kafka 3's default: range first, cooperative-sticky listed so a
            // group can be upgraded by rolling bounce.
            partition_assignment_strategy: vec!["range".into(), "cooperative-sticky".into()],
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            fetch_min_bytes: 1,
            fetch_max_wait_ms: 500,
            fetch_max_bytes: 52_428_800,
            max_partition_fetch_bytes: 1_048_576,
            isolation_level: IsolationLevel::ReadUncommitted,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            metadata_max_age_ms: 300_000,
            default_api_timeout_ms: 60_000,
        }
    }
}

/// Kafka's short names and the class names Kafka also accepts.
fn assignor_name(value: &str) -> Option<&'static str> {
    Some(match value {
        "range" | "org.apache.kafka.clients.consumer.RangeAssignor" => "range",
        "roundrobin" | "org.apache.kafka.clients.consumer.RoundRobinAssignor" => "roundrobin",
        "sticky" | "org.apache.kafka.clients.consumer.StickyAssignor" => "sticky",
        "cooperative-sticky" | "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" => {
            "cooperative-sticky"
        }
        _ => return None,
    })
}

impl ConsumerConfig {
    /// Every setting this consumer understands.
    pub const NAMES: &'static [&'static str] = &[
        "group.id",
        "group.instance.id",
        "client.id",
        "enable.auto.commit",
        "auto.commit.interval.ms",
        "auto.offset.reset",
        "partition.assignment.strategy",
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "max.poll.interval.ms",
        "max.poll.records",
        "fetch.min.bytes",
        "fetch.max.wait.ms",
        "fetch.max.bytes",
        "max.partition.fetch.bytes",
        "isolation.level",
        "request.timeout.ms",
        "retry.backoff.ms",
        "metadata.max.age.ms",
        "default.api.timeout.ms",
    ];

    /// Kafka's defaults overridden by `settings`, checked as Kafka's
    /// `ConsumerConfig` checks them.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        settings: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, ConfigError> {
        let mut c = ConsumerConfig::default();
        for (k, v) in settings {
            c.set(k.as_ref(), v.as_ref())?;
        }
        c.validate()?;
        Ok(c)
    }

    /// Sets one value (not cross-checked; see [`ConsumerConfig::validate`]).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let int = |min: u64| -> Result<u64, ConfigError> {
            match value.parse::<u64>() {
                Ok(n) if n >= min => Ok(n),
                _ => Err(ConfigError(format!(
                    "invalid value `{value}` for consumer config {key}: expected an integer >= {min}"
                ))),
            }
        };
        match key {
            "group.id" => self.group_id = Some(value.to_string()).filter(|g| !g.is_empty()),
            "group.instance.id" => {
                self.group_instance_id = Some(value.to_string()).filter(|g| !g.is_empty())
            }
            "client.id" => self.client_id = value.to_string(),
            "enable.auto.commit" => {
                self.enable_auto_commit = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(ConfigError(format!(
                        "invalid value `{value}` for consumer config enable.auto.commit: expected true or false"
                    ))),
                }
            }
            "auto.commit.interval.ms" => self.auto_commit_interval_ms = int(0)?,
            "auto.offset.reset" => {
                self.auto_offset_reset = match value {
                    "earliest" => AutoOffsetReset::Earliest,
                    "latest" => AutoOffsetReset::Latest,
                    "none" => AutoOffsetReset::None,
                    _ => return Err(ConfigError(format!(
                        "invalid value `{value}` for consumer config auto.offset.reset: expected latest, earliest or none"
                    ))),
                }
            }
            "partition.assignment.strategy" => {
                let mut names = Vec::new();
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match assignor_name(part) {
                        Some(n) if !names.contains(&n.to_string()) => names.push(n.to_string()),
                        Some(_) => {}
                        None => return Err(ConfigError(format!(
                            "invalid value `{part}` for consumer config partition.assignment.strategy: expected a list of range, roundrobin, sticky, cooperative-sticky"
                        ))),
                    }
                }
                if names.is_empty() {
                    return Err(ConfigError(
                        "consumer config partition.assignment.strategy must name at least one of range, roundrobin, sticky, cooperative-sticky".into(),
                    ));
                }
                self.partition_assignment_strategy = names;
            }
            "session.timeout.ms" => self.session_timeout_ms = int(1)?,
            "heartbeat.interval.ms" => self.heartbeat_interval_ms = int(1)?,
            "max.poll.interval.ms" => self.max_poll_interval_ms = int(1)?,
            "max.poll.records" => self.max_poll_records = int(1)? as usize,
            "fetch.min.bytes" => self.fetch_min_bytes = int(0)? as usize,
            "fetch.max.wait.ms" => self.fetch_max_wait_ms = int(0)?,
            "fetch.max.bytes" => self.fetch_max_bytes = int(0)? as usize,
            "max.partition.fetch.bytes" => self.max_partition_fetch_bytes = int(0)? as usize,
            "isolation.level" => {
                self.isolation_level = match value {
                    "read_uncommitted" => IsolationLevel::ReadUncommitted,
                    "read_committed" => IsolationLevel::ReadCommitted,
                    _ => return Err(ConfigError(format!(
                        "invalid value `{value}` for consumer config isolation.level: expected read_uncommitted or read_committed"
                    ))),
                }
            }
            "request.timeout.ms" => self.request_timeout_ms = int(0)?,
            "retry.backoff.ms" => self.retry_backoff_ms = int(0)?,
            "metadata.max.age.ms" => self.metadata_max_age_ms = int(0)?,
            "default.api.timeout.ms" => self.default_api_timeout_ms = int(0)?,
            _ => {
                return Err(ConfigError(format!(
                    "unknown consumer config `{key}` (known: {})",
                    Self::NAMES.join(", ")
                )))
            }
        }
        Ok(())
    }

    /// Cross-setting checks Kafka makes when the consumer is built.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.heartbeat_interval_ms >= self.session_timeout_ms {
            return Err(ConfigError(format!(
                "consumer config heartbeat.interval.ms ({}) must be lower than session.timeout.ms ({})",
                self.heartbeat_interval_ms, self.session_timeout_ms
            )));
        }
        if self.group_instance_id.is_some() && self.group_id.is_none() {
            return Err(ConfigError(
                "consumer config group.instance.id needs a group.id".into(),
            ));
        }
        Ok(())
    }

    /// Every setting by Kafka's name with the value in effect, in
    /// [`ConsumerConfig::NAMES`] order (`null` for an unset id).
    pub fn effective(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
        vec![
            ("group.id", opt(&self.group_id)),
            ("group.instance.id", opt(&self.group_instance_id)),
            ("client.id", self.client_id.clone()),
            ("enable.auto.commit", self.enable_auto_commit.to_string()),
            (
                "auto.commit.interval.ms",
                self.auto_commit_interval_ms.to_string(),
            ),
            (
                "auto.offset.reset",
                self.auto_offset_reset_name().to_string(),
            ),
            (
                "partition.assignment.strategy",
                self.partition_assignment_strategy.join(","),
            ),
            ("session.timeout.ms", self.session_timeout_ms.to_string()),
            (
                "heartbeat.interval.ms",
                self.heartbeat_interval_ms.to_string(),
            ),
            (
                "max.poll.interval.ms",
                self.max_poll_interval_ms.to_string(),
            ),
            ("max.poll.records", self.max_poll_records.to_string()),
            ("fetch.min.bytes", self.fetch_min_bytes.to_string()),
            ("fetch.max.wait.ms", self.fetch_max_wait_ms.to_string()),
            ("fetch.max.bytes", self.fetch_max_bytes.to_string()),
            (
                "max.partition.fetch.bytes",
                self.max_partition_fetch_bytes.to_string(),
            ),
            (
                "isolation.level",
                match self.isolation_level {
                    IsolationLevel::ReadUncommitted => "read_uncommitted".into(),
                    IsolationLevel::ReadCommitted => "read_committed".into(),
                },
            ),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            ("metadata.max.age.ms", self.metadata_max_age_ms.to_string()),
            (
                "default.api.timeout.ms",
                self.default_api_timeout_ms.to_string(),
            ),
        ]
    }

    pub fn auto_offset_reset_name(&self) -> &'static str {
        match self.auto_offset_reset {
            AutoOffsetReset::Earliest => "earliest",
            AutoOffsetReset::Latest => "latest",
            AutoOffsetReset::None => "none",
        }
    }
}

#[cfg(test)]
mod effective_tests {
    use super::*;

    #[test]
    fn effective_lists_every_setting_with_what_set_wrote() {
        let c = ConsumerConfig::from_pairs([
            ("group.id", "g"),
            ("partition.assignment.strategy", "cooperative-sticky"),
            ("isolation.level", "read_committed"),
        ])
        .unwrap();
        let e = c.effective();
        let names: Vec<&str> = e.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ConsumerConfig::NAMES);
        // Each value read back through set() gives the same config.
        let mut again = ConsumerConfig::default();
        for (n, v) in &e {
            if v != "null" {
                again.set(n, v).unwrap();
            }
        }
        assert_eq!(again, c);
        assert!(e.contains(&("group.instance.id", "null".into())));
    }
}

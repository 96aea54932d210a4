//! Broker settings by Kafka's names, with Kafka's defaults.

use serde::{Deserialize, Serialize};

/// How a follower truncates when it starts following a new leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Truncation {
    /// KIP-101/279: ask the leader for the end offset of our last epoch.
    LeaderEpoch,
    /// Pre-0.11 behaviour, for demos: truncate to our own high watermark.
    HighWatermark,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BrokerConfig {
    pub broker_id: i32,
    pub rack: Option<String>,
    pub min_insync_replicas: i32,
    pub unclean_leader_election_enable: bool,
    pub replica_lag_time_max_ms: u64,
    pub replica_fetch_wait_max_ms: u64,
    pub replica_fetch_max_bytes: usize,
    pub replica_fetch_backoff_ms: u64,
    pub replica_socket_timeout_ms: u64,
    pub controller_socket_timeout_ms: u64,
    pub replica_high_watermark_checkpoint_interval_ms: u64,
    pub zookeeper_session_timeout_ms: u64,
    /// A Metadata request naming an unknown topic creates it
    /// (`auto.create.topics.enable`, with `num.partitions` partitions and
    /// `default.replication.factor` replicas).
    pub auto_create_topics_enable: bool,
    pub num_partitions: i32,
    pub default_replication_factor: i16,
    pub auto_leader_rebalance_enable: bool,
    pub leader_imbalance_check_interval_seconds: u64,
    pub leader_imbalance_per_broker_percentage: u64,
    pub log_retention_check_interval_ms: u64,
    pub log_flush_scheduler_interval_ms: u64,
    pub truncation: Truncation,
    /// Broker-wide `log.*` defaults for every topic, as (name, value).
    pub log_defaults: Vec<(String, String)>,
    /// `request.timeout.ms`: how long coordinator appends and transaction
    /// markers wait for replication or an answer.
    pub request_timeout_ms: u64,
    pub offsets_topic_num_partitions: i32,
    pub offsets_topic_replication_factor: i16,
    pub offsets_topic_segment_bytes: i32,
    /// `offsets.commit.timeout.ms`: an offset commit waits this long for
    /// replication.
    pub offsets_commit_timeout_ms: u64,
    pub transaction_state_log_num_partitions: i32,
    pub transaction_state_log_replication_factor: i16,
    pub transaction_state_log_min_isr: i32,
    pub transaction_state_log_segment_bytes: i32,
    pub transaction_max_timeout_ms: i32,
    pub transactional_id_expiration_ms: i64,
    pub group_min_session_timeout_ms: i32,
    pub group_max_session_timeout_ms: i32,
    pub group_initial_rebalance_delay_ms: i32,
}

impl BrokerConfig {
    pub fn new(broker_id: i32) -> Self {
        BrokerConfig {
            broker_id,
            rack: None,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_max_bytes: 1_048_576,
            replica_fetch_backoff_ms: 1_000,
            replica_socket_timeout_ms: 30_000,
            controller_socket_timeout_ms: 30_000,
            replica_high_watermark_checkpoint_interval_ms: 5_000,
            zookeeper_session_timeout_ms: 18_000,
            auto_create_topics_enable: true,
            num_partitions: 1,
            default_replication_factor: 1,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_seconds: 300,
            leader_imbalance_per_broker_percentage: 10,
            log_retention_check_interval_ms: 300_000,
            log_flush_scheduler_interval_ms: u64::MAX,
            truncation: Truncation::LeaderEpoch,
            log_defaults: Vec::new(),
            request_timeout_ms: 30_000,
            offsets_topic_num_partitions: 50,
            offsets_topic_replication_factor: 3,
            offsets_topic_segment_bytes: 104_857_600,
            offsets_commit_timeout_ms: 5_000,
            transaction_state_log_num_partitions: 50,
            transaction_state_log_replication_factor: 3,
            transaction_state_log_min_isr: 2,
            transaction_state_log_segment_bytes: 104_857_600,
            transaction_max_timeout_ms: 900_000,
            transactional_id_expiration_ms: 604_800_000,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            group_initial_rebalance_delay_ms: 3_000,
        }
    }

    /// Applies `name=value` settings. Names are Kafka's broker configs;
    /// `log.*` names become defaults for every topic's log.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        fn num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name}={v} is not valid: expected a number"))
        }
        // Partition counts, replication factors and timeouts the
        // coordinators divide by or wait on must be at least 1.
        fn positive<T: std::str::FromStr + PartialOrd + Default>(
            name: &str,
            v: &str,
        ) -> Result<T, String> {
            match v.parse::<T>() {
                Ok(n) if n > T::default() => Ok(n),
                _ => Err(format!(
                    "{name}={v} is not valid: expected a number of at least 1"
                )),
            }
        }
        fn flag(name: &str, v: &str) -> Result<bool, String> {
            match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(format!("{name}={v} is not valid: expected true or false")),
            }
        }
        match name {
            "broker.rack" => self.rack = Some(value.to_string()),
            "min.insync.replicas" => self.min_insync_replicas = num(name, value)?,
            "unclean.leader.election.enable" => self.unclean_leader_election_enable = flag(name, value)?,
            "replica.lag.time.max.ms" => self.replica_lag_time_max_ms = num(name, value)?,
            "replica.fetch.wait.max.ms" => self.replica_fetch_wait_max_ms = num(name, value)?,
            "replica.fetch.max.bytes" => self.replica_fetch_max_bytes = num(name, value)?,
            "replica.fetch.backoff.ms" => self.replica_fetch_backoff_ms = num(name, value)?,
            "replica.socket.timeout.ms" => self.replica_socket_timeout_ms = num(name, value)?,
            "controller.socket.timeout.ms" => {
                self.controller_socket_timeout_ms = num(name, value)?
            }
            "replica.high.watermark.checkpoint.interval.ms" => {
                self.replica_high_watermark_checkpoint_interval_ms = num(name, value)?
            }
            "zookeeper.session.timeout.ms" => self.zookeeper_session_timeout_ms = num(name, value)?,
            "auto.create.topics.enable" => self.auto_create_topics_enable = flag(name, value)?,
            "num.partitions" => self.num_partitions = positive(name, value)?,
            "default.replication.factor" => self.default_replication_factor = positive(name, value)?,
            "auto.leader.rebalance.enable" => self.auto_leader_rebalance_enable = flag(name, value)?,
            "leader.imbalance.check.interval.seconds" => {
                self.leader_imbalance_check_interval_seconds = num(name, value)?
            }
            "leader.imbalance.per.broker.percentage" => {
                self.leader_imbalance_per_broker_percentage = num(name, value)?
            }
            "log.retention.check.interval.ms" => self.log_retention_check_interval_ms = num(name, value)?,
            "log.flush.scheduler.interval.ms" => self.log_flush_scheduler_interval_ms = num(name, value)?,
            "request.timeout.ms" => self.request_timeout_ms = num(name, value)?,
            "offsets.topic.num.partitions" => {
                self.offsets_topic_num_partitions = positive(name, value)?
            }
            "offsets.topic.replication.factor" => {
                self.offsets_topic_replication_factor = positive(name, value)?
            }
            "offsets.topic.segment.bytes" => self.offsets_topic_segment_bytes = positive(name, value)?,
            "offsets.commit.timeout.ms" => self.offsets_commit_timeout_ms = num(name, value)?,
            "transaction.state.log.num.partitions" => {
                self.transaction_state_log_num_partitions = positive(name, value)?
            }
            "transaction.state.log.replication.factor" => {
                self.transaction_state_log_replication_factor = positive(name, value)?
            }
            "transaction.state.log.min.isr" => {
                self.transaction_state_log_min_isr = positive(name, value)?
            }
            "transaction.state.log.segment.bytes" => {
                self.transaction_state_log_segment_bytes = positive(name, value)?
            }
            "transaction.max.timeout.ms" => self.transaction_max_timeout_ms = positive(name, value)?,
            "transactional.id.expiration.ms" => {
                self.transactional_id_expiration_ms = positive(name, value)?
            }
            "group.min.session.timeout.ms" => {
                self.group_min_session_timeout_ms = num(name, value)?
            }
            "group.max.session.timeout.ms" => {
                self.group_max_session_timeout_ms = num(name, value)?
            }
            "group.initial.rebalance.delay.ms" => {
                self.group_initial_rebalance_delay_ms = num(name, value)?
            }
            "kafkascope.truncation" => {
                self.truncation = match value {
                    "leader-epoch" => Truncation::LeaderEpoch,
                    "high-watermark" => Truncation::HighWatermark,
                    _ => {
                        return Err(format!(
                            "kafkascope.truncation={value} is not valid: expected leader-epoch or high-watermark"
                        ))
                    }
                }
            }
            n if n.starts_with("log.") => {
                // Checked now, so a bad value is refused before the broker starts.
                log::LogConfig::from_pairs([(n, value)]).map_err(|e| e.to_string())?;
                self.log_defaults.push((n.to_string(), value.to_string()))
            }
            _ => return Err(format!("{name} is not a broker config this broker knows")),
        }
        Ok(())
    }

    /// Topic configs the replica manager reads itself; every other topic
    /// config belongs to the log.
    pub const REPLICATION_TOPIC_CONFIGS: [&'static str; 2] =
        ["min.insync.replicas", "unclean.leader.election.enable"];

    /// Topic configs Kafka sets that this log does not model (batches keep
    /// the producer's codec): kept in ZooKeeper, not given to the log.
    pub const UNMODELLED_TOPIC_CONFIGS: [&'static str; 1] = ["compression.type"];

    /// Topic-level overrides of broker settings the replica manager reads.
    pub fn min_isr_for(&self, topic_config: &[(String, String)]) -> i32 {
        topic_config
            .iter()
            .rev()
            .find(|(k, _)| k == "min.insync.replicas")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(self.min_insync_replicas)
    }

    pub fn unclean_for(&self, topic_config: &[(String, String)]) -> bool {
        topic_config
            .iter()
            .rev()
            .find(|(k, _)| k == "unclean.leader.election.enable")
            .map(|(_, v)| v == "true")
            .unwrap_or(self.unclean_leader_election_enable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinator_settings_use_kafkas_names_and_defaults() {
        let mut c = BrokerConfig::new(0);
        assert_eq!(
            (
                c.offsets_topic_num_partitions,
                c.offsets_topic_replication_factor,
                c.transaction_state_log_num_partitions,
                c.transaction_state_log_replication_factor,
                c.transaction_state_log_min_isr,
            ),
            (50, 3, 50, 3, 2)
        );
        c.set("offsets.topic.num.partitions", "5").unwrap();
        c.set("transaction.state.log.replication.factor", "1")
            .unwrap();
        assert_eq!(c.offsets_topic_num_partitions, 5);
        assert_eq!(c.transaction_state_log_replication_factor, 1);
        // The coordinators divide by these: zero is refused up front.
        assert!(c.set("offsets.topic.num.partitions", "0").is_err());
        assert!(c.set("transaction.state.log.min.isr", "-1").is_err());
        assert!(c.set("offsets.topic.replication.factor", "x").is_err());
    }
}

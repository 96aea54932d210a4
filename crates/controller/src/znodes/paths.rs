//! Kafka's znode paths (`kafka.zk.ZkData`).

pub const CONTROLLER: &str = "/controller";
pub const CONTROLLER_EPOCH: &str = "/controller_epoch";
pub const BROKERS: &str = "/brokers";
pub const BROKER_IDS: &str = "/brokers/ids";
pub const TOPICS: &str = "/brokers/topics";
/// Its data version is the source of generated broker ids.
pub const BROKER_SEQUENCE_ID: &str = "/brokers/seqid";
pub const CONFIG: &str = "/config";
pub const CONFIG_CHANGES: &str = "/config/changes";
/// Prefix of the sequential children of [`CONFIG_CHANGES`].
pub const CONFIG_CHANGE_PREFIX: &str = "config_change_";
pub const ADMIN: &str = "/admin";
pub const DELETE_TOPICS: &str = "/admin/delete_topics";
pub const REASSIGN_PARTITIONS: &str = "/admin/reassign_partitions";
pub const PREFERRED_REPLICA_ELECTION: &str = "/admin/preferred_replica_election";
pub const ISR_CHANGE_NOTIFICATION: &str = "/isr_change_notification";
/// Prefix of the sequential children of [`ISR_CHANGE_NOTIFICATION`].
pub const ISR_CHANGE_PREFIX: &str = "isr_change_";
pub const LOG_DIR_EVENT_NOTIFICATION: &str = "/log_dir_event_notification";
pub const CONSUMERS: &str = "/consumers";
pub const LATEST_PRODUCER_ID_BLOCK: &str = "/latest_producer_id_block";
pub const CLUSTER: &str = "/cluster";
pub const CLUSTER_ID: &str = "/cluster/id";
pub const FEATURE: &str = "/feature";

/// `ConfigType.ALL` (Kafka 2.8+).
pub const CONFIG_TYPES: [&str; 5] = ["topics", "clients", "users", "brokers", "ips"];

/// `ZkData.PersistentZkPaths`: created (with parents) by every broker on
/// startup, in this order.
pub fn persistent_paths() -> Vec<String> {
    let mut v: Vec<String> = [
        CONSUMERS,
        BROKER_IDS,
        TOPICS,
        CONFIG_CHANGES,
        DELETE_TOPICS,
        BROKER_SEQUENCE_ID,
        ISR_CHANGE_NOTIFICATION,
        LATEST_PRODUCER_ID_BLOCK,
        LOG_DIR_EVENT_NOTIFICATION,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(CONFIG_TYPES.iter().map(|t| config_entity_type(t)));
    v
}

/// `/brokers/ids/N` (ephemeral, owned by the broker's session).
pub fn broker_id(id: i32) -> String {
    format!("{BROKER_IDS}/{id}")
}

/// `/brokers/topics/T`: the replica assignment.
pub fn topic(topic: &str) -> String {
    format!("{TOPICS}/{topic}")
}

/// `/brokers/topics/T/partitions`
pub fn topic_partitions(topic: &str) -> String {
    format!("{TOPICS}/{topic}/partitions")
}

/// `/brokers/topics/T/partitions/P`
pub fn topic_partition(topic: &str, partition: i32) -> String {
    format!("{TOPICS}/{topic}/partitions/{partition}")
}

/// `/brokers/topics/T/partitions/P/state`: leader, ISR, epochs.
pub fn partition_state(topic: &str, partition: i32) -> String {
    format!("{TOPICS}/{topic}/partitions/{partition}/state")
}

/// `/config/T` for a config entity type (`topics`, `brokers`, ...).
pub fn config_entity_type(entity_type: &str) -> String {
    format!("{CONFIG}/{entity_type}")
}

/// `/config/topics/T`, `/config/brokers/0`, ...
pub fn config_entity(entity_type: &str, name: &str) -> String {
    format!("{CONFIG}/{entity_type}/{name}")
}

/// `/config/topics/T`
pub fn topic_config(topic: &str) -> String {
    config_entity("topics", topic)
}

/// `/admin/delete_topics/T`: a deletion request.
pub fn delete_topic(topic: &str) -> String {
    format!("{DELETE_TOPICS}/{topic}")
}

/// What to pass to a sequential create under `/isr_change_notification`.
pub fn isr_change_create_path() -> String {
    format!("{ISR_CHANGE_NOTIFICATION}/{ISR_CHANGE_PREFIX}")
}

/// What to pass to a sequential create under `/config/changes`.
pub fn config_change_create_path() -> String {
    format!("{CONFIG_CHANGES}/{CONFIG_CHANGE_PREFIX}")
}

/// The 10-digit sequence number of a notification node's name
/// (`isr_change_0000000003` → `"0000000003"`), as Kafka extracts it.
pub fn sequence_number<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let i = path.rfind(prefix)?;
    Some(&path[i + prefix.len()..])
}

/// A parsed partition-level path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaZnode {
    BrokerId(i32),
    Topic(String),
    PartitionState { topic: String, partition: i32 },
    TopicConfig(String),
    Controller,
    ControllerEpoch,
    IsrChangeNotification(String),
    Other,
}

/// Classifies a path (for the UI's znode tree labels).
pub fn classify(path: &str) -> KafkaZnode {
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    match parts.as_slice() {
        ["controller"] => KafkaZnode::Controller,
        ["controller_epoch"] => KafkaZnode::ControllerEpoch,
        ["brokers", "ids", id] => id
            .parse()
            .map(KafkaZnode::BrokerId)
            .unwrap_or(KafkaZnode::Other),
        ["brokers", "topics", t] => KafkaZnode::Topic(t.to_string()),
        ["brokers", "topics", t, "partitions", p, "state"] => match p.parse() {
            Ok(partition) => KafkaZnode::PartitionState {
                topic: t.to_string(),
                partition,
            },
            Err(_) => KafkaZnode::Other,
        },
        ["config", "topics", t] => KafkaZnode::TopicConfig(t.to_string()),
        ["isr_change_notification", n] if n.starts_with(ISR_CHANGE_PREFIX) => {
            KafkaZnode::IsrChangeNotification(n.to_string())
        }
        _ => KafkaZnode::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_kafkas() {
        assert_eq!(broker_id(1), "/brokers/ids/1");
        assert_eq!(topic("orders"), "/brokers/topics/orders");
        assert_eq!(
            partition_state("orders", 0),
            "/brokers/topics/orders/partitions/0/state"
        );
        assert_eq!(topic_config("orders"), "/config/topics/orders");
        assert_eq!(
            isr_change_create_path(),
            "/isr_change_notification/isr_change_"
        );
        assert_eq!(
            sequence_number(
                "/isr_change_notification/isr_change_0000000003",
                ISR_CHANGE_PREFIX
            ),
            Some("0000000003")
        );
        let p = persistent_paths();
        assert_eq!(p[0], "/consumers");
        assert!(p.contains(&"/brokers/seqid".to_string()));
        assert_eq!(p.last().unwrap(), "/config/ips");
    }

    #[test]
    fn classify_paths() {
        assert_eq!(classify("/brokers/ids/2"), KafkaZnode::BrokerId(2));
        assert_eq!(
            classify("/brokers/topics/t/partitions/3/state"),
            KafkaZnode::PartitionState {
                topic: "t".into(),
                partition: 3
            }
        );
        assert_eq!(classify("/controller"), KafkaZnode::Controller);
        assert_eq!(classify("/brokers/ids/x"), KafkaZnode::Other);
    }
}

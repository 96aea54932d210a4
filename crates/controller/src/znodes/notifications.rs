//! Change requests and notifications: `/isr_change_notification/isr_change_N`,
//! `/admin/preferred_replica_election`, entity configs under `/config`
//! and `/config/changes/config_change_N`.

use serde::{Deserialize, Serialize};

use super::json::{self, Reader};
use super::jvm;
use super::ZnodeDecodeError;

const ISR_ZNODE: &str = "/isr_change_notification/isr_change_N";
const PREFERRED_ZNODE: &str = "/admin/preferred_replica_election";
const CONFIG_ZNODE: &str = "/config/T/N";

/// A topic partition as the notifications spell it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: &str, partition: i32) -> Self {
        TopicPartition {
            topic: topic.to_string(),
            partition,
        }
    }
}

/// `{"version":1,"partitions":[{"topic":"t","partition":0},...]}`.
/// Kafka builds the list from a Scala `Set`, so its order is the set's;
/// here it is the order given (callers pass a sorted set for stable bytes).
fn encode_partition_list(partitions: &[TopicPartition]) -> Vec<u8> {
    let list = json::array(partitions.iter().map(|tp| {
        json::object([
            ("topic", json::string(&tp.topic)),
            ("partition", tp.partition.to_string()),
        ])
    }));
    json::object([("version", "1".to_string()), ("partitions", list)]).into_bytes()
}

fn decode_partition_list(
    znode: &'static str,
    bytes: &[u8],
) -> Result<Vec<TopicPartition>, ZnodeDecodeError> {
    let v = json::parse(znode, bytes)?;
    let r = json::as_object(znode, &v)?;
    r.array("partitions")?
        .iter()
        .map(|p| {
            let p = json::as_object(znode, p)?;
            Ok(TopicPartition {
                topic: p.str("topic")?.to_string(),
                partition: p.int("partition")?,
            })
        })
        .collect()
}

/// A leader's ISR change notification (`IsrChangeNotificationSequenceZNode`),
/// created sequentially under `/isr_change_notification/isr_change_`.
pub fn encode_isr_change(partitions: &[TopicPartition]) -> Vec<u8> {
    encode_partition_list(partitions)
}

pub fn decode_isr_change(bytes: &[u8]) -> Result<Vec<TopicPartition>, ZnodeDecodeError> {
    decode_partition_list(ISR_ZNODE, bytes)
}

/// A preferred leader election request (`PreferredReplicaElectionZNode`).
pub fn encode_preferred_replica_election(partitions: &[TopicPartition]) -> Vec<u8> {
    encode_partition_list(partitions)
}

pub fn decode_preferred_replica_election(
    bytes: &[u8],
) -> Result<Vec<TopicPartition>, ZnodeDecodeError> {
    decode_partition_list(PREFERRED_ZNODE, bytes)
}

/// An entity's dynamic config (`/config/topics/T`, `ConfigEntityZNode`):
/// `{"version":1,"config":{"cleanup.policy":"compact"}}`. The config is a
/// `java.util.Properties`, so its keys come in that map's hash order.
pub fn encode_entity_config(config: &[(&str, &str)]) -> Vec<u8> {
    let keys: Vec<&str> = config.iter().map(|(k, _)| *k).collect();
    // A later duplicate key overwrites the earlier value, as Properties.put does.
    let entries: Vec<(&str, String)> = keys
        .iter()
        .map(|k| {
            let v = config
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| *v);
            (*k, json::string(v.unwrap_or_default()))
        })
        .collect();
    let inner = json::object_in_order(&jvm::java_properties_order(&keys), &entries);
    json::object([("version", "1".to_string()), ("config", inner)]).into_bytes()
}

/// `ConfigEntityZNode.decode`: the config entries, sorted by key.
/// Like Kafka, a missing `config` object means an empty config.
pub fn decode_entity_config(bytes: &[u8]) -> Result<Vec<(String, String)>, ZnodeDecodeError> {
    let v = json::parse(CONFIG_ZNODE, bytes)?;
    let r = json::as_object(CONFIG_ZNODE, &v)?;
    let Some(config) = r.opt_object("config")? else {
        return Ok(Vec::new());
    };
    config_entries(&config)
}

fn config_entries(config: &Reader<'_>) -> Result<Vec<(String, String)>, ZnodeDecodeError> {
    config
        .obj
        .keys()
        .map(|k| Ok((k.clone(), config.str(k)?.to_string())))
        .collect()
}

/// `ConfigEntityChangeNotificationSequenceZNode.encode`:
/// `{"version":2,"entity_path":"topics/orders"}`.
pub fn encode_config_change(entity_type: &str, entity_name: &str) -> Vec<u8> {
    json::object([
        ("version", "2".to_string()),
        (
            "entity_path",
            json::string(&format!("{entity_type}/{entity_name}")),
        ),
    ])
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isr_change_bytes_are_kafkas() {
        let parts = vec![TopicPartition::new("t", 0)];
        assert_eq!(
            encode_isr_change(&parts),
            br#"{"version":1,"partitions":[{"topic":"t","partition":0}]}"#.to_vec()
        );
        assert_eq!(
            decode_isr_change(&encode_isr_change(&parts)).unwrap(),
            parts
        );
        assert!(decode_isr_change(br#"{"version":1,"partitions":[{"topic":"t"}]}"#).is_err());
        assert!(decode_isr_change(br#"{"version":1}"#).is_err());
    }

    #[test]
    fn preferred_election_round_trips() {
        let parts = vec![TopicPartition::new("a", 1), TopicPartition::new("b", 0)];
        let bytes = encode_preferred_replica_election(&parts);
        assert_eq!(
            bytes,
            br#"{"version":1,"partitions":[{"topic":"a","partition":1},{"topic":"b","partition":0}]}"#.to_vec()
        );
        assert_eq!(decode_preferred_replica_election(&bytes).unwrap(), parts);
    }

    #[test]
    fn topic_config_bytes_follow_properties_order() {
        // Bins of a 16-bin table: cleanup.policy 2, min.insync.replicas 10,
        // retention.ms 11, segment.bytes 11 (same bin: insertion order).
        let bytes = encode_entity_config(&[
            ("retention.ms", "1000"),
            ("segment.bytes", "1024"),
            ("min.insync.replicas", "2"),
            ("cleanup.policy", "compact"),
        ]);
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"version":1,"config":{"cleanup.policy":"compact","min.insync.replicas":"2","retention.ms":"1000","segment.bytes":"1024"}}"#
        );
        assert_eq!(decode_entity_config(&bytes).unwrap().len(), 4);
        assert_eq!(
            decode_entity_config(&encode_entity_config(&[("a", "1"), ("a", "2")])).unwrap(),
            vec![("a".to_string(), "2".to_string())]
        );
        assert_eq!(decode_entity_config(br#"{"version":1}"#).unwrap(), vec![]);
        assert!(decode_entity_config(br#"{"version":1,"config":{"a":1}}"#).is_err());
    }

    #[test]
    fn config_change_bytes_are_kafkas() {
        assert_eq!(
            encode_config_change("topics", "orders"),
            br#"{"version":2,"entity_path":"topics/orders"}"#.to_vec()
        );
    }
}

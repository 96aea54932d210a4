//! `/brokers/topics/T` (replica assignment, `TopicZNode`) and
//! `/brokers/topics/T/partitions/P/state` (`TopicPartitionStateZNode`),
//! plus Kafka's topic ids.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::json;
use super::jvm;
use super::ZnodeDecodeError;

const TOPIC_ZNODE: &str = "/brokers/topics/T";
const STATE_ZNODE: &str = "/brokers/topics/T/partitions/P/state";

/// One partition's replicas (`kafka.controller.ReplicaAssignment`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaAssignment {
    /// In preference order: the first is the preferred leader.
    pub replicas: Vec<i32>,
    /// Only during a reassignment.
    pub adding_replicas: Vec<i32>,
    pub removing_replicas: Vec<i32>,
}

impl ReplicaAssignment {
    pub fn new(replicas: Vec<i32>) -> Self {
        ReplicaAssignment {
            replicas,
            ..Default::default()
        }
    }
}

/// The content of `/brokers/topics/T`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicAssignment {
    /// Kafka's `Uuid.toString` form (22 chars of URL-safe base64).
    pub topic_id: Option<String>,
    pub partitions: BTreeMap<i32, ReplicaAssignment>,
}

impl TopicAssignment {
    /// From `partition -> replicas` (what the assignment functions return).
    pub fn from_replicas(topic_id: Option<String>, replicas: &BTreeMap<i32, Vec<i32>>) -> Self {
        TopicAssignment {
            topic_id,
            partitions: replicas
                .iter()
                .map(|(p, r)| (*p, ReplicaAssignment::new(r.clone())))
                .collect(),
        }
    }

    /// `TopicZNode.encode`, version 3 (Kafka 3.x). Keys of each map come in
    /// Scala `mutable.HashMap` order, as Kafka writes them.
    pub fn encode(&self) -> Vec<u8> {
        // Every partition goes in "partitions"; only those mid-reassignment
        // in "adding_replicas"/"removing_replicas".
        let map_of = |pick: fn(&ReplicaAssignment) -> &Vec<i32>, include_empty: bool| {
            let present: Vec<(String, &Vec<i32>)> = self
                .partitions
                .iter()
                .filter(|(_, a)| include_empty || !pick(a).is_empty())
                .map(|(p, a)| (p.to_string(), pick(a)))
                .collect();
            let ids: Vec<&str> = present.iter().map(|(id, _)| id.as_str()).collect();
            let entries: Vec<(&str, String)> = present
                .iter()
                .map(|(id, r)| (id.as_str(), json::int_array(r)))
                .collect();
            json::object_in_order(&jvm::scala_mutable_hash_map_order(&ids, 0), &entries)
        };
        let mut keys = vec![
            "version",
            "partitions",
            "adding_replicas",
            "removing_replicas",
        ];
        let mut entries = vec![
            ("version", "3".to_string()),
            ("partitions", map_of(|a| &a.replicas, true)),
            ("adding_replicas", map_of(|a| &a.adding_replicas, false)),
            ("removing_replicas", map_of(|a| &a.removing_replicas, false)),
        ];
        if let Some(id) = &self.topic_id {
            keys.push("topic_id");
            entries.push(("topic_id", json::string(id)));
        }
        let order = jvm::scala_mutable_hash_map_order(&keys, 4);
        json::object_in_order(&order, &entries).into_bytes()
    }

    /// `TopicZNode.decode`.
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeDecodeError> {
        let v = json::parse(TOPIC_ZNODE, bytes)?;
        let r = json::as_object(TOPIC_ZNODE, &v)?;
        let topic_id = r.opt_str("topic_id")?.map(str::to_string);
        let adding = r.opt_object("adding_replicas")?;
        let removing = r.opt_object("removing_replicas")?;
        let mut partitions = BTreeMap::new();
        if let Some(parts) = r.opt_object("partitions")? {
            for (id, replicas) in parts.obj {
                let p: i32 = id.parse().map_err(|_| {
                    ZnodeDecodeError::new(
                        TOPIC_ZNODE,
                        format!("partition id is not a number: {id}"),
                    )
                })?;
                let side = |m: &Option<json::Reader<'_>>| match m.as_ref().and_then(|m| m.get(id)) {
                    Some(v) => m.as_ref().expect("matched Some").int_list_value(id, v),
                    None => Ok(Vec::new()),
                };
                partitions.insert(
                    p,
                    ReplicaAssignment {
                        replicas: parts.int_list_value(id, replicas)?,
                        adding_replicas: side(&adding)?,
                        removing_replicas: side(&removing)?,
                    },
                );
            }
        }
        Ok(TopicAssignment {
            topic_id,
            partitions,
        })
    }
}

/// The content of `.../partitions/P/state` (`LeaderIsrAndControllerEpoch`).
/// The node's data version is the `zkVersion` Kafka checks ISR updates
/// against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderIsrAndControllerEpoch {
    /// -1 when the partition has no leader.
    pub leader: i32,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
    pub controller_epoch: i32,
}

/// `LeaderAndIsr.NoLeader`.
pub const NO_LEADER: i32 = -1;

impl LeaderIsrAndControllerEpoch {
    /// `TopicPartitionStateZNode.encode`, e.g.
    /// `{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}`
    /// (five keys: a Scala immutable `HashMap`, hence this order).
    pub fn encode(&self) -> Vec<u8> {
        let keys = [
            "version",
            "leader",
            "leader_epoch",
            "controller_epoch",
            "isr",
        ];
        let entries = [
            ("version", "1".to_string()),
            ("leader", self.leader.to_string()),
            ("leader_epoch", self.leader_epoch.to_string()),
            ("controller_epoch", self.controller_epoch.to_string()),
            ("isr", json::int_array(&self.isr)),
        ];
        let order = jvm::scala_immutable_map_order(&keys);
        json::object_in_order(&order, &entries).into_bytes()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeDecodeError> {
        let v = json::parse(STATE_ZNODE, bytes)?;
        let r = json::as_object(STATE_ZNODE, &v)?;
        Ok(LeaderIsrAndControllerEpoch {
            leader: r.int("leader")?,
            leader_epoch: r.int("leader_epoch")?,
            isr: r.int_list("isr")?,
            controller_epoch: r.int("controller_epoch")?,
        })
    }
}

/// Kafka's `Uuid.toString`: URL-safe base64 of the 16 bytes, no padding.
pub fn uuid_to_string(bits: u128) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = bits.to_be_bytes();
    let mut out = String::with_capacity(22);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Kafka's `Uuid.randomUuid` given a source of random 128-bit values
/// (from the simulation's seeded RNG): a version-4 UUID, drawn again while
/// it is the zero or metadata-topic id or its string starts with `-`.
pub fn random_topic_id(mut random_bits: impl FnMut() -> u128) -> String {
    loop {
        let mut bytes = random_bits().to_be_bytes();
        bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80; // IETF variant
        let bits = u128::from_be_bytes(bytes);
        let s = uuid_to_string(bits);
        // Zero (0,0) and METADATA_TOPIC_ID (0,1) cannot have the v4 bits,
        // so only the '-' rule can reject here.
        if !s.starts_with('-') {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_bytes_are_kafkas() {
        let mut replicas = BTreeMap::new();
        replicas.insert(0, vec![1, 2, 3]);
        let t = TopicAssignment::from_replicas(Some("ZnVzY2gtdG9waWMtaWQhIQ".into()), &replicas);
        assert_eq!(
            String::from_utf8(t.encode()).unwrap(),
            r#"{"partitions":{"0":[1,2,3]},"topic_id":"ZnVzY2gtdG9waWMtaWQhIQ","adding_replicas":{},"removing_replicas":{},"version":3}"#
        );
        assert_eq!(TopicAssignment::decode(&t.encode()).unwrap(), t);
    }

    #[test]
    fn topic_without_id_and_with_reassignment() {
        let mut t = TopicAssignment::default();
        t.partitions.insert(1, ReplicaAssignment::new(vec![2, 0]));
        t.partitions.insert(
            0,
            ReplicaAssignment {
                replicas: vec![0, 1, 2],
                adding_replicas: vec![2],
                removing_replicas: vec![1],
            },
        );
        assert_eq!(
            String::from_utf8(t.encode()).unwrap(),
            r#"{"partitions":{"0":[0,1,2],"1":[2,0]},"adding_replicas":{"0":[2]},"removing_replicas":{"0":[1]},"version":3}"#
        );
        assert_eq!(TopicAssignment::decode(&t.encode()).unwrap(), t);
    }

    #[test]
    fn many_partitions_follow_the_hash_map() {
        let replicas: BTreeMap<i32, Vec<i32>> = (0..12).map(|p| (p, vec![p % 3])).collect();
        let s =
            String::from_utf8(TopicAssignment::from_replicas(None, &replicas).encode()).unwrap();
        assert!(
            s.starts_with(r#"{"partitions":{"11":[2],"0":[0],"1":[1],"#),
            "{s}"
        );
        assert!(s.contains(r#""9":[0],"10":[1]}"#), "{s}");
    }

    #[test]
    fn kafka_2_4_topic_json_decodes() {
        let t = TopicAssignment::decode(
            br#"{"version":2,"partitions":{"0":[0]},"adding_replicas":{},"removing_replicas":{}}"#,
        )
        .unwrap();
        assert_eq!(t.topic_id, None);
        assert_eq!(t.partitions[&0].replicas, vec![0]);
        // Version 1 had no adding/removing maps at all.
        let t = TopicAssignment::decode(br#"{"version":1,"partitions":{"2":[1,0]}}"#).unwrap();
        assert_eq!(t.partitions[&2].replicas, vec![1, 0]);
    }

    #[test]
    fn partition_state_bytes_are_kafkas() {
        let s = LeaderIsrAndControllerEpoch {
            leader: 1,
            leader_epoch: 0,
            isr: vec![1, 2, 3],
            controller_epoch: 1,
        };
        assert_eq!(
            String::from_utf8(s.encode()).unwrap(),
            r#"{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}"#
        );
        assert_eq!(LeaderIsrAndControllerEpoch::decode(&s.encode()).unwrap(), s);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"{",
            br#"{"partitions":{"x":[1]}}"#,
            br#"{"partitions":{"0":[1.5]}}"#,
            br#"{"partitions":{"0":"1"}}"#,
            br#"{"partitions":{"0":[1]},"adding_replicas":{"0":7}}"#,
            br#"{"partitions":[]}"#,
        ] {
            assert!(
                TopicAssignment::decode(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        for bad in [
            &br#"{"leader":1}"#[..],
            br#"{"leader":1,"leader_epoch":0,"isr":[99999999999],"controller_epoch":1}"#,
            b"7",
        ] {
            assert!(LeaderIsrAndControllerEpoch::decode(bad).is_err());
        }
    }

    #[test]
    fn uuid_strings() {
        assert_eq!(uuid_to_string(0), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(uuid_to_string(1), "AAAAAAAAAAAAAAAAAAAAAQ");
        assert_eq!(uuid_to_string(u128::MAX), "_____________________w");
        let mut draws = vec![u128::MAX, 5u128].into_iter();
        // u128::MAX gives a string starting with '_', accepted.
        let id = random_topic_id(|| draws.next().unwrap());
        assert_eq!(id.len(), 22);
        assert!(id.starts_with('_'));
        // A draw whose string would start with '-' is rejected.
        let mut draws = vec![0xF800_0000_0000_0000_0000_0000_0000_0000u128, 0].into_iter();
        let id = random_topic_id(|| draws.next().unwrap());
        assert!(id.starts_with('A'), "{id}");
    }
}

//! `/controller`, `/controller_epoch`, `/cluster/id` and `/brokers/seqid`.

use serde::{Deserialize, Serialize};

use super::json;
use super::ZnodeDecodeError;

const CONTROLLER_ZNODE: &str = "/controller";
const EPOCH_ZNODE: &str = "/controller_epoch";
const CLUSTER_ID_ZNODE: &str = "/cluster/id";

/// The ephemeral `/controller` znode: who won the controller election.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControllerRegistration {
    pub broker_id: i32,
    pub timestamp_ms: i64,
}

impl ControllerRegistration {
    /// `ControllerZNode.encode` (Kafka 2.x–3.3, version 1):
    /// `{"version":1,"brokerid":1,"timestamp":"1600000000000"}`.
    pub fn encode(&self) -> Vec<u8> {
        json::object([
            ("version", "1".to_string()),
            ("brokerid", self.broker_id.to_string()),
            ("timestamp", json::string(&self.timestamp_ms.to_string())),
        ])
        .into_bytes()
    }

    /// `ControllerZNode.decode` reads only `brokerid`; the timestamp is
    /// optional here too (0 when absent).
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeDecodeError> {
        let v = json::parse(CONTROLLER_ZNODE, bytes)?;
        let r = json::as_object(CONTROLLER_ZNODE, &v)?;
        let timestamp_ms = match r.opt_str("timestamp")? {
            None => 0,
            Some(t) => t.parse().map_err(|_| {
                ZnodeDecodeError::new(CONTROLLER_ZNODE, format!("timestamp is not a number: {t}"))
            })?,
        };
        Ok(ControllerRegistration {
            broker_id: r.int("brokerid")?,
            timestamp_ms,
        })
    }
}

/// `/controller_epoch`: the epoch as plain decimal text (`"1"`).
pub fn encode_controller_epoch(epoch: i32) -> Vec<u8> {
    epoch.to_string().into_bytes()
}

pub fn decode_controller_epoch(bytes: &[u8]) -> Result<i32, ZnodeDecodeError> {
    let s = std::str::from_utf8(bytes)
        .map_err(|_| ZnodeDecodeError::new(EPOCH_ZNODE, "not UTF-8".to_string()))?;
    s.parse()
        .map_err(|_| ZnodeDecodeError::new(EPOCH_ZNODE, format!("not an integer: {s:?}")))
}

/// `/cluster/id`, written once by the first broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterId(pub String);

impl ClusterId {
    /// `ClusterIdZNode.toJson`: note the version is a *string* here.
    pub fn encode(&self) -> Vec<u8> {
        json::object([
            ("version", json::string("1")),
            ("id", json::string(&self.0)),
        ])
        .into_bytes()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeDecodeError> {
        let v = json::parse(CLUSTER_ID_ZNODE, bytes)?;
        let r = json::as_object(CLUSTER_ID_ZNODE, &v)?;
        Ok(ClusterId(r.str("id")?.to_string()))
    }
}

/// `reserved.broker.max.id` default.
pub const RESERVED_BROKER_MAX_ID: i32 = 1000;

/// Broker id generation (`broker.id.generation.enable`): the broker sets
/// `/brokers/seqid` (empty data, any version) and takes the node's new data
/// version plus `reserved.broker.max.id`.
pub fn generated_broker_id(seqid_version_after_set: i32, reserved_broker_max_id: i32) -> i32 {
    seqid_version_after_set + reserved_broker_max_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_bytes_are_kafkas() {
        let c = ControllerRegistration {
            broker_id: 2,
            timestamp_ms: 1_600_000_000_123,
        };
        assert_eq!(
            c.encode(),
            br#"{"version":1,"brokerid":2,"timestamp":"1600000000123"}"#.to_vec()
        );
        assert_eq!(ControllerRegistration::decode(&c.encode()).unwrap(), c);
        // Kafka 3.4+ writes version 2 with kraftControllerEpoch; still readable.
        let v2 = br#"{"version":2,"brokerid":1,"timestamp":"5","kraftControllerEpoch":-1}"#;
        assert_eq!(ControllerRegistration::decode(v2).unwrap().broker_id, 1);
        assert!(ControllerRegistration::decode(br#"{"version":1}"#).is_err());
        assert!(ControllerRegistration::decode(br#"{"brokerid":1,"timestamp":"x"}"#).is_err());
    }

    #[test]
    fn controller_epoch_is_plain_text() {
        assert_eq!(encode_controller_epoch(12), b"12".to_vec());
        assert_eq!(decode_controller_epoch(b"12"), Ok(12));
        assert!(decode_controller_epoch(b"").is_err());
        assert!(decode_controller_epoch(b"1.0").is_err());
        assert!(decode_controller_epoch(&[0xff]).is_err());
    }

    #[test]
    fn cluster_id_bytes_are_kafkas() {
        let id = ClusterId("K9dGVrQTRf2b0l7yZS5nIw".into());
        assert_eq!(
            id.encode(),
            br#"{"version":"1","id":"K9dGVrQTRf2b0l7yZS5nIw"}"#.to_vec()
        );
        assert_eq!(ClusterId::decode(&id.encode()).unwrap(), id);
        assert!(ClusterId::decode(br#"{"version":"1"}"#).is_err());
    }

    #[test]
    fn generated_ids_start_above_the_reserved_range() {
        assert_eq!(generated_broker_id(1, RESERVED_BROKER_MAX_ID), 1001);
    }
}

//! Kafka's znodes (ZooKeeper mode): where Kafka keeps its metadata
//! ([`paths`]) and the exact bytes it writes there. Encoders reproduce
//! Kafka's JSON byte for byte, field order included (see [`jvm`] for why
//! the order is what it is); decoders accept anything Kafka would and
//! return a [`ZnodeDecodeError`] (never panic) for anything else.
//!
//! Target: the layout of Kafka 2.8–3.x in ZooKeeper mode (broker
//! registration v5, topic znode v3 with `topic_id`, `/controller` v1).

pub mod broker;
pub mod controller;
pub mod json;
pub mod jvm;
pub mod notifications;
pub mod paths;
pub mod topic;

pub use broker::{BrokerRegistration, EndPoint};
pub use controller::{ClusterId, ControllerRegistration};
pub use topic::{LeaderIsrAndControllerEpoch, ReplicaAssignment, TopicAssignment};

/// A znode's bytes were not what Kafka writes there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeDecodeError {
    /// Which znode kind was being read (e.g. `"/brokers/ids/N"`).
    pub znode: &'static str,
    pub reason: String,
}

impl ZnodeDecodeError {
    pub fn new(znode: &'static str, reason: String) -> Self {
        ZnodeDecodeError { znode, reason }
    }
}

impl std::fmt::Display for ZnodeDecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "failed to decode {}: {}", self.znode, self.reason)
    }
}

impl std::error::Error for ZnodeDecodeError {}

//! kafkascope-controller: Kafka's metadata layer (ZooKeeper mode) as pure,
//! deterministic code.
//!
//! - [`zk`]: a sans-IO ZooKeeper server (znode tree, sessions, one-shot
//!   watches, multi) and a client session helper.
//! - [`znodes`]: Kafka's znode paths and the JSON it writes there, byte for
//!   byte (field order included).
//! - [`assignment`]: `AdminUtils.assignReplicasToBrokers`, rack-unaware and
//!   rack-aware.
//! - [`election`]: the controller's partition leader election algorithms.
//! - [`kafka_zk`]: the requests Kafka's `KafkaZkClient` sends (broker
//!   registration, controller election, topic creation, fenced leader/ISR
//!   writes), built from the pieces above.
//!
//! Nothing here reads a clock or does IO: time comes in as `now` (virtual
//! milliseconds) and randomness as explicit parameters.

pub mod assignment;
pub mod election;
pub mod kafka_zk;
pub mod zk;
pub mod znodes;

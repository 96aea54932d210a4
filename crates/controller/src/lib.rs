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
//!
//! ```
//! use kafkascope_controller::kafka_zk;
//! use kafkascope_controller::zk::{ConnId, ZkClient, ZkServer};
//! use kafkascope_controller::znodes::BrokerRegistration;
//!
//! let mut zk = ZkServer::default();
//! let mut broker = ZkClient::new(18_000);
//! let conn = ConnId(1);
//! // Connect, then register /brokers/ids/1 (parents first).
//! let connect = broker.connect(0);
//! for out in zk.handle_message(0, conn, connect) {
//!     broker.on_message(0, out.msg);
//! }
//! let reg = BrokerRegistration::new(1, "broker-1", 9092, None, 0);
//! let mut requests = kafka_zk::create_top_level_paths();
//! requests.push(kafka_zk::register_broker(&reg));
//! for r in requests {
//!     let (_xid, msg) = broker.request(0, r);
//!     zk.handle_message(0, conn, msg);
//! }
//! let node = zk.tree().get("/brokers/ids/1").unwrap();
//! assert_eq!(node.stat.ephemeral_owner, broker.session().unwrap().0);
//! // Silence for the session timeout: the ephemeral node is gone.
//! let (_notices, _next_deadline) = zk.tick(20_000);
//! assert!(zk.tree().get("/brokers/ids/1").is_none());
//! ```

pub mod assignment;
pub mod election;
pub mod kafka_zk;
pub mod zk;
pub mod znodes;

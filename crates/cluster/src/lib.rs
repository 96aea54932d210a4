//! kafkascope-cluster: a whole Kafka cluster (ZooKeeper mode) in the
//! deterministic simulator, and what drives it.
//!
//! - [`Cluster`]: brokers `0..N` (node ids `0..N`), the `zk` node (node id
//!   `N`, wrapping the controller crate's `ZkServer`) and clients (from
//!   `N+1`, in declaration order) in one [`sim::Simulator`]; the process
//!   lifecycle (crash keeps the page cache, power-off only what was
//!   flushed, restart is a new `Broker` over the same disk, controlled
//!   shutdown), network faults by node name, and the admin tool's topic
//!   creation through ZooKeeper (`/config/topics/T`, then
//!   `/brokers/topics/T`).
//! - [`producer`]: a sans-IO, non-idempotent Kafka producer.
//! - [`runner`]: executes a scenario (`SCENARIO-LANGUAGE.md`) and reports
//!   `PASS`/`FAIL` lines; [`predicates`] evaluates its predicates.
//! - [`invariants`] and [`chaos`]: replication invariants and the randomized
//!   fault search that checks them, with shrinking to a scenario file.
//!
//! Everything is deterministic: ordered maps only, no clock, randomness
//! from the run's seed.

mod admin;
pub mod chaos;
pub mod cluster;
pub mod inspect;
pub mod invariants;
pub mod node;
pub mod predicates;
pub mod producer;
mod producer_config;
pub mod runner;

pub use cluster::{Cluster, ClusterSpec, Life};
pub use runner::{preflight, run, run_source, Report, RunOptions};

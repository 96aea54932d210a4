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
//!   `/brokers/topics/T`, see `admin`).
//! - [`producer`]: a sans-IO Kafka producer, idempotent by default and
//!   transactional with `transactional.id` ([`producer_txn`]).
//! - [`runner`]: executes a scenario (`SCENARIO-LANGUAGE.md`) and reports
//!   `PASS`/`FAIL` lines; [`predicates`] evaluates its predicates;
//!   [`inspect`] reads replicas (a down broker's from what its disk would
//!   recover).
//! - [`invariants`] and [`chaos`]: replication invariants and the randomized
//!   fault search that checks them, with shrinking to a scenario file.
//!
//! Modelling choices worth knowing:
//! - ZooKeeper starts with Kafka's top-level znodes (`ZkData`'s persistent
//!   paths) already there, as after a first broker run.
//! - A killed process's sockets close at once: ZooKeeper sees the
//!   connection drop (the session still lives until it times out) and
//!   clients get a disconnect and "connection refused" until it restarts.
//!   A powered-off or cut-off broker is only noticed through timeouts.
//! - `restart zk` keeps ZooKeeper's tree and sessions; session deadlines
//!   are not reset on restart (a real ensemble renews them).
//!
//! Everything is deterministic: ordered maps only, no clock, randomness
//! from the run's seed.

mod acked_index;
mod admin;
pub mod chaos;
pub mod client_commands;
pub mod client_predicates;
pub mod cluster;
pub mod consumer_node;
mod consumers;
pub mod host;
pub mod inspect;
pub mod invariants;
pub mod links_view;
pub mod meters;
pub mod node;
pub mod partition_choice;
pub mod predicates;
pub mod producer;
pub mod producer_commands;
mod producer_config;
pub mod producer_txn;
pub mod record_history;
pub mod runner;
pub mod sampler;
#[cfg(test)]
mod scenario_lines;
pub mod segments_view;
pub mod session;
pub mod view;

pub use cluster::{Cluster, ClusterSpec, Life};
pub use runner::{preflight, run, run_hosted, run_source, Report, RunOptions};

//! kafkascope-view: what the page needs and nothing of the engine.
//!
//! - [`model`]: the snapshot of a cluster the page renders ([`ClusterView`]).
//! - [`engine`]: the messages between the page and the engine worker that
//!   hosts the simulated cluster (postcard bytes, moved as transferred
//!   ArrayBuffers).
//! - [`charts`]: per-second samples for the page's charts.
//! - [`guide`]: a guided demo's header, current step and its `expect`s.
//! - [`compare`]: a demo's run against a fork with other settings (pure
//!   diffs of two views, two lists of expects, two traces).
//! - [`inspect`]: what the page inspects closely (a replica's segments).
//! - [`links`]: messages between nodes by link and Kafka API.
//! - [`broker`]: the messages between the page and a broker worker
//!   (hand-written binary) and each broker's IndexedDB database name.
//! - [`strip`]: a replica strip's leader-epoch runs and producer tags.
//! - [`share`]: the shareable URL fragment `#scenario=<base64url>&seed=N`.
//!
//! Pure Rust, builds and tests natively.

pub mod broker;
pub mod charts;
pub mod compare;
pub mod engine;
pub mod guide;
pub mod inspect;
pub mod links;
pub mod model;
pub mod share;
pub mod strip;

pub use model::*;

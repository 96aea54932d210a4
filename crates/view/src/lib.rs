//! kafkascope-view: what the page needs and nothing of the engine.
//!
//! - [`model`]: the snapshot of a cluster the page renders ([`ClusterView`]).
//! - [`engine`]: the messages between the page and the engine worker that
//!   hosts the simulated cluster (postcard bytes, moved as transferred
//!   ArrayBuffers).
//! - [`share`]: the shareable URL fragment `#scenario=<base64url>&seed=N`.
//!
//! Pure Rust, builds and tests natively.

pub mod engine;
pub mod model;
pub mod share;

pub use model::*;

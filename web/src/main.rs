//! The Kafkascope page: starts one dedicated web worker per broker and shows
//! each broker's state as it reports in.
//!
//! Page <-> worker messages use `kafkascope_worker::codec` (compact binary,
//! transferred ArrayBuffers). The worker script is
//! `broker-worker_loader.js`, built by Trunk from `crates/worker`.

#[cfg(target_arch = "wasm32")]
mod app;

fn main() {
    #[cfg(target_arch = "wasm32")]
    app::start();
}

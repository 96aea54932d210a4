//! Kafkascope's browser runtime for one broker.
//!
//! - [`codec`]: the binary messages between the page and a broker worker
//!   (pure; the page uses it too).
//! - [`segment`]: what a booting broker writes and how it checks it (pure).
//! - `store` (wasm32 only): a chunked file store on IndexedDB, one database
//!   per broker.
//! - `runtime` (wasm32 only): the worker's message loop; the `broker-worker`
//!   binary only calls [`runtime::run`].

pub mod codec;
pub mod segment;

/// The IndexedDB database name of broker `broker_id`.
pub fn database_name(broker_id: i32) -> String {
    format!("kafkascope-broker-{broker_id}")
}

#[cfg(target_arch = "wasm32")]
pub mod runtime;
#[cfg(target_arch = "wasm32")]
pub mod store;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

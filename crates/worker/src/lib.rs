//! Kafkascope's browser runtime for one broker.
//!
//! - [`codec`]: the binary messages between the page and a broker worker
//!   (`kafkascope_view::broker`, re-exported: the page links that alone).
//! - [`segment`]: what a booting broker writes and how it checks it (pure).
//! - [`chunks`]: how files are cut into 64 KiB IndexedDB values and put
//!   back together, with damaged chunks detected (pure).
//! - `store` (wasm32 only): a chunked file store on IndexedDB, one database
//!   per broker, and the database schema.
//! - `log_store` (wasm32 only): `IdbLogStorage`, the broker's log directory
//!   in IndexedDB: an in-memory image (`Shared<MemoryStorage>`) the broker
//!   runs on, persisted in order with relaxed durability (page cache) and
//!   strict durability (fsync), loaded back after a crash or a power loss.
//!   The broker worker's use:
//!   ```text
//!   let (idb, load_report) = IdbLogStorage::open(broker_id).await?; // or open_after_power_loss
//!   let broker = Broker::new(config, idb.storage());
//!   // after each batch of broker inputs (awaiting is optional; order is kept):
//!   idb.persist().await?;   // Err(IdbLogError): show `e.to_string()` on the page
//!   ```
//! - `bench` (wasm32 only): the in-browser bench page's measurements (log
//!   append in wasm, raw IndexedDB puts vs persisted log appends);
//!   [`bench_page`]: the `bench-worker` binary's parameters and results.
//! - `channel` (wasm32 only): the reply channel from a broker worker to
//!   the router (a `SharedArrayBuffer` the router blocks on).
//! - `hosted` (wasm32 only): a broker process in this worker, driven by
//!   the router (the engine worker) one input at a time, its log directory
//!   persisted to IndexedDB behind it.
//! - `runtime` (wasm32 only): the worker's message loop; the `broker-worker`
//!   binary only calls [`runtime::run`].

pub mod bench_page;
pub mod chunks;
pub mod segment;

pub use kafkascope_view::broker as codec;
pub use kafkascope_view::broker::database_name;

#[cfg(target_arch = "wasm32")]
pub mod bench;
#[cfg(target_arch = "wasm32")]
pub mod channel;
#[cfg(target_arch = "wasm32")]
pub mod hosted;
#[cfg(target_arch = "wasm32")]
pub mod log_store;
#[cfg(target_arch = "wasm32")]
pub mod runtime;
#[cfg(target_arch = "wasm32")]
pub mod store;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

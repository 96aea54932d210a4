//! Determinism across platforms: built for wasm32-unknown-unknown, this
//! exports the self-check run's trace length and hash; `wasm_selfcheck.mjs`
//! loads it in Node.js and compares with `selfcheck::GOLDEN`.
//!
//! ```sh
//! cargo build -p kafkascope-sim --example wasm_selfcheck --release --target wasm32-unknown-unknown
//! node crates/sim/examples/wasm_selfcheck.mjs $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/examples/wasm_selfcheck.wasm
//! ```
//!
//! Natively the same comparison is the `golden_trace_hash` unit test.

use kafkascope_sim::selfcheck;

#[no_mangle]
pub extern "C" fn selfcheck_len() -> u64 {
    selfcheck::golden().0
}

#[no_mangle]
pub extern "C" fn selfcheck_hash() -> u64 {
    selfcheck::golden().1
}

#[no_mangle]
pub extern "C" fn expected_len() -> u64 {
    selfcheck::GOLDEN.0
}

#[no_mangle]
pub extern "C" fn expected_hash() -> u64 {
    selfcheck::GOLDEN.1
}

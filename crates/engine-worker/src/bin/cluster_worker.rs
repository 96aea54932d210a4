//! Entry point of the engine's dedicated web worker (built by Trunk with
//! `data-type="worker"`; the page starts one).

fn main() {
    #[cfg(target_arch = "wasm32")]
    kafkascope_engine_worker::runtime::run();
}

//! Entry point of one broker's dedicated web worker (built by Trunk with
//! `data-type="worker"`; the page starts one per broker).

fn main() {
    #[cfg(target_arch = "wasm32")]
    kafkascope_worker::runtime::run();
}

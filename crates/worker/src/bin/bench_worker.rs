//! Entry point of the bench page's dedicated worker (built by Trunk from
//! web/bench/index.html with `data-type="worker"`; `cargo xtask bench`
//! drives the page). See `kafkascope_worker::bench_page`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    kafkascope_worker::bench_page::run();
}

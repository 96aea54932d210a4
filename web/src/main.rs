//! The Kafkascope page (Yew): the simulated cluster, driven through the
//! engine worker (`crates/engine-worker`, started from `engine`), shown in
//! panels (`ui`), in English or 简体中文 (`i18n`); and the storage panel
//! with one IndexedDB broker worker per broker (`storage`).
//!
//! The page depends on `kafkascope-view` (plain data and messages) and
//! never on the engine, which keeps its wasm small.

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod client_forms;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod commands;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod history;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod i18n;
mod i18n_clients;
#[cfg(test)]
mod i18n_coverage;
mod i18n_inspector;
mod i18n_partitions;
mod i18n_views;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod pace;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod plot;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod timeline;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod tree;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod compare;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(target_arch = "wasm32")]
mod guide;
#[cfg(target_arch = "wasm32")]
mod resume;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod ui;

fn main() {
    #[cfg(target_arch = "wasm32")]
    app::start();
}

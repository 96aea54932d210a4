// Starts the page's wasm. Trunk would inline this; the page's CSP allows no
// inline script, so Trunk.toml's pattern_script points here instead.
const tag = document.querySelector('script[data-kafkascope-js]');
const { default: init } = await import(tag.dataset.kafkascopeJs);
await init({ module_or_path: tag.dataset.kafkascopeWasm });

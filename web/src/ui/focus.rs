//! Keyboard focus that moves with the page: a panel that opens takes it and
//! gives it back, on close, to the control that opened it. That control may
//! have been re-rendered meanwhile (strips change with every update), so it
//! is found again by a selector of its `id` or `data-*` attributes.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The element with keyboard focus (not the page itself).
pub fn active() -> Option<Element> {
    let doc = web_sys::window()?.document()?;
    let el = doc.active_element()?;
    (Some(&el) != doc.body().map(Element::from).as_ref()).then_some(el)
}

/// A CSS selector that finds `el` again: its own `id`, or its tag and
/// `data-*` attributes under those of its ancestors (up to one with an
/// `id`), e.g. `[data-partition="t-0"] [data-broker="1"] button[data-offset="0"]`.
pub fn selector_of(el: &Element) -> String {
    let mut parts = Vec::new();
    let mut at = Some(el.clone());
    while let Some(e) = at {
        let id = e.id();
        if !id.is_empty() {
            parts.push(format!("[id=\"{}\"]", quoted(&id)));
            break;
        }
        let mut part = String::new();
        if parts.is_empty() {
            part.push_str(&e.tag_name().to_lowercase());
        }
        for name in e.get_attribute_names().iter().filter_map(|n| n.as_string()) {
            if name.starts_with("data-") {
                let v = e.get_attribute(&name).unwrap_or_default();
                part.push_str(&format!("[{name}=\"{}\"]", quoted(&v)));
            }
        }
        if part.contains('[') || parts.is_empty() {
            parts.push(part);
        }
        at = e.parent_element();
    }
    parts.reverse();
    parts.join(" ")
}

/// `v` inside a double-quoted CSS string.
fn quoted(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Focuses `el` if it is still on the page, else the element `selector`
/// finds now.
pub fn restore(el: &Element, selector: &str) {
    let again = || {
        web_sys::window()?
            .document()?
            .query_selector(selector)
            .ok()
            .flatten()
    };
    let target = if el.is_connected() && el.matches(selector).unwrap_or(false) {
        Some(el.clone())
    } else {
        again()
    };
    if let Some(h) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
        let _ = h.focus();
    }
}

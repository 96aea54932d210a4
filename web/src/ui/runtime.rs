//! Where the brokers run, and the run's trace.
//!
//! By default every process runs in the engine's worker. Switched to "one
//! web worker each", every broker runs in its own dedicated worker over its
//! own IndexedDB database (the engine stays the network and the clock), and
//! the session runs again from its seed: the same events, the same trace.
//! The trace (JSON lines, as `kafkascope run --json` prints) is shown on
//! request, to compare runs or keep one.

use std::rc::Rc;

use kafkascope_view::engine::Request;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::ui::{Send, Snap};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub snap: Option<Snap>,
    pub send: Send,
    /// The last trace the engine sent, if one was asked for.
    pub trace: Option<Rc<String>>,
}

#[function_component(RuntimePanel)]
pub fn runtime_panel(p: &Props) -> Html {
    let lang = p.lang;
    let workers = p.snap.as_ref().is_some_and(|s| s.0.brokers_in_workers);
    let on_mode = {
        let send = p.send.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            send.emit(Request::Brokers {
                workers: v == "workers",
            });
        })
    };
    let on_trace = {
        let send = p.send.clone();
        Callback::from(move |_: MouseEvent| send.emit(Request::Trace))
    };
    let lines = p.trace.as_ref().map(|t| t.lines().count());
    html! {
        <section class="panel runtime" aria-labelledby="runtime-title">
            <h2 id="runtime-title">{ lang.t("Where the brokers run") }</h2>
            <label>
                { lang.t("Brokers") }{ " " }
                <select id="broker-mode" onchange={on_mode}>
                    <option value="engine" selected={!workers}>
                        { lang.t("all in the engine's worker (memory)") }
                    </option>
                    <option value="workers" selected={workers}>
                        { lang.t("one web worker each, logs in IndexedDB") }
                    </option>
                </select>
            </label>
            <p class="hint" id="broker-mode-now">
                { if workers {
                    lang.t("Each broker runs in its own web worker over its own IndexedDB database; the engine is the network and the clock, one event at a time, so the run is the same as in one worker.")
                } else {
                    lang.t("Every broker runs in the engine's worker, its log in memory.")
                } }
            </p>
            <button id="show-trace" onclick={on_trace}>{ lang.t("Show the trace") }</button>
            if let (Some(t), Some(n)) = (&p.trace, lines) {
                <details open=true>
                    <summary id="trace-lines">{ lang.f("Trace: {} events (JSON lines, as kafkascope run --json prints)", &[&n]) }</summary>
                    <pre id="trace" class="trace">{ t.as_str() }</pre>
                </details>
            }
        </section>
    }
}

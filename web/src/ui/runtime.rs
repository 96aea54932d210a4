//! Where the brokers run, live measurements, and the run's trace.
//!
//! By default every process runs in the engine's worker. Switched to "one
//! web worker each", every broker runs in its own dedicated worker over its
//! own IndexedDB database, in one of two modes:
//! - **step**: the engine is the network and the clock, one event at a
//!   time, so the session runs again from its seed with the same events
//!   and the same trace;
//! - **live**: brokers work at the same time, virtual time follows the
//!   real clock; a run cannot be rewound, and the panel can measure the
//!   benchmark cluster's throughput and produce->consume latency.
//!
//! The trace (JSON lines, as `kafkascope run --json` prints) is shown on
//! request, to compare runs or keep one.

use std::rc::Rc;

use gloo_timers::callback::Interval;
use kafkascope_view::engine::{MeasureReport, MeasureSpec, Request};
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

/// Is this page cross-origin isolated (shared memory, which broker
/// workers need)?
fn isolated() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"crossOriginIsolated".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

#[function_component(RuntimePanel)]
pub fn runtime_panel(p: &Props) -> Html {
    let lang = p.lang;
    let (workers, live) = p.snap.as_ref().map_or((false, false), |s| {
        (s.0.brokers_in_workers, s.0.brokers_live)
    });
    let mode = match (workers, live) {
        (true, true) => "live",
        (true, false) => "workers",
        _ => "engine",
    };
    let on_mode = {
        let send = p.send.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            send.emit(match v.as_str() {
                "live" => Request::LiveBrokers,
                v => Request::Brokers {
                    workers: v == "workers",
                },
            });
        })
    };
    let on_trace = {
        let send = p.send.clone();
        Callback::from(move |_: MouseEvent| send.emit(Request::Trace))
    };
    let lines = p.trace.as_ref().map(|t| t.lines().count());
    let measure = p.snap.as_ref().and_then(|s| s.0.measure.clone());
    html! {
        <section class="panel runtime" aria-labelledby="runtime-title">
            <h2 id="runtime-title">{ lang.t("Where the brokers run") }</h2>
            <label>
                { lang.t("Brokers") }{ " " }
                <select id="broker-mode" onchange={on_mode}>
                    <option value="engine" selected={mode == "engine"}>
                        { lang.t("all in the engine's worker (memory)") }
                    </option>
                    <option value="workers" selected={mode == "workers"}>
                        { lang.t("one web worker each, logs in IndexedDB") }
                    </option>
                    <option value="live" selected={mode == "live"}>
                        { lang.t("one web worker each, live (real time, in parallel)") }
                    </option>
                </select>
            </label>
            <p class="hint" id="broker-mode-now">
                { match mode {
                    "live" => lang.t("Live: each broker runs in its own web worker and they work at the same time; virtual time follows the real clock and messages take what postMessage takes (no simulated latency unless kafkascope.network.delay.ms is set). Console commands that wait (tick, run until, flush) still run in virtual time. A live run cannot be rewound or replayed the same."),
                    "workers" => lang.t("Each broker runs in its own web worker over its own IndexedDB database; the engine is the network and the clock, one event at a time, so the run is the same as in one worker."),
                    _ => lang.t("Every broker runs in the engine's worker, its log in memory."),
                } }
            </p>
            if !isolated() {
                <p class="hint problem" id="not-isolated">
                    { lang.t("This page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, as cargo xtask serve sends), so brokers cannot run in web workers here: they stay in the engine's worker.") }
                </p>
            }
            if live {
                <MeasurePanel lang={lang} send={p.send.clone()} report={measure} />
            }
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

#[derive(Properties, PartialEq)]
struct MeasureProps {
    lang: Lang,
    send: Send,
    report: Option<MeasureReport>,
}

fn ms(us: Option<u64>) -> String {
    us.map_or("-".into(), |us| format!("{:.2}", us as f64 / 1000.0))
}

/// The live measurement: a button, its settings and its figures. While it
/// runs the panel asks for a fresh picture every second.
#[function_component(MeasurePanel)]
fn measure_panel(p: &MeasureProps) -> Html {
    let lang = p.lang;
    let records = use_state(|| MeasureSpec::default().records);
    let running = p.report.as_ref().is_some_and(|r| !r.done);
    {
        let send = p.send.clone();
        use_effect_with(running, move |&running| {
            let poll =
                running.then(|| Interval::new(1000, move || send.emit(Request::Tick { ms: 0 })));
            move || drop(poll)
        });
    }
    let on_records = {
        let records = records.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(n) = v.trim().parse::<u32>() {
                records.set(n.clamp(1, 10_000_000));
            }
        })
    };
    let on_measure = {
        let (send, records) = (p.send.clone(), records.clone());
        Callback::from(move |_: MouseEvent| {
            send.emit(Request::Measure(MeasureSpec {
                records: *records,
                ..MeasureSpec::default()
            }))
        })
    };
    html! {
        <div class="measure">
            <label>
                { lang.t("Records for the throughput run") }{ " " }
                <input id="measure-records" type="number" min="1" value={records.to_string()} onchange={on_records} />
            </label>
            <button id="measure" onclick={on_measure} disabled={running}>
                { lang.t("Measure throughput and latency") }
            </button>
            <p class="hint">{ lang.t("Replaces the session by the benchmark cluster (3 brokers, 3 partitions with RF=3, acks=all producers, a consumer), then measures produce->consume latency one record at a time and acknowledged records per second, with the engine worker's performance.now().") }</p>
            if let Some(r) = &p.report {
                <dl id="live-measure"
                    data-done={r.done.to_string()}
                    data-samples={r.samples.to_string()}
                    data-p50-us={r.p50_us.map(|v| v.to_string()).unwrap_or_default()}
                    data-p99-us={r.p99_us.map(|v| v.to_string()).unwrap_or_default()}
                    data-acked={r.acked.to_string()}
                    data-records-per-s={r.records_per_s.map(|v| v.to_string()).unwrap_or_default()}
                    data-elapsed-us={r.elapsed_us.map(|v| v.to_string()).unwrap_or_default()}
                    data-engine-busy-us={r.engine_busy_us.to_string()}
                    data-events={r.events.to_string()}
                    data-problem={r.problem.clone().unwrap_or_default()}>
                    <dt>{ lang.t("Latency p50 / p99 (ms)") }</dt>
                    <dd>{ format!("{} / {} ({} {})", ms(r.p50_us), ms(r.p99_us), r.samples, lang.t("records")) }</dd>
                    <dt>{ lang.t("Acknowledged records/s") }</dt>
                    <dd>{ match r.records_per_s {
                        Some(n) => format!("{n} ({} {}, {} ms)", r.acked, lang.t("records"), ms(r.elapsed_us)),
                        None => format!("{} {}", r.acked, lang.t("records acknowledged so far")),
                    } }</dd>
                    <dt>{ lang.t("Setup") }</dt>
                    <dd>{ &r.setup }</dd>
                    if let Some(why) = &r.problem {
                        <dt>{ lang.t("Stopped") }</dt>
                        <dd class="problem">{ why }</dd>
                    }
                </dl>
            }
        </div>
    }
}

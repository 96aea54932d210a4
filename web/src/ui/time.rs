//! Time controls: step one event, step ten, tick N ms, play/pause with a
//! speed; where the run is; a timeline to scrub back (replayed from the
//! seed) and forward; and, after a rewind, the way back to live.

use kafkascope_view::engine::Request;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{reached::ReachedSpeed, Send, Snap};
use crate::i18n::Lang;
use crate::timeline::{landing_text, scrub_target};

#[derive(Properties, PartialEq)]
pub struct TimeProps {
    pub lang: Lang,
    pub snap: Option<Snap>,
    pub send: Send,
    pub playing: bool,
    pub speed: f64,
    pub on_play: Callback<bool>,
    pub on_speed: Callback<f64>,
}

/// Virtual ms per real ms while playing.
const SPEEDS: [(f64, &str); 4] = [(0.1, "0.1×"), (1.0, "1×"), (10.0, "10×"), (100.0, "100×")];

#[function_component(TimePanel)]
pub fn time_panel(p: &TimeProps) -> Html {
    let lang = p.lang;
    let tick_ms = use_state(|| 100u64);
    let ready = p.snap.is_some();
    let step = |n: u64| {
        let send = p.send.clone();
        Callback::from(move |_| send.emit(Request::Step { n }))
    };
    // Time runs only at the live end: while the past is shown, Tick and
    // Play go back to live first (the engine keeps the past otherwise).
    let in_past = p.snap.as_ref().is_some_and(|s| s.0.rewound.is_some());
    let tick = {
        let send = p.send.clone();
        let ms = *tick_ms;
        Callback::from(move |_| {
            if in_past {
                send.emit(Request::Live);
            }
            send.emit(Request::Tick { ms })
        })
    };
    let on_tick_ms = {
        let tick_ms = tick_ms.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(ms) = v.trim().parse::<u64>() {
                tick_ms.set(ms.max(1));
            }
        })
    };
    let play = {
        let (on, send) = (p.on_play.clone(), p.send.clone());
        let playing = p.playing;
        Callback::from(move |_| {
            if !playing && in_past {
                send.emit(Request::Live);
            }
            on.emit(!playing)
        })
    };
    let on_speed = {
        let on = p.on_speed.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(s) = v.parse::<f64>() {
                on.emit(s);
            }
        })
    };
    let (now, position, rewound, live, landing) =
        p.snap.as_ref().map_or((0, 0, None, 0, None), |s| {
            (
                s.0.view.now_ms,
                s.0.view.position,
                s.0.rewound,
                s.0.live_position,
                s.0.landing,
            )
        });
    let shown = rewound.unwrap_or(live);
    let back = {
        let send = p.send.clone();
        Callback::from(move |_| send.emit(Request::Live))
    };
    // Sent on `change` (release, or each arrow key), not on every `input`
    // while dragging: each position is a replay from the seed (which stops
    // at the end of the step that reaches it: see `scrub_target`).
    let scrub = {
        let send = p.send.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(n) = v.trim().parse::<u64>() {
                send.emit(if n >= live {
                    Request::Live
                } else {
                    Request::Replay {
                        to: scrub_target(n, shown, landing),
                    }
                });
            }
        })
    };
    html! {
        <section class="panel time" aria-labelledby="time-title">
            <h2 id="time-title">{ lang.t("Time") }</h2>
            <div class="row">
                <button id="step" onclick={step(1)} disabled={!ready}>{ lang.t("Step") }</button>
                <button id="step10" onclick={step(10)} disabled={!ready}>{ lang.t("Step 10") }</button>
                <label>{ lang.t("Tick (ms)") }{ " " }
                    <input id="tick-ms" type="number" min="1" value={tick_ms.to_string()} onchange={on_tick_ms} />
                </label>
                <button id="tick" onclick={tick} disabled={!ready}>{ lang.t("Tick") }</button>
                <button id="play" onclick={play} disabled={!ready} aria-pressed={p.playing.to_string()}>
                    { if p.playing { format!("⏸ {}", lang.t("Pause")) } else { format!("▶ {}", lang.t("Play")) } }
                </button>
                <label>{ lang.t("Speed") }{ " " }
                    <select id="speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|(v, name)| html! {
                            <option value={v.to_string()} selected={(*v - p.speed).abs() < 1e-9}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <ReachedSpeed {lang} playing={p.playing} speed={p.speed} now_ms={now} />
            </div>
            // Announced when paused (a step, a rewind), not ten times a
            // second while playing.
            <p class="clock" aria-live={(!p.playing).then_some("polite")}>
                { lang.t("Virtual time") }{ ": " }<strong id="now-ms">{ lang.f("{} ms", &[&now]) }</strong>
                { " · " }{ lang.t("Event") }{ ": " }<strong id="position">{ position }</strong>
            </p>
            <div class="row timeline">
                <label for="scrubber">{ lang.t("Timeline") }</label>
                <input id="scrubber" type="range" min="0" max={live.to_string()} step="1"
                    value={shown.to_string()} disabled={!ready}
                    aria-valuetext={lang.f("event {} of {}", &[&shown, &live])}
                    onchange={scrub} />
                <span id="scrubber-at">{ lang.f("event {} of {}", &[&shown, &live]) }</span>
            </div>
            <p class="hint">{ lang.t("Drag or use the arrow keys to see the cluster after an earlier event (replayed from the seed); the right end is live.") }</p>
            if let Some(at) = rewound {
                <p class="rewound" role="status" id="rewound">
                    { lang.f("Viewing the past: event {} of {}.", &[&at, &live]) }{ " " }
                    if let Some(l) = landing.filter(|l| !l.exact()) {
                        <span id="landed" data-asked={l.asked.to_string()}
                            data-first={l.first.to_string()} data-last={l.last.to_string()}>
                            { landing_text(lang, &l) }</span>{ " " }
                    }
                    <button id="live" onclick={back}>{ lang.t("Back to live") }</button>
                    { " " }{ lang.t("Tick and Play go on from the live end.") }
                </p>
            }
        </section>
    }
}

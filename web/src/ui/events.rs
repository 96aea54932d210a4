//! The event log: the newest trace events; each is a button that replays
//! the run from the seed to right after that event.

use kafkascope_view::engine::Request;
use yew::prelude::*;

use super::{Send, Snap};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct EventsProps {
    pub lang: Lang,
    pub snap: Snap,
    pub send: Send,
}

#[function_component(EventsPanel)]
pub fn events_panel(p: &EventsProps) -> Html {
    let lang = p.lang;
    let u = &p.snap.0;
    let at = u.view.position;
    html! {
        <section class="panel events" aria-labelledby="events-title">
            <h2 id="events-title">{ lang.t("Event log") }</h2>
            <p class="hint">{ lang.t("Click an event to see the cluster as it was right after it (replayed from the seed).") }</p>
            <ol class="event-log" id="event-log">
                { for u.view.events.iter().rev().map(|e| {
                    let send = p.send.clone();
                    let n = e.n;
                    let current = n == at;
                    // Keyed by event number: a new update moves the lines
                    // it keeps instead of rewriting every line's text.
                    html! {
                        <li key={n}>
                            <button class={classes!("event", current.then_some("current"))}
                                data-n={n.to_string()}
                                aria-current={current.then_some("step")}
                                onclick={Callback::from(move |_| send.emit(Request::Replay { to: n }))}>
                                <span class="n">{ format!("#{n}") }</span>
                                <span class="t">{ format!("{} ms", e.t) }</span>
                                <span class="text">{ &e.text }</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

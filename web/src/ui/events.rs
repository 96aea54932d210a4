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
    /// The page is playing: updates come several times a second.
    #[prop_or_default]
    pub playing: bool,
}

/// Events listed while playing (the newest): hundreds of events pass
/// between two updates under load, faster than anyone reads them, and
/// listing every kept one on each update costs frames. Paused, the log
/// lists all it keeps.
const WHILE_PLAYING: usize = 40;

#[function_component(EventsPanel)]
pub fn events_panel(p: &EventsProps) -> Html {
    let lang = p.lang;
    let u = &p.snap.0;
    let at = u.view.position;
    let kept = u.view.events.len();
    let shown = if p.playing {
        kept.min(WHILE_PLAYING)
    } else {
        kept
    };
    html! {
        <section class="panel events" aria-labelledby="events-title">
            <h2 id="events-title">{ lang.t("Event log") }</h2>
            <p class="hint">{ lang.t("Click an event to see the cluster as it was right after it (replayed from the seed).") }</p>
            if shown < kept {
                <p class="hint" id="event-log-sampled">{ lang.f("Playing: the newest {} events are listed; pause to list the last {}.", &[&shown, &kept]) }</p>
            }
            <ol class="event-log" id="event-log">
                { for u.view.events.iter().rev().take(shown).map(|e| {
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

//! The console: type scenario-language lines (Enter runs them; Shift+Enter
//! for a new line; ↑/↓ recall history), see what they printed and why a line
//! was refused.

use kafkascope_view::engine::Request;
use web_sys::{HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use super::Send;
use crate::app::Entry;
use crate::history::History;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub lang: Lang,
    pub entries: Vec<Entry>,
    pub send: Send,
    pub log: Callback<Entry>,
    /// The session has no cluster yet: offer to start one.
    pub no_cluster: bool,
}

#[function_component(ConsolePanel)]
pub fn console_panel(p: &ConsoleProps) -> Html {
    let lang = p.lang;
    let history = use_mut_ref(History::default);
    let input = use_node_ref();
    let run = {
        let (send, log, history, input) = (
            p.send.clone(),
            p.log.clone(),
            history.clone(),
            input.clone(),
        );
        move || {
            let Some(el) = input.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = el.value();
            if text.trim().is_empty() {
                return;
            }
            history.borrow_mut().push(&text);
            for line in text.lines() {
                log.emit(Entry::Input(line.to_string()));
            }
            let mut text = text;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            send.emit(Request::Submit { text });
            el.set_value("");
        }
    };
    let onkeydown = {
        let (run, history, input) = (run.clone(), history.clone(), input.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = input.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let single = !el.value().contains('\n');
            match e.key().as_str() {
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    run();
                }
                "ArrowUp" if single => {
                    if let Some(l) = history.borrow_mut().up() {
                        e.prevent_default();
                        el.set_value(l);
                    }
                }
                "ArrowDown" if single => {
                    e.prevent_default();
                    el.set_value(history.borrow_mut().down());
                }
                _ => {}
            }
        })
    };
    let onclick = {
        let run = run.clone();
        Callback::from(move |_| run())
    };
    let start = {
        let (send, log) = (p.send.clone(), p.log.clone());
        Callback::from(move |_| {
            log.emit(Entry::Input("cluster brokers=3".into()));
            send.emit(Request::Submit {
                text: "cluster brokers=3\n".into(),
            });
        })
    };
    html! {
        <section class="panel console" aria-labelledby="console-title">
            <h2 id="console-title">{ lang.t("Console") }</h2>
            if p.no_cluster {
                <div class="empty" id="no-cluster">
                    <p>{ lang.t("No cluster yet. Start one, or type for example:") }</p>
                    <pre>{ "cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p acks=all\nsend p t value=v{i} count=5" }</pre>
                    <button id="start-cluster" onclick={start}>{ lang.t("Start a 3-broker cluster") }</button>
                </div>
            }
            <ol class="output" id="console-output" aria-live="polite" aria-label={lang.t("Console")}>
                { for p.entries.iter().map(|e| entry(lang, e)) }
            </ol>
            <div class="row">
                <label for="console-input" class="sr">{ lang.t("Scenario command") }</label>
                <textarea id="console-input" ref={input} rows="2" spellcheck="false"
                    autocomplete="off" placeholder="topic create t partitions=1 replication-factor=3"
                    aria-describedby="console-help" {onkeydown} />
                <button id="console-run" {onclick}>{ lang.t("Run") }</button>
            </div>
            <p class="hint" id="console-help">{ lang.t("Type a scenario-language line and press Enter; ↑ and ↓ recall earlier lines.") }</p>
        </section>
    }
}

fn entry(lang: Lang, e: &Entry) -> Html {
    match e {
        Entry::Input(t) => {
            html! { <li class="in"><span class="prompt" aria-hidden="true">{ "› " }</span>{ t }</li> }
        }
        Entry::Output(t) => {
            let class = if t.starts_with("FAIL") || t.starts_with("ERROR") {
                "out bad"
            } else if t.starts_with("PASS") {
                "out good"
            } else {
                "out"
            };
            html! { <li class={class}>{ t }</li> }
        }
        Entry::Refused(file, err) => html! {
            <li class="refused error" role="alert">
                { lang.t("error") }{ ": " }
                { match file {
                    Some(f) => lang.f("{} line {}: {}", &[f, &err.line, &err.message]),
                    None => lang.f("line {}: {}", &[&err.line, &err.message]),
                } }
            </li>
        },
        Entry::Problem(t) => html! {
            <li class="problem error" role="alert">{ lang.t("error") }{ ": " }{ t }</li>
        },
        Entry::Note(t) => html! { <li class="note">{ t }</li> },
    }
}

//! Producers (each record's fate) and consumer groups (state, generation,
//! members' assignments, committed offsets and lag). Bounded: the newest
//! fates only.

use kafkascope_view::{Fate, GroupView, ProducerView};
use yew::prelude::*;

use super::Snap;
use crate::commands;
use crate::i18n::Lang;
use web_sys::{HtmlInputElement, HtmlSelectElement};

/// Record fates listed per producer (the newest).
const FATES: usize = 12;

#[derive(Properties, PartialEq)]
pub struct ClientsProps {
    pub lang: Lang,
    pub snap: Snap,
    pub run: Callback<String>,
}

#[function_component(ClientsPanel)]
pub fn clients_panel(p: &ClientsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    let mut topics: Vec<String> = v.partitions.iter().map(|p| p.topic.clone()).collect();
    topics.dedup();
    if v.producers.is_empty() && v.groups.is_empty() && topics.is_empty() {
        return html! {};
    }
    let producers: Vec<String> = v
        .producers
        .iter()
        .filter(|p| p.up)
        .map(|p| p.name.clone())
        .collect();
    html! {
        <div class="grid">
            if !topics.is_empty() {
                <SendPanel lang={lang} producers={producers} topics={topics} run={p.run.clone()} />
            }
            if !v.producers.is_empty() {
                <section class="panel producers" aria-labelledby="producers-title">
                    <h2 id="producers-title">{ lang.t("Producers") }</h2>
                    { for v.producers.iter().map(|pr| producer(lang, pr)) }
                </section>
            }
            if !v.groups.is_empty() {
                <section class="panel groups" aria-labelledby="groups-title">
                    <h2 id="groups-title">{ lang.t("Consumer groups") }</h2>
                    { for v.groups.iter().map(|g| group(lang, g)) }
                </section>
            }
        </div>
    }
}

fn producer(lang: Lang, p: &ProducerView) -> Html {
    html! {
        <div class="producer" data-producer={p.name.clone()}>
            <h3>
                <code>{ &p.name }</code>
                { format!(" · acks={} · {} {} · {} {}", p.acks, lang.t("sends"), p.sends, lang.t("incomplete"), p.incomplete) }
                if !p.up { <span class="badge down">{ lang.t("stopped") }</span> }
            </h3>
            <ul class="fates">
                { for p.fates.iter().rev().take(FATES).map(|f| {
                    let (class, text) = match &f.fate {
                        Fate::Acked { partition, offset } => ("acked", format!("{partition} · {}", lang.f("acked at offset {}", &[offset]))),
                        Fate::Lost { partition, offset } => ("lost", format!("{partition} · {}", lang.f("lost (was at offset {})", &[offset]))),
                        Fate::Failed(e) => ("failed", lang.f("failed: {}", &[e])),
                    };
                    html! {
                        <li class={class}>
                            <code>{ f.value.clone().unwrap_or_else(|| f.send_id.clone()) }</code>{ " → " }{ text }
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

fn group(lang: Lang, g: &GroupView) -> Html {
    html! {
        <div class="group" data-group={g.group.clone()}>
            <h3>
                <code>{ &g.group }</code>{ format!(" · {}", g.state) }
                if let Some(gen) = g.generation { { format!(" · {}", lang.f("generation {}", &[&gen])) } }
            </h3>
            <table>
                <thead><tr><th>{ lang.t("Member") }</th><th>{ lang.t("Assignment") }</th></tr></thead>
                <tbody>
                    { for g.members.iter().map(|m| html! {
                        <tr><td><code>{ &m.client_id }</code></td><td>{ m.assignment.join(", ") }</td></tr>
                    }) }
                </tbody>
            </table>
            <table>
                <thead><tr><th>{ lang.t("Partitions") }</th><th class="num">{ lang.t("Committed") }</th><th class="num">{ lang.t("Lag") }</th></tr></thead>
                <tbody>
                    { for g.offsets.iter().map(|o| html! {
                        <tr>
                            <td>{ &o.partition }</td>
                            <td class="num">{ o.committed }</td>
                            <td class="num">{ o.lag.map_or("—".to_string(), |l| l.to_string()) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SendProps {
    pub lang: Lang,
    /// Running producers.
    pub producers: Vec<String>,
    pub topics: Vec<String>,
    pub run: Callback<String>,
}

/// Send records through a producer: writes a `send` line (and `flush`).
#[function_component(SendPanel)]
pub fn send_panel(p: &SendProps) -> Html {
    let lang = p.lang;
    let producer = use_state(String::new);
    let topic = use_state(String::new);
    let value = use_state(|| "v{i}".to_string());
    let key = use_state(String::new);
    let count = use_state(|| 1u32);
    // A choice that no longer exists falls back to the first one.
    let pick = |chosen: &str, all: &[String]| {
        if all.iter().any(|x| x == chosen) {
            chosen.to_string()
        } else {
            all.first().cloned().unwrap_or_default()
        }
    };
    let (pr, tp) = (pick(&producer, &p.producers), pick(&topic, &p.topics));
    let text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let select = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_count = {
        let count = count.clone();
        Callback::from(move |e: Event| {
            if let Ok(n) = e
                .target_unchecked_into::<HtmlInputElement>()
                .value()
                .trim()
                .parse::<u32>()
            {
                count.set(n.clamp(1, 100_000));
            }
        })
    };
    let send = {
        let run = p.run.clone();
        let line = commands::send(&pr, &tp, &value, &key, *count);
        Callback::from(move |_| run.emit(line.clone()))
    };
    let flush = {
        let run = p.run.clone();
        let line = format!("flush {pr}");
        Callback::from(move |_| run.emit(line.clone()))
    };
    let create = {
        let run = p.run.clone();
        Callback::from(move |_| run.emit("producer p acks=all".into()))
    };
    html! {
        <section class="panel send" aria-labelledby="send-title">
            <h2 id="send-title">{ lang.t("Send records") }</h2>
            if p.producers.is_empty() {
                <button id="create-producer" onclick={create}>{ lang.t("Create producer p (acks=all)") }</button>
            } else {
                <div class="row">
                    <label>{ lang.t("Producer") }{ " " }
                        <select id="send-producer" onchange={select(&producer)}>
                            { for p.producers.iter().map(|n| html! { <option value={n.clone()} selected={*n == pr}>{ n }</option> }) }
                        </select>
                    </label>
                    <label>{ lang.t("Topic") }{ " " }
                        <select id="send-topic" onchange={select(&topic)}>
                            { for p.topics.iter().map(|n| html! { <option value={n.clone()} selected={*n == tp}>{ n }</option> }) }
                        </select>
                    </label>
                </div>
                <div class="row">
                    <label>{ "value " }<input id="send-value" type="text" value={(*value).clone()} onchange={text(&value)} aria-describedby="send-help" /></label>
                    <label>{ lang.t("Key (optional)") }{ " " }<input id="send-key" type="text" value={(*key).clone()} onchange={text(&key)} /></label>
                    <label>{ lang.t("Count") }{ " " }<input id="send-count" type="number" min="1" value={count.to_string()} onchange={on_count} /></label>
                </div>
                <div class="row">
                    <button id="send-records" onclick={send}>{ lang.t("Send") }</button>
                    <button id="flush" onclick={flush}>{ lang.t("Flush") }</button>
                </div>
                <p class="hint" id="send-help">{ lang.t("{i} in a value is the record's number.") }</p>
            }
        </section>
    }
}

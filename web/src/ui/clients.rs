//! Producers (configs in effect, each record's partition and why, its
//! fate; flush, kill, restart), the producer and consumer editors, the
//! consumers with their controls, and consumer groups (state, generation,
//! members' assignments with what the newest rebalance changed, committed
//! offsets and lag). Bounded: the newest records only.

use kafkascope_config::Scope;
use kafkascope_view::{ConsumerView, Fate, GroupView, ProducerView, RecordFate};
use yew::prelude::*;

use super::consumers::{effective, ConsumerCard, ConsumerEditor};
use super::producer_editor::ProducerEditor;
use super::{Checks, Snap};
use crate::client_forms::{change_marks, reason_text};
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
    /// The engine's checks of the editors' lines.
    pub checks: Checks,
    /// Opens the record inspector on a producer's record.
    #[prop_or_default]
    pub inspect: Callback<kafkascope_view::inspect::RecordRef>,
}

#[function_component(ClientsPanel)]
pub fn clients_panel(p: &ClientsProps) -> Html {
    let lang = p.lang;
    let u = &p.snap.0;
    let v = &u.view;
    if v.brokers.is_empty() {
        return html! {};
    }
    let mut topics: Vec<String> = v.partitions.iter().map(|p| p.topic.clone()).collect();
    topics.dedup();
    let partitions: Vec<String> = v.partitions.iter().map(|p| p.name()).collect();
    let producers: Vec<String> = v
        .producers
        .iter()
        .filter(|p| p.up)
        .map(|p| p.name.clone())
        .collect();
    let taken: Vec<String> = v
        .producers
        .iter()
        .map(|p| p.name.clone())
        .chain(v.consumers.iter().map(|c| c.name.clone()))
        .collect();
    html! {
        <>
        <div class="grid">
            if !topics.is_empty() {
                <SendPanel lang={lang} producers={producers} topics={topics.clone()} run={p.run.clone()} />
            }
            if !v.producers.is_empty() {
                <section class="panel producers" aria-labelledby="producers-title">
                    <h2 id="producers-title">{ lang.t("Producers") }</h2>
                    { for v.producers.iter().map(|pr| producer(lang, pr, &p.run, &p.inspect)) }
                </section>
            }
        </div>
        // The editors' tables want the page's width.
        <ProducerEditor lang={lang} checks={p.checks.clone()} taken={taken.clone()} run={p.run.clone()} />
        <ConsumerEditor lang={lang} checks={p.checks.clone()} taken={taken} topics={topics} run={p.run.clone()} />
        <div class="grid">
            if !v.consumers.is_empty() {
                <section class="panel consumers" aria-labelledby="consumers-title">
                    <h2 id="consumers-title">{ lang.t("Consumers") }</h2>
                    { for v.consumers.iter().map(|c| html! {
                        <ConsumerCard key={c.name.clone()} lang={lang} consumer={c.clone()} partitions={partitions.clone()} run={p.run.clone()} />
                    }) }
                </section>
            }
            if !v.groups.is_empty() {
                <section class="panel groups" aria-labelledby="groups-title">
                    <h2 id="groups-title">{ lang.t("Consumer groups") }</h2>
                    { for v.groups.iter().map(|g| group(lang, g, &v.consumers)) }
                </section>
            }
        </div>
        </>
    }
}

/// The fate of a record, in words (the class marks it for colour too).
fn fate_text(lang: Lang, f: Option<&RecordFate>) -> (&'static str, String) {
    match f.map(|f| &f.fate) {
        Some(Fate::Acked { offset, .. }) => ("acked", lang.f("acked at offset {}", &[offset])),
        Some(Fate::Lost { offset, .. }) => ("lost", lang.f("lost (was at offset {})", &[offset])),
        Some(Fate::Failed(e)) => ("failed", lang.f("failed: {}", &[e])),
        None => ("pending", lang.t("in flight").to_string()),
    }
}

/// The number in a send id (`p:7` -> 7): send order.
fn send_number(id: &str) -> u64 {
    id.rsplit_once(':')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u64::MAX)
}

fn producer(
    lang: Lang,
    p: &ProducerView,
    run: &Callback<String>,
    inspect: &Callback<kafkascope_view::inspect::RecordRef>,
) -> Html {
    let line = |l: String| {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run.emit(l.clone()))
    };
    // The newest records: those the partitioner placed, and those that
    // failed before it could (no metadata), in send order.
    let mut ids: Vec<&str> = p.choices.iter().map(|c| c.send_id.as_str()).collect();
    ids.extend(
        p.fates
            .iter()
            .map(|f| f.send_id.as_str())
            .filter(|id| !p.choices.iter().any(|c| c.send_id == *id)),
    );
    ids.sort_by_key(|id| send_number(id));
    ids.dedup();
    let newest = ids.len().saturating_sub(FATES);
    html! {
        <div class="producer" data-producer={p.name.clone()}>
            <h3>
                <code>{ &p.name }</code>
                { format!(" · acks={} · {} {} · {} {}", p.acks, lang.t("sends"), p.sends, lang.t("incomplete"), p.incomplete) }
                if !p.up { <span class="badge down">{ lang.t("stopped") }</span> }
            </h3>
            <div class="row" role="group" aria-label={lang.f("Actions of {}", &[&p.name])}>
                <button class="flush" disabled={!p.up} onclick={line(format!("flush {}", p.name))}>{ lang.t("Flush") }</button>
                if p.up {
                    <button class="kill" onclick={line(format!("crash {}", p.name))}>{ lang.t("Kill (crash)") }</button>
                } else {
                    <button class="restart" onclick={line(format!("restart {}", p.name))}>{ lang.t("Restart") }</button>
                }
            </div>
            if !ids.is_empty() {
                <table class="fates">
                    <thead><tr>
                        <th scope="col">{ lang.t("Record") }</th>
                        <th scope="col">{ lang.t("Key") }</th>
                        <th scope="col">{ lang.t("Chosen partition") }</th>
                        <th scope="col">{ lang.t("Why") }</th>
                        <th scope="col">{ lang.t("Fate") }</th>
                    </tr></thead>
                    <tbody>
                        { for ids[newest..].iter().rev().map(|id| {
                            let choice = p.choices.iter().find(|c| c.send_id == *id);
                            let fate = p.fates.iter().find(|f| f.send_id == *id);
                            let (class, text) = fate_text(lang, fate);
                            let hash = choice.and_then(|c| match c.reason {
                                kafkascope_view::PartitionReason::Murmur2 { hash, .. } => Some(hash.to_string()),
                                _ => None,
                            });
                            html! {
                                <tr class={class} data-send={id.to_string()}
                                    data-partition={choice.map(|c| c.partition.clone())} data-hash={hash}>
                                    <td>
                                        // A record the producer knows the fate of opens the inspector.
                                        if fate.is_some() {
                                            <button class="inspect-record" data-send={id.to_string()} title={lang.t("Inspect this record")}
                                                onclick={{
                                                    let send_id = id.to_string();
                                                    inspect.reform(move |_: MouseEvent| kafkascope_view::inspect::RecordRef::Send { send_id: send_id.clone() })
                                                }}>
                                                <code>{ fate.and_then(|f| f.value.clone()).unwrap_or_else(|| id.to_string()) }</code>
                                            </button>
                                        } else {
                                            <code>{ id.to_string() }</code>
                                        }
                                    </td>
                                    <td><code>{ choice.and_then(|c| c.key.clone()).unwrap_or_else(|| "—".into()) }</code></td>
                                    <td class="chosen">{ choice.map_or("—".to_string(), |c| c.partition.clone()) }</td>
                                    <td class="why">{ choice.map(|c| reason_text(lang, c)).unwrap_or_default() }</td>
                                    <td class="fate">{ text }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
            <details>
                <summary>{ lang.t("Effective configs") }</summary>
                { effective(lang, Scope::Producer, &p.configs) }
            </details>
        </div>
    }
}

fn group(lang: Lang, g: &GroupView, consumers: &[ConsumerView]) -> Html {
    html! {
        <div class="group" data-group={g.group.clone()}>
            <h3>
                <code>{ &g.group }</code>{ format!(" · {}", g.state) }
                if let Some(gen) = g.generation { { format!(" · {}", lang.f("generation {}", &[&gen])) } }
            </h3>
            <table>
                <thead><tr>
                    <th scope="col">{ lang.t("Member") }</th>
                    <th scope="col">{ lang.t("Assignment") }</th>
                    <th scope="col">{ lang.t("Last rebalance") }</th>
                </tr></thead>
                <tbody>
                    { for g.members.iter().map(|m| {
                        // The member's own account of its newest rebalance
                        // (a dead process's member has none).
                        let change = consumers
                            .iter()
                            .find(|c| c.name == m.client_id && c.up && c.member_id == m.member_id)
                            .and_then(|c| c.last_change.as_ref());
                        html! {
                            <tr data-member={m.client_id.clone()}>
                                <td><code>{ &m.client_id }</code></td>
                                <td class="owned">{ m.assignment.join(", ") }</td>
                                <td class="marks">{ change.map(|ch| format!("{}: {}", lang.f("generation {}", &[&ch.generation]), change_marks(ch))).unwrap_or_else(|| "—".into()) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p class="hint">{ lang.t("− revoked, + added, × lost") }</p>
            <table>
                <thead><tr><th scope="col">{ lang.t("Partitions") }</th><th scope="col" class="num">{ lang.t("Committed") }</th><th scope="col" class="num">{ lang.t("Lag") }</th></tr></thead>
                <tbody>
                    { for g.offsets.iter().map(|o| html! {
                        <tr data-partition={o.partition.clone()}>
                            <td>{ &o.partition }</td>
                            <td class="num committed">{ o.committed }</td>
                            <td class="num lag">{ o.lag.map_or("—".to_string(), |l| l.to_string()) }</td>
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
    // "" = let the partitioner choose.
    let partition = use_state(String::new);
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
        let line = commands::send(
            &pr,
            &tp,
            &value,
            &key,
            partition.trim().parse().ok(),
            *count,
        );
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
                    <label>{ lang.t("Partition (optional)") }{ " " }<input id="send-partition" type="number" min="0" step="1" value={(*partition).clone()} onchange={text(&partition)} /></label>
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

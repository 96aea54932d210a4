//! Consumers: create one in a group (its configs from Kafka's table, its
//! topics), and per consumer what it sees (generation, assignment and what
//! the newest rebalance changed, delivered/processed, positions and
//! committed offsets, effective configs) with its controls: poll, process,
//! commit, seek, close, kill (`crash`) and restart. Every control writes
//! its scenario line.

use std::collections::BTreeSet;

use kafkascope_config::Scope;
use kafkascope_view::ConsumerView;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::checks::{use_check, Checks};
use super::config_table::{ConfigTable, Values};
use crate::client_forms::{
    change_marks, consumer_lines, field_errors, fields, free_name, seek_line, sort_errors,
};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct ConsumerEditorProps {
    pub lang: Lang,
    /// The engine's checks of the lines (after the session's script).
    pub checks: Checks,
    pub taken: Vec<String>,
    pub topics: Vec<String>,
    pub run: Callback<String>,
}

#[function_component(ConsumerEditor)]
pub fn consumer_editor(p: &ConsumerEditorProps) -> Html {
    let lang = p.lang;
    let name = use_state(String::new);
    let group = use_state(|| "g".to_string());
    let topics = use_state(BTreeSet::<String>::new);
    let values = use_state(Values::new);
    let chosen = if name.trim().is_empty() {
        free_name("c", &p.taken)
    } else {
        name.trim().to_string()
    };
    let ordered: Vec<(&'static str, String)> = fields(Scope::Consumer)
        .iter()
        .filter_map(|d| values.get(d.name).map(|v| (d.name, v.clone())))
        .collect();
    let subscribed: Vec<String> = p
        .topics
        .iter()
        .filter(|t| topics.contains(*t))
        .cloned()
        .collect();
    let lines = consumer_lines(&chosen, &group, &subscribed, &ordered);
    let field = field_errors(Scope::Consumer, &ordered);
    let answer = use_check(&p.checks, "consumer", &lines);
    let clean = field.is_empty();
    let checker = if clean {
        answer.clone().unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut names: Vec<&'static str> = fields(Scope::Consumer).iter().map(|d| d.name).collect();
    names.push("group.id");
    let (mut by_name, rest) = sort_errors(field, checker, &names);
    let group_errors = by_name.remove("group.id").unwrap_or_default();
    let ok = by_name.is_empty() && rest.is_empty() && group_errors.is_empty() && answer.is_some();
    let on_change = {
        let values = values.clone();
        Callback::from(move |(n, v): (&'static str, String)| {
            let mut next = (*values).clone();
            next.insert(n, v);
            values.set(next);
        })
    };
    let text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let create = {
        let (run, lines, name) = (p.run.clone(), lines.clone(), name.clone());
        Callback::from(move |_| {
            for l in &lines {
                run.emit(l.clone());
            }
            name.set(String::new());
        })
    };
    let group_def = crate::client_forms::lookup(Scope::Consumer, "group.id");
    html! {
        <section class="panel editor" id="consumer-editor" aria-labelledby="consumer-editor-title">
            <h2 id="consumer-editor-title">{ lang.t("New consumer") }</h2>
            <div class="row">
                <label for="consumer-name">{ lang.t("Name") }</label>
                <input id="consumer-name" type="text" value={(*name).clone()} placeholder={chosen.clone()} oninput={text(&name)} />
                <label for="consumer-group"><code>{ "group.id" }</code></label>
                <input id="consumer-group" type="text" value={(*group).clone()} oninput={text(&group)}
                    aria-describedby="consumer-group-doc consumer-group-error" aria-invalid={(!group_errors.is_empty()).then_some("true")} />
            </div>
            <p class="hint" id="consumer-group-doc">
                { group_def.map(|d| format!("{} {}", crate::client_forms::doc(d, lang), lang.f("(default: {})", &[&d.default]))).unwrap_or_default() }
            </p>
            <div class="error" id="consumer-group-error">
                { for group_errors.iter().map(|e| html! { <p>{ lang.t("error") }{ ": " }{ e }</p> }) }
            </div>
            <fieldset class="row">
                <legend>{ lang.t("Topics to subscribe to") }</legend>
                { for p.topics.iter().map(|t| {
                    let checked = topics.contains(t);
                    let state = topics.clone();
                    let t2 = t.clone();
                    let onchange = Callback::from(move |e: Event| {
                        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                        let mut next = (*state).clone();
                        if on { next.insert(t2.clone()); } else { next.remove(&t2); }
                        state.set(next);
                    });
                    html! {
                        <label><input type="checkbox" class="consumer-topic" value={t.clone()} checked={checked} {onchange} />{ " " }{ t }</label>
                    }
                }) }
            </fieldset>
            <p class="hint">{ lang.t("Leave a field empty to keep Kafka's default.") }</p>
            <ConfigTable lang={lang} scope={Scope::Consumer} id="consumer-cfg" values={(*values).clone()} errors={by_name} {on_change} />
            <div class="row">
                <span>{ lang.t("Line it writes") }{ ": " }</span>
                <output id="consumer-line"><code>{ lines.join("\n") }</code></output>
            </div>
            <div class="error" id="consumer-errors" aria-live="polite">
                { for rest.iter().map(|e| html! { <p>{ lang.t("error") }{ ": " }{ e }</p> }) }
                if !ok { <p>{ lang.t("Fix the errors first.") }</p> }
            </div>
            <button id="create-consumer" onclick={create} disabled={!ok}>{ lang.t("Create the consumer") }</button>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConsumerCardProps {
    pub lang: Lang,
    pub consumer: ConsumerView,
    /// Every partition (`t-0`), for seek.
    pub partitions: Vec<String>,
    pub run: Callback<String>,
}

/// One consumer: what it sees and its controls.
#[function_component(ConsumerCard)]
pub fn consumer_card(p: &ConsumerCardProps) -> Html {
    let lang = p.lang;
    let c = &p.consumer;
    let seek_partition = use_state(String::new);
    let seek_to = use_state(|| "beginning".to_string());
    let id = super::config_table::slug(&c.name);
    let line = |l: String| {
        let run = p.run.clone();
        Callback::from(move |_: MouseEvent| run.emit(l.clone()))
    };
    let partition = if p.partitions.contains(&seek_partition) {
        (*seek_partition).clone()
    } else {
        c.assignment
            .first()
            .or(p.partitions.first())
            .cloned()
            .unwrap_or_default()
    };
    let state = if !c.up {
        lang.t("killed")
    } else if c.closed {
        lang.t("closed")
    } else {
        lang.t("running")
    };
    let running = c.up && !c.closed;
    let on_seek_partition = {
        let s = seek_partition.clone();
        Callback::from(move |e: Event| {
            s.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_seek_to = {
        let s = seek_to.clone();
        Callback::from(move |e: InputEvent| {
            s.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let committed = |tp: &str| {
        c.committed
            .iter()
            .find(|(p, _)| p == tp)
            .map_or("—".to_string(), |(_, o)| o.to_string())
    };
    let mut shown: Vec<String> = c.positions.iter().map(|(p, _)| p.clone()).collect();
    shown.extend(c.committed.iter().map(|(p, _)| p.clone()));
    shown.sort();
    shown.dedup();
    html! {
        <div class="consumer" data-consumer={c.name.clone()} data-state={if !c.up { "killed" } else if c.closed { "closed" } else { "running" }}>
            <h3>
                <code>{ &c.name }</code>
                { format!(" · {}", c.group.as_deref().map_or("—".to_string(), |g| format!("group.id={g}"))) }
                <span class={classes!("badge", (!running).then_some("down"))}>{ state }</span>
                { format!(" · {} · {}", lang.f("generation {}", &[&c.generation]), c.rebalance_protocol) }
            </h3>
            <p class="assignment">
                { lang.t("Assignment") }{ ": " }
                <span class="owned">{ if c.assignment.is_empty() { "—".to_string() } else { c.assignment.join(", ") } }</span>
            </p>
            if let Some(ch) = &c.last_change {
                <p class="change" data-generation={ch.generation.to_string()}>
                    { lang.t("Last rebalance") }{ format!(" ({}): ", lang.f("generation {}", &[&ch.generation])) }
                    // Keyed by generation: a new element per rebalance, so the
                    // CSS animation plays again (an updated one would not).
                    <span class="marks" key={ch.generation.to_string()}>{ change_marks(ch) }</span>
                    <span class="hint">{ " — " }{ lang.t("− revoked, + added, × lost") }</span>
                </p>
            }
            <p class="counts">
                <span class="delivered">{ format!("{} {}", lang.t("delivered"), c.delivered) }</span>{ " · " }
                <span class="processed">{ format!("{} {}", lang.t("processed"), c.processed) }</span>
            </p>
            if !shown.is_empty() {
                <table class="offsets">
                    <thead><tr><th scope="col">{ lang.t("Partition") }</th><th scope="col" class="num">{ lang.t("Position") }</th><th scope="col" class="num">{ lang.t("committed") }</th></tr></thead>
                    <tbody>
                        { for shown.iter().map(|tp| html! {
                            <tr data-partition={tp.clone()}>
                                <td>{ tp }</td>
                                <td class="num">{ c.positions.iter().find(|(p, _)| p == tp).map_or("—".to_string(), |(_, o)| o.to_string()) }</td>
                                <td class="num">{ committed(tp) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <div class="row" role="group" aria-label={lang.f("Actions of {}", &[&c.name])}>
                <button class="poll" disabled={!running} onclick={line(format!("poll {}", c.name))}>{ lang.t("Poll") }</button>
                <button class="process" disabled={!running} onclick={line(format!("process {}", c.name))}>{ lang.t("Process") }</button>
                if c.group.is_some() {
                    <button class="commit" disabled={!running} onclick={line(format!("commit {}", c.name))}>{ lang.t("Commit") }</button>
                }
                <button class="close" disabled={!running} onclick={line(format!("close {}", c.name))}>{ lang.t("Close") }</button>
                if c.up {
                    <button class="kill" onclick={line(format!("crash {}", c.name))}>{ lang.t("Kill (crash)") }</button>
                } else {
                    <button class="restart" onclick={line(format!("restart {}", c.name))}>{ lang.t("Restart") }</button>
                }
            </div>
            if running && !p.partitions.is_empty() {
                <div class="row">
                    <label for={format!("seek-partition-{id}")}>{ lang.t("Seek") }</label>
                    <select id={format!("seek-partition-{id}")} onchange={on_seek_partition}>
                        { for p.partitions.iter().map(|tp| html! { <option value={tp.clone()} selected={*tp == partition}>{ tp }</option> }) }
                    </select>
                    <label for={format!("seek-to-{id}")}>{ lang.t("to") }</label>
                    <input id={format!("seek-to-{id}")} type="text" value={(*seek_to).clone()} oninput={on_seek_to}
                        aria-describedby={format!("seek-help-{id}")} />
                    <button class="seek" onclick={line(seek_line(&c.name, &partition, &seek_to))}>{ lang.t("Seek") }</button>
                    <span class="hint" id={format!("seek-help-{id}")}>{ lang.t("offset, beginning or end") }</span>
                </div>
            }
            <details>
                <summary>{ lang.f("Configs of {}", &[&c.name]) }</summary>
                { effective(lang, Scope::Consumer, &c.configs) }
            </details>
        </div>
    }
}

/// A client's effective configs; those not at Kafka's default are marked
/// in text.
pub fn effective(lang: Lang, scope: Scope, configs: &[(String, String)]) -> Html {
    html! {
        <table class="effective">
            <thead><tr><th scope="col">{ lang.t("Config") }</th><th scope="col">{ lang.t("Value") }</th><th scope="col">{ lang.t("Kafka's default") }</th></tr></thead>
            <tbody>
                { for configs.iter().map(|(n, v)| {
                    let default = crate::client_forms::lookup(scope, n).map(|d| d.default).unwrap_or("");
                    let changed = crate::client_forms::differs(scope, n, v, default);
                    html! {
                        <tr data-config={n.clone()} class={classes!(changed.then_some("changed"))}>
                            <th scope="row"><code>{ n }</code></th>
                            <td><code>{ v }</code>{ if changed { format!(" ({})", lang.t("set")) } else { String::new() } }</td>
                            <td><code>{ default }</code></td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

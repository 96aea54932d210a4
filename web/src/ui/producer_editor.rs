//! Create a producer: a name and any of Kafka's producer configs (the
//! config crate's table), checked as the console checks a line (by the
//! engine worker); writes the `producer ...` line it shows.

use kafkascope_config::Scope;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::checks::{use_check, Checks};
use super::config_table::{ConfigTable, Values};
use crate::client_forms::{field_errors, fields, free_name, producer_line, sort_errors};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct ProducerEditorProps {
    pub lang: Lang,
    /// The engine's checks of the line (after the session's script).
    pub checks: Checks,
    /// Clients that exist (a free name is suggested).
    pub taken: Vec<String>,
    pub run: Callback<String>,
}

#[function_component(ProducerEditor)]
pub fn producer_editor(p: &ProducerEditorProps) -> Html {
    let lang = p.lang;
    let name = use_state(String::new);
    let values = use_state(Values::new);
    let chosen = if name.trim().is_empty() {
        free_name("p", &p.taken)
    } else {
        name.trim().to_string()
    };
    let pairs: Vec<(&'static str, String)> = values.iter().map(|(k, v)| (*k, v.clone())).collect();
    // Table order, so the line reads like Kafka's docs.
    let ordered: Vec<(&'static str, String)> = fields(Scope::Producer)
        .iter()
        .filter_map(|d| pairs.iter().find(|(n, _)| *n == d.name).cloned())
        .collect();
    let line = producer_line(&chosen, &ordered);
    let field = field_errors(Scope::Producer, &ordered);
    let answer = use_check(&p.checks, "producer", std::slice::from_ref(&line));
    // A bad value is reported once, beside its field; a line the engine
    // has not checked yet cannot be created.
    let clean = field.is_empty();
    let checker = if clean {
        answer.clone().unwrap_or_default()
    } else {
        Vec::new()
    };
    let names: Vec<&'static str> = fields(Scope::Producer).iter().map(|d| d.name).collect();
    let (by_name, rest) = sort_errors(field, checker, &names);
    let ok = by_name.is_empty() && rest.is_empty() && answer.is_some();
    let on_change = {
        let values = values.clone();
        Callback::from(move |(n, v): (&'static str, String)| {
            let mut next = (*values).clone();
            next.insert(n, v);
            values.set(next);
        })
    };
    let on_name = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| {
            name.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let create = {
        let (run, line, name) = (p.run.clone(), line.clone(), name.clone());
        Callback::from(move |_| {
            run.emit(line.clone());
            name.set(String::new());
        })
    };
    html! {
        <section class="panel editor" id="producer-editor" aria-labelledby="producer-editor-title">
            <h2 id="producer-editor-title">{ lang.t("New producer") }</h2>
            <div class="row">
                <label for="producer-name">{ lang.t("Name") }</label>
                <input id="producer-name" type="text" value={(*name).clone()} placeholder={chosen.clone()} oninput={on_name} />
            </div>
            <p class="hint">{ lang.t("Leave a field empty to keep Kafka's default.") }</p>
            <ConfigTable lang={lang} scope={Scope::Producer} id="producer-cfg" values={(*values).clone()} errors={by_name} {on_change} />
            <div class="row">
                <span>{ lang.t("Line it writes") }{ ": " }</span>
                <output id="producer-line" for="producer-name"><code>{ &line }</code></output>
            </div>
            <div class="error" id="producer-errors" aria-live="polite">
                { for rest.iter().map(|e| html! { <p>{ lang.t("error") }{ ": " }{ e }</p> }) }
                if !ok { <p>{ lang.t("Fix the errors first.") }</p> }
            </div>
            <button id="create-producer-configured" onclick={create} disabled={!ok}>{ lang.t("Create the producer") }</button>
        </section>
    }
}

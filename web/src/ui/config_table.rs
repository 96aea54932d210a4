//! A table of client configs to edit: each by Kafka's name with Kafka's
//! default and its one-line explanation in the page's language, a select
//! for booleans and fixed choices, a number field for integers, a text
//! field otherwise; a field's error is shown beside it (in text, and as
//! `aria-invalid`). An empty field keeps Kafka's default.

use std::collections::BTreeMap;

use kafkascope_config::{Kind, Scope};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::client_forms::{choices, doc, fields};
use crate::i18n::Lang;

/// Config name -> value typed or chosen ("" = Kafka's default).
pub type Values = BTreeMap<&'static str, String>;

#[derive(Properties, PartialEq)]
pub struct ConfigTableProps {
    pub lang: Lang,
    pub scope: Scope,
    /// Prefix of the element ids (`producer-cfg`).
    pub id: &'static str,
    pub values: Values,
    /// Errors by config name.
    pub errors: BTreeMap<String, Vec<String>>,
    pub on_change: Callback<(&'static str, String)>,
}

/// `linger.ms` -> `linger-ms` (ids and CSS selectors without dots).
pub fn slug(name: &str) -> String {
    name.replace('.', "-")
}

#[function_component(ConfigTable)]
pub fn config_table(p: &ConfigTableProps) -> Html {
    let lang = p.lang;
    html! {
        <table class="configs">
            <thead><tr>
                <th scope="col">{ lang.t("Config") }</th>
                <th scope="col">{ lang.t("Value") }</th>
                <th scope="col">{ lang.t("Kafka's default") }</th>
                <th scope="col">{ lang.t("What it does") }</th>
            </tr></thead>
            <tbody>
                { for fields(p.scope).into_iter().map(|def| {
                    let name = def.name;
                    let id = format!("{}-{}", p.id, slug(name));
                    let doc_id = format!("{id}-doc");
                    let err_id = format!("{id}-error");
                    let value = p.values.get(name).cloned().unwrap_or_default();
                    let errors = p.errors.get(name).cloned().unwrap_or_default();
                    let invalid = (!errors.is_empty()).then_some("true");
                    let described = format!("{doc_id} {err_id}");
                    let on_change = p.on_change.clone();
                    let control = match choices(def) {
                        Some(options) => {
                            let onchange = Callback::from(move |e: Event| {
                                on_change.emit((name, e.target_unchecked_into::<HtmlSelectElement>().value()))
                            });
                            html! {
                                <select id={id.clone()} {onchange} aria-describedby={described} aria-invalid={invalid}>
                                    <option value="" selected={value.is_empty()}>{ lang.f("(default: {})", &[&def.default]) }</option>
                                    { for options.into_iter().map(|o| html! {
                                        <option value={o} selected={value == o}>{ o }</option>
                                    }) }
                                </select>
                            }
                        }
                        None => {
                            let oninput = Callback::from(move |e: InputEvent| {
                                on_change.emit((name, e.target_unchecked_into::<HtmlInputElement>().value()))
                            });
                            let (kind, min, max) = match def.kind {
                                Kind::Int { min, max } => ("number", Some(min.to_string()), Some(max.to_string())),
                                _ => ("text", None, None),
                            };
                            html! {
                                <input id={id.clone()} type={kind} step={(kind == "number").then_some("1")}
                                    min={min} max={max} value={value} placeholder={def.default} {oninput}
                                    aria-describedby={described} aria-invalid={invalid} />
                            }
                        }
                    };
                    html! {
                        <tr data-config={name} class={classes!(invalid.map(|_| "invalid"))}>
                            <th scope="row"><label for={id.clone()}><code>{ name }</code></label></th>
                            <td>
                                { control }
                                <div class="error" id={err_id}>
                                    { for errors.iter().map(|e| html! { <p>{ lang.t("error") }{ ": " }{ e }</p> }) }
                                </div>
                            </td>
                            <td><code>{ def.default }</code></td>
                            <td class="doc" id={doc_id}>{ doc(def, lang) }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

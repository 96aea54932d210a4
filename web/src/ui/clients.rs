//! Producers (each record's fate) and consumer groups (state, generation,
//! members' assignments, committed offsets and lag). Bounded: the newest
//! fates only.

use kafkascope_view::{Fate, GroupView, ProducerView};
use yew::prelude::*;

use super::Snap;
use crate::i18n::Lang;

/// Record fates listed per producer (the newest).
const FATES: usize = 12;

#[derive(Properties, PartialEq)]
pub struct ClientsProps {
    pub lang: Lang,
    pub snap: Snap,
}

#[function_component(ClientsPanel)]
pub fn clients_panel(p: &ClientsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    if v.producers.is_empty() && v.groups.is_empty() {
        return html! {};
    }
    html! {
        <div class="grid">
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

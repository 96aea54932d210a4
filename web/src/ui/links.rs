//! The links view: every direction between two nodes that has messages
//! on the wire, held by a `hold` rule or dropped so far, or is cut by a
//! partition, with the messages by Kafka API name. Held, dropped and cut
//! are said in words, not only by colour.

use kafkascope_view::links::{ApiCount, LinkView};
use yew::prelude::*;

use super::Snap;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct LinksProps {
    pub lang: Lang,
    pub snap: Snap,
}

fn apis(list: &[ApiCount]) -> Html {
    if list.is_empty() {
        return html! { <span class="muted">{ "—" }</span> };
    }
    html! {
        <ul class="apis">
            { for list.iter().map(|a| html! {
                <li data-api={a.api.clone()}><code>{ &a.api }</code>{ " ×" }<span class="n">{ a.count }</span></li>
            }) }
        </ul>
    }
}

fn node(name: &str) -> String {
    match name.parse::<i32>() {
        Ok(b) => format!("broker {b}"),
        Err(_) if name == "zk" => "ZooKeeper".to_string(),
        Err(_) => name.to_string(),
    }
}

#[function_component(LinksPanel)]
pub fn links_panel(p: &LinksProps) -> Html {
    let lang = p.lang;
    let links: &[LinkView] = &p.snap.0.view.links;
    html! {
        <section class="panel links" aria-labelledby="links-title">
            <h2 id="links-title">{ lang.t("Links") }</h2>
            <p class="hint">{ lang.t("Messages between nodes by Kafka API: on the wire, held by a hold rule, dropped so far (a cut, a drop rule, a receiver down).") }</p>
            if links.is_empty() {
                <p class="muted" id="links-empty">{ lang.t("No messages between nodes right now.") }</p>
            } else {
                <div class="scroll">
                <table class="data" id="links">
                    <thead><tr>
                        <th>{ lang.t("From") }</th>
                        <th>{ lang.t("To") }</th>
                        <th>{ lang.t("On the wire") }</th>
                        <th>{ lang.t("Held") }</th>
                        <th>{ lang.t("Dropped") }</th>
                    </tr></thead>
                    <tbody>
                    { for links.iter().map(|l| html! {
                        <tr class={classes!("link", l.cut.then_some("cut"), (!l.held.is_empty()).then_some("held"))}
                            data-from={l.from.clone()} data-to={l.to.clone()}>
                            <td>{ node(&l.from) }</td>
                            <td>
                                { node(&l.to) }
                                if l.cut { { " " }<span class="badge down">{ lang.t("cut") }</span> }
                            </td>
                            <td class="in-flight">{ apis(&l.in_flight) }</td>
                            <td class="held">{ apis(&l.held) }</td>
                            <td class="dropped">{ apis(&l.dropped) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}

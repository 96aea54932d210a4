//! The links view: every direction between two nodes that has messages
//! on the wire, held by a `hold` rule or dropped so far, or is cut by a
//! partition, with the messages by Kafka API name. Held, dropped and cut
//! are said in words, not only by colour. Each row has the link's faults
//! (hold, release, drop the next N, delay), each writing its scenario line.
//! Above the table, one compact form sets the same faults (and a cut) on
//! any direction between any two nodes, quiet or not: a client's or
//! ZooKeeper's link has no row until it carries messages, and listing
//! every pair of nodes would flood the table.

use kafkascope_view::links::{ApiCount, LinkView};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::Snap;
use crate::commands::{self, LinkFault, NodeKind};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct LinksProps {
    pub lang: Lang,
    pub snap: Snap,
    /// Runs a scenario line (the link's fault controls write lines).
    pub run: Callback<String>,
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

/// The links with traffic, then every broker-to-broker direction without
/// any: a quiet link (a follower's Fetch parked at the leader) still gets
/// its fault controls, so a rule can be set before traffic shows.
fn with_broker_pairs(links: &[LinkView], ids: &[i32]) -> Vec<LinkView> {
    let mut out = links.to_vec();
    for &a in ids {
        for &b in ids.iter().filter(|&&b| b != a) {
            let (from, to) = (a.to_string(), b.to_string());
            if !links.iter().any(|l| l.from == from && l.to == to) {
                out.push(LinkView {
                    from,
                    to,
                    ..LinkView::default()
                });
            }
        }
    }
    out
}

#[function_component(LinksPanel)]
pub fn links_panel(p: &LinksProps) -> Html {
    let lang = p.lang;
    let ids: Vec<i32> = p.snap.0.view.brokers.iter().map(|b| b.id).collect();
    let links = with_broker_pairs(&p.snap.0.view.links, &ids);
    let v = &p.snap.0.view;
    let nodes = commands::link_nodes(
        &ids,
        v.producers.iter().map(|p| p.name.as_str()),
        v.consumers.iter().map(|c| c.name.as_str()),
    );
    html! {
        <section class="panel links" aria-labelledby="links-title">
            <h2 id="links-title">{ lang.t("Links") }</h2>
            <p class="hint">{ lang.t("Messages between nodes by Kafka API: on the wire, held by a hold rule, dropped so far (a cut, a drop rule, a receiver down).") }{ " " }{ lang.t("Every direction between two brokers is listed, quiet or not.") }</p>
            if !ids.is_empty() {
                <AnyLink lang={lang} nodes={nodes} links={v.links.clone()} run={p.run.clone()} />
            }
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
                        <th>{ lang.t("Faults on this link") }</th>
                    </tr></thead>
                    <tbody>
                    { for links.iter().map(|l| html! {
                        // Keyed by direction: a row keeps its open form
                        // and choices as other links come and go.
                        <tr key={format!("{}->{}", l.from, l.to)}
                            class={classes!("link", l.cut.then_some("cut"), (!l.held.is_empty()).then_some("held"))}
                            data-from={l.from.clone()} data-to={l.to.clone()}>
                            <td>{ node(&l.from) }</td>
                            <td>
                                { node(&l.to) }
                                if l.cut { { " " }<span class="badge down">{ lang.t("cut") }</span> }
                            </td>
                            <td class="in-flight">{ apis(&l.in_flight) }</td>
                            <td class="held">{ apis(&l.held) }</td>
                            <td class="dropped">{ apis(&l.dropped) }</td>
                            <td class="link-faults">
                                <LinkControls lang={lang} from={l.from.clone()} to={l.to.clone()}
                                    seen={seen_apis(Some(l))} run={p.run.clone()} />
                            </td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}

/// The APIs seen on a link (on the wire, held, dropped), for its select.
fn seen_apis(link: Option<&LinkView>) -> Vec<String> {
    link.map_or_else(Vec::new, |l| {
        l.in_flight
            .iter()
            .chain(&l.held)
            .chain(&l.dropped)
            .map(|a| a.api.clone())
            .collect()
    })
}

/// A node as the any-link form's selects name it: kind and name.
fn node_label(lang: Lang, name: &str, kind: NodeKind) -> String {
    match kind {
        NodeKind::Broker => format!("broker {name}"),
        NodeKind::ZooKeeper => "ZooKeeper (zk)".to_string(),
        NodeKind::Producer => lang.f("producer {}", &[&name]),
        NodeKind::Consumer => lang.f("consumer {}", &[&name]),
    }
}

#[derive(Properties, PartialEq)]
struct AnyLinkProps {
    lang: Lang,
    /// Every node of the cluster shown, as the language names it.
    nodes: Vec<(String, NodeKind)>,
    links: Vec<LinkView>,
    run: Callback<String>,
}

/// "Fault on any link": From and To select any two nodes (brokers, `zk`,
/// producers, consumers), then the same faults as a row's, plus a cut of
/// both directions and heal. Folded, so it costs one line.
#[function_component(AnyLink)]
fn any_link(p: &AnyLinkProps) -> Html {
    let lang = p.lang;
    let from = use_state(String::new);
    let to = use_state(String::new);
    let has = |n: &str| p.nodes.iter().any(|(m, _)| m == n);
    // A client first if there is one (the links brokers' rows lack), and
    // the first broker: a choice that vanished (a new session) falls back.
    let first_client = p
        .nodes
        .iter()
        .find(|(_, k)| matches!(k, NodeKind::Producer | NodeKind::Consumer))
        .or_else(|| p.nodes.iter().find(|(_, k)| *k == NodeKind::ZooKeeper))
        .map_or_else(String::new, |(n, _)| n.clone());
    let first_broker = p.nodes.first().map_or_else(String::new, |(n, _)| n.clone());
    let f = if has(&from) {
        (*from).clone()
    } else {
        first_client
    };
    let t = if has(&to) {
        (*to).clone()
    } else {
        first_broker
    };
    let pick = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let select = |id: &'static str, chosen: &str, onchange: Callback<Event>| {
        html! {
            <select id={id} onchange={onchange}>
                { for p.nodes.iter().map(|(n, k)| html! {
                    <option value={n.clone()} selected={n == chosen}>{ node_label(lang, n, *k) }</option>
                }) }
            </select>
        }
    };
    let same = f == t;
    let seen = seen_apis(p.links.iter().find(|l| l.from == f && l.to == t));
    let line = |l: String| {
        let run = p.run.clone();
        Callback::from(move |_: MouseEvent| run.emit(l.clone()))
    };
    html! {
        <details class="any-link" id="any-link">
            <summary>{ lang.t("Fault on any link") }</summary>
            <p class="hint">{ lang.t("Any direction between two nodes, quiet or not: brokers, ZooKeeper, producers and consumers. A link to a client or ZooKeeper gets a row in the table only while it carries messages.") }</p>
            <div class="row">
                <label for="any-from">{ lang.t("From") }</label>{ " " }
                { select("any-from", &f, pick(&from)) }{ " " }
                <label for="any-to">{ lang.t("To") }</label>{ " " }
                { select("any-to", &t, pick(&to)) }
            </div>
            if same {
                <p class="hint" id="any-same" role="status">{ lang.t("Choose two different nodes.") }</p>
            } else {
                <FaultRows lang={lang} from={f.clone()} to={t.clone()} seen={seen} run={p.run.clone()} />
                <div class="row">
                    <button class="fault link-cut" onclick={line(commands::cut(&f, &t))}
                        title={lang.t("Cut both directions between the two nodes (a network partition); other links keep working.")}>
                        { lang.t("Cut both ways") }</button>
                    <button class="fault link-heal" onclick={line("heal".to_string())}
                        title={lang.t("Undo every partition, hold, drop and delay rule.")}>
                        { lang.t("Heal the network") }</button>
                </div>
            }
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct LinkControlsProps {
    lang: Lang,
    from: String,
    to: String,
    /// The APIs seen on the link, offered first.
    seen: Vec<String>,
    run: Callback<String>,
}

/// One link's fault form, folded (a row of the table).
#[function_component(LinkControls)]
fn link_controls(p: &LinkControlsProps) -> Html {
    let lang = p.lang;
    let link = format!("{} → {}", node(&p.from), node(&p.to));
    html! {
        <details class="link-controls">
            <summary aria-label={format!("{}: {link}", lang.t("Faults on this link"))}>{ lang.t("Faults") }</summary>
            <FaultRows lang={lang} from={p.from.clone()} to={p.to.clone()} seen={p.seen.clone()} run={p.run.clone()} />
        </details>
    }
}

/// The faults of one direction: an API (or every API), Hold / Release,
/// Drop the next N, and a delay in ms to slow the link.
#[function_component(FaultRows)]
fn fault_rows(p: &LinkControlsProps) -> Html {
    let lang = p.lang;
    let api = use_state(String::new);
    let count = use_state(|| 1u32);
    let ms = use_state(|| 200u64);
    let (from, to) = (p.from.clone(), p.to.clone());
    let choices = commands::api_choices(p.seen.iter().map(String::as_str));
    let emit = |fault: LinkFault| {
        let (run, from, to, api) = (p.run.clone(), from.clone(), to.clone(), (*api).clone());
        Callback::from(move |_: MouseEvent| run.emit(commands::link_fault(fault, &from, &to, &api)))
    };
    let on_api = {
        let api = api.clone();
        Callback::from(move |e: Event| {
            api.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_count = {
        let count = count.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(n) = v.trim().parse::<u32>() {
                count.set(n.max(1));
            }
        })
    };
    let on_ms = {
        let ms = ms.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(n) = v.trim().parse::<u64>() {
                ms.set(n);
            }
        })
    };
    html! { <>
        <div class="row">
            <label>{ lang.t("Kafka API") }{ " " }
                <select class="link-api" onchange={on_api}>
                    <option value="" selected={api.is_empty()}>{ lang.t("every API") }</option>
                    { for choices.iter().map(|a| html! {
                        <option value={a.clone()} selected={*a == *api}>{ a }</option>
                    }) }
                </select>
            </label>
        </div>
        <div class="row">
            <button class="fault link-hold" onclick={emit(LinkFault::Hold)}
                title={lang.t("Queue this link's messages (of the API chosen) and deliver none until released.")}>
                { lang.t("Hold") }</button>
            <button class="fault link-release" onclick={emit(LinkFault::Release)}>{ lang.t("Release") }</button>
        </div>
        <div class="row">
            <label>{ lang.t("Messages") }{ " " }
                <input class="link-count" type="number" min="1" value={count.to_string()} onchange={on_count} />
            </label>
            <button class="fault link-drop" onclick={emit(LinkFault::Drop { count: *count })}>{ lang.t("Drop the next N") }</button>
        </div>
        <div class="row">
            <label>{ lang.t("Delay (ms)") }{ " " }
                <input class="link-ms" type="number" min="0" value={ms.to_string()} onchange={on_ms} />
            </label>
            <button class="fault link-delay" onclick={emit(LinkFault::Delay { ms: *ms })}>{ lang.t("Slow this link") }</button>
        </div>
        <p class="hint">{ lang.t("To slow a follower, delay the leader's link to it (or both directions). A delay applies to every API. The console line heal undoes every rule.") }</p>
    </> }
}

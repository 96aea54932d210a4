//! Brokers with their state, the controller, ZooKeeper's znode tree (each
//! node expandable, with its data as Kafka wrote it), messages in flight.

use kafkascope_view::{BrokerState, BrokerView, ZnodeEntry};
use yew::prelude::*;

use super::Snap;
use crate::commands;
use crate::i18n::Lang;
use crate::tree::{nest, Node};

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub lang: Lang,
    pub snap: Snap,
    /// Runs a scenario line (the fault buttons write lines).
    pub run: Callback<String>,
}

fn state_class(s: BrokerState) -> &'static str {
    match s {
        BrokerState::Up => "up",
        BrokerState::Crashed => "crashed",
        BrokerState::PoweredOff => "powered-off",
        BrokerState::Stopped => "stopped",
    }
}

#[function_component(ClusterPanel)]
pub fn cluster_panel(p: &ClusterProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    let depths: Vec<usize> = v.znodes.iter().map(|z| z.depth).collect();
    let tree = nest(&depths);
    let ids: Vec<i32> = v.brokers.iter().map(|b| b.id).collect();
    let line = |l: String| {
        let run = p.run.clone();
        Callback::from(move |_: MouseEvent| run.emit(l.clone()))
    };
    // Heal is offered while anything it undoes is in force: a cut (a
    // client's link included), held messages, or a drop or delay rule,
    // which shows nowhere else in this panel.
    let cut = v.fault_rules
        || v.brokers.iter().any(|b| !b.cut_off_from.is_empty())
        || v.links.iter().any(|l| l.cut)
        || !v.held.is_empty();
    let counts = |list: &[(String, usize)]| {
        if list.is_empty() {
            lang.t("none").to_string()
        } else {
            list.iter()
                .map(|(api, n)| format!("{api} × {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    html! {
        <section class="panel cluster" aria-labelledby="cluster-title">
            <h2 id="cluster-title">{ lang.t("Cluster") }</h2>
            <p>
                <span id="controller">{ match v.controller {
                    Some(c) => lang.f("Controller: broker {}", &[&c]),
                    None => lang.t("No controller").to_string(),
                } }</span>
                { " · " }
                <span id="zk-state" class={if v.zk_up { "up" } else { "crashed" }}>
                    { lang.t(if v.zk_up { "ZooKeeper is up" } else { "ZooKeeper is down" }) }
                </span>
                { " " }
                if v.zk_up {
                    <button class="fault" onclick={line("crash zk".into())}>{ lang.t("Crash") }{ " zk" }</button>
                } else {
                    <button class="fault" onclick={line("restart zk".into())}>{ lang.t("Restart") }{ " zk" }</button>
                }
                if cut {
                    { " " }<button id="heal" class="fault" onclick={line("heal".into())}>{ lang.t("Heal the network") }</button>
                }
            </p>
            <table class="sim-brokers">
                <thead><tr>
                    <th>{ lang.t("Broker") }</th>
                    <th>{ lang.t("State") }</th>
                    <th>{ lang.t("Registered in ZooKeeper") }</th>
                    <th>{ lang.t("Cut off from") }</th>
                    <th>{ lang.t("Faults") }</th>
                </tr></thead>
                <tbody>{ for v.brokers.iter().map(|b| broker_row(lang, b, &ids, &line)) }</tbody>
            </table>
            <p class="wire">
                { lang.t("Messages in flight") }{ ": " }<span id="in-flight">{ counts(&v.in_flight) }</span>
                { " · " }{ lang.t("Held") }{ ": " }<span id="held">{ counts(&v.held) }</span>
            </p>
            <h3>{ lang.t("ZooKeeper znodes") }</h3>
            <ul class="znodes" id="znodes">
                { for tree.iter().map(|n| znode(lang, &v.znodes, n)) }
            </ul>
        </section>
    }
}

fn broker_row(
    lang: Lang,
    b: &BrokerView,
    ids: &[i32],
    line: &dyn Fn(String) -> Callback<MouseEvent>,
) -> Html {
    let id = b.id;
    let button = |label: &'static str, cmd: String| {
        html! {
            <button class="fault" data-fault={cmd.clone()}
                aria-label={format!("{} broker {id}", lang.t(label))}
                onclick={line(cmd)}>{ lang.t(label) }</button>
        }
    };
    let faults = if b.state == BrokerState::Up {
        html! { <>
            { button("Crash", format!("crash {id}")) }
            { button("Power off", format!("power-off {id}")) }
            { button("Shutdown", format!("shutdown {id}")) }
            if b.cut_off_from.is_empty() && ids.len() > 1 {
                { button("Isolate", commands::isolate(id, ids)) }
            }
        </> }
    } else {
        button("Restart", format!("restart {id}"))
    };
    html! {
        <tr class={classes!("sim-broker", state_class(b.state))} data-broker={b.id.to_string()} data-state={b.state.name()}>
            <td>
                { format!("broker {}", b.id) }
                if b.controller { <span class="badge">{ lang.t("controller") }</span> }
            </td>
            <td class="state">{ lang.t(b.state.name()) }</td>
            <td>{ lang.t(if b.registered { "yes" } else { "no" }) }</td>
            <td>{ if b.cut_off_from.is_empty() { "—".to_string() } else { b.cut_off_from.join(", ") } }</td>
            <td class="faults">{ faults }</td>
        </tr>
    }
}

fn znode(lang: Lang, all: &[ZnodeEntry], n: &Node) -> Html {
    let z = &all[n.index];
    let name = z
        .path
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("/");
    let data = if z.data.is_empty() {
        html! { <span class="muted">{ lang.t("(no data)") }</span> }
    } else {
        html! { <pre class="json">{ &z.data }</pre> }
    };
    html! {
        <li>
            <details data-path={z.path.clone()}>
                <summary>
                    <code>{ name }</code>
                    if z.ephemeral { <span class="badge">{ lang.t("ephemeral") }</span> }
                    if !n.children.is_empty() { <span class="muted">{ format!(" ({})", n.children.len()) }</span> }
                </summary>
                <div class="znode-body">
                    <div class="path"><code>{ &z.path }</code></div>
                    { data }
                    if !n.children.is_empty() {
                        <ul>{ for n.children.iter().map(|c| znode(lang, all, c)) }</ul>
                    }
                </div>
            </details>
        </li>
    }
}

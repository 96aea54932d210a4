//! Each partition: leader, epoch, ISR; each replica's log as a strip of its
//! newest offsets with the log start offset, the HW and LEO marked in text;
//! the ISR's history with the reason of each change (click -> replay there).

use kafkascope_view::engine::Request;
use kafkascope_view::inspect::RecordRef;
use kafkascope_view::{IsrChange, PartitionView, ReplicaState, STRIP_LEN};
use yew::prelude::*;

use super::{ids, Send, Snap};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct PartitionsProps {
    pub lang: Lang,
    pub snap: Snap,
    pub send: Send,
    /// Opens the record inspector on a record cell.
    pub inspect: Callback<RecordRef>,
}

/// Partitions shown open; the rest start folded (many partitions stay cheap).
const OPEN: usize = 6;
/// ISR changes listed per partition (the newest).
const ISR_HISTORY: usize = 8;

#[function_component(PartitionsPanel)]
pub fn partitions_panel(p: &PartitionsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    html! {
        <section class="panel partitions" aria-labelledby="partitions-title">
            <h2 id="partitions-title">{ lang.t("Partitions") }</h2>
            if v.partitions.is_empty() {
                <p class="muted">{ lang.t("No topics yet.") }</p>
            }
            { for v.partitions.iter().enumerate().map(|(i, part)| {
                let changes: Vec<&IsrChange> = v.isr_changes.iter().filter(|c| c.partition == part.name()).collect();
                partition(lang, part, &changes, i < OPEN, &p.send, &p.inspect)
            }) }
        </section>
    }
}

fn partition(
    lang: Lang,
    p: &PartitionView,
    changes: &[&IsrChange],
    open: bool,
    send: &Send,
    inspect: &Callback<RecordRef>,
) -> Html {
    let name = p.name();
    let leader = p
        .leader
        .map_or(lang.t("no leader").to_string(), |l| format!("broker {l}"));
    html! {
        <details class="partition" data-partition={name.clone()} {open}>
            <summary>
                <strong>{ &name }</strong>
                { " · " }{ lang.t("Leader") }{ ": " }<span class="leader">{ leader }</span>
                { " · " }{ lang.t("Leader epoch") }{ ": " }<span class="epoch">{ p.leader_epoch }</span>
                { " · ISR: " }<span class="isr">{ ids(&p.isr) }</span>
            </summary>
            <table class="replicas">
                <thead><tr>
                    <th>{ lang.t("Replica") }</th>
                    <th>{ lang.t("Role") }</th>
                    <th>{ lang.t("In ISR") }</th>
                    <th class="num">{ lang.t("Log start") }</th>
                    <th class="num">{ "LEO" }</th>
                    <th class="num">{ "HW" }</th>
                    <th class="num">{ lang.t("Leader epoch") }</th>
                    <th>{ lang.t("Log (newest offsets)") }</th>
                </tr></thead>
                <tbody>{ for p.replicas.iter().map(|r| replica(lang, &name, r, inspect)) }</tbody>
            </table>
            <h4>{ lang.t("ISR changes") }</h4>
            if changes.is_empty() {
                <p class="muted">{ lang.t("no changes yet") }</p>
            } else {
                <ol class="isr-changes">
                    { for changes.iter().rev().take(ISR_HISTORY).map(|c| {
                        let send = send.clone();
                        let n = c.n;
                        html! {
                            <li>
                                <button class="event" data-n={n.to_string()}
                                    onclick={Callback::from(move |_| send.emit(Request::Replay { to: n }))}>
                                    { format!("#{n} · {} ms · ISR {} · ", c.t, ids(&c.isr)) }
                                    <span class="reason">{ reason_text(lang, &c.reason) }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </details>
    }
}

/// A reason the dictionary knows, or the controller's own word.
fn reason_text(lang: Lang, reason: &str) -> String {
    match reason {
        "lag" => lang.t("lag").to_string(),
        "caught-up" => lang.t("caught-up").to_string(),
        other => other.to_string(),
    }
}

fn replica(lang: Lang, name: &str, r: &ReplicaState, inspect: &Callback<RecordRef>) -> Html {
    let role = if r.leader { "leader" } else { "follower" };
    let hidden = r
        .records
        .first()
        .map_or(0, |c| c.offset - r.log_start)
        .max(0);
    html! {
        <tr class={classes!("replica", role, (!r.broker_up).then_some("down"))}
            data-broker={r.broker.to_string()} data-leo={r.leo.to_string()} data-hw={r.hw.to_string()}
            data-in-isr={r.in_isr.to_string()}>
            <td>
                { format!("broker {}", r.broker) }
                if !r.broker_up { <span class="badge down">{ lang.t("broker down") }</span> }
            </td>
            <td class="role">{ lang.t(role) }</td>
            <td class="in-isr">{ lang.t(if r.in_isr { "yes" } else { "no" }) }</td>
            <td class="num log-start">{ r.log_start }</td>
            <td class="num leo">{ r.leo }</td>
            <td class="num hw">{ r.hw }</td>
            <td class="num">{ r.leader_epoch.map_or("—".to_string(), |e| e.to_string()) }</td>
            <td>{ strip(lang, name, r, hidden, inspect) }</td>
        </tr>
    }
}

/// The newest offsets as cells; `HW` and `LEO` markers sit where those
/// offsets fall (the HW is the first offset not yet committed, the LEO the
/// next offset to be written).
fn strip(
    lang: Lang,
    name: &str,
    r: &ReplicaState,
    hidden: i64,
    inspect: &Callback<RecordRef>,
) -> Html {
    let hw_mark = html! { <span class="mark hw" title={lang.t("at or above HW (not yet committed)")}>{ format!("HW {}", r.hw) }</span> };
    let leo_mark = html! { <span class="mark leo">{ format!("LEO {}", r.leo) }</span> };
    let mut cells: Vec<Html> = Vec::with_capacity(STRIP_LEN + 3);
    if hidden > 0 {
        cells.push(html! { <span class="more">{ lang.f("{} older offsets not shown", &[&hidden]) }</span> });
    }
    let mut hw_placed = false;
    for c in &r.records {
        if !hw_placed && c.offset >= r.hw {
            cells.push(hw_mark.clone());
            hw_placed = true;
        }
        let committed = c.offset < r.hw;
        let title = lang.f("offset {}: {}", &[&c.offset, &c.value]);
        // A button: the record inspector opens on this replica's record.
        let label = lang.f(
            "Inspect offset {} on broker {}: {}",
            &[&c.offset, &r.broker, &c.value],
        );
        let record = RecordRef::Offset {
            partition: name.to_string(),
            offset: c.offset,
            broker: Some(r.broker),
        };
        let onclick = inspect.reform(move |_: MouseEvent| record.clone());
        cells.push(html! {
            <button class={classes!("cell", if committed { "committed" } else { "uncommitted" })}
                title={title} aria-label={label} data-offset={c.offset.to_string()} {onclick}>
                { c.offset }
                if !committed { <span class="sr">{ format!(" ({})", lang.t("at or above HW (not yet committed)")) }</span> }
            </button>
        });
    }
    if !hw_placed {
        cells.push(hw_mark);
    }
    cells.push(leo_mark);
    html! { <div class="strip" role="group" aria-label={lang.t("Log (newest offsets)")}>{ for cells }</div> }
}

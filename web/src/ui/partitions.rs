//! Each partition: leader, epoch, ISR and its leader's LEO and HW in one
//! line; opened, each replica's log as a strip of its newest offsets with
//! the log start offset, the HW and LEO marked in text, each cell coloured
//! by the leader epoch it was appended in (with a marker in text where the
//! epoch changes) and tagged with its producer (`P1`, ... named in a
//! legend), and the ISR's history with the reason of each change (click ->
//! replay there).
//!
//! Cheap with many partitions: a folded partition renders only its line
//! (its replica table and strips are built when it is opened), and a
//! partition whose data did not change between updates is not rendered
//! again.

use std::collections::HashMap;

use kafkascope_view::engine::Request;
use kafkascope_view::inspect::RecordRef;
use kafkascope_view::strip::{epoch_band, epoch_runs, Legend, ProducerTags};
use kafkascope_view::{IsrChange, PartitionView, RecordCell, ReplicaState, STRIP_LEN};
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

/// Partitions shown open until the learner folds them; the rest start
/// folded.
const OPEN: usize = 6;

#[function_component(PartitionsPanel)]
pub fn partitions_panel(p: &PartitionsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    // What the learner opened or folded, by partition name; the others
    // follow the default (the first few open).
    let chosen = use_reducer(Chosen::default);
    // One callback for every render, so unchanged partitions compare equal.
    let on_toggle = use_callback(chosen.dispatcher(), |choice, d| d.dispatch(choice));
    html! {
        <section class="panel partitions" aria-labelledby="partitions-title">
            <h2 id="partitions-title">{ lang.t("Partitions") }</h2>
            if v.partitions.is_empty() {
                <p class="muted">{ lang.t("No topics yet.") }</p>
            } else if v.partitions.len() > OPEN {
                <p class="hint">{ lang.t("Open a partition to see each replica's log, LEO, HW and the ISR's history.") }</p>
            }
            { for v.partitions.iter().enumerate().map(|(i, part)| {
                let name = part.name();
                let open = chosen.0.get(&name).copied().unwrap_or(i < OPEN);
                html! {
                    <Partition key={name} lang={lang} snap={p.snap.clone()} index={i}
                        open={open} on_toggle={on_toggle.clone()} send={p.send.clone()}
                        inspect={p.inspect.clone()} />
                }
            }) }
        </section>
    }
}

/// Partitions the learner opened (`true`) or folded, by name.
#[derive(Default, PartialEq)]
struct Chosen(HashMap<String, bool>);

impl Reducible for Chosen {
    type Action = (String, bool);
    fn reduce(self: std::rc::Rc<Self>, (name, open): (String, bool)) -> std::rc::Rc<Self> {
        let mut next = self.0.clone();
        next.insert(name, open);
        std::rc::Rc::new(Chosen(next))
    }
}

#[derive(Properties)]
pub struct PartitionProps {
    pub lang: Lang,
    /// The update; the partition is `snap.0.view.partitions[index]`.
    pub snap: Snap,
    pub index: usize,
    pub open: bool,
    /// The learner opened (`true`) or folded a partition, by name.
    pub on_toggle: Callback<(String, bool)>,
    /// Every `send` does the same (posts to the engine), and so does every
    /// `inspect` (focuses the inspector), so both are left out of the
    /// comparison (the page makes new ones each render).
    pub send: Send,
    /// Opens the record inspector on a record cell.
    pub inspect: Callback<RecordRef>,
}

impl PartitionProps {
    fn partition(&self) -> Option<&PartitionView> {
        self.snap.0.view.partitions.get(self.index)
    }

    /// The view's producers (their order numbers the strips' tags).
    fn producer_names(&self) -> impl Iterator<Item = &str> {
        self.snap.0.view.producers.iter().map(|p| p.name.as_str())
    }
}

/// Equal when what this partition shows is equal, whatever else changed
/// in the update (so an unchanged partition is not rendered again). A
/// folded one shows neither strips nor history.
impl PartialEq for PartitionProps {
    fn eq(&self, other: &Self) -> bool {
        let same_line = self.lang == other.lang
            && self.open == other.open
            && self.index == other.index
            && self.on_toggle == other.on_toggle;
        if !same_line {
            return false;
        }
        match (self.partition(), other.partition()) {
            (Some(a), Some(b)) if !self.open => summary_of(a) == summary_of(b),
            (Some(a), Some(b)) => a == b && self.producer_names().eq(other.producer_names()),
            (a, b) => a.is_none() && b.is_none(),
        }
    }
}

/// What a folded partition's line shows.
type Summary<'a> = (
    &'a str,
    i32,
    Option<i32>,
    i32,
    &'a [i32],
    Option<(i64, i64)>,
);

fn summary_of(p: &PartitionView) -> Summary<'_> {
    let leader = leader_replica(p).map(|r| (r.leo, r.hw));
    (
        &p.topic,
        p.partition,
        p.leader,
        p.leader_epoch,
        &p.isr,
        leader,
    )
}

fn leader_replica(p: &PartitionView) -> Option<&ReplicaState> {
    p.replicas.iter().find(|r| Some(r.broker) == p.leader)
}

#[function_component(Partition)]
fn partition(props: &PartitionProps) -> Html {
    let Some(p) = props.partition() else {
        return html! {};
    };
    let lang = props.lang;
    let name = p.name();
    let leader = p
        .leader
        .map_or(lang.t("no leader").to_string(), |l| format!("broker {l}"));
    let ontoggle = {
        let (on_toggle, was_open, name) = (props.on_toggle.clone(), props.open, name.clone());
        Callback::from(move |e: Event| {
            let open = e
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|d| d.has_attribute("open"));
            // Our own `open` change fires the event too: only a change
            // the learner made is news.
            if open != was_open {
                on_toggle.emit((name.clone(), open));
            }
        })
    };
    html! {
        <details class="partition" data-partition={name.clone()} open={props.open} {ontoggle}>
            <summary>
                <strong>{ &name }</strong>
                { " · " }{ lang.t("Leader") }{ ": " }<span class="leader">{ leader }</span>
                { " · " }{ lang.t("Leader epoch") }{ ": " }<span class="epoch">{ p.leader_epoch }</span>
                { " · ISR: " }<span class="isr">{ ids(&p.isr) }</span>
                if let Some(r) = leader_replica(p) {
                    { " · " }<span class="leader-offsets">
                        { "LEO " }<span class="leader-leo">{ r.leo }</span>
                        { " · HW " }<span class="leader-hw">{ r.hw }</span>
                    </span>
                }
            </summary>
            if props.open {
                { replicas(lang, p, props.producer_names(), &props.inspect) }
                { isr_history(lang, &p.isr_changes, &props.send) }
            }
        </details>
    }
}

fn replicas<'a>(
    lang: Lang,
    p: &'a PartitionView,
    producers: impl Iterator<Item = &'a str>,
    inspect: &Callback<RecordRef>,
) -> Html {
    let name = p.name();
    let cells = || p.replicas.iter().flat_map(|r| &r.records);
    let tags = ProducerTags::new(producers, cells());
    let legend = Legend::of(&tags, cells());
    html! {
        <>
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
                <tbody>{ for p.replicas.iter().map(|r| replica(lang, &name, r, &tags, inspect)) }</tbody>
            </table>
            { strip_legend(lang, &legend) }
        </>
    }
}

/// What the strips' tags and colours mean, in text: each producer's tag
/// and name, each leader epoch's band, and the cells without a producer.
fn strip_legend(lang: Lang, l: &Legend) -> Html {
    if l.epochs.is_empty() {
        return html! {};
    }
    html! {
        <div class="strip-legend" role="group" aria-label={lang.t("Legend of the log strips")}>
            if !l.producers.is_empty() {
                <span class="legend-title">{ lang.t("Producers:") }</span>
                <ul class="legend-producers">
                    { for l.producers.iter().map(|(n, name)| html! {
                        <li class={format!("producer-{}", n.saturating_sub(1) % kafkascope_view::strip::PRODUCER_STYLES)}
                            data-producer={name.clone()}>
                            <span class="tag">{ format!("P{n}") }</span>{ " " }{ name }
                        </li>
                    }) }
                </ul>
            }
            if l.unattributed {
                <span class="legend-unattributed"><span class="tag">{ "—" }</span>{ " " }{ lang.t("no producer (a record none of the scenario's producers sent)") }</span>
            }
            if l.markers {
                <span class="legend-markers"><span class="tag">{ "COMMIT" }</span>{ " / " }<span class="tag">{ "ABORT" }</span>{ " " }{ lang.t("transaction marker (a control record, no producer)") }</span>
            }
            <span class="legend-title">{ lang.t("Leader epochs:") }</span>
            <ul class="legend-epochs">
                { for l.epochs.iter().map(|e| html! {
                    <li class={classes!("swatch", format!("epoch-band-{}", epoch_band(*e)))} data-epoch={e.to_string()}>
                        { lang.f("epoch {}", &[e]) }
                    </li>
                }) }
            </ul>
        </div>
    }
}

fn isr_history(lang: Lang, changes: &[IsrChange], send: &Send) -> Html {
    html! {
        <>
            <h4>{ lang.t("ISR changes") }</h4>
            if changes.is_empty() {
                <p class="muted">{ lang.t("no changes yet") }</p>
            } else {
                <ol class="isr-changes">
                    { for changes.iter().rev().map(|c| {
                        let send = send.clone();
                        let n = c.n;
                        html! {
                            <li key={n}>
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
        </>
    }
}

/// The reasons the brokers give: a leader's shrink (`lag`) and expand
/// (`caught-up`), the controller's writes.
pub(crate) const REASONS: [&str; 9] = [
    "lag",
    "caught-up",
    "new-partition",
    "leader-election",
    "unclean-election",
    "controlled-shutdown",
    "preferred-replica-election",
    "replica-offline",
    "offline",
];

/// A reason in the page's language; one the page does not know (a newer
/// engine's) as the engine wrote it.
fn reason_text(lang: Lang, reason: &str) -> String {
    REASONS
        .iter()
        .find(|r| **r == reason)
        .map_or_else(|| reason.to_string(), |r| lang.t(r).to_string())
}

fn replica(
    lang: Lang,
    name: &str,
    r: &ReplicaState,
    tags: &ProducerTags,
    inspect: &Callback<RecordRef>,
) -> Html {
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
            <td>{ strip(lang, name, r, hidden, tags, inspect) }</td>
        </tr>
    }
}

/// The newest offsets as cells; `HW` and `LEO` markers sit where those
/// offsets fall (the HW is the first offset not yet committed, the LEO the
/// next offset to be written), and an epoch marker before the first cell
/// of each leader epoch shown, as Kafka's leader-epoch-checkpoint lists
/// each epoch's start offset.
fn strip(
    lang: Lang,
    name: &str,
    r: &ReplicaState,
    hidden: i64,
    tags: &ProducerTags,
    inspect: &Callback<RecordRef>,
) -> Html {
    let hw_mark = html! { <span class="mark hw" title={lang.t("at or above HW (not yet committed)")}>{ format!("HW {}", r.hw) }</span> };
    let leo_mark = html! { <span class="mark leo">{ format!("LEO {}", r.leo) }</span> };
    let runs = epoch_runs(&r.records);
    let mut cells: Vec<Html> = Vec::with_capacity(STRIP_LEN + 3 + runs.len());
    if hidden > 0 {
        cells.push(html! { <span class="more">{ lang.f("{} older offsets not shown", &[&hidden]) }</span> });
    }
    let mut hw_placed = false;
    let mut runs = runs.iter().peekable();
    for (i, c) in r.records.iter().enumerate() {
        if !hw_placed && c.offset >= r.hw {
            cells.push(hw_mark.clone());
            hw_placed = true;
        }
        if let Some(run) = runs.next_if(|run| run.start == i) {
            let about = lang.f(
                "leader epoch {}: offsets {} to {} shown",
                &[&run.epoch, &run.first, &run.last],
            );
            cells.push(html! {
                <span class={classes!("mark", "epoch", format!("epoch-band-{}", epoch_band(run.epoch)))}
                    data-epoch={run.epoch.to_string()} data-first={run.first.to_string()} title={about.clone()}>
                    { lang.f("epoch {}", &[&run.epoch]) }<span class="sr">{ format!(" ({about})") }</span>
                </span>
            });
        }
        cells.push(cell(lang, name, r, c, tags, inspect));
    }
    if !hw_placed {
        cells.push(hw_mark);
    }
    cells.push(leo_mark);
    html! { <div class="strip" role="group" aria-label={lang.t("Log (newest offsets)")}>{ for cells }</div> }
}

/// One offset: a button that opens the record inspector on it, coloured
/// by its leader epoch and tagged with its producer (`P1`; `—` for none);
/// a transaction marker, which the inspector does not follow, is plain
/// text tagged `COMMIT` or `ABORT`. The title and label say all of it.
fn cell(
    lang: Lang,
    name: &str,
    r: &ReplicaState,
    c: &RecordCell,
    tags: &ProducerTags,
    inspect: &Callback<RecordRef>,
) -> Html {
    let committed = c.offset < r.hw;
    let status = classes!(
        "cell",
        if committed {
            "committed"
        } else {
            "uncommitted"
        },
        format!("epoch-band-{}", epoch_band(c.epoch)),
    );
    let epoch = lang.f("leader epoch {}", &[&c.epoch]);
    let not_committed = (!committed).then(|| {
        html! { <span class="sr">{ format!(" ({})", lang.t("at or above HW (not yet committed)")) }</span> }
    });
    if c.is_marker() {
        let about = format!(
            "{} · {} · {}",
            lang.f("offset {}: transaction marker {}", &[&c.offset, &c.value]),
            epoch,
            lang.t("no producer")
        );
        return html! {
            <span class={classes!(status, "marker")} title={about.clone()}
                data-offset={c.offset.to_string()} data-epoch={c.epoch.to_string()} data-control={c.value.clone()}>
                <span class="off">{ c.offset }</span>
                <span class="tag" aria-hidden="true">{ &c.value }</span>
                <span class="sr">{ format!(" ({about})") }</span>
                { not_committed }
            </span>
        };
    }
    let (tag, style, who) = match c.producer() {
        Some(p) => (
            tags.tag(p).unwrap_or_default(),
            format!("producer-{}", tags.style(p).unwrap_or(0)),
            lang.f("producer {}", &[&p]),
        ),
        None => (
            "—".to_string(),
            "no-producer".to_string(),
            lang.t("no producer").to_string(),
        ),
    };
    let title = format!(
        "{} · {} · {}",
        lang.f("offset {}: {}", &[&c.offset, &c.value]),
        epoch,
        who
    );
    // A button: the record inspector opens on this replica's record.
    let label = format!(
        "{} ({epoch}, {who})",
        lang.f(
            "Inspect offset {} on broker {}: {}",
            &[&c.offset, &r.broker, &c.value],
        )
    );
    let record = RecordRef::Offset {
        partition: name.to_string(),
        offset: c.offset,
        broker: Some(r.broker),
    };
    let onclick = inspect.reform(move |_: MouseEvent| record.clone());
    html! {
        <button class={classes!(status, style)} title={title} aria-label={label}
            data-offset={c.offset.to_string()} data-epoch={c.epoch.to_string()}
            data-producer={c.producer().map(str::to_string)} {onclick}>
            <span class="off">{ c.offset }</span>
            <span class="tag" aria-hidden="true">{ tag }</span>
            { not_committed }
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_the_brokers_give_is_translated() {
        for r in REASONS {
            assert_eq!(reason_text(Lang::En, r), r);
            assert_ne!(reason_text(Lang::Zh, r), r, "{r} has no Chinese");
        }
        assert_eq!(reason_text(Lang::Zh, "lag"), "落后");
        // An unknown word is shown as written.
        assert_eq!(reason_text(Lang::Zh, "new-thing"), "new-thing");
    }
}

//! The segment view: pick a replica (partition and broker), see its
//! segments (Kafka's file names), open one to see its record batches
//! (base and last offset, count, producer id/epoch/sequence, size, CRC,
//! compression) and its `.index` and `.timeindex` entries. The engine
//! answers for the cluster shown (live or rewound) with every update
//! (`Update::segments`), so an open segment follows the run.

use kafkascope_view::inspect::{Focus, SegmentDetail, SegmentRef, SegmentsView};
use yew::prelude::*;

use super::Snap;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct SegmentsProps {
    pub lang: Lang,
    pub snap: Snap,
    /// What the page inspects (the segment view changes only `segment`).
    pub focus: Focus,
    pub on_focus: Callback<Focus>,
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlSelectElement>()
        .value()
}

#[function_component(SegmentsPanel)]
pub fn segments_panel(p: &SegmentsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    let picked = use_state(|| None::<(String, i32)>);
    // The replica in the pickers: the one chosen, else the first leader.
    let (partition, broker) = picked.as_ref().cloned().unwrap_or_else(|| {
        v.partitions
            .first()
            .map(|q| {
                (
                    q.name(),
                    q.leader.or(q.assigned.first().copied()).unwrap_or(0),
                )
            })
            .unwrap_or_default()
    });
    let brokers: Vec<i32> = v
        .partition(&partition)
        .map(|q| q.assigned.clone())
        .unwrap_or_default();
    let focus_on = {
        let (focus, on_focus) = (p.focus.clone(), p.on_focus.clone());
        move |segment: Option<SegmentRef>| {
            let mut f = focus.clone();
            f.segment = segment;
            on_focus.emit(f)
        }
    };
    let on_partition = {
        let picked = picked.clone();
        let v = p.snap.clone();
        Callback::from(move |e: Event| {
            let name = select_value(&e);
            let b =
                v.0.view
                    .partition(&name)
                    .and_then(|q| q.leader.or(q.assigned.first().copied()))
                    .unwrap_or(0);
            picked.set(Some((name, b)));
        })
    };
    let on_broker = {
        let picked = picked.clone();
        let partition = partition.clone();
        Callback::from(move |e: Event| {
            let b = select_value(&e).parse().unwrap_or(0);
            picked.set(Some((partition.clone(), b)));
        })
    };
    let show = {
        let (focus_on, partition) = (focus_on.clone(), partition.clone());
        Callback::from(move |_: MouseEvent| {
            focus_on(Some(SegmentRef {
                partition: partition.clone(),
                broker,
                base_offset: None,
            }))
        })
    };
    let close = {
        let focus_on = focus_on.clone();
        Callback::from(move |_: MouseEvent| focus_on(None))
    };
    html! {
        <section class="panel segments" aria-labelledby="segments-title">
            <h2 id="segments-title">{ lang.t("Segments") }</h2>
            if v.partitions.is_empty() {
                <p class="muted">{ lang.t("No topics yet.") }</p>
            } else {
                <div class="row">
                    <label>{ lang.t("Partition") }{ " " }
                        <select id="segments-partition" onchange={on_partition}>
                            { for v.partitions.iter().map(|q| { let n = q.name(); html! {
                                <option value={n.clone()} selected={n == partition}>{ n }</option>
                            }}) }
                        </select>
                    </label>
                    <label>{ lang.t("Broker") }{ " " }
                        <select id="segments-broker" onchange={on_broker}>
                            { for brokers.iter().map(|b| html! {
                                <option value={b.to_string()} selected={*b == broker}>{ b }</option>
                            }) }
                        </select>
                    </label>
                    <button id="segments-show" onclick={show}>{ lang.t("Show its segments") }</button>
                    if p.focus.segment.is_some() {
                        <button id="segments-close" onclick={close}>{ lang.t("Close") }</button>
                    }
                </div>
            }
            if let (Some(s), Some(_)) = (&p.snap.0.segments, &p.focus.segment) {
                { segments(lang, s, &focus_on) }
            }
        </section>
    }
}

fn segments(
    lang: Lang,
    s: &SegmentsView,
    focus_on: &(impl Fn(Option<SegmentRef>) + Clone + 'static),
) -> Html {
    let open = s.detail.as_ref().map(|d| d.base_offset);
    html! {
        <div id="segments-view" data-partition={s.partition.clone()} data-broker={s.broker.to_string()}>
            <h3>
                { format!("{} @ broker {}", s.partition, s.broker) }
                if !s.broker_up {
                    <span class="badge down">{ lang.t("broker down: read from its disk") }</span>
                }
            </h3>
            if let Some(problem) = &s.problem {
                <p class="error" id="segments-problem">{ problem }</p>
            }
            if !s.segments.is_empty() {
                <table class="data" id="segment-list">
                    <thead><tr>
                        <th>{ lang.t("Segment file") }</th>
                        <th class="num">{ lang.t("Base offset") }</th>
                        <th class="num">{ lang.t("Next offset") }</th>
                        <th class="num">{ lang.t("Batches") }</th>
                        <th class="num">{ lang.t("Bytes") }</th>
                    </tr></thead>
                    <tbody>
                    { for s.segments.iter().map(|g| {
                        let focus_on = focus_on.clone();
                        let r = SegmentRef { partition: s.partition.clone(), broker: s.broker, base_offset: Some(g.base_offset) };
                        let onclick = Callback::from(move |_: MouseEvent| focus_on(Some(r.clone())));
                        let current = open == Some(g.base_offset);
                        html! {
                            <tr class={classes!("segment", current.then_some("open"))} data-base={g.base_offset.to_string()}>
                                <td>
                                    <button class="linkish" {onclick} aria-pressed={current.to_string()}>
                                        <code>{ &g.file }</code>
                                    </button>
                                    if g.active { { " " }<span class="badge">{ lang.t("active") }</span> }
                                </td>
                                <td class="num">{ g.base_offset }</td>
                                <td class="num">{ g.next_offset }</td>
                                <td class="num">{ g.batches }</td>
                                <td class="num">{ g.bytes }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            }
            if let Some(d) = &s.detail { { detail(lang, d) } }
        </div>
    }
}

fn detail(lang: Lang, d: &SegmentDetail) -> Html {
    let file = format!("{:020}", d.base_offset);
    html! {
        <div id="segment-detail" data-base={d.base_offset.to_string()}>
            <h4>{ lang.f("Batches of {}", &[&format!("{file}.log")]) }</h4>
            <div class="scroll">
            <table class="data" id="segment-batches">
                <thead><tr>
                    <th class="num">{ lang.t("Position") }</th>
                    <th class="num">{ "baseOffset" }</th>
                    <th class="num">{ "lastOffset" }</th>
                    <th class="num">{ "count" }</th>
                    <th class="num">{ "producerId" }</th>
                    <th class="num">{ "producerEpoch" }</th>
                    <th class="num">{ "baseSequence" }</th>
                    <th class="num">{ "partitionLeaderEpoch" }</th>
                    <th class="num">{ "size" }</th>
                    <th>{ "CRC" }</th>
                    <th>{ "compresscodec" }</th>
                    <th>{ lang.t("Flags") }</th>
                </tr></thead>
                <tbody>
                { for d.batches.iter().map(|b| html! {
                    <tr class="batch" data-base={b.base_offset.to_string()}>
                        <td class="num">{ b.position }</td>
                        <td class="num base">{ b.base_offset }</td>
                        <td class="num last">{ b.last_offset }</td>
                        <td class="num count">{ b.count }</td>
                        <td class="num pid">{ b.producer_id }</td>
                        <td class="num">{ b.producer_epoch }</td>
                        <td class="num seq">{ b.base_sequence }</td>
                        <td class="num">{ b.partition_leader_epoch }</td>
                        <td class="num size">{ b.size }</td>
                        <td class={classes!("crc", if b.crc_valid { "good" } else { "bad" })}>
                            { if b.crc_valid { lang.t("valid") } else { lang.t("INVALID") } }
                        </td>
                        <td class="codec">{ &b.compression }</td>
                        <td>
                            { [(b.transactional, "transactional"), (b.control, "control")]
                                .iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect::<Vec<_>>().join(", ") }
                        </td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
            if d.more_batches > 0 {
                <p class="muted">{ lang.f("… and {} more batches.", &[&d.more_batches]) }</p>
            }
            <div class="index-row">
                <div>
                    <h4>{ format!("{file}.index") }</h4>
                    <table class="data" id="segment-index">
                        <thead><tr><th class="num">{ "offset" }</th><th class="num">{ "position" }</th></tr></thead>
                        <tbody>{ for d.offset_index.iter().map(|(o, pos)| html! {
                            <tr><td class="num">{ o }</td><td class="num">{ pos }</td></tr>
                        }) }</tbody>
                    </table>
                    if d.offset_index.is_empty() { <p class="muted">{ lang.t("no entries") }</p> }
                </div>
                <div>
                    <h4>{ format!("{file}.timeindex") }</h4>
                    <table class="data" id="segment-timeindex">
                        <thead><tr><th class="num">{ "timestamp" }</th><th class="num">{ "offset" }</th></tr></thead>
                        <tbody>{ for d.time_index.iter().map(|(t, o)| html! {
                            <tr><td class="num">{ t }</td><td class="num">{ o }</td></tr>
                        }) }</tbody>
                    </table>
                    if d.time_index.is_empty() { <p class="muted">{ lang.t("no entries") }</p> }
                </div>
            </div>
            if d.more_index > 0 {
                <p class="muted">{ lang.f("… and {} more index entries.", &[&d.more_index]) }</p>
            }
        </div>
    }
}

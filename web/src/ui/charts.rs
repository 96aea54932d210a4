//! Charts of the engine's per-virtual-second samples (`ClusterView::charts`):
//! produce/consume throughput, a partition's HW against its LEO, and each
//! consumer's lag. Drawn as SVG (no charting crate: a few paths cost less
//! wasm than any library). Lines differ by dash pattern as well as colour,
//! and each chart's legend states every line's current and largest value,
//! which is the chart's text alternative.

use kafkascope_view::charts::Charts;
use yew::prelude::*;

use super::Snap;
use crate::i18n::Lang;
use crate::plot::{self, H, W};

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub lang: Lang,
    pub snap: Snap,
}

/// One line of a chart.
struct Line {
    /// What it is, as text (a Kafka name, a client id).
    label: String,
    values: Vec<Option<i64>>,
}

/// Line styles in order (`s1` solid, `s2` dashed, `s3` dotted, `s4`
/// dash-dot: told apart without colour).
const STYLES: [&str; 4] = ["s1", "s2", "s3", "s4"];
/// Lines per chart at most (the rest are listed, not drawn).
const MAX_LINES: usize = 4;

#[function_component(ChartsPanel)]
pub fn charts_panel(p: &ChartsProps) -> Html {
    let lang = p.lang;
    let c = &p.snap.0.view.charts;
    let chosen = use_state(|| None::<String>);
    // The HW/LEO chart's partition: the chosen one while it has a series.
    let partition = chosen
        .as_ref()
        .filter(|k| c.hw.iter().any(|s| &s.key == *k))
        .cloned()
        .or_else(|| c.hw.first().map(|s| s.key.clone()));
    let on_partition = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            chosen.set(Some(v));
        })
    };
    html! {
        <section class="panel charts" aria-labelledby="charts-title">
            <h2 id="charts-title">{ lang.t("Charts") }</h2>
            <p class="hint">{ lang.f("One sample per virtual second; the newest {} seconds.", &[&kafkascope_view::charts::CHART_LEN]) }</p>
            if c.t.is_empty() {
                <p class="muted" id="charts-empty">{ lang.t("No samples yet: start a cluster and let time pass.") }</p>
            } else {
                <div class="chart-row">
                    { chart(lang, "chart-throughput", lang.t("Throughput (records/s)"), c, vec![
                        Line { label: "MessagesInPerSec".into(), values: plot::line(&c.messages_in) },
                        Line { label: lang.t("consumed by poll()").into(), values: plot::line(&c.consumed) },
                    ], html! {}) }
                    { hw_leo_chart(lang, c, partition.as_deref(), on_partition) }
                    { chart(lang, "chart-lag", lang.t("Consumer lag (records)"), c,
                        c.lag.iter().map(|s| Line { label: s.key.clone(), values: s.values.clone() }).collect(),
                        html! {}) }
                </div>
            }
        </section>
    }
}

fn hw_leo_chart(
    lang: Lang,
    c: &Charts,
    partition: Option<&str>,
    on_partition: Callback<Event>,
) -> Html {
    let lines = partition
        .and_then(|k| c.hw_leo(k))
        .map(|(hw, leo)| {
            vec![
                Line {
                    label: "LEO".into(),
                    values: leo.values.clone(),
                },
                Line {
                    label: "HW".into(),
                    values: hw.values.clone(),
                },
            ]
        })
        .unwrap_or_default();
    let picker = html! {
        <label class="chart-pick">
            { lang.t("Partition") }{ " " }
            <select id="chart-partition" onchange={on_partition}>
                { for c.hw.iter().map(|s| html! {
                    <option value={s.key.clone()} selected={Some(s.key.as_str()) == partition}>{ &s.key }</option>
                }) }
            </select>
        </label>
    };
    chart(
        lang,
        "chart-hw-leo",
        lang.t("HW and LEO of the leader"),
        c,
        lines,
        picker,
    )
}

fn chart(
    lang: Lang,
    id: &'static str,
    title: &str,
    c: &Charts,
    lines: Vec<Line>,
    extra: Html,
) -> Html {
    let slots = c.t.len();
    let top = plot::nice_max(plot::max_of(lines.iter().map(|l| &l.values[..])));
    let caption = format!("{id}-title");
    let (from, to) = (
        c.t.first().copied().unwrap_or(0),
        c.t.last().copied().unwrap_or(0),
    );
    let seconds = |ms: u64| format!("{} s", ms / 1000);
    html! {
        <figure class="chart" id={id}>
            <figcaption id={caption.clone()}>{ title }</figcaption>
            { extra }
            <svg class="plot" viewBox={format!("-40 -8 {} {}", W + 48.0, H + 24.0)}
                role="img" aria-labelledby={caption}>
                <line class="axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                <line class="axis" x1="0" y1="0" x2="0" y2={H.to_string()} />
                <line class="grid" x1="0" y1="0" x2={W.to_string()} y2="0" />
                <text class="tick" x="-4" y="4" text-anchor="end">{ top }</text>
                <text class="tick" x="-4" y={H.to_string()} text-anchor="end">{ "0" }</text>
                <text class="tick" x="0" y={(H + 14.0).to_string()}>{ seconds(from) }</text>
                <text class="tick" x={W.to_string()} y={(H + 14.0).to_string()} text-anchor="end">{ seconds(to) }</text>
                { for lines.iter().zip(STYLES).take(MAX_LINES).map(|(l, style)| html! {
                    <path class={classes!("line", style)} d={plot::path(&l.values, slots, top)} />
                }) }
            </svg>
            if lines.is_empty() {
                <p class="muted">{ lang.t("Nothing to draw yet.") }</p>
            }
            <ul class="legend">
                { for lines.iter().enumerate().map(|(i, l)| {
                    let style = STYLES.get(i).copied();
                    let now = plot::last(&l.values).map_or("–".to_string(), |v| v.to_string());
                    let max = plot::max_of([&l.values[..]]);
                    html! {
                        <li data-line={l.label.clone()}>
                            if let Some(style) = style {
                                <svg class="swatch" viewBox="0 0 24 8" aria-hidden="true">
                                    <path class={classes!("line", style)} d="M0 4 L24 4" />
                                </svg>
                            }
                            <code>{ &l.label }</code>{ ": " }
                            { lang.t("now") }{ " " }<span class="now">{ now }</span>
                            { ", " }{ lang.t("max") }{ " " }<span class="max">{ max }</span>
                            if style.is_none() {
                                { " " }{ lang.t("(not drawn)") }
                            }
                        </li>
                    }
                }) }
            </ul>
        </figure>
    }
}

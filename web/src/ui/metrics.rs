//! Kafka's metrics under their own names, with their unit and what changed since the
//! previous snapshot (shown as text, not only colour).

use yew::prelude::*;

use super::Snap;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub lang: Lang,
    pub snap: Snap,
    pub previous: Option<Snap>,
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(p: &MetricsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    let before = |name: &str| p.previous.as_ref().and_then(|s| s.0.view.metric(name));
    html! {
        <section class="panel metrics" aria-labelledby="metrics-title">
            <h2 id="metrics-title">{ lang.t("Metrics") }</h2>
            <table id="metrics">
                <thead><tr>
                    <th>{ lang.t("Metric") }</th>
                    <th class="num">{ lang.t("Value") }</th>
                    <th class="num">{ lang.t("Change") }</th>
                    <th>{ lang.t("Unit") }</th>
                </tr></thead>
                <tbody>
                { for v.metrics.iter().map(|m| {
                    let delta = before(&m.name).map_or(0, |b| m.value - b);
                    let change = match delta {
                        0 => String::new(),
                        d if d > 0 => format!("▲ +{d}"),
                        d => format!("▼ {d}"),
                    };
                    html! {
                        <tr data-metric={m.name.clone()} class={classes!((delta != 0).then_some("changed"))}>
                            <td><code>{ &m.name }</code></td>
                            <td class="num value">{ m.value }</td>
                            <td class="num">{ change }</td>
                            <td class="unit">{ lang.t(unit(&m.name)) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}

/// What a metric's value counts. The broker's rate meters are per virtual
/// second (the last sampled one); the older meters show Kafka's `Count`
/// attribute (events since the start); gauges are plain numbers.
fn unit(name: &str) -> &'static str {
    match name {
        "MessagesInPerSec" => "records/s",
        "BytesInPerSec" => "bytes/s",
        "FailedProduceRequestsPerSec" => "requests/s",
        n if n.starts_with("records-lag-max") => "records",
        n if n.ends_with("PerSec") || n.ends_with("RateAndTimeMs") => "count",
        _ => "",
    }
}

//! Kafka's metrics under their own names, with their unit and their last
//! change: the event at which the value last moved (a button that rewinds
//! there) and by how much (in text, not only colour).

use kafkascope_view::engine::Request;
use kafkascope_view::Metric;
use yew::prelude::*;

use super::{Send, Snap};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub lang: Lang,
    pub snap: Snap,
    pub previous: Option<Snap>,
    pub send: Send,
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(p: &MetricsProps) -> Html {
    let lang = p.lang;
    let v = &p.snap.0.view;
    // Changed since the previous update: marked (in text by the change cell).
    let before = p.previous.as_ref().map(|s| s.0.view.position);
    html! {
        <section class="panel metrics" aria-labelledby="metrics-title">
            <h2 id="metrics-title">{ lang.t("Metrics") }</h2>
            <table id="metrics">
                <thead><tr>
                    <th>{ lang.t("Metric") }</th>
                    <th class="num">{ lang.t("Value") }</th>
                    <th class="num">{ lang.t("Last change") }</th>
                    <th>{ lang.t("Unit") }</th>
                </tr></thead>
                <tbody>
                { for v.metrics.iter().map(|m| {
                    let fresh = m.changed_at.zip(before).is_some_and(|(n, b)| n > b);
                    html! {
                        <tr data-metric={m.name.clone()} class={classes!(fresh.then_some("changed"))}>
                            <td><code>{ &m.name }</code></td>
                            <td class="num value">{ m.value }</td>
                            <td class="num change">{ change(lang, m, &p.send) }</td>
                            <td class="unit">{ lang.t(unit(&m.name)) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}

/// `#N` (rewinds to event N) and `▲ +d` / `▼ −d`; a dash if the value never
/// changed.
fn change(lang: Lang, m: &Metric, send: &Send) -> Html {
    let Some(n) = m.changed_at else {
        return html! { <span class="muted" title={lang.t("unchanged since the start")}>{ "—" }</span> };
    };
    let send = send.clone();
    html! {
        <>
            <button class="event" data-n={n.to_string()}
                aria-label={lang.f("Rewind to event {}, where it changed", &[&n])}
                onclick={Callback::from(move |_| send.emit(Request::Replay { to: n }))}>
                { format!("#{n}") }
            </button>
            { " " }<span class="delta">{ delta_text(m.delta) }</span>
        </>
    }
}

/// `▲ +1`, `▼ −1` (a real minus sign).
fn delta_text(d: i64) -> String {
    match d {
        d if d > 0 => format!("▲ +{d}"),
        d if d < 0 => format!("▼ −{}", d.unsigned_abs()),
        _ => String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_says_its_direction_in_text() {
        assert_eq!(delta_text(1), "▲ +1");
        assert_eq!(delta_text(-3), "▼ −3");
    }
}

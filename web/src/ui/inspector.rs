//! The record inspector: one record's story as the engine tells it
//! ([`RecordStory`]) for the cluster shown: which replicas hold it, when it
//! was appended, copied and committed, which messages carried it, who
//! consumed and committed it and, if it was lost, why. Every event number
//! is a button that rewinds there, as in the event log. Text only.
//!
//! Opening it moves keyboard focus into it; Escape (or Close) closes it and
//! gives focus back to the control that opened it (a strip cell, a
//! producer's record).

use kafkascope_view::engine::Request;
use kafkascope_view::inspect::{Carrier, Holds, LossReason, RecordRef, RecordStory, Step, Verdict};
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::prelude::*;

use super::{focus, ids, Send, Snap};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub lang: Lang,
    pub snap: Snap,
    pub send: Send,
    /// Closes the inspector (the page stops asking for the record).
    pub on_close: Callback<()>,
}

#[function_component(InspectorPanel)]
pub fn inspector_panel(p: &InspectorProps) -> Html {
    let section = use_node_ref();
    // The control that opened the inspector, and a selector to find it
    // again once the strips were re-rendered.
    let opener = use_mut_ref(|| None::<(Element, String)>);
    let asked = p.snap.0.record.as_ref().map(|s| s.asked.clone());
    {
        let (section, opener) = (section.clone(), opener.clone());
        use_effect_with(asked, move |asked| {
            let panel = section.cast::<HtmlElement>();
            if let (Some(_), Some(panel)) = (asked, panel) {
                if let Some(el) = focus::active().filter(|el| !panel.contains(Some(el))) {
                    let selector = focus::selector_of(&el);
                    *opener.borrow_mut() = Some((el, selector));
                }
                let _ = panel.focus();
            }
        });
    }
    let Some(story) = &p.snap.0.record else {
        return html! {};
    };
    let lang = p.lang;
    let close = {
        let (on_close, opener) = (p.on_close.clone(), opener.clone());
        move || {
            on_close.emit(());
            if let Some((el, selector)) = opener.borrow_mut().take() {
                focus::restore(&el, &selector);
            }
        }
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                close();
            }
        })
    };
    let close = Callback::from(move |_: MouseEvent| close());
    html! {
        <section class="panel inspector" id="inspector" aria-labelledby="inspector-title"
            ref={section} tabindex="-1" {onkeydown}>
            <h2 id="inspector-title">{ lang.t("Record inspector") }</h2>
            <p class="record-name">{ title(lang, story) }</p>
            if let Some(problem) = &story.problem {
                <p class="problem" role="status">{ problem }</p>
            } else {
                <p class={classes!("verdict", verdict_class(&story.verdict))} id="record-verdict" role="status">
                    { verdict(lang, story, &p.send) }
                </p>
                if !story.holders.is_empty() {
                    <h3>{ lang.t("Replicas now") }</h3>
                    <ul class="holders" id="record-holders">
                        { for story.holders.iter().map(|h| html! {
                            <li data-broker={h.broker.to_string()} data-holds={holds_key(&h.holds)}>
                                { format!("broker {}", h.broker) }
                                if h.leader { { format!(" ({})", lang.t("leader")) } }
                                if !h.broker_up { { format!(" ({})", lang.t("broker down")) } }
                                { ": " }
                                { match &h.holds {
                                    Holds::This => lang.t("holds this record").to_string(),
                                    Holds::Other { value, send_id } => lang.f("holds another record there: {} ({})", &[value, &send_id.as_deref().unwrap_or("—")]),
                                    Holds::Nothing => lang.t("has nothing at this offset").to_string(),
                                } }
                            </li>
                        }) }
                    </ul>
                }
                <h3>{ lang.t("What happened to it") }</h3>
                if story.steps.is_empty() {
                    <p class="muted">{ lang.t("The trace says nothing about it yet.") }</p>
                }
                <ol class="story" id="record-story">
                    { for story.steps.iter().map(|s| html! {
                        <li data-step={s.step.kind()}>
                            { event_button(&p.send, s.n) }
                            { format!(" · {} ms · ", s.t) }
                            { step(lang, &s.step, &p.send) }
                        </li>
                    }) }
                </ol>
            }
            <button id="inspector-close" onclick={close} aria-keyshortcuts="Escape">{ lang.t("Close") }</button>
        </section>
    }
}

fn title(lang: Lang, s: &RecordStory) -> String {
    let mut parts = Vec::new();
    if !s.partition.is_empty() {
        parts.push(s.partition.clone());
    }
    if let Some(o) = s.offset {
        parts.push(lang.f("offset {}", &[&o]));
    }
    if let Some(e) = s.leader_epoch {
        parts.push(lang.f("appended in leader epoch {}", &[&e]));
    }
    if let Some(id) = &s.send_id {
        parts.push(lang.f("send {}", &[id]));
    }
    if let Some(v) = &s.value {
        parts.push(lang.f("value {}", &[v]));
    }
    if parts.is_empty() {
        if let RecordRef::Send { send_id } = &s.asked {
            parts.push(send_id.clone());
        }
    }
    parts.join(" · ")
}

/// `#N`, a button that rewinds the cluster to right after event N.
fn event_button(send: &Send, n: u64) -> Html {
    let send = send.clone();
    html! {
        <button class="event" data-n={n.to_string()}
            onclick={Callback::from(move |_| send.emit(Request::Replay { to: n }))}>
            { format!("#{n}") }
        </button>
    }
}

fn carrier(lang: Lang, c: &Carrier, send: &Send) -> Html {
    html! {
        <span class="carrier">
            { format!("{} {} → {}", c.api, c.from, c.to) }
            if let Some(n) = c.sent { { format!(" · {} ", lang.t("sent")) }{ event_button(send, n) } }
            if let Some(n) = c.delivered { { format!(" · {} ", lang.t("delivered")) }{ event_button(send, n) } }
        </span>
    }
}

fn step(lang: Lang, s: &Step, send: &Send) -> Html {
    match s {
        Step::Sent { producer, request } => html! {
            <>{ lang.f("producer {} sent it in a Produce request: ", &[producer]) }{ carrier(lang, request, send) }</>
        },
        Step::RequestDropped { request, reason } => html! {
            <>{ lang.f("the Produce request was dropped ({}): ", &[reason]) }{ carrier(lang, request, send) }</>
        },
        Step::Appended {
            broker,
            leader_epoch,
            request,
        } => html! {
            <>
                { lang.f("appended to the leader's log on broker {} in leader epoch {}", &[broker, leader_epoch]) }
                if let Some(r) = request { { "; " }{ lang.t("carried by ") }{ carrier(lang, r, send) } }
            </>
        },
        Step::Replicated {
            broker,
            leader,
            response,
        } => html! {
            <>
                { lang.f("broker {} copied it from leader {}", &[broker, leader]) }
                if let Some(r) = response { { "; " }{ lang.t("carried by ") }{ carrier(lang, r, send) } }
            </>
        },
        Step::HwCrossed { broker, hw } => html! {
            { lang.f("the HW of leader {} passed it (HW {}): committed", &[broker, hw]) }
        },
        Step::Acked { producer, offset } if *offset < 0 => html! {
            { lang.f("producer {} counted it as sent without an answer (acks=0)", &[producer]) }
        },
        Step::Acked { producer, offset } => html! {
            { lang.f("producer {} got its ack: offset {}", &[producer, offset]) }
        },
        Step::Retried { producer, error } => html! {
            { lang.f("producer {} will send it again after {}", &[producer, error]) }
        },
        Step::Failed { producer, error } => html! {
            { lang.f("producer {}'s send failed: {}", &[producer, error]) }
        },
        Step::Fetched {
            consumer,
            broker,
            response,
        } => html! {
            <>
                { lang.f("consumer {} fetched it from broker {}", &[consumer, broker]) }
                if let Some(r) = response { { "; " }{ lang.t("carried by ") }{ carrier(lang, r, send) } }
            </>
        },
        Step::Polled { consumer } => html! {
            { lang.f("poll() of consumer {} returned it to the application", &[consumer]) }
        },
        Step::Committed {
            consumer,
            group,
            offset,
        } => html! {
            { lang.f("group {} committed offset {} past it (by consumer {})", &[&group.as_deref().unwrap_or("—"), offset, consumer]) }
        },
        Step::LeaderChanged {
            broker,
            leader_epoch,
            reason,
            has_it,
        } => {
            let who = if *broker < 0 {
                lang.t("no leader").to_string()
            } else {
                format!("broker {broker}")
            };
            let had = if *broker < 0 {
                String::new()
            } else if *has_it {
                format!(" · {}", lang.t("it holds this record"))
            } else {
                format!(" · {}", lang.t("it does not hold this record"))
            };
            html! { { format!("{}{had}", lang.f("new leader: {} (leader epoch {}, {})", &[&who, leader_epoch, reason])) } }
        }
        Step::Truncated { broker, to, rule } => html! {
            { lang.f("broker {} truncated its log to offset {} ({} rule): this record is gone from it", &[broker, to, rule]) }
        },
        Step::BrokerDown { broker } => html! {
            { lang.f("broker {}, which holds it, went down", &[broker]) }
        },
        Step::PowerLoss {
            broker,
            recovered_leo,
        } => html! {
            { lang.f("broker {} recovered its log to LEO {} without it: it was not flushed when the power went", &[broker, recovered_leo]) }
        },
        Step::Deleted { broker, log_start } => html! {
            { lang.f("retention on broker {} moved the log start to {}", &[broker, log_start]) }
        },
    }
}

fn verdict(lang: Lang, s: &RecordStory, send: &Send) -> Html {
    match &s.verdict {
        Verdict::Committed => {
            html! { { lang.t("Committed: the leader holds it below its high watermark.") } }
        }
        Verdict::NotCommitted => {
            html! { { lang.t("Not committed yet: the leader holds it, but the HW has not passed it.") } }
        }
        Verdict::Unavailable => {
            html! { { lang.t("Unavailable: the partition has no leader; a replica still holds it.") } }
        }
        Verdict::Deleted => html! { { lang.t("Deleted by retention.") } },
        Verdict::NeverAppended => html! { { lang.t("Never appended to any log.") } },
        Verdict::Lost(r) => match r {
            LossReason::ElectedWithout {
                n,
                broker,
                leader_epoch,
                unclean,
                holders,
            } => html! {
                <>
                    { lost_word(lang, s) }
                    { lang.f(if *unclean {
                        "broker {} became leader (leader epoch {}) in an unclean election, from outside the ISR, without it; only {} had it."
                    } else {
                        "broker {} became leader (leader epoch {}) without it: it had never been copied beyond {}."
                    }, &[broker, leader_epoch, &ids(holders)]) }
                    { " " }
                    { match n {
                        Some(n) => event_button(send, *n),
                        None => html! { { lang.t("(the controller's write is in ZooKeeper; its answer is not in the trace yet)") } },
                    } }
                </>
            },
            LossReason::PowerLoss { n, brokers } => html! {
                <>
                    { lost_word(lang, s) }
                    { lang.f("every copy ({}) was unflushed when its broker lost power.", &[&ids(brokers)]) }
                    { " " }{ event_button(send, *n) }
                </>
            },
            LossReason::Truncated { n, broker } => html! {
                <>
                    { lost_word(lang, s) }
                    { lang.f("the last copy was truncated on broker {}.", &[broker]) }
                    { " " }{ event_button(send, *n) }
                </>
            },
            LossReason::Unknown => {
                html! { <>{ lost_word(lang, s) }{ lang.t("no replica holds it, and the trace does not say why.") }</> }
            }
        },
    }
}

/// A gone record is a loss only if the producer was told it was written.
fn lost_word(lang: Lang, s: &RecordStory) -> &'static str {
    if s.acked {
        lang.t("Lost: ")
    } else {
        lang.t("Gone, but never acknowledged to the producer (not a loss): ")
    }
}

fn verdict_class(v: &Verdict) -> &'static str {
    match v {
        Verdict::Committed => "committed",
        Verdict::NotCommitted => "uncommitted",
        Verdict::Unavailable => "unavailable",
        Verdict::Lost(_) => "lost",
        Verdict::Deleted => "deleted",
        Verdict::NeverAppended => "never-appended",
    }
}

fn holds_key(h: &Holds) -> &'static str {
    match h {
        Holds::This => "this",
        Holds::Other { .. } => "other",
        Holds::Nothing => "nothing",
    }
}

//! Fork and compare: the guided demo's setting lines as editable fields;
//! forking re-runs the demo from the same seed with the edits, up to the
//! current step, and the two runs are shown side by side. The comparison
//! itself is computed by `kafkascope_view::compare` in the engine worker;
//! this only renders it. Differences carry a "≠" and a word, never only a
//! colour.

use std::collections::BTreeMap;

use kafkascope_view::compare::{
    Cell, Comparison, Divergence, ExpectDiff, Field, PartitionDiff, Row,
};
use kafkascope_view::engine::Request;
use kafkascope_view::guide::{ConfigLine, GuideView};
use kafkascope_view::EventLine;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::Lang;
use crate::ui::{ids, Send, Snap};

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub lang: Lang,
    pub snap: Snap,
    pub send: Send,
}

#[function_component(ComparePanel)]
pub fn compare_panel(p: &CompareProps) -> Html {
    let lang = p.lang;
    // The fields as typed, by line (reset when another demo is loaded:
    // the panel is keyed by the demo's file).
    let typed = use_mut_ref(BTreeMap::<usize, String>::new);
    let Some(g) = p.snap.0.guide.as_ref() else {
        return html! {};
    };
    let current = |c: &ConfigLine| -> String {
        typed
            .borrow()
            .get(&c.line)
            .cloned()
            .or_else(|| {
                g.fork
                    .iter()
                    .find(|f| f.line == c.line)
                    .map(|f| f.text.clone())
            })
            .unwrap_or_else(|| c.text.clone())
    };
    let fork = {
        let (send, typed, g) = (p.send.clone(), typed.clone(), g.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = typed.borrow();
            let lines = g
                .config
                .iter()
                .map(|c| ConfigLine {
                    line: c.line,
                    text: typed
                        .get(&c.line)
                        .cloned()
                        .or_else(|| {
                            g.fork
                                .iter()
                                .find(|f| f.line == c.line)
                                .map(|f| f.text.clone())
                        })
                        .unwrap_or_else(|| c.text.clone()),
                })
                .collect();
            send.emit(Request::Fork { lines });
        })
    };
    let unfork = {
        let (send, typed) = (p.send.clone(), typed.clone());
        Callback::from(move |_: MouseEvent| {
            typed.borrow_mut().clear();
            send.emit(Request::Unfork);
        })
    };
    let field = |c: &ConfigLine| {
        let id = format!("fork-line-{}", c.line);
        let oninput = {
            let (typed, line) = (typed.clone(), c.line);
            Callback::from(move |e: InputEvent| {
                let v = e.target_unchecked_into::<HtmlInputElement>().value();
                typed.borrow_mut().insert(line, v);
            })
        };
        let edited = g.fork.iter().any(|f| f.line == c.line);
        html! {
            <li class={classes!(edited.then_some("edited"))}>
                <label for={id.clone()}>{ lang.f("line {}", &[&c.line]) }</label>
                <input id={id} type="text" spellcheck="false" autocomplete="off"
                    value={current(c)} {oninput} />
                if edited {
                    <span class="mark">{ "≠ " }{ lang.t("edited") }</span>
                }
            </li>
        }
    };
    html! {
        <section class="panel compare" id="compare" aria-labelledby="compare-title">
            <h2 id="compare-title">{ lang.t("Fork and compare") }</h2>
            <p class="hint">{ lang.f("Change the demo's settings and run it again from the same seed ({}) up to this step; the original and the fork are shown side by side, and both go on with the next steps.", &[&p.snap.0.seed]) }</p>
            <form class="fork" onsubmit={fork}>
                <ol class="fork-lines">{ for g.config.iter().map(field) }</ol>
                <div class="row">
                    <button id="fork-run" type="submit">{ lang.t("Fork and re-run") }</button>
                    if !g.fork.is_empty() || p.snap.0.compare.is_some() {
                        <button id="fork-close" type="button" onclick={unfork}>{ lang.t("Close the comparison") }</button>
                    }
                </div>
            </form>
            if !g.fork_errors.is_empty() {
                <ul class="error" id="fork-errors" role="alert">
                    { for g.fork_errors.iter().map(|e| html! {
                        <li>{ lang.t("error") }{ ": " }{ lang.f("line {}: {}", &[&e.line, &e.message]) }</li>
                    }) }
                </ul>
            }
            if let Some(c) = p.snap.0.compare.as_ref() {
                { comparison(lang, g, c, &p.send) }
            }
        </section>
    }
}

fn comparison(lang: Lang, g: &GuideView, c: &Comparison, send: &Send) -> Html {
    let n = c.differences();
    html! {
        <div class="comparison" id="comparison">
            <p id="compare-summary">
                <strong>{ lang.f("Original and fork at step {} of {}, both from seed {}: {} differences.", &[&g.step, &g.steps, &c.seed, &n]) }</strong>
            </p>
            if c.edits.is_empty() {
                <p class="hint" id="compare-edits">{ lang.t("The fork changes no setting.") }</p>
            } else {
                <ul class="edits" id="compare-edits">
                    { for c.edits.iter().map(|e| html! {
                        <li>
                            { lang.f("line {}", &[&e.line]) }{ ": " }
                            <del><code>{ &e.original }</code></del>{ " → " }<ins><code>{ &e.fork }</code></ins>
                        </li>
                    }) }
                </ul>
            }
            <h3>{ lang.t("First difference in the traces") }</h3>
            <div id="compare-divergence">{ divergence(lang, c, send) }</div>
            <h3>{ lang.t("Checks") }</h3>
            if c.expects.is_empty() {
                <p class="hint">{ lang.t("No checks ran yet.") }</p>
            } else {
                <table class="diff" id="compare-expects">
                    <thead><tr>
                        <th scope="col">{ lang.t("Line") }</th>
                        <th scope="col">{ lang.t("Check") }</th>
                        <th scope="col">{ lang.t("Original") }</th>
                        <th scope="col">{ lang.t("Fork") }</th>
                        <th scope="col">{ lang.t("Difference") }</th>
                    </tr></thead>
                    <tbody>{ for c.expects.iter().map(|e| expect_row(lang, e)) }</tbody>
                </table>
            }
            <h3>{ lang.t("Partitions") }</h3>
            { for c.partitions.iter().map(|d| partition(lang, d)) }
            if !c.clients.is_empty() {
                <h3>{ lang.t("Producers and groups") }</h3>
                { for c.clients.iter().map(|d| partition(lang, d)) }
            }
        </div>
    }
}

fn event(lang: Lang, e: &EventLine) -> Html {
    html! {
        <>
            { lang.f("event {} at {} ms", &[&e.n, &e.t]) }{ ": " }<code>{ &e.text }</code>
        </>
    }
}

/// Rewinds the original to its event `e` (the event log's replay: the
/// cluster right after the step that recorded it), to look at the moment
/// the runs part and step on from there.
fn before(lang: Lang, e: &EventLine, send: &Send) -> Html {
    let (send, to) = (send.clone(), e.n);
    html! {
        <button id="compare-rewind" type="button"
            onclick={Callback::from(move |_: MouseEvent| send.emit(Request::Replay { to }))}>
            { lang.t("Show the original at this event") }
        </button>
    }
}

fn divergence(lang: Lang, c: &Comparison, send: &Send) -> Html {
    match &c.divergence {
        Divergence::Same => html! {
            <p class="same">{ "= " }{ lang.t("The two runs took the same path so far.") }</p>
        },
        Divergence::At { original, fork } => html! {
            <>
                <dl class="divergence">
                    <dt>{ lang.t("Original") }</dt><dd class="original">{ event(lang, original) }</dd>
                    <dt>{ lang.t("Fork") }</dt><dd class="fork">{ event(lang, fork) }</dd>
                </dl>
                { before(lang, original, send) }
            </>
        },
        Divergence::OnlyIn { in_fork, event: e } => html! {
            <>
                <p>
                    { if *in_fork { lang.t("Only the fork goes on:") } else { lang.t("Only the original goes on:") } }
                    { " " }{ event(lang, e) }
                </p>
                if !*in_fork {
                    { before(lang, e, send) }
                }
            </>
        },
    }
}

/// The "differs" cell: a symbol and a word.
fn mark(lang: Lang, differs: bool) -> Html {
    if differs {
        html! { <td class="mark">{ "≠ " }{ lang.t("differs") }</td> }
    } else {
        html! { <td class="mark same"><span aria-hidden="true">{ "=" }</span><span class="sr">{ lang.t("same") }</span></td> }
    }
}

fn verdict(lang: Lang, e: Option<&kafkascope_view::guide::ExpectOutcome>) -> Html {
    match e {
        None => html! { <span class="muted">{ lang.t("not reached") }</span> },
        Some(e) if e.passed => html! { <span class="pass">{ "✓ PASS" }</span> },
        Some(e) => html! {
            <span class="fail">{ "✗ FAIL" }{ " " }{ lang.f("(was {})", &[&e.was]) }</span>
        },
    }
}

fn expect_row(lang: Lang, e: &ExpectDiff) -> Html {
    let d = e.differs();
    html! {
        <tr class={classes!(d.then_some("differs"))} data-line={e.line.to_string()}>
            <td class="num">{ e.line }</td>
            <td><code>{ &e.predicate }</code></td>
            <td class="original">{ verdict(lang, e.original.as_ref()) }</td>
            <td class="fork">{ verdict(lang, e.fork.as_ref()) }</td>
            { mark(lang, d) }
        </tr>
    }
}

fn field(lang: Lang, f: &Field) -> (String, String) {
    match f {
        Field::Leader => ("leader".into(), lang.t("Leader").into()),
        Field::Isr => ("isr".into(), "ISR".into()),
        Field::Hw(b) => (format!("hw-{b}"), lang.f("HW on broker {}", &[b])),
        Field::Leo(b) => (format!("leo-{b}"), lang.f("LEO on broker {}", &[b])),
        Field::Log(b) => (format!("log-{b}"), lang.f("Log on broker {}", &[b])),
        Field::Acks => ("acks".into(), "acks".into()),
        Field::Acked => ("acked".into(), lang.t("Records acknowledged").into()),
        Field::Lost => ("lost".into(), lang.t("Acknowledged, then lost").into()),
        Field::Failed => ("failed".into(), lang.t("Sends that failed").into()),
        Field::GroupState => ("state".into(), lang.t("State").into()),
        Field::Assignment(m) => (format!("assignment-{m}"), lang.f("Assignment of {}", &[m])),
        Field::Committed(p) => (
            format!("committed-{p}"),
            lang.f("Committed offset of {}", &[p]),
        ),
    }
}

/// A compared value as text; a log's values with `epoch N:` before each
/// leader epoch's run when `epochs` (the two runs differ only there).
fn cell(lang: Lang, c: &Cell, epochs: bool) -> String {
    match c {
        Cell::Broker(Some(b)) => b.to_string(),
        Cell::Broker(None) => lang.t("none").into(),
        Cell::Brokers(v) => ids(v),
        Cell::Offset(o) => o.to_string(),
        Cell::Count(n) => n.to_string(),
        Cell::Text(t) if t.is_empty() => lang.t("none").into(),
        Cell::Text(t) => t.clone(),
        Cell::Records { values, .. } if values.is_empty() => lang.t("(empty)").into(),
        Cell::Records { first, values, .. } => {
            let list = if epochs {
                c.epoch_runs()
                    .iter()
                    .map(|(e, v)| format!("{} {}", lang.f("epoch {}:", &[e]), v.join(",")))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                values.join(",")
            };
            if *first == 0 {
                list
            } else {
                format!("{} {list}", lang.f("from offset {}:", &[first]))
            }
        }
        Cell::Absent => lang.t("(not in this run)").into(),
    }
}

fn row(lang: Lang, r: &Row) -> Html {
    let (key, label) = field(lang, &r.field);
    let d = r.differs();
    let epochs = r.only_epochs_differ();
    html! {
        <tr class={classes!(d.then_some("differs"))} data-field={key}>
            <th scope="row">{ label }</th>
            <td class="original">{ cell(lang, &r.original, epochs) }</td>
            <td class="fork">{ cell(lang, &r.fork, epochs) }</td>
            { mark(lang, d) }
        </tr>
    }
}

fn partition(lang: Lang, d: &PartitionDiff) -> Html {
    let n = d.differences();
    html! {
        <details class="partition-diff" id={format!("compare-{}", d.name.replace(' ', "-"))} open={n > 0}>
            <summary>
                <strong>{ &d.name }</strong>{ " — " }
                if n == 0 {
                    { lang.t("no difference") }
                } else {
                    { "≠ " }{ lang.f("{} differences", &[&n]) }
                }
            </summary>
            <table class="diff">
                <thead><tr>
                    <th scope="col"><span class="sr">{ lang.t("What") }</span></th>
                    <th scope="col">{ lang.t("Original") }</th>
                    <th scope="col">{ lang.t("Fork") }</th>
                    <th scope="col">{ lang.t("Difference") }</th>
                </tr></thead>
                <tbody>{ for d.rows.iter().map(|r| row(lang, r)) }</tbody>
            </table>
        </details>
    }
}

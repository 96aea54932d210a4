//! The guided demo beside the cluster: the demo's title, what it teaches
//! and the seed lines it explains; the current narration step ("step k of
//! n") in the page's language, the `expect`s that step reached with PASS or
//! FAIL, and buttons to move between steps. The engine worker runs the
//! steps (`crates/engine-worker/src/guide.rs`).

use kafkascope_view::engine::Request;
use kafkascope_view::guide::{ExpectOutcome, GuideView};
use yew::prelude::*;

use crate::i18n::Lang;
use crate::ui::{Send, Snap};

#[derive(Properties, PartialEq)]
pub struct GuideProps {
    pub lang: Lang,
    pub snap: Snap,
    pub send: Send,
}

#[function_component(GuidePanel)]
pub fn guide_panel(p: &GuideProps) -> Html {
    let lang = p.lang;
    let Some(g) = p.snap.0.guide.as_ref() else {
        return html! {};
    };
    let zh = lang == Lang::Zh;
    let go = |step: u32| {
        let send = p.send.clone();
        Callback::from(move |_: MouseEvent| send.emit(Request::GuideStep { step }))
    };
    html! {
        <aside class="panel guide" id="guide" aria-labelledby="guide-title">
            <h2 id="guide-title">
                <span class="muted">{ lang.t("Guided demo") }{ ": " }</span>{ g.title.get(zh) }
            </h2>
            <p class="teaches" id="guide-teaches">{ g.teaches.get(zh) }</p>
            { seeds(lang, g) }
            <p class="progress" id="guide-progress">
                <strong>{ lang.f("Step {} of {}", &[&g.step, &g.steps]) }</strong>
            </p>
            <progress max={g.steps.to_string()} value={g.step.to_string()} aria-hidden="true"></progress>
            <p class="say" id="guide-say" aria-live="polite">{ g.say.get(zh) }</p>
            <h3>{ lang.t("Checks in this step") }</h3>
            if g.expects.is_empty() {
                <p class="hint" id="guide-no-checks">{ lang.t("This step has no checks.") }</p>
            } else {
                <ul class="checks" id="guide-expects">
                    { for g.expects.iter().map(|e| check(lang, e)) }
                </ul>
            }
            <p class="hint" id="guide-tally">{ lang.f("So far: {} PASS, {} FAIL.", &[&g.passed, &g.failed]) }</p>
            <div class="row" role="group" aria-label={lang.t("Guided demo")}>
                <button id="guide-prev" disabled={g.step <= 1} onclick={go(g.step.saturating_sub(1))}>
                    <span aria-hidden="true">{ "← " }</span>{ lang.t("Previous step") }
                </button>
                <button id="guide-next" disabled={g.at_end()} onclick={go(g.step + 1)}>
                    { lang.t("Next step") }<span aria-hidden="true">{ " →" }</span>
                </button>
                <button id="guide-end" disabled={g.at_end()} onclick={go(g.steps)}>{ lang.t("Run to the end") }</button>
                <button id="guide-restart" disabled={g.step <= 1} onclick={go(1)}>{ lang.t("Back to step 1") }</button>
            </div>
            <p class="hint">{ lang.t("Next step runs the demo up to its next narration; the other buttons replay it from its seed.") }</p>
        </aside>
    }
}

fn seeds(lang: Lang, g: &GuideView) -> Html {
    if g.seeds.is_empty() {
        return html! {};
    }
    html! {
        <details class="seeds" id="guide-seeds">
            <summary>{ lang.f("The seed lines it explains ({})", &[&g.seeds.len()]) }</summary>
            <ul>
                { for g.seeds.iter().map(|s| html! {
                    <li>
                        <blockquote lang="zh-CN">{ &s.quote }</blockquote>
                        if lang == Lang::En {
                            <p class="seed-en">{ &s.en }</p>
                        }
                        <cite class="muted">{ &s.file }</cite>
                    </li>
                }) }
            </ul>
        </details>
    }
}

/// One `expect`: PASS/FAIL in text and a symbol, not only by colour.
pub fn check(lang: Lang, e: &ExpectOutcome) -> Html {
    let (class, mark, verdict) = if e.passed {
        ("pass", "✓", "PASS")
    } else {
        ("fail", "✗", "FAIL")
    };
    html! {
        <li class={class}>
            <span class="verdict"><span aria-hidden="true">{ mark }{ " " }</span>{ verdict }</span>
            { " " }<span class="muted">{ lang.f("line {}", &[&e.line]) }</span>
            { " " }<code>{ &e.predicate }</code>
            if !e.passed {
                { " " }<span class="was">{ lang.f("(was {})", &[&e.was]) }</span>
            }
        </li>
    }
}

//! Scenario files and links: load a `.scn` file, start a new session with a
//! seed, and a link that carries this session (`#scenario=…&seed=N`).

use std::rc::Rc;

use kafkascope_view::engine::{DemoInfo, Request, DEFAULT_SEED};
use kafkascope_view::share;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{Send, Snap};
use crate::app::{Entry, Load};
use crate::engine::{describe, Source};
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct ScenarioProps {
    pub lang: Lang,
    pub snap: Option<Snap>,
    pub send: Send,
    /// Loads a script; the page notes it once the engine accepted it.
    pub load: Load,
    pub log: Callback<Entry>,
    pub demos: Rc<Vec<DemoInfo>>,
}

#[function_component(ScenarioPanel)]
pub fn scenario_panel(p: &ScenarioProps) -> Html {
    let lang = p.lang;
    let current_seed = p.snap.as_ref().map_or(DEFAULT_SEED, |s| s.0.seed);
    let seed = use_state(|| None::<u64>);
    let seed_v = seed.unwrap_or(current_seed);
    let on_seed = {
        let seed = seed.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            seed.set(v.trim().parse::<u64>().ok());
        })
    };
    let new_session = {
        let send = p.send.clone();
        Callback::from(move |_| send.emit(Request::New { seed: seed_v }))
    };
    let on_file = {
        let load = p.load.clone();
        let log = p.log.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // The same file can be chosen again after editing it.
            input.set_value("");
            let (load, log) = (load.clone(), log.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                match JsFuture::from(file.text()).await {
                    Ok(text) => {
                        let script = text.as_string().unwrap_or_default();
                        log.emit(Entry::Input(format!("# {name}")));
                        load.emit((
                            Request::Load {
                                script,
                                seed: seed_v,
                            },
                            Source {
                                accepted: lang.f("Loaded {}.", &[&name]),
                                file: Some(name),
                            },
                        ));
                    }
                    Err(err) => log.emit(Entry::Problem(lang.f(
                        "the file {} could not be read: {}",
                        &[&name, &describe(&err)],
                    ))),
                }
            });
        })
    };
    let demo = use_state(String::new);
    let chosen = p
        .demos
        .iter()
        .find(|d| d.file == *demo)
        .or_else(|| p.demos.first());
    let on_demo = {
        let demo = demo.clone();
        Callback::from(move |e: Event| {
            demo.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let load_demo = {
        let (load, log) = (p.load.clone(), p.log.clone());
        let chosen = chosen.cloned();
        Callback::from(move |_| {
            if let Some(d) = &chosen {
                log.emit(Entry::Input(format!("# {}", d.file)));
                load.emit((
                    Request::LoadDemo {
                        file: d.file.clone(),
                        seed: seed_v,
                    },
                    Source {
                        file: Some(d.file.clone()),
                        accepted: lang.f("Loaded {}.", &[&d.file]),
                    },
                ));
            }
        })
    };
    // The same demo, one narration step at a time (the guide beside the
    // cluster).
    let guide_demo = {
        let (send, log) = (p.send.clone(), p.log.clone());
        let chosen = chosen.cloned();
        Callback::from(move |_| {
            if let Some(d) = &chosen {
                log.emit(Entry::Input(format!("# {}", d.file)));
                send.emit(Request::GuideDemo {
                    file: d.file.clone(),
                    seed: seed_v,
                });
            }
        })
    };
    let title = |d: &DemoInfo| match lang {
        Lang::En => d.title_en.clone(),
        Lang::Zh => d.title_zh.clone(),
    };
    let link = p
        .snap
        .as_ref()
        .filter(|s| !s.0.script.is_empty())
        .map(|s| format!("#{}", share::to_fragment(&s.0.script, s.0.seed)));
    // Saving is a download of the script as a data: URL (no blob, no
    // script needed; the CSP governs fetches, not downloads).
    let save = p.snap.as_ref().filter(|s| !s.0.script.is_empty()).map(|s| {
        format!(
            "data:text/plain;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(&s.0.script))
        )
    });
    html! {
        <section class="panel scenario" aria-labelledby="scenario-title">
            <h2 id="scenario-title">{ lang.t("Scenario") }</h2>
            if !p.demos.is_empty() {
                <div class="row">
                    <label>{ lang.t("Guided demos") }{ " " }
                        <select id="demo" onchange={on_demo}>
                            { for p.demos.iter().map(|d| html! {
                                <option value={d.file.clone()} selected={chosen.is_some_and(|c| c.file == d.file)}>{ title(d) }</option>
                            }) }
                        </select>
                    </label>
                    <button id="load-demo" onclick={load_demo}>{ lang.t("Load the demo") }</button>
                    <button id="guide-demo" onclick={guide_demo}>{ lang.t("Step through the demo") }</button>
                </div>
                if let Some(d) = chosen {
                    <p class="hint" id="demo-teaches">{ match lang { Lang::En => &d.teaches_en, Lang::Zh => &d.teaches_zh } }</p>
                }
            }
            <div class="row">
                <label>{ lang.t("Load a scenario file") }{ " " }
                    <input id="scenario-file" type="file" accept=".scn,text/plain" onchange={on_file} />
                </label>
            </div>
            <div class="row">
                <label>{ lang.t("Seed") }{ " " }
                    <input id="seed" type="number" min="0" value={seed_v.to_string()} onchange={on_seed} />
                </label>
                <button id="new-session" onclick={new_session}>{ lang.t("New session") }</button>
                if let Some(href) = link {
                    <a id="share-link" href={href}>{ lang.t("Link to this session") }</a>
                }
                if let Some(href) = save {
                    <a id="save-scenario" href={href} download="kafkascope.scn">{ lang.t("Save the scenario file") }</a>
                }
            </div>
        </section>
    }
}

//! Scenario files and links: load a `.scn` file, start a new session with a
//! seed, and a link that carries this session (`#scenario=…&seed=N`).

use kafkascope_view::engine::{Request, DEFAULT_SEED};
use kafkascope_view::share;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{Send, Snap};
use crate::app::Entry;
use crate::engine::describe;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct ScenarioProps {
    pub lang: Lang,
    pub snap: Option<Snap>,
    pub send: Send,
    pub log: Callback<Entry>,
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
        let send = p.send.clone();
        let log = p.log.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // The same file can be chosen again after editing it.
            input.set_value("");
            let (send, log) = (send.clone(), log.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                match JsFuture::from(file.text()).await {
                    Ok(text) => {
                        let script = text.as_string().unwrap_or_default();
                        log.emit(Entry::Input(format!("# {name}")));
                        log.emit(Entry::Note(lang.f("Loaded {}.", &[&name])));
                        send.emit(Request::Load {
                            script,
                            seed: seed_v,
                        });
                    }
                    Err(err) => log.emit(Entry::Problem(lang.f(
                        "the file {} could not be read: {}",
                        &[&name, &describe(&err)],
                    ))),
                }
            });
        })
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

//! The page's root: the engine connection, the page state, the layout.

use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use kafkascope_view::engine::{
    DemoInfo, FormCheck, LineError, Reply, Request, Update, DEFAULT_SEED,
};
use kafkascope_view::share;
use yew::prelude::*;

use crate::compare::ComparePanel;
use crate::engine::{Engine, Source};
use crate::guide::GuidePanel;
use crate::i18n::Lang;
use crate::storage::StoragePanel;
use crate::ui::{
    charts::ChartsPanel, clients::ClientsPanel, cluster::ClusterPanel, console::ConsolePanel,
    events::EventsPanel, inspector::InspectorPanel, links::LinksPanel, metrics::MetricsPanel,
    partitions::PartitionsPanel, runtime::RuntimePanel, scenario::ScenarioPanel,
    segments::SegmentsPanel, time::TimePanel, Checks, Send, Snap,
};

pub fn start() {
    // A bug that panics still ends up on the page, not only in the console.
    std::panic::set_hook(Box::new(|info| {
        show_fatal(&format!("Kafkascope stopped: {info}"))
    }));
    match web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
    {
        Some(el) => {
            yew::Renderer::<App>::with_root(el).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

fn show_fatal(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let (Ok(p), Some(body)) = (doc.create_element("p"), doc.body()) {
        p.set_class_name("error fatal");
        let _ = p.set_attribute("role", "alert");
        p.set_text_content(Some(message));
        let _ = body.prepend_with_node_1(&p);
    }
}

/// One line of the console.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// What the learner typed (or a file/link that was loaded).
    Input(String),
    /// Narration, `PASS`/`FAIL`, run-time `ERROR line N`.
    Output(String),
    /// A refused line: syntax or checker error; in a file (or demo) that
    /// was loaded, its name.
    Refused(Option<String>, LineError),
    /// Something outside the scenario (a bad link, a file that won't read).
    Problem(String),
    /// A note from the page (`Loaded x.`), already translated.
    Note(String),
}

/// The console keeps this many entries (the newest).
const CONSOLE_LEN: usize = 300;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Page {
    pub update: Option<Snap>,
    /// The metrics of the update before, to show what changed.
    pub previous: Option<Snap>,
    pub console: Vec<Entry>,
    pub engine_error: Option<String>,
    /// The guided demos the engine has.
    pub demos: Rc<Vec<DemoInfo>>,
    /// The trace, when one was asked for.
    pub trace: Option<Rc<String>>,
    /// The engine's checks of the forms' lines (latest answer).
    pub checks: Rc<Vec<FormCheck>>,
    /// Engine workers started after a failure (the forms ask again).
    pub engine_epoch: u32,
}

pub enum Action {
    /// A reply, with the source of the script its request loaded.
    Reply(Reply, Option<Source>),
    Log(Entry),
    /// A new engine worker replaces the failed one.
    Restarted(String),
}

impl Reducible for Page {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Reply(Reply::Hello, _) => return self,
            Action::Reply(Reply::Demos(list), _) => next.demos = Rc::new(list),
            Action::Reply(Reply::Trace { json_lines }, _) => next.trace = Some(Rc::new(json_lines)),
            Action::Reply(Reply::Checked(checks), _) => next.checks = Rc::new(checks),
            Action::Reply(Reply::Failed { message }, _) => {
                next.console.push(Entry::Problem(message.clone()));
                next.engine_error.get_or_insert(message);
            }
            Action::Reply(Reply::Update(u), source) => {
                let mut u: Update = *u;
                next.checks = Rc::new(std::mem::take(&mut u.checks));
                // A script is loaded only if the engine took it whole (on
                // an error the session is unchanged).
                let file = match source {
                    Some(s) if u.errors.is_empty() => {
                        next.console.push(Entry::Note(s.accepted));
                        None
                    }
                    Some(s) => s.file,
                    None => None,
                };
                next.console
                    .extend(u.output.iter().cloned().map(Entry::Output));
                next.console.extend(
                    u.errors
                        .iter()
                        .cloned()
                        .map(|e| Entry::Refused(file.clone(), e)),
                );
                if next.update.as_ref().map(|s| s.0.view.position) != Some(u.view.position) {
                    next.previous = next.update.take();
                }
                next.update = Some(Snap(Rc::new(u)));
            }
            Action::Log(e) => next.console.push(e),
            Action::Restarted(note) => {
                next.engine_error = None;
                next.checks = Rc::default();
                next.engine_epoch += 1;
                next.console.push(Entry::Note(note));
            }
        }
        let over = next.console.len().saturating_sub(CONSOLE_LEN);
        next.console.drain(..over);
        Rc::new(next)
    }
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Sends a script to load with where it came from ([`Source`]).
pub type Load = Callback<(Request, Source)>;

/// Loads the scenario of the URL's fragment, if any (errors to the console).
fn load_from_hash(load: &Load, log: &Callback<Entry>, lang: Lang, fallback_seed: u64) {
    match share::from_fragment(&location_hash()) {
        Ok(None) => {}
        Ok(Some(s)) => load.emit((
            Request::Load {
                script: s.scenario,
                seed: s.seed.unwrap_or(fallback_seed),
            },
            Source {
                file: None,
                accepted: lang.f("Loaded {} from the link.", &[&lang.t("Scenario")]),
            },
        )),
        Err(e) => log.emit(Entry::Problem(e)),
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let page = use_reducer(Page::default);
    let lang = use_state(|| Lang::En);
    let engine = use_mut_ref(|| None::<Engine>);
    let playing = use_state(|| false);
    // A session kept from the last visit, until the learner resumes it or
    // starts fresh (a page opened from a link loads the link instead).
    let offer = use_state(|| {
        (share::from_fragment(&location_hash()) == Ok(None))
            .then(crate::resume::load)
            .flatten()
    });
    let save_error = use_mut_ref(String::new);
    // What the inspectors (segments) look at; the engine keeps it too.
    let focus = use_state(kafkascope_view::inspect::Focus::default);
    let speed = use_state(|| 1.0f64);
    // Playing, as the interval sees it: cleared at once by a jump, before
    // the re-render that stops the interval (a tick sent in between would
    // reach the engine after the jump).
    let play_on = use_mut_ref(|| false);

    let send: Send = {
        let engine = engine.clone();
        let (set_playing, play_on) = (playing.setter(), play_on.clone());
        Callback::from(move |req: Request| {
            // A jump into the past (the event log, an ISR change, the
            // record inspector, the timeline, a comparison) pauses: ticks
            // run at the live end, so playing on would leave the past.
            if matches!(req, Request::Replay { .. }) {
                *play_on.borrow_mut() = false;
                set_playing.set(false);
            }
            if let Some(e) = engine.borrow().as_ref() {
                e.send(req);
            }
        })
    };
    let load: Load = {
        let engine = engine.clone();
        Callback::from(move |(req, source): (Request, Source)| {
            if let Some(e) = engine.borrow().as_ref() {
                e.send_from(req, source);
            }
        })
    };
    // The language now, for listeners made once (a link opened later).
    let lang_now = use_mut_ref(|| Lang::En);
    *lang_now.borrow_mut() = *lang;
    let log: Callback<Entry> = {
        let d = page.dispatcher();
        Callback::from(move |e| d.dispatch(Action::Log(e)))
    };

    // A line written by a button or a form: shown in the console, run.
    let run: Callback<String> = {
        let (send, log) = (send.clone(), log.clone());
        Callback::from(move |line: String| {
            log.emit(Entry::Input(line.clone()));
            send.emit(Request::Submit {
                text: format!("{line}\n"),
            });
        })
    };

    // Start the engine once; a fresh session, then the link's scenario.
    {
        let engine = engine.clone();
        let dispatcher = page.dispatcher();
        let load = load.clone();
        let log = log.clone();
        let lang_now = lang_now.clone();
        use_effect_with((), move |_| {
            let on_reply =
                Callback::from(move |(r, source)| dispatcher.dispatch(Action::Reply(r, source)));
            match Engine::spawn(on_reply.clone()) {
                Ok(e) => {
                    e.send(Request::New { seed: DEFAULT_SEED });
                    e.send(Request::Demos);
                    *engine.borrow_mut() = Some(e);
                    load_from_hash(&load, &log, *lang_now.borrow(), DEFAULT_SEED);
                }
                Err(message) => on_reply.emit((Reply::Failed { message }, None)),
            }
            // A link opened later in the same tab loads too, noted in the
            // language of that moment.
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    load_from_hash(&load, &log, *lang_now.borrow(), DEFAULT_SEED)
                })
            });
            move || {
                drop(listener);
                engine.borrow_mut().take();
            }
        });
    }

    // After a failure (a bug in the engine, a script that did not load): a
    // new worker, given the last script and seed it reported.
    let restart = {
        let engine = engine.clone();
        let dispatcher = page.dispatcher();
        let last = page.update.as_ref().map(|s| (s.0.script.clone(), s.0.seed));
        let lang = *lang;
        Callback::from(move |_: MouseEvent| {
            let d = dispatcher.clone();
            let on_reply = Callback::from(move |(r, source)| d.dispatch(Action::Reply(r, source)));
            dispatcher.dispatch(Action::Restarted(
                lang.t("Restarted the cluster engine.").to_string(),
            ));
            // Dropping the old handle terminates its worker.
            engine.borrow_mut().take();
            match Engine::spawn(on_reply.clone()) {
                Ok(e) => {
                    let (script, seed) = last.clone().unwrap_or_default();
                    let seed = if last.is_some() { seed } else { DEFAULT_SEED };
                    e.send(Request::New { seed });
                    e.send(Request::Language {
                        zh: lang == Lang::Zh,
                    });
                    e.send(Request::Demos);
                    if !script.is_empty() {
                        e.send(Request::Load { script, seed });
                    }
                    *engine.borrow_mut() = Some(e);
                }
                Err(message) => on_reply.emit((Reply::Failed { message }, None)),
            }
        })
    };

    // Keep the session for a reload, once any kept one was dealt with
    // (written only when it changed: playing updates often, and
    // localStorage writes block the page).
    let saved = use_mut_ref(|| None::<(String, u64, bool)>);
    {
        let (offer_open, log, save_error) = (offer.is_some(), log.clone(), save_error.clone());
        use_effect_with(page.update.clone(), move |snap| {
            let key = snap
                .as_ref()
                .map(|s| (s.0.script.clone(), s.0.seed, s.0.brokers_in_workers));
            let same = key.is_some() && *saved.borrow() == key;
            if let (Some(s), false, false) = (snap, offer_open, same) {
                let result = crate::resume::save(&s.0);
                let mut last = save_error.borrow_mut();
                match result {
                    Ok(()) => {
                        last.clear();
                        *saved.borrow_mut() = key;
                    }
                    // Said once, not after every update.
                    Err(e) if *last != e => {
                        log.emit(Entry::Problem(e.clone()));
                        *last = e;
                    }
                    Err(_) => {}
                }
            }
        });
    }
    let on_resume = {
        let (offer, send, load) = (offer.clone(), send.clone(), load.clone());
        let lang = *lang;
        Callback::from(move |_: MouseEvent| {
            if let Some(saved) = (*offer).clone() {
                if saved.workers {
                    send.emit(Request::Brokers { workers: true });
                }
                load.emit((
                    Request::Load {
                        script: saved.script,
                        seed: saved.seed,
                    },
                    Source {
                        file: None,
                        accepted: lang.t("Resumed the session you had open.").to_string(),
                    },
                ));
            }
            offer.set(None);
        })
    };
    let on_fresh = {
        let (offer, log) = (offer.clone(), log.clone());
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = crate::resume::clear() {
                log.emit(Entry::Problem(e));
            }
            offer.set(None);
        })
    };

    // The document's language follows the switch (screen readers, fonts),
    // and so does the engine's narration (`say.zh`).
    let send_lang = send.clone();
    use_effect_with(*lang, move |lang| {
        send_lang.emit(Request::Language {
            zh: *lang == Lang::Zh,
        });
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", lang.tag());
        }
    });

    // Playing: every 100 ms of real time, `tick` 100 ms × speed of virtual
    // time, only when the engine is idle (a slow tick is never queued up).
    {
        let engine = engine.clone();
        let play_on = play_on.clone();
        use_effect_with((*playing, (*speed * 1000.0) as u64), move |&(on, milli)| {
            *play_on.borrow_mut() = on;
            let interval = on.then(|| {
                Interval::new(100, move || {
                    if let Some(e) = engine.borrow().as_ref() {
                        if e.idle() && *play_on.borrow() {
                            e.send(Request::Tick {
                                ms: (milli / 10).max(1),
                            });
                        }
                    }
                })
            });
            move || drop(interval)
        });
    }

    let lang_v = *lang;
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            lang.set(if v == "zh" { Lang::Zh } else { Lang::En });
        })
    };
    // The record inspector: ask the engine for one record's story (kept
    // in the focus beside the segment view's), or stop with `None`.
    let inspect: Callback<Option<kafkascope_view::inspect::RecordRef>> = {
        let (focus, send) = (focus.clone(), send.clone());
        Callback::from(move |record| {
            let v = kafkascope_view::inspect::Focus {
                record,
                ..(*focus).clone()
            };
            focus.set(v.clone());
            send.emit(Request::Focus(v));
        })
    };
    let snap = page.update.clone();
    let checks = Checks {
        answers: page.checks.clone(),
        epoch: page.engine_epoch,
        send: send.clone(),
    };
    let no_cluster = snap.as_ref().is_some_and(|s| s.0.view.brokers.is_empty());

    html! {
        <main>
            <header class="top">
                <div>
                    <h1>{ "Kafkascope" }</h1>
                    <p class="tagline">{ lang_v.t("A Kafka cluster running in this tab: the brokers, ZooKeeper and the clients run in a web worker; type scenario commands, step through time, break things.") }</p>
                </div>
                <label class="lang">
                    { lang_v.t("Language") }{ " " }
                    <select id="lang" onchange={on_lang}>
                        <option value="en" selected={lang_v == Lang::En}>{ "English" }</option>
                        <option value="zh" selected={lang_v == Lang::Zh}>{ "简体中文" }</option>
                    </select>
                </label>
            </header>
            if let Some(err) = &page.engine_error {
                <p class="error" role="alert" id="engine-error">
                    { lang_v.f("The cluster engine failed: {}", &[err]) }
                    { " " }
                    <button id="restart-engine" onclick={restart}>{ lang_v.t("Restart the cluster engine") }</button>
                </p>
            }
            if let Some(saved) = &*offer {
                <p class="hint resume" id="resume-offer" role="status">
                    { lang_v.f("You had a session open ({} lines, seed {}). Resume it as it was, or start fresh?", &[&saved.script.lines().count(), &saved.seed]) }
                    { " " }
                    <button id="resume-session" onclick={on_resume}>{ lang_v.t("Resume it") }</button>
                    { " " }
                    <button id="fresh-session" onclick={on_fresh}>{ lang_v.t("Start fresh") }</button>
                </p>
            }
            if snap.is_none() && page.engine_error.is_none() {
                <p class="hint" id="engine-starting">{ lang_v.t("The cluster engine is starting…") }</p>
            }
            <div class="controls">
                <TimePanel lang={lang_v} snap={snap.clone()} send={send.clone()}
                    playing={*playing} speed={*speed}
                    on_play={{ let p = playing.clone(); Callback::from(move |on| p.set(on)) }}
                    on_speed={{ let s = speed.clone(); Callback::from(move |v| s.set(v)) }} />
                <ScenarioPanel lang={lang_v} snap={snap.clone()} send={send.clone()} load={load.clone()} log={log.clone()} demos={page.demos.clone()} />
            </div>
            <ConsolePanel lang={lang_v} entries={page.console.clone()} send={send.clone()} log={log.clone()} no_cluster={no_cluster} />
            if let Some(s) = snap {
                <div class="grid">
                    <GuidePanel lang={lang_v} snap={s.clone()} send={send.clone()} />
                    <ClusterPanel lang={lang_v} snap={s.clone()} run={run.clone()} />
                    <MetricsPanel lang={lang_v} snap={s.clone()} previous={page.previous.clone()} send={send.clone()} />
                </div>
                <ComparePanel key={s.0.guide.as_ref().map(|g| g.file.clone()).unwrap_or_default()}
                    lang={lang_v} snap={s.clone()} send={send.clone()} />
                <ChartsPanel lang={lang_v} snap={s.clone()} />
                <SegmentsPanel lang={lang_v} snap={s.clone()} focus={(*focus).clone()}
                    on_focus={{ let (f, send) = (focus.clone(), send.clone());
                        Callback::from(move |v: kafkascope_view::inspect::Focus| { f.set(v.clone()); send.emit(Request::Focus(v)) }) }} />
                <InspectorPanel lang={lang_v} snap={s.clone()} send={send.clone()}
                    on_close={{ let inspect = inspect.clone(); Callback::from(move |()| inspect.emit(None)) }} />
                <PartitionsPanel lang={lang_v} snap={s.clone()} send={send.clone()}
                    inspect={inspect.reform(Some)} />
                <ClientsPanel lang={lang_v} snap={s.clone()} run={run.clone()} checks={checks.clone()} inspect={inspect.reform(Some)} />
                <LinksPanel lang={lang_v} snap={s.clone()} run={run.clone()} />
                <EventsPanel lang={lang_v} snap={s} send={send.clone()} playing={*playing} />
            }
            <RuntimePanel lang={lang_v} snap={page.update.clone()} send={send.clone()} trace={page.trace.clone()} />
            <StoragePanel lang={lang_v} />
        </main>
    }
}

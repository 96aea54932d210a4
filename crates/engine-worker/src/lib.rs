//! The simulated cluster in a web worker.
//!
//! The engine (`kafkascope-cluster`: brokers, ZooKeeper, clients, the
//! deterministic simulator, the scenario runner) is large; running it in a
//! worker keeps the page's wasm small and the page responsive while a long
//! `run until` or a replay works. The page sends [`Request`]s and gets one
//! [`Reply`] each (`kafkascope_view::engine`).
//!
//! - [`Engine`] (pure, tested natively): the live [`Session`] plus, after
//!   a rewind, the replayed past one that is shown instead.
//! - [`guide`]: a guided demo stepped through narration by narration, and
//!   its fork (a second session) compared with it.
//! - `runtime` (wasm32 only): the worker's message loop and panic hook.
//! - `workers` (wasm32 only): brokers in web workers, one each, over
//!   IndexedDB ([`Request::Brokers`]), in step mode or live
//!   ([`Request::LiveBrokers`]: the runtime's live loop calls
//!   [`Engine::advance_live`] on the real clock).
//! - [`measure`]: the live benchmark ([`Request::Measure`]).
//! - [`forms`]: the page's producer and consumer forms checked by the
//!   scenario checker ([`Request::Check`]).

use cluster::cluster::Hosts;
use cluster::session::{Outcome, Session};
use kafkascope_view::engine::{DemoInfo, LineError, MeasureSpec, Reply, Request, Update};
use scenario::{Lang, ScenarioError};

pub mod forms;
pub mod guide;
pub mod measure;
#[cfg(target_arch = "wasm32")]
pub mod runtime;
#[cfg(target_arch = "wasm32")]
pub mod workers;

pub use kafkascope_view::engine::DEFAULT_SEED;

pub struct Engine {
    live: Session,
    /// The past shown after a rewind, replayed from the live script.
    past: Option<Session>,
    /// Where brokers run when [`Request::Brokers`] asks for workers (the
    /// runtime provides them; `None` where they cannot run).
    worker_hosts: Result<Hosts, String>,
    /// Brokers run on `worker_hosts` rather than in this thread.
    in_workers: bool,
    /// ... and live: posted to, not waited for; time follows the real
    /// clock ([`Engine::advance_live`]).
    brokers_live: bool,
    /// The live measurement running or done last.
    measure: Option<measure::Measure>,
    /// The guided demo the live session runs, if any.
    guide: Option<guide::Guide>,
    /// What the page inspects closely ([`Request::Focus`]).
    focus: kafkascope_view::inspect::Focus,
    /// The page's forms, checked in every update ([`Request::Check`]).
    forms: forms::Forms,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(DEFAULT_SEED)
    }
}

impl Engine {
    pub fn new(seed: u64) -> Engine {
        Engine::new_in(seed, Lang::En)
    }

    fn new_in(seed: u64, lang: Lang) -> Engine {
        Engine {
            live: Session::new_in(seed, lang),
            past: None,
            worker_hosts: Err("brokers in web workers are not available here".into()),
            in_workers: false,
            brokers_live: false,
            measure: None,
            guide: None,
            focus: Default::default(),
            forms: Default::default(),
        }
    }

    /// Where brokers run in [`Request::Brokers`]` { workers: true }` mode,
    /// or why they cannot (shown to the learner who asks for it).
    pub fn set_worker_hosts(&mut self, hosts: Result<Hosts, String>) {
        self.worker_hosts = hosts;
    }

    /// The hosts the sessions use now (`None`: brokers in this thread).
    fn hosts(&self) -> Option<Hosts> {
        match (&self.worker_hosts, self.in_workers) {
            (Ok(h), true) => Some(h.clone()),
            _ => None,
        }
    }

    /// How many broker processes carrying out `req` may start (the
    /// `cluster` brokers and `restart`s it runs), so the runtime can have
    /// that many workers booted before the run, which cannot wait.
    pub fn processes_needed(&self, req: &Request) -> usize {
        if !self.in_workers
            && !matches!(
                req,
                Request::Brokers { workers: true } | Request::LiveBrokers
            )
        {
            return 0;
        }
        match req {
            Request::Submit { text } => processes_in(&self.live.script(), text),
            Request::Load { script, .. } => processes_in("", script),
            Request::LoadDemo { file, .. } => {
                scenario::library::demo_source(file).map_or(0, |s| processes_in("", s))
            }
            Request::Replay { .. }
            | Request::Step { .. }
            | Request::Language { .. }
            | Request::Brokers { .. }
            | Request::LiveBrokers => processes_in("", &self.live.script()),
            Request::Measure(_) if self.brokers_live => processes_in("", measure::SETUP),
            Request::Measure(_) => 0,
            Request::New { .. }
            | Request::Tick { .. }
            | Request::Live
            | Request::Demos
            | Request::Trace => 0,
            // A guided demo's live run: at most the whole demo's (a fork
            // runs in this thread).
            Request::GuideDemo { file, .. } => {
                scenario::library::demo_source(file).map_or(0, |s| processes_in("", s))
            }
            Request::GuideStep { .. } | Request::Fork { .. } => self
                .guide
                .as_ref()
                .map_or(0, |g| processes_in("", g.source())),
            Request::Unfork => 0,
            Request::Focus(_) | Request::Check { .. } => 0,
        }
    }

    fn lang(&self) -> Lang {
        self.live.lang()
    }

    /// Carries out one request. Scenario problems are in the update
    /// (`errors`, `ERROR line N` output), never a panic.
    pub fn handle(&mut self, req: Request) -> Reply {
        let mut output = Vec::new();
        let mut errors = Vec::new();
        let mut take = |r: Result<Outcome, Vec<ScenarioError>>| match r {
            Ok(o) => output.extend(o.lines),
            Err(es) => errors.extend(es.into_iter().map(|e| LineError {
                line: e.line,
                message: e.message,
            })),
        };
        match req {
            Request::New { seed } => {
                self.live = self.empty_session(seed, self.lang());
                self.past = None;
                self.guide = None;
            }
            Request::Brokers { workers } => {
                if workers {
                    if let Err(why) = &self.worker_hosts {
                        take(Ok(Outcome {
                            lines: vec![format!("ERROR {why}")],
                        }));
                    }
                }
                let workers = workers && self.worker_hosts.is_ok();
                if workers != self.in_workers || self.brokers_live {
                    self.in_workers = workers;
                    self.set_live(false);
                    // The same script from the same seed, brokers elsewhere.
                    take(self.rerun(self.lang()));
                }
            }
            Request::LiveBrokers => match &self.worker_hosts {
                Err(why) => take(Ok(Outcome {
                    lines: vec![format!("ERROR {why}")],
                })),
                Ok(_) if self.brokers_live => {}
                Ok(_) => {
                    self.in_workers = true;
                    self.set_live(true);
                    // The same script, its brokers live from now on.
                    take(self.rerun(self.lang()));
                }
            },
            Request::Measure(spec) => take(self.start_measure(spec)),
            Request::Trace => {
                return Reply::Trace {
                    json_lines: self
                        .live
                        .cluster()
                        .map(|c| c.sim.trace_json_lines())
                        .unwrap_or_default(),
                }
            }
            Request::Language { zh } => {
                let lang = if zh { Lang::Zh } else { Lang::En };
                if self.brokers_live {
                    // A live run cannot be run again the same: only the
                    // narration from now on changes.
                    self.live.set_lang(lang);
                } else if lang != self.lang() {
                    // The same script, narrated in the other language (its
                    // output was already shown once).
                    take(self.rerun(lang).map(|_| Outcome::default()));
                }
            }
            Request::Submit { text } => {
                self.past = None;
                let r = self.live.submit(&text);
                // A fork gets the learner's lines too (same experiment).
                if let (Ok(_), Some(f)) = (&r, self.fork()) {
                    let _ = f.submit(&text);
                }
                take(r);
            }
            // Time runs only at the live end. A tick while the past is
            // shown (one sent before the learner rewound, or by another
            // client) keeps the past and says so: going live is the
            // learner's choice (`Live`, which the page sends before its own
            // Tick or Play).
            Request::Tick { .. } if self.past.is_some() => output.push(TICK_IN_PAST.to_string()),
            // Live, time follows the real clock: a tick only asks for the
            // picture (and the brokers' problems since the last one).
            Request::Tick { .. } if self.brokers_live => {
                output.extend(self.live.take_host_errors());
            }
            Request::Tick { ms } => {
                if let Some(f) = self.fork() {
                    let _ = f.tick(ms);
                }
                take(self.live.tick(ms));
            }
            Request::Step { n } => match &self.past {
                // Stepping in the past replays one step further.
                Some(p) => {
                    let to = p.position().saturating_add(n);
                    take(self.rewind(to).map(|()| Outcome::default()));
                }
                None => {
                    if let Some(f) = self.fork() {
                        let _ = f.step(n);
                    }
                    take(self.live.step(n))
                }
            },
            Request::Replay { .. } if self.brokers_live => take(Ok(Outcome {
                lines: vec![LIVE_NO_REWIND.to_string()],
            })),
            Request::Replay { to } => take(self.rewind(to).map(|()| Outcome::default())),
            Request::Live => self.past = None,
            Request::Focus(f) => self.focus = f,
            Request::Load { script, seed } => {
                let r = self.load(&script, seed, self.lang());
                if r.is_ok() {
                    self.guide = None;
                }
                take(r);
            }
            Request::Demos => return Reply::Demos(demo_list()),
            Request::Check { form, lines } => {
                self.forms.set(form, lines);
                return Reply::Checked(self.forms.check(&self.live.script()));
            }
            // The whole demo, shown at its last step.
            Request::LoadDemo { file, seed } => take(self.guide(&file, seed, true)),
            Request::GuideDemo { file, seed } => take(self.guide(&file, seed, false)),
            Request::GuideStep { step } => {
                let hosts = self.hosts();
                let r = match self.guide.as_mut() {
                    Some(g) => g.go(&mut self.live, step as usize, hosts),
                    None => Err(no_guide()),
                };
                self.past = None;
                take(r.map(|lines| Outcome { lines }));
            }
            Request::Fork { lines } => match (self.hosts(), self.guide.as_mut()) {
                (hosts, Some(g)) => {
                    g.fork(&mut self.live, &lines, hosts);
                    self.past = None;
                }
                (_, None) => take(Err(no_guide())),
            },
            Request::Unfork => {
                if let Some(g) = self.guide.as_mut() {
                    g.unfork();
                }
            }
        }
        Reply::Update(Box::new(self.update(output, errors)))
    }

    /// Brokers started from now on run live (or not).
    fn set_live(&mut self, on: bool) {
        self.brokers_live = on;
        if let Ok(h) = &self.worker_hosts {
            h.borrow_mut().set_live(on);
        }
        if !on {
            self.measure = None;
        }
    }

    /// Live: the benchmark cluster replaces the session and the
    /// measurement starts ([`measure`]).
    fn start_measure(&mut self, spec: MeasureSpec) -> Result<Outcome, Vec<ScenarioError>> {
        if !self.brokers_live {
            return Ok(Outcome {
                lines: vec![MEASURE_NEEDS_LIVE.to_string()],
            });
        }
        let out = self.load(measure::SETUP, self.live.seed(), self.lang())?;
        self.guide = None;
        self.measure = Some(measure::Measure::new(spec));
        Ok(out)
    }

    /// Is the live session's cluster running live (its brokers in
    /// workers, time on the real clock)?
    pub fn is_live(&self) -> bool {
        self.brokers_live && self.live.cluster().is_some_and(|c| c.is_live())
    }

    /// Live: moves the cluster `ms` of real time on (to `now_us` on the
    /// worker's clock, for measurements): what the brokers finished is
    /// applied, every event due runs, at most [`LIVE_BUDGET`] of them.
    /// `None` when nothing runs live.
    pub fn advance_live(&mut self, ms: u64, now_us: f64) -> Option<LivePace> {
        if !self.is_live() {
            return None;
        }
        let c = self.live.cluster_mut()?;
        let to = c.sim.now().saturating_add(ms);
        let caught_up = c.advance_live(to, LIVE_BUDGET);
        if let Some(m) = self.measure.as_mut() {
            if !m.done() {
                m.on_pump(c, now_us);
            }
        }
        let now = c.sim.now();
        Some(LivePace {
            behind: !caught_up || c.sim.next_event_time().is_some_and(|t| t <= now),
            next_due_in: c.sim.next_event_time().map(|t| t.saturating_sub(now)),
            pending: c.pending_inputs(),
            measuring: self.measure.as_ref().is_some_and(|m| !m.done()),
        })
    }

    /// The live loop's turn took `us` (µs, the worker's clock): counted by
    /// a running measurement.
    pub fn note_busy(&mut self, us: f64) {
        if let Some(m) = self.measure.as_mut() {
            m.busy(us);
        }
    }

    /// Replaces the live session by the demo `file` from `seed`, guided
    /// from its first step or shown at its last (`to_end`).
    fn guide(
        &mut self,
        file: &str,
        seed: u64,
        to_end: bool,
    ) -> Result<Outcome, Vec<ScenarioError>> {
        let (g, live, lines) = guide::Guide::start(file, seed, self.lang(), to_end, self.hosts())?;
        self.live = live;
        self.past = None;
        self.guide = Some(g);
        Ok(Outcome { lines })
    }

    fn fork(&mut self) -> Option<&mut Session> {
        self.guide.as_mut().and_then(guide::Guide::fork_session)
    }

    /// An empty session from `seed`, narrated in `lang`, its brokers where
    /// the engine runs them now.
    fn empty_session(&self, seed: u64, lang: Lang) -> Session {
        let mut s = Session::new_in(seed, lang);
        s.set_hosts(self.hosts());
        s
    }

    /// The live script again from its seed, narrated in `lang`, with the
    /// brokers where the engine runs them now.
    fn rerun(&mut self, lang: Lang) -> Result<Outcome, Vec<ScenarioError>> {
        let (seed, script) = (self.live.seed(), self.live.script());
        if script.is_empty() {
            self.live = self.empty_session(seed, lang);
            self.past = None;
            return Ok(Outcome::default());
        }
        self.load(&script, seed, lang)
    }

    /// Answers `req` without carrying it out, saying `why` (the broker
    /// workers it needed did not start).
    pub fn refuse(&mut self, req: Request, why: String) -> Reply {
        match req {
            Request::Demos | Request::Trace | Request::Check { .. } => self.handle(req),
            _ => Reply::Update(Box::new(
                self.update(vec![format!("ERROR {why}")], Vec::new()),
            )),
        }
    }

    /// Replaces the live session by `script` from `seed`, narrated in
    /// `lang`; on errors nothing changes.
    fn load(&mut self, script: &str, seed: u64, lang: Lang) -> Result<Outcome, Vec<ScenarioError>> {
        let (s, out) = Session::replay_hosted(seed, script, None, lang, self.hosts())?;
        self.live = s;
        self.past = None;
        Ok(out)
    }

    /// Shows the cluster after event `to` (the live end if `to` reaches it).
    fn rewind(&mut self, to: u64) -> Result<(), Vec<ScenarioError>> {
        if to >= self.live.position() {
            self.past = None;
            return Ok(());
        }
        let (s, _) = Session::replay_hosted(
            self.live.seed(),
            &self.live.script(),
            Some(to),
            self.lang(),
            self.hosts(),
        )?;
        self.past = Some(s);
        Ok(())
    }

    fn update(&self, output: Vec<String>, errors: Vec<LineError>) -> Update {
        let shown = self.past.as_ref().unwrap_or(&self.live);
        let script = self.live.script();
        Update {
            seed: self.live.seed(),
            checks: self.forms.check(&script),
            script,
            live_position: self.live.position(),
            rewound: self.past.as_ref().map(|p| p.position()),
            landing: self.past.as_ref().and_then(|p| p.landing()),
            output,
            errors,
            view: shown.view(),
            segments: self
                .focus
                .segment
                .as_ref()
                .and_then(|r| shown.cluster().map(|c| c.segments_view(r))),
            record: self
                .focus
                .record
                .as_ref()
                .and_then(|r| shown.cluster().map(|c| c.record_story(r))),
            brokers_in_workers: self.in_workers,
            brokers_live: self.brokers_live,
            measure: self.measure.as_ref().map(|m| m.report().clone()),
            guide: self.guide.as_ref().map(|g| g.view(&self.live)),
            compare: self.guide.as_ref().and_then(|g| g.compare(&self.live)),
        }
    }
}

/// The broker processes `text` starts when it follows `script`: its
/// `cluster`'s brokers and each `restart` (an upper bound: it counts
/// restarts of clients too). Text that does not parse starts nothing.
fn processes_in(script: &str, text: &str) -> usize {
    let base = script.lines().count();
    let Ok(s) = scenario::parse("", &format!("{script}{text}")) else {
        return 0;
    };
    s.commands
        .iter()
        .filter(|c| c.line > base)
        .map(|c| match &c.node {
            scenario::Command::Cluster { brokers, .. } => (*brokers).max(0) as usize,
            scenario::Command::Restart { .. } => 1,
            _ => 0,
        })
        .sum()
}

/// Events one live step may run before the worker looks at its messages.
pub const LIVE_BUDGET: u64 = 20_000;

/// What the live loop needs to know after [`Engine::advance_live`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LivePace {
    /// Events are due now still (the budget ran out): go on at once.
    pub behind: bool,
    /// Virtual ms until the next event.
    pub next_due_in: Option<u64>,
    /// Broker inputs posted and not answered (their bell will come).
    pub pending: usize,
    /// A measurement runs (it wants fine-grained pumps).
    pub measuring: bool,
}

const LIVE_NO_REWIND: &str = "ERROR a live run cannot be rewound: its brokers ran at the \
    same time, on the real clock, so running the script again gives another run. \
    Choose step mode under Where the brokers run to rewind.";

const TICK_IN_PAST: &str = "The past is shown: time runs only at the live end, so this \
    tick did nothing. Choose Back to live, then Tick or Play.";

const MEASURE_NEEDS_LIVE: &str = "ERROR the live measurement needs the brokers in web \
    workers, live (Where the brokers run).";

fn no_guide() -> Vec<ScenarioError> {
    vec![ScenarioError {
        file: "guide".into(),
        line: 1,
        message: "no guided demo is loaded: load one first".into(),
    }]
}

/// The compiled-in demos (`scenario::library`), titles in both languages.
pub fn demo_list() -> Vec<DemoInfo> {
    // The library's own tests guarantee every file is a valid demo; a
    // broken one would just be missing from the list.
    scenario::library::demos()
        .unwrap_or_default()
        .into_iter()
        .map(|d| DemoInfo {
            title_en: d.title.en,
            title_zh: d.title.zh,
            teaches_en: d.teaches.en,
            teaches_zh: d.teaches.zh,
            file: d.file,
        })
        .collect()
}

#[cfg(test)]
mod tests;

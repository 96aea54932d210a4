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
//! - `runtime` (wasm32 only): the worker's message loop and panic hook.

use cluster::session::{Outcome, Session};
use kafkascope_view::engine::{DemoInfo, LineError, Reply, Request, Update};
use scenario::{Lang, ScenarioError};

#[cfg(target_arch = "wasm32")]
pub mod runtime;

pub use kafkascope_view::engine::DEFAULT_SEED;

pub struct Engine {
    live: Session,
    /// The past shown after a rewind, replayed from the live script.
    past: Option<Session>,
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
            Request::New { seed } => *self = Engine::new_in(seed, self.lang()),
            Request::Language { zh } => {
                let lang = if zh { Lang::Zh } else { Lang::En };
                if lang != self.lang() {
                    // The same script, narrated in the other language (its
                    // output was already shown once).
                    let (seed, script) = (self.live.seed(), self.live.script());
                    if script.is_empty() {
                        *self = Engine::new_in(seed, lang);
                    } else {
                        take(self.load(&script, seed, lang).map(|_| Outcome::default()));
                    }
                }
            }
            Request::Submit { text } => {
                self.past = None;
                take(self.live.submit(&text));
            }
            Request::Tick { ms } => {
                self.past = None;
                take(self.live.tick(ms));
            }
            Request::Step { n } => match &self.past {
                // Stepping in the past replays one step further.
                Some(p) => {
                    let to = p.position().saturating_add(n);
                    take(self.rewind(to).map(|()| Outcome::default()));
                }
                None => take(self.live.step(n)),
            },
            Request::Replay { to } => take(self.rewind(to).map(|()| Outcome::default())),
            Request::Live => self.past = None,
            Request::Load { script, seed } => take(self.load(&script, seed, self.lang())),
            Request::Demos => return Reply::Demos(demo_list()),
            Request::LoadDemo { file, seed } => match scenario::library::demo_source(&file) {
                Some(src) => take(self.load(src, seed, self.lang())),
                None => take(Err(vec![ScenarioError {
                    file: file.clone(),
                    line: 1,
                    message: format!("there is no demo {file:?}"),
                }])),
            },
        }
        Reply::Update(Box::new(self.update(output, errors)))
    }

    /// Replaces the live session by `script` from `seed`, narrated in
    /// `lang`; on errors nothing changes.
    fn load(&mut self, script: &str, seed: u64, lang: Lang) -> Result<Outcome, Vec<ScenarioError>> {
        let (s, out) = Session::replay_in(seed, script, None, lang)?;
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
        let (s, _) =
            Session::replay_in(self.live.seed(), &self.live.script(), Some(to), self.lang())?;
        self.past = Some(s);
        Ok(())
    }

    fn update(&self, output: Vec<String>, errors: Vec<LineError>) -> Update {
        let shown = self.past.as_ref().unwrap_or(&self.live);
        Update {
            seed: self.live.seed(),
            script: self.live.script(),
            live_position: self.live.position(),
            rewound: self.past.as_ref().map(|p| p.position()),
            output,
            errors,
            view: shown.view(),
        }
    }
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

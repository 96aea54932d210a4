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
use kafkascope_view::engine::{LineError, Reply, Request, Update};
use scenario::ScenarioError;

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
        Engine {
            live: Session::new(seed),
            past: None,
        }
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
            Request::New { seed } => *self = Engine::new(seed),
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
            Request::Load { script, seed } => match Session::replay(seed, &script, None) {
                Ok((s, out)) => {
                    self.live = s;
                    self.past = None;
                    take(Ok(out));
                }
                Err(es) => take(Err(es)),
            },
        }
        Reply::Update(Box::new(self.update(output, errors)))
    }

    /// Shows the cluster after event `to` (the live end if `to` reaches it).
    fn rewind(&mut self, to: u64) -> Result<(), Vec<ScenarioError>> {
        if to >= self.live.position() {
            self.past = None;
            return Ok(());
        }
        let (s, _) = Session::replay(self.live.seed(), &self.live.script(), Some(to))?;
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

#[cfg(test)]
mod tests;

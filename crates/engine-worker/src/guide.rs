//! A guided demo stepped through one narration at a time, and its fork.
//!
//! A demo's steps are cut at its `say` lines (`kafkascope_view::guide`):
//! going to the next step runs the demo's next lines on the live session,
//! so the learner's own console lines stay; any other step replays the
//! demo from its seed to the end of that step (the run is deterministic,
//! so this is the same run).
//!
//! A fork is a second [`Session`] in the same worker: the demo with some
//! of its setting lines (`cluster`, `topic create`, `producer`,
//! `consumer`) edited, run from the same seed to the same step. Steps and
//! console lines then go to both runs, and the update carries their
//! comparison (`kafkascope_view::compare`, pure). The fork's brokers run
//! in this thread even when the live run's are in workers: hosting gives
//! the same trace, so the comparison holds.

use cluster::cluster::Hosts;
use cluster::session::Session;
use cluster::Cluster;
use kafkascope_view::compare::{
    compare_clients, compare_expects, compare_partitions, first_difference, line_edits, Comparison,
    Divergence,
};
use kafkascope_view::engine::LineError;
use kafkascope_view::guide::{ConfigLine, ExpectOutcome, GuideView, SeedQuote, Text};
use kafkascope_view::EventLine;
use scenario::{Command, Demo, Lang, ScenarioError};
use sim::{TraceEvent, TraceKind};

pub struct Guide {
    file: String,
    seed: u64,
    /// The demo file as the library has it.
    source: String,
    demo: Demo,
    /// The 1-based first line of each step: line 1, then every `say` but
    /// the first. Step k ends before the next step's first line.
    starts: Vec<usize>,
    config: Vec<ConfigLine>,
    /// The current step, from 1.
    step: usize,
    /// The expects the current step reached.
    reached: Vec<ExpectOutcome>,
    fork: Option<Fork>,
    fork_errors: Vec<LineError>,
}

struct Fork {
    /// The edited lines that differ from the demo's.
    lines: Vec<ConfigLine>,
    source: String,
    session: Session,
}

/// A session run through step `k` of `source` from `seed`: what the steps
/// before it printed, what step `k` printed, and the expects step `k`
/// reached.
struct Run {
    session: Session,
    before: Vec<String>,
    step: Vec<String>,
    reached: Vec<ExpectOutcome>,
}

fn outcome(e: &cluster::runner::ExpectResult) -> ExpectOutcome {
    ExpectOutcome {
        line: e.line,
        predicate: e.predicate.clone(),
        passed: e.passed,
        was: e.was.clone(),
    }
}

fn error(file: &str, message: String) -> Vec<ScenarioError> {
    vec![ScenarioError {
        file: file.to_string(),
        line: 1,
        message,
    }]
}

/// Lines `from..to` (1-based, `to` excluded; `None`: to the end) of
/// `source`, each ending in a newline.
fn lines(source: &str, from: usize, to: Option<usize>) -> String {
    let all: Vec<&str> = source.lines().collect();
    let to = to.unwrap_or(all.len() + 1).min(all.len() + 1);
    let from = from.clamp(1, to);
    all[from - 1..to - 1]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The setting lines of a demo: the ones a fork may edit.
pub fn config_lines(file: &str, source: &str) -> Vec<ConfigLine> {
    let Ok(s) = scenario::parse(file, source) else {
        return Vec::new();
    };
    let text: Vec<&str> = source.lines().collect();
    s.commands
        .iter()
        .filter(|c| identity(&c.node).is_some())
        .filter_map(|c| {
            Some(ConfigLine {
                line: c.line,
                text: text.get(c.line.checked_sub(1)?)?.trim().to_string(),
            })
        })
        .collect()
}

/// What a setting line sets up; an edit must keep it (it changes settings,
/// not what the demo creates).
fn identity(c: &Command) -> Option<String> {
    match c {
        Command::Cluster { .. } => Some("cluster".into()),
        Command::TopicCreate { name, .. } => Some(format!("topic create {name}")),
        Command::Producer { name, .. } => Some(format!("producer {name}")),
        Command::Consumer { name, .. } => Some(format!("consumer {name}")),
        _ => None,
    }
}

/// `source` with the `edits` of its setting lines `config`, and the edits
/// that change something; or why an edit is refused.
pub fn fork_source(
    source: &str,
    config: &[ConfigLine],
    edits: &[ConfigLine],
) -> Result<(String, Vec<ConfigLine>), Vec<LineError>> {
    let mut errors = Vec::new();
    let mut text: Vec<String> = source.lines().map(str::to_string).collect();
    let mut changed = Vec::new();
    for edit in edits {
        let mut refuse = |message: String| {
            errors.push(LineError {
                line: edit.line,
                message,
            })
        };
        let Some(original) = config.iter().find(|c| c.line == edit.line) else {
            refuse(format!(
                "line {} is not one of the demo's setting lines",
                edit.line
            ));
            continue;
        };
        let new = edit.text.trim();
        if new == original.text {
            continue;
        }
        if new.contains('\n') {
            refuse("one line only".into());
            continue;
        }
        let want = scenario::parse_command(&original.text)
            .ok()
            .flatten()
            .as_ref()
            .and_then(identity);
        match scenario::parse_command(new) {
            Err(es) => refuse(es.join("; ")),
            Ok(c) => {
                let got = c.as_ref().and_then(identity);
                if got.is_none() || got != want {
                    refuse(format!(
                        "a fork changes settings only: keep `{}` and edit its KEY=VALUE settings",
                        want.unwrap_or_default()
                    ));
                    continue;
                }
                text[edit.line - 1] = new.to_string();
                changed.push(ConfigLine {
                    line: edit.line,
                    text: new.to_string(),
                });
            }
        }
    }
    if errors.is_empty() {
        let mut s = text.join("\n");
        s.push('\n');
        Ok((s, changed))
    } else {
        Err(errors)
    }
}

/// Where each step starts: line 1, then every `say` after the first.
pub fn step_starts(demo: &Demo) -> Vec<usize> {
    let mut v = vec![1];
    v.extend(demo.steps.iter().skip(1).map(|n| n.line));
    v
}

impl Guide {
    /// The demo `file` from `seed`, run through its first step or, with
    /// `to_end`, through its last; with everything it printed.
    pub fn start(
        file: &str,
        seed: u64,
        lang: Lang,
        to_end: bool,
        hosts: Option<Hosts>,
    ) -> Result<(Guide, Session, Vec<String>), Vec<ScenarioError>> {
        let Some(source) = scenario::library::demo_source(file) else {
            return Err(error(file, format!("there is no demo {file:?}")));
        };
        let Some(demo) = scenario::parse_demo(file, source)? else {
            return Err(error(file, format!("{file} is not a demo")));
        };
        let starts = step_starts(&demo);
        let step = if to_end { starts.len() } else { 1 };
        let mut g = Guide {
            file: file.to_string(),
            seed,
            config: config_lines(file, source),
            source: source.to_string(),
            demo,
            starts,
            step,
            reached: Vec::new(),
            fork: None,
            fork_errors: Vec::new(),
        };
        let run = g.run(&g.source, step, lang, hosts)?;
        g.reached = run.reached;
        let mut out = run.before;
        out.extend(run.step);
        Ok((g, run.session, out))
    }

    /// The demo file's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn steps(&self) -> usize {
        self.starts.len()
    }

    fn end_of(&self, k: usize) -> Option<usize> {
        self.starts.get(k).copied()
    }

    /// `source` (the demo or its fork) run from the seed through step `k`.
    fn run(
        &self,
        source: &str,
        k: usize,
        lang: Lang,
        hosts: Option<Hosts>,
    ) -> Result<Run, Vec<ScenarioError>> {
        let prefix = lines(source, 1, Some(self.starts[k - 1]));
        let (mut session, before) = if prefix.is_empty() {
            let mut s = Session::new_in(self.seed, lang);
            s.set_hosts(hosts);
            (s, Default::default())
        } else {
            Session::replay_hosted(self.seed, &prefix, None, lang, hosts)?
        };
        let first = session.expects().len();
        let step = self.submit_step(&mut session, source, k)?;
        Ok(Run {
            reached: session.expects()[first..].iter().map(outcome).collect(),
            session,
            before: before.lines,
            step,
        })
    }

    /// Runs step `k`'s lines of `source` on `session`; errors carry the
    /// demo file's line numbers.
    fn submit_step(
        &self,
        session: &mut Session,
        source: &str,
        k: usize,
    ) -> Result<Vec<String>, Vec<ScenarioError>> {
        let base = self.starts[k - 1] - 1;
        let scripted = session.script().lines().count() == base;
        session
            .submit(&lines(source, self.starts[k - 1], self.end_of(k)))
            .map(|o| o.lines)
            .map_err(|es| {
                es.into_iter()
                    .map(|mut e| {
                        // Only while the session is exactly the demo do its
                        // lines match the file's.
                        if scripted {
                            e.line += base;
                        }
                        e
                    })
                    .collect()
            })
    }

    /// Shows step `k` (clamped to the demo's): the next step runs on the
    /// live session (and the fork); any other replays from the seed.
    /// Returns what the step printed.
    pub fn go(
        &mut self,
        live: &mut Session,
        k: usize,
        hosts: Option<Hosts>,
    ) -> Result<Vec<String>, Vec<ScenarioError>> {
        let k = k.clamp(1, self.steps());
        let lang = live.lang();
        if k == self.step + 1 {
            let first = live.expects().len();
            let out = self.submit_step(live, &self.source.clone(), k)?;
            self.reached = live.expects()[first..].iter().map(outcome).collect();
            self.step = k;
            if let Some(mut f) = self.fork.take() {
                if let Err(es) = self.submit_step(&mut f.session, &f.source, k) {
                    self.fork_errors = line_errors(es);
                }
                self.fork = Some(f);
            }
            return Ok(out);
        }
        let run = self.run(&self.source, k, lang, hosts)?;
        *live = run.session;
        self.reached = run.reached;
        self.step = k;
        if let Some(f) = self.fork.take() {
            match self.run(&f.source, k, lang, None) {
                Ok(r) => {
                    self.fork = Some(Fork {
                        session: r.session,
                        ..f
                    })
                }
                Err(es) => self.fork_errors = line_errors(es),
            }
        }
        Ok(run.step)
    }

    /// Forks the demo at the current step with `edits` of its setting
    /// lines: both runs are replayed from the seed to the end of this step
    /// (the live one only if the learner added lines of their own). A
    /// refused edit keeps the previous state and is in `fork_errors`.
    pub fn fork(&mut self, live: &mut Session, edits: &[ConfigLine], hosts: Option<Hosts>) {
        self.fork_errors.clear();
        let (source, changed) = match fork_source(&self.source, &self.config, edits) {
            Ok(x) => x,
            Err(es) => {
                self.fork_errors = es;
                return;
            }
        };
        let lang = live.lang();
        let run = match self.run(&source, self.step, lang, None) {
            Ok(r) => r,
            Err(es) => {
                self.fork_errors = line_errors(es);
                return;
            }
        };
        if live.script() != lines(&self.source, 1, self.end_of(self.step)) {
            if let Ok(r) = self.run(&self.source, self.step, lang, hosts) {
                *live = r.session;
                self.reached = r.reached;
            }
        }
        self.fork = Some(Fork {
            lines: changed,
            source,
            session: run.session,
        });
    }

    pub fn unfork(&mut self) {
        self.fork = None;
        self.fork_errors.clear();
    }

    /// The fork's run, to give it the learner's own lines too.
    pub fn fork_session(&mut self) -> Option<&mut Session> {
        self.fork.as_mut().map(|f| &mut f.session)
    }

    pub fn view(&self, live: &Session) -> GuideView {
        let narration = self.demo.steps.get(self.step - 1);
        let passed = live.expects().iter().filter(|e| e.passed).count();
        GuideView {
            file: self.file.clone(),
            title: text(&self.demo.title),
            teaches: text(&self.demo.teaches),
            seeds: self
                .demo
                .seeds
                .iter()
                .map(|s| SeedQuote {
                    file: s.file.clone(),
                    quote: s.quote.clone(),
                    en: s.en.clone(),
                })
                .collect(),
            step: self.step as u32,
            steps: self.steps() as u32,
            say: narration.map(|n| text(&n.text)).unwrap_or_default(),
            expects: self.reached.clone(),
            passed: passed as u32,
            failed: (live.expects().len() - passed) as u32,
            config: self.config.clone(),
            fork: self
                .fork
                .as_ref()
                .map(|f| f.lines.clone())
                .unwrap_or_default(),
            fork_errors: self.fork_errors.clone(),
        }
    }

    /// The live run against the fork, if there is one.
    pub fn compare(&self, live: &Session) -> Option<Comparison> {
        let f = self.fork.as_ref()?;
        let (a, b) = (live.view(), f.session.view());
        let outcomes = |s: &Session| s.expects().iter().map(outcome).collect::<Vec<_>>();
        Some(Comparison {
            seed: self.seed,
            edits: line_edits(&self.config, &f.lines),
            original_position: a.position,
            fork_position: b.position,
            divergence: match (live.cluster(), f.session.cluster()) {
                (Some(x), Some(y)) => divergence(x, y),
                _ => Divergence::Same,
            },
            expects: compare_expects(&outcomes(live), &outcomes(&f.session)),
            partitions: compare_partitions(&a, &b),
            clients: compare_clients(&a, &b),
        })
    }
}

fn line_errors(es: Vec<ScenarioError>) -> Vec<LineError> {
    es.into_iter()
        .map(|e| LineError {
            line: e.line,
            message: e.message,
        })
        .collect()
}

fn text(b: &scenario::Bilingual) -> Text {
    Text {
        en: b.en.clone(),
        zh: b.zh.clone(),
    }
}

/// A trace event compared by what happened and when, not by its number
/// (the runs' notes are left out, so numbers may shift).
struct Happened<'a>(&'a TraceEvent);

impl PartialEq for Happened<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.t == other.0.t && self.0.kind == other.0.kind
    }
}

/// The first event at which the two runs differ. The scenario's notes
/// (`command`, narration, `expect`) are left out: they name the edited
/// lines and the checks, not what the cluster did.
fn divergence(a: &Cluster, b: &Cluster) -> Divergence {
    fn events(c: &Cluster) -> impl Iterator<Item = Happened<'_>> {
        c.sim
            .trace()
            .iter()
            .filter(|e| !matches!(e.kind, TraceKind::Note { .. }))
            .map(Happened)
    }
    let line = |c: &Cluster, e: &TraceEvent| EventLine {
        n: e.n,
        t: e.t,
        text: cluster::view::describe(e, c.sim.names()),
    };
    match first_difference(events(a), events(b)) {
        None => Divergence::Same,
        Some((_, Some(x), Some(y))) => Divergence::At {
            original: line(a, x.0),
            fork: line(b, y.0),
        },
        Some((_, Some(x), None)) => Divergence::OnlyIn {
            in_fork: false,
            event: line(a, x.0),
        },
        Some((_, None, Some(y))) => Divergence::OnlyIn {
            in_fork: true,
            event: line(b, y.0),
        },
        Some((_, None, None)) => Divergence::Same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACKS: &str = "01-acks.scn";

    fn acks_line(g: &Guide, producer: &str) -> ConfigLine {
        g.config
            .iter()
            .find(|c| c.text.starts_with(&format!("producer {producer} ")))
            .unwrap()
            .clone()
    }

    #[test]
    fn steps_are_cut_at_the_narration_and_run_one_at_a_time() {
        let (mut g, mut live, out) = Guide::start(ACKS, 11, Lang::En, false, None).unwrap();
        let demo = &g.demo;
        assert_eq!(g.steps(), demo.steps.len());
        assert!(g.steps() > 5);
        let v = g.view(&live);
        assert_eq!((v.step, v.steps as usize), (1, g.steps()));
        assert!(v.say.en.starts_with("Three topics"), "{:?}", v.say);
        assert!(v.say.zh.starts_with("三个主题"));
        assert!(v.title.en.starts_with("acks=0, 1 and all"));
        assert!(!v.seeds.is_empty());
        assert!(out.contains(&demo.steps[0].text.en), "{out:?}");
        assert!(!out.contains(&demo.steps[1].text.en), "{out:?}");
        // The script so far is the demo up to the second narration.
        assert_eq!(live.script(), lines(&g.source, 1, Some(g.starts[1])));
        // Steps 2 and 3: the third reaches `expect acked fire == 3`.
        g.go(&mut live, 2, None).unwrap();
        let out = g.go(&mut live, 3, None).unwrap();
        let v = g.view(&live);
        assert_eq!(v.step, 3);
        assert!(v.say.en.starts_with("acks=0:"), "{:?}", v.say);
        assert_eq!(v.expects.len(), 1, "{:?}", v.expects);
        assert_eq!(v.expects[0].predicate, "acked fire == 3");
        assert!(v.expects[0].passed);
        assert!(out.iter().any(|l| l.starts_with("PASS line")), "{out:?}");
        assert_eq!((v.passed, v.failed), (1, 0));
        // Back to step 2 replays from the seed: the same run as going on.
        let position = live.position();
        g.go(&mut live, 2, None).unwrap();
        assert!(live.position() < position);
        g.go(&mut live, 3, None).unwrap();
        assert_eq!(live.position(), position);
        // Through to the end, every expect passes.
        for k in 4..=g.steps() + 1 {
            g.go(&mut live, k, None).unwrap();
        }
        let v = g.view(&live);
        assert!(v.at_end());
        assert_eq!(v.failed, 0);
        assert_eq!(
            v.passed as usize,
            g.source
                .lines()
                .filter(|l| l.starts_with("expect "))
                .count()
        );
    }

    #[test]
    fn starting_at_the_end_is_the_whole_demo() {
        let (g, live, out) = Guide::start(ACKS, 11, Lang::Zh, true, None).unwrap();
        assert_eq!(g.step, g.steps());
        assert_eq!(live.script(), g.source);
        assert!(out.iter().any(|l| l.starts_with("三个主题")), "{out:?}");
        assert_eq!(g.view(&live).failed, 0);
        assert!(Guide::start("nope.scn", 1, Lang::En, false, None).is_err());
    }

    #[test]
    fn setting_lines_are_the_ones_a_fork_may_edit() {
        let source = scenario::library::demo_source(ACKS).unwrap();
        let config = config_lines(ACKS, source);
        assert!(config.iter().any(|c| c.text == "producer fast acks=1"));
        assert!(config
            .iter()
            .any(|c| c.text.starts_with("cluster brokers=3")));
        assert!(config.iter().all(|c| !c.text.starts_with("send")));
        let fast = config
            .iter()
            .find(|c| c.text == "producer fast acks=1")
            .unwrap();
        let edit = |text: &str| {
            vec![ConfigLine {
                line: fast.line,
                text: text.into(),
            }]
        };
        let (forked, changed) =
            fork_source(source, &config, &edit("producer fast acks=all")).unwrap();
        assert_eq!(changed, edit("producer fast acks=all"));
        assert_eq!(
            forked.lines().nth(fast.line - 1),
            Some("producer fast acks=all")
        );
        assert_eq!(forked.lines().count(), source.lines().count());
        // Unchanged: no edit.
        assert!(
            fork_source(source, &config, &edit(" producer fast acks=1 "))
                .unwrap()
                .1
                .is_empty()
        );
        // Refused, with the line and why.
        for (text, why) in [
            ("producer other acks=all", "keep `producer fast`"),
            ("crash 0", "settings only"),
            ("producer fast acks=", "acks"),
        ] {
            let errs = fork_source(source, &config, &edit(text)).unwrap_err();
            assert_eq!(errs[0].line, fast.line);
            assert!(errs[0].message.contains(why), "{text}: {errs:?}");
        }
        let errs = fork_source(
            source,
            &config,
            &[ConfigLine {
                line: 1,
                text: "x".into(),
            }],
        )
        .unwrap_err();
        assert!(errs[0]
            .message
            .contains("not one of the demo's setting lines"));
    }

    #[test]
    fn a_fork_with_acks_all_keeps_what_acks_1_loses() {
        let (mut g, mut live, _) = Guide::start(ACKS, 11, Lang::En, false, None).unwrap();
        let mut fast = acks_line(&g, "fast");
        fast.text = "producer fast acks=all".into();
        g.fork(&mut live, &[fast.clone()], None);
        assert!(g.fork_errors.is_empty(), "{:?}", g.fork_errors);
        let c = g.compare(&live).unwrap();
        assert_eq!(c.edits.len(), 1);
        assert_eq!(c.edits[0].original, "producer fast acks=1");
        // Nothing sent yet at step 1: the runs are the same so far, but
        // for the producer's acks.
        assert_eq!(c.divergence, Divergence::Same);
        assert_eq!(c.differences(), 1);
        // To the end: both runs step along.
        for k in 2..=g.steps() {
            g.go(&mut live, k, None).unwrap();
        }
        let c = g.compare(&live).unwrap();
        let one = c.partitions.iter().find(|p| p.name == "one-0").unwrap();
        let log1 = one
            .rows
            .iter()
            .find(|r| r.field == kafkascope_view::compare::Field::Log(1))
            .unwrap();
        assert!(log1.differs(), "{log1:?}");
        assert_eq!(
            log1.original,
            kafkascope_view::compare::Cell::Records {
                first: 0,
                values: vec![],
                epochs: vec![]
            }
        );
        match &log1.fork {
            kafkascope_view::compare::Cell::Records { values, .. } => {
                assert_eq!(values, &["a0", "a1", "a2"])
            }
            other => panic!("{other:?}"),
        }
        // The original's checks hold; the fork's about the lost records do not.
        let lost: Vec<_> = c
            .expects
            .iter()
            .filter(|e| e.predicate == "lost == 6")
            .collect();
        assert!(!lost.is_empty());
        assert!(lost.iter().all(|e| e.differs()
            && e.original.as_ref().unwrap().passed
            && !e.fork.as_ref().unwrap().passed));
        // The traces part at a Produce answer: acks=1 answers at once.
        match &c.divergence {
            Divergence::At { original, fork } => {
                assert_ne!(original.text, fork.text);
                assert!(original.n > 0 && fork.n > 0);
            }
            other => panic!("{other:?}"),
        }
        // The fast producer lost its three acknowledged records; the fork none.
        let producer = c
            .clients
            .iter()
            .find(|d| d.name == "producer fast")
            .unwrap();
        let lost = producer
            .rows
            .iter()
            .find(|r| r.field == kafkascope_view::compare::Field::Lost)
            .unwrap();
        assert_eq!(lost.original, kafkascope_view::compare::Cell::Count(3));
        assert_eq!(lost.fork, kafkascope_view::compare::Cell::Count(0));
        assert_eq!(g.view(&live).fork, vec![fast]);
        // Going back replays both runs; closing the fork leaves the original.
        g.go(&mut live, 1, None).unwrap();
        assert_eq!(g.compare(&live).unwrap().divergence, Divergence::Same);
        g.unfork();
        assert!(g.compare(&live).is_none());
        assert_eq!(g.view(&live).failed, 0);
    }

    #[test]
    fn a_refused_fork_says_why_and_keeps_the_run() {
        let (mut g, mut live, _) = Guide::start(ACKS, 11, Lang::En, false, None).unwrap();
        let position = live.position();
        let mut fast = acks_line(&g, "fast");
        fast.text = "producer fast acks=7".into();
        g.fork(&mut live, &[fast.clone()], None);
        let v = g.view(&live);
        assert_eq!(v.fork_errors.len(), 1, "{:?}", v.fork_errors);
        assert_eq!(v.fork_errors[0].line, fast.line);
        assert!(g.compare(&live).is_none());
        assert_eq!(live.position(), position);
    }
}

#[cfg(test)]
mod fork_tests {
    use super::*;
    use kafkascope_view::compare::ExpectDiff;

    /// Forks `file` at its first step with `from` -> `to` on every setting
    /// line holding `from`, runs both to the end, returns the comparison.
    fn fork_to_end(file: &str, from: &str, to: &str) -> Comparison {
        let (mut g, mut live, _) = Guide::start(file, 7, Lang::En, false, None).unwrap();
        let edits: Vec<ConfigLine> = g
            .config
            .iter()
            .filter(|c| c.text.contains(from))
            .map(|c| ConfigLine {
                line: c.line,
                text: c.text.replace(from, to),
            })
            .collect();
        assert!(!edits.is_empty(), "{file}: no line with {from}");
        g.fork(&mut live, &edits, None);
        assert!(g.fork_errors.is_empty(), "{file}: {:?}", g.fork_errors);
        g.go(&mut live, g.steps(), None).unwrap();
        let c = g.compare(&live).unwrap();
        assert_eq!(c.edits.len(), edits.len());
        assert!(g.fork_errors.is_empty(), "{file}: {:?}", g.fork_errors);
        c
    }

    #[test]
    fn forks_of_the_settings_the_syllabus_names_change_the_runs() {
        for (file, from, to) in [
            (
                "05-unclean-election.scn",
                "unclean.leader.election.enable=true",
                "unclean.leader.election.enable=false",
            ),
            (
                "13-offset-commits.scn",
                "enable.auto.commit=true",
                "enable.auto.commit=false",
            ),
            (
                "12-rebalances.scn",
                "partition.assignment.strategy=range",
                "partition.assignment.strategy=cooperative-sticky",
            ),
            (
                "05-unclean-election.scn",
                "min.insync.replicas=2",
                "min.insync.replicas=1",
            ),
        ] {
            let c = fork_to_end(file, from, to);
            assert!(
                !matches!(c.divergence, Divergence::Same),
                "{file} {to}: the same trace"
            );
            assert!(
                c.expects.iter().any(ExpectDiff::differs),
                "{file} {to}: every check as before"
            );
        }
    }
}

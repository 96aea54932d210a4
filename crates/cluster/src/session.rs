//! An interactive run for the page: scenario lines are added one at a time
//! (the console, the fault buttons, the time controls all add lines), and
//! the whole session is always a valid scenario file plus a seed. Because
//! the run is deterministic, any point of the past is reached again by
//! [`Session::replay`] from the seed, stopped after trace event `N`.
//!
//! Unlike `kafkascope run`, a command that fails (e.g. `crash 7`) does not
//! end the session: its error is shown and the next line runs. A replay
//! does the same, so it takes exactly the path the live session took.

use scenario::{Command, Lang, ScenarioError};

use crate::cluster::Cluster;
use crate::runner::{preflight, ExpectResult, Report, RunOptions, Runner};
use crate::view::{build, ClusterView};

/// The file name errors are reported under.
pub const CONSOLE_FILE: &str = "console";

/// What one submitted line (or file) printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Narration, `PASS`/`FAIL` lines and command errors, in order.
    pub lines: Vec<String>,
}

pub struct Session {
    runner: Runner,
    seed: u64,
    /// The accepted script, one command or comment per line.
    lines: Vec<String>,
}

impl Session {
    /// An empty session; the seed wins over any `cluster seed=`.
    pub fn new(seed: u64) -> Session {
        Session::with_halt(seed, None, Lang::En)
    }

    /// An empty session whose narration prints in `lang`: in Chinese a
    /// `say` gives way to the `say.zh` right after it, as in
    /// `kafkascope run --lang zh`.
    pub fn new_in(seed: u64, lang: Lang) -> Session {
        Session::with_halt(seed, None, lang)
    }

    fn with_halt(seed: u64, halt_at: Option<u64>, lang: Lang) -> Session {
        Session {
            runner: Runner {
                report: Report::default(),
                cluster: None,
                opts: RunOptions {
                    seed: Some(seed),
                    trace: true,
                    invariants: false,
                    lang,
                },
                halt_at,
                hosts: None,
            },
            seed,
            lines: Vec::new(),
        }
    }

    /// Runs the brokers of the clusters this session builds on `hosts`
    /// (each in its own process) from now on.
    pub fn set_hosts(&mut self, hosts: Option<crate::cluster::Hosts>) {
        self.runner.hosts = hosts;
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The language the narration prints in.
    pub fn lang(&self) -> Lang {
        self.runner.opts.lang
    }

    /// The session as a scenario file.
    pub fn script(&self) -> String {
        let mut s = self.lines.join("\n");
        if !s.is_empty() {
            s.push('\n');
        }
        s
    }

    pub fn cluster(&self) -> Option<&Cluster> {
        self.runner.cluster.as_ref()
    }

    /// The cluster, to drive it from outside the script (live brokers:
    /// [`Cluster::advance_live`] on the real clock).
    pub fn cluster_mut(&mut self) -> Option<&mut Cluster> {
        self.runner.cluster.as_mut()
    }

    /// Narrates in `lang` from now on, without running the script again
    /// (a live run cannot be run again the same).
    pub fn set_lang(&mut self, lang: Lang) {
        self.runner.opts.lang = lang;
    }

    /// Trace events so far: the position on the timeline.
    pub fn position(&self) -> u64 {
        self.cluster().map_or(0, |c| c.sim.trace_len())
    }

    /// The replay limit was reached: the session stopped there.
    pub fn halted(&self) -> bool {
        self.cluster().is_some_and(|c| c.halted())
    }

    /// A replay that stopped: the event asked for and the step (first
    /// and last event) it stopped after.
    pub fn landing(&self) -> Option<kafkascope_view::engine::Landing> {
        let asked = self.runner.halt_at?;
        let (first, last) = self.cluster()?.halted_within()?;
        Some(kafkascope_view::engine::Landing { asked, first, last })
    }

    /// Every `expect` run so far, in order (a guided demo shows each
    /// step's).
    pub fn expects(&self) -> &[ExpectResult] {
        &self.runner.report.expects
    }

    pub fn view(&self) -> ClusterView {
        self.cluster().map(build).unwrap_or_default()
    }

    /// Parses `text` (one or more lines) as the continuation of the
    /// script and runs its commands. A syntax or checker error rejects the
    /// whole text (nothing runs, nothing is added); errors carry the line
    /// number within `text`, counted from 1.
    pub fn submit(&mut self, text: &str) -> Result<Outcome, Vec<ScenarioError>> {
        let base = self.lines.len();
        let mut full = self.script();
        full.push_str(text);
        let parsed = scenario::parse(CONSOLE_FILE, &full)
            .and_then(|s| preflight(&s).map(|()| s))
            .map_err(|errs| {
                errs.into_iter()
                    .map(|mut e| {
                        e.line = e.line.saturating_sub(base).max(1);
                        e
                    })
                    .collect::<Vec<_>>()
            })?;
        self.lines.extend(text.lines().map(str::to_string));
        let mut out = Outcome::default();
        let zh = self.lang() == Lang::Zh;
        for (i, c) in parsed.commands.iter().enumerate() {
            if c.line <= base {
                continue;
            }
            // In Chinese a `say` gives way to the `say.zh` right after it.
            let translated = matches!(
                parsed.commands.get(i + 1).map(|n| &n.node),
                Some(Command::SayZh { .. })
            );
            if zh && translated && matches!(c.node, Command::Say { .. }) {
                continue;
            }
            self.exec(c.line, &c.node, &mut out);
            if self.halted() {
                break;
            }
        }
        Ok(out)
    }

    fn exec(&mut self, line: usize, cmd: &Command, out: &mut Outcome) {
        let before = self.runner.report.lines.len();
        let result = self.runner.exec(line, cmd);
        // The page's rates and charts: sampled from the first command on
        // (the same in every replay of the script).
        if let Some(c) = self.runner.cluster.as_mut() {
            if c.sampler.is_none() {
                c.sampler = Some(crate::sampler::Sampler::new(c.sim.now()));
            }
        }
        out.lines.extend(self.runner.report.lines.drain(before..));
        if let Err(m) = result {
            out.lines.push(format!("ERROR line {line}: {m}"));
        }
        self.host_errors(out);
    }

    /// Broker processes that failed since the last look (a broker worker
    /// that stopped answering, IndexedDB full or unavailable).
    fn host_errors(&self, out: &mut Outcome) {
        if let Some(c) = &self.runner.cluster {
            out.lines.extend(
                c.host_errors
                    .borrow_mut()
                    .drain(..)
                    .map(|e| format!("ERROR {e}")),
            );
        }
    }

    /// Broker processes' problems since the last look, as console lines
    /// (live brokers report between commands).
    pub fn take_host_errors(&self) -> Vec<String> {
        let mut out = Outcome::default();
        self.host_errors(&mut out);
        out.lines
    }

    /// `step n`, merged into the previous line when that is a step too (the
    /// same events either way), so playing does not grow the script.
    pub fn step(&mut self, n: u64) -> Result<Outcome, Vec<ScenarioError>> {
        self.merged("step", n)
    }

    /// `tick ms`, merged like [`Session::step`].
    pub fn tick(&mut self, ms: u64) -> Result<Outcome, Vec<ScenarioError>> {
        self.merged("tick", ms)
    }

    fn merged(&mut self, word: &str, n: u64) -> Result<Outcome, Vec<ScenarioError>> {
        let prev = self.lines.last().and_then(|l| {
            let (w, v) = l.split_once(' ')?;
            (w == word).then(|| v.parse::<u64>().ok()).flatten()
        });
        match prev {
            Some(m) => {
                // Straight to the cluster: the runner would add a second
                // `command` note to the trace, which the replay of the
                // merged line does not have.
                if let Some(c) = self.runner.cluster.as_mut() {
                    if word == "step" {
                        for _ in 0..n {
                            if c.step().is_none() {
                                break;
                            }
                        }
                    } else {
                        c.tick(n);
                    }
                }
                *self.lines.last_mut().expect("a previous line") = format!("{word} {}", m + n);
                let mut out = Outcome::default();
                self.host_errors(&mut out);
                Ok(out)
            }
            None => self.submit(&format!("{word} {n}\n")),
        }
    }

    /// Runs `script` from `seed` again, stopping once the trace holds
    /// `halt_at` events (at the end of the event that crosses it). Errors
    /// are those of [`Session::submit`].
    pub fn replay(
        seed: u64,
        script: &str,
        halt_at: Option<u64>,
    ) -> Result<(Session, Outcome), Vec<ScenarioError>> {
        Session::replay_in(seed, script, halt_at, Lang::En)
    }

    /// [`Session::replay`] with the narration in `lang`.
    pub fn replay_in(
        seed: u64,
        script: &str,
        halt_at: Option<u64>,
        lang: Lang,
    ) -> Result<(Session, Outcome), Vec<ScenarioError>> {
        Session::replay_hosted(seed, script, halt_at, lang, None)
    }

    /// [`Session::replay_in`] with the brokers started by `hosts`.
    pub fn replay_hosted(
        seed: u64,
        script: &str,
        halt_at: Option<u64>,
        lang: Lang,
        hosts: Option<crate::cluster::Hosts>,
    ) -> Result<(Session, Outcome), Vec<ScenarioError>> {
        let mut s = Session::with_halt(seed, halt_at, lang);
        s.set_hosts(hosts);
        let out = s.submit(script)?;
        Ok((s, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "cluster brokers=3\ntopic create t partitions=1 replication-factor=3 assignment=0:1:2\nproducer p acks=all\n";

    #[test]
    fn console_lines_run_one_at_a_time_and_form_a_script() {
        let mut s = Session::new(7);
        s.submit(START).unwrap();
        s.submit("send p t value=v{i} count=3\n").unwrap();
        s.submit("flush p\n").unwrap();
        let out = s.submit("expect hw t-0 == 3\n").unwrap();
        assert_eq!(out.lines, vec!["PASS line 6: hw t-0 == 3".to_string()]);
        assert!(s.script().ends_with("flush p\nexpect hw t-0 == 3\n"));
        let v = s.view();
        let p = v.partition("t-0").unwrap();
        assert_eq!(p.leader, Some(0));
        assert!(p.replicas.iter().all(|r| r.leo == 3), "{p:?}");
        assert_eq!(p.replicas[0].hw, 3, "{p:?}");
    }

    #[test]
    fn a_bad_line_is_refused_with_its_line_number_and_nothing_runs() {
        let mut s = Session::new(1);
        s.submit(START).unwrap();
        let before = s.position();
        let errs = s.submit("tick 10\nsend nobody t value=x\n").unwrap_err();
        assert_eq!(errs[0].line, 2, "{errs:?}");
        assert!(errs[0].message.contains("nobody"), "{errs:?}");
        assert_eq!(s.position(), before);
        assert!(!s.script().contains("tick 10"));
    }

    #[test]
    fn a_failing_command_is_reported_and_the_session_goes_on() {
        let mut s = Session::new(1);
        s.submit(START).unwrap();
        let out = s.submit("crash 0\ncrash 0\n").unwrap();
        assert!(
            out.lines
                .iter()
                .any(|l| l == "ERROR line 5: 0 is not running"),
            "{:?}",
            out.lines
        );
        s.submit("tick 100\n").unwrap();
        let (r, _) = Session::replay(1, &s.script(), None).unwrap();
        assert_eq!(r.position(), s.position());
    }

    #[test]
    fn merged_steps_and_ticks_replay_to_the_same_trace() {
        let mut s = Session::new(3);
        s.submit(START).unwrap();
        s.submit("send p t value=a count=2\n").unwrap();
        for _ in 0..5 {
            s.step(1).unwrap();
        }
        for _ in 0..4 {
            s.tick(25).unwrap();
        }
        assert!(s.script().ends_with("step 5\ntick 100\n"), "{}", s.script());
        let (r, _) = Session::replay(3, &s.script(), None).unwrap();
        let (a, b) = (s.cluster().unwrap(), r.cluster().unwrap());
        assert_eq!(a.sim.trace_hash(), b.sim.trace_hash());
        // The same picture (the event log's `command` notes aside: the
        // live one says `step`, the replay `step 5`).
        let (va, vb) = (s.view(), r.view());
        assert_eq!(va.position, vb.position);
        assert_eq!(va.partitions, vb.partitions);
        assert_eq!(va.producers, vb.producers);
        assert_eq!(va.znodes, vb.znodes);
    }

    #[test]
    fn narration_prints_in_the_session_language() {
        let script = "cluster brokers=1\nsay \"hello\"\nsay.zh \"你好\"\nsay \"only English\"\n";
        let (en, out_en) = Session::replay(2, script, None).unwrap();
        assert_eq!(out_en.lines, ["hello", "only English"]);
        assert_eq!(en.lang(), Lang::En);
        let (zh, out_zh) = Session::replay_in(2, script, None, Lang::Zh).unwrap();
        assert_eq!(out_zh.lines, ["你好", "only English"]);
        assert_eq!(zh.lang(), Lang::Zh);
        let mut live = Session::new_in(2, Lang::Zh);
        live.submit("cluster brokers=1\n").unwrap();
        let out = live.submit("say \"hi\"\nsay.zh \"嗨\"\n").unwrap();
        assert_eq!(out.lines, ["嗨"]);
        assert!(live.expects().is_empty());
        live.submit("expect controller == 0\n").unwrap();
        assert_eq!(live.expects()[0].line, 4);
        assert!(live.expects()[0].passed);
    }

    #[test]
    fn replay_stops_at_the_asked_event() {
        let mut s = Session::new(5);
        s.submit(START).unwrap();
        s.submit("send p t value=a count=2\nflush p\n").unwrap();
        let end = s.position();
        let half = end / 2;
        let (r, _) = Session::replay(5, &s.script(), Some(half)).unwrap();
        assert!(r.halted());
        assert!(
            r.position() >= half && r.position() < end,
            "{} of {end}",
            r.position()
        );
        // The same point twice: the same picture.
        let (r2, _) = Session::replay(5, &s.script(), Some(half)).unwrap();
        assert_eq!(r.view(), r2.view());
    }

    /// A replay stops only between steps; it says which step it stopped
    /// after, and those steps tile the run: asking for any event of a step
    /// lands at its last event, asking for the event before it lands on
    /// the step before.
    #[test]
    fn a_replay_says_which_step_it_landed_after() {
        let mut s = Session::new(5);
        s.submit(START).unwrap();
        s.submit("send p t value=a count=2\nflush p\n").unwrap();
        assert_eq!(s.landing(), None, "a live session did not stop");
        let end = s.position();
        let mut wide = 0;
        let mut to = end - 1;
        while to >= 1 {
            let (r, _) = Session::replay(5, &s.script(), Some(to)).unwrap();
            let l = r.landing().expect("a landing");
            assert_eq!(l.asked, to);
            assert_eq!(l.last, r.position());
            assert_eq!(r.view().position, l.last);
            assert!(l.first <= to && to <= l.last, "{l:?}");
            for inside in l.first..l.last {
                let (r2, _) = Session::replay(5, &s.script(), Some(inside)).unwrap();
                assert_eq!(r2.landing().unwrap().first, l.first);
                assert_eq!(r2.position(), l.last);
            }
            if l.first < l.last {
                wide += 1;
            }
            // The step before ends right before this one.
            if l.first > 1 {
                let (r3, _) = Session::replay(5, &s.script(), Some(l.first - 1)).unwrap();
                assert_eq!(r3.position(), l.first - 1);
            }
            to = l.first.saturating_sub(1);
            // Sample the run rather than every step (each replay runs it).
            to = to.saturating_sub(to / 4);
        }
        assert!(wide > 0, "no step of the run logs more than one event");
        // The start: the cluster's first step logs several events.
        let (r, _) = Session::replay(5, &s.script(), Some(0)).unwrap();
        let l = r.landing().unwrap();
        assert_eq!((l.asked, l.first), (0, 1));
        assert_eq!(l.last, r.position());
        assert!(!l.exact());
    }
}

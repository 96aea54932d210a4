//! Randomized fault search: per seed, a scenario with a random fault
//! schedule over 3–5 brokers (RF=3, `acks=all`, `min.insync.replicas=2`,
//! unclean election off), run with invariant checks; a losing schedule is
//! shrunk and printed as a scenario file that reproduces it.
//!
//! A schedule *is* scenario text, so what is printed is exactly what ran.
//!
//! What is checked, per seed: no acknowledged record lost (at the end,
//! after recovery); the HW of a leader never moves backwards within an
//! epoch of one broker process (after every event); live in-sync replicas
//! that follow the current leader agree with it below its HW (after every
//! command and every virtual second); every partition has a leader again
//! within [`RECOVERY_TIMEOUT_MS`] once faults stop.
//!
//! Limits that keep the search honest (the durable configuration promises
//! nothing beyond them):
//! - At most a minority of brokers (`(n-1)/2`) is down or cut off at once,
//!   and `zk` never fails: a majority of replicas is always reachable.
//! - Power-off loses a broker's unflushed records. Kafka survives that only
//!   while another in-sync replica holds them, and only if the broker is out
//!   of every ISR before it returns. So a power-off happens only after a
//!   calm of [`POWER_OFF_MIN_DOWN_MS`] (no other fault, no network rule,
//!   every broker up: every live replica is back in sync); nothing else
//!   fails for that long after it (the controller — or a failed-over one —
//!   and the leaders take it out of the ISRs); and it stays down that long.
//!   Without these limits the search finds real ZooKeeper-mode losses: a
//!   power-off of the last in-sync replica, or a broker returning with a
//!   shorter log while still listed in an ISR because the controller was
//!   failing over (what KRaft's eligible leader replicas, KIP-966, address).
//! - Faults happen in a fault window (8–24 steps of sends, waits of 1 ms to
//!   8 s, and faults: crash, power-off, restart, isolating partition, heal,
//!   counted drops of Fetch/Produce/LeaderAndIsr/OffsetForLeaderEpoch,
//!   link delays); then the network heals, every broker restarts, the
//!   producer flushes, and the cluster gets 15 s before the final check.
//! - Sessions time out after 6 s and `replica.lag.time.max.ms` is 10 s, so
//!   failures are noticed within a seed's few simulated minutes.

use std::fmt::Write;

use crate::invariants;
use crate::runner::{run_source, Report, RunOptions};

/// The ZooKeeper session timeout the search uses (short, so failures are
/// noticed quickly and a seed stays cheap).
pub const SESSION_TIMEOUT_MS: u64 = 6_000;
/// `replica.lag.time.max.ms` in the search.
pub const LAG_TIME_MS: u64 = 10_000;
/// The least downtime of a powered-off broker, and the quiet window after
/// a power-off (see the module docs).
pub const POWER_OFF_MIN_DOWN_MS: u64 = SESSION_TIMEOUT_MS + LAG_TIME_MS + 4_000;
/// How long a recovered cluster gets before every partition must have a leader.
pub const RECOVERY_TIMEOUT_MS: u64 = 120_000;

/// Which truncation the brokers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truncation {
    LeaderEpoch,
    HighWatermark,
}

impl Truncation {
    fn name(self) -> &'static str {
        match self {
            Truncation::LeaderEpoch => "leader-epoch",
            Truncation::HighWatermark => "high-watermark",
        }
    }
}

/// A generated schedule: fixed header and tail, shrinkable fault window.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub seed: u64,
    pub brokers: u32,
    pub partitions: u32,
    pub truncation: Truncation,
    /// The fault window: sends, ticks and faults, one scenario line each.
    pub body: Vec<String>,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Up,
    Crashed,
    /// Powered off at this time (ms into the window).
    PoweredOff(u64),
    Isolated,
}

/// The schedule limits, as a state machine over the fault window's lines:
/// the generator asks it what is allowed, the shrinker re-checks every
/// candidate with it.
struct Limits {
    state: Vec<State>,
    max_down: usize,
    now: u64,
    /// When the last fault (or restart) happened.
    last_fault: u64,
    /// A partition, drop or delay rule is in force (until `heal`).
    rules: bool,
}

impl Limits {
    fn new(brokers: u32) -> Self {
        Limits {
            state: vec![State::Up; brokers as usize],
            max_down: ((brokers - 1) / 2) as usize,
            now: 0,
            last_fault: 0,
            rules: false,
        }
    }

    fn down(&self) -> usize {
        self.state.iter().filter(|s| **s != State::Up).count()
    }

    /// A power-off's quiet window is running.
    fn in_power_off_window(&self) -> bool {
        self.state
            .iter()
            .any(|s| matches!(s, State::PoweredOff(at) if self.now < at + POWER_OFF_MIN_DOWN_MS))
    }

    /// Whether `cmd` on broker `b` keeps to the limits now.
    fn allows(&self, cmd: &str, b: usize) -> bool {
        let up = self.state.get(b) == Some(&State::Up);
        match cmd {
            "crash" | "partition" => {
                up && self.down() < self.max_down && !self.in_power_off_window()
            }
            // A data-losing failure only once the cluster has been calm
            // long enough for every live replica to be in sync, with
            // nobody else down.
            "power-off" => {
                up && self.down() == 0
                    && !self.rules
                    && self.now >= self.last_fault + POWER_OFF_MIN_DOWN_MS
            }
            "restart" => match self.state.get(b) {
                Some(State::Crashed) => true,
                Some(State::PoweredOff(at)) => self.now >= at + POWER_OFF_MIN_DOWN_MS,
                _ => false,
            },
            _ => true,
        }
    }

    fn apply(&mut self, line: &str) -> bool {
        let mut w = line.split_whitespace();
        let (cmd, arg) = (w.next().unwrap_or(""), w.next().unwrap_or(""));
        if cmd == "tick" {
            self.now += arg.parse::<u64>().unwrap_or(0);
            return true;
        }
        if cmd == "send" || cmd == "say" {
            return true;
        }
        let b = arg
            .split("->")
            .next()
            .and_then(|x| x.parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        if !self.allows(cmd, b) {
            return false;
        }
        self.last_fault = self.now;
        match cmd {
            "crash" => self.state[b] = State::Crashed,
            "power-off" => self.state[b] = State::PoweredOff(self.now),
            "partition" => {
                self.state[b] = State::Isolated;
                self.rules = true;
            }
            "restart" => self.state[b] = State::Up,
            "drop" | "delay" => self.rules = true,
            "heal" => {
                self.rules = false;
                for s in self.state.iter_mut() {
                    if *s == State::Isolated {
                        *s = State::Up;
                    }
                }
            }
            _ => {}
        }
        true
    }
}

impl Schedule {
    /// The random schedule for `seed`.
    pub fn generate(seed: u64, truncation: Truncation) -> Schedule {
        let mut rng = Rng(seed ^ 0xc4a0_5eed);
        let brokers = rng.range(3, 5) as u32;
        let partitions = rng.range(1, 3) as u32;
        let mut limits = Limits::new(brokers);
        let mut body = Vec::new();
        let mut push = |limits: &mut Limits, line: String| {
            if limits.apply(&line) {
                body.push(line);
            }
        };
        let steps = rng.range(8, 24);
        for k in 0..steps {
            let count = rng.range(1, 3);
            push(
                &mut limits,
                format!("send p t value=r{k}x{{i}} count={count}"),
            );
            let wait = match rng.below(3) {
                0 => rng.range(1, 50),
                1 => rng.range(50, 1_000),
                _ => rng.range(1_000, 8_000),
            };
            push(&mut limits, format!("tick {wait}"));
            let b = rng.below(brokers as u64) as usize;
            let other = (b + 1 + rng.below(brokers as u64 - 1) as usize) % brokers as usize;
            let line = match rng.below(12) {
                0 | 1 => format!("crash {b}"),
                2 | 3 => format!("power-off {b}"),
                4 | 5 => {
                    // Bring back someone who is down, if allowed yet.
                    match (0..brokers as usize)
                        .find(|&i| limits.state[i] != State::Up && limits.allows("restart", i))
                    {
                        Some(i) => format!("restart {i}"),
                        None => continue,
                    }
                }
                6 => {
                    let rest: Vec<String> = (0..brokers as usize)
                        .filter(|&i| i != b)
                        .map(|i| i.to_string())
                        .chain(["zk".to_string(), "p".to_string()])
                        .collect();
                    format!("partition {b} | {}", rest.join(","))
                }
                7 | 8 => "heal".to_string(),
                9 => {
                    let api = ["Fetch", "Produce", "LeaderAndIsr", "OffsetForLeaderEpoch"]
                        [rng.below(4) as usize];
                    format!("drop {b}->{other} type={api} count={}", rng.range(1, 3))
                }
                10 => format!("delay {b}->{other} ms={}", rng.range(5, 3_000)),
                _ => continue,
            };
            push(&mut limits, line);
        }
        Schedule {
            seed,
            brokers,
            partitions,
            truncation,
            body,
        }
    }

    /// Whether the body keeps to the search's limits (the generator does
    /// by construction; the shrinker checks every candidate).
    pub fn valid(&self) -> bool {
        let mut limits = Limits::new(self.brokers);
        self.body.iter().all(|l| limits.apply(l))
    }

    /// The whole scenario text.
    pub fn scenario(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Fault search, seed {}, kafkascope.truncation={}.",
            self.seed,
            self.truncation.name()
        );
        let _ = writeln!(
            s,
            "cluster brokers={} seed={} min.insync.replicas=2 replica.lag.time.max.ms={LAG_TIME_MS} zookeeper.session.timeout.ms={SESSION_TIMEOUT_MS} kafkascope.truncation={}",
            self.brokers,
            self.seed,
            self.truncation.name()
        );
        let _ = writeln!(
            s,
            "topic create t partitions={} replication-factor=3",
            self.partitions
        );
        let _ = writeln!(s, "producer p acks=all request.timeout.ms=10000");
        for line in &self.body {
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(
            s,
            "say \"Faults stop: heal the network and restart every broker.\""
        );
        let _ = writeln!(s, "heal");
        if self.powered_off_at_end() {
            // Honest limit: a powered-off broker returns only once the
            // controller has had time to see it die (session timeout).
            let _ = writeln!(s, "tick {POWER_OFF_MIN_DOWN_MS}");
        }
        let _ = writeln!(s, "{}", self.restarts());
        for p in 0..self.partitions {
            let _ = writeln!(
                s,
                "run until leader t-{p} != none timeout={RECOVERY_TIMEOUT_MS}"
            );
        }
        let _ = writeln!(s, "flush p");
        let _ = writeln!(s, "tick 15000");
        let _ = writeln!(s, "expect lost == 0");
        s
    }

    /// Per broker, how the body leaves it: `None` up, else the command
    /// that took it down.
    fn down_at_end(&self) -> Vec<Option<&'static str>> {
        let mut down = vec![None; self.brokers as usize];
        for line in &self.body {
            let mut w = line.split_whitespace();
            match (w.next(), w.next().and_then(|b| b.parse::<usize>().ok())) {
                (Some("crash"), Some(b)) => down[b] = Some("crash"),
                (Some("power-off"), Some(b)) => down[b] = Some("power-off"),
                (Some("restart"), Some(b)) => down[b] = None,
                _ => {}
            }
        }
        down
    }

    fn powered_off_at_end(&self) -> bool {
        self.down_at_end().contains(&Some("power-off"))
    }

    /// `restart` for every broker the body leaves down (a `say` if none).
    fn restarts(&self) -> String {
        let down: Vec<bool> = self.down_at_end().iter().map(Option::is_some).collect();
        let lines: Vec<String> = down
            .iter()
            .enumerate()
            .filter(|(_, d)| **d)
            .map(|(b, _)| format!("restart {b}"))
            .collect();
        if lines.is_empty() {
            "say \"Every broker is already running.\"".to_string()
        } else {
            lines.join("\n")
        }
    }
}

/// What one seed showed.
#[derive(Debug)]
pub struct Outcome {
    /// Acknowledged records missing at the end.
    pub lost: usize,
    /// Invariant violations (HW backwards, divergence below HW).
    pub violations: Vec<String>,
    /// The run stopped early: no recovery (a partition without leader),
    /// a flush that never completed, or a command that could not run.
    pub failure: Option<String>,
}

impl Outcome {
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.violations.is_empty() && self.failure.is_none()
    }
}

fn outcome(report: &Report) -> Outcome {
    let lost = report
        .cluster
        .as_ref()
        .map_or(0, |c| invariants::lost(c).len());
    Outcome {
        lost,
        violations: report.violations.clone(),
        failure: report.failure.clone(),
    }
}

/// Runs a schedule with the invariant checks on.
pub fn run_schedule(s: &Schedule) -> Outcome {
    let text = s.scenario();
    match run_source(
        "chaos.scn",
        &text,
        &RunOptions {
            invariants: true,
            ..RunOptions::default()
        },
    ) {
        Ok(report) => outcome(&report),
        Err(e) => Outcome {
            lost: 0,
            violations: Vec::new(),
            failure: Some(format!("generated scenario is invalid: {e:?}\n{text}")),
        },
    }
}

/// Shrinks a losing schedule: drops body lines one at a time and merges
/// ticks while the run still completes and still loses acknowledged records.
pub fn shrink(s: &Schedule) -> Schedule {
    shrink_while(s, |o| o.failure.is_none() && o.lost > 0)
}

/// Shrinks a schedule while `keep` holds for its outcome.
pub fn shrink_while(s: &Schedule, keep: impl Fn(&Outcome) -> bool) -> Schedule {
    let loses = |c: &Schedule| c.valid() && keep(&run_schedule(c));
    let mut best = s.clone();
    loop {
        let mut progress = false;
        let mut i = 0;
        while i < best.body.len() {
            let mut cand = best.clone();
            cand.body.remove(i);
            if loses(&cand) {
                best = cand;
                progress = true;
            } else {
                i += 1;
            }
        }
        // Merge adjacent ticks into one (same total time).
        let mut i = 0;
        while i + 1 < best.body.len() {
            let (a, b) = (&best.body[i], &best.body[i + 1]);
            if let (Some(x), Some(y)) = (a.strip_prefix("tick "), b.strip_prefix("tick ")) {
                let mut cand = best.clone();
                let total: u64 = x.parse::<u64>().unwrap_or(0) + y.parse::<u64>().unwrap_or(0);
                cand.body.splice(i..i + 2, [format!("tick {total}")]);
                if loses(&cand) {
                    best = cand;
                    progress = true;
                    continue;
                }
            }
            i += 1;
        }
        if !progress {
            return best;
        }
    }
}

/// The search over `seeds`: every schedule's outcome, in seed order. Seeds
/// are independent runs, so they are spread over the machine's cores; each
/// result depends on its seed alone.
pub fn search(seeds: std::ops::Range<u64>, truncation: Truncation) -> Vec<(Schedule, Outcome)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4) as u64;
    let mut results: Vec<(Schedule, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let seeds = seeds.clone();
                scope.spawn(move || {
                    seeds
                        .filter(|seed| seed % threads == t)
                        .map(|seed| {
                            let s = Schedule::generate(seed, truncation);
                            let o = run_schedule(&s);
                            (s, o)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a search worker panicked"))
            .collect()
    });
    results.sort_by_key(|(s, _)| s.seed);
    results
}

//! The scenario runner: executes a parsed scenario command by command on a
//! [`Cluster`], printing narration and `PASS`/`FAIL` lines.
//!
//! Extensions to the contract (they only add behaviour):
//! - `cluster` runs until every broker is registered in ZooKeeper and a
//!   controller is active (at most 60 s of virtual time), so the next
//!   command meets a working cluster.
//! - `topic create` runs until every partition has a leader that has taken
//!   up leadership (at most 60 s).
//! - `flush` runs until every record sent so far is acknowledged or failed.
//! - `shutdown BROKER` runs until the controlled shutdown completes.
//! - `--seed` on the command line wins over the file's `cluster seed=`;
//!   with neither, the seed is 0.
//!
//! - `producer NAME transactional.id=T` (and `restart NAME` of it) runs
//!   `initTransactions()` until it returns; the transactional commands are
//!   run by `producer_commands`.
//! - A `send` that Kafka's producer refuses by throwing (a transactional
//!   producer outside a transaction, or in an error state) is narrated
//!   (`send p: IllegalStateException: ...`) and the run goes on.
//!
//! What is refused before the run (never silently ignored): `topic alter`,
//! producer configs the producer does not implement or that contradict
//! each other (Kafka's ConfigException messages), consumer configs the
//! consumer does not implement, broker and topic configs the broker does
//! not know. Consumers and groups are run by
//! `client_commands`/`client_predicates`.

use broker::BrokerConfig;
use scenario::{Command, DemoLine, Lang, Node, Predicate, Scenario, ScenarioError};
use serde_json::json;

use crate::cluster::{Cluster, ClusterSpec, Hosts};
use crate::predicates;
use crate::producer::{ProducerConfig, ProducerRecord};

/// How long `cluster` and `topic create` may take to settle.
const SETTLE_TIMEOUT_MS: u64 = 60_000;
/// How long a controlled shutdown may take.
const SHUTDOWN_TIMEOUT_MS: u64 = 120_000;

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides the file's `cluster seed=`.
    pub seed: Option<u64>,
    /// Record the trace (every delivered message, state change, expect).
    pub trace: bool,
    /// Check replication invariants while running (the fault search): HW
    /// never backwards on a leader within an epoch (after every event), no
    /// divergence below the HW among live in-sync replicas (after every
    /// command and every second of virtual time).
    pub invariants: bool,
    /// The language of the narration printed: `say` (English) or, where a
    /// `say.zh` follows it, the Chinese; the demo header likewise.
    pub lang: scenario::Lang,
}

/// One `expect`'s outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectResult {
    pub line: usize,
    pub predicate: String,
    pub passed: bool,
    pub was: String,
}

/// What a run printed and found.
#[derive(Default)]
pub struct Report {
    /// Narration and PASS/FAIL lines, in order.
    pub lines: Vec<String>,
    pub expects: Vec<ExpectResult>,
    /// Why the run stopped early (a `run until` timed out, a command failed).
    pub failure: Option<String>,
    /// The trace as JSON lines (with `RunOptions::trace`).
    pub trace: String,
    pub trace_hash: u64,
    /// The cluster at the end, for tests and the fault search.
    pub cluster: Option<Cluster>,
    /// Invariant violations (with `RunOptions::invariants`).
    pub violations: Vec<String>,
}

impl Report {
    /// Every expect held and nothing failed.
    pub fn ok(&self) -> bool {
        self.failure.is_none() && self.expects.iter().all(|e| e.passed)
    }
}

fn unsupported(file: &str, line: usize, message: String) -> ScenarioError {
    ScenarioError {
        file: file.to_string(),
        line,
        message,
    }
}

fn check_predicate(p: &Predicate) -> Option<String> {
    match p {
        Predicate::Compare(c) if !predicates::supported(&c.subject) => Some(format!(
            "the `{}` predicate is not supported yet (consumers arrive with the clients issue)",
            c.subject.keyword()
        )),
        _ => None,
    }
}

/// Refuses, before anything runs, what this runner cannot do faithfully.
pub fn preflight(s: &Scenario) -> Result<(), Vec<ScenarioError>> {
    let mut errors = Vec::new();
    for c in &s.commands {
        let line = c.line;
        let mut err = |m: String| errors.push(unsupported(&s.file, line, m));
        match &c.node {
            Command::Consumer {
                name,
                group,
                configs,
            } => {
                let settings: Vec<(String, String)> = configs
                    .iter()
                    .map(|s| (s.name.clone(), s.value.to_string()))
                    .collect();
                if let Err(m) =
                    crate::consumer_node::consumer_config(name, group.as_deref(), &settings)
                {
                    err(m);
                }
            }
            Command::TopicAlter { .. } => err(
                "`topic alter` is not supported yet (the broker's controller does not handle added partitions yet)"
                    .into(),
            ),
            Command::Cluster { configs, .. } => {
                let mut bc = BrokerConfig::new(0);
                for s in configs {
                    let value = s.value.to_string();
                    let checked = if s.name == crate::cluster::NETWORK_DELAY {
                        crate::cluster::network_delay(&[(s.name.clone(), value)]).map(|_| ())
                    } else {
                        bc.set(&s.name, &value)
                    };
                    if let Err(m) = checked {
                        err(m);
                    }
                }
            }
            Command::TopicCreate { configs, .. } => {
                let pairs: Vec<(String, String)> = configs
                    .iter()
                    .filter(|s| !matches!(s.name.as_str(), "min.insync.replicas" | "unclean.leader.election.enable"))
                    .map(|s| (s.name.clone(), s.value.to_string()))
                    .collect();
                if let Err(e) = log::LogConfig::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
                    err(format!("topic config not supported: {e}"));
                }
            }
            Command::Producer { name, configs } => {
                let mut pc = ProducerConfig::default();
                let mut ok = true;
                for s in configs {
                    if let Err(m) = pc.set(&s.name, &s.value.to_string()) {
                        ok = false;
                        err(m);
                    }
                }
                if let (true, Err(m)) = (ok, pc.validate()) {
                    err(format!("producer {name}: {m}"));
                }
            }
            Command::Shutdown { node: Node::Zk } => {
                err("`shutdown zk` is not supported (ZooKeeper has no controlled shutdown); use `crash zk`".into())
            }
            Command::RunUntil { predicate, .. } | Command::Expect { predicate } => {
                if let Some(m) = check_predicate(predicate) {
                    err(m);
                }
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn node_name(n: &Node) -> String {
    match n {
        Node::Broker(b) => b.to_string(),
        Node::Zk => "zk".to_string(),
        Node::Client(c) => c.clone(),
    }
}

/// How `kafkascope run` prints a demo header line in one language (lines of
/// the other language print nothing).
fn demo_header_line(d: &DemoLine, lang: Lang) -> Option<String> {
    match (d, lang) {
        (DemoLine::Title { lang: l, text }, _) if *l == lang => Some(match lang {
            Lang::En => format!("Demo: {text}"),
            Lang::Zh => format!("演示：{text}"),
        }),
        (DemoLine::Teaches { lang: l, text }, _) if *l == lang => Some(match lang {
            Lang::En => format!("Teaches: {text}"),
            Lang::Zh => format!("要点：{text}"),
        }),
        (DemoLine::Seed { file, quote }, Lang::En) => Some(format!("Seed {file}: 「{quote}」")),
        (DemoLine::Seed { file, quote }, Lang::Zh) => Some(format!("出处 {file}：「{quote}」")),
        (DemoLine::SeedEn { text }, Lang::En) => Some(format!("  ({text})")),
        _ => None,
    }
}

/// Runs a scenario that passed [`scenario::parse`] and [`preflight`].
pub fn run(s: &Scenario, opts: &RunOptions) -> Report {
    run_hosted(s, opts, None)
}

/// [`run`] with the brokers started by `hosts` (each in its own process,
/// e.g. a web worker) instead of in the simulator's thread. The run is the
/// same event for event: the trace is identical.
pub fn run_hosted(s: &Scenario, opts: &RunOptions, hosts: Option<Hosts>) -> Report {
    let mut r = Runner {
        report: Report::default(),
        cluster: None,
        opts: opts.clone(),
        halt_at: None,
        hosts,
    };
    for (i, c) in s.commands.iter().enumerate() {
        // In Chinese a `say` gives way to the `say.zh` right after it.
        let translated = matches!(
            s.commands.get(i + 1).map(|n| &n.node),
            Some(Command::SayZh { .. })
        );
        if opts.lang == Lang::Zh && translated && matches!(c.node, Command::Say { .. }) {
            continue;
        }
        if let Err(m) = r.exec(c.line, &c.node) {
            let msg = format!("FAIL line {}: {m}", c.line);
            r.report.lines.push(msg.clone());
            r.report.failure = Some(msg);
            break;
        }
        if opts.invariants {
            r.check_invariants(c.line);
        }
    }
    if let Some(w) = r.cluster.as_mut().and_then(|c| c.hw_watch.take()) {
        r.report.violations.extend(w.violations);
    }
    if let Some(cl) = &r.cluster {
        for e in cl.host_errors.borrow().iter() {
            r.report.lines.push(format!("ERROR {e}"));
        }
        r.report.trace = cl.sim.trace_json_lines();
        r.report.trace_hash = cl.sim.trace_hash();
    }
    r.report.cluster = r.cluster;
    r.report
}

/// Executes commands one at a time (the batch [`run`] and the UI's
/// [`crate::session::Session`]).
pub(crate) struct Runner {
    pub(crate) report: Report,
    pub(crate) cluster: Option<Cluster>,
    pub(crate) opts: RunOptions,
    /// The replay limit given to the cluster it builds ([`Cluster::halt_at`]).
    pub(crate) halt_at: Option<u64>,
    /// Where the clusters it builds run their brokers (`None`: here).
    pub(crate) hosts: Option<Hosts>,
}

impl Runner {
    fn check_invariants(&mut self, line: usize) {
        let Some(c) = self.cluster.as_mut() else {
            return;
        };
        if c.hw_watch.is_none() {
            c.hw_watch = Some(crate::invariants::HwWatch::default());
        }
        for tp in c.all_partitions() {
            if let Some(v) = crate::invariants::divergence_below_hw(c, &tp) {
                self.report
                    .violations
                    .push(format!("after line {line}: {v}"));
            }
        }
    }

    fn cluster(&mut self) -> Result<&mut Cluster, String> {
        self.cluster
            .as_mut()
            .ok_or_else(|| "no cluster yet: write `cluster brokers=N` first".to_string())
    }

    fn say(&mut self, line: String) {
        self.report.lines.push(line);
    }

    pub(crate) fn exec(&mut self, line: usize, cmd: &Command) -> Result<(), String> {
        if let Some(c) = self.cluster.as_mut() {
            c.sim
                .note("command", json!({"line": line, "text": cmd.to_string()}));
        }
        match cmd {
            Command::Cluster {
                brokers,
                seed,
                racks,
                configs,
            } => {
                let spec = ClusterSpec {
                    brokers: *brokers as u32,
                    seed: self.opts.seed.or(*seed).unwrap_or(0),
                    racks: racks.clone(),
                    configs: configs
                        .iter()
                        .map(|s| (s.name.clone(), s.value.to_string()))
                        .collect(),
                    tracing: self.opts.trace,
                };
                let mut c = Cluster::with_hosts(&spec, self.hosts.clone())?;
                c.halt_at = self.halt_at;
                c.start();
                let n = spec.brokers as i32;
                let ok = c.run_until(SETTLE_TIMEOUT_MS, |c| {
                    (0..n).all(|b| c.broker_status(b).is_some_and(|s| s.registered))
                        && c.controller_id()
                            .is_some_and(|b| c.broker_status(b).is_some_and(|s| s.controller))
                });
                self.cluster = Some(c);
                if !ok {
                    return Err(format!("the cluster did not start within {SETTLE_TIMEOUT_MS} ms (brokers registered and a controller active)"));
                }
            }
            Command::TopicCreate {
                name,
                partitions,
                replication_factor,
                assignment,
                configs,
            } => {
                let c = self.cluster()?;
                let config: Vec<(String, String)> = configs
                    .iter()
                    .map(|s| (s.name.clone(), s.value.to_string()))
                    .collect();
                c.create_topic(
                    name,
                    *partitions,
                    *replication_factor,
                    assignment.as_deref(),
                    &config,
                )?;
                let tps = c.topic_partitions(name);
                let ok = c.run_until(SETTLE_TIMEOUT_MS, |c| {
                    tps.iter().all(|tp| match c.partition_state(tp) {
                        Some(s) if s.leader >= 0 => {
                            c.broker_up(s.leader)
                                && c.broker_partition(s.leader, tp).is_some_and(|p| {
                                    p.is_leader(s.leader) && p.leader_epoch == s.leader_epoch
                                })
                        }
                        _ => false,
                    })
                });
                if !ok {
                    return Err(format!("topic {name}: not every partition had a leader within {SETTLE_TIMEOUT_MS} ms"));
                }
            }
            Command::Producer { name, configs } => {
                let mut pc = ProducerConfig::default();
                for s in configs {
                    pc.set(&s.name, &s.value.to_string())?;
                }
                pc.validate()?;
                let c = self.cluster()?;
                c.add_producer(name, pc);
                let c = self.cluster.as_mut().expect("just used");
                crate::producer_commands::init_if_transactional(c, name, &mut self.report.lines)?;
            }
            Command::Send {
                producer,
                topic,
                value,
                key,
                partition,
                count,
                headers,
            } => {
                let c = self.cluster()?;
                for i in 0..*count {
                    let record = ProducerRecord {
                        topic: topic.clone(),
                        partition: *partition,
                        key: key.as_ref().map(|k| k.expand(i).into_bytes()),
                        value: value.as_ref().map(|v| v.expand(i).into_bytes()),
                        headers: headers.clone(),
                    };
                    let sent = c
                        .with_producer(producer, |p, now, out| p.send(now, record, out))
                        .ok_or_else(|| format!("producer {producer} is not running"))?;
                    if let Err(e) = sent {
                        self.report.lines.push(format!("send {producer}: {e}"));
                        break;
                    }
                }
            }
            Command::Flush { producer } => {
                let c = self.cluster()?;
                let cfg = c
                    .producer(producer)
                    .ok_or_else(|| format!("there is no producer {producer}"))?
                    .config
                    .clone();
                c.with_producer(producer, |p, now, out| p.flush(now, out))
                    .ok_or_else(|| format!("producer {producer} is not running"))?;
                let limit = cfg.delivery_timeout_ms + cfg.request_timeout_ms + cfg.max_block_ms;
                let name = producer.clone();
                let done = c.run_until(limit, |c| {
                    c.producer(&name).is_none_or(|p| p.incomplete() == 0)
                });
                // Sends that failed with a specific exception are narrated
                // (the application's callbacks were told while it flushed).
                let notices = c
                    .with_producer(producer, |p, _, _| std::mem::take(&mut p.app.notices))
                    .unwrap_or_default();
                for n in notices {
                    self.report.lines.push(format!("send {producer}: {n}"));
                }
                if !done {
                    return Err(format!(
                        "flush {producer} did not complete within {limit} ms"
                    ));
                }
            }
            Command::Crash { node } => self.cluster()?.crash(&node_name(node), false)?,
            Command::PowerOff { node } => self.cluster()?.crash(&node_name(node), true)?,
            Command::Restart { node } => {
                let name = node_name(node);
                self.cluster()?.restart(&name)?;
                let c = self.cluster.as_mut().expect("just used");
                crate::producer_commands::init_if_transactional(c, &name, &mut self.report.lines)?;
            }
            Command::Shutdown { node } => self
                .cluster()?
                .shutdown(&node_name(node), SHUTDOWN_TIMEOUT_MS)?,
            Command::Partition { groups } => {
                let groups: Vec<Vec<String>> = groups
                    .iter()
                    .map(|g| g.iter().map(node_name).collect())
                    .collect();
                self.cluster()?.partition(&groups)?
            }
            Command::Heal => self.cluster()?.sim.heal(),
            Command::Hold { link, api } => {
                let c = self.cluster()?;
                let (a, b) = c.link(&node_name(&link.from), &node_name(&link.to))?;
                c.sim.hold(a, b, api.as_deref());
            }
            Command::Release { link, api } => {
                let c = self.cluster()?;
                let (a, b) = c.link(&node_name(&link.from), &node_name(&link.to))?;
                c.sim.release(a, b, api.as_deref());
            }
            Command::Drop { link, api, count } => {
                let c = self.cluster()?;
                let (a, b) = c.link(&node_name(&link.from), &node_name(&link.to))?;
                c.sim.drop_messages(a, b, api.as_deref(), *count);
            }
            Command::Delay { link, ms } => {
                let c = self.cluster()?;
                let (a, b) = c.link(&node_name(&link.from), &node_name(&link.to))?;
                c.sim.delay(a, b, *ms);
            }
            Command::Tick { ms } => self.cluster()?.tick(*ms),
            Command::Step { n } => {
                let c = self.cluster()?;
                for _ in 0..*n {
                    if c.step().is_none() {
                        break;
                    }
                }
            }
            Command::RunUntil {
                predicate,
                timeout_ms,
            } => {
                let c = self.cluster()?;
                // A predicate about something that does not exist fails at once.
                predicates::check(c, predicate)?;
                let ok = c.run_until(*timeout_ms, |c| {
                    predicates::check(c, predicate).is_ok_and(|(held, _)| held)
                });
                if !ok {
                    let (_, was) = predicates::check(c, predicate)?;
                    return Err(format!(
                        "run until {predicate} timed out after {timeout_ms} ms (was {was})"
                    ));
                }
            }
            Command::Say { text } => {
                if let Some(c) = self.cluster.as_mut() {
                    c.sim.note("say", json!({"line": line, "text": text}));
                }
                self.say(text.clone());
            }
            Command::SayZh { text } => {
                if self.opts.lang == Lang::Zh {
                    if let Some(c) = self.cluster.as_mut() {
                        c.sim.note("say", json!({"line": line, "text": text}));
                    }
                    self.say(text.clone());
                }
            }
            Command::Demo(d) => {
                if let Some(text) = demo_header_line(d, self.opts.lang) {
                    self.say(text);
                }
            }
            Command::Expect { predicate } => {
                let c = self.cluster()?;
                let (passed, was) = predicates::check(c, predicate)?;
                c.sim.note("expect", json!({"line": line, "predicate": predicate.to_string(), "passed": passed, "was": was.to_string()}));
                let text = if passed {
                    format!("PASS line {line}: {predicate}")
                } else {
                    format!("FAIL line {line}: {predicate} (was {was})")
                };
                self.say(text);
                self.report.expects.push(ExpectResult {
                    line,
                    predicate: predicate.to_string(),
                    passed,
                    was: was.to_string(),
                });
            }
            other => {
                let Some(c) = self.cluster.as_mut() else {
                    return Err("no cluster yet: write `cluster brokers=N` first".to_string());
                };
                if let Some(r) = crate::producer_commands::exec(c, other, &mut self.report.lines) {
                    return r;
                }
                match crate::client_commands::exec(c, other, &mut self.report.lines) {
                    Some(r) => r?,
                    None => return Err(format!("{other} is not supported yet")),
                }
            }
        }
        Ok(())
    }
}

/// Parses, preflights and runs one file's text.
pub fn run_source(
    file: &str,
    source: &str,
    opts: &RunOptions,
) -> Result<Report, Vec<ScenarioError>> {
    let s = scenario::parse(file, source)?;
    preflight(&s)?;
    Ok(run(&s, opts))
}

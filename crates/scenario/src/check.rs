//! The static checker: walks the commands in order, keeping what exists at
//! each point (brokers, topics and their partitions, clients, groups), and
//! reports every reference to something that does not exist yet.
//!
//! It is incremental so that the browser console can check one typed command
//! against the scenario run so far.

use std::collections::BTreeMap;

use crate::ast::*;
use crate::config::{lookup, ConfigValue, Scope};
use crate::parser::{parse_line, setting, Declares, LineOutcome};

#[derive(Debug, Clone)]
struct TopicInfo {
    line: usize,
    /// `None` when the declaring line failed to parse: ranges are unknown.
    partitions: Option<i32>,
    /// Explicit replica lists (from `assignment=`) of the first partitions;
    /// partitions past its end (or added by `topic alter`) are placed by
    /// the cluster.
    assignment: Vec<Vec<i32>>,
}

#[derive(Debug, Clone, PartialEq)]
enum ClientKind {
    Producer {
        transactional: bool,
    },
    Consumer {
        group: Option<String>,
    },
    /// Declared on a line that failed to parse: accept any use.
    Unknown,
}

#[derive(Debug, Clone)]
struct ClientInfo {
    line: usize,
    kind: ClientKind,
}

/// What exists so far in a scenario. Feed it commands in order.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    cluster_line: Option<usize>,
    /// `None` before `cluster`, or when the cluster line failed to parse.
    brokers: Option<i32>,
    cluster_broken: bool,
    reported_missing_cluster: bool,
    /// Set by an explicit `auto.create.topics.enable=true` on `cluster`.
    auto_create: Option<(i32, i32)>,
    /// Set by an explicit `auto.create.topics.enable=false`: a `send` to a
    /// topic that does not exist runs (and fails after `max.block.ms`).
    no_auto_create: bool,
    topics: BTreeMap<String, TopicInfo>,
    clients: BTreeMap<String, ClientInfo>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of brokers, once `cluster` has been checked.
    pub fn brokers(&self) -> Option<i32> {
        self.brokers
    }

    /// Checks one command written on `line`; returns its error messages.
    pub fn check(&mut self, line: usize, command: &Command) -> Vec<String> {
        let mut cx = Cx {
            errors: Vec::new(),
            line,
        };
        self.require_cluster_first(&mut cx, command);
        self.command(&mut cx, command);
        cx.errors
    }

    /// Parses and checks one source line (the console's entry point; `parse`
    /// runs every line of a file through it). `Ok(None)` for blank lines.
    /// A line with errors still declares what it names, so later lines
    /// that use it are not reported too.
    pub fn line(&mut self, line: usize, text: &str) -> Result<Option<Command>, Vec<String>> {
        match parse_line(text) {
            LineOutcome::Blank => Ok(None),
            LineOutcome::Command(command, mut errors) => {
                errors.extend(self.check(line, &command));
                if errors.is_empty() {
                    Ok(Some(command))
                } else {
                    Err(errors)
                }
            }
            LineOutcome::Failed { errors, declares } => {
                if let Some(d) = declares {
                    self.declare_broken(line, d);
                }
                Err(errors)
            }
        }
    }

    /// Records what a line that failed to parse tried to declare, so later
    /// uses of it are not reported as unknown too.
    fn declare_broken(&mut self, line: usize, declares: Declares) {
        match declares {
            Declares::Cluster => {
                if self.cluster_line.is_none() {
                    self.cluster_line = Some(line);
                    self.cluster_broken = true;
                }
            }
            Declares::Topic(name) => {
                self.topics.entry(name).or_insert(TopicInfo {
                    line,
                    partitions: None,
                    assignment: Vec::new(),
                });
            }
            Declares::Client(name) => {
                self.clients.entry(name).or_insert(ClientInfo {
                    line,
                    kind: ClientKind::Unknown,
                });
            }
        }
    }

    /// The error for a scenario that never declared its cluster.
    pub fn finish(&self) -> Option<String> {
        (self.cluster_line.is_none() && !self.reported_missing_cluster)
            .then(|| "empty scenario: it must start with cluster brokers=N".to_string())
    }

    fn require_cluster_first(&mut self, cx: &mut Cx, command: &Command) {
        let is_cluster = matches!(command, Command::Cluster { .. });
        let narration = matches!(
            command,
            Command::Say { .. } | Command::SayZh { .. } | Command::Demo(_)
        );
        if self.cluster_line.is_none()
            && !is_cluster
            && !narration
            && !self.reported_missing_cluster
        {
            self.reported_missing_cluster = true;
            cx.err("the scenario must start with cluster brokers=N (only say, say.zh and demo may come before it)");
        }
    }

    fn command(&mut self, cx: &mut Cx, command: &Command) {
        match command {
            Command::Cluster {
                brokers, configs, ..
            } => self.cluster(cx, *brokers, configs),
            Command::TopicCreate {
                name,
                partitions,
                replication_factor,
                assignment,
                ..
            } => self.topic_create(cx, name, *partitions, *replication_factor, assignment),
            Command::TopicAlter { name, partitions } => {
                if let Some(t) = self.topic(cx, name) {
                    match t.partitions {
                        Some(have) if *partitions <= have => cx.err(format!(
                            "topic alter {name} partitions={partitions}: the topic has {have} partitions and Kafka can only add partitions"
                        )),
                        _ => {
                            let t = self.topics.get_mut(name).expect("checked above");
                            if t.partitions.is_some() {
                                t.partitions = Some(*partitions);
                            }
                        }
                    }
                }
            }
            Command::Producer { name, configs } => {
                self.declare_client(cx, name);
                producer_configs(cx, name, configs);
                let transactional = setting(configs, "transactional.id").is_some();
                self.add_client(cx.line, name, ClientKind::Producer { transactional });
            }
            Command::Consumer {
                name,
                group,
                configs,
            } => {
                self.declare_client(cx, name);
                if group.is_none()
                    && setting(configs, "enable.auto.commit") == Some(&ConfigValue::Bool(true))
                {
                    cx.err(format!(
                        "consumer {name}: enable.auto.commit=true needs a group (Kafka: enable.auto.commit cannot be set to true when default group id (null) is used)"
                    ));
                }
                let kind = ClientKind::Consumer {
                    group: group.clone(),
                };
                self.add_client(cx.line, name, kind);
            }
            Command::Send {
                producer,
                topic,
                partition,
                ..
            } => {
                self.producer(cx, "send", producer, false);
                self.auto_create(cx.line, topic);
                if self.no_auto_create && !self.topics.contains_key(topic.as_str()) {
                    // Kafka's producer waits for the topic's metadata and
                    // fails the send after max.block.ms: shown, not refused.
                } else if let (Some(t), Some(p)) = (self.topic(cx, topic), partition) {
                    partition_in_range(cx, topic, t, *p);
                }
            }
            Command::Flush { producer } => self.producer(cx, "flush", producer, false),
            Command::BeginTxn { producer } => self.producer(cx, "begin-txn", producer, true),
            Command::CommitTxn { producer } => self.producer(cx, "commit-txn", producer, true),
            Command::AbortTxn { producer } => self.producer(cx, "abort-txn", producer, true),
            Command::SendOffsetsToTxn { producer, consumer } => {
                self.producer(cx, "send-offsets-to-txn", producer, true);
                self.consumer(cx, "send-offsets-to-txn", consumer, true);
            }
            Command::Subscribe { consumer, topics } => {
                self.consumer(cx, "subscribe", consumer, true);
                for t in topics {
                    self.auto_create(cx.line, t);
                    self.topic(cx, t);
                }
            }
            Command::Assign {
                consumer,
                partitions,
            } => {
                self.consumer(cx, "assign", consumer, false);
                for p in partitions {
                    self.partition(cx, p);
                }
            }
            Command::Poll { consumer, .. } => self.consumer(cx, "poll", consumer, false),
            Command::Process { consumer, .. } => self.consumer(cx, "process", consumer, false),
            Command::Commit { consumer, .. } => self.consumer(cx, "commit", consumer, true),
            Command::Seek {
                consumer,
                partition,
                ..
            } => {
                self.consumer(cx, "seek", consumer, false);
                self.partition(cx, partition);
            }
            Command::Close { consumer } => self.consumer(cx, "close", consumer, false),
            Command::Crash { node } | Command::PowerOff { node } | Command::Restart { node } => {
                self.node(cx, node)
            }
            Command::Shutdown { node } => {
                if let Node::Client(name) = node {
                    cx.err(format!(
                        "shutdown {name}: shutdown is a broker's controlled shutdown; stop a client with crash {name} (or close {name} for a consumer)"
                    ));
                } else {
                    self.node(cx, node);
                }
            }
            Command::Partition { groups } => {
                for n in groups.iter().flatten() {
                    self.node(cx, n);
                }
            }
            Command::Hold { link, .. }
            | Command::Release { link, .. }
            | Command::Drop { link, .. }
            | Command::Delay { link, .. } => {
                self.node(cx, &link.from);
                self.node(cx, &link.to);
            }
            Command::RunUntil { predicate, .. } | Command::Expect { predicate } => {
                if let Predicate::Compare(c) = predicate {
                    self.comparison(cx, c);
                }
            }
            Command::Heal
            | Command::Tick { .. }
            | Command::Step { .. }
            | Command::Say { .. }
            | Command::SayZh { .. }
            | Command::Demo(_) => {}
        }
    }

    fn cluster(&mut self, cx: &mut Cx, brokers: i32, configs: &[Setting]) {
        if let Some(first) = self.cluster_line {
            cx.err(format!("cluster given twice (first on line {first})"));
            return;
        }
        self.cluster_line = Some(cx.line);
        self.brokers = Some(brokers);
        let int = |name: &str| {
            setting(configs, name)
                .and_then(ConfigValue::as_i64)
                .or_else(|| kafka_default(Scope::Broker, name))
                .unwrap_or(1) as i32
        };
        if setting(configs, "auto.create.topics.enable") == Some(&ConfigValue::Bool(true)) {
            self.auto_create = Some((int("num.partitions"), int("default.replication.factor")));
        }
        self.no_auto_create =
            setting(configs, "auto.create.topics.enable") == Some(&ConfigValue::Bool(false));
        // Kafka's internal topics exist from the start; predicates may name them.
        for (topic, count) in [
            ("__consumer_offsets", "offsets.topic.num.partitions"),
            (
                "__transaction_state",
                "transaction.state.log.num.partitions",
            ),
        ] {
            self.topics.insert(
                topic.to_string(),
                TopicInfo {
                    line: cx.line,
                    partitions: Some(int(count)),
                    assignment: Vec::new(),
                },
            );
        }
    }

    fn topic_create(
        &mut self,
        cx: &mut Cx,
        name: &str,
        partitions: i32,
        rf: i32,
        assignment: &Option<Vec<Vec<i32>>>,
    ) {
        if let Some(t) = self.topics.get(name) {
            let what = if name.starts_with("__") {
                "is one of Kafka's internal topics".to_string()
            } else {
                format!("already exists (created on line {})", t.line)
            };
            cx.err(format!("topic {name} {what}"));
            return;
        }
        if let Some(n) = self.brokers {
            if rf > n {
                cx.err(format!(
                    "topic create {name}: replication-factor={rf} is more than the cluster's {n} brokers"
                ));
            }
        }
        if let Some(a) = assignment {
            for id in a.iter().flatten() {
                self.broker(cx, *id);
            }
        }
        self.topics.insert(
            name.to_string(),
            TopicInfo {
                line: cx.line,
                partitions: Some(partitions),
                assignment: assignment.clone().unwrap_or_default(),
            },
        );
    }

    /// With `auto.create.topics.enable=true`, producing to or subscribing to a
    /// new topic creates it (num.partitions, default.replication.factor).
    fn auto_create(&mut self, line: usize, topic: &str) {
        if let Some((partitions, _rf)) = self.auto_create {
            self.topics.entry(topic.to_string()).or_insert(TopicInfo {
                line,
                partitions: Some(partitions),
                assignment: Vec::new(),
            });
        }
    }

    fn declare_client(&self, cx: &mut Cx, name: &str) {
        if let Some(c) = self.clients.get(name) {
            let what = match c.kind {
                ClientKind::Producer { .. } => "a producer",
                ClientKind::Consumer { .. } => "a consumer",
                ClientKind::Unknown => "a client",
            };
            cx.err(format!(
                "{name} is already declared ({what} on line {})",
                c.line
            ));
        }
    }

    fn add_client(&mut self, line: usize, name: &str, kind: ClientKind) {
        self.clients
            .entry(name.to_string())
            .or_insert(ClientInfo { line, kind });
    }

    fn topic(&self, cx: &mut Cx, name: &str) -> Option<&TopicInfo> {
        let t = self.topics.get(name);
        if t.is_none() {
            let hint = crate::config::suggest(name, self.topics.keys().map(String::as_str))
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            cx.err(format!(
                "topic {name} does not exist here: create it first with topic create {name} ...{hint}"
            ));
        }
        t
    }

    fn partition(&self, cx: &mut Cx, p: &PartitionRef) -> Option<&TopicInfo> {
        let t = self.topic(cx, &p.topic)?;
        partition_in_range(cx, &p.topic, t, p.partition).then_some(t)
    }

    fn replica(&self, cx: &mut Cx, r: &ReplicaRef) {
        let broker_ok = self.broker(cx, r.broker);
        let Some(t) = self.partition(cx, &r.partition) else {
            return;
        };
        let replicas = t.assignment.get(r.partition.partition as usize).cloned();
        if let (true, Some(replicas)) = (broker_ok, replicas) {
            if !replicas.contains(&r.broker) {
                cx.err(format!(
                    "broker {} holds no replica of {}-{} (its replicas are on {})",
                    r.broker,
                    r.partition.topic,
                    r.partition.partition,
                    join(&replicas)
                ));
            }
        }
    }

    /// True if `id` is a broker of the cluster (or the cluster is unknown).
    fn broker(&self, cx: &mut Cx, id: i32) -> bool {
        match self.brokers {
            Some(n) if id >= n => {
                cx.err(format!(
                    "broker {id} does not exist: the cluster has {n} broker{} (0..{})",
                    if n == 1 { "" } else { "s" },
                    n - 1
                ));
                false
            }
            _ => true,
        }
    }

    fn node(&self, cx: &mut Cx, node: &Node) {
        match node {
            Node::Broker(id) => {
                self.broker(cx, *id);
            }
            Node::Zk => {}
            Node::Client(name) => {
                if !self.clients.contains_key(name) {
                    cx.err(format!(
                        "{name} is not declared: no broker, zk or client has that name{}",
                        self.client_hint(name)
                    ));
                }
            }
        }
    }

    fn client_hint(&self, name: &str) -> String {
        crate::config::suggest(name, self.clients.keys().map(String::as_str))
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default()
    }

    fn producer(&self, cx: &mut Cx, cmd: &str, name: &str, needs_txn: bool) {
        match self.clients.get(name).map(|c| &c.kind) {
            None => cx.err(format!(
                "{cmd}: producer {name} is not declared (declare it with producer {name} ...){}",
                self.client_hint(name)
            )),
            Some(ClientKind::Consumer { .. }) => {
                cx.err(format!("{cmd}: {name} is a consumer, not a producer"))
            }
            Some(ClientKind::Producer {
                transactional: false,
            }) if needs_txn => cx.err(format!(
                "{cmd}: producer {name} has no transactional.id (Kafka: transactional method invoked on a non-transactional producer)"
            )),
            Some(_) => {}
        }
    }

    fn consumer(&self, cx: &mut Cx, cmd: &str, name: &str, needs_group: bool) {
        match self.clients.get(name).map(|c| &c.kind) {
            None => cx.err(format!(
                "{cmd}: consumer {name} is not declared (declare it with consumer {name} ...){}",
                self.client_hint(name)
            )),
            Some(ClientKind::Producer { .. }) => {
                cx.err(format!("{cmd}: {name} is a producer, not a consumer"))
            }
            Some(ClientKind::Consumer { group: None }) if needs_group => cx.err(format!(
                "{cmd}: consumer {name} has no group (declare it with consumer {name} group=G)"
            )),
            Some(_) => {}
        }
    }

    fn group(&self, cx: &mut Cx, group: &str) {
        let known = self.clients.values().any(|c| match &c.kind {
            ClientKind::Consumer { group: Some(g) } => g == group,
            ClientKind::Unknown => true,
            _ => false,
        });
        if !known {
            let groups = self.clients.values().filter_map(|c| match &c.kind {
                ClientKind::Consumer { group: Some(g) } => Some(g.as_str()),
                _ => None,
            });
            let hint = crate::config::suggest(group, groups)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            cx.err(format!(
                "group {group} does not exist here: no consumer declared so far has group={group}{hint}"
            ));
        }
    }

    /// `member` must be a consumer declared with `group=group`.
    fn member(&self, cx: &mut Cx, group: &str, member: &str) {
        match self.clients.get(member).map(|c| &c.kind) {
            Some(ClientKind::Consumer { group: Some(g) }) if g == group => {}
            Some(ClientKind::Unknown) => {}
            Some(ClientKind::Consumer { .. }) => {
                cx.err(format!("{member} is not a consumer of group {group}"))
            }
            Some(ClientKind::Producer { .. }) => cx.err(format!(
                "{member} is a producer, not a member of group {group}"
            )),
            None => cx.err(format!(
                "consumer {member} is not declared{}",
                self.client_hint(member)
            )),
        }
    }

    fn comparison(&self, cx: &mut Cx, c: &Comparison) {
        match &c.subject {
            Subject::Leader(p)
            | Subject::Isr(p)
            | Subject::Epoch(p)
            | Subject::Hw(p)
            | Subject::Divergent(p)
            | Subject::Duplicates(p) => {
                self.partition(cx, p);
            }
            Subject::ReplicaHw(r)
            | Subject::Leo(r)
            | Subject::LogStart(r)
            | Subject::Log(r)
            | Subject::Segments(r)
            | Subject::Index(r)
            | Subject::IndexLookup { replica: r, .. }
            | Subject::Batches(r)
            | Subject::LogBytes(r) => self.replica(cx, r),
            Subject::Controller | Subject::Lost | Subject::Children(_) => {}
            Subject::Acked(p) => self.producer(cx, "acked", p, false),
            Subject::ProduceRequests(p) => self.producer(cx, "produce-requests", p, false),
            Subject::Errors(p) => self.producer(cx, "errors", p, false),
            Subject::Consumed(name) => self.consumer(cx, "consumed", name, false),
            Subject::Processed(name) => self.consumer(cx, "processed", name, false),
            Subject::Revoked(name) => self.consumer(cx, "revoked", name, false),
            Subject::Committed { group, partition } | Subject::Lag { group, partition } => {
                self.group(cx, group);
                self.partition(cx, partition);
            }
            Subject::Assignment { group, member } => {
                self.group(cx, group);
                self.member(cx, group, member);
            }
            Subject::Members(g) | Subject::Generation(g) | Subject::State(g) => self.group(cx, g),
        }
        // Expected values that name brokers, topics or members.
        match (&c.subject, &c.expected) {
            (Subject::Leader(_) | Subject::Controller, Expected::Int(id)) => {
                self.expected_broker(cx, *id)
            }
            (Subject::Isr(_), Expected::Ints(ids)) => {
                for id in ids {
                    self.expected_broker(cx, *id);
                }
            }
            (Subject::Assignment { .. } | Subject::Revoked(_), Expected::Partitions(ps)) => {
                for p in ps {
                    self.partition(cx, p);
                }
            }
            (Subject::Members(g), Expected::Strings(ms)) => {
                for m in ms {
                    self.member(cx, g, m);
                }
            }
            _ => {}
        }
    }

    fn expected_broker(&self, cx: &mut Cx, id: i64) {
        match i32::try_from(id) {
            Ok(id) if id >= 0 => {
                self.broker(cx, id);
            }
            _ => cx.err(format!("broker {id} does not exist: broker ids are 0..N-1")),
        }
    }
}

/// Kafka's own cross-checks of producer configs (`ProducerConfig`), with its
/// messages: they fail at `new KafkaProducer(...)`, before anything is sent.
fn producer_configs(cx: &mut Cx, name: &str, configs: &[Setting]) {
    let idempotence = setting(configs, "enable.idempotence").and_then(ConfigValue::as_bool);
    if idempotence == Some(true) {
        if let Some(acks) = setting(configs, "acks").and_then(ConfigValue::as_str) {
            if acks != "all" && acks != "-1" {
                cx.err(format!("producer {name}: acks={acks} with enable.idempotence=true (Kafka: Must set acks to all in order to use the idempotent producer)"));
            }
        }
        if let Some(n) = setting(configs, "max.in.flight.requests.per.connection")
            .and_then(ConfigValue::as_i64)
            .filter(|n| *n > 5)
        {
            cx.err(format!("producer {name}: max.in.flight.requests.per.connection={n} with enable.idempotence=true (Kafka: Must set max.in.flight.requests.per.connection to at most 5 when using the idempotent producer)"));
        }
        if setting(configs, "retries").and_then(ConfigValue::as_i64) == Some(0) {
            cx.err(format!("producer {name}: retries=0 with enable.idempotence=true (Kafka: Must set retries to non-zero when using the idempotent producer)"));
        }
    }
    if idempotence == Some(false) && setting(configs, "transactional.id").is_some() {
        cx.err(format!("producer {name}: transactional.id with enable.idempotence=false (Kafka: Cannot set a transactional.id without also enabling idempotence)"));
    }
}

fn partition_in_range(cx: &mut Cx, topic: &str, t: &TopicInfo, p: i32) -> bool {
    match t.partitions {
        Some(n) if p >= n => {
            cx.err(format!(
                "partition {topic}-{p} does not exist: {topic} has {n} partition{} (0..{})",
                if n == 1 { "" } else { "s" },
                n - 1
            ));
            false
        }
        _ => true,
    }
}

fn kafka_default(scope: Scope, name: &str) -> Option<i64> {
    lookup(scope, name).and_then(|d| d.default.parse().ok())
}

fn join(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

struct Cx {
    errors: Vec<String>,
    line: usize,
}

impl Cx {
    fn err(&mut self, msg: impl Into<String>) {
        self.errors.push(msg.into());
    }
}

//! The typed scenario: what the runner executes.
//!
//! Defaults the contract gives (poll timeout 5000, run-until timeout 60000,
//! step 1, count 1, commit sync) are already filled in, so the runner never
//! guesses; the printer leaves them out again.

use crate::config::ConfigValue;

/// `poll CONSUMER` without `timeout=`.
pub const DEFAULT_POLL_TIMEOUT_MS: u64 = 5000;
/// `run until PREDICATE` without `timeout=`.
pub const DEFAULT_RUN_UNTIL_TIMEOUT_MS: u64 = 60000;

/// A parsed and checked scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The file name used in error messages (`file:line: message`).
    pub file: String,
    pub commands: Vec<Located<Command>>,
}

/// A value with the 1-based line it was written on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub line: usize,
    pub node: T,
}

/// A node of the simulated network: `0`, `zk`, or a client's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Broker(i32),
    Zk,
    Client(String),
}

/// `TOPIC-P`, e.g. `orders-0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartitionRef {
    pub topic: String,
    pub partition: i32,
}

/// `TOPIC-P@B`: the replica of a partition on broker `B`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplicaRef {
    pub partition: PartitionRef,
    pub broker: i32,
}

/// `FROM->TO`: one direction of a network link.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    pub from: Node,
    pub to: Node,
}

/// One `NAME=VALUE` Kafka config, validated against [`crate::config`].
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub name: String,
    pub value: ConfigValue,
}

/// A record value or key that may contain `{i}`: with `count=N` the i-th
/// record (0-based) gets `{i}` replaced by i.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(pub String);

impl Template {
    /// The text for record number `i` of a `send ... count=N`.
    pub fn expand(&self, i: u64) -> String {
        self.0.replace("{i}", &i.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitMode {
    Sync,
    Async,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeekTarget {
    Offset(i64),
    Beginning,
    End,
    /// `time=T`: the first offset whose timestamp is >= T (offsetsForTimes).
    Time(i64),
}

/// One line of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `cluster brokers=N [seed=S] [racks=R0,R1,...] [BROKER_CONFIG=VALUE ...]`
    Cluster {
        brokers: i32,
        seed: Option<u64>,
        /// One rack per broker (`broker.rack`), in broker id order.
        racks: Option<Vec<String>>,
        configs: Vec<Setting>,
    },
    /// `topic create NAME partitions=P replication-factor=R [assignment=...] [TOPIC_CONFIG=VALUE ...]`
    TopicCreate {
        name: String,
        partitions: i32,
        replication_factor: i32,
        /// `assignment=0:1:2,1:2:0`: replicas of each partition, preferred leader first.
        assignment: Option<Vec<Vec<i32>>>,
        configs: Vec<Setting>,
    },
    /// `topic alter NAME partitions=P`
    TopicAlter {
        name: String,
        partitions: i32,
    },
    /// `producer NAME [PRODUCER_CONFIG=VALUE ...]`
    Producer {
        name: String,
        configs: Vec<Setting>,
    },
    /// `send PRODUCER TOPIC (value=V | tombstone) [key=K] [partition=P] [count=N] [headers=k1:v1,...]`
    Send {
        producer: String,
        topic: String,
        /// `None` is a tombstone: a record with a null value (extension).
        value: Option<Template>,
        key: Option<Template>,
        partition: Option<i32>,
        count: u64,
        headers: Vec<(String, String)>,
    },
    Flush {
        producer: String,
    },
    BeginTxn {
        producer: String,
    },
    CommitTxn {
        producer: String,
    },
    AbortTxn {
        producer: String,
    },
    SendOffsetsToTxn {
        producer: String,
        consumer: String,
    },
    /// `consumer NAME [group=G] [CONSUMER_CONFIG=VALUE ...]` (`group.id=G` is read as `group=G`).
    Consumer {
        name: String,
        group: Option<String>,
        configs: Vec<Setting>,
    },
    Subscribe {
        consumer: String,
        topics: Vec<String>,
    },
    Assign {
        consumer: String,
        partitions: Vec<PartitionRef>,
    },
    Poll {
        consumer: String,
        timeout_ms: u64,
    },
    /// `process CONSUMER [count=N]`; `None` processes everything delivered.
    Process {
        consumer: String,
        count: Option<u64>,
    },
    Commit {
        consumer: String,
        mode: CommitMode,
    },
    Seek {
        consumer: String,
        partition: PartitionRef,
        target: SeekTarget,
    },
    Close {
        consumer: String,
    },
    Crash {
        node: Node,
    },
    PowerOff {
        node: Node,
    },
    Restart {
        node: Node,
    },
    Shutdown {
        node: Node,
    },
    /// `partition A,B | C,D`: the groups of nodes to cut apart.
    Partition {
        groups: Vec<Vec<Node>>,
    },
    Heal,
    /// `api` is a Kafka API name (`Produce`, `Fetch`, ...) or `None` for all traffic.
    Hold {
        link: Link,
        api: Option<String>,
    },
    Release {
        link: Link,
        api: Option<String>,
    },
    /// `count: None` drops every matching message until `heal`.
    Drop {
        link: Link,
        api: Option<String>,
        count: Option<u64>,
    },
    Delay {
        link: Link,
        ms: u64,
    },
    Tick {
        ms: u64,
    },
    RunUntil {
        predicate: Predicate,
        timeout_ms: u64,
    },
    Step {
        n: u64,
    },
    Say {
        text: String,
    },
    /// `say.zh TEXT` (extension): the Chinese (简体中文) narration of the
    /// `say` right before it.
    SayZh {
        text: String,
    },
    /// `demo FIELD ...` (extension): one line of a demo's header.
    Demo(DemoLine),
    Expect {
        predicate: Predicate,
    },
}

/// The two languages of a demo's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// English: `say`, `demo title`, `demo teaches`.
    #[default]
    En,
    /// Simplified Chinese: `say.zh`, `demo title.zh`, `demo teaches.zh`.
    Zh,
}

/// One `demo` header line (extension; see `EXTENSIONS.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoLine {
    /// `demo title TEXT` / `demo title.zh TEXT`
    Title { lang: Lang, text: String },
    /// `demo teaches TEXT` / `demo teaches.zh TEXT`: what the demo shows.
    Teaches { lang: Lang, text: String },
    /// `demo seed FILE "QUOTE"`: the seed line (study notes, in Chinese)
    /// the demo explains: its file under `seeds/` and the line as written.
    Seed { file: String, quote: String },
    /// `demo seed.en TEXT`: the English rendering of the seed line just before.
    SeedEn { text: String },
}

impl DemoLine {
    /// The field word as written after `demo`.
    pub fn field(&self) -> &'static str {
        match self {
            DemoLine::Title { lang: Lang::En, .. } => "title",
            DemoLine::Title { lang: Lang::Zh, .. } => "title.zh",
            DemoLine::Teaches { lang: Lang::En, .. } => "teaches",
            DemoLine::Teaches { lang: Lang::Zh, .. } => "teaches.zh",
            DemoLine::Seed { .. } => "seed",
            DemoLine::SeedEn { .. } => "seed.en",
        }
    }
}

/// `== != >= <= > <`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

impl Op {
    pub const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Ge, Op::Le, Op::Gt, Op::Lt];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == s)
    }

    /// Whether the comparison holds for two ordered values.
    pub fn holds<T: PartialOrd>(self, actual: &T, expected: &T) -> bool {
        match self {
            Op::Eq => actual == expected,
            Op::Ne => actual != expected,
            Op::Ge => actual >= expected,
            Op::Le => actual <= expected,
            Op::Gt => actual > expected,
            Op::Lt => actual < expected,
        }
    }

    /// `==` and `!=`: the only operators for sets, lists, states and `none`.
    pub fn is_equality(self) -> bool {
        matches!(self, Op::Eq | Op::Ne)
    }
}

/// What a predicate looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Leader(PartitionRef),
    Isr(PartitionRef),
    Epoch(PartitionRef),
    /// `hw TOPIC-P`: the leader's high watermark.
    Hw(PartitionRef),
    /// `hw TOPIC-P@B`: that replica's high watermark.
    ReplicaHw(ReplicaRef),
    Leo(ReplicaRef),
    LogStart(ReplicaRef),
    Log(ReplicaRef),
    Divergent(PartitionRef),
    Controller,
    Acked(String),
    Errors(String),
    Lost,
    Duplicates(PartitionRef),
    Consumed(String),
    Processed(String),
    /// `revoked CONSUMER` (extension): every partition a rebalance revoked
    /// from the consumer (`onPartitionsRevoked`).
    Revoked(String),
    Committed {
        group: String,
        partition: PartitionRef,
    },
    Assignment {
        group: String,
        member: String,
    },
    Members(String),
    Generation(String),
    State(String),
    Lag {
        group: String,
        partition: PartitionRef,
    },
    /// `segments TOPIC-P@B` (extension): the base offsets of the replica's
    /// log segments, which name their files (`00000000000000000005.log`).
    Segments(ReplicaRef),
    /// `index TOPIC-P@B` (extension): the offsets in the segments' sparse
    /// offset indexes (one entry per `log.index.interval.bytes`).
    Index(ReplicaRef),
    /// `index-lookup TOPIC-P@B OFFSET` (extension): where a read of OFFSET
    /// starts scanning: the greatest indexed offset <= OFFSET in the last
    /// segment whose base offset is <= OFFSET (the segment's base offset
    /// when no entry is <= OFFSET).
    IndexLookup {
        replica: ReplicaRef,
        offset: i64,
    },
    /// `batches TOPIC-P@B` (extension): record batches in the replica's log
    /// (control batches included).
    Batches(ReplicaRef),
    /// `log-bytes TOPIC-P@B` (extension): the size of its segment files.
    LogBytes(ReplicaRef),
    /// `produce-requests PRODUCER` (extension): the Produce requests the
    /// producer has sent, retries included.
    ProduceRequests(String),
    /// `children PATH` (extension): the names of a ZooKeeper node's
    /// children (`children /brokers/ids == 0,1,2`); `none` if it has none
    /// or does not exist.
    Children(String),
}

/// The kind of value a subject yields, which decides what may be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A number compared with any operator (`epoch`, `hw`, `acked`, ...).
    Int,
    /// A number or `none` (`leader`, `controller`, `committed`).
    OptionalInt,
    /// An unordered set of integers (`isr`: broker ids, `divergent`: offsets).
    IntSet,
    /// An ordered list of record values (`log`, `consumed`, `processed`).
    ValueList,
    /// A set of Kafka error names (`errors`).
    ErrorSet,
    /// A set of consumer names (`members`).
    MemberSet,
    /// A set of plain names (`children`: znode names).
    NameSet,
    /// A set of partitions (`assignment`, `revoked`).
    PartitionSet,
    /// A consumer group state (`state`).
    GroupState,
}

impl Subject {
    /// The subject's keyword, as written first in a predicate.
    pub fn keyword(&self) -> &'static str {
        match self {
            Subject::Leader(_) => "leader",
            Subject::Isr(_) => "isr",
            Subject::Epoch(_) => "epoch",
            Subject::Hw(_) | Subject::ReplicaHw(_) => "hw",
            Subject::Leo(_) => "leo",
            Subject::LogStart(_) => "log-start",
            Subject::Log(_) => "log",
            Subject::Divergent(_) => "divergent",
            Subject::Controller => "controller",
            Subject::Acked(_) => "acked",
            Subject::Errors(_) => "errors",
            Subject::Lost => "lost",
            Subject::Duplicates(_) => "duplicates",
            Subject::Consumed(_) => "consumed",
            Subject::Processed(_) => "processed",
            Subject::Revoked(_) => "revoked",
            Subject::Committed { .. } => "committed",
            Subject::Assignment { .. } => "assignment",
            Subject::Members(_) => "members",
            Subject::Generation(_) => "generation",
            Subject::State(_) => "state",
            Subject::Lag { .. } => "lag",
            Subject::Segments(_) => "segments",
            Subject::Index(_) => "index",
            Subject::IndexLookup { .. } => "index-lookup",
            Subject::Batches(_) => "batches",
            Subject::LogBytes(_) => "log-bytes",
            Subject::Children(_) => "children",
            Subject::ProduceRequests(_) => "produce-requests",
        }
    }

    pub fn value_kind(&self) -> ValueKind {
        match self {
            Subject::Leader(_) | Subject::Controller | Subject::Committed { .. } => {
                ValueKind::OptionalInt
            }
            Subject::Isr(_) | Subject::Divergent(_) | Subject::Segments(_) | Subject::Index(_) => {
                ValueKind::IntSet
            }
            Subject::Children(_) => ValueKind::NameSet,
            Subject::Log(_) | Subject::Consumed(_) | Subject::Processed(_) => ValueKind::ValueList,
            Subject::Errors(_) => ValueKind::ErrorSet,
            Subject::Members(_) => ValueKind::MemberSet,
            Subject::Assignment { .. } | Subject::Revoked(_) => ValueKind::PartitionSet,
            Subject::State(_) => ValueKind::GroupState,
            Subject::Epoch(_)
            | Subject::Hw(_)
            | Subject::ReplicaHw(_)
            | Subject::Leo(_)
            | Subject::LogStart(_)
            | Subject::Acked(_)
            | Subject::Lost
            | Subject::Duplicates(_)
            | Subject::Generation(_)
            | Subject::Lag { .. }
            | Subject::IndexLookup { .. }
            | Subject::Batches(_)
            | Subject::LogBytes(_)
            | Subject::ProduceRequests(_) => ValueKind::Int,
        }
    }
}

/// Kafka's consumer group states (`ConsumerGroupState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub const ALL: [GroupState; 5] = [
        GroupState::Empty,
        GroupState::PreparingRebalance,
        GroupState::CompletingRebalance,
        GroupState::Stable,
        GroupState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }

    pub fn parse(s: &str) -> Option<GroupState> {
        GroupState::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// The right-hand side of a predicate, typed by its subject's [`ValueKind`].
/// Lists and sets are never empty: the empty set is [`Expected::None`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Int(i64),
    /// `none`: no leader / no controller / no committed offset / empty set or list.
    None,
    /// Broker ids (`isr`) or offsets (`divergent`), in the order written.
    Ints(Vec<i64>),
    /// Record values (`log`, `consumed`, `processed`) in order, or member names (`members`).
    Strings(Vec<String>),
    /// Kafka error names (`errors`), e.g. `NOT_ENOUGH_REPLICAS`.
    Errors(Vec<String>),
    Partitions(Vec<PartitionRef>),
    State(GroupState),
}

/// `SUBJECT OP EXPECTED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub subject: Subject,
    pub op: Op,
    pub expected: Expected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    Compare(Comparison),
    /// `idle`: nothing in flight and no timer due before the next periodic one
    /// (only in `run until`).
    Idle,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_expands_every_placeholder() {
        let t = Template("v{i}-{i}".to_string());
        assert_eq!(t.expand(0), "v0-0");
        assert_eq!(t.expand(12), "v12-12");
        assert_eq!(Template("fixed".into()).expand(3), "fixed");
    }

    #[test]
    fn op_holds_and_round_trips() {
        for op in Op::ALL {
            assert_eq!(Op::parse(op.as_str()), Some(op));
        }
        assert!(Op::Ge.holds(&3, &3));
        assert!(!Op::Gt.holds(&3, &3));
        assert!(Op::Lt.holds(&2, &3));
        assert!(Op::Ne.holds(&2, &3));
        assert!(!Op::Le.holds(&4, &3));
        assert_eq!(Op::parse("="), None);
    }

    #[test]
    fn group_states_round_trip() {
        for g in GroupState::ALL {
            assert_eq!(GroupState::parse(g.as_str()), Some(g));
        }
        assert_eq!(GroupState::parse("stable"), None);
    }
}

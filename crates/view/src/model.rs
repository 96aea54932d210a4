//! The cluster as the page shows it: plain owned data with serde derives,
//! no engine inside. `kafkascope-cluster` builds it from a running
//! `Cluster` (`kafkascope_cluster::view::build`); the page only depends on
//! this crate, so its wasm stays small while the engine runs in a worker.
//!
//! Everything is bounded: the event log and each replica's strip keep only
//! their newest entries, so a long run never makes the page render every
//! record.

use serde::{Deserialize, Serialize};

/// A broker id, as Kafka's `broker.id`.
pub type BrokerId = i32;

/// How many trace events the event log keeps (the newest).
pub const EVENT_LOG_LEN: usize = 200;
/// How many offsets a replica strip shows (the newest).
pub const STRIP_LEN: usize = 24;
/// How many record fates a producer's view carries (the newest sends);
/// the counts cover every record.
pub const FATES_LEN: usize = 24;
/// How many ISR changes a partition's view carries (its newest); the
/// engine keeps no more per partition either.
pub const ISR_HISTORY_LEN: usize = 8;

/// A broker process as the scenario sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrokerState {
    Up,
    Crashed,
    PoweredOff,
    /// Exited after a controlled shutdown.
    Stopped,
}

impl BrokerState {
    /// The scenario language's word for how it got there.
    pub fn name(self) -> &'static str {
        match self {
            BrokerState::Up => "up",
            BrokerState::Crashed => "crashed",
            BrokerState::PoweredOff => "powered off",
            BrokerState::Stopped => "stopped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerView {
    pub id: BrokerId,
    pub state: BrokerState,
    /// Registered in `/brokers/ids` (its ZooKeeper session lives).
    pub registered: bool,
    pub controller: bool,
    /// Nodes this broker cannot reach (a network partition), by name.
    pub cut_off_from: Vec<String>,
}

/// One znode: path, depth below `/`, data as text (Kafka writes JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZnodeEntry {
    pub path: String,
    pub depth: usize,
    pub data: String,
    pub ephemeral: bool,
}

/// One offset of a replica's log strip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCell {
    pub offset: i64,
    /// The value as text; for a transaction marker Kafka's name of its
    /// type (`COMMIT`, `ABORT`).
    pub value: String,
    pub origin: Origin,
    /// Its batch's partition leader epoch: the leader epoch in which it
    /// was appended (a small int: one byte in an update).
    pub epoch: i32,
}

/// Who wrote a strip cell's record (one byte in an update, besides a
/// producer's name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// This producer sent it (the `kafkascope.send` header).
    Producer(String),
    /// None of the scenario's producers sent it.
    Unknown,
    /// A transaction marker (a control record) the partition leader wrote
    /// for a transaction coordinator; no producer's record.
    Marker,
}

impl RecordCell {
    /// The producer that sent it, if one of the scenario's did.
    pub fn producer(&self) -> Option<&str> {
        match &self.origin {
            Origin::Producer(p) => Some(p),
            Origin::Unknown | Origin::Marker => None,
        }
    }

    pub fn is_marker(&self) -> bool {
        self.origin == Origin::Marker
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaState {
    pub broker: BrokerId,
    pub broker_up: bool,
    pub log_start: i64,
    pub leo: i64,
    pub hw: i64,
    /// The leader epoch this replica knows (a running broker's only).
    pub leader_epoch: Option<i32>,
    pub in_isr: bool,
    pub leader: bool,
    /// The newest [`STRIP_LEN`] records, oldest first.
    pub records: Vec<RecordCell>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionView {
    pub topic: String,
    pub partition: i32,
    /// As the controller wrote it in `.../partitions/P/state`.
    pub leader: Option<BrokerId>,
    pub leader_epoch: i32,
    pub isr: Vec<BrokerId>,
    /// In assignment order; a replica with no log yet has none.
    pub replicas: Vec<ReplicaState>,
    pub assigned: Vec<BrokerId>,
    /// The newest [`ISR_HISTORY_LEN`] changes of its ISR or leader,
    /// oldest first, kept as they happened (not read back from the trace).
    pub isr_changes: Vec<IsrChange>,
}

impl PartitionView {
    pub fn name(&self) -> String {
        format!("{}-{}", self.topic, self.partition)
    }
}

/// One change of a partition's ISR or leader, as a broker's event said it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsrChange {
    /// Trace event number.
    pub n: u64,
    pub t: u64,
    pub isr: Vec<BrokerId>,
    /// `lag` (shrink by the leader), `caught-up` (expand), or the
    /// controller's reason: `replica-offline`, `leader-election`,
    /// `unclean-election`, `controlled-shutdown`, ...
    pub reason: String,
}

/// What became of one record a producer sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fate {
    /// Acknowledged at this offset (-1 with `acks=0`).
    Acked { partition: String, offset: i64 },
    /// Acknowledged, then gone from the leader's log.
    Lost { partition: String, offset: i64 },
    /// The send callback got this error.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFate {
    pub send_id: String,
    pub value: Option<String>,
    pub fate: Fate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerView {
    pub name: String,
    pub up: bool,
    pub sends: u64,
    /// Sent, not yet acknowledged or failed.
    pub incomplete: usize,
    pub acks: String,
    /// Records acknowledged and still in their leader's log.
    pub acked: u64,
    /// Records acknowledged, then gone from the leader's log.
    pub lost: u64,
    /// Records whose send callback got an error.
    pub failed: u64,
    /// The fates of the newest [`FATES_LEN`] sends that have one, in send
    /// order (a long run never ships every record to the page).
    pub fates: Vec<RecordFate>,
    /// Every producer config by Kafka's name with the value in effect.
    pub configs: Vec<(String, String)>,
    /// The partitioner's choice for the newest records, oldest first.
    pub choices: Vec<PartitionChoice>,
}

/// Why the partitioner chose a record's partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartitionReason {
    /// `partition=` given.
    Explicit,
    /// `toPositive(murmur2(key)) % partitions`; `hash` is murmur2's value.
    Murmur2 { hash: i32, partitions: i32 },
    /// The topic's sticky partition (no key, or keys ignored); `new`:
    /// picked at random for this record.
    Sticky { new: bool, keys_ignored: bool },
    /// `RoundRobinPartitioner`: its counter, over `available` partitions.
    RoundRobin { counter: i32, available: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionChoice {
    pub send_id: String,
    /// `t-2`.
    pub partition: String,
    pub key: Option<String>,
    pub reason: PartitionReason,
}

/// What a member's newest rebalance changed (`TOPIC-P` names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentChange {
    pub generation: i32,
    pub revoked: Vec<String>,
    pub lost: Vec<String>,
    pub added: Vec<String>,
}

/// A consumer application as it sees itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerView {
    pub name: String,
    pub group: Option<String>,
    /// The process runs (not crashed).
    pub up: bool,
    /// `close()` was called.
    pub closed: bool,
    pub member_id: String,
    /// -1 before it joined.
    pub generation: i32,
    /// `eager` or `cooperative`.
    pub rebalance_protocol: String,
    pub assignment: Vec<String>,
    pub last_change: Option<AssignmentChange>,
    /// Records `poll` returned, `process`ed, and delivered not processed.
    pub delivered: u64,
    pub processed: u64,
    /// Per assigned partition: next offset to deliver.
    pub positions: Vec<(String, i64)>,
    /// Committed offsets as this consumer last knew them.
    pub committed: Vec<(String, i64)>,
    /// Every consumer config by Kafka's name with the value in effect.
    pub configs: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub client_id: String,
    pub member_id: String,
    pub assignment: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetView {
    pub partition: String,
    pub committed: i64,
    /// The leader's HW minus the committed offset, if the leader is known.
    pub lag: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub group: String,
    /// Kafka's name (`Stable`, `PreparingRebalance`, ...); `Dead` when no
    /// coordinator knows it.
    pub state: String,
    pub generation: Option<i32>,
    pub members: Vec<MemberView>,
    pub offsets: Vec<OffsetView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    /// Kafka's MBean name (`kafka.server:type=ReplicaManager,...`'s `name`).
    pub name: String,
    pub value: i64,
    /// The trace event at which the value last changed (`None`: never
    /// since the start), and by how much it changed there.
    pub changed_at: Option<u64>,
    pub delta: i64,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    pub n: u64,
    pub t: u64,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterView {
    /// Virtual time in ms.
    pub now_ms: u64,
    /// Trace events so far: the position on the timeline.
    pub position: u64,
    pub brokers: Vec<BrokerView>,
    pub zk_up: bool,
    pub controller: Option<BrokerId>,
    pub znodes: Vec<ZnodeEntry>,
    pub partitions: Vec<PartitionView>,
    pub producers: Vec<ProducerView>,
    pub groups: Vec<GroupView>,
    /// Every consumer application, in name order.
    pub consumers: Vec<ConsumerView>,
    /// Messages on the wire, by Kafka API name.
    pub in_flight: Vec<(String, usize)>,
    /// Messages parked by a `hold` rule, by API name.
    pub held: Vec<(String, usize)>,
    /// Some partition, hold, drop or delay rule is in force (`heal` would
    /// undo it): the page offers Heal. Delays and unspent drops show
    /// nowhere else.
    #[serde(default)]
    pub fault_rules: bool,
    pub metrics: Vec<Metric>,
    /// The newest [`EVENT_LOG_LEN`] trace events.
    pub events: Vec<EventLine>,
    /// Per-virtual-second samples for the charts.
    pub charts: crate::charts::Charts,
    /// Links with messages moving, held or dropped, or cut.
    pub links: Vec<crate::links::LinkView>,
}

impl ClusterView {
    /// A metric's value by Kafka name.
    pub fn metric(&self, name: &str) -> Option<i64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    pub fn partition(&self, name: &str) -> Option<&PartitionView> {
        self.partitions.iter().find(|p| p.name() == name)
    }
}

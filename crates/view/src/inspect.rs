//! What the page asked to look at closely ([`Focus`]) and what the engine
//! found: one replica's segments with a segment's batches and index
//! entries ([`SegmentsView`]), and one record's story ([`RecordStory`]). The engine answers for the cluster it shows
//! (the live one, or the past after a rewind) with every update, so an
//! open inspector follows the run.

use serde::{Deserialize, Serialize};

use crate::model::BrokerId;

/// Batches and index entries listed per segment at most (the first ones):
/// a segment of the default 1 GiB could hold millions.
pub const INSPECT_LEN: usize = 200;

/// A replica's log: partition `t-0` on broker `broker`; with `base_offset`,
/// one segment of it is opened.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRef {
    pub partition: String,
    pub broker: BrokerId,
    pub base_offset: Option<i64>,
}

/// What the page inspects; `None`s close the inspectors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Focus {
    pub segment: Option<SegmentRef>,
    pub record: Option<RecordRef>,
}

/// One segment of a replica's log, as `kafka-log-dirs`/`kafka-dump-log`
/// would list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    pub base_offset: i64,
    /// The offset after its last batch.
    pub next_offset: i64,
    /// `.log` size in bytes.
    pub bytes: u64,
    pub batches: usize,
    /// The file name, Kafka's: `00000000000000000000.log`.
    pub file: String,
    pub active: bool,
}

/// One record batch of a segment, its v2 header fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchInfo {
    /// Byte position in the `.log` file.
    pub position: u64,
    pub base_offset: i64,
    pub last_offset: i64,
    pub count: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub partition_leader_epoch: i32,
    pub size: u32,
    pub crc_valid: bool,
    /// `none`, `gzip`, `snappy`, `lz4`, `zstd` (`compression.type` names).
    pub compression: String,
    pub transactional: bool,
    pub control: bool,
    pub max_timestamp: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentDetail {
    pub base_offset: i64,
    /// The first [`INSPECT_LEN`] batches.
    pub batches: Vec<BatchInfo>,
    /// Batches beyond those listed.
    pub more_batches: usize,
    /// `.index` entries: (offset, position), the first [`INSPECT_LEN`].
    pub offset_index: Vec<(i64, i32)>,
    /// `.timeindex` entries: (timestamp, offset), the first [`INSPECT_LEN`].
    pub time_index: Vec<(i64, i64)>,
    /// Index entries beyond those listed (both indexes).
    pub more_index: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentsView {
    pub partition: String,
    pub broker: BrokerId,
    /// Read from a running broker, or from what a down broker's disk
    /// would recover.
    pub broker_up: bool,
    pub segments: Vec<SegmentInfo>,
    /// The segment asked for, if it exists.
    pub detail: Option<SegmentDetail>,
    /// Why there is nothing to show (no such replica or segment).
    pub problem: Option<String>,
}

/// One record to inspect (the record inspector).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordRef {
    /// The record at `offset` of partition `t-0` as broker `broker` holds
    /// it (without a broker: the leader's, else any replica's).
    Offset {
        partition: String,
        offset: i64,
        broker: Option<BrokerId>,
    },
    /// A producer's record by its send id (`p:3`), appended or not.
    Send { send_id: String },
}

/// A message that carried the record: the trace event that sent it, the
/// one that delivered it (if it arrived), between which nodes, which API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carrier {
    pub sent: Option<u64>,
    pub delivered: Option<u64>,
    pub from: String,
    pub to: String,
    pub api: String,
}

/// One thing that happened to the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// A Produce request carrying it left the producer.
    Sent { producer: String, request: Carrier },
    /// That request never arrived (`partition`, `node-down`, ...).
    RequestDropped { request: Carrier, reason: String },
    /// Appended to the leader's log, in this leader epoch.
    Appended {
        broker: BrokerId,
        leader_epoch: i32,
        request: Option<Carrier>,
    },
    /// A follower copied it from `leader` (a Fetch response).
    Replicated {
        broker: BrokerId,
        leader: BrokerId,
        response: Option<Carrier>,
    },
    /// The leader's high watermark passed it: committed.
    HwCrossed { broker: BrokerId, hw: i64 },
    /// The producer's callback succeeded (offset -1 with `acks=0`).
    Acked { producer: String, offset: i64 },
    /// The producer will send it again after this error.
    Retried { producer: String, error: String },
    /// The producer's callback got this error.
    Failed { producer: String, error: String },
    /// A Fetch response brought it to a consumer.
    Fetched {
        consumer: String,
        broker: BrokerId,
        response: Option<Carrier>,
    },
    /// The consumer's `poll` returned it to the application.
    Polled { consumer: String },
    /// The group committed an offset past it.
    Committed {
        consumer: String,
        group: Option<String>,
        offset: i64,
    },
    /// The controller chose a new leader (`-1`: none); `has_it`: that
    /// broker held the record then.
    LeaderChanged {
        broker: BrokerId,
        leader_epoch: i32,
        reason: String,
        has_it: bool,
    },
    /// A replica cut its log below the record (`leader-epoch` or
    /// `high-watermark`, Kafka's truncation rules).
    Truncated {
        broker: BrokerId,
        to: i64,
        rule: String,
    },
    /// A replica holding it went down.
    BrokerDown { broker: BrokerId },
    /// The broker's log recovered without it: it was not flushed when
    /// the broker lost power.
    PowerLoss {
        broker: BrokerId,
        recovered_leo: i64,
    },
    /// Retention moved the log start past it.
    Deleted { broker: BrokerId, log_start: i64 },
}

impl Step {
    /// The step's kind in one word (the page's `data-step`, tests' lists).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Sent { .. } => "sent",
            Step::RequestDropped { .. } => "dropped",
            Step::Appended { .. } => "appended",
            Step::Replicated { .. } => "replicated",
            Step::HwCrossed { .. } => "hw",
            Step::Acked { .. } => "acked",
            Step::Retried { .. } => "retried",
            Step::Failed { .. } => "failed",
            Step::Fetched { .. } => "fetched",
            Step::Polled { .. } => "polled",
            Step::Committed { .. } => "committed",
            Step::LeaderChanged { .. } => "leader",
            Step::Truncated { .. } => "truncated",
            Step::BrokerDown { .. } => "down",
            Step::PowerLoss { .. } => "power-loss",
            Step::Deleted { .. } => "deleted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryStep {
    /// Trace event number (a rewind goes there).
    pub n: u64,
    pub t: u64,
    pub step: Step,
}

/// What a replica holds at the record's offset now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holds {
    /// This record.
    This,
    /// Another record at the same offset (appended in another leader
    /// epoch after this one was truncated).
    Other {
        value: String,
        send_id: Option<String>,
    },
    /// Nothing there (the log ends before it, or starts after it).
    Nothing,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub broker: BrokerId,
    pub broker_up: bool,
    pub leader: bool,
    pub holds: Holds,
}

/// Why an appended record is gone from the partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossReason {
    /// Broker `broker` became leader (event `n`) without it: it had been
    /// copied only to `holders` (clean: from the ISR; `unclean`: an
    /// out-of-sync replica). `n` is `None` while the controller's write to
    /// ZooKeeper is done but its answer (the trace's event) has not come.
    ElectedWithout {
        n: Option<u64>,
        broker: BrokerId,
        leader_epoch: i32,
        unclean: bool,
        holders: Vec<BrokerId>,
    },
    /// Every copy was unflushed when its broker lost power.
    PowerLoss { n: u64, brokers: Vec<BrokerId> },
    /// The last copy was truncated (event `n`).
    Truncated { n: u64, broker: BrokerId },
    /// No replica holds it and the trace does not say why.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Below the HW of a leader that holds it.
    Committed,
    /// On the leader, above its HW: not yet committed.
    NotCommitted,
    /// The partition has no leader; some replica holds it.
    Unavailable,
    Lost(LossReason),
    /// Retention deleted it (not a loss: its time was up).
    Deleted,
    /// Never appended to any log: the last step says why (a dropped
    /// request, an error), or it is still on its way.
    NeverAppended,
}

/// The record inspector's answer, for the cluster shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordStory {
    pub asked: RecordRef,
    pub partition: String,
    pub offset: Option<i64>,
    /// The leader epoch it was appended in: with the offset, which record.
    pub leader_epoch: Option<i32>,
    pub send_id: Option<String>,
    pub value: Option<String>,
    /// Every assigned replica, in assignment order.
    pub holders: Vec<Holder>,
    /// In trace order.
    pub steps: Vec<StoryStep>,
    pub verdict: Verdict,
    /// The producer was told this record was written (its ack came from a
    /// broker holding this copy, or `acks=0`): only then is a gone record
    /// a loss.
    pub acked: bool,
    /// Why there is no story (no such partition, offset or send).
    pub problem: Option<String>,
}

//! What the page asked to look at closely ([`Focus`]) and what the engine
//! found: one replica's segments with a segment's batches and index
//! entries ([`SegmentsView`]). The engine answers for the cluster it shows
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

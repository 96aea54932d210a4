//! Looking at a running broker from outside: [`BrokerQuery`] in,
//! [`BrokerAnswer`] out, answered by [`answer`].
//!
//! Why a query language rather than `&Broker`: a broker may run in another
//! thread (a web worker in the browser), where the cluster cannot borrow
//! it. Scenario predicates, the UI's view and the runner's "settled" checks
//! ask these questions of every broker, wherever it runs, and the answers
//! are owned values that can cross a worker boundary. The simulator's
//! in-process brokers are asked through the same [`answer`], so both paths
//! run the same code.

use protocol::batch::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::api::{BrokerId, TopicPartition};
use crate::Broker;
use log::{Log, Storage};

/// The header naming a record's `send()` call (the playground's producers
/// add it, so the UI can follow one record from send to fate).
pub const SEND_HEADER: &str = "kafkascope.send";

/// A question about one broker's live state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrokerQuery {
    /// Registered in ZooKeeper, active controller, under-replicated count.
    Status,
    /// The broker's replica of a partition: leadership, ISR, offsets.
    Partition(TopicPartition),
    /// The replica's offsets and every record from log start to LEO.
    Replica(TopicPartition),
    /// The replica's offsets and only its newest `count` offsets, read
    /// through the log's index (the UI's strips: cheap however long the
    /// log is), transaction markers included (`control`). Answered as
    /// [`BrokerAnswer::Replica`].
    Newest { tp: TopicPartition, count: usize },
    /// The replica's segments and sparse index.
    Layout(TopicPartition),
    /// The record at `offset`: its batch read alone, not the whole log
    /// (the record inspector asks this of every replica on every update).
    Record { tp: TopicPartition, offset: i64 },
    /// The replica's batch headers (no record is decoded): a cheap way to
    /// tell that a log only grew since it was last read.
    Batches(TopicPartition),
    /// The replica's offsets and its records from the batch holding
    /// `offset` to the LEO. Answered as [`BrokerAnswer::Replica`].
    From { tp: TopicPartition, offset: i64 },
    /// Kafka's all-topics meters (counts since this process started).
    Stats,
    /// The replica's segments and, with a base offset, that segment's
    /// batches and index entries (the first `limit`).
    Segments {
        tp: TopicPartition,
        base: Option<i64>,
        limit: usize,
    },
    /// A consumer group, if this broker's group coordinator owns `partition`
    /// of `__consumer_offsets` (the group's) and has finished loading it.
    Group { group: String, partition: i32 },
}

/// The answer to a [`BrokerQuery`], variant for variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrokerAnswer {
    Status(BrokerStatus),
    Partition(Option<PartitionSummary>),
    Replica(Option<ReplicaView>),
    Layout(Option<LogLayout>),
    Batches(Option<LogBatches>),
    Group(Option<GroupSummary>),
    Stats(crate::stats::BrokerTopicStats),
    Segments(Option<crate::segment_dump::SegmentsAnswer>),
    /// `None`: no log of that partition; `Some(None)`: no record there.
    Record(Option<Option<RecordView>>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerStatus {
    /// `/brokers/ids/<id>` written (the broker is in the cluster).
    pub registered: bool,
    /// The active controller.
    pub controller: bool,
    /// Partitions this broker leads whose ISR is smaller than the
    /// assignment (ReplicaManager's UnderReplicatedPartitions).
    pub under_replicated: usize,
}

/// One replica's state as its broker has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionSummary {
    pub leader: BrokerId,
    pub leader_epoch: i32,
    pub isr: Vec<BrokerId>,
    pub replicas: Vec<BrokerId>,
    pub log_start: i64,
    pub leo: i64,
    pub hw: i64,
    /// A follower that has truncated and fetches from its leader (not one
    /// still reconciling its log after a restart).
    pub fetching: bool,
}

impl PartitionSummary {
    pub fn is_leader(&self, me: BrokerId) -> bool {
        self.leader == me
    }
}

/// One record of a replica's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    /// The producer's `kafkascope.send` header.
    pub send_id: Option<String>,
    /// The record's whole content, to compare replicas with.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// Its batch's partition leader epoch: the leader epoch in which the
    /// leader appended it (followers copy batches unchanged).
    pub leader_epoch: i32,
    /// A control record (a transaction marker: its key names COMMIT or
    /// ABORT), not data. Only [`read_newest`] returns them.
    pub control: bool,
}

impl RecordView {
    pub fn value_text(&self) -> String {
        match &self.value {
            Some(v) => String::from_utf8_lossy(v).into_owned(),
            None => "null".to_string(),
        }
    }
}

/// A replica's offsets and records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaView {
    pub log_start: i64,
    pub leo: i64,
    pub hw: i64,
    pub records: Vec<RecordView>,
}

/// One batch of a log, as far as telling logs apart goes: its offsets and
/// its CRC (which covers every record in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchId {
    pub base_offset: i64,
    pub last_offset: i64,
    pub crc: u32,
}

/// A replica's log start offset and every batch's [`BatchId`], oldest
/// first. Two answers whose log start is the same and whose batches the
/// later one starts with describe a log that only grew.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogBatches {
    pub log_start: i64,
    pub batches: Vec<BatchId>,
}

impl LogBatches {
    pub fn of<S: Storage>(log: &Log<S>) -> LogBatches {
        LogBatches {
            log_start: log.log_start_offset(),
            batches: log
                .segments()
                .flat_map(|s| s.batches())
                .map(|(_, h)| BatchId {
                    base_offset: h.base_offset,
                    last_offset: h.last_offset(),
                    crc: h.crc,
                })
                .collect(),
        }
    }

    /// Whether this log holds `earlier` unchanged, possibly followed by
    /// more batches.
    pub fn extends(&self, earlier: &LogBatches) -> bool {
        self.log_start == earlier.log_start && self.batches.starts_with(&earlier.batches)
    }
}

/// What the storage predicates show of one replica's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLayout {
    /// Each segment's base offset, oldest first.
    pub segments: Vec<i64>,
    /// Every offset-index entry's offset, oldest first.
    pub index: Vec<i64>,
    /// Record batches in the log (control batches included).
    pub batches: usize,
    /// The segment files' size in bytes.
    pub bytes: u64,
    /// Per segment: (base offset, offset index) for lookups.
    pub lookups: Vec<(i64, Vec<i64>)>,
}

/// A consumer group as its coordinator has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// Kafka's state name (`Stable`, `PreparingRebalance`, ...).
    pub state: String,
    pub generation: i32,
    pub members: Vec<MemberSummary>,
    /// Committed offsets: (topic, partition, offset).
    pub offsets: Vec<(String, i32, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub client_id: String,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// The consumer protocol's Assignment bytes.
    pub assignment: Vec<u8>,
}

impl GroupSummary {
    pub fn committed(&self, topic: &str, partition: i32) -> Option<i64> {
        self.offsets
            .iter()
            .find(|(t, p, _)| t == topic && *p == partition)
            .map(|(_, _, o)| *o)
    }
}

/// Answers `query` from the broker's live state.
pub fn answer(broker: &Broker, query: &BrokerQuery) -> BrokerAnswer {
    match query {
        BrokerQuery::Status => {
            let me = broker.id();
            BrokerAnswer::Status(BrokerStatus {
                registered: broker.is_registered(),
                controller: broker.is_controller(),
                under_replicated: broker
                    .partitions()
                    .filter(|p| p.is_leader(me) && p.isr.len() < p.replicas.len())
                    .count(),
            })
        }
        BrokerQuery::Partition(tp) => {
            BrokerAnswer::Partition(broker.partition(tp).map(|p| PartitionSummary {
                leader: p.leader,
                leader_epoch: p.leader_epoch,
                isr: p.isr.clone(),
                replicas: p.replicas.clone(),
                log_start: p.log.log_start(),
                leo: p.leo(),
                hw: p.hw(),
                fetching: p.follower_state == crate::partition::FollowerState::Fetching,
            }))
        }
        BrokerQuery::Record { tp, offset } => BrokerAnswer::Record(
            broker
                .partition(tp)
                .map(|p| read_one(p.log.inner(), *offset)),
        ),
        BrokerQuery::Replica(tp) => BrokerAnswer::Replica(broker.partition(tp).map(|p| {
            let log = p.log.inner();
            ReplicaView {
                log_start: log.log_start_offset(),
                leo: log.log_end_offset(),
                hw: p.hw(),
                records: read_all(log),
            }
        })),
        BrokerQuery::Newest { tp, count } => BrokerAnswer::Replica(broker.partition(tp).map(|p| {
            let log = p.log.inner();
            ReplicaView {
                log_start: log.log_start_offset(),
                leo: log.log_end_offset(),
                hw: p.hw(),
                records: read_newest(log, *count),
            }
        })),
        BrokerQuery::Layout(tp) => {
            BrokerAnswer::Layout(broker.partition(tp).map(|p| LogLayout::of(p.log.inner())))
        }
        BrokerQuery::Batches(tp) => {
            BrokerAnswer::Batches(broker.partition(tp).map(|p| LogBatches::of(p.log.inner())))
        }
        BrokerQuery::From { tp, offset } => BrokerAnswer::Replica(broker.partition(tp).map(|p| {
            let log = p.log.inner();
            let from = (*offset).clamp(log.log_start_offset(), log.log_end_offset());
            ReplicaView {
                log_start: log.log_start_offset(),
                leo: log.log_end_offset(),
                hw: p.hw(),
                records: read_from(log, from),
            }
        })),
        BrokerQuery::Stats => BrokerAnswer::Stats(broker.stats),
        BrokerQuery::Segments { tp, base, limit } => BrokerAnswer::Segments(
            broker
                .partition(tp)
                .map(|p| crate::segment_dump::segments_of(p.log.inner(), *base, *limit)),
        ),
        BrokerQuery::Group { group, partition } => {
            let gc = broker.group_coordinator();
            let loaded = gc.owns_partition(*partition) && !gc.is_loading(*partition);
            BrokerAnswer::Group(loaded.then(|| gc.group(group)).flatten().map(|g| {
                GroupSummary {
                    state: g.state().name().to_string(),
                    generation: g.generation_id(),
                    members: g
                        .members()
                        .map(|m| MemberSummary {
                            client_id: m.client_id.clone(),
                            member_id: m.member_id.clone(),
                            group_instance_id: m.group_instance_id.clone(),
                            assignment: m.assignment.clone(),
                        })
                        .collect(),
                    offsets: g
                        .all_offsets()
                        .map(|((topic, partition), o)| (topic.clone(), *partition, o.offset))
                        .collect(),
                }
            }))
        }
    }
}

/// Decodes concatenated batches into records; control batches (the
/// transaction markers) only `with_control`. Returns the offset after the
/// last batch decoded.
fn decode_records(mut buf: &[u8], out: &mut Vec<RecordView>, with_control: bool) -> Option<i64> {
    let mut next = None;
    while !buf.is_empty() {
        let Ok((batch, used)) = RecordBatch::decode(buf) else {
            break;
        };
        buf = &buf[used..];
        next = Some(batch.last_offset() + 1);
        if batch.is_control && !with_control {
            continue;
        }
        for r in batch.records {
            let send_id = r
                .headers
                .iter()
                .find(|h| h.key == SEND_HEADER)
                .and_then(|h| h.value.as_ref())
                .map(|v| String::from_utf8_lossy(v).into_owned());
            out.push(RecordView {
                offset: batch.base_offset + r.offset_delta as i64,
                key: r.key,
                value: r.value,
                send_id,
                headers: r.headers.into_iter().map(|h| (h.key, h.value)).collect(),
                leader_epoch: batch.partition_leader_epoch,
                control: batch.is_control,
            });
        }
    }
    next
}

/// The record at `offset`, reading only the batch that holds it.
pub fn read_one<S: Storage>(log: &Log<S>, offset: i64) -> Option<RecordView> {
    if offset < log.log_start_offset() || offset >= log.log_end_offset() {
        return None;
    }
    // One byte asked, at least one batch returned (`minOneMessage`).
    let data = log.read(offset, 1, None, true).ok()?;
    let mut out = Vec::new();
    decode_records(data.records, &mut out, false);
    out.into_iter().find(|r| r.offset == offset)
}

/// Every record of a log, log start to LEO.
pub fn read_all<S: Storage>(log: &Log<S>) -> Vec<RecordView> {
    read_from(log, log.log_start_offset())
}

/// The newest `count` records of a log, oldest first, transaction markers
/// included (a strip of offsets shows them): the same as the end of
/// [`read_all`] with the markers, but only the tail is read and decoded.
/// It reads from `count` offsets below the LEO and, where offsets are
/// missing (compaction), twice as far back, until it has `count` records
/// or reached the log start.
pub fn read_newest<S: Storage>(log: &Log<S>, count: usize) -> Vec<RecordView> {
    let (start, leo) = (log.log_start_offset(), log.log_end_offset());
    let mut back = (count as i64).max(1);
    loop {
        let from = leo.saturating_sub(back).max(start);
        let mut out = read_records(log, from, true);
        if out.len() >= count || from == start {
            out.drain(..out.len().saturating_sub(count));
            return out;
        }
        back = back.saturating_mul(2);
    }
}

/// The records from the batch holding `from` to the LEO: every record at
/// or above the first one returned, so a suffix of [`read_all`].
pub fn read_from<S: Storage>(log: &Log<S>, from: i64) -> Vec<RecordView> {
    read_records(log, from, false)
}

fn read_records<S: Storage>(log: &Log<S>, from: i64, with_control: bool) -> Vec<RecordView> {
    let mut out = Vec::new();
    let mut offset = from;
    let leo = log.log_end_offset();
    while offset < leo {
        let Ok(data) = log.read(offset, usize::MAX / 2, None, true) else {
            break;
        };
        match decode_records(data.records, &mut out, with_control) {
            Some(next) if next > offset => offset = next,
            _ => break,
        }
    }
    out.retain(|r| r.offset >= log.log_start_offset());
    out
}

impl LogLayout {
    pub fn of<S: Storage>(log: &Log<S>) -> LogLayout {
        let lookups: Vec<(i64, Vec<i64>)> = log
            .segments()
            .map(|s| {
                (
                    s.base_offset(),
                    s.offset_index().entries().map(|(o, _)| o).collect(),
                )
            })
            .collect();
        LogLayout {
            segments: lookups.iter().map(|(b, _)| *b).collect(),
            index: lookups
                .iter()
                .flat_map(|(_, i)| i.iter().copied())
                .collect(),
            batches: log.segments().map(|s| s.batches().count()).sum(),
            bytes: log.size_in_bytes(),
            lookups,
        }
    }

    /// Kafka's read path: the last segment with base <= `offset` (a floor
    /// search over the segments), then the greatest index entry <= `offset`
    /// in it (a binary search of the sparse index); the read scans on from
    /// there. `None` below the first segment.
    pub fn lookup(&self, offset: i64) -> Option<i64> {
        let (base, index) = self.lookups.iter().rev().find(|(b, _)| *b <= offset)?;
        Some(
            index
                .iter()
                .rev()
                .find(|&&o| o <= offset)
                .copied()
                .unwrap_or(*base),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log_glue::PartitionLog;
    use bytes::Bytes;
    use log::Shared;
    use protocol::batch::SimpleRecord;
    use protocol::control::{ControlRecordType, EndTransactionMarker};

    /// A batch of `n` records from producer `pid` (transactional: its
    /// marker below is a control batch, an offset without a record).
    fn data(log: &mut PartitionLog, pid: i64, seq: i32, n: usize, epoch: i32) {
        let records: Vec<SimpleRecord> = (0..n)
            .map(|i| SimpleRecord {
                timestamp: 1,
                key: None,
                value: Some(format!("v{seq}-{i}").into_bytes()),
                headers: vec![],
            })
            .collect();
        let mut b = RecordBatch::from_simple(0, &records);
        b.producer_id = pid;
        b.producer_epoch = 0;
        b.base_sequence = seq;
        b.is_transactional = true;
        log.append_as_leader(&Bytes::from(b.encode()), epoch, 1)
            .unwrap();
    }

    fn commit(log: &mut PartitionLog, pid: i64, epoch: i32) {
        let b = EndTransactionMarker::new(true, 0).to_batch(0, 1, 0, pid, 0);
        log.append_as_coordinator(&b.encode(), epoch, 1).unwrap();
    }

    #[test]
    fn the_newest_records_are_the_end_of_the_whole_log_with_its_markers() {
        let tp = TopicPartition::new("t", 0);
        // Small segments: the tail spans several of them.
        let config = [("segment.bytes".to_string(), "300".to_string())];
        let (mut log, _) = PartitionLog::open(Shared::default(), &tp, &config, 0).unwrap();
        let mut seq = 0;
        for round in 0..12 {
            let n = 1 + round % 4;
            // A new leader epoch every 5 rounds.
            let epoch = round as i32 / 5;
            data(&mut log, 7, seq, n, epoch);
            seq += n as i32;
            if round % 3 == 2 {
                // Markers (control batches) are offsets without data.
                commit(&mut log, 7, epoch);
            }
        }
        assert!(log.inner().segments().count() > 2);
        let check = |log: &PartitionLog| {
            let inner = log.inner();
            let with_markers = read_records(inner, inner.log_start_offset(), true);
            // Every offset, markers included: no gaps.
            let offsets: Vec<i64> = with_markers.iter().map(|r| r.offset).collect();
            let every: Vec<i64> = (with_markers[0].offset..inner.log_end_offset()).collect();
            assert_eq!(offsets, every);
            // The data records are read_all's.
            let data: Vec<RecordView> = with_markers
                .iter()
                .filter(|r| !r.control)
                .cloned()
                .collect();
            assert_eq!(data, read_all(inner));
            for m in with_markers.iter().filter(|r| r.control) {
                let key = m.key.as_deref().unwrap();
                assert_eq!(
                    ControlRecordType::parse_key(key),
                    Some(ControlRecordType::Commit)
                );
            }
            for count in 0..with_markers.len() + 3 {
                let newest = read_newest(inner, count);
                assert_eq!(
                    newest,
                    with_markers[with_markers.len().saturating_sub(count)..],
                    "newest {count}"
                );
            }
            with_markers
        };
        let before = check(&log);
        assert!(before.len() > 20);
        assert_eq!(before.iter().filter(|r| r.control).count(), 4);
        // Each record carries its batch's epoch: rounds 0-4 in epoch 0,
        // 5-9 in 1, 10-11 in 2 (rounds of 1, 2, 3, 4, ... records and a
        // marker after every third: round 5 starts at 12, round 10 at 26).
        let epochs: Vec<(i64, i32)> = before
            .windows(2)
            .filter(|w| w[0].leader_epoch != w[1].leader_epoch)
            .map(|w| (w[1].offset, w[1].leader_epoch))
            .collect();
        assert_eq!(before[0].leader_epoch, 0);
        assert_eq!(epochs, [(12, 1), (26, 2)]);
        // From a later log start too (below the HW, as DeleteRecords).
        log.maybe_increment_hw(log.leo());
        log.advance_log_start(9);
        let after = check(&log);
        assert!(after.len() < before.len() && !after.is_empty());
        assert_eq!(after[0].offset, 9);
    }
}

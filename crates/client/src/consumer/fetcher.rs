//! `Fetcher` / `CompletedFetch`: turning fetch responses into records and
//! handing them out at most `max.poll.records` at a time.
//!
//! A partition with records still buffered is not fetched again (as
//! Kafka's `fetchablePartitions`), so the next fetch always starts at the
//! position the application has reached. The position moves only when
//! records are delivered, or past batches nobody will see (control batches,
//! aborted transactions under read_committed).

use std::collections::{BTreeSet, VecDeque};

use broker::api::{BrokerId, IsolationLevel, TopicPartition};
use protocol::batch::{BatchHeader, RecordBatch};
use protocol::control::ControlRecordType;
use protocol::{DecodeError, Header};

use super::subscription_state::SubscriptionState;

/// One record as poll() returns it (`ConsumerRecord`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerRecord {
    pub tp: TopicPartition,
    pub offset: i64,
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
    pub leader_epoch: i32,
}

/// Records as runs of consecutive offsets in one leader epoch, per
/// partition: `[first, last, leader_epoch]`. A record is its offset and
/// epoch, so the trace names exactly which records moved (the record
/// inspector reads them) without listing each one.
pub fn epoch_runs<'a>(
    records: impl IntoIterator<Item = &'a ConsumerRecord>,
) -> std::collections::BTreeMap<String, Vec<[i64; 3]>> {
    let mut runs: std::collections::BTreeMap<String, Vec<[i64; 3]>> = Default::default();
    for r in records {
        let v = runs.entry(r.tp.to_string()).or_default();
        match v.last_mut() {
            Some(last) if last[1] + 1 == r.offset && last[2] == r.leader_epoch as i64 => {
                last[1] = r.offset
            }
            _ => v.push([r.offset, r.offset, r.leader_epoch as i64]),
        }
    }
    runs
}

impl ConsumerRecord {
    /// The value as text (what the scenario language's `consumed` shows).
    pub fn value_string(&self) -> String {
        match &self.value {
            Some(v) => String::from_utf8_lossy(v).into_owned(),
            None => "null".to_string(),
        }
    }
}

/// One partition's parsed fetch response, waiting for poll().
#[derive(Clone, Debug)]
pub struct CompletedFetch {
    pub tp: TopicPartition,
    /// The position this data starts at; stale after a seek.
    pub fetch_offset: i64,
    pub records: VecDeque<ConsumerRecord>,
    /// Where the next fetch starts once these records are delivered.
    pub next_fetch_offset: i64,
}

/// Decodes a partition's record bytes from `fetch_offset` on. Control
/// records are never returned; under read_committed, batches of the
/// aborted transactions (`(producer_id, first_offset)`) are dropped, as
/// Kafka's `CompletedFetch.nextFetchedRecord` does. Returns the records and
/// the offset after the last batch read.
pub fn parse_records(
    tp: &TopicPartition,
    bytes: &[u8],
    fetch_offset: i64,
    isolation: IsolationLevel,
    aborted_transactions: &[(i64, i64)],
) -> Result<(Vec<ConsumerRecord>, i64), DecodeError> {
    let mut aborted: Vec<(i64, i64)> = aborted_transactions.to_vec();
    // Kafka keeps these in a priority queue by first offset.
    aborted.sort_by_key(|&(pid, first)| (first, pid));
    let mut aborted = VecDeque::from(aborted);
    let mut aborted_producers: BTreeSet<i64> = BTreeSet::new();
    let mut out = Vec::new();
    let mut next = fetch_offset;
    let mut pos = 0;
    while pos < bytes.len() {
        let header = match BatchHeader::parse(&bytes[pos..]) {
            Ok(h) => h,
            // A partial batch at the end (the broker cuts at max bytes).
            Err(_) => break,
        };
        if pos + header.size_in_bytes() > bytes.len() {
            break;
        }
        let (batch, size) = RecordBatch::decode(&bytes[pos..])?;
        pos += size;
        if batch.last_offset() < fetch_offset {
            continue;
        }
        next = next.max(batch.last_offset() + 1);
        if isolation == IsolationLevel::ReadCommitted && batch.producer_id >= 0 {
            while let Some(&(pid, first)) = aborted.front() {
                if first > batch.last_offset() {
                    break;
                }
                aborted.pop_front();
                aborted_producers.insert(pid);
            }
            if batch.is_control {
                let is_abort = batch
                    .records
                    .first()
                    .and_then(|r| r.key.as_deref())
                    .and_then(ControlRecordType::parse_key)
                    == Some(ControlRecordType::Abort);
                if is_abort {
                    aborted_producers.remove(&batch.producer_id);
                }
            } else if batch.is_transactional && aborted_producers.contains(&batch.producer_id) {
                continue;
            }
        }
        if batch.is_control {
            continue;
        }
        for r in &batch.records {
            let offset = batch.base_offset + i64::from(r.offset_delta);
            if offset < fetch_offset {
                continue;
            }
            out.push(ConsumerRecord {
                tp: tp.clone(),
                offset,
                timestamp: batch.base_timestamp + r.timestamp_delta,
                key: r.key.clone(),
                value: r.value.clone(),
                headers: r.headers.clone(),
                leader_epoch: batch.partition_leader_epoch,
            });
        }
    }
    Ok((out, next))
}

/// The buffer between the network and poll().
#[derive(Debug, Default)]
pub struct Fetcher {
    /// In arrival order; poll drains the front first (`nextInLineFetch`).
    completed: VecDeque<CompletedFetch>,
    /// One fetch in flight per broker, as Kafka's `Fetcher`.
    pub in_flight: BTreeSet<BrokerId>,
}

impl Fetcher {
    pub fn has_buffered(&self, tp: &TopicPartition) -> bool {
        self.completed.iter().any(|c| &c.tp == tp)
    }

    pub fn buffered_count(&self) -> usize {
        self.completed.iter().map(|c| c.records.len()).sum()
    }

    pub fn add(&mut self, fetch: CompletedFetch) {
        self.completed.push_back(fetch);
    }

    /// Drops buffered data of partitions no longer owned or seeked.
    pub fn clear_partition(&mut self, tp: &TopicPartition) {
        self.completed.retain(|c| &c.tp != tp);
    }

    pub fn clear_all(&mut self) {
        self.completed.clear();
    }

    /// Hands out up to `max` records, moving positions past what is
    /// delivered. Data whose partition is gone or whose start no longer
    /// matches the position (a seek happened) is dropped.
    pub fn drain(&mut self, subs: &mut SubscriptionState, max: usize) -> Vec<ConsumerRecord> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(front) = self.completed.front_mut() else {
                break;
            };
            let position = subs
                .state(&front.tp)
                .filter(|s| s.has_position())
                .map(|s| s.position);
            if position != Some(front.fetch_offset) {
                self.completed.pop_front();
                continue;
            }
            while out.len() < max {
                let Some(r) = front.records.pop_front() else {
                    break;
                };
                front.fetch_offset = r.offset + 1;
                out.push(r);
            }
            let tp = front.tp.clone();
            if front.records.is_empty() {
                let next = front.next_fetch_offset.max(front.fetch_offset);
                self.completed.pop_front();
                subs.seek(&tp, next);
            } else {
                let at = front.fetch_offset;
                subs.seek(&tp, at);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::batch::SimpleRecord;
    use protocol::control::EndTransactionMarker;

    fn tp() -> TopicPartition {
        TopicPartition::new("t", 0)
    }

    fn batch(base: i64, values: &[&str], pid: i64, txn: bool) -> Vec<u8> {
        let recs: Vec<SimpleRecord> = values
            .iter()
            .map(|v| SimpleRecord {
                timestamp: 10,
                value: Some(v.as_bytes().to_vec()),
                ..SimpleRecord::default()
            })
            .collect();
        let mut b = RecordBatch::from_simple(base, &recs);
        if pid >= 0 {
            b.producer_id = pid;
            b.producer_epoch = 0;
            b.base_sequence = 0;
            b.is_transactional = txn;
        }
        b.encode()
    }

    fn marker(offset: i64, pid: i64, commit: bool) -> Vec<u8> {
        EndTransactionMarker::new(commit, 0)
            .to_batch(offset, 10, 0, pid, 0)
            .encode()
    }

    fn values(rs: &[ConsumerRecord]) -> Vec<String> {
        rs.iter().map(ConsumerRecord::value_string).collect()
    }

    #[test]
    fn skips_records_before_the_fetch_offset() {
        let bytes = batch(0, &["a", "b", "c"], -1, false);
        let (rs, next) =
            parse_records(&tp(), &bytes, 1, IsolationLevel::ReadUncommitted, &[]).unwrap();
        assert_eq!(values(&rs), ["b", "c"]);
        assert_eq!(rs[0].offset, 1);
        assert_eq!(next, 3);
    }

    #[test]
    fn read_committed_drops_aborted_transactions_and_control_records() {
        // offsets 0-1 committed txn of pid 7, marker at 2; 3-4 aborted txn of
        // pid 8, marker at 5; 6 plain.
        let bytes = [
            batch(0, &["c0", "c1"], 7, true),
            marker(2, 7, true),
            batch(3, &["x3", "x4"], 8, true),
            marker(5, 8, false),
            batch(6, &["p6"], -1, false),
        ]
        .concat();
        let (rc, next) =
            parse_records(&tp(), &bytes, 0, IsolationLevel::ReadCommitted, &[(8, 3)]).unwrap();
        assert_eq!(values(&rc), ["c0", "c1", "p6"]);
        assert_eq!(next, 7);
        // read_uncommitted sees the aborted data, never the markers.
        let (ru, _) =
            parse_records(&tp(), &bytes, 0, IsolationLevel::ReadUncommitted, &[]).unwrap();
        assert_eq!(values(&ru), ["c0", "c1", "x3", "x4", "p6"]);
    }

    #[test]
    fn a_partial_trailing_batch_is_left_for_the_next_fetch() {
        let full = batch(0, &["a"], -1, false);
        let second = batch(1, &["b"], -1, false);
        let bytes = [full.clone(), second[..second.len() - 3].to_vec()].concat();
        let (rs, next) =
            parse_records(&tp(), &bytes, 0, IsolationLevel::ReadUncommitted, &[]).unwrap();
        assert_eq!(values(&rs), ["a"]);
        assert_eq!(next, 1);
    }

    #[test]
    fn drain_respects_max_and_moves_positions() {
        let mut subs = SubscriptionState::default();
        subs.assign_from_user([tp()].into());
        subs.seek(&tp(), 0);
        let bytes = batch(0, &["a", "b", "c"], -1, false);
        let (rs, next) =
            parse_records(&tp(), &bytes, 0, IsolationLevel::ReadUncommitted, &[]).unwrap();
        let mut f = Fetcher::default();
        f.add(CompletedFetch {
            tp: tp(),
            fetch_offset: 0,
            records: rs.into(),
            next_fetch_offset: next,
        });
        assert_eq!(values(&f.drain(&mut subs, 2)), ["a", "b"]);
        assert_eq!(subs.all_consumed()[&tp()], 2);
        assert!(f.has_buffered(&tp()));
        assert_eq!(values(&f.drain(&mut subs, 2)), ["c"]);
        assert_eq!(subs.all_consumed()[&tp()], 3);
        assert!(!f.has_buffered(&tp()));
    }

    #[test]
    fn data_from_before_a_seek_is_dropped() {
        let mut subs = SubscriptionState::default();
        subs.assign_from_user([tp()].into());
        subs.seek(&tp(), 0);
        let mut f = Fetcher::default();
        f.add(CompletedFetch {
            tp: tp(),
            fetch_offset: 0,
            records: VecDeque::new(),
            next_fetch_offset: 5,
        });
        subs.seek(&tp(), 1);
        assert!(f.drain(&mut subs, 10).is_empty());
        assert_eq!(subs.all_consumed()[&tp()], 1);
    }
}

//! Broker-side idempotent producer state (Kafka's `ProducerStateManager`):
//! per producer id, its epoch and the metadata of its last 5 batches, to
//! answer retries with the original offsets (DUPLICATE) and to reject gaps
//! (OUT_OF_ORDER_SEQUENCE_NUMBER) and zombies (INVALID_PRODUCER_EPOCH).
//! Rebuilt by replaying the log: Kafka's `.snapshot` files are not written.

use std::collections::{BTreeMap, VecDeque};

use protocol::batch::{BatchHeader, NO_PRODUCER_EPOCH, NO_SEQUENCE};

use crate::error::LogError;
use crate::validate::AppendOrigin;

/// Kafka's `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`.
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMetadata {
    pub first_seq: i32,
    pub last_seq: i32,
    pub last_offset: i64,
    pub offset_delta: i32,
    pub timestamp: i64,
}

impl BatchMetadata {
    pub fn first_offset(&self) -> i64 {
        self.last_offset - self.offset_delta as i64
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerStateEntry {
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// Oldest first, at most [`NUM_BATCHES_TO_RETAIN`].
    pub batch_metadata: VecDeque<BatchMetadata>,
    pub last_timestamp: i64,
    /// First offset of the open transaction, if one is open.
    pub current_txn_first_offset: Option<i64>,
}

impl ProducerStateEntry {
    fn empty(producer_id: i64) -> Self {
        ProducerStateEntry {
            producer_id,
            producer_epoch: NO_PRODUCER_EPOCH,
            batch_metadata: VecDeque::new(),
            last_timestamp: -1,
            current_txn_first_offset: None,
        }
    }

    pub fn last_seq(&self) -> i32 {
        self.batch_metadata
            .back()
            .map_or(NO_SEQUENCE, |b| b.last_seq)
    }

    pub fn last_data_offset(&self) -> i64 {
        self.batch_metadata.back().map_or(-1, |b| b.last_offset)
    }

    /// A batch with exactly this epoch and sequence range already appended.
    pub fn find_duplicate_batch(&self, h: &BatchHeader) -> Option<BatchMetadata> {
        if h.producer_epoch != self.producer_epoch {
            return None;
        }
        let (first, last) = (h.base_sequence, h.last_sequence());
        self.batch_metadata
            .iter()
            .find(|b| b.first_seq == first && b.last_seq == last)
            .copied()
    }

    fn add(&mut self, h: &BatchHeader) {
        if h.producer_epoch != self.producer_epoch {
            self.batch_metadata.clear();
            self.producer_epoch = h.producer_epoch;
        }
        if h.base_sequence != NO_SEQUENCE {
            self.batch_metadata.push_back(BatchMetadata {
                first_seq: h.base_sequence,
                last_seq: h.last_sequence(),
                last_offset: h.last_offset(),
                offset_delta: h.last_offset_delta,
                timestamp: h.max_timestamp,
            });
            while self.batch_metadata.len() > NUM_BATCHES_TO_RETAIN {
                self.batch_metadata.pop_front();
            }
        }
        self.last_timestamp = h.max_timestamp;
    }

    /// The state after an appended batch (offsets final): data batches are
    /// remembered, a transaction marker ends the open transaction and may
    /// bump the epoch (which forgets the sequence history).
    fn apply(&mut self, h: &BatchHeader) {
        if h.is_control() {
            self.current_txn_first_offset = None;
            if h.producer_epoch > self.producer_epoch {
                self.producer_epoch = h.producer_epoch;
                self.batch_metadata.clear();
            }
            self.last_timestamp = h.max_timestamp;
            return;
        }
        if h.is_transactional() && self.current_txn_first_offset.is_none() {
            self.current_txn_first_offset = Some(h.base_offset);
        }
        self.add(h);
    }
}

fn in_sequence(last_seq: i32, next_seq: i32) -> bool {
    next_seq as i64 == last_seq as i64 + 1 || (next_seq == 0 && last_seq == i32::MAX)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProducerStateManager {
    producers: BTreeMap<i64, ProducerStateEntry>,
}

impl ProducerStateManager {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn producers(&self) -> &BTreeMap<i64, ProducerStateEntry> {
        &self.producers
    }

    pub fn last_entry(&self, producer_id: i64) -> Option<&ProducerStateEntry> {
        self.producers.get(&producer_id)
    }

    /// Checks a producer's batch before the leader appends it (Kafka's
    /// `ProducerAppendInfo` checks). `staged` is the state after earlier
    /// batches of the same append, if any. `Ok(Some(_))` is a client's retry
    /// of an appended batch. Coordinators (transaction markers, their own
    /// writes) are only fenced by epoch; replication is not checked at all.
    pub fn check(
        &self,
        h: &BatchHeader,
        staged: Option<&ProducerStateEntry>,
        offset: i64,
        origin: AppendOrigin,
    ) -> Result<Option<BatchMetadata>, LogError> {
        if origin == AppendOrigin::Replication {
            return Ok(None);
        }
        let pid = h.producer_id;
        let current = staged.or_else(|| self.producers.get(&pid));
        if origin == AppendOrigin::Client && !h.is_control() {
            if let Some(dup) = current.and_then(|e| e.find_duplicate_batch(h)) {
                return Ok(Some(dup));
            }
        }
        let (cur_epoch, last_seq) = current.map_or((NO_PRODUCER_EPOCH, NO_SEQUENCE), |e| {
            (e.producer_epoch, e.last_seq())
        });
        if h.producer_epoch < cur_epoch {
            return Err(LogError::InvalidProducerEpoch(format!(
                "epoch of producer {pid} at offset {offset} is {}, which is smaller than the last seen epoch {cur_epoch}",
                h.producer_epoch
            )));
        }
        if origin != AppendOrigin::Client || h.is_control() {
            return Ok(None);
        }
        let first_seq = h.base_sequence;
        if h.producer_epoch != cur_epoch {
            if first_seq != 0 && cur_epoch != NO_PRODUCER_EPOCH {
                return Err(LogError::OutOfOrderSequence(format!(
                    "invalid sequence number for new epoch of producer {pid} at offset {offset}: {} (request epoch), {first_seq} (seq. number), {cur_epoch} (current producer epoch)",
                    h.producer_epoch
                )));
            }
        } else if !in_sequence(last_seq, first_seq) {
            return Err(LogError::OutOfOrderSequence(format!(
                "out of order sequence number for producer {pid} at offset {offset}: {first_seq} (incoming seq. number), {last_seq} (current end sequence number)"
            )));
        }
        if current.is_some_and(|e| e.current_txn_first_offset.is_some()) && !h.is_transactional() {
            return Err(LogError::InvalidTxnState(format!(
                "expected transactional write from producer {pid} at offset {offset} in an ongoing transaction"
            )));
        }
        Ok(None)
    }

    /// The entry as it would be after `h` (for staging multi-batch appends).
    pub fn staged_after(
        &self,
        staged: Option<&ProducerStateEntry>,
        h: &BatchHeader,
    ) -> ProducerStateEntry {
        let mut e = staged
            .cloned()
            .or_else(|| self.producers.get(&h.producer_id).cloned())
            .unwrap_or_else(|| ProducerStateEntry::empty(h.producer_id));
        e.apply(h);
        e
    }

    /// Records an appended batch (with its final offsets). Batches without a
    /// producer id are ignored.
    pub fn update(&mut self, h: &BatchHeader) {
        if h.producer_id < 0 {
            return;
        }
        self.producers
            .entry(h.producer_id)
            .or_insert_with(|| ProducerStateEntry::empty(h.producer_id))
            .apply(h);
    }

    /// First offset of the oldest open transaction (the LSO cannot pass it).
    pub fn first_unstable_offset(&self) -> Option<i64> {
        self.producers
            .values()
            .filter_map(|e| e.current_txn_first_offset)
            .min()
    }

    /// Kafka's `onLogStartOffsetIncremented`: producers whose last batch is
    /// below the new log start are forgotten.
    pub fn on_log_start_offset_incremented(&mut self, log_start_offset: i64) {
        self.producers.retain(|_, e| {
            e.last_data_offset() >= log_start_offset || e.current_txn_first_offset.is_some()
        });
    }

    /// Removes producers idle for longer than `expiration_ms`
    /// (`producer.id.expiration.ms`, 86400000 in Kafka) without an open transaction.
    pub fn remove_expired_producers(&mut self, now: i64, expiration_ms: i64) {
        self.producers.retain(|_, e| {
            e.current_txn_first_offset.is_some()
                || now.saturating_sub(e.last_timestamp) < expiration_ms
        });
    }

    pub fn clear(&mut self) {
        self.producers.clear();
    }
}

#[cfg(test)]
mod tests {
    //! Cases from Kafka's `ProducerStateManagerTest`.
    use super::*;
    use protocol::batch::{RecordBatch, SimpleRecord};

    fn header(pid: i64, epoch: i16, seq: i32, offset: i64, records: usize) -> BatchHeader {
        let recs: Vec<SimpleRecord> = (0..records)
            .map(|i| SimpleRecord {
                timestamp: 1000 + i as i64,
                value: Some(vec![1]),
                ..Default::default()
            })
            .collect();
        let mut b = RecordBatch::from_simple(offset, &recs);
        b.producer_id = pid;
        b.producer_epoch = epoch;
        b.base_sequence = seq;
        BatchHeader::parse(&b.encode()).unwrap()
    }

    fn txn(mut h: BatchHeader) -> BatchHeader {
        h.attributes |= 0x10;
        h
    }

    /// A transaction marker (control batch) as the coordinator writes it.
    fn marker(pid: i64, epoch: i16, offset: i64) -> BatchHeader {
        let mut h = header(pid, epoch, NO_SEQUENCE, offset, 1);
        h.attributes |= 0x10 | 0x20;
        h
    }

    fn replicate(m: &mut ProducerStateManager, h: BatchHeader) {
        let r = m.check(&h, None, h.base_offset, AppendOrigin::Replication);
        assert_eq!(r.unwrap(), None);
        m.update(&h);
    }

    fn coordinator(m: &mut ProducerStateManager, h: BatchHeader) -> Result<(), LogError> {
        m.check(&h, None, h.base_offset, AppendOrigin::Coordinator)?;
        m.update(&h);
        Ok(())
    }

    fn append(
        m: &mut ProducerStateManager,
        h: BatchHeader,
    ) -> Result<Option<BatchMetadata>, LogError> {
        let r = m.check(&h, None, h.base_offset, AppendOrigin::Client)?;
        if r.is_none() {
            m.update(&h);
        }
        Ok(r)
    }

    #[test]
    fn basic_idempotence_and_out_of_order() {
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 0, 0, 0, 1)).unwrap();
        append(&mut m, header(1, 0, 1, 1, 1)).unwrap();
        let e = append(&mut m, header(1, 0, 3, 2, 1)).unwrap_err();
        assert_eq!(e.name(), "OUT_OF_ORDER_SEQUENCE_NUMBER");
        assert_eq!(m.last_entry(1).unwrap().last_seq(), 1);
    }

    #[test]
    fn duplicate_returns_original_offsets() {
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 0, 0, 10, 3)).unwrap();
        let dup = append(&mut m, header(1, 0, 0, 99, 3)).unwrap().unwrap();
        assert_eq!((dup.first_offset(), dup.last_offset), (10, 12));
        // A partially matching range is not a duplicate but out of order.
        assert!(append(&mut m, header(1, 0, 0, 99, 2)).is_err());
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let mut m = ProducerStateManager::new();
        for i in 0..6 {
            append(&mut m, header(1, 0, i, i as i64, 1)).unwrap();
        }
        assert_eq!(m.last_entry(1).unwrap().batch_metadata.len(), 5);
        assert!(append(&mut m, header(1, 0, 5, 9, 1)).unwrap().is_some());
        assert_eq!(
            append(&mut m, header(1, 0, 0, 9, 1)).unwrap_err().name(),
            "OUT_OF_ORDER_SEQUENCE_NUMBER"
        );
    }

    #[test]
    fn fenced_producer_and_new_epoch() {
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 5, 0, 0, 1)).unwrap();
        let e = append(&mut m, header(1, 4, 1, 1, 1)).unwrap_err();
        assert_eq!(e.name(), "INVALID_PRODUCER_EPOCH");
        // A new epoch must restart at 0 ...
        let e = append(&mut m, header(1, 6, 5, 1, 1)).unwrap_err();
        assert_eq!(e.code(), 45);
        // ... and then continues from there.
        append(&mut m, header(1, 6, 0, 1, 1)).unwrap();
        append(&mut m, header(1, 6, 1, 2, 1)).unwrap();
        assert_eq!(m.last_entry(1).unwrap().producer_epoch, 6);
    }

    #[test]
    fn unknown_producer_may_start_at_any_sequence() {
        // Kafka accepts any sequence when it knows no epoch for the producer
        // (its state may have been removed by retention or DeleteRecords).
        let mut m = ProducerStateManager::new();
        append(&mut m, header(7, 0, 42, 0, 1)).unwrap();
        append(&mut m, header(7, 0, 43, 1, 1)).unwrap();
    }

    #[test]
    fn sequences_wrap_after_int_max() {
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 0, i32::MAX - 1, 0, 3)).unwrap();
        assert_eq!(m.last_entry(1).unwrap().last_seq(), 0);
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 0, i32::MAX, 0, 1)).unwrap();
        append(&mut m, header(1, 0, 0, 1, 1)).unwrap();
    }

    #[test]
    fn log_start_offset_evicts_old_producers() {
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 0, 0, 0, 1)).unwrap();
        append(&mut m, header(2, 0, 0, 5, 1)).unwrap();
        m.on_log_start_offset_incremented(3);
        assert!(m.last_entry(1).is_none());
        assert!(m.last_entry(2).is_some());
        m.remove_expired_producers(1000 + 100, 50);
        assert!(m.last_entry(2).is_none());
    }

    #[test]
    fn txn_marker_with_no_producer_state() {
        let mut m = ProducerStateManager::new();
        coordinator(&mut m, marker(1, 2, 27)).unwrap();
        let e = m.last_entry(1).unwrap();
        assert_eq!((e.producer_epoch, e.last_seq()), (2, NO_SEQUENCE));
        // Fencing still works with only the marker left...
        assert_eq!(
            append(&mut m, header(1, 0, 0, 0, 4)).unwrap_err().code(),
            47
        );
        // ...a non-zero sequence must be reset...
        assert_eq!(
            append(&mut m, header(1, 2, 17, 0, 4)).unwrap_err().code(),
            45
        );
        // ...and sequence 0 is accepted.
        append(&mut m, header(1, 2, 0, 39, 1)).unwrap();
        assert_eq!(m.last_entry(1).unwrap().last_seq(), 0);
    }

    #[test]
    fn control_record_bumps_producer_epoch() {
        let mut m = ProducerStateManager::new();
        append(&mut m, header(1, 0, 0, 0, 1)).unwrap();
        coordinator(&mut m, marker(1, 1, 1)).unwrap();
        let e = m.last_entry(1).unwrap();
        assert_eq!(
            (e.producer_epoch, e.last_seq(), e.current_txn_first_offset),
            (1, NO_SEQUENCE, None)
        );
        append(&mut m, header(1, 1, 0, 2, 1)).unwrap();
        assert_eq!(m.last_entry(1).unwrap().batch_metadata[0].first_seq, 0);
    }

    #[test]
    fn out_of_sequence_after_control_record_epoch_bump() {
        let mut m = ProducerStateManager::new();
        append(&mut m, txn(header(1, 0, 0, 0, 1))).unwrap();
        append(&mut m, txn(header(1, 0, 1, 1, 1))).unwrap();
        coordinator(&mut m, marker(1, 1, 2)).unwrap();
        assert_eq!(
            append(&mut m, txn(header(1, 1, 2, 3, 1)))
                .unwrap_err()
                .code(),
            45
        );
        assert_eq!(
            append(&mut m, txn(header(1, 2, 2, 3, 1)))
                .unwrap_err()
                .code(),
            45
        );
        append(&mut m, txn(header(1, 1, 0, 3, 1))).unwrap();
        let e = m.last_entry(1).unwrap();
        assert_eq!((e.producer_epoch, e.last_seq()), (1, 0));
    }

    #[test]
    fn producer_sequence_wrap_around_after_replication() {
        let mut m = ProducerStateManager::new();
        replicate(&mut m, header(1, 15, i32::MAX, 735, 1));
        append(&mut m, header(1, 15, 0, 1235, 1)).unwrap();
        let e = m.last_entry(1).unwrap();
        assert_eq!(
            (
                e.producer_epoch,
                e.batch_metadata[0].first_seq,
                e.last_seq()
            ),
            (15, i32::MAX, 0)
        );
        let mut m = ProducerStateManager::new();
        replicate(&mut m, header(1, 15, i32::MAX, 735, 1));
        assert_eq!(
            append(&mut m, header(1, 15, 1, 1235, 1))
                .unwrap_err()
                .code(),
            45
        );
    }

    #[test]
    fn no_validation_when_replicating_or_loading() {
        let mut m = ProducerStateManager::new();
        replicate(&mut m, header(1, 5, 16, 735, 1));
        replicate(&mut m, header(1, 3, 99, 736, 1));
        let e = m.last_entry(1).unwrap();
        assert_eq!(
            (e.producer_epoch, e.last_seq(), e.last_data_offset()),
            (3, 99, 736)
        );
    }

    #[test]
    fn non_transactional_append_with_ongoing_transaction() {
        let mut m = ProducerStateManager::new();
        append(&mut m, txn(header(1, 0, 0, 0, 1))).unwrap();
        assert_eq!(m.first_unstable_offset(), Some(0));
        let e = append(&mut m, header(1, 0, 1, 1, 1)).unwrap_err();
        assert_eq!(e.name(), "INVALID_TXN_STATE");
        append(&mut m, txn(header(1, 0, 1, 1, 1))).unwrap();
        append(&mut m, txn(header(2, 0, 0, 2, 1))).unwrap();
        coordinator(&mut m, marker(1, 0, 3)).unwrap();
        assert_eq!(m.first_unstable_offset(), Some(2));
        // A marker from a fenced epoch is refused.
        assert_eq!(
            coordinator(&mut m, marker(2, -1, 4)).unwrap_err().code(),
            47
        );
    }
}

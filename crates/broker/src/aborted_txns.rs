//! The aborted transactions a read_committed fetch reports
//! (`FetchResponse.aborted_transactions`), so the consumer can drop the
//! aborted producers' batches.
//!
//! Kafka keeps a `.txnindex` per segment, written when an ABORT marker is
//! appended. The log crate keeps none, so the leader rebuilds the entries
//! from the log: scanning batch headers from the log start to the LSO, a
//! producer's transaction starts at its first transactional data batch and
//! ends at its next COMMIT/ABORT control batch; every ABORT gives
//! `(producer_id, first_offset, last_offset = marker offset)`. As Kafka's
//! `collectAbortedTransactions`, a fetch of `[fetch_offset, upper)` reports
//! the entries with `last_offset >= fetch_offset` and `first_offset < upper`.

use std::collections::BTreeMap;

use protocol::batch::RecordBatch;
use protocol::control::{ControlRecordType, EndTransactionMarker};

use crate::log_glue::PartitionLog;

/// `(producer_id, first_offset)` of the aborted transactions with data in
/// `[fetch_offset, upper)`, ordered by first offset.
pub fn aborted_transactions(log: &PartitionLog, fetch_offset: i64, upper: i64) -> Vec<(i64, i64)> {
    if upper <= fetch_offset {
        return Vec::new();
    }
    let mut open: BTreeMap<i64, i64> = BTreeMap::new();
    let mut out = Vec::new();
    for (h, bytes) in log.batches(log.log_start(), log.lso()) {
        if !h.is_transactional() || h.producer_id < 0 {
            continue;
        }
        if !h.is_control() {
            open.entry(h.producer_id).or_insert(h.base_offset);
            continue;
        }
        let Some(first) = open.remove(&h.producer_id) else {
            continue;
        };
        let abort = RecordBatch::decode(&bytes)
            .ok()
            .and_then(|(b, _)| EndTransactionMarker::from_batch(&b))
            .is_some_and(|m| m.control_type == ControlRecordType::Abort);
        if abort && h.base_offset >= fetch_offset && first < upper {
            out.push((h.producer_id, first));
        }
    }
    out.sort_by_key(|&(pid, first)| (first, pid));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TopicPartition;
    use bytes::Bytes;
    use log::Shared;
    use protocol::batch::SimpleRecord;

    fn data(log: &mut PartitionLog, pid: i64, seq: i32) {
        let mut b = RecordBatch::from_simple(
            0,
            &[SimpleRecord {
                timestamp: 1,
                key: None,
                value: Some(b"v".to_vec()),
                headers: vec![],
            }],
        );
        b.producer_id = pid;
        b.producer_epoch = 0;
        b.base_sequence = seq;
        b.is_transactional = true;
        log.append_as_leader(&Bytes::from(b.encode()), 0, 1)
            .unwrap();
    }

    fn marker(log: &mut PartitionLog, pid: i64, commit: bool) {
        let b = EndTransactionMarker::new(commit, 0).to_batch(0, 1, 0, pid, 0);
        log.append_as_coordinator(&b.encode(), 0, 1).unwrap();
    }

    #[test]
    fn aborted_transactions_overlapping_the_fetched_range() {
        let tp = TopicPartition::new("t", 0);
        let (mut log, _) = PartitionLog::open(Shared::default(), &tp, &[], 0).unwrap();
        data(&mut log, 1, 0); // 0
        data(&mut log, 2, 0); // 1
        marker(&mut log, 1, false); // 2: P1 aborts [0, 2]
        marker(&mut log, 2, true); // 3: P2 commits
        data(&mut log, 1, 1); // 4
        marker(&mut log, 1, false); // 5: P1 aborts [4, 5]
        data(&mut log, 3, 0); // 6: P3 open: the LSO stays at 6
        log.maybe_increment_hw(log.leo());
        assert_eq!(log.lso(), 6);
        assert_eq!(aborted_transactions(&log, 0, 6), vec![(1, 0), (1, 4)]);
        assert_eq!(aborted_transactions(&log, 0, 1), vec![(1, 0)]);
        assert_eq!(aborted_transactions(&log, 2, 3), vec![(1, 0)]);
        assert_eq!(aborted_transactions(&log, 3, 6), vec![(1, 4)]);
        assert_eq!(aborted_transactions(&log, 6, 7), vec![]);
        assert_eq!(aborted_transactions(&log, 4, 4), vec![]);
    }
}

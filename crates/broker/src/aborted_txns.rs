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

//! Becoming (and ceasing to be) the coordinator of a `__transaction_state`
//! partition: Kafka's `loadTransactionsForTxnTopicPartition`,
//! `removeTransactionsForTxnTopicPartition` and `onResignation`.

use std::collections::BTreeMap;

use crate::coordinator::{CacheEntry, Output, TransactionCoordinator};
use crate::metadata::TransactionMetadata;
use crate::records::{RecordDecodeError, TransactionLogKey, TransactionLogValue};
use crate::state::TransactionState::*;

/// One record of the partition's log, read from its start up to the high
/// watermark, in log order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadRecord<'a> {
    pub offset: i64,
    pub key: &'a [u8],
    /// `None`: a tombstone.
    pub value: Option<&'a [u8]>,
}

/// A record that could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub offset: i64,
    pub error: RecordDecodeError,
}

/// Rebuild the transactional ids from a partition's records: the last
/// value per id wins, a tombstone removes the id.
pub fn replay<'a>(
    records: impl IntoIterator<Item = LoadRecord<'a>>,
) -> Result<BTreeMap<String, TransactionMetadata>, LoadError> {
    let mut loaded = BTreeMap::new();
    for r in records {
        let fail = |error| LoadError {
            offset: r.offset,
            error,
        };
        let key = TransactionLogKey::decode(r.key).map_err(fail)?;
        match r.value {
            None => {
                loaded.remove(&key.transactional_id);
            }
            Some(v) => {
                let m = TransactionLogValue::decode(v)
                    .and_then(|v| v.to_metadata(&key.transactional_id))
                    .map_err(fail)?;
                loaded.insert(key.transactional_id, m);
            }
        }
    }
    Ok(loaded)
}

impl TransactionCoordinator {
    /// This broker became the leader of `__transaction_state-{partition}`
    /// at `coordinator_epoch` (the partition's leader epoch) and is reading
    /// its log: until [`TransactionCoordinator::load`] its ids answer
    /// COORDINATOR_LOAD_IN_PROGRESS.
    pub fn begin_loading(&mut self, partition: i32, coordinator_epoch: i32) {
        self.cache.loading.insert(partition, coordinator_epoch);
    }

    /// Rebuild `partition` from its records and start serving it. Loading
    /// replaces whatever was cached for it. Transactions found in
    /// PrepareCommit/PrepareAbort are completed: their markers go out
    /// again (leaders ignore duplicates) and then the Complete record.
    ///
    /// A record that does not decode fails the load and leaves the
    /// partition loading, so no id is served from a partial view. A load
    /// for an epoch older than the one being loaded is ignored.
    pub fn load<'a>(
        &mut self,
        now: i64,
        partition: i32,
        coordinator_epoch: i32,
        records: impl IntoIterator<Item = LoadRecord<'a>>,
    ) -> Result<Vec<Output>, LoadError> {
        self.begin(now);
        match self.cache.loading.get(&partition) {
            Some(&e) if e > coordinator_epoch => return Ok(self.finish()),
            _ => {}
        }
        self.cache.loading.insert(partition, coordinator_epoch);
        let txns = replay(records)?;
        self.remove_markers_for_partition(partition);
        self.cache.partitions.insert(
            partition,
            CacheEntry {
                coordinator_epoch,
                txns,
            },
        );
        // Out of loading before the markers go out, so their Complete
        // writes are not refused as LOAD_IN_PROGRESS.
        self.cache.loading.remove(&partition);
        let now = self.cx.now;
        let mut to_complete = Vec::new();
        if let Some(entry) = self.cache.partitions.get_mut(&partition) {
            for (id, m) in entry.txns.iter_mut() {
                let commit = match m.state {
                    PrepareCommit => true,
                    PrepareAbort => false,
                    _ => continue,
                };
                if let Ok(transit) = m.prepare_complete(now) {
                    to_complete.push((
                        id.clone(),
                        commit,
                        m.producer_id,
                        m.producer_epoch,
                        m.topic_partitions.clone(),
                        transit,
                    ));
                }
            }
        }
        for (id, commit, producer_id, producer_epoch, partitions, transit) in to_complete {
            self.add_txn_markers_to_send(
                &id,
                coordinator_epoch,
                commit,
                producer_id,
                producer_epoch,
                partitions,
                transit,
            );
        }
        Ok(self.finish())
    }

    /// `onResignation`: another broker leads the partition now. With
    /// `coordinator_epoch`, only an entry at that epoch or older is dropped
    /// (a late resignation must not unload a newer load). Appends in
    /// flight for its ids will answer NOT_COORDINATOR.
    pub fn unload(
        &mut self,
        now: i64,
        partition: i32,
        coordinator_epoch: Option<i32>,
    ) -> Vec<Output> {
        self.begin(now);
        let applies = |e: i32| coordinator_epoch.is_none_or(|c| e <= c);
        if self
            .cache
            .loading
            .get(&partition)
            .is_some_and(|&e| applies(e))
        {
            self.cache.loading.remove(&partition);
        }
        if self
            .cache
            .partitions
            .get(&partition)
            .is_some_and(|e| applies(e.coordinator_epoch))
        {
            self.cache.partitions.remove(&partition);
            self.remove_markers_for_partition(partition);
        }
        self.finish()
    }

    /// `shutdown`: everything is unloaded; every request gets
    /// NOT_COORDINATOR.
    pub fn shutdown(&mut self, now: i64) -> Vec<Output> {
        self.begin(now);
        self.cache.loading.clear();
        self.cache.partitions.clear();
        self.cx.markers = Default::default();
        self.cx.active = false;
        self.finish()
    }
}

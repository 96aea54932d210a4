//! Kafka's `TransactionMarkerChannelManager` and
//! `TransactionMarkerRequestCompletionHandler`, minus the network: once a
//! PrepareCommit/PrepareAbort is durable the coordinator asks its host to
//! deliver COMMIT/ABORT markers to every partition's leader, crosses off
//! each partition as its leader acknowledges, re-sends the retriable
//! failures, and writes CompleteCommit/CompleteAbort when none is left.

use std::collections::{BTreeMap, BTreeSet};

use protocol::ErrorCode;

use crate::api::{WritableTxnMarker, WritableTxnMarkerTopic};
use crate::coordinator::{MarkerId, Output, Then, TransactionCoordinator};
use crate::metadata::{TopicPartition, TxnTransitMetadata};

/// A transaction whose markers are out (`PendingCompleteTxn`): the
/// Complete transition to write once they are all in.
#[derive(Debug, Clone)]
pub(crate) struct PendingCompleteTxn {
    pub coordinator_epoch: i32,
    pub transit: TxnTransitMetadata,
}

/// One [`Output::SendMarkers`] whose partitions are not all answered.
#[derive(Debug, Clone)]
pub(crate) struct MarkerSend {
    pub transactional_id: String,
    pub coordinator_epoch: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub commit: bool,
    pub outstanding: BTreeSet<TopicPartition>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Markers {
    /// `transactionsWithPendingMarkers`
    pub pending: BTreeMap<String, PendingCompleteTxn>,
    pub sends: BTreeMap<MarkerId, MarkerSend>,
    next_id: MarkerId,
}

/// How a partition's marker result is handled.
enum MarkerOutcome {
    Done,
    Retry,
    /// The producer or coordinator epoch moved on: stop sending.
    Cancel,
}

fn outcome(error: ErrorCode) -> MarkerOutcome {
    use ErrorCode::*;
    match error {
        None => MarkerOutcome::Done,
        // The producer never wrote to such a partition, so nothing waits
        // for a marker there.
        UnsupportedForMessageFormat | UnsupportedVersion => MarkerOutcome::Done,
        InvalidProducerEpoch | TransactionCoordinatorFenced => MarkerOutcome::Cancel,
        // UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
        // NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT,
        // KAFKA_STORAGE_ERROR are retriable in Kafka; the rest (corrupt
        // message, too large, invalid acks, unknown) are fatal there and
        // retried here, so a simulation never dead-ends a transaction.
        _ => MarkerOutcome::Retry,
    }
}

impl TransactionCoordinator {
    /// `addTxnMarkersToSend`
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_txn_markers_to_send(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        commit: bool,
        producer_id: i64,
        producer_epoch: i16,
        partitions: BTreeSet<TopicPartition>,
        transit: TxnTransitMetadata,
    ) {
        self.cx.markers.pending.insert(
            id.to_string(),
            PendingCompleteTxn {
                coordinator_epoch,
                transit,
            },
        );
        self.send_markers(
            id,
            coordinator_epoch,
            commit,
            producer_id,
            producer_epoch,
            partitions,
        );
        self.maybe_write_txn_completion(id);
    }

    /// `addTxnMarkersToBrokerQueue`, leaving the grouping by leader to the
    /// host.
    fn send_markers(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        commit: bool,
        producer_id: i64,
        producer_epoch: i16,
        partitions: BTreeSet<TopicPartition>,
    ) {
        if partitions.is_empty() {
            return;
        }
        let mut topics: Vec<WritableTxnMarkerTopic> = Vec::new();
        for tp in &partitions {
            match topics.last_mut() {
                Some(t) if t.name == tp.topic => t.partition_indexes.push(tp.partition),
                _ => topics.push(WritableTxnMarkerTopic {
                    name: tp.topic.clone(),
                    partition_indexes: vec![tp.partition],
                }),
            }
        }
        let marker_id = self.cx.markers.next_id;
        self.cx.markers.next_id += 1;
        self.cx.markers.sends.insert(
            marker_id,
            MarkerSend {
                transactional_id: id.to_string(),
                coordinator_epoch,
                producer_id,
                producer_epoch,
                commit,
                outstanding: partitions,
            },
        );
        self.cx.out.push(Output::SendMarkers {
            marker_id,
            transactional_id: id.to_string(),
            marker: WritableTxnMarker {
                producer_id,
                producer_epoch,
                transaction_result: commit,
                topics,
                coordinator_epoch,
            },
        });
    }

    /// Leaders answered some partitions of `marker_id` (a WriteTxnMarkers
    /// response's results for this marker, possibly one broker's share).
    /// Whole-request failures (disconnects) are reported per partition
    /// too, e.g. as REQUEST_TIMED_OUT, and are re-sent. Results for
    /// partitions not outstanding, and unknown ids, are ignored.
    pub fn on_markers_written(
        &mut self,
        now: i64,
        marker_id: MarkerId,
        results: &[(TopicPartition, ErrorCode)],
    ) -> Vec<Output> {
        self.begin(now);
        self.on_marker_results(
            marker_id,
            results
                .iter()
                .map(|(tp, e)| (tp.clone(), Some(*e)))
                .collect(),
        );
        self.finish()
    }

    /// These partitions of `marker_id` have no leader in the metadata: the
    /// topic was deleted, so Kafka skips their markers.
    pub fn on_markers_unroutable(
        &mut self,
        now: i64,
        marker_id: MarkerId,
        partitions: &[TopicPartition],
    ) -> Vec<Output> {
        self.begin(now);
        self.on_marker_results(
            marker_id,
            partitions.iter().map(|tp| (tp.clone(), None)).collect(),
        );
        self.finish()
    }

    /// `None` result: unroutable (dropped without a marker).
    fn on_marker_results(
        &mut self,
        marker_id: MarkerId,
        results: Vec<(TopicPartition, Option<ErrorCode>)>,
    ) {
        let Some(send) = self.cx.markers.sends.get(&marker_id) else {
            return;
        };
        let id = send.transactional_id.clone();
        let (coordinator_epoch, commit, producer_id, producer_epoch) = (
            send.coordinator_epoch,
            send.commit,
            send.producer_id,
            send.producer_epoch,
        );
        let m = match self.cache.get(&id) {
            Ok(Some((epoch, m))) if epoch == coordinator_epoch => m,
            // Not the coordinator any more, loading again, or a newer
            // coordinator epoch: this transaction is someone else's now.
            _ => {
                self.remove_markers_for_txn(&id, coordinator_epoch);
                return;
            }
        };
        let send = self
            .cx
            .markers
            .sends
            .get_mut(&marker_id)
            .expect("checked above");
        let mut retry = BTreeSet::new();
        let mut cancel = false;
        for (tp, result) in results {
            if !send.outstanding.remove(&tp) {
                continue;
            }
            match result.map(outcome).unwrap_or(MarkerOutcome::Done) {
                MarkerOutcome::Done => m.remove_partition(&tp),
                MarkerOutcome::Retry => {
                    retry.insert(tp);
                }
                MarkerOutcome::Cancel => {
                    cancel = true;
                    break;
                }
            }
        }
        if send.outstanding.is_empty() {
            self.cx.markers.sends.remove(&marker_id);
        }
        if cancel {
            self.remove_markers_for_txn(&id, coordinator_epoch);
        } else if !retry.is_empty() {
            // A new send: the host looks the leaders up again.
            self.send_markers(
                &id,
                coordinator_epoch,
                commit,
                producer_id,
                producer_epoch,
                retry,
            );
        } else {
            self.maybe_write_txn_completion(&id);
        }
    }

    /// `maybeWriteTxnCompletion`: every marker is in, write the Complete
    /// record.
    fn maybe_write_txn_completion(&mut self, id: &str) {
        if !self.cx.markers.pending.contains_key(id) {
            return;
        }
        let done = match self.cache.get(id) {
            Ok(Some((_, m))) => m.topic_partitions.is_empty(),
            _ => true,
        };
        if !done {
            return;
        }
        let Some(pending) = self.cx.markers.pending.remove(id) else {
            return;
        };
        self.write_txn_completion(id, pending.coordinator_epoch, pending.transit);
    }

    /// `writeTxnCompletion` / `tryAppendToLog`
    fn write_txn_completion(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        transit: TxnTransitMetadata,
    ) {
        match self.cache.get(id) {
            Ok(Some((epoch, _))) if epoch == coordinator_epoch => {
                if self
                    .cx
                    .append_transition(id, coordinator_epoch, transit, Then::CompleteTxn, false)
                    .is_err()
                {
                    self.remove_markers_for_txn(id, coordinator_epoch);
                }
            }
            _ => self.remove_markers_for_txn(id, coordinator_epoch),
        }
    }

    /// The Complete record's append finished. COORDINATOR_NOT_AVAILABLE
    /// (and, here, any error but NOT_COORDINATOR) is retried with the same
    /// record; the pending state was kept for it.
    pub(crate) fn on_completion_written(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        transit: TxnTransitMetadata,
        error: ErrorCode,
    ) {
        match error {
            ErrorCode::None | ErrorCode::NotCoordinator | ErrorCode::CoordinatorLoadInProgress => {
                self.remove_markers_for_txn(id, coordinator_epoch)
            }
            _ => self.write_txn_completion(id, coordinator_epoch, transit),
        }
    }

    /// `removeMarkersForTxn`: forget the transaction's marker sends of
    /// that coordinator epoch; late answers to them are ignored. Scoped to
    /// the epoch (Kafka removes only the same `PendingCompleteTxn` object)
    /// so an old epoch's failure cannot cancel a reload's markers.
    pub(crate) fn remove_markers_for_txn(&mut self, id: &str, coordinator_epoch: i32) {
        if self
            .cx
            .markers
            .pending
            .get(id)
            .is_some_and(|p| p.coordinator_epoch == coordinator_epoch)
        {
            self.cx.markers.pending.remove(id);
        }
        self.cx
            .markers
            .sends
            .retain(|_, s| s.transactional_id != id || s.coordinator_epoch != coordinator_epoch);
    }

    /// `removeMarkersForTxnTopicPartition`
    pub(crate) fn remove_markers_for_partition(&mut self, partition: i32) {
        let n = self.cache.num_partitions;
        let in_partition = |id: &str| crate::records::partition_for(id, n) == partition;
        self.cx.markers.pending.retain(|id, _| !in_partition(id));
        self.cx
            .markers
            .sends
            .retain(|_, s| !in_partition(&s.transactional_id));
    }

    /// Marker sends still waiting for answers.
    pub fn pending_marker_sends(&self) -> impl Iterator<Item = MarkerId> + '_ {
        self.cx.markers.sends.keys().copied()
    }
}

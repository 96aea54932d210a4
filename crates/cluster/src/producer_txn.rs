//! The producer's `TransactionManager`: the producer id and epoch, the
//! per-partition sequence numbers of an idempotent producer (Kafka's
//! `TxnPartitionMap`), the retry rules for sequence errors, and the
//! transactional state machine with its coordinator requests
//! (FindCoordinator, InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn,
//! TxnOffsetCommit, EndTxn), as Kafka 3.x's Java client has them.

use std::collections::{BTreeMap, BTreeSet};

use broker::api::{BrokerId, CoordinatorType, Request, TopicPartition};
use protocol::ErrorCode;

/// `RecordBatch.NO_SEQUENCE`.
pub(crate) const NO_SEQUENCE: i32 = -1;

/// Sequence numbers of one partition (`TxnPartitionEntry`).
#[derive(Clone, Debug)]
pub(crate) struct PartitionSeqs {
    /// The producer id and epoch these sequences belong to.
    pub producer_id: i64,
    pub epoch: i16,
    pub next_seq: i32,
    pub last_acked_seq: i32,
    pub last_acked_offset: i64,
    /// Base sequences of batches sent and not yet completed or failed.
    pub in_flight: BTreeSet<i32>,
}

impl PartitionSeqs {
    fn new(producer_id: i64, epoch: i16) -> Self {
        PartitionSeqs {
            producer_id,
            epoch,
            next_seq: 0,
            last_acked_seq: NO_SEQUENCE,
            last_acked_offset: -1,
            in_flight: BTreeSet::new(),
        }
    }
}

/// `TransactionManager.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnState {
    Uninitialized,
    Initializing,
    Ready,
    InTransaction,
    CommittingTransaction,
    AbortingTransaction,
    AbortableError,
    FatalError,
}

impl TxnState {
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Uninitialized => "UNINITIALIZED",
            TxnState::Initializing => "INITIALIZING",
            TxnState::Ready => "READY",
            TxnState::InTransaction => "IN_TRANSACTION",
            TxnState::CommittingTransaction => "COMMITTING_TRANSACTION",
            TxnState::AbortingTransaction => "ABORTING_TRANSACTION",
            TxnState::AbortableError => "ABORTABLE_ERROR",
            TxnState::FatalError => "FATAL_ERROR",
        }
    }
}

/// What `sendOffsetsToTransaction` was given: the offsets and the
/// consumer's group metadata (KIP-447).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupOffsets {
    pub group_id: String,
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub offsets: BTreeMap<TopicPartition, i64>,
}

/// A transactional request waiting to be sent (`TxnRequestHandler`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TxnRequest {
    FindCoordinator { key: String, txn: bool },
    InitProducerId { bump: bool },
    AddPartitions,
    AddOffsets(GroupOffsets),
    TxnOffsetCommit(GroupOffsets),
    EndTxn { commit: bool },
}

impl TxnRequest {
    /// `TxnRequestHandler.priority`: lower goes first.
    fn priority(&self) -> u8 {
        match self {
            TxnRequest::FindCoordinator { .. } => 0,
            TxnRequest::InitProducerId { .. } => 1,
            TxnRequest::AddPartitions
            | TxnRequest::AddOffsets(_)
            | TxnRequest::TxnOffsetCommit(_) => 2,
            TxnRequest::EndTxn { .. } => 3,
        }
    }
}

/// Where a transactional request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    AnyBroker,
    TxnCoordinator,
    GroupCoordinator,
}

/// An application call that blocks until the Sender has done its part
/// (`initTransactions`, `commitTransaction`, `abortTransaction`,
/// `sendOffsetsToTransaction`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    Pending,
    Done,
    /// Kafka's exception text, e.g. `ProducerFencedException: ...`.
    Failed(String),
}

/// The exception the application sees for an error (Kafka's class names
/// and messages).
pub fn exception_text(error: ErrorCode) -> String {
    match error {
        ErrorCode::ProducerFenced => "ProducerFencedException: There is a newer producer with the same transactionalId which fences the current one.".into(),
        ErrorCode::InvalidProducerEpoch => "InvalidProducerEpochException: Producer attempted to produce with an old epoch.".into(),
        ErrorCode::OutOfOrderSequenceNumber => "OutOfOrderSequenceException: The broker received an out of order sequence number.".into(),
        ErrorCode::InvalidTxnState => "InvalidTxnStateException: The producer attempted a transactional operation in an invalid state.".into(),
        ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration | ErrorCode::FencedInstanceId => format!(
            "CommitFailedException: Transaction offset Commit failed due to consumer group metadata mismatch: {}",
            error.name()
        ),
        e => format!("KafkaException: {}", e.name()),
    }
}

pub struct TxnManager {
    pub(crate) transactional_id: Option<String>,
    pub(crate) transaction_timeout_ms: u64,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: TxnState,
    pub(crate) partitions: BTreeMap<TopicPartition, PartitionSeqs>,
    /// Partitions with a batch that expired after being sent: whether it
    /// was written is unknown (`partitionsWithUnresolvedSequences`).
    pub(crate) unresolved: BTreeSet<TopicPartition>,
    pub(crate) epoch_bump_required: bool,
    pub(crate) to_rewrite: BTreeSet<TopicPartition>,
    /// The last error, as the exception text the application gets.
    pub last_error: Option<String>,
    pub(crate) pending: Vec<TxnRequest>,
    /// The transactional request in flight, if any (one at a time).
    pub(crate) in_flight: Option<TxnRequest>,
    pub(crate) coordinator: Option<BrokerId>,
    pub(crate) group_coordinator: Option<BrokerId>,
    pub(crate) retry_at: u64,
    pub(crate) in_txn: BTreeSet<TopicPartition>,
    pub(crate) new_partitions: BTreeSet<TopicPartition>,
    pub(crate) pending_partitions: BTreeSet<TopicPartition>,
    /// Something was added to the transaction (partitions or offsets).
    pub(crate) txn_started: bool,
    pub call: Option<CallOutcome>,
}

impl TxnManager {
    pub fn new(transactional_id: Option<String>, transaction_timeout_ms: u64) -> Self {
        TxnManager {
            transactional_id,
            transaction_timeout_ms,
            producer_id: -1,
            epoch: -1,
            state: TxnState::Uninitialized,
            partitions: BTreeMap::new(),
            unresolved: BTreeSet::new(),
            epoch_bump_required: false,
            to_rewrite: BTreeSet::new(),
            last_error: None,
            pending: Vec::new(),
            in_flight: None,
            coordinator: None,
            group_coordinator: None,
            retry_at: 0,
            in_txn: BTreeSet::new(),
            new_partitions: BTreeSet::new(),
            pending_partitions: BTreeSet::new(),
            txn_started: false,
            call: None,
        }
    }

    pub fn is_transactional(&self) -> bool {
        self.transactional_id.is_some()
    }

    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }

    pub(crate) fn has_fatal_error(&self) -> bool {
        self.state == TxnState::FatalError
    }

    pub(crate) fn is_completing(&self) -> bool {
        matches!(
            self.state,
            TxnState::CommittingTransaction | TxnState::AbortingTransaction
        )
    }

    fn seqs(&mut self, tp: &TopicPartition) -> &mut PartitionSeqs {
        let (pid, epoch) = (self.producer_id, self.epoch);
        self.partitions
            .entry(tp.clone())
            .or_insert_with(|| PartitionSeqs::new(pid, epoch))
    }

    pub(crate) fn first_in_flight_sequence(&self, tp: &TopicPartition) -> i32 {
        self.partitions
            .get(tp)
            .and_then(|p| p.in_flight.first().copied())
            .unwrap_or(NO_SEQUENCE)
    }

    pub(crate) fn has_in_flight(&self, tp: &TopicPartition) -> bool {
        self.partitions
            .get(tp)
            .is_some_and(|p| !p.in_flight.is_empty())
    }

    /// The partition's sequences belong to an older producer id or epoch.
    pub(crate) fn has_stale_producer_id_and_epoch(&self, tp: &TopicPartition) -> bool {
        self.partitions
            .get(tp)
            .is_some_and(|p| (p.producer_id, p.epoch) != (self.producer_id, self.epoch))
    }

    /// `maybeUpdateProducerIdAndEpoch`: a partition whose in-flight batches
    /// are all done starts the current id and epoch at sequence 0.
    fn maybe_update_producer_id_and_epoch(&mut self, tp: &TopicPartition) {
        if self.has_stale_producer_id_and_epoch(tp) && !self.has_in_flight(tp) {
            let (pid, epoch) = (self.producer_id, self.epoch);
            self.partitions
                .insert(tp.clone(), PartitionSeqs::new(pid, epoch));
        }
    }

    /// A drained batch gets the partition's next sequence (`setProducerState`).
    pub(crate) fn assign_sequence(&mut self, tp: &TopicPartition, records: i32) -> (i64, i16, i32) {
        self.maybe_update_producer_id_and_epoch(tp);
        let (pid, epoch) = (self.producer_id, self.epoch);
        let e = self.seqs(tp);
        let seq = e.next_seq;
        e.next_seq = protocol::batch::increment_sequence(seq, records);
        e.in_flight.insert(seq);
        (pid, epoch, seq)
    }

    fn is_next_sequence(&self, tp: &TopicPartition, seq: i32) -> bool {
        let last = self
            .partitions
            .get(tp)
            .map_or(NO_SEQUENCE, |p| p.last_acked_seq);
        seq == last.wrapping_add(1)
    }

    pub(crate) fn remove_in_flight(&mut self, tp: &TopicPartition, seq: i32) {
        if let Some(p) = self.partitions.get_mut(tp) {
            p.in_flight.remove(&seq);
        }
    }

    /// `handleCompletedBatch`.
    pub(crate) fn on_completed(
        &mut self,
        tp: &TopicPartition,
        seq: (i64, i16, i32),
        records: i32,
        base_offset: i64,
    ) {
        let (pid, epoch, base) = seq;
        if let Some(p) = self.partitions.get_mut(tp) {
            if (p.producer_id, p.epoch) == (pid, epoch) {
                let last = base.wrapping_add(records - 1);
                p.last_acked_seq = p.last_acked_seq.max(last);
                if base_offset >= 0 {
                    p.last_acked_offset = p.last_acked_offset.max(base_offset + records as i64 - 1);
                }
            }
        }
        self.remove_in_flight(tp, base);
    }

    /// `requestEpochBumpForPartition`.
    pub(crate) fn request_epoch_bump(&mut self, tp: &TopicPartition) {
        self.epoch_bump_required = true;
        self.to_rewrite.insert(tp.clone());
    }

    /// `TransactionManager.canRetry` for a batch that got `error`.
    pub(crate) fn can_retry(
        &mut self,
        tp: &TopicPartition,
        base_seq: i32,
        seq_reset: bool,
        error: ErrorCode,
        log_start_offset: i64,
    ) -> bool {
        match error {
            ErrorCode::UnknownProducerId => {
                if log_start_offset < 0 || seq_reset {
                    return true;
                }
                let last_acked = self.partitions.get(tp).map_or(-1, |p| p.last_acked_offset);
                if last_acked < log_start_offset {
                    // The log's head (with our state) was removed by retention.
                    if self.is_transactional() {
                        self.to_rewrite.insert(tp.clone());
                    } else {
                        self.request_epoch_bump(tp);
                    }
                    return true;
                }
                if !self.is_transactional() {
                    self.request_epoch_bump(tp);
                    return true;
                }
                false
            }
            ErrorCode::OutOfOrderSequenceNumber => {
                let unresolved = self.unresolved.contains(tp);
                if !unresolved && (seq_reset || !self.is_next_sequence(tp, base_seq)) {
                    // Not the next batch: an earlier one failed; retry after it.
                    return true;
                }
                if !self.is_transactional() {
                    if !unresolved || self.is_next_sequence(tp, base_seq) {
                        self.request_epoch_bump(tp);
                    }
                    return true;
                }
                false
            }
            e => e.retriable(),
        }
    }

    /// `handleFailedBatch`: errors that end the producer, an epoch bump
    /// after a gap (idempotent), an abortable transaction.
    pub(crate) fn on_failed(
        &mut self,
        tp: &TopicPartition,
        seq: i32,
        error: ErrorCode,
        adjust: bool,
    ) {
        self.remove_in_flight(tp, seq);
        match error {
            ErrorCode::ProducerFenced
            | ErrorCode::TransactionalIdAuthorizationFailed
            | ErrorCode::ClusterAuthorizationFailed => {
                self.fatal(error);
                return;
            }
            _ if self.is_transactional() => {
                // Any failed write makes the transaction abortable and, as
                // `maybeTransitionToErrorState`, asks for a new epoch unless
                // the transaction is completing. While completing, Kafka
                // closes the sequence gap of a batch surely not written
                // (`adjustSequencesDueToFailedBatch`); the new epoch after
                // the abort does the same here.
                if !self.is_completing()
                    || adjust
                    || matches!(
                        error,
                        ErrorCode::OutOfOrderSequenceNumber | ErrorCode::UnknownProducerId
                    )
                {
                    self.epoch_bump_required = true;
                }
                self.abortable(error);
                return;
            }
            _ => {}
        }
        if error == ErrorCode::OutOfOrderSequenceNumber || adjust {
            self.request_epoch_bump(tp);
        } else if error == ErrorCode::UnknownProducerId {
            self.to_rewrite.insert(tp.clone());
        }
    }

    pub(crate) fn fatal(&mut self, error: ErrorCode) {
        self.state = TxnState::FatalError;
        self.last_error = Some(exception_text(error));
    }

    /// `transitionToAbortableError` (ignored while aborting already).
    pub(crate) fn abortable(&mut self, error: ErrorCode) {
        if matches!(
            self.state,
            TxnState::InTransaction
                | TxnState::CommittingTransaction
                | TxnState::AbortableError
                | TxnState::Initializing
        ) {
            self.state = TxnState::AbortableError;
            self.last_error = Some(exception_text(error));
        }
    }

    // ---- transactional requests ----

    pub(crate) fn enqueue(&mut self, r: TxnRequest) {
        self.pending.push(r);
    }

    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// `nextRequest`: the next request to send, if any may go now.
    pub(crate) fn next_request(&mut self, has_incomplete_batches: bool) -> Option<TxnRequest> {
        if !self.new_partitions.is_empty() && !self.pending.contains(&TxnRequest::AddPartitions) {
            self.pending.push(TxnRequest::AddPartitions);
        }
        let i = (0..self.pending.len()).min_by_key(|&i| (self.pending[i].priority(), i))?;
        if matches!(self.pending[i], TxnRequest::EndTxn { .. }) && has_incomplete_batches {
            return None;
        }
        let r = self.pending.remove(i);
        let in_error = matches!(self.state, TxnState::FatalError | TxnState::AbortableError);
        if in_error
            && !(self.state == TxnState::AbortableError
                && matches!(r, TxnRequest::FindCoordinator { .. }))
        {
            // `maybeTerminateRequestWithError`: the call fails with the last error.
            self.finish_call_with_error();
            return self.next_request(has_incomplete_batches);
        }
        if let TxnRequest::EndTxn { .. } = r {
            if !self.txn_started {
                // Nothing was added: the transaction ends without a request.
                self.complete_transaction();
                return self.next_request(has_incomplete_batches);
            }
        }
        Some(r)
    }

    pub(crate) fn target(&self, r: &TxnRequest) -> Target {
        match r {
            TxnRequest::FindCoordinator { .. } => Target::AnyBroker,
            TxnRequest::InitProducerId { .. } if !self.is_transactional() => Target::AnyBroker,
            TxnRequest::TxnOffsetCommit(_) => Target::GroupCoordinator,
            _ => Target::TxnCoordinator,
        }
    }

    /// The wire request for `r`.
    pub(crate) fn build(&mut self, r: &TxnRequest) -> Request {
        let tid = self.transactional_id.clone().unwrap_or_default();
        let (pid, epoch) = (self.producer_id, self.epoch);
        match r {
            TxnRequest::FindCoordinator { key, txn } => Request::FindCoordinator {
                key: key.clone(),
                key_type: if *txn {
                    CoordinatorType::Transaction
                } else {
                    CoordinatorType::Group
                },
            },
            TxnRequest::InitProducerId { bump } => {
                let mut init = transaction::InitProducerIdRequest {
                    transactional_id: self.transactional_id.clone(),
                    transaction_timeout_ms: if self.is_transactional() {
                        self.transaction_timeout_ms.min(i32::MAX as u64) as i32
                    } else {
                        i32::MAX
                    },
                    producer_id: -1,
                    producer_epoch: -1,
                };
                if *bump {
                    init = init.with_producer(pid, epoch);
                }
                Request::Txn(transaction::Request::InitProducerId(init))
            }
            TxnRequest::AddPartitions => {
                self.pending_partitions
                    .extend(std::mem::take(&mut self.new_partitions));
                let mut topics: Vec<transaction::AddPartitionsToTxnTopic> = Vec::new();
                for tp in &self.pending_partitions {
                    match topics.iter_mut().find(|t| *t.name == *tp.topic) {
                        Some(t) => t.partitions.push(tp.partition),
                        None => topics.push(transaction::AddPartitionsToTxnTopic {
                            name: tp.topic.to_string(),
                            partitions: vec![tp.partition],
                        }),
                    }
                }
                Request::Txn(transaction::Request::AddPartitionsToTxn(
                    transaction::AddPartitionsToTxnRequest {
                        transactional_id: tid,
                        producer_id: pid,
                        producer_epoch: epoch,
                        topics,
                    },
                ))
            }
            TxnRequest::AddOffsets(g) => Request::Txn(transaction::Request::AddOffsetsToTxn(
                transaction::AddOffsetsToTxnRequest {
                    transactional_id: tid,
                    producer_id: pid,
                    producer_epoch: epoch,
                    group_id: g.group_id.clone(),
                },
            )),
            TxnRequest::TxnOffsetCommit(g) => Request::Group(
                coordinator::Request::TxnOffsetCommit(coordinator::TxnOffsetCommitRequest {
                    transactional_id: tid,
                    group_id: g.group_id.clone(),
                    producer_id: pid,
                    producer_epoch: epoch,
                    generation_id: g.generation_id,
                    member_id: g.member_id.clone(),
                    group_instance_id: g.group_instance_id.clone(),
                    partitions: g
                        .offsets
                        .iter()
                        .map(|(tp, &o)| coordinator::OffsetCommitRequestPartition {
                            topic: tp.topic.to_string(),
                            partition_index: tp.partition,
                            committed_offset: o,
                            committed_leader_epoch: -1,
                            committed_metadata: None,
                        })
                        .collect(),
                }),
            ),
            TxnRequest::EndTxn { commit } => {
                Request::Txn(transaction::Request::EndTxn(transaction::EndTxnRequest {
                    transactional_id: tid,
                    producer_id: pid,
                    producer_epoch: epoch,
                    committed: *commit,
                }))
            }
        }
    }

    /// The coordinator a request needs is unknown: look it up first
    /// (`lookupCoordinator`), then send the request again.
    pub(crate) fn lookup_coordinator(&mut self, r: TxnRequest) {
        let find = match &r {
            TxnRequest::TxnOffsetCommit(g) => {
                self.group_coordinator = None;
                TxnRequest::FindCoordinator {
                    key: g.group_id.clone(),
                    txn: false,
                }
            }
            _ => {
                self.coordinator = None;
                TxnRequest::FindCoordinator {
                    key: self.transactional_id.clone().unwrap_or_default(),
                    txn: true,
                }
            }
        };
        if !self.pending.contains(&find) {
            self.pending.push(find);
        }
        self.reenqueue(r);
    }

    pub(crate) fn reenqueue(&mut self, r: TxnRequest) {
        if let TxnRequest::AddPartitions = r {
            // The partitions go out again with any new ones.
            self.new_partitions
                .extend(std::mem::take(&mut self.pending_partitions));
        }
        self.pending.push(r);
    }

    pub(crate) fn finish_call(&mut self) {
        if self.call == Some(CallOutcome::Pending) {
            self.call = Some(CallOutcome::Done);
        }
    }

    pub(crate) fn finish_call_with_error(&mut self) {
        if self.call == Some(CallOutcome::Pending) {
            let e = self
                .last_error
                .clone()
                .unwrap_or_else(|| "KafkaException: the transactional request failed".into());
            self.call = Some(CallOutcome::Failed(e));
        }
    }

    /// `completeTransaction`: back to READY, nothing in the transaction.
    pub(crate) fn complete_transaction(&mut self) {
        self.state = TxnState::Ready;
        self.last_error = None;
        self.txn_started = false;
        self.in_txn.clear();
        self.new_partitions.clear();
        self.pending_partitions.clear();
        self.finish_call();
    }

    /// `resetSequenceNumbers` after a new producer id or epoch.
    pub(crate) fn reset_sequences(&mut self) {
        self.partitions.clear();
        self.unresolved.clear();
        self.to_rewrite.clear();
    }

    /// A batch may go to `tp` (`isSendToPartitionAllowed`).
    pub(crate) fn send_to_partition_allowed(&self, tp: &TopicPartition) -> bool {
        if self.has_fatal_error() {
            return false;
        }
        !self.is_transactional() || self.in_txn.contains(tp)
    }
}

//! The Sender's side of the `TransactionManager`: epoch bumps and
//! sequence rewrites, the drain rules of an idempotent producer, the
//! transactional requests and their answers (Kafka's `*Handler`s), and the
//! application's transactional calls.

use broker::api::Response;
use protocol::ErrorCode;
use serde_json::json;

use super::*;

/// Kafka's back-off after CONCURRENT_TRANSACTIONS on AddPartitionsToTxn
/// (`ADD_PARTITIONS_RETRY_BACKOFF_MS`).
const ADD_PARTITIONS_RETRY_BACKOFF_MS: u64 = 20;

impl Producer {
    // ---- the application's calls ----

    /// `failIfNotReadyForSend`.
    pub(super) fn fail_if_not_ready_for_send(&self) -> Result<(), String> {
        let t = &self.txn;
        if !self.idempotent {
            return Ok(());
        }
        if matches!(t.state, TxnState::AbortableError | TxnState::FatalError) {
            return Err(format!(
                "KafkaException: Cannot perform send because at least one previous transactional or idempotent request has failed with errors. ({})",
                t.last_error.as_deref().unwrap_or("")
            ));
        }
        if t.is_transactional() {
            if !t.has_producer_id() {
                return Err("IllegalStateException: Cannot perform a 'send' before completing a call to initTransactions when transactions are enabled.".into());
            }
            if t.state != TxnState::InTransaction {
                return Err(format!(
                    "IllegalStateException: Cannot call send in state {}",
                    t.state.name()
                ));
            }
        }
        Ok(())
    }

    /// `maybeFailWithError`: what a transactional call throws in an error
    /// state. A fencing error is thrown anew with the producer's id and
    /// epoch (it was not caused by this call); others are wrapped.
    fn maybe_fail_with_error(&self) -> Result<(), String> {
        if !matches!(
            self.txn.state,
            TxnState::FatalError | TxnState::AbortableError
        ) {
            return Ok(());
        }
        let e = self.txn.last_error.clone().unwrap_or_default();
        let who = format!(
            "Producer with transactionalId '{}' and (producerId={}, epoch={})",
            self.txn.transactional_id.as_deref().unwrap_or(""),
            self.txn.producer_id,
            self.txn.epoch
        );
        Err(if e.starts_with("ProducerFencedException") {
            format!("ProducerFencedException: {who} has been fenced by another producer with the same transactionalId")
        } else if e.starts_with("InvalidProducerEpochException") {
            format!("InvalidProducerEpochException: {who} attempted to produce with an old epoch")
        } else {
            format!("KafkaException: Cannot execute transactional method because we are in an error state ({e})")
        })
    }

    fn transactional(&self) -> Result<(), String> {
        if self.txn.is_transactional() {
            Ok(())
        } else {
            Err("IllegalStateException: Transactional method invoked on a non-transactional producer.".into())
        }
    }

    fn invalid_transition(&self, to: TxnState) -> String {
        format!(
            "IllegalStateException: TransactionalId {}: Invalid transition attempted from state {} to state {}",
            self.txn.transactional_id.as_deref().unwrap_or(""),
            self.txn.state.name(),
            to.name()
        )
    }

    fn start_call(&mut self, now: u64, request: TxnRequest, out: &mut Vec<Output>) {
        self.txn.enqueue(request);
        self.txn.call = Some(CallOutcome::Pending);
        self.run_sender(now, out);
    }

    /// `initTransactions()`: finds the coordinator and gets the producer
    /// id and a new epoch, which fences older producers with this id and
    /// aborts their open transaction. Blocks: see [`Producer::call_outcome`].
    pub fn init_transactions(&mut self, now: u64, out: &mut Vec<Output>) -> Result<(), String> {
        self.transactional()?;
        if self.txn.state != TxnState::Uninitialized {
            return Err(self.invalid_transition(TxnState::Initializing));
        }
        self.txn.state = TxnState::Initializing;
        self.start_call(now, TxnRequest::InitProducerId { bump: false }, out);
        Ok(())
    }

    /// `beginTransaction()`: local only.
    pub fn begin_transaction(&mut self) -> Result<(), String> {
        self.transactional()?;
        self.maybe_fail_with_error()?;
        if self.txn.state != TxnState::Ready {
            return Err(self.invalid_transition(TxnState::InTransaction));
        }
        self.txn.state = TxnState::InTransaction;
        Ok(())
    }

    /// `commitTransaction()`: flushes, then EndTxn(COMMIT).
    pub fn commit_transaction(&mut self, now: u64, out: &mut Vec<Output>) -> Result<(), String> {
        self.transactional()?;
        self.maybe_fail_with_error()?;
        if self.txn.state != TxnState::InTransaction {
            return Err(self.invalid_transition(TxnState::CommittingTransaction));
        }
        self.txn.state = TxnState::CommittingTransaction;
        self.start_call(now, TxnRequest::EndTxn { commit: true }, out);
        Ok(())
    }

    /// `abortTransaction()`: batches not sent yet fail, the rest finish,
    /// then EndTxn(ABORT) (and a new epoch if sequences are in doubt).
    pub fn abort_transaction(&mut self, now: u64, out: &mut Vec<Output>) -> Result<(), String> {
        self.transactional()?;
        if self.txn.state == TxnState::FatalError {
            self.maybe_fail_with_error()?;
        }
        if !matches!(
            self.txn.state,
            TxnState::InTransaction | TxnState::AbortableError
        ) {
            return Err(self.invalid_transition(TxnState::AbortingTransaction));
        }
        self.txn.state = TxnState::AbortingTransaction;
        self.txn.new_partitions.clear();
        self.start_call(now, TxnRequest::EndTxn { commit: false }, out);
        Ok(())
    }

    /// `sendOffsetsToTransaction(offsets, groupMetadata)`: AddOffsetsToTxn
    /// to the transaction coordinator, then TxnOffsetCommit to the group's.
    pub fn send_offsets_to_transaction(
        &mut self,
        now: u64,
        offsets: GroupOffsets,
        out: &mut Vec<Output>,
    ) -> Result<(), String> {
        self.transactional()?;
        self.maybe_fail_with_error()?;
        if self.txn.state != TxnState::InTransaction {
            return Err(format!(
                "IllegalStateException: Cannot send offsets if a transaction is not in progress (currentState= {})",
                self.txn.state.name()
            ));
        }
        self.start_call(now, TxnRequest::AddOffsets(offsets), out);
        Ok(())
    }

    /// The blocking call in progress or just ended (`None`: none made).
    pub fn call_outcome(&self) -> Option<&CallOutcome> {
        self.txn.call.as_ref()
    }

    // ---- sequences ----

    /// `startSequencesAtBeginning`: the partition's unfinished batches get
    /// sequences from 0 under the current producer id and epoch.
    fn start_sequences_at_beginning(&mut self, tp: &TopicPartition) {
        let (pid, epoch) = (self.txn.producer_id, self.txn.epoch);
        let mut batches: Vec<&mut Batch> = self
            .batches
            .get_mut(tp)
            .into_iter()
            .flat_map(|q| q.iter_mut())
            .chain(self.awaiting.values_mut().flat_map(|a| match a {
                Awaiting::Produce(f) => f.batches.iter_mut().collect::<Vec<_>>(),
                _ => Vec::new(),
            }))
            .filter(|b| b.tp == *tp && b.seq.is_some())
            .collect();
        batches.sort_by_key(|b| b.base_seq());
        let mut next = 0i32;
        let mut in_flight = BTreeSet::new();
        for b in batches {
            b.seq = Some((pid, epoch, next));
            b.seq_reset = true;
            in_flight.insert(next);
            next = protocol::batch::increment_sequence(next, b.records.len() as i32);
        }
        let e = self.txn.partitions.entry(tp.clone()).or_insert_with(|| {
            crate::producer_txn::PartitionSeqs {
                producer_id: pid,
                epoch,
                next_seq: 0,
                last_acked_seq: NO_SEQUENCE,
                last_acked_offset: -1,
                in_flight: BTreeSet::new(),
            }
        });
        e.producer_id = pid;
        e.epoch = epoch;
        e.next_seq = next;
        e.last_acked_seq = NO_SEQUENCE;
        e.in_flight = in_flight;
    }

    /// `bumpIdempotentEpochAndResetIdIfNeeded` (idempotent, not
    /// transactional): a local epoch bump rewrites the sequences of the
    /// partitions that asked for it; without a producer id, InitProducerId.
    pub(super) fn bump_idempotent_epoch_and_reset_id_if_needed(&mut self) {
        if self.txn.epoch_bump_required {
            if self.txn.epoch == i16::MAX {
                self.txn.producer_id = -1;
                self.txn.epoch = -1;
                self.txn.reset_sequences();
            } else {
                self.txn.epoch += 1;
            }
            self.txn.epoch_bump_required = false;
        }
        if self.txn.has_producer_id() {
            // Also `startSequencesAtBeginning` after UNKNOWN_PRODUCER_ID.
            for tp in std::mem::take(&mut self.txn.to_rewrite) {
                self.start_sequences_at_beginning(&tp);
                self.txn.unresolved.remove(&tp);
            }
        }
        if self.txn.state != TxnState::Initializing && !self.txn.has_producer_id() {
            self.txn.state = TxnState::Initializing;
            self.txn.enqueue(TxnRequest::InitProducerId { bump: false });
        }
    }

    /// `maybeResolveSequences`: a partition whose expired batch's fate was
    /// unknown is resolved once nothing is in flight there.
    pub(super) fn maybe_resolve_sequences(&mut self) {
        for tp in self.txn.unresolved.clone() {
            if self.txn.has_in_flight(&tp) {
                continue;
            }
            let e = self.txn.partitions.get(&tp);
            let resolved = e.is_none_or(|e| e.next_seq == e.last_acked_seq.wrapping_add(1));
            if resolved {
                self.txn.unresolved.remove(&tp);
            } else if self.txn.is_transactional() {
                self.txn.epoch_bump_required = true;
                if self.txn.state != TxnState::AbortingTransaction {
                    self.txn.state = TxnState::AbortableError;
                    self.txn.last_error = Some("KafkaException: The client hasn't received acknowledgment for some previously sent messages and can no longer retry them. It is safe to abort the transaction and continue.".into());
                }
            } else {
                self.txn.request_epoch_bump(&tp);
                self.txn.unresolved.remove(&tp);
            }
        }
    }

    /// `shouldStopDrainBatchesForPartition`.
    pub(super) fn should_stop_drain(&self, tp: &TopicPartition, first: &Batch) -> bool {
        if !self.idempotent {
            return false;
        }
        let t = &self.txn;
        if !t.send_to_partition_allowed(tp) || !t.has_producer_id() {
            return true;
        }
        if first.seq.is_none() {
            // No new epoch's batch before the old epoch's ones finish, and
            // nothing new while a sequence is in doubt.
            if t.has_in_flight(tp) && t.has_stale_producer_id_and_epoch(tp) {
                return true;
            }
            if t.unresolved.contains(tp) {
                return true;
            }
        }
        let first_in_flight = t.first_in_flight_sequence(tp);
        // A retried batch goes only when it is the first unfinished one.
        first_in_flight != NO_SEQUENCE && first.seq.is_some() && first.base_seq() != first_in_flight
    }

    /// Fails batches not yet sent (all queued ones with `all`) with the
    /// transaction manager's last error (`abortUndrainedBatches`).
    pub(super) fn abort_undrained_batches(&mut self, all: bool, out: &mut Vec<Output>) {
        let error = self.txn.last_error.clone().unwrap_or_else(|| {
            "TransactionAbortedException: Failing batch since transaction was aborted".into()
        });
        let mut aborted = Vec::new();
        for queue in self.batches.values_mut() {
            let (gone, keep): (VecDeque<Batch>, VecDeque<Batch>) =
                queue.drain(..).partition(|b| all || b.seq.is_none());
            *queue = keep;
            aborted.extend(gone);
        }
        self.batches.retain(|_, q| !q.is_empty());
        for b in aborted {
            if let Some((_, _, seq)) = b.seq {
                self.txn.remove_in_flight(&b.tp, seq);
            }
            for p in b.records {
                out.push(Output::Event {
                    kind: "producer-error",
                    detail: json!({"send": p.send_id, "error": error}),
                });
                self.app.failed.push(Failed::of(p, error.clone()));
            }
        }
    }

    // ---- transactional requests ----

    /// `maybeSendAndPollTransactionalRequest`: true while a transactional
    /// request is in flight or was just sent (no produce data then).
    pub(super) fn maybe_send_txn_request(&mut self, now: u64, out: &mut Vec<Output>) -> bool {
        if self.txn.in_flight.is_some() {
            return true;
        }
        let incomplete = self.incomplete() > 0;
        if incomplete
            && matches!(
                self.txn.state,
                TxnState::AbortableError | TxnState::AbortingTransaction
            )
        {
            self.abort_undrained_batches(false, out);
        }
        if self.txn.is_completing() && self.incomplete() > 0 {
            self.flushing = true;
        }
        if !self.txn.has_pending() && self.txn.new_partitions.is_empty() {
            return false;
        }
        if now < self.txn.retry_at {
            // The Java Sender sleeps out the back-off before a retry.
            return true;
        }
        loop {
            let Some(r) = self.txn.next_request(self.incomplete() > 0) else {
                return false;
            };
            let broker = match self.txn.target(&r) {
                Target::AnyBroker => self.least_loaded_node(),
                Target::TxnCoordinator => match self.txn.coordinator {
                    Some(b) if !self.refused.contains(&b) => b,
                    _ => {
                        self.txn.lookup_coordinator(r);
                        continue;
                    }
                },
                Target::GroupCoordinator => match self.txn.group_coordinator {
                    Some(b) if !self.refused.contains(&b) => b,
                    _ => {
                        self.txn.lookup_coordinator(r);
                        continue;
                    }
                },
            };
            let request = self.txn.build(&r);
            let id = self.request(broker, request, out);
            self.awaiting.insert(
                id,
                Awaiting::Txn {
                    broker,
                    sent_ms: now,
                    request: r.clone(),
                },
            );
            self.txn.in_flight = Some(r);
            return true;
        }
    }

    /// A transactional request got no answer (disconnect, timeout): ask
    /// again, finding the coordinator first.
    pub(super) fn on_txn_request_failed(&mut self, now: u64, request: TxnRequest) {
        self.txn.in_flight = None;
        self.txn.retry_at = now + self.config.retry_backoff_ms;
        if self.txn.target(&request) == Target::AnyBroker {
            self.txn.reenqueue(request);
        } else {
            self.txn.lookup_coordinator(request);
        }
    }

    fn retry_later(&mut self, now: u64, backoff: u64, request: TxnRequest) {
        self.txn.retry_at = now + backoff;
        self.txn.reenqueue(request);
    }

    fn txn_fatal(&mut self, error: ErrorCode) {
        self.app.errors.insert(error.name().to_string());
        self.txn.fatal(error);
        self.txn.pending.clear();
        self.txn.finish_call_with_error();
    }

    fn txn_abortable(&mut self, error: ErrorCode) {
        self.app.errors.insert(error.name().to_string());
        self.txn.abortable(error);
        self.txn.finish_call_with_error();
    }

    /// The answer to a transactional request (Kafka's handlers).
    pub(super) fn on_txn_response(
        &mut self,
        now: u64,
        request: TxnRequest,
        response: Response,
        out: &mut Vec<Output>,
    ) {
        self.txn.in_flight = None;
        let backoff = self.config.retry_backoff_ms;
        let error = txn_error(&response);
        out.push(Output::Event {
            kind: "producer-txn-response",
            detail: json!({"request": format!("{request:?}").split([' ', '(']).next().unwrap_or(""), "error": error.name()}),
        });
        use ErrorCode as E;
        match (&request, error) {
            (TxnRequest::FindCoordinator { txn, .. }, E::None) => {
                if let Response::FindCoordinator { node_id, .. } = response {
                    if *txn {
                        self.txn.coordinator = Some(node_id);
                    } else {
                        self.txn.group_coordinator = Some(node_id);
                    }
                }
            }
            (TxnRequest::FindCoordinator { .. }, e) if e.retriable() => {
                self.retry_later(now, backoff, request)
            }
            (TxnRequest::FindCoordinator { .. }, e) => self.txn_fatal(e),
            (_, E::NotCoordinator | E::CoordinatorNotAvailable | E::RequestTimedOut)
                if self.txn.target(&request) != Target::AnyBroker =>
            {
                self.txn.retry_at = now + backoff;
                self.txn.lookup_coordinator(request);
            }
            (
                _,
                E::CoordinatorLoadInProgress
                | E::ConcurrentTransactions
                | E::UnknownTopicOrPartition,
            ) => {
                let wait =
                    if request == TxnRequest::AddPartitions && error == E::ConcurrentTransactions {
                        ADD_PARTITIONS_RETRY_BACKOFF_MS
                    } else {
                        backoff
                    };
                self.retry_later(now, wait, request)
            }
            (_, E::ProducerFenced | E::InvalidProducerEpoch) => self.txn_fatal(E::ProducerFenced),
            (TxnRequest::InitProducerId { bump }, E::None) => {
                if let Response::Txn(transaction::Response::InitProducerId(r)) = response {
                    self.txn.producer_id = r.producer_id;
                    self.txn.epoch = r.producer_epoch;
                }
                self.txn.reset_sequences();
                if *bump && self.txn.state == TxnState::AbortingTransaction {
                    self.txn.complete_transaction();
                } else {
                    self.txn.state = TxnState::Ready;
                    self.txn.last_error = None;
                    self.txn.finish_call();
                }
                out.push(Output::Event {
                    kind: "producer-id",
                    detail: json!({"producer": self.name, "producer_id": self.txn.producer_id, "epoch": self.txn.epoch}),
                });
            }
            (TxnRequest::InitProducerId { .. }, e) if e.retriable() => {
                self.retry_later(now, backoff, request)
            }
            (TxnRequest::AddPartitions, E::None) => {
                let added = std::mem::take(&mut self.txn.pending_partitions);
                self.txn.in_txn.extend(added);
                self.txn.txn_started = true;
            }
            (TxnRequest::AddOffsets(g), E::None) => {
                self.txn.txn_started = true;
                self.txn.enqueue(TxnRequest::TxnOffsetCommit(g.clone()));
            }
            (TxnRequest::TxnOffsetCommit(_), E::None) => self.txn.finish_call(),
            (
                TxnRequest::TxnOffsetCommit(_),
                E::UnknownMemberId | E::IllegalGeneration | E::FencedInstanceId,
            ) => self.txn_abortable(error),
            (TxnRequest::EndTxn { commit }, E::None) => {
                if !*commit && self.txn.epoch_bump_required {
                    // KIP-360: a new epoch before the next transaction.
                    self.txn.epoch_bump_required = false;
                    self.txn.enqueue(TxnRequest::InitProducerId { bump: true });
                } else {
                    self.txn.complete_transaction();
                }
            }
            (TxnRequest::AddPartitions | TxnRequest::AddOffsets(_), e)
                if e != E::InvalidTxnState =>
            {
                self.txn_abortable(e)
            }
            (_, e) => self.txn_fatal(e),
        }
    }
}

/// The error of a transactional answer (the first failing partition's).
fn txn_error(response: &Response) -> ErrorCode {
    match response {
        Response::FindCoordinator { error, .. } => *error,
        Response::Txn(r) => r.error_code(),
        Response::Group(coordinator::Response::TxnOffsetCommit(r)) => r
            .partitions
            .iter()
            .map(|p| p.error_code)
            .find(|e| *e != ErrorCode::None)
            .unwrap_or(ErrorCode::None),
        // An answer of the wrong kind: as a broken connection.
        _ => ErrorCode::NetworkException,
    }
}

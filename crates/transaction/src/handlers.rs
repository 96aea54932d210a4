//! The request handlers (Kafka's `TransactionCoordinator.handle*` and
//! `endTransaction`).

use std::collections::BTreeSet;

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{
    EndReply, EndTxnCtx, ProducerIdGenerator, Then, TransactionCoordinator,
    GROUP_METADATA_TOPIC_NAME,
};
use crate::metadata::{
    is_epoch_exhausted, TopicPartition, TransactionMetadata, TxnTransitMetadata, NO_PRODUCER_EPOCH,
    NO_PRODUCER_ID,
};
use crate::records::partition_for;
use crate::state::TransactionState::*;

impl TransactionCoordinator {
    /// `validateTransactionTimeoutMs`
    fn valid_timeout(&self, timeout_ms: i32) -> bool {
        timeout_ms > 0 && timeout_ms <= self.cx.config.transaction_max_timeout_ms
    }

    pub(crate) fn handle_init_producer_id(
        &mut self,
        request_id: RequestId,
        r: InitProducerIdRequest,
        ids: &mut dyn ProducerIdGenerator,
    ) {
        let respond = |this: &mut Self, resp: InitProducerIdResponse| {
            this.cx.respond(request_id, Response::InitProducerId(resp));
        };
        let id = match r.transactional_id {
            // Idempotent producer: any request gets a fresh id at epoch 0.
            None => {
                let resp = match ids.generate_producer_id() {
                    Ok(producer_id) => InitProducerIdResponse {
                        error_code: ErrorCode::None,
                        producer_id,
                        producer_epoch: 0,
                    },
                    Err(e) => InitProducerIdResponse::error(e),
                };
                return respond(self, resp);
            }
            Some(id) => id,
        };
        if id.is_empty() {
            return respond(
                self,
                InitProducerIdResponse::error(ErrorCode::InvalidRequest),
            );
        }
        if !self.valid_timeout(r.transaction_timeout_ms) {
            return respond(
                self,
                InitProducerIdResponse::error(ErrorCode::InvalidTransactionTimeout),
            );
        }
        // KafkaApis: both -1 is a new producer; only one of them is a bad
        // request.
        let expected = match (r.producer_id, r.producer_epoch) {
            (NO_PRODUCER_ID, NO_PRODUCER_EPOCH) => None,
            (NO_PRODUCER_ID, _) | (_, NO_PRODUCER_EPOCH) => {
                return respond(
                    self,
                    InitProducerIdResponse::error(ErrorCode::InvalidRequest),
                );
            }
            (pid, epoch) => Some((pid, epoch)),
        };
        let now = self.cx.now;
        let found = match self.cache.get(&id) {
            Err(e) => return respond(self, InitProducerIdResponse::error(e)),
            Ok(found) => found.is_some(),
        };
        if !found {
            let producer_id = match ids.generate_producer_id() {
                Ok(p) => p,
                Err(e) => return respond(self, InitProducerIdResponse::error(e)),
            };
            let fresh = TransactionMetadata::fresh(&id, producer_id, r.transaction_timeout_ms, now);
            let p = partition_for(&id, self.cache.num_partitions);
            if let Some(e) = self.cache.partitions.get_mut(&p) {
                e.txns.insert(id.clone(), fresh);
            }
        }
        let (coordinator_epoch, m) = match self.cache.get(&id) {
            Ok(Some(x)) => x,
            Ok(None) => {
                return respond(
                    self,
                    InitProducerIdResponse::error(ErrorCode::NotCoordinator),
                )
            }
            Err(e) => return respond(self, InitProducerIdResponse::error(e)),
        };
        let transit =
            match prepare_init_producer_id_transit(m, r.transaction_timeout_ms, expected, now, ids)
            {
                Ok(t) => t,
                Err(e) => return respond(self, InitProducerIdResponse::error(e)),
            };
        if transit.txn_state == PrepareEpochFence {
            // Abort the ongoing transaction with the bumped epoch first;
            // this epoch is never returned: the producer gets
            // CONCURRENT_TRANSACTIONS, retries, and bumps again.
            let ctx = EndTxnCtx {
                reply: EndReply::InitFence(request_id),
                producer_id: transit.producer_id,
                producer_epoch: transit.producer_epoch,
                commit: false,
            };
            self.end_transaction(&id, ctx, false);
        } else if let Err(e) = self.cx.append_transition(
            &id,
            coordinator_epoch,
            transit,
            Then::InitProducerId(request_id),
            false,
        ) {
            clear_pending(&mut self.cache, &id);
            respond(self, InitProducerIdResponse::error(e));
        }
    }

    pub(crate) fn handle_add_partitions(
        &mut self,
        request_id: RequestId,
        r: AddPartitionsToTxnRequest,
    ) {
        let partitions: BTreeSet<TopicPartition> = r.partitions().collect();
        let then = Then::AddPartitions {
            request_id,
            topics: r.topics.clone(),
        };
        if let Err(e) = self.add_partitions(
            &r.transactional_id,
            r.producer_id,
            r.producer_epoch,
            &partitions,
            then,
        ) {
            self.cx.respond(
                request_id,
                Response::AddPartitionsToTxn(AddPartitionsToTxnResponse::all(&r.topics, e)),
            );
        }
    }

    /// KafkaApis turns AddOffsetsToTxn into adding the group's
    /// `__consumer_offsets` partition.
    pub(crate) fn handle_add_offsets(&mut self, request_id: RequestId, r: AddOffsetsToTxnRequest) {
        let p = partition_for(&r.group_id, self.cx.config.offsets_topic_num_partitions);
        let partitions = BTreeSet::from([TopicPartition::new(GROUP_METADATA_TOPIC_NAME, p)]);
        let then = Then::AddOffsets(request_id);
        if let Err(e) = self.add_partitions(
            &r.transactional_id,
            r.producer_id,
            r.producer_epoch,
            &partitions,
            then,
        ) {
            self.cx.respond(
                request_id,
                Response::AddOffsetsToTxn(AddOffsetsToTxnResponse { error_code: e }),
            );
        }
    }

    /// `handleAddPartitionsToTransaction`: `Err` is the immediate answer
    /// (NONE included); `Ok` means a record is on its way.
    fn add_partitions(
        &mut self,
        id: &str,
        producer_id: i64,
        producer_epoch: i16,
        partitions: &BTreeSet<TopicPartition>,
        then: Then,
    ) -> Result<(), ErrorCode> {
        if id.is_empty() {
            return Err(ErrorCode::InvalidRequest);
        }
        let now = self.cx.now;
        let (coordinator_epoch, m) = self
            .cache
            .get(id)?
            .ok_or(ErrorCode::InvalidProducerIdMapping)?;
        if m.producer_id != producer_id {
            return Err(ErrorCode::InvalidProducerIdMapping);
        }
        if m.producer_epoch != producer_epoch {
            return Err(ErrorCode::ProducerFenced);
        }
        if m.pending_transition_in_progress() || matches!(m.state, PrepareCommit | PrepareAbort) {
            return Err(ErrorCode::ConcurrentTransactions);
        }
        // Already in the transaction: nothing to write.
        if m.state == Ongoing && partitions.is_subset(&m.topic_partitions) {
            return Err(ErrorCode::None);
        }
        let transit = m
            .prepare_add_partitions(partitions, now)
            .map_err(|_| ErrorCode::UnknownServerError)?;
        self.cx
            .append_transition(id, coordinator_epoch, transit, then, false)
            .inspect_err(|_| clear_pending(&mut self.cache, id))
    }

    /// `endTransaction`: EndTxn from the producer (`from_client`), or an
    /// abort the coordinator starts itself (fencing, timeout) with the
    /// bumped epoch.
    pub(crate) fn end_transaction(&mut self, id: &str, ctx: EndTxnCtx, from_client: bool) {
        match self.prepare_end_transaction(id, &ctx, from_client) {
            Ok(()) => {}
            Err(e) => {
                // A fence that cannot go on must not stay pending forever.
                if !from_client {
                    if let Ok(Some((_, m))) = self.cache.get(id) {
                        if m.pending_state == Some(PrepareEpochFence) {
                            m.pending_state = None;
                        }
                    }
                }
                self.reply_end(ctx.reply, e);
            }
        }
    }

    /// The checks and the PrepareCommit/PrepareAbort append. `Err` is the
    /// immediate answer (NONE for a retried EndTxn that already completed).
    fn prepare_end_transaction(
        &mut self,
        id: &str,
        ctx: &EndTxnCtx,
        from_client: bool,
    ) -> Result<(), ErrorCode> {
        if id.is_empty() {
            return Err(ErrorCode::InvalidRequest);
        }
        let now = self.cx.now;
        let (coordinator_epoch, m) = self
            .cache
            .get(id)?
            .ok_or(ErrorCode::InvalidProducerIdMapping)?;
        if m.producer_id != ctx.producer_id {
            return Err(ErrorCode::InvalidProducerIdMapping);
        }
        // Clients must match exactly; the coordinator's own aborts carry a
        // bumped epoch and only must not be older.
        if (from_client && ctx.producer_epoch != m.producer_epoch)
            || ctx.producer_epoch < m.producer_epoch
        {
            return Err(ErrorCode::ProducerFenced);
        }
        if m.pending_state.is_some() && m.pending_state != Some(PrepareEpochFence) {
            return Err(ErrorCode::ConcurrentTransactions);
        }
        let mut is_epoch_fence = false;
        let transit = match (m.state, ctx.commit) {
            (Ongoing, commit) => {
                let next = if commit { PrepareCommit } else { PrepareAbort };
                if next == PrepareAbort && m.pending_state == Some(PrepareEpochFence) {
                    // Make way for PrepareAbort, and carry the bumped epoch
                    // into the record about to be written.
                    is_epoch_fence = true;
                    m.pending_state = None;
                    m.producer_epoch = ctx.producer_epoch;
                    m.last_producer_epoch = NO_PRODUCER_EPOCH;
                }
                m.prepare_abort_or_commit(next, now)
                    .map_err(|_| ErrorCode::UnknownServerError)?
            }
            (CompleteCommit, true) | (CompleteAbort, false) => return Err(ErrorCode::None),
            (PrepareCommit, true) | (PrepareAbort, false) => {
                return Err(ErrorCode::ConcurrentTransactions)
            }
            (Empty | CompleteCommit | CompleteAbort | PrepareCommit | PrepareAbort, _) => {
                return Err(ErrorCode::InvalidTxnState);
            }
            // Never a current state: Kafka treats it as fatal.
            (Dead | PrepareEpochFence, _) => return Err(ErrorCode::UnknownServerError),
        };
        self.cx
            .append_transition(
                id,
                coordinator_epoch,
                transit,
                Then::EndTxn(ctx.clone()),
                is_epoch_fence,
            )
            .inspect_err(|_| clear_pending(&mut self.cache, id))
    }

    pub(crate) fn reply_end(&mut self, reply: EndReply, error: ErrorCode) {
        match reply {
            EndReply::Client(request_id) => self.cx.respond(
                request_id,
                Response::EndTxn(EndTxnResponse { error_code: error }),
            ),
            EndReply::InitFence(request_id) => {
                let e = if error == ErrorCode::None {
                    ErrorCode::ConcurrentTransactions
                } else {
                    error
                };
                self.cx.respond(
                    request_id,
                    Response::InitProducerId(InitProducerIdResponse::error(e)),
                );
            }
            EndReply::Timeout => {}
        }
    }

    /// `sendTxnMarkersCallback`: the prepare record is written (or not).
    /// On success the producer is answered and the markers go out; the
    /// transaction completes once they are all written.
    pub(crate) fn send_txn_markers(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        ctx: EndTxnCtx,
        is_epoch_fence: bool,
        error: ErrorCode,
    ) {
        if error != ErrorCode::None {
            if is_epoch_fence {
                if let Ok(Some((epoch, m))) = self.cache.get(id) {
                    if epoch == coordinator_epoch {
                        m.has_failed_epoch_fence = true;
                    }
                }
            }
            return self.reply_end(ctx.reply, error);
        }
        let now = self.cx.now;
        let prepared: Result<(TxnTransitMetadata, BTreeSet<TopicPartition>, i64, i16), ErrorCode> =
            match self.cache.get(id) {
                Err(e) => Err(e),
                Ok(None) => Err(ErrorCode::UnknownServerError),
                Ok(Some((epoch, _))) if epoch != coordinator_epoch => {
                    Err(ErrorCode::NotCoordinator)
                }
                Ok(Some((_, m))) => {
                    if m.producer_id != ctx.producer_id {
                        Err(ErrorCode::InvalidProducerIdMapping)
                    } else if m.producer_epoch != ctx.producer_epoch {
                        Err(ErrorCode::ProducerFenced)
                    } else if m.pending_transition_in_progress() {
                        Err(ErrorCode::ConcurrentTransactions)
                    } else {
                        match (m.state, ctx.commit) {
                            (PrepareCommit, true) | (PrepareAbort, false) => m
                                .prepare_complete(now)
                                .map(|t| {
                                    (
                                        t,
                                        m.topic_partitions.clone(),
                                        m.producer_id,
                                        m.producer_epoch,
                                    )
                                })
                                .map_err(|_| ErrorCode::UnknownServerError),
                            (Dead | PrepareEpochFence, _) => Err(ErrorCode::UnknownServerError),
                            _ => Err(ErrorCode::InvalidTxnState),
                        }
                    }
                }
            };
        match prepared {
            Err(e) => self.reply_end(ctx.reply, e),
            Ok((transit, partitions, producer_id, producer_epoch)) => {
                // Kafka answers as soon as the decision is durable.
                self.reply_end(ctx.reply, ErrorCode::None);
                self.add_txn_markers_to_send(
                    id,
                    coordinator_epoch,
                    ctx.commit,
                    producer_id,
                    producer_epoch,
                    partitions,
                    transit,
                );
            }
        }
    }
}

/// `prepareInitProducerIdTransit`
fn prepare_init_producer_id_transit(
    m: &mut TransactionMetadata,
    timeout_ms: i32,
    expected: Option<(i64, i16)>,
    now: i64,
    ids: &mut dyn ProducerIdGenerator,
) -> Result<TxnTransitMetadata, ErrorCode> {
    // Fence the producer unless the metadata was just created (epoch -1),
    // the producer id is the current one (its epoch is checked when
    // bumping), or it is the previous one with an exhausted epoch: a retry
    // of a rotation whose answer was lost.
    let valid_producer_id = |(pid, epoch): (i64, i16)| {
        m.producer_epoch == NO_PRODUCER_EPOCH
            || pid == m.producer_id
            || (pid == m.last_producer_id && is_epoch_exhausted(epoch))
    };
    if m.pending_transition_in_progress() {
        return Err(ErrorCode::ConcurrentTransactions);
    }
    if !expected.is_none_or(valid_producer_id) {
        return Err(ErrorCode::ProducerFenced);
    }
    let illegal = |_| ErrorCode::UnknownServerError;
    match m.state {
        PrepareAbort | PrepareCommit => Err(ErrorCode::ConcurrentTransactions),
        CompleteAbort | CompleteCommit | Empty => {
            if m.is_producer_epoch_exhausted()
                && expected.is_none_or(|(_, e)| e == m.producer_epoch)
            {
                let new_id = ids.generate_producer_id()?;
                m.prepare_producer_id_rotation(new_id, timeout_ms, now, expected.is_some())
                    .map_err(illegal)
            } else {
                match m.prepare_increment_producer_epoch(timeout_ms, expected.map(|(_, e)| e), now)
                {
                    Ok(Ok(t)) => Ok(t),
                    Ok(Err(_fenced)) => Err(ErrorCode::ProducerFenced),
                    Err(e) => Err(illegal(e)),
                }
            }
        }
        Ongoing => m.prepare_fence_producer_epoch().map_err(illegal),
        Dead | PrepareEpochFence => Err(ErrorCode::UnknownServerError),
    }
}

/// Undo a prepared transition whose record could not even be built.
fn clear_pending(cache: &mut crate::coordinator::Cache, id: &str) {
    if let Ok(Some((_, m))) = cache.get(id) {
        m.pending_state = None;
    }
}

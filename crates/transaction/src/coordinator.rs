//! The coordinator: configuration, outputs, the transactional-id cache per
//! `__transaction_state` partition (Kafka's `TransactionStateManager`
//! cache), request dispatch and the log hand-off (Kafka's
//! `appendTransactionToLog`).

use std::collections::BTreeMap;

use protocol::ErrorCode;

use crate::api::*;
use crate::markers::Markers;
use crate::metadata::{TransactionMetadata, TxnTransitMetadata};
use crate::records::{partition_for, TransactionLogKey, TransactionLogValue};
use crate::state::TransactionState;

/// Broker settings the transaction coordinator reads, with Kafka's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionConfig {
    /// `transactional.id.expiration.ms`
    pub transactional_id_expiration_ms: i64,
    /// `transaction.max.timeout.ms`
    pub transaction_max_timeout_ms: i32,
    /// `transaction.state.log.num.partitions`
    pub transaction_state_log_num_partitions: i32,
    /// `transaction.abort.timed.out.transaction.cleanup.interval.ms`
    pub abort_timed_out_transactions_interval_ms: i64,
    /// `transaction.remove.expired.transaction.cleanup.interval.ms`
    pub remove_expired_transactional_ids_interval_ms: i64,
    /// `offsets.topic.num.partitions`: AddOffsetsToTxn adds the group's
    /// partition of `__consumer_offsets`.
    pub offsets_topic_num_partitions: i32,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        TransactionConfig {
            transactional_id_expiration_ms: 604_800_000,
            transaction_max_timeout_ms: 900_000,
            transaction_state_log_num_partitions: 50,
            abort_timed_out_transactions_interval_ms: 10_000,
            remove_expired_transactional_ids_interval_ms: 3_600_000,
            offsets_topic_num_partitions: 50,
        }
    }
}

/// `transaction.timeout.ms`, the producer's default.
pub const DEFAULT_TRANSACTION_TIMEOUT_MS: i32 = 60_000;
/// `__consumer_offsets`
pub const GROUP_METADATA_TOPIC_NAME: &str = "__consumer_offsets";

/// Where producer ids come from: the broker's `ProducerIdManager`, which
/// owns the id blocks. `Err` when none is at hand (Kafka 3.x answers
/// COORDINATOR_LOAD_IN_PROGRESS while a new block is being fetched; the
/// producer retries).
pub trait ProducerIdGenerator {
    fn generate_producer_id(&mut self) -> Result<i64, ErrorCode>;
}

/// Ids `next`, `next + 1`, ...: for tests and single-broker hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SequentialProducerIds {
    pub next: i64,
}

impl ProducerIdGenerator for SequentialProducerIds {
    fn generate_producer_id(&mut self) -> Result<i64, ErrorCode> {
        let id = self.next;
        self.next += 1;
        Ok(id)
    }
}

/// Id of an [`Append`]; report its outcome with
/// [`TransactionCoordinator::on_append_completed`].
pub type AppendId = u64;
/// Id of a [`Output::SendMarkers`]; report with
/// [`TransactionCoordinator::on_markers_written`].
pub type MarkerId = u64;

/// One record for `__transaction_state`: `TransactionLogKey` bytes and
/// `TransactionLogValue` bytes, or `None` for a tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnLogRecord {
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// Records to append as one batch to `__transaction_state-{partition}`:
/// magic 2, no compression, CREATE_TIME `timestamp`, no producer id, with
/// acks=-1 (Kafka's `EnforcedRequiredAcks`). Report once replicated to the
/// ISR (or the replica manager's error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    pub append_id: AppendId,
    pub partition: i32,
    pub timestamp: i64,
    pub records: Vec<TxnLogRecord>,
}

/// What the coordinator asks of its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Response {
        request_id: RequestId,
        response: Response,
    },
    /// Append to `__transaction_state`; answer with
    /// [`TransactionCoordinator::on_append_completed`].
    Append(Append),
    /// Deliver `marker` to the leader of each of its partitions (group the
    /// partitions by leader, one WriteTxnMarkers per broker; markers of
    /// several transactions may share a request). Report every partition's
    /// result with [`TransactionCoordinator::on_markers_written`]; if a
    /// partition no longer exists, with
    /// [`TransactionCoordinator::on_markers_unroutable`]. Retry sends whose
    /// leader is unknown or unreachable yourself, as Kafka's marker channel
    /// does.
    SendMarkers {
        marker_id: MarkerId,
        transactional_id: String,
        marker: WritableTxnMarker,
    },
    /// A transition became durable (for the trace and the UI). `to` Dead
    /// means the id expired and was removed.
    StateChanged {
        transactional_id: String,
        from: TransactionState,
        to: TransactionState,
        producer_id: i64,
        producer_epoch: i16,
    },
}

/// What to do once a transition's record is durable (the callbacks Kafka
/// hands to `appendTransactionToLog`).
#[derive(Debug, Clone)]
pub(crate) enum Then {
    InitProducerId(RequestId),
    AddPartitions {
        request_id: RequestId,
        topics: Vec<AddPartitionsToTxnTopic>,
    },
    AddOffsets(RequestId),
    /// PrepareCommit/PrepareAbort: on to the markers.
    EndTxn(EndTxnCtx),
    /// CompleteCommit/CompleteAbort after the markers.
    CompleteTxn,
}

/// Who waits for an EndTxn and what it asked.
#[derive(Debug, Clone)]
pub(crate) struct EndTxnCtx {
    pub reply: EndReply,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub commit: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum EndReply {
    /// The producer's EndTxn.
    Client(RequestId),
    /// InitProducerId found an ongoing transaction and aborts it first:
    /// answered CONCURRENT_TRANSACTIONS (the producer retries and gets the
    /// next epoch).
    InitFence(RequestId),
    /// The transaction timed out; nobody waits.
    Timeout,
}

#[derive(Debug, Clone)]
pub(crate) enum PendingAppend {
    Transition {
        transactional_id: String,
        coordinator_epoch: i32,
        transit: TxnTransitMetadata,
        then: Then,
        is_epoch_fence: bool,
    },
    /// Tombstones for expired ids: (id, epoch when it was expired).
    Expiration {
        partition: i32,
        coordinator_epoch: i32,
        expired: Vec<(String, i16)>,
    },
}

/// The transactional ids of one `__transaction_state` partition
/// (`TxnMetadataCacheEntry`).
#[derive(Debug, Clone, Default)]
pub(crate) struct CacheEntry {
    pub coordinator_epoch: i32,
    pub txns: BTreeMap<String, TransactionMetadata>,
}

/// Owned partitions and those being loaded.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    pub num_partitions: i32,
    pub partitions: BTreeMap<i32, CacheEntry>,
    /// partition -> coordinator epoch being loaded
    pub loading: BTreeMap<i32, i32>,
}

impl Cache {
    /// Kafka's `getTransactionState`: LOAD_IN_PROGRESS while the id's
    /// partition loads, NOT_COORDINATOR unless it is owned, else the
    /// coordinator epoch and the metadata if the id is known.
    pub fn get(
        &mut self,
        transactional_id: &str,
    ) -> Result<Option<(i32, &mut TransactionMetadata)>, ErrorCode> {
        let p = partition_for(transactional_id, self.num_partitions);
        if self.loading.contains_key(&p) {
            return Err(ErrorCode::CoordinatorLoadInProgress);
        }
        match self.partitions.get_mut(&p) {
            None => Err(ErrorCode::NotCoordinator),
            Some(e) => Ok(e
                .txns
                .get_mut(transactional_id)
                .map(|m| (e.coordinator_epoch, m))),
        }
    }
}

/// Everything but the cache, so handlers can hold a `&mut
/// TransactionMetadata` and emit outputs at once.
pub(crate) struct Ctx {
    pub config: TransactionConfig,
    pub now: i64,
    pub out: Vec<Output>,
    pub appends: BTreeMap<AppendId, PendingAppend>,
    next_append_id: AppendId,
    pub markers: Markers,
    pub next_abort_check: i64,
    pub next_expiration_check: i64,
    /// False after shutdown (DescribeTransactions then answers
    /// COORDINATOR_NOT_AVAILABLE).
    pub active: bool,
}

impl Ctx {
    pub fn respond(&mut self, request_id: RequestId, response: Response) {
        self.out.push(Output::Response {
            request_id,
            response,
        });
    }

    /// Emit the append of one transition's record and remember what to do
    /// when it completes.
    pub fn append_transition(
        &mut self,
        transactional_id: &str,
        coordinator_epoch: i32,
        transit: TxnTransitMetadata,
        then: Then,
        is_epoch_fence: bool,
    ) -> Result<(), ErrorCode> {
        let value = match transit.txn_state {
            TransactionState::Dead => None,
            _ => Some(
                TransactionLogValue::from_transit(&transit)
                    .map_err(|_| ErrorCode::UnknownServerError)?
                    .encode(),
            ),
        };
        let partition = partition_for(
            transactional_id,
            self.config.transaction_state_log_num_partitions,
        );
        let records = vec![TxnLogRecord {
            key: TransactionLogKey::new(transactional_id).encode(),
            value,
        }];
        self.push_append(
            partition,
            records,
            PendingAppend::Transition {
                transactional_id: transactional_id.to_string(),
                coordinator_epoch,
                transit,
                then,
                is_epoch_fence,
            },
        );
        Ok(())
    }

    pub fn push_append(
        &mut self,
        partition: i32,
        records: Vec<TxnLogRecord>,
        pending: PendingAppend,
    ) {
        let append_id = self.next_append_id;
        self.next_append_id += 1;
        self.appends.insert(append_id, pending);
        self.out.push(Output::Append(Append {
            append_id,
            partition,
            timestamp: self.now,
            records,
        }));
    }

    pub fn state_changed(&mut self, id: &str, from: TransactionState, m: &TransactionMetadata) {
        self.out.push(Output::StateChanged {
            transactional_id: id.to_string(),
            from,
            to: m.state,
            producer_id: m.producer_id,
            producer_epoch: m.producer_epoch,
        });
    }
}

/// Kafka's transaction coordinator for the `__transaction_state`
/// partitions this broker leads. See the crate docs for how to host it.
pub struct TransactionCoordinator {
    pub(crate) cache: Cache,
    pub(crate) cx: Ctx,
}

impl TransactionCoordinator {
    /// A coordinator owning no partition yet (see
    /// [`TransactionCoordinator::load`]). Its periodic checks start at `now`.
    pub fn new(config: TransactionConfig, now: i64) -> Self {
        assert!(config.transaction_state_log_num_partitions > 0);
        assert!(config.offsets_topic_num_partitions > 0);
        assert!(config.abort_timed_out_transactions_interval_ms > 0);
        assert!(config.remove_expired_transactional_ids_interval_ms > 0);
        TransactionCoordinator {
            cache: Cache {
                num_partitions: config.transaction_state_log_num_partitions,
                partitions: BTreeMap::new(),
                loading: BTreeMap::new(),
            },
            cx: Ctx {
                next_abort_check: now + config.abort_timed_out_transactions_interval_ms,
                next_expiration_check: now + config.remove_expired_transactional_ids_interval_ms,
                config,
                now,
                out: Vec::new(),
                appends: BTreeMap::new(),
                next_append_id: 0,
                markers: Markers::default(),
                active: true,
            },
        }
    }

    pub fn config(&self) -> &TransactionConfig {
        &self.cx.config
    }

    /// The `__transaction_state` partition of a transactional id.
    pub fn partition_for(&self, transactional_id: &str) -> i32 {
        partition_for(
            transactional_id,
            self.cx.config.transaction_state_log_num_partitions,
        )
    }

    pub(crate) fn begin(&mut self, now: i64) {
        // Time never goes backwards for a state machine.
        self.cx.now = self.cx.now.max(now);
    }

    pub(crate) fn finish(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.cx.out)
    }

    /// Handle one request. Its response is among the outputs, or comes out
    /// of the `on_append_completed` of the record it waits for.
    /// `producer_ids` is asked only by InitProducerId, for a new id.
    pub fn handle(
        &mut self,
        now: i64,
        request_id: RequestId,
        request: Request,
        producer_ids: &mut dyn ProducerIdGenerator,
    ) -> Vec<Output> {
        self.begin(now);
        match request {
            Request::InitProducerId(r) => self.handle_init_producer_id(request_id, r, producer_ids),
            Request::AddPartitionsToTxn(r) => self.handle_add_partitions(request_id, r),
            Request::AddOffsetsToTxn(r) => self.handle_add_offsets(request_id, r),
            Request::EndTxn(r) => {
                let ctx = EndTxnCtx {
                    reply: EndReply::Client(request_id),
                    producer_id: r.producer_id,
                    producer_epoch: r.producer_epoch,
                    commit: r.committed,
                };
                self.end_transaction(&r.transactional_id, ctx, true);
            }
            Request::DescribeTransactions(r) => {
                let response = self.describe_transactions(r);
                self.cx.respond(request_id, response);
            }
            Request::ListTransactions(r) => {
                let response = self.list_transactions(r);
                self.cx.respond(request_id, response);
            }
        }
        self.finish()
    }

    /// The append `append_id` finished: `Ok(())` once replicated to the
    /// ISR, or the replica manager's error (NOT_ENOUGH_REPLICAS,
    /// NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, ...). Unknown ids are
    /// ignored.
    pub fn on_append_completed(
        &mut self,
        now: i64,
        append_id: AppendId,
        result: Result<(), ErrorCode>,
    ) -> Vec<Output> {
        self.begin(now);
        match self.cx.appends.remove(&append_id) {
            Some(PendingAppend::Transition {
                transactional_id,
                coordinator_epoch,
                transit,
                then,
                is_epoch_fence,
            }) => {
                let retry_on_error = matches!(then, Then::CompleteTxn);
                let error = self.complete_append(
                    &transactional_id,
                    coordinator_epoch,
                    &transit,
                    result,
                    retry_on_error,
                );
                self.after_append(
                    &transactional_id,
                    coordinator_epoch,
                    transit,
                    then,
                    is_epoch_fence,
                    error,
                );
            }
            Some(PendingAppend::Expiration {
                partition,
                coordinator_epoch,
                expired,
            }) => self.on_tombstones_written(partition, coordinator_epoch, expired, result),
            None => {}
        }
        self.finish()
    }

    /// Appends still waiting for [`TransactionCoordinator::on_append_completed`].
    pub fn pending_appends(&self) -> impl Iterator<Item = AppendId> + '_ {
        self.cx.appends.keys().copied()
    }

    /// The cache update of `appendTransactionToLog`'s callback: on success
    /// apply the transition (if this is still the coordinator at the same
    /// epoch); on failure drop the pending state, unless the caller retries.
    fn complete_append(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        transit: &TxnTransitMetadata,
        result: Result<(), ErrorCode>,
        retry_on_error: bool,
    ) -> ErrorCode {
        let error = match result {
            Ok(()) => ErrorCode::None,
            Err(e) => coordinator_error_for_append(e),
        };
        if error == ErrorCode::None {
            match self.cache.get(id) {
                Err(e) => e,
                Ok(None) => ErrorCode::NotCoordinator,
                Ok(Some((epoch, _))) if epoch != coordinator_epoch => ErrorCode::NotCoordinator,
                Ok(Some((_, m))) => {
                    let from = m.state;
                    match m.complete_transition_to(transit) {
                        Ok(()) => {
                            self.cx.state_changed(id, from, m);
                            ErrorCode::None
                        }
                        Err(_) => {
                            m.pending_state = None;
                            ErrorCode::UnknownServerError
                        }
                    }
                }
            }
        } else {
            if let Ok(Some((epoch, m))) = self.cache.get(id) {
                if epoch == coordinator_epoch
                    && !(retry_on_error && error != ErrorCode::NotCoordinator)
                {
                    m.pending_state = None;
                }
            }
            error
        }
    }

    fn after_append(
        &mut self,
        id: &str,
        coordinator_epoch: i32,
        transit: TxnTransitMetadata,
        then: Then,
        is_epoch_fence: bool,
        error: ErrorCode,
    ) {
        match then {
            Then::InitProducerId(request_id) => {
                let response = if error == ErrorCode::None {
                    InitProducerIdResponse {
                        error_code: ErrorCode::None,
                        producer_id: transit.producer_id,
                        producer_epoch: transit.producer_epoch,
                    }
                } else {
                    InitProducerIdResponse::error(error)
                };
                self.cx
                    .respond(request_id, Response::InitProducerId(response));
            }
            Then::AddPartitions { request_id, topics } => self.cx.respond(
                request_id,
                Response::AddPartitionsToTxn(AddPartitionsToTxnResponse::all(&topics, error)),
            ),
            Then::AddOffsets(request_id) => self.cx.respond(
                request_id,
                Response::AddOffsetsToTxn(AddOffsetsToTxnResponse { error_code: error }),
            ),
            Then::EndTxn(ctx) => {
                self.send_txn_markers(id, coordinator_epoch, ctx, is_epoch_fence, error)
            }
            Then::CompleteTxn => self.on_completion_written(id, coordinator_epoch, transit, error),
        }
    }

    // ------------------------------------------------------------ views

    /// The metadata of a transactional id this coordinator serves.
    pub fn transaction(&self, transactional_id: &str) -> Option<&TransactionMetadata> {
        let p = self.partition_for(transactional_id);
        self.cache.partitions.get(&p)?.txns.get(transactional_id)
    }

    /// Every loaded transactional id, by partition then id.
    pub fn transactions(&self) -> impl Iterator<Item = &TransactionMetadata> {
        self.cache.partitions.values().flat_map(|e| e.txns.values())
    }

    pub fn state(&self, transactional_id: &str) -> Option<TransactionState> {
        self.transaction(transactional_id).map(|m| m.state)
    }

    pub fn owns_partition(&self, partition: i32) -> bool {
        self.cache.partitions.contains_key(&partition)
    }

    pub fn is_loading(&self, partition: i32) -> bool {
        self.cache.loading.contains_key(&partition)
    }

    /// The coordinator epoch a partition is served (or loaded) with.
    pub fn coordinator_epoch(&self, partition: i32) -> Option<i32> {
        self.cache
            .partitions
            .get(&partition)
            .map(|e| e.coordinator_epoch)
            .or_else(|| self.cache.loading.get(&partition).copied())
    }
}

/// `appendTransactionToLog`'s mapping of a log append error to the error
/// the client sees.
pub fn coordinator_error_for_append(error: ErrorCode) -> ErrorCode {
    use ErrorCode::*;
    match error {
        UnknownTopicOrPartition
        | NotEnoughReplicas
        | NotEnoughReplicasAfterAppend
        | RequestTimedOut => CoordinatorNotAvailable,
        NotLeaderOrFollower | KafkaStorageError => NotCoordinator,
        MessageTooLarge | RecordListTooLarge => UnknownServerError,
        other => other,
    }
}

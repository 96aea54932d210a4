//! Kafka's transaction coordinator (`kafka.coordinator.transaction`, Kafka
//! 2.5-3.x, before KIP-890) as a sans-IO state machine: transactional ids,
//! producer epochs and fencing, the transaction state machine, transaction
//! markers and the `__transaction_state` records. No clock, no IO: every
//! call takes `now` (ms) and returns [`Output`]s.
//!
//! # Hosting it in a broker
//!
//! One [`TransactionCoordinator`] per broker, created with
//! [`TransactionCoordinator::new`]`(config, now)`.
//!
//! **Ownership.** When the broker becomes leader of
//! `__transaction_state-{p}` at leader epoch `e` (the *coordinator epoch*):
//! call [`begin_loading`](TransactionCoordinator::begin_loading)`(p, e)`,
//! read the partition up to its high watermark and call
//! [`load`](TransactionCoordinator::load)`(now, p, e, records)`; each
//! [`LoadRecord`] is an offset, key bytes and value bytes (`None` =
//! tombstone). Transactions found mid-commit/abort send their markers again.
//! When it stops leading: [`unload`](TransactionCoordinator::unload)`(now,
//! p, Some(e))`. FindCoordinator(TRANSACTION) for an id answers the leader
//! of [`partition_for`]`(id, transaction.state.log.num.partitions)`.
//!
//! **Requests.** [`handle`](TransactionCoordinator::handle)`(now,
//! request_id, request, &mut producer_ids)` for InitProducerId,
//! AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, DescribeTransactions and
//! ListTransactions (InitProducerId without a transactional id too: a
//! fresh id at epoch 0). Before handing AddPartitionsToTxn over, KafkaApis
//! checks the topics exist (UNKNOWN_TOPIC_OR_PARTITION for those,
//! OPERATION_NOT_ATTEMPTED for the rest): that is the host's part.
//! `producer_ids` is the broker's producer id block manager behind
//! [`ProducerIdGenerator`] (return `Err(COORDINATOR_LOAD_IN_PROGRESS)`
//! while fetching a block). The
//! response is an [`Output::Response`] with the same `request_id`, now or
//! after the append it waits for. PRODUCER_FENCED goes to old clients as
//! INVALID_PRODUCER_EPOCH: [`api::error_for_version`].
//!
//! **Record hand-off.** [`Output::Append`] carries an `append_id`, the
//! `__transaction_state` partition and the records (key/value bytes as
//! Kafka writes them). Append them as one batch with acks=-1 and, once
//! replicated to the ISR (or failed), call
//! [`on_append_completed`](TransactionCoordinator::on_append_completed)`(now,
//! append_id, Ok(()) | Err(error))`. Nothing changes in the coordinator's
//! state before that: a transition is only *pending* meanwhile and other
//! requests for the id get CONCURRENT_TRANSACTIONS.
//!
//! **Marker hand-off.** After PrepareCommit/PrepareAbort is durable the
//! producer is answered and [`Output::SendMarkers`] asks for a COMMIT/ABORT
//! marker ([`WritableTxnMarker`]) on each partition. Group its partitions
//! by current leader into WriteTxnMarkers requests; each leader appends
//! [`WritableTxnMarker::control_marker`]`().to_batch(..)` with the marker's
//! producer id and epoch. Report each partition's error code with
//! [`on_markers_written`](TransactionCoordinator::on_markers_written)`(now,
//! marker_id, &[(tp, error)])` (any subset at a time); retriable errors are
//! re-sent as a new `SendMarkers`. Partitions whose topic no longer exists:
//! [`on_markers_unroutable`](TransactionCoordinator::on_markers_unroutable).
//! Retrying while a leader is unknown or unreachable is the host's job.
//! When every partition is in, CompleteCommit/CompleteAbort is appended.
//!
//! **Timers.** Call [`on_timer`](TransactionCoordinator::on_timer)`(now)`
//! at [`next_deadline`](TransactionCoordinator::next_deadline)`()`: every
//! 10 s it aborts transactions older than their `transaction.timeout.ms`
//! (fencing the producer's epoch), every hour it writes tombstones for ids
//! idle for `transactional.id.expiration.ms`.
//!
//! **Views** for the UI: [`transaction`](TransactionCoordinator::transaction),
//! [`state`](TransactionCoordinator::state), and [`Output::StateChanged`]
//! for every durable transition.
//!
//! # A host loop, in miniature
//!
//! ```
//! use kafkascope_transaction::*;
//! use protocol::ErrorCode;
//!
//! let mut now = 0;
//! let mut ids = SequentialProducerIds { next: 4000 };
//! let mut c = TransactionCoordinator::new(TransactionConfig::default(), now);
//! let p = c.partition_for("my-txn"); // 45 of 50
//! c.load(now, p, 0, []).unwrap(); // an empty __transaction_state-45
//!
//! // Every Append is "replicated" at once; every marker is written.
//! fn drive(c: &mut TransactionCoordinator, now: i64, mut out: Vec<Output>) -> Vec<Response> {
//!     let mut responses = Vec::new();
//!     while let Some(o) = out.pop() {
//!         match o {
//!             Output::Response { response, .. } => responses.push(response),
//!             Output::Append(a) => out.extend(c.on_append_completed(now, a.append_id, Ok(()))),
//!             Output::SendMarkers { marker_id, marker, .. } => {
//!                 let acks: Vec<_> = marker.partitions().map(|tp| (tp, ErrorCode::None)).collect();
//!                 out.extend(c.on_markers_written(now, marker_id, &acks));
//!             }
//!             Output::StateChanged { .. } => {}
//!         }
//!     }
//!     responses
//! }
//!
//! let init = c.handle(now, 1, Request::InitProducerId(InitProducerIdRequest::new("my-txn", 60_000)), &mut ids);
//! let Response::InitProducerId(r) = &drive(&mut c, now, init)[0] else { unreachable!() };
//! assert_eq!((r.producer_id, r.producer_epoch), (4000, 0));
//!
//! let tps = [TopicPartition::new("orders", 0)];
//! let add = Request::AddPartitionsToTxn(AddPartitionsToTxnRequest::new("my-txn", 4000, 0, &tps));
//! let out = c.handle(now, 2, add, &mut ids);
//! assert_eq!(drive(&mut c, now, out)[0].error_code(), ErrorCode::None);
//!
//! now += 10;
//! let end = Request::EndTxn(EndTxnRequest {
//!     transactional_id: "my-txn".into(),
//!     producer_id: 4000,
//!     producer_epoch: 0,
//!     committed: true,
//! });
//! let out = c.handle(now, 3, end, &mut ids);
//! assert_eq!(drive(&mut c, now, out)[0].error_code(), ErrorCode::None);
//! assert_eq!(c.state("my-txn"), Some(TransactionState::CompleteCommit));
//! assert_eq!(c.next_deadline(), 10_000); // the timed-out-transaction check
//! ```
//!
//! # Deviations from Kafka
//!
//! - Partitions in a value are written sorted (Kafka's order is a hash
//!   map's); both read back as the same set.
//! - Where Kafka throws `IllegalStateException` (an impossible transition)
//!   the request gets UNKNOWN_SERVER_ERROR; marker errors Kafka treats as
//!   fatal are retried; a failed Complete write is retried for every error
//!   but NOT_COORDINATOR (Kafka: COORDINATOR_NOT_AVAILABLE only).
//! - Not implemented: KIP-890 (transaction version 2, AddPartitionsToTxn
//!   v4+ batching and verification), ListTransactions' duration filter
//!   (v1), ACLs, wire codecs for these requests, the producer id manager
//!   itself.

pub mod api;
pub mod coordinator;
mod describe;
mod handlers;
pub mod load;
mod markers;
pub mod metadata;
pub mod records;
pub mod state;
mod timers;

pub use api::*;
pub use coordinator::{
    coordinator_error_for_append, Append, AppendId, MarkerId, Output, ProducerIdGenerator,
    SequentialProducerIds, TransactionConfig, TransactionCoordinator, TxnLogRecord,
    DEFAULT_TRANSACTION_TIMEOUT_MS, GROUP_METADATA_TOPIC_NAME,
};
pub use load::{replay, LoadError, LoadRecord};
pub use metadata::{
    TopicPartition, TransactionMetadata, TxnTransitMetadata, NO_PRODUCER_EPOCH, NO_PRODUCER_ID,
};
pub use records::{
    format_record, java_string_hash, partition_for, PartitionsSchema, RecordDecodeError,
    TransactionLogKey, TransactionLogValue, TRANSACTION_STATE_TOPIC_NAME,
};
pub use state::TransactionState;

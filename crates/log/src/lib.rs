//! kafkascope-log: one partition's log, as Kafka's broker keeps it, as a pure
//! crate (no clock, no IO: time comes in as `now` in ms, bytes go through a
//! [`Storage`]). Compiles natively and to wasm32.
//!
//! # API overview
//!
//! - [`Log<S>`] is generic over its [`Storage`] (`Log<Shared<MemoryStorage>>`
//!   for a broker whose partitions share one store; `Box<dyn Storage>` works too).
//! - [`Log::open`]`(storage, "topic-0", config, now)` → `(Log, RecoveryReport)`:
//!   loads the partition directory; after an unclean shutdown validates
//!   every batch past the recovery point and cuts a torn/corrupt tail.
//! - [`Log::append_as_leader`]`(&mut bytes, leader_epoch, now)`: validates
//!   (CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_RECORD, producer
//!   sequence errors), assigns offsets by rewriting the batches in place,
//!   returns [`LogAppendInfo`] (a producer retry returns the original
//!   offsets with `duplicate: true`).
//! - [`Log::append_as_leader_with_origin`] with [`AppendOrigin::Coordinator`]:
//!   a coordinator's writes, transaction markers (control batches) included.
//! - [`Log::append_as_follower`]`(&bytes, now)`: offsets as given (>= LEO).
//! - [`Log::read`]`(offset, max_bytes, max_offset, min_one_message)` →
//!   [`FetchDataInfo`] borrowing the segment's bytes; OFFSET_OUT_OF_RANGE
//!   outside [log start, LEO]. [`Log::fetch_offset_by_timestamp`] is
//!   offsetsForTimes (with [`EARLIEST_TIMESTAMP`], [`LATEST_TIMESTAMP`], [`MAX_TIMESTAMP`]).
//! - Offsets: [`Log::log_start_offset`], [`Log::log_end_offset`] (LEO),
//!   [`Log::high_watermark`] / [`Log::update_high_watermark`],
//!   [`Log::last_stable_offset`], [`Log::recovery_point`].
//! - Truncation: [`Log::truncate_to`], [`Log::truncate_fully_and_start_at`],
//!   [`Log::delete_records`].
//! - Leader epochs: [`Log::maybe_assign_epoch_start_offset`],
//!   [`Log::end_offset_for_epoch`], [`Log::leader_epoch_cache`]
//!   ([`LeaderEpochFileCache`], persisted as `leader-epoch-checkpoint`).
//! - Housekeeping: [`Log::delete_old_segments`] (retention),
//!   [`Log::compact`] (`cleanup.policy=compact`), [`Log::flush`],
//!   [`Log::flush_if_due`], [`Log::roll`], [`Log::close`] (clean shutdown
//!   marker), [`Log::into_storage`] (simulated process death).
//! - UI: [`Log::segments`] → [`LogSegment`] (base offset, size, largest
//!   timestamp, [`LogSegment::batches`], [`OffsetIndex`]/[`TimeIndex`] entries).
//! - Storage: the [`Storage`] trait; [`MemoryStorage`] models page cache vs
//!   disk ([`MemoryStorage::crash`], [`MemoryStorage::power_off`], a quota,
//!   [`MemoryStorage::take_changes`] for an asynchronous backend);
//!   [`Shared`] lets several logs share one store.
//! - [`LogConfig::from_pairs`] takes Kafka's topic- or broker-level names.
//! - Idempotent producers: [`Log::producer_state`] ([`ProducerStateManager`]),
//!   rebuilt by replaying the log on open and truncation.
//!
//! # Behaviour that may surprise (Kafka's, kept on purpose)
//!
//! - Retention never deletes the *active* segment, but when every segment
//!   has expired (and the HW is at the LEO) Kafka first rolls a new empty
//!   active segment and then deletes the old one: so does [`Log::delete_old_segments`].
//!   Nothing at or above the high watermark is ever deleted.
//! - `end_offset_for(epoch)` below the first cached epoch answers
//!   `(epoch, first entry's start offset)`, not UNDEFINED (Kafka's code and
//!   `shouldReturnFirstEpochIfRequestedEpochLessThanFirstEpoch`).
//! - A read may end with a partial batch when `max_bytes` cuts one.
//! - A producer seen for the first time may start at any sequence.
//!
//! # Deviations from Kafka
//!
//! - Segment bytes are held in memory (the browser has no mmap); index files
//!   are not preallocated (Kafka trims them on close, so the bytes match).
//! - The recovery-point, log-start-offset checkpoints and the clean-shutdown
//!   marker live in the partition directory (Kafka: one per log directory).
//! - No `.snapshot` or `.txnindex` files: producer state is rebuilt by
//!   replaying batch headers; aborted transactions are not indexed.
//! - The finished segment is flushed synchronously on roll (Kafka schedules
//!   that flush right away).
//! - The cleaner rewrites each segment in place (no grouping of small
//!   segments) and drops batches left empty (Kafka may keep an empty batch
//!   to preserve a producer's last sequence).
//! - Timestamp bounds (`message.timestamp.*.max.ms`) are not checked, and
//!   batches keep the producer's codec (no `compression.type` recompression).
//! - Compaction runs when [`Log::compact`] is called (no cleaner thread,
//!   `min.cleanable.dirty.ratio` or cleaner checkpoint: every pass cleans the
//!   whole cleanable range) and does not remove aborted transactions.
//! - The high watermark is not persisted here (Kafka's broker keeps it in
//!   `replication-offset-checkpoint`); it starts at the log start offset.

pub mod checkpoint;
pub mod cleaner;
pub mod config;
pub mod epoch;
pub mod error;
pub mod index;
mod log;
pub mod memory;
pub mod producer_state;
pub mod records;
pub mod recovery;
pub mod retention;
pub mod segment;
pub mod storage;
#[cfg(test)]
mod testutil;
pub mod validate;

pub use crate::log::{
    Log, LogAppendInfo, EARLIEST_LOCAL_TIMESTAMP, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP,
    MAX_TIMESTAMP,
};
pub use cleaner::CleanerStats;
pub use config::{CleanupPolicy, ConfigError, LogConfig};
pub use epoch::{EpochEntry, LeaderEpochFileCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET};
pub use error::LogError;
pub use index::{OffsetIndex, TimeIndex};
pub use memory::MemoryStorage;
pub use producer_state::ProducerStateManager;
pub use recovery::RecoveryReport;
pub use segment::{FetchDataInfo, LogOffsetMetadata, LogSegment, TimestampAndOffset};
pub use storage::{DurableChange, Shared, Storage, StorageError};
pub use validate::AppendOrigin;

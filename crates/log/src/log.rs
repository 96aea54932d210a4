//! [`Log`]: one partition's log (Kafka's `UnifiedLog` over `LocalLog`):
//! segments, offsets, leader epochs, producer state, high watermark,
//! truncation and flushing. Opening and recovery live in `recovery.rs`,
//! retention in `retention.rs`, compaction in `cleaner.rs`.

use std::collections::BTreeMap;

use protocol::batch::{
    set_base_offset, set_log_append_time, set_partition_leader_epoch, BatchHeader,
};
use protocol::TimestampType;

use crate::checkpoint::{self, LOG_START_OFFSET_FILE, RECOVERY_POINT_FILE};
use crate::config::LogConfig;
use crate::epoch::{LeaderEpochFileCache, CHECKPOINT_FILE};
use crate::error::LogError;
use crate::producer_state::{ProducerStateEntry, ProducerStateManager};
use crate::segment::{
    batches_from, FetchDataInfo, LogOffsetMetadata, LogSegment, TimestampAndOffset,
};
use crate::storage::Storage;
use crate::validate::{analyze, AppendOrigin};

/// offsetsForTimes' special targets (Kafka's `ListOffsetsRequest`).
pub const LATEST_TIMESTAMP: i64 = -1;
pub const EARLIEST_TIMESTAMP: i64 = -2;
pub const MAX_TIMESTAMP: i64 = -3;
pub const EARLIEST_LOCAL_TIMESTAMP: i64 = -4;

/// What an append did: Kafka's `LogAppendInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogAppendInfo {
    /// First and last offset of the appended records; -1 when nothing was
    /// appended (empty input). For a duplicate, the original batch's offsets.
    pub first_offset: i64,
    pub last_offset: i64,
    pub max_timestamp: i64,
    pub offset_of_max_timestamp: i64,
    /// The broker's time stamped into LogAppendTime batches, else -1.
    pub log_append_time: i64,
    pub log_start_offset: i64,
    pub records_count: i64,
    pub valid_bytes: usize,
    /// A producer retry of an already appended batch: nothing was written.
    pub duplicate: bool,
}

/// One partition's log. All time comes in as `now` (ms); all bytes go
/// through the [`Storage`] it owns.
pub struct Log<S: Storage = Box<dyn Storage>> {
    pub(crate) dir: String,
    pub(crate) config: LogConfig,
    pub(crate) storage: S,
    /// Never empty: the last one is the active segment.
    pub(crate) segments: BTreeMap<i64, LogSegment>,
    pub(crate) log_start_offset: i64,
    pub(crate) high_watermark: i64,
    pub(crate) recovery_point: i64,
    pub(crate) last_flush_time: i64,
    pub(crate) epoch_cache: LeaderEpochFileCache,
    pub(crate) producer_state: ProducerStateManager,
}

impl<S: Storage> std::fmt::Debug for Log<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("dir", &self.dir)
            .field("log_start_offset", &self.log_start_offset)
            .field("log_end_offset", &self.log_end_offset())
            .field("high_watermark", &self.high_watermark)
            .field("recovery_point", &self.recovery_point)
            .field("segments", &self.segments.len())
            .finish()
    }
}

impl<S: Storage> Log<S> {
    // ---- accessors -------------------------------------------------------

    pub fn dir(&self) -> &str {
        &self.dir
    }
    pub fn config(&self) -> &LogConfig {
        &self.config
    }
    /// Applies a dynamic topic config change (takes effect on the next
    /// append, roll or retention pass, as in Kafka).
    pub fn set_config(&mut self, config: LogConfig) {
        self.config = config;
    }
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }
    /// LEO: the offset the next appended record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.active_segment().next_offset()
    }
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }
    /// The offset below which everything is flushed to disk.
    pub fn recovery_point(&self) -> i64 {
        self.recovery_point
    }
    /// Messages appended since the last flush (Kafka's `unflushedMessages`).
    pub fn unflushed_messages(&self) -> i64 {
        self.log_end_offset() - self.recovery_point
    }
    /// Kafka's LSO: the high watermark, held back by the first offset of
    /// any open transaction.
    pub fn last_stable_offset(&self) -> i64 {
        match self.producer_state.first_unstable_offset() {
            Some(o) => o.min(self.high_watermark),
            None => self.high_watermark,
        }
    }
    /// Segments, oldest first.
    pub fn segments(&self) -> impl ExactSizeIterator<Item = &LogSegment> {
        self.segments.values()
    }
    pub fn active_segment(&self) -> &LogSegment {
        // `last_key_value` walks the right edge only; `values().next_back()`
        // builds a double-ended range first (the LEO is read on every fetch).
        self.segments
            .last_key_value()
            .expect("a log always has a segment")
            .1
    }
    /// Bytes of all segments.
    pub fn size_in_bytes(&self) -> u64 {
        self.segments.values().map(|s| s.size() as u64).sum()
    }
    pub fn leader_epoch_cache(&self) -> &LeaderEpochFileCache {
        &self.epoch_cache
    }
    pub fn latest_epoch(&self) -> Option<i32> {
        self.epoch_cache.latest_epoch()
    }
    /// OffsetsForLeaderEpoch's answer: (epoch, end offset) for `epoch`,
    /// with the LEO as the end of the latest epoch.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        self.epoch_cache
            .end_offset_for(epoch, self.log_end_offset())
    }
    pub fn producer_state(&self) -> &ProducerStateManager {
        &self.producer_state
    }
    /// Forgets producers idle for `expiration_ms` (Kafka's
    /// `producer.id.expiration.ms`, 86400000), as its periodic check does.
    pub fn remove_expired_producers(&mut self, now: i64, expiration_ms: i64) {
        self.producer_state
            .remove_expired_producers(now, expiration_ms);
    }
    pub fn storage(&self) -> &S {
        &self.storage
    }
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.storage
    }

    // ---- high watermark --------------------------------------------------

    /// Sets the high watermark, clamped to [log start offset, LEO] as Kafka's
    /// `updateHighWatermark`; returns the value set.
    pub fn update_high_watermark(&mut self, hw: i64) -> i64 {
        self.high_watermark = hw.clamp(self.log_start_offset, self.log_end_offset());
        self.high_watermark
    }

    /// Moves the high watermark forward only; `Some(old)` when it moved.
    pub fn maybe_increment_high_watermark(&mut self, hw: i64) -> Option<i64> {
        let old = self.high_watermark;
        let new = hw.min(self.log_end_offset());
        if new > old {
            self.high_watermark = new;
            Some(old)
        } else {
            None
        }
    }

    // ---- leader epochs ---------------------------------------------------

    /// Records that `epoch` starts at `start_offset` (a new leader calls it
    /// with its LEO); the checkpoint is rewritten and fsynced on a change.
    pub fn maybe_assign_epoch_start_offset(
        &mut self,
        epoch: i32,
        start_offset: i64,
    ) -> Result<(), LogError> {
        if self.epoch_cache.assign(epoch, start_offset) {
            self.write_epoch_checkpoint()?;
        }
        Ok(())
    }

    pub(crate) fn write_epoch_checkpoint(&mut self) -> Result<(), LogError> {
        let text = self.epoch_cache.to_checkpoint();
        self.storage
            .write_file(&self.dir, CHECKPOINT_FILE, text.as_bytes())?;
        self.storage.sync(&self.dir, CHECKPOINT_FILE)?;
        Ok(())
    }

    // ---- append ----------------------------------------------------------

    /// Appends a producer's batches as the leader in `leader_epoch`: validates
    /// them (CRC, structure, sizes, producer sequence), then rewrites each
    /// batch's base offset and partition leader epoch *in place* (and, for
    /// `message.timestamp.type=LogAppendTime`, its timestamp and CRC) before
    /// writing. A retry of an already appended batch appends nothing and
    /// returns the original offsets (`duplicate`).
    pub fn append_as_leader(
        &mut self,
        records: &mut [u8],
        leader_epoch: i32,
        now: i64,
    ) -> Result<LogAppendInfo, LogError> {
        self.append_as_leader_with_origin(records, leader_epoch, AppendOrigin::Client, now)
    }

    /// [`Self::append_as_leader`] for a given origin: a coordinator on this
    /// broker (`AppendOrigin::Coordinator`) may write control records
    /// (transaction markers) and is only fenced by producer epoch.
    pub fn append_as_leader_with_origin(
        &mut self,
        records: &mut [u8],
        leader_epoch: i32,
        origin: AppendOrigin,
        now: i64,
    ) -> Result<LogAppendInfo, LogError> {
        if origin == AppendOrigin::Replication {
            return Err(LogError::InvalidRecord(
                "replicated records are appended with append_as_follower".into(),
            ));
        }
        let a = analyze(records, origin, &self.config)?;
        let records = &mut records[..a.valid_bytes];
        if records.is_empty() {
            return Ok(self.empty_append_info());
        }
        self.check_list_size(records.len())?;
        let leo = self.log_end_offset();
        // Producer state: duplicates and sequence checks, before anything is
        // written. Only batches with a producer id pay for this.
        let mut staged: Vec<ProducerStateEntry> = Vec::new();
        let mut offset = leo;
        for (_, h) in batches_from(records, 0) {
            if h.producer_id >= 0 {
                let prev = staged.iter().rposition(|e| e.producer_id == h.producer_id);
                let st = prev.map(|i| &staged[i]);
                if let Some(dup) = self.producer_state.check(&h, st, offset, origin)? {
                    return Ok(LogAppendInfo {
                        first_offset: dup.first_offset(),
                        last_offset: dup.last_offset,
                        max_timestamp: dup.timestamp,
                        offset_of_max_timestamp: dup.last_offset,
                        log_append_time: -1,
                        log_start_offset: self.log_start_offset,
                        records_count: 0,
                        valid_bytes: 0,
                        duplicate: true,
                    });
                }
                let mut placed = h;
                placed.base_offset = offset;
                let next = self.producer_state.staged_after(st, &placed);
                match prev {
                    Some(i) => staged[i] = next,
                    None => staged.push(next),
                }
            }
            offset = offset + h.last_offset_delta as i64 + 1;
        }
        // Assign offsets in place.
        let log_append = self.config.message_timestamp_type == TimestampType::LogAppendTime;
        let mut pos = 0;
        let mut offset = leo;
        let mut max_timestamp = -1i64;
        let mut offset_of_max = -1i64;
        while pos < records.len() {
            let h = BatchHeader::parse(&records[pos..]).expect("validated");
            let size = h.size_in_bytes();
            let batch = &mut records[pos..pos + size];
            set_base_offset(batch, offset);
            set_partition_leader_epoch(batch, leader_epoch);
            let ts = if log_append {
                set_log_append_time(batch, now);
                now
            } else {
                h.max_timestamp
            };
            let last = offset + h.last_offset_delta as i64;
            if ts > max_timestamp {
                max_timestamp = ts;
                offset_of_max = last;
            }
            offset = last + 1;
            pos += size;
        }
        let last_offset = offset - 1;
        self.maybe_roll(records.len(), max_timestamp, leo, last_offset, now)?;
        self.append_to_active(records, last_offset, max_timestamp, now)?;
        if leader_epoch >= 0
            && self
                .epoch_cache
                .latest_epoch()
                .is_none_or(|e| leader_epoch > e)
        {
            self.maybe_assign_epoch_start_offset(leader_epoch, leo)?;
        }
        for (_, h) in batches_from(records, 0) {
            if h.producer_id >= 0 {
                self.producer_state.update(&h);
            }
        }
        self.maybe_flush_after_append(now)?;
        Ok(LogAppendInfo {
            first_offset: leo,
            last_offset,
            max_timestamp,
            offset_of_max_timestamp: offset_of_max,
            log_append_time: if log_append { now } else { -1 },
            log_start_offset: self.log_start_offset,
            records_count: a.records_count,
            valid_bytes: a.valid_bytes,
            duplicate: false,
        })
    }

    /// Appends batches replicated from the leader, keeping their offsets and
    /// leader epochs. The first batch must start at or after the LEO
    /// (gaps are allowed: the leader's log may be compacted).
    pub fn append_as_follower(
        &mut self,
        records: &[u8],
        now: i64,
    ) -> Result<LogAppendInfo, LogError> {
        let a = analyze(records, AppendOrigin::Replication, &self.config)?;
        let records = &records[..a.valid_bytes];
        if records.is_empty() {
            return Ok(self.empty_append_info());
        }
        self.check_list_size(records.len())?;
        let leo = self.log_end_offset();
        if a.first_offset < leo {
            return Err(LogError::UnexpectedAppendOffset {
                first_offset: a.first_offset,
                log_end_offset: leo,
            });
        }
        self.maybe_roll(
            records.len(),
            a.max_timestamp,
            a.first_offset,
            a.last_offset,
            now,
        )?;
        self.append_to_active(records, a.last_offset, a.max_timestamp, now)?;
        let mut offset_of_max = -1;
        let mut max_ts = -1;
        for (_, h) in batches_from(records, 0) {
            let epoch = h.partition_leader_epoch;
            if epoch >= 0 && self.epoch_cache.latest_epoch().is_none_or(|e| epoch > e) {
                self.maybe_assign_epoch_start_offset(epoch, h.base_offset)?;
            }
            if h.max_timestamp > max_ts {
                max_ts = h.max_timestamp;
                offset_of_max = h.last_offset();
            }
            self.producer_state.update(&h);
        }
        self.maybe_flush_after_append(now)?;
        Ok(LogAppendInfo {
            first_offset: a.first_offset,
            last_offset: a.last_offset,
            max_timestamp: a.max_timestamp,
            offset_of_max_timestamp: offset_of_max,
            log_append_time: -1,
            log_start_offset: self.log_start_offset,
            records_count: a.records_count,
            valid_bytes: a.valid_bytes,
            duplicate: false,
        })
    }

    fn empty_append_info(&self) -> LogAppendInfo {
        LogAppendInfo {
            first_offset: -1,
            last_offset: -1,
            max_timestamp: -1,
            offset_of_max_timestamp: -1,
            log_append_time: -1,
            log_start_offset: self.log_start_offset,
            records_count: 0,
            valid_bytes: 0,
            duplicate: false,
        }
    }

    fn check_list_size(&self, size: usize) -> Result<(), LogError> {
        if size > self.config.segment_bytes as usize {
            return Err(LogError::RecordListTooLarge {
                size,
                max: self.config.segment_bytes,
            });
        }
        Ok(())
    }

    fn append_to_active(
        &mut self,
        records: &[u8],
        last_offset: i64,
        max_timestamp: i64,
        now: i64,
    ) -> Result<(), LogError> {
        let dir = &self.dir;
        let seg = self
            .segments
            .values_mut()
            .next_back()
            .expect("active segment");
        seg.append(
            &mut self.storage,
            dir,
            records,
            last_offset,
            max_timestamp,
            now,
        )
    }

    fn maybe_roll(
        &mut self,
        size: usize,
        max_timestamp: i64,
        first_offset: i64,
        last_offset: i64,
        now: i64,
    ) -> Result<(), LogError> {
        if self
            .active_segment()
            .should_roll(&self.config, size, max_timestamp, last_offset, now)
        {
            self.roll(first_offset, now)?;
        }
        Ok(())
    }

    /// Starts a new active segment at max(`expected_next_offset`, LEO).
    /// The finished segment gets its final time index entry and is flushed
    /// (Kafka schedules that flush right after the roll).
    pub fn roll(&mut self, expected_next_offset: i64, now: i64) -> Result<(), LogError> {
        let new_offset = expected_next_offset.max(self.log_end_offset());
        let dir = self.dir.clone();
        let st = &mut self.storage;
        if let Some(existing) = self.segments.get(&new_offset) {
            if existing.size() == 0 {
                // An empty active segment at that offset: replace it.
                existing.delete(st, &dir)?;
                self.segments.remove(&new_offset);
            } else {
                return Err(LogError::CorruptFile {
                    path: crate::storage::path(&dir, existing.log_file_name()),
                    position: 0,
                    reason: format!(
                        "trying to roll a new segment at {new_offset} while it already exists"
                    ),
                });
            }
        }
        if let Some(active) = self.segments.values_mut().next_back() {
            active.on_become_inactive(st, &dir)?;
        }
        let seg = LogSegment::create(st, &dir, new_offset, &self.config, now)?;
        self.segments.insert(new_offset, seg);
        self.flush_up_to(new_offset, now)
    }

    fn maybe_flush_after_append(&mut self, now: i64) -> Result<(), LogError> {
        if self.unflushed_messages() >= self.config.flush_messages {
            self.flush(now)?;
        }
        Ok(())
    }

    // ---- read ------------------------------------------------------------

    /// Where `offset` is: its segment and the position of the batch holding
    /// it (the end of the log for the LEO).
    pub fn offset_metadata(&self, offset: i64) -> Result<LogOffsetMetadata, LogError> {
        let leo = self.log_end_offset();
        if offset < self.log_start_offset || offset > leo {
            return Err(self.out_of_range(offset));
        }
        if offset == leo {
            let a = self.active_segment();
            return Ok(LogOffsetMetadata {
                message_offset: leo,
                segment_base_offset: a.base_offset(),
                relative_position_in_segment: a.size(),
            });
        }
        let floor = self
            .segments
            .range(..=offset)
            .next_back()
            .map_or(i64::MIN, |(&b, _)| b);
        for seg in self.segments.range(floor..).map(|(_, s)| s) {
            // In a gap left by compaction this finds the next batch.
            if let Some((pos, _)) = seg.translate_offset(offset) {
                return Ok(LogOffsetMetadata {
                    message_offset: offset,
                    segment_base_offset: seg.base_offset(),
                    relative_position_in_segment: pos,
                });
            }
        }
        // Everything from `offset` to the LEO was compacted away.
        let a = self.active_segment();
        Ok(LogOffsetMetadata {
            message_offset: offset,
            segment_base_offset: a.base_offset(),
            relative_position_in_segment: a.size(),
        })
    }

    fn out_of_range(&self, offset: i64) -> LogError {
        LogError::OffsetOutOfRange {
            offset,
            log_start_offset: self.log_start_offset,
            log_end_offset: self.log_end_offset(),
        }
    }

    /// Reads from `start_offset` (Kafka's `LocalLog.read`): at most
    /// `max_bytes` from one segment (at least one whole batch with
    /// `min_one_message`), stopping before `max_offset` (exclusive; the HW or
    /// LSO for consumers). OFFSET_OUT_OF_RANGE outside [log start, LEO].
    pub fn read(
        &self,
        start_offset: i64,
        max_bytes: usize,
        max_offset: Option<i64>,
        min_one_message: bool,
    ) -> Result<FetchDataInfo<'_>, LogError> {
        let leo = self.log_end_offset();
        if start_offset < self.log_start_offset || start_offset > leo {
            return Err(self.out_of_range(start_offset));
        }
        let end = self.offset_metadata(leo)?;
        let empty_at = |m: LogOffsetMetadata| FetchDataInfo {
            fetch_offset_metadata: m,
            records: &[],
            first_entry_incomplete: false,
        };
        if start_offset == leo {
            return Ok(empty_at(end));
        }
        let max_meta = match max_offset {
            Some(m) if m < leo => Some(self.offset_metadata(m.max(self.log_start_offset))?),
            _ => None,
        };
        let first = self
            .segments
            .range(..=start_offset)
            .next_back()
            .map(|(&b, _)| b)
            .unwrap_or_else(|| *self.segments.keys().next().expect("segment"));
        for seg in self.segments.range(first..).map(|(_, s)| s) {
            let max_position = match max_meta {
                Some(m) if m.segment_base_offset < seg.base_offset() => {
                    return Ok(empty_at(LogOffsetMetadata {
                        message_offset: start_offset,
                        segment_base_offset: seg.base_offset(),
                        relative_position_in_segment: 0,
                    }))
                }
                Some(m) if m.segment_base_offset == seg.base_offset() => {
                    m.relative_position_in_segment
                }
                _ => seg.size(),
            };
            if let Some(info) = seg.read(start_offset, max_bytes, max_position, min_one_message) {
                return Ok(info);
            }
        }
        // Everything at or after `start_offset` was compacted away.
        Ok(empty_at(end))
    }

    /// offsetsForTimes (Kafka's `fetchOffsetByTimestamp`): the first offset
    /// whose timestamp is >= `timestamp`, or [`EARLIEST_TIMESTAMP`],
    /// [`LATEST_TIMESTAMP`], [`MAX_TIMESTAMP`]. `None` when no record
    /// qualifies.
    pub fn fetch_offset_by_timestamp(&self, timestamp: i64) -> Option<TimestampAndOffset> {
        let epoch_of = |o: i64| self.epoch_cache.epoch_for_offset(o).unwrap_or(-1);
        match timestamp {
            EARLIEST_TIMESTAMP | EARLIEST_LOCAL_TIMESTAMP => Some(TimestampAndOffset {
                timestamp: -1,
                offset: self.log_start_offset,
                leader_epoch: epoch_of(self.log_start_offset),
            }),
            LATEST_TIMESTAMP => Some(TimestampAndOffset {
                timestamp: -1,
                offset: self.log_end_offset(),
                leader_epoch: self.latest_epoch().unwrap_or(-1),
            }),
            MAX_TIMESTAMP => {
                let seg = self
                    .segments
                    .values()
                    .filter(|s| s.max_timestamp_so_far() >= 0)
                    .max_by_key(|s| (s.max_timestamp_so_far(), -s.base_offset()))?;
                seg.find_offset_by_timestamp(seg.max_timestamp_so_far(), self.log_start_offset)
            }
            t => self
                .segments
                .values()
                .find(|s| s.largest_timestamp() >= t)?
                .find_offset_by_timestamp(t, self.log_start_offset),
        }
    }

    // ---- truncation ------------------------------------------------------

    /// Removes everything at or after `target` (a follower diverged; Kafka's
    /// `truncateTo`). A batch straddling `target` goes whole. Returns
    /// whether anything was removed.
    pub fn truncate_to(&mut self, target: i64, now: i64) -> Result<bool, LogError> {
        if target < 0 {
            return Err(LogError::InvalidRecord(format!(
                "cannot truncate to negative offset {target}"
            )));
        }
        if target >= self.log_end_offset() {
            return Ok(false);
        }
        let first_base = *self.segments.keys().next().expect("segment");
        if target <= first_base {
            self.truncate_fully_and_start_at(target, now)?;
            return Ok(true);
        }
        let dir = self.dir.clone();
        let above: Vec<i64> = self.segments.range(target + 1..).map(|(&b, _)| b).collect();
        for b in above {
            let seg = self.segments.remove(&b).expect("segment");
            seg.delete(&mut self.storage, &dir)?;
        }
        let active = self.segments.values_mut().next_back().expect("segment");
        active.truncate_to(&mut self.storage, &dir, target, now)?;
        let leo = self.log_end_offset();
        if self.epoch_cache.truncate_from_end(leo) {
            self.write_epoch_checkpoint()?;
        }
        self.log_start_offset = self.log_start_offset.min(leo);
        self.recovery_point = self.recovery_point.min(leo);
        self.high_watermark = self.high_watermark.min(leo);
        self.rebuild_producer_state();
        Ok(true)
    }

    /// Deletes every segment and starts empty at `new_offset` (a follower
    /// far behind the leader's log start; Kafka's `truncateFullyAndStartAt`).
    pub fn truncate_fully_and_start_at(
        &mut self,
        new_offset: i64,
        now: i64,
    ) -> Result<(), LogError> {
        let dir = self.dir.clone();
        for seg in std::mem::take(&mut self.segments).into_values() {
            seg.delete(&mut self.storage, &dir)?;
        }
        let seg = LogSegment::create(&mut self.storage, &dir, new_offset, &self.config, now)?;
        self.segments.insert(new_offset, seg);
        if self.epoch_cache.clear() {
            self.write_epoch_checkpoint()?;
        }
        self.producer_state.clear();
        self.log_start_offset = new_offset;
        self.recovery_point = new_offset;
        self.high_watermark = new_offset;
        self.write_offset_checkpoints()?;
        Ok(())
    }

    /// DeleteRecords: moves the log start offset up to `new_start` (at most
    /// the high watermark); segments wholly below it go on the next
    /// retention pass, as in Kafka. Returns the log start offset.
    pub fn delete_records(&mut self, new_start: i64) -> Result<i64, LogError> {
        self.maybe_increment_log_start_offset(new_start)?;
        Ok(self.log_start_offset)
    }

    /// Kafka's `maybeIncrementLogStartOffset` (DeleteRecords on the leader,
    /// the leader's log start seen by a follower): OFFSET_OUT_OF_RANGE above
    /// the high watermark; returns whether it moved.
    pub fn maybe_increment_log_start_offset(&mut self, new_start: i64) -> Result<bool, LogError> {
        if new_start > self.high_watermark {
            return Err(LogError::OffsetOutOfRange {
                offset: new_start,
                log_start_offset: self.log_start_offset,
                log_end_offset: self.log_end_offset(),
            });
        }
        if new_start <= self.log_start_offset {
            return Ok(false);
        }
        self.advance_log_start_offset(new_start)?;
        Ok(true)
    }

    /// Moves the log start offset up (callers checked it is allowed).
    pub(crate) fn advance_log_start_offset(&mut self, new_start: i64) -> Result<(), LogError> {
        if new_start <= self.log_start_offset {
            return Ok(());
        }
        self.log_start_offset = new_start;
        self.high_watermark = self.high_watermark.max(new_start);
        self.recovery_point = self.recovery_point.max(new_start);
        if self.epoch_cache.truncate_from_start(new_start) {
            self.write_epoch_checkpoint()?;
        }
        self.producer_state
            .on_log_start_offset_incremented(new_start);
        let text = checkpoint::encode(&self.dir, new_start);
        self.storage
            .write_file(&self.dir, LOG_START_OFFSET_FILE, text.as_bytes())?;
        Ok(())
    }

    /// Replays every batch into a fresh producer state (Kafka loads a
    /// snapshot and replays from it; there are no snapshots here).
    pub(crate) fn rebuild_producer_state(&mut self) {
        let mut p = ProducerStateManager::new();
        for seg in self.segments.values() {
            for (_, h) in seg.batches() {
                if h.producer_id >= 0 {
                    p.update(&h);
                }
            }
        }
        p.on_log_start_offset_incremented(self.log_start_offset);
        self.producer_state = p;
    }

    // ---- flush -----------------------------------------------------------

    /// fsyncs everything up to the LEO and moves the recovery point there.
    pub fn flush(&mut self, now: i64) -> Result<(), LogError> {
        let leo = self.log_end_offset();
        self.flush_up_to(leo + 1, now)?;
        self.recovery_point = leo;
        self.write_offset_checkpoints()
    }

    /// Flushes when `flush.ms` has passed since the last flush (Kafka's log
    /// flusher); returns whether it flushed.
    pub fn flush_if_due(&mut self, now: i64) -> Result<bool, LogError> {
        if self.unflushed_messages() > 0
            && now.saturating_sub(self.last_flush_time) >= self.config.flush_ms
        {
            self.flush(now)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// fsyncs the segments holding offsets in [recovery point, `offset`) and
    /// moves the recovery point to `offset` (when below the LEO).
    fn flush_up_to(&mut self, offset: i64, now: i64) -> Result<(), LogError> {
        if offset <= self.recovery_point {
            return Ok(());
        }
        let from = self
            .segments
            .range(..=self.recovery_point)
            .next_back()
            .map_or(i64::MIN, |(&b, _)| b);
        let dir = &self.dir;
        for seg in self.segments.range(from..offset).map(|(_, s)| s) {
            seg.flush(&mut self.storage, dir)?;
        }
        self.recovery_point = offset.min(self.log_end_offset());
        self.last_flush_time = now;
        Ok(())
    }

    pub(crate) fn write_offset_checkpoints(&mut self) -> Result<(), LogError> {
        let rp = checkpoint::encode(&self.dir, self.recovery_point);
        self.storage
            .write_file(&self.dir, RECOVERY_POINT_FILE, rp.as_bytes())?;
        self.storage.sync(&self.dir, RECOVERY_POINT_FILE)?;
        let ls = checkpoint::encode(&self.dir, self.log_start_offset);
        self.storage
            .write_file(&self.dir, LOG_START_OFFSET_FILE, ls.as_bytes())?;
        self.storage.sync(&self.dir, LOG_START_OFFSET_FILE)?;
        Ok(())
    }

    /// Clean shutdown: flush, write the clean shutdown marker, hand the
    /// storage back. The next open skips recovery.
    pub fn close(mut self, now: i64) -> Result<S, LogError> {
        self.flush(now)?;
        let dir = self.dir.clone();
        self.storage
            .write_file(&dir, checkpoint::CLEAN_SHUTDOWN_FILE, &[])?;
        self.storage.sync(&dir, checkpoint::CLEAN_SHUTDOWN_FILE)?;
        Ok(self.storage)
    }

    /// The process dies here: no flush, no marker (simulations then crash or
    /// power off the storage and reopen).
    pub fn into_storage(self) -> S {
        self.storage
    }

    /// Deletes the partition's files (the topic was deleted).
    pub fn delete(mut self) -> Result<S, LogError> {
        let names = self.storage.list(&self.dir)?;
        for n in names {
            self.storage.delete(&self.dir, &n)?;
        }
        Ok(self.storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use crate::{MemoryStorage, Shared};
    use protocol::batch::{RecordBatch, HEADER_SIZE};

    #[test]
    fn leader_append_assigns_offsets_in_place_and_stamps_the_epoch() {
        let (mut log, _) = new_log(LogConfig::default());
        let mut b = batch(3, 10, 1000);
        let info = log.append_as_leader(&mut b, 5, 2000).unwrap();
        assert_eq!(
            (info.first_offset, info.last_offset, info.records_count),
            (0, 2, 3)
        );
        assert_eq!(info.max_timestamp, 1002);
        let mut b2 = batch(2, 10, 3000);
        let info = log.append_as_leader(&mut b2, 5, 2000).unwrap();
        assert_eq!((info.first_offset, info.last_offset), (3, 4));
        let h = BatchHeader::parse_checked(&b2).unwrap();
        assert_eq!((h.base_offset, h.partition_leader_epoch), (3, 5));
        assert_eq!(log.log_end_offset(), 5);
        assert_eq!(log.latest_epoch(), Some(5));
        assert_eq!(log.end_offset_for_epoch(5), (5, 5));
        let r = log.read(3, 1 << 20, None, false).unwrap();
        assert_eq!(r.records, &b2[..]);
        let (decoded, _) = RecordBatch::decode(r.records).unwrap();
        assert_eq!(decoded.base_offset, 3);
    }

    #[test]
    fn read_bounds_follow_kafka() {
        let (mut log, _) = new_log(LogConfig::default());
        let mut sizes = vec![];
        for i in 0..4 {
            let mut b = batch(2, 50, i * 10);
            sizes.push(b.len());
            log.append_as_leader(&mut b, 0, 0).unwrap();
        }
        log.update_high_watermark(4);
        let e = log.read(9, 100, None, false).unwrap_err();
        assert_eq!(e.name(), "OFFSET_OUT_OF_RANGE");
        assert!(log.read(-1, 100, None, false).is_err());
        let at_end = log.read(8, 100, None, false).unwrap();
        assert!(at_end.records.is_empty());
        assert_eq!(at_end.fetch_offset_metadata.message_offset, 8);
        // Reading from the middle of a batch returns the whole batch.
        let r = log.read(1, 1 << 20, None, false).unwrap();
        assert_eq!(r.fetch_offset_metadata.relative_position_in_segment, 0);
        assert_eq!(r.records.len(), log.size_in_bytes() as usize);
        // The HW bound excludes the batch holding it.
        let r = log.read(0, 1 << 20, Some(4), false).unwrap();
        assert_eq!(r.records.len(), sizes[0] + sizes[1]);
        let r = log.read(4, 1 << 20, Some(4), false).unwrap();
        assert!(r.records.is_empty());
        // max_bytes cuts (a partial batch, as Kafka), min_one_message widens.
        let r = log.read(0, 10, None, false).unwrap();
        assert_eq!(r.records.len(), 10);
        assert!(!r.first_entry_incomplete || r.records.len() < sizes[0]);
        let r = log.read(0, 10, None, true).unwrap();
        assert_eq!(r.records.len(), sizes[0]);
        let r = log.read(0, 0, None, false).unwrap();
        assert!(r.records.is_empty());
    }

    #[test]
    fn segments_roll_on_size_and_index_every_interval() {
        let (mut log, st) = new_log(config(&[
            ("segment.bytes", "2000"),
            ("index.interval.bytes", "300"),
        ]));
        for i in 0..40 {
            let mut b = batch(1, 100, i);
            log.append_as_leader(&mut b, 0, 0).unwrap();
        }
        assert!(log.segments().len() > 2);
        for s in log.segments() {
            assert!(s.size() <= 2000);
            let entries: Vec<_> = s.offset_index().entries().collect();
            assert!(!entries.is_empty());
            assert!(entries
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
            let path = format!("{DIR}/{}", s.log_file_name());
            assert_eq!(st.borrow().cached(&path).unwrap(), s.bytes());
        }
        // Inactive segments were flushed when they rolled.
        let active = log.active_segment().base_offset();
        assert_eq!(log.recovery_point(), active);
        for o in 0..40 {
            let r = log.read(o, 1, None, true).unwrap();
            let h = BatchHeader::parse(r.records).unwrap();
            assert_eq!(h.base_offset, o);
        }
        let names = st.borrow().paths();
        assert!(
            names.contains(&format!("{DIR}/00000000000000000000.index")),
            "{names:?}"
        );
    }

    #[test]
    fn segment_ms_rolls_by_the_first_batch_timestamp() {
        let (mut log, _) = new_log(config(&[("segment.ms", "1000")]));
        log.append_as_leader(&mut batch(1, 10, 5000), 0, 0).unwrap();
        log.append_as_leader(&mut batch(1, 10, 6000), 0, 0).unwrap();
        assert_eq!(log.segments().len(), 1);
        log.append_as_leader(&mut batch(1, 10, 6001), 0, 0).unwrap();
        assert_eq!(log.segments().len(), 2);
        assert_eq!(log.active_segment().base_offset(), 2);
    }

    #[test]
    fn truncate_then_reappend() {
        let (mut log, _) = new_log(config(&[("segment.bytes", "500")]));
        for e in 0..3 {
            for _ in 0..4 {
                log.append_as_leader(&mut batch(2, 30, 0), e, 0).unwrap();
            }
        }
        assert_eq!(log.log_end_offset(), 24);
        assert_eq!(log.end_offset_for_epoch(0), (0, 8));
        log.update_high_watermark(24);
        assert!(log.truncate_to(10, 0).unwrap());
        assert_eq!(log.log_end_offset(), 10);
        assert_eq!(log.high_watermark(), 10);
        assert_eq!(log.latest_epoch(), Some(1));
        assert_eq!(all_batches(&log).last(), Some(&(8, 9)));
        // Mid-batch: the straddling batch goes whole.
        assert!(log.truncate_to(7, 0).unwrap());
        assert_eq!(log.log_end_offset(), 6);
        assert!(!log.truncate_to(6, 0).unwrap());
        let info = log.append_as_leader(&mut batch(2, 30, 0), 7, 0).unwrap();
        assert_eq!(info.first_offset, 6);
        assert_eq!(log.end_offset_for_epoch(0), (0, 6));
        assert_eq!(log.end_offset_for_epoch(7), (7, 8));
        // Truncating below the first segment starts over there.
        log.truncate_to(0, 0).unwrap();
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (0, 0));
        assert_eq!(log.segments().len(), 1);
    }

    #[test]
    fn follower_keeps_offsets_and_epochs() {
        let (mut leader, _) = new_log(LogConfig::default());
        leader.append_as_leader(&mut batch(3, 10, 0), 1, 0).unwrap();
        leader.append_as_leader(&mut batch(3, 10, 0), 2, 0).unwrap();
        let (mut follower, _) = new_log(LogConfig::default());
        let fetched = leader
            .read(0, 1 << 20, None, false)
            .unwrap()
            .records
            .to_vec();
        let info = follower.append_as_follower(&fetched, 0).unwrap();
        assert_eq!((info.first_offset, info.last_offset), (0, 5));
        assert_eq!(follower.log_end_offset(), 6);
        assert_eq!(
            follower.leader_epoch_cache().entries(),
            leader.leader_epoch_cache().entries()
        );
        let e = follower.append_as_follower(&fetched, 0).unwrap_err();
        assert!(matches!(
            e,
            LogError::UnexpectedAppendOffset {
                first_offset: 0,
                log_end_offset: 6
            }
        ));
        // A gap (compacted leader) is fine.
        let mut later = batch(1, 10, 0);
        set_base_offset(&mut later, 100);
        follower.append_as_follower(&later, 0).unwrap();
        assert_eq!(follower.log_end_offset(), 101);
        assert_eq!(
            follower.read(50, 1000, None, false).unwrap().records,
            &later[..]
        );
    }

    #[test]
    fn invalid_appends_are_rejected_with_kafkas_errors() {
        let (mut log, _) = new_log(config(&[("max.message.bytes", "500")]));
        let mut b = batch(2, 10, 0);
        let last = b.len() - 1;
        b[last] ^= 1;
        assert_eq!(
            log.append_as_leader(&mut b, 0, 0).unwrap_err().name(),
            "CORRUPT_MESSAGE"
        );
        let mut big = batch(1, 600, 0);
        assert_eq!(log.append_as_leader(&mut big, 0, 0).unwrap_err().code(), 10);
        let mut b = batch(1, 10, 0);
        set_base_offset(&mut b, 7);
        assert_eq!(
            log.append_as_leader(&mut b, 0, 0).unwrap_err().name(),
            "INVALID_RECORD"
        );
        let mut b = batch(1, 10, 0);
        b[protocol::batch::MAGIC_OFFSET] = 1;
        assert_eq!(
            log.append_as_leader(&mut b, 0, 0).unwrap_err().name(),
            "CORRUPT_MESSAGE"
        );
        assert_eq!(log.log_end_offset(), 0);
        // A trailing partial batch is trimmed, not rejected.
        let mut two = batch(1, 10, 0);
        two.extend_from_slice(&batch(1, 10, 0)[..HEADER_SIZE - 3]);
        let info = log.append_as_leader(&mut two, 0, 0).unwrap();
        assert_eq!((info.first_offset, info.last_offset), (0, 0));
        assert_eq!(
            log.append_as_leader(&mut [], 0, 0).unwrap().first_offset,
            -1
        );

        let (mut compacted, _) = new_log(config(&[("cleanup.policy", "compact")]));
        let e = compacted
            .append_as_leader(&mut batch(1, 10, 0), 0, 0)
            .unwrap_err();
        assert!(e.to_string().contains("without key"), "{e}");
        compacted
            .append_as_leader(&mut keyed_batch(2, 10, 0, Some(2)), 0, 0)
            .unwrap();

        let (mut small, _) = new_log(config(&[("segment.bytes", "100")]));
        let e = small
            .append_as_leader(&mut batch(2, 100, 0), 0, 0)
            .unwrap_err();
        assert_eq!(e.name(), "RECORD_LIST_TOO_LARGE");
    }

    #[test]
    fn log_append_time_restamps_the_batch() {
        let (mut log, _) = new_log(config(&[("message.timestamp.type", "LogAppendTime")]));
        let mut b = batch(2, 10, 5);
        let info = log.append_as_leader(&mut b, 0, 777).unwrap();
        assert_eq!((info.log_append_time, info.max_timestamp), (777, 777));
        let h = BatchHeader::parse_checked(&b).unwrap();
        assert_eq!(h.timestamp_type(), TimestampType::LogAppendTime);
        assert_eq!(h.max_timestamp, 777);
        let found = log.fetch_offset_by_timestamp(700).unwrap();
        assert_eq!((found.offset, found.timestamp), (0, 777));
    }

    #[test]
    fn producer_retries_are_deduplicated() {
        let (mut log, _) = new_log(LogConfig::default());
        log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
        let first = log
            .append_as_leader(&mut idempotent_batch(9, 0, 0, 3, 0), 0, 0)
            .unwrap();
        assert_eq!((first.first_offset, first.last_offset), (1, 3));
        let retry = log
            .append_as_leader(&mut idempotent_batch(9, 0, 0, 3, 0), 0, 0)
            .unwrap();
        assert!(retry.duplicate);
        assert_eq!((retry.first_offset, retry.last_offset), (1, 3));
        assert_eq!(log.log_end_offset(), 4);
        let e = log
            .append_as_leader(&mut idempotent_batch(9, 0, 5, 1, 0), 0, 0)
            .unwrap_err();
        assert_eq!(e.code(), 45);
        // Two batches of one producer in one append are checked in order.
        let mut two = idempotent_batch(9, 0, 3, 2, 0);
        two.extend(idempotent_batch(9, 0, 5, 1, 0));
        let info = log.append_as_leader(&mut two, 0, 0).unwrap();
        assert_eq!((info.first_offset, info.last_offset), (4, 6));
        // The state survives truncation by replay.
        log.truncate_to(6, 0).unwrap();
        assert_eq!(log.producer_state().last_entry(9).unwrap().last_seq(), 4);
        let e = log
            .append_as_leader(&mut idempotent_batch(9, 0, 6, 1, 0), 0, 0)
            .unwrap_err();
        assert_eq!(e.name(), "OUT_OF_ORDER_SEQUENCE_NUMBER");
        assert!(log
            .append_as_leader(&mut idempotent_batch(9, 0, 5, 1, 0), 0, 0)
            .is_ok());
    }

    #[test]
    fn flush_messages_moves_the_recovery_point() {
        let (mut log, st) = new_log(config(&[("flush.messages", "3")]));
        log.append_as_leader(&mut batch(2, 10, 0), 0, 0).unwrap();
        assert_eq!(log.recovery_point(), 0);
        log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
        assert_eq!(log.recovery_point(), 3);
        log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
        st.borrow_mut().power_off();
        let (log, _) = open(&st, LogConfig::default(), 0);
        assert_eq!(log.log_end_offset(), 3);
    }

    #[test]
    fn flush_ms_is_checked_by_flush_if_due() {
        let (mut log, _) = new_log(config(&[("flush.ms", "100")]));
        log.append_as_leader(&mut batch(1, 10, 0), 0, 50).unwrap();
        assert!(!log.flush_if_due(50).unwrap());
        assert!(log.flush_if_due(100).unwrap());
        assert_eq!(log.recovery_point(), 1);
        assert!(!log.flush_if_due(500).unwrap());
    }

    #[test]
    fn offsets_for_times() {
        let (mut log, _) = new_log(config(&[("segment.bytes", "400")]));
        for i in 0..10 {
            log.append_as_leader(&mut batch(2, 50, 100 * i), i as i32 / 3, 0)
                .unwrap();
        }
        assert!(log.segments().len() > 2);
        let t = log.fetch_offset_by_timestamp(450).unwrap();
        assert_eq!((t.timestamp, t.offset), (500, 10));
        let t = log.fetch_offset_by_timestamp(501).unwrap();
        assert_eq!((t.timestamp, t.offset, t.leader_epoch), (501, 11, 1));
        assert!(log.fetch_offset_by_timestamp(10_000).is_none());
        assert_eq!(
            log.fetch_offset_by_timestamp(EARLIEST_TIMESTAMP)
                .unwrap()
                .offset,
            0
        );
        let l = log.fetch_offset_by_timestamp(LATEST_TIMESTAMP).unwrap();
        assert_eq!((l.offset, l.leader_epoch), (20, 3));
        let m = log.fetch_offset_by_timestamp(MAX_TIMESTAMP).unwrap();
        assert_eq!((m.timestamp, m.offset), (901, 19));
    }

    #[test]
    fn quota_errors_leave_the_log_unchanged() {
        let st = Shared::new(MemoryStorage::with_quota(600));
        let (mut log, _) = open(&st, LogConfig::default(), 0);
        log.append_as_leader(&mut batch(1, 100, 0), 0, 0).unwrap();
        let e = log
            .append_as_leader(&mut batch(5, 100, 0), 0, 0)
            .unwrap_err();
        assert_eq!(e.name(), "KAFKA_STORAGE_ERROR");
        assert!(e.to_string().contains("quota"), "{e}");
        assert_eq!(log.log_end_offset(), 1);
        assert_eq!(
            log.read(0, 1000, None, false).unwrap().records.len() as u64,
            log.size_in_bytes()
        );
    }

    #[test]
    fn follower_rolls_when_relative_offsets_would_overflow() {
        let (mut log, _) = new_log(LogConfig::default());
        log.append_as_follower(&batch(1, 10, 0), 0).unwrap();
        let far = i32::MAX as i64 + 10;
        let mut b = batch(2, 10, 0);
        set_base_offset(&mut b, far);
        log.append_as_follower(&b, 0).unwrap();
        let bases: Vec<i64> = log.segments().map(|s| s.base_offset()).collect();
        assert_eq!(bases, vec![0, far]);
        assert_eq!(log.log_end_offset(), far + 2);
        // Reads and metadata in the gap land on the next batch.
        assert_eq!(log.offset_metadata(5).unwrap().segment_base_offset, far);
        let r = log.read(5, 1, None, true).unwrap();
        assert_eq!(BatchHeader::parse(r.records).unwrap().base_offset, far);
    }

    #[test]
    fn segment_accessors_describe_the_files() {
        let (mut log, st) = new_log(config(&[
            ("segment.bytes", "600"),
            ("index.interval.bytes", "10"),
        ]));
        for i in 0..6 {
            log.append_as_leader(&mut batch(2, 50, 100 + i), 0, 0)
                .unwrap();
        }
        let first = log.segments().next().unwrap();
        assert_eq!(first.log_file_name(), "00000000000000000000.log");
        assert_eq!(
            first.largest_timestamp(),
            first.batches().map(|(_, h)| h.max_timestamp).max().unwrap()
        );
        // Every entry after the first batch: more than 10 bytes since the last.
        let idx: Vec<(i64, i32)> = first.offset_index().entries().collect();
        let batches: Vec<(usize, BatchHeader)> = first.batches().collect();
        assert_eq!(idx.len(), batches.len() - 1);
        for ((off, pos), (at, h)) in idx.iter().zip(&batches[1..]) {
            assert_eq!((*off, *pos as usize), (h.last_offset(), *at));
        }
        // The rolled segment's time index ends with its max timestamp.
        assert_eq!(
            first.time_index().last_entry().0,
            first.max_timestamp_so_far()
        );
        let ti = st
            .borrow()
            .cached(&format!("{DIR}/00000000000000000000.timeindex"))
            .unwrap()
            .to_vec();
        assert_eq!(ti, first.time_index().to_bytes());
    }

    #[test]
    fn a_full_index_rolls_the_segment() {
        // Three 8-byte offset entries fit (two 12-byte time entries; with one
        // timestamp the time index keeps a single entry); an offset entry per
        // batch after the first.
        let (mut log, _) = new_log(config(&[
            ("segment.index.bytes", "24"),
            ("index.interval.bytes", "0"),
        ]));
        for _ in 0..4 {
            log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
        }
        assert_eq!(log.segments().len(), 1);
        assert!(log.active_segment().offset_index().is_full());
        assert!(!log.active_segment().time_index().is_full());
        log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
        assert_eq!(
            log.segments().map(|s| s.base_offset()).collect::<Vec<_>>(),
            vec![0, 4]
        );
    }

    #[test]
    fn a_refused_index_write_undoes_the_append() {
        // Room for the batch but not for its index entry.
        let b = batch(1, 10, 0);
        let used_after_one = {
            let st = Shared::new(MemoryStorage::new());
            let (mut l, _) = open(&st, config(&[("index.interval.bytes", "0")]), 0);
            l.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
            drop(l);
            let used = st.borrow().used_bytes();
            used
        };
        let st = Shared::new(MemoryStorage::with_quota(
            used_after_one + b.len() as u64 + 4,
        ));
        let (mut log, _) = open(&st, config(&[("index.interval.bytes", "0")]), 0);
        log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
        let size = log.size_in_bytes();
        let e = log
            .append_as_leader(&mut batch(1, 10, 0), 0, 0)
            .unwrap_err();
        assert!(e.to_string().contains(".index"), "{e}");
        assert_eq!(log.size_in_bytes(), size);
        assert_eq!(log.log_end_offset(), 1);
        let path = format!("{DIR}/{}", log.active_segment().log_file_name());
        assert_eq!(st.borrow().cached(&path).unwrap().len() as u64, size);
        assert!(log.active_segment().offset_index().is_empty());
    }

    #[test]
    fn transactions_hold_back_the_last_stable_offset() {
        let (mut log, _) = new_log(LogConfig::default());
        log.append_as_leader(&mut batch(2, 10, 0), 0, 0).unwrap();
        let mut t = RecordBatch::decode(&idempotent_batch(7, 0, 0, 2, 0))
            .unwrap()
            .0;
        t.is_transactional = true;
        log.append_as_leader(&mut t.encode(), 0, 0).unwrap();
        log.update_high_watermark(4);
        assert_eq!((log.high_watermark(), log.last_stable_offset()), (4, 2));
        // Clients cannot write markers; the coordinator can.
        let mut m = RecordBatch::decode(&idempotent_batch(7, 0, -1, 1, 0))
            .unwrap()
            .0;
        m.is_transactional = true;
        m.is_control = true;
        let mut bytes = m.encode();
        assert_eq!(
            log.append_as_leader(&mut bytes, 0, 0).unwrap_err().name(),
            "INVALID_RECORD"
        );
        let info = log
            .append_as_leader_with_origin(&mut bytes, 0, AppendOrigin::Coordinator, 0)
            .unwrap();
        assert_eq!(info.first_offset, 4);
        log.update_high_watermark(5);
        assert_eq!(log.last_stable_offset(), 5);
        // Replay after truncation sees the transaction open again.
        log.truncate_to(4, 0).unwrap();
        assert_eq!(log.last_stable_offset(), 2);
    }

    #[test]
    fn compressed_batches_append_read_and_compact() {
        use protocol::Compression;
        for codec in Compression::ALL {
            let (mut log, _) = new_log(config(&[
                ("cleanup.policy", "compact"),
                ("segment.bytes", "400"),
            ]));
            for round in 0..3 {
                let mut b = RecordBatch::decode(&keyed_batch(4, 30, 100 * round, Some(2)))
                    .unwrap()
                    .0;
                b.compression = codec;
                log.append_as_leader(&mut b.encode(), 0, 0).unwrap();
            }
            assert_eq!(log.log_end_offset(), 12, "{codec:?}");
            let t = log.fetch_offset_by_timestamp(101).unwrap();
            assert_eq!((t.offset, t.timestamp), (5, 101), "{codec:?}");
            log.update_high_watermark(12);
            log.roll(0, 0).unwrap();
            log.compact(0).unwrap();
            let mut kept = vec![];
            for s in log.segments() {
                for (at, h) in s.batches() {
                    let (b, _) =
                        RecordBatch::decode(&s.bytes()[at..at + h.size_in_bytes()]).unwrap();
                    assert_eq!(b.compression, codec);
                    kept.extend(
                        b.records
                            .iter()
                            .map(|r| b.base_offset + r.offset_delta as i64),
                    );
                }
            }
            assert_eq!(kept, vec![10, 11], "{codec:?}");
        }
    }
}

//! [`LogSegment`]: one `.log` file with its `.index` and `.timeindex`, named
//! by the 20-digit base offset. Bytes live in memory (the broker's "page
//! cache"); every change is written through to [`Storage`].

use protocol::batch::BatchHeader;

use crate::config::LogConfig;
use crate::error::LogError;
use crate::index::{OffsetIndex, TimeIndex};
use crate::records::for_each_record;
use crate::storage::{path, Storage};

pub const LOG_SUFFIX: &str = ".log";
pub const INDEX_SUFFIX: &str = ".index";
pub const TIME_INDEX_SUFFIX: &str = ".timeindex";
/// Kafka's other per-segment files (producer snapshots, aborted txns). The
/// log does not write them; recovery ignores them.
pub const SNAPSHOT_SUFFIX: &str = ".snapshot";
pub const TXN_INDEX_SUFFIX: &str = ".txnindex";
/// Suffixes of half-done operations that recovery cleans up.
pub const CLEANED_SUFFIX: &str = ".cleaned";
pub const SWAP_SUFFIX: &str = ".swap";
pub const DELETED_SUFFIX: &str = ".deleted";

/// `00000000000000000042`: the base offset, zero-padded to 20 digits.
pub fn filename_prefix(offset: i64) -> String {
    format!("{offset:020}")
}

/// Splits `00000000000000000042.log` into (42, ".log").
pub fn parse_file_name(name: &str) -> Option<(i64, &str)> {
    let dot = name.find('.')?;
    let (digits, suffix) = name.split_at(dot);
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, suffix))
}

/// Where an offset lives: Kafka's `LogOffsetMetadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogOffsetMetadata {
    pub message_offset: i64,
    pub segment_base_offset: i64,
    pub relative_position_in_segment: usize,
}

/// What a read returns: Kafka's `FetchDataInfo`. `records` borrows the
/// segment's bytes and may end with a partial batch (as Kafka's does when
/// `max_bytes` cuts one); `first_entry_incomplete` says the first batch
/// itself was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchDataInfo<'a> {
    pub fetch_offset_metadata: LogOffsetMetadata,
    pub records: &'a [u8],
    pub first_entry_incomplete: bool,
}

/// offsetsForTimes' answer: Kafka's `TimestampAndOffset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampAndOffset {
    pub timestamp: i64,
    pub offset: i64,
    /// The leader epoch of the batch holding it (-1 when unknown).
    pub leader_epoch: i32,
}

/// Result of validating a segment's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRecovery {
    pub valid_bytes: usize,
    pub truncated_bytes: usize,
    /// Why validation stopped early (file position and reason).
    pub problem: Option<(usize, String)>,
}

#[derive(Debug, Clone)]
pub struct LogSegment {
    base_offset: i64,
    log: Vec<u8>,
    offset_index: OffsetIndex,
    time_index: TimeIndex,
    log_name: String,
    index_name: String,
    time_index_name: String,
    index_interval_bytes: usize,
    bytes_since_last_index_entry: usize,
    /// Largest batch max timestamp and the last offset of its batch; -1 none.
    max_timestamp_so_far: i64,
    offset_of_max_timestamp_so_far: i64,
    /// The first batch's max timestamp: `segment.ms` rolls count from it.
    rolling_based_timestamp: Option<i64>,
    created: i64,
    last_modified: i64,
    next_offset: i64,
}

impl LogSegment {
    fn empty(base_offset: i64, config: &LogConfig, now: i64) -> LogSegment {
        let prefix = filename_prefix(base_offset);
        LogSegment {
            base_offset,
            log: Vec::new(),
            offset_index: OffsetIndex::new(base_offset, config.max_offset_index_entries()),
            time_index: TimeIndex::new(base_offset, config.max_time_index_entries()),
            log_name: format!("{prefix}{LOG_SUFFIX}"),
            index_name: format!("{prefix}{INDEX_SUFFIX}"),
            time_index_name: format!("{prefix}{TIME_INDEX_SUFFIX}"),
            index_interval_bytes: config.index_interval_bytes.max(0) as usize,
            bytes_since_last_index_entry: 0,
            max_timestamp_so_far: -1,
            offset_of_max_timestamp_so_far: -1,
            rolling_based_timestamp: None,
            created: now,
            last_modified: now,
            next_offset: base_offset,
        }
    }

    /// A new, empty segment; creates its three (empty) files.
    pub fn create(
        st: &mut dyn Storage,
        dir: &str,
        base_offset: i64,
        config: &LogConfig,
        now: i64,
    ) -> Result<LogSegment, LogError> {
        let seg = Self::empty(base_offset, config, now);
        for name in [&seg.log_name, &seg.index_name, &seg.time_index_name] {
            st.write_file(dir, name, &[])?;
        }
        Ok(seg)
    }

    /// Loads a segment's files. When an index file is missing or fails the
    /// sanity check, the reason is returned and the segment must be
    /// [recovered](Self::recover) before use.
    pub fn load(
        st: &mut dyn Storage,
        dir: &str,
        base_offset: i64,
        config: &LogConfig,
        now: i64,
    ) -> Result<(LogSegment, Option<String>), LogError> {
        let mut seg = Self::empty(base_offset, config, now);
        seg.log = st.read(dir, &seg.log_name)?;
        let mut problem = None;
        let index = match st.read(dir, &seg.index_name) {
            Ok(b) => OffsetIndex::from_bytes(
                base_offset,
                &b,
                config.max_offset_index_entries(),
                seg.log.len(),
            )
            .map_err(|e| format!("{}: {e}", path(dir, &seg.index_name))),
            Err(e) => Err(e.to_string()),
        };
        let time_index = match st.read(dir, &seg.time_index_name) {
            Ok(b) => TimeIndex::from_bytes(base_offset, &b, config.max_time_index_entries())
                .map_err(|e| format!("{}: {e}", path(dir, &seg.time_index_name))),
            Err(e) => Err(e.to_string()),
        };
        match (index, time_index) {
            (Ok(i), Ok(t)) => {
                seg.offset_index = i;
                seg.time_index = t;
                seg.reload_tail_state();
            }
            // The caller must run `recover` (Kafka rebuilds the indexes of a
            // segment whose index fails the sanity check by recovering it).
            (i, t) => problem = i.err().or(t.err()),
        }
        Ok((seg, problem))
    }

    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }
    /// Bytes in the `.log` file.
    pub fn size(&self) -> usize {
        self.log.len()
    }
    /// The segment's `.log` bytes (for the UI and dump-log).
    pub fn bytes(&self) -> &[u8] {
        &self.log
    }
    pub fn offset_index(&self) -> &OffsetIndex {
        &self.offset_index
    }
    pub fn time_index(&self) -> &TimeIndex {
        &self.time_index
    }
    pub fn log_file_name(&self) -> &str {
        &self.log_name
    }
    /// One past the last offset stored (the base offset when empty).
    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }
    /// Largest batch max timestamp, -1 when no batch has one.
    pub fn max_timestamp_so_far(&self) -> i64 {
        self.max_timestamp_so_far
    }
    /// Kafka's `largestTimestamp`: the max timestamp, or the last
    /// modification time when there is none (time-based retention uses it).
    pub fn largest_timestamp(&self) -> i64 {
        if self.max_timestamp_so_far >= 0 {
            self.max_timestamp_so_far
        } else {
            self.last_modified
        }
    }
    pub fn last_modified(&self) -> i64 {
        self.last_modified
    }
    pub fn created(&self) -> i64 {
        self.created
    }

    /// Batch headers with their positions. Stops at the first batch that does
    /// not parse (only possible in a segment loaded without recovery).
    pub fn batches(&self) -> impl Iterator<Item = (usize, BatchHeader)> + '_ {
        batches_from(&self.log, 0)
    }

    /// Whether `offset` fits this segment's int32 relative offsets.
    pub fn can_convert_to_relative_offset(&self, offset: i64) -> bool {
        let rel = offset - self.base_offset;
        (0..=i32::MAX as i64).contains(&rel)
    }

    /// Kafka's `shouldRoll`.
    pub fn should_roll(
        &self,
        config: &LogConfig,
        messages_size: usize,
        max_timestamp_in_messages: i64,
        max_offset_in_messages: i64,
        now: i64,
    ) -> bool {
        let waited = match self.rolling_based_timestamp {
            Some(ts) if ts >= 0 => max_timestamp_in_messages.saturating_sub(ts),
            _ => now.saturating_sub(self.created),
        };
        let reached_roll_ms = waited > config.segment_ms;
        self.size() as i64 > config.segment_bytes as i64 - messages_size as i64
            || (self.size() > 0 && reached_roll_ms)
            || self.offset_index.is_full()
            || self.time_index.is_full()
            || !self.can_convert_to_relative_offset(max_offset_in_messages)
    }

    /// Appends validated batches whose offsets are all above the segment's
    /// content, maintaining the sparse indexes as Kafka's `LogSegment.append`.
    pub fn append(
        &mut self,
        st: &mut dyn Storage,
        dir: &str,
        records: &[u8],
        largest_offset: i64,
        largest_timestamp: i64,
        now: i64,
    ) -> Result<(), LogError> {
        if records.is_empty() {
            return Ok(());
        }
        if !self.can_convert_to_relative_offset(largest_offset) {
            return Err(LogError::OffsetOverflow {
                base_offset: self.base_offset,
                offset: largest_offset,
            });
        }
        // Storage first: a refused write (quota) leaves the segment unchanged.
        st.append(dir, &self.log_name, records)?;
        let before = (
            self.log.len(),
            self.bytes_since_last_index_entry,
            self.max_timestamp_so_far,
            self.offset_of_max_timestamp_so_far,
            self.rolling_based_timestamp,
            self.next_offset,
        );
        if self.log.is_empty() {
            self.rolling_based_timestamp = Some(largest_timestamp);
        }
        self.log.extend_from_slice(records);
        if let Err(e) = self.index_appended(st, dir, before.0) {
            // An index write was refused: undo the whole append so memory and
            // storage agree and the caller can retry.
            let (len, since, max_ts, max_off, rolling, next) = before;
            self.log.truncate(len);
            let index_size = self.offset_index.truncate_to(next);
            let time_size = self.time_index.truncate_to(next);
            let _ = st.truncate(dir, &self.log_name, len as u64);
            let _ = st.truncate(dir, &self.index_name, index_size as u64);
            let _ = st.truncate(dir, &self.time_index_name, time_size as u64);
            self.bytes_since_last_index_entry = since;
            self.max_timestamp_so_far = max_ts;
            self.offset_of_max_timestamp_so_far = max_off;
            self.rolling_based_timestamp = rolling;
            self.next_offset = next;
            return Err(e);
        }
        self.last_modified = now;
        Ok(())
    }

    /// Indexes the batches appended from `from` on.
    fn index_appended(
        &mut self,
        st: &mut dyn Storage,
        dir: &str,
        from: usize,
    ) -> Result<(), LogError> {
        let mut position = from;
        while position < self.log.len() {
            let h =
                BatchHeader::parse(&self.log[position..]).expect("appended records were validated");
            self.index_batch(st, dir, &h, position)?;
            position += h.size_in_bytes();
        }
        Ok(())
    }

    /// Per-batch index maintenance shared by append and recovery.
    fn index_batch(
        &mut self,
        st: &mut dyn Storage,
        dir: &str,
        h: &BatchHeader,
        position: usize,
    ) -> Result<(), LogError> {
        if h.max_timestamp > self.max_timestamp_so_far {
            self.max_timestamp_so_far = h.max_timestamp;
            self.offset_of_max_timestamp_so_far = h.last_offset();
        }
        if self.bytes_since_last_index_entry > self.index_interval_bytes
            && h.last_offset() > self.offset_index.last_offset_or_none()
        {
            let e = self.offset_index.append(h.last_offset(), position as i32);
            st.append(dir, &self.index_name, &e)?;
            if let Some(e) = self.time_index.maybe_append(
                self.max_timestamp_so_far,
                self.offset_of_max_timestamp_so_far,
            ) {
                st.append(dir, &self.time_index_name, &e)?;
            }
            self.bytes_since_last_index_entry = 0;
        }
        self.bytes_since_last_index_entry += h.size_in_bytes();
        self.next_offset = h.next_offset();
        Ok(())
    }

    /// Kafka's `onBecomeInactiveSegment`: the time index gets a final entry
    /// for the segment's max timestamp so time lookups need not scan.
    pub fn on_become_inactive(&mut self, st: &mut dyn Storage, dir: &str) -> Result<(), LogError> {
        if let Some(e) = self.time_index.maybe_append(
            self.max_timestamp_so_far,
            self.offset_of_max_timestamp_so_far,
        ) {
            st.append(dir, &self.time_index_name, &e)?;
        }
        Ok(())
    }

    /// Position and header of the first batch whose last offset is >=
    /// `offset` (Kafka's `translateOffset`), starting from the index.
    pub fn translate_offset(&self, offset: i64) -> Option<(usize, BatchHeader)> {
        let (_, pos) = self.offset_index.lookup(offset);
        batches_from(&self.log, pos as usize).find(|(_, h)| h.last_offset() >= offset)
    }

    /// Kafka's `LogSegment.read`: `None` when no batch holds `start_offset`
    /// or a later offset; reads stop at `max_position` (exclusive).
    pub fn read(
        &self,
        start_offset: i64,
        max_size: usize,
        max_position: usize,
        min_one_message: bool,
    ) -> Option<FetchDataInfo<'_>> {
        let (start, h) = self.translate_offset(start_offset)?;
        let metadata = LogOffsetMetadata {
            message_offset: start_offset,
            segment_base_offset: self.base_offset,
            relative_position_in_segment: start,
        };
        let first_size = h.size_in_bytes();
        let adjusted = if min_one_message {
            max_size.max(first_size)
        } else {
            max_size
        };
        if adjusted == 0 || max_position < start {
            return Some(FetchDataInfo {
                fetch_offset_metadata: metadata,
                records: &[],
                first_entry_incomplete: false,
            });
        }
        let len = (max_position.min(self.log.len()) - start).min(adjusted);
        Some(FetchDataInfo {
            fetch_offset_metadata: metadata,
            records: &self.log[start..start + len],
            first_entry_incomplete: adjusted < first_size,
        })
    }

    /// Kafka's `findOffsetByTimestamp`: the first record at or after
    /// `starting_offset` whose timestamp is >= `timestamp`.
    pub fn find_offset_by_timestamp(
        &self,
        timestamp: i64,
        starting_offset: i64,
    ) -> Option<TimestampAndOffset> {
        let (_, ts_offset) = self.time_index.lookup(timestamp);
        let (_, pos) = self.offset_index.lookup(ts_offset.max(starting_offset));
        for (at, h) in batches_from(&self.log, pos as usize) {
            if h.max_timestamp < timestamp || h.last_offset() < starting_offset {
                continue;
            }
            let mut found = None;
            let batch = &self.log[at..at + h.size_in_bytes()];
            let _ = for_each_record(batch, &h, |r| {
                let off = h.base_offset + r.offset_delta as i64;
                let ts = r.timestamp(&h);
                if found.is_none() && ts >= timestamp && off >= starting_offset {
                    found = Some(TimestampAndOffset {
                        timestamp: ts,
                        offset: off,
                        leader_epoch: h.partition_leader_epoch,
                    });
                }
            });
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Removes every batch holding an offset >= `offset` (a batch straddling
    /// it goes whole); returns the bytes removed. A segment left empty
    /// counts `segment.ms` from `now` again, as Kafka resets its create time.
    pub fn truncate_to(
        &mut self,
        st: &mut dyn Storage,
        dir: &str,
        offset: i64,
        now: i64,
    ) -> Result<usize, LogError> {
        let Some((pos, _)) = self.translate_offset(offset) else {
            return Ok(0);
        };
        let removed = self.log.len() - pos;
        st.truncate(dir, &self.log_name, pos as u64)?;
        let index_size = self.offset_index.truncate_to(offset);
        st.truncate(dir, &self.index_name, index_size as u64)?;
        let time_size = self.time_index.truncate_to(offset);
        st.truncate(dir, &self.time_index_name, time_size as u64)?;
        self.log.truncate(pos);
        self.reload_tail_state();
        if self.log.is_empty() {
            self.rolling_based_timestamp = None;
            self.created = now;
        }
        Ok(removed)
    }

    /// Recomputes the state that follows from the bytes after the last index
    /// entries: next offset and max timestamp (Kafka's `loadLargestTimestamp`),
    /// scanning only from the batch of the last time index entry.
    fn reload_tail_state(&mut self) {
        let (ts, ts_offset) = self.time_index.last_entry();
        self.max_timestamp_so_far = ts;
        self.offset_of_max_timestamp_so_far = if ts >= 0 { ts_offset } else { -1 };
        let (_, from) = self.offset_index.lookup(ts_offset);
        self.next_offset = self.base_offset;
        for (_, h) in batches_from(&self.log, from as usize) {
            if h.max_timestamp > self.max_timestamp_so_far {
                self.max_timestamp_so_far = h.max_timestamp;
                self.offset_of_max_timestamp_so_far = h.last_offset();
            }
            self.next_offset = h.next_offset();
        }
        // As Kafka after a load or a truncation: the next entry comes after
        // another full interval.
        self.bytes_since_last_index_entry = 0;
        let first = self.batches().next().map(|(_, h)| h.max_timestamp);
        self.rolling_based_timestamp = first;
    }

    /// Kafka's `LogSegment.recover`: validates every batch (CRC, structure,
    /// offsets increasing and inside the segment), rebuilds both indexes and
    /// cuts the log at the first invalid byte. `on_batch` sees each valid
    /// batch (leader epochs, producer state).
    pub fn recover(
        &mut self,
        st: &mut dyn Storage,
        dir: &str,
        on_batch: &mut dyn FnMut(&BatchHeader, &[u8]),
    ) -> Result<SegmentRecovery, LogError> {
        self.offset_index = OffsetIndex::new(self.base_offset, self.offset_index_max());
        self.time_index = TimeIndex::new(self.base_offset, self.time_index_max());
        self.bytes_since_last_index_entry = 0;
        self.max_timestamp_so_far = -1;
        self.offset_of_max_timestamp_so_far = -1;
        self.next_offset = self.base_offset;
        st.write_file(dir, &self.index_name, &[])?;
        st.write_file(dir, &self.time_index_name, &[])?;
        let log = std::mem::take(&mut self.log);
        let mut pos = 0;
        let mut problem = None;
        while pos < log.len() {
            match check_batch(&log[pos..], self.next_offset) {
                Ok(h) if self.can_convert_to_relative_offset(h.last_offset()) => {
                    self.index_batch(st, dir, &h, pos)?;
                    on_batch(&h, &log[pos..pos + h.size_in_bytes()]);
                    pos += h.size_in_bytes();
                }
                Ok(h) => {
                    problem = Some((
                        pos,
                        format!("offset {} overflows the segment", h.last_offset()),
                    ));
                    break;
                }
                Err(m) => {
                    problem = Some((pos, m));
                    break;
                }
            }
        }
        self.log = log;
        let truncated = self.log.len() - pos;
        if truncated > 0 {
            self.log.truncate(pos);
            st.truncate(dir, &self.log_name, pos as u64)?;
        }
        let first = self.batches().next().map(|(_, h)| h.max_timestamp);
        self.rolling_based_timestamp = first;
        Ok(SegmentRecovery {
            valid_bytes: pos,
            truncated_bytes: truncated,
            problem,
        })
    }

    fn offset_index_max(&self) -> usize {
        // Entries allowed is fixed by config at creation; keep it on rebuild.
        self.offset_index.max_entries()
    }
    fn time_index_max(&self) -> usize {
        self.time_index.max_entries()
    }

    /// Replaces the segment's whole content (the cleaner's swap) and rebuilds
    /// its indexes from the new bytes.
    pub fn replace_content(
        &mut self,
        st: &mut dyn Storage,
        dir: &str,
        bytes: Vec<u8>,
    ) -> Result<(), LogError> {
        let cleaned = format!("{}{CLEANED_SUFFIX}", filename_prefix(self.base_offset));
        st.write_file(dir, &cleaned, &bytes)?;
        st.sync(dir, &cleaned)?;
        st.rename(dir, &cleaned, &self.log_name)?;
        let keep_modified = self.last_modified;
        self.log = bytes;
        self.recover(st, dir, &mut |_, _| {})?;
        self.last_modified = keep_modified;
        Ok(())
    }

    /// fsyncs the segment's files.
    pub fn flush(&self, st: &mut dyn Storage, dir: &str) -> Result<(), LogError> {
        st.sync(dir, &self.log_name)?;
        st.sync(dir, &self.index_name)?;
        st.sync(dir, &self.time_index_name)?;
        Ok(())
    }

    /// Deletes the segment's files (and Kafka's optional ones, if present).
    pub fn delete(&self, st: &mut dyn Storage, dir: &str) -> Result<(), LogError> {
        let prefix = filename_prefix(self.base_offset);
        for suffix in [
            LOG_SUFFIX,
            INDEX_SUFFIX,
            TIME_INDEX_SUFFIX,
            SNAPSHOT_SUFFIX,
            TXN_INDEX_SUFFIX,
        ] {
            st.delete(dir, &format!("{prefix}{suffix}"))?;
        }
        Ok(())
    }
}

/// Checks one batch at the start of `buf` as recovery must: it parses, its
/// CRC matches, its records are well formed, and its offsets start at or
/// after `min_offset` and are consistent with its record count.
pub fn check_batch(buf: &[u8], min_offset: i64) -> Result<BatchHeader, String> {
    let h = BatchHeader::parse_checked(buf).map_err(|e| e.to_string())?;
    if h.base_offset < min_offset {
        return Err(format!(
            "batch base offset {} is below the previous batch's next offset {min_offset}",
            h.base_offset
        ));
    }
    if h.last_offset_delta < 0 || (h.records_count > 0 && h.records_count - 1 > h.last_offset_delta)
    {
        return Err(format!(
            "last offset delta {} does not hold {} records",
            h.last_offset_delta, h.records_count
        ));
    }
    let mut prev = -1i64;
    let mut ordered = true;
    for_each_record(&buf[..h.size_in_bytes()], &h, |r| {
        ordered &= (r.offset_delta as i64) > prev && r.offset_delta <= h.last_offset_delta;
        prev = r.offset_delta as i64;
    })
    .map_err(|e| e.to_string())?;
    if !ordered {
        return Err("record offsets inside the batch are not increasing".into());
    }
    Ok(h)
}

/// Batch headers from `from` on, stopping at the first that does not parse.
pub fn batches_from(log: &[u8], from: usize) -> impl Iterator<Item = (usize, BatchHeader)> + '_ {
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= log.len() {
            return None;
        }
        let h = BatchHeader::parse(&log[pos..]).ok()?;
        let at = pos;
        pos += h.size_in_bytes();
        Some((at, h))
    })
}

#[cfg(test)]
mod tests {
    //! Cases after Kafka's `LogSegmentTest`.
    use super::*;
    use crate::memory::MemoryStorage;
    use protocol::batch::{RecordBatch, SimpleRecord};

    const DIR: &str = "t-0";

    /// One batch at `offset` with one record per value, timestamps `ts`, `ts+1`, ...
    fn records(offset: i64, ts: i64, values: &[&str]) -> Vec<u8> {
        let recs: Vec<SimpleRecord> = values
            .iter()
            .enumerate()
            .map(|(i, v)| SimpleRecord {
                timestamp: ts + i as i64,
                value: Some(v.as_bytes().to_vec()),
                ..Default::default()
            })
            .collect();
        RecordBatch::from_simple(offset, &recs).encode()
    }

    fn segment(base: i64) -> (LogSegment, MemoryStorage) {
        let mut st = MemoryStorage::new();
        let config = LogConfig::from_pairs([
            ("index.interval.bytes", "10"),
            ("segment.index.bytes", "1000"),
        ])
        .unwrap();
        let seg = LogSegment::create(&mut st, DIR, base, &config, 0).unwrap();
        (seg, st)
    }

    fn append(seg: &mut LogSegment, st: &mut MemoryStorage, batch: &[u8]) {
        let h = BatchHeader::parse(batch).unwrap();
        seg.append(st, DIR, batch, h.last_offset(), h.max_timestamp, 0)
            .unwrap();
    }

    fn read_bases(seg: &LogSegment, offset: i64) -> Option<Vec<i64>> {
        let r = seg.read(offset, 1 << 20, seg.size(), false)?;
        Some(
            batches_from(r.records, 0)
                .map(|(_, h)| h.base_offset)
                .collect(),
        )
    }

    #[test]
    fn read_on_empty_segment_and_after_last_is_none() {
        let (mut seg, mut st) = segment(40);
        assert!(seg.read(40, 300, seg.size(), false).is_none());
        append(&mut seg, &mut st, &records(50, 0, &["hello", "there"]));
        assert!(seg.read(52, 200, seg.size(), false).is_none());
    }

    #[test]
    fn read_before_first_offset_and_from_a_gap() {
        let (mut seg, mut st) = segment(40);
        let ms = records(50, 0, &["hello", "there", "little", "bee"]);
        append(&mut seg, &mut st, &ms);
        assert_eq!(
            seg.read(41, 300, seg.size(), false).unwrap().records,
            &ms[..]
        );
        let ms2 = records(60, 0, &["alpha", "beta"]);
        append(&mut seg, &mut st, &ms2);
        assert_eq!(
            seg.read(55, 200, seg.size(), false).unwrap().records,
            &ms2[..]
        );
        let m = seg
            .read(55, 200, seg.size(), false)
            .unwrap()
            .fetch_offset_metadata;
        assert_eq!(
            (
                m.message_offset,
                m.segment_base_offset,
                m.relative_position_in_segment
            ),
            (55, 40, ms.len())
        );
    }

    #[test]
    fn truncate_keeps_the_earlier_batch() {
        let (mut seg, mut st) = segment(40);
        for offset in 40..70 {
            append(&mut seg, &mut st, &records(offset, 0, &["hello"]));
            append(&mut seg, &mut st, &records(offset + 1, 0, &["hello"]));
            assert_eq!(read_bases(&seg, offset), Some(vec![offset, offset + 1]));
            seg.truncate_to(&mut st, DIR, offset + 1, 0).unwrap();
            assert_eq!(read_bases(&seg, offset), Some(vec![offset]));
        }
        assert_eq!(
            st.cached(&format!("{DIR}/{}", seg.log_file_name()))
                .unwrap(),
            seg.bytes()
        );
    }

    #[test]
    fn truncate_even_if_the_offset_points_to_a_gap() {
        let (mut seg, mut st) = segment(40);
        append(&mut seg, &mut st, &records(40, 0, &["first message"]));
        append(&mut seg, &mut st, &records(43, 0, &["message after gap"]));
        seg.truncate_to(&mut st, DIR, 41, 0).unwrap();
        assert_eq!(read_bases(&seg, 40), Some(vec![40]));
    }

    #[test]
    fn truncate_full_resets_the_roll_clock() {
        let (mut seg, mut st) = segment(40);
        let config = LogConfig::from_pairs([("segment.ms", "300")]).unwrap();
        append(&mut seg, &mut st, &records(40, 1000, &["hello", "there"]));
        assert!(!seg.should_roll(&config, 10, 1301, 42, 500));
        assert!(seg.should_roll(&config, 10, 1302, 42, 500));
        seg.truncate_to(&mut st, DIR, 0, 500).unwrap();
        assert!(seg.read(0, 1024, seg.size(), false).is_none());
        assert_eq!(seg.next_offset(), 40);
        // Empty segments never roll on time; the clock restarted at 500.
        assert!(!seg.should_roll(&config, 10, -1, 42, 10_000));
        append(&mut seg, &mut st, &records(40, 1000, &["hello", "there"]));
        assert!(!seg.should_roll(&config, 10, 1300, 42, 10_000));
        assert!(!seg.should_roll(&config, 10, -1, i32::MAX as i64 + 40, 0));
        assert!(seg.should_roll(&config, 10, -1, i32::MAX as i64 + 41, 0));
    }

    #[test]
    fn reload_largest_timestamp_and_next_offset_after_truncation() {
        let (mut seg, mut st) = segment(40);
        for offset in 40..70 {
            append(&mut seg, &mut st, &records(offset, offset * 10, &["hello"]));
        }
        assert_eq!(seg.next_offset(), 70);
        assert!(!seg.time_index().is_empty());
        seg.truncate_to(&mut st, DIR, 41, 0).unwrap();
        assert!(seg.time_index().is_empty());
        assert_eq!(seg.largest_timestamp(), 400);
        assert_eq!(seg.next_offset(), 41);
    }

    #[test]
    fn find_offset_by_timestamp() {
        let (mut seg, mut st) = segment(40);
        for i in 40..50 {
            append(
                &mut seg,
                &mut st,
                &records(i, i * 10, &[&format!("msg{i}")]),
            );
        }
        assert_eq!(seg.largest_timestamp(), 490);
        let find = |ts| seg.find_offset_by_timestamp(ts, 0).map(|t| t.offset);
        assert_eq!(find(420), Some(42));
        assert_eq!(find(421), Some(43));
        assert_eq!(find(430), Some(43));
        assert_eq!(find(431), Some(44));
        assert_eq!(find(491), None);
        assert_eq!(find(401), Some(41));
        assert_eq!(find(399), Some(40));
        assert_eq!(seg.find_offset_by_timestamp(399, 45).unwrap().offset, 45);
    }

    #[test]
    fn next_offset_calculation() {
        let (mut seg, mut st) = segment(40);
        assert_eq!(seg.next_offset(), 40);
        append(
            &mut seg,
            &mut st,
            &records(50, 0, &["hello", "there", "you"]),
        );
        assert_eq!(seg.next_offset(), 53);
    }

    #[test]
    fn offsets_outside_int32_relative_range_are_rejected() {
        let cases = [
            (0, -2147483648i64),
            (0, 2147483648),
            (1, 0),
            (100, 10),
            (2147483648, 0),
            (2147483648, 4294967296),
        ];
        for (base, largest) in cases {
            let (mut seg, mut st) = segment(base);
            let batch = records(base.max(0), 0, &["hello"]);
            let e = seg.append(&mut st, DIR, &batch, largest, 0, 0).unwrap_err();
            assert!(
                matches!(e, LogError::OffsetOverflow { .. }),
                "({base}, {largest})"
            );
            assert_eq!(seg.size(), 0);
        }
    }

    #[test]
    fn recovery_fixes_a_corrupt_time_index() {
        let (mut seg, mut st) = segment(0);
        for i in 0..100 {
            append(&mut seg, &mut st, &records(i, i * 10, &[&i.to_string()]));
        }
        seg.time_index = TimeIndex::new(0, 10);
        seg.recover(&mut st, DIR, &mut |_, _| {}).unwrap();
        for i in 0..100 {
            assert_eq!(seg.find_offset_by_timestamp(i * 10, 0).unwrap().offset, i);
            if i < 99 {
                assert_eq!(
                    seg.find_offset_by_timestamp(i * 10 + 1, 0).unwrap().offset,
                    i + 1
                );
            }
        }
    }

    #[test]
    fn recovery_with_corrupt_message_keeps_the_prefix() {
        let mut seed = 0x2545f4914f6cdd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..10 {
            let (mut seg, mut st) = segment(0);
            for j in 0..20 {
                append(&mut seg, &mut st, &records(j, 0, &[&j.to_string()]));
            }
            let bad = (next() % 20) as i64;
            let (pos, _) = seg.translate_offset(bad).unwrap();
            // Nonsense from somewhere in the batch's first 15 bytes to the end.
            let from = pos + (next() % 15) as usize;
            for b in &mut seg.log[from..] {
                *b = next() as u8;
            }
            let r = seg.recover(&mut st, DIR, &mut |_, _| {}).unwrap();
            let lasts: Vec<i64> = seg.batches().map(|(_, h)| h.last_offset()).collect();
            let expected: Vec<i64> = (0..bad).collect();
            // Nonsense in the base offset field can still parse: at most the
            // bad batch survives, never anything after it.
            assert!(
                lasts == expected
                    || (lasts.len() == expected.len() + 1
                        && lasts[..expected.len()] == expected[..]),
                "{lasts:?} vs {bad}"
            );
            assert_eq!(r.valid_bytes, seg.size());
        }
    }

    #[test]
    fn recovery_rebuilds_the_epoch_cache() {
        let (mut seg, mut st) = segment(0);
        for (offset, epoch) in [(104, 0), (106, 1), (108, 1), (110, 2)] {
            let mut b = records(offset, 0, &["a", "b"]);
            protocol::batch::set_partition_leader_epoch(&mut b, epoch);
            append(&mut seg, &mut st, &b);
        }
        let mut cache = crate::epoch::LeaderEpochFileCache::new();
        seg.recover(&mut st, DIR, &mut |h, _| {
            cache.assign(h.partition_leader_epoch, h.base_offset);
        })
        .unwrap();
        let entries: Vec<(i32, i64)> = cache
            .entries()
            .iter()
            .map(|e| (e.epoch, e.start_offset))
            .collect();
        assert_eq!(entries, vec![(0, 104), (1, 106), (2, 110)]);
    }

    #[test]
    fn file_names_are_twenty_digit_base_offsets() {
        assert_eq!(filename_prefix(42), "00000000000000000042");
        assert_eq!(
            parse_file_name("00000000000000000042.log"),
            Some((42, ".log"))
        );
        assert_eq!(
            parse_file_name("00000000000000000042.log.swap"),
            Some((42, ".log.swap"))
        );
        assert_eq!(parse_file_name("42.log"), None);
        assert_eq!(parse_file_name("leader-epoch-checkpoint"), None);
        assert_eq!(parse_file_name("0000000000000000004x.log"), None);
    }
}

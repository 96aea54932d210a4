//! The broker's use of the log crate: one partition's `Log` on the broker's
//! shared storage, with log errors turned into Kafka error codes.

use bytes::Bytes;
use log::{Log, MemoryStorage, Shared};
use protocol::batch::{iter_batches, BatchHeader};
use protocol::ErrorCode;
use serde_json::Value;

use crate::api::TopicPartition;

pub struct PartitionLog {
    log: Log<Shared<MemoryStorage>>,
}

fn code(e: &log::LogError) -> ErrorCode {
    ErrorCode::from_code(e.code()).unwrap_or(ErrorCode::UnknownServerError)
}

impl PartitionLog {
    /// Opens (and recovers) the partition's log; the recovery report is
    /// returned when recovery had anything to say.
    pub fn open(
        storage: Shared<MemoryStorage>,
        tp: &TopicPartition,
        config: &[(String, String)],
        now: u64,
    ) -> Result<(PartitionLog, Option<Value>), (ErrorCode, String)> {
        let cfg = log::LogConfig::from_pairs(config.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| (ErrorCode::InvalidConfig, e.to_string()))?;
        let (log, report) = Log::open(storage, &tp.dir(), cfg, now as i64)
            .map_err(|e| (code(&e), e.to_string()))?;
        let report = report
            .is_interesting()
            .then(|| serde_json::json!(format!("{report:?}")));
        Ok((PartitionLog { log }, report))
    }

    pub fn inner(&self) -> &Log<Shared<MemoryStorage>> {
        &self.log
    }

    pub fn leo(&self) -> i64 {
        self.log.log_end_offset()
    }

    pub fn log_start(&self) -> i64 {
        self.log.log_start_offset()
    }

    /// Appends as leader: offsets assigned, stamped with `epoch`. Returns the
    /// first and last offsets.
    pub fn append_as_leader(
        &mut self,
        records: &Bytes,
        epoch: i32,
        now: u64,
    ) -> Result<(i64, i64), ErrorCode> {
        // Offsets and the epoch are written into the batch in place, so the
        // log gets its own copy of the producer's bytes.
        let mut batch = records.to_vec();
        let info = self
            .log
            .append_as_leader(&mut batch, epoch, now as i64)
            .map_err(|e| code(&e))?;
        Ok((info.first_offset, info.last_offset))
    }

    /// Appends as leader on behalf of a coordinator on this broker (its own
    /// records, transaction markers): control batches are allowed and only
    /// the producer epoch is checked, as Kafka's `AppendOrigin.Coordinator`.
    pub fn append_as_coordinator(
        &mut self,
        records: &[u8],
        epoch: i32,
        now: u64,
    ) -> Result<(i64, i64), ErrorCode> {
        let mut batch = records.to_vec();
        let info = self
            .log
            .append_as_leader_with_origin(
                &mut batch,
                epoch,
                log::AppendOrigin::Coordinator,
                now as i64,
            )
            .map_err(|e| code(&e))?;
        Ok((info.first_offset, info.last_offset))
    }

    /// Every whole batch with data in `[from, to)`, in log order (for
    /// loading coordinator state and finding aborted transactions).
    pub fn batches(&self, from: i64, to: i64) -> Vec<(BatchHeader, Bytes)> {
        let mut out = Vec::new();
        let mut offset = from.max(self.log_start());
        while offset < to {
            let Ok(data) = self.log.read(offset, 1 << 20, None, true) else {
                break;
            };
            let mut next = offset;
            for item in iter_batches(data.records) {
                let Ok((pos, h)) = item else { break };
                if h.base_offset >= to {
                    break;
                }
                next = next.max(h.next_offset());
                if h.last_offset() >= offset {
                    let end = pos + h.size_in_bytes();
                    out.push((h, Bytes::copy_from_slice(&data.records[pos..end])));
                }
            }
            if next <= offset {
                break;
            }
            offset = next;
        }
        out
    }

    /// offsetsForTimes: the first offset whose timestamp is >= `timestamp`
    /// (or Kafka's -1 latest / -2 earliest).
    pub fn offset_for_timestamp(&self, timestamp: i64) -> Option<(i64, i64)> {
        self.log
            .fetch_offset_by_timestamp(timestamp)
            .map(|t| (t.timestamp, t.offset))
    }

    pub fn append_as_follower(&mut self, records: &Bytes, now: u64) -> Result<(), ErrorCode> {
        self.log
            .append_as_follower(records, now as i64)
            .map(|_| ())
            .map_err(|e| code(&e))
    }

    /// Kafka's last stable offset: the HW held back by open transactions.
    pub fn lso(&self) -> i64 {
        self.log.last_stable_offset()
    }

    pub fn hw(&self) -> i64 {
        self.log.high_watermark()
    }

    /// Sets the HW (clamped to the log), as a follower does from the leader's.
    pub fn set_hw(&mut self, hw: i64) {
        self.log.update_high_watermark(hw);
    }

    /// Moves the HW forward only; true when it moved.
    pub fn maybe_increment_hw(&mut self, hw: i64) -> bool {
        self.log.maybe_increment_high_watermark(hw).is_some()
    }

    /// Batches from `offset`, at most `max_bytes` (one whole batch at least
    /// when `min_one`), below `upper` if given.
    pub fn read(
        &self,
        offset: i64,
        max_bytes: usize,
        upper: Option<i64>,
        min_one: bool,
    ) -> Result<Bytes, ErrorCode> {
        let data = self
            .log
            .read(offset, max_bytes, upper, min_one)
            .map_err(|e| code(&e))?;
        Ok(Bytes::copy_from_slice(data.records))
    }

    pub fn truncate_to(&mut self, offset: i64, now: u64) -> Result<(), ErrorCode> {
        self.log
            .truncate_to(offset, now as i64)
            .map(|_| ())
            .map_err(|e| code(&e))
    }

    pub fn truncate_fully_and_start_at(&mut self, offset: i64, now: u64) -> Result<(), ErrorCode> {
        self.log
            .truncate_fully_and_start_at(offset, now as i64)
            .map_err(|e| code(&e))
    }

    /// A follower follows the leader's log start offset up (DeleteRecords,
    /// retention on the leader).
    pub fn advance_log_start(&mut self, offset: i64) {
        let _ = self.log.delete_records(offset.min(self.hw()));
    }

    pub fn assign_epoch(&mut self, epoch: i32, start_offset: i64) {
        let _ = self
            .log
            .maybe_assign_epoch_start_offset(epoch, start_offset);
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.log.latest_epoch()
    }

    /// Kafka's `endOffsetForEpoch`.
    pub fn end_offset_for(&self, epoch: i32) -> (i32, i64) {
        self.log.end_offset_for_epoch(epoch)
    }

    pub fn flush_if_due(&mut self, now: u64) {
        let _ = self.log.flush_if_due(now as i64);
    }

    /// Retention and, for compacted topics, compaction.
    pub fn run_retention(&mut self, now: u64) {
        let _ = self.log.delete_old_segments(now as i64);
        if self.log.config().cleanup_policy.compact {
            let _ = self.log.compact(now as i64);
        }
    }

    /// Clean close: flush and mark the clean shutdown.
    pub fn close(self, now: u64) {
        let _ = self.log.close(now as i64);
    }
}

//! Retention (Kafka's `UnifiedLog.deleteOldSegments`): by time
//! (`retention.ms`, against each segment's largest timestamp), by size
//! (`retention.bytes`) and below the log start offset (DeleteRecords).
//! Segments go oldest first, only while wholly below the high watermark.

use crate::error::LogError;
use crate::log::Log;
use crate::segment::LogSegment;
use crate::storage::Storage;

impl<S: Storage> Log<S> {
    /// One retention pass; returns how many segments were deleted. With
    /// `cleanup.policy=compact` alone only the log-start-offset rule applies.
    pub fn delete_old_segments(&mut self, now: i64) -> Result<usize, LogError> {
        let mut deleted = 0;
        if self.config.cleanup_policy.delete {
            deleted += self.delete_retention_ms_breached(now)?;
            deleted += self.delete_retention_size_breached(now)?;
        }
        deleted += self.delete_log_start_offset_breached(now)?;
        Ok(deleted)
    }

    fn delete_retention_ms_breached(&mut self, now: i64) -> Result<usize, LogError> {
        let retention_ms = self.config.retention_ms;
        if retention_ms < 0 {
            return Ok(0);
        }
        let bases = self.deletable_segments(|seg, _| {
            now.saturating_sub(seg.largest_timestamp()) > retention_ms
        });
        self.delete_segments(bases, now)
    }

    fn delete_retention_size_breached(&mut self, now: i64) -> Result<usize, LogError> {
        let retention = self.config.retention_bytes;
        let size = self.size_in_bytes() as i64;
        if retention < 0 || size < retention {
            return Ok(0);
        }
        let mut diff = size - retention;
        let bases = self.deletable_segments(|seg, _| {
            if diff - seg.size() as i64 >= 0 {
                diff -= seg.size() as i64;
                true
            } else {
                false
            }
        });
        self.delete_segments(bases, now)
    }

    fn delete_log_start_offset_breached(&mut self, now: i64) -> Result<usize, LogError> {
        let lso = self.log_start_offset;
        let bases = self.deletable_segments(|_, next| next.is_some_and(|n| n.base_offset() <= lso));
        self.delete_segments(bases, now)
    }

    /// Kafka's `deletableSegments`: the oldest segments, while the predicate
    /// holds and each lies wholly below the high watermark; never an empty
    /// active segment.
    fn deletable_segments(
        &self,
        mut predicate: impl FnMut(&LogSegment, Option<&LogSegment>) -> bool,
    ) -> Vec<i64> {
        let mut out = Vec::new();
        let segs: Vec<&LogSegment> = self.segments.values().collect();
        let leo = self.log_end_offset();
        for (i, seg) in segs.iter().enumerate() {
            let next = segs.get(i + 1).copied();
            let upper_bound = next.map_or(leo, |n| n.base_offset());
            let last_and_empty = next.is_none() && seg.size() == 0;
            if self.high_watermark >= upper_bound && !last_and_empty && predicate(seg, next) {
                out.push(seg.base_offset());
            } else {
                break;
            }
        }
        out
    }

    fn delete_segments(&mut self, bases: Vec<i64>, now: i64) -> Result<usize, LogError> {
        if bases.is_empty() {
            return Ok(0);
        }
        if bases.len() == self.segments.len() {
            // A log always keeps a segment: roll a new empty active one first,
            // as Kafka does, so the expired one is no longer active.
            let leo = self.log_end_offset();
            self.roll(leo, now)?;
        }
        let dir = self.dir.clone();
        for b in &bases {
            if let Some(seg) = self.segments.remove(b) {
                seg.delete(&mut self.storage, &dir)?;
            }
        }
        let first = *self.segments.keys().next().expect("segment");
        self.advance_log_start_offset(first)?;
        Ok(bases.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::*;

    #[test]
    fn delete_records_and_retention() {
        let (mut log, _) = new_log(config(&[
            ("segment.bytes", "300"),
            ("retention.ms", "1000"),
        ]));
        for i in 0..9 {
            log.append_as_leader(&mut batch(1, 100, i * 100), 0, 0)
                .unwrap();
        }
        let segs = log.segments().len();
        assert!(segs >= 4);
        assert_eq!(
            log.delete_records(3).unwrap_err().name(),
            "OFFSET_OUT_OF_RANGE"
        );
        log.update_high_watermark(9);
        assert_eq!(log.delete_records(3).unwrap(), 3);
        assert_eq!(
            log.read(2, 100, None, true).unwrap_err().name(),
            "OFFSET_OUT_OF_RANGE"
        );
        assert!(log.delete_old_segments(0).unwrap() >= 1);
        assert!(log.segments().next().unwrap().base_offset() <= 3);
        assert_eq!(log.log_start_offset(), 3);
        // Time: segments whose largest timestamp is older than 1000 ms go.
        let n = log.delete_old_segments(1550).unwrap();
        assert!(n >= 1);
        assert!(log
            .segments()
            .all(|s| s.size() == 0 || 1550 - s.largest_timestamp() <= 1000));
        // Everything expired: the active segment is rolled first, never lost.
        let n = log.delete_old_segments(100_000).unwrap();
        assert!(n >= 1);
        assert_eq!(log.segments().len(), 1);
        assert_eq!(log.active_segment().size(), 0);
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (9, 9));
    }

    #[test]
    fn retention_bytes_and_the_high_watermark() {
        let (mut log, _) = new_log(config(&[
            ("segment.bytes", "300"),
            ("retention.bytes", "600"),
        ]));
        for _ in 0..9 {
            log.append_as_leader(&mut batch(1, 100, 0), 0, 0).unwrap();
        }
        // Nothing at or above the HW may go.
        assert_eq!(log.delete_old_segments(0).unwrap(), 0);
        log.update_high_watermark(9);
        assert!(log.delete_old_segments(0).unwrap() > 0);
        assert!(log.size_in_bytes() <= 600 + 300);
        assert!(log.size_in_bytes() >= 600 - 300);
        assert_eq!(
            log.log_start_offset(),
            log.segments().next().unwrap().base_offset()
        );
    }
}

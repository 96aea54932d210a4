//! Log compaction (`cleanup.policy=compact`; Kafka's `LogCleaner`): keep
//! the last record per key below the first uncleanable offset. Offsets are
//! preserved: a rewritten batch keeps its base offset and last offset delta,
//! so the log has gaps. Tombstones (null values) survive one cleaning, which
//! stamps the batch with a delete horizon (now + `delete.retention.ms`,
//! KIP-534), and are dropped by a cleaning after it.

use std::collections::HashMap;

use protocol::batch::RecordBatch;
use protocol::TimestampType;

use crate::error::LogError;
use crate::log::Log;
use crate::storage::Storage;

/// What one cleaning did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanerStats {
    pub segments_cleaned: usize,
    /// Offsets below this were eligible (Kafka's first uncleanable offset).
    pub first_uncleanable_offset: i64,
    pub records_read: u64,
    pub records_retained: u64,
    pub tombstones_removed: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

impl<S: Storage> Log<S> {
    /// Kafka's first uncleanable offset: the active segment, the LSO (so at
    /// most the HW) and segments younger than `min.compaction.lag.ms` are
    /// never cleaned.
    pub fn first_uncleanable_offset(&self, now: i64) -> i64 {
        let mut limit = self
            .active_segment()
            .base_offset()
            .min(self.last_stable_offset());
        let lag = self.config.min_compaction_lag_ms;
        if lag > 0 {
            if let Some(s) = self
                .segments
                .values()
                .find(|s| s.largest_timestamp() > now.saturating_sub(lag))
            {
                limit = limit.min(s.base_offset());
            }
        }
        limit
    }

    /// One cleaning pass over everything cleanable. A no-op unless
    /// `cleanup.policy` includes `compact`.
    pub fn compact(&mut self, now: i64) -> Result<CleanerStats, LogError> {
        let mut stats = CleanerStats::default();
        if !self.config.cleanup_policy.compact {
            return Ok(stats);
        }
        let end = self.first_uncleanable_offset(now);
        stats.first_uncleanable_offset = end;
        let bases: Vec<i64> = self.segments.range(..end).map(|(&b, _)| b).collect();
        if bases.is_empty() {
            return Ok(stats);
        }
        // The offset map: each key's last offset below `end`.
        let mut latest: HashMap<Vec<u8>, i64> = HashMap::new();
        for b in &bases {
            for (at, h) in self.segments[b].batches() {
                if h.is_control() {
                    continue;
                }
                let bytes = &self.segments[b].bytes()[at..at + h.size_in_bytes()];
                let batch = decode(bytes, &self.dir, *b, at)?;
                for r in &batch.records {
                    let offset = batch.base_offset + r.offset_delta as i64;
                    if offset < end {
                        if let Some(k) = &r.key {
                            latest.insert(k.clone(), offset);
                        }
                    }
                }
            }
        }
        let horizon = now.saturating_add(self.config.delete_retention_ms);
        for b in bases {
            let seg = &self.segments[&b];
            let mut out = Vec::with_capacity(seg.size());
            let mut changed = false;
            for (at, h) in seg.batches() {
                let bytes = &seg.bytes()[at..at + h.size_in_bytes()];
                if h.is_control() {
                    out.extend_from_slice(bytes);
                    continue;
                }
                let mut batch = decode(bytes, &self.dir, b, at)?;
                let retain_deletes = !batch.has_delete_horizon || now < batch.base_timestamp;
                let before = batch.records.len();
                stats.records_read += before as u64;
                let base = batch.base_offset;
                let mut tombstones_kept = false;
                let old_base_ts = batch.base_timestamp;
                batch.records.retain(|r| {
                    let offset = base + r.offset_delta as i64;
                    if offset >= end {
                        return true;
                    }
                    // Records without a key cannot be compacted: Kafka drops them.
                    let Some(k) = &r.key else { return false };
                    let is_latest = latest.get(k).is_some_and(|&o| offset >= o);
                    let keep = is_latest && (r.value.is_some() || retain_deletes);
                    if is_latest && !keep {
                        stats.tombstones_removed += 1;
                    }
                    tombstones_kept |= keep && r.value.is_none();
                    keep
                });
                stats.records_retained += batch.records.len() as u64;
                let needs_horizon = tombstones_kept && !batch.has_delete_horizon;
                if batch.records.len() == before && !needs_horizon {
                    out.extend_from_slice(bytes);
                    continue;
                }
                changed = true;
                if batch.records.is_empty() {
                    continue;
                }
                // Rebase record timestamps: with a delete horizon the base
                // timestamp field holds the horizon.
                let timestamps: Vec<i64> = batch
                    .records
                    .iter()
                    .map(|r| old_base_ts + r.timestamp_delta)
                    .collect();
                let new_base = if needs_horizon {
                    batch.has_delete_horizon = true;
                    horizon
                } else if batch.has_delete_horizon {
                    old_base_ts
                } else {
                    timestamps[0]
                };
                for (r, ts) in batch.records.iter_mut().zip(&timestamps) {
                    r.timestamp_delta = ts - new_base;
                }
                batch.base_timestamp = new_base;
                if batch.timestamp_type == TimestampType::CreateTime {
                    batch.max_timestamp = timestamps.iter().copied().max().unwrap_or(-1);
                }
                batch.encode_into(&mut out);
            }
            stats.bytes_before += seg.size() as u64;
            stats.bytes_after += out.len() as u64;
            if changed {
                let dir = self.dir.clone();
                let seg = self.segments.get_mut(&b).expect("segment");
                seg.replace_content(&mut self.storage, &dir, out)?;
                stats.segments_cleaned += 1;
            }
        }
        Ok(stats)
    }
}

fn decode(bytes: &[u8], dir: &str, base: i64, at: usize) -> Result<RecordBatch, LogError> {
    RecordBatch::decode(bytes)
        .map(|(b, _)| b)
        .map_err(|e| LogError::CorruptFile {
            path: crate::storage::path(
                dir,
                &format!("{}.log", crate::segment::filename_prefix(base)),
            ),
            position: (at + e.position) as u64,
            reason: e.kind.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;

    fn values(log: &MemLog) -> Vec<(i64, String, Option<String>)> {
        let mut out = vec![];
        for s in log.segments() {
            for (at, h) in s.batches() {
                let (b, _) = RecordBatch::decode(&s.bytes()[at..at + h.size_in_bytes()]).unwrap();
                for r in b.records {
                    out.push((
                        b.base_offset + r.offset_delta as i64,
                        String::from_utf8(r.key.unwrap()).unwrap(),
                        r.value.map(|v| String::from_utf8(v).unwrap()),
                    ));
                }
            }
        }
        out
    }

    fn compacted_log() -> MemLog {
        let (log, _) = new_log(config(&[
            ("cleanup.policy", "compact"),
            ("segment.bytes", "200"),
            ("delete.retention.ms", "1000"),
        ]));
        log
    }

    #[test]
    fn keeps_the_last_value_per_key_with_offsets_preserved() {
        let mut log = compacted_log();
        let writes = [
            ("a", Some("1")),
            ("b", Some("1")),
            ("a", Some("2")),
            ("c", Some("1")),
            ("b", Some("2")),
            ("a", Some("3")),
            ("d", Some("1")),
        ];
        for (k, v) in writes {
            log.append_as_leader(&mut records(&[(k, v, 10)]), 0, 0)
                .unwrap();
        }
        log.update_high_watermark(log.log_end_offset());
        let active = log.active_segment().base_offset();
        let stats = log.compact(100).unwrap();
        assert_eq!(stats.first_uncleanable_offset, active);
        assert!(stats.segments_cleaned > 0);
        assert_eq!(active, 6);
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            values(&log),
            vec![
                (3, "c".into(), s("1")),
                (4, "b".into(), s("2")),
                (5, "a".into(), s("3")),
                (6, "d".into(), s("1")),
            ]
        );
        assert_eq!((stats.records_read, stats.records_retained), (6, 3));
        // Reads across gaps still work and offsets keep increasing.
        let batches = all_batches(&log);
        assert!(batches.windows(2).all(|w| w[0].1 < w[1].0));
        let r = log.read(0, 1 << 20, None, false).unwrap();
        assert!(!r.records.is_empty());
        assert_eq!(log.log_end_offset(), 7);
    }

    #[test]
    fn tombstones_survive_one_cleaning_then_go_after_the_horizon() {
        let mut log = compacted_log();
        log.append_as_leader(
            &mut records(&[("a", Some("1"), 10), ("b", Some("1"), 11)]),
            0,
            0,
        )
        .unwrap();
        log.append_as_leader(&mut records(&[("a", None, 12)]), 0, 0)
            .unwrap();
        log.roll(0, 0).unwrap();
        log.append_as_leader(&mut records(&[("z", Some("1"), 13)]), 0, 0)
            .unwrap();
        log.update_high_watermark(log.log_end_offset());
        log.compact(5000).unwrap();
        let v = values(&log);
        assert!(v.contains(&(2, "a".into(), None)), "{v:?}");
        assert!(v.contains(&(1, "b".into(), Some("1".into()))));
        // Record timestamps survive the delete-horizon rebase.
        let t = log.fetch_offset_by_timestamp(12).unwrap();
        assert_eq!((t.offset, t.timestamp), (2, 12));
        // Before the horizon (5000 + 1000) the tombstone stays.
        let s = log.compact(5999).unwrap();
        assert_eq!(s.tombstones_removed, 0);
        let s = log.compact(6000).unwrap();
        assert_eq!(s.tombstones_removed, 1);
        let v = values(&log);
        assert!(!v.iter().any(|(_, k, _)| k == "a"), "{v:?}");
    }

    #[test]
    fn delete_policy_does_not_compact_and_lag_holds_back() {
        let (mut log, _) = new_log(config(&[("segment.bytes", "200")]));
        for _ in 0..4 {
            log.append_as_leader(&mut keyed_batch(1, 5, 10, Some(1)), 0, 0)
                .unwrap();
        }
        log.update_high_watermark(4);
        assert_eq!(log.compact(0).unwrap(), CleanerStats::default());
        let (mut log, _) = new_log(config(&[
            ("cleanup.policy", "compact,delete"),
            ("segment.bytes", "200"),
            ("min.compaction.lag.ms", "1000"),
        ]));
        for _ in 0..4 {
            log.append_as_leader(&mut keyed_batch(1, 5, 10, Some(1)), 0, 0)
                .unwrap();
        }
        log.update_high_watermark(4);
        assert_eq!(log.compact(500).unwrap().segments_cleaned, 0);
        assert!(log.compact(5000).unwrap().segments_cleaned > 0);
        // Nothing is cleaned at or above the high watermark.
        let (mut log, _) = new_log(config(&[
            ("cleanup.policy", "compact"),
            ("segment.bytes", "200"),
        ]));
        for _ in 0..4 {
            log.append_as_leader(&mut keyed_batch(1, 5, 10, Some(1)), 0, 0)
                .unwrap();
        }
        assert_eq!(log.compact(0).unwrap().first_uncleanable_offset, 0);
    }
}

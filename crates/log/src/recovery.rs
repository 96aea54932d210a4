//! Opening a log (Kafka's `LogLoader`): load segments, finish or undo
//! half-done file operations, and — after an unclean shutdown — validate
//! everything past the recovery point, cutting a torn or corrupt tail.

use std::collections::BTreeMap;

use crate::checkpoint::{self, CLEAN_SHUTDOWN_FILE, LOG_START_OFFSET_FILE, RECOVERY_POINT_FILE};
use crate::config::LogConfig;
use crate::epoch::{LeaderEpochFileCache, CHECKPOINT_FILE};
use crate::error::LogError;
use crate::log::Log;
use crate::producer_state::ProducerStateManager;
use crate::segment::{
    parse_file_name, LogSegment, CLEANED_SUFFIX, DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX,
    SWAP_SUFFIX, TIME_INDEX_SUFFIX,
};
use crate::storage::{path, Storage};

/// What opening the log found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// The clean shutdown marker was present: no validation was needed.
    pub clean_shutdown: bool,
    pub segments_loaded: usize,
    /// Segments whose batches were validated (those past the recovery point).
    pub segments_recovered: usize,
    /// Bytes cut from the end of the log (torn writes, corruption), counting
    /// whole segments deleted after the cut.
    pub bytes_truncated: u64,
    /// Where the first invalid byte was: file path, position, why.
    pub truncated_at: Option<(String, u64, String)>,
    /// Base offsets of segments deleted because they followed a cut.
    pub deleted_segments: Vec<i64>,
    /// Index files rebuilt (missing or failing the sanity check), with why.
    pub rebuilt_indexes: Vec<String>,
    /// Leftover files removed or renamed (`.cleaned`, `.deleted`, `.swap`, orphans).
    pub cleaned_up_files: Vec<String>,
    /// A checkpoint that could not be read (and was rebuilt), with why.
    pub bad_checkpoints: Vec<String>,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub recovery_point: i64,
}

fn read_offset_checkpoint(
    st: &dyn Storage,
    dir: &str,
    name: &str,
    report: &mut RecoveryReport,
) -> Option<i64> {
    let bytes = st.read(dir, name).ok()?;
    match checkpoint::decode(&bytes) {
        Ok(o) => Some(o),
        Err(e) => {
            report
                .bad_checkpoints
                .push(format!("{}: {e}", path(dir, name)));
            None
        }
    }
}

impl RecoveryReport {
    /// Whether opening had anything to say (worth showing in the UI).
    pub fn is_interesting(&self) -> bool {
        !self.clean_shutdown
            || self.bytes_truncated > 0
            || !self.rebuilt_indexes.is_empty()
            || !self.cleaned_up_files.is_empty()
            || !self.bad_checkpoints.is_empty()
    }
}

/// Finishes or undoes half-done file operations: a `.swap` is a finished
/// cleaner output that replaces its segment; `.cleaned` and `.deleted` files
/// are dropped, and so are index files without a log. Returns the base
/// offsets of the `.log` files, sorted.
fn finish_interrupted_operations(
    st: &mut dyn Storage,
    dir: &str,
    names: &[String],
    report: &mut RecoveryReport,
) -> Result<Vec<i64>, LogError> {
    let mut logs = Vec::new();
    for name in names {
        let Some((base, suffix)) = parse_file_name(name) else {
            continue;
        };
        if suffix.ends_with(CLEANED_SUFFIX) || suffix.ends_with(DELETED_SUFFIX) {
            st.delete(dir, name)?;
            report.cleaned_up_files.push(name.clone());
        } else if let Some(real) = suffix.strip_suffix(SWAP_SUFFIX) {
            let target = format!("{}{real}", &name[..20]);
            st.rename(dir, name, &target)?;
            report.cleaned_up_files.push(name.clone());
            if real == LOG_SUFFIX {
                logs.push(base);
            }
        } else if suffix == LOG_SUFFIX {
            logs.push(base);
        }
    }
    logs.sort_unstable();
    logs.dedup();
    for name in st.list(dir)? {
        if let Some((base, suffix)) = parse_file_name(&name) {
            if (suffix == INDEX_SUFFIX || suffix == TIME_INDEX_SUFFIX)
                && logs.binary_search(&base).is_err()
            {
                st.delete(dir, &name)?;
                report.cleaned_up_files.push(name);
            }
        }
    }
    Ok(logs)
}

/// The leader epoch checkpoint, `None` when missing or unreadable (then
/// every batch's epoch is replayed).
fn read_epoch_checkpoint(
    st: &dyn Storage,
    dir: &str,
    report: &mut RecoveryReport,
) -> Option<LeaderEpochFileCache> {
    let bytes = st.read(dir, CHECKPOINT_FILE).ok()?;
    match LeaderEpochFileCache::from_checkpoint(&bytes) {
        Ok(c) => Some(c),
        Err((line, why)) => {
            report
                .bad_checkpoints
                .push(format!("{} line {line}: {why}", path(dir, CHECKPOINT_FILE)));
            None
        }
    }
}

/// A batch's leader epoch starts a new cache entry when it is the newest yet.
fn note_epoch(cache: &mut LeaderEpochFileCache, h: &protocol::BatchHeader) {
    let e = h.partition_leader_epoch;
    if e >= 0 && cache.latest_epoch().is_none_or(|l| e > l) {
        cache.assign(e, h.base_offset);
    }
}

/// Validates the segments from `first` on (all of them after an unclean
/// shutdown starting at the recovery point's segment) and those with broken
/// indexes. A cut at or after `first` deletes every later segment, as Kafka
/// deletes the unflushed segments after a corrupt one.
fn recover_segments(
    st: &mut dyn Storage,
    dir: &str,
    segments: &mut BTreeMap<i64, LogSegment>,
    first: i64,
    broken_indexes: &[i64],
    cache: &mut LeaderEpochFileCache,
    report: &mut RecoveryReport,
) -> Result<(), LogError> {
    let mut to_check: Vec<i64> = segments.range(first..).map(|(&b, _)| b).collect();
    to_check.extend(broken_indexes.iter().filter(|&&b| b < first));
    to_check.sort_unstable();
    let mut cut = false;
    for base in to_check {
        if cut {
            let seg = segments.remove(&base).expect("segment");
            report.bytes_truncated += seg.size() as u64;
            report.deleted_segments.push(base);
            seg.delete(st, dir)?;
            continue;
        }
        let seg = segments.get_mut(&base).expect("segment");
        let r = seg.recover(st, dir, &mut |h, _| note_epoch(cache, h))?;
        report.segments_recovered += 1;
        if r.truncated_bytes > 0 {
            report.bytes_truncated += r.truncated_bytes as u64;
            let (pos, why) = r.problem.unwrap_or((r.valid_bytes, String::new()));
            report.truncated_at = Some((path(dir, seg.log_file_name()), pos as u64, why));
            // A cut in flushed data (a broken index below the recovery
            // point) leaves later segments alone.
            cut = base >= first;
        }
    }
    Ok(())
}

/// Offsets must keep increasing across segments; a segment starting below
/// its predecessor's end can only come from a broken store.
fn check_continuity(dir: &str, segments: &BTreeMap<i64, LogSegment>) -> Result<(), LogError> {
    let mut prev_end = i64::MIN;
    for seg in segments.values() {
        if seg.base_offset() < prev_end {
            return Err(LogError::CorruptFile {
                path: path(dir, seg.log_file_name()),
                position: 0,
                reason: format!(
                    "segment starts at {}, below the previous segment's end {prev_end}",
                    seg.base_offset()
                ),
            });
        }
        prev_end = seg.next_offset();
    }
    Ok(())
}

impl<S: Storage> Log<S> {
    /// Opens (or creates) the log in partition directory `dir`.
    pub fn open(
        mut storage: S,
        dir: &str,
        config: LogConfig,
        now: i64,
    ) -> Result<(Log<S>, RecoveryReport), LogError> {
        let st: &mut dyn Storage = &mut storage;
        let mut report = RecoveryReport::default();
        let names = st.list(dir)?;
        report.clean_shutdown = names.iter().any(|n| n == CLEAN_SHUTDOWN_FILE);
        let logs = finish_interrupted_operations(st, dir, &names, &mut report)?;

        let mut segments = BTreeMap::new();
        let mut broken_indexes = Vec::new();
        for &base in &logs {
            let (seg, problem) = LogSegment::load(st, dir, base, &config, now)?;
            if let Some(p) = problem {
                report.rebuilt_indexes.push(p);
                broken_indexes.push(base);
            }
            segments.insert(base, seg);
        }
        report.segments_loaded = segments.len();

        let checkpointed_start =
            read_offset_checkpoint(st, dir, LOG_START_OFFSET_FILE, &mut report);
        let recovery_point =
            read_offset_checkpoint(st, dir, RECOVERY_POINT_FILE, &mut report).unwrap_or(0);
        let checkpointed_epochs = read_epoch_checkpoint(st, dir, &mut report);
        let rebuild_epochs = checkpointed_epochs.is_none();
        let mut cache = checkpointed_epochs.unwrap_or_default();

        // Kafka recovers the segment holding the recovery point and all
        // after it when the shutdown was not clean.
        let first = if report.clean_shutdown {
            i64::MAX
        } else {
            segments
                .range(..=recovery_point)
                .next_back()
                .map_or(i64::MIN, |(&b, _)| b)
        };
        recover_segments(
            st,
            dir,
            &mut segments,
            first,
            &broken_indexes,
            &mut cache,
            &mut report,
        )?;
        check_continuity(dir, &segments)?;

        if segments.is_empty() {
            let start = checkpointed_start.unwrap_or(0).max(0);
            segments.insert(start, LogSegment::create(st, dir, start, &config, now)?);
        }
        let first_base = *segments.keys().next().expect("segment");
        let log_end_offset = segments
            .values()
            .next_back()
            .expect("segment")
            .next_offset();
        let log_start_offset = checkpointed_start
            .unwrap_or(first_base)
            .max(first_base)
            .min(log_end_offset);

        if rebuild_epochs {
            for seg in segments.values() {
                for (_, h) in seg.batches() {
                    note_epoch(&mut cache, &h);
                }
            }
        }
        cache.truncate_from_end(log_end_offset);
        cache.truncate_from_start(log_start_offset);

        let mut log = Log {
            dir: dir.to_string(),
            config,
            storage,
            segments,
            log_start_offset,
            high_watermark: log_start_offset,
            recovery_point: recovery_point.clamp(log_start_offset, log_end_offset),
            last_flush_time: now,
            epoch_cache: cache,
            producer_state: ProducerStateManager::new(),
        };
        log.rebuild_producer_state();
        log.write_epoch_checkpoint()?;
        // What was validated (or trusted after a clean shutdown) is made
        // durable, so the recovery point can move to the LEO.
        log.flush(now)?;
        log.storage.delete(dir, CLEAN_SHUTDOWN_FILE)?;
        report.log_start_offset = log.log_start_offset;
        report.log_end_offset = log.log_end_offset();
        report.recovery_point = log.recovery_point;
        Ok((log, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::*;
    use crate::{MemoryStorage, Shared};

    fn filled(st: &Shared<MemoryStorage>, cfg: LogConfig, batches: usize) -> MemLog {
        let (mut log, _) = open(st, cfg, 0);
        for i in 0..batches {
            log.append_as_leader(&mut batch(2, 40, i as i64), 1 + (i / 4) as i32, 0)
                .unwrap();
        }
        log
    }

    #[test]
    fn clean_shutdown_skips_recovery_and_keeps_everything() {
        let st = Shared::new(MemoryStorage::new());
        let log = filled(&st, config(&[("segment.bytes", "500")]), 10);
        let entries = log.leader_epoch_cache().entries();
        log.close(0).unwrap();
        st.borrow_mut().power_off();
        let (log, r) = open(&st, config(&[("segment.bytes", "500")]), 0);
        assert!(r.clean_shutdown);
        assert_eq!(r.segments_recovered, 0);
        assert_eq!(log.log_end_offset(), 20);
        assert_eq!(log.leader_epoch_cache().entries(), entries);
        assert!(st
            .borrow()
            .cached(&format!("{DIR}/{CLEAN_SHUTDOWN_FILE}"))
            .is_none());
    }

    #[test]
    fn crash_keeps_the_page_cache_power_off_keeps_only_flushed_data() {
        let st = Shared::new(MemoryStorage::new());
        let mut log = filled(&st, LogConfig::default(), 4);
        log.flush(0).unwrap();
        log.append_as_leader(&mut batch(2, 40, 0), 1, 0).unwrap();
        drop(log.into_storage());
        let snapshot = st.borrow().clone();
        st.borrow_mut().crash();
        let (log, r) = open(&st, LogConfig::default(), 0);
        assert!(!r.clean_shutdown);
        assert_eq!(r.bytes_truncated, 0);
        assert_eq!(log.log_end_offset(), 10);
        drop(log);
        *st.borrow_mut() = snapshot;
        st.borrow_mut().power_off();
        let (log, r) = open(&st, LogConfig::default(), 0);
        assert_eq!(log.log_end_offset(), 8);
        assert_eq!(r.recovery_point, 8);
    }

    #[test]
    fn torn_tail_is_cut_and_reported() {
        let st = Shared::new(MemoryStorage::new());
        let cfg = config(&[("segment.bytes", "400")]);
        let log = filled(&st, cfg.clone(), 12);
        let segs: Vec<(i64, usize)> = log
            .segments()
            .map(|s| (s.base_offset(), s.size()))
            .collect();
        assert!(segs.len() >= 3);
        drop(log.into_storage());
        // Corrupt the middle of the second-to-last segment: it is cut there
        // and the last segment (after the cut) is deleted.
        let (base, size) = segs[segs.len() - 2];
        let p = format!("{DIR}/{:020}.log", base);
        let batch_size = size / 2;
        st.borrow_mut().corrupt(&p, batch_size + 70, &[0xde, 0xad]);
        let (log, r) = open(&st, cfg.clone(), 0);
        assert!(!r.clean_shutdown);
        let (path, pos, why) = r.truncated_at.clone().unwrap();
        assert_eq!(path, p);
        assert_eq!(pos as usize, batch_size);
        assert!(why.contains("CRC"), "{why}");
        assert_eq!(r.deleted_segments, vec![segs[segs.len() - 1].0]);
        assert_eq!(
            r.bytes_truncated as usize,
            size - batch_size + segs[segs.len() - 1].1
        );
        assert_eq!(log.log_end_offset(), base + 2);
        assert!(log.latest_epoch().unwrap() <= 3);
        // A torn write (half a batch) at the very end.
        let mut log = log;
        log.append_as_leader(&mut batch(2, 40, 0), 9, 0).unwrap();
        let active = log.active_segment();
        let (p, len) = (format!("{DIR}/{}", active.log_file_name()), active.size());
        drop(log.into_storage());
        st.borrow_mut().chop(&p, len - 5);
        let (log, r) = open(&st, cfg, 0);
        assert_eq!(log.log_end_offset(), base + 2);
        assert!(r.bytes_truncated > 0);
        assert_eq!(
            log.latest_epoch(),
            Some(3),
            "epoch 9's entry went with its batch"
        );
    }

    #[test]
    fn corrupt_or_missing_indexes_are_rebuilt() {
        let st = Shared::new(MemoryStorage::new());
        let cfg = config(&[("index.interval.bytes", "100")]);
        let log = filled(&st, cfg.clone(), 10);
        let good: Vec<_> = log.active_segment().offset_index().entries().collect();
        assert!(!good.is_empty());
        log.close(0).unwrap();
        let idx = format!("{DIR}/00000000000000000000.index");
        st.borrow_mut().corrupt(&idx, 0, &[0x7f]);
        st.borrow_mut()
            .delete(DIR, "00000000000000000000.timeindex")
            .unwrap();
        let (log, r) = open(&st, cfg.clone(), 0);
        assert_eq!(r.rebuilt_indexes.len(), 1);
        assert!(
            r.rebuilt_indexes[0].contains(".index"),
            "{:?}",
            r.rebuilt_indexes
        );
        assert_eq!(
            log.active_segment()
                .offset_index()
                .entries()
                .collect::<Vec<_>>(),
            good
        );
        assert!(!log.active_segment().time_index().is_empty());
        assert_eq!(
            st.borrow().cached(&idx).unwrap(),
            log.active_segment().offset_index().to_bytes()
        );
    }

    #[test]
    fn leftovers_are_cleaned_and_swaps_completed() {
        let st = Shared::new(MemoryStorage::new());
        let log = filled(&st, LogConfig::default(), 2);
        drop(log.into_storage());
        {
            let mut s = st.borrow_mut();
            s.append(DIR, "00000000000000000000.log.cleaned", b"junk")
                .unwrap();
            s.append(DIR, "00000000000000000500.index", b"orphan!!")
                .unwrap();
        }
        let (log, r) = open(&st, LogConfig::default(), 0);
        assert_eq!(r.cleaned_up_files.len(), 2);
        assert_eq!(log.log_end_offset(), 4);
        assert_eq!(
            st.borrow()
                .list(DIR)
                .unwrap()
                .iter()
                .filter(|n| n.contains("500"))
                .count(),
            0
        );
    }

    #[test]
    fn garbage_checkpoints_are_reported_not_fatal() {
        let st = Shared::new(MemoryStorage::new());
        let log = filled(&st, LogConfig::default(), 5);
        let epochs = log.leader_epoch_cache().entries();
        drop(log.into_storage());
        st.borrow_mut()
            .write_file(DIR, CHECKPOINT_FILE, b"0\n2\nbad")
            .unwrap();
        st.borrow_mut()
            .write_file(DIR, RECOVERY_POINT_FILE, b"\xff")
            .unwrap();
        let (log, r) = open(&st, LogConfig::default(), 0);
        assert_eq!(r.bad_checkpoints.len(), 2, "{:?}", r.bad_checkpoints);
        assert_eq!(log.leader_epoch_cache().entries(), epochs);
    }

    #[test]
    fn log_start_offset_survives_reopen() {
        let st = Shared::new(MemoryStorage::new());
        let mut log = filled(&st, LogConfig::default(), 5);
        log.update_high_watermark(10);
        log.delete_records(3).unwrap();
        log.close(0).unwrap();
        let (log, _) = open(&st, LogConfig::default(), 0);
        assert_eq!(log.log_start_offset(), 3);
    }

    #[test]
    fn partitions_share_one_store_and_crash_together() {
        let st = Shared::new(MemoryStorage::new());
        let mut logs: Vec<Log<Box<dyn Storage>>> = ["a-0", "a-1"]
            .iter()
            .map(|dir| {
                let store: Box<dyn Storage> = Box::new(st.clone());
                Log::open(store, dir, LogConfig::default(), 0).unwrap().0
            })
            .collect();
        for (i, log) in logs.iter_mut().enumerate() {
            for _ in 0..=i {
                log.append_as_leader(&mut batch(1, 10, 0), 0, 0).unwrap();
            }
        }
        logs[1].flush(0).unwrap();
        drop(logs);
        st.borrow_mut().power_off();
        let leo = |dir: &str| {
            Log::open(st.clone(), dir, LogConfig::default(), 0)
                .unwrap()
                .0
                .log_end_offset()
        };
        assert_eq!((leo("a-0"), leo("a-1")), (0, 2));
    }
}

//! [`LeaderEpochFileCache`]: leader epoch → start offset, as Kafka keeps it
//! (KIP-101), with its `leader-epoch-checkpoint` text format. Pure: the
//! [`Log`](crate::Log) writes the checkpoint whenever a method reports a change.

use std::collections::BTreeMap;

/// Kafka's `UNDEFINED_EPOCH` / `UNDEFINED_EPOCH_OFFSET`.
pub const UNDEFINED_EPOCH: i32 = -1;
pub const UNDEFINED_EPOCH_OFFSET: i64 = -1;
pub const CHECKPOINT_FILE: &str = "leader-epoch-checkpoint";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEntry {
    pub epoch: i32,
    pub start_offset: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaderEpochFileCache {
    epochs: BTreeMap<i32, i64>,
}

impl LeaderEpochFileCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> Vec<EpochEntry> {
        self.epochs
            .iter()
            .map(|(&epoch, &start_offset)| EpochEntry {
                epoch,
                start_offset,
            })
            .collect()
    }

    pub fn latest_entry(&self) -> Option<EpochEntry> {
        self.epochs
            .last_key_value()
            .map(|(&epoch, &start_offset)| EpochEntry {
                epoch,
                start_offset,
            })
    }

    pub fn earliest_entry(&self) -> Option<EpochEntry> {
        self.epochs
            .first_key_value()
            .map(|(&epoch, &start_offset)| EpochEntry {
                epoch,
                start_offset,
            })
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.latest_entry().map(|e| e.epoch)
    }

    /// The epoch before the latest one.
    pub fn previous_epoch(&self) -> Option<i32> {
        let latest = self.latest_epoch()?;
        self.previous_epoch_of(latest)
    }

    /// The greatest epoch below `epoch`.
    pub fn previous_epoch_of(&self, epoch: i32) -> Option<i32> {
        self.epochs.range(..epoch).next_back().map(|(&e, _)| e)
    }

    /// The smallest epoch above `epoch`.
    pub fn next_epoch(&self, epoch: i32) -> Option<i32> {
        self.epochs
            .range(epoch.saturating_add(1)..)
            .next()
            .filter(|_| epoch < i32::MAX)
            .map(|(&e, _)| e)
    }

    /// Kafka's `epochForOffset`: the epoch an offset was written in (the
    /// entry starting exactly there, else the latest one starting before it).
    pub fn epoch_for_offset(&self, offset: i64) -> Option<i32> {
        let mut previous = None;
        for (&e, &o) in &self.epochs {
            if o == offset {
                return Some(e);
            }
            if o > offset {
                return previous;
            }
            previous = Some(e);
        }
        previous
    }

    pub fn epoch_entry(&self, epoch: i32) -> Option<EpochEntry> {
        self.epochs.get(&epoch).map(|&start_offset| EpochEntry {
            epoch,
            start_offset,
        })
    }

    /// Records that `epoch` starts at `start_offset`. A no-op for the latest
    /// epoch unless the offset moves back; otherwise entries that are not
    /// below it in both epoch and offset are removed first (they belong to a
    /// history that has been truncated). Returns whether anything changed.
    /// Negative values are ignored (Kafka throws `IllegalArgumentException`).
    pub fn assign(&mut self, epoch: i32, start_offset: i64) -> bool {
        if epoch < 0 || start_offset < 0 {
            return false;
        }
        if let Some(latest) = self.latest_entry() {
            if latest.epoch == epoch && start_offset >= latest.start_offset {
                return false;
            }
        }
        while let Some((&e, &o)) = self.epochs.last_key_value() {
            if e >= epoch || o >= start_offset {
                self.epochs.remove(&e);
            } else {
                break;
            }
        }
        self.epochs.insert(epoch, start_offset);
        true
    }

    /// Kafka's `endOffsetFor`: the greatest epoch <= `requested` and the start
    /// offset of the next epoch after it (the LEO for the latest epoch).
    pub fn end_offset_for(&self, requested: i32, log_end_offset: i64) -> (i32, i64) {
        if requested == UNDEFINED_EPOCH {
            return (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        if self.latest_epoch() == Some(requested) {
            return (requested, log_end_offset);
        }
        let higher = self
            .epochs
            .range(requested.saturating_add(1)..)
            .next()
            .filter(|_| requested < i32::MAX);
        let Some((_, &higher_start)) = higher else {
            return (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        };
        match self.epochs.range(..=requested).next_back() {
            // Below every known epoch: the data is gone; answer with the first
            // known epoch's start so the follower replicates from there.
            None => (requested, higher_start),
            Some((&floor, _)) => (floor, higher_start),
        }
    }

    /// Removes entries starting at or after `end_offset` (log truncation).
    pub fn truncate_from_end(&mut self, end_offset: i64) -> bool {
        if end_offset < 0 {
            return false;
        }
        let before = self.epochs.len();
        self.epochs.retain(|_, &mut o| o < end_offset);
        before != self.epochs.len()
    }

    /// Drops entries wholly below `start_offset` (the log start moved up);
    /// the epoch holding it is kept, starting at `start_offset`.
    pub fn truncate_from_start(&mut self, start_offset: i64) -> bool {
        if start_offset < 0 {
            return false;
        }
        let mut last_removed = None;
        while let Some((&e, &o)) = self.epochs.first_key_value() {
            if o <= start_offset {
                self.epochs.remove(&e);
                last_removed = Some((e, o));
            } else {
                break;
            }
        }
        match last_removed {
            Some((e, _)) => {
                self.epochs.insert(e, start_offset);
                true
            }
            None => false,
        }
    }

    pub fn clear(&mut self) -> bool {
        let changed = !self.epochs.is_empty();
        self.epochs.clear();
        changed
    }

    /// The `leader-epoch-checkpoint` file: version 0, the count, then one
    /// "epoch startOffset" line per entry.
    pub fn to_checkpoint(&self) -> String {
        let mut s = format!("0\n{}\n", self.epochs.len());
        for (e, o) in &self.epochs {
            s.push_str(&format!("{e} {o}\n"));
        }
        s
    }

    /// Parses a checkpoint; the error names the line (1-based) and the problem.
    pub fn from_checkpoint(text: &[u8]) -> Result<Self, (usize, String)> {
        let text = std::str::from_utf8(text).map_err(|_| (1, "not UTF-8 text".to_string()))?;
        let mut lines = text.lines();
        let version = lines.next().ok_or((1, "empty checkpoint".to_string()))?;
        if version.trim() != "0" {
            return Err((
                1,
                format!("unsupported checkpoint version {version:?} (expected 0)"),
            ));
        }
        let count: usize = lines
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or((2, "missing or malformed entry count".to_string()))?;
        let mut cache = LeaderEpochFileCache::new();
        for i in 0..count {
            let line_no = i + 3;
            let line = lines
                .next()
                .ok_or((line_no, format!("expected {count} entries, found {i}")))?;
            let mut parts = line.split_whitespace();
            let parsed = (|| {
                let e: i32 = parts.next()?.parse().ok()?;
                let o: i64 = parts.next()?.parse().ok()?;
                parts.next().is_none().then_some((e, o))
            })();
            let (e, o) = parsed.ok_or((line_no, format!("malformed line {line:?}")))?;
            cache.assign(e, o);
        }
        if lines.any(|l| !l.trim().is_empty()) {
            return Err((count + 3, format!("more lines than the count {count}")));
        }
        Ok(cache)
    }
}

#[cfg(test)]
mod tests {
    //! Ported from Kafka's `LeaderEpochFileCacheTest`.
    use super::*;

    const UNDEF: (i32, i64) = (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);

    fn cache(entries: &[(i32, i64)]) -> LeaderEpochFileCache {
        let mut c = LeaderEpochFileCache::new();
        for &(e, o) in entries {
            c.assign(e, o);
        }
        c
    }

    fn list(c: &LeaderEpochFileCache) -> Vec<(i32, i64)> {
        c.entries()
            .iter()
            .map(|e| (e.epoch, e.start_offset))
            .collect()
    }

    #[test]
    fn previous_epoch() {
        let mut c = LeaderEpochFileCache::new();
        assert_eq!(c.previous_epoch(), None);
        c.assign(2, 10);
        assert_eq!(c.previous_epoch(), None);
        c.assign(4, 15);
        assert_eq!(c.previous_epoch(), Some(2));
        c.assign(10, 20);
        assert_eq!(c.previous_epoch(), Some(4));
        c.truncate_from_end(18);
        assert_eq!(c.previous_epoch(), Some(2));
    }

    #[test]
    fn should_add_epoch_and_message_offset_to_cache() {
        let c = cache(&[(2, 10)]);
        assert_eq!(c.latest_epoch(), Some(2));
        assert_eq!(list(&c), vec![(2, 10)]);
        assert_eq!(c.end_offset_for(2, 11), (2, 11));
    }

    #[test]
    fn should_return_log_end_offset_if_latest_epoch_requested() {
        let c = cache(&[(2, 11), (2, 12)]);
        assert_eq!(c.end_offset_for(2, 14), (2, 14));
    }

    #[test]
    fn undefined_epoch_requested_gives_undefined() {
        let c = cache(&[(2, 11), (3, 12)]);
        assert_eq!(c.end_offset_for(UNDEFINED_EPOCH, 0), UNDEF);
        assert_eq!(
            LeaderEpochFileCache::new().end_offset_for(UNDEFINED_EPOCH, 73),
            UNDEF
        );
    }

    #[test]
    fn should_not_overwrite_offset_once_assigned() {
        let c = cache(&[(2, 9), (2, 10)]);
        assert_eq!(list(&c), vec![(2, 9)]);
        let c = cache(&[(2, 6), (2, 10)]);
        assert_eq!(list(&c), vec![(2, 6)]);
        let mut c = cache(&[(2, 6)]);
        assert!(!c.assign(2, 7));
        assert_eq!(list(&c), vec![(2, 6)]);
    }

    #[test]
    fn should_enforce_monotonically_increasing_start_offsets() {
        assert_eq!(list(&cache(&[(2, 9), (3, 9)])), vec![(3, 9)]);
        assert_eq!(list(&cache(&[(2, 6), (3, 5)])), vec![(3, 5)]);
    }

    #[test]
    fn should_return_unsupported_if_no_epoch_recorded() {
        assert_eq!(LeaderEpochFileCache::new().end_offset_for(0, 0), UNDEF);
        assert_eq!(LeaderEpochFileCache::new().end_offset_for(7, 0), UNDEF);
    }

    #[test]
    fn should_return_first_epoch_if_requested_epoch_less_than_first_epoch() {
        let c = cache(&[(5, 11), (6, 12), (7, 13)]);
        assert_eq!(c.end_offset_for(4, 0), (4, 11));
    }

    #[test]
    fn should_truncate_if_matching_epoch_but_earlier_starting_offset() {
        let c = cache(&[(5, 11), (6, 12), (7, 13), (7, 12)]);
        assert_eq!(c.end_offset_for(5, 0), (5, 12));
        assert_eq!(c.end_offset_for(6, 0), (5, 12));
    }

    #[test]
    fn should_get_first_offset_of_subsequent_epoch() {
        let c = cache(&[(1, 11), (1, 12), (2, 13), (2, 14), (3, 15), (3, 16)]);
        assert_eq!(c.end_offset_for(2, 17), (2, 15));
    }

    #[test]
    fn should_return_next_available_epoch_if_no_exact_epoch() {
        let c = cache(&[(0, 10), (2, 13), (4, 17)]);
        assert_eq!(c.end_offset_for(1, 0), (0, 13));
        assert_eq!(c.end_offset_for(2, 0), (2, 17));
        assert_eq!(c.end_offset_for(3, 0), (2, 17));
    }

    #[test]
    fn untracked_higher_epoch_is_undefined() {
        assert_eq!(cache(&[(2, 100)]).end_offset_for(3, 100), UNDEF);
    }

    #[test]
    fn should_support_epochs_that_do_not_start_from_zero() {
        let c = cache(&[(2, 6)]);
        assert_eq!(c.end_offset_for(2, 7), (2, 7));
        assert_eq!(list(&c), vec![(2, 6)]);
    }

    #[test]
    fn should_persist_epochs_between_instances() {
        let c = cache(&[(2, 6)]);
        let text = c.to_checkpoint();
        assert_eq!(text, "0\n1\n2 6\n");
        assert_eq!(
            LeaderEpochFileCache::from_checkpoint(text.as_bytes()).unwrap(),
            c
        );
    }

    #[test]
    fn should_enforce_monotonically_increasing_epochs() {
        let c = cache(&[(1, 5), (2, 6), (1, 7)]);
        assert_eq!(c.latest_epoch(), Some(1));
        assert_eq!(c.end_offset_for(1, 8), (1, 8));
        assert_eq!(c.end_offset_for(2, 8), UNDEF);
        assert_eq!(list(&c), vec![(1, 7)]);
    }

    #[test]
    fn should_increase_and_track_epochs_as_leaders_change_many_times() {
        let mut c = cache(&[(0, 0), (1, 0)]);
        assert_eq!(c.latest_epoch(), Some(1));
        assert_eq!(c.end_offset_for(1, 0), (1, 0));
        assert_eq!(c.end_offset_for(0, 0), (0, 0));
        assert_eq!(c.end_offset_for(1, 5), (1, 5));
        assert_eq!(c.end_offset_for(0, 5), (0, 0));
        c.assign(2, 5);
        assert_eq!(c.end_offset_for(2, 10), (2, 10));
        assert_eq!(c.end_offset_for(1, 10), (1, 5));
        assert_eq!(c.end_offset_for(0, 10), (0, 0));
    }

    #[test]
    fn should_increase_and_track_epochs_as_follower_receives_many_messages() {
        let c = cache(&[
            (0, 0),
            (0, 1),
            (0, 2),
            (1, 3),
            (1, 4),
            (1, 5),
            (2, 6),
            (2, 7),
            (2, 8),
        ]);
        assert_eq!(c.latest_epoch(), Some(2));
        assert_eq!(c.end_offset_for(2, 9), (2, 9));
        assert_eq!(c.end_offset_for(0, 9), (0, 3));
        assert_eq!(c.end_offset_for(1, 9), (1, 6));
    }

    #[test]
    fn truncate_from_end_cases() {
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_end(8);
        assert_eq!(list(&c), vec![(2, 6)]);
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_end(9);
        assert_eq!(c.latest_epoch(), Some(3));
        assert_eq!(list(&c), vec![(2, 6), (3, 8)]);
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        assert!(!c.truncate_from_end(UNDEFINED_EPOCH_OFFSET));
        assert_eq!(list(&c).len(), 3);
        assert!(!LeaderEpochFileCache::new().truncate_from_end(7));
    }

    #[test]
    fn truncate_from_start_cases() {
        let base = [(2, 6), (3, 8), (4, 11)];
        let cases: &[(i64, &[(i32, i64)])] = &[
            (8, &[(3, 8), (4, 11)]),
            (1, &[(2, 6), (3, 8), (4, 11)]),
            (6, &[(2, 6), (3, 8), (4, 11)]),
            (11, &[(4, 11)]),
            (9, &[(3, 9), (4, 11)]),
            (15, &[(4, 15)]),
            (UNDEFINED_EPOCH_OFFSET, &[(2, 6), (3, 8), (4, 11)]),
        ];
        for &(offset, expected) in cases {
            let mut c = cache(&base);
            c.truncate_from_start(offset);
            assert_eq!(list(&c), expected, "truncate_from_start({offset})");
        }
        let mut c = cache(&[(0, 0), (1, 7), (2, 10)]);
        c.truncate_from_start(5);
        assert_eq!(list(&c), vec![(0, 5), (1, 7), (2, 10)]);
        assert!(!LeaderEpochFileCache::new().truncate_from_start(7));
    }

    #[test]
    fn should_clear_all_entries() {
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        assert!(c.clear());
        assert!(c.entries().is_empty());
    }

    #[test]
    fn find_previous_and_next_epoch() {
        let mut c = LeaderEpochFileCache::new();
        assert_eq!(c.previous_epoch_of(2), None);
        c.assign(2, 10);
        assert_eq!(c.previous_epoch_of(2), None);
        c.assign(4, 15);
        assert_eq!(c.previous_epoch_of(4), Some(2));
        c.assign(10, 20);
        assert_eq!(c.previous_epoch_of(10), Some(4));
        assert_eq!(c.previous_epoch_of(5), Some(4));
        assert_eq!(c.next_epoch(2), Some(4));
        assert_eq!(c.next_epoch(10), None);
        assert_eq!(c.next_epoch(i32::MAX), None);
    }

    #[test]
    fn malformed_checkpoints_name_the_line() {
        assert_eq!(
            LeaderEpochFileCache::from_checkpoint(b"1\n0\n")
                .unwrap_err()
                .0,
            1
        );
        assert_eq!(
            LeaderEpochFileCache::from_checkpoint(b"0\nx\n")
                .unwrap_err()
                .0,
            2
        );
        assert_eq!(
            LeaderEpochFileCache::from_checkpoint(b"0\n2\n1 5\n")
                .unwrap_err()
                .0,
            4
        );
        assert_eq!(
            LeaderEpochFileCache::from_checkpoint(b"0\n1\n1 five\n")
                .unwrap_err()
                .0,
            3
        );
        assert_eq!(
            LeaderEpochFileCache::from_checkpoint(b"0\n1\n1 5\n2 6\n")
                .unwrap_err()
                .0,
            4
        );
    }
}

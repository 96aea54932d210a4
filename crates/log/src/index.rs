//! The sparse `.index` (offset → position) and `.timeindex` (timestamp →
//! offset) of a segment, kept in memory as Vecs and persisted in Kafka's
//! file formats: big-endian `int32 relativeOffset, int32 position` (8 bytes)
//! and `int64 timestamp, int32 relativeOffset` (12 bytes).

use std::fmt;

pub const OFFSET_ENTRY_SIZE: usize = 8;
pub const TIME_ENTRY_SIZE: usize = 12;

/// An index file that fails the sanity check (Kafka's `CorruptIndexException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexCorruption {
    pub position: u64,
    pub reason: String,
}

impl fmt::Display for IndexCorruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.position, self.reason)
    }
}

fn corrupt(position: usize, reason: String) -> IndexCorruption {
    IndexCorruption {
        position: position as u64,
        reason,
    }
}

/// Greatest index `i` with `key(entries[i]) <= target`.
fn floor<T>(entries: &[T], target: i64, key: impl Fn(&T) -> i64) -> Option<usize> {
    let n = entries.partition_point(|e| key(e) <= target);
    n.checked_sub(1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetIndex {
    base_offset: i64,
    /// (relative offset, position), strictly increasing in offset.
    entries: Vec<(i32, i32)>,
    max_entries: usize,
}

impl OffsetIndex {
    pub fn new(base_offset: i64, max_entries: usize) -> Self {
        OffsetIndex {
            base_offset,
            entries: Vec::new(),
            max_entries,
        }
    }

    /// Parses and sanity-checks an `.index` file: whole entries only, offsets
    /// strictly increasing and not below the base, positions within the log
    /// and not decreasing. Allocates at most what `bytes` holds.
    pub fn from_bytes(
        base_offset: i64,
        bytes: &[u8],
        max_entries: usize,
        log_size: usize,
    ) -> Result<Self, IndexCorruption> {
        if !bytes.len().is_multiple_of(OFFSET_ENTRY_SIZE) {
            return Err(corrupt(
                bytes.len() - bytes.len() % OFFSET_ENTRY_SIZE,
                format!(
                    "index file size {} is not a multiple of {OFFSET_ENTRY_SIZE}",
                    bytes.len()
                ),
            ));
        }
        let mut entries = Vec::with_capacity(bytes.len() / OFFSET_ENTRY_SIZE);
        for (i, e) in bytes.chunks_exact(OFFSET_ENTRY_SIZE).enumerate() {
            let rel = i32::from_be_bytes(e[0..4].try_into().unwrap());
            let pos = i32::from_be_bytes(e[4..8].try_into().unwrap());
            let at = i * OFFSET_ENTRY_SIZE;
            if rel < 0 {
                return Err(corrupt(at, format!("relative offset {rel} is negative")));
            }
            if pos < 0 || (pos as usize >= log_size && !(pos == 0 && log_size == 0)) {
                return Err(corrupt(
                    at + 4,
                    format!("position {pos} is outside the log (size {log_size})"),
                ));
            }
            if let Some(&(prev_rel, prev_pos)) = entries.last() {
                if rel <= prev_rel {
                    return Err(corrupt(
                        at,
                        format!(
                            "offset {} is not above the previous entry's {}",
                            base_offset + rel as i64,
                            base_offset + prev_rel as i64
                        ),
                    ));
                }
                if pos < prev_pos {
                    return Err(corrupt(
                        at + 4,
                        format!("position {pos} is below the previous entry's {prev_pos}"),
                    ));
                }
            }
            entries.push((rel, pos));
        }
        Ok(OffsetIndex {
            base_offset,
            entries,
            max_entries,
        })
    }

    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_entries
    }

    /// Size of the index file in bytes.
    pub fn size_in_bytes(&self) -> usize {
        self.entries.len() * OFFSET_ENTRY_SIZE
    }

    /// The entries as (absolute offset, position).
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (i64, i32)> + '_ {
        self.entries
            .iter()
            .map(|&(r, p)| (self.base_offset + r as i64, p))
    }

    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The last entry's offset, `i64::MIN` when empty.
    pub fn last_offset_or_none(&self) -> i64 {
        self.entries
            .last()
            .map_or(i64::MIN, |&(r, _)| self.base_offset + r as i64)
    }

    pub fn last_offset(&self) -> i64 {
        self.entries
            .last()
            .map_or(self.base_offset, |&(r, _)| self.base_offset + r as i64)
    }

    /// Adds an entry and returns its file bytes. The caller guarantees the
    /// offset is above the last entry and fits (as Kafka asserts).
    pub fn append(&mut self, offset: i64, position: i32) -> [u8; OFFSET_ENTRY_SIZE] {
        let rel = (offset - self.base_offset) as i32;
        debug_assert!(self.entries.last().is_none_or(|&(r, _)| rel > r));
        self.entries.push((rel, position));
        let mut b = [0u8; OFFSET_ENTRY_SIZE];
        b[0..4].copy_from_slice(&rel.to_be_bytes());
        b[4..8].copy_from_slice(&position.to_be_bytes());
        b
    }

    /// Greatest entry with offset <= `target`, as (offset, position); the
    /// segment start when there is none.
    pub fn lookup(&self, target: i64) -> (i64, i32) {
        match floor(&self.entries, target, |&(r, _)| self.base_offset + r as i64) {
            Some(i) => (
                self.base_offset + self.entries[i].0 as i64,
                self.entries[i].1,
            ),
            None => (self.base_offset, 0),
        }
    }

    /// Removes entries with offset >= `offset`; returns the new file size.
    pub fn truncate_to(&mut self, offset: i64) -> usize {
        let keep = self
            .entries
            .partition_point(|&(r, _)| self.base_offset + (r as i64) < offset);
        self.entries.truncate(keep);
        self.size_in_bytes()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_in_bytes());
        for &(r, p) in &self.entries {
            out.extend_from_slice(&r.to_be_bytes());
            out.extend_from_slice(&p.to_be_bytes());
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeIndex {
    base_offset: i64,
    /// (timestamp, relative offset), timestamps strictly increasing.
    entries: Vec<(i64, i32)>,
    max_entries: usize,
}

impl TimeIndex {
    pub fn new(base_offset: i64, max_entries: usize) -> Self {
        TimeIndex {
            base_offset,
            entries: Vec::new(),
            max_entries,
        }
    }

    /// Parses and sanity-checks a `.timeindex` file.
    pub fn from_bytes(
        base_offset: i64,
        bytes: &[u8],
        max_entries: usize,
    ) -> Result<Self, IndexCorruption> {
        if !bytes.len().is_multiple_of(TIME_ENTRY_SIZE) {
            return Err(corrupt(
                bytes.len() - bytes.len() % TIME_ENTRY_SIZE,
                format!(
                    "time index file size {} is not a multiple of {TIME_ENTRY_SIZE}",
                    bytes.len()
                ),
            ));
        }
        let mut entries: Vec<(i64, i32)> = Vec::with_capacity(bytes.len() / TIME_ENTRY_SIZE);
        for (i, e) in bytes.chunks_exact(TIME_ENTRY_SIZE).enumerate() {
            let ts = i64::from_be_bytes(e[0..8].try_into().unwrap());
            let rel = i32::from_be_bytes(e[8..12].try_into().unwrap());
            let at = i * TIME_ENTRY_SIZE;
            if rel < 0 {
                return Err(corrupt(
                    at + 8,
                    format!("relative offset {rel} is negative"),
                ));
            }
            if let Some(&(pts, prel)) = entries.last() {
                if ts <= pts {
                    return Err(corrupt(
                        at,
                        format!("timestamp {ts} is not above the previous entry's {pts}"),
                    ));
                }
                if rel < prel {
                    return Err(corrupt(
                        at + 8,
                        format!(
                            "offset {} is below the previous entry's {}",
                            base_offset + rel as i64,
                            base_offset + prel as i64
                        ),
                    ));
                }
            }
            entries.push((ts, rel));
        }
        Ok(TimeIndex {
            base_offset,
            entries,
            max_entries,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_entries
    }

    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    pub fn size_in_bytes(&self) -> usize {
        self.entries.len() * TIME_ENTRY_SIZE
    }

    /// The entries as (timestamp, absolute offset).
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (i64, i64)> + '_ {
        self.entries
            .iter()
            .map(|&(t, r)| (t, self.base_offset + r as i64))
    }

    /// The last entry, or (-1, base offset) as Kafka's `lastEntry` when empty.
    pub fn last_entry(&self) -> (i64, i64) {
        self.entries
            .last()
            .map_or((-1, self.base_offset), |&(t, r)| {
                (t, self.base_offset + r as i64)
            })
    }

    /// Kafka's `maybeAppend`: adds (timestamp, offset) only when the timestamp
    /// grows; returns the entry's bytes when one was added.
    pub fn maybe_append(&mut self, timestamp: i64, offset: i64) -> Option<[u8; TIME_ENTRY_SIZE]> {
        let (last_ts, last_off) = self.last_entry();
        if timestamp <= last_ts || offset < last_off {
            return None;
        }
        let rel = (offset - self.base_offset) as i32;
        self.entries.push((timestamp, rel));
        let mut b = [0u8; TIME_ENTRY_SIZE];
        b[0..8].copy_from_slice(&timestamp.to_be_bytes());
        b[8..12].copy_from_slice(&rel.to_be_bytes());
        Some(b)
    }

    /// Greatest entry with timestamp <= `target`, as (timestamp, offset);
    /// (-1, base offset) when there is none.
    pub fn lookup(&self, target: i64) -> (i64, i64) {
        match floor(&self.entries, target, |&(t, _)| t) {
            Some(i) => (
                self.entries[i].0,
                self.base_offset + self.entries[i].1 as i64,
            ),
            None => (-1, self.base_offset),
        }
    }

    /// Removes entries with offset >= `offset`; returns the new file size.
    pub fn truncate_to(&mut self, offset: i64) -> usize {
        let keep = self
            .entries
            .partition_point(|&(_, r)| self.base_offset + (r as i64) < offset);
        self.entries.truncate(keep);
        self.size_in_bytes()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_in_bytes());
        for &(t, r) in &self.entries {
            out.extend_from_slice(&t.to_be_bytes());
            out.extend_from_slice(&r.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_lookup_finds_the_greatest_entry_not_above_the_target() {
        let mut idx = OffsetIndex::new(100, 10);
        idx.append(105, 40);
        idx.append(110, 90);
        assert_eq!(idx.lookup(99), (100, 0));
        assert_eq!(idx.lookup(104), (100, 0));
        assert_eq!(idx.lookup(105), (105, 40));
        assert_eq!(idx.lookup(109), (105, 40));
        assert_eq!(idx.lookup(1000), (110, 90));
        assert_eq!(idx.truncate_to(110), 8);
        assert_eq!(idx.lookup(1000), (105, 40));
    }

    #[test]
    fn offset_index_round_trips_kafkas_bytes() {
        let mut idx = OffsetIndex::new(100, 10);
        assert_eq!(idx.append(105, 40), [0, 0, 0, 5, 0, 0, 0, 40]);
        idx.append(300, 500);
        let back = OffsetIndex::from_bytes(100, &idx.to_bytes(), 10, 600).unwrap();
        assert_eq!(back, idx);
        assert_eq!(
            back.entries().collect::<Vec<_>>(),
            vec![(105, 40), (300, 500)]
        );
    }

    #[test]
    fn corrupt_offset_indexes_are_rejected_with_a_position() {
        assert_eq!(
            OffsetIndex::from_bytes(0, &[0; 12], 10, 100)
                .unwrap_err()
                .position,
            8
        );
        let bad = [0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 2];
        let e = OffsetIndex::from_bytes(0, &bad, 10, 100).unwrap_err();
        assert_eq!(e.position, 8);
        let bad = [0, 0, 0, 5, 0, 0, 1, 0];
        let e = OffsetIndex::from_bytes(0, &bad, 10, 100).unwrap_err();
        assert!(e.reason.contains("outside the log"), "{e}");
        let bad = [0xff, 0, 0, 5, 0, 0, 0, 0];
        assert!(OffsetIndex::from_bytes(0, &bad, 10, 100).is_err());
    }

    #[test]
    fn time_index_appends_only_growing_timestamps() {
        let mut t = TimeIndex::new(0, 10);
        assert!(t.maybe_append(50, 3).is_some());
        assert!(t.maybe_append(50, 7).is_none());
        assert!(t.maybe_append(40, 8).is_none());
        assert!(t.maybe_append(60, 9).is_some());
        assert_eq!(t.lookup(10), (-1, 0));
        assert_eq!(t.lookup(55), (50, 3));
        assert_eq!(t.lookup(60), (60, 9));
        let back = TimeIndex::from_bytes(0, &t.to_bytes(), 10).unwrap();
        assert_eq!(back, t);
        t.truncate_to(9);
        assert_eq!(t.last_entry(), (50, 3));
    }

    #[test]
    fn corrupt_time_indexes_are_rejected() {
        let mut t = TimeIndex::new(0, 10);
        t.maybe_append(50, 3);
        t.maybe_append(60, 4);
        let mut b = t.to_bytes();
        b[12..20].copy_from_slice(&10i64.to_be_bytes());
        assert_eq!(TimeIndex::from_bytes(0, &b, 10).unwrap_err().position, 12);
        assert_eq!(
            TimeIndex::from_bytes(0, &b[..13], 10).unwrap_err().position,
            12
        );
    }

    // After Kafka's OffsetIndexTest.randomLookupTest and TimeIndexTest:
    // lookups agree with a sorted map's floor entry.
    proptest::proptest! {
        #[test]
        fn offset_lookup_is_the_floor_entry(
            deltas in proptest::collection::vec(1i64..1000, 0..200),
            targets in proptest::collection::vec(0i64..250_000, 1..50),
        ) {
            let base = 45;
            let mut idx = OffsetIndex::new(base, 1000);
            let mut model = std::collections::BTreeMap::new();
            let (mut off, mut pos) = (base, 0);
            for d in deltas {
                off += d;
                pos += d as i32 * 3;
                idx.append(off, pos);
                model.insert(off, pos);
            }
            for t in targets {
                let expected = model.range(..=t).next_back().map_or((base, 0), |(&o, &p)| (o, p));
                proptest::prop_assert_eq!(idx.lookup(t), expected);
            }
            let back = OffsetIndex::from_bytes(base, &idx.to_bytes(), 1000, pos as usize + 1).unwrap();
            proptest::prop_assert_eq!(back, idx);
        }

        #[test]
        fn time_lookup_is_the_floor_entry(
            steps in proptest::collection::vec((-5i64..50, 0i64..10), 0..200),
            targets in proptest::collection::vec(-10i64..6000, 1..50),
        ) {
            let base = 100;
            let mut t = TimeIndex::new(base, 1000);
            let mut model = std::collections::BTreeMap::new();
            let (mut ts, mut off) = (0i64, base);
            for (dt, doff) in steps {
                ts += dt;
                off += doff;
                // Only growing timestamps make entries, as maybeAppend.
                let grew = ts > t.last_entry().0;
                proptest::prop_assert_eq!(t.maybe_append(ts, off).is_some(), grew);
                if grew {
                    model.insert(ts, off);
                }
            }
            for target in targets {
                let expected = model.range(..=target).next_back().map_or((-1, base), |(&ts, &o)| (ts, o));
                proptest::prop_assert_eq!(t.lookup(target), expected);
            }
        }
    }
}

//! The log's readers of stored files on arbitrary bytes: index and
//! checkpoint parsers, and opening (recovering) a partition whose segment,
//! index and time index files are slices of the input. No panic, no
//! allocation beyond what the input justifies; what parses must satisfy the
//! sanity checks' guarantees.
#![no_main]

use libfuzzer_sys::fuzz_target;
use log::index::{OffsetIndex, TimeIndex};
use log::{checkpoint, LeaderEpochFileCache, Log, LogConfig, MemoryStorage, Storage};

fuzz_target!(|data: &[u8]| {
    let base = 1000;
    if let Ok(idx) = OffsetIndex::from_bytes(base, data, usize::MAX, 1 << 20) {
        let entries: Vec<(i64, i32)> = idx.entries().collect();
        assert!(entries
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert_eq!(idx.to_bytes(), data);
        for &(o, _) in &entries {
            assert_eq!(idx.lookup(o).0, o);
        }
    }
    if let Ok(t) = TimeIndex::from_bytes(base, data, usize::MAX) {
        let entries: Vec<(i64, i64)> = t.entries().collect();
        assert!(entries
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert_eq!(t.to_bytes(), data);
    }
    if let Ok(c) = LeaderEpochFileCache::from_checkpoint(data) {
        let again = LeaderEpochFileCache::from_checkpoint(c.to_checkpoint().as_bytes());
        assert_eq!(again.as_ref(), Ok(&c));
    }
    let _ = checkpoint::decode(data);

    // Split the input into .log / .index / .timeindex files and open them.
    if data.len() < 2 {
        return;
    }
    let (a, b) = (data[0] as usize, data[1] as usize);
    let rest = &data[2..];
    let i = a.min(rest.len());
    let j = (i + b).min(rest.len());
    let mut st = MemoryStorage::new();
    let dir = "fuzz-0";
    st.write_file(dir, "00000000000000000000.index", &rest[..i])
        .unwrap();
    st.write_file(dir, "00000000000000000000.timeindex", &rest[i..j])
        .unwrap();
    st.write_file(dir, "00000000000000000000.log", &rest[j..])
        .unwrap();
    if let Ok((log, _)) = Log::open(st, dir, LogConfig::default(), 0) {
        let start = log.log_start_offset();
        for o in start..=log.log_end_offset().min(start + 64) {
            let _ = log.read(o, 4096, None, true);
        }
        let _ = log.fetch_offset_by_timestamp(0);
    }
});

//! Property tests over the public API: offsets, indexes, truncation,
//! recovery, retention and compaction invariants, and no panics on
//! arbitrary bytes.

use std::collections::HashMap;

use kafkascope_log::index::{OffsetIndex, TimeIndex};
use kafkascope_log::{
    checkpoint, LeaderEpochFileCache, Log, LogConfig, MemoryStorage, Shared, Storage,
};
use proptest::prelude::*;
use protocol::batch::{BatchHeader, RecordBatch, SimpleRecord};

const DIR: &str = "t-0";
type MemLog = Log<Shared<MemoryStorage>>;

fn cfg(pairs: &[(&str, &str)]) -> LogConfig {
    LogConfig::from_pairs(pairs.iter().copied()).unwrap()
}

fn open(st: &Shared<MemoryStorage>, c: LogConfig) -> MemLog {
    Log::open(st.clone(), DIR, c, 0).unwrap().0
}

fn batch(n: usize, value: usize, ts: i64, key: Option<&str>, tombstone: bool) -> Vec<u8> {
    let recs: Vec<SimpleRecord> = (0..n)
        .map(|i| SimpleRecord {
            timestamp: ts + i as i64,
            key: key.map(|k| k.as_bytes().to_vec()),
            value: (!tombstone).then(|| vec![b'v'; value]),
            headers: vec![],
        })
        .collect();
    RecordBatch::from_simple(0, &recs).encode()
}

/// Every batch header of the log by a linear scan, with its segment.
fn scan(log: &MemLog) -> Vec<(i64, BatchHeader)> {
    log.segments()
        .flat_map(|s| {
            s.batches()
                .map(move |(_, h)| (s.base_offset(), h))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn check_invariants(log: &MemLog) -> Result<(), TestCaseError> {
    let batches = scan(log);
    // Offsets strictly increase across the whole log.
    for w in batches.windows(2) {
        prop_assert!(w[0].1.last_offset() < w[1].1.base_offset);
    }
    let bases: Vec<i64> = log.segments().map(|s| s.base_offset()).collect();
    prop_assert!(bases.windows(2).all(|w| w[0] < w[1]));
    if let Some((_, last)) = batches.last() {
        prop_assert_eq!(log.log_end_offset(), last.next_offset());
    }
    prop_assert!(log.log_start_offset() <= log.log_end_offset());
    for s in log.segments() {
        // Index entries point at the batch ending at their offset.
        let entries: Vec<(i64, i32)> = s.offset_index().entries().collect();
        prop_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        for (off, pos) in entries {
            let h = BatchHeader::parse(&s.bytes()[pos as usize..]).unwrap();
            prop_assert_eq!(h.last_offset(), off);
        }
        let t: Vec<(i64, i64)> = s.time_index().entries().collect();
        prop_assert!(t.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
    }
    // Index lookup agrees with a linear scan for every offset in range.
    for target in log.log_start_offset()..log.log_end_offset() {
        let expected = batches
            .iter()
            .find(|(_, h)| h.last_offset() >= target)
            .map(|(_, h)| h.base_offset);
        let r = log.read(target, 1, None, true).unwrap();
        let got =
            (!r.records.is_empty()).then(|| BatchHeader::parse(r.records).unwrap().base_offset);
        prop_assert_eq!(got, expected, "read({})", target);
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Op {
    Append {
        records: usize,
        value: usize,
        epoch_bump: bool,
    },
    /// A replicated batch, `gap` offsets after the LEO (a compacted leader).
    Follow {
        records: usize,
        gap: u8,
    },
    Truncate(u8),
    Roll,
    Retain {
        hw: u8,
        now: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1usize..6, 0usize..120, any::<bool>()).prop_map(|(records, value, epoch_bump)| Op::Append { records, value, epoch_bump }),
        2 => (1usize..4, 0u8..3).prop_map(|(records, gap)| Op::Follow { records, gap }),
        1 => any::<u8>().prop_map(Op::Truncate),
        1 => Just(Op::Roll),
        1 => (any::<u8>(), 0i64..5000).prop_map(|(hw, now)| Op::Retain { hw, now }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_operations_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        let st = Shared::new(MemoryStorage::new());
        let mut log = open(&st, cfg(&[("segment.bytes", "1000"), ("index.interval.bytes", "150"), ("retention.ms", "2000"), ("retention.bytes", "2500")]));
        let mut epoch = 0;
        let mut ts = 0;
        for op in ops {
            let leo_before = log.log_end_offset();
            match op {
                Op::Append { records, value, epoch_bump } => {
                    epoch += epoch_bump as i32;
                    ts += 100;
                    let info = log.append_as_leader(&mut batch(records, value, ts, None, false), epoch, ts).unwrap();
                    prop_assert_eq!(info.first_offset, leo_before);
                    prop_assert_eq!(log.log_end_offset(), leo_before + records as i64);
                    prop_assert_eq!(log.end_offset_for_epoch(epoch), (epoch, log.log_end_offset()));
                }
                Op::Follow { records, gap } => {
                    ts += 100;
                    let mut b = batch(records, 20, ts, None, false);
                    let base = leo_before + gap as i64;
                    protocol::batch::set_base_offset(&mut b, base);
                    protocol::batch::set_partition_leader_epoch(&mut b, epoch);
                    let info = log.append_as_follower(&b, ts).unwrap();
                    prop_assert_eq!((info.first_offset, info.last_offset), (base, base + records as i64 - 1));
                    prop_assert_eq!(log.log_end_offset(), base + records as i64);
                    // Appending below the LEO is refused.
                    prop_assert!(log.append_as_follower(&b, ts).is_err());
                }
                Op::Truncate(t) => {
                    let target = log.log_start_offset() + t as i64 % (leo_before - log.log_start_offset() + 1);
                    log.truncate_to(target, ts).unwrap();
                    prop_assert!(log.log_end_offset() <= target.max(log.log_start_offset()));
                    prop_assert!(scan(&log).iter().all(|(_, h)| h.last_offset() < target.max(log.log_start_offset()) || target < log.log_start_offset()));
                    if let Some(e) = log.leader_epoch_cache().latest_entry() {
                        prop_assert!(e.start_offset <= log.log_end_offset());
                    }
                    // Re-appending continues at the new LEO.
                    let leo = log.log_end_offset();
                    let info = log.append_as_leader(&mut batch(1, 10, ts, None, false), epoch, ts).unwrap();
                    prop_assert_eq!(info.first_offset, leo);
                }
                Op::Roll => log.roll(0, ts).unwrap(),
                Op::Retain { hw, now } => {
                    let hw = log.log_start_offset() + hw as i64 % (leo_before - log.log_start_offset() + 1);
                    log.update_high_watermark(hw);
                    let above: Vec<(i64, i64)> = scan(&log).iter().filter(|(_, h)| h.last_offset() >= hw).map(|(_, h)| (h.base_offset, h.last_offset())).collect();
                    log.delete_old_segments(ts + now).unwrap();
                    prop_assert_eq!(log.log_end_offset(), leo_before);
                    prop_assert!(log.segments().len() >= 1);
                    prop_assert!(log.log_start_offset() <= hw.max(log.log_start_offset()));
                    // Nothing at or above the high watermark is ever deleted.
                    let after: Vec<(i64, i64)> = scan(&log).iter().map(|(_, h)| (h.base_offset, h.last_offset())).collect();
                    for b in above {
                        prop_assert!(after.contains(&b), "batch {:?} at/above hw {} deleted", b, hw);
                    }
                }
            }
            check_invariants(&log)?;
        }
        // A clean reopen sees the same log.
        let expected: Vec<_> = scan(&log).iter().map(|(b, h)| (*b, *h)).collect();
        let leo = log.log_end_offset();
        log.close(ts).unwrap();
        let log = open(&st, cfg(&[("segment.bytes", "1000"), ("index.interval.bytes", "150")]));
        prop_assert_eq!(log.log_end_offset(), leo);
        prop_assert_eq!(scan(&log), expected);
        check_invariants(&log)?;
    }

    #[test]
    fn recovery_keeps_exactly_the_valid_prefix(
        sizes in proptest::collection::vec((1usize..5, 0usize..80), 1..25),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        tear in any::<bool>(),
    ) {
        let st = Shared::new(MemoryStorage::new());
        let c = cfg(&[("segment.bytes", "900"), ("index.interval.bytes", "100")]);
        let mut log = open(&st, c.clone());
        for (i, (n, v)) in sizes.iter().enumerate() {
            log.append_as_leader(&mut batch(*n, *v, i as i64, None, false), 0, 0).unwrap();
        }
        // Pick a byte in the CRC-covered part of some batch (offsets and the
        // leader epoch sit outside the CRC, as in Kafka).
        let batches: Vec<(i64, usize, BatchHeader)> = log.segments()
            .flat_map(|s| s.batches().map(move |(p, h)| (s.base_offset(), p, h)).collect::<Vec<_>>())
            .collect();
        let (seg_base, pos, victim) = batches[at.index(batches.len())];
        drop(log.into_storage());
        let path = format!("{DIR}/{seg_base:020}.log");
        let size = victim.size_in_bytes();
        if tear {
            // A torn write: the file ends inside the victim batch.
            let cut = pos + 1 + (flip as usize % (size - 1));
            st.borrow_mut().chop(&path, cut);
            for (b, _, _) in batches.iter().filter(|(b, _, _)| *b > seg_base) {
                st.borrow_mut().delete(DIR, &format!("{b:020}.log")).unwrap();
            }
        } else {
            let off = protocol::batch::ATTRIBUTES_OFFSET + (flip as usize % (size - protocol::batch::ATTRIBUTES_OFFSET));
            let old = st.borrow().cached(&path).unwrap()[pos + off];
            st.borrow_mut().corrupt(&path, pos + off, &[old ^ flip]);
        }
        let (log, report) = Log::open(st.clone(), DIR, c, 0).unwrap();
        prop_assert_eq!(log.log_end_offset(), victim.base_offset);
        let kept: Vec<BatchHeader> = scan(&log).into_iter().map(|(_, h)| h).collect();
        let expected: Vec<BatchHeader> = batches.iter().map(|b| b.2).take_while(|h| h.base_offset < victim.base_offset).collect();
        prop_assert_eq!(kept, expected);
        prop_assert!(report.bytes_truncated > 0);
        check_invariants(&log)?;
    }

    #[test]
    fn compaction_keeps_the_last_value_per_key(writes in proptest::collection::vec((0u8..6, any::<bool>(), 0usize..30), 1..60), now in 0i64..10_000) {
        let st = Shared::new(MemoryStorage::new());
        let mut log = open(&st, cfg(&[("cleanup.policy", "compact"), ("segment.bytes", "400"), ("delete.retention.ms", "100")]));
        let mut model: HashMap<i64, (String, Option<usize>)> = HashMap::new();
        for (i, (k, tomb, v)) in writes.iter().enumerate() {
            let key = format!("k{k}");
            log.append_as_leader(&mut batch(1, *v, i as i64, Some(&key), *tomb), 0, 0).unwrap();
            model.insert(i as i64, (key, (!tomb).then_some(*v)));
        }
        log.update_high_watermark(log.log_end_offset());
        let end = log.first_uncleanable_offset(now);
        log.compact(now).unwrap();
        log.compact(now + 1000).unwrap();
        let mut seen: HashMap<i64, (String, Option<usize>)> = HashMap::new();
        for s in log.segments() {
            for (p, h) in s.batches() {
                let (b, _) = RecordBatch::decode(&s.bytes()[p..p + h.size_in_bytes()]).unwrap();
                for r in b.records {
                    let o = b.base_offset + r.offset_delta as i64;
                    seen.insert(o, (String::from_utf8(r.key.unwrap()).unwrap(), r.value.map(|v| v.len())));
                }
            }
        }
        // Kept records are unchanged at their original offsets.
        for (o, rec) in &seen {
            prop_assert_eq!(Some(rec), model.get(o));
        }
        for (o, (key, value)) in &model {
            let last_for_key = model.iter().filter(|(_, (k, _))| k == key).map(|(o, _)| *o).max().unwrap();
            if *o >= end {
                prop_assert!(seen.contains_key(o), "offset {} above the cleanable range was removed", o);
            } else if *o < last_for_key && last_for_key < end {
                prop_assert!(!seen.contains_key(o), "superseded offset {} kept", o);
            } else if *o == last_for_key && value.is_some() {
                prop_assert!(seen.contains_key(o), "latest value of {} at {} removed", key, o);
            }
        }
        prop_assert_eq!(log.log_end_offset(), writes.len() as i64);
        check_invariants(&log)?;
    }

    #[test]
    fn index_and_checkpoint_readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), base in any::<i64>(), log_size in any::<usize>()) {
        let _ = OffsetIndex::from_bytes(base, &bytes, 1000, log_size);
        let _ = TimeIndex::from_bytes(base, &bytes, 1000);
        let _ = LeaderEpochFileCache::from_checkpoint(&bytes);
        let _ = checkpoint::decode(&bytes);
    }

    #[test]
    fn open_never_panics_on_arbitrary_files(log_bytes in proptest::collection::vec(any::<u8>(), 0..400), index in proptest::collection::vec(any::<u8>(), 0..40), time in proptest::collection::vec(any::<u8>(), 0..40), clean in any::<bool>()) {
        let st = Shared::new(MemoryStorage::new());
        {
            let mut s = st.borrow_mut();
            s.write_file(DIR, "00000000000000000000.log", &log_bytes).unwrap();
            s.write_file(DIR, "00000000000000000000.index", &index).unwrap();
            s.write_file(DIR, "00000000000000000000.timeindex", &time).unwrap();
            if clean {
                s.write_file(DIR, ".kafka_cleanshutdown", &[]).unwrap();
            }
        }
        if let Ok((log, _)) = Log::open(st.clone(), DIR, LogConfig::default(), 0) {
            let leo = log.log_end_offset();
            for o in log.log_start_offset()..=leo.min(log.log_start_offset() + 50) {
                let _ = log.read(o, 100, None, true);
            }
            let _ = log.fetch_offset_by_timestamp(5);
        }
    }

    #[test]
    fn appends_of_arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..300), prefix in any::<bool>()) {
        let st = Shared::new(MemoryStorage::new());
        let mut log = open(&st, LogConfig::default());
        if prefix {
            // A valid header start makes the fuzzing go deeper.
            let good = batch(2, 5, 0, None, false);
            let n = good.len().min(bytes.len());
            bytes[..n].copy_from_slice(&good[..n]);
        }
        let _ = log.append_as_follower(&bytes, 0);
        let _ = log.append_as_leader(&mut bytes, 0, 0);
        check_invariants(&log)?;
    }
}

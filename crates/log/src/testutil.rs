//! Helpers for the crate's tests: batches as a producer would send them and
//! logs over a shared [`MemoryStorage`].

use protocol::batch::{RecordBatch, SimpleRecord};

use crate::config::LogConfig;
use crate::log::Log;
use crate::memory::MemoryStorage;
use crate::storage::Shared;

pub const DIR: &str = "topic-0";

/// `n` records of `value_size` bytes, keyed `k{i % keys}`, timestamps from `ts`.
pub fn keyed_batch(n: usize, value_size: usize, ts: i64, keys: Option<usize>) -> Vec<u8> {
    let recs: Vec<SimpleRecord> = (0..n)
        .map(|i| SimpleRecord {
            timestamp: ts + i as i64,
            key: keys.map(|k| format!("k{}", i % k).into_bytes()),
            value: Some(vec![b'x'; value_size]),
            headers: vec![],
        })
        .collect();
    RecordBatch::from_simple(0, &recs).encode()
}

pub fn batch(n: usize, value_size: usize, ts: i64) -> Vec<u8> {
    keyed_batch(n, value_size, ts, None)
}

/// One batch of records given as (key, value, timestamp).
pub fn records(recs: &[(&str, Option<&str>, i64)]) -> Vec<u8> {
    let recs: Vec<SimpleRecord> = recs
        .iter()
        .map(|&(k, v, ts)| SimpleRecord {
            timestamp: ts,
            key: Some(k.as_bytes().to_vec()),
            value: v.map(|v| v.as_bytes().to_vec()),
            headers: vec![],
        })
        .collect();
    RecordBatch::from_simple(0, &recs).encode()
}

/// An idempotent producer's batch.
pub fn idempotent_batch(pid: i64, epoch: i16, seq: i32, n: usize, ts: i64) -> Vec<u8> {
    let recs: Vec<SimpleRecord> = (0..n)
        .map(|i| SimpleRecord {
            timestamp: ts + i as i64,
            value: Some(vec![b'v'; 10]),
            ..Default::default()
        })
        .collect();
    let mut b = RecordBatch::from_simple(0, &recs);
    b.producer_id = pid;
    b.producer_epoch = epoch;
    b.base_sequence = seq;
    b.encode()
}

pub type MemLog = Log<Shared<MemoryStorage>>;

pub fn open(
    storage: &Shared<MemoryStorage>,
    config: LogConfig,
    now: i64,
) -> (MemLog, crate::RecoveryReport) {
    Log::open(storage.clone(), DIR, config, now).expect("open")
}

pub fn new_log(config: LogConfig) -> (MemLog, Shared<MemoryStorage>) {
    let st = Shared::new(MemoryStorage::new());
    let (log, _) = open(&st, config, 0);
    (log, st)
}

pub fn config(pairs: &[(&str, &str)]) -> LogConfig {
    LogConfig::from_pairs(pairs.iter().copied()).expect("config")
}

/// (base offset, last offset) of every batch in the log, by a linear scan.
pub fn all_batches(log: &MemLog) -> Vec<(i64, i64)> {
    log.segments()
        .flat_map(|s| {
            s.batches()
                .map(|(_, h)| (h.base_offset, h.last_offset()))
                .collect::<Vec<_>>()
        })
        .collect()
}

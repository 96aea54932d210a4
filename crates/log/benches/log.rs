//! Log benchmarks.
//!
//! (a) Leader appends of 1,000 × 100-byte records per batch, CRC computed
//! (encode) and validated (append): pre-encoded batches and encode + append,
//! each into fresh memory ("cold": the log and the store grow into pages
//! never touched) and into memory touched before ("warm": the log is
//! truncated back and re-appended, so only the work itself is measured).
//! (b) Reading one batch at a random offset from logs of 10 MB, 100 MB and
//! 1 GB built in memory in the setup, and the offset index lookup alone.
//!
//! `BENCH_CLOCK=cpu` measures this thread's CPU time (Linux
//! `/proc/thread-self/schedstat`) instead of wall time: on a machine shared
//! with other builds, wall time mostly measures the scheduler.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kafkascope_log::{Log, LogConfig, MemoryStorage};
use protocol::batch::{set_base_offset, RecordBatch, SimpleRecord};

#[path = "support/clock.rs"]
mod clock;
use clock::timed;

const RECORDS: usize = 1000;
const VALUE: usize = 100;
/// Cold logs are rebuilt every `CHUNK` appends so memory stays bounded
/// however many iterations criterion asks for.
const CHUNK: u64 = 2000;

fn simple_records(n: usize) -> Vec<SimpleRecord> {
    (0..n)
        .map(|i| SimpleRecord {
            timestamp: 1_700_000_000_000 + i as i64,
            key: None,
            value: Some(vec![b'x'; VALUE]),
            headers: vec![],
        })
        .collect()
}

fn new_log() -> Log<MemoryStorage> {
    Log::open(MemoryStorage::new(), "bench-0", LogConfig::default(), 0)
        .unwrap()
        .0
}

/// Runs `iters` appends made by `append`, on a fresh log per chunk (cold) or
/// on one log truncated back before each chunk (warm).
fn run(
    iters: u64,
    warm: Option<&mut Log<MemoryStorage>>,
    append: &mut dyn FnMut(&mut Log<MemoryStorage>),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    let mut warm = warm;
    while done < iters {
        let n = CHUNK.min(iters - done);
        let mut fresh;
        let log = match warm.as_deref_mut() {
            Some(log) => {
                log.truncate_to(RECORDS as i64, 0).unwrap();
                log
            }
            None => {
                fresh = new_log();
                &mut fresh
            }
        };
        total += timed(|| {
            for _ in 0..n {
                append(log);
            }
        });
        done += n;
    }
    total
}

/// A log whose buffers have held `CHUNK + 1` batches: warm memory.
fn warmed(batch: &[u8]) -> Log<MemoryStorage> {
    let mut log = new_log();
    let mut b = batch.to_vec();
    for _ in 0..CHUNK + 1 {
        set_base_offset(&mut b, 0);
        log.append_as_leader(&mut b, 0, 0).unwrap();
    }
    log
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("append_as_leader");
    g.throughput(Throughput::Elements(RECORDS as u64));
    let recs = simple_records(RECORDS);
    let prebuilt = RecordBatch::from_simple(0, &recs);
    let encoded = prebuilt.encode();
    for warm in [false, true] {
        let mode = if warm { "warm" } else { "cold" };
        let mut warm_log = warm.then(|| warmed(&encoded));
        let mut batch = encoded.clone();
        g.bench_function(format!("pre_encoded_1000x100B/{mode}"), |b| {
            b.iter_custom(|iters| {
                run(iters, warm_log.as_mut(), &mut |log| {
                    // A producer's batch arrives with base offset 0.
                    set_base_offset(&mut batch, 0);
                    log.append_as_leader(&mut batch, 0, 0).unwrap();
                })
            })
        });
        // The producer's side: varint-encode the records and compute the CRC
        // (into a reused buffer, as a producer's accumulator reuses its
        // buffers), then append.
        let mut buf = Vec::with_capacity(encoded.len());
        g.bench_function(format!("encode_and_append_1000x100B/{mode}"), |b| {
            b.iter_custom(|iters| {
                run(iters, warm_log.as_mut(), &mut |log| {
                    buf.clear();
                    prebuilt.encode_into(&mut buf);
                    log.append_as_leader(&mut buf, 0, 0).unwrap();
                })
            })
        });
    }
    g.finish();
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_one_batch");
    // Small batches (10 records) so the sparse index has many entries.
    let batch = RecordBatch::from_simple(0, &simple_records(10)).encode();
    for (label, bytes) in [
        ("10MB", 10usize << 20),
        ("100MB", 100 << 20),
        ("1GB", 1 << 30),
    ] {
        let mut log = new_log();
        let mut b = batch.clone();
        while (log.size_in_bytes() as usize) < bytes {
            set_base_offset(&mut b, 0);
            log.append_as_leader(&mut b, 0, 0).unwrap();
        }
        let leo = log.log_end_offset() as u64;
        let mut x = 0x9e3779b97f4a7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % leo) as i64
        };
        g.bench_with_input(BenchmarkId::new("read", label), &log, |bench, log| {
            bench.iter_custom(|iters| {
                timed(|| {
                    for _ in 0..iters {
                        black_box(log.read(next(), 1, None, true).unwrap().records.len());
                    }
                })
            })
        });
        let index = log
            .segments()
            .max_by_key(|s| s.size())
            .unwrap()
            .offset_index();
        g.bench_with_input(
            BenchmarkId::new("index_lookup", format!("{label}/{}_entries", index.len())),
            index,
            |bench, index| {
                bench.iter_custom(|iters| {
                    timed(|| {
                        for _ in 0..iters {
                            black_box(index.lookup(next()).1);
                        }
                    })
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = append, read
}
criterion_main!(benches);

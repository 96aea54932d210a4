//! Log benchmarks: (a) leader appends of 1,000 × 100-byte records per batch,
//! pre-encoded (into fresh memory, and into memory touched before) and
//! encoded per iteration; (b) reading one batch at a random
//! offset from logs of 10 MB, 100 MB and 1 GB (built in memory in setup).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kafkascope_log::{Log, LogConfig, MemoryStorage};
use protocol::batch::{set_base_offset, RecordBatch, SimpleRecord};

const RECORDS: usize = 1000;
const VALUE: usize = 100;

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

/// Logs are rebuilt every `CHUNK` appends so memory stays bounded however
/// many iterations criterion asks for.
const CHUNK: u64 = 2000;

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("append_as_leader");
    g.throughput(Throughput::Elements(RECORDS as u64));
    let recs = simple_records(RECORDS);
    let encoded = RecordBatch::from_simple(0, &recs).encode();
    g.bench_function("pre_encoded_1000x100B", |b| {
        let mut batch = encoded.clone();
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let mut log = new_log();
                let n = CHUNK.min(iters - done);
                let start = Instant::now();
                for _ in 0..n {
                    // A producer's batch arrives with base offset 0.
                    set_base_offset(&mut batch, 0);
                    log.append_as_leader(&mut batch, 0, 0).unwrap();
                }
                total += start.elapsed();
                done += n;
            }
            total
        })
    });
    // Steady state: the log's and the store's buffers were touched before
    // (truncated back and re-appended), so no page faults, only the work.
    g.bench_function("pre_encoded_warm_1000x100B", |b| {
        let mut batch = encoded.clone();
        let mut log = new_log();
        for _ in 0..CHUNK + 1 {
            set_base_offset(&mut batch, 0);
            log.append_as_leader(&mut batch, 0, 0).unwrap();
        }
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                log.truncate_to(RECORDS as i64, 0).unwrap();
                let n = CHUNK.min(iters - done);
                let start = Instant::now();
                for _ in 0..n {
                    set_base_offset(&mut batch, 0);
                    log.append_as_leader(&mut batch, 0, 0).unwrap();
                }
                total += start.elapsed();
                done += n;
            }
            total
        })
    });
    g.bench_function("encode_and_append_1000x100B", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let mut log = new_log();
                let n = CHUNK.min(iters - done);
                let start = Instant::now();
                for _ in 0..n {
                    let mut batch = RecordBatch::from_simple(0, &recs).encode();
                    log.append_as_leader(&mut batch, 0, 0).unwrap();
                }
                total += start.elapsed();
                done += n;
            }
            total
        })
    });
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
        g.bench_with_input(BenchmarkId::from_parameter(label), &log, |bench, log| {
            bench.iter(|| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let r = log.read((x % leo) as i64, 1, None, true).unwrap();
                r.records.len()
            })
        });
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

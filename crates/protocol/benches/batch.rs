//! Record batch v2 encode/decode throughput: 1,000 records of 100-byte values.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kafkascope_protocol::batch::SimpleRecord;
use kafkascope_protocol::RecordBatch;
use std::hint::black_box;
use std::time::Duration;

fn batch_of_1000() -> RecordBatch {
    let records: Vec<SimpleRecord> = (0..1000u32)
        .map(|i| SimpleRecord {
            timestamp: 1_700_000_000_000 + i64::from(i),
            key: Some(format!("key-{i}").into_bytes()),
            value: Some(vec![b'a' + (i % 26) as u8; 100]),
            headers: vec![],
        })
        .collect();
    RecordBatch::from_simple(0, &records)
}

fn bench(c: &mut Criterion) {
    let batch = batch_of_1000();
    let bytes = batch.encode();
    let mut g = c.benchmark_group("record_batch");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("encode_1000x100B", |b| {
        let mut out = Vec::with_capacity(bytes.len());
        b.iter(|| {
            out.clear();
            black_box(&batch).encode_into(&mut out);
            black_box(out.len())
        })
    });
    g.bench_function("decode_1000x100B", |b| {
        b.iter(|| RecordBatch::decode(black_box(&bytes)).map(|(d, _)| d.records.len()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

//! Each codec's compress/decompress throughput on ~1 MiB of generated JSON
//! order events (generated here, not committed), with the ratio printed.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kafkascope_protocol::compression::{compress, decompress, MAX_DECOMPRESSED};
use kafkascope_protocol::Compression;
use std::hint::black_box;
use std::time::Duration;

/// Deterministic order events, like a real topic's JSON payloads: repeated
/// field names, a few enum-like values, varying ids, prices and timestamps.
fn json_orders(target: usize) -> Vec<u8> {
    const STATUS: [&str; 4] = ["CREATED", "PAID", "SHIPPED", "CANCELLED"];
    const SKU: [&str; 6] = [
        "SKU-1001", "SKU-2002", "SKU-3303", "SKU-4404", "SKU-5505", "SKU-6606",
    ];
    let mut out = Vec::with_capacity(target + 256);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut i: u64 = 0;
    while out.len() < target {
        // xorshift: varied but reproducible numbers.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let line = format!(
            "{{\"orderId\":\"ord-{:08}\",\"customerId\":{},\"status\":\"{}\",\"items\":[{{\"sku\":\"{}\",\"qty\":{},\"price\":{}.{:02}}}],\"ts\":{}}}\n",
            i,
            x % 100_000,
            STATUS[(x >> 20) as usize % 4],
            SKU[(x >> 24) as usize % 6],
            1 + (x >> 32) % 5,
            (x >> 40) % 500,
            (x >> 50) % 100,
            1_700_000_000_000 + i * 37
        );
        out.extend_from_slice(line.as_bytes());
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let data = json_orders(1 << 20);
    for codec in [
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ] {
        let mut packed = Vec::new();
        compress(codec, &data, &mut packed);
        println!(
            "{}: {} -> {} bytes, ratio {:.2}",
            codec.name(),
            data.len(),
            packed.len(),
            data.len() as f64 / packed.len() as f64
        );
        let mut g = c.benchmark_group(codec.name());
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function("compress", |b| {
            let mut out = Vec::with_capacity(data.len());
            b.iter(|| {
                out.clear();
                compress(codec, black_box(&data), &mut out);
                out.len()
            })
        });
        g.bench_function("decompress", |b| {
            b.iter(|| decompress(codec, black_box(&packed), MAX_DECOMPRESSED).map(|v| v.len()))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

//! Native throughput of the simulated cluster.
//!
//! - `steady_produce`: 3 brokers, one topic of 10 partitions with RF=3, a
//!   producer (acks=all) adding keyed records all the time; one iteration
//!   is 1,000 simulator events (deliveries, timers, drops), so the reported
//!   throughput is simulated events per second (target: 2 million).
//! - `chaos_seed`: one seed of the randomized fault search, invariant
//!   checks on (seeds per minute = 60 s / the time per iteration).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kafkascope_cluster::chaos::{run_schedule, Schedule, Truncation};
use kafkascope_cluster::producer::ProducerRecord;
use kafkascope_cluster::runner::{run_source, RunOptions};
use kafkascope_cluster::Cluster;

const SETUP: &str = "cluster brokers=3 seed=1\n\
                     topic create load partitions=10 replication-factor=3\n\
                     producer p acks=all linger.ms=5\n";

const EVENTS: u64 = 1_000;

fn cluster() -> Cluster {
    let report = run_source("bench.scn", SETUP, &RunOptions::default()).expect("setup parses");
    assert!(report.ok(), "{:?}", report.lines);
    report.cluster.expect("cluster built")
}

fn steady_produce(c: &mut Criterion) {
    let mut cl = cluster();
    let mut key = 0u64;
    let mut g = c.benchmark_group("cluster");
    g.throughput(Throughput::Elements(EVENTS));
    g.bench_function("steady_produce_3_brokers_10_partitions_rf3", |b| {
        b.iter(|| {
            // Keep the producer busy: a few keyed records per 1,000 events.
            for _ in 0..20 {
                key += 1;
                let record = ProducerRecord {
                    topic: "load".into(),
                    partition: None,
                    key: Some(key.to_string().into_bytes()),
                    value: Some(b"0123456789abcdef0123456789abcdef".to_vec()),
                    headers: Vec::new(),
                };
                cl.with_producer("p", |p, now, out| p.send(now, record, out));
            }
            for _ in 0..EVENTS {
                if cl.step().is_none() {
                    break;
                }
            }
        })
    });
    g.finish();
    let acked = cl.producer("p").map_or(0, |p| p.app.acked.len());
    assert!(acked > 0, "the load must actually be acknowledged");
}

fn chaos_seed(c: &mut Criterion) {
    let mut seed = 0u64;
    let mut g = c.benchmark_group("chaos");
    g.sample_size(20);
    g.bench_function("one_seed_leader_epoch", |b| {
        b.iter(|| {
            seed += 1;
            let o = run_schedule(&Schedule::generate(seed, Truncation::LeaderEpoch));
            assert!(o.clean(), "seed {seed}: {o:?}");
        })
    });
    g.finish();
}

criterion_group!(benches, steady_produce, chaos_seed);
criterion_main!(benches);

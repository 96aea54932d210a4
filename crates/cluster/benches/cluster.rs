//! Native throughput of the simulated cluster.
//!
//! - `steady_produce`: 3 brokers, one topic of 10 partitions with RF=3, a
//!   producer (acks=all) adding keyed records all the time; one iteration
//!   is 1,000 simulator events (deliveries, timers, drops), so the reported
//!   throughput is simulated events per second (target: 2 million).
//! - `chaos_seed`: one seed of the randomized fault search, invariant
//!   checks on (seeds per minute = 60 s / the time per iteration).
//! - `produce_consume`: 1,000 records of 100 bytes per iteration, sent by
//!   an acks=all producer to a 3-partition RF=3 topic and polled by a
//!   consumer until it has them all: end-to-end records per second
//!   through the simulated cluster (brokers, replication, fetches).
//!
//! `BENCH_CLOCK=cpu` times `steady_produce` on this thread's CPU time (Linux
//! `/proc/thread-self/schedstat`) instead of wall time, as the log bench
//! does: on a machine shared with other builds, wall time mostly measures
//! the scheduler.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kafkascope_cluster::chaos::{run_schedule, Schedule, Truncation};
use kafkascope_cluster::producer::ProducerRecord;
use kafkascope_cluster::runner::{run_source, RunOptions};
use kafkascope_cluster::{client_commands, Cluster};
use scenario::Command;

#[path = "../../log/benches/support/clock.rs"]
mod clock;
use clock::timed;

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
        b.iter_custom(|iters| {
            timed(|| {
                for _ in 0..iters {
                    one_round(&mut cl, &mut key);
                }
            })
        })
    });
    g.finish();
    let acked = cl.producer("p").map_or(0, |p| p.app.acked.len());
    // (Nothing ran when a filter left this bench out.)
    assert!(
        key == 0 || acked > 0,
        "the load must actually be acknowledged"
    );
}

/// One iteration: a few keyed records, then 1,000 simulator events.
fn one_round(cl: &mut Cluster, key: &mut u64) {
    // Keep the producer busy: a few keyed records per 1,000 events.
    for _ in 0..20 {
        *key += 1;
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
}

const RECORDS: u64 = 1_000;

fn produce_consume(c: &mut Criterion) {
    // Retention keeps the brokers' memory bounded over many iterations.
    let setup = "cluster brokers=3 seed=1 log.retention.check.interval.ms=1000\n\
                 topic create flow partitions=3 replication-factor=3 retention.bytes=1000000 segment.bytes=250000\n\
                 producer p acks=all linger.ms=5\n\
                 consumer c auto.offset.reset=earliest\n\
                 assign c flow-0,flow-1,flow-2\n";
    let report = run_source("bench.scn", setup, &RunOptions::default()).expect("setup parses");
    assert!(report.ok(), "{:?}", report.lines);
    let mut cl = report.cluster.expect("cluster built");
    let value = vec![b'v'; 100];
    let poll = Command::Poll {
        consumer: "c".into(),
        timeout_ms: 1_000,
    };
    let mut g = c.benchmark_group("produce_consume");
    g.throughput(Throughput::Elements(RECORDS));
    g.sample_size(20);
    g.bench_function("1000_records_100B_3_partitions_rf3", |b| {
        b.iter(|| {
            // What the applications were told is not kept between iterations.
            cl.with_producer("p", |p, _, _| p.app.acked.clear());
            cl.with_consumer("c", |n, _, _| {
                n.consumer.restore_history(Default::default())
            })
            .expect("consumer up");
            let target = RECORDS as usize;
            for _ in 0..RECORDS {
                let record = ProducerRecord {
                    topic: "flow".into(),
                    partition: None,
                    key: None,
                    value: Some(value.clone()),
                    headers: Vec::new(),
                };
                let sent = cl.with_producer("p", |p, now, out| p.send(now, record, out));
                assert!(matches!(sent, Some(Ok(_))));
            }
            while cl.consumer("c").map_or(0, |k| k.consumed().len()) < target {
                let mut lines = Vec::new();
                client_commands::exec(&mut cl, &poll, &mut lines)
                    .expect("a consumer command")
                    .expect("poll returns");
            }
        })
    });
    g.finish();
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

criterion_group!(benches, steady_produce, produce_consume, chaos_seed);
criterion_main!(benches);

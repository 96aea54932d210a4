//! 1,000 members × 10,000 partitions (10 topics × 1,000), everyone
//! subscribed to everything: a fresh assignment with each assignor, and a
//! sticky / cooperative-sticky reassignment after one member leaves (the
//! others owning what they had). Kafka's sticky assignor does this in well
//! under a second. Also the sticky general path (subscriptions differ).
//! Small sample counts: the machine is shared.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kafkascope_client::assignor::{
    ConsumerPartitionAssignor, CooperativeStickyAssignor, GroupAssignment, RangeAssignor,
    RoundRobinAssignor, StickyAssignor, Subscription,
};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

const MEMBERS: usize = 1_000;
const TOPICS: usize = 10;
const PARTITIONS_PER_TOPIC: i32 = 1_000;

fn group() -> (BTreeMap<String, i32>, BTreeMap<String, Subscription>) {
    let partitions_per_topic: BTreeMap<String, i32> = (0..TOPICS)
        .map(|t| (format!("topic-{t:02}"), PARTITIONS_PER_TOPIC))
        .collect();
    let topics: Vec<String> = partitions_per_topic.keys().cloned().collect();
    let subscriptions = (0..MEMBERS)
        .map(|m| {
            (
                format!("consumer-{m:04}"),
                Subscription::new(topics.clone()),
            )
        })
        .collect();
    (partitions_per_topic, subscriptions)
}

/// Every member but the first re-joins owning what it was assigned.
fn after_one_leaves(
    subscriptions: &BTreeMap<String, Subscription>,
    assignment: &GroupAssignment,
) -> BTreeMap<String, Subscription> {
    subscriptions
        .iter()
        .skip(1)
        .map(|(m, s)| {
            let owned = assignment[m].clone();
            let sub = s
                .clone()
                .with_user_data(StickyAssignor::subscription_user_data(&owned, 1))
                .with_owned_partitions(owned)
                .with_generation_id(1);
            (m.clone(), sub)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (ppt, subs) = group();
    let mut fresh = c.benchmark_group("fresh_1000_members_10000_partitions");
    fresh
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let assignors: [&dyn ConsumerPartitionAssignor; 4] = [
        &RangeAssignor,
        &RoundRobinAssignor,
        &StickyAssignor,
        &CooperativeStickyAssignor,
    ];
    for assignor in assignors {
        fresh.bench_function(BenchmarkId::from_parameter(assignor.name()), |b| {
            b.iter(|| black_box(assignor.assign(black_box(&ppt), black_box(&subs))))
        });
    }
    fresh.finish();

    let mut rejoin = c.benchmark_group("one_member_leaves_1000_members_10000_partitions");
    rejoin
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for assignor in [
        &StickyAssignor as &dyn ConsumerPartitionAssignor,
        &CooperativeStickyAssignor,
    ] {
        let next = after_one_leaves(&subs, &assignor.assign(&ppt, &subs));
        rejoin.bench_function(BenchmarkId::from_parameter(assignor.name()), |b| {
            b.iter(|| black_box(assignor.assign(black_box(&ppt), black_box(&next))))
        });
    }
    rejoin.finish();

    // The general path: the last member subscribes to one topic only.
    let mut general = c.benchmark_group("general_path_1000_members_10000_partitions");
    general
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let mut mixed = subs.clone();
    let (last, sub) = mixed.iter_mut().next_back().expect("members");
    sub.topics.truncate(1);
    let last = last.clone();
    general.bench_function(BenchmarkId::from_parameter("sticky-fresh"), |b| {
        b.iter(|| black_box(StickyAssignor.assign(black_box(&ppt), black_box(&mixed))))
    });
    let next = after_one_leaves(&mixed, &StickyAssignor.assign(&ppt, &mixed));
    assert!(next.contains_key(&last), "the narrow member stays");
    general.bench_function(
        BenchmarkId::from_parameter("sticky-one-member-leaves"),
        |b| b.iter(|| black_box(StickyAssignor.assign(black_box(&ppt), black_box(&next)))),
    );
    general.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

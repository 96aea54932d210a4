//! Helpers shared by the assignor tests, after Kafka's test utilities
//! (`tp`, `partitions`, `verifyValidityAndBalance`, `isFullyBalanced`).
#![allow(dead_code)]

use kafkascope_client::assignor::{
    serialize_topic_partition_assignment, GroupAssignment, MemberData, Subscription, TopicPartition,
};
use std::collections::{BTreeMap, BTreeSet};

pub fn tp(topic: &str, partition: i32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

pub fn topics(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

pub fn partitions_per_topic(counts: &[(&str, i32)]) -> BTreeMap<String, i32> {
    counts.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

pub fn subscription(topic_names: &[&str]) -> Subscription {
    Subscription::new(topic_names.iter().copied())
}

/// Kafka's `buildSubscriptionV2Above`: the member owns `owned` since
/// `generation`, told both ways so either sticky assignor sees it (the
/// eager one reads the user data, the cooperative one the owned partitions).
pub fn owned_subscription(
    topic_names: &[&str],
    owned: Vec<TopicPartition>,
    generation: i32,
) -> Subscription {
    let user_data = serialize_topic_partition_assignment(&MemberData {
        partitions: owned.clone(),
        generation: Some(generation),
    });
    Subscription::new(topic_names.iter().copied())
        .with_owned_partitions(owned)
        .with_generation_id(generation)
        .with_user_data(user_data)
}

pub fn sorted(partitions: &[TopicPartition]) -> Vec<TopicPartition> {
    let mut v = partitions.to_vec();
    v.sort();
    v
}

pub fn set(partitions: &[TopicPartition]) -> BTreeSet<TopicPartition> {
    partitions.iter().cloned().collect()
}

/// Parse "t1-0, t1-3, t2-0" as Kafka's rack tests write assignments.
pub fn parse(list: &str) -> Vec<TopicPartition> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (t, p) = s.rsplit_once('-').expect("t-p");
            tp(t, p.parse().expect("partition"))
        })
        .collect()
}

/// Every member has an entry; every partition assigned is of a topic the
/// member subscribes to and exists; no partition is assigned twice.
pub fn verify_validity(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    assignment: &GroupAssignment,
) {
    assert_eq!(
        assignment.keys().collect::<Vec<_>>(),
        subscriptions.keys().collect::<Vec<_>>(),
        "every member gets an entry"
    );
    let mut seen = BTreeSet::new();
    for (member, partitions) in assignment {
        for p in partitions {
            assert!(
                subscriptions[member].topics.contains(&p.topic),
                "{member} got {p} without subscribing to its topic"
            );
            let n = partitions_per_topic.get(&p.topic).copied().unwrap_or(0);
            assert!((0..n).contains(&p.partition), "{p} does not exist");
            assert!(seen.insert(p.clone()), "{p} assigned twice");
        }
    }
}

/// Every partition of a subscribed topic is assigned.
pub fn verify_complete(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    assignment: &GroupAssignment,
) {
    let assigned: BTreeSet<&TopicPartition> = assignment.values().flatten().collect();
    let subscribed: BTreeSet<&String> = subscriptions.values().flat_map(|s| &s.topics).collect();
    for (topic, n) in partitions_per_topic {
        if subscribed.contains(topic) {
            for p in 0..*n {
                assert!(assigned.contains(&tp(topic, p)), "{topic}-{p} unassigned");
            }
        }
    }
}

/// Kafka's `verifyValidityAndBalance`: valid, complete, and no member with
/// 2+ fewer partitions than another could take one of the other's.
pub fn verify_validity_and_balance(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    assignment: &GroupAssignment,
) {
    verify_validity(partitions_per_topic, subscriptions, assignment);
    verify_complete(partitions_per_topic, subscriptions, assignment);
    for (a, pa) in assignment {
        for (b, pb) in assignment {
            if pa.len() + 1 < pb.len() {
                for p in pb {
                    assert!(
                        !subscriptions[a].topics.contains(&p.topic),
                        "{a} has {} partitions, {b} has {} and {p} could move",
                        pa.len(),
                        pb.len()
                    );
                }
            }
        }
    }
}

/// Kafka's `isFullyBalanced`: counts differ by at most one.
pub fn is_fully_balanced(assignment: &GroupAssignment) -> bool {
    let min = assignment.values().map(Vec::len).min().unwrap_or(0);
    let max = assignment.values().map(Vec::len).max().unwrap_or(0);
    max <= min + 1
}

pub fn members<const N: usize>(
    entries: [(&str, Subscription); N],
) -> BTreeMap<String, Subscription> {
    entries
        .into_iter()
        .map(|(m, s)| (m.to_string(), s))
        .collect()
}

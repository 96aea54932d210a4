//! Kafka's `AbstractStickyAssignorTest` (run there for both sticky
//! assignors): each case runs against the eager `StickyAssignor` (owned
//! partitions in the user data) and the `CooperativeStickyAssignor` (owned
//! partitions in the subscription), checking the sticky assignment and
//! `partitionsTransferringOwnership` before the cooperative hold-back.

mod common;

use common::*;
use kafkascope_client::assignor::{
    CooperativeStickyAssignor, GroupAssignment, StickyAssignment, StickyAssignor, Subscription,
    TopicPartition, DEFAULT_GENERATION,
};
use std::collections::BTreeMap;

const GENERATION_ID: i32 = 1;

/// Both assignors' sticky assignment; they must agree. Checks validity
/// and balance as Kafka's tests do after each assignment.
fn assign(ppt: &BTreeMap<String, i32>, subs: &BTreeMap<String, Subscription>) -> StickyAssignment {
    let eager = StickyAssignor.assign_with_transfers(ppt, subs);
    let cooperative = CooperativeStickyAssignor.assign_with_transfers(ppt, subs);
    // The eager user data groups owned partitions by topic, so the order
    // within a member may differ; the partitions may not.
    let normalized = |a: &StickyAssignment| {
        let mut a = a.clone();
        a.assignment.values_mut().for_each(|p| p.sort());
        a
    };
    assert_eq!(
        normalized(&eager),
        normalized(&cooperative),
        "both sticky assignors compute the same assignment"
    );
    verify_validity_and_balance(ppt, subs, &eager.assignment);
    eager
}

fn no_transfers(a: &StickyAssignment) -> bool {
    a.partitions_transferring_ownership
        .as_ref()
        .is_some_and(BTreeMap::is_empty)
}

fn transfers(entries: &[(TopicPartition, &str)]) -> Option<BTreeMap<TopicPartition, String>> {
    Some(
        entries
            .iter()
            .map(|(tp, c)| (tp.clone(), c.to_string()))
            .collect(),
    )
}

/// Every member re-subscribes owning what it was just assigned.
fn resubscribe(
    subs: &mut BTreeMap<String, Subscription>,
    assignment: &GroupAssignment,
    generation: i32,
) {
    for (member, sub) in subs.iter_mut() {
        let topics: Vec<&str> = sub.topics.iter().map(String::as_str).collect();
        *sub = owned_subscription(&topics, assignment[member].clone(), generation);
    }
}

#[test]
fn one_consumer_no_topic() {
    let subs = members([("consumer", subscription(&[]))]);
    let a = assign(&BTreeMap::new(), &subs);
    assert!(a.assignment["consumer"].is_empty());
    assert!(no_transfers(&a));
}

#[test]
fn one_consumer_nonexistent_topic() {
    let subs = members([("consumer", subscription(&["topic"]))]);
    let a = assign(&partitions_per_topic(&[("topic", 0)]), &subs);
    assert!(a.assignment["consumer"].is_empty());
    assert!(no_transfers(&a));
}

#[test]
fn one_consumer_one_topic() {
    let subs = members([("consumer", subscription(&["topic"]))]);
    let a = assign(&partitions_per_topic(&[("topic", 3)]), &subs);
    assert_eq!(
        a.assignment["consumer"],
        vec![tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
    assert!(no_transfers(&a));
}

#[test]
fn only_assigns_partitions_from_subscribed_topics() {
    // Owned partitions of a topic that no longer exists are dropped.
    let subs = members([(
        "consumer",
        owned_subscription(
            &["topic"],
            vec![
                tp("topic", 0),
                tp("topic", 1),
                tp("other", 0),
                tp("other", 1),
            ],
            GENERATION_ID,
        ),
    )]);
    let a = assign(&partitions_per_topic(&[("topic", 2)]), &subs);
    assert_eq!(
        a.assignment["consumer"],
        vec![tp("topic", 0), tp("topic", 1)]
    );
    assert!(no_transfers(&a));
}

#[test]
fn one_consumer_multiple_topics() {
    let subs = members([("consumer", subscription(&["topic1", "topic2"]))]);
    let a = assign(
        &partitions_per_topic(&[("topic1", 1), ("topic2", 2)]),
        &subs,
    );
    assert_eq!(
        a.assignment["consumer"],
        vec![tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
}

#[test]
fn two_consumers_one_topic_one_partition() {
    let subs = members([
        ("consumer1", subscription(&["topic"])),
        ("consumer2", subscription(&["topic"])),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 1)]), &subs);
    assert!(no_transfers(&a));
    assert!(is_fully_balanced(&a.assignment));
}

#[test]
fn two_consumers_one_topic_two_partitions() {
    let subs = members([
        ("consumer1", subscription(&["topic"])),
        ("consumer2", subscription(&["topic"])),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 2)]), &subs);
    assert_eq!(a.assignment["consumer1"], vec![tp("topic", 0)]);
    assert_eq!(a.assignment["consumer2"], vec![tp("topic", 1)]);
}

#[test]
fn multiple_consumers_mixed_topic_subscriptions() {
    // The general path: Kafka leaves partitionsTransferringOwnership null.
    let subs = members([
        ("consumer1", subscription(&["topic1"])),
        ("consumer2", subscription(&["topic1", "topic2"])),
        ("consumer3", subscription(&["topic1"])),
    ]);
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 2)]),
        &subs,
    );
    assert_eq!(
        a.assignment["consumer1"],
        vec![tp("topic1", 0), tp("topic1", 2)]
    );
    assert_eq!(
        a.assignment["consumer2"],
        vec![tp("topic2", 0), tp("topic2", 1)]
    );
    assert_eq!(a.assignment["consumer3"], vec![tp("topic1", 1)]);
    assert_eq!(a.partitions_transferring_ownership, None);
}

#[test]
fn two_consumers_two_topics_six_partitions() {
    let subs = members([
        ("consumer1", subscription(&["topic1", "topic2"])),
        ("consumer2", subscription(&["topic1", "topic2"])),
    ]);
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &subs,
    );
    assert_eq!(
        a.assignment["consumer1"],
        vec![tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        a.assignment["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
    assert!(no_transfers(&a));
}

#[test]
fn consumer_owning_min_quota_expected_max_quota() {
    let t = ["topic1", "topic2"];
    let subs = members([
        (
            "consumer1",
            owned_subscription(&t, vec![tp("topic1", 0), tp("topic2", 1)], GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(&t, vec![tp("topic1", 1), tp("topic2", 2)], GENERATION_ID),
        ),
    ]);
    let a = assign(
        &partitions_per_topic(&[("topic1", 2), ("topic2", 3)]),
        &subs,
    );
    assert_eq!(
        a.assignment["consumer1"],
        vec![tp("topic1", 0), tp("topic2", 1), tp("topic2", 0)]
    );
    assert_eq!(
        a.assignment["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 2)]
    );
    assert!(no_transfers(&a));
}

#[test]
fn max_quota_consumer_more_than_num_expected_max_capacity_members() {
    // Only one member may keep maxQuota = 2; Kafka visits consumer2 before
    // consumer1, so consumer1 gives up topic2-0.
    let t = ["topic1", "topic2"];
    let subs = members([
        (
            "consumer1",
            owned_subscription(&t, vec![tp("topic1", 0), tp("topic2", 0)], GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(&t, vec![tp("topic1", 1), tp("topic2", 1)], GENERATION_ID),
        ),
        ("consumer3", owned_subscription(&t, vec![], GENERATION_ID)),
    ]);
    let a = assign(
        &partitions_per_topic(&[("topic1", 2), ("topic2", 2)]),
        &subs,
    );
    assert_eq!(
        a.partitions_transferring_ownership,
        transfers(&[(tp("topic2", 0), "consumer3")])
    );
    assert_eq!(a.assignment["consumer1"], vec![tp("topic1", 0)]);
    assert_eq!(
        a.assignment["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 1)]
    );
    assert_eq!(a.assignment["consumer3"], vec![tp("topic2", 0)]);
}

#[test]
fn all_consumers_are_under_min_quota() {
    let t = ["topic1", "topic2"];
    let subs = members([
        (
            "consumer1",
            owned_subscription(&t, vec![tp("topic1", 0)], GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(&t, vec![tp("topic1", 1)], GENERATION_ID),
        ),
        ("consumer3", owned_subscription(&t, vec![], GENERATION_ID)),
    ]);
    let a = assign(
        &partitions_per_topic(&[("topic1", 2), ("topic2", 3)]),
        &subs,
    );
    assert!(no_transfers(&a));
    assert_eq!(
        a.assignment["consumer1"],
        vec![tp("topic1", 0), tp("topic2", 1)]
    );
    assert_eq!(
        a.assignment["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 2)]
    );
    assert_eq!(a.assignment["consumer3"], vec![tp("topic2", 0)]);
}

#[test]
fn add_remove_consumer_one_topic() {
    let ppt = partitions_per_topic(&[("topic", 3)]);
    let mut subs = members([("consumer1", subscription(&["topic"]))]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a.assignment["consumer1"],
        vec![tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );

    subs.insert(
        "consumer1".into(),
        owned_subscription(&["topic"], a.assignment["consumer1"].clone(), GENERATION_ID),
    );
    subs.insert(
        "consumer2".into(),
        owned_subscription(&["topic"], vec![], GENERATION_ID),
    );
    let a = assign(&ppt, &subs);
    assert_eq!(
        a.partitions_transferring_ownership,
        transfers(&[(tp("topic", 2), "consumer2")])
    );
    assert_eq!(
        a.assignment["consumer1"],
        vec![tp("topic", 0), tp("topic", 1)]
    );
    assert_eq!(a.assignment["consumer2"], vec![tp("topic", 2)]);

    subs.remove("consumer1");
    subs.insert(
        "consumer2".into(),
        owned_subscription(&["topic"], a.assignment["consumer2"].clone(), GENERATION_ID),
    );
    let a = assign(&ppt, &subs);
    assert_eq!(
        set(&a.assignment["consumer2"]),
        set(&[tp("topic", 0), tp("topic", 1), tp("topic", 2)])
    );
    assert!(no_transfers(&a));
}

#[test]
fn add_remove_two_consumers_two_topics() {
    let t = ["topic1", "topic2"];
    let ppt = partitions_per_topic(&[("topic1", 3), ("topic2", 4)]);
    let mut subs = members([
        ("consumer1", subscription(&t)),
        ("consumer2", subscription(&t)),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a.assignment["consumer1"],
        parse("topic1-0, topic1-2, topic2-1, topic2-3")
    );
    assert_eq!(
        a.assignment["consumer2"],
        parse("topic1-1, topic2-0, topic2-2")
    );
    assert!(no_transfers(&a));

    // Add two consumers.
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    subs.insert(
        "consumer3".into(),
        owned_subscription(&t, vec![], GENERATION_ID),
    );
    subs.insert(
        "consumer4".into(),
        owned_subscription(&t, vec![], GENERATION_ID),
    );
    let a = assign(&ppt, &subs);
    assert_eq!(
        a.partitions_transferring_ownership,
        transfers(&[
            (tp("topic2", 1), "consumer3"),
            (tp("topic2", 3), "consumer3"),
            (tp("topic2", 2), "consumer4"),
        ])
    );
    assert_eq!(a.assignment["consumer1"], parse("topic1-0, topic1-2"));
    assert_eq!(a.assignment["consumer2"], parse("topic1-1, topic2-0"));
    assert_eq!(a.assignment["consumer3"], parse("topic2-1, topic2-3"));
    assert_eq!(a.assignment["consumer4"], parse("topic2-2"));
    assert!(is_fully_balanced(&a.assignment));

    // Remove two consumers.
    subs.remove("consumer1");
    subs.remove("consumer2");
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a.assignment["consumer3"],
        parse("topic2-1, topic2-3, topic1-0, topic2-0")
    );
    assert_eq!(
        a.assignment["consumer4"],
        parse("topic2-2, topic1-1, topic1-2")
    );
    assert!(no_transfers(&a));
}

#[test]
fn poor_round_robin_assignment_scenario() {
    let ppt = partitions_per_topic(&[
        ("topic1", 2),
        ("topic2", 1),
        ("topic3", 2),
        ("topic4", 1),
        ("topic5", 2),
    ]);
    let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
    let odd = ["topic1", "topic3", "topic5"];
    let subs = members([
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&odd)),
        ("consumer3", subscription(&odd)),
        ("consumer4", subscription(&all)),
    ]);
    let a = assign(&ppt, &subs);
    // Unlike round robin, everyone gets two.
    assert!(a.assignment.values().all(|p| p.len() == 2));
}

#[test]
fn add_remove_topic_two_consumers() {
    let mut ppt = partitions_per_topic(&[("topic", 3)]);
    let mut subs = members([
        ("consumer1", subscription(&["topic"])),
        ("consumer2", subscription(&["topic"])),
    ]);
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    let first = a.assignment.clone();
    let sizes: Vec<usize> = first.values().map(Vec::len).collect();
    assert!(sizes == [1, 2] || sizes == [2, 1]);

    ppt.insert("topic2".into(), 3);
    for (m, sub) in subs.iter_mut() {
        *sub = owned_subscription(&["topic", "topic2"], first[m].clone(), GENERATION_ID);
    }
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    let second = a.assignment.clone();
    for m in ["consumer1", "consumer2"] {
        assert_eq!(second[m].len(), 3);
        assert!(
            first[m].iter().all(|p| second[m].contains(p)),
            "{m} kept its partitions"
        );
    }

    ppt.remove("topic");
    for (m, sub) in subs.iter_mut() {
        *sub = owned_subscription(&["topic2"], second[m].clone(), GENERATION_ID);
    }
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    let sizes: Vec<usize> = a.assignment.values().map(Vec::len).collect();
    assert!(sizes == [1, 2] || sizes == [2, 1]);
    for m in ["consumer1", "consumer2"] {
        assert!(
            a.assignment[m].iter().all(|p| second[m].contains(p)),
            "{m} only lost partitions"
        );
    }
}

fn topic_name(i: usize, max: usize) -> String {
    // Kafka's getTopicName / getConsumerName: zero-padded to max's width.
    format!("t{:0width$}", i, width = max.to_string().len())
}

fn consumer_name(i: usize, max: usize) -> String {
    format!("c{:0width$}", i, width = max.to_string().len())
}

/// Partitions that moved from one member to another, both in both
/// assignments (what a member that left had does not count).
fn moved(before: &GroupAssignment, after: &GroupAssignment) -> usize {
    let owner: BTreeMap<&TopicPartition, &String> = before
        .iter()
        .filter(|(m, _)| after.contains_key(*m))
        .flat_map(|(m, ps)| ps.iter().map(move |p| (p, m)))
        .collect();
    after
        .iter()
        .map(|(m, ps)| {
            ps.iter()
                .filter(|p| owner.get(p).is_some_and(|o| *o != m))
                .count()
        })
        .sum()
}

#[test]
fn reassignment_after_one_consumer_leaves() {
    let ppt: BTreeMap<String, i32> = (1..20).map(|i| (topic_name(i, 20), i as i32)).collect();
    let mut subs: BTreeMap<String, Subscription> = (1..20)
        .map(|i| {
            let topics: Vec<String> = (1..=i).map(|j| topic_name(j, 20)).collect();
            (consumer_name(i, 20), Subscription::new(topics))
        })
        .collect();
    let a = assign(&ppt, &subs);
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    subs.remove(&consumer_name(10, 20));
    let b = assign(&ppt, &subs);
    // Sticky: members that stayed keep what they had unless balance needs it.
    for (m, p) in &b.assignment {
        let kept = a.assignment[m].iter().filter(|tp| p.contains(tp)).count();
        assert!(
            kept * 2 >= a.assignment[m].len(),
            "{m} kept {kept} of {}",
            a.assignment[m].len()
        );
    }
}

#[test]
fn reassignment_after_one_consumer_added() {
    let ppt = partitions_per_topic(&[("topic", 20)]);
    let mut subs: BTreeMap<String, Subscription> = (1..10)
        .map(|i| (consumer_name(i, 10), subscription(&["topic"])))
        .collect();
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    // Kafka's test re-adds without owned partitions, so nothing transfers.
    subs.insert(consumer_name(10, 10), subscription(&["topic"]));
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    assert!(is_fully_balanced(&a.assignment));
}

#[test]
fn same_subscriptions() {
    let ppt: BTreeMap<String, i32> = (1..15).map(|i| (topic_name(i, 15), i as i32)).collect();
    let all: Vec<String> = ppt.keys().cloned().collect();
    let mut subs: BTreeMap<String, Subscription> = (1..9)
        .map(|i| (consumer_name(i, 9), Subscription::new(all.clone())))
        .collect();
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    subs.remove(&consumer_name(5, 9));
    let b = assign(&ppt, &subs);
    assert!(no_transfers(&b));
    assert!(is_fully_balanced(&b.assignment));
    // Only consumer5's partitions moved.
    assert_eq!(moved(&a.assignment, &b.assignment), 0);
}

#[test]
fn subscription_not_equal_and_assign_same_partition_with_3_generations() {
    let ppt = partitions_per_topic(&[("topic", 6), ("topic1", 1)]);
    for g in [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [2, 3, 1],
        [3, 1, 2],
        [3, 2, 1],
    ] {
        let subs = members([
            (
                "consumer1",
                owned_subscription(&["topic"], parse("topic-0, topic-2"), g[0]),
            ),
            (
                "consumer2",
                owned_subscription(&["topic"], parse("topic-1, topic-2, topic-3"), g[1]),
            ),
            (
                "consumer3",
                owned_subscription(&["topic"], parse("topic-2, topic-4, topic-5"), g[2]),
            ),
            (
                "consumer4",
                owned_subscription(&["topic1"], parse("topic1-0"), 2),
            ),
        ]);
        let a = assign(&ppt, &subs);
        for p in a.assignment.values() {
            assert!((1..=2).contains(&p.len()), "{g:?}: {p:?}");
        }
    }
}

#[test]
fn new_subscription() {
    let ppt: BTreeMap<String, i32> = (1..5).map(|i| (topic_name(i, 5), 1)).collect();
    let mut subs: BTreeMap<String, Subscription> = (0..3)
        .map(|i: i32| {
            let topics: Vec<String> = (i..=3 * i - 2).map(|j| topic_name(j as usize, 5)).collect();
            (consumer_name(i as usize, 3), Subscription::new(topics))
        })
        .collect();
    assign(&ppt, &subs);
    subs.get_mut(&consumer_name(0, 3))
        .unwrap()
        .topics
        .push(topic_name(1, 5));
    assign(&ppt, &subs);
}

#[test]
fn move_existing_assignments() {
    let ppt: BTreeMap<String, i32> = (1..=6).map(|i| (format!("topic{i}"), 1)).collect();
    let subs = members([
        (
            "consumer1",
            owned_subscription(&["topic1", "topic2"], parse("topic1-0"), GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(
                &["topic1", "topic2", "topic3", "topic4"],
                parse("topic2-0, topic3-0"),
                GENERATION_ID,
            ),
        ),
        (
            "consumer3",
            owned_subscription(
                &["topic2", "topic3", "topic4", "topic5", "topic6"],
                parse("topic4-0, topic5-0, topic6-0"),
                GENERATION_ID,
            ),
        ),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(a.partitions_transferring_ownership, None);
}

#[test]
fn stickiness() {
    let ppt = partitions_per_topic(&[("topic1", 3)]);
    let mut subs: BTreeMap<String, Subscription> = (1..=4)
        .map(|i| (format!("consumer{i}"), subscription(&["topic1"])))
        .collect();
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    assert!(a.assignment.values().all(|p| p.len() <= 1));

    // Remove the potential group leader.
    subs.remove("consumer1");
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    let b = assign(&ppt, &subs);
    assert!(no_transfers(&b));
    for (m, p) in &b.assignment {
        assert_eq!(p.len(), 1, "{m}");
        if let Some(before) = a.assignment[m].first() {
            assert!(p.contains(before), "stickiness was not honored for {m}");
        }
    }
}

#[test]
fn assignment_updated_for_deleted_topic() {
    let ppt = partitions_per_topic(&[("topic1", 1), ("topic3", 100)]);
    let subs = members([("consumer", subscription(&["topic1", "topic2", "topic3"]))]);
    let a = assign(&ppt, &subs);
    assert!(no_transfers(&a));
    assert_eq!(a.assignment["consumer"].len(), 101);
}

#[test]
fn no_exception_thrown_when_only_subscribed_topic_deleted() {
    let ppt = partitions_per_topic(&[("topic", 3)]);
    let mut subs = members([("consumer", subscription(&["topic"]))]);
    let a = assign(&ppt, &subs);
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    let a = assign(&BTreeMap::new(), &subs);
    assert!(no_transfers(&a));
    assert_eq!(a.assignment.len(), 1);
    assert!(a.assignment["consumer"].is_empty());
}

#[test]
fn all_consumers_reach_expected_quota_and_are_considered_filled() {
    let subs = members([
        (
            "consumer1",
            owned_subscription(&["topic"], parse("topic-0, topic-1"), GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(&["topic"], parse("topic-2"), GENERATION_ID),
        ),
        (
            "consumer3",
            owned_subscription(&["topic"], vec![], GENERATION_ID),
        ),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 4)]), &subs);
    assert_eq!(a.assignment["consumer1"], parse("topic-0, topic-1"));
    assert_eq!(a.assignment["consumer2"], parse("topic-2"));
    assert_eq!(a.assignment["consumer3"], parse("topic-3"));
    assert!(no_transfers(&a));
}

#[test]
fn owned_partitions_are_invalidated_for_consumer_with_stale_generation() {
    let t = ["topic", "topic2"];
    let owned = parse("topic-0, topic-2, topic2-1");
    let subs = members([
        ("consumer1", owned_subscription(&t, owned.clone(), 10)),
        ("consumer2", owned_subscription(&t, owned.clone(), 9)),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 3), ("topic2", 3)]), &subs);
    assert_eq!(set(&a.assignment["consumer1"]), set(&owned));
    assert_eq!(
        set(&a.assignment["consumer2"]),
        set(&parse("topic-1, topic2-0, topic2-2"))
    );
    assert!(no_transfers(&a));
}

#[test]
fn owned_partitions_are_invalidated_for_consumer_with_no_generation() {
    let t = ["topic", "topic2"];
    let owned = parse("topic-0, topic-2, topic2-1");
    let subs = members([
        ("consumer1", owned_subscription(&t, owned.clone(), 10)),
        (
            "consumer2",
            owned_subscription(&t, owned.clone(), DEFAULT_GENERATION),
        ),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 3), ("topic2", 3)]), &subs);
    assert_eq!(set(&a.assignment["consumer1"]), set(&owned));
    assert_eq!(
        set(&a.assignment["consumer2"]),
        set(&parse("topic-1, topic2-0, topic2-2"))
    );
    assert!(no_transfers(&a));
}

#[test]
fn partitions_transferring_ownership_include_the_partition_claimed_by_multiple_consumers() {
    let subs = members([
        (
            "consumer1",
            owned_subscription(&["topic"], parse("topic-0, topic-1"), GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(&["topic"], parse("topic-0, topic-2"), GENERATION_ID),
        ),
        (
            "consumer3",
            owned_subscription(&["topic"], vec![], GENERATION_ID),
        ),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 3)]), &subs);
    assert_eq!(
        a.partitions_transferring_ownership,
        transfers(&[(tp("topic", 0), "consumer3")])
    );
    assert_eq!(a.assignment["consumer1"], parse("topic-1"));
    assert_eq!(a.assignment["consumer2"], parse("topic-2"));
    assert_eq!(a.assignment["consumer3"], parse("topic-0"));
}

#[test]
fn ensure_partitions_assigned_to_highest_generation() {
    let t = ["topic", "topic2", "topic3"];
    let subs = members([
        (
            "consumer1",
            owned_subscription(&t, parse("topic-0, topic2-0, topic3-0"), 10),
        ),
        (
            "consumer2",
            owned_subscription(&t, parse("topic-1, topic2-1, topic3-1"), 9),
        ),
        (
            "consumer3",
            owned_subscription(&t, parse("topic2-1, topic3-0, topic3-2"), 8),
        ),
    ]);
    let a = assign(
        &partitions_per_topic(&[("topic", 3), ("topic2", 3), ("topic3", 3)]),
        &subs,
    );
    assert_eq!(
        set(&a.assignment["consumer1"]),
        set(&parse("topic-0, topic2-0, topic3-0"))
    );
    assert_eq!(
        set(&a.assignment["consumer2"]),
        set(&parse("topic-1, topic2-1, topic3-1"))
    );
    assert_eq!(
        set(&a.assignment["consumer3"]),
        set(&parse("topic-2, topic2-2, topic3-2"))
    );
    assert!(no_transfers(&a));
}

#[test]
fn no_reassignment_on_current_members() {
    let t = ["topic", "topic2", "topic3", "topic1"];
    let subs = members([
        (
            "consumer1",
            owned_subscription(&t, vec![], DEFAULT_GENERATION),
        ),
        (
            "consumer2",
            owned_subscription(&t, parse("topic-0, topic2-0, topic1-0"), 9),
        ),
        (
            "consumer3",
            owned_subscription(&t, parse("topic3-2, topic2-2, topic1-1"), 8),
        ),
        (
            "consumer4",
            owned_subscription(&t, parse("topic3-1, topic-1, topic-2"), 7),
        ),
    ]);
    let ppt = partitions_per_topic(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        set(&a.assignment["consumer1"]),
        set(&parse("topic1-2, topic2-1, topic3-0"))
    );
    assert!(no_transfers(&a));
    assert!(is_fully_balanced(&a.assignment));
}

#[test]
fn owned_partitions_are_invalidated_for_consumer_with_multiple_generation() {
    let t = ["topic", "topic2"];
    let subs = members([
        (
            "consumer1",
            owned_subscription(&t, parse("topic-0, topic2-1, topic-1"), 10),
        ),
        (
            "consumer2",
            owned_subscription(&t, parse("topic-0, topic2-1, topic2-2"), 8),
        ),
    ]);
    let a = assign(&partitions_per_topic(&[("topic", 3), ("topic2", 3)]), &subs);
    assert_eq!(
        set(&a.assignment["consumer1"]),
        set(&parse("topic-0, topic2-1, topic-1"))
    );
    assert_eq!(
        set(&a.assignment["consumer2"]),
        set(&parse("topic-2, topic2-2, topic2-0"))
    );
    assert!(no_transfers(&a));
}

#[test]
fn uniform_subscription_three_topics() {
    // AbstractStickyAssignorTest.testRackAwareAssignmentWithUniformSubscription, no racks.
    let ppt = partitions_per_topic(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let all = ["t1", "t2", "t3"];
    let subs = members([
        ("consumer0", subscription(&all)),
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&all)),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a.assignment["consumer0"],
        parse("t1-0, t1-3, t2-0, t2-3, t2-6")
    );
    assert_eq!(
        a.assignment["consumer1"],
        parse("t1-1, t1-4, t2-1, t2-4, t3-0")
    );
    assert_eq!(
        a.assignment["consumer2"],
        parse("t1-2, t1-5, t2-2, t2-5, t3-1")
    );
}

#[test]
fn large_group_one_member_leaves_is_fast_and_sticky() {
    // testLargeAssignmentAndGroupWithUniformSubscription, scaled down.
    let ppt: BTreeMap<String, i32> = (0..20).map(|i| (topic_name(i, 20), 100)).collect();
    let all: Vec<String> = ppt.keys().cloned().collect();
    let mut subs: BTreeMap<String, Subscription> = (0..200)
        .map(|i| (consumer_name(i, 200), Subscription::new(all.clone())))
        .collect();
    let a = assign(&ppt, &subs);
    assert!(a.assignment.values().all(|p| p.len() == 10));
    resubscribe(&mut subs, &a.assignment, GENERATION_ID);
    subs.remove(&consumer_name(0, 200));
    let b = assign(&ppt, &subs);
    assert!(is_fully_balanced(&b.assignment));
    assert_eq!(
        moved(&a.assignment, &b.assignment),
        0,
        "nothing moves between members that stayed"
    );
}

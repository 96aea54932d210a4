//! Kafka's `RoundRobinAssignorTest`, the cases without rack awareness.

mod common;

use common::*;
use kafkascope_client::assignor::{
    ConsumerPartitionAssignor, GroupAssignment, RoundRobinAssignor, Subscription,
};
use std::collections::BTreeMap;

fn assign(ppt: &BTreeMap<String, i32>, subs: &BTreeMap<String, Subscription>) -> GroupAssignment {
    let a = RoundRobinAssignor.assign(ppt, subs);
    verify_validity(ppt, subs, &a);
    verify_complete(ppt, subs, &a);
    a
}

#[test]
fn name() {
    assert_eq!(RoundRobinAssignor.name(), "roundrobin");
}

#[test]
fn one_consumer_no_topic() {
    let a = assign(
        &BTreeMap::new(),
        &members([("consumer", subscription(&[]))]),
    );
    assert!(a["consumer"].is_empty());
}

#[test]
fn one_consumer_nonexistent_topic() {
    let a = assign(
        &BTreeMap::new(),
        &members([("consumer", subscription(&["topic"]))]),
    );
    assert!(a["consumer"].is_empty());
}

#[test]
fn one_consumer_one_topic() {
    let a = assign(
        &partitions_per_topic(&[("topic", 3)]),
        &members([("consumer", subscription(&["topic"]))]),
    );
    assert_eq!(
        a["consumer"],
        vec![tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
}

#[test]
fn only_assigns_partitions_from_subscribed_topics() {
    let a = assign(
        &partitions_per_topic(&[("topic", 3), ("other", 3)]),
        &members([("consumer", subscription(&["topic"]))]),
    );
    assert_eq!(
        a["consumer"],
        vec![tp("topic", 0), tp("topic", 1), tp("topic", 2)]
    );
}

#[test]
fn one_consumer_multiple_topics() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 1), ("topic2", 2)]),
        &members([("consumer", subscription(&["topic1", "topic2"]))]),
    );
    assert_eq!(
        a["consumer"],
        vec![tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
}

#[test]
fn two_consumers_one_topic_one_partition() {
    let a = assign(
        &partitions_per_topic(&[("topic", 1)]),
        &members([
            ("consumer1", subscription(&["topic"])),
            ("consumer2", subscription(&["topic"])),
        ]),
    );
    assert_eq!(a["consumer1"], vec![tp("topic", 0)]);
    assert!(a["consumer2"].is_empty());
}

#[test]
fn two_consumers_one_topic_two_partitions() {
    let a = assign(
        &partitions_per_topic(&[("topic", 2)]),
        &members([
            ("consumer1", subscription(&["topic"])),
            ("consumer2", subscription(&["topic"])),
        ]),
    );
    assert_eq!(a["consumer1"], vec![tp("topic", 0)]);
    assert_eq!(a["consumer2"], vec![tp("topic", 1)]);
}

#[test]
fn multiple_consumers_mixed_topics() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 2)]),
        &members([
            ("consumer1", subscription(&["topic1"])),
            ("consumer2", subscription(&["topic1", "topic2"])),
            ("consumer3", subscription(&["topic1"])),
        ]),
    );
    assert_eq!(a["consumer1"], vec![tp("topic1", 0)]);
    assert_eq!(
        a["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 1)]
    );
    assert_eq!(a["consumer3"], vec![tp("topic1", 2)]);
}

#[test]
fn two_dynamic_consumers_two_topics_six_partitions() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &members([
            ("consumer1", subscription(&["topic1", "topic2"])),
            ("consumer2", subscription(&["topic1", "topic2"])),
        ]),
    );
    assert_eq!(
        a["consumer1"],
        vec![tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        a["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn two_static_consumers_two_topics_six_partitions() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &members([
            (
                "consumer1",
                subscription(&["topic1", "topic2"]).with_group_instance_id("instance1"),
            ),
            (
                "consumer2",
                subscription(&["topic1", "topic2"]).with_group_instance_id("instance2"),
            ),
        ]),
    );
    assert_eq!(
        a["consumer1"],
        vec![tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        a["consumer2"],
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
    // The static member goes first even though its member id sorts last.
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &members([
            (
                "consumer2",
                subscription(&["topic1", "topic2"]).with_group_instance_id("instance1"),
            ),
            ("consumer1", subscription(&["topic1", "topic2"])),
        ]),
    );
    assert_eq!(
        a["consumer2"],
        vec![tp("topic1", 0), tp("topic1", 2), tp("topic2", 1)]
    );
    assert_eq!(
        a["consumer1"],
        vec![tp("topic1", 1), tp("topic2", 0), tp("topic2", 2)]
    );
}

#[test]
fn static_member_round_robin_assignment_persistent() {
    // Three static members and a dynamic one; replacing the dynamic member
    // (with an id that sorts before the static ones) changes nothing for
    // the static members.
    let ppt = partitions_per_topic(&[("topic1", 5), ("topic2", 5)]);
    let mut subs = members([
        (
            "consumer1",
            subscription(&["topic1", "topic2"]).with_group_instance_id("instance1"),
        ),
        (
            "consumer2",
            subscription(&["topic1", "topic2"]).with_group_instance_id("instance2"),
        ),
        (
            "consumer3",
            subscription(&["topic1", "topic2"]).with_group_instance_id("instance3"),
        ),
        ("consumer4", subscription(&["topic1", "topic2"])),
    ]);
    let first = assign(&ppt, &subs);
    // Instances in order, then the dynamic member; 10 partitions dealt out.
    assert_eq!(first["consumer1"], parse("topic1-0, topic1-4, topic2-3"));
    assert_eq!(first["consumer2"], parse("topic1-1, topic2-0, topic2-4"));
    assert_eq!(first["consumer3"], parse("topic1-2, topic2-1"));
    assert_eq!(first["consumer4"], parse("topic1-3, topic2-2"));

    subs.remove("consumer4");
    subs.insert("consumer0".into(), subscription(&["topic1", "topic2"]));
    let second = assign(&ppt, &subs);
    for m in ["consumer1", "consumer2", "consumer3"] {
        assert_eq!(first[m], second[m], "{m}");
    }
    assert_eq!(second["consumer0"], first["consumer4"]);
}

#[test]
fn static_member_round_robin_assignment_persistent_after_member_id_changes() {
    let ppt = partitions_per_topic(&[("topic1", 5), ("topic2", 5)]);
    let by_instance = |subs: &BTreeMap<String, Subscription>| {
        let a = assign(&ppt, subs);
        subs.iter()
            .map(|(m, s)| (s.group_instance_id.clone().unwrap(), a[m].clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut subs = members([
        (
            "consumer1",
            subscription(&["topic1", "topic2"]).with_group_instance_id("instance1"),
        ),
        (
            "consumer2",
            subscription(&["topic1", "topic2"]).with_group_instance_id("instance2"),
        ),
        (
            "consumer3",
            subscription(&["topic1", "topic2"]).with_group_instance_id("instance3"),
        ),
    ]);
    let before = by_instance(&subs);
    assert_eq!(
        before["instance1"],
        parse("topic1-0, topic1-3, topic2-1, topic2-4")
    );
    assert_eq!(before["instance2"], parse("topic1-1, topic1-4, topic2-2"));
    assert_eq!(before["instance3"], parse("topic1-2, topic2-0, topic2-3"));
    let s3 = subs.remove("consumer3").unwrap();
    let s2 = subs.remove("consumer2").unwrap();
    subs.insert("consumer4".into(), s3);
    subs.insert("consumer0".into(), s2);
    assert_eq!(by_instance(&subs), before);
}

#[test]
fn uniform_subscription_three_topics() {
    // RoundRobinAssignorTest.testRackAwareAssignmentWithUniformSubscription, no racks.
    let ppt = partitions_per_topic(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let all = ["t1", "t2", "t3"];
    let subs = members([
        ("consumer0", subscription(&all)),
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&all)),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(a["consumer0"], parse("t1-0, t1-3, t2-0, t2-3, t2-6"));
    assert_eq!(a["consumer1"], parse("t1-1, t1-4, t2-1, t2-4, t3-0"));
    assert_eq!(a["consumer2"], parse("t1-2, t1-5, t2-2, t2-5, t3-1"));
}

#[test]
fn poor_round_robin_scenario() {
    // The scenario of AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario:
    // round robin leaves consumer3 empty (its doc comment's result).
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
    assert_eq!(a["consumer1"], parse("topic1-0, topic3-0, topic5-0"));
    assert_eq!(a["consumer2"], parse("topic1-1, topic3-1, topic5-1"));
    assert!(a["consumer3"].is_empty());
    assert_eq!(a["consumer4"], parse("topic2-0, topic4-0"));
}

//! Kafka's `RangeAssignorTest`, the cases without rack awareness.

mod common;

use common::*;
use kafkascope_client::assignor::{ConsumerPartitionAssignor, RangeAssignor};
use std::collections::BTreeMap;

fn assign(
    ppt: &BTreeMap<String, i32>,
    subs: &BTreeMap<String, kafkascope_client::assignor::Subscription>,
) -> kafkascope_client::assignor::GroupAssignment {
    let a = RangeAssignor.assign(ppt, subs);
    verify_validity(ppt, subs, &a);
    verify_complete(ppt, subs, &a);
    a
}

#[test]
fn name_and_protocol() {
    assert_eq!(RangeAssignor.name(), "range");
    assert_eq!(
        RangeAssignor.supported_protocols(),
        vec![kafkascope_client::assignor::RebalanceProtocol::Eager]
    );
}

#[test]
fn one_consumer_no_topic() {
    let a = assign(
        &BTreeMap::new(),
        &members([("consumer1", subscription(&[]))]),
    );
    assert_eq!(a.len(), 1);
    assert!(a["consumer1"].is_empty());
}

#[test]
fn one_consumer_nonexistent_topic() {
    let a = assign(
        &BTreeMap::new(),
        &members([("consumer1", subscription(&["topic1"]))]),
    );
    assert!(a["consumer1"].is_empty());
}

#[test]
fn one_consumer_one_topic() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 3)]),
        &members([("consumer1", subscription(&["topic1"]))]),
    );
    assert_eq!(
        a["consumer1"],
        vec![tp("topic1", 0), tp("topic1", 1), tp("topic1", 2)]
    );
}

#[test]
fn only_assigns_partitions_from_subscribed_topics() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("other", 3)]),
        &members([("consumer1", subscription(&["topic1"]))]),
    );
    assert_eq!(
        a["consumer1"],
        vec![tp("topic1", 0), tp("topic1", 1), tp("topic1", 2)]
    );
}

#[test]
fn one_consumer_multiple_topics() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 1), ("topic2", 2)]),
        &members([("consumer1", subscription(&["topic1", "topic2"]))]),
    );
    assert_eq!(
        a["consumer1"],
        vec![tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
    );
}

#[test]
fn two_consumers_one_topic_one_partition() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 1)]),
        &members([
            ("consumer1", subscription(&["topic1"])),
            ("consumer2", subscription(&["topic1"])),
        ]),
    );
    assert_eq!(a["consumer1"], vec![tp("topic1", 0)]);
    assert!(a["consumer2"].is_empty());
}

#[test]
fn two_consumers_one_topic_two_partitions() {
    let a = assign(
        &partitions_per_topic(&[("topic1", 2)]),
        &members([
            ("consumer1", subscription(&["topic1"])),
            ("consumer2", subscription(&["topic1"])),
        ]),
    );
    assert_eq!(a["consumer1"], vec![tp("topic1", 0)]);
    assert_eq!(a["consumer2"], vec![tp("topic1", 1)]);
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
fn two_consumers_two_topics_six_partitions() {
    // The KAFKA-REFERENCE example.
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &members([
            ("consumer1", subscription(&["topic1", "topic2"])),
            ("consumer2", subscription(&["topic1", "topic2"])),
        ]),
    );
    assert_eq!(
        a["consumer1"],
        vec![
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic2", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(a["consumer2"], vec![tp("topic1", 2), tp("topic2", 2)]);
}

#[test]
fn two_static_consumers_two_topics_six_partitions() {
    // consumer-a sorts first by member id, but instance ids decide.
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &members([
            (
                "consumer-b",
                subscription(&["topic1", "topic2"]).with_group_instance_id("instance1"),
            ),
            (
                "consumer-a",
                subscription(&["topic1", "topic2"]).with_group_instance_id("instance2"),
            ),
        ]),
    );
    assert_eq!(
        a["consumer-b"],
        vec![
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic2", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(a["consumer-a"], vec![tp("topic1", 2), tp("topic2", 2)]);
}

#[test]
fn one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
    // The static member comes first whatever its member id.
    let a = assign(
        &partitions_per_topic(&[("topic1", 3), ("topic2", 3)]),
        &members([
            (
                "consumer-b",
                subscription(&["topic1", "topic2"]).with_group_instance_id("instance1"),
            ),
            ("consumer-a", subscription(&["topic1", "topic2"])),
        ]),
    );
    assert_eq!(
        a["consumer-b"],
        vec![
            tp("topic1", 0),
            tp("topic1", 1),
            tp("topic2", 0),
            tp("topic2", 1)
        ]
    );
    assert_eq!(a["consumer-a"], vec![tp("topic1", 2), tp("topic2", 2)]);
}

fn static_members() -> BTreeMap<String, kafkascope_client::assignor::Subscription> {
    members([
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
    ])
}

#[test]
fn static_member_range_assignment_persistent() {
    let ppt = partitions_per_topic(&[("topic1", 5), ("topic2", 4)]);
    let mut subs = static_members();
    subs.insert("consumer4".into(), subscription(&["topic1", "topic2"]));
    let mut expected: BTreeMap<String, Vec<_>> = [
        (
            "consumer1",
            vec![tp("topic1", 0), tp("topic1", 1), tp("topic2", 0)],
        ),
        ("consumer2", vec![tp("topic1", 2), tp("topic2", 1)]),
        ("consumer3", vec![tp("topic1", 3), tp("topic2", 2)]),
        ("consumer4", vec![tp("topic1", 4), tp("topic2", 3)]),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_string(), p))
    .collect();
    assert_eq!(assign(&ppt, &subs), expected);

    // Replace dynamic member 4 with a new dynamic member 5.
    subs.remove("consumer4");
    subs.insert("consumer5".into(), subscription(&["topic1", "topic2"]));
    let p = expected.remove("consumer4").unwrap();
    expected.insert("consumer5".into(), p);
    assert_eq!(assign(&ppt, &subs), expected);
}

#[test]
fn static_member_range_assignment_persistent_after_member_id_changes() {
    let ppt = partitions_per_topic(&[("topic1", 5), ("topic2", 5)]);
    let by_instance = |subs: &BTreeMap<String, kafkascope_client::assignor::Subscription>| {
        let a = assign(&ppt, subs);
        subs.iter()
            .map(|(m, s)| (s.group_instance_id.clone().unwrap(), a[m].clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut subs = static_members();
    let before = by_instance(&subs);
    let expected: BTreeMap<String, Vec<_>> = [
        (
            "instance1",
            vec![
                tp("topic1", 0),
                tp("topic1", 1),
                tp("topic2", 0),
                tp("topic2", 1),
            ],
        ),
        (
            "instance2",
            vec![
                tp("topic1", 2),
                tp("topic1", 3),
                tp("topic2", 2),
                tp("topic2", 3),
            ],
        ),
        ("instance3", vec![tp("topic1", 4), tp("topic2", 4)]),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_string(), p))
    .collect();
    assert_eq!(before, expected);

    // New member ids that sort the other way round: same assignment.
    let s3 = subs.remove("consumer3").unwrap();
    let s2 = subs.remove("consumer2").unwrap();
    subs.insert("consumer0".into(), s3);
    subs.insert("consumer00".into(), s2);
    assert_eq!(by_instance(&subs), expected);
}

#[test]
fn uniform_subscription_three_topics() {
    // RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription, no racks.
    let ppt = partitions_per_topic(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let all = ["t1", "t2", "t3"];
    let subs = members([
        ("consumer0", subscription(&all)),
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&all)),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(a["consumer0"], parse("t1-0, t1-1, t2-0, t2-1, t2-2, t3-0"));
    assert_eq!(a["consumer1"], parse("t1-2, t1-3, t2-3, t2-4, t3-1"));
    assert_eq!(a["consumer2"], parse("t1-4, t1-5, t2-5, t2-6"));
}

#[test]
fn non_equal_subscription_three_topics() {
    // RangeAssignorTest.testRackAwareAssignmentWithNonEqualSubscription, no racks.
    let ppt = partitions_per_topic(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let all = ["t1", "t2", "t3"];
    let subs = members([
        ("consumer0", subscription(&all)),
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&["t1", "t3"])),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a["consumer0"],
        parse("t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0")
    );
    assert_eq!(a["consumer1"], parse("t1-2, t1-3, t2-4, t2-5, t2-6, t3-1"));
    assert_eq!(a["consumer2"], parse("t1-4, t1-5"));
}

#[test]
fn uniform_partitions_non_equal_subscription() {
    // RangeAssignorTest.testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription, no racks.
    let ppt = partitions_per_topic(&[("t1", 5), ("t2", 5), ("t3", 5)]);
    let all = ["t1", "t2", "t3"];
    let subs = members([
        ("consumer0", subscription(&all)),
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&["t1", "t3"])),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a["consumer0"],
        parse("t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1")
    );
    assert_eq!(a["consumer1"], parse("t1-2, t1-3, t2-3, t2-4, t3-2, t3-3"));
    assert_eq!(a["consumer2"], parse("t1-4, t3-4"));
}

#[test]
fn co_partitioned_with_same_subscription() {
    // RangeAssignorTest.testCoPartitionedAssignmentWithSameSubscription, no
    // racks; t7..t9 do not exist.
    let ppt = partitions_per_topic(&[
        ("t1", 6),
        ("t2", 6),
        ("t3", 2),
        ("t4", 2),
        ("t5", 4),
        ("t6", 4),
    ]);
    let all = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
    let subs = members([
        ("consumer0", subscription(&all)),
        ("consumer1", subscription(&all)),
        ("consumer2", subscription(&all)),
    ]);
    let a = assign(&ppt, &subs);
    assert_eq!(
        a["consumer0"],
        parse("t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1")
    );
    assert_eq!(
        a["consumer1"],
        parse("t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2")
    );
    assert_eq!(a["consumer2"], parse("t1-4, t1-5, t2-4, t2-5, t5-3, t6-3"));
}

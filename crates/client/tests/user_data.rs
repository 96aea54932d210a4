//! `StickyAssignor` user data: Kafka's V0/V1 schemas, byte for byte.

use kafkascope_client::assignor::{
    deserialize_topic_partition_assignment, serialize_topic_partition_assignment, MemberData,
    StickyAssignor, Subscription, TopicPartition,
};

fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition::new(t, p)
}

#[test]
fn v1_bytes_are_kafkas_schema() {
    let data = MemberData {
        partitions: vec![tp("t", 0), tp("t", 2)],
        generation: Some(7),
    };
    let bytes = serialize_topic_partition_assignment(&data);
    #[rustfmt::skip]
    let expected = [
        0, 0, 0, 1,          // previous_assignment: 1 topic
        0, 1, b't',          // topic: STRING "t"
        0, 0, 0, 2,          // partitions: 2
        0, 0, 0, 0,
        0, 0, 0, 2,
        0, 0, 0, 7,          // generation
    ];
    assert_eq!(bytes, expected);
    assert_eq!(
        deserialize_topic_partition_assignment(&bytes).unwrap(),
        data
    );
}

#[test]
fn v0_has_no_generation() {
    #[rustfmt::skip]
    let v0 = [0, 0, 0, 1, 0, 2, b'a', b'b', 0, 0, 0, 1, 0, 0, 0, 3];
    let data = deserialize_topic_partition_assignment(&v0).unwrap();
    assert_eq!(data.partitions, vec![tp("ab", 3)]);
    assert_eq!(data.generation, None);
}

#[test]
fn round_trip_groups_by_topic() {
    let data = MemberData {
        partitions: vec![tp("b", 1), tp("a", 0), tp("b", 0)],
        generation: Some(-1),
    };
    let decoded =
        deserialize_topic_partition_assignment(&serialize_topic_partition_assignment(&data))
            .unwrap();
    // Grouped by topic, partition order within a topic kept.
    assert_eq!(decoded.partitions, vec![tp("a", 0), tp("b", 1), tp("b", 0)]);
    assert_eq!(decoded.generation, Some(-1));
}

#[test]
fn truncated_or_negative_is_an_error() {
    assert!(deserialize_topic_partition_assignment(&[0, 0, 0, 1, 0]).is_err());
    assert!(deserialize_topic_partition_assignment(&[0xff, 0xff, 0xff, 0xff]).is_err());
    assert!(deserialize_topic_partition_assignment(&[0, 0, 0, 1, 0xff, 0xff]).is_err());
}

#[test]
fn member_data_reads_user_data_only() {
    // Kafka's testMemberData: the eager assignor ignores ownedPartitions.
    let sub = Subscription::new(["t"])
        .with_owned_partitions(vec![tp("t", 9)])
        .with_user_data(StickyAssignor::subscription_user_data(&[tp("t", 1)], 4));
    let data = StickyAssignor::member_data(&sub);
    assert_eq!(data.partitions, vec![tp("t", 1)]);
    assert_eq!(data.generation, Some(4));
    // Garbage user data counts as no previous assignment.
    let bad = Subscription::new(["t"]).with_user_data(vec![1, 2, 3]);
    assert_eq!(StickyAssignor::member_data(&bad), MemberData::default());
}

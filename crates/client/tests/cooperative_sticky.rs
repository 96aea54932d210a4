//! Kafka's `CooperativeStickyAssignorTest`: the sticky assignment minus
//! every partition that changes owner; a follow-up rebalance (after the
//! owners revoked them) completes it.

mod common;

use common::*;
use kafkascope_client::assignor::{
    ConsumerPartitionAssignor, CooperativeStickyAssignor, GroupAssignment, RebalanceProtocol,
    Subscription,
};
use std::collections::{BTreeMap, BTreeSet};

const GENERATION_ID: i32 = 1;

fn assign(ppt: &BTreeMap<String, i32>, subs: &BTreeMap<String, Subscription>) -> GroupAssignment {
    let a = CooperativeStickyAssignor.assign(ppt, subs);
    verify_validity(ppt, subs, &a);
    verify_never_moves_directly(subs, &a);
    a
}

/// No partition goes to one member while another still owns it.
fn verify_never_moves_directly(subs: &BTreeMap<String, Subscription>, a: &GroupAssignment) {
    for (member, partitions) in a {
        for p in partitions {
            for (other, sub) in subs {
                assert!(
                    other == member || !sub.owned_partitions.contains(p),
                    "{p} moves from {other} to {member} in one rebalance"
                );
            }
        }
    }
}

/// Kafka's cooperative `verifyValidityAndBalance`: members adopt the
/// assignment (revoking what they lost) and rejoin until nothing more is
/// held back; that takes one extra rebalance at most.
fn rebalance_until_stable(
    ppt: &BTreeMap<String, i32>,
    subs: &mut BTreeMap<String, Subscription>,
    first: GroupAssignment,
    generation: i32,
) -> GroupAssignment {
    let mut current = first;
    for round in 0..2 {
        for (m, s) in subs.iter_mut() {
            *s = s
                .clone()
                .with_owned_partitions(current[m].clone())
                .with_generation_id(generation + 1 + round);
        }
        let next = assign(ppt, subs);
        if next == current {
            verify_validity_and_balance(ppt, subs, &next);
            return next;
        }
        current = next;
    }
    panic!("still moving partitions after the follow-up rebalance: {current:?}");
}

#[test]
fn name_and_protocols() {
    assert_eq!(CooperativeStickyAssignor.name(), "cooperative-sticky");
    assert_eq!(
        CooperativeStickyAssignor.supported_protocols(),
        vec![RebalanceProtocol::Cooperative, RebalanceProtocol::Eager]
    );
}

#[test]
fn fresh_group_assigns_everything_at_once() {
    // Nobody owns anything: nothing to revoke first.
    let ppt = partitions_per_topic(&[("topic1", 3), ("topic2", 3)]);
    let subs = members([
        ("consumer1", subscription(&["topic1", "topic2"])),
        ("consumer2", subscription(&["topic1", "topic2"])),
    ]);
    let a = assign(&ppt, &subs);
    verify_validity_and_balance(&ppt, &subs, &a);
    assert_eq!(a["consumer1"], parse("topic1-0, topic1-2, topic2-1"));
    assert_eq!(a["consumer2"], parse("topic1-1, topic2-0, topic2-2"));
}

#[test]
fn add_remove_consumer_one_topic() {
    let ppt = partitions_per_topic(&[("topic", 3)]);
    let mut subs = members([("consumer1", subscription(&["topic"]))]);
    let a = assign(&ppt, &subs);
    assert_eq!(a["consumer1"], parse("topic-0, topic-1, topic-2"));

    subs.insert(
        "consumer1".into(),
        owned_subscription(&["topic"], a["consumer1"].clone(), GENERATION_ID),
    );
    subs.insert(
        "consumer2".into(),
        owned_subscription(&["topic"], vec![], GENERATION_ID),
    );
    let a = assign(&ppt, &subs);
    // topic-2 must be revoked by consumer1 before consumer2 gets it.
    assert_eq!(a["consumer1"], parse("topic-0, topic-1"));
    assert!(a["consumer2"].is_empty());

    let a = rebalance_until_stable(&ppt, &mut subs, a, GENERATION_ID);
    assert_eq!(a["consumer1"], parse("topic-0, topic-1"));
    assert_eq!(a["consumer2"], parse("topic-2"));
}

#[test]
fn add_remove_two_consumers_two_topics() {
    let t = ["topic1", "topic2"];
    let ppt = partitions_per_topic(&[("topic1", 3), ("topic2", 4)]);
    let mut subs = members([
        (
            "consumer1",
            owned_subscription(
                &t,
                parse("topic1-0, topic1-2, topic2-1, topic2-3"),
                GENERATION_ID,
            ),
        ),
        (
            "consumer2",
            owned_subscription(&t, parse("topic1-1, topic2-0, topic2-2"), GENERATION_ID),
        ),
        ("consumer3", owned_subscription(&t, vec![], GENERATION_ID)),
        ("consumer4", owned_subscription(&t, vec![], GENERATION_ID)),
    ]);
    let a = assign(&ppt, &subs);
    // The sticky result moves topic2-1, topic2-3 to consumer3 and topic2-2
    // to consumer4: all three are held back.
    assert_eq!(a["consumer1"], parse("topic1-0, topic1-2"));
    assert_eq!(a["consumer2"], parse("topic1-1, topic2-0"));
    assert!(a["consumer3"].is_empty());
    assert!(a["consumer4"].is_empty());

    let a = rebalance_until_stable(&ppt, &mut subs, a, GENERATION_ID);
    assert_eq!(set(&a["consumer3"]), set(&parse("topic2-1, topic2-3")));
    assert_eq!(a["consumer4"], parse("topic2-2"));
}

#[test]
fn owned_partition_claimed_by_multiple_consumers_equal_partitions_per_consumer() {
    // topic-0 is claimed by both in one generation: neither keeps it, and
    // consumer3 cannot have it until both have revoked it.
    let ppt = partitions_per_topic(&[("topic", 3)]);
    let mut subs = members([
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
    let a = CooperativeStickyAssignor.assign(&ppt, &subs);
    verify_validity(&ppt, &subs, &a);
    assert_eq!(a["consumer1"], parse("topic-1"));
    assert_eq!(a["consumer2"], parse("topic-2"));
    assert!(a["consumer3"].is_empty());

    let a = rebalance_until_stable(&ppt, &mut subs, a, GENERATION_ID);
    assert_eq!(a["consumer3"], parse("topic-0"));
}

#[test]
fn owned_partition_claimed_by_multiple_consumers_unequal_partitions_per_consumer() {
    let ppt = partitions_per_topic(&[("topic", 4)]);
    let mut subs = members([
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
    let a = CooperativeStickyAssignor.assign(&ppt, &subs);
    verify_validity(&ppt, &subs, &a);
    assert_eq!(a["consumer1"], parse("topic-1, topic-3"));
    assert_eq!(a["consumer2"], parse("topic-2"));
    assert!(a["consumer3"].is_empty());

    let a = rebalance_until_stable(&ppt, &mut subs, a, GENERATION_ID);
    assert_eq!(a["consumer3"], parse("topic-0"));
}

#[test]
fn general_path_holds_back_moving_partitions() {
    // Different subscriptions: partitions transferring are computed from
    // the owned partitions (computePartitionsTransferringOwnership).
    let ppt = partitions_per_topic(&[("topic1", 3), ("topic2", 2)]);
    let mut subs = members([
        (
            "consumer1",
            owned_subscription(&["topic1"], vec![], GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(
                &["topic1", "topic2"],
                parse("topic1-0, topic1-1, topic1-2, topic2-0, topic2-1"),
                GENERATION_ID,
            ),
        ),
    ]);
    let a = assign(&ppt, &subs);
    // Balance wants topic1 partitions on consumer1; they are revoked first.
    assert!(a["consumer1"].is_empty());
    assert!(a["consumer2"].len() < 5);
    let a = rebalance_until_stable(&ppt, &mut subs, a, GENERATION_ID);
    assert!(!a["consumer1"].is_empty());
    let all: BTreeSet<_> = a.values().flatten().cloned().collect();
    assert_eq!(all.len(), 5);
}

#[test]
fn member_leaving_frees_partitions_immediately() {
    // Partitions of a member that left are owned by nobody: assigned now.
    let ppt = partitions_per_topic(&[("topic", 6)]);
    let subs = members([
        (
            "consumer1",
            owned_subscription(&["topic"], parse("topic-0, topic-1"), GENERATION_ID),
        ),
        (
            "consumer2",
            owned_subscription(&["topic"], parse("topic-2, topic-3"), GENERATION_ID),
        ),
    ]);
    let a = assign(&ppt, &subs);
    verify_validity_and_balance(&ppt, &subs, &a);
    assert_eq!(a["consumer1"].len() + a["consumer2"].len(), 6);
    assert!(parse("topic-0, topic-1")
        .iter()
        .all(|p| a["consumer1"].contains(p)));
    assert!(parse("topic-2, topic-3")
        .iter()
        .all(|p| a["consumer2"].contains(p)));
}

#[test]
fn stale_generation_owner_does_not_block() {
    // consumer2's claim is from an older generation: consumer1 keeps topic-0
    // and consumer2 is not considered an owner.
    let ppt = partitions_per_topic(&[("topic", 2)]);
    let subs = members([
        (
            "consumer1",
            owned_subscription(&["topic"], parse("topic-0, topic-1"), 5),
        ),
        (
            "consumer2",
            owned_subscription(&["topic"], parse("topic-1"), 3),
        ),
    ]);
    let a = CooperativeStickyAssignor.assign(&ppt, &subs);
    verify_validity(&ppt, &subs, &a);
    assert_eq!(a["consumer1"], parse("topic-0"));
    // topic-1 moves from consumer1 (the valid owner) to consumer2: held back.
    assert!(a["consumer2"].is_empty());
}

#[test]
fn decode_generation_absent() {
    // testDecodeGeneration: no generation anywhere.
    let sub = subscription(&["topic"]);
    assert_eq!(
        CooperativeStickyAssignor::member_data(&sub).generation,
        None
    );
}

#[test]
fn encode_decode_generation_in_user_data() {
    // testEncodeDecodeGeneration: an older subscription carries the
    // generation only in the cooperative user data.
    let sub = subscription(&["topic"])
        .with_user_data(CooperativeStickyAssignor::subscription_user_data(10));
    assert_eq!(
        CooperativeStickyAssignor::subscription_user_data(10),
        vec![0, 0, 0, 10]
    );
    assert_eq!(
        CooperativeStickyAssignor::member_data(&sub).generation,
        Some(10)
    );
}

#[test]
fn member_data_with_inconsistent_data() {
    // Owned partitions come from the subscription, the generation from the
    // user data when the subscription has none.
    let sub = subscription(&["topic"])
        .with_user_data(CooperativeStickyAssignor::subscription_user_data(
            GENERATION_ID,
        ))
        .with_owned_partitions(parse("topic-0"));
    let data = CooperativeStickyAssignor::member_data(&sub);
    assert_eq!(data.partitions, parse("topic-0"));
    assert_eq!(data.generation, Some(GENERATION_ID));
}

#[test]
fn member_data_with_empty_partitions_and_higher_generation() {
    // The subscription's generation wins over the user data's.
    let sub = subscription(&["topic"])
        .with_user_data(CooperativeStickyAssignor::subscription_user_data(
            GENERATION_ID - 1,
        ))
        .with_generation_id(GENERATION_ID);
    let data = CooperativeStickyAssignor::member_data(&sub);
    assert!(data.partitions.is_empty());
    assert_eq!(data.generation, Some(GENERATION_ID));
}

#[test]
fn assignor_with_old_version_subscriptions() {
    // testAssignorWithOldVersionSubscriptions: two members send the
    // generation only in user data (ConsumerProtocolSubscription V1).
    let v1 = |owned: &str| {
        subscription(&["topic1"])
            .with_owned_partitions(parse(owned))
            .with_user_data(CooperativeStickyAssignor::subscription_user_data(
                GENERATION_ID,
            ))
    };
    let subs = members([
        ("consumer1", v1("topic1-0")),
        ("consumer2", v1("topic1-1")),
        (
            "consumer3",
            owned_subscription(&["topic1"], vec![], GENERATION_ID),
        ),
    ]);
    let ppt = partitions_per_topic(&[("topic1", 3)]);
    let a = assign(&ppt, &subs);
    assert_eq!(a["consumer1"], parse("topic1-0"));
    assert_eq!(a["consumer2"], parse("topic1-1"));
    assert_eq!(a["consumer3"], parse("topic1-2"));
}

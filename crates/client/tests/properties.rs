//! Property tests over random groups: validity for all four assignors,
//! balance for round robin and sticky, stickiness of a repeated sticky
//! assignment, and the cooperative rule that no partition moves directly
//! from one member to another.

mod common;

use common::*;
use kafkascope_client::assignor::{
    deserialize_topic_partition_assignment, serialize_topic_partition_assignment,
    ConsumerPartitionAssignor, CooperativeStickyAssignor, GroupAssignment, MemberData,
    RangeAssignor, RoundRobinAssignor, StickyAssignor, Subscription, TopicPartition,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Topics t0..tN with 0..=8 partitions each (0: a topic with no partitions).
fn topics_strategy() -> impl Strategy<Value = BTreeMap<String, i32>> {
    prop::collection::vec(0i32..=8, 1..=5).prop_map(|counts| {
        counts
            .into_iter()
            .enumerate()
            .map(|(i, n)| (format!("t{i}"), n))
            .collect()
    })
}

/// A group whose members subscribe to random subsets of the topics (plus,
/// sometimes, a topic that does not exist); some are static.
fn group_strategy() -> impl Strategy<Value = (BTreeMap<String, i32>, BTreeMap<String, Subscription>)>
{
    topics_strategy()
        .prop_flat_map(|ppt| {
            let n_topics = ppt.len();
            let member = (
                prop::collection::vec(any::<bool>(), n_topics + 1),
                prop::option::of(0u8..10),
            );
            (Just(ppt), prop::collection::vec(member, 1..=7))
        })
        .prop_map(|(ppt, members)| {
            let subs = members
                .into_iter()
                .enumerate()
                .map(|(i, (picks, instance))| {
                    let mut topics: Vec<String> = picks
                        .iter()
                        .enumerate()
                        .filter(|(_, on)| **on)
                        .map(|(t, _)| format!("t{t}")) // t{n_topics} does not exist
                        .collect();
                    topics.dedup();
                    let mut sub = Subscription::new(topics);
                    if let Some(id) = instance {
                        sub = sub.with_group_instance_id(format!("instance-{id}-{i}"));
                    }
                    (format!("member-{i}"), sub)
                })
                .collect();
            (ppt, subs)
        })
}

/// A group where everyone subscribes to the same topics.
fn same_subscription_strategy(
) -> impl Strategy<Value = (BTreeMap<String, i32>, BTreeMap<String, Subscription>)> {
    (topics_strategy(), 1usize..=8).prop_map(|(ppt, n)| {
        let topics: Vec<String> = ppt.keys().cloned().collect();
        let subs = (0..n)
            .map(|i| (format!("member-{i}"), Subscription::new(topics.clone())))
            .collect();
        (ppt, subs)
    })
}

fn counts(a: &GroupAssignment) -> (usize, usize) {
    let min = a.values().map(Vec::len).min().unwrap_or(0);
    let max = a.values().map(Vec::len).max().unwrap_or(0);
    (min, max)
}

/// Members now own what they were assigned, at `generation`.
fn adopt(
    subs: &BTreeMap<String, Subscription>,
    a: &GroupAssignment,
    generation: i32,
) -> BTreeMap<String, Subscription> {
    subs.iter()
        .map(|(m, s)| {
            let topics: Vec<&str> = s.topics.iter().map(String::as_str).collect();
            let mut owned = owned_subscription(&topics, a[m].clone(), generation);
            owned.group_instance_id = s.group_instance_id.clone();
            (m.clone(), owned)
        })
        .collect()
}

fn all_assignors() -> Vec<Box<dyn ConsumerPartitionAssignor>> {
    vec![
        Box::new(RangeAssignor),
        Box::new(RoundRobinAssignor),
        Box::new(StickyAssignor),
        Box::new(CooperativeStickyAssignor),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every partition of a subscribed topic goes to exactly one member
    /// subscribed to it.
    #[test]
    fn every_partition_assigned_once_to_a_subscriber((ppt, subs) in group_strategy()) {
        for assignor in all_assignors() {
            let a = assignor.assign(&ppt, &subs);
            verify_validity(&ppt, &subs, &a);
            verify_complete(&ppt, &subs, &a);
        }
    }

    /// The same input gives the same output.
    #[test]
    fn deterministic((ppt, subs) in group_strategy()) {
        for assignor in all_assignors() {
            prop_assert_eq!(assignor.assign(&ppt, &subs), assignor.assign(&ppt, &subs));
        }
    }

    /// With identical subscriptions, counts differ by at most one.
    #[test]
    fn balanced_with_same_subscriptions((ppt, subs) in same_subscription_strategy()) {
        for assignor in [&RoundRobinAssignor as &dyn ConsumerPartitionAssignor, &StickyAssignor, &CooperativeStickyAssignor] {
            let (min, max) = counts(&assignor.assign(&ppt, &subs));
            prop_assert!(max <= min + 1, "{}: {min}..{max}", assignor.name());
        }
    }

    /// Sticky with mixed subscriptions: no member could take a partition
    /// from one with 2+ more (Kafka's verifyValidityAndBalance).
    #[test]
    fn sticky_balanced_with_mixed_subscriptions((ppt, subs) in group_strategy()) {
        let a = StickyAssignor.assign(&ppt, &subs);
        verify_validity_and_balance(&ppt, &subs, &a);
    }

    /// Re-running sticky with owned = the previous assignment and the same
    /// members changes nothing.
    #[test]
    fn sticky_is_stable_without_membership_change((ppt, subs) in group_strategy(), generation in 1i32..100) {
        let first = StickyAssignor.assign(&ppt, &subs);
        let again = StickyAssignor.assign(&ppt, &adopt(&subs, &first, generation));
        prop_assert_eq!(first.iter().map(|(m, p)| (m, sorted(p))).collect::<Vec<_>>(),
                        again.iter().map(|(m, p)| (m, sorted(p))).collect::<Vec<_>>());
        let coop_first = CooperativeStickyAssignor.assign(&ppt, &subs);
        let coop_again = CooperativeStickyAssignor.assign(&ppt, &adopt(&subs, &coop_first, generation));
        prop_assert_eq!(coop_first.iter().map(|(m, p)| (m, sorted(p))).collect::<Vec<_>>(),
                        coop_again.iter().map(|(m, p)| (m, sorted(p))).collect::<Vec<_>>());
    }

    /// Sticky after a member leaves (same subscriptions): members that
    /// stay keep everything they had up to the new quota.
    #[test]
    fn sticky_member_leaving_moves_only_its_partitions((ppt, subs) in same_subscription_strategy(), leaving in any::<prop::sample::Index>()) {
        prop_assume!(subs.len() >= 2);
        let first = StickyAssignor.assign(&ppt, &subs);
        let mut next = adopt(&subs, &first, 1);
        let gone = next.keys().nth(leaving.index(subs.len())).unwrap().clone();
        next.remove(&gone);
        let second = StickyAssignor.assign(&ppt, &next);
        verify_validity_and_balance(&ppt, &next, &second);
        let max_quota = ppt.values().map(|n| *n as usize).sum::<usize>().div_ceil(next.len());
        for (m, p) in &second {
            let kept = first[m].iter().filter(|tp| p.contains(tp)).count();
            prop_assert_eq!(kept, first[m].len().min(max_quota), "{} lost partitions", m);
        }
    }

    /// Cooperative: a partition that changes owner is absent from both the
    /// old and the new owner in this rebalance, and the next rebalance
    /// (after revocation) assigns it.
    #[test]
    fn cooperative_never_moves_directly((ppt, subs) in group_strategy(), churn in any::<prop::sample::Index>()) {
        // Round 1: a fresh group.
        let first = CooperativeStickyAssignor.assign(&ppt, &subs);
        // Round 2: one member leaves and a new one joins, everyone else owns
        // what it got.
        let mut next = adopt(&subs, &first, 1);
        let gone = next.keys().nth(churn.index(subs.len())).unwrap().clone();
        let joiner_topics = next[&gone].topics.clone();
        next.remove(&gone);
        next.insert("member-new".into(), Subscription::new(joiner_topics).with_generation_id(1));
        let second = CooperativeStickyAssignor.assign(&ppt, &next);
        verify_validity(&ppt, &next, &second);
        for (member, partitions) in &second {
            for p in partitions {
                for (other, sub) in &next {
                    prop_assert!(other == member || !sub.owned_partitions.contains(p),
                        "{} moves from {} to {} directly", p, other, member);
                }
            }
        }
        // Owners revoke what they lost; the following rebalance completes.
        let third = CooperativeStickyAssignor.assign(&ppt, &adopt(&next, &second, 2));
        verify_validity(&ppt, &next, &third);
        verify_complete(&ppt, &next, &third);
        for (m, p) in &second {
            prop_assert!(p.iter().all(|tp| third[m].contains(tp)), "{} lost a partition it kept", m);
        }
    }

    /// The StickyAssignor user data reads back as written, grouped by topic.
    #[test]
    fn sticky_user_data_round_trips(
        partitions in prop::collection::vec(("[a-z.\\-_]{1,12}", 0i32..1000), 0..30),
        generation in prop::option::of(any::<i32>()),
    ) {
        let data = MemberData {
            partitions: partitions.iter().map(|(t, p)| TopicPartition::new(t.clone(), *p)).collect(),
            generation,
        };
        let decoded = deserialize_topic_partition_assignment(&serialize_topic_partition_assignment(&data)).unwrap();
        prop_assert_eq!(decoded.generation, generation);
        // Same partitions; within a topic, in the order given.
        let by_topic = |ps: &[TopicPartition]| {
            let mut m: BTreeMap<String, Vec<i32>> = BTreeMap::new();
            for p in ps { m.entry(p.topic.clone()).or_default().push(p.partition); }
            m
        };
        prop_assert_eq!(by_topic(&decoded.partitions), by_topic(&data.partitions));
    }
}

//! Kafka's `AbstractStickyAssignor` (shared by the eager `StickyAssignor`,
//! KIP-54, and the `CooperativeStickyAssignor`, KIP-429): as balanced as
//! possible first, then as sticky as possible. When every member subscribes
//! to the same topics Kafka takes the fast "constrained" path; otherwise the
//! "general" path with its reassignment loop.
//!
//! Version: the Kafka 3.5-era code with no racks configured (ownership settled per
//! partition by generation; the constrained path keeps owned partitions in
//! the order the member reports them), the version whose
//! `AbstractStickyAssignorTest` expectations our tests port. Where Kafka's
//! outcome depends on `HashMap` iteration we reproduce Java's order (see
//! `java_order`); elsewhere we iterate sorted, which does not change the
//! outcome except for which partition `PartitionMovements` picks among
//! several (Kafka: `HashSet` order; here: the smallest).
//!
//! Deliberate differences, all in inputs Kafka rejects or mishandles: an
//! owned partition beyond the topic's partition count is ignored; user
//! data that does not parse counts as none (Kafka fails the rebalance); an
//! empty first subscription does not make all subscriptions "equal".

mod constrained;
mod general;
mod partition_movements;

use super::java_order::java_hash_map_order;
use super::{
    deserialize_topic_partition_assignment, serialize_topic_partition_assignment,
    ConsumerPartitionAssignor, GroupAssignment, MemberData, Subscription, TopicPartition,
    DEFAULT_GENERATION,
};
use std::collections::{BTreeMap, BTreeSet};

/// The eager sticky assignor: previous assignments travel in the user data
/// (`serialize_topic_partition_assignment`), since an eager member has
/// revoked everything by the time it joins.
#[derive(Clone, Copy, Debug, Default)]
pub struct StickyAssignor;

impl StickyAssignor {
    /// `StickyAssignor.memberData`: always from the user data. Bytes that
    /// do not parse count as "no previous assignment" (Kafka would fail the
    /// whole rebalance; a playground should not).
    pub fn member_data(subscription: &Subscription) -> MemberData {
        match &subscription.user_data {
            Some(bytes) if !bytes.is_empty() => {
                deserialize_topic_partition_assignment(bytes).unwrap_or_default()
            }
            _ => MemberData::default(),
        }
    }

    /// The user data a member that was assigned `partitions` in
    /// `generation` sends with its next subscription
    /// (`StickyAssignor.subscriptionUserData`).
    pub fn subscription_user_data(partitions: &[TopicPartition], generation: i32) -> Vec<u8> {
        serialize_topic_partition_assignment(&MemberData {
            partitions: partitions.to_vec(),
            generation: Some(generation),
        })
    }

    /// The assignment together with Kafka's `partitionsTransferringOwnership`.
    pub fn assign_with_transfers(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> StickyAssignment {
        let (assignment, partitions_transferring_ownership) = sticky_assign(
            partitions_per_topic,
            subscriptions,
            StickyAssignor::member_data,
        );
        StickyAssignment {
            assignment,
            partitions_transferring_ownership,
        }
    }
}

/// What `AbstractStickyAssignor.assign` computes, before the cooperative
/// assignor holds anything back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StickyAssignment {
    pub assignment: GroupAssignment,
    /// Partitions that change owner, and their new owner; `None` when the
    /// general path ran (Kafka leaves it null there).
    pub partitions_transferring_ownership: TransferringOwnership,
}

impl ConsumerPartitionAssignor for StickyAssignor {
    fn name(&self) -> &'static str {
        "sticky"
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> GroupAssignment {
        sticky_assign(
            partitions_per_topic,
            subscriptions,
            StickyAssignor::member_data,
        )
        .0
    }
}

/// Partitions that move to a new owner in this assignment, and to whom
/// (`partitionsTransferringOwnership`). Known up front on the constrained
/// path; `None` on the general path, where the cooperative assignor works
/// it out from the owned partitions.
pub type TransferringOwnership = Option<BTreeMap<TopicPartition, String>>;

/// `AbstractStickyAssignor.assign`.
pub(super) fn sticky_assign(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    member_data: fn(&Subscription) -> MemberData,
) -> (GroupAssignment, TransferringOwnership) {
    // Kafka passes only the subscribed topics' partition counts
    // (AbstractPartitionAssignor); topics nobody wants are not assigned.
    let subscribed: BTreeSet<&String> = subscriptions.values().flat_map(|s| &s.topics).collect();
    let partitions_per_topic: BTreeMap<String, i32> = partitions_per_topic
        .iter()
        .filter(|(t, n)| subscribed.contains(t) && **n > 0)
        .map(|(t, n)| (t.clone(), *n))
        .collect();
    if subscriptions.is_empty() {
        return (GroupAssignment::new(), Some(BTreeMap::new()));
    }
    let owned = owned_partitions(&partitions_per_topic, subscriptions, member_data);
    if owned.all_subscriptions_equal {
        let (assignment, transferring) = constrained::constrained_assign(
            &partitions_per_topic,
            &owned.consumer_to_owned_partitions,
            &owned.partitions_with_multiple_previous_owners,
        );
        (assignment, Some(transferring))
    } else {
        let assignment = general::general_assign(
            &partitions_per_topic,
            subscriptions,
            owned.consumer_to_owned_partitions,
            owned.max_generation,
            member_data,
        );
        (assignment, None)
    }
}

/// What `allSubscriptionsEqual` finds out while checking the subscriptions.
struct OwnedPartitions {
    all_subscriptions_equal: bool,
    /// Each member's owned partitions that it may keep: a partition claimed
    /// by several members stays with the one of the highest generation;
    /// claimed twice in the same generation, with neither.
    consumer_to_owned_partitions: BTreeMap<String, Vec<TopicPartition>>,
    partitions_with_multiple_previous_owners: BTreeSet<TopicPartition>,
    max_generation: i32,
}

/// `allSubscriptionsEqual` (Kafka 3.5+: ownership is settled partition by
/// partition by generation). Members are visited in Kafka's `HashMap`
/// order, which decides ties between three or more claimants.
fn owned_partitions(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    member_data: fn(&Subscription) -> MemberData,
) -> OwnedPartitions {
    let mut subscribed_topics: Option<BTreeSet<&String>> = None;
    let mut all_subscriptions_equal = true;
    let mut max_generation = DEFAULT_GENERATION;
    let mut consumer_to_owned_partitions: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
    let mut partitions_with_multiple_previous_owners = BTreeSet::new();
    let mut all_previous_partitions_to_owner: BTreeMap<TopicPartition, (String, i32)> =
        BTreeMap::new();

    for consumer in java_hash_map_order(subscriptions.keys()) {
        let subscription = &subscriptions[consumer];
        // Unlike Kafka, an empty first subscription does not make every
        // later one "equal" to it.
        let topics: BTreeSet<&String> = subscription.topics.iter().collect();
        match &subscribed_topics {
            None => subscribed_topics = Some(topics),
            Some(first) if *first != topics => all_subscriptions_equal = false,
            Some(_) => {}
        }
        let data = member_data(subscription);
        let member_generation = data.generation.unwrap_or(DEFAULT_GENERATION);
        max_generation = max_generation.max(member_generation);

        let mut owned: Vec<TopicPartition> = Vec::new();
        // Partitions of topics that no longer exist (or beyond the
        // partition count) are dropped.
        for tp in data.partitions.into_iter().filter(|tp| {
            partitions_per_topic
                .get(&tp.topic)
                .is_some_and(|n| (0..*n).contains(&tp.partition))
        }) {
            let Some((other, other_generation)) =
                all_previous_partitions_to_owner.get(&tp).cloned()
            else {
                owned.push(tp.clone());
                all_previous_partitions_to_owner.insert(tp, (consumer.clone(), member_generation));
                continue;
            };
            if member_generation < other_generation {
                continue; // the other member keeps it
            }
            if member_generation == other_generation {
                // Two owners in one generation: trust neither.
                partitions_with_multiple_previous_owners.insert(tp.clone());
            } else {
                owned.push(tp.clone());
            }
            let other_owned = if other == *consumer {
                &mut owned
            } else {
                consumer_to_owned_partitions
                    .get_mut(&other)
                    .expect("seen before")
            };
            if let Some(i) = other_owned.iter().position(|p| *p == tp) {
                other_owned.remove(i);
            }
            all_previous_partitions_to_owner.insert(tp, (consumer.clone(), member_generation));
        }
        consumer_to_owned_partitions.insert(consumer.clone(), owned);
    }
    OwnedPartitions {
        all_subscriptions_equal,
        consumer_to_owned_partitions,
        partitions_with_multiple_previous_owners,
        max_generation,
    }
}

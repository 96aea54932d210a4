//! Kafka's `AbstractStickyAssignor` (shared by the eager `StickyAssignor`,
//! KIP-54, and the `CooperativeStickyAssignor`, KIP-429): as balanced as
//! possible first, then as sticky as possible. When every member subscribes
//! to the same topics Kafka takes the fast "constrained" path; otherwise the
//! "general" path with its reassignment loop.

mod constrained;
mod general;
mod partition_movements;

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
}

impl StickyAssignor {
    /// The assignment together with Kafka's `partitionsTransferringOwnership`.
    pub fn assign_with_transfers(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> StickyAssignment {
        let (assignment, partitions_transferring_ownership) =
            sticky_assign(partitions_per_topic, subscriptions, StickyAssignor::member_data);
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
    /// Each member's owned partitions that are still valid: only members of
    /// the highest generation seen (or, if no member reports one, all)
    /// keep theirs, and a partition claimed by two of them by neither.
    consumer_to_owned_partitions: BTreeMap<String, Vec<TopicPartition>>,
    partitions_with_multiple_previous_owners: BTreeSet<TopicPartition>,
    max_generation: i32,
}

/// `allSubscriptionsEqual` (Kafka 3.x, with KAFKA-12984's handling of
/// partitions claimed twice in one generation).
fn owned_partitions(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    member_data: fn(&Subscription) -> MemberData,
) -> OwnedPartitions {
    let mut subscribed_topics: Option<BTreeSet<&String>> = None;
    let mut all_subscriptions_equal = true;
    let mut max_generation = DEFAULT_GENERATION;
    let mut members_of_current_highest_generation = BTreeSet::new();
    let mut consumer_to_owned_partitions: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();

    for (consumer, subscription) in subscriptions {
        // Unlike Kafka, an empty first subscription does not make every
        // later one "equal" to it.
        let topics: BTreeSet<&String> = subscription.topics.iter().collect();
        match &subscribed_topics {
            None => subscribed_topics = Some(topics),
            Some(first) if *first != topics => all_subscriptions_equal = false,
            Some(_) => {}
        }
        let data = member_data(subscription);
        let mut owned = Vec::new();
        let current = match data.generation {
            Some(g) => g >= max_generation,
            None => max_generation == DEFAULT_GENERATION,
        };
        if current {
            if let Some(g) = data.generation.filter(|g| *g > max_generation) {
                // Everything claimed in an older generation is stale.
                for dropped_out in std::mem::take(&mut members_of_current_highest_generation) {
                    consumer_to_owned_partitions.insert(dropped_out, Vec::new());
                }
                max_generation = g;
            }
            members_of_current_highest_generation.insert(consumer.clone());
            // Topics that no longer exist (or partitions beyond the count)
            // are dropped.
            owned.extend(data.partitions.into_iter().filter(|tp| {
                partitions_per_topic
                    .get(&tp.topic)
                    .is_some_and(|n| (0..*n).contains(&tp.partition))
            }));
        }
        consumer_to_owned_partitions.insert(consumer.clone(), owned);
    }

    let mut claims: BTreeMap<&TopicPartition, usize> = BTreeMap::new();
    for owned in consumer_to_owned_partitions.values() {
        for tp in owned {
            *claims.entry(tp).or_default() += 1;
        }
    }
    let partitions_with_multiple_previous_owners: BTreeSet<TopicPartition> = claims
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(tp, _)| tp.clone())
        .collect();
    if !partitions_with_multiple_previous_owners.is_empty() {
        for owned in consumer_to_owned_partitions.values_mut() {
            owned.retain(|tp| !partitions_with_multiple_previous_owners.contains(tp));
        }
    }
    OwnedPartitions {
        all_subscriptions_equal,
        consumer_to_owned_partitions,
        partitions_with_multiple_previous_owners,
        max_generation,
    }
}

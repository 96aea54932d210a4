//! `CooperativeStickyAssignor` (KIP-429): the sticky assignment, minus
//! every partition that would change owner. Under the cooperative protocol
//! the current owner must revoke a partition before anyone else may take
//! it, so such a partition is left unassigned in this rebalance; its owner
//! sees it gone, revokes it and rejoins, and the next rebalance (where
//! nobody owns it) assigns it.

use super::sticky::{sticky_assign, StickyAssignment};
use super::{
    ConsumerPartitionAssignor, GroupAssignment, MemberData, RebalanceProtocol, Subscription,
    TopicPartition,
};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, Default)]
pub struct CooperativeStickyAssignor;

impl CooperativeStickyAssignor {
    /// `memberData`: the owned partitions of the subscription; the
    /// generation from the subscription, or else from the user data (older
    /// subscription versions carry it only there).
    pub fn member_data(subscription: &Subscription) -> MemberData {
        let from_user_data = || match subscription.user_data.as_deref() {
            Some([a, b, c, d, ..]) => Some(i32::from_be_bytes([*a, *b, *c, *d])),
            _ => None,
        };
        MemberData {
            partitions: subscription.owned_partitions.clone(),
            generation: subscription.generation_id.or_else(from_user_data),
        }
    }

    /// `subscriptionUserData`: just the generation, an INT32 (Kafka's
    /// `COOPERATIVE_STICKY_ASSIGNOR_USER_DATA_V0`; later fields are ignored
    /// when reading).
    pub fn subscription_user_data(generation: i32) -> Vec<u8> {
        generation.to_be_bytes().to_vec()
    }
}

impl CooperativeStickyAssignor {
    /// The sticky assignment before partitions changing owner are held
    /// back, with Kafka's `partitionsTransferringOwnership`.
    pub fn assign_with_transfers(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> StickyAssignment {
        let (assignment, partitions_transferring_ownership) = sticky_assign(
            partitions_per_topic,
            subscriptions,
            CooperativeStickyAssignor::member_data,
        );
        StickyAssignment {
            assignment,
            partitions_transferring_ownership,
        }
    }
}

impl ConsumerPartitionAssignor for CooperativeStickyAssignor {
    fn name(&self) -> &'static str {
        "cooperative-sticky"
    }

    fn supported_protocols(&self) -> Vec<RebalanceProtocol> {
        vec![RebalanceProtocol::Cooperative, RebalanceProtocol::Eager]
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> GroupAssignment {
        let (mut assignments, transferring) = sticky_assign(
            partitions_per_topic,
            subscriptions,
            CooperativeStickyAssignor::member_data,
        );
        let partitions_transferring_ownership = transferring.unwrap_or_else(|| {
            compute_partitions_transferring_ownership(subscriptions, &assignments)
        });
        adjust_assignment(&mut assignments, &partitions_transferring_ownership);
        assignments
    }
}

/// `adjustAssignment`: hold back the partitions that change owner.
fn adjust_assignment(
    assignments: &mut GroupAssignment,
    partitions_transferring_ownership: &BTreeMap<TopicPartition, String>,
) {
    for (partition, consumer) in partitions_transferring_ownership {
        if let Some(partitions) = assignments.get_mut(consumer) {
            partitions.retain(|tp| tp != partition);
        }
    }
}

/// `computePartitionsTransferringOwnership` (general path): partitions
/// newly assigned to one member that another member owns and loses.
fn compute_partitions_transferring_ownership(
    subscriptions: &BTreeMap<String, Subscription>,
    assignments: &GroupAssignment,
) -> BTreeMap<TopicPartition, String> {
    let mut all_added_partitions = BTreeMap::new();
    let mut all_revoked_partitions = BTreeSet::new();
    for (consumer, assigned) in assignments {
        let owned: BTreeSet<&TopicPartition> =
            subscriptions[consumer].owned_partitions.iter().collect();
        let assigned_set: BTreeSet<&TopicPartition> = assigned.iter().collect();
        for tp in assigned {
            if !owned.contains(tp) {
                all_added_partitions.insert(tp.clone(), consumer.clone());
            }
        }
        for tp in owned {
            if !assigned_set.contains(tp) {
                all_revoked_partitions.insert(tp.clone());
            }
        }
    }
    all_added_partitions.retain(|tp, _| all_revoked_partitions.contains(tp));
    all_added_partitions
}

//! `AbstractStickyAssignor.constrainedAssign`: the fast path when every
//! member subscribes to the same topics. Each member ends with `minQuota` or
//! `maxQuota` partitions:
//!
//! 1. members keep their owned partitions, up to `maxQuota` (the rest are
//!    revoked);
//! 2. members below `minQuota` are filled from the unassigned partitions;
//! 3. if those ran out, members still below `minQuota` take the first
//!    partition of members at `maxQuota`;
//! 4. otherwise the leftover partitions go one each to members at
//!    `minQuota`.
//!
//! Every partition given to a member other than its previous owner is
//! recorded in `partitionsTransferringOwnership` for the cooperative
//! assignor.

use super::super::{GroupAssignment, TopicPartition};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub(super) fn constrained_assign(
    partitions_per_topic: &BTreeMap<String, i32>,
    consumer_to_owned_partitions: BTreeMap<String, Vec<TopicPartition>>,
) -> (GroupAssignment, BTreeMap<TopicPartition, String>) {
    let mut partitions_transferring_ownership = BTreeMap::new();
    let mut unassigned_partitions: BTreeSet<TopicPartition> = partitions_per_topic
        .iter()
        .flat_map(|(topic, n)| (0..*n).map(move |p| TopicPartition::new(topic.clone(), p)))
        .collect();
    let mut all_revoked_partitions = BTreeSet::new();

    // Each member ends up in exactly one of these three.
    let mut unfilled_members: Vec<String> = Vec::new();
    let mut max_capacity_members: VecDeque<String> = VecDeque::new();
    let mut min_capacity_members: VecDeque<String> = VecDeque::new();

    let number_of_consumers = consumer_to_owned_partitions.len();
    let min_quota = unassigned_partitions.len() / number_of_consumers;
    let max_quota = unassigned_partitions.len().div_ceil(number_of_consumers);

    let mut assignment: GroupAssignment = BTreeMap::new();
    for (consumer, owned_partitions) in consumer_to_owned_partitions {
        let mut consumer_assignment = Vec::with_capacity(max_quota);
        for (i, tp) in owned_partitions.iter().enumerate() {
            if i < max_quota {
                unassigned_partitions.remove(tp);
                consumer_assignment.push(tp.clone());
            } else {
                all_revoked_partitions.insert(tp.clone());
            }
        }
        if owned_partitions.len() < min_quota {
            unfilled_members.push(consumer.clone());
        } else {
            // With minQuota == maxQuota a member is at both.
            if consumer_assignment.len() == min_quota {
                min_capacity_members.push_back(consumer.clone());
            }
            if consumer_assignment.len() == max_quota {
                max_capacity_members.push_back(consumer.clone());
            }
        }
        assignment.insert(consumer, consumer_assignment);
    }
    // unfilled_members is sorted already: the map iterates in member order.

    // 2. Fill members up to minQuota, one partition per member per round.
    let unassigned: Vec<TopicPartition> = unassigned_partitions.into_iter().collect();
    let mut next = 0;
    while !unfilled_members.is_empty() && next < unassigned.len() {
        let mut i = 0;
        while i < unfilled_members.len() && next < unassigned.len() {
            let consumer = &unfilled_members[i];
            let tp = unassigned[next].clone();
            next += 1;
            // Owned partitions were all kept above, so one that was revoked
            // is new to this member.
            if all_revoked_partitions.contains(&tp) {
                partitions_transferring_ownership.insert(tp.clone(), consumer.clone());
            }
            let consumer_assignment = assignment.get_mut(consumer).expect("member");
            consumer_assignment.push(tp);
            if consumer_assignment.len() == min_quota {
                min_capacity_members.push_back(unfilled_members.remove(i));
            } else {
                i += 1;
            }
        }
    }

    // 3. Out of partitions with members still short: take from the full.
    for consumer in unfilled_members {
        let mut remaining_capacity =
            min_quota.saturating_sub(assignment.get(&consumer).map_or(0, Vec::len));
        while remaining_capacity > 0 {
            // Members at maxQuota reached it with owned partitions only, so
            // whatever is taken from them changes owner.
            let Some(overloaded) = max_capacity_members.pop_front() else {
                break; // Kafka: IllegalStateException; cannot happen by the counts
            };
            let swapped = assignment.get_mut(&overloaded).expect("member").remove(0);
            partitions_transferring_ownership.insert(swapped.clone(), consumer.clone());
            assignment.get_mut(&consumer).expect("member").push(swapped);
            remaining_capacity -= 1;
        }
        min_capacity_members.push_back(consumer);
    }

    // 4. Partitions left over: one each to members at minQuota.
    for tp in unassigned.into_iter().skip(next) {
        let under_capacity = match min_capacity_members.pop_front() {
            Some(c) => c,
            // Kafka: IllegalStateException; cannot happen by the counts.
            None => smallest_member(&assignment),
        };
        if all_revoked_partitions.contains(&tp) {
            partitions_transferring_ownership.insert(tp.clone(), under_capacity.clone());
        }
        assignment
            .get_mut(&under_capacity)
            .expect("member")
            .push(tp);
    }

    (assignment, partitions_transferring_ownership)
}

fn smallest_member(assignment: &GroupAssignment) -> String {
    assignment
        .iter()
        .min_by_key(|(member, partitions)| (partitions.len(), (*member).clone()))
        .map(|(member, _)| member.clone())
        .expect("at least one member")
}

//! `AbstractStickyAssignor.constrainedAssign` (Kafka 3.x): the fast path
//! when every member subscribes to the same topics. `total % members`
//! members end with `maxQuota` partitions, the rest with `minQuota`:
//!
//! 1. members keep owned partitions: all if under `minQuota`; `maxQuota`
//!    while fewer than the expected number of members are over
//!    `minQuota`; otherwise `minQuota`. The rest are revoked.
//! 2. the unassigned partitions, in (topic, partition) order, fill the
//!    members under `minQuota` round-robin (in member id order), then go
//!    one each to members at exactly `minQuota`.
//!
//! Members are visited in step 1 in Kafka's `HashMap` order, which decides
//! who keeps `maxQuota`. A partition given to someone other than its owner
//! is recorded in `partitionsTransferringOwnership` for the cooperative
//! assignor.

use super::super::java_order::java_hash_map_order;
use super::super::{GroupAssignment, TopicPartition};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub(super) fn constrained_assign(
    partitions_per_topic: &BTreeMap<String, i32>,
    consumer_to_owned_partitions: &BTreeMap<String, Vec<TopicPartition>>,
    partitions_with_multiple_previous_owners: &BTreeSet<TopicPartition>,
) -> (GroupAssignment, BTreeMap<TopicPartition, String>) {
    let mut partitions_transferring_ownership = BTreeMap::new();
    let mut all_revoked_partitions = BTreeSet::new();
    let mut unfilled_members_with_under_min_quota_partitions: Vec<String> = Vec::new();
    let mut unfilled_members_with_exactly_min_quota_partitions: VecDeque<String> = VecDeque::new();

    let number_of_consumers = consumer_to_owned_partitions.len();
    let total_partitions_count: usize = partitions_per_topic.values().map(|n| *n as usize).sum();
    let min_quota = total_partitions_count / number_of_consumers;
    let max_quota = total_partitions_count.div_ceil(number_of_consumers);
    // Zero when minQuota == maxQuota.
    let expected_num_members_with_over_min_quota_partitions =
        total_partitions_count % number_of_consumers;
    let mut current_num_members_with_over_min_quota_partitions = 0;

    let mut assignment: GroupAssignment = consumer_to_owned_partitions
        .keys()
        .map(|c| (c.clone(), Vec::with_capacity(max_quota)))
        .collect();
    let mut assigned_partitions = BTreeSet::new();

    for consumer in java_hash_map_order(consumer_to_owned_partitions.keys()) {
        // A partition once contested stays untrusted, even if a later
        // claimant of a higher generation took it.
        let owned_partitions: Vec<TopicPartition> = consumer_to_owned_partitions[consumer]
            .iter()
            .filter(|tp| !partitions_with_multiple_previous_owners.contains(*tp))
            .cloned()
            .collect();
        let keep = if owned_partitions.len() < min_quota {
            unfilled_members_with_under_min_quota_partitions.push(consumer.clone());
            owned_partitions.len()
        } else if owned_partitions.len() >= max_quota
            && current_num_members_with_over_min_quota_partitions
                < expected_num_members_with_over_min_quota_partitions
        {
            current_num_members_with_over_min_quota_partitions += 1;
            if current_num_members_with_over_min_quota_partitions
                == expected_num_members_with_over_min_quota_partitions
            {
                unfilled_members_with_exactly_min_quota_partitions.clear();
            }
            max_quota
        } else {
            // May still be raised to maxQuota from the unassigned ones.
            if current_num_members_with_over_min_quota_partitions
                < expected_num_members_with_over_min_quota_partitions
            {
                unfilled_members_with_exactly_min_quota_partitions.push_back(consumer.clone());
            }
            min_quota
        };
        let consumer_assignment = assignment.get_mut(consumer).expect("member");
        consumer_assignment.extend_from_slice(&owned_partitions[..keep]);
        assigned_partitions.extend(owned_partitions[..keep].iter().cloned());
        all_revoked_partitions.extend(owned_partitions[keep..].iter().cloned());
    }

    let unassigned_partitions: Vec<TopicPartition> = partitions_per_topic
        .iter()
        .flat_map(|(topic, n)| (0..*n).map(move |p| TopicPartition::new(topic.clone(), p)))
        .filter(|tp| !assigned_partitions.contains(tp))
        .collect();

    unfilled_members_with_under_min_quota_partitions.sort();
    unfilled_members_with_exactly_min_quota_partitions
        .make_contiguous()
        .sort();

    // Kafka walks the under-minQuota list with an iterator that removes a
    // member once it reaches minQuota and restarts from the head at the end.
    let under = &mut unfilled_members_with_under_min_quota_partitions;
    let mut next_under = 0;
    for unassigned_partition in unassigned_partitions {
        let consumer = if next_under < under.len() {
            next_under += 1;
            under[next_under - 1].clone()
        } else if !under.is_empty() {
            next_under = 1;
            under[0].clone()
        } else if let Some(c) = unfilled_members_with_exactly_min_quota_partitions.pop_front() {
            c
        } else {
            // Kafka: IllegalStateException ("No more unfilled consumers");
            // the quotas make this unreachable.
            smallest_member(&assignment)
        };
        if all_revoked_partitions.contains(&unassigned_partition)
            || partitions_with_multiple_previous_owners.contains(&unassigned_partition)
        {
            partitions_transferring_ownership
                .insert(unassigned_partition.clone(), consumer.clone());
        }
        let consumer_assignment = assignment.get_mut(&consumer).expect("member");
        consumer_assignment.push(unassigned_partition);
        let current_assigned_count = consumer_assignment.len();
        if current_assigned_count == min_quota
            && next_under > 0
            && under.get(next_under - 1) == Some(&consumer)
        {
            under.remove(next_under - 1);
            next_under -= 1;
            unfilled_members_with_exactly_min_quota_partitions.push_back(consumer);
        }
        // (Kafka also counts members reaching maxQuota here, only to log
        // an algorithm error; nothing depends on it.)
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

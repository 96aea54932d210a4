//! `RoundRobinAssignor`: all partitions of all subscribed topics, sorted by
//! (topic, partition), dealt one at a time to the members in `MemberInfo`
//! order, cycling; a member not subscribed to a partition's topic is
//! skipped (the cycle position is kept, as Kafka's `CircularIterator`).

use super::{
    empty_assignment, partitions_of, ConsumerPartitionAssignor, GroupAssignment, MemberInfo,
    Subscription,
};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, Default)]
pub struct RoundRobinAssignor;

impl ConsumerPartitionAssignor for RoundRobinAssignor {
    fn name(&self) -> &'static str {
        "roundrobin"
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> GroupAssignment {
        let mut assignment = empty_assignment(subscriptions);
        let mut members: Vec<MemberInfo> = subscriptions
            .iter()
            .map(|(id, s)| MemberInfo {
                member_id: id.clone(),
                group_instance_id: s.group_instance_id.clone(),
            })
            .collect();
        members.sort();
        if members.is_empty() {
            return assignment;
        }
        // Kafka's allPartitionsSorted: the subscribed topics, in order.
        let topics: BTreeSet<&String> = subscriptions
            .values()
            .flat_map(|s| s.topics.iter())
            .filter(|t| partitions_per_topic.contains_key(*t))
            .collect();
        let mut next = 0;
        for topic in topics {
            for partition in partitions_of(partitions_per_topic, topic) {
                // Some member is subscribed to this topic (it came from a
                // subscription), so this finds one within a full cycle.
                while !subscriptions[&members[next].member_id].is_subscribed_to(topic) {
                    next = (next + 1) % members.len();
                }
                assignment
                    .get_mut(&members[next].member_id)
                    .expect("every member has an entry")
                    .push(partition);
                next = (next + 1) % members.len();
            }
        }
        assignment
    }
}

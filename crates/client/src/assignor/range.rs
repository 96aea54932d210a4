//! `RangeAssignor`: per topic, the members subscribed to it (in
//! `MemberInfo` order) get consecutive ranges of partitions; the first
//! `partitions % members` get one extra. Topics are independent, so the
//! first members get the extras of every topic.

use super::{
    empty_assignment, partitions_of, ConsumerPartitionAssignor, GroupAssignment, MemberInfo,
    Subscription,
};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, Default)]
pub struct RangeAssignor;

impl ConsumerPartitionAssignor for RangeAssignor {
    fn name(&self) -> &'static str {
        "range"
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> GroupAssignment {
        let mut assignment = empty_assignment(subscriptions);
        for topic in partitions_per_topic.keys() {
            let mut consumers: Vec<MemberInfo> = subscriptions
                .iter()
                .filter(|(_, s)| s.is_subscribed_to(topic))
                .map(|(id, s)| MemberInfo {
                    member_id: id.clone(),
                    group_instance_id: s.group_instance_id.clone(),
                })
                .collect();
            if consumers.is_empty() {
                continue;
            }
            consumers.sort();
            let partitions = partitions_of(partitions_per_topic, topic);
            let per_consumer = partitions.len() / consumers.len();
            let with_extra = partitions.len() % consumers.len();
            for (i, member) in consumers.iter().enumerate() {
                let start = per_consumer * i + i.min(with_extra);
                let length = per_consumer + usize::from(i < with_extra);
                assignment
                    .get_mut(&member.member_id)
                    .expect("every member has an entry")
                    .extend_from_slice(&partitions[start..start + length]);
            }
        }
        assignment
    }
}

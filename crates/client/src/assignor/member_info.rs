//! `AbstractPartitionAssignor.MemberInfo`: the order range and round robin
//! hand out partitions in. Static members (with a `group.instance.id`) come
//! first, ordered by instance id, so a restarted static member with a new
//! member id keeps its place; dynamic members follow by member id.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberInfo {
    pub member_id: String,
    pub group_instance_id: Option<String>,
}

impl Ord for MemberInfo {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.group_instance_id, &other.group_instance_id) {
            (Some(a), Some(b)) => a.cmp(b).then_with(|| self.member_id.cmp(&other.member_id)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.member_id.cmp(&other.member_id),
        }
    }
}

impl PartialOrd for MemberInfo {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

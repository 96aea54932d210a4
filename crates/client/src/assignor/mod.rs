//! Kafka's consumer partition assignors (`ConsumerPartitionAssignor`):
//! range, roundrobin, sticky and cooperative-sticky. The group leader runs
//! one of these over every member's `Subscription`; the result must match
//! what Kafka's own classes compute, so the names and the order of
//! operations follow Kafka's. Everything is deterministic (`BTreeMap`s
//! throughout); where Kafka's result depends on a Java `HashMap`'s
//! iteration order, that order is computed (`java_order`), so the
//! assignments are the ones Kafka's own tests expect.

mod cooperative_sticky;
pub mod java_order;
mod member_info;
mod range;
mod round_robin;
mod sticky;
mod sticky_user_data;

pub use cooperative_sticky::CooperativeStickyAssignor;
pub use member_info::MemberInfo;
pub use range::RangeAssignor;
pub use round_robin::RoundRobinAssignor;
pub use sticky::{StickyAssignment, StickyAssignor, TransferringOwnership};
pub use sticky_user_data::{
    deserialize_topic_partition_assignment, serialize_topic_partition_assignment, MemberData,
    UserDataError,
};

use std::collections::BTreeMap;
use std::fmt;

/// Generation Kafka uses when a member reports none
/// (`AbstractStickyAssignor.DEFAULT_GENERATION`).
pub const DEFAULT_GENERATION: i32 = -1;

/// A partition of a topic. Ordered by topic, then partition, as Kafka's
/// assignors sort them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    /// `topic-partition`, as Kafka's `TopicPartition.toString`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// What a member sends in its JoinGroup request
/// (`ConsumerPartitionAssignor.Subscription`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscription {
    pub topics: Vec<String>,
    /// Assignor-specific bytes; the eager `StickyAssignor` keeps its previous
    /// assignment and generation here.
    pub user_data: Option<Vec<u8>>,
    /// Partitions the member owns now (sent since KIP-429; used by the
    /// cooperative assignor).
    pub owned_partitions: Vec<TopicPartition>,
    /// `group.instance.id` of a static member (KIP-345).
    pub group_instance_id: Option<String>,
    /// The generation in which `owned_partitions` were assigned.
    pub generation_id: Option<i32>,
    /// `client.rack`; carried but not used by these assignors.
    pub rack_id: Option<String>,
}

impl Subscription {
    pub fn new<S: Into<String>>(topics: impl IntoIterator<Item = S>) -> Self {
        Subscription {
            topics: topics.into_iter().map(Into::into).collect(),
            ..Subscription::default()
        }
    }

    pub fn with_owned_partitions(mut self, owned: Vec<TopicPartition>) -> Self {
        self.owned_partitions = owned;
        self
    }

    pub fn with_generation_id(mut self, generation: i32) -> Self {
        self.generation_id = Some(generation);
        self
    }

    pub fn with_group_instance_id(mut self, id: impl Into<String>) -> Self {
        self.group_instance_id = Some(id.into());
        self
    }

    pub fn with_user_data(mut self, user_data: Vec<u8>) -> Self {
        self.user_data = Some(user_data);
        self
    }

    fn is_subscribed_to(&self, topic: &str) -> bool {
        self.topics.iter().any(|t| t == topic)
    }
}

/// What the leader sends back to one member (`ConsumerPartitionAssignor.Assignment`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    pub partitions: Vec<TopicPartition>,
    pub user_data: Option<Vec<u8>>,
}

/// `ConsumerPartitionAssignor.RebalanceProtocol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RebalanceProtocol {
    /// Revoke everything before rejoining.
    Eager,
    /// Keep what you own; give up only what moves (KIP-429).
    Cooperative,
}

/// Member id → the partitions assigned to it.
pub type GroupAssignment = BTreeMap<String, Vec<TopicPartition>>;

/// Kafka's `ConsumerPartitionAssignor`, reduced to the leader-side
/// computation (`AbstractPartitionAssignor.assign`).
pub trait ConsumerPartitionAssignor {
    /// The protocol name members advertise: "range", "roundrobin", ...
    fn name(&self) -> &'static str;

    /// Protocols this assignor supports, preferred first.
    fn supported_protocols(&self) -> Vec<RebalanceProtocol> {
        vec![RebalanceProtocol::Eager]
    }

    /// Assign the partitions of the subscribed topics that exist
    /// (`partitions_per_topic`) to the members. Every member gets an entry,
    /// possibly empty. Topics a member subscribes to that are not in
    /// `partitions_per_topic` are ignored, as Kafka does for topics missing
    /// from the metadata.
    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> GroupAssignment;

    /// `assign` wrapped in Kafka's `Assignment` per member.
    fn assign_group(
        &self,
        partitions_per_topic: &BTreeMap<String, i32>,
        subscriptions: &BTreeMap<String, Subscription>,
    ) -> BTreeMap<String, Assignment> {
        self.assign(partitions_per_topic, subscriptions)
            .into_iter()
            .map(|(member, partitions)| {
                (
                    member,
                    Assignment {
                        partitions,
                        user_data: None,
                    },
                )
            })
            .collect()
    }
}

/// The assignor Kafka registers under `name`, if any.
pub fn assignor_by_name(name: &str) -> Option<Box<dyn ConsumerPartitionAssignor>> {
    match name {
        "range" => Some(Box::new(RangeAssignor)),
        "roundrobin" => Some(Box::new(RoundRobinAssignor)),
        "sticky" => Some(Box::new(StickyAssignor)),
        "cooperative-sticky" => Some(Box::new(CooperativeStickyAssignor)),
        _ => None,
    }
}

/// All partitions of `topic` (0..count), empty if the topic is unknown.
fn partitions_of(partitions_per_topic: &BTreeMap<String, i32>, topic: &str) -> Vec<TopicPartition> {
    let count = partitions_per_topic.get(topic).copied().unwrap_or(0);
    (0..count).map(|p| TopicPartition::new(topic, p)).collect()
}

/// Every member with an empty assignment: Kafka's starting point.
fn empty_assignment(subscriptions: &BTreeMap<String, Subscription>) -> GroupAssignment {
    subscriptions
        .keys()
        .map(|m| (m.clone(), Vec::new()))
        .collect()
}

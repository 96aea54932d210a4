//! `SubscriptionState`: what the consumer is subscribed to or assigned, and
//! for each assigned partition where the application is (its position: the
//! offset of the next record poll will deliver) and how that position is
//! being established (Kafka's `FetchState`s).

use std::collections::{BTreeMap, BTreeSet};

use broker::api::TopicPartition;

/// Where a reset asks ListOffsets to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    Latest,
    /// The first offset whose timestamp is >= this (`offsetsForTimes`).
    Timestamp(i64),
}

impl OffsetSpec {
    /// ListOffsets' timestamp field (-2 earliest, -1 latest).
    pub fn timestamp(self) -> i64 {
        match self {
            OffsetSpec::Earliest => broker::api::EARLIEST_TIMESTAMP,
            OffsetSpec::Latest => broker::api::LATEST_TIMESTAMP,
            OffsetSpec::Timestamp(t) => t,
        }
    }
}

/// Kafka's `SubscriptionState.FetchStates`, reduced to what is modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchState {
    /// Needs the group's committed offset (OffsetFetch).
    Initializing,
    /// Needs ListOffsets.
    AwaitReset(OffsetSpec),
    /// Has a position; fetchable.
    Fetching,
    /// No committed offset (or out of range) and `auto.offset.reset=none`:
    /// poll throws `NoOffsetForPartitionException` until a seek.
    NoOffset,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    pub fetch_state: FetchState,
    /// Meaningful only while `Fetching`.
    pub position: i64,
    /// From the last fetch response: for lag.
    pub high_watermark: Option<i64>,
    pub last_stable_offset: Option<i64>,
    pub log_start_offset: Option<i64>,
}

impl PartitionState {
    fn new() -> Self {
        PartitionState {
            fetch_state: FetchState::Initializing,
            position: -1,
            high_watermark: None,
            last_stable_offset: None,
            log_start_offset: None,
        }
    }

    pub fn has_position(&self) -> bool {
        self.fetch_state == FetchState::Fetching
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionType {
    None,
    /// `subscribe(topics)`: the group assigns.
    AutoTopics(BTreeSet<String>),
    /// `assign(partitions)`: no group membership.
    UserAssigned,
}

#[derive(Clone, Debug)]
pub struct SubscriptionState {
    pub subscription: SubscriptionType,
    assignment: BTreeMap<TopicPartition, PartitionState>,
}

impl Default for SubscriptionState {
    fn default() -> Self {
        SubscriptionState {
            subscription: SubscriptionType::None,
            assignment: BTreeMap::new(),
        }
    }
}

impl SubscriptionState {
    pub fn subscribe(&mut self, topics: BTreeSet<String>) {
        self.subscription = SubscriptionType::AutoTopics(topics);
    }

    /// `assign()`: replaces the assignment, keeping the state of partitions
    /// that stay (as Kafka's `assignFromUser`).
    pub fn assign_from_user(&mut self, partitions: BTreeSet<TopicPartition>) {
        self.subscription = SubscriptionType::UserAssigned;
        self.set_assignment(partitions);
    }

    /// The group's assignment; partitions kept keep their positions.
    pub fn set_assignment(&mut self, partitions: BTreeSet<TopicPartition>) {
        self.assignment.retain(|tp, _| partitions.contains(tp));
        for tp in partitions {
            self.assignment
                .entry(tp)
                .or_insert_with(PartitionState::new);
        }
    }

    pub fn is_group_managed(&self) -> bool {
        matches!(self.subscription, SubscriptionType::AutoTopics(_))
    }

    pub fn subscribed_topics(&self) -> Vec<String> {
        match &self.subscription {
            SubscriptionType::AutoTopics(t) => t.iter().cloned().collect(),
            _ => Vec::new(),
        }
    }

    pub fn assigned(&self) -> impl Iterator<Item = &TopicPartition> {
        self.assignment.keys()
    }

    pub fn assigned_set(&self) -> BTreeSet<TopicPartition> {
        self.assignment.keys().cloned().collect()
    }

    pub fn is_assigned(&self, tp: &TopicPartition) -> bool {
        self.assignment.contains_key(tp)
    }

    pub fn state(&self, tp: &TopicPartition) -> Option<&PartitionState> {
        self.assignment.get(tp)
    }

    pub fn state_mut(&mut self, tp: &TopicPartition) -> Option<&mut PartitionState> {
        self.assignment.get_mut(tp)
    }

    pub fn states(&self) -> impl Iterator<Item = (&TopicPartition, &PartitionState)> {
        self.assignment.iter()
    }

    /// Sets the position and makes the partition fetchable.
    pub fn seek(&mut self, tp: &TopicPartition, offset: i64) {
        if let Some(s) = self.assignment.get_mut(tp) {
            s.position = offset;
            s.fetch_state = FetchState::Fetching;
        }
    }

    pub fn request_reset(&mut self, tp: &TopicPartition, spec: OffsetSpec) {
        if let Some(s) = self.assignment.get_mut(tp) {
            s.fetch_state = FetchState::AwaitReset(spec);
        }
    }

    /// Partitions in `state`.
    pub fn in_state(&self, pred: impl Fn(FetchState) -> bool) -> Vec<TopicPartition> {
        self.assignment
            .iter()
            .filter(|(_, s)| pred(s.fetch_state))
            .map(|(tp, _)| tp.clone())
            .collect()
    }

    /// Kafka's `allConsumed`: the positions of every partition that has one
    /// (what a commit of "what poll has delivered" sends).
    pub fn all_consumed(&self) -> BTreeMap<TopicPartition, i64> {
        self.assignment
            .iter()
            .filter(|(_, s)| s.has_position())
            .map(|(tp, s)| (tp.clone(), s.position))
            .collect()
    }

    pub fn positions(&self) -> BTreeMap<TopicPartition, i64> {
        self.all_consumed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    #[test]
    fn kept_partitions_keep_their_position() {
        let mut s = SubscriptionState::default();
        s.set_assignment([tp(0), tp(1)].into());
        s.seek(&tp(0), 7);
        s.set_assignment([tp(0), tp(2)].into());
        assert_eq!(s.all_consumed(), [(tp(0), 7)].into());
        assert_eq!(
            s.state(&tp(2)).unwrap().fetch_state,
            FetchState::Initializing
        );
        assert!(!s.is_assigned(&tp(1)));
    }

    #[test]
    fn only_partitions_with_positions_are_committed() {
        let mut s = SubscriptionState::default();
        s.assign_from_user([tp(0), tp(1)].into());
        s.seek(&tp(1), 3);
        s.request_reset(&tp(0), OffsetSpec::Earliest);
        assert_eq!(s.all_consumed(), [(tp(1), 3)].into());
        assert_eq!(
            s.in_state(|f| matches!(f, FetchState::AwaitReset(_))),
            vec![tp(0)]
        );
    }
}

//! `AbstractStickyAssignor.PartitionMovements`: the moves made so far in
//! one rebalance, so that when a partition of a topic must move from A to B
//! while another partition of that topic already moved from B to A, that
//! one is moved back instead. Net effect: fewer partitions change owner.

use super::super::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// `ConsumerPair`: (source member, destination member).
type ConsumerPair = (String, String);

#[derive(Default)]
pub(super) struct PartitionMovements {
    partition_movements_by_topic:
        BTreeMap<String, BTreeMap<ConsumerPair, BTreeSet<TopicPartition>>>,
    partition_movements: BTreeMap<TopicPartition, ConsumerPair>,
}

impl PartitionMovements {
    fn remove_movement_record_of_partition(&mut self, partition: &TopicPartition) -> ConsumerPair {
        let pair = self
            .partition_movements
            .remove(partition)
            .expect("partition has a movement record");
        let for_topic = self
            .partition_movements_by_topic
            .get_mut(&partition.topic)
            .expect("topic has movement records");
        let partitions = for_topic.get_mut(&pair).expect("pair recorded");
        partitions.remove(partition);
        if partitions.is_empty() {
            for_topic.remove(&pair);
        }
        if for_topic.is_empty() {
            self.partition_movements_by_topic.remove(&partition.topic);
        }
        pair
    }

    fn add_partition_movement_record(&mut self, partition: TopicPartition, pair: ConsumerPair) {
        self.partition_movements_by_topic
            .entry(partition.topic.clone())
            .or_default()
            .entry(pair.clone())
            .or_default()
            .insert(partition.clone());
        self.partition_movements.insert(partition, pair);
    }

    pub(super) fn move_partition(&mut self, partition: &TopicPartition, old: &str, new: &str) {
        if self.partition_movements.contains_key(partition) {
            // It moved before in this rebalance: record one move from its
            // original owner, or none if it is going back there.
            let (src, _) = self.remove_movement_record_of_partition(partition);
            if src != new {
                self.add_partition_movement_record(partition.clone(), (src, new.to_string()));
            }
        } else {
            self.add_partition_movement_record(
                partition.clone(),
                (old.to_string(), new.to_string()),
            );
        }
    }

    pub(super) fn get_the_actual_partition_to_be_moved(
        &self,
        partition: &TopicPartition,
        old: &str,
        new: &str,
    ) -> TopicPartition {
        let Some(for_topic) = self.partition_movements_by_topic.get(&partition.topic) else {
            return partition.clone();
        };
        let old = match self.partition_movements.get(partition) {
            Some((src, _)) => src.as_str(),
            None => old,
        };
        match for_topic.get(&(new.to_string(), old.to_string())) {
            Some(reverse) => reverse.first().expect("non-empty").clone(),
            None => partition.clone(),
        }
    }
}

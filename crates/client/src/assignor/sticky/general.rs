//! `AbstractStickyAssignor.generalAssign`: members subscribe to different
//! topics. Keep every still-valid owned partition, assign the rest to the
//! least loaded eligible member, then move partitions (those with the
//! fewest potential members first) from members with 2+ more than another
//! eligible member until the assignment is balanced; keep the result only
//! if it is more balanced than before the moves.

use super::super::java_order::java_hash_map_order;
use super::super::{GroupAssignment, MemberData, Subscription, TopicPartition, DEFAULT_GENERATION};
use super::partition_movements::PartitionMovements;
use std::collections::{BTreeMap, BTreeSet};

/// `ConsumerGenerationPair`: the owner before the current one.
type ConsumerGenerationPair = (String, i32);

pub(super) fn general_assign(
    partitions_per_topic: &BTreeMap<String, i32>,
    subscriptions: &BTreeMap<String, Subscription>,
    consumer_to_owned_partitions: BTreeMap<String, Vec<TopicPartition>>,
    max_generation: i32,
    member_data: fn(&Subscription) -> MemberData,
) -> GroupAssignment {
    let mut current_assignment = consumer_to_owned_partitions;
    let prev_assignment =
        prepopulate_current_assignments(subscriptions, max_generation, member_data);

    let mut partition2_all_potential_consumers: BTreeMap<TopicPartition, Vec<String>> =
        BTreeMap::new();
    for (topic, n) in partitions_per_topic {
        for p in 0..*n {
            partition2_all_potential_consumers
                .insert(TopicPartition::new(topic.clone(), p), vec![]);
        }
    }
    let mut consumer2_all_potential_partitions: BTreeMap<String, Vec<TopicPartition>> =
        BTreeMap::new();
    let mut subscribed_topics: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (consumer, subscription) in subscriptions {
        let topics: BTreeSet<String> = subscription
            .topics
            .iter()
            .filter(|t| partitions_per_topic.contains_key(*t))
            .cloned()
            .collect();
        let potential = consumer2_all_potential_partitions
            .entry(consumer.clone())
            .or_default();
        for topic in &topics {
            for p in 0..partitions_per_topic[topic] {
                let tp = TopicPartition::new(topic.clone(), p);
                partition2_all_potential_consumers
                    .get_mut(&tp)
                    .expect("every partition listed")
                    .push(consumer.clone());
                potential.push(tp);
            }
        }
        subscribed_topics.insert(consumer.clone(), topics);
        current_assignment.entry(consumer.clone()).or_default();
    }

    let mut current_partition_consumer: BTreeMap<TopicPartition, String> = BTreeMap::new();
    for (consumer, partitions) in &current_assignment {
        for tp in partitions {
            current_partition_consumer.insert(tp.clone(), consumer.clone());
        }
    }

    // Fewest potential members first, then (topic, partition).
    let mut sorted_partitions: Vec<TopicPartition> =
        partition2_all_potential_consumers.keys().cloned().collect();
    sorted_partitions.sort_by(|a, b| {
        partition2_all_potential_consumers[a]
            .len()
            .cmp(&partition2_all_potential_consumers[b].len())
            .then_with(|| a.cmp(b))
    });

    // Keep valid owned partitions; drop those of deleted topics (silently)
    // and of topics the member left (those need a revocation).
    let mut revocation_required = false;
    let mut kept = BTreeSet::new();
    for (consumer, partitions) in current_assignment.iter_mut() {
        partitions.retain(|tp| {
            if !partition2_all_potential_consumers.contains_key(tp) {
                current_partition_consumer.remove(tp);
                false
            } else if !subscribed_topics[consumer].contains(&tp.topic) {
                revocation_required = true;
                false
            } else {
                kept.insert(tp.clone());
                true
            }
        });
    }
    let unassigned_partitions: Vec<TopicPartition> = sorted_partitions
        .iter()
        .filter(|tp| !kept.contains(*tp))
        .cloned()
        .collect();

    let mut state = Balancer {
        sorted_current_subscriptions: current_assignment
            .iter()
            .map(|(c, p)| (p.len(), c.clone()))
            .collect(),
        current_assignment,
        current_partition_consumer,
        prev_assignment,
        subscribed_topics,
        consumer2_all_potential_partitions,
        partition2_all_potential_consumers,
        partition_movements: PartitionMovements::default(),
    };
    state.balance(
        sorted_partitions,
        unassigned_partitions,
        revocation_required,
    );
    state.current_assignment
}

/// `prepopulateCurrentAssignments` (Kafka 3.x): the previous owner of a
/// partition is the member that claims it with the highest generation
/// below the current one (no generation counts as -1). Ties go to the
/// member Kafka's `HashMap` visits first.
fn prepopulate_current_assignments(
    subscriptions: &BTreeMap<String, Subscription>,
    max_generation: i32,
    member_data: fn(&Subscription) -> MemberData,
) -> BTreeMap<TopicPartition, ConsumerGenerationPair> {
    let mut prev_assignment: BTreeMap<TopicPartition, ConsumerGenerationPair> = BTreeMap::new();
    for consumer in java_hash_map_order(subscriptions.keys()) {
        let data = member_data(&subscriptions[consumer]);
        let generation = match data.generation {
            Some(g) if g < max_generation => g,
            None if max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
            _ => continue,
        };
        for partition in data.partitions {
            match prev_assignment.get(&partition) {
                Some((_, g)) if *g >= generation => {}
                _ => {
                    prev_assignment.insert(partition, (consumer.clone(), generation));
                }
            }
        }
    }
    prev_assignment
}

/// The state `balance` and `performReassignments` work on.
struct Balancer {
    current_assignment: GroupAssignment,
    /// `sortedCurrentSubscriptions`: members by (assigned count, member id).
    sorted_current_subscriptions: BTreeSet<(usize, String)>,
    current_partition_consumer: BTreeMap<TopicPartition, String>,
    prev_assignment: BTreeMap<TopicPartition, ConsumerGenerationPair>,
    subscribed_topics: BTreeMap<String, BTreeSet<String>>,
    consumer2_all_potential_partitions: BTreeMap<String, Vec<TopicPartition>>,
    partition2_all_potential_consumers: BTreeMap<TopicPartition, Vec<String>>,
    partition_movements: PartitionMovements,
}

impl Balancer {
    fn size(&self, consumer: &str) -> usize {
        self.current_assignment.get(consumer).map_or(0, Vec::len)
    }

    fn can_take(&self, consumer: &str, partition: &TopicPartition) -> bool {
        self.subscribed_topics[consumer].contains(&partition.topic)
    }

    fn balance(
        &mut self,
        mut sorted_partitions: Vec<TopicPartition>,
        mut unassigned_partitions: Vec<TopicPartition>,
        revocation_required: bool,
    ) {
        let initializing = self
            .sorted_current_subscriptions
            .last()
            .is_none_or(|(n, _)| *n == 0);

        for partition in &unassigned_partitions {
            if !self.partition2_all_potential_consumers[partition].is_empty() {
                self.assign_partition(partition);
            }
        }

        // Only partitions with 2+ potential members, and members that could
        // gain or lose something, take part in the reassignment.
        let fixed_partitions: BTreeSet<TopicPartition> = self
            .partition2_all_potential_consumers
            .iter()
            .filter(|(_, consumers)| consumers.len() < 2)
            .map(|(tp, _)| tp.clone())
            .collect();
        sorted_partitions.retain(|tp| !fixed_partitions.contains(tp));
        unassigned_partitions.retain(|tp| !fixed_partitions.contains(tp));

        let mut fixed_assignments = BTreeMap::new();
        let consumers: Vec<String> = self
            .consumer2_all_potential_partitions
            .keys()
            .cloned()
            .collect();
        for consumer in consumers {
            if !self.can_participate_in_reassignment(&consumer) {
                let partitions = self
                    .current_assignment
                    .remove(&consumer)
                    .unwrap_or_default();
                self.sorted_current_subscriptions
                    .remove(&(partitions.len(), consumer.clone()));
                fixed_assignments.insert(consumer, partitions);
            }
        }

        let pre_balance_assignment = self.current_assignment.clone();
        let pre_balance_partition_consumers = self.current_partition_consumer.clone();

        // Without a forced revocation, first try moving only the partitions
        // that were unassigned anyway.
        if !revocation_required {
            self.perform_reassignments(&unassigned_partitions);
        }
        let reassignment_performed = self.perform_reassignments(&sorted_partitions);

        if !initializing
            && reassignment_performed
            && balance_score(&self.current_assignment) >= balance_score(&pre_balance_assignment)
        {
            self.current_assignment = pre_balance_assignment;
            self.current_partition_consumer = pre_balance_partition_consumers;
        }
        self.current_assignment.extend(fixed_assignments);
    }

    fn can_participate_in_reassignment(&self, consumer: &str) -> bool {
        let current = self
            .current_assignment
            .get(consumer)
            .map_or(&[][..], Vec::as_slice);
        current.len() < self.consumer2_all_potential_partitions[consumer].len()
            || current
                .iter()
                .any(|tp| self.partition2_all_potential_consumers[tp].len() >= 2)
    }

    /// `assignPartition`: to the least loaded member that can take it.
    fn assign_partition(&mut self, partition: &TopicPartition) {
        let Some(consumer) = self
            .sorted_current_subscriptions
            .iter()
            .find(|(_, c)| self.can_take(c, partition))
            .map(|(_, c)| c.clone())
        else {
            return;
        };
        self.sorted_current_subscriptions
            .remove(&(self.size(&consumer), consumer.clone()));
        self.current_assignment
            .get_mut(&consumer)
            .expect("member")
            .push(partition.clone());
        self.current_partition_consumer
            .insert(partition.clone(), consumer.clone());
        self.sorted_current_subscriptions
            .insert((self.size(&consumer), consumer));
    }

    /// `isBalanced`: counts differ by at most one, or no member could take
    /// a partition from a member that has more.
    fn is_balanced(&self) -> bool {
        let (Some((min, _)), Some((max, _))) = (
            self.sorted_current_subscriptions.first(),
            self.sorted_current_subscriptions.last(),
        ) else {
            return true;
        };
        if *min + 1 >= *max {
            return true;
        }
        for (count, consumer) in &self.sorted_current_subscriptions {
            let potential = &self.consumer2_all_potential_partitions[consumer];
            if *count == potential.len() {
                continue;
            }
            // A partition it could have, held by a member with more.
            let can_take_more = potential.iter().any(|tp| {
                self.current_partition_consumer
                    .get(tp)
                    .is_some_and(|other| {
                        other != consumer
                            && self.current_assignment.contains_key(other)
                            && *count < self.size(other)
                    })
            });
            if can_take_more {
                return false;
            }
        }
        true
    }

    fn perform_reassignments(&mut self, reassignable_partitions: &[TopicPartition]) -> bool {
        let mut reassignment_performed = false;
        loop {
            let mut modified = false;
            for partition in reassignable_partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(consumer) = self.current_partition_consumer.get(partition).cloned() else {
                    continue;
                };
                // Back to the previous owner if it is 2+ behind.
                if let Some((previous, _)) = self.prev_assignment.get(partition).cloned() {
                    if self.current_assignment.contains_key(&previous)
                        && self.can_take(&previous, partition)
                        && self.size(&consumer) > self.size(&previous) + 1
                    {
                        self.reassign_partition_to(partition, &previous);
                        reassignment_performed = true;
                        modified = true;
                        continue;
                    }
                }
                let better_suited_exists = self.partition2_all_potential_consumers[partition]
                    .iter()
                    .any(|other| {
                        self.current_assignment.contains_key(other)
                            && self.size(&consumer) > self.size(other) + 1
                    });
                if better_suited_exists {
                    self.reassign_partition(partition);
                    reassignment_performed = true;
                    modified = true;
                }
            }
            if !modified {
                return reassignment_performed;
            }
        }
    }

    /// To the least loaded member that can take it.
    fn reassign_partition(&mut self, partition: &TopicPartition) {
        let new_consumer = self
            .sorted_current_subscriptions
            .iter()
            .find(|(_, c)| self.can_take(c, partition))
            .map(|(_, c)| c.clone())
            .expect("the partition has a better-suited member");
        self.reassign_partition_to(partition, &new_consumer);
    }

    fn reassign_partition_to(&mut self, partition: &TopicPartition, new_consumer: &str) {
        let consumer = self.current_partition_consumer[partition].clone();
        let partition_to_be_moved = self
            .partition_movements
            .get_the_actual_partition_to_be_moved(partition, &consumer, new_consumer);
        self.process_partition_movement(&partition_to_be_moved, new_consumer);
    }

    fn process_partition_movement(&mut self, partition: &TopicPartition, new_consumer: &str) {
        let old_consumer = self.current_partition_consumer[partition].clone();
        self.sorted_current_subscriptions
            .remove(&(self.size(&old_consumer), old_consumer.clone()));
        self.sorted_current_subscriptions
            .remove(&(self.size(new_consumer), new_consumer.to_string()));
        self.partition_movements
            .move_partition(partition, &old_consumer, new_consumer);
        self.current_assignment
            .get_mut(&old_consumer)
            .expect("member")
            .retain(|tp| tp != partition);
        self.current_assignment
            .get_mut(new_consumer)
            .expect("member")
            .push(partition.clone());
        self.current_partition_consumer
            .insert(partition.clone(), new_consumer.to_string());
        self.sorted_current_subscriptions
            .insert((self.size(new_consumer), new_consumer.to_string()));
        self.sorted_current_subscriptions
            .insert((self.size(&old_consumer), old_consumer));
    }
}

/// `getBalanceScore`: the sum over member pairs of the difference in
/// assigned counts; 0 is perfectly balanced.
fn balance_score(assignment: &GroupAssignment) -> usize {
    let mut sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    sizes.sort_unstable();
    // Sorted: each size is subtracted by every larger one.
    let n = sizes.len();
    sizes.iter().enumerate().map(|(i, s)| s * i).sum::<usize>()
        - sizes
            .iter()
            .enumerate()
            .map(|(i, s)| s * (n - 1 - i))
            .sum::<usize>()
}

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

    // By topic, not by partition (as Kafka 3.x): a partition's potential
    // members are its topic's subscribers.
    let mut topic2_all_potential_consumers: BTreeMap<String, Vec<String>> = partitions_per_topic
        .keys()
        .map(|t| (t.clone(), Vec::new()))
        .collect();
    let mut consumer2_all_potential_topics: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (consumer, subscription) in subscriptions {
        let topics: BTreeSet<String> = subscription
            .topics
            .iter()
            .filter(|t| partitions_per_topic.contains_key(*t))
            .cloned()
            .collect();
        for topic in &topics {
            topic2_all_potential_consumers
                .get_mut(topic)
                .expect("topic listed")
                .push(consumer.clone());
        }
        consumer2_all_potential_topics.insert(consumer.clone(), topics);
        current_assignment.entry(consumer.clone()).or_default();
    }

    let mut current_partition_consumer = PartitionOwners::new(partitions_per_topic);
    for (consumer, partitions) in &current_assignment {
        for tp in partitions {
            current_partition_consumer.set(tp, consumer);
        }
    }

    // Topics with the fewest potential members first (TopicComparator),
    // each topic's partitions in order.
    let mut sorted_all_topics: Vec<&String> = partitions_per_topic.keys().collect();
    sorted_all_topics.sort_by_key(|t| (topic2_all_potential_consumers[*t].len(), *t));
    let sorted_partitions: Vec<TopicPartition> = sorted_all_topics
        .iter()
        .flat_map(|t| (0..partitions_per_topic[*t]).map(|p| TopicPartition::new((*t).clone(), p)))
        .collect();

    // Keep valid owned partitions; drop those of deleted topics (silently)
    // and of topics the member left (those need a revocation).
    let mut revocation_required = false;
    let mut kept = BTreeSet::new();
    for (consumer, partitions) in current_assignment.iter_mut() {
        partitions.retain(|tp| {
            if !current_partition_consumer.exists(tp) {
                false
            } else if !consumer2_all_potential_topics[consumer].contains(&tp.topic) {
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

    let max_assignment_size = consumer2_all_potential_topics
        .iter()
        .map(|(c, topics)| {
            (
                c.clone(),
                topics
                    .iter()
                    .map(|t| partitions_per_topic[t] as usize)
                    .sum(),
            )
        })
        .collect();
    let mut state = Balancer {
        sorted_current_subscriptions: current_assignment
            .iter()
            .map(|(c, p)| (p.len(), c.clone()))
            .collect(),
        current_assignment,
        current_partition_consumer,
        prev_assignment,
        partitions_per_topic: partitions_per_topic.clone(),
        consumer2_all_potential_topics,
        topic2_all_potential_consumers,
        max_assignment_size,
        partition_movements: PartitionMovements::default(),
    };
    state.balance(
        sorted_partitions,
        unassigned_partitions,
        revocation_required,
    );
    state.current_assignment
}

/// `currentPartitionConsumer`, stored per topic so a lookup needs no
/// `TopicPartition` to be built.
#[derive(Clone)]
struct PartitionOwners(BTreeMap<String, Vec<Option<String>>>);

impl PartitionOwners {
    fn new(partitions_per_topic: &BTreeMap<String, i32>) -> Self {
        PartitionOwners(
            partitions_per_topic
                .iter()
                .map(|(t, n)| (t.clone(), vec![None; *n as usize]))
                .collect(),
        )
    }

    fn exists(&self, tp: &TopicPartition) -> bool {
        self.0
            .get(&tp.topic)
            .is_some_and(|owners| (0..owners.len() as i32).contains(&tp.partition))
    }

    fn get(&self, topic: &str, partition: i32) -> Option<&String> {
        self.0.get(topic)?.get(partition as usize)?.as_ref()
    }

    fn set(&mut self, tp: &TopicPartition, consumer: &str) {
        if let Some(slot) = self
            .0
            .get_mut(&tp.topic)
            .and_then(|owners| owners.get_mut(tp.partition as usize))
        {
            *slot = Some(consumer.to_string());
        }
    }
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
    current_partition_consumer: PartitionOwners,
    prev_assignment: BTreeMap<TopicPartition, ConsumerGenerationPair>,
    partitions_per_topic: BTreeMap<String, i32>,
    consumer2_all_potential_topics: BTreeMap<String, BTreeSet<String>>,
    topic2_all_potential_consumers: BTreeMap<String, Vec<String>>,
    /// `getMaxAssignmentSize`: all partitions of the member's topics.
    max_assignment_size: BTreeMap<String, usize>,
    partition_movements: PartitionMovements,
}

impl Balancer {
    fn size(&self, consumer: &str) -> usize {
        self.current_assignment.get(consumer).map_or(0, Vec::len)
    }

    fn can_take(&self, consumer: &str, partition: &TopicPartition) -> bool {
        self.consumer2_all_potential_topics[consumer].contains(&partition.topic)
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
            if !self.topic2_all_potential_consumers[&partition.topic].is_empty() {
                self.assign_partition(partition);
            }
        }

        // Only partitions of topics with 2+ potential members, and members
        // that could gain or lose something, take part in the reassignment.
        let movable =
            |tp: &TopicPartition| self.topic2_all_potential_consumers[&tp.topic].len() >= 2;
        sorted_partitions.retain(|tp| movable(tp));
        unassigned_partitions.retain(|tp| movable(tp));

        let mut fixed_assignments = BTreeMap::new();
        let consumers: Vec<String> = self
            .consumer2_all_potential_topics
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
        current.len() < self.max_assignment_size[consumer]
            || current
                .iter()
                .any(|tp| self.topic2_all_potential_consumers[&tp.topic].len() >= 2)
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
        self.current_partition_consumer.set(partition, &consumer);
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
            if *count == self.max_assignment_size[consumer] {
                continue;
            }
            // A partition it could have, held by a member with more.
            for topic in &self.consumer2_all_potential_topics[consumer] {
                for p in 0..self.partitions_per_topic[topic] {
                    let held_by_bigger =
                        self.current_partition_consumer
                            .get(topic, p)
                            .is_some_and(|other| {
                                other != consumer
                                    && self.current_assignment.contains_key(other)
                                    && *count < self.size(other)
                            });
                    if held_by_bigger {
                        return false;
                    }
                }
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
                let Some(consumer) = self
                    .current_partition_consumer
                    .get(&partition.topic, partition.partition)
                    .cloned()
                else {
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
                let better_suited_exists = self.topic2_all_potential_consumers[&partition.topic]
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
        let consumer = self.owner(partition);
        let partition_to_be_moved = self
            .partition_movements
            .get_the_actual_partition_to_be_moved(partition, &consumer, new_consumer);
        self.process_partition_movement(&partition_to_be_moved, new_consumer);
    }

    fn owner(&self, partition: &TopicPartition) -> String {
        self.current_partition_consumer
            .get(&partition.topic, partition.partition)
            .expect("an assigned partition")
            .clone()
    }

    fn process_partition_movement(&mut self, partition: &TopicPartition, new_consumer: &str) {
        let old_consumer = self.owner(partition);
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
        self.current_partition_consumer.set(partition, new_consumer);
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

//! Replica assignment for new topics and partitions, as Kafka's
//! `AdminUtils.assignReplicasToBrokers` does it.
//!
//! Rack-unaware: the first replica of each partition goes round-robin from
//! a random start in the broker list; the others follow at a shift that
//! grows by one after every full round, so followers spread out.
//! Rack-aware (every broker has `broker.rack`): the same walk over a
//! rack-alternated broker list, skipping brokers whose rack (or the broker
//! itself) already holds a replica while some rack (broker) holds none.
//!
//! Kafka draws the start index and the first shift from `java.util.Random`;
//! here they are explicit ([`AssignmentStart`]) so a run is reproducible.

use std::collections::{BTreeMap, BTreeSet};

/// A broker as the assignment sees it (`kafka.admin.BrokerMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerMetadata {
    pub id: i32,
    pub rack: Option<String>,
}

impl BrokerMetadata {
    pub fn new(id: i32, rack: Option<&str>) -> Self {
        BrokerMetadata {
            id,
            rack: rack.map(str::to_string),
        }
    }
}

/// Where the round-robin starts (Kafka: `startIndex`, `nextReplicaShift`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssignmentStart {
    pub start_index: usize,
    pub next_replica_shift: usize,
}

impl AssignmentStart {
    /// Kafka's `fixedStartIndex`: both values the same (what its tests use,
    /// and what `addPartitions` uses to continue an existing topic).
    pub fn fixed(index: usize) -> Self {
        AssignmentStart {
            start_index: index,
            next_replica_shift: index,
        }
    }

    /// Kafka's random start: two draws of `rand.nextInt(numBrokers)`, in
    /// this order. `next_int(n)` must return a value in `0..n`.
    pub fn random(num_brokers: usize, mut next_int: impl FnMut(usize) -> usize) -> Self {
        let n = num_brokers.max(1);
        let start_index = next_int(n) % n;
        let next_replica_shift = next_int(n) % n;
        AssignmentStart {
            start_index,
            next_replica_shift,
        }
    }
}

/// Why an assignment is impossible, with Kafka's messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignmentError {
    /// `InvalidPartitionsException`.
    InvalidPartitions(String),
    /// `InvalidReplicationFactorException`.
    InvalidReplicationFactor(String),
    /// `AdminOperationException` (some brokers have a rack, some not).
    AdminOperation(String),
}

impl AssignmentError {
    /// The Kafka error (`Errors`) a CreateTopics response carries.
    /// `AdminOperationException` is not an `ApiException`, so it surfaces
    /// as UNKNOWN_SERVER_ERROR.
    pub fn error_name(&self) -> &'static str {
        match self {
            AssignmentError::InvalidPartitions(_) => "INVALID_PARTITIONS",
            AssignmentError::InvalidReplicationFactor(_) => "INVALID_REPLICATION_FACTOR",
            AssignmentError::AdminOperation(_) => "UNKNOWN_SERVER_ERROR",
        }
    }

    /// Kafka's error code for [`error_name`](Self::error_name).
    pub fn error_code(&self) -> i16 {
        match self {
            AssignmentError::InvalidPartitions(_) => 37,
            AssignmentError::InvalidReplicationFactor(_) => 38,
            AssignmentError::AdminOperation(_) => -1,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            AssignmentError::InvalidPartitions(m)
            | AssignmentError::InvalidReplicationFactor(m)
            | AssignmentError::AdminOperation(m) => m,
        }
    }
}

impl std::fmt::Display for AssignmentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_name(), self.message())
    }
}

impl std::error::Error for AssignmentError {}

/// `AdminUtils.assignReplicasToBrokers`: partition id → replicas (the
/// first is the preferred leader). Partition ids start at
/// `max(0, start_partition_id)`. Kafka passes the brokers sorted by id;
/// the rack-unaware walk uses them in the order given.
pub fn assign_replicas_to_brokers(
    brokers: &[BrokerMetadata],
    n_partitions: i32,
    replication_factor: i32,
    start: AssignmentStart,
    start_partition_id: i32,
) -> Result<BTreeMap<i32, Vec<i32>>, AssignmentError> {
    if n_partitions <= 0 {
        return Err(AssignmentError::InvalidPartitions(
            "number of partitions must be larger than 0".into(),
        ));
    }
    if replication_factor <= 0 {
        return Err(AssignmentError::InvalidReplicationFactor(
            "replication factor must be larger than 0".into(),
        ));
    }
    if replication_factor as usize > brokers.len() {
        return Err(AssignmentError::InvalidReplicationFactor(format!(
            "replication factor: {replication_factor} larger than available brokers: {}",
            brokers.len()
        )));
    }
    if brokers.iter().all(|b| b.rack.is_none()) {
        let ids: Vec<i32> = brokers.iter().map(|b| b.id).collect();
        Ok(rack_unaware(
            &ids,
            n_partitions,
            replication_factor,
            start,
            start_partition_id,
        ))
    } else if brokers.iter().any(|b| b.rack.is_none()) {
        Err(AssignmentError::AdminOperation(
            "Not all brokers have rack information for replica rack aware assignment".into(),
        ))
    } else {
        Ok(rack_aware(
            brokers,
            n_partitions,
            replication_factor,
            start,
            start_partition_id,
        ))
    }
}

/// `replicaIndex`: the broker index of a follower, `1 + (shift + j) % (n - 1)`
/// places after the first replica (never the first replica itself).
fn replica_index(
    first: usize,
    second_replica_shift: usize,
    replica_index: usize,
    n: usize,
) -> usize {
    let shift = 1 + (second_replica_shift + replica_index) % (n - 1);
    (first + shift) % n
}

fn rack_unaware(
    brokers: &[i32],
    n_partitions: i32,
    replication_factor: i32,
    start: AssignmentStart,
    start_partition_id: i32,
) -> BTreeMap<i32, Vec<i32>> {
    let n = brokers.len();
    let mut ret = BTreeMap::new();
    let mut shift = start.next_replica_shift;
    for current in (start_partition_id.max(0)..).take(n_partitions as usize) {
        if current > 0 && (current as usize).is_multiple_of(n) {
            shift += 1;
        }
        let first = (current as usize + start.start_index) % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..(replication_factor as usize - 1) {
            replicas.push(brokers[replica_index(first, shift, j, n)]);
        }
        ret.insert(current, replicas);
    }
    ret
}

/// `getRackAlternatedBrokerList`: racks in name order, each rack's brokers
/// in id order, taking one broker from each rack in turn.
pub fn rack_alternated_broker_list(broker_racks: &BTreeMap<i32, String>) -> Vec<i32> {
    let mut by_rack: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for (id, rack) in broker_racks {
        by_rack.entry(rack.as_str()).or_default().push(*id);
    }
    let mut iters: Vec<std::vec::IntoIter<i32>> =
        by_rack.into_values().map(Vec::into_iter).collect();
    let mut result = Vec::with_capacity(broker_racks.len());
    let mut rack = 0;
    while result.len() < broker_racks.len() {
        if let Some(id) = iters[rack].next() {
            result.push(id);
        }
        rack = (rack + 1) % iters.len();
    }
    result
}

fn rack_aware(
    brokers: &[BrokerMetadata],
    n_partitions: i32,
    replication_factor: i32,
    start: AssignmentStart,
    start_partition_id: i32,
) -> BTreeMap<i32, Vec<i32>> {
    let broker_racks: BTreeMap<i32, String> = brokers
        .iter()
        .filter_map(|b| b.rack.clone().map(|r| (b.id, r)))
        .collect();
    let num_racks = broker_racks.values().collect::<BTreeSet<_>>().len();
    let arranged = rack_alternated_broker_list(&broker_racks);
    let num_brokers = arranged.len();
    let mut ret = BTreeMap::new();
    let mut shift = start.next_replica_shift;
    for current in (start_partition_id.max(0)..).take(n_partitions as usize) {
        if current > 0 && (current as usize).is_multiple_of(num_brokers) {
            shift += 1;
        }
        let first = (current as usize + start.start_index) % num_brokers;
        let leader = arranged[first];
        let mut replicas = vec![leader];
        let mut racks_with_replicas: BTreeSet<&str> =
            BTreeSet::from([broker_racks[&leader].as_str()]);
        let mut brokers_with_replicas: BTreeSet<i32> = BTreeSet::from([leader]);
        let mut k = 0;
        for _ in 0..(replication_factor as usize - 1) {
            loop {
                let broker = arranged[replica_index(first, shift * num_racks, k, num_brokers)];
                let rack = broker_racks[&broker].as_str();
                k += 1;
                // Skip a broker whose rack already has a replica while some
                // rack has none, or that has one itself while some broker
                // has none.
                if (!racks_with_replicas.contains(rack) || racks_with_replicas.len() == num_racks)
                    && (!brokers_with_replicas.contains(&broker)
                        || brokers_with_replicas.len() == num_brokers)
                {
                    replicas.push(broker);
                    racks_with_replicas.insert(rack);
                    brokers_with_replicas.insert(broker);
                    break;
                }
            }
        }
        ret.insert(current, replicas);
    }
    ret
}

#[cfg(test)]
#[path = "assignment_tests.rs"]
mod tests;

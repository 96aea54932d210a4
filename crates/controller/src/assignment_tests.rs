//! Ported from Kafka's `AdminTest.testReplicaAssignment`,
//! `AdminRackAwareTest` and its `RackAwareTest.checkReplicaDistribution`.

use super::*;

fn no_rack(ids: impl IntoIterator<Item = i32>) -> Vec<BrokerMetadata> {
    ids.into_iter()
        .map(|id| BrokerMetadata::new(id, None))
        .collect()
}

fn racked(map: &[(i32, &str)]) -> Vec<BrokerMetadata> {
    map.iter()
        .map(|(id, r)| BrokerMetadata::new(*id, Some(r)))
        .collect()
}

fn rack_map(map: &[(i32, &str)]) -> BTreeMap<i32, String> {
    map.iter().map(|(id, r)| (*id, r.to_string())).collect()
}

fn expected(rows: &[(i32, &[i32])]) -> BTreeMap<i32, Vec<i32>> {
    rows.iter().map(|(p, r)| (*p, r.to_vec())).collect()
}

/// `RackAwareTest.checkReplicaDistribution`.
#[allow(clippy::too_many_arguments)]
fn check_replica_distribution(
    assignment: &BTreeMap<i32, Vec<i32>>,
    racks: &[(i32, &str)],
    num_brokers: usize,
    num_partitions: usize,
    replication_factor: usize,
    verify_rack_aware: bool,
    verify_leader_distribution: bool,
    verify_replicas_distribution: bool,
) {
    let racks = rack_map(racks);
    assert_eq!(assignment.len(), num_partitions);
    for replicas in assignment.values() {
        let distinct: BTreeSet<_> = replicas.iter().collect();
        assert_eq!(
            distinct.len(),
            replicas.len(),
            "one replica per broker: {replicas:?}"
        );
        assert_eq!(replicas.len(), replication_factor);
    }
    if verify_rack_aware {
        for (p, replicas) in assignment {
            let distinct: BTreeSet<_> = replicas.iter().map(|b| &racks[b]).collect();
            assert_eq!(
                distinct.len(),
                replication_factor,
                "partition {p} shares a rack: {replicas:?}"
            );
        }
    }
    let mut leaders: BTreeMap<i32, usize> = BTreeMap::new();
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for replicas in assignment.values() {
        *leaders.entry(replicas[0]).or_default() += 1;
        for b in replicas {
            *counts.entry(*b).or_default() += 1;
        }
    }
    if verify_leader_distribution {
        assert_eq!(
            leaders.values().copied().collect::<Vec<_>>(),
            vec![num_partitions / num_brokers; num_brokers],
            "preferred leader count is not even: {leaders:?}"
        );
    }
    if verify_replicas_distribution {
        assert_eq!(
            counts.values().copied().collect::<Vec<_>>(),
            vec![num_partitions * replication_factor / num_brokers; num_brokers],
            "replica count is not even: {counts:?}"
        );
    }
}

/// Kafka's "random start" tests, run for every possible start.
fn all_starts(n: usize) -> impl Iterator<Item = AssignmentStart> {
    (0..n).flat_map(move |s| {
        (0..n).map(move |shift| AssignmentStart {
            start_index: s,
            next_replica_shift: shift,
        })
    })
}

#[test]
fn test_replica_assignment() {
    let brokers = no_rack(0..=4);
    let err =
        assign_replicas_to_brokers(&brokers, 10, 0, AssignmentStart::fixed(0), -1).unwrap_err();
    assert_eq!(err.error_name(), "INVALID_REPLICATION_FACTOR");
    assert_eq!(err.message(), "replication factor must be larger than 0");
    let err =
        assign_replicas_to_brokers(&brokers, 10, 6, AssignmentStart::fixed(0), -1).unwrap_err();
    assert_eq!(
        err,
        AssignmentError::InvalidReplicationFactor(
            "replication factor: 6 larger than available brokers: 5".into()
        )
    );
    assert_eq!(err.error_code(), 38);
    let actual =
        assign_replicas_to_brokers(&brokers, 10, 3, AssignmentStart::fixed(0), -1).unwrap();
    assert_eq!(
        actual,
        expected(&[
            (0, &[0, 1, 2]),
            (1, &[1, 2, 3]),
            (2, &[2, 3, 4]),
            (3, &[3, 4, 0]),
            (4, &[4, 0, 1]),
            (5, &[0, 2, 3]),
            (6, &[1, 3, 4]),
            (7, &[2, 4, 0]),
            (8, &[3, 0, 1]),
            (9, &[4, 1, 2]),
        ])
    );
}

#[test]
fn invalid_partitions_and_missing_racks() {
    let err = assign_replicas_to_brokers(&no_rack(0..3), 0, 1, AssignmentStart::fixed(0), -1)
        .unwrap_err();
    assert_eq!(err.error_name(), "INVALID_PARTITIONS");
    assert_eq!(err.message(), "number of partitions must be larger than 0");
    let mixed = vec![
        BrokerMetadata::new(0, Some("a")),
        BrokerMetadata::new(1, None),
    ];
    let err = assign_replicas_to_brokers(&mixed, 1, 1, AssignmentStart::fixed(0), -1).unwrap_err();
    assert_eq!(
        err.message(),
        "Not all brokers have rack information for replica rack aware assignment"
    );
}

#[test]
fn start_partition_id_numbers_new_partitions_but_restarts_the_shift() {
    // addPartitions passes startPartitionId = existing count. Partition ids
    // continue, but nextReplicaShift starts again from the fixed value and
    // is bumped once at partition 10 (10 % 5 == 0): shift 1, where a
    // one-shot 15-partition assignment would be in its third round (shift 2).
    let brokers = no_rack(0..=4);
    let all = assign_replicas_to_brokers(&brokers, 15, 3, AssignmentStart::fixed(0), -1).unwrap();
    let added = assign_replicas_to_brokers(&brokers, 5, 3, AssignmentStart::fixed(0), 10).unwrap();
    assert_eq!(
        added.keys().copied().collect::<Vec<_>>(),
        vec![10, 11, 12, 13, 14]
    );
    assert_eq!(all[&10], vec![0, 3, 4]);
    assert_eq!(added[&10], vec![0, 2, 3]);
    assert_eq!(added[&14], vec![4, 1, 2]);
}

#[test]
fn random_start_uses_two_draws() {
    let mut draws = vec![3, 1].into_iter();
    let s = AssignmentStart::random(5, |n| {
        assert_eq!(n, 5);
        draws.next().unwrap()
    });
    assert_eq!(
        s,
        AssignmentStart {
            start_index: 3,
            next_replica_shift: 1
        }
    );
    let a = assign_replicas_to_brokers(&no_rack(0..=4), 1, 3, s, -1).unwrap();
    // First replica at index 3, followers 1 + (1 + j) % 4 places after it.
    assert_eq!(a[&0], vec![3, 0, 1]);
}

#[test]
fn test_get_rack_alternated_broker_list_and_assign_replicas_to_brokers() {
    let map = [
        (0, "rack1"),
        (1, "rack3"),
        (2, "rack3"),
        (3, "rack2"),
        (4, "rack2"),
        (5, "rack1"),
    ];
    assert_eq!(
        rack_alternated_broker_list(&rack_map(&map)),
        vec![0, 3, 1, 5, 4, 2]
    );
    assert_eq!(
        rack_alternated_broker_list(&rack_map(&map[..5])),
        vec![0, 3, 1, 4, 2]
    );
    let assignment =
        assign_replicas_to_brokers(&racked(&map), 7, 3, AssignmentStart::fixed(0), 0).unwrap();
    assert_eq!(
        assignment,
        expected(&[
            (0, &[0, 3, 1]),
            (1, &[3, 1, 5]),
            (2, &[1, 5, 4]),
            (3, &[5, 4, 2]),
            (4, &[4, 2, 0]),
            (5, &[2, 0, 3]),
            (6, &[0, 4, 2]),
        ])
    );
}

const SIX: [(i32, &str); 6] = [
    (0, "rack1"),
    (1, "rack2"),
    (2, "rack2"),
    (3, "rack3"),
    (4, "rack3"),
    (5, "rack1"),
];

#[test]
fn test_assignment_with_rack_aware() {
    let a = assign_replicas_to_brokers(&racked(&SIX), 6, 3, AssignmentStart::fixed(2), 0).unwrap();
    check_replica_distribution(&a, &SIX, 6, 6, 3, true, true, true);
}

#[test]
fn test_assignment_with_rack_aware_with_random_start_index() {
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&SIX), 6, 3, start, -1).unwrap();
        check_replica_distribution(&a, &SIX, 6, 6, 3, true, true, true);
    }
}

#[test]
fn test_assignment_with_rack_aware_with_uneven_replicas() {
    let a = assign_replicas_to_brokers(&racked(&SIX), 13, 3, AssignmentStart::fixed(0), 0).unwrap();
    check_replica_distribution(&a, &SIX, 6, 13, 3, true, false, false);
}

#[test]
fn test_assignment_with_rack_aware_with_uneven_racks() {
    let map = [
        (0, "rack1"),
        (1, "rack1"),
        (2, "rack2"),
        (3, "rack3"),
        (4, "rack3"),
        (5, "rack1"),
    ];
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&map), 12, 3, start, -1).unwrap();
        check_replica_distribution(&a, &map, 6, 12, 3, true, true, false);
    }
}

#[test]
fn test_assignment_with_2_replicas_rack_aware() {
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&SIX), 12, 2, start, -1).unwrap();
        check_replica_distribution(&a, &SIX, 6, 12, 2, true, true, true);
    }
}

#[test]
fn test_rack_aware_expansion() {
    let map = [
        (6, "rack1"),
        (7, "rack2"),
        (8, "rack2"),
        (9, "rack3"),
        (10, "rack3"),
        (11, "rack1"),
    ];
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&map), 12, 2, start, 12).unwrap();
        assert_eq!(*a.keys().next().unwrap(), 12);
        let renumbered: BTreeMap<i32, Vec<i32>> = a.into_iter().map(|(p, r)| (p - 12, r)).collect();
        check_replica_distribution(&renumbered, &map, 6, 12, 2, true, true, true);
    }
}

#[test]
fn test_assignment_with_2_replicas_rack_aware_with_6_partitions() {
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&SIX), 6, 2, start, -1).unwrap();
        check_replica_distribution(&a, &SIX, 6, 6, 2, true, true, true);
    }
}

#[test]
fn test_assignment_with_2_replicas_rack_aware_with_6_partitions_and_3_brokers() {
    let map = [(0, "rack1"), (1, "rack2"), (4, "rack3")];
    for start in all_starts(3) {
        let a = assign_replicas_to_brokers(&racked(&map), 3, 2, start, -1).unwrap();
        check_replica_distribution(&a, &map, 3, 3, 2, true, true, true);
    }
}

#[test]
fn test_large_number_partitions_assignment() {
    let map = [
        (0, "rack1"),
        (1, "rack2"),
        (2, "rack2"),
        (3, "rack3"),
        (4, "rack3"),
        (5, "rack1"),
        (6, "rack1"),
        (7, "rack2"),
        (8, "rack2"),
        (9, "rack3"),
        (10, "rack1"),
        (11, "rack3"),
    ];
    for start in all_starts(12) {
        let a = assign_replicas_to_brokers(&racked(&map), 96, 3, start, -1).unwrap();
        check_replica_distribution(&a, &map, 12, 96, 3, true, true, true);
    }
}

fn partition_racks(a: &BTreeMap<i32, Vec<i32>>, map: &[(i32, &str)]) -> Vec<usize> {
    let racks = rack_map(map);
    a.values()
        .map(|r| r.iter().map(|b| &racks[b]).collect::<BTreeSet<_>>().len())
        .collect()
}

#[test]
fn test_more_replicas_than_racks() {
    let map = [
        (0, "rack1"),
        (1, "rack2"),
        (2, "rack2"),
        (3, "rack3"),
        (4, "rack3"),
        (5, "rack2"),
    ];
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&map), 6, 5, start, -1).unwrap();
        assert!(a.values().all(|r| r.len() == 5));
        assert_eq!(partition_racks(&a, &map), vec![3; 6]);
    }
}

#[test]
fn test_less_replicas_than_racks() {
    let map = [
        (0, "rack1"),
        (1, "rack2"),
        (2, "rack2"),
        (3, "rack3"),
        (4, "rack3"),
        (5, "rack2"),
    ];
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&map), 6, 2, start, -1).unwrap();
        assert!(a.values().all(|r| r.len() == 2));
        assert_eq!(partition_racks(&a, &map), vec![2; 6]);
    }
}

#[test]
fn test_single_rack() {
    let map = [
        (0, "rack1"),
        (1, "rack1"),
        (2, "rack1"),
        (3, "rack1"),
        (4, "rack1"),
        (5, "rack1"),
    ];
    for start in all_starts(6) {
        let a = assign_replicas_to_brokers(&racked(&map), 6, 3, start, -1).unwrap();
        assert!(a.values().all(|r| r.len() == 3));
        assert_eq!(partition_racks(&a, &map), vec![1; 6]);
        let leaders: BTreeSet<i32> = a.values().map(|r| r[0]).collect();
        assert_eq!(leaders.len(), 6, "each broker leads exactly one partition");
    }
}

#[test]
fn test_skip_broker_with_replica_already_assigned() {
    let map = [(0, "a"), (1, "b"), (2, "c"), (3, "a"), (4, "a")];
    let a = assign_replicas_to_brokers(&racked(&map), 6, 4, AssignmentStart::fixed(2), -1).unwrap();
    check_replica_distribution(&a, &map, 5, 6, 4, false, false, false);
}

#[test]
fn rack_unaware_spreads_replicas_evenly() {
    for n in 1..=7usize {
        for rf in 1..=n {
            for start in all_starts(n) {
                let a = assign_replicas_to_brokers(
                    &no_rack(0..n as i32),
                    2 * n as i32,
                    rf as i32,
                    start,
                    -1,
                )
                .unwrap();
                let rack_of_each: Vec<(i32, &str)> = (0..n as i32).map(|b| (b, "r")).collect();
                check_replica_distribution(&a, &rack_of_each, n, 2 * n, rf, false, true, true);
            }
        }
    }
}

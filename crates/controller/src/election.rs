//! The controller's partition leader elections
//! (`PartitionLeaderElectionAlgorithms`) and the leader/ISR each strategy
//! writes (`PartitionStateMachine.leaderFor*`,
//! `ReplicaStateMachine`'s removal of a dead replica from the ISR).
//!
//! All are pure: the broker crate's controller role supplies the
//! assignment, the ISR from ZooKeeper and the set of live brokers.

use std::collections::BTreeSet;

use crate::znodes::topic::{LeaderIsrAndControllerEpoch, NO_LEADER};

/// `offlinePartitionLeaderElection`: the first replica in assignment order
/// that is alive and in the ISR; failing that, with
/// `unclean.leader.election.enable`, the first live replica (an unclean
/// election: `true` in the result, counted by Kafka's
/// `UncleanLeaderElectionsPerSec`).
pub fn offline_partition_leader_election(
    assignment: &[i32],
    isr: &[i32],
    live: &BTreeSet<i32>,
    unclean_leader_election_enabled: bool,
) -> Option<(i32, bool)> {
    let clean = assignment
        .iter()
        .find(|id| live.contains(id) && isr.contains(id))
        .map(|id| (*id, false));
    clean.or_else(|| {
        if unclean_leader_election_enabled {
            assignment
                .iter()
                .find(|id| live.contains(id))
                .map(|id| (*id, true))
        } else {
            None
        }
    })
}

/// The election a partition goes through when its leader is gone (same as
/// [`offline_partition_leader_election`]).
pub fn elect_leader(
    assignment: &[i32],
    isr: &[i32],
    live: &BTreeSet<i32>,
    unclean_leader_election_enabled: bool,
) -> Option<(i32, bool)> {
    offline_partition_leader_election(assignment, isr, live, unclean_leader_election_enabled)
}

/// `reassignPartitionLeaderElection`: the first replica of the target
/// assignment that is alive and in the ISR.
pub fn reassign_partition_leader_election(
    reassignment: &[i32],
    isr: &[i32],
    live: &BTreeSet<i32>,
) -> Option<i32> {
    reassignment
        .iter()
        .find(|id| live.contains(id) && isr.contains(id))
        .copied()
}

/// `preferredReplicaPartitionLeaderElection`: the preferred (first
/// assigned) replica, only if it is alive and in the ISR.
pub fn preferred_replica_partition_leader_election(
    assignment: &[i32],
    isr: &[i32],
    live: &BTreeSet<i32>,
) -> Option<i32> {
    assignment
        .first()
        .filter(|id| live.contains(id) && isr.contains(id))
        .copied()
}

/// `controlledShutdownPartitionLeaderElection`: the first replica that is
/// alive, in the ISR and not shutting down.
pub fn controlled_shutdown_partition_leader_election(
    assignment: &[i32],
    isr: &[i32],
    live: &BTreeSet<i32>,
    shutting_down: &BTreeSet<i32>,
) -> Option<i32> {
    assignment
        .iter()
        .find(|id| live.contains(id) && isr.contains(id) && !shutting_down.contains(id))
        .copied()
}

/// A partition's leader, leader epoch and ISR (`kafka.api.LeaderAndIsr`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderAndIsr {
    /// [`NO_LEADER`] (-1) when there is none.
    pub leader: i32,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
}

impl LeaderAndIsr {
    /// The state of a new partition: epoch 0 (`LeaderAndIsr.initialLeaderEpoch`).
    pub fn initial(leader: i32, isr: Vec<i32>) -> Self {
        LeaderAndIsr {
            leader,
            leader_epoch: 0,
            isr,
        }
    }

    /// `newLeaderAndIsr`: every change of leader or ISR the controller
    /// makes bumps the leader epoch.
    pub fn new_leader_and_isr(&self, leader: i32, isr: Vec<i32>) -> Self {
        LeaderAndIsr {
            leader,
            leader_epoch: self.leader_epoch + 1,
            isr,
        }
    }

    /// What goes into the partition state znode.
    pub fn with_controller_epoch(&self, controller_epoch: i32) -> LeaderIsrAndControllerEpoch {
        LeaderIsrAndControllerEpoch {
            leader: self.leader,
            leader_epoch: self.leader_epoch,
            isr: self.isr.clone(),
            controller_epoch,
        }
    }

    pub fn from_state(state: &LeaderIsrAndControllerEpoch) -> Self {
        LeaderAndIsr {
            leader: state.leader,
            leader_epoch: state.leader_epoch,
            isr: state.isr.clone(),
        }
    }
}

/// `initializeLeaderAndIsrForPartitions`: a new partition's leader is its
/// first live replica and its ISR all live replicas, in assignment order;
/// `None` when no replica is alive (the partition stays offline).
pub fn initial_leader_and_isr(assignment: &[i32], live: &BTreeSet<i32>) -> Option<LeaderAndIsr> {
    let live_replicas: Vec<i32> = assignment
        .iter()
        .filter(|r| live.contains(r))
        .copied()
        .collect();
    let leader = *live_replicas.first()?;
    Some(LeaderAndIsr::initial(leader, live_replicas))
}

/// The outcome of an offline election.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elected {
    pub leader_and_isr: LeaderAndIsr,
    pub unclean: bool,
}

/// `leaderForOffline`: elect, then keep the live ISR members as the ISR
/// (an unclean leader, not in the ISR, becomes the only member).
pub fn leader_for_offline(
    current: &LeaderAndIsr,
    assignment: &[i32],
    live: &BTreeSet<i32>,
    unclean_leader_election_enabled: bool,
) -> Option<Elected> {
    let (leader, unclean) = offline_partition_leader_election(
        assignment,
        &current.isr,
        live,
        unclean_leader_election_enabled,
    )?;
    let isr = if current.isr.contains(&leader) {
        current
            .isr
            .iter()
            .filter(|r| live.contains(r))
            .copied()
            .collect()
    } else {
        vec![leader]
    };
    Some(Elected {
        leader_and_isr: current.new_leader_and_isr(leader, isr),
        unclean,
    })
}

/// `leaderForControlledShutdown`: elect a leader that is not shutting
/// down and drop the shutting-down brokers from the ISR.
pub fn leader_for_controlled_shutdown(
    current: &LeaderAndIsr,
    assignment: &[i32],
    live: &BTreeSet<i32>,
    shutting_down: &BTreeSet<i32>,
) -> Option<LeaderAndIsr> {
    let leader = controlled_shutdown_partition_leader_election(
        assignment,
        &current.isr,
        live,
        shutting_down,
    )?;
    let isr = current
        .isr
        .iter()
        .filter(|r| !shutting_down.contains(r))
        .copied()
        .collect();
    Some(current.new_leader_and_isr(leader, isr))
}

/// `leaderForPreferredReplica`: move leadership to the preferred replica,
/// ISR unchanged.
pub fn leader_for_preferred_replica(
    current: &LeaderAndIsr,
    assignment: &[i32],
    live: &BTreeSet<i32>,
) -> Option<LeaderAndIsr> {
    let leader = preferred_replica_partition_leader_election(assignment, &current.isr, live)?;
    Some(current.new_leader_and_isr(leader, current.isr.clone()))
}

/// A replica went offline (`ReplicaStateMachine` → `OfflineReplica`):
/// it leaves the ISR — except that the last ISR member stays, so a clean
/// election can wait for it — and if it led, the partition has no leader
/// until an election.
pub fn remove_replica_from_isr(current: &LeaderAndIsr, replica: i32) -> LeaderAndIsr {
    let leader = if current.leader == replica {
        NO_LEADER
    } else {
        current.leader
    };
    let isr = if current.isr.len() == 1 {
        current.isr.clone()
    } else {
        current
            .isr
            .iter()
            .filter(|r| **r != replica)
            .copied()
            .collect()
    };
    current.new_leader_and_isr(leader, isr)
}

#[cfg(test)]
mod tests {
    //! The first group is Kafka's `PartitionLeaderElectionAlgorithmsTest`.
    use super::*;

    fn set(ids: &[i32]) -> BTreeSet<i32> {
        ids.iter().copied().collect()
    }

    #[test]
    fn test_offline_partition_leader_election() {
        let r = offline_partition_leader_election(&[2, 4], &[2, 4], &set(&[4]), false);
        assert_eq!(r, Some((4, false)));
    }

    #[test]
    fn test_offline_partition_leader_election_last_isr_offline_unclean_leader_election_disabled() {
        let r = offline_partition_leader_election(&[2, 4], &[2], &set(&[4]), false);
        assert_eq!(r, None);
    }

    #[test]
    fn test_offline_partition_leader_election_last_isr_offline_unclean_leader_election_enabled() {
        let r = offline_partition_leader_election(&[2, 4], &[2], &set(&[4]), true);
        assert_eq!(r, Some((4, true)), "an unclean election is reported");
    }

    #[test]
    fn test_reassign_partition_leader_election() {
        assert_eq!(
            reassign_partition_leader_election(&[2, 4], &[2, 4], &set(&[4])),
            Some(4)
        );
    }

    #[test]
    fn test_reassign_partition_leader_election_with_no_live_isr() {
        assert_eq!(
            reassign_partition_leader_election(&[2, 4], &[2], &set(&[])),
            None
        );
    }

    #[test]
    fn test_reassign_partition_leader_election_with_empty_isr() {
        assert_eq!(
            reassign_partition_leader_election(&[2, 4], &[], &set(&[2])),
            None
        );
    }

    #[test]
    fn test_preferred_replica_partition_leader_election() {
        assert_eq!(
            preferred_replica_partition_leader_election(&[2, 4], &[2, 4], &set(&[2, 4])),
            Some(2)
        );
    }

    #[test]
    fn test_preferred_replica_partition_leader_election_preferred_replica_in_isr_not_live() {
        assert_eq!(
            preferred_replica_partition_leader_election(&[2, 4], &[2], &set(&[])),
            None
        );
    }

    #[test]
    fn test_preferred_replica_partition_leader_election_preferred_replica_not_in_isr_live() {
        assert_eq!(
            preferred_replica_partition_leader_election(&[2, 4], &[4], &set(&[2, 4])),
            None
        );
    }

    #[test]
    fn test_preferred_replica_partition_leader_election_preferred_replica_not_in_isr_not_live() {
        assert_eq!(
            preferred_replica_partition_leader_election(&[2, 4], &[], &set(&[])),
            None
        );
    }

    #[test]
    fn test_controlled_shutdown_partition_leader_election() {
        assert_eq!(
            controlled_shutdown_partition_leader_election(
                &[2, 4],
                &[2, 4],
                &set(&[2, 4]),
                &set(&[2])
            ),
            Some(4)
        );
    }

    #[test]
    fn test_controlled_shutdown_partition_leader_election_last_isr_shutting_down() {
        assert_eq!(
            controlled_shutdown_partition_leader_election(&[2, 4], &[2], &set(&[2, 4]), &set(&[2])),
            None
        );
    }

    #[test]
    fn test_controlled_shutdown_partition_leader_election_all_isr_simultaneously_shutdown() {
        assert_eq!(
            controlled_shutdown_partition_leader_election(
                &[2, 4],
                &[2, 4],
                &set(&[2, 4]),
                &set(&[2, 4])
            ),
            None
        );
    }

    // Our own cases for the leader/ISR each strategy writes.

    #[test]
    fn assignment_order_not_isr_order_decides() {
        assert_eq!(
            elect_leader(&[1, 2, 3], &[3, 2, 1], &set(&[1, 2, 3]), false),
            Some((1, false))
        );
        assert_eq!(
            elect_leader(&[1, 2, 3], &[3, 2], &set(&[1, 2, 3]), true),
            Some((2, false))
        );
    }

    #[test]
    fn new_partitions_start_with_live_replicas() {
        assert_eq!(
            initial_leader_and_isr(&[3, 1, 2], &set(&[1, 2])),
            Some(LeaderAndIsr {
                leader: 1,
                leader_epoch: 0,
                isr: vec![1, 2]
            })
        );
        assert_eq!(initial_leader_and_isr(&[3], &set(&[1, 2])), None);
    }

    #[test]
    fn offline_election_keeps_live_isr_members() {
        let cur = LeaderAndIsr {
            leader: 1,
            leader_epoch: 4,
            isr: vec![1, 2, 3],
        };
        let e = leader_for_offline(&cur, &[1, 2, 3], &set(&[2, 3]), false).unwrap();
        assert_eq!(
            e,
            Elected {
                leader_and_isr: LeaderAndIsr {
                    leader: 2,
                    leader_epoch: 5,
                    isr: vec![2, 3]
                },
                unclean: false
            }
        );
    }

    #[test]
    fn unclean_leader_becomes_the_whole_isr() {
        let cur = LeaderAndIsr {
            leader: NO_LEADER,
            leader_epoch: 7,
            isr: vec![1],
        };
        assert_eq!(
            leader_for_offline(&cur, &[1, 2, 3], &set(&[3]), false),
            None
        );
        let e = leader_for_offline(&cur, &[1, 2, 3], &set(&[3]), true).unwrap();
        assert!(e.unclean);
        assert_eq!(e.leader_and_isr.isr, vec![3]);
        assert_eq!(e.leader_and_isr.leader_epoch, 8);
    }

    #[test]
    fn controlled_shutdown_drops_shutting_down_brokers_from_isr() {
        let cur = LeaderAndIsr::initial(1, vec![1, 2, 3]);
        let next =
            leader_for_controlled_shutdown(&cur, &[1, 2, 3], &set(&[1, 2, 3]), &set(&[1])).unwrap();
        assert_eq!(
            next,
            LeaderAndIsr {
                leader: 2,
                leader_epoch: 1,
                isr: vec![2, 3]
            }
        );
    }

    #[test]
    fn preferred_election_keeps_isr() {
        let cur = LeaderAndIsr {
            leader: 2,
            leader_epoch: 3,
            isr: vec![2, 1],
        };
        let next = leader_for_preferred_replica(&cur, &[1, 2], &set(&[1, 2])).unwrap();
        assert_eq!(
            next,
            LeaderAndIsr {
                leader: 1,
                leader_epoch: 4,
                isr: vec![2, 1]
            }
        );
    }

    #[test]
    fn removing_a_dead_replica_keeps_the_last_isr_member() {
        let cur = LeaderAndIsr::initial(1, vec![1, 2]);
        let a = remove_replica_from_isr(&cur, 2);
        assert_eq!((a.leader, a.isr.clone(), a.leader_epoch), (1, vec![1], 1));
        let b = remove_replica_from_isr(&a, 1);
        assert_eq!(
            (b.leader, b.isr.clone(), b.leader_epoch),
            (NO_LEADER, vec![1], 2)
        );
        let state = b.with_controller_epoch(3);
        assert_eq!(
            state.encode(),
            br#"{"controller_epoch":3,"leader":-1,"version":1,"leader_epoch":2,"isr":[1]}"#
                .to_vec()
        );
        assert_eq!(LeaderAndIsr::from_state(&state), b);
    }
}

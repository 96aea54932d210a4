//! One partition's replica on this broker (Kafka's `Partition`): leader
//! duties (HW, ISR shrink/expand, follower progress) or follower state.

use std::collections::BTreeMap;

use crate::api::{BrokerId, TopicConfig, TopicPartition, NO_LEADER};
use crate::log_glue::PartitionLog;

/// What the leader knows of a follower (Kafka's `Replica` state).
#[derive(Clone, Debug, Default)]
pub struct RemoteReplica {
    pub leo: i64,
    /// Last time the follower had fetched up to the leader's LEO of the time
    /// (`lastCaughtUpTimeMs`): what ISR shrinking measures lag by.
    pub last_caught_up_ms: u64,
    pub last_fetch_leader_leo: i64,
    pub last_fetch_ms: u64,
}

/// Where a follower is in following its leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowerState {
    /// Waiting to learn where to truncate (OffsetsForLeaderEpoch in flight or due).
    Truncating,
    Fetching,
}

pub struct Partition {
    pub tp: TopicPartition,
    pub log: PartitionLog,
    pub topic_config: TopicConfig,
    pub replicas: Vec<BrokerId>,
    pub leader: BrokerId,
    pub leader_epoch: i32,
    pub zk_version: i32,
    pub controller_epoch: i32,
    /// The ISR as the leader maintains it (followers keep the controller's copy).
    pub isr: Vec<BrokerId>,
    /// Leader only: followers' progress.
    pub remote: BTreeMap<BrokerId, RemoteReplica>,
    /// Leader only: a conditional ISR write to ZooKeeper is in flight.
    pub isr_update_in_flight: bool,
    /// Leader only: the LEO when this leader epoch began (KIP-320 rejoin rule).
    pub leader_epoch_start_offset: i64,
    pub follower_state: FollowerState,
}

impl Partition {
    pub fn new(tp: TopicPartition, log: PartitionLog, topic_config: TopicConfig, hw: i64) -> Self {
        let mut log = log;
        log.set_hw(hw);
        Partition {
            tp,
            log,
            topic_config,
            replicas: Vec::new(),
            leader: NO_LEADER,
            leader_epoch: -1,
            zk_version: -1,
            controller_epoch: -1,
            isr: Vec::new(),
            remote: BTreeMap::new(),
            isr_update_in_flight: false,
            leader_epoch_start_offset: -1,
            follower_state: FollowerState::Truncating,
        }
    }

    pub fn is_leader(&self, me: BrokerId) -> bool {
        self.leader == me
    }

    pub fn leo(&self) -> i64 {
        self.log.leo()
    }

    /// This replica's high watermark (kept by the log, as Kafka's `UnifiedLog`).
    pub fn hw(&self) -> i64 {
        self.log.hw()
    }

    /// Makes this replica the leader for `epoch` (Kafka's `makeLeader`).
    pub fn make_leader(
        &mut self,
        me: BrokerId,
        epoch: i32,
        isr: Vec<BrokerId>,
        replicas: Vec<BrokerId>,
        now: u64,
    ) {
        let leo = self.leo();
        self.leader = me;
        self.leader_epoch = epoch;
        self.isr = isr;
        self.replicas = replicas;
        self.leader_epoch_start_offset = leo;
        self.log.assign_epoch(epoch, leo);
        self.isr_update_in_flight = false;
        // Followers start "caught up" as of now only if they are in the ISR:
        // out-of-sync replicas must fetch up to the LEO to count.
        self.remote = self
            .replicas
            .iter()
            .filter(|&&r| r != me)
            .map(|&r| {
                let in_isr = self.isr.contains(&r);
                (
                    r,
                    RemoteReplica {
                        leo: -1,
                        last_caught_up_ms: if in_isr { now } else { 0 },
                        last_fetch_leader_leo: -1,
                        last_fetch_ms: 0,
                    },
                )
            })
            .collect();
    }

    pub fn make_follower(
        &mut self,
        leader: BrokerId,
        epoch: i32,
        isr: Vec<BrokerId>,
        replicas: Vec<BrokerId>,
    ) {
        self.leader = leader;
        self.leader_epoch = epoch;
        self.isr = isr;
        self.replicas = replicas;
        self.remote.clear();
        self.isr_update_in_flight = false;
        self.follower_state = FollowerState::Truncating;
    }

    /// Records a follower's fetch (Kafka's `updateFollowerFetchState`).
    pub fn update_follower(&mut self, follower: BrokerId, fetch_offset: i64, now: u64) {
        let leader_leo = self.leo();
        let r = self.remote.entry(follower).or_default();
        if fetch_offset >= leader_leo {
            r.last_caught_up_ms = now;
        } else if fetch_offset >= r.last_fetch_leader_leo {
            r.last_caught_up_ms = r.last_caught_up_ms.max(r.last_fetch_ms);
        }
        r.leo = fetch_offset;
        r.last_fetch_leader_leo = leader_leo;
        r.last_fetch_ms = now;
    }

    /// Leader: the HW is the smallest LEO over the ISR; it never moves back.
    /// Returns true when it advanced.
    pub fn maybe_increment_hw(&mut self, me: BrokerId) -> bool {
        let mut min = self.leo();
        for r in &self.isr {
            if *r == me {
                continue;
            }
            let leo = self.remote.get(r).map_or(-1, |x| x.leo);
            min = min.min(leo);
        }
        self.log.maybe_increment_hw(min)
    }

    /// Leader: followers that should join the ISR (caught up to the HW and
    /// to the start of this leader's epoch, KIP-320).
    pub fn expand_candidates(&self, me: BrokerId) -> Vec<BrokerId> {
        self.remote
            .iter()
            .filter(|(id, r)| {
                **id != me
                    && !self.isr.contains(id)
                    && r.leo >= self.hw()
                    && r.leo >= self.leader_epoch_start_offset
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Leader: ISR members that have not caught up within `lag_ms`.
    pub fn out_of_sync(&self, me: BrokerId, now: u64, lag_ms: u64) -> Vec<BrokerId> {
        self.isr
            .iter()
            .copied()
            .filter(|r| *r != me)
            .filter(|r| {
                let caught_up = self.remote.get(r).map_or(0, |x| x.last_caught_up_ms);
                now.saturating_sub(caught_up) > lag_ms
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use log::Shared;
    use protocol::batch::{RecordBatch, SimpleRecord};
    use std::sync::Arc;

    fn batch(n: usize) -> Bytes {
        let recs: Vec<SimpleRecord> = (0..n)
            .map(|i| SimpleRecord {
                timestamp: 1,
                key: None,
                value: Some(format!("v{i}").into_bytes()),
                headers: vec![],
            })
            .collect();
        Bytes::from(RecordBatch::from_simple(0, &recs).encode())
    }

    fn leader_with(records: usize) -> Partition {
        let tp = TopicPartition::new("t", 0);
        let (log, _) = PartitionLog::open(Shared::default(), &tp, &[], 0).unwrap();
        let mut p = Partition::new(tp, log, Arc::new(vec![]), 0);
        p.make_leader(0, 1, vec![0, 1, 2], vec![0, 1, 2], 0);
        if records > 0 {
            p.log.append_as_leader(&batch(records), 1, 0).unwrap();
        }
        p
    }

    #[test]
    fn hw_is_the_smallest_isr_leo_and_never_moves_back() {
        let mut p = leader_with(5);
        assert!(
            !p.maybe_increment_hw(0),
            "followers have fetched nothing yet"
        );
        p.update_follower(1, 5, 10);
        p.update_follower(2, 3, 10);
        assert!(p.maybe_increment_hw(0));
        assert_eq!(p.hw(), 3);
        // A follower that truncated and fetches from below does not pull the HW back.
        p.update_follower(2, 1, 20);
        assert!(!p.maybe_increment_hw(0));
        assert_eq!(p.hw(), 3);
        // Leaving the ISR lets the HW move past a lagging follower.
        p.isr = vec![0, 1];
        assert!(p.maybe_increment_hw(0));
        assert_eq!(p.hw(), 5);
    }

    #[test]
    fn caught_up_time_follows_kafkas_rule() {
        let mut p = leader_with(5);
        // Fetching at the leader's LEO: caught up now.
        p.update_follower(1, 5, 100);
        assert_eq!(p.remote[&1].last_caught_up_ms, 100);
        p.log.append_as_leader(&batch(2), 1, 0).unwrap();
        // Behind the current LEO but at the LEO of its previous fetch: caught
        // up as of that previous fetch.
        p.update_follower(1, 5, 200);
        assert_eq!(p.remote[&1].last_caught_up_ms, 100);
        p.update_follower(1, 7, 300);
        assert_eq!(p.remote[&1].last_caught_up_ms, 300);
    }

    #[test]
    fn out_of_sync_after_replica_lag_time_max() {
        let mut p = leader_with(3);
        p.update_follower(1, 3, 1_000);
        p.update_follower(2, 3, 1_000);
        assert!(p.out_of_sync(0, 31_000, 30_000).is_empty());
        p.update_follower(1, 3, 20_000);
        assert_eq!(p.out_of_sync(0, 31_001, 30_000), vec![2]);
    }

    #[test]
    fn rejoining_needs_the_hw_and_the_epoch_start_offset() {
        let mut p = leader_with(4);
        // Leader epoch 2 begins at offset 4 (the LEO when it became leader).
        p.make_leader(0, 2, vec![0], vec![0, 1, 2], 0);
        assert_eq!(p.leader_epoch_start_offset, 4);
        p.log.append_as_leader(&batch(2), 2, 0).unwrap();
        p.maybe_increment_hw(0);
        assert_eq!(p.hw(), 6);
        p.update_follower(1, 3, 10);
        assert!(p.expand_candidates(0).is_empty(), "below the HW");
        p.update_follower(1, 6, 20);
        assert_eq!(p.expand_candidates(0), vec![1]);
        // KIP-320: at the HW but before this epoch's start offset is not enough.
        let mut q = leader_with(0);
        q.make_leader(0, 3, vec![0], vec![0, 1], 0);
        q.leader_epoch_start_offset = 5;
        q.update_follower(1, 0, 10);
        assert!(q.expand_candidates(0).is_empty());
    }
}

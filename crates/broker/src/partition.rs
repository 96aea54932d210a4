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

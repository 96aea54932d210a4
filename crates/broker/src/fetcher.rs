//! Followers pulling from leaders (Kafka's `ReplicaFetcherThread`): one
//! fetch session per leader; truncation first (OffsetsForLeaderEpoch,
//! KIP-101/279, or the historic truncate-to-HW), then fetch in a loop.

use std::collections::{BTreeMap, BTreeSet};

use protocol::ErrorCode;
use serde_json::json;

use crate::api::*;
use crate::config::Truncation;
use crate::partition::FollowerState;
use crate::{timers, Broker, Pending};

#[derive(Debug, Default)]
pub struct Fetcher {
    pub partitions: BTreeSet<TopicPartition>,
    pub in_flight: bool,
    /// The correlation id of the request in flight (to forget it on timeout).
    pub in_flight_id: Option<i32>,
    pub backing_off: bool,
}

#[derive(Debug, Default)]
pub struct Fetchers {
    pub by_leader: BTreeMap<BrokerId, Fetcher>,
}

impl Fetchers {
    pub fn remove_partition(&mut self, tp: &TopicPartition) {
        for f in self.by_leader.values_mut() {
            f.partitions.remove(tp);
        }
    }
}

/// Kafka's replica.fetch.response.max.bytes default.
const FETCH_RESPONSE_MAX_BYTES: usize = 10 * 1024 * 1024;

impl Broker {
    pub(crate) fn start_following(&mut self, tp: &TopicPartition) {
        let Some(p) = self.partitions.get_mut(tp) else {
            return;
        };
        let leader = p.leader;
        if self.config.truncation == Truncation::HighWatermark {
            // Before KIP-101 a new follower cut its log at its own HW.
            let (from, to) = (p.leo(), p.hw());
            if to < from {
                let _ = p.log.truncate_to(to, self.now);
                self.event("truncate", || json!({"partition": tp.to_string(), "from": from, "to": to, "rule": "high-watermark"}));
            }
            let p = self.partitions.get_mut(tp).expect("present");
            p.follower_state = FollowerState::Fetching;
        }
        self.fetchers.remove_partition(tp);
        if leader < 0 {
            return;
        }
        self.fetchers
            .by_leader
            .entry(leader)
            .or_default()
            .partitions
            .insert(tp.clone());
        self.pump_fetcher(leader);
    }

    pub(crate) fn fetch_backoff_over(&mut self, leader: BrokerId) {
        if let Some(f) = self.fetchers.by_leader.get_mut(&leader) {
            f.backing_off = false;
        }
        self.pump_fetcher(leader);
    }

    fn back_off(&mut self, leader: BrokerId) {
        if let Some(f) = self.fetchers.by_leader.get_mut(&leader) {
            f.backing_off = true;
        }
        let at = self.now + self.config.replica_fetch_backoff_ms;
        self.set_timer(timers::FETCH_BACKOFF + leader as u64, at);
    }

    /// Sends the next request to `leader` if none is in flight: epochs for
    /// partitions still truncating, else one fetch for all the rest.
    pub(crate) fn pump_fetcher(&mut self, leader: BrokerId) {
        let me = self.id();
        let Some(f) = self.fetchers.by_leader.get(&leader) else {
            return;
        };
        if f.in_flight || f.backing_off || self.shutting_down {
            return;
        }
        let mut truncating = Vec::new();
        let mut fetching = Vec::new();
        for tp in &f.partitions {
            let Some(p) = self.partitions.get(tp) else {
                continue;
            };
            if p.leader != leader {
                continue;
            }
            match p.follower_state {
                FollowerState::Truncating => match p.log.latest_epoch() {
                    Some(epoch) => truncating.push(EpochRequest {
                        tp: tp.clone(),
                        current_leader_epoch: p.leader_epoch,
                        leader_epoch: epoch,
                    }),
                    // No epochs recorded (an empty log): nothing to truncate.
                    None => fetching.push(tp.clone()),
                },
                FollowerState::Fetching => fetching.push(tp.clone()),
            }
        }
        if !truncating.is_empty() {
            let id = self.request(
                Addr::Broker(leader),
                Request::OffsetsForLeaderEpoch {
                    replica_id: me,
                    partitions: truncating,
                },
                Pending::Epochs { leader },
            );
            self.in_flight_to(leader, id);
            return;
        }
        if fetching.is_empty() {
            return;
        }
        let max_bytes = self.config.replica_fetch_max_bytes;
        let partitions = fetching
            .iter()
            .map(|tp| {
                let p = self.partitions.get_mut(tp).expect("listed");
                p.follower_state = FollowerState::Fetching;
                FetchPartition {
                    tp: tp.clone(),
                    fetch_offset: p.leo(),
                    current_leader_epoch: p.leader_epoch,
                    log_start_offset: p.log.log_start(),
                    max_bytes,
                }
            })
            .collect();
        let request = FetchRequest {
            replica_id: me,
            max_wait_ms: self.config.replica_fetch_wait_max_ms,
            min_bytes: 1,
            max_bytes: FETCH_RESPONSE_MAX_BYTES,
            isolation_level: IsolationLevel::ReadUncommitted,
            partitions,
        };
        let id = self.request(
            Addr::Broker(leader),
            Request::Fetch(request),
            Pending::Fetch { leader },
        );
        self.in_flight_to(leader, id);
    }

    /// Marks a request to `leader` in flight, with Kafka's request timeout
    /// (`replica.socket.timeout.ms`): a lost request or a dead leader must
    /// not stall the follower forever.
    fn in_flight_to(&mut self, leader: BrokerId, id: i32) {
        let f = self.fetchers.by_leader.get_mut(&leader).expect("present");
        f.in_flight = true;
        f.in_flight_id = Some(id);
        let at = self.now + self.config.replica_socket_timeout_ms;
        self.set_timer(timers::FETCH_TIMEOUT + leader as u64, at);
    }

    fn answered(&mut self, leader: BrokerId) {
        if let Some(f) = self.fetchers.by_leader.get_mut(&leader) {
            f.in_flight = false;
            f.in_flight_id = None;
        }
        self.cancel_timer(timers::FETCH_TIMEOUT + leader as u64);
    }

    pub(crate) fn fetch_timed_out(&mut self, leader: BrokerId) {
        let Some(f) = self.fetchers.by_leader.get_mut(&leader) else {
            return;
        };
        let Some(id) = f.in_flight_id.take() else {
            return;
        };
        f.in_flight = false;
        self.pending.remove(&id);
        self.event("fetch-timeout", || json!({"leader": leader}));
        self.back_off(leader);
    }

    /// Kafka's `getOffsetTruncationState`.
    pub(crate) fn on_epochs_response(&mut self, leader: BrokerId, parts: Vec<EpochEndOffset>) {
        self.answered(leader);
        let mut backoff = false;
        for r in parts {
            let Some(p) = self.partitions.get_mut(&r.tp) else {
                continue;
            };
            if p.leader != leader || p.follower_state != FollowerState::Truncating {
                continue;
            }
            if r.error != ErrorCode::None {
                backoff = true;
                continue;
            }
            let leo = p.leo();
            let (target, done) = if r.end_offset < 0 {
                // The leader knows no epoch at all: fall back to our HW.
                (p.hw().min(leo), true)
            } else {
                let (follower_epoch, follower_end) = p.log.end_offset_for(r.leader_epoch);
                if follower_epoch != r.leader_epoch {
                    // KIP-279: we never had the leader's epoch; cut to where
                    // ours ends and ask again with our previous epoch.
                    (follower_end.min(leo), false)
                } else {
                    (r.end_offset.min(follower_end).min(leo), true)
                }
            };
            if target < leo {
                let _ = p.log.truncate_to(target, self.now);
                p.log.set_hw(p.hw().min(target));
                let epoch = r.leader_epoch;
                self.event("truncate", || {
                    json!({"partition": r.tp.to_string(), "from": leo, "to": target, "rule": "leader-epoch", "leader_epoch": epoch})
                });
            }
            let p = self.partitions.get_mut(&r.tp).expect("present");
            if done || p.log.latest_epoch().is_none() {
                p.follower_state = FollowerState::Fetching;
            }
        }
        if backoff {
            self.back_off(leader);
        } else {
            self.pump_fetcher(leader);
        }
    }

    pub(crate) fn on_fetch_response(
        &mut self,
        leader: BrokerId,
        parts: Vec<FetchPartitionResponse>,
    ) {
        self.answered(leader);
        let mut backoff = false;
        for r in parts {
            let Some(p) = self.partitions.get_mut(&r.tp) else {
                continue;
            };
            if p.leader != leader || p.follower_state != FollowerState::Fetching {
                continue;
            }
            match r.error {
                ErrorCode::None => {
                    if r.records_bytes > 0 {
                        if let Err(code) = p.log.append_as_follower(&r.records, self.now) {
                            let tp = r.tp.clone();
                            self.event(
                                "follower-append-failed",
                                || json!({"partition": tp.to_string(), "error": code.name()}),
                            );
                            backoff = true;
                            continue;
                        }
                        // Each batch's base offset and leader epoch: with
                        // the offsets they name the records copied (the
                        // record inspector follows them).
                        let tp = r.tp.clone();
                        let records = r.records.clone();
                        let leo = p.leo();
                        self.event("follower-append", || {
                            let batches: Vec<[i64; 3]> = protocol::batch::iter_batches(&records)
                                .map_while(Result::ok)
                                .map(|(_, h)| {
                                    [h.base_offset, h.last_offset(), h.partition_leader_epoch as i64]
                                })
                                .collect();
                            json!({"partition": tp.to_string(), "leader": leader, "leo": leo, "batches": batches})
                        });
                    }
                    let Some(p) = self.partitions.get_mut(&r.tp) else {
                        continue;
                    };
                    if r.log_start_offset > p.log.log_start() {
                        p.log.advance_log_start(r.log_start_offset);
                    }
                    let new_hw = r.high_watermark.min(p.leo());
                    let moved = new_hw != p.hw();
                    p.log.set_hw(new_hw);
                    if moved {
                        let tp = r.tp.clone();
                        self.event(
                            "hw",
                            || json!({"partition": tp.to_string(), "hw": new_hw, "leader": false}),
                        );
                    }
                }
                ErrorCode::OffsetOutOfRange => {
                    let leo = p.leo();
                    if leo < r.log_start_offset {
                        let _ = p
                            .log
                            .truncate_fully_and_start_at(r.log_start_offset, self.now);
                        p.log.set_hw(r.log_start_offset);
                    } else {
                        // Our log runs past the leader's (an unclean election):
                        // find where we diverge again.
                        p.follower_state = FollowerState::Truncating;
                        if self.config.truncation == Truncation::HighWatermark
                            && r.high_watermark < leo
                        {
                            let to = r.high_watermark;
                            let _ = p.log.truncate_to(to, self.now);
                            p.log.set_hw(p.hw().min(to));
                            p.follower_state = FollowerState::Fetching;
                            let tp = r.tp.clone();
                            self.event("truncate", || json!({"partition": tp.to_string(), "from": leo, "to": to, "rule": "high-watermark"}));
                        }
                    }
                    let tp = r.tp.clone();
                    self.event(
                        "offset-out-of-range",
                        || json!({"partition": tp.to_string(), "leo": leo}),
                    );
                }
                _ => backoff = true,
            }
        }
        if backoff {
            self.back_off(leader);
        } else {
            self.pump_fetcher(leader);
        }
    }
}

//! Offset expiration and the removal of Empty groups (Kafka's periodic
//! `cleanupGroupMetadata`, every `offsets.retention.check.interval.ms`).

use crate::coordinator::{Coordinator, Ctx};
use crate::state::GroupState::*;
use crate::timers::{TimerKind, TimerToken};

impl Ctx {
    /// Start the periodic check (once the coordinator serves a partition).
    pub(crate) fn ensure_retention_timer(&mut self) {
        if self.retention_timer.is_none() {
            let token = self.timers.schedule(
                self.now + self.config.offsets_retention_check_interval_ms,
                TimerKind::OffsetsRetentionCheck,
                &mut self.out,
            );
            self.retention_timer = Some(token);
        }
    }
}

impl Coordinator {
    pub(crate) fn on_offsets_retention_check(&mut self, token: TimerToken) {
        if self.cx.retention_timer != Some(token) {
            return;
        }
        self.cx.retention_timer = None;
        self.cleanup_group_metadata();
        self.cx.ensure_retention_timer();
    }

    /// Expire offsets past `offsets.retention.ms`; an Empty group left with
    /// no offsets becomes Dead and is removed. Tombstones are written for
    /// both (acks=0, as Kafka).
    pub(crate) fn cleanup_group_metadata(&mut self) {
        let now = self.cx.now;
        let retention = self.cx.config.offsets_retention_ms;
        let ids: Vec<String> = self.groups.keys().cloned().collect();
        for id in ids {
            let g = self.groups.get_mut(&id).expect("listed");
            let expired = g.expired_offsets(now, retention);
            let removed = g.remove_offsets(&expired);
            if g.state == Empty && !g.has_offsets() {
                let mut g = self.groups.remove(&id).expect("listed");
                self.cx.transition(&mut g, Dead);
                self.cx.write_tombstones(&g, &removed);
            } else if !removed.is_empty() {
                let g = &self.groups[&id];
                let cx = &mut self.cx;
                cx.write_tombstones(g, &removed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::*;
    use crate::coordinator::{Coordinator, CoordinatorConfig, Output};
    use crate::records::{partition_for, RecordKey};
    use crate::state::GroupState;
    use protocol::ErrorCode;

    const DAY: i64 = 24 * 60 * 60 * 1000;

    fn coordinator() -> Coordinator {
        let mut c = Coordinator::new(CoordinatorConfig::default(), 1);
        let out = c.load(0, partition_for("g", 50), []).unwrap();
        assert!(out.iter().any(|o| matches!(
            o,
            Output::SetTimer {
                deadline: 600_000,
                ..
            }
        )));
        c
    }

    fn commit(c: &mut Coordinator, now: i64, topic: &str) {
        let out = c.handle(
            now,
            1,
            Request::OffsetCommit(OffsetCommitRequest {
                group_id: "g".into(),
                generation_id: -1,
                member_id: "".into(),
                group_instance_id: None,
                partitions: vec![OffsetCommitRequestPartition {
                    topic: topic.into(),
                    partition_index: 0,
                    committed_offset: 1,
                    committed_leader_epoch: -1,
                    committed_metadata: None,
                }],
            }),
        );
        let Some(Output::Append(a)) = out.into_iter().next() else {
            panic!("expected an append")
        };
        let _ = c.on_append_completed(now, a.append_id, Ok(0));
    }

    // GroupMetadataManagerTest.testExpireOffset: a simple consumer's offsets
    // expire retention after their commit, then the group goes.
    #[test]
    fn offsets_of_simple_consumers_expire_after_retention() {
        let mut c = coordinator();
        commit(&mut c, 0, "a");
        commit(&mut c, 3 * DAY, "b");
        let _ = c.advance_to(7 * DAY + 600_000);
        assert_eq!(c.committed("g", "a", 0), None);
        assert_eq!(c.committed("g", "b", 0), Some(1));
        let out = c.advance_to(10 * DAY + 600_000);
        assert_eq!(
            c.state("g"),
            None,
            "an Empty group without offsets is removed"
        );
        let tombstones: Vec<RecordKey> = out
            .iter()
            .filter_map(|o| match o {
                Output::Append(a) if a.required_acks == 0 => Some(a),
                _ => None,
            })
            .flat_map(|a| a.records.iter().map(|r| RecordKey::decode(&r.key).unwrap()))
            .collect();
        // the offset, and no group tombstone: generation 0 never wrote one
        assert_eq!(tombstones.len(), 1);
        assert!(out.iter().any(|o| matches!(
            o,
            Output::GroupStateChanged {
                to: GroupState::Dead,
                ..
            }
        )));
        // the check keeps running
        assert!(c.next_deadline().is_some());
    }

    // testOffsetExpirationOfActiveGroupSemantics... (KIP-211): a consumer
    // group's offsets count from when it became Empty; while Stable, the
    // offsets of subscribed topics never expire.
    #[test]
    fn consumer_group_offsets_expire_from_empty() {
        let mut c = coordinator();
        // subscription v0: version 0, topics ["a"], user data null
        let subscription = vec![0, 0, 0, 0, 0, 1, 0, 1, b'a', 0xff, 0xff, 0xff, 0xff];
        let mut join = JoinGroupRequest::new("g", "c", vec![("range".into(), subscription)]);
        join.require_known_member_id = false;
        let out = c.handle(0, 1, Request::JoinGroup(join));
        assert!(!out.is_empty());
        let out = c.advance_to(3000);
        let member = out
            .iter()
            .find_map(|o| match o {
                Output::Response {
                    response: Response::JoinGroup(r),
                    ..
                } => Some(r.member_id.clone()),
                _ => None,
            })
            .unwrap();
        let out = c.handle(
            3000,
            2,
            Request::SyncGroup(SyncGroupRequest {
                group_id: "g".into(),
                generation_id: 1,
                member_id: member.clone(),
                group_instance_id: None,
                protocol_type: None,
                protocol_name: None,
                assignments: vec![(member.clone(), vec![1])],
            }),
        );
        let Some(Output::Append(a)) = out.into_iter().find(|o| matches!(o, Output::Append(_)))
        else {
            panic!()
        };
        let _ = c.on_append_completed(3000, a.append_id, Ok(0));
        assert_eq!(c.state("g"), Some(GroupState::Stable));
        // commits for a subscribed and an unsubscribed topic
        for topic in ["a", "z"] {
            let out = c.handle(
                3000,
                3,
                Request::OffsetCommit(OffsetCommitRequest {
                    group_id: "g".into(),
                    generation_id: 1,
                    member_id: member.clone(),
                    group_instance_id: None,
                    partitions: vec![OffsetCommitRequestPartition {
                        topic: topic.into(),
                        partition_index: 0,
                        committed_offset: 5,
                        committed_leader_epoch: -1,
                        committed_metadata: None,
                    }],
                }),
            );
            let a = out
                .into_iter()
                .find_map(|o| match o {
                    Output::Append(a) => Some(a),
                    _ => None,
                })
                .unwrap();
            let _ = c.on_append_completed(3000, a.append_id, Ok(1));
        }
        // keep the member alive for 8 days
        let mut now = 3000;
        while now < 8 * DAY {
            now += 40_000;
            let _ = c.advance_to(now);
            let out = c.handle(
                now,
                4,
                Request::Heartbeat(HeartbeatRequest {
                    group_id: "g".into(),
                    generation_id: 1,
                    member_id: member.clone(),
                    group_instance_id: None,
                }),
            );
            assert!(out.iter().any(|o| matches!(
                o,
                Output::Response {
                    response: Response::Heartbeat(HeartbeatResponse {
                        error_code: ErrorCode::None
                    }),
                    ..
                }
            )));
        }
        assert_eq!(
            c.committed("g", "a", 0),
            Some(5),
            "subscribed: kept while Stable"
        );
        assert_eq!(c.committed("g", "z", 0), None, "not subscribed: expired");
        // the member leaves; the rest expires retention after that
        let _ = c.handle(
            now,
            5,
            Request::LeaveGroup(LeaveGroupRequest {
                group_id: "g".into(),
                members: vec![MemberIdentity {
                    member_id: member,
                    group_instance_id: None,
                    reason: None,
                }],
            }),
        );
        let left = now;
        let _ = c.advance_to(left + 7 * DAY - 600_000);
        assert_eq!(c.committed("g", "a", 0), Some(5));
        let _ = c.advance_to(left + 7 * DAY + 600_000);
        assert_eq!(c.committed("g", "a", 0), None);
        assert_eq!(c.state("g"), None);
    }
}

//! The rebalance: preparing it, the join phase (DelayedJoin,
//! InitialDelayedJoin) and its completion into a new generation; member
//! removal and session deadlines.

use std::collections::BTreeMap;

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{Ctx, PendingAppend};
use crate::group::{Group, JoinOp};
use crate::member::Member;
use crate::state::GroupState::*;
use crate::timers::TimerKind;

/// Kafka's `validateCurrentMember`: a static member's instance id must map
/// to this member id (else it was replaced: FENCED_INSTANCE_ID), and the
/// member must exist.
pub(crate) fn validate_current_member(
    g: &Group,
    member_id: &str,
    group_instance_id: Option<&str>,
) -> Option<ErrorCode> {
    if let Some(instance_id) = group_instance_id {
        match g.static_member_id(instance_id) {
            Some(current) if current != member_id => return Some(ErrorCode::FencedInstanceId),
            Some(_) => {}
            None => return Some(ErrorCode::UnknownMemberId),
        }
    }
    if !g.has(member_id) {
        return Some(ErrorCode::UnknownMemberId);
    }
    None
}

impl Ctx {
    pub(crate) fn maybe_prepare_rebalance(&mut self, g: &mut Group) {
        if g.state.can_transition_to(PreparingRebalance) {
            self.prepare_rebalance(g);
        }
    }

    /// Kafka's `prepareRebalance`.
    pub(crate) fn prepare_rebalance(&mut self, g: &mut Group) {
        // Members waiting for an assignment must rejoin instead.
        if g.state == CompletingRebalance {
            self.reset_and_propagate_assignment_error(g, ErrorCode::RebalanceInProgress);
        }
        self.remove_sync_expiration(g);
        let was_empty = g.state == Empty;
        let rebalance_timeout = g.rebalance_timeout_ms();
        self.transition(g, PreparingRebalance);
        if was_empty {
            // The first rebalance waits group.initial.rebalance.delay.ms so
            // that consumers started together join one generation.
            let delay = self.config.group_initial_rebalance_delay_ms;
            let remaining = (rebalance_timeout - delay).max(0);
            self.schedule_initial_join(g, delay, delay, remaining);
        } else {
            let token = self.timers.schedule(
                self.now + i64::from(rebalance_timeout),
                TimerKind::Join {
                    group_id: g.group_id.clone(),
                },
                &mut self.out,
            );
            g.join_op = Some(JoinOp {
                token,
                initial: false,
            });
            self.try_complete_join(g);
        }
    }

    pub(crate) fn schedule_initial_join(
        &mut self,
        g: &mut Group,
        configured: i32,
        delay: i32,
        remaining: i32,
    ) {
        let token = self.timers.schedule(
            self.now + i64::from(delay),
            TimerKind::InitialJoin {
                group_id: g.group_id.clone(),
                configured_delay_ms: configured,
                delay_ms: delay,
                remaining_ms: remaining,
            },
            &mut self.out,
        );
        g.join_op = Some(JoinOp {
            token,
            initial: true,
        });
    }

    /// DelayedJoin's `tryComplete`: the join phase ends as soon as every
    /// known member has rejoined (the initial delay never ends early).
    pub(crate) fn try_complete_join(&mut self, g: &mut Group) {
        if let Some(op) = g.join_op {
            if !op.initial && g.state == PreparingRebalance && g.has_all_members_joined() {
                self.timers.cancel(Some(op.token), &mut self.out);
                g.join_op = None;
                self.on_complete_join(g);
            }
        }
    }

    /// Kafka's `onCompleteJoin`: drop dynamic members that did not rejoin,
    /// then start the next generation and answer every parked JoinGroup.
    pub(crate) fn on_complete_join(&mut self, g: &mut Group) {
        g.join_op = None;
        let not_rejoined: Vec<String> = g
            .members
            .values()
            .filter(|m| !m.is_awaiting_join() && !m.is_static())
            .map(|m| m.member_id.clone())
            .collect();
        for id in not_rejoined {
            self.remove_member(g, &id);
        }
        if g.state == Dead {
            return;
        }
        if !g.maybe_elect_new_joined_leader() && !g.members.is_empty() {
            // Only static members that did not rejoin are left: wait another
            // rebalance timeout (their sessions will expire meanwhile).
            let token = self.timers.schedule(
                self.now + i64::from(g.rebalance_timeout_ms()),
                TimerKind::Join {
                    group_id: g.group_id.clone(),
                },
                &mut self.out,
            );
            g.join_op = Some(JoinOp {
                token,
                initial: false,
            });
            return;
        }
        self.init_next_generation(g);
        if g.state == Empty {
            // Nothing waits on this write: if it is lost, the previous
            // generation comes back after a failover and simply expires.
            self.store_group(g, &BTreeMap::new(), PendingAppend::EmptyGroup);
            return;
        }
        let ids: Vec<String> = g.members.keys().cloned().collect();
        for id in ids {
            let is_leader = g.is_leader(&id);
            let resp = JoinGroupResponse {
                error_code: ErrorCode::None,
                generation_id: g.generation_id,
                protocol_type: g.protocol_type.clone(),
                protocol_name: g.protocol_name.clone(),
                leader: g.leader_id.clone().unwrap_or_default(),
                skip_assignment: false,
                member_id: id.clone(),
                members: if is_leader {
                    g.current_member_metadata()
                } else {
                    Vec::new()
                },
            };
            self.invoke_join(g, &id, resp);
            self.complete_and_schedule_next_heartbeat(g, &id);
            if let Some(m) = g.members.get_mut(&id) {
                m.is_new = false;
            }
            g.pending_sync_members.insert(id);
        }
        self.schedule_pending_sync(g);
    }

    /// Kafka's `initNextGeneration`.
    fn init_next_generation(&mut self, g: &mut Group) {
        g.generation_id += 1;
        if g.members.is_empty() {
            g.protocol_name = None;
            self.transition(g, Empty);
        } else {
            g.protocol_name = g.select_protocol();
            self.transition(g, CompletingRebalance);
        }
        g.subscribed_topics = g.compute_subscribed_topics();
        g.pending_sync_members.clear();
    }

    /// Kafka's `maybeInvokeJoinCallback`.
    pub(crate) fn invoke_join(&mut self, g: &mut Group, member_id: &str, resp: JoinGroupResponse) {
        if let Some(rid) = g
            .members
            .get_mut(member_id)
            .and_then(|m| m.awaiting_join.take())
        {
            self.respond(rid, Response::JoinGroup(resp));
        }
    }

    pub(crate) fn complete_and_schedule_next_heartbeat(&mut self, g: &mut Group, member_id: &str) {
        if let Some(timeout) = g.members.get(member_id).map(|m| m.session_timeout_ms) {
            self.complete_and_schedule_next_expiration(g, member_id, timeout);
        }
    }

    /// Kafka's `completeAndScheduleNextExpiration`: the current deadline is
    /// met; the next one is `timeout_ms` away, unless the member is parked
    /// in a rebalance (then the rebalance itself bounds it).
    pub(crate) fn complete_and_schedule_next_expiration(
        &mut self,
        g: &mut Group,
        member_id: &str,
        timeout_ms: i32,
    ) {
        let Some(m) = g.members.get_mut(member_id) else {
            return;
        };
        self.timers.cancel(m.heartbeat_timer.take(), &mut self.out);
        if !m.has_satisfied_heartbeat() {
            let token = self.timers.schedule(
                self.now + i64::from(timeout_ms),
                TimerKind::Heartbeat {
                    group_id: g.group_id.clone(),
                    member_id: member_id.to_string(),
                },
                &mut self.out,
            );
            m.heartbeat_timer = Some(token);
        }
    }

    /// Remove a member and its deadline; no callback, no rebalance.
    pub(crate) fn remove_member(&mut self, g: &mut Group, member_id: &str) -> Option<Member> {
        if let Some(token) = g.pending_members.remove(member_id) {
            self.timers.cancel(Some(token), &mut self.out);
        }
        let mut m = g.remove(member_id)?;
        self.timers.cancel(m.heartbeat_timer.take(), &mut self.out);
        Some(m)
    }

    /// Kafka's `removeMemberAndUpdateGroup`: a parked JoinGroup learns
    /// UNKNOWN_MEMBER_ID, then the group rebalances (or finishes the join
    /// phase it is in).
    pub(crate) fn remove_member_and_update_group(&mut self, g: &mut Group, member_id: &str) {
        self.invoke_join(
            g,
            member_id,
            JoinGroupResponse::error(UNKNOWN_MEMBER_ID, ErrorCode::UnknownMemberId),
        );
        self.remove_member(g, member_id);
        match g.state {
            Dead | Empty => {}
            Stable | CompletingRebalance => self.maybe_prepare_rebalance(g),
            PreparingRebalance => self.try_complete_join(g),
        }
    }

    pub(crate) fn remove_pending_member_and_update_group(
        &mut self,
        g: &mut Group,
        member_id: &str,
    ) {
        if let Some(token) = g.pending_members.remove(member_id) {
            self.timers.cancel(Some(token), &mut self.out);
        }
        if g.state == PreparingRebalance {
            self.try_complete_join(g);
        }
    }
}

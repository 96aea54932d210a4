//! Heartbeat, LeaveGroup, and what happens when the coordinator's timers
//! fire (session expiry, pending member expiry, the join and sync phase
//! deadlines).

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{Api, Coordinator};
use crate::rebalance::validate_current_member;
use crate::state::GroupState::*;
use crate::timers::TimerToken;

impl Coordinator {
    pub(crate) fn handle_heartbeat(&mut self, rid: RequestId, req: HeartbeatRequest) {
        let cx = &mut self.cx;
        let reply = |cx: &mut crate::coordinator::Ctx, e| {
            cx.respond(
                rid,
                Response::Heartbeat(HeartbeatResponse { error_code: e }),
            )
        };
        match cx.validate_group_status(&req.group_id, Api::Heartbeat) {
            // While loading, answer blindly: the member keeps its session
            // and learns of any rebalance once the group is loaded.
            Some(ErrorCode::CoordinatorLoadInProgress) => return reply(cx, ErrorCode::None),
            Some(err) => return reply(cx, err),
            None => {}
        }
        let Some(g) = self.groups.get_mut(&req.group_id) else {
            return reply(cx, ErrorCode::UnknownMemberId);
        };
        let err = if g.state == Dead {
            ErrorCode::CoordinatorNotAvailable
        } else if let Some(err) =
            validate_current_member(g, &req.member_id, req.group_instance_id.as_deref())
        {
            err
        } else if req.generation_id != g.generation_id {
            ErrorCode::IllegalGeneration
        } else {
            match g.state {
                Empty => ErrorCode::UnknownMemberId,
                // Consumers may heartbeat between the JoinGroup response and
                // their SyncGroup: a normal heartbeat.
                CompletingRebalance | Stable => {
                    cx.complete_and_schedule_next_heartbeat(g, &req.member_id);
                    ErrorCode::None
                }
                // The heartbeat is how a member learns it must rejoin.
                PreparingRebalance => {
                    cx.complete_and_schedule_next_heartbeat(g, &req.member_id);
                    ErrorCode::RebalanceInProgress
                }
                Dead => unreachable!("checked above"),
            }
        };
        reply(cx, err);
    }

    pub(crate) fn handle_leave_group(&mut self, rid: RequestId, req: LeaveGroupRequest) {
        let cx = &mut self.cx;
        let respond = |cx: &mut crate::coordinator::Ctx, error_code, members| {
            cx.respond(
                rid,
                Response::LeaveGroup(LeaveGroupResponse {
                    error_code,
                    members,
                }),
            )
        };
        let member_error = |m: &MemberIdentity, error_code| LeaveMemberResponse {
            member_id: m.member_id.clone(),
            group_instance_id: m.group_instance_id.clone(),
            error_code,
        };
        if let Some(err) = cx.validate_group_status(&req.group_id, Api::LeaveGroup) {
            return respond(cx, err, Vec::new());
        }
        let Some(g) = self.groups.get_mut(&req.group_id) else {
            let members = req
                .members
                .iter()
                .map(|m| member_error(m, ErrorCode::UnknownMemberId))
                .collect();
            return respond(cx, ErrorCode::None, members);
        };
        if g.state == Dead {
            return respond(cx, ErrorCode::CoordinatorNotAvailable, Vec::new());
        }
        let mut results = Vec::new();
        for leaving in &req.members {
            let err = if leaving.member_id == UNKNOWN_MEMBER_ID {
                // Admin removal of a static member by its instance id.
                match leaving
                    .group_instance_id
                    .as_deref()
                    .and_then(|i| g.static_member_id(i))
                    .map(str::to_string)
                {
                    Some(current) => {
                        cx.remove_member_and_update_group(g, &current);
                        ErrorCode::None
                    }
                    None => ErrorCode::UnknownMemberId,
                }
            } else if g.is_pending_member(&leaving.member_id) {
                cx.remove_pending_member_and_update_group(g, &leaving.member_id);
                ErrorCode::None
            } else if let Some(err) =
                validate_current_member(g, &leaving.member_id, leaving.group_instance_id.as_deref())
            {
                err
            } else {
                cx.remove_member_and_update_group(g, &leaving.member_id);
                ErrorCode::None
            };
            results.push(member_error(leaving, err));
        }
        respond(cx, ErrorCode::None, results);
    }

    /// DelayedHeartbeat expired: the member is gone unless a rebalance it is
    /// parked in vouches for it.
    pub(crate) fn on_expire_heartbeat(
        &mut self,
        token: TimerToken,
        group_id: &str,
        member_id: &str,
    ) {
        let cx = &mut self.cx;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        if g.state == Dead {
            return;
        }
        let Some(m) = g.members.get_mut(member_id) else {
            return;
        };
        if m.heartbeat_timer != Some(token) {
            return;
        }
        m.heartbeat_timer = None;
        if !m.has_satisfied_heartbeat() {
            cx.remove_member_and_update_group(g, member_id);
        }
    }

    /// A member id handed out with MEMBER_ID_REQUIRED was not used in time.
    pub(crate) fn on_expire_pending_member(&mut self, group_id: &str, member_id: &str) {
        let cx = &mut self.cx;
        if let Some(g) = self.groups.get_mut(group_id) {
            if g.state != Dead && g.is_pending_member(member_id) {
                // The timer already fired: forget its token, then drop the id.
                g.pending_members.remove(member_id);
                if g.state == PreparingRebalance {
                    cx.try_complete_join(g);
                }
            }
        }
    }

    /// InitialDelayedJoin expired: wait again if members keep arriving and
    /// the rebalance timeout allows, else complete the join phase.
    pub(crate) fn on_initial_join_delay(
        &mut self,
        token: TimerToken,
        group_id: &str,
        configured_delay_ms: i32,
        delay_ms: i32,
        remaining_ms: i32,
    ) {
        let cx = &mut self.cx;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        if g.join_op.map(|op| op.token) != Some(token) {
            return;
        }
        g.join_op = None;
        if g.new_member_added && remaining_ms != 0 {
            g.new_member_added = false;
            let delay = configured_delay_ms.min(remaining_ms);
            // Kafka subtracts the delay that just ran, not the next one.
            let remaining = (remaining_ms - delay_ms).max(0);
            cx.schedule_initial_join(g, configured_delay_ms, delay, remaining);
        } else {
            cx.on_complete_join(g);
        }
    }

    /// DelayedJoin expired: finish the join phase with whoever rejoined.
    pub(crate) fn on_join_timeout(&mut self, token: TimerToken, group_id: &str) {
        let cx = &mut self.cx;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        if g.join_op.map(|op| op.token) != Some(token) {
            return;
        }
        g.join_op = None;
        cx.on_complete_join(g);
    }

    /// DelayedSync expired: members that never sent SyncGroup are removed
    /// and the group rebalances.
    pub(crate) fn on_expire_pending_sync(
        &mut self,
        token: TimerToken,
        group_id: &str,
        generation_id: i32,
    ) {
        let cx = &mut self.cx;
        let Some(g) = self.groups.get_mut(group_id) else {
            return;
        };
        if g.sync_timer != Some(token) {
            return;
        }
        g.sync_timer = None;
        if g.generation_id != generation_id || !matches!(g.state, CompletingRebalance | Stable) {
            return;
        }
        if !g.pending_sync_members.is_empty() {
            let pending: Vec<String> = g.pending_sync_members.iter().cloned().collect();
            for id in pending {
                cx.remove_member(g, &id);
            }
            cx.prepare_rebalance(g);
        }
    }
}

//! SyncGroup: the leader's assignment, stored, then handed to every member;
//! and the sync phase's deadline (DelayedSync).

use std::collections::BTreeMap;

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{store_group_error, Api, Coordinator, Ctx, PendingAppend};
use crate::group::Group;
use crate::rebalance::validate_current_member;
use crate::state::GroupState::*;
use crate::timers::TimerKind;

impl Coordinator {
    pub(crate) fn handle_sync_group(&mut self, rid: RequestId, req: SyncGroupRequest) {
        let cx = &mut self.cx;
        match cx.validate_group_status(&req.group_id, Api::SyncGroup) {
            // The coordinator lost the rebalance's state while loading:
            // REBALANCE_IN_PROGRESS makes the member rejoin without
            // rediscovering the coordinator (old clients do not know
            // COORDINATOR_LOAD_IN_PROGRESS here).
            Some(ErrorCode::CoordinatorLoadInProgress) => {
                return cx.respond(rid, sync_error(ErrorCode::RebalanceInProgress))
            }
            Some(err) => return cx.respond(rid, sync_error(err)),
            None => {}
        }
        let Some(g) = self.groups.get_mut(&req.group_id) else {
            return cx.respond(rid, sync_error(ErrorCode::UnknownMemberId));
        };
        if let Some(err) = validate_sync_group(g, &req) {
            return cx.respond(rid, sync_error(err));
        }
        match g.state {
            Empty => cx.respond(rid, sync_error(ErrorCode::UnknownMemberId)),
            PreparingRebalance => cx.respond(rid, sync_error(ErrorCode::RebalanceInProgress)),
            CompletingRebalance => {
                if let Some(m) = g.members.get_mut(&req.member_id) {
                    m.awaiting_sync = Some(rid);
                }
                cx.remove_pending_sync_member(g, &req.member_id);
                if g.is_leader(&req.member_id) {
                    // Members the leader left out get an empty assignment.
                    let mut assignment: BTreeMap<String, Vec<u8>> =
                        req.assignments.into_iter().collect();
                    for id in g.members.keys() {
                        assignment.entry(id.clone()).or_default();
                    }
                    let then = PendingAppend::SyncAssignment {
                        group_id: g.group_id.clone(),
                        incarnation: g.incarnation,
                        generation_id: g.generation_id,
                        assignment: assignment.clone(),
                    };
                    cx.store_group(g, &assignment, then);
                }
            }
            Stable => {
                cx.remove_pending_sync_member(g, &req.member_id);
                let assignment = g.members[&req.member_id].assignment.clone();
                cx.respond(
                    rid,
                    Response::SyncGroup(SyncGroupResponse {
                        error_code: ErrorCode::None,
                        protocol_type: g.protocol_type.clone(),
                        protocol_name: g.protocol_name.clone(),
                        assignment,
                    }),
                );
                cx.complete_and_schedule_next_heartbeat(g, &req.member_id);
            }
            Dead => unreachable!("validate_sync_group refuses Dead groups"),
        }
    }

    /// The leader's assignment is in the log (or failed to get there).
    pub(crate) fn on_sync_assignment_stored(
        &mut self,
        group_id: &str,
        incarnation: u64,
        generation_id: i32,
        assignment: BTreeMap<String, Vec<u8>>,
        result: Result<i64, ErrorCode>,
    ) {
        let Some(g) = self
            .groups
            .get_mut(group_id)
            .filter(|g| g.incarnation == incarnation)
        else {
            return;
        };
        let cx = &mut self.cx;
        // Another member may have joined meanwhile: only the generation that
        // asked for the write moves on.
        if g.state != CompletingRebalance || g.generation_id != generation_id {
            return;
        }
        match result {
            Err(err) => {
                cx.reset_and_propagate_assignment_error(g, store_group_error(err));
                cx.maybe_prepare_rebalance(g);
            }
            Ok(_) => {
                for m in g.members.values_mut() {
                    m.assignment = assignment.get(&m.member_id).cloned().unwrap_or_default();
                }
                cx.propagate_assignment(g, ErrorCode::None);
                cx.transition(g, Stable);
            }
        }
    }
}

fn validate_sync_group(g: &Group, req: &SyncGroupRequest) -> Option<ErrorCode> {
    if g.state == Dead {
        return Some(ErrorCode::CoordinatorNotAvailable);
    }
    validate_current_member(g, &req.member_id, req.group_instance_id.as_deref()).or_else(|| {
        if req.generation_id != g.generation_id {
            Some(ErrorCode::IllegalGeneration)
        } else if req
            .protocol_type
            .as_ref()
            .is_some_and(|t| g.protocol_type.as_ref() != Some(t))
            || req
                .protocol_name
                .as_ref()
                .is_some_and(|n| g.protocol_name.as_ref() != Some(n))
        {
            Some(ErrorCode::InconsistentGroupProtocol)
        } else {
            None
        }
    })
}

pub(crate) fn sync_error(err: ErrorCode) -> Response {
    Response::SyncGroup(SyncGroupResponse::error(err))
}

impl Ctx {
    /// DelayedSync: every member must send SyncGroup within the rebalance
    /// timeout, or it is removed and the group rebalances.
    pub(crate) fn schedule_pending_sync(&mut self, g: &mut Group) {
        let token = self.timers.schedule(
            self.now + i64::from(g.rebalance_timeout_ms()),
            TimerKind::Sync {
                group_id: g.group_id.clone(),
                generation_id: g.generation_id,
            },
            &mut self.out,
        );
        g.sync_timer = Some(token);
    }

    pub(crate) fn remove_pending_sync_member(&mut self, g: &mut Group, member_id: &str) {
        g.pending_sync_members.remove(member_id);
        if g.pending_sync_members.is_empty() {
            let t = g.sync_timer.take();
            self.timers.cancel(t, &mut self.out);
        }
    }

    pub(crate) fn remove_sync_expiration(&mut self, g: &mut Group) {
        g.pending_sync_members.clear();
        let t = g.sync_timer.take();
        self.timers.cancel(t, &mut self.out);
    }

    pub(crate) fn reset_and_propagate_assignment_error(&mut self, g: &mut Group, err: ErrorCode) {
        for m in g.members.values_mut() {
            m.assignment.clear();
        }
        self.propagate_assignment(g, err);
    }

    /// Answer every parked SyncGroup with the member's assignment (or the
    /// error), and restart their sessions: a session that ran out while
    /// the member waited was ignored.
    pub(crate) fn propagate_assignment(&mut self, g: &mut Group, err: ErrorCode) {
        let ok = err == ErrorCode::None;
        let ids: Vec<String> = g.members.keys().cloned().collect();
        for id in ids {
            let m = g.members.get_mut(&id).expect("listed");
            if let Some(rid) = m.awaiting_sync.take() {
                let resp = SyncGroupResponse {
                    error_code: err,
                    protocol_type: if ok { g.protocol_type.clone() } else { None },
                    protocol_name: if ok { g.protocol_name.clone() } else { None },
                    assignment: m.assignment.clone(),
                };
                self.respond(rid, Response::SyncGroup(resp));
                self.complete_and_schedule_next_heartbeat(g, &id);
            }
        }
    }
}

//! JoinGroup: new and known members, static members (KIP-345), member ids
//! (KIP-394). The join phase itself is in `rebalance`.

use std::collections::BTreeMap;

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{
    store_group_error, Api, Coordinator, Ctx, PendingAppend, StaticRejoin,
    NEW_MEMBER_JOIN_TIMEOUT_MS,
};
use crate::group::Group;
use crate::member::Member;
use crate::rebalance::validate_current_member;
use crate::state::GroupState::*;
use crate::sync::sync_error;
use crate::timers::TimerKind;

impl Coordinator {
    pub(crate) fn handle_join_group(&mut self, rid: RequestId, req: JoinGroupRequest) {
        let cx = &mut self.cx;
        if let Some(err) = cx.validate_group_status(&req.group_id, Api::JoinGroup) {
            return cx.respond(rid, join_error(&req.member_id, err));
        }
        if req.session_timeout_ms < cx.config.group_min_session_timeout_ms
            || req.session_timeout_ms > cx.config.group_max_session_timeout_ms
        {
            return cx.respond(
                rid,
                join_error(&req.member_id, ErrorCode::InvalidSessionTimeout),
            );
        }
        let is_unknown_member = req.member_id == UNKNOWN_MEMBER_ID;
        // The group is created only by a member without an id; a member id
        // for a group we do not know is stale.
        if !self.groups.contains_key(&req.group_id) {
            if !is_unknown_member {
                return cx.respond(rid, join_error(&req.member_id, ErrorCode::UnknownMemberId));
            }
            let g = cx.new_group(&req.group_id, Empty);
            self.groups.insert(req.group_id.clone(), g);
        }
        let g = self.groups.get_mut(&req.group_id).expect("just ensured");
        if !accept_joining_member(g, &req.member_id, cx.config.group_max_size) {
            cx.remove_member(g, &req.member_id);
            cx.respond(
                rid,
                join_error(UNKNOWN_MEMBER_ID, ErrorCode::GroupMaxSizeReached),
            );
        } else if is_unknown_member {
            cx.do_new_member_join_group(g, rid, req);
        } else {
            cx.do_current_member_join_group(g, rid, req);
        }
        if g.state == PreparingRebalance {
            cx.try_complete_join(g);
        }
    }

    /// A static member's new member id is in the log (KIP-345 rejoin of a
    /// Stable group without rebalance).
    pub(crate) fn on_static_rejoin_stored(
        &mut self,
        s: StaticRejoin,
        result: Result<i64, ErrorCode>,
    ) {
        let Some(g) = self
            .groups
            .get_mut(&s.group_id)
            .filter(|g| g.incarnation == s.incarnation)
        else {
            return;
        };
        let cx = &mut self.cx;
        let still_parked = g
            .members
            .get(&s.new_member_id)
            .is_some_and(|m| m.awaiting_join == Some(s.request_id));
        match result {
            // A rebalance already answered the JoinGroup (and moved the group
            // on): the failed write changes nothing. Kafka would answer the
            // request a second time here; a request gets one answer.
            Err(_) if !still_parked => {}
            Err(err) => {
                let err = store_group_error(err);
                // Undo: the old member id (and protocols) come back, and the
                // new member is told to start over.
                if g.static_member_id(&s.group_instance_id) == Some(&s.new_member_id) {
                    g.update_member(
                        &s.new_member_id,
                        s.old_protocols,
                        s.old_rebalance_timeout_ms,
                        s.old_session_timeout_ms,
                        None,
                    );
                    cx.replace_static_member(
                        g,
                        &s.group_instance_id,
                        &s.new_member_id,
                        &s.old_member_id,
                    );
                    cx.complete_and_schedule_next_heartbeat(g, &s.old_member_id);
                }
                let mut resp = JoinGroupResponse::error(UNKNOWN_MEMBER_ID, err);
                resp.generation_id = g.generation_id;
                resp.protocol_type = g.protocol_type.clone();
                resp.protocol_name = g.protocol_name.clone();
                resp.leader = s.current_leader.unwrap_or_default();
                if let Some(m) = g.members.get_mut(&s.new_member_id) {
                    m.awaiting_join = None;
                }
                cx.respond(s.request_id, Response::JoinGroup(resp));
            }
            Ok(_) if still_parked => {
                let resp = if s.supports_skip_assignment {
                    // KIP-814: the leader learns it leads but must not run
                    // the assignor (the group stays Stable).
                    let is_leader = g.is_leader(&s.new_member_id);
                    JoinGroupResponse {
                        error_code: ErrorCode::None,
                        generation_id: g.generation_id,
                        protocol_type: g.protocol_type.clone(),
                        protocol_name: g.protocol_name.clone(),
                        leader: g.leader_id.clone().unwrap_or_default(),
                        skip_assignment: is_leader,
                        member_id: s.new_member_id.clone(),
                        members: if is_leader {
                            g.current_member_metadata()
                        } else {
                            Vec::new()
                        },
                    }
                } else {
                    // Older clients: answer with the old leader id so that a
                    // restarted leader does not think it leads and compute an
                    // assignment a Stable group would never hand out.
                    JoinGroupResponse {
                        error_code: ErrorCode::None,
                        generation_id: g.generation_id,
                        protocol_type: g.protocol_type.clone(),
                        protocol_name: g.protocol_name.clone(),
                        leader: s.current_leader.unwrap_or_default(),
                        skip_assignment: false,
                        member_id: s.new_member_id.clone(),
                        members: Vec::new(),
                    }
                };
                cx.invoke_join(g, &s.new_member_id, resp);
            }
            Ok(_) => {}
        }
    }
}

/// Kafka's `acceptJoiningMember` (group.max.size).
fn accept_joining_member(g: &Group, member_id: &str, max_size: usize) -> bool {
    match g.state {
        Empty | Dead => true,
        // Counting parked joins (not the size) lets a shrunk max size shed
        // the last members to rejoin.
        PreparingRebalance => {
            g.members
                .get(member_id)
                .is_some_and(|m| m.is_awaiting_join())
                || g.num_awaiting_join() < max_size
        }
        CompletingRebalance | Stable => g.has(member_id) || g.size() < max_size,
    }
}

pub(crate) fn join_error(member_id: &str, err: ErrorCode) -> Response {
    Response::JoinGroup(JoinGroupResponse::error(member_id, err))
}

impl Ctx {
    fn do_new_member_join_group(&mut self, g: &mut Group, rid: RequestId, req: JoinGroupRequest) {
        if g.state == Dead {
            // The group was just removed (e.g. its partition moved): let the
            // member find the coordinator again.
            return self.respond(
                rid,
                join_error(UNKNOWN_MEMBER_ID, ErrorCode::CoordinatorNotAvailable),
            );
        }
        if !g.supports_protocols(&req.protocol_type, &req.protocols) {
            return self.respond(
                rid,
                join_error(UNKNOWN_MEMBER_ID, ErrorCode::InconsistentGroupProtocol),
            );
        }
        let new_member_id =
            self.generate_member_id(&req.client_id, req.group_instance_id.as_deref());
        match req.group_instance_id.clone() {
            Some(instance_id) => match g.static_member_id(&instance_id).map(str::to_string) {
                Some(old_member_id) => self.update_static_member_and_rebalance(
                    g,
                    rid,
                    req,
                    &instance_id,
                    &old_member_id,
                    &new_member_id,
                ),
                None => self.add_member_and_rebalance(g, rid, req, new_member_id),
            },
            None if req.require_known_member_id => {
                // KIP-394: hand out the id and wait for the member to come
                // back with it, so a client that retries a lost response
                // does not leave a ghost member behind.
                let token = self.timers.schedule(
                    self.now + i64::from(req.session_timeout_ms),
                    TimerKind::PendingMember {
                        group_id: g.group_id.clone(),
                        member_id: new_member_id.clone(),
                    },
                    &mut self.out,
                );
                g.pending_members.insert(new_member_id.clone(), token);
                self.respond(rid, join_error(&new_member_id, ErrorCode::MemberIdRequired));
            }
            None => self.add_member_and_rebalance(g, rid, req, new_member_id),
        }
    }

    fn do_current_member_join_group(
        &mut self,
        g: &mut Group,
        rid: RequestId,
        req: JoinGroupRequest,
    ) {
        if g.state == Dead {
            return self.respond(
                rid,
                join_error(&req.member_id, ErrorCode::CoordinatorNotAvailable),
            );
        }
        if !g.supports_protocols(&req.protocol_type, &req.protocols) {
            return self.respond(
                rid,
                join_error(&req.member_id, ErrorCode::InconsistentGroupProtocol),
            );
        }
        if g.is_pending_member(&req.member_id) {
            if req.group_instance_id.is_some() {
                // Kafka throws IllegalStateException: pending ids are only
                // handed to dynamic members.
                return self.respond(
                    rid,
                    join_error(&req.member_id, ErrorCode::UnknownServerError),
                );
            }
            let member_id = req.member_id.clone();
            return self.add_member_and_rebalance(g, rid, req, member_id);
        }
        if let Some(err) =
            validate_current_member(g, &req.member_id, req.group_instance_id.as_deref())
        {
            return self.respond(rid, join_error(&req.member_id, err));
        }
        let member_id = req.member_id.clone();
        match g.state {
            PreparingRebalance => self.update_member_and_rebalance(g, rid, req),
            CompletingRebalance => {
                if g.members[&member_id].matches(&req.protocols) {
                    // Same metadata: probably a retry after a lost response.
                    // Answer with the current generation.
                    let resp = self.current_generation_join_response(
                        g,
                        &member_id,
                        g.is_leader(&member_id),
                    );
                    self.respond(rid, resp);
                } else {
                    self.update_member_and_rebalance(g, rid, req);
                }
            }
            Stable => {
                // The leader rejoining forces a rebalance: that is how it
                // reacts to changes the member metadata does not show
                // (e.g. new partitions of a subscribed topic).
                if g.is_leader(&member_id) || !g.members[&member_id].matches(&req.protocols) {
                    self.update_member_and_rebalance(g, rid, req);
                } else {
                    let resp = self.current_generation_join_response(g, &member_id, false);
                    self.respond(rid, resp);
                }
            }
            Empty | Dead => self.respond(rid, join_error(&member_id, ErrorCode::UnknownMemberId)),
        }
    }

    fn current_generation_join_response(
        &self,
        g: &Group,
        member_id: &str,
        with_members: bool,
    ) -> Response {
        Response::JoinGroup(JoinGroupResponse {
            error_code: ErrorCode::None,
            generation_id: g.generation_id,
            protocol_type: g.protocol_type.clone(),
            protocol_name: g.protocol_name.clone(),
            leader: g.leader_id.clone().unwrap_or_default(),
            skip_assignment: false,
            member_id: member_id.to_string(),
            members: if with_members {
                g.current_member_metadata()
            } else {
                Vec::new()
            },
        })
    }

    fn add_member_and_rebalance(
        &mut self,
        g: &mut Group,
        rid: RequestId,
        req: JoinGroupRequest,
        member_id: String,
    ) {
        let member = Member {
            member_id: member_id.clone(),
            group_instance_id: req.group_instance_id,
            client_id: req.client_id,
            client_host: req.client_host,
            rebalance_timeout_ms: req.rebalance_timeout_ms,
            session_timeout_ms: req.session_timeout_ms,
            protocol_type: req.protocol_type,
            supported_protocols: req.protocols,
            assignment: Vec::new(),
            awaiting_join: None,
            awaiting_sync: None,
            is_new: true,
            heartbeat_timer: None,
        };
        // A member arriving during the initial delay extends it.
        if g.state == PreparingRebalance && g.generation_id == 0 {
            g.new_member_added = true;
        }
        // The handed-out id is used: its expiry is moot.
        if let Some(token) = g.pending_members.remove(&member_id) {
            self.timers.cancel(Some(token), &mut self.out);
        }
        g.add(member, Some(rid));
        // New members cannot heartbeat while their JoinGroup is parked, and
        // a client that gave up would leave a ghost: expire them after the
        // new-member join timeout instead of the session timeout.
        self.complete_and_schedule_next_expiration(g, &member_id, NEW_MEMBER_JOIN_TIMEOUT_MS);
        self.maybe_prepare_rebalance(g);
    }

    fn update_static_member_and_rebalance(
        &mut self,
        g: &mut Group,
        rid: RequestId,
        req: JoinGroupRequest,
        instance_id: &str,
        old_member_id: &str,
        new_member_id: &str,
    ) {
        let current_leader = g.leader_id.clone();
        self.replace_static_member(g, instance_id, old_member_id, new_member_id);
        // The old id's deadline went with it; the new id starts a session.
        self.complete_and_schedule_next_heartbeat(g, new_member_id);
        let old = g.members[new_member_id].clone();
        g.update_member(
            new_member_id,
            req.protocols,
            req.rebalance_timeout_ms,
            req.session_timeout_ms,
            Some(rid),
        );
        match g.state {
            Stable => {
                // No rebalance unless the group's protocol would change.
                if g.select_protocol() == g.protocol_name {
                    let assignment: BTreeMap<String, Vec<u8>> = g
                        .members
                        .values()
                        .map(|m| (m.member_id.clone(), m.assignment.clone()))
                        .collect();
                    let then = PendingAppend::StaticRejoin(Box::new(StaticRejoin {
                        group_id: g.group_id.clone(),
                        incarnation: g.incarnation,
                        request_id: rid,
                        group_instance_id: instance_id.to_string(),
                        old_member_id: old_member_id.to_string(),
                        new_member_id: new_member_id.to_string(),
                        old_protocols: old.supported_protocols,
                        old_rebalance_timeout_ms: old.rebalance_timeout_ms,
                        old_session_timeout_ms: old.session_timeout_ms,
                        current_leader,
                        supports_skip_assignment: req.supports_skip_assignment,
                    }));
                    self.store_group(g, &assignment, then);
                } else {
                    self.maybe_prepare_rebalance(g);
                }
            }
            // The leader may already hold the old member id in the
            // assignment it computes: rebalance so the new id gets one.
            CompletingRebalance => self.prepare_rebalance(g),
            PreparingRebalance => {}
            // A static member exists, so the group is not Empty; Dead was
            // refused earlier.
            Empty | Dead => {}
        }
    }

    /// Kafka's `replaceStaticMember`: the member keeps everything but its
    /// id. Whoever is parked under the old id is fenced.
    pub(crate) fn replace_static_member(
        &mut self,
        g: &mut Group,
        instance_id: &str,
        old_id: &str,
        new_id: &str,
    ) {
        let Some(mut m) = g.members.remove(old_id) else {
            return;
        };
        if let Some(rid) = m.awaiting_join.take() {
            self.respond(rid, join_error(old_id, ErrorCode::FencedInstanceId));
        }
        if let Some(rid) = m.awaiting_sync.take() {
            self.respond(rid, sync_error(ErrorCode::FencedInstanceId));
        }
        self.timers.cancel(m.heartbeat_timer.take(), &mut self.out);
        m.member_id = new_id.to_string();
        g.members.insert(new_id.to_string(), m);
        if g.is_leader(old_id) {
            g.leader_id = Some(new_id.to_string());
        }
        // Kafka leaves the old id among the members expected to sync: if the
        // new incarnation does not resolve it, the sync deadline rebalances
        // the group (removing nobody).
        g.static_members
            .insert(instance_id.to_string(), new_id.to_string());
    }

    fn update_member_and_rebalance(
        &mut self,
        g: &mut Group,
        rid: RequestId,
        req: JoinGroupRequest,
    ) {
        g.update_member(
            &req.member_id,
            req.protocols,
            req.rebalance_timeout_ms,
            req.session_timeout_ms,
            Some(rid),
        );
        self.maybe_prepare_rebalance(g);
    }
}

//! JoinGroup, SyncGroup and the rebalance itself (the join and sync phases
//! of `GroupCoordinator.scala`).

use std::collections::BTreeMap;

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{
    Api, Coordinator, Ctx, PendingAppend, StaticRejoin, NEW_MEMBER_JOIN_TIMEOUT_MS,
};
use crate::group::{Group, JoinOp};
use crate::member::Member;
use crate::state::GroupState::*;
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

pub(crate) fn join_error(member_id: &str, err: ErrorCode) -> Response {
    Response::JoinGroup(JoinGroupResponse::error(member_id, err))
}

pub(crate) fn sync_error(err: ErrorCode) -> Response {
    Response::SyncGroup(SyncGroupResponse::error(err))
}

/// How `storeGroup` turns a log append error into the error the members see.
pub(crate) fn store_group_error(err: ErrorCode) -> ErrorCode {
    use ErrorCode::*;
    match err {
        UnknownTopicOrPartition | NotEnoughReplicas | NotEnoughReplicasAfterAppend => {
            CoordinatorNotAvailable
        }
        NotLeaderOrFollower | KafkaStorageError => NotCoordinator,
        RequestTimedOut => RebalanceInProgress,
        MessageTooLarge | RecordListTooLarge | InvalidFetchSize => UnknownServerError,
        other => other,
    }
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

    /// DelayedSync: every member must send SyncGroup within the rebalance
    /// timeout, or it is removed and the group rebalances.
    fn schedule_pending_sync(&mut self, g: &mut Group) {
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

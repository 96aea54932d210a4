//! JoinGroup / SyncGroup cases from GroupCoordinatorTest.

use super::harness::*;
use crate::api::*;
use crate::coordinator::Output;
use crate::state::GroupState::*;
use crate::timers::TimerKind;
use protocol::ErrorCode;

fn join(h: &Harness, member_id: &str) -> JoinGroupRequest {
    h.join_request(GROUP, member_id, PROTOCOL_TYPE, protocols(&["range"]))
}

/// Two dynamic members joined in one generation; returns
/// (leader response, follower response).
fn two_members(h: &mut Harness) -> (JoinGroupResponse, JoinGroupResponse) {
    let a = h.send_join(join(h, UNKNOWN_MEMBER_ID));
    let b = h.send_join(join(h, UNKNOWN_MEMBER_ID));
    h.advance(2 * i64::from(INITIAL_DELAY) + 1);
    let (a, b) = (h.join_response(a), h.join_response(b));
    assert_eq!(a.error_code, ErrorCode::None);
    assert_eq!(b.error_code, ErrorCode::None);
    assert_eq!(a.generation_id, 1);
    assert_eq!(a.leader, a.member_id, "the first member to join leads");
    (a, b)
}

/// Two members, Stable at generation 1.
fn two_members_stable(h: &mut Harness) -> (JoinGroupResponse, JoinGroupResponse) {
    let (a, b) = two_members(h);
    let assignments = vec![
        (a.member_id.clone(), vec![1]),
        (b.member_id.clone(), vec![2]),
    ];
    let sa = h.send_sync(GROUP, 1, &a.member_id, assignments);
    let sb = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert_eq!(h.sync_response(sa).assignment, vec![1]);
    assert_eq!(h.sync_response(sb).assignment, vec![2]);
    assert_eq!(h.c.state(GROUP), Some(Stable));
    (a, b)
}

#[test]
fn join_group_wrong_coordinator() {
    let mut h = Harness::new();
    let r = h.join_group(h.join_request(
        OTHER_GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        protocols(&["range"]),
    ));
    assert_eq!(r.error_code, ErrorCode::NotCoordinator);
}

#[test]
fn join_group_session_timeout_too_small_and_too_large() {
    let mut h = Harness::new();
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.session_timeout_ms = MIN_SESSION_TIMEOUT - 1;
    assert_eq!(
        h.join_group(req.clone()).error_code,
        ErrorCode::InvalidSessionTimeout
    );
    req.session_timeout_ms = MAX_SESSION_TIMEOUT + 1;
    assert_eq!(
        h.join_group(req).error_code,
        ErrorCode::InvalidSessionTimeout
    );
    assert_eq!(h.c.state(GROUP), None);
}

#[test]
fn join_group_unknown_consumer_new_group() {
    let mut h = Harness::new();
    let r = h.join_group(join(&h, "memberId"));
    assert_eq!(r.error_code, ErrorCode::UnknownMemberId);
}

#[test]
fn invalid_group_id() {
    let mut h = Harness::new();
    let r =
        h.join_group(h.join_request("", UNKNOWN_MEMBER_ID, PROTOCOL_TYPE, protocols(&["range"])));
    assert_eq!(r.error_code, ErrorCode::InvalidGroupId);
}

#[test]
fn valid_join_group() {
    let mut h = Harness::new();
    let r = h.join_group(join(&h, UNKNOWN_MEMBER_ID));
    assert_eq!(r.error_code, ErrorCode::None);
    assert!(r.member_id.starts_with("consumer-test-"), "{}", r.member_id);
    assert_eq!(r.member_id.len(), "consumer-test-".len() + 36);
    assert_eq!(r.protocol_type.as_deref(), Some("consumer"));
    assert_eq!(r.protocol_name.as_deref(), Some("range"));
    assert_eq!(r.members.len(), 1, "the leader gets the member list");
    assert_eq!(h.c.state(GROUP), Some(CompletingRebalance));
}

#[test]
fn join_group_inconsistent_protocol_type() {
    let mut h = Harness::new();
    assert_eq!(
        h.join_group(join(&h, UNKNOWN_MEMBER_ID)).error_code,
        ErrorCode::None
    );
    let r =
        h.join_group(h.join_request(GROUP, UNKNOWN_MEMBER_ID, "connect", protocols(&["range"])));
    assert_eq!(r.error_code, ErrorCode::InconsistentGroupProtocol);
}

#[test]
fn join_group_with_empty_protocol_type_or_no_protocols() {
    let mut h = Harness::new();
    let r = h.join_group(h.join_request(GROUP, UNKNOWN_MEMBER_ID, "", protocols(&["range"])));
    assert_eq!(r.error_code, ErrorCode::InconsistentGroupProtocol);
    let r = h.join_group(h.join_request(GROUP, UNKNOWN_MEMBER_ID, PROTOCOL_TYPE, vec![]));
    assert_eq!(r.error_code, ErrorCode::InconsistentGroupProtocol);
}

#[test]
fn join_group_inconsistent_group_protocol() {
    let mut h = Harness::new();
    let first = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    let other = h.send_join(h.join_request(
        GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        protocols(&["roundrobin"]),
    ));
    assert_eq!(
        h.join_response(other).error_code,
        ErrorCode::InconsistentGroupProtocol
    );
    h.advance(i64::from(INITIAL_DELAY) + 1);
    assert_eq!(h.join_response(first).error_code, ErrorCode::None);
}

#[test]
fn join_group_unknown_consumer_existing_group() {
    let mut h = Harness::new();
    assert_eq!(
        h.join_group(join(&h, UNKNOWN_MEMBER_ID)).error_code,
        ErrorCode::None
    );
    let r = h.join_group(join(&h, "memberId"));
    assert_eq!(r.error_code, ErrorCode::UnknownMemberId);
}

#[test]
fn join_group_should_receive_error_if_group_over_max_size() {
    let mut h = Harness::new();
    let rids: Vec<_> = (0..GROUP_MAX_SIZE)
        .map(|_| h.send_join(join(&h, UNKNOWN_MEMBER_ID)))
        .collect();
    let extra = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    let r = h.join_response(extra);
    assert_eq!(r.error_code, ErrorCode::GroupMaxSizeReached);
    assert_eq!(r.member_id, UNKNOWN_MEMBER_ID);
    h.advance(10 * i64::from(INITIAL_DELAY));
    for rid in rids {
        assert_eq!(h.join_response(rid).error_code, ErrorCode::None);
    }
    assert_eq!(h.c.group(GROUP).unwrap().size(), GROUP_MAX_SIZE);
}

// KIP-394: testJoinGroupShouldReceiveMemberIdRequired... a dynamic member
// first gets its id, the group does not change until it comes back.
#[test]
fn member_id_required_then_rejoin() {
    let mut h = Harness::new();
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.require_known_member_id = true;
    let rid = h.send_join(req.clone());
    let r = h.join_response(rid);
    assert_eq!(r.error_code, ErrorCode::MemberIdRequired);
    assert!(r.member_id.starts_with("consumer-test-"));
    assert_eq!(r.generation_id, NO_GENERATION);
    let g = h.c.group(GROUP).unwrap();
    assert_eq!(g.state(), Empty);
    assert_eq!(g.size(), 0);
    assert!(g.is_pending_member(&r.member_id));

    req.member_id = r.member_id.clone();
    let rid = h.send_join(req);
    assert!(!h.answered(rid), "parked for the initial delay");
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    h.advance(i64::from(INITIAL_DELAY));
    let joined = h.join_response(rid);
    assert_eq!(joined.error_code, ErrorCode::None);
    assert_eq!(joined.member_id, r.member_id);
    assert!(!h.c.group(GROUP).unwrap().is_pending_member(&r.member_id));
}

// testPendingMemberJoinExpiration: an id handed out and never used expires
// after the session timeout; a rebalance waiting for it then completes.
#[test]
fn pending_member_expires_and_unblocks_rebalance() {
    let mut h = Harness::new();
    let (leader, _) = (h.stable_single_member().0, ());
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.require_known_member_id = true;
    let rid = h.send_join(req);
    let pending = h.join_response(rid).member_id;
    // The leader rejoins: the join phase waits for the pending member too.
    let rid = h.send_join(join(&h, &leader));
    assert!(!h.answered(rid));
    h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) - 1);
    assert!(!h.answered(rid));
    assert!(h.c.group(GROUP).unwrap().is_pending_member(&pending));
    h.advance(1);
    assert!(!h.c.group(GROUP).unwrap().is_pending_member(&pending));
    let r = h.join_response(rid);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.generation_id, 2);
    // The pending id is now unknown.
    let r = h.join_group(join(&h, &pending));
    assert_eq!(r.error_code, ErrorCode::UnknownMemberId);
}

// testPendingMemberLeavesGroup
#[test]
fn pending_member_leaves_group() {
    let mut h = Harness::new();
    let leader = h.stable_single_member().0;
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.require_known_member_id = true;
    let rid = h.send_join(req);
    let pending = h.join_response(rid).member_id;
    let rid = h.send_join(join(&h, &leader));
    assert!(!h.answered(rid));
    let r = h.leave(GROUP, vec![(&pending, None)]);
    assert_eq!(r.members[0].error_code, ErrorCode::None);
    assert_eq!(h.join_response(rid).error_code, ErrorCode::None);
}

// testJoinGroupFromUnchangedFollowerDoesNotRebalance
#[test]
fn join_group_from_unchanged_follower_does_not_rebalance() {
    let mut h = Harness::new();
    let (a, b) = two_members_stable(&mut h);
    let r = h.join_group(join(&h, &b.member_id));
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.generation_id, 1);
    assert_eq!(r.leader, a.member_id);
    assert!(r.members.is_empty());
    assert_eq!(h.c.state(GROUP), Some(Stable));
}

// testJoinGroupFromUnchangedLeaderShouldRebalance /
// testGenerationIdIncrementsOnRebalance
#[test]
fn join_group_from_unchanged_leader_rebalances() {
    let mut h = Harness::new();
    let (leader, generation) = h.stable_single_member();
    let r = h.join_group(join(&h, &leader));
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.generation_id, generation + 1);
    assert_eq!(h.c.state(GROUP), Some(CompletingRebalance));
}

// A follower with new metadata forces a rebalance the leader must join.
#[test]
fn join_group_from_changed_follower_rebalances() {
    let mut h = Harness::new();
    let (a, b) = two_members_stable(&mut h);
    let rid = h.send_join(h.join_request(
        GROUP,
        &b.member_id,
        PROTOCOL_TYPE,
        vec![("range".into(), vec![9])],
    ));
    assert!(!h.answered(rid));
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    // The leader learns from its heartbeat and rejoins.
    assert_eq!(
        h.heartbeat(GROUP, &a.member_id, 1),
        ErrorCode::RebalanceInProgress
    );
    let ra = h.send_join(join(&h, &a.member_id));
    assert_eq!(h.join_response(ra).generation_id, 2);
    assert_eq!(h.join_response(rid).generation_id, 2);
    let leader_view = h.join_response(ra).members;
    let b_meta = leader_view
        .iter()
        .find(|m| m.member_id == b.member_id)
        .unwrap();
    assert_eq!(b_meta.metadata, vec![9]);
}

// testJoinGroupCompletionWhenPendingMemberJoins /
// testCompleteJoinRemoveNotYetRejoinedDynamicMembers: a member that does
// not rejoin within the rebalance timeout is removed.
#[test]
fn rebalance_timeout_removes_members_that_did_not_rejoin() {
    let mut h = Harness::new();
    let (a, b) = two_members_stable(&mut h);
    // keep b's session alive only through heartbeats; a rejoins
    let ra = h.send_join(join(&h, &a.member_id));
    assert!(!h.answered(ra));
    h.advance(i64::from(DEFAULT_REBALANCE_TIMEOUT) - 1);
    assert!(!h.answered(ra));
    assert_eq!(
        h.heartbeat(GROUP, &b.member_id, 1),
        ErrorCode::RebalanceInProgress
    );
    h.advance(1);
    let r = h.join_response(ra);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.generation_id, 2);
    assert_eq!(r.members.len(), 1);
    assert!(!h.c.group(GROUP).unwrap().has(&b.member_id));
    assert_eq!(
        h.heartbeat(GROUP, &b.member_id, 1),
        ErrorCode::UnknownMemberId
    );
}

// testLeaderFailureInSyncGroup: the leader's session runs out while the
// follower waits in SyncGroup; the follower is told to rejoin.
#[test]
fn leader_failure_in_sync_group() {
    let mut h = Harness::new();
    let (a, b) = two_members(&mut h);
    let sb = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert!(!h.answered(sb));
    // The leader never syncs: the sync phase times out (rebalance timeout)
    // and removes it; the follower must rejoin.
    h.advance(i64::from(DEFAULT_REBALANCE_TIMEOUT));
    assert_eq!(
        h.sync_response(sb).error_code,
        ErrorCode::RebalanceInProgress
    );
    assert!(!h.c.group(GROUP).unwrap().has(&a.member_id));
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    let rb = h.send_join(join(&h, &b.member_id));
    let r = h.join_response(rb);
    assert_eq!(r.generation_id, 2);
    assert_eq!(r.leader, b.member_id);
}

// testSyncGroupFollowerAfterLeader
#[test]
fn sync_group_follower_after_leader() {
    let mut h = Harness::new();
    let (a, b) = two_members(&mut h);
    let sa = h.send_sync(
        GROUP,
        1,
        &a.member_id,
        vec![
            (a.member_id.clone(), vec![1]),
            (b.member_id.clone(), vec![2]),
        ],
    );
    assert_eq!(h.sync_response(sa).assignment, vec![1]);
    let sb = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    let r = h.sync_response(sb);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.assignment, vec![2]);
    assert_eq!(r.protocol_name.as_deref(), Some("range"));
}

// testSyncGroupLeaderAfterFollower
#[test]
fn sync_group_leader_after_follower() {
    let mut h = Harness::new();
    let (a, b) = two_members(&mut h);
    let sb = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert!(!h.answered(sb), "the follower waits for the leader");
    let sa = h.send_sync(
        GROUP,
        1,
        &a.member_id,
        vec![
            (a.member_id.clone(), vec![1]),
            (b.member_id.clone(), vec![2]),
        ],
    );
    assert_eq!(h.sync_response(sa).assignment, vec![1]);
    assert_eq!(h.sync_response(sb).assignment, vec![2]);
}

// The leader's assignment is answered only once it is replicated.
#[test]
fn sync_waits_for_the_assignment_append() {
    let mut h = Harness::new();
    h.auto_ack = false;
    let rid = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    h.advance(i64::from(INITIAL_DELAY));
    let r = h.join_response(rid);
    let s = h.send_sync(GROUP, 1, &r.member_id, vec![(r.member_id.clone(), vec![7])]);
    assert!(!h.answered(s));
    assert_eq!(h.c.state(GROUP), Some(CompletingRebalance));
    assert_eq!(h.pending_appends.len(), 1);
    h.ack_all();
    assert_eq!(h.sync_response(s).assignment, vec![7]);
    assert_eq!(h.c.state(GROUP), Some(Stable));
    assert_eq!(h.c.assignment(GROUP, &r.member_id), Some(&[7u8][..]));
}

// A failed write of the assignment: the members learn the mapped error
// and the group rebalances.
#[test]
fn sync_assignment_store_failure() {
    let mut h = Harness::new();
    let rid = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    h.advance(i64::from(INITIAL_DELAY));
    let r = h.join_response(rid);
    h.auto_ack = false;
    let s = h.send_sync(GROUP, 1, &r.member_id, vec![(r.member_id.clone(), vec![7])]);
    h.fail_next_append(ErrorCode::NotEnoughReplicas);
    let resp = h.sync_response(s);
    assert_eq!(resp.error_code, ErrorCode::CoordinatorNotAvailable);
    assert!(resp.assignment.is_empty());
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
}

// testSyncGroupEmptyAssignment: members left out get an empty assignment.
#[test]
fn sync_group_empty_assignment() {
    let mut h = Harness::new();
    let (a, b) = two_members(&mut h);
    let sa = h.send_sync(GROUP, 1, &a.member_id, vec![]);
    let sb = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert_eq!(h.sync_response(sa).error_code, ErrorCode::None);
    assert!(h.sync_response(sa).assignment.is_empty());
    assert!(h.sync_response(sb).assignment.is_empty());
    assert_eq!(h.c.state(GROUP), Some(Stable));
}

// testSyncGroupNotCoordinator / FromUnknownGroup / FromUnknownMember /
// FromIllegalGeneration / inconsistent protocol
#[test]
fn sync_group_errors() {
    let mut h = Harness::new();
    let s = h.send_sync(OTHER_GROUP, 1, "memberId", vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::NotCoordinator);
    let s = h.send_sync(GROUP, 1, "memberId", vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::UnknownMemberId);

    let rid = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    h.advance(i64::from(INITIAL_DELAY));
    let r = h.join_response(rid);
    let s = h.send_sync(GROUP, 1, "unknown", vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::UnknownMemberId);
    let s = h.send_sync(GROUP, 2, &r.member_id, vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::IllegalGeneration);
    let s = h.send(Request::SyncGroup(SyncGroupRequest {
        group_id: GROUP.into(),
        generation_id: 1,
        member_id: r.member_id.clone(),
        group_instance_id: None,
        protocol_type: Some("consumer".into()),
        protocol_name: Some("roundrobin".into()),
        assignments: vec![],
    }));
    assert_eq!(
        h.sync_response(s).error_code,
        ErrorCode::InconsistentGroupProtocol
    );
    // Still CompletingRebalance: a correct sync goes through.
    let s = h.send_sync(GROUP, 1, &r.member_id, vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::None);
}

// testSyncGroupDuringRebalance (PreparingRebalance answers
// REBALANCE_IN_PROGRESS)
#[test]
fn sync_during_preparing_rebalance() {
    let mut h = Harness::new();
    let (a, b) = two_members_stable(&mut h);
    let _ = h.send_join(join(&h, &a.member_id));
    let s = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert_eq!(
        h.sync_response(s).error_code,
        ErrorCode::RebalanceInProgress
    );
}

// A join during CompletingRebalance with new metadata: parked SyncGroups
// are told REBALANCE_IN_PROGRESS.
#[test]
fn rejoin_during_completing_rebalance_fails_parked_syncs() {
    let mut h = Harness::new();
    let (a, b) = two_members(&mut h);
    let sb = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    let ra = h.send_join(h.join_request(
        GROUP,
        &a.member_id,
        PROTOCOL_TYPE,
        vec![("range".into(), vec![1])],
    ));
    assert_eq!(
        h.sync_response(sb).error_code,
        ErrorCode::RebalanceInProgress
    );
    assert!(!h.answered(ra));
    let rb = h.send_join(join(&h, &b.member_id));
    assert_eq!(h.join_response(ra).generation_id, 2);
    assert_eq!(h.join_response(rb).generation_id, 2);
}

// A retried JoinGroup with unchanged metadata during CompletingRebalance
// gets the current generation again (the leader with the member list).
#[test]
fn retried_join_in_completing_rebalance_returns_current_generation() {
    let mut h = Harness::new();
    let (a, _b) = two_members(&mut h);
    let r = h.join_group(join(&h, &a.member_id));
    assert_eq!(r.generation_id, 1);
    assert_eq!(r.members.len(), 2);
    assert_eq!(h.c.state(GROUP), Some(CompletingRebalance));
}

// testDelayInitialRebalanceByGroupInitialRebalanceDelayOnEmptyGroup
#[test]
fn initial_rebalance_is_delayed() {
    let mut h = Harness::new();
    let rid = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    h.advance(i64::from(INITIAL_DELAY) - 1);
    assert!(!h.answered(rid));
    h.advance(1);
    assert_eq!(h.join_response(rid).error_code, ErrorCode::None);
}

// testDelayRebalanceUptoRebalanceTimeout: each new member extends the
// delay, but never past the rebalance timeout.
#[test]
fn initial_delay_extends_up_to_rebalance_timeout() {
    let mut h = Harness::new();
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.rebalance_timeout_ms = 2 * INITIAL_DELAY;
    let first = h.send_join(req.clone());
    let second = h.send_join(req.clone());
    h.advance(i64::from(INITIAL_DELAY) + 1);
    assert!(!h.answered(first), "a second member extends the delay");
    let third = h.send_join(req);
    h.advance(i64::from(INITIAL_DELAY));
    // remaining time was used up: no further extension for the third
    for rid in [first, second, third] {
        assert_eq!(h.join_response(rid).error_code, ErrorCode::None);
    }
    assert_eq!(h.c.group(GROUP).unwrap().size(), 3);
}

#[test]
fn set_timer_outputs_describe_the_join_phase() {
    let mut h = Harness::new();
    let out =
        h.c.handle(0, 99, Request::JoinGroup(join(&h, UNKNOWN_MEMBER_ID)));
    let kinds: Vec<&TimerKind> = out
        .iter()
        .filter_map(|o| match o {
            Output::SetTimer { kind, .. } => Some(kind),
            _ => None,
        })
        .collect();
    assert!(kinds
        .iter()
        .any(|k| matches!(k, TimerKind::Heartbeat { .. })));
    assert!(kinds.iter().any(|k| matches!(
        k,
        TimerKind::InitialJoin {
            delay_ms: 50,
            remaining_ms: 450,
            ..
        }
    )));
}

// testNewMemberJoinExpiration: a new member whose JoinGroup is parked is
// dropped after the new-member timeout even if the rebalance takes longer.
#[test]
fn new_member_join_expiration() {
    let mut h = Harness::new();
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.session_timeout_ms = 5000;
    req.rebalance_timeout_ms = 2 * crate::NEW_MEMBER_JOIN_TIMEOUT_MS;
    let first = h.join_group(req.clone());
    let s = h.send_sync(GROUP, 1, &first.member_id, vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::None);

    let new = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    assert_eq!(h.c.group(GROUP).unwrap().size(), 2);
    // the first member keeps its session through heartbeats, never rejoins
    let mut t = 0;
    while t < crate::NEW_MEMBER_JOIN_TIMEOUT_MS {
        h.advance(4000);
        t += 4000;
        assert_eq!(
            h.heartbeat(GROUP, &first.member_id, 1),
            ErrorCode::RebalanceInProgress
        );
    }
    let r = h.join_response(new);
    assert_eq!(r.error_code, ErrorCode::UnknownMemberId);
    assert_eq!(h.c.group(GROUP).unwrap().size(), 1);
}

// testJoinGroupCompletionWhenPendingMemberJoins: the join phase waits for a
// handed-out member id, and completes as soon as it is used.
#[test]
fn join_completes_when_pending_member_joins() {
    let mut h = Harness::new();
    let leader = h.stable_single_member().0;
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.require_known_member_id = true;
    let rid = h.send_join(req.clone());
    let pending = h.join_response(rid).member_id;
    let rl = h.send_join(join(&h, &leader));
    assert!(!h.answered(rl), "waits for the pending member");
    req.member_id = pending.clone();
    let rp = h.send_join(req);
    assert_eq!(h.join_response(rl).generation_id, 2);
    assert_eq!(h.join_response(rl).members.len(), 2);
    assert_eq!(h.join_response(rp).member_id, pending);
}

// GroupMetadataManagerTest.testStoreGroupMetadata... : the record written
// when the leader's assignment is stored, field by field.
#[test]
fn stored_group_metadata_record() {
    let mut h = Harness::new();
    h.auto_ack = false;
    let mut req = h.join_request(
        GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        vec![("roundrobin".into(), vec![9]), ("range".into(), vec![8])],
    );
    req.group_instance_id = Some("i-1".into());
    req.session_timeout_ms = 400;
    req.rebalance_timeout_ms = 450;
    let rid = h.send_join(req);
    h.advance(i64::from(INITIAL_DELAY));
    let r = h.join_response(rid);
    let _ = h.send(Request::SyncGroup(SyncGroupRequest {
        group_id: GROUP.into(),
        generation_id: 1,
        member_id: r.member_id.clone(),
        group_instance_id: Some("i-1".into()),
        protocol_type: None,
        protocol_name: None,
        assignments: vec![(r.member_id.clone(), vec![1, 2, 3])],
    }));
    let a = h.pending_appends.pop().unwrap();
    assert_eq!(
        (a.required_acks, a.transactional, a.timestamp),
        (-1, false, 50)
    );
    assert_eq!(a.records.len(), 1);
    assert_eq!(
        crate::records::RecordKey::decode(&a.records[0].key).unwrap(),
        crate::records::RecordKey::GroupMetadata(crate::records::GroupMetadataKey {
            group: GROUP.into()
        })
    );
    let v =
        crate::records::GroupMetadataValue::decode(a.records[0].value.as_ref().unwrap()).unwrap();
    assert_eq!(
        v,
        crate::records::GroupMetadataValue {
            protocol_type: "consumer".into(),
            generation: 1,
            protocol: Some("roundrobin".into()),
            leader: Some(r.member_id.clone()),
            // when the group entered CompletingRebalance
            current_state_timestamp: 50,
            members: vec![crate::records::MemberMetadataValue {
                member_id: r.member_id.clone(),
                group_instance_id: Some("i-1".into()),
                client_id: CLIENT_ID.into(),
                client_host: "localhost".into(),
                rebalance_timeout: 450,
                session_timeout: 400,
                subscription: vec![9],
                assignment: vec![1, 2, 3],
            }],
        }
    );
}

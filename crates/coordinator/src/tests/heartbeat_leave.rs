//! Heartbeat, session timeout and LeaveGroup cases from GroupCoordinatorTest.

use super::harness::*;
use crate::api::*;
use crate::state::GroupState::*;
use protocol::ErrorCode;

fn join(h: &Harness, member_id: &str) -> JoinGroupRequest {
    h.join_request(GROUP, member_id, PROTOCOL_TYPE, protocols(&["range"]))
}

#[test]
fn heartbeat_wrong_coordinator() {
    let mut h = Harness::new();
    assert_eq!(
        h.heartbeat(OTHER_GROUP, "memberId", -1),
        ErrorCode::NotCoordinator
    );
}

#[test]
fn heartbeat_unknown_group() {
    let mut h = Harness::new();
    assert_eq!(
        h.heartbeat(GROUP, "memberId", -1),
        ErrorCode::UnknownMemberId
    );
}

#[test]
fn heartbeat_unknown_consumer_existing_group() {
    let mut h = Harness::new();
    h.stable_single_member();
    assert_eq!(
        h.heartbeat(GROUP, "memberId", 1),
        ErrorCode::UnknownMemberId
    );
}

// testHeartbeatRebalanceInProgress: between JoinGroup and SyncGroup the
// group is CompletingRebalance and heartbeats are normal in Kafka 3.x.
#[test]
fn heartbeat_in_completing_rebalance_is_normal() {
    let mut h = Harness::new();
    let r = h.join_group(join(&h, UNKNOWN_MEMBER_ID));
    assert_eq!(h.heartbeat(GROUP, &r.member_id, 1), ErrorCode::None);
}

#[test]
fn heartbeat_illegal_generation() {
    let mut h = Harness::new();
    let (m, _) = h.stable_single_member();
    assert_eq!(h.heartbeat(GROUP, &m, 2), ErrorCode::IllegalGeneration);
}

#[test]
fn valid_heartbeat() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    assert_eq!(h.heartbeat(GROUP, &m, g), ErrorCode::None);
}

// testSessionTimeout: no heartbeat, the member is removed and the group
// (now without members) goes through a rebalance to Empty.
#[test]
fn session_timeout() {
    let mut h = Harness::new();
    let (m, _) = h.stable_single_member();
    h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) + 100);
    assert_eq!(h.heartbeat(GROUP, &m, 1), ErrorCode::UnknownMemberId);
    assert_eq!(h.c.state(GROUP), Some(Empty));
    assert_eq!(h.c.generation(GROUP), Some(2));
}

// testHeartbeatMaintainsSession
#[test]
fn heartbeat_maintains_session() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    for _ in 0..5 {
        h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) - 100);
        assert_eq!(h.heartbeat(GROUP, &m, g), ErrorCode::None);
    }
    assert_eq!(h.c.state(GROUP), Some(Stable));
}

// testCommitMaintainsSession
#[test]
fn commit_maintains_session() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) - 100);
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 10)]),
        vec![ErrorCode::None]
    );
    h.advance(200);
    assert_eq!(h.heartbeat(GROUP, &m, g), ErrorCode::None);
}

// testSessionTimeoutDuringRebalance: a member that does not rejoin is
// removed when its session runs out; the other member's join completes.
#[test]
fn session_timeout_during_rebalance() {
    let mut h = Harness::new();
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.rebalance_timeout_ms = 2000;
    let first = h.join_group(req.clone());
    let s = h.send_sync(GROUP, 1, &first.member_id, vec![]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::None);

    // a second member: the group rebalances, the first must rejoin
    let second = h.send_join(req);
    assert_eq!(
        h.heartbeat(GROUP, &first.member_id, 1),
        ErrorCode::RebalanceInProgress
    );
    // the first one never rejoins and stops heartbeating
    h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) + 1);
    let r = h.join_response(second);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.generation_id, 2);
    assert_eq!(r.leader, r.member_id);
    assert_eq!(
        h.heartbeat(GROUP, &first.member_id, 1),
        ErrorCode::UnknownMemberId
    );
}

// testHeartbeatDuringRebalanceCausesRebalanceInProgress
#[test]
fn heartbeat_during_rebalance_causes_rebalance_in_progress() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    // a new member starts a rebalance
    let _ = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    assert_eq!(h.heartbeat(GROUP, &m, g), ErrorCode::RebalanceInProgress);
}

// A member parked in JoinGroup is not expired by its session (the
// rebalance vouches for it): only new members are.
#[test]
fn parked_join_does_not_expire() {
    let mut h = Harness::new();
    let (a, g) = h.stable_single_member();
    let mut req = join(&h, UNKNOWN_MEMBER_ID);
    req.rebalance_timeout_ms = 10_000;
    let b = h.send_join(req);
    let ra = h.send_join(join(&h, &a));
    // both have joined now: the join completes at once
    assert_eq!(h.join_response(ra).generation_id, g + 1);
    assert_eq!(h.join_response(b).generation_id, g + 1);
}

#[test]
fn leave_group_wrong_coordinator() {
    let mut h = Harness::new();
    let r = h.leave(OTHER_GROUP, vec![("memberId", None)]);
    assert_eq!(r.error_code, ErrorCode::NotCoordinator);
}

#[test]
fn leave_group_unknown_group() {
    let mut h = Harness::new();
    let r = h.leave(GROUP, vec![("memberId", None)]);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.members[0].error_code, ErrorCode::UnknownMemberId);
}

#[test]
fn leave_group_unknown_consumer_existing_group() {
    let mut h = Harness::new();
    h.stable_single_member();
    let r = h.leave(GROUP, vec![("other", None)]);
    assert_eq!(r.members[0].error_code, ErrorCode::UnknownMemberId);
    assert_eq!(h.c.state(GROUP), Some(Stable));
}

// testValidLeaveGroup: the last member leaves; the group becomes Empty in a
// new generation and its (empty) metadata is written.
#[test]
fn valid_leave_group() {
    let mut h = Harness::new();
    let (m, _) = h.stable_single_member();
    let r = h.leave(GROUP, vec![(&m, None)]);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(r.members[0].error_code, ErrorCode::None);
    assert_eq!(h.c.state(GROUP), Some(Empty));
    assert_eq!(h.c.generation(GROUP), Some(2));
    let p = h.c.partition_for(GROUP);
    let last = &h.log[&p].last().unwrap().record;
    let v = crate::records::GroupMetadataValue::decode(last.value.as_ref().unwrap()).unwrap();
    assert_eq!(v.generation, 2);
    assert!(v.members.is_empty());
    assert_eq!(v.protocol, None);
    assert_eq!(v.leader, None);
}

// A leave in a Stable group with another member: a rebalance, which the
// remaining member completes alone.
#[test]
fn leave_group_triggers_rebalance() {
    let mut h = Harness::new();
    let a = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    let b = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    h.advance(2 * i64::from(INITIAL_DELAY) + 1);
    let (a, b) = (h.join_response(a), h.join_response(b));
    let sa = h.send_sync(GROUP, 1, &a.member_id, vec![]);
    let _ = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert_eq!(h.sync_response(sa).error_code, ErrorCode::None);
    h.leave(GROUP, vec![(&a.member_id, None)]);
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    assert_eq!(
        h.heartbeat(GROUP, &b.member_id, 1),
        ErrorCode::RebalanceInProgress
    );
    let rb = h.send_join(join(&h, &b.member_id));
    let r = h.join_response(rb);
    assert_eq!(r.generation_id, 2);
    assert_eq!(
        r.leader, b.member_id,
        "leadership moved to the remaining member"
    );
}

// A member leaving while others are parked in JoinGroup lets the join
// phase complete without waiting for the rebalance timeout.
#[test]
fn leave_during_join_phase_completes_it() {
    let mut h = Harness::new();
    let a = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    let b = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    h.advance(2 * i64::from(INITIAL_DELAY) + 1);
    let (a, b) = (h.join_response(a), h.join_response(b));
    let sa = h.send_sync(GROUP, 1, &a.member_id, vec![]);
    let _ = h.send_sync(GROUP, 1, &b.member_id, vec![]);
    assert_eq!(h.sync_response(sa).error_code, ErrorCode::None);
    let ra = h.send_join(join(&h, &a.member_id));
    assert!(!h.answered(ra));
    h.leave(GROUP, vec![(&b.member_id, None)]);
    assert_eq!(h.join_response(ra).generation_id, 2);
}

// testRequestHandlingWhileLoadingInProgress
#[test]
fn requests_while_loading() {
    let mut h = Harness::new();
    let p = h.c.partition_for(OTHER_GROUP);
    h.c.begin_loading(p);
    let r = h.join_group(h.join_request(
        OTHER_GROUP,
        "memberId",
        PROTOCOL_TYPE,
        protocols(&["range"]),
    ));
    assert_eq!(r.error_code, ErrorCode::CoordinatorLoadInProgress);
    let s = h.send_sync(OTHER_GROUP, 1, "memberId", vec![]);
    assert_eq!(
        h.sync_response(s).error_code,
        ErrorCode::RebalanceInProgress
    );
    assert_eq!(
        h.commit(OTHER_GROUP, "memberId", 1, &[("foo", 0, 15)]),
        vec![ErrorCode::CoordinatorLoadInProgress]
    );
    assert_eq!(h.heartbeat(OTHER_GROUP, "memberId", 1), ErrorCode::None);
    let rid = h.send(Request::ListGroups(ListGroupsRequest::default()));
    match &h.responses[&rid] {
        Response::ListGroups(r) => assert_eq!(r.error_code, ErrorCode::CoordinatorLoadInProgress),
        other => panic!("{other:?}"),
    }
    let rid = h.send(Request::DescribeGroups(DescribeGroupsRequest {
        groups: vec![OTHER_GROUP.into(), GROUP.into()],
    }));
    match &h.responses[&rid] {
        Response::DescribeGroups(r) => {
            assert_eq!(r.groups[0].error_code, ErrorCode::CoordinatorLoadInProgress);
            assert_eq!(r.groups[1].error_code, ErrorCode::None);
        }
        other => panic!("{other:?}"),
    }
    let out = h.c.load(h.now, p, []).unwrap();
    h.process(out);
    assert_eq!(
        h.heartbeat(OTHER_GROUP, "memberId", 1),
        ErrorCode::UnknownMemberId
    );
}

#[test]
fn shutdown_answers_coordinator_not_available() {
    let mut h = Harness::new();
    let rid = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    let out = h.c.shutdown(h.now);
    h.process(out);
    assert_eq!(h.join_response(rid).error_code, ErrorCode::NotCoordinator);
    assert_eq!(
        h.heartbeat(GROUP, "m", 1),
        ErrorCode::CoordinatorNotAvailable
    );
    assert_eq!(h.c.live_timers(), 0);
}

//! Static membership (KIP-345) cases from GroupCoordinatorTest.

use super::harness::*;
use crate::api::*;
use crate::state::GroupState::*;
use protocol::ErrorCode;

const LEADER: &str = "leader-instance-id";
const FOLLOWER: &str = "follower-instance-id";

struct Stable2 {
    leader: String,
    follower: String,
}

/// Two static members, Stable at generation 1, leader assigned [1],
/// follower [2]. Both support range then roundrobin.
fn static_members_stable(h: &mut Harness) -> Stable2 {
    let p = protocols(&["range", "roundrobin"]);
    let l = h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, LEADER, p.clone()));
    let f = h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, FOLLOWER, p));
    h.advance(2 * i64::from(INITIAL_DELAY) + 1);
    let (l, f) = (h.join_response(l), h.join_response(f));
    assert_eq!(l.error_code, ErrorCode::None);
    assert!(
        l.member_id.starts_with(&format!("{LEADER}-")),
        "static ids start with the instance id"
    );
    assert_eq!(l.leader, l.member_id);
    let sl = h.sync_static(
        1,
        &l.member_id,
        LEADER,
        vec![
            (l.member_id.clone(), vec![1]),
            (f.member_id.clone(), vec![2]),
        ],
    );
    let sf = h.sync_static(1, &f.member_id, FOLLOWER, vec![]);
    assert_eq!(h.sync_response(sl).assignment, vec![1]);
    assert_eq!(h.sync_response(sf).assignment, vec![2]);
    assert_eq!(h.c.state(GROUP), Some(Stable));
    Stable2 {
        leader: l.member_id,
        follower: f.member_id,
    }
}

// testStaticMemberJoinAsFirstMember
#[test]
fn static_member_join_as_first_member() {
    let mut h = Harness::new();
    let r = h.join_group(h.static_join_request(UNKNOWN_MEMBER_ID, LEADER, protocols(&["range"])));
    assert_eq!(
        r.error_code,
        ErrorCode::None,
        "static members never get MEMBER_ID_REQUIRED"
    );
    assert_eq!(
        h.c.group(GROUP).unwrap().static_member_id(LEADER),
        Some(r.member_id.as_str())
    );
}

// testStaticMemberReJoinWithExplicitUnknownMemberId: a restarted static
// follower gets a new member id, the group does not rebalance, and the old
// id is fenced.
#[test]
fn static_follower_rejoin_keeps_group_stable_and_fences_old_id() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    let r = h.join_group(h.static_join_request(
        UNKNOWN_MEMBER_ID,
        FOLLOWER,
        protocols(&["range", "roundrobin"]),
    ));
    assert_eq!(r.error_code, ErrorCode::None);
    assert_ne!(r.member_id, s.follower);
    assert_eq!(r.generation_id, 1, "no new generation");
    assert_eq!(r.leader, s.leader);
    assert!(r.members.is_empty());
    assert_eq!(h.c.state(GROUP), Some(Stable));
    assert_eq!(h.c.generation(GROUP), Some(1));

    // the old incarnation is fenced everywhere
    assert_eq!(
        h.heartbeat_static(GROUP, &s.follower, Some(FOLLOWER), 1),
        ErrorCode::FencedInstanceId
    );
    let sync = h.sync_static(1, &s.follower, FOLLOWER, vec![]);
    assert_eq!(
        h.sync_response(sync).error_code,
        ErrorCode::FencedInstanceId
    );
    let j = h.join_group(h.static_join_request(
        &s.follower,
        FOLLOWER,
        protocols(&["range", "roundrobin"]),
    ));
    assert_eq!(j.error_code, ErrorCode::FencedInstanceId);

    // the new one keeps the old assignment
    let sync = h.sync_static(1, &r.member_id, FOLLOWER, vec![]);
    assert_eq!(h.sync_response(sync).assignment, vec![2]);
    assert_eq!(
        h.heartbeat_static(GROUP, &r.member_id, Some(FOLLOWER), 1),
        ErrorCode::None
    );
}

// The new member id is answered only once it is in the log.
#[test]
fn static_rejoin_waits_for_the_metadata_append() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    h.auto_ack = false;
    let rid = h.send_join(h.static_join_request(
        UNKNOWN_MEMBER_ID,
        FOLLOWER,
        protocols(&["range", "roundrobin"]),
    ));
    assert!(!h.answered(rid));
    assert_eq!(h.pending_appends.len(), 1);
    let record = &h.pending_appends[0].records[0];
    let v = crate::records::GroupMetadataValue::decode(record.value.as_ref().unwrap()).unwrap();
    let stored: Vec<_> = v.members.iter().map(|m| m.member_id.clone()).collect();
    assert!(stored.contains(&s.leader));
    assert!(!stored.contains(&s.follower));
    h.ack_all();
    assert_eq!(h.join_response(rid).error_code, ErrorCode::None);
}

// testStaticMemberRejoinWithKnownMemberIdAndPersistenceFailure (the
// replacement is undone).
#[test]
fn static_rejoin_store_failure_restores_old_member_id() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    h.auto_ack = false;
    let rid = h.send_join(h.static_join_request(
        UNKNOWN_MEMBER_ID,
        FOLLOWER,
        protocols(&["range", "roundrobin"]),
    ));
    h.fail_next_append(ErrorCode::NotLeaderOrFollower);
    let r = h.join_response(rid);
    assert_eq!(r.error_code, ErrorCode::NotCoordinator);
    assert_eq!(r.member_id, UNKNOWN_MEMBER_ID);
    assert_eq!(
        h.c.group(GROUP).unwrap().static_member_id(FOLLOWER),
        Some(s.follower.as_str())
    );
    h.auto_ack = true;
    assert_eq!(
        h.heartbeat_static(GROUP, &s.follower, Some(FOLLOWER), 1),
        ErrorCode::None
    );
}

// KIP-814 (JoinGroup v9): a restarted static leader is told it leads but
// must skip the assignment.
#[test]
fn static_leader_rejoin_skips_assignment() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    let mut req = h.static_join_request(
        UNKNOWN_MEMBER_ID,
        LEADER,
        protocols(&["range", "roundrobin"]),
    );
    req.supports_skip_assignment = true;
    let r = h.join_group(req);
    assert_eq!(r.error_code, ErrorCode::None);
    assert!(r.skip_assignment);
    assert_eq!(r.leader, r.member_id);
    assert_eq!(r.members.len(), 2);
    assert_ne!(r.member_id, s.leader);
    assert_eq!(h.c.state(GROUP), Some(Stable));
}

// Before v9 the restarted leader is answered with the old leader id, so it
// does not compute an assignment the Stable group would ignore.
#[test]
fn static_leader_rejoin_without_skip_gets_old_leader_id() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    let r = h.join_group(h.static_join_request(
        UNKNOWN_MEMBER_ID,
        LEADER,
        protocols(&["range", "roundrobin"]),
    ));
    assert_eq!(r.leader, s.leader);
    assert_ne!(r.member_id, s.leader);
    assert!(r.members.is_empty());
    assert_eq!(
        h.c.group(GROUP).unwrap().leader_id(),
        Some(r.member_id.as_str())
    );
}

// testStaticMemberRejoinWithUpdatedSelectedProtocol: protocols that change
// the group's protocol force a rebalance.
#[test]
fn static_rejoin_changing_selected_protocol_rebalances() {
    let mut h = Harness::new();
    static_members_stable(&mut h);
    let rid =
        h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, FOLLOWER, protocols(&["roundrobin"])));
    assert!(!h.answered(rid));
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
}

// Protocols that do not change the selected protocol: no rebalance.
#[test]
fn static_rejoin_with_compatible_protocols_does_not_rebalance() {
    let mut h = Harness::new();
    static_members_stable(&mut h);
    let r = h.join_group(h.static_join_request(UNKNOWN_MEMBER_ID, FOLLOWER, protocols(&["range"])));
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(h.c.state(GROUP), Some(Stable));
}

// testStaticMemberRejoinDuringCompletingRebalance: the leader may assign the
// old member id, so the group rebalances.
#[test]
fn static_rejoin_in_completing_rebalance_rebalances() {
    let mut h = Harness::new();
    let p = protocols(&["range"]);
    let l = h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, LEADER, p.clone()));
    let f = h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, FOLLOWER, p.clone()));
    h.advance(2 * i64::from(INITIAL_DELAY) + 1);
    let (_l, f) = (h.join_response(l), h.join_response(f));
    let fs = h.sync_static(1, &f.member_id, FOLLOWER, vec![]);
    assert_eq!(h.c.state(GROUP), Some(CompletingRebalance));
    let rid = h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, FOLLOWER, p));
    // the old incarnation's parked SyncGroup is fenced
    assert_eq!(h.sync_response(fs).error_code, ErrorCode::FencedInstanceId);
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    assert!(!h.answered(rid));
}

// testStaticMemberFenceDuplicateRejoinedFollower: an old incarnation parked
// in JoinGroup is fenced when a new one takes the instance id.
#[test]
fn duplicate_static_member_while_parked_is_fenced() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    let p = protocols(&["range", "roundrobin"]);
    // a new dynamic member forces a rebalance; the old follower rejoins and parks
    let _new = h.send_join(h.join_request(GROUP, UNKNOWN_MEMBER_ID, PROTOCOL_TYPE, p.clone()));
    let old = h.send_join(h.static_join_request(&s.follower, FOLLOWER, p.clone()));
    assert!(!h.answered(old));
    let dup = h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, FOLLOWER, p.clone()));
    let fenced = h.join_response(old);
    assert_eq!(fenced.error_code, ErrorCode::FencedInstanceId);
    assert_eq!(fenced.member_id, s.follower);
    assert!(!h.answered(dup));
    // the leader rejoins: generation 2 with the duplicate's new id
    let rl = h.send_join(h.static_join_request(&s.leader, LEADER, p));
    let r = h.join_response(dup);
    assert_eq!(r.generation_id, 2);
    assert_ne!(r.member_id, s.follower);
    assert_eq!(h.join_response(rl).members.len(), 3);
}

// Static members that do not rejoin in time are kept (only dynamic ones
// are removed at the end of the join phase); their session decides.
#[test]
fn static_member_not_removed_at_join_completion() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    let p = protocols(&["range", "roundrobin"]);
    let rl = h.send_join(h.static_join_request(&s.leader, LEADER, p));
    h.heartbeat_static(GROUP, &s.follower, Some(FOLLOWER), 1);
    h.advance(i64::from(DEFAULT_REBALANCE_TIMEOUT));
    let r = h.join_response(rl);
    assert_eq!(r.generation_id, 2);
    assert_eq!(r.members.len(), 2, "the static follower is still a member");
    assert!(h.c.group(GROUP).unwrap().has(&s.follower));
    assert_eq!(
        h.heartbeat_static(GROUP, &s.follower, Some(FOLLOWER), 1),
        ErrorCode::IllegalGeneration
    );
}

// Static members and heartbeats: unknown instance id, fenced member id.
#[test]
fn static_member_validation() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    assert_eq!(
        h.heartbeat_static(GROUP, &s.follower, Some("unknown-instance"), 1),
        ErrorCode::UnknownMemberId
    );
    assert_eq!(
        h.heartbeat_static(GROUP, &s.leader, Some(FOLLOWER), 1),
        ErrorCode::FencedInstanceId
    );
    let j =
        h.join_group(h.static_join_request(&s.follower, "unknown-instance", protocols(&["range"])));
    assert_eq!(j.error_code, ErrorCode::UnknownMemberId);
}

// LeaveGroup by group.instance.id alone (the admin path of KIP-345).
#[test]
fn leave_static_member_by_instance_id() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    let r = h.leave(GROUP, vec![("", Some(FOLLOWER)), ("", Some("nobody"))]);
    assert_eq!(r.members[0].error_code, ErrorCode::None);
    assert_eq!(r.members[1].error_code, ErrorCode::UnknownMemberId);
    assert!(!h.c.group(GROUP).unwrap().has(&s.follower));
    assert_eq!(h.c.group(GROUP).unwrap().static_member_id(FOLLOWER), None);
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    // a fenced leave
    let r = h.leave(GROUP, vec![(&s.follower, Some(LEADER))]);
    assert_eq!(r.members[0].error_code, ErrorCode::FencedInstanceId);
}

// A static member's session still expires.
#[test]
fn static_member_session_timeout() {
    let mut h = Harness::new();
    let s = static_members_stable(&mut h);
    h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) / 2);
    assert_eq!(
        h.heartbeat_static(GROUP, &s.leader, Some(LEADER), 1),
        ErrorCode::None
    );
    assert!(h.c.group(GROUP).unwrap().has(&s.follower));
    h.advance(i64::from(DEFAULT_SESSION_TIMEOUT) / 2);
    assert!(!h.c.group(GROUP).unwrap().has(&s.follower));
    assert_eq!(h.c.group(GROUP).unwrap().static_member_id(FOLLOWER), None);
    assert_eq!(
        h.heartbeat_static(GROUP, &s.leader, Some(LEADER), 1),
        ErrorCode::RebalanceInProgress
    );
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
}

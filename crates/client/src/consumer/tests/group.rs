//! Join/sync as leader and follower, heartbeats, eager vs cooperative
//! revocation, max.poll.interval.ms, static membership.

use super::*;
use crate::assignor::{Assignment, Subscription, TopicPartition as ATp};
use crate::consumer::consumer_protocol::{
    decode_subscription, encode_assignment, encode_subscription,
};

fn assignment_bytes(partitions: &[i32]) -> Vec<u8> {
    encode_assignment(
        &Assignment {
            partitions: partitions.iter().map(|p| ATp::new("t", *p)).collect(),
            user_data: None,
        },
        3,
    )
}

/// A member of group `g` subscribed to `t` (2 partitions), joined as a
/// follower with member id `c1-1` in generation 1 and assigned `partitions`
/// at time 0. The OffsetFetch for them is left pending.
pub(super) fn stable(settings: &[(&str, &str)], partitions: &[i32]) -> Harness {
    let mut all = vec![("group.id", "g"), ("client.id", "c1")];
    all.extend_from_slice(settings);
    let mut h = Harness::new(&all);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 2)], 0);
    h.find_coordinator(0);
    let (s, _) = h.first_join("c1-1");
    h.join_ok(&s, "c1-1", 1, "range", "c0-0", vec![]);
    let (s, _) = h.sync_request();
    h.sync_ok(&s, assignment_bytes(partitions));
    h
}

#[test]
fn leader_assigns_with_the_group_protocol_and_encodes_consumer_protocol_bytes() {
    let mut h = Harness::new(&[("group.id", "g"), ("client.id", "c1")]);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 3)], 0);
    h.find_coordinator(0);
    let (s, j) = h.first_join("c1-1");
    assert_eq!(j.group_id, "g");
    assert_eq!(j.protocol_type, "consumer");
    assert_eq!(j.session_timeout_ms, 45_000);
    assert_eq!(j.rebalance_timeout_ms, 300_000);
    // Kafka 3's default list, in preference order.
    let names: Vec<&str> = j.protocols.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["range", "cooperative-sticky"]);
    // ConsumerProtocolSubscription v3, by hand: version, topics ["t"], null
    // user data, no owned partitions, generation -1, null rack.
    let range: Vec<u8> = [
        &[0, 3][..],
        &[0, 0, 0, 1, 0, 1, b't'],
        &[0xff, 0xff, 0xff, 0xff],
        &[0, 0, 0, 0],
        &[0xff, 0xff, 0xff, 0xff],
        &[0xff, 0xff],
    ]
    .concat();
    assert_eq!(j.protocols[0].1, range);
    // cooperative-sticky's user data is the generation (INT32 -1).
    let coop: Vec<u8> = [
        &[0, 3][..],
        &[0, 0, 0, 1, 0, 1, b't'],
        &[0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff],
        &[0, 0, 0, 0],
        &[0xff, 0xff, 0xff, 0xff],
        &[0xff, 0xff],
    ]
    .concat();
    assert_eq!(j.protocols[1].1, coop);

    let other = encode_subscription(&Subscription::new(["t"]), 1);
    h.join_ok(
        &s,
        "c1-1",
        1,
        "range",
        "c1-1",
        vec![("c1-1", range), ("c2-1", other)],
    );
    let (s, sync) = h.sync_request();
    assert_eq!(sync.generation_id, 1);
    assert_eq!(sync.member_id, "c1-1");
    assert_eq!(sync.protocol_name.as_deref(), Some("range"));
    // Range over 3 partitions, members by id: c1-1 {t-0, t-1}, c2-1 {t-2}.
    let c1: Vec<u8> = [
        &[0, 3][..],
        &[0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1],
        &[0xff, 0xff, 0xff, 0xff],
    ]
    .concat();
    let c2: Vec<u8> = [
        &[0, 3][..],
        &[0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 1, 0, 0, 0, 2],
        &[0xff, 0xff, 0xff, 0xff],
    ]
    .concat();
    assert_eq!(
        sync.assignments,
        vec![("c1-1".to_string(), c1.clone()), ("c2-1".to_string(), c2)]
    );
    h.sync_ok(&s, c1);
    assert_eq!(h.c.assignment(), [tp("t", 0), tp("t", 1)].into());
    assert_eq!(h.c.generation(), 1);
    assert_eq!(h.c.member_id(), "c1-1");
    let done = h.events_of("rebalance-completed");
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["leader"], true);
    assert_eq!(done[0]["protocol"], "eager");
    // Positions come from the group's committed offsets.
    let s = h.take("OffsetFetch");
    let Request::Group(GroupRequest::OffsetFetch(f)) = &s.request else {
        unreachable!()
    };
    assert_eq!(
        f.partitions,
        Some(vec![("t".to_string(), 0), ("t".to_string(), 1)])
    );
}

#[test]
fn the_leader_runs_the_protocol_the_group_chose() {
    let mut h = Harness::new(&[
        ("group.id", "g"),
        ("partition.assignment.strategy", "roundrobin,range"),
    ]);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 4)], 0);
    h.find_coordinator(0);
    let (s, j) = h.first_join("a");
    let mine = j.protocols[0].1.clone();
    let other = encode_subscription(&Subscription::new(["t"]), 3);
    h.join_ok(
        &s,
        "a",
        1,
        "roundrobin",
        "a",
        vec![("a", mine), ("b", other)],
    );
    let (_, sync) = h.sync_request();
    // Round robin: a {t-0, t-2}, b {t-1, t-3} (range would give a {t-0, t-1}).
    let a = crate::consumer::consumer_protocol::decode_assignment(&sync.assignments[0].1).unwrap();
    assert_eq!(a.partitions, vec![ATp::new("t", 0), ATp::new("t", 2)]);
}

#[test]
fn follower_sends_no_assignments_and_takes_its_own() {
    let mut h = stable(&[], &[1]);
    assert_eq!(h.c.assignment(), [tp("t", 1)].into());
    assert_eq!(h.events_of("rebalance-completed")[0]["leader"], false);
    h.offset_fetch(&[(tp("t", 1), 4)]);
    assert_eq!(h.c.positions(), [(tp("t", 1), 4)].into());
    assert_eq!(h.c.committed()[&tp("t", 1)], 4);
    // Fetching starts at the committed offset, from the partition's leader.
    let f = h.take("Fetch");
    assert_eq!(f.to, 1);
    let Request::Fetch(r) = &f.request else {
        unreachable!()
    };
    assert_eq!(r.partitions[0].fetch_offset, 4);
    assert_eq!(r.replica_id, -1);
}

#[test]
fn follower_sync_request_is_empty() {
    let mut h = Harness::new(&[("group.id", "g")]);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 2)], 0);
    h.find_coordinator(0);
    let (s, _) = h.first_join("m");
    h.join_ok(&s, "m", 3, "range", "leader", vec![]);
    let (_, sync) = h.sync_request();
    assert!(sync.assignments.is_empty());
    assert_eq!(sync.generation_id, 3);
}

#[test]
fn heartbeats_every_interval_from_the_background() {
    let mut h = stable(&[], &[0]);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.sent.clear();
    h.advance_to(2999);
    assert_eq!(h.count("Heartbeat"), 0);
    h.advance_to(3000);
    let hb = h.take("Heartbeat");
    let Request::Group(GroupRequest::Heartbeat(r)) = &hb.request else {
        unreachable!()
    };
    assert_eq!((r.generation_id, r.member_id.as_str()), (1, "c1-1"));
    h.respond_group(
        &hb,
        GroupResponse::Heartbeat(::coordinator::HeartbeatResponse {
            error_code: ErrorCode::None,
        }),
    );
    h.advance_to(5999);
    assert_eq!(h.count("Heartbeat"), 0);
    h.advance_to(6000);
    assert_eq!(h.count("Heartbeat"), 1);
    // No poll in between: heartbeats do not depend on the application.
}

#[test]
fn unanswered_heartbeats_lose_the_coordinator_after_the_session() {
    let mut h = stable(
        &[
            ("session.timeout.ms", "10000"),
            ("request.timeout.ms", "60000"),
        ],
        &[0],
    );
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.advance_to(3000);
    let _unanswered = h.take("Heartbeat");
    h.advance_to(10_000);
    assert_eq!(h.events_of("coordinator-unknown").len(), 1);
    assert!(h.count("FindCoordinator") >= 1);
}

fn rebalance_via_heartbeat(h: &mut Harness) {
    h.advance_to(3000);
    let hb = h.take("Heartbeat");
    h.respond_group(
        &hb,
        GroupResponse::Heartbeat(::coordinator::HeartbeatResponse {
            error_code: ErrorCode::RebalanceInProgress,
        }),
    );
}

#[test]
fn eager_revokes_everything_before_rejoining() {
    let mut h = stable(&[("enable.auto.commit", "false")], &[0, 1]);
    h.offset_fetch(&[(tp("t", 0), 0), (tp("t", 1), 0)]);
    rebalance_via_heartbeat(&mut h);
    let started = h.events_of("rebalance-started");
    assert_eq!(started.last().unwrap()["protocol"], "eager");
    assert_eq!(
        started.last().unwrap()["revoked"],
        serde_json::json!(["t-0", "t-1"])
    );
    assert!(h.c.assignment().is_empty());
    let (s, j) = h.join_request();
    assert_eq!(j.member_id, "c1-1");
    // Eager: nothing owned is reported.
    assert!(decode_subscription(&j.protocols[0].1)
        .unwrap()
        .owned_partitions
        .is_empty());
    h.join_ok(&s, "c1-1", 2, "range", "c0-0", vec![]);
    let (s, _) = h.sync_request();
    h.sync_ok(&s, assignment_bytes(&[1]));
    let done = h.events_of("rebalance-completed");
    let last = done.last().unwrap();
    assert_eq!(last["assigned"], serde_json::json!(["t-1"]));
    assert_eq!(last["revoked"], serde_json::json!([]));
    assert_eq!(h.c.assignment(), [tp("t", 1)].into());
    // The application was told to give up both, t-1 included.
    assert_eq!(h.c.revoked(), &[tp("t", 0), tp("t", 1)].into());
    // The rebalance's change: both revoked, t-1 assigned again.
    let change = h.c.last_assignment_change().unwrap();
    assert_eq!(change.generation, 2);
    assert_eq!(change.revoked, [tp("t", 0), tp("t", 1)].into());
    assert_eq!(change.added, [tp("t", 1)].into());
    assert!(change.lost.is_empty());
    // The kept partition's position is gone with the revocation: fetched again.
    assert_eq!(h.count("OffsetFetch"), 1);
    assert_eq!(h.count("JoinGroup"), 0);
}

#[test]
fn cooperative_keeps_owned_partitions_and_revokes_only_what_moves() {
    let mut h = stable(
        &[
            ("partition.assignment.strategy", "cooperative-sticky"),
            ("enable.auto.commit", "false"),
        ],
        &[0, 1],
    );
    h.offset_fetch(&[(tp("t", 0), 5), (tp("t", 1), 7)]);
    rebalance_via_heartbeat(&mut h);
    let started = h.events_of("rebalance-started");
    assert_eq!(started.last().unwrap()["protocol"], "cooperative");
    assert_eq!(started.last().unwrap()["revoked"], serde_json::json!([]));
    // Still owned, still fetching while the group rebalances.
    assert_eq!(h.c.assignment(), [tp("t", 0), tp("t", 1)].into());
    let (s, j) = h.join_request();
    let sub = decode_subscription(&j.protocols[0].1).unwrap();
    assert_eq!(
        sub.owned_partitions,
        vec![ATp::new("t", 0), ATp::new("t", 1)]
    );
    assert_eq!(sub.generation_id, Some(1));
    assert_eq!(sub.user_data, Some(vec![0, 0, 0, 1]));
    h.join_ok(&s, "c1-1", 2, "cooperative-sticky", "c0-0", vec![]);
    let (s, _) = h.sync_request();
    h.sync_ok(&s, assignment_bytes(&[0]));
    let last = h
        .events_of("rebalance-completed")
        .last()
        .cloned()
        .unwrap()
        .clone();
    assert_eq!(last["revoked"], serde_json::json!(["t-1"]));
    assert_eq!(last["assigned"], serde_json::json!([]));
    assert_eq!(h.c.revoked(), &[tp("t", 1)].into());
    // Only the partition that moves is in the change; t-0 is neither.
    let change = h.c.last_assignment_change().unwrap().clone();
    assert_eq!(change.revoked, [tp("t", 1)].into());
    assert!(change.added.is_empty());
    // t-0 kept its position; no OffsetFetch needed for it.
    assert_eq!(h.c.positions(), [(tp("t", 0), 5)].into());
    // Something was revoked: rejoin at once so it can move.
    let (_, j) = h.join_request();
    let sub = decode_subscription(&j.protocols[0].1).unwrap();
    assert_eq!(sub.owned_partitions, vec![ATp::new("t", 0)]);
    assert_eq!(sub.generation_id, Some(2));
}

#[test]
fn default_strategy_list_is_eager_and_cooperative_needs_every_assignor() {
    let h = Harness::new(&[("group.id", "g")]);
    assert_eq!(
        h.c.group.rebalance_protocol,
        crate::assignor::RebalanceProtocol::Eager
    );
    let h = Harness::new(&[
        ("group.id", "g"),
        ("partition.assignment.strategy", "cooperative-sticky"),
    ]);
    assert_eq!(
        h.c.group.rebalance_protocol,
        crate::assignor::RebalanceProtocol::Cooperative
    );
}

#[test]
fn not_polling_within_max_poll_interval_leaves_the_group() {
    let mut h = stable(
        &[
            ("max.poll.interval.ms", "10000"),
            ("enable.auto.commit", "false"),
        ],
        &[0],
    );
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.advance_to(10_000);
    assert_eq!(h.count("LeaveGroup"), 0);
    h.advance_to(10_001);
    let leave = h.take("LeaveGroup");
    let Request::Group(GroupRequest::LeaveGroup(l)) = &leave.request else {
        unreachable!()
    };
    assert_eq!(l.members[0].member_id, "c1-1");
    assert_eq!(h.events_of("poll-timeout-expired").len(), 1);
    assert_eq!(h.c.member_id(), "");
    // Out of the group until the application polls again.
    h.sent.clear();
    h.advance_to(30_000);
    assert_eq!(h.count("JoinGroup"), 0);
    assert_eq!(h.count("Heartbeat"), 0);
    let _ = h.poll(0);
    let (_, j) = h.join_request();
    assert_eq!(j.member_id, "");
    assert_eq!(h.events_of("partitions-lost").len(), 1);
}

#[test]
fn polling_keeps_the_member_in_the_group() {
    let mut h = stable(&[("max.poll.interval.ms", "10000")], &[0]);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    for t in (5000..=40_000).step_by(5000) {
        h.advance_to(t);
        let _ = h.poll(0);
    }
    assert_eq!(h.count("LeaveGroup"), 0);
}

#[test]
fn static_member_sends_no_leave_group() {
    let mut h = stable(
        &[
            ("group.instance.id", "i1"),
            ("max.poll.interval.ms", "10000"),
        ],
        &[0],
    );
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.advance_to(3000);
    let hb = h.take("Heartbeat");
    let Request::Group(GroupRequest::Heartbeat(r)) = &hb.request else {
        unreachable!()
    };
    assert_eq!(r.group_instance_id.as_deref(), Some("i1"));
    h.advance_to(10_001);
    assert_eq!(h.count("LeaveGroup"), 0);
    assert_eq!(h.events_of("poll-timeout-expired").len(), 1);

    let mut h = stable(&[("group.instance.id", "i1")], &[0]);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.c.close(h.now, &mut h.out);
    h.collect();
    assert_eq!(h.count("LeaveGroup"), 0);
    assert_eq!(h.count("OffsetCommit"), 1);
}

#[test]
fn close_commits_and_leaves() {
    let mut h = stable(&[], &[0]);
    h.offset_fetch(&[(tp("t", 0), 3)]);
    h.sent.clear();
    h.c.close(h.now, &mut h.out);
    h.collect();
    assert_eq!(h.apis(), ["OffsetCommit", "LeaveGroup"]);
    assert!(h.c.is_closed());
    assert!(h.c.start_poll(h.now, 0, &mut h.out).is_err());
}

#[test]
fn unknown_member_id_from_sync_resets_and_rejoins() {
    let mut h = Harness::new(&[("group.id", "g")]);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 2)], 0);
    h.find_coordinator(0);
    let (s, _) = h.first_join("m");
    h.join_ok(&s, "m", 1, "range", "x", vec![]);
    let (s, _) = h.sync_request();
    h.respond_group(
        &s,
        GroupResponse::SyncGroup(SyncGroupResponse::error(ErrorCode::UnknownMemberId)),
    );
    let (_, j) = h.join_request();
    assert_eq!(j.member_id, "");
}

#[test]
fn not_coordinator_sends_the_consumer_looking_again() {
    let mut h = Harness::new(&[("group.id", "g")]);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 2)], 0);
    h.find_coordinator(0);
    let (s, _) = h.join_request();
    h.respond_group(
        &s,
        GroupResponse::JoinGroup(JoinGroupResponse::error("", ErrorCode::NotCoordinator)),
    );
    assert_eq!(h.count("JoinGroup"), 0);
    h.find_coordinator(1);
    let (s, _) = h.join_request();
    assert_eq!(s.to, 1);
}

#[test]
fn fenced_instance_is_thrown_at_poll() {
    let mut h = stable(&[("group.instance.id", "i1")], &[0]);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.advance_to(3000);
    let hb = h.take("Heartbeat");
    h.respond_group(
        &hb,
        GroupResponse::Heartbeat(::coordinator::HeartbeatResponse {
            error_code: ErrorCode::FencedInstanceId,
        }),
    );
    assert_eq!(h.poll(0), Err(ConsumerError::FencedInstanceId));
}

#[test]
fn leader_rejoins_when_a_subscribed_topic_grows() {
    let mut h = Harness::new(&[("group.id", "g"), ("metadata.max.age.ms", "1000")]);
    h.c.subscribe(0, &["t"], &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 2)], 0);
    h.find_coordinator(0);
    let (s, j) = h.first_join("a");
    h.join_ok(
        &s,
        "a",
        1,
        "range",
        "a",
        vec![("a", j.protocols[0].1.clone())],
    );
    let (s, sync) = h.sync_request();
    h.sync_ok(&s, sync.assignments[0].1.clone());
    h.offset_fetch(&[(tp("t", 0), 0), (tp("t", 1), 0)]);
    h.advance_to(1000);
    h.metadata(&[("t", 3)], 0);
    assert!(h.try_take("JoinGroup").is_some());
}

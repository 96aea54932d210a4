//! Loading `__consumer_offsets` (GroupMetadataManagerTest's load cases) and
//! coordinator failover.

use super::harness::*;
use crate::api::*;
use crate::coordinator::{Coordinator, Output};
use crate::load::LoadRecord;
use crate::records::*;
use crate::state::GroupState::*;
use protocol::ErrorCode;

fn offset_record(
    group: &str,
    topic: &str,
    partition: i32,
    offset: i64,
) -> (Vec<u8>, Option<Vec<u8>>) {
    (
        OffsetCommitKey {
            group: group.into(),
            topic: topic.into(),
            partition,
        }
        .encode(),
        Some(
            OffsetCommitValue {
                offset,
                leader_epoch: -1,
                metadata: String::new(),
                commit_timestamp: 0,
                expire_timestamp: -1,
            }
            .encode(),
        ),
    )
}

fn offset_tombstone(group: &str, topic: &str, partition: i32) -> (Vec<u8>, Option<Vec<u8>>) {
    (
        OffsetCommitKey {
            group: group.into(),
            topic: topic.into(),
            partition,
        }
        .encode(),
        None,
    )
}

fn group_record(
    group: &str,
    generation: i32,
    members: &[(&str, Option<&str>)],
) -> (Vec<u8>, Option<Vec<u8>>) {
    let value = GroupMetadataValue {
        protocol_type: "consumer".into(),
        generation,
        protocol: (!members.is_empty()).then(|| "range".to_string()),
        leader: members.first().map(|(m, _)| m.to_string()),
        current_state_timestamp: 1000,
        members: members
            .iter()
            .map(|(m, instance)| MemberMetadataValue {
                member_id: m.to_string(),
                group_instance_id: instance.map(str::to_string),
                client_id: "client".into(),
                client_host: "/host".into(),
                rebalance_timeout: 60_000,
                session_timeout: 10_000,
                subscription: vec![1],
                assignment: vec![2, m.len() as u8],
            })
            .collect(),
    };
    (
        GroupMetadataKey {
            group: group.into(),
        }
        .encode(),
        Some(value.encode()),
    )
}

fn load(c: &mut Coordinator, records: &[(Vec<u8>, Option<Vec<u8>>)]) -> Vec<Output> {
    let p = c.partition_for(GROUP);
    c.load(
        0,
        p,
        records
            .iter()
            .enumerate()
            .map(|(i, (k, v))| LoadRecord::data(i as i64, k, v.as_deref())),
    )
    .unwrap()
}

fn fresh() -> Coordinator {
    Coordinator::new(test_config(), 7)
}

// testLoadOffsetsWithoutGroup
#[test]
fn load_offsets_without_group() {
    let mut c = fresh();
    load(
        &mut c,
        &[
            offset_record(GROUP, "foo", 0, 23),
            offset_record(GROUP, "foo", 1, 455),
            offset_record(GROUP, "bar", 0, 8992),
        ],
    );
    assert_eq!(c.state(GROUP), Some(Empty));
    assert_eq!(c.generation(GROUP), Some(0));
    assert_eq!(c.committed(GROUP, "foo", 0), Some(23));
    assert_eq!(c.committed(GROUP, "foo", 1), Some(455));
    assert_eq!(c.committed(GROUP, "bar", 0), Some(8992));
    assert!(c.owns_partition(c.partition_for(GROUP)));
}

// testLoadOffsetsWithTombstones: a tombstone deletes; a later commit wins.
#[test]
fn load_offsets_with_tombstones() {
    let mut c = fresh();
    load(
        &mut c,
        &[
            offset_record(GROUP, "foo", 0, 23),
            offset_record(GROUP, "foo", 1, 455),
            offset_tombstone(GROUP, "foo", 1),
            offset_record(GROUP, "foo", 0, 24),
        ],
    );
    assert_eq!(c.committed(GROUP, "foo", 0), Some(24));
    assert_eq!(c.committed(GROUP, "foo", 1), None);
}

// testLoadEmptyGroupWithOffsets
#[test]
fn load_empty_group_with_offsets() {
    let mut c = fresh();
    load(
        &mut c,
        &[
            offset_record(GROUP, "foo", 0, 5),
            group_record(GROUP, 5, &[]),
        ],
    );
    let g = c.group(GROUP).unwrap();
    assert_eq!(g.state(), Empty);
    assert_eq!(g.generation_id(), 5);
    assert_eq!(g.protocol_type(), Some("consumer"));
    assert_eq!(g.protocol_name(), None);
    assert_eq!(g.leader_id(), None);
    assert_eq!(g.current_state_timestamp(), Some(1000));
    assert_eq!(c.committed(GROUP, "foo", 0), Some(5));
}

// testLoadStableGroup (and onGroupLoaded: members get a fresh session).
#[test]
fn load_stable_group() {
    let mut c = fresh();
    let out = load(
        &mut c,
        &[group_record(GROUP, 3, &[("m1", None), ("m2", Some("i2"))])],
    );
    let g = c.group(GROUP).unwrap();
    assert_eq!(g.state(), Stable);
    assert_eq!(g.generation_id(), 3);
    assert_eq!(g.protocol_name(), Some("range"));
    assert_eq!(g.leader_id(), Some("m1"));
    assert_eq!(g.static_member_id("i2"), Some("m2"));
    assert_eq!(c.assignment(GROUP, "m1"), Some(&[2u8, 2][..]));
    let m = g.member("m2").unwrap();
    assert_eq!(m.supported_protocols, vec![("range".to_string(), vec![1])]);
    assert_eq!(
        (m.session_timeout_ms, m.rebalance_timeout_ms),
        (10_000, 60_000)
    );
    let heartbeats = out
        .iter()
        .filter(|o| {
            matches!(
                o,
                Output::SetTimer {
                    deadline: 10_000,
                    ..
                }
            )
        })
        .count();
    assert_eq!(heartbeats, 2);
    // a member that never heartbeats to the new coordinator is dropped
    let _ = c.advance_to(10_000);
    assert!(!c.group(GROUP).unwrap().has("m1"));
}

// testLoadGroupWithTombstone
#[test]
fn load_group_with_tombstone() {
    let mut c = fresh();
    let (key, _) = group_record(GROUP, 1, &[]);
    load(
        &mut c,
        &[group_record(GROUP, 1, &[("m1", None)]), (key, None)],
    );
    assert_eq!(c.state(GROUP), None);
}

// testLoadOffsetWithExplicitRetention: OffsetCommitValue v1.
#[test]
fn load_offset_commit_value_v1() {
    let mut c = fresh();
    #[rustfmt::skip]
    let v1 = vec![
        0, 1,
        0, 0, 0, 0, 0, 0, 0, 9,
        0, 2, b'm', b'd',
        0, 0, 0, 0, 0, 0, 0, 100,
        0, 0, 0, 0, 0, 0, 0, 200,
    ];
    let (key, _) = offset_record(GROUP, "foo", 0, 0);
    load(&mut c, &[(key, Some(v1))]);
    let om = c.group(GROUP).unwrap().offset("foo", 0).unwrap().clone();
    assert_eq!(
        (
            om.offset,
            om.metadata.as_str(),
            om.commit_timestamp,
            om.expire_timestamp
        ),
        (9, "md", 100, Some(200))
    );
}

// A corrupted record fails the load; the partition keeps answering
// COORDINATOR_LOAD_IN_PROGRESS.
#[test]
fn corrupted_log_fails_the_load() {
    let mut c = fresh();
    let p = c.partition_for(GROUP);
    c.begin_loading(p);
    let err = c
        .load(0, p, [LoadRecord::data(12, &[0, 9], None)])
        .unwrap_err();
    assert_eq!(err.batch_base_offset, 12);
    assert_eq!(err.error, RecordDecodeError::UnknownKeyVersion(9));
    assert!(c.is_loading(p));
    let out = c.handle(
        0,
        1,
        Request::Heartbeat(HeartbeatRequest {
            group_id: GROUP.into(),
            generation_id: 1,
            member_id: "m".into(),
            group_instance_id: None,
        }),
    );
    // answered blindly while loading
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

// onGroupLoaded: a group over group.max.size rebalances right away.
#[test]
fn load_over_capacity_group_rebalances() {
    let mut c = fresh();
    let members: Vec<(String, Option<&str>)> = (0..=GROUP_MAX_SIZE)
        .map(|i| (format!("m{i}"), None))
        .collect();
    let refs: Vec<(&str, Option<&str>)> = members.iter().map(|(m, i)| (m.as_str(), *i)).collect();
    load(&mut c, &[group_record(GROUP, 1, &refs)]);
    assert_eq!(c.state(GROUP), Some(PreparingRebalance));
}

/// Failover: everything a coordinator wrote to `__consumer_offsets` is
/// enough for a new one to carry on with the same group.
#[test]
fn failover_rebuilds_group_and_offsets() {
    let mut h = Harness::new();
    let a = h.send_join(h.join_request(
        GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        protocols(&["range"]),
    ));
    let b =
        h.send_join(h.static_join_request(UNKNOWN_MEMBER_ID, "instance-b", protocols(&["range"])));
    h.advance(2 * i64::from(INITIAL_DELAY) + 1);
    let (a, b) = (h.join_response(a), h.join_response(b));
    let sa = h.send_sync(
        GROUP,
        1,
        &a.member_id,
        vec![
            (a.member_id.clone(), vec![10]),
            (b.member_id.clone(), vec![20]),
        ],
    );
    assert_eq!(h.sync_response(sa).error_code, ErrorCode::None);
    let _ = h.sync_static(1, &b.member_id, "instance-b", vec![]);
    assert_eq!(
        h.commit(GROUP, &a.member_id, 1, &[("foo", 0, 10), ("foo", 1, 20)]),
        vec![ErrorCode::None; 2]
    );
    assert_eq!(
        h.commit(GROUP, &a.member_id, 1, &[("foo", 0, 11)]),
        vec![ErrorCode::None]
    );

    let p = h.c.partition_for(GROUP);
    let mut c2 = Coordinator::new(test_config(), 99);
    c2.begin_loading(p);
    c2.load(h.now, p, h.load_records(p)).unwrap();
    let (g1, g2) = (h.c.group(GROUP).unwrap(), c2.group(GROUP).unwrap());
    assert_eq!(g2.state(), Stable);
    assert_eq!(g2.generation_id(), g1.generation_id());
    assert_eq!(g2.leader_id(), g1.leader_id());
    assert_eq!(g2.protocol_name(), Some("range"));
    assert_eq!(
        g2.static_member_id("instance-b"),
        Some(b.member_id.as_str())
    );
    assert_eq!(c2.assignment(GROUP, &a.member_id), Some(&[10u8][..]));
    assert_eq!(c2.assignment(GROUP, &b.member_id), Some(&[20u8][..]));
    assert_eq!(c2.committed(GROUP, "foo", 0), Some(11));
    assert_eq!(c2.committed(GROUP, "foo", 1), Some(20));
    assert_eq!(g2.offset("foo", 0), g1.offset("foo", 0));

    // the members carry on with the new coordinator
    let out = c2.handle(
        h.now,
        1,
        Request::Heartbeat(HeartbeatRequest {
            group_id: GROUP.into(),
            generation_id: 1,
            member_id: a.member_id.clone(),
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

    // and the old one lets go: parked requests learn NOT_COORDINATOR
    let rid =
        h.send_join(h.join_request(GROUP, &a.member_id, PROTOCOL_TYPE, protocols(&["range"])));
    assert!(
        !h.answered(rid),
        "the leader's rejoin waits for the static member"
    );
    let out = h.c.unload(h.now, p);
    h.process(out);
    assert_eq!(h.join_response(rid).error_code, ErrorCode::NotCoordinator);
    assert_eq!(h.c.state(GROUP), None);
    assert_eq!(
        h.heartbeat(GROUP, &a.member_id, 1),
        ErrorCode::NotCoordinator
    );
    // only the coordinator-wide offsets cleanup is left
    assert_eq!(h.c.live_timers(), 1);
}

// removeGroupsForPartition: members parked in a join learn NOT_COORDINATOR.
#[test]
fn unload_answers_parked_joins() {
    let mut h = Harness::new();
    let (m, _) = h.stable_single_member();
    let second = h.send_join(h.join_request(
        GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        protocols(&["range"]),
    ));
    assert!(!h.answered(second));
    let p = h.c.partition_for(GROUP);
    let out = h.c.unload(h.now, p);
    h.process(out);
    let r = h.join_response(second);
    assert_eq!(r.error_code, ErrorCode::NotCoordinator);
    assert!(h
        .state_changes
        .contains(&(GROUP.to_string(), PreparingRebalance, Dead)));
    assert_eq!(
        h.commit(GROUP, &m, 1, &[("foo", 0, 1)]),
        vec![ErrorCode::NotCoordinator]
    );
}

/// A Dead group (Kafka keeps one briefly while it is removed) accepts
/// nothing: every request is refused and nothing changes or is written.
#[test]
fn dead_group_accepts_nothing() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 5)]),
        vec![ErrorCode::None]
    );
    h.c.groups.get_mut(GROUP).unwrap().state = Dead;
    let appends_before = h.log.values().map(Vec::len).sum::<usize>();
    let timers_before = h.c.live_timers();

    let join = h.join_group(h.join_request(
        GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        protocols(&["range"]),
    ));
    assert_eq!(join.error_code, ErrorCode::CoordinatorNotAvailable);
    let join = h.join_group(h.join_request(GROUP, &m, PROTOCOL_TYPE, protocols(&["range"])));
    assert_eq!(join.error_code, ErrorCode::CoordinatorNotAvailable);
    let s = h.send_sync(GROUP, g, &m, vec![]);
    assert_eq!(
        h.sync_response(s).error_code,
        ErrorCode::CoordinatorNotAvailable
    );
    assert_eq!(
        h.heartbeat(GROUP, &m, g),
        ErrorCode::CoordinatorNotAvailable
    );
    assert_eq!(
        h.leave(GROUP, vec![(&m, None)]).error_code,
        ErrorCode::CoordinatorNotAvailable
    );
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 6)]),
        vec![ErrorCode::CoordinatorNotAvailable]
    );
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 6)]),
        vec![ErrorCode::CoordinatorNotAvailable]
    );
    let fetched = h.fetch(GROUP, Some(vec![("foo", 0)]));
    assert_eq!(fetched.partitions[0].committed_offset, INVALID_OFFSET);

    let group = h.c.group(GROUP).unwrap();
    assert_eq!(group.state(), Dead);
    assert!(group.has(&m));
    assert_eq!(h.log.values().map(Vec::len).sum::<usize>(), appends_before);
    assert!(h.pending_appends.is_empty());
    assert_eq!(h.c.live_timers(), timers_before);
    // and its heartbeat deadline does nothing
    h.advance(10 * i64::from(DEFAULT_SESSION_TIMEOUT));
    assert!(h.c.group(GROUP).unwrap().has(&m));
}

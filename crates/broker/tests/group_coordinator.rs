//! The group coordinator hosted by brokers: FindCoordinator creating
//! `__consumer_offsets`, a two-member rebalance, offset commits that wait
//! for replication and survive a coordinator failover.

mod common;

use common::Cluster;
use coordinator::{
    GroupState, HeartbeatRequest, JoinGroupRequest, JoinGroupResponse, OffsetCommitRequest,
    OffsetCommitRequestPartition, OffsetFetchRequest, SyncGroupRequest,
};
use kafkascope_broker::api::*;
use protocol::ErrorCode;

const SMALL: &[(&str, &str)] = &[
    ("offsets.topic.num.partitions", "3"),
    ("group.initial.rebalance.delay.ms", "0"),
];

fn offsets_tp(group: &str, n: i32) -> TopicPartition {
    TopicPartition::new("__consumer_offsets", coordinator::partition_for(group, n))
}

fn group(r: Response) -> coordinator::Response {
    match r {
        Response::Group(g) => g,
        other => panic!("not a group response: {other:?}"),
    }
}

#[test]
fn find_coordinator_creates_consumer_offsets_with_kafkas_defaults() {
    let mut c = Cluster::start(3, &[]);
    let r = c.call(
        0,
        Request::FindCoordinator {
            key: "app".into(),
            key_type: CoordinatorType::Group,
        },
    );
    assert_eq!(
        r,
        Response::FindCoordinator {
            error: ErrorCode::CoordinatorNotAvailable,
            node_id: -1
        }
    );
    let node = c.find_coordinator(0, "app", CoordinatorType::Group);
    // 50 partitions, 3 replicas each, compacted.
    let tree = c.zk.tree();
    let assignment = tree.get("/brokers/topics/__consumer_offsets").unwrap();
    let text = String::from_utf8(assignment.data.clone()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let parts = v["partitions"].as_object().unwrap();
    assert_eq!(parts.len(), 50);
    assert!(parts.values().all(|r| r.as_array().unwrap().len() == 3));
    let config = tree.get("/config/topics/__consumer_offsets").unwrap();
    let config = String::from_utf8(config.data.clone()).unwrap();
    assert!(config.contains(r#""cleanup.policy":"compact""#), "{config}");
    assert!(
        config.contains(r#""segment.bytes":"104857600""#),
        "{config}"
    );
    let tp = offsets_tp("app", 50);
    assert_eq!(Some(node), c.leader(&tp));
    // Every broker answers the same.
    for b in 0..3 {
        assert_eq!(c.find_coordinator(b, "app", CoordinatorType::Group), node);
    }
    assert!(c
        .broker(node)
        .group_coordinator()
        .owns_partition(tp.partition));
}

#[test]
fn too_few_brokers_fail_creation_with_invalid_replication_factor() {
    let mut c = Cluster::start(2, &[]);
    let r = c.call(
        1,
        Request::FindCoordinator {
            key: "app".into(),
            key_type: CoordinatorType::Group,
        },
    );
    assert!(matches!(
        r,
        Response::FindCoordinator {
            error: ErrorCode::CoordinatorNotAvailable,
            ..
        }
    ));
    let failed = c.events_of("internal-topic-creation-failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["error"], "INVALID_REPLICATION_FACTOR");
    assert!(c
        .zk
        .tree()
        .get("/brokers/topics/__consumer_offsets")
        .is_none());
}

struct Member {
    id: String,
    generation: i32,
}

/// Two members join; both get generation 1; the leader's assignment
/// reaches the follower through SyncGroup; heartbeats are accepted.
fn two_members(c: &mut Cluster, coord: BrokerId) -> (Member, Member) {
    let protocols = vec![("range".to_string(), b"meta".to_vec())];
    let join = |client: &str| JoinGroupRequest::new("app", client, protocols.clone());
    let mut ids = Vec::new();
    for client in ["consumer-1", "consumer-2"] {
        let r = group(c.call(
            coord,
            Request::Group(coordinator::Request::JoinGroup(join(client))),
        ));
        let coordinator::Response::JoinGroup(r) = r else {
            panic!()
        };
        assert_eq!(r.error_code, ErrorCode::MemberIdRequired);
        ids.push(r.member_id);
    }
    // Both rejoin with their ids; answered when the join phase completes.
    let corrs: Vec<i32> = ["consumer-1", "consumer-2"]
        .iter()
        .zip(&ids)
        .map(|(client, id)| {
            let req = JoinGroupRequest {
                member_id: id.clone(),
                ..join(client)
            };
            c.send(
                1,
                coord,
                Request::Group(coordinator::Request::JoinGroup(req)),
            )
        })
        .collect();
    c.run_for(100);
    let joined: Vec<JoinGroupResponse> = corrs
        .iter()
        .map(|&k| match group(c.take(1, k).expect("join answered")) {
            coordinator::Response::JoinGroup(r) => r,
            other => panic!("{other:?}"),
        })
        .collect();
    for r in &joined {
        assert_eq!(r.error_code, ErrorCode::None);
        assert_eq!(r.generation_id, 1);
    }
    let leader = joined[0].leader.clone();
    let (li, fi) = if leader == ids[0] { (0, 1) } else { (1, 0) };
    assert_eq!(joined[li].members.len(), 2, "the leader gets the members");
    let sync = |member: &str, assignments: Vec<(String, Vec<u8>)>| {
        Request::Group(coordinator::Request::SyncGroup(SyncGroupRequest {
            group_id: "app".into(),
            generation_id: 1,
            member_id: member.into(),
            group_instance_id: None,
            protocol_type: Some("consumer".into()),
            protocol_name: Some("range".into()),
            assignments,
        }))
    };
    // The follower's SyncGroup waits for the leader's.
    let follower_sync = c.send(1, coord, sync(&ids[fi], vec![]));
    c.run_for(10);
    assert!(c.take(1, follower_sync).is_none());
    let assignments = vec![
        (ids[li].clone(), b"to-leader".to_vec()),
        (ids[fi].clone(), b"to-follower".to_vec()),
    ];
    let r = group(c.call(coord, sync(&ids[li], assignments)));
    let coordinator::Response::SyncGroup(r) = r else {
        panic!()
    };
    assert_eq!(
        (r.error_code, r.assignment.as_slice()),
        (ErrorCode::None, &b"to-leader"[..])
    );
    c.run_for(10);
    let coordinator::Response::SyncGroup(r) = group(c.take(1, follower_sync).unwrap()) else {
        panic!()
    };
    assert_eq!(r.assignment, b"to-follower");
    let view = c.broker(coord).group_coordinator();
    assert_eq!(view.state("app"), Some(GroupState::Stable));
    assert_eq!(view.generation("app"), Some(1));
    assert_eq!(view.assignment("app", &ids[fi]), Some(&b"to-follower"[..]));
    for id in &ids {
        let r = group(c.call(
            coord,
            Request::Group(coordinator::Request::Heartbeat(HeartbeatRequest {
                group_id: "app".into(),
                generation_id: 1,
                member_id: id.clone(),
                group_instance_id: None,
            })),
        ));
        assert_eq!(
            r,
            coordinator::Response::Heartbeat(coordinator::HeartbeatResponse {
                error_code: ErrorCode::None
            })
        );
    }
    let m = |i: usize| Member {
        id: ids[i].clone(),
        generation: 1,
    };
    (m(li), m(fi))
}

fn commit(member: &Member, offset: i64) -> Request {
    commit_to(member, "orders", offset)
}

fn commit_to(member: &Member, topic: &str, offset: i64) -> Request {
    Request::Group(coordinator::Request::OffsetCommit(OffsetCommitRequest {
        group_id: "app".into(),
        generation_id: member.generation,
        member_id: member.id.clone(),
        group_instance_id: None,
        partitions: vec![OffsetCommitRequestPartition {
            topic: topic.into(),
            partition_index: 0,
            committed_offset: offset,
            committed_leader_epoch: -1,
            committed_metadata: None,
        }],
    }))
}

fn fetch_committed(c: &mut Cluster, coord: BrokerId) -> (ErrorCode, i64) {
    let r = group(c.call(
        coord,
        Request::Group(coordinator::Request::OffsetFetch(OffsetFetchRequest {
            group_id: "app".into(),
            partitions: Some(vec![("orders".into(), 0)]),
            require_stable: false,
        })),
    ));
    let coordinator::Response::OffsetFetch(r) = r else {
        panic!("{r:?}")
    };
    let p = &r.partitions[0];
    (r.error_code.or(p.error_code), p.committed_offset)
}

trait OrCode {
    fn or(self, other: ErrorCode) -> ErrorCode;
}

impl OrCode for ErrorCode {
    fn or(self, other: ErrorCode) -> ErrorCode {
        if self == ErrorCode::None {
            other
        } else {
            self
        }
    }
}

#[test]
fn join_sync_heartbeat_round_trip_for_two_members() {
    let mut c = Cluster::start(3, SMALL);
    let coord = c.find_coordinator(2, "app", CoordinatorType::Group);
    two_members(&mut c, coord);
    let changes = c.events_of("group-state");
    assert!(changes.iter().any(|e| e["to"] == "Stable"), "{changes:?}");
}

#[test]
fn offset_commit_waits_for_replication_and_survives_failover() {
    let mut c = Cluster::start(3, SMALL);
    c.create_topic("orders", &[vec![0, 1, 2]]);
    let coord = c.find_coordinator(0, "app", CoordinatorType::Group);
    let (leader, _) = two_members(&mut c, coord);

    // KafkaApis refuses commits for partitions the metadata does not know.
    let r = group(c.call(coord, commit_to(&leader, "no-such-topic", 1)));
    let coordinator::Response::OffsetCommit(r) = r else {
        panic!()
    };
    assert_eq!(
        r.partitions[0].error_code,
        ErrorCode::UnknownTopicOrPartition
    );
    let tp = offsets_tp("app", 3);

    // Freeze the followers: the commit is appended but not replicated,
    // so it is not answered (acks=-1).
    let followers: Vec<BrokerId> = (0..3).filter(|b| *b != coord).collect();
    for f in &followers {
        c.pause(*f);
    }
    let corr = c.send(1, coord, commit(&leader, 42));
    c.run_for(500);
    assert!(c.take(1, corr).is_none(), "answered before replication");
    let p = c.broker(coord).partition(&tp).unwrap();
    assert!(p.leo() > p.hw());
    assert_eq!(
        c.broker(coord)
            .group_coordinator()
            .committed("app", "orders", 0),
        None
    );
    for f in &followers {
        c.resume(*f);
    }
    c.run_for(1_000);
    let r = group(c.take(1, corr).expect("answered once replicated"));
    let coordinator::Response::OffsetCommit(r) = r else {
        panic!()
    };
    assert_eq!(r.partitions[0].error_code, ErrorCode::None);
    let p = c.broker(coord).partition(&tp).unwrap();
    assert_eq!(p.hw(), p.leo());
    for f in &followers {
        assert_eq!(c.broker(*f).partition(&tp).unwrap().leo(), p.leo());
    }
    assert_eq!(fetch_committed(&mut c, coord), (ErrorCode::None, 42));

    // The coordinator crashes; the new leader of the partition loads the
    // group and serves the committed offset.
    c.crash(coord);
    c.run_for(3_000);
    let new_coord = c.find_coordinator(followers[0], "app", CoordinatorType::Group);
    assert_ne!(new_coord, coord);
    assert_eq!(fetch_committed(&mut c, new_coord), (ErrorCode::None, 42));
    assert_eq!(
        c.broker(new_coord)
            .group_coordinator()
            .committed("app", "orders", 0),
        Some(42)
    );
    assert!(!c.events_of("group-coordinator-loaded").is_empty());
}

#[test]
fn a_commit_not_replicated_is_not_acknowledged() {
    // min.insync.replicas=2 and both followers gone: the commit is refused.
    let mut c = Cluster::start(
        3,
        &[
            ("offsets.topic.num.partitions", "3"),
            ("group.initial.rebalance.delay.ms", "0"),
            ("min.insync.replicas", "2"),
            ("replica.lag.time.max.ms", "2000"),
        ],
    );
    c.create_topic("orders", &[vec![0, 1, 2]]);
    let coord = c.find_coordinator(0, "app", CoordinatorType::Group);
    let (leader, _) = two_members(&mut c, coord);
    for b in 0..3 {
        if b != coord {
            c.crash(b);
        }
    }
    c.run_for(10_000);
    let r = group(c.call(coord, commit(&leader, 7)));
    let coordinator::Response::OffsetCommit(r) = r else {
        panic!()
    };
    assert_ne!(r.partitions[0].error_code, ErrorCode::None);
    assert_eq!(
        c.broker(coord)
            .group_coordinator()
            .committed("app", "orders", 0),
        None
    );
}

#[test]
fn a_restarted_coordinator_gets_its_groups_back() {
    let mut c = Cluster::start(
        3,
        &[
            SMALL[0],
            SMALL[1],
            // The preferred replica takes its partitions back soon.
            ("leader.imbalance.check.interval.seconds", "5"),
        ],
    );
    c.create_topic("orders", &[vec![0, 1, 2]]);
    let coord = c.find_coordinator(0, "app", CoordinatorType::Group);
    let (leader, _) = two_members(&mut c, coord);
    let r = group(c.call(coord, commit(&leader, 42)));
    assert!(matches!(r, coordinator::Response::OffsetCommit(_)));
    c.crash(coord);
    c.run_for(3_000);
    let via = (0..3).find(|b| *b != coord).unwrap();
    let interim = c.find_coordinator(via, "app", CoordinatorType::Group);
    assert_ne!(interim, coord);
    // The loaded group is Stable with its members: they commit on.
    let r = group(c.call(interim, commit(&leader, 43)));
    let coordinator::Response::OffsetCommit(r) = r else {
        panic!()
    };
    assert_eq!(r.partitions[0].error_code, ErrorCode::None);

    c.restart(coord);
    c.run_for(30_000);
    assert_eq!(
        c.find_coordinator(via, "app", CoordinatorType::Group),
        coord
    );
    assert_eq!(fetch_committed(&mut c, coord), (ErrorCode::None, 43));
    let tp = offsets_tp("app", 3);
    assert!(!c
        .broker(interim)
        .group_coordinator()
        .owns_partition(tp.partition));
    assert!(c
        .broker(coord)
        .group_coordinator()
        .owns_partition(tp.partition));
}

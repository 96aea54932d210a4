//! OffsetCommit / OffsetFetch and group admin cases from
//! GroupCoordinatorTest and GroupMetadataManagerTest.

use super::harness::*;
use crate::api::*;
use crate::records::{GroupMetadataKey, OffsetCommitKey, RecordKey};
use crate::state::GroupState::*;
use protocol::ErrorCode;

fn join(h: &Harness, member_id: &str) -> JoinGroupRequest {
    h.join_request(GROUP, member_id, PROTOCOL_TYPE, protocols(&["range"]))
}

fn committed_offsets(r: &OffsetFetchResponse) -> Vec<(String, i32, i64)> {
    r.partitions
        .iter()
        .map(|p| (p.topic.clone(), p.partition_index, p.committed_offset))
        .collect()
}

// testCommitOffsetFromUnknownGroup
#[test]
fn commit_offset_from_unknown_group() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(GROUP, "memberId", 1, &[("foo", 0, 0)]),
        vec![ErrorCode::IllegalGeneration]
    );
    assert_eq!(h.c.state(GROUP), None);
}

// testCommitOffsetWithDefaultGeneration: a simple consumer (assign()).
#[test]
fn commit_offset_with_default_generation() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(GROUP, UNKNOWN_MEMBER_ID, NO_GENERATION, &[("foo", 0, 0)]),
        vec![ErrorCode::None]
    );
    assert_eq!(h.c.state(GROUP), Some(Empty));
    assert_eq!(h.c.generation(GROUP), Some(0));
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(0));
}

// testFetchOffsets
#[test]
fn fetch_offsets() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 97), ("bar", 1, 5)]),
        vec![ErrorCode::None; 2]
    );
    let r = h.fetch(GROUP, Some(vec![("foo", 0), ("foo", 1), ("bar", 1)]));
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(
        committed_offsets(&r),
        vec![
            ("foo".into(), 0, 97),
            ("foo".into(), 1, INVALID_OFFSET),
            ("bar".into(), 1, 5)
        ]
    );
    // all offsets, in (topic, partition) order
    let r = h.fetch(GROUP, None);
    assert_eq!(
        committed_offsets(&r),
        vec![("bar".into(), 1, 5), ("foo".into(), 0, 97)]
    );
}

#[test]
fn fetch_from_unknown_group_on_this_coordinator() {
    let mut h = Harness::new();
    let r = h.fetch(GROUP, Some(vec![("foo", 0)]));
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(
        committed_offsets(&r),
        vec![("foo".into(), 0, INVALID_OFFSET)]
    );
    assert!(h.fetch(GROUP, None).partitions.is_empty());
}

// testCommitAndFetchOffsetsWithEmptyGroup / testCommitOffsetsAfterGroupIsEmpty
#[test]
fn commit_offsets_after_group_is_empty() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    h.leave(GROUP, vec![(&m, None)]);
    assert_eq!(h.c.state(GROUP), Some(Empty));
    // the member is gone
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 15)]),
        vec![ErrorCode::UnknownMemberId]
    );
    // a simple commit is fine on an Empty group
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 15)]),
        vec![ErrorCode::None]
    );
    let r = h.fetch(GROUP, Some(vec![("foo", 0)]));
    assert_eq!(committed_offsets(&r), vec![("foo".into(), 0, 15)]);
}

#[test]
fn commit_from_member_of_stable_group() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 15)]),
        vec![ErrorCode::None]
    );
    assert_eq!(
        h.commit(GROUP, &m, g + 1, &[("foo", 0, 16)]),
        vec![ErrorCode::IllegalGeneration]
    );
    assert_eq!(
        h.commit(GROUP, "other", g, &[("foo", 0, 16)]),
        vec![ErrorCode::UnknownMemberId]
    );
    // a simple commit into a group with members
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 16)]),
        vec![ErrorCode::UnknownMemberId]
    );
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(15));
}

// testCommitOffsetInCompletingRebalance
#[test]
fn commit_offset_in_completing_rebalance() {
    let mut h = Harness::new();
    let r = h.join_group(join(&h, UNKNOWN_MEMBER_ID));
    assert_eq!(h.c.state(GROUP), Some(CompletingRebalance));
    assert_eq!(
        h.commit(GROUP, &r.member_id, r.generation_id, &[("foo", 0, 1)]),
        vec![ErrorCode::RebalanceInProgress]
    );
}

// testCommitOffsetWhileInPreparingRebalance... commits of the previous
// generation are accepted while the group prepares the next.
#[test]
fn commit_offset_in_preparing_rebalance() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    let _new = h.send_join(join(&h, UNKNOWN_MEMBER_ID));
    assert_eq!(h.c.state(GROUP), Some(PreparingRebalance));
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 3)]),
        vec![ErrorCode::None]
    );
}

// The commit is answered once its append is replicated (acks=-1); until
// then it is invisible, and a require_stable fetch says so.
#[test]
fn commit_waits_for_replication() {
    let mut h = Harness::new();
    h.auto_ack = false;
    let rid = h.send_commit(GROUP, "", -1, &[("foo", 0, 42)]);
    assert!(!h.answered(rid));
    assert_eq!(h.c.committed(GROUP, "foo", 0), None);
    let fetch = h.send(Request::OffsetFetch(OffsetFetchRequest {
        group_id: GROUP.into(),
        partitions: Some(vec![("foo".into(), 0)]),
        require_stable: true,
    }));
    match &h.responses[&fetch] {
        Response::OffsetFetch(r) => {
            assert_eq!(r.partitions[0].error_code, ErrorCode::UnstableOffsetCommit)
        }
        other => panic!("{other:?}"),
    }
    h.ack_all();
    assert_eq!(h.commit_errors(rid), vec![ErrorCode::None]);
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(42));
}

// GroupMetadataManagerTest.testCommitOffsetFailure: append errors as the
// client sees them; the previous offset stays.
#[test]
fn commit_append_failures_are_mapped() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 1)]),
        vec![ErrorCode::None]
    );
    h.auto_ack = false;
    for (append_error, seen) in [
        (
            ErrorCode::NotEnoughReplicas,
            ErrorCode::CoordinatorNotAvailable,
        ),
        (
            ErrorCode::NotEnoughReplicasAfterAppend,
            ErrorCode::CoordinatorNotAvailable,
        ),
        (
            ErrorCode::UnknownTopicOrPartition,
            ErrorCode::CoordinatorNotAvailable,
        ),
        (ErrorCode::NotLeaderOrFollower, ErrorCode::NotCoordinator),
        (ErrorCode::KafkaStorageError, ErrorCode::NotCoordinator),
        (
            ErrorCode::MessageTooLarge,
            ErrorCode::InvalidCommitOffsetSize,
        ),
        (
            ErrorCode::RecordListTooLarge,
            ErrorCode::InvalidCommitOffsetSize,
        ),
        (
            ErrorCode::InvalidFetchSize,
            ErrorCode::InvalidCommitOffsetSize,
        ),
        (ErrorCode::RequestTimedOut, ErrorCode::RequestTimedOut),
    ] {
        let rid = h.send_commit(GROUP, "", -1, &[("foo", 0, 2)]);
        h.fail_next_append(append_error);
        assert_eq!(h.commit_errors(rid), vec![seen], "{append_error:?}");
        assert_eq!(h.c.committed(GROUP, "foo", 0), Some(1));
    }
}

// GroupMetadataManagerTest.testOffsetMetadataTooLarge
#[test]
fn offset_metadata_too_large() {
    let mut h = Harness::new();
    let big = "x".repeat(4097);
    h.auto_ack = false;
    let rid = h.send(Request::OffsetCommit(OffsetCommitRequest {
        group_id: GROUP.into(),
        generation_id: -1,
        member_id: "".into(),
        group_instance_id: None,
        partitions: vec![
            OffsetCommitRequestPartition {
                topic: "foo".into(),
                partition_index: 0,
                committed_offset: 1,
                committed_leader_epoch: -1,
                committed_metadata: Some(big),
            },
            OffsetCommitRequestPartition {
                topic: "foo".into(),
                partition_index: 1,
                committed_offset: 2,
                committed_leader_epoch: 3,
                committed_metadata: Some("ok".into()),
            },
        ],
    }));
    assert_eq!(
        h.pending_appends[0].records.len(),
        1,
        "only the valid offset is written"
    );
    h.ack_all();
    assert_eq!(
        h.commit_errors(rid),
        vec![ErrorCode::OffsetMetadataTooLarge, ErrorCode::None]
    );
    let r = h.fetch(GROUP, Some(vec![("foo", 1)]));
    assert_eq!(r.partitions[0].committed_leader_epoch, 3);
    assert_eq!(r.partitions[0].metadata, "ok");
}

// KafkaApis answers UNKNOWN_TOPIC_OR_PARTITION for partitions its metadata
// does not have.
#[test]
fn commit_to_unknown_topic_or_partition() {
    let mut h = Harness::new();
    h.c.set_topic_partitions("foo", 1);
    let errors = h.commit(
        GROUP,
        "",
        -1,
        &[("foo", 0, 1), ("foo", 1, 1), ("bar", 0, 1)],
    );
    assert_eq!(
        errors,
        vec![
            ErrorCode::None,
            ErrorCode::UnknownTopicOrPartition,
            ErrorCode::UnknownTopicOrPartition
        ]
    );
}

// The records of a commit, byte for byte (OffsetCommitKey v1,
// OffsetCommitValue v3), in the group's __consumer_offsets partition.
#[test]
fn commit_writes_kafka_records() {
    let mut h = Harness::new();
    h.now = 0x0102;
    h.auto_ack = false;
    let rid = h.send(Request::OffsetCommit(OffsetCommitRequest {
        group_id: GROUP.into(),
        generation_id: -1,
        member_id: "".into(),
        group_instance_id: None,
        partitions: vec![OffsetCommitRequestPartition {
            topic: "t".into(),
            partition_index: 2,
            committed_offset: 5,
            committed_leader_epoch: 1,
            committed_metadata: Some("m".into()),
        }],
    }));
    let a = h.pending_appends[0].clone();
    assert_eq!(a.partition, h.c.partition_for(GROUP));
    assert_eq!(a.required_acks, -1);
    assert_eq!(a.timestamp, 0x0102);
    #[rustfmt::skip]
    let key = vec![
        0, 1,
        0, 7, b'g', b'r', b'o', b'u', b'p', b'I', b'd',
        0, 1, b't',
        0, 0, 0, 2,
    ];
    #[rustfmt::skip]
    let value = vec![
        0, 3,
        0, 0, 0, 0, 0, 0, 0, 5,
        0, 0, 0, 1,
        0, 1, b'm',
        0, 0, 0, 0, 0, 0, 0x01, 0x02,
    ];
    assert_eq!(a.records[0].key, key);
    assert_eq!(a.records[0].value.as_deref(), Some(&value[..]));
    h.ack_all();
    assert_eq!(h.commit_errors(rid), vec![ErrorCode::None]);
}

#[test]
fn commit_and_fetch_wrong_coordinator() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(OTHER_GROUP, "", -1, &[("foo", 0, 1)]),
        vec![ErrorCode::NotCoordinator]
    );
    assert_eq!(
        h.fetch(OTHER_GROUP, None).error_code,
        ErrorCode::NotCoordinator
    );
}

fn describe(h: &mut Harness, group: &str) -> DescribedGroup {
    let rid = h.send(Request::DescribeGroups(DescribeGroupsRequest {
        groups: vec![group.to_string()],
    }));
    match &h.responses[&rid] {
        Response::DescribeGroups(r) => r.groups[0].clone(),
        other => panic!("{other:?}"),
    }
}

// testDescribeGroupStable
#[test]
fn describe_group_stable() {
    let mut h = Harness::new();
    let (m, _) = h.stable_single_member();
    let d = describe(&mut h, GROUP);
    assert_eq!(d.error_code, ErrorCode::None);
    assert_eq!(d.group_state, "Stable");
    assert_eq!(d.protocol_type, "consumer");
    assert_eq!(d.protocol_data, "range");
    assert_eq!(d.members.len(), 1);
    assert_eq!(d.members[0].member_id, m);
    assert_eq!(d.members[0].client_id, CLIENT_ID);
    assert_eq!(d.members[0].member_assignment, vec![1]);
}

// testDescribeGroupRebalancing
#[test]
fn describe_group_rebalancing() {
    let mut h = Harness::new();
    h.join_group(join(&h, UNKNOWN_MEMBER_ID));
    let d = describe(&mut h, GROUP);
    assert_eq!(d.group_state, "CompletingRebalance");
    assert_eq!(d.protocol_data, "");
    assert!(d.members[0].member_assignment.is_empty());
    assert!(d.members[0].member_metadata.is_empty());
}

// testDescribeGroupInactiveGroup / testDescribeGroupWrongCoordinator
#[test]
fn describe_unknown_and_foreign_groups() {
    let mut h = Harness::new();
    let d = describe(&mut h, GROUP);
    assert_eq!(
        (d.error_code, d.group_state.as_str()),
        (ErrorCode::None, "Dead")
    );
    let d = describe(&mut h, OTHER_GROUP);
    assert_eq!(d.error_code, ErrorCode::NotCoordinator);
}

// testListGroupsIncludesStableGroups / testListGroupsIncludesRebalancingGroups
#[test]
fn list_groups() {
    let mut h = Harness::new();
    h.stable_single_member();
    let list = |h: &mut Harness, states: Vec<&str>| {
        let rid = h.send(Request::ListGroups(ListGroupsRequest {
            states_filter: states.into_iter().map(str::to_string).collect(),
        }));
        match &h.responses[&rid] {
            Response::ListGroups(r) => r.clone(),
            other => panic!("{other:?}"),
        }
    };
    let r = list(&mut h, vec![]);
    assert_eq!(r.error_code, ErrorCode::None);
    assert_eq!(
        r.groups,
        vec![ListedGroup {
            group_id: GROUP.into(),
            protocol_type: "consumer".into(),
            group_state: "Stable".into()
        }]
    );
    assert_eq!(list(&mut h, vec!["stable"]).groups.len(), 1);
    assert!(list(&mut h, vec!["Empty"]).groups.is_empty());
}

fn delete(h: &mut Harness, groups: &[&str]) -> Vec<(String, ErrorCode)> {
    let rid = h.send(Request::DeleteGroups(DeleteGroupsRequest {
        groups_names: groups.iter().map(|g| g.to_string()).collect(),
    }));
    match &h.responses[&rid] {
        Response::DeleteGroups(r) => r.results.clone(),
        other => panic!("{other:?}"),
    }
}

// testDeleteEmptyGroup / testDeleteNonEmptyGroup / testDeleteGroupWithInvalidGroupId...
#[test]
fn delete_groups() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    assert_eq!(
        h.commit(GROUP, &m, g, &[("foo", 0, 7)]),
        vec![ErrorCode::None]
    );
    assert_eq!(
        delete(&mut h, &[GROUP]),
        vec![(GROUP.to_string(), ErrorCode::NonEmptyGroup)]
    );
    h.leave(GROUP, vec![(&m, None)]);
    assert_eq!(h.c.state(GROUP), Some(Empty));
    let before = h.log[&h.c.partition_for(GROUP)].len();
    h.auto_ack = false;
    assert_eq!(
        delete(&mut h, &[GROUP, "unknown", OTHER_GROUP]),
        vec![
            (GROUP.to_string(), ErrorCode::None),
            ("unknown".to_string(), ErrorCode::GroupIdNotFound),
            (OTHER_GROUP.to_string(), ErrorCode::NotCoordinator),
        ]
    );
    assert_eq!(h.c.state(GROUP), None);
    assert!(h.state_changes.contains(&(GROUP.to_string(), Empty, Dead)));
    // tombstones for the offset and for the group, fire and forget
    let a = h.pending_appends.pop().unwrap();
    assert_eq!(a.required_acks, 0);
    assert!(a.records.iter().all(|r| r.value.is_none()));
    let keys: Vec<RecordKey> = a
        .records
        .iter()
        .map(|r| RecordKey::decode(&r.key).unwrap())
        .collect();
    assert_eq!(
        keys,
        vec![
            RecordKey::OffsetCommit(OffsetCommitKey {
                group: GROUP.into(),
                topic: "foo".into(),
                partition: 0
            }),
            RecordKey::GroupMetadata(GroupMetadataKey {
                group: GROUP.into()
            }),
        ]
    );
    assert_eq!(h.log[&h.c.partition_for(GROUP)].len(), before);
    assert_eq!(
        committed_offsets(&h.fetch(GROUP, Some(vec![("foo", 0)]))),
        vec![("foo".into(), 0, -1)]
    );
}

fn delete_offsets(h: &mut Harness, partitions: &[(&str, i32)]) -> OffsetDeleteResponse {
    let rid = h.send(Request::OffsetDelete(OffsetDeleteRequest {
        group_id: GROUP.into(),
        partitions: partitions
            .iter()
            .map(|(t, p)| (t.to_string(), *p))
            .collect(),
    }));
    match &h.responses[&rid] {
        Response::OffsetDelete(r) => r.clone(),
        other => panic!("{other:?}"),
    }
}

fn errors(r: &OffsetDeleteResponse) -> Vec<ErrorCode> {
    r.partitions.iter().map(|p| p.error_code).collect()
}

// testDeleteOffsetOfNonExistingGroup
#[test]
fn delete_offsets_of_unknown_group() {
    let mut h = Harness::new();
    let r = delete_offsets(&mut h, &[("foo", 0)]);
    assert_eq!(r.error_code, ErrorCode::GroupIdNotFound);
    assert!(r.partitions.is_empty());
}

// testDeleteOffsetOfEmptyNonConsumerGroup / testDeleteOffsetOfEmptyConsumerGroup
#[test]
fn delete_offsets_of_empty_group() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 1), ("foo", 1, 2)]),
        vec![ErrorCode::None; 2]
    );
    let before = h.log[&h.c.partition_for(GROUP)].len();
    let r = delete_offsets(&mut h, &[("foo", 0)]);
    assert_eq!(
        (r.error_code, errors(&r)),
        (ErrorCode::None, vec![ErrorCode::None])
    );
    assert_eq!(h.c.committed(GROUP, "foo", 0), None);
    assert_eq!(h.c.committed(GROUP, "foo", 1), Some(2));
    let log = &h.log[&h.c.partition_for(GROUP)];
    assert_eq!(log.len(), before + 1);
    assert_eq!(log.last().unwrap().record.value, None, "a tombstone");
    // the last offset goes, and the group with it
    delete_offsets(&mut h, &[("foo", 1)]);
    assert_eq!(h.c.state(GROUP), None);
}

// testDeleteOffsetOfStableConsumerGroup: offsets of subscribed topics stay.
#[test]
fn delete_offsets_of_stable_consumer_group() {
    let mut h = Harness::new();
    // consumer protocol subscription v0: topics ["foo"], no user data
    let subscription = vec![
        0, 0, 0, 0, 0, 1, 0, 3, b'f', b'o', b'o', 0xff, 0xff, 0xff, 0xff,
    ];
    let req = h.join_request(
        GROUP,
        UNKNOWN_MEMBER_ID,
        PROTOCOL_TYPE,
        vec![("range".into(), subscription)],
    );
    let r = h.join_group(req);
    let s = h.send_sync(GROUP, 1, &r.member_id, vec![(r.member_id.clone(), vec![1])]);
    assert_eq!(h.sync_response(s).error_code, ErrorCode::None);
    assert_eq!(
        h.commit(GROUP, &r.member_id, 1, &[("foo", 0, 1), ("bar", 0, 2)]),
        vec![ErrorCode::None; 2]
    );
    let d = delete_offsets(&mut h, &[("foo", 0), ("bar", 0)]);
    assert_eq!(d.error_code, ErrorCode::None);
    assert_eq!(
        errors(&d),
        vec![ErrorCode::GroupSubscribedToTopic, ErrorCode::None]
    );
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(1));
    assert_eq!(h.c.committed(GROUP, "bar", 0), None);
}

// testDeleteOffsetOfNonEmptyNonConsumerGroup
#[test]
fn delete_offsets_of_non_empty_non_consumer_group() {
    let mut h = Harness::new();
    let r =
        h.join_group(h.join_request(GROUP, UNKNOWN_MEMBER_ID, "connect", protocols(&["default"])));
    assert_eq!(r.error_code, ErrorCode::None);
    let d = delete_offsets(&mut h, &[("foo", 0)]);
    assert_eq!(d.error_code, ErrorCode::NonEmptyGroup);
}

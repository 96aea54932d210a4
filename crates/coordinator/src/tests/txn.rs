//! Transactional offset commits (KIP-98 / KIP-447): GroupCoordinatorTest's
//! txn cases, GroupMetadataTest's pending transactional offsets and
//! GroupMetadataManagerTest's transactional load cases.

use super::harness::*;
use crate::api::*;
use crate::coordinator::Coordinator;
use crate::load::LoadRecord;
use crate::records::{OffsetCommitKey, OffsetCommitValue};
use protocol::{ControlRecordType, ErrorCode};

const PID: i64 = 1000;

fn txn_commit(h: &mut Harness, member_id: &str, generation_id: i32, offset: i64) -> RequestId {
    h.send(Request::TxnOffsetCommit(TxnOffsetCommitRequest {
        transactional_id: "txn".into(),
        group_id: GROUP.into(),
        producer_id: PID,
        producer_epoch: 3,
        generation_id,
        member_id: member_id.into(),
        group_instance_id: None,
        partitions: vec![OffsetCommitRequestPartition {
            topic: "foo".into(),
            partition_index: 0,
            committed_offset: offset,
            committed_leader_epoch: -1,
            committed_metadata: None,
        }],
    }))
}

fn txn_errors(h: &Harness, rid: RequestId) -> Vec<ErrorCode> {
    match &h.responses[&rid] {
        Response::TxnOffsetCommit(r) => r.partitions.iter().map(|p| p.error_code).collect(),
        other => panic!("{other:?}"),
    }
}

fn fetch_stable(h: &mut Harness) -> OffsetFetchResponsePartition {
    let rid = h.send(Request::OffsetFetch(OffsetFetchRequest {
        group_id: GROUP.into(),
        partitions: Some(vec![("foo".into(), 0)]),
        require_stable: true,
    }));
    match &h.responses[&rid] {
        Response::OffsetFetch(r) => r.partitions[0].clone(),
        other => panic!("{other:?}"),
    }
}

// testCommitTransactionalOffset / testFetchPendingTxnOffsetsWithRequireStable
#[test]
fn txn_offsets_count_after_the_commit_marker() {
    let mut h = Harness::new();
    h.auto_ack = false;
    let rid = txn_commit(&mut h, "", -1, 42);
    let a = h.pending_appends[0].clone();
    assert!(a.transactional);
    assert_eq!(
        (a.producer_id, a.producer_epoch, a.required_acks),
        (PID, 3, -1)
    );
    h.ack_all();
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::None]);
    // written, but the transaction is still open
    assert_eq!(h.c.committed(GROUP, "foo", 0), None);
    assert_eq!(
        fetch_stable(&mut h).error_code,
        ErrorCode::UnstableOffsetCommit
    );
    assert!(h.c.group(GROUP).unwrap().has_pending_txn_offsets_from(PID));

    let p = h.c.partition_for(GROUP);
    let out = h.c.on_txn_completion(h.now, p, PID, true);
    h.process(out);
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(42));
    let f = fetch_stable(&mut h);
    assert_eq!((f.error_code, f.committed_offset), (ErrorCode::None, 42));
}

// testAbortTransactionalOffsetCommit
#[test]
fn aborted_txn_offsets_are_dropped() {
    let mut h = Harness::new();
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 7)]),
        vec![ErrorCode::None]
    );
    let rid = txn_commit(&mut h, "", -1, 42);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::None]);
    let p = h.c.partition_for(GROUP);
    let out = h.c.on_txn_completion(h.now, p, PID, false);
    h.process(out);
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(7));
    assert!(!h.c.group(GROUP).unwrap().has_pending_txn_offsets_from(PID));
    // a marker for another partition changes nothing
    let rid = txn_commit(&mut h, "", -1, 50);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::None]);
    let out = h.c.on_txn_completion(h.now, p + 1, PID, true);
    h.process(out);
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(7));
}

// GroupMetadataTest.testConsumerBeatsTransactionalOffsetCommit: a plain
// commit written after the transactional one wins when the marker comes.
#[test]
fn later_consumer_commit_beats_txn_commit() {
    let mut h = Harness::new();
    let rid = txn_commit(&mut h, "", -1, 42);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::None]);
    assert_eq!(
        h.commit(GROUP, "", -1, &[("foo", 0, 60)]),
        vec![ErrorCode::None]
    );
    let p = h.c.partition_for(GROUP);
    let out = h.c.on_txn_completion(h.now, p, PID, true);
    h.process(out);
    assert_eq!(h.c.committed(GROUP, "foo", 0), Some(60));
}

// KIP-447: a consumer-group-aware producer is fenced like a member.
#[test]
fn txn_commit_validates_group_membership() {
    let mut h = Harness::new();
    let (m, g) = h.stable_single_member();
    let rid = txn_commit(&mut h, &m, g, 1);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::None]);
    let rid = txn_commit(&mut h, &m, g + 1, 1);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::IllegalGeneration]);
    let rid = txn_commit(&mut h, "someone", g, 1);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::UnknownMemberId]);
    // older clients send no member: allowed for transactional commits
    let rid = txn_commit(&mut h, "", -1, 1);
    assert_eq!(txn_errors(&h, rid), vec![ErrorCode::None]);
}

#[test]
fn failed_txn_write_is_forgotten() {
    let mut h = Harness::new();
    h.auto_ack = false;
    let rid = txn_commit(&mut h, "", -1, 42);
    h.fail_next_append(ErrorCode::NotEnoughReplicas);
    assert_eq!(
        txn_errors(&h, rid),
        vec![ErrorCode::CoordinatorNotAvailable]
    );
    assert!(!h.c.group(GROUP).unwrap().has_pending_txn_offsets_from(PID));
    assert_eq!(fetch_stable(&mut h).error_code, ErrorCode::None);
}

fn offset(topic: &str, partition: i32, offset: i64) -> (Vec<u8>, Vec<u8>) {
    (
        OffsetCommitKey {
            group: GROUP.into(),
            topic: topic.into(),
            partition,
        }
        .encode(),
        OffsetCommitValue {
            offset,
            leader_epoch: -1,
            metadata: String::new(),
            commit_timestamp: 0,
            expire_timestamp: -1,
        }
        .encode(),
    )
}

// GroupMetadataManagerTest: testLoadTransactionalOffsetsWithoutGroup,
// testDoNotLoadAbortedTransactionalOffsetCommits,
// testGroupLoadedWithPendingCommits.
#[test]
fn load_transactional_offsets() {
    let (k0, v0) = offset("foo", 0, 10);
    let (k1, v1) = offset("foo", 1, 11);
    let (k2, v2) = offset("foo", 2, 12);
    let commit = ControlRecordType::Commit.key().to_vec();
    let abort = ControlRecordType::Abort.key().to_vec();
    // (batch base offset, producer id, control?, key, value)
    type Entry = (i64, i64, bool, Vec<u8>, Option<Vec<u8>>);
    let log: Vec<Entry> = vec![
        (0, 5, false, k0, Some(v0)),
        (1, 6, false, k1, Some(v1)),
        (2, 7, false, k2, Some(v2)),
        (3, 5, true, commit, None),
        (4, 6, true, abort, None),
    ];
    let records = log
        .iter()
        .map(|(base, pid, control, key, value)| LoadRecord {
            batch_base_offset: *base,
            transactional_producer_id: Some(*pid),
            is_control: *control,
            key,
            value: value.as_deref(),
        });
    let mut c = Coordinator::new(test_config(), 3);
    let p = c.partition_for(GROUP);
    c.load(0, p, records).unwrap();
    assert_eq!(
        c.committed(GROUP, "foo", 0),
        Some(10),
        "committed transaction"
    );
    assert_eq!(c.committed(GROUP, "foo", 1), None, "aborted transaction");
    assert_eq!(c.committed(GROUP, "foo", 2), None, "open transaction");
    let g = c.group(GROUP).unwrap();
    assert!(g.has_pending_txn_offsets_from(7));
    assert!(!g.has_pending_txn_offsets_from(5) && !g.has_pending_txn_offsets_from(6));
    let _ = c.on_txn_completion(0, p, 7, true);
    assert_eq!(c.committed(GROUP, "foo", 2), Some(12));
}

//! TransactionMarkerChannelManagerTest / TransactionMarkerRequestCompletionHandlerTest
//! style cases: markers per partition, retries, cancellation, completion.

mod common;

use common::*;
use kafkascope_transaction::TransactionState::*;
use kafkascope_transaction::*;
use protocol::ErrorCode;

/// TXN_ID committing with markers out for a-0, a-1, b-0.
fn committing() -> (Host, MarkerId) {
    let mut h = Host::new();
    let r = h.init(TXN_ID);
    h.add(
        TXN_ID,
        r.producer_id,
        r.producer_epoch,
        &[tp("a", 0), tp("a", 1), tp("b", 0)],
    );
    h.settle();
    let rid = h.end(TXN_ID, r.producer_id, r.producer_epoch, true);
    h.complete_append(Ok(()));
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    assert_eq!(h.markers.len(), 1);
    let (id, _, m) = h.markers.remove(0);
    assert_eq!(
        m.topics,
        vec![
            WritableTxnMarkerTopic {
                name: "a".into(),
                partition_indexes: vec![0, 1]
            },
            WritableTxnMarkerTopic {
                name: "b".into(),
                partition_indexes: vec![0]
            },
        ]
    );
    (h, id)
}

fn answer(h: &mut Host, id: MarkerId, results: &[(TopicPartition, ErrorCode)]) {
    let out = h.c.on_markers_written(h.now, id, results);
    h.absorb(out);
}

#[test]
fn completes_only_after_every_partition_is_acknowledged() {
    let (mut h, id) = committing();
    // Two leaders answer separately.
    answer(
        &mut h,
        id,
        &[(tp("a", 0), ErrorCode::None), (tp("b", 0), ErrorCode::None)],
    );
    assert!(h.appends.is_empty());
    assert_eq!(
        h.meta(TXN_ID)
            .topic_partitions
            .iter()
            .cloned()
            .collect::<Vec<_>>(),
        vec![tp("a", 1)]
    );
    answer(&mut h, id, &[(tp("a", 1), ErrorCode::None)]);
    assert_eq!(h.appends.len(), 1);
    assert_eq!(appended_state(&h.appends[0]), CompleteCommit);
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
    assert_eq!(h.c.pending_marker_sends().count(), 0);
}

#[test]
fn should_retry_partitions_with_retriable_errors() {
    for e in [
        ErrorCode::NotLeaderOrFollower,
        ErrorCode::UnknownTopicOrPartition,
        ErrorCode::NotEnoughReplicas,
        ErrorCode::NotEnoughReplicasAfterAppend,
        ErrorCode::RequestTimedOut,
        ErrorCode::KafkaStorageError,
    ] {
        let (mut h, id) = committing();
        answer(
            &mut h,
            id,
            &[
                (tp("a", 0), ErrorCode::None),
                (tp("a", 1), e),
                (tp("b", 0), e),
            ],
        );
        assert!(h.appends.is_empty());
        // Only the failed partitions are sent again, as a new send.
        assert_eq!(h.markers.len(), 1, "{e}");
        let (retry, _, m) = h.markers.remove(0);
        assert_ne!(retry, id);
        assert_eq!(
            m.partitions().collect::<Vec<_>>(),
            vec![tp("a", 1), tp("b", 0)]
        );
        assert!(m.transaction_result);
        answer(
            &mut h,
            retry,
            &[(tp("a", 1), ErrorCode::None), (tp("b", 0), ErrorCode::None)],
        );
        h.settle();
        assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
    }
}

#[test]
fn should_cancel_markers_when_producer_or_coordinator_epoch_moved_on() {
    for e in [
        ErrorCode::InvalidProducerEpoch,
        ErrorCode::TransactionCoordinatorFenced,
    ] {
        let (mut h, id) = committing();
        answer(&mut h, id, &[(tp("a", 0), e)]);
        assert_eq!(h.c.pending_marker_sends().count(), 0);
        // The rest of the answers no longer matter.
        answer(
            &mut h,
            id,
            &[(tp("a", 1), ErrorCode::None), (tp("b", 0), ErrorCode::None)],
        );
        assert!(h.appends.is_empty() && h.markers.is_empty(), "{e}");
        assert_eq!(h.meta(TXN_ID).state, PrepareCommit);
    }
}

#[test]
fn unsupported_partitions_count_as_done() {
    for e in [
        ErrorCode::UnsupportedForMessageFormat,
        ErrorCode::UnsupportedVersion,
    ] {
        let (mut h, id) = committing();
        answer(
            &mut h,
            id,
            &[
                (tp("a", 0), e),
                (tp("a", 1), e),
                (tp("b", 0), ErrorCode::None),
            ],
        );
        assert_eq!(h.appends.len(), 1);
        h.settle();
        assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
    }
}

#[test]
fn should_skip_markers_for_partitions_without_a_leader() {
    let (mut h, id) = committing();
    answer(
        &mut h,
        id,
        &[(tp("a", 0), ErrorCode::None), (tp("a", 1), ErrorCode::None)],
    );
    let out = h.c.on_markers_unroutable(h.now, id, &[tp("b", 0)]);
    h.absorb(out);
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
}

#[test]
fn duplicate_and_unknown_answers_are_ignored() {
    let (mut h, id) = committing();
    answer(&mut h, id, &[(tp("a", 0), ErrorCode::None)]);
    answer(&mut h, id, &[(tp("a", 0), ErrorCode::NotLeaderOrFollower)]);
    answer(&mut h, id, &[(tp("zzz", 7), ErrorCode::None)]);
    answer(&mut h, 9999, &[(tp("a", 1), ErrorCode::None)]);
    assert!(h.markers.is_empty() && h.appends.is_empty());
    assert_eq!(h.meta(TXN_ID).topic_partitions.len(), 2);
}

#[test]
fn complete_write_not_coordinator_gives_up() {
    let (mut h, id) = committing();
    answer(
        &mut h,
        id,
        &[
            (tp("a", 0), ErrorCode::None),
            (tp("a", 1), ErrorCode::None),
            (tp("b", 0), ErrorCode::None),
        ],
    );
    h.complete_append(Err(ErrorCode::NotLeaderOrFollower));
    assert!(h.appends.is_empty());
    assert_eq!(h.meta(TXN_ID).state, PrepareCommit);
    assert_eq!(h.meta(TXN_ID).pending_state, None);
}

#[test]
fn abort_markers_carry_abort_and_producer_epoch() {
    let mut h = Host::new();
    let r = h.init(TXN_ID);
    h.add(TXN_ID, r.producer_id, r.producer_epoch, &[tp("x", 3)]);
    h.settle();
    h.end(TXN_ID, r.producer_id, r.producer_epoch, false);
    h.complete_append(Ok(()));
    let (_, id, m) = &h.markers[0];
    assert_eq!(id, TXN_ID);
    assert!(!m.transaction_result);
    assert_eq!(
        (m.producer_id, m.producer_epoch),
        (r.producer_id, r.producer_epoch)
    );
    // The batch a leader writes for it.
    let batch = m
        .control_marker()
        .to_batch(100, h.now, 0, m.producer_id, m.producer_epoch);
    assert!(batch.is_control && batch.is_transactional);
    assert_eq!(
        protocol::EndTransactionMarker::from_batch(&batch),
        Some(m.control_marker())
    );
    assert_eq!(
        m.control_marker().control_type,
        protocol::ControlRecordType::Abort
    );
}

//! Kafka's TransactionCoordinatorTest, ported to the sans-IO coordinator:
//! where Kafka mocks the state manager, we set the state up by loading a
//! `__transaction_state` record or by driving earlier requests, and check
//! the appended records instead of mock expectations.

mod common;

use common::*;
use kafkascope_transaction::TransactionState::*;
use kafkascope_transaction::*;
use protocol::ErrorCode;

const PID: i64 = 10;
const EPOCH: i16 = 1;

fn parts() -> Vec<TopicPartition> {
    vec![tp("topic1", 0)]
}

/// A host where TXN_ID is in `state` at PID/EPOCH (loaded from the log).
fn host_in(state: TransactionState) -> Host {
    let mut h = Host::new();
    // As Kafka writes them: only open or completing transactions list
    // partitions.
    let partitions = if matches!(state, Ongoing | PrepareCommit | PrepareAbort) {
        parts()
    } else {
        vec![]
    };
    let start = if state == Empty { -1 } else { h.now };
    h.load_value(
        TXN_ID,
        value(PID, EPOCH, state, &partitions, start, h.now),
        0,
    );
    h
}

fn init_error(h: &Host, rid: RequestId) -> InitProducerIdResponse {
    match h.response(rid) {
        Some(Response::InitProducerId(r)) => r.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn should_return_invalid_request_when_transactional_id_is_empty() {
    let mut h = Host::new();
    for _ in 0..2 {
        let r = h.init_with(InitProducerIdRequest::new("", 60_000));
        assert_eq!(r, InitProducerIdResponse::error(ErrorCode::InvalidRequest));
    }
}

#[test]
fn should_accept_init_pid_and_return_next_pid_when_transactional_id_is_null() {
    let mut h = Host::new();
    let mut r = InitProducerIdRequest::new("", 60_000);
    r.transactional_id = None;
    assert_eq!(
        h.init_with(r.clone()),
        InitProducerIdResponse {
            error_code: ErrorCode::None,
            producer_id: 1000,
            producer_epoch: 0
        }
    );
    assert_eq!(
        h.init_with(r),
        InitProducerIdResponse {
            error_code: ErrorCode::None,
            producer_id: 1001,
            producer_epoch: 0
        }
    );
    assert!(h.c.transactions().next().is_none());
}

#[test]
fn should_init_pid_with_epoch_zero_for_new_transactional_id() {
    let mut h = Host::new();
    let rid = h.send(Request::InitProducerId(InitProducerIdRequest::new(
        TXN_ID, 60_000,
    )));
    // Nothing is answered before the Empty record is durable.
    assert!(h.response(rid).is_none());
    assert_eq!(h.appends.len(), 1);
    let a = &h.appends[0];
    assert_eq!(a.partition, partition_for(TXN_ID, NUM_PARTITIONS));
    assert_eq!(a.records[0].key, TransactionLogKey::new(TXN_ID).encode());
    let v = appended_value(a);
    assert_eq!(
        (v.producer_id, v.producer_epoch, v.transaction_status),
        (1000, 0, Empty.id())
    );
    h.complete_append(Ok(()));
    assert_eq!(
        init_error(&h, rid),
        InitProducerIdResponse {
            error_code: ErrorCode::None,
            producer_id: 1000,
            producer_epoch: 0
        }
    );
    assert_eq!(h.meta(TXN_ID).state, Empty);
}

#[test]
fn should_generate_new_producer_id_if_no_state_and_producer_id_and_epoch_provided() {
    let mut h = Host::new();
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, EPOCH));
    assert_eq!(
        (r.error_code, r.producer_id, r.producer_epoch),
        (ErrorCode::None, 1000, 0)
    );
}

#[test]
fn should_generate_new_producer_id_if_epochs_exhausted() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID, i16::MAX - 1, Empty, &[], -1, h.now), 0);
    let r = h.init(TXN_ID);
    assert_eq!((r.error_code, r.producer_epoch), (ErrorCode::None, 0));
    assert_ne!(r.producer_id, PID);
    assert_eq!(h.meta(TXN_ID).last_producer_id, PID);
}

#[test]
fn should_respond_with_not_coordinator_on_init_pid_when_not_coordinator() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    let out = h.c.unload(h.now, p, None);
    h.absorb(out);
    assert_eq!(
        h.init(TXN_ID),
        InitProducerIdResponse::error(ErrorCode::NotCoordinator)
    );
}

#[test]
fn should_respond_with_coordinator_load_in_progress_on_init_pid_when_coordinator_loading() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    h.c.begin_loading(p, 1);
    assert_eq!(
        h.init(TXN_ID),
        InitProducerIdResponse::error(ErrorCode::CoordinatorLoadInProgress)
    );
}

#[test]
fn invalid_transaction_timeout() {
    // TransactionStateManagerTest.testValidateTransactionTimeout, through
    // the request.
    let mut h = Host::new();
    for t in [0, -1, 900_001] {
        let r = h.init_with(InitProducerIdRequest::new(TXN_ID, t));
        assert_eq!(r.error_code, ErrorCode::InvalidTransactionTimeout, "{t}");
    }
    for t in [1, 900_000] {
        assert_eq!(
            h.init_with(InitProducerIdRequest::new(&format!("t{t}"), t))
                .error_code,
            ErrorCode::None
        );
    }
}

#[test]
fn producer_id_generator_error_is_returned() {
    struct Dry;
    impl ProducerIdGenerator for Dry {
        fn generate_producer_id(&mut self) -> Result<i64, ErrorCode> {
            Err(ErrorCode::CoordinatorLoadInProgress)
        }
    }
    let mut h = Host::new();
    let out = h.c.handle(
        h.now,
        7,
        Request::InitProducerId(InitProducerIdRequest::new(TXN_ID, 60_000)),
        &mut Dry,
    );
    h.absorb(out);
    assert_eq!(h.error(7), Some(ErrorCode::CoordinatorLoadInProgress));
    assert!(h.c.transaction(TXN_ID).is_none());
}

#[test]
fn should_respond_with_invalid_pid_mapping_on_add_partitions_when_transactional_id_not_present() {
    let mut h = Host::new();
    let rid = h.add(TXN_ID, 0, 1, &parts());
    assert_eq!(h.error(rid), Some(ErrorCode::InvalidProducerIdMapping));
}

#[test]
fn should_respond_with_invalid_request_add_partitions_when_transactional_id_is_empty() {
    let mut h = Host::new();
    let rid = h.add("", 0, 1, &parts());
    assert_eq!(h.error(rid), Some(ErrorCode::InvalidRequest));
}

#[test]
fn should_respond_with_not_coordinator_or_loading_on_add_partitions() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    h.c.begin_loading(p, 1);
    let rid = h.add(TXN_ID, 0, 1, &parts());
    assert_eq!(h.error(rid), Some(ErrorCode::CoordinatorLoadInProgress));
    let out = h.c.unload(h.now, p, None);
    h.absorb(out);
    let rid = h.add(TXN_ID, 0, 1, &parts());
    assert_eq!(h.error(rid), Some(ErrorCode::NotCoordinator));
}

#[test]
fn should_respond_with_concurrent_transactions_on_add_partitions_when_state_is_prepare_commit_or_abort(
) {
    for state in [PrepareCommit, PrepareAbort] {
        let mut h = host_in(state);
        // Loading a prepare state sends the markers again; until they are
        // in, the id is busy.
        assert_eq!(h.markers.len(), 1);
        let rid = h.add(TXN_ID, PID, EPOCH, &[tp("other", 0)]);
        assert_eq!(
            h.error(rid),
            Some(ErrorCode::ConcurrentTransactions),
            "{state}"
        );
    }
}

#[test]
fn should_respond_with_producer_fenced_on_add_partitions_when_epochs_are_different() {
    let mut h = host_in(Ongoing);
    let rid = h.add(TXN_ID, PID, EPOCH - 1, &parts());
    assert_eq!(h.error(rid), Some(ErrorCode::ProducerFenced));
}

#[test]
fn should_append_new_metadata_to_log_on_add_partitions_from_each_state() {
    for state in [Empty, Ongoing, CompleteCommit, CompleteAbort] {
        let mut h = host_in(state);
        let rid = h.add(TXN_ID, PID, EPOCH, &[tp("topic2", 3)]);
        assert!(h.response(rid).is_none());
        let a = h.complete_append(Ok(()));
        let v = appended_value(&a);
        assert_eq!(v.state().unwrap(), Ongoing);
        assert_eq!(h.error(rid), Some(ErrorCode::None), "{state}");
        let expected: Vec<_> = if state == Ongoing {
            vec![tp("topic1", 0), tp("topic2", 3)]
        } else {
            vec![tp("topic2", 3)]
        };
        assert_eq!(
            h.meta(TXN_ID)
                .topic_partitions
                .iter()
                .cloned()
                .collect::<Vec<_>>(),
            expected
        );
        // A new transaction starts its clock now; an ongoing one keeps it.
        assert_eq!(h.meta(TXN_ID).txn_start_timestamp, h.now);
    }
}

#[test]
fn should_respond_with_errors_none_on_add_partition_when_no_errors_and_partitions_the_same() {
    let mut h = host_in(Ongoing);
    let rid = h.add(TXN_ID, PID, EPOCH, &parts());
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    assert!(h.appends.is_empty(), "nothing to write");
}

#[test]
fn add_partitions_response_lists_every_partition() {
    let mut h = host_in(Ongoing);
    let rid = h.add(
        TXN_ID,
        PID,
        EPOCH + 5,
        &[tp("a", 0), tp("a", 1), tp("b", 0)],
    );
    let Some(Response::AddPartitionsToTxn(r)) = h.response(rid) else {
        panic!()
    };
    let flat: Vec<_> = r
        .results
        .iter()
        .flat_map(|t| {
            t.results
                .iter()
                .map(move |p| (t.name.as_str(), p.partition_index, p.error_code))
        })
        .collect();
    assert_eq!(
        flat,
        vec![
            ("a", 0, ErrorCode::ProducerFenced),
            ("a", 1, ErrorCode::ProducerFenced),
            ("b", 0, ErrorCode::ProducerFenced)
        ]
    );
}

#[test]
fn add_offsets_adds_the_groups_consumer_offsets_partition() {
    let mut h = host_in(Ongoing);
    let rid = h.send(Request::AddOffsetsToTxn(AddOffsetsToTxnRequest {
        transactional_id: TXN_ID.into(),
        producer_id: PID,
        producer_epoch: EPOCH,
        group_id: "hello".into(),
    }));
    h.settle();
    assert_eq!(
        h.response(rid),
        Some(&Response::AddOffsetsToTxn(AddOffsetsToTxnResponse {
            error_code: ErrorCode::None
        }))
    );
    // "hello".hashCode() = 99162322, % 50 = 22.
    assert!(h
        .meta(TXN_ID)
        .topic_partitions
        .contains(&tp("__consumer_offsets", 22)));
}

#[test]
fn should_reply_with_invalid_pid_mapping_on_end_txn() {
    let mut h = Host::new();
    let rid = h.end(TXN_ID, 0, 0, true);
    assert_eq!(
        h.error(rid),
        Some(ErrorCode::InvalidProducerIdMapping),
        "unknown id"
    );
    let mut h = host_in(Ongoing);
    let rid = h.end(TXN_ID, PID + 1, EPOCH, true);
    assert_eq!(
        h.error(rid),
        Some(ErrorCode::InvalidProducerIdMapping),
        "other producer id"
    );
}

#[test]
fn should_reply_with_producer_fenced_on_end_txn_when_epoch_is_not_same_as_transaction() {
    let mut h = host_in(Ongoing);
    let rid = h.end(TXN_ID, PID, EPOCH - 1, true);
    assert_eq!(h.error(rid), Some(ErrorCode::ProducerFenced));
}

#[test]
fn should_return_invalid_epoch_on_end_txn_when_epoch_is_larger_or_smaller() {
    for epoch in [EPOCH + 1, EPOCH - 1] {
        let mut h = host_in(CompleteCommit);
        let rid = h.end(TXN_ID, PID, epoch, true);
        assert_eq!(h.error(rid), Some(ErrorCode::ProducerFenced));
    }
}

#[test]
fn should_return_ok_on_end_txn_retry_after_completion() {
    for (state, commit) in [(CompleteCommit, true), (CompleteAbort, false)] {
        let mut h = host_in(state);
        let rid = h.end(TXN_ID, PID, EPOCH, commit);
        assert_eq!(h.error(rid), Some(ErrorCode::None));
        assert!(h.appends.is_empty());
    }
}

#[test]
fn should_return_invalid_txn_state_on_end_txn_with_the_other_result() {
    for (state, commit) in [
        (CompleteCommit, false),
        (CompleteAbort, true),
        (Empty, true),
        (Empty, false),
    ] {
        let mut h = host_in(state);
        let rid = h.end(TXN_ID, PID, EPOCH, commit);
        assert_eq!(
            h.error(rid),
            Some(ErrorCode::InvalidTxnState),
            "{state} commit={commit}"
        );
    }
}

#[test]
fn should_return_concurrent_transactions_on_end_txn_while_completing() {
    for (state, commit) in [
        (PrepareCommit, true),
        (PrepareAbort, false),
        (PrepareCommit, false),
    ] {
        let mut h = host_in(state);
        let rid = h.end(TXN_ID, PID, EPOCH, commit);
        assert_eq!(
            h.error(rid),
            Some(ErrorCode::ConcurrentTransactions),
            "{state}"
        );
    }
}

#[test]
fn should_append_prepare_commit_or_abort_to_log_on_end_txn() {
    for (commit, prepare, complete) in [
        (true, PrepareCommit, CompleteCommit),
        (false, PrepareAbort, CompleteAbort),
    ] {
        let mut h = host_in(Ongoing);
        let start = h.meta(TXN_ID).txn_start_timestamp;
        h.now += 5;
        let rid = h.end(TXN_ID, PID, EPOCH, commit);
        assert!(h.response(rid).is_none());
        let a = h.complete_append(Ok(()));
        let v = appended_value(&a);
        assert_eq!(v.state().unwrap(), prepare);
        assert_eq!(v.producer_epoch, EPOCH);
        assert_eq!(v.transaction_start_timestamp_ms, start);
        assert_eq!(v.transaction_last_update_timestamp_ms, h.now);
        // Answered once the decision is durable, before the markers.
        assert_eq!(h.error(rid), Some(ErrorCode::None));
        assert_eq!(h.meta(TXN_ID).state, prepare);
        assert_eq!(h.markers.len(), 1);
        let (_, m) = h.ack_marker();
        assert_eq!(
            (
                m.producer_id,
                m.producer_epoch,
                m.transaction_result,
                m.coordinator_epoch
            ),
            (PID, EPOCH, commit, 0)
        );
        assert_eq!(m.partitions().collect::<Vec<_>>(), parts());
        let a = h.complete_append(Ok(()));
        assert_eq!(appended_state(&a), complete);
        assert_eq!(appended_value(&a).transaction_partitions, Some(vec![]));
        assert_eq!(h.meta(TXN_ID).state, complete);
        assert!(h.meta(TXN_ID).topic_partitions.is_empty());
    }
}

#[test]
fn should_respond_with_invalid_request_on_end_txn_when_transactional_id_is_empty() {
    let mut h = Host::new();
    let rid = h.end("", 0, 0, true);
    assert_eq!(h.error(rid), Some(ErrorCode::InvalidRequest));
}

#[test]
fn should_respond_with_not_coordinator_or_loading_on_end_txn() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    h.c.begin_loading(p, 1);
    let rid = h.end(TXN_ID, 0, 0, true);
    assert_eq!(h.error(rid), Some(ErrorCode::CoordinatorLoadInProgress));
    let out = h.c.unload(h.now, p, None);
    h.absorb(out);
    let rid = h.end(TXN_ID, 0, 0, true);
    assert_eq!(h.error(rid), Some(ErrorCode::NotCoordinator));
}

#[test]
fn should_increment_epoch_and_update_metadata_on_handle_init_pid_when_existing_complete_or_empty() {
    for state in [Empty, CompleteAbort, CompleteCommit] {
        let mut h = host_in(state);
        let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 10));
        assert_eq!(
            (r.error_code, r.producer_id, r.producer_epoch),
            (ErrorCode::None, PID, EPOCH + 1),
            "{state}"
        );
        let m = h.meta(TXN_ID);
        assert_eq!(
            (
                m.txn_timeout_ms,
                m.txn_last_update_timestamp,
                m.producer_epoch
            ),
            (10, h.now, EPOCH + 1)
        );
        assert_eq!(m.state, Empty);
    }
}

#[test]
fn should_wait_for_commit_to_complete_on_handle_init_pid_in_prepare_state() {
    for state in [PrepareCommit, PrepareAbort] {
        let mut h = host_in(state);
        let rid = h.send(Request::InitProducerId(InitProducerIdRequest::new(
            TXN_ID, 10,
        )));
        assert_eq!(
            init_error(&h, rid),
            InitProducerIdResponse::error(ErrorCode::ConcurrentTransactions)
        );
    }
}

#[test]
fn should_abort_transaction_on_handle_init_pid_when_existing_transaction_in_ongoing_state() {
    let mut h = host_in(Ongoing);
    let rid = h.send(Request::InitProducerId(InitProducerIdRequest::new(
        TXN_ID, 60_000,
    )));
    assert!(h.response(rid).is_none());
    // The abort is written with the bumped epoch and no last epoch.
    let a = h.complete_append(Ok(()));
    let v = appended_value(&a);
    assert_eq!(
        (v.state().unwrap(), v.producer_id, v.producer_epoch),
        (PrepareAbort, PID, EPOCH + 1)
    );
    assert_eq!(
        init_error(&h, rid),
        InitProducerIdResponse::error(ErrorCode::ConcurrentTransactions)
    );
    // The zombie (old epoch) is fenced from now on.
    let old = h.end(TXN_ID, PID, EPOCH, true);
    assert_eq!(h.error(old), Some(ErrorCode::ProducerFenced));
    let (_, m) = h.ack_marker();
    assert_eq!((m.producer_epoch, m.transaction_result), (EPOCH + 1, false));
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteAbort);
    // The producer's retry bumps once more.
    let r = h.init(TXN_ID);
    assert_eq!(
        (r.error_code, r.producer_id, r.producer_epoch),
        (ErrorCode::None, PID, EPOCH + 2)
    );
}

#[test]
fn should_not_repeatedly_bump_epoch_due_to_init_pid_during_ongoing_txn_if_append_to_log_fails() {
    let mut h = host_in(Ongoing);
    for _ in 0..2 {
        let rid = h.send(Request::InitProducerId(InitProducerIdRequest::new(
            TXN_ID, 60_000,
        )));
        let a = h.complete_append(Err(ErrorCode::NotEnoughReplicas));
        assert_eq!(appended_value(&a).producer_epoch, EPOCH + 1);
        // appendTransactionToLog maps NOT_ENOUGH_REPLICAS.
        assert_eq!(
            init_error(&h, rid),
            InitProducerIdResponse::error(ErrorCode::CoordinatorNotAvailable)
        );
        let m = h.meta(TXN_ID);
        assert_eq!(
            (m.producer_epoch, m.has_failed_epoch_fence, m.state),
            (EPOCH + 1, true, Ongoing)
        );
    }
    let rid = h.send(Request::InitProducerId(InitProducerIdRequest::new(
        TXN_ID, 60_000,
    )));
    let a = h.complete_append(Ok(()));
    assert_eq!(appended_value(&a).producer_epoch, EPOCH + 1);
    assert_eq!(
        init_error(&h, rid),
        InitProducerIdResponse::error(ErrorCode::ConcurrentTransactions)
    );
    let m = h.meta(TXN_ID);
    assert_eq!(
        (m.producer_epoch, m.has_failed_epoch_fence, m.state),
        (EPOCH + 1, false, PrepareAbort)
    );
}

#[test]
fn should_use_last_epoch_to_fence_when_epochs_are_exhausted() {
    let mut h = Host::new();
    h.load_value(
        TXN_ID,
        value(PID, i16::MAX - 1, Ongoing, &parts(), h.now, h.now),
        0,
    );
    let rid = h.send(Request::InitProducerId(InitProducerIdRequest::new(
        TXN_ID, 60_000,
    )));
    let a = h.complete_append(Ok(()));
    let v = appended_value(&a);
    assert_eq!(
        (v.state().unwrap(), v.producer_id, v.producer_epoch),
        (PrepareAbort, PID, i16::MAX)
    );
    assert_eq!(h.meta(TXN_ID).producer_epoch, i16::MAX);
    assert_eq!(
        init_error(&h, rid),
        InitProducerIdResponse::error(ErrorCode::ConcurrentTransactions)
    );
    h.settle();
    // The retry rotates to a new producer id.
    let r = h.init(TXN_ID);
    assert_eq!((r.error_code, r.producer_epoch), (ErrorCode::None, 0));
    assert_ne!(r.producer_id, PID);
}

#[test]
fn test_init_producer_id_with_no_last_producer_data() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID, EPOCH + 1, Empty, &[], -1, h.now), 0);
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, EPOCH));
    assert_eq!(r, InitProducerIdResponse::error(ErrorCode::ProducerFenced));
}

#[test]
fn test_fence_producer_when_mapping_exists_with_different_producer_id() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID + 1, EPOCH, Empty, &[], -1, h.now), 0);
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, EPOCH));
    assert_eq!(r, InitProducerIdResponse::error(ErrorCode::ProducerFenced));
}

#[test]
fn test_init_producer_id_with_current_epoch_provided() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID, 10, Empty, &[], -1, h.now), 0);
    let ok = InitProducerIdResponse {
        error_code: ErrorCode::None,
        producer_id: PID,
        producer_epoch: 11,
    };
    assert_eq!(
        h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, 10)),
        ok
    );
    // A retry whose first answer was lost gets the same answer, no bump.
    assert_eq!(
        h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, 10)),
        ok
    );
    assert_eq!(h.meta(TXN_ID).producer_epoch, 11);
}

#[test]
fn test_init_producer_id_stale_current_epoch_provided() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID, 10, Empty, &[], -1, h.now), 0);
    let r = h.init(TXN_ID);
    assert_eq!((r.producer_id, r.producer_epoch), (PID, 11));
    // A new producer cleared the last epoch: the old one is fenced.
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, 10));
    assert_eq!(r, InitProducerIdResponse::error(ErrorCode::ProducerFenced));
}

#[test]
fn test_retry_init_producer_id_after_producer_id_rotation() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID, i16::MAX - 1, Empty, &[], -1, h.now), 0);
    let req = InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, i16::MAX - 1);
    let r = h.init_with(req.clone());
    assert_eq!(
        (r.error_code, r.producer_id, r.producer_epoch),
        (ErrorCode::None, 1000, 0)
    );
    assert_eq!(h.init_with(req), r);
}

#[test]
fn test_init_producer_id_with_invalid_epoch_after_producer_id_rotation() {
    let mut h = Host::new();
    h.load_value(TXN_ID, value(PID, i16::MAX - 1, Empty, &[], -1, h.now), 0);
    let r =
        h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, i16::MAX - 1));
    assert_eq!((r.producer_id, r.producer_epoch), (1000, 0));
    let r =
        h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, i16::MAX - 2));
    assert_eq!(r, InitProducerIdResponse::error(ErrorCode::ProducerFenced));
}

#[test]
fn init_with_only_one_of_producer_id_and_epoch_is_invalid() {
    let mut h = host_in(Empty);
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, -1));
    assert_eq!(r.error_code, ErrorCode::InvalidRequest);
}

#[test]
fn should_remove_transactions_for_partition_on_emigration() {
    let mut h = host_in(PrepareCommit);
    assert_eq!(h.markers.len(), 1);
    let p = h.c.partition_for(TXN_ID);
    let out = h.c.unload(h.now, p, Some(0));
    h.absorb(out);
    assert!(h.c.transaction(TXN_ID).is_none());
    assert!(!h.c.owns_partition(p));
    assert_eq!(h.c.pending_marker_sends().count(), 0);
    // A late marker answer does nothing.
    h.ack_marker();
    assert!(h.appends.is_empty());
}

#[test]
fn should_abort_expired_transactions_in_ongoing_state_and_bump_epoch() {
    let mut h = Host::new();
    h.load_value(
        TXN_ID,
        value(PID, EPOCH, Ongoing, &parts(), h.now, h.now),
        0,
    );
    h.meta(TXN_ID);
    // timeout 60 s; checked every 10 s, aborted at the first check after.
    for _ in 0..6 {
        h.advance(10_000);
        assert!(h.appends.is_empty());
    }
    h.advance(10_000);
    assert_eq!(h.appends.len(), 1);
    let v = appended_value(&h.appends[0]);
    assert_eq!(
        (v.state().unwrap(), v.producer_epoch),
        (PrepareAbort, EPOCH + 1)
    );
    assert_eq!(v.transaction_last_update_timestamp_ms, h.now);
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteAbort);
    assert_eq!(h.meta(TXN_ID).producer_epoch, EPOCH + 1);
    // The timed-out producer is fenced.
    let rid = h.end(TXN_ID, PID, EPOCH, true);
    assert_eq!(h.error(rid), Some(ErrorCode::ProducerFenced));
}

#[test]
fn should_not_abort_expired_transactions_that_have_a_pending_state_transition() {
    let mut h = host_in(Ongoing);
    let rid = h.end(TXN_ID, PID, EPOCH, true);
    assert_eq!(h.appends.len(), 1);
    h.advance(120_000);
    assert_eq!(h.appends.len(), 1, "no abort while the commit is pending");
    h.complete_append(Ok(()));
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
}

#[test]
fn should_not_bump_epoch_when_aborting_expired_transaction_if_append_to_log_fails() {
    let mut h = host_in(Ongoing);
    h.advance(70_000);
    let a = h.complete_append(Err(ErrorCode::NotEnoughReplicas));
    assert_eq!(appended_value(&a).producer_epoch, EPOCH + 1);
    let m = h.meta(TXN_ID);
    assert_eq!(
        (
            m.producer_epoch,
            m.has_failed_epoch_fence,
            m.state,
            m.pending_state
        ),
        (EPOCH + 1, true, Ongoing, None)
    );
    // The next check tries again with the same epoch.
    h.advance(10_000);
    let a = h.complete_append(Ok(()));
    assert_eq!(appended_value(&a).producer_epoch, EPOCH + 1);
    h.settle();
    assert_eq!(
        (h.meta(TXN_ID).state, h.meta(TXN_ID).producer_epoch),
        (CompleteAbort, EPOCH + 1)
    );
}

#[test]
fn should_not_bump_epoch_with_pending_transaction() {
    let mut h = host_in(Ongoing);
    h.end(TXN_ID, PID, EPOCH, true);
    let r = h.send(Request::InitProducerId(
        InitProducerIdRequest::new(TXN_ID, 60_000).with_producer(PID, 10),
    ));
    assert_eq!(
        init_error(&h, r),
        InitProducerIdResponse::error(ErrorCode::ConcurrentTransactions)
    );
}

#[test]
fn full_transaction_round_trip() {
    let mut h = Host::new();
    let r = h.init("txn-1");
    let (pid, epoch) = (r.producer_id, r.producer_epoch);
    let rid = h.add("txn-1", pid, epoch, &[tp("a", 0), tp("b", 1)]);
    h.settle();
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    let rid = h.end("txn-1", pid, epoch, true);
    h.settle();
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    let states: Vec<_> = h.changes.iter().map(|(_, f, t)| (*f, *t)).collect();
    assert_eq!(
        states,
        vec![
            (Empty, Empty),
            (Empty, Ongoing),
            (Ongoing, PrepareCommit),
            (PrepareCommit, CompleteCommit)
        ]
    );
    // A second transaction from CompleteCommit.
    let rid = h.add("txn-1", pid, epoch, &[tp("c", 0)]);
    h.settle();
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    assert_eq!(h.meta("txn-1").topic_partitions.len(), 1);
}

#[test]
fn error_for_old_versions() {
    assert_eq!(
        error_for_version(TxnApi::InitProducerId, 3, ErrorCode::ProducerFenced),
        ErrorCode::InvalidProducerEpoch
    );
    assert_eq!(
        error_for_version(TxnApi::InitProducerId, 4, ErrorCode::ProducerFenced),
        ErrorCode::ProducerFenced
    );
    assert_eq!(
        error_for_version(TxnApi::EndTxn, 1, ErrorCode::ProducerFenced),
        ErrorCode::InvalidProducerEpoch
    );
    assert_eq!(
        error_for_version(TxnApi::AddPartitionsToTxn, 2, ErrorCode::ProducerFenced),
        ErrorCode::ProducerFenced
    );
    assert_eq!(
        error_for_version(TxnApi::EndTxn, 0, ErrorCode::ConcurrentTransactions),
        ErrorCode::ConcurrentTransactions
    );
}

//! TransactionStateManagerTest-style cases: loading and unloading
//! partitions, the append hand-off and its errors, coordinator epochs,
//! transactional id expiration.

mod common;

use common::*;
use kafkascope_transaction::TransactionState::*;
use kafkascope_transaction::*;
use protocol::ErrorCode;

fn started(h: &mut Host, id: &str) -> (i64, i16) {
    let r = h.init(id);
    let rid = h.add(
        id,
        r.producer_id,
        r.producer_epoch,
        &[tp("t", 0), tp("t", 1)],
    );
    h.settle();
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    (r.producer_id, r.producer_epoch)
}

#[test]
fn test_load_and_remove_transactions_for_partition() {
    let mut h = Host::new();
    // Ids that share partition 8 of 50 ("zero" and "transactionalId").
    let p = partition_for("zero", NUM_PARTITIONS);
    assert_eq!(p, partition_for("transactionalId", NUM_PARTITIONS));
    let records = [
        ("zero", value(1, 0, Ongoing, &[tp("a", 0)], 5, 6)),
        (
            "transactionalId",
            value(2, 3, PrepareCommit, &[tp("a", 0), tp("b", 2)], 5, 6),
        ),
    ];
    let encoded: Vec<(Vec<u8>, Vec<u8>)> = records
        .iter()
        .map(|(id, v)| (TransactionLogKey::new(id).encode(), v.encode()))
        .collect();
    let loads: Vec<LoadRecord> = encoded
        .iter()
        .enumerate()
        .map(|(i, (k, v))| LoadRecord {
            offset: i as i64,
            key: k,
            value: Some(v),
        })
        .collect();
    h.c.begin_loading(p, 3);
    assert!(h.c.is_loading(p));
    let out = h.c.load(h.now, p, 3, loads).unwrap();
    h.absorb(out);
    assert!(!h.c.is_loading(p) && h.c.owns_partition(p));
    assert_eq!(h.c.coordinator_epoch(p), Some(3));
    let z = h.meta("zero");
    assert_eq!(
        (
            z.producer_id,
            z.producer_epoch,
            z.state,
            z.txn_start_timestamp
        ),
        (1, 0, Ongoing, 5)
    );
    // The committing one is finished: markers with the new coordinator
    // epoch, then CompleteCommit.
    assert_eq!(h.markers.len(), 1);
    let (_, id, m) = &h.markers[0];
    assert_eq!(
        (
            id.as_str(),
            m.producer_id,
            m.producer_epoch,
            m.coordinator_epoch,
            m.transaction_result
        ),
        ("transactionalId", 2, 3, 3, true)
    );
    assert_eq!(
        m.partitions().collect::<Vec<_>>(),
        vec![tp("a", 0), tp("b", 2)]
    );
    h.settle();
    assert_eq!(h.meta("transactionalId").state, CompleteCommit);
    // Emigration: not the coordinator any more.
    let out = h.c.unload(h.now, p, Some(3));
    h.absorb(out);
    let rid = h.end("zero", 1, 0, true);
    assert_eq!(h.error(rid), Some(ErrorCode::NotCoordinator));
}

#[test]
fn a_late_resignation_does_not_unload_a_newer_epoch() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    h.load_value(TXN_ID, value(5, 0, Empty, &[], -1, h.now), 4);
    let out = h.c.unload(h.now, p, Some(3));
    h.absorb(out);
    assert!(h.c.owns_partition(p));
    // And a load for an older epoch than the one loading is ignored.
    h.c.begin_loading(p, 6);
    let out = h.c.load(h.now, p, 5, []).unwrap();
    assert!(out.is_empty());
    assert!(h.c.is_loading(p));
}

#[test]
fn corrupt_record_fails_the_load_and_keeps_loading() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    let key = TransactionLogKey::new(TXN_ID).encode();
    let err =
        h.c.load(
            h.now,
            p,
            1,
            [LoadRecord {
                offset: 42,
                key: &key,
                value: Some(&[0, 0, 1]),
            }],
        )
        .unwrap_err();
    assert_eq!(err.offset, 42);
    assert!(h.c.is_loading(p));
    assert_eq!(
        h.init(TXN_ID).error_code,
        ErrorCode::CoordinatorLoadInProgress
    );
}

#[test]
fn tombstone_in_log_removes_the_id() {
    let mut h = Host::new();
    let p = h.c.partition_for(TXN_ID);
    let key = TransactionLogKey::new(TXN_ID).encode();
    let v = value(5, 0, Empty, &[], -1, 0).encode();
    let out =
        h.c.load(
            h.now,
            p,
            1,
            [
                LoadRecord {
                    offset: 0,
                    key: &key,
                    value: Some(&v),
                },
                LoadRecord {
                    offset: 1,
                    key: &key,
                    value: None,
                },
            ],
        )
        .unwrap();
    h.absorb(out);
    assert!(h.c.transaction(TXN_ID).is_none());
}

#[test]
fn append_errors_are_mapped_like_kafka_and_reset_the_pending_state() {
    use ErrorCode::*;
    let cases = [
        (UnknownTopicOrPartition, CoordinatorNotAvailable),
        (NotEnoughReplicas, CoordinatorNotAvailable),
        (NotEnoughReplicasAfterAppend, CoordinatorNotAvailable),
        (RequestTimedOut, CoordinatorNotAvailable),
        (NotLeaderOrFollower, NotCoordinator),
        (KafkaStorageError, NotCoordinator),
        (MessageTooLarge, UnknownServerError),
        (RecordListTooLarge, UnknownServerError),
        (InvalidFetchSize, InvalidFetchSize),
    ];
    for (append_error, client_error) in cases {
        let mut h = Host::new();
        let (pid, epoch) = started(&mut h, TXN_ID);
        let before = h.meta(TXN_ID).clone();
        let rid = h.add(TXN_ID, pid, epoch, &[tp("u", 9)]);
        assert_eq!(h.meta(TXN_ID).pending_state, Some(Ongoing));
        h.complete_append(Err(append_error));
        assert_eq!(h.error(rid), Some(client_error), "{append_error}");
        assert_eq!(h.meta(TXN_ID), &before, "nothing changed, nothing pending");
        // The producer's retry goes through.
        let rid = h.add(TXN_ID, pid, epoch, &[tp("u", 9)]);
        h.settle();
        assert_eq!(h.error(rid), Some(ErrorCode::None));
    }
}

#[test]
fn test_append_transaction_to_log_while_coordinator_epoch_changed() {
    let mut h = Host::new();
    let (pid, epoch) = started(&mut h, TXN_ID);
    let p = h.c.partition_for(TXN_ID);
    let rid = h.end(TXN_ID, pid, epoch, true);
    // Failover and back before the append completes: the reload at epoch
    // 1 does not see the PrepareCommit (not in the host's log yet).
    let out = h.c.unload(h.now, p, Some(0));
    h.absorb(out);
    h.reload(p, 1);
    let a = h.appends.remove(0);
    let out = h.c.on_append_completed(h.now, a.append_id, Ok(()));
    h.absorb(out);
    assert_eq!(h.error(rid), Some(ErrorCode::NotCoordinator));
    assert_eq!(h.meta(TXN_ID).state, Ongoing);
    assert!(h.markers.is_empty());
}

#[test]
fn test_pending_state_not_reset_on_retry_append() {
    let mut h = Host::new();
    let (pid, epoch) = started(&mut h, TXN_ID);
    let rid = h.end(TXN_ID, pid, epoch, true);
    h.complete_append(Ok(()));
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    h.ack_marker();
    // The CompleteCommit write fails with a retriable error: it is written
    // again and the id stays busy meanwhile.
    let a = h.complete_append(Err(ErrorCode::NotEnoughReplicas));
    assert_eq!(appended_state(&a), CompleteCommit);
    assert_eq!(h.meta(TXN_ID).pending_state, Some(CompleteCommit));
    assert_eq!(h.appends.len(), 1);
    assert_eq!(appended_state(&h.appends[0]), CompleteCommit);
    let retry = h.end(TXN_ID, pid, epoch, true);
    assert_eq!(h.error(retry), Some(ErrorCode::ConcurrentTransactions));
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
    let retry = h.end(TXN_ID, pid, epoch, true);
    assert_eq!(h.error(retry), Some(ErrorCode::None));
}

#[test]
fn test_successful_reimmigration() {
    let mut h = Host::new();
    let (pid, epoch) = started(&mut h, TXN_ID);
    let rid = h.end(TXN_ID, pid, epoch, false);
    h.settle();
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    let before = h.meta(TXN_ID).clone();
    let p = h.c.partition_for(TXN_ID);
    let out = h.c.unload(h.now, p, Some(0));
    h.absorb(out);
    h.reload(p, 1);
    let after = h.meta(TXN_ID);
    assert_eq!(
        (
            after.producer_id,
            after.producer_epoch,
            after.state,
            after.txn_timeout_ms,
            after.txn_start_timestamp
        ),
        (
            before.producer_id,
            before.producer_epoch,
            before.state,
            before.txn_timeout_ms,
            before.txn_start_timestamp
        )
    );
    assert_eq!(
        after.txn_last_update_timestamp,
        before.txn_last_update_timestamp
    );
    // The log does not keep the last epoch.
    assert_eq!(after.last_producer_epoch, NO_PRODUCER_EPOCH);
}

#[test]
fn failover_mid_commit_resends_markers_with_the_new_coordinator_epoch() {
    let mut h = Host::new();
    let (pid, epoch) = started(&mut h, TXN_ID);
    let rid = h.end(TXN_ID, pid, epoch, true);
    h.complete_append(Ok(()));
    assert_eq!(h.error(rid), Some(ErrorCode::None));
    let (old_marker, _, _) = h.markers.remove(0);
    let p = h.c.partition_for(TXN_ID);
    let out = h.c.unload(h.now, p, Some(0));
    h.absorb(out);
    h.reload(p, 1);
    assert_eq!(h.meta(TXN_ID).state, PrepareCommit);
    // The old coordinator's marker answer is ignored.
    let out = h.c.on_markers_written(
        h.now,
        old_marker,
        &[(tp("t", 0), ErrorCode::None), (tp("t", 1), ErrorCode::None)],
    );
    h.absorb(out);
    assert!(h.appends.is_empty());
    assert_eq!(h.markers.len(), 1);
    assert_eq!(h.markers[0].2.coordinator_epoch, 1);
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteCommit);
}

fn expiring_host() -> Host {
    Host::with_config(TransactionConfig {
        transactional_id_expiration_ms: 100_000,
        remove_expired_transactional_ids_interval_ms: 50_000,
        ..TransactionConfig::default()
    })
}

#[test]
fn should_remove_complete_commit_complete_abort_and_empty_expired_transactional_ids() {
    for end in [Some(true), Some(false), None] {
        let mut h = expiring_host();
        let r = h.init(TXN_ID);
        if let Some(commit) = end {
            h.add(TXN_ID, r.producer_id, r.producer_epoch, &[tp("t", 0)]);
            h.settle();
            h.end(TXN_ID, r.producer_id, r.producer_epoch, commit);
            h.settle();
        }
        h.advance(49_999);
        assert!(h.appends.is_empty(), "no check yet");
        h.advance(1);
        assert!(h.appends.is_empty(), "idle 50 s of 100 s");
        // Kafka expires at last update <= now - expiration: exactly 100 s.
        h.advance(50_000);
        assert_eq!(h.appends.len(), 1);
        let a = &h.appends[0];
        assert_eq!(
            a.records,
            vec![TxnLogRecord {
                key: TransactionLogKey::new(TXN_ID).encode(),
                value: None
            }]
        );
        assert_eq!(h.meta(TXN_ID).pending_state, Some(Dead));
        h.complete_append(Ok(()));
        assert!(h.c.transaction(TXN_ID).is_none());
        assert_eq!(h.changes.last().unwrap().2, Dead);
        // Unknown from now on; a new InitProducerId starts afresh.
        let rid = h.end(TXN_ID, r.producer_id, r.producer_epoch, true);
        assert_eq!(h.error(rid), Some(ErrorCode::InvalidProducerIdMapping));
    }
}

#[test]
fn should_not_remove_expired_transactional_ids_if_log_append_fails() {
    let mut h = expiring_host();
    h.init(TXN_ID);
    h.advance(150_000);
    h.complete_append(Err(ErrorCode::NotEnoughReplicas));
    assert_eq!(h.meta(TXN_ID).pending_state, None);
    assert_eq!(h.meta(TXN_ID).state, Empty);
}

#[test]
fn should_not_remove_ongoing_or_preparing_transactional_ids() {
    let mut h = expiring_host();
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 900_000));
    h.add(TXN_ID, r.producer_id, r.producer_epoch, &[tp("t", 0)]);
    h.settle();
    let r2 = h.init("zero");
    h.add("zero", r2.producer_id, r2.producer_epoch, &[tp("t", 0)]);
    h.settle();
    h.end("zero", r2.producer_id, r2.producer_epoch, true);
    h.complete_append(Ok(()));
    assert_eq!(h.markers.len(), 1, "zero's markers stay out");
    for _ in 0..3 {
        h.now += 50_000;
        let out = h.c.on_timer(h.now);
        h.absorb(out);
    }
    // "zero" is PrepareCommit, TXN_ID Ongoing within its 900 s timeout:
    // neither may expire, nothing is aborted.
    assert!(h.appends.is_empty());
    assert_eq!(h.meta(TXN_ID).state, Ongoing);
    assert_eq!(h.meta("zero").state, PrepareCommit);
}

#[test]
fn one_tombstone_batch_per_partition() {
    let mut h = expiring_host();
    // "zero" and "transactionalId" share partition 8; "hello" is on 22.
    for id in ["zero", "transactionalId", "hello"] {
        h.init(id);
    }
    h.advance(150_000);
    let mut batches: Vec<(i32, usize)> = h
        .appends
        .iter()
        .map(|a| (a.partition, a.records.len()))
        .collect();
    batches.sort();
    assert_eq!(batches, vec![(8, 2), (22, 1)]);
    h.settle();
    assert_eq!(h.c.transactions().count(), 0);
}

#[test]
fn timer_deadlines_follow_the_configured_periods() {
    let h = Host::new();
    assert_eq!(h.c.next_deadline(), h.now + 10_000);
    let mut h = expiring_host();
    assert_eq!(h.c.next_deadline(), h.now + 10_000);
    // Calling late skips missed periods instead of running them twice.
    h.now += 35_000;
    let out = h.c.on_timer(h.now);
    assert!(out.is_empty());
    assert_eq!(h.c.next_deadline(), h.now + 5_000);
}

#[test]
fn shutdown_unloads_everything() {
    let mut h = Host::new();
    started(&mut h, TXN_ID);
    let out = h.c.shutdown(h.now);
    h.absorb(out);
    assert_eq!(h.init(TXN_ID).error_code, ErrorCode::NotCoordinator);
    assert_eq!(h.c.transactions().count(), 0);
}

/// Found by the property test: the old epoch's Complete write answering
/// NOT_COORDINATOR after a reload must not cancel the reload's markers.
#[test]
fn stale_complete_write_does_not_cancel_the_new_epochs_markers() {
    let mut h = Host::new();
    let (pid, epoch) = started(&mut h, TXN_ID);
    h.end(TXN_ID, pid, epoch, false);
    h.complete_append(Ok(()));
    h.ack_marker();
    assert_eq!(h.appends.len(), 1, "CompleteAbort on its way");
    let p = h.c.partition_for(TXN_ID);
    let out = h.c.unload(h.now, p, Some(0));
    h.absorb(out);
    h.reload(p, 1);
    assert_eq!(h.markers.len(), 1, "the reload resends the markers");
    let stale = h.appends.remove(0);
    let out = h.c.on_append_completed(h.now, stale.append_id, Ok(()));
    h.absorb(out);
    assert_eq!(h.c.pending_marker_sends().count(), 1);
    h.settle();
    assert_eq!(h.meta(TXN_ID).state, CompleteAbort);
}

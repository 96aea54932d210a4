//! DescribeTransactions / ListTransactions: TransactionCoordinatorTest's
//! testDescribeTransactions* and TransactionStateManagerTest's
//! testListTransactions* cases.

mod common;

use common::*;
use kafkascope_transaction::TransactionState::*;
use kafkascope_transaction::*;
use protocol::ErrorCode;

fn describe(h: &mut Host, id: &str) -> DescribedTransaction {
    let rid = h.send(Request::DescribeTransactions(DescribeTransactionsRequest {
        transactional_ids: vec![id.into()],
    }));
    match h.response(rid) {
        Some(Response::DescribeTransactions(r)) => r.transaction_states[0].clone(),
        other => panic!("{other:?}"),
    }
}

fn list(h: &mut Host, states: &[&str], pids: &[i64]) -> ListTransactionsResponse {
    let rid = h.send(Request::ListTransactions(ListTransactionsRequest {
        state_filters: states.iter().map(|s| s.to_string()).collect(),
        producer_id_filters: pids.to_vec(),
    }));
    match h.response(rid) {
        Some(Response::ListTransactions(r)) => r.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn test_describe_transactions_with_empty_transactional_id() {
    let mut h = Host::new();
    let d = describe(&mut h, "");
    assert_eq!(
        (d.transactional_id.as_str(), d.error_code),
        ("", ErrorCode::InvalidRequest)
    );
}

#[test]
fn test_describe_transactions_unknown_loading_and_not_coordinator() {
    let mut h = Host::new();
    assert_eq!(
        describe(&mut h, TXN_ID).error_code,
        ErrorCode::TransactionalIdNotFound
    );
    let p = h.c.partition_for(TXN_ID);
    h.c.begin_loading(p, 1);
    let d = describe(&mut h, TXN_ID);
    assert_eq!(
        (d.transactional_id.as_str(), d.error_code),
        (TXN_ID, ErrorCode::CoordinatorLoadInProgress)
    );
    let out = h.c.unload(h.now, p, None);
    h.absorb(out);
    assert_eq!(
        describe(&mut h, TXN_ID).error_code,
        ErrorCode::NotCoordinator
    );
    let out = h.c.shutdown(h.now);
    h.absorb(out);
    assert_eq!(
        describe(&mut h, TXN_ID).error_code,
        ErrorCode::CoordinatorNotAvailable
    );
}

#[test]
fn test_describe_transactions() {
    let mut h = Host::new();
    let r = h.init_with(InitProducerIdRequest::new(TXN_ID, 5_000));
    h.add(
        TXN_ID,
        r.producer_id,
        r.producer_epoch,
        &[tp("t", 1), tp("t", 0), tp("u", 2)],
    );
    h.settle();
    let d = describe(&mut h, TXN_ID);
    assert_eq!(d.error_code, ErrorCode::None);
    assert_eq!(
        (d.producer_id, d.producer_epoch, d.transaction_timeout_ms),
        (r.producer_id, r.producer_epoch, 5_000)
    );
    assert_eq!(
        (d.transaction_state.as_str(), d.transaction_start_time_ms),
        ("Ongoing", h.now)
    );
    assert_eq!(
        d.topics,
        vec![
            DescribeTransactionsTopicData {
                topic: "t".into(),
                partitions: vec![0, 1]
            },
            DescribeTransactionsTopicData {
                topic: "u".into(),
                partitions: vec![2]
            },
        ]
    );
}

#[test]
fn test_list_transactions_with_loading_partition() {
    let mut h = Host::new();
    h.c.begin_loading(3, 1);
    let r = list(&mut h, &[], &[]);
    assert_eq!(r.error_code, ErrorCode::CoordinatorLoadInProgress);
    assert!(r.transaction_states.is_empty());
}

#[test]
fn test_list_transactions_filtering() {
    let mut h = Host::new();
    // "zero" Ongoing, "hello" CompleteCommit, "known" Empty.
    let z = h.init("zero");
    h.add("zero", z.producer_id, z.producer_epoch, &[tp("t", 0)]);
    let e = h.init("hello");
    h.add("hello", e.producer_id, e.producer_epoch, &[tp("t", 0)]);
    h.settle();
    h.end("hello", e.producer_id, e.producer_epoch, true);
    h.settle();
    let k = h.init("known");
    let ids = |r: &ListTransactionsResponse| {
        let mut v: Vec<(String, i64, String)> = r
            .transaction_states
            .iter()
            .map(|s| {
                (
                    s.transactional_id.clone(),
                    s.producer_id,
                    s.transaction_state.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let all = list(&mut h, &[], &[]);
    assert_eq!(
        ids(&all),
        vec![
            ("hello".into(), e.producer_id, "CompleteCommit".into()),
            ("known".into(), k.producer_id, "Empty".into()),
            ("zero".into(), z.producer_id, "Ongoing".into()),
        ]
    );
    let ongoing = list(&mut h, &["Ongoing", "Frozen"], &[]);
    assert_eq!(
        ids(&ongoing),
        vec![("zero".into(), z.producer_id, "Ongoing".into())]
    );
    assert_eq!(ongoing.unknown_state_filters, vec!["Frozen".to_string()]);
    let by_pid = list(&mut h, &[], &[k.producer_id, 99_999]);
    assert_eq!(
        ids(&by_pid),
        vec![("known".into(), k.producer_id, "Empty".into())]
    );
    let none = list(&mut h, &["Ongoing"], &[k.producer_id]);
    assert!(none.transaction_states.is_empty());
    assert_eq!(h.meta("hello").state, CompleteCommit);
}

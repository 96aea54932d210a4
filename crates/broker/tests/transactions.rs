//! Transactions through brokers: InitProducerId → AddPartitionsToTxn →
//! transactional produce → EndTxn → markers → LSO; aborted transactions
//! for read_committed; zombie fencing; transactional offset commits;
//! ListOffsets.

mod common;

use common::{batch, fetch, fetched_values, produce, Cluster};
use kafkascope_broker::api::*;
use protocol::ErrorCode;
use transaction::{
    AddOffsetsToTxnRequest, AddPartitionsToTxnRequest, EndTxnRequest, InitProducerIdRequest,
    TransactionState,
};

const SMALL: &[(&str, &str)] = &[
    ("offsets.topic.num.partitions", "3"),
    ("transaction.state.log.num.partitions", "3"),
    ("group.initial.rebalance.delay.ms", "0"),
];

const TXN: &str = "tx-1";

fn txn(r: Response) -> transaction::Response {
    match r {
        Response::Txn(t) => t,
        other => panic!("not a transaction response: {other:?}"),
    }
}

struct Setup {
    c: Cluster,
    coord: BrokerId,
    tp: TopicPartition,
    leader: BrokerId,
}

fn setup() -> Setup {
    setup_with(SMALL)
}

fn setup_with(settings: &[(&str, &str)]) -> Setup {
    let mut c = Cluster::start(3, settings);
    c.create_topic("orders", &[vec![1, 2, 0]]);
    let tp = TopicPartition::new("orders", 0);
    let leader = c.leader(&tp).expect("orders-0 has a leader");
    let coord = c.find_coordinator(0, TXN, CoordinatorType::Transaction);
    let ts = TopicPartition::new("__transaction_state", transaction::partition_for(TXN, 3));
    assert_eq!(c.leader(&ts), Some(coord));
    // TransactionLog.transactionTopicConfigs
    let config =
        c.zk.tree()
            .get("/config/topics/__transaction_state")
            .unwrap();
    let config = String::from_utf8(config.data.clone()).unwrap();
    for kv in [
        r#""min.insync.replicas":"2""#,
        r#""cleanup.policy":"compact""#,
        r#""unclean.leader.election.enable":"false""#,
    ] {
        assert!(config.contains(kv), "{config}");
    }
    Setup {
        c,
        coord,
        tp,
        leader,
    }
}

/// InitProducerId, retried while the coordinator is busy (aborting the
/// previous producer's transaction answers CONCURRENT_TRANSACTIONS).
fn init(c: &mut Cluster, coord: BrokerId) -> (i64, i16) {
    for _ in 0..100 {
        let r = txn(c.call(
            coord,
            Request::Txn(transaction::Request::InitProducerId(
                InitProducerIdRequest::new(TXN, 60_000),
            )),
        ));
        let transaction::Response::InitProducerId(r) = r else {
            panic!()
        };
        match r.error_code {
            ErrorCode::None => return (r.producer_id, r.producer_epoch),
            ErrorCode::ConcurrentTransactions | ErrorCode::CoordinatorLoadInProgress => {
                c.run_for(100)
            }
            other => panic!("InitProducerId: {other:?}"),
        }
    }
    panic!("InitProducerId never succeeded");
}

fn add_partition(
    c: &mut Cluster,
    coord: BrokerId,
    tp: &TopicPartition,
    pid: i64,
    epoch: i16,
) -> ErrorCode {
    let tps = [transaction::TopicPartition::new(&tp.topic, tp.partition)];
    let r = txn(c.call(
        coord,
        Request::Txn(transaction::Request::AddPartitionsToTxn(
            AddPartitionsToTxnRequest::new(TXN, pid, epoch, &tps),
        )),
    ));
    r.error_code()
}

fn end(c: &mut Cluster, coord: BrokerId, pid: i64, epoch: i16, commit: bool) -> ErrorCode {
    let r = txn(c.call(
        coord,
        Request::Txn(transaction::Request::EndTxn(EndTxnRequest {
            transactional_id: TXN.into(),
            producer_id: pid,
            producer_epoch: epoch,
            committed: commit,
        })),
    ));
    r.error_code()
}

fn produce_ok(
    c: &mut Cluster,
    leader: BrokerId,
    tp: &TopicPartition,
    values: &[&str],
    producer: (i64, i16, i32),
) -> i64 {
    let (pid, epoch, seq) = producer;
    let r = c.call(
        leader,
        produce(
            tp,
            batch(values, 1_000, Some((pid, epoch, seq, true))),
            Some(TXN),
        ),
    );
    let Response::Produce(parts) = r else {
        panic!("{r:?}")
    };
    assert_eq!(parts[0].error, ErrorCode::None, "{parts:?}");
    parts[0].base_offset
}

fn fetch_part(
    c: &mut Cluster,
    leader: BrokerId,
    tp: &TopicPartition,
    level: IsolationLevel,
) -> FetchPartitionResponse {
    let Response::Fetch(mut parts) = c.call(leader, fetch(tp, 0, level)) else {
        panic!()
    };
    parts.remove(0)
}

/// What a read_committed consumer keeps (Kafka's `Fetcher`): once a
/// batch reaches an aborted transaction's first offset its producer is
/// aborted, its transactional data batches are dropped until its ABORT
/// marker.
fn committed_view(p: &FetchPartitionResponse) -> Vec<String> {
    use protocol::batch::RecordBatch;
    let mut aborted = p.aborted_transactions.clone();
    aborted.sort_by_key(|a| std::cmp::Reverse(a.1));
    let mut aborted_producers = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < p.records.len() {
        let (b, size) = RecordBatch::decode(&p.records[pos..]).unwrap();
        pos += size;
        while aborted
            .last()
            .is_some_and(|a| a.1 <= b.base_offset + b.last_offset_delta as i64)
        {
            aborted_producers.insert(aborted.pop().unwrap().0);
        }
        if b.is_control {
            let m = protocol::control::EndTransactionMarker::from_batch(&b).unwrap();
            if m.control_type == protocol::control::ControlRecordType::Abort {
                aborted_producers.remove(&b.producer_id);
            }
            continue;
        }
        if b.is_transactional && aborted_producers.contains(&b.producer_id) {
            continue;
        }
        for r in &b.records {
            out.push(String::from_utf8(r.value.clone().unwrap_or_default()).unwrap());
        }
    }
    out
}

#[test]
fn committed_transaction_becomes_visible_to_read_committed() {
    let Setup {
        mut c,
        coord,
        tp,
        leader,
    } = setup();
    let (pid, epoch) = init(&mut c, coord);
    assert_eq!(epoch, 0);
    assert_eq!(
        add_partition(&mut c, coord, &tp, pid, epoch),
        ErrorCode::None
    );
    let base = produce_ok(&mut c, leader, &tp, &["a", "b"], (pid, epoch, 0));
    assert_eq!(base, 0);

    // Open transaction: read_uncommitted sees it, read_committed does not.
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadUncommitted);
    assert_eq!(p.high_watermark, 2);
    assert_eq!(p.last_stable_offset, 0);
    assert_eq!(fetched_values(&p.records).len(), 2);
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadCommitted);
    assert!(p.records.is_empty());
    // ListOffsets latest: HW for read_uncommitted, LSO for read_committed.
    let r = c.call(
        leader,
        Request::ListOffsets {
            replica_id: -1,
            isolation_level: IsolationLevel::ReadCommitted,
            partitions: vec![(tp.clone(), LATEST_TIMESTAMP)],
        },
    );
    assert_eq!(
        r,
        Response::ListOffsets(vec![(tp.clone(), ErrorCode::None, -1, 0)])
    );
    let r = c.call(
        leader,
        Request::ListOffsets {
            replica_id: -1,
            isolation_level: IsolationLevel::ReadUncommitted,
            partitions: vec![(tp.clone(), LATEST_TIMESTAMP)],
        },
    );
    assert_eq!(
        r,
        Response::ListOffsets(vec![(tp.clone(), ErrorCode::None, -1, 2)])
    );

    assert_eq!(end(&mut c, coord, pid, epoch, true), ErrorCode::None);
    c.run_for(1_000);
    assert_eq!(
        c.broker(coord).transaction_coordinator().state(TXN),
        Some(TransactionState::CompleteCommit)
    );
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadCommitted);
    // The COMMIT marker is offset 2; everything is stable.
    assert_eq!((p.high_watermark, p.last_stable_offset), (3, 3));
    let values: Vec<String> = fetched_values(&p.records)
        .into_iter()
        .map(|v| v.2)
        .collect();
    assert_eq!(values, ["a", "b"]);
    assert!(p.aborted_transactions.is_empty());
    // Every replica has the marker.
    for b in 0..3 {
        assert_eq!(c.broker(b).partition(&tp).unwrap().leo(), 3);
    }
}

#[test]
fn aborted_transaction_is_reported_and_excluded() {
    let Setup {
        mut c,
        coord,
        tp,
        leader,
    } = setup();
    let (pid, epoch) = init(&mut c, coord);
    add_partition(&mut c, coord, &tp, pid, epoch);
    produce_ok(&mut c, leader, &tp, &["a"], (pid, epoch, 0));
    assert_eq!(end(&mut c, coord, pid, epoch, true), ErrorCode::None);
    c.run_for(500);
    // offsets: a=0, COMMIT=1, x=2, y=3, ABORT=4
    add_partition(&mut c, coord, &tp, pid, epoch);
    let base = produce_ok(&mut c, leader, &tp, &["x", "y"], (pid, epoch, 1));
    assert_eq!(base, 2);
    assert_eq!(end(&mut c, coord, pid, epoch, false), ErrorCode::None);
    c.run_for(500);
    assert_eq!(
        c.broker(coord).transaction_coordinator().state(TXN),
        Some(TransactionState::CompleteAbort)
    );
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadCommitted);
    assert_eq!(p.last_stable_offset, 5);
    assert_eq!(p.aborted_transactions, vec![(pid, 2)]);
    assert_eq!(committed_view(&p), ["a"]);
    // read_uncommitted gets no aborted-transaction list.
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadUncommitted);
    assert!(p.aborted_transactions.is_empty());
    assert_eq!(fetched_values(&p.records).len(), 3);
}

#[test]
fn a_second_init_fences_the_zombie() {
    let Setup {
        mut c,
        coord,
        tp,
        leader,
    } = setup();
    let (pid, e0) = init(&mut c, coord);
    add_partition(&mut c, coord, &tp, pid, e0);
    produce_ok(&mut c, leader, &tp, &["zombie"], (pid, e0, 0));

    // The new instance: same id, epoch bumped; the open transaction is
    // aborted with markers at the new epoch.
    let (pid2, e1) = init(&mut c, coord);
    assert_eq!(pid2, pid);
    assert!(e1 > e0);
    c.run_for(500);

    // The zombie's produce and EndTxn are fenced.
    let r = c.call(
        leader,
        produce(
            &tp,
            batch(&["late"], 1_000, Some((pid, e0, 1, true))),
            Some(TXN),
        ),
    );
    let Response::Produce(parts) = r else {
        panic!()
    };
    assert_eq!(parts[0].error, ErrorCode::InvalidProducerEpoch);
    let code = end(&mut c, coord, pid, e0, true);
    assert!(
        matches!(
            code,
            ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch
        ),
        "{code:?}"
    );

    // The zombie's record is aborted for read_committed readers.
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadCommitted);
    assert_eq!(p.aborted_transactions, vec![(pid, 0)]);
    assert!(committed_view(&p).is_empty());

    // The new instance works.
    assert_eq!(add_partition(&mut c, coord, &tp, pid, e1), ErrorCode::None);
    produce_ok(&mut c, leader, &tp, &["fresh"], (pid, e1, 0));
    assert_eq!(end(&mut c, coord, pid, e1, true), ErrorCode::None);
    c.run_for(500);
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadCommitted);
    assert_eq!(committed_view(&p), ["fresh"]);
}

#[test]
fn transactional_offset_commit_completes_with_the_commit_marker() {
    let Setup {
        mut c,
        coord,
        tp,
        leader,
    } = setup();
    let group_coord = c.find_coordinator(0, "app", CoordinatorType::Group);
    let (pid, epoch) = init(&mut c, coord);
    add_partition(&mut c, coord, &tp, pid, epoch);
    produce_ok(&mut c, leader, &tp, &["a"], (pid, epoch, 0));
    let r = txn(c.call(
        coord,
        Request::Txn(transaction::Request::AddOffsetsToTxn(
            AddOffsetsToTxnRequest {
                transactional_id: TXN.into(),
                producer_id: pid,
                producer_epoch: epoch,
                group_id: "app".into(),
            },
        )),
    ));
    assert_eq!(r.error_code(), ErrorCode::None);
    let r = c.call(
        group_coord,
        Request::Group(coordinator::Request::TxnOffsetCommit(
            coordinator::TxnOffsetCommitRequest {
                transactional_id: TXN.into(),
                group_id: "app".into(),
                producer_id: pid,
                producer_epoch: epoch,
                generation_id: -1,
                member_id: String::new(),
                group_instance_id: None,
                partitions: vec![coordinator::OffsetCommitRequestPartition {
                    topic: "orders".into(),
                    partition_index: 0,
                    committed_offset: 1,
                    committed_leader_epoch: -1,
                    committed_metadata: None,
                }],
            },
        )),
    );
    let Response::Group(coordinator::Response::TxnOffsetCommit(r)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(r.partitions[0].error_code, ErrorCode::None);
    // Pending until the transaction commits.
    assert_eq!(
        c.broker(group_coord)
            .group_coordinator()
            .committed("app", "orders", 0),
        None
    );
    assert_eq!(end(&mut c, coord, pid, epoch, true), ErrorCode::None);
    c.run_for(1_000);
    assert_eq!(
        c.broker(group_coord)
            .group_coordinator()
            .committed("app", "orders", 0),
        Some(1)
    );
}

#[test]
fn coordinator_failover_completes_the_open_transaction() {
    let Setup {
        mut c,
        coord,
        tp,
        leader,
    } = setup();
    let (pid, epoch) = init(&mut c, coord);
    add_partition(&mut c, coord, &tp, pid, epoch);
    produce_ok(&mut c, leader, &tp, &["a"], (pid, epoch, 0));
    c.crash(coord);
    c.run_for(3_000);
    let via = (0..3).find(|b| *b != coord).unwrap();
    let new_coord = c.find_coordinator(via, TXN, CoordinatorType::Transaction);
    assert_ne!(new_coord, coord);
    let t = c
        .broker(new_coord)
        .transaction_coordinator()
        .transaction(TXN)
        .expect("loaded from __transaction_state");
    assert_eq!((t.producer_id, t.producer_epoch), (pid, epoch));
    assert_eq!(t.state, TransactionState::Ongoing);
    // The producer finds the new coordinator and commits.
    assert_eq!(end(&mut c, new_coord, pid, epoch, true), ErrorCode::None);
    c.run_for(1_000);
    let leader = c.leader(&tp).unwrap();
    let p = fetch_part(&mut c, leader, &tp, IsolationLevel::ReadCommitted);
    assert_eq!(committed_view(&p), ["a"]);
    assert_eq!(p.last_stable_offset, p.high_watermark);
}

#[test]
fn markers_follow_the_partition_to_its_new_leader() {
    let Setup {
        mut c,
        coord,
        tp,
        leader,
    } = setup_with(&[
        SMALL[0],
        SMALL[1],
        SMALL[2],
        // The frozen broker also follows __transaction_state: it must drop
        // out of the ISR before the transaction's own records can commit.
        ("replica.lag.time.max.ms", "2000"),
    ]);
    assert_ne!(coord, leader, "the seeds put them apart");
    let (pid, epoch) = init(&mut c, coord);
    add_partition(&mut c, coord, &tp, pid, epoch);
    produce_ok(&mut c, leader, &tp, &["a"], (pid, epoch, 0));
    // The data leader freezes before the COMMIT marker reaches it, then dies.
    c.pause(leader);
    assert_eq!(end(&mut c, coord, pid, epoch, true), ErrorCode::None);
    c.run_for(200);
    assert_eq!(
        c.broker(coord).transaction_coordinator().state(TXN),
        Some(TransactionState::PrepareCommit)
    );
    c.crash(leader);
    c.run_for(3_000);
    // The marker was retried to the new leader; the commit completed.
    assert_eq!(
        c.broker(coord).transaction_coordinator().state(TXN),
        Some(TransactionState::CompleteCommit)
    );
    let new_leader = c.leader(&tp).unwrap();
    assert_ne!(new_leader, leader);
    let p = fetch_part(&mut c, new_leader, &tp, IsolationLevel::ReadCommitted);
    assert_eq!(committed_view(&p), ["a"]);
    assert_eq!(p.last_stable_offset, p.high_watermark);
}

#[test]
fn list_offsets_by_time() {
    let mut c = Cluster::start(3, SMALL);
    c.create_topic("events", &[vec![0, 1, 2]]);
    let tp = TopicPartition::new("events", 0);
    let leader = c.leader(&tp).unwrap();
    for (i, ts) in [1_000, 2_000, 3_000].into_iter().enumerate() {
        let v = format!("v{i}");
        let r = c.call(leader, produce(&tp, batch(&[&v], ts, None), None));
        let Response::Produce(p) = r else { panic!() };
        assert_eq!(p[0].error, ErrorCode::None);
    }
    let ask = |ts: i64| Request::ListOffsets {
        replica_id: -1,
        isolation_level: IsolationLevel::ReadUncommitted,
        partitions: vec![(tp.clone(), ts)],
    };
    let one = |r: Response| match r {
        Response::ListOffsets(mut v) => {
            let (_, e, t, o) = v.remove(0);
            (e, t, o)
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(one(c.call(leader, ask(1_500))), (ErrorCode::None, 2_000, 1));
    assert_eq!(one(c.call(leader, ask(1_000))), (ErrorCode::None, 1_000, 0));
    assert_eq!(one(c.call(leader, ask(3_001))), (ErrorCode::None, -1, -1));
    assert_eq!(
        one(c.call(leader, ask(EARLIEST_TIMESTAMP))),
        (ErrorCode::None, -1, 0)
    );
    assert_eq!(
        one(c.call(leader, ask(LATEST_TIMESTAMP))),
        (ErrorCode::None, -1, 3)
    );
    let follower = (0..3).find(|b| *b != leader).unwrap();
    assert_eq!(
        one(c.call(follower, ask(LATEST_TIMESTAMP))).0,
        ErrorCode::NotLeaderOrFollower
    );
}

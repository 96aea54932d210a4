//! The producer against scripted broker answers.

use super::*;
use broker::api::{CoordinatorType, MetadataResponse, PartitionState, ProducePartitionResponse};

fn producer(config: ProducerConfig) -> Producer {
    Producer::new("p", 0, config, Topology { brokers: 2 }, 7)
}

/// Kafka 2.x's default: no idempotence.
fn plain() -> ProducerConfig {
    ProducerConfig {
        enable_idempotence: Some(false),
        ..ProducerConfig::default()
    }
}

fn record(v: &str) -> ProducerRecord {
    ProducerRecord {
        topic: "t".into(),
        partition: Some(0),
        key: None,
        value: Some(v.as_bytes().to_vec()),
        headers: vec![],
    }
}

/// The requests in `out`, with their correlation ids and destinations.
fn requests(out: &mut Vec<Output>) -> Vec<(BrokerId, i32, Request)> {
    out.drain(..)
        .filter_map(|o| match o {
            Output::Send {
                to: Addr::Broker(b),
                msg:
                    Msg::Request {
                        correlation_id,
                        request,
                    },
            } => Some((b, correlation_id, request)),
            _ => None,
        })
        .collect()
}

fn metadata(leader: BrokerId) -> Response {
    Response::Metadata(MetadataResponse {
        controller_id: 0,
        brokers: vec![0, 1],
        partitions: vec![PartitionState {
            tp: TopicPartition::new("t", 0),
            controller_epoch: 1,
            leader,
            leader_epoch: 0,
            isr: vec![0, 1],
            zk_version: 0,
            replicas: vec![0, 1],
            is_new: false,
        }],
    })
}

fn produce_answer(error: ErrorCode, base_offset: i64) -> Response {
    Response::Produce(vec![ProducePartitionResponse {
        tp: TopicPartition::new("t", 0),
        error,
        base_offset,
        log_append_time: -1,
        log_start_offset: 0,
    }])
}

fn answer(
    p: &mut Producer,
    now: u64,
    to: (BrokerId, i32),
    response: Response,
    out: &mut Vec<Output>,
) {
    p.on_message(
        now,
        Addr::Broker(to.0),
        Msg::Response {
            correlation_id: to.1,
            response,
        },
        out,
    );
}

#[test]
fn metadata_first_then_produce_then_ack_with_offsets() {
    let mut p = producer(plain());
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out).unwrap();
    p.send(0, record("b"), &mut out).unwrap();
    let reqs = requests(&mut out);
    assert!(matches!(
        reqs.as_slice(),
        [(_, _, Request::Metadata { .. })]
    ));
    answer(&mut p, 2, (reqs[0].0, reqs[0].1), metadata(1), &mut out);
    let reqs = requests(&mut out);
    assert_eq!(reqs.len(), 1);
    let (b, id, Request::Produce(r)) = &reqs[0] else {
        panic!("{reqs:?}")
    };
    assert_eq!((*b, r.acks, r.partitions.len()), (1, -1, 1));
    answer(
        &mut p,
        4,
        (*b, *id),
        produce_answer(ErrorCode::None, 10),
        &mut out,
    );
    let offsets: Vec<i64> = p.app.acked.iter().map(|a| a.offset).collect();
    assert_eq!(offsets, vec![10, 11]);
    assert_eq!(p.incomplete(), 0);
}

#[test]
fn not_leader_retries_after_backoff_on_the_new_leader() {
    let mut p = producer(plain());
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out).unwrap();
    let m = requests(&mut out);
    answer(&mut p, 1, (m[0].0, m[0].1), metadata(0), &mut out);
    let r = requests(&mut out);
    answer(
        &mut p,
        2,
        (r[0].0, r[0].1),
        produce_answer(ErrorCode::NotLeaderOrFollower, -1),
        &mut out,
    );
    // Metadata is refreshed once its own backoff (retry.backoff.ms after
    // the last refresh, at 0) has passed; the batch waits for its backoff.
    assert!(requests(&mut out).is_empty());
    p.on_timer(100, WAKEUP, &mut out);
    let m = requests(&mut out);
    assert!(
        matches!(m.as_slice(), [(_, _, Request::Metadata { .. })]),
        "{m:?}"
    );
    answer(&mut p, 101, (m[0].0, m[0].1), metadata(1), &mut out);
    assert!(requests(&mut out).is_empty(), "no retry before the backoff");
    p.on_timer(102, WAKEUP, &mut out);
    let r = requests(&mut out);
    assert!(
        matches!(r.as_slice(), [(1, _, Request::Produce(_))]),
        "{r:?}"
    );
    assert!(
        p.app.errors.is_empty(),
        "a retried error is not the application's"
    );
    assert_eq!(p.app.attempts, 2);
}

#[test]
fn retries_zero_delivers_the_error() {
    let mut p = producer(ProducerConfig {
        retries: 0,
        ..plain()
    });
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out).unwrap();
    let m = requests(&mut out);
    answer(&mut p, 1, (m[0].0, m[0].1), metadata(0), &mut out);
    let r = requests(&mut out);
    answer(
        &mut p,
        2,
        (r[0].0, r[0].1),
        produce_answer(ErrorCode::NotEnoughReplicas, -1),
        &mut out,
    );
    assert_eq!(
        p.app.errors.iter().collect::<Vec<_>>(),
        vec!["NOT_ENOUGH_REPLICAS"]
    );
    assert_eq!(p.incomplete(), 0);
}

#[test]
fn in_flight_cap_holds_batches_back() {
    let cfg = ProducerConfig {
        max_in_flight: 1,
        ..plain()
    };
    let mut p = producer(cfg);
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out).unwrap();
    let m = requests(&mut out);
    answer(&mut p, 1, (m[0].0, m[0].1), metadata(0), &mut out);
    let first = requests(&mut out);
    assert_eq!(first.len(), 1);
    p.send(2, record("b"), &mut out).unwrap();
    assert!(
        requests(&mut out).is_empty(),
        "one request in flight at most"
    );
    answer(
        &mut p,
        3,
        (first[0].0, first[0].1),
        produce_answer(ErrorCode::None, 0),
        &mut out,
    );
    assert_eq!(requests(&mut out).len(), 1);
}

#[test]
fn delivery_timeout_fails_records_with_no_leader() {
    let cfg = ProducerConfig {
        delivery_timeout_ms: 1_000,
        ..plain()
    };
    let mut p = producer(cfg);
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out).unwrap();
    let m = requests(&mut out);
    // The batch is created when the record is appended, after the
    // metadata arrived (at 1): it expires at 1 + delivery.timeout.ms.
    answer(&mut p, 1, (m[0].0, m[0].1), metadata(-1), &mut out);
    p.on_timer(1_000, WAKEUP, &mut out);
    assert!(p.app.errors.is_empty());
    p.on_timer(1_001, WAKEUP, &mut out);
    assert_eq!(
        p.app.errors.iter().collect::<Vec<_>>(),
        vec!["REQUEST_TIMED_OUT"]
    );
    assert_eq!(p.incomplete(), 0);
}

fn init_answer(producer_id: i64, producer_epoch: i16) -> Response {
    Response::Txn(transaction::Response::InitProducerId(
        transaction::InitProducerIdResponse {
            error_code: ErrorCode::None,
            producer_id,
            producer_epoch,
        },
    ))
}

/// (producer id, epoch, base sequence, transactional) of a Produce request's batch.
fn batch_of(r: &Request) -> (i64, i16, i32, bool) {
    let Request::Produce(r) = r else {
        panic!("not a Produce: {r:?}")
    };
    let h = protocol::batch::BatchHeader::parse(&r.partitions[0].records).unwrap();
    (
        h.producer_id,
        h.producer_epoch,
        h.base_sequence,
        h.is_transactional(),
    )
}

fn is_init(r: &Request) -> bool {
    matches!(r, Request::Txn(transaction::Request::InitProducerId(_)))
}

/// An idempotent producer with metadata and producer id 42 epoch 0.
fn ready_idempotent(config: ProducerConfig) -> (Producer, Vec<Output>) {
    let mut p = producer(config);
    assert!(p.idempotent);
    let mut out = Vec::new();
    p.start(0, &mut out);
    p.send(0, record("a"), &mut out).unwrap();
    let reqs = requests(&mut out);
    let meta = reqs
        .iter()
        .find(|r| matches!(r.2, Request::Metadata { .. }))
        .expect("metadata");
    let init = reqs.iter().find(|r| is_init(&r.2)).expect("InitProducerId");
    let Request::Txn(transaction::Request::InitProducerId(i)) = &init.2 else {
        unreachable!()
    };
    assert_eq!(i.transactional_id, None);
    answer(&mut p, 1, (meta.0, meta.1), metadata(0), &mut out);
    answer(&mut p, 1, (init.0, init.1), init_answer(42, 0), &mut out);
    (p, out)
}

#[test]
fn idempotent_by_default_numbers_batches_per_partition() {
    let (mut p, mut out) = ready_idempotent(ProducerConfig::default());
    let r = requests(&mut out);
    assert_eq!(r.len(), 1);
    assert_eq!(batch_of(&r[0].2), (42, 0, 0, false));
    answer(
        &mut p,
        2,
        (r[0].0, r[0].1),
        produce_answer(ErrorCode::None, 0),
        &mut out,
    );
    p.send(3, record("b"), &mut out).unwrap();
    p.send(3, record("c"), &mut out).unwrap();
    let r = requests(&mut out);
    assert_eq!(batch_of(&r[0].2), (42, 0, 1, false));
    assert_eq!(batch_of(&r[1].2), (42, 0, 2, false));
}

#[test]
fn a_timed_out_request_is_retried_with_the_same_sequence() {
    let (mut p, mut out) = ready_idempotent(ProducerConfig::default());
    let first = requests(&mut out);
    let timeout = p.config.request_timeout_ms;
    p.on_timer(1 + timeout, WAKEUP, &mut out);
    p.on_timer(1 + timeout + 100, WAKEUP, &mut out);
    let again: Vec<_> = requests(&mut out)
        .into_iter()
        .filter(|r| matches!(r.2, Request::Produce(_)))
        .collect();
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(batch_of(&again[0].2), batch_of(&first[0].2));
}

/// Two batches in flight; the first fails with a retriable error.
fn first_of_two_fails(config: ProducerConfig, second: ErrorCode) -> Producer {
    let mut p = producer(config);
    let mut out = Vec::new();
    p.start(0, &mut out);
    p.send(0, record("a"), &mut out).unwrap();
    for r in requests(&mut out) {
        let resp = if is_init(&r.2) {
            init_answer(42, 0)
        } else {
            metadata(0)
        };
        answer(&mut p, 1, (r.0, r.1), resp, &mut out);
    }
    let a = requests(&mut out);
    p.send(2, record("b"), &mut out).unwrap();
    let b = requests(&mut out);
    assert_eq!((a.len(), b.len()), (1, 1), "two requests in flight");
    answer(
        &mut p,
        3,
        (a[0].0, a[0].1),
        produce_answer(ErrorCode::NotEnoughReplicas, -1),
        &mut out,
    );
    answer(
        &mut p,
        4,
        (b[0].0, b[0].1),
        produce_answer(second, 0),
        &mut out,
    );
    // Retries after retry.backoff.ms, answered in the order they go.
    for t in [103, 200, 300] {
        p.on_timer(t, WAKEUP, &mut out);
        let r = requests(&mut out);
        assert!(r.len() <= 1, "one retry at a time: {r:?}");
        for r in r {
            answer(
                &mut p,
                t + 1,
                (r.0, r.1),
                produce_answer(ErrorCode::None, t as i64),
                &mut out,
            );
        }
    }
    p
}

fn acked_values(p: &Producer) -> Vec<String> {
    p.app.acked.iter().filter_map(|a| a.value.clone()).collect()
}

#[test]
fn without_idempotence_a_retry_lands_after_a_newer_batch() {
    let p = first_of_two_fails(plain(), ErrorCode::None);
    assert_eq!(acked_values(&p), vec!["b", "a"]);
}

#[test]
fn with_idempotence_out_of_order_batches_wait_for_the_retried_one() {
    let p = first_of_two_fails(
        ProducerConfig::default(),
        ErrorCode::OutOfOrderSequenceNumber,
    );
    assert_eq!(acked_values(&p), vec!["a", "b"]);
    assert!(p.app.errors.is_empty(), "{:?}", p.app.errors);
    assert_eq!(p.txn.epoch, 0, "no gap, no epoch bump");
}

#[test]
fn out_of_order_for_the_next_sequence_bumps_the_epoch() {
    let (mut p, mut out) = ready_idempotent(ProducerConfig::default());
    let r = requests(&mut out);
    answer(
        &mut p,
        2,
        (r[0].0, r[0].1),
        produce_answer(ErrorCode::OutOfOrderSequenceNumber, -1),
        &mut out,
    );
    p.on_timer(102, WAKEUP, &mut out);
    let r = requests(&mut out);
    assert_eq!(batch_of(&r[0].2), (42, 1, 0, false));
}

#[test]
fn idempotence_config_follows_kafka_3() {
    let mut c = ProducerConfig::default();
    assert!(c.idempotent());
    c.set("acks", "1").unwrap();
    assert!(!c.idempotent(), "quietly off when not asked for");
    assert!(c.validate().is_ok());
    c.set("enable.idempotence", "true").unwrap();
    assert!(c
        .validate()
        .unwrap_err()
        .starts_with("Must set acks to all"));
    let mut c = ProducerConfig::default();
    c.set("max.in.flight.requests.per.connection", "6").unwrap();
    c.set("transactional.id", "t").unwrap();
    assert_eq!(
        c.validate().unwrap_err(),
        "Cannot set a transactional.id without also enabling idempotence."
    );
    c.set("retries", "0").unwrap();
    c.set("enable.idempotence", "true").unwrap();
    assert!(c
        .validate()
        .unwrap_err()
        .starts_with("Must set retries to non-zero"));
    assert!(c.set("enable.idempotence", "yes").is_err());
    assert!(c.set("no.such.config", "1").is_err());
}

/// A transactional producer after initTransactions (coordinator 1, id 5).
fn ready_transactional() -> (Producer, Vec<Output>) {
    let mut p = producer(ProducerConfig {
        transactional_id: Some("tx".into()),
        ..ProducerConfig::default()
    });
    let mut out = Vec::new();
    p.start(0, &mut out);
    p.init_transactions(0, &mut out).unwrap();
    let r = requests(&mut out);
    assert!(
        matches!(
            r.as_slice(),
            [(_, _, Request::FindCoordinator { key, key_type: CoordinatorType::Transaction })] if key == "tx"
        ),
        "{r:?}"
    );
    answer(
        &mut p,
        1,
        (r[0].0, r[0].1),
        Response::FindCoordinator {
            error: ErrorCode::None,
            node_id: 1,
        },
        &mut out,
    );
    let r = requests(&mut out);
    assert!(
        matches!(r.as_slice(), [(1, _, req)] if is_init(req)),
        "{r:?}"
    );
    answer(&mut p, 2, (r[0].0, r[0].1), init_answer(5, 0), &mut out);
    assert_eq!(p.call_outcome(), Some(&CallOutcome::Done));
    (p, out)
}

#[test]
fn a_transaction_adds_its_partitions_before_producing_and_commits_after_the_acks() {
    let (mut p, mut out) = ready_transactional();
    assert!(p
        .send(3, record("a"), &mut out)
        .unwrap_err()
        .contains("Cannot call send in state READY"));
    p.begin_transaction().unwrap();
    p.send(3, record("a"), &mut out).unwrap();
    let m = requests(&mut out);
    answer(&mut p, 4, (m[0].0, m[0].1), metadata(0), &mut out);
    let r = requests(&mut out);
    let [(1, id, Request::Txn(transaction::Request::AddPartitionsToTxn(add)))] = r.as_slice()
    else {
        panic!("AddPartitionsToTxn first: {r:?}")
    };
    let ok = transaction::AddPartitionsToTxnResponse::all(&add.topics, ErrorCode::None);
    answer(
        &mut p,
        5,
        (1, *id),
        Response::Txn(transaction::Response::AddPartitionsToTxn(ok)),
        &mut out,
    );
    let r = requests(&mut out);
    assert_eq!(batch_of(&r[0].2), (5, 0, 0, true));
    p.commit_transaction(6, &mut out).unwrap();
    assert!(requests(&mut out).is_empty(), "EndTxn waits for the batch");
    answer(
        &mut p,
        7,
        (r[0].0, r[0].1),
        produce_answer(ErrorCode::None, 0),
        &mut out,
    );
    let e = requests(&mut out);
    let [(1, id, Request::Txn(transaction::Request::EndTxn(end)))] = e.as_slice() else {
        panic!("EndTxn: {e:?}")
    };
    assert!(end.committed);
    let done = transaction::EndTxnResponse {
        error_code: ErrorCode::None,
    };
    answer(
        &mut p,
        8,
        (1, *id),
        Response::Txn(transaction::Response::EndTxn(done)),
        &mut out,
    );
    assert_eq!(p.call_outcome(), Some(&CallOutcome::Done));
    assert_eq!(p.txn.state, TxnState::Ready);
}

#[test]
fn a_fenced_producer_fails_for_good() {
    let (mut p, mut out) = ready_transactional();
    p.begin_transaction().unwrap();
    p.commit_transaction(3, &mut out).unwrap();
    // Nothing was added: the commit completes without EndTxn.
    assert_eq!(p.call_outcome(), Some(&CallOutcome::Done));
    p.begin_transaction().unwrap();
    let g = GroupOffsets {
        group_id: "g".into(),
        generation_id: 1,
        member_id: "m".into(),
        group_instance_id: None,
        offsets: [(TopicPartition::new("t", 0), 3)].into(),
    };
    p.send_offsets_to_transaction(4, g, &mut out).unwrap();
    let r = requests(&mut out);
    let fenced = transaction::AddOffsetsToTxnResponse {
        error_code: ErrorCode::ProducerFenced,
    };
    answer(
        &mut p,
        5,
        (r[0].0, r[0].1),
        Response::Txn(transaction::Response::AddOffsetsToTxn(fenced)),
        &mut out,
    );
    let Some(CallOutcome::Failed(e)) = p.call_outcome() else {
        panic!("{:?}", p.call_outcome())
    };
    assert!(e.starts_with("ProducerFencedException"), "{e}");
    assert!(p.app.errors.contains("PRODUCER_FENCED"));
    assert!(p.send(6, record("x"), &mut out).is_err());
    // Later calls throw a new ProducerFencedException naming the producer,
    // as `maybeFailWithError` does.
    assert_eq!(
        p.abort_transaction(6, &mut out).unwrap_err(),
        format!(
            "ProducerFencedException: Producer with transactionalId 'tx' and (producerId={}, epoch={}) has been fenced by another producer with the same transactionalId",
            p.txn.producer_id, p.txn.epoch
        )
    );
}

/// The producer after its first metadata answer (leader 1 for t-0).
fn with_metadata(config: ProducerConfig) -> (Producer, Vec<Output>) {
    let mut p = producer(config);
    let mut out = Vec::new();
    p.start(0, &mut out);
    p.on_timer(0, METADATA_MAX_AGE, &mut out);
    let m = requests(&mut out);
    let (b, id, _) = m
        .iter()
        .find(|r| matches!(r.2, Request::Metadata { .. }))
        .expect("a metadata request")
        .clone();
    answer(&mut p, 1, (b, id), metadata(1), &mut out);
    out.clear();
    (p, out)
}

#[test]
fn batches_carry_the_configured_compression() {
    let mut cfg = plain();
    cfg.set("compression.type", "gzip").unwrap();
    let (mut p, mut out) = with_metadata(cfg);
    p.send(2, record("zipped"), &mut out).unwrap();
    let r = requests(&mut out);
    let Request::Produce(req) = &r[0].2 else {
        panic!("{r:?}")
    };
    let (batch, _) = RecordBatch::decode(&req.partitions[0].records).unwrap();
    assert_eq!(batch.compression, protocol::Compression::Gzip);
    assert_eq!(batch.records[0].value.as_deref(), Some(&b"zipped"[..]));
}

#[test]
fn a_record_above_max_request_size_fails_at_once() {
    let mut cfg = plain();
    cfg.set("max.request.size", "100").unwrap();
    let (mut p, mut out) = with_metadata(cfg);
    let mut big = record("x");
    big.value = Some(vec![b'x'; 200]);
    p.send(2, big, &mut out).unwrap();
    assert!(requests(&mut out)
        .iter()
        .all(|r| !matches!(r.2, Request::Produce(_))));
    assert_eq!(
        p.app.errors.iter().collect::<Vec<_>>(),
        vec!["MESSAGE_TOO_LARGE"]
    );
    assert!(p.app.notices[0].starts_with("RecordTooLargeException: The message is "));
    assert!(p.app.notices[0].ends_with(
        "which is larger than 100, which is the value of the max.request.size configuration."
    ));
    assert_eq!(p.incomplete(), 0);
}

#[test]
fn a_full_buffer_blocks_send_until_memory_frees_or_max_block_ms() {
    // Room for exactly one batch; the broker does not answer.
    let mut cfg = plain();
    for (k, v) in [
        ("buffer.memory", "1000"),
        ("batch.size", "1000"),
        ("max.block.ms", "500"),
        ("linger.ms", "0"),
    ] {
        cfg.set(k, v).unwrap();
    }
    let (mut p, mut out) = with_metadata(cfg);
    p.send(2, record("a"), &mut out).unwrap();
    let first = requests(&mut out);
    assert_eq!(first.len(), 1, "a is sent");
    p.send(3, record("b"), &mut out).unwrap();
    assert!(requests(&mut out).is_empty(), "b waits for memory");
    // a's answer frees its batch: b goes.
    answer(
        &mut p,
        10,
        (first[0].0, first[0].1),
        produce_answer(ErrorCode::None, 0),
        &mut out,
    );
    assert_eq!(requests(&mut out).len(), 1, "b is sent once a is done");
    // c waits behind the in-flight b and times out after max.block.ms.
    p.send(20, record("c"), &mut out).unwrap();
    p.on_timer(519, WAKEUP, &mut out);
    assert!(p.app.errors.is_empty());
    p.on_timer(520, WAKEUP, &mut out);
    assert_eq!(
        p.app.errors.iter().collect::<Vec<_>>(),
        vec!["REQUEST_TIMED_OUT"]
    );
    assert_eq!(
        p.app.notices,
        vec!["BufferExhaustedException: Failed to allocate memory within the configured max blocking time 500 ms."]
    );
}

#[test]
fn an_unknown_topic_fails_after_max_block_ms_with_kafkas_message() {
    let mut cfg = plain();
    cfg.set("max.block.ms", "300").unwrap();
    let mut p = producer(cfg);
    let mut out = Vec::new();
    let mut r = record("x");
    r.topic = "nope".into();
    p.send(0, r, &mut out).unwrap();
    p.on_timer(300, WAKEUP, &mut out);
    assert_eq!(
        p.app.notices,
        vec!["TimeoutException: Topic nope not present in metadata after 300 ms."]
    );
    assert_eq!(p.incomplete(), 0);
}

#[test]
fn delivery_timeout_below_linger_plus_request_timeout() {
    let mut c = ProducerConfig::default();
    c.set("request.timeout.ms", "200000").unwrap();
    c.validate().unwrap();
    assert_eq!(c.delivery_timeout_ms, 200_000, "the default is raised");
    c.set("delivery.timeout.ms", "100000").unwrap();
    assert_eq!(
        c.validate().unwrap_err(),
        "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
    );
}

#[test]
fn partitioner_class_and_ignore_keys() {
    let mut c = ProducerConfig::default();
    c.set(
        "partitioner.class",
        "org.apache.kafka.clients.producer.RoundRobinPartitioner",
    )
    .unwrap();
    assert_eq!(c.partitioner, Partitioner::RoundRobin);
    c.set("partitioner.class", "UniformStickyPartitioner")
        .unwrap();
    assert_eq!(c.partitioner, Partitioner::UniformSticky);
    assert!(c.set("partitioner.class", "MyPartitioner").is_err());
    assert!(c.set("partitioner.ignore.keys", "sometimes").is_err());
    assert!(c.set("compression.type", "brotli").is_err());
}

#[test]
fn a_failed_transactional_batch_asks_for_a_new_epoch_unless_completing() {
    // TransactionManager.maybeTransitionToErrorState.
    let tp = TopicPartition::new("t", 0);
    let mut t = TxnManager::new(Some("tx".into()), 60_000);
    t.state = TxnState::InTransaction;
    t.on_failed(&tp, 0, ErrorCode::InvalidProducerEpoch, false);
    assert_eq!(t.state, TxnState::AbortableError);
    assert!(t.epoch_bump_required);
    assert!(t
        .last_error
        .as_deref()
        .is_some_and(|e| e.starts_with("InvalidProducerEpochException")));
    let mut t = TxnManager::new(Some("tx".into()), 60_000);
    t.state = TxnState::CommittingTransaction;
    t.on_failed(&tp, 0, ErrorCode::RequestTimedOut, false);
    assert_eq!(t.state, TxnState::AbortableError);
    assert!(!t.epoch_bump_required);
    // Fencing is fatal whatever the state.
    let mut t = TxnManager::new(Some("tx".into()), 60_000);
    t.state = TxnState::InTransaction;
    t.on_failed(&tp, 0, ErrorCode::ProducerFenced, false);
    assert_eq!(t.state, TxnState::FatalError);
}

fn metadata3() -> Response {
    Response::Metadata(MetadataResponse {
        controller_id: 0,
        brokers: vec![0, 1],
        partitions: (0..3)
            .map(|p| PartitionState {
                tp: TopicPartition::new("t", p),
                controller_epoch: 1,
                leader: p % 2,
                leader_epoch: 0,
                isr: vec![0, 1],
                zk_version: 0,
                replicas: vec![0, 1],
                is_new: false,
            })
            .collect(),
    })
}

fn keyed(key: Option<&str>, partition: Option<i32>) -> ProducerRecord {
    ProducerRecord {
        partition,
        key: key.map(|k| k.as_bytes().to_vec()),
        ..record("v")
    }
}

/// Sends `records` before metadata arrives (linger keeps batches open so
/// the sticky partition stays), then returns the choices made.
fn choices(config: ProducerConfig, records: Vec<ProducerRecord>) -> Vec<(i32, PartitionReason)> {
    let mut p = producer(ProducerConfig {
        linger_ms: 60_000,
        ..config
    });
    let mut out = Vec::new();
    for r in records {
        p.send(0, r, &mut out).unwrap();
    }
    let reqs = requests(&mut out);
    answer(&mut p, 1, (reqs[0].0, reqs[0].1), metadata3(), &mut out);
    let ids: Vec<String> = p.app.choices.iter().map(|c| c.send_id.clone()).collect();
    assert_eq!(
        ids,
        (1..=ids.len())
            .map(|i| format!("p:{i}"))
            .collect::<Vec<_>>()
    );
    p.app
        .choices
        .iter()
        .map(|c| (c.tp.partition, c.reason.clone()))
        .collect()
}

#[test]
fn partition_choices_say_why() {
    let hash = protocol::murmur2(b"k1");
    let got = choices(
        plain(),
        vec![
            keyed(Some("k1"), None),
            keyed(Some("k1"), Some(2)),
            keyed(None, None),
            keyed(None, None),
        ],
    );
    assert_eq!(
        got[0],
        (
            protocol::to_positive(hash) % 3,
            PartitionReason::Murmur2 {
                hash,
                partitions: 3
            }
        )
    );
    assert_eq!(got[1], (2, PartitionReason::Explicit));
    // A null key: a sticky partition picked once, then kept.
    let PartitionReason::Sticky {
        new: true,
        keys_ignored: false,
    } = got[2].1
    else {
        panic!("{got:?}")
    };
    assert_eq!(
        got[3],
        (
            got[2].0,
            PartitionReason::Sticky {
                new: false,
                keys_ignored: false
            }
        )
    );
}

#[test]
fn round_robin_and_ignored_keys_are_told_apart() {
    let mut rr = plain();
    rr.set("partitioner.class", "RoundRobinPartitioner")
        .unwrap();
    let got = choices(rr, vec![keyed(Some("a"), None), keyed(Some("a"), None)]);
    assert_eq!(
        got,
        vec![
            (
                0,
                PartitionReason::RoundRobin {
                    counter: 0,
                    available: 3
                }
            ),
            (
                1,
                PartitionReason::RoundRobin {
                    counter: 1,
                    available: 3
                }
            ),
        ]
    );
    let mut ignore = plain();
    ignore.set("partitioner.ignore.keys", "true").unwrap();
    let got = choices(ignore, vec![keyed(Some("a"), None)]);
    assert_eq!(
        got[0].1,
        PartitionReason::Sticky {
            new: true,
            keys_ignored: true
        }
    );
}

#[test]
fn send_many_is_sends_at_one_instant_with_one_sender_run() {
    let run = |many: bool| {
        let mut s = crate::session::Session::new(3);
        s.submit("cluster brokers=1\ntopic create t partitions=2 replication-factor=1\nproducer p acks=1\nsend p t value=warm\nflush p\n")
            .unwrap();
        let c = s.cluster_mut().unwrap();
        let records: Vec<ProducerRecord> = (0..500)
            .map(|i| ProducerRecord {
                topic: "t".into(),
                partition: None,
                key: None,
                value: Some(format!("v{i}").into_bytes()),
                headers: Vec::new(),
            })
            .collect();
        if many {
            let ids = c
                .with_producer("p", |p, now, out| p.send_many(now, records, out))
                .unwrap()
                .unwrap();
            assert_eq!(ids.len(), 500);
            assert_eq!(ids[0], "p:2");
        } else {
            for r in records {
                c.with_producer("p", |p, now, out| p.send(now, r, out))
                    .unwrap()
                    .unwrap();
            }
        }
        s.submit("flush p\n").unwrap();
        let p = s.cluster().unwrap().producer("p").unwrap();
        (p.app.acked.len(), p.app.sends, p.app.failed.len())
    };
    assert_eq!(run(true), (501, 501, 0));
    assert_eq!(run(true), run(false));
}

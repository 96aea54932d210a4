//! The producer against scripted broker answers.

use super::*;
use broker::api::{MetadataResponse, PartitionState, ProducePartitionResponse};

fn producer(config: ProducerConfig) -> Producer {
    Producer::new("p", 0, config, Topology { brokers: 2 }, 7)
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
    let mut p = producer(ProducerConfig::default());
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out);
    p.send(0, record("b"), &mut out);
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
    let mut p = producer(ProducerConfig::default());
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out);
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
        ..ProducerConfig::default()
    });
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out);
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
        ..ProducerConfig::default()
    };
    let mut p = producer(cfg);
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out);
    let m = requests(&mut out);
    answer(&mut p, 1, (m[0].0, m[0].1), metadata(0), &mut out);
    let first = requests(&mut out);
    assert_eq!(first.len(), 1);
    p.send(2, record("b"), &mut out);
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
        ..ProducerConfig::default()
    };
    let mut p = producer(cfg);
    let mut out = Vec::new();
    p.send(0, record("a"), &mut out);
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

#[test]
fn config_refuses_idempotence_and_unknown_names() {
    let mut c = ProducerConfig::default();
    assert!(c
        .set("enable.idempotence", "true")
        .unwrap_err()
        .contains("not supported yet"));
    assert!(c.set("enable.idempotence", "false").is_ok());
    assert!(c
        .set("transactional.id", "x")
        .unwrap_err()
        .contains("not supported yet"));
    c.set("acks", "all").unwrap();
    assert_eq!(c.acks, -1);
}

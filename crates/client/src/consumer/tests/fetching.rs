//! Positions (committed offsets, auto.offset.reset), seeks, fetch errors,
//! read_committed, max.poll.records and waiting polls.

use broker::api::{IsolationLevel, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP};

use super::*;

fn fetch_offset_of(h: &mut Harness) -> i64 {
    let s = h
        .sent
        .iter()
        .find(|s| s.request.api() == "Fetch")
        .expect("a fetch");
    let Request::Fetch(f) = &s.request else {
        unreachable!()
    };
    f.partitions[0].fetch_offset
}

#[test]
fn earliest_resets_through_list_offsets_when_nothing_is_committed() {
    let mut h = assigned(
        &[("group.id", "g"), ("auto.offset.reset", "earliest")],
        &[0],
    );
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), -1)]);
    assert_eq!(
        h.list_offsets(|_, _| 3),
        vec![(tp("t", 0), EARLIEST_TIMESTAMP)]
    );
    assert_eq!(h.c.positions(), [(tp("t", 0), 3)].into());
    assert_eq!(fetch_offset_of(&mut h), 3);
}

#[test]
fn latest_is_the_default_reset() {
    let mut h = assigned(&[("group.id", "g")], &[1]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 1), -1)]);
    let s = h
        .sent
        .iter()
        .find(|s| s.request.api() == "ListOffsets")
        .unwrap();
    // To the partition's leader.
    assert_eq!(s.to, 1);
    assert_eq!(
        h.list_offsets(|_, _| 9),
        vec![(tp("t", 1), LATEST_TIMESTAMP)]
    );
    assert_eq!(h.c.positions(), [(tp("t", 1), 9)].into());
}

#[test]
fn reset_none_throws_no_offset_for_partition_until_a_seek() {
    let mut h = assigned(&[("group.id", "g"), ("auto.offset.reset", "none")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), -1)]);
    assert_eq!(h.count("ListOffsets"), 0);
    assert_eq!(h.count("Fetch"), 0);
    assert_eq!(
        h.poll(0),
        Err(ConsumerError::NoOffsetForPartition(vec![tp("t", 0)]))
    );
    assert_eq!(
        h.poll(0),
        Err(ConsumerError::NoOffsetForPartition(vec![tp("t", 0)]))
    );
    h.c.seek(h.now, &tp("t", 0), SeekTo::Offset(2), &mut h.out)
        .unwrap();
    h.collect();
    assert_eq!(fetch_offset_of(&mut h), 2);
    assert!(h.poll(0).is_ok());
}

#[test]
fn committed_offset_wins_over_the_reset_policy() {
    let mut h = assigned(
        &[("group.id", "g"), ("auto.offset.reset", "earliest")],
        &[0],
    );
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 6)]);
    assert_eq!(h.count("ListOffsets"), 0);
    assert_eq!(fetch_offset_of(&mut h), 6);
}

#[test]
fn without_a_group_positions_come_straight_from_the_reset_policy() {
    let mut h = assigned(&[("auto.offset.reset", "earliest")], &[0]);
    // No group: no coordinator, no OffsetFetch.
    assert_eq!(h.count("FindCoordinator"), 0);
    assert_eq!(h.count("OffsetFetch"), 0);
    assert!(h.c.commit_sync(0, &mut h.out).is_err());
    assert_eq!(
        h.list_offsets(|_, _| 0),
        vec![(tp("t", 0), EARLIEST_TIMESTAMP)]
    );
}

#[test]
fn seek_variants() {
    let mut h = assigned(&[("group.id", "g"), ("enable.auto.commit", "false")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.fetch(|_, o| (values_batch(o, 10), 10, vec![]));
    // Offset: buffered data from before the seek is dropped.
    h.c.seek(h.now, &tp("t", 0), SeekTo::Offset(7), &mut h.out)
        .unwrap();
    h.collect();
    assert_eq!(fetch_offset_of(&mut h), 7);
    h.fetch(|_, o| (values_batch(o, 10), 10, vec![]));
    assert_eq!(h.poll_values(), ["v7", "v8", "v9"]);
    // Beginning and end: ListOffsets -2 / -1.
    h.c.seek(h.now, &tp("t", 0), SeekTo::Beginning, &mut h.out)
        .unwrap();
    h.collect();
    assert_eq!(
        h.list_offsets(|_, _| 0),
        vec![(tp("t", 0), EARLIEST_TIMESTAMP)]
    );
    assert_eq!(h.c.positions()[&tp("t", 0)], 0);
    h.c.seek(h.now, &tp("t", 0), SeekTo::End, &mut h.out)
        .unwrap();
    h.collect();
    assert_eq!(
        h.list_offsets(|_, _| 10),
        vec![(tp("t", 0), LATEST_TIMESTAMP)]
    );
    assert_eq!(h.c.positions()[&tp("t", 0)], 10);
    // By time: the first offset at or after it.
    h.c.seek(h.now, &tp("t", 0), SeekTo::Time(1004), &mut h.out)
        .unwrap();
    h.collect();
    assert_eq!(h.list_offsets(|_, _| 4), vec![(tp("t", 0), 1004)]);
    assert_eq!(h.c.positions()[&tp("t", 0)], 4);
    // A time after every record: the end.
    h.c.seek(h.now, &tp("t", 0), SeekTo::Time(99_999), &mut h.out)
        .unwrap();
    h.collect();
    h.list_offsets(|_, _| -1);
    assert_eq!(
        h.list_offsets(|_, _| 10),
        vec![(tp("t", 0), LATEST_TIMESTAMP)]
    );
    assert_eq!(h.c.positions()[&tp("t", 0)], 10);
    // Not assigned: IllegalState.
    assert!(h
        .c
        .seek(h.now, &tp("t", 1), SeekTo::Offset(0), &mut h.out)
        .is_err());
}

#[test]
fn max_poll_records_limits_each_poll_and_fetching_waits_for_the_buffer() {
    let mut h = assigned(&[("group.id", "g"), ("max.poll.records", "2")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.fetch(|_, o| (values_batch(o, 5), 5, vec![]));
    assert_eq!(h.poll_values(), ["v0", "v1"]);
    assert_eq!(h.count("Fetch"), 0);
    assert_eq!(h.poll_values(), ["v2", "v3"]);
    assert_eq!(h.count("Fetch"), 0);
    assert_eq!(h.poll_values(), ["v4"]);
    assert_eq!(fetch_offset_of(&mut h), 5);
    assert_eq!(h.c.consumed(), ["v0", "v1", "v2", "v3", "v4"]);
}

#[test]
fn read_committed_skips_aborted_transactions_and_control_records() {
    use protocol::control::EndTransactionMarker;
    let mut h = assigned(
        &[("group.id", "g"), ("isolation.level", "read_committed")],
        &[0],
    );
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    let txn = |base: i64, vals: &[&str], pid: i64| {
        let mut b = RecordBatch::decode(&batch(base, vals, 0)).unwrap().0;
        b.producer_id = pid;
        b.producer_epoch = 0;
        b.base_sequence = 0;
        b.is_transactional = true;
        b.encode()
    };
    let bytes = [
        txn(0, &["committed-0", "committed-1"], 7),
        EndTransactionMarker::new(true, 0)
            .to_batch(2, 0, 0, 7, 0)
            .encode(),
        txn(3, &["aborted-3", "aborted-4"], 8),
        EndTransactionMarker::new(false, 0)
            .to_batch(5, 0, 0, 8, 0)
            .encode(),
    ]
    .concat();
    {
        let s = h.sent.iter().find(|s| s.request.api() == "Fetch").unwrap();
        let Request::Fetch(f) = &s.request else {
            unreachable!()
        };
        assert_eq!(f.isolation_level, IsolationLevel::ReadCommitted);
    }
    h.fetch(move |_, _| (bytes.clone(), 6, vec![(8, 3)]));
    assert_eq!(h.poll_values(), ["committed-0", "committed-1"]);
    // The position is past the abort marker: nothing of it is fetched again.
    assert_eq!(h.c.positions()[&tp("t", 0)], 6);
    assert_eq!(fetch_offset_of(&mut h), 6);
}

#[test]
fn a_waiting_poll_returns_when_records_arrive_or_at_its_deadline() {
    let mut h = assigned(&[("group.id", "g")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    assert_eq!(h.poll(1000), Ok(Poll::Pending { deadline: 1000 }));
    assert!(h.c.is_polling());
    assert_eq!(h.poll_timer, Some(1000));
    h.now = 200;
    h.fetch(|_, o| (values_batch(o, 2), 2, vec![]));
    match h.resume().unwrap() {
        Poll::Ready(rs) => assert_eq!(rs.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.poll_timer, None);
    assert_eq!(h.events_of("records-delivered").len(), 1);
    // Nothing more: empty at the deadline.
    assert_eq!(h.poll(500), Ok(Poll::Pending { deadline: 700 }));
    h.now = 699;
    assert_eq!(h.resume(), Ok(Poll::Pending { deadline: 700 }));
    h.now = 700;
    assert_eq!(h.resume(), Ok(Poll::Ready(vec![])));
    assert!(!h.c.is_polling());
}

#[test]
fn not_leader_refreshes_metadata_and_fetches_from_the_new_leader() {
    let mut h = assigned(&[("group.id", "g")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 4)]);
    let s = h.take("Fetch");
    assert_eq!(s.to, 0);
    h.respond(
        &s,
        Response::Fetch(vec![fetch_partition(
            &tp("t", 0),
            ErrorCode::NotLeaderOrFollower,
            vec![],
            -1,
            vec![],
        )]),
    );
    // The refresh and the next fetch wait retry.backoff.ms.
    assert_eq!(h.count("Metadata"), 0);
    h.advance_to(100);
    let m = h.take("Metadata");
    h.respond(
        &m,
        Response::Metadata(MetadataResponse {
            controller_id: 0,
            brokers: vec![0, 1],
            partitions: vec![PartitionState {
                tp: tp("t", 0),
                controller_epoch: 1,
                leader: 1,
                leader_epoch: 1,
                isr: vec![1],
                zk_version: 1,
                replicas: vec![0, 1],
                is_new: false,
            }],
        }),
    );
    // The leader moved: the next fetch goes to broker 1 with the new epoch.
    let i = h
        .sent
        .iter()
        .position(|s| s.request.api() == "Fetch" && s.to == 1)
        .expect("a fetch to the new leader");
    let s = h.sent.remove(i).unwrap();
    let Request::Fetch(f) = &s.request else {
        unreachable!()
    };
    assert_eq!(
        (
            f.partitions[0].fetch_offset,
            f.partitions[0].current_leader_epoch
        ),
        (4, 1)
    );
}

#[test]
fn offset_out_of_range_resets_with_the_policy() {
    let mut h = assigned(
        &[("group.id", "g"), ("auto.offset.reset", "earliest")],
        &[0],
    );
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 40)]);
    let s = h.take("Fetch");
    h.respond(
        &s,
        Response::Fetch(vec![fetch_partition(
            &tp("t", 0),
            ErrorCode::OffsetOutOfRange,
            vec![],
            10,
            vec![],
        )]),
    );
    assert_eq!(
        h.list_offsets(|_, _| 2),
        vec![(tp("t", 0), EARLIEST_TIMESTAMP)]
    );
    assert_eq!(fetch_offset_of(&mut h), 2);
}

#[test]
fn an_unanswered_fetch_times_out_and_is_sent_again() {
    let mut h = assigned(&[("group.id", "g")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    let _lost = h.take("Fetch");
    // request.timeout.ms + fetch.max.wait.ms
    h.advance_to(30_499);
    assert_eq!(h.count("Fetch"), 0);
    h.advance_to(30_500);
    assert_eq!(h.events_of("request-timeout").len(), 1);
    h.advance_to(30_600);
    h.metadata(&[("t", 2)], 0);
    assert_eq!(h.count("Fetch"), 1);
}

#[test]
fn config_errors_name_the_setting_and_the_allowed_values() {
    let e = ConsumerConfig::from_pairs([("auto.offset.reset", "smallest")]).unwrap_err();
    assert!(
        e.0.contains("auto.offset.reset") && e.0.contains("latest, earliest or none"),
        "{e}"
    );
    let e = ConsumerConfig::from_pairs([("isolation.level", "serializable")]).unwrap_err();
    assert!(e.0.contains("read_uncommitted or read_committed"), "{e}");
    let e =
        ConsumerConfig::from_pairs([("partition.assignment.strategy", "range,fair")]).unwrap_err();
    assert!(
        e.0.contains("partition.assignment.strategy") && e.0.contains("cooperative-sticky"),
        "{e}"
    );
    let e = ConsumerConfig::from_pairs([("max.poll.records", "0")]).unwrap_err();
    assert!(e.0.contains("max.poll.records"), "{e}");
    let e = ConsumerConfig::from_pairs([("heartbeat.interval.ms", "50000")]).unwrap_err();
    assert!(e.0.contains("session.timeout.ms"), "{e}");
    assert!(ConsumerConfig::from_pairs([("fetch.min.byte", "1")]).is_err());
    let c = ConsumerConfig::from_pairs([(
        "partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.StickyAssignor",
    )])
    .unwrap();
    assert_eq!(c.partition_assignment_strategy, ["sticky"]);
    let d = ConsumerConfig::default();
    assert_eq!(
        (
            d.session_timeout_ms,
            d.heartbeat_interval_ms,
            d.max_poll_interval_ms,
            d.max_poll_records
        ),
        (45_000, 3000, 300_000, 500)
    );
    assert_eq!(
        d.partition_assignment_strategy,
        ["range", "cooperative-sticky"]
    );
}

//! Auto-commit inside poll (delivered positions), commits after
//! processing, sync retries and refusals.

use super::group::stable;
use super::*;

/// Stable on t-0 from committed offset 0, with `records` fetched.
fn with_records(settings: &[(&str, &str)], records: i64) -> Harness {
    let mut h = stable(settings, &[0]);
    h.offset_fetch(&[(tp("t", 0), 0)]);
    h.fetch(|_, o| (values_batch(o, records), records, vec![]));
    h
}

#[test]
fn auto_commit_in_poll_commits_delivered_not_processed_positions() {
    let mut h = with_records(&[], 5);
    assert_eq!(h.poll_values(), ["v0", "v1", "v2", "v3", "v4"]);
    // Not due yet (auto.commit.interval.ms 5000 from the start).
    assert_eq!(h.count("OffsetCommit"), 0);
    h.advance_to(4999);
    let _ = h.poll(0);
    assert_eq!(h.count("OffsetCommit"), 0);
    // Nothing processed, but the commit covers all that poll delivered:
    // a crash now loses v0..v4.
    h.advance_to(5000);
    let _ = h.poll(0);
    assert_eq!(h.commit(ErrorCode::None), vec![(tp("t", 0), 5)]);
    assert!(h.c.processed().is_empty());
    assert_eq!(h.c.committed()[&tp("t", 0)], 5);
    let sent = h.events_of("commit-sent");
    assert_eq!(sent.last().unwrap()["kind"], "auto");
    assert_eq!(sent.last().unwrap()["generation"], 1);
    // Next one is an interval later.
    h.advance_to(9999);
    let _ = h.poll(0);
    assert_eq!(h.count("OffsetCommit"), 0);
    h.advance_to(10_000);
    let _ = h.poll(0);
    assert_eq!(h.count("OffsetCommit"), 1);
}

#[test]
fn auto_commit_waits_for_poll_and_never_runs_in_the_background() {
    let mut h = with_records(&[], 3);
    assert_eq!(h.poll_values().len(), 3);
    h.advance_to(20_000);
    assert_eq!(h.count("OffsetCommit"), 0);
    let _ = h.poll(0);
    assert_eq!(h.commit(ErrorCode::None), vec![(tp("t", 0), 3)]);
}

#[test]
fn commit_after_processing_commits_what_poll_delivered() {
    let mut h = with_records(&[("enable.auto.commit", "false")], 4);
    assert_eq!(h.poll_values().len(), 4);
    assert_eq!(h.c.process(Some(3)), 3);
    assert_eq!(h.c.processed(), ["v0", "v1", "v2"]);
    assert_eq!(h.c.process(None), 1);
    h.c.commit_sync(h.now, &mut h.out).unwrap();
    h.collect();
    assert!(h.c.commit_pending());
    assert_eq!(h.commit(ErrorCode::None), vec![(tp("t", 0), 4)]);
    assert!(!h.c.commit_pending());
    assert_eq!(h.c.committed()[&tp("t", 0)], 4);
    assert_eq!(h.events_of("commit-acked").len(), 1);
    // Auto-commit is off: polls commit nothing.
    h.advance_to(20_000);
    let _ = h.poll(0);
    assert_eq!(h.count("OffsetCommit"), 0);
}

#[test]
fn sync_commit_retries_retriable_errors() {
    let mut h = with_records(&[("enable.auto.commit", "false")], 2);
    h.poll_values();
    h.c.commit_sync(h.now, &mut h.out).unwrap();
    h.collect();
    h.commit(ErrorCode::CoordinatorLoadInProgress);
    assert!(h.c.commit_pending());
    assert_eq!(h.count("OffsetCommit"), 0);
    h.advance_to(h.now + 100);
    assert_eq!(h.commit(ErrorCode::None), vec![(tp("t", 0), 2)]);
    assert!(!h.c.commit_pending());
}

#[test]
fn async_commit_is_not_retried() {
    let mut h = with_records(&[("enable.auto.commit", "false")], 2);
    h.poll_values();
    h.c.commit_async(h.now, &mut h.out).unwrap();
    h.collect();
    h.commit(ErrorCode::CoordinatorLoadInProgress);
    h.advance_to(h.now + 1000);
    assert_eq!(h.count("OffsetCommit"), 0);
    assert_eq!(h.events_of("commit-failed").len(), 1);
}

#[test]
fn a_refused_sync_commit_is_thrown_at_the_next_poll() {
    let mut h = with_records(&[("enable.auto.commit", "false")], 2);
    h.poll_values();
    h.c.commit_sync(h.now, &mut h.out).unwrap();
    h.collect();
    h.commit(ErrorCode::IllegalGeneration);
    assert!(!h.c.commit_pending());
    assert!(matches!(h.poll(0), Err(ConsumerError::CommitFailed(e)) if e == "ILLEGAL_GENERATION"));
    // ILLEGAL_GENERATION also sends the member back to JoinGroup.
    assert_eq!(h.count("JoinGroup"), 1);
}

#[test]
fn rejoining_auto_commits_first() {
    let mut h = with_records(&[], 3);
    h.poll_values();
    h.advance_to(3000);
    let hb = h.take("Heartbeat");
    h.respond_group(
        &hb,
        GroupResponse::Heartbeat(::coordinator::HeartbeatResponse {
            error_code: ErrorCode::RebalanceInProgress,
        }),
    );
    // onJoinPrepare: the commit goes out before the JoinGroup.
    let order: Vec<&str> = h
        .apis()
        .into_iter()
        .filter(|a| *a == "OffsetCommit" || *a == "JoinGroup")
        .collect();
    assert_eq!(order, ["OffsetCommit", "JoinGroup"]);
    assert_eq!(
        h.events_of("commit-sent").last().unwrap()["kind"],
        "rebalance"
    );
}

#[test]
fn assigned_consumer_commits_without_a_generation() {
    let mut h = assigned(&[("group.id", "g"), ("enable.auto.commit", "false")], &[0]);
    h.find_coordinator(0);
    h.offset_fetch(&[(tp("t", 0), 2)]);
    h.fetch(|_, o| (values_batch(o, 4), 4, vec![]));
    assert_eq!(h.poll_values(), ["v2", "v3"]);
    h.c.commit_sync(h.now, &mut h.out).unwrap();
    h.collect();
    let s = h.take("OffsetCommit");
    let Request::Group(GroupRequest::OffsetCommit(r)) = &s.request else {
        unreachable!()
    };
    assert_eq!((r.generation_id, r.member_id.as_str()), (-1, ""));
    assert_eq!(r.partitions[0].committed_offset, 4);
}

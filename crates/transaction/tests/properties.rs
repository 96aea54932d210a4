//! Random request sequences against the coordinator with a host that
//! fails appends, answers markers with errors, moves time and fails over.
//! Checked after every step: no panic, every durable transition is one of
//! Kafka's valid ones, durable and returned (producer id, epoch) pairs
//! never go back; at the end, after a failover and a calm host, every
//! request was answered exactly once and no transaction is left midway.

mod common;

use std::collections::BTreeMap;

use common::*;
use kafkascope_transaction::TransactionState::*;
use kafkascope_transaction::*;
use proptest::prelude::*;
use protocol::ErrorCode;

const IDS: [&str; 3] = ["zero", "transactionalId", "hello"]; // two share a partition
const TOPICS: [&str; 2] = ["a", "b"];

#[derive(Debug, Clone)]
enum Action {
    Init {
        id: usize,
        with_producer: bool,
        timeout: i32,
    },
    Add {
        id: usize,
        parts: Vec<(usize, i32)>,
        epoch_delta: i16,
    },
    AddOffsets {
        id: usize,
        group: u8,
    },
    End {
        id: usize,
        commit: bool,
        epoch_delta: i16,
    },
    CompleteAppend {
        pick: usize,
        error: Option<ErrorCode>,
    },
    AnswerMarkers {
        pick: usize,
        errors: Vec<Option<ErrorCode>>,
    },
    Unroutable {
        pick: usize,
    },
    Advance {
        ms: i64,
    },
    Failover {
        id: usize,
    },
    /// DescribeTransactions and ListTransactions (read-only).
    Describe {
        id: usize,
    },
}

fn append_error() -> impl Strategy<Value = Option<ErrorCode>> {
    prop_oneof![
        4 => Just(None),
        1 => prop::sample::select(vec![
            ErrorCode::NotEnoughReplicas,
            ErrorCode::RequestTimedOut,
            ErrorCode::NotLeaderOrFollower,
            ErrorCode::MessageTooLarge,
        ])
        .prop_map(Some),
    ]
}

fn marker_error() -> impl Strategy<Value = Option<ErrorCode>> {
    prop_oneof![
        4 => Just(None),
        1 => prop::sample::select(vec![
            ErrorCode::NotLeaderOrFollower,
            ErrorCode::UnknownTopicOrPartition,
            ErrorCode::RequestTimedOut,
            ErrorCode::UnsupportedForMessageFormat,
        ])
        .prop_map(Some),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (0..3usize, any::<bool>(), prop::sample::select(vec![60_000, 1_000, 0, 900_001]))
            .prop_map(|(id, with_producer, timeout)| Action::Init { id, with_producer, timeout }),
        3 => (0..3usize, prop::collection::vec((0..2usize, 0..3i32), 1..4), prop::sample::select(vec![0i16, 0, 0, -1, 1]))
            .prop_map(|(id, parts, epoch_delta)| Action::Add { id, parts, epoch_delta }),
        1 => (0..3usize, 0..4u8).prop_map(|(id, group)| Action::AddOffsets { id, group }),
        3 => (0..3usize, any::<bool>(), prop::sample::select(vec![0i16, 0, 0, -1, 1]))
            .prop_map(|(id, commit, epoch_delta)| Action::End { id, commit, epoch_delta }),
        6 => (any::<usize>(), append_error()).prop_map(|(pick, error)| Action::CompleteAppend { pick, error }),
        4 => (any::<usize>(), prop::collection::vec(marker_error(), 6))
            .prop_map(|(pick, errors)| Action::AnswerMarkers { pick, errors }),
        1 => any::<usize>().prop_map(|pick| Action::Unroutable { pick }),
        2 => prop::sample::select(vec![1_000i64, 10_000, 70_000, 700_000_000]).prop_map(|ms| Action::Advance { ms }),
        1 => (0..3usize).prop_map(|id| Action::Failover { id }),
        1 => (0..3usize).prop_map(|id| Action::Describe { id }),
    ]
}

struct Checker {
    /// Last durable (producer id, epoch) per id (cleared when it expires).
    durable: BTreeMap<String, (i64, i16)>,
    /// Last successful InitProducerId answer per id.
    returned: BTreeMap<String, (i64, i16)>,
    seen_changes: usize,
    coordinator_epoch: BTreeMap<i32, i32>,
}

impl Checker {
    fn check(&mut self, h: &Host) {
        for (id, from, to) in &h.changes[self.seen_changes..] {
            assert!(to.can_transition_from(*from), "{id}: {from} -> {to}");
        }
        self.seen_changes = h.changes.len();
        for m in h.c.transactions() {
            if m.state == Empty && m.producer_epoch == NO_PRODUCER_EPOCH {
                continue; // created, first write not durable yet
            }
            let now = (m.producer_id, m.producer_epoch);
            if let Some(prev) = self.durable.get(&m.transactional_id) {
                assert!(
                    now >= *prev || m.producer_id > prev.0,
                    "{}: {prev:?} -> {now:?}",
                    m.transactional_id
                );
            }
        }
    }

    fn on_changes(&mut self, h: &Host, before: usize) {
        // Durable pairs from StateChanged, in order.
        let _ = before;
        for (id, _, to) in h.changes.iter().skip(self.seen_changes) {
            if *to == Dead {
                self.durable.remove(id);
                self.returned.remove(id);
            } else if let Some(m) = h.c.transaction(id) {
                let pair = (m.producer_id, m.producer_epoch);
                if let Some(prev) = self.durable.get(id) {
                    assert!(pair >= *prev, "{id}: durable {prev:?} -> {pair:?}");
                }
                self.durable.insert(id.clone(), pair);
            }
        }
    }
}

fn run(actions: Vec<Action>) {
    let mut h = Host::new();
    let mut ck = Checker {
        durable: BTreeMap::new(),
        returned: BTreeMap::new(),
        seen_changes: 0,
        coordinator_epoch: BTreeMap::new(),
    };
    let mut inits: Vec<(RequestId, String)> = Vec::new();
    let mut requests = 0usize;
    for a in actions {
        let before = h.changes.len();
        match a {
            Action::Init {
                id,
                with_producer,
                timeout,
            } => {
                let name = IDS[id];
                let mut r = InitProducerIdRequest::new(name, timeout);
                if with_producer {
                    if let Some(&(pid, epoch)) = ck.returned.get(name) {
                        r = r.with_producer(pid, epoch);
                    }
                }
                let rid = h.send(Request::InitProducerId(r));
                inits.push((rid, name.to_string()));
                requests += 1;
            }
            Action::Add {
                id,
                parts,
                epoch_delta,
            } => {
                let name = IDS[id];
                let (pid, epoch) = ck.returned.get(name).copied().unwrap_or((0, 0));
                let parts: Vec<_> = parts.iter().map(|&(t, p)| tp(TOPICS[t], p)).collect();
                h.add(name, pid, epoch.saturating_add(epoch_delta), &parts);
                requests += 1;
            }
            Action::AddOffsets { id, group } => {
                let name = IDS[id];
                let (pid, epoch) = ck.returned.get(name).copied().unwrap_or((0, 0));
                h.send(Request::AddOffsetsToTxn(AddOffsetsToTxnRequest {
                    transactional_id: name.into(),
                    producer_id: pid,
                    producer_epoch: epoch,
                    group_id: format!("g{group}"),
                }));
                requests += 1;
            }
            Action::End {
                id,
                commit,
                epoch_delta,
            } => {
                let name = IDS[id];
                let (pid, epoch) = ck.returned.get(name).copied().unwrap_or((0, 0));
                h.end(name, pid, epoch.saturating_add(epoch_delta), commit);
                requests += 1;
            }
            Action::CompleteAppend { pick, error } => {
                if !h.appends.is_empty() {
                    let i = pick % h.appends.len();
                    let a = h.appends.remove(i);
                    h.complete(a, error.map_or(Ok(()), Err));
                }
            }
            Action::AnswerMarkers { pick, errors } => {
                if !h.markers.is_empty() {
                    let i = pick % h.markers.len();
                    let (mid, _, m) = h.markers.remove(i);
                    let results: Vec<_> = m
                        .partitions()
                        .zip(errors.iter().cycle())
                        .map(|(tp, e)| (tp, e.unwrap_or(ErrorCode::None)))
                        .collect();
                    let out = h.c.on_markers_written(h.now, mid, &results);
                    h.absorb(out);
                }
            }
            Action::Unroutable { pick } => {
                if !h.markers.is_empty() {
                    let i = pick % h.markers.len();
                    let (mid, _, m) = h.markers.remove(i);
                    let parts: Vec<_> = m.partitions().collect();
                    let out = h.c.on_markers_unroutable(h.now, mid, &parts);
                    h.absorb(out);
                }
            }
            Action::Advance { ms } => h.advance(ms),
            Action::Describe { id } => {
                h.send(Request::DescribeTransactions(DescribeTransactionsRequest {
                    transactional_ids: vec![IDS[id].to_string()],
                }));
                h.send(Request::ListTransactions(ListTransactionsRequest::default()));
                requests += 2;
            }
            Action::Failover { id } => {
                let p = h.c.partition_for(IDS[id]);
                failover(&mut h, &mut ck, p);
            }
        }
        ck.on_changes(&h, before);
        ck.check(&h);
        record_inits(&h, &mut ck, &mut inits);
    }
    // A calm ending: fail every partition over once more, then let every
    // append and marker succeed.
    for p in [
        partition_for(IDS[0], NUM_PARTITIONS),
        partition_for(IDS[2], NUM_PARTITIONS),
    ] {
        failover(&mut h, &mut ck, p);
    }
    let mut steps = 0;
    while !h.appends.is_empty() || !h.markers.is_empty() {
        let before = h.changes.len();
        if !h.appends.is_empty() {
            h.complete_append(Ok(()));
        } else {
            h.ack_marker();
        }
        ck.on_changes(&h, before);
        ck.check(&h);
        record_inits(&h, &mut ck, &mut inits);
        steps += 1;
        assert!(steps < 10_000, "does not settle");
    }
    assert_eq!(h.responses.len(), requests, "every request answered once");
    assert_eq!(h.c.pending_appends().count(), 0);
    assert_eq!(h.c.pending_marker_sends().count(), 0);
    for m in h.c.transactions() {
        assert!(
            matches!(m.state, Empty | Ongoing | CompleteCommit | CompleteAbort),
            "{} left in {}",
            m.transactional_id,
            m.state
        );
        assert_eq!(m.pending_state, None, "{}", m.transactional_id);
    }
}

fn failover(h: &mut Host, ck: &mut Checker, p: i32) {
    let epoch = ck.coordinator_epoch.entry(p).or_insert(0);
    *epoch += 1;
    let e = *epoch;
    h.flush_in_flight(p);
    let out = h.c.unload(h.now, p, Some(e - 1));
    h.absorb(out);
    h.reload(p, e);
}

/// Successful InitProducerId answers never go back for an id.
fn record_inits(h: &Host, ck: &mut Checker, inits: &mut Vec<(RequestId, String)>) {
    inits.retain(|(rid, id)| match h.response(*rid) {
        None => true,
        Some(Response::InitProducerId(r)) => {
            if r.error_code == ErrorCode::None {
                let pair = (r.producer_id, r.producer_epoch);
                if let Some(prev) = ck.returned.get(id) {
                    assert!(pair >= *prev, "{id}: returned {prev:?} then {pair:?}");
                }
                ck.returned.insert(id.clone(), pair);
            }
            false
        }
        Some(other) => panic!("{other:?}"),
    });
}

proptest! {
    // 300 cases by default; PROPTEST_CASES=n for a longer search.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_request_sequences(actions in prop::collection::vec(action(), 1..80)) {
        run(actions);
    }
}

/// A hand-written sequence through fencing, timeout and failover, so the
/// property's machinery is exercised deterministically too.
#[test]
fn scripted_sequence() {
    use Action::*;
    run(vec![
        Init {
            id: 0,
            with_producer: false,
            timeout: 60_000,
        },
        CompleteAppend {
            pick: 0,
            error: None,
        },
        Add {
            id: 0,
            parts: vec![(0, 0), (1, 2)],
            epoch_delta: 0,
        },
        CompleteAppend {
            pick: 0,
            error: None,
        },
        Init {
            id: 0,
            with_producer: false,
            timeout: 60_000,
        },
        CompleteAppend {
            pick: 0,
            error: Some(ErrorCode::NotEnoughReplicas),
        },
        Init {
            id: 0,
            with_producer: true,
            timeout: 60_000,
        },
        CompleteAppend {
            pick: 0,
            error: None,
        },
        AnswerMarkers {
            pick: 0,
            errors: vec![Some(ErrorCode::NotLeaderOrFollower), None],
        },
        Failover { id: 0 },
        Advance { ms: 70_000 },
        Init {
            id: 1,
            with_producer: false,
            timeout: 1_000,
        },
        CompleteAppend {
            pick: 0,
            error: None,
        },
        Add {
            id: 1,
            parts: vec![(0, 1)],
            epoch_delta: 0,
        },
        CompleteAppend {
            pick: 0,
            error: None,
        },
        Advance { ms: 70_000 },
        End {
            id: 1,
            commit: true,
            epoch_delta: 0,
        },
    ]);
}

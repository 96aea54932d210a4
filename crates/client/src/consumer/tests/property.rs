//! Property: without a seek or a rebalance, poll never delivers a record
//! twice and delivers each partition's offsets in increasing order (here,
//! with every record present, exactly 0, 1, 2, ...), whatever the fetch
//! responses' sizes, overlaps, errors, losses and stale replays.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const LOG_LEN: i64 = 40;

#[derive(Clone, Debug)]
enum Op {
    Poll,
    Process,
    /// Answer the `which`-th pending fetch: each partition gets records
    /// from `fetch_offset - back` (overlap the consumer must skip), at most
    /// `chunk` past the fetch offset, in batches of `batch`.
    Answer {
        which: usize,
        back: i64,
        chunk: i64,
        batch: i64,
        error: bool,
    },
    /// Deliver an old response again (a duplicate from the network).
    Replay(usize),
    Advance(u64),
    /// Leaders change at the next metadata answer (higher epoch), so one
    /// partition can have fetches in flight to two brokers.
    MoveLeaders,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Poll),
        1 => Just(Op::Process),
        5 => (0usize..3, 0i64..4, 0i64..9, 1i64..4, prop::bool::weighted(0.1))
            .prop_map(|(which, back, chunk, batch, error)| Op::Answer { which, back, chunk, batch, error }),
        1 => (0usize..8).prop_map(Op::Replay),
        1 => (1u64..40_000).prop_map(Op::Advance),
        1 => Just(Op::MoveLeaders),
    ]
}

fn records(p: i32, from: i64, to: i64, batch_size: i64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        let end = (at + batch_size).min(to);
        let vals: Vec<String> = (at..end).map(|i| format!("p{p}-{i}")).collect();
        let refs: Vec<&str> = vals.iter().map(String::as_str).collect();
        out.extend(batch(at, &refs, at));
        at = end;
    }
    out
}

/// Answers whatever metadata and ListOffsets requests are pending;
/// partition p is led by broker `(p + shift) % 2` in epoch `shift`.
fn housekeeping(h: &mut Harness, shift: i32) {
    while let Some(s) = h.try_take("Metadata") {
        let partitions = (0..2)
            .map(|p| PartitionState {
                tp: tp("t", p),
                controller_epoch: 1,
                leader: (p + shift) % 2,
                leader_epoch: shift,
                isr: vec![0, 1],
                zk_version: shift,
                replicas: vec![0, 1],
                is_new: false,
            })
            .collect();
        h.respond(
            &s,
            Response::Metadata(MetadataResponse {
                controller_id: 0,
                brokers: vec![0, 1],
                partitions,
            }),
        );
    }
    while h.count("ListOffsets") > 0 {
        h.list_offsets(|_, _| 0);
    }
}

fn run(ops: Vec<Op>, max_poll_records: usize) -> Result<(), TestCaseError> {
    let mpr = max_poll_records.to_string();
    let mut h = Harness::new(&[
        ("auto.offset.reset", "earliest"),
        ("max.poll.records", &mpr),
    ]);
    h.c.assign(0, &[tp("t", 0), tp("t", 1)], &mut h.out)
        .unwrap();
    h.collect();
    let mut answered: Vec<(Sent, Response)> = Vec::new();
    let mut delivered: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    let mut shift = 0;
    for op in ops {
        housekeeping(&mut h, shift);
        match op {
            Op::Poll => {
                if let Poll::Ready(rs) = h.poll(0).unwrap() {
                    for r in rs {
                        prop_assert_eq!(
                            r.value_string(),
                            format!("p{}-{}", r.tp.partition, r.offset)
                        );
                        delivered.entry(r.tp.partition).or_default().push(r.offset);
                    }
                }
            }
            Op::Process => {
                h.c.process(Some(3));
            }
            Op::Answer {
                which,
                back,
                chunk,
                batch,
                error,
            } => {
                let fetches: Vec<usize> = h
                    .sent
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.request.api() == "Fetch")
                    .map(|(i, _)| i)
                    .collect();
                if fetches.is_empty() {
                    continue;
                }
                let s = h.sent.remove(fetches[which % fetches.len()]).unwrap();
                let Request::Fetch(f) = &s.request else {
                    unreachable!()
                };
                let parts = f
                    .partitions
                    .iter()
                    .map(|p| {
                        if error {
                            return fetch_partition(
                                &p.tp,
                                ErrorCode::NotLeaderOrFollower,
                                vec![],
                                -1,
                                vec![],
                            );
                        }
                        let from = (p.fetch_offset - back).max(0);
                        let to = (p.fetch_offset + chunk).min(LOG_LEN);
                        let bytes = if to > p.fetch_offset {
                            records(p.tp.partition, from, to, batch)
                        } else {
                            vec![]
                        };
                        fetch_partition(&p.tp, ErrorCode::None, bytes, LOG_LEN, vec![])
                    })
                    .collect();
                let response = Response::Fetch(parts);
                h.respond(&s, response.clone());
                answered.push((s, response));
            }
            Op::Replay(i) => {
                if !answered.is_empty() {
                    let (s, r) = answered[i % answered.len()].clone();
                    h.respond(&s, r);
                }
            }
            Op::MoveLeaders => shift += 1,
            Op::Advance(ms) => {
                let t = h.now + ms;
                h.advance_to(t);
            }
        }
    }
    for (p, offsets) in &delivered {
        let expected: Vec<i64> = (0..offsets.len() as i64).collect();
        prop_assert_eq!(offsets, &expected, "partition {}", p);
    }
    let total: usize = delivered.values().map(Vec::len).sum();
    prop_assert_eq!(h.c.consumed().len(), total);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn poll_never_repeats_and_keeps_offsets_increasing(
        ops in prop::collection::vec(op(), 1..120),
        max_poll_records in 1usize..7,
    ) {
        run(ops, max_poll_records)?;
    }
}

/// The property holds on a run long enough to read whole partitions.
#[test]
fn a_long_run_reads_every_record_once() {
    let mut ops = Vec::new();
    for i in 0..200 {
        ops.push(Op::Answer {
            which: i,
            back: (i % 3) as i64,
            chunk: 5,
            batch: 2,
            error: false,
        });
        ops.push(Op::Poll);
        if i % 7 == 0 {
            ops.push(Op::Replay(i));
        }
    }
    run(ops, 3).unwrap();
}

//! The messages between the page and the engine worker (`cluster-worker`),
//! which hosts one `kafkascope_cluster::session::Session`.
//!
//! Encoded with postcard (compact binary over serde; no JSON) behind a
//! version byte, and moved as transferred ArrayBuffers. The worker answers
//! every request with exactly one [`Reply`], so the page can keep at most
//! one request in flight (playing never floods the worker).

use serde::{Deserialize, Serialize};

use crate::compare::Comparison;
use crate::guide::{ConfigLine, GuideView};
use crate::model::ClusterView;

/// First byte of every message; bump when a type below changes.
pub const VERSION: u8 = 6;

/// The seed of a fresh page (Kafka's default port, for a memorable one).
pub const DEFAULT_SEED: u64 = 9092;

/// Page -> engine worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Drop the session and start an empty one with this seed.
    New { seed: u64 },
    /// Scenario-language lines typed in the console (one or more).
    Submit { text: String },
    /// Deliver the next `n` events (`step n`).
    Step { n: u64 },
    /// Advance virtual time by `ms` (`tick ms`).
    Tick { ms: u64 },
    /// Show the cluster as it was after trace event `to` (replayed from
    /// the seed). The live session is kept; [`Request::Live`] returns to it.
    Replay { to: u64 },
    /// Back to the live end after a [`Request::Replay`].
    Live,
    /// Replace the session by `script` run from `seed` (a file or a URL).
    /// On errors nothing changes.
    Load { script: String, seed: u64 },
    /// The guided demos the engine has compiled in ([`Reply::Demos`]).
    Demos,
    /// Replace the session by the demo `file` (`01-acks.scn`) from `seed`.
    LoadDemo { file: String, seed: u64 },
    /// Print narration in Chinese (`say.zh`, `demo title.zh`, ...) or
    /// English from now on; the live session is replayed in that language
    /// so rewinds keep their event numbers.
    Language { zh: bool },
    /// Run each broker in its own web worker over IndexedDB (`true`) or
    /// every broker in the engine's thread (`false`, the default). The
    /// live session is run again in the new mode (same seed, same trace).
    Brokers { workers: bool },
    /// The live session's trace as JSON lines ([`Reply::Trace`]), the
    /// same text as `kafkascope run --json`.
    Trace,
    /// Replace the session by the demo `file` from `seed`, run through its
    /// first narration step only ([`Update::guide`]).
    GuideDemo { file: String, seed: u64 },
    /// Show step `step` (from 1) of the guided demo: the next one runs
    /// the demo's lines up to its following `say` (a fork runs them too);
    /// any other replays the demo from its seed to the end of that step.
    GuideStep { step: u32 },
    /// Run the guided demo again from the same seed with these of its
    /// setting lines changed (the demo file's line numbers), up to the
    /// current step, beside the original ([`Update::compare`]).
    Fork { lines: Vec<ConfigLine> },
    /// Close the comparison (the original run stays).
    Unfork,
    /// Inspect this closely from now on (every update carries what the
    /// engine finds, for the cluster shown); `Focus::default()` stops.
    Focus(crate::inspect::Focus),
    /// Every broker in its own web worker, running **live**: inputs are
    /// posted without waiting, brokers work at the same time, virtual time
    /// follows the real clock (`Request::Brokers` goes back to step mode
    /// or to the engine's thread). The live session is run again that way.
    LiveBrokers,
    /// Live mode: replace the session by the benchmark cluster (3 brokers,
    /// a topic with RF=3, `acks=all` producers, a consumer) and measure
    /// acknowledged records/s and produce->consume latency
    /// ([`Update::measure`]).
    Measure(MeasureSpec),
    /// Check a form's lines (`producer ...`, `consumer ...`, `subscribe
    /// ...`) as the console would check them after the live script, now
    /// ([`Reply::Checked`]) and in every later update ([`Update::checks`]),
    /// until the same `form` sends no lines. The page runs no parser: the
    /// scenario checker lives here, in the engine.
    Check { form: String, lines: Vec<String> },
}

/// What the scenario checker says of a form's lines ([`Request::Check`]),
/// checked after the live script of the update that carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormCheck {
    pub form: String,
    pub lines: Vec<String>,
    /// The checker's messages for these lines, as the console would
    /// refuse them (empty: the console would run them).
    pub errors: Vec<String>,
}

/// What [`Request::Measure`] measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureSpec {
    /// Records sent for the throughput figure.
    pub records: u32,
    /// Bytes of each record's value.
    pub value_bytes: u32,
    /// Records sent one at a time (each consumed before the next) for the
    /// latency figures.
    pub samples: u32,
}

impl Default for MeasureSpec {
    fn default() -> Self {
        MeasureSpec {
            records: 100_000,
            value_bytes: 100,
            samples: 500,
        }
    }
}

/// A live measurement ([`Request::Measure`]), as far as it got. Times are
/// taken with `performance.now()` in the engine worker, kept in µs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureReport {
    pub spec: Option<MeasureSpec>,
    /// The producers' settings, as the scenario sets them.
    pub setup: String,
    /// Latency samples taken so far.
    pub samples: u32,
    /// Produce->consume latency, µs.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// Records acknowledged so far in the throughput run.
    pub acked: u32,
    /// Acknowledged records per second, once all are acknowledged.
    pub records_per_s: Option<u64>,
    /// Wall time of the throughput run, µs.
    pub elapsed_us: Option<u64>,
    /// Of that, the time the engine worker spent in its live loop's turns
    /// (the rest it waited for the broker workers), µs.
    pub engine_busy_us: u64,
    /// Simulator events (message deliveries, timers) in the throughput run.
    pub events: u64,
    pub done: bool,
    /// Why it stopped early, if it did.
    pub problem: Option<String>,
}

/// A guided demo, for the page's list: titles and what it teaches in both
/// languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoInfo {
    pub file: String,
    pub title_en: String,
    pub title_zh: String,
    pub teaches_en: String,
    pub teaches_zh: String,
}

/// A scenario error: 1-based line within the submitted text or file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// What the worker reports after a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The worker's wasm runs and listens.
    Hello,
    /// The request was carried out (or refused with `errors`).
    Update(Box<Update>),
    /// Something went wrong outside the scenario (a bad message, a panic).
    Failed { message: String },
    /// The answer to [`Request::Demos`].
    Demos(Vec<DemoInfo>),
    /// The answer to [`Request::Trace`].
    Trace { json_lines: String },
    /// The answer to [`Request::Check`]: every form's lines checked.
    Checked(Vec<FormCheck>),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    pub seed: u64,
    /// The live session as a scenario file.
    pub script: String,
    /// Trace events of the live session.
    pub live_position: u64,
    /// `Some(n)`: the view is the past, replayed to event `n`.
    pub rewound: Option<u64>,
    /// Where that replay was asked to stop and the step it stopped after.
    pub landing: Option<Landing>,
    /// What the request printed: narration, `PASS`/`FAIL`, `ERROR line N: ...`.
    pub output: Vec<String>,
    /// Why the request was refused (syntax or checker errors); nothing ran.
    pub errors: Vec<LineError>,
    pub view: ClusterView,
    /// The replica's segments asked for by [`Request::Focus`].
    pub segments: Option<crate::inspect::SegmentsView>,
    /// The record's story asked for by [`Request::Focus`].
    pub record: Option<crate::inspect::RecordStory>,
    /// Each broker runs in its own web worker ([`Request::Brokers`]).
    pub brokers_in_workers: bool,
    /// ... and live ([`Request::LiveBrokers`]).
    pub brokers_live: bool,
    /// The last live measurement ([`Request::Measure`]).
    pub measure: Option<MeasureReport>,
    /// The guided demo being stepped through, if any.
    pub guide: Option<GuideView>,
    /// The original run against its fork, if the guided demo was forked.
    pub compare: Option<Comparison>,
    /// The forms' lines ([`Request::Check`]) checked after `script`.
    pub checks: Vec<FormCheck>,
}

/// Where a replay landed. It stops only between steps of the run (a
/// delivery, a timer, a console line's own events): the events of one step
/// happen at once, as Kafka handles one request at once, so asking for an
/// event inside a step shows the cluster after the whole step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    /// The event asked for.
    pub asked: u64,
    /// The first and last event of the step that reached it (`last` is the
    /// event shown).
    pub first: u64,
    pub last: u64,
}

impl Landing {
    /// The replay shows exactly the event asked for, and that event is a
    /// step of its own.
    pub fn exact(&self) -> bool {
        self.asked == self.last && self.first == self.last
    }
}

/// Why bytes are not a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    Version(u8),
    Body(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "empty message"),
            DecodeError::Version(v) => write!(f, "message version {v}, expected {VERSION}"),
            DecodeError::Body(e) => write!(f, "undecodable message: {e}"),
        }
    }
}

impl std::error::Error for DecodeError {}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // postcard only fails on types serde cannot describe (none here) or a
    // full fixed buffer (we grow a Vec); fall back to an empty body.
    let mut out = vec![VERSION];
    match postcard::to_allocvec(msg) {
        Ok(body) => out.extend(body),
        Err(_) => out.clear(),
    }
    out
}

fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    let (&v, body) = bytes.split_first().ok_or(DecodeError::Empty)?;
    if v != VERSION {
        return Err(DecodeError::Version(v));
    }
    match postcard::take_from_bytes::<T>(body) {
        Ok((msg, [])) => Ok(msg),
        Ok((_, rest)) => Err(DecodeError::Body(format!(
            "{} unexpected bytes after the message",
            rest.len()
        ))),
        Err(e) => Err(DecodeError::Body(e.to_string())),
    }
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }
    pub fn decode(bytes: &[u8]) -> Result<Request, DecodeError> {
        decode(bytes)
    }
}

impl Reply {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }
    pub fn decode(bytes: &[u8]) -> Result<Reply, DecodeError> {
        decode(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn sample_view() -> ClusterView {
        ClusterView {
            now_ms: 1234,
            position: 99,
            brokers: vec![BrokerView {
                id: 0,
                state: BrokerState::Crashed,
                registered: false,
                controller: false,
                cut_off_from: vec!["zk".into()],
            }],
            zk_up: true,
            controller: Some(1),
            znodes: vec![ZnodeEntry {
                path: "/controller".into(),
                depth: 1,
                data: "{\"version\":1,\"brokerid\":1}".into(),
                ephemeral: true,
            }],
            partitions: vec![PartitionView {
                topic: "t".into(),
                partition: 0,
                leader: Some(1),
                leader_epoch: 1,
                isr: vec![1, 2],
                replicas: vec![ReplicaState {
                    broker: 1,
                    broker_up: true,
                    log_start: 0,
                    leo: 2,
                    hw: 2,
                    leader_epoch: Some(1),
                    in_isr: true,
                    leader: true,
                    records: vec![RecordCell {
                        offset: 0,
                        value: "v0 — 中文".into(),
                        origin: Origin::Producer("p".into()),
                        epoch: 1,
                    }],
                }],
                assigned: vec![0, 1, 2],
                isr_changes: vec![IsrChange {
                    n: 7,
                    t: 30,
                    isr: vec![1, 2],
                    reason: "leader-election".into(),
                }],
            }],
            producers: vec![ProducerView {
                name: "p".into(),
                up: true,
                sends: 2,
                incomplete: 0,
                acks: "all".into(),
                acked: 0,
                lost: 1,
                failed: 1,
                fates: vec![
                    RecordFate {
                        send_id: "p:0".into(),
                        value: None,
                        fate: Fate::Lost {
                            partition: "t-0".into(),
                            offset: 0,
                        },
                    },
                    RecordFate {
                        send_id: "p:1".into(),
                        value: Some("x".into()),
                        fate: Fate::Failed("NOT_ENOUGH_REPLICAS".into()),
                    },
                ],
                configs: vec![("acks".into(), "all".into())],
                choices: vec![PartitionChoice {
                    send_id: "p:1".into(),
                    partition: "t-0".into(),
                    key: Some("k".into()),
                    reason: PartitionReason::Murmur2 {
                        hash: -7,
                        partitions: 3,
                    },
                }],
            }],
            consumers: vec![ConsumerView {
                name: "c1".into(),
                group: Some("g".into()),
                up: true,
                closed: false,
                member_id: "c1-0".into(),
                generation: 3,
                rebalance_protocol: "cooperative".into(),
                assignment: vec!["t-0".into()],
                last_change: Some(AssignmentChange {
                    generation: 3,
                    revoked: vec!["t-1".into()],
                    lost: vec![],
                    added: vec![],
                }),
                delivered: 4,
                processed: 2,
                positions: vec![("t-0".into(), 4)],
                committed: vec![("t-0".into(), 2)],
                configs: vec![("group.id".into(), "g".into())],
            }],
            groups: vec![GroupView {
                group: "g".into(),
                state: "Stable".into(),
                generation: Some(3),
                members: vec![MemberView {
                    client_id: "c1".into(),
                    member_id: "c1-0".into(),
                    assignment: vec!["t-0".into()],
                }],
                offsets: vec![OffsetView {
                    partition: "t-0".into(),
                    committed: 2,
                    lag: None,
                }],
            }],
            in_flight: vec![("Fetch".into(), 2)],
            held: vec![],
            fault_rules: false,
            metrics: vec![Metric {
                name: "ActiveControllerCount".into(),
                value: 1,
                changed_at: Some(42),
                delta: 1,
            }],
            events: vec![EventLine {
                n: 99,
                t: 1234,
                text: "1 → 2 Fetch delivered".into(),
            }],
            charts: crate::charts::Charts {
                t: vec![1000, 2000],
                messages_in: vec![5, 0],
                bytes_in: vec![400, 0],
                failed_produce: vec![0, 1],
                consumed: vec![0, 5],
                lag: vec![crate::charts::Series {
                    key: "c1".into(),
                    values: vec![None, Some(3)],
                }],
                hw: vec![],
                leo: vec![],
            },
            links: vec![crate::links::LinkView {
                from: "1".into(),
                to: "0".into(),
                cut: true,
                in_flight: vec![],
                held: vec![crate::links::ApiCount {
                    api: "Fetch".into(),
                    count: 2,
                }],
                dropped: vec![],
            }],
        }
    }

    #[test]
    fn every_request_round_trips() {
        for r in [
            Request::New { seed: u64::MAX },
            Request::Submit {
                text: "crash 0\n中文".into(),
            },
            Request::Step { n: 3 },
            Request::Tick { ms: 500 },
            Request::Replay { to: 42 },
            Request::Live,
            Request::Load {
                script: "cluster brokers=3\n".into(),
                seed: 7,
            },
            Request::Demos,
            Request::Language { zh: true },
            Request::Focus(crate::inspect::Focus {
                segment: Some(crate::inspect::SegmentRef {
                    partition: "主题-0".into(),
                    broker: 2,
                    base_offset: Some(-1),
                }),
                record: Some(crate::inspect::RecordRef::Offset {
                    partition: "主题-0".into(),
                    offset: 3,
                    broker: None,
                }),
            }),
            Request::LoadDemo {
                file: "01-acks.scn".into(),
                seed: 3,
            },
            Request::GuideDemo {
                file: "01-acks.scn".into(),
                seed: 3,
            },
            Request::GuideStep { step: 4 },
            Request::Fork {
                lines: vec![ConfigLine {
                    line: 17,
                    text: "producer fast acks=all".into(),
                }],
            },
            Request::Unfork,
            Request::LiveBrokers,
            Request::Measure(MeasureSpec::default()),
            Request::Check {
                form: "producer".into(),
                lines: vec!["producer p acks=1".into(), "subscribe c t".into()],
            },
        ] {
            let bytes = r.encode();
            assert_eq!(bytes[0], VERSION);
            assert_eq!(Request::decode(&bytes), Ok(r));
        }
    }

    #[test]
    fn an_update_with_a_whole_view_round_trips_compactly() {
        let update = Reply::Update(Box::new(Update {
            seed: 11,
            script: "cluster brokers=3\n".into(),
            live_position: 120,
            rewound: Some(99),
            landing: Some(Landing {
                asked: 97,
                first: 95,
                last: 99,
            }),
            output: vec!["PASS line 2: hw t-0 == 2".into()],
            errors: vec![LineError {
                line: 2,
                message: "unknown command".into(),
            }],
            view: sample_view(),
            segments: Some(crate::inspect::SegmentsView {
                partition: "t-0".into(),
                broker: 1,
                broker_up: false,
                segments: vec![crate::inspect::SegmentInfo {
                    base_offset: 0,
                    next_offset: 2,
                    bytes: 140,
                    batches: 1,
                    file: "00000000000000000000.log".into(),
                    active: true,
                }],
                detail: Some(crate::inspect::SegmentDetail {
                    base_offset: 0,
                    batches: vec![crate::inspect::BatchInfo {
                        position: 0,
                        base_offset: 0,
                        last_offset: 1,
                        count: 2,
                        producer_id: 1000,
                        producer_epoch: 0,
                        base_sequence: 0,
                        partition_leader_epoch: 1,
                        size: 140,
                        crc_valid: true,
                        compression: "none".into(),
                        transactional: false,
                        control: false,
                        max_timestamp: 1234,
                    }],
                    more_batches: 0,
                    offset_index: vec![(0, 0)],
                    time_index: vec![(1234, 1)],
                    more_index: 0,
                }),
                problem: None,
            }),
            record: Some(crate::inspect::RecordStory {
                asked: crate::inspect::RecordRef::Send {
                    send_id: "p:1".into(),
                },
                partition: "t-0".into(),
                offset: Some(0),
                leader_epoch: Some(0),
                send_id: Some("p:1".into()),
                value: Some("v0".into()),
                holders: vec![crate::inspect::Holder {
                    broker: 1,
                    broker_up: true,
                    leader: true,
                    holds: crate::inspect::Holds::This,
                }],
                steps: vec![crate::inspect::StoryStep {
                    n: 40,
                    t: 12,
                    step: crate::inspect::Step::Appended {
                        broker: 1,
                        leader_epoch: 0,
                        request: Some(crate::inspect::Carrier {
                            sent: Some(38),
                            delivered: Some(39),
                            from: "p".into(),
                            to: "1".into(),
                            api: "Produce".into(),
                        }),
                    },
                }],
                verdict: crate::inspect::Verdict::Lost(
                    crate::inspect::LossReason::ElectedWithout {
                        n: Some(50),
                        broker: 2,
                        leader_epoch: 1,
                        unclean: true,
                        holders: vec![1],
                    },
                ),
                acked: true,
                problem: None,
            }),
            brokers_in_workers: true,
            brokers_live: true,
            measure: Some(MeasureReport {
                spec: Some(MeasureSpec::default()),
                p50_us: Some(800),
                ..MeasureReport::default()
            }),
            guide: None,
            compare: None,
            checks: vec![FormCheck {
                form: "c".into(),
                lines: vec!["consumer c".into()],
                errors: vec!["e".into()],
            }],
        }));
        let bytes = update.encode();
        assert_eq!(Reply::decode(&bytes), Ok(update));
        // Binary, not JSON: small integers take one byte.
        assert!(bytes.len() < 700, "{} bytes", bytes.len());
        for r in [
            Reply::Hello,
            Reply::Failed {
                message: "x".into(),
            },
            Reply::Demos(vec![DemoInfo {
                file: "01-acks.scn".into(),
                title_en: "acks".into(),
                title_zh: "确认".into(),
                teaches_en: "t".into(),
                teaches_zh: "教".into(),
            }]),
            Reply::Checked(vec![FormCheck {
                form: "producer".into(),
                lines: vec!["producer p".into()],
                errors: vec![],
            }]),
        ] {
            assert_eq!(Reply::decode(&r.encode()), Ok(r));
        }
    }

    #[test]
    fn an_update_with_a_guide_and_a_comparison_round_trips() {
        use crate::compare::*;
        use crate::guide::*;
        let view = sample_view();
        let mut fork = view.clone();
        fork.partitions[0].replicas[0].records.clear();
        let outcome = ExpectOutcome {
            line: 9,
            predicate: "lost == 6".into(),
            passed: true,
            was: "6".into(),
        };
        let update = Reply::Update(Box::new(Update {
            guide: Some(GuideView {
                file: "01-acks.scn".into(),
                title: Text {
                    en: "acks".into(),
                    zh: "确认".into(),
                },
                seeds: vec![SeedQuote {
                    file: "004.txt".into(),
                    quote: "丢失数据".into(),
                    en: "data may be lost".into(),
                }],
                step: 2,
                steps: 9,
                expects: vec![outcome.clone()],
                passed: 1,
                config: vec![ConfigLine {
                    line: 17,
                    text: "producer fast acks=1".into(),
                }],
                fork_errors: vec![LineError {
                    line: 17,
                    message: "m".into(),
                }],
                ..GuideView::default()
            }),
            compare: Some(Comparison {
                seed: 11,
                edits: vec![],
                original_position: 5,
                fork_position: 6,
                divergence: Divergence::OnlyIn {
                    in_fork: true,
                    event: view.events[0].clone(),
                },
                expects: compare_expects(&[outcome], &[]),
                partitions: compare_partitions(&view, &fork),
                clients: compare_clients(&view, &fork),
            }),
            view,
            ..Update::default()
        }));
        assert_eq!(Reply::decode(&update.encode()), Ok(update));
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        assert_eq!(Request::decode(&[]), Err(DecodeError::Empty));
        assert_eq!(Request::decode(&[9, 0]), Err(DecodeError::Version(9)));
        assert!(matches!(
            Request::decode(&[VERSION, 200]),
            Err(DecodeError::Body(_))
        ));
        let mut long = Request::Step { n: 1 }.encode();
        long.push(0);
        assert!(
            matches!(Request::decode(&long), Err(DecodeError::Body(ref m)) if m.contains("1 unexpected byte")),
        );
        // Every truncation of a real reply fails cleanly.
        let bytes = Reply::Update(Box::new(Update {
            view: sample_view(),
            ..Update::default()
        }))
        .encode();
        for n in 0..bytes.len() {
            assert!(Reply::decode(&bytes[..n]).is_err(), "prefix of {n} bytes");
        }
    }
}

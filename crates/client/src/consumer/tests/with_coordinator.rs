//! Consumers against the real group coordinator state machine
//! (crates/coordinator): a tiny event loop stands in for the network and
//! the broker (metadata, FindCoordinator, empty long-poll fetches).

use std::collections::{BTreeMap, BTreeSet};

use ::coordinator::{
    partition_for, Coordinator, CoordinatorConfig, GroupState, Output as COutput, TimerToken,
};
use broker::api::{FetchRequest, IsolationLevel};

use super::*;

const PARTITIONS: i32 = 4;

enum Ev {
    Deliver(usize, Box<Msg>),
    ConsumerTimer(usize, u64),
    CoordTimer(TimerToken),
}

struct World {
    now: u64,
    seq: u64,
    coord: Coordinator,
    consumers: Vec<Consumer>,
    queue: BTreeMap<(u64, u64), Ev>,
    armed: BTreeMap<(usize, u64), u64>,
    parked: BTreeMap<u64, (usize, i32)>,
    next_request: u64,
    events: Vec<(usize, &'static str, Value)>,
}

impl World {
    fn new() -> World {
        let mut coord = Coordinator::new(CoordinatorConfig::default(), 7);
        coord.load(0, partition_for("g", 50), []).unwrap();
        World {
            now: 0,
            seq: 0,
            coord,
            consumers: Vec::new(),
            queue: BTreeMap::new(),
            armed: BTreeMap::new(),
            parked: BTreeMap::new(),
            next_request: 0,
            events: Vec::new(),
        }
    }

    fn at(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.queue.insert((t, self.seq), ev);
    }

    fn add(&mut self, settings: &[(&str, &str)]) -> usize {
        let config = ConsumerConfig::from_pairs(settings.iter().copied()).unwrap();
        self.consumers.push(Consumer::new(config, vec![0]));
        let i = self.consumers.len() - 1;
        let mut out = Vec::new();
        self.consumers[i].handle(self.now, Input::Start, &mut out);
        self.consumers[i]
            .subscribe(self.now, &["t"], &mut out)
            .unwrap();
        self.outputs(i, out);
        i
    }

    fn outputs(&mut self, i: usize, out: Vec<Output>) {
        for o in out {
            match o {
                Output::Send {
                    msg:
                        Msg::Request {
                            correlation_id,
                            request,
                        },
                    ..
                } => self.broker(i, correlation_id, request),
                Output::SetTimer { token, at, .. } => {
                    self.armed.insert((i, token), at);
                    self.at(at, Ev::ConsumerTimer(i, token));
                }
                Output::CancelTimer(token) => {
                    self.armed.remove(&(i, token));
                }
                Output::Event { kind, detail } => self.events.push((i, kind, detail)),
                other => panic!("{other:?}"),
            }
        }
    }

    fn reply(&mut self, i: usize, correlation_id: i32, response: Response, delay: u64) {
        let msg = Msg::Response {
            correlation_id,
            response,
        };
        self.at(self.now + delay, Ev::Deliver(i, Box::new(msg)));
    }

    /// Broker 0 answers everything.
    fn broker(&mut self, i: usize, correlation_id: i32, request: Request) {
        match request {
            Request::Metadata { .. } => {
                let partitions = (0..PARTITIONS)
                    .map(|p| PartitionState {
                        tp: tp("t", p),
                        controller_epoch: 1,
                        leader: 0,
                        leader_epoch: 0,
                        isr: vec![0],
                        zk_version: 0,
                        replicas: vec![0],
                        is_new: false,
                    })
                    .collect();
                let r = Response::Metadata(MetadataResponse {
                    controller_id: 0,
                    brokers: vec![0],
                    partitions,
                });
                self.reply(i, correlation_id, r, 1);
            }
            Request::FindCoordinator { .. } => self.reply(
                i,
                correlation_id,
                Response::FindCoordinator {
                    error: ErrorCode::None,
                    node_id: 0,
                },
                1,
            ),
            Request::ListOffsets { partitions, .. } => {
                let r = partitions
                    .into_iter()
                    .map(|(tp, _)| (tp, ErrorCode::None, -1, 0))
                    .collect();
                self.reply(i, correlation_id, Response::ListOffsets(r), 1);
            }
            Request::Fetch(FetchRequest {
                partitions,
                max_wait_ms,
                isolation_level,
                ..
            }) => {
                assert_eq!(isolation_level, IsolationLevel::ReadUncommitted);
                let r = partitions
                    .iter()
                    .map(|p| fetch_partition(&p.tp, ErrorCode::None, vec![], 0, vec![]))
                    .collect();
                // An empty log: the broker holds the fetch for max wait.
                self.reply(i, correlation_id, Response::Fetch(r), max_wait_ms);
            }
            Request::Group(g) => {
                self.next_request += 1;
                let id = self.next_request;
                self.parked.insert(id, (i, correlation_id));
                let out = self.coord.handle(self.now as i64, id, g);
                self.coord_outputs(out);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn coord_outputs(&mut self, out: Vec<COutput>) {
        for o in out {
            match o {
                COutput::Response {
                    request_id,
                    response,
                } => {
                    let (i, corr) = self.parked.remove(&request_id).unwrap();
                    self.reply(i, corr, Response::Group(response), 1);
                }
                COutput::SetTimer {
                    token, deadline, ..
                } => self.at(deadline.max(0) as u64, Ev::CoordTimer(token)),
                COutput::Append(a) => {
                    // Replicated at once.
                    let out = self
                        .coord
                        .on_append_completed(self.now as i64, a.append_id, Ok(0));
                    self.coord_outputs(out);
                }
                COutput::CancelTimer { .. } | COutput::GroupStateChanged { .. } => {}
            }
        }
    }

    fn run_until(&mut self, t: u64) {
        while let Some((&(at, seq), _)) = self.queue.iter().next() {
            if at > t {
                break;
            }
            let ev = self.queue.remove(&(at, seq)).unwrap();
            self.now = at;
            match ev {
                Ev::Deliver(i, msg) => {
                    let mut out = Vec::new();
                    self.consumers[i].handle(
                        at,
                        Input::Message {
                            from: Addr::Broker(0),
                            msg: *msg,
                        },
                        &mut out,
                    );
                    self.outputs(i, out);
                }
                Ev::ConsumerTimer(i, token) => {
                    if self.armed.get(&(i, token)) == Some(&at) {
                        self.armed.remove(&(i, token));
                        let mut out = Vec::new();
                        self.consumers[i].handle(at, Input::Timer(token), &mut out);
                        self.outputs(i, out);
                    }
                }
                Ev::CoordTimer(token) => {
                    let out = self.coord.on_timer(at as i64, token);
                    self.coord_outputs(out);
                }
            }
        }
        self.now = t;
    }

    /// Every consumer polls (keeps them within max.poll.interval.ms).
    fn poll_all(&mut self) {
        for i in 0..self.consumers.len() {
            if self.consumers[i].is_closed() {
                continue;
            }
            let mut out = Vec::new();
            let _ = self.consumers[i].start_poll(self.now, 0, &mut out);
            self.outputs(i, out);
        }
    }

    fn assignments(&self) -> Vec<BTreeSet<TopicPartition>> {
        self.consumers.iter().map(|c| c.assignment()).collect()
    }
}

fn covers_all(assignments: &[BTreeSet<TopicPartition>]) -> bool {
    let mut all = BTreeSet::new();
    for a in assignments {
        for tp in a {
            if !all.insert(tp.clone()) {
                return false;
            }
        }
    }
    all.len() == PARTITIONS as usize
}

#[test]
fn two_eager_consumers_share_the_topic_and_one_takes_over_on_close() {
    let mut w = World::new();
    let a = w.add(&[("group.id", "g"), ("client.id", "a")]);
    let b = w.add(&[("group.id", "g"), ("client.id", "b")]);
    for t in (1000..=10_000).step_by(1000) {
        w.run_until(t);
        w.poll_all();
    }
    let assignments = w.assignments();
    assert!(covers_all(&assignments), "{assignments:?}");
    assert_eq!(assignments[a].len(), 2);
    assert_eq!(w.coord.state("g"), Some(GroupState::Stable));
    let generation = w.coord.generation("g").unwrap();
    assert_eq!(w.consumers[a].generation(), generation);
    assert_eq!(w.consumers[b].generation(), generation);
    // Range, as the group chose the first protocol both support.
    assert_eq!(w.consumers[a].protocol(), Some("range"));

    let mut out = Vec::new();
    w.consumers[b].close(w.now, &mut out);
    w.outputs(b, out);
    for t in (11_000..=20_000).step_by(1000) {
        w.run_until(t);
        w.poll_all();
    }
    assert_eq!(w.consumers[a].assignment().len(), PARTITIONS as usize);
    assert!(w.coord.generation("g").unwrap() > generation);
}

#[test]
fn cooperative_consumers_move_partitions_in_two_rebalances_without_revoking_the_rest() {
    let coop = [
        ("group.id", "g"),
        ("partition.assignment.strategy", "cooperative-sticky"),
    ];
    let mut w = World::new();
    let a = w.add(&[coop[0], coop[1], ("client.id", "a")]);
    for t in (1000..=6000).step_by(1000) {
        w.run_until(t);
        w.poll_all();
    }
    assert_eq!(w.consumers[a].assignment().len(), PARTITIONS as usize);
    let before = w.consumers[a].generation();
    let b = w.add(&[coop[0], coop[1], ("client.id", "b")]);
    for t in (7000..=30_000).step_by(1000) {
        w.run_until(t);
        w.poll_all();
    }
    let assignments = w.assignments();
    assert!(covers_all(&assignments), "{assignments:?}");
    assert_eq!(assignments[a].len(), 2);
    assert_eq!(assignments[b].len(), 2);
    // a revoked in one generation, b got them in the next.
    assert_eq!(w.consumers[a].generation(), before + 2);
    let a_events: Vec<&Value> = w
        .events
        .iter()
        .filter(|(i, k, _)| *i == a && *k == "rebalance-started")
        .map(|(_, _, v)| v)
        .collect();
    assert!(
        a_events
            .iter()
            .all(|e| e["revoked"] == serde_json::json!([])),
        "{a_events:?}"
    );
    let revoked: Vec<&Value> = w
        .events
        .iter()
        .filter(|(i, k, v)| {
            *i == a && *k == "rebalance-completed" && v["revoked"] != serde_json::json!([])
        })
        .map(|(_, _, v)| v)
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["revoked"].as_array().unwrap().len(), 2);
}

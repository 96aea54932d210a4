//! A tiny deterministic cluster for broker-level tests: N brokers and a
//! ZooKeeper server, a FIFO network with no latency, and a timer wheel.
//! Clients are addresses whose responses land in an inbox.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::Bytes;
use controller::zk::{ConnId, ZkMessage, ZkServer};
use kafkascope_broker::api::*;
use kafkascope_broker::wire::{self, FromBroker, ToBroker};
use kafkascope_broker::{Broker, BrokerConfig, Input, Output};
use log::{MemoryStorage, Shared};
use protocol::batch::{RecordBatch, SimpleRecord};

pub struct Cluster {
    pub now: u64,
    pub brokers: BTreeMap<BrokerId, Broker>,
    storages: BTreeMap<BrokerId, Shared<MemoryStorage>>,
    configs: BTreeMap<BrokerId, BrokerConfig>,
    pub zk: ZkServer,
    net: VecDeque<(Addr, Addr, Msg)>,
    /// (broker, token) -> deadline; a token is re-armed by a new SetTimer.
    timers: BTreeMap<(BrokerId, u64), u64>,
    pub inbox: BTreeMap<(u32, i32), Response>,
    next_corr: i32,
    pub events: Vec<(BrokerId, &'static str, serde_json::Value)>,
    /// Paused brokers get no input: messages to them wait in `held`.
    paused: BTreeSet<BrokerId>,
    held: VecDeque<(Addr, Addr, Msg)>,
}

pub fn config(id: BrokerId, settings: &[(&str, &str)]) -> BrokerConfig {
    let mut c = BrokerConfig::new(id);
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    c
}

impl Cluster {
    /// `n` brokers with the same settings, started and registered, with a
    /// controller elected.
    pub fn start(n: i32, settings: &[(&str, &str)]) -> Cluster {
        let mut c = Cluster {
            now: 0,
            brokers: BTreeMap::new(),
            storages: BTreeMap::new(),
            configs: BTreeMap::new(),
            zk: ZkServer::default(),
            net: VecDeque::new(),
            timers: BTreeMap::new(),
            inbox: BTreeMap::new(),
            next_corr: 0,
            events: Vec::new(),
            paused: BTreeSet::new(),
            held: VecDeque::new(),
        };
        for id in 0..n {
            c.configs.insert(id, config(id, settings));
            c.storages.insert(id, Shared::default());
            c.boot(id);
        }
        c.run_for(2_000);
        c
    }

    fn boot(&mut self, id: BrokerId) {
        let b = Broker::new(self.configs[&id].clone(), self.storages[&id].clone());
        self.brokers.insert(id, b);
        self.input(id, Input::Start);
    }

    fn input(&mut self, id: BrokerId, input: Input) {
        let Some(b) = self.brokers.get_mut(&id) else {
            return;
        };
        // In the browser every input and output crosses a worker boundary
        // as bytes: the brokers here get and give only what survives that.
        let (now, input) = through_the_wire(self.now, input);
        let mut out = Vec::new();
        b.handle(now, input, &mut out);
        for o in outputs_through_the_wire(out) {
            match o {
                Output::Send { to, msg } => self.net.push_back((Addr::Broker(id), to, msg)),
                Output::SetTimer { token, at, .. } => {
                    self.timers.insert((id, token), at);
                }
                Output::CancelTimer(token) => {
                    self.timers.remove(&(id, token));
                }
                Output::Event { kind, detail } => self.events.push((id, kind, detail)),
                Output::Stopped => {}
            }
        }
    }

    /// Delivers every queued message (FIFO); returns whether any was.
    fn drain(&mut self) -> bool {
        let mut any = false;
        while let Some((from, to, msg)) = self.net.pop_front() {
            any = true;
            if matches!(to, Addr::Broker(b) if self.paused.contains(&b)) {
                self.held.push_back((from, to, msg));
                continue;
            }
            match to {
                Addr::Broker(b) => self.input(b, Input::Message { from, msg }),
                Addr::Zk => {
                    let Addr::Broker(b) = from else { continue };
                    if let Msg::Zk(m) = msg {
                        let outs = self.zk.handle_message(self.now, ConnId(b as u32), m);
                        self.zk_out(outs);
                    }
                }
                Addr::Client(c) => {
                    if let Msg::Response {
                        correlation_id,
                        response,
                    } = msg
                    {
                        self.inbox.insert((c, correlation_id), response);
                    }
                }
            }
        }
        any
    }

    fn zk_out(&mut self, outs: Vec<controller::zk::ZkOutput>) {
        for o in outs {
            let to = o.to.0 as BrokerId;
            if self.brokers.contains_key(&to) {
                self.net
                    .push_back((Addr::Zk, Addr::Broker(to), Msg::Zk(o.msg)));
            }
        }
    }

    /// Runs the cluster until `until`: messages first, then the earliest timer.
    pub fn run_until(&mut self, until: u64) {
        loop {
            self.drain();
            let next = self
                .timers
                .iter()
                .filter(|((b, _), _)| !self.paused.contains(b))
                .map(|(&(b, t), &at)| (at, b, t))
                .min();
            match next {
                Some((at, b, token)) if at <= until => {
                    self.timers.remove(&(b, token));
                    self.now = self.now.max(at);
                    let (outs, _) = self.zk.tick(self.now);
                    self.zk_out(outs);
                    self.input(b, Input::Timer(token));
                }
                _ => break,
            }
        }
        self.now = self.now.max(until);
        let (outs, _) = self.zk.tick(self.now);
        self.zk_out(outs);
        self.drain();
    }

    pub fn run_for(&mut self, ms: u64) {
        self.run_until(self.now + ms);
    }

    /// Sends a request from client `client`; returns its correlation id.
    pub fn send(&mut self, client: u32, to: BrokerId, request: Request) -> i32 {
        self.next_corr += 1;
        let correlation_id = self.next_corr;
        self.net.push_back((
            Addr::Client(client),
            Addr::Broker(to),
            Msg::Request {
                correlation_id,
                request,
            },
        ));
        correlation_id
    }

    pub fn take(&mut self, client: u32, corr: i32) -> Option<Response> {
        self.inbox.remove(&(client, corr))
    }

    /// Sends and runs (up to `max_ms` of virtual time) until the answer.
    pub fn call_within(&mut self, to: BrokerId, request: Request, max_ms: u64) -> Response {
        let corr = self.send(99, to, request);
        let deadline = self.now + max_ms;
        loop {
            self.drain();
            if let Some(r) = self.take(99, corr) {
                return r;
            }
            assert!(
                self.now < deadline,
                "no answer from broker {to} within {max_ms} ms"
            );
            self.run_for(10);
        }
    }

    pub fn call(&mut self, to: BrokerId, request: Request) -> Response {
        self.call_within(to, request, 60_000)
    }

    /// Kills broker `id` (no clean shutdown) and expires its ZooKeeper
    /// session, as its session timeout would.
    pub fn crash(&mut self, id: BrokerId) {
        self.brokers.remove(&id);
        self.timers.retain(|(b, _), _| *b != id);
        self.net
            .retain(|(from, to, _)| *from != Addr::Broker(id) && *to != Addr::Broker(id));
        self.held.retain(|(_, to, _)| *to != Addr::Broker(id));
        self.paused.remove(&id);
        if let Some(s) = self.zk.session_of(ConnId(id as u32)) {
            self.zk.disconnect(ConnId(id as u32));
            let outs = self.zk.expire_session(self.now, s);
            self.zk_out(outs);
        }
    }

    /// Starts a crashed broker again on its disk (what reached the page
    /// cache survives a kill -9).
    pub fn restart(&mut self, id: BrokerId) {
        self.storages[&id].borrow_mut().crash();
        self.boot(id);
    }

    /// Freezes broker `id` (a long GC pause): no messages, no timers.
    pub fn pause(&mut self, id: BrokerId) {
        self.paused.insert(id);
    }

    pub fn resume(&mut self, id: BrokerId) {
        self.paused.remove(&id);
        let held = std::mem::take(&mut self.held);
        for m in held {
            self.net.push_back(m);
        }
    }

    pub fn broker(&self, id: BrokerId) -> &Broker {
        &self.brokers[&id]
    }

    /// The leader of `tp` according to live brokers' partitions.
    pub fn leader(&self, tp: &TopicPartition) -> Option<BrokerId> {
        self.brokers
            .iter()
            .find(|(id, b)| b.partition(tp).is_some_and(|p| p.is_leader(**id)))
            .map(|(id, _)| *id)
    }

    /// FindCoordinator, retried while the coordinator is not available.
    pub fn find_coordinator(
        &mut self,
        via: BrokerId,
        key: &str,
        key_type: CoordinatorType,
    ) -> BrokerId {
        for _ in 0..200 {
            let r = self.call(
                via,
                Request::FindCoordinator {
                    key: key.into(),
                    key_type,
                },
            );
            match r {
                Response::FindCoordinator {
                    error: protocol::ErrorCode::None,
                    node_id,
                } => return node_id,
                Response::FindCoordinator { .. } => self.run_for(100),
                other => panic!("unexpected {other:?}"),
            }
        }
        panic!("no coordinator for {key}");
    }

    /// Creates a topic the way the admin client does in ZooKeeper mode.
    pub fn create_topic(&mut self, name: &str, replicas: &[Vec<BrokerId>]) {
        use controller::zk::ZkRequest;
        use controller::znodes::{notifications, paths, TopicAssignment};
        let assignment: BTreeMap<i32, Vec<i32>> = replicas
            .iter()
            .enumerate()
            .map(|(p, r)| (p as i32, r.clone()))
            .collect();
        let requests = [
            ZkRequest::Create {
                path: paths::topic_config(name),
                data: notifications::encode_entity_config(&[]),
                mode: controller::zk::CreateMode::Persistent,
            },
            ZkRequest::Create {
                path: paths::topic(name),
                data: TopicAssignment::from_replicas(None, &assignment).encode(),
                mode: controller::zk::CreateMode::Persistent,
            },
        ];
        // An admin connection of its own.
        let admin = ConnId(1000);
        let outs = self.zk.handle_message(
            self.now,
            admin,
            ZkMessage::Request {
                xid: 0,
                request: ZkRequest::Connect {
                    session_timeout_ms: 600_000,
                    session_id: None,
                },
            },
        );
        drop(outs);
        for (i, r) in requests.into_iter().enumerate() {
            let outs = self.zk.handle_message(
                self.now,
                admin,
                ZkMessage::Request {
                    xid: i as i32 + 1,
                    request: r,
                },
            );
            let outs = outs.into_iter().filter(|o| o.to != admin).collect();
            self.zk_out(outs);
        }
        self.run_for(1_000);
    }

    pub fn events_of(&self, kind: &str) -> Vec<&serde_json::Value> {
        self.events
            .iter()
            .filter(|(_, k, _)| *k == kind)
            .map(|(_, _, d)| d)
            .collect()
    }
}

pub fn records(values: &[&str], timestamp: i64) -> Vec<SimpleRecord> {
    values
        .iter()
        .map(|v| SimpleRecord {
            timestamp,
            key: None,
            value: Some(v.as_bytes().to_vec()),
            headers: vec![],
        })
        .collect()
}

/// A producer batch; `producer` = (id, epoch, base sequence, transactional).
pub fn batch(values: &[&str], timestamp: i64, producer: Option<(i64, i16, i32, bool)>) -> Bytes {
    let mut b = RecordBatch::from_simple(0, &records(values, timestamp));
    if let Some((pid, epoch, seq, txn)) = producer {
        b.producer_id = pid;
        b.producer_epoch = epoch;
        b.base_sequence = seq;
        b.is_transactional = txn;
    }
    Bytes::from(b.encode())
}

/// `input` as the broker worker decodes it from the router's message,
/// checked to be the same value.
fn through_the_wire(now: u64, input: Input) -> (u64, Input) {
    let sent = ToBroker::Handle { now, input };
    let bytes = wire::encode(&sent);
    match wire::decode::<ToBroker>(&bytes) {
        Ok(ToBroker::Handle { now, input }) => {
            let ToBroker::Handle {
                input: original, ..
            } = sent
            else {
                unreachable!()
            };
            assert_eq!(format!("{input:?}"), format!("{original:?}"));
            (now, input)
        }
        other => panic!("{sent:?} came back as {other:?}"),
    }
}

/// A broker's outputs as the router decodes them, checked to be the same.
fn outputs_through_the_wire(out: Vec<Output>) -> Vec<Output> {
    let sent = FromBroker::Outputs {
        outputs: out,
        notes: Vec::new(),
    };
    let bytes = wire::encode(&sent);
    match wire::decode::<FromBroker>(&bytes) {
        Ok(FromBroker::Outputs { outputs: back, .. }) => {
            let FromBroker::Outputs {
                outputs: original, ..
            } = sent
            else {
                unreachable!()
            };
            assert_eq!(format!("{back:?}"), format!("{original:?}"));
            back
        }
        other => panic!("{sent:?} came back as {other:?}"),
    }
}

pub fn produce(tp: &TopicPartition, records: Bytes, transactional_id: Option<&str>) -> Request {
    Request::Produce(ProduceRequest {
        acks: -1,
        timeout_ms: 30_000,
        transactional_id: transactional_id.map(str::to_string),
        partitions: vec![ProducePartition {
            tp: tp.clone(),
            records,
        }],
    })
}

pub fn fetch(tp: &TopicPartition, offset: i64, isolation_level: IsolationLevel) -> Request {
    Request::Fetch(FetchRequest {
        replica_id: -1,
        max_wait_ms: 0,
        min_bytes: 1,
        max_bytes: 1 << 20,
        isolation_level,
        partitions: vec![FetchPartition {
            tp: tp.clone(),
            fetch_offset: offset,
            current_leader_epoch: -1,
            log_start_offset: -1,
            max_bytes: 1 << 20,
        }],
    })
}

/// The values of the data records (control batches skipped) in a fetch
/// answer, with their offsets and the batch's producer id.
pub fn fetched_values(records: &[u8]) -> Vec<(i64, i64, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < records.len() {
        let (b, size) = RecordBatch::decode(&records[pos..]).unwrap();
        pos += size;
        if b.is_control {
            continue;
        }
        for r in &b.records {
            let v = String::from_utf8(r.value.clone().unwrap_or_default()).unwrap();
            out.push((b.base_offset + r.offset_delta as i64, b.producer_id, v));
        }
    }
    out
}

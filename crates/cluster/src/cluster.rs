//! A Kafka cluster in one simulator: brokers `0..N`, the `zk` node and the
//! scenario's clients, with the process lifecycle (crash, power-off,
//! restart, controlled shutdown), network faults by node, and the admin
//! tool's writes to ZooKeeper.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use broker::api::{BrokerId, TopicPartition};
use broker::query::{
    BrokerAnswer, BrokerQuery, BrokerStatus, GroupSummary, LogLayout, PartitionSummary, ReplicaView,
};
use broker::{Broker, BrokerConfig};
use controller::zk::{CreateMode, ZkRequest};
use controller::znodes::paths;
use log::{MemoryStorage, Shared};
use sim::{Event, NodeId, SimConfig, Simulator, Step};

use crate::host::{BrokerHost, BrokerHosts, Start};
use crate::invariants::HwWatch;
use crate::node::{apply_outputs, BrokerNode, ClusterNode, Topology, ZkNode};
use crate::producer::{Producer, ProducerConfig};

/// A process's life as the scenario sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Life {
    Up,
    /// `crash`: killed; the disk keeps what reached the page cache.
    Crashed,
    /// `power-off`: the disk keeps only what was flushed.
    PoweredOff,
    /// `shutdown`: exited cleanly after a controlled shutdown.
    Stopped,
}

/// How to build a cluster: the `cluster` command.
#[derive(Clone, Debug, Default)]
pub struct ClusterSpec {
    pub brokers: u32,
    pub seed: u64,
    pub racks: Option<Vec<String>>,
    /// Broker configs by Kafka's names, applied to every broker.
    pub configs: Vec<(String, String)>,
    pub tracing: bool,
}

/// A topic as the admin tool created it.
#[derive(Clone, Debug)]
pub struct TopicInfo {
    pub partitions: i32,
    pub config: Vec<(String, String)>,
}

pub struct Cluster {
    pub sim: Simulator<ClusterNode>,
    pub topo: Topology,
    pub(crate) configs: Vec<BrokerConfig>,
    /// Each broker's log directory: the one its process runs on when it
    /// runs here; for a broker in another process, what that process found
    /// when it started, then what it left when it ended (to show a replica
    /// it has not opened, or a broker that is down).
    pub(crate) storages: Vec<Shared<MemoryStorage>>,
    pub(crate) life: BTreeMap<NodeId, Life>,
    pub(crate) clients: BTreeMap<String, NodeId>,
    pub topics: BTreeMap<String, TopicInfo>,
    pub(crate) admin_rng: u64,
    /// Optional invariant watch, checked after every event (chaos search).
    pub hw_watch: Option<HwWatch>,
    /// Stop once the trace holds this many events (the UI's replay to a
    /// point in the past): `step` does nothing, `run_until` and `tick`
    /// return at once. See [`Cluster::halted`].
    pub halt_at: Option<u64>,
    /// The trace length at the last halt check that let the run go on:
    /// the events after it are the one step (a delivery, a timer, a
    /// command's own events) that crossed `halt_at`, which a replay cannot
    /// stop inside. See [`Cluster::halted_within`].
    halt_from: Cell<u64>,
    /// Where the brokers run when not in the simulator's thread.
    hosts: Option<Hosts>,
    /// The brokers run live ([`BrokerHosts::live`]): see [`Cluster::collect`].
    live: bool,
    /// Remote broker processes that failed (unreachable, or answered
    /// nonsense), in order, for the page to show.
    pub host_errors: RefCell<Vec<String>>,
    /// Send ids each live log held when last read (`invariants::lost`
    /// reads only what a log appended since).
    pub(crate) send_ids: RefCell<crate::invariants::SendIdCache>,
    /// The producers' acked records by partition, with those lost as of
    /// the last check (`invariants::lost` checks only what changed).
    pub(crate) acked_index: RefCell<crate::acked_index::AckedIndex>,
    /// The record inspector's passes over the trace, kept between
    /// updates (`Cluster::record_story`).
    pub(crate) stories: RefCell<crate::record_history::StoryCache>,
    /// Per-virtual-second samples for the page's rates and charts (the
    /// session turns it on; it only reads the cluster).
    pub sampler: Option<crate::sampler::Sampler>,
    /// Kafka's metrics and the ISR's history, kept as events happen
    /// (see [`crate::meters`]).
    pub(crate) meters: crate::meters::SharedMeters,
}

/// The brokers' hosts, shared by the runner (which builds clusters) and the
/// cluster (which restarts brokers).
pub type Hosts = Rc<RefCell<dyn BrokerHosts>>;

/// The playground's network setting on `cluster`: every message takes
/// exactly this many ms one way (unset: 1 to 3 ms, drawn per message).
pub const NETWORK_DELAY: &str = "kafkascope.network.delay.ms";

/// Trace events a live cluster keeps (about; see
/// `Simulator::set_trace_keep`).
pub const LIVE_TRACE_KEEP: usize = 20_000;

/// `kafkascope.network.delay.ms` from the cluster's settings, checked.
pub fn network_delay(configs: &[(String, String)]) -> Result<Option<u64>, String> {
    match configs.iter().rev().find(|(k, _)| k == NETWORK_DELAY) {
        None => Ok(None),
        Some((_, v)) => match v.parse::<u64>() {
            Ok(ms) if ms >= 1 => Ok(Some(ms)),
            _ => Err(format!(
                "{NETWORK_DELAY}={v} is not valid: expected an integer >= 1"
            )),
        },
    }
}

impl Cluster {
    /// Builds (does not start) the cluster. Config errors name the setting.
    pub fn new(spec: &ClusterSpec) -> Result<Cluster, String> {
        Cluster::with_hosts(spec, None)
    }

    /// Builds the cluster with its brokers started by `hosts` (each in its
    /// own process), or in the simulator's thread without.
    pub fn with_hosts(spec: &ClusterSpec, hosts: Option<Hosts>) -> Result<Cluster, String> {
        let topo = Topology {
            brokers: spec.brokers,
        };
        let mut sim_config = SimConfig {
            seed: spec.seed,
            tracing: spec.tracing,
            ..SimConfig::default()
        };
        let live = hosts.as_ref().is_some_and(|h| h.borrow().live());
        if let Some(ms) = network_delay(&spec.configs)? {
            sim_config.latency = (ms, ms);
        } else if live {
            // Live, a message takes what the real transport takes (a
            // postMessage between workers, tens of µs): no simulated
            // latency on top unless the cluster asks for one.
            sim_config.latency = (0, 0);
        }
        let mut sim = Simulator::with_config(sim_config);
        if live {
            // A live run goes on for as long as the page is open and at
            // the brokers' speed: messages are traced without their
            // (costly) detail, and only the newest events are kept.
            sim.set_trace_detail(false);
            sim.set_trace_keep(Some(LIVE_TRACE_KEEP));
        }
        let mut configs = Vec::new();
        let mut storages = Vec::new();
        for b in 0..spec.brokers as BrokerId {
            let mut c = BrokerConfig::new(b);
            for (k, v) in &spec.configs {
                if k != NETWORK_DELAY {
                    c.set(k, v)?;
                }
            }
            if let Some(racks) = &spec.racks {
                let rack = racks
                    .get(b as usize)
                    .ok_or_else(|| format!("racks= names no rack for broker {b}"))?;
                c.set("broker.rack", rack)?;
            }
            let mut storage = Shared::new(MemoryStorage::new());
            let node = match &hosts {
                None => BrokerNode::new(Broker::new(c.clone(), storage.clone()), topo),
                Some(h) => {
                    let spawned = h.borrow_mut().spawn(&c, Start::Fresh)?;
                    storage = Shared::new(spawned.found);
                    let mut n = BrokerNode::hosted(BrokerHost::Remote(spawned.process), b, topo);
                    n.live = live;
                    n
                }
            };
            let id = sim.add_node(b.to_string(), ClusterNode::Broker(Box::new(node)));
            debug_assert_eq!(id, topo.broker(b));
            configs.push(c);
            storages.push(storage);
        }
        let zk = sim.add_node("zk", ClusterNode::Zk(ZkNode::new(topo)));
        debug_assert_eq!(zk, topo.zk());
        let life = sim.node_ids().map(|id| (id, Life::Up)).collect();
        Ok(Cluster {
            sim,
            topo,
            configs,
            storages,
            life,
            clients: BTreeMap::new(),
            topics: BTreeMap::new(),
            admin_rng: spec.seed ^ 0x5ca1_ab1e,
            hw_watch: None,
            halt_at: None,
            halt_from: Cell::new(0),
            hosts,
            live,
            host_errors: RefCell::new(Vec::new()),
            send_ids: RefCell::default(),
            acked_index: RefCell::default(),
            stories: RefCell::default(),
            sampler: None,
            meters: RefCell::default(),
        })
    }

    /// Starts every process: ZooKeeper first, then the brokers.
    pub fn start(&mut self) {
        self.sim.start(self.topo.zk()).expect("zk not started yet");
        // Kafka's brokers create `ZkData.PersistentZkPaths` on startup
        // (`createTopLevelPaths`); this broker does not (yet), so the
        // ZooKeeper ensemble starts prepared, as after a first broker run
        // (harmless once brokers do it: they get NODEEXISTS and go on).
        // With their parents, as `makeSurePersistentPathExists` does.
        let mut all: Vec<String> = Vec::new();
        for path in paths::persistent_paths() {
            for (i, _) in path.match_indices('/').skip(1) {
                all.push(path[..i].to_string());
            }
            all.push(path);
        }
        let mut seen = std::collections::BTreeSet::new();
        all.retain(|p| seen.insert(p.clone()));
        let creates = all
            .into_iter()
            .map(|path| ZkRequest::Create {
                path,
                data: Vec::new(),
                mode: CreateMode::Persistent,
            })
            .collect();
        self.admin(creates).expect("zk is up");
        self.sim.start_all();
    }

    pub fn brokers(&self) -> u32 {
        self.topo.brokers
    }

    fn broker_node(&self, b: BrokerId) -> &BrokerNode {
        match self.sim.node(self.topo.broker(b)) {
            ClusterNode::Broker(n) => n,
            _ => unreachable!("broker ids map to broker nodes"),
        }
    }

    /// The broker when it runs in this thread (the simulator), else `None`.
    pub fn local_broker(&self, b: BrokerId) -> Option<&Broker> {
        self.broker_node(b).host.local()
    }

    /// Asks running broker `b` a question; `None` if it is down or its
    /// process cannot be reached (the reason is kept in `host_errors`).
    pub fn query(&self, b: BrokerId, query: &BrokerQuery) -> Option<BrokerAnswer> {
        if !self.broker_up(b) {
            return None;
        }
        let node = self.broker_node(b);
        if node.failed.is_some() {
            return None;
        }
        match node.host.query(query) {
            Ok(a) => Some(a),
            Err(e) => {
                self.host_errors
                    .borrow_mut()
                    .push(format!("broker {b}: {e}"));
                None
            }
        }
    }

    /// Broker `b`'s status, if it is up.
    pub fn broker_status(&self, b: BrokerId) -> Option<BrokerStatus> {
        match self.query(b, &BrokerQuery::Status)? {
            BrokerAnswer::Status(s) => Some(s),
            other => self.wrong_answer(b, "Status", other),
        }
    }

    /// Broker `b`'s replica of `tp`, if `b` is up and has one.
    pub fn broker_partition(&self, b: BrokerId, tp: &TopicPartition) -> Option<PartitionSummary> {
        match self.query(b, &BrokerQuery::Partition(tp.clone()))? {
            BrokerAnswer::Partition(p) => p,
            other => self.wrong_answer(b, "Partition", other),
        }
    }

    /// Broker `b`'s live replica of `tp` with its records.
    pub(crate) fn broker_replica(&self, b: BrokerId, tp: &TopicPartition) -> Option<ReplicaView> {
        match self.query(b, &BrokerQuery::Replica(tp.clone()))? {
            BrokerAnswer::Replica(r) => r,
            other => self.wrong_answer(b, "Replica", other),
        }
    }

    /// Broker `b`'s live layout of `tp`'s log.
    pub(crate) fn broker_layout(&self, b: BrokerId, tp: &TopicPartition) -> Option<LogLayout> {
        match self.query(b, &BrokerQuery::Layout(tp.clone()))? {
            BrokerAnswer::Layout(l) => l,
            other => self.wrong_answer(b, "Layout", other),
        }
    }

    /// Group `group` as broker `b`'s coordinator has it, if it owns and has
    /// loaded the group's `__consumer_offsets` partition.
    pub(crate) fn broker_group(&self, b: BrokerId, group: &str) -> Option<GroupSummary> {
        let partition = coordinator::partition_for(
            group,
            self.configs[b as usize].offsets_topic_num_partitions,
        );
        let query = BrokerQuery::Group {
            group: group.to_string(),
            partition,
        };
        match self.query(b, &query)? {
            BrokerAnswer::Group(g) => g,
            other => self.wrong_answer(b, "Group", other),
        }
    }

    pub(crate) fn wrong_answer<T>(&self, b: BrokerId, asked: &str, got: BrokerAnswer) -> Option<T> {
        self.host_errors.borrow_mut().push(format!(
            "broker {b}: asked {asked}, got an answer of another kind: {got:?}"
        ));
        None
    }

    pub fn storage(&self, b: BrokerId) -> &Shared<MemoryStorage> {
        &self.storages[b as usize]
    }

    pub fn broker_config(&self, b: BrokerId) -> &BrokerConfig {
        &self.configs[b as usize]
    }

    pub fn life(&self, id: NodeId) -> Life {
        self.life[&id]
    }

    pub fn broker_up(&self, b: BrokerId) -> bool {
        self.life(self.topo.broker(b)) == Life::Up
    }

    pub fn zk(&self) -> &controller::zk::ZkServer {
        match self.sim.node(self.topo.zk()) {
            ClusterNode::Zk(z) => &z.server,
            _ => unreachable!("zk id maps to the zk node"),
        }
    }

    pub fn client_id(&self, name: &str) -> Option<NodeId> {
        self.clients.get(name).copied()
    }

    pub fn producer(&self, name: &str) -> Option<&Producer> {
        match self.sim.node(self.client_id(name)?) {
            ClusterNode::Producer(p) => Some(p),
            _ => None,
        }
    }

    pub fn producers(&self) -> impl Iterator<Item = &Producer> {
        self.clients
            .values()
            .filter_map(|id| match self.sim.node(*id) {
                ClusterNode::Producer(p) => Some(p.as_ref()),
                _ => None,
            })
    }

    pub(crate) fn next_admin_random(&mut self) -> u64 {
        self.admin_rng = self.admin_rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.admin_rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    // ---- clients ----

    /// Adds and starts a producer named `name`.
    pub fn add_producer(&mut self, name: &str, config: ProducerConfig) -> NodeId {
        let n = self.clients.len() as u32;
        let p = Producer::new(name, n, config, self.topo, self.sim.seed());
        let id = self.sim.add_node(name, ClusterNode::Producer(Box::new(p)));
        debug_assert_eq!(id, self.topo.client(n));
        self.clients.insert(name.to_string(), id);
        self.life.insert(id, Life::Up);
        self.sim.start(id).expect("new node");
        for b in 0..self.topo.brokers as BrokerId {
            if matches!(
                self.life(self.topo.broker(b)),
                Life::Crashed | Life::Stopped
            ) {
                self.with_producer(name, |p, now, out| p.on_disconnect(now, b, out));
            }
        }
        id
    }

    /// Runs `f` on an up producer with its outputs going to the network.
    pub fn with_producer<R>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut Producer, u64, &mut Vec<broker::Output>) -> R,
    ) -> Option<R> {
        let id = self.client_id(name)?;
        let now = self.sim.now();
        let topo = self.topo;
        self.sim
            .invoke(id, |node, out| match node {
                ClusterNode::Producer(p) => {
                    let mut buf = Vec::new();
                    let r = f(p, now, &mut buf);
                    apply_outputs(topo, &mut buf, out);
                    Some(r)
                }
                _ => None,
            })
            .ok()
            .flatten()
    }

    // ---- driving ----

    /// One event, with the cluster's bookkeeping after it. Live, the
    /// brokers' outputs are in first ([`Cluster::settle`]).
    pub fn step(&mut self) -> Option<Step> {
        self.settle();
        self.step_now()
    }

    /// The next event as it is, without waiting for live brokers.
    fn step_now(&mut self) -> Option<Step> {
        if self.halted() {
            return None;
        }
        // Events a command recorded since the last step are dated first.
        self.catch_up_meters();
        if let Some(t) = self.sim.next_event_time() {
            // A sample taken now shows from the next event on.
            self.sample_before(t, self.sim.trace_len() + 1);
        }
        let step = self.sim.step()?;
        self.catch_up_meters();
        let node = match step.event {
            Event::Delivered(info) => Some(info.to),
            Event::Timer { node, .. } => Some(node),
            Event::Dropped(..) => None,
        };
        if let Some(id) = node {
            self.after_event(id);
        }
        Some(step)
    }

    /// Takes the per-second samples due before time `t` (see
    /// [`crate::sampler::Sampler::due`]); their rates date from event `at`.
    fn sample_before(&mut self, t: u64, at: u64) {
        if self.sampler.as_ref().is_some_and(|s| s.due(t)) {
            if let Some(mut s) = self.sampler.take() {
                s.sample(self, t);
                self.sampler = Some(s);
                self.note_sampled(at);
            }
        }
    }

    fn after_event(&mut self, id: NodeId) {
        if let ClusterNode::Broker(b) = self.sim.node_mut(id) {
            if let BrokerHost::Remote(r) = &mut b.host {
                let broker = b.id;
                let notes = r.take_notes();
                self.host_errors
                    .borrow_mut()
                    .extend(notes.into_iter().map(|n| format!("broker {broker}: {n}")));
            }
        }
        let ClusterNode::Broker(b) = self.sim.node(id) else {
            return;
        };
        if let Some(e) = b.failed.clone() {
            if self.life(id) == Life::Up {
                // The process is unreachable: as good as killed.
                let broker = b.id;
                self.host_errors
                    .borrow_mut()
                    .push(format!("broker {broker}: {e}"));
                self.sim.crash(id).expect("an up node");
                self.life.insert(id, Life::Crashed);
                self.zk_disconnect(id);
                self.disconnect_clients(broker);
            }
            return;
        }
        if b.stopped && self.life(id) == Life::Up {
            // The controlled shutdown finished: the process exits.
            let broker = b.id;
            self.end_remote(broker, false);
            self.sim.crash(id).expect("an up node");
            self.life.insert(id, Life::Stopped);
            self.zk_disconnect(id);
            self.disconnect_clients(broker);
            return;
        }
        let now = self.sim.now();
        let Some(watch) = &mut self.hw_watch else {
            return;
        };
        let Some(local) = b.host.local() else {
            // The watch reads brokers directly after every event: only
            // for brokers in this thread (the simulator's fault search).
            return;
        };
        watch.observe(local, now);
        if watch.divergence_due(now) {
            // Reading every replica's log is costly: every
            // `DIVERGENCE_CHECK_MS` of virtual time, not every event.
            let found: Vec<String> = self
                .all_partitions()
                .iter()
                .filter_map(|tp| crate::invariants::divergence_below_hw(self, tp))
                .map(|v| format!("t={now}: {v}"))
                .collect();
            if let Some(w) = &mut self.hw_watch {
                w.violations.extend(found);
            }
        }
    }

    /// Steps until `pred` holds or `timeout_ms` of virtual time pass. On
    /// timeout the clock is at the deadline with everything due delivered.
    pub fn run_until(&mut self, timeout_ms: u64, mut pred: impl FnMut(&Cluster) -> bool) -> bool {
        let deadline = self.sim.now().saturating_add(timeout_ms);
        loop {
            if self.halted() {
                return true;
            }
            if pred(self) {
                return true;
            }
            self.settle();
            match self.sim.next_event_time() {
                Some(t) if t <= deadline => {
                    self.step_now();
                }
                _ => {
                    self.sim.advance_to(deadline);
                    self.sample_before(deadline + 1, self.sim.trace_len());
                    return pred(self);
                }
            }
        }
    }

    /// Delivers everything due in the next `ms`.
    pub fn tick(&mut self, ms: u64) {
        let deadline = self.sim.now().saturating_add(ms);
        while {
            self.settle();
            self.sim.next_event_time().is_some_and(|t| t <= deadline)
        } {
            if self.step_now().is_none() {
                return;
            }
        }
        self.sim.advance_to(deadline);
        self.sample_before(deadline + 1, self.sim.trace_len());
    }

    // ---- live brokers ----

    /// Do the brokers run live (see [`Cluster::collect`])?
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// Live broker inputs posted whose outputs were not applied yet.
    pub fn pending_inputs(&self) -> usize {
        (0..self.topo.brokers as BrokerId)
            .map(|b| self.broker_node(b).host.pending())
            .sum()
    }

    /// Live: applies the outputs of every broker input that is complete,
    /// now, without waiting; returns how many inputs' outputs were
    /// applied. A broker's outputs are applied in the order its inputs
    /// were posted, as that broker's sends at the current time, so the
    /// network's rules in force now (partition, hold, drop, delay) apply.
    pub fn collect(&mut self) -> usize {
        (0..self.topo.brokers as BrokerId)
            .map(|b| self.collect_from(b, false))
            .sum()
    }

    /// Applies broker `b`'s completed outputs (waiting for at least one
    /// with `wait`); a process that fails is treated as crashed.
    fn collect_from(&mut self, b: BrokerId, wait: bool) -> usize {
        let id = self.topo.broker(b);
        if !self.live || self.life(id) != Life::Up {
            return 0;
        }
        let ClusterNode::Broker(n) = self.sim.node_mut(id) else {
            return 0;
        };
        if n.failed.is_some() {
            return 0;
        }
        let Some(r) = n.host.remote() else {
            return 0;
        };
        if r.pending() == 0 {
            return 0;
        }
        let done = if wait { r.wait() } else { r.poll() };
        let count = match done {
            Ok(done) if done.is_empty() => return 0,
            Ok(done) => {
                let count = done.len();
                let _ = self.sim.invoke(id, |node, out| {
                    if let ClusterNode::Broker(n) = node {
                        n.apply_completed(done, out);
                    }
                });
                count
            }
            Err(e) => {
                n.failed = Some(e);
                0
            }
        };
        self.after_event(id);
        count
    }

    /// Live, before the clock moves past `now`: every broker input posted
    /// so far has its outputs applied (waiting for them). Events due now
    /// go first, so the inputs of one millisecond run in the brokers at
    /// the same time. A console command (`tick`, `run until`, `flush`)
    /// thus runs in virtual time as fast as the brokers answer; between
    /// commands [`Cluster::advance_live`] follows the real clock.
    pub fn settle(&mut self) {
        if !self.live {
            return;
        }
        loop {
            self.collect();
            if self.sim.next_event_time() == Some(self.sim.now()) {
                return;
            }
            let Some(b) = (0..self.topo.brokers as BrokerId).find(|&b| {
                let id = self.topo.broker(b);
                self.life(id) == Life::Up
                    && matches!(self.sim.node(id), ClusterNode::Broker(n)
                        if n.failed.is_none() && n.host.pending() > 0)
            }) else {
                return;
            };
            self.collect_from(b, true);
        }
    }

    /// Live: takes what the brokers finished and every event due up to
    /// `to`, never waiting for a broker, then sets the clock to `to` (the
    /// real clock's time, for the engine). Stops after `budget` events
    /// (returning false) so the caller can let messages in.
    pub fn advance_live(&mut self, to: u64, budget: u64) -> bool {
        let mut steps = 0;
        loop {
            if self.halted() {
                return true;
            }
            self.collect();
            match self.sim.next_event_time() {
                Some(t) if t <= to => {
                    if steps >= budget {
                        return false;
                    }
                    self.step_now();
                    steps += 1;
                }
                _ => break,
            }
        }
        if to > self.sim.now() {
            self.sim.advance_to(to);
            self.sample_before(to + 1, self.sim.trace_len());
        }
        true
    }

    /// The replay limit ([`Cluster::halt_at`]) is reached. Called before
    /// every step and between commands, so a replay stops at the first
    /// step boundary at or after the limit.
    pub fn halted(&self) -> bool {
        let Some(n) = self.halt_at else {
            return false;
        };
        let len = self.sim.trace_len();
        if len < n {
            self.halt_from.set(len);
        }
        len >= n
    }

    /// Once halted: the first and last event of the step that crossed the
    /// limit (events of one step happen at once, as one request is handled
    /// by Kafka at once), so the page can say where a replay landed.
    pub fn halted_within(&self) -> Option<(u64, u64)> {
        if !self.halted() {
            return None;
        }
        let last = self.sim.trace_len();
        Some(((self.halt_from.get() + 1).min(last), last))
    }

    // ---- lifecycle ----

    fn zk_disconnect(&mut self, id: NodeId) {
        let zk = self.topo.zk();
        if self.sim.is_up(zk) {
            let _ = self.sim.invoke(zk, |node, _| {
                if let ClusterNode::Zk(z) = node {
                    z.server.disconnect(controller::zk::ConnId(id.0));
                }
            });
        }
    }

    /// A broker process died: its clients' connections to it close.
    fn disconnect_clients(&mut self, broker: BrokerId) {
        let names: Vec<String> = self.clients.keys().cloned().collect();
        for name in names {
            if self.life(self.clients[&name]) == Life::Up {
                self.with_producer(&name, |p, now, out| p.on_disconnect(now, broker, out));
            }
        }
    }

    fn node_of(&self, name: &str) -> Result<NodeId, String> {
        if name == "zk" {
            return Ok(self.topo.zk());
        }
        if let Ok(b) = name.parse::<BrokerId>() {
            if b >= 0 && (b as u32) < self.topo.brokers {
                return Ok(self.topo.broker(b));
            }
            return Err(format!("there is no broker {b}"));
        }
        self.client_id(name)
            .ok_or_else(|| format!("there is no client {name}"))
    }

    /// `crash NODE` (kill -9) or, with `power_off`, `power-off NODE`.
    pub fn crash(&mut self, name: &str, power_off: bool) -> Result<(), String> {
        let id = self.node_of(name)?;
        if self.life(id) != Life::Up {
            return Err(format!("{name} is not running"));
        }
        self.sim.crash(id).map_err(|e| e.to_string())?;
        self.life.insert(
            id,
            if power_off {
                Life::PoweredOff
            } else {
                Life::Crashed
            },
        );
        if let Some(b) = self.broker_of(id) {
            self.end_remote(b, power_off);
            let storage = &self.storages[b as usize];
            if power_off {
                storage.borrow_mut().power_off();
            } else {
                storage.borrow_mut().crash();
                // kill -9 closes the process's sockets at once (the OS
                // does): ZooKeeper and clients see the connection drop.
                // After a power-off nobody hears anything until timeouts.
                self.zk_disconnect(id);
                self.disconnect_clients(b);
            }
        }
        Ok(())
    }

    /// Ends broker `b`'s process if it runs elsewhere, keeping what its
    /// disk now holds to look at while it is down.
    fn end_remote(&mut self, b: BrokerId, power_off: bool) {
        let ClusterNode::Broker(n) = self.sim.node_mut(self.topo.broker(b)) else {
            return;
        };
        let BrokerHost::Remote(r) = &mut n.host else {
            return;
        };
        match r.kill(power_off) {
            Ok(disk) => self.storages[b as usize] = Shared::new(disk),
            Err(e) => self
                .host_errors
                .borrow_mut()
                .push(format!("broker {b}: {e}")),
        }
    }

    fn broker_of(&self, id: NodeId) -> Option<BrokerId> {
        (id.0 < self.topo.brokers).then_some(id.0 as BrokerId)
    }

    /// `restart NODE`: a broker is a new process over its disk; a client is
    /// the same application started again; ZooKeeper keeps its tree and
    /// sessions (documented limitation: their timeouts are not reset).
    pub fn restart(&mut self, name: &str) -> Result<(), String> {
        let id = self.node_of(name)?;
        if self.life(id) == Life::Up {
            return Err(format!("{name} is already running"));
        }
        if let Some(b) = self.broker_of(id) {
            if let Some(w) = &mut self.hw_watch {
                w.forget(b);
            }
            if let Some(s) = &mut self.sampler {
                s.restarted(b);
            }
            let config = &self.configs[b as usize];
            let host = match &self.hosts {
                None => BrokerHost::Local(Broker::new(
                    config.clone(),
                    self.storages[b as usize].clone(),
                )),
                Some(h) => {
                    let start = if self.life(id) == Life::PoweredOff {
                        Start::AfterPowerLoss
                    } else {
                        Start::AfterCrash
                    };
                    let spawned = h.borrow_mut().spawn(config, start)?;
                    // Until it opens a log, the broker's replica is what
                    // its disk recovers: the disk this process found,
                    // not the one the last process handed back (a store
                    // damaged in between gives back less).
                    self.storages[b as usize] = Shared::new(spawned.found);
                    BrokerHost::Remote(spawned.process)
                }
            };
            let mut node = BrokerNode::hosted(host, b, self.topo);
            node.live = self.live && node.host.local().is_none();
            self.sim
                .restart_with(id, ClusterNode::Broker(Box::new(node)))
                .map_err(|e| e.to_string())?;
            for name in self.clients.keys().cloned().collect::<Vec<_>>() {
                if let ClusterNode::Producer(p) = self.sim.node_mut(self.clients[&name]) {
                    p.on_broker_started(b);
                }
            }
        } else {
            let seed = self.sim.seed();
            if let ClusterNode::Producer(p) = self.sim.node_mut(id) {
                p.reset_process(seed);
            }
            self.reset_consumer_process(id);
            self.sim.restart(id).map_err(|e| e.to_string())?;
        }
        self.life.insert(id, Life::Up);
        Ok(())
    }

    /// `shutdown NODE`: a broker's controlled shutdown (the run goes on
    /// until it exits, at most `timeout_ms`); a client closes.
    pub fn shutdown(&mut self, name: &str, timeout_ms: u64) -> Result<(), String> {
        let id = self.node_of(name)?;
        if self.life(id) != Life::Up {
            return Err(format!("{name} is not running"));
        }
        let Some(b) = self.broker_of(id) else {
            if id == self.topo.zk() {
                return Err("shutdown zk is not supported (ZooKeeper has no controlled shutdown); use crash zk".into());
            }
            self.sim.crash(id).map_err(|e| e.to_string())?;
            self.life.insert(id, Life::Stopped);
            return Ok(());
        };
        let now = self.sim.now();
        self.sim
            .invoke(id, |node, out| {
                if let ClusterNode::Broker(n) = node {
                    n.run(now, broker::Input::ControlledShutdown, out);
                }
            })
            .map_err(|e| e.to_string())?;
        self.after_event(id);
        if self.run_until(timeout_ms, |c| c.life(id) != Life::Up) {
            Ok(())
        } else {
            Err(format!(
                "broker {b} did not finish its controlled shutdown within {timeout_ms} ms"
            ))
        }
    }

    // ---- network ----

    pub fn partition(&mut self, groups: &[Vec<String>]) -> Result<(), String> {
        let mut ids = Vec::new();
        for g in groups {
            ids.push(
                g.iter()
                    .map(|n| self.node_of(n))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        self.sim.partition(&ids);
        Ok(())
    }

    pub fn link(&self, from: &str, to: &str) -> Result<(NodeId, NodeId), String> {
        Ok((self.node_of(from)?, self.node_of(to)?))
    }
}

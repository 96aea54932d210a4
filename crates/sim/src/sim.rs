//! The simulator: nodes, one event queue, the network and the trace, driven
//! one event at a time on one thread.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use crate::network::Network;
use crate::node::{Input, Message, Node, NodeId, Outputs, TimerToken};
use crate::queue::{Entry, EventQueue, InFlight};
use crate::rng::SimRng;
use crate::rules::ApiFilter;
use crate::trace::{self, DropReason, FaultChange, TraceEvent, TraceKind, Tracer};

/// How a run is set up. Everything about a run follows from this and the
/// sequence of calls made on the simulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    pub seed: u64,
    /// One-way latency bounds in ms, inclusive; drawn per message.
    pub latency: (u64, u64),
    /// Store trace events (numbering and `trace_hash` run regardless).
    pub tracing: bool,
    /// `run_until` gives up after this many events in one call, so a node
    /// that re-arms a timer at `now` forever cannot hang a browser tab.
    pub event_budget: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 0,
            latency: crate::network::DEFAULT_LATENCY,
            tracing: false,
            event_budget: 100_000_000,
        }
    }
}

/// A node's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeState {
    /// Registered, `start` not called yet. Messages to it are dropped.
    NotStarted,
    Up,
    /// Killed; state kept for inspection or replacement until `restart`.
    Crashed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    UnknownNode(NodeId),
    /// The operation needs a node in a different state.
    WrongState {
        node: NodeId,
        state: NodeState,
        needed: NodeState,
    },
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::UnknownNode(id) => write!(f, "unknown node {id}"),
            SimError::WrongState {
                node,
                state,
                needed,
            } => write!(f, "node {node} is {state:?}, needs to be {needed:?}"),
        }
    }
}

impl std::error::Error for SimError {}

/// A message as the driver sees it (no payload).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsgInfo {
    pub from: NodeId,
    pub to: NodeId,
    /// Unique per run, in send order; stable across hold/release.
    pub id: u64,
    pub api: &'static str,
}

/// What one `step` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Delivered(MsgInfo),
    Dropped(MsgInfo, DropReason),
    Timer { node: NodeId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub time: u64,
    pub event: Event,
}

/// Why `run_until` stopped without its predicate holding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunError {
    /// Virtual time reached the deadline `at`.
    Timeout { at: u64, steps: u64 },
    /// `SimConfig::event_budget` events in one call (a livelock, usually).
    EventBudget { at: u64, steps: u64 },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Timeout { at, steps } => {
                write!(f, "timed out at t={at} ms after {steps} events")
            }
            RunError::EventBudget { at, steps } => {
                write!(
                    f,
                    "gave up at t={at} ms after {steps} events (event budget)"
                )
            }
        }
    }
}

impl std::error::Error for RunError {}

/// How far a successful `run_until` went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunReport {
    pub time: u64,
    pub steps: u64,
}

/// Counters since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub sent: u64,
    pub delivered: u64,
    /// Dropped on arrival (partition, drop rule, receiver down). Messages
    /// dropped by a crash are counted by `Simulator::crash_drops`.
    pub dropped: u64,
    /// Held when sent (a hold rule matched).
    pub held: u64,
    pub released: u64,
    pub timers_fired: u64,
}

impl Stats {
    /// Events taken off the queue: deliveries, drops on arrival, timer
    /// fires. The unit of the events/s benchmark.
    pub fn steps(&self) -> u64 {
        self.delivered + self.timers_fired + self.dropped
    }
}

/// FxHash: the timer tables are hit on every set/cancel/fire, and `std`'s
/// SipHash is slow for u64 keys. Iteration order never reaches the trace.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Clone, Copy, Debug)]
struct ArmedTimer {
    slot: u32,
    at: u64,
    background: bool,
}

type TimerTable = HashMap<TimerToken, ArmedTimer, BuildHasherDefault<FxHasher>>;

pub(crate) struct NodeMeta {
    name: String,
    state: NodeState,
    timers: TimerTable,
    pub(crate) rng: SimRng,
}

/// Everything but the nodes themselves, so a node can be borrowed mutably
/// while its `Outputs` writes into the rest.
pub(crate) struct Core<M> {
    pub(crate) now: u64,
    seed: u64,
    queue: EventQueue<M>,
    net: Network<M>,
    pub(crate) meta: Vec<NodeMeta>,
    pub(crate) tracer: Tracer,
    next_msg_id: u64,
    in_flight: usize,
    stats: Stats,
    crash_drops: u64,
    event_budget: u64,
}

impl<M: Message> Core<M> {
    pub(crate) fn send(&mut self, from: NodeId, to: NodeId, msg: M) {
        assert!(
            to.index() < self.meta.len(),
            "node {from} sent to unknown node {to}"
        );
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        self.stats.sent += 1;
        let detail = if self.tracer.enabled() {
            msg.detail()
        } else {
            serde_json::Value::Null
        };
        let link = self.net.link_mut(from, to);
        if link.rules.holds(msg.api()) {
            let api = msg.api();
            link.held.push_back(InFlight { from, to, id, msg });
            self.stats.held += 1;
            let kind = TraceKind::Held {
                from,
                to,
                id,
                api,
                detail,
            };
            self.tracer.record(self.now, kind);
            return;
        }
        let arrive = self.net.schedule_send(self.now, from, to);
        self.tracer.record(
            self.now,
            TraceKind::Sent {
                from,
                to,
                id,
                api: msg.api(),
                arrive,
                detail,
            },
        );
        self.queue
            .push(arrive, Entry::Message(InFlight { from, to, id, msg }));
        self.in_flight += 1;
    }

    pub(crate) fn set_timer(&mut self, node: NodeId, token: TimerToken, at: u64, background: bool) {
        let at = at.max(self.now);
        let slot = self.queue.push(at, Entry::Timer { node, token });
        let armed = ArmedTimer {
            slot,
            at,
            background,
        };
        if let Some(old) = self.meta[node.index()].timers.insert(token, armed) {
            self.queue.cancel(old.slot);
        }
    }

    pub(crate) fn cancel_timer(&mut self, node: NodeId, token: TimerToken) -> bool {
        match self.meta[node.index()].timers.remove(&token) {
            Some(old) => {
                self.queue.cancel(old.slot);
                true
            }
            None => false,
        }
    }

    pub(crate) fn timer_due(&self, node: NodeId, token: TimerToken) -> Option<u64> {
        self.meta[node.index()].timers.get(&token).map(|t| t.at)
    }

    pub(crate) fn node_event(
        &mut self,
        node: NodeId,
        kind: std::borrow::Cow<'static, str>,
        detail: impl FnOnce() -> serde_json::Value,
    ) {
        let detail = if self.tracer.enabled() {
            detail()
        } else {
            serde_json::Value::Null
        };
        self.tracer
            .record(self.now, TraceKind::Node { node, kind, detail });
    }

    fn drop_msg(&mut self, m: &InFlight<M>, reason: DropReason) {
        self.tracer.record(
            self.now,
            TraceKind::Dropped {
                from: m.from,
                to: m.to,
                id: m.id,
                api: m.msg.api(),
                reason,
            },
        );
    }

    /// Put held messages on the wire, in their order, as if sent now.
    fn release_held(&mut self, from: NodeId, to: NodeId, msgs: Vec<InFlight<M>>) {
        for m in msgs {
            let at = self.net.schedule_send(self.now, from, to);
            self.tracer.record(
                self.now,
                TraceKind::Released {
                    from,
                    to,
                    id: m.id,
                    api: m.msg.api(),
                    arrive: at,
                },
            );
            self.queue.push(at, Entry::Message(m));
            self.in_flight += 1;
            self.stats.released += 1;
        }
    }
}

/// A deterministic discrete-event simulator of nodes exchanging messages of
/// type `N::Msg` over a faulty network. See the crate docs for an example.
pub struct Simulator<N: Node> {
    nodes: Vec<N>,
    core: Core<N::Msg>,
}

impl<N: Node> Simulator<N> {
    /// A simulator with default latency (1–3 ms) and tracing off.
    pub fn new(seed: u64) -> Self {
        Self::with_config(SimConfig {
            seed,
            ..SimConfig::default()
        })
    }

    pub fn with_config(config: SimConfig) -> Self {
        let mut net = Network::new(config.seed);
        net.set_latency(config.latency.0, config.latency.1);
        Simulator {
            nodes: Vec::new(),
            core: Core {
                now: 0,
                seed: config.seed,
                queue: EventQueue::new(),
                net,
                meta: Vec::new(),
                tracer: Tracer::new(config.tracing),
                next_msg_id: 0,
                in_flight: 0,
                stats: Stats::default(),
                crash_drops: 0,
                event_budget: config.event_budget,
            },
        }
    }

    pub fn seed(&self) -> u64 {
        self.core.seed
    }

    // ----- nodes -----

    /// Register a node (not started: call `start` or `start_all`). Ids are
    /// handed out densely from 0 in registration order.
    pub fn add_node(&mut self, name: impl Into<String>, node: N) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(node);
        self.core.meta.push(NodeMeta {
            name: name.into(),
            state: NodeState::NotStarted,
            timers: TimerTable::default(),
            rng: SimRng::new(self.core.seed, id.0 as u64 + 1),
        });
        self.core.net.add_node();
        id
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// The node's state machine, for inspection (predicates, the UI).
    pub fn node(&self, id: NodeId) -> &N {
        &self.nodes[id.index()]
    }

    /// Mutable access *without* running the node: changes made here send
    /// nothing. To make a node act (and send), use `invoke`.
    pub fn node_mut(&mut self, id: NodeId) -> &mut N {
        &mut self.nodes[id.index()]
    }

    pub fn name(&self, id: NodeId) -> &str {
        &self.core.meta[id.index()].name
    }

    pub fn names(&self) -> Vec<String> {
        self.core.meta.iter().map(|m| m.name.clone()).collect()
    }

    pub fn id_of(&self, name: &str) -> Option<NodeId> {
        self.core
            .meta
            .iter()
            .position(|m| m.name == name)
            .map(|i| NodeId(i as u32))
    }

    pub fn state(&self, id: NodeId) -> NodeState {
        self.core.meta[id.index()].state
    }

    pub fn is_up(&self, id: NodeId) -> bool {
        self.state(id) == NodeState::Up
    }

    fn check(&self, id: NodeId, needed: NodeState) -> Result<(), SimError> {
        let meta = self
            .core
            .meta
            .get(id.index())
            .ok_or(SimError::UnknownNode(id))?;
        if meta.state != needed {
            return Err(SimError::WrongState {
                node: id,
                state: meta.state,
                needed,
            });
        }
        Ok(())
    }

    fn run_node(&mut self, id: NodeId, input: Input<N::Msg>) {
        let now = self.core.now;
        let mut out = Outputs {
            core: &mut self.core,
            me: id,
        };
        self.nodes[id.index()].handle(now, input, &mut out);
    }

    /// First start: the node gets `Input::Start` right away, at `now`.
    pub fn start(&mut self, id: NodeId) -> Result<(), SimError> {
        self.check(id, NodeState::NotStarted)?;
        self.core.meta[id.index()].state = NodeState::Up;
        self.core
            .tracer
            .record(self.core.now, TraceKind::Started { node: id });
        self.run_node(id, Input::Start);
        Ok(())
    }

    /// Start every node not started yet, in id order.
    pub fn start_all(&mut self) {
        for id in self.node_ids().collect::<Vec<_>>() {
            if self.state(id) == NodeState::NotStarted {
                self.start(id).expect("checked not started");
            }
        }
    }

    /// Kill a node (kill -9): its timers vanish, and every message queued to
    /// it — in flight or held — is dropped (traced, reason `crashed`).
    /// Messages it already sent stay on the wire. Its state is kept as is
    /// for the caller to inspect or replace before `restart`.
    pub fn crash(&mut self, id: NodeId) -> Result<(), SimError> {
        self.check(id, NodeState::Up)?;
        let core = &mut self.core;
        core.meta[id.index()].state = NodeState::Crashed;
        core.tracer
            .record(core.now, TraceKind::Crashed { node: id });
        for (_, armed) in core.meta[id.index()].timers.drain() {
            core.queue.cancel(armed.slot);
        }
        for from in 0..core.meta.len() as u32 {
            let held = std::mem::take(&mut core.net.link_mut(NodeId(from), id).held);
            for m in held {
                core.drop_msg(&m, DropReason::Crashed);
                core.crash_drops += 1;
            }
        }
        for key in core.queue.live_messages_where(|m| m.to == id) {
            if let Entry::Message(m) = core.queue.cancel(key.slot) {
                core.drop_msg(&m, DropReason::Crashed);
                core.in_flight -= 1;
                core.crash_drops += 1;
            }
        }
        Ok(())
    }

    /// Bring a crashed node back with its current state; it gets
    /// `Input::Restart` right away.
    pub fn restart(&mut self, id: NodeId) -> Result<(), SimError> {
        self.check(id, NodeState::Crashed)?;
        self.core.meta[id.index()].state = NodeState::Up;
        self.core
            .tracer
            .record(self.core.now, TraceKind::Restarted { node: id });
        self.run_node(id, Input::Restart);
        Ok(())
    }

    /// Restart a crashed node with new state (e.g. rebuilt from what it had
    /// persisted).
    pub fn restart_with(&mut self, id: NodeId, node: N) -> Result<(), SimError> {
        self.check(id, NodeState::Crashed)?;
        self.nodes[id.index()] = node;
        self.restart(id)
    }

    /// Swap a node's state, returning the old one. Runs nothing.
    pub fn replace_node(&mut self, id: NodeId, node: N) -> N {
        std::mem::replace(&mut self.nodes[id.index()], node)
    }

    /// Run `f` on an up node with its `Outputs`, so it can act on an outside
    /// command (a client application calling `send`, ...) at `now`. What it
    /// sends and sets takes effect as from `handle`.
    pub fn invoke<R>(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&mut N, &mut Outputs<'_, N::Msg>) -> R,
    ) -> Result<R, SimError> {
        self.check(id, NodeState::Up)?;
        let mut out = Outputs {
            core: &mut self.core,
            me: id,
        };
        Ok(f(&mut self.nodes[id.index()], &mut out))
    }

    /// Armed timers of a node: `(token, due, background)`, by due time.
    pub fn timers(&self, id: NodeId) -> Vec<(TimerToken, u64, bool)> {
        let mut v: Vec<_> = self.core.meta[id.index()]
            .timers
            .iter()
            .map(|(&token, t)| (token, t.at, t.background))
            .collect();
        v.sort_by_key(|&(token, at, _)| (at, token));
        v
    }

    // ----- network faults -----

    fn assert_node(&self, id: NodeId) {
        assert!(id.index() < self.nodes.len(), "unknown node {id}");
    }

    fn fault(&mut self, change: FaultChange) {
        self.core
            .tracer
            .record(self.core.now, TraceKind::Fault(change));
    }

    /// Set the one-way latency bounds (ms, inclusive) for messages sent from
    /// now on.
    pub fn set_latency(&mut self, min: u64, max: u64) {
        self.core.net.set_latency(min, max);
        self.fault(FaultChange::Latency { min, max });
    }

    pub fn latency(&self) -> (u64, u64) {
        self.core.net.latency()
    }

    /// Cut every link between the groups (both ways). Nodes in no group keep
    /// all their links. Adds to earlier partitions; `heal` undoes them all.
    /// A message arriving on a cut link is dropped, including one sent
    /// before the cut.
    pub fn partition<G: AsRef<[NodeId]>>(&mut self, groups: &[G]) {
        let groups: Vec<Vec<NodeId>> = groups.iter().map(|g| g.as_ref().to_vec()).collect();
        for id in groups.iter().flatten() {
            self.assert_node(*id);
        }
        self.core.net.partition(&groups);
        self.fault(FaultChange::Partition { groups });
    }

    /// Is `from -> to` cut by a partition?
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.core.net.link(from, to).cut
    }

    /// Undo every partition, hold, drop and delay rule; held messages are
    /// released (link by link, in order).
    pub fn heal(&mut self) {
        self.fault(FaultChange::Heal);
        let n = self.nodes.len() as u32;
        for link in self.core.net.links_mut() {
            link.cut = false;
            link.extra_delay = 0;
            link.rules.clear();
        }
        for from in 0..n {
            for to in 0..n {
                let (from, to) = (NodeId(from), NodeId(to));
                let held: Vec<_> = self.core.net.link_mut(from, to).held.drain(..).collect();
                self.core.release_held(from, to, held);
            }
        }
    }

    /// Hold messages sent on `from -> to` from now on (only `api`'s, if
    /// given): they are parked in send order and put on the wire by
    /// `release` or `heal`. Messages already in flight still arrive. The
    /// rule is directed; to hold a request/response exchange, hold both
    /// directions.
    pub fn hold(&mut self, from: NodeId, to: NodeId, api: Option<&str>) {
        self.assert_node(from);
        self.assert_node(to);
        let filter = ApiFilter::from_option(api);
        self.core
            .net
            .link_mut(from, to)
            .rules
            .add_hold(filter.clone());
        self.fault(FaultChange::Hold {
            from,
            to,
            api: filter,
        });
    }

    /// Remove the hold on `from -> to` (all holds if `api` is `None`, else
    /// that API's) and put the matching held messages on the wire in order,
    /// as if sent now (latency and FIFO as for any send). Returns how many
    /// were released.
    pub fn release(&mut self, from: NodeId, to: NodeId, api: Option<&str>) -> usize {
        self.assert_node(from);
        self.assert_node(to);
        let filter = ApiFilter::from_option(api);
        let link = self.core.net.link_mut(from, to);
        link.rules.remove_holds(&filter);
        let (out, keep): (Vec<_>, Vec<_>) = link
            .held
            .drain(..)
            .partition(|m| filter.matches(m.msg.api()));
        link.held = keep.into();
        let released = out.len();
        self.fault(FaultChange::Release {
            from,
            to,
            api: filter,
            released,
        });
        self.core.release_held(from, to, out);
        released
    }

    /// Messages held on `from -> to`.
    pub fn held(&self, from: NodeId, to: NodeId) -> Vec<MsgInfo> {
        self.core
            .net
            .link(from, to)
            .held
            .iter()
            .map(|m| MsgInfo {
                from: m.from,
                to: m.to,
                id: m.id,
                api: m.msg.api(),
            })
            .collect()
    }

    /// Drop messages arriving on `from -> to` (only `api`'s, if given): the
    /// next `count` of them, or all until `heal` if `count` is `None`.
    pub fn drop_messages(
        &mut self,
        from: NodeId,
        to: NodeId,
        api: Option<&str>,
        count: Option<u64>,
    ) {
        self.assert_node(from);
        self.assert_node(to);
        let filter = ApiFilter::from_option(api);
        self.core
            .net
            .link_mut(from, to)
            .rules
            .add_drop(filter.clone(), count);
        self.fault(FaultChange::Drop {
            from,
            to,
            api: filter,
            count,
        });
    }

    /// Add `ms` of one-way delay to messages sent on `from -> to` from now
    /// on (replaces an earlier delay on the link; 0 removes it). FIFO still
    /// holds: later messages queue behind delayed ones.
    pub fn delay(&mut self, from: NodeId, to: NodeId, ms: u64) {
        self.assert_node(from);
        self.assert_node(to);
        self.core.net.link_mut(from, to).extra_delay = ms;
        self.fault(FaultChange::Delay { from, to, ms });
    }

    // ----- driving -----

    /// Current virtual time, ms since the start of the run.
    pub fn now(&self) -> u64 {
        self.core.now
    }

    /// Due time of the next event, if any.
    pub fn next_event_time(&mut self) -> Option<u64> {
        self.core.queue.peek_time()
    }

    /// Messages on the wire (not counting held ones).
    pub fn in_flight(&self) -> usize {
        self.core.in_flight
    }

    /// Messages on the wire, in delivery order, with their due times.
    pub fn in_flight_messages(&self) -> Vec<(u64, MsgInfo)> {
        self.core
            .queue
            .live_messages_where(|_| true)
            .into_iter()
            .filter_map(|key| {
                self.core.queue.message(key.slot).map(|m| {
                    (
                        key.time,
                        MsgInfo {
                            from: m.from,
                            to: m.to,
                            id: m.id,
                            api: m.msg.api(),
                        },
                    )
                })
            })
            .collect()
    }

    /// Take exactly the next event off the queue (a message arriving — and
    /// being delivered or dropped — or a timer firing), advancing the
    /// clock to its time. `None` if nothing is scheduled.
    pub fn step(&mut self) -> Option<Step> {
        let (time, entry) = self.core.queue.pop()?;
        debug_assert!(time >= self.core.now, "time went backwards");
        self.core.now = time;
        let event = match entry {
            Entry::Message(m) => {
                self.core.in_flight -= 1;
                self.arrive(m)
            }
            Entry::Timer { node, token } => {
                let armed = self.core.meta[node.index()]
                    .timers
                    .remove(&token)
                    .expect("a live timer entry is always in its node's table");
                self.core.stats.timers_fired += 1;
                self.core.tracer.record(
                    time,
                    TraceKind::Timer {
                        node,
                        token,
                        background: armed.background,
                    },
                );
                self.run_node(node, Input::Timer { token });
                Event::Timer { node, token }
            }
            Entry::Cancelled | Entry::Free { .. } => unreachable!("pop skips dead slots"),
        };
        Some(Step { time, event })
    }

    fn arrive(&mut self, m: InFlight<N::Msg>) -> Event {
        let info = MsgInfo {
            from: m.from,
            to: m.to,
            id: m.id,
            api: m.msg.api(),
        };
        let core = &mut self.core;
        if core.meta[m.to.index()].state != NodeState::Up {
            return self.dropped(info, DropReason::NodeDown);
        }
        let link = core.net.link_mut(m.from, m.to);
        if link.has_arrival_faults() {
            if link.cut {
                return self.dropped(info, DropReason::Partition);
            }
            if link.rules.drops(info.api) {
                return self.dropped(info, DropReason::Rule);
            }
        }
        core.stats.delivered += 1;
        core.tracer.record(
            core.now,
            TraceKind::Delivered {
                from: info.from,
                to: info.to,
                id: info.id,
                api: info.api,
            },
        );
        self.run_node(
            info.to,
            Input::Message {
                from: info.from,
                msg: m.msg,
            },
        );
        Event::Delivered(info)
    }

    fn dropped(&mut self, info: MsgInfo, reason: DropReason) -> Event {
        self.core.stats.dropped += 1;
        self.core.tracer.record(
            self.core.now,
            TraceKind::Dropped {
                from: info.from,
                to: info.to,
                id: info.id,
                api: info.api,
                reason,
            },
        );
        Event::Dropped(info, reason)
    }

    /// Run at most `n` steps; returns how many ran.
    pub fn step_n(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.step().is_some() {
            done += 1;
        }
        done
    }

    /// Deliver everything due at or before `t`, then set the clock to `t`
    /// (never backwards). Returns the number of steps.
    pub fn advance_to(&mut self, t: u64) -> u64 {
        let mut steps = 0;
        while let Some(due) = self.core.queue.peek_time() {
            if due > t {
                break;
            }
            self.step();
            steps += 1;
        }
        self.core.now = self.core.now.max(t);
        steps
    }

    /// `advance_to(now + ms)`.
    pub fn tick(&mut self, ms: u64) -> u64 {
        self.advance_to(self.core.now.saturating_add(ms))
    }

    /// Step until `pred` holds (checked before the first step and after
    /// each), for at most `timeout_ms` of virtual time. On timeout the clock
    /// is left at the deadline, with everything due by then delivered.
    pub fn run_until(
        &mut self,
        mut pred: impl FnMut(&Self) -> bool,
        timeout_ms: u64,
    ) -> Result<RunReport, RunError> {
        let deadline = self.core.now.saturating_add(timeout_ms);
        let mut steps = 0u64;
        loop {
            if pred(self) {
                return Ok(RunReport {
                    time: self.core.now,
                    steps,
                });
            }
            match self.core.queue.peek_time() {
                Some(due) if due <= deadline => {
                    if steps >= self.core.event_budget {
                        return Err(RunError::EventBudget {
                            at: self.core.now,
                            steps,
                        });
                    }
                    self.step();
                    steps += 1;
                }
                _ => {
                    self.core.now = deadline;
                    // The predicate may depend on time alone.
                    if pred(self) {
                        return Ok(RunReport {
                            time: deadline,
                            steps,
                        });
                    }
                    return Err(RunError::Timeout {
                        at: deadline,
                        steps,
                    });
                }
            }
        }
    }

    /// Quiescence, for `run until idle`. Idle means both:
    /// 1. no message is in flight (held messages do not count: they wait for
    ///    a `release`, which no amount of running brings), and
    /// 2. no foreground timer (one set with `set_timer`) is due strictly
    ///    before the earliest background timer (`set_background_timer`).
    ///    With no background timers, any armed foreground timer means busy.
    ///
    /// So a cluster that only heartbeats and polls is idle, while one with a
    /// retry, a linger or a session expiry pending before its next heartbeat
    /// is not. Timers of down nodes do not exist (a crash clears them).
    pub fn is_idle(&self) -> bool {
        if self.core.in_flight > 0 {
            return false;
        }
        let mut next_background = u64::MAX;
        let mut next_foreground = u64::MAX;
        for meta in &self.core.meta {
            for t in meta.timers.values() {
                if t.background {
                    next_background = next_background.min(t.at);
                } else {
                    next_foreground = next_foreground.min(t.at);
                }
            }
        }
        next_foreground == u64::MAX || next_foreground >= next_background
    }

    // ----- trace -----

    pub fn stats(&self) -> Stats {
        self.core.stats
    }

    /// Messages dropped because their receiver crashed (not queue steps).
    pub fn crash_drops(&self) -> u64 {
        self.core.crash_drops
    }

    pub fn tracing(&self) -> bool {
        self.core.tracer.enabled()
    }

    /// Start or stop storing trace events. Numbering and the hash go on
    /// either way, so turning tracing on mid-run keeps event numbers true.
    pub fn set_tracing(&mut self, on: bool) {
        self.core.tracer.set_enabled(on);
    }

    /// Stored trace events (since the last `take_trace`).
    pub fn trace(&self) -> &[TraceEvent] {
        self.core.tracer.events()
    }

    /// Hand over the stored events, e.g. to stream them to the UI.
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        self.core.tracer.take()
    }

    /// Number of trace events so far (stored or not): the last event number.
    pub fn trace_len(&self) -> u64 {
        self.core.tracer.count()
    }

    /// Order-sensitive hash of every trace event so far, stored or not,
    /// covering all fields except free-form `detail` values. Two runs with
    /// equal hashes took the same path.
    pub fn trace_hash(&self) -> u64 {
        self.core.tracer.hash()
    }

    /// Add a note from outside the nodes (narration, an expect's result).
    pub fn note(
        &mut self,
        kind: impl Into<std::borrow::Cow<'static, str>>,
        detail: serde_json::Value,
    ) {
        let detail = if self.tracing() {
            detail
        } else {
            serde_json::Value::Null
        };
        self.core.tracer.record(
            self.core.now,
            TraceKind::Note {
                kind: kind.into(),
                detail,
            },
        );
    }

    /// One event as a JSON line, node ids shown as node names.
    pub fn json_line(&self, event: &TraceEvent) -> String {
        let names = self.names();
        trace::json_line(event, &names)
    }

    /// The stored trace as JSON lines (one event per line, `\n`-terminated).
    pub fn trace_json_lines(&self) -> String {
        let names = self.names();
        let mut out = String::new();
        for event in self.trace() {
            out.push_str(&trace::json_line(event, &names));
            out.push('\n');
        }
        out
    }
}

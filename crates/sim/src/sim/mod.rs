//! The simulator: nodes, one event queue, the network and the trace, driven
//! one event at a time on one thread.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::network::Network;
use crate::node::{Input, Message, Node, NodeId, Outputs, TimerToken};
use crate::queue::{Entry, EventQueue, InFlight};
use crate::rng::SimRng;
use crate::trace::{DropReason, TraceKind, Tracer};

mod drive;
mod faults;
mod observe;
#[cfg(test)]
mod tests;
mod types;

pub use types::{Event, MsgInfo, NodeState, RunError, RunReport, SimConfig, SimError, Stats, Step};

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
    /// Node names by index, apart from `meta` so the trace can borrow them.
    names: Vec<String>,
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
        let detail = if self.tracer.wants_detail() {
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
                names: Vec::new(),
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
        self.core.names.push(name.into());
        self.core.meta.push(NodeMeta {
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
        &self.core.names[id.index()]
    }

    /// Node names, indexed by `NodeId`.
    pub fn names(&self) -> &[String] {
        &self.core.names
    }

    pub fn id_of(&self, name: &str) -> Option<NodeId> {
        self.core
            .names
            .iter()
            .position(|n| n == name)
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
}

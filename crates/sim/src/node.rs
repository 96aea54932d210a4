//! What a simulated node is: a pure state machine fed `(now, input)` that
//! writes its outputs (sends, timers, trace events) into [`Outputs`].

use std::borrow::Cow;

use serde::Serialize;

use crate::rng::SimRng;
use crate::sim::Core;

/// A node's id: a dense index handed out by [`Simulator::add_node`] in order
/// (0, 1, 2, ...). Dense so that link state and node state are plain `Vec`s;
/// the human name (`"0"`, `"zk"`, `"p"`) is kept beside it for the trace.
///
/// [`Simulator::add_node`]: crate::Simulator::add_node
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "n{}", self.0)
    }
}

/// What the simulator needs to know about a message: its API name, so fault
/// rules can hold or drop "only Fetch" (requests and responses of one API
/// share the name).
pub trait Message {
    /// The API name, e.g. `"Produce"`, `"Fetch"`, `"LeaderAndIsr"`.
    fn api(&self) -> &'static str;

    /// Free-form detail for the trace. Only called while tracing is on.
    fn detail(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// A node's own name for one of its timers. Setting a token that is already
/// armed re-arms it (the earlier deadline is forgotten).
pub type TimerToken = u64;

/// One input to a node.
#[derive(Debug, PartialEq)]
pub enum Input<M> {
    /// First start (from [`Simulator::start`](crate::Simulator::start)).
    Start,
    /// Start again after a crash. The node state may have been replaced by
    /// the caller before this (see `Simulator::restart_with`).
    Restart,
    /// A message from a peer, delivered by the network.
    Message { from: NodeId, msg: M },
    /// A timer set by this node came due.
    Timer { token: TimerToken },
}

/// A simulated node. Never reads a clock, never spawns, never does IO:
/// time comes in as `now` (virtual milliseconds), randomness from
/// `out.rng()`.
pub trait Node {
    type Msg: Message;

    fn handle(&mut self, now: u64, input: Input<Self::Msg>, out: &mut Outputs<'_, Self::Msg>);
}

impl<T: Node + ?Sized> Node for Box<T> {
    type Msg = T::Msg;

    fn handle(&mut self, now: u64, input: Input<Self::Msg>, out: &mut Outputs<'_, Self::Msg>) {
        (**self).handle(now, input, out)
    }
}

/// Where a node puts what it wants done. Sends and timers go straight into
/// the simulator's queue (no intermediate buffer, no copy of the message).
pub struct Outputs<'a, M> {
    pub(crate) core: &'a mut Core<M>,
    pub(crate) me: NodeId,
}

impl<M: Message> Outputs<'_, M> {
    /// The node being run.
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// Current virtual time (ms), same as the `now` passed to `handle`.
    pub fn now(&self) -> u64 {
        self.core.now
    }

    /// Send `msg` to `to` over the simulated network.
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.core.send(self.me, to, msg);
    }

    /// Arm timer `token` to fire at absolute time `at` (clamped to now).
    pub fn set_timer(&mut self, token: TimerToken, at: u64) {
        self.core.set_timer(self.me, token, at, false);
    }

    /// Arm timer `token` to fire `delay` ms from now.
    pub fn set_timer_after(&mut self, token: TimerToken, delay: u64) {
        let at = self.core.now.saturating_add(delay);
        self.core.set_timer(self.me, token, at, false);
    }

    /// Arm a *background* timer: a periodic chore (heartbeat, replica fetch
    /// poll, ...) that never ends on its own. `Simulator::is_idle` looks
    /// past these; see its documentation.
    pub fn set_background_timer(&mut self, token: TimerToken, at: u64) {
        self.core.set_timer(self.me, token, at, true);
    }

    /// Cancel timer `token`; true if it was armed.
    pub fn cancel_timer(&mut self, token: TimerToken) -> bool {
        self.core.cancel_timer(self.me, token)
    }

    /// When timer `token` is due, if armed.
    pub fn timer(&self, token: TimerToken) -> Option<u64> {
        self.core.timer_due(self.me, token)
    }

    /// Is the trace being recorded? Lets a node skip building costly detail.
    pub fn tracing(&self) -> bool {
        self.core.tracer.enabled()
    }

    /// Record a free-form state-change event (e.g. `"isr-shrink"`) in the
    /// trace. `detail` is only evaluated while tracing is on.
    pub fn event(
        &mut self,
        kind: impl Into<Cow<'static, str>>,
        detail: impl FnOnce() -> serde_json::Value,
    ) {
        let me = self.me;
        self.core.node_event(me, kind.into(), detail);
    }

    /// This node's seeded random number generator (its own stream of the
    /// run's seed).
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.core.meta[self.me.index()].rng
    }
}

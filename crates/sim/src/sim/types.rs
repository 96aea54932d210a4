//! Plain data the simulator hands out: configuration, results, errors.

use serde::Serialize;

use crate::node::{NodeId, TimerToken};
use crate::trace::DropReason;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MsgInfo {
    pub from: NodeId,
    pub to: NodeId,
    /// Unique per run, in send order; stable across hold/release.
    pub id: u64,
    pub api: &'static str,
}

/// What one `step` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    Delivered(MsgInfo),
    Dropped(MsgInfo, DropReason),
    Timer { node: NodeId, token: TimerToken },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

//! kafkascope-sim: a generic, deterministic, single-threaded simulator for
//! sans-IO nodes. It knows nothing about Kafka.
//!
//! * A [`Node`] is a pure state machine: `handle(now, input, out)` gets a
//!   start/restart, a message from a peer or a timer, and writes sends,
//!   timers and trace events into [`Outputs`]. No clock, no IO; randomness
//!   only from [`Outputs::rng`] (a seeded stream per node).
//! * The [`Simulator`] owns a virtual clock (`u64` **milliseconds**, the
//!   unit of the scenario language and of Kafka's configs), one event queue
//!   ordered by `(time, sequence number)`, a seeded ChaCha8 RNG, and a
//!   network with per-link FIFO delivery, seeded latency (default 1–3 ms),
//!   partitions, holds, drops and delays.
//! * Everything that happens is a numbered [`TraceEvent`]; the same seed and
//!   the same calls give the same trace, natively and in wasm.
//!
//! Two toy nodes, one pinging the other:
//!
//! ```
//! use kafkascope_sim::{Event, Input, Message, Node, NodeId, Outputs, Simulator};
//!
//! enum Msg { Ping(u32), Pong(u32) }
//!
//! impl Message for Msg {
//!     fn api(&self) -> &'static str {
//!         match self { Msg::Ping(_) => "Ping", Msg::Pong(_) => "Pong" }
//!     }
//! }
//!
//! /// Pings its peer every 10 ms; answers pings with pongs.
//! struct Toy { peer: NodeId, pongs: u32 }
//!
//! const TICK: u64 = 1; // timer token
//!
//! impl Node for Toy {
//!     type Msg = Msg;
//!     fn handle(&mut self, now: u64, input: Input<Msg>, out: &mut Outputs<'_, Msg>) {
//!         match input {
//!             Input::Start | Input::Restart => out.set_background_timer(TICK, now + 10),
//!             Input::Timer { token: TICK } => {
//!                 out.send(self.peer, Msg::Ping(self.pongs));
//!                 out.set_background_timer(TICK, now + 10);
//!             }
//!             Input::Timer { .. } => {}
//!             Input::Message { from, msg: Msg::Ping(n) } => out.send(from, Msg::Pong(n)),
//!             Input::Message { msg: Msg::Pong(_), .. } => {
//!                 self.pongs += 1;
//!                 out.event("pong", || serde_json::json!({ "pongs": self.pongs }));
//!             }
//!         }
//!     }
//! }
//!
//! let mut sim = Simulator::new(42);
//! let a = sim.add_node("a", Toy { peer: NodeId(1), pongs: 0 });
//! let b = sim.add_node("b", Toy { peer: NodeId(0), pongs: 0 });
//! sim.set_tracing(true);
//! sim.start_all();
//!
//! sim.tick(100); // deliver everything due in the first 100 ms
//! assert!(sim.node(a).pongs >= 8);
//!
//! sim.partition(&[[a], [b]]); // cut a <-> b
//! let before = sim.node(a).pongs;
//! sim.tick(100);
//! assert_eq!(sim.node(a).pongs, before);
//! sim.heal();
//!
//! // Step one event at a time; run until a predicate holds.
//! let step = sim.step().unwrap();
//! assert!(matches!(step.event, Event::Timer { .. } | Event::Delivered(_)));
//! sim.run_until(|s| s.node(a).pongs >= before + 3, 1_000).unwrap();
//!
//! // The trace replays exactly from the seed.
//! let jsonl = sim.trace_json_lines();
//! assert!(jsonl.lines().any(|l| l.contains(r#""ev":"delivered""#)));
//! let hash = sim.trace_hash();
//! # let _ = (jsonl, hash);
//! ```
//!
//! # Semantics, exactly
//!
//! * **Time** is `u64` virtual milliseconds from the start of the run. ms is
//!   the unit of the scenario language and of every Kafka config, so nodes
//!   and scenarios need no conversion; same-millisecond events are ordered
//!   by the queue's sequence number (scheduling order), never by chance.
//! * **Ordering.** One queue of `(time, seq)`; `seq` increases with every
//!   scheduled entry. Everything else is a pure function of the seed and
//!   the calls made, so a run replays exactly.
//! * **Randomness.** ChaCha8 from the `u64` seed: stream 0 draws latencies,
//!   stream `i + 1` is node `i`'s [`Outputs::rng`].
//! * **Network.** Each directed link is FIFO: arrival is
//!   `max(now + latency + delay, previous arrival on the link)`. Latency is
//!   uniform in `[min, max]` (default 1–3 ms, [`Simulator::set_latency`]).
//!   A *partition* cuts links between groups, both ways, adding to earlier
//!   partitions; a message arriving on a cut link is dropped, even if sent
//!   before the cut. A *drop* rule (by link, optional API, optional count)
//!   applies on arrival. A *hold* (by link, optional API) applies on send:
//!   the message is parked in send order and goes on the wire (with normal
//!   latency) on `release`/`heal`; messages already in flight still arrive.
//!   A *delay* adds ms to sends on a link. `heal` removes every partition,
//!   hold, drop and delay and releases all held messages; it does not reset
//!   latency bounds.
//! * **Nodes.** `add_node` registers (ids 0, 1, ...), `start` delivers
//!   `Input::Start` at once. `crash` (kill -9) cancels the node's timers and
//!   drops every message to it in flight or held (trace reason `crashed`);
//!   messages it sent stay on the wire; messages arriving while it is down
//!   are dropped (`node-down`). Its state stays for the caller to inspect
//!   or replace; `restart`/`restart_with` delivers `Input::Restart` at once.
//! * **Driving.** `step` takes exactly one event (a message arrival, which
//!   is delivered or dropped, or a timer). `advance_to(t)`/`tick(ms)` take
//!   every event due at or before `t`, then set the clock to `t`.
//!   `run_until(pred, timeout)` checks `pred` before the first step and
//!   after each. [`Simulator::is_idle`] documents idleness.
//! * **Trace.** Every send, hold, release, delivery, drop, timer fire,
//!   start, crash, restart, fault rule change, node event and outside note
//!   is numbered from 1. Numbering and [`Simulator::trace_hash`] always run;
//!   events are stored (and JSON detail built) only with tracing on.
//!
//! Module map: `node` ([`Node`], [`Outputs`], [`Message`]), `queue` (the
//! heap and slab), `network` (links, latency, FIFO, partitions), `rules`
//! (hold and drop), `trace` (events, hash, JSON lines), `rng` ([`SimRng`]),
//! `sim` (the [`Simulator`]: `faults`, `drive`, `observe`), [`selfcheck`]
//! (a fixed run with a golden hash, checked natively by a unit test and in
//! wasm by `examples/wasm_selfcheck.rs`).

mod network;
mod node;
mod queue;
mod rng;
mod rules;
pub mod selfcheck;
mod sim;
mod trace;

pub use network::DEFAULT_LATENCY;
pub use node::{Input, Message, Node, NodeId, Outputs, TimerToken};
pub use rng::SimRng;
pub use rules::ApiFilter;
pub use sim::{
    Event, MsgInfo, NodeState, RunError, RunReport, SimConfig, SimError, Simulator, Stats, Step,
};
pub use trace::{json_line, DropReason, FaultChange, TraceEvent, TraceKind};

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
//! Module map: [`node`](Node) (the trait and `Outputs`), `queue` (the heap
//! and slab), `network` (links, latency, FIFO, partitions), `rules` (hold
//! and drop), `trace` (events, hash, JSON lines), `sim` (the driver).

mod network;
mod node;
mod queue;
mod rng;
mod rules;
mod sim;
mod trace;

#[cfg(test)]
mod sim_tests;

pub use network::DEFAULT_LATENCY;
pub use node::{Input, Message, Node, NodeId, Outputs, TimerToken};
pub use rng::SimRng;
pub use rules::ApiFilter;
pub use sim::{
    Event, MsgInfo, NodeState, RunError, RunReport, SimConfig, SimError, Simulator, Stats, Step,
};
pub use trace::{json_line, DropReason, FaultChange, TraceEvent, TraceKind};

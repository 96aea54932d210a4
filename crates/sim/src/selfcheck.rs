//! A fixed run whose trace must be identical on every platform: four chatty
//! nodes drawing from their RNG streams, under a partition, a hold, a crash,
//! a heal and a restart. [`golden`] must return [`GOLDEN`] natively and in
//! wasm (`examples/wasm_selfcheck.rs` runs it under Node.js); the browser
//! build can call it to prove it replays the native traces.
//!
//! If a deliberate change to the scheduler or the trace moves the value,
//! update [`GOLDEN`] in the same commit.

use crate::{Input, Message, Node, NodeId, Outputs, SimConfig, Simulator};

/// `(trace_len, trace_hash)` of `run(7, _)`.
pub const GOLDEN: (u64, u64) = (627, 15_704_728_651_583_436_936);

/// The self-check run's message.
pub struct GossipMsg {
    api: &'static str,
    n: u64,
}

impl Message for GossipMsg {
    fn api(&self) -> &'static str {
        self.api
    }
    fn detail(&self) -> serde_json::Value {
        serde_json::json!({ "n": self.n })
    }
}

/// Chatty node: timers at random intervals, messages to random peers, all
/// randomness from its own seeded stream.
pub struct Gossip {
    peers: u32,
    /// Messages received so far.
    pub seen: u64,
}

impl Node for Gossip {
    type Msg = GossipMsg;
    fn handle(&mut self, now: u64, input: Input<GossipMsg>, out: &mut Outputs<'_, GossipMsg>) {
        match input {
            Input::Start | Input::Restart | Input::Timer { .. } => {
                let to = NodeId(out.rng().below(self.peers as u64) as u32);
                if to != out.me() {
                    out.send(
                        to,
                        GossipMsg {
                            api: "Gossip",
                            n: now,
                        },
                    );
                }
                let next = out.rng().range_inclusive(1, 20);
                out.set_background_timer(0, now + next);
            }
            Input::Message { from, msg } => {
                self.seen += 1;
                if msg.api == "Gossip" && out.rng().chance(1, 2) {
                    out.send(
                        from,
                        GossipMsg {
                            api: "Ack",
                            n: msg.n,
                        },
                    );
                }
            }
        }
    }
}

/// The fixed schedule, from `seed`.
pub fn run(seed: u64, tracing: bool) -> Simulator<Gossip> {
    let mut sim = Simulator::with_config(SimConfig {
        seed,
        tracing,
        latency: (1, 9),
        ..SimConfig::default()
    });
    for i in 0..4 {
        sim.add_node(i.to_string(), Gossip { peers: 4, seen: 0 });
    }
    sim.start_all();
    sim.tick(200);
    sim.partition(&[vec![NodeId(0)], vec![NodeId(1), NodeId(2)]]);
    sim.hold(NodeId(3), NodeId(2), Some("Ack"));
    sim.tick(100);
    sim.crash(NodeId(1)).expect("1 is up");
    sim.tick(50);
    sim.heal();
    sim.restart(NodeId(1)).expect("1 is crashed");
    sim.tick(200);
    sim
}

/// `(trace_len, trace_hash)` of the self-check run; must equal [`GOLDEN`].
pub fn golden() -> (u64, u64) {
    let sim = run(7, false);
    (sim.trace_len(), sim.trace_hash())
}

//! Raw scheduler throughput: three toy nodes ping-pong messages and keep
//! timers armed, so every step is a heap pop, a handler call and a push.
//! The headline number is with tracing off (numbering and the trace hash
//! still run), as in a benchmark run of the real cluster; the second shows
//! the cost of storing the trace.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kafkascope_sim::{Input, Message, Node, NodeId, Outputs, Simulator};

struct Ping {
    hops: u32,
}

impl Message for Ping {
    fn api(&self) -> &'static str {
        "Ping"
    }
}

/// Forwards every message to the next peer, keeps one heartbeat-like timer
/// re-armed, and seeds a few messages at start.
struct Toy {
    peers: Vec<NodeId>,
    next: usize,
}

impl Node for Toy {
    type Msg = Ping;

    fn handle(&mut self, now: u64, input: Input<Ping>, out: &mut Outputs<'_, Ping>) {
        match input {
            Input::Start | Input::Restart => {
                for _ in 0..4 {
                    self.forward(out, Ping { hops: 0 });
                }
                out.set_background_timer(1, now + 5);
            }
            Input::Message { msg, .. } => {
                let msg = Ping { hops: msg.hops + 1 };
                self.forward(out, msg);
            }
            Input::Timer { token } => {
                out.set_background_timer(token, now + 5);
                // A one-shot timer re-armed many times: exercises cancel.
                out.set_timer(2, now + 50);
            }
        }
    }
}

impl Toy {
    fn forward(&mut self, out: &mut Outputs<'_, Ping>, msg: Ping) {
        let to = self.peers[self.next % self.peers.len()];
        self.next += 1;
        out.send(to, msg);
    }
}

fn cluster(seed: u64, tracing: bool) -> Simulator<Toy> {
    let mut sim = Simulator::new(seed);
    sim.set_tracing(tracing);
    let ids: Vec<NodeId> = (0..3u32).map(NodeId).collect();
    for &me in &ids {
        let peers = ids.iter().copied().filter(|&p| p != me).collect();
        sim.add_node(me.0.to_string(), Toy { peers, next: 0 });
    }
    sim.start_all();
    sim
}

const STEPS: u64 = 200_000;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduler");
    group.throughput(Throughput::Elements(STEPS));
    for (name, tracing) in [
        ("3-node ping-pong, events", false),
        ("3-node ping-pong, events, tracing on", true),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || cluster(42, tracing),
                |mut sim| {
                    let done = sim.step_n(STEPS);
                    assert_eq!(done, STEPS);
                    sim
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

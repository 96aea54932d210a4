//! Where the engine's time goes under the frame benchmark's load
//! (tests/bench/frames.mjs): 3 brokers, 50 partitions RF=3, an acks=all
//! producer with 200,000 records queued, ticked 100 ms at a time (the
//! first argument: how many ticks, 50 by default).
//! `cargo run --release -p kafkascope-engine-worker --example load_profile`
use std::time::Instant;

use kafkascope_engine_worker::Engine;
use kafkascope_view::engine::{Reply, Request};

fn main() {
    let mut e = Engine::new(9092);
    let setup = Instant::now();
    for line in [
        "cluster brokers=3",
        "topic create load partitions=50 replication-factor=3",
        "producer p acks=all linger.ms=5",
        "send p load value=v{i} count=200000",
    ] {
        e.handle(Request::Submit {
            text: format!("{line}\n"),
        });
    }
    eprintln!("setup {:?}", setup.elapsed());
    let ticks: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    for i in 0..ticks {
        let t0 = Instant::now();
        let reply = e.handle(Request::Tick { ms: 100 });
        let t1 = Instant::now();
        let bytes = reply.encode();
        let t2 = Instant::now();
        let _ = Reply::decode(&bytes);
        let t3 = Instant::now();
        if let Reply::Update(u) = &reply {
            if i % 5 == 0 || i + 1 == ticks {
                eprintln!(
                    "tick {i}: handle {:?}, encode {:?}, decode {:?}, {} bytes, position {}, acked {}",
                    t1 - t0, t2 - t1, t3 - t2, bytes.len(), u.view.position,
                    u.view.producers.iter().map(|p| p.acked).sum::<u64>()
                );
            }
        }
    }
}

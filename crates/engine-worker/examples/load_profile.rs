//! Where the engine's time goes under the frame benchmark's load
//! (tests/bench/frames.mjs): 3 brokers, 50 partitions RF=3, an acks=all
//! producer with 200,000 records queued, ticked 100 ms at a time.
//! `cargo run --release -p kafkascope-engine-worker --example load_profile -- [TICKS] [RECORDS] [PARTITIONS] [SEND_ID]`
//! TICKS: how many ticks (50 by default); RECORDS: how many records
//! (200,000); PARTITIONS: the topic's (50); SEND_ID (e.g. `p:100`): open
//! the record inspector on that send, as the page does, so every update
//! also tells its story.
//! At the end it prints the median update (`handle`) of the ticks after
//! every record was acknowledged (the idle cluster) and of all ticks.
use std::time::{Duration, Instant};

use kafkascope_engine_worker::Engine;
use kafkascope_view::engine::{Reply, Request};
use kafkascope_view::inspect::{Focus, RecordRef};

fn median(mut v: Vec<Duration>) -> Option<Duration> {
    v.sort();
    v.get(v.len() / 2).copied()
}

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let num = |i: usize, default: usize| arg(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (ticks, records, partitions) = (num(1, 50), num(2, 200_000), num(3, 50));
    let mut e = Engine::new(9092);
    let setup = Instant::now();
    for line in [
        "cluster brokers=3".to_string(),
        format!("topic create load partitions={partitions} replication-factor=3"),
        "producer p acks=all linger.ms=5".to_string(),
        format!("send p load value=v{{i}} count={records}"),
    ] {
        e.handle(Request::Submit {
            text: format!("{line}\n"),
        });
    }
    if let Some(send_id) = arg(4) {
        e.handle(Request::Focus(Focus {
            segment: None,
            record: Some(RecordRef::Send { send_id }),
        }));
    }
    eprintln!("setup {:?}", setup.elapsed());
    let (mut idle, mut all) = (Vec::new(), Vec::new());
    for i in 0..ticks {
        let t0 = Instant::now();
        let reply = e.handle(Request::Tick { ms: 100 });
        let t1 = Instant::now();
        let bytes = reply.encode();
        let t2 = Instant::now();
        let _ = Reply::decode(&bytes);
        let t3 = Instant::now();
        if let Reply::Update(u) = &reply {
            let acked = u.view.producers.iter().map(|p| p.acked).sum::<u64>();
            all.push(t1 - t0);
            if acked == records as u64 {
                idle.push(t1 - t0);
            }
            if i % 5 == 0 || i + 1 == ticks {
                eprintln!(
                    "tick {i}: handle {:?}, encode {:?}, decode {:?}, {} bytes, position {}, acked {acked}, story steps {}",
                    t1 - t0, t2 - t1, t3 - t2, bytes.len(), u.view.position,
                    u.record.as_ref().map_or(0, |r| r.steps.len())
                );
            }
        }
    }
    eprintln!(
        "median handle: idle {:?} ({} ticks), all {:?} ({} ticks)",
        median(idle.clone()),
        idle.len(),
        median(all.clone()),
        all.len()
    );
}

//! The benches' clock, shared by the log and cluster benches (included by
//! path): wall time, or with `BENCH_CLOCK=cpu` the CPU time of this thread,
//! which a machine shared with other work does not inflate.

use std::time::{Duration, Instant};

/// Nanoseconds this thread has run on a CPU, when `BENCH_CLOCK=cpu`.
fn cpu_ns() -> Option<u64> {
    if std::env::var("BENCH_CLOCK").as_deref() != Ok("cpu") {
        return None;
    }
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Times `f` on the chosen clock.
pub fn timed(f: impl FnOnce()) -> Duration {
    let (cpu, wall) = (cpu_ns(), Instant::now());
    f();
    match (cpu, cpu_ns()) {
        (Some(a), Some(b)) => Duration::from_nanos(b - a),
        _ => wall.elapsed(),
    }
}

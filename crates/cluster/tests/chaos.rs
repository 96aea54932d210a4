//! Replication invariants under randomized fault schedules (see
//! `kafkascope_cluster::chaos` for the schedule limits). `CHAOS_SEEDS`
//! overrides the number of seeds.

use kafkascope_cluster::chaos::{run_schedule, search, shrink, Schedule, Truncation};
use kafkascope_cluster::runner::{run_source, RunOptions};

fn seeds() -> u64 {
    std::env::var("CHAOS_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000)
}

#[test]
fn durable_configuration_survives_random_faults() {
    let n = seeds();
    let results = search(0..n, Truncation::LeaderEpoch);
    let bad: Vec<_> = results.iter().filter(|(_, o)| !o.clean()).collect();
    for (s, o) in bad.iter().take(3) {
        eprintln!("seed {}: {o:?}\n{}", s.seed, s.scenario());
    }
    let faults: usize = results
        .iter()
        .map(|(s, _)| {
            s.body
                .iter()
                .filter(|l| !l.starts_with("send") && !l.starts_with("tick"))
                .count()
        })
        .sum();
    eprintln!("{n} seeds, {faults} faults, {} bad", bad.len());
    assert!(
        faults as u64 >= n,
        "the schedules must actually inject faults"
    );
    assert!(
        bad.is_empty(),
        "{} of {n} seeds broke an invariant (first: seed {})",
        bad.len(),
        bad[0].0.seed
    );
}

#[test]
fn high_watermark_truncation_loses_acknowledged_records() {
    let n = seeds();
    let found = (0..n)
        .map(|seed| Schedule::generate(seed, Truncation::HighWatermark))
        .find(|s| {
            let o = run_schedule(s);
            o.failure.is_none() && o.lost > 0
        });
    let s = found.unwrap_or_else(|| {
        panic!("no losing seed among {n} with kafkascope.truncation=high-watermark")
    });
    let small = shrink(&s);
    let text = small.scenario();
    println!(
        "Minimal losing schedule (seed {}, {} of {} lines kept):\n{text}",
        s.seed,
        small.body.len(),
        s.body.len()
    );
    assert!(small.body.len() <= s.body.len());
    // The printed file reproduces the loss on its own.
    let report = run_source("shrunk.scn", &text, &RunOptions::default())
        .expect("the printed scenario parses");
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(report.expects.len(), 1);
    assert!(
        !report.expects[0].passed,
        "expect lost == 0 must fail: {:?}",
        report.lines
    );
    // And the same schedule with leader epochs keeps every record.
    let fixed = Schedule {
        truncation: Truncation::LeaderEpoch,
        ..small
    };
    let o = run_schedule(&fixed);
    assert!(
        o.clean(),
        "with leader-epoch truncation the same schedule must keep every record: {o:?}"
    );
}

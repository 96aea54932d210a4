use std::path::PathBuf;

use super::*;
use crate::session::Session;
use crate::view::ClusterView;

/// The page's former computation, a walk over the whole trace: the
/// reference the kept counters must equal in step mode (whole trace).
fn counted_from_trace(trace: &[TraceEvent]) -> [(&'static str, i64); 4] {
    let count = |f: &dyn Fn(&str, &serde_json::Value) -> bool| {
        trace
            .iter()
            .filter(|e| matches!(&e.kind, TraceKind::Node { kind, detail, .. } if f(kind, detail)))
            .count() as i64
    };
    [
        ("IsrShrinksPerSec", count(&|k, _| k == "isr-shrink")),
        ("IsrExpandsPerSec", count(&|k, _| k == "isr-expand")),
        (
            "LeaderElectionRateAndTimeMs",
            count(&|k, d| {
                k == "partition-state"
                    && matches!(
                        detail_str(d, "reason").as_str(),
                        "leader-election" | "unclean-election" | "controlled-shutdown"
                    )
            }),
        ),
        (
            "UncleanLeaderElectionsPerSec",
            count(&|k, _| k == "unclean-leader-election"),
        ),
    ]
}

/// The former ISR history of one partition, from the whole trace.
fn isr_history_from_trace(trace: &[TraceEvent], partition: &str) -> Vec<IsrChange> {
    let all: Vec<IsrChange> = trace
        .iter()
        .filter_map(|e| {
            let TraceKind::Node { kind, detail, .. } = &e.kind else {
                return None;
            };
            let (isr, reason) = match kind.as_ref() {
                "isr-shrink" => (detail_ids(detail, "new"), "lag".to_string()),
                "isr-expand" => (detail_ids(detail, "new"), "caught-up".to_string()),
                "partition-state" => (detail_ids(detail, "isr"), detail_str(detail, "reason")),
                _ => return None,
            };
            (detail_str(detail, "partition") == partition).then_some(IsrChange {
                n: e.n,
                t: e.t,
                isr,
                reason,
            })
        })
        .collect();
    all[all.len().saturating_sub(ISR_HISTORY_LEN)..].to_vec()
}

fn scenarios() -> Vec<PathBuf> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scenarios"
    ));
    let mut all: Vec<PathBuf> = ["demos", "replication", "clients"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "scn"))
        .collect();
    all.sort();
    all
}

/// Runs `text` in a session: the lines up to `cluster`, then (with the
/// cluster built) `setup`, then the rest.
fn run_with(text: &str, setup: impl FnOnce(&mut Cluster)) -> Session {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("cluster "))
        .expect("a cluster line");
    let mut s = Session::new(7);
    s.submit(&(lines[..=at].join("\n") + "\n")).unwrap();
    setup(s.cluster_mut().unwrap());
    s.submit(&(lines[at + 1..].join("\n") + "\n")).unwrap();
    s
}

fn verify(c: &mut Cluster) {
    c.meters.borrow_mut().verify = true;
}

fn metric<'a>(v: &'a ClusterView, name: &str) -> &'a Metric {
    v.metrics.iter().find(|m| m.name == name).unwrap()
}

#[test]
fn counters_and_isr_history_match_the_whole_trace_in_every_scenario() {
    let mut unclean = 0;
    for path in scenarios() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let s = run_with(&std::fs::read_to_string(&path).unwrap(), verify);
        let v = s.view();
        let c = s.cluster().unwrap();
        let trace = c.sim.trace();
        assert_eq!(trace.first().map(|e| e.n), Some(1), "{name}: whole trace");
        for (metric_name, count) in counted_from_trace(trace) {
            assert_eq!(v.metric(metric_name), Some(count), "{name}: {metric_name}");
        }
        unclean += v.metric("UncleanLeaderElectionsPerSec").unwrap();
        for p in &v.partitions {
            assert_eq!(
                p.isr_changes,
                isr_history_from_trace(trace, &p.name()),
                "{name}: {}",
                p.name()
            );
        }
        // Every gauge change was dated by an event the meters took.
        let m = c.meters.borrow();
        assert!(m.stale.is_empty(), "{name}: stale gauges {:?}", m.stale);
        for g in [
            "UnderReplicatedPartitions",
            "OfflinePartitionsCount",
            "ActiveControllerCount",
        ] {
            assert!(!m.undated.contains(g), "{name}: {g} undated");
        }
    }
    // The scenarios do exercise the counters.
    assert!(unclean >= 2, "{unclean}");
}

#[test]
fn counts_never_go_down_when_the_trace_keeps_only_its_newest_events() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scenarios/demos/05-unclean-election.scn"
    ))
    .unwrap();
    let whole = run_with(&text, |_| {}).view();
    // As live mode does, with a much shorter memory.
    let short = run_with(&text, |c| c.sim.set_trace_keep(Some(50)));
    assert!(short.cluster().unwrap().sim.trace()[0].n > 1000);
    let short = short.view();
    for m in &whole.metrics {
        assert_eq!(short.metric(&m.name), Some(m.value), "{}", m.name);
    }
    assert!(whole.metric("IsrShrinksPerSec").unwrap() >= 3);
    assert_eq!(whole.metric("UncleanLeaderElectionsPerSec"), Some(1));
    for (a, b) in whole.partitions.iter().zip(&short.partitions) {
        assert!(!a.isr_changes.is_empty());
        assert_eq!(a.isr_changes, b.isr_changes, "{}", a.name());
    }
}

const LAGGING_FOLLOWER: &str = "cluster brokers=2 replica.lag.time.max.ms=2000\n\
     topic create t partitions=1 replication-factor=2 assignment=0:1\n\
     producer p acks=1\n\
     send p t value=v{i} count=2\n\
     flush p\n\
     tick 500\n\
     hold 1->0 type=Fetch\n\
     tick 6000\n";

#[test]
fn a_lagging_follower_shrinks_the_isr_at_its_event_and_expands_it_on_catching_up() {
    let s = run_with(LAGGING_FOLLOWER, verify);
    let v = s.view();
    let p = v.partition("t-0").unwrap();
    let shrink = p.isr_changes.last().unwrap();
    assert_eq!((shrink.reason.as_str(), &shrink.isr), ("lag", &vec![0]));
    let m = metric(&v, "IsrShrinksPerSec");
    assert_eq!((m.value, m.changed_at, m.delta), (1, Some(shrink.n), 1));
    // The leader's gauge moved in the same step (the ZooKeeper answer
    // that made the shrink): at the shrink's event.
    let m = metric(&v, "UnderReplicatedPartitions");
    assert_eq!((m.value, m.changed_at, m.delta), (1, Some(shrink.n), 1));
    assert!(shrink.n < v.position);
    // The expand comes after release.
    let mut s = s;
    s.submit("release 1->0 type=Fetch\ntick 3000\n").unwrap();
    let v = s.view();
    let p = v.partition("t-0").unwrap();
    let expand = p.isr_changes.last().unwrap();
    assert_eq!(
        (expand.reason.as_str(), &expand.isr),
        ("caught-up", &vec![0, 1])
    );
    let m = metric(&v, "IsrExpandsPerSec");
    assert_eq!((m.value, m.changed_at, m.delta), (1, Some(expand.n), 1));
    let m = metric(&v, "UnderReplicatedPartitions");
    assert_eq!((m.value, m.changed_at, m.delta), (0, Some(expand.n), -1));
    // Unchanged since the shrink.
    assert_eq!(metric(&v, "IsrShrinksPerSec").changed_at, Some(shrink.n));
    assert!(s.cluster().unwrap().meters.borrow().stale.is_empty());
}

#[test]
fn a_metric_unchanged_since_the_start_has_no_event() {
    let v = run_with(LAGGING_FOLLOWER, |_| {}).view();
    let m = metric(&v, "UncleanLeaderElectionsPerSec");
    assert_eq!((m.value, m.changed_at, m.delta), (0, None, 0));
    // The controller was elected at an event, once.
    let m = metric(&v, "ActiveControllerCount");
    assert_eq!((m.value, m.delta), (1, 1));
    assert!(m.changed_at.is_some_and(|n| n < v.position));
}

#[test]
fn a_rate_changes_at_the_sample_and_shows_from_there() {
    let v = run_with(LAGGING_FOLLOWER, |_| {}).view();
    // Two records in the first second, none after: the rate went up, then
    // down to 0 at a later sample.
    let m = metric(&v, "MessagesInPerSec");
    assert_eq!((m.value, m.delta), (0, -2), "{m:?}");
    let at = m.changed_at.unwrap();
    assert!(at <= v.position);
    // Rewound to that event (as the page's button does) the rate is 0
    // already; to the one before, it is still 2.
    let at_n = |n: u64| {
        let (s, _) = Session::replay(7, LAGGING_FOLLOWER, Some(n)).unwrap();
        s.view().metric("MessagesInPerSec")
    };
    assert_eq!(at_n(at), Some(0));
    assert_eq!(at_n(at - 1), Some(2));
}

#[test]
fn an_unclean_election_is_dated_at_the_controllers_event() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scenarios/demos/05-unclean-election.scn"
    ))
    .unwrap();
    let v = run_with(&text, verify).view();
    let m = metric(&v, "UncleanLeaderElectionsPerSec");
    assert_eq!((m.value, m.delta), (1, 1));
    let loose = v.partition("loose-0").unwrap();
    let election = loose
        .isr_changes
        .iter()
        .find(|c| c.reason == "unclean-election")
        .unwrap();
    // The controller writes the state, then marks the meter: next event.
    assert_eq!(m.changed_at, Some(election.n + 1));
}

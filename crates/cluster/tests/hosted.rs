//! Brokers hosted behind `RemoteBroker` (what the browser's broker workers
//! are) run the same cluster as brokers in the simulator's thread: for
//! every scenario, the same trace, the same printed results, every expect
//! the same — crashes, power cuts and restarts included, since a hosted
//! broker restarts over the log directory its last process left.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use kafkascope_cluster::host::LoopbackHosts;
use kafkascope_cluster::runner::{preflight, run, run_hosted, RunOptions};

mod common;

#[test]
fn hosted_brokers_run_every_scenario_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let files = common::scenario_files(&root);
    assert!(
        files.len() >= 40,
        "expected the scenario library, found {files:?}"
    );
    let opts = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    for f in &files {
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let source = std::fs::read_to_string(f).expect("readable");
        let s = scenario::parse(&name, &source).expect("parses");
        preflight(&s).expect("supported");
        let here = run(&s, &opts);
        let hosted = run_hosted(
            &s,
            &opts,
            Some(Rc::new(RefCell::new(LoopbackHosts::default()))),
        );
        assert_eq!(here.lines, hosted.lines, "{name}: printed results differ");
        assert_eq!(here.expects, hosted.expects, "{name}: expects differ");
        assert_eq!(here.failure, hosted.failure, "{name}: failure differs");
        assert!(!here.trace.is_empty(), "{name}: no trace recorded");
        assert!(
            here.trace == hosted.trace,
            "{name}: traces differ (first differing line: {:?})",
            here.trace
                .lines()
                .zip(hosted.trace.lines())
                .find(|(a, b)| a != b)
        );
    }
}

//! Runs every scenario under tests/scenarios/: every expect must hold, and a
//! second run with the same seed must take exactly the same path (equal
//! trace hashes).

use std::path::Path;

use kafkascope_cluster::runner::{run_source, RunOptions};

mod common;
use common::scenario_files;

#[test]
fn every_scenario_holds_and_replays_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let files = scenario_files(&root);
    assert!(
        files.len() >= 10,
        "expected the replication scenarios, found {files:?}"
    );
    let mut failures = Vec::new();
    for f in &files {
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let source = std::fs::read_to_string(f).expect("readable");
        let first = run_source(&name, &source, &RunOptions::default())
            .unwrap_or_else(|e| panic!("{name} does not parse: {e:?}"));
        assert!(!first.expects.is_empty(), "{name} asserts nothing");
        if !first.ok() {
            let bad: Vec<&String> = first
                .lines
                .iter()
                .filter(|l| l.starts_with("FAIL"))
                .collect();
            failures.push(format!("{name}: {bad:?}"));
        }
        let second = run_source(&name, &source, &RunOptions::default()).expect("parsed once");
        assert_eq!(
            first.trace_hash, second.trace_hash,
            "{name}: two runs with one seed diverged"
        );
        assert_eq!(
            first.lines, second.lines,
            "{name}: two runs with one seed printed different results"
        );
    }
    assert!(
        failures.is_empty(),
        "scenarios with failed expects:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_different_seed_takes_a_different_path() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/replication/acks.scn");
    let source = std::fs::read_to_string(root).expect("readable");
    let a = run_source(
        "acks.scn",
        &source,
        &RunOptions {
            seed: Some(1),
            ..Default::default()
        },
    )
    .expect("parses");
    let b = run_source(
        "acks.scn",
        &source,
        &RunOptions {
            seed: Some(2),
            ..Default::default()
        },
    )
    .expect("parses");
    assert_ne!(a.trace_hash, b.trace_hash);
}

/// Every file under tests/scenarios/demos/ is a guided demo: named
/// `NN-short-name.scn`, with a complete bilingual header and narration, and
/// its Chinese run prints the Chinese narration with the same results.
#[test]
fn every_demo_is_a_bilingual_demo() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/demos");
    let files = scenario_files(&dir);
    assert!(
        files.len() >= 6,
        "expected the demo library, found {files:?}"
    );
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let b = name.as_bytes();
        assert!(
            b.len() > 7 && b[..2].iter().all(u8::is_ascii_digit) && b[2] == b'-',
            "{name}: demo files are named NN-short-name.scn"
        );
        let source = std::fs::read_to_string(f).expect("readable");
        let demo = scenario::parse_demo(&name, &source)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"))
            .unwrap_or_else(|| panic!("{name} has no demo header"));
        assert!(demo.steps.len() >= 3, "{name}: a demo narrates its steps");
        let en = run_source(&name, &source, &RunOptions::default()).expect("parses");
        let zh = run_source(
            &name,
            &source,
            &RunOptions {
                lang: scenario::Lang::Zh,
                ..Default::default()
            },
        )
        .expect("parses");
        assert_eq!(
            en.expects, zh.expects,
            "{name}: the language changed a result"
        );
        for step in &demo.steps {
            assert!(
                en.lines.contains(&step.text.en),
                "{name}: {:?}",
                step.text.en
            );
            assert!(
                zh.lines.contains(&step.text.zh),
                "{name}: {:?}",
                step.text.zh
            );
        }
    }
}

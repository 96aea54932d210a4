//! Shared by the scenario test files (each uses part of it).

use std::path::{Path, PathBuf};

use kafkascope_cluster::session::Session;

/// Every `.scn` file under `dir`, recursively, in name order.
#[allow(dead_code)] // not every test file reads scenario files
pub fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("scenario dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "scn") {
            out.push(p);
        }
    }
}

/// Runs `text`; every `expect` must pass and nothing may fail.
#[allow(dead_code)] // not every test file submits lines
pub fn submit_all_pass(s: &mut Session, text: &str) -> Vec<String> {
    let out = s.submit(text).expect("the lines parse");
    for l in &out.lines {
        assert!(
            !l.starts_with("FAIL") && !l.starts_with("ERROR"),
            "{l}\n{:?}",
            out.lines
        );
    }
    out.lines
}

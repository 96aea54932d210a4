//! Test support: the repository's scenario files (tests/scenarios) run
//! line by line, as the page's console runs them, with a look at the
//! cluster after every line: the differential tests of what the page's
//! updates keep between updates (`acked_index`, the record inspector's
//! passes) against reading everything again.

use crate::cluster::Cluster;
use crate::session::Session;

/// Every scenario file of the repository, relative to tests/scenarios.
pub(crate) fn all_files() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scenarios");
    let mut files: Vec<String> = ["clients", "demos", "replication"]
        .iter()
        .flat_map(|sub| {
            std::fs::read_dir(format!("{dir}/{sub}"))
                .unwrap()
                .map(move |e| format!("{sub}/{}", e.unwrap().file_name().to_string_lossy()))
        })
        .filter(|f| f.ends_with(".scn"))
        .collect();
    files.sort();
    files
}

pub(crate) fn read(file: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scenarios");
    std::fs::read_to_string(format!("{dir}/{file}")).unwrap()
}

/// Runs `text` line by line in a new session (seed 7), calling `after`
/// with the line and the cluster after each line that has one. Comments
/// and a demo's header are not console lines. The lines' expectations are
/// not checked (some files expect what their own seed gives).
pub(crate) fn each_line(file: &str, text: &str, mut after: impl FnMut(&str, &Cluster)) {
    let mut s = Session::new(7);
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') || t.starts_with("demo ") {
            continue;
        }
        let out = s.submit(&format!("{line}\n"));
        assert!(out.is_ok(), "{file}: {line:?}: {out:?}");
        if let Some(c) = s.cluster() {
            after(line, c);
        }
    }
}

//! A guided demo as the page steps through it: the demo's header (title,
//! what it teaches, the seed lines it explains), the current narration
//! step and the `expect`s that step reached. The engine worker fills it in
//! (`crates/engine-worker/src/guide.rs`); the page shows it beside the
//! cluster.
//!
//! A demo's steps are cut at its `say` lines: step k runs from the k-th
//! `say` up to the line before the next one (step 1 also runs everything
//! before the first `say`: the header and the cluster's set-up).

use serde::{Deserialize, Serialize};

use crate::engine::LineError;

/// A text in English and Simplified Chinese (the page picks one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, zh: bool) -> &str {
        if zh {
            &self.zh
        } else {
            &self.en
        }
    }
}

/// A line of the seeds (the Chinese study notes) that a demo explains.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedQuote {
    /// The seed file, e.g. `004_b6897ffb7d1866c9.txt`.
    pub file: String,
    /// As the seed writes it, in Chinese.
    pub quote: String,
    /// Its English rendering.
    pub en: String,
}

/// What one `expect` found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectOutcome {
    /// Its line in the session's script (the demo file's line for a demo).
    pub line: usize,
    /// As written: `hw t-0 == 2`.
    pub predicate: String,
    pub passed: bool,
    /// What the subject was.
    pub was: String,
}

/// A line of the demo that sets things up with Kafka settings (`cluster`,
/// `topic create`, `producer`, `consumer`): the lines a fork may edit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigLine {
    /// 1-based line in the demo file.
    pub line: usize,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuideView {
    /// The demo file: `01-acks.scn`.
    pub file: String,
    pub title: Text,
    pub teaches: Text,
    pub seeds: Vec<SeedQuote>,
    /// The current step, from 1.
    pub step: u32,
    pub steps: u32,
    /// The current step's narration.
    pub say: Text,
    /// The `expect`s the current step reached, in order.
    pub expects: Vec<ExpectOutcome>,
    /// Every `expect` of the run so far that held / did not.
    pub passed: u32,
    pub failed: u32,
    /// The demo's setting lines, as the demo file has them.
    pub config: Vec<ConfigLine>,
    /// The fork's lines that differ from `config` (empty: no fork).
    pub fork: Vec<ConfigLine>,
    /// Why the last fork was refused (line = the demo file's line).
    pub fork_errors: Vec<LineError>,
}

impl GuideView {
    /// The last step is shown: nothing is left to run.
    pub fn at_end(&self) -> bool {
        self.step >= self.steps
    }
}

//! kafkascope-scenario: the scenario language of Kafkascope
//! (`/work/shared/SCENARIO-LANGUAGE.md` is the contract), as a pure crate:
//! no IO, builds natively and for wasm32.
//!
//! - [`parse`] reads a whole `.scn` file: syntax, values and references are
//!   checked before anything runs; every error comes back, sorted by line,
//!   as `file:line: message`.
//! - [`parse_command`] + [`Checker`] do the same one line at a time (the
//!   browser console).
//! - [`ast`] is what the runner executes; [`config`] is Kafka's config
//!   table (names, scopes, types, defaults, en/zh-CN docs); `Display` on the
//!   AST prints canonical scenario text.
//!
//! # Extensions to the contract
//!
//! They only add forms; nothing the contract specifies changes meaning
//! (details and rationale in `EXTENSIONS.md`):
//!
//! - `send PRODUCER TOPIC tombstone [key=K] ...`: a record with a null value
//!   (for compaction demos). `value=` and `tombstone` exclude each other.
//! - `key=` is a template like `value=` (`key=k{i}` with `count=N`).
//! - Quoted strings accept the escapes `\"`, `\\`, `\n`, `\t`; quotes work
//!   inside lists (`consumed c == "a b",v1`) and make `"none"` a string.
//! - `say "TEXT"`: a single quoted narration may contain `#`.
//! - `group.id=G` on `consumer` is the same as `group=G`.
//! - With `auto.create.topics.enable=true` written on `cluster`, `send` and
//!   `subscribe` to a new topic create it (`num.partitions`), as in Kafka.
//! - `__consumer_offsets` and `__transaction_state` exist from `cluster` on
//!   and may be named in predicates.
//! - Guided demos: a `demo` header (`title`, `title.zh`, `teaches`,
//!   `teaches.zh`, `seed FILE "QUOTE"`, `seed.en`) and `say.zh TEXT`, the
//!   Chinese narration of the `say` before it; [`demo()`] returns a demo's
//!   metadata and narration steps (see [`demo`]); [`library`] holds the
//!   demo files of `tests/scenarios/demos/`, compiled in.
//! - `commit CONSUMER` without `sync|async` is `sync`; `drop` without
//!   `count=` drops until `heal`.

pub mod ast;
pub mod check;
/// Kafka's config table lives in its own crate (`kafkascope-config`) so the
/// page can link it without the parser; re-exported here under its old path.
pub use kafkascope_config as config;
pub mod demo;
pub mod lexer;
pub mod library;
pub mod names;
pub mod parser;
mod predicate;
mod print;

use std::fmt;

pub use ast::*;
pub use check::Checker;
pub use demo::{demo, parse_demo, Bilingual, Demo, Narration, SeedLine};
pub use parser::parse_command;

/// An error in a scenario: `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Parses and checks a scenario. On failure returns every error, sorted by
/// line (errors on one line keep the order they were found in).
///
/// ```
/// let src = "cluster brokers=3\ntopic create t partitions=1 replication-factor=3\ncrash 3\n";
/// let errors = kafkascope_scenario::parse("demo.scn", src).unwrap_err();
/// assert_eq!(
///     errors[0].to_string(),
///     "demo.scn:3: broker 3 does not exist: the cluster has 3 brokers (0..2)"
/// );
/// ```
pub fn parse(file_name: &str, source: &str) -> Result<Scenario, Vec<ScenarioError>> {
    let mut errors = Vec::new();
    let mut commands = Vec::new();
    let mut checker = Checker::new();
    let error = |line: usize, message: String| ScenarioError {
        file: file_name.to_string(),
        line,
        message,
    };
    for (i, text) in source.lines().enumerate() {
        let line = i + 1;
        match checker.line(line, text) {
            Ok(Some(node)) => commands.push(Located { line, node }),
            Ok(None) => {}
            Err(messages) => errors.extend(messages.into_iter().map(|m| error(line, m))),
        }
    }
    if let Some(m) = checker.finish() {
        errors.push(error(1, m));
    }
    let scenario = Scenario {
        file: file_name.to_string(),
        commands,
    };
    if let Err(e) = demo::extract(&scenario) {
        errors.extend(e);
    }
    if errors.is_empty() {
        Ok(scenario)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

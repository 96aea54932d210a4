//! `kafkascope dump-log`: Kafka's `kafka-dump-log.sh --files` for `.log`,
//! `.index` and `.timeindex` files (DumpLogSegments.scala), same lines, same
//! field names and order. `--json` prints one JSON object per batch (or
//! index entry) on stdout and sends the informational lines to stderr.

mod index;
mod segment;

use crate::error::{CliError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Segment files: NNNNNNNNNNNNNNNNNNNN.log, .index or .timeindex.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print each record's key and payload (implies --deep-iteration).
    #[arg(long)]
    print_data_log: bool,
    /// Print each record's metadata, not just the batches.
    #[arg(long)]
    deep_iteration: bool,
    /// One JSON object per batch or index entry.
    #[arg(long)]
    json: bool,
}

/// What to print, resolved from the flags as Kafka does.
#[derive(Clone, Copy)]
pub struct Options {
    pub deep: bool,
    pub data: bool,
    pub json: bool,
}

enum Kind {
    Log,
    Index,
    TimeIndex,
}

pub fn run(args: &Args, out: &mut impl Write) -> Result<()> {
    let opts = Options {
        deep: args.deep_iteration || args.print_data_log,
        data: args.print_data_log,
        json: args.json,
    };
    for path in &args.files {
        let (kind, base_offset) = classify(path)?;
        let bytes = std::fs::read(path)
            .map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?;
        info(out, opts, &format!("Dumping {}", path.display()))?;
        match kind {
            Kind::Log => segment::dump(path, base_offset, &bytes, opts, out)?,
            Kind::Index => index::dump_offset_index(path, base_offset, &bytes, opts, out)?,
            Kind::TimeIndex => index::dump_time_index(base_offset, &bytes, opts, out)?,
        }
    }
    Ok(())
}

/// A line Kafka prints around the data: stdout in text mode, stderr with
/// --json so stdout stays one JSON document per line.
pub fn info(out: &mut impl Write, opts: Options, line: &str) -> Result<()> {
    if opts.json {
        eprintln!("{line}");
    } else {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The file's kind from its suffix and its base offset from its name, which
/// must be the 20-digit offset Kafka names segments by.
fn classify(path: &Path) -> Result<(Kind, i64)> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CliError(format!("{}: not a file name", path.display())))?;
    let (stem, suffix) = name.split_once('.').unwrap_or((name, ""));
    let kind = match suffix {
        "log" => Kind::Log,
        "index" => Kind::Index,
        "timeindex" => Kind::TimeIndex,
        _ => {
            return Err(CliError(format!(
                "{}: unknown file type (expected .log, .index or .timeindex)",
                path.display()
            )))
        }
    };
    let base = (stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()))
        .then(|| stem.parse::<i64>().ok())
        .flatten()
        .ok_or_else(|| {
            CliError(format!(
                "{}: a segment file is named by its 20-digit base offset, like 00000000000000000000.{suffix}",
                path.display()
            ))
        })?;
    Ok((kind, base))
}

//! `kafkascope run FILE.scn [FILE.scn ...] [--seed S] [--json] [--lang zh]`: runs
//! scenarios on the simulated cluster (the runner lives in
//! kafkascope-cluster). Prints the narration and one PASS/FAIL line per
//! `expect`, or with `--json` the trace as JSON lines. Exit code 0 when
//! every expect of every file held, 1 when one failed (or a run stopped
//! early), 2 when a file cannot be read, parsed or run by this runner
//! (`file:line: message` on stderr, before anything runs).

use std::io::Write;
use std::process::ExitCode;

use cluster::runner::{self, RunOptions};

#[derive(clap::Args)]
pub struct Args {
    /// Scenario files (.scn).
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// The seed, instead of the file's `cluster seed=`.
    #[arg(long)]
    seed: Option<u64>,
    /// Print the trace (every delivered message, state change, expect) as JSON lines.
    #[arg(long)]
    json: bool,
    /// The narration's language: `en` (`say`) or `zh` (`say.zh` where a
    /// scenario has it; demos always do).
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: scenario::Lang,
}

fn parse_lang(s: &str) -> Result<scenario::Lang, String> {
    match s {
        "en" => Ok(scenario::Lang::En),
        "zh" | "zh-CN" => Ok(scenario::Lang::Zh),
        other => Err(format!("unknown language {other}: use en or zh")),
    }
}

pub fn main(args: &Args) -> ExitCode {
    // Every file is read and checked first: a bad file runs nothing.
    let mut scenarios = Vec::new();
    let mut bad = false;
    for path in &args.files {
        let name = path.display().to_string();
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{name}: cannot read: {e}");
                bad = true;
                continue;
            }
        };
        match scenario::parse(&name, &source).and_then(|s| runner::preflight(&s).map(|()| s)) {
            Ok(s) => scenarios.push(s),
            Err(errors) => {
                for e in errors {
                    eprintln!("{e}");
                }
                bad = true;
            }
        }
    }
    if bad {
        return ExitCode::from(2);
    }
    let opts = RunOptions {
        seed: args.seed,
        trace: args.json,
        lang: args.lang,
        ..RunOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_ok = true;
    for s in &scenarios {
        let report = runner::run(s, &opts);
        all_ok &= report.ok();
        let written = if args.json {
            out.write_all(report.trace.as_bytes())
        } else {
            let many = scenarios.len() > 1;
            (if many {
                writeln!(out, "== {}", s.file)
            } else {
                Ok(())
            })
            .and_then(|()| report.lines.iter().try_for_each(|l| writeln!(out, "{l}")))
        };
        if let Err(e) = written.and_then(|()| out.flush()) {
            eprintln!("kafkascope: write failed: {e}");
            return ExitCode::from(2);
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

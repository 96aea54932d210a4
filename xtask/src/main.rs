//! `cargo xtask serve` builds and serves the app on 127.0.0.1;
//! `cargo xtask test` runs every test (native, wasm in headless Chromium,
//! end-to-end in headless Chromium). Both first install what is missing
//! (from the package registries only) and skip what is present at the right
//! version. `cargo xtask setup` only installs.
//!
//! When something cannot be installed the command stops with one line
//! naming what is missing and the command to install it by hand.

mod bench;
#[cfg(test)]
mod csp;
mod plan;
mod tools;

use plan::Counts;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;
use tools::Ctx;

/// A failure that stops the command: one line for a person.
#[derive(Debug)]
pub struct Fail(pub String);

pub type Result<T> = std::result::Result<T, Fail>;

pub fn say(msg: impl AsRef<str>) {
    println!("xtask: {}", msg.as_ref());
}

const USAGE: &str = "\
usage: cargo xtask <command>
  serve [--port N] [--release]   build the app and serve it on http://127.0.0.1:N/ (default 8080)
  test                           run every test: native cargo test, wasm tests and
                                 end-to-end tests in headless Chromium
  setup                          only install what `serve` and `test` need
  bench [--quick]                run the benchmarks; print a table, write target/bench/latest.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("setup") => setup(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(Fail(format!(
            "unknown command `{other}`; run `cargo xtask serve` or `cargo xtask test`"
        ))),
        None => {
            println!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(code) => code,
        Err(Fail(msg)) => {
            eprintln!("xtask: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn no_args(cmd: &str, args: &[String]) -> Result<()> {
    match args.first() {
        None => Ok(()),
        Some(a) => Err(Fail(format!("`cargo xtask {cmd}` takes no argument `{a}`"))),
    }
}

fn setup(args: &[String]) -> Result<ExitCode> {
    no_args("setup", args)?;
    let ctx = Ctx::new()?;
    ctx.ensure_all()?;
    say("everything is installed");
    Ok(ExitCode::SUCCESS)
}

fn serve(args: &[String]) -> Result<ExitCode> {
    let mut port: u16 = 8080;
    let mut release = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--release" => release = true,
            "--port" => {
                port = it
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| Fail("--port needs a port number, e.g. --port 8081".into()))?;
            }
            other => {
                return Err(Fail(format!(
                    "unknown argument `{other}` (usage: cargo xtask serve [--port N] [--release])"
                )))
            }
        }
    }
    let ctx = Ctx::new()?;
    ctx.ensure_build_tools()?;
    if release {
        // wasm-opt (npm's binaryen) runs in release builds only.
        ctx.ensure_node()?;
        ctx.ensure_npm_packages()?;
    }
    if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        return Err(Fail(format!(
            "port {port} on 127.0.0.1 is in use; pick another with: cargo xtask serve --port {}",
            port.wrapping_add(1)
        )));
    }
    ctx.cargo_fetch()?;
    let url = format!("http://127.0.0.1:{port}/");
    say(format!(
        "building the app with Trunk ({} build), then serving it at {url}",
        if release { "release" } else { "dev" }
    ));
    say(format!("open {url} in a browser (Ctrl-C stops the server)"));
    let port_s = port.to_string();
    let mut trunk_args = vec![
        "serve",
        "--address",
        "127.0.0.1",
        "--port",
        &port_s,
        "--no-autoreload",
        "--no-error-reporting",
        "--disable-address-lookup",
    ];
    if release {
        trunk_args.push("--release");
    }
    let ok = ctx.run("trunk", &trunk_args, &ctx.root, &[])?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One kind of test and how it went.
struct Stage {
    name: &'static str,
    counts: Counts,
    note: String,
    secs: f64,
}

fn test(args: &[String]) -> Result<ExitCode> {
    no_args("test", args)?;
    let started = Instant::now();
    let ctx = Ctx::new()?;
    ctx.ensure_all()?;
    let mut stages = Vec::new();

    // 1. Native tests of the pure crates (the workspace's default members).
    say("running native tests: cargo test (workspace default members)");
    let t = Instant::now();
    let (ok, out) = ctx.run_streaming("cargo", &["test", "--no-fail-fast"], &ctx.root, &[])?;
    if !ok && plan::cargo_test_totals(&out).1 == 0 {
        // Nothing ran: some crate does not build. Test each default member on
        // its own so one broken crate does not hide the others' results.
        stages.push(native_per_member(&ctx, t)?);
    } else {
        stages.push(cargo_stage("native cargo test", ok, &out, None, t));
    }

    // 2. wasm tests in headless Chromium, inside a dedicated worker.
    say("running wasm tests in headless Chromium: cargo test --target wasm32-unknown-unknown -p kafkascope-worker");
    let t = Instant::now();
    let (ok, out) = ctx.run_streaming(
        "cargo",
        &[
            "test",
            "--no-fail-fast",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "kafkascope-worker",
        ],
        &ctx.root,
        &[("CHROMEDRIVER", tools::CHROMEDRIVER)],
    )?;
    stages.push(cargo_stage(
        "wasm tests (headless Chromium)",
        ok,
        &out,
        Some("Running headless tests in Chrome"),
        t,
    ));

    // 3. Build the app as it ships, then 4. the end-to-end tests against it.
    let t = Instant::now();
    say("building the app: trunk build --release (into dist/)");
    let built = match ctx.cargo_fetch() {
        Ok(()) => ctx.run("trunk", &["build", "--release"], &ctx.root, &[])?,
        Err(Fail(msg)) => {
            eprintln!("xtask: error: {msg}");
            false
        }
    };
    if built {
        stages.push(e2e_stage(&ctx, t)?);
    } else {
        stages.push(Stage {
            name: "end-to-end tests",
            counts: Counts {
                passed: 0,
                failed: 1,
            },
            note: "not run: trunk build --release failed (see above)".into(),
            secs: t.elapsed().as_secs_f64(),
        });
    }

    let mut total = Counts::default();
    println!();
    println!(
        "xtask: test summary ({:.0} s in all)",
        started.elapsed().as_secs_f64()
    );
    for s in &stages {
        total.add(s.counts);
        println!(
            "  {:<32} {:>4} passed, {:>3} failed  {:>6.1} s  {}",
            s.name, s.counts.passed, s.counts.failed, s.secs, s.note
        );
    }
    println!("{total}");
    Ok(if total.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Turns a cargo test run into a stage; a run that failed without failing
/// tests (build error, crash) or that ran no tests counts as one failure.
fn cargo_stage(
    name: &'static str,
    ok: bool,
    out: &str,
    must_see: Option<&str>,
    t: Instant,
) -> Stage {
    let (mut counts, lines) = plan::cargo_test_totals(out);
    let mut note = String::new();
    if !ok && counts.failed == 0 {
        counts.failed += 1;
        note = "cargo test failed before or after running tests (see above)".into();
    } else if lines == 0 || counts.passed + counts.failed == 0 {
        counts.failed += 1;
        note = "no tests ran".into();
    } else if let Some(marker) = must_see {
        if !out.contains(marker) {
            counts.failed += 1;
            note = format!("the browser did not run (no \"{marker}\" in the output)");
        }
    }
    Stage {
        name,
        counts,
        note,
        secs: t.elapsed().as_secs_f64(),
    }
}

fn native_per_member(ctx: &Ctx, t: Instant) -> Result<Stage> {
    let toml = std::fs::read_to_string(ctx.root.join("Cargo.toml"))
        .map_err(|e| Fail(format!("cannot read Cargo.toml: {e}")))?;
    let members = plan::default_members(&toml);
    say(format!(
        "the workspace did not build; testing each default member on its own: {}",
        members.join(", ")
    ));
    let mut counts = Counts::default();
    let mut broken = Vec::new();
    for m in &members {
        let manifest = format!("{m}/Cargo.toml");
        say(format!(
            "running native tests: cargo test --manifest-path {manifest}"
        ));
        let (ok, out) = ctx.run_streaming(
            "cargo",
            &["test", "--no-fail-fast", "--manifest-path", &manifest],
            &ctx.root,
            &[],
        )?;
        let (c, _) = plan::cargo_test_totals(&out);
        counts.add(c);
        if !ok && c.failed == 0 {
            counts.failed += 1;
            broken.push(m.as_str());
        }
    }
    if members.is_empty() {
        counts.failed += 1;
        broken.push("(no default-members in Cargo.toml)");
    }
    Ok(Stage {
        name: "native cargo test",
        counts,
        note: format!("did not build: {}", broken.join(", ")),
        secs: t.elapsed().as_secs_f64(),
    })
}

fn e2e_stage(ctx: &Ctx, t: Instant) -> Result<Stage> {
    let e2e_dir = ctx.root.join("tests").join("e2e");
    let mut files: Vec<String> = std::fs::read_dir(&e2e_dir)
        .map_err(|e| Fail(format!("cannot read {}: {e}", e2e_dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs"))
        .map(|n| format!("e2e/{n}"))
        .collect();
    files.sort();
    let mut stage = Stage {
        name: "end-to-end tests (Playwright)",
        counts: Counts::default(),
        note: String::new(),
        secs: 0.0,
    };
    if files.is_empty() {
        stage.counts.failed = 1;
        stage.note = "no tests/e2e/*.test.mjs found".into();
        return Ok(stage);
    }
    let out_dir = ctx.root.join("target").join("e2e");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| Fail(format!("cannot create {}: {e}", out_dir.display())))?;
    let tap = out_dir.join("results.tap");
    let _ = std::fs::remove_file(&tap);
    say(format!(
        "running end-to-end tests in headless Chromium: node --test {}",
        files.join(" ")
    ));
    let tap_s = tap.to_string_lossy().into_owned();
    let mut args = vec![
        "--test",
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        "--test-reporter=tap",
    ];
    let dest = format!("--test-reporter-destination={tap_s}");
    args.push(&dest);
    args.extend(files.iter().map(String::as_str));
    let dist = ctx.root.join("dist");
    let dist_s = dist.to_string_lossy().into_owned();
    let ok = ctx.run(
        "node",
        &args,
        &ctx.root.join("tests"),
        &[
            ("KAFKASCOPE_DIST", &dist_s),
            ("KAFKASCOPE_CHROMIUM", tools::CHROMIUM),
        ],
    )?;
    match std::fs::read_to_string(&tap)
        .ok()
        .as_deref()
        .and_then(plan::tap_totals)
    {
        Some(c) => {
            stage.counts = c;
            if !ok && c.failed == 0 {
                stage.counts.failed = 1;
                stage.note = "node --test failed without a failing test (see above)".into();
            } else if c.passed + c.failed == 0 {
                stage.counts.failed = 1;
                stage.note = "no tests ran".into();
            }
        }
        None => {
            stage.counts.failed = 1;
            stage.note = format!("no test summary in {}", tap.display());
        }
    }
    stage.note = if stage.note.is_empty() {
        format!("screenshots in {}", out_dir.display())
    } else {
        stage.note
    };
    stage.secs = t.elapsed().as_secs_f64();
    Ok(stage)
}

/// Streams a child's stdout line by line to ours while keeping a copy.
pub fn stream_lines(mut child: std::process::Child) -> std::io::Result<(bool, String)> {
    let mut out = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            println!("{line}");
            out.push_str(&line);
            out.push('\n');
        }
    }
    let status = child.wait()?;
    Ok((status.success(), out))
}

/// The repository root (xtask lives in `<root>/xtask`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `Command` for `program` with `args`, in `dir`, with PATH and `envs` set.
pub fn command(
    program: &str,
    args: &[&str],
    dir: &Path,
    path: &std::ffi::OsStr,
    envs: &[(&str, &str)],
) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null());
    for (k, v) in envs {
        c.env(k, v);
    }
    c
}

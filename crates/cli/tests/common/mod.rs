//! Shared by the CLI tests: run the built `kafkascope` binary.

use std::process::Command;

/// Runs `kafkascope ARGS` and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kafkascope"))
        .args(args)
        .output()
        .expect("run kafkascope");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

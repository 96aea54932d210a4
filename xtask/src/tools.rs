//! Finding and installing the tools: the wasm32 target (rustup), Trunk and
//! wasm-bindgen-cli (`cargo install` from crates.io into ~/.cargo/bin),
//! Chromium, chromedriver and Node (Debian's apt), and the npm packages of
//! tests/package.json (`npm ci` against the committed package-lock).
//! Each step says what it found or what it installs.

use crate::plan::{self, Privilege, Version, Want};
use crate::{say, Fail, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// A CJK font, so that the page's 简体中文 shows in headless screenshots
/// (Chromium draws boxes without one).
pub const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

/// The Debian packages the browser tests need, each with a file it installs.
const BROWSER_PACKAGES: [(&str, &str); 3] = [
    ("chromium", CHROMIUM),
    ("chromium-driver", CHROMEDRIVER),
    ("fonts-noto-cjk", CJK_FONT),
];
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The Trunk we install; any 0.21.x at least this is accepted (0.22 needs a newer rustc).
pub const TRUNK: Version = Version(0, 21, 14);
/// Oldest Node whose `node --test` has the reporters we use.
pub const NODE_MIN: Version = Version(18, 15, 0);

pub struct Ctx {
    pub root: PathBuf,
    /// PATH for every child: ~/.cargo/bin and tests/node_modules/.bin first.
    pub path: OsString,
    cargo_bin: PathBuf,
}

impl Ctx {
    pub fn new() -> Result<Ctx> {
        let root = crate::repo_root();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
            .ok_or_else(|| Fail("neither CARGO_HOME nor HOME is set; set HOME and rerun".into()))?;
        let cargo_bin = cargo_home.join("bin");
        let mut dirs = vec![
            cargo_bin.clone(),
            root.join("tests").join("node_modules").join(".bin"),
        ];
        if let Some(p) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&p));
        }
        for d in ["/usr/local/bin", "/usr/bin", "/bin"] {
            dirs.push(PathBuf::from(d));
        }
        let path =
            std::env::join_paths(dirs).map_err(|e| Fail(format!("cannot build PATH: {e}")))?;
        Ok(Ctx {
            root,
            path,
            cargo_bin,
        })
    }

    /// Runs a command with inherited output; Ok(success). A program that
    /// cannot be started at all is an error naming it.
    pub fn run(
        &self,
        program: &str,
        args: &[&str],
        dir: &Path,
        envs: &[(&str, &str)],
    ) -> Result<bool> {
        crate::command(program, args, dir, &self.path, envs)
            .status()
            .map(|s| s.success())
            .map_err(|e| Fail(format!("cannot run `{program}`: {e}")))
    }

    /// Like `run`, but also returns what the command printed on stdout.
    pub fn run_streaming(
        &self,
        program: &str,
        args: &[&str],
        dir: &Path,
        envs: &[(&str, &str)],
    ) -> Result<(bool, String)> {
        let child = crate::command(program, args, dir, &self.path, envs)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Fail(format!("cannot run `{program}`: {e}")))?;
        crate::stream_lines(child).map_err(|e| Fail(format!("`{program}` failed: {e}")))
    }

    /// stdout+stderr of a quiet command, or None if it cannot run or fails.
    fn output(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = crate::command(program, args, &self.root, &self.path, &[])
            .stderr(Stdio::piped())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
        s.push_str(&String::from_utf8_lossy(&out.stderr));
        Some(s)
    }

    fn installed_version(&self, program: &str) -> Option<Version> {
        plan::tool_version(&self.output(program, &["--version"])?)
    }

    /// Everything `cargo xtask test` needs.
    pub fn ensure_all(&self) -> Result<()> {
        self.ensure_build_tools()?;
        self.ensure_browser()?;
        self.ensure_node()?;
        self.ensure_npm_packages()
    }

    /// The wasm target, wasm-bindgen-cli and Trunk.
    pub fn ensure_build_tools(&self) -> Result<()> {
        self.ensure_wasm_target()?;
        let bindgen = self.wasm_bindgen_version()?;
        self.ensure_cargo_tool(
            &["wasm-bindgen", "wasm-bindgen-test-runner"],
            "wasm-bindgen-cli",
            Want::Exactly(bindgen),
            &bindgen.to_string(),
            false,
            "a few minutes",
        )?;
        self.ensure_cargo_tool(
            &["trunk"],
            "trunk",
            Want::SameMinor(TRUNK),
            &TRUNK.to_string(),
            true,
            "10-20 minutes",
        )
    }

    fn ensure_wasm_target(&self) -> Result<()> {
        let by_hand = format!("rustup target add {WASM_TARGET}");
        if let Some(list) = self.output("rustup", &["target", "list", "--installed"]) {
            if list.lines().any(|l| l.trim() == WASM_TARGET) {
                say(format!("ok: Rust target {WASM_TARGET}"));
                return Ok(());
            }
            say(format!(
                "installing the Rust target {WASM_TARGET}: {by_hand}"
            ));
            if self.run("rustup", &["target", "add", WASM_TARGET], &self.root, &[])? {
                return Ok(());
            }
            return Err(Fail(plan::cannot_install(
                &format!("the Rust target {WASM_TARGET}"),
                &by_hand,
            )));
        }
        // No rustup: accept a toolchain that ships the target.
        let sysroot = self
            .output("rustc", &["--print", "sysroot"])
            .unwrap_or_default();
        if Path::new(sysroot.trim())
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .is_dir()
        {
            say(format!("ok: Rust target {WASM_TARGET}"));
            return Ok(());
        }
        Err(Fail(format!(
            "missing the Rust target {WASM_TARGET} and rustup is not available; install by hand with: {by_hand}"
        )))
    }

    /// wasm-bindgen's version in Cargo.lock, checked against Trunk.toml.
    fn wasm_bindgen_version(&self) -> Result<Version> {
        let lock_path = self.root.join("Cargo.lock");
        let lock = std::fs::read_to_string(&lock_path).unwrap_or_default();
        let v = plan::lock_version(&lock, "wasm-bindgen")
            .and_then(|v| Version::parse(&v))
            .ok_or_else(|| {
                Fail(format!(
                    "no wasm-bindgen version in {}; create it with: cargo generate-lockfile",
                    lock_path.display()
                ))
            })?;
        let trunk_toml = std::fs::read_to_string(self.root.join("Trunk.toml")).unwrap_or_default();
        let pinned = trunk_toml
            .lines()
            .find_map(|l| l.trim().strip_prefix("wasm_bindgen"))
            .and_then(|rest| Version::parse(rest.trim_start_matches([' ', '=']).trim_matches('"')));
        if pinned != Some(v) {
            return Err(Fail(format!(
                "Trunk.toml's [tools] wasm_bindgen ({}) differs from wasm-bindgen {v} in Cargo.lock; set wasm_bindgen = \"{v}\" in Trunk.toml",
                pinned.map_or("missing".to_string(), |p| p.to_string())
            )));
        }
        Ok(v)
    }

    fn ensure_cargo_tool(
        &self,
        bins: &[&str],
        krate: &str,
        want: Want,
        install: &str,
        locked: bool,
        duration: &str,
    ) -> Result<()> {
        let found: Vec<Option<Version>> = bins.iter().map(|b| self.installed_version(b)).collect();
        if found.iter().all(|v| v.is_some_and(|v| want.accepts(v))) {
            say(format!(
                "ok: {krate} {} ({})",
                found[0].map_or(String::new(), |v| v.to_string()),
                bins.join(", ")
            ));
            return Ok(());
        }
        let mut args = vec!["install", krate, "--version", install];
        if locked {
            args.push("--locked");
        }
        let by_hand = format!("cargo {}", args.join(" "));
        let have = match found[0] {
            Some(v) => format!("found {v}, need {want}"),
            None => "not found".to_string(),
        };
        say(format!(
            "installing {krate} {install} into {} ({have}): {by_hand} (takes {duration})",
            self.cargo_bin.display()
        ));
        if !self.run("cargo", &args, &self.root, &[])? {
            return Err(Fail(plan::cannot_install(
                &format!("{krate} {install}"),
                &by_hand,
            )));
        }
        for b in bins {
            match self.installed_version(b) {
                Some(v) if want.accepts(v) => {}
                other => {
                    return Err(Fail(format!(
                        "{b} is still {} after installing {krate} {install}; is another {b} earlier on PATH? install by hand with: {by_hand}",
                        other.map_or("missing".to_string(), |v| v.to_string())
                    )))
                }
            }
        }
        say(format!("installed {krate} {install}"));
        Ok(())
    }

    fn privilege(&self) -> Privilege {
        let uid = self.output("id", &["-u"]).unwrap_or_default();
        if uid.trim() == "0" {
            Privilege::Root
        } else if self.output("sudo", &["-n", "true"]).is_some() {
            Privilege::Sudo
        } else {
            Privilege::Neither
        }
    }

    /// Installs Debian `packages` with apt-get (root or passwordless sudo).
    fn apt_install(&self, packages: &[&str]) -> Result<()> {
        let prefix = plan::apt_command(packages, self.privilege()).map_err(Fail)?;
        let run = |extra: &[&str]| -> Result<bool> {
            let mut args: Vec<&str> = prefix[1..].iter().map(String::as_str).collect();
            args.extend_from_slice(extra);
            self.run(
                &prefix[0],
                &args,
                &self.root,
                &[("DEBIAN_FRONTEND", "noninteractive")],
            )
        };
        say(format!(
            "installing Debian packages {}: apt-get install {}",
            packages.join(", "),
            packages.join(" ")
        ));
        let mut install = vec!["install", "-y", "--no-install-recommends"];
        install.extend_from_slice(packages);
        // Try without refreshing first (fast when the lists are current).
        if run(&install)? || (run(&["update", "-q"])? && run(&install)?) {
            return Ok(());
        }
        Err(Fail(plan::cannot_install(
            &format!(
                "Debian package{} {}",
                if packages.len() == 1 { "" } else { "s" },
                packages.join(", ")
            ),
            &plan::apt_hint(packages),
        )))
    }

    /// Debian's chromium and chromium-driver (same build), and a CJK font.
    pub fn ensure_browser(&self) -> Result<()> {
        let missing: Vec<&str> = BROWSER_PACKAGES
            .iter()
            .filter(|(_, path)| !Path::new(path).exists())
            .map(|(pkg, _)| *pkg)
            .collect();
        if !missing.is_empty() {
            self.apt_install(&missing)?;
            if let Some((pkg, path)) = BROWSER_PACKAGES
                .iter()
                .find(|(_, p)| !Path::new(p).exists())
            {
                return Err(Fail(format!(
                    "{path} is still missing after installing {pkg}; install by hand with: {}",
                    plan::apt_hint(&missing)
                )));
            }
        }
        let chromium = self.installed_version(CHROMIUM);
        let driver = self.installed_version(CHROMEDRIVER);
        match (chromium, driver) {
            (Some(c), Some(d)) if c.0 != d.0 => Err(Fail(format!(
                "chromium {c} and chromedriver {d} differ in major version; update both with: sudo apt-get install chromium chromium-driver"
            ))),
            (Some(c), Some(d)) => {
                say(format!("ok: chromium {c} ({CHROMIUM}), chromedriver {d} ({CHROMEDRIVER})"));
                Ok(())
            }
            _ => Err(Fail(format!(
                "{CHROMIUM} or {CHROMEDRIVER} does not run (`--version` failed); reinstall with: sudo apt-get install --reinstall chromium chromium-driver"
            ))),
        }
    }

    /// Node and npm (Debian's nodejs and npm if missing).
    pub fn ensure_node(&self) -> Result<()> {
        let mut missing = Vec::new();
        if self.installed_version("node").is_none() {
            missing.push("nodejs");
        }
        if self.installed_version("npm").is_none() {
            missing.push("npm");
        }
        if !missing.is_empty() {
            self.apt_install(&missing)?;
        }
        match self.installed_version("node") {
            Some(v) if Want::AtLeast(NODE_MIN).accepts(v) => {
                say(format!("ok: node {v}, npm {}", self.installed_version("npm").map_or("?".into(), |v| v.to_string())));
                Ok(())
            }
            Some(v) => Err(Fail(format!(
                "node {v} is too old (the tests need {NODE_MIN} or newer); install a newer one with: sudo apt-get install nodejs npm"
            ))),
            None => Err(Fail(format!(
                "missing node after installing it; install by hand with: {}",
                plan::apt_hint(&["nodejs", "npm"])
            ))),
        }
    }

    /// `npm ci` in tests/ unless node_modules already matches package-lock.json.
    pub fn ensure_npm_packages(&self) -> Result<()> {
        let dir = self.root.join("tests");
        let lock = std::fs::read(dir.join("package-lock.json"))
            .map_err(|e| Fail(format!("cannot read tests/package-lock.json: {e}")))?;
        let stamp = dir
            .join("node_modules")
            .join(".kafkascope-package-lock.json");
        let wasm_opt_ok = || {
            self.output("wasm-opt", &["--version"])
                .is_some_and(|v| v.contains("version 132"))
        };
        if std::fs::read(&stamp).ok().as_deref() == Some(&lock[..]) && wasm_opt_ok() {
            say("ok: npm packages of tests/package-lock.json (playwright-core, binaryen 132 for wasm-opt)");
            return Ok(());
        }
        let by_hand = "cd tests && npm ci";
        say("installing the npm packages of tests/package-lock.json: npm ci (in tests/)");
        if !self.run("npm", &["ci", "--no-audit", "--no-fund"], &dir, &[])? {
            return Err(Fail(plan::cannot_install(
                "the npm packages of tests/package.json (playwright-core, binaryen)",
                by_hand,
            )));
        }
        if !wasm_opt_ok() {
            return Err(Fail(format!(
                "wasm-opt 132 from npm's binaryen is not in tests/node_modules/.bin after npm ci; install by hand with: {by_hand}"
            )));
        }
        std::fs::write(&stamp, &lock)
            .map_err(|e| Fail(format!("cannot write {}: {e}", stamp.display())))?;
        Ok(())
    }

    /// Downloads the crates in Cargo.lock (Trunk builds with cargo offline).
    pub fn cargo_fetch(&self) -> Result<()> {
        say("fetching crates: cargo fetch");
        if self.run("cargo", &["fetch"], &self.root, &[])? {
            Ok(())
        } else {
            Err(Fail(
                "cannot download the crates in Cargo.lock (cargo fetch failed, see above); check access to crates.io and rerun, or run by hand: cargo fetch".into(),
            ))
        }
    }
}

//! Pure decisions of the xtask: version parsing, what to install and how,
//! the one-line messages when something cannot be installed, and reading
//! test results. No IO here, so all of it is unit-tested.

use std::fmt;

/// How apt can be run on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// We are root: run apt-get directly.
    Root,
    /// Passwordless sudo works: `sudo -n apt-get ...`.
    Sudo,
    /// Neither: apt cannot be run from here.
    Neither,
}

/// The command prefix to run apt-get with, or the one line to print when
/// apt cannot be run (naming the packages and the command to run by hand).
pub fn apt_command(packages: &[&str], privilege: Privilege) -> Result<Vec<String>, String> {
    let prefix: &[&str] = match privilege {
        Privilege::Root => &["apt-get"],
        Privilege::Sudo => &["sudo", "-n", "apt-get"],
        Privilege::Neither => {
            return Err(format!(
                "missing Debian package{} {} and apt needs root or passwordless sudo; install by hand with: {}",
                if packages.len() == 1 { "" } else { "s" },
                packages.join(", "),
                apt_hint(packages)
            ))
        }
    };
    Ok(prefix.iter().map(|s| s.to_string()).collect())
}

/// The command a person runs to install `packages` by hand.
pub fn apt_hint(packages: &[&str]) -> String {
    format!("sudo apt-get install {}", packages.join(" "))
}

/// The one line printed when installing `what` failed.
pub fn cannot_install(what: &str, by_hand: &str) -> String {
    format!("missing {what} (installing it failed, see above); install by hand with: {by_hand}")
}

/// A `major.minor.patch` version (pre-release and build suffixes ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Parses `1.2.3`, `v1.2.3`, `1.2.3-beta`, `1.2` (patch 0).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let core = s.split(['-', '+', ' ']).next()?;
        let mut it = core.split('.').map(|p| p.parse::<u64>());
        let major = it.next()?.ok()?;
        let minor = it.next().unwrap_or(Ok(0)).ok()?;
        let patch = it.next().unwrap_or(Ok(0)).ok()?;
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The version in a tool's `--version` output, e.g. `trunk 0.21.14` or
/// `wasm-bindgen 0.2.130 (2a3b4c5)` or `v20.20.2`.
pub fn tool_version(output: &str) -> Option<Version> {
    output
        .split_whitespace()
        .find_map(|word| Version::parse(word).filter(|_| word.contains('.')))
}

/// The version of package `name` in a Cargo.lock (the first entry if the
/// lock holds several).
pub fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let next = lines.next()?.trim();
            let v = next.strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(v.to_string());
        }
    }
    None
}

/// Whether an installed version satisfies what we need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Exactly this version (wasm-bindgen must equal Cargo.lock's).
    Exactly(Version),
    /// Same major.minor, at least this patch (Trunk 0.21.x).
    SameMinor(Version),
    /// At least this version (Node).
    AtLeast(Version),
}

impl Want {
    pub fn accepts(self, have: Version) -> bool {
        match self {
            Want::Exactly(v) => have == v,
            Want::SameMinor(v) => have.0 == v.0 && have.1 == v.1 && have >= v,
            Want::AtLeast(v) => have >= v,
        }
    }
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Want::Exactly(v) => write!(f, "={v}"),
            Want::SameMinor(v) => write!(f, "{}.{}.x (>= {v})", v.0, v.1),
            Want::AtLeast(v) => write!(f, ">={v}"),
        }
    }
}

/// Counts from a test run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)
    }
}

/// Reads a libtest / wasm-bindgen-test summary line:
/// `test result: ok. 6 passed; 0 failed; 0 ignored; ...`.
pub fn cargo_test_result(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let rest = rest.split_once(". ")?.1;
    let mut counts = Counts::default();
    for part in rest.split(';') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else {
            continue; // "finished in 0.01s"
        };
        match what {
            "passed" => counts.passed = n,
            "failed" => counts.failed = n,
            _ => {}
        }
    }
    Some(counts)
}

/// Sums every `test result:` line in a cargo test output.
pub fn cargo_test_totals(output: &str) -> (Counts, usize) {
    let mut total = Counts::default();
    let mut lines = 0;
    for c in output.lines().filter_map(cargo_test_result) {
        total.add(c);
        lines += 1;
    }
    (total, lines)
}

/// Reads the summary of a TAP stream from `node --test` (`# pass N`,
/// `# fail N`; cancelled tests, e.g. after a failed `before`, count as failed).
pub fn tap_totals(tap: &str) -> Option<Counts> {
    let mut passed: Option<u64> = None;
    let mut failed: Option<u64> = None;
    let mut cancelled: u64 = 0;
    for line in tap.lines() {
        let line = line.trim();
        if let Some(n) = line.strip_prefix("# pass ") {
            passed = n.trim().parse().ok();
        } else if let Some(n) = line.strip_prefix("# fail ") {
            failed = n.trim().parse().ok();
        } else if let Some(n) = line.strip_prefix("# cancelled ") {
            cancelled = n.trim().parse().unwrap_or(0);
        }
    }
    Some(Counts {
        passed: passed?,
        failed: failed? + cancelled,
    })
}

/// The `default-members` paths of a workspace's root Cargo.toml.
pub fn default_members(cargo_toml: &str) -> Vec<String> {
    let Some(start) = cargo_toml.find("default-members") else {
        return Vec::new();
    };
    let rest = &cargo_toml[start..];
    let (Some(open), Some(close)) = (rest.find('['), rest.find(']')) else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    rest[open + 1..close]
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(','))
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_without_root_or_sudo_is_one_line_naming_packages_and_command() {
        let msg = apt_command(&["chromium", "chromium-driver"], Privilege::Neither).unwrap_err();
        assert_eq!(
            msg,
            "missing Debian packages chromium, chromium-driver and apt needs root or passwordless sudo; \
             install by hand with: sudo apt-get install chromium chromium-driver"
        );
        assert!(!msg.contains('\n'));
        let one = apt_command(&["nodejs"], Privilege::Neither).unwrap_err();
        assert!(
            one.starts_with("missing Debian package nodejs and"),
            "{one}"
        );
    }

    #[test]
    fn apt_as_root_or_with_sudo() {
        assert_eq!(
            apt_command(&["chromium"], Privilege::Root).unwrap(),
            ["apt-get"]
        );
        assert_eq!(
            apt_command(&["chromium"], Privilege::Sudo).unwrap(),
            ["sudo", "-n", "apt-get"]
        );
    }

    #[test]
    fn failed_install_names_the_tool_and_the_command() {
        let msg = cannot_install(
            "trunk 0.21.14",
            "cargo install trunk --version 0.21.14 --locked",
        );
        assert!(msg.starts_with("missing trunk 0.21.14"));
        assert!(msg.ends_with("cargo install trunk --version 0.21.14 --locked"));
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn versions() {
        assert_eq!(tool_version("trunk 0.21.14"), Some(Version(0, 21, 14)));
        assert_eq!(
            tool_version("wasm-bindgen 0.2.130 (9c2bb2f6a)"),
            Some(Version(0, 2, 130))
        );
        assert_eq!(tool_version("v20.20.2\n"), Some(Version(20, 20, 2)));
        assert_eq!(tool_version("10.8.2"), Some(Version(10, 8, 2)));
        assert_eq!(
            tool_version("Chromium 156.0.8078.114 built on Debian"),
            Some(Version(156, 0, 8078))
        );
        assert_eq!(tool_version("no version here"), None);
        assert!(Want::SameMinor(Version(0, 21, 14)).accepts(Version(0, 21, 14)));
        assert!(Want::SameMinor(Version(0, 21, 14)).accepts(Version(0, 21, 20)));
        assert!(!Want::SameMinor(Version(0, 21, 14)).accepts(Version(0, 22, 0)));
        assert!(!Want::SameMinor(Version(0, 21, 14)).accepts(Version(0, 21, 3)));
        assert!(!Want::Exactly(Version(0, 2, 130)).accepts(Version(0, 2, 131)));
        assert!(Want::AtLeast(Version(18, 0, 0)).accepts(Version(20, 20, 2)));
        assert!(!Want::AtLeast(Version(18, 0, 0)).accepts(Version(16, 1, 0)));
    }

    #[test]
    fn lock_versions() {
        let lock =
            "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n\n\
                    [[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.80\"\n";
        assert_eq!(
            lock_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            lock_version(lock, "wasm-bindgen-futures").as_deref(),
            Some("0.4.80")
        );
        assert_eq!(lock_version(lock, "yew"), None);
    }

    #[test]
    fn cargo_test_lines() {
        assert_eq!(
            cargo_test_result(
                "test result: ok. 6 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s"
            ),
            Some(Counts { passed: 6, failed: 0 })
        );
        assert_eq!(
            cargo_test_result("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out; finished in 0.12s"),
            Some(Counts { passed: 3, failed: 2 })
        );
        assert_eq!(cargo_test_result("test foo ... ok"), None);
        let out = "running 2 tests\ntest result: ok. 2 passed; 0 failed; 0 ignored\n\
                   no tests to run!\ntest result: FAILED. 1 passed; 1 failed; 0 ignored\n";
        assert_eq!(
            cargo_test_totals(out),
            (
                Counts {
                    passed: 3,
                    failed: 1
                },
                2
            )
        );
    }

    #[test]
    fn default_members_of_a_workspace() {
        let toml = "[workspace]\nmembers = [\"a\", \"web\"]\n# comment\ndefault-members = [\n    \"crates/a\", # the core\n    \"xtask\",\n]\n\n[profile.release]\n";
        assert_eq!(default_members(toml), ["crates/a", "xtask"]);
        assert_eq!(
            default_members("default-members = [\"x\", \"y\"]"),
            ["x", "y"]
        );
        assert!(default_members("[workspace]\nmembers = []").is_empty());
    }

    #[test]
    fn tap_summary() {
        let tap = "TAP version 13\n# Subtest: x\nok 1 - x\n1..1\n# tests 4\n# suites 2\n# pass 3\n# fail 1\n# cancelled 0\n";
        assert_eq!(
            tap_totals(tap),
            Some(Counts {
                passed: 3,
                failed: 1
            })
        );
        assert_eq!(tap_totals("TAP version 13\n"), None);
        let cancelled = "# pass 1\n# fail 0\n# cancelled 2\n";
        assert_eq!(
            tap_totals(cancelled),
            Some(Counts {
                passed: 1,
                failed: 2
            })
        );
        assert_eq!(
            Counts {
                passed: 10,
                failed: 0
            }
            .to_string(),
            "10 passed, 0 failed"
        );
    }
}

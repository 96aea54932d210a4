//! `cargo xtask bench`: every benchmark figure of the project, its target and
//! the ratio, printed as one table and written to `target/bench/latest.json`
//! (plus a timestamped copy) so runs can be compared.
//!
//! - Native figures come from the criterion benches (the median point
//!   estimate of criterion's samples, read from `new/estimates.json`).
//! - Browser figures come from `tests/bench/run.mjs`, which drives headless
//!   Chromium through playwright-core: the benchmark page built by Trunk from
//!   `web/bench/index.html` into `dist-bench/`, and the app in `dist/`. Each
//!   browser figure is the median of several runs.
//! - Figures that need parts of the project that do not exist yet are listed
//!   as "not measured" with the reason, never as a number.
//!
//! Benchmarks are not tests: a missed target never makes the command fail.

use crate::tools::{self, Ctx};
use crate::{say, Fail, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

// ---------------------------------------------------------------- figures

/// Which way a target points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    fn value(self) -> f64 {
        match self {
            Target::AtLeast(v) | Target::AtMost(v) => v,
        }
    }
    fn met(self, v: f64) -> bool {
        match self {
            Target::AtLeast(t) => v >= t,
            Target::AtMost(t) => v <= t,
        }
    }
    fn label(self, unit: &str) -> String {
        match self {
            Target::AtLeast(t) => format!(">= {} {unit}", num(t)),
            Target::AtMost(t) => format!("<= {} {unit}", num(t)),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub name: String,
    /// None: not measured (`note` says why).
    pub value: Option<f64>,
    pub unit: String,
    pub target: Option<Target>,
    pub note: String,
}

impl Figure {
    pub fn measured(
        name: &str,
        value: f64,
        unit: &str,
        target: Option<Target>,
        note: &str,
    ) -> Self {
        Figure {
            name: name.into(),
            value: Some(value),
            unit: unit.into(),
            target,
            note: note.into(),
        }
    }
    pub fn missing(name: &str, unit: &str, target: Option<Target>, why: &str) -> Self {
        Figure {
            name: name.into(),
            value: None,
            unit: unit.into(),
            target,
            note: why.into(),
        }
    }
    /// value / target (>= 1 meets an at-least target, <= 1 an at-most one).
    pub fn ratio(&self) -> Option<f64> {
        match (self.value, self.target) {
            (Some(v), Some(t)) if t.value() != 0.0 => Some(v / t.value()),
            _ => None,
        }
    }
    /// None when there is no target or no value.
    pub fn met(&self) -> Option<bool> {
        Some(self.target?.met(self.value?))
    }
}

/// A number with three significant digits and thousands separators.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    let decimals = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    let (int, frac) = match s.find('.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (&s[..], ""),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

/// A whole number with thousands separators (`num` would print 10 as "10.0").
pub fn whole(v: f64) -> String {
    num(v.round())
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The aligned table.
pub fn format_table(figs: &[Figure]) -> String {
    let head = ["figure", "value", "target", "ratio", "met", "note"];
    let rows: Vec<[String; 6]> = figs
        .iter()
        .map(|f| {
            [
                f.name.clone(),
                match f.value {
                    Some(v) => format!("{} {}", num(v), f.unit),
                    None => "not measured".into(),
                },
                f.target.map_or("-".into(), |t| t.label(&f.unit)),
                f.ratio().map_or("-".into(), |r| format!("{r:.2}x")),
                match f.met() {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => "-".into(),
                },
                f.note.clone(),
            ]
        })
        .collect();
    let mut w = [0usize; 6];
    for r in std::iter::once(&head.map(String::from)).chain(rows.iter()) {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |r: &[String; 6]| {
        let mut s = String::from("|");
        for (i, c) in r.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            // Numbers right-aligned, text left-aligned.
            if (1..=4).contains(&i) {
                let _ = write!(s, " {}{c} |", " ".repeat(pad));
            } else {
                let _ = write!(s, " {c}{} |", " ".repeat(pad));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&head.map(String::from));
    out.push('|');
    for (i, width) in w.iter().enumerate() {
        let dashes = "-".repeat(*width);
        if (1..=4).contains(&i) {
            let _ = write!(out, "-{dashes}:|");
        } else {
            let _ = write!(out, "-{dashes}-|");
        }
    }
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

// ---------------------------------------------------------------- JSON

/// A parsed JSON value (just enough for criterion's files and our own).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.get(key),
            _ => None,
        }
    }
    pub fn path(&self, keys: &[&str]) -> Option<&Json> {
        keys.iter().try_fold(self, |j, k| j.get(k))
    }
    pub fn num(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
}

pub fn parse_json(text: &str) -> std::result::Result<Json, String> {
    let b = text.as_bytes();
    let mut i = 0;
    let v = value(b, &mut i)?;
    ws(b, &mut i);
    if i != b.len() {
        return Err(format!("trailing characters at byte {i}"));
    }
    Ok(v)
}

fn ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

fn value(b: &[u8], i: &mut usize) -> std::result::Result<Json, String> {
    ws(b, i);
    let lit = |i: &mut usize, word: &str, v: Json| {
        if b[*i..].starts_with(word.as_bytes()) {
            *i += word.len();
            Ok(v)
        } else {
            Err(format!("unexpected character at byte {i}"))
        }
    };
    match b.get(*i) {
        None => Err("unexpected end of JSON".into()),
        Some(b'n') => lit(i, "null", Json::Null),
        Some(b't') => lit(i, "true", Json::Bool(true)),
        Some(b'f') => lit(i, "false", Json::Bool(false)),
        Some(b'"') => Ok(Json::Str(string(b, i)?)),
        Some(b'[') => {
            *i += 1;
            let mut v = Vec::new();
            ws(b, i);
            if b.get(*i) == Some(&b']') {
                *i += 1;
                return Ok(Json::Arr(v));
            }
            loop {
                v.push(value(b, i)?);
                ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b']') => {
                        *i += 1;
                        return Ok(Json::Arr(v));
                    }
                    _ => return Err(format!("expected , or ] at byte {i}")),
                }
            }
        }
        Some(b'{') => {
            *i += 1;
            let mut m = BTreeMap::new();
            ws(b, i);
            if b.get(*i) == Some(&b'}') {
                *i += 1;
                return Ok(Json::Obj(m));
            }
            loop {
                ws(b, i);
                if b.get(*i) != Some(&b'"') {
                    return Err(format!("expected a key at byte {i}"));
                }
                let k = string(b, i)?;
                ws(b, i);
                if b.get(*i) != Some(&b':') {
                    return Err(format!("expected : at byte {i}"));
                }
                *i += 1;
                m.insert(k, value(b, i)?);
                ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b'}') => {
                        *i += 1;
                        return Ok(Json::Obj(m));
                    }
                    _ => return Err(format!("expected , or }} at byte {i}")),
                }
            }
        }
        Some(_) => {
            let start = *i;
            while *i < b.len() && matches!(b[*i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                *i += 1;
            }
            std::str::from_utf8(&b[start..*i])
                .ok()
                .and_then(|s| s.parse().ok())
                .map(Json::Num)
                .ok_or_else(|| format!("bad value at byte {start}"))
        }
    }
}

fn string(b: &[u8], i: &mut usize) -> std::result::Result<String, String> {
    *i += 1; // opening quote
    let mut out = Vec::new();
    while let Some(&c) = b.get(*i) {
        *i += 1;
        match c {
            b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
            b'\\' => {
                let e = *b.get(*i).ok_or("unterminated escape")?;
                *i += 1;
                let ch = match e {
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'u' => {
                        let hex = b.get(*i..*i + 4).ok_or("short \\u escape")?;
                        *i += 4;
                        let code = u32::from_str_radix(std::str::from_utf8(hex).unwrap_or("x"), 16)
                            .map_err(|_| "bad \\u escape")?;
                        char::from_u32(code).unwrap_or('\u{fffd}')
                    }
                    other => other as char,
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            _ => out.push(c),
        }
    }
    Err("unterminated string".into())
}

pub fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_num(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => "null".into(),
    }
}

/// Where and when a run happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub date: String,
    pub cpus: usize,
    pub cpu_model: String,
    pub load_before: String,
    pub load_after: String,
    pub mode: String,
}

/// The JSON written to target/bench/latest.json.
pub fn to_json(m: &Machine, figs: &[Figure]) -> String {
    let mut o = String::from("{\n");
    let _ = writeln!(o, "  \"date\": {},", json_str(&m.date));
    let _ = writeln!(
        o,
        "  \"machine\": {{\"cpus\": {}, \"cpu_model\": {}, \"load_before\": {}, \"load_after\": {}}},",
        m.cpus,
        json_str(&m.cpu_model),
        json_str(&m.load_before),
        json_str(&m.load_after)
    );
    let _ = writeln!(o, "  \"mode\": {},", json_str(&m.mode));
    o.push_str("  \"figures\": [\n");
    for (i, f) in figs.iter().enumerate() {
        let _ = write!(
            o,
            "    {{\"figure\": {}, \"value\": {}, \"unit\": {}, \"target\": {}, \"target_is\": {}, \"ratio\": {}, \"met\": {}, \"note\": {}}}",
            json_str(&f.name),
            json_num(f.value),
            json_str(&f.unit),
            json_num(f.target.map(Target::value)),
            match f.target {
                Some(Target::AtLeast(_)) => "\"at_least\"",
                Some(Target::AtMost(_)) => "\"at_most\"",
                None => "null",
            },
            json_num(f.ratio()),
            f.met().map_or("null".into(), |b| b.to_string()),
            json_str(&f.note)
        );
        o.push_str(if i + 1 < figs.len() { ",\n" } else { "\n" });
    }
    o.push_str("  ]\n}\n");
    o
}

// ---------------------------------------------------------------- criterion

/// One criterion result: the median time per iteration and the throughput
/// per iteration the bench declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub median_ns: f64,
    pub bytes: Option<f64>,
    pub elements: Option<f64>,
}

/// Reads `new/estimates.json` + `new/benchmark.json` of one bench.
pub fn parse_estimate(
    estimates: &str,
    benchmark: &str,
) -> std::result::Result<(String, Estimate), String> {
    let e = parse_json(estimates)?;
    let b = parse_json(benchmark)?;
    let median_ns = e
        .path(&["median", "point_estimate"])
        .and_then(Json::num)
        .ok_or("no median.point_estimate")?;
    let id = b
        .get("full_id")
        .and_then(Json::str)
        .ok_or("no full_id")?
        .to_string();
    let t = b.get("throughput");
    Ok((
        id,
        Estimate {
            median_ns,
            bytes: t.and_then(|t| t.get("Bytes")).and_then(Json::num),
            elements: t.and_then(|t| t.get("Elements")).and_then(Json::num),
        },
    ))
}

/// Every bench under criterion's output directory, by full id.
fn read_estimates(dir: &Path) -> BTreeMap<String, Estimate> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "new") {
                    let est = std::fs::read_to_string(p.join("estimates.json"));
                    let bm = std::fs::read_to_string(p.join("benchmark.json"));
                    if let (Ok(est), Ok(bm)) = (est, bm) {
                        match parse_estimate(&est, &bm) {
                            Ok((id, e)) => {
                                out.insert(id, e);
                            }
                            Err(err) => say(format!("skipping {}: {err}", p.display())),
                        }
                    }
                } else {
                    stack.push(p);
                }
            }
        }
    }
    out
}

/// How a native figure is computed from a criterion estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Per {
    /// Throughput bytes per second, in MB/s (10^6 bytes).
    MegabytesPerSec,
    /// Throughput elements per second.
    ElementsPerSec,
    /// Time per iteration in µs.
    Micros,
    /// Time per iteration in ms.
    Millis,
}

pub fn compute(e: &Estimate, per: Per) -> Option<(f64, &'static str)> {
    let secs = e.median_ns / 1e9;
    if secs <= 0.0 {
        return None;
    }
    match per {
        Per::MegabytesPerSec => Some((e.bytes? / secs / 1e6, "MB/s")),
        Per::ElementsPerSec => Some((e.elements? / secs, "/s")),
        Per::Micros => Some((e.median_ns / 1e3, "µs")),
        Per::Millis => Some((e.median_ns / 1e6, "ms")),
    }
}

/// One native figure: which bench, which criterion id (or id prefix, for a
/// group of benches, each its own row), how to compute it, the target.
struct NativeSpec {
    name: &'static str,
    package: &'static str,
    bench: &'static str,
    /// criterion filter (a regex over full ids) for this bench run
    filter: &'static str,
    id: &'static str,
    prefix: bool,
    per: Per,
    unit: &'static str,
    target: Option<Target>,
    note: &'static str,
}

const NATIVE: &[NativeSpec] = &[
    NativeSpec {
        name: "record batch encode (1,000 x 100 B)",
        package: "kafkascope-protocol",
        bench: "batch",
        filter: "^record_batch/",
        id: "record_batch/encode_1000x100B",
        prefix: false,
        per: Per::MegabytesPerSec,
        unit: "MB/s",
        target: None,
        note: "criterion median",
    },
    NativeSpec {
        name: "record batch decode (1,000 x 100 B)",
        package: "kafkascope-protocol",
        bench: "batch",
        filter: "^record_batch/",
        id: "record_batch/decode_1000x100B",
        prefix: false,
        per: Per::MegabytesPerSec,
        unit: "MB/s",
        target: None,
        note: "criterion median",
    },
    NativeSpec {
        name: "log append, encode+append, warm",
        package: "kafkascope-log",
        bench: "log",
        filter: "^append_as_leader/encode_and_append|^read_one_batch/read/",
        id: "append_as_leader/encode_and_append_1000x100B/warm",
        prefix: false,
        per: Per::ElementsPerSec,
        unit: "records/s",
        target: Some(Target::AtLeast(10e6)),
        note: "100 B records, batches of 1,000, MemoryStorage",
    },
    NativeSpec {
        name: "log append, encode+append, cold",
        package: "kafkascope-log",
        bench: "log",
        filter: "^append_as_leader/encode_and_append|^read_one_batch/read/",
        id: "append_as_leader/encode_and_append_1000x100B/cold",
        prefix: false,
        per: Per::ElementsPerSec,
        unit: "records/s",
        target: Some(Target::AtLeast(10e6)),
        note: "fresh memory every 2,000 batches",
    },
    NativeSpec {
        name: "log random read, 10 MB log",
        package: "kafkascope-log",
        bench: "log",
        filter: "^append_as_leader/encode_and_append|^read_one_batch/read/",
        id: "read_one_batch/read/10MB",
        prefix: false,
        per: Per::Micros,
        unit: "µs",
        target: None,
        note: "one 10-record batch at a random offset",
    },
    NativeSpec {
        name: "log random read, 100 MB log",
        package: "kafkascope-log",
        bench: "log",
        filter: "^append_as_leader/encode_and_append|^read_one_batch/read/",
        id: "read_one_batch/read/100MB",
        prefix: false,
        per: Per::Micros,
        unit: "µs",
        target: None,
        note: "one 10-record batch at a random offset",
    },
    NativeSpec {
        name: "log random read, 1 GB log",
        package: "kafkascope-log",
        bench: "log",
        filter: "^append_as_leader/encode_and_append|^read_one_batch/read/",
        id: "read_one_batch/read/1GB",
        prefix: false,
        per: Per::Micros,
        unit: "µs",
        target: None,
        note: "one 10-record batch at a random offset",
    },
    NativeSpec {
        name: "simulator scheduler events/s",
        package: "kafkascope-sim",
        bench: "scheduler",
        filter: "^scheduler/3-node ping-pong, events$",
        id: "scheduler/3-node ping-pong, events",
        prefix: false,
        per: Per::ElementsPerSec,
        unit: "events/s",
        target: Some(Target::AtLeast(2e6)),
        note: "raw scheduler, 3-node ping-pong, tracing off",
    },
    NativeSpec {
        name: "simulated cluster events/s",
        package: "kafkascope-cluster",
        bench: "cluster",
        filter: "^cluster/",
        id: "cluster/steady_produce_3_brokers_10_partitions_rf3",
        prefix: false,
        per: Per::ElementsPerSec,
        unit: "events/s",
        target: Some(Target::AtLeast(2e6)),
        note: "3 brokers, 10 partitions, RF=3, acks=all producer",
    },
    NativeSpec {
        name: "produce->consume, 100 B records",
        package: "kafkascope-cluster",
        bench: "cluster",
        filter: "^produce_consume/",
        id: "produce_consume/1000_records_100B_3_partitions_rf3",
        prefix: false,
        per: Per::ElementsPerSec,
        unit: "records/s",
        target: None,
        note: "acks=all producer -> 3 partitions, RF=3 -> consumer, end to end in the simulator",
    },
    NativeSpec {
        name: "assignor 1,000 members x 10,000 partitions",
        package: "kafkascope-client",
        bench: "assignors",
        filter: "^fresh_1000_members_10000_partitions/",
        id: "fresh_1000_members_10000_partitions/",
        prefix: true,
        per: Per::Millis,
        unit: "ms",
        target: None,
        note: "one full assignment from scratch",
    },
];

/// Native figures from the estimates; a bench that produced nothing is
/// "not measured" with the reason.
fn native_figures(
    est: &BTreeMap<String, Estimate>,
    failed: &BTreeMap<&str, String>,
) -> Vec<Figure> {
    let mut figs = Vec::new();
    for s in NATIVE {
        let why = |what: &str| {
            failed
                .get(s.bench)
                .cloned()
                .unwrap_or_else(|| format!("no criterion result for {what}"))
        };
        if s.prefix {
            let found: Vec<_> = est.iter().filter(|(k, _)| k.starts_with(s.id)).collect();
            if found.is_empty() {
                figs.push(Figure::missing(s.name, s.unit, s.target, &why(s.id)));
            }
            for (k, e) in found {
                let name = format!("{} ({})", s.name, &k[s.id.len()..]);
                figs.push(match compute(e, s.per) {
                    Some((v, _)) => Figure::measured(&name, v, s.unit, s.target, s.note),
                    None => Figure::missing(
                        &name,
                        s.unit,
                        s.target,
                        "no throughput in criterion result",
                    ),
                });
            }
        } else {
            figs.push(match est.get(s.id).and_then(|e| compute(e, s.per)) {
                Some((v, _)) => Figure::measured(s.name, v, s.unit, s.target, s.note),
                None => Figure::missing(s.name, s.unit, s.target, &why(s.id)),
            });
        }
    }
    figs
}

// ---------------------------------------------------------------- browser

/// Median of the numbers (None when empty).
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Median of `runs[].key` in the browser results, and how many runs had it.
fn browser_median(res: &Json, section: &str, key: &str) -> Option<(f64, usize)> {
    let Some(Json::Arr(runs)) = res.get(section) else {
        return None;
    };
    let xs: Vec<f64> = runs.iter().filter_map(|r| r.get(key)?.num()).collect();
    Some((median(&xs)?, xs.len()))
}

/// Median over the runs of `num / den` taken within each run (the two
/// measurements of one run ran back to back on the same machine state).
fn browser_ratio_median(res: &Json, section: &str, num: &str, den: &str) -> Option<(f64, usize)> {
    let Some(Json::Arr(runs)) = res.get(section) else {
        return None;
    };
    let xs: Vec<f64> = runs
        .iter()
        .filter_map(|r| {
            let (n, d) = (r.get(num)?.num()?, r.get(den)?.num()?);
            (d > 0.0).then_some(n / d)
        })
        .collect();
    Some((median(&xs)?, xs.len()))
}

/// The browser figures from `tests/bench/run.mjs`'s JSON (or the reason it
/// has none), given the native log append figure for the wasm/native ratio.
pub fn browser_figures(
    res: std::result::Result<&Json, &str>,
    native_append: Option<f64>,
) -> Vec<Figure> {
    let err = |section: &str| -> String {
        match res {
            Err(e) => e.to_string(),
            Ok(r) => r
                .path(&["errors", section])
                .and_then(Json::str)
                .unwrap_or("the browser run did not report it")
                .to_string(),
        }
    };
    let get = |section: &str, key: &str| res.ok().and_then(|r| browser_median(r, section, key));
    let param = |key: &str| {
        res.ok()
            .and_then(|r| r.path(&["worker_params", key]))
            .and_then(Json::num)
            .map_or("?".to_string(), whole)
    };
    let fig = |name: &str,
               got: Option<(f64, usize)>,
               unit: &str,
               t: Option<Target>,
               note: &str,
               section: &str| match got {
        Some((v, n)) => Figure::measured(name, v, unit, t, &format!("median of {n} runs; {note}")),
        None => Figure::missing(name, unit, t, &err(section)),
    };
    let mut figs = Vec::new();
    let wasm = get("worker", "append_records_per_sec");
    figs.push(fig(
        "log append in a worker (wasm)",
        wasm,
        "records/s",
        None,
        &format!(
            "encode+append, warm, {} batches of 1,000 x 100 B, MemoryStorage, opt-level z as shipped",
            param("append_batches")
        ),
        "worker",
    ));
    figs.push(match (wasm, native_append) {
        (Some((w, _)), Some(n)) if w > 0.0 => Figure::measured(
            "native / wasm log append",
            n / w,
            "x",
            Some(Target::AtMost(2.0)),
            "native warm encode+append median over the worker's",
        ),
        (None, _) => Figure::missing(
            "native / wasm log append",
            "x",
            Some(Target::AtMost(2.0)),
            &err("worker"),
        ),
        _ => Figure::missing(
            "native / wasm log append",
            "x",
            Some(Target::AtMost(2.0)),
            "needs the native log append too (run without --browser-only)",
        ),
    });
    let idb_note = format!(
        "{} records of 100 B, {} per batch, {} batches per transaction, 64 KiB chunks",
        param("idb_records"),
        param("idb_records_per_batch"),
        param("idb_batches_per_persist")
    );
    figs.push(fig(
        "IndexedDB raw puts",
        get("worker", "idb_raw_records_per_sec"),
        "records/s",
        None,
        &idb_note,
        "worker",
    ));
    figs.push(fig(
        "broker persisted appends (IdbLogStorage)",
        get("worker", "idb_persisted_records_per_sec"),
        "records/s",
        None,
        "same records: Log::append_as_leader then persist(), same batches per persist",
        "worker",
    ));
    figs.push(fig(
        "persisted appends / raw IndexedDB",
        res.ok()
            .and_then(|r| {
                browser_ratio_median(
                    r,
                    "worker",
                    "idb_persisted_records_per_sec",
                    "idb_raw_records_per_sec",
                )
            })
            .map(|(v, n)| (100.0 * v, n)),
        "%",
        Some(Target::AtLeast(80.0)),
        "ratio within each run (same run, same chunk size)",
        "worker",
    ));
    let live_records = res
        .ok()
        .and_then(|r| r.get("live_records"))
        .and_then(Json::num)
        .map_or("?".to_string(), whole);
    figs.push(fig(
        "3 brokers RF=3 acks=all through workers",
        get("live", "records_per_s"),
        "records/s",
        Some(Target::AtLeast(1e6)),
        &format!(
            "live mode; {live_records} records of 100 B, topic of 3 partitions RF=3, producer acks=all linger.ms=5 batch.size=262144, first send() to last ack, engine performance.now()"
        ),
        "live",
    ));
    let latency_note = "live mode; 100 B records one at a time (acks=all, linger.ms=0), send() to the consumer holding it, engine performance.now()";
    figs.push(fig(
        "produce->consume latency p50 (live mode)",
        get("live", "p50_ms"),
        "ms",
        Some(Target::AtMost(1.0)),
        latency_note,
        "live",
    ));
    figs.push(fig(
        "produce->consume latency p99 (live mode)",
        get("live", "p99_ms"),
        "ms",
        Some(Target::AtMost(5.0)),
        latency_note,
        "live",
    ));
    figs.push(fig(
        "UI p95 frame time under load",
        get("frames", "p95_frame_ms"),
        "ms",
        Some(Target::AtMost(16.7)),
        "requestAnimationFrame deltas, p95 per run; 3 brokers x 50 partitions RF=3, acks=all producer with 200,000 records queued, played at 1x in the cluster worker",
        "frames",
    ));
    figs.push(fig(
        "engine simulator events/s during the frame bench",
        get("frames", "events_per_s"),
        "events/s",
        None,
        "trace events the cluster worker advanced per real second while the frame time was measured",
        "frames",
    ));
    let brokers = res
        .ok()
        .and_then(|r| r.get("app_brokers"))
        .and_then(Json::num)
        .map_or("3".into(), |n| format!("{}", n as u64));
    figs.push(fig(
        "navigation to first app render",
        get("app", "first_render_ms"),
        "ms",
        None,
        "dist/ (release) on 127.0.0.1, fresh profile; #app has content",
        "app",
    ));
    figs.push(fig(
        &format!("navigation to interactive (\"{brokers} brokers online\")"),
        get("app", "interactive_ms"),
        "ms",
        Some(Target::AtMost(1000.0)),
        "dist/ (release) on 127.0.0.1, fresh profile; interactive = every broker worker booted",
        "app",
    ));
    figs
}

/// The `.wasm` files Trunk built into `dir`: the app's first, then each
/// worker's (every other `*_bg.wasm`), by name.
fn wasm_files(dir: &Path, app: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".wasm"))
        .collect();
    names.sort_by_key(|n| (n != app, n.clone()));
    names
}

/// Raw and gzipped sizes of the app's and every worker's .wasm in dist/,
/// and of the bench worker's in dist-bench/ (not shipped: no target).
fn size_figures(ctx: &Ctx, built: Built) -> Vec<Figure> {
    const APP: &str = "kafkascope-web_bg.wasm";
    let mut figs = Vec::new();
    let kb = 1000.0;
    // (row name, dir, file, raw target KB, gzip target KB)
    type Row = (String, &'static str, String, Option<f64>, Option<f64>);
    let mut files: Vec<Row> = Vec::new();
    let dist = ctx.root.join("dist");
    let shipped = if built.app {
        wasm_files(&dist, APP)
    } else {
        Vec::new()
    };
    if shipped.is_empty() {
        files.push((
            "app .wasm".into(),
            "dist",
            APP.into(),
            Some(600.0),
            Some(300.0),
        ));
    }
    for f in shipped {
        let who = if f == APP {
            "app .wasm".to_string()
        } else {
            format!("worker {}", f.trim_end_matches("_bg.wasm"))
        };
        files.push((who, "dist", f, Some(600.0), Some(300.0)));
    }
    files.push((
        "bench worker .wasm (not shipped)".into(),
        "dist-bench",
        "bench-worker_bg.wasm".into(),
        None,
        None,
    ));
    for (name, dir, file, raw_t, gz_t) in files {
        let path = ctx.root.join(dir).join(&file);
        let fresh = if dir == "dist" {
            built.app
        } else {
            built.bench
        };
        let raw = fresh
            .then(|| std::fs::metadata(&path).ok())
            .flatten()
            .map(|m| m.len() as f64);
        let gz = raw.and_then(|_| gzip_len(ctx, &path));
        let why = format!("{dir}/{file} was not built in this run (see above)");
        let note = format!("{dir}/{file}, KB = 1,000 bytes");
        for (label, v, t) in [("", raw, raw_t), (", gzip -9", gz, gz_t)] {
            let n = format!("{name} size{label}");
            let t = t.map(Target::AtMost);
            figs.push(match v {
                Some(v) => Figure::measured(&n, v / kb, "KB", t, &note),
                None => Figure::missing(&n, "KB", t, &why),
            });
        }
    }
    figs
}

fn gzip_len(ctx: &Ctx, path: &Path) -> Option<f64> {
    let out = crate::command("gzip", &["-9", "-c"], &ctx.root, &ctx.path, &[])
        .arg(path)
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout.len() as f64)
}

// ---------------------------------------------------------------- machine

/// `YYYY-MM-DDTHH:MM:SSZ` from seconds since the Unix epoch.
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

pub fn cpu_model(cpuinfo: &str) -> String {
    cpuinfo
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == "model name").then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

// ---------------------------------------------------------------- command

struct Opts {
    quick: bool,
    native: bool,
    browser: bool,
}

fn parse_args(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        quick: false,
        native: true,
        browser: true,
    };
    for a in args {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--native-only" => o.browser = false,
            "--browser-only" => o.native = false,
            other => {
                return Err(Fail(format!(
                    "unknown argument `{other}` (usage: cargo xtask bench [--quick] [--native-only | --browser-only])"
                )))
            }
        }
    }
    Ok(o)
}

pub fn run(args: &[String]) -> Result<ExitCode> {
    let opts = parse_args(args)?;
    let started = std::time::Instant::now();
    let ctx = Ctx::new()?;
    let machine_before = loadavg();
    let out_dir = ctx.root.join("target").join("bench");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| Fail(format!("cannot create {}: {e}", out_dir.display())))?;

    // ---- native: criterion
    let crit = out_dir.join("criterion");
    let mut failed: BTreeMap<&str, String> = BTreeMap::new();
    let mut est = BTreeMap::new();
    if opts.native {
        // Old results must never be read as new ones.
        let _ = std::fs::remove_dir_all(&crit);
        let crit_s = crit.to_string_lossy().into_owned();
        let (warm, meas) = if opts.quick {
            ("0.3", "1")
        } else {
            ("0.5", "3")
        };
        let mut done: Vec<(&str, &str)> = Vec::new();
        for s in NATIVE {
            if done.contains(&(s.bench, s.filter)) {
                continue;
            }
            done.push((s.bench, s.filter));
            say(format!(
                "native bench: cargo bench -p {} --bench {} -- '{}'",
                s.package, s.bench, s.filter
            ));
            let ok = ctx.run(
                "cargo",
                &[
                    "bench",
                    "-p",
                    s.package,
                    "--bench",
                    s.bench,
                    "--",
                    "--warm-up-time",
                    warm,
                    "--measurement-time",
                    meas,
                    "--sample-size",
                    "10",
                    "--noplot",
                    s.filter,
                ],
                &ctx.root,
                &[("CRITERION_HOME", &crit_s)],
            )?;
            if !ok {
                failed.insert(
                    s.bench,
                    format!(
                        "cargo bench -p {} --bench {} failed (see above)",
                        s.package, s.bench
                    ),
                );
            }
        }
        est = read_estimates(&crit);
    }
    let mut figs = if opts.native {
        native_figures(&est, &failed)
    } else {
        Vec::new()
    };
    let native_append = NATIVE
        .iter()
        .find(|s| s.id.ends_with("encode_and_append_1000x100B/warm"))
        .and_then(|s| est.get(s.id))
        .and_then(|e| compute(e, Per::ElementsPerSec))
        .map(|(v, _)| v);

    // ---- browser
    let mut broken = Vec::new();
    if opts.browser {
        let runs = if opts.quick { "3" } else { "5" };
        let mut built = Built::default();
        let res = browser(&ctx, runs, opts.quick, &mut built);
        broken = browser_errors(res.as_ref().map_err(|Fail(m)| m.as_str()));
        figs.extend(browser_figures(
            res.as_ref().map_err(|Fail(m)| m.as_str()),
            native_append,
        ));
        figs.extend(size_figures(&ctx, built));
    }

    let date = utc(now_secs());
    let machine = Machine {
        date: date.clone(),
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model: cpu_model(&std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default()),
        load_before: machine_before,
        load_after: loadavg(),
        mode: if opts.quick { "quick" } else { "full" }.into(),
    };
    let json = to_json(&machine, &figs);
    let latest = out_dir.join("latest.json");
    let stamped = out_dir.join(format!("bench-{}.json", date.replace(':', "")));
    for p in [&latest, &stamped] {
        std::fs::write(p, &json).map_err(|e| Fail(format!("cannot write {}: {e}", p.display())))?;
    }
    println!();
    println!(
        "xtask: benchmarks, {date}, {} CPUs ({}), load average {} before / {} after, {} mode, {:.0} s",
        machine.cpus,
        machine.cpu_model,
        machine.load_before,
        machine.load_after,
        machine.mode,
        started.elapsed().as_secs_f64()
    );
    print!("{}", format_table(&figs));
    say(format!(
        "wrote {} and {}",
        latest.display(),
        stamped.display()
    ));
    // A slow machine never fails the command; a broken bench page or app does.
    if !broken.is_empty() {
        for b in &broken {
            eprintln!("xtask: error: browser benchmark {b}");
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// What kept the browser benchmarks from running, one line per section.
pub fn browser_errors(res: std::result::Result<&Json, &str>) -> Vec<String> {
    match res {
        Err(e) => vec![format!("run: {e}")],
        Ok(r) => match r.get("errors") {
            Some(Json::Obj(m)) => m
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.str().unwrap_or("failed")))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// Builds the app and the benchmark page, runs `tests/bench/run.mjs`, and
/// returns its JSON. Any failure is a reason shown in the table.
/// Which Trunk builds succeeded in this run (sizes are never read from an
/// older build left in dist/).
#[derive(Debug, Clone, Copy, Default)]
struct Built {
    app: bool,
    bench: bool,
}

fn browser(ctx: &Ctx, runs: &str, quick: bool, built: &mut Built) -> Result<Json> {
    ctx.ensure_all()?;
    ctx.cargo_fetch()?;
    say("building the app: trunk build --release (into dist/)");
    let app_ok = ctx.run("trunk", &["build", "--release"], &ctx.root, &[])?;
    say("building the benchmark page: trunk build --release --config web/bench/Trunk.toml (into dist-bench/)");
    let bench_ok = ctx.run(
        "trunk",
        &["build", "--release", "--config", "web/bench/Trunk.toml"],
        &ctx.root,
        &[],
    )?;
    *built = Built {
        app: app_ok,
        bench: bench_ok,
    };
    if !app_ok && !bench_ok {
        return Err(Fail(
            "trunk build of the app and of the bench page failed (see above)".into(),
        ));
    }
    let out = ctx.root.join("target").join("bench").join("browser.json");
    let _ = std::fs::remove_file(&out);
    let out_s = out.to_string_lossy().into_owned();
    let dist = ctx.root.join("dist").to_string_lossy().into_owned();
    let dist_bench = ctx.root.join("dist-bench").to_string_lossy().into_owned();
    say(format!("running the browser benchmarks in headless Chromium ({runs} runs each): node bench/run.mjs"));
    ctx.run(
        "node",
        &["bench/run.mjs"],
        &ctx.root.join("tests"),
        &[
            ("KAFKASCOPE_DIST", if app_ok { dist.as_str() } else { "" }),
            (
                "KAFKASCOPE_DIST_BENCH",
                if bench_ok { dist_bench.as_str() } else { "" },
            ),
            ("KAFKASCOPE_CHROMIUM", tools::CHROMIUM),
            ("KAFKASCOPE_BENCH_RUNS", runs),
            ("KAFKASCOPE_BENCH_QUICK", if quick { "1" } else { "0" }),
            ("KAFKASCOPE_BENCH_OUT", &out_s),
        ],
    )?;
    let text = std::fs::read_to_string(&out)
        .map_err(|_| Fail("tests/bench/run.mjs wrote no results (see above)".into()))?;
    parse_json(&text).map_err(|e| Fail(format!("bad JSON in {}: {e}", out.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EST: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":90000.0,"upper_bound":110000.5},"point_estimate":100000.0,"standard_error":3.2e2},"slope":null}"#;
    const BM: &str = r#"{"group_id":"append_as_leader","function_id":"encode_and_append_1000x100B/warm","value_str":null,"throughput":{"Elements":1000},"full_id":"append_as_leader/encode_and_append_1000x100B/warm","directory_name":"append_as_leader/encode_and_append_1000x100B_warm","title":"t \"q\" \u00b5"}"#;

    #[test]
    fn parses_criterion_estimates() {
        let (id, e) = parse_estimate(EST, BM).unwrap();
        assert_eq!(id, "append_as_leader/encode_and_append_1000x100B/warm");
        assert_eq!(e.median_ns, 100_000.0);
        assert_eq!(e.elements, Some(1000.0));
        assert_eq!(e.bytes, None);
        // 1,000 records per 100 µs = 10 million records/s.
        let (v, unit) = compute(&e, Per::ElementsPerSec).unwrap();
        assert!((v - 10e6).abs() < 1e-3, "{v}");
        assert_eq!(unit, "/s");
        assert_eq!(compute(&e, Per::Micros).unwrap().0, 100.0);
        assert_eq!(compute(&e, Per::Millis).unwrap().0, 0.1);
        assert_eq!(compute(&e, Per::MegabytesPerSec), None);
        let bytes = Estimate {
            median_ns: 1e9,
            bytes: Some(5e6),
            elements: None,
        };
        assert_eq!(compute(&bytes, Per::MegabytesPerSec).unwrap().0, 5.0);
        assert!(parse_estimate("{}", BM).is_err());
        assert!(parse_estimate(EST, "{\"x\":1}").is_err());
    }

    #[test]
    fn json_round_trip_and_errors() {
        let j =
            parse_json(r#" {"a": [1, -2.5e3, true, false, null], "b": "x\ny\u00e9"} "#).unwrap();
        assert_eq!(j.path(&["b"]).and_then(Json::str), Some("x\nyé"));
        assert_eq!(
            j.get("a"),
            Some(&Json::Arr(vec![
                Json::Num(1.0),
                Json::Num(-2500.0),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert!(parse_json("{\"a\": }").is_err());
        assert!(parse_json("[1, 2").is_err());
        assert!(parse_json("1 2").is_err());
        assert_eq!(
            parse_json(&json_str("a\"b\\c\n\u{1}")).unwrap(),
            Json::Str("a\"b\\c\n\u{1}".into())
        );
    }

    #[test]
    fn ratio_and_met() {
        let at_least = Figure::measured("x", 12e6, "records/s", Some(Target::AtLeast(10e6)), "");
        assert_eq!(at_least.ratio(), Some(1.2));
        assert_eq!(at_least.met(), Some(true));
        let slow = Figure::measured("x", 5e6, "records/s", Some(Target::AtLeast(10e6)), "");
        assert_eq!(slow.met(), Some(false));
        let at_most = Figure::measured("x", 3.0, "x", Some(Target::AtMost(2.0)), "");
        assert_eq!(at_most.ratio(), Some(1.5));
        assert_eq!(at_most.met(), Some(false));
        let exact = Figure::measured("x", 2.0, "x", Some(Target::AtMost(2.0)), "");
        assert_eq!(exact.met(), Some(true));
        let no_target = Figure::measured("x", 1.0, "MB/s", None, "");
        assert_eq!((no_target.ratio(), no_target.met()), (None, None));
        let missing = Figure::missing("x", "ms", Some(Target::AtMost(1.0)), "why");
        assert_eq!((missing.ratio(), missing.met()), (None, None));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 5.0]), Some(5.0));
    }

    #[test]
    fn numbers_and_table() {
        assert_eq!(num(12_345_678.9), "12,345,679");
        assert_eq!(num(999.4), "999");
        assert_eq!(num(16.66), "16.7");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(0.01234), "0.012");
        assert_eq!(num(-1234.0), "-1,234");
        assert_eq!(num(0.0), "0");
        assert_eq!(whole(10.0), "10");
        assert_eq!(whole(1100.0), "1,100");
        assert_eq!(whole(7.6), "8");
        let figs = vec![
            Figure::measured(
                "append",
                12e6,
                "records/s",
                Some(Target::AtLeast(10e6)),
                "n",
            ),
            Figure::missing(
                "latency p99",
                "ms",
                Some(Target::AtMost(5.0)),
                "no path yet",
            ),
        ];
        let t = format_table(&figs);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        // Every line has the same width: the columns line up.
        let w = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == w), "{t}");
        assert!(lines[2].contains("12,000,000 records/s"));
        assert!(lines[2].contains(">= 10,000,000 records/s"));
        assert!(lines[2].contains("1.20x"));
        assert!(lines[2].contains("yes"));
        assert!(lines[3].contains("not measured"));
        assert!(lines[3].contains("no path yet"));
    }

    #[test]
    fn json_shape() {
        let m = Machine {
            date: "2026-12-01T12:00:00Z".into(),
            cpus: 2,
            cpu_model: "Some \"CPU\"".into(),
            load_before: "1.0 2.0 3.0".into(),
            load_after: "1.5 2.0 3.0".into(),
            mode: "quick".into(),
        };
        let figs = vec![
            Figure::measured("a", 2.0, "x", Some(Target::AtMost(2.0)), "ok"),
            Figure::missing("b", "ms", None, "why"),
        ];
        let j = parse_json(&to_json(&m, &figs)).unwrap();
        assert_eq!(j.path(&["machine", "cpus"]).and_then(Json::num), Some(2.0));
        assert_eq!(
            j.path(&["machine", "cpu_model"]).and_then(Json::str),
            Some("Some \"CPU\"")
        );
        let Some(Json::Arr(f)) = j.get("figures") else {
            panic!("no figures array")
        };
        assert_eq!(f.len(), 2);
        for key in ["figure", "value", "unit", "target", "ratio", "met", "note"] {
            assert!(f.iter().all(|x| x.get(key).is_some()), "missing {key}");
        }
        assert_eq!(f[0].get("met"), Some(&Json::Bool(true)));
        assert_eq!(f[0].get("ratio").and_then(Json::num), Some(1.0));
        assert_eq!(f[0].get("target_is").and_then(Json::str), Some("at_most"));
        assert_eq!(f[1].get("value"), Some(&Json::Null));
        assert_eq!(f[1].get("met"), Some(&Json::Null));
        assert_eq!(f[1].get("note").and_then(Json::str), Some("why"));
    }

    #[test]
    fn frame_time_is_the_median_of_the_runs_p95() {
        let res = parse_json(
            r#"{"worker": [], "app": [], "frames": [{"p95_frame_ms": 18.2}, {"p95_frame_ms": 16.6}, {"p95_frame_ms": 30.0}], "errors": {}}"#,
        )
        .unwrap();
        let figs = browser_figures(Ok(&res), None);
        let f = figs
            .iter()
            .find(|f| f.name == "UI p95 frame time under load")
            .unwrap();
        assert_eq!(f.value, Some(18.2));
        assert_eq!(f.met(), Some(false));
        assert!(f.note.starts_with("median of 3 runs"), "{}", f.note);
    }

    #[test]
    fn live_rows_are_the_medians_of_the_live_runs() {
        let res = parse_json(
            r#"{"worker": [], "app": [], "frames": [], "live_records": 100000,
                "live": [{"records_per_s": 30000, "p50_ms": 2.5, "p99_ms": 9.0},
                         {"records_per_s": 50000, "p50_ms": 1.5, "p99_ms": 4.0},
                         {"records_per_s": 40000, "p50_ms": 2.0, "p99_ms": 6.0}],
                "errors": {}}"#,
        )
        .unwrap();
        let figs = browser_figures(Ok(&res), None);
        let by = |n: &str| figs.iter().find(|f| f.name == n).unwrap().clone();
        let t = by("3 brokers RF=3 acks=all through workers");
        assert_eq!(t.value, Some(40000.0));
        assert_eq!(t.met(), Some(false));
        assert!(t.note.contains("100,000 records"), "{}", t.note);
        assert_eq!(
            by("produce->consume latency p50 (live mode)").value,
            Some(2.0)
        );
        let p99 = by("produce->consume latency p99 (live mode)");
        assert_eq!(p99.value, Some(6.0));
        assert!(p99.note.starts_with("median of 3 runs"), "{}", p99.note);
    }

    #[test]
    fn browser_results_to_figures() {
        let res = parse_json(
            r#"{"worker": [{"append_records_per_sec": 4e6, "idb_raw_records_per_sec": 100, "idb_persisted_records_per_sec": 90},
                           {"append_records_per_sec": 6e6, "idb_raw_records_per_sec": 200, "idb_persisted_records_per_sec": 100},
                           {"append_records_per_sec": 5e6, "idb_raw_records_per_sec": 100, "idb_persisted_records_per_sec": 85}],
                "worker_params": {"append_batches": 2000, "idb_records": 100000, "idb_records_per_batch": 100, "idb_batches_per_persist": 10},
                "app": [], "app_brokers": 3, "errors": {"app": "dist/ missing"}}"#,
        )
        .unwrap();
        let figs = browser_figures(Ok(&res), Some(10e6));
        let by = |n: &str| figs.iter().find(|f| f.name == n).unwrap().clone();
        assert_eq!(by("log append in a worker (wasm)").value, Some(5e6));
        assert!(by("log append in a worker (wasm)")
            .note
            .contains("2,000 batches"));
        assert_eq!(by("native / wasm log append").value, Some(2.0));
        assert_eq!(by("native / wasm log append").met(), Some(true));
        assert_eq!(by("native / wasm log append").unit, "x");
        assert_eq!(by("IndexedDB raw puts").value, Some(100.0));
        assert!(by("IndexedDB raw puts").note.contains("100,000 records"));
        assert_eq!(
            by("broker persisted appends (IdbLogStorage)").value,
            Some(90.0)
        );
        // The ratio is taken within each run (90%, 50%, 85%), then the
        // median: not the ratio of the medians (90 / 100).
        let ratio = by("persisted appends / raw IndexedDB");
        assert_eq!(ratio.value, Some(85.0));
        assert_eq!(ratio.met(), Some(true));
        let nav = by("navigation to interactive (\"3 brokers online\")");
        assert_eq!(nav.value, None);
        assert_eq!(nav.note, "dist/ missing");
        assert_eq!(by("navigation to first app render").note, "dist/ missing");
        // No frames section: the reason, never a number.
        let frames = by("UI p95 frame time under load");
        assert_eq!(frames.value, None);
        assert_eq!(frames.note, "the browser run did not report it");
        // Nothing is ever invented for what was not measured.
        for name in [
            "3 brokers RF=3 acks=all through workers",
            "produce->consume latency p50 (live mode)",
            "produce->consume latency p99 (live mode)",
        ] {
            let f = by(name);
            assert_eq!(f.value, None, "{name}");
            assert_eq!(f.note, "the browser run did not report it", "{name}");
        }
        assert_eq!(browser_errors(Ok(&res)), vec!["app: dist/ missing"]);
        // No native figure: the ratio says what it needs.
        let no_native = browser_figures(Ok(&res), None);
        assert!(no_native
            .iter()
            .any(|f| f.name == "native / wasm log append" && f.note.contains("native")));
        let none = browser_figures(Err("trunk failed"), None);
        assert!(none.iter().all(|f| f.value.is_none()));
        assert!(none.iter().any(|f| f.note == "trunk failed"));
        assert_eq!(
            browser_errors(Err("trunk failed")),
            vec!["run: trunk failed"]
        );
    }

    #[test]
    fn small_parameters_print_whole() {
        let res = parse_json(r#"{"worker": [], "worker_params": {"idb_batches_per_persist": 10}}"#)
            .unwrap();
        let figs = browser_figures(Ok(&res), None);
        let raw = figs
            .iter()
            .find(|f| f.name == "IndexedDB raw puts")
            .unwrap();
        assert_eq!(raw.value, None);
        let ok = parse_json(r#"{"worker": [{"idb_raw_records_per_sec": 5}], "worker_params": {"idb_batches_per_persist": 10}}"#).unwrap();
        let figs = browser_figures(Ok(&ok), None);
        let raw = figs
            .iter()
            .find(|f| f.name == "IndexedDB raw puts")
            .unwrap();
        assert!(
            raw.note.contains(", 10 batches per transaction"),
            "{}",
            raw.note
        );
    }

    #[test]
    fn finds_every_wasm_app_first() {
        let dir = std::env::temp_dir().join(format!("xtask-wasm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in [
            "broker-worker_bg.wasm",
            "kafkascope-web_bg.wasm",
            "a-worker_bg.wasm",
            "boot.js",
        ] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        let found = wasm_files(&dir, "kafkascope-web_bg.wasm");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            found,
            [
                "kafkascope-web_bg.wasm",
                "a-worker_bg.wasm",
                "broker-worker_bg.wasm"
            ]
        );
    }

    #[test]
    fn dates_and_cpu() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_796_126_400), "2026-12-01T12:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags: x\n"),
            "AMD EPYC 7B13"
        );
        assert_eq!(cpu_model(""), "unknown CPU");
    }

    #[test]
    fn args() {
        assert!(parse_args(&["--quick".into()]).unwrap().quick);
        assert!(!parse_args(&["--native-only".into()]).unwrap().browser);
        assert!(parse_args(&["--fast".into()]).is_err());
    }
}

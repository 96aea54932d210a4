//! The bench worker's protocol with the bench page (`web/bench/`).
//!
//! The page starts `bench-worker_loader.js?runs=5&...`; the worker reads
//! its parameters from its own URL ([`Params::from_query`]), runs the
//! measurements of [`crate::bench`] `runs` times and posts one JSON text
//! per event ([`event_start`], [`event_run`], [`event_done`],
//! [`event_error`]). JSON text rather than the binary codec: the page
//! shows it as is and the driver (`tests/bench/run.mjs`) reads it back.
//! Parsing and formatting are pure (tested natively); only [`run`] touches
//! the browser.

use std::fmt::Write as _;

/// Records per batch and value bytes per record of the log append bench
/// (the native bench's `RECORDS` and `VALUE` in crates/log/benches/log.rs);
/// the IndexedDB measurements use the same record size.
pub const APPEND_RECORDS: usize = 1000;
pub const APPEND_VALUE: usize = 100;

/// What the page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Repetitions of every measurement (the driver takes medians).
    pub runs: u32,
    /// Batches of 1,000 x 100 B appended per log append measurement.
    pub append_batches: u32,
    /// Records written per IndexedDB measurement (raw and persisted each).
    pub idb_records: u32,
    /// Records per batch in the IndexedDB measurements.
    pub idb_records_per_batch: u32,
    /// Batches per transaction (raw) / per `persist` (broker path).
    pub idb_batches_per_persist: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            runs: 5,
            append_batches: 2_000,
            idb_records: 100_000,
            idb_records_per_batch: 100,
            idb_batches_per_persist: 10,
        }
    }
}

impl Params {
    /// Parses `?runs=3&append_batches=1000` (leading `?` optional, every
    /// key optional). Unknown keys and bad numbers are errors naming them.
    pub fn from_query(query: &str) -> Result<Params, String> {
        let mut p = Params::default();
        let q = query.strip_prefix('?').unwrap_or(query);
        for pair in q.split('&').filter(|s| !s.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (slot, max) = match key {
                "runs" => (&mut p.runs, 100),
                "append_batches" => (&mut p.append_batches, 1_000_000),
                "idb_records" => (&mut p.idb_records, 10_000_000),
                "idb_records_per_batch" => (&mut p.idb_records_per_batch, 100_000),
                "idb_batches_per_persist" => (&mut p.idb_batches_per_persist, 100_000),
                other => {
                    return Err(format!(
                        "bench page URL: unknown parameter `{other}` (known: runs, append_batches, \
                         idb_records, idb_records_per_batch, idb_batches_per_persist)"
                    ))
                }
            };
            *slot = match value.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "bench page URL: `{key}={value}` is not a whole number from 1 to {max}"
                    ))
                }
            };
        }
        Ok(p)
    }

    fn to_json(self) -> String {
        format!(
            "{{\"runs\":{},\"append_batches\":{},\"append_records_per_batch\":{},\"append_record_bytes\":{},\
             \"idb_records\":{},\"idb_records_per_batch\":{},\"idb_batches_per_persist\":{},\"idb_chunk_bytes\":{}}}",
            self.runs,
            self.append_batches,
            APPEND_RECORDS,
            APPEND_VALUE,
            self.idb_records,
            self.idb_records_per_batch,
            self.idb_batches_per_persist,
            crate::chunks::CHUNK_SIZE,
        )
    }
}

/// One run's figures, each in records/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunResult {
    pub append: f64,
    pub idb_raw: f64,
    pub idb_persisted: f64,
}

fn json_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".into()
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

pub fn event_start(p: Params) -> String {
    format!("{{\"event\":\"start\",\"params\":{}}}", p.to_json())
}

pub fn event_run(run: u32, r: RunResult) -> String {
    format!(
        "{{\"event\":\"run\",\"run\":{run},\"append_records_per_sec\":{},\
         \"idb_raw_records_per_sec\":{},\"idb_persisted_records_per_sec\":{}}}",
        json_num(r.append),
        json_num(r.idb_raw),
        json_num(r.idb_persisted)
    )
}

pub fn event_done() -> String {
    "{\"event\":\"done\"}".into()
}

pub fn event_error(message: &str) -> String {
    format!("{{\"event\":\"error\",\"message\":{}}}", json_str(message))
}

/// Posts `text` to the page (posting a string cannot fail; there would be
/// nobody else to tell anyway).
#[cfg(target_arch = "wasm32")]
fn post(text: String) {
    use wasm_bindgen::JsCast;
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&text.into());
}

/// The worker's entry point: parameters from the worker's URL, then every
/// run, posted as it ends. A failure or a panic is posted as an error event.
#[cfg(target_arch = "wasm32")]
pub fn run() {
    use wasm_bindgen::JsCast;
    std::panic::set_hook(Box::new(|info| {
        post(event_error(&format!("the bench worker panicked: {info}")));
    }));
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let params = match Params::from_query(&scope.location().search()) {
        Ok(p) => p,
        Err(e) => return post(event_error(&e)),
    };
    post(event_start(params));
    wasm_bindgen_futures::spawn_local(async move {
        match runs(params).await {
            Ok(()) => post(event_done()),
            Err(e) => post(event_error(&e)),
        }
    });
}

#[cfg(target_arch = "wasm32")]
async fn runs(p: Params) -> Result<(), String> {
    use crate::bench::{log_append, persisted_appends, raw_puts, AppendBench};
    let cfg = AppendBench {
        records: p.idb_records,
        record_bytes: APPEND_VALUE,
        records_per_batch: p.idb_records_per_batch,
        batches_per_persist: p.idb_batches_per_persist,
    };
    for run in 1..=p.runs {
        let append = log_append(p.append_batches)?;
        // Alternate which IndexedDB path goes first so neither always
        // meets a freshly compacted (or a busier) database.
        let (idb_raw, idb_persisted) = if run % 2 == 1 {
            let raw = raw_puts(cfg).await.map_err(|e| e.to_string())?;
            (
                raw,
                persisted_appends(cfg).await.map_err(|e| e.to_string())?,
            )
        } else {
            let persisted = persisted_appends(cfg).await.map_err(|e| e.to_string())?;
            (raw_puts(cfg).await.map_err(|e| e.to_string())?, persisted)
        };
        post(event_run(
            run,
            RunResult {
                append,
                idb_raw,
                idb_persisted,
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_query() {
        assert_eq!(Params::from_query(""), Ok(Params::default()));
        assert_eq!(Params::from_query("?"), Ok(Params::default()));
        let p = Params::from_query("?runs=3&append_batches=1000&idb_records=5000").unwrap();
        assert_eq!((p.runs, p.append_batches, p.idb_records), (3, 1000, 5000));
        assert_eq!(p.idb_records_per_batch, 100);
        let p = Params::from_query("idb_records_per_batch=1000&idb_batches_per_persist=1").unwrap();
        assert_eq!(
            (p.idb_records_per_batch, p.idb_batches_per_persist),
            (1000, 1)
        );
    }

    #[test]
    fn rejects_bad_queries_by_name() {
        let e = Params::from_query("?runz=3").unwrap_err();
        assert!(e.contains("unknown parameter `runz`"), "{e}");
        let e = Params::from_query("?runs=0").unwrap_err();
        assert!(e.contains("`runs=0`"), "{e}");
        let e = Params::from_query("?runs=abc").unwrap_err();
        assert!(e.contains("`runs=abc`"), "{e}");
        let e = Params::from_query("?runs").unwrap_err();
        assert!(e.contains("`runs=`"), "{e}");
        assert!(Params::from_query("?runs=101").is_err());
    }

    #[test]
    fn events_are_json() {
        assert_eq!(
            event_run(
                2,
                RunResult {
                    append: 1.5e6,
                    idb_raw: 1000.0,
                    idb_persisted: f64::NAN
                }
            ),
            "{\"event\":\"run\",\"run\":2,\"append_records_per_sec\":1500000,\
             \"idb_raw_records_per_sec\":1000,\"idb_persisted_records_per_sec\":null}"
        );
        assert_eq!(
            event_error("a \"b\"\n\\"),
            "{\"event\":\"error\",\"message\":\"a \\\"b\\\"\\u000a\\\\\"}"
        );
        let start = event_start(Params::default());
        assert!(
            start.starts_with("{\"event\":\"start\",\"params\":{\"runs\":5,"),
            "{start}"
        );
        assert!(start.contains("\"idb_chunk_bytes\":65536"), "{start}");
        assert!(
            start.contains("\"append_records_per_batch\":1000"),
            "{start}"
        );
        assert_eq!(event_done(), "{\"event\":\"done\"}");
    }
}

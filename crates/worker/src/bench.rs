//! The in-browser bench page's measurements (run in a dedicated worker by
//! the `bench-worker` binary, driven by `cargo xtask bench`):
//!
//! - [`log_append`]: the native criterion bench
//!   `append_as_leader/encode_and_append_1000x100B/warm` (crates/log/benches)
//!   compiled to wasm, for the wasm/native ratio.
//! - IndexedDB throughput: the same record batches written as raw chunk
//!   puts ([`raw_puts`]) and appended to a broker's log and persisted
//!   ([`persisted_appends`]): same bytes, same 64 KiB chunks, one
//!   relaxed-durability transaction per `batches_per_persist` batches, each
//!   awaited before the next. The ratio is what the log layer (validation,
//!   offsets, indexes, the image) costs.

use kafkascope_log::{Log, LogConfig, MemoryStorage};
use protocol::batch::{RecordBatch, SimpleRecord};
use wasm_bindgen::{JsCast, JsValue};

use crate::bench_page::{APPEND_RECORDS, APPEND_VALUE};
use crate::chunks::plan;
use crate::log_store::{
    begin, classify, commit, write_plan, IdbLogError, IdbLogStorage, Layer, TxDone,
};
use crate::store::{open_database, FileStore};

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendBench {
    pub records: u32,
    /// Value size of each record.
    pub record_bytes: usize,
    pub records_per_batch: u32,
    /// Batches per `persist` (raw: per transaction).
    pub batches_per_persist: u32,
}

impl Default for AppendBench {
    fn default() -> Self {
        AppendBench {
            records: 100_000,
            record_bytes: 100,
            records_per_batch: 100,
            batches_per_persist: 10,
        }
    }
}

impl AppendBench {
    fn batches(&self) -> Vec<Vec<u8>> {
        let per = self.records_per_batch.max(1);
        let n = self.records.div_ceil(per);
        (0..n)
            .map(|b| {
                let records: Vec<SimpleRecord> = (0..per)
                    .map(|i| SimpleRecord {
                        timestamp: 1_700_000_000_000,
                        key: None,
                        value: Some(vec![(b + i) as u8; self.record_bytes]),
                        headers: Vec::new(),
                    })
                    .collect();
                RecordBatch::from_simple(0, &records).encode()
            })
            .collect()
    }

    fn records_written(&self) -> f64 {
        let per = self.records_per_batch.max(1);
        (self.records.div_ceil(per) * per) as f64
    }
}

/// `performance.now()` of the page or worker, in ms.
fn now_ms() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    let now = perf.as_ref().and_then(|p| {
        js_sys::Reflect::get(p, &"now".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?
            .call0(p)
            .ok()?
            .as_f64()
    });
    now.unwrap_or_else(js_sys::Date::now)
}

fn rate(records: f64, start: f64) -> f64 {
    let secs = ((now_ms() - start) / 1000.0).max(1e-6);
    records / secs
}

/// Appends between truncations back to the first batch. The native bench
/// uses 2,000 (about 220 MB of log); 500 keeps the worker's linear memory
/// near 60 MB. The work per append is the same: only the memory the log
/// reuses is smaller.
pub const APPEND_CHUNK: u32 = 500;

/// Leader appends of `batches` batches of 1,000 100-byte records, each
/// varint-encoded and CRC'd into a reused buffer then validated and
/// appended to a warm `Log<MemoryStorage>` (its buffers already grown), as
/// the native `encode_and_append_1000x100B/warm`. Only the appends are
/// timed. Returns records/s.
pub fn log_append(batches: u32) -> Result<f64, String> {
    let records: Vec<SimpleRecord> = (0..APPEND_RECORDS)
        .map(|i| SimpleRecord {
            timestamp: 1_700_000_000_000 + i as i64,
            key: None,
            value: Some(vec![b'x'; APPEND_VALUE]),
            headers: vec![],
        })
        .collect();
    let prebuilt = RecordBatch::from_simple(0, &records);
    let failed = |e: kafkascope_log::LogError| format!("log append bench: {e}");
    let (mut log, _) =
        Log::open(MemoryStorage::new(), "bench-0", LogConfig::default(), 0).map_err(failed)?;
    let mut buf = Vec::with_capacity(prebuilt.encode().len());
    // Warm: the log's buffers hold a whole chunk before anything is timed.
    for _ in 0..=APPEND_CHUNK {
        buf.clear();
        prebuilt.encode_into(&mut buf);
        log.append_as_leader(&mut buf, 0, 0).map_err(failed)?;
    }
    let mut elapsed_ms = 0.0;
    let mut done = 0;
    while done < batches {
        let n = APPEND_CHUNK.min(batches - done);
        log.truncate_to(APPEND_RECORDS as i64, 0).map_err(failed)?;
        let start = now_ms();
        for _ in 0..n {
            buf.clear();
            prebuilt.encode_into(&mut buf);
            log.append_as_leader(&mut buf, 0, 0).map_err(failed)?;
        }
        elapsed_ms += now_ms() - start;
        done += n;
    }
    let secs = (elapsed_ms / 1000.0).max(1e-6);
    Ok(f64::from(done) * APPEND_RECORDS as f64 / secs)
}

/// Raw IndexedDB puts: the batches appended to one chunked file, each
/// transaction rewriting the partial last chunk and adding the new ones.
/// Returns records/s.
pub async fn raw_puts(cfg: AppendBench) -> Result<f64, IdbLogError> {
    let name = "kafkascope-bench-raw";
    let failed = |op: &str, detail: String| IdbLogError::Failed {
        database: name.to_string(),
        op: op.to_string(),
        detail,
    };
    FileStore::delete_database(name)
        .await
        .map_err(|e| failed("delete", e.detail))?;
    let db: web_sys::IdbDatabase = open_database(name)
        .await
        .map_err(|e| failed("open", e.detail))?
        .into();
    let batches = cfg.batches();
    let (chunks, files) = ("page_cache_chunks", "page_cache_files");
    let mut file = Vec::new();
    let start = now_ms();
    for group in batches.chunks(cfg.batches_per_persist.max(1) as usize) {
        let from = file.len() as u64;
        for b in group {
            file.extend_from_slice(b);
        }
        let issue = || -> Result<TxDone, JsValue> {
            let tx = begin(&db, &[chunks, files], "relaxed")?;
            let done = TxDone::new(tx.clone())?;
            write_plan(
                &tx.object_store(chunks)?,
                &tx.object_store(files)?,
                "bench-0/00000000000000000000.log",
                &plan(from, Some(&file)),
            )?;
            commit(&tx);
            Ok(done)
        };
        let done = issue().map_err(|e| classify(name, "put", &e))?;
        done.wait()
            .await
            .map_err(|e| classify(name, "commit", &e))?;
    }
    let r = rate(cfg.records_written(), start);
    db.close();
    let _ = FileStore::delete_database(name).await;
    Ok(r)
}

/// The broker's path: each batch appended to a [`Log`] (validation, offset
/// assignment, indexes) on an [`IdbLogStorage`] image, persisted every
/// `batches_per_persist` batches. Returns records/s.
pub async fn persisted_appends(cfg: AppendBench) -> Result<f64, IdbLogError> {
    let name = "kafkascope-bench-log";
    FileStore::delete_database(name)
        .await
        .map_err(|e| IdbLogError::Failed {
            database: name.to_string(),
            op: "delete".into(),
            detail: e.detail,
        })?;
    let (idb, _) = IdbLogStorage::open_named(name, Layer::PageCache).await?;
    let log_failed = |e: kafkascope_log::LogError| IdbLogError::Failed {
        database: name.to_string(),
        op: "log append".into(),
        detail: e.to_string(),
    };
    let (mut log, _) =
        Log::open(idb.storage(), "bench-0", LogConfig::default(), 0).map_err(log_failed)?;
    let batches = cfg.batches();
    let start = now_ms();
    for group in batches.chunks(cfg.batches_per_persist.max(1) as usize) {
        for b in group {
            let mut bytes = b.clone();
            log.append_as_leader(&mut bytes, 0, 1_700_000_000_000)
                .map_err(log_failed)?;
        }
        idb.persist().await?;
    }
    let r = rate(cfg.records_written(), start);
    idb.close();
    let _ = FileStore::delete_database(name).await;
    Ok(r)
}

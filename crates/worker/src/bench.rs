//! IndexedDB throughput for the in-browser bench page: the same record
//! batches written as raw chunk puts ([`raw_puts`]) and appended to a
//! broker's log and persisted ([`persisted_appends`]): same bytes, same
//! 64 KiB chunks, one relaxed-durability transaction per
//! `batches_per_persist` batches, each awaited before the next. The ratio
//! is what the log layer (validation, offsets, indexes, the image) costs.

use kafkascope_log::{Log, LogConfig};
use protocol::batch::{RecordBatch, SimpleRecord};
use wasm_bindgen::{JsCast, JsValue};

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

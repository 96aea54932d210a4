//! A small file store on IndexedDB: one database per broker, files kept as
//! chunks of at most [`CHUNK_SIZE`] bytes.
//!
//! Layout of database `kafkascope-broker-<id>` (version [`DB_VERSION`]):
//! - object store `chunks`: key `[file name, chunk index]`, value a
//!   `Uint8Array` of at most 64 KiB (Chromium moves larger values to blobs,
//!   which is much slower);
//! - object store `files`: key `file name`, value its length in bytes;
//! - the same pair twice more for the broker's log directory
//!   ([`crate::log_store`]): `page_cache_chunks`/`page_cache_files` and
//!   `disk_chunks`/`disk_files`.
//!
//! Every operation on one file is one IndexedDB transaction (all chunk puts
//! and the length update commit together or not at all).

use idb::{
    Database, DatabaseEvent, Factory, KeyRange, ObjectStore, ObjectStoreParams, Query, Transaction,
    TransactionMode, TransactionResult,
};
use js_sys::{Array, Uint8Array};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

pub use crate::chunks::CHUNK_SIZE;
/// Schema version of the broker databases (2: the log directory's stores).
pub const DB_VERSION: u32 = 2;
const CHUNKS: &str = "chunks";
const FILES: &str = "files";
/// Every object store of a broker database.
const STORES: [&str; 6] = [
    CHUNKS,
    FILES,
    crate::log_store::PAGE_CACHE_CHUNKS,
    crate::log_store::PAGE_CACHE_FILES,
    crate::log_store::DISK_CHUNKS,
    crate::log_store::DISK_FILES,
];

pub use crate::database_name;

/// What went wrong, worded for a person reading the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// The operation, e.g. `open kafkascope-broker-1` or `write 00000000000000000000.log`.
    pub op: String,
    /// The browser's explanation (a DOMException name and message when there is one).
    pub detail: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IndexedDB {} failed: {}", self.op, self.detail)
    }
}

impl std::error::Error for StoreError {}

fn err(op: impl Into<String>) -> impl FnOnce(idb::Error) -> StoreError {
    let op = op.into();
    move |e| StoreError {
        op,
        detail: describe(&e),
    }
}

pub(crate) fn describe(e: &idb::Error) -> String {
    let text = e.to_string();
    // Errors from the browser carry a DOMException; its name (QuotaExceededError,
    // InvalidStateError, ...) is the most useful part.
    let js: Option<&JsValue> = match e {
        idb::Error::IndexedDbNotFound(v)
        | idb::Error::IndexedDbOpenFailed(v)
        | idb::Error::TransactionOpenFailed(v)
        | idb::Error::UpdateFailed(v)
        | idb::Error::AddFailed(v)
        | idb::Error::GetFailed(v)
        | idb::Error::GetAllKeysFailed(v)
        | idb::Error::DeleteFailed(v)
        | idb::Error::GetAllFailed(v)
        | idb::Error::TransactionCommitError(v)
        | idb::Error::TransactionAbortError(v)
        | idb::Error::CountFailed(v) => Some(v),
        idb::Error::DomException(d) => {
            return format!("{text} ({}: {})", d.name(), d.message());
        }
        _ => None,
    };
    match js.and_then(|v| v.dyn_ref::<js_sys::Error>()) {
        Some(js_err) => format!("{text} ({}: {})", js_err.name(), js_err.message()),
        None => text,
    }
}

fn aborted(op: String, tx_error: Option<web_sys::DomException>) -> StoreError {
    let detail = match tx_error {
        Some(e) => format!("transaction aborted ({}: {})", e.name(), e.message()),
        None => "transaction aborted".to_string(),
    };
    StoreError { op, detail }
}

fn chunk_key(name: &str, index: u32) -> JsValue {
    Array::of2(&JsValue::from_str(name), &JsValue::from(index)).into()
}

/// Keys `[name, from]` .. `[name, +inf]`.
fn chunk_range(name: &str, from: u32) -> Result<Query, idb::Error> {
    let upper: JsValue =
        Array::of2(&JsValue::from_str(name), &JsValue::from_f64(f64::INFINITY)).into();
    Ok(Query::KeyRange(KeyRange::bound(
        &chunk_key(name, from),
        &upper,
        Some(false),
        Some(false),
    )?))
}

/// Opens (creating or upgrading) database `name` with every store of
/// [`DB_VERSION`]. The error's detail starts with "not available" when the
/// context has no IndexedDB at all.
pub(crate) async fn open_database(name: &str) -> Result<Database, StoreError> {
    let op = format!("open {name}");
    let factory = Factory::new().map_err(|e| StoreError {
        op: op.clone(),
        detail: format!("not available in this browser context ({e})"),
    })?;
    let mut request = factory.open(name, Some(DB_VERSION)).map_err(err(&op))?;
    request.on_upgrade_needed(|event| {
        // Errors here abort the upgrade, and the open request then fails.
        if let Ok(db) = event.database() {
            let names = db.store_names();
            for store in STORES {
                if !names.iter().any(|n| n == store) {
                    let _ = db.create_object_store(store, ObjectStoreParams::new());
                }
            }
        }
    });
    request.await.map_err(err(&op))
}

/// One broker's files in IndexedDB.
pub struct FileStore {
    db: Database,
    name: String,
}

impl FileStore {
    /// Opens (creating if needed) the database of broker `broker_id`.
    pub async fn open_broker(broker_id: i32) -> Result<FileStore, StoreError> {
        Self::open(&database_name(broker_id)).await
    }

    /// Opens (creating if needed) the database `name`.
    pub async fn open(name: &str) -> Result<FileStore, StoreError> {
        let db = open_database(name).await?;
        Ok(FileStore {
            db,
            name: name.to_string(),
        })
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn tx(
        &self,
        mode: TransactionMode,
        op: &str,
    ) -> Result<(Transaction, ObjectStore, ObjectStore), StoreError> {
        let tx = self
            .db
            .transaction(&[CHUNKS, FILES], mode)
            .map_err(err(op))?;
        let chunks = tx.object_store(CHUNKS).map_err(err(op))?;
        let files = tx.object_store(FILES).map_err(err(op))?;
        Ok((tx, chunks, files))
    }

    async fn finish(tx: Transaction, op: String) -> Result<(), StoreError> {
        let raw: web_sys::IdbTransaction = tx.into();
        let error_handle = raw.clone();
        match Transaction::from(raw).commit().map_err(err(&op))?.await {
            Ok(TransactionResult::Committed) => Ok(()),
            Ok(TransactionResult::Aborted) => Err(aborted(op, error_handle.error())),
            Err(e) => Err(err(op)(e)),
        }
    }

    async fn len_in(files: &ObjectStore, name: &str, op: &str) -> Result<Option<u64>, StoreError> {
        let v = files
            .get(JsValue::from_str(name))
            .map_err(err(op))?
            .await
            .map_err(err(op))?;
        Ok(v.and_then(|v| v.as_f64()).map(|f| f as u64))
    }

    fn put_chunks(
        chunks: &ObjectStore,
        name: &str,
        first_index: u32,
        bytes: &[u8],
        op: &str,
    ) -> Result<(), StoreError> {
        for (i, chunk) in bytes.chunks(CHUNK_SIZE).enumerate() {
            let value: JsValue = Uint8Array::from(chunk).into();
            // Requests complete with the transaction; its commit reports failures.
            let _ = chunks
                .put(&value, Some(&chunk_key(name, first_index + i as u32)))
                .map_err(err(op))?;
        }
        Ok(())
    }

    /// Replaces file `name` with `bytes` (one transaction).
    pub async fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let op = format!("write {name}");
        let (tx, chunks, files) = self.tx(TransactionMode::ReadWrite, &op)?;
        let _ = chunks
            .delete(chunk_range(name, 0).map_err(err(&op))?)
            .map_err(err(&op))?;
        Self::put_chunks(&chunks, name, 0, bytes, &op)?;
        let _ = files
            .put(
                &JsValue::from_f64(bytes.len() as f64),
                Some(&JsValue::from_str(name)),
            )
            .map_err(err(&op))?;
        Self::finish(tx, op).await
    }

    /// Appends `bytes` to file `name`, creating it if needed (one transaction).
    pub async fn append_file(&self, name: &str, bytes: &[u8]) -> Result<u64, StoreError> {
        let op = format!("append {name}");
        let (tx, chunks, files) = self.tx(TransactionMode::ReadWrite, &op)?;
        let len = Self::len_in(&files, name, &op).await?.unwrap_or(0);
        let partial = (len % CHUNK_SIZE as u64) as usize;
        let mut index = (len / CHUNK_SIZE as u64) as u32;
        let mut rest = bytes;
        if partial != 0 && !rest.is_empty() {
            let last = chunks
                .get(chunk_key(name, index))
                .map_err(err(&op))?
                .await
                .map_err(err(&op))?;
            let mut head = last
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                .map(|a| a.to_vec())
                .unwrap_or_default();
            head.truncate(partial);
            let take = rest.len().min(CHUNK_SIZE - head.len());
            head.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            Self::put_chunks(&chunks, name, index, &head, &op)?;
            index += 1;
        }
        Self::put_chunks(&chunks, name, index, rest, &op)?;
        let new_len = len + bytes.len() as u64;
        let _ = files
            .put(
                &JsValue::from_f64(new_len as f64),
                Some(&JsValue::from_str(name)),
            )
            .map_err(err(&op))?;
        Self::finish(tx, op).await?;
        Ok(new_len)
    }

    /// Cuts file `name` to `len` bytes (no-op if it is not longer).
    pub async fn truncate_file(&self, name: &str, len: u64) -> Result<(), StoreError> {
        let op = format!("truncate {name}");
        let (tx, chunks, files) = self.tx(TransactionMode::ReadWrite, &op)?;
        let old = Self::len_in(&files, name, &op).await?.unwrap_or(0);
        if len < old {
            let keep = len.div_ceil(CHUNK_SIZE as u64) as u32;
            let _ = chunks
                .delete(chunk_range(name, keep).map_err(err(&op))?)
                .map_err(err(&op))?;
            let partial = (len % CHUNK_SIZE as u64) as usize;
            if partial != 0 {
                let last = chunks
                    .get(chunk_key(name, keep - 1))
                    .map_err(err(&op))?
                    .await
                    .map_err(err(&op))?;
                let mut v = last
                    .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                    .map(|a| a.to_vec())
                    .unwrap_or_default();
                v.truncate(partial);
                Self::put_chunks(&chunks, name, keep - 1, &v, &op)?;
            }
            let _ = files
                .put(
                    &JsValue::from_f64(len as f64),
                    Some(&JsValue::from_str(name)),
                )
                .map_err(err(&op))?;
        }
        Self::finish(tx, op).await
    }

    /// The whole file, or `None` if there is no file `name`.
    pub async fn read_file(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let op = format!("read {name}");
        let (tx, chunks, files) = self.tx(TransactionMode::ReadOnly, &op)?;
        let Some(len) = Self::len_in(&files, name, &op).await? else {
            return Ok(None);
        };
        let values = chunks
            .get_all(Some(chunk_range(name, 0).map_err(err(&op))?), None)
            .map_err(err(&op))?
            .await
            .map_err(err(&op))?;
        Self::finish(tx, op.clone()).await?;
        let mut out = Vec::with_capacity(len as usize);
        for v in values {
            match v.dyn_into::<Uint8Array>() {
                Ok(a) => out.extend_from_slice(&a.to_vec()),
                Err(_) => {
                    return Err(StoreError {
                        op,
                        detail: "a stored chunk is not a Uint8Array".into(),
                    })
                }
            }
        }
        if out.len() as u64 != len {
            return Err(StoreError {
                op,
                detail: format!("file records {len} bytes but its chunks hold {}", out.len()),
            });
        }
        Ok(Some(out))
    }

    /// Deletes file `name` (no-op if absent).
    pub async fn delete_file(&self, name: &str) -> Result<(), StoreError> {
        let op = format!("delete {name}");
        let (tx, chunks, files) = self.tx(TransactionMode::ReadWrite, &op)?;
        let _ = chunks
            .delete(chunk_range(name, 0).map_err(err(&op))?)
            .map_err(err(&op))?;
        let _ = files.delete(JsValue::from_str(name)).map_err(err(&op))?;
        Self::finish(tx, op).await
    }

    /// All files with their lengths, sorted by name.
    pub async fn list_files(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let op = "list files".to_string();
        let (tx, _chunks, files) = self.tx(TransactionMode::ReadOnly, &op)?;
        let keys = files
            .get_all_keys(None, None)
            .map_err(err(&op))?
            .await
            .map_err(err(&op))?;
        let lens = files
            .get_all(None, None)
            .map_err(err(&op))?
            .await
            .map_err(err(&op))?;
        Self::finish(tx, op).await?;
        Ok(keys
            .into_iter()
            .zip(lens)
            .map(|(k, v)| {
                (
                    k.as_string().unwrap_or_default(),
                    v.as_f64().unwrap_or(0.0) as u64,
                )
            })
            .collect())
    }

    /// Bytes over all files.
    pub async fn stored_bytes(&self) -> Result<u64, StoreError> {
        Ok(self.list_files().await?.iter().map(|(_, n)| n).sum())
    }

    /// Closes the connection (pending transactions finish first).
    pub fn close(self) {
        self.db.close();
    }

    /// Deletes database `name` entirely.
    pub async fn delete_database(name: &str) -> Result<(), StoreError> {
        let op = format!("delete database {name}");
        let factory = Factory::new().map_err(err(&op))?;
        factory
            .delete(name)
            .map_err(err(&op))?
            .await
            .map_err(err(&op))
    }
}

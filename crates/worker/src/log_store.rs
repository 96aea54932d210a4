//! A broker's log directory in IndexedDB: [`IdbLogStorage`].
//!
//! # The choice: an in-memory image persisted behind the broker
//!
//! The broker and its logs are synchronous state machines over a
//! [`Storage`](kafkascope_log::Storage); IndexedDB is asynchronous. The
//! broker stays pure: it runs on a `Shared<MemoryStorage>` (the *image*,
//! [`IdbLogStorage::storage`]), which already models the OS page cache (what
//! reads see) and the disk (what was fsynced). The worker calls
//! [`IdbLogStorage::persist`] after the broker handled its inputs; it drains
//! what changed in each layer and writes it to IndexedDB in order:
//!
//! - the page cache layer (`page_cache_*` stores) in one transaction with
//!   **relaxed** durability: that is what a killed process leaves behind
//!   (the kernel still writes its dirty pages back);
//! - the disk layer (`disk_*` stores), which only changes when the log
//!   fsyncs (`log.flush.interval.messages`/`log.flush.interval.ms`, a
//!   segment roll, checkpoints, a clean shutdown), in one transaction with
//!   **strict** durability.
//!
//! Both transactions are filled synchronously from the image before the
//! first `await`, so each commits the image as it was at that instant, and
//! IndexedDB runs transactions on the same stores in the order they were
//! created: what is stored is always a state the log was in.
//!
//! # Restart
//!
//! - Crash (the worker is terminated): [`IdbLogStorage::open`] loads the
//!   page cache layer; the broker then opens its logs as usual and Kafka's
//!   recovery runs (CRC check past the recovery point, torn tail truncated,
//!   indexes rebuilt, `replication-offset-checkpoint` read). What was handed
//!   to the image but not yet committed by a `persist` is lost, like a
//!   page-cache write the kernel had not written back.
//! - Power loss: [`IdbLogStorage::open_after_power_loss`] loads the disk
//!   layer: everything not fsynced is gone.
//!
//! Either way the layer not loaded is rewritten to match (after a restart,
//! everything the process finds is on disk), and a stored file that is
//! damaged (a missing, malformed or wrongly sized chunk) is cut before the
//! bad chunk and named in [`LoadReport::damaged`]; the log's own recovery
//! then cuts the partial batch this leaves ([`RecoveryReport`](kafkascope_log::RecoveryReport)).
//!
//! # Layout
//!
//! Database `kafkascope-broker-<id>` ([`crate::database_name`]); in each
//! layer a file is stored under Kafka's data-dir relative name
//! (`topic-0/00000000000000000000.log`, `.index`, `.timeindex`,
//! `topic-0/leader-epoch-checkpoint`, `topic-0/recovery-point-offset-checkpoint`,
//! `replication-offset-checkpoint`, ...) as chunks of at most 64 KiB
//! ([`crate::chunks`]) plus its length.
//!
//! # Errors
//!
//! Nothing here panics. Failures are [`IdbLogError`] values worded for the
//! page: IndexedDB unavailable (private mode, storage disabled), quota
//! exceeded, or another IndexedDB failure. A failed `persist` leaves the
//! stored state as the last committed one and the image untouched; its
//! changes are retried by the next `persist`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use idb::{Database, TransactionMode};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use kafkascope_log::{DurableChange, MemoryStorage, Shared, Storage};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbTransaction};

use crate::chunks::{assemble, plan, split_stored, stored_name, Assembled, ChunkPlan};
use crate::store::{describe, open_database, FileStore};

pub const PAGE_CACHE_CHUNKS: &str = "page_cache_chunks";
pub const PAGE_CACHE_FILES: &str = "page_cache_files";
pub const DISK_CHUNKS: &str = "disk_chunks";
pub const DISK_FILES: &str = "disk_files";

/// One of the two stored copies of the log directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Everything written (relaxed durability): survives a crash.
    PageCache,
    /// Everything fsynced (strict durability): survives a power loss.
    Disk,
}

impl Layer {
    fn stores(self) -> (&'static str, &'static str) {
        match self {
            Layer::PageCache => (PAGE_CACHE_CHUNKS, PAGE_CACHE_FILES),
            Layer::Disk => (DISK_CHUNKS, DISK_FILES),
        }
    }

    fn durability(self) -> &'static str {
        match self {
            Layer::PageCache => "relaxed",
            Layer::Disk => "strict",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn other(self) -> Layer {
        match self {
            Layer::PageCache => Layer::Disk,
            Layer::Disk => Layer::PageCache,
        }
    }
}

/// Why the log directory could not be opened or persisted, for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdbLogError {
    /// No IndexedDB here (private browsing, site storage disabled).
    Unavailable { database: String, detail: String },
    /// The origin's storage quota is used up.
    QuotaExceeded { database: String, detail: String },
    /// Any other IndexedDB failure.
    Failed {
        database: String,
        op: String,
        detail: String,
    },
}

impl fmt::Display for IdbLogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable { database, detail } => write!(
                f,
                "IndexedDB is unavailable, so the broker's log cannot be stored in {database} \
                 (private browsing or disabled site data?): {detail}"
            ),
            Self::QuotaExceeded { database, detail } => write!(
                f,
                "the browser's storage quota is exceeded: {database} keeps its last stored state \
                 and the broker keeps running from memory; free space to store again ({detail})"
            ),
            Self::Failed {
                database,
                op,
                detail,
            } => write!(f, "IndexedDB {op} in {database} failed: {detail}"),
        }
    }
}

impl std::error::Error for IdbLogError {}

/// Classifies a DOMException (or any thrown value) from IndexedDB.
pub fn classify(database: &str, op: &str, error: &JsValue) -> IdbLogError {
    let (name, message) = match error.dyn_ref::<web_sys::DomException>() {
        Some(d) => (d.name(), d.message()),
        None => match error.dyn_ref::<js_sys::Error>() {
            Some(e) => (String::from(e.name()), String::from(e.message())),
            None => (
                String::new(),
                error.as_string().unwrap_or_else(|| format!("{error:?}")),
            ),
        },
    };
    let detail = if name.is_empty() {
        message
    } else {
        format!("{name}: {message}")
    };
    let database = database.to_string();
    match name.as_str() {
        "QuotaExceededError" => IdbLogError::QuotaExceeded { database, detail },
        _ => IdbLogError::Failed {
            database,
            op: op.to_string(),
            detail,
        },
    }
}

/// What opening found in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The layer the image was loaded from.
    pub layer: Layer,
    pub files: usize,
    pub bytes: u64,
    /// Files cut before a damaged chunk, each naming the file, the chunk
    /// and what was kept.
    pub damaged: Vec<String>,
}

/// What one [`IdbLogStorage::persist`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Persisted {
    /// Files and bytes written with relaxed durability (page cache).
    pub relaxed_files: usize,
    pub relaxed_bytes: u64,
    /// Files and bytes written with strict durability (fsynced data).
    pub strict_files: usize,
    pub strict_bytes: u64,
}

/// One broker's log directory: the in-memory image the broker runs on, and
/// its two stored layers. Cheap to clone (one shared handle).
#[derive(Clone)]
pub struct IdbLogStorage(Rc<Inner>);

struct Inner {
    db: IdbDatabase,
    name: String,
    image: Shared<MemoryStorage>,
    /// Per layer, changes of a failed persist, retried by the next one.
    retry: RefCell<[BTreeMap<String, u64>; 2]>,
}

type Changes = BTreeMap<String, u64>;

fn merge(into: &mut Changes, from: Changes) {
    for (p, f) in from {
        let e = into.entry(p).or_insert(f);
        *e = (*e).min(f);
    }
}

/// Durable changes as "rewrite this file from this byte" (a removal is 0).
fn durable_from(changes: Vec<DurableChange>) -> Changes {
    let mut out = Changes::new();
    for c in changes {
        let (p, f) = match c {
            DurableChange::Written { path, from } => (path, from),
            DurableChange::Deleted { path } => (path, 0),
        };
        merge(&mut out, Changes::from([(p, f)]));
    }
    out
}

/// Resolves when `tx` commits, fails with its error when it aborts. Keeps
/// its handlers alive until then and unhooks them after.
pub(crate) struct TxDone {
    tx: IdbTransaction,
    promise: Promise,
    _handlers: [Closure<dyn FnMut()>; 2],
}

impl TxDone {
    pub(crate) fn new(tx: IdbTransaction) -> Result<TxDone, JsValue> {
        let mut slot = None;
        let promise = Promise::new(&mut |resolve, reject| slot = Some((resolve, reject)));
        let (resolve, reject): (Function, Function) =
            slot.ok_or_else(|| JsValue::from_str("Promise executor did not run"))?;
        let on_complete = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let for_error = tx.clone();
        let on_abort = Closure::<dyn FnMut()>::new(move || {
            let why = for_error
                .error()
                .map_or_else(|| JsValue::from_str("transaction aborted"), JsValue::from);
            let _ = reject.call1(&JsValue::UNDEFINED, &why);
        });
        tx.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
        tx.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
        Ok(TxDone {
            tx,
            promise,
            _handlers: [on_complete, on_abort],
        })
    }

    pub(crate) async fn wait(self) -> Result<(), JsValue> {
        let r = JsFuture::from(self.promise.clone()).await.map(|_| ());
        self.tx.set_oncomplete(None);
        self.tx.set_onabort(None);
        r
    }
}

/// `db.transaction(stores, "readwrite", {durability})`: web-sys only has the
/// options behind `web_sys_unstable_apis`, and idb not at all. Browsers
/// without durability hints ignore the option.
pub(crate) fn begin(
    db: &IdbDatabase,
    stores: &[&str],
    durability: &str,
) -> Result<IdbTransaction, JsValue> {
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &durability.into())?;
    let transaction: Function = Reflect::get(db, &"transaction".into())?.dyn_into()?;
    transaction
        .call3(db, &names, &"readwrite".into(), &options)?
        .dyn_into()
}

fn chunk_key(name: &str, index: u32) -> JsValue {
    Array::of2(&JsValue::from_str(name), &JsValue::from(index)).into()
}

/// Keys `[name, first]` ..= `[name, +inf]`.
fn chunks_from(name: &str, first: u32) -> Result<JsValue, JsValue> {
    let upper: JsValue =
        Array::of2(&JsValue::from_str(name), &JsValue::from_f64(f64::INFINITY)).into();
    IdbKeyRange::bound(&chunk_key(name, first), &upper).map(Into::into)
}

/// Commits now rather than when the event loop comes back (`commit()` is
/// marked deprecated in web-sys because IndexedDB 2.0 dropped it; 3.0 has
/// it back and every current browser implements it).
#[allow(deprecated)]
pub(crate) fn commit(tx: &IdbTransaction) {
    let _ = tx.commit();
}

/// Issues the requests that make stored file `name` match `plan`.
pub(crate) fn write_plan(
    chunks: &IdbObjectStore,
    files: &IdbObjectStore,
    name: &str,
    plan: &ChunkPlan<'_>,
) -> Result<u64, JsValue> {
    let name_key = JsValue::from_str(name);
    match plan {
        ChunkPlan::Remove => {
            chunks.delete(&chunks_from(name, 0)?)?;
            files.delete(&name_key)?;
            Ok(0)
        }
        ChunkPlan::Rewrite {
            first,
            chunks: parts,
            len,
        } => {
            chunks.delete(&chunks_from(name, *first)?)?;
            let mut bytes = 0;
            for (i, part) in parts.iter().enumerate() {
                chunks
                    .put_with_key(&Uint8Array::from(*part), &chunk_key(name, first + i as u32))?;
                bytes += part.len() as u64;
            }
            files.put_with_key(&JsValue::from_f64(*len as f64), &name_key)?;
            Ok(bytes)
        }
    }
}

/// A file's chunks as read: `(index, bytes unless not a byte array)`.
type StoredChunks = Vec<(u32, Option<Vec<u8>>)>;

/// A stored layer as loaded: file name -> what could be trusted.
type Loaded = BTreeMap<String, Assembled>;

impl IdbLogStorage {
    /// Opens broker `broker_id`'s log directory after a crash or a clean
    /// stop: the image is the page cache layer.
    pub async fn open(broker_id: i32) -> Result<(IdbLogStorage, LoadReport), IdbLogError> {
        Self::open_named(&crate::database_name(broker_id), Layer::PageCache).await
    }

    /// Opens broker `broker_id`'s log directory after a power loss: the
    /// image is the disk layer, everything never fsynced is dropped.
    pub async fn open_after_power_loss(
        broker_id: i32,
    ) -> Result<(IdbLogStorage, LoadReport), IdbLogError> {
        Self::open_named(&crate::database_name(broker_id), Layer::Disk).await
    }

    /// Opens database `name`, loading the image from `layer`.
    pub async fn open_named(
        name: &str,
        layer: Layer,
    ) -> Result<(IdbLogStorage, LoadReport), IdbLogError> {
        let db = open_database(name).await.map_err(|e| {
            if e.detail.starts_with("not available") {
                IdbLogError::Unavailable {
                    database: name.to_string(),
                    detail: e.detail,
                }
            } else if e.detail.contains("QuotaExceededError") {
                IdbLogError::QuotaExceeded {
                    database: name.to_string(),
                    detail: e.detail,
                }
            } else {
                IdbLogError::Failed {
                    database: name.to_string(),
                    op: "open".into(),
                    detail: e.detail,
                }
            }
        })?;
        let raw: IdbDatabase = db.into();
        let store = IdbLogStorage(Rc::new(Inner {
            db: raw,
            name: name.to_string(),
            image: Shared::new(MemoryStorage::new()),
            retry: RefCell::new([Changes::new(), Changes::new()]),
        }));
        let report = store.load(layer).await?;
        Ok((store, report))
    }

    /// The image the broker runs on (`Broker::new(config, storage)`).
    pub fn storage(&self) -> Shared<MemoryStorage> {
        self.0.image.clone()
    }

    pub fn database_name(&self) -> &str {
        &self.0.name
    }

    fn fail(&self, op: &str, e: &JsValue) -> IdbLogError {
        classify(&self.0.name, op, e)
    }

    fn idb_fail(&self, op: &str, e: idb::Error) -> IdbLogError {
        IdbLogError::Failed {
            database: self.0.name.clone(),
            op: op.to_string(),
            detail: describe(&e),
        }
    }

    /// Reads both layers, fills the image from `layer`, and rewrites what
    /// differs (damaged files in `layer`, the whole other layer).
    async fn load(&self, layer: Layer) -> Result<LoadReport, IdbLogError> {
        let mut loaded = [Loaded::new(), Loaded::new()];
        for l in [Layer::PageCache, Layer::Disk] {
            loaded[l.index()] = self.read_layer(l).await?;
        }
        let source = &loaded[layer.index()];
        let target = &loaded[layer.other().index()];
        let mut report = LoadReport {
            layer,
            files: source.len(),
            bytes: 0,
            damaged: Vec::new(),
        };
        {
            let mut img = self.0.image.borrow_mut();
            for (name, file) in source {
                let (dir, base) = split_stored(name);
                // Everything a restarted process finds is on disk.
                let written = img
                    .write_file(dir, base, &file.bytes)
                    .and_then(|()| img.sync(dir, base));
                if let Err(e) = written {
                    return Err(IdbLogError::Failed {
                        database: self.0.name.clone(),
                        op: format!("load {name}"),
                        detail: e.to_string(),
                    });
                }
                report.bytes += file.bytes.len() as u64;
                if let Some(d) = &file.damage {
                    report.damaged.push(d.clone());
                }
            }
            img.take_changes();
            img.take_page_cache_changes();
        }
        // Repairs: the source's damaged files from where they were cut;
        // the other layer from where it first differs.
        let mut fix: [Changes; 2] = [Changes::new(), Changes::new()];
        for (name, file) in source {
            if file.damage.is_some() {
                fix[layer.index()].insert(name.clone(), file.bytes.len() as u64);
            }
            let from = match target.get(name) {
                None => 0,
                Some(t) => {
                    let same = t.bytes.iter().zip(&file.bytes).take_while(|(a, b)| a == b);
                    let common = same.count() as u64;
                    let equal = t.damage.is_none() && t.bytes.len() == file.bytes.len();
                    if equal && common == file.bytes.len() as u64 {
                        continue;
                    }
                    common
                }
            };
            fix[layer.other().index()].insert(name.clone(), from);
        }
        for name in target.keys().filter(|n| !source.contains_key(*n)) {
            fix[layer.other().index()].insert(name.clone(), 0);
        }
        // Stored names are the image's paths without a leading '/'.
        let to_path = |n: String| {
            if n.contains('/') {
                n
            } else {
                format!("/{n}")
            }
        };
        {
            let mut retry = self.0.retry.borrow_mut();
            for (i, changes) in fix.into_iter().enumerate() {
                merge(
                    &mut retry[i],
                    changes.into_iter().map(|(n, f)| (to_path(n), f)).collect(),
                );
            }
        }
        self.persist().await?;
        Ok(report)
    }

    async fn read_layer(&self, layer: Layer) -> Result<Loaded, IdbLogError> {
        let (chunks_name, files_name) = layer.stores();
        let op = format!("read {files_name}");
        let db = Database::from(self.0.db.clone());
        let tx = db
            .transaction(&[chunks_name, files_name], TransactionMode::ReadOnly)
            .map_err(|e| self.idb_fail(&op, e))?;
        let files = tx
            .object_store(files_name)
            .map_err(|e| self.idb_fail(&op, e))?;
        let chunks = tx
            .object_store(chunks_name)
            .map_err(|e| self.idb_fail(&op, e))?;
        let names = files.get_all_keys(None, None);
        let lens = files.get_all(None, None);
        let keys = chunks.get_all_keys(None, None);
        let values = chunks.get_all(None, None);
        let (names, lens, keys, values) = match (names, lens, keys, values) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
                return Err(self.idb_fail(&op, e))
            }
        };
        let names = names.await.map_err(|e| self.idb_fail(&op, e))?;
        let lens = lens.await.map_err(|e| self.idb_fail(&op, e))?;
        let keys = keys.await.map_err(|e| self.idb_fail(&op, e))?;
        let values = values.await.map_err(|e| self.idb_fail(&op, e))?;
        // Chunks come in key order: by file name, then index.
        let mut by_file: BTreeMap<String, StoredChunks> = BTreeMap::new();
        for (key, value) in keys.into_iter().zip(values) {
            let key = Array::from(&key);
            let (Some(name), Some(index)) = (key.get(0).as_string(), key.get(1).as_f64()) else {
                continue;
            };
            let bytes = value.dyn_into::<Uint8Array>().ok().map(|a| a.to_vec());
            by_file.entry(name).or_default().push((index as u32, bytes));
        }
        let mut out = Loaded::new();
        for (name, len) in names.into_iter().zip(lens) {
            let Some(name) = name.as_string() else {
                continue;
            };
            let len = len.as_f64().unwrap_or(0.0) as u64;
            let chunks = by_file.remove(&name).unwrap_or_default();
            let file = assemble(&name, len, chunks);
            out.insert(name, file);
        }
        Ok(out)
    }

    /// Writes what changed in the image since the last call: the page
    /// cache's changes with relaxed durability, fsynced changes with strict
    /// durability, each layer in one transaction. Resolves when both
    /// committed. On failure nothing stored is lost: the stored layer keeps
    /// its last committed state and the changes are retried next time.
    pub async fn persist(&self) -> Result<Persisted, IdbLogError> {
        let mut pending = Vec::new();
        let mut out = Persisted::default();
        let mut first_error = None;
        {
            let mut img = self.0.image.borrow_mut();
            let mut retry = self.0.retry.borrow_mut();
            let mut cache = std::mem::take(&mut retry[Layer::PageCache.index()]);
            merge(&mut cache, img.take_page_cache_changes());
            let mut disk = std::mem::take(&mut retry[Layer::Disk.index()]);
            merge(&mut disk, durable_from(img.take_changes()));
            for (layer, changes) in [(Layer::PageCache, cache), (Layer::Disk, disk)] {
                if changes.is_empty() {
                    continue;
                }
                match self.issue(&img, layer, &changes) {
                    Ok((done, files, bytes)) => {
                        match layer {
                            Layer::PageCache => {
                                out.relaxed_files = files;
                                out.relaxed_bytes = bytes;
                            }
                            Layer::Disk => {
                                out.strict_files = files;
                                out.strict_bytes = bytes;
                            }
                        }
                        pending.push((layer, changes, done));
                    }
                    Err(e) => {
                        merge(&mut retry[layer.index()], changes);
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
        for (layer, changes, done) in pending {
            if let Err(e) = done.wait().await {
                merge(&mut self.0.retry.borrow_mut()[layer.index()], changes);
                first_error.get_or_insert(self.fail("commit", &e));
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Fills one transaction for `layer` from the image, synchronously.
    fn issue(
        &self,
        img: &MemoryStorage,
        layer: Layer,
        changes: &Changes,
    ) -> Result<(TxDone, usize, u64), IdbLogError> {
        let (chunks_name, files_name) = layer.stores();
        let op = format!("write {files_name}");
        let fill = || -> Result<(TxDone, u64), JsValue> {
            let tx = begin(&self.0.db, &[chunks_name, files_name], layer.durability())?;
            let done = TxDone::new(tx.clone())?;
            let chunks = tx.object_store(chunks_name)?;
            let files = tx.object_store(files_name)?;
            let mut bytes = 0;
            for (path, from) in changes {
                let content = match layer {
                    Layer::PageCache => img.cached(path),
                    Layer::Disk => img.durable(path),
                };
                let plan = plan(*from, content);
                match write_plan(&chunks, &files, stored_name(path), &plan) {
                    Ok(n) => bytes += n,
                    Err(e) => {
                        // Nothing of a half-filled transaction may commit.
                        let _ = tx.abort();
                        return Err(e);
                    }
                }
            }
            commit(&tx);
            Ok((done, bytes))
        };
        let (done, bytes) = fill().map_err(|e| self.fail(&op, &e))?;
        Ok((done, changes.len(), bytes))
    }

    /// Stored files of `layer` with their lengths (for the page and tests).
    pub async fn stored_files(&self, layer: Layer) -> Result<Vec<(String, u64)>, IdbLogError> {
        Ok(self
            .read_layer(layer)
            .await?
            .into_iter()
            .map(|(n, f)| (n, f.bytes.len() as u64))
            .collect())
    }

    /// Closes the connection (transactions already issued still commit).
    pub fn close(&self) {
        self.0.db.close();
    }

    /// Deletes broker `broker_id`'s database (a fresh start).
    pub async fn delete(broker_id: i32) -> Result<(), IdbLogError> {
        Self::delete_named(&crate::database_name(broker_id)).await
    }

    /// Deletes database `name` (a fresh log directory).
    pub async fn delete_named(name: &str) -> Result<(), IdbLogError> {
        let name = name.to_string();
        FileStore::delete_database(&name)
            .await
            .map_err(|e| IdbLogError::Failed {
                database: name,
                op: "delete".into(),
                detail: e.detail,
            })
    }
}

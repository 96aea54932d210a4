//! The broker's log directory in IndexedDB (`IdbLogStorage`), in headless
//! Chromium inside a dedicated worker (`cargo xtask test`): round trip of
//! segments, indexes and checkpoints; crash and power-loss restarts; a
//! damaged stored chunk.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use kafkascope_log::{Log, LogConfig, MemoryStorage, Shared, Storage};
use kafkascope_worker::bench::{log_append, persisted_appends, raw_puts, AppendBench};
use kafkascope_worker::chunks::CHUNK_SIZE;
use kafkascope_worker::log_store::{classify, IdbLogError, IdbLogStorage, Layer};
use kafkascope_worker::store::FileStore;
use protocol::batch::{RecordBatch, SimpleRecord};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

type IdbLog = Log<Shared<MemoryStorage>>;

const DIR: &str = "t-0";
const SEGMENT: &str = "t-0/00000000000000000000.log";

fn batch(n: usize, seed: usize) -> Vec<u8> {
    let records: Vec<SimpleRecord> = (0..n)
        .map(|i| SimpleRecord {
            timestamp: 1_700_000_000_000 + (seed * 10 + i) as i64,
            key: Some(format!("k{seed}-{i}").into_bytes()),
            value: Some(vec![(seed + i) as u8; 100]),
            headers: Vec::new(),
        })
        .collect();
    RecordBatch::from_simple(0, &records).encode()
}

/// Appends `batches` batches of 10 records; returns the LEO.
fn append(log: &mut IdbLog, batches: std::ops::Range<usize>) -> i64 {
    for b in batches {
        let mut bytes = batch(10, b);
        log.append_as_leader(&mut bytes, 0, 1_700_000_000_000 + b as i64)
            .unwrap();
    }
    log.log_end_offset()
}

/// Every file as reads see it.
fn files(st: &Shared<MemoryStorage>) -> BTreeMap<String, Vec<u8>> {
    let st = st.borrow();
    st.paths()
        .into_iter()
        .map(|p| {
            let bytes = st.cached(&p).unwrap_or_default().to_vec();
            (p, bytes)
        })
        .collect()
}

async fn fresh(name: &str) -> IdbLogStorage {
    FileStore::delete_database(name).await.unwrap();
    IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap()
        .0
}

fn open_log(st: &IdbLogStorage, cfg: &[(&str, &str)]) -> (IdbLog, kafkascope_log::RecoveryReport) {
    let cfg = LogConfig::from_pairs(cfg.iter().copied()).unwrap();
    Log::open(st.storage(), DIR, cfg, 1_700_000_000_000).unwrap()
}

#[wasm_bindgen_test]
async fn segments_indexes_and_checkpoints_round_trip() {
    let name = "kafkascope-test-log-round-trip";
    let idb = fresh(name).await;
    let cfg = [("segment.bytes", "150000"), ("index.interval.bytes", "512")];
    let (mut log, _) = open_log(&idb, &cfg);
    log.maybe_assign_epoch_start_offset(3, 0).unwrap();
    // ~1.2 KB per batch: two segments, the first over two chunks.
    let leo = append(&mut log, 0..200);
    assert!(log.segments().len() >= 2);
    // The broker's HW checkpoint lives at the root of the data dir.
    {
        let mut st = idb.storage();
        st.write_file("", "replication-offset-checkpoint", b"0\n1\nt 0 1234\n")
            .unwrap();
        st.sync("", "replication-offset-checkpoint").unwrap();
    }
    let storage = log.close(1_700_000_001_000).unwrap();
    let before = files(&storage);
    let written = idb.persist().await.unwrap();
    assert!(written.relaxed_bytes > CHUNK_SIZE as u64 * 2, "{written:?}");
    assert!(written.strict_bytes > CHUNK_SIZE as u64 * 2, "{written:?}");

    let stored: Vec<String> = idb
        .stored_files(Layer::PageCache)
        .await
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for f in [
        "replication-offset-checkpoint",
        SEGMENT,
        "t-0/00000000000000000000.index",
        "t-0/00000000000000000000.timeindex",
        "t-0/leader-epoch-checkpoint",
        "t-0/recovery-point-offset-checkpoint",
        "t-0/.kafka_cleanshutdown",
    ] {
        assert!(stored.iter().any(|s| s == f), "{f} not in {stored:?}");
    }
    assert!(stored.iter().filter(|s| s.ends_with(".log")).count() >= 2);
    idb.close();

    for layer in [Layer::PageCache, Layer::Disk] {
        let (again, report) = IdbLogStorage::open_named(name, layer).await.unwrap();
        assert_eq!(report.damaged, Vec::<String>::new());
        assert_eq!(files(&again.storage()), before, "{layer:?}");
        let (log, rec) = open_log(&again, &cfg);
        assert!(rec.clean_shutdown);
        assert_eq!(log.log_end_offset(), leo);
        assert_eq!(log.leader_epoch_cache().latest_epoch(), Some(3));
        let read = log.read(1000, 1 << 20, None, true).unwrap();
        assert!(!read.records.is_empty());
        again.close();
    }
    FileStore::delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn crash_restart_recovers_exactly_what_was_persisted() {
    let name = "kafkascope-test-log-crash";
    let idb = fresh(name).await;
    let (mut log, _) = open_log(&idb, &[]);
    let persisted_leo = append(&mut log, 0..80);
    idb.persist().await.unwrap();
    let persisted = files(&idb.storage());
    // More appends reach the image but no persist commits them: the worker
    // is killed with them in memory.
    let lost_leo = append(&mut log, 80..120);
    assert!(lost_leo > persisted_leo);
    drop(log);
    idb.close();
    drop(idb);

    let (again, report) = IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap();
    assert!(report.damaged.is_empty(), "{report:?}");
    assert_eq!(files(&again.storage()), persisted);
    let (log, rec) = open_log(&again, &[]);
    assert!(!rec.clean_shutdown);
    assert_eq!(rec.bytes_truncated, 0, "{rec:?}");
    assert_eq!(log.log_end_offset(), persisted_leo);
    again.close();
    FileStore::delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn power_loss_loses_exactly_the_unflushed_tail() {
    let name = "kafkascope-test-log-power";
    let idb = fresh(name).await;
    let (mut log, _) = open_log(&idb, &[]);
    let flushed_leo = append(&mut log, 0..60);
    log.flush(1_700_000_000_500).unwrap();
    let written = idb.persist().await.unwrap();
    assert!(written.strict_bytes > 0, "{written:?}");
    let unflushed_leo = append(&mut log, 60..100);
    let written = idb.persist().await.unwrap();
    assert_eq!(written.strict_bytes, 0, "{written:?}");
    // What Kafka's disk holds after the power loss.
    let expected = {
        let mut m = idb.storage().borrow().clone();
        m.power_off();
        files(&Shared::new(m))
    };
    let crashed = files(&idb.storage());
    drop(log);
    idb.close();

    let (again, report) = IdbLogStorage::open_named(name, Layer::Disk).await.unwrap();
    assert_eq!(report.layer, Layer::Disk);
    assert_eq!(files(&again.storage()), expected);
    assert_ne!(expected, crashed);
    let (log, rec) = open_log(&again, &[]);
    assert_eq!(log.log_end_offset(), flushed_leo);
    assert!(flushed_leo < unflushed_leo);
    assert!(!rec.clean_shutdown);
    drop(log);
    again.close();

    // The page cache layer was brought in line: a later crash restart finds
    // the same.
    let (third, _) = IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap();
    assert_eq!(files(&third.storage()), expected);
    third.close();
    FileStore::delete_database(name).await.unwrap();
}

/// Puts `value` as chunk `index` of `file` in the page cache layer, behind
/// the store's back.
async fn tamper(db_name: &str, file: &str, index: u32, value: JsValue) {
    let factory = idb::Factory::new().unwrap();
    let db = factory.open(db_name, None).unwrap().await.unwrap();
    let tx = db
        .transaction(&["page_cache_chunks"], idb::TransactionMode::ReadWrite)
        .unwrap();
    let store = tx.object_store("page_cache_chunks").unwrap();
    let key: JsValue = js_sys::Array::of2(&JsValue::from_str(file), &JsValue::from(index)).into();
    store.put(&value, Some(&key)).unwrap().await.unwrap();
    tx.commit().unwrap().await.unwrap();
    db.close();
}

async fn read_chunk(db_name: &str, file: &str, index: u32) -> Vec<u8> {
    let factory = idb::Factory::new().unwrap();
    let db = factory.open(db_name, None).unwrap().await.unwrap();
    let tx = db
        .transaction(&["page_cache_chunks"], idb::TransactionMode::ReadOnly)
        .unwrap();
    let store = tx.object_store("page_cache_chunks").unwrap();
    let key: JsValue = js_sys::Array::of2(&JsValue::from_str(file), &JsValue::from(index)).into();
    let v = store.get(key).unwrap().await.unwrap().unwrap();
    db.close();
    js_sys::Uint8Array::new(&v).to_vec()
}

#[wasm_bindgen_test]
async fn a_damaged_chunk_is_cut_and_reported_and_recovery_truncates() {
    let name = "kafkascope-test-log-damaged";
    let idb = fresh(name).await;
    let (mut log, _) = open_log(&idb, &[]);
    let leo = append(&mut log, 0..200);
    let seg_len = idb.storage().borrow().cached(SEGMENT).unwrap().len();
    assert!(seg_len > CHUNK_SIZE * 3);
    idb.persist().await.unwrap();
    drop(log);
    idb.close();

    // Chunk 2 is no longer a byte array.
    tamper(name, SEGMENT, 2, JsValue::from_str("not bytes")).await;
    let (again, report) = IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap();
    assert_eq!(
        report.damaged,
        vec![format!(
            "{SEGMENT}: chunk 2 is not a byte array; kept the first {} of {seg_len} bytes",
            CHUNK_SIZE * 2
        )]
    );
    let (log, rec) = open_log(&again, &[]);
    // The log cut the batch the chunk boundary tore.
    let (path, pos, why) = rec.truncated_at.clone().expect("a truncation");
    assert_eq!(path, SEGMENT);
    assert!(pos <= (CHUNK_SIZE * 2) as u64, "{pos}");
    assert!(!why.is_empty());
    let kept = log.log_end_offset();
    assert!(kept > 0 && kept < leo, "{kept} of {leo}");
    drop(log);
    again.persist().await.unwrap();
    again.close();

    // The repair is stored: the next restart finds a whole, shorter log.
    let (third, report) = IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap();
    assert!(report.damaged.is_empty(), "{report:?}");
    let (log, rec) = open_log(&third, &[]);
    assert_eq!(rec.bytes_truncated, 0, "{rec:?}");
    assert_eq!(log.log_end_offset(), kept);
    drop(log);

    // A flipped byte in the last batch's records: the chunk looks fine,
    // the batch's CRC does not.
    let mut log = open_log(&third, &[]).0;
    let leo = append(&mut log, 200..260);
    drop(log);
    let seg_len = third.storage().borrow().cached(SEGMENT).unwrap().len();
    third.persist().await.unwrap();
    third.close();
    let at = seg_len - 200;
    let index = (at / CHUNK_SIZE) as u32;
    let mut chunk = read_chunk(name, SEGMENT, index).await;
    chunk[at % CHUNK_SIZE] ^= 0x40;
    tamper(
        name,
        SEGMENT,
        index,
        js_sys::Uint8Array::from(&chunk[..]).into(),
    )
    .await;
    let (fourth, report) = IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap();
    assert!(report.damaged.is_empty(), "{report:?}");
    let (log, rec) = open_log(&fourth, &[]);
    let (path, pos, why) = rec.truncated_at.clone().expect("a CRC truncation");
    assert_eq!(path, SEGMENT);
    assert!(why.contains("CRC"), "{why}");
    assert!(pos < at as u64 && pos + 2000 > at as u64, "{pos} vs {at}");
    assert_eq!(log.log_end_offset(), leo - 10);
    drop(log);
    fourth.close();
    FileStore::delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
fn quota_and_other_failures_are_clear_values() {
    let quota = web_sys::DomException::new_with_message_and_name(
        "The quota has been exceeded.",
        "QuotaExceededError",
    )
    .unwrap();
    let e = classify("kafkascope-broker-1", "commit", &quota.into());
    assert!(matches!(e, IdbLogError::QuotaExceeded { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("storage quota is exceeded"), "{text}");
    assert!(text.contains("kafkascope-broker-1"), "{text}");

    let other =
        web_sys::DomException::new_with_message_and_name("gone", "InvalidStateError").unwrap();
    let e = classify(
        "kafkascope-broker-2",
        "write page_cache_files",
        &other.into(),
    );
    assert_eq!(
        e.to_string(),
        "IndexedDB write page_cache_files in kafkascope-broker-2 failed: InvalidStateError: gone"
    );
}

#[wasm_bindgen_test]
async fn a_failed_persist_is_an_error_value_and_stores_nothing() {
    let name = "kafkascope-test-log-closed";
    let idb = fresh(name).await;
    let (mut log, _) = open_log(&idb, &[]);
    append(&mut log, 0..5);
    idb.close();
    let e = idb.persist().await.unwrap_err();
    assert!(matches!(e, IdbLogError::Failed { .. }), "{e:?}");
    assert!(e.to_string().contains(name), "{e}");
    // The image is untouched and nothing half-written is stored.
    assert_eq!(log.log_end_offset(), 50);
    let (again, report) = IdbLogStorage::open_named(name, Layer::PageCache)
        .await
        .unwrap();
    assert!(report.damaged.is_empty());
    assert!(files(&again.storage()).is_empty());
    again.close();
    FileStore::delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn bench_functions_measure_both_paths() {
    let cfg = AppendBench {
        records: 2_000,
        ..AppendBench::default()
    };
    let raw = raw_puts(cfg).await.unwrap();
    let persisted = persisted_appends(cfg).await.unwrap();
    assert!(raw.is_finite() && raw > 0.0, "{raw}");
    assert!(persisted.is_finite() && persisted > 0.0, "{persisted}");
}

#[wasm_bindgen_test]
fn log_append_bench_measures_in_the_worker() {
    // More batches than one truncation chunk: the loop crosses a truncation.
    let rate = log_append(kafkascope_worker::bench::APPEND_CHUNK + 3).unwrap();
    assert!(rate.is_finite() && rate > 0.0, "{rate}");
}

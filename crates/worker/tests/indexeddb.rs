//! IndexedDB round trips, run by wasm-bindgen-test in headless Chromium
//! inside a dedicated worker (where the brokers run):
//! `cargo xtask test`, or `CHROMEDRIVER=/usr/bin/chromedriver cargo test
//! --target wasm32-unknown-unknown -p kafkascope-worker`, or
//! `wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver crates/worker`.
#![cfg(target_arch = "wasm32")]

use kafkascope_worker::codec::FromWorker;
use kafkascope_worker::runtime::boot;
use kafkascope_worker::segment::{boot_batch, segment_file_name, verify_read_back};
use kafkascope_worker::store::{database_name, FileStore, CHUNK_SIZE};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn runs_inside_a_dedicated_worker() {
    assert!(js_sys::global()
        .dyn_into::<web_sys::DedicatedWorkerGlobalScope>()
        .is_ok());
}

#[wasm_bindgen_test]
async fn broker_boot_writes_and_reads_back_its_first_segment() {
    let id = 9101;
    FileStore::delete_database(&database_name(id))
        .await
        .unwrap();
    let msg = boot(id).await;
    let expected_len = boot_batch(id, 0).len() as u64;
    match msg {
        FromWorker::Ready {
            broker_id,
            segment,
            records,
            stored_bytes,
        } => {
            assert_eq!(broker_id, id);
            assert_eq!(segment, "00000000000000000000.log");
            assert_eq!(records, 3);
            assert_eq!(stored_bytes, expected_len);
        }
        other => panic!("boot failed: {other:?}"),
    }
    // A second connection sees the same bytes, CRC intact.
    let store = FileStore::open_broker(id).await.unwrap();
    let read = store
        .read_file(&segment_file_name(0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.len() as u64, expected_len);
    assert_eq!(verify_read_back(&read, &read), Ok(3));
    store.close();
    FileStore::delete_database(&database_name(id))
        .await
        .unwrap();
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[wasm_bindgen_test]
async fn large_files_are_chunked_appended_truncated_and_deleted() {
    let name = "kafkascope-test-chunks";
    FileStore::delete_database(name).await.unwrap();
    let store = FileStore::open(name).await.unwrap();
    assert_eq!(store.read_file("a.log").await.unwrap(), None);

    // 2.5 chunks in one write.
    let mut a = pattern(CHUNK_SIZE * 2 + CHUNK_SIZE / 2, 1);
    store.write_file("a.log", &a).await.unwrap();
    assert_eq!(
        store.read_file("a.log").await.unwrap().as_deref(),
        Some(&a[..])
    );

    // Append across the chunk boundary, then exactly to it.
    let more = pattern(CHUNK_SIZE, 7);
    let len = store.append_file("a.log", &more).await.unwrap();
    a.extend_from_slice(&more);
    assert_eq!(len, a.len() as u64);
    assert_eq!(
        store.read_file("a.log").await.unwrap().as_deref(),
        Some(&a[..])
    );
    let tail = pattern(CHUNK_SIZE / 2, 9);
    store.append_file("a.log", &tail).await.unwrap();
    a.extend_from_slice(&tail);
    assert_eq!(a.len() % CHUNK_SIZE, 0);
    assert_eq!(
        store.read_file("a.log").await.unwrap().as_deref(),
        Some(&a[..])
    );

    // Truncate mid-chunk (a torn tail) and to zero.
    store.truncate_file("a.log", 100_001).await.unwrap();
    a.truncate(100_001);
    assert_eq!(
        store.read_file("a.log").await.unwrap().as_deref(),
        Some(&a[..])
    );

    // A shorter rewrite leaves no stale chunks behind.
    store.write_file("b.index", &[1, 2, 3]).await.unwrap();
    store.write_file("b.index", &[4]).await.unwrap();
    assert_eq!(store.read_file("b.index").await.unwrap(), Some(vec![4]));
    assert_eq!(
        store.list_files().await.unwrap(),
        vec![("a.log".to_string(), 100_001), ("b.index".to_string(), 1)]
    );
    assert_eq!(store.stored_bytes().await.unwrap(), 100_002);

    store.truncate_file("a.log", 0).await.unwrap();
    assert_eq!(store.read_file("a.log").await.unwrap(), Some(vec![]));
    store.delete_file("a.log").await.unwrap();
    assert_eq!(store.read_file("a.log").await.unwrap(), None);
    assert_eq!(store.stored_bytes().await.unwrap(), 1);
    store.close();
    FileStore::delete_database(name).await.unwrap();
}

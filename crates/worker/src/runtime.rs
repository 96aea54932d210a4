//! The broker worker's side of the page<->worker protocol.
//!
//! On start the worker says [`FromWorker::Hello`]; the page answers
//! [`ToWorker::Start`] with the broker id; the worker opens its IndexedDB
//! database, writes its first segment, reads it back, verifies it and
//! answers [`FromWorker::Ready`] (or [`FromWorker::Failed`] with a message
//! for the page). Nothing here panics; a panic anyway is reported as
//! `Failed` by the panic hook before the worker stops.

use crate::codec::{FromWorker, ToWorker};
use crate::segment::{boot_batch, segment_file_name, verify_read_back};
use crate::store::FileStore;
use js_sys::{Array, ArrayBuffer, SharedArrayBuffer, Uint8Array};
use std::sync::atomic::{AtomicI32, Ordering};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The broker id once `Start` arrived (-1 before), for the panic hook.
static BROKER_ID: AtomicI32 = AtomicI32::new(-1);

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `msg` to the page as a transferred ArrayBuffer.
pub fn post(msg: &FromWorker) {
    let buf = bytes_to_buffer(&msg.encode());
    // Posting only fails for untransferable values; nothing to report it to.
    let _ = scope().post_message_with_transfer(&buf, &Array::of1(&buf));
}

/// Copies `bytes` into a fresh ArrayBuffer.
pub fn bytes_to_buffer(bytes: &[u8]) -> ArrayBuffer {
    Uint8Array::from(bytes).buffer()
}

/// Installs the message handler and greets the page.
pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("broker worker panicked: {info}");
        // A hosted broker's router is blocked waiting for its reply.
        crate::hosted::fail(message.clone());
        post(&FromWorker::Failed {
            broker_id: BROKER_ID.load(Ordering::Relaxed),
            message,
        });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        // The router's channel: from now on this worker hosts a broker.
        if let Ok(buffer) = event.data().dyn_into::<SharedArrayBuffer>() {
            crate::hosted::attach(buffer);
            return;
        }
        if crate::hosted::attached() {
            if let Ok(buf) = event.data().dyn_into::<ArrayBuffer>() {
                crate::hosted::on_message(Uint8Array::new(&buf).to_vec());
            }
            return;
        }
        let bytes = match event.data().dyn_into::<ArrayBuffer>() {
            Ok(buf) => Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                post(&FromWorker::Failed {
                    broker_id: BROKER_ID.load(Ordering::Relaxed),
                    message: "the page sent a message that is not an ArrayBuffer".into(),
                });
                return;
            }
        };
        match ToWorker::decode(&bytes) {
            Ok(ToWorker::Start { broker_id }) => {
                BROKER_ID.store(broker_id, Ordering::Relaxed);
                wasm_bindgen_futures::spawn_local(async move {
                    post(&boot(broker_id).await);
                });
            }
            Err(e) => post(&FromWorker::Failed {
                broker_id: BROKER_ID.load(Ordering::Relaxed),
                message: format!("bad message from the page: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromWorker::Hello);
}

/// Boots broker `broker_id`: the IndexedDB round trip of its first segment.
pub async fn boot(broker_id: i32) -> FromWorker {
    match try_boot(broker_id).await {
        Ok(msg) => msg,
        Err(message) => FromWorker::Failed { broker_id, message },
    }
}

async fn try_boot(broker_id: i32) -> Result<FromWorker, String> {
    let store = FileStore::open_broker(broker_id)
        .await
        .map_err(|e| e.to_string())?;
    let segment = segment_file_name(0);
    let written = boot_batch(broker_id, js_sys::Date::now() as i64);
    store
        .write_file(&segment, &written)
        .await
        .map_err(|e| e.to_string())?;
    let read = store
        .read_file(&segment)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{segment} is missing right after it was written"))?;
    let records = verify_read_back(&written, &read)?;
    let stored_bytes = store.stored_bytes().await.map_err(|e| e.to_string())?;
    store.close();
    Ok(FromWorker::Ready {
        broker_id,
        segment,
        records,
        stored_bytes,
    })
}

//! The engine worker's message loop: bytes in, one reply out per request.
//! A panic (a bug) still reaches the page as `Reply::Failed` through the
//! panic hook; the worker is dead after it and the page says so.

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Uint8Array};
use kafkascope_view::engine::{Reply, Request};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::Engine;

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `reply` to the page as a transferred ArrayBuffer.
fn post(reply: &Reply) {
    let buf = Uint8Array::from(&reply.encode()[..]).buffer();
    // Posting only fails for untransferable values; nothing to report it to.
    let _ = scope().post_message_with_transfer(&buf, &Array::of1(&buf));
}

pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        post(&Reply::Failed {
            message: format!("the cluster engine stopped on a bug: {info}"),
        });
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let reply = match event.data().dyn_into::<ArrayBuffer>() {
            Err(_) => Reply::Failed {
                message: "the page sent a message that is not an ArrayBuffer".into(),
            },
            Ok(buf) => match Request::decode(&Uint8Array::new(&buf).to_vec()) {
                Err(e) => Reply::Failed {
                    message: format!("bad message from the page: {e}"),
                },
                Ok(req) => ENGINE.with(|e| e.borrow_mut().handle(req)),
            },
        };
        post(&reply);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Hello);
}

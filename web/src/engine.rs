//! The page's handle on the engine worker (`cluster-worker`, built by Trunk
//! from `crates/engine-worker`). Requests are queued and sent one at a
//! time: the worker answers each with one reply, so a slow replay or a long
//! `run until` never piles up work, and playing only sends a tick when the
//! worker is idle.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Array, ArrayBuffer, Uint8Array};
use kafkascope_view::engine::{Reply, Request};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::Callback;

/// The worker script Trunk emits for the `cluster-worker` bin.
pub const ENGINE_URL: &str = "./cluster-worker_loader.js";

/// Where a script sent with [`Engine::send_from`] came from (a file, a
/// demo, a link): its reply is told apart from the others, so the page
/// says it was loaded only once the engine accepted it, and names the file
/// in the errors when it did not.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Shown before each error's line number (`four.scn line 2: ...`).
    pub file: Option<String>,
    /// The note shown once the engine accepted the script, translated.
    pub accepted: String,
}

struct Inner {
    worker: Worker,
    queue: RefCell<VecDeque<(Request, Option<Source>)>>,
    /// The source of the request with the worker, if it had one.
    in_flight: RefCell<Option<Source>>,
    /// The worker said hello (its wasm runs).
    ready: Cell<bool>,
    /// A request is with the worker.
    busy: Cell<bool>,
    /// The worker is gone (a panic, a script that did not load).
    dead: Cell<bool>,
    on_reply: Callback<(Reply, Option<Source>)>,
}

/// Dropping the handle terminates the worker.
pub struct Engine {
    inner: Rc<Inner>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.inner.worker.terminate();
    }
}

pub fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        format!("{}: {}", err.name(), err.message())
    } else {
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    }
}

impl Inner {
    fn pump(&self) {
        if !self.ready.get() || self.busy.get() || self.dead.get() {
            return;
        }
        let Some((req, source)) = self.queue.borrow_mut().pop_front() else {
            return;
        };
        *self.in_flight.borrow_mut() = source;
        let buf = Uint8Array::from(&req.encode()[..]).buffer();
        match self
            .worker
            .post_message_with_transfer(&buf, &Array::of1(&buf))
        {
            Ok(()) => self.busy.set(true),
            Err(e) => self.fail(format!("could not message the engine: {}", describe(&e))),
        }
    }

    fn fail(&self, message: String) {
        self.dead.set(true);
        self.queue.borrow_mut().clear();
        self.in_flight.borrow_mut().take();
        self.on_reply.emit((Reply::Failed { message }, None));
    }
}

impl Engine {
    pub fn spawn(on_reply: Callback<(Reply, Option<Source>)>) -> Result<Engine, String> {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Classic);
        opts.set_name("cluster-engine");
        let worker = Worker::new_with_options(ENGINE_URL, &opts)
            .map_err(|e| format!("could not start the engine worker: {}", describe(&e)))?;
        let inner = Rc::new(Inner {
            worker: worker.clone(),
            queue: RefCell::default(),
            in_flight: RefCell::default(),
            ready: Cell::new(false),
            busy: Cell::new(false),
            dead: Cell::new(false),
            on_reply,
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let reply = match event.data().dyn_into::<ArrayBuffer>() {
                Ok(buf) => Reply::decode(&Uint8Array::new(&buf).to_vec()).unwrap_or_else(|e| {
                    Reply::Failed {
                        message: format!("undecodable message from the engine: {e}"),
                    }
                }),
                Err(_) => Reply::Failed {
                    message: "the engine sent a non-binary message".into(),
                },
            };
            // Every request gets one reply; Hello answers none.
            let source = match &reply {
                Reply::Hello => {
                    inner.ready.set(true);
                    None
                }
                _ => {
                    inner.busy.set(false);
                    inner.in_flight.borrow_mut().take()
                }
            };
            inner.on_reply.emit((reply, source));
            inner.pump();
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            event.prevent_default();
            let Some(inner) = weak.upgrade() else { return };
            let msg = event
                .dyn_ref::<ErrorEvent>()
                .map(|e| e.message())
                .unwrap_or_default();
            inner.fail(if msg.is_empty() {
                format!("the engine worker script {ENGINE_URL} failed to load or crashed")
            } else {
                format!("engine worker error: {msg}")
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Engine {
            inner,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Queues `req`; it goes out when the worker is free.
    pub fn send(&self, req: Request) {
        self.inner.queue.borrow_mut().push_back((req, None));
        self.inner.pump();
    }

    /// Queues `req` (a script to load) with where it came from, which
    /// comes back with its reply.
    pub fn send_from(&self, req: Request, source: Source) {
        self.inner.queue.borrow_mut().push_back((req, Some(source)));
        self.inner.pump();
    }

    /// Nothing queued and nothing with the worker.
    pub fn idle(&self) -> bool {
        self.inner.ready.get() && !self.inner.busy.get() && self.inner.queue.borrow().is_empty()
    }
}

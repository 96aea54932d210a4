//! The engine worker's message loop: bytes in, one reply out per request,
//! in order. A panic (a bug) still reaches the page as `Reply::Failed`
//! through the panic hook; the worker is dead after it and the page says so.
//!
//! Before a request that may start broker processes in web workers, the
//! loop boots enough workers (asynchronously: fetching and compiling their
//! wasm); the request itself then runs to the end without yielding.
//!
//! With live brokers ([`Engine::advance_live`]) a second loop runs on the
//! event loop between requests: each turn moves virtual time on by the
//! real milliseconds since the last turn (`performance.now()`), taking in
//! what the broker workers finished. A turn comes when a broker worker
//! rings (its outputs are in), when the next event is due, or at once
//! while events are due still.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use cluster::cluster::Hosts;
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use kafkascope_view::engine::{Reply, Request};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::workers::WorkerHosts;
use crate::Engine;

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::default());
    static PUMP: RefCell<Pump> = RefCell::new(Pump::default());
    /// Requests not yet handled, oldest first, and whether the loop runs.
    static QUEUE: RefCell<(VecDeque<Result<Request, String>>, bool)> =
        const { RefCell::new((VecDeque::new(), false)) };
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

/// Brokers in web workers need the router to block on a shared buffer:
/// only in a cross-origin isolated page.
fn worker_hosts() -> Result<(Rc<RefCell<WorkerHosts>>, Hosts), String> {
    let isolated = Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !isolated {
        return Err("brokers in web workers need a cross-origin isolated page \
             (served with Cross-Origin-Opener-Policy: same-origin and \
             Cross-Origin-Embedder-Policy: require-corp, as `cargo xtask serve` does); \
             this page is not, so every broker runs in the engine's worker"
            .into());
    }
    let hosts = Rc::new(RefCell::new(WorkerHosts::default()));
    let shared: Hosts = hosts.clone();
    Ok((hosts, shared))
}

/// The live loop's state.
#[derive(Default)]
struct Pump {
    /// `performance.now()` at the last turn, and the fraction of a ms not
    /// yet given to the clock.
    last: Option<f64>,
    carry: f64,
    /// The timer set for the next turn and when it fires.
    timer: Option<(i32, f64)>,
    /// The callback the timers run (made once).
    tick: Option<Closure<dyn FnMut()>>,
    /// The channel [`soon`] posts to, and its handler (made once).
    port: Option<(web_sys::MessageChannel, Closure<dyn FnMut()>)>,
}

fn performance_now() -> f64 {
    Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| {
            let now = Reflect::get(&p, &"now".into()).ok()?;
            now.dyn_into::<js_sys::Function>().ok()?.call0(&p).ok()
        })
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// A broker worker rang, or a request was carried out: a live turn now
/// (this runs on the event loop already; a timer would add a hop).
pub fn wake() {
    turn();
}

/// A turn as soon as the event loop has looked at its messages: through a
/// `MessageChannel`, since chained zero-delay timers are clamped to 4 ms.
fn soon() {
    PUMP.with(|p| {
        let mut p = p.borrow_mut();
        if p.port.is_none() {
            let Ok(channel) = web_sys::MessageChannel::new() else {
                return;
            };
            let on = Closure::<dyn FnMut()>::new(turn);
            channel
                .port1()
                .set_onmessage(Some(on.as_ref().unchecked_ref()));
            p.port = Some((channel, on));
        }
        if let Some((channel, _)) = &p.port {
            let _ = channel.port2().post_message(&JsValue::NULL);
        }
    });
}

/// Sets the live loop's next turn `delay_ms` from now, unless one comes
/// sooner already.
fn schedule(delay_ms: f64) {
    PUMP.with(|p| {
        let mut p = p.borrow_mut();
        let at = performance_now() + delay_ms;
        if let Some((id, when)) = p.timer {
            if when <= at {
                return;
            }
            scope().clear_timeout_with_handle(id);
        }
        let tick = p
            .tick
            .get_or_insert_with(|| Closure::<dyn FnMut()>::new(turn));
        let id = scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                delay_ms.max(0.0) as i32,
            )
            .ok();
        p.timer = id.map(|id| (id, at));
    });
}

/// One turn of the live loop.
fn turn() {
    let now = performance_now();
    let ms = PUMP.with(|p| {
        let mut p = p.borrow_mut();
        if let Some((id, _)) = p.timer.take() {
            scope().clear_timeout_with_handle(id);
        }
        let elapsed = p.last.map_or(0.0, |last| (now - last).max(0.0)) + p.carry;
        p.last = Some(now);
        let whole = elapsed.floor();
        p.carry = elapsed - whole;
        whole as u64
    });
    let pace = ENGINE.with(|e| match e.try_borrow_mut() {
        Ok(mut e) => {
            let pace = e.advance_live(ms, now * 1000.0);
            e.note_busy((performance_now() - now) * 1000.0);
            pace
        }
        // A request is being carried out (it cannot be: both run on this
        // thread's event loop) — try again shortly.
        Err(_) => None,
    });
    let Some(pace) = pace else {
        PUMP.with(|p| p.borrow_mut().last = None);
        return;
    };
    if pace.behind {
        soon();
        return;
    }
    let next = {
        // A bell comes when a broker finishes; the next due event sets
        // the other bound (never more than 50 ms: the page's view and a
        // crashed worker are noticed that often).
        pace.next_due_in.map_or(50.0, |ms| (ms as f64).min(50.0))
    };
    schedule(next);
}

pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        post(&Reply::Failed {
            message: format!("the cluster engine stopped on a bug: {info}"),
        });
    }));
    let pool = match worker_hosts() {
        Ok((pool, hosts)) => {
            ENGINE.with(|e| e.borrow_mut().set_worker_hosts(Ok(hosts)));
            Some(pool)
        }
        Err(why) => {
            ENGINE.with(|e| e.borrow_mut().set_worker_hosts(Err(why)));
            None
        }
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let req = match event.data().dyn_into::<ArrayBuffer>() {
            Err(_) => Err("the page sent a message that is not an ArrayBuffer".to_string()),
            Ok(buf) => Request::decode(&Uint8Array::new(&buf).to_vec())
                .map_err(|e| format!("bad message from the page: {e}")),
        };
        let start = QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            q.0.push_back(req);
            !std::mem::replace(&mut q.1, true)
        });
        if start {
            wasm_bindgen_futures::spawn_local(drain(pool.clone()));
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&Reply::Hello);
}

/// Handles queued requests in order until none is left.
async fn drain(pool: Option<Rc<RefCell<WorkerHosts>>>) {
    loop {
        let Some(req) = QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            let next = q.0.pop_front();
            if next.is_none() {
                q.1 = false;
            }
            next
        }) else {
            return;
        };
        let reply = match req {
            Err(message) => Reply::Failed { message },
            Ok(req) => {
                let needed = ENGINE.with(|e| e.borrow().processes_needed(&req));
                let booted = match &pool {
                    Some(p) if needed > 0 => WorkerHosts::fill(p, needed).await,
                    _ => Ok(()),
                };
                match booted {
                    Ok(()) => ENGINE.with(|e| e.borrow_mut().handle(req)),
                    Err(e) => ENGINE.with(|eng| eng.borrow_mut().refuse(req, e)),
                }
            }
        };
        post(&reply);
        // Live brokers go on between requests; the time the request took
        // is not given to the clock again (its commands moved it).
        if ENGINE.with(|e| e.borrow().is_live()) {
            PUMP.with(|p| p.borrow_mut().last = Some(performance_now()));
            wake();
        }
    }
}

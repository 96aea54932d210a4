//! The router's side of brokers in web workers: [`WorkerHosts`].
//!
//! Each broker runs in its own dedicated worker (`broker-worker`), over its
//! own IndexedDB database. The engine stays the network and the clock: it
//! posts each broker input as a transferred ArrayBuffer, and the worker's
//! replies come back in order through a shared-memory pipe
//! ([`worker::channel`]).
//!
//! - Step mode: the engine blocks on each input's reply, so events run one
//!   at a time in the simulator's order and the trace is the one
//!   `kafkascope run` gives.
//! - Live mode ([`WorkerHosts`]' `set_live`): the engine posts inputs and
//!   goes on; the brokers work at the same time, and their outputs are
//!   taken when they are in (`poll`), the worker's small "bell" message
//!   waking the engine's event loop (`crate::runtime::wake`).
//!
//! A worker takes a while to boot (fetch and compile its wasm) and the
//! engine cannot wait in the middle of an event, so workers are booted
//! ahead ([`WorkerHosts::fill`], before each request that may start broker
//! processes) and taken from that pool when a broker starts.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use broker::query::{BrokerAnswer, BrokerQuery};
use broker::wire::{decode, encode, FromBroker, ToBroker};
use broker::{BrokerConfig, Output};
use cluster::host::{disk_from_files, BrokerHosts, RemoteBroker, Spawned, Start};
use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use log::MemoryStorage;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};
use worker::channel::Channel;
use worker::codec::FromWorker;

/// The script Trunk emits for the `broker-worker` bin (beside ours).
const BROKER_WORKER_URL: &str = "./broker-worker_loader.js";
/// How long a broker may take over one input or question.
const ANSWER_MS: f64 = 15_000.0;
/// How long a broker may take to open (and recover) its log directory.
const START_MS: f64 = 120_000.0;

/// A booted broker worker, not running a broker yet.
struct Booted {
    worker: Worker,
    channel: Channel,
}

/// Brokers in web workers, for [`cluster::Cluster::with_hosts`].
#[derive(Default)]
pub struct WorkerHosts {
    pool: Vec<Booted>,
    /// Brokers started from now on run live.
    live: bool,
}

impl WorkerHosts {
    /// Boots workers until `n` wait in the pool.
    pub async fn fill(hosts: &Rc<RefCell<WorkerHosts>>, n: usize) -> Result<(), String> {
        while hosts.borrow().pool.len() < n {
            let booted = boot().await?;
            hosts.borrow_mut().pool.push(booted);
        }
        Ok(())
    }
}

/// Starts a worker and waits for its hello, then gives it its channel.
async fn boot() -> Result<Booted, String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Classic);
    opts.set_name("broker");
    let worker = Worker::new_with_options(BROKER_WORKER_URL, &opts)
        .map_err(|e| format!("starting a broker worker ({BROKER_WORKER_URL}): {e:?}"))?;
    let hello = Promise::new(&mut |resolve, reject| {
        worker.set_onmessage(Some(&resolve));
        worker.set_onerror(Some(&reject));
    });
    let event = JsFuture::from(hello).await.map_err(|e| {
        format!(
            "a broker worker did not start ({BROKER_WORKER_URL}): {}",
            describe(&e)
        )
    })?;
    worker.set_onmessage(None);
    worker.set_onerror(None);
    let bytes = event
        .dyn_into::<MessageEvent>()
        .ok()
        .and_then(|m| m.data().dyn_into::<ArrayBuffer>().ok())
        .map(|b| Uint8Array::new(&b).to_vec())
        .unwrap_or_default();
    match FromWorker::decode(&bytes) {
        Ok(FromWorker::Hello) => {}
        Ok(other) => return Err(format!("a broker worker said {other:?} instead of hello")),
        Err(e) => return Err(format!("a broker worker's hello did not decode: {e}")),
    }
    let channel = Channel::new();
    worker
        .post_message(channel.buffer())
        .map_err(|e| format!("giving a broker worker its channel: {}", describe(&e)))?;
    Ok(Booted { worker, channel })
}

fn describe(e: &JsValue) -> String {
    if let Some(ev) = e.dyn_ref::<web_sys::ErrorEvent>() {
        return ev.message();
    }
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

impl BrokerHosts for WorkerHosts {
    fn spawn(&mut self, config: &BrokerConfig, start: Start) -> Result<Spawned, String> {
        let Booted { worker, channel } = self.pool.pop().ok_or_else(|| {
            "no broker worker was ready (the engine boots them before each request; \
             this one started more broker processes than it announced)"
                .to_string()
        })?;
        // The worker's bell wakes the engine's live loop.
        let bell = Closure::<dyn FnMut(MessageEvent)>::new(|_| crate::runtime::wake());
        worker.set_onmessage(Some(bell.as_ref().unchecked_ref()));
        let broker = WorkerBroker {
            id: config.broker_id,
            worker,
            channel,
            notes: RefCell::new(Vec::new()),
            done: RefCell::new(VecDeque::new()),
            unread: Cell::new(0),
            _bell: bell,
        };
        let reply = broker.ask(
            &ToBroker::Start {
                config: config.clone(),
                fresh: start == Start::Fresh,
                power_loss: start == Start::AfterPowerLoss,
            },
            START_MS,
        )?;
        match reply {
            FromBroker::Ready { notes, disk } => {
                broker.notes.borrow_mut().extend(notes);
                let found = disk_from_files(&disk)?;
                Ok(Spawned {
                    process: Box::new(broker),
                    found,
                })
            }
            other => Err(broker.unexpected("Start", other)),
        }
    }

    fn live(&self) -> bool {
        self.live
    }

    fn set_live(&mut self, on: bool) -> bool {
        self.live = on;
        true
    }
}

/// A broker running in a worker.
struct WorkerBroker {
    id: i32,
    worker: Worker,
    channel: Channel,
    /// Things the worker reported that did not stop it (a damaged stored
    /// chunk cut off, a persist that failed and will be retried).
    notes: RefCell<Vec<String>>,
    /// Live: outputs of posted inputs read from the pipe, not taken yet.
    done: RefCell<VecDeque<Vec<Output>>>,
    /// Live: posted inputs whose outputs are not read from the pipe yet
    /// (they come before any other reply).
    unread: Cell<usize>,
    _bell: Closure<dyn FnMut(MessageEvent)>,
}

impl WorkerBroker {
    fn send(&self, msg: &ToBroker) -> Result<(), String> {
        let bytes = encode(msg);
        let buf = Uint8Array::from(&bytes[..]).buffer();
        self.worker
            .post_message_with_transfer(&buf, &Array::of1(&buf))
            .map_err(|e| format!("broker {}'s worker: {}", self.id, describe(&e)))
    }

    fn decode(&self, reply: &[u8]) -> Result<FromBroker, String> {
        match decode::<FromBroker>(reply) {
            Ok(FromBroker::Failed { message }) => Err(message),
            Ok(r) => Ok(r),
            Err(e) => Err(format!("broker {}'s worker answered garbage: {e}", self.id)),
        }
    }

    /// Keeps the outputs of a posted input read from the pipe.
    fn keep(&self, reply: FromBroker) -> Result<(), String> {
        match reply {
            FromBroker::Outputs { outputs, notes } => {
                self.notes.borrow_mut().extend(notes);
                self.done.borrow_mut().push_back(outputs);
                self.unread.set(self.unread.get().saturating_sub(1));
                Ok(())
            }
            other => Err(self.unexpected("an input", other)),
        }
    }

    /// Sends `msg` and waits for its reply, keeping the outputs of live
    /// inputs posted before it, which come first.
    fn ask(&self, msg: &ToBroker, timeout_ms: f64) -> Result<FromBroker, String> {
        self.send(msg)?;
        loop {
            let bytes = self
                .channel
                .read(timeout_ms)
                .map_err(|e| format!("broker {}'s worker: {e}", self.id))?;
            let reply = self.decode(&bytes)?;
            if self.unread.get() == 0 {
                return Ok(reply);
            }
            self.keep(reply)?;
        }
    }

    /// Reads what the pipe holds (waiting for one reply with `wait`) and
    /// hands over the outputs kept.
    fn take(&mut self, wait: bool) -> Result<Vec<Vec<Output>>, String> {
        self.channel
            .want_bell()
            .map_err(|e| format!("broker {}'s worker: {e}", self.id))?;
        if wait && self.done.borrow().is_empty() && self.unread.get() > 0 {
            let bytes = self
                .channel
                .read(ANSWER_MS)
                .map_err(|e| format!("broker {}'s worker: {e}", self.id))?;
            let reply = self.decode(&bytes)?;
            self.keep(reply)?;
        }
        while self.unread.get() > 0 {
            let Some(bytes) = self
                .channel
                .try_read()
                .map_err(|e| format!("broker {}'s worker: {e}", self.id))?
            else {
                break;
            };
            let reply = self.decode(&bytes)?;
            self.keep(reply)?;
        }
        Ok(self.done.borrow_mut().drain(..).collect())
    }

    fn unexpected(&self, asked: &str, got: FromBroker) -> String {
        format!(
            "broker {}'s worker answered {asked} with {}",
            self.id,
            match got {
                FromBroker::Outputs { .. } => "outputs",
                FromBroker::Answer(_) => "an answer",
                FromBroker::Ready { .. } => "ready",
                FromBroker::Disk(_) => "its disk",
                FromBroker::Failed { .. } => "a failure",
            }
        )
    }
}

impl RemoteBroker for WorkerBroker {
    fn handle(&mut self, now: u64, input: broker::Input) -> Result<Vec<Output>, String> {
        match self.ask(&ToBroker::Handle { now, input }, ANSWER_MS)? {
            FromBroker::Outputs { outputs, notes } => {
                self.notes.borrow_mut().extend(notes);
                Ok(outputs)
            }
            other => Err(self.unexpected("an input", other)),
        }
    }

    fn post(&mut self, now: u64, input: broker::Input) -> Result<(), String> {
        self.send(&ToBroker::Handle { now, input })?;
        self.unread.set(self.unread.get() + 1);
        Ok(())
    }

    fn poll(&mut self) -> Result<Vec<Vec<Output>>, String> {
        self.take(false)
    }

    fn wait(&mut self) -> Result<Vec<Vec<Output>>, String> {
        self.take(true)
    }

    fn pending(&self) -> usize {
        self.unread.get() + self.done.borrow().len()
    }

    fn query(&self, query: &BrokerQuery) -> Result<BrokerAnswer, String> {
        match self.ask(
            &ToBroker::Query {
                query: query.clone(),
            },
            ANSWER_MS,
        )? {
            FromBroker::Answer(a) => Ok(a),
            other => Err(self.unexpected("a question", other)),
        }
    }

    fn kill(&mut self, power_off: bool) -> Result<MemoryStorage, String> {
        let reply = self.ask(&ToBroker::Kill { power_off }, START_MS);
        self.worker.set_onmessage(None);
        self.worker.terminate();
        // Outputs of live inputs the process ran before it was killed are
        // lost with it.
        self.done.borrow_mut().clear();
        match reply? {
            FromBroker::Disk(files) => disk_from_files(&files),
            other => Err(self.unexpected("kill", other)),
        }
    }

    fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes.borrow_mut())
    }
}

impl Drop for WorkerBroker {
    fn drop(&mut self) {
        // A cluster that is dropped (a new session, a replay) ends its
        // processes; their databases stay until the next fresh start.
        self.worker.set_onmessage(None);
        self.worker.terminate();
    }
}

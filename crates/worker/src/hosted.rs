//! A broker process in this worker, driven by the router.
//!
//! The router (the engine worker) gives the worker a [`Channel`] (a
//! `SharedArrayBuffer`), then posts [`ToBroker`] messages as transferred
//! ArrayBuffers; every message gets exactly one [`FromBroker`] reply,
//! written to the channel in the order the messages came. The worker does
//! not know whether the router waits for each reply (step mode) or posts
//! inputs and takes their outputs later (live mode); when the router asked
//! to be told, a reply is followed by a small posted message that wakes it. The broker is the pure `broker::Broker` over
//! [`IdbLogStorage`]'s in-memory image; after each input the image's
//! changes are persisted to IndexedDB in order (relaxed durability for the
//! page cache, strict for fsyncs), one persist at a time, coalescing what
//! piles up meanwhile.
//!
//! `Kill` is the router's `crash`/`power-off`: the image loses what the
//! event would lose (nothing written after a crash, every unsynced byte
//! after a power cut), everything is persisted, and the files are sent
//! back (what a restarted process will find); then the router terminates
//! the worker. So a restart recovers exactly what the simulator's broker
//! would, and the run's trace stays the simulator's.

use std::cell::RefCell;
use std::rc::Rc;

use broker::query::answer;
use broker::wire::{decode, disk_files, encode, FromBroker, ToBroker};
use broker::Broker;
use js_sys::SharedArrayBuffer;

use crate::channel::Channel;
use crate::log_store::{IdbLogStorage, Layer};

/// How long the router may take to take a reply chunk.
const TAKE_MS: f64 = 60_000.0;

/// The database of broker `id` when it runs in a cluster (apart from the
/// storage check's `kafkascope-broker-<id>`).
pub fn cluster_database(id: i32) -> String {
    format!("kafkascope-cluster-broker-{id}")
}

struct Process {
    broker: Broker,
    idb: IdbLogStorage,
}

#[derive(Default)]
struct Persisting {
    /// A persist is running.
    running: bool,
    /// The image changed while it ran: persist again after it.
    again: bool,
    /// Failures since the last reply, for the router's notes.
    failures: Vec<String>,
}

pub struct Hosted {
    channel: Channel,
    process: RefCell<Option<Process>>,
    persisting: Rc<RefCell<Persisting>>,
}

thread_local! {
    static HOSTED: RefCell<Option<Rc<Hosted>>> = const { RefCell::new(None) };
}

/// The worker becomes a hosted broker, answering on `buffer`.
pub fn attach(buffer: SharedArrayBuffer) {
    let hosted = Rc::new(Hosted {
        channel: Channel::over(buffer),
        process: RefCell::new(None),
        persisting: Rc::default(),
    });
    HOSTED.with(|h| *h.borrow_mut() = Some(hosted));
}

/// Is this worker a hosted broker?
pub fn attached() -> bool {
    HOSTED.with(|h| h.borrow().is_some())
}

/// Replies `Failed` (from the panic hook: the router is blocked waiting).
pub fn fail(message: String) {
    if let Some(h) = HOSTED.with(|h| h.borrow().clone()) {
        h.reply(FromBroker::Failed { message });
    }
}

/// Handles one message from the router (its bytes).
pub fn on_message(bytes: Vec<u8>) {
    let Some(h) = HOSTED.with(|h| h.borrow().clone()) else {
        return;
    };
    match decode::<ToBroker>(&bytes) {
        Err(e) => h.reply(FromBroker::Failed {
            message: format!("a message from the router did not decode: {e}"),
        }),
        Ok(ToBroker::Start {
            config,
            fresh,
            power_loss,
        }) => wasm_bindgen_futures::spawn_local(async move {
            let reply = h.start(config, fresh, power_loss).await;
            h.reply(reply);
        }),
        Ok(ToBroker::Kill { power_off }) => wasm_bindgen_futures::spawn_local(async move {
            let reply = h.kill(power_off).await;
            h.reply(reply);
        }),
        Ok(ToBroker::Handle { now, input }) => {
            let reply = h.handle(now, input);
            h.reply(reply);
        }
        Ok(ToBroker::Query { query }) => {
            let reply = match h.process.borrow().as_ref() {
                Some(p) => FromBroker::Answer(answer(&p.broker, &query)),
                None => not_started(),
            };
            h.reply(reply);
        }
    }
}

/// Wakes a router waiting on its event loop for live outputs.
fn ring() {
    let scope: web_sys::DedicatedWorkerGlobalScope =
        wasm_bindgen::JsCast::unchecked_into(js_sys::global());
    // Nothing to do if it fails: the router also wakes on its own timer.
    let _ = scope.post_message(&wasm_bindgen::JsValue::from(0));
}

fn not_started() -> FromBroker {
    FromBroker::Failed {
        message: "the broker worker was asked before its broker started".into(),
    }
}

impl Hosted {
    fn reply(&self, reply: FromBroker) {
        // Nobody to tell if the router stopped listening: it times out.
        let _ = self.channel.write(&encode(&reply), TAKE_MS, ring);
    }

    async fn start(
        &self,
        config: broker::BrokerConfig,
        fresh: bool,
        power_loss: bool,
    ) -> FromBroker {
        let name = cluster_database(config.broker_id);
        if fresh {
            if let Err(e) = IdbLogStorage::delete_named(&name).await {
                return FromBroker::Failed {
                    message: e.to_string(),
                };
            }
        }
        let layer = if power_loss {
            Layer::Disk
        } else {
            Layer::PageCache
        };
        match IdbLogStorage::open_named(&name, layer).await {
            Err(e) => FromBroker::Failed {
                message: e.to_string(),
            },
            Ok((idb, report)) => {
                let notes = report
                    .damaged
                    .iter()
                    .map(|d| format!("{name}: {d}"))
                    .collect();
                // What the router shows of this broker's logs until it
                // opens them is this, not what the last process left.
                let disk = disk_files(&idb.storage().borrow());
                let broker = Broker::new(config, idb.storage());
                *self.process.borrow_mut() = Some(Process { broker, idb });
                FromBroker::Ready { notes, disk }
            }
        }
    }

    fn handle(&self, now: u64, input: broker::Input) -> FromBroker {
        let mut outputs = Vec::new();
        let idb = {
            let mut process = self.process.borrow_mut();
            let Some(p) = process.as_mut() else {
                return not_started();
            };
            p.broker.handle(now, input, &mut outputs);
            p.idb.clone()
        };
        persist(idb, self.persisting.clone());
        let notes = std::mem::take(&mut self.persisting.borrow_mut().failures);
        FromBroker::Outputs { outputs, notes }
    }

    async fn kill(&self, power_off: bool) -> FromBroker {
        let Some(p) = self.process.borrow_mut().take() else {
            return not_started();
        };
        {
            let image = p.idb.storage();
            let mut image = image.borrow_mut();
            if power_off {
                image.power_off();
            } else {
                image.crash();
            }
        }
        // Whatever persist is running keeps its order; this one commits
        // after it, with everything up to the kill.
        if let Err(e) = p.idb.persist().await {
            return FromBroker::Failed {
                message: format!("persisting before the process ended: {e}"),
            };
        }
        let files = disk_files(&p.idb.storage().borrow());
        p.idb.close();
        FromBroker::Disk(files)
    }
}

/// Persists the image's changes, one persist at a time: a call while one
/// runs only asks for another after it.
fn persist(idb: IdbLogStorage, state: Rc<RefCell<Persisting>>) {
    {
        let mut s = state.borrow_mut();
        if s.running {
            s.again = true;
            return;
        }
        s.running = true;
    }
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            if let Err(e) = idb.persist().await {
                // The changes stay in the image and go with the next persist.
                state.borrow_mut().failures.push(e.to_string());
            }
            let mut s = state.borrow_mut();
            if !s.again {
                s.running = false;
                return;
            }
            s.again = false;
        }
    });
}

//! The storage panel: one dedicated worker per broker, each opening its
//! own IndexedDB database and round-tripping a record batch (the browser
//! runtime's first slice, issue 6). The simulated cluster does not use
//! these workers yet.

use crate::engine::describe;
use crate::i18n::Lang;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use kafkascope_view::broker::{database_name, FromWorker, ToWorker};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

/// The broker ids of the first slice's cluster.
pub const BROKER_IDS: [i32; 3] = [1, 2, 3];
/// The worker script Trunk emits for `crates/worker`'s `broker-worker` bin.
const WORKER_URL: &str = "./broker-worker_loader.js";

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Starting,
    Online {
        segment: String,
        records: u32,
        stored_bytes: u64,
    },
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
struct Broker {
    id: i32,
    status: Status,
}

#[derive(Clone, Debug, PartialEq)]
struct Cluster {
    brokers: Vec<Broker>,
}

enum Action {
    Report(i32, Status),
}

impl Reducible for Cluster {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let Action::Report(id, status) = action;
        let mut next = (*self).clone();
        if let Some(b) = next.brokers.iter_mut().find(|b| b.id == id) {
            // A later failure (e.g. a crash) replaces "online", never the reverse.
            if !matches!(b.status, Status::Failed(_)) {
                b.status = status;
            }
        }
        Rc::new(next)
    }
}

/// Posts `msg` to `worker` as a transferred ArrayBuffer.
fn post(worker: &Worker, msg: &ToWorker) -> Result<(), JsValue> {
    let buf = Uint8Array::from(&msg.encode()[..]).buffer();
    worker.post_message_with_transfer(&buf, &Array::of1(&buf))
}

/// A started broker worker; dropping it terminates the worker.
struct BrokerWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Drop for BrokerWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn spawn_broker(id: i32, report: Callback<(i32, Status)>) -> Result<BrokerWorker, String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Classic);
    opts.set_name(&format!("broker-{id}"));
    let worker = Worker::new_with_options(WORKER_URL, &opts)
        .map_err(|e| format!("could not start the worker: {}", describe(&e)))?;

    let handle = worker.clone();
    let on_report = report.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let bytes = match event.data().dyn_into::<ArrayBuffer>() {
            Ok(buf) => Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                on_report.emit((
                    id,
                    Status::Failed("worker sent a non-binary message".into()),
                ));
                return;
            }
        };
        match FromWorker::decode(&bytes) {
            Ok(FromWorker::Hello) => {
                if let Err(e) = post(&handle, &ToWorker::Start { broker_id: id }) {
                    on_report.emit((
                        id,
                        Status::Failed(format!("could not message the worker: {}", describe(&e))),
                    ));
                }
            }
            Ok(FromWorker::Ready {
                segment,
                records,
                stored_bytes,
                ..
            }) => on_report.emit((
                id,
                Status::Online {
                    segment,
                    records,
                    stored_bytes,
                },
            )),
            Ok(FromWorker::Failed { message, .. }) => on_report.emit((id, Status::Failed(message))),
            Err(e) => on_report.emit((
                id,
                Status::Failed(format!("undecodable message from the worker: {e}")),
            )),
        }
    });
    // A script that fails to load fires a plain `Event`, an exception inside
    // the worker an `ErrorEvent` with a message.
    let on_error = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        event.prevent_default();
        let msg = event
            .dyn_ref::<ErrorEvent>()
            .map(|e| e.message())
            .unwrap_or_default();
        let msg = if msg.is_empty() {
            format!("the worker script {WORKER_URL} failed to load or crashed")
        } else {
            format!("worker error: {msg}")
        };
        report.emit((id, Status::Failed(msg)));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(BrokerWorker {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[derive(Properties, PartialEq)]
pub struct StorageProps {
    pub lang: Lang,
}

#[function_component(StoragePanel)]
pub fn storage_panel(props: &StorageProps) -> Html {
    let lang = props.lang;
    let cluster = use_reducer(|| Cluster {
        brokers: BROKER_IDS
            .iter()
            .map(|&id| Broker {
                id,
                status: Status::Starting,
            })
            .collect(),
    });

    {
        let dispatcher = cluster.dispatcher();
        use_effect_with((), move |_| {
            let report =
                Callback::from(move |(id, status)| dispatcher.dispatch(Action::Report(id, status)));
            let workers: Vec<BrokerWorker> = BROKER_IDS
                .iter()
                .filter_map(|&id| match spawn_broker(id, report.clone()) {
                    Ok(w) => Some(w),
                    Err(e) => {
                        report.emit((id, Status::Failed(e)));
                        None
                    }
                })
                .collect();
            move || drop(workers)
        });
    }

    let online = cluster
        .brokers
        .iter()
        .filter(|b| matches!(b.status, Status::Online { .. }))
        .count();
    let failed = cluster
        .brokers
        .iter()
        .filter(|b| matches!(b.status, Status::Failed(_)))
        .count();
    let summary = match (lang, failed) {
        (Lang::En, 0) => format!("{} online", plural(online, "broker", "brokers")),
        (Lang::En, _) => format!(
            "{} online, {} failed",
            plural(online, "broker", "brokers"),
            failed
        ),
        (Lang::Zh, 0) => format!("{online} 个 broker 在线"),
        (Lang::Zh, _) => format!("{online} 个 broker 在线，{failed} 个失败"),
    };

    html! {
        <section class="panel storage" aria-labelledby="storage-title">
            <h2 id="storage-title">{ lang.t("Storage") }</h2>
            <p class="hint">{ lang.t("Each storage worker opens its own IndexedDB database and round-trips a record batch: a check that this browser can keep broker logs. The cluster's own broker workers are chosen under Where the brokers run.") }</p>
            <div aria-live="polite">
                <h3 id="cluster-status" data-online={online.to_string()} data-failed={failed.to_string()}>{ summary }</h3>
                <table class="brokers">
                    <thead>
                        <tr>
                            <th>{ lang.t("Broker") }</th>
                            <th>{ lang.t("State") }</th>
                            <th>{ lang.t("IndexedDB") }</th>
                            <th>{ lang.t("Segment") }</th>
                            <th class="num">{ lang.t("Records") }</th>
                            <th class="num">{ lang.t("Stored bytes") }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for cluster.brokers.iter().map(|b| broker_row(lang, b)) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn broker_row(lang: Lang, b: &Broker) -> Html {
    let id = b.id.to_string();
    let db = database_name(b.id);
    match &b.status {
        Status::Starting => html! {
            <tr class="broker starting" data-broker-id={id.clone()}>
                <td>{ format!("broker {id}") }</td><td>{ lang.t("starting…") }</td><td>{ db }</td>
                <td></td><td class="num"></td><td class="num"></td>
            </tr>
        },
        Status::Online {
            segment,
            records,
            stored_bytes,
        } => html! {
            <tr class="broker online" data-broker-id={id.clone()} data-stored-bytes={stored_bytes.to_string()}>
                <td>{ format!("broker {id}") }</td><td>{ lang.t("online") }</td><td>{ db }</td>
                <td><code>{ segment }</code></td>
                <td class="num">{ records }</td>
                <td class="num">{ format!("{stored_bytes} B") }</td>
            </tr>
        },
        Status::Failed(msg) => html! {
            <tr class="broker failed" data-broker-id={id.clone()}>
                <td>{ format!("broker {id}") }</td><td>{ lang.t("failed") }</td><td>{ db }</td>
                <td colspan="3" class="error" role="alert">{ msg }</td>
            </tr>
        },
    }
}

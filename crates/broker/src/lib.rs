//! The Kafka broker as a sans-IO state machine (ZooKeeper mode).
//!
//! [`Broker::handle`] takes `(now, input)` and pushes [`Output`]s: messages
//! to send, timers to arm, events for the trace and the UI. No clock, no IO:
//! the simulator and the browser worker drive the same code.
//!
//! Kafka's pieces and where they live here:
//! - `ReplicaManager` (produce, fetch, OffsetsForLeaderEpoch, purgatory): [`replica_manager`]
//! - `Partition` (HW, ISR, follower progress): [`partition`]
//! - `ReplicaFetcherThread` (followers pulling, truncation): [`fetcher`]
//! - `KafkaZkClient` and the broker's session: [`zk_client`]
//! - `KafkaController` (ZooKeeper mode): [`controller_role`]

pub mod api;
pub mod config;
pub mod controller_role;
pub mod fetcher;
pub mod log_glue;
pub mod partition;
pub mod producer_ids;
pub mod replica_manager;
pub mod zk_client;
mod zkdata;

use std::collections::BTreeMap;

use api::{Addr, BrokerId, Msg, Request, Response, TopicPartition};
pub use config::{BrokerConfig, Truncation};
use log::{MemoryStorage, Shared};
pub use partition::Partition;
use serde_json::Value;

/// One input to the broker.
#[derive(Debug)]
pub enum Input {
    /// The process starts (first start or restart after a crash: the storage
    /// handed to [`Broker::new`] decides what it recovers).
    Start,
    Message {
        from: Addr,
        msg: Msg,
    },
    Timer(u64),
    /// The operator asks for a controlled shutdown.
    ControlledShutdown,
}

#[derive(Debug)]
pub enum Output {
    Send {
        to: Addr,
        msg: Msg,
    },
    /// Arm timer `token` at absolute time `at`; `background` timers are the
    /// periodic chores an "idle" cluster still has.
    SetTimer {
        token: u64,
        at: u64,
        background: bool,
    },
    CancelTimer(u64),
    /// A state change for the trace and the UI (`isr-shrink`, `leader`, ...).
    Event {
        kind: &'static str,
        detail: Value,
    },
    /// Controlled shutdown finished: the process exits.
    Stopped,
}

pub(crate) mod timers {
    pub const ZK_PING: u64 = 1;
    pub const ISR_EXPIRATION: u64 = 2;
    pub const HW_CHECKPOINT: u64 = 3;
    pub const RETENTION: u64 = 4;
    pub const LEADER_REBALANCE: u64 = 5;
    pub const FLUSH: u64 = 6;
    pub const REGISTER_RETRY: u64 = 7;
    /// + leader id: a follower's fetch backoff towards that leader.
    pub const FETCH_BACKOFF: u64 = 1 << 20;
    /// + leader id: the follower's request to that leader went unanswered.
    pub const FETCH_TIMEOUT: u64 = 3 << 20;
    /// + sequence: a delayed produce's timeout.
    pub const DELAYED_PRODUCE: u64 = 1 << 32;
    /// + sequence: a delayed fetch's max wait.
    pub const DELAYED_FETCH: u64 = 2 << 32;
    /// + correlation id: a controller request went unanswered.
    pub const CONTROLLER_RETRY: u64 = 3 << 32;
}

/// A request this broker sent and awaits the answer to.
#[derive(Debug, Clone)]
pub(crate) enum Pending {
    Fetch {
        leader: BrokerId,
    },
    Epochs {
        leader: BrokerId,
    },
    /// A controller request, kept to be sent again if it goes unanswered.
    ControllerRequest {
        to: BrokerId,
        request: Request,
    },
    ControlledShutdown,
}

pub struct Broker {
    pub(crate) config: BrokerConfig,
    pub(crate) storage: Shared<MemoryStorage>,
    pub(crate) now: u64,
    pub(crate) out: Vec<Output>,
    pub(crate) partitions: BTreeMap<TopicPartition, Partition>,
    pub(crate) zk: zk_client::ZkSession,
    /// The active controller as last read from `/controller`.
    pub(crate) active_controller: Option<BrokerId>,
    pub(crate) controller: Option<controller_role::Controller>,
    pub(crate) metadata: replica_manager::MetadataCache,
    pub(crate) purgatory: replica_manager::Purgatory,
    pub(crate) fetchers: fetcher::Fetchers,
    pub(crate) next_correlation_id: i32,
    pub(crate) pending: BTreeMap<i32, Pending>,
    pub(crate) shutting_down: bool,
    pub(crate) stopped: bool,
    /// Broker epoch: the czxid of our `/brokers/ids/N` znode.
    pub(crate) broker_epoch: i64,
    /// HWs read from `replication-offset-checkpoint` at start.
    pub(crate) hw_checkpoint: BTreeMap<TopicPartition, i64>,
    pub(crate) producer_ids: producer_ids::ProducerIdManager,
}

impl Broker {
    pub fn new(config: BrokerConfig, storage: Shared<MemoryStorage>) -> Self {
        Broker {
            config,
            storage,
            now: 0,
            out: Vec::new(),
            partitions: BTreeMap::new(),
            zk: zk_client::ZkSession::default(),
            active_controller: None,
            controller: None,
            metadata: Default::default(),
            purgatory: Default::default(),
            fetchers: Default::default(),
            next_correlation_id: 0,
            pending: BTreeMap::new(),
            shutting_down: false,
            stopped: false,
            broker_epoch: -1,
            hw_checkpoint: BTreeMap::new(),
            producer_ids: Default::default(),
        }
    }

    pub fn id(&self) -> BrokerId {
        self.config.broker_id
    }

    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    /// The broker's disk (page cache and flushed layers).
    pub fn storage(&self) -> &Shared<MemoryStorage> {
        &self.storage
    }

    pub fn is_controller(&self) -> bool {
        self.controller.as_ref().is_some_and(|c| c.active)
    }

    pub fn controller(&self) -> Option<&controller_role::Controller> {
        self.controller.as_ref()
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&Partition> {
        self.partitions.get(tp)
    }

    pub fn partitions(&self) -> impl Iterator<Item = &Partition> {
        self.partitions.values()
    }

    pub fn is_registered(&self) -> bool {
        self.zk.registered
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Feeds one input; outputs are appended to `out`.
    pub fn handle(&mut self, now: u64, input: Input, out: &mut Vec<Output>) {
        self.now = now;
        if self.stopped {
            return;
        }
        match input {
            Input::Start => self.start(),
            Input::Message { from, msg } => match msg {
                Msg::Zk(m) => self.on_zk_message(m),
                Msg::Request {
                    correlation_id,
                    request,
                } => self.on_request(from, correlation_id, request),
                Msg::Response {
                    correlation_id,
                    response,
                } => self.on_response(from, correlation_id, response),
            },
            Input::Timer(token) => self.on_timer(token),
            Input::ControlledShutdown => self.begin_controlled_shutdown(),
        }
        out.append(&mut self.out);
    }

    fn start(&mut self) {
        self.load_hw_checkpoint();
        self.zk_connect();
        let c = &self.config;
        let (hw_at, isr_at) = (
            self.now + c.replica_high_watermark_checkpoint_interval_ms,
            self.now + c.replica_lag_time_max_ms / 2,
        );
        let retention_at = self.now.saturating_add(c.log_retention_check_interval_ms);
        let flush_at = self.now.saturating_add(c.log_flush_scheduler_interval_ms);
        self.set_background_timer(timers::HW_CHECKPOINT, hw_at);
        self.set_background_timer(timers::ISR_EXPIRATION, isr_at);
        self.set_background_timer(timers::RETENTION, retention_at);
        if flush_at != u64::MAX {
            self.set_background_timer(timers::FLUSH, flush_at);
        }
    }

    fn on_timer(&mut self, token: u64) {
        match token {
            timers::ZK_PING => self.zk_ping(),
            timers::ISR_EXPIRATION => {
                self.maybe_shrink_isr();
                let at = self.now + self.config.replica_lag_time_max_ms / 2;
                self.set_background_timer(timers::ISR_EXPIRATION, at);
            }
            timers::HW_CHECKPOINT => {
                self.checkpoint_hw();
                let at = self.now + self.config.replica_high_watermark_checkpoint_interval_ms;
                self.set_background_timer(timers::HW_CHECKPOINT, at);
            }
            timers::RETENTION => {
                self.run_retention();
                let at = self
                    .now
                    .saturating_add(self.config.log_retention_check_interval_ms);
                self.set_background_timer(timers::RETENTION, at);
            }
            timers::FLUSH => {
                self.flush_due_logs();
                let at = self
                    .now
                    .saturating_add(self.config.log_flush_scheduler_interval_ms);
                self.set_background_timer(timers::FLUSH, at);
            }
            timers::LEADER_REBALANCE => self.controller_check_preferred_leaders(),
            timers::REGISTER_RETRY => self.zk_register(),
            t if t >= timers::CONTROLLER_RETRY => {
                self.controller_request_timed_out((t - timers::CONTROLLER_RETRY) as i32)
            }
            t if t >= timers::DELAYED_FETCH => self.expire_delayed_fetch(t - timers::DELAYED_FETCH),
            t if t >= timers::DELAYED_PRODUCE => {
                self.expire_delayed_produce(t - timers::DELAYED_PRODUCE)
            }
            t if t >= timers::FETCH_TIMEOUT => {
                self.fetch_timed_out((t - timers::FETCH_TIMEOUT) as BrokerId)
            }
            t if t >= timers::FETCH_BACKOFF => {
                self.fetch_backoff_over((t - timers::FETCH_BACKOFF) as BrokerId)
            }
            _ => {}
        }
    }

    fn on_request(&mut self, from: Addr, correlation_id: i32, request: Request) {
        match request {
            Request::Produce(r) => self.handle_produce(from, correlation_id, r),
            Request::Fetch(r) => self.handle_fetch(from, correlation_id, r),
            Request::OffsetsForLeaderEpoch { partitions, .. } => {
                let resp = self.handle_offsets_for_leader_epoch(partitions);
                self.respond(from, correlation_id, resp);
            }
            Request::LeaderAndIsr(r) => {
                let resp = self.handle_leader_and_isr(r);
                self.respond(from, correlation_id, resp);
            }
            Request::UpdateMetadata(r) => {
                let resp = self.handle_update_metadata(r);
                self.respond(from, correlation_id, resp);
            }
            Request::StopReplica(r) => {
                let resp = self.handle_stop_replica(r);
                self.respond(from, correlation_id, resp);
            }
            Request::ControlledShutdown { broker_id, .. } => {
                self.controller_on_controlled_shutdown(from, correlation_id, broker_id)
            }
            Request::InitProducerId { .. } => self.handle_init_producer_id(from, correlation_id),
            Request::Metadata { .. } => {
                let resp = Response::Metadata(self.metadata.response(self.active_controller));
                self.respond(from, correlation_id, resp);
            }
            // Served as the coordinators are hosted (issue 5, in progress).
            other => self.event(
                "unsupported-request",
                || serde_json::json!({"from": format!("{from:?}"), "api": other.api()}),
            ),
        }
    }

    fn on_response(&mut self, from: Addr, correlation_id: i32, response: Response) {
        let Some(pending) = self.pending.remove(&correlation_id) else {
            return;
        };
        match (pending, response) {
            (Pending::Fetch { leader }, Response::Fetch(parts)) => self.on_fetch_response(leader, parts),
            (Pending::Epochs { leader }, Response::OffsetsForLeaderEpoch(parts)) => {
                self.on_epochs_response(leader, parts)
            }
            (Pending::ControlledShutdown, Response::ControlledShutdown { error, remaining }) => {
                self.on_controlled_shutdown_response(error, remaining)
            }
            (Pending::ControllerRequest { .. }, _) => {
                self.cancel_timer(timers::CONTROLLER_RETRY + correlation_id as u64)
            }
            (p, r) => self.event("unexpected-response", || {
                serde_json::json!({"from": format!("{from:?}"), "pending": format!("{p:?}"), "api": r.api()})
            }),
        }
    }

    // ---- small helpers used across modules ----

    pub(crate) fn send(&mut self, to: Addr, msg: Msg) {
        self.out.push(Output::Send { to, msg });
    }

    /// Sends a request and remembers what its answer is for; returns its
    /// correlation id.
    pub(crate) fn request(&mut self, to: Addr, request: Request, pending: Pending) -> i32 {
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1) & i32::MAX;
        let correlation_id = self.next_correlation_id;
        self.pending.insert(correlation_id, pending);
        self.send(
            to,
            Msg::Request {
                correlation_id,
                request,
            },
        );
        correlation_id
    }

    pub(crate) fn respond(&mut self, to: Addr, correlation_id: i32, response: Response) {
        self.send(
            to,
            Msg::Response {
                correlation_id,
                response,
            },
        );
    }

    pub(crate) fn set_timer(&mut self, token: u64, at: u64) {
        self.out.push(Output::SetTimer {
            token,
            at,
            background: false,
        });
    }

    pub(crate) fn set_background_timer(&mut self, token: u64, at: u64) {
        self.out.push(Output::SetTimer {
            token,
            at,
            background: true,
        });
    }

    pub(crate) fn cancel_timer(&mut self, token: u64) {
        self.out.push(Output::CancelTimer(token));
    }

    pub(crate) fn event(&mut self, kind: &'static str, detail: impl FnOnce() -> Value) {
        self.out.push(Output::Event {
            kind,
            detail: detail(),
        });
    }
}

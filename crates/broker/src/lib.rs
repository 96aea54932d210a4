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
//! - The group and transaction coordinators (crates/coordinator,
//!   crates/transaction) hosted on `__consumer_offsets` /
//!   `__transaction_state` leadership: [`group_host`], [`txn_host`],
//!   [`txn_markers`], [`coordinator_log`], [`internal_topics`]
//! - ListOffsets: [`list_offsets`]; aborted transactions for
//!   read_committed fetches: [`aborted_txns`]

pub mod aborted_txns;
pub mod api;
pub mod config;
pub mod controller_role;
pub mod coordinator_log;
pub mod fetcher;
pub mod group_host;
pub mod internal_topics;
pub mod list_offsets;
pub mod log_glue;
pub mod partition;
pub mod producer_ids;
pub mod query;
pub mod replica_manager;
pub mod segment_dump;
pub mod stats;
pub mod txn_host;
pub mod txn_markers;
pub mod wire;
pub mod zk_client;
mod zkdata;

use std::collections::BTreeMap;

use api::{Addr, BrokerId, Msg, Request, Response, TopicPartition};
pub use config::{BrokerConfig, Truncation};
use log::{MemoryStorage, Shared};
pub use partition::Partition;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One input to the broker.
// Messages are nearly every input; boxing them (or the coordinator
// requests inside, whose types other crates build) would cost an
// allocation per message to save a copy of ~200 bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Serialize, Deserialize)]
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

/// An event's name (`isr-shrink`, `leader`, ...). Spelled as an alias only
/// because serde's derive takes a literal `&'static str` field for a borrow
/// from the message, which no decoded message can give.
pub type EventKind = &'static str;

#[derive(Debug, Serialize, Deserialize)]
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
        // Neither derives for postcard: a `&'static str` cannot borrow
        // from the message, and `Value` needs a self-describing format.
        #[serde(deserialize_with = "wire::event_kind")]
        kind: EventKind,
        #[serde(with = "wire::json_value")]
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
    /// + the group coordinator's timer token.
    pub const GROUP_COORDINATOR: u64 = 4 << 32;
    /// The transaction coordinator's periodic checks.
    pub const TXN_COORDINATOR: u64 = 5 << 32;
    /// + sequence: a coordinator append waiting for replication.
    pub const COORDINATOR_APPEND: u64 = 6 << 32;
    /// The transaction retry backoff: leaderless markers are routed again,
    /// failed marker writes and transaction-log appends are reported.
    pub const TXN_RETRY: u64 = 7 << 32;
    /// + correlation id: a WriteTxnMarkers went unanswered.
    pub const MARKER_REQUEST_TIMEOUT: u64 = 8 << 32;
    /// + sequence: a leader's marker write waiting for replication.
    pub const MARKER_WRITE_TIMEOUT: u64 = 9 << 32;
    /// Ranges are 2^32 wide; nothing is above this.
    pub const END: u64 = 10 << 32;
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
    /// A WriteTxnMarkers for this broker's transaction coordinator.
    TxnMarkers {
        leader: BrokerId,
        marker_id: transaction::MarkerId,
        partitions: Vec<TopicPartition>,
    },
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
    pub(crate) groups: coordinator::Coordinator,
    pub(crate) txns: transaction::TransactionCoordinator,
    pub(crate) coord: coordinator_log::CoordinatorHost,
    /// Kafka's all-topics meters, as counts since this process started.
    pub stats: stats::BrokerTopicStats,
}

impl Broker {
    pub fn new(config: BrokerConfig, storage: Shared<MemoryStorage>) -> Self {
        let groups = group_host::new_group_coordinator(&config, 0);
        let txns = txn_host::new_txn_coordinator(&config, 0);
        Broker {
            groups,
            txns,
            coord: Default::default(),
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
            stats: Default::default(),
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

    /// The group coordinator (read-only): groups, state, generation,
    /// members, assignments, committed offsets.
    pub fn group_coordinator(&self) -> &coordinator::Coordinator {
        &self.groups
    }

    /// The transaction coordinator (read-only): transactional ids, their
    /// producer id/epoch and state.
    pub fn transaction_coordinator(&self) -> &transaction::TransactionCoordinator {
        &self.txns
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
        self.run_coordinators();
        out.append(&mut self.out);
    }

    fn start(&mut self) {
        // The coordinators start with the process (their seeds and periodic
        // checks depend on when).
        self.groups = group_host::new_group_coordinator(&self.config, self.now);
        self.txns = txn_host::new_txn_coordinator(&self.config, self.now);
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
            timers::TXN_COORDINATOR => self.txn_timer(),
            timers::TXN_RETRY => self.retry_markers(),
            t if t >= timers::END => {}
            t if t >= timers::MARKER_WRITE_TIMEOUT => {
                self.complete_marker_writes(Some(t - timers::MARKER_WRITE_TIMEOUT));
            }
            t if t >= timers::MARKER_REQUEST_TIMEOUT => {
                self.marker_request_timed_out((t - timers::MARKER_REQUEST_TIMEOUT) as i32)
            }
            t if t >= timers::COORDINATOR_APPEND => {
                self.coordinator_append_timed_out(t - timers::COORDINATOR_APPEND)
            }
            t if t >= timers::TXN_COORDINATOR => {}
            t if t >= timers::GROUP_COORDINATOR => self.group_timer(t - timers::GROUP_COORDINATOR),
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
                self.sync_coordinator_ownership();
            }
            Request::UpdateMetadata(r) => {
                let resp = self.handle_update_metadata(r);
                self.respond(from, correlation_id, resp);
                self.on_metadata_updated();
            }
            Request::StopReplica(r) => {
                let resp = self.handle_stop_replica(r);
                self.respond(from, correlation_id, resp);
                self.sync_coordinator_ownership();
            }
            Request::ControlledShutdown { broker_id, .. } => {
                self.controller_on_controlled_shutdown(from, correlation_id, broker_id)
            }
            Request::InitProducerId { .. } => self.handle_init_producer_id(from, correlation_id),
            Request::Metadata { topics } => {
                if let Some(topics) = &topics {
                    self.maybe_auto_create_topics(topics);
                }
                let resp = Response::Metadata(self.metadata.response(self.active_controller));
                self.respond(from, correlation_id, resp);
            }
            Request::FindCoordinator { key, key_type } => {
                self.handle_find_coordinator(from, correlation_id, key, key_type)
            }
            Request::Group(r) => self.handle_group_request(from, correlation_id, r),
            Request::Txn(r) => self.handle_txn_request(from, correlation_id, r),
            Request::WriteTxnMarkers(r) => self.handle_write_txn_markers(from, correlation_id, r),
            Request::ListOffsets {
                replica_id,
                isolation_level,
                partitions,
            } => {
                let resp = self.handle_list_offsets(replica_id, isolation_level, partitions);
                self.respond(from, correlation_id, resp);
            }
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
            (Pending::TxnMarkers { marker_id, .. }, Response::WriteTxnMarkers(r)) => {
                self.on_write_txn_markers_response(correlation_id, marker_id, r)
            }
            (Pending::ControllerRequest { .. }, _) => {
                self.cancel_timer(timers::CONTROLLER_RETRY + correlation_id as u64)
            }
            (p, r) => self.event("unexpected-response", || {
                serde_json::json!({"from": format!("{from:?}"), "pending": format!("{p:?}"), "api": r.api()})
            }),
        }
    }

    /// Feeds the coordinators what became known during this input
    /// (replicated or failed appends, written markers) until nothing more
    /// completes; coordinator calls never nest.
    fn run_coordinators(&mut self) {
        loop {
            let appends = self.take_completed_appends();
            let markers = self.complete_marker_writes(None);
            if appends.is_empty() && !markers {
                break;
            }
            let now = self.now as i64;
            for (owner, result) in appends {
                match owner {
                    coordinator_log::AppendOwner::Group(id) => {
                        let out = self.groups.on_append_completed(now, id, result);
                        self.process_group_outputs(out);
                    }
                    coordinator_log::AppendOwner::Txn(id) => {
                        let out = self.txns.on_append_completed(now, id, result.map(|_| ()));
                        self.process_txn_outputs(out);
                    }
                }
            }
        }
        self.arm_txn_timer();
    }

    /// What the coordinators learn from new metadata: the topics offsets may
    /// be committed for (KafkaApis refuses unknown ones), and which brokers
    /// are gone (their outstanding marker requests fail now, as a
    /// disconnect would fail them in Kafka's network client).
    fn on_metadata_updated(&mut self) {
        let mut counts: BTreeMap<&str, i32> = BTreeMap::new();
        for tp in self.metadata.partitions.keys() {
            *counts.entry(&tp.topic).or_default() += 1;
        }
        for (topic, n) in counts {
            self.groups.set_topic_partitions(topic, n);
        }
        let gone: Vec<i32> = self
            .pending
            .iter()
            .filter(|(_, p)| {
                matches!(p, Pending::TxnMarkers { leader, .. } if !self.metadata.live_brokers.contains(leader))
            })
            .map(|(c, _)| *c)
            .collect();
        for corr in gone {
            self.cancel_timer(timers::MARKER_REQUEST_TIMEOUT + corr as u64);
            self.marker_request_timed_out(corr);
        }
    }

    /// Loads or unloads coordinator state for the internal partitions whose
    /// leadership changed (Kafka's `onLeadershipChange` callbacks).
    fn sync_coordinator_ownership(&mut self) {
        use coordinator_log::{GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC};
        let me = self.id();
        let mut led = BTreeMap::new();
        for topic in [GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC] {
            let from = TopicPartition::new(topic, i32::MIN);
            for (tp, p) in self.partitions.range(from..) {
                if *tp.topic != *topic {
                    break;
                }
                if p.is_leader(me) {
                    led.insert(tp.clone(), p.leader_epoch);
                }
            }
        }
        let before = std::mem::take(&mut self.coord.loaded);
        for (tp, epoch) in &before {
            if led.get(tp) != Some(epoch) {
                if *tp.topic == *GROUP_METADATA_TOPIC {
                    self.unload_groups(tp);
                } else {
                    self.unload_transactions(tp, *epoch);
                }
            }
        }
        for (tp, epoch) in &led {
            if before.get(tp) != Some(epoch) {
                if *tp.topic == *GROUP_METADATA_TOPIC {
                    self.load_groups(tp);
                } else {
                    self.load_transactions(tp, *epoch);
                }
            }
        }
        self.coord.loaded = led;
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

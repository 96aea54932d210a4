//! The broker's ZooKeeper session (Kafka's `KafkaZkClient` use): connect,
//! ping, register `/brokers/ids/N`, take part in controller election, and
//! the leader's conditional ISR writes.

use std::collections::BTreeMap;

use controller::kafka_zk;
use controller::zk::messages::{
    CreateMode, EventType, SessionId, WatchedEvent, ZkErrorCode, ZkMessage, ZkRequest, ZkResponse,
};
use controller::znodes::paths;
use serde_json::json;

use crate::api::{Addr, BrokerId, Msg, TopicPartition};
use crate::controller_role::ZkOp;
use crate::{timers, zkdata, Broker};

/// How long a restarted broker waits before trying `/brokers/ids/N` again.
const REGISTER_RETRY_MS: u64 = 1_000;

/// Why a ZooKeeper request was sent: what to do with its answer.
#[derive(Debug, Clone)]
pub(crate) enum Purpose {
    Connect,
    /// Pings and best-effort creates: the answer changes nothing.
    Ignored,
    Register,
    ControllerExists,
    ControllerCreate,
    ControllerRead,
    IsrUpdate {
        tp: TopicPartition,
        isr: Vec<BrokerId>,
        leader_epoch: i32,
    },
    IsrNotification,
    Close,
    Controller(ZkOp),
    ProducerIdBlock(crate::producer_ids::BlockStep),
    /// Creating `__consumer_offsets` / `__transaction_state`, or a topic
    /// named in a Metadata request (`auto.create.topics.enable`).
    InternalTopic(String),
}

#[derive(Debug, Default)]
pub struct ZkSession {
    pub session: Option<SessionId>,
    pub registered: bool,
    next_xid: i32,
    pending: BTreeMap<i32, Purpose>,
}

impl Broker {
    pub(crate) fn zk_send(&mut self, request: ZkRequest, purpose: Purpose) {
        self.zk.next_xid = self.zk.next_xid.wrapping_add(1);
        let xid = self.zk.next_xid;
        self.zk.pending.insert(xid, purpose);
        self.send(Addr::Zk, Msg::Zk(ZkMessage::Request { xid, request }));
    }

    pub(crate) fn zk_connect(&mut self) {
        self.zk = ZkSession::default();
        let timeout = self.config.zookeeper_session_timeout_ms;
        self.zk_send(
            ZkRequest::Connect {
                session_timeout_ms: timeout,
                session_id: None,
            },
            Purpose::Connect,
        );
    }

    pub(crate) fn zk_ping(&mut self) {
        if self.zk.session.is_some() {
            self.zk_send(ZkRequest::Ping, Purpose::Ignored);
        }
        let at = self.now + self.config.zookeeper_session_timeout_ms / 3;
        self.set_background_timer(timers::ZK_PING, at);
    }

    pub(crate) fn on_zk_message(&mut self, msg: ZkMessage) {
        match msg {
            ZkMessage::Response { xid, response } => {
                if let Some(purpose) = self.zk.pending.remove(&xid) {
                    self.on_zk_response(purpose, response);
                }
            }
            ZkMessage::Watch { event } => self.on_zk_watch(event),
            ZkMessage::SessionExpired { .. } => self.on_session_expired(),
            ZkMessage::Request { .. } => {}
        }
    }

    fn on_session_expired(&mut self) {
        self.event("zk-session-expired", || json!({}));
        if self.controller.is_some() {
            self.resign_controller();
        }
        self.active_controller = None;
        if !self.shutting_down {
            // Kafka re-registers with a new session (and so a new broker epoch).
            self.zk_connect();
        }
    }

    fn on_zk_response(&mut self, purpose: Purpose, response: ZkResponse) {
        if let ZkResponse::Error {
            err: ZkErrorCode::SessionExpired,
        } = response
        {
            return self.on_session_expired();
        }
        match purpose {
            Purpose::Connect => {
                if let ZkResponse::Connected { session_id, .. } = response {
                    self.zk.session = Some(session_id);
                    self.zk_ping();
                    // Requests of a lost session are never answered.
                    self.producer_ids_session_lost();
                    self.coord.creating.clear();
                    // Kafka's `createTopLevelPaths`: every broker makes sure the
                    // persistent paths exist (NODEEXISTS is fine). ZooKeeper
                    // answers a session's requests in order, so the
                    // registration below sees them.
                    for request in kafka_zk::create_top_level_paths() {
                        self.zk_send(request, Purpose::Ignored);
                    }
                    self.zk_register();
                }
            }
            Purpose::Ignored | Purpose::Close | Purpose::IsrNotification => {}
            Purpose::Register => match response {
                ZkResponse::Created { .. } => {
                    self.zk.registered = true;
                    self.event("registered", || json!({}));
                    self.zk_send(
                        ZkRequest::Exists {
                            path: paths::CONTROLLER.into(),
                            watch: true,
                        },
                        Purpose::ControllerExists,
                    );
                }
                ZkResponse::Error {
                    err: ZkErrorCode::NodeExists,
                } => {
                    // Our previous session's znode lives until that session
                    // expires (a kill -9 does not close it): try again later.
                    self.event(
                        "registration-pending",
                        || json!({"reason": "NODEEXISTS: the previous session has not expired"}),
                    );
                    let at = self.now + REGISTER_RETRY_MS;
                    self.set_timer(timers::REGISTER_RETRY, at);
                }
                _ => {}
            },
            Purpose::ControllerExists => match response {
                ZkResponse::Exists { stat: None } => self.try_become_controller(),
                ZkResponse::Exists { stat: Some(_) } => self.zk_send(
                    ZkRequest::GetData {
                        path: paths::CONTROLLER.into(),
                        watch: true,
                    },
                    Purpose::ControllerRead,
                ),
                _ => {}
            },
            Purpose::ControllerCreate => match response {
                ZkResponse::Created { .. } => self.become_controller(),
                _ => self.zk_send(
                    ZkRequest::GetData {
                        path: paths::CONTROLLER.into(),
                        watch: true,
                    },
                    Purpose::ControllerRead,
                ),
            },
            Purpose::ControllerRead => match response {
                ZkResponse::Data { data, .. } => {
                    self.active_controller = zkdata::controller_id(&data);
                }
                ZkResponse::Error {
                    err: ZkErrorCode::NoNode,
                } => self.try_become_controller(),
                _ => {}
            },
            Purpose::IsrUpdate {
                tp,
                isr,
                leader_epoch,
            } => self.on_isr_update_result(tp, isr, leader_epoch, response),
            Purpose::Controller(op) => self.controller_on_zk(op, response),
            Purpose::ProducerIdBlock(step) => self.on_producer_id_block(step, response),
            Purpose::InternalTopic(topic) => self.on_internal_topic_created(topic, response),
        }
    }

    /// Creates our ephemeral `/brokers/ids/N`.
    pub(crate) fn zk_register(&mut self) {
        if self.zk.session.is_none() || self.zk.registered {
            return;
        }
        let data = zkdata::broker_registration(self.id(), self.config.rack.as_deref(), self.now);
        self.zk_send(
            ZkRequest::Create {
                path: paths::broker_id(self.id()),
                data,
                mode: CreateMode::Ephemeral,
            },
            Purpose::Register,
        );
    }

    fn on_zk_watch(&mut self, event: WatchedEvent) {
        if event.path == paths::CONTROLLER {
            match event.event_type {
                EventType::NodeDeleted => {
                    self.active_controller = None;
                    if self.controller.is_some() {
                        self.resign_controller();
                    }
                    self.try_become_controller();
                }
                _ => self.zk_send(
                    ZkRequest::GetData {
                        path: paths::CONTROLLER.into(),
                        watch: true,
                    },
                    Purpose::ControllerRead,
                ),
            }
            return;
        }
        self.controller_on_watch(event);
    }

    fn try_become_controller(&mut self) {
        if self.shutting_down || !self.zk.registered {
            return;
        }
        let data = zkdata::controller(self.id(), self.now);
        self.zk_send(
            ZkRequest::Create {
                path: paths::CONTROLLER.into(),
                data,
                mode: CreateMode::Ephemeral,
            },
            Purpose::ControllerCreate,
        );
    }

    /// Leader: write a new ISR to the partition's state znode, conditional on
    /// the version we know (Kafka's `updateLeaderAndIsr`).
    pub(crate) fn write_isr(&mut self, tp: &TopicPartition, isr: Vec<BrokerId>) {
        let me = self.id();
        let Some(p) = self.partitions.get_mut(tp) else {
            return;
        };
        p.isr_update_in_flight = true;
        let data = zkdata::partition_state(me, p.leader_epoch, &isr, p.controller_epoch);
        let (version, leader_epoch) = (p.zk_version, p.leader_epoch);
        self.zk_send(
            ZkRequest::SetData {
                path: paths::partition_state(&tp.topic, tp.partition),
                data,
                version,
            },
            Purpose::IsrUpdate {
                tp: tp.clone(),
                isr,
                leader_epoch,
            },
        );
    }

    fn on_isr_update_result(
        &mut self,
        tp: TopicPartition,
        isr: Vec<BrokerId>,
        leader_epoch: i32,
        response: ZkResponse,
    ) {
        let me = self.id();
        let Some(p) = self.partitions.get_mut(&tp) else {
            return;
        };
        p.isr_update_in_flight = false;
        if p.leader != me || p.leader_epoch != leader_epoch {
            return;
        }
        match response {
            ZkResponse::DataSet { stat } => {
                let old = std::mem::replace(&mut p.isr, isr.clone());
                p.zk_version = stat.version;
                let shrink = isr.len() < old.len();
                let hw_moved = p.maybe_increment_hw(me);
                let (hw, leo) = (p.hw(), p.leo());
                self.event(if shrink { "isr-shrink" } else { "isr-expand" }, || {
                    json!({"partition": tp.to_string(), "old": old, "new": isr, "hw": hw, "leo": leo})
                });
                if hw_moved {
                    self.on_hw_moved(&tp);
                }
                let data = zkdata::isr_change_notification(&[(&tp.topic, tp.partition)]);
                self.zk_send(
                    ZkRequest::Create {
                        path: paths::isr_change_create_path(),
                        data,
                        mode: CreateMode::PersistentSequential,
                    },
                    Purpose::IsrNotification,
                );
            }
            other => {
                // BADVERSION: the controller changed the state meanwhile; a
                // LeaderAndIsr with the new state is on its way.
                self.event(
                    "isr-update-failed",
                    || json!({"partition": tp.to_string(), "result": format!("{other:?}")}),
                );
            }
        }
    }

    pub(crate) fn zk_close(&mut self) {
        if self.zk.session.is_some() {
            self.zk_send(ZkRequest::CloseSession, Purpose::Close);
        }
    }
}

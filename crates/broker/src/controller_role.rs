//! The controller (Kafka's `KafkaController`, ZooKeeper mode), hosted by the
//! broker that created `/controller`. It reads the cluster's state from
//! ZooKeeper, watches `/brokers/ids`, `/brokers/topics` and
//! `/isr_change_notification`, elects leaders, writes partition states
//! (conditional on their znode version and fenced by `/controller_epoch`),
//! and tells brokers with LeaderAndIsr and UpdateMetadata.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use controller::election::{self, LeaderAndIsr};
use controller::zk::messages::{
    CreateMode, EventType, Op, OpResult, WatchedEvent, ZkErrorCode, ZkRequest, ZkResponse,
};
use controller::znodes::notifications::{decode_entity_config, decode_isr_change};
use controller::znodes::{controller as zc, paths, LeaderIsrAndControllerEpoch, TopicAssignment};
use protocol::ErrorCode;
use serde_json::json;

use crate::api::*;
use crate::zk_client::Purpose;
use crate::{timers, zkdata, Broker, Pending};

/// A partition's leader and ISR as the controller caches them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderIsr {
    pub leader: BrokerId,
    pub leader_epoch: i32,
    pub isr: Vec<BrokerId>,
    pub controller_epoch: i32,
    pub zk_version: i32,
}

#[derive(Clone, Debug, Default)]
pub struct TopicInfo {
    pub assignment: BTreeMap<i32, Vec<BrokerId>>,
    pub config: TopicConfig,
}

/// ZooKeeper operations the controller is waiting on.
#[derive(Clone, Debug)]
pub enum ZkOp {
    ReadEpoch,
    WriteEpoch(i32),
    BrokerIds,
    Topics,
    TopicAssignment(String),
    TopicConfig(String),
    ReadState(TopicPartition),
    EnsurePath,
    WriteState(TopicPartition, LeaderIsr, &'static str),
    IsrNotifications,
    IsrNotification(String),
}

#[derive(Debug, Default)]
pub struct Controller {
    /// True once the initial load from ZooKeeper finished.
    pub active: bool,
    pub epoch: i32,
    pub epoch_zk_version: i32,
    pub live_brokers: BTreeSet<BrokerId>,
    pub shutting_down: BTreeSet<BrokerId>,
    pub topics: BTreeMap<String, TopicInfo>,
    pub states: BTreeMap<TopicPartition, LeaderIsr>,
    /// Partitions with a state write in flight (one at a time each).
    writing: BTreeSet<TopicPartition>,
    loading: usize,
    pending_shutdowns: Vec<(Addr, i32, BrokerId)>,
}

impl Controller {
    pub fn assignment(&self, tp: &TopicPartition) -> Option<&Vec<BrokerId>> {
        self.topics.get(&*tp.topic)?.assignment.get(&tp.partition)
    }
}

impl Broker {
    pub(crate) fn become_controller(&mut self) {
        self.controller = Some(Controller::default());
        self.active_controller = Some(self.id());
        self.zk_send(
            ZkRequest::GetData {
                path: paths::CONTROLLER_EPOCH.into(),
                watch: false,
            },
            Purpose::Controller(ZkOp::ReadEpoch),
        );
    }

    pub(crate) fn resign_controller(&mut self) {
        if self.controller.take().is_some() {
            self.event("controller-resigned", || json!({}));
            self.cancel_timer(timers::LEADER_REBALANCE);
        }
    }

    fn ctl(&mut self) -> Option<&mut Controller> {
        self.controller.as_mut()
    }

    fn ctl_zk(&mut self, request: ZkRequest, op: ZkOp) {
        if matches!(
            op,
            ZkOp::BrokerIds
                | ZkOp::Topics
                | ZkOp::TopicAssignment(_)
                | ZkOp::TopicConfig(_)
                | ZkOp::ReadState(_)
        ) {
            if let Some(c) = self.ctl() {
                c.loading += 1;
            }
        }
        self.zk_send(request, Purpose::Controller(op));
    }

    pub(crate) fn controller_on_zk(&mut self, op: ZkOp, response: ZkResponse) {
        if self.controller.is_none() {
            return;
        }
        let is_load = matches!(
            op,
            ZkOp::BrokerIds
                | ZkOp::Topics
                | ZkOp::TopicAssignment(_)
                | ZkOp::TopicConfig(_)
                | ZkOp::ReadState(_)
        );
        match op {
            ZkOp::ReadEpoch => match response {
                ZkResponse::Data { data, stat } => {
                    let epoch = zc::decode_controller_epoch(&data).unwrap_or(0) + 1;
                    self.zk_send(
                        ZkRequest::SetData {
                            path: paths::CONTROLLER_EPOCH.into(),
                            data: zc::encode_controller_epoch(epoch),
                            version: stat.version,
                        },
                        Purpose::Controller(ZkOp::WriteEpoch(epoch)),
                    );
                }
                _ => self.zk_send(
                    ZkRequest::Create {
                        path: paths::CONTROLLER_EPOCH.into(),
                        data: zc::encode_controller_epoch(1),
                        mode: CreateMode::Persistent,
                    },
                    Purpose::Controller(ZkOp::WriteEpoch(1)),
                ),
            },
            ZkOp::WriteEpoch(epoch) => {
                let version = match response {
                    ZkResponse::DataSet { stat } => stat.version,
                    ZkResponse::Created { .. } => 0,
                    _ => {
                        // Another controller moved the epoch: step down.
                        return self.resign_controller();
                    }
                };
                let c = self.ctl().expect("checked");
                c.epoch = epoch;
                c.epoch_zk_version = version;
                self.ctl_zk(
                    ZkRequest::GetChildren {
                        path: paths::BROKER_IDS.into(),
                        watch: true,
                    },
                    ZkOp::BrokerIds,
                );
                self.ctl_zk(
                    ZkRequest::GetChildren {
                        path: paths::TOPICS.into(),
                        watch: true,
                    },
                    ZkOp::Topics,
                );
                self.zk_send(
                    ZkRequest::GetChildren {
                        path: paths::ISR_CHANGE_NOTIFICATION.into(),
                        watch: true,
                    },
                    Purpose::Controller(ZkOp::IsrNotifications),
                );
            }
            ZkOp::BrokerIds => {
                if let ZkResponse::Children { children, .. } = response {
                    let live: BTreeSet<BrokerId> =
                        children.iter().filter_map(|c| c.parse().ok()).collect();
                    self.on_broker_change(live);
                }
            }
            ZkOp::Topics => {
                if let ZkResponse::Children { children, .. } = response {
                    let known: Vec<String> = self
                        .controller
                        .as_ref()
                        .expect("checked")
                        .topics
                        .keys()
                        .cloned()
                        .collect();
                    for t in children.into_iter().filter(|t| !known.contains(t)) {
                        self.ctl()
                            .expect("checked")
                            .topics
                            .insert(t.clone(), TopicInfo::default());
                        self.ctl_zk(
                            ZkRequest::GetData {
                                path: paths::topic_config(&t),
                                watch: false,
                            },
                            ZkOp::TopicConfig(t.clone()),
                        );
                        self.ctl_zk(
                            ZkRequest::GetData {
                                path: paths::topic(&t),
                                watch: false,
                            },
                            ZkOp::TopicAssignment(t),
                        );
                    }
                }
            }
            ZkOp::TopicConfig(t) => {
                if let ZkResponse::Data { data, .. } = response {
                    let cfg = decode_entity_config(&data).unwrap_or_default();
                    if let Some(info) = self.ctl().expect("checked").topics.get_mut(&t) {
                        info.config = Arc::new(cfg);
                    }
                }
            }
            ZkOp::TopicAssignment(t) => {
                if let ZkResponse::Data { data, .. } = response {
                    if let Ok(a) = TopicAssignment::decode(&data) {
                        let assignment: BTreeMap<i32, Vec<BrokerId>> = a
                            .partitions
                            .iter()
                            .map(|(p, r)| (*p, r.replicas.clone()))
                            .collect();
                        for p in assignment.keys() {
                            let tp = TopicPartition::new(&t, *p);
                            self.ctl_zk(
                                ZkRequest::GetData {
                                    path: paths::partition_state(&t, *p),
                                    watch: false,
                                },
                                ZkOp::ReadState(tp),
                            );
                        }
                        if let Some(info) = self.ctl().expect("checked").topics.get_mut(&t) {
                            info.assignment = assignment;
                        }
                    }
                }
            }
            ZkOp::ReadState(tp) => {
                if let ZkResponse::Data { data, stat } = response {
                    if let Ok(s) = LeaderIsrAndControllerEpoch::decode(&data) {
                        let li = LeaderIsr {
                            leader: s.leader,
                            leader_epoch: s.leader_epoch,
                            isr: s.isr,
                            controller_epoch: s.controller_epoch,
                            zk_version: stat.version,
                        };
                        let c = self.ctl().expect("checked");
                        let changed = c.states.get(&tp) != Some(&li);
                        c.states.insert(tp.clone(), li);
                        if changed && c.active {
                            self.send_update_metadata(std::slice::from_ref(&tp));
                            self.reconcile();
                        }
                    }
                }
            }
            ZkOp::EnsurePath => {}
            ZkOp::WriteState(tp, mut li, why) => {
                self.ctl().expect("checked").writing.remove(&tp);
                let version = match &response {
                    ZkResponse::Multi { results } => results.iter().find_map(|r| match r {
                        OpResult::SetData { stat } => Some(stat.version),
                        OpResult::Create { .. } => Some(0),
                        _ => None,
                    }),
                    _ => None,
                };
                match version {
                    Some(v) => {
                        li.zk_version = v;
                        self.ctl()
                            .expect("checked")
                            .states
                            .insert(tp.clone(), li.clone());
                        let li2 = li.clone();
                        self.event("partition-state", || {
                            json!({"partition": tp.to_string(), "leader": li2.leader, "leader_epoch": li2.leader_epoch, "isr": li2.isr, "reason": why})
                        });
                        if why == "unclean-election" {
                            self.event(
                                "unclean-leader-election",
                                || json!({"partition": tp.to_string(), "leader": li.leader}),
                            );
                        }
                        self.send_leader_and_isr_for(&tp, None);
                        self.send_update_metadata(std::slice::from_ref(&tp));
                    }
                    None => {
                        // BADVERSION (the leader changed the ISR meanwhile) or a
                        // fenced controller epoch: re-read and decide again.
                        let fenced = matches!(&response, ZkResponse::Multi { results }
                            if matches!(results.first(), Some(OpResult::Error { err: ZkErrorCode::BadVersion })));
                        if fenced {
                            return self.resign_controller();
                        }
                        self.ctl_zk(
                            ZkRequest::GetData {
                                path: paths::partition_state(&tp.topic, tp.partition),
                                watch: false,
                            },
                            ZkOp::ReadState(tp),
                        );
                    }
                }
                self.answer_controlled_shutdowns();
            }
            ZkOp::IsrNotifications => {
                if let ZkResponse::Children { children, .. } = response {
                    for name in children {
                        let path = format!("{}/{}", paths::ISR_CHANGE_NOTIFICATION, name);
                        self.zk_send(
                            ZkRequest::GetData {
                                path: path.clone(),
                                watch: false,
                            },
                            Purpose::Controller(ZkOp::IsrNotification(path)),
                        );
                    }
                }
            }
            ZkOp::IsrNotification(path) => {
                if let ZkResponse::Data { data, .. } = response {
                    for p in decode_isr_change(&data).unwrap_or_default() {
                        let tp = TopicPartition::new(&p.topic, p.partition);
                        self.ctl_zk(
                            ZkRequest::GetData {
                                path: paths::partition_state(&p.topic, p.partition),
                                watch: false,
                            },
                            ZkOp::ReadState(tp),
                        );
                    }
                    self.zk_send(
                        ZkRequest::Delete { path, version: -1 },
                        Purpose::Controller(ZkOp::EnsurePath),
                    );
                }
            }
        }
        if is_load {
            let c = self.ctl().expect("checked");
            c.loading = c.loading.saturating_sub(1);
            if c.loading == 0 && !c.active {
                c.active = true;
                self.on_controller_ready();
            } else if c.loading == 0 {
                self.reconcile();
            }
        }
    }

    fn on_controller_ready(&mut self) {
        let epoch = self.controller.as_ref().map_or(0, |c| c.epoch);
        self.event("controller-elected", || json!({"epoch": epoch}));
        let all: Vec<TopicPartition> = self
            .controller
            .as_ref()
            .expect("active")
            .states
            .keys()
            .cloned()
            .collect();
        self.send_update_metadata(&all);
        for tp in &all {
            self.send_leader_and_isr_for(tp, None);
        }
        self.reconcile();
        if self.config.auto_leader_rebalance_enable {
            let at = self.now + self.config.leader_imbalance_check_interval_seconds * 1000;
            self.set_background_timer(timers::LEADER_REBALANCE, at);
        }
    }

    pub(crate) fn controller_on_watch(&mut self, event: WatchedEvent) {
        if self.controller.is_none() {
            return;
        }
        match (event.event_type, event.path.as_str()) {
            (EventType::NodeChildrenChanged, p) if p == paths::BROKER_IDS => self.ctl_zk(
                ZkRequest::GetChildren {
                    path: paths::BROKER_IDS.into(),
                    watch: true,
                },
                ZkOp::BrokerIds,
            ),
            (EventType::NodeChildrenChanged, p) if p == paths::TOPICS => self.ctl_zk(
                ZkRequest::GetChildren {
                    path: paths::TOPICS.into(),
                    watch: true,
                },
                ZkOp::Topics,
            ),
            (EventType::NodeChildrenChanged, p) if p == paths::ISR_CHANGE_NOTIFICATION => self
                .zk_send(
                    ZkRequest::GetChildren {
                        path: paths::ISR_CHANGE_NOTIFICATION.into(),
                        watch: true,
                    },
                    Purpose::Controller(ZkOp::IsrNotifications),
                ),
            _ => {}
        }
    }

    fn on_broker_change(&mut self, live: BTreeSet<BrokerId>) {
        let c = self.ctl().expect("checked");
        let old = std::mem::replace(&mut c.live_brokers, live.clone());
        c.shutting_down.retain(|b| live.contains(b));
        if !c.active {
            return;
        }
        let dead: Vec<BrokerId> = old.difference(&live).copied().collect();
        let new: Vec<BrokerId> = live.difference(&old).copied().collect();
        if dead.is_empty() && new.is_empty() {
            return;
        }
        self.event(
            "broker-change",
            || json!({"live": live, "dead": dead, "new": new}),
        );
        let all: Vec<TopicPartition> = self
            .controller
            .as_ref()
            .expect("checked")
            .states
            .keys()
            .cloned()
            .collect();
        self.send_update_metadata(&all);
        // A (re)started broker learns its partitions (it becomes a follower).
        for b in &new {
            let mine: Vec<TopicPartition> = {
                let c = self.controller.as_ref().expect("checked");
                all.iter()
                    .filter(|tp| c.assignment(tp).is_some_and(|a| a.contains(b)))
                    .cloned()
                    .collect()
            };
            for tp in mine {
                self.send_leader_and_isr_for(&tp, Some(*b));
            }
        }
        self.reconcile();
    }

    /// The state the controller wants for `tp` given who is alive (Kafka's
    /// partition and replica state machines folded into one decision, each
    /// step one of Kafka's election algorithms): create new partitions, elect
    /// a leader when the current one is gone or shutting down, and drop dead
    /// replicas from the ISR.
    fn desired_state(&self, tp: &TopicPartition) -> Option<(LeaderIsr, &'static str)> {
        let c = self.controller.as_ref()?;
        let info = c.topics.get(&*tp.topic)?;
        let assignment = info.assignment.get(&tp.partition)?;
        let eligible: BTreeSet<BrokerId> = c
            .live_brokers
            .difference(&c.shutting_down)
            .copied()
            .collect();
        let with_epoch = |li: LeaderAndIsr, zk_version: i32| LeaderIsr {
            leader: li.leader,
            leader_epoch: li.leader_epoch,
            isr: li.isr,
            controller_epoch: c.epoch,
            zk_version,
        };
        let Some(cur) = c.states.get(tp) else {
            let init = election::initial_leader_and_isr(assignment, &eligible)?;
            return Some((with_epoch(init, -1), "new-partition"));
        };
        let current = LeaderAndIsr {
            leader: cur.leader,
            leader_epoch: cur.leader_epoch,
            isr: cur.isr.clone(),
        };
        if cur.leader != NO_LEADER && eligible.contains(&cur.leader) {
            // The leader is fine: replicas that went away leave the ISR.
            let isr: Vec<BrokerId> = cur
                .isr
                .iter()
                .copied()
                .filter(|r| eligible.contains(r))
                .collect();
            if isr.len() == cur.isr.len() {
                return None;
            }
            return Some((
                with_epoch(current.new_leader_and_isr(cur.leader, isr), cur.zk_version),
                "replica-offline",
            ));
        }
        if cur.leader != NO_LEADER && c.live_brokers.contains(&cur.leader) {
            // A controlled shutdown: move leadership if another ISR member
            // can take it, else the leader stays until it stops.
            let next = election::leader_for_controlled_shutdown(
                &current,
                assignment,
                &c.live_brokers,
                &c.shutting_down,
            )?;
            return Some((with_epoch(next, cur.zk_version), "controlled-shutdown"));
        }
        let unclean = self.config.unclean_for(&info.config);
        if let Some(e) = election::leader_for_offline(&current, assignment, &eligible, unclean) {
            let why = if e.unclean {
                "unclean-election"
            } else {
                "leader-election"
            };
            return Some((with_epoch(e.leader_and_isr, cur.zk_version), why));
        }
        if cur.leader == NO_LEADER {
            return None;
        }
        // Nobody can lead: the dead replicas leave the ISR one by one, the
        // last one staying so that only it may lead again (a clean election).
        let removed = cur
            .isr
            .iter()
            .filter(|r| !eligible.contains(r))
            .fold(current.clone(), |li, r| {
                election::remove_replica_from_isr(&li, *r)
            });
        let offline = current.new_leader_and_isr(NO_LEADER, removed.isr);
        Some((with_epoch(offline, cur.zk_version), "offline"))
    }

    /// Writes every partition whose desired state differs from ZooKeeper's.
    pub(crate) fn reconcile(&mut self) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        if !c.active {
            return;
        }
        let tps: Vec<TopicPartition> = c
            .topics
            .iter()
            .flat_map(|(t, info)| {
                info.assignment
                    .keys()
                    .map(move |p| TopicPartition::new(t, *p))
            })
            .filter(|tp| !c.writing.contains(tp))
            .collect();
        for tp in tps {
            if let Some((li, why)) = self.desired_state(&tp) {
                self.write_state(tp, li, why);
            }
        }
        self.answer_controlled_shutdowns();
    }

    fn write_state(&mut self, tp: TopicPartition, li: LeaderIsr, why: &'static str) {
        let c = self.ctl().expect("active");
        c.writing.insert(tp.clone());
        let (epoch_version, epoch) = (c.epoch_zk_version, c.epoch);
        let data = zkdata::partition_state(li.leader, li.leader_epoch, &li.isr, epoch);
        let state_path = paths::partition_state(&tp.topic, tp.partition);
        let write = if li.zk_version < 0 {
            // Parents first (each may exist already: errors ignored).
            for path in [
                paths::topic_partitions(&tp.topic),
                paths::topic_partition(&tp.topic, tp.partition),
            ] {
                self.zk_send(
                    ZkRequest::Create {
                        path,
                        data: vec![],
                        mode: CreateMode::Persistent,
                    },
                    Purpose::Controller(ZkOp::EnsurePath),
                );
            }
            Op::Create {
                path: state_path,
                data,
                mode: CreateMode::Persistent,
            }
        } else {
            Op::SetData {
                path: state_path,
                data,
                version: li.zk_version,
            }
        };
        // Every write is fenced by the controller epoch znode's version.
        let ops = vec![
            Op::Check {
                path: paths::CONTROLLER_EPOCH.into(),
                version: epoch_version,
            },
            write,
        ];
        self.zk_send(
            ZkRequest::Multi { ops },
            Purpose::Controller(ZkOp::WriteState(tp, li, why)),
        );
    }

    fn partition_state_msg(&self, tp: &TopicPartition) -> Option<(PartitionState, TopicConfig)> {
        let c = self.controller.as_ref()?;
        let li = c.states.get(tp)?;
        let info = c.topics.get(&*tp.topic)?;
        let replicas = info.assignment.get(&tp.partition)?.clone();
        Some((
            PartitionState {
                tp: tp.clone(),
                controller_epoch: li.controller_epoch,
                leader: li.leader,
                leader_epoch: li.leader_epoch,
                isr: li.isr.clone(),
                zk_version: li.zk_version,
                replicas,
                is_new: false,
            },
            info.config.clone(),
        ))
    }

    /// LeaderAndIsr for `tp` to its live replicas (or just `only`).
    fn send_leader_and_isr_for(&mut self, tp: &TopicPartition, only: Option<BrokerId>) {
        let Some((state, config)) = self.partition_state_msg(tp) else {
            return;
        };
        if state.leader == NO_LEADER && only.is_none() {
            // Nothing to lead: replicas keep what they have.
        }
        let c = self.controller.as_ref().expect("checked");
        let (epoch, me) = (c.epoch, self.id());
        let targets: Vec<BrokerId> = state
            .replicas
            .iter()
            .copied()
            .filter(|b| c.live_brokers.contains(b) && only.is_none_or(|o| o == *b))
            .collect();
        for b in targets {
            let req = LeaderAndIsrRequest {
                controller_id: me,
                controller_epoch: epoch,
                broker_epoch: -1,
                partitions: vec![(state.clone(), config.clone())],
            };
            self.controller_send(b, Request::LeaderAndIsr(req));
        }
    }

    fn send_update_metadata(&mut self, tps: &[TopicPartition]) {
        let partitions: Vec<PartitionState> = tps
            .iter()
            .filter_map(|tp| self.partition_state_msg(tp).map(|(s, _)| s))
            .collect();
        let c = self.controller.as_ref().expect("checked");
        let live: Vec<BrokerId> = c.live_brokers.iter().copied().collect();
        let (epoch, me) = (c.epoch, self.id());
        for b in live.clone() {
            let req = UpdateMetadataRequest {
                controller_id: me,
                controller_epoch: epoch,
                partitions: partitions.clone(),
                live_brokers: live.clone(),
            };
            self.controller_send(b, Request::UpdateMetadata(req));
        }
    }

    /// Sends a controller request; Kafka's controller channel keeps sending
    /// until the broker answers, so an unanswered one is sent again after
    /// `controller.socket.timeout.ms` while the broker is alive.
    fn controller_send(&mut self, to: BrokerId, request: Request) {
        let pending = Pending::ControllerRequest {
            to,
            request: request.clone(),
        };
        let id = self.request(Addr::Broker(to), request, pending);
        let at = self.now + self.config.controller_socket_timeout_ms;
        self.set_timer(timers::CONTROLLER_RETRY + id as u64, at);
    }

    pub(crate) fn controller_request_timed_out(&mut self, correlation_id: i32) {
        let Some(Pending::ControllerRequest { to, request }) = self.pending.remove(&correlation_id)
        else {
            return;
        };
        let live = self
            .controller
            .as_ref()
            .is_some_and(|c| c.active && c.live_brokers.contains(&to));
        if live {
            self.event(
                "controller-request-retry",
                || json!({"to": to, "api": request.api()}),
            );
            self.controller_send(to, request);
        }
    }

    // ---- Controlled shutdown ----

    pub(crate) fn controller_on_controlled_shutdown(
        &mut self,
        from: Addr,
        correlation_id: i32,
        broker: BrokerId,
    ) {
        let Some(c) = self.ctl().filter(|c| c.active) else {
            let resp = Response::ControlledShutdown {
                error: ErrorCode::NotController,
                remaining: vec![],
            };
            return self.respond(from, correlation_id, resp);
        };
        c.shutting_down.insert(broker);
        c.pending_shutdowns.push((from, correlation_id, broker));
        self.event(
            "controlled-shutdown-requested",
            || json!({"broker": broker}),
        );
        self.reconcile();
    }

    /// Answers controlled shutdowns once no partition write is in flight:
    /// with the partitions the broker still leads.
    fn answer_controlled_shutdowns(&mut self) {
        let Some(c) = self.controller.as_mut() else {
            return;
        };
        if !c.writing.is_empty() || c.pending_shutdowns.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut c.pending_shutdowns);
        for (from, corr, broker) in pending {
            let c = self.controller.as_ref().expect("checked");
            let remaining: Vec<TopicPartition> = c
                .states
                .iter()
                .filter(|(_, li)| li.leader == broker)
                .map(|(tp, _)| tp.clone())
                .collect();
            self.respond(
                from,
                corr,
                Response::ControlledShutdown {
                    error: ErrorCode::None,
                    remaining,
                },
            );
        }
    }

    // ---- Preferred replica election (auto.leader.rebalance.enable) ----

    pub(crate) fn controller_check_preferred_leaders(&mut self) {
        let Some(c) = self.controller.as_ref().filter(|c| c.active) else {
            return;
        };
        let pct = self.config.leader_imbalance_per_broker_percentage as f64 / 100.0;
        let mut by_preferred: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        for (tp, _) in c.states.iter() {
            if let Some(&preferred) = c.assignment(tp).and_then(|a| a.first()) {
                by_preferred.entry(preferred).or_default().push(tp.clone());
            }
        }
        let mut moves = Vec::new();
        for (preferred, tps) in by_preferred {
            let not_led: Vec<&TopicPartition> = tps
                .iter()
                .filter(|tp| c.states[*tp].leader != preferred)
                .collect();
            let ratio = not_led.len() as f64 / tps.len() as f64;
            if ratio <= pct
                || !c.live_brokers.contains(&preferred)
                || c.shutting_down.contains(&preferred)
            {
                continue;
            }
            for tp in not_led {
                let cur = &c.states[tp];
                if cur.isr.contains(&preferred) && !c.writing.contains(tp) {
                    let next = LeaderIsr {
                        leader: preferred,
                        leader_epoch: cur.leader_epoch + 1,
                        controller_epoch: c.epoch,
                        ..cur.clone()
                    };
                    moves.push((tp.clone(), next));
                }
            }
        }
        for (tp, li) in moves {
            self.write_state(tp, li, "preferred-replica-election");
        }
        let at = self.now + self.config.leader_imbalance_check_interval_seconds * 1000;
        self.set_background_timer(timers::LEADER_REBALANCE, at);
    }

    // ---- The broker side of controlled shutdown ----

    pub(crate) fn begin_controlled_shutdown(&mut self) {
        if self.shutting_down {
            return;
        }
        self.shutting_down = true;
        self.event("controlled-shutdown", || json!({}));
        match self.active_controller {
            Some(c) => {
                let me = self.id();
                let epoch = self.broker_epoch;
                self.request(
                    Addr::Broker(c),
                    Request::ControlledShutdown {
                        broker_id: me,
                        broker_epoch: epoch,
                    },
                    Pending::ControlledShutdown,
                );
            }
            None => self.finish_shutdown(),
        }
    }

    pub(crate) fn on_controlled_shutdown_response(
        &mut self,
        error: ErrorCode,
        remaining: Vec<TopicPartition>,
    ) {
        self.event("controlled-shutdown-response", || {
            json!({"error": error.name(), "remaining": remaining.iter().map(|t| t.to_string()).collect::<Vec<_>>()})
        });
        self.finish_shutdown();
    }

    /// A clean stop: flush every log, checkpoint HWs, mark clean shutdown,
    /// close the ZooKeeper session (the broker's znode goes at once).
    fn finish_shutdown(&mut self) {
        let now = self.now;
        self.checkpoint_hw();
        for (_, p) in std::mem::take(&mut self.partitions) {
            p.log.close(now);
        }
        self.resign_controller();
        self.zk_close();
        self.stopped = true;
        self.out.push(crate::Output::Stopped);
    }
}

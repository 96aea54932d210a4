//! The client side of the classic group protocol (`AbstractCoordinator` +
//! `ConsumerCoordinator`): finding the coordinator, JoinGroup/SyncGroup
//! (the leader runs the assignor), heartbeats, eager and cooperative
//! (KIP-429) revocation, LeaveGroup, offset commits and committed-offset
//! fetches.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use broker::api::{BrokerId, CoordinatorType, Request, TopicPartition};
use broker::Output;
use coordinator::{
    ErrorCode, HeartbeatRequest, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest,
    MemberIdentity, OffsetCommitRequest, OffsetCommitRequestPartition, OffsetFetchRequest,
    Request as GroupRequest, Response as GroupResponse, SyncGroupRequest, SyncGroupResponse,
    NO_GENERATION, UNKNOWN_MEMBER_ID,
};
use serde_json::json;

use super::config::{AutoOffsetReset, ConsumerConfig};
use super::consumer::{event, tp_names, Consumer, ConsumerError, InFlight, Pending};
use super::consumer_protocol::{
    decode_assignment, decode_subscription, encode_assignment, encode_subscription,
    ASSIGNMENT_VERSION, SUBSCRIPTION_VERSION,
};
use super::metadata::Metadata;
use super::subscription_state::{FetchState, OffsetSpec};
use crate::assignor::{
    self, assignor_by_name, CooperativeStickyAssignor, RebalanceProtocol, StickyAssignor,
    Subscription,
};

/// `AbstractCoordinator.MemberState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    Unjoined,
    /// JoinGroup sent.
    PreparingRebalance,
    /// SyncGroup sent.
    CompletingRebalance,
    Stable,
}

/// Why a commit is sent; auto and close commits are async, sync ones are
/// retried until they succeed or are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitKind {
    Auto,
    Sync,
    Async,
    /// Auto-commit before (re)joining (`onJoinPrepare`).
    Rebalance,
    Close,
}

impl CommitKind {
    fn name(self) -> &'static str {
        match self {
            CommitKind::Auto => "auto",
            CommitKind::Sync => "sync",
            CommitKind::Async => "async",
            CommitKind::Rebalance => "rebalance",
            CommitKind::Close => "close",
        }
    }
}

/// What one rebalance changed for this member, as its
/// `ConsumerRebalanceListener` was told: eager revokes everything it owned
/// and assigns it all again; cooperative revokes only what moves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignmentChange {
    /// The generation the rebalance ended in.
    pub generation: i32,
    /// `onPartitionsRevoked`, at the start and at the end of the rebalance.
    pub revoked: BTreeSet<TopicPartition>,
    /// `onPartitionsLost`: owned when the member lost its generation.
    pub lost: BTreeSet<TopicPartition>,
    /// `onPartitionsAssigned`: new to the member.
    pub added: BTreeSet<TopicPartition>,
}

impl AssignmentChange {
    pub fn is_empty(&self) -> bool {
        self.revoked.is_empty() && self.lost.is_empty() && self.added.is_empty()
    }
}

#[derive(Debug)]
pub struct ConsumerCoordinator {
    pub coordinator: Option<BrokerId>,
    pub find_in_flight: bool,
    pub find_retry_at: u64,
    pub state: MemberState,
    pub member_id: String,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader_id: String,
    pub rejoin_needed: bool,
    pub join_retry_at: u64,
    /// `onJoinPrepare` ran for the rebalance in progress.
    join_prepared: bool,
    /// Left the group because the application stopped polling; rejoins at
    /// the next poll (as Kafka's heartbeat thread leaves and poll rejoins).
    pub waiting_for_poll: bool,
    pub last_heartbeat_send: u64,
    pub last_heartbeat_ok: u64,
    heartbeat_in_flight: bool,
    /// EAGER unless every configured assignor supports COOPERATIVE.
    pub rebalance_protocol: RebalanceProtocol,
    /// The leader's partition counts when it assigned (a change rejoins).
    assignment_snapshot: Option<BTreeMap<String, i32>>,
    /// What the eager sticky assignor remembers in its user data.
    sticky_memory: (Vec<assignor::TopicPartition>, i32),
    pub committed: BTreeMap<TopicPartition, i64>,
    pending_commits: VecDeque<(BTreeMap<TopicPartition, i64>, CommitKind)>,
    commit_retry_at: u64,
    offset_fetch_in_flight: bool,
    offset_fetch_retry_at: u64,
    pub next_auto_commit: u64,
    /// A fatal error: the consumer stops group activity.
    failed: bool,
    /// What the rebalance in progress has changed so far.
    rebalancing: AssignmentChange,
    /// The newest rebalance that changed this member's partitions (a
    /// rebalance that changed nothing for it leaves this as it was).
    pub last_change: Option<AssignmentChange>,
}

impl ConsumerCoordinator {
    pub fn new(config: &ConsumerConfig) -> Self {
        let all_cooperative = config.partition_assignment_strategy.iter().all(|n| {
            assignor_by_name(n).is_some_and(|a| {
                a.supported_protocols()
                    .contains(&RebalanceProtocol::Cooperative)
            })
        });
        ConsumerCoordinator {
            coordinator: None,
            find_in_flight: false,
            find_retry_at: 0,
            state: MemberState::Unjoined,
            member_id: UNKNOWN_MEMBER_ID.to_string(),
            generation: NO_GENERATION,
            protocol: None,
            leader_id: String::new(),
            rejoin_needed: true,
            join_retry_at: 0,
            join_prepared: false,
            waiting_for_poll: false,
            last_heartbeat_send: 0,
            last_heartbeat_ok: 0,
            heartbeat_in_flight: false,
            rebalance_protocol: if all_cooperative {
                RebalanceProtocol::Cooperative
            } else {
                RebalanceProtocol::Eager
            },
            assignment_snapshot: None,
            sticky_memory: (Vec::new(), NO_GENERATION),
            committed: BTreeMap::new(),
            pending_commits: VecDeque::new(),
            commit_retry_at: 0,
            offset_fetch_in_flight: false,
            offset_fetch_retry_at: 0,
            next_auto_commit: 0,
            failed: false,
            rebalancing: AssignmentChange::default(),
            last_change: None,
        }
    }

    /// The application polled: a member that left for not polling rejoins.
    pub fn on_poll(&mut self) {
        if self.waiting_for_poll {
            self.waiting_for_poll = false;
            self.rejoin_needed = true;
        }
    }

    pub fn enqueue_commit(&mut self, offsets: BTreeMap<TopicPartition, i64>, kind: CommitKind) {
        if !offsets.is_empty() {
            self.pending_commits.push_back((offsets, kind));
        }
    }

    pub(crate) fn sync_commit_pending(&self, in_flight: &BTreeMap<i32, InFlight>) -> bool {
        self.pending_commits
            .iter()
            .any(|(_, k)| *k == CommitKind::Sync)
            || in_flight.values().any(|f| {
                matches!(
                    f.kind,
                    Pending::OffsetCommit {
                        kind: CommitKind::Sync,
                        ..
                    }
                )
            })
    }

    /// The leader rejoins when a subscribed topic's partition count
    /// changed since it assigned (`ConsumerCoordinator.rejoinNeededOrPending`).
    pub fn check_metadata_snapshot(&mut self, metadata: &Metadata) {
        if let Some(snapshot) = &self.assignment_snapshot {
            let changed = snapshot
                .iter()
                .any(|(t, n)| metadata.partition_count(t).is_some_and(|m| m != *n));
            if changed && self.state == MemberState::Stable {
                self.rejoin_needed = true;
            }
        }
    }

    fn is_member(&self) -> bool {
        self.state != MemberState::Unjoined || self.generation != NO_GENERATION
    }

    /// Moments the group needs attention (heartbeat due, session or poll
    /// interval expiring, retries).
    pub fn deadlines(&self, polling: bool, last_poll: u64, config: &ConsumerConfig) -> Vec<u64> {
        let mut d = vec![
            self.find_retry_at,
            self.join_retry_at,
            self.offset_fetch_retry_at,
            self.commit_retry_at,
        ];
        if self.state == MemberState::Stable && self.coordinator.is_some() {
            d.push(self.last_heartbeat_send + config.heartbeat_interval_ms);
            d.push(self.last_heartbeat_ok + config.session_timeout_ms);
        }
        if self.is_member() && !polling && !self.waiting_for_poll {
            d.push(last_poll + config.max_poll_interval_ms + 1);
        }
        if config.enable_auto_commit && polling {
            d.push(self.next_auto_commit);
        }
        d
    }
}

impl Consumer {
    fn group_id(&self) -> String {
        self.config.group_id.clone().unwrap_or_default()
    }

    fn send_group(
        &mut self,
        now: u64,
        request: GroupRequest,
        kind: Pending,
        timeout: Option<u64>,
        out: &mut Vec<Output>,
    ) -> bool {
        let Some(to) = self.group.coordinator else {
            return false;
        };
        self.send(now, to, Request::Group(request), kind, timeout, out);
        true
    }

    pub(crate) fn group_progress(&mut self, now: u64, out: &mut Vec<Output>) {
        if self.config.group_id.is_none() {
            // No group, no committed offsets: straight to the reset policy.
            for tp in self.subs.in_state(|s| s == FetchState::Initializing) {
                self.reset_to_policy(&tp, "no group.id", out);
            }
            return;
        }
        if self.group.failed {
            return;
        }
        let managed = self.subs.is_group_managed();
        if managed {
            self.check_poll_timeout(now, out);
            if self.group.coordinator.is_some() {
                self.check_session(now, out);
            }
        }
        let needs_coordinator = managed
            || !self.group.pending_commits.is_empty()
            || !self
                .subs
                .in_state(|s| s == FetchState::Initializing)
                .is_empty();
        if self.group.coordinator.is_none() {
            if needs_coordinator && !self.group.find_in_flight && now >= self.group.find_retry_at {
                self.find_coordinator(now, out);
            }
            return;
        }
        self.send_pending_commits(now, out);
        if managed {
            self.maybe_join(now, out);
            self.maybe_heartbeat(now, out);
        }
        self.maybe_fetch_committed(now, out);
    }

    fn find_coordinator(&mut self, now: u64, out: &mut Vec<Output>) {
        let brokers = if self.metadata.brokers.is_empty() {
            self.bootstrap.clone()
        } else {
            self.metadata.brokers.clone()
        };
        if brokers.is_empty() {
            return;
        }
        let to = brokers[self.metadata.next_broker % brokers.len()];
        self.group.find_in_flight = true;
        let request = Request::FindCoordinator {
            key: self.group_id(),
            key_type: CoordinatorType::Group,
        };
        self.send(now, to, request, Pending::FindCoordinator, None, out);
    }

    pub(crate) fn on_find_coordinator(
        &mut self,
        now: u64,
        error: ErrorCode,
        node_id: BrokerId,
        out: &mut Vec<Output>,
    ) {
        self.group.find_in_flight = false;
        if error == ErrorCode::None && node_id >= 0 {
            self.group.coordinator = Some(node_id);
            // A fresh coordinator connection: the session starts over.
            self.group.last_heartbeat_ok = now;
            out.push(event(
                "coordinator-found",
                json!({"consumer": self.config.client_id, "group": self.group_id(), "coordinator": node_id}),
            ));
        } else {
            self.metadata.next_broker += 1;
            self.group.find_retry_at = now + self.config.retry_backoff_ms;
        }
    }

    /// `markCoordinatorUnknown`: in-flight group requests are abandoned.
    fn coordinator_unknown(&mut self, now: u64, reason: &str, out: &mut Vec<Output>) {
        let Some(old) = self.group.coordinator.take() else {
            return;
        };
        out.push(event(
            "coordinator-unknown",
            json!({"consumer": self.config.client_id, "coordinator": old, "reason": reason}),
        ));
        let abandoned: Vec<i32> = self
            .in_flight
            .iter()
            .filter(|(_, f)| {
                matches!(
                    f.kind,
                    Pending::JoinGroup
                        | Pending::SyncGroup
                        | Pending::Heartbeat
                        | Pending::OffsetFetch
                )
            })
            .map(|(id, _)| *id)
            .collect();
        for id in abandoned {
            if let Some(f) = self.in_flight.remove(&id) {
                self.on_group_failure(now, f.kind, out);
            }
        }
    }

    /// A group request that got no answer.
    pub(crate) fn on_group_failure(&mut self, now: u64, kind: Pending, out: &mut Vec<Output>) {
        match kind {
            Pending::FindCoordinator => {
                self.group.find_in_flight = false;
                self.metadata.next_broker += 1;
                self.group.find_retry_at = now + self.config.retry_backoff_ms;
            }
            Pending::JoinGroup | Pending::SyncGroup => {
                self.group.state = MemberState::Unjoined;
                self.group.rejoin_needed = true;
                self.coordinator_unknown(now, "no response", out);
            }
            Pending::Heartbeat => {
                self.group.heartbeat_in_flight = false;
                self.coordinator_unknown(now, "heartbeat unanswered", out);
            }
            Pending::OffsetFetch => {
                self.group.offset_fetch_in_flight = false;
                self.group.offset_fetch_retry_at = now + self.config.retry_backoff_ms;
            }
            Pending::OffsetCommit { offsets, kind } => {
                self.commit_failed(now, offsets, kind, "no response", true, out);
            }
            Pending::LeaveGroup
            | Pending::Metadata
            | Pending::ListOffsets(_)
            | Pending::Fetch(_) => {}
        }
    }

    // ----- join / sync -----

    fn maybe_join(&mut self, now: u64, out: &mut Vec<Output>) {
        let g = &self.group;
        let ready = g.rejoin_needed
            && matches!(g.state, MemberState::Unjoined | MemberState::Stable)
            && !g.waiting_for_poll
            && now >= g.join_retry_at
            && self.metadata.received;
        if !ready {
            return;
        }
        if !self.group.join_prepared {
            self.on_join_prepare(now, out);
        }
        let protocols = self.join_protocols();
        let request = JoinGroupRequest {
            group_id: self.group_id(),
            session_timeout_ms: self.config.session_timeout_ms as i32,
            rebalance_timeout_ms: self.config.max_poll_interval_ms as i32,
            member_id: self.group.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
            protocol_type: "consumer".into(),
            protocols,
            client_id: self.config.client_id.clone(),
            client_host: "/127.0.0.1".into(),
            require_known_member_id: true,
            supports_skip_assignment: false,
            reason: None,
        };
        // JoinGroup waits for the whole group: Kafka allows the rebalance
        // timeout plus 5 s.
        let timeout = self
            .config
            .request_timeout_ms
            .max(self.config.max_poll_interval_ms + 5000);
        if self.send_group(
            now,
            GroupRequest::JoinGroup(request),
            Pending::JoinGroup,
            Some(timeout),
            out,
        ) {
            self.group.state = MemberState::PreparingRebalance;
        }
    }

    /// `onJoinPrepare`: commit what was delivered (auto-commit), then
    /// revoke: everything (eager), or only partitions of topics no longer
    /// subscribed (cooperative). A member that lost its generation loses its
    /// partitions without committing.
    fn on_join_prepare(&mut self, now: u64, out: &mut Vec<Output>) {
        self.group.join_prepared = true;
        let owned = self.subs.assigned_set();
        let protocol = protocol_name(self.group.rebalance_protocol);
        self.group.rebalancing = AssignmentChange::default();
        if self.group.generation == NO_GENERATION && !owned.is_empty() {
            self.revoke(&owned);
            self.group.rebalancing.lost = owned.clone();
            out.push(event(
                "partitions-lost",
                json!({"consumer": self.config.client_id, "partitions": tp_names(&owned)}),
            ));
            out.push(event(
                "rebalance-started",
                json!({"consumer": self.config.client_id, "protocol": protocol, "revoked": tp_names(&owned)}),
            ));
            return;
        }
        if self.config.enable_auto_commit {
            let offsets = self.subs.all_consumed();
            self.group.enqueue_commit(offsets, CommitKind::Rebalance);
            self.send_pending_commits(now, out);
        }
        let revoked: BTreeSet<TopicPartition> = match self.group.rebalance_protocol {
            RebalanceProtocol::Eager => owned,
            RebalanceProtocol::Cooperative => {
                let topics = self.subs.subscribed_topics();
                owned
                    .into_iter()
                    .filter(|tp| !topics.iter().any(|t| **t == *tp.topic))
                    .collect()
            }
        };
        self.revoke(&revoked);
        self.history.revoked.extend(revoked.iter().cloned());
        self.group.rebalancing.revoked = revoked.clone();
        out.push(event(
            "rebalance-started",
            json!({"consumer": self.config.client_id, "protocol": protocol, "revoked": tp_names(&revoked)}),
        ));
    }

    fn revoke(&mut self, revoked: &BTreeSet<TopicPartition>) {
        let keep: BTreeSet<TopicPartition> = self
            .subs
            .assigned_set()
            .into_iter()
            .filter(|tp| !revoked.contains(tp))
            .collect();
        for tp in revoked {
            self.fetcher.clear_partition(tp);
            self.resetting.remove(tp);
        }
        self.subs.set_assignment(keep);
    }

    /// One (name, ConsumerProtocolSubscription bytes) per configured
    /// assignor, in preference order.
    fn join_protocols(&self) -> Vec<(String, Vec<u8>)> {
        let owned: Vec<assignor::TopicPartition> = self
            .subs
            .assigned()
            .map(|tp| assignor::TopicPartition::new(&*tp.topic, tp.partition))
            .collect();
        let generation = self.group.generation;
        self.config
            .partition_assignment_strategy
            .iter()
            .map(|name| {
                let user_data = match name.as_str() {
                    "sticky" => Some(StickyAssignor::subscription_user_data(
                        &self.group.sticky_memory.0,
                        self.group.sticky_memory.1,
                    )),
                    "cooperative-sticky" => Some(
                        CooperativeStickyAssignor::subscription_user_data(generation),
                    ),
                    _ => None,
                };
                let subscription = Subscription {
                    topics: self.subs.subscribed_topics(),
                    user_data,
                    owned_partitions: owned.clone(),
                    group_instance_id: None,
                    generation_id: Some(generation),
                    rack_id: None,
                };
                (
                    name.clone(),
                    encode_subscription(&subscription, SUBSCRIPTION_VERSION),
                )
            })
            .collect()
    }

    fn on_join_response(&mut self, now: u64, r: JoinGroupResponse, out: &mut Vec<Output>) {
        if self.group.state != MemberState::PreparingRebalance {
            return;
        }
        self.group.state = MemberState::Unjoined;
        match r.error_code {
            ErrorCode::None => {
                self.group.generation = r.generation_id;
                self.group.member_id = r.member_id.clone();
                self.group.protocol = r.protocol_name.clone();
                self.group.leader_id = r.leader.clone();
                self.group.state = MemberState::CompletingRebalance;
                let assignments = if r.leader == r.member_id {
                    match self.perform_assignment(&r) {
                        Ok(a) => a,
                        Err(e) => {
                            self.fail(ConsumerError::Group(e), out);
                            return;
                        }
                    }
                } else {
                    Vec::new()
                };
                let request = SyncGroupRequest {
                    group_id: self.group_id(),
                    generation_id: r.generation_id,
                    member_id: r.member_id,
                    group_instance_id: self.config.group_instance_id.clone(),
                    protocol_type: Some("consumer".into()),
                    protocol_name: r.protocol_name,
                    assignments,
                };
                let timeout = self
                    .config
                    .request_timeout_ms
                    .max(self.config.max_poll_interval_ms + 5000);
                self.send_group(
                    now,
                    GroupRequest::SyncGroup(request),
                    Pending::SyncGroup,
                    Some(timeout),
                    out,
                );
            }
            ErrorCode::MemberIdRequired => {
                // KIP-394: join again, at once, with the id handed out.
                self.group.member_id = r.member_id;
            }
            ErrorCode::UnknownMemberId => self.reset_generation(true),
            ErrorCode::IllegalGeneration => self.reset_generation(false),
            ErrorCode::CoordinatorNotAvailable | ErrorCode::NotCoordinator => {
                self.coordinator_unknown(now, r.error_code.name(), out)
            }
            ErrorCode::FencedInstanceId => self.fail(ConsumerError::FencedInstanceId, out),
            ErrorCode::InconsistentGroupProtocol
            | ErrorCode::GroupMaxSizeReached
            | ErrorCode::GroupAuthorizationFailed
            | ErrorCode::InvalidSessionTimeout => {
                self.fail(ConsumerError::Group(r.error_code.name().to_string()), out)
            }
            _ => self.group.join_retry_at = now + self.config.retry_backoff_ms,
        }
    }

    /// The leader's `onLeaderElected`: decode every member's subscription,
    /// run the group's assignor, encode each member's assignment.
    fn perform_assignment(
        &mut self,
        r: &JoinGroupResponse,
    ) -> Result<Vec<(String, Vec<u8>)>, String> {
        let name = r.protocol_name.clone().unwrap_or_default();
        let assignor = assignor_by_name(&name).ok_or_else(|| format!("unknown assignor {name}"))?;
        let mut subscriptions = BTreeMap::new();
        let mut topics = BTreeSet::new();
        for m in &r.members {
            let mut s = decode_subscription(&m.metadata).map_err(|e| e.to_string())?;
            s.group_instance_id = m.group_instance_id.clone();
            topics.extend(s.topics.iter().cloned());
            subscriptions.insert(m.member_id.clone(), s);
        }
        let partitions_per_topic: BTreeMap<String, i32> = topics
            .iter()
            .filter_map(|t| Some((t.clone(), self.metadata.partition_count(t)?)))
            .collect();
        let mut assignment = assignor.assign_group(&partitions_per_topic, &subscriptions);
        self.group.assignment_snapshot = Some(partitions_per_topic);
        Ok(subscriptions
            .keys()
            .map(|member| {
                let mut a = assignment.remove(member).unwrap_or_default();
                a.partitions.sort();
                (member.clone(), encode_assignment(&a, ASSIGNMENT_VERSION))
            })
            .collect())
    }

    fn on_sync_response(&mut self, now: u64, r: SyncGroupResponse, out: &mut Vec<Output>) {
        if self.group.state != MemberState::CompletingRebalance {
            return;
        }
        self.group.state = MemberState::Unjoined;
        match r.error_code {
            ErrorCode::None => match decode_assignment(&r.assignment) {
                Ok(a) => self.on_join_complete(now, a.partitions, out),
                Err(e) => self.fail(ConsumerError::Group(e.to_string()), out),
            },
            ErrorCode::RebalanceInProgress => {}
            ErrorCode::UnknownMemberId => self.reset_generation(true),
            ErrorCode::IllegalGeneration => self.reset_generation(false),
            ErrorCode::CoordinatorNotAvailable | ErrorCode::NotCoordinator => {
                self.coordinator_unknown(now, r.error_code.name(), out)
            }
            ErrorCode::FencedInstanceId => self.fail(ConsumerError::FencedInstanceId, out),
            _ => self.group.join_retry_at = now + self.config.retry_backoff_ms,
        }
    }

    /// `onJoinComplete`: take the new assignment. Under the cooperative
    /// protocol partitions owned before and not assigned now are revoked,
    /// and if any were, the member rejoins at once so the next generation
    /// can hand them to their new owner.
    fn on_join_complete(
        &mut self,
        now: u64,
        assigned: Vec<assignor::TopicPartition>,
        out: &mut Vec<Output>,
    ) {
        let new: BTreeSet<TopicPartition> = assigned
            .iter()
            .map(|tp| TopicPartition::new(&tp.topic, tp.partition))
            .collect();
        let owned = self.subs.assigned_set();
        let added: BTreeSet<TopicPartition> = new.difference(&owned).cloned().collect();
        let revoked: BTreeSet<TopicPartition> = owned.difference(&new).cloned().collect();
        self.revoke(&revoked);
        self.history.revoked.extend(revoked.iter().cloned());
        let mut change = std::mem::take(&mut self.group.rebalancing);
        change.generation = self.group.generation;
        change.revoked.extend(revoked.iter().cloned());
        change.added = added.clone();
        if !change.is_empty() {
            self.group.last_change = Some(change);
        }
        self.subs.set_assignment(new.clone());
        self.group.sticky_memory = (assigned, self.group.generation);
        self.group.state = MemberState::Stable;
        self.group.join_prepared = false;
        self.group.rejoin_needed = !revoked.is_empty();
        self.group.last_heartbeat_send = now;
        self.group.last_heartbeat_ok = now;
        out.push(event(
            "rebalance-completed",
            json!({
                "consumer": self.config.client_id,
                "group": self.group_id(),
                "member": self.group.member_id,
                "generation": self.group.generation,
                "protocol": protocol_name(self.group.rebalance_protocol),
                "assignor": self.group.protocol,
                "leader": self.group.leader_id == self.group.member_id,
                "assigned": tp_names(&added),
                "revoked": tp_names(&revoked),
                "assignment": tp_names(&new),
            }),
        ));
    }

    /// `resetStateAndGeneration`: lost the generation (and maybe the
    /// member id); rejoin.
    fn reset_generation(&mut self, reset_member_id: bool) {
        self.group.generation = NO_GENERATION;
        if reset_member_id {
            self.group.member_id = UNKNOWN_MEMBER_ID.to_string();
        }
        self.group.state = MemberState::Unjoined;
        self.group.rejoin_needed = true;
        self.group.join_prepared = false;
    }

    fn fail(&mut self, e: ConsumerError, out: &mut Vec<Output>) {
        out.push(event(
            "consumer-error",
            json!({"consumer": self.config.client_id, "error": e.to_string()}),
        ));
        if matches!(e, ConsumerError::FencedInstanceId | ConsumerError::Group(_)) {
            self.group.failed = true;
            self.group.state = MemberState::Unjoined;
        }
        self.error = Some(e);
    }

    // ----- heartbeats, liveness -----

    fn maybe_heartbeat(&mut self, now: u64, out: &mut Vec<Output>) {
        let g = &self.group;
        if g.state != MemberState::Stable
            || g.heartbeat_in_flight
            || now < g.last_heartbeat_send + self.config.heartbeat_interval_ms
        {
            return;
        }
        let request = HeartbeatRequest {
            group_id: self.group_id(),
            generation_id: g.generation,
            member_id: g.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
        };
        if self.send_group(
            now,
            GroupRequest::Heartbeat(request),
            Pending::Heartbeat,
            None,
            out,
        ) {
            self.group.heartbeat_in_flight = true;
            self.group.last_heartbeat_send = now;
        }
    }

    fn on_heartbeat_response(&mut self, now: u64, error: ErrorCode, out: &mut Vec<Output>) {
        self.group.heartbeat_in_flight = false;
        match error {
            ErrorCode::None => self.group.last_heartbeat_ok = now,
            ErrorCode::RebalanceInProgress => {
                self.group.last_heartbeat_ok = now;
                if self.group.state == MemberState::Stable {
                    self.group.rejoin_needed = true;
                }
            }
            ErrorCode::IllegalGeneration => self.reset_generation(false),
            ErrorCode::UnknownMemberId => self.reset_generation(true),
            ErrorCode::FencedInstanceId => self.fail(ConsumerError::FencedInstanceId, out),
            ErrorCode::CoordinatorNotAvailable | ErrorCode::NotCoordinator => {
                self.coordinator_unknown(now, error.name(), out)
            }
            _ => {}
        }
    }

    /// No successful heartbeat for `session.timeout.ms`: the coordinator is
    /// presumed gone (`Heartbeat.sessionTimeoutExpired`).
    fn check_session(&mut self, now: u64, out: &mut Vec<Output>) {
        if self.group.state == MemberState::Stable
            && now >= self.group.last_heartbeat_ok + self.config.session_timeout_ms
        {
            self.coordinator_unknown(now, "session timed out", out);
        }
    }

    /// The application has not polled for `max.poll.interval.ms`: leave
    /// the group as Kafka's heartbeat thread does; poll rejoins.
    fn check_poll_timeout(&mut self, now: u64, out: &mut Vec<Output>) {
        if self.app_poll.is_some()
            || self.group.waiting_for_poll
            || !self.group.is_member()
            || now <= self.last_poll + self.config.max_poll_interval_ms
        {
            return;
        }
        out.push(event(
            "poll-timeout-expired",
            json!({"consumer": self.config.client_id, "max.poll.interval.ms": self.config.max_poll_interval_ms}),
        ));
        self.maybe_leave_group(now, "consumer poll timeout has expired", out);
        self.group.waiting_for_poll = true;
    }

    /// `maybeLeaveGroup`: dynamic members send LeaveGroup; everyone drops
    /// the generation and member id.
    pub(crate) fn maybe_leave_group(&mut self, now: u64, reason: &str, out: &mut Vec<Output>) {
        let dynamic = self.config.group_instance_id.is_none();
        if dynamic
            && self.subs.is_group_managed()
            && self.group.coordinator.is_some()
            && self.group.is_member()
            && !self.group.member_id.is_empty()
        {
            let request = LeaveGroupRequest {
                group_id: self.group_id(),
                members: vec![MemberIdentity {
                    member_id: self.group.member_id.clone(),
                    group_instance_id: None,
                    reason: Some(reason.to_string()),
                }],
            };
            self.send_group(
                now,
                GroupRequest::LeaveGroup(request),
                Pending::LeaveGroup,
                None,
                out,
            );
            out.push(event(
                "leave-group",
                json!({"consumer": self.config.client_id, "member": self.group.member_id, "reason": reason}),
            ));
        }
        // Drop in-flight join/sync/heartbeat: their answers no longer apply.
        self.in_flight.retain(|_, f| {
            !matches!(
                f.kind,
                Pending::JoinGroup | Pending::SyncGroup | Pending::Heartbeat
            )
        });
        self.group.heartbeat_in_flight = false;
        self.reset_generation(true);
    }

    // ----- commits -----

    pub(crate) fn maybe_auto_commit(&mut self, now: u64, out: &mut Vec<Output>) {
        if !self.config.enable_auto_commit || now < self.group.next_auto_commit {
            return;
        }
        if self.group.coordinator.is_none() {
            self.group.next_auto_commit = now + self.config.retry_backoff_ms;
            return;
        }
        self.group.next_auto_commit = now + self.config.auto_commit_interval_ms;
        let offsets = self.subs.all_consumed();
        self.group.enqueue_commit(offsets, CommitKind::Auto);
        self.send_pending_commits(now, out);
    }

    fn send_pending_commits(&mut self, now: u64, out: &mut Vec<Output>) {
        while self.group.coordinator.is_some() && now >= self.group.commit_retry_at {
            let Some((offsets, kind)) = self.group.pending_commits.pop_front() else {
                break;
            };
            // Members commit with their generation; assign() users and
            // members between generations commit as "no generation".
            let (generation_id, member_id, group_instance_id) =
                if self.subs.is_group_managed() && self.group.generation != NO_GENERATION {
                    (
                        self.group.generation,
                        self.group.member_id.clone(),
                        self.config.group_instance_id.clone(),
                    )
                } else {
                    (NO_GENERATION, UNKNOWN_MEMBER_ID.to_string(), None)
                };
            let request = OffsetCommitRequest {
                group_id: self.group_id(),
                generation_id,
                member_id,
                group_instance_id,
                partitions: offsets
                    .iter()
                    .map(|(tp, o)| OffsetCommitRequestPartition {
                        topic: tp.topic.to_string(),
                        partition_index: tp.partition,
                        committed_offset: *o,
                        committed_leader_epoch: -1,
                        committed_metadata: None,
                    })
                    .collect(),
            };
            out.push(event(
                "commit-sent",
                json!({
                    "consumer": self.config.client_id,
                    "kind": kind.name(),
                    "generation": generation_id,
                    "offsets": offsets.iter().map(|(tp, o)| (tp.to_string(), json!(o))).collect::<serde_json::Map<_, _>>(),
                }),
            ));
            self.send_group(
                now,
                GroupRequest::OffsetCommit(request),
                Pending::OffsetCommit { offsets, kind },
                None,
                out,
            );
        }
    }

    fn on_commit_response(
        &mut self,
        now: u64,
        offsets: BTreeMap<TopicPartition, i64>,
        kind: CommitKind,
        r: coordinator::OffsetCommitResponse,
        out: &mut Vec<Output>,
    ) {
        let error = r
            .partitions
            .iter()
            .map(|p| p.error_code)
            .find(|e| *e != ErrorCode::None)
            .unwrap_or(ErrorCode::None);
        match error {
            ErrorCode::None => {
                for (tp, o) in &offsets {
                    self.group.committed.insert(tp.clone(), *o);
                }
                out.push(event(
                    "commit-acked",
                    json!({
                        "consumer": self.config.client_id,
                        "kind": kind.name(),
                        "offsets": offsets.iter().map(|(tp, o)| (tp.to_string(), json!(o))).collect::<serde_json::Map<_, _>>(),
                    }),
                ));
            }
            ErrorCode::CoordinatorNotAvailable
            | ErrorCode::NotCoordinator
            | ErrorCode::RequestTimedOut => {
                self.coordinator_unknown(now, error.name(), out);
                self.commit_failed(now, offsets, kind, error.name(), true, out);
            }
            ErrorCode::CoordinatorLoadInProgress | ErrorCode::UnknownTopicOrPartition => {
                self.commit_failed(now, offsets, kind, error.name(), true, out);
            }
            ErrorCode::UnknownMemberId
            | ErrorCode::IllegalGeneration
            | ErrorCode::RebalanceInProgress => {
                if error == ErrorCode::RebalanceInProgress {
                    self.group.rejoin_needed = true;
                } else {
                    self.reset_generation(error == ErrorCode::UnknownMemberId);
                }
                self.commit_failed(now, offsets, kind, error.name(), false, out);
            }
            ErrorCode::FencedInstanceId => {
                self.commit_failed(now, offsets, kind, error.name(), false, out);
                self.fail(ConsumerError::FencedInstanceId, out);
            }
            other => self.commit_failed(now, offsets, kind, other.name(), false, out),
        }
    }

    /// Sync commits retry retriable failures; others report them.
    fn commit_failed(
        &mut self,
        now: u64,
        offsets: BTreeMap<TopicPartition, i64>,
        kind: CommitKind,
        error: &str,
        retriable: bool,
        out: &mut Vec<Output>,
    ) {
        out.push(event(
            "commit-failed",
            json!({"consumer": self.config.client_id, "kind": kind.name(), "error": error, "retrying": retriable && kind == CommitKind::Sync}),
        ));
        if kind == CommitKind::Sync {
            if retriable {
                self.group.pending_commits.push_front((offsets, kind));
                self.group.commit_retry_at = now + self.config.retry_backoff_ms;
            } else if self.error.is_none() {
                self.error = Some(ConsumerError::CommitFailed(error.to_string()));
            }
        }
    }

    // ----- committed offsets -----

    /// OffsetFetch for partitions without a position (after an assignment),
    /// only while Stable for members, as `refreshCommittedOffsetsIfNeeded`.
    fn maybe_fetch_committed(&mut self, now: u64, out: &mut Vec<Output>) {
        if self.group.offset_fetch_in_flight
            || now < self.group.offset_fetch_retry_at
            || (self.subs.is_group_managed() && self.group.state != MemberState::Stable)
        {
            return;
        }
        let partitions = self.subs.in_state(|s| s == FetchState::Initializing);
        if partitions.is_empty() {
            return;
        }
        let request = OffsetFetchRequest {
            group_id: self.group_id(),
            partitions: Some(
                partitions
                    .iter()
                    .map(|tp| (tp.topic.to_string(), tp.partition))
                    .collect(),
            ),
            require_stable: true,
        };
        if self.send_group(
            now,
            GroupRequest::OffsetFetch(request),
            Pending::OffsetFetch,
            None,
            out,
        ) {
            self.group.offset_fetch_in_flight = true;
        }
    }

    fn on_offset_fetch(
        &mut self,
        now: u64,
        r: coordinator::OffsetFetchResponse,
        out: &mut Vec<Output>,
    ) {
        self.group.offset_fetch_in_flight = false;
        match r.error_code {
            ErrorCode::None => {}
            ErrorCode::CoordinatorNotAvailable | ErrorCode::NotCoordinator => {
                self.coordinator_unknown(now, r.error_code.name(), out);
                return;
            }
            _ => {
                self.group.offset_fetch_retry_at = now + self.config.retry_backoff_ms;
                return;
            }
        }
        for p in r.partitions {
            let tp = TopicPartition::new(&p.topic, p.partition_index);
            let initializing = self
                .subs
                .state(&tp)
                .is_some_and(|s| s.fetch_state == FetchState::Initializing);
            if !initializing {
                continue;
            }
            match p.error_code {
                ErrorCode::None if p.committed_offset >= 0 => {
                    self.group.committed.insert(tp.clone(), p.committed_offset);
                    self.subs.seek(&tp, p.committed_offset);
                }
                ErrorCode::None => self.reset_to_policy(&tp, "no committed offset", out),
                _ => self.group.offset_fetch_retry_at = now + self.config.retry_backoff_ms,
            }
        }
    }

    /// `auto.offset.reset` for a partition with no valid position.
    pub(crate) fn reset_to_policy(
        &mut self,
        tp: &TopicPartition,
        why: &str,
        out: &mut Vec<Output>,
    ) {
        let spec = match self.config.auto_offset_reset {
            AutoOffsetReset::Earliest => Some(OffsetSpec::Earliest),
            AutoOffsetReset::Latest => Some(OffsetSpec::Latest),
            AutoOffsetReset::None => None,
        };
        out.push(event(
            "offset-reset-needed",
            json!({"consumer": self.config.client_id, "partition": tp.to_string(), "reason": why, "auto.offset.reset": self.config.auto_offset_reset_name()}),
        ));
        match spec {
            Some(spec) => self.subs.request_reset(tp, spec),
            None => {
                if let Some(s) = self.subs.state_mut(tp) {
                    s.fetch_state = FetchState::NoOffset;
                }
            }
        }
    }

    pub(crate) fn on_group_response(
        &mut self,
        now: u64,
        to: BrokerId,
        kind: Pending,
        r: GroupResponse,
        out: &mut Vec<Output>,
    ) {
        match (kind, r) {
            (Pending::JoinGroup, GroupResponse::JoinGroup(r)) => self.on_join_response(now, r, out),
            (Pending::SyncGroup, GroupResponse::SyncGroup(r)) => self.on_sync_response(now, r, out),
            (Pending::Heartbeat, GroupResponse::Heartbeat(r)) => {
                self.on_heartbeat_response(now, r.error_code, out)
            }
            (Pending::LeaveGroup, GroupResponse::LeaveGroup(_)) => {}
            (Pending::OffsetCommit { offsets, kind }, GroupResponse::OffsetCommit(r)) => {
                self.on_commit_response(now, offsets, kind, r, out)
            }
            (Pending::OffsetFetch, GroupResponse::OffsetFetch(r)) => {
                self.on_offset_fetch(now, r, out)
            }
            (kind, _) => self.on_failure(now, to, kind, out),
        }
    }
}

pub(crate) fn protocol_name(p: RebalanceProtocol) -> &'static str {
    match p {
        RebalanceProtocol::Eager => "eager",
        RebalanceProtocol::Cooperative => "cooperative",
    }
}

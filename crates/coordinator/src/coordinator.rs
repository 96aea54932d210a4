//! The coordinator: configuration, outputs, request dispatch, ownership of
//! `__consumer_offsets` partitions, and the read-only views the UI and the
//! scenario predicates use.

use std::collections::{BTreeMap, BTreeSet};

use protocol::ErrorCode;

use crate::api::*;
use crate::group::{Group, OffsetAndMetadata, TopicPartition};
use crate::records::{partition_for, GroupMetadataKey, GroupMetadataValue, MemberMetadataValue};
use crate::state::GroupState;
use crate::timers::{TimerKind, TimerToken, Timers};
use crate::uuid::{format_uuid, SeededUuid, UuidSource};

/// `GroupCoordinator.NewMemberJoinTimeoutMs`: a new member whose JoinGroup
/// is parked is dropped after this long (it may have gone away while its
/// socket was muted).
pub const NEW_MEMBER_JOIN_TIMEOUT_MS: i32 = 5 * 60 * 1000;

/// Broker settings the group coordinator reads, with Kafka's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinatorConfig {
    /// `group.min.session.timeout.ms`
    pub group_min_session_timeout_ms: i32,
    /// `group.max.session.timeout.ms`
    pub group_max_session_timeout_ms: i32,
    /// `group.max.size`
    pub group_max_size: usize,
    /// `group.initial.rebalance.delay.ms`
    pub group_initial_rebalance_delay_ms: i32,
    /// `offsets.topic.num.partitions`
    pub offsets_topic_num_partitions: i32,
    /// `offset.metadata.max.bytes` (Kafka compares the string's length).
    pub offset_metadata_max_bytes: usize,
    /// `offsets.commit.required.acks`
    pub offsets_commit_required_acks: i16,
    /// `offsets.retention.ms` (7 days; KIP-211: counted from when the group
    /// became Empty, or from the commit for groups without members).
    pub offsets_retention_ms: i64,
    /// `offsets.retention.check.interval.ms`
    pub offsets_retention_check_interval_ms: i64,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        CoordinatorConfig {
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            group_max_size: i32::MAX as usize,
            group_initial_rebalance_delay_ms: 3_000,
            offsets_topic_num_partitions: 50,
            offset_metadata_max_bytes: 4096,
            offsets_commit_required_acks: -1,
            offsets_retention_ms: 7 * 24 * 60 * 60 * 1000,
            offsets_retention_check_interval_ms: 600_000,
        }
    }
}

/// Id of an [`Append`]; the host reports its outcome with
/// [`Coordinator::on_append_completed`].
pub type AppendId = u64;

/// One record for `__consumer_offsets`: key and value bytes as Kafka writes
/// them (`None` value = tombstone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetsRecord {
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// Records to append, as one batch, to `__consumer_offsets-{partition}`.
/// Kafka writes them with magic 2, CREATE_TIME = `timestamp`, no producer id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    pub append_id: AppendId,
    pub partition: i32,
    /// -1: report completion once replicated to the ISR (what Kafka waits
    /// for before answering SyncGroup/OffsetCommit). 0: tombstones Kafka
    /// fires and forgets; completion may be reported or not.
    pub required_acks: i16,
    pub timestamp: i64,
    /// Transactional offset commits go in a transactional batch of the
    /// producer (attributes bit 4, its producer id and epoch, base sequence
    /// 0); otherwise -1 / -1 / false.
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub transactional: bool,
    pub records: Vec<OffsetsRecord>,
}

/// What the coordinator asks of its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send this response for that request.
    Response {
        request_id: RequestId,
        response: Response,
    },
    /// Call [`Coordinator::on_timer`] with `token` at `deadline` (or later).
    SetTimer {
        token: TimerToken,
        deadline: i64,
        kind: TimerKind,
    },
    /// The timer is no longer needed (firing it anyway is harmless).
    CancelTimer { token: TimerToken },
    /// Append to the log; report with [`Coordinator::on_append_completed`].
    Append(Append),
    /// For the trace and the UI.
    GroupStateChanged {
        group_id: String,
        from: GroupState,
        to: GroupState,
        generation_id: i32,
    },
}

/// Outcome of an append: the base offset of the batch, or the error the
/// replica manager gave (NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER,
/// REQUEST_TIMED_OUT, ...).
pub type AppendResult = Result<i64, ErrorCode>;

/// What to do when an append completes (Kafka's `putCacheCallback`s).
#[derive(Debug, Clone)]
pub(crate) enum PendingAppend {
    /// The leader's assignment (SyncGroup in CompletingRebalance).
    SyncAssignment {
        group_id: String,
        incarnation: u64,
        generation_id: i32,
        assignment: BTreeMap<String, Vec<u8>>,
    },
    /// Metadata of a group that just became Empty; nothing waits on it.
    EmptyGroup,
    /// A static member replaced its member id in a Stable group (KIP-345):
    /// its JoinGroup is answered once the new id is durable, or the
    /// replacement is undone.
    StaticRejoin(Box<StaticRejoin>),
    OffsetCommit {
        group_id: String,
        incarnation: u64,
        request_id: RequestId,
        /// In request order; `Err` for partitions refused before the write.
        partitions: Vec<(TopicPartition, Result<OffsetAndMetadata, ErrorCode>)>,
    },
    /// Fire-and-forget tombstones.
    Tombstones,
    TxnOffsetCommit {
        group_id: String,
        incarnation: u64,
        request_id: RequestId,
        producer_id: i64,
        partitions: Vec<(TopicPartition, Result<OffsetAndMetadata, ErrorCode>)>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct StaticRejoin {
    pub group_id: String,
    pub incarnation: u64,
    pub request_id: RequestId,
    pub group_instance_id: String,
    pub old_member_id: String,
    pub new_member_id: String,
    pub old_protocols: Vec<(String, Vec<u8>)>,
    pub old_rebalance_timeout_ms: i32,
    pub old_session_timeout_ms: i32,
    pub current_leader: Option<String>,
    pub supports_skip_assignment: bool,
}

/// How `storeGroup` turns a log append error into the error the members see.
pub(crate) fn store_group_error(err: ErrorCode) -> ErrorCode {
    use ErrorCode::*;
    match err {
        UnknownTopicOrPartition | NotEnoughReplicas | NotEnoughReplicasAfterAppend => {
            CoordinatorNotAvailable
        }
        NotLeaderOrFollower | KafkaStorageError => NotCoordinator,
        RequestTimedOut => RebalanceInProgress,
        MessageTooLarge | RecordListTooLarge | InvalidFetchSize => UnknownServerError,
        other => other,
    }
}

/// Which API a group id check is for (Kafka's `isValidGroupId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    JoinGroup,
    SyncGroup,
    Heartbeat,
    LeaveGroup,
    OffsetCommit,
    OffsetFetch,
    DescribeGroups,
    DeleteGroups,
    OffsetDelete,
}

/// Everything but the groups, so handlers can hold `&mut Group` and
/// `&mut Ctx` at once.
pub(crate) struct Ctx {
    pub config: CoordinatorConfig,
    pub now: i64,
    pub out: Vec<Output>,
    pub timers: Timers,
    pub appends: BTreeMap<AppendId, PendingAppend>,
    next_append: AppendId,
    next_incarnation: u64,
    uuid: Box<dyn UuidSource>,
    pub active: bool,
    pub owned: BTreeSet<i32>,
    pub loading: BTreeSet<i32>,
    /// Known topics and partition counts, once the host has told us any.
    pub topics: Option<BTreeMap<String, i32>>,
    /// The periodic offsets cleanup, once the coordinator serves a partition.
    pub retention_timer: Option<TimerToken>,
}

impl Ctx {
    pub fn respond(&mut self, request_id: RequestId, response: Response) {
        self.out.push(Output::Response {
            request_id,
            response,
        });
    }

    pub fn partition_for(&self, group_id: &str) -> i32 {
        partition_for(group_id, self.config.offsets_topic_num_partitions)
    }

    /// A new group object (see `Group::incarnation`).
    pub fn new_group(&mut self, group_id: &str, state: GroupState) -> Group {
        self.next_incarnation += 1;
        let mut g = Group::new(group_id, state, self.now);
        g.incarnation = self.next_incarnation;
        g
    }

    /// Kafka's `generateMemberId`: the instance id for static members, the
    /// client id otherwise, then `-` and a UUID.
    pub fn generate_member_id(
        &mut self,
        client_id: &str,
        group_instance_id: Option<&str>,
    ) -> String {
        let prefix = group_instance_id.unwrap_or(client_id);
        format!("{prefix}-{}", format_uuid(self.uuid.next_bits()))
    }

    pub fn transition(&mut self, g: &mut Group, to: GroupState) {
        let from = g.state;
        assert!(
            from.can_transition_to(to),
            "group {} cannot go from {from} to {to}",
            g.group_id
        );
        g.state = to;
        g.current_state_timestamp = Some(self.now);
        self.out.push(Output::GroupStateChanged {
            group_id: g.group_id.clone(),
            from,
            to,
            generation_id: g.generation_id,
        });
    }

    pub fn append(
        &mut self,
        group_id: &str,
        required_acks: i16,
        records: Vec<OffsetsRecord>,
        then: PendingAppend,
    ) {
        self.append_as(group_id, required_acks, records, then, None);
    }

    /// `producer`: (producer id, epoch) for a transactional batch.
    pub fn append_as(
        &mut self,
        group_id: &str,
        required_acks: i16,
        records: Vec<OffsetsRecord>,
        then: PendingAppend,
        producer: Option<(i64, i16)>,
    ) {
        self.next_append += 1;
        let append_id = self.next_append;
        if required_acks != 0 {
            self.appends.insert(append_id, then);
        }
        self.out.push(Output::Append(Append {
            append_id,
            partition: self.partition_for(group_id),
            required_acks,
            timestamp: self.now,
            producer_id: producer.map_or(-1, |p| p.0),
            producer_epoch: producer.map_or(-1, |p| p.1),
            transactional: producer.is_some(),
            records,
        }));
    }

    /// Kafka's `storeGroup`: the group's metadata record, with `assignment`
    /// as every member's assignment.
    pub fn store_group(
        &mut self,
        g: &Group,
        assignment: &BTreeMap<String, Vec<u8>>,
        then: PendingAppend,
    ) {
        let protocol = g.protocol_name.as_deref().unwrap_or_default();
        let value = GroupMetadataValue {
            protocol_type: g.protocol_type.clone().unwrap_or_default(),
            generation: g.generation_id,
            protocol: g.protocol_name.clone(),
            leader: g.leader_id.clone(),
            current_state_timestamp: g.current_state_timestamp.unwrap_or(-1),
            members: g
                .members
                .values()
                .map(|m| MemberMetadataValue {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout: m.rebalance_timeout_ms,
                    session_timeout: m.session_timeout_ms,
                    subscription: m.metadata(protocol).unwrap_or_default().to_vec(),
                    assignment: assignment.get(&m.member_id).cloned().unwrap_or_default(),
                })
                .collect(),
        };
        let record = OffsetsRecord {
            key: GroupMetadataKey {
                group: g.group_id.clone(),
            }
            .encode(),
            value: Some(value.encode()),
        };
        let acks = self.config.offsets_commit_required_acks;
        self.append(&g.group_id.clone(), acks, vec![record], then);
    }

    /// Kafka's `validateGroupStatus`.
    pub fn validate_group_status(&self, group_id: &str, api: Api) -> Option<ErrorCode> {
        let empty_id_allowed = matches!(
            api,
            Api::OffsetCommit | Api::OffsetFetch | Api::DescribeGroups | Api::DeleteGroups
        );
        let partition = self.partition_for(group_id);
        if group_id.is_empty() && !empty_id_allowed {
            Some(ErrorCode::InvalidGroupId)
        } else if !self.active {
            Some(ErrorCode::CoordinatorNotAvailable)
        } else if self.loading.contains(&partition) {
            Some(ErrorCode::CoordinatorLoadInProgress)
        } else if !self.owned.contains(&partition) {
            Some(ErrorCode::NotCoordinator)
        } else {
            None
        }
    }
}

/// Kafka's GroupCoordinator (classic protocol) for the `__consumer_offsets`
/// partitions this broker leads. See the crate docs for how to host it.
pub struct Coordinator {
    pub(crate) groups: BTreeMap<String, Group>,
    pub(crate) cx: Ctx,
}

impl Coordinator {
    /// A coordinator whose member ids come from a SplitMix64 stream seeded
    /// with `seed`. It owns no partition yet: see [`Coordinator::load`].
    pub fn new(config: CoordinatorConfig, seed: u64) -> Self {
        Self::with_uuid_source(config, Box::new(SeededUuid::new(seed)))
    }

    pub fn with_uuid_source(config: CoordinatorConfig, uuid: Box<dyn UuidSource>) -> Self {
        assert!(config.offsets_topic_num_partitions > 0);
        Coordinator {
            groups: BTreeMap::new(),
            cx: Ctx {
                config,
                now: 0,
                out: Vec::new(),
                timers: Timers::default(),
                appends: BTreeMap::new(),
                next_append: 0,
                next_incarnation: 0,
                uuid,
                active: true,
                owned: BTreeSet::new(),
                loading: BTreeSet::new(),
                topics: None,
                retention_timer: None,
            },
        }
    }

    pub fn config(&self) -> &CoordinatorConfig {
        &self.cx.config
    }

    /// The `__consumer_offsets` partition of a group.
    pub fn partition_for(&self, group_id: &str) -> i32 {
        self.cx.partition_for(group_id)
    }

    fn begin(&mut self, now: i64) {
        // Time never goes backwards for a state machine; a host that
        // replays an older `now` gets the latest one.
        self.cx.now = self.cx.now.max(now);
    }

    pub(crate) fn finish(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.cx.out)
    }

    /// Handle one request. Its response is among the outputs, or comes out
    /// of a later call (JoinGroup and SyncGroup wait for the rebalance;
    /// OffsetCommit and the leader's SyncGroup wait for their append).
    pub fn handle(&mut self, now: i64, request_id: RequestId, request: Request) -> Vec<Output> {
        self.begin(now);
        match request {
            Request::JoinGroup(r) => self.handle_join_group(request_id, r),
            Request::SyncGroup(r) => self.handle_sync_group(request_id, r),
            Request::Heartbeat(r) => self.handle_heartbeat(request_id, r),
            Request::LeaveGroup(r) => self.handle_leave_group(request_id, r),
            Request::OffsetCommit(r) => self.handle_offset_commit(request_id, r),
            Request::OffsetFetch(r) => self.handle_offset_fetch(request_id, r),
            Request::DescribeGroups(r) => self.handle_describe_groups(request_id, r),
            Request::ListGroups(r) => self.handle_list_groups(request_id, r),
            Request::DeleteGroups(r) => self.handle_delete_groups(request_id, r),
            Request::TxnOffsetCommit(r) => self.handle_txn_offset_commit(request_id, r),
            Request::OffsetDelete(r) => self.handle_offset_delete(request_id, r),
        }
        self.finish()
    }

    /// A timer set with `SetTimer` is due. Unknown, cancelled and not yet
    /// due tokens do nothing.
    pub fn on_timer(&mut self, now: i64, token: TimerToken) -> Vec<Output> {
        self.begin(now);
        if let Some(kind) = self.cx.timers.take_due(token, self.cx.now) {
            self.fire(token, kind);
        }
        self.finish()
    }

    /// Fires every timer due at `now`, earliest first: for hosts that would
    /// rather poll [`Coordinator::next_deadline`] than keep tokens.
    /// Each timer fires at its own deadline, so deadlines it schedules are
    /// counted from there (like Kafka's timing wheel, not from `now`).
    pub fn advance_to(&mut self, now: i64) -> Vec<Output> {
        while let Some((deadline, token)) = self.cx.timers.next_deadline() {
            if deadline > now {
                break;
            }
            self.begin(deadline);
            if let Some(kind) = self.cx.timers.take_due(token, self.cx.now) {
                self.fire(token, kind);
            }
        }
        self.begin(now);
        self.finish()
    }

    /// The earliest live timer.
    pub fn next_deadline(&self) -> Option<(i64, TimerToken)> {
        self.cx.timers.next_deadline()
    }

    pub fn live_timers(&self) -> usize {
        self.cx.timers.len()
    }

    fn fire(&mut self, token: TimerToken, kind: TimerKind) {
        match kind {
            TimerKind::Heartbeat {
                group_id,
                member_id,
            } => self.on_expire_heartbeat(token, &group_id, &member_id),
            TimerKind::PendingMember {
                group_id,
                member_id,
            } => self.on_expire_pending_member(&group_id, &member_id),
            TimerKind::InitialJoin {
                group_id,
                configured_delay_ms,
                delay_ms,
                remaining_ms,
            } => self.on_initial_join_delay(
                token,
                &group_id,
                configured_delay_ms,
                delay_ms,
                remaining_ms,
            ),
            TimerKind::Join { group_id } => self.on_join_timeout(token, &group_id),
            TimerKind::Sync {
                group_id,
                generation_id,
            } => self.on_expire_pending_sync(token, &group_id, generation_id),
            TimerKind::OffsetsRetentionCheck => self.on_offsets_retention_check(token),
        }
    }

    /// The append `append_id` finished: `Ok(base_offset)` once replicated
    /// as asked, or the replica manager's error.
    pub fn on_append_completed(
        &mut self,
        now: i64,
        append_id: AppendId,
        result: AppendResult,
    ) -> Vec<Output> {
        self.begin(now);
        if let Some(pending) = self.cx.appends.remove(&append_id) {
            match pending {
                PendingAppend::SyncAssignment {
                    group_id,
                    incarnation,
                    generation_id,
                    assignment,
                } => self.on_sync_assignment_stored(
                    &group_id,
                    incarnation,
                    generation_id,
                    assignment,
                    result,
                ),
                PendingAppend::StaticRejoin(s) => self.on_static_rejoin_stored(*s, result),
                PendingAppend::OffsetCommit {
                    group_id,
                    incarnation,
                    request_id,
                    partitions,
                } => self.on_offsets_stored(&group_id, incarnation, request_id, partitions, result),
                PendingAppend::TxnOffsetCommit {
                    group_id,
                    incarnation,
                    request_id,
                    producer_id,
                    partitions,
                } => self.on_txn_offsets_stored(
                    &group_id,
                    incarnation,
                    request_id,
                    producer_id,
                    partitions,
                    result,
                ),
                PendingAppend::EmptyGroup | PendingAppend::Tombstones => {}
            }
        }
        self.finish()
    }

    /// A transaction marker (COMMIT or ABORT) of `producer_id` was written
    /// to `__consumer_offsets-{partition}`: the producer's pending
    /// transactional offsets of that partition's groups become committed or
    /// are dropped (Kafka's `scheduleHandleTxnCompletion`).
    pub fn on_txn_completion(
        &mut self,
        now: i64,
        partition: i32,
        producer_id: i64,
        commit: bool,
    ) -> Vec<Output> {
        self.begin(now);
        for g in self.groups.values_mut() {
            if g.state != GroupState::Dead && self.cx.partition_for(&g.group_id) == partition {
                g.complete_pending_txn_offset_commit(producer_id, commit);
            }
        }
        self.finish()
    }

    /// Appends still waiting for [`Coordinator::on_append_completed`].
    pub fn pending_appends(&self) -> impl Iterator<Item = AppendId> + '_ {
        self.cx.appends.keys().copied()
    }

    /// The host's topic metadata, for UNKNOWN_TOPIC_OR_PARTITION on
    /// OffsetCommit (KafkaApis checks its metadata cache before the
    /// coordinator). Until the first call every topic is taken as known.
    pub fn set_topic_partitions(&mut self, topic: &str, partitions: i32) {
        self.cx
            .topics
            .get_or_insert_with(BTreeMap::new)
            .insert(topic.to_string(), partitions);
    }

    /// Shut the coordinator down: every group is unloaded and requests get
    /// COORDINATOR_NOT_AVAILABLE.
    pub fn shutdown(&mut self, now: i64) -> Vec<Output> {
        self.begin(now);
        let partitions: Vec<i32> = self
            .cx
            .owned
            .iter()
            .chain(self.cx.loading.iter())
            .copied()
            .collect();
        for p in partitions {
            self.unload_partition(p);
        }
        let t = self.cx.retention_timer.take();
        self.cx.timers.cancel(t, &mut self.cx.out);
        self.cx.active = false;
        self.finish()
    }

    // ------------------------------------------------------------ views

    pub fn group(&self, group_id: &str) -> Option<&Group> {
        self.groups.get(group_id)
    }

    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// `state GROUP`
    pub fn state(&self, group_id: &str) -> Option<GroupState> {
        self.groups.get(group_id).map(|g| g.state)
    }

    /// `generation GROUP`
    pub fn generation(&self, group_id: &str) -> Option<i32> {
        self.groups.get(group_id).map(|g| g.generation_id)
    }

    /// `committed GROUP TOPIC-P`
    pub fn committed(&self, group_id: &str, topic: &str, partition: i32) -> Option<i64> {
        self.groups
            .get(group_id)
            .and_then(|g| g.offset(topic, partition))
            .map(|o| o.offset)
    }

    /// The member's current assignment bytes (the consumer protocol's
    /// Assignment, which the client crate decodes).
    pub fn assignment(&self, group_id: &str, member_id: &str) -> Option<&[u8]> {
        self.groups
            .get(group_id)
            .and_then(|g| g.members.get(member_id))
            .map(|m| m.assignment.as_slice())
    }

    pub fn owns_partition(&self, partition: i32) -> bool {
        self.cx.owned.contains(&partition)
    }

    pub fn is_loading(&self, partition: i32) -> bool {
        self.cx.loading.contains(&partition)
    }
}

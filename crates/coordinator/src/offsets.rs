//! OffsetCommit and OffsetFetch, plus the group-admin requests that read or
//! delete groups (DescribeGroups, ListGroups, DeleteGroups).

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::{Api, Coordinator, Ctx, OffsetsRecord, PendingAppend};
use crate::group::{CommitRecord, Group, OffsetAndMetadata, TopicPartition};
use crate::rebalance::validate_current_member;
use crate::records::{GroupMetadataKey, OffsetCommitKey, OffsetCommitValue};
use crate::state::GroupState::{self, *};

type PartitionResults = Vec<(TopicPartition, Result<OffsetAndMetadata, ErrorCode>)>;

impl Coordinator {
    pub(crate) fn handle_offset_commit(&mut self, rid: RequestId, req: OffsetCommitRequest) {
        let cx = &mut self.cx;
        let mut partitions = commit_partitions(cx, &req.partitions);

        let fail_all = |cx: &mut Ctx, partitions: &mut PartitionResults, err: ErrorCode| {
            for (_, r) in partitions.iter_mut() {
                if r.is_ok() {
                    *r = Err(err);
                }
            }
            cx.respond(rid, commit_response(partitions));
        };

        if let Some(err) = cx.validate_group_status(&req.group_id, Api::OffsetCommit) {
            for (_, r) in partitions.iter_mut() {
                *r = Err(err);
            }
            return cx.respond(rid, commit_response(&partitions));
        }
        if !partitions.iter().any(|(_, r)| r.is_ok()) {
            return cx.respond(rid, commit_response(&partitions));
        }
        if !self.groups.contains_key(&req.group_id) {
            if req.generation_id >= 0 {
                // A commit from an older generation of a group we no longer have.
                return fail_all(cx, &mut partitions, ErrorCode::IllegalGeneration);
            }
            // Not relying on Kafka for group management (assign() users):
            // the group exists only to hold offsets.
            let g = cx.new_group(&req.group_id, Empty);
            self.groups.insert(req.group_id.clone(), g);
        }
        let g = self.groups.get_mut(&req.group_id).expect("just ensured");
        if let Some(err) = validate_offset_commit(
            g,
            req.generation_id,
            &req.member_id,
            req.group_instance_id.as_deref(),
            false,
        ) {
            return fail_all(cx, &mut partitions, err);
        }
        match g.state {
            Empty => cx.store_offsets(g, rid, partitions),
            // Commits are still allowed while preparing a rebalance: the
            // heartbeat response tells the member to rejoin.
            Stable | PreparingRebalance => {
                cx.complete_and_schedule_next_heartbeat(g, &req.member_id);
                cx.store_offsets(g, rid, partitions);
            }
            // The member has its new generation from JoinGroup but no
            // assignment yet.
            CompletingRebalance => fail_all(cx, &mut partitions, ErrorCode::RebalanceInProgress),
            Dead => unreachable!("validate_offset_commit refuses Dead groups"),
        }
    }

    /// The commit's append finished (Kafka's `putCacheCallback` in
    /// `storeOffsets`).
    pub(crate) fn on_offsets_stored(
        &mut self,
        group_id: &str,
        incarnation: u64,
        rid: RequestId,
        mut partitions: PartitionResults,
        result: Result<i64, ErrorCode>,
    ) {
        let cx = &mut self.cx;
        let group = self
            .groups
            .get_mut(group_id)
            .filter(|g| g.incarnation == incarnation && g.state != Dead);
        match result {
            Ok(base_offset) => {
                if let Some(g) = group {
                    for (tp, r) in &partitions {
                        if let Ok(om) = r {
                            g.on_offset_commit_append(
                                tp,
                                CommitRecord {
                                    appended_batch_offset: Some(base_offset),
                                    offset_and_metadata: om.clone(),
                                },
                            );
                        }
                    }
                }
            }
            Err(err) => {
                if let Some(g) = group {
                    for (tp, r) in &partitions {
                        if let Ok(om) = r {
                            g.fail_pending_offset_write(tp, om);
                        }
                    }
                }
                let err = offset_commit_error(err);
                for (_, r) in partitions.iter_mut() {
                    if r.is_ok() {
                        *r = Err(err);
                    }
                }
            }
        }
        cx.respond(rid, commit_response(&partitions));
    }

    /// Kafka's `handleTxnCommitOffsets` (without KIP-890's verification).
    pub(crate) fn handle_txn_offset_commit(&mut self, rid: RequestId, req: TxnOffsetCommitRequest) {
        let cx = &mut self.cx;
        let mut partitions = commit_partitions(cx, &req.partitions);
        let mut fail_all = |cx: &mut Ctx, err: ErrorCode| {
            for (_, r) in partitions.iter_mut() {
                if r.is_ok() {
                    *r = Err(err);
                }
            }
            cx.respond(rid, txn_commit_response(&partitions));
        };
        if let Some(err) = cx.validate_group_status(&req.group_id, Api::OffsetCommit) {
            return fail_all(cx, err);
        }
        // A transactional producer may commit for a group nobody joined.
        if !self.groups.contains_key(&req.group_id) {
            let g = cx.new_group(&req.group_id, Empty);
            self.groups.insert(req.group_id.clone(), g);
        }
        let g = self.groups.get_mut(&req.group_id).expect("just ensured");
        if let Some(err) = validate_offset_commit(
            g,
            req.generation_id,
            &req.member_id,
            req.group_instance_id.as_deref(),
            true,
        ) {
            return fail_all(cx, err);
        }
        if !partitions.iter().any(|(_, r)| r.is_ok()) {
            return cx.respond(rid, txn_commit_response(&partitions));
        }
        cx.store_offsets_as(
            g,
            rid,
            partitions,
            Some((req.producer_id, req.producer_epoch)),
        );
    }

    pub(crate) fn on_txn_offsets_stored(
        &mut self,
        group_id: &str,
        incarnation: u64,
        rid: RequestId,
        producer_id: i64,
        mut partitions: PartitionResults,
        result: Result<i64, ErrorCode>,
    ) {
        let cx = &mut self.cx;
        let group = self
            .groups
            .get_mut(group_id)
            .filter(|g| g.incarnation == incarnation && g.state != Dead);
        match result {
            Ok(base_offset) => {
                if let Some(g) = group {
                    for (tp, r) in &partitions {
                        if let Ok(om) = r {
                            let record = CommitRecord {
                                appended_batch_offset: Some(base_offset),
                                offset_and_metadata: om.clone(),
                            };
                            g.on_txn_offset_commit_append(producer_id, tp, record);
                        }
                    }
                }
            }
            Err(err) => {
                if let Some(g) = group {
                    for (tp, r) in &partitions {
                        if r.is_ok() {
                            g.fail_pending_txn_offset_commit(producer_id, tp);
                        }
                    }
                }
                let err = offset_commit_error(err);
                for (_, r) in partitions.iter_mut() {
                    if r.is_ok() {
                        *r = Err(err);
                    }
                }
            }
        }
        cx.respond(rid, txn_commit_response(&partitions));
    }

    pub(crate) fn handle_offset_fetch(&mut self, rid: RequestId, req: OffsetFetchRequest) {
        let cx = &mut self.cx;
        let respond = |cx: &mut Ctx, error_code, partitions| {
            cx.respond(
                rid,
                Response::OffsetFetch(OffsetFetchResponse {
                    error_code,
                    partitions,
                }),
            )
        };
        if let Some(err) = cx.validate_group_status(&req.group_id, Api::OffsetFetch) {
            return respond(cx, err, Vec::new());
        }
        // Offsets are answered whatever the group's state: simple consumers
        // commit without group management.
        let none = |(topic, partition): &(String, i32)| OffsetFetchResponsePartition {
            topic: topic.clone(),
            partition_index: *partition,
            committed_offset: INVALID_OFFSET,
            committed_leader_epoch: NO_LEADER_EPOCH,
            metadata: String::new(),
            error_code: ErrorCode::None,
        };
        let found = |(topic, partition): &(String, i32), om: &OffsetAndMetadata| {
            OffsetFetchResponsePartition {
                topic: topic.clone(),
                partition_index: *partition,
                committed_offset: om.offset,
                committed_leader_epoch: om.leader_epoch.unwrap_or(NO_LEADER_EPOCH),
                metadata: om.metadata.clone(),
                error_code: ErrorCode::None,
            }
        };
        let partitions = match self.groups.get(&req.group_id).filter(|g| g.state != Dead) {
            None => req.partitions.iter().flatten().map(none).collect(),
            Some(g) => match &req.partitions {
                None => g
                    .all_offsets()
                    .map(|(tp, om)| {
                        if req.require_stable && g.has_pending_offset_commit(tp) {
                            OffsetFetchResponsePartition {
                                error_code: ErrorCode::UnstableOffsetCommit,
                                ..none(tp)
                            }
                        } else {
                            found(tp, om)
                        }
                    })
                    .collect(),
                Some(list) => list
                    .iter()
                    .map(|tp| {
                        if req.require_stable && g.has_pending_offset_commit(tp) {
                            OffsetFetchResponsePartition {
                                error_code: ErrorCode::UnstableOffsetCommit,
                                ..none(tp)
                            }
                        } else {
                            match g.offset(&tp.0, tp.1) {
                                Some(om) => found(tp, om),
                                None => none(tp),
                            }
                        }
                    })
                    .collect(),
            },
        };
        respond(cx, ErrorCode::None, partitions);
    }

    pub(crate) fn handle_describe_groups(&mut self, rid: RequestId, req: DescribeGroupsRequest) {
        let groups = req
            .groups
            .iter()
            .map(|id| {
                let empty = |error_code, state: &str| DescribedGroup {
                    error_code,
                    group_id: id.clone(),
                    group_state: state.to_string(),
                    protocol_type: String::new(),
                    protocol_data: String::new(),
                    members: Vec::new(),
                };
                if let Some(err) = self.cx.validate_group_status(id, Api::DescribeGroups) {
                    return empty(err, "");
                }
                match self.groups.get(id) {
                    // DescribeGroups before v6 reports unknown groups as Dead.
                    None => empty(ErrorCode::None, Dead.name()),
                    Some(g) => describe(g),
                }
            })
            .collect();
        self.cx.respond(
            rid,
            Response::DescribeGroups(DescribeGroupsResponse { groups }),
        );
    }

    pub(crate) fn handle_list_groups(&mut self, rid: RequestId, req: ListGroupsRequest) {
        let cx = &mut self.cx;
        if !cx.active {
            return cx.respond(
                rid,
                Response::ListGroups(ListGroupsResponse {
                    error_code: ErrorCode::CoordinatorNotAvailable,
                    groups: Vec::new(),
                }),
            );
        }
        let error_code = if cx.loading.is_empty() {
            ErrorCode::None
        } else {
            ErrorCode::CoordinatorLoadInProgress
        };
        let wanted: Vec<Option<GroupState>> = req
            .states_filter
            .iter()
            .map(|s| GroupState::parse(s))
            .collect();
        let groups = self
            .groups
            .values()
            .filter(|g| wanted.is_empty() || wanted.contains(&Some(g.state)))
            .map(|g| ListedGroup {
                group_id: g.group_id.clone(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                group_state: g.state.name().to_string(),
            })
            .collect();
        cx.respond(
            rid,
            Response::ListGroups(ListGroupsResponse { error_code, groups }),
        );
    }

    /// Kafka's `handleDeleteOffsets`.
    pub(crate) fn handle_offset_delete(&mut self, rid: RequestId, req: OffsetDeleteRequest) {
        let respond = |cx: &mut Ctx, error_code, partitions| {
            cx.respond(
                rid,
                Response::OffsetDelete(OffsetDeleteResponse {
                    error_code,
                    partitions,
                }),
            )
        };
        let cx = &mut self.cx;
        if let Some(err) = cx.validate_group_status(&req.group_id, Api::OffsetDelete) {
            return respond(cx, err, Vec::new());
        }
        let Some(g) = self
            .groups
            .get_mut(&req.group_id)
            .filter(|g| g.state != Dead)
        else {
            return respond(cx, ErrorCode::GroupIdNotFound, Vec::new());
        };
        let is_consumer_group = g.protocol_type.as_deref() == Some("consumer");
        // Unknown subscriptions count as subscribed, to be safe.
        let subscribed = |topic: &str| {
            g.subscribed_topics
                .as_ref()
                .is_none_or(|t| t.contains(topic))
        };
        let results: Vec<(TopicPartition, ErrorCode)> = match g.state {
            Empty => req
                .partitions
                .iter()
                .map(|tp| (tp.clone(), ErrorCode::None))
                .collect(),
            PreparingRebalance | CompletingRebalance | Stable if is_consumer_group => req
                .partitions
                .iter()
                .map(|tp| {
                    let err = if subscribed(&tp.0) {
                        ErrorCode::GroupSubscribedToTopic
                    } else {
                        ErrorCode::None
                    };
                    (tp.clone(), err)
                })
                .collect(),
            _ => return respond(cx, ErrorCode::NonEmptyGroup, Vec::new()),
        };
        let eligible: Vec<TopicPartition> = results
            .iter()
            .filter(|(_, e)| *e == ErrorCode::None)
            .map(|(tp, _)| tp.clone())
            .collect();
        if !eligible.is_empty() {
            let removed = g.remove_offsets(&eligible);
            // cleanupGroupMetadata: an Empty group left without offsets goes.
            if g.state == Empty && !g.has_offsets() {
                let mut g = self.groups.remove(&req.group_id).expect("present");
                cx.transition(&mut g, Dead);
                cx.write_tombstones(&g, &removed);
            } else {
                cx.write_tombstones(g, &removed);
            }
        }
        let partitions = results
            .into_iter()
            .map(
                |((topic, partition_index), error_code)| OffsetCommitResponsePartition {
                    topic,
                    partition_index,
                    error_code,
                },
            )
            .collect();
        respond(cx, ErrorCode::None, partitions);
    }

    pub(crate) fn handle_delete_groups(&mut self, rid: RequestId, req: DeleteGroupsRequest) {
        let mut results = Vec::new();
        for id in &req.groups_names {
            let err = if let Some(err) = self.cx.validate_group_status(id, Api::DeleteGroups) {
                err
            } else {
                match self.groups.get(id).map(|g| g.state) {
                    None | Some(Dead) => ErrorCode::GroupIdNotFound,
                    Some(Empty) => {
                        let mut g = self.groups.remove(id).expect("present");
                        self.cx.transition(&mut g, Dead);
                        self.cx.write_cleanup(&mut g, None);
                        ErrorCode::None
                    }
                    Some(_) => ErrorCode::NonEmptyGroup,
                }
            };
            results.push((id.clone(), err));
        }
        self.cx.respond(
            rid,
            Response::DeleteGroups(DeleteGroupsResponse { results }),
        );
    }
}

/// Kafka's OffsetAndMetadata for each partition of a commit, or the error
/// it gets before reaching the log.
fn commit_partitions(cx: &Ctx, partitions: &[OffsetCommitRequestPartition]) -> PartitionResults {
    let max_metadata = cx.config.offset_metadata_max_bytes;
    partitions
        .iter()
        .map(|p| {
            let tp = (p.topic.clone(), p.partition_index);
            let metadata = p.committed_metadata.clone().unwrap_or_default();
            let known = cx.topics.as_ref().is_none_or(|t| {
                t.get(&p.topic)
                    .is_some_and(|n| (0..*n).contains(&p.partition_index))
            });
            let result = if !known {
                // KafkaApis checks its metadata cache first.
                Err(ErrorCode::UnknownTopicOrPartition)
            } else if metadata.encode_utf16().count() > max_metadata {
                Err(ErrorCode::OffsetMetadataTooLarge)
            } else {
                Ok(OffsetAndMetadata {
                    offset: p.committed_offset,
                    leader_epoch: (p.committed_leader_epoch >= 0)
                        .then_some(p.committed_leader_epoch),
                    metadata,
                    commit_timestamp: cx.now,
                    expire_timestamp: None,
                })
            };
            (tp, result)
        })
        .collect()
}

fn txn_commit_response(partitions: &PartitionResults) -> Response {
    match commit_response(partitions) {
        Response::OffsetCommit(r) => Response::TxnOffsetCommit(TxnOffsetCommitResponse {
            partitions: r.partitions,
        }),
        _ => unreachable!("commit_response builds OffsetCommit"),
    }
}

/// Kafka's `validateOffsetCommit`.
fn validate_offset_commit(
    g: &Group,
    generation_id: i32,
    member_id: &str,
    group_instance_id: Option<&str>,
    transactional: bool,
) -> Option<ErrorCode> {
    if g.state == Dead {
        Some(ErrorCode::CoordinatorNotAvailable)
    } else if generation_id < 0 && g.state == Empty {
        // Admin client or a consumer without group management.
        None
    } else if generation_id >= 0 || member_id != UNKNOWN_MEMBER_ID || group_instance_id.is_some() {
        validate_current_member(g, member_id, group_instance_id)
            .or((generation_id != g.generation_id).then_some(ErrorCode::IllegalGeneration))
    } else if !transactional {
        // A live group accepts commits from its members only (older
        // TxnOffsetCommit versions carry no member, hence the exception).
        Some(ErrorCode::UnknownMemberId)
    } else {
        None
    }
}

/// How `storeOffsets` turns a log append error into the commit's error.
pub(crate) fn offset_commit_error(err: ErrorCode) -> ErrorCode {
    use ErrorCode::*;
    match err {
        UnknownTopicOrPartition | NotEnoughReplicas | NotEnoughReplicasAfterAppend => {
            CoordinatorNotAvailable
        }
        NotLeaderOrFollower | KafkaStorageError => NotCoordinator,
        MessageTooLarge | RecordListTooLarge | InvalidFetchSize => InvalidCommitOffsetSize,
        other => other,
    }
}

fn commit_response(partitions: &PartitionResults) -> Response {
    Response::OffsetCommit(OffsetCommitResponse {
        partitions: partitions
            .iter()
            .map(|((topic, p), r)| OffsetCommitResponsePartition {
                topic: topic.clone(),
                partition_index: *p,
                error_code: r.as_ref().err().copied().unwrap_or(ErrorCode::None),
            })
            .collect(),
    })
}

/// Kafka's `GroupMetadata.summary`: metadata and assignments only while
/// Stable.
fn describe(g: &Group) -> DescribedGroup {
    let stable = g.state == Stable;
    let protocol = g.protocol_name.clone().unwrap_or_default();
    DescribedGroup {
        error_code: ErrorCode::None,
        group_id: g.group_id.clone(),
        group_state: g.state.name().to_string(),
        protocol_type: g.protocol_type.clone().unwrap_or_default(),
        protocol_data: if stable {
            protocol.clone()
        } else {
            String::new()
        },
        members: g
            .members
            .values()
            .map(|m| DescribedGroupMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                member_metadata: if stable {
                    m.metadata(&protocol).unwrap_or_default().to_vec()
                } else {
                    Vec::new()
                },
                member_assignment: if stable {
                    m.assignment.clone()
                } else {
                    Vec::new()
                },
            })
            .collect(),
    }
}

impl Ctx {
    /// Kafka's `storeOffsets`: stage the commits and write them; the
    /// response waits for the append.
    fn store_offsets(&mut self, g: &mut Group, rid: RequestId, partitions: PartitionResults) {
        self.store_offsets_as(g, rid, partitions, None);
    }

    /// `producer` (id, epoch) makes it a transactional commit: the offsets
    /// wait for the transaction's marker instead of the append.
    fn store_offsets_as(
        &mut self,
        g: &mut Group,
        rid: RequestId,
        partitions: PartitionResults,
        producer: Option<(i64, i16)>,
    ) {
        let accepted: Vec<(TopicPartition, OffsetAndMetadata)> = partitions
            .iter()
            .filter_map(|(tp, r)| r.as_ref().ok().map(|om| (tp.clone(), om.clone())))
            .collect();
        let records = accepted
            .iter()
            .map(|((topic, partition), om)| OffsetsRecord {
                key: OffsetCommitKey {
                    group: g.group_id.clone(),
                    topic: topic.clone(),
                    partition: *partition,
                }
                .encode(),
                value: Some(
                    OffsetCommitValue {
                        offset: om.offset,
                        leader_epoch: om.leader_epoch.unwrap_or(NO_LEADER_EPOCH),
                        metadata: om.metadata.clone(),
                        commit_timestamp: om.commit_timestamp,
                        expire_timestamp: -1,
                    }
                    .encode(),
                ),
            })
            .collect();
        let acks = self.config.offsets_commit_required_acks;
        if let Some((producer_id, _)) = producer {
            g.prepare_txn_offset_commit(producer_id, &accepted);
            let then = PendingAppend::TxnOffsetCommit {
                group_id: g.group_id.clone(),
                incarnation: g.incarnation,
                request_id: rid,
                producer_id,
                partitions,
            };
            let group_id = g.group_id.clone();
            // Something must report back: the offsets wait for the marker.
            let acks = if acks == 0 { -1 } else { acks };
            return self.append_as(&group_id, acks, records, then, producer);
        }
        g.prepare_offset_commit(&accepted);
        let then = PendingAppend::OffsetCommit {
            group_id: g.group_id.clone(),
            incarnation: g.incarnation,
            request_id: rid,
            partitions,
        };
        if acks == 0 {
            // Nothing will report back: answer now, as acks=0 would.
            let group_id = g.group_id.clone();
            self.append(&group_id, acks, records, PendingAppend::Tombstones);
            if let PendingAppend::OffsetCommit { partitions, .. } = then {
                for (tp, r) in &partitions {
                    if let Ok(om) = r {
                        g.on_offset_commit_append(
                            tp,
                            CommitRecord {
                                appended_batch_offset: None,
                                offset_and_metadata: om.clone(),
                            },
                        );
                    }
                }
                self.respond(rid, commit_response(&partitions));
            }
        } else {
            let group_id = g.group_id.clone();
            self.append(&group_id, acks, records, then);
        }
    }

    /// Kafka's `cleanupGroupMetadata` for one group: tombstones for the
    /// removed offsets, and for the group itself once it is Dead (unless it
    /// only ever stored offsets, generation 0). Kafka appends these with
    /// acks=0: a lost tombstone is rewritten by the next cleanup.
    pub(crate) fn write_cleanup(&mut self, g: &mut Group, partitions: Option<&[TopicPartition]>) {
        let all: Vec<TopicPartition> = g.offsets.keys().cloned().collect();
        let removed = g.remove_offsets(partitions.unwrap_or(&all));
        self.write_tombstones(g, &removed);
    }

    /// Tombstones for offsets already removed from `g` (and for `g` itself
    /// once Dead, unless it only ever stored offsets: generation 0).
    pub(crate) fn write_tombstones(&mut self, g: &Group, removed: &[TopicPartition]) {
        let mut records: Vec<OffsetsRecord> = removed
            .iter()
            .map(|(topic, partition)| OffsetsRecord {
                key: OffsetCommitKey {
                    group: g.group_id.clone(),
                    topic: topic.clone(),
                    partition: *partition,
                }
                .encode(),
                value: None,
            })
            .collect();
        if g.state == Dead && g.generation_id > 0 {
            records.push(OffsetsRecord {
                key: GroupMetadataKey {
                    group: g.group_id.clone(),
                }
                .encode(),
                value: None,
            });
        }
        if !records.is_empty() {
            let group_id = g.group_id.clone();
            self.append(&group_id, 0, records, PendingAppend::Tombstones);
        }
    }
}

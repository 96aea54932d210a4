//! Becoming (and ceasing to be) the coordinator of a `__consumer_offsets`
//! partition: Kafka's `loadGroupsAndOffsets` / `removeGroupsForPartition`.

use std::collections::{BTreeMap, BTreeSet};

use protocol::{ControlRecordType, ErrorCode};

use crate::api::{JoinGroupResponse, SyncGroupResponse};
use crate::coordinator::{Coordinator, Output};
use crate::group::{CommitRecord, Group, OffsetAndMetadata, TopicPartition};
use crate::member::Member;
use crate::records::{GroupMetadataValue, OffsetCommitValue, RecordDecodeError, RecordKey};
use crate::state::GroupState::*;

/// One record of the partition's log, read from its start up to the high
/// watermark. `batch_base_offset` decides which of two writes for a key is
/// newer when commits were acknowledged out of order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadRecord<'a> {
    pub batch_base_offset: i64,
    /// The batch's producer id if the batch is transactional (attributes
    /// bit 4): its offsets count once the producer's COMMIT marker follows.
    pub transactional_producer_id: Option<i64>,
    /// A record of a control batch (a transaction marker): `key` is the
    /// control record key (version, type).
    pub is_control: bool,
    pub key: &'a [u8],
    /// `None`: a tombstone.
    pub value: Option<&'a [u8]>,
}

impl<'a> LoadRecord<'a> {
    /// A record of an ordinary (non-transactional) batch.
    pub fn data(batch_base_offset: i64, key: &'a [u8], value: Option<&'a [u8]>) -> Self {
        LoadRecord {
            batch_base_offset,
            transactional_producer_id: None,
            is_control: false,
            key,
            value,
        }
    }
}

/// A record that could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub batch_base_offset: i64,
    pub error: RecordDecodeError,
}

impl Coordinator {
    /// This broker became the leader of `__consumer_offsets-{partition}`
    /// and is reading its log: until [`Coordinator::load`] its groups answer
    /// COORDINATOR_LOAD_IN_PROGRESS.
    pub fn begin_loading(&mut self, partition: i32) {
        if !self.cx.owned.contains(&partition) {
            self.cx.loading.insert(partition);
        }
    }

    /// Rebuild the groups and offsets of `partition` from its log (records
    /// in log order; transactional offset commits are not supported, so
    /// give no records of aborted or open transactions) and start serving
    /// them. Later records win; tombstones delete. Loaded groups with
    /// members are Stable and their members get a fresh session.
    ///
    /// A record that does not decode fails the whole load and leaves the
    /// partition loading, so no group is served from a partial view.
    pub fn load<'a>(
        &mut self,
        now: i64,
        partition: i32,
        records: impl IntoIterator<Item = LoadRecord<'a>>,
    ) -> Result<Vec<Output>, LoadError> {
        self.cx.now = self.cx.now.max(now);
        self.cx.loading.insert(partition);
        let mut offsets: BTreeMap<(String, TopicPartition), CommitRecord> = BTreeMap::new();
        // Transactional offsets per producer, until its marker.
        let mut pending: BTreeMap<i64, BTreeMap<(String, TopicPartition), CommitRecord>> =
            BTreeMap::new();
        let mut groups: BTreeMap<String, GroupMetadataValue> = BTreeMap::new();
        let mut removed: BTreeSet<String> = BTreeSet::new();
        for r in records {
            let fail = |error| LoadError {
                batch_base_offset: r.batch_base_offset,
                error,
            };
            if r.is_control {
                let Some(pid) = r.transactional_producer_id else {
                    continue;
                };
                let producer_offsets = pending.remove(&pid).unwrap_or_default();
                if ControlRecordType::parse_key(r.key) == Some(ControlRecordType::Commit) {
                    for (key, record) in producer_offsets {
                        let newer = offsets.get(&key).is_none_or(|c| c.older_than(&record));
                        if newer {
                            offsets.insert(key, record);
                        }
                    }
                }
                continue;
            }
            match RecordKey::decode(r.key).map_err(fail)? {
                RecordKey::OffsetCommit(k) => {
                    let key = (k.group, (k.topic, k.partition));
                    let target = match r.transactional_producer_id {
                        Some(pid) => pending.entry(pid).or_default(),
                        None => &mut offsets,
                    };
                    match r.value {
                        None => {
                            target.remove(&key);
                        }
                        Some(v) => {
                            let v = OffsetCommitValue::decode(v).map_err(fail)?;
                            target.insert(
                                key,
                                CommitRecord {
                                    appended_batch_offset: Some(r.batch_base_offset),
                                    offset_and_metadata: OffsetAndMetadata {
                                        offset: v.offset,
                                        leader_epoch: (v.leader_epoch >= 0)
                                            .then_some(v.leader_epoch),
                                        metadata: v.metadata,
                                        commit_timestamp: v.commit_timestamp,
                                        expire_timestamp: (v.expire_timestamp >= 0)
                                            .then_some(v.expire_timestamp),
                                    },
                                },
                            );
                        }
                    }
                }
                RecordKey::GroupMetadata(k) => match r.value {
                    None => {
                        groups.remove(&k.group);
                        removed.insert(k.group);
                    }
                    Some(v) => {
                        let v = GroupMetadataValue::decode(v).map_err(fail)?;
                        removed.remove(&k.group);
                        groups.insert(k.group, v);
                    }
                },
            }
        }

        let mut by_group: BTreeMap<String, BTreeMap<TopicPartition, CommitRecord>> =
            BTreeMap::new();
        for ((group, tp), c) in offsets {
            by_group.entry(group).or_default().insert(tp, c);
        }
        // Transactions still open at the end of the log stay pending.
        let mut pending_by_group: BTreeMap<
            String,
            BTreeMap<i64, BTreeMap<TopicPartition, CommitRecord>>,
        > = BTreeMap::new();
        for (pid, producer_offsets) in pending {
            for ((group, tp), c) in producer_offsets {
                pending_by_group
                    .entry(group)
                    .or_default()
                    .entry(pid)
                    .or_default()
                    .insert(tp, c);
            }
        }
        let mut names: BTreeSet<String> = groups.keys().cloned().collect();
        names.extend(by_group.keys().cloned());
        names.extend(pending_by_group.keys().cloned());
        for name in names {
            // A group already cached (created while we thought we owned the
            // partition) stays as it is, as in Kafka's `addGroup`.
            if self.groups.contains_key(&name) {
                continue;
            }
            let mut g = match groups.remove(&name) {
                Some(v) => {
                    let mut g = group_from_record(&name, v, self.cx.now);
                    g.incarnation = self.cx.new_group(&name, Empty).incarnation;
                    g
                }
                // Only offsets: a group of "simple" consumers.
                None => self.cx.new_group(&name, Empty),
            };
            g.offsets = by_group.remove(&name).unwrap_or_default();
            g.pending_txn_offset_commits = pending_by_group.remove(&name).unwrap_or_default();
            g.subscribed_topics = g.compute_subscribed_topics();
            self.on_group_loaded(&mut g);
            self.groups.insert(name, g);
        }
        self.cx.loading.remove(&partition);
        self.cx.owned.insert(partition);
        self.cx.ensure_retention_timer();
        Ok(self.finish())
    }

    /// Kafka's `onGroupLoaded`.
    fn on_group_loaded(&mut self, g: &mut Group) {
        if g.size() > self.cx.config.group_max_size {
            // Over capacity after a config change: a rebalance lets the
            // members commit before the extra ones are shed.
            self.cx.prepare_rebalance(g);
        }
        let ids: Vec<String> = g.members.keys().cloned().collect();
        for id in ids {
            self.cx.complete_and_schedule_next_heartbeat(g, &id);
        }
    }

    /// This broker no longer leads `__consumer_offsets-{partition}`: its
    /// groups become Dead and are dropped; parked requests learn
    /// NOT_COORDINATOR.
    pub fn unload(&mut self, now: i64, partition: i32) -> Vec<Output> {
        self.cx.now = self.cx.now.max(now);
        self.unload_partition(partition);
        self.finish()
    }

    pub(crate) fn unload_partition(&mut self, partition: i32) {
        self.cx.owned.remove(&partition);
        self.cx.loading.remove(&partition);
        let ids: Vec<String> = self
            .groups
            .keys()
            .filter(|id| self.cx.partition_for(id) == partition)
            .cloned()
            .collect();
        for id in ids {
            let mut g = self.groups.remove(&id).expect("listed");
            let cx = &mut self.cx;
            cx.transition(&mut g, Dead);
            for m in g.members.values_mut() {
                // Kafka answers parked JoinGroups when unloading a
                // PreparingRebalance group and parked SyncGroups of a
                // Stable/CompletingRebalance one. A static member's JoinGroup
                // parked in a Stable group (waiting for its new member id to
                // be written) Kafka answers from the write's callback, which
                // fails now that the partition moved; we answer it here.
                if let Some(rid) = m.awaiting_join.take() {
                    cx.respond(
                        rid,
                        crate::api::Response::JoinGroup(JoinGroupResponse::error(
                            &m.member_id,
                            ErrorCode::NotCoordinator,
                        )),
                    );
                }
                if let Some(rid) = m.awaiting_sync.take() {
                    cx.respond(
                        rid,
                        crate::api::Response::SyncGroup(SyncGroupResponse::error(
                            ErrorCode::NotCoordinator,
                        )),
                    );
                }
                cx.timers.cancel(m.heartbeat_timer.take(), &mut cx.out);
            }
            for token in g.pending_members.values() {
                cx.timers.cancel(Some(*token), &mut cx.out);
            }
            cx.timers
                .cancel(g.join_op.take().map(|op| op.token), &mut cx.out);
            cx.timers.cancel(g.sync_timer.take(), &mut cx.out);
        }
    }
}

/// Kafka's `readGroupMessageValue` + `GroupMetadata.loadGroup`.
fn group_from_record(group_id: &str, v: GroupMetadataValue, now: i64) -> Group {
    let state = if v.members.is_empty() { Empty } else { Stable };
    let mut g = Group::new(group_id, state, now);
    g.generation_id = v.generation;
    g.protocol_type = (!v.protocol_type.is_empty()).then_some(v.protocol_type.clone());
    g.protocol_name = v.protocol.clone();
    g.leader_id = v.leader.clone();
    g.current_state_timestamp =
        (v.current_state_timestamp >= 0).then_some(v.current_state_timestamp);
    for m in v.members {
        if let Some(instance_id) = &m.group_instance_id {
            g.static_members
                .insert(instance_id.clone(), m.member_id.clone());
        }
        // A loaded member supports exactly the group's protocol.
        let protocol = v.protocol.clone().unwrap_or_default();
        g.members.insert(
            m.member_id.clone(),
            Member {
                member_id: m.member_id,
                group_instance_id: m.group_instance_id,
                client_id: m.client_id,
                client_host: m.client_host,
                rebalance_timeout_ms: m.rebalance_timeout,
                session_timeout_ms: m.session_timeout,
                protocol_type: v.protocol_type.clone(),
                supported_protocols: vec![(protocol, m.subscription)],
                assignment: m.assignment,
                awaiting_join: None,
                awaiting_sync: None,
                is_new: false,
                heartbeat_timer: None,
            },
        );
    }
    g
}

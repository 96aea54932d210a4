//! A classic group's metadata (Kafka's `GroupMetadata`): members, static
//! members, pending members, generation, leader, protocol, committed offsets.
//! Pure bookkeeping; the protocol logic lives in `join`, `heartbeat` and
//! `offsets`.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::{JoinGroupResponseMember, RequestId};
use crate::member::Member;
use crate::state::GroupState;
use crate::timers::TimerToken;

/// (topic, partition)
pub type TopicPartition = (String, i32);

/// Kafka's `OffsetAndMetadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetAndMetadata {
    pub offset: i64,
    /// `None` is written as -1.
    pub leader_epoch: Option<i32>,
    pub metadata: String,
    pub commit_timestamp: i64,
    /// Only from OffsetCommitValue v1 records.
    pub expire_timestamp: Option<i64>,
}

/// Kafka's `CommitRecordMetadataAndOffset`: an offset plus the log offset of
/// the batch that carried it, so the newest write wins when commits race.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRecord {
    pub appended_batch_offset: Option<i64>,
    pub offset_and_metadata: OffsetAndMetadata,
}

impl CommitRecord {
    pub(crate) fn older_than(&self, that: &CommitRecord) -> bool {
        self.appended_batch_offset < that.appended_batch_offset
    }
}

/// The join-phase delayed operation currently scheduled for the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JoinOp {
    pub token: TimerToken,
    /// InitialDelayedJoin never completes early (its `tryComplete` is false).
    pub initial: bool,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub group_id: String,
    /// Tells apart two groups of the same id over time (deleted and
    /// created again): a write finishing late must not touch the new one
    /// (Kafka's callbacks hold the old group object).
    pub(crate) incarnation: u64,
    pub(crate) state: GroupState,
    pub(crate) current_state_timestamp: Option<i64>,
    pub(crate) protocol_type: Option<String>,
    pub(crate) protocol_name: Option<String>,
    pub(crate) generation_id: i32,
    pub(crate) leader_id: Option<String>,
    pub(crate) members: BTreeMap<String, Member>,
    /// group.instance.id -> member id
    pub(crate) static_members: BTreeMap<String, String>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, with their expiry timer.
    pub(crate) pending_members: BTreeMap<String, TimerToken>,
    /// Members that have not sent SyncGroup in this generation.
    pub(crate) pending_sync_members: BTreeSet<String>,
    /// Set when a member joins during the initial delay, which extends it.
    pub(crate) new_member_added: bool,
    pub(crate) join_op: Option<JoinOp>,
    pub(crate) sync_timer: Option<TimerToken>,
    pub(crate) offsets: BTreeMap<TopicPartition, CommitRecord>,
    /// Commits written to the log but not yet acknowledged.
    pub(crate) pending_offset_commits: BTreeMap<TopicPartition, OffsetAndMetadata>,
    /// Transactional commits per producer id, waiting for the transaction's
    /// marker (the batch offset is known once the write is acknowledged).
    pub(crate) pending_txn_offset_commits: BTreeMap<i64, BTreeMap<TopicPartition, CommitRecord>>,
    /// The topics the members subscribe to, for a consumer group (read from
    /// their subscriptions at each new generation and on load); `None` if
    /// unknown. Offsets of these topics do not expire while Stable.
    pub(crate) subscribed_topics: Option<BTreeSet<String>>,
}

impl Group {
    pub fn new(group_id: &str, state: GroupState, now: i64) -> Group {
        Group {
            group_id: group_id.to_string(),
            incarnation: 0,
            state,
            current_state_timestamp: Some(now),
            protocol_type: None,
            protocol_name: None,
            generation_id: 0,
            leader_id: None,
            members: BTreeMap::new(),
            static_members: BTreeMap::new(),
            pending_members: BTreeMap::new(),
            pending_sync_members: BTreeSet::new(),
            new_member_added: false,
            join_op: None,
            sync_timer: None,
            offsets: BTreeMap::new(),
            pending_offset_commits: BTreeMap::new(),
            pending_txn_offset_commits: BTreeMap::new(),
            subscribed_topics: None,
        }
    }

    pub fn state(&self) -> GroupState {
        self.state
    }
    pub fn generation_id(&self) -> i32 {
        self.generation_id
    }
    pub fn protocol_type(&self) -> Option<&str> {
        self.protocol_type.as_deref()
    }
    pub fn protocol_name(&self) -> Option<&str> {
        self.protocol_name.as_deref()
    }
    pub fn leader_id(&self) -> Option<&str> {
        self.leader_id.as_deref()
    }
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }
    pub fn member(&self, member_id: &str) -> Option<&Member> {
        self.members.get(member_id)
    }
    pub fn current_state_timestamp(&self) -> Option<i64> {
        self.current_state_timestamp
    }
    pub fn offset(&self, topic: &str, partition: i32) -> Option<&OffsetAndMetadata> {
        self.offsets
            .get(&(topic.to_string(), partition))
            .map(|c| &c.offset_and_metadata)
    }
    pub fn all_offsets(&self) -> impl Iterator<Item = (&TopicPartition, &OffsetAndMetadata)> {
        self.offsets
            .iter()
            .map(|(tp, c)| (tp, &c.offset_and_metadata))
    }
    pub fn is_pending_member(&self, member_id: &str) -> bool {
        self.pending_members.contains_key(member_id)
    }
    pub fn static_member_id(&self, group_instance_id: &str) -> Option<&str> {
        self.static_members
            .get(group_instance_id)
            .map(String::as_str)
    }
    pub fn is_leader(&self, member_id: &str) -> bool {
        self.leader_id.as_deref() == Some(member_id)
    }
    pub fn has(&self, member_id: &str) -> bool {
        self.members.contains_key(member_id)
    }
    pub fn size(&self) -> usize {
        self.members.len()
    }

    pub(crate) fn num_awaiting_join(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.is_awaiting_join())
            .count()
    }

    /// Every known member has a parked JoinGroup and no handed-out member id
    /// is still expected.
    pub(crate) fn has_all_members_joined(&self) -> bool {
        self.members.len() == self.num_awaiting_join() && self.pending_members.is_empty()
    }

    /// The largest rebalance timeout of the members (0 without members).
    pub(crate) fn rebalance_timeout_ms(&self) -> i32 {
        self.members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// Kafka's `add`: the first member fixes the protocol type and the first
    /// one in (with no leader yet) leads.
    pub(crate) fn add(&mut self, mut member: Member, callback: Option<RequestId>) {
        if let Some(instance_id) = &member.group_instance_id {
            assert!(
                !self.static_members.contains_key(instance_id),
                "static member {instance_id} is already in group {}",
                self.group_id
            );
            self.static_members
                .insert(instance_id.clone(), member.member_id.clone());
        }
        if self.members.is_empty() {
            self.protocol_type = Some(member.protocol_type.clone());
        }
        if self.leader_id.is_none() {
            self.leader_id = Some(member.member_id.clone());
        }
        member.awaiting_join = callback;
        self.members.insert(member.member_id.clone(), member);
    }

    /// Kafka's `remove`: the removed member (if any) is returned so the
    /// caller can cancel its timer. A new leader is the first remaining
    /// member (Kafka takes `members.keys.headOption` of a hash map; ours is
    /// the smallest member id).
    pub(crate) fn remove(&mut self, member_id: &str) -> Option<Member> {
        let removed = self.members.remove(member_id);
        if let Some(m) = &removed {
            if let Some(instance_id) = &m.group_instance_id {
                self.static_members.remove(instance_id);
            }
        }
        if self.is_leader(member_id) {
            self.leader_id = self.members.keys().next().cloned();
        }
        self.pending_sync_members.remove(member_id);
        removed
    }

    /// Kafka's `maybeElectNewJoinedLeader`: keep a leader that rejoined,
    /// else pick any member that did. False when there is no leader or no
    /// member rejoined.
    pub(crate) fn maybe_elect_new_joined_leader(&mut self) -> bool {
        let Some(leader) = self.leader_id.clone() else {
            return false;
        };
        if self
            .members
            .get(&leader)
            .is_some_and(|m| m.is_awaiting_join())
        {
            return true;
        }
        match self.members.values().find(|m| m.is_awaiting_join()) {
            Some(m) => {
                self.leader_id = Some(m.member_id.clone());
                true
            }
            None => false,
        }
    }

    /// Protocols every member supports.
    pub(crate) fn candidate_protocols(&self) -> Vec<&str> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for m in self.members.values() {
            for (name, _) in &m.supported_protocols {
                *counts.entry(name.as_str()).or_default() += 1;
            }
        }
        let n = self.members.len();
        counts
            .into_iter()
            .filter(|(_, c)| *c == n)
            .map(|(p, _)| p)
            .collect()
    }

    /// Kafka's `selectProtocol`: each member votes for its most preferred
    /// candidate; the most votes wins. Kafka breaks ties by hash-map order;
    /// we take the smallest name, so runs are deterministic.
    pub(crate) fn select_protocol(&self) -> Option<String> {
        let candidates = self.candidate_protocols();
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for m in self.members.values() {
            if let Some(v) = m.vote(&candidates) {
                *votes.entry(v).or_default() += 1;
            }
        }
        let max = *votes.values().max()?;
        votes
            .into_iter()
            .find(|(_, c)| *c == max)
            .map(|(p, _)| p.to_string())
    }

    /// Kafka's `supportsProtocols`: an Empty group takes any non-empty type
    /// and protocol list; otherwise the type must match and one of the
    /// protocols must be supported by every current member.
    pub(crate) fn supports_protocols(
        &self,
        protocol_type: &str,
        protocols: &[(String, Vec<u8>)],
    ) -> bool {
        if self.state == GroupState::Empty {
            !protocol_type.is_empty() && !protocols.is_empty()
        } else {
            let n = self.members.len();
            self.protocol_type.as_deref() == Some(protocol_type)
                && protocols.iter().any(|(p, _)| {
                    self.members
                        .values()
                        .filter(|m| m.metadata(p).is_some())
                        .count()
                        == n
                })
        }
    }

    /// The members' metadata for the selected protocol, as the leader's
    /// JoinGroup response carries it.
    pub(crate) fn current_member_metadata(&self) -> Vec<JoinGroupResponseMember> {
        let protocol = self.protocol_name.as_deref().unwrap_or_default();
        self.members
            .values()
            .map(|m| JoinGroupResponseMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                metadata: m.metadata(protocol).unwrap_or_default().to_vec(),
            })
            .collect()
    }

    /// Kafka's `updateMember`: new protocols and timeouts, and the parked
    /// JoinGroup (a previous one is dropped unanswered, as in Kafka).
    pub(crate) fn update_member(
        &mut self,
        member_id: &str,
        protocols: Vec<(String, Vec<u8>)>,
        rebalance_timeout_ms: i32,
        session_timeout_ms: i32,
        callback: Option<RequestId>,
    ) {
        if let Some(m) = self.members.get_mut(member_id) {
            m.supported_protocols = protocols;
            m.rebalance_timeout_ms = rebalance_timeout_ms;
            m.session_timeout_ms = session_timeout_ms;
            m.awaiting_join = callback;
        }
    }

    /// Kafka's `computeSubscribedTopics`: for a consumer group, the union
    /// of the topics of the members' subscriptions (read as the consumer
    /// protocol's version-0 prefix: int16 version, then an array of
    /// strings), `None` if one does not parse or the group is not a
    /// consumer group.
    pub(crate) fn compute_subscribed_topics(&self) -> Option<BTreeSet<String>> {
        if self.protocol_type.as_deref() != Some("consumer") {
            return None;
        }
        if self.members.is_empty() {
            return Some(BTreeSet::new());
        }
        let protocol = self.protocol_name.as_deref()?;
        let mut topics = BTreeSet::new();
        for m in self.members.values() {
            topics.extend(subscription_topics(m.metadata(protocol)?)?);
        }
        Some(topics)
    }

    // ------------------------------------------------------------ offsets

    /// Kafka's `removeExpiredOffsets` (KIP-211), without removing: the
    /// offsets to expire at `now`.
    pub(crate) fn expired_offsets(&self, now: i64, retention_ms: i64) -> Vec<TopicPartition> {
        // What the retention counts from, and the topics kept regardless.
        let (since_state_change, keep) = match (self.protocol_type.as_deref(), self.state) {
            // No consumer left: from when the group became Empty (or, for
            // records without that time, from the commit).
            (Some(_), GroupState::Empty) => (self.current_state_timestamp, None),
            // A Stable consumer group keeps the offsets of what it consumes;
            // the others count from their commit.
            (Some("consumer"), GroupState::Stable) if self.subscribed_topics.is_some() => {
                (None, self.subscribed_topics.as_ref())
            }
            // Offsets only (simple consumers): from the commit.
            (None, _) => (None, None),
            _ => return Vec::new(),
        };
        self.offsets
            .iter()
            .filter(|(tp, c)| {
                if keep.is_some_and(|topics| topics.contains(&tp.0))
                    || self.pending_offset_commits.contains_key(*tp)
                {
                    return false;
                }
                let om = &c.offset_and_metadata;
                match om.expire_timestamp {
                    // v1 records carry their own expiry
                    Some(expire) => now >= expire,
                    None => now - since_state_change.unwrap_or(om.commit_timestamp) >= retention_ms,
                }
            })
            .map(|(tp, _)| tp.clone())
            .collect()
    }

    /// Kafka's `prepareOffsetCommit`.
    pub(crate) fn prepare_offset_commit(
        &mut self,
        offsets: &[(TopicPartition, OffsetAndMetadata)],
    ) {
        for (tp, om) in offsets {
            self.pending_offset_commits.insert(tp.clone(), om.clone());
        }
    }

    /// Kafka's `onOffsetCommitAppend`: the write is in the log; keep it if it
    /// is newer than what we have, and clear the staged copy.
    pub(crate) fn on_offset_commit_append(&mut self, tp: &TopicPartition, record: CommitRecord) {
        if self.pending_offset_commits.contains_key(tp) {
            let newer = self
                .offsets
                .get(tp)
                .is_none_or(|current| current.older_than(&record));
            if newer {
                self.offsets.insert(tp.clone(), record.clone());
            }
        }
        if self.pending_offset_commits.get(tp) == Some(&record.offset_and_metadata) {
            self.pending_offset_commits.remove(tp);
        }
    }

    /// Kafka's `failPendingOffsetWrite`.
    pub(crate) fn fail_pending_offset_write(
        &mut self,
        tp: &TopicPartition,
        om: &OffsetAndMetadata,
    ) {
        if self.pending_offset_commits.get(tp) == Some(om) {
            self.pending_offset_commits.remove(tp);
        }
    }

    /// Kafka's `hasPendingOffsetCommitsForTopicPartition`.
    pub(crate) fn has_pending_offset_commit(&self, tp: &TopicPartition) -> bool {
        self.pending_offset_commits.contains_key(tp)
            || self
                .pending_txn_offset_commits
                .values()
                .any(|p| p.contains_key(tp))
    }

    /// Kafka's `prepareTxnOffsetCommit`.
    pub(crate) fn prepare_txn_offset_commit(
        &mut self,
        producer_id: i64,
        offsets: &[(TopicPartition, OffsetAndMetadata)],
    ) {
        let pending = self
            .pending_txn_offset_commits
            .entry(producer_id)
            .or_default();
        for (tp, om) in offsets {
            pending.insert(
                tp.clone(),
                CommitRecord {
                    appended_batch_offset: None,
                    offset_and_metadata: om.clone(),
                },
            );
        }
    }

    /// Kafka's `onTxnOffsetCommitAppend`: remember where the write landed.
    pub(crate) fn on_txn_offset_commit_append(
        &mut self,
        producer_id: i64,
        tp: &TopicPartition,
        record: CommitRecord,
    ) {
        if let Some(pending) = self
            .pending_txn_offset_commits
            .get_mut(&producer_id)
            .and_then(|p| p.get_mut(tp))
        {
            if pending.offset_and_metadata == record.offset_and_metadata {
                *pending = record;
            }
        }
    }

    /// Kafka's `failPendingTxnOffsetCommit`.
    pub(crate) fn fail_pending_txn_offset_commit(&mut self, producer_id: i64, tp: &TopicPartition) {
        if let Some(pending) = self.pending_txn_offset_commits.get_mut(&producer_id) {
            pending.remove(tp);
            if pending.is_empty() {
                self.pending_txn_offset_commits.remove(&producer_id);
            }
        }
    }

    /// Kafka's `completePendingTxnOffsetCommit`: on COMMIT the producer's
    /// offsets become the committed ones (unless a newer write already is);
    /// on ABORT they are dropped.
    pub(crate) fn complete_pending_txn_offset_commit(&mut self, producer_id: i64, commit: bool) {
        let Some(pending) = self.pending_txn_offset_commits.remove(&producer_id) else {
            return;
        };
        if !commit {
            return;
        }
        for (tp, record) in pending {
            // Not yet acknowledged: the marker cannot have been written
            // before the offsets (Kafka throws); skip it.
            if record.appended_batch_offset.is_none() {
                continue;
            }
            let newer = self
                .offsets
                .get(&tp)
                .is_none_or(|current| current.older_than(&record));
            if newer {
                self.offsets.insert(tp, record);
            }
        }
    }

    pub fn has_pending_txn_offsets_from(&self, producer_id: i64) -> bool {
        self.pending_txn_offset_commits.contains_key(&producer_id)
    }

    /// Committed or in-flight offsets (an Empty group without any may go).
    pub fn has_offsets(&self) -> bool {
        !self.offsets.is_empty()
            || !self.pending_offset_commits.is_empty()
            || !self.pending_txn_offset_commits.is_empty()
    }

    /// Kafka's `removeOffsets`: returns the partitions that had an offset.
    pub(crate) fn remove_offsets(&mut self, partitions: &[TopicPartition]) -> Vec<TopicPartition> {
        partitions
            .iter()
            .filter(|tp| {
                self.pending_offset_commits.remove(*tp);
                for pending in self.pending_txn_offset_commits.values_mut() {
                    pending.remove(*tp);
                }
                self.offsets.remove(*tp).is_some()
            })
            .cloned()
            .collect()
    }
}

/// The topics of a consumer protocol Subscription (every version starts
/// with int16 version, then the topics as an array of strings).
fn subscription_topics(bytes: &[u8]) -> Option<Vec<String>> {
    let mut pos = 2usize;
    let count = i32::from_be_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?);
    pos += 4;
    let mut topics = Vec::new();
    for _ in 0..count.max(0) {
        let len = i16::from_be_bytes(bytes.get(pos..pos + 2)?.try_into().ok()?);
        pos += 2;
        let len = usize::try_from(len).ok()?;
        topics.push(String::from_utf8(bytes.get(pos..pos + len)?.to_vec()).ok()?);
        pos += len;
    }
    Some(topics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::test_member;

    /// (name, metadata) pairs.
    type Protocols<'a> = &'a [(&'a str, &'a [u8])];

    fn group_with(members: &[(&str, Protocols)]) -> Group {
        let mut g = Group::new("groupId", GroupState::Empty, 0);
        for (id, protocols) in members {
            g.add(test_member(id, protocols), None);
        }
        g
    }

    // GroupMetadataTest.testSelectProtocol
    #[test]
    fn select_protocol_by_vote() {
        let mut g = group_with(&[("member", &[("range", &[]), ("roundrobin", &[])])]);
        assert_eq!(g.select_protocol().as_deref(), Some("range"));
        g.add(
            test_member("other", &[("roundrobin", &[]), ("range", &[])]),
            None,
        );
        // one vote each: either is right in Kafka; we break the tie by name
        assert!(matches!(g.select_protocol().as_deref(), Some("range")));
        g.add(
            test_member("last", &[("roundrobin", &[]), ("range", &[])]),
            None,
        );
        assert_eq!(g.select_protocol().as_deref(), Some("roundrobin"));
    }

    // GroupMetadataTest.testSelectProtocolChoosesCompatibleProtocol
    #[test]
    fn select_protocol_chooses_compatible_protocol() {
        let g = group_with(&[
            ("member", &[("range", &[]), ("roundrobin", &[])]),
            ("other", &[("roundrobin", &[]), ("blah", &[])]),
        ]);
        assert_eq!(g.select_protocol().as_deref(), Some("roundrobin"));
    }

    // GroupMetadataTest.testSupportsProtocols
    #[test]
    fn supports_protocols() {
        let p = |v: &[&str]| -> Vec<(String, Vec<u8>)> {
            v.iter().map(|n| (n.to_string(), vec![])).collect()
        };
        let mut g = Group::new("groupId", GroupState::Empty, 0);
        // an empty group accepts anything non-empty
        assert!(g.supports_protocols("consumer", &p(&["range", "roundrobin"])));
        assert!(!g.supports_protocols("", &p(&["range"])));
        assert!(!g.supports_protocols("consumer", &[]));

        g.add(
            test_member("member", &[("range", &[]), ("roundrobin", &[])]),
            None,
        );
        g.state = GroupState::PreparingRebalance;
        assert!(g.supports_protocols("consumer", &p(&["roundrobin", "foo"])));
        assert!(!g.supports_protocols("consumer", &p(&["foo", "bar"])));
        assert!(!g.supports_protocols("connect", &p(&["range"])));

        g.add(
            test_member("other", &[("roundrobin", &[]), ("blah", &[])]),
            None,
        );
        assert!(g.supports_protocols("consumer", &p(&["roundrobin", "foo"])));
        assert!(!g.supports_protocols("consumer", &p(&["range", "foo"])));
    }

    #[test]
    fn first_member_leads_and_leadership_moves_on_removal() {
        let mut g = group_with(&[("b", &[("range", &[])]), ("a", &[("range", &[])])]);
        assert_eq!(g.leader_id(), Some("b"));
        g.remove("b");
        assert_eq!(g.leader_id(), Some("a"));
        g.remove("a");
        assert_eq!(g.leader_id(), None);
    }

    // GroupMetadataTest.testOffsetCommit / testOffsetCommitFailure
    #[test]
    fn offset_commit_staging() {
        let mut g = Group::new("groupId", GroupState::Empty, 0);
        let tp = ("foo".to_string(), 0);
        let om = OffsetAndMetadata {
            offset: 37,
            leader_epoch: None,
            metadata: String::new(),
            commit_timestamp: 0,
            expire_timestamp: None,
        };
        g.prepare_offset_commit(&[(tp.clone(), om.clone())]);
        assert!(g.has_offsets());
        assert_eq!(g.offset("foo", 0), None);
        g.on_offset_commit_append(
            &tp,
            CommitRecord {
                appended_batch_offset: Some(4),
                offset_and_metadata: om.clone(),
            },
        );
        assert_eq!(g.offset("foo", 0), Some(&om));
        assert!(!g.has_pending_offset_commit(&tp));

        let om2 = OffsetAndMetadata {
            offset: 40,
            ..om.clone()
        };
        g.prepare_offset_commit(&[(tp.clone(), om2.clone())]);
        g.fail_pending_offset_write(&tp, &om2);
        assert_eq!(g.offset("foo", 0), Some(&om));
        assert!(!g.has_pending_offset_commit(&tp));
    }

    // GroupMetadataTest.testOffsetCommitWithAnotherPending: the newer log
    // write wins even when acknowledgements arrive out of order.
    #[test]
    fn newer_batch_offset_wins() {
        let mut g = Group::new("groupId", GroupState::Empty, 0);
        let tp = ("foo".to_string(), 0);
        let om = |o| OffsetAndMetadata {
            offset: o,
            leader_epoch: None,
            metadata: String::new(),
            commit_timestamp: 0,
            expire_timestamp: None,
        };
        g.prepare_offset_commit(&[(tp.clone(), om(37))]);
        g.prepare_offset_commit(&[(tp.clone(), om(57))]);
        g.on_offset_commit_append(
            &tp,
            CommitRecord {
                appended_batch_offset: Some(4),
                offset_and_metadata: om(57),
            },
        );
        g.prepare_offset_commit(&[(tp.clone(), om(60))]);
        g.on_offset_commit_append(
            &tp,
            CommitRecord {
                appended_batch_offset: Some(3),
                offset_and_metadata: om(37),
            },
        );
        assert_eq!(g.offset("foo", 0).map(|o| o.offset), Some(57));
    }
}

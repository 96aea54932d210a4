use std::collections::BTreeMap;

use crate::api::*;
use crate::coordinator::{
    Append, AppendResult, Coordinator, CoordinatorConfig, OffsetsRecord, Output,
};
use crate::load::LoadRecord;
use crate::state::GroupState;
use protocol::{ControlRecordType, ErrorCode};

/// One record of the harness's `__consumer_offsets` log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub base: i64,
    /// Set for records of transactional batches.
    pub producer_id: Option<i64>,
    pub control: bool,
    pub record: OffsetsRecord,
}

pub const GROUP: &str = "groupId";
/// Lands on the other of the two `__consumer_offsets` partitions, which the
/// harness does not own (as in GroupCoordinatorTest).
pub const OTHER_GROUP: &str = "otherGroup";
pub const PROTOCOL_TYPE: &str = "consumer";
pub const CLIENT_ID: &str = "consumer-test";
pub const DEFAULT_SESSION_TIMEOUT: i32 = 500;
pub const DEFAULT_REBALANCE_TIMEOUT: i32 = 500;
pub const INITIAL_DELAY: i32 = 50;
pub const MIN_SESSION_TIMEOUT: i32 = 10;
pub const MAX_SESSION_TIMEOUT: i32 = 10 * 60 * 1000;
pub const GROUP_MAX_SIZE: usize = 4;

pub fn protocols(names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names.iter().map(|n| (n.to_string(), vec![])).collect()
}

/// GroupCoordinatorTest's configuration: 2 offsets partitions, short
/// timeouts.
pub fn test_config() -> CoordinatorConfig {
    CoordinatorConfig {
        group_min_session_timeout_ms: MIN_SESSION_TIMEOUT,
        group_max_session_timeout_ms: MAX_SESSION_TIMEOUT,
        group_max_size: GROUP_MAX_SIZE,
        group_initial_rebalance_delay_ms: INITIAL_DELAY,
        offsets_topic_num_partitions: 2,
        ..CoordinatorConfig::default()
    }
}

/// The broker around the coordinator.
pub struct Harness {
    pub c: Coordinator,
    pub now: i64,
    next_rid: RequestId,
    pub responses: BTreeMap<RequestId, Response>,
    /// Number of responses per request id (must never exceed 1).
    pub response_counts: BTreeMap<RequestId, usize>,
    /// Appends waiting for the harness to complete them.
    pub pending_appends: Vec<Append>,
    /// Complete appends immediately (the log replicates instantly).
    pub auto_ack: bool,
    /// The `__consumer_offsets` log per partition.
    pub log: BTreeMap<i32, Vec<LogEntry>>,
    pub state_changes: Vec<(String, GroupState, GroupState)>,
}

impl Harness {
    pub fn new() -> Harness {
        Self::with_config(test_config())
    }

    pub fn with_config(config: CoordinatorConfig) -> Harness {
        let mut c = Coordinator::new(config, 1);
        let p = c.partition_for(GROUP);
        assert_ne!(p, c.partition_for(OTHER_GROUP));
        let out = c.load(0, p, []).unwrap();
        // serving a partition starts the periodic offsets cleanup
        assert!(matches!(
            out.as_slice(),
            [Output::SetTimer {
                kind: crate::timers::TimerKind::OffsetsRetentionCheck,
                ..
            }]
        ));
        Harness {
            c,
            now: 0,
            next_rid: 0,
            responses: BTreeMap::new(),
            response_counts: BTreeMap::new(),
            pending_appends: Vec::new(),
            auto_ack: true,
            log: BTreeMap::new(),
            state_changes: Vec::new(),
        }
    }

    pub fn process(&mut self, out: Vec<Output>) {
        for o in out {
            match o {
                Output::Response {
                    request_id,
                    response,
                } => {
                    *self.response_counts.entry(request_id).or_default() += 1;
                    assert_eq!(
                        self.response_counts[&request_id], 1,
                        "request {request_id} answered twice"
                    );
                    self.responses.insert(request_id, response);
                }
                Output::Append(a) => self.pending_appends.push(a),
                Output::GroupStateChanged {
                    group_id, from, to, ..
                } => self.state_changes.push((group_id, from, to)),
                Output::SetTimer { .. } => {}
                Output::CancelTimer { .. } => {}
            }
        }
        if self.auto_ack {
            self.ack_all();
        }
    }

    /// Append every pending batch to the log and report success.
    pub fn ack_all(&mut self) {
        while !self.pending_appends.is_empty() {
            let a = self.pending_appends.remove(0);
            let result = Ok(self.append_to_log(&a));
            let out = self.c.on_append_completed(self.now, a.append_id, result);
            self.process(out);
        }
    }

    pub fn append_to_log(&mut self, a: &Append) -> i64 {
        let log = self.log.entry(a.partition).or_default();
        let base = log.len() as i64;
        for r in &a.records {
            log.push(LogEntry {
                base,
                producer_id: a.transactional.then_some(a.producer_id),
                control: false,
                record: r.clone(),
            });
        }
        base
    }

    /// The transaction coordinator writes `producer_id`'s marker to the
    /// group's partition; the broker tells the group coordinator.
    pub fn write_marker(&mut self, producer_id: i64, commit: bool) {
        let p = self.c.partition_for(GROUP);
        let log = self.log.entry(p).or_default();
        let kind = if commit {
            ControlRecordType::Commit
        } else {
            ControlRecordType::Abort
        };
        log.push(LogEntry {
            base: log.len() as i64,
            producer_id: Some(producer_id),
            control: true,
            record: OffsetsRecord {
                key: kind.key().to_vec(),
                value: None,
            },
        });
        let out = self.c.on_txn_completion(self.now, p, producer_id, commit);
        self.process(out);
    }

    /// The partition's log as the broker hands it to `load`.
    pub fn load_records(&self, partition: i32) -> Vec<LoadRecord<'_>> {
        self.log
            .get(&partition)
            .into_iter()
            .flatten()
            .map(|e| LoadRecord {
                batch_base_offset: e.base,
                transactional_producer_id: e.producer_id,
                is_control: e.control,
                key: &e.record.key,
                value: e.record.value.as_deref(),
            })
            .collect()
    }

    /// Report the oldest pending append as failed (nothing reaches the log).
    pub fn fail_next_append(&mut self, err: ErrorCode) {
        let a = self.pending_appends.remove(0);
        let out = self
            .c
            .on_append_completed(self.now, a.append_id, Err(err) as AppendResult);
        self.process(out);
    }

    pub fn send(&mut self, req: Request) -> RequestId {
        self.next_rid += 1;
        let rid = self.next_rid;
        let out = self.c.handle(self.now, rid, req);
        self.process(out);
        rid
    }

    pub fn advance(&mut self, ms: i64) {
        self.now += ms;
        let out = self.c.advance_to(self.now);
        self.process(out);
    }

    pub fn answered(&self, rid: RequestId) -> bool {
        self.responses.contains_key(&rid)
    }

    pub fn join_response(&self, rid: RequestId) -> JoinGroupResponse {
        match self.responses.get(&rid) {
            Some(Response::JoinGroup(r)) => r.clone(),
            other => panic!("request {rid}: expected a JoinGroup response, got {other:?}"),
        }
    }

    pub fn sync_response(&self, rid: RequestId) -> SyncGroupResponse {
        match self.responses.get(&rid) {
            Some(Response::SyncGroup(r)) => r.clone(),
            other => panic!("request {rid}: expected a SyncGroup response, got {other:?}"),
        }
    }

    // ---------------------------------------------------------- requests

    pub fn join_request(
        &self,
        group: &str,
        member_id: &str,
        protocol_type: &str,
        protocols: Vec<(String, Vec<u8>)>,
    ) -> JoinGroupRequest {
        JoinGroupRequest {
            group_id: group.to_string(),
            session_timeout_ms: DEFAULT_SESSION_TIMEOUT,
            rebalance_timeout_ms: DEFAULT_REBALANCE_TIMEOUT,
            member_id: member_id.to_string(),
            group_instance_id: None,
            protocol_type: protocol_type.to_string(),
            protocols,
            client_id: CLIENT_ID.to_string(),
            client_host: "localhost".to_string(),
            require_known_member_id: false,
            supports_skip_assignment: false,
            reason: None,
        }
    }

    pub fn send_join(&mut self, req: JoinGroupRequest) -> RequestId {
        self.send(Request::JoinGroup(req))
    }

    /// GroupCoordinatorTest.joinGroup: send, let the initial delay pass,
    /// and return the response.
    pub fn join_group(&mut self, req: JoinGroupRequest) -> JoinGroupResponse {
        let rid = self.send_join(req);
        if !self.answered(rid) {
            self.advance(i64::from(INITIAL_DELAY) + 1);
        }
        self.join_response(rid)
    }

    pub fn static_join_request(
        &self,
        member_id: &str,
        instance_id: &str,
        protocols: Vec<(String, Vec<u8>)>,
    ) -> JoinGroupRequest {
        JoinGroupRequest {
            group_instance_id: Some(instance_id.to_string()),
            ..self.join_request(GROUP, member_id, PROTOCOL_TYPE, protocols)
        }
    }

    pub fn send_sync(
        &mut self,
        group: &str,
        generation_id: i32,
        member_id: &str,
        assignments: Vec<(String, Vec<u8>)>,
    ) -> RequestId {
        self.send(Request::SyncGroup(SyncGroupRequest {
            group_id: group.to_string(),
            generation_id,
            member_id: member_id.to_string(),
            group_instance_id: None,
            protocol_type: None,
            protocol_name: None,
            assignments,
        }))
    }

    pub fn sync_static(
        &mut self,
        generation_id: i32,
        member_id: &str,
        instance_id: &str,
        assignments: Vec<(String, Vec<u8>)>,
    ) -> RequestId {
        self.send(Request::SyncGroup(SyncGroupRequest {
            group_id: GROUP.to_string(),
            generation_id,
            member_id: member_id.to_string(),
            group_instance_id: Some(instance_id.to_string()),
            protocol_type: None,
            protocol_name: None,
            assignments,
        }))
    }

    pub fn heartbeat(&mut self, group: &str, member_id: &str, generation_id: i32) -> ErrorCode {
        self.heartbeat_static(group, member_id, None, generation_id)
    }

    pub fn heartbeat_static(
        &mut self,
        group: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation_id: i32,
    ) -> ErrorCode {
        let rid = self.send(Request::Heartbeat(HeartbeatRequest {
            group_id: group.to_string(),
            generation_id,
            member_id: member_id.to_string(),
            group_instance_id: instance_id.map(str::to_string),
        }));
        match &self.responses[&rid] {
            Response::Heartbeat(r) => r.error_code,
            other => panic!("{other:?}"),
        }
    }

    pub fn leave(&mut self, group: &str, members: Vec<(&str, Option<&str>)>) -> LeaveGroupResponse {
        let rid = self.send(Request::LeaveGroup(LeaveGroupRequest {
            group_id: group.to_string(),
            members: members
                .into_iter()
                .map(|(m, i)| MemberIdentity {
                    member_id: m.to_string(),
                    group_instance_id: i.map(str::to_string),
                    reason: None,
                })
                .collect(),
        }));
        match &self.responses[&rid] {
            Response::LeaveGroup(r) => r.clone(),
            other => panic!("{other:?}"),
        }
    }

    pub fn send_commit(
        &mut self,
        group: &str,
        member_id: &str,
        generation_id: i32,
        offsets: &[(&str, i32, i64)],
    ) -> RequestId {
        self.send(Request::OffsetCommit(OffsetCommitRequest {
            group_id: group.to_string(),
            generation_id,
            member_id: member_id.to_string(),
            group_instance_id: None,
            partitions: offsets
                .iter()
                .map(|(t, p, o)| OffsetCommitRequestPartition {
                    topic: t.to_string(),
                    partition_index: *p,
                    committed_offset: *o,
                    committed_leader_epoch: -1,
                    committed_metadata: None,
                })
                .collect(),
        }))
    }

    /// The commit's per-partition errors (the commit must be answered).
    pub fn commit(
        &mut self,
        group: &str,
        member_id: &str,
        generation_id: i32,
        offsets: &[(&str, i32, i64)],
    ) -> Vec<ErrorCode> {
        let rid = self.send_commit(group, member_id, generation_id, offsets);
        self.commit_errors(rid)
    }

    pub fn commit_errors(&self, rid: RequestId) -> Vec<ErrorCode> {
        match &self.responses[&rid] {
            Response::OffsetCommit(r) => r.partitions.iter().map(|p| p.error_code).collect(),
            other => panic!("{other:?}"),
        }
    }

    pub fn fetch(
        &mut self,
        group: &str,
        partitions: Option<Vec<(&str, i32)>>,
    ) -> OffsetFetchResponse {
        let rid = self.send(Request::OffsetFetch(OffsetFetchRequest {
            group_id: group.to_string(),
            partitions: partitions
                .map(|v| v.into_iter().map(|(t, p)| (t.to_string(), p)).collect()),
            require_stable: false,
        }));
        match &self.responses[&rid] {
            Response::OffsetFetch(r) => r.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// One member joins an empty group and syncs: the group is Stable at
    /// generation 1. Returns (member id, generation).
    pub fn stable_single_member(&mut self) -> (String, i32) {
        let req = self.join_request(
            GROUP,
            UNKNOWN_MEMBER_ID,
            PROTOCOL_TYPE,
            protocols(&["range"]),
        );
        let r = self.join_group(req);
        assert_eq!(r.error_code, ErrorCode::None);
        let sync = self.send_sync(
            GROUP,
            r.generation_id,
            &r.member_id,
            vec![(r.member_id.clone(), vec![1])],
        );
        assert_eq!(self.sync_response(sync).error_code, ErrorCode::None);
        assert_eq!(self.c.state(GROUP), Some(GroupState::Stable));
        (r.member_id, r.generation_id)
    }
}

//! Unit tests driving the [`Consumer`] with hand-built broker responses.

mod commits;
mod fetching;
mod group;
mod property;
mod with_coordinator;

use std::collections::VecDeque;

use ::coordinator::{
    ErrorCode, JoinGroupResponse, JoinGroupResponseMember, OffsetCommitResponse,
    OffsetCommitResponsePartition, OffsetFetchResponse, OffsetFetchResponsePartition,
    Request as GroupRequest, Response as GroupResponse, SyncGroupResponse,
};
use broker::api::{
    Addr, BrokerId, FetchPartitionResponse, MetadataResponse, Msg, PartitionState, Request,
    Response, TopicPartition,
};
use bytes::Bytes;
use protocol::batch::{RecordBatch, SimpleRecord};
use serde_json::Value;

use super::*;

pub(super) fn tp(topic: &str, p: i32) -> TopicPartition {
    TopicPartition::new(topic, p)
}

/// A request the consumer sent.
#[derive(Debug, Clone)]
pub(super) struct Sent {
    pub to: BrokerId,
    pub correlation_id: i32,
    pub request: Request,
}

pub(super) struct Harness {
    pub c: Consumer,
    pub now: u64,
    pub out: Vec<Output>,
    pub sent: VecDeque<Sent>,
    pub events: Vec<(&'static str, Value)>,
    /// The background timer's deadline as last armed.
    pub wakeup: Option<u64>,
    pub poll_timer: Option<u64>,
}

impl Harness {
    pub fn new(settings: &[(&str, &str)]) -> Harness {
        let config = ConsumerConfig::from_pairs(settings.iter().copied()).unwrap();
        let mut h = Harness {
            c: Consumer::new(config, vec![0]),
            now: 0,
            out: Vec::new(),
            sent: VecDeque::new(),
            events: Vec::new(),
            wakeup: None,
            poll_timer: None,
        };
        h.input(Input::Start);
        h
    }

    /// Moves outputs into `sent`, `events` and the timer fields.
    pub fn collect(&mut self) {
        for o in self.out.drain(..) {
            match o {
                Output::Send {
                    to: Addr::Broker(to),
                    msg:
                        Msg::Request {
                            correlation_id,
                            request,
                        },
                } => self.sent.push_back(Sent {
                    to,
                    correlation_id,
                    request,
                }),
                Output::Send { to, msg } => panic!("unexpected send to {to:?}: {msg:?}"),
                Output::SetTimer {
                    token,
                    at,
                    background,
                } => {
                    if token == WAKEUP_TIMER {
                        assert!(background);
                        self.wakeup = Some(at);
                    } else {
                        assert_eq!(token, POLL_TIMER);
                        assert!(!background);
                        self.poll_timer = Some(at);
                    }
                }
                Output::CancelTimer(token) => {
                    if token == WAKEUP_TIMER {
                        self.wakeup = None;
                    } else {
                        self.poll_timer = None;
                    }
                }
                Output::Event { kind, detail } => self.events.push((kind, detail)),
                Output::Stopped => panic!("a consumer never stops like a broker"),
            }
        }
    }

    pub fn input(&mut self, input: Input) {
        self.c.handle(self.now, input, &mut self.out);
        self.collect();
    }

    /// Advances time, firing the background timer when it falls due.
    pub fn advance_to(&mut self, t: u64) {
        while let Some(at) = self.wakeup.filter(|at| *at <= t) {
            self.now = self.now.max(at);
            self.wakeup = None;
            self.input(Input::Timer(WAKEUP_TIMER));
        }
        self.now = t;
    }

    /// Removes and returns the first request of API `api`.
    pub fn take(&mut self, api: &str) -> Sent {
        self.try_take(api)
            .unwrap_or_else(|| panic!("no {api} request among {:?}", self.apis()))
    }

    pub fn try_take(&mut self, api: &str) -> Option<Sent> {
        let i = self.sent.iter().position(|s| s.request.api() == api)?;
        self.sent.remove(i)
    }

    pub fn count(&self, api: &str) -> usize {
        self.sent.iter().filter(|s| s.request.api() == api).count()
    }

    pub fn apis(&self) -> Vec<&'static str> {
        self.sent.iter().map(|s| s.request.api()).collect()
    }

    pub fn respond(&mut self, to: &Sent, response: Response) {
        self.input(Input::Message {
            from: Addr::Broker(to.to),
            msg: Msg::Response {
                correlation_id: to.correlation_id,
                response,
            },
        });
    }

    pub fn respond_group(&mut self, to: &Sent, response: GroupResponse) {
        self.respond(to, Response::Group(response));
    }

    pub fn events_of(&self, kind: &str) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, v)| v)
            .collect()
    }

    /// Answers the pending Metadata request: `topics` with their partition
    /// counts, partition p led by broker `p % 2` at epoch `epoch`.
    pub fn metadata(&mut self, topics: &[(&str, i32)], epoch: i32) {
        let s = self.take("Metadata");
        let mut partitions = Vec::new();
        for (t, n) in topics {
            for p in 0..*n {
                partitions.push(PartitionState {
                    tp: tp(t, p),
                    controller_epoch: 1,
                    leader: p % 2,
                    leader_epoch: epoch,
                    isr: vec![0, 1],
                    zk_version: 0,
                    replicas: vec![0, 1],
                    is_new: false,
                });
            }
        }
        self.respond(
            &s,
            Response::Metadata(MetadataResponse {
                controller_id: 0,
                brokers: vec![0, 1],
                partitions,
            }),
        );
    }

    pub fn find_coordinator(&mut self, node: BrokerId) {
        let s = self.take("FindCoordinator");
        self.respond(
            &s,
            Response::FindCoordinator {
                error: ErrorCode::None,
                node_id: node,
            },
        );
    }

    pub fn join_request(&mut self) -> (Sent, ::coordinator::JoinGroupRequest) {
        let s = self.take("JoinGroup");
        let Request::Group(GroupRequest::JoinGroup(j)) = &s.request else {
            unreachable!()
        };
        let j = j.clone();
        (s, j)
    }

    /// JoinGroup answered with MEMBER_ID_REQUIRED, then the second join:
    /// returns it.
    pub fn first_join(&mut self, member_id: &str) -> (Sent, ::coordinator::JoinGroupRequest) {
        let (s, j) = self.join_request();
        assert_eq!(j.member_id, "");
        self.respond_group(
            &s,
            GroupResponse::JoinGroup(JoinGroupResponse::error(
                member_id,
                ErrorCode::MemberIdRequired,
            )),
        );
        let (s, j) = self.join_request();
        assert_eq!(j.member_id, member_id);
        (s, j)
    }

    pub fn join_ok(
        &mut self,
        s: &Sent,
        member_id: &str,
        generation: i32,
        protocol: &str,
        leader: &str,
        members: Vec<(&str, Vec<u8>)>,
    ) {
        self.respond_group(
            s,
            GroupResponse::JoinGroup(JoinGroupResponse {
                error_code: ErrorCode::None,
                generation_id: generation,
                protocol_type: Some("consumer".into()),
                protocol_name: Some(protocol.into()),
                leader: leader.into(),
                skip_assignment: false,
                member_id: member_id.into(),
                members: members
                    .into_iter()
                    .map(|(m, metadata)| JoinGroupResponseMember {
                        member_id: m.into(),
                        group_instance_id: None,
                        metadata,
                    })
                    .collect(),
            }),
        );
    }

    pub fn sync_request(&mut self) -> (Sent, ::coordinator::SyncGroupRequest) {
        let s = self.take("SyncGroup");
        let Request::Group(GroupRequest::SyncGroup(r)) = &s.request else {
            unreachable!()
        };
        let r = r.clone();
        (s, r)
    }

    pub fn sync_ok(&mut self, s: &Sent, assignment: Vec<u8>) {
        self.respond_group(
            s,
            GroupResponse::SyncGroup(SyncGroupResponse {
                error_code: ErrorCode::None,
                protocol_type: Some("consumer".into()),
                protocol_name: None,
                assignment,
            }),
        );
    }

    /// Answers the pending OffsetFetch: `committed` per partition (-1: none).
    pub fn offset_fetch(&mut self, committed: &[(TopicPartition, i64)]) {
        let s = self.take("OffsetFetch");
        self.respond_group(
            &s,
            GroupResponse::OffsetFetch(OffsetFetchResponse {
                error_code: ErrorCode::None,
                partitions: committed
                    .iter()
                    .map(|(tp, o)| OffsetFetchResponsePartition {
                        topic: tp.topic.to_string(),
                        partition_index: tp.partition,
                        committed_offset: *o,
                        committed_leader_epoch: -1,
                        metadata: String::new(),
                        error_code: ErrorCode::None,
                    })
                    .collect(),
            }),
        );
    }

    /// The pending OffsetCommit's offsets, answered with `error`.
    pub fn commit(&mut self, error: ErrorCode) -> Vec<(TopicPartition, i64)> {
        let s = self.take("OffsetCommit");
        let Request::Group(GroupRequest::OffsetCommit(r)) = &s.request else {
            unreachable!()
        };
        let offsets: Vec<(TopicPartition, i64)> = r
            .partitions
            .iter()
            .map(|p| (tp(&p.topic, p.partition_index), p.committed_offset))
            .collect();
        let response = OffsetCommitResponse {
            partitions: r
                .partitions
                .iter()
                .map(|p| OffsetCommitResponsePartition {
                    topic: p.topic.clone(),
                    partition_index: p.partition_index,
                    error_code: error,
                })
                .collect(),
        };
        self.respond_group(&s, GroupResponse::OffsetCommit(response));
        offsets
    }

    /// Answers the first pending ListOffsets with one offset per partition
    /// (from `f(partition, timestamp)`); returns the asked timestamps.
    pub fn list_offsets(
        &mut self,
        f: impl Fn(&TopicPartition, i64) -> i64,
    ) -> Vec<(TopicPartition, i64)> {
        let s = self.take("ListOffsets");
        let Request::ListOffsets { partitions, .. } = &s.request else {
            unreachable!()
        };
        let asked = partitions.clone();
        let r = asked
            .iter()
            .map(|(tp, ts)| (tp.clone(), ErrorCode::None, -1, f(tp, *ts)))
            .collect();
        self.respond(&s, Response::ListOffsets(r));
        asked
    }

    /// Answers the first pending Fetch: each partition gets `data(tp,
    /// fetch_offset)` = (records bytes, high watermark, aborted txns).
    pub fn fetch(
        &mut self,
        data: impl Fn(&TopicPartition, i64) -> (Vec<u8>, i64, Vec<(i64, i64)>),
    ) -> Vec<(TopicPartition, i64)> {
        let s = self.take("Fetch");
        let Request::Fetch(f) = &s.request else {
            unreachable!()
        };
        let asked: Vec<(TopicPartition, i64)> = f
            .partitions
            .iter()
            .map(|p| (p.tp.clone(), p.fetch_offset))
            .collect();
        let r = asked
            .iter()
            .map(|(tp, offset)| {
                let (bytes, hw, aborted) = data(tp, *offset);
                fetch_partition(tp, ErrorCode::None, bytes, hw, aborted)
            })
            .collect();
        self.respond(&s, Response::Fetch(r));
        asked
    }

    pub fn poll(&mut self, timeout: u64) -> Result<Poll, ConsumerError> {
        let r = self.c.start_poll(self.now, timeout, &mut self.out);
        self.collect();
        r
    }

    pub fn resume(&mut self) -> Result<Poll, ConsumerError> {
        let r = self.c.resume_poll(self.now, &mut self.out);
        self.collect();
        r
    }

    /// A poll that must return records now.
    pub fn poll_values(&mut self) -> Vec<String> {
        match self.poll(0).unwrap() {
            Poll::Ready(rs) => rs.iter().map(|r| r.value_string()).collect(),
            Poll::Pending { .. } => panic!("poll(0) never waits"),
        }
    }
}

pub(super) fn fetch_partition(
    tp: &TopicPartition,
    error: ErrorCode,
    bytes: Vec<u8>,
    hw: i64,
    aborted: Vec<(i64, i64)>,
) -> FetchPartitionResponse {
    FetchPartitionResponse {
        tp: tp.clone(),
        error,
        high_watermark: hw,
        last_stable_offset: hw,
        log_start_offset: 0,
        records_bytes: bytes.len(),
        records: Bytes::from(bytes),
        aborted_transactions: aborted,
    }
}

/// One batch of `values` at `base`, timestamps `ts0 + i`.
pub(super) fn batch(base: i64, values: &[&str], ts0: i64) -> Vec<u8> {
    let recs: Vec<SimpleRecord> = values
        .iter()
        .enumerate()
        .map(|(i, v)| SimpleRecord {
            timestamp: ts0 + i as i64,
            value: Some(v.as_bytes().to_vec()),
            ..SimpleRecord::default()
        })
        .collect();
    RecordBatch::from_simple(base, &recs).encode()
}

/// `v{from}..v{to-1}` at offsets `from..to`.
pub(super) fn values_batch(from: i64, to: i64) -> Vec<u8> {
    let vals: Vec<String> = (from..to).map(|i| format!("v{i}")).collect();
    let refs: Vec<&str> = vals.iter().map(String::as_str).collect();
    batch(from, &refs, 1000 + from)
}

/// A consumer with `assign()`ed partitions of topic `t` (2 partitions,
/// leaders 0 and 1), metadata answered and positions set to `start`
/// through the given committed offsets.
pub(super) fn assigned(settings: &[(&str, &str)], partitions: &[i32]) -> Harness {
    let mut h = Harness::new(settings);
    let tps: Vec<TopicPartition> = partitions.iter().map(|p| tp("t", *p)).collect();
    h.c.assign(h.now, &tps, &mut h.out).unwrap();
    h.collect();
    h.metadata(&[("t", 2)], 0);
    h
}

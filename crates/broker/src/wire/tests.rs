//! Round trips of every kind of message the broker worker carries, and
//! the codec's answers to bad input.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;
use controller::zk::{
    ConnId, CreateMode, EventType, Op, OpResult, SessionId, Stat, WatchedEvent, ZkErrorCode,
    ZkMessage, ZkRequest, ZkResponse,
};
use protocol::batch::{RecordBatch, SimpleRecord};
use protocol::ErrorCode;
use serde_json::json;

use super::*;
use crate::api::*;
use crate::Truncation;

/// Encodes, decodes, and checks the copy prints the same and encodes to
/// the same bytes (for types without `PartialEq`).
fn round_trip<T: WireMessage + Debug>(value: &T) -> T {
    let bytes = encode(value);
    let back: T = decode(&bytes).unwrap_or_else(|e| panic!("{e}\nof {value:?}"));
    assert_eq!(format!("{back:?}"), format!("{value:?}"));
    assert_eq!(encode(&back), bytes, "{value:?} re-encodes differently");
    back
}

fn msg_round_trip(msg: Msg) {
    let back = round_trip(&msg);
    assert_eq!(back, msg);
    // The same message as the router hands it to a broker.
    let input = ToBroker::Handle {
        now: 12_345,
        input: Input::Message {
            from: Addr::Client(3),
            msg,
        },
    };
    round_trip(&input);
}

fn tp(topic: &str, p: i32) -> TopicPartition {
    TopicPartition::new(topic, p)
}

fn records(values: &[&str], timestamp: i64) -> Bytes {
    let recs: Vec<SimpleRecord> = values
        .iter()
        .map(|v| SimpleRecord {
            timestamp,
            key: Some(b"k".to_vec()),
            value: Some(v.as_bytes().to_vec()),
            headers: vec![],
        })
        .collect();
    let mut b = RecordBatch::from_simple(41, &recs);
    b.producer_id = 7;
    b.producer_epoch = 2;
    b.base_sequence = 0;
    Bytes::from(b.encode())
}

fn request(request: Request) -> Msg {
    Msg::Request {
        correlation_id: 17,
        request,
    }
}

fn response(response: Response) -> Msg {
    Msg::Response {
        correlation_id: 17,
        response,
    }
}

fn state(topic: &str, p: i32) -> PartitionState {
    PartitionState {
        tp: tp(topic, p),
        controller_epoch: 3,
        leader: 1,
        leader_epoch: 5,
        isr: vec![1, 2],
        zk_version: 9,
        replicas: vec![1, 2, 0],
        is_new: true,
    }
}

#[test]
fn produce_with_a_real_record_batch() {
    let batch = records(&["a", "bb", "ccc"], 1_700_000_000_000);
    let msg = request(Request::Produce(ProduceRequest {
        acks: -1,
        timeout_ms: 30_000,
        transactional_id: Some("tx-1".into()),
        partitions: vec![ProducePartition {
            tp: tp("orders", 2),
            records: batch.clone(),
        }],
    }));
    let back: Msg = decode(&encode(&msg)).unwrap();
    assert_eq!(back, msg);
    // The batch inside is still Kafka's bytes, CRC and all.
    let Msg::Request {
        request: Request::Produce(p),
        ..
    } = &back
    else {
        panic!("{back:?}")
    };
    let (decoded, size) = RecordBatch::decode(&p.partitions[0].records).unwrap();
    assert_eq!(size, batch.len());
    assert_eq!(decoded.records.len(), 3);
    assert_eq!(decoded.base_offset, 41);
    msg_round_trip(msg);
    msg_round_trip(response(Response::Produce(vec![
        ProducePartitionResponse {
            tp: tp("orders", 2),
            error: ErrorCode::NotEnoughReplicas,
            base_offset: -1,
            log_append_time: -1,
            log_start_offset: 0,
        },
    ])));
}

#[test]
fn fetch_request_and_response_with_records() {
    msg_round_trip(request(Request::Fetch(FetchRequest {
        replica_id: 2,
        max_wait_ms: 500,
        min_bytes: 1,
        max_bytes: 1 << 20,
        isolation_level: IsolationLevel::ReadCommitted,
        partitions: vec![FetchPartition {
            tp: tp("orders", 0),
            fetch_offset: 100,
            current_leader_epoch: 4,
            log_start_offset: 0,
            max_bytes: 1_048_576,
        }],
    })));
    let batch = records(&["x", "y"], 5);
    msg_round_trip(response(Response::Fetch(vec![
        FetchPartitionResponse {
            tp: tp("orders", 0),
            error: ErrorCode::None,
            high_watermark: 43,
            last_stable_offset: 42,
            log_start_offset: 0,
            records_bytes: batch.len(),
            records: batch,
            aborted_transactions: vec![(7, 41), (9, 42)],
        },
        FetchPartitionResponse {
            tp: tp("orders", 1),
            error: ErrorCode::FencedLeaderEpoch,
            high_watermark: -1,
            last_stable_offset: -1,
            log_start_offset: -1,
            records: Bytes::new(),
            records_bytes: 0,
            aborted_transactions: vec![],
        },
    ])));
}

#[test]
fn controller_requests_and_their_answers() {
    let config: TopicConfig = Arc::new(vec![
        ("min.insync.replicas".into(), "2".into()),
        ("cleanup.policy".into(), "compact".into()),
    ]);
    msg_round_trip(request(Request::LeaderAndIsr(LeaderAndIsrRequest {
        controller_id: 0,
        controller_epoch: 3,
        broker_epoch: 0x1_0000_0025,
        partitions: vec![
            (state("orders", 0), config.clone()),
            (state("__consumer_offsets", 7), Arc::new(vec![])),
        ],
    })));
    msg_round_trip(response(Response::LeaderAndIsr {
        error: ErrorCode::None,
        partitions: vec![
            (tp("orders", 0), ErrorCode::None),
            (tp("orders", 1), ErrorCode::KafkaStorageError),
        ],
    }));
    msg_round_trip(request(Request::UpdateMetadata(UpdateMetadataRequest {
        controller_id: 0,
        controller_epoch: 3,
        partitions: vec![state("orders", 0), state("orders", 1)],
        live_brokers: vec![0, 1, 2],
    })));
    msg_round_trip(response(Response::UpdateMetadata {
        error: ErrorCode::StaleControllerEpoch,
    }));
    msg_round_trip(request(Request::StopReplica(StopReplicaRequest {
        controller_id: 1,
        controller_epoch: 4,
        partitions: vec![tp("orders", 0)],
        delete_partitions: true,
    })));
    msg_round_trip(response(Response::StopReplica {
        error: ErrorCode::None,
    }));
    msg_round_trip(request(Request::ControlledShutdown {
        broker_id: 2,
        broker_epoch: 77,
    }));
    msg_round_trip(response(Response::ControlledShutdown {
        error: ErrorCode::None,
        remaining: vec![tp("orders", 2)],
    }));
}

#[test]
fn replication_and_client_metadata_apis() {
    msg_round_trip(request(Request::OffsetsForLeaderEpoch {
        replica_id: 1,
        partitions: vec![EpochRequest {
            tp: tp("orders", 0),
            current_leader_epoch: 5,
            leader_epoch: 4,
        }],
    }));
    msg_round_trip(response(Response::OffsetsForLeaderEpoch(vec![
        EpochEndOffset {
            tp: tp("orders", 0),
            error: ErrorCode::None,
            leader_epoch: 4,
            end_offset: 120,
        },
    ])));
    msg_round_trip(request(Request::Metadata { topics: None }));
    msg_round_trip(request(Request::Metadata {
        topics: Some(vec!["orders".into(), "payments".into()]),
    }));
    msg_round_trip(response(Response::Metadata(MetadataResponse {
        controller_id: 2,
        brokers: vec![0, 1, 2],
        partitions: vec![state("orders", 0)],
    })));
    msg_round_trip(request(Request::ListOffsets {
        replica_id: -1,
        isolation_level: IsolationLevel::ReadUncommitted,
        partitions: vec![
            (tp("orders", 0), LATEST_TIMESTAMP),
            (tp("orders", 1), EARLIEST_TIMESTAMP),
            (tp("orders", 2), 1_700_000_000_000),
        ],
    }));
    msg_round_trip(response(Response::ListOffsets(vec![
        (tp("orders", 0), ErrorCode::None, -1, 55),
        (tp("orders", 2), ErrorCode::None, 1_700_000_000_123, 9),
    ])));
    msg_round_trip(request(Request::FindCoordinator {
        key: "my-group".into(),
        key_type: CoordinatorType::Group,
    }));
    msg_round_trip(request(Request::FindCoordinator {
        key: "tx-1".into(),
        key_type: CoordinatorType::Transaction,
    }));
    msg_round_trip(response(Response::FindCoordinator {
        error: ErrorCode::CoordinatorNotAvailable,
        node_id: -1,
    }));
    msg_round_trip(request(Request::InitProducerId {
        transactional_id: None,
        transaction_timeout_ms: 60_000,
    }));
    msg_round_trip(response(Response::InitProducerId {
        error: ErrorCode::None,
        producer_id: 4000,
        producer_epoch: 0,
    }));
}

#[test]
fn group_coordinator_apis() {
    use coordinator as g;
    let commit = g::OffsetCommitRequestPartition {
        topic: "orders".into(),
        partition_index: 1,
        committed_offset: 99,
        committed_leader_epoch: 5,
        committed_metadata: Some("meta".into()),
    };
    let committed = g::OffsetCommitResponsePartition {
        topic: "orders".into(),
        partition_index: 1,
        error_code: ErrorCode::None,
    };
    let mut join = g::JoinGroupRequest::new(
        "grp",
        "consumer-1",
        vec![("range".into(), vec![0, 1, 0, 0, 0, 1, 0, 6])],
    );
    join.group_instance_id = Some("static-1".into());
    join.reason = Some("rejoin".into());
    let requests = vec![
        g::Request::JoinGroup(join),
        g::Request::SyncGroup(g::SyncGroupRequest {
            group_id: "grp".into(),
            generation_id: 3,
            member_id: "consumer-1-abc".into(),
            group_instance_id: None,
            protocol_type: Some("consumer".into()),
            protocol_name: Some("range".into()),
            assignments: vec![("consumer-1-abc".into(), vec![0, 1, 2, 3])],
        }),
        g::Request::Heartbeat(g::HeartbeatRequest {
            group_id: "grp".into(),
            generation_id: 3,
            member_id: "consumer-1-abc".into(),
            group_instance_id: None,
        }),
        g::Request::LeaveGroup(g::LeaveGroupRequest {
            group_id: "grp".into(),
            members: vec![g::MemberIdentity {
                member_id: "consumer-1-abc".into(),
                group_instance_id: None,
                reason: Some("the consumer is being closed".into()),
            }],
        }),
        g::Request::OffsetCommit(g::OffsetCommitRequest {
            group_id: "grp".into(),
            generation_id: 3,
            member_id: "consumer-1-abc".into(),
            group_instance_id: None,
            partitions: vec![commit.clone()],
        }),
        g::Request::OffsetFetch(g::OffsetFetchRequest {
            group_id: "grp".into(),
            partitions: Some(vec![("orders".into(), 1)]),
            require_stable: true,
        }),
        g::Request::OffsetFetch(g::OffsetFetchRequest {
            group_id: "grp".into(),
            partitions: None,
            require_stable: false,
        }),
        g::Request::DescribeGroups(g::DescribeGroupsRequest {
            groups: vec!["grp".into()],
        }),
        g::Request::ListGroups(g::ListGroupsRequest {
            states_filter: vec!["Stable".into()],
        }),
        g::Request::DeleteGroups(g::DeleteGroupsRequest {
            groups_names: vec!["old".into()],
        }),
        g::Request::OffsetDelete(g::OffsetDeleteRequest {
            group_id: "grp".into(),
            partitions: vec![("orders".into(), 0)],
        }),
        g::Request::TxnOffsetCommit(g::TxnOffsetCommitRequest {
            transactional_id: "tx-1".into(),
            group_id: "grp".into(),
            producer_id: 4000,
            producer_epoch: 1,
            generation_id: 3,
            member_id: "consumer-1-abc".into(),
            group_instance_id: None,
            partitions: vec![commit],
        }),
    ];
    let responses = vec![
        g::Response::JoinGroup(g::JoinGroupResponse {
            error_code: ErrorCode::None,
            generation_id: 3,
            protocol_type: Some("consumer".into()),
            protocol_name: Some("range".into()),
            leader: "consumer-1-abc".into(),
            skip_assignment: false,
            member_id: "consumer-1-abc".into(),
            members: vec![g::JoinGroupResponseMember {
                member_id: "consumer-1-abc".into(),
                group_instance_id: Some("static-1".into()),
                metadata: vec![0, 3, 1],
            }],
        }),
        g::Response::JoinGroup(g::JoinGroupResponse::error("", ErrorCode::MemberIdRequired)),
        g::Response::SyncGroup(g::SyncGroupResponse {
            error_code: ErrorCode::None,
            protocol_type: Some("consumer".into()),
            protocol_name: Some("range".into()),
            assignment: vec![0, 1, 2, 3],
        }),
        g::Response::Heartbeat(g::HeartbeatResponse {
            error_code: ErrorCode::RebalanceInProgress,
        }),
        g::Response::LeaveGroup(g::LeaveGroupResponse {
            error_code: ErrorCode::None,
            members: vec![g::LeaveMemberResponse {
                member_id: "consumer-1-abc".into(),
                group_instance_id: None,
                error_code: ErrorCode::None,
            }],
        }),
        g::Response::OffsetCommit(g::OffsetCommitResponse {
            partitions: vec![committed.clone()],
        }),
        g::Response::OffsetFetch(g::OffsetFetchResponse {
            error_code: ErrorCode::None,
            partitions: vec![g::OffsetFetchResponsePartition {
                topic: "orders".into(),
                partition_index: 1,
                committed_offset: 99,
                committed_leader_epoch: 5,
                metadata: "meta".into(),
                error_code: ErrorCode::None,
            }],
        }),
        g::Response::DescribeGroups(g::DescribeGroupsResponse {
            groups: vec![g::DescribedGroup {
                error_code: ErrorCode::None,
                group_id: "grp".into(),
                group_state: "Stable".into(),
                protocol_type: "consumer".into(),
                protocol_data: "range".into(),
                members: vec![g::DescribedGroupMember {
                    member_id: "consumer-1-abc".into(),
                    group_instance_id: None,
                    client_id: "consumer-1".into(),
                    client_host: "/127.0.0.1".into(),
                    member_metadata: vec![1],
                    member_assignment: vec![2],
                }],
            }],
        }),
        g::Response::ListGroups(g::ListGroupsResponse {
            error_code: ErrorCode::None,
            groups: vec![g::ListedGroup {
                group_id: "grp".into(),
                protocol_type: "consumer".into(),
                group_state: "Stable".into(),
            }],
        }),
        g::Response::DeleteGroups(g::DeleteGroupsResponse {
            results: vec![("old".into(), ErrorCode::NonEmptyGroup)],
        }),
        g::Response::OffsetDelete(g::OffsetDeleteResponse {
            error_code: ErrorCode::None,
            partitions: vec![committed.clone()],
        }),
        g::Response::TxnOffsetCommit(g::TxnOffsetCommitResponse {
            partitions: vec![committed],
        }),
    ];
    let mut apis = BTreeSet::new();
    for r in requests {
        let m = request(Request::Group(r));
        apis.insert(m.api());
        msg_round_trip(m);
    }
    for r in responses {
        let m = response(Response::Group(r));
        apis.insert(m.api());
        msg_round_trip(m);
    }
    // Every group API the broker routes (see `api::group_api`).
    assert_eq!(apis.len(), 11, "{apis:?}");
}

#[test]
fn transaction_coordinator_apis_and_markers() {
    use transaction as t;
    let requests = vec![
        t::Request::InitProducerId(t::InitProducerIdRequest::new("tx-1", 60_000)),
        t::Request::InitProducerId(
            t::InitProducerIdRequest::new("tx-1", 60_000).with_producer(4000, 3),
        ),
        t::Request::AddPartitionsToTxn(t::AddPartitionsToTxnRequest::new(
            "tx-1",
            4000,
            3,
            &[
                t::TopicPartition::new("orders", 0),
                t::TopicPartition::new("orders", 2),
                t::TopicPartition::new("payments", 1),
            ],
        )),
        t::Request::AddOffsetsToTxn(t::AddOffsetsToTxnRequest {
            transactional_id: "tx-1".into(),
            producer_id: 4000,
            producer_epoch: 3,
            group_id: "grp".into(),
        }),
        t::Request::EndTxn(t::EndTxnRequest {
            transactional_id: "tx-1".into(),
            producer_id: 4000,
            producer_epoch: 3,
            committed: true,
        }),
        t::Request::DescribeTransactions(t::DescribeTransactionsRequest {
            transactional_ids: vec!["tx-1".into()],
        }),
        t::Request::ListTransactions(t::ListTransactionsRequest {
            state_filters: vec!["Ongoing".into()],
            producer_id_filters: vec![4000],
        }),
    ];
    let responses = vec![
        t::Response::InitProducerId(t::InitProducerIdResponse {
            error_code: ErrorCode::None,
            producer_id: 4000,
            producer_epoch: 3,
        }),
        t::Response::InitProducerId(t::InitProducerIdResponse::error(
            ErrorCode::ConcurrentTransactions,
        )),
        t::Response::AddPartitionsToTxn(t::AddPartitionsToTxnResponse::all(
            &[t::AddPartitionsToTxnTopic {
                name: "orders".into(),
                partitions: vec![0, 2],
            }],
            ErrorCode::None,
        )),
        t::Response::AddOffsetsToTxn(t::AddOffsetsToTxnResponse {
            error_code: ErrorCode::None,
        }),
        t::Response::EndTxn(t::EndTxnResponse {
            error_code: ErrorCode::ProducerFenced,
        }),
        t::Response::DescribeTransactions(t::DescribeTransactionsResponse {
            transaction_states: vec![t::DescribedTransaction {
                error_code: ErrorCode::None,
                transactional_id: "tx-1".into(),
                transaction_state: "Ongoing".into(),
                transaction_timeout_ms: 60_000,
                transaction_start_time_ms: 1_000,
                producer_id: 4000,
                producer_epoch: 3,
                topics: vec![t::DescribeTransactionsTopicData {
                    topic: "orders".into(),
                    partitions: vec![0, 2],
                }],
            }],
        }),
        t::Response::ListTransactions(t::ListTransactionsResponse {
            error_code: ErrorCode::None,
            unknown_state_filters: vec!["Nope".into()],
            transaction_states: vec![t::ListedTransaction {
                transactional_id: "tx-1".into(),
                producer_id: 4000,
                transaction_state: "Ongoing".into(),
            }],
        }),
    ];
    for r in requests {
        msg_round_trip(request(Request::Txn(r)));
    }
    for r in responses {
        msg_round_trip(response(Response::Txn(r)));
    }
    msg_round_trip(request(Request::WriteTxnMarkers(
        t::WriteTxnMarkersRequest {
            markers: vec![t::WritableTxnMarker {
                producer_id: 4000,
                producer_epoch: 3,
                transaction_result: false,
                topics: vec![t::WritableTxnMarkerTopic {
                    name: "orders".into(),
                    partition_indexes: vec![0, 2],
                }],
                coordinator_epoch: 6,
            }],
        },
    )));
    msg_round_trip(response(Response::WriteTxnMarkers(
        t::WriteTxnMarkersResponse {
            markers: vec![t::WritableTxnMarkerResult {
                producer_id: 4000,
                topics: vec![t::WritableTxnMarkerTopicResult {
                    name: "orders".into(),
                    partitions: vec![t::WritableTxnMarkerPartitionResult {
                        partition_index: 0,
                        error_code: ErrorCode::NotLeaderOrFollower,
                    }],
                }],
            }],
        },
    )));
}

#[test]
fn every_zookeeper_message_kind() {
    let stat = Stat {
        czxid: 0x1_0000_0002,
        mzxid: 0x1_0000_0009,
        ctime: 10,
        mtime: 2_000,
        version: 3,
        cversion: 1,
        aversion: 0,
        ephemeral_owner: 0x100_0000_0001,
        data_length: 42,
        num_children: 2,
        pzxid: 0x1_0000_0004,
    };
    let ops = vec![
        Op::Create {
            path: "/brokers/ids/1".into(),
            data: br#"{"host":"b1"}"#.to_vec(),
            mode: CreateMode::Ephemeral,
        },
        Op::Delete {
            path: "/admin/reassign_partitions".into(),
            version: -1,
        },
        Op::SetData {
            path: "/brokers/topics/orders/partitions/0/state".into(),
            data: b"{}".to_vec(),
            version: 4,
        },
        Op::Check {
            path: "/controller_epoch".into(),
            version: 3,
        },
    ];
    let requests = vec![
        ZkRequest::Connect {
            session_timeout_ms: 18_000,
            session_id: None,
        },
        ZkRequest::Connect {
            session_timeout_ms: 18_000,
            session_id: Some(SessionId(0x100_0000_0001)),
        },
        ZkRequest::Ping,
        ZkRequest::Create {
            path: "/isr_change_notification/isr_change_".into(),
            data: vec![],
            mode: CreateMode::PersistentSequential,
        },
        ZkRequest::Delete {
            path: "/controller".into(),
            version: -1,
        },
        ZkRequest::SetData {
            path: "/controller_epoch".into(),
            data: b"4".to_vec(),
            version: 3,
        },
        ZkRequest::GetData {
            path: "/controller".into(),
            watch: true,
        },
        ZkRequest::Exists {
            path: "/controller".into(),
            watch: true,
        },
        ZkRequest::GetChildren {
            path: "/brokers/ids".into(),
            watch: true,
        },
        ZkRequest::Multi { ops },
        ZkRequest::CloseSession,
    ];
    let responses = vec![
        ZkResponse::Connected {
            session_id: SessionId(0x100_0000_0001),
            session_timeout_ms: 18_000,
        },
        ZkResponse::Pong,
        ZkResponse::Created {
            path: "/isr_change_notification/isr_change_0000000003".into(),
        },
        ZkResponse::Deleted,
        ZkResponse::DataSet { stat: stat.clone() },
        ZkResponse::Data {
            data: br#"{"version":2,"brokerid":1}"#.to_vec(),
            stat: stat.clone(),
        },
        ZkResponse::Exists { stat: None },
        ZkResponse::Exists {
            stat: Some(stat.clone()),
        },
        ZkResponse::Children {
            children: vec!["0".into(), "1".into(), "2".into()],
            stat: stat.clone(),
        },
        ZkResponse::Multi {
            results: vec![
                OpResult::Create { path: "/a".into() },
                OpResult::Delete,
                OpResult::SetData { stat },
                OpResult::Check,
                OpResult::Error {
                    err: ZkErrorCode::BadVersion,
                },
            ],
        },
        ZkResponse::Closed,
        ZkResponse::Error {
            err: ZkErrorCode::NodeExists,
        },
    ];
    let mut xid = 0;
    for request in requests {
        xid += 1;
        msg_round_trip(Msg::Zk(ZkMessage::Request { xid, request }));
    }
    for response in responses {
        xid += 1;
        msg_round_trip(Msg::Zk(ZkMessage::Response { xid, response }));
    }
    for event_type in [
        EventType::NodeCreated,
        EventType::NodeDeleted,
        EventType::NodeDataChanged,
        EventType::NodeChildrenChanged,
    ] {
        msg_round_trip(Msg::Zk(ZkMessage::Watch {
            event: WatchedEvent {
                event_type,
                path: "/controller".into(),
            },
        }));
    }
    msg_round_trip(Msg::Zk(ZkMessage::SessionExpired {
        session_id: SessionId(-5),
    }));
    let _ = ConnId(0); // the connection id never travels: the router knows it
}

#[test]
fn every_error_code_survives() {
    for &code in ErrorCode::ALL {
        msg_round_trip(response(Response::UpdateMetadata { error: code }));
    }
}

#[test]
fn topic_partitions_decode_into_working_keys() {
    let original = tp("orders", 3);
    let m = request(Request::StopReplica(StopReplicaRequest {
        controller_id: 0,
        controller_epoch: 1,
        partitions: vec![original.clone(), tp("orders", 1), tp("audit", 9)],
        delete_partitions: false,
    }));
    let Msg::Request {
        request: Request::StopReplica(r),
        ..
    } = decode::<Msg>(&encode(&m)).unwrap()
    else {
        panic!()
    };
    let decoded = &r.partitions[0];
    // A fresh `Arc`, equal, hashing and ordering as the original does.
    assert!(!Arc::ptr_eq(&decoded.topic, &original.topic));
    assert_eq!(decoded, &original);
    let set: HashSet<TopicPartition> = [original.clone()].into();
    assert!(set.contains(decoded));
    let mut sorted = r.partitions.clone();
    sorted.sort();
    assert_eq!(sorted, vec![tp("audit", 9), tp("orders", 1), original]);
    assert_eq!(decoded.dir(), "orders-3");
}

#[test]
fn inputs_outputs_and_envelopes() {
    for input in [
        Input::Start,
        Input::Timer(1 << 32 | 7),
        Input::ControlledShutdown,
        Input::Message {
            from: Addr::Zk,
            msg: Msg::Zk(ZkMessage::Response {
                xid: 1,
                response: ZkResponse::Pong,
            }),
        },
        Input::Message {
            from: Addr::Broker(2),
            msg: request(Request::Metadata { topics: None }),
        },
    ] {
        round_trip(&input);
        round_trip(&ToBroker::Handle { now: 99, input });
    }
    let outputs = vec![
        Output::Send {
            to: Addr::Broker(1),
            msg: request(Request::Fetch(FetchRequest {
                replica_id: 0,
                max_wait_ms: 500,
                min_bytes: 1,
                max_bytes: 10,
                isolation_level: IsolationLevel::ReadUncommitted,
                partitions: vec![],
            })),
        },
        Output::Send {
            to: Addr::Zk,
            msg: Msg::Zk(ZkMessage::Request {
                xid: 4,
                request: ZkRequest::Ping,
            }),
        },
        Output::SetTimer {
            token: 3,
            at: 5_000,
            background: true,
        },
        Output::SetTimer {
            token: 2 << 32 | 9,
            at: u64::MAX,
            background: false,
        },
        Output::CancelTimer(7),
        Output::Event {
            kind: "isr-shrink",
            detail: json!({
                "partition": "orders-0",
                "isr": [0, 2],
                "removed": [1],
                "lag": {"ms": 30_001, "big": u64::MAX, "neg": -3},
                "leader": null,
                "clean": true,
            }),
        },
        Output::Event {
            kind: "registered",
            detail: serde_json::Value::Null,
        },
        Output::Stopped,
    ];
    for o in &outputs {
        round_trip(o);
    }
    let FromBroker::Outputs {
        outputs: back,
        notes,
    } = round_trip(&FromBroker::Outputs {
        outputs,
        notes: vec!["IndexedDB is full: persist failed, will retry".into()],
    })
    else {
        panic!()
    };
    assert_eq!(notes.len(), 1);
    // Event kinds come back as the same interned names.
    let Output::Event { kind, detail } = &back[5] else {
        panic!()
    };
    assert_eq!((*kind, &detail["isr"]), ("isr-shrink", &json!([0, 2])));
    round_trip(&FromBroker::Answer(crate::query::BrokerAnswer::Status(
        crate::query::BrokerStatus {
            registered: true,
            controller: false,
            under_replicated: 2,
        },
    )));
    round_trip(&FromBroker::Disk(vec![(
        "t-0/00000000000000000000.log".into(),
        vec![0, 1, 2],
    )]));
    round_trip(&FromBroker::Failed {
        message: "log directory orders-0 did not open".into(),
    });
    round_trip(&FromBroker::Ready {
        notes: vec!["chunk 2 of t-0/00000000000000000000.log is damaged".into()],
        disk: vec![("t-0/00000000000000000000.log".into(), vec![0, 1])],
    });
    round_trip(&ToBroker::Query {
        query: crate::query::BrokerQuery::Group {
            group: "g".into(),
            partition: 7,
        },
    });
    round_trip(&ToBroker::Kill { power_off: true });
    round_trip(&ToBroker::Kill { power_off: false });
}

#[test]
fn broker_configs_round_trip() {
    let plain = BrokerConfig::new(0);
    round_trip(&plain);
    let mut c = BrokerConfig::new(2);
    for (k, v) in [
        ("broker.rack", "us-east-1a"),
        ("min.insync.replicas", "2"),
        ("unclean.leader.election.enable", "true"),
        ("kafkascope.truncation", "high-watermark"),
        ("log.segment.bytes", "1024"),
        ("log.retention.ms", "60000"),
        ("replica.fetch.max.bytes", "4096"),
        ("transactional.id.expiration.ms", "3600000"),
    ] {
        c.set(k, v).unwrap();
    }
    let ToBroker::Start {
        config,
        fresh,
        power_loss,
    } = round_trip(&ToBroker::Start {
        config: c,
        fresh: false,
        power_loss: true,
    })
    else {
        panic!()
    };
    assert!(power_loss && !fresh);
    assert_eq!(config.truncation, Truncation::HighWatermark);
    assert_eq!(config.rack.as_deref(), Some("us-east-1a"));
    assert_eq!(config.log_defaults.len(), 2);
    assert_eq!(config.log_flush_scheduler_interval_ms, u64::MAX);
}

// ---- bad input ----

fn a_message() -> Vec<u8> {
    encode(&ToBroker::Handle {
        now: 7,
        input: Input::Message {
            from: Addr::Broker(1),
            msg: request(Request::Produce(ProduceRequest {
                acks: 1,
                timeout_ms: 100,
                transactional_id: None,
                partitions: vec![ProducePartition {
                    tp: tp("orders", 0),
                    records: records(&["v"], 1),
                }],
            })),
        },
    })
}

#[test]
fn a_truncated_message_says_where_it_ends() {
    let bytes = a_message();
    for cut in 0..bytes.len() {
        let e = decode::<ToBroker>(&bytes[..cut]).unwrap_err();
        assert_eq!((e.message, e.len), ("ToBroker", cut));
        assert!(e.at <= cut, "{e}");
    }
    // The record batch ends the message: decoding stops where it starts,
    // as its length promises more bytes than are left.
    let e = decode::<ToBroker>(&bytes[..bytes.len() - 1]).unwrap_err();
    let batch_at = bytes.len() - records(&["v"], 1).len();
    assert_eq!(
        e.to_string(),
        format!(
            "could not decode a ToBroker message ({} bytes): at byte {batch_at}: the message ends too early",
            bytes.len() - 1
        )
    );
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = encode(&FromBroker::Ready {
        notes: vec![],
        disk: vec![],
    });
    let complete = bytes.len();
    bytes.extend_from_slice(&[0, 0]);
    let e = decode::<FromBroker>(&bytes).unwrap_err();
    assert_eq!(e.at, complete);
    assert_eq!(e.reason, "2 bytes are left over after a complete message");
}

#[test]
fn bad_tags_strings_and_details_are_named() {
    // FromBroker has four variants.
    let e = decode::<FromBroker>(&[9]).unwrap_err();
    assert!(e.reason.contains("unknown enum variant"), "{e}");
    // Failed { message } with invalid UTF-8.
    let e = decode::<FromBroker>(&[2, 2, 0xff, 0xfe]).unwrap_err();
    assert_eq!(e.reason, "a string is not valid UTF-8");
    // Kill { power_off: 2 }.
    let e = decode::<ToBroker>(&[3, 2]).unwrap_err();
    assert_eq!((e.at, e.reason.as_str()), (2, "a bool is neither 0 nor 1"));
    // An event whose detail is not JSON, then one whose kind is too long.
    let mut bytes = vec![3, 1, b'e', 3];
    bytes.extend_from_slice(b"{x}");
    let e = decode::<Output>(&bytes).unwrap_err();
    assert!(
        e.reason.starts_with("an event detail is not valid JSON: "),
        "{e}"
    );
    let mut bytes = vec![3, 65];
    bytes.extend_from_slice(&[b'k'; 65]);
    bytes.extend_from_slice(&[4, b'n', b'u', b'l', b'l']);
    let e = decode::<Output>(&bytes).unwrap_err();
    assert_eq!(e.reason, "an event kind is 65 bytes long (at most 64)");
    // A reason does not linger into the next, unrelated failure.
    let e = decode::<FromBroker>(&[9]).unwrap_err();
    assert!(e.reason.contains("unknown enum variant"), "{e}");
}

#[test]
fn deeply_nested_event_detail_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    let mut bytes = vec![3, 1, b'e'];
    // A varint length for the JSON text.
    let mut n = deep.len();
    while n >= 0x80 {
        bytes.push((n as u8) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
    bytes.extend_from_slice(deep.as_bytes());
    let e = decode::<Output>(&bytes).unwrap_err();
    assert!(e.reason.contains("recursion limit"), "{e}");
}

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode::<ToBroker>(&bytes);
            let _ = decode::<FromBroker>(&bytes);
            let _ = decode::<Output>(&bytes);
            let _ = decode::<BrokerConfig>(&bytes);
        }

        #[test]
        fn decode_never_panics_on_damaged_messages(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = a_message();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let end = cut.index(bytes.len() + 1);
            match decode::<ToBroker>(&bytes[..end]) {
                Ok(m) => { let _ = encode(&m); }
                Err(e) => prop_assert!(e.at <= end && e.len == end, "{}", e),
            }
        }
    }
}

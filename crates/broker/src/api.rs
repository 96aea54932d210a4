//! The Kafka API messages brokers, clients and the controller exchange, as
//! typed values (the simulator and the browser router carry them; only the
//! record batches inside are raw Kafka bytes).

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use protocol::error_code::ErrorCode;
use serde::{Deserialize, Serialize};

pub type BrokerId = i32;

/// Kafka's `LeaderAndIsr.NoLeader`.
pub const NO_LEADER: BrokerId = -1;

/// `TOPIC-P`. The topic name is shared (`Arc`) because it is cloned into
/// every request and response.
#[derive(Clone, Debug, Eq, Serialize, Deserialize)]
pub struct TopicPartition {
    pub topic: Arc<str>,
    pub partition: i32,
}

// Ordered by topic name, then partition, as derived; but most comparisons
// (every partition lookup of every request) are between clones of the same
// `Arc`, so the name's bytes are compared only when the pointers differ.
impl PartialEq for TopicPartition {
    fn eq(&self, other: &Self) -> bool {
        self.partition == other.partition
            && (Arc::ptr_eq(&self.topic, &other.topic) || self.topic == other.topic)
    }
}

// By the name's text, so clones of different `Arc`s hash alike (as `eq`
// says they are equal).
impl std::hash::Hash for TopicPartition {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.topic.as_ref().hash(state);
        self.partition.hash(state);
    }
}

impl Ord for TopicPartition {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if Arc::ptr_eq(&self.topic, &other.topic) {
            return self.partition.cmp(&other.partition);
        }
        (&self.topic, self.partition).cmp(&(&other.topic, other.partition))
    }
}

impl PartialOrd for TopicPartition {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl TopicPartition {
    pub fn new(topic: &str, partition: i32) -> Self {
        TopicPartition {
            topic: Arc::from(topic),
            partition,
        }
    }

    /// The partition's directory name, as Kafka names it (`orders-0`).
    pub fn dir(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Who a message is addressed to. Clients are numbered by the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Addr {
    Broker(BrokerId),
    Zk,
    Client(u32),
}

/// `acks`: 0, 1 or -1 (`all`).
pub type Acks = i16;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProducePartition {
    pub tp: TopicPartition,
    /// One or more v2 record batches.
    pub records: Bytes,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProduceRequest {
    pub acks: Acks,
    pub timeout_ms: u64,
    pub transactional_id: Option<String>,
    pub partitions: Vec<ProducePartition>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProducePartitionResponse {
    pub tp: TopicPartition,
    pub error: ErrorCode,
    pub base_offset: i64,
    pub log_append_time: i64,
    pub log_start_offset: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    pub fetch_offset: i64,
    /// The fetcher's view of the leader epoch (KIP-320); -1 when unknown.
    pub current_leader_epoch: i32,
    pub log_start_offset: i64,
    pub max_bytes: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FetchRequest {
    /// The follower's broker id; -1 for a consumer.
    pub replica_id: BrokerId,
    pub max_wait_ms: u64,
    pub min_bytes: usize,
    pub max_bytes: usize,
    pub isolation_level: IsolationLevel,
    pub partitions: Vec<FetchPartition>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FetchPartitionResponse {
    pub tp: TopicPartition,
    pub error: ErrorCode,
    pub high_watermark: i64,
    pub last_stable_offset: i64,
    pub log_start_offset: i64,
    pub records: Bytes,
    pub records_bytes: usize,
    /// `(producer_id, first_offset)` of every aborted transaction with data
    /// in the returned range, for read_committed fetches (empty otherwise),
    /// so the consumer can drop the aborted batches.
    pub aborted_transactions: Vec<(i64, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRequest {
    pub tp: TopicPartition,
    pub current_leader_epoch: i32,
    /// The epoch whose end offset is asked for.
    pub leader_epoch: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochEndOffset {
    pub tp: TopicPartition,
    pub error: ErrorCode,
    pub leader_epoch: i32,
    pub end_offset: i64,
}

/// One partition's state as the controller sends it (`LeaderAndIsrPartitionState`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionState {
    pub tp: TopicPartition,
    pub controller_epoch: i32,
    pub leader: BrokerId,
    pub leader_epoch: i32,
    pub isr: Vec<BrokerId>,
    pub zk_version: i32,
    pub replicas: Vec<BrokerId>,
    pub is_new: bool,
}

/// The topic's configuration overrides (`/config/topics/T`), carried to
/// replicas with their first LeaderAndIsr (Kafka's brokers read the znode
/// themselves; carrying it saves a round trip and changes nothing visible).
pub type TopicConfig = Arc<Vec<(String, String)>>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaderAndIsrRequest {
    pub controller_id: BrokerId,
    pub controller_epoch: i32,
    pub broker_epoch: i64,
    pub partitions: Vec<(PartitionState, TopicConfig)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateMetadataRequest {
    pub controller_id: BrokerId,
    pub controller_epoch: i32,
    pub partitions: Vec<PartitionState>,
    pub live_brokers: Vec<BrokerId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopReplicaRequest {
    pub controller_id: BrokerId,
    pub controller_epoch: i32,
    pub partitions: Vec<TopicPartition>,
    pub delete_partitions: bool,
}

/// FindCoordinator's `key_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CoordinatorType {
    Group,
    Transaction,
}

/// ListOffsets' special timestamps (`ListOffsetsRequest.LATEST_TIMESTAMP`,
/// `EARLIEST_TIMESTAMP`).
pub const LATEST_TIMESTAMP: i64 = -1;
pub const EARLIEST_TIMESTAMP: i64 = -2;

/// Client-facing metadata: leaders of every partition the broker knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetadataResponse {
    pub controller_id: BrokerId,
    pub brokers: Vec<BrokerId>,
    pub partitions: Vec<PartitionState>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Produce(ProduceRequest),
    Fetch(FetchRequest),
    OffsetsForLeaderEpoch {
        replica_id: BrokerId,
        partitions: Vec<EpochRequest>,
    },
    LeaderAndIsr(LeaderAndIsrRequest),
    UpdateMetadata(UpdateMetadataRequest),
    StopReplica(StopReplicaRequest),
    ControlledShutdown {
        broker_id: BrokerId,
        broker_epoch: i64,
    },
    Metadata {
        topics: Option<Vec<String>>,
    },
    /// A producer id for an idempotent producer (kept for the existing
    /// clients; `Txn(InitProducerId)` is the same with transactions).
    InitProducerId {
        transactional_id: Option<String>,
        transaction_timeout_ms: i32,
    },
    FindCoordinator {
        key: String,
        key_type: CoordinatorType,
    },
    /// JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
    /// OffsetFetch, TxnOffsetCommit, DescribeGroups, ListGroups,
    /// DeleteGroups: the group coordinator's own request types.
    Group(coordinator::Request),
    /// InitProducerId (with or without a transactional id),
    /// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, DescribeTransactions,
    /// ListTransactions: the transaction coordinator's own request types.
    Txn(transaction::Request),
    /// From a transaction coordinator to a partition leader.
    WriteTxnMarkers(transaction::WriteTxnMarkersRequest),
    /// `partitions`: (partition, timestamp) with -1 latest, -2 earliest, or
    /// a time (the first offset whose record timestamp is >= it).
    ListOffsets {
        replica_id: BrokerId,
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartition, i64)>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Produce(Vec<ProducePartitionResponse>),
    Fetch(Vec<FetchPartitionResponse>),
    OffsetsForLeaderEpoch(Vec<EpochEndOffset>),
    LeaderAndIsr {
        error: ErrorCode,
        partitions: Vec<(TopicPartition, ErrorCode)>,
    },
    UpdateMetadata {
        error: ErrorCode,
    },
    StopReplica {
        error: ErrorCode,
    },
    /// Partitions the broker still leads (empty: it may shut down).
    ControlledShutdown {
        error: ErrorCode,
        remaining: Vec<TopicPartition>,
    },
    Metadata(MetadataResponse),
    InitProducerId {
        error: ErrorCode,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// `node_id` is -1 with an error.
    FindCoordinator {
        error: ErrorCode,
        node_id: BrokerId,
    },
    Group(coordinator::Response),
    Txn(transaction::Response),
    WriteTxnMarkers(transaction::WriteTxnMarkersResponse),
    /// (partition, error, timestamp, offset): the found record's timestamp
    /// (-1 for latest/earliest) and offset (-1 when no record is at or
    /// after the asked time).
    ListOffsets(Vec<(TopicPartition, ErrorCode, i64, i64)>),
}

impl Request {
    pub fn api(&self) -> &'static str {
        match self {
            Request::Produce(_) => "Produce",
            Request::Fetch(_) => "Fetch",
            Request::OffsetsForLeaderEpoch { .. } => "OffsetsForLeaderEpoch",
            Request::LeaderAndIsr(_) => "LeaderAndIsr",
            Request::UpdateMetadata(_) => "UpdateMetadata",
            Request::StopReplica(_) => "StopReplica",
            Request::ControlledShutdown { .. } => "ControlledShutdown",
            Request::Metadata { .. } => "Metadata",
            Request::InitProducerId { .. } => "InitProducerId",
            Request::FindCoordinator { .. } => "FindCoordinator",
            Request::Group(r) => group_api(r),
            Request::Txn(r) => txn_api(r),
            Request::WriteTxnMarkers(_) => "WriteTxnMarkers",
            Request::ListOffsets { .. } => "ListOffsets",
        }
    }
}

impl Response {
    pub fn api(&self) -> &'static str {
        match self {
            Response::Produce(_) => "Produce",
            Response::Fetch(_) => "Fetch",
            Response::OffsetsForLeaderEpoch(_) => "OffsetsForLeaderEpoch",
            Response::LeaderAndIsr { .. } => "LeaderAndIsr",
            Response::UpdateMetadata { .. } => "UpdateMetadata",
            Response::StopReplica { .. } => "StopReplica",
            Response::ControlledShutdown { .. } => "ControlledShutdown",
            Response::Metadata(_) => "Metadata",
            Response::InitProducerId { .. } => "InitProducerId",
            Response::FindCoordinator { .. } => "FindCoordinator",
            Response::Group(r) => group_response_api(r),
            Response::Txn(r) => txn_response_api(r),
            Response::WriteTxnMarkers(_) => "WriteTxnMarkers",
            Response::ListOffsets(_) => "ListOffsets",
        }
    }
}

fn group_api(r: &coordinator::Request) -> &'static str {
    use coordinator::Request as R;
    match r {
        R::JoinGroup(_) => "JoinGroup",
        R::SyncGroup(_) => "SyncGroup",
        R::Heartbeat(_) => "Heartbeat",
        R::LeaveGroup(_) => "LeaveGroup",
        R::OffsetCommit(_) => "OffsetCommit",
        R::OffsetFetch(_) => "OffsetFetch",
        R::DescribeGroups(_) => "DescribeGroups",
        R::ListGroups(_) => "ListGroups",
        R::DeleteGroups(_) => "DeleteGroups",
        R::TxnOffsetCommit(_) => "TxnOffsetCommit",
        R::OffsetDelete(_) => "OffsetDelete",
    }
}

fn group_response_api(r: &coordinator::Response) -> &'static str {
    use coordinator::Response as R;
    match r {
        R::JoinGroup(_) => "JoinGroup",
        R::SyncGroup(_) => "SyncGroup",
        R::Heartbeat(_) => "Heartbeat",
        R::LeaveGroup(_) => "LeaveGroup",
        R::OffsetCommit(_) => "OffsetCommit",
        R::OffsetFetch(_) => "OffsetFetch",
        R::DescribeGroups(_) => "DescribeGroups",
        R::ListGroups(_) => "ListGroups",
        R::DeleteGroups(_) => "DeleteGroups",
        R::TxnOffsetCommit(_) => "TxnOffsetCommit",
        R::OffsetDelete(_) => "OffsetDelete",
    }
}

fn txn_api(r: &transaction::Request) -> &'static str {
    use transaction::Request as R;
    match r {
        R::InitProducerId(_) => "InitProducerId",
        R::AddPartitionsToTxn(_) => "AddPartitionsToTxn",
        R::AddOffsetsToTxn(_) => "AddOffsetsToTxn",
        R::EndTxn(_) => "EndTxn",
        R::DescribeTransactions(_) => "DescribeTransactions",
        R::ListTransactions(_) => "ListTransactions",
    }
}

fn txn_response_api(r: &transaction::Response) -> &'static str {
    use transaction::Response as R;
    match r {
        R::InitProducerId(_) => "InitProducerId",
        R::AddPartitionsToTxn(_) => "AddPartitionsToTxn",
        R::AddOffsetsToTxn(_) => "AddOffsetsToTxn",
        R::EndTxn(_) => "EndTxn",
        R::DescribeTransactions(_) => "DescribeTransactions",
        R::ListTransactions(_) => "ListTransactions",
    }
}

/// What travels on the network between nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Msg {
    Request {
        correlation_id: i32,
        request: Request,
    },
    Response {
        correlation_id: i32,
        response: Response,
    },
    Zk(controller::zk::messages::ZkMessage),
}

impl Msg {
    /// A readable summary for the trace (only built while tracing).
    pub fn detail(&self) -> String {
        match self {
            Msg::Zk(m) => format!("{m:?}"),
            other => format!("{other:?}"),
        }
    }

    /// The Kafka API name (`Produce`, `Fetch`, ...), or `ZooKeeper`.
    pub fn api(&self) -> &'static str {
        match self {
            Msg::Request { request, .. } => request.api(),
            Msg::Response { response, .. } => response.api(),
            Msg::Zk(_) => "ZooKeeper",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(request: Request) -> Msg {
        Msg::Request {
            correlation_id: 1,
            request,
        }
    }

    #[test]
    fn coordinator_requests_carry_kafkas_api_names() {
        let join = coordinator::JoinGroupRequest::new("g", "c", vec![]);
        let init = transaction::InitProducerIdRequest::new("t", 60_000);
        let cases = [
            (
                msg(Request::FindCoordinator {
                    key: "g".into(),
                    key_type: CoordinatorType::Group,
                }),
                "FindCoordinator",
            ),
            (
                msg(Request::Group(coordinator::Request::JoinGroup(join))),
                "JoinGroup",
            ),
            (
                msg(Request::Txn(transaction::Request::InitProducerId(init))),
                "InitProducerId",
            ),
            (
                msg(Request::WriteTxnMarkers(
                    transaction::WriteTxnMarkersRequest { markers: vec![] },
                )),
                "WriteTxnMarkers",
            ),
            (
                msg(Request::ListOffsets {
                    replica_id: -1,
                    isolation_level: IsolationLevel::ReadCommitted,
                    partitions: vec![],
                }),
                "ListOffsets",
            ),
            (
                Msg::Response {
                    correlation_id: 1,
                    response: Response::Txn(transaction::Response::EndTxn(
                        transaction::EndTxnResponse {
                            error_code: ErrorCode::None,
                        },
                    )),
                },
                "EndTxn",
            ),
            (
                Msg::Response {
                    correlation_id: 1,
                    response: Response::Group(coordinator::Response::Heartbeat(
                        coordinator::HeartbeatResponse {
                            error_code: ErrorCode::None,
                        },
                    )),
                },
                "Heartbeat",
            ),
        ];
        for (m, name) in cases {
            assert_eq!(m.api(), name);
        }
    }

    proptest::proptest! {
        /// The pointer fast path orders and equates exactly as comparing
        /// `(topic name, partition)` does, whether or not the names share
        /// an `Arc`.
        #[test]
        fn order_is_name_then_partition(
            a in "[ab]{0,3}", pa in 0i32..3, b in "[ab]{0,3}", pb in 0i32..3, shared: bool,
        ) {
            let x = TopicPartition::new(&a, pa);
            let y = if shared && a == b {
                TopicPartition { topic: x.topic.clone(), partition: pb }
            } else {
                TopicPartition::new(&b, pb)
            };
            let expected = (a.as_str(), pa).cmp(&(y.topic.as_ref(), pb));
            proptest::prop_assert_eq!(x.cmp(&y), expected);
            proptest::prop_assert_eq!(y.cmp(&x), expected.reverse());
            proptest::prop_assert_eq!(x == y, expected.is_eq());
            if x == y {
                // Equal keys hash alike, whichever `Arc` they hold.
                let state = std::collections::hash_map::RandomState::new();
                proptest::prop_assert_eq!(
                    std::hash::BuildHasher::hash_one(&state, &x),
                    std::hash::BuildHasher::hash_one(&state, &y)
                );
            }
        }
    }
}

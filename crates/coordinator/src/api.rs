//! Requests and responses, as plain structs with Kafka's field names (the
//! parts of JoinGroup/SyncGroup/... that reach `GroupCoordinator`; header
//! fields like `client_id` are carried in the request struct).

use protocol::ErrorCode;
use serde::{Deserialize, Serialize};

/// Kafka's `JoinGroupRequest.UNKNOWN_MEMBER_ID`.
pub const UNKNOWN_MEMBER_ID: &str = "";
/// `GroupCoordinator.NoGeneration`, also what simple consumers commit with.
pub const NO_GENERATION: i32 = -1;
/// `OffsetFetchResponse.INVALID_OFFSET`.
pub const INVALID_OFFSET: i64 = -1;
/// `RecordBatch.NO_PARTITION_LEADER_EPOCH`.
pub const NO_LEADER_EPOCH: i32 = -1;

/// Opaque id the host gives each request; every response carries it back,
/// possibly much later (JoinGroup and SyncGroup are parked).
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    JoinGroup(JoinGroupRequest),
    SyncGroup(SyncGroupRequest),
    Heartbeat(HeartbeatRequest),
    LeaveGroup(LeaveGroupRequest),
    OffsetCommit(OffsetCommitRequest),
    OffsetFetch(OffsetFetchRequest),
    DescribeGroups(DescribeGroupsRequest),
    ListGroups(ListGroupsRequest),
    DeleteGroups(DeleteGroupsRequest),
    OffsetDelete(OffsetDeleteRequest),
    TxnOffsetCommit(TxnOffsetCommitRequest),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    JoinGroup(JoinGroupResponse),
    SyncGroup(SyncGroupResponse),
    Heartbeat(HeartbeatResponse),
    LeaveGroup(LeaveGroupResponse),
    OffsetCommit(OffsetCommitResponse),
    OffsetFetch(OffsetFetchResponse),
    DescribeGroups(DescribeGroupsResponse),
    ListGroups(ListGroupsResponse),
    DeleteGroups(DeleteGroupsResponse),
    OffsetDelete(OffsetDeleteResponse),
    TxnOffsetCommit(TxnOffsetCommitResponse),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupRequest {
    pub group_id: String,
    pub session_timeout_ms: i32,
    pub rebalance_timeout_ms: i32,
    /// `""` for a member joining for the first time.
    pub member_id: String,
    /// `group.instance.id` (KIP-345 static membership).
    pub group_instance_id: Option<String>,
    pub protocol_type: String,
    /// (name, metadata) in the member's order of preference.
    pub protocols: Vec<(String, Vec<u8>)>,
    /// From the request header.
    pub client_id: String,
    /// The connection's address, as Kafka stores it (`/127.0.0.1`).
    pub client_host: String,
    /// KIP-394: Kafka sets this for JoinGroup v4+ from dynamic members; the
    /// first join then answers MEMBER_ID_REQUIRED with the assigned id.
    pub require_known_member_id: bool,
    /// KIP-814: JoinGroup v9+ lets a static leader that rejoins a Stable group
    /// skip running the assignor.
    pub supports_skip_assignment: bool,
    /// KIP-800 (v8+), for logs only.
    pub reason: Option<String>,
}

impl JoinGroupRequest {
    /// A current consumer's first JoinGroup (v9: member id required for
    /// dynamic members, skip-assignment supported).
    pub fn new(group_id: &str, client_id: &str, protocols: Vec<(String, Vec<u8>)>) -> Self {
        JoinGroupRequest {
            group_id: group_id.to_string(),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            member_id: UNKNOWN_MEMBER_ID.to_string(),
            group_instance_id: None,
            protocol_type: "consumer".to_string(),
            protocols,
            client_id: client_id.to_string(),
            client_host: "/127.0.0.1".to_string(),
            require_known_member_id: true,
            supports_skip_assignment: true,
            reason: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupResponseMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub metadata: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGroupResponse {
    pub error_code: ErrorCode,
    pub generation_id: i32,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    /// `""` when there is no leader (Kafka's `NoLeader`).
    pub leader: String,
    pub skip_assignment: bool,
    pub member_id: String,
    /// Filled for the leader only: every member's metadata for the chosen
    /// protocol.
    pub members: Vec<JoinGroupResponseMember>,
}

impl JoinGroupResponse {
    /// Kafka's `JoinGroupResult(memberId, error)`.
    pub fn error(member_id: &str, error_code: ErrorCode) -> Self {
        JoinGroupResponse {
            error_code,
            generation_id: NO_GENERATION,
            protocol_type: None,
            protocol_name: None,
            leader: String::new(),
            skip_assignment: false,
            member_id: member_id.to_string(),
            members: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncGroupRequest {
    pub group_id: String,
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// v5+; checked against the group's when present.
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    /// Only the leader sends assignments.
    pub assignments: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncGroupResponse {
    pub error_code: ErrorCode,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub assignment: Vec<u8>,
}

impl SyncGroupResponse {
    pub fn error(error_code: ErrorCode) -> Self {
        SyncGroupResponse {
            error_code,
            protocol_type: None,
            protocol_name: None,
            assignment: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatRequest {
    pub group_id: String,
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatResponse {
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberIdentity {
    /// `""` with a `group_instance_id` removes a static member by instance
    /// id (the admin path, KIP-345).
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveGroupRequest {
    pub group_id: String,
    pub members: Vec<MemberIdentity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveMemberResponse {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveGroupResponse {
    pub error_code: ErrorCode,
    pub members: Vec<LeaveMemberResponse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetCommitRequestPartition {
    pub topic: String,
    pub partition_index: i32,
    pub committed_offset: i64,
    /// -1 when the client does not know it.
    pub committed_leader_epoch: i32,
    /// `None` is stored as `""` (Kafka's `OffsetAndMetadata.NoMetadata`).
    pub committed_metadata: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetCommitRequest {
    pub group_id: String,
    /// -1 for a consumer outside group management (`assign()`), with member
    /// id `""`.
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub partitions: Vec<OffsetCommitRequestPartition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetCommitResponsePartition {
    pub topic: String,
    pub partition_index: i32,
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetCommitResponse {
    /// In the request's order.
    pub partitions: Vec<OffsetCommitResponsePartition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetFetchRequest {
    pub group_id: String,
    /// `None` fetches every committed offset of the group.
    pub partitions: Option<Vec<(String, i32)>>,
    /// KIP-447: answer UNSTABLE_OFFSET_COMMIT for partitions with a commit
    /// still being written.
    pub require_stable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetFetchResponsePartition {
    pub topic: String,
    pub partition_index: i32,
    /// -1 when nothing is committed.
    pub committed_offset: i64,
    pub committed_leader_epoch: i32,
    pub metadata: String,
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetFetchResponse {
    pub error_code: ErrorCode,
    pub partitions: Vec<OffsetFetchResponsePartition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeGroupsRequest {
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribedGroupMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    /// Empty unless the group is Stable.
    pub member_metadata: Vec<u8>,
    pub member_assignment: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribedGroup {
    pub error_code: ErrorCode,
    pub group_id: String,
    /// A [`crate::GroupState`] name, or `""` when the coordinator could not
    /// answer for the group.
    pub group_state: String,
    pub protocol_type: String,
    /// The selected protocol, only while Stable.
    pub protocol_data: String,
    pub members: Vec<DescribedGroupMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeGroupsResponse {
    pub groups: Vec<DescribedGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListGroupsRequest {
    /// KIP-518 filter; empty lists every state.
    pub states_filter: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedGroup {
    pub group_id: String,
    pub protocol_type: String,
    pub group_state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListGroupsResponse {
    pub error_code: ErrorCode,
    pub groups: Vec<ListedGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteGroupsRequest {
    pub groups_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteGroupsResponse {
    /// (group_id, error_code) in the request's order.
    pub results: Vec<(String, ErrorCode)>,
}

/// TxnOffsetCommit (KIP-98, KIP-447): offsets written inside a producer's
/// transaction, visible once its COMMIT marker reaches `__consumer_offsets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnOffsetCommitRequest {
    pub transactional_id: String,
    pub group_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// KIP-447 (v3+): the consumer's group generation, -1 if unknown.
    pub generation_id: i32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub partitions: Vec<OffsetCommitRequestPartition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnOffsetCommitResponse {
    /// In the request's order.
    pub partitions: Vec<OffsetCommitResponsePartition>,
}

/// OffsetDelete (KIP-496): drop committed offsets of a group, refused for
/// topics a live consumer group still subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetDeleteRequest {
    pub group_id: String,
    pub partitions: Vec<(String, i32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetDeleteResponse {
    pub error_code: ErrorCode,
    /// Empty when `error_code` is not NONE.
    pub partitions: Vec<OffsetCommitResponsePartition>,
}

//! The requests the transaction coordinator answers and the one it sends,
//! with Kafka's field names (the `*Request`/`*Response` JSON schemas in
//! `clients/src/main/resources/common/message`). Throttle times and tagged
//! fields are left to the host's codec.

use protocol::{EndTransactionMarker, ErrorCode};
use serde::{Deserialize, Serialize};

use crate::metadata::TopicPartition;

/// The host's id for a request; the response comes back with it.
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    InitProducerId(InitProducerIdRequest),
    AddPartitionsToTxn(AddPartitionsToTxnRequest),
    AddOffsetsToTxn(AddOffsetsToTxnRequest),
    EndTxn(EndTxnRequest),
    DescribeTransactions(DescribeTransactionsRequest),
    ListTransactions(ListTransactionsRequest),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    InitProducerId(InitProducerIdResponse),
    AddPartitionsToTxn(AddPartitionsToTxnResponse),
    AddOffsetsToTxn(AddOffsetsToTxnResponse),
    EndTxn(EndTxnResponse),
    DescribeTransactions(DescribeTransactionsResponse),
    ListTransactions(ListTransactionsResponse),
}

impl Response {
    /// The response's top-level error; for AddPartitionsToTxn the first
    /// partition's (they all carry the same one here).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Response::InitProducerId(r) => r.error_code,
            Response::AddPartitionsToTxn(r) => r
                .results
                .iter()
                .flat_map(|t| t.results.iter())
                .map(|p| p.error_code)
                .next()
                .unwrap_or(ErrorCode::None),
            Response::AddOffsetsToTxn(r) => r.error_code,
            Response::EndTxn(r) => r.error_code,
            Response::DescribeTransactions(r) => r
                .transaction_states
                .first()
                .map_or(ErrorCode::None, |s| s.error_code),
            Response::ListTransactions(r) => r.error_code,
        }
    }
}

/// InitProducerId. `producer_id`/`producer_epoch` (v3+, KIP-360) are the
/// producer's current ones when it re-initialises, -1/-1 otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitProducerIdRequest {
    /// `None`: an idempotent producer without transactions.
    pub transactional_id: Option<String>,
    pub transaction_timeout_ms: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
}

impl InitProducerIdRequest {
    pub fn new(transactional_id: &str, transaction_timeout_ms: i32) -> Self {
        InitProducerIdRequest {
            transactional_id: Some(transactional_id.to_string()),
            transaction_timeout_ms,
            producer_id: -1,
            producer_epoch: -1,
        }
    }

    /// A re-initialisation by a producer that has `producer_id`/`epoch`.
    pub fn with_producer(mut self, producer_id: i64, producer_epoch: i16) -> Self {
        self.producer_id = producer_id;
        self.producer_epoch = producer_epoch;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitProducerIdResponse {
    pub error_code: ErrorCode,
    pub producer_id: i64,
    pub producer_epoch: i16,
}

impl InitProducerIdResponse {
    /// Kafka's `initTransactionError`: -1/-1 with the error.
    pub fn error(error_code: ErrorCode) -> Self {
        InitProducerIdResponse {
            error_code,
            producer_id: -1,
            producer_epoch: -1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddPartitionsToTxnTopic {
    pub name: String,
    pub partitions: Vec<i32>,
}

/// AddPartitionsToTxn v0-v3 (one transaction per request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddPartitionsToTxnRequest {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub topics: Vec<AddPartitionsToTxnTopic>,
}

impl AddPartitionsToTxnRequest {
    pub fn new(
        transactional_id: &str,
        producer_id: i64,
        producer_epoch: i16,
        partitions: &[TopicPartition],
    ) -> Self {
        let mut topics: Vec<AddPartitionsToTxnTopic> = Vec::new();
        for tp in partitions {
            match topics.iter_mut().find(|t| t.name == tp.topic) {
                Some(t) => t.partitions.push(tp.partition),
                None => topics.push(AddPartitionsToTxnTopic {
                    name: tp.topic.clone(),
                    partitions: vec![tp.partition],
                }),
            }
        }
        AddPartitionsToTxnRequest {
            transactional_id: transactional_id.to_string(),
            producer_id,
            producer_epoch,
            topics,
        }
    }

    pub fn partitions(&self) -> impl Iterator<Item = TopicPartition> + '_ {
        self.topics.iter().flat_map(|t| {
            t.partitions
                .iter()
                .map(move |&p| TopicPartition::new(&t.name, p))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddPartitionsToTxnPartitionResult {
    pub partition_index: i32,
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddPartitionsToTxnTopicResult {
    pub name: String,
    pub results: Vec<AddPartitionsToTxnPartitionResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddPartitionsToTxnResponse {
    pub results: Vec<AddPartitionsToTxnTopicResult>,
}

impl AddPartitionsToTxnResponse {
    /// Every partition of the request with the same error (how Kafka
    /// answers once the coordinator has decided).
    pub fn all(request_topics: &[AddPartitionsToTxnTopic], error_code: ErrorCode) -> Self {
        AddPartitionsToTxnResponse {
            results: request_topics
                .iter()
                .map(|t| AddPartitionsToTxnTopicResult {
                    name: t.name.clone(),
                    results: t
                        .partitions
                        .iter()
                        .map(|&partition_index| AddPartitionsToTxnPartitionResult {
                            partition_index,
                            error_code,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// AddOffsetsToTxn: the group's `__consumer_offsets` partition joins the
/// transaction (its TxnOffsetCommit goes to the group coordinator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOffsetsToTxnRequest {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub group_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOffsetsToTxnResponse {
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndTxnRequest {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// true: commit; false: abort.
    pub committed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndTxnResponse {
    pub error_code: ErrorCode,
}

/// DescribeTransactions (KIP-664).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeTransactionsRequest {
    pub transactional_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeTransactionsTopicData {
    pub topic: String,
    pub partitions: Vec<i32>,
}

/// One id's description; on error only `error_code` and
/// `transactional_id` are meaningful (the rest keep the schema's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribedTransaction {
    pub error_code: ErrorCode,
    pub transactional_id: String,
    /// [`crate::TransactionState::name`]
    pub transaction_state: String,
    pub transaction_timeout_ms: i32,
    pub transaction_start_time_ms: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub topics: Vec<DescribeTransactionsTopicData>,
}

impl DescribedTransaction {
    pub fn error(transactional_id: &str, error_code: ErrorCode) -> Self {
        DescribedTransaction {
            error_code,
            transactional_id: transactional_id.to_string(),
            transaction_state: String::new(),
            transaction_timeout_ms: 0,
            transaction_start_time_ms: 0,
            producer_id: 0,
            producer_epoch: 0,
            topics: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeTransactionsResponse {
    pub transaction_states: Vec<DescribedTransaction>,
}

/// ListTransactions (KIP-664): empty filters match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListTransactionsRequest {
    pub state_filters: Vec<String>,
    pub producer_id_filters: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedTransaction {
    pub transactional_id: String,
    pub producer_id: i64,
    pub transaction_state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListTransactionsResponse {
    pub error_code: ErrorCode,
    pub unknown_state_filters: Vec<String>,
    pub transaction_states: Vec<ListedTransaction>,
}

/// One topic of a marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritableTxnMarkerTopic {
    pub name: String,
    pub partition_indexes: Vec<i32>,
}

/// One transaction's marker in a WriteTxnMarkers request: the partition
/// leaders append a COMMIT/ABORT control batch for `producer_id` at
/// `producer_epoch` to each partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritableTxnMarker {
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// true: commit; false: abort.
    pub transaction_result: bool,
    pub topics: Vec<WritableTxnMarkerTopic>,
    pub coordinator_epoch: i32,
}

impl WritableTxnMarker {
    pub fn partitions(&self) -> impl Iterator<Item = TopicPartition> + '_ {
        self.topics.iter().flat_map(|t| {
            t.partition_indexes
                .iter()
                .map(move |&p| TopicPartition::new(&t.name, p))
        })
    }

    /// The control record a leader appends (build the batch with
    /// [`EndTransactionMarker::to_batch`] and this marker's producer id
    /// and epoch).
    pub fn control_marker(&self) -> EndTransactionMarker {
        EndTransactionMarker::new(self.transaction_result, self.coordinator_epoch)
    }
}

/// WriteTxnMarkers, sent by the coordinator to each partition leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteTxnMarkersRequest {
    pub markers: Vec<WritableTxnMarker>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritableTxnMarkerPartitionResult {
    pub partition_index: i32,
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritableTxnMarkerTopicResult {
    pub name: String,
    pub partitions: Vec<WritableTxnMarkerPartitionResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritableTxnMarkerResult {
    pub producer_id: i64,
    pub topics: Vec<WritableTxnMarkerTopicResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteTxnMarkersResponse {
    pub markers: Vec<WritableTxnMarkerResult>,
}

impl WritableTxnMarkerResult {
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, ErrorCode)> + '_ {
        self.topics.iter().flat_map(|t| {
            t.partitions.iter().map(move |p| {
                (
                    TopicPartition::new(&t.name, p.partition_index),
                    p.error_code,
                )
            })
        })
    }
}

/// The APIs whose old versions knew no PRODUCER_FENCED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnApi {
    InitProducerId,
    AddPartitionsToTxn,
    AddOffsetsToTxn,
    EndTxn,
}

/// KafkaApis answers PRODUCER_FENCED as INVALID_PRODUCER_EPOCH to clients
/// that predate it (KIP-588): InitProducerId below v4, the others below v2.
pub fn error_for_version(api: TxnApi, version: i16, error: ErrorCode) -> ErrorCode {
    let first_with_fenced = match api {
        TxnApi::InitProducerId => 4,
        TxnApi::AddPartitionsToTxn | TxnApi::AddOffsetsToTxn | TxnApi::EndTxn => 2,
    };
    if error == ErrorCode::ProducerFenced && version < first_with_fenced {
        ErrorCode::InvalidProducerEpoch
    } else {
        error
    }
}

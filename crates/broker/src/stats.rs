//! Kafka's `BrokerTopicStats` (all-topics meters), as plain counters: the
//! `Count` of `MessagesInPerSec`, `BytesInPerSec`,
//! `FailedProduceRequestsPerSec` and `TotalProduceRequestsPerSec`. Rates
//! per virtual second are taken from them by whoever samples the broker
//! (the cluster's sampler), so the broker keeps no clock-based windows.
//! Like a JVM's meters they start at zero when the broker (re)starts.

use protocol::ErrorCode;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrokerTopicStats {
    /// Records appended to leader logs by Produce requests.
    pub messages_in: u64,
    /// Bytes of the record batches those appends took.
    pub bytes_in: u64,
    /// Partition appends that failed unexpectedly (see [`counts_as_failed`]).
    pub failed_produce_requests: u64,
    /// Every partition of every Produce request.
    pub total_produce_requests: u64,
}

/// Kafka's `ReplicaManager.appendToLocalLog` does not mark
/// `FailedProduceRequestsPerSec` for "known" errors (unknown partition, not
/// the leader, too large, corrupt, storage): the meter is meant for
/// unexpected failures such as `NOT_ENOUGH_REPLICAS` or a sequence error.
pub fn counts_as_failed(code: ErrorCode) -> bool {
    !matches!(
        code,
        ErrorCode::None
            | ErrorCode::UnknownTopicOrPartition
            | ErrorCode::NotLeaderOrFollower
            | ErrorCode::MessageTooLarge
            | ErrorCode::RecordListTooLarge
            | ErrorCode::CorruptMessage
            | ErrorCode::KafkaStorageError
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_errors_are_not_failures_unexpected_ones_are() {
        assert!(!counts_as_failed(ErrorCode::NotLeaderOrFollower));
        assert!(!counts_as_failed(ErrorCode::CorruptMessage));
        assert!(counts_as_failed(ErrorCode::NotEnoughReplicas));
        assert!(counts_as_failed(ErrorCode::OutOfOrderSequenceNumber));
    }
}

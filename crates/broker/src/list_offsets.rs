//! ListOffsets (Kafka's `fetchOffsetForTimestamp` on the partition leader):
//! latest is the HW for read_uncommitted consumers and the LSO for
//! read_committed ones (the LEO for a follower), earliest the log start,
//! and a time the first offset whose record timestamp is at or after it,
//! through the log's time index.

use protocol::ErrorCode;

use crate::api::{
    BrokerId, IsolationLevel, Response, TopicPartition, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP,
};
use crate::Broker;

impl Broker {
    pub(crate) fn handle_list_offsets(
        &self,
        replica_id: BrokerId,
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartition, i64)>,
    ) -> Response {
        let me = self.id();
        let parts = partitions
            .into_iter()
            .map(|(tp, timestamp)| {
                let Some(p) = self.partitions.get(&tp).filter(|p| p.is_leader(me)) else {
                    let error = if self.metadata.partitions.contains_key(&tp) {
                        ErrorCode::NotLeaderOrFollower
                    } else {
                        ErrorCode::UnknownTopicOrPartition
                    };
                    return (tp, error, -1, -1);
                };
                // What a consumer may see; a follower (replica_id >= 0) sees it all.
                let last_fetchable = match (replica_id >= 0, isolation_level) {
                    (true, _) => p.leo(),
                    (false, IsolationLevel::ReadUncommitted) => p.hw(),
                    (false, IsolationLevel::ReadCommitted) => p.log.lso(),
                };
                match timestamp {
                    LATEST_TIMESTAMP => (tp, ErrorCode::None, -1, last_fetchable),
                    EARLIEST_TIMESTAMP => (tp, ErrorCode::None, -1, p.log.log_start()),
                    // -3 is MAX_TIMESTAMP (KIP-734); other negatives mean nothing.
                    t if t < 0 && t != log::MAX_TIMESTAMP => {
                        (tp, ErrorCode::InvalidRequest, -1, -1)
                    }
                    t => match p.log.offset_for_timestamp(t) {
                        Some((ts, offset)) if offset < last_fetchable => {
                            (tp, ErrorCode::None, ts, offset)
                        }
                        _ => (tp, ErrorCode::None, -1, -1),
                    },
                }
            })
            .collect();
        Response::ListOffsets(parts)
    }
}

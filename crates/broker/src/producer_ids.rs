//! Producer ids for idempotent producers (Kafka's ZooKeeper-mode
//! `ProducerIdManager`): each broker claims blocks of 1000 ids from
//! `/latest_producer_id_block` with a conditional write, and hands them out
//! in InitProducerId.

use std::collections::VecDeque;

use controller::zk::messages::{ZkRequest, ZkResponse};
use controller::znodes::paths;
use protocol::ErrorCode;
use serde_json::json;

use crate::api::{Addr, Response};
use crate::zk_client::Purpose;
use crate::Broker;

/// Kafka's `ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`.
pub const BLOCK_SIZE: i64 = 1000;

#[derive(Debug, Default)]
pub struct ProducerIdManager {
    /// Next id to hand out and the last id of the current block.
    next: i64,
    end: i64,
    has_block: bool,
    fetching: bool,
    waiting: VecDeque<Waiting>,
}

/// An InitProducerId parked until a block is claimed (Kafka's ZooKeeper
/// `ProducerIdManager` blocks the request thread instead).
#[derive(Debug)]
enum Waiting {
    Idempotent(Addr, i32),
    Transactional(Addr, i32, transaction::Request),
}

impl ProducerIdManager {
    /// Whether an id can be handed out without asking ZooKeeper.
    pub fn has_available(&self) -> bool {
        self.has_block && self.next <= self.end
    }

    fn take(&mut self) -> Option<i64> {
        self.has_available().then(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

/// The transaction coordinator's producer id source. The broker only
/// hands a request over when an id is available, so the error is a
/// safety net (a retriable one, as Kafka's while it fetches a block).
impl transaction::ProducerIdGenerator for ProducerIdManager {
    fn generate_producer_id(&mut self) -> Result<i64, ErrorCode> {
        self.take().ok_or(ErrorCode::CoordinatorLoadInProgress)
    }
}

/// `ProducerIdBlockZNode`'s JSON, keys in the order Kafka writes them.
pub fn encode_block(broker: i32, start: i64, end: i64) -> Vec<u8> {
    format!(r#"{{"version":1,"broker":{broker},"block_start":"{start}","block_end":"{end}"}}"#)
        .into_bytes()
}

/// The block's last id, from `/latest_producer_id_block`'s data.
pub fn decode_block_end(data: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(data).ok()?;
    v.get("block_end")?.as_str()?.parse().ok()
}

#[derive(Debug, Clone)]
pub(crate) enum BlockStep {
    Read,
    Claim { start: i64, end: i64 },
}

impl Broker {
    /// InitProducerId without a transactional id: a fresh producer id, epoch 0.
    pub(crate) fn handle_init_producer_id(&mut self, from: Addr, correlation_id: i32) {
        if let Some(id) = self.producer_ids.take() {
            self.respond(
                from,
                correlation_id,
                Response::InitProducerId {
                    error: ErrorCode::None,
                    producer_id: id,
                    producer_epoch: 0,
                },
            );
            return;
        }
        self.producer_ids
            .waiting
            .push_back(Waiting::Idempotent(from, correlation_id));
        self.fetch_producer_id_block();
    }

    /// Parks a transactional InitProducerId until a block is claimed.
    pub(crate) fn park_for_producer_id(
        &mut self,
        from: Addr,
        correlation_id: i32,
        request: transaction::Request,
    ) {
        self.producer_ids
            .waiting
            .push_back(Waiting::Transactional(from, correlation_id, request));
        self.fetch_producer_id_block();
    }

    /// A block claim in flight on a lost ZooKeeper session will never be
    /// answered: start over for whoever waits.
    pub(crate) fn producer_ids_session_lost(&mut self) {
        if self.producer_ids.fetching {
            self.producer_ids.fetching = false;
            if !self.producer_ids.waiting.is_empty() {
                self.fetch_producer_id_block();
            }
        }
    }

    fn fetch_producer_id_block(&mut self) {
        let m = &mut self.producer_ids;
        if !m.fetching {
            m.fetching = true;
            self.zk_send(
                ZkRequest::GetData {
                    path: paths::LATEST_PRODUCER_ID_BLOCK.into(),
                    watch: false,
                },
                Purpose::ProducerIdBlock(BlockStep::Read),
            );
        }
    }

    pub(crate) fn on_producer_id_block(&mut self, step: BlockStep, response: ZkResponse) {
        match (step, response) {
            (BlockStep::Read, ZkResponse::Data { data, stat }) => {
                let start = decode_block_end(&data).map_or(0, |end| end + 1);
                let end = start + BLOCK_SIZE - 1;
                let data = encode_block(self.id(), start, end);
                self.zk_send(
                    ZkRequest::SetData {
                        path: paths::LATEST_PRODUCER_ID_BLOCK.into(),
                        data,
                        version: stat.version,
                    },
                    Purpose::ProducerIdBlock(BlockStep::Claim { start, end }),
                );
            }
            (BlockStep::Claim { start, end }, ZkResponse::DataSet { .. }) => {
                self.event(
                    "producer-id-block",
                    || json!({"block_start": start, "block_end": end}),
                );
                let m = &mut self.producer_ids;
                m.next = start;
                m.end = end;
                m.has_block = true;
                m.fetching = false;
                let waiting: Vec<Waiting> = m.waiting.drain(..).collect();
                for w in waiting {
                    match w {
                        Waiting::Idempotent(from, corr) => self.handle_init_producer_id(from, corr),
                        Waiting::Transactional(from, corr, request) => {
                            self.handle_txn_request(from, corr, request)
                        }
                    }
                }
            }
            // Another broker claimed a block meanwhile (BADVERSION): read again.
            (_, _) => self.zk_send(
                ZkRequest::GetData {
                    path: paths::LATEST_PRODUCER_ID_BLOCK.into(),
                    watch: false,
                },
                Purpose::ProducerIdBlock(BlockStep::Read),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_json_is_kafkas() {
        let data = encode_block(2, 1000, 1999);
        assert_eq!(
            std::str::from_utf8(&data).unwrap(),
            r#"{"version":1,"broker":2,"block_start":"1000","block_end":"1999"}"#
        );
        assert_eq!(decode_block_end(&data), Some(1999));
        assert_eq!(decode_block_end(b""), None);
    }
}

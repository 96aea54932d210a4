//! The broker hosting Kafka's TransactionCoordinator (crates/transaction):
//! KafkaApis' checks before handing requests over, responses/appends/
//! markers out, the periodic timer, and `__transaction_state` leadership
//! turned into load/unload (the leader epoch is the coordinator epoch).

use protocol::ErrorCode;
use serde_json::json;
use transaction::{
    AddPartitionsToTxnPartitionResult, AddPartitionsToTxnResponse, AddPartitionsToTxnTopicResult,
    LoadRecord, Output, TransactionConfig, TransactionCoordinator,
};

use crate::api::{Addr, Response, TopicPartition};
use crate::coordinator_log::{AppendOwner, CoordinatorBatch, TRANSACTION_STATE_TOPIC};
use crate::{timers, Broker, BrokerConfig};

pub(crate) fn new_txn_coordinator(config: &BrokerConfig, now: u64) -> TransactionCoordinator {
    let cfg = TransactionConfig {
        transactional_id_expiration_ms: config.transactional_id_expiration_ms,
        transaction_max_timeout_ms: config.transaction_max_timeout_ms,
        transaction_state_log_num_partitions: config.transaction_state_log_num_partitions,
        offsets_topic_num_partitions: config.offsets_topic_num_partitions,
        ..TransactionConfig::default()
    };
    TransactionCoordinator::new(cfg, now as i64)
}

impl Broker {
    pub(crate) fn handle_txn_request(
        &mut self,
        from: Addr,
        correlation_id: i32,
        request: transaction::Request,
    ) {
        match &request {
            // Kafka's ZooKeeper-mode ProducerIdManager fetches a block
            // synchronously; here the request waits for the block instead.
            transaction::Request::InitProducerId(_) if !self.producer_ids.has_available() => {
                return self.park_for_producer_id(from, correlation_id, request);
            }
            transaction::Request::AddPartitionsToTxn(r) => {
                // KafkaApis: unknown partitions fail the whole request.
                let unknown = |b: &Broker, t: &str, p: i32| {
                    !b.metadata
                        .partitions
                        .contains_key(&TopicPartition::new(t, p))
                };
                if r.topics
                    .iter()
                    .any(|t| t.partitions.iter().any(|&p| unknown(self, &t.name, p)))
                {
                    let results = r
                        .topics
                        .iter()
                        .map(|t| AddPartitionsToTxnTopicResult {
                            name: t.name.clone(),
                            results: t
                                .partitions
                                .iter()
                                .map(|&p| AddPartitionsToTxnPartitionResult {
                                    partition_index: p,
                                    error_code: if unknown(self, &t.name, p) {
                                        ErrorCode::UnknownTopicOrPartition
                                    } else {
                                        ErrorCode::OperationNotAttempted
                                    },
                                })
                                .collect(),
                        })
                        .collect();
                    let resp =
                        transaction::Response::AddPartitionsToTxn(AddPartitionsToTxnResponse {
                            results,
                        });
                    return self.respond(from, correlation_id, Response::Txn(resp));
                }
            }
            _ => {}
        }
        let id = self.coord.request_id(from, correlation_id);
        let out = self
            .txns
            .handle(self.now as i64, id, request, &mut self.producer_ids);
        self.process_txn_outputs(out);
    }

    pub(crate) fn process_txn_outputs(&mut self, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Response {
                    request_id,
                    response,
                } => {
                    if let Some((to, corr)) = self.coord.requests.remove(&request_id) {
                        self.respond(to, corr, Response::Txn(response));
                    }
                }
                Output::Append(a) => {
                    let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, a.partition);
                    let batch = CoordinatorBatch {
                        timestamp: a.timestamp,
                        producer_id: -1,
                        producer_epoch: -1,
                        transactional: false,
                        required_acks: -1,
                        records: a.records.into_iter().map(|r| (r.key, r.value)).collect(),
                    };
                    self.coordinator_append(AppendOwner::Txn(a.append_id), tp, batch);
                }
                Output::SendMarkers {
                    marker_id, marker, ..
                } => self.route_markers(marker_id, marker),
                Output::StateChanged {
                    transactional_id,
                    from,
                    to,
                    producer_id,
                    producer_epoch,
                } => self.event("txn-state", || {
                    json!({"transactional_id": transactional_id, "from": from.name(), "to": to.name(), "producer_id": producer_id, "producer_epoch": producer_epoch})
                }),
            }
        }
    }

    pub(crate) fn txn_timer(&mut self) {
        self.coord.txn_timer_at = None;
        let out = self.txns.on_timer(self.now as i64);
        self.process_txn_outputs(out);
    }

    /// Keeps the periodic timer (timed-out transactions, expired ids) armed
    /// while this broker coordinates any transaction partition; an idle
    /// cluster without transactions gets no extra timers.
    pub(crate) fn arm_txn_timer(&mut self) {
        let active = self
            .coord
            .loaded
            .keys()
            .any(|tp| &*tp.topic == TRANSACTION_STATE_TOPIC);
        if !active {
            return;
        }
        let at = self.txns.next_deadline().max(0) as u64;
        if self.coord.txn_timer_at != Some(at) {
            self.coord.txn_timer_at = Some(at);
            self.set_background_timer(timers::TXN_COORDINATOR, at);
        }
    }

    pub(crate) fn load_transactions(&mut self, tp: &TopicPartition, epoch: i32) {
        let partition = tp.partition;
        self.txns.begin_loading(partition, epoch);
        let batches = match self.read_internal_partition(tp) {
            Ok(b) => b,
            Err(e) => {
                self.event(
                    "coordinator-load-failed",
                    || json!({"partition": tp.to_string(), "error": e}),
                );
                return;
            }
        };
        let records = batches.iter().flat_map(|b| {
            b.batch.records.iter().filter_map(move |r| {
                Some(LoadRecord {
                    offset: b.header.base_offset + r.offset_delta as i64,
                    key: r.key.as_deref()?,
                    value: r.value.as_deref(),
                })
            })
        });
        match self.txns.load(self.now as i64, partition, epoch, records) {
            Ok(out) => {
                self.event(
                    "txn-coordinator-loaded",
                    || json!({"partition": tp.to_string(), "coordinator_epoch": epoch}),
                );
                self.process_txn_outputs(out);
            }
            Err(e) => self.event(
                "coordinator-load-failed",
                || json!({"partition": tp.to_string(), "error": format!("{e:?}")}),
            ),
        }
    }

    pub(crate) fn unload_transactions(&mut self, tp: &TopicPartition, epoch: i32) {
        let out = self.txns.unload(self.now as i64, tp.partition, Some(epoch));
        self.event(
            "txn-coordinator-unloaded",
            || json!({"partition": tp.to_string()}),
        );
        self.process_txn_outputs(out);
    }
}

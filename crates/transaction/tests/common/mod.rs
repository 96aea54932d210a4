//! A test host: owns every `__transaction_state` partition, keeps the
//! appends and marker sends the coordinator asks for, and completes them
//! when told.

#![allow(dead_code)]

use std::collections::BTreeMap;

use kafkascope_transaction::*;
use protocol::ErrorCode;

pub const NUM_PARTITIONS: i32 = 50;
pub const TXN_ID: &str = "known";

pub fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition::new(t, p)
}

pub struct Host {
    pub c: TransactionCoordinator,
    pub ids: SequentialProducerIds,
    pub now: i64,
    next_request: RequestId,
    pub appends: Vec<Append>,
    pub markers: Vec<(MarkerId, String, WritableTxnMarker)>,
    pub responses: BTreeMap<RequestId, Response>,
    pub changes: Vec<(String, TransactionState, TransactionState)>,
    /// Every log record the host appended, per partition (for reloads).
    pub log: BTreeMap<i32, Vec<TxnLogRecord>>,
    /// Appends already in `log` (written before their completion).
    pub in_log: std::collections::BTreeSet<AppendId>,
}

impl Host {
    /// Owns every partition at coordinator epoch 0, with nothing loaded.
    pub fn new() -> Host {
        Self::with_config(TransactionConfig::default())
    }

    pub fn with_config(config: TransactionConfig) -> Host {
        let now = 1_000_000;
        let mut c = TransactionCoordinator::new(config, now);
        for p in 0..c.config().transaction_state_log_num_partitions {
            assert!(c.load(now, p, 0, []).unwrap().is_empty());
        }
        Host {
            c,
            ids: SequentialProducerIds { next: 1000 },
            now,
            next_request: 0,
            appends: Vec::new(),
            markers: Vec::new(),
            responses: BTreeMap::new(),
            changes: Vec::new(),
            log: BTreeMap::new(),
            in_log: Default::default(),
        }
    }

    pub fn absorb(&mut self, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Response {
                    request_id,
                    response,
                } => {
                    assert!(
                        self.responses.insert(request_id, response).is_none(),
                        "answered twice"
                    );
                }
                Output::Append(a) => self.appends.push(a),
                Output::SendMarkers {
                    marker_id,
                    transactional_id,
                    marker,
                } => self.markers.push((marker_id, transactional_id, marker)),
                Output::StateChanged {
                    transactional_id,
                    from,
                    to,
                    ..
                } => self.changes.push((transactional_id, from, to)),
            }
        }
    }

    pub fn send(&mut self, request: Request) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        let out = self.c.handle(self.now, id, request, &mut self.ids);
        self.absorb(out);
        id
    }

    pub fn response(&self, id: RequestId) -> Option<&Response> {
        self.responses.get(&id)
    }

    /// Complete the oldest pending append.
    pub fn complete_append(&mut self, result: Result<(), ErrorCode>) -> Append {
        assert!(!self.appends.is_empty(), "no append pending");
        let a = self.appends.remove(0);
        self.complete(a.clone(), result);
        a
    }

    /// Report `a`'s outcome; a success puts it in the log unless it is
    /// there already.
    pub fn complete(&mut self, a: Append, result: Result<(), ErrorCode>) {
        if result.is_ok() && self.in_log.insert(a.append_id) {
            self.log
                .entry(a.partition)
                .or_default()
                .extend(a.records.iter().cloned());
        }
        let out = self.c.on_append_completed(self.now, a.append_id, result);
        self.absorb(out);
    }

    /// The leader of `partition` changes: appends in flight there reached
    /// the log, in the order they were issued, before the new leader reads
    /// it (their completions still come later).
    pub fn flush_in_flight(&mut self, partition: i32) {
        let in_flight: Vec<Append> = self
            .appends
            .iter()
            .filter(|a| a.partition == partition)
            .cloned()
            .collect();
        for a in in_flight {
            if self.in_log.insert(a.append_id) {
                self.log
                    .entry(a.partition)
                    .or_default()
                    .extend(a.records.iter().cloned());
            }
        }
    }

    /// Acknowledge every partition of the oldest marker send.
    pub fn ack_marker(&mut self) -> (MarkerId, WritableTxnMarker) {
        let (id, _, m) = self.markers.remove(0);
        let results: Vec<_> = m.partitions().map(|tp| (tp, ErrorCode::None)).collect();
        let out = self.c.on_markers_written(self.now, id, &results);
        self.absorb(out);
        (id, m)
    }

    /// Complete appends and acknowledge markers until nothing is pending.
    pub fn settle(&mut self) {
        while !self.appends.is_empty() || !self.markers.is_empty() {
            if !self.appends.is_empty() {
                self.complete_append(Ok(()));
            } else {
                self.ack_marker();
            }
        }
    }

    pub fn init(&mut self, id: &str) -> InitProducerIdResponse {
        self.init_with(InitProducerIdRequest::new(id, 60_000))
    }

    pub fn init_with(&mut self, r: InitProducerIdRequest) -> InitProducerIdResponse {
        let rid = self.send(Request::InitProducerId(r));
        self.settle();
        match self.response(rid) {
            Some(Response::InitProducerId(r)) => r.clone(),
            other => panic!("no InitProducerId response: {other:?}"),
        }
    }

    pub fn add(&mut self, id: &str, pid: i64, epoch: i16, parts: &[TopicPartition]) -> RequestId {
        self.send(Request::AddPartitionsToTxn(AddPartitionsToTxnRequest::new(
            id, pid, epoch, parts,
        )))
    }

    pub fn end(&mut self, id: &str, pid: i64, epoch: i16, commit: bool) -> RequestId {
        self.send(Request::EndTxn(EndTxnRequest {
            transactional_id: id.to_string(),
            producer_id: pid,
            producer_epoch: epoch,
            committed: commit,
        }))
    }

    pub fn error(&self, rid: RequestId) -> Option<ErrorCode> {
        self.response(rid).map(|r| r.error_code())
    }

    pub fn meta(&self, id: &str) -> &TransactionMetadata {
        self.c.transaction(id).expect("known transactional id")
    }

    pub fn advance(&mut self, ms: i64) {
        self.now += ms;
        let out = self.c.on_timer(self.now);
        self.absorb(out);
    }

    /// Replace `id`'s partition with one record for it (as if loaded after a
    /// failover) at `coordinator_epoch`.
    pub fn load_value(&mut self, id: &str, value: TransactionLogValue, coordinator_epoch: i32) {
        let p = self.c.partition_for(id);
        let key = TransactionLogKey::new(id).encode();
        let v = value.encode();
        let out = self
            .c
            .load(
                self.now,
                p,
                coordinator_epoch,
                [LoadRecord {
                    offset: 0,
                    key: &key,
                    value: Some(&v),
                }],
            )
            .unwrap();
        self.absorb(out);
    }

    /// Re-read a partition from what the host appended (a failover).
    pub fn reload(&mut self, partition: i32, coordinator_epoch: i32) {
        let records = self.log.get(&partition).cloned().unwrap_or_default();
        let loads: Vec<LoadRecord> = records
            .iter()
            .enumerate()
            .map(|(i, r)| LoadRecord {
                offset: i as i64,
                key: &r.key,
                value: r.value.as_deref(),
            })
            .collect();
        let out = self
            .c
            .load(self.now, partition, coordinator_epoch, loads)
            .unwrap();
        self.absorb(out);
    }
}

/// A value as Kafka would have written it.
pub fn value(
    pid: i64,
    epoch: i16,
    state: TransactionState,
    partitions: &[TopicPartition],
    start: i64,
    now: i64,
) -> TransactionLogValue {
    let t = TxnTransitMetadata {
        producer_id: pid,
        last_producer_id: -1,
        producer_epoch: epoch,
        last_producer_epoch: -1,
        txn_timeout_ms: 60_000,
        txn_state: state,
        topic_partitions: partitions.iter().cloned().collect(),
        txn_start_timestamp: start,
        txn_last_update_timestamp: now,
    };
    TransactionLogValue::from_transit(&t).unwrap()
}

/// The state in an append's single value record.
pub fn appended_state(a: &Append) -> TransactionState {
    assert_eq!(a.records.len(), 1);
    TransactionLogValue::decode(a.records[0].value.as_ref().unwrap())
        .unwrap()
        .state()
        .unwrap()
}

pub fn appended_value(a: &Append) -> TransactionLogValue {
    TransactionLogValue::decode(a.records[0].value.as_ref().unwrap()).unwrap()
}

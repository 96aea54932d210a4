//! A sans-IO Kafka producer (`KafkaProducer` + `RecordAccumulator` +
//! `Sender` + `TransactionManager`), as Kafka 3.x: metadata from the
//! brokers, the default partitioner, per-partition batching (`linger.ms`,
//! `batch.size`), `acks`, retries with `retry.backoff.ms`,
//! `request.timeout.ms`, `delivery.timeout.ms` and
//! `max.in.flight.requests.per.connection`; idempotence on by default
//! (producer id, epoch, per-partition sequences, see [`producer_txn`]) and
//! transactions with `transactional.id`.
//!
//! Without idempotence a retried batch may be written twice, and with more
//! than one request in flight a retried batch lands after newer ones. With
//! it, the broker drops the retry of a written batch and refuses a batch
//! out of sequence, and the Sender only drains a retried batch when it is
//! the partition's first unfinished one.
//!
//! Every record carries a header `kafkascope.send` = `CLIENT:SEQ`, unique per
//! `send()` call, so the runner can find the records of one send in a log
//! and count the ones written more than once (retries without idempotence).
//!
//! Outputs are the broker crate's [`Output`]s (sends, timers, events), so the
//! cluster maps brokers and clients to the simulator the same way.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use broker::api::{
    Addr, BrokerId, Msg, ProducePartition, ProduceRequest, Request, Response, TopicPartition,
};
use broker::Output;
use bytes::Bytes;
use protocol::batch::{RecordBatch, SimpleRecord};
use protocol::{ErrorCode, Header};
use serde_json::json;

use crate::node::Topology;
use crate::partition_choice::{remember, PartitionChoice, PartitionReason};
pub use crate::producer_config::{Partitioner, ProducerConfig};
pub use crate::producer_txn::{CallOutcome, GroupOffsets, TxnManager, TxnState};
use crate::producer_txn::{Target, TxnRequest, NO_SEQUENCE};

/// The header naming a record's `send()` call.
pub use broker::query::SEND_HEADER;

const WAKEUP: u64 = 1;
const METADATA_MAX_AGE: u64 = 2;

/// One record the application handed to `send()`.
#[derive(Clone, Debug)]
pub struct ProducerRecord {
    pub topic: String,
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, String)>,
}

/// A record the producer acknowledged to the application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acked {
    pub tp: TopicPartition,
    /// -1 with `acks=0` (Kafka's callback gets no offset either).
    pub offset: i64,
    pub value: Option<String>,
    pub send_id: String,
}

/// A record the application was told failed: its send, Kafka's error name
/// and the value it sent (so the page can show which record it was).
#[derive(Clone, Debug)]
pub struct Failed {
    pub send_id: String,
    pub error: String,
    pub value: Option<String>,
}

impl Failed {
    fn of(p: Pending, error: String) -> Self {
        Failed {
            value: value_text(&p),
            send_id: p.send_id,
            error,
        }
    }
}

/// A pending record's value as the page and predicates show it.
fn value_text(p: &Pending) -> Option<String> {
    p.record
        .value
        .as_ref()
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// What the application has seen; survives a crash of the client process
/// (the scenario's record of what this application was told).
#[derive(Clone, Debug, Default)]
pub struct AppRecord {
    pub acked: Vec<Acked>,
    /// Kafka error names delivered to send callbacks.
    pub errors: BTreeSet<String>,
    /// Records whose send failed, with the error.
    pub failed: Vec<Failed>,
    /// Produce attempts of records (a retried record counts once per attempt).
    pub attempts: u64,
    /// `send()` calls so far (the sequence in send ids).
    pub sends: u64,
    /// Produce requests sent, retries included (how well records were
    /// batched: the `produce-requests` predicate).
    pub produce_requests: u64,
    /// Exception texts of failed sends the runner has not narrated yet
    /// (Kafka's message where it is specific, e.g. the metadata timeout).
    pub notices: Vec<String>,
    /// The partitioner's choice for the newest records, and why.
    pub choices: std::collections::VecDeque<PartitionChoice>,
}

#[derive(Clone, Debug)]
struct Pending {
    send_id: String,
    record: ProducerRecord,
    created_ms: u64,
    /// The partition chosen for it while it waits for buffer memory.
    chosen: Option<i32>,
}

#[derive(Debug)]
struct Batch {
    tp: TopicPartition,
    records: Vec<Pending>,
    size: usize,
    created_ms: u64,
    attempts: u32,
    /// Not before this time (retry backoff).
    retry_at: u64,
    /// (producer id, epoch, base sequence), set when an idempotent
    /// producer first drains the batch and kept for its retries.
    seq: Option<(i64, i16, i32)>,
    /// Its sequence was rewritten after an epoch bump.
    seq_reset: bool,
    transactional: bool,
}

impl Batch {
    fn base_seq(&self) -> i32 {
        self.seq.map_or(NO_SEQUENCE, |s| s.2)
    }

    fn encode(&self, compression: protocol::Compression) -> Bytes {
        let simple: Vec<SimpleRecord> = self
            .records
            .iter()
            .map(|p| {
                let mut headers: Vec<Header> = p
                    .record
                    .headers
                    .iter()
                    .map(|(k, v)| Header {
                        key: k.clone(),
                        value: Some(v.clone().into_bytes()),
                    })
                    .collect();
                headers.push(Header {
                    key: SEND_HEADER.to_string(),
                    value: Some(p.send_id.clone().into_bytes()),
                });
                SimpleRecord {
                    timestamp: p.created_ms as i64,
                    key: p.record.key.clone(),
                    value: p.record.value.clone(),
                    headers,
                }
            })
            .collect();
        let mut batch = RecordBatch::from_simple(0, &simple);
        batch.compression = compression;
        if let Some((pid, epoch, seq)) = self.seq {
            batch.producer_id = pid;
            batch.producer_epoch = epoch;
            batch.base_sequence = seq;
            batch.is_transactional = self.transactional;
        }
        Bytes::from(batch.encode())
    }
}

/// The send numbers (`p:N`'s N) of a batch's records, in order.
fn send_numbers(records: &[Pending]) -> Vec<u64> {
    records
        .iter()
        .filter_map(|p| send_number(&p.send_id))
        .collect()
}

/// `p:7` -> 7: a send id's number (the producer's count of sends).
pub fn send_number(send_id: &str) -> Option<u64> {
    send_id.rsplit_once(':')?.1.parse().ok()
}

fn record_size(r: &ProducerRecord) -> usize {
    // DefaultRecord's size: the bodies plus a few varints of overhead.
    let h: usize = r.headers.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    r.key.as_ref().map_or(1, |k| k.len() + 1) + r.value.as_ref().map_or(1, |v| v.len() + 1) + h + 40
}

#[derive(Debug)]
struct InFlight {
    broker: BrokerId,
    sent_ms: u64,
    batches: Vec<Batch>,
}

#[derive(Debug)]
enum Awaiting {
    Produce(InFlight),
    Metadata {
        broker: BrokerId,
        sent_ms: u64,
    },
    /// A transactional request (or an idempotent producer's InitProducerId).
    Txn {
        broker: BrokerId,
        sent_ms: u64,
        request: TxnRequest,
    },
}

impl Awaiting {
    fn sent_ms(&self) -> u64 {
        match self {
            Awaiting::Produce(f) => f.sent_ms,
            Awaiting::Metadata { sent_ms, .. } | Awaiting::Txn { sent_ms, .. } => *sent_ms,
        }
    }

    fn broker(&self) -> BrokerId {
        match self {
            Awaiting::Produce(f) => f.broker,
            Awaiting::Metadata { broker, .. } | Awaiting::Txn { broker, .. } => *broker,
        }
    }
}

/// The producer client.
pub struct Producer {
    pub name: String,
    pub config: ProducerConfig,
    pub app: AppRecord,
    topo: Topology,
    client: u32,
    rng: u64,
    /// topic -> leader of each partition (-1: none known).
    metadata: BTreeMap<String, Vec<BrokerId>>,
    metadata_wanted: bool,
    metadata_retry_at: u64,
    next_metadata_broker: u32,
    /// Records for topics whose metadata is not known yet (`max.block.ms`).
    waiting: VecDeque<Pending>,
    /// The first `passed` waiting records' topics had no metadata at the
    /// last `admit_waiting` and the metadata has not changed since, so the
    /// next one starts after them (a large `send` stays linear).
    passed: usize,
    sticky: BTreeMap<String, i32>,
    round_robin: BTreeMap<String, i32>,
    batches: BTreeMap<TopicPartition, VecDeque<Batch>>,
    awaiting: BTreeMap<i32, Awaiting>,
    next_correlation_id: i32,
    /// `flush()` called: every batch is ready now, until all are done.
    flushing: bool,
    /// Brokers whose process is gone: connecting is refused at once (the
    /// host answers with a reset), as opposed to a partitioned or powered-off
    /// host, which only a timeout reveals.
    refused: BTreeSet<BrokerId>,
    /// Idempotence as the config resolves it (see `ProducerConfig::idempotent`).
    pub idempotent: bool,
    pub txn: TxnManager,
}

impl Producer {
    pub fn new(name: &str, client: u32, config: ProducerConfig, topo: Topology, seed: u64) -> Self {
        let idempotent = config.idempotent();
        let txn = TxnManager::new(
            config.transactional_id.clone(),
            config.transaction_timeout_ms,
        );
        Producer {
            name: name.to_string(),
            config,
            app: AppRecord::default(),
            topo,
            client,
            rng: seed ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(client as u64 + 1)),
            metadata: BTreeMap::new(),
            metadata_wanted: false,
            metadata_retry_at: 0,
            next_metadata_broker: client,
            waiting: VecDeque::new(),
            passed: 0,
            sticky: BTreeMap::new(),
            round_robin: BTreeMap::new(),
            batches: BTreeMap::new(),
            awaiting: BTreeMap::new(),
            next_correlation_id: 0,
            flushing: false,
            refused: BTreeSet::new(),
            idempotent,
            txn,
        }
    }

    /// The same application started again after a crash: same config and
    /// history, nothing of the old process's buffers.
    pub fn reset_process(&mut self, seed: u64) {
        let app = std::mem::take(&mut self.app);
        *self = Producer::new(
            &self.name,
            self.client,
            self.config.clone(),
            self.topo,
            seed ^ app.sends,
        );
        self.app = app;
    }

    pub fn topology(&self) -> Topology {
        self.topo
    }

    /// Records handed to `send()` whose fate the application does not know yet.
    pub fn incomplete(&self) -> usize {
        let in_flight: usize = self
            .awaiting
            .values()
            .map(|a| match a {
                Awaiting::Produce(f) => f.batches.iter().map(|b| b.records.len()).sum(),
                _ => 0,
            })
            .sum();
        let queued: usize = self
            .batches
            .values()
            .flatten()
            .map(|b| b.records.len())
            .sum();
        self.waiting.len() + queued + in_flight
    }

    fn next_random(&mut self) -> u64 {
        // SplitMix64: the client's own seeded stream (sticky partition picks).
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn start(&mut self, now: u64, out: &mut Vec<Output>) {
        out.push(Output::SetTimer {
            token: METADATA_MAX_AGE,
            at: now + self.config.metadata_max_age_ms,
            background: true,
        });
    }

    /// `KafkaProducer.send`: returns the send id, or the exception a
    /// transactional producer throws when it may not send now.
    pub fn send(
        &mut self,
        now: u64,
        record: ProducerRecord,
        out: &mut Vec<Output>,
    ) -> Result<String, String> {
        self.fail_if_not_ready_for_send()?;
        self.app.sends += 1;
        let send_id = format!("{}:{}", self.name, self.app.sends);
        let pending = Pending {
            send_id: send_id.clone(),
            record,
            created_ms: now,
            chosen: None,
        };
        if !self.metadata.contains_key(&pending.record.topic) {
            self.metadata_wanted = true;
        }
        self.waiting.push_back(pending);
        self.admit_waiting(now, out);
        self.run_sender(now, out);
        Ok(send_id)
    }

    /// `send()` for each of `records` at the same instant: they join the
    /// accumulator in order and the sender runs once after them (in Kafka's
    /// client it is another thread, woken by the appends), not once per
    /// record. Returns the send ids.
    pub fn send_many(
        &mut self,
        now: u64,
        records: Vec<ProducerRecord>,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, String> {
        self.fail_if_not_ready_for_send()?;
        let mut ids = Vec::with_capacity(records.len());
        for record in records {
            self.app.sends += 1;
            let send_id = format!("{}:{}", self.name, self.app.sends);
            if !self.metadata.contains_key(&record.topic) {
                self.metadata_wanted = true;
            }
            self.waiting.push_back(Pending {
                send_id: send_id.clone(),
                record,
                created_ms: now,
                chosen: None,
            });
            ids.push(send_id);
        }
        self.admit_waiting(now, out);
        self.run_sender(now, out);
        Ok(ids)
    }

    /// Moves the records `send()` is blocked on into the accumulator, in
    /// order: those whose topic has metadata, while buffer memory lasts
    /// (`KafkaProducer.doSend`: waitOnMetadata, ensureValidRecordSize,
    /// then the accumulator's allocation, which blocks when
    /// `buffer.memory` is used up). A record whose topic is still unknown
    /// is passed over.
    fn admit_waiting(&mut self, now: u64, out: &mut Vec<Output>) {
        // Records stay in place unless they leave (moving every waiting
        // record on each send made a large `send` quadratic).
        let mut i = self.passed.min(self.waiting.len());
        while i < self.waiting.len() {
            let p = &self.waiting[i];
            if !self.metadata.contains_key(&p.record.topic) {
                i += 1;
                continue;
            }
            let size = record_size(&p.record);
            let max = self.config.max_request_size;
            if size > max {
                self.app.notices.push(format!("RecordTooLargeException: The message is {size} bytes when serialized which is larger than {max}, which is the value of the max.request.size configuration."));
                let p = self.waiting.remove(i).expect("index in range");
                self.fail_record(p, ErrorCode::MessageTooLarge, out);
                continue;
            }
            if size as u64 > self.config.buffer_memory {
                self.app.notices.push(format!("RecordTooLargeException: The message is {size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration."));
                let p = self.waiting.remove(i).expect("index in range");
                self.fail_record(p, ErrorCode::MessageTooLarge, out);
                continue;
            }
            let mut p = self.waiting.remove(i).expect("index in range");
            let partition = match p.chosen {
                Some(c) => c,
                None => {
                    let (partition, reason) = self.partition_for(&p.record);
                    remember(
                        &mut self.app.choices,
                        PartitionChoice {
                            send_id: p.send_id.clone(),
                            tp: TopicPartition::new(&p.record.topic, partition),
                            key: p
                                .record
                                .key
                                .as_ref()
                                .map(|k| String::from_utf8_lossy(k).into_owned()),
                            reason,
                        },
                    );
                    partition
                }
            };
            let tp = TopicPartition::new(&p.record.topic, partition);
            let extra = if self.fits_open_batch(&tp, size) {
                0
            } else {
                size.max(self.config.batch_size) as u64
            };
            if self.memory_used() + extra > self.config.buffer_memory {
                // Blocked: it and every record after it wait.
                p.chosen = Some(partition);
                self.waiting.insert(i, p);
                break;
            }
            self.append(now, p, partition);
        }
        self.passed = i;
    }

    fn fits_open_batch(&self, tp: &TopicPartition, size: usize) -> bool {
        self.batches
            .get(tp)
            .and_then(|q| q.back())
            .is_some_and(|last| {
                last.attempts == 0
                    && last.seq.is_none()
                    && last.size + size <= self.config.batch_size
            })
    }

    /// Bytes of buffer memory held by unfinished batches (each at least
    /// `batch.size`, as `BufferPool` hands them out).
    fn memory_used(&self) -> u64 {
        let per = |b: &Batch| b.size.max(self.config.batch_size) as u64;
        let queued: u64 = self.batches.values().flatten().map(per).sum();
        let in_flight: u64 = self
            .awaiting
            .values()
            .map(|a| match a {
                Awaiting::Produce(f) => f.batches.iter().map(per).sum(),
                _ => 0,
            })
            .sum();
        queued + in_flight
    }

    /// `KafkaProducer.flush`: makes every batch sendable now.
    pub fn flush(&mut self, now: u64, out: &mut Vec<Output>) {
        self.flushing = true;
        self.run_sender(now, out);
    }

    /// The connection to `broker` closed (the process died): what is in
    /// flight there fails with NETWORK_EXCEPTION, as Kafka's
    /// `NetworkClient` reports a disconnect.
    pub fn on_disconnect(&mut self, now: u64, broker: BrokerId, out: &mut Vec<Output>) {
        self.refused.insert(broker);
        let ids: Vec<i32> = self
            .awaiting
            .iter()
            .filter(|(_, a)| a.broker() == broker)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.fail_request(now, id, ErrorCode::NetworkException, out);
        }
        self.run_sender(now, out);
    }

    /// The broker's process runs again: connections to it work.
    pub fn on_broker_started(&mut self, broker: BrokerId) {
        self.refused.remove(&broker);
    }

    pub fn on_message(&mut self, now: u64, from: Addr, msg: Msg, out: &mut Vec<Output>) {
        if let Msg::Response {
            correlation_id,
            response,
        } = msg
        {
            match (self.awaiting.remove(&correlation_id), response) {
                (Some(Awaiting::Metadata { .. }), Response::Metadata(m)) => {
                    self.on_metadata(now, m, out)
                }
                (Some(Awaiting::Produce(f)), Response::Produce(parts)) => {
                    self.on_produce_response(now, f, parts, out)
                }
                (Some(Awaiting::Txn { request, .. }), response) => {
                    self.on_txn_response(now, request, response, out)
                }
                (Some(other), _) => {
                    // A response of the wrong kind: treat it as a broken connection.
                    self.awaiting.insert(correlation_id, other);
                    self.fail_request(now, correlation_id, ErrorCode::NetworkException, out);
                }
                (None, _) => {
                    let _ = from; // a response to a request already timed out
                }
            }
        }
        self.run_sender(now, out);
    }

    pub fn on_timer(&mut self, now: u64, token: u64, out: &mut Vec<Output>) {
        if token == METADATA_MAX_AGE {
            self.metadata_wanted = true;
            out.push(Output::SetTimer {
                token,
                at: now + self.config.metadata_max_age_ms,
                background: true,
            });
        }
        self.run_sender(now, out);
    }

    // ---- partitioner and accumulator ----

    /// The partition for a record and why (the page shows the reason).
    fn partition_for(&mut self, record: &ProducerRecord) -> (i32, PartitionReason) {
        let n = self.metadata[&record.topic].len() as i32;
        if let Some(p) = record.partition {
            return (p, PartitionReason::Explicit);
        }
        let keys_ignored = match self.config.partitioner {
            Partitioner::RoundRobin => {
                let counter = self.round_robin.get(&record.topic).copied().unwrap_or(0);
                let (p, available) = self.round_robin(&record.topic);
                return (p, PartitionReason::RoundRobin { counter, available });
            }
            Partitioner::UniformSticky => record.key.is_some(),
            Partitioner::BuiltIn => match (&record.key, self.config.partitioner_ignore_keys) {
                (Some(key), false) => {
                    let hash = protocol::murmur2(key);
                    let reason = PartitionReason::Murmur2 {
                        hash,
                        partitions: n,
                    };
                    return (protocol::to_positive(hash) % n, reason);
                }
                (key, _) => key.is_some(),
            },
        };
        if let Some(&p) = self.sticky.get(&record.topic) {
            return (
                p,
                PartitionReason::Sticky {
                    new: false,
                    keys_ignored,
                },
            );
        }
        // StickyPartitionCache.nextPartition: a random partition with a
        // leader (any partition when none has one).
        let leaders = &self.metadata[&record.topic];
        let available: Vec<i32> = (0..n).filter(|&p| leaders[p as usize] >= 0).collect();
        let choice = if available.is_empty() {
            (self.next_random() % n as u64) as i32
        } else {
            available[(self.next_random() % available.len() as u64) as usize]
        };
        self.sticky.insert(record.topic.clone(), choice);
        (
            choice,
            PartitionReason::Sticky {
                new: true,
                keys_ignored,
            },
        )
    }

    /// `RoundRobinPartitioner.partition`: a per-topic counter over the
    /// partitions with a leader (over all when none has one).
    /// Returns the partition and how many partitions it dealt over.
    fn round_robin(&mut self, topic: &str) -> (i32, usize) {
        let counter = self.round_robin.entry(topic.to_string()).or_insert(0);
        let next = *counter;
        *counter = counter.wrapping_add(1);
        let leaders = &self.metadata[topic];
        let available: Vec<i32> = (0..leaders.len() as i32)
            .filter(|&p| leaders[p as usize] >= 0)
            .collect();
        let pos = protocol::to_positive(next);
        if available.is_empty() {
            (pos % leaders.len() as i32, leaders.len())
        } else {
            (available[pos as usize % available.len()], available.len())
        }
    }

    fn append(&mut self, now: u64, pending: Pending, p: i32) {
        let tp = TopicPartition::new(&pending.record.topic, p);
        let size = record_size(&pending.record);
        let batch_size = self.config.batch_size;
        if self.txn.is_transactional() {
            // `maybeAddPartition`: AddPartitionsToTxn before the first batch.
            let t = &mut self.txn;
            if !t.in_txn.contains(&tp) && !t.pending_partitions.contains(&tp) {
                t.new_partitions.insert(tp.clone());
            }
        }
        let transactional = self.txn.is_transactional();
        let queue = self.batches.entry(tp.clone()).or_default();
        if let Some(last) = queue.back_mut() {
            if last.attempts == 0 && last.seq.is_none() && last.size + size <= batch_size {
                last.size += size;
                last.records.push(pending);
                return;
            }
        }
        queue.push_back(Batch {
            tp,
            records: vec![pending],
            size,
            created_ms: now,
            attempts: 0,
            retry_at: 0,
            seq: None,
            seq_reset: false,
            transactional,
        });
    }

    // ---- sender ----

    fn in_flight_to(&self, broker: BrokerId) -> usize {
        self.awaiting
            .values()
            .filter(|a| matches!(a, Awaiting::Produce(f) if f.broker == broker))
            .count()
    }

    /// The partition's leader to send to; -1 when unknown or refusing
    /// connections (then metadata is refreshed until another one leads).
    fn leader(&self, tp: &TopicPartition) -> BrokerId {
        self.metadata
            .get(&*tp.topic)
            .and_then(|l| l.get(tp.partition as usize).copied())
            .filter(|b| !self.refused.contains(b))
            .unwrap_or(-1)
    }

    /// `Sender.runOnce`: time out what is overdue, ask for metadata if
    /// needed, send ready batches, arm the wakeup for the next deadline.
    fn run_sender(&mut self, now: u64, out: &mut Vec<Output>) {
        self.expire(now, out);
        // Memory freed by completed batches unblocks waiting sends.
        self.admit_waiting(now, out);
        self.maybe_request_metadata(now, out);
        let mut txn_busy = false;
        if self.idempotent {
            self.maybe_resolve_sequences();
            if self.txn.has_fatal_error() {
                // Nothing more is sent; what waits fails with the error.
                self.abort_undrained_batches(true, out);
            } else {
                if !self.txn.is_transactional() {
                    self.bump_idempotent_epoch_and_reset_id_if_needed();
                }
                txn_busy = self.maybe_send_txn_request(now, out);
            }
        }
        if !txn_busy {
            self.send_ready(now, out);
        }
        if self.flushing && self.incomplete() == 0 {
            self.flushing = false;
        }
        match self.next_deadline(now) {
            Some(at) => out.push(Output::SetTimer {
                token: WAKEUP,
                at,
                background: false,
            }),
            None => out.push(Output::CancelTimer(WAKEUP)),
        }
    }

    fn expire(&mut self, now: u64, out: &mut Vec<Output>) {
        let overdue: Vec<i32> = self
            .awaiting
            .iter()
            .filter(|(_, a)| now >= a.sent_ms() + self.config.request_timeout_ms)
            .map(|(id, _)| *id)
            .collect();
        for id in overdue {
            // Kafka disconnects on a request timeout; the batches retry.
            self.fail_request(now, id, ErrorCode::NetworkException, out);
        }
        // Batches in the accumulator past delivery.timeout.ms.
        let delivery = self.config.delivery_timeout_ms;
        let mut expired = Vec::new();
        for queue in self.batches.values_mut() {
            while queue
                .front()
                .is_some_and(|b| now >= b.created_ms + delivery)
            {
                expired.push(queue.pop_front().expect("front exists"));
            }
        }
        for b in expired {
            let sent = b.attempts > 0 && b.seq.is_some();
            let tp = b.tp.clone();
            // Not an adjusting failure: whether it was written is unknown.
            self.fail_batch_adjust(b, ErrorCode::RequestTimedOut, false, out);
            if sent {
                // `markSequenceUnresolved`: no new batch drains until the
                // in-flight ones show where the sequence stands.
                self.txn.unresolved.insert(tp);
            }
        }
        let block = self.config.max_block_ms;
        while self
            .waiting
            .front()
            .is_some_and(|p| now >= p.created_ms + block)
        {
            let p = self.waiting.pop_front().expect("front exists");
            self.passed = 0;
            // `waitOnMetadata`'s TimeoutException, or BufferPool's
            // BufferExhaustedException (both Errors.REQUEST_TIMED_OUT).
            self.app.notices.push(if self.metadata.contains_key(&p.record.topic) {
                format!("BufferExhaustedException: Failed to allocate memory within the configured max blocking time {block} ms.")
            } else {
                format!(
                    "TimeoutException: Topic {} not present in metadata after {block} ms.",
                    p.record.topic
                )
            });
            self.fail_record(p, ErrorCode::RequestTimedOut, out);
        }
        self.batches.retain(|_, q| !q.is_empty());
    }

    fn needs_metadata(&self) -> bool {
        self.metadata_wanted
            || self
                .waiting
                .iter()
                .any(|p| !self.metadata.contains_key(&p.record.topic))
            || self.batches.keys().any(|tp| self.leader(tp) < 0)
    }

    fn maybe_request_metadata(&mut self, now: u64, out: &mut Vec<Output>) {
        let in_flight = self
            .awaiting
            .values()
            .any(|a| matches!(a, Awaiting::Metadata { .. }));
        if in_flight || !self.needs_metadata() || now < self.metadata_retry_at {
            return;
        }
        let broker = self.least_loaded_node();
        let mut topics: BTreeSet<String> = self.metadata.keys().cloned().collect();
        topics.extend(self.waiting.iter().map(|p| p.record.topic.clone()));
        let id = self.request(
            broker,
            Request::Metadata {
                topics: Some(topics.into_iter().collect()),
            },
            out,
        );
        self.awaiting.insert(
            id,
            Awaiting::Metadata {
                broker,
                sent_ms: now,
            },
        );
        self.metadata_wanted = false;
        self.metadata_retry_at = now + self.config.retry_backoff_ms;
    }

    /// leastLoadedNode, simplified: brokers in turn, skipping those that
    /// refuse connections (unless all do).
    fn least_loaded_node(&mut self) -> BrokerId {
        let n = self.topo.brokers;
        let mut broker = (self.next_metadata_broker % n) as BrokerId;
        for _ in 0..n {
            broker = (self.next_metadata_broker % n) as BrokerId;
            self.next_metadata_broker = self.next_metadata_broker.wrapping_add(1);
            if !self.refused.contains(&broker) {
                break;
            }
        }
        broker
    }

    fn request(&mut self, broker: BrokerId, request: Request, out: &mut Vec<Output>) -> i32 {
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        let correlation_id = self.next_correlation_id;
        out.push(Output::Send {
            to: Addr::Broker(broker),
            msg: Msg::Request {
                correlation_id,
                request,
            },
        });
        correlation_id
    }

    fn on_metadata(&mut self, now: u64, m: broker::api::MetadataResponse, out: &mut Vec<Output>) {
        let mut fresh: BTreeMap<String, Vec<BrokerId>> = BTreeMap::new();
        for ps in &m.partitions {
            let leaders = fresh.entry(ps.tp.topic.to_string()).or_default();
            let i = ps.tp.partition as usize;
            if leaders.len() <= i {
                leaders.resize(i + 1, -1);
            }
            // A leader the broker knows to be down is no leader to send to.
            leaders[i] = if m.brokers.contains(&ps.leader) {
                ps.leader
            } else {
                -1
            };
        }
        for (topic, leaders) in fresh {
            self.metadata.insert(topic, leaders);
        }
        self.passed = 0;
        // Records that were waiting for their topic's metadata.
        self.admit_waiting(now, out);
    }

    fn send_ready(&mut self, now: u64, out: &mut Vec<Output>) {
        let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        for (tp, queue) in &self.batches {
            let Some(first) = queue.front() else { continue };
            let leader = self.leader(tp);
            let ready = leader >= 0
                && now >= first.retry_at
                && (self.flushing
                    || queue.len() > 1
                    || first.size >= self.config.batch_size
                    || first.attempts > 0
                    || now >= first.created_ms + self.config.linger_ms)
                && !self.should_stop_drain(tp, first);
            if ready {
                by_leader.entry(leader).or_default().push(tp.clone());
            }
        }
        for (leader, tps) in by_leader {
            if self.in_flight_to(leader) >= self.config.max_in_flight {
                continue;
            }
            let mut batches = Vec::new();
            for tp in tps {
                let queue = self
                    .batches
                    .get_mut(&tp)
                    .expect("ready partition has batches");
                let mut batch = queue.pop_front().expect("ready partition has a batch");
                if self.idempotent && batch.seq.is_none() {
                    let n = batch.records.len() as i32;
                    batch.seq = Some(self.txn.assign_sequence(&tp, n));
                }
                let queue = self.batches.get_mut(&tp).expect("still there");
                if queue.is_empty() {
                    self.batches.remove(&tp);
                }
                // The sticky partition moves on once its batch is sent.
                if self.sticky.get(&*tp.topic) == Some(&tp.partition) {
                    self.sticky.remove(&*tp.topic);
                }
                batches.push(batch);
            }
            self.send_produce(now, leader, batches, out);
        }
    }

    fn send_produce(
        &mut self,
        now: u64,
        leader: BrokerId,
        mut batches: Vec<Batch>,
        out: &mut Vec<Output>,
    ) {
        let codec = self.config.compression;
        self.app.produce_requests += 1;
        let partitions = batches
            .iter_mut()
            .map(|b| {
                b.attempts += 1;
                self.app.attempts += b.records.len() as u64;
                ProducePartition {
                    tp: b.tp.clone(),
                    records: b.encode(codec),
                }
            })
            .collect();
        // Which sends this request carries, per partition in batch order:
        // the record inspector finds a send's request and offset by it.
        out.push(Output::Event {
            kind: "producer-send",
            detail: json!({
                "broker": leader,
                "batches": batches
                    .iter()
                    .map(|b| json!({"partition": b.tp.to_string(), "sends": send_numbers(&b.records)}))
                    .collect::<Vec<_>>(),
            }),
        });
        let request = ProduceRequest {
            acks: self.config.acks,
            timeout_ms: self.config.request_timeout_ms,
            transactional_id: self.txn.transactional_id.clone(),
            partitions,
        };
        let id = self.request(leader, Request::Produce(request), out);
        if self.config.acks == 0 {
            // No response will come: the records count as sent, offset unknown.
            for b in batches {
                self.complete_batch(b, -1, out);
            }
        } else {
            self.awaiting.insert(
                id,
                Awaiting::Produce(InFlight {
                    broker: leader,
                    sent_ms: now,
                    batches,
                }),
            );
        }
    }

    fn on_produce_response(
        &mut self,
        now: u64,
        f: InFlight,
        parts: Vec<broker::api::ProducePartitionResponse>,
        out: &mut Vec<Output>,
    ) {
        let mut by_tp: BTreeMap<TopicPartition, broker::api::ProducePartitionResponse> =
            parts.into_iter().map(|p| (p.tp.clone(), p)).collect();
        for b in f.batches {
            match by_tp.remove(&b.tp) {
                Some(r) if r.error == ErrorCode::None => self.complete_batch(b, r.base_offset, out),
                Some(r) => self.retry_or_fail_with(now, b, r.error, r.log_start_offset, out),
                None => self.retry_or_fail(now, b, ErrorCode::UnknownServerError, out),
            }
        }
    }

    fn fail_request(&mut self, now: u64, id: i32, error: ErrorCode, out: &mut Vec<Output>) {
        match self.awaiting.remove(&id) {
            Some(Awaiting::Produce(f)) => {
                for b in f.batches {
                    self.retry_or_fail(now, b, error, out);
                }
                self.metadata_wanted = true;
            }
            Some(Awaiting::Metadata { .. }) => {
                self.metadata_wanted = true;
                self.metadata_retry_at = now + self.config.retry_backoff_ms;
            }
            Some(Awaiting::Txn { request, .. }) => self.on_txn_request_failed(now, request),
            None => {}
        }
    }

    fn retry_or_fail(&mut self, now: u64, b: Batch, error: ErrorCode, out: &mut Vec<Output>) {
        self.retry_or_fail_with(now, b, error, -1, out)
    }

    /// `Sender.completeBatch` with an error: retry if Kafka would
    /// (`Sender.canRetry`, with `TransactionManager.canRetry`'s rules for
    /// sequence errors when idempotent).
    fn retry_or_fail_with(
        &mut self,
        now: u64,
        mut b: Batch,
        error: ErrorCode,
        log_start_offset: i64,
        out: &mut Vec<Output>,
    ) {
        let in_time = b.attempts <= self.config.retries
            && now < b.created_ms + self.config.delivery_timeout_ms;
        let can_retry = in_time
            && if self.idempotent && b.seq.is_some() {
                self.txn
                    .can_retry(&b.tp, b.base_seq(), b.seq_reset, error, log_start_offset)
            } else {
                error.retriable()
            };
        if !can_retry {
            if error == ErrorCode::DuplicateSequenceNumber && self.idempotent {
                // Written before, but the broker no longer has its offsets:
                // success without an offset.
                return self.complete_batch(b, -1, out);
            }
            let adjust = b.attempts <= self.config.retries;
            return self.fail_batch_adjust(b, error, adjust, out);
        }
        if matches!(
            error,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::LeaderNotAvailable
        ) {
            self.metadata_wanted = true;
        }
        out.push(Output::Event {
            kind: "producer-retry",
            detail: json!({"partition": b.tp.to_string(), "error": error.name(), "attempts": b.attempts, "sends": send_numbers(&b.records)}),
        });
        b.retry_at = now + self.config.retry_backoff_ms;
        let queue = self.batches.entry(b.tp.clone()).or_default();
        if b.seq.is_some() {
            // `insertInSequenceOrder`: before the first batch with a higher
            // sequence or none.
            let seq = b.base_seq();
            let at = queue
                .iter()
                .position(|q| q.seq.is_none() || q.base_seq() > seq)
                .unwrap_or(queue.len());
            queue.insert(at, b);
        } else {
            // Reenqueued at the front: retries go before newer batches.
            queue.push_front(b);
        }
    }

    fn complete_batch(&mut self, b: Batch, base_offset: i64, out: &mut Vec<Output>) {
        let sends = send_numbers(&b.records);
        if let Some(seq) = b.seq {
            self.txn
                .on_completed(&b.tp, seq, b.records.len() as i32, base_offset);
        }
        for (i, p) in b.records.into_iter().enumerate() {
            let offset = if base_offset < 0 {
                -1
            } else {
                base_offset + i as i64
            };
            self.app.acked.push(Acked {
                tp: b.tp.clone(),
                offset,
                value: value_text(&p),
                send_id: p.send_id,
            });
        }
        out.push(Output::Event {
            kind: "producer-ack",
            detail: json!({"partition": b.tp.to_string(), "base_offset": base_offset, "acked": self.app.acked.len(), "sends": sends}),
        });
    }

    /// `Sender.failBatch`: the application learns the error; the
    /// transaction manager adjusts (`adjust`: the batch did not exhaust its
    /// retries, so its sequence was surely not written).
    fn fail_batch_adjust(
        &mut self,
        b: Batch,
        error: ErrorCode,
        adjust: bool,
        out: &mut Vec<Output>,
    ) {
        if let Some((_, _, seq)) = b.seq {
            self.txn.on_failed(&b.tp, seq, error, adjust);
        }
        for p in b.records {
            self.fail_record(p, error, out);
        }
    }

    fn fail_record(&mut self, p: Pending, error: ErrorCode, out: &mut Vec<Output>) {
        self.app.errors.insert(error.name().to_string());
        out.push(Output::Event {
            kind: "producer-error",
            detail: json!({"send": p.send_id, "error": error.name()}),
        });
        self.app
            .failed
            .push(Failed::of(p, error.name().to_string()));
    }

    fn next_deadline(&self, now: u64) -> Option<u64> {
        let mut at = u64::MAX;
        for a in self.awaiting.values() {
            at = at.min(a.sent_ms() + self.config.request_timeout_ms);
        }
        if self.txn.has_pending() && self.txn.in_flight.is_none() {
            at = at.min(self.txn.retry_at);
        }
        for (tp, queue) in &self.batches {
            for b in queue {
                at = at.min(b.created_ms + self.config.delivery_timeout_ms);
            }
            if let Some(first) = queue.front() {
                let leader = self.leader(tp);
                // A partition held back by the in-flight cap is woken by a response.
                if leader >= 0 && self.in_flight_to(leader) < self.config.max_in_flight {
                    let linger = if first.attempts > 0 {
                        0
                    } else {
                        first.created_ms + self.config.linger_ms
                    };
                    at = at.min(first.retry_at.max(linger));
                }
            }
        }
        if let Some(p) = self.waiting.front() {
            at = at.min(p.created_ms + self.config.max_block_ms);
        }
        if self.needs_metadata()
            && !self
                .awaiting
                .values()
                .any(|a| matches!(a, Awaiting::Metadata { .. }))
        {
            at = at.min(self.metadata_retry_at);
        }
        // Whatever was due by now has just been done, so the next deadline
        // is in the future; `now + 1` guards against a timer loop at `now`.
        (at != u64::MAX).then_some(at.max(now + 1))
    }
}

#[path = "producer_sender_txn.rs"]
mod sender_txn;

#[cfg(test)]
#[path = "producer_tests.rs"]
mod tests;

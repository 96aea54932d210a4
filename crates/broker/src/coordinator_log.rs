//! What the group and transaction coordinators need from the replica
//! manager: their records appended to `__consumer_offsets` /
//! `__transaction_state` as the partition's leader and reported once the
//! high watermark passes them (Kafka's `appendRecords` with acks=-1 and a
//! `DelayedProduce`), and the partition's records read back when this
//! broker becomes its leader (`loadGroupsAndOffsets`,
//! `loadTransactionsForTxnTopicPartition`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::Bytes;
use protocol::batch::{BatchHeader, RecordBatch, SimpleRecord, NO_SEQUENCE};
use protocol::ErrorCode;

use crate::api::{Addr, BrokerId, TopicPartition};
use crate::{timers, Broker};

pub const GROUP_METADATA_TOPIC: &str = "__consumer_offsets";
pub const TRANSACTION_STATE_TOPIC: &str = "__transaction_state";

/// Whose append it is; the id is the coordinator's own append id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppendOwner {
    Group(coordinator::AppendId),
    Txn(transaction::AppendId),
}

/// A coordinator append waiting for the HW (acks=-1).
#[derive(Debug, Clone)]
pub(crate) struct PendingAppend {
    pub owner: AppendOwner,
    pub tp: TopicPartition,
    pub leader_epoch: i32,
    pub base_offset: i64,
    /// The HW that acknowledges it (last offset + 1).
    pub required: i64,
}

/// How a coordinator's batch is written.
pub(crate) struct CoordinatorBatch {
    pub timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub transactional: bool,
    /// -1: wait for the ISR (and check min.insync.replicas); 0: fire and forget.
    pub required_acks: i16,
    pub records: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

/// The broker's side of hosting both coordinators.
#[derive(Debug, Default)]
pub struct CoordinatorHost {
    next_request_id: u64,
    /// Coordinator request id -> who asked.
    pub(crate) requests: BTreeMap<u64, (Addr, i32)>,
    next_append: u64,
    /// Keyed by a local sequence (also the timeout timer's suffix).
    pub(crate) appends: BTreeMap<u64, PendingAppend>,
    /// Appends that failed at once (not leader, NOT_ENOUGH_REPLICAS, ...),
    /// reported from the drain loop so no coordinator call nests in another.
    pub(crate) failed: VecDeque<(AppendOwner, ErrorCode)>,
    /// Transaction coordinator appends that failed at once: reported after
    /// the retry backoff, because the coordinator retries some writes
    /// right away (Kafka's marker channel retries on its next loop).
    pub(crate) failed_later: Vec<(AppendOwner, ErrorCode)>,
    /// Internal partitions this broker leads and has loaded, with the
    /// leader epoch they were loaded at.
    pub(crate) loaded: BTreeMap<TopicPartition, i32>,
    /// Internal topics whose creation this broker has asked ZooKeeper for.
    pub(crate) creating: BTreeSet<String>,
    /// When the transaction coordinator's periodic timer is armed for.
    pub(crate) txn_timer_at: Option<u64>,
    pub(crate) markers: crate::txn_markers::MarkerState,
}

impl CoordinatorHost {
    pub(crate) fn request_id(&mut self, from: Addr, correlation_id: i32) -> u64 {
        self.next_request_id += 1;
        self.requests
            .insert(self.next_request_id, (from, correlation_id));
        self.next_request_id
    }
}

/// One batch as the coordinators' loaders want it.
pub(crate) struct LoadedBatch {
    pub header: BatchHeader,
    pub batch: RecordBatch,
}

impl Broker {
    /// Appends a coordinator's batch as leader. Completion (or failure) is
    /// reported from [`Broker::run_coordinators`].
    pub(crate) fn coordinator_append(
        &mut self,
        owner: AppendOwner,
        tp: TopicPartition,
        b: CoordinatorBatch,
    ) {
        if let Err(code) = self.try_coordinator_append(owner, tp, b) {
            match owner {
                AppendOwner::Group(_) => self.coord.failed.push_back((owner, code)),
                AppendOwner::Txn(_) => {
                    self.coord.failed_later.push((owner, code));
                    self.arm_txn_retry();
                }
            }
        }
    }

    fn try_coordinator_append(
        &mut self,
        owner: AppendOwner,
        tp: TopicPartition,
        b: CoordinatorBatch,
    ) -> Result<(), ErrorCode> {
        let me = self.id();
        let now = self.now;
        let min_isr = self.min_isr_of(&tp);
        let Some(p) = self.partitions.get_mut(&tp).filter(|p| p.is_leader(me)) else {
            return Err(ErrorCode::NotLeaderOrFollower);
        };
        if b.required_acks == -1 && (p.isr.len() as i32) < min_isr {
            return Err(ErrorCode::NotEnoughReplicas);
        }
        let records: Vec<SimpleRecord> = b
            .records
            .into_iter()
            .map(|(key, value)| SimpleRecord {
                timestamp: b.timestamp,
                key: Some(key),
                value,
                headers: vec![],
            })
            .collect();
        let mut batch = RecordBatch::from_simple(0, &records);
        batch.producer_id = b.producer_id;
        batch.producer_epoch = b.producer_epoch;
        batch.is_transactional = b.transactional;
        // A transactional offset commit is one producer batch; its
        // sequence is not checked for coordinator appends.
        batch.base_sequence = if b.producer_id >= 0 { 0 } else { NO_SEQUENCE };
        let bytes = batch.encode();
        let epoch = p.leader_epoch;
        let (first, last) = p.log.append_as_coordinator(&bytes, epoch, now)?;
        if p.maybe_increment_hw(me) {
            self.on_hw_moved(&tp);
        }
        self.coord.next_append += 1;
        let seq = self.coord.next_append;
        self.coord.appends.insert(
            seq,
            PendingAppend {
                owner,
                tp,
                leader_epoch: epoch,
                base_offset: first,
                required: last + 1,
            },
        );
        let timeout = match owner {
            AppendOwner::Group(_) => self.config.offsets_commit_timeout_ms,
            AppendOwner::Txn(_) => self.config.request_timeout_ms,
        };
        self.set_timer(timers::COORDINATOR_APPEND + seq, now + timeout);
        // Followers parked on a fetch learn of the new data now.
        self.try_complete_delayed_fetches();
        Ok(())
    }

    pub(crate) fn min_isr_of(&self, tp: &TopicPartition) -> i32 {
        let cfg = self
            .partitions
            .get(tp)
            .map(|p| p.topic_config.clone())
            .unwrap_or_default();
        self.config.min_isr_for(&cfg)
    }

    /// Appends whose fate is known: replicated, or leadership lost.
    pub(crate) fn take_completed_appends(&mut self) -> Vec<(AppendOwner, Result<i64, ErrorCode>)> {
        let me = self.id();
        let mut done = Vec::new();
        let mut out: Vec<(AppendOwner, Result<i64, ErrorCode>)> = self
            .coord
            .failed
            .drain(..)
            .map(|(o, e)| (o, Err(e)))
            .collect();
        for (seq, a) in &self.coord.appends {
            let min_isr = self.min_isr_of(&a.tp);
            let result = match self.partitions.get(&a.tp) {
                Some(p) if p.is_leader(me) && p.leader_epoch == a.leader_epoch => {
                    if p.hw() < a.required {
                        continue;
                    }
                    if (p.isr.len() as i32) < min_isr {
                        Err(ErrorCode::NotEnoughReplicasAfterAppend)
                    } else {
                        Ok(a.base_offset)
                    }
                }
                _ => Err(ErrorCode::NotLeaderOrFollower),
            };
            done.push(*seq);
            out.push((a.owner, result));
        }
        for seq in done {
            self.coord.appends.remove(&seq);
            self.cancel_timer(timers::COORDINATOR_APPEND + seq);
        }
        out
    }

    pub(crate) fn coordinator_append_timed_out(&mut self, seq: u64) {
        if let Some(a) = self.coord.appends.remove(&seq) {
            self.coord
                .failed
                .push_back((a.owner, ErrorCode::RequestTimedOut));
        }
    }

    /// The whole partition, from its log start to its LEO, decoded. Kafka's
    /// loaders read to the log end offset: the new leader's log is what
    /// every follower will converge to.
    pub(crate) fn read_internal_partition(
        &self,
        tp: &TopicPartition,
    ) -> Result<Vec<LoadedBatch>, String> {
        let Some(p) = self.partitions.get(tp) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (header, bytes) in p.log.batches(p.log.log_start(), p.leo()) {
            let batch = decode(&bytes)
                .map_err(|e| format!("batch at offset {}: {e}", header.base_offset))?;
            out.push(LoadedBatch { header, batch });
        }
        Ok(out)
    }

    /// The leader of `tp` as the metadata cache knows it (`None`: the topic
    /// is unknown; `Some(-1)`: no leader right now).
    pub(crate) fn leader_of(&self, tp: &TopicPartition) -> Option<BrokerId> {
        self.metadata.partitions.get(tp).map(|s| s.leader)
    }
}

fn decode(bytes: &Bytes) -> Result<RecordBatch, String> {
    RecordBatch::decode(bytes)
        .map(|(b, _)| b)
        .map_err(|e| format!("{e:?}"))
}

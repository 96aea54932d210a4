//! Kafka's `TransactionMetadata` and `TxnTransitMetadata`: one transactional
//! id's producer id/epoch, state and partitions, changed in two steps. A
//! `prepare_*` call checks the transition, marks it pending and returns the
//! target (what gets written to `__transaction_state`); once the write is
//! replicated [`TransactionMetadata::complete_transition_to`] applies it.
//! While a transition is pending every other request sees
//! CONCURRENT_TRANSACTIONS.
//!
//! Where Kafka throws `IllegalStateException` these return
//! [`IllegalTransition`]; the coordinator answers UNKNOWN_SERVER_ERROR, as
//! Kafka's request handler does for an uncaught exception.

use std::collections::BTreeSet;
use std::fmt;

use crate::state::TransactionState::{self, *};

/// `RecordBatch.NO_PRODUCER_ID`
pub const NO_PRODUCER_ID: i64 = -1;
/// `RecordBatch.NO_PRODUCER_EPOCH`
pub const NO_PRODUCER_EPOCH: i16 = -1;

/// A topic partition, ordered by topic then partition (so every set and
/// map of them iterates deterministically).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: &str, partition: i32) -> Self {
        TopicPartition {
            topic: topic.to_string(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// `TransactionMetadata.isEpochExhausted`: the last two epochs are kept
/// back so fencing (which bumps once more) can never overflow.
pub fn is_epoch_exhausted(producer_epoch: i16) -> bool {
    producer_epoch >= i16::MAX - 1
}

/// The target of a pending transition: exactly what is written to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnTransitMetadata {
    pub producer_id: i64,
    pub last_producer_id: i64,
    pub producer_epoch: i16,
    pub last_producer_epoch: i16,
    pub txn_timeout_ms: i32,
    pub txn_state: TransactionState,
    pub topic_partitions: BTreeSet<TopicPartition>,
    pub txn_start_timestamp: i64,
    pub txn_last_update_timestamp: i64,
}

/// A transition Kafka would refuse with `IllegalStateException` (or
/// `IllegalArgumentException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub transactional_id: String,
    pub from: TransactionState,
    pub to: TransactionState,
    pub reason: &'static str,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transactional id {}: illegal transition {} -> {}: {}",
            self.transactional_id, self.from, self.to, self.reason
        )
    }
}

impl std::error::Error for IllegalTransition {}

/// One transactional id's state (Kafka's `TransactionMetadata`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionMetadata {
    pub transactional_id: String,
    pub producer_id: i64,
    /// The producer id before the last transition (KIP-360: a retry of an
    /// InitProducerId that rotated the id is recognised by it).
    pub last_producer_id: i64,
    pub producer_epoch: i16,
    /// The epoch before the last bump, -1 once a new producer fenced it.
    pub last_producer_epoch: i16,
    pub txn_timeout_ms: i32,
    pub state: TransactionState,
    pub topic_partitions: BTreeSet<TopicPartition>,
    /// -1 when no transaction has started.
    pub txn_start_timestamp: i64,
    pub txn_last_update_timestamp: i64,
    /// The state a prepared, not yet durable, transition leads to.
    pub pending_state: Option<TransactionState>,
    /// An epoch fence whose log write failed: the epoch is already bumped
    /// in memory (never returned to a client), so the next fence reuses it
    /// instead of bumping again.
    pub has_failed_epoch_fence: bool,
}

impl TransactionMetadata {
    /// A metadata in `state` with no pending transition.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        transactional_id: &str,
        producer_id: i64,
        last_producer_id: i64,
        producer_epoch: i16,
        last_producer_epoch: i16,
        txn_timeout_ms: i32,
        state: TransactionState,
        topic_partitions: BTreeSet<TopicPartition>,
        txn_start_timestamp: i64,
        txn_last_update_timestamp: i64,
    ) -> Self {
        TransactionMetadata {
            transactional_id: transactional_id.to_string(),
            producer_id,
            last_producer_id,
            producer_epoch,
            last_producer_epoch,
            txn_timeout_ms,
            state,
            topic_partitions,
            txn_start_timestamp,
            txn_last_update_timestamp,
            pending_state: None,
            has_failed_epoch_fence: false,
        }
    }

    /// What `handleInitProducerId` creates for an unknown transactional id:
    /// Empty, epoch -1 (the first bump makes it 0).
    pub fn fresh(transactional_id: &str, producer_id: i64, txn_timeout_ms: i32, now: i64) -> Self {
        Self::new(
            transactional_id,
            producer_id,
            NO_PRODUCER_ID,
            NO_PRODUCER_EPOCH,
            NO_PRODUCER_EPOCH,
            txn_timeout_ms,
            Empty,
            BTreeSet::new(),
            -1,
            now,
        )
    }

    pub fn pending_transition_in_progress(&self) -> bool {
        self.pending_state.is_some()
    }

    pub fn is_producer_epoch_exhausted(&self) -> bool {
        is_epoch_exhausted(self.producer_epoch)
    }

    pub fn add_partitions(&mut self, partitions: impl IntoIterator<Item = TopicPartition>) {
        self.topic_partitions.extend(partitions);
    }

    /// A marker for `partition` is written: it no longer waits on one.
    pub fn remove_partition(&mut self, partition: &TopicPartition) {
        self.topic_partitions.remove(partition);
    }

    fn illegal(&self, to: TransactionState, reason: &'static str) -> IllegalTransition {
        IllegalTransition {
            transactional_id: self.transactional_id.clone(),
            from: self.state,
            to,
            reason,
        }
    }

    /// The current state as a transit (Kafka's `prepareNoTransit`), e.g. to
    /// write it as is.
    pub fn prepare_no_transit(&self) -> TxnTransitMetadata {
        TxnTransitMetadata {
            producer_id: self.producer_id,
            last_producer_id: self.last_producer_id,
            producer_epoch: self.producer_epoch,
            last_producer_epoch: self.last_producer_epoch,
            txn_timeout_ms: self.txn_timeout_ms,
            txn_state: self.state,
            topic_partitions: self.topic_partitions.clone(),
            txn_start_timestamp: self.txn_start_timestamp,
            txn_last_update_timestamp: self.txn_last_update_timestamp,
        }
    }

    /// Fence the current producer: bump the epoch (unless a previous fence
    /// already did and its write failed) and go to PrepareEpochFence.
    pub fn prepare_fence_producer_epoch(
        &mut self,
    ) -> Result<TxnTransitMetadata, IllegalTransition> {
        if self.producer_epoch == i16::MAX {
            return Err(self.illegal(PrepareEpochFence, "cannot fence an epoch of Short.MaxValue"));
        }
        let bumped = if self.has_failed_epoch_fence {
            self.producer_epoch
        } else {
            self.producer_epoch + 1
        };
        self.prepare_transition_to(
            PrepareEpochFence,
            self.producer_id,
            bumped,
            NO_PRODUCER_EPOCH,
            self.txn_timeout_ms,
            self.topic_partitions.clone(),
            self.txn_start_timestamp,
            self.txn_last_update_timestamp,
        )
    }

    /// InitProducerId on a known id (KIP-360). `expected_producer_epoch` is
    /// the epoch the producer says it has (None for a new producer): the
    /// current one bumps, the previous one is a retry of a bump that
    /// succeeded (answered again without bumping), anything else is fenced.
    ///
    /// `Ok(Err(PRODUCER_FENCED))`-style: the outer error is an illegal
    /// transition, the inner `false` means fenced.
    pub fn prepare_increment_producer_epoch(
        &mut self,
        new_txn_timeout_ms: i32,
        expected_producer_epoch: Option<i16>,
        now: i64,
    ) -> Result<Result<TxnTransitMetadata, Fenced>, IllegalTransition> {
        if self.is_producer_epoch_exhausted() {
            return Err(self.illegal(Empty, "cannot allocate any more producer epochs"));
        }
        let bumped = self.producer_epoch + 1;
        let (next, last) = match expected_producer_epoch {
            None => (bumped, NO_PRODUCER_EPOCH),
            Some(e) if self.producer_epoch == NO_PRODUCER_EPOCH || e == self.producer_epoch => {
                (bumped, self.producer_epoch)
            }
            // Checked after the -1 case on purpose: a last epoch of -1 is
            // "fenced by a new producer", never a retry.
            Some(e) if e == self.last_producer_epoch => {
                (self.producer_epoch, self.last_producer_epoch)
            }
            Some(_) => return Ok(Err(Fenced)),
        };
        self.prepare_transition_to(
            Empty,
            self.producer_id,
            next,
            last,
            new_txn_timeout_ms,
            BTreeSet::new(),
            -1,
            now,
        )
        .map(Ok)
    }

    /// The epochs of this producer id are exhausted: continue with a new id
    /// at epoch 0. `record_last_epoch` keeps the old epoch so a retry from
    /// the producer that asked is recognised.
    pub fn prepare_producer_id_rotation(
        &mut self,
        new_producer_id: i64,
        new_txn_timeout_ms: i32,
        now: i64,
        record_last_epoch: bool,
    ) -> Result<TxnTransitMetadata, IllegalTransition> {
        if matches!(self.state, Ongoing | PrepareCommit | PrepareAbort) {
            return Err(self.illegal(
                Empty,
                "cannot rotate producer ids while a transaction is pending",
            ));
        }
        let last = if record_last_epoch {
            self.producer_epoch
        } else {
            NO_PRODUCER_EPOCH
        };
        self.prepare_transition_to(
            Empty,
            new_producer_id,
            0,
            last,
            new_txn_timeout_ms,
            BTreeSet::new(),
            -1,
            now,
        )
    }

    /// AddPartitionsToTxn: Ongoing with the union of partitions; a new
    /// transaction starts its clock now.
    pub fn prepare_add_partitions(
        &mut self,
        added: &BTreeSet<TopicPartition>,
        now: i64,
    ) -> Result<TxnTransitMetadata, IllegalTransition> {
        let start = match self.state {
            Empty | CompleteAbort | CompleteCommit => now,
            _ => self.txn_start_timestamp,
        };
        let partitions = self.topic_partitions.union(added).cloned().collect();
        self.prepare_transition_to(
            Ongoing,
            self.producer_id,
            self.producer_epoch,
            self.last_producer_epoch,
            self.txn_timeout_ms,
            partitions,
            start,
            now,
        )
    }

    /// EndTxn: PrepareCommit or PrepareAbort, same partitions.
    pub fn prepare_abort_or_commit(
        &mut self,
        new_state: TransactionState,
        now: i64,
    ) -> Result<TxnTransitMetadata, IllegalTransition> {
        if !matches!(new_state, PrepareCommit | PrepareAbort) {
            return Err(self.illegal(new_state, "not a prepare state"));
        }
        self.prepare_transition_to(
            new_state,
            self.producer_id,
            self.producer_epoch,
            self.last_producer_epoch,
            self.txn_timeout_ms,
            self.topic_partitions.clone(),
            self.txn_start_timestamp,
            now,
        )
    }

    /// Every marker is written: CompleteCommit/CompleteAbort, no partitions.
    pub fn prepare_complete(&mut self, now: i64) -> Result<TxnTransitMetadata, IllegalTransition> {
        let new_state = if self.state == PrepareCommit {
            CompleteCommit
        } else {
            CompleteAbort
        };
        // The prepare record is durable, so an earlier failed fence is moot.
        self.has_failed_epoch_fence = false;
        self.prepare_transition_to(
            new_state,
            self.producer_id,
            self.producer_epoch,
            self.last_producer_epoch,
            self.txn_timeout_ms,
            BTreeSet::new(),
            self.txn_start_timestamp,
            now,
        )
    }

    /// The transactional id expired: a tombstone is written.
    pub fn prepare_dead(&mut self) -> Result<TxnTransitMetadata, IllegalTransition> {
        self.prepare_transition_to(
            Dead,
            self.producer_id,
            self.producer_epoch,
            self.last_producer_epoch,
            self.txn_timeout_ms,
            BTreeSet::new(),
            self.txn_start_timestamp,
            self.txn_last_update_timestamp,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn prepare_transition_to(
        &mut self,
        new_state: TransactionState,
        new_producer_id: i64,
        new_epoch: i16,
        new_last_epoch: i16,
        new_txn_timeout_ms: i32,
        new_topic_partitions: BTreeSet<TopicPartition>,
        new_txn_start_timestamp: i64,
        update_timestamp: i64,
    ) -> Result<TxnTransitMetadata, IllegalTransition> {
        if self.pending_state.is_some() {
            return Err(self.illegal(new_state, "a transition is already pending"));
        }
        if new_producer_id < 0 {
            return Err(self.illegal(new_state, "illegal new producer id"));
        }
        // A freshly created id has epoch -1 until its first bump; only Dead
        // may carry it.
        if new_state != Dead && new_epoch < 0 {
            return Err(self.illegal(new_state, "illegal new producer epoch"));
        }
        if !new_state.can_transition_from(self.state) {
            return Err(self.illegal(new_state, "not a valid previous state of the target"));
        }
        self.pending_state = Some(new_state);
        Ok(TxnTransitMetadata {
            producer_id: new_producer_id,
            last_producer_id: self.producer_id,
            producer_epoch: new_epoch,
            last_producer_epoch: new_last_epoch,
            txn_timeout_ms: new_txn_timeout_ms,
            txn_state: new_state,
            topic_partitions: new_topic_partitions,
            txn_start_timestamp: new_txn_start_timestamp,
            txn_last_update_timestamp: update_timestamp,
        })
    }

    /// The transit's record is durable: apply it, after Kafka's checks
    /// (the pending state matches; the epoch is the same, one more, or 0
    /// with a new id; partitions only grow while Ongoing; ...).
    pub fn complete_transition_to(
        &mut self,
        t: &TxnTransitMetadata,
    ) -> Result<(), IllegalTransition> {
        let to = match self.pending_state {
            Some(s) => s,
            None => return Err(self.illegal(t.txn_state, "no pending transition")),
        };
        if to != t.txn_state {
            return Err(self.illegal(t.txn_state, "pending state differs"));
        }
        let same_epoch =
            t.producer_epoch == self.producer_epoch && t.producer_id == self.producer_id;
        let valid_bump = t.producer_epoch as i32 == self.producer_epoch as i32 + 1
            || (t.producer_epoch == 0 && t.producer_id != self.producer_id);
        let ok = match to {
            Empty => {
                (self.producer_epoch == t.producer_epoch || valid_bump)
                    && t.topic_partitions.is_empty()
                    && t.txn_start_timestamp == -1
            }
            Ongoing => {
                same_epoch
                    && self.topic_partitions.is_subset(&t.topic_partitions)
                    && self.txn_timeout_ms == t.txn_timeout_ms
            }
            PrepareAbort | PrepareCommit => {
                same_epoch
                    && self.topic_partitions == t.topic_partitions
                    && self.txn_timeout_ms == t.txn_timeout_ms
                    && self.txn_start_timestamp == t.txn_start_timestamp
            }
            CompleteAbort | CompleteCommit => {
                same_epoch && self.txn_timeout_ms == t.txn_timeout_ms && t.txn_start_timestamp != -1
            }
            // Never completed: the fence is replaced by PrepareAbort, and a
            // Dead id is removed from the cache instead.
            PrepareEpochFence | Dead => false,
        };
        // No check on the update timestamp: Kafka tolerates the clock going
        // back between two transitions.
        if !ok {
            return Err(self.illegal(to, "transit metadata does not follow the current metadata"));
        }
        self.producer_id = t.producer_id;
        self.last_producer_id = t.last_producer_id;
        self.producer_epoch = t.producer_epoch;
        self.last_producer_epoch = t.last_producer_epoch;
        self.txn_timeout_ms = t.txn_timeout_ms;
        self.topic_partitions = t.topic_partitions.clone();
        self.txn_start_timestamp = t.txn_start_timestamp;
        self.txn_last_update_timestamp = t.txn_last_update_timestamp;
        self.pending_state = None;
        self.state = to;
        Ok(())
    }
}

/// InitProducerId from a producer whose epoch is neither the current nor
/// the previous one: PRODUCER_FENCED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fenced;

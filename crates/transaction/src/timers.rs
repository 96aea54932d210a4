//! The two periodic jobs Kafka schedules at startup: aborting transactions
//! that outlived their timeout (`abortTimedOutTransactions`, every
//! `transaction.abort.timed.out.transaction.cleanup.interval.ms`) and
//! removing transactional ids idle for `transactional.id.expiration.ms`
//! (`removeExpiredTransactionalIds`, every
//! `transaction.remove.expired.transaction.cleanup.interval.ms`). Like
//! Kafka, a transaction is aborted at the first check after its deadline,
//! not at the deadline itself.

use protocol::ErrorCode;

use crate::coordinator::{
    EndReply, EndTxnCtx, Output, PendingAppend, TransactionCoordinator, TxnLogRecord,
};
use crate::records::TransactionLogKey;
use crate::state::TransactionState::{self, *};

impl TransactionCoordinator {
    /// When to call [`TransactionCoordinator::on_timer`] next.
    pub fn next_deadline(&self) -> i64 {
        self.cx.next_abort_check.min(self.cx.next_expiration_check)
    }

    /// Runs the periodic checks that are due at `now` (calling early does
    /// nothing; a missed period is not run twice).
    pub fn on_timer(&mut self, now: i64) -> Vec<Output> {
        self.begin(now);
        let now = self.cx.now;
        if now >= self.cx.next_abort_check {
            self.abort_timed_out_transactions();
            let every = self.cx.config.abort_timed_out_transactions_interval_ms;
            self.cx.next_abort_check = next_period(self.cx.next_abort_check, every, now);
        }
        if now >= self.cx.next_expiration_check {
            self.remove_expired_transactional_ids();
            let every = self.cx.config.remove_expired_transactional_ids_interval_ms;
            self.cx.next_expiration_check = next_period(self.cx.next_expiration_check, every, now);
        }
        self.finish()
    }

    /// `abortTimedOutTransactions`: every Ongoing transaction, with no
    /// transition pending, started more than its timeout ago is fenced
    /// (epoch bump) and aborted.
    pub(crate) fn abort_timed_out_transactions(&mut self) {
        let now = self.cx.now;
        let timed_out: Vec<(String, i64)> = self
            .cache
            .partitions
            .values()
            .flat_map(|e| e.txns.values())
            .filter(|m| {
                m.pending_state.is_none()
                    && m.state == Ongoing
                    && m.txn_start_timestamp + (m.txn_timeout_ms as i64) < now
            })
            .map(|m| (m.transactional_id.clone(), m.producer_id))
            .collect();
        for (id, producer_id) in timed_out {
            let transit = match self.cache.get(&id) {
                Ok(Some((_, m))) if m.producer_id == producer_id && m.pending_state.is_none() => {
                    match m.prepare_fence_producer_epoch() {
                        Ok(t) => t,
                        Err(_) => continue,
                    }
                }
                _ => continue,
            };
            let ctx = EndTxnCtx {
                reply: EndReply::Timeout,
                producer_id: transit.producer_id,
                producer_epoch: transit.producer_epoch,
                commit: false,
            };
            self.end_transaction(&id, ctx, false);
        }
    }

    /// `removeExpiredTransactionalIds`: one batch of tombstones per
    /// partition for the ids idle since `transactional.id.expiration.ms`.
    pub(crate) fn remove_expired_transactional_ids(&mut self) {
        let now = self.cx.now;
        let expiration = self.cx.config.transactional_id_expiration_ms;
        let partitions: Vec<i32> = self.cache.partitions.keys().copied().collect();
        for partition in partitions {
            let Some(entry) = self.cache.partitions.get_mut(&partition) else {
                continue;
            };
            let mut expired = Vec::new();
            let mut records = Vec::new();
            for m in entry.txns.values_mut() {
                let should_expire = m.pending_state.is_none()
                    && m.state.is_expiration_allowed()
                    && m.txn_last_update_timestamp <= now - expiration;
                if should_expire && m.prepare_dead().is_ok() {
                    records.push(TxnLogRecord {
                        key: TransactionLogKey::new(&m.transactional_id).encode(),
                        value: None,
                    });
                    expired.push((m.transactional_id.clone(), m.producer_epoch));
                }
            }
            if !expired.is_empty() {
                let coordinator_epoch = entry.coordinator_epoch;
                self.cx.push_append(
                    partition,
                    records,
                    PendingAppend::Expiration {
                        partition,
                        coordinator_epoch,
                        expired,
                    },
                );
            }
        }
    }

    /// The tombstones' append finished: remove the ids that are still
    /// dying at the same epoch, give the others their life back.
    pub(crate) fn on_tombstones_written(
        &mut self,
        partition: i32,
        coordinator_epoch: i32,
        expired: Vec<(String, i16)>,
        result: Result<(), ErrorCode>,
    ) {
        let Some(entry) = self.cache.partitions.get_mut(&partition) else {
            return;
        };
        for (id, producer_epoch) in expired {
            let Some(m) = entry.txns.get_mut(&id) else {
                continue;
            };
            if entry.coordinator_epoch == coordinator_epoch
                && m.pending_state == Some(Dead)
                && m.producer_epoch == producer_epoch
                && result.is_ok()
            {
                let from: TransactionState = m.state;
                let (producer_id, producer_epoch) = (m.producer_id, m.producer_epoch);
                entry.txns.remove(&id);
                self.cx.out.push(Output::StateChanged {
                    transactional_id: id,
                    from,
                    to: Dead,
                    producer_id,
                    producer_epoch,
                });
            } else {
                m.pending_state = None;
            }
        }
    }
}

/// The first period boundary after `now` (fixed rate from the start).
fn next_period(previous: i64, every: i64, now: i64) -> i64 {
    let missed = (now - previous) / every;
    previous + (missed + 1) * every
}

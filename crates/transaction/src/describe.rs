//! DescribeTransactions and ListTransactions (KIP-664): read-only views of
//! the cache (Kafka's `handleDescribeTransactions` and
//! `listTransactionStates`).

use std::collections::BTreeSet;

use protocol::ErrorCode;

use crate::api::*;
use crate::coordinator::TransactionCoordinator;
use crate::state::TransactionState;

impl TransactionCoordinator {
    pub(crate) fn describe_transactions(&mut self, r: DescribeTransactionsRequest) -> Response {
        let transaction_states = r
            .transactional_ids
            .iter()
            .map(|id| self.describe(id))
            .collect();
        Response::DescribeTransactions(DescribeTransactionsResponse { transaction_states })
    }

    fn describe(&mut self, id: &str) -> DescribedTransaction {
        if !self.cx.active {
            return DescribedTransaction::error(id, ErrorCode::CoordinatorNotAvailable);
        }
        if id.is_empty() {
            return DescribedTransaction::error(id, ErrorCode::InvalidRequest);
        }
        let m = match self.cache.get(id) {
            Err(e) => return DescribedTransaction::error(id, e),
            Ok(None) => return DescribedTransaction::error(id, ErrorCode::TransactionalIdNotFound),
            Ok(Some((_, m))) => m,
        };
        // An id being expired is as good as gone.
        if m.state == TransactionState::Dead {
            return DescribedTransaction::error(id, ErrorCode::TransactionalIdNotFound);
        }
        let mut topics: Vec<DescribeTransactionsTopicData> = Vec::new();
        for tp in &m.topic_partitions {
            match topics.last_mut() {
                Some(t) if t.topic == tp.topic => t.partitions.push(tp.partition),
                _ => topics.push(DescribeTransactionsTopicData {
                    topic: tp.topic.clone(),
                    partitions: vec![tp.partition],
                }),
            }
        }
        DescribedTransaction {
            error_code: ErrorCode::None,
            transactional_id: id.to_string(),
            transaction_state: m.state.name().to_string(),
            transaction_timeout_ms: m.txn_timeout_ms,
            transaction_start_time_ms: m.txn_start_timestamp,
            producer_id: m.producer_id,
            producer_epoch: m.producer_epoch,
            topics,
        }
    }

    pub(crate) fn list_transactions(&mut self, r: ListTransactionsRequest) -> Response {
        let mut response = ListTransactionsResponse {
            error_code: ErrorCode::None,
            unknown_state_filters: Vec::new(),
            transaction_states: Vec::new(),
        };
        if !self.cache.loading.is_empty() {
            response.error_code = ErrorCode::CoordinatorLoadInProgress;
            return Response::ListTransactions(response);
        }
        let mut states = BTreeSet::new();
        for name in &r.state_filters {
            match TransactionState::ALL.iter().find(|s| s.name() == name) {
                Some(s) => {
                    states.insert(*s);
                }
                None => response.unknown_state_filters.push(name.clone()),
            }
        }
        for m in self.transactions() {
            let include = m.state != TransactionState::Dead
                && (r.producer_id_filters.is_empty()
                    || r.producer_id_filters.contains(&m.producer_id))
                && (r.state_filters.is_empty() || states.contains(&m.state));
            if include {
                response.transaction_states.push(ListedTransaction {
                    transactional_id: m.transactional_id.clone(),
                    producer_id: m.producer_id,
                    transaction_state: m.state.name().to_string(),
                });
            }
        }
        Response::ListTransactions(response)
    }
}

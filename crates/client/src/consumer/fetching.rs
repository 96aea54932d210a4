//! The network side of the `Fetcher` and `OffsetFetcher`: Fetch requests to
//! each partition leader (one in flight per broker, partitions with
//! buffered records left out), ListOffsets for resets and seeks, and the
//! errors that send the consumer back to the metadata.

use std::collections::BTreeMap;

use broker::api::{
    BrokerId, FetchPartition, FetchPartitionResponse, FetchRequest, Request, TopicPartition,
};
use broker::Output;
use protocol::ErrorCode;
use serde_json::json;

use super::consumer::{event, Consumer, Pending};
use super::fetcher::{epoch_runs, parse_records, CompletedFetch};
use super::subscription_state::{FetchState, OffsetSpec};

impl Consumer {
    pub(crate) fn maybe_reset_offsets(&mut self, now: u64, out: &mut Vec<Output>) {
        if now < self.reset_retry_at {
            return;
        }
        let mut by_leader: BTreeMap<BrokerId, BTreeMap<TopicPartition, OffsetSpec>> =
            BTreeMap::new();
        for (tp, s) in self.subs.states() {
            let FetchState::AwaitReset(spec) = s.fetch_state else {
                continue;
            };
            if self.resetting.contains(tp) {
                continue;
            }
            match self.metadata.leader(tp) {
                Some((leader, _)) => {
                    by_leader
                        .entry(leader)
                        .or_default()
                        .insert(tp.clone(), spec);
                }
                None => self.metadata.need_update = true,
            }
        }
        for (leader, specs) in by_leader {
            self.resetting.extend(specs.keys().cloned());
            let request = Request::ListOffsets {
                replica_id: -1,
                isolation_level: self.config.isolation_level,
                partitions: specs
                    .iter()
                    .map(|(tp, s)| (tp.clone(), s.timestamp()))
                    .collect(),
            };
            self.send(now, leader, request, Pending::ListOffsets(specs), None, out);
        }
    }

    pub(crate) fn on_list_offsets(
        &mut self,
        now: u64,
        specs: BTreeMap<TopicPartition, OffsetSpec>,
        r: Vec<(TopicPartition, ErrorCode, i64, i64)>,
        out: &mut Vec<Output>,
    ) {
        for tp in specs.keys() {
            self.resetting.remove(tp);
        }
        for (tp, error, _timestamp, offset) in r {
            let Some(&spec) = specs.get(&tp) else {
                continue;
            };
            // Only if nothing (a seek, a revocation) changed it meanwhile.
            let awaiting = self
                .subs
                .state(&tp)
                .is_some_and(|s| s.fetch_state == FetchState::AwaitReset(spec));
            if !awaiting {
                continue;
            }
            match error {
                ErrorCode::None if offset >= 0 => {
                    self.subs.seek(&tp, offset);
                    out.push(event(
                        "offset-reset",
                        json!({"consumer": self.config.client_id, "partition": tp.to_string(), "to": format!("{spec:?}"), "offset": offset}),
                    ));
                }
                // No record at or after the time: the end, as seeking to
                // the offset Kafka's offsetsForTimes leaves out would.
                ErrorCode::None => self.subs.request_reset(&tp, OffsetSpec::Latest),
                _ => {
                    self.metadata.need_update = true;
                    self.reset_retry_at = now + self.config.retry_backoff_ms;
                }
            }
        }
    }

    pub(crate) fn maybe_fetch(&mut self, now: u64, out: &mut Vec<Output>) {
        if now < self.fetch_retry_at {
            return;
        }
        let mut by_leader: BTreeMap<BrokerId, Vec<FetchPartition>> = BTreeMap::new();
        for (tp, s) in self.subs.states() {
            if !s.has_position() || self.fetcher.has_buffered(tp) {
                continue;
            }
            let Some((leader, epoch)) = self.metadata.leader(tp) else {
                self.metadata.need_update = true;
                continue;
            };
            if self.fetcher.in_flight.contains(&leader) {
                continue;
            }
            by_leader.entry(leader).or_default().push(FetchPartition {
                tp: tp.clone(),
                fetch_offset: s.position,
                current_leader_epoch: epoch,
                log_start_offset: -1,
                max_bytes: self.config.max_partition_fetch_bytes,
            });
        }
        for (leader, partitions) in by_leader {
            let offsets = partitions
                .iter()
                .map(|p| (p.tp.clone(), p.fetch_offset))
                .collect();
            let request = Request::Fetch(FetchRequest {
                replica_id: -1,
                max_wait_ms: self.config.fetch_max_wait_ms,
                min_bytes: self.config.fetch_min_bytes,
                max_bytes: self.config.fetch_max_bytes,
                isolation_level: self.config.isolation_level,
                partitions,
            });
            self.fetcher.in_flight.insert(leader);
            let timeout = self.config.request_timeout_ms + self.config.fetch_max_wait_ms;
            self.send(
                now,
                leader,
                request,
                Pending::Fetch(offsets),
                Some(timeout),
                out,
            );
        }
    }

    pub(crate) fn on_fetch(
        &mut self,
        now: u64,
        from: BrokerId,
        offsets: BTreeMap<TopicPartition, i64>,
        r: Vec<FetchPartitionResponse>,
        out: &mut Vec<Output>,
    ) {
        self.fetcher.in_flight.remove(&from);
        for p in r {
            let Some(&fetch_offset) = offsets.get(&p.tp) else {
                continue;
            };
            // Ignore data for a position the application has moved away
            // from (seek, revocation, reset) since the request.
            let current = self
                .subs
                .state(&p.tp)
                .is_some_and(|s| s.has_position() && s.position == fetch_offset);
            if !current || self.fetcher.has_buffered(&p.tp) {
                continue;
            }
            match p.error {
                ErrorCode::None => {
                    if let Some(s) = self.subs.state_mut(&p.tp) {
                        s.high_watermark = Some(p.high_watermark);
                        s.last_stable_offset = Some(p.last_stable_offset);
                        s.log_start_offset = Some(p.log_start_offset);
                    }
                    match parse_records(
                        &p.tp,
                        &p.records,
                        fetch_offset,
                        self.config.isolation_level,
                        &p.aborted_transactions,
                    ) {
                        Ok((records, next)) if records.is_empty() => {
                            // Only control records or aborted data: move on.
                            if next > fetch_offset {
                                self.subs.seek(&p.tp, next);
                            }
                        }
                        Ok((records, next)) => {
                            out.push(event(
                                "records-fetched",
                                json!({"consumer": self.config.client_id, "broker": from, "runs": epoch_runs(&records)}),
                            ));
                            self.fetcher.add(CompletedFetch {
                                tp: p.tp.clone(),
                                fetch_offset,
                                records: records.into(),
                                next_fetch_offset: next,
                            })
                        }
                        Err(e) => {
                            out.push(event(
                                "corrupt-records",
                                json!({"consumer": self.config.client_id, "partition": p.tp.to_string(), "error": e.to_string()}),
                            ));
                            self.fetch_retry_at = now + self.config.retry_backoff_ms;
                        }
                    }
                }
                ErrorCode::NotLeaderOrFollower
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::LeaderNotAvailable
                | ErrorCode::KafkaStorageError => {
                    self.metadata.need_update = true;
                    self.fetch_retry_at = now + self.config.retry_backoff_ms;
                }
                ErrorCode::OffsetOutOfRange => {
                    self.reset_to_policy(&p.tp.clone(), "OFFSET_OUT_OF_RANGE", out);
                }
                _ => self.fetch_retry_at = now + self.config.retry_backoff_ms,
            }
        }
    }
}

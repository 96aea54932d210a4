//! Transaction markers: the coordinator's side (Kafka's
//! `TransactionMarkerChannelManager`: group a marker's partitions by
//! leader, one WriteTxnMarkers per broker, retry leaderless partitions)
//! and the partition leader's side (KafkaApis `handleWriteTxnMarkersRequest`:
//! append the COMMIT/ABORT control batch as the coordinator, answer once it
//! is replicated, and let the group coordinator complete transactional
//! offset commits in `__consumer_offsets`).

use std::collections::BTreeMap;

use protocol::ErrorCode;
use transaction::{
    MarkerId, WritableTxnMarker, WritableTxnMarkerPartitionResult, WritableTxnMarkerResult,
    WritableTxnMarkerTopic, WritableTxnMarkerTopicResult, WriteTxnMarkersRequest,
    WriteTxnMarkersResponse,
};

use crate::api::{Addr, BrokerId, Request, Response, TopicPartition};
use crate::coordinator_log::GROUP_METADATA_TOPIC;
use crate::{timers, Broker, Pending};

/// Kafka's `retry.backoff.ms` for markers whose partition has no leader.
const MARKER_RETRY_BACKOFF_MS: u64 = 100;

/// Who waits for a leader's marker write.
#[derive(Debug, Clone)]
enum MarkerReply {
    Remote {
        from: Addr,
        correlation_id: i32,
    },
    /// This broker's own transaction coordinator.
    Local {
        marker_id: MarkerId,
    },
}

#[derive(Debug, Clone)]
struct MarkerPart {
    tp: TopicPartition,
    producer_id: i64,
    commit: bool,
    leader_epoch: i32,
    /// HW that acknowledges the marker; -1 once `error` is final.
    required: i64,
    error: ErrorCode,
}

/// A WriteTxnMarkers waiting for its control batches to be replicated.
#[derive(Debug, Clone)]
struct DelayedMarkers {
    reply: MarkerReply,
    parts: Vec<MarkerPart>,
}

#[derive(Debug, Default)]
pub struct MarkerState {
    next: u64,
    delayed: BTreeMap<u64, DelayedMarkers>,
    /// Markers waiting for their partition to have a leader.
    retry: Vec<(MarkerId, WritableTxnMarker)>,
    /// Results with errors, handed to the coordinator after the backoff so
    /// a stale leader is not asked again in the same instant.
    deferred: Vec<(MarkerId, Vec<(transaction::TopicPartition, ErrorCode)>)>,
    retry_armed: bool,
}

/// `marker` restricted to `tps`.
fn sub_marker(marker: &WritableTxnMarker, tps: &[TopicPartition]) -> WritableTxnMarker {
    let mut topics: Vec<WritableTxnMarkerTopic> = Vec::new();
    for tp in tps {
        match topics.iter_mut().find(|t| *t.name == *tp.topic) {
            Some(t) => t.partition_indexes.push(tp.partition),
            None => topics.push(WritableTxnMarkerTopic {
                name: tp.topic.to_string(),
                partition_indexes: vec![tp.partition],
            }),
        }
    }
    WritableTxnMarker {
        topics,
        ..marker.clone()
    }
}

fn txn_tp(tp: &TopicPartition) -> transaction::TopicPartition {
    transaction::TopicPartition::new(&tp.topic, tp.partition)
}

impl Broker {
    // ---- coordinator side ----

    pub(crate) fn route_markers(&mut self, marker_id: MarkerId, marker: WritableTxnMarker) {
        let me = self.id();
        let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        let mut unroutable = Vec::new();
        let mut leaderless = Vec::new();
        for t in marker.partitions() {
            let tp = TopicPartition::new(&t.topic, t.partition);
            match self.leader_of(&tp) {
                None => unroutable.push(t),
                Some(l) if l < 0 || !self.metadata.live_brokers.contains(&l) && l != me => {
                    leaderless.push(tp)
                }
                Some(l) => by_leader.entry(l).or_default().push(tp),
            }
        }
        if !unroutable.is_empty() {
            let out = self
                .txns
                .on_markers_unroutable(self.now as i64, marker_id, &unroutable);
            self.process_txn_outputs(out);
        }
        if !leaderless.is_empty() {
            self.coord
                .markers
                .retry
                .push((marker_id, sub_marker(&marker, &leaderless)));
            self.arm_txn_retry();
        }
        for (leader, tps) in by_leader {
            let m = sub_marker(&marker, &tps);
            if leader == me {
                self.write_markers(MarkerReply::Local { marker_id }, vec![m]);
                continue;
            }
            let request = Request::WriteTxnMarkers(WriteTxnMarkersRequest { markers: vec![m] });
            let corr = self.request(
                Addr::Broker(leader),
                request,
                Pending::TxnMarkers {
                    leader,
                    marker_id,
                    partitions: tps,
                },
            );
            let at = self.now + self.config.request_timeout_ms;
            self.set_timer(timers::MARKER_REQUEST_TIMEOUT + corr as u64, at);
        }
    }

    pub(crate) fn arm_txn_retry(&mut self) {
        if !self.coord.markers.retry_armed {
            self.coord.markers.retry_armed = true;
            let at = self.now + MARKER_RETRY_BACKOFF_MS;
            self.set_timer(timers::TXN_RETRY, at);
        }
    }

    /// The retry backoff is over: deferred append failures and marker
    /// results go to the transaction coordinator, leaderless markers are
    /// routed again.
    pub(crate) fn retry_markers(&mut self) {
        self.coord.markers.retry_armed = false;
        let failed = std::mem::take(&mut self.coord.failed_later);
        self.coord.failed.extend(failed);
        let deferred = std::mem::take(&mut self.coord.markers.deferred);
        for (id, results) in deferred {
            let out = self.txns.on_markers_written(self.now as i64, id, &results);
            self.process_txn_outputs(out);
        }
        let retry = std::mem::take(&mut self.coord.markers.retry);
        for (id, m) in retry {
            self.route_markers(id, m);
        }
    }

    /// Hands a leader's results to the coordinator: at once if all were
    /// written, after the retry backoff if any failed (the coordinator
    /// re-sends those right away).
    fn markers_written(
        &mut self,
        marker_id: MarkerId,
        results: Vec<(transaction::TopicPartition, ErrorCode)>,
    ) {
        if results.iter().any(|(_, e)| *e != ErrorCode::None) {
            self.coord.markers.deferred.push((marker_id, results));
            self.arm_txn_retry();
            return;
        }
        let out = self
            .txns
            .on_markers_written(self.now as i64, marker_id, &results);
        self.process_txn_outputs(out);
    }

    pub(crate) fn on_write_txn_markers_response(
        &mut self,
        correlation_id: i32,
        marker_id: MarkerId,
        response: WriteTxnMarkersResponse,
    ) {
        self.cancel_timer(timers::MARKER_REQUEST_TIMEOUT + correlation_id as u64);
        let results: Vec<(transaction::TopicPartition, ErrorCode)> = response
            .markers
            .iter()
            .flat_map(|m| m.partitions())
            .collect();
        self.markers_written(marker_id, results);
    }

    /// The leader did not answer: its partitions are retried, as Kafka's
    /// channel does after a disconnect.
    pub(crate) fn marker_request_timed_out(&mut self, correlation_id: i32) {
        let Some(Pending::TxnMarkers {
            marker_id,
            partitions,
            ..
        }) = self.pending.remove(&correlation_id)
        else {
            return;
        };
        let results: Vec<(transaction::TopicPartition, ErrorCode)> = partitions
            .iter()
            .map(|tp| (txn_tp(tp), ErrorCode::RequestTimedOut))
            .collect();
        self.markers_written(marker_id, results);
    }

    // ---- leader side ----

    pub(crate) fn handle_write_txn_markers(
        &mut self,
        from: Addr,
        correlation_id: i32,
        req: WriteTxnMarkersRequest,
    ) {
        self.write_markers(
            MarkerReply::Remote {
                from,
                correlation_id,
            },
            req.markers,
        );
    }

    fn write_markers(&mut self, reply: MarkerReply, markers: Vec<WritableTxnMarker>) {
        let me = self.id();
        let now = self.now;
        let mut parts = Vec::new();
        let mut appended = Vec::new();
        for m in &markers {
            let control = m.control_marker();
            for t in m.partitions() {
                let tp = TopicPartition::new(&t.topic, t.partition);
                let mut part = MarkerPart {
                    tp: tp.clone(),
                    producer_id: m.producer_id,
                    commit: m.transaction_result,
                    leader_epoch: -1,
                    required: -1,
                    error: ErrorCode::None,
                };
                match self.partitions.get_mut(&tp).filter(|p| p.is_leader(me)) {
                    None => {
                        part.error = if self.metadata.partitions.contains_key(&tp) {
                            ErrorCode::NotLeaderOrFollower
                        } else {
                            ErrorCode::UnknownTopicOrPartition
                        }
                    }
                    Some(p) => {
                        let batch = control
                            .to_batch(
                                0,
                                now as i64,
                                p.leader_epoch,
                                m.producer_id,
                                m.producer_epoch,
                            )
                            .encode();
                        match p.log.append_as_coordinator(&batch, p.leader_epoch, now) {
                            Ok((_, last)) => {
                                part.leader_epoch = p.leader_epoch;
                                part.required = last + 1;
                                appended.push(tp.clone());
                            }
                            Err(code) => part.error = code,
                        }
                    }
                }
                parts.push(part);
            }
        }
        for tp in &appended {
            if let Some(p) = self.partitions.get_mut(tp) {
                if p.maybe_increment_hw(me) {
                    self.on_hw_moved(tp);
                }
            }
        }
        if !appended.is_empty() {
            self.try_complete_delayed_fetches();
        }
        self.coord.markers.next += 1;
        let seq = self.coord.markers.next;
        self.coord
            .markers
            .delayed
            .insert(seq, DelayedMarkers { reply, parts });
        let at = now + self.config.request_timeout_ms;
        self.set_timer(timers::MARKER_WRITE_TIMEOUT + seq, at);
    }

    /// Marker writes that are replicated (or failed): answered, and their
    /// `__consumer_offsets` partitions' transactional offsets completed.
    /// Returns whether anything completed.
    pub(crate) fn complete_marker_writes(&mut self, expired: Option<u64>) -> bool {
        let me = self.id();
        let mut ready = Vec::new();
        for (seq, d) in self.coord.markers.delayed.iter_mut() {
            for part in d.parts.iter_mut().filter(|p| p.required >= 0) {
                match self.partitions.get(&part.tp) {
                    Some(p) if p.is_leader(me) && p.leader_epoch == part.leader_epoch => {
                        if p.hw() >= part.required {
                            part.required = -1;
                        } else if expired == Some(*seq) {
                            part.required = -1;
                            part.error = ErrorCode::RequestTimedOut;
                        }
                    }
                    _ => {
                        part.required = -1;
                        part.error = ErrorCode::NotLeaderOrFollower;
                    }
                }
            }
            if d.parts.iter().all(|p| p.required < 0) {
                ready.push(*seq);
            }
        }
        let any = !ready.is_empty();
        for seq in ready {
            let d = self.coord.markers.delayed.remove(&seq).expect("listed");
            self.cancel_timer(timers::MARKER_WRITE_TIMEOUT + seq);
            for part in &d.parts {
                if part.error == ErrorCode::None && &*part.tp.topic == GROUP_METADATA_TOPIC {
                    let out = self.groups.on_txn_completion(
                        self.now as i64,
                        part.tp.partition,
                        part.producer_id,
                        part.commit,
                    );
                    self.process_group_outputs(out);
                }
            }
            match d.reply {
                MarkerReply::Local { marker_id } => {
                    let results: Vec<(transaction::TopicPartition, ErrorCode)> =
                        d.parts.iter().map(|p| (txn_tp(&p.tp), p.error)).collect();
                    self.markers_written(marker_id, results);
                }
                MarkerReply::Remote {
                    from,
                    correlation_id,
                } => {
                    let resp = marker_response(&d.parts);
                    self.respond(from, correlation_id, Response::WriteTxnMarkers(resp));
                }
            }
        }
        any
    }
}

/// Results grouped by producer id, then topic, in request order.
fn marker_response(parts: &[MarkerPart]) -> WriteTxnMarkersResponse {
    let mut markers: Vec<WritableTxnMarkerResult> = Vec::new();
    for p in parts {
        let i = match markers.iter().position(|m| m.producer_id == p.producer_id) {
            Some(i) => i,
            None => {
                markers.push(WritableTxnMarkerResult {
                    producer_id: p.producer_id,
                    topics: Vec::new(),
                });
                markers.len() - 1
            }
        };
        let topics = &mut markers[i].topics;
        let result = WritableTxnMarkerPartitionResult {
            partition_index: p.tp.partition,
            error_code: p.error,
        };
        match topics.iter_mut().find(|t| *t.name == *p.tp.topic) {
            Some(t) => t.partitions.push(result),
            None => topics.push(WritableTxnMarkerTopicResult {
                name: p.tp.topic.to_string(),
                partitions: vec![result],
            }),
        }
    }
    WriteTxnMarkersResponse { markers }
}

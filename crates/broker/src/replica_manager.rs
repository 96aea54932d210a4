//! Kafka's `ReplicaManager`: produce and fetch on partition leaders, the
//! purgatory of delayed produces/fetches, LeaderAndIsr/UpdateMetadata/
//! StopReplica from the controller, ISR maintenance, HW checkpoints.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use log::Storage;
use protocol::ErrorCode;
use serde_json::json;

use crate::api::*;
use crate::log_glue::PartitionLog;
use crate::partition::Partition;
use crate::{timers, Broker, BrokerConfig};

/// The broker's view of cluster metadata (from UpdateMetadata).
#[derive(Debug, Default)]
pub struct MetadataCache {
    pub partitions: BTreeMap<TopicPartition, PartitionState>,
    pub live_brokers: Vec<BrokerId>,
    pub controller_epoch: i32,
}

impl MetadataCache {
    pub fn response(&self, controller: Option<BrokerId>) -> MetadataResponse {
        MetadataResponse {
            controller_id: controller.unwrap_or(NO_LEADER),
            brokers: self.live_brokers.clone(),
            partitions: self.partitions.values().cloned().collect(),
        }
    }
}

/// A produce waiting for `acks=all` (Kafka's `DelayedProduce`).
#[derive(Debug)]
pub(crate) struct DelayedProduce {
    pub from: Addr,
    pub correlation_id: i32,
    /// Per partition: the offset the HW must reach, or a final result.
    pub parts: Vec<(ProducePartitionResponse, i64, bool)>,
}

/// A fetch waiting for data (Kafka's `DelayedFetch`).
#[derive(Debug)]
pub(crate) struct DelayedFetch {
    pub from: Addr,
    pub correlation_id: i32,
    pub request: FetchRequest,
}

#[derive(Debug, Default)]
pub struct Purgatory {
    next: u64,
    produces: BTreeMap<u64, DelayedProduce>,
    fetches: BTreeMap<u64, DelayedFetch>,
}

const HW_CHECKPOINT_FILE: &str = "replication-offset-checkpoint";

impl Broker {
    fn log_config_pairs(&self, topic_config: &[(String, String)]) -> Vec<(String, String)> {
        let mut pairs = self.config.log_defaults.clone();
        pairs.extend(
            topic_config
                .iter()
                .filter(|(k, _)| {
                    !BrokerConfig::REPLICATION_TOPIC_CONFIGS.contains(&k.as_str())
                        && !BrokerConfig::UNMODELLED_TOPIC_CONFIGS.contains(&k.as_str())
                })
                .cloned(),
        );
        pairs
    }

    // ---- Produce ----

    pub(crate) fn handle_produce(&mut self, from: Addr, correlation_id: i32, req: ProduceRequest) {
        let me = self.id();
        let now = self.now;
        let mut parts = Vec::with_capacity(req.partitions.len());
        let mut appended = Vec::new();
        for pp in req.partitions {
            self.stats.total_produce_requests += 1;
            let mut resp = ProducePartitionResponse {
                tp: pp.tp.clone(),
                error: ErrorCode::None,
                base_offset: -1,
                log_append_time: -1,
                log_start_offset: -1,
            };
            let min_isr = self.min_isr(&pp.tp);
            let Some(p) = self.partitions.get_mut(&pp.tp).filter(|p| p.is_leader(me)) else {
                resp.error = if self.metadata.partitions.contains_key(&pp.tp)
                    || self.partitions.contains_key(&pp.tp)
                {
                    ErrorCode::NotLeaderOrFollower
                } else {
                    ErrorCode::UnknownTopicOrPartition
                };
                parts.push((resp, -1, true));
                continue;
            };
            if req.acks == -1 && (p.isr.len() as i32) < min_isr {
                resp.error = ErrorCode::NotEnoughReplicas;
                self.stats.failed_produce_requests += 1;
                parts.push((resp, -1, true));
                continue;
            }
            match p.log.append_as_leader(&pp.records, p.leader_epoch, now) {
                Ok((first, last)) => {
                    self.stats.messages_in += (last - first + 1).max(0) as u64;
                    self.stats.bytes_in += pp.records.len() as u64;
                    resp.base_offset = first;
                    resp.log_start_offset = p.log.log_start();
                    appended.push((pp.tp.clone(), first, last, p.leader_epoch));
                    parts.push((resp, last + 1, req.acks != -1));
                }
                Err(code) => {
                    if crate::stats::counts_as_failed(code) {
                        self.stats.failed_produce_requests += 1;
                    }
                    resp.error = code;
                    parts.push((resp, -1, true));
                }
            }
        }
        for (tp, first, last, epoch) in &appended {
            let p = self
                .partitions
                .get_mut(tp)
                .expect("appended partition exists");
            let leo = p.leo();
            let hw_moved = p.maybe_increment_hw(me);
            // The offsets and epoch name the records (a record is its
            // offset and the leader epoch it was appended in): the record
            // inspector follows them through the trace.
            self.event("append", || {
                json!({"partition": tp.to_string(), "leo": leo, "first": first, "last": last, "leader_epoch": epoch})
            });
            if hw_moved {
                self.on_hw_moved(tp);
            }
            self.maybe_flush(tp);
        }
        // New data may complete followers' and consumers' waiting fetches.
        if !appended.is_empty() {
            self.try_complete_delayed_fetches();
        }
        if req.acks == 0 {
            return;
        }
        let mut delayed = DelayedProduce {
            from,
            correlation_id,
            parts,
        };
        if !self.try_complete_produce(&mut delayed) {
            self.purgatory.next += 1;
            let id = self.purgatory.next;
            self.purgatory.produces.insert(id, delayed);
            self.set_timer(timers::DELAYED_PRODUCE + id, now + req.timeout_ms);
        }
    }

    fn min_isr(&self, tp: &TopicPartition) -> i32 {
        let cfg = self
            .partitions
            .get(tp)
            .map(|p| p.topic_config.clone())
            .unwrap_or_default();
        self.config.min_isr_for(&cfg)
    }

    /// Kafka's `DelayedProduce.tryComplete`: done when every partition's HW
    /// reached its required offset (or it failed). Sends the response if done.
    fn try_complete_produce(&mut self, d: &mut DelayedProduce) -> bool {
        let me = self.id();
        for (resp, required, done) in d.parts.iter_mut() {
            if *done {
                continue;
            }
            let min_isr = self.config.min_isr_for(
                &self
                    .partitions
                    .get(&resp.tp)
                    .map(|p| p.topic_config.clone())
                    .unwrap_or_default(),
            );
            match self.partitions.get(&resp.tp) {
                Some(p) if p.is_leader(me) => {
                    if p.hw() >= *required {
                        if (p.isr.len() as i32) < min_isr {
                            resp.error = ErrorCode::NotEnoughReplicasAfterAppend;
                        }
                        *done = true;
                    }
                }
                _ => {
                    resp.error = ErrorCode::NotLeaderOrFollower;
                    *done = true;
                }
            }
        }
        if d.parts.iter().all(|(_, _, done)| *done) {
            let parts = d.parts.iter().map(|(r, _, _)| r.clone()).collect();
            self.respond(d.from, d.correlation_id, Response::Produce(parts));
            true
        } else {
            false
        }
    }

    pub(crate) fn try_complete_delayed_produces(&mut self) {
        let ids: Vec<u64> = self.purgatory.produces.keys().copied().collect();
        for id in ids {
            let mut d = self.purgatory.produces.remove(&id).expect("listed");
            if self.try_complete_produce(&mut d) {
                self.cancel_timer(timers::DELAYED_PRODUCE + id);
            } else {
                self.purgatory.produces.insert(id, d);
            }
        }
    }

    pub(crate) fn expire_delayed_produce(&mut self, id: u64) {
        let Some(mut d) = self.purgatory.produces.remove(&id) else {
            return;
        };
        if self.try_complete_produce(&mut d) {
            return;
        }
        for (resp, _, done) in d.parts.iter_mut() {
            if !*done {
                resp.error = ErrorCode::RequestTimedOut;
            }
        }
        let parts = d.parts.into_iter().map(|(r, _, _)| r).collect();
        self.respond(d.from, d.correlation_id, Response::Produce(parts));
    }

    /// Called whenever a leader's HW advanced.
    pub(crate) fn on_hw_moved(&mut self, tp: &TopicPartition) {
        let me = self.id();
        if let Some(p) = self.partitions.get(tp) {
            let (hw, leader) = (p.hw(), p.is_leader(me));
            self.event(
                "hw",
                || json!({"partition": tp.to_string(), "hw": hw, "leader": leader}),
            );
        }
        self.try_complete_delayed_produces();
        self.try_complete_delayed_fetches();
    }

    // ---- Fetch ----

    pub(crate) fn handle_fetch(&mut self, from: Addr, correlation_id: i32, req: FetchRequest) {
        let (parts, bytes, any_error) = self.read_for_fetch(&req);
        if req.max_wait_ms == 0 || bytes >= req.min_bytes.max(1) || any_error {
            self.respond(from, correlation_id, Response::Fetch(parts));
            return;
        }
        self.purgatory.next += 1;
        let id = self.purgatory.next;
        let at = self.now + req.max_wait_ms;
        self.purgatory.fetches.insert(
            id,
            DelayedFetch {
                from,
                correlation_id,
                request: req,
            },
        );
        self.set_timer(timers::DELAYED_FETCH + id, at);
    }

    /// Reads every partition of a fetch; a follower's fetch also records its
    /// progress (LEO, caught-up time), may expand the ISR and move the HW.
    fn read_for_fetch(&mut self, req: &FetchRequest) -> (Vec<FetchPartitionResponse>, usize, bool) {
        let me = self.id();
        let now = self.now;
        let mut out = Vec::with_capacity(req.partitions.len());
        let mut total = 0usize;
        let mut any_error = false;
        let mut budget = req.max_bytes;
        for fp in &req.partitions {
            let mut r = FetchPartitionResponse {
                tp: fp.tp.clone(),
                error: ErrorCode::None,
                high_watermark: -1,
                last_stable_offset: -1,
                log_start_offset: -1,
                records: Bytes::new(),
                records_bytes: 0,
                aborted_transactions: Vec::new(),
            };
            let Some(p) = self.partitions.get_mut(&fp.tp).filter(|p| p.is_leader(me)) else {
                r.error = ErrorCode::NotLeaderOrFollower;
                any_error = true;
                out.push(r);
                continue;
            };
            if fp.current_leader_epoch >= 0 && fp.current_leader_epoch != p.leader_epoch {
                r.error = if fp.current_leader_epoch < p.leader_epoch {
                    ErrorCode::FencedLeaderEpoch
                } else {
                    ErrorCode::UnknownLeaderEpoch
                };
                any_error = true;
                out.push(r);
                continue;
            }
            let follower = req.replica_id >= 0;
            if fp.fetch_offset > p.leo() || fp.fetch_offset < p.log.log_start() {
                r.error = ErrorCode::OffsetOutOfRange;
                r.high_watermark = p.hw();
                r.log_start_offset = p.log.log_start();
                any_error = true;
                out.push(r);
                continue;
            }
            // Followers read to the LEO, consumers to the HW, read_committed
            // consumers to the LSO.
            let upper = match (follower, req.isolation_level) {
                (true, _) => None,
                (false, IsolationLevel::ReadUncommitted) => Some(p.hw()),
                (false, IsolationLevel::ReadCommitted) => Some(p.log.lso()),
            };
            let max = fp.max_bytes.min(budget);
            match p.log.read(
                fp.fetch_offset,
                max,
                upper,
                // No records in the response so far (`total` sums them).
                total == 0,
            ) {
                Ok(bytes) => {
                    if !follower && req.isolation_level == IsolationLevel::ReadCommitted {
                        let end = protocol::batch::iter_batches(&bytes)
                            .filter_map(Result::ok)
                            .last()
                            .map_or(fp.fetch_offset, |(_, h)| h.next_offset());
                        r.aborted_transactions =
                            crate::aborted_txns::aborted_transactions(&p.log, fp.fetch_offset, end);
                    }
                    budget = budget.saturating_sub(bytes.len());
                    total += bytes.len();
                    r.records_bytes = bytes.len();
                    r.records = bytes;
                }
                Err(code) => {
                    r.error = code;
                    any_error = true;
                }
            }
            r.high_watermark = p.hw();
            r.last_stable_offset = p.log.lso();
            r.log_start_offset = p.log.log_start();
            out.push(r);
        }
        if req.replica_id >= 0 {
            let follower = req.replica_id;
            for fp in &req.partitions {
                let Some(p) = self.partitions.get_mut(&fp.tp).filter(|p| p.is_leader(me)) else {
                    continue;
                };
                if !p.replicas.contains(&follower) || fp.fetch_offset > p.leo() {
                    continue;
                }
                p.update_follower(follower, fp.fetch_offset, now);
                let hw_moved = p.maybe_increment_hw(me);
                let expand = !p.isr_update_in_flight && p.expand_candidates(me).contains(&follower);
                // Only an expansion needs a copy of the ISR.
                let new_isr = expand.then(|| p.isr.clone());
                if hw_moved {
                    // The follower's response carries the new HW.
                    if let Some(r) = out
                        .iter_mut()
                        .find(|r| r.tp == fp.tp && r.error == ErrorCode::None)
                    {
                        r.high_watermark = p.hw();
                        r.last_stable_offset = p.log.lso();
                    }
                }
                let tp = fp.tp.clone();
                if hw_moved {
                    self.on_hw_moved(&tp);
                }
                if let Some(mut new_isr) = new_isr {
                    new_isr.push(follower);
                    new_isr.sort_unstable();
                    self.write_isr(&tp, new_isr);
                }
            }
        }
        (out, total, any_error)
    }

    pub(crate) fn try_complete_delayed_fetches(&mut self) {
        let ids: Vec<u64> = self.purgatory.fetches.keys().copied().collect();
        for id in ids {
            let Some(d) = self.purgatory.fetches.get(&id) else {
                continue;
            };
            if !self.fetch_has_data(&d.request) {
                continue;
            }
            let d = self.purgatory.fetches.remove(&id).expect("present");
            self.cancel_timer(timers::DELAYED_FETCH + id);
            let (parts, _, _) = self.read_for_fetch(&d.request);
            self.respond(d.from, d.correlation_id, Response::Fetch(parts));
        }
    }

    /// Whether a parked fetch can now return something (data, or an error
    /// such as a lost leadership).
    fn fetch_has_data(&self, req: &FetchRequest) -> bool {
        let me = self.id();
        req.partitions
            .iter()
            .any(|fp| match self.partitions.get(&fp.tp) {
                Some(p) if p.is_leader(me) => {
                    let end = match (req.replica_id >= 0, req.isolation_level) {
                        (true, _) => p.leo(),
                        (false, IsolationLevel::ReadUncommitted) => p.hw(),
                        (false, IsolationLevel::ReadCommitted) => p.log.lso(),
                    };
                    fp.fetch_offset < end
                        || fp.current_leader_epoch != p.leader_epoch && fp.current_leader_epoch >= 0
                }
                _ => true,
            })
    }

    pub(crate) fn expire_delayed_fetch(&mut self, id: u64) {
        let Some(d) = self.purgatory.fetches.remove(&id) else {
            return;
        };
        let (parts, _, _) = self.read_for_fetch(&d.request);
        self.respond(d.from, d.correlation_id, Response::Fetch(parts));
    }

    // ---- OffsetsForLeaderEpoch ----

    pub(crate) fn handle_offsets_for_leader_epoch(&mut self, reqs: Vec<EpochRequest>) -> Response {
        let me = self.id();
        let parts = reqs
            .into_iter()
            .map(|er| {
                let mut r = EpochEndOffset {
                    tp: er.tp.clone(),
                    error: ErrorCode::None,
                    leader_epoch: -1,
                    end_offset: -1,
                };
                match self.partitions.get(&er.tp) {
                    Some(p) if p.is_leader(me) => {
                        if er.current_leader_epoch >= 0 && er.current_leader_epoch < p.leader_epoch
                        {
                            r.error = ErrorCode::FencedLeaderEpoch;
                        } else if er.current_leader_epoch > p.leader_epoch {
                            r.error = ErrorCode::UnknownLeaderEpoch;
                        } else {
                            let (epoch, end) = p.log.end_offset_for(er.leader_epoch);
                            r.leader_epoch = epoch;
                            r.end_offset = end;
                        }
                    }
                    _ => r.error = ErrorCode::NotLeaderOrFollower,
                }
                r
            })
            .collect();
        Response::OffsetsForLeaderEpoch(parts)
    }

    // ---- Controller requests ----

    pub(crate) fn handle_leader_and_isr(&mut self, req: LeaderAndIsrRequest) -> Response {
        if req.controller_epoch < self.metadata.controller_epoch {
            return Response::LeaderAndIsr {
                error: ErrorCode::StaleControllerEpoch,
                partitions: vec![],
            };
        }
        self.metadata.controller_epoch = req.controller_epoch;
        let me = self.id();
        let now = self.now;
        let mut results = Vec::new();
        let mut became_follower = Vec::new();
        for (state, topic_config) in req.partitions {
            let tp = state.tp.clone();
            if !self.partitions.contains_key(&tp) {
                if !state.replicas.contains(&me) {
                    results.push((tp, ErrorCode::None));
                    continue;
                }
                match self.open_partition(&tp, topic_config.clone()) {
                    Ok(p) => {
                        self.partitions.insert(tp.clone(), p);
                    }
                    Err((code, message)) => {
                        self.event("log-open-failed", || json!({"partition": tp.to_string(), "error": code.name(), "message": message}));
                        results.push((tp, code));
                        continue;
                    }
                }
            }
            let p = self.partitions.get_mut(&tp).expect("just opened");
            if state.leader_epoch < p.leader_epoch {
                results.push((tp, ErrorCode::StaleControllerEpoch));
                continue;
            }
            p.topic_config = topic_config;
            p.controller_epoch = state.controller_epoch;
            p.zk_version = state.zk_version;
            let same_epoch = state.leader_epoch == p.leader_epoch;
            if state.leader == me {
                if !(same_epoch && p.is_leader(me)) {
                    p.make_leader(
                        me,
                        state.leader_epoch,
                        state.isr.clone(),
                        state.replicas.clone(),
                        now,
                    );
                    let (epoch, leo, hw) = (p.leader_epoch, p.leo(), p.hw());
                    self.fetchers.remove_partition(&tp);
                    self.event("become-leader", || {
                        json!({"partition": tp.to_string(), "epoch": epoch, "leo": leo, "hw": hw, "isr": state.isr})
                    });
                    let p = self.partitions.get_mut(&tp).expect("present");
                    if p.maybe_increment_hw(me) {
                        self.on_hw_moved(&tp);
                    }
                } else {
                    p.isr = state.isr.clone();
                }
            } else if !(same_epoch && p.leader == state.leader) {
                p.make_follower(
                    state.leader,
                    state.leader_epoch,
                    state.isr.clone(),
                    state.replicas.clone(),
                );
                let epoch = p.leader_epoch;
                self.event(
                    "become-follower",
                    || json!({"partition": tp.to_string(), "leader": state.leader, "epoch": epoch}),
                );
                became_follower.push(tp.clone());
            } else {
                p.isr = state.isr.clone();
            }
            self.metadata.partitions.insert(tp.clone(), state);
            results.push((tp, ErrorCode::None));
        }
        // A leadership we lost fails the produces and fetches waiting on it.
        self.try_complete_delayed_produces();
        self.try_complete_delayed_fetches();
        for tp in became_follower {
            self.start_following(&tp);
        }
        Response::LeaderAndIsr {
            error: ErrorCode::None,
            partitions: results,
        }
    }

    fn open_partition(
        &mut self,
        tp: &TopicPartition,
        topic_config: TopicConfig,
    ) -> Result<Partition, (ErrorCode, String)> {
        let pairs = self.log_config_pairs(&topic_config);
        let (log, report) = PartitionLog::open(self.storage.clone(), tp, &pairs, self.now)?;
        if let Some(report) = report {
            // The recovered end: what survived (a power loss drops what
            // was not flushed).
            let leo = log.leo();
            self.event(
                "log-recovered",
                || json!({"partition": tp.to_string(), "report": report, "leo": leo}),
            );
        }
        let hw = self.checkpointed_hw(tp);
        Ok(Partition::new(tp.clone(), log, topic_config, hw))
    }

    pub(crate) fn handle_update_metadata(&mut self, req: UpdateMetadataRequest) -> Response {
        if req.controller_epoch < self.metadata.controller_epoch {
            return Response::UpdateMetadata {
                error: ErrorCode::StaleControllerEpoch,
            };
        }
        self.metadata.controller_epoch = req.controller_epoch;
        self.metadata.live_brokers = req.live_brokers;
        for s in req.partitions {
            self.metadata.partitions.insert(s.tp.clone(), s);
        }
        self.active_controller = Some(req.controller_id);
        Response::UpdateMetadata {
            error: ErrorCode::None,
        }
    }

    pub(crate) fn handle_stop_replica(&mut self, req: StopReplicaRequest) -> Response {
        if req.controller_epoch < self.metadata.controller_epoch {
            return Response::StopReplica {
                error: ErrorCode::StaleControllerEpoch,
            };
        }
        for tp in req.partitions {
            self.fetchers.remove_partition(&tp);
            if let Some(p) = self.partitions.get_mut(&tp) {
                p.leader = NO_LEADER;
            }
        }
        self.try_complete_delayed_produces();
        Response::StopReplica {
            error: ErrorCode::None,
        }
    }

    // ---- ISR shrink (the leader's `isr-expiration` task) ----

    pub(crate) fn maybe_shrink_isr(&mut self) {
        let me = self.id();
        let now = self.now;
        let lag = self.config.replica_lag_time_max_ms;
        let mut shrinks = Vec::new();
        for (tp, p) in &self.partitions {
            if !p.is_leader(me) || p.isr_update_in_flight {
                continue;
            }
            let out = p.out_of_sync(me, now, lag);
            if !out.is_empty() {
                let isr: Vec<BrokerId> =
                    p.isr.iter().copied().filter(|r| !out.contains(r)).collect();
                shrinks.push((tp.clone(), isr, out));
            }
        }
        for (tp, isr, out) in shrinks {
            self.event(
                "isr-shrink-proposed",
                || json!({"partition": tp.to_string(), "out_of_sync": out, "reason": "lag"}),
            );
            self.write_isr(&tp, isr);
        }
    }

    // ---- Durability chores ----

    pub(crate) fn maybe_flush(&mut self, tp: &TopicPartition) {
        let now = self.now;
        if let Some(p) = self.partitions.get_mut(tp) {
            p.log.flush_if_due(now);
        }
    }

    pub(crate) fn flush_due_logs(&mut self) {
        let now = self.now;
        for p in self.partitions.values_mut() {
            p.log.flush_if_due(now);
        }
    }

    pub(crate) fn run_retention(&mut self) {
        let now = self.now;
        let me = self.id();
        let mut changed = Vec::new();
        for (tp, p) in self.partitions.iter_mut() {
            let before = p.log.log_start();
            p.log.run_retention(now);
            if p.log.log_start() != before {
                changed.push((tp.clone(), before, p.log.log_start(), p.is_leader(me)));
            }
        }
        for (tp, from, to, leader) in changed {
            self.event("retention", || json!({"partition": tp.to_string(), "log_start_from": from, "log_start_to": to, "leader": leader}));
        }
    }

    /// Kafka's `replication-offset-checkpoint`: version 0, count, then
    /// `topic partition hw` lines.
    pub(crate) fn checkpoint_hw(&mut self) {
        use std::fmt::Write as _;
        let mut text = format!("0\n{}\n", self.partitions.len());
        for (tp, p) in &self.partitions {
            let _ = writeln!(text, "{} {} {}", tp.topic, tp.partition, p.hw());
        }
        let mut s = self.storage.borrow_mut();
        // Written to a temp file, fsynced and renamed, as Kafka's CheckpointFile does.
        let tmp = format!("{HW_CHECKPOINT_FILE}.tmp");
        if s.write_file("", &tmp, text.as_bytes()).is_ok() && s.sync("", &tmp).is_ok() {
            let _ = s.rename("", &tmp, HW_CHECKPOINT_FILE);
            let _ = s.sync("", HW_CHECKPOINT_FILE);
        }
    }

    pub(crate) fn load_hw_checkpoint(&mut self) {
        let data = self
            .storage
            .borrow()
            .read("", HW_CHECKPOINT_FILE)
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&data);
        let mut map = BTreeMap::new();
        for line in text.lines().skip(2) {
            let mut f = line.rsplitn(3, ' ');
            let (Some(hw), Some(part), Some(topic)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if let (Ok(hw), Ok(part)) = (hw.parse::<i64>(), part.parse::<i32>()) {
                map.insert(
                    TopicPartition {
                        topic: Arc::from(topic),
                        partition: part,
                    },
                    hw,
                );
            }
        }
        self.hw_checkpoint = map;
    }

    fn checkpointed_hw(&self, tp: &TopicPartition) -> i64 {
        self.hw_checkpoint.get(tp).copied().unwrap_or(0)
    }
}

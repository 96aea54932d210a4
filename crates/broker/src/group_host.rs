//! The broker hosting Kafka's GroupCoordinator (crates/coordinator): group
//! requests in, responses/timers/appends out, and `__consumer_offsets`
//! leadership turned into load/unload.

use coordinator::{Coordinator, CoordinatorConfig, LoadRecord, Output};
use serde_json::json;

use crate::api::{Addr, Response, TopicPartition};
use crate::coordinator_log::{AppendOwner, CoordinatorBatch, GROUP_METADATA_TOPIC};
use crate::{timers, Broker, BrokerConfig};

pub(crate) fn new_group_coordinator(config: &BrokerConfig, now: u64) -> Coordinator {
    let cfg = CoordinatorConfig {
        group_min_session_timeout_ms: config.group_min_session_timeout_ms,
        group_max_session_timeout_ms: config.group_max_session_timeout_ms,
        group_initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
        offsets_topic_num_partitions: config.offsets_topic_num_partitions,
        ..CoordinatorConfig::default()
    };
    // Member ids come from a UUID source seeded by the broker id and the
    // start time, so runs replay exactly while brokers, and one broker
    // before and after a restart, hand out different ids.
    let seed = (config.broker_id as u64) << 48 ^ now.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    Coordinator::new(cfg, seed)
}

impl Broker {
    pub(crate) fn handle_group_request(
        &mut self,
        from: Addr,
        correlation_id: i32,
        request: coordinator::Request,
    ) {
        let id = self.coord.request_id(from, correlation_id);
        let out = self.groups.handle(self.now as i64, id, request);
        self.process_group_outputs(out);
    }

    pub(crate) fn process_group_outputs(&mut self, outputs: Vec<Output>) {
        for o in outputs {
            match o {
                Output::Response {
                    request_id,
                    response,
                } => {
                    if let Some((to, corr)) = self.coord.requests.remove(&request_id) {
                        self.respond(to, corr, Response::Group(response));
                    }
                }
                Output::SetTimer {
                    token, deadline, ..
                } => self.set_timer(timers::GROUP_COORDINATOR + token.0, deadline.max(0) as u64),
                Output::CancelTimer { token } => {
                    self.cancel_timer(timers::GROUP_COORDINATOR + token.0)
                }
                Output::Append(a) => {
                    let tp = TopicPartition::new(GROUP_METADATA_TOPIC, a.partition);
                    let batch = CoordinatorBatch {
                        timestamp: a.timestamp,
                        producer_id: a.producer_id,
                        producer_epoch: a.producer_epoch,
                        transactional: a.transactional,
                        required_acks: a.required_acks,
                        records: a.records.into_iter().map(|r| (r.key, r.value)).collect(),
                    };
                    self.coordinator_append(AppendOwner::Group(a.append_id), tp, batch);
                }
                Output::GroupStateChanged {
                    group_id,
                    from,
                    to,
                    generation_id,
                } => self.event("group-state", || {
                    json!({"group": group_id, "from": from.name(), "to": to.name(), "generation": generation_id})
                }),
            }
        }
    }

    pub(crate) fn group_timer(&mut self, token: u64) {
        let out = self
            .groups
            .on_timer(self.now as i64, coordinator::TimerToken(token));
        self.process_group_outputs(out);
    }

    /// This broker now leads `__consumer_offsets-{partition}`: read it and
    /// hand every record to the coordinator.
    pub(crate) fn load_groups(&mut self, tp: &TopicPartition) {
        let partition = tp.partition;
        self.groups.begin_loading(partition);
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
            let pid = b.batch.is_transactional.then_some(b.batch.producer_id);
            b.batch.records.iter().filter_map(move |r| {
                Some(LoadRecord {
                    batch_base_offset: b.header.base_offset,
                    transactional_producer_id: pid,
                    is_control: b.batch.is_control,
                    key: r.key.as_deref()?,
                    value: r.value.as_deref(),
                })
            })
        });
        match self.groups.load(self.now as i64, partition, records) {
            Ok(out) => {
                let groups = self
                    .groups
                    .groups()
                    .filter(|g| self.groups.partition_for(&g.group_id) == partition)
                    .count();
                self.event(
                    "group-coordinator-loaded",
                    || json!({"partition": tp.to_string(), "groups": groups}),
                );
                self.process_group_outputs(out);
            }
            Err(e) => self.event(
                "coordinator-load-failed",
                || json!({"partition": tp.to_string(), "error": format!("{e:?}")}),
            ),
        }
    }

    pub(crate) fn unload_groups(&mut self, tp: &TopicPartition) {
        let out = self.groups.unload(self.now as i64, tp.partition);
        self.event(
            "group-coordinator-unloaded",
            || json!({"partition": tp.to_string()}),
        );
        self.process_group_outputs(out);
    }
}

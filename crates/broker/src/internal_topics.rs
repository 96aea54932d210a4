//! FindCoordinator and the internal topics behind it. As Kafka's
//! ZooKeeper-mode KafkaApis does, the first FindCoordinator for a group
//! (transactional id) creates `__consumer_offsets` (`__transaction_state`)
//! in ZooKeeper with Kafka's configs and replica assignment, and answers
//! COORDINATOR_NOT_AVAILABLE until the key's partition has a leader.
//!
//! Auto-creation the same way (`auto.create.topics.enable`, default true):
//! a Metadata request naming a topic the broker does not know creates it
//! with `num.partitions` and `default.replication.factor`
//! (`KafkaApis.getTopicMetadata` -> `AutoTopicCreationManager`). The
//! answer leaves it out until the controller has told this broker about
//! it, so the client asks again (Kafka answers LEADER_NOT_AVAILABLE).

use controller::assignment::{assign_replicas_to_brokers, AssignmentStart, BrokerMetadata};
use controller::kafka_zk;
use controller::zk::messages::{ZkErrorCode, ZkResponse};
use controller::znodes::TopicAssignment;
use protocol::ErrorCode;
use serde_json::json;

use crate::api::{Addr, CoordinatorType, Response, TopicPartition, NO_LEADER};
use crate::coordinator_log::{GROUP_METADATA_TOPIC, TRANSACTION_STATE_TOPIC};
use crate::zk_client::Purpose;
use crate::Broker;

/// How the internal topic of a coordinator type is made.
struct InternalTopic {
    name: String,
    partitions: i32,
    replication_factor: i16,
    configs: Vec<(&'static str, String)>,
}

impl Broker {
    fn internal_topic(&self, key_type: CoordinatorType) -> InternalTopic {
        let c = &self.config;
        match key_type {
            // GroupMetadataManager.offsetsTopicConfigs
            CoordinatorType::Group => InternalTopic {
                name: GROUP_METADATA_TOPIC.to_string(),
                partitions: c.offsets_topic_num_partitions,
                replication_factor: c.offsets_topic_replication_factor,
                configs: vec![
                    ("cleanup.policy", "compact".into()),
                    ("segment.bytes", c.offsets_topic_segment_bytes.to_string()),
                    ("compression.type", "producer".into()),
                ],
            },
            // TransactionLog.transactionTopicConfigs
            CoordinatorType::Transaction => InternalTopic {
                name: TRANSACTION_STATE_TOPIC.to_string(),
                partitions: c.transaction_state_log_num_partitions,
                replication_factor: c.transaction_state_log_replication_factor,
                configs: vec![
                    ("compression.type", "uncompressed".into()),
                    ("cleanup.policy", "compact".into()),
                    (
                        "min.insync.replicas",
                        c.transaction_state_log_min_isr.to_string(),
                    ),
                    ("unclean.leader.election.enable", "false".into()),
                    (
                        "segment.bytes",
                        c.transaction_state_log_segment_bytes.to_string(),
                    ),
                ],
            },
        }
    }

    pub(crate) fn handle_find_coordinator(
        &mut self,
        from: Addr,
        correlation_id: i32,
        key: String,
        key_type: CoordinatorType,
    ) {
        let (error, node_id) = self.find_coordinator(&key, key_type);
        self.respond(
            from,
            correlation_id,
            Response::FindCoordinator { error, node_id },
        );
    }

    fn find_coordinator(&mut self, key: &str, key_type: CoordinatorType) -> (ErrorCode, i32) {
        let topic = self.internal_topic(key_type);
        let partition = match key_type {
            CoordinatorType::Group => coordinator::partition_for(key, topic.partitions),
            CoordinatorType::Transaction => transaction::partition_for(key, topic.partitions),
        };
        let tp = TopicPartition::new(&topic.name, partition);
        if !self.topic_known(&topic.name) {
            self.create_internal_topic(topic);
            return (ErrorCode::CoordinatorNotAvailable, NO_LEADER);
        }
        match self.leader_of(&tp) {
            Some(l) if l >= 0 && self.metadata.live_brokers.contains(&l) => (ErrorCode::None, l),
            _ => (ErrorCode::CoordinatorNotAvailable, NO_LEADER),
        }
    }

    fn topic_known(&self, name: &str) -> bool {
        self.metadata
            .partitions
            .range(TopicPartition::new(name, i32::MIN)..)
            .next()
            .is_some_and(|(t, _)| *t.topic == *name)
    }

    /// A client's Metadata request: topics it names that do not exist are
    /// created when `auto.create.topics.enable` (internal ones never: they
    /// come with FindCoordinator).
    pub(crate) fn maybe_auto_create_topics(&mut self, topics: &[String]) {
        if !self.config.auto_create_topics_enable {
            return;
        }
        for name in topics {
            if name.starts_with("__") || self.topic_known(name) {
                continue;
            }
            let topic = InternalTopic {
                name: name.clone(),
                partitions: self.config.num_partitions,
                replication_factor: self.config.default_replication_factor,
                configs: Vec::new(),
            };
            self.create_internal_topic(topic);
        }
    }

    /// Kafka's `AdminZkClient.createTopic` for an internal topic, over the
    /// brokers the metadata cache knows alive. Fewer brokers than the
    /// replication factor fails as INVALID_REPLICATION_FACTOR (logged; the
    /// client keeps seeing COORDINATOR_NOT_AVAILABLE).
    fn create_internal_topic(&mut self, topic: InternalTopic) {
        if self.coord.creating.contains(&topic.name) {
            return;
        }
        let brokers: Vec<BrokerMetadata> = self
            .metadata
            .live_brokers
            .iter()
            .map(|&id| BrokerMetadata::new(id, None))
            .collect();
        // Kafka draws the start index at random; a mix of the broker id and
        // the time keeps runs replayable.
        let mut seed = (self.now ^ ((self.id() as u64) << 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let start = AssignmentStart::random(brokers.len(), |k| {
            seed = seed.rotate_left(29).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            (seed >> 33) as usize % k.max(1)
        });
        let replicas = match assign_replicas_to_brokers(
            &brokers,
            topic.partitions,
            topic.replication_factor as i32,
            start,
            0,
        ) {
            Ok(r) => r,
            Err(e) => {
                let (name, alive, rf) = (&topic.name, brokers.len(), topic.replication_factor);
                self.event("internal-topic-creation-failed", || {
                    json!({"topic": name, "error": e.error_name(), "message": e.message(), "alive_brokers": alive, "replication_factor": rf})
                });
                return;
            }
        };
        self.coord.creating.insert(topic.name.clone());
        let configs: Vec<(&str, &str)> = topic
            .configs
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let assignment = TopicAssignment::from_replicas(None, &replicas);
        let requests = kafka_zk::create_topic(&topic.name, &configs, &assignment);
        for r in requests {
            self.zk_send(r, Purpose::InternalTopic(topic.name.clone()));
        }
        let (name, n, rf) = (&topic.name, topic.partitions, topic.replication_factor);
        self.event(
            "internal-topic-create",
            || json!({"topic": name, "partitions": n, "replication_factor": rf}),
        );
    }

    pub(crate) fn on_internal_topic_created(&mut self, topic: String, response: ZkResponse) {
        match response {
            ZkResponse::Created { .. }
            | ZkResponse::Error {
                err: ZkErrorCode::NodeExists,
            } => {}
            other => {
                self.event(
                    "internal-topic-creation-failed",
                    || json!({"topic": topic, "error": format!("{other:?}")}),
                );
                // A later FindCoordinator tries again.
                self.coord.creating.remove(&topic);
            }
        }
    }
}

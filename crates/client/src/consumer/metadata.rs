//! The consumer's `Metadata`: partition leaders (with leader epochs,
//! KIP-320) and partition counts, from Metadata responses.

use std::collections::BTreeMap;

use broker::api::{BrokerId, MetadataResponse, TopicPartition, NO_LEADER};

#[derive(Debug, Default)]
pub struct Metadata {
    /// Partition → (leader, leader epoch); leader -1 while there is none.
    pub leaders: BTreeMap<TopicPartition, (BrokerId, i32)>,
    pub partitions_per_topic: BTreeMap<String, i32>,
    pub brokers: Vec<BrokerId>,
    /// At least one response arrived.
    pub received: bool,
    pub need_update: bool,
    pub in_flight: bool,
    /// Not before (retry backoff after a failure).
    pub retry_at: u64,
    /// `metadata.max.age.ms` after the last update.
    pub refresh_at: u64,
    /// Turns through the known brokers when one does not answer.
    pub next_broker: usize,
}

impl Metadata {
    pub fn leader(&self, tp: &TopicPartition) -> Option<(BrokerId, i32)> {
        self.leaders
            .get(tp)
            .copied()
            .filter(|(l, _)| *l != NO_LEADER)
    }

    pub fn partition_count(&self, topic: &str) -> Option<i32> {
        self.partitions_per_topic.get(topic).copied()
    }

    /// Applies a response; a partition's entry is replaced only if its
    /// epoch is not older than the one known (stale metadata from a broker
    /// that missed an update is ignored, as Kafka's `Metadata.updateLatestMetadata`).
    pub fn update(&mut self, r: &MetadataResponse) {
        let mut counts: BTreeMap<String, i32> = BTreeMap::new();
        for p in &r.partitions {
            let c = counts.entry(p.tp.topic.to_string()).or_insert(0);
            *c = (*c).max(p.tp.partition + 1);
            match self.leaders.get(&p.tp) {
                Some((_, epoch)) if *epoch > p.leader_epoch => {}
                _ => {
                    self.leaders
                        .insert(p.tp.clone(), (p.leader, p.leader_epoch));
                }
            }
        }
        self.leaders.retain(|tp, _| counts.contains_key(&*tp.topic));
        self.partitions_per_topic = counts;
        if !r.brokers.is_empty() {
            self.brokers = r.brokers.clone();
        }
        self.received = true;
        self.need_update = false;
    }
}

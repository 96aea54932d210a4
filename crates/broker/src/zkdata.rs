//! The znode bytes this broker reads and writes, through the controller
//! crate's byte-exact encoders.

use controller::znodes::notifications::{self, TopicPartition as NotifiedPartition};
use controller::znodes::{BrokerRegistration, ControllerRegistration, LeaderIsrAndControllerEpoch};

use crate::api::BrokerId;

pub fn broker_registration(id: BrokerId, rack: Option<&str>, now: u64) -> Vec<u8> {
    // Every simulated broker listens on its own host name; the port is Kafka's default.
    BrokerRegistration::new(id, &format!("broker-{id}"), 9092, rack, now as i64).encode()
}

pub fn controller(id: BrokerId, now: u64) -> Vec<u8> {
    ControllerRegistration {
        broker_id: id,
        timestamp_ms: now as i64,
    }
    .encode()
}

pub fn controller_id(data: &[u8]) -> Option<BrokerId> {
    ControllerRegistration::decode(data)
        .ok()
        .map(|c| c.broker_id)
}

pub fn partition_state(
    leader: BrokerId,
    leader_epoch: i32,
    isr: &[BrokerId],
    controller_epoch: i32,
) -> Vec<u8> {
    LeaderIsrAndControllerEpoch {
        leader,
        leader_epoch,
        isr: isr.to_vec(),
        controller_epoch,
    }
    .encode()
}

pub fn isr_change_notification(partitions: &[(&str, i32)]) -> Vec<u8> {
    let parts: Vec<NotifiedPartition> = partitions
        .iter()
        .map(|(t, p)| NotifiedPartition::new(t, *p))
        .collect();
    notifications::encode_isr_change(&parts)
}

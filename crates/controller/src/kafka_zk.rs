//! The ZooKeeper requests Kafka's `KafkaZkClient` sends, ready to hand to
//! a [`ZkClient`](crate::zk::ZkClient): broker registration, controller
//! election with the epoch bump, topic creation, leader/ISR updates fenced
//! by the controller epoch's znode version, ISR change notifications.

use std::collections::BTreeMap;

use crate::zk::{CreateMode, Op, OpResult, ZkErrorCode, ZkRequest, ZkResponse};
use crate::znodes::controller::{encode_controller_epoch, ControllerRegistration};
use crate::znodes::notifications::{encode_entity_config, encode_isr_change, TopicPartition};
use crate::znodes::{paths, BrokerRegistration, LeaderIsrAndControllerEpoch, TopicAssignment};

/// `KafkaController.InitialControllerEpoch`: `/controller_epoch` starts at
/// 0, so the first controller runs in epoch 1.
pub const INITIAL_CONTROLLER_EPOCH: i32 = 0;

fn create(path: &str, data: Vec<u8>, mode: CreateMode) -> ZkRequest {
    ZkRequest::Create {
        path: path.to_string(),
        data,
        mode,
    }
}

/// `createRecursive`: creates for each missing ancestor (empty data), then
/// the node. Callers ignore NODEEXISTS on the ancestors.
pub fn create_recursive(path: &str, data: Vec<u8>, mode: CreateMode) -> Vec<ZkRequest> {
    let mut out: Vec<ZkRequest> = ancestors(path)
        .into_iter()
        .map(|p| create(&p, Vec::new(), CreateMode::Persistent))
        .collect();
    out.push(create(path, data, mode));
    out
}

fn ancestors(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 1;
    while let Some(j) = path[i..].find('/') {
        out.push(path[..i + j].to_string());
        i += j + 1;
    }
    out
}

/// `createTopLevelPaths`: every `ZkData.PersistentZkPaths` entry and its
/// parents, each once, in order. NODEEXISTS answers are expected (another
/// broker got there first) and harmless.
pub fn create_top_level_paths() -> Vec<ZkRequest> {
    let mut seen: Vec<String> = Vec::new();
    for p in paths::persistent_paths() {
        for q in ancestors(&p).into_iter().chain(std::iter::once(p)) {
            if !seen.contains(&q) {
                seen.push(q);
            }
        }
    }
    seen.iter()
        .map(|p| create(p, Vec::new(), CreateMode::Persistent))
        .collect()
}

/// `registerBroker`: the ephemeral `/brokers/ids/N`. NODEEXISTS means a
/// live session (possibly this broker's previous one) still holds the id.
pub fn register_broker(registration: &BrokerRegistration) -> ZkRequest {
    create(
        &paths::broker_id(registration.id),
        registration.encode(),
        CreateMode::Ephemeral,
    )
}

/// `maybeCreateControllerEpochZNode`: `/controller_epoch` = "0" if absent.
pub fn create_controller_epoch_znode() -> ZkRequest {
    create(
        paths::CONTROLLER_EPOCH,
        encode_controller_epoch(INITIAL_CONTROLLER_EPOCH),
        CreateMode::Persistent,
    )
}

/// `registerControllerAndIncrementControllerEpoch`: one multi that creates
/// the ephemeral `/controller` and bumps `/controller_epoch` from the
/// epoch/version the candidate just read. NODEEXISTS on op 0: someone else
/// is controller; BADVERSION on op 1: someone else bumped the epoch first.
/// On success the new epoch is `current_epoch + 1` and its znode version is
/// `current_epoch_zk_version + 1`.
pub fn register_controller_and_increment_epoch(
    broker_id: i32,
    timestamp_ms: i64,
    current_epoch: i32,
    current_epoch_zk_version: i32,
) -> ZkRequest {
    ZkRequest::Multi {
        ops: vec![
            Op::Create {
                path: paths::CONTROLLER.to_string(),
                data: ControllerRegistration {
                    broker_id,
                    timestamp_ms,
                }
                .encode(),
                mode: CreateMode::Ephemeral,
            },
            Op::SetData {
                path: paths::CONTROLLER_EPOCH.to_string(),
                data: encode_controller_epoch(current_epoch + 1),
                version: current_epoch_zk_version,
            },
        ],
    }
}

/// Every write the controller makes is wrapped like this
/// (`wrapRequestWithControllerEpochCheck`): it fails with BADVERSION once
/// another controller has bumped `/controller_epoch`, fencing a zombie.
pub fn controller_write(controller_epoch_zk_version: i32, op: Op) -> ZkRequest {
    ZkRequest::Multi {
        ops: vec![
            Op::Check {
                path: paths::CONTROLLER_EPOCH.to_string(),
                version: controller_epoch_zk_version,
            },
            op,
        ],
    }
}

/// `ControllerMovedException`: the epoch check of a [`controller_write`]
/// failed.
pub fn is_controller_moved(response: &ZkResponse) -> bool {
    matches!(
        response,
        ZkResponse::Multi { results }
            if matches!(results.first(), Some(OpResult::Error { err: ZkErrorCode::BadVersion }))
    )
}

/// `AdminZkClient.createTopicWithAssignment`: the topic's config first,
/// then its assignment (the controller watches `/brokers/topics`).
pub fn create_topic(
    topic: &str,
    config: &[(&str, &str)],
    assignment: &TopicAssignment,
) -> Vec<ZkRequest> {
    vec![
        create(
            &paths::topic_config(topic),
            encode_entity_config(config),
            CreateMode::Persistent,
        ),
        create(
            &paths::topic(topic),
            assignment.encode(),
            CreateMode::Persistent,
        ),
    ]
}

/// The controller's `createTopicPartitionStatesRaw` and the
/// `partitions`/`P` znodes above it, each a fenced [`controller_write`].
pub fn create_partition_states(
    topic: &str,
    states: &BTreeMap<i32, LeaderIsrAndControllerEpoch>,
    controller_epoch_zk_version: i32,
) -> Vec<ZkRequest> {
    let mut out = vec![controller_write(
        controller_epoch_zk_version,
        Op::Create {
            path: paths::topic_partitions(topic),
            data: Vec::new(),
            mode: CreateMode::Persistent,
        },
    )];
    for p in states.keys() {
        out.push(controller_write(
            controller_epoch_zk_version,
            Op::Create {
                path: paths::topic_partition(topic, *p),
                data: Vec::new(),
                mode: CreateMode::Persistent,
            },
        ));
    }
    for (p, state) in states {
        out.push(controller_write(
            controller_epoch_zk_version,
            Op::Create {
                path: paths::partition_state(topic, *p),
                data: state.encode(),
                mode: CreateMode::Persistent,
            },
        ));
    }
    out
}

/// `updateLeaderAndIsr` for one partition: a conditional setData on the
/// state znode (its version is the partition's `zkVersion`), fenced by the
/// controller epoch.
pub fn update_leader_and_isr(
    topic: &str,
    partition: i32,
    state: &LeaderIsrAndControllerEpoch,
    state_zk_version: i32,
    controller_epoch_zk_version: i32,
) -> ZkRequest {
    controller_write(
        controller_epoch_zk_version,
        Op::SetData {
            path: paths::partition_state(topic, partition),
            data: state.encode(),
            version: state_zk_version,
        },
    )
}

/// A partition leader shrinking or expanding its ISR in ZooKeeper mode
/// before AlterIsr (`ReplicationUtils.updateLeaderAndIsr`): a conditional
/// setData on the state znode, not fenced by the controller epoch. A
/// BADVERSION answer means the controller changed the state meanwhile.
pub fn leader_update_isr(
    topic: &str,
    partition: i32,
    state: &LeaderIsrAndControllerEpoch,
    state_zk_version: i32,
) -> ZkRequest {
    ZkRequest::SetData {
        path: paths::partition_state(topic, partition),
        data: state.encode(),
        version: state_zk_version,
    }
}

/// `propagateIsrChanges`: a leader that changed ISRs announces it with a
/// sequential `/isr_change_notification/isr_change_N` the controller
/// watches.
pub fn isr_change_notification(partitions: &[TopicPartition]) -> ZkRequest {
    create(
        &paths::isr_change_create_path(),
        encode_isr_change(partitions),
        CreateMode::PersistentSequential,
    )
}

/// The watches a broker sets: the controller znode (every broker, to run
/// for controller when it goes) ...
pub fn watch_controller() -> ZkRequest {
    ZkRequest::Exists {
        path: paths::CONTROLLER.to_string(),
        watch: true,
    }
}

/// ... and, on the controller, the live brokers, the topics and the ISR
/// change notifications (`BrokerChangeHandler`, `TopicChangeHandler`,
/// `IsrChangeNotificationHandler`).
pub fn controller_watches() -> Vec<ZkRequest> {
    [
        paths::BROKER_IDS,
        paths::TOPICS,
        paths::ISR_CHANGE_NOTIFICATION,
    ]
    .iter()
    .map(|p| ZkRequest::GetChildren {
        path: p.to_string(),
        watch: true,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursive_creates_parents_first() {
        let r = create_recursive("/a/b/c", b"x".to_vec(), CreateMode::Ephemeral);
        let paths: Vec<&str> = r
            .iter()
            .map(|r| match r {
                ZkRequest::Create { path, .. } => path.as_str(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(paths, vec!["/a", "/a/b", "/a/b/c"]);
        assert!(
            matches!(&r[2], ZkRequest::Create { mode: CreateMode::Ephemeral, data, .. } if data == b"x")
        );
        assert!(matches!(
            &r[0],
            ZkRequest::Create {
                mode: CreateMode::Persistent,
                ..
            }
        ));
    }

    #[test]
    fn top_level_paths_have_parents_once() {
        let r = create_top_level_paths();
        let paths: Vec<&str> = r
            .iter()
            .map(|r| match r {
                ZkRequest::Create { path, .. } => path.as_str(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            &paths[..4],
            &["/consumers", "/brokers", "/brokers/ids", "/brokers/topics"]
        );
        assert_eq!(paths.iter().filter(|p| **p == "/config").count(), 1);
        assert!(
            paths.iter().position(|p| *p == "/config").unwrap()
                < paths.iter().position(|p| *p == "/config/topics").unwrap()
        );
    }

    #[test]
    fn controller_moved_is_a_failed_epoch_check() {
        let moved = ZkResponse::Multi {
            results: vec![
                OpResult::Error {
                    err: ZkErrorCode::BadVersion,
                },
                OpResult::Error {
                    err: ZkErrorCode::RuntimeInconsistency,
                },
            ],
        };
        assert!(is_controller_moved(&moved));
        let other = ZkResponse::Multi {
            results: vec![
                OpResult::Error {
                    err: ZkErrorCode::Ok,
                },
                OpResult::Error {
                    err: ZkErrorCode::BadVersion,
                },
            ],
        };
        assert!(!is_controller_moved(&other));
    }
}

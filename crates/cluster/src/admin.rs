//! The admin tool's side of the cluster (`kafka-topics.sh --zookeeper`):
//! topic creation as writes to ZooKeeper, and reading assignments back.

use std::collections::BTreeMap;

use broker::api::{BrokerId, TopicPartition};
use controller::assignment::{assign_replicas_to_brokers, AssignmentStart, BrokerMetadata};
use controller::zk::{CreateMode, ZkMessage, ZkRequest, ZkResponse};
use controller::znodes::{notifications, paths, topic::random_topic_id, TopicAssignment};

use crate::cluster::{Cluster, TopicInfo};
use crate::node::{ClusterNode, ADMIN_CONN};

impl Cluster {
    // ---- admin (kafka-topics.sh --zookeeper) ----

    /// Runs ZooKeeper requests as the admin tool, in one session; returns
    /// the responses. The tool's connection is not a network node: its
    /// requests are handled at once, the watches they fire go out normally.
    pub fn admin(&mut self, requests: Vec<ZkRequest>) -> Result<Vec<ZkResponse>, String> {
        let zk = self.topo.zk();
        if !self.sim.is_up(zk) {
            return Err("zk is down: the admin tool cannot connect".into());
        }
        let now = self.sim.now();
        let mut all = vec![ZkRequest::Connect {
            session_timeout_ms: 30_000,
            session_id: None,
        }];
        all.extend(requests);
        all.push(ZkRequest::CloseSession);
        let n = all.len();
        let responses = self
            .sim
            .invoke(zk, |node, out| {
                let ClusterNode::Zk(z) = node else {
                    unreachable!("zk node")
                };
                let mut responses = Vec::new();
                for (xid, req) in all.into_iter().enumerate() {
                    let outputs = z.server.handle(now, ADMIN_CONN, xid as i32, req);
                    for m in z.send_all(outputs, out) {
                        if let ZkMessage::Response { response, .. } = m {
                            responses.push(response);
                        }
                    }
                }
                responses
            })
            .map_err(|e| e.to_string())?;
        // One answer per request: connect, the requests, close.
        if responses.len() != n {
            return Err(format!(
                "ZooKeeper answered {} of {n} admin requests",
                responses.len()
            ));
        }
        Ok(responses[1..n - 1].to_vec())
    }

    /// `kafka-topics.sh --create`: the replica assignment (given, or Kafka's
    /// `assignReplicasToBrokers` over the registered brokers with a random
    /// start), `/config/topics/T`, then `/brokers/topics/T`.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: i32,
        replication_factor: i32,
        assignment: Option<&[Vec<i32>]>,
        config: &[(String, String)],
    ) -> Result<(), String> {
        let replicas: BTreeMap<i32, Vec<i32>> = match assignment {
            Some(a) => a
                .iter()
                .enumerate()
                .map(|(p, r)| (p as i32, r.clone()))
                .collect(),
            None => {
                let registered: Vec<BrokerMetadata> = self
                    .zk()
                    .tree()
                    .get(paths::BROKER_IDS)
                    .map(|n| {
                        n.children
                            .iter()
                            .filter_map(|c| c.parse::<i32>().ok())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                    .into_iter()
                    .map(|id| BrokerMetadata::new(id, self.configs[id as usize].rack.as_deref()))
                    .collect();
                let mut sorted = registered;
                sorted.sort_by_key(|b| b.id);
                let n = sorted.len();
                let (a, b) = (self.next_admin_random(), self.next_admin_random());
                let mut draws = [a, b].into_iter();
                let start = AssignmentStart::random(n, |k| {
                    (draws.next().unwrap_or(0) % k.max(1) as u64) as usize
                });
                assign_replicas_to_brokers(&sorted, partitions, replication_factor, start, 0)
                    .map_err(|e| e.to_string())?
            }
        };
        let (r1, r2) = (self.next_admin_random(), self.next_admin_random());
        let mut bits = Some(((r1 as u128) << 64) | r2 as u128);
        let mut more = self.admin_rng;
        let topic_id = random_topic_id(|| {
            bits.take().unwrap_or_else(|| {
                more = more
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((more as u128) << 64) | (more.rotate_left(17) as u128)
            })
        });
        let pairs: Vec<(&str, &str)> = config
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let responses = self.admin(vec![
            ZkRequest::Create {
                path: paths::topic_config(name),
                data: notifications::encode_entity_config(&pairs),
                mode: CreateMode::Persistent,
            },
            ZkRequest::Create {
                path: paths::topic(name),
                data: TopicAssignment::from_replicas(Some(topic_id), &replicas).encode(),
                mode: CreateMode::Persistent,
            },
        ])?;
        for r in responses {
            if let ZkResponse::Error { err } = r {
                return Err(format!(
                    "creating topic {name} failed in ZooKeeper: {}",
                    err.name()
                ));
            }
        }
        self.topics.insert(
            name.to_string(),
            TopicInfo {
                partitions: replicas.len() as i32,
                config: config.to_vec(),
            },
        );
        Ok(())
    }

    /// The partition's replicas as assigned in `/brokers/topics/T`; `None`
    /// if the topic does not exist, empty if the partition does not.
    pub fn assigned_replicas(&self, tp: &TopicPartition) -> Option<Vec<BrokerId>> {
        let node = self.zk().tree().get(&paths::topic(&tp.topic))?;
        let a = TopicAssignment::decode(&node.data).ok()?;
        Some(
            a.partitions
                .get(&tp.partition)
                .map(|r| r.replicas.clone())
                .unwrap_or_default(),
        )
    }

    pub fn topic_partitions(&self, topic: &str) -> Vec<TopicPartition> {
        self.topics
            .get(topic)
            .map(|t| {
                (0..t.partitions)
                    .map(|p| TopicPartition::new(topic, p))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn all_partitions(&self) -> Vec<TopicPartition> {
        self.topics
            .keys()
            .flat_map(|t| self.topic_partitions(t))
            .collect()
    }
}

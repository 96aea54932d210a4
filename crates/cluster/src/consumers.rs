//! The cluster's consumer processes: adding one, reaching it, and the
//! group coordinator's view of a group (on the broker leading the group's
//! `__consumer_offsets` partition) for predicates.

use broker::api::TopicPartition;
use client::consumer::{Consumer, ConsumerConfig};
use sim::{NodeId, Outputs};

use crate::cluster::{Cluster, Life};
use crate::consumer_node::ConsumerNode;
use crate::node::{ClusterNode, Wire};

impl Cluster {
    /// Adds and starts a consumer named `name`.
    pub fn add_consumer(&mut self, name: &str, config: ConsumerConfig) -> NodeId {
        let n = self.clients.len() as u32;
        let node = ConsumerNode::new(name, config, self.topo);
        let id = self
            .sim
            .add_node(name, ClusterNode::Consumer(Box::new(node)));
        debug_assert_eq!(id, self.topo.client(n));
        self.clients.insert(name.to_string(), id);
        self.life.insert(id, Life::Up);
        self.sim.start(id).expect("new node");
        id
    }

    pub fn consumer_node(&self, name: &str) -> Option<&ConsumerNode> {
        match self.sim.node(self.client_id(name)?) {
            ClusterNode::Consumer(c) => Some(c),
            _ => None,
        }
    }

    pub fn consumer(&self, name: &str) -> Option<&Consumer> {
        self.consumer_node(name).map(|c| &c.consumer)
    }

    /// Runs `f` on an up consumer's node at the current time.
    pub fn with_consumer<R>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut ConsumerNode, u64, &mut Outputs<'_, Wire>) -> R,
    ) -> Result<R, String> {
        let id = self
            .client_id(name)
            .ok_or_else(|| format!("there is no consumer {name}"))?;
        if self.life(id) != Life::Up {
            return Err(format!("consumer {name} is not running"));
        }
        let now = self.sim.now();
        self.sim
            .invoke(id, |node, out| match node {
                ClusterNode::Consumer(c) => Ok(f(c, now, out)),
                _ => Err(format!("{name} is not a consumer")),
            })
            .map_err(|e| e.to_string())?
    }

    /// A crashed consumer's process starts again (called before the
    /// simulator restarts the node).
    pub(crate) fn reset_consumer_process(&mut self, id: NodeId) {
        if let ClusterNode::Consumer(c) = self.sim.node_mut(id) {
            c.reset_process();
        }
    }

    /// Every consumer node, with its name.
    pub fn consumer_nodes(&self) -> impl Iterator<Item = &ConsumerNode> {
        self.clients
            .values()
            .filter_map(|id| match self.sim.node(*id) {
                ClusterNode::Consumer(c) => Some(c.as_ref()),
                _ => None,
            })
    }

    /// Group `group` as its coordinator has it: the up leader of the
    /// group's `__consumer_offsets` partition, once it has loaded it.
    pub fn group_of(&self, group: &str) -> Option<broker::query::GroupSummary> {
        let partitions = self.configs.first()?.offsets_topic_num_partitions;
        let p = coordinator::partition_for(group, partitions);
        let leader = self.leader(&TopicPartition::new("__consumer_offsets", p))?;
        self.broker_group(leader, group)
    }
}

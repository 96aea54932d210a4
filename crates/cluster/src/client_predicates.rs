//! The consumer and group predicates: `consumed`, `processed` (the
//! application's history, which survives a crash of its process) and
//! `committed`, `assignment`, `members`, `generation`, `state`, `lag` (the
//! group coordinator's view on the broker leading the group's
//! `__consumer_offsets` partition, as `kafka-consumer-groups.sh --describe`
//! reads it).
//!
//! A group no coordinator knows (never joined, or its coordinator is down or
//! still loading) is `Dead` with no members, generation `none`, nothing
//! committed, as Kafka describes an unknown group.

use std::collections::BTreeSet;

use broker::api::TopicPartition;
use client::consumer::consumer_protocol::decode_assignment;
use scenario::Subject;

use crate::cluster::Cluster;
use crate::predicates::Value;

/// `Some` for the subjects this module evaluates.
pub fn evaluate(c: &Cluster, subject: &Subject) -> Option<Result<Value, String>> {
    Some(match subject {
        Subject::Consumed(name) => consumer(c, name).map(|n| list(n.consumer.consumed())),
        Subject::Processed(name) => consumer(c, name).map(|n| list(n.consumer.processed())),
        Subject::Committed { group, partition } => Ok(c
            .group_coordinator_of(group)
            .and_then(|g| g.committed(group, &partition.topic, partition.partition))
            .map_or(Value::None, Value::Int)),
        Subject::Lag { group, partition } => {
            let tp = TopicPartition::new(&partition.topic, partition.partition);
            let hw = c
                .leader(&tp)
                .and_then(|l| c.replica_offsets(l, &tp))
                .map(|(_, _, hw)| hw);
            let committed = c
                .group_coordinator_of(group)
                .and_then(|g| g.committed(group, &partition.topic, partition.partition));
            Ok(match (hw, committed) {
                (Some(hw), Some(off)) => Value::Int(hw - off),
                _ => Value::None,
            })
        }
        Subject::Members(group) => Ok(Value::Names(
            c.group_coordinator_of(group)
                .and_then(|g| g.group(group))
                .map(|g| g.members().map(|m| m.client_id.clone()).collect())
                .unwrap_or_default(),
        )),
        Subject::Generation(group) => Ok(c
            .group_coordinator_of(group)
            .and_then(|g| g.generation(group))
            .map_or(Value::None, |g| Value::Int(g as i64))),
        Subject::State(group) => Ok(Value::Names(
            [c.group_coordinator_of(group)
                .and_then(|g| g.state(group))
                .map_or("Dead", |s| s.name())
                .to_string()]
            .into_iter()
            .collect(),
        )),
        Subject::Assignment { group, member } => Ok(Value::Names(assignment(c, group, member))),
        _ => return None,
    })
}

fn consumer<'a>(
    c: &'a Cluster,
    name: &str,
) -> Result<&'a crate::consumer_node::ConsumerNode, String> {
    c.consumer_node(name)
        .ok_or_else(|| format!("there is no consumer {name}"))
}

fn list(values: &[String]) -> Value {
    Value::List(values.to_vec())
}

/// The partitions the group's current generation gives the member whose
/// client id is `member` (the scenario's consumer name).
fn assignment(c: &Cluster, group: &str, member: &str) -> BTreeSet<String> {
    let Some(g) = c.group_coordinator_of(group).and_then(|g| g.group(group)) else {
        return BTreeSet::new();
    };
    g.members()
        .filter(|m| m.client_id == member)
        .filter_map(|m| decode_assignment(&m.assignment).ok())
        .flat_map(|a| a.partitions)
        .map(|tp| format!("{}-{}", tp.topic, tp.partition))
        .collect()
}

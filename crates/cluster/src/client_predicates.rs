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
        Subject::Revoked(name) => consumer(c, name).map(|n| {
            Value::Names(
                n.consumer
                    .revoked()
                    .iter()
                    .map(|tp| tp.to_string())
                    .collect(),
            )
        }),
        Subject::Committed { group, partition } => Ok(c
            .group_of(group)
            .and_then(|g| g.committed(&partition.topic, partition.partition))
            .map_or(Value::None, Value::Int)),
        Subject::Lag { group, partition } => {
            let tp = TopicPartition::new(&partition.topic, partition.partition);
            let hw = c
                .leader(&tp)
                .and_then(|l| c.replica_offsets(l, &tp))
                .map(|(_, _, hw)| hw);
            let committed = c
                .group_of(group)
                .and_then(|g| g.committed(&partition.topic, partition.partition));
            Ok(match (hw, committed) {
                (Some(hw), Some(off)) => Value::Int(hw - off),
                _ => Value::None,
            })
        }
        Subject::Members(group) => Ok(Value::Names(
            c.group_of(group)
                .map(|g| g.members.into_iter().map(|m| m.client_id).collect())
                .unwrap_or_default(),
        )),
        Subject::Generation(group) => Ok(c
            .group_of(group)
            .map_or(Value::None, |g| Value::Int(g.generation as i64))),
        Subject::State(group) => Ok(Value::Names(
            [c.group_of(group).map_or("Dead".to_string(), |g| g.state)]
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

/// The partitions the group's current generation gives the consumer named
/// `member`: the member its running process joined as. A restarted dynamic
/// member is a new member (a new member id); the dead process's member, which
/// keeps its partitions until its session times out, is not it. A static
/// member (`group.instance.id`) is the same member across restarts.
fn assignment(c: &Cluster, group: &str, member: &str) -> BTreeSet<String> {
    let Some(g) = c.group_of(group) else {
        return BTreeSet::new();
    };
    let Some(node) = c.consumer_node(member) else {
        return BTreeSet::new();
    };
    let instance = node.config.group_instance_id.as_deref();
    let member_id = node.consumer.member_id();
    g.members
        .iter()
        .filter(|m| match instance {
            Some(id) => m.group_instance_id.as_deref() == Some(id),
            None => !member_id.is_empty() && m.member_id == member_id,
        })
        .filter_map(|m| decode_assignment(&m.assignment).ok())
        .flat_map(|a| a.partitions)
        .map(|tp| format!("{}-{}", tp.topic, tp.partition))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::runner::{run_source, RunOptions};

    fn run(source: &str) -> Vec<String> {
        let report = run_source("t.scn", source, &RunOptions::default()).expect("parses");
        assert!(report.failure.is_none(), "{:?}", report.failure);
        report.lines
    }

    const JOINED: &str = "cluster brokers=3 seed=3
topic create t partitions=1 replication-factor=3
consumer c group=g session.timeout.ms=6000
subscribe c t
run until assignment g c == t-0 timeout=30000
crash c
restart c
";

    #[test]
    fn a_restarted_dynamic_member_is_not_its_dead_predecessor() {
        let lines = run(&format!(
            "{JOINED}expect members g == c
expect assignment g c == none
run until assignment g c == t-0 timeout=30000
expect generation g == 2
"
        ));
        assert_eq!(
            lines,
            [
                "PASS line 8: members g == c",
                "PASS line 9: assignment g c == none",
                "PASS line 11: generation g == 2"
            ]
        );
    }

    #[test]
    fn a_restarted_static_member_is_the_same_member() {
        let lines = run(&JOINED
            .replace("group=g", "group=g group.instance.id=i1")
            .replace(
                "restart c\n",
                "restart c\nexpect assignment g c == t-0\nexpect generation g == 1\n",
            ));
        assert_eq!(
            lines,
            [
                "PASS line 8: assignment g c == t-0",
                "PASS line 9: generation g == 1"
            ]
        );
    }
}

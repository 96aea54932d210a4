//! The scenario language's predicates, evaluated on a cluster.

use std::collections::BTreeSet;

use broker::api::TopicPartition;
use scenario::{Comparison, Expected, Op, PartitionRef, Predicate, ReplicaRef, Subject};

use crate::cluster::Cluster;
use crate::invariants;

/// A subject's current value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    /// No leader, no controller, no such replica.
    None,
    /// Broker ids or offsets: compared as sets.
    IntSet(BTreeSet<i64>),
    /// Record values, in order.
    List(Vec<String>),
    /// Error names: compared as a set.
    Names(BTreeSet<String>),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn join<T: ToString>(
            f: &mut std::fmt::Formatter<'_>,
            items: impl Iterator<Item = T>,
        ) -> std::fmt::Result {
            let v: Vec<String> = items.map(|i| i.to_string()).collect();
            if v.is_empty() {
                f.write_str("none")
            } else {
                f.write_str(&v.join(","))
            }
        }
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::None => f.write_str("none"),
            Value::IntSet(s) => join(f, s.iter()),
            Value::List(l) => join(f, l.iter()),
            Value::Names(s) => join(f, s.iter()),
        }
    }
}

fn tp(p: &PartitionRef) -> TopicPartition {
    TopicPartition::new(&p.topic, p.partition)
}

fn replica_offset(c: &Cluster, r: &ReplicaRef, pick: fn((i64, i64, i64)) -> i64) -> Value {
    c.replica_offsets(r.broker, &tp(&r.partition))
        .map_or(Value::None, |o| Value::Int(pick(o)))
}

/// Is this subject one the runner can evaluate today?
pub fn supported(_subject: &Subject) -> bool {
    // Consumer and group subjects: see `client_predicates`.
    true
}

/// A replica named in a predicate must be one of the partition's assigned
/// replicas (the checker cannot know assignments Kafka's algorithm picks).
fn check_replica(c: &Cluster, r: &ReplicaRef) -> Result<(), String> {
    let replicas = c.assigned_replicas(&tp(&r.partition));
    match replicas {
        None => Err(format!("topic {} does not exist (yet)", r.partition.topic)),
        Some(list) if list.is_empty() => Err(format!("partition {} does not exist", r.partition)),
        Some(list) if !list.contains(&r.broker) => Err(format!(
            "{} has no replica on broker {} (its replicas: {})",
            r.partition,
            r.broker,
            list.iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )),
        Some(_) => Ok(()),
    }
}

/// The subject's value now, or why it names something that does not exist.
pub fn evaluate(c: &Cluster, subject: &Subject) -> Result<Value, String> {
    if let Some(v) = crate::client_predicates::evaluate(c, subject) {
        return v;
    }
    match subject {
        Subject::ReplicaHw(r)
        | Subject::Leo(r)
        | Subject::LogStart(r)
        | Subject::Log(r)
        | Subject::Segments(r)
        | Subject::Index(r)
        | Subject::IndexLookup { replica: r, .. }
        | Subject::Batches(r)
        | Subject::LogBytes(r) => check_replica(c, r)?,
        Subject::Acked(name) | Subject::Errors(name) | Subject::ProduceRequests(name)
            if c.producer(name).is_none() =>
        {
            return Err(format!("there is no producer {name}"))
        }
        _ => {}
    }
    Ok(value(c, subject))
}

fn value(c: &Cluster, subject: &Subject) -> Value {
    match subject {
        Subject::Leader(p) => c
            .leader(&tp(p))
            .map_or(Value::None, |l| Value::Int(l as i64)),
        Subject::Isr(p) => match c.partition_state(&tp(p)) {
            Some(s) => Value::IntSet(s.isr.iter().map(|&b| b as i64).collect()),
            None => Value::IntSet(BTreeSet::new()),
        },
        Subject::Epoch(p) => c
            .partition_state(&tp(p))
            .map_or(Value::None, |s| Value::Int(s.leader_epoch as i64)),
        Subject::Hw(p) => {
            let t = tp(p);
            match c.leader(&t).and_then(|l| c.replica_offsets(l, &t)) {
                Some((_, _, hw)) => Value::Int(hw),
                None => Value::None,
            }
        }
        Subject::ReplicaHw(r) => replica_offset(c, r, |o| o.2),
        Subject::Leo(r) => replica_offset(c, r, |o| o.1),
        Subject::LogStart(r) => replica_offset(c, r, |o| o.0),
        Subject::Log(r) => match c.replica(r.broker, &tp(&r.partition)) {
            Some(v) => Value::List(v.records.iter().map(|r| r.value_text()).collect()),
            None => Value::List(Vec::new()),
        },
        Subject::Divergent(p) => Value::IntSet(invariants::divergent(c, &tp(p))),
        Subject::Controller => c
            .controller_id()
            .map_or(Value::None, |b| Value::Int(b as i64)),
        Subject::Acked(name) => {
            Value::Int(c.producer(name).map_or(0, |p| p.app.acked.len() as i64))
        }
        Subject::Errors(name) => Value::Names(
            c.producer(name)
                .map(|p| p.app.errors.clone())
                .unwrap_or_default(),
        ),
        Subject::ProduceRequests(name) => Value::Int(
            c.producer(name)
                .map_or(0, |p| p.app.produce_requests as i64),
        ),
        Subject::Lost => Value::Int(invariants::lost(c).len() as i64),
        Subject::Duplicates(p) => Value::Int(invariants::duplicates(c, &tp(p))),
        Subject::Segments(r) | Subject::Index(r) | Subject::Batches(r) | Subject::LogBytes(r) => {
            let Some(l) = c.log_layout(r.broker, &tp(&r.partition)) else {
                return match subject {
                    Subject::Segments(_) | Subject::Index(_) => Value::IntSet(BTreeSet::new()),
                    _ => Value::None,
                };
            };
            match subject {
                Subject::Segments(_) => Value::IntSet(l.segments.into_iter().collect()),
                Subject::Index(_) => Value::IntSet(l.index.into_iter().collect()),
                Subject::Batches(_) => Value::Int(l.batches as i64),
                _ => Value::Int(l.bytes as i64),
            }
        }
        Subject::IndexLookup { replica, offset } => c
            .log_layout(replica.broker, &tp(&replica.partition))
            .and_then(|l| l.lookup(*offset))
            .map_or(Value::None, Value::Int),
        Subject::Children(path) => Value::Names(
            c.zk()
                .tree()
                .get(path)
                .map(|n| n.children.iter().cloned().collect())
                .unwrap_or_default(),
        ),
        other => unreachable!("{} is rejected before the run", other.keyword()),
    }
}

/// Does `actual OP expected` hold?
pub fn holds(actual: &Value, op: Op, expected: &Expected) -> bool {
    let eq = |b: bool| match op {
        Op::Eq => b,
        Op::Ne => !b,
        _ => false,
    };
    match (actual, expected) {
        (Value::Int(a), Expected::Int(b)) => op.holds(a, b),
        (Value::None, Expected::None) => eq(true),
        (Value::None, _) | (Value::Int(_), Expected::None) => eq(false),
        (Value::IntSet(s), Expected::None) => eq(s.is_empty()),
        (Value::IntSet(s), Expected::Ints(v)) => {
            eq(*s == v.iter().copied().collect::<BTreeSet<i64>>())
        }
        (Value::List(l), Expected::None) => eq(l.is_empty()),
        (Value::List(l), Expected::Strings(v)) => eq(l == v),
        (Value::Names(s), Expected::None) => eq(s.is_empty()),
        (Value::Names(s), Expected::Errors(v)) => {
            eq(*s == v.iter().cloned().collect::<BTreeSet<String>>())
        }
        // `members` (names), `assignment` (partitions), `state`: as sets.
        (Value::Names(s), Expected::Strings(v)) => {
            eq(*s == v.iter().cloned().collect::<BTreeSet<String>>())
        }
        (Value::Names(s), Expected::Partitions(v)) => eq(*s
            == v.iter()
                .map(|p| p.to_string())
                .collect::<BTreeSet<String>>()),
        (Value::Names(s), Expected::State(g)) => eq(s.len() == 1 && s.contains(g.as_str())),
        _ => false,
    }
}

/// Evaluates a predicate: whether it holds and the subject's value.
pub fn check(c: &Cluster, predicate: &Predicate) -> Result<(bool, Value), String> {
    match predicate {
        Predicate::Idle => {
            let idle = c.sim.is_idle();
            let word = if idle { "idle" } else { "busy" };
            Ok((idle, Value::List(vec![word.to_string()])))
        }
        Predicate::Compare(Comparison {
            subject,
            op,
            expected,
        }) => {
            let v = evaluate(c, subject)?;
            Ok((holds(&v, *op, expected), v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_the_value_kinds() {
        assert!(holds(&Value::Int(3), Op::Ge, &Expected::Int(2)));
        assert!(!holds(&Value::Int(1), Op::Gt, &Expected::Int(2)));
        assert!(holds(&Value::None, Op::Eq, &Expected::None));
        assert!(holds(&Value::Int(1), Op::Ne, &Expected::None));
        assert!(!holds(&Value::None, Op::Lt, &Expected::Int(1)));
        let isr = Value::IntSet([2, 0, 1].into_iter().collect());
        assert!(holds(&isr, Op::Eq, &Expected::Ints(vec![0, 1, 2])));
        assert!(holds(&isr, Op::Ne, &Expected::Ints(vec![0, 1])));
        assert!(holds(
            &Value::IntSet(BTreeSet::new()),
            Op::Eq,
            &Expected::None
        ));
        let log = Value::List(vec!["a".into(), "b".into()]);
        assert!(holds(
            &log,
            Op::Eq,
            &Expected::Strings(vec!["a".into(), "b".into()])
        ));
        assert!(!holds(
            &log,
            Op::Eq,
            &Expected::Strings(vec!["b".into(), "a".into()])
        ));
        assert_eq!(log.to_string(), "a,b");
        assert_eq!(Value::IntSet(BTreeSet::new()).to_string(), "none");
    }
}

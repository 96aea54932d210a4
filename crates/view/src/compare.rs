//! Fork and compare: two runs of one demo from the same seed, the original
//! and a fork with some settings changed, side by side. The functions here
//! are pure (two views, two lists, two event sequences in; rows out), so
//! the page only renders their result.

use serde::{Deserialize, Serialize};

use crate::guide::{ConfigLine, ExpectOutcome};
use crate::model::{
    BrokerId, ClusterView, EventLine, GroupView, PartitionView, ProducerView, ReplicaState,
};

/// One compared value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    /// A broker id, or none (no leader).
    Broker(Option<BrokerId>),
    /// A set of broker ids (an ISR).
    Brokers(Vec<BrokerId>),
    Offset(i64),
    /// The values of a replica's log from offset `first` (its newest
    /// [`crate::model::STRIP_LEN`] offsets; a transaction marker as
    /// `[COMMIT]` or `[ABORT]`) and the leader epoch each was appended in:
    /// a record is its offset and epoch, so the same value appended in
    /// another epoch (sent again after a leader change) differs.
    Records {
        first: i64,
        values: Vec<String>,
        epochs: Vec<i32>,
    },
    /// A count (records acknowledged, lost, ...).
    Count(u64),
    /// A name or a list as the page prints it (a group's state, an
    /// assignment `t-0,t-1`, a producer's `acks`).
    Text(String),
    /// The run has no such partition, replica, producer or group.
    Absent,
}

impl Cell {
    /// A log's values in runs of one leader epoch, oldest first (none for
    /// other cells): how the page shows two logs that differ only there.
    pub fn epoch_runs(&self) -> Vec<(i32, &[String])> {
        let Cell::Records { values, epochs, .. } = self else {
            return Vec::new();
        };
        // A value without an epoch (an older sender's message) is in -1.
        let epochs = epochs.iter().copied().chain(std::iter::repeat(-1));
        crate::strip::runs_of(epochs.take(values.len()))
            .into_iter()
            .map(|(epoch, r)| (epoch, &values[r]))
            .collect()
    }
}

/// What a row compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Leader,
    Isr,
    /// The high watermark of the replica on that broker.
    Hw(BrokerId),
    Leo(BrokerId),
    /// The records the replica on that broker holds.
    Log(BrokerId),
    /// A producer's `acks`.
    Acks,
    /// Records acknowledged to the producer and still in the leader's log.
    Acked,
    /// Records acknowledged, then gone from the leader's log.
    Lost,
    /// Sends whose callback got an error.
    Failed,
    /// A group's state (`Stable`, ...).
    GroupState,
    /// The partitions assigned to a member (by client id).
    Assignment(String),
    /// The group's committed offset for a partition.
    Committed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub field: Field,
    pub original: Cell,
    pub fork: Cell,
}

impl Row {
    pub fn differs(&self) -> bool {
        self.original != self.fork
    }

    /// Both runs hold the same values at the same offsets, appended in
    /// other leader epochs: only the epochs show the difference.
    pub fn only_epochs_differ(&self) -> bool {
        match (&self.original, &self.fork) {
            (
                Cell::Records {
                    first: fa,
                    values: va,
                    epochs: ea,
                },
                Cell::Records {
                    first: fb,
                    values: vb,
                    epochs: eb,
                },
            ) => fa == fb && va == vb && ea != eb,
            _ => false,
        }
    }
}

/// One partition in both runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionDiff {
    /// `topic-P`.
    pub name: String,
    pub rows: Vec<Row>,
}

impl PartitionDiff {
    pub fn differences(&self) -> usize {
        self.rows.iter().filter(|r| r.differs()).count()
    }
}

/// One `expect` in both runs (`None`: that run did not reach it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectDiff {
    pub line: usize,
    pub predicate: String,
    pub original: Option<ExpectOutcome>,
    pub fork: Option<ExpectOutcome>,
}

impl ExpectDiff {
    /// The outcome differs: PASS in one run and FAIL (or not reached) in
    /// the other.
    pub fn differs(&self) -> bool {
        self.original.as_ref().map(|e| e.passed) != self.fork.as_ref().map(|e| e.passed)
    }
}

/// Where the two runs' traces part (the scenario's own notes left out:
/// they name the edited lines, not what the cluster did).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Divergence {
    /// The same events so far, and as many.
    Same,
    /// The first pair of events that differ.
    At {
        original: EventLine,
        fork: EventLine,
    },
    /// One trace is the beginning of the other: the first event only one
    /// run has (`in_fork`: the fork has it).
    OnlyIn { in_fork: bool, event: EventLine },
}

/// A changed line of the fork.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEdit {
    pub line: usize,
    pub original: String,
    pub fork: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The seed both runs ran from.
    pub seed: u64,
    pub edits: Vec<LineEdit>,
    /// Trace events of each run so far.
    pub original_position: u64,
    pub fork_position: u64,
    pub divergence: Divergence,
    pub expects: Vec<ExpectDiff>,
    pub partitions: Vec<PartitionDiff>,
    /// Producers (`producer NAME`) and groups (`group NAME`), compared
    /// like partitions.
    pub clients: Vec<PartitionDiff>,
}

impl Comparison {
    /// How many rows and expects differ.
    pub fn differences(&self) -> usize {
        self.partitions
            .iter()
            .map(PartitionDiff::differences)
            .sum::<usize>()
            + self
                .clients
                .iter()
                .map(PartitionDiff::differences)
                .sum::<usize>()
            + self.expects.iter().filter(|e| e.differs()).count()
    }
}

/// The lines of `fork` that differ from `original` (same line numbers).
pub fn line_edits(original: &[ConfigLine], fork: &[ConfigLine]) -> Vec<LineEdit> {
    fork.iter()
        .filter_map(|f| {
            let o = original.iter().find(|o| o.line == f.line)?;
            (o.text != f.text).then(|| LineEdit {
                line: f.line,
                original: o.text.clone(),
                fork: f.text.clone(),
            })
        })
        .collect()
}

/// Every partition of either run, in the original's order then the
/// fork's own, with leader, ISR, and per replica (brokers of both runs'
/// assignments) HW, LEO and the records it holds.
pub fn compare_partitions(original: &ClusterView, fork: &ClusterView) -> Vec<PartitionDiff> {
    let mut names: Vec<String> = original.partitions.iter().map(|p| p.name()).collect();
    for p in &fork.partitions {
        if !names.contains(&p.name()) {
            names.push(p.name());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let (a, b) = (original.partition(&name), fork.partition(&name));
            let mut rows = vec![
                Row {
                    field: Field::Leader,
                    original: a.map_or(Cell::Absent, |p| Cell::Broker(p.leader)),
                    fork: b.map_or(Cell::Absent, |p| Cell::Broker(p.leader)),
                },
                Row {
                    field: Field::Isr,
                    original: a.map_or(Cell::Absent, |p| Cell::Brokers(sorted(&p.isr))),
                    fork: b.map_or(Cell::Absent, |p| Cell::Brokers(sorted(&p.isr))),
                },
            ];
            let mut brokers: Vec<BrokerId> = Vec::new();
            for p in a.into_iter().chain(b) {
                for id in p
                    .assigned
                    .iter()
                    .chain(p.replicas.iter().map(|r| &r.broker))
                {
                    if !brokers.contains(id) {
                        brokers.push(*id);
                    }
                }
            }
            for id in brokers {
                let (ra, rb) = (replica(a, id), replica(b, id));
                let cell = |r: Option<&ReplicaState>, f: &dyn Fn(&ReplicaState) -> Cell| {
                    r.map_or(Cell::Absent, f)
                };
                rows.push(Row {
                    field: Field::Hw(id),
                    original: cell(ra, &|r| Cell::Offset(r.hw)),
                    fork: cell(rb, &|r| Cell::Offset(r.hw)),
                });
                rows.push(Row {
                    field: Field::Leo(id),
                    original: cell(ra, &|r| Cell::Offset(r.leo)),
                    fork: cell(rb, &|r| Cell::Offset(r.leo)),
                });
                rows.push(Row {
                    field: Field::Log(id),
                    original: cell(ra, &records),
                    fork: cell(rb, &records),
                });
            }
            PartitionDiff { name, rows }
        })
        .collect()
}

/// Every producer (acks; records acknowledged, lost, failed) and every
/// group (state; each member's assignment; each committed offset) of
/// either run, each as one block of rows named `producer P` / `group G`.
pub fn compare_clients(original: &ClusterView, fork: &ClusterView) -> Vec<PartitionDiff> {
    let mut out = Vec::new();
    let mut producers: Vec<&str> = original.producers.iter().map(|p| p.name.as_str()).collect();
    for p in &fork.producers {
        if !producers.contains(&p.name.as_str()) {
            producers.push(&p.name);
        }
    }
    let producer =
        |v: &ClusterView, name: &str| v.producers.iter().find(|p| p.name == name).cloned();
    for name in producers {
        let (a, b) = (producer(original, name), producer(fork, name));
        let cells = |p: &Option<ProducerView>| -> [Cell; 4] {
            match p {
                None => [Cell::Absent, Cell::Absent, Cell::Absent, Cell::Absent],
                Some(p) => [
                    Cell::Text(p.acks.clone()),
                    Cell::Count(p.acked),
                    Cell::Count(p.lost),
                    Cell::Count(p.failed),
                ],
            }
        };
        let rows = [Field::Acks, Field::Acked, Field::Lost, Field::Failed]
            .into_iter()
            .zip(cells(&a).into_iter().zip(cells(&b)))
            .map(|(field, (original, fork))| Row {
                field,
                original,
                fork,
            })
            .collect();
        out.push(PartitionDiff {
            name: format!("producer {name}"),
            rows,
        });
    }
    let mut groups: Vec<&str> = original.groups.iter().map(|g| g.group.as_str()).collect();
    for g in &fork.groups {
        if !groups.contains(&g.group.as_str()) {
            groups.push(&g.group);
        }
    }
    let group = |v: &ClusterView, name: &str| v.groups.iter().find(|g| g.group == name).cloned();
    for name in groups {
        let (a, b) = (group(original, name), group(fork, name));
        let mut rows = vec![Row {
            field: Field::GroupState,
            original: a
                .as_ref()
                .map_or(Cell::Absent, |g| Cell::Text(g.state.clone())),
            fork: b
                .as_ref()
                .map_or(Cell::Absent, |g| Cell::Text(g.state.clone())),
        }];
        let mut members: Vec<String> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        for g in a.iter().chain(b.iter()) {
            for m in &g.members {
                if !members.contains(&m.client_id) {
                    members.push(m.client_id.clone());
                }
            }
            for o in &g.offsets {
                if !parts.contains(&o.partition) {
                    parts.push(o.partition.clone());
                }
            }
        }
        let assignment = |g: &Option<GroupView>, m: &str| {
            g.as_ref()
                .and_then(|g| g.members.iter().find(|x| x.client_id == m))
                .map_or(Cell::Absent, |x| Cell::Text(x.assignment.join(",")))
        };
        for m in members {
            rows.push(Row {
                original: assignment(&a, &m),
                fork: assignment(&b, &m),
                field: Field::Assignment(m),
            });
        }
        let committed = |g: &Option<GroupView>, p: &str| {
            g.as_ref()
                .and_then(|g| g.offsets.iter().find(|o| o.partition == p))
                .map_or(Cell::Absent, |o| Cell::Offset(o.committed))
        };
        for p in parts {
            rows.push(Row {
                original: committed(&a, &p),
                fork: committed(&b, &p),
                field: Field::Committed(p),
            });
        }
        out.push(PartitionDiff {
            name: format!("group {name}"),
            rows,
        });
    }
    out
}

fn sorted(ids: &[BrokerId]) -> Vec<BrokerId> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v
}

fn replica(p: Option<&PartitionView>, id: BrokerId) -> Option<&ReplicaState> {
    p?.replicas.iter().find(|r| r.broker == id)
}

fn records(r: &ReplicaState) -> Cell {
    Cell::Records {
        first: r.records.first().map_or(r.leo, |c| c.offset),
        values: r
            .records
            .iter()
            .map(|c| match c.is_marker() {
                true => format!("[{}]", c.value),
                false => c.value.clone(),
            })
            .collect(),
        epochs: r.records.iter().map(|c| c.epoch).collect(),
    }
}

/// Pairs the two runs' expects by line, in the order they ran (both runs
/// run the same lines; one that stopped early lacks the rest).
pub fn compare_expects(original: &[ExpectOutcome], fork: &[ExpectOutcome]) -> Vec<ExpectDiff> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < original.len() || j < fork.len() {
        let (a, b) = (original.get(i), fork.get(j));
        let (take_a, take_b) = match (a, b) {
            (Some(x), Some(y)) if x.line == y.line => (true, true),
            (Some(x), Some(y)) => (x.line < y.line, y.line < x.line),
            (Some(_), None) => (true, false),
            (None, _) => (false, true),
        };
        let any = if take_a { a } else { b }.expect("the side taken has an expect");
        out.push(ExpectDiff {
            line: any.line,
            predicate: any.predicate.clone(),
            original: take_a.then(|| a.cloned()).flatten(),
            fork: take_b.then(|| b.cloned()).flatten(),
        });
        i += usize::from(take_a);
        j += usize::from(take_b);
    }
    out
}

/// The first position at which two sequences differ, with each side's
/// item there (`None`: that sequence ended); `None` if they are equal.
pub fn first_difference<T: PartialEq>(
    a: impl IntoIterator<Item = T>,
    b: impl IntoIterator<Item = T>,
) -> Option<(usize, Option<T>, Option<T>)> {
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    let mut i = 0;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return None,
            (Some(x), Some(y)) if x == y => i += 1,
            (x, y) => return Some((i, x, y)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RecordCell;

    fn replica(broker: BrokerId, hw: i64, values: &[&str]) -> ReplicaState {
        ReplicaState {
            broker,
            broker_up: true,
            log_start: 0,
            leo: values.len() as i64,
            hw,
            leader_epoch: Some(1),
            in_isr: true,
            leader: broker == 1,
            records: values
                .iter()
                .enumerate()
                .map(|(i, v)| RecordCell {
                    offset: i as i64,
                    value: v.to_string(),
                    origin: crate::model::Origin::Unknown,
                    epoch: 1,
                })
                .collect(),
        }
    }

    fn view(topic: &str, isr: Vec<BrokerId>, replicas: Vec<ReplicaState>) -> ClusterView {
        ClusterView {
            partitions: vec![PartitionView {
                topic: topic.into(),
                partition: 0,
                leader: Some(1),
                leader_epoch: 1,
                isr,
                assigned: replicas.iter().map(|r| r.broker).collect(),
                replicas,
                isr_changes: vec![],
            }],
            ..ClusterView::default()
        }
    }

    fn row(d: &PartitionDiff, f: Field) -> &Row {
        d.rows.iter().find(|r| r.field == f).unwrap()
    }

    #[test]
    fn a_record_kept_in_one_run_and_lost_in_the_other_is_a_difference() {
        let a = view(
            "one",
            vec![1, 2],
            vec![replica(1, 0, &[]), replica(2, 0, &[])],
        );
        let b = view(
            "one",
            vec![2, 1],
            vec![
                replica(1, 3, &["a0", "a1", "a2"]),
                replica(2, 3, &["a0", "a1", "a2"]),
            ],
        );
        let diff = compare_partitions(&a, &b);
        assert_eq!(diff.len(), 1);
        let d = &diff[0];
        assert_eq!(d.name, "one-0");
        // The ISR is a set: its order is no difference.
        assert!(!row(d, Field::Isr).differs());
        assert!(!row(d, Field::Leader).differs());
        let log = row(d, Field::Log(1));
        assert!(log.differs());
        assert_eq!(
            log.original,
            Cell::Records {
                first: 0,
                values: vec![],
                epochs: vec![]
            }
        );
        assert_eq!(
            log.fork,
            Cell::Records {
                first: 0,
                values: vec!["a0".into(), "a1".into(), "a2".into()],
                epochs: vec![1, 1, 1]
            }
        );
        assert_eq!(row(d, Field::Hw(2)).fork, Cell::Offset(3));
        // HW, LEO and log differ on both brokers.
        assert_eq!(d.differences(), 6);
        assert!(!log.only_epochs_differ());
    }

    #[test]
    fn the_same_values_appended_in_another_epoch_differ_and_markers_are_named() {
        let a = view("t", vec![1], vec![replica(1, 2, &["x", "y"])]);
        let mut b = a.clone();
        // The fork appended y after a leader change, and a marker.
        b.partitions[0].replicas[0].records[1].epoch = 2;
        let d = &compare_partitions(&a, &b)[0];
        let log = row(d, Field::Log(1));
        assert!(log.differs() && log.only_epochs_differ());
        assert_eq!(d.differences(), 1);
        b.partitions[0].replicas[0].records.push(RecordCell {
            offset: 2,
            value: "COMMIT".into(),
            origin: crate::model::Origin::Marker,
            epoch: 2,
        });
        let d = &compare_partitions(&a, &b)[0];
        let log = row(d, Field::Log(1));
        assert!(!log.only_epochs_differ());
        let runs = log.fork.epoch_runs();
        let runs: Vec<(i32, Vec<&str>)> = runs
            .iter()
            .map(|(e, v)| (*e, v.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(runs, [(1, vec!["x"]), (2, vec!["y", "[COMMIT]"])]);
        assert!(Cell::Offset(3).epoch_runs().is_empty());
        assert_eq!(
            log.fork,
            Cell::Records {
                first: 0,
                values: vec!["x".into(), "y".into(), "[COMMIT]".into()],
                epochs: vec![1, 2, 2]
            }
        );
    }

    #[test]
    fn equal_views_have_no_difference_and_missing_parts_are_absent() {
        let a = view("t", vec![1], vec![replica(1, 1, &["x"])]);
        let same = compare_partitions(&a, &a.clone());
        assert_eq!(same[0].differences(), 0);
        // The fork has a topic the original lacks, and a third replica.
        let mut b = view(
            "t",
            vec![1],
            vec![replica(1, 1, &["x"]), replica(3, 0, &[])],
        );
        b.partitions.push(
            view("u", vec![1], vec![replica(1, 0, &[])])
                .partitions
                .remove(0),
        );
        let diff = compare_partitions(&a, &b);
        assert_eq!(
            diff.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            ["t-0", "u-0"]
        );
        assert_eq!(row(&diff[0], Field::Leo(3)).original, Cell::Absent);
        assert_eq!(row(&diff[0], Field::Leo(3)).fork, Cell::Offset(0));
        assert_eq!(diff[0].differences(), 3);
        assert!(diff[1].rows.iter().all(|r| r.original == Cell::Absent));
        assert!(diff[1].rows.iter().all(Row::differs));
    }

    fn outcome(line: usize, passed: bool) -> ExpectOutcome {
        ExpectOutcome {
            line,
            predicate: format!("lost == {line}"),
            passed,
            was: if passed { line.to_string() } else { "3".into() },
        }
    }

    #[test]
    fn expects_pair_by_line_and_differ_by_outcome() {
        let a = [outcome(3, true), outcome(5, true), outcome(9, true)];
        let b = [outcome(3, true), outcome(5, false)];
        let d = compare_expects(&a, &b);
        assert_eq!(d.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 5, 9]);
        assert_eq!(
            d.iter().map(ExpectDiff::differs).collect::<Vec<_>>(),
            [false, true, true]
        );
        assert_eq!(d[2].fork, None);
        // A line only the fork ran sits in its place.
        let d = compare_expects(&[outcome(3, true)], &[outcome(2, true), outcome(3, true)]);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].line, d[0].original.is_none()), (2, true));
        assert!(!d[1].differs());
    }

    #[test]
    fn the_first_difference_of_two_sequences() {
        assert_eq!(first_difference([1, 2, 3], [1, 2, 3]), None);
        assert_eq!(
            first_difference([1, 2, 3], [1, 9, 3]),
            Some((1, Some(2), Some(9)))
        );
        assert_eq!(
            first_difference([1, 2], [1, 2, 3]),
            Some((2, None, Some(3)))
        );
        assert_eq!(first_difference(Vec::<u8>::new(), vec![]), None);
    }

    #[test]
    fn only_changed_lines_are_edits() {
        let l = |line, text: &str| ConfigLine {
            line,
            text: text.into(),
        };
        let original = [l(2, "producer fast acks=1"), l(3, "producer safe acks=all")];
        let fork = [
            l(2, "producer fast acks=all"),
            l(3, "producer safe acks=all"),
        ];
        assert_eq!(
            line_edits(&original, &fork),
            [LineEdit {
                line: 2,
                original: "producer fast acks=1".into(),
                fork: "producer fast acks=all".into()
            }]
        );
    }

    #[test]
    fn a_comparison_counts_its_differences() {
        let a = view("t", vec![1], vec![replica(1, 1, &["x"])]);
        let b = view("t", vec![1], vec![replica(1, 1, &["y"])]);
        let c = Comparison {
            seed: 1,
            edits: vec![],
            original_position: 10,
            fork_position: 10,
            divergence: Divergence::Same,
            expects: compare_expects(&[outcome(1, true)], &[outcome(1, false)]),
            partitions: compare_partitions(&a, &b),
            clients: vec![],
        };
        assert_eq!(c.differences(), 2);
    }

    #[test]
    fn producers_and_groups_compare_by_name() {
        use crate::model::{GroupView, MemberView, OffsetView, ProducerView};
        // The counts cover every record, not only the fates carried.
        let producer = |acks: &str, acked, lost| ProducerView {
            name: "fast".into(),
            up: true,
            sends: 3,
            incomplete: 0,
            acks: acks.into(),
            acked,
            lost,
            failed: 0,
            fates: vec![],
            configs: vec![],
            choices: vec![],
        };
        let group = |member: &str, assigned: &[&str], committed| GroupView {
            group: "g".into(),
            state: "Stable".into(),
            generation: Some(1),
            members: vec![MemberView {
                client_id: member.into(),
                member_id: format!("{member}-1"),
                assignment: assigned.iter().map(|s| s.to_string()).collect(),
            }],
            offsets: vec![OffsetView {
                partition: "t-0".into(),
                committed,
                lag: None,
            }],
        };
        let a = ClusterView {
            producers: vec![producer("1", 0, 2)],
            groups: vec![group("c1", &["t-0", "t-1"], 4)],
            ..ClusterView::default()
        };
        let b = ClusterView {
            producers: vec![producer("all", 2, 0)],
            groups: vec![group("c2", &["t-0", "t-1"], 4)],
            ..ClusterView::default()
        };
        let d = compare_clients(&a, &b);
        assert_eq!(d[0].name, "producer fast");
        assert_eq!(row(&d[0], Field::Acks).fork, Cell::Text("all".into()));
        assert_eq!(row(&d[0], Field::Lost).original, Cell::Count(2));
        assert_eq!(row(&d[0], Field::Lost).fork, Cell::Count(0));
        assert_eq!(row(&d[0], Field::Acked).fork, Cell::Count(2));
        assert!(!row(&d[0], Field::Failed).differs());
        assert_eq!(d[0].differences(), 3);
        assert_eq!(d[1].name, "group g");
        // Another member holds the same partitions: both members differ.
        let c1 = row(&d[1], Field::Assignment("c1".into()));
        assert_eq!(
            (&c1.original, &c1.fork),
            (&Cell::Text("t-0,t-1".into()), &Cell::Absent)
        );
        assert!(!row(&d[1], Field::Committed("t-0".into())).differs());
        assert!(!row(&d[1], Field::GroupState).differs());
        assert_eq!(d[1].differences(), 2);
        assert!(compare_clients(&a, &a).iter().all(|d| d.differences() == 0));
    }
}

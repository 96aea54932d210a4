//! Kafka's metrics for the page, kept as the run goes rather than read
//! back from the trace: the trace of a live run keeps only its newest
//! events ([`crate::cluster::LIVE_TRACE_KEEP`]), and walking all of it on
//! every update costs more the longer the run.
//!
//! [`Meters`] takes each trace event once, right after the step that
//! recorded it, and keeps
//! - the `Count` of the meters Kafka marks on those events:
//!   `IsrShrinksPerSec` / `IsrExpandsPerSec` (`ReplicaManager`, marked by a
//!   leader whose ISR write succeeded: its `isr-shrink` / `isr-expand`
//!   events), `LeaderElectionRateAndTimeMs` and
//!   `UncleanLeaderElectionsPerSec` (`ControllerStats`, marked by the
//!   controller when its election is written: `partition-state`,
//!   `unclean-leader-election`). Summed over the cluster since the session
//!   started, so they never go down, not even when a broker restarts (a
//!   JVM's meters would start again at zero);
//! - each partition's newest [`ISR_HISTORY_LEN`] ISR changes with the event
//!   number, time, ISR and reason;
//! - for every metric, the event at which its value last changed and by how
//!   much. Counters change at their own event. Gauges
//!   (`UnderReplicatedPartitions`, `OfflinePartitionsCount`,
//!   `ActiveControllerCount`) are read again after the events that can
//!   move them (see [`Touch`]); the per-second rates when a sample is
//!   taken; `records-lag-max` after a consumer's events. A change no event
//!   announced (a console command that records none) is dated at the
//!   newest event when the page next asks.
//!
//! So an update reads O(partitions + brokers), whatever the run's length.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};

use sim::{NodeId, TraceEvent, TraceKind};

use kafkascope_view::model::{BrokerId, IsrChange, Metric, ISR_HISTORY_LEN};

use crate::cluster::Cluster;
use crate::node::ClusterNode;
use crate::view::{detail_ids, detail_str};

/// The controller's reasons that are a leader election (Kafka's
/// `LeaderElectionRateAndTimeMs` is marked for each).
const ELECTIONS: [&str; 3] = ["leader-election", "unclean-election", "controlled-shutdown"];

/// A value and where it last changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Last {
    value: i64,
    at: Option<u64>,
    delta: i64,
}

/// What an event may have moved besides the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Touch {
    /// Brokers' partition states, the controller, ZooKeeper's tree, a
    /// process's life.
    gauges: bool,
    /// A consumer's position or fetched high watermarks.
    consumers: bool,
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Meters {
    /// Trace events taken so far (the number of the newest).
    seen: u64,
    isr_shrinks: i64,
    isr_expands: i64,
    leader_elections: i64,
    unclean_leader_elections: i64,
    /// Per partition (`t-0`), its newest ISR changes, oldest first.
    isr: BTreeMap<String, VecDeque<IsrChange>>,
    /// Per metric name.
    last: BTreeMap<String, Last>,
    /// Metrics whose change was seen only when the page asked (no event
    /// dated it); the tests check the gauges never need it.
    #[cfg(test)]
    undated: std::collections::BTreeSet<String>,
    /// Tests: read the gauges after every step too, and keep each one
    /// whose kept value was stale (an event moved it unseen) with the
    /// step's last event.
    #[cfg(test)]
    verify: bool,
    #[cfg(test)]
    stale: Vec<(String, u64)>,
}

impl Meters {
    /// `name` is `value` after event `at`; a different value than before
    /// is a change there (every metric starts at 0).
    fn note(&mut self, name: &str, value: i64, at: u64) -> bool {
        let last = self.last.entry(name.to_string()).or_default();
        if last.value == value {
            return false;
        }
        *last = Last {
            value,
            at: Some(at),
            delta: value - last.value,
        };
        true
    }

    /// The metric as the page shows it.
    fn metric(&self, name: &str, value: i64) -> Metric {
        let last = self.last.get(name).copied().unwrap_or_default();
        Metric {
            name: name.to_string(),
            value,
            changed_at: last.at,
            delta: last.delta,
        }
    }

    /// Partition `name`'s newest ISR changes, oldest first.
    pub fn isr_changes(&self, partition: &str) -> Vec<IsrChange> {
        self.isr
            .get(partition)
            .map(|h| h.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The counters with Kafka's names, in the page's order.
    fn counters(&self) -> [(&'static str, i64); 4] {
        [
            ("IsrShrinksPerSec", self.isr_shrinks),
            ("IsrExpandsPerSec", self.isr_expands),
            ("LeaderElectionRateAndTimeMs", self.leader_elections),
            (
                "UncleanLeaderElectionsPerSec",
                self.unclean_leader_elections,
            ),
        ]
    }

    /// A broker's event: counts it and keeps ISR changes.
    fn broker_event(&mut self, e: &TraceEvent, kind: &str, detail: &serde_json::Value) {
        let (isr, reason) = match kind {
            "isr-shrink" => {
                self.isr_shrinks += 1;
                self.note("IsrShrinksPerSec", self.isr_shrinks, e.n);
                (detail_ids(detail, "new"), "lag".to_string())
            }
            "isr-expand" => {
                self.isr_expands += 1;
                self.note("IsrExpandsPerSec", self.isr_expands, e.n);
                (detail_ids(detail, "new"), "caught-up".to_string())
            }
            "partition-state" => {
                let reason = detail_str(detail, "reason");
                if ELECTIONS.contains(&reason.as_str()) {
                    self.leader_elections += 1;
                    self.note("LeaderElectionRateAndTimeMs", self.leader_elections, e.n);
                }
                (detail_ids(detail, "isr"), reason)
            }
            "unclean-leader-election" => {
                self.unclean_leader_elections += 1;
                self.note(
                    "UncleanLeaderElectionsPerSec",
                    self.unclean_leader_elections,
                    e.n,
                );
                return;
            }
            _ => return,
        };
        let history = self.isr.entry(detail_str(detail, "partition")).or_default();
        if history.len() == ISR_HISTORY_LEN {
            history.pop_front();
        }
        history.push_back(IsrChange {
            n: e.n,
            t: e.t,
            isr,
            reason,
        });
    }
}

impl Cluster {
    fn is_consumer(&self, id: NodeId) -> bool {
        matches!(self.sim.node(id), ClusterNode::Consumer(_))
    }

    /// What `e` may have moved besides the counters (which it counts).
    fn take_event(&self, m: &mut Meters, e: &TraceEvent) -> Touch {
        let zk = self.topo.zk();
        let broker = |id: &NodeId| id.0 < self.topo.brokers;
        match &e.kind {
            TraceKind::Node { node, kind, detail } if broker(node) => {
                m.broker_event(e, kind, detail);
                Touch {
                    // Appends move offsets, not the gauges (and are most
                    // of a busy run's node events).
                    gauges: !matches!(kind.as_ref(), "append" | "follower-append"),
                    consumers: false,
                }
            }
            TraceKind::Node { node, .. } | TraceKind::Timer { node, .. } => Touch {
                gauges: *node == zk,
                consumers: self.is_consumer(*node),
            },
            // ZooKeeper's tree changes when it takes a request, a broker's
            // partitions when the controller's requests or ZooKeeper's
            // answers arrive.
            TraceKind::Delivered { from, to, api, .. } => Touch {
                gauges: *from == zk
                    || *to == zk
                    || matches!(*api, "LeaderAndIsr" | "StopReplica" | "UpdateMetadata"),
                consumers: self.is_consumer(*to),
            },
            // A console command (`topic create` adds partitions with no
            // leader yet, `poll` moves a consumer) and a process's life.
            TraceKind::Note { .. }
            | TraceKind::Started { .. }
            | TraceKind::Crashed { .. }
            | TraceKind::Restarted { .. } => Touch {
                gauges: true,
                consumers: true,
            },
            _ => Touch::default(),
        }
    }

    /// Takes the trace events recorded since the last call: counts them,
    /// keeps ISR changes, and reads again the metrics they may have moved.
    pub(crate) fn catch_up_meters(&self) {
        let len = self.sim.trace_len();
        let (mut gauges_at, mut consumers_at) = (None, None);
        {
            let mut m = self.meters.borrow_mut();
            if m.seen >= len {
                return;
            }
            let trace = self.sim.trace();
            // Events are numbered without gaps; a trimmed trace starts later.
            let first = trace.first().map_or(len + 1, |e| e.n);
            let from = (m.seen + 1).saturating_sub(first) as usize;
            for e in trace.get(from..).unwrap_or_default() {
                let touch = self.take_event(&mut m, e);
                if touch.gauges {
                    gauges_at = Some(e.n);
                }
                if touch.consumers {
                    consumers_at = Some(e.n);
                }
            }
            m.seen = len;
        }
        if let Some(n) = gauges_at {
            let g = gauges(self);
            let mut m = self.meters.borrow_mut();
            for (name, v) in g {
                m.note(name, v, n);
            }
        }
        if let Some(n) = consumers_at {
            self.note_sampled(n);
        }
        #[cfg(test)]
        if self.meters.borrow().verify {
            let g = gauges(self);
            let mut m = self.meters.borrow_mut();
            for (name, v) in g {
                if m.last.get(name).map_or(0, |l| l.value) != v {
                    m.stale.push((name.to_string(), len));
                }
            }
        }
    }

    /// The sampler's metrics (rates, `records-lag-max`) are read again:
    /// a sample was just taken, or a consumer's event happened, at event
    /// `at`.
    pub(crate) fn note_sampled(&self, at: u64) {
        let Some(s) = &self.sampler else {
            return;
        };
        let values = s.metrics(self);
        let mut m = self.meters.borrow_mut();
        for (name, v) in values {
            m.note(&name, v, at);
        }
    }

    /// Every metric with the event of its last change: the gauges, the
    /// counters, then the sampler's rates and `records-lag-max`.
    pub fn kafka_metrics(&self) -> Vec<Metric> {
        self.catch_up_meters();
        let position = self.sim.trace_len();
        let mut values: Vec<(String, i64)> = gauges(self)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        values.extend(
            self.meters
                .borrow()
                .counters()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        values.extend(self.sampler.iter().flat_map(|s| s.metrics(self)));
        let mut m = self.meters.borrow_mut();
        values
            .into_iter()
            .map(|(name, value)| {
                // No event dated this change: it happened after the newest.
                if m.note(&name, value, position) {
                    #[cfg(test)]
                    m.undated.insert(name.clone());
                }
                m.metric(&name, value)
            })
            .collect()
    }

    /// Partition `name`'s newest ISR changes, oldest first.
    pub fn isr_changes(&self, partition: &str) -> Vec<IsrChange> {
        self.catch_up_meters();
        self.meters.borrow().isr_changes(partition)
    }
}

/// The gauges, read from the brokers and ZooKeeper now; summed over the
/// cluster's brokers as a dashboard does.
fn gauges(c: &Cluster) -> [(&'static str, i64); 3] {
    let up: Vec<BrokerId> = (0..c.brokers() as BrokerId)
        .filter(|&b| c.broker_up(b))
        .collect();
    let statuses: Vec<_> = up.iter().filter_map(|&b| c.broker_status(b)).collect();
    // ReplicaManager: partitions this broker leads whose ISR is smaller
    // than the assignment.
    let under = statuses.iter().map(|s| s.under_replicated as i64).sum();
    let active = statuses.iter().filter(|s| s.controller).count() as i64;
    // KafkaController: partitions without a live leader.
    let offline = c
        .all_partitions()
        .iter()
        .filter(|tp| {
            c.partition_state(tp)
                .map(|s| s.leader)
                .filter(|&l| l >= 0)
                .is_none_or(|l| !c.broker_up(l))
        })
        .count() as i64;
    [
        ("UnderReplicatedPartitions", under),
        ("OfflinePartitionsCount", offline),
        ("ActiveControllerCount", active),
    ]
}

/// The meters of a cluster, shared by its `&self` readers.
pub type SharedMeters = RefCell<Meters>;

#[cfg(test)]
#[path = "meters_tests.rs"]
mod tests;

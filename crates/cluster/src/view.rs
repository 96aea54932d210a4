//! Builds the page's snapshot of the cluster ([`ClusterView`], plain data
//! defined in `kafkascope-view` so the page never depends on the engine)
//! from a running [`Cluster`].
//!
//! The event log and each replica's strip keep only their newest entries
//! ([`EVENT_LOG_LEN`], [`STRIP_LEN`]), so a long run never makes the page
//! render every record.

use std::collections::{BTreeMap, BTreeSet};

use broker::api::TopicPartition;
use client::consumer::consumer_protocol::decode_assignment;
use protocol::control::ControlRecordType;
use sim::{NodeId, TraceEvent, TraceKind};

pub use kafkascope_view::model::*;

use crate::acked_index::Outcome;
use crate::cluster::{Cluster, Life};

fn broker_state(life: Life) -> BrokerState {
    match life {
        Life::Up => BrokerState::Up,
        Life::Crashed => BrokerState::Crashed,
        Life::PoweredOff => BrokerState::PoweredOff,
        Life::Stopped => BrokerState::Stopped,
    }
}

/// Builds the snapshot. The event log, the ISR timeline and the metrics
/// counted from events need the cluster's trace (tracing on); without it
/// they are empty.
pub fn build(c: &Cluster) -> ClusterView {
    let partitions = partitions(c);
    let trace = c.sim.trace();
    ClusterView {
        now_ms: c.sim.now(),
        position: c.sim.trace_len(),
        brokers: brokers(c),
        zk_up: c.sim.is_up(c.topo.zk()),
        controller: c.controller_id(),
        znodes: c
            .zk()
            .tree()
            .iter()
            .map(|z| ZnodeEntry {
                depth: z.depth(),
                data: z.data_utf8().into_owned(),
                ephemeral: z.stat.ephemeral_owner != 0,
                path: z.path,
            })
            .collect(),
        producers: producers(c),
        groups: groups(c),
        consumers: consumers(c),
        in_flight: count_apis(c.sim.in_flight_messages().iter().map(|(_, m)| m.api)),
        held: held(c),
        fault_rules: c.sim.has_fault_rules(),
        metrics: c.kafka_metrics(),
        charts: c.sampler.as_ref().map(|s| s.charts()).unwrap_or_default(),
        links: crate::links_view::links(c),
        events: trace
            .iter()
            .skip(trace.len().saturating_sub(EVENT_LOG_LEN))
            .map(|e| EventLine {
                n: e.n,
                t: e.t,
                text: describe(e, c.sim.names()),
            })
            .collect(),
        partitions,
    }
}

fn brokers(c: &Cluster) -> Vec<BrokerView> {
    let names = c.sim.names();
    (0..c.brokers() as BrokerId)
        .map(|b| {
            let id = c.topo.broker(b);
            let up = c.broker_up(b);
            BrokerView {
                id: b,
                state: broker_state(c.life(id)),
                registered: c.zk().tree().get(&format!("/brokers/ids/{b}")).is_some(),
                controller: up && c.broker_status(b).is_some_and(|s| s.controller),
                cut_off_from: c
                    .sim
                    .node_ids()
                    .filter(|&o| o != id && c.sim.is_cut(id, o))
                    .map(|o| names[o.index()].clone())
                    .collect(),
            }
        })
        .collect()
}

fn partitions(c: &Cluster) -> Vec<PartitionView> {
    c.all_partitions()
        .iter()
        .map(|tp| {
            let state = c.partition_state(tp);
            let isr = state.as_ref().map(|s| s.isr.clone()).unwrap_or_default();
            let leader = state.as_ref().map(|s| s.leader).filter(|&l| l >= 0);
            let assigned = c.assigned_replicas(tp).unwrap_or_default();
            let replicas = assigned
                .iter()
                .filter_map(|&b| replica(c, b, tp, &isr, leader))
                .collect();
            PartitionView {
                topic: tp.topic.to_string(),
                partition: tp.partition,
                leader,
                leader_epoch: state.as_ref().map_or(-1, |s| s.leader_epoch),
                isr,
                replicas,
                assigned,
                isr_changes: c.isr_changes(&tp.to_string()),
            }
        })
        .collect()
}

fn replica(
    c: &Cluster,
    b: BrokerId,
    tp: &TopicPartition,
    isr: &[BrokerId],
    leader: Option<BrokerId>,
) -> Option<ReplicaState> {
    // Only the strip's records are read (not the whole log).
    let r = c.replica_newest(b, tp, STRIP_LEN)?;
    let up = c.broker_up(b);
    Some(ReplicaState {
        broker: b,
        broker_up: up,
        log_start: r.log_start,
        leo: r.leo,
        hw: r.hw,
        leader_epoch: c.broker_partition(b, tp).map(|p| p.leader_epoch),
        in_isr: isr.contains(&b),
        leader: leader == Some(b),
        records: r.records.iter().map(cell).collect(),
    })
}

/// A strip cell: the producer is the name before the send number in the
/// `kafkascope.send` header; a marker shows Kafka's name of its type.
fn cell(rec: &crate::inspect::RecordView) -> RecordCell {
    let (value, origin) = if rec.control {
        let kind = rec.key.as_deref().and_then(ControlRecordType::parse_key);
        let name = kind.map_or("UNKNOWN", ControlRecordType::name);
        (name.to_string(), Origin::Marker)
    } else {
        let producer = rec.send_id.as_ref().and_then(|s| s.rsplit_once(':'));
        let origin = producer.map_or(Origin::Unknown, |(p, _)| Origin::Producer(p.into()));
        (rec.value_text(), origin)
    };
    RecordCell {
        offset: rec.offset,
        value,
        origin,
        epoch: rec.leader_epoch,
    }
}

/// A trace event's detail field as text (a string as is, else its JSON).
pub(crate) fn detail_str(d: &serde_json::Value, key: &str) -> String {
    match d.get(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

/// A trace event's list of broker ids (`isr`, `new`, ...), empty if absent.
pub(crate) fn detail_ids(d: &serde_json::Value, key: &str) -> Vec<BrokerId> {
    d.get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_i64())
                .map(|x| x as BrokerId)
                .collect()
        })
        .unwrap_or_default()
}

fn producers(c: &Cluster) -> Vec<ProducerView> {
    // Only the newest sends' fates are built (a long run has many), and
    // only new acks and changed logs are checked for lost records.
    let records = c.acked_index.borrow_mut().producer_records(c);
    c.producers()
        .zip(records)
        .map(|(p, r)| {
            let lost_n = r.lost.len() as u64;
            let fates = r
                .newest
                .iter()
                .map(|&outcome| match outcome {
                    Outcome::Acked(i) => {
                        let a = &p.app.acked[i];
                        let (partition, offset) = (a.tp.to_string(), a.offset);
                        RecordFate {
                            send_id: a.send_id.clone(),
                            value: a.value.clone(),
                            fate: if r.lost.contains(&i) {
                                Fate::Lost { partition, offset }
                            } else {
                                Fate::Acked { partition, offset }
                            },
                        }
                    }
                    Outcome::Failed(i) => {
                        let f = &p.app.failed[i];
                        RecordFate {
                            send_id: f.send_id.clone(),
                            value: f.value.clone(),
                            fate: Fate::Failed(f.error.clone()),
                        }
                    }
                })
                .collect();
            let up = c
                .client_id(&p.name)
                .is_some_and(|id| c.life(id) == Life::Up);
            ProducerView {
                name: p.name.clone(),
                up,
                sends: p.app.sends,
                incomplete: p.incomplete(),
                acks: match p.config.acks {
                    -1 => "all".to_string(),
                    a => a.to_string(),
                },
                acked: p.app.acked.len() as u64 - lost_n,
                lost: lost_n,
                failed: p.app.failed.len() as u64,
                fates,
                configs: p
                    .config
                    .effective()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                choices: p.app.choices.iter().map(choice).collect(),
            }
        })
        .collect()
}

fn choice(c: &crate::partition_choice::PartitionChoice) -> PartitionChoice {
    use crate::partition_choice::PartitionReason as R;
    PartitionChoice {
        send_id: c.send_id.clone(),
        partition: c.tp.to_string(),
        key: c.key.clone(),
        reason: match c.reason {
            R::Explicit => PartitionReason::Explicit,
            R::Murmur2 { hash, partitions } => PartitionReason::Murmur2 { hash, partitions },
            R::Sticky { new, keys_ignored } => PartitionReason::Sticky { new, keys_ignored },
            R::RoundRobin { counter, available } => PartitionReason::RoundRobin {
                counter,
                available: available as u32,
            },
        },
    }
}

/// Every consumer application: its group membership as it sees it, what
/// its newest rebalance changed, delivered/processed counts and offsets.
fn consumers(c: &Cluster) -> Vec<ConsumerView> {
    let names = |s: &BTreeSet<TopicPartition>| s.iter().map(|tp| tp.to_string()).collect();
    let mut all: Vec<ConsumerView> = c
        .consumer_nodes()
        .map(|n| {
            let k = &n.consumer;
            let history = k.history();
            ConsumerView {
                name: n.name.clone(),
                group: n.config.group_id.clone(),
                up: c
                    .client_id(&n.name)
                    .is_some_and(|id| c.life(id) == Life::Up),
                closed: k.is_closed(),
                member_id: k.member_id().to_string(),
                generation: k.generation(),
                rebalance_protocol: k.rebalance_protocol().to_string(),
                assignment: names(&k.assignment()),
                last_change: k.last_assignment_change().map(|ch| AssignmentChange {
                    generation: ch.generation,
                    revoked: names(&ch.revoked),
                    lost: names(&ch.lost),
                    added: names(&ch.added),
                }),
                delivered: history.consumed.len() as u64,
                processed: history.processed.len() as u64,
                positions: k
                    .positions()
                    .iter()
                    .map(|(tp, o)| (tp.to_string(), *o))
                    .collect(),
                committed: k
                    .committed()
                    .iter()
                    .map(|(tp, o)| (tp.to_string(), *o))
                    .collect(),
                configs: n
                    .config
                    .effective()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            }
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

fn groups(c: &Cluster) -> Vec<GroupView> {
    let names: BTreeSet<String> = c
        .consumer_nodes()
        .filter_map(|n| n.config.group_id.clone())
        .collect();
    names
        .into_iter()
        .map(|group| {
            let g = c.group_of(&group);
            let members = g
                .iter()
                .flat_map(|g| &g.members)
                .map(|m| MemberView {
                    client_id: m.client_id.clone(),
                    member_id: m.member_id.clone(),
                    assignment: decode_assignment(&m.assignment)
                        .map(|a| {
                            a.partitions
                                .iter()
                                .map(|tp| format!("{}-{}", tp.topic, tp.partition))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect();
            let offsets = g
                .iter()
                .flat_map(|g| &g.offsets)
                .map(|(topic, partition, offset)| {
                    let tp = &TopicPartition::new(topic, *partition);
                    let hw = c
                        .leader(tp)
                        .and_then(|l| c.replica_offsets(l, tp))
                        .map(|(_, _, hw)| hw);
                    OffsetView {
                        partition: tp.to_string(),
                        committed: *offset,
                        lag: hw.map(|hw| hw - offset),
                    }
                })
                .collect();
            GroupView {
                state: g.as_ref().map_or("Dead".to_string(), |g| g.state.clone()),
                generation: g.as_ref().map(|g| g.generation),
                members,
                offsets,
                group,
            }
        })
        .collect()
}

fn count_apis<'a>(apis: impl Iterator<Item = &'a str>) -> Vec<(String, usize)> {
    let mut m: BTreeMap<&str, usize> = BTreeMap::new();
    for a in apis {
        *m.entry(a).or_default() += 1;
    }
    m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn held(c: &Cluster) -> Vec<(String, usize)> {
    let ids: Vec<NodeId> = c.sim.node_ids().collect();
    let mut all = Vec::new();
    for &a in &ids {
        for &b in &ids {
            if a != b {
                all.extend(c.sim.held(a, b));
            }
        }
    }
    count_apis(all.iter().map(|m| m.api))
}

/// One trace event as a log line: `0 → 1 Fetch delivered`.
pub fn describe(e: &TraceEvent, names: &[String]) -> String {
    let n = |id: &NodeId| names.get(id.index()).map_or("?", |s| s.as_str());
    match &e.kind {
        TraceKind::Sent { from, to, api, .. } => format!("{} → {} {api} sent", n(from), n(to)),
        TraceKind::Delivered { from, to, api, .. } => {
            format!("{} → {} {api} delivered", n(from), n(to))
        }
        TraceKind::Dropped {
            from,
            to,
            api,
            reason,
            ..
        } => format!("{} → {} {api} dropped ({reason:?})", n(from), n(to)),
        TraceKind::Held { from, to, api, .. } => format!("{} → {} {api} held", n(from), n(to)),
        TraceKind::Released { from, to, api, .. } => {
            format!("{} → {} {api} released", n(from), n(to))
        }
        TraceKind::Timer { node, .. } => format!("{} timer", n(node)),
        TraceKind::Started { node } => format!("{} started", n(node)),
        TraceKind::Crashed { node } => format!("{} stopped", n(node)),
        TraceKind::Restarted { node } => format!("{} restarted", n(node)),
        TraceKind::Fault(f) => format!("fault: {f:?}"),
        TraceKind::Node { node, kind, detail } => {
            if detail.is_null() {
                format!("{} {kind}", n(node))
            } else {
                format!("{} {kind} {detail}", n(node))
            }
        }
        TraceKind::Note { kind, detail } => match detail.get("text") {
            Some(serde_json::Value::String(t)) => format!("{kind}: {t}"),
            _ => format!("{kind} {detail}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    /// Runs `script`; no line of it may be refused.
    fn run_clean(s: &mut Session, script: &str) {
        let o = s.submit(script).unwrap();
        assert!(
            !o.lines.iter().any(|l| l.starts_with("ERROR")),
            "{:?}",
            o.lines
        );
    }

    fn crashed_leader() -> ClusterView {
        let mut s = Session::new(11);
        s.submit(
            "cluster brokers=3\n\
             topic create t partitions=1 replication-factor=3 assignment=0:1:2\n\
             producer p acks=all\n\
             send p t value=v{i} count=2\n\
             flush p\n\
             tick 500\n\
             crash 0\n\
             run until leader t-0 == 1 timeout=60000\n\
             tick 1000\n",
        )
        .unwrap();
        s.view()
    }

    #[test]
    fn fault_rules_include_delays_and_drops_until_heal() {
        let mut s = Session::new(3);
        s.submit("cluster brokers=2\ntick 500\n").unwrap();
        assert!(!s.view().fault_rules);
        s.submit("delay 0->1 ms=50\n").unwrap();
        let v = s.view();
        assert!(v.fault_rules, "a delay alone is a rule");
        assert!(v.held.is_empty() && v.brokers.iter().all(|b| b.cut_off_from.is_empty()));
        s.submit("heal\ndrop 1->0 type=Fetch\n").unwrap();
        assert!(s.view().fault_rules, "a drop alone is a rule");
        s.submit("heal\n").unwrap();
        assert!(!s.view().fault_rules);
    }

    #[test]
    fn brokers_controller_and_znodes() {
        let v = crashed_leader();
        let states: Vec<_> = v.brokers.iter().map(|b| b.state).collect();
        assert_eq!(
            states,
            [BrokerState::Crashed, BrokerState::Up, BrokerState::Up]
        );
        assert!(v.zk_up);
        let ctl = v.controller.expect("a controller");
        assert!(v.brokers[ctl as usize].controller);
        let node = v.znodes.iter().find(|z| z.path == "/controller").unwrap();
        assert!(node.ephemeral);
        assert!(
            node.data.contains(&format!("\"brokerid\":{ctl}")),
            "{}",
            node.data
        );
        let state = v
            .znodes
            .iter()
            .find(|z| z.path == "/brokers/topics/t/partitions/0/state")
            .unwrap();
        assert_eq!(state.depth, 6);
        assert!(state.data.contains("\"leader\":1"), "{}", state.data);
    }

    #[test]
    fn partition_replicas_and_isr_timeline() {
        let v = crashed_leader();
        let p = v.partition("t-0").unwrap();
        assert_eq!(p.leader, Some(1));
        assert_eq!(p.leader_epoch, 1);
        assert_eq!(p.isr, vec![1, 2]);
        assert_eq!(p.assigned, vec![0, 1, 2]);
        let r1 = p.replicas.iter().find(|r| r.broker == 1).unwrap();
        assert!(r1.leader && r1.in_isr && r1.broker_up);
        assert_eq!((r1.log_start, r1.leo, r1.hw), (0, 2, 2));
        assert_eq!(r1.leader_epoch, Some(1));
        let vals: Vec<_> = r1.records.iter().map(|r| r.value.as_str()).collect();
        assert_eq!(vals, ["v0", "v1"]);
        assert_eq!(r1.records[0].producer(), Some("p"));
        // The crashed broker's replica is read from its disk.
        let r0 = p.replicas.iter().find(|r| r.broker == 0).unwrap();
        assert!(!r0.broker_up && !r0.in_isr && r0.leader_epoch.is_none());
        let last = p.isr_changes.last().unwrap();
        assert_eq!(last.isr, vec![1, 2]);
        assert_eq!(last.reason, "leader-election");
    }

    /// Strip cells as (offset, epoch, producer, value).
    fn cells(r: &ReplicaState) -> Vec<(i64, i32, Option<&str>, &str)> {
        r.records
            .iter()
            .map(|c| (c.offset, c.epoch, c.producer(), c.value.as_str()))
            .collect()
    }

    #[test]
    fn strip_cells_carry_their_leader_epoch_and_producer() {
        // Two producers write in epoch 0; the leader crashes; broker 1,
        // elected in epoch 1, appends both producers' next records.
        let mut s = Session::new(11);
        run_clean(
            &mut s,
            "cluster brokers=3\n\
             topic create t partitions=1 replication-factor=3 assignment=0:1:2\n\
             producer alice acks=all\n\
             producer bob acks=all\n\
             send alice t value=a{i} count=2\n\
             flush alice\n\
             send bob t value=b{i} count=1\n\
             flush bob\n\
             tick 500\n\
             crash 0\n\
             run until leader t-0 == 1 timeout=60000\n\
             send bob t value=c{i} count=1\n\
             flush bob\n\
             send alice t value=d{i} count=1\n\
             flush alice\n\
             tick 1000\n",
        );
        let v = s.view();
        let p = v.partition("t-0").unwrap();
        assert_eq!((p.leader, p.leader_epoch), (Some(1), 1));
        let leader = p.replicas.iter().find(|r| r.broker == 1).unwrap();
        assert_eq!(
            cells(leader),
            [
                (0, 0, Some("alice"), "a0"),
                (1, 0, Some("alice"), "a1"),
                (2, 0, Some("bob"), "b0"),
                (3, 1, Some("bob"), "c0"),
                (4, 1, Some("alice"), "d0"),
            ]
        );
        assert!(leader.records.iter().all(|c| !c.is_marker()));
        // The follower copied the batches unchanged, epochs included; the
        // crashed old leader, read from its disk, has only epoch 0.
        let follower = p.replicas.iter().find(|r| r.broker == 2).unwrap();
        assert_eq!(cells(follower), cells(leader));
        let old = p.replicas.iter().find(|r| r.broker == 0).unwrap();
        assert_eq!(cells(old), cells(leader)[..3]);
    }

    #[test]
    fn transaction_markers_are_strip_cells_without_a_producer() {
        let mut s = Session::new(4);
        run_clean(
            &mut s,
            "cluster brokers=3\n\
             topic create t partitions=1 replication-factor=1 assignment=0\n\
             producer p transactional.id=tx\n\
             begin-txn p\n\
             send p t value=gone{i} count=2\n\
             flush p\n\
             abort-txn p\n\
             begin-txn p\n\
             send p t value=kept{i} count=1\n\
             commit-txn p\n\
             run until leo t-0@0 == 5 timeout=5000\n",
        );
        let v = s.view();
        let r = &v.partition("t-0").unwrap().replicas[0];
        assert_eq!(
            cells(r),
            [
                (0, 0, Some("p"), "gone0"),
                (1, 0, Some("p"), "gone1"),
                (2, 0, None, "ABORT"),
                (3, 0, Some("p"), "kept0"),
                (4, 0, None, "COMMIT"),
            ]
        );
        let controls: Vec<bool> = r.records.iter().map(RecordCell::is_marker).collect();
        assert_eq!(controls, [false, false, true, false, true]);
    }

    #[test]
    fn metrics_fates_and_event_log() {
        let v = crashed_leader();
        assert_eq!(v.metric("ActiveControllerCount"), Some(1));
        assert_eq!(v.metric("OfflinePartitionsCount"), Some(0));
        assert_eq!(v.metric("UnderReplicatedPartitions"), Some(1));
        assert!(v.metric("LeaderElectionRateAndTimeMs").unwrap() >= 1);
        assert_eq!(v.metric("UncleanLeaderElectionsPerSec"), Some(0));
        let p = &v.producers[0];
        assert_eq!((p.name.as_str(), p.sends, p.incomplete), ("p", 2, 0));
        assert_eq!(p.acks, "all");
        assert_eq!(
            p.fates[1].fate,
            Fate::Acked {
                partition: "t-0".into(),
                offset: 1
            }
        );
        assert!(v.events.len() <= EVENT_LOG_LEN && !v.events.is_empty());
        assert_eq!(v.events.last().unwrap().n, v.position);
        assert!(v.events.windows(2).all(|w| w[0].n < w[1].n));
    }

    /// Two consumers of a 3-partition topic in group g with `strategy`;
    /// c2 is killed and its session times out.
    fn group_after_kill(strategy: &str) -> ClusterView {
        let mut s = Session::new(5);
        run_clean(&mut s, &format!(
            "cluster brokers=3\n\
             topic create t partitions=3 replication-factor=1\n\
             producer p acks=1 linger.ms=5\n\
             send p t value=v{{i}} key=k{{i}} count=6\n\
             flush p\n\
             consumer c1 group=g partition.assignment.strategy={strategy} session.timeout.ms=6000 heartbeat.interval.ms=1000 auto.offset.reset=earliest enable.auto.commit=false\n\
             subscribe c1 t\n\
             run until state g == Stable timeout=30000\n\
             consumer c2 group=g partition.assignment.strategy={strategy} session.timeout.ms=6000 heartbeat.interval.ms=1000 auto.offset.reset=earliest enable.auto.commit=false\n\
             subscribe c2 t\n\
             poll c1\n\
             poll c2\n\
             run until members g == c1,c2 timeout=30000\n\
             run until state g == Stable timeout=30000\n\
             tick 3000\n\
             poll c1\n\
             process c1 count=1\n\
             commit c1\n\
             crash c2\n\
             run until members g == c1 timeout=30000\n\
             poll c1\n\
             tick 2000\n"
        ));
        s.view()
    }

    #[test]
    fn keyed_records_say_murmur2_and_consumers_their_changes() {
        let v = group_after_kill("cooperative-sticky");
        let p = &v.producers[0];
        assert!(p.configs.contains(&("acks".into(), "1".into())));
        assert!(p.configs.contains(&("linger.ms".into(), "5".into())));
        assert_eq!(p.choices.len(), 6);
        for c in &p.choices {
            let key = c.key.as_deref().unwrap();
            let hash = protocol::murmur2(key.as_bytes());
            assert_eq!(
                c.reason,
                PartitionReason::Murmur2 {
                    hash,
                    partitions: 3
                }
            );
            assert_eq!(
                c.partition,
                format!("t-{}", protocol::to_positive(hash) % 3)
            );
        }
        let c1 = v.consumers.iter().find(|c| c.name == "c1").unwrap();
        let c2 = v.consumers.iter().find(|c| c.name == "c2").unwrap();
        assert!(c1.up && !c2.up);
        assert_eq!(c1.rebalance_protocol, "cooperative");
        assert_eq!(c1.assignment, ["t-0", "t-1", "t-2"]);
        // Cooperative: taking c2's partitions back revokes nothing.
        let ch = c1.last_change.as_ref().unwrap();
        assert!(ch.revoked.is_empty(), "{ch:?}");
        assert!(!ch.added.is_empty(), "{ch:?}");
        assert!(c1.delivered >= 1 && c1.processed == 1, "{c1:?}");
        assert!(!c1.committed.is_empty(), "{c1:?}");
        assert!(c1.configs.contains(&(
            "partition.assignment.strategy".into(),
            "cooperative-sticky".into()
        )));
    }

    #[test]
    fn eager_rebalance_revokes_everything() {
        let v = group_after_kill("range");
        let c1 = v.consumers.iter().find(|c| c.name == "c1").unwrap();
        assert_eq!(c1.rebalance_protocol, "eager");
        let ch = c1.last_change.as_ref().unwrap();
        // Eager: everything c1 owned was revoked, then all is assigned.
        assert!(!ch.revoked.is_empty(), "{ch:?}");
        assert_eq!(ch.added, ["t-0", "t-1", "t-2"], "{ch:?}");
    }

    #[test]
    fn lost_records_and_offline_partitions() {
        let mut s = Session::new(22);
        s.submit(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/scenarios/replication/leader-failure.scn"
            ))
            .unwrap(),
        )
        .unwrap();
        let v = s.view();
        let lost: Vec<_> = v.producers[0]
            .fates
            .iter()
            .filter(|f| matches!(f.fate, Fate::Lost { .. }))
            .map(|f| f.value.clone().unwrap_or_default())
            .collect();
        assert_eq!(lost, ["x0", "x1"]);
        s.submit("crash 1\ncrash 2\ncrash 0\n").unwrap();
        let v = s.view();
        assert_eq!(v.metric("OfflinePartitionsCount"), Some(1));
        assert_eq!(v.metric("ActiveControllerCount"), Some(0));
    }

    #[test]
    fn a_producer_carries_its_newest_fates_and_counts_every_record() {
        let mut s = Session::new(5);
        s.submit(
            "cluster brokers=3\n\
             topic create t partitions=3 replication-factor=3\n\
             producer p acks=all\n\
             send p t value=v{i} count=100\n\
             flush p\n\
             tick 500\n",
        )
        .unwrap();
        let v = s.view();
        let p = &v.producers[0];
        assert_eq!((p.acked, p.lost, p.failed), (100, 0, 0));
        let values: Vec<_> = p.fates.iter().filter_map(|f| f.value.clone()).collect();
        let newest: Vec<_> = (100 - FATES_LEN..100).map(|i| format!("v{i}")).collect();
        assert_eq!(values, newest);
        // Each strip holds the replica's newest records: the end of its log.
        for part in &v.partitions {
            let tp = TopicPartition::new(&part.topic, part.partition);
            for r in &part.replicas {
                let all = s.cluster().unwrap().replica(r.broker, &tp).unwrap().records;
                let tail: Vec<i64> = all
                    .iter()
                    .rev()
                    .take(STRIP_LEN)
                    .rev()
                    .map(|x| x.offset)
                    .collect();
                let strip: Vec<i64> = r.records.iter().map(|x| x.offset).collect();
                assert_eq!(strip, tail, "{} on broker {}", part.name(), r.broker);
            }
        }
    }

    #[test]
    fn messages_in_flight_and_held_by_api() {
        let mut s = Session::new(4);
        s.submit(
            "cluster brokers=2\n\
             topic create t partitions=1 replication-factor=2 assignment=0:1\n\
             hold 1->0 type=Fetch\n\
             tick 2000\n",
        )
        .unwrap();
        let v = s.view();
        assert!(
            v.held.iter().any(|(api, n)| api == "Fetch" && *n >= 1),
            "{:?}",
            v.held
        );
        s.submit("release 1->0 type=Fetch\n").unwrap();
        let v = s.view();
        assert!(v.held.is_empty());
        assert!(
            v.in_flight.iter().any(|(api, _)| api == "Fetch"),
            "{:?}",
            v.in_flight
        );
    }

    /// Each producer's counts and newest fates as they were built before
    /// the acked index: every acked record looked up in the full read's
    /// lost records, every fate sorted by send number.
    fn producers_in_full(c: &Cluster) -> Vec<(u64, u64, u64, Vec<RecordFate>)> {
        let lost: BTreeSet<String> = crate::invariants::tests::lost_read_in_full(c)
            .into_iter()
            .map(|a| a.send_id)
            .collect();
        let send_no = |id: &str| crate::producer::send_number(id).unwrap_or(u64::MAX);
        c.producers()
            .map(|p| {
                let lost_n = (p.app.acked.iter())
                    .filter(|a| lost.contains(&a.send_id))
                    .count() as u64;
                let mut newest: Vec<(u64, RecordFate)> = (p.app.acked.iter())
                    .map(|a| {
                        let (partition, offset) = (a.tp.to_string(), a.offset);
                        let fate = if lost.contains(&a.send_id) {
                            Fate::Lost { partition, offset }
                        } else {
                            Fate::Acked { partition, offset }
                        };
                        let f = RecordFate {
                            send_id: a.send_id.clone(),
                            value: a.value.clone(),
                            fate,
                        };
                        (send_no(&a.send_id), f)
                    })
                    .chain(p.app.failed.iter().map(|x| {
                        let f = RecordFate {
                            send_id: x.send_id.clone(),
                            value: x.value.clone(),
                            fate: Fate::Failed(x.error.clone()),
                        };
                        (send_no(&x.send_id), f)
                    }))
                    .collect();
                newest.sort_by_key(|(n, _)| *n);
                let fates = newest[newest.len().saturating_sub(FATES_LEN)..]
                    .iter()
                    .map(|(_, f)| f.clone())
                    .collect();
                let acked = p.app.acked.len() as u64;
                (acked - lost_n, lost_n, p.app.failed.len() as u64, fates)
            })
            .collect()
    }

    /// At every line of every scenario of the repository, the page's
    /// producer counts and fates (kept up to date from what changed) are
    /// those read from everything again.
    #[test]
    fn producer_counts_and_fates_are_the_full_reads_at_every_update() {
        let (mut checked, mut with_loss, mut with_failed) = (0, 0, 0);
        for file in crate::scenario_lines::all_files() {
            let text = crate::scenario_lines::read(&file);
            crate::scenario_lines::each_line(&file, &text, |line, c| {
                let got: Vec<_> = build(c)
                    .producers
                    .into_iter()
                    .map(|p| (p.acked, p.lost, p.failed, p.fates))
                    .collect();
                let want = producers_in_full(c);
                assert_eq!(got, want, "{file}: after {line:?}");
                checked += 1;
                with_loss += usize::from(want.iter().any(|p| p.1 > 0));
                with_failed += usize::from(want.iter().any(|p| p.2 > 0));
            });
        }
        assert!(checked > 1000, "{checked} states checked");
        assert!(
            with_loss > 20 && with_failed > 5,
            "{with_loss} {with_failed}"
        );
    }
}

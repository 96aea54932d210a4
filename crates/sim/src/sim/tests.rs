//! Behaviour of the simulator as a whole, through its public API.

use proptest::prelude::*;
use serde_json::json;

use crate::*;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TMsg {
    api: &'static str,
    n: u64,
}

impl Message for TMsg {
    fn api(&self) -> &'static str {
        self.api
    }
    fn detail(&self) -> serde_json::Value {
        json!({ "n": self.n })
    }
}

/// Records everything it is given; sends only when told through `invoke`.
#[derive(Default, Debug)]
struct Rec {
    got: Vec<(u64, NodeId, TMsg)>,
    fired: Vec<(u64, TimerToken)>,
    starts: u32,
    restarts: u32,
    label: &'static str,
}

impl Node for Rec {
    type Msg = TMsg;
    fn handle(&mut self, now: u64, input: Input<TMsg>, out: &mut Outputs<'_, TMsg>) {
        match input {
            Input::Start => self.starts += 1,
            Input::Restart => self.restarts += 1,
            Input::Message { from, msg } => {
                out.event("got", || json!({ "n": msg.n }));
                self.got.push((now, from, msg));
            }
            Input::Timer { token } => self.fired.push((now, token)),
        }
    }
}

fn recs(n: usize, seed: u64) -> (Simulator<Rec>, Vec<NodeId>) {
    let mut sim = Simulator::with_config(SimConfig {
        seed,
        tracing: true,
        ..SimConfig::default()
    });
    let ids = (0..n)
        .map(|i| sim.add_node(i.to_string(), Rec::default()))
        .collect();
    sim.start_all();
    (sim, ids)
}

fn send(sim: &mut Simulator<Rec>, from: NodeId, to: NodeId, api: &'static str, n: u64) {
    sim.invoke(from, |_, out| out.send(to, TMsg { api, n }))
        .unwrap();
}

fn got_ns(sim: &Simulator<Rec>, id: NodeId) -> Vec<u64> {
    sim.node(id).got.iter().map(|(_, _, m)| m.n).collect()
}

fn gossip_run(seed: u64, tracing: bool) -> Simulator<crate::selfcheck::Gossip> {
    crate::selfcheck::run(seed, tracing)
}

// ----- determinism -----

#[test]
fn same_seed_gives_identical_trace() {
    let a = gossip_run(7, true);
    let b = gossip_run(7, true);
    assert!(a.trace().len() > 500, "run too small: {}", a.trace().len());
    assert_eq!(a.trace_json_lines(), b.trace_json_lines());
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_eq!(a.stats(), b.stats());
}

#[test]
fn golden_trace_hash() {
    use crate::selfcheck::{golden, GOLDEN};
    assert_eq!(golden(), GOLDEN);
}

#[test]
fn trace_hash_does_not_depend_on_tracing_flag() {
    let on = gossip_run(7, true);
    let off = gossip_run(7, false);
    assert!(off.trace().is_empty());
    assert_eq!(on.trace_len(), off.trace_len());
    assert_eq!(on.trace_hash(), off.trace_hash());
}

#[test]
fn different_seed_gives_different_latencies() {
    fn arrivals(seed: u64) -> Vec<u64> {
        let (mut sim, ids) = recs(2, seed);
        for n in 0..50 {
            send(&mut sim, ids[0], ids[1], "X", n);
            sim.tick(10);
        }
        sim.node(ids[1]).got.iter().map(|(t, _, _)| *t).collect()
    }
    assert_eq!(arrivals(1), arrivals(1));
    assert_ne!(arrivals(1), arrivals(2));
    let a = gossip_run(1, false);
    let b = gossip_run(2, false);
    assert_ne!(a.trace_hash(), b.trace_hash());
}

#[test]
fn latency_within_bounds_and_configurable() {
    let (mut sim, ids) = recs(2, 3);
    let mut seen = std::collections::BTreeSet::new();
    for n in 0..200 {
        let sent = sim.now();
        send(&mut sim, ids[0], ids[1], "X", n);
        sim.tick(10);
        let (at, _, _) = sim.node(ids[1]).got.last().unwrap();
        seen.insert(at - sent);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![1, 2, 3]);
    sim.set_latency(7, 7);
    let sent = sim.now();
    send(&mut sim, ids[0], ids[1], "X", 999);
    sim.tick(10);
    assert_eq!(sim.node(ids[1]).got.last().unwrap().0, sent + 7);
}

// ----- network -----

#[test]
fn fifo_per_link_under_random_latency() {
    let (mut sim, ids) = recs(3, 11);
    sim.set_latency(1, 40);
    for n in 0..500 {
        send(&mut sim, ids[0], ids[1], "X", n);
        send(&mut sim, ids[2], ids[1], "X", n);
        if n % 3 == 0 {
            sim.tick(1);
        }
    }
    sim.tick(1000);
    let got = &sim.node(ids[1]).got;
    assert_eq!(got.len(), 1000);
    for from in [ids[0], ids[2]] {
        let ns: Vec<u64> = got
            .iter()
            .filter(|(_, f, _)| *f == from)
            .map(|(_, _, m)| m.n)
            .collect();
        assert_eq!(ns, (0..500).collect::<Vec<_>>());
    }
    // And the two links did interleave (latency really was random).
    let froms: Vec<NodeId> = got.iter().map(|(_, f, _)| *f).collect();
    assert!(froms.windows(2).filter(|w| w[0] != w[1]).count() > 50);
}

#[test]
fn partition_cuts_between_groups_and_heal_restores() {
    let (mut sim, ids) = recs(4, 5);
    let [a, b, c, d] = [ids[0], ids[1], ids[2], ids[3]];
    sim.partition(&[vec![a, b], vec![c]]);
    for (from, to) in [(a, c), (c, a), (b, c), (a, b), (d, a), (c, d), (d, c)] {
        send(&mut sim, from, to, "X", 1);
    }
    sim.tick(10);
    assert!(sim.node(c).got.iter().all(|(_, f, _)| *f == d));
    assert_eq!(sim.node(a).got.len(), 1, "only d reaches a");
    assert_eq!(sim.node(b).got.len(), 1, "a reaches b inside the group");
    assert_eq!(sim.node(d).got.len(), 1, "d is unnamed: keeps its links");
    let drops = sim
        .trace()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Dropped {
                    reason: DropReason::Partition,
                    ..
                }
            )
        })
        .count();
    assert_eq!(drops, 3);
    sim.heal();
    send(&mut sim, a, c, "X", 2);
    sim.tick(10);
    assert_eq!(got_ns(&sim, c), vec![1, 2]);
}

#[test]
fn partition_drops_messages_already_in_flight() {
    let (mut sim, ids) = recs(2, 5);
    send(&mut sim, ids[0], ids[1], "X", 1);
    sim.partition(&[[ids[0]], [ids[1]]]);
    sim.tick(10);
    assert!(sim.node(ids[1]).got.is_empty());
    assert_eq!(sim.stats().dropped, 1);
}

#[test]
fn hold_keeps_order_and_release_delivers() {
    let (mut sim, ids) = recs(2, 9);
    let (a, b) = (ids[0], ids[1]);
    sim.set_latency(1, 30);
    sim.hold(a, b, None);
    for n in 0..20 {
        send(&mut sim, a, b, "X", n);
    }
    sim.tick(100);
    assert!(sim.node(b).got.is_empty());
    assert_eq!(sim.held(a, b).len(), 20);
    assert_eq!(sim.in_flight(), 0);
    // A message sent after the release queues behind the released ones.
    assert_eq!(sim.release(a, b, None), 20);
    assert_eq!(sim.in_flight(), 20);
    send(&mut sim, a, b, "X", 20);
    sim.tick(100);
    assert_eq!(got_ns(&sim, b), (0..21).collect::<Vec<_>>());
    assert!(sim.node(b).got.iter().all(|(t, _, _)| *t > 100));
}

#[test]
fn hold_applies_to_new_sends_not_messages_in_flight() {
    let (mut sim, ids) = recs(2, 9);
    let (a, b) = (ids[0], ids[1]);
    send(&mut sim, a, b, "X", 1);
    sim.hold(a, b, None);
    send(&mut sim, a, b, "X", 2);
    sim.tick(10);
    assert_eq!(got_ns(&sim, b), vec![1]);
    sim.release(a, b, None);
    sim.tick(10);
    assert_eq!(got_ns(&sim, b), vec![1, 2]);
}

#[test]
fn hold_by_api_lets_other_apis_through() {
    let (mut sim, ids) = recs(2, 9);
    let (a, b) = (ids[0], ids[1]);
    sim.hold(a, b, Some("Fetch"));
    send(&mut sim, a, b, "Fetch", 1);
    send(&mut sim, a, b, "Produce", 2);
    send(&mut sim, a, b, "Fetch", 3);
    send(&mut sim, b, a, "Fetch", 4); // other direction: not held
    sim.tick(10);
    assert_eq!(got_ns(&sim, b), vec![2]);
    assert_eq!(got_ns(&sim, a), vec![4]);
    assert_eq!(sim.release(a, b, Some("Produce")), 0);
    assert_eq!(sim.release(a, b, Some("Fetch")), 2);
    sim.tick(10);
    assert_eq!(got_ns(&sim, b), vec![2, 1, 3]);
}

#[test]
fn heal_releases_held_messages() {
    let (mut sim, ids) = recs(2, 9);
    sim.hold(ids[0], ids[1], None);
    send(&mut sim, ids[0], ids[1], "X", 1);
    sim.tick(10);
    assert!(sim.node(ids[1]).got.is_empty());
    sim.heal();
    sim.tick(1);
    assert_eq!(got_ns(&sim, ids[1]), vec![1]);
}

#[test]
fn drop_count_then_all() {
    let (mut sim, ids) = recs(2, 4);
    let (a, b) = (ids[0], ids[1]);
    sim.drop_messages(a, b, Some("Produce"), Some(2));
    for n in 0..5 {
        send(&mut sim, a, b, "Produce", n);
        send(&mut sim, a, b, "Fetch", 100 + n);
    }
    sim.tick(10);
    assert_eq!(got_ns(&sim, b), vec![100, 101, 2, 102, 3, 103, 4, 104]);
    sim.drop_messages(a, b, None, None);
    for n in 0..5 {
        send(&mut sim, a, b, "Fetch", 200 + n);
    }
    sim.tick(10);
    assert_eq!(sim.node(b).got.len(), 8);
    assert_eq!(sim.stats().dropped, 7);
    sim.heal();
    send(&mut sim, a, b, "Fetch", 300);
    sim.tick(10);
    assert_eq!(sim.node(b).got.len(), 9);
}

#[test]
fn delay_adds_latency_and_keeps_fifo_when_removed() {
    let (mut sim, ids) = recs(2, 4);
    let (a, b) = (ids[0], ids[1]);
    sim.set_latency(2, 2);
    sim.delay(a, b, 100);
    send(&mut sim, a, b, "X", 1);
    sim.delay(a, b, 0);
    send(&mut sim, a, b, "X", 2);
    sim.tick(50);
    assert!(sim.node(b).got.is_empty(), "2 may not overtake 1");
    sim.tick(100);
    let got = &sim.node(b).got;
    assert_eq!(
        got.iter().map(|g| (g.0, g.2.n)).collect::<Vec<_>>(),
        vec![(102, 1), (102, 2)]
    );
}

#[test]
fn has_fault_rules_sees_every_kind_of_rule_until_heal() {
    let (mut sim, ids) = recs(2, 4);
    let (a, b) = (ids[0], ids[1]);
    assert!(!sim.has_fault_rules());
    type AddRule<'a> = &'a dyn Fn(&mut Simulator<Rec>);
    let rules: [AddRule; 4] = [
        &|s| s.partition(&[vec![a], vec![b]]),
        &|s| s.hold(a, b, Some("Fetch")),
        &|s| s.drop_messages(a, b, None, None),
        &|s| s.delay(b, a, 50),
    ];
    for (i, add) in rules.iter().enumerate() {
        add(&mut sim);
        assert!(sim.has_fault_rules(), "rule {i}");
        sim.heal();
        assert!(!sim.has_fault_rules(), "heal undid rule {i}");
    }
    // A delay set back to 0 and a counted drop once spent are gone.
    sim.delay(a, b, 10);
    sim.delay(a, b, 0);
    assert!(!sim.has_fault_rules());
    sim.drop_messages(a, b, None, Some(1));
    send(&mut sim, a, b, "X", 1);
    sim.tick(10);
    assert!(!sim.has_fault_rules());
}

// ----- nodes: timers, crash, restart -----

#[test]
fn timers_fire_rearm_and_cancel() {
    let (mut sim, ids) = recs(1, 0);
    let a = ids[0];
    sim.invoke(a, |_, out| {
        out.set_timer(1, 10);
        out.set_timer(2, 20);
        out.set_timer(1, 30); // re-arm: the 10 ms deadline is gone
        out.set_timer_after(3, 5);
        assert!(out.cancel_timer(3));
        assert!(!out.cancel_timer(3));
        assert_eq!(out.timer(1), Some(30));
    })
    .unwrap();
    assert_eq!(sim.timers(a), vec![(2, 20, false), (1, 30, false)]);
    sim.tick(100);
    assert_eq!(sim.node(a).fired, vec![(20, 2), (30, 1)]);
    assert!(sim.timers(a).is_empty());
}

#[test]
fn crash_drops_queued_messages_and_timers() {
    let (mut sim, ids) = recs(2, 8);
    let (a, b) = (ids[0], ids[1]);
    for n in 0..3 {
        send(&mut sim, a, b, "X", n);
    }
    sim.hold(a, b, Some("H"));
    send(&mut sim, a, b, "H", 9);
    sim.tick(5);
    send(&mut sim, a, b, "X", 3);
    send(&mut sim, b, a, "X", 77); // from b: stays on the wire
    sim.invoke(b, |_, out| out.set_timer(1, 50)).unwrap();
    assert_eq!(sim.held(a, b).len(), 1);
    sim.crash(b).unwrap();
    assert_eq!(sim.crash_drops(), 2, "the held one and the in-flight one");
    assert_eq!(sim.in_flight(), 1);
    assert!(sim.held(a, b).is_empty());
    sim.tick(100);
    assert_eq!(got_ns(&sim, b), vec![0, 1, 2]);
    assert!(sim.node(b).fired.is_empty(), "timer died with the node");
    assert_eq!(got_ns(&sim, a), vec![77]);
    // Sent to a crashed node: dropped on arrival.
    send(&mut sim, a, b, "X", 4);
    sim.tick(10);
    assert_eq!(sim.node(b).got.len(), 3);
    let reasons: Vec<DropReason> = sim
        .trace()
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Dropped { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            DropReason::Crashed,
            DropReason::Crashed,
            DropReason::NodeDown
        ]
    );
    assert!(sim.invoke(b, |_, _| ()).is_err());
}

#[test]
fn restart_runs_node_and_allows_new_state() {
    let (mut sim, ids) = recs(2, 8);
    let (a, b) = (ids[0], ids[1]);
    assert_eq!(sim.node(b).starts, 1);
    assert_eq!(
        sim.restart(b),
        Err(SimError::WrongState {
            node: b,
            state: NodeState::Up,
            needed: NodeState::Crashed
        })
    );
    sim.crash(b).unwrap();
    assert!(sim.crash(b).is_err());
    sim.restart(b).unwrap();
    assert_eq!(sim.node(b).restarts, 1);
    send(&mut sim, a, b, "X", 1);
    sim.tick(5);
    assert_eq!(got_ns(&sim, b), vec![1]);
    sim.crash(b).unwrap();
    sim.restart_with(
        b,
        Rec {
            label: "fresh",
            ..Rec::default()
        },
    )
    .unwrap();
    assert_eq!(sim.node(b).label, "fresh");
    assert_eq!(sim.node(b).restarts, 1);
    assert!(sim.node(b).got.is_empty());
    assert_eq!(sim.start(NodeId(9)), Err(SimError::UnknownNode(NodeId(9))));
}

#[test]
fn nodes_added_mid_run_join_the_network_and_keep_old_links() {
    let (mut sim, ids) = recs(2, 8);
    let (a, b) = (ids[0], ids[1]);
    sim.partition(&[[a], [b]]);
    sim.delay(b, a, 50);
    sim.tick(10);
    let c = sim.add_node("late", Rec::default());
    assert_eq!(c, NodeId(2));
    sim.start(c).unwrap();
    assert!(sim.is_cut(a, b) && sim.is_cut(b, a));
    assert!(!sim.is_cut(a, c) && !sim.is_cut(c, b));
    send(&mut sim, c, a, "X", 1);
    send(&mut sim, b, c, "X", 2);
    send(&mut sim, a, b, "X", 3);
    sim.tick(10);
    assert_eq!(got_ns(&sim, a), vec![1]);
    assert_eq!(got_ns(&sim, c), vec![2]);
    assert!(sim.node(b).got.is_empty());
    sim.heal();
    let t = sim.now();
    send(&mut sim, b, a, "X", 4);
    sim.tick(10);
    assert!(sim.node(a).got[1].0 <= t + 3, "delay was healed");
}

#[test]
fn messages_to_unstarted_node_are_dropped() {
    let mut sim: Simulator<Rec> = Simulator::new(1);
    let a = sim.add_node("a", Rec::default());
    let b = sim.add_node("b", Rec::default());
    sim.start(a).unwrap();
    send(&mut sim, a, b, "X", 1);
    let step = sim.step().unwrap();
    assert!(matches!(
        step.event,
        Event::Dropped(MsgInfo { to, .. }, DropReason::NodeDown) if to == b
    ));
}

// ----- driving -----

#[test]
fn peek_shows_the_next_step_without_taking_it() {
    let (mut sim, ids) = recs(2, 2);
    sim.set_latency(5, 5);
    send(&mut sim, ids[0], ids[1], "X", 1);
    sim.invoke(ids[0], |_, out| {
        out.set_timer(1, 3);
        out.set_timer(1, 9); // the 3 ms deadline becomes a tombstone
    })
    .unwrap();
    let (t, next) = sim.peek().unwrap();
    assert_eq!(t, 5);
    assert_eq!(sim.now(), 0);
    let step = sim.step().unwrap();
    assert_eq!((step.time, step.event), (t, next));
    assert_eq!(
        sim.peek(),
        Some((
            9,
            Event::Timer {
                node: ids[0],
                token: 1
            }
        ))
    );
    sim.step();
    assert_eq!(sim.peek(), None);
}

#[test]
fn step_delivers_exactly_one_event() {
    let (mut sim, ids) = recs(2, 2);
    let (a, b) = (ids[0], ids[1]);
    sim.set_latency(5, 5);
    send(&mut sim, a, b, "X", 1);
    send(&mut sim, a, b, "X", 2);
    sim.invoke(a, |_, out| out.set_timer(7, 5)).unwrap();
    assert_eq!(sim.next_event_time(), Some(5));
    let s1 = sim.step().unwrap();
    assert_eq!(s1.time, 5);
    assert!(matches!(s1.event, Event::Delivered(MsgInfo { id: 0, .. })));
    assert_eq!(got_ns(&sim, b), vec![1]);
    let s2 = sim.step().unwrap();
    assert!(matches!(s2.event, Event::Delivered(MsgInfo { id: 1, .. })));
    let s3 = sim.step().unwrap();
    assert_eq!(s3.event, Event::Timer { node: a, token: 7 });
    assert_eq!(sim.now(), 5);
    assert_eq!(sim.step(), None);
    assert_eq!(sim.now(), 5);
}

#[test]
fn advance_to_delivers_due_events_and_sets_clock() {
    let (mut sim, ids) = recs(1, 2);
    sim.invoke(ids[0], |_, out| {
        out.set_timer(1, 10);
        out.set_timer(2, 11);
    })
    .unwrap();
    assert_eq!(sim.advance_to(10), 1);
    assert_eq!(sim.now(), 10);
    assert_eq!(sim.advance_to(5), 0, "time never goes back");
    assert_eq!(sim.now(), 10);
    assert_eq!(sim.tick(1), 1);
    assert_eq!(sim.now(), 11);
    assert_eq!(sim.try_tick(5), Ok(0));
    assert_eq!(sim.now(), 16);
}

#[test]
fn run_until_reports_success_and_timeout() {
    let (mut sim, ids) = recs(2, 2);
    let (a, b) = (ids[0], ids[1]);
    send(&mut sim, a, b, "X", 1);
    let ok = sim.run_until(|s| !s.node(b).got.is_empty(), 100).unwrap();
    assert_eq!(ok.steps, 1);
    assert_eq!(ok.time, sim.node(b).got[0].0);
    let start = sim.now();
    sim.invoke(a, |_, out| out.set_timer(1, start + 50))
        .unwrap();
    let err = sim.run_until(|s| s.node(b).got.len() == 2, 30).unwrap_err();
    assert_eq!(
        err,
        RunError::Timeout {
            at: start + 30,
            steps: 0
        }
    );
    assert_eq!(sim.now(), start + 30);
    // A predicate on time alone can hold at the deadline.
    let t = sim.now() + 10;
    assert!(sim.run_until(|s| s.now() >= t, 10).is_ok());
}

#[test]
fn run_until_and_try_tick_give_up_on_a_livelock() {
    struct Spin;
    impl Node for Spin {
        type Msg = TMsg;
        fn handle(&mut self, now: u64, _: Input<TMsg>, out: &mut Outputs<'_, TMsg>) {
            out.set_timer(0, now); // forever at the same instant
        }
    }
    let mut sim = Simulator::with_config(SimConfig {
        event_budget: 1000,
        ..SimConfig::default()
    });
    sim.add_node("s", Spin);
    sim.start_all();
    let err = sim.run_until(|_| false, 10).unwrap_err();
    assert_eq!(err, RunError::EventBudget { at: 0, steps: 1000 });
    let err = sim.try_tick(10).unwrap_err();
    assert_eq!(err, RunError::EventBudget { at: 0, steps: 1000 });
    assert_eq!(sim.now(), 0);
}

#[test]
fn idle_ignores_background_timers_only() {
    let (mut sim, ids) = recs(2, 2);
    let (a, b) = (ids[0], ids[1]);
    assert!(sim.is_idle(), "nothing scheduled");
    sim.invoke(a, |_, out| out.set_background_timer(1, 100))
        .unwrap();
    assert!(sim.is_idle(), "only a heartbeat");
    sim.invoke(b, |_, out| out.set_timer(2, 50)).unwrap();
    assert!(!sim.is_idle(), "a retry due before the heartbeat");
    sim.invoke(b, |_, out| out.set_timer(2, 100)).unwrap();
    assert!(sim.is_idle(), "due with the heartbeat, not before");
    send(&mut sim, a, b, "X", 1);
    assert!(!sim.is_idle(), "a message in flight");
    sim.hold(a, b, None);
    sim.tick(10);
    assert!(sim.is_idle(), "held messages wait for a release");
    sim.invoke(a, |_, out| out.cancel_timer(1)).unwrap();
    assert!(!sim.is_idle(), "a foreground timer and no heartbeat");
}

#[test]
fn node_rng_streams_are_seeded_and_independent() {
    let draw = |seed| {
        let (mut sim, ids) = recs(2, seed);
        let x = sim.invoke(ids[0], |_, out| out.rng().next_u64()).unwrap();
        let y = sim.invoke(ids[1], |_, out| out.rng().next_u64()).unwrap();
        (x, y)
    };
    assert_eq!(draw(5), draw(5));
    assert_ne!(draw(5), draw(6));
    assert_ne!(draw(5).0, draw(5).1);
}

#[test]
fn trace_records_everything_in_order_as_json_lines() {
    let (mut sim, ids) = recs(2, 3);
    let (a, b) = (ids[0], ids[1]);
    send(&mut sim, a, b, "Fetch", 1);
    sim.tick(5);
    sim.crash(a).unwrap();
    sim.restart(a).unwrap();
    sim.note("say", json!("hello"));
    let lines: Vec<serde_json::Value> = sim
        .trace_json_lines()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let evs: Vec<&str> = lines.iter().map(|l| l["ev"].as_str().unwrap()).collect();
    assert_eq!(
        evs,
        vec![
            "started",
            "started",
            "sent",
            "delivered",
            "node",
            "crashed",
            "restarted",
            "note"
        ]
    );
    let ns: Vec<u64> = lines.iter().map(|l| l["n"].as_u64().unwrap()).collect();
    assert_eq!(ns, (1..=8).collect::<Vec<_>>());
    assert_eq!(lines[2]["detail"], json!({ "n": 1 }));
    assert_eq!(lines[3]["from"], json!("0"));
    assert_eq!(lines[3]["to"], json!("1"));
    assert_eq!(lines[4]["kind"], json!("got"));
    assert_eq!(lines[7]["detail"], json!("hello"));
    let taken = sim.take_trace();
    assert_eq!(taken.len(), 8);
    assert!(sim.trace().is_empty());
    assert_eq!(sim.trace_len(), 8);
}

#[test]
fn node_event_detail_is_not_built_with_tracing_off() {
    let (mut sim, ids) = recs(1, 0);
    sim.set_tracing(false);
    let mut built = false;
    sim.invoke(ids[0], |_, out| {
        assert!(!out.tracing());
        out.event("x", || {
            built = true;
            json!(1)
        })
    })
    .unwrap();
    assert!(!built);
    let n = sim.trace_len();
    sim.set_tracing(true);
    sim.invoke(ids[0], |_, out| out.event("y", || json!(2)))
        .unwrap();
    // Numbering went on while nothing was stored.
    assert_eq!(sim.trace().last().unwrap().n, n + 1);
    assert_eq!(
        sim.trace().last().unwrap().kind,
        TraceKind::Node {
            node: ids[0],
            kind: "y".into(),
            detail: json!(2)
        }
    );
}

#[test]
fn in_flight_messages_are_listed_in_delivery_order() {
    let (mut sim, ids) = recs(3, 6);
    sim.set_latency(1, 20);
    for n in 0..10 {
        send(
            &mut sim,
            ids[(n % 2) as usize],
            ids[2],
            if n % 3 == 0 { "A" } else { "B" },
            n,
        );
    }
    let listed = sim.in_flight_messages();
    assert_eq!(listed.len(), 10);
    assert!(listed.windows(2).all(|w| w[0].0 <= w[1].0));
    let mut delivered = Vec::new();
    while let Some(step) = sim.step() {
        if let Event::Delivered(info) = step.event {
            delivered.push((step.time, info));
        }
    }
    assert_eq!(listed, delivered);
}

#[test]
fn heterogeneous_nodes_through_box_dyn() {
    struct Counter(u32);
    impl Node for Counter {
        type Msg = TMsg;
        fn handle(&mut self, _: u64, input: Input<TMsg>, _: &mut Outputs<'_, TMsg>) {
            if let Input::Message { .. } = input {
                self.0 += 1;
            }
        }
    }
    struct Sender(NodeId);
    impl Node for Sender {
        type Msg = TMsg;
        fn handle(&mut self, _: u64, input: Input<TMsg>, out: &mut Outputs<'_, TMsg>) {
            if let Input::Start = input {
                out.send(self.0, TMsg { api: "X", n: 0 });
                out.send(self.0, TMsg { api: "X", n: 1 });
            }
        }
    }
    let mut sim: Simulator<Box<dyn Node<Msg = TMsg>>> = Simulator::new(1);
    let c = sim.add_node("c", Box::new(Counter(0)));
    sim.add_node("s", Box::new(Sender(c)));
    sim.start_all();
    sim.tick(10);
    assert_eq!(sim.stats().delivered, 2);
    assert_eq!(sim.id_of("s"), Some(NodeId(1)));
    assert_eq!(sim.name(c), "c");
    let old = sim.replace_node(c, Box::new(Counter(100)));
    drop(old);
    assert_eq!(sim.state(c), NodeState::Up);
}

// ----- properties over random fault schedules -----

#[derive(Clone, Debug)]
enum Op {
    Send {
        from: u32,
        to: u32,
        api: bool,
    },
    Tick(u64),
    Step(u8),
    Partition(Vec<u8>),
    Heal,
    Hold {
        from: u32,
        to: u32,
        api: Option<bool>,
    },
    Release {
        from: u32,
        to: u32,
        api: Option<bool>,
    },
    Drop {
        from: u32,
        to: u32,
        count: Option<u64>,
    },
    Delay {
        from: u32,
        to: u32,
        ms: u64,
    },
    Crash(u32),
    Restart(u32),
}

const N: u32 = 4;

fn api_name(fetch: bool) -> &'static str {
    if fetch {
        "Fetch"
    } else {
        "Produce"
    }
}

fn op(api_holds: bool) -> impl Strategy<Value = Op> {
    let node = 0..N;
    let api = if api_holds {
        proptest::option::of(any::<bool>()).boxed()
    } else {
        Just(None).boxed()
    };
    prop_oneof![
        8 => (node.clone(), node.clone(), any::<bool>()).prop_map(|(from, to, api)| Op::Send { from, to, api }),
        3 => (0u64..20).prop_map(Op::Tick),
        3 => (1u8..10).prop_map(Op::Step),
        1 => proptest::collection::vec(0u8..3, N as usize).prop_map(Op::Partition),
        1 => Just(Op::Heal),
        1 => (node.clone(), node.clone(), api.clone()).prop_map(|(from, to, api)| Op::Hold { from, to, api }),
        1 => (node.clone(), node.clone(), api).prop_map(|(from, to, api)| Op::Release { from, to, api }),
        1 => (node.clone(), node.clone(), proptest::option::of(1u64..4)).prop_map(|(from, to, count)| Op::Drop { from, to, count }),
        1 => (node.clone(), node.clone(), 0u64..30).prop_map(|(from, to, ms)| Op::Delay { from, to, ms }),
        1 => node.clone().prop_map(Op::Crash),
        1 => node.prop_map(Op::Restart),
    ]
}

/// Run `ops` step by step, checking after every delivery that the link was
/// not cut, and that deliveries keep send order per `(link, api)` — or per
/// link when holds are link-wide only. Returns the trace hash.
fn check_schedule(seed: u64, ops: &[Op], per_api: bool) -> Result<u64, TestCaseError> {
    let (mut sim, _) = recs(N as usize, seed);
    sim.set_tracing(false);
    sim.set_latency(1, 15);
    let mut last: std::collections::HashMap<(NodeId, NodeId, &'static str), u64> =
        Default::default();
    let mut n = 0u64;
    let mut check = |sim: &Simulator<Rec>, step: Option<Step>| -> Result<(), TestCaseError> {
        if let Some(Step {
            event: Event::Delivered(info),
            ..
        }) = step
        {
            prop_assert!(
                !sim.is_cut(info.from, info.to),
                "delivered across a cut: {info:?}"
            );
            prop_assert!(sim.is_up(info.to));
            let key = (info.from, info.to, if per_api { info.api } else { "" });
            if let Some(prev) = last.insert(key, info.id) {
                prop_assert!(
                    prev < info.id,
                    "FIFO broken on {key:?}: {prev} then {}",
                    info.id
                );
            }
        }
        Ok(())
    };
    let id = NodeId;
    for op in ops {
        match op.clone() {
            Op::Send { from, to, api } => {
                if from != to && sim.is_up(id(from)) {
                    n += 1;
                    send(&mut sim, id(from), id(to), api_name(api), n);
                }
            }
            Op::Tick(ms) => {
                let until = sim.now() + ms;
                while sim.next_event_time().is_some_and(|t| t <= until) {
                    let s = sim.step();
                    check(&sim, s)?;
                }
                sim.advance_to(until);
            }
            Op::Step(k) => {
                for _ in 0..k {
                    let s = sim.step();
                    check(&sim, s)?;
                }
            }
            Op::Partition(groups) => {
                let mut g: Vec<Vec<NodeId>> = vec![vec![]; 3];
                for (node, &grp) in groups.iter().enumerate() {
                    // group 0 means "not named"
                    if grp > 0 {
                        g[grp as usize].push(id(node as u32));
                    }
                }
                g.retain(|x| !x.is_empty());
                sim.partition(&g);
            }
            Op::Heal => sim.heal(),
            Op::Hold { from, to, api } => sim.hold(id(from), id(to), api.map(api_name)),
            Op::Release { from, to, api } => {
                sim.release(id(from), id(to), api.map(api_name));
            }
            Op::Drop { from, to, count } => sim.drop_messages(id(from), id(to), None, count),
            Op::Delay { from, to, ms } => sim.delay(id(from), id(to), ms),
            Op::Crash(x) => {
                let _ = sim.crash(id(x));
            }
            Op::Restart(x) => {
                let _ = sim.restart(id(x));
            }
        }
    }
    // Drain: heal so everything still held or in flight comes out.
    sim.heal();
    while let Some(s) = sim.step() {
        check(&sim, Some(s))?;
    }
    prop_assert_eq!(sim.in_flight(), 0);
    Ok(sim.trace_hash())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_faults_keep_fifo_per_link_and_respect_partitions(
        seed in any::<u64>(),
        ops in proptest::collection::vec(op(false), 1..200),
    ) {
        let h1 = check_schedule(seed, &ops, false)?;
        let h2 = check_schedule(seed, &ops, false)?;
        prop_assert_eq!(h1, h2, "replay diverged");
    }

    #[test]
    fn random_faults_with_api_holds_keep_fifo_per_link_and_api(
        seed in any::<u64>(),
        ops in proptest::collection::vec(op(true), 1..200),
    ) {
        check_schedule(seed, &ops, true)?;
    }
}

#[test]
fn a_kept_trace_holds_the_newest_events_and_counts_them_all() {
    let run = |keep: bool| {
        let (mut sim, ids) = recs(2, 5);
        if keep {
            sim.set_trace_keep(Some(50));
            sim.set_trace_detail(false);
        }
        for n in 0..300 {
            send(&mut sim, ids[0], ids[1], "A", n);
            sim.tick(1);
        }
        sim
    };
    let (full, kept) = (run(false), run(true));
    assert_eq!(kept.trace_len(), full.trace_len());
    assert_eq!(
        kept.trace_hash(),
        full.trace_hash(),
        "detail is never hashed"
    );
    assert_eq!(got_ns(&kept, NodeId(1)), got_ns(&full, NodeId(1)));
    let stored = kept.trace();
    assert!(stored.len() >= 50 && stored.len() < 100, "{}", stored.len());
    assert_eq!(stored.last().unwrap().n, full.trace_len());
    assert!(stored
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Sent { .. })));
    for e in stored {
        if let TraceKind::Sent { detail, .. } = &e.kind {
            assert!(detail.is_null(), "{e:?}");
        }
    }
    assert!(full.trace().iter().any(|e| matches!(&e.kind,
        TraceKind::Sent { detail, .. } if !detail.is_null())));
}

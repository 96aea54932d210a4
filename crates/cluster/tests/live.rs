//! Live brokers (`LoopbackHosts::live`): inputs are posted to the broker
//! processes and their outputs come back later, a random number at a
//! time per broker, so brokers fall behind and catch up independently of
//! each other. The cluster must still replicate, acknowledge `acks=all`,
//! advance the high watermark and serve consumers — through console
//! commands (which wait for the brokers) and on the real clock
//! (`Cluster::advance_live`, which never waits) — and the network's rules
//! must apply to outputs that arrive late.

use std::cell::RefCell;
use std::rc::Rc;

use kafkascope_cluster::cluster::Cluster;
use kafkascope_cluster::host::{LoopbackHosts, Pace};
use kafkascope_cluster::session::Session;
use sim::{DropReason, NodeId, TraceKind};

mod common;
use common::submit_all_pass;

const SETUP: &str = "cluster brokers=3\n\
topic create t partitions=1 replication-factor=3 assignment=0:1:2\n\
producer p acks=all linger.ms=5\n";

/// A session whose brokers run live on loopback hosts paced by `seed`.
fn live_session(seed: u64) -> (Session, Pace) {
    let hosts = LoopbackHosts::live(seed);
    let pace = hosts.pace().expect("live hosts have a pace");
    let mut s = Session::new(seed);
    s.set_hosts(Some(Rc::new(RefCell::new(hosts))));
    (s, pace)
}

fn acked(c: &Cluster) -> usize {
    c.producer("p").map_or(0, |p| p.app.acked.len())
}

#[test]
fn console_commands_wait_for_live_brokers_and_the_cluster_works() {
    for seed in [1, 2, 3] {
        let (mut s, _) = live_session(seed);
        submit_all_pass(&mut s, SETUP);
        assert!(s.cluster().unwrap().is_live());
        submit_all_pass(
            &mut s,
            "send p t value=v{i} count=200\nflush p\nexpect acked p == 200\nexpect hw t-0 == 200\n\
             run until isr t-0 == 0,1,2 timeout=10000\n\
             consumer c group=g auto.offset.reset=earliest\nsubscribe c t\n\
             run until assignment g c == t-0 timeout=30000\n\
             poll c timeout=10000\nprocess c\ncommit c sync\n\
             expect lag g t-0 == 0\n",
        );
        let c = s.cluster().unwrap();
        for b in 0..3 {
            assert_eq!(
                c.broker_partition(b, &broker::api::TopicPartition::new("t", 0))
                    .map(|p| p.leo),
                Some(200),
                "seed {seed}: broker {b}'s log"
            );
        }
    }
}

#[test]
fn on_the_real_clock_brokers_work_at_once_and_acks_all_is_acknowledged() {
    let (mut s, pace) = live_session(7);
    submit_all_pass(&mut s, SETUP);
    submit_all_pass(&mut s, "send p t value=v{i} count=2000\n");
    let c = s.cluster_mut().unwrap();
    let start = c.sim.now();
    let mut t = start;
    while acked(c) < 2000 && t < start + 30_000 {
        t += 1;
        assert!(c.advance_live(t, u64::MAX));
        assert_eq!(c.sim.now(), t, "the clock follows the caller's");
    }
    assert_eq!(acked(c), 2000, "every record acknowledged by t={t}");
    assert_eq!(
        pace.most_busy_at_once(),
        3,
        "every broker had inputs in hand at the same time at some point"
    );
    // Time was never held back waiting for a broker: events ran at the
    // caller's pace, and the high watermark reached every replica.
    submit_all_pass(
        &mut s,
        "expect hw t-0 == 2000\nexpect divergent t-0 == none\n",
    );
}

#[test]
fn outputs_that_arrive_late_obey_the_rules_in_force_when_they_arrive() {
    let (mut s, pace) = live_session(11);
    submit_all_pass(&mut s, SETUP);
    submit_all_pass(&mut s, "send p t value=a\nflush p\n");
    // Brokers keep their inputs: the leader's produce response and the
    // replicas' fetches are computed but not back yet.
    pace.pause(true);
    submit_all_pass(&mut s, "send p t value=b\n");
    let c = s.cluster_mut().unwrap();
    let now = c.sim.now();
    assert!(c.advance_live(now + 20, u64::MAX));
    assert!(c.pending_inputs() > 0, "the brokers hold inputs");
    let before = c.sim.trace_len();
    // The network changes while they work: the leader (0) is cut off
    // from broker 2, and 0 -> 1 holds its messages. The leader's answers
    // to the followers' parked fetches come out after that.
    submit_all_pass(&mut s, "partition 0 | 2\nhold 0->1\n");
    pace.pause(false);
    let c = s.cluster_mut().unwrap();
    let now = c.sim.now();
    assert!(c.advance_live(now + 1, u64::MAX));
    let cut_drops = c
        .sim
        .trace()
        .iter()
        .filter(|e| e.n > before)
        .filter(|e| {
            matches!(e.kind, TraceKind::Dropped { from, to, reason: DropReason::Partition, .. }
                if from == NodeId(0) && to == NodeId(2))
        })
        .count();
    assert!(
        cut_drops > 0,
        "broker 0's late outputs to 2 were dropped by the partition: {:?}",
        &c.sim.trace()[before as usize..]
    );
    assert!(
        !c.sim.held(NodeId(0), NodeId(1)).is_empty(),
        "broker 0's late messages to 1 are held"
    );
    // Healed, the cluster carries on.
    submit_all_pass(&mut s, "heal\nflush p\nexpect acked p == 2\n");
}

#[test]
fn a_crashed_live_leader_is_replaced() {
    let (mut s, _) = live_session(5);
    submit_all_pass(&mut s, SETUP);
    submit_all_pass(
        &mut s,
        "send p t value=a{i} count=20\nflush p\ncrash 0\n\
         run until leader t-0 != 0 timeout=60000\n\
         send p t value=b{i} count=20\nflush p\nexpect acked p == 40\n",
    );
    // On the real clock too.
    submit_all_pass(&mut s, "restart 0\n");
    let c = s.cluster_mut().unwrap();
    let mut t = c.sim.now();
    let deadline = t + 60_000;
    while t < deadline
        && c.broker_partition(0, &broker::api::TopicPartition::new("t", 0))
            .is_none_or(|p| p.leo < 40)
    {
        t += 5;
        c.advance_live(t, u64::MAX);
    }
    assert!(
        t < deadline,
        "restarted broker 0 caught up on the real clock"
    );
}

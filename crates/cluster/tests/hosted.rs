//! Brokers hosted behind `RemoteBroker` (what the browser's broker workers
//! are) run the same cluster as brokers in the simulator's thread: for
//! every scenario, the same trace, the same printed results, every expect
//! the same — crashes, power cuts and restarts included, since a hosted
//! broker restarts over the log directory its last process left.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use broker::api::{BrokerId, TopicPartition};
use kafkascope_cluster::host::{DiskFiles, LoopbackHosts};
use kafkascope_cluster::runner::{preflight, run, run_hosted, RunOptions};
use kafkascope_cluster::session::Session;
use sim::TraceKind;

mod common;
use common::submit_all_pass;

#[test]
fn hosted_brokers_run_every_scenario_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let files = common::scenario_files(&root);
    assert!(
        files.len() >= 40,
        "expected the scenario library, found {files:?}"
    );
    let opts = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    for f in &files {
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let source = std::fs::read_to_string(f).expect("readable");
        let s = scenario::parse(&name, &source).expect("parses");
        preflight(&s).expect("supported");
        let here = run(&s, &opts);
        let hosted = run_hosted(
            &s,
            &opts,
            Some(Rc::new(RefCell::new(LoopbackHosts::default()))),
        );
        assert_eq!(here.lines, hosted.lines, "{name}: printed results differ");
        assert_eq!(here.expects, hosted.expects, "{name}: expects differ");
        assert_eq!(here.failure, hosted.failure, "{name}: failure differs");
        assert!(!here.trace.is_empty(), "{name}: no trace recorded");
        assert!(
            here.trace == hosted.trace,
            "{name}: traces differ (first differing line: {:?})",
            here.trace
                .lines()
                .zip(hosted.trace.lines())
                .find(|(a, b)| a != b)
        );
    }
}

// ---- a stored log directory damaged while its broker is down ----

/// A session whose brokers run on loopback hosts, and those hosts' stored
/// log directories (to damage one while its broker is down, as a browser
/// can damage a broker worker's IndexedDB chunk).
fn hosted_session(seed: u64) -> (Session, Rc<RefCell<BTreeMap<BrokerId, DiskFiles>>>) {
    let hosts = LoopbackHosts::default();
    let stored = hosts.stored_files();
    let mut s = Session::new(seed);
    s.set_hosts(Some(Rc::new(RefCell::new(hosts))));
    (s, stored)
}

/// Cuts the last `n` bytes off broker `b`'s stored `path`.
fn cut_stored(stored: &RefCell<BTreeMap<BrokerId, DiskFiles>>, b: BrokerId, path: &str, n: usize) {
    let mut stored = stored.borrow_mut();
    let files = stored.get_mut(&b).expect("the broker's stored directory");
    let (_, bytes) = files
        .iter_mut()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} is stored"));
    let keep = bytes.len() - n;
    bytes.truncate(keep);
}

/// Broker `b`'s own open log of `tp` (its process answers), not a view of
/// its disk.
fn broker_leo(s: &Session, b: BrokerId, topic: &str) -> Option<i64> {
    s.cluster()
        .unwrap()
        .broker_partition(b, &TopicPartition::new(topic, 0))
        .map(|p| p.leo)
}

const SEGMENT: &str = "00000000000000000000.log";

/// Did broker `b` recover `partition` with its log ending at `leo`?
fn recovered_to(s: &Session, b: u32, partition: &str, leo: i64) -> bool {
    s.cluster()
        .unwrap()
        .sim
        .trace()
        .iter()
        .any(|e| match &e.kind {
            TraceKind::Node { node, kind, detail } => {
                node.0 == b
                    && kind == "log-recovered"
                    && detail["partition"] == partition
                    && detail["leo"] == leo
            }
            _ => false,
        })
}

#[test]
fn a_restarted_broker_shows_the_log_its_damaged_store_gave_back() {
    let (mut s, stored) = hosted_session(5);
    // Both topics on broker 1 only; one record per batch.
    submit_all_pass(
        &mut s,
        "cluster brokers=3 seed=5\n\
         topic create damaged partitions=1 replication-factor=1 assignment=1\n\
         topic create intact partitions=1 replication-factor=1 assignment=1\n\
         producer p acks=all\n\
         send p damaged value=d0\nflush p\nsend p damaged value=d1\nflush p\n\
         send p damaged value=d2\nflush p\n\
         send p intact value=i{i} count=3\nflush p\n\
         crash 1\n\
         expect log damaged-0@1 == d0,d1,d2\n",
    );
    // While broker 1 is down its stored segment loses the end of d2's batch.
    cut_stored(&stored, 1, &format!("damaged-0/{SEGMENT}"), 5);
    // Restarted, the broker has not opened its logs yet (it waits for its
    // old ZooKeeper session to expire before it registers): the replica is
    // what its disk recovers, and its disk is what the store gave back.
    submit_all_pass(
        &mut s,
        "restart 1\ntick 1000\n\
         expect log damaged-0@1 == d0,d1\nexpect leo damaged-0@1 == 2\n\
         expect log intact-0@1 == i0,i1,i2\n",
    );
    assert_eq!(broker_leo(&s, 1, "damaged"), None, "not opened yet");
    // Once it leads again, its own log is the recovered one: d2's torn
    // batch is gone, a new record follows d1, and d2 counts as lost.
    submit_all_pass(
        &mut s,
        "tick 30000\n\
         expect log damaged-0@1 == d0,d1\n\
         send p damaged value=d3\nflush p\n\
         expect log damaged-0@1 == d0,d1,d3\nexpect acked p == 7\nexpect lost == 1\n\
         expect log intact-0@1 == i0,i1,i2\n",
    );
    assert_eq!(broker_leo(&s, 1, "damaged"), Some(3));
    assert!(
        recovered_to(&s, 1, "damaged-0", 2),
        "broker 1 recovered damaged-0 to offset 2"
    );
}

#[test]
fn a_follower_whose_store_was_damaged_fetches_the_cut_batch_again() {
    let (mut s, stored) = hosted_session(3);
    submit_all_pass(
        &mut s,
        "cluster brokers=3 seed=3\n\
         topic create t partitions=1 replication-factor=3 assignment=0:1:2\n\
         producer p acks=all\n\
         send p t value=v0\nflush p\nsend p t value=v1\nflush p\nsend p t value=v2\nflush p\n\
         crash 1\nexpect log t-0@1 == v0,v1,v2\n",
    );
    cut_stored(&stored, 1, &format!("t-0/{SEGMENT}"), 5);
    // Before it fetches, the restarted follower holds what it recovers...
    submit_all_pass(&mut s, "restart 1\nexpect log t-0@1 == v0,v1\n");
    // ...then copies v2 from the leader again, as any follower behind it.
    submit_all_pass(
        &mut s,
        "run until leo t-0@1 == 3 timeout=60000\n\
         run until isr t-0 == 0,1,2 timeout=60000\n\
         expect log t-0@1 == v0,v1,v2\nexpect lost == 0\n",
    );
    assert_eq!(broker_leo(&s, 1, "t"), Some(3), "broker 1's own log");
    assert!(
        recovered_to(&s, 1, "t-0", 2),
        "v2's torn batch was cut first"
    );
}

#[test]
fn damage_below_the_recovery_point_is_not_validated_as_in_kafka() {
    let (mut s, stored) = hosted_session(5);
    // Every append is flushed, so the recovery point is the LEO; segments
    // of two one-record batches.
    let mut script = String::from(
        "cluster brokers=3 seed=5\n\
         topic create t partitions=1 replication-factor=1 assignment=1 \
         segment.bytes=200 flush.messages=1\n\
         producer p acks=all\n",
    );
    for i in 0..6 {
        script.push_str(&format!("send p t value=v{i}\nflush p\n"));
    }
    script.push_str("crash 1\nexpect segments t-0@1 == 0,2,4\n");
    submit_all_pass(&mut s, &script);
    // The first segment loses the end of v1's batch. Kafka's LogLoader
    // validates only from the recovery point's segment on after an unclean
    // shutdown: the older segment is read as it is, up to its last whole
    // batch, so v1 is a hole and the later segments stay.
    cut_stored(&stored, 1, &format!("t-0/{SEGMENT}"), 5);
    submit_all_pass(
        &mut s,
        "restart 1\nexpect log t-0@1 == v0,v2,v3,v4,v5\nexpect leo t-0@1 == 6\n\
         tick 30000\nexpect log t-0@1 == v0,v2,v3,v4,v5\nexpect lost == 1\n",
    );
    assert_eq!(broker_leo(&s, 1, "t"), Some(6), "broker 1's own log");
}

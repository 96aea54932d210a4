//! Minimal reproductions of broker bugs the runner found, kept as
//! regression tests (both were fixed in the broker after they were
//! reported).

use kafkascope_cluster::runner::{run_source, RunOptions};

fn check(src: &str) {
    let r = run_source("bug.scn", src, &RunOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(r.ok(), "{:#?}", r.lines);
}

/// Topic-level `min.insync.replicas` / `unclean.leader.election.enable`
/// (non-log topic configs) reach `LogConfig::from_pairs`, which rejects
/// them: the replicas cannot open the log and the partition never gets a
/// leader.
#[test]
fn topic_level_min_insync_replicas_config_does_not_keep_the_partition_offline() {
    check("cluster brokers=3\ntopic create t partitions=1 replication-factor=3 min.insync.replicas=2\nexpect leader t-0 != none\n");
}

/// A follower whose Fetch is lost in flight (dropped, or sent to a leader
/// that crashed) waits for its answer forever: there is no request timeout
/// (Kafka: replica.socket.timeout.ms / request.timeout.ms, 30 s) and no
/// disconnect input, so it never fetches from that leader again.
#[test]
fn a_follower_fetches_again_after_a_lost_fetch() {
    check(
        "cluster brokers=2\ntopic create t partitions=1 replication-factor=2 assignment=0:1\nproducer p acks=1\n\
         drop 0->1 type=Fetch count=1\nsend p t value=a\nflush p\ntick 60000\nsend p t value=b\nflush p\n\
         run until leo t-0@1 == 2 timeout=60000\nexpect isr t-0 == 0,1\n",
    );
}

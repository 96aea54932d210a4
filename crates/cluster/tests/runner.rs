//! The runner's contract: PASS/FAIL lines, refusals before the run, traces.

use kafkascope_cluster::runner::{run_source, RunOptions};

fn run(src: &str) -> kafkascope_cluster::Report {
    run_source("t.scn", src, &RunOptions::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn expect_lines_follow_the_contract() {
    let r = run("cluster brokers=2\ntopic create t partitions=1 replication-factor=1 assignment=0\nexpect leader t-0 == 0\nexpect leader t-0 == 1\n");
    assert_eq!(
        r.lines,
        vec![
            "PASS line 3: leader t-0 == 0",
            "FAIL line 4: leader t-0 == 1 (was 0)"
        ]
    );
    assert!(!r.ok());
}

#[test]
fn unsupported_commands_are_refused_before_the_run() {
    let opts = RunOptions::default();
    // Idempotence quietly off (acks=1) leaves transactional.id without it.
    let e = run_source(
        "t.scn",
        "cluster brokers=1\nproducer p acks=1 transactional.id=x\n",
        &opts,
    )
    .err()
    .expect("refused");
    assert_eq!(
        e[0].to_string(),
        "t.scn:2: producer p: Cannot set a transactional.id without also enabling idempotence."
    );
    let e = run_source("a.scn", "cluster brokers=1\ntopic create t partitions=1 replication-factor=1\ntopic alter t partitions=2\n", &opts)
        .err()
        .expect("refused");
    assert!(
        e[0].to_string()
            .starts_with("a.scn:3: `topic alter` is not supported yet"),
        "{}",
        e[0]
    );
}

#[test]
fn run_until_timeout_fails_the_run_with_the_last_value() {
    let r = run("cluster brokers=1\ntopic create t partitions=1 replication-factor=1\nrun until hw t-0 == 5 timeout=1000\nexpect leader t-0 == 0\n");
    assert_eq!(
        r.lines,
        vec!["FAIL line 3: run until hw t-0 == 5 timed out after 1000 ms (was 0)"]
    );
    assert!(!r.ok());
}

#[test]
fn the_trace_has_messages_state_changes_and_expects() {
    let r = run_source(
        "t.scn",
        "cluster brokers=2\nsay hello\ntopic create t partitions=1 replication-factor=2\nexpect isr t-0 == 0,1\n",
        &RunOptions { trace: true, ..Default::default() },
    )
    .expect("parses");
    for needle in [
        r#""ev":"delivered""#,
        r#""api":"LeaderAndIsr""#,
        r#""kind":"say""#,
        r#""kind":"expect""#,
    ] {
        assert!(r.trace.contains(needle), "missing {needle}");
    }
    assert!(r
        .trace
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}

#[test]
fn keyed_records_go_where_the_default_partitioner_says() {
    // toPositive(murmur2("foobar")) % 4 == 2 (murmur2 = -790332482, Kafka's UtilsTest vector).
    let r = run("cluster brokers=1\ntopic create t partitions=4 replication-factor=1\nproducer p\nsend p t value=v key=foobar count=2\nflush p\nexpect log t-0@0 == none\nexpect log t-2@0 == v,v\nexpect log t-3@0 == none\n");
    assert!(r.ok(), "{:?}", r.lines);
}

#[test]
fn records_without_keys_stick_to_one_partition_per_batch() {
    let r = run("cluster brokers=1\ntopic create t partitions=4 replication-factor=1\nproducer p linger.ms=50\nsend p t value=v{i} count=5\nflush p\nexpect acked p == 5\n");
    assert!(r.ok(), "{:?}", r.lines);
    let c = r.cluster.as_ref().expect("cluster");
    let parts: std::collections::BTreeSet<i32> = c
        .producer("p")
        .expect("p")
        .app
        .acked
        .iter()
        .map(|a| a.tp.partition)
        .collect();
    assert_eq!(
        parts.len(),
        1,
        "one lingering batch, one partition: {parts:?}"
    );
}

#[test]
fn a_restarted_producer_keeps_what_it_was_told() {
    let r = run("cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p\nsend p t value=a\nflush p\ncrash p\nrestart p\nsend p t value=b\nflush p\nexpect acked p == 2\nexpect log t-0@0 == a,b\n");
    assert!(r.ok(), "{:?}", r.lines);
}

#[test]
fn a_crashed_client_cannot_send() {
    let r = run("cluster brokers=1\ntopic create t partitions=1 replication-factor=1\nproducer p\ncrash p\nsend p t value=a\n");
    assert_eq!(
        r.failure.as_deref(),
        Some("FAIL line 5: producer p is not running")
    );
}

#[test]
fn the_cluster_goes_idle_and_survives_a_zookeeper_restart() {
    let r = run("cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p\nsend p t value=a\nrun until idle timeout=20000\nexpect acked p == 1\ncrash zk\ntick 3000\nrestart zk\ntick 30000\nexpect controller != none\nexpect leader t-0 != none\n");
    assert!(r.ok(), "{:?}", r.lines);
}

#[test]
fn acks_zero_counts_records_as_sent_without_offsets() {
    let r = run("cluster brokers=1\ntopic create t partitions=1 replication-factor=1\nproducer p acks=0\nsend p t value=a count=3\nflush p\ntick 100\nexpect acked p == 3\nexpect log t-0@0 == a,a,a\n");
    assert!(r.ok(), "{:?}", r.lines);
    let c = r.cluster.as_ref().expect("cluster");
    assert!(c
        .producer("p")
        .expect("p")
        .app
        .acked
        .iter()
        .all(|a| a.offset == -1));
}

#[test]
fn a_replica_that_is_not_assigned_is_an_error() {
    // Kafka's assignment (random start) puts the one replica on one of the
    // three brokers; naming either of the others fails the run.
    let mut refused = 0;
    for b in 0..3 {
        let src = format!("cluster brokers=3\ntopic create t partitions=1 replication-factor=1\nexpect log t-0@{b} == none\n");
        let r = run(&src);
        match r.failure.as_deref() {
            Some(f) => {
                assert!(
                    f.starts_with(&format!(
                        "FAIL line 3: t-0 has no replica on broker {b} (its replicas: "
                    )),
                    "{f}"
                );
                refused += 1;
            }
            None => assert!(r.ok(), "{:?}", r.lines),
        }
    }
    assert_eq!(refused, 2);
}

#[test]
fn a_demo_prints_its_header_and_narration_in_the_chosen_language() {
    let src = "\
demo title The leader
demo title.zh 领导者
demo teaches Who leads.
demo teaches.zh 谁是领导者。
demo seed 004_b6897ffb7d1866c9.txt \"Leader 对外提供服务\"
demo seed.en The leader serves clients.
cluster brokers=1
say Broker 0 leads.
say.zh broker 0 是领导者。
say Untranslated aside.
expect controller == 0
";
    // A plain scenario may leave a say untranslated; a demo may not, so
    // that last case is run without the header.
    let plain: String = src
        .lines()
        .filter(|l| !l.starts_with("demo"))
        .map(|l| format!("{l}\n"))
        .collect();
    let en = run(&src.replace("say Untranslated aside.\n", ""));
    assert_eq!(
        en.lines,
        vec![
            "Demo: The leader",
            "Teaches: Who leads.",
            "Seed 004_b6897ffb7d1866c9.txt: 「Leader 对外提供服务」",
            "  (The leader serves clients.)",
            "Broker 0 leads.",
            "PASS line 10: controller == 0",
        ]
    );
    let zh = |s: &str| {
        run_source(
            "t.scn",
            s,
            &RunOptions {
                lang: scenario::Lang::Zh,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
    };
    assert_eq!(
        zh(&src.replace("say Untranslated aside.\n", "")).lines,
        vec![
            "演示：领导者",
            "要点：谁是领导者。",
            "出处 004_b6897ffb7d1866c9.txt：「Leader 对外提供服务」",
            "broker 0 是领导者。",
            "PASS line 10: controller == 0",
        ]
    );
    // Without a say.zh the English narration stands in.
    assert_eq!(
        zh(&plain).lines,
        vec![
            "broker 0 是领导者。",
            "Untranslated aside.",
            "PASS line 5: controller == 0"
        ]
    );
}

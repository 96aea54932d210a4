//! The examples written in SCENARIO-LANGUAGE.md, as concrete lines.

use kafkascope_scenario::*;

fn ok(line: &str) -> Command {
    match parse_command(line) {
        Ok(Some(c)) => c,
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn names() {
    assert_eq!(
        ok("crash 1"),
        Command::Crash {
            node: Node::Broker(1)
        }
    );
    assert_eq!(ok("crash zk"), Command::Crash { node: Node::Zk });
    assert_eq!(
        ok("crash orders-app"),
        Command::Crash {
            node: Node::Client("orders-app".into())
        }
    );
    let Command::Expect {
        predicate: Predicate::Compare(c),
    } = ok("expect leo orders-0@2 == 0")
    else {
        panic!()
    };
    assert_eq!(
        c.subject,
        Subject::Leo(ReplicaRef {
            partition: PartitionRef {
                topic: "orders".into(),
                partition: 0
            },
            broker: 2
        })
    );
    let Command::Cluster { configs, .. } =
        ok("cluster brokers=3 kafkascope.truncation=high-watermark")
    else {
        panic!()
    };
    assert_eq!(configs[0].name, "kafkascope.truncation");
    assert_eq!(
        config::lookup(config::Scope::Broker, "kafkascope.truncation")
            .unwrap()
            .default,
        "leader-epoch"
    );
}

#[test]
fn every_command_of_the_contract() {
    for line in [
        "cluster brokers=3",
        "cluster brokers=3 seed=42 racks=r0,r1,r0 min.insync.replicas=2",
        "topic create orders partitions=3 replication-factor=3 assignment=0:1:2,1:2:0,2:0:1 retention.ms=60000",
        "topic alter orders partitions=6",
        "producer p acks=all enable.idempotence=true linger.ms=5 batch.size=16384 max.in.flight.requests.per.connection=5 retries=10 delivery.timeout.ms=120000",
        "send p orders value=v{i} key=k1 partition=0 count=10 headers=k1:v1,k2:v2",
        "send p orders value=\"hello world\"",
        "flush p",
        "begin-txn p",
        "commit-txn p",
        "abort-txn p",
        "send-offsets-to-txn p c",
        "consumer c group=g enable.auto.commit=false auto.commit.interval.ms=5000 auto.offset.reset=earliest partition.assignment.strategy=range session.timeout.ms=45000 heartbeat.interval.ms=3000 max.poll.records=500 isolation.level=read_committed group.instance.id=c-1",
        "subscribe c orders,payments",
        "assign c orders-0,orders-1",
        "poll c",
        "poll c timeout=100",
        "process c",
        "process c count=2",
        "commit c",
        "commit c sync",
        "commit c async",
        "seek c orders-0 5",
        "seek c orders-0 beginning",
        "seek c orders-0 end",
        "seek c orders-0 time=1000",
        "close c",
        "crash 1",
        "power-off 1",
        "restart 1",
        "shutdown 1",
        "partition 0,1 | 2,zk",
        "partition 0 | 1 | 2",
        "heal",
        "hold 0->1",
        "hold 0->1 type=Fetch",
        "release 0->1 type=Fetch",
        "drop p->0 type=Produce count=1",
        "drop 1->0 type=LeaderAndIsr",
        "delay 0->2 ms=50",
        "tick 1000",
        "run until idle",
        "run until leader orders-0 == 1 timeout=5000",
        "step",
        "step 10",
        "say The leader is gone.",
        "expect leader orders-0 == 1",
    ] {
        ok(line);
    }
}

#[test]
fn every_predicate_of_the_contract() {
    for p in [
        "leader orders-0 == 1",
        "leader orders-0 == none",
        "isr orders-0 == 0,1,2",
        "epoch orders-0 == 2",
        "hw orders-0 == 5",
        "hw orders-0@1 == 5",
        "leo orders-0@1 == 5",
        "log-start orders-0@1 == 0",
        "log orders-0@1 == v0,v1,v2",
        "divergent orders-0 == none",
        "controller == 0",
        "controller == none",
        "acked p == 10",
        "errors p == NOT_ENOUGH_REPLICAS",
        "errors p == none",
        "lost == 0",
        "duplicates orders-0 == 0",
        "consumed c == v0,v1",
        "processed c == v0",
        "committed g orders-0 == 3",
        "committed g orders-0 == none",
        "assignment g c == t-0,t-1",
        "members g == c1,c2",
        "generation g == 1",
        "state g == Empty",
        "state g == PreparingRebalance",
        "state g == CompletingRebalance",
        "state g == Stable",
        "state g == Dead",
        "lag g orders-0 == 0",
    ] {
        let c = ok(&format!("expect {p}"));
        // The runner prints `PASS line 12: leader orders-0 == 1` from Display.
        let Command::Expect { predicate } = c else {
            panic!()
        };
        assert_eq!(predicate.to_string(), p);
    }
    for op in ["==", "!=", ">=", "<=", ">", "<"] {
        ok(&format!("expect hw orders-0 {op} 5"));
    }
    assert!(matches!(
        ok("run until idle"),
        Command::RunUntil {
            predicate: Predicate::Idle,
            ..
        }
    ));
}

#[test]
fn value_templates_with_count() {
    let Command::Send {
        value: Some(v),
        count,
        ..
    } = ok("send p t value=v{i} count=3")
    else {
        panic!()
    };
    let values: Vec<String> = (0..count).map(|i| v.expand(i)).collect();
    assert_eq!(values, ["v0", "v1", "v2"]);
}

#[test]
fn defaults_of_the_contract() {
    assert_eq!(
        ok("poll c"),
        Command::Poll {
            consumer: "c".into(),
            timeout_ms: 5000
        }
    );
    assert!(matches!(
        ok("run until idle"),
        Command::RunUntil {
            timeout_ms: 60000,
            ..
        }
    ));
    assert_eq!(ok("step"), Command::Step { n: 1 });
    assert_eq!(
        ok("process c"),
        Command::Process {
            consumer: "c".into(),
            count: None
        }
    );
}

#[test]
fn the_contract_s_kafka_defaults() {
    use config::{lookup, Scope::*};
    for (scope, name, default) in [
        (Consumer, "session.timeout.ms", "45000"),
        (Consumer, "heartbeat.interval.ms", "3000"),
        (Consumer, "max.poll.interval.ms", "300000"),
        (Consumer, "enable.auto.commit", "true"),
        (Consumer, "auto.commit.interval.ms", "5000"),
        (Consumer, "auto.offset.reset", "latest"),
        (Broker, "log.index.interval.bytes", "4096"),
        (Broker, "log.segment.bytes", "1073741824"),
        (Broker, "log.retention.hours", "168"),
        (Broker, "log.retention.bytes", "-1"),
        (Broker, "log.retention.check.interval.ms", "300000"),
        (Topic, "delete.retention.ms", "86400000"),
        (Broker, "replica.lag.time.max.ms", "30000"),
        (Broker, "min.insync.replicas", "1"),
        (Broker, "unclean.leader.election.enable", "false"),
    ] {
        assert_eq!(
            lookup(scope, name).map(|d| d.default),
            Some(default),
            "{name}"
        );
    }
    let strategy = lookup(Consumer, "partition.assignment.strategy")
        .unwrap()
        .default;
    let short: Vec<_> = strategy
        .split(',')
        .map(|s| config::assignor_short_name(s).unwrap())
        .collect();
    assert_eq!(short, ["range", "cooperative-sticky"]);
}

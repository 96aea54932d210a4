//! Every command form: the AST it parses to, and the canonical text it
//! prints back as.

use kafkascope_scenario::config::ConfigValue;
use kafkascope_scenario::*;

fn one(line: &str) -> Command {
    match parse_command(line) {
        Ok(Some(c)) => c,
        other => panic!("{line}: {other:?}"),
    }
}

/// Parses `line`, checks the printed form, and that it parses back the same.
fn canon(line: &str, printed: &str) -> Command {
    let c = one(line);
    assert_eq!(c.to_string(), printed, "printing {line}");
    assert_eq!(one(printed), c, "re-parsing {printed}");
    c
}

fn s(x: &str) -> String {
    x.to_string()
}

fn pr(topic: &str, partition: i32) -> PartitionRef {
    PartitionRef {
        topic: s(topic),
        partition,
    }
}

fn setting(name: &str, value: ConfigValue) -> Setting {
    Setting {
        name: s(name),
        value,
    }
}

#[test]
fn cluster() {
    assert_eq!(
        canon("cluster brokers=3", "cluster brokers=3"),
        Command::Cluster {
            brokers: 3,
            seed: None,
            racks: None,
            configs: vec![]
        }
    );
    assert_eq!(
        canon(
            "cluster   brokers=3 seed=7 racks=a,b,a min.insync.replicas=2 unclean.leader.election.enable=TRUE kafkascope.truncation=high-watermark",
            "cluster brokers=3 seed=7 racks=a,b,a min.insync.replicas=2 unclean.leader.election.enable=true kafkascope.truncation=high-watermark"
        ),
        Command::Cluster {
            brokers: 3,
            seed: Some(7),
            racks: Some(vec![s("a"), s("b"), s("a")]),
            configs: vec![
                setting("min.insync.replicas", ConfigValue::Int(2)),
                setting("unclean.leader.election.enable", ConfigValue::Bool(true)),
                setting("kafkascope.truncation", ConfigValue::Str(s("high-watermark"))),
            ]
        }
    );
}

#[test]
fn topic_create_and_alter() {
    assert_eq!(
        canon(
            "topic create orders partitions=2 replication-factor=3 assignment=0:1:2,1:2:0 cleanup.policy=compact,delete retention.ms=1000",
            "topic create orders partitions=2 replication-factor=3 assignment=0:1:2,1:2:0 cleanup.policy=compact,delete retention.ms=1000"
        ),
        Command::TopicCreate {
            name: s("orders"),
            partitions: 2,
            replication_factor: 3,
            assignment: Some(vec![vec![0, 1, 2], vec![1, 2, 0]]),
            configs: vec![
                setting("cleanup.policy", ConfigValue::List(vec![s("compact"), s("delete")])),
                setting("retention.ms", ConfigValue::Int(1000)),
            ]
        }
    );
    assert_eq!(
        canon(
            "topic alter orders partitions=4",
            "topic alter orders partitions=4"
        ),
        Command::TopicAlter {
            name: s("orders"),
            partitions: 4
        }
    );
}

#[test]
fn producer_and_send() {
    assert_eq!(
        canon(
            "producer p acks=all linger.ms=5",
            "producer p acks=all linger.ms=5"
        ),
        Command::Producer {
            name: s("p"),
            configs: vec![
                setting("acks", ConfigValue::Str(s("all"))),
                setting("linger.ms", ConfigValue::Int(5)),
            ]
        }
    );
    assert_eq!(
        canon("send p orders value=v1", "send p orders value=v1"),
        Command::Send {
            producer: s("p"),
            topic: s("orders"),
            value: Some(Template(s("v1"))),
            key: None,
            partition: None,
            count: 1,
            headers: vec![]
        }
    );
    let c = canon(
        r#"send p orders value="hello world {i}" key=k{i} partition=1 count=3 headers=trace:a1,"x y":z count2"#
            .trim_end_matches(" count2"),
        r#"send p orders value="hello world {i}" key=k{i} partition=1 count=3 headers=trace:a1,"x y":z"#,
    );
    let Command::Send {
        value,
        key,
        partition,
        count,
        headers,
        ..
    } = &c
    else {
        panic!("{c:?}")
    };
    assert_eq!(value.as_ref().unwrap().expand(2), "hello world 2");
    assert_eq!(key.as_ref().unwrap().expand(0), "k0");
    assert_eq!((*partition, *count), (Some(1), 3));
    assert_eq!(headers, &vec![(s("trace"), s("a1")), (s("x y"), s("z"))]);
    // Explicit count=1 is the default and is not printed.
    canon("send p t value=x count=1", "send p t value=x");
}

#[test]
fn tombstone() {
    assert_eq!(
        canon("send p t key=k1 tombstone", "send p t tombstone key=k1"),
        Command::Send {
            producer: s("p"),
            topic: s("t"),
            value: None,
            key: Some(Template(s("k1"))),
            partition: None,
            count: 1,
            headers: vec![]
        }
    );
}

#[test]
fn transactions() {
    assert_eq!(
        canon("flush p", "flush p"),
        Command::Flush { producer: s("p") }
    );
    assert_eq!(
        canon("begin-txn p", "begin-txn p"),
        Command::BeginTxn { producer: s("p") }
    );
    assert_eq!(
        canon("commit-txn p", "commit-txn p"),
        Command::CommitTxn { producer: s("p") }
    );
    assert_eq!(
        canon("abort-txn p", "abort-txn p"),
        Command::AbortTxn { producer: s("p") }
    );
    assert_eq!(
        canon("send-offsets-to-txn p c", "send-offsets-to-txn p c"),
        Command::SendOffsetsToTxn {
            producer: s("p"),
            consumer: s("c")
        }
    );
}

#[test]
fn consumer_commands() {
    assert_eq!(
        canon(
            "consumer c group=g max.poll.records=10 partition.assignment.strategy=cooperative-sticky",
            "consumer c group=g max.poll.records=10 partition.assignment.strategy=cooperative-sticky"
        ),
        Command::Consumer {
            name: s("c"),
            group: Some(s("g")),
            configs: vec![
                setting("max.poll.records", ConfigValue::Int(10)),
                setting(
                    "partition.assignment.strategy",
                    ConfigValue::List(vec![s("cooperative-sticky")])
                ),
            ]
        }
    );
    // group.id is Kafka's name for group=.
    assert_eq!(
        canon("consumer c group.id=g", "consumer c group=g"),
        one("consumer c group=g")
    );
    assert_eq!(
        canon("consumer solo", "consumer solo"),
        Command::Consumer {
            name: s("solo"),
            group: None,
            configs: vec![]
        }
    );
    assert_eq!(
        canon("subscribe c orders,payments", "subscribe c orders,payments"),
        Command::Subscribe {
            consumer: s("c"),
            topics: vec![s("orders"), s("payments")]
        }
    );
    assert_eq!(
        canon(
            "assign c orders-0,my-topic-12",
            "assign c orders-0,my-topic-12"
        ),
        Command::Assign {
            consumer: s("c"),
            partitions: vec![pr("orders", 0), pr("my-topic", 12)]
        }
    );
    assert_eq!(
        canon("poll c", "poll c"),
        Command::Poll {
            consumer: s("c"),
            timeout_ms: 5000
        }
    );
    assert_eq!(
        canon("poll c timeout=100", "poll c timeout=100"),
        Command::Poll {
            consumer: s("c"),
            timeout_ms: 100
        }
    );
    assert_eq!(
        canon("process c", "process c"),
        Command::Process {
            consumer: s("c"),
            count: None
        }
    );
    assert_eq!(
        canon("process c count=2", "process c count=2"),
        Command::Process {
            consumer: s("c"),
            count: Some(2)
        }
    );
    assert_eq!(
        canon("commit c", "commit c"),
        Command::Commit {
            consumer: s("c"),
            mode: CommitMode::Sync
        }
    );
    assert_eq!(canon("commit c sync", "commit c"), one("commit c"));
    assert_eq!(
        canon("commit c async", "commit c async"),
        Command::Commit {
            consumer: s("c"),
            mode: CommitMode::Async
        }
    );
    assert_eq!(
        canon("close c", "close c"),
        Command::Close { consumer: s("c") }
    );
}

#[test]
fn seek_targets() {
    let seek = |target| Command::Seek {
        consumer: s("c"),
        partition: pr("orders", 1),
        target,
    };
    assert_eq!(
        canon("seek c orders-1 42", "seek c orders-1 42"),
        seek(SeekTarget::Offset(42))
    );
    assert_eq!(
        canon("seek c orders-1 beginning", "seek c orders-1 beginning"),
        seek(SeekTarget::Beginning)
    );
    assert_eq!(
        canon("seek c orders-1 end", "seek c orders-1 end"),
        seek(SeekTarget::End)
    );
    assert_eq!(
        canon("seek c orders-1 time=1500", "seek c orders-1 time=1500"),
        seek(SeekTarget::Time(1500))
    );
}

#[test]
fn node_faults() {
    assert_eq!(
        canon("crash 1", "crash 1"),
        Command::Crash {
            node: Node::Broker(1)
        }
    );
    assert_eq!(
        canon("crash zk", "crash zk"),
        Command::Crash { node: Node::Zk }
    );
    assert_eq!(
        canon("crash orders-app", "crash orders-app"),
        Command::Crash {
            node: Node::Client(s("orders-app"))
        }
    );
    assert_eq!(
        canon("power-off 2", "power-off 2"),
        Command::PowerOff {
            node: Node::Broker(2)
        }
    );
    assert_eq!(
        canon("restart 2", "restart 2"),
        Command::Restart {
            node: Node::Broker(2)
        }
    );
    assert_eq!(
        canon("shutdown 0", "shutdown 0"),
        Command::Shutdown {
            node: Node::Broker(0)
        }
    );
}

#[test]
fn network_rules() {
    assert_eq!(
        canon("partition 0,1 | 2,zk", "partition 0,1 | 2,zk"),
        Command::Partition {
            groups: vec![
                vec![Node::Broker(0), Node::Broker(1)],
                vec![Node::Broker(2), Node::Zk]
            ]
        }
    );
    assert_eq!(
        canon("partition 0|1|p", "partition 0 | 1 | p"),
        one("partition 0 | 1 | p")
    );
    assert_eq!(canon("heal", "heal"), Command::Heal);
    let link = |from, to| Link { from, to };
    assert_eq!(
        canon("hold 0->1", "hold 0->1"),
        Command::Hold {
            link: link(Node::Broker(0), Node::Broker(1)),
            api: None
        }
    );
    assert_eq!(
        canon("hold 0->1 type=Fetch", "hold 0->1 type=Fetch"),
        Command::Hold {
            link: link(Node::Broker(0), Node::Broker(1)),
            api: Some(s("Fetch"))
        }
    );
    assert_eq!(
        canon("release 0->1 type=Fetch", "release 0->1 type=Fetch"),
        Command::Release {
            link: link(Node::Broker(0), Node::Broker(1)),
            api: Some(s("Fetch"))
        }
    );
    assert_eq!(
        canon(
            "drop p->2 type=Produce count=1",
            "drop p->2 type=Produce count=1"
        ),
        Command::Drop {
            link: link(Node::Client(s("p")), Node::Broker(2)),
            api: Some(s("Produce")),
            count: Some(1)
        }
    );
    assert_eq!(
        canon("drop 1->zk", "drop 1->zk"),
        Command::Drop {
            link: link(Node::Broker(1), Node::Zk),
            api: None,
            count: None
        }
    );
    // A client name may contain '-': the first "->" separates.
    assert_eq!(
        canon("delay orders-app->0 ms=250", "delay orders-app->0 ms=250"),
        Command::Delay {
            link: link(Node::Client(s("orders-app")), Node::Broker(0)),
            ms: 250
        }
    );
}

#[test]
fn time_and_narration() {
    assert_eq!(canon("tick 1000", "tick 1000"), Command::Tick { ms: 1000 });
    assert_eq!(canon("step", "step"), Command::Step { n: 1 });
    assert_eq!(canon("step 1", "step"), Command::Step { n: 1 });
    assert_eq!(canon("step 25", "step 25"), Command::Step { n: 25 });
    assert_eq!(
        canon(
            "say   Broker 0 is the leader.   # comment",
            "say Broker 0 is the leader."
        ),
        Command::Say {
            text: s("Broker 0 is the leader.")
        }
    );
    assert_eq!(
        canon(
            r#"say "issue #42: \"acks\"""#,
            r#"say "issue #42: \"acks\"""#
        ),
        Command::Say {
            text: s(r#"issue #42: "acks""#)
        }
    );
    assert_eq!(
        canon("run until idle", "run until idle"),
        Command::RunUntil {
            predicate: Predicate::Idle,
            timeout_ms: 60000
        }
    );
    assert_eq!(
        canon(
            "run until leader t-0 == 1 timeout=500",
            "run until leader t-0 == 1 timeout=500"
        ),
        Command::RunUntil {
            predicate: Predicate::Compare(Comparison {
                subject: Subject::Leader(pr("t", 0)),
                op: Op::Eq,
                expected: Expected::Int(1)
            }),
            timeout_ms: 500
        }
    );
    assert_eq!(
        canon("run until idle timeout=60000", "run until idle"),
        one("run until idle")
    );
}

#[test]
fn blank_and_comment_lines() {
    assert_eq!(parse_command(""), Ok(None));
    assert_eq!(parse_command("   \t "), Ok(None));
    assert_eq!(parse_command("# crash 1"), Ok(None));
    assert_eq!(
        one("crash 1 # and then some"),
        Command::Crash {
            node: Node::Broker(1)
        }
    );
}

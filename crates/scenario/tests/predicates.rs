//! Every predicate subject, operator and kind of expected value.

use kafkascope_scenario::*;

fn expect(text: &str) -> Comparison {
    match parse_command(&format!("expect {text}")) {
        Ok(Some(Command::Expect {
            predicate: Predicate::Compare(c),
        })) => {
            assert_eq!(c.to_string(), text, "canonical text");
            c
        }
        other => panic!("{text}: {other:?}"),
    }
}

fn err(text: &str) -> String {
    match parse_command(&format!("expect {text}")) {
        Err(e) => e.join("; "),
        other => panic!("{text} should fail: {other:?}"),
    }
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

fn rr(topic: &str, partition: i32, broker: i32) -> ReplicaRef {
    ReplicaRef {
        partition: pr(topic, partition),
        broker,
    }
}

fn cmp(subject: Subject, op: Op, expected: Expected) -> Comparison {
    Comparison {
        subject,
        op,
        expected,
    }
}

#[test]
fn partition_subjects() {
    assert_eq!(
        expect("leader orders-0 == 1"),
        cmp(Subject::Leader(pr("orders", 0)), Op::Eq, Expected::Int(1))
    );
    assert_eq!(
        expect("leader orders-0 == none"),
        cmp(Subject::Leader(pr("orders", 0)), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("leader orders-0 != none"),
        cmp(Subject::Leader(pr("orders", 0)), Op::Ne, Expected::None)
    );
    assert_eq!(
        expect("isr orders-0 == 0,1,2"),
        cmp(
            Subject::Isr(pr("orders", 0)),
            Op::Eq,
            Expected::Ints(vec![0, 1, 2])
        )
    );
    assert_eq!(
        expect("isr orders-0 != 1"),
        cmp(
            Subject::Isr(pr("orders", 0)),
            Op::Ne,
            Expected::Ints(vec![1])
        )
    );
    assert_eq!(
        expect("isr orders-0 == none"),
        cmp(Subject::Isr(pr("orders", 0)), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("epoch orders-0 >= 2"),
        cmp(Subject::Epoch(pr("orders", 0)), Op::Ge, Expected::Int(2))
    );
    assert_eq!(
        expect("hw orders-0 < 10"),
        cmp(Subject::Hw(pr("orders", 0)), Op::Lt, Expected::Int(10))
    );
    assert_eq!(
        expect("hw orders-0@2 <= 10"),
        cmp(
            Subject::ReplicaHw(rr("orders", 0, 2)),
            Op::Le,
            Expected::Int(10)
        )
    );
    assert_eq!(
        expect("leo orders-0@1 > 3"),
        cmp(Subject::Leo(rr("orders", 0, 1)), Op::Gt, Expected::Int(3))
    );
    assert_eq!(
        expect("log-start orders-0@1 == 0"),
        cmp(
            Subject::LogStart(rr("orders", 0, 1)),
            Op::Eq,
            Expected::Int(0)
        )
    );
    assert_eq!(
        expect("log orders-0@1 == v0,v1,\"a b\""),
        cmp(
            Subject::Log(rr("orders", 0, 1)),
            Op::Eq,
            Expected::Strings(vec![s("v0"), s("v1"), s("a b")])
        )
    );
    assert_eq!(
        expect("log orders-0@1 == none"),
        cmp(Subject::Log(rr("orders", 0, 1)), Op::Eq, Expected::None)
    );
    // A quoted "none" is the string none, not the empty list.
    assert_eq!(
        expect("log orders-0@1 == \"none\""),
        cmp(
            Subject::Log(rr("orders", 0, 1)),
            Op::Eq,
            Expected::Strings(vec![s("none")])
        )
    );
    assert_eq!(
        expect("divergent orders-0 == none"),
        cmp(Subject::Divergent(pr("orders", 0)), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("divergent orders-0 == 3,4"),
        cmp(
            Subject::Divergent(pr("orders", 0)),
            Op::Eq,
            Expected::Ints(vec![3, 4])
        )
    );
    assert_eq!(
        expect("duplicates orders-0 == 0"),
        cmp(
            Subject::Duplicates(pr("orders", 0)),
            Op::Eq,
            Expected::Int(0)
        )
    );
    // Topic names may contain '-': the last one separates the partition.
    assert_eq!(
        expect("leader my-topic-11 == 0"),
        cmp(
            Subject::Leader(pr("my-topic", 11)),
            Op::Eq,
            Expected::Int(0)
        )
    );
}

#[test]
fn cluster_and_producer_subjects() {
    assert_eq!(
        expect("controller == 0"),
        cmp(Subject::Controller, Op::Eq, Expected::Int(0))
    );
    assert_eq!(
        expect("controller == none"),
        cmp(Subject::Controller, Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("acked p == 5"),
        cmp(Subject::Acked(s("p")), Op::Eq, Expected::Int(5))
    );
    assert_eq!(
        expect("acked p >= 5"),
        cmp(Subject::Acked(s("p")), Op::Ge, Expected::Int(5))
    );
    assert_eq!(
        expect("errors p == NOT_ENOUGH_REPLICAS,NOT_ENOUGH_REPLICAS_AFTER_APPEND"),
        cmp(
            Subject::Errors(s("p")),
            Op::Eq,
            Expected::Errors(vec![
                s("NOT_ENOUGH_REPLICAS"),
                s("NOT_ENOUGH_REPLICAS_AFTER_APPEND")
            ])
        )
    );
    assert_eq!(
        expect("errors p == none"),
        cmp(Subject::Errors(s("p")), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("lost == 0"),
        cmp(Subject::Lost, Op::Eq, Expected::Int(0))
    );
    assert_eq!(
        expect("lost > 0"),
        cmp(Subject::Lost, Op::Gt, Expected::Int(0))
    );
}

#[test]
fn consumer_and_group_subjects() {
    assert_eq!(
        expect("consumed c == v0,v1"),
        cmp(
            Subject::Consumed(s("c")),
            Op::Eq,
            Expected::Strings(vec![s("v0"), s("v1")])
        )
    );
    assert_eq!(
        expect("processed c == none"),
        cmp(Subject::Processed(s("c")), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("processed c != v0"),
        cmp(
            Subject::Processed(s("c")),
            Op::Ne,
            Expected::Strings(vec![s("v0")])
        )
    );
    assert_eq!(
        expect("revoked c == t-1,t-0"),
        cmp(
            Subject::Revoked(s("c")),
            Op::Eq,
            Expected::Partitions(vec![pr("t", 1), pr("t", 0)])
        )
    );
    assert_eq!(
        expect("revoked c == none"),
        cmp(Subject::Revoked(s("c")), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("committed g orders-0 == 3"),
        cmp(
            Subject::Committed {
                group: s("g"),
                partition: pr("orders", 0)
            },
            Op::Eq,
            Expected::Int(3)
        )
    );
    assert_eq!(
        expect("committed g orders-0 == none"),
        cmp(
            Subject::Committed {
                group: s("g"),
                partition: pr("orders", 0)
            },
            Op::Eq,
            Expected::None
        )
    );
    assert_eq!(
        expect("assignment g c1 == t-0,t-1"),
        cmp(
            Subject::Assignment {
                group: s("g"),
                member: s("c1")
            },
            Op::Eq,
            Expected::Partitions(vec![pr("t", 0), pr("t", 1)])
        )
    );
    assert_eq!(
        expect("assignment g c1 == none"),
        cmp(
            Subject::Assignment {
                group: s("g"),
                member: s("c1")
            },
            Op::Eq,
            Expected::None
        )
    );
    assert_eq!(
        expect("members g == c1,c2"),
        cmp(
            Subject::Members(s("g")),
            Op::Eq,
            Expected::Strings(vec![s("c1"), s("c2")])
        )
    );
    assert_eq!(
        expect("generation g >= 2"),
        cmp(Subject::Generation(s("g")), Op::Ge, Expected::Int(2))
    );
    for state in GroupState::ALL {
        let text = format!("state g == {}", state.as_str());
        assert_eq!(
            expect(&text),
            cmp(Subject::State(s("g")), Op::Eq, Expected::State(state))
        );
    }
    assert_eq!(
        expect("state g != Dead"),
        cmp(
            Subject::State(s("g")),
            Op::Ne,
            Expected::State(GroupState::Dead)
        )
    );
    assert_eq!(
        expect("lag g orders-1 == 0"),
        cmp(
            Subject::Lag {
                group: s("g"),
                partition: pr("orders", 1)
            },
            Op::Eq,
            Expected::Int(0)
        )
    );
}

#[test]
fn value_kinds_decide_what_compares() {
    for (subject, kind) in [
        (Subject::Isr(pr("t", 0)), ValueKind::IntSet),
        (Subject::Log(rr("t", 0, 0)), ValueKind::ValueList),
        (Subject::Leader(pr("t", 0)), ValueKind::OptionalInt),
        (Subject::Lost, ValueKind::Int),
        (Subject::State(s("g")), ValueKind::GroupState),
        (Subject::Members(s("g")), ValueKind::MemberSet),
        (Subject::Errors(s("p")), ValueKind::ErrorSet),
        (
            Subject::Assignment {
                group: s("g"),
                member: s("c"),
            },
            ValueKind::PartitionSet,
        ),
    ] {
        assert_eq!(subject.value_kind(), kind, "{subject}");
    }
}

#[test]
fn sets_and_lists_compare_with_equality_only() {
    assert_eq!(
        err("isr t-0 >= 0,1"),
        "isr is a set: compare it with == or != only, not >="
    );
    assert_eq!(
        err("log t-0@0 < v1"),
        "log is a list: compare it with == or != only, not <"
    );
    assert_eq!(
        err("consumed c > v1"),
        "consumed is a list: compare it with == or != only, not >"
    );
    assert_eq!(
        err("members g <= c"),
        "members is a set: compare it with == or != only, not <="
    );
    assert_eq!(
        err("errors p > NOT_ENOUGH_REPLICAS"),
        "errors is a set: compare it with == or != only, not >"
    );
    assert_eq!(
        err("assignment g c > t-0"),
        "assignment is a set: compare it with == or != only, not >"
    );
    assert_eq!(
        err("state g > Stable"),
        "state is a group state: compare it with == or != only, not >"
    );
    assert_eq!(
        err("leader t-0 >= none"),
        "leader t-0 >= none: none can only be compared with == or !="
    );
    assert_eq!(
        err("isr t-0 > none"),
        "isr t-0 > none: none can only be compared with == or !="
    );
}

#[test]
fn malformed_predicates() {
    assert_eq!(
        err("leadr t-0 == 1"),
        "unknown predicate subject leadr (did you mean leader?)"
    );
    assert!(err("bogus == 1")
        .starts_with("unknown predicate subject bogus: expected one of leader, isr,"));
    assert_eq!(
        err("leader t-0 1"),
        "expect: missing operator (== != >= <= > <) in the predicate (usage: leader TOPIC-P OP EXPECTED)"
    );
    assert_eq!(
        err("leader t-0 =="),
        "expect: missing the expected value after == (usage: leader TOPIC-P OP EXPECTED)"
    );
    assert_eq!(
        err("leader == 1"),
        "expect: leader takes 1 argument (usage: leader TOPIC-P OP EXPECTED)"
    );
    assert_eq!(
        err("controller 0 == 1"),
        "expect: controller takes 0 arguments (usage: controller OP EXPECTED)"
    );
    assert_eq!(
        err("leader orders == 1"),
        "bad partition orders: expected TOPIC-P, e.g. orders-0"
    );
    assert_eq!(
        err("leo orders-0 == 1"),
        "bad replica orders-0: expected TOPIC-P@BROKER, e.g. orders-0@2"
    );
    assert_eq!(
        err("epoch t-0 == x"),
        "epoch is a number: expected an integer, not x"
    );
    assert_eq!(
        err("lost == none"),
        "lost is a number: expected an integer, not none"
    );
    assert_eq!(err("leader t-0 == x"), "leader is a number or none, not x");
    assert_eq!(err("isr t-0 == 0,0"), "isr: 0 is listed twice in 0,0");
    assert_eq!(
        err("isr t-0 == 0,a"),
        "isr is a set of integers: expected e.g. 0,1,2 or none, not 0,a"
    );
    assert_eq!(
        err("errors p == NOT_ENOUGH_REPLICA"),
        "unknown Kafka error NOT_ENOUGH_REPLICA (did you mean NOT_ENOUGH_REPLICAS?)"
    );
    assert_eq!(err("state g == stable"), "unknown group state stable (did you mean Stable?): expected one of Empty, PreparingRebalance, CompletingRebalance, Stable, Dead");
    assert_eq!(
        err("consumed c == v0, v1"),
        "expect: unexpected v1 after the predicate (lists are written without blanks: 0,1,2)"
    );
    assert_eq!(
        err("idle"),
        "expect: idle can only be used as run until idle"
    );
    assert_eq!(
        err(""),
        "expect: missing PREDICATE (usage: expect PREDICATE)"
    );
    assert_eq!(
        err("members g == 12"),
        "client name 12 is all digits: digits name a broker; pick a name like p12"
    );
}

#[test]
fn run_until_takes_a_timeout_after_the_predicate() {
    match parse_command("run until hw t-0 >= 5 timeout=100") {
        Ok(Some(Command::RunUntil {
            predicate,
            timeout_ms,
        })) => {
            assert_eq!(predicate.to_string(), "hw t-0 >= 5");
            assert_eq!(timeout_ms, 100);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse_command("run until hw t-0 >= 5 timeout=soon"),
        Err(vec![s(
            "timeout=soon is not valid: expected an integer >= 0"
        )])
    );
    assert_eq!(
        parse_command("run until hw t-0 >= 5 limit=5"),
        Err(vec![s(
            "run: unknown option limit= (usage: run until PREDICATE [timeout=MS])"
        )])
    );
    assert_eq!(
        parse_command("run hw t-0 >= 5"),
        Err(vec![s(
            "run: expected until (usage: run until PREDICATE [timeout=MS])"
        )])
    );
}

#[test]
fn storage_and_zookeeper_subjects() {
    assert_eq!(
        expect("segments t-0@1 == 0,4,8"),
        cmp(
            Subject::Segments(rr("t", 0, 1)),
            Op::Eq,
            Expected::Ints(vec![0, 4, 8])
        )
    );
    assert_eq!(
        expect("index t-0@0 == none"),
        cmp(Subject::Index(rr("t", 0, 0)), Op::Eq, Expected::None)
    );
    assert_eq!(
        expect("index-lookup t-0@0 7 == 6"),
        cmp(
            Subject::IndexLookup {
                replica: rr("t", 0, 0),
                offset: 7
            },
            Op::Eq,
            Expected::Int(6)
        )
    );
    assert_eq!(
        expect("batches t-0@2 < 5"),
        cmp(Subject::Batches(rr("t", 0, 2)), Op::Lt, Expected::Int(5))
    );
    assert_eq!(
        expect("log-bytes t-0@2 >= 100"),
        cmp(Subject::LogBytes(rr("t", 0, 2)), Op::Ge, Expected::Int(100))
    );
    assert_eq!(
        expect("children /brokers/ids == 0,1,2"),
        cmp(
            Subject::Children(s("/brokers/ids")),
            Op::Eq,
            Expected::Strings(vec![s("0"), s("1"), s("2")])
        )
    );
    assert_eq!(
        expect("children / != none"),
        cmp(Subject::Children(s("/")), Op::Ne, Expected::None)
    );
    assert_eq!(
        err("segments t-0 == 0"),
        "bad replica t-0: expected TOPIC-P@BROKER, e.g. orders-0@2"
    );
    assert_eq!(
        err("index-lookup t-0@0 x == 1"),
        "expect: index-lookup needs an offset (an integer >= 0), not x"
    );
    assert_eq!(
        err("children brokers/ids == 0"),
        "expect: children needs a ZooKeeper path like /brokers/ids, not brokers/ids"
    );
    assert_eq!(err("children /a == x,x"), "children: x is listed twice");
    assert_eq!(
        err("segments t-0@0 > 1"),
        "segments is a set: compare it with == or != only, not >"
    );
}

#[test]
fn produce_requests_counts_a_producers_requests() {
    assert_eq!(
        expect("produce-requests p >= 2"),
        cmp(Subject::ProduceRequests(s("p")), Op::Ge, Expected::Int(2))
    );
    assert_eq!(
        err("produce-requests p == none"),
        "produce-requests is a number: expected an integer, not none"
    );
}

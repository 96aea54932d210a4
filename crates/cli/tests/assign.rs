//! `kafkascope assign`: Kafka's assignors on a command-line group.

mod common;

fn run(args: &[&str]) -> (i32, String, String) {
    common::run(&[&["assign"], args].concat())
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    out
}

fn fails(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn range_two_topics_example() {
    // KAFKA-REFERENCE / RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
    let out = ok(&[
        "--strategy",
        "range",
        "--topic",
        "t1:3",
        "--topic",
        "t2:3",
        "--member",
        "c1:t1,t2",
        "--member",
        "c2:t1,t2",
    ]);
    assert_eq!(out, "c1: t1-0,t1-1,t2-0,t2-1\nc2: t1-2,t2-2\n");
}

#[test]
fn range_static_member_first() {
    let out = ok(&[
        "--strategy",
        "range",
        "--topic",
        "t1:3",
        "--topic",
        "t2:3",
        "--member",
        "consumer-a:t1,t2",
        "--member",
        "consumer-b:t1,t2:instance=instance1",
    ]);
    assert_eq!(
        out,
        "consumer-a: t1-2,t2-2\nconsumer-b: t1-0,t1-1,t2-0,t2-1\n"
    );
}

#[test]
fn roundrobin_mixed_subscriptions() {
    let out = ok(&[
        "--strategy",
        "roundrobin",
        "--topic",
        "topic1:3",
        "--topic",
        "topic2:2",
        "--member",
        "consumer1:topic1",
        "--member",
        "consumer2:topic1,topic2",
        "--member",
        "consumer3:topic1",
    ]);
    assert_eq!(
        out,
        "consumer1: topic1-0\nconsumer2: topic1-1,topic2-0,topic2-1\nconsumer3: topic1-2\n"
    );
}

#[test]
fn empty_assignment_prints_none() {
    let out = ok(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--member",
        "a:t",
        "--member",
        "b:t",
    ]);
    assert_eq!(out, "a: t-0\nb: none\n");
}

#[test]
fn sticky_keeps_owned_and_moves_one() {
    // AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic, second round.
    let out = ok(&[
        "--strategy",
        "sticky",
        "--topic",
        "topic:3",
        "--member",
        "consumer1:topic:owned=topic-0,topic-1,topic-2",
        "--member",
        "consumer2:topic",
        "--generation",
        "1",
    ]);
    assert_eq!(out, "consumer1: topic-0,topic-1\nconsumer2: topic-2\n");
}

#[test]
fn sticky_without_generation_uses_v0_user_data() {
    let out = ok(&[
        "--strategy",
        "sticky",
        "--topic",
        "t:4",
        "--member",
        "a:t:owned=t-2,t-3",
        "--member",
        "b:t:owned=t-0,t-1",
    ]);
    assert_eq!(out, "a: t-2,t-3\nb: t-0,t-1\n");
}

#[test]
fn cooperative_sticky_holds_back_moving_partition() {
    // topic-2 must be revoked by consumer1 before consumer2 gets it.
    let args = [
        "--strategy",
        "cooperative-sticky",
        "--topic",
        "topic:3",
        "--member",
        "consumer1:topic:owned=topic-0,topic-1,topic-2",
        "--member",
        "consumer2:topic",
        "--generation",
        "1",
    ];
    assert_eq!(ok(&args), "consumer1: topic-0,topic-1\nconsumer2: none\n");
    // Next rebalance, consumer1 having revoked it.
    let out = ok(&[
        "--strategy",
        "cooperative-sticky",
        "--topic",
        "topic:3",
        "--member",
        "consumer1:topic:owned=topic-0,topic-1",
        "--member",
        "consumer2:topic",
        "--generation",
        "2",
    ]);
    assert_eq!(out, "consumer1: topic-0,topic-1\nconsumer2: topic-2\n");
}

#[test]
fn cooperative_max_quota_member_order_is_kafkas() {
    // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: Kafka lets
    // consumer2 keep two, consumer1 gives up topic2-0 (held back here).
    let out = ok(&[
        "--strategy",
        "cooperative-sticky",
        "--topic",
        "topic1:2",
        "--topic",
        "topic2:2",
        "--member",
        "consumer1:topic1,topic2:owned=topic1-0,topic2-0",
        "--member",
        "consumer2:topic1,topic2:owned=topic1-1,topic2-1",
        "--member",
        "consumer3:topic1,topic2",
        "--generation",
        "1",
    ]);
    assert_eq!(
        out,
        "consumer1: topic1-0\nconsumer2: topic1-1,topic2-1\nconsumer3: none\n"
    );
}

#[test]
fn members_print_in_name_order_partitions_sorted() {
    let out = ok(&[
        "--strategy",
        "sticky",
        "--topic",
        "b:2",
        "--topic",
        "a:2",
        "--member",
        "zed:a,b:owned=b-1,a-1",
        "--member",
        "amy:a,b",
    ]);
    assert_eq!(out, "amy: a-0,b-0\nzed: a-1,b-1\n");
}

#[test]
fn errors_are_one_line_and_exit_2() {
    let err = fails(&["--strategy", "sticky2", "--topic", "t:1", "--member", "a:t"]);
    assert_eq!(err, "kafkascope: unknown strategy 'sticky2' (expected one of: range, roundrobin, sticky, cooperative-sticky)\n");
    let err = fails(&["--strategy", "range", "--topic", "t:1", "--member", "a"]);
    assert_eq!(
        err,
        "kafkascope: malformed --member 'a': expected NAME:T1,T2[:owned=T-0,T-1][:instance=ID]\n"
    );
    let err = fails(&["--strategy", "range", "--topic", "t:1", "--member", "a:u"]);
    assert_eq!(
        err,
        "kafkascope: member 'a' subscribes to topic 'u', which no --topic declares\n"
    );
    let err = fails(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--member",
        "a:t:owned=u-0",
    ]);
    assert_eq!(
        err,
        "kafkascope: member 'a' owns u-0, but no --topic declares 'u'\n"
    );
    let err = fails(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--member",
        "a:t:owned=t-3",
    ]);
    assert_eq!(
        err,
        "kafkascope: member 'a' owns t-3, but 't' has 1 partitions\n"
    );
    let err = fails(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--member",
        "a:t:owned=tx",
    ]);
    assert_eq!(err, "kafkascope: malformed --member 'a:t:owned=tx': owned partition 'tx' is not TOPIC-PARTITION\n");
    let err = fails(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--member",
        "a:t:color=red",
    ]);
    assert_eq!(err, "kafkascope: malformed --member 'a:t:color=red': unknown field 'color=red' (expected owned=... or instance=...)\n");
    let err = fails(&["--strategy", "range", "--topic", "t:0", "--member", "a:t"]);
    assert_eq!(
        err,
        "kafkascope: malformed --topic 't:0': partitions must be a number >= 1\n"
    );
    let err = fails(&["--strategy", "range", "--topic", "t", "--member", "a:t"]);
    assert_eq!(
        err,
        "kafkascope: malformed --topic 't' (expected TOPIC:PARTITIONS)\n"
    );
    let err = fails(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--topic",
        "t:2",
        "--member",
        "a:t",
    ]);
    assert_eq!(err, "kafkascope: topic 't' declared twice\n");
    let err = fails(&[
        "--strategy",
        "range",
        "--topic",
        "t:1",
        "--member",
        "a:t",
        "--member",
        "a:t",
    ]);
    assert_eq!(err, "kafkascope: member 'a' given twice\n");
    let err = fails(&["--strategy", "range", "--topic", "t:1"]);
    assert_eq!(
        err,
        "kafkascope: at least one --member NAME:TOPICS is required\n"
    );
}

#[test]
fn cooperative_sticky_without_generation() {
    // No generation anywhere: owned partitions still count (Kafka treats
    // every member as the same, unknown generation).
    let out = ok(&[
        "--strategy",
        "cooperative-sticky",
        "--topic",
        "t:4",
        "--member",
        "a:t:owned=t-0,t-1,t-2,t-3",
        "--member",
        "b:t",
    ]);
    assert_eq!(out, "a: t-0,t-1\nb: none\n");
}

//! Every kind of error, with its exact text, through `parse` (so with
//! `file:line:`).

use kafkascope_scenario::parse;

const HEADER: &str = "\
cluster brokers=3
topic create t partitions=2 replication-factor=3
producer p
producer tp transactional.id=tx-1
consumer c group=g
consumer solo
";

/// All error lines of `HEADER + body`; body lines start at line 7.
fn errors(body: &str) -> Vec<String> {
    let src = format!("{HEADER}{body}");
    match parse("s.scn", &src) {
        Ok(s) => panic!("expected errors, parsed {} commands", s.commands.len()),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

/// The single error of a one-line body (line 7).
fn error(line: &str) -> String {
    let e = errors(line);
    assert_eq!(e.len(), 1, "{line}: {e:?}");
    e[0].strip_prefix("s.scn:7: ")
        .unwrap_or_else(|| panic!("{}", e[0]))
        .to_string()
}

fn ok(body: &str) {
    let src = format!("{HEADER}{body}");
    if let Err(e) = parse("s.scn", &src) {
        panic!("{body}: {e:?}");
    }
}

#[test]
fn unknown_commands() {
    assert_eq!(
        error("crsh 1"),
        "unknown command crsh (did you mean crash?)"
    );
    assert_eq!(
        error("poweroff 1"),
        "unknown command poweroff (did you mean power-off?)"
    );
    assert_eq!(error("explode"), "unknown command explode");
    assert_eq!(error("topic delete t"), "topic: expected create or alter (usage: topic create NAME partitions=P replication-factor=R [assignment=0:1:2,1:2:0,...] [TOPIC_CONFIG=VALUE ...] | topic alter NAME partitions=P)");
}

#[test]
fn missing_extra_and_unknown_arguments() {
    assert_eq!(error("crash"), "crash: missing NODE (usage: crash NODE)");
    assert_eq!(
        error("crash 1 2"),
        "crash: unexpected argument 2 (usage: crash NODE)"
    );
    assert_eq!(
        error("heal now"),
        "heal: unexpected argument now (usage: heal)"
    );
    assert_eq!(
        error("poll c wait=5"),
        "poll: unknown option wait= (usage: poll CONSUMER [timeout=MS])"
    );
    assert_eq!(
        error("poll c timeout=1 timeout=2"),
        "poll: timeout= given twice"
    );
    assert_eq!(error("send p t"), "send: missing value=V (usage: send PRODUCER TOPIC (value=V | tombstone) [key=K] [partition=P] [count=N] [headers=k1:v1,k2:v2])");
    assert_eq!(error("send p"), "send: missing TOPIC (usage: send PRODUCER TOPIC (value=V | tombstone) [key=K] [partition=P] [count=N] [headers=k1:v1,k2:v2])");
    assert_eq!(error("send p t value=a b"), "send: unexpected argument b (usage: send PRODUCER TOPIC (value=V | tombstone) [key=K] [partition=P] [count=N] [headers=k1:v1,k2:v2])");
    assert_eq!(
        error("send p t value=x tombstone"),
        "send: value= and tombstone both given: a tombstone has a null value"
    );
    assert_eq!(
        error("send p t value=x key="),
        "send: key= needs a value (write key=\"\" for an empty key)"
    );
    assert_eq!(
        error("send p t value=x headers=a"),
        "headers=a is not valid: expected k1:v1,k2:v2"
    );
    assert_eq!(
        error("delay 0->1"),
        "delay: missing ms=N (usage: delay FROM->TO ms=N)"
    );
    assert_eq!(
        error("hold 0->1 count=2"),
        "hold: unknown option count= (usage: hold FROM->TO [type=REQUEST])"
    );
    assert_eq!(
        error("commit c later"),
        "commit: expected sync or async, not later"
    );
    assert_eq!(
        error("seek c t-0 middle"),
        "seek: expected an offset >= 0, beginning, end or time=T, not middle"
    );
    assert_eq!(error("seek c t-0"), "seek: missing OFFSET | beginning | end | time=T (usage: seek CONSUMER TOPIC-P (OFFSET | beginning | end | time=T))");
    assert_eq!(
        error("seek c t-0 time=-1"),
        "time=-1 is not valid: expected a timestamp in ms >= 0"
    );
    assert_eq!(error("topic create u partitions=1"), "topic create: missing replication-factor=R (usage: topic create NAME partitions=P replication-factor=R [assignment=0:1:2,1:2:0,...] [TOPIC_CONFIG=VALUE ...] | topic alter NAME partitions=P)");
    assert_eq!(error("topic create u partitions=1 replication_factor=1"), "topic create: missing replication-factor=R (usage: topic create NAME partitions=P replication-factor=R [assignment=0:1:2,1:2:0,...] [TOPIC_CONFIG=VALUE ...] | topic alter NAME partitions=P)");
    assert_eq!(
        error("topic alter t"),
        "topic alter: missing partitions=P (usage: topic alter NAME partitions=P)"
    );
    assert_eq!(
        error("consumer d group=g group.id=h"),
        "consumer: group= and group.id= both given: they are the same setting"
    );
}

#[test]
fn mistyped_command_options_are_named_as_such() {
    // Only on commands that also take configs, where it could be either.
    let e = errors("topic create u partitions=1 replication-factor=1 partitons=2");
    assert_eq!(
        e,
        ["s.scn:7: topic: unknown option partitons= (did you mean partitions=?)"]
    );
}

#[test]
fn bad_values() {
    assert_eq!(
        error("tick soon"),
        "tick: MS must be an integer >= 0, not soon"
    );
    assert_eq!(error("tick -5"), "tick: MS must be an integer >= 0, not -5");
    assert_eq!(error("step 0"), "step: N must be an integer >= 1, not 0");
    assert_eq!(
        error("send p t value=x count=0"),
        "count=0 is not valid: expected an integer >= 1"
    );
    assert_eq!(
        error("send p t value=x partition=-1"),
        "partition=-1 is not valid: expected an integer >= 0"
    );
    assert_eq!(
        error("topic create u partitions=0 replication-factor=1"),
        "partitions=0 is not valid: expected an integer >= 1"
    );
    assert_eq!(
        error("hold 0->1 type=Fetcher"),
        "unknown Kafka API Fetcher (did you mean Fetch?)"
    );
    assert_eq!(
        error("hold 0->1 type=Gossip"),
        "unknown Kafka API Gossip: expected a name like Produce, Fetch, LeaderAndIsr"
    );
    assert_eq!(
        error("hold 0-1"),
        "bad link 0-1: expected FROM->TO, e.g. 0->1 or p->2"
    );
    assert_eq!(
        error("hold 1->1"),
        "bad link 1->1: a link joins two different nodes"
    );
    assert_eq!(
        error("crash a/b"),
        "bad node a/b: expected a broker id, zk or a client name"
    );
    assert_eq!(
        error("crash 99999999999"),
        "broker id 99999999999 is too large"
    );
    assert_eq!(error("partition 0,1"), "partition: expected at least two groups separated by | (usage: partition A,B | C,D [| ...])");
    assert_eq!(error("partition 0,1 | 1"), "partition: 1 is named twice");
    assert_eq!(
        error("partition 0, | 1"),
        "partition: empty node name in \"0, | 1\" (usage: partition A,B | C,D [| ...])"
    );
    assert_eq!(error("subscribe c bad/topic"), "bad topic name bad/topic: Kafka topic names are 1 to 249 of a-z A-Z 0-9 . _ - (and not . or ..)");
    assert_eq!(
        error("assign c t"),
        "bad partition t: expected TOPIC-P, e.g. orders-0"
    );
    assert_eq!(
        error("send p t value=\"open"),
        "unterminated quoted string (a closing \" is missing)"
    );
    assert_eq!(
        error("send p t value=\"a\\qb\""),
        "unknown escape \\q in a quoted string (use \\\" \\\\ \\n or \\t)"
    );
}

#[test]
fn config_errors() {
    assert_eq!(
        error("producer q acks=2"),
        "acks=2 is not valid: expected one of 0, 1, -1, all"
    );
    assert_eq!(
        error("producer q ack=1"),
        "unknown producer config ack (did you mean acks?)"
    );
    assert_eq!(
        error("producer q session.timeout.ms=10"),
        "session.timeout.ms is a consumer config, not a producer config"
    );
    assert_eq!(
        error("consumer d auto.offset.reset=smallest"),
        "auto.offset.reset=smallest is not valid: expected one of earliest, latest, none"
    );
    assert_eq!(
        error("consumer d group=h isolation.level=committed"),
        "isolation.level=committed is not valid: expected one of read_uncommitted, read_committed"
    );
    assert_eq!(error("consumer d group=h partition.assignment.strategy=range,fair"), "partition.assignment.strategy=range,fair is not valid: expected a comma-separated list of range, roundrobin, sticky, cooperative-sticky, RangeAssignor, RoundRobinAssignor, StickyAssignor, CooperativeStickyAssignor, org.apache.kafka.clients.consumer.RangeAssignor, org.apache.kafka.clients.consumer.RoundRobinAssignor, org.apache.kafka.clients.consumer.StickyAssignor, org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    assert_eq!(
        error("topic create u partitions=1 replication-factor=1 log.retention.ms=5"),
        "log.retention.ms is a broker config, not a topic config (did you mean retention.ms?)"
    );
    assert_eq!(
        error("topic create u partitions=1 replication-factor=1 cleanup.policy=shred"),
        "cleanup.policy=shred is not valid: expected a comma-separated list of delete, compact"
    );
    // Two bad configs on one line: both reported.
    assert_eq!(
        errors("producer q acks=7 linger.ms=-1"),
        [
            "s.scn:7: acks=7 is not valid: expected one of 0, 1, -1, all",
            "s.scn:7: linger.ms=-1 is not valid: expected an integer >= 0"
        ]
    );
}

#[test]
fn cluster_must_come_first_and_once() {
    let e = parse("s.scn", "producer p\ncluster brokers=1\n").unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "s.scn:1: the scenario must start with cluster brokers=N (only say, say.zh and demo may come before it)"
    );
    assert_eq!(e.len(), 1);
    // Narration may come first.
    assert!(parse("s.scn", "say hello\ncluster brokers=1\n").is_ok());
    assert_eq!(
        error("cluster brokers=3"),
        "cluster given twice (first on line 1)"
    );
    let e = parse("s.scn", "# nothing here\n\n").unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "s.scn:1: empty scenario: it must start with cluster brokers=N"
    );
    let e = parse("s.scn", "cluster seed=1\n").unwrap_err();
    assert_eq!(e[0].to_string(), "s.scn:1: cluster: missing brokers=N (usage: cluster brokers=N [seed=S] [racks=R0,R1,...] [BROKER_CONFIG=VALUE ...])");
    assert_eq!(
        e.len(),
        1,
        "a failed cluster line still counts as the cluster"
    );
    let e = parse("s.scn", "cluster brokers=2 racks=a\n").unwrap_err();
    assert_eq!(
        e[0].message,
        "racks= lists 1 racks for 2 brokers: give one rack per broker, in broker id order"
    );
    let e = parse("s.scn", "cluster brokers=2 broker.rack=a\n").unwrap_err();
    assert_eq!(
        e[0].message,
        "cluster: broker.rack is per broker: use racks=R0,R1,..."
    );
    let e = parse("s.scn", "cluster brokers=2 retention.ms=5\n").unwrap_err();
    assert_eq!(
        e[0].message,
        "retention.ms is a topic config, not a broker config (did you mean log.retention.ms?)"
    );
}

#[test]
fn brokers_that_do_not_exist() {
    let no3 = "broker 3 does not exist: the cluster has 3 brokers (0..2)";
    assert_eq!(error("crash 3"), no3);
    assert_eq!(error("restart 3"), no3);
    assert_eq!(error("partition 0 | 3"), no3);
    assert_eq!(error("hold 3->0"), no3);
    assert_eq!(error("delay 0->3 ms=1"), no3);
    assert_eq!(error("expect leader t-0 == 3"), no3);
    assert_eq!(error("expect controller == 3"), no3);
    assert_eq!(error("expect isr t-0 == 0,3"), no3);
    assert_eq!(error("expect leo t-0@3 == 0"), no3);
    assert_eq!(
        error("topic create u partitions=1 replication-factor=1 assignment=3"),
        no3
    );
    let e = parse("s.scn", "cluster brokers=1\ncrash 1\n").unwrap_err();
    assert_eq!(
        e[0].message,
        "broker 1 does not exist: the cluster has 1 broker (0..0)"
    );
}

#[test]
fn topics_and_partitions_that_do_not_exist() {
    let no_u = "topic u does not exist here: create it first with topic create u ...";
    assert_eq!(error("send p u value=x"), no_u);
    assert_eq!(error("subscribe c t,u"), no_u);
    assert_eq!(error("assign c u-0"), no_u);
    assert_eq!(error("seek c u-0 0"), no_u);
    assert_eq!(error("expect hw u-0 == 0"), no_u);
    assert_eq!(error("expect lag g u-0 == 0"), no_u);
    assert_eq!(error("topic alter u partitions=3"), no_u);
    assert_eq!(
        error("send p tt value=x"),
        "topic tt does not exist here: create it first with topic create tt ... (did you mean t?)"
    );
    let no_t2 = "partition t-2 does not exist: t has 2 partitions (0..1)";
    assert_eq!(error("send p t value=x partition=2"), no_t2);
    assert_eq!(error("assign c t-2"), no_t2);
    assert_eq!(error("seek c t-2 end"), no_t2);
    assert_eq!(error("expect epoch t-2 == 0"), no_t2);
    assert_eq!(error("expect assignment g c == t-0,t-2"), no_t2);
    // Used before its creation line.
    let e = errors(
        "send p u value=x\ntopic create u partitions=1 replication-factor=1\nsend p u value=x",
    );
    assert_eq!(e, [format!("s.scn:7: {no_u}")]);
    // After topic alter, the new partitions exist.
    ok("topic alter t partitions=4\nsend p t value=x partition=3");
    assert_eq!(
        error("topic alter t partitions=2"),
        "topic alter t partitions=2: the topic has 2 partitions and Kafka can only add partitions"
    );
    assert_eq!(
        error("topic create t partitions=1 replication-factor=1"),
        "topic t already exists (created on line 2)"
    );
    assert_eq!(
        error("topic create __consumer_offsets partitions=1 replication-factor=1"),
        "topic __consumer_offsets is one of Kafka's internal topics"
    );
    ok("expect leader __consumer_offsets-49 != none");
    assert_eq!(error("expect leader __consumer_offsets-50 != none"), "partition __consumer_offsets-50 does not exist: __consumer_offsets has 50 partitions (0..49)");
}

#[test]
fn huge_numbers_are_fine() {
    // No per-partition allocation: two billion partitions cost nothing to check.
    ok("topic create big partitions=2147483647 replication-factor=1\nexpect hw big-2147483646 == 0");
    assert_eq!(
        error("topic create big partitions=2147483648 replication-factor=1"),
        "partitions=2147483648 is not valid: expected an integer >= 1"
    );
    ok("tick 18446744073709551615");
}

#[test]
fn replication_factor_and_assignment() {
    assert_eq!(
        error("topic create u partitions=1 replication-factor=4"),
        "topic create u: replication-factor=4 is more than the cluster's 3 brokers"
    );
    assert_eq!(
        error("topic create u partitions=2 replication-factor=2 assignment=0:1"),
        "assignment=0:1 gives 1 partitions, expected partitions=2"
    );
    assert_eq!(
        error("topic create u partitions=1 replication-factor=2 assignment=0:1:2"),
        "assignment=0:1:2: partition 0 has 3 replicas, expected replication-factor=2"
    );
    assert_eq!(
        error("topic create u partitions=1 replication-factor=2 assignment=1:1"),
        "assignment=1:1: partition 0 lists broker 1 twice"
    );
    assert_eq!(
        error("topic create u partitions=1 replication-factor=2 assignment=a:b"),
        "assignment=a:b is not valid: expected broker ids like 0:1:2,1:2:0"
    );
    // With an explicit assignment, replica refs must name a replica.
    assert_eq!(
        errors("topic create u partitions=1 replication-factor=2 assignment=0:1\nexpect leo u-0@2 == 0"),
        ["s.scn:8: broker 2 holds no replica of u-0 (its replicas are on 0,1)"]
    );
    ok("topic create u partitions=1 replication-factor=2 assignment=2:0\nexpect log u-0@2 == none");
}

#[test]
fn clients() {
    assert_eq!(
        error("producer 12"),
        "client name 12 is all digits: digits name a broker; pick a name like p12"
    );
    assert_eq!(
        error("consumer zk"),
        "zk is the metadata node, not a client name"
    );
    assert_eq!(
        error("producer p"),
        "p is already declared (a producer on line 3)"
    );
    assert_eq!(
        error("consumer p"),
        "p is already declared (a producer on line 3)"
    );
    assert_eq!(
        error("producer c"),
        "c is already declared (a consumer on line 5)"
    );
    assert_eq!(
        error("flush q"),
        "flush: producer q is not declared (declare it with producer q ...)"
    );
    assert_eq!(
        error("send pp t value=x"),
        "send: producer pp is not declared (declare it with producer pp ...) (did you mean p?)"
    );
    assert_eq!(
        error("poll cc"),
        "poll: consumer cc is not declared (declare it with consumer cc ...) (did you mean c?)"
    );
    assert_eq!(
        error("poll d"),
        "poll: consumer d is not declared (declare it with consumer d ...)"
    );
    assert_eq!(
        error("crash ghost"),
        "ghost is not declared: no broker, zk or client has that name"
    );
    assert_eq!(
        error("hold ghost->0"),
        "ghost is not declared: no broker, zk or client has that name"
    );
    assert_eq!(error("poll p"), "poll: p is a producer, not a consumer");
    assert_eq!(error("close p"), "close: p is a producer, not a consumer");
    assert_eq!(
        error("send c t value=x"),
        "send: c is a consumer, not a producer"
    );
    assert_eq!(
        error("expect acked c == 1"),
        "acked: c is a consumer, not a producer"
    );
    assert_eq!(
        error("expect consumed p == none"),
        "consumed: p is a producer, not a consumer"
    );
    assert_eq!(
        error("subscribe solo t"),
        "subscribe: consumer solo has no group (declare it with consumer solo group=G)"
    );
    assert_eq!(
        error("commit solo"),
        "commit: consumer solo has no group (declare it with consumer solo group=G)"
    );
    ok("assign solo t-0\npoll solo\nseek solo t-1 beginning");
    assert_eq!(error("shutdown p"), "shutdown p: shutdown is a broker's controlled shutdown; stop a client with crash p (or close p for a consumer)");
    ok("crash p\nrestart p\ncrash c\nrestart c\nshutdown zk");
}

#[test]
fn transactions_need_a_transactional_producer() {
    ok("begin-txn tp\nsend tp t value=x\nsend-offsets-to-txn tp c\ncommit-txn tp\nbegin-txn tp\nabort-txn tp");
    let msg = "begin-txn: producer p has no transactional.id (Kafka: transactional method invoked on a non-transactional producer)";
    assert_eq!(error("begin-txn p"), msg);
    assert_eq!(
        error("send-offsets-to-txn tp solo"),
        "send-offsets-to-txn: consumer solo has no group (declare it with consumer solo group=G)"
    );
}

#[test]
fn kafka_producer_config_conflicts() {
    assert_eq!(error("producer q acks=1 enable.idempotence=true"), "producer q: acks=1 with enable.idempotence=true (Kafka: Must set acks to all in order to use the idempotent producer)");
    assert_eq!(error("producer q enable.idempotence=true max.in.flight.requests.per.connection=6"), "producer q: max.in.flight.requests.per.connection=6 with enable.idempotence=true (Kafka: Must set max.in.flight.requests.per.connection to at most 5 when using the idempotent producer)");
    assert_eq!(error("producer q enable.idempotence=true retries=0"), "producer q: retries=0 with enable.idempotence=true (Kafka: Must set retries to non-zero when using the idempotent producer)");
    assert_eq!(error("producer q enable.idempotence=false transactional.id=x"), "producer q: transactional.id with enable.idempotence=false (Kafka: Cannot set a transactional.id without also enabling idempotence)");
    // Without an explicit enable.idempotence, Kafka quietly turns idempotence off.
    ok("producer q acks=1\nproducer r acks=0 max.in.flight.requests.per.connection=10");
    assert_eq!(error("consumer d enable.auto.commit=true"), "consumer d: enable.auto.commit=true needs a group (Kafka: enable.auto.commit cannot be set to true when default group id (null) is used)");
}

#[test]
fn groups_in_predicates() {
    assert_eq!(
        error("expect state h == Stable"),
        "group h does not exist here: no consumer declared so far has group=h"
    );
    assert_eq!(
        error("expect generation gg == 1"),
        "group gg does not exist here: no consumer declared so far has group=gg (did you mean g?)"
    );
    assert_eq!(
        error("expect committed h t-0 == 0"),
        "group h does not exist here: no consumer declared so far has group=h"
    );
    assert_eq!(
        error("expect assignment g solo == none"),
        "solo is not a consumer of group g"
    );
    assert_eq!(
        error("expect assignment g p == none"),
        "p is a producer, not a member of group g"
    );
    assert_eq!(
        error("expect members g == c,solo"),
        "solo is not a consumer of group g"
    );
    assert_eq!(
        error("expect members g == c,nobody"),
        "consumer nobody is not declared"
    );
    ok("expect members g == c\nexpect state g == Empty\nexpect committed g t-1 == none");
}

#[test]
fn all_errors_sorted_by_line_and_no_cascades() {
    let e = errors("crash 9\nproducer q acks=9\nsend q t value=x\nproducer r linger.ms=x y\nsend r t value=x\nexplode");
    assert_eq!(
        e,
        [
            "s.scn:7: broker 9 does not exist: the cluster has 3 brokers (0..2)",
            "s.scn:8: acks=9 is not valid: expected one of 0, 1, -1, all",
            "s.scn:10: producer: unexpected argument y (usage: producer NAME [PRODUCER_CONFIG=VALUE ...])",
            "s.scn:12: unknown command explode",
        ]
    );
}

#[test]
fn auto_created_topics() {
    let src = "cluster brokers=1 auto.create.topics.enable=true num.partitions=3\nproducer p\nsend p fresh value=x partition=2\nexpect hw fresh-2 == 0\n";
    assert!(parse("a.scn", src).is_ok());
    let src = "cluster brokers=1 auto.create.topics.enable=true\nproducer p\nsend p fresh value=x partition=1\n";
    assert_eq!(
        parse("a.scn", src).unwrap_err()[0].to_string(),
        "a.scn:3: partition fresh-1 does not exist: fresh has 1 partition (0..0)"
    );
}

#[test]
fn sending_to_a_missing_topic_runs_only_with_auto_create_explicitly_off() {
    // Explicitly off: the send runs and fails after max.block.ms (Kafka's behaviour to show).
    let src =
        "cluster brokers=1 auto.create.topics.enable=false\nproducer p\nsend p missing value=x\n";
    assert!(parse("a.scn", src).is_ok());
    // Not written: the contract's rule, an unknown topic is refused.
    let src = "cluster brokers=1\nproducer p\nsend p missing value=x\n";
    assert!(parse("a.scn", src).is_err());
    // Predicates still may not name it.
    let src = "cluster brokers=1 auto.create.topics.enable=false\nproducer p\nsend p missing value=x\nexpect hw missing-0 == 0\n";
    assert!(parse("a.scn", src).is_err());
}

//! Property tests: the parser never panics, and printing is a faithful
//! inverse of parsing over generated ASTs.

use kafkascope_scenario::config::{self, ConfigValue, Kind, Scope};
use kafkascope_scenario::names::{API_NAMES, ERROR_NAMES};
use kafkascope_scenario::*;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

// ---------- generators ----------

/// The names a generated command may use.
#[derive(Clone)]
struct Vocab {
    producers: Vec<String>,
    txn_producers: Vec<String>,
    consumers: Vec<String>,
    groups: Vec<String>,
    topics: Vec<String>,
    partitions: i32,
    brokers: i32,
    /// Generate declarations (cluster, topic, producer, consumer) and
    /// client-only forms that the checker would reject in `Scenario` tests.
    declarations: bool,
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn wide() -> Vocab {
    Vocab {
        producers: strs(&["p", "orders-app", "p.2", "P_x"]),
        txn_producers: strs(&["p", "tx-app"]),
        consumers: strs(&["c", "c-1", "billing.v2"]),
        groups: strs(&["g", "group-1", "G.x"]),
        topics: strs(&["t", "orders", "my-topic-1", "a.b_c", "__consumer_offsets"]),
        partitions: 100,
        brokers: 1000,
        declarations: true,
    }
}

fn checked() -> Vocab {
    Vocab {
        producers: strs(&["p", "tp"]),
        txn_producers: strs(&["tp"]),
        consumers: strs(&["c"]),
        groups: strs(&["g"]),
        topics: strs(&["t"]),
        partitions: 3,
        brokers: 3,
        declarations: false,
    }
}

/// Free text: blanks, quotes, backslashes, `#`, separators, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,8}",
        "[ -~]{0,12}",
        "[a-z \"\\\\#,:=|{}\t\n\u{e9}\u{4e2d}]{0,10}",
        Just("none".to_string()),
        Just("v{i}".to_string()),
    ]
}

fn non_empty_text() -> impl Strategy<Value = String> {
    text().prop_filter("non-empty", |s| !s.is_empty())
}

fn config_value(kind: Kind) -> BoxedStrategy<String> {
    match kind {
        Kind::Bool => select(vec!["true", "false"]).prop_map(String::from).boxed(),
        Kind::Int { min, max } => prop_oneof![
            Just(min),
            Just(max),
            min..=max.min(min.saturating_add(100_000))
        ]
        .prop_map(|v| v.to_string())
        .boxed(),
        Kind::Double { min, max } => (min..=max).prop_map(|v| v.to_string()).boxed(),
        Kind::Choice(values) => select(values.to_vec()).prop_map(String::from).boxed(),
        Kind::ChoiceList(values) => subsequence(values.to_vec(), 1..=values.len().min(3))
            .prop_map(|v| v.join(","))
            .boxed(),
        Kind::Text => non_empty_text().boxed(),
    }
}

fn configs(scope: Scope) -> BoxedStrategy<Vec<Setting>> {
    // group.id is read as group=, broker.rack as racks=: not plain settings.
    let defs: Vec<&'static config::ConfigDef> = config::all()
        .filter(|d| d.scope == scope && d.name != "group.id" && d.name != "broker.rack")
        .collect();
    subsequence(defs, 0..=3)
        .prop_flat_map(move |defs| {
            defs.into_iter()
                .map(move |d| {
                    config_value(d.kind).prop_map(move |v| Setting {
                        name: d.name.to_string(),
                        value: config::validate(scope, d.name, &v).expect("generated valid"),
                    })
                })
                .collect::<Vec<_>>()
        })
        .boxed()
}

fn one_of(v: &[String]) -> BoxedStrategy<String> {
    select(v.to_vec()).boxed()
}

fn partition_ref(v: &Vocab) -> BoxedStrategy<PartitionRef> {
    (one_of(&v.topics), 0..v.partitions)
        .prop_map(|(topic, partition)| PartitionRef { topic, partition })
        .boxed()
}

fn replica_ref(v: &Vocab) -> BoxedStrategy<ReplicaRef> {
    (partition_ref(v), 0..v.brokers)
        .prop_map(|(partition, broker)| ReplicaRef { partition, broker })
        .boxed()
}

fn node(v: &Vocab) -> BoxedStrategy<Node> {
    let clients: Vec<String> = v.producers.iter().chain(&v.consumers).cloned().collect();
    prop_oneof![
        (0..v.brokers).prop_map(Node::Broker),
        Just(Node::Zk),
        select(clients).prop_map(Node::Client),
    ]
    .boxed()
}

fn link(v: &Vocab) -> BoxedStrategy<Link> {
    (node(v), node(v))
        .prop_filter("two different nodes", |(a, b)| a != b)
        .prop_map(|(from, to)| Link { from, to })
        .boxed()
}

fn template() -> impl Strategy<Value = Template> {
    text().prop_map(Template)
}

fn int_set(lo: i64, hi: i64) -> BoxedStrategy<Expected> {
    prop::collection::btree_set(lo..hi, 1..4)
        .prop_map(|s| Expected::Ints(s.into_iter().collect()))
        .boxed()
}

fn comparison(v: &Vocab) -> BoxedStrategy<Comparison> {
    let b = v.brokers as i64;
    let any_op = select(Op::ALL.to_vec());
    let eq_op = select(vec![Op::Eq, Op::Ne]);
    let number = any::<i64>();
    let strings = prop_oneof![
        Just(Expected::None),
        prop::collection::vec(text(), 1..4).prop_map(Expected::Strings)
    ];
    let p = partition_ref(v);
    let r = replica_ref(v);
    let g = one_of(&v.groups);
    let member = one_of(&v.consumers);
    let ints = |s: BoxedStrategy<Subject>| {
        (s, any_op.clone(), number).prop_map(|(subject, op, n)| Comparison {
            subject,
            op,
            expected: Expected::Int(n),
        })
    };
    let eq = |s: BoxedStrategy<Subject>, e: BoxedStrategy<Expected>| {
        (s, eq_op.clone(), e).prop_map(|(subject, op, expected)| Comparison {
            subject,
            op,
            expected,
        })
    };
    // leader/controller/committed compare any way with a number, == / != with none.
    let optional = |s: BoxedStrategy<Subject>, n: BoxedStrategy<Expected>| {
        prop_oneof![
            eq(
                s.clone(),
                prop_oneof![n.clone(), Just(Expected::None)].boxed()
            ),
            (s, any_op.clone(), n).prop_map(|(subject, op, expected)| Comparison {
                subject,
                op,
                expected
            }),
        ]
    };
    let members = {
        let consumers = v.consumers.clone();
        prop_oneof![
            Just(Expected::None),
            subsequence(consumers.clone(), 1..=consumers.len()).prop_map(Expected::Strings)
        ]
    };
    let errors = prop_oneof![
        Just(Expected::None),
        subsequence(strs(ERROR_NAMES), 1..4).prop_map(Expected::Errors)
    ];
    let partitions = prop_oneof![
        Just(Expected::None),
        prop::collection::btree_set(partition_ref(v), 1..4)
            .prop_map(|s| Expected::Partitions(s.into_iter().collect()))
    ];
    let states = select(GroupState::ALL.to_vec()).prop_map(Expected::State);
    prop_oneof![
        optional(
            p.clone().prop_map(Subject::Leader).boxed(),
            (0..b).prop_map(Expected::Int).boxed()
        ),
        optional(
            Just(Subject::Controller).boxed(),
            (0..b).prop_map(Expected::Int).boxed()
        ),
        optional(
            (g.clone(), p.clone())
                .prop_map(|(group, partition)| Subject::Committed { group, partition })
                .boxed(),
            number.prop_map(Expected::Int).boxed()
        ),
        eq(
            p.clone().prop_map(Subject::Isr).boxed(),
            prop_oneof![Just(Expected::None), int_set(0, b)].boxed()
        ),
        eq(
            p.clone().prop_map(Subject::Divergent).boxed(),
            prop_oneof![Just(Expected::None), int_set(-5, 1 << 40)].boxed()
        ),
        ints(p.clone().prop_map(Subject::Epoch).boxed()),
        ints(p.clone().prop_map(Subject::Hw).boxed()),
        ints(r.clone().prop_map(Subject::ReplicaHw).boxed()),
        ints(r.clone().prop_map(Subject::Leo).boxed()),
        ints(r.clone().prop_map(Subject::LogStart).boxed()),
        eq(
            r.clone().prop_map(Subject::Log).boxed(),
            strings.clone().boxed()
        ),
        ints(one_of(&v.producers).prop_map(Subject::Acked).boxed()),
        eq(
            one_of(&v.producers).prop_map(Subject::Errors).boxed(),
            errors.boxed()
        ),
        ints(Just(Subject::Lost).boxed()),
        ints(p.clone().prop_map(Subject::Duplicates).boxed()),
        eq(
            one_of(&v.consumers).prop_map(Subject::Consumed).boxed(),
            strings.clone().boxed()
        ),
        eq(
            one_of(&v.consumers).prop_map(Subject::Processed).boxed(),
            strings.boxed()
        ),
        eq(
            one_of(&v.consumers).prop_map(Subject::Revoked).boxed(),
            partitions.clone().boxed()
        ),
        eq(
            (g.clone(), member)
                .prop_map(|(group, member)| Subject::Assignment { group, member })
                .boxed(),
            partitions.boxed()
        ),
        eq(
            g.clone().prop_map(Subject::Members).boxed(),
            members.boxed()
        ),
        ints(g.clone().prop_map(Subject::Generation).boxed()),
        eq(g.clone().prop_map(Subject::State).boxed(), states.boxed()),
        ints(
            (g, p)
                .prop_map(|(group, partition)| Subject::Lag { group, partition })
                .boxed()
        ),
    ]
    .boxed()
}

fn declaration(v: &Vocab) -> BoxedStrategy<Command> {
    let topic_name = prop_oneof![
        "[a-zA-Z0-9._-]{1,10}".prop_filter("not . or ..", |s| s != "." && s != ".."),
        one_of(&v.topics)
    ];
    let client = "[a-z][a-z0-9._-]{0,6}".prop_filter("not zk", |s| s != "zk");
    let cluster = (
        1..8i32,
        proptest::option::of(any::<u64>()),
        any::<bool>(),
        configs(Scope::Broker),
    )
        .prop_flat_map(|(brokers, seed, with_racks, configs)| {
            let racks = if with_racks {
                prop::collection::vec(non_empty_text(), brokers as usize)
                    .prop_map(Some)
                    .boxed()
            } else {
                Just(None).boxed()
            };
            racks.prop_map(move |racks| Command::Cluster {
                brokers,
                seed,
                racks,
                configs: configs.clone(),
            })
        });
    let topic = (
        topic_name.clone(),
        1..5i32,
        1..4i32,
        any::<bool>(),
        configs(Scope::Topic),
    )
        .prop_map(|(name, partitions, rf, explicit, configs)| {
            // Distinct brokers per partition: a rotation of 0..=rf.
            let assignment = explicit.then(|| {
                (0..partitions)
                    .map(|p| (0..rf).map(|i| (p + i) % (rf + 1)).collect())
                    .collect()
            });
            Command::TopicCreate {
                name,
                partitions,
                replication_factor: rf,
                assignment,
                configs,
            }
        });
    prop_oneof![
        cluster,
        topic,
        (topic_name, 1..100i32)
            .prop_map(|(name, partitions)| Command::TopicAlter { name, partitions }),
        (client.clone(), configs(Scope::Producer))
            .prop_map(|(name, configs)| Command::Producer { name, configs }),
        (
            client,
            proptest::option::of(one_of(&v.groups)),
            configs(Scope::Consumer)
        )
            .prop_map(|(name, group, configs)| Command::Consumer {
                name,
                group,
                configs
            }),
        node(v).prop_map(|node| Command::Shutdown { node }),
    ]
    .boxed()
}

fn command(v: &Vocab) -> BoxedStrategy<Command> {
    let producer = one_of(&v.producers);
    let txn = one_of(&v.txn_producers);
    let consumer = one_of(&v.consumers);
    let headers = prop::collection::vec((non_empty_text(), text()), 0..3);
    let send = (
        producer.clone(),
        one_of(&v.topics),
        proptest::option::of(template()),
        proptest::option::of(template()),
        proptest::option::of(0..v.partitions),
        1..1000u64,
        headers,
    )
        .prop_map(
            |(producer, topic, value, key, partition, count, headers)| Command::Send {
                producer,
                topic,
                value,
                key,
                partition,
                count,
                headers,
            },
        );
    let seek_target = prop_oneof![
        (0..i64::MAX).prop_map(SeekTarget::Offset),
        Just(SeekTarget::Beginning),
        Just(SeekTarget::End),
        (0..i64::MAX).prop_map(SeekTarget::Time),
    ];
    let api = proptest::option::of(select(strs(API_NAMES)));
    let groups = (
        prop::collection::btree_set(node(v), 2..6),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(nodes, at)| {
            let nodes: Vec<Node> = nodes.into_iter().collect();
            let k = 1 + at.index(nodes.len() - 1);
            Command::Partition {
                groups: vec![nodes[..k].to_vec(), nodes[k..].to_vec()],
            }
        });
    let broker_or_zk = prop_oneof![(0..v.brokers).prop_map(Node::Broker), Just(Node::Zk)];
    let mut options: Vec<BoxedStrategy<Command>> = vec![
        send.boxed(),
        producer
            .clone()
            .prop_map(|producer| Command::Flush { producer })
            .boxed(),
        txn.clone()
            .prop_map(|producer| Command::BeginTxn { producer })
            .boxed(),
        txn.clone()
            .prop_map(|producer| Command::CommitTxn { producer })
            .boxed(),
        txn.clone()
            .prop_map(|producer| Command::AbortTxn { producer })
            .boxed(),
        (txn, consumer.clone())
            .prop_map(|(producer, consumer)| Command::SendOffsetsToTxn { producer, consumer })
            .boxed(),
        (
            consumer.clone(),
            subsequence(v.topics.clone(), 1..=v.topics.len()),
        )
            .prop_map(|(consumer, topics)| Command::Subscribe { consumer, topics })
            .boxed(),
        (
            consumer.clone(),
            prop::collection::vec(partition_ref(v), 1..4),
        )
            .prop_map(|(consumer, partitions)| Command::Assign {
                consumer,
                partitions,
            })
            .boxed(),
        (consumer.clone(), any::<u64>())
            .prop_map(|(consumer, timeout_ms)| Command::Poll {
                consumer,
                timeout_ms,
            })
            .boxed(),
        (consumer.clone(), proptest::option::of(1..u64::MAX))
            .prop_map(|(consumer, count)| Command::Process { consumer, count })
            .boxed(),
        (
            consumer.clone(),
            select(vec![CommitMode::Sync, CommitMode::Async]),
        )
            .prop_map(|(consumer, mode)| Command::Commit { consumer, mode })
            .boxed(),
        (consumer.clone(), partition_ref(v), seek_target)
            .prop_map(|(consumer, partition, target)| Command::Seek {
                consumer,
                partition,
                target,
            })
            .boxed(),
        consumer
            .prop_map(|consumer| Command::Close { consumer })
            .boxed(),
        node(v).prop_map(|node| Command::Crash { node }).boxed(),
        node(v).prop_map(|node| Command::PowerOff { node }).boxed(),
        node(v).prop_map(|node| Command::Restart { node }).boxed(),
        broker_or_zk
            .prop_map(|node| Command::Shutdown { node })
            .boxed(),
        groups.boxed(),
        Just(Command::Heal).boxed(),
        (link(v), api.clone())
            .prop_map(|(link, api)| Command::Hold { link, api })
            .boxed(),
        (link(v), api.clone())
            .prop_map(|(link, api)| Command::Release { link, api })
            .boxed(),
        (link(v), api, proptest::option::of(1..u64::MAX))
            .prop_map(|(link, api, count)| Command::Drop { link, api, count })
            .boxed(),
        (link(v), any::<u64>())
            .prop_map(|(link, ms)| Command::Delay { link, ms })
            .boxed(),
        any::<u64>().prop_map(|ms| Command::Tick { ms }).boxed(),
        (
            prop_oneof![
                Just(Predicate::Idle),
                comparison(v).prop_map(Predicate::Compare)
            ],
            any::<u64>(),
        )
            .prop_map(|(predicate, timeout_ms)| Command::RunUntil {
                predicate,
                timeout_ms,
            })
            .boxed(),
        (1..u64::MAX).prop_map(|n| Command::Step { n }).boxed(),
        text().prop_map(|text| Command::Say { text }).boxed(),
        comparison(v)
            .prop_map(|c| Command::Expect {
                predicate: Predicate::Compare(c),
            })
            .boxed(),
    ];
    if v.declarations {
        options.push(declaration(v));
    }
    select_strategy(options)
}

/// Picks one of the strategies uniformly.
fn select_strategy(options: Vec<BoxedStrategy<Command>>) -> BoxedStrategy<Command> {
    let n = options.len();
    (0..n).prop_flat_map(move |i| options[i].clone()).boxed()
}

/// A scenario the checker accepts: a fixed cast, then generated commands on
/// increasing lines (with gaps, like comments and blank lines leave).
fn checked_scenario() -> impl Strategy<Value = Scenario> {
    let v = checked();
    (
        configs(Scope::Broker),
        configs(Scope::Topic),
        configs(Scope::Consumer),
        prop::collection::vec((command(&v), 1..4usize), 0..25),
    )
        .prop_map(|(broker, topic, consumer, tail)| {
            let s = |x: &str| x.to_string();
            let mut commands = vec![
                Command::Cluster {
                    brokers: 3,
                    seed: Some(1),
                    racks: None,
                    configs: broker,
                },
                Command::TopicCreate {
                    name: s("t"),
                    partitions: 3,
                    replication_factor: 3,
                    assignment: None,
                    configs: topic,
                },
                Command::Producer {
                    name: s("p"),
                    configs: vec![],
                },
                Command::Producer {
                    name: s("tp"),
                    configs: vec![Setting {
                        name: s("transactional.id"),
                        value: ConfigValue::Str(s("tx")),
                    }],
                },
                Command::Consumer {
                    name: s("c"),
                    group: Some(s("g")),
                    configs: consumer,
                },
            ]
            .into_iter()
            .enumerate()
            .map(|(i, node)| Located { line: i + 1, node })
            .collect::<Vec<_>>();
            let mut line = commands.len();
            for (node, gap) in tail {
                line += gap;
                commands.push(Located { line, node });
            }
            Scenario {
                file: s("gen.scn"),
                commands,
            }
        })
}

// ---------- properties ----------

const EXAMPLES: &[&str] = &[
    include_str!("scenarios/acks1-leader-crash.scn"),
    include_str!("scenarios/hw-truncation-kip101.scn"),
    include_str!("scenarios/consumer-group-cooperative.scn"),
    include_str!("scenarios/transactions-eos.scn"),
    include_str!("scenarios/compaction-tombstones.scn"),
    include_str!("scenarios/min-isr-not-enough-replicas.scn"),
];

/// Words the mutations splice in: keywords, operators, separators, numbers.
const VOCAB: &[&str] = &[
    "cluster",
    "brokers=",
    "topic",
    "create",
    "alter",
    "partitions=",
    "replication-factor=",
    "assignment=",
    "producer",
    "consumer",
    "send",
    "value=",
    "key=",
    "tombstone",
    "count=",
    "headers=",
    "expect",
    "run",
    "until",
    "idle",
    "leader",
    "isr",
    "hw",
    "log",
    "==",
    "!=",
    ">=",
    "<",
    "none",
    ",",
    "|",
    "->",
    "@",
    "-",
    "=",
    ":",
    "\"",
    "\\",
    "#",
    "0",
    "-1",
    "3",
    "99999999999999999999",
    "{i}",
    "zk",
    "p",
    "c",
    "t-0",
    "orders-0@2",
    "type=",
    "Fetch",
    "\t",
    "\u{4e2d}",
    "say",
    "seek",
    "time=",
    "partition",
    "group=",
    "acks=",
    "all",
];

proptest! {
    // PROPTEST_CASES=N runs a longer search.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        let _ = parse("x.scn", &src);
        for line in src.lines() {
            let _ = parse_command(line);
        }
    }

    #[test]
    fn arbitrary_token_soup_never_panics(words in prop::collection::vec(select(VOCAB.to_vec()), 0..40), joins in prop::collection::vec(select(vec!["", " ", "\n", "="]), 40)) {
        let mut src = String::new();
        for (w, j) in words.iter().zip(&joins) {
            src.push_str(w);
            src.push_str(j);
        }
        let _ = parse("x.scn", &src);
    }

    #[test]
    fn mutated_examples_never_panic(
        which in 0..EXAMPLES.len(),
        edits in prop::collection::vec((0..3u8, any::<prop::sample::Index>(), any::<prop::sample::Index>(), select(VOCAB.to_vec())), 1..6),
    ) {
        let mut src: Vec<char> = EXAMPLES[which].chars().collect();
        for (kind, at, len, word) in edits {
            let i = at.index(src.len() + 1);
            match kind {
                // delete a short range
                0 => {
                    let end = (i + len.index(12)).min(src.len());
                    src.drain(i..end);
                }
                // insert a vocabulary word
                1 => {
                    for (k, c) in word.chars().enumerate() {
                        src.insert(i + k, c);
                    }
                }
                // duplicate a short range
                _ => {
                    let end = (i + len.index(40)).min(src.len());
                    let copy: Vec<char> = src[i..end].to_vec();
                    src.splice(i..i, copy);
                }
            }
        }
        let text: String = src.into_iter().collect();
        let _ = parse("m.scn", &text);
    }

    #[test]
    fn printed_commands_parse_back(c in command(&wide())) {
        let printed = c.to_string();
        prop_assert!(!printed.contains('\n'), "one line: {printed:?}");
        let back = parse_command(&printed);
        prop_assert_eq!(back, Ok(Some(c)), "{}", printed);
    }

    #[test]
    fn printed_scenarios_parse_back(s in checked_scenario()) {
        let printed = s.to_string();
        match parse("gen.scn", &printed) {
            Ok(back) => prop_assert_eq!(back, s),
            Err(e) => prop_assert!(false, "{}\n{}", printed, e.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
        }
    }
}

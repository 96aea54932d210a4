//! Complete scenarios: they parse and check, print back to themselves, and
//! the runner sees what the text says.

use kafkascope_scenario::config::ConfigValue;
use kafkascope_scenario::*;

const SCENARIOS: &[(&str, &str)] = &[
    (
        "acks1-leader-crash.scn",
        include_str!("scenarios/acks1-leader-crash.scn"),
    ),
    (
        "hw-truncation-kip101.scn",
        include_str!("scenarios/hw-truncation-kip101.scn"),
    ),
    (
        "consumer-group-cooperative.scn",
        include_str!("scenarios/consumer-group-cooperative.scn"),
    ),
    (
        "transactions-eos.scn",
        include_str!("scenarios/transactions-eos.scn"),
    ),
    (
        "compaction-tombstones.scn",
        include_str!("scenarios/compaction-tombstones.scn"),
    ),
    (
        "min-isr-not-enough-replicas.scn",
        include_str!("scenarios/min-isr-not-enough-replicas.scn"),
    ),
];

fn load(name: &str) -> Scenario {
    let (_, src) = SCENARIOS.iter().find(|(n, _)| *n == name).expect(name);
    match parse(name, src) {
        Ok(s) => s,
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn every_example_parses_and_round_trips() {
    for (name, _) in SCENARIOS {
        let s = load(name);
        assert_eq!(s.file, *name);
        let printed = s.to_string();
        assert_eq!(parse(name, &printed).as_ref(), Ok(&s), "{name}:\n{printed}");
    }
}

/// Every command the example files use is on the line it was written on.
#[test]
fn line_numbers_point_at_the_source() {
    for (name, src) in SCENARIOS {
        let s = load(name);
        let lines: Vec<&str> = src.lines().collect();
        for c in &s.commands {
            let text = lines[c.line - 1];
            let keyword = c.node.to_string();
            let keyword = keyword.split(' ').next().unwrap();
            assert!(
                text.trim_start().starts_with(keyword),
                "{name}:{}: {text}",
                c.line
            );
        }
    }
}

#[test]
fn acks1_leader_crash_reads_as_written() {
    let s = load("acks1-leader-crash.scn");
    let first = &s.commands[0];
    assert_eq!(first.line, 3);
    assert_eq!(
        first.node,
        Command::Cluster {
            brokers: 3,
            seed: Some(42),
            racks: None,
            configs: vec![]
        }
    );
    let Command::Producer { configs, .. } = &s.commands[2].node else {
        panic!()
    };
    assert_eq!(configs[0].value, ConfigValue::Str("1".into()));
    let sends: Vec<_> = s
        .commands
        .iter()
        .filter_map(|c| match &c.node {
            Command::Send {
                value: Some(v),
                count,
                ..
            } => Some((0..*count).map(|i| v.expand(i)).collect::<Vec<_>>()),
            _ => None,
        })
        .collect();
    assert_eq!(sends, [vec!["v0", "v1", "v2", "v3", "v4"]]);
    let expects: Vec<String> = s
        .commands
        .iter()
        .filter_map(|c| match &c.node {
            Command::Expect { predicate } => Some(format!("line {}: {predicate}", c.line)),
            _ => None,
        })
        .collect();
    assert_eq!(
        expects,
        [
            "line 11: hw orders-0@0 == 0",
            "line 12: leo orders-0@0 == 5",
            "line 16: leader orders-0 != 0",
            "line 17: lost == 5",
            "line 20: log orders-0@0 == none",
            "line 21: divergent orders-0 == none",
        ]
    );
}

#[test]
fn transactions_example_uses_every_txn_command() {
    let s = load("transactions-eos.scn");
    let has = |f: fn(&Command) -> bool| s.commands.iter().any(|c| f(&c.node));
    assert!(has(|c| matches!(c, Command::BeginTxn { .. })));
    assert!(has(|c| matches!(c, Command::CommitTxn { .. })));
    assert!(has(|c| matches!(c, Command::AbortTxn { .. })));
    assert!(has(|c| matches!(c, Command::SendOffsetsToTxn { .. })));
}

#[test]
fn tombstones_have_no_value() {
    let s = load("compaction-tombstones.scn");
    let tombstones: Vec<_> = s
        .commands
        .iter()
        .filter_map(|c| match &c.node {
            Command::Send {
                value: None, key, ..
            } => key.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(tombstones, [Template("bob".into())]);
}

/// Breaking one line of a good scenario gives exactly that line's error.
#[test]
fn one_bad_line_one_error() {
    let (_, src) = SCENARIOS[0];
    let broken = src.replace("crash 0", "crash 3");
    let e = parse("acks1.scn", &broken).unwrap_err();
    assert_eq!(
        e.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        ["acks1.scn:13: broker 3 does not exist: the cluster has 3 brokers (0..2)"]
    );
}

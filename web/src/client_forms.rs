//! What the producer and consumer forms write and how they check it: the
//! configs offered are Kafka's table in `kafkascope-config` (name,
//! default, one-line explanation in both languages), each value is checked
//! by `config::check_value` here and the whole line by the scenario checker
//! in the engine worker (`Request::Check`, answered with [`FormCheck`]s
//! for the session's script) — the same checks the console's lines get.
//! Pure: no browser types, so it is tested natively.

use std::collections::BTreeMap;

use kafkascope_config::{self as config, ConfigDef, Kind, Scope};
use kafkascope_view::engine::FormCheck;
use kafkascope_view::{AssignmentChange, PartitionChoice, PartitionReason};

use crate::commands::quote;
use crate::i18n::Lang;

/// The producer's or the consumer's table. Only these two: the page has
/// no broker or topic form, so it links neither table (nor their docs).
fn client_table(scope: Scope) -> &'static [ConfigDef] {
    match scope {
        Scope::Producer => config::PRODUCER_CONFIGS,
        Scope::Consumer => config::CONSUMER_CONFIGS,
        Scope::Broker | Scope::Topic => &[],
    }
}

/// The client config `name` of `scope` (producer or consumer).
pub fn lookup(scope: Scope, name: &str) -> Option<&'static ConfigDef> {
    client_table(scope).iter().find(|d| d.name == name)
}

/// The configs a form offers for `scope`, in the table's order. The
/// consumer's `group.id` has a field of its own.
pub fn fields(scope: Scope) -> Vec<&'static ConfigDef> {
    client_table(scope)
        .iter()
        .filter(|d| d.name != "group.id")
        .collect()
}

/// A config's one-line explanation in the page's language.
pub fn doc(def: &ConfigDef, lang: Lang) -> &'static str {
    match lang {
        Lang::En => def.doc_en,
        Lang::Zh => def.doc_zh,
    }
}

/// The values a select offers, or `None` for a free field (numbers, text).
/// Class names are offered as Kafka spells them in full.
pub fn choices(def: &ConfigDef) -> Option<Vec<&'static str>> {
    match def.kind {
        Kind::Bool => Some(vec!["true", "false"]),
        Kind::Choice(values) => {
            let full: Vec<&str> = values.iter().copied().filter(|v| v.contains('.')).collect();
            Some(if full.is_empty() {
                values.to_vec()
            } else {
                full
            })
        }
        Kind::ChoiceList(values) => Some(
            values
                .iter()
                .copied()
                .filter(|v| config::assignor_short_name(v) == Some(*v))
                .collect(),
        ),
        _ => None,
    }
}

/// `NAME=VALUE` settings for the values that were set, in field order.
fn settings(values: &[(&str, String)]) -> String {
    values
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(n, v)| format!(" {n}={}", quote(v.trim())))
        .collect()
}

/// `producer NAME [CONFIG=VALUE ...]`.
pub fn producer_line(name: &str, values: &[(&str, String)]) -> String {
    format!("producer {}{}", name.trim(), settings(values))
}

/// `consumer NAME [group.id=G] [CONFIG=VALUE ...]`, then `subscribe NAME
/// T1,T2` when topics are chosen.
pub fn consumer_lines(
    name: &str,
    group: &str,
    topics: &[String],
    values: &[(&str, String)],
) -> Vec<String> {
    let name = name.trim();
    let mut first = format!("consumer {name}");
    if !group.trim().is_empty() {
        first.push_str(&format!(" group.id={}", quote(group.trim())));
    }
    first.push_str(&settings(values));
    let mut lines = vec![first];
    if !topics.is_empty() {
        lines.push(format!("subscribe {name} {}", topics.join(",")));
    }
    lines
}

/// `seek C T-P (OFFSET | beginning | end)`; `to` is any of the three.
pub fn seek_line(consumer: &str, partition: &str, to: &str) -> String {
    format!("seek {consumer} {partition} {}", to.trim())
}

/// Each set value checked on its own (`config::check_value`, the console's
/// message): the field's error, by config name.
pub fn field_errors(scope: Scope, values: &[(&str, String)]) -> Vec<(String, String)> {
    values
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(n, v)| {
            let checked = match lookup(scope, n) {
                Some(def) => config::check_value(def, v.trim()),
                None => Err(format!("unknown {scope} config {n}")),
            };
            checked.err().map(|e| (n.to_string(), e))
        })
        .collect()
}

/// The engine's answer for `form`'s `lines`: `Some(errors)` once it has
/// checked exactly these lines (after the script the page shows), `None`
/// while the question is on its way.
pub fn checked<'a>(checks: &'a [FormCheck], form: &str, lines: &[String]) -> Option<&'a [String]> {
    checks
        .iter()
        .find(|c| c.form == form && c.lines == lines)
        .map(|c| c.errors.as_slice())
}

/// Whether `message` names the config `name` as a word (so `retries` is
/// not found in `retry.backoff.ms`).
pub fn mentions(message: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_';
    message.match_indices(name).any(|(i, _)| {
        let before = message[..i].chars().next_back();
        let after = message[i + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// Why the partitioner chose the partition, in words (Kafka's formula for
/// a key, with the hash value).
pub fn reason_text(lang: Lang, c: &PartitionChoice) -> String {
    match &c.reason {
        PartitionReason::Explicit => lang.t("partition= given by the application").to_string(),
        PartitionReason::Murmur2 { hash, partitions } => {
            let key = c.key.clone().unwrap_or_default();
            format!(
                "murmur2({}) = {hash}; toPositive({hash}) mod {partitions} = {}",
                quote(&key),
                (hash & 0x7fff_ffff) % partitions.max(&1)
            )
        }
        PartitionReason::Sticky { new, keys_ignored } => {
            let why = if *keys_ignored {
                lang.t("key ignored by the partitioner")
            } else {
                lang.t("no key")
            };
            let how = if *new {
                lang.t("a new sticky partition, picked at random among those with a leader")
            } else {
                lang.t("the topic's current sticky partition (until its batch is sent)")
            };
            format!("{why}: {how}")
        }
        PartitionReason::RoundRobin { counter, available } => lang.f(
            "RoundRobinPartitioner: counter {} mod {} partitions with a leader",
            &[counter, available],
        ),
    }
}

/// The first of `stem`, `stem2`, `stem3`, ... not in `taken`.
pub fn free_name(stem: &str, taken: &[String]) -> String {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            stem.to_string()
        } else {
            format!("{stem}{n}")
        };
        if !taken.contains(&name) {
            return name;
        }
        n += 1;
    }
}

/// Whether an effective value differs from Kafka's default, reading the
/// spellings Kafka treats alike as one (`-1` and `all`, an assignor's
/// class name and short name).
pub fn differs(scope: Scope, name: &str, value: &str, default: &str) -> bool {
    let norm = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|item| {
                let item = item.trim();
                match (scope, name) {
                    (Scope::Producer, "acks") if item == "-1" => "all".to_string(),
                    _ => config::assignor_short_name(item)
                        .unwrap_or(item)
                        .to_string(),
                }
            })
            .collect()
    };
    norm(value) != norm(default)
}

/// What a rebalance changed, marked in text: `−t-0 +t-2` (`−` revoked,
/// `+` added, `×` lost with the generation).
pub fn change_marks(c: &AssignmentChange) -> String {
    let marks = c
        .revoked
        .iter()
        .map(|p| format!("−{p}"))
        .chain(c.lost.iter().map(|p| format!("×{p}")))
        .chain(c.added.iter().map(|p| format!("+{p}")));
    marks.collect::<Vec<_>>().join(" ")
}

/// Field errors and the checker's errors by the config names they
/// mention; errors naming no field come back apart (shown under the form).
pub fn sort_errors(
    field: Vec<(String, String)>,
    checker: Vec<String>,
    names: &[&'static str],
) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, e) in field {
        by_name.entry(n).or_default().push(e);
    }
    let mut rest = Vec::new();
    for e in checker {
        let named: Vec<&&str> = names.iter().filter(|n| mentions(&e, n)).collect();
        if named.is_empty() {
            rest.push(e);
        } else {
            for n in named {
                by_name.entry(n.to_string()).or_default().push(e.clone());
            }
        }
    }
    (by_name, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(n, v)| (*n, v.to_string())).collect()
    }

    #[test]
    fn producer_fields_are_the_tables_with_defaults() {
        let f = fields(Scope::Producer);
        let acks = f.iter().find(|d| d.name == "acks").unwrap();
        assert_eq!(acks.default, "all");
        assert_eq!(choices(acks).unwrap(), ["0", "1", "-1", "all"]);
        assert!(f
            .iter()
            .any(|d| d.name == "linger.ms" && choices(d).is_none()));
        let part = f.iter().find(|d| d.name == "partitioner.class").unwrap();
        assert!(choices(part)
            .unwrap()
            .iter()
            .all(|c| c.starts_with("org.apache.kafka")));
        assert!(doc(acks, Lang::Zh) != doc(acks, Lang::En));
        let c = fields(Scope::Consumer);
        assert!(!c.iter().any(|d| d.name == "group.id"));
        let strategy = c
            .iter()
            .find(|d| d.name == "partition.assignment.strategy")
            .unwrap();
        assert_eq!(
            choices(strategy).unwrap(),
            ["range", "roundrobin", "sticky", "cooperative-sticky"]
        );
    }

    #[test]
    fn lines_from_the_forms() {
        let values = v(&[
            ("acks", "1"),
            ("linger.ms", "20"),
            ("batch.size", " "),
            ("transactional.id", "tx 1"),
        ]);
        assert_eq!(
            producer_line("p1", &values),
            "producer p1 acks=1 linger.ms=20 transactional.id=\"tx 1\""
        );
        assert_eq!(producer_line("p", &[]), "producer p");
        let lines = consumer_lines(
            "c1",
            "g",
            &["t".into(), "u".into()],
            &v(&[("partition.assignment.strategy", "cooperative-sticky")]),
        );
        assert_eq!(
            lines,
            [
                "consumer c1 group.id=g partition.assignment.strategy=cooperative-sticky",
                "subscribe c1 t,u"
            ]
        );
        assert_eq!(consumer_lines("c", "", &[], &[]), ["consumer c"]);
        assert_eq!(seek_line("c1", "t-0", "beginning"), "seek c1 t-0 beginning");
    }

    #[test]
    fn values_are_checked_like_the_console_checks_them() {
        let bad = field_errors(
            Scope::Producer,
            &v(&[("acks", "2"), ("linger.ms", "-1"), ("retries", "3")]),
        );
        let names: Vec<&str> = bad.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["acks", "linger.ms"]);
        assert!(bad[0].1.contains("expected one of"), "{}", bad[0].1);
        // The console's own message (the scenario checker calls validate).
        assert_eq!(
            Err(bad[0].1.clone()),
            config::validate(Scope::Producer, "acks", "2")
        );
        // The forms are the clients': no broker or topic table here.
        assert!(fields(Scope::Broker).is_empty() && fields(Scope::Topic).is_empty());
        assert_eq!(lookup(Scope::Consumer, "group.id").unwrap().default, "null");
    }

    #[test]
    fn the_engines_answer_counts_only_for_the_lines_asked() {
        let checks = vec![
            FormCheck {
                form: "producer".into(),
                lines: vec!["producer p acks=1".into()],
                errors: vec!["producer p already exists".into()],
            },
            FormCheck {
                form: "consumer".into(),
                lines: vec!["consumer c".into()],
                errors: vec![],
            },
        ];
        let line = producer_line("p", &v(&[("acks", "1")]));
        assert_eq!(
            checked(&checks, "producer", &[line]),
            Some(&["producer p already exists".to_string()][..])
        );
        // Lines typed since: not answered yet.
        assert_eq!(checked(&checks, "producer", &["producer p".into()]), None);
        // Another form's answer is not this one's.
        assert_eq!(checked(&checks, "producer", &["consumer c".into()]), None);
        assert_eq!(
            checked(&checks, "consumer", &consumer_lines("c", "", &[], &[])),
            Some(&[][..])
        );
    }

    #[test]
    fn errors_go_beside_the_fields_they_name() {
        let (by_name, rest) = sort_errors(
            vec![("linger.ms".into(), "linger.ms=x is not valid".into())],
            vec![
                "producer p: acks=1 with enable.idempotence=true".into(),
                "producer p already exists".into(),
            ],
            &["acks", "linger.ms", "enable.idempotence", "retries"],
        );
        assert_eq!(
            by_name.keys().collect::<Vec<_>>(),
            ["acks", "enable.idempotence", "linger.ms"]
        );
        assert_eq!(rest, ["producer p already exists"]);
    }

    #[test]
    fn free_names_and_defaults() {
        assert_eq!(free_name("p", &[]), "p");
        assert_eq!(free_name("p", &["p".into(), "p2".into()]), "p3");
        let d = |s, n, v| {
            let def = lookup(s, n).unwrap().default;
            differs(s, n, v, def)
        };
        assert!(!d(Scope::Producer, "acks", "-1"));
        assert!(d(Scope::Producer, "acks", "1"));
        assert!(!d(
            Scope::Consumer,
            "partition.assignment.strategy",
            "range,cooperative-sticky"
        ));
        assert!(d(
            Scope::Consumer,
            "partition.assignment.strategy",
            "cooperative-sticky"
        ));
        assert!(!d(Scope::Producer, "linger.ms", "0"));
    }

    #[test]
    fn mentions_only_whole_names() {
        assert!(mentions(
            "retries=0 with enable.idempotence=true",
            "retries"
        ));
        assert!(!mentions("retry.backoff.ms=1 is not valid", "retries"));
        assert!(!mentions("delivery.timeout.ms=1", "timeout.ms"));
        assert!(mentions("(acks)", "acks"));
    }

    #[test]
    fn reasons_in_words() {
        let c = |reason, key: Option<&str>| PartitionChoice {
            send_id: "p:1".into(),
            partition: "t-1".into(),
            key: key.map(str::to_string),
            reason,
        };
        let hash = -1_234_567_890;
        let text = reason_text(
            Lang::En,
            &c(
                PartitionReason::Murmur2 {
                    hash,
                    partitions: 3,
                },
                Some("k1"),
            ),
        );
        assert_eq!(
            text,
            format!(
                "murmur2(k1) = {hash}; toPositive({hash}) mod 3 = {}",
                (hash & 0x7fff_ffff) % 3
            )
        );
        let sticky = reason_text(
            Lang::En,
            &c(
                PartitionReason::Sticky {
                    new: true,
                    keys_ignored: false,
                },
                None,
            ),
        );
        assert!(
            sticky.starts_with("no key: a new sticky partition"),
            "{sticky}"
        );
        let zh = reason_text(
            Lang::Zh,
            &c(
                PartitionReason::Sticky {
                    new: false,
                    keys_ignored: true,
                },
                Some("k"),
            ),
        );
        assert!(!zh.is_ascii(), "{zh}");
        let rr = reason_text(
            Lang::En,
            &c(
                PartitionReason::RoundRobin {
                    counter: 4,
                    available: 3,
                },
                None,
            ),
        );
        assert_eq!(
            rr,
            "RoundRobinPartitioner: counter 4 mod 3 partitions with a leader"
        );
        assert_eq!(
            reason_text(Lang::En, &c(PartitionReason::Explicit, None)),
            "partition= given by the application"
        );
    }

    #[test]
    fn eager_and_cooperative_changes_read_differently() {
        let eager = AssignmentChange {
            generation: 3,
            revoked: vec!["t-0".into(), "t-1".into()],
            lost: vec![],
            added: vec!["t-0".into(), "t-1".into(), "t-2".into()],
        };
        assert_eq!(change_marks(&eager), "−t-0 −t-1 +t-0 +t-1 +t-2");
        let cooperative = AssignmentChange {
            generation: 4,
            added: vec!["t-2".into()],
            ..AssignmentChange::default()
        };
        assert_eq!(change_marks(&cooperative), "+t-2");
        let lost = AssignmentChange {
            lost: vec!["t-0".into()],
            ..AssignmentChange::default()
        };
        assert_eq!(change_marks(&lost), "×t-0");
    }
}

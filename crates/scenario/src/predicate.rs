//! Predicates: `SUBJECT [ARGS] OP EXPECTED` (or `idle`), typed by what the
//! subject yields: numbers compare with any operator; sets, lists, group
//! states and `none` with `==` / `!=` only.

use crate::ast::*;
use crate::config;
use crate::lexer::Word;
use crate::names::ERROR_NAMES;
use crate::parser::{check_client_name, LineParser};

/// The predicate subjects with their argument shapes, for messages.
pub const SUBJECTS: &[(&str, &str)] = &[
    ("leader", "leader TOPIC-P"),
    ("isr", "isr TOPIC-P"),
    ("epoch", "epoch TOPIC-P"),
    ("hw", "hw TOPIC-P | hw TOPIC-P@B"),
    ("leo", "leo TOPIC-P@B"),
    ("log-start", "log-start TOPIC-P@B"),
    ("log", "log TOPIC-P@B"),
    ("divergent", "divergent TOPIC-P"),
    ("controller", "controller"),
    ("acked", "acked PRODUCER"),
    ("errors", "errors PRODUCER"),
    ("lost", "lost"),
    ("duplicates", "duplicates TOPIC-P"),
    ("consumed", "consumed CONSUMER"),
    ("processed", "processed CONSUMER"),
    ("revoked", "revoked CONSUMER"),
    ("committed", "committed GROUP TOPIC-P"),
    ("assignment", "assignment GROUP MEMBER"),
    ("members", "members GROUP"),
    ("generation", "generation GROUP"),
    ("state", "state GROUP"),
    ("lag", "lag GROUP TOPIC-P"),
    ("segments", "segments TOPIC-P@B"),
    ("index", "index TOPIC-P@B"),
    ("index-lookup", "index-lookup TOPIC-P@B OFFSET"),
    ("batches", "batches TOPIC-P@B"),
    ("log-bytes", "log-bytes TOPIC-P@B"),
    ("children", "children PATH"),
    ("produce-requests", "produce-requests PRODUCER"),
    ("idle", "idle"),
];

impl LineParser {
    /// Parses `SUBJECT [ARGS] OP EXPECTED` (or `idle`) and returns the words
    /// after it.
    pub(crate) fn predicate<'w>(
        &mut self,
        words: &'w [Word],
        run_until: bool,
    ) -> Option<(Predicate, &'w [Word])> {
        let Some(first) = words.first() else {
            return self.fail(format!(
                "{}: missing PREDICATE (usage: {})",
                self.keyword,
                self.usage()
            ));
        };
        let keyword = first.bare().unwrap_or_default();
        if keyword == "idle" {
            if !run_until {
                return self.fail("expect: idle can only be used as run until idle");
            }
            return Some((Predicate::Idle, &words[1..]));
        }
        let Some(shape) = SUBJECTS
            .iter()
            .find(|(k, _)| *k == keyword)
            .map(|(_, s)| *s)
        else {
            let names = SUBJECTS.iter().map(|(k, _)| *k);
            return match config::suggest(&keyword, names) {
                Some(s) => self.fail(format!(
                    "unknown predicate subject {keyword} (did you mean {s}?)"
                )),
                None => self.fail(format!(
                    "unknown predicate subject {}: expected one of {}",
                    first.source(),
                    SUBJECTS
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
        };
        // Arguments run up to the operator.
        let Some(op_at) = words
            .iter()
            .position(|w| w.bare().is_some_and(|s| Op::parse(&s).is_some()))
        else {
            return self.fail(format!(
                "{}: missing operator (== != >= <= > <) in the predicate (usage: {shape} OP EXPECTED)",
                self.keyword
            ));
        };
        let op = Op::parse(&words[op_at].text())?;
        let subject_args = &words[1..op_at];
        let subject = self.subject(&keyword, subject_args, shape)?;
        let Some(expected_word) = words.get(op_at + 1) else {
            return self.fail(format!(
                "{}: missing the expected value after {} (usage: {shape} OP EXPECTED)",
                self.keyword,
                op.as_str()
            ));
        };
        let expected = self.expected(&subject, op, expected_word)?;
        Some((
            Predicate::Compare(Comparison {
                subject,
                op,
                expected,
            }),
            &words[op_at + 2..],
        ))
    }

    fn subject(&mut self, keyword: &str, args: &[Word], shape: &str) -> Option<Subject> {
        let want = shape
            .split(" | ")
            .next()
            .unwrap_or(shape)
            .split(' ')
            .count()
            - 1;
        if args.len() != want {
            return self.fail(format!(
                "{}: {keyword} takes {want} argument{} (usage: {shape} OP EXPECTED)",
                self.keyword,
                if want == 1 { "" } else { "s" }
            ));
        }
        let a = |i: usize| &args[i];
        Some(match keyword {
            "leader" => Subject::Leader(self.partition_ref(a(0))?),
            "isr" => Subject::Isr(self.partition_ref(a(0))?),
            "epoch" => Subject::Epoch(self.partition_ref(a(0))?),
            "hw" if a(0).text().contains('@') => Subject::ReplicaHw(self.replica_ref(a(0))?),
            "hw" => Subject::Hw(self.partition_ref(a(0))?),
            "leo" => Subject::Leo(self.replica_ref(a(0))?),
            "log-start" => Subject::LogStart(self.replica_ref(a(0))?),
            "log" => Subject::Log(self.replica_ref(a(0))?),
            "divergent" => Subject::Divergent(self.partition_ref(a(0))?),
            "controller" => Subject::Controller,
            "acked" => Subject::Acked(self.client_name(a(0))?),
            "errors" => Subject::Errors(self.client_name(a(0))?),
            "lost" => Subject::Lost,
            "duplicates" => Subject::Duplicates(self.partition_ref(a(0))?),
            "consumed" => Subject::Consumed(self.client_name(a(0))?),
            "processed" => Subject::Processed(self.client_name(a(0))?),
            "revoked" => Subject::Revoked(self.client_name(a(0))?),
            "committed" => Subject::Committed {
                group: self.group_name(a(0))?,
                partition: self.partition_ref(a(1))?,
            },
            "assignment" => Subject::Assignment {
                group: self.group_name(a(0))?,
                member: self.client_name(a(1))?,
            },
            "members" => Subject::Members(self.group_name(a(0))?),
            "generation" => Subject::Generation(self.group_name(a(0))?),
            "state" => Subject::State(self.group_name(a(0))?),
            "lag" => Subject::Lag {
                group: self.group_name(a(0))?,
                partition: self.partition_ref(a(1))?,
            },
            "segments" => Subject::Segments(self.replica_ref(a(0))?),
            "index" => Subject::Index(self.replica_ref(a(0))?),
            "index-lookup" => {
                let replica = self.replica_ref(a(0))?;
                let Some(offset) = a(1)
                    .bare()
                    .and_then(|s| s.parse::<i64>().ok())
                    .filter(|o| *o >= 0)
                else {
                    return self.fail(format!(
                        "{}: index-lookup needs an offset (an integer >= 0), not {}",
                        self.keyword,
                        a(1).source()
                    ));
                };
                Subject::IndexLookup { replica, offset }
            }
            "batches" => Subject::Batches(self.replica_ref(a(0))?),
            "produce-requests" => Subject::ProduceRequests(self.client_name(a(0))?),
            "log-bytes" => Subject::LogBytes(self.replica_ref(a(0))?),
            "children" => {
                let path = a(0).bare().unwrap_or_default();
                let ok = path == "/"
                    || (path.starts_with('/') && !path.ends_with('/') && !path.contains("//"));
                if !ok {
                    return self.fail(format!(
                        "{}: children needs a ZooKeeper path like /brokers/ids, not {}",
                        self.keyword,
                        a(0).source()
                    ));
                }
                Subject::Children(path)
            }
            _ => return None,
        })
    }

    fn expected(&mut self, subject: &Subject, op: Op, w: &Word) -> Option<Expected> {
        let kw = subject.keyword();
        let kind = subject.value_kind();
        let is_none = w.bare().as_deref() == Some("none");
        let numeric = matches!(kind, ValueKind::Int | ValueKind::OptionalInt);
        if !op.is_equality() && (!numeric || is_none) {
            let what = match kind {
                ValueKind::ValueList => "a list",
                ValueKind::GroupState => "a group state",
                _ if is_none => "none",
                _ => "a set",
            };
            let msg = if is_none {
                format!("{subject} {op} none: none can only be compared with == or !=")
            } else {
                format!(
                    "{kw} is {what}: compare it with == or != only, not {}",
                    op.as_str()
                )
            };
            return self.fail(msg);
        }
        let text = w.text();
        match kind {
            ValueKind::Int => match w.bare().and_then(|s| s.parse::<i64>().ok()) {
                Some(n) => Some(Expected::Int(n)),
                None => self.fail(format!(
                    "{kw} is a number: expected an integer, not {}",
                    w.source()
                )),
            },
            ValueKind::OptionalInt => {
                if is_none {
                    return Some(Expected::None);
                }
                match w.bare().and_then(|s| s.parse::<i64>().ok()) {
                    Some(n) => Some(Expected::Int(n)),
                    None => self.fail(format!("{kw} is a number or none, not {}", w.source())),
                }
            }
            ValueKind::GroupState => match GroupState::parse(&text).filter(|_| !w.is_quoted()) {
                Some(s) => Some(Expected::State(s)),
                None => {
                    let names = GroupState::ALL.map(GroupState::as_str);
                    let hint = config::suggest(&text, names)
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                    self.fail(format!(
                        "unknown group state {}{hint}: expected one of {}",
                        w.source(),
                        names.join(", ")
                    ))
                }
            },
            _ if is_none => Some(Expected::None),
            ValueKind::IntSet => {
                let mut out = Vec::new();
                for item in w.split_all(',') {
                    match item.bare().and_then(|s| s.parse::<i64>().ok()) {
                        Some(n) if out.contains(&n) => {
                            return self.fail(format!("{kw}: {n} is listed twice in {text}"))
                        }
                        Some(n) => out.push(n),
                        None => {
                            return self.fail(format!(
                                "{kw} is a set of integers: expected e.g. 0,1,2 or none, not {}",
                                w.source()
                            ))
                        }
                    }
                }
                Some(Expected::Ints(out))
            }
            ValueKind::ValueList | ValueKind::MemberSet | ValueKind::NameSet => {
                let items: Vec<String> = w.split_all(',').iter().map(Word::text).collect();
                if kind == ValueKind::MemberSet {
                    for m in &items {
                        if let Err(e) = check_client_name(m, false) {
                            return self.fail(e);
                        }
                    }
                }
                if kind == ValueKind::NameSet {
                    if let Some(d) = items
                        .iter()
                        .find(|i| items.iter().filter(|j| j == i).count() > 1)
                    {
                        return self.fail(format!("{kw}: {d} is listed twice"));
                    }
                }
                Some(Expected::Strings(items))
            }
            ValueKind::ErrorSet => {
                let mut out = Vec::new();
                for item in w.split_all(',') {
                    let name = item.text();
                    if !ERROR_NAMES.contains(&name.as_str()) {
                        let hint = config::suggest(&name, ERROR_NAMES.iter().copied())
                            .map(|s| format!(" (did you mean {s}?)"))
                            .unwrap_or_default();
                        return self.fail(format!("unknown Kafka error {}{hint}", item.source()));
                    }
                    if out.contains(&name) {
                        return self.fail(format!("errors: {name} is listed twice"));
                    }
                    out.push(name);
                }
                Some(Expected::Errors(out))
            }
            ValueKind::PartitionSet => {
                let mut out = Vec::new();
                for item in w.split_all(',') {
                    let p = self.partition_ref(&item)?;
                    if out.contains(&p) {
                        return self.fail(format!("{kw}: {} is listed twice", item.text()));
                    }
                    out.push(p);
                }
                Some(Expected::Partitions(out))
            }
        }
    }
}

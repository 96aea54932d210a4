//! Canonical scenario text: `Display` for scenarios, commands and predicates.
//! `parse(print(ast)) == ast`: defaults are left out, and anything that could
//! not be read back bare is quoted.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::*;
use crate::lexer::quote_if_needed as q;

impl Display for Scenario {
    /// One command per line; blank lines keep every command on the line it
    /// was read from, so `PASS line 12` still points at the same command.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut line = 1;
        for c in &self.commands {
            while line < c.line {
                f.write_char('\n')?;
                line += 1;
            }
            writeln!(f, "{}", c.node)?;
            line += 1;
        }
        Ok(())
    }
}

impl Display for Node {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Node::Broker(id) => write!(f, "{id}"),
            Node::Zk => f.write_str("zk"),
            Node::Client(name) => f.write_str(name),
        }
    }
}

impl Display for PartitionRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

impl Display for ReplicaRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.partition, self.broker)
    }
}

impl Display for Link {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}->{}", self.from, self.to)
    }
}

impl Display for Op {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Display for GroupState {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn list<T: Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn configs(f: &mut Formatter<'_>, configs: &[Setting]) -> fmt::Result {
    for s in configs {
        write!(f, " {}={}", s.name, value(&s.value.to_string()))?;
    }
    Ok(())
}

/// Values and keys may hold `{i}`, `:` or `=` bare; only what the lexer
/// would split on or strip needs quotes.
fn value(text: &str) -> String {
    let bare = !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\' | '#'));
    if bare {
        text.to_string()
    } else {
        q(text)
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Cluster {
                brokers,
                seed,
                racks,
                configs: c,
            } => {
                write!(f, "cluster brokers={brokers}")?;
                if let Some(s) = seed {
                    write!(f, " seed={s}")?;
                }
                if let Some(r) = racks {
                    let r: Vec<String> = r.iter().map(|r| q(r)).collect();
                    write!(f, " racks={}", r.join(","))?;
                }
                configs(f, c)
            }
            Command::TopicCreate {
                name,
                partitions,
                replication_factor,
                assignment,
                configs: c,
            } => {
                write!(
                    f,
                    "topic create {name} partitions={partitions} replication-factor={replication_factor}"
                )?;
                if let Some(a) = assignment {
                    let parts: Vec<String> = a
                        .iter()
                        .map(|r| r.iter().map(i32::to_string).collect::<Vec<_>>().join(":"))
                        .collect();
                    write!(f, " assignment={}", parts.join(","))?;
                }
                configs(f, c)
            }
            Command::TopicAlter { name, partitions } => {
                write!(f, "topic alter {name} partitions={partitions}")
            }
            Command::Producer { name, configs: c } => {
                write!(f, "producer {name}")?;
                configs(f, c)
            }
            Command::Send {
                producer,
                topic,
                value: v,
                key,
                partition,
                count,
                headers,
            } => {
                write!(f, "send {producer} {topic}")?;
                match v {
                    Some(t) => write!(f, " value={}", value(&t.0))?,
                    None => f.write_str(" tombstone")?,
                }
                if let Some(k) = key {
                    write!(f, " key={}", value(&k.0))?;
                }
                if let Some(p) = partition {
                    write!(f, " partition={p}")?;
                }
                if *count != 1 {
                    write!(f, " count={count}")?;
                }
                if !headers.is_empty() {
                    let h: Vec<String> = headers
                        .iter()
                        .map(|(k, v)| format!("{}:{}", q(k), q(v)))
                        .collect();
                    write!(f, " headers={}", h.join(","))?;
                }
                Ok(())
            }
            Command::Flush { producer } => write!(f, "flush {producer}"),
            Command::BeginTxn { producer } => write!(f, "begin-txn {producer}"),
            Command::CommitTxn { producer } => write!(f, "commit-txn {producer}"),
            Command::AbortTxn { producer } => write!(f, "abort-txn {producer}"),
            Command::SendOffsetsToTxn { producer, consumer } => {
                write!(f, "send-offsets-to-txn {producer} {consumer}")
            }
            Command::Consumer {
                name,
                group,
                configs: c,
            } => {
                write!(f, "consumer {name}")?;
                if let Some(g) = group {
                    write!(f, " group={g}")?;
                }
                configs(f, c)
            }
            Command::Subscribe { consumer, topics } => {
                write!(f, "subscribe {consumer} {}", topics.join(","))
            }
            Command::Assign {
                consumer,
                partitions,
            } => write!(f, "assign {consumer} {}", list(partitions)),
            Command::Poll {
                consumer,
                timeout_ms,
            } => {
                write!(f, "poll {consumer}")?;
                if *timeout_ms != DEFAULT_POLL_TIMEOUT_MS {
                    write!(f, " timeout={timeout_ms}")?;
                }
                Ok(())
            }
            Command::Process { consumer, count } => {
                write!(f, "process {consumer}")?;
                if let Some(n) = count {
                    write!(f, " count={n}")?;
                }
                Ok(())
            }
            Command::Commit { consumer, mode } => match mode {
                CommitMode::Sync => write!(f, "commit {consumer}"),
                CommitMode::Async => write!(f, "commit {consumer} async"),
            },
            Command::Seek {
                consumer,
                partition,
                target,
            } => {
                write!(f, "seek {consumer} {partition} ")?;
                match target {
                    SeekTarget::Offset(o) => write!(f, "{o}"),
                    SeekTarget::Beginning => f.write_str("beginning"),
                    SeekTarget::End => f.write_str("end"),
                    SeekTarget::Time(t) => write!(f, "time={t}"),
                }
            }
            Command::Close { consumer } => write!(f, "close {consumer}"),
            Command::Crash { node } => write!(f, "crash {node}"),
            Command::PowerOff { node } => write!(f, "power-off {node}"),
            Command::Restart { node } => write!(f, "restart {node}"),
            Command::Shutdown { node } => write!(f, "shutdown {node}"),
            Command::Partition { groups } => {
                let g: Vec<String> = groups.iter().map(|g| list(g)).collect();
                write!(f, "partition {}", g.join(" | "))
            }
            Command::Heal => f.write_str("heal"),
            Command::Hold { link, api } | Command::Release { link, api } => {
                let kw = if matches!(self, Command::Hold { .. }) {
                    "hold"
                } else {
                    "release"
                };
                write!(f, "{kw} {link}")?;
                if let Some(a) = api {
                    write!(f, " type={a}")?;
                }
                Ok(())
            }
            Command::Drop { link, api, count } => {
                write!(f, "drop {link}")?;
                if let Some(a) = api {
                    write!(f, " type={a}")?;
                }
                if let Some(n) = count {
                    write!(f, " count={n}")?;
                }
                Ok(())
            }
            Command::Delay { link, ms } => write!(f, "delay {link} ms={ms}"),
            Command::Tick { ms } => write!(f, "tick {ms}"),
            Command::RunUntil {
                predicate,
                timeout_ms,
            } => {
                write!(f, "run until {predicate}")?;
                if *timeout_ms != DEFAULT_RUN_UNTIL_TIMEOUT_MS {
                    write!(f, " timeout={timeout_ms}")?;
                }
                Ok(())
            }
            Command::Step { n } => match n {
                1 => f.write_str("step"),
                n => write!(f, "step {n}"),
            },
            Command::Say { text } => write!(f, "say {}", FreeText(text)),
            Command::SayZh { text } => write!(f, "say.zh {}", FreeText(text)),
            Command::Demo(d) => match d {
                DemoLine::Seed { file, quote } => {
                    write!(f, "demo seed {file} {}", FreeText(quote))
                }
                DemoLine::Title { text, .. }
                | DemoLine::Teaches { text, .. }
                | DemoLine::SeedEn { text } => write!(f, "demo {} {}", d.field(), FreeText(text)),
            },
            Command::Expect { predicate } => write!(f, "expect {predicate}"),
        }
    }
}

/// Narration and demo texts: written bare when that reads back the same,
/// quoted otherwise (`#`, leading quote, blanks at the ends, control chars).
struct FreeText<'a>(&'a str);

impl Display for FreeText<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let raw = !text.is_empty()
            && text.trim() == text
            && !text.starts_with('"')
            && !text.chars().any(|c| c == '#' || c.is_control());
        if raw {
            f.write_str(text)
        } else {
            f.write_str(&q(text))
        }
    }
}

impl Display for Subject {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let kw = self.keyword();
        match self {
            Subject::Leader(p)
            | Subject::Isr(p)
            | Subject::Epoch(p)
            | Subject::Hw(p)
            | Subject::Divergent(p)
            | Subject::Duplicates(p) => write!(f, "{kw} {p}"),
            Subject::ReplicaHw(r)
            | Subject::Leo(r)
            | Subject::LogStart(r)
            | Subject::Log(r)
            | Subject::Segments(r)
            | Subject::Index(r)
            | Subject::Batches(r)
            | Subject::LogBytes(r) => write!(f, "{kw} {r}"),
            Subject::IndexLookup { replica, offset } => write!(f, "{kw} {replica} {offset}"),
            Subject::Children(path) => write!(f, "{kw} {path}"),
            Subject::Controller | Subject::Lost => f.write_str(kw),
            Subject::Acked(n)
            | Subject::ProduceRequests(n)
            | Subject::Errors(n)
            | Subject::Consumed(n)
            | Subject::Processed(n)
            | Subject::Revoked(n)
            | Subject::Members(n)
            | Subject::Generation(n)
            | Subject::State(n) => write!(f, "{kw} {n}"),
            Subject::Committed { group, partition } | Subject::Lag { group, partition } => {
                write!(f, "{kw} {group} {partition}")
            }
            Subject::Assignment { group, member } => write!(f, "{kw} {group} {member}"),
        }
    }
}

impl Display for Expected {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Int(n) => write!(f, "{n}"),
            Expected::None => f.write_str("none"),
            Expected::Ints(v) if v.is_empty() => f.write_str("none"),
            Expected::Ints(v) => f.write_str(&list(v)),
            Expected::Strings(v) | Expected::Errors(v) if v.is_empty() => f.write_str("none"),
            Expected::Strings(v) | Expected::Errors(v) => {
                let items: Vec<String> = v.iter().map(|s| q(s)).collect();
                f.write_str(&items.join(","))
            }
            Expected::Partitions(v) if v.is_empty() => f.write_str("none"),
            Expected::Partitions(v) => f.write_str(&list(v)),
            Expected::State(s) => write!(f, "{s}"),
        }
    }
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.subject, self.op, self.expected)
    }
}

impl Display for Predicate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::Compare(c) => write!(f, "{c}"),
            Predicate::Idle => f.write_str("idle"),
        }
    }
}

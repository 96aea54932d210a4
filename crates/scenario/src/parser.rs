//! Line syntax: words -> [`Command`]. Everything that can be judged from one
//! line alone is judged here (arguments, numbers, names, config values,
//! predicate types); references to earlier lines are the checker's job.

use crate::ast::*;
use crate::config::{self, ConfigValue, Scope};
use crate::lexer::{self, Word};
use crate::names::API_NAMES;
pub use crate::predicate::SUBJECTS;

/// The command keywords with their usage, for messages and suggestions.
pub const USAGES: &[(&str, &str)] = &[
    ("cluster", "cluster brokers=N [seed=S] [racks=R0,R1,...] [BROKER_CONFIG=VALUE ...]"),
    ("topic", "topic create NAME partitions=P replication-factor=R [assignment=0:1:2,1:2:0,...] [TOPIC_CONFIG=VALUE ...] | topic alter NAME partitions=P"),
    ("producer", "producer NAME [PRODUCER_CONFIG=VALUE ...]"),
    ("send", "send PRODUCER TOPIC (value=V | tombstone) [key=K] [partition=P] [count=N] [headers=k1:v1,k2:v2]"),
    ("flush", "flush PRODUCER"),
    ("begin-txn", "begin-txn PRODUCER"),
    ("commit-txn", "commit-txn PRODUCER"),
    ("abort-txn", "abort-txn PRODUCER"),
    ("send-offsets-to-txn", "send-offsets-to-txn PRODUCER CONSUMER"),
    ("consumer", "consumer NAME [group=G] [CONSUMER_CONFIG=VALUE ...]"),
    ("subscribe", "subscribe CONSUMER TOPIC[,TOPIC...]"),
    ("assign", "assign CONSUMER TOPIC-P[,TOPIC-P...]"),
    ("poll", "poll CONSUMER [timeout=MS]"),
    ("process", "process CONSUMER [count=N]"),
    ("commit", "commit CONSUMER [sync|async]"),
    ("seek", "seek CONSUMER TOPIC-P (OFFSET | beginning | end | time=T)"),
    ("close", "close CONSUMER"),
    ("crash", "crash NODE"),
    ("power-off", "power-off NODE"),
    ("restart", "restart NODE"),
    ("shutdown", "shutdown NODE"),
    ("partition", "partition A,B | C,D [| ...]"),
    ("heal", "heal"),
    ("hold", "hold FROM->TO [type=REQUEST]"),
    ("release", "release FROM->TO [type=REQUEST]"),
    ("drop", "drop FROM->TO [type=REQUEST] [count=N]"),
    ("delay", "delay FROM->TO ms=N"),
    ("tick", "tick MS"),
    ("run", "run until PREDICATE [timeout=MS]"),
    ("step", "step [N]"),
    ("say", "say TEXT"),
    ("say.zh", "say.zh TEXT"),
    ("demo", "demo (title | title.zh | teaches | teaches.zh | seed.en) TEXT | demo seed FILE \"QUOTE\""),
    ("expect", "expect PREDICATE"),
];

/// The usage line of a command keyword.
pub fn usage(keyword: &str) -> &'static str {
    USAGES
        .iter()
        .find(|(k, _)| *k == keyword)
        .map(|(_, u)| *u)
        .unwrap_or("")
}

/// What one line turned into. Non-fatal errors (a bad config value) keep the
/// command so that later lines referring to it are still checked normally.
#[derive(Debug)]
pub(crate) enum LineOutcome {
    Blank,
    Command(Command, Vec<String>),
    /// The line failed; `declares` names what it tried to declare (so the
    /// checker does not report every later use of it as unknown).
    Failed {
        errors: Vec<String>,
        declares: Option<Declares>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Declares {
    Cluster,
    Topic(String),
    Client(String),
}

/// Parses one line on its own (no references checked): `Ok(None)` for blank
/// and comment-only lines.
pub fn parse_command(line: &str) -> Result<Option<Command>, Vec<String>> {
    match parse_line(line) {
        LineOutcome::Blank => Ok(None),
        LineOutcome::Command(c, errors) if errors.is_empty() => Ok(Some(c)),
        LineOutcome::Command(_, errors) => Err(errors),
        LineOutcome::Failed { errors, .. } => Err(errors),
    }
}

pub(crate) fn parse_line(line: &str) -> LineOutcome {
    // Narration is free text: it is not split into words, so a stray quote
    // in it is no error.
    let code = lexer::strip_comment(line).trim_start();
    match code.split(char::is_whitespace).next() {
        Some("say") => return LineOutcome::Command(parse_say(line), Vec::new()),
        Some("say.zh") => {
            let text = free_text(rest_after(line, "say.zh"));
            if text.is_empty() {
                return failed("say.zh: missing TEXT (usage: say.zh TEXT)".into());
            }
            return LineOutcome::Command(Command::SayZh { text }, Vec::new());
        }
        Some("demo") => {
            return match parse_demo(rest_after(line, "demo")) {
                Ok(d) => LineOutcome::Command(Command::Demo(d), Vec::new()),
                Err(e) => failed(e),
            }
        }
        _ => {}
    }
    let words = match lexer::words(line) {
        Ok(w) => w,
        Err(e) => {
            return LineOutcome::Failed {
                errors: vec![e],
                declares: None,
            }
        }
    };
    let Some(first) = words.first() else {
        return LineOutcome::Blank;
    };
    let keyword = first.text();
    let mut p = LineParser {
        keyword: keyword.clone(),
        errors: Vec::new(),
        soft_errors: Vec::new(),
    };
    let result = p.command(&words[1..]);
    match result {
        Some(c) if p.errors.is_empty() => LineOutcome::Command(c, p.soft_errors),
        _ => {
            let mut errors = p.errors;
            errors.extend(p.soft_errors);
            if errors.is_empty() {
                errors.push(format!("bad {keyword} line (usage: {})", usage(&keyword)));
            }
            LineOutcome::Failed {
                errors,
                declares: declares(&keyword, &words),
            }
        }
    }
}

fn declares(keyword: &str, words: &[Word]) -> Option<Declares> {
    let nth = |i: usize| words.get(i).and_then(Word::bare);
    match keyword {
        "cluster" => Some(Declares::Cluster),
        "producer" | "consumer" => nth(1).map(Declares::Client),
        "topic" if nth(1).as_deref() == Some("create") => nth(2).map(Declares::Topic),
        _ => None,
    }
}

fn failed(message: String) -> LineOutcome {
    LineOutcome::Failed {
        errors: vec![message],
        declares: None,
    }
}

/// The line after its comment and its first word `keyword`, trimmed.
fn rest_after<'a>(line: &'a str, keyword: &str) -> &'a str {
    let code = lexer::strip_comment(line).trim();
    code.strip_prefix(keyword).unwrap_or(code).trim()
}

/// Free text (narration, demo texts) is kept as written; a single quoted
/// word is unquoted, which is how a text can contain `#`.
fn free_text(rest: &str) -> String {
    if let Ok(words) = lexer::words(rest) {
        if words.len() == 1 && words[0].segments.len() == 1 && words[0].segments[0].quoted {
            return words[0].text();
        }
    }
    rest.to_string()
}

/// `say` keeps the rest of the line as written.
fn parse_say(line: &str) -> Command {
    Command::Say {
        text: free_text(rest_after(line, "say")),
    }
}

/// The file name of a seed (`/work/shared/seeds/`): `NNN_` and 16 hex digits.
pub fn is_seed_file_name(name: &str) -> bool {
    let b = name.as_bytes();
    name.len() == 24
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'_'
        && b[4..20]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        && name.ends_with(".txt")
}

/// `demo FIELD TEXT` | `demo seed FILE "QUOTE"` (the part after `demo`).
fn parse_demo(rest: &str) -> Result<DemoLine, String> {
    let usage = usage("demo");
    let (field, text) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(f, t)| (f, t.trim()));
    if field.is_empty() {
        return Err(format!("demo: missing FIELD (usage: {usage})"));
    }
    let need_text = |text: &str| -> Result<String, String> {
        let t = free_text(text);
        if t.is_empty() {
            Err(format!("demo {field}: missing TEXT (usage: {usage})"))
        } else {
            Ok(t)
        }
    };
    Ok(match field {
        "title" | "title.zh" | "teaches" | "teaches.zh" => {
            let lang = if field.ends_with(".zh") {
                Lang::Zh
            } else {
                Lang::En
            };
            let text = need_text(text)?;
            if field.starts_with("title") {
                DemoLine::Title { lang, text }
            } else {
                DemoLine::Teaches { lang, text }
            }
        }
        "seed.en" => DemoLine::SeedEn {
            text: need_text(text)?,
        },
        "seed" => {
            let (file, quote) = text
                .split_once(char::is_whitespace)
                .map_or((text, ""), |(f, q)| (f, q.trim()));
            if file.is_empty() {
                return Err(format!("demo seed: missing FILE (usage: {usage})"));
            }
            if !is_seed_file_name(file) {
                return Err(format!(
                    "demo seed: {} is not a seed file name (like 004_b6897ffb7d1866c9.txt)",
                    lexer::quote_if_needed(file)
                ));
            }
            let quote = free_text(quote);
            if quote.is_empty() {
                return Err(format!(
                    "demo seed: missing the quoted seed line (usage: {usage})"
                ));
            }
            DemoLine::Seed {
                file: file.to_string(),
                quote,
            }
        }
        other => {
            let fields = [
                "title",
                "title.zh",
                "teaches",
                "teaches.zh",
                "seed",
                "seed.en",
            ];
            return Err(match config::suggest(other, fields) {
                Some(s) => format!("demo: unknown field {other} (did you mean {s}?)"),
                None => format!(
                    "demo: unknown field {} (usage: {usage})",
                    lexer::quote_if_needed(other)
                ),
            });
        }
    })
}

/// Positional words and `key=value` options of one command line.
struct Args {
    positional: Vec<Word>,
    named: Vec<(String, Word)>,
}

impl Args {
    fn take(&mut self, key: &str) -> Option<Word> {
        let i = self.named.iter().position(|(k, _)| k == key)?;
        Some(self.named.remove(i).1)
    }
}

/// A word is an option if it has an unquoted `=` after a plain lowercase key
/// (so `v==3` or `"a=b"` stay positional).
fn split_option(word: &Word) -> Option<(String, Word)> {
    let (key, value) = word.split_once('=')?;
    let key = key.bare()?;
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    plain.then_some((key, value))
}

pub(crate) struct LineParser {
    pub(crate) keyword: String,
    /// Errors that make the line unusable.
    pub(crate) errors: Vec<String>,
    /// Errors in config values: the command is still produced.
    soft_errors: Vec<String>,
}

impl LineParser {
    pub(crate) fn fail<T>(&mut self, msg: impl Into<String>) -> Option<T> {
        self.errors.push(msg.into());
        None
    }

    pub(crate) fn usage(&self) -> &'static str {
        usage(&self.keyword)
    }

    /// Splits the arguments, rejecting repeated options.
    fn args(&mut self, words: &[Word]) -> Args {
        let mut args = Args {
            positional: Vec::new(),
            named: Vec::new(),
        };
        for w in words {
            match split_option(w) {
                Some((k, v)) => {
                    if args.named.iter().any(|(n, _)| *n == k) {
                        self.errors
                            .push(format!("{}: {k}= given twice", self.keyword));
                    } else {
                        args.named.push((k, v));
                    }
                }
                None => args.positional.push(w.clone()),
            }
        }
        args
    }

    /// Requires exactly `names.len()` positional arguments.
    fn positional(&mut self, args: &Args, names: &[&str]) -> Option<Vec<Word>> {
        let n = args.positional.len();
        if n < names.len() {
            return self.fail(format!(
                "{}: missing {} (usage: {})",
                self.keyword,
                names[n],
                self.usage()
            ));
        }
        if n > names.len() {
            return self.fail(format!(
                "{}: unexpected argument {} (usage: {})",
                self.keyword,
                args.positional[names.len()].source(),
                self.usage()
            ));
        }
        Some(args.positional.clone())
    }

    /// Rejects options nobody took.
    fn no_more_options(&mut self, args: &Args) -> Option<()> {
        if let Some((k, _)) = args.named.first() {
            return self.fail(format!(
                "{}: unknown option {k}= (usage: {})",
                self.keyword,
                self.usage()
            ));
        }
        Some(())
    }

    fn command(&mut self, rest: &[Word]) -> Option<Command> {
        match self.keyword.as_str() {
            "cluster" => self.cluster(rest),
            "topic" => self.topic(rest),
            "producer" => self.producer(rest),
            "send" => self.send(rest),
            "flush" | "begin-txn" | "commit-txn" | "abort-txn" => {
                let producer = self.one_name(rest, "PRODUCER")?;
                Some(match self.keyword.as_str() {
                    "flush" => Command::Flush { producer },
                    "begin-txn" => Command::BeginTxn { producer },
                    "commit-txn" => Command::CommitTxn { producer },
                    _ => Command::AbortTxn { producer },
                })
            }
            "send-offsets-to-txn" => {
                let args = self.args(rest);
                let pos = self.positional(&args, &["PRODUCER", "CONSUMER"])?;
                let producer = self.client_name(&pos[0])?;
                let consumer = self.client_name(&pos[1])?;
                self.no_more_options(&args)?;
                Some(Command::SendOffsetsToTxn { producer, consumer })
            }
            "consumer" => self.consumer(rest),
            "subscribe" => {
                let args = self.args(rest);
                let pos = self.positional(&args, &["CONSUMER", "TOPIC[,TOPIC...]"])?;
                self.no_more_options(&args)?;
                let consumer = self.client_name(&pos[0])?;
                let mut topics = Vec::new();
                for t in pos[1].split_all(',') {
                    topics.push(self.topic_name(&t)?);
                }
                Some(Command::Subscribe { consumer, topics })
            }
            "assign" => {
                let args = self.args(rest);
                let pos = self.positional(&args, &["CONSUMER", "TOPIC-P[,TOPIC-P...]"])?;
                self.no_more_options(&args)?;
                let consumer = self.client_name(&pos[0])?;
                let mut partitions = Vec::new();
                for p in pos[1].split_all(',') {
                    partitions.push(self.partition_ref(&p)?);
                }
                Some(Command::Assign {
                    consumer,
                    partitions,
                })
            }
            "poll" => {
                let mut args = self.args(rest);
                let pos = self.positional(&args, &["CONSUMER"])?;
                let consumer = self.client_name(&pos[0])?;
                let timeout_ms = match args.take("timeout") {
                    Some(w) => self.number("timeout", &w, 0)?,
                    None => DEFAULT_POLL_TIMEOUT_MS,
                };
                self.no_more_options(&args)?;
                Some(Command::Poll {
                    consumer,
                    timeout_ms,
                })
            }
            "process" => {
                let mut args = self.args(rest);
                let pos = self.positional(&args, &["CONSUMER"])?;
                let consumer = self.client_name(&pos[0])?;
                let count = match args.take("count") {
                    Some(w) => Some(self.number("count", &w, 1)?),
                    None => None,
                };
                self.no_more_options(&args)?;
                Some(Command::Process { consumer, count })
            }
            "commit" => {
                let args = self.args(rest);
                self.no_more_options(&args)?;
                let (consumer, mode) = match args.positional.as_slice() {
                    [c] => (c, CommitMode::Sync),
                    [c, m] => match m.bare().as_deref() {
                        Some("sync") => (c, CommitMode::Sync),
                        Some("async") => (c, CommitMode::Async),
                        _ => {
                            return self.fail(format!(
                                "commit: expected sync or async, not {}",
                                m.source()
                            ))
                        }
                    },
                    _ => {
                        self.positional(&args, &["CONSUMER"])?;
                        return None;
                    }
                };
                let consumer = self.client_name(consumer)?;
                Some(Command::Commit { consumer, mode })
            }
            "seek" => self.seek(rest),
            "close" => {
                let consumer = self.one_name(rest, "CONSUMER")?;
                Some(Command::Close { consumer })
            }
            "crash" | "power-off" | "restart" | "shutdown" => {
                let args = self.args(rest);
                let pos = self.positional(&args, &["NODE"])?;
                self.no_more_options(&args)?;
                let node = self.node(&pos[0])?;
                Some(match self.keyword.as_str() {
                    "crash" => Command::Crash { node },
                    "power-off" => Command::PowerOff { node },
                    "restart" => Command::Restart { node },
                    _ => Command::Shutdown { node },
                })
            }
            "partition" => self.network_partition(rest),
            "heal" => {
                let args = self.args(rest);
                self.positional(&args, &[])?;
                self.no_more_options(&args)?;
                Some(Command::Heal)
            }
            "hold" | "release" | "drop" | "delay" => self.link_rule(rest),
            "tick" => {
                let args = self.args(rest);
                let pos = self.positional(&args, &["MS"])?;
                self.no_more_options(&args)?;
                let ms = self.positional_number("MS", &pos[0], 0)?;
                Some(Command::Tick { ms })
            }
            "step" => {
                let args = self.args(rest);
                self.no_more_options(&args)?;
                let n = match args.positional.as_slice() {
                    [] => 1,
                    [n] => self.positional_number("N", n, 1)?,
                    _ => {
                        self.positional(&args, &["N"])?;
                        return None;
                    }
                };
                Some(Command::Step { n })
            }
            "run" => {
                if rest.first().and_then(Word::bare).as_deref() != Some("until") {
                    return self.fail(format!("run: expected until (usage: {})", self.usage()));
                }
                let (predicate, tail) = self.predicate(&rest[1..], true)?;
                let mut args = self.args(tail);
                let timeout_ms = match args.take("timeout") {
                    Some(w) => self.number("timeout", &w, 0)?,
                    None => DEFAULT_RUN_UNTIL_TIMEOUT_MS,
                };
                self.no_more_options(&args)?;
                self.nothing_after_predicate(&args.positional)?;
                Some(Command::RunUntil {
                    predicate,
                    timeout_ms,
                })
            }
            "expect" => {
                let (predicate, tail) = self.predicate(rest, false)?;
                self.nothing_after_predicate(tail)?;
                Some(Command::Expect { predicate })
            }
            other => {
                let keywords = USAGES.iter().map(|(k, _)| *k);
                let msg = match config::suggest(other, keywords) {
                    Some(s) => format!("unknown command {other} (did you mean {s}?)"),
                    None => format!("unknown command {}", lexer::quote_if_needed(other)),
                };
                self.fail(msg)
            }
        }
    }

    fn nothing_after_predicate(&mut self, tail: &[Word]) -> Option<()> {
        match tail.first() {
            None => Some(()),
            Some(w) => self.fail(format!(
                "{}: unexpected {} after the predicate (lists are written without blanks: 0,1,2)",
                self.keyword,
                w.source()
            )),
        }
    }

    fn one_name(&mut self, rest: &[Word], what: &str) -> Option<String> {
        let args = self.args(rest);
        let pos = self.positional(&args, &[what])?;
        self.no_more_options(&args)?;
        self.client_name(&pos[0])
    }

    // ---- values ----

    /// A non-negative integer >= `min` for option or argument `what`.
    fn number(&mut self, what: &str, w: &Word, min: u64) -> Option<u64> {
        match w.bare().and_then(|s| s.parse::<u64>().ok()) {
            Some(n) if n >= min => Some(n),
            _ => self.fail(format!(
                "{what}={} is not valid: expected an integer >= {min}",
                w.text()
            )),
        }
    }

    /// A positional integer argument >= `min` (`tick MS`, `step N`).
    fn positional_number(&mut self, what: &str, w: &Word, min: u64) -> Option<u64> {
        match w.bare().and_then(|s| s.parse::<u64>().ok()) {
            Some(n) if n >= min => Some(n),
            _ => self.fail(format!(
                "{}: {what} must be an integer >= {min}, not {}",
                self.keyword,
                w.source()
            )),
        }
    }

    /// An i32 >= `min` (partition counts, broker ids, partition numbers).
    fn int32(&mut self, what: &str, w: &Word, min: i32) -> Option<i32> {
        match w.bare().and_then(|s| s.parse::<i32>().ok()) {
            Some(n) if n >= min => Some(n),
            _ => self.fail(format!(
                "{what}={} is not valid: expected an integer >= {min}",
                w.text()
            )),
        }
    }

    pub(crate) fn client_name(&mut self, w: &Word) -> Option<String> {
        match check_client_name(&w.text(), w.is_quoted()) {
            Ok(name) => Some(name),
            Err(e) => self.fail(e),
        }
    }

    fn topic_name(&mut self, w: &Word) -> Option<String> {
        let name = w.text();
        if !w.is_quoted() && is_valid_topic_name(&name) {
            return Some(name);
        }
        self.fail(format!(
            "bad topic name {}: Kafka topic names are 1 to 249 of a-z A-Z 0-9 . _ - (and not . or ..)",
            w.source()
        ))
    }

    pub(crate) fn partition_ref(&mut self, w: &Word) -> Option<PartitionRef> {
        match w.bare().as_deref().and_then(parse_partition_ref) {
            Some(p) => Some(p),
            None => self.fail(format!(
                "bad partition {}: expected TOPIC-P, e.g. orders-0",
                w.source()
            )),
        }
    }

    pub(crate) fn replica_ref(&mut self, w: &Word) -> Option<ReplicaRef> {
        match w.bare().as_deref().and_then(parse_replica_ref) {
            Some(r) => Some(r),
            None => self.fail(format!(
                "bad replica {}: expected TOPIC-P@BROKER, e.g. orders-0@2",
                w.source()
            )),
        }
    }

    fn node(&mut self, w: &Word) -> Option<Node> {
        match w.bare().as_deref().map(parse_node) {
            Some(Ok(n)) => Some(n),
            Some(Err(e)) => self.fail(e),
            None => self.fail(format!(
                "bad node {}: expected a broker id, zk or a client name",
                w.source()
            )),
        }
    }

    fn link(&mut self, w: &Word) -> Option<Link> {
        let text = w.bare().unwrap_or_default();
        let Some((from, to)) = text.split_once("->") else {
            return self.fail(format!(
                "bad link {}: expected FROM->TO, e.g. 0->1 or p->2",
                w.source()
            ));
        };
        let from = match parse_node(from) {
            Ok(n) => n,
            Err(e) => return self.fail(e),
        };
        let to = match parse_node(to) {
            Ok(n) => n,
            Err(e) => return self.fail(e),
        };
        if from == to {
            return self.fail(format!("bad link {text}: a link joins two different nodes"));
        }
        Some(Link { from, to })
    }

    /// Reads `NAME=VALUE` options as Kafka configs of `scope`. Bad values are
    /// soft errors: the setting is left out, the command survives.
    fn configs(&mut self, args: Args, scope: Scope, options: &[&str]) -> Vec<Setting> {
        let mut out = Vec::new();
        for (name, value) in args.named {
            match config::validate(scope, &name, &value.text()) {
                Ok(v) => out.push(Setting { name, value: v }),
                Err(e) => {
                    // A mistyped option of the command itself reads better
                    // as such than as an unknown config.
                    let is_config = config::lookup_any(&name).next().is_some();
                    match config::suggest(&name, options.iter().copied()) {
                        Some(o) if !is_config => self.soft_errors.push(format!(
                            "{}: unknown option {name}= (did you mean {o}=?)",
                            self.keyword
                        )),
                        _ => self.soft_errors.push(e),
                    }
                }
            }
        }
        out
    }

    // ---- commands ----

    fn cluster(&mut self, rest: &[Word]) -> Option<Command> {
        let mut args = self.args(rest);
        self.positional(&args, &[])?;
        let Some(brokers) = args.take("brokers") else {
            return self.fail(format!(
                "cluster: missing brokers=N (usage: {})",
                self.usage()
            ));
        };
        let brokers = self.int32("brokers", &brokers, 1)?;
        let seed = match args.take("seed") {
            Some(w) => match w.bare().and_then(|s| s.parse::<u64>().ok()) {
                Some(s) => Some(s),
                None => {
                    return self.fail(format!(
                        "seed={} is not valid: expected an integer from 0 to {}",
                        w.text(),
                        u64::MAX
                    ))
                }
            },
            None => None,
        };
        let racks = match args.take("racks") {
            Some(w) => {
                let racks: Vec<String> = w.split_all(',').iter().map(Word::text).collect();
                if racks.len() != brokers as usize {
                    return self.fail(format!(
                        "racks= lists {} racks for {brokers} brokers: give one rack per broker, in broker id order",
                        racks.len()
                    ));
                }
                if racks.iter().any(String::is_empty) {
                    return self.fail("racks= has an empty rack name");
                }
                Some(racks)
            }
            None => None,
        };
        if args.named.iter().any(|(k, _)| k == "broker.rack") {
            return self.fail("cluster: broker.rack is per broker: use racks=R0,R1,...");
        }
        let configs = self.configs(args, Scope::Broker, &["brokers", "seed", "racks"]);
        Some(Command::Cluster {
            brokers,
            seed,
            racks,
            configs,
        })
    }

    fn topic(&mut self, rest: &[Word]) -> Option<Command> {
        let sub = rest.first().and_then(Word::bare);
        match sub.as_deref() {
            Some("create") => {
                let mut args = self.args(&rest[1..]);
                let pos = self.positional(&args, &["NAME"])?;
                let name = self.topic_name(&pos[0])?;
                let Some(p) = args.take("partitions") else {
                    return self.fail(format!(
                        "topic create: missing partitions=P (usage: {})",
                        self.usage()
                    ));
                };
                let partitions = self.int32("partitions", &p, 1)?;
                let Some(rf) = args.take("replication-factor") else {
                    return self.fail(format!(
                        "topic create: missing replication-factor=R (usage: {})",
                        self.usage()
                    ));
                };
                let replication_factor = self.int32("replication-factor", &rf, 1)?;
                let assignment = match args.take("assignment") {
                    Some(w) => Some(self.assignment(&w, partitions, replication_factor)?),
                    None => None,
                };
                let configs = self.configs(
                    args,
                    Scope::Topic,
                    &["partitions", "replication-factor", "assignment"],
                );
                Some(Command::TopicCreate {
                    name,
                    partitions,
                    replication_factor,
                    assignment,
                    configs,
                })
            }
            Some("alter") => {
                let mut args = self.args(&rest[1..]);
                let pos = self.positional(&args, &["NAME"])?;
                let name = self.topic_name(&pos[0])?;
                let Some(p) = args.take("partitions") else {
                    return self.fail(
                        "topic alter: missing partitions=P (usage: topic alter NAME partitions=P)",
                    );
                };
                let partitions = self.int32("partitions", &p, 1)?;
                self.no_more_options(&args)?;
                Some(Command::TopicAlter { name, partitions })
            }
            _ => self.fail(format!(
                "topic: expected create or alter (usage: {})",
                self.usage()
            )),
        }
    }

    /// `assignment=0:1:2,1:2:0`: one entry per partition, `replication-factor`
    /// distinct broker ids each (as `kafka-topics.sh --replica-assignment`).
    fn assignment(&mut self, w: &Word, partitions: i32, rf: i32) -> Option<Vec<Vec<i32>>> {
        let text = w.text();
        let mut out = Vec::new();
        for (p, part) in text.split(',').enumerate() {
            let mut replicas = Vec::new();
            for b in part.split(':') {
                match b.parse::<i32>() {
                    Ok(id) if id >= 0 => {
                        if replicas.contains(&id) {
                            return self.fail(format!(
                                "assignment={text}: partition {p} lists broker {id} twice"
                            ));
                        }
                        replicas.push(id);
                    }
                    _ => {
                        return self.fail(format!(
                            "assignment={text} is not valid: expected broker ids like 0:1:2,1:2:0"
                        ))
                    }
                }
            }
            if replicas.len() != rf as usize {
                return self.fail(format!(
                    "assignment={text}: partition {p} has {} replicas, expected replication-factor={rf}",
                    replicas.len()
                ));
            }
            out.push(replicas);
        }
        if out.len() != partitions as usize {
            return self.fail(format!(
                "assignment={text} gives {} partitions, expected partitions={partitions}",
                out.len()
            ));
        }
        Some(out)
    }

    fn producer(&mut self, rest: &[Word]) -> Option<Command> {
        let args = self.args(rest);
        let pos = self.positional(&args, &["NAME"])?;
        let name = self.client_name(&pos[0])?;
        let configs = self.configs(args, Scope::Producer, &[]);
        Some(Command::Producer { name, configs })
    }

    fn consumer(&mut self, rest: &[Word]) -> Option<Command> {
        let mut args = self.args(rest);
        let pos = self.positional(&args, &["NAME"])?;
        let name = self.client_name(&pos[0])?;
        let group = args.take("group");
        let group_id = args.take("group.id");
        let group = match (group, group_id) {
            (Some(_), Some(_)) => {
                return self
                    .fail("consumer: group= and group.id= both given: they are the same setting")
            }
            (Some(g), None) | (None, Some(g)) => Some(self.group_name(&g)?),
            (None, None) => None,
        };
        let configs = self.configs(args, Scope::Consumer, &["group"]);
        Some(Command::Consumer {
            name,
            group,
            configs,
        })
    }

    pub(crate) fn group_name(&mut self, w: &Word) -> Option<String> {
        let name = w.text();
        if !w.is_quoted() && is_valid_group_name(&name) {
            return Some(name);
        }
        self.fail(format!(
            "bad group name {}: expected letters, digits, . _ -",
            w.source()
        ))
    }

    fn send(&mut self, rest: &[Word]) -> Option<Command> {
        let mut args = self.args(rest);
        let tombstone = match args.positional.last().and_then(Word::bare).as_deref() {
            Some("tombstone") if args.positional.len() == 3 => {
                args.positional.pop();
                true
            }
            _ => false,
        };
        let pos = self.positional(&args, &["PRODUCER", "TOPIC"])?;
        let producer = self.client_name(&pos[0])?;
        let topic = self.topic_name(&pos[1])?;
        let value = match (args.take("value"), tombstone) {
            (Some(_), true) => {
                return self
                    .fail("send: value= and tombstone both given: a tombstone has a null value")
            }
            (Some(w), false) => Some(Template(w.text())),
            (None, true) => None,
            (None, false) => {
                return self.fail(format!("send: missing value=V (usage: {})", self.usage()))
            }
        };
        let key = match args.take("key") {
            Some(w) if w.is_empty() => {
                return self.fail("send: key= needs a value (write key=\"\" for an empty key)")
            }
            Some(w) => Some(Template(w.text())),
            None => None,
        };
        let partition = match args.take("partition") {
            Some(w) => Some(self.int32("partition", &w, 0)?),
            None => None,
        };
        let count = match args.take("count") {
            Some(w) => self.number("count", &w, 1)?,
            None => 1,
        };
        let headers = match args.take("headers") {
            Some(w) => self.headers(&w)?,
            None => Vec::new(),
        };
        self.no_more_options(&args)?;
        Some(Command::Send {
            producer,
            topic,
            value,
            key,
            partition,
            count,
            headers,
        })
    }

    fn headers(&mut self, w: &Word) -> Option<Vec<(String, String)>> {
        let mut out = Vec::new();
        for h in w.split_all(',') {
            match h.split_once(':') {
                Some((k, v)) if !k.is_empty() => out.push((k.text(), v.text())),
                _ => {
                    return self.fail(format!(
                        "headers={} is not valid: expected k1:v1,k2:v2",
                        w.text()
                    ))
                }
            }
        }
        Some(out)
    }

    fn seek(&mut self, rest: &[Word]) -> Option<Command> {
        let mut args = self.args(rest);
        let time = args.take("time");
        let names: &[&str] = if time.is_some() {
            &["CONSUMER", "TOPIC-P"]
        } else {
            &["CONSUMER", "TOPIC-P", "OFFSET | beginning | end | time=T"]
        };
        let pos = self.positional(&args, names)?;
        self.no_more_options(&args)?;
        let consumer = self.client_name(&pos[0])?;
        let partition = self.partition_ref(&pos[1])?;
        let target = match time {
            Some(w) => match w.bare().and_then(|s| s.parse::<i64>().ok()) {
                Some(t) if t >= 0 => SeekTarget::Time(t),
                _ => {
                    return self.fail(format!(
                        "time={} is not valid: expected a timestamp in ms >= 0",
                        w.text()
                    ))
                }
            },
            None => match pos[2].bare().as_deref() {
                Some("beginning") => SeekTarget::Beginning,
                Some("end") => SeekTarget::End,
                _ => match pos[2].bare().and_then(|s| s.parse::<i64>().ok()) {
                    Some(o) if o >= 0 => SeekTarget::Offset(o),
                    _ => {
                        return self.fail(format!(
                            "seek: expected an offset >= 0, beginning, end or time=T, not {}",
                            pos[2].source()
                        ))
                    }
                },
            },
        };
        Some(Command::Seek {
            consumer,
            partition,
            target,
        })
    }

    /// `partition 0,1 | 2,zk`: the words are re-joined so `0,1|2` works too.
    fn network_partition(&mut self, rest: &[Word]) -> Option<Command> {
        if rest.iter().any(Word::is_quoted) {
            return self.fail("partition: node names are never quoted");
        }
        let text: String = rest.iter().map(Word::text).collect::<Vec<_>>().join(" ");
        let mut groups: Vec<Vec<Node>> = Vec::new();
        for group in text.split('|') {
            let mut nodes = Vec::new();
            for name in group.split(',').map(str::trim) {
                if name.is_empty() {
                    return self.fail(format!(
                        "partition: empty node name in {:?} (usage: {})",
                        text,
                        self.usage()
                    ));
                }
                let node = match parse_node(name) {
                    Ok(n) => n,
                    Err(e) => return self.fail(e),
                };
                if groups
                    .iter()
                    .flatten()
                    .chain(nodes.iter())
                    .any(|n| *n == node)
                {
                    return self.fail(format!("partition: {name} is named twice"));
                }
                nodes.push(node);
            }
            groups.push(nodes);
        }
        if groups.len() < 2 {
            return self.fail(format!(
                "partition: expected at least two groups separated by | (usage: {})",
                self.usage()
            ));
        }
        Some(Command::Partition { groups })
    }

    fn link_rule(&mut self, rest: &[Word]) -> Option<Command> {
        let mut args = self.args(rest);
        let pos = self.positional(&args, &["FROM->TO"])?;
        let link = self.link(&pos[0])?;
        if self.keyword == "delay" {
            let Some(ms) = args.take("ms") else {
                return self.fail(format!("delay: missing ms=N (usage: {})", self.usage()));
            };
            let ms = self.number("ms", &ms, 0)?;
            self.no_more_options(&args)?;
            return Some(Command::Delay { link, ms });
        }
        let api = match args.take("type") {
            Some(w) => Some(self.api_name(&w)?),
            None => None,
        };
        let count = if self.keyword == "drop" {
            match args.take("count") {
                Some(w) => Some(self.number("count", &w, 1)?),
                None => None,
            }
        } else {
            None
        };
        self.no_more_options(&args)?;
        Some(match self.keyword.as_str() {
            "hold" => Command::Hold { link, api },
            "release" => Command::Release { link, api },
            _ => Command::Drop { link, api, count },
        })
    }

    fn api_name(&mut self, w: &Word) -> Option<String> {
        let name = w.text();
        if let Some(api) = API_NAMES.iter().find(|a| **a == name) {
            return Some(api.to_string());
        }
        match config::suggest(&name, API_NAMES.iter().copied()) {
            Some(s) => self.fail(format!("unknown Kafka API {name} (did you mean {s}?)")),
            None => self.fail(format!(
                "unknown Kafka API {}: expected a name like Produce, Fetch, LeaderAndIsr",
                w.source()
            )),
        }
    }
}

// ---- name rules shared with the checker ----

/// Kafka's topic name rule (`Topic.validate`): legal characters, length.
pub fn is_valid_topic_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub fn is_valid_group_name(name: &str) -> bool {
    is_valid_topic_name(name)
}

/// A client name: letters, digits, `.`, `_`, `-`; never all digits (that is a
/// broker) and never `zk`.
pub fn check_client_name(name: &str, quoted: bool) -> Result<String, String> {
    if name == "zk" {
        return Err("zk is the metadata node, not a client name".to_string());
    }
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "client name {name} is all digits: digits name a broker; pick a name like p{name}"
        ));
    }
    let ok = !quoted
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!(
            "bad client name {}: expected letters, digits, . _ -",
            lexer::quote_if_needed(name)
        ))
    }
}

/// `TOPIC-P`: the last `-` separates the partition number.
pub fn parse_partition_ref(s: &str) -> Option<PartitionRef> {
    let (topic, p) = s.rsplit_once('-')?;
    if !is_valid_topic_name(topic) || p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(PartitionRef {
        topic: topic.to_string(),
        partition: p.parse().ok()?,
    })
}

/// `TOPIC-P@B`.
pub fn parse_replica_ref(s: &str) -> Option<ReplicaRef> {
    let (p, b) = s.rsplit_once('@')?;
    if b.is_empty() || !b.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(ReplicaRef {
        partition: parse_partition_ref(p)?,
        broker: b.parse().ok()?,
    })
}

/// A broker id, `zk`, or a client name.
pub fn parse_node(s: &str) -> Result<Node, String> {
    if s == "zk" {
        return Ok(Node::Zk);
    }
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s
            .parse::<i32>()
            .map(Node::Broker)
            .map_err(|_| format!("broker id {s} is too large"));
    }
    check_client_name(s, false).map(Node::Client).map_err(|_| {
        format!(
            "bad node {}: expected a broker id, zk or a client name",
            lexer::quote_if_needed(s)
        )
    })
}

/// Config values of a parsed setting list, by name (last wins).
pub fn setting<'a>(configs: &'a [Setting], name: &str) -> Option<&'a ConfigValue> {
    configs
        .iter()
        .rev()
        .find(|s| s.name == name)
        .map(|s| &s.value)
}

//! The runner's consumer commands (`consumer`, `subscribe`, `assign`,
//! `poll`, `process`, `commit`, `seek`, `close`), as the scenario language
//! describes them:
//! - `poll C [timeout=MS]`: the run goes on until the poll returns (records
//!   arrived, or MS passed); at most `max.poll.records` are delivered.
//! - `commit C sync`: the run goes on until the commit is acknowledged or
//!   refused (at most `default.api.timeout.ms`, 60 s, as `commitSync()`).
//! - What Kafka's consumer throws to the application (`poll`, `commit`) is
//!   narrated (`poll c: CommitFailedException: ...`) and the run goes on:
//!   scenarios show those exceptions, they are not runner failures. Misuse
//!   that the checker cannot see (subscribe after assign, seek on an
//!   unassigned partition, a command to a crashed consumer) fails the run.

use broker::api::TopicPartition;
use client::consumer::SeekTo;
use scenario::{Command, CommitMode, SeekTarget};

use crate::cluster::Cluster;
use crate::consumer_node::{consumer_config, PollOutcome, Subscription};

/// Runs a consumer command; `None` for other commands.
pub fn exec(c: &mut Cluster, cmd: &Command, lines: &mut Vec<String>) -> Option<Result<(), String>> {
    Some(match cmd {
        Command::Consumer {
            name,
            group,
            configs,
        } => {
            let settings: Vec<(String, String)> = configs
                .iter()
                .map(|s| (s.name.clone(), s.value.to_string()))
                .collect();
            consumer_config(name, group.as_deref(), &settings).map(|cfg| {
                c.add_consumer(name, cfg);
            })
        }
        Command::Subscribe { consumer, topics } => {
            subscribe(c, consumer, Subscription::Topics(topics.clone()))
        }
        Command::Assign {
            consumer,
            partitions,
        } => subscribe(
            c,
            consumer,
            Subscription::Partitions(
                partitions
                    .iter()
                    .map(|p| TopicPartition::new(&p.topic, p.partition))
                    .collect(),
            ),
        ),
        Command::Poll {
            consumer,
            timeout_ms,
        } => poll(c, consumer, *timeout_ms, lines),
        Command::Process { consumer, count } => c.with_consumer(consumer, |n, _, _| {
            n.consumer.process(count.map(|n| n as usize));
        }),
        Command::Commit { consumer, mode } => commit(c, consumer, *mode, lines),
        Command::Seek {
            consumer,
            partition,
            target,
        } => {
            let tp = TopicPartition::new(&partition.topic, partition.partition);
            let to = match target {
                SeekTarget::Offset(o) => SeekTo::Offset(*o),
                SeekTarget::Beginning => SeekTo::Beginning,
                SeekTarget::End => SeekTo::End,
                SeekTarget::Time(t) => SeekTo::Time(*t),
            };
            c.with_consumer(consumer, |n, now, out| {
                n.call(now, out, |k, now, buf| k.seek(now, &tp, to, buf))
            })
            .and_then(|r| r.map_err(|e| format!("seek {consumer}: {e}")))
        }
        Command::Close { consumer } => c.with_consumer(consumer, |n, now, out| {
            n.call(now, out, |k, now, buf| k.close(now, buf))
        }),
        _ => return None,
    })
}

fn subscribe(c: &mut Cluster, name: &str, s: Subscription) -> Result<(), String> {
    c.with_consumer(name, |n, now, out| n.subscribe(now, s, out))?
        .map_err(|e| format!("{name}: {e}"))
}

fn poll(
    c: &mut Cluster,
    name: &str,
    timeout_ms: u64,
    lines: &mut Vec<String>,
) -> Result<(), String> {
    c.with_consumer(name, |n, now, out| n.start_poll(now, timeout_ms, out))?;
    let id = c.client_id(name).expect("a consumer");
    // The poll timer fires at the deadline; a crash of the consumer (by
    // nothing in this command) would also end the wait.
    c.run_until(timeout_ms + 1, |c| {
        c.life(id) != crate::Life::Up
            || c.consumer_node(name)
                .is_some_and(|n| n.poll_outcome.is_some())
    });
    match c.consumer_node(name).and_then(|n| n.poll_outcome.clone()) {
        Some(PollOutcome::Records(_)) => Ok(()),
        Some(PollOutcome::Error(e)) => {
            lines.push(format!("poll {name}: {e}"));
            Ok(())
        }
        None => Err(format!("poll {name} did not return within {timeout_ms} ms")),
    }
}

fn commit(
    c: &mut Cluster,
    name: &str,
    mode: CommitMode,
    lines: &mut Vec<String>,
) -> Result<(), String> {
    let r = c.with_consumer(name, |n, now, out| {
        n.call(now, out, |k, now, buf| match mode {
            CommitMode::Sync => k.commit_sync(now, buf),
            CommitMode::Async => k.commit_async(now, buf),
        })
    })?;
    if let Err(e) = r {
        let text = e.to_string();
        lines.push(format!("commit {name}: {text}"));
        c.with_consumer(name, |n, _, _| n.note_error(&text))?;
        return Ok(());
    }
    if mode == CommitMode::Async {
        return Ok(());
    }
    // commitSync() without a timeout waits default.api.timeout.ms.
    let limit = c
        .consumer(name)
        .map_or(60_000, |k| k.config().default_api_timeout_ms);
    let done = c.run_until(limit, |c| {
        c.consumer(name).is_none_or(|k| !k.commit_pending())
    });
    if !done {
        lines.push(format!(
            "commit {name}: TimeoutException: commitSync did not complete within {limit} ms"
        ));
    }
    Ok(())
}

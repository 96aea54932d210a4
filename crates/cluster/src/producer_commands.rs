//! The runner's transactional producer commands (`begin-txn`,
//! `commit-txn`, `abort-txn`, `send-offsets-to-txn`) and the blocking
//! `initTransactions()` that `producer NAME transactional.id=...` (and a
//! restart of that producer) makes:
//! - A blocking call runs until it returns, at most `max.block.ms`, as in
//!   Kafka's client.
//! - What Kafka's producer throws to the application (ProducerFenced,
//!   an abortable error, an illegal state) is narrated
//!   (`commit-txn p: ProducerFencedException: ...`) and the run goes on:
//!   scenarios show those exceptions, they are not runner failures.
//! - `send-offsets-to-txn P C` sends C's current positions with C's group
//!   metadata (`consumer.groupMetadata()`), as a read-process-write
//!   application does before committing.

use broker::Output;
use scenario::Command;

use crate::cluster::Cluster;
use crate::producer::{CallOutcome, GroupOffsets, Producer};

/// Runs a transactional command; `None` for other commands.
pub fn exec(c: &mut Cluster, cmd: &Command, lines: &mut Vec<String>) -> Option<Result<(), String>> {
    Some(match cmd {
        Command::BeginTxn { producer } => c
            .with_producer(producer, |p, _, _| p.begin_transaction())
            .ok_or_else(|| format!("producer {producer} is not running"))
            .map(|r| {
                if let Err(e) = r {
                    lines.push(format!("begin-txn {producer}: {e}"));
                }
            }),
        Command::CommitTxn { producer } => {
            blocking(c, producer, "commit-txn", lines, |p, now, out| {
                p.commit_transaction(now, out)
            })
        }
        Command::AbortTxn { producer } => {
            blocking(c, producer, "abort-txn", lines, |p, now, out| {
                p.abort_transaction(now, out)
            })
        }
        Command::SendOffsetsToTxn { producer, consumer } => match group_offsets(c, consumer) {
            Ok(g) => blocking(
                c,
                producer,
                "send-offsets-to-txn",
                lines,
                move |p, now, out| p.send_offsets_to_transaction(now, g, out),
            ),
            Err(e) => Err(e),
        },
        _ => return None,
    })
}

/// `initTransactions()` for a transactional producer just created or
/// restarted; nothing for others.
pub fn init_if_transactional(
    c: &mut Cluster,
    name: &str,
    lines: &mut Vec<String>,
) -> Result<(), String> {
    if c.producer(name).is_some_and(|p| p.txn.is_transactional()) {
        blocking(c, name, "init-transactions", lines, |p, now, out| {
            p.init_transactions(now, out)
        })
    } else {
        Ok(())
    }
}

/// The consumer's positions and group metadata.
fn group_offsets(c: &Cluster, name: &str) -> Result<GroupOffsets, String> {
    let k = c
        .consumer(name)
        .ok_or_else(|| format!("there is no consumer {name}"))?;
    let group_id = k
        .config()
        .group_id
        .clone()
        .ok_or_else(|| format!("consumer {name} has no group"))?;
    Ok(GroupOffsets {
        group_id,
        generation_id: k.generation(),
        member_id: k.member_id().to_string(),
        group_instance_id: k.config().group_instance_id.clone(),
        offsets: k.positions(),
    })
}

fn blocking(
    c: &mut Cluster,
    name: &str,
    what: &str,
    lines: &mut Vec<String>,
    f: impl FnOnce(&mut Producer, u64, &mut Vec<Output>) -> Result<(), String>,
) -> Result<(), String> {
    let limit = c
        .producer(name)
        .ok_or_else(|| format!("there is no producer {name}"))?
        .config
        .max_block_ms;
    let r = c
        .with_producer(name, f)
        .ok_or_else(|| format!("producer {name} is not running"))?;
    if let Err(e) = r {
        lines.push(format!("{what} {name}: {e}"));
        return Ok(());
    }
    let id = c.client_id(name).expect("a producer");
    c.run_until(limit, |c| {
        c.life(id) != crate::Life::Up
            || c.producer(name)
                .is_none_or(|p| p.call_outcome() != Some(&CallOutcome::Pending))
    });
    match c.producer(name).and_then(|p| p.call_outcome().cloned()) {
        Some(CallOutcome::Failed(e)) => lines.push(format!("{what} {name}: {e}")),
        Some(CallOutcome::Pending) if c.life(id) == crate::Life::Up => lines.push(format!(
            "{what} {name}: TimeoutException: Timeout expired after {limit}ms while awaiting {what}"
        )),
        _ => {}
    }
    Ok(())
}

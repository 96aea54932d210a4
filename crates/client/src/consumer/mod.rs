//! Kafka's consumer (`KafkaConsumer`, `ConsumerCoordinator`, `Fetcher`,
//! `SubscriptionState`; the classic group protocol) as a sans-IO state
//! machine: it is handed `(now, input)` and pushes [`Output`]s, never reads
//! a clock or touches a socket.
//!
//! Modules: [`config`] (Kafka's settings and defaults),
//! [`subscription_state`] (assignment and positions), [`coordinator`]
//! (join/sync/heartbeat/leave, commits, committed offsets), [`fetcher`]
//! (record decoding, read_committed filtering, the poll buffer),
//! [`consumer_protocol`] (the ConsumerProtocol subscription/assignment
//! bytes), [`metadata`], and the consumer itself.
//!
//! # Hosting recipe
//!
//! A runtime hosts a [`Consumer`] exactly like a broker:
//!
//! 1. `let mut c = Consumer::new(ConsumerConfig::from_pairs(settings)?, bootstrap_brokers);`
//!    then `c.handle(now, Input::Start, &mut out)`.
//! 2. Deliver every message addressed to the client with
//!    `c.handle(now, Input::Message { from, msg }, &mut out)` and every
//!    timer it armed with `c.handle(now, Input::Timer(token), &mut out)`.
//! 3. Act on `out` (the broker crate's [`Output`]): `Send` (to a broker),
//!    `SetTimer { token, at, background }` (re-arming a token replaces its
//!    deadline; heartbeats, fetches and retries are `background`, the
//!    application's poll deadline is not), `CancelTimer`, `Event` (trace/UI).
//!    Firing a stale timer is harmless.
//! 4. The application's calls are methods: [`Consumer::subscribe`],
//!    [`Consumer::assign`], [`Consumer::seek`], [`Consumer::commit_sync`] /
//!    [`Consumer::commit_async`], [`Consumer::process`],
//!    [`Consumer::close`]. Each pushes outputs like `handle` does.
//! 5. `poll(timeout)`: call [`Consumer::start_poll`]. It returns
//!    [`Poll::Ready`]`(records)` when it can answer now, or
//!    [`Poll::Pending`]` { deadline }`: keep running the world (deliver
//!    messages, fire timers, including the foreground [`POLL_TIMER`] at the
//!    deadline) and after each delivery call [`Consumer::resume_poll`]
//!    until it is `Ready` (records arrived, or the deadline passed: empty).
//!    At most `max.poll.records` are delivered. Errors Kafka's `poll`
//!    throws (`NoOffsetForPartitionException`, a refused `commitSync`,
//!    `FencedInstanceIdException`) come back as `Err`.
//! 6. `commit sync`: after [`Consumer::commit_sync`], run the world until
//!    [`Consumer::commit_pending`] is false.
//! 7. A crash of the client process: drop the `Consumer`, build a new one
//!    with the same config and hand it [`Consumer::history`] through
//!    [`Consumer::restore_history`] (delivered-but-unprocessed records die
//!    with the process).
//!
//! The consumer keeps its membership, heartbeats
//! (`heartbeat.interval.ms`, from the background as Kafka's heartbeat
//! thread) and fetching going by itself between polls; poll is where the
//! application takes records and where a due auto-commit is sent (it
//! commits the positions of records *delivered* so far, which is what loses
//! records when the application dies after poll but before processing, and
//! duplicates them when it dies before the next commit). An application
//! that does not poll within `max.poll.interval.ms` is taken out of the
//! group (LeaveGroup for dynamic members) and rejoins at its next poll.
//!
//! Views for predicates: [`Consumer::consumed`], [`Consumer::processed`],
//! [`Consumer::positions`], [`Consumer::committed`],
//! [`Consumer::assignment`], [`Consumer::member_id`],
//! [`Consumer::generation`], [`Consumer::fetched_watermarks`].
//!
//! Events (`Output::Event`): `rebalance-started` (protocol eager or
//! cooperative, revoked), `rebalance-completed` (assigned, revoked, the
//! whole assignment), `partitions-lost`, `commit-sent`, `commit-acked`,
//! `commit-failed`, `records-delivered`, `offset-reset`, `leave-group`,
//! `poll-timeout-expired`, `coordinator-found`, `coordinator-unknown`,
//! `request-timeout`, `consumer-error`, `seek`, `consumer-closed`.
//!
//! Not modelled: fetch sessions (KIP-227), offset validation after a
//! leader change (KIP-320's OffsetsForLeaderEpoch from the consumer),
//! pattern subscriptions, pause/resume, rebalance listeners, client racks
//! (KIP-392), the KIP-848 protocol.

pub mod config;
#[allow(clippy::module_inception)]
mod consumer;
pub mod consumer_protocol;
pub mod coordinator;
pub mod fetcher;
mod fetching;
pub mod metadata;
pub mod subscription_state;

#[cfg(test)]
mod tests;

pub use broker::Output;
pub use config::{AutoOffsetReset, ConfigError, ConsumerConfig};
pub use consumer::{
    Consumer, ConsumerError, History, Input, Poll, SeekTo, POLL_TIMER, WAKEUP_TIMER,
};
pub use coordinator::{AssignmentChange, CommitKind, MemberState};
pub use fetcher::ConsumerRecord;
pub use subscription_state::OffsetSpec;

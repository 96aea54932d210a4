//! kafkascope-coordinator: Kafka's GroupCoordinator (the classic consumer
//! group protocol of Kafka 2.x–3.x: `GroupCoordinator.scala`,
//! `GroupMetadata.scala`, `GroupMetadataManager.scala`) as a sans-IO state
//! machine. No clock, no IO: every entry point takes `now` (virtual
//! milliseconds) and returns [`Output`]s.
//!
//! # Hosting it in a broker
//!
//! One [`Coordinator`] per broker serves the groups whose
//! `__consumer_offsets` partition ([`partition_for`]: Java's
//! `abs(groupId.hashCode) % offsets.topic.num.partitions`) this broker leads.
//!
//! **Ownership.** When the broker becomes leader of
//! `__consumer_offsets-P`, call [`Coordinator::begin_loading`]`(P)` (groups
//! of P now answer COORDINATOR_LOAD_IN_PROGRESS), read the partition's log
//! from its start to the high watermark and pass every record to
//! [`Coordinator::load`]`(now, P, records)` as [`LoadRecord`]s (key, value
//! or `None` for a tombstone, the batch's base offset, and for
//! transactional batches the producer id; control batches' records with
//! `is_control`). When it stops leading P, call [`Coordinator::unload`]
//! (parked requests are answered NOT_COORDINATOR). Requests for groups of
//! partitions it does not own get NOT_COORDINATOR.
//!
//! **Requests.** FindCoordinator is the broker's (answer with the leader of
//! `partition_for(group)`). JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
//! OffsetCommit, TxnOffsetCommit, OffsetFetch, OffsetDelete,
//! DescribeGroups, ListGroups and DeleteGroups go to
//! [`Coordinator::handle`]`(now, request_id, request)` (see [`Request`];
//! errors are the protocol crate's [`ErrorCode`]); `request_id` is any id of
//! the host's, echoed in [`Output::Response`]. A response may come
//! out of a later call: JoinGroup is parked until the join phase completes,
//! followers' SyncGroup until the leader's assignment is stored, and
//! OffsetCommit until its records are replicated.
//!
//! **Outputs**, in order, from every call:
//! - [`Output::Response`]: send it.
//! - [`Output::SetTimer`] / [`Output::CancelTimer`]: timers (below).
//! - [`Output::Append`]: records for `__consumer_offsets-{partition}`,
//!   key/value bytes exactly as Kafka writes them ([`records`]). Append them
//!   as one batch (magic 2, CREATE_TIME `timestamp`, no compression) with
//!   `required_acks` (-1: `offsets.commit.required.acks`) — for
//!   TxnOffsetCommit as a transactional batch of `producer_id` /
//!   `producer_epoch` — and once the append is replicated to the ISR — or
//!   failed — call
//!   [`Coordinator::on_append_completed`]`(now, append_id, Ok(base_offset) /
//!   Err(error))`. That is when the leader's SyncGroup completes the
//!   rebalance and an OffsetCommit is answered, as in Kafka (acks=-1).
//!   Appends with `required_acks == 0` are tombstones nobody waits for.
//! - [`Output::GroupStateChanged`]: for the trace and the UI.
//!
//! **Transactions.** When the transaction coordinator's COMMIT/ABORT marker
//! for a producer has been written to `__consumer_offsets-P`, call
//! [`Coordinator::on_txn_completion`]`(now, P, producer_id, commit)`: the
//! producer's TxnOffsetCommit offsets become visible (or are dropped).
//! Until then OffsetFetch with `require_stable` answers
//! UNSTABLE_OFFSET_COMMIT for them (KIP-447).
//!
//! **Topic metadata.** Call [`Coordinator::set_topic_partitions`] to have
//! commits to unknown partitions refused with UNKNOWN_TOPIC_OR_PARTITION as
//! KafkaApis does (until the first call every topic counts as known).
//!
//! **Timers.** Kafka's delayed operations (heartbeat expiry per member,
//! pending-member expiry, the initial rebalance delay, the join-phase and
//! sync-phase rebalance timeouts, the periodic offsets cleanup) are timers:
//! `SetTimer { token, deadline, kind }` asks to call
//! [`Coordinator::on_timer`]`(now, token)` at `deadline`. Tokens ([`TimerToken`]) are fresh for every deadline and
//! never reused; a cancelled, stale or not yet due token is ignored, so a
//! host may skip `CancelTimer`. Hosts that prefer polling can use
//! [`Coordinator::next_deadline`] and [`Coordinator::advance_to`].
//!
//! **Member ids** are `clientId-UUID` (`instanceId-UUID` for static
//! members) with the UUID from a seeded [`UuidSource`]
//! ([`Coordinator::new`] takes the seed), so a run replays exactly.
//!
//! **Views** for the scenario predicates: [`Coordinator::state`],
//! [`Coordinator::generation`], [`Coordinator::committed`],
//! [`Coordinator::assignment`], [`Coordinator::group`] (members, leader,
//! protocol).
//!
//! # Notes
//!
//! - Cooperative rebalancing (KIP-429) needs nothing here: the coordinator
//!   runs the same eager join/sync protocol; the clients' assignor revokes
//!   in one generation and assigns in the next, and the members rejoin on
//!   their own. Kafka's GroupCoordinator has no cooperative code path.
//! - Determinism: maps are ordered; where Kafka iterates a hash map (which
//!   member becomes leader when the leader leaves, protocol vote ties) we
//!   take the smallest member id / protocol name.
//! - Requests are answered exactly once. Where Kafka could answer twice
//!   (a static member's rejoin whose metadata write fails after a rebalance
//!   already answered it) we do not.
//! - Offsets expire after `offsets.retention.ms` (KIP-211 rules: from when
//!   the group became Empty; never for the subscribed topics of a Stable
//!   consumer group) and Empty groups without offsets are removed, checked
//!   every `offsets.retention.check.interval.ms` — a periodic timer that
//!   starts with the first loaded partition.
//! - Not modelled: KIP-890 transaction verification, the KIP-848 consumer
//!   protocol, DescribeGroups v6's GROUP_ID_NOT_FOUND (unknown groups are
//!   reported Dead, as before v6).
//!
//! ```
//! use kafkascope_coordinator::*;
//!
//! let mut c = Coordinator::new(CoordinatorConfig::default(), 42);
//! let p = partition_for("app", 50);
//! c.load(0, p, []).unwrap();
//!
//! let join = JoinGroupRequest::new("app", "consumer-1", vec![("range".into(), vec![])]);
//! let out = c.handle(0, 1, Request::JoinGroup(join.clone()));
//! // KIP-394: the first JoinGroup only hands out a member id.
//! let r = out.iter().find_map(|o| match o {
//!     Output::Response { response: Response::JoinGroup(r), .. } => Some(r.clone()),
//!     _ => None,
//! }).unwrap();
//! assert_eq!(r.error_code, ErrorCode::MemberIdRequired);
//! assert!(r.member_id.starts_with("consumer-1-"));
//!
//! let out = c.handle(0, 2, Request::JoinGroup(JoinGroupRequest { member_id: r.member_id.clone(), ..join }));
//! // Parked for group.initial.rebalance.delay.ms (3000).
//! assert!(!out.iter().any(|o| matches!(o, Output::Response { .. })));
//! let out = c.advance_to(3000);
//! assert!(out.iter().any(|o| matches!(o, Output::Response { request_id: 2, .. })));
//! assert_eq!(c.state("app"), Some(GroupState::CompletingRebalance));
//! ```

pub mod api;
pub mod coordinator;
mod expiration;
pub mod group;
mod heartbeat;
mod join;
pub mod load;
pub mod member;
mod offsets;
mod rebalance;
pub mod records;
pub mod state;
mod sync;
pub mod timers;
pub mod uuid;

#[cfg(test)]
mod tests;

pub use api::*;
pub use coordinator::{
    Append, AppendId, AppendResult, Coordinator, CoordinatorConfig, OffsetsRecord, Output,
    NEW_MEMBER_JOIN_TIMEOUT_MS,
};
pub use group::{Group, OffsetAndMetadata};
pub use load::{LoadError, LoadRecord};
pub use member::Member;
pub use protocol::ErrorCode;
pub use records::partition_for;
pub use state::GroupState;
pub use timers::{TimerKind, TimerToken};
pub use uuid::{SeededUuid, UuidSource};

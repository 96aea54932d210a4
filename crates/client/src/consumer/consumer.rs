//! `KafkaConsumer`: the state machine, its inputs, the application calls
//! and the views. Group membership is in [`super::coordinator`], fetching
//! and offset resets in [`super::fetching`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use broker::api::{Addr, BrokerId, Msg, Request, Response, TopicPartition};
use broker::Output;
use serde_json::{json, Value};

use super::config::ConsumerConfig;
use super::coordinator::{CommitKind, ConsumerCoordinator};
use super::fetcher::{ConsumerRecord, Fetcher};
use super::metadata::Metadata;
use super::subscription_state::{FetchState, OffsetSpec, SubscriptionState, SubscriptionType};

/// The background timer: heartbeats, fetches, retries, expiries.
pub const WAKEUP_TIMER: u64 = 1;
/// The application's `poll(timeout)` deadline: a foreground timer, so a
/// simulator that runs "until idle" still advances to it.
pub const POLL_TIMER: u64 = 2;

/// One input to the consumer, as for a broker.
// Mirrors the broker's `Input`: a message is moved in once, never stored.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Input {
    Start,
    Message { from: Addr, msg: Msg },
    Timer(u64),
}

/// What `start_poll` / `resume_poll` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// The poll returned (possibly with no records: the timeout passed).
    Ready(Vec<ConsumerRecord>),
    /// Still waiting: drive the runtime (deliver inputs, advance time up to
    /// `deadline`) and call `resume_poll`.
    Pending { deadline: u64 },
}

/// `seek` targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekTo {
    Offset(i64),
    Beginning,
    End,
    /// `offsetsForTimes` then seek; past the last record: the end.
    Time(i64),
}

/// What the application sees thrown (Kafka's exception names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerError {
    /// `auto.offset.reset=none` and no committed offset (or out of range).
    NoOffsetForPartition(Vec<TopicPartition>),
    /// Another instance with the same `group.instance.id` took over.
    FencedInstanceId,
    /// A commit the group refused (rebalance, unknown member, ...).
    CommitFailed(String),
    InvalidGroupId,
    IllegalState(String),
    /// A fatal group error (INCONSISTENT_GROUP_PROTOCOL, ...).
    Group(String),
}

impl fmt::Display for ConsumerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConsumerError::NoOffsetForPartition(tps) => {
                let names: Vec<String> = tps.iter().map(|t| t.to_string()).collect();
                write!(f, "NoOffsetForPartitionException: undefined offset with no reset policy for partitions: {}", names.join(", "))
            }
            ConsumerError::FencedInstanceId => write!(f, "FencedInstanceIdException"),
            ConsumerError::CommitFailed(e) => write!(f, "CommitFailedException: {e}"),
            ConsumerError::InvalidGroupId => {
                write!(f, "InvalidGroupIdException: a group.id is required")
            }
            ConsumerError::IllegalState(e) => write!(f, "IllegalStateException: {e}"),
            ConsumerError::Group(e) => write!(f, "KafkaException: {e}"),
        }
    }
}

/// What the application was given and finished; survives a crash of the
/// client process (a restarted consumer is handed it back).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub consumed: Vec<String>,
    pub processed: Vec<String>,
    /// Every partition a rebalance revoked (`onPartitionsRevoked`; not
    /// partitions lost with the generation, not `close()`).
    pub revoked: BTreeSet<TopicPartition>,
}

/// A request awaiting its response.
#[derive(Debug)]
pub(crate) struct InFlight {
    pub to: BrokerId,
    pub deadline: u64,
    pub kind: Pending,
}

#[derive(Debug)]
pub(crate) enum Pending {
    Metadata,
    FindCoordinator,
    JoinGroup,
    SyncGroup,
    Heartbeat,
    LeaveGroup,
    OffsetCommit {
        offsets: BTreeMap<TopicPartition, i64>,
        kind: CommitKind,
    },
    OffsetFetch,
    ListOffsets(BTreeMap<TopicPartition, OffsetSpec>),
    Fetch(BTreeMap<TopicPartition, i64>),
}

/// The consumer. See the module docs for how a runtime hosts it.
pub struct Consumer {
    pub(crate) config: ConsumerConfig,
    pub(crate) bootstrap: Vec<BrokerId>,
    pub(crate) next_correlation_id: i32,
    pub(crate) in_flight: BTreeMap<i32, InFlight>,
    pub(crate) metadata: Metadata,
    pub(crate) subs: SubscriptionState,
    pub(crate) group: ConsumerCoordinator,
    pub(crate) fetcher: Fetcher,
    pub(crate) history: History,
    /// Delivered, not yet processed.
    pub(crate) unprocessed: VecDeque<ConsumerRecord>,
    /// The deadline of the application's poll in progress.
    pub(crate) app_poll: Option<u64>,
    pub(crate) last_poll: u64,
    /// Thrown at the application's next poll.
    pub(crate) error: Option<ConsumerError>,
    pub(crate) started: bool,
    pub(crate) closed: bool,
    pub(crate) armed: Option<u64>,
    pub(crate) fetch_retry_at: u64,
    pub(crate) reset_retry_at: u64,
    /// Partitions with a ListOffsets in flight.
    pub(crate) resetting: BTreeSet<TopicPartition>,
}

impl Consumer {
    /// A consumer that will ask `bootstrap` brokers for metadata
    /// (`bootstrap.servers`). Without a `group.id`, auto-commit is off (as
    /// Kafka turns it off).
    pub fn new(mut config: ConsumerConfig, bootstrap: Vec<BrokerId>) -> Self {
        if config.group_id.is_none() {
            config.enable_auto_commit = false;
        }
        let group = ConsumerCoordinator::new(&config);
        Consumer {
            config,
            bootstrap,
            next_correlation_id: 0,
            in_flight: BTreeMap::new(),
            metadata: Metadata {
                need_update: true,
                ..Metadata::default()
            },
            subs: SubscriptionState::default(),
            group,
            fetcher: Fetcher::default(),
            history: History::default(),
            unprocessed: VecDeque::new(),
            app_poll: None,
            last_poll: 0,
            error: None,
            started: false,
            closed: false,
            armed: None,
            fetch_retry_at: 0,
            reset_retry_at: 0,
            resetting: BTreeSet::new(),
        }
    }

    pub fn config(&self) -> &ConsumerConfig {
        &self.config
    }

    /// Hands back what the application had before a crash (delivered but
    /// unprocessed records are not part of it: they died with the process).
    pub fn restore_history(&mut self, history: History) {
        self.history = history;
    }

    // ----- the runtime's side -----

    pub fn handle(&mut self, now: u64, input: Input, out: &mut Vec<Output>) {
        if self.closed {
            return;
        }
        match input {
            Input::Start => {
                self.started = true;
                self.last_poll = now;
                self.group.next_auto_commit = now + self.config.auto_commit_interval_ms;
            }
            Input::Message {
                msg:
                    Msg::Response {
                        correlation_id,
                        response,
                    },
                ..
            } => {
                if let Some(f) = self.in_flight.remove(&correlation_id) {
                    self.on_response(now, f, response, out);
                }
            }
            Input::Message { .. } => {}
            Input::Timer(_) => {}
        }
        self.progress(now, out);
    }

    fn on_response(&mut self, now: u64, f: InFlight, response: Response, out: &mut Vec<Output>) {
        match (f.kind, response) {
            (Pending::Metadata, Response::Metadata(r)) => self.on_metadata(now, &r),
            (Pending::FindCoordinator, Response::FindCoordinator { error, node_id }) => {
                self.on_find_coordinator(now, error, node_id, out)
            }
            (kind, Response::Group(r)) => self.on_group_response(now, f.to, kind, r, out),
            (Pending::ListOffsets(specs), Response::ListOffsets(r)) => {
                self.on_list_offsets(now, specs, r, out)
            }
            (Pending::Fetch(offsets), Response::Fetch(r)) => {
                self.on_fetch(now, f.to, offsets, r, out)
            }
            (kind, _) => self.on_failure(now, f.to, kind, out),
        }
    }

    /// A request that got no (or a mismatched) answer.
    pub(crate) fn on_failure(
        &mut self,
        now: u64,
        to: BrokerId,
        kind: Pending,
        out: &mut Vec<Output>,
    ) {
        match kind {
            Pending::Metadata => {
                self.metadata.in_flight = false;
                self.metadata.need_update = true;
                self.metadata.next_broker += 1;
                self.metadata.retry_at = now + self.config.retry_backoff_ms;
            }
            Pending::Fetch(_) => {
                self.fetcher.in_flight.remove(&to);
                self.metadata.need_update = true;
                self.fetch_retry_at = now + self.config.retry_backoff_ms;
            }
            Pending::ListOffsets(specs) => {
                for tp in specs.keys() {
                    self.resetting.remove(tp);
                }
                self.metadata.need_update = true;
                self.reset_retry_at = now + self.config.retry_backoff_ms;
            }
            group => self.on_group_failure(now, group, out),
        }
    }

    fn on_metadata(&mut self, now: u64, r: &broker::api::MetadataResponse) {
        self.metadata.in_flight = false;
        self.metadata.update(r);
        self.metadata.refresh_at = now + self.config.metadata_max_age_ms;
        // Refreshes are at least retry.backoff.ms apart (Kafka's
        // refreshBackoffMs), so a partition without a leader does not spin.
        self.metadata.retry_at = now + self.config.retry_backoff_ms;
        let missing = self
            .subs
            .subscribed_topics()
            .iter()
            .any(|t| self.metadata.partition_count(t).is_none());
        if missing {
            // A subscribed topic that does not exist yet: look again soon.
            self.metadata.need_update = true;
            self.metadata.retry_at = now + self.config.retry_backoff_ms.max(1);
        }
        self.group.check_metadata_snapshot(&self.metadata);
    }

    /// Sends what is due: metadata, group traffic, resets, fetches. Called
    /// after every input and application call.
    pub(crate) fn progress(&mut self, now: u64, out: &mut Vec<Output>) {
        if !self.started || self.closed {
            return;
        }
        self.expire_requests(now, out);
        self.maybe_update_metadata(now, out);
        self.group_progress(now, out);
        self.maybe_reset_offsets(now, out);
        self.maybe_fetch(now, out);
        self.arm(now, out);
    }

    fn expire_requests(&mut self, now: u64, out: &mut Vec<Output>) {
        let expired: Vec<i32> = self
            .in_flight
            .iter()
            .filter(|(_, f)| f.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            if let Some(f) = self.in_flight.remove(&id) {
                out.push(event(
                    "request-timeout",
                    json!({"broker": f.to, "request": format!("{:?}", f.kind).split(['(', ' ', '{']).next().unwrap_or("")}),
                ));
                self.on_failure(now, f.to, f.kind, out);
            }
        }
    }

    fn maybe_update_metadata(&mut self, now: u64, out: &mut Vec<Output>) {
        let m = &self.metadata;
        if m.in_flight || !(m.need_update || now >= m.refresh_at) || now < m.retry_at {
            return;
        }
        let candidates: Vec<BrokerId> = if self.metadata.brokers.is_empty() {
            self.bootstrap.clone()
        } else {
            self.metadata.brokers.clone()
        };
        if candidates.is_empty() {
            return;
        }
        let to = candidates[self.metadata.next_broker % candidates.len()];
        self.metadata.in_flight = true;
        // Naming the subscribed topics lets the broker auto-create them
        // (allow.auto.create.topics); the answer covers every topic anyway.
        let subscribed = self.subs.subscribed_topics();
        let topics = (!subscribed.is_empty()).then_some(subscribed);
        self.send(
            now,
            to,
            Request::Metadata { topics },
            Pending::Metadata,
            None,
            out,
        );
    }

    /// Sends `request` to broker `to`, remembering what it was for.
    pub(crate) fn send(
        &mut self,
        now: u64,
        to: BrokerId,
        request: Request,
        kind: Pending,
        timeout_ms: Option<u64>,
        out: &mut Vec<Output>,
    ) {
        let correlation_id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        let timeout = timeout_ms.unwrap_or(self.config.request_timeout_ms);
        self.in_flight.insert(
            correlation_id,
            InFlight {
                to,
                deadline: now + timeout,
                kind,
            },
        );
        out.push(Output::Send {
            to: Addr::Broker(to),
            msg: Msg::Request {
                correlation_id,
                request,
            },
        });
    }

    /// Arms the background timer at the next moment something falls due.
    fn arm(&mut self, now: u64, out: &mut Vec<Output>) {
        let mut next: Option<u64> = None;
        let mut consider = |t: u64| {
            if t > now {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        for f in self.in_flight.values() {
            consider(f.deadline);
        }
        if !self.metadata.in_flight {
            consider(self.metadata.refresh_at);
            if self.metadata.need_update {
                consider(self.metadata.retry_at);
            }
        }
        consider(self.fetch_retry_at);
        consider(self.reset_retry_at);
        for t in self
            .group
            .deadlines(self.app_poll.is_some(), self.last_poll, &self.config)
        {
            consider(t);
        }
        if next != self.armed {
            match next {
                Some(at) => out.push(Output::SetTimer {
                    token: WAKEUP_TIMER,
                    at,
                    background: true,
                }),
                None => out.push(Output::CancelTimer(WAKEUP_TIMER)),
            }
            self.armed = next;
        }
    }

    // ----- the application's side -----

    /// `subscribe(topics)`: group management assigns partitions.
    pub fn subscribe(
        &mut self,
        now: u64,
        topics: &[&str],
        out: &mut Vec<Output>,
    ) -> Result<(), ConsumerError> {
        self.check_open()?;
        if self.config.group_id.is_none() {
            return Err(ConsumerError::InvalidGroupId);
        }
        if self.subs.subscription == SubscriptionType::UserAssigned {
            return Err(ConsumerError::IllegalState(
                "Subscription to topics, partitions and pattern are mutually exclusive".into(),
            ));
        }
        let topics: BTreeSet<String> = topics.iter().map(|t| t.to_string()).collect();
        if self
            .subs
            .subscribed_topics()
            .into_iter()
            .collect::<BTreeSet<_>>()
            != topics
        {
            self.subs.subscribe(topics);
            self.group.rejoin_needed = true;
            self.metadata.need_update = true;
        }
        self.progress(now, out);
        Ok(())
    }

    /// `assign(partitions)`: no group membership; the group (if any) is
    /// used for committed offsets only.
    pub fn assign(
        &mut self,
        now: u64,
        partitions: &[TopicPartition],
        out: &mut Vec<Output>,
    ) -> Result<(), ConsumerError> {
        self.check_open()?;
        if self.subs.is_group_managed() {
            return Err(ConsumerError::IllegalState(
                "Subscription to topics, partitions and pattern are mutually exclusive".into(),
            ));
        }
        let new: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
        for tp in self.subs.assigned_set() {
            if !new.contains(&tp) {
                self.fetcher.clear_partition(&tp);
            }
        }
        self.subs.assign_from_user(new);
        self.progress(now, out);
        Ok(())
    }

    /// The application calls `poll(timeout)`. Due auto-commit happens here
    /// first (committing what earlier polls delivered); then buffered
    /// records are returned at once, or the poll waits (see [`Poll`]).
    pub fn start_poll(
        &mut self,
        now: u64,
        timeout_ms: u64,
        out: &mut Vec<Output>,
    ) -> Result<Poll, ConsumerError> {
        self.check_open()?;
        if self.subs.subscription == SubscriptionType::None {
            return Err(ConsumerError::IllegalState(
                "Consumer is not subscribed to any topics or assigned any partitions".into(),
            ));
        }
        self.last_poll = now;
        self.group.on_poll();
        let deadline = now + timeout_ms;
        self.app_poll = Some(deadline);
        if timeout_ms > 0 {
            out.push(Output::SetTimer {
                token: POLL_TIMER,
                at: deadline,
                background: false,
            });
        }
        self.resume_poll(now, out)
    }

    /// Continues the poll in progress: `Ready` once records are buffered or
    /// the deadline has passed.
    pub fn resume_poll(&mut self, now: u64, out: &mut Vec<Output>) -> Result<Poll, ConsumerError> {
        let Some(deadline) = self.app_poll else {
            return Ok(Poll::Ready(Vec::new()));
        };
        self.last_poll = now;
        if let Some(e) = self.error.take() {
            self.finish_poll(deadline, now, out);
            return Err(e);
        }
        self.maybe_auto_commit(now, out);
        self.progress(now, out);
        if let Some(e) = self.take_no_offset_error() {
            self.finish_poll(deadline, now, out);
            return Err(e);
        }
        let records = self
            .fetcher
            .drain(&mut self.subs, self.config.max_poll_records);
        if records.is_empty() && now < deadline {
            return Ok(Poll::Pending { deadline });
        }
        self.finish_poll(deadline, now, out);
        if !records.is_empty() {
            self.deliver(&records, out);
            // Pipelining: the drained partitions are fetched again now.
            self.progress(now, out);
        }
        Ok(Poll::Ready(records))
    }

    /// True while an application poll waits.
    pub fn is_polling(&self) -> bool {
        self.app_poll.is_some()
    }

    fn finish_poll(&mut self, deadline: u64, now: u64, out: &mut Vec<Output>) {
        self.app_poll = None;
        if deadline > now {
            out.push(Output::CancelTimer(POLL_TIMER));
        }
    }

    fn take_no_offset_error(&mut self) -> Option<ConsumerError> {
        let tps = self.subs.in_state(|s| s == FetchState::NoOffset);
        (!tps.is_empty()).then_some(ConsumerError::NoOffsetForPartition(tps))
    }

    fn deliver(&mut self, records: &[ConsumerRecord], out: &mut Vec<Output>) {
        let mut ranges: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in records {
            self.history.consumed.push(r.value_string());
            self.unprocessed.push_back(r.clone());
            let e = ranges
                .entry(r.tp.to_string())
                .or_insert((r.offset, r.offset));
            e.1 = r.offset;
        }
        out.push(event(
            "records-delivered",
            json!({
                "consumer": self.config.client_id,
                "count": records.len(),
                "offsets": ranges.iter().map(|(tp, (a, b))| (tp.clone(), json!([a, b]))).collect::<serde_json::Map<_, _>>(),
                "runs": super::fetcher::epoch_runs(records),
            }),
        ));
    }

    /// The application finished `count` delivered records (all with
    /// `None`). Returns how many were marked.
    pub fn process(&mut self, count: Option<usize>) -> usize {
        let n = count
            .unwrap_or(self.unprocessed.len())
            .min(self.unprocessed.len());
        for r in self.unprocessed.drain(..n) {
            self.history.processed.push(r.value_string());
        }
        n
    }

    /// `commitSync()`: commits the positions of what poll delivered; the
    /// commit is retried on retriable errors. [`Consumer::commit_pending`]
    /// says when it is done; a refusal is thrown at the next poll.
    pub fn commit_sync(&mut self, now: u64, out: &mut Vec<Output>) -> Result<(), ConsumerError> {
        self.commit(now, CommitKind::Sync, out)
    }

    /// `commitAsync()`: the same, never retried.
    pub fn commit_async(&mut self, now: u64, out: &mut Vec<Output>) -> Result<(), ConsumerError> {
        self.commit(now, CommitKind::Async, out)
    }

    fn commit(
        &mut self,
        now: u64,
        kind: CommitKind,
        out: &mut Vec<Output>,
    ) -> Result<(), ConsumerError> {
        self.check_open()?;
        if self.config.group_id.is_none() {
            return Err(ConsumerError::InvalidGroupId);
        }
        let offsets = self.subs.all_consumed();
        self.group.enqueue_commit(offsets, kind);
        self.progress(now, out);
        Ok(())
    }

    /// A `commit_sync` not yet acknowledged or refused.
    pub fn commit_pending(&self) -> bool {
        self.group.sync_commit_pending(&self.in_flight)
    }

    /// `seek(tp, offset)`, `seekToBeginning`, `seekToEnd`, or
    /// `offsetsForTimes` + seek.
    pub fn seek(
        &mut self,
        now: u64,
        tp: &TopicPartition,
        to: SeekTo,
        out: &mut Vec<Output>,
    ) -> Result<(), ConsumerError> {
        self.check_open()?;
        if !self.subs.is_assigned(tp) {
            return Err(ConsumerError::IllegalState(format!(
                "No current assignment for partition {tp}"
            )));
        }
        self.fetcher.clear_partition(tp);
        self.resetting.remove(tp);
        match to {
            SeekTo::Offset(o) => self.subs.seek(tp, o),
            SeekTo::Beginning => self.subs.request_reset(tp, OffsetSpec::Earliest),
            SeekTo::End => self.subs.request_reset(tp, OffsetSpec::Latest),
            SeekTo::Time(t) => self.subs.request_reset(tp, OffsetSpec::Timestamp(t)),
        }
        out.push(event(
            "seek",
            json!({"consumer": self.config.client_id, "partition": tp.to_string(), "to": format!("{to:?}")}),
        ));
        self.progress(now, out);
        Ok(())
    }

    /// `close()`: commits delivered positions with auto-commit, leaves the
    /// group (dynamic members only: a static member's partitions wait for
    /// it until its session times out), then stops.
    pub fn close(&mut self, now: u64, out: &mut Vec<Output>) {
        if self.closed {
            return;
        }
        if self.started {
            if self.config.enable_auto_commit {
                let offsets = self.subs.all_consumed();
                self.group.enqueue_commit(offsets, CommitKind::Close);
                self.group_progress(now, out);
            }
            self.maybe_leave_group(now, "the consumer is being closed", out);
        }
        self.closed = true;
        out.push(Output::CancelTimer(WAKEUP_TIMER));
        if self.app_poll.take().is_some() {
            out.push(Output::CancelTimer(POLL_TIMER));
        }
        out.push(event(
            "consumer-closed",
            json!({"consumer": self.config.client_id}),
        ));
    }

    fn check_open(&self) -> Result<(), ConsumerError> {
        if self.closed {
            Err(ConsumerError::IllegalState(
                "This consumer has already been closed.".into(),
            ))
        } else {
            Ok(())
        }
    }

    // ----- views -----

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Values delivered by poll, in delivery order.
    pub fn consumed(&self) -> &[String] {
        &self.history.consumed
    }

    pub fn processed(&self) -> &[String] {
        &self.history.processed
    }

    /// Every partition a rebalance has revoked from the application.
    pub fn revoked(&self) -> &BTreeSet<TopicPartition> {
        &self.history.revoked
    }

    /// Delivered, not yet processed.
    pub fn unprocessed(&self) -> impl Iterator<Item = &ConsumerRecord> {
        self.unprocessed.iter()
    }

    pub fn positions(&self) -> BTreeMap<TopicPartition, i64> {
        self.subs.positions()
    }

    /// Committed offsets as last known (OffsetFetch answers and acknowledged commits).
    pub fn committed(&self) -> &BTreeMap<TopicPartition, i64> {
        &self.group.committed
    }

    pub fn assignment(&self) -> BTreeSet<TopicPartition> {
        self.subs.assigned_set()
    }

    /// `eager` or `cooperative`: how this member rebalances.
    pub fn rebalance_protocol(&self) -> &'static str {
        super::coordinator::protocol_name(self.group.rebalance_protocol)
    }

    /// The newest rebalance that changed this member's partitions.
    pub fn last_assignment_change(&self) -> Option<&super::coordinator::AssignmentChange> {
        self.group.last_change.as_ref()
    }

    pub fn member_id(&self) -> &str {
        &self.group.member_id
    }

    pub fn generation(&self) -> i32 {
        self.group.generation
    }

    /// The group protocol (assignor) chosen by the group, once joined.
    pub fn protocol(&self) -> Option<&str> {
        self.group.protocol.as_deref()
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Lag inputs from the last fetch responses: (high watermark, last
    /// stable offset, log start offset).
    pub fn fetched_watermarks(&self) -> BTreeMap<TopicPartition, (i64, i64, i64)> {
        self.subs
            .states()
            .filter_map(|(tp, s)| {
                Some((
                    tp.clone(),
                    (
                        s.high_watermark?,
                        s.last_stable_offset.unwrap_or(-1),
                        s.log_start_offset.unwrap_or(-1),
                    ),
                ))
            })
            .collect()
    }

    /// The error poll will throw next, if any.
    pub fn pending_error(&self) -> Option<&ConsumerError> {
        self.error.as_ref()
    }
}

pub(crate) fn event(kind: &'static str, detail: Value) -> Output {
    Output::Event { kind, detail }
}

pub(crate) fn tp_names<'a>(tps: impl IntoIterator<Item = &'a TopicPartition>) -> Value {
    Value::Array(
        tps.into_iter()
            .map(|t| Value::String(t.to_string()))
            .collect(),
    )
}

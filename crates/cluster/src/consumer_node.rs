//! A consumer process in the simulator: crates/client's sans-IO
//! [`Consumer`] hosted as its module docs describe (messages and timers in,
//! the broker crate's outputs to the network), plus what the scenario runner
//! needs around it: the outcome of the application's `poll` in progress and
//! the process lifecycle (a restart is the same application started again
//! with the same config, keeping its `consumed`/`processed` history).
//!
//! The scenario's consumer name is its `client.id` unless one is set, so the
//! group coordinator's members (whose member ids start with the client id)
//! can be named back in predicates.

use broker::api::{BrokerId, TopicPartition};
use broker::Output;
use client::consumer::{Consumer, ConsumerConfig, ConsumerError, Input, Poll};
use sim::{Input as SimInput, Outputs};

use crate::node::{apply_outputs, Topology, Wire};

/// The end of the application's last `poll`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PollOutcome {
    /// Returned with this many records.
    Records(usize),
    /// Threw (Kafka's exception text).
    Error(String),
}

/// What the application subscribed to (or assigned itself): the same
/// application started again after a crash does it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subscription {
    Topics(Vec<String>),
    Partitions(Vec<TopicPartition>),
}

pub struct ConsumerNode {
    pub name: String,
    pub consumer: Consumer,
    pub config: ConsumerConfig,
    pub topo: Topology,
    /// `Some` once the poll in progress (or the last one) has returned.
    pub poll_outcome: Option<PollOutcome>,
    /// Errors the application has seen thrown (`poll`, `commit`), by name.
    pub errors: Vec<String>,
    pub subscription: Option<Subscription>,
    buf: Vec<Output>,
}

/// The consumer's config from the scenario's settings: Kafka's names and
/// checks (crates/client), `group=G` as `group.id`, the scenario name as
/// `client.id` unless set.
pub fn consumer_config(
    name: &str,
    group: Option<&str>,
    settings: &[(String, String)],
) -> Result<ConsumerConfig, String> {
    let mut pairs: Vec<(String, String)> = vec![("client.id".into(), name.into())];
    if let Some(g) = group {
        pairs.push(("group.id".into(), g.into()));
    }
    pairs.extend(settings.iter().cloned());
    ConsumerConfig::from_pairs(pairs).map_err(|e| format!("consumer {name}: {e}"))
}

impl ConsumerNode {
    pub fn new(name: &str, config: ConsumerConfig, topo: Topology) -> Self {
        ConsumerNode {
            name: name.to_string(),
            consumer: Self::fresh(&config, topo),
            config,
            topo,
            poll_outcome: None,
            errors: Vec::new(),
            subscription: None,
            buf: Vec::new(),
        }
    }

    fn fresh(config: &ConsumerConfig, topo: Topology) -> Consumer {
        let bootstrap: Vec<BrokerId> = (0..topo.brokers as BrokerId).collect();
        Consumer::new(config.clone(), bootstrap)
    }

    /// The same application started again after a crash: a new consumer
    /// with the same config; what it consumed and processed stays, what was
    /// delivered but not processed died with the process.
    pub fn reset_process(&mut self) {
        let history = self.consumer.history().clone();
        self.consumer = Self::fresh(&self.config, self.topo);
        self.consumer.restore_history(history);
        self.poll_outcome = None;
    }

    pub(crate) fn handle(&mut self, now: u64, input: SimInput<Wire>, out: &mut Outputs<'_, Wire>) {
        let restarted = matches!(input, SimInput::Restart);
        let input = match input {
            SimInput::Start | SimInput::Restart => Input::Start,
            SimInput::Message { from, msg } => Input::Message {
                from: self.topo.addr(from),
                msg: msg.0,
            },
            SimInput::Timer { token } => Input::Timer(token),
        };
        self.consumer.handle(now, input, &mut self.buf);
        if restarted {
            if let Some(sub) = self.subscription.clone() {
                // Refused only for misuse the first call already passed.
                let _ = self.apply(now, &sub);
            }
        }
        if self.consumer.is_polling() {
            let r = self.consumer.resume_poll(now, &mut self.buf);
            self.finish(r);
        }
        apply_outputs(self.topo, &mut self.buf, out);
    }

    /// Runs an application call with the outputs going to the network.
    pub(crate) fn call<R>(
        &mut self,
        now: u64,
        out: &mut Outputs<'_, Wire>,
        f: impl FnOnce(&mut Consumer, u64, &mut Vec<Output>) -> R,
    ) -> R {
        let r = f(&mut self.consumer, now, &mut self.buf);
        apply_outputs(self.topo, &mut self.buf, out);
        r
    }

    /// `subscribe` / `assign`, remembered for a restart.
    pub(crate) fn subscribe(
        &mut self,
        now: u64,
        sub: Subscription,
        out: &mut Outputs<'_, Wire>,
    ) -> Result<(), ConsumerError> {
        let r = self.apply(now, &sub);
        if r.is_ok() {
            self.subscription = Some(sub);
        }
        apply_outputs(self.topo, &mut self.buf, out);
        r
    }

    fn apply(&mut self, now: u64, sub: &Subscription) -> Result<(), ConsumerError> {
        match sub {
            Subscription::Topics(t) => {
                let topics: Vec<&str> = t.iter().map(String::as_str).collect();
                self.consumer.subscribe(now, &topics, &mut self.buf)
            }
            Subscription::Partitions(tps) => self.consumer.assign(now, tps, &mut self.buf),
        }
    }

    /// `poll(timeout)` begins; it may return at once.
    pub fn start_poll(&mut self, now: u64, timeout_ms: u64, out: &mut Outputs<'_, Wire>) {
        self.poll_outcome = None;
        let r = self.consumer.start_poll(now, timeout_ms, &mut self.buf);
        self.finish(r);
        apply_outputs(self.topo, &mut self.buf, out);
    }

    fn finish(&mut self, r: Result<Poll, ConsumerError>) {
        match r {
            Ok(Poll::Pending { .. }) => {}
            Ok(Poll::Ready(records)) => {
                self.poll_outcome = Some(PollOutcome::Records(records.len()))
            }
            Err(e) => {
                let text = e.to_string();
                self.note_error(&text);
                self.poll_outcome = Some(PollOutcome::Error(text));
            }
        }
    }

    /// Keeps the exception's class name (`CommitFailedException`, ...).
    pub(crate) fn note_error(&mut self, text: &str) {
        let name = text.split(':').next().unwrap_or(text).to_string();
        if !self.errors.contains(&name) {
            self.errors.push(name);
        }
    }
}

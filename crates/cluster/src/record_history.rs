//! The record inspector: one record's story from the trace and the
//! cluster's state. A record is its partition, offset and the leader epoch
//! it was appended in (Kafka's log-matching: one leader per epoch appends
//! each offset once), so after a truncation another record at the same
//! offset is told apart from this one.
//!
//! Two passes over the trace: the first finds the record (its offset and
//! epoch) when it is asked for by send id or by a broker's copy; the second
//! follows that record: the Produce request that carried it, the append on
//! the leader, each follower's copy and the Fetch response that brought
//! it, the leader's HW passing it, the producer's ack, consumers' fetches
//! and polls, commits past it, leader changes, truncations, power losses
//! and retention. The verdict then reads the replicas as they are now.
//!
//! The page asks for the open inspector's story on every update, so the
//! passes are kept between calls ([`StoryCache`]) and read only the events
//! that came since: an update's cost follows what happened, not the run's
//! length. A pass asked for with other inputs (the record resolved anew,
//! another consumer group) starts again from the trace's first event.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use broker::api::{BrokerId, TopicPartition};
use serde_json::Value;
use sim::{TraceEvent, TraceKind};

use kafkascope_view::inspect::{
    Carrier, Holder, Holds, LossReason, RecordRef, RecordStory, Step, StoryStep, Verdict,
};

use crate::cluster::Cluster;
use crate::producer::{send_number, Producer};
use crate::segments_view::parse_partition;

fn int(d: &Value, key: &str) -> Option<i64> {
    d.get(key).and_then(Value::as_i64)
}

fn text<'a>(d: &'a Value, key: &str) -> &'a str {
    d.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The `[first, last, epoch]` runs of `tp` in a consumer event's `runs`.
fn runs_hold(d: &Value, tp: &str, offset: i64, epoch: i32) -> bool {
    d.get("runs")
        .and_then(|r| r.get(tp))
        .and_then(Value::as_array)
        .is_some_and(|runs| {
            runs.iter().any(|r| {
                let v = |i: usize| r.get(i).and_then(Value::as_i64).unwrap_or(-1);
                v(0) <= offset && offset <= v(1) && v(2) == epoch as i64
            })
        })
}

/// The leader epoch of the batch holding `offset` in a follower-append.
fn batch_epoch(d: &Value, offset: i64) -> Option<i32> {
    d.get("batches")?.as_array()?.iter().find_map(|b| {
        let v = |i: usize| b.get(i).and_then(Value::as_i64);
        (v(0)? <= offset && offset <= v(1)?).then(|| v(2).map(|e| e as i32))?
    })
}

fn sends_of(d: &Value) -> Vec<u64> {
    d.get("sends")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

/// The message being handled: node events right after a delivery belong to
/// it (the simulator runs one input at a time).
#[derive(Clone, Copy)]
struct Input {
    id: u64,
    n: u64,
    from: u32,
    to: u32,
    api: &'static str,
}

/// A Produce request's batches: partition -> its sends, plus the producer.
#[derive(Clone)]
struct Request {
    producer: u32,
    batches: Vec<(String, Vec<u64>)>,
}

/// Follows the trace's messages: which Produce request carries which
/// sends, what input is being handled, when each message was sent.
#[derive(Default)]
struct Wire {
    input: Option<Input>,
    /// Producer node -> the batches of its next Produce request.
    next_request: HashMap<u32, Vec<(String, Vec<u64>)>>,
    requests: HashMap<u64, Request>,
    /// Index of the event being observed.
    at: usize,
}

impl Wire {
    /// The event that put message `id` on the wire (or parked it): looked
    /// up backwards from the one observed, for the few messages a story
    /// names, instead of indexing every message of the run.
    fn sent(&self, trace: &[TraceEvent], id: u64) -> Option<u64> {
        trace[..self.at].iter().rev().find_map(|e| match &e.kind {
            TraceKind::Sent { id: m, .. } | TraceKind::Held { id: m, .. } if *m == id => Some(e.n),
            _ => None,
        })
    }

    fn observe(&mut self, at: usize, e: &TraceEvent) {
        self.at = at;
        match &e.kind {
            TraceKind::Sent { from, id, api, .. } | TraceKind::Held { from, id, api, .. } => {
                if *api == "Produce" {
                    if let Some(batches) = self.next_request.remove(&from.0) {
                        self.requests.insert(
                            *id,
                            Request {
                                producer: from.0,
                                batches,
                            },
                        );
                    }
                }
            }
            TraceKind::Delivered { from, to, id, api } => {
                self.input = Some(Input {
                    id: *id,
                    n: e.n,
                    from: from.0,
                    to: to.0,
                    api,
                });
            }
            TraceKind::Node { node, kind, detail } => {
                if kind == "producer-send" {
                    let batches = detail
                        .get("batches")
                        .and_then(Value::as_array)
                        .map(|bs| {
                            bs.iter()
                                .map(|b| (text(b, "partition").to_string(), sends_of(b)))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.next_request.insert(node.0, batches);
                }
            }
            _ => self.input = None,
        }
    }

    /// The delivery being handled by `node`, if it is `api`.
    fn input_to(&self, node: u32, api: &str) -> Option<Input> {
        self.input.filter(|i| i.to == node && i.api == api)
    }

    fn carrier(&self, trace: &[TraceEvent], names: &[String], i: Input) -> Carrier {
        Carrier {
            sent: self.sent(trace, i.id),
            delivered: Some(i.n),
            from: walk_name(names, i.from),
            to: walk_name(names, i.to),
            api: i.api.to_string(),
        }
    }
}

/// The record: partition, offset, epoch (and the send, when known).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Identity {
    offset: i64,
    epoch: i32,
}

/// A walk over the trace that can stop and go on: it reads event `at` of
/// the trace given each time, the stored trace's events in order.
trait Pass {
    fn feed(&mut self, trace: &[TraceEvent], names: &[String], at: usize);
}

/// Pass one for a send id: every append of that send (a retry may append
/// it twice), and the offset its ack named.
struct FindSend {
    tp: String,
    producer: u32,
    number: u64,
    wire: Wire,
    appends: Vec<Identity>,
    acked: Option<i64>,
}

impl FindSend {
    fn new(tp: &str, producer: u32, number: u64) -> FindSend {
        FindSend {
            tp: tp.to_string(),
            producer,
            number,
            wire: Wire::default(),
            appends: Vec::new(),
            acked: None,
        }
    }
}

impl Pass for FindSend {
    fn feed(&mut self, trace: &[TraceEvent], _: &[String], at: usize) {
        let e = &trace[at];
        self.wire.observe(at, e);
        let (tp, producer, number) = (self.tp.as_str(), self.producer, self.number);
        let TraceKind::Node { node, kind, detail } = &e.kind else {
            return;
        };
        match kind.as_ref() {
            "append" if text(detail, "partition") == tp => {
                let Some(i) = self.wire.input_to(node.0, "Produce") else {
                    return;
                };
                let Some(req) = self.wire.requests.get(&i.id) else {
                    return;
                };
                if req.producer != producer {
                    return;
                }
                let Some((_, sends)) = req.batches.iter().find(|(p, _)| p == tp) else {
                    return;
                };
                if let (Some(at), Some(first), Some(epoch)) = (
                    sends.iter().position(|&s| s == number),
                    int(detail, "first"),
                    int(detail, "leader_epoch"),
                ) {
                    self.appends.push(Identity {
                        offset: first + at as i64,
                        epoch: epoch as i32,
                    });
                }
            }
            "producer-ack" if node.0 == producer && text(detail, "partition") == tp => {
                let sends = sends_of(detail);
                if let (Some(at), Some(base)) = (
                    sends.iter().position(|&s| s == number),
                    int(detail, "base_offset"),
                ) {
                    self.acked = Some(if base < 0 { -1 } else { base + at as i64 });
                }
            }
            _ => {}
        }
    }
}

/// Pass one for an offset: which record (epoch) each broker holds at
/// `offset` at the end of the trace.
struct EpochsAt {
    tp: String,
    offset: i64,
    at: BTreeMap<BrokerId, i32>,
}

impl Pass for EpochsAt {
    fn feed(&mut self, trace: &[TraceEvent], _: &[String], at: usize) {
        let TraceKind::Node { node, kind, detail } = &trace[at].kind else {
            return;
        };
        if text(detail, "partition") != self.tp {
            return;
        }
        let (b, offset) = (node.0 as BrokerId, self.offset);
        match kind.as_ref() {
            "append" => {
                if let (Some(first), Some(last), Some(epoch)) = (
                    int(detail, "first"),
                    int(detail, "last"),
                    int(detail, "leader_epoch"),
                ) {
                    if first <= offset && offset <= last {
                        self.at.insert(b, epoch as i32);
                    }
                }
            }
            "follower-append" => {
                if let Some(epoch) = batch_epoch(detail, offset) {
                    self.at.insert(b, epoch);
                }
            }
            "truncate" if int(detail, "to").is_some_and(|to| to <= offset) => {
                self.at.remove(&b);
            }
            "log-recovered" if int(detail, "leo").is_some_and(|leo| leo <= offset) => {
                self.at.remove(&b);
            }
            _ => {}
        }
    }
}

/// The partition a producer's send went to by its first producer-send
/// event (for a send not acknowledged yet).
struct SendPartition {
    node: u32,
    number: u64,
    found: Option<TopicPartition>,
}

impl Pass for SendPartition {
    fn feed(&mut self, trace: &[TraceEvent], _: &[String], at: usize) {
        if self.found.is_some() {
            return;
        }
        self.found = match &trace[at].kind {
            TraceKind::Node { node, kind, detail }
                if node.0 == self.node && kind == "producer-send" =>
            {
                detail
                    .get("batches")
                    .and_then(Value::as_array)
                    .and_then(|bs| {
                        bs.iter().find_map(|b| {
                            sends_of(b)
                                .contains(&self.number)
                                .then(|| parse_partition(text(b, "partition")))?
                        })
                    })
            }
            _ => None,
        };
    }
}

/// Each producer's first acknowledged record with one send id, read as
/// acks arrive (a producer's acked list only grows).
struct AckedScan {
    send_id: String,
    /// Per producer: its name, how many acks were read, the last read's
    /// send id (a replaced list is read again) and the first match.
    seen: Vec<(String, usize, Option<String>, Option<usize>)>,
}

impl AckedScan {
    fn update(&mut self, producers: &[&Producer]) {
        let same = self.seen.len() == producers.len()
            && self
                .seen
                .iter()
                .zip(producers)
                .all(|((name, read, last, _), p)| {
                    *name == p.name
                        && p.app.acked.len() >= *read
                        && read.checked_sub(1).map(|i| &p.app.acked[i].send_id) == last.as_ref()
                });
        if !same {
            self.seen = (producers.iter())
                .map(|p| (p.name.clone(), 0, None, None))
                .collect();
        }
        for ((_, read, last, first), p) in self.seen.iter_mut().zip(producers) {
            let acked = &p.app.acked;
            if first.is_none() {
                *first = (acked.iter().enumerate().skip(*read))
                    .find(|(_, a)| a.send_id == self.send_id)
                    .map(|(i, _)| i);
            }
            *read = acked.len();
            *last = acked.last().map(|a| a.send_id.clone());
        }
    }
}

/// One pass kept with what it was started for: asked again for the same,
/// it goes on from where it stopped; for anything else it starts over.
type Slot<K, P> = Option<(K, P)>;

/// Follows `(groups, partition, record, send)`.
type FollowKey = (
    BTreeMap<String, Option<String>>,
    String,
    Option<Identity>,
    Option<(u32, u64)>,
);

/// The passes of the story the inspector shows, kept between updates so
/// that each update reads only the trace events that came since (the
/// stored trace only grows at its end unless a live run drops its oldest
/// events, and then the passes start again).
#[derive(Default)]
pub struct StoryCache {
    asked: Option<RecordRef>,
    /// The stored trace as the passes last read it: its first event's
    /// number, how many events they read and the last one's number.
    read: Option<(u64, usize, u64)>,
    epochs: Slot<(String, i64), EpochsAt>,
    send_partition: Slot<(u32, u64), SendPartition>,
    find: Slot<(String, u32, u64), FindSend>,
    follow: Slot<FollowKey, Follow>,
    /// Asked by offset: the second walk, with the send the first found.
    refollow: Slot<FollowKey, Follow>,
    acked: Option<AckedScan>,
}

fn feed_all<P: Pass>(p: &mut P, trace: &[TraceEvent], names: &[String], from: usize) {
    for at in from..trace.len() {
        p.feed(trace, names, at);
    }
}

/// The pass in `slot` for `key`, up to date with `trace`; started anew
/// (from the trace's first event) if the slot held another key's.
fn pass<'s, K: PartialEq, P: Pass>(
    slot: &'s mut Slot<K, P>,
    key: K,
    trace: &[TraceEvent],
    names: &[String],
    start: impl FnOnce() -> P,
) -> &'s mut P {
    if slot.as_ref().is_none_or(|(k, _)| *k != key) {
        let mut p = start();
        feed_all(&mut p, trace, names, 0);
        *slot = Some((key, p));
    }
    &mut slot.as_mut().expect("just set").1
}

impl StoryCache {
    /// Forgets the passes if they were for another record or another
    /// trace, else brings each up to date with `trace`.
    fn catch_up(&mut self, asked: &RecordRef, trace: &[TraceEvent], names: &[String]) {
        let same_trace = self.read.is_none_or(|(first, read, last)| {
            trace.first().map(|e| e.n) == Some(first)
                && trace.len() >= read
                && trace[read - 1].n == last
        });
        if self.asked.as_ref() != Some(asked) || !same_trace {
            *self = StoryCache {
                asked: Some(asked.clone()),
                ..StoryCache::default()
            };
        }
        let from = self.read.map_or(0, |(_, read, _)| read);
        if let Some((_, p)) = &mut self.epochs {
            feed_all(p, trace, names, from);
        }
        if let Some((_, p)) = &mut self.send_partition {
            feed_all(p, trace, names, from);
        }
        if let Some((_, p)) = &mut self.find {
            feed_all(p, trace, names, from);
        }
        if let Some((_, p)) = &mut self.follow {
            feed_all(p, trace, names, from);
        }
        if let Some((_, p)) = &mut self.refollow {
            feed_all(p, trace, names, from);
        }
        self.read = match (trace.first(), trace.last()) {
            (Some(first), Some(last)) => Some((first.n, trace.len(), last.n)),
            _ => None,
        };
    }

    /// The first acked record with `send_id`, per producer, up to date.
    fn acked(&mut self, send_id: &str, producers: &[&Producer]) -> &AckedScan {
        if self.acked.as_ref().is_none_or(|a| a.send_id != send_id) {
            self.acked = Some(AckedScan {
                send_id: send_id.to_string(),
                seen: Vec::new(),
            });
        }
        let scan = self.acked.as_mut().expect("just set");
        scan.update(producers);
        scan
    }
}

impl Cluster {
    /// The record inspector's story of `r`, for this cluster as it is now
    /// (a rewound one included). Bad references are a `problem`. Asked
    /// for the same record again, it reads only the trace events and acks
    /// that came since (see [`StoryCache`]).
    pub fn record_story(&self, r: &RecordRef) -> RecordStory {
        self.story_with(&mut self.stories.borrow_mut(), r)
    }

    /// The story read from the whole trace, as if asked for the first
    /// time (what [`Cluster::record_story`] must always equal).
    pub fn record_story_in_full(&self, r: &RecordRef) -> RecordStory {
        self.story_with(&mut StoryCache::default(), r)
    }

    fn story_with(&self, cache: &mut StoryCache, r: &RecordRef) -> RecordStory {
        let mut story = RecordStory {
            asked: r.clone(),
            partition: String::new(),
            offset: None,
            leader_epoch: None,
            send_id: None,
            value: None,
            holders: Vec::new(),
            steps: Vec::new(),
            verdict: Verdict::NeverAppended,
            acked: false,
            problem: None,
        };
        let trace = self.sim.trace();
        let names = self.sim.names();
        let producers: Vec<&Producer> = self.producers().collect();
        cache.catch_up(r, trace, names);
        // Resolve the record: its partition, offset, epoch and send.
        let (tp, identity, send) = match r {
            RecordRef::Offset {
                partition,
                offset,
                broker,
            } => {
                story.partition = partition.clone();
                story.offset = Some(*offset);
                let Some(tp) = parse_partition(partition) else {
                    story.problem = Some(format!("{partition:?} is not a partition (topic-N)"));
                    return story;
                };
                let epochs = &pass(
                    &mut cache.epochs,
                    (partition.clone(), *offset),
                    trace,
                    names,
                    || EpochsAt {
                        tp: partition.clone(),
                        offset: *offset,
                        at: BTreeMap::new(),
                    },
                )
                .at;
                let chosen = broker
                    .or_else(|| self.leader(&tp).filter(|l| epochs.contains_key(l)))
                    .or_else(|| epochs.keys().next().copied());
                let Some(epoch) = chosen.and_then(|b| epochs.get(&b)) else {
                    story.problem = Some(match broker {
                        Some(b) => {
                            format!("broker {b} holds no record at offset {offset} of {partition}")
                        }
                        None => {
                            format!("no replica holds a record at offset {offset} of {partition}")
                        }
                    });
                    return story;
                };
                (
                    tp,
                    Some(Identity {
                        offset: *offset,
                        epoch: *epoch,
                    }),
                    None,
                )
            }
            RecordRef::Send { send_id } => {
                story.send_id = Some(send_id.clone());
                let parsed = send_id
                    .rsplit_once(':')
                    .and_then(|(p, _)| Some((p, send_number(send_id)?)));
                let Some((producer, number)) = parsed else {
                    story.problem = Some(format!("{send_id:?} is not a send id (producer:N)"));
                    return story;
                };
                let Some(node) = self.client_id(producer) else {
                    story.problem = Some(format!("there is no producer {producer}"));
                    return story;
                };
                // The partition it went to: from its acked record, else
                // from the producer-send events.
                let Some(p) = producers.iter().position(|p| p.name == producer) else {
                    story.problem = Some(format!("{send_id} was not sent to any partition yet"));
                    return story;
                };
                let tp = match cache.acked(send_id, &producers).seen[p].3 {
                    Some(i) => Some(producers[p].app.acked[i].tp.clone()),
                    None => pass(
                        &mut cache.send_partition,
                        (node.0, number),
                        trace,
                        names,
                        || SendPartition {
                            node: node.0,
                            number,
                            found: None,
                        },
                    )
                    .found
                    .clone(),
                };
                let Some(tp) = tp else {
                    story.problem = Some(format!("{send_id} was not sent to any partition yet"));
                    return story;
                };
                story.partition = tp.to_string();
                let found = pass(
                    &mut cache.find,
                    (story.partition.clone(), node.0, number),
                    trace,
                    names,
                    || FindSend::new(&story.partition, node.0, number),
                );
                // The append the ack names, else the last one.
                let identity = found
                    .appends
                    .iter()
                    .rev()
                    .find(|a| Some(a.offset) == found.acked)
                    .or(found.appends.last())
                    .cloned();
                (tp, identity, Some((node.0, number)))
            }
        };
        story.offset = identity.as_ref().map(|i| i.offset).or(story.offset);
        story.leader_epoch = identity.as_ref().map(|i| i.epoch);
        let groups: BTreeMap<String, Option<String>> = self
            .consumer_nodes()
            .map(|n| (n.name.clone(), n.config.group_id.clone()))
            .collect();
        let key: FollowKey = (groups, story.partition.clone(), identity.clone(), send);
        let first = pass(&mut cache.follow, key.clone(), trace, names, || {
            Follow::new(&key)
        });
        let mut walk = first.walk();
        if send.is_none() && walk.send.is_some() {
            // Asked by offset: the append named the send; follow again
            // with it to see its Produce requests and retries too.
            let key: FollowKey = (key.0, key.1, key.2, walk.send);
            walk = pass(&mut cache.refollow, key.clone(), trace, names, || {
                Follow::new(&key)
            })
            .walk();
        }
        story.steps = walk.steps;
        if story.send_id.is_none() {
            story.send_id = walk
                .send
                .map(|(p, n)| format!("{}:{n}", walk_name(names, p)));
        }
        let Some(identity) = identity else {
            story.verdict = Verdict::NeverAppended;
            story.value = sent_value(cache, story.send_id.as_deref(), &producers);
            return story;
        };
        // What each assigned replica holds at the offset now.
        let leader = self.leader(&tp);
        for b in self.assigned_replicas(&tp).unwrap_or_default() {
            let record = self.record_at(b, &tp, identity.offset);
            let holds = match record {
                Some(x) if walk.holders.contains(&b) => {
                    story.value.get_or_insert_with(|| x.value_text());
                    if story.send_id.is_none() {
                        story.send_id = x.send_id.clone();
                    }
                    Holds::This
                }
                Some(x) => Holds::Other {
                    value: x.value_text(),
                    send_id: x.send_id,
                },
                None => Holds::Nothing,
            };
            story.holders.push(Holder {
                broker: b,
                broker_up: self.broker_up(b),
                leader: leader == Some(b),
                holds,
            });
        }
        if story.value.is_none() {
            story.value = sent_value(cache, story.send_id.as_deref(), &producers);
        }
        let holds = |b: BrokerId| {
            story
                .holders
                .iter()
                .any(|h| h.broker == b && h.holds == Holds::This)
        };
        story.verdict = match leader {
            Some(l) if holds(l) => {
                // Committed once the HW passed it, even if a restarted
                // leader's HW is behind again for a while.
                let hw = self.replica_offsets(l, &tp).map_or(-1, |(_, _, hw)| hw);
                if hw > identity.offset || walk.crossed {
                    Verdict::Committed
                } else {
                    Verdict::NotCommitted
                }
            }
            None if story.holders.iter().any(|h| h.holds == Holds::This) => Verdict::Unavailable,
            _ => {
                // Holders down whose disks no longer have it: it was not
                // flushed when they lost power (their restart will say so).
                let unflushed: Vec<BrokerId> = story
                    .holders
                    .iter()
                    .filter(|h| {
                        !h.broker_up && h.holds != Holds::This && walk.holders.contains(&h.broker)
                    })
                    .map(|h| h.broker)
                    .collect();
                // A leader in ZooKeeper without it whose election the
                // trace has not told yet (the controller awaits ZooKeeper's
                // answer).
                let state = self.partition_state(&tp).filter(|s| s.leader >= 0);
                match walk.gone {
                    Verdict::Lost(LossReason::Unknown)
                        if state
                            .as_ref()
                            .is_some_and(|s| !walk.holders.contains(&s.leader)) =>
                    {
                        let s = state.expect("checked");
                        Verdict::Lost(LossReason::ElectedWithout {
                            n: None,
                            broker: s.leader,
                            leader_epoch: s.leader_epoch,
                            unclean: !walk.isr.contains(&s.leader),
                            holders: walk.holders.iter().copied().collect(),
                        })
                    }
                    Verdict::Lost(LossReason::Unknown) if !unflushed.is_empty() => {
                        Verdict::Lost(LossReason::PowerLoss {
                            n: unflushed
                                .iter()
                                .filter_map(|b| walk.down_at.get(b))
                                .min()
                                .copied()
                                .unwrap_or(0),
                            brokers: unflushed,
                        })
                    }
                    v => v,
                }
            }
        };
        story.acked = walk.acked;
        story
    }
}

/// The value the producer's application gave a send, if it was acked.
fn sent_value(
    cache: &mut StoryCache,
    send_id: Option<&str>,
    producers: &[&Producer],
) -> Option<String> {
    let scan = cache.acked(send_id?, producers);
    scan.seen
        .iter()
        .zip(producers)
        .find_map(|((.., first), p)| Some(&p.app.acked[(*first)?]))
        .and_then(|a| a.value.clone())
}

fn walk_name(names: &[String], node: u32) -> String {
    names
        .get(node as usize)
        .cloned()
        .unwrap_or_else(|| node.to_string())
}

/// What pass two found.
struct Walk {
    steps: Vec<StoryStep>,
    /// Brokers holding the record at the end.
    holders: BTreeSet<BrokerId>,
    /// The producer node and send number, once known.
    send: Option<(u32, u64)>,
    /// A leader's HW passed it.
    crossed: bool,
    /// The producer was told this copy was written.
    acked: bool,
    /// When each holder last went down.
    down_at: BTreeMap<BrokerId, u64>,
    /// The ISR as the trace last told it.
    isr: Vec<BrokerId>,
    /// The verdict if no current leader holds it.
    gone: Verdict,
}

/// Pass two: everything that happened to the record `id` of `tp` (or, with
/// none, to the send `send` that was never appended).
struct Follow {
    tp: String,
    id: Option<Identity>,
    /// The producer node and send number, once known.
    send: Option<(u32, u64)>,
    /// Consumer -> its group.
    groups: BTreeMap<String, Option<String>>,
    wire: Wire,
    steps: Vec<StoryStep>,
    holders: BTreeSet<BrokerId>,
    appended: bool,
    crossed: bool,
    leader_epoch: Option<i32>,
    isr: Vec<BrokerId>,
    elected_without: Option<LossReason>,
    power_lost: Vec<(u64, BrokerId)>,
    last_removed: Option<(u64, BrokerId, bool)>,
    committed_groups: BTreeSet<Option<String>>,
    /// Requests known to carry the send (message ids).
    carriers: BTreeSet<u64>,
    acked: bool,
    down_at: BTreeMap<BrokerId, u64>,
}

impl Follow {
    fn new((groups, tp, id, send): &FollowKey) -> Follow {
        Follow {
            tp: tp.clone(),
            id: id.clone(),
            send: *send,
            groups: groups.clone(),
            wire: Wire::default(),
            steps: Vec::new(),
            holders: BTreeSet::new(),
            appended: false,
            crossed: false,
            leader_epoch: None,
            isr: Vec::new(),
            elected_without: None,
            power_lost: Vec::new(),
            last_removed: None,
            committed_groups: BTreeSet::new(),
            carriers: BTreeSet::new(),
            acked: false,
            down_at: BTreeMap::new(),
        }
    }
}

impl Pass for Follow {
    fn feed(&mut self, trace: &[TraceEvent], names: &[String], at: usize) {
        let Follow {
            tp,
            id,
            send,
            groups,
            wire,
            steps,
            holders,
            appended,
            crossed,
            leader_epoch,
            isr,
            elected_without,
            power_lost,
            last_removed,
            committed_groups,
            carriers,
            acked,
            down_at,
        } = self;
        let (tp, id, e) = (tp.as_str(), id.as_ref(), &trace[at]);
        wire.observe(at, e);
        let is_ours =
            |offset: i64, epoch: i32| id.is_some_and(|i| i.offset == offset && i.epoch == epoch);
        let mut step = |s: Step| {
            steps.push(StoryStep {
                n: e.n,
                t: e.t,
                step: s,
            })
        };
        match &e.kind {
            // Sent, or parked by a hold rule (sent once released).
            TraceKind::Sent {
                from,
                to,
                id: mid,
                api,
                ..
            }
            | TraceKind::Held {
                from,
                to,
                id: mid,
                api,
                ..
            } if *api == "Produce" => {
                let ours = send.is_some_and(|(p, n)| {
                    p == from.0
                        && wire.requests.get(mid).is_some_and(|r| {
                            r.batches.iter().any(|(b, s)| b == tp && s.contains(&n))
                        })
                });
                if ours {
                    carriers.insert(*mid);
                    step(Step::Sent {
                        producer: walk_name(names, from.0),
                        request: Carrier {
                            sent: Some(e.n),
                            delivered: None,
                            from: walk_name(names, from.0),
                            to: walk_name(names, to.0),
                            api: api.to_string(),
                        },
                    });
                }
            }
            TraceKind::Dropped {
                from,
                to,
                id: mid,
                api,
                reason,
            } if carriers.contains(mid) => {
                step(Step::RequestDropped {
                    request: Carrier {
                        sent: wire.sent(trace, *mid),
                        delivered: None,
                        from: walk_name(names, from.0),
                        to: walk_name(names, to.0),
                        api: api.to_string(),
                    },
                    reason: format!("{reason:?}"),
                });
            }
            TraceKind::Crashed { node } if holders.contains(&(node.0 as BrokerId)) => {
                down_at.insert(node.0 as BrokerId, e.n);
                step(Step::BrokerDown {
                    broker: node.0 as BrokerId,
                });
            }
            TraceKind::Node { node, kind, detail } => {
                let b = node.0 as BrokerId;
                let on_tp = text(detail, "partition") == tp;
                let offset = id.map_or(-1, |i| i.offset);
                match kind.as_ref() {
                    "append" if on_tp => {
                        let (first, last, epoch) = (
                            int(detail, "first").unwrap_or(-1),
                            int(detail, "last").unwrap_or(-2),
                            int(detail, "leader_epoch").unwrap_or(-1) as i32,
                        );
                        if !(first <= offset && offset <= last) {
                            return;
                        }
                        if !is_ours(offset, epoch) {
                            holders.remove(&b);
                            return;
                        }
                        holders.insert(b);
                        *appended = true;
                        let input = wire.input_to(node.0, "Produce");
                        // The send it is, from the request's batch.
                        if send.is_none() {
                            *send = input.and_then(|i| wire.requests.get(&i.id)).and_then(|r| {
                                let (_, s) = r.batches.iter().find(|(p, _)| p == tp)?;
                                Some((r.producer, *s.get((offset - first) as usize)?))
                            });
                        }
                        step(Step::Appended {
                            broker: b,
                            leader_epoch: epoch,
                            request: input.map(|i| wire.carrier(trace, names, i)),
                        });
                    }
                    "follower-append" if on_tp => {
                        let Some(epoch) = batch_epoch(detail, offset) else {
                            return;
                        };
                        if !is_ours(offset, epoch) {
                            holders.remove(&b);
                            return;
                        }
                        holders.insert(b);
                        step(Step::Replicated {
                            broker: b,
                            leader: int(detail, "leader").unwrap_or(-1) as BrokerId,
                            response: wire
                                .input_to(node.0, "Fetch")
                                .map(|i| wire.carrier(trace, names, i)),
                        });
                    }
                    "hw" if on_tp
                        && !*crossed
                        && detail.get("leader") == Some(&Value::Bool(true))
                        && holders.contains(&b)
                        && int(detail, "hw").is_some_and(|hw| hw > offset) =>
                    {
                        *crossed = true;
                        step(Step::HwCrossed {
                            broker: b,
                            hw: int(detail, "hw").unwrap_or(-1),
                        });
                    }
                    "truncate" if on_tp && holders.contains(&b) => {
                        let to = int(detail, "to").unwrap_or(-1);
                        if to <= offset {
                            holders.remove(&b);
                            *last_removed = Some((e.n, b, false));
                            step(Step::Truncated {
                                broker: b,
                                to,
                                rule: text(detail, "rule").to_string(),
                            });
                        }
                    }
                    "log-recovered" if on_tp && holders.contains(&b) => {
                        let leo = int(detail, "leo").unwrap_or(-1);
                        if leo <= offset {
                            holders.remove(&b);
                            power_lost.push((e.n, b));
                            *last_removed = Some((e.n, b, true));
                            step(Step::PowerLoss {
                                broker: b,
                                recovered_leo: leo,
                            });
                        }
                    }
                    "retention" if on_tp && holders.contains(&b) => {
                        let start = int(detail, "log_start_to").unwrap_or(-1);
                        if start > offset {
                            holders.remove(&b);
                            step(Step::Deleted {
                                broker: b,
                                log_start: start,
                            });
                        }
                    }
                    "isr-shrink" | "isr-expand" if on_tp => {
                        *isr = crate::view::detail_ids(detail, "new");
                    }
                    "partition-state" if on_tp => {
                        *isr = crate::view::detail_ids(detail, "isr");
                        let epoch = int(detail, "leader_epoch").unwrap_or(-1) as i32;
                        if *leader_epoch == Some(epoch) {
                            return;
                        }
                        *leader_epoch = Some(epoch);
                        if !*appended {
                            return;
                        }
                        let leader = int(detail, "leader").unwrap_or(-1) as BrokerId;
                        let reason = text(detail, "reason").to_string();
                        let has_it = holders.contains(&leader);
                        // The election that lost it: a leader without it
                        // while some replica still had it.
                        if !has_it
                            && leader >= 0
                            && !holders.is_empty()
                            && elected_without.is_none()
                        {
                            *elected_without = Some(LossReason::ElectedWithout {
                                n: Some(e.n),
                                broker: leader,
                                leader_epoch: epoch,
                                unclean: reason == "unclean-election",
                                holders: holders.iter().copied().collect(),
                            });
                        }
                        step(Step::LeaderChanged {
                            broker: leader,
                            leader_epoch: epoch,
                            reason,
                            has_it,
                        });
                    }
                    "producer-ack" if on_tp => {
                        let Some((p, n)) = send.filter(|(p, _)| *p == node.0) else {
                            return;
                        };
                        let sends = sends_of(detail);
                        let (Some(at), Some(base)) = (
                            sends.iter().position(|&s| s == n),
                            int(detail, "base_offset"),
                        ) else {
                            return;
                        };
                        // This copy was acknowledged if the answer came
                        // from a broker holding it at this offset (acks=0:
                        // no answer, no offset).
                        let answered_by_holder = wire
                            .input
                            .is_some_and(|i| holders.contains(&(i.from as BrokerId)));
                        *acked |= base < 0 || (base + at as i64 == offset && answered_by_holder);
                        step(Step::Acked {
                            producer: walk_name(names, p),
                            offset: if base < 0 { -1 } else { base + at as i64 },
                        });
                    }
                    "producer-retry" if on_tp => {
                        if let Some((p, n)) = send.filter(|(p, _)| *p == node.0) {
                            if sends_of(detail).contains(&n) {
                                step(Step::Retried {
                                    producer: walk_name(names, p),
                                    error: text(detail, "error").to_string(),
                                });
                            }
                        }
                    }
                    "producer-error" => {
                        if let Some((p, n)) = send.filter(|(p, _)| *p == node.0) {
                            if send_number(text(detail, "send")) == Some(n) {
                                step(Step::Failed {
                                    producer: walk_name(names, p),
                                    error: text(detail, "error").to_string(),
                                });
                            }
                        }
                    }
                    "records-fetched" => {
                        if let Some(i) = id {
                            if runs_hold(detail, tp, i.offset, i.epoch) {
                                step(Step::Fetched {
                                    consumer: walk_name(names, node.0),
                                    broker: int(detail, "broker").unwrap_or(-1) as BrokerId,
                                    response: wire
                                        .input_to(node.0, "Fetch")
                                        .map(|i| wire.carrier(trace, names, i)),
                                });
                            }
                        }
                    }
                    "records-delivered" => {
                        if let Some(i) = id {
                            if runs_hold(detail, tp, i.offset, i.epoch) {
                                step(Step::Polled {
                                    consumer: walk_name(names, node.0),
                                });
                            }
                        }
                    }
                    "commit-acked" if *appended => {
                        let committed = detail
                            .get("offsets")
                            .and_then(|o| o.get(tp))
                            .and_then(Value::as_i64);
                        if let Some(o) = committed.filter(|&o| o > offset) {
                            let consumer = walk_name(names, node.0);
                            let group = groups.get(&consumer).cloned().flatten();
                            if committed_groups.insert(group.clone()) {
                                step(Step::Committed {
                                    consumer,
                                    group,
                                    offset: o,
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

impl Follow {
    /// What the pass found so far.
    fn walk(&self) -> Walk {
        let Follow {
            steps,
            holders,
            appended,
            elected_without,
            power_lost,
            last_removed,
            ..
        } = self;
        let gone = if !appended {
            Verdict::NeverAppended
        } else if let Some(r) = elected_without.clone() {
            Verdict::Lost(r)
        } else if steps.iter().any(|s| matches!(s.step, Step::Deleted { .. })) && holders.is_empty()
        {
            Verdict::Deleted
        } else {
            match *last_removed {
                Some((_, _, true)) if holders.is_empty() => Verdict::Lost(LossReason::PowerLoss {
                    n: power_lost.first().map_or(0, |p| p.0),
                    brokers: power_lost.iter().map(|p| p.1).collect(),
                }),
                Some((n, b, false)) if holders.is_empty() => {
                    Verdict::Lost(LossReason::Truncated { n, broker: b })
                }
                _ => Verdict::Lost(LossReason::Unknown),
            }
        };
        Walk {
            steps: steps.clone(),
            holders: holders.clone(),
            send: self.send,
            crossed: self.crossed,
            acked: self.acked,
            down_at: self.down_at.clone(),
            isr: self.isr.clone(),
            gone,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    fn demo(file: &str, seed: u64) -> Session {
        let text = std::fs::read_to_string(format!(
            "{}/../../tests/scenarios/demos/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let mut s = Session::new(seed);
        let out = s.submit(&text).unwrap();
        assert!(
            !out.lines
                .iter()
                .any(|l| l.starts_with("FAIL") || l.starts_with("ERROR")),
            "{:?}",
            out.lines
        );
        s
    }

    fn send(id: &str) -> RecordRef {
        RecordRef::Send { send_id: id.into() }
    }

    fn at(partition: &str, offset: i64, broker: Option<BrokerId>) -> RecordRef {
        RecordRef::Offset {
            partition: partition.into(),
            offset,
            broker,
        }
    }

    fn kinds(s: &RecordStory) -> Vec<&'static str> {
        s.steps.iter().map(|s| s.step.kind()).collect()
    }

    /// The event number of the story's first step of this kind.
    fn first_n(s: &RecordStory, kind: &str) -> u64 {
        s.steps
            .iter()
            .find(|s| s.step.kind() == kind)
            .unwrap_or_else(|| panic!("no {kind} step in {:?}", kinds(s)))
            .n
    }

    #[test]
    fn an_acks_1_record_acked_by_a_leader_that_died_is_truncated_and_lost() {
        let s = demo("01-acks.scn", 11);
        let c = s.cluster().unwrap();
        let story = c.record_story(&send("fast:2"));
        assert_eq!(story.problem, None);
        assert_eq!(story.partition, "one-0");
        assert_eq!((story.offset, story.leader_epoch), (Some(1), Some(0)));
        assert_eq!(story.value.as_deref(), Some("a1"));
        assert!(story.acked);
        assert_eq!(
            kinds(&story)[..6],
            ["sent", "appended", "acked", "down", "leader", "truncated"],
            "{:#?}",
            story.steps
        );
        let Step::Appended {
            broker: 0,
            leader_epoch: 0,
            request: Some(req),
        } = &story.steps[1].step
        else {
            panic!("{:?}", story.steps[1]);
        };
        assert_eq!(
            (req.from.as_str(), req.to.as_str(), req.api.as_str()),
            ("fast", "0", "Produce")
        );
        assert_eq!(req.sent, Some(story.steps[0].n));
        assert!(req.delivered.unwrap() > req.sent.unwrap());
        assert_eq!(
            story.steps[2].step,
            Step::Acked {
                producer: "fast".into(),
                offset: 1
            }
        );
        let Step::LeaderChanged {
            broker: 1,
            has_it: false,
            ref reason,
            ..
        } = story.steps[4].step
        else {
            panic!("{:?}", story.steps[4]);
        };
        assert_eq!(reason, "leader-election");
        assert!(
            matches!(&story.steps[5].step, Step::Truncated { broker: 0, to: 0, rule } if rule == "leader-epoch")
        );
        // Never copied: only broker 0 had it when broker 1 was elected.
        assert_eq!(
            story.verdict,
            Verdict::Lost(LossReason::ElectedWithout {
                n: Some(story.steps[4].n),
                broker: 1,
                leader_epoch: 1,
                unclean: false,
                holders: vec![0],
            })
        );
        assert!(
            story.holders.iter().all(|h| h.holds == Holds::Nothing),
            "{:?}",
            story.holders
        );
        // The HW never passed it: the followers' fetches were held.
        assert!(!kinds(&story).contains(&"hw"));
    }

    #[test]
    fn an_acks_all_record_is_replicated_committed_and_kept() {
        let s = demo("01-acks.scn", 11);
        let c = s.cluster().unwrap();
        let story = c.record_story(&at("all-0", 0, None));
        assert_eq!(story.problem, None);
        assert_eq!(story.leader_epoch, Some(1), "the retry on broker 1");
        assert_eq!(story.send_id.as_deref(), Some("safe:1"));
        assert_eq!(story.value.as_deref(), Some("b0"));
        assert_eq!(story.verdict, Verdict::Committed);
        let k = kinds(&story);
        let pos = |w: &str| {
            k.iter()
                .position(|x| *x == w)
                .unwrap_or_else(|| panic!("{w} in {k:?}"))
        };
        assert!(pos("sent") < pos("appended") && pos("appended") < pos("replicated"));
        assert!(
            pos("replicated") < pos("hw") && pos("hw") < pos("acked"),
            "{k:?}"
        );
        let Step::HwCrossed { broker: 1, hw } = story.steps[pos("hw")].step else {
            panic!("{:?}", story.steps[pos("hw")]);
        };
        assert!(hw > 0);
        // Both followers copied it, each by a Fetch response from broker 1.
        let copies: Vec<_> = story
            .steps
            .iter()
            .filter_map(|s| match &s.step {
                Step::Replicated {
                    broker,
                    leader: 1,
                    response: Some(r),
                } if r.from == "1" && r.api == "Fetch" => Some(*broker),
                _ => None,
            })
            .collect();
        assert_eq!(copies, [2, 0]);
        assert!(
            story.holders.iter().all(|h| h.holds == Holds::This),
            "{:?}",
            story.holders
        );
        assert!(story.holders.iter().any(|h| h.leader && h.broker == 1));

        // The first attempt (epoch 0 on broker 0) is another record: by
        // send id the story follows the one the ack named.
        let by_send = c.record_story(&send("safe:1"));
        assert_eq!((by_send.offset, by_send.leader_epoch), (Some(0), Some(1)));
        assert_eq!(by_send.verdict, Verdict::Committed);
        let retried = by_send
            .steps
            .iter()
            .filter(|s| matches!(s.step, Step::Retried { .. }))
            .count();
        assert_eq!(retried, 1, "{:#?}", by_send.steps);
    }

    #[test]
    fn a_copy_the_producer_never_heard_of_is_gone_but_not_a_loss() {
        let s = demo("01-acks.scn", 11);
        let kept = s.cluster().unwrap().record_story(&send("safe:1"));
        assert!(kept.acked);
        let acked = first_n(&kept, "acked");
        // Right after the retry's ack, broker 0 (down) still has the first
        // copy, appended in epoch 0; broker 1 holds the retried one.
        let (past, _) = Session::replay(11, &s.script(), Some(acked)).unwrap();
        let first = past
            .cluster()
            .unwrap()
            .record_story(&at("all-0", 0, Some(0)));
        assert_eq!(first.leader_epoch, Some(0));
        assert!(!first.acked, "the ack came from broker 1, for its own copy");
        assert!(matches!(
            first.verdict,
            Verdict::Lost(LossReason::ElectedWithout {
                broker: 1,
                unclean: false,
                ..
            })
        ));
        let holds: Vec<_> = first
            .holders
            .iter()
            .map(|h| (h.broker, h.holds.clone()))
            .collect();
        assert_eq!(holds[0], (0, Holds::This));
        assert_eq!(
            holds[1],
            (
                1,
                Holds::Other {
                    value: "b0".into(),
                    send_id: Some("safe:1".into())
                }
            )
        );
        assert!(kinds(&first).contains(&"retried"));
    }

    #[test]
    fn an_acks_0_record_and_bad_references() {
        let s = demo("01-acks.scn", 11);
        let c = s.cluster().unwrap();
        let story = c.record_story(&send("fire:1"));
        assert_eq!(story.partition, "zero-0");
        assert!(kinds(&story).contains(&"appended"));
        assert!(story.steps.iter().any(|s| s.step
            == Step::Acked {
                producer: "fire".into(),
                offset: -1
            }));
        assert!(matches!(
            story.verdict,
            Verdict::Lost(LossReason::ElectedWithout { broker: 1, .. })
        ));

        assert!(c
            .record_story(&send("nobody:1"))
            .problem
            .unwrap()
            .contains("no producer"));
        assert!(c.record_story(&send("fire")).problem.is_some());
        assert!(c
            .record_story(&at("zero", 0, None))
            .problem
            .unwrap()
            .contains("not a partition"));
        assert!(c
            .record_story(&at("zero-0", 0, None))
            .problem
            .unwrap()
            .contains("no replica holds"));
        assert!(c
            .record_story(&at("all-0", 9, Some(2)))
            .problem
            .unwrap()
            .contains("broker 2 holds no record"));
    }

    #[test]
    fn a_record_rewound_to_before_the_crash_is_not_lost_yet() {
        let s = demo("01-acks.scn", 11);
        let live = s.cluster().unwrap().record_story(&send("fast:2"));
        let truncated = live.steps.last().unwrap().n;
        let down = first_n(&live, "down");
        let acked = first_n(&live, "acked");
        let (past, _) = Session::replay(11, &s.script(), Some(acked)).unwrap();
        let story = past.cluster().unwrap().record_story(&send("fast:2"));
        assert_eq!(story.verdict, Verdict::NotCommitted);
        assert!(story.steps.iter().all(|s| s.n < down));
        assert!(truncated > down);
        let h0 = story.holders.iter().find(|h| h.broker == 0).unwrap();
        assert!(h0.leader && h0.holds == Holds::This);
    }

    #[test]
    fn an_unclean_election_loses_a_committed_record_and_a_refused_one_was_never_appended() {
        let s = demo("05-unclean-election.scn", 3);
        let c = s.cluster().unwrap();
        let lost = c.record_story(&send("p:1"));
        assert_eq!(lost.partition, "loose-0");
        assert!(lost.acked);
        // Committed by the ISR of one (broker 0), then lost to the
        // out-of-sync broker 1's election.
        let k = kinds(&lost);
        assert!(k.contains(&"hw") && k.contains(&"acked"), "{k:?}");
        let Verdict::Lost(LossReason::ElectedWithout {
            broker: 1,
            unclean: true,
            ref holders,
            ..
        }) = lost.verdict
        else {
            panic!("{:?} {:#?}", lost.verdict, lost.steps);
        };
        assert_eq!(holders, &[0]);
        assert!(lost.steps.iter().any(|s| matches!(&s.step,
            Step::LeaderChanged { broker: 1, has_it: false, reason, .. } if reason == "unclean-election")));
        assert!(lost
            .steps
            .iter()
            .any(|s| matches!(s.step, Step::Truncated { broker: 0, .. })));

        let refused = c.record_story(&send("careful:1"));
        assert_eq!(refused.partition, "safe-0");
        assert_eq!(refused.verdict, Verdict::NeverAppended);
        assert_eq!(refused.offset, None);
        assert!(refused.steps.iter().any(|s| s.step
            == Step::Failed {
                producer: "careful".into(),
                error: "NOT_ENOUGH_REPLICAS".into()
            }));
        assert!(kinds(&refused).contains(&"sent"));

        // The strict topic waited for broker 0: its records are kept.
        assert_eq!(
            c.record_story(&at("strict-0", 2, None)).verdict,
            Verdict::Committed
        );
    }

    #[test]
    fn a_consumed_and_committed_record() {
        let s = demo("13-offset-commits.scn", 21);
        let c = s.cluster().unwrap();
        let story = c.record_story(&at("jobs-0", 1, None));
        assert_eq!(story.verdict, Verdict::Committed);
        assert_eq!(story.value.as_deref(), Some("j1"));
        let fetched: Vec<_> = story
            .steps
            .iter()
            .filter_map(|s| match &s.step {
                Step::Fetched {
                    consumer,
                    response: Some(r),
                    ..
                } => Some((consumer.as_str(), r.to.as_str())),
                _ => None,
            })
            .collect();
        assert!(fetched.contains(&("cb", "cb")), "{fetched:?}");
        assert!(fetched.iter().any(|(c, _)| *c == "early"), "{fetched:?}");
        assert!(story.steps.iter().any(|s| s.step
            == Step::Polled {
                consumer: "cb".into()
            }));
        let commits: Vec<_> = story
            .steps
            .iter()
            .filter_map(|s| match &s.step {
                Step::Committed { group, offset, .. } => Some((group.clone(), *offset)),
                _ => None,
            })
            .collect();
        assert_eq!(commits[0], (Some("gb".into()), 3), "{commits:?}");
    }

    #[test]
    fn a_power_loss_drops_unflushed_records_on_every_replica() {
        let s = demo("06-power-failure.scn", 41);
        let c = s.cluster().unwrap();
        let story = c.record_story(&send("p:1"));
        assert_eq!(story.partition, "memory-0");
        let Verdict::Lost(LossReason::PowerLoss { brokers, .. }) = &story.verdict else {
            panic!("{:?} {:#?}", story.verdict, story.steps);
        };
        assert_eq!(brokers.len(), 3);
        assert!(
            kinds(&story).contains(&"hw"),
            "acks=all: committed before the power loss"
        );
        // flush.messages=1: the synced topic's record survived.
        let synced = c.record_story(&at("synced-0", 0, None));
        assert_eq!(synced.verdict, Verdict::Committed);
    }

    /// Records to follow in `c`: some sends of each producer (acked first,
    /// in the middle and last, failed, never sent) and offsets of some
    /// partitions (the leader's or any replica's, and a given broker's).
    fn refs_of(c: &Cluster) -> Vec<RecordRef> {
        let mut refs = Vec::new();
        for p in c.producers() {
            let acked = &p.app.acked;
            for a in [acked.first(), acked.get(acked.len() / 2), acked.last()]
                .into_iter()
                .flatten()
            {
                refs.push(send(&a.send_id));
            }
            refs.extend(p.app.failed.first().map(|f| send(&f.send_id)));
            refs.push(send(&format!("{}:{}", p.name, p.app.sends + 5)));
        }
        for tp in c.all_partitions().into_iter().take(3) {
            let (partition, b) = (tp.to_string(), c.leader(&tp).unwrap_or(0));
            let leo = c.replica_offsets(b, &tp).map_or(0, |(_, leo, _)| leo);
            refs.push(at(&partition, 0, None));
            refs.push(at(&partition, (leo - 1).max(0), None));
            refs.push(at(
                &partition,
                leo / 2,
                Some((b + 1) % c.brokers() as BrokerId),
            ));
        }
        refs.dedup();
        refs
    }

    /// At every line of every scenario of the repository, each record's
    /// story kept between updates (the cluster's own cache, and a cache
    /// per record) is the story read from the whole trace again.
    #[test]
    fn a_story_kept_between_updates_is_the_one_read_in_full() {
        let (mut checked, mut told, mut lost) = (0, 0, 0);
        for file in crate::scenario_lines::all_files() {
            let text = crate::scenario_lines::read(&file);
            // The records to follow: those of a first run, at its end.
            let mut refs = Vec::new();
            crate::scenario_lines::each_line(&file, &text, |_, c| refs = refs_of(c));
            let mut caches: Vec<StoryCache> = refs.iter().map(|_| StoryCache::default()).collect();
            let mut last: Option<(*const Cluster, u64)> = None;
            crate::scenario_lines::each_line(&file, &text, |line, c| {
                // A new cluster: the caches were for another trace.
                let here = (c as *const Cluster, c.sim.trace_len());
                if last.is_some_and(|(p, n)| p != here.0 || n > here.1) {
                    caches.iter_mut().for_each(|k| *k = StoryCache::default());
                }
                last = Some(here);
                for (r, cache) in refs.iter().zip(&mut caches) {
                    let full = c.record_story_in_full(r);
                    assert_eq!(c.story_with(cache, r), full, "{file}: {r:?} after {line:?}");
                    checked += 1;
                    told += usize::from(full.steps.len() > 3);
                    lost += usize::from(matches!(full.verdict, Verdict::Lost(_)));
                }
                if let Some(r) = refs.iter().find(|r| matches!(r, RecordRef::Offset { .. })) {
                    let full = c.record_story_in_full(r);
                    assert_eq!(c.record_story(r), full, "{file}: {r:?} after {line:?}");
                }
            });
        }
        assert!(checked > 5000, "{checked} stories checked");
        assert!(told > 2000 && lost > 50, "{told} told, {lost} lost");
    }

    /// A live run keeps only the newest events: once the oldest are
    /// dropped, the kept passes start again on what is stored, as a story
    /// read in full does.
    #[test]
    fn a_story_kept_between_updates_starts_again_when_the_trace_drops_events() {
        let mut s = Session::new(7);
        s.submit("cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p acks=all\nsend p t value=v{i} count=3\nflush p\n")
            .unwrap();
        let r = send("p:1");
        let c = s.cluster_mut().unwrap();
        let before = c.record_story(&r);
        assert!(before.steps.len() > 3, "{before:?}");
        c.sim.set_trace_keep(Some(10));
        let mut dropped = false;
        for _ in 0..30 {
            c.tick(50);
            dropped |= c.sim.trace().first().is_some_and(|e| e.n > 1);
            assert_eq!(c.record_story(&r), c.record_story_in_full(&r));
        }
        assert!(dropped);
        assert_ne!(c.record_story(&r).steps, before.steps);
    }
}

//! The run's trace: every delivered, dropped, held and released message,
//! every timer that fired, every crash and restart, every fault rule change
//! and every node event, numbered in order.
//!
//! Numbering and [`Tracer::hash`] run always (a few integer operations per
//! event); storing events (and building their JSON detail) only while
//! tracing is on, so a benchmark run pays next to nothing.

use std::borrow::Cow;

use serde::Serialize;

use crate::node::{NodeId, TimerToken};
use crate::rules::ApiFilter;

/// One trace record: event number `n` (from 1, never reused), virtual time
/// `t` in ms, and what happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceEvent {
    pub n: u64,
    pub t: u64,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// Why a message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// The link was cut by a partition when the message arrived.
    Partition,
    /// A `drop` rule matched.
    Rule,
    /// The receiver was down (crashed or not started) when it arrived.
    NodeDown,
    /// The receiver crashed while the message was in flight or held.
    Crashed,
}

/// A change to the network's fault rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum FaultChange {
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal,
    Hold {
        from: NodeId,
        to: NodeId,
        api: ApiFilter,
    },
    Release {
        from: NodeId,
        to: NodeId,
        api: ApiFilter,
        released: usize,
    },
    Drop {
        from: NodeId,
        to: NodeId,
        api: ApiFilter,
        count: Option<u64>,
    },
    Delay {
        from: NodeId,
        to: NodeId,
        ms: u64,
    },
    Latency {
        min: u64,
        max: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "ev", rename_all = "kebab-case")]
pub enum TraceKind {
    /// A message left `from`; it is due at `arrive` unless a fault intervenes.
    Sent {
        from: NodeId,
        to: NodeId,
        id: u64,
        api: &'static str,
        arrive: u64,
        #[serde(skip_serializing_if = "serde_json::Value::is_null")]
        detail: serde_json::Value,
    },
    Delivered {
        from: NodeId,
        to: NodeId,
        id: u64,
        api: &'static str,
    },
    Dropped {
        from: NodeId,
        to: NodeId,
        id: u64,
        api: &'static str,
        reason: DropReason,
    },
    /// Sent while a hold rule matched: parked instead of put on the wire.
    Held {
        from: NodeId,
        to: NodeId,
        id: u64,
        api: &'static str,
        #[serde(skip_serializing_if = "serde_json::Value::is_null")]
        detail: serde_json::Value,
    },
    /// Put on the wire by a release or heal; due at `arrive`.
    Released {
        from: NodeId,
        to: NodeId,
        id: u64,
        api: &'static str,
        arrive: u64,
    },
    Timer {
        node: NodeId,
        token: TimerToken,
        background: bool,
    },
    Started {
        node: NodeId,
    },
    Crashed {
        node: NodeId,
    },
    Restarted {
        node: NodeId,
    },
    Fault(FaultChange),
    /// A node's own state-change event (`Outputs::event`).
    Node {
        node: NodeId,
        kind: Cow<'static, str>,
        #[serde(skip_serializing_if = "serde_json::Value::is_null")]
        detail: serde_json::Value,
    },
    /// A note from outside the nodes (scenario narration, expect results).
    Note {
        kind: Cow<'static, str>,
        #[serde(skip_serializing_if = "serde_json::Value::is_null")]
        detail: serde_json::Value,
    },
}

/// Order-sensitive 64-bit mix (FxHash-style): deterministic on every
/// platform, unlike `std`'s randomly keyed hasher.
#[derive(Clone, Copy, Debug)]
struct Mix(u64);

impl Mix {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(Self::K);
    }

    fn add_str(&mut self, s: &str) {
        for chunk in s.as_bytes().chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
        self.add(s.len() as u64);
    }

    fn add_filter(&mut self, f: &ApiFilter) {
        match f {
            ApiFilter::Any => self.add(0),
            ApiFilter::Api(name) => self.add_str(name),
        }
    }
}

pub(crate) struct Tracer {
    enabled: bool,
    next: u64,
    hash: Mix,
    events: Vec<TraceEvent>,
    /// Build messages' free-form detail (off: `null`, cheaper).
    detail: bool,
    /// Keep only about this many newest events (a run that never ends).
    keep: Option<usize>,
}

impl Tracer {
    pub fn new(enabled: bool) -> Self {
        Tracer {
            enabled,
            next: 1,
            hash: Mix(0),
            events: Vec::new(),
            detail: true,
            keep: None,
        }
    }

    /// Is a message's detail to be built for the trace?
    #[inline]
    pub fn wants_detail(&self) -> bool {
        self.enabled && self.detail
    }

    pub fn set_detail(&mut self, on: bool) {
        self.detail = on;
    }

    pub fn set_keep(&mut self, keep: Option<usize>) {
        self.keep = keep;
    }

    #[inline]
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    /// Number of events recorded so far (stored or not).
    pub fn count(&self) -> u64 {
        self.next - 1
    }

    pub fn hash(&self) -> u64 {
        self.hash.0
    }

    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    pub fn take(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.events)
    }

    /// Number, hash and (when on) store one event. Free-form `detail`
    /// values are not hashed, so the hash is the same with tracing on or off.
    /// The hash is order-sensitive, so event numbers need no mixing in, and
    /// a message's API is mixed in once, when it is sent or held: later
    /// events name the message by its id.
    #[inline]
    pub fn record(&mut self, t: u64, kind: TraceKind) {
        let n = self.next;
        self.next += 1;
        let h = &mut self.hash;
        h.add(t);
        let link = |from: &NodeId, to: &NodeId| ((from.0 as u64) << 32) | to.0 as u64;
        match &kind {
            TraceKind::Sent {
                from,
                to,
                id,
                api,
                arrive,
                ..
            } => {
                h.add(1);
                h.add(link(from, to));
                h.add(*id);
                h.add_str(api);
                h.add(*arrive);
            }
            TraceKind::Held {
                from, to, id, api, ..
            } => {
                h.add(3);
                h.add(link(from, to));
                h.add(*id);
                h.add_str(api);
            }
            TraceKind::Delivered { id, .. } => {
                h.add(2);
                h.add(*id);
            }
            TraceKind::Released { id, arrive, .. } => {
                h.add(4);
                h.add(*id);
                h.add(*arrive);
            }
            TraceKind::Dropped { id, reason, .. } => {
                h.add(5);
                h.add(*id);
                h.add(*reason as u64);
            }
            TraceKind::Timer {
                node,
                token,
                background,
            } => {
                h.add(6);
                h.add(node.0 as u64);
                h.add(*token);
                h.add(*background as u64);
            }
            TraceKind::Started { node } => {
                h.add(7);
                h.add(node.0 as u64);
            }
            TraceKind::Crashed { node } => {
                h.add(8);
                h.add(node.0 as u64);
            }
            TraceKind::Restarted { node } => {
                h.add(9);
                h.add(node.0 as u64);
            }
            TraceKind::Fault(change) => {
                h.add(10);
                hash_fault(h, change);
            }
            TraceKind::Node { node, kind, .. } => {
                h.add(11);
                h.add(node.0 as u64);
                h.add_str(kind);
            }
            TraceKind::Note { kind, .. } => {
                h.add(12);
                h.add_str(kind);
            }
        }
        if self.enabled {
            self.events.push(TraceEvent { n, t, kind });
            if let Some(keep) = self.keep {
                // Dropping in halves keeps this O(1) per event.
                if self.events.len() >= 2 * keep.max(1) {
                    self.events.drain(..self.events.len() - keep);
                }
            }
        }
    }
}

fn hash_fault(h: &mut Mix, change: &FaultChange) {
    let link =
        |h: &mut Mix, from: &NodeId, to: &NodeId| h.add(((from.0 as u64) << 32) | to.0 as u64);
    match change {
        FaultChange::Partition { groups } => {
            h.add(1);
            for g in groups {
                h.add(g.len() as u64);
                for id in g {
                    h.add(id.0 as u64);
                }
            }
        }
        FaultChange::Heal => h.add(2),
        FaultChange::Hold { from, to, api } => {
            h.add(3);
            link(h, from, to);
            h.add_filter(api);
        }
        FaultChange::Release {
            from,
            to,
            api,
            released,
        } => {
            h.add(4);
            link(h, from, to);
            h.add_filter(api);
            h.add(*released as u64);
        }
        FaultChange::Drop {
            from,
            to,
            api,
            count,
        } => {
            h.add(5);
            link(h, from, to);
            h.add_filter(api);
            h.add(count.map_or(u64::MAX, |c| c));
        }
        FaultChange::Delay { from, to, ms } => {
            h.add(6);
            link(h, from, to);
            h.add(*ms);
        }
        FaultChange::Latency { min, max } => {
            h.add(7);
            h.add(*min);
            h.add(*max);
        }
    }
}

/// Render one event as a JSON line, with node ids replaced by their names
/// (`names[id]`) so the line reads `"from":"0","to":"zk"`. The line starts
/// with `n`, `t` and `ev`; the other fields follow in name order.
pub fn json_line(event: &TraceEvent, names: &[String]) -> String {
    let mut value = serde_json::to_value(event).expect("trace events serialize");
    name_nodes(&mut value, names);
    let serde_json::Value::Object(mut map) = value else {
        unreachable!("a trace event serializes to an object")
    };
    let mut line = String::with_capacity(128);
    line.push('{');
    let mut first = true;
    let mut field = |line: &mut String, key: &str, v: &serde_json::Value| {
        if !first {
            line.push(',');
        }
        first = false;
        line.push_str(&serde_json::Value::String(key.to_string()).to_string());
        line.push(':');
        line.push_str(&v.to_string());
    };
    for key in ["n", "t", "ev"] {
        if let Some(v) = map.remove(key) {
            field(&mut line, key, &v);
        }
    }
    let mut rest: Vec<_> = map.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, v) in &rest {
        field(&mut line, key, v);
    }
    line.push('}');
    line
}

fn name_nodes(value: &mut serde_json::Value, names: &[String]) {
    use serde_json::Value;
    let name = |v: &Value| -> Option<Value> {
        let i = v.as_u64()? as usize;
        names.get(i).map(|s| Value::String(s.clone()))
    };
    let Value::Object(map) = value else { return };
    for key in ["from", "to", "node"] {
        if let Some(v) = map.get_mut(key) {
            if let Some(named) = name(v) {
                *v = named;
            }
        }
    }
    if let Some(Value::Array(groups)) = map.get_mut("groups") {
        for group in groups {
            if let Value::Array(ids) = group {
                for id in ids {
                    if let Some(named) = name(id) {
                        *id = named;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_order_sensitive_and_independent_of_storage() {
        let ev = |node| TraceKind::Crashed { node: NodeId(node) };
        let mut a = Tracer::new(true);
        let mut b = Tracer::new(false);
        let mut c = Tracer::new(false);
        a.record(1, ev(0));
        a.record(2, ev(1));
        b.record(1, ev(0));
        b.record(2, ev(1));
        c.record(1, ev(1));
        c.record(2, ev(0));
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
        assert_eq!(a.events().len(), 2);
        assert!(b.events().is_empty());
        assert_eq!(b.count(), 2);
    }

    #[test]
    fn json_line_names_nodes() {
        let names = vec!["0".to_string(), "zk".to_string()];
        let ev = TraceEvent {
            n: 3,
            t: 10,
            kind: TraceKind::Delivered {
                from: NodeId(0),
                to: NodeId(1),
                id: 9,
                api: "Fetch",
            },
        };
        let parse = |line: String| serde_json::from_str::<serde_json::Value>(&line).unwrap();
        assert_eq!(
            json_line(&ev, &names),
            r#"{"n":3,"t":10,"ev":"delivered","api":"Fetch","from":"0","id":9,"to":"zk"}"#
        );
        assert_eq!(
            parse(json_line(&ev, &names)),
            serde_json::json!({"n":3,"t":10,"ev":"delivered","from":"0","to":"zk","id":9,"api":"Fetch"})
        );
        let part = TraceEvent {
            n: 4,
            t: 10,
            kind: TraceKind::Fault(FaultChange::Partition {
                groups: vec![vec![NodeId(0)], vec![NodeId(1)]],
            }),
        };
        assert_eq!(
            parse(json_line(&part, &names)),
            serde_json::json!({"n":4,"t":10,"ev":"fault","rule":"partition","groups":[["0"],["zk"]]})
        );
    }
}

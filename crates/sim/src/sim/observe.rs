//! Looking at a run: counters, the trace, JSON lines, notes.

use std::borrow::Cow;

use super::Simulator;
use crate::node::Node;
use crate::sim::Stats;
use crate::trace::{self, TraceEvent, TraceKind};

impl<N: Node> Simulator<N> {
    pub fn stats(&self) -> Stats {
        self.core.stats
    }

    /// Messages dropped because their receiver crashed (not queue steps).
    pub fn crash_drops(&self) -> u64 {
        self.core.crash_drops
    }

    pub fn tracing(&self) -> bool {
        self.core.tracer.enabled()
    }

    /// Start or stop storing trace events. Numbering and the hash go on
    /// either way, so turning tracing on mid-run keeps event numbers true.
    pub fn set_tracing(&mut self, on: bool) {
        self.core.tracer.set_enabled(on);
    }

    /// Build each message's free-form detail for the trace (on by
    /// default); off, messages are traced with a `null` detail, which a
    /// long-running, fast run (live brokers) cannot afford.
    pub fn set_trace_detail(&mut self, on: bool) {
        self.core.tracer.set_detail(on);
    }

    /// Store only about the newest `keep` events (between `keep` and twice
    /// that); numbering and the hash still count every event. `None`:
    /// every event (the default).
    pub fn set_trace_keep(&mut self, keep: Option<usize>) {
        self.core.tracer.set_keep(keep);
    }

    /// Stored trace events (since the last `take_trace`).
    pub fn trace(&self) -> &[TraceEvent] {
        self.core.tracer.events()
    }

    /// Hand over the stored events, e.g. to stream them to the UI.
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        self.core.tracer.take()
    }

    /// Number of trace events so far (stored or not): the last event number.
    pub fn trace_len(&self) -> u64 {
        self.core.tracer.count()
    }

    /// Order-sensitive hash of every trace event so far, stored or not: its
    /// kind, time and identity (message id, link and API when sent, node,
    /// timer token, rule), not the free-form `detail` values. Two runs with
    /// equal hashes took the same path.
    pub fn trace_hash(&self) -> u64 {
        self.core.tracer.hash()
    }

    /// Add a note from outside the nodes (narration, an expect's result).
    pub fn note(&mut self, kind: impl Into<Cow<'static, str>>, detail: serde_json::Value) {
        let detail = if self.tracing() {
            detail
        } else {
            serde_json::Value::Null
        };
        self.core.tracer.record(
            self.core.now,
            TraceKind::Note {
                kind: kind.into(),
                detail,
            },
        );
    }

    /// One event as a JSON line, node ids shown as node names.
    pub fn json_line(&self, event: &TraceEvent) -> String {
        trace::json_line(event, self.names())
    }

    /// The stored trace as JSON lines (one event per line, `\n`-terminated).
    pub fn trace_json_lines(&self) -> String {
        let mut out = String::new();
        for event in self.trace() {
            out.push_str(&trace::json_line(event, self.names()));
            out.push('\n');
        }
        out
    }
}

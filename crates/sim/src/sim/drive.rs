//! Driving a run: step, advance, run until, idleness.

use super::{NodeState, Simulator};
use crate::node::{Input, Message, Node};
use crate::queue::{Entry, InFlight};
use crate::sim::{Event, MsgInfo, RunError, RunReport, Step};
use crate::trace::{DropReason, TraceKind};

impl<N: Node> Simulator<N> {
    /// Current virtual time, ms since the start of the run.
    pub fn now(&self) -> u64 {
        self.core.now
    }

    /// Due time of the next event, if any.
    pub fn next_event_time(&mut self) -> Option<u64> {
        self.core.queue.peek_time()
    }

    /// Messages on the wire (not counting held ones).
    pub fn in_flight(&self) -> usize {
        self.core.in_flight
    }

    /// Messages on the wire, in delivery order, with their due times.
    pub fn in_flight_messages(&self) -> Vec<(u64, MsgInfo)> {
        self.core
            .queue
            .live_messages_where(|_| true)
            .into_iter()
            .filter_map(|key| {
                self.core.queue.message(key.slot).map(|m| {
                    (
                        key.time,
                        MsgInfo {
                            from: m.from,
                            to: m.to,
                            id: m.id,
                            api: m.msg.api(),
                        },
                    )
                })
            })
            .collect()
    }

    /// What `step` would do next, without doing it: `(time, what)`. For a
    /// message, whether it will be delivered or dropped is decided on
    /// arrival, so `Event::Delivered` here means "arrives".
    pub fn peek(&mut self) -> Option<(u64, Event)> {
        let (time, entry) = self.core.queue.peek()?;
        let event = match entry {
            Entry::Message(m) => Event::Delivered(MsgInfo {
                from: m.from,
                to: m.to,
                id: m.id,
                api: m.msg.api(),
            }),
            Entry::Timer { node, token } => Event::Timer {
                node: *node,
                token: *token,
            },
            Entry::Cancelled | Entry::Free { .. } => unreachable!("peek skips dead slots"),
        };
        Some((time, event))
    }

    /// Take exactly the next event off the queue (a message arriving — and
    /// being delivered or dropped — or a timer firing), advancing the
    /// clock to its time. `None` if nothing is scheduled.
    pub fn step(&mut self) -> Option<Step> {
        let (time, entry) = self.core.queue.pop()?;
        debug_assert!(time >= self.core.now, "time went backwards");
        self.core.now = time;
        let event = match entry {
            Entry::Message(m) => {
                self.core.in_flight -= 1;
                self.arrive(m)
            }
            Entry::Timer { node, token } => {
                let armed = self.core.meta[node.index()]
                    .timers
                    .remove(&token)
                    .expect("a live timer entry is always in its node's table");
                self.core.stats.timers_fired += 1;
                self.core.tracer.record(
                    time,
                    TraceKind::Timer {
                        node,
                        token,
                        background: armed.background,
                    },
                );
                self.run_node(node, Input::Timer { token });
                Event::Timer { node, token }
            }
            Entry::Cancelled | Entry::Free { .. } => unreachable!("pop skips dead slots"),
        };
        Some(Step { time, event })
    }

    fn arrive(&mut self, m: InFlight<N::Msg>) -> Event {
        let info = MsgInfo {
            from: m.from,
            to: m.to,
            id: m.id,
            api: m.msg.api(),
        };
        let core = &mut self.core;
        if core.meta[m.to.index()].state != NodeState::Up {
            return self.dropped(info, DropReason::NodeDown);
        }
        let link = core.net.link_mut(m.from, m.to);
        if link.has_arrival_faults() {
            if link.cut {
                return self.dropped(info, DropReason::Partition);
            }
            if link.rules.drops(info.api) {
                return self.dropped(info, DropReason::Rule);
            }
        }
        core.stats.delivered += 1;
        core.tracer.record(
            core.now,
            TraceKind::Delivered {
                from: info.from,
                to: info.to,
                id: info.id,
                api: info.api,
            },
        );
        self.run_node(
            info.to,
            Input::Message {
                from: info.from,
                msg: m.msg,
            },
        );
        Event::Delivered(info)
    }

    fn dropped(&mut self, info: MsgInfo, reason: DropReason) -> Event {
        self.core.stats.dropped += 1;
        self.core.tracer.record(
            self.core.now,
            TraceKind::Dropped {
                from: info.from,
                to: info.to,
                id: info.id,
                api: info.api,
                reason,
            },
        );
        Event::Dropped(info, reason)
    }

    /// Run at most `n` steps; returns how many ran.
    pub fn step_n(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.step().is_some() {
            done += 1;
        }
        done
    }

    /// Deliver everything due at or before `t`, then set the clock to `t`
    /// (never backwards). Returns the number of steps. Unbounded: a node
    /// that re-arms a timer at `now` forever never lets it return; where
    /// that must not hang (a browser tab), use `try_advance_to`.
    pub fn advance_to(&mut self, t: u64) -> u64 {
        self.advance_bounded(t, u64::MAX)
            .expect("an unbounded advance cannot run out of budget")
    }

    /// `advance_to(now + ms)`.
    pub fn tick(&mut self, ms: u64) -> u64 {
        self.advance_to(self.core.now.saturating_add(ms))
    }

    /// `advance_to`, giving up with `RunError::EventBudget` after
    /// `SimConfig::event_budget` steps (the clock then stays at the last
    /// event delivered).
    pub fn try_advance_to(&mut self, t: u64) -> Result<u64, RunError> {
        self.advance_bounded(t, self.core.event_budget)
    }

    /// `try_advance_to(now + ms)`.
    pub fn try_tick(&mut self, ms: u64) -> Result<u64, RunError> {
        self.try_advance_to(self.core.now.saturating_add(ms))
    }

    fn advance_bounded(&mut self, t: u64, budget: u64) -> Result<u64, RunError> {
        let mut steps = 0;
        while let Some(due) = self.core.queue.peek_time() {
            if due > t {
                break;
            }
            if steps >= budget {
                return Err(RunError::EventBudget {
                    at: self.core.now,
                    steps,
                });
            }
            self.step();
            steps += 1;
        }
        self.core.now = self.core.now.max(t);
        Ok(steps)
    }

    /// Step until `pred` holds (checked before the first step and after
    /// each), for at most `timeout_ms` of virtual time. On timeout the clock
    /// is left at the deadline, with everything due by then delivered.
    pub fn run_until(
        &mut self,
        mut pred: impl FnMut(&Self) -> bool,
        timeout_ms: u64,
    ) -> Result<RunReport, RunError> {
        let deadline = self.core.now.saturating_add(timeout_ms);
        let mut steps = 0u64;
        loop {
            if pred(self) {
                return Ok(RunReport {
                    time: self.core.now,
                    steps,
                });
            }
            match self.core.queue.peek_time() {
                Some(due) if due <= deadline => {
                    if steps >= self.core.event_budget {
                        return Err(RunError::EventBudget {
                            at: self.core.now,
                            steps,
                        });
                    }
                    self.step();
                    steps += 1;
                }
                _ => {
                    self.core.now = deadline;
                    // The predicate may depend on time alone.
                    if pred(self) {
                        return Ok(RunReport {
                            time: deadline,
                            steps,
                        });
                    }
                    return Err(RunError::Timeout {
                        at: deadline,
                        steps,
                    });
                }
            }
        }
    }

    /// Quiescence, for `run until idle`. Idle means both:
    /// 1. no message is in flight (held messages do not count: they wait for
    ///    a `release`, which no amount of running brings), and
    /// 2. no foreground timer (one set with `set_timer`) is due strictly
    ///    before the earliest background timer (`set_background_timer`).
    ///    With no background timers, any armed foreground timer means busy.
    ///
    /// So a cluster that only heartbeats and polls is idle, while one with a
    /// retry, a linger or a session expiry pending before its next heartbeat
    /// is not. Timers of down nodes do not exist (a crash clears them).
    pub fn is_idle(&self) -> bool {
        if self.core.in_flight > 0 {
            return false;
        }
        let mut next_background = u64::MAX;
        let mut next_foreground = u64::MAX;
        for meta in &self.core.meta {
            for t in meta.timers.values() {
                if t.background {
                    next_background = next_background.min(t.at);
                } else {
                    next_foreground = next_foreground.min(t.at);
                }
            }
        }
        next_foreground == u64::MAX || next_foreground >= next_background
    }
}

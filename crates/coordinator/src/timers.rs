//! Timers. Kafka parks its delayed operations (DelayedHeartbeat,
//! DelayedJoin, InitialDelayedJoin, DelayedSync) in purgatories with a
//! timing wheel; here each one is a timer the host runs for us.
//!
//! Token scheme: every scheduled deadline gets a fresh [`TimerToken`]
//! (a counter, never reused). The coordinator says `SetTimer { token,
//! deadline, kind }` and, when the deadline is no longer wanted,
//! `CancelTimer { token }`. The host calls `on_timer(now, token)` once the
//! deadline has passed. A cancelled or already fired token is ignored, so a
//! host that never cancels anything is still correct.

use std::collections::BTreeMap;

use crate::coordinator::Output;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerToken(pub u64);

/// What a timer is for (shown in traces; the coordinator keeps its own copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerKind {
    /// `session.timeout.ms` (or the 5-minute new-member join timeout) since
    /// the member's last heartbeat: Kafka's DelayedHeartbeat.
    Heartbeat { group_id: String, member_id: String },
    /// A member id handed out with MEMBER_ID_REQUIRED that was never used
    /// to rejoin (DelayedHeartbeat with `isPending`).
    PendingMember { group_id: String, member_id: String },
    /// `group.initial.rebalance.delay.ms` for the first rebalance of an
    /// Empty group (InitialDelayedJoin); extended while new members keep
    /// arriving, up to the rebalance timeout.
    InitialJoin {
        group_id: String,
        configured_delay_ms: i32,
        delay_ms: i32,
        remaining_ms: i32,
    },
    /// The rebalance timeout of the join phase (DelayedJoin).
    Join { group_id: String },
    /// The rebalance timeout for every member to send SyncGroup after the
    /// join phase (DelayedSync, KAFKA-13766).
    Sync {
        group_id: String,
        generation_id: i32,
    },
    /// Every `offsets.retention.check.interval.ms`: expire old offsets and
    /// drop Empty groups left without any (`cleanupGroupMetadata`).
    OffsetsRetentionCheck,
}

#[derive(Debug, Default)]
pub(crate) struct Timers {
    next: u64,
    live: BTreeMap<TimerToken, (i64, TimerKind)>,
}

impl Timers {
    pub fn schedule(
        &mut self,
        deadline: i64,
        kind: TimerKind,
        out: &mut Vec<Output>,
    ) -> TimerToken {
        self.next += 1;
        let token = TimerToken(self.next);
        self.live.insert(token, (deadline, kind.clone()));
        out.push(Output::SetTimer {
            token,
            deadline,
            kind,
        });
        token
    }

    pub fn cancel(&mut self, token: Option<TimerToken>, out: &mut Vec<Output>) {
        if let Some(token) = token {
            if self.live.remove(&token).is_some() {
                out.push(Output::CancelTimer { token });
            }
        }
    }

    /// Removes a due timer. `None` for unknown, cancelled or not yet due
    /// tokens.
    pub fn take_due(&mut self, token: TimerToken, now: i64) -> Option<TimerKind> {
        match self.live.get(&token) {
            Some((deadline, _)) if *deadline <= now => self.live.remove(&token).map(|(_, k)| k),
            _ => None,
        }
    }

    /// The earliest live deadline (ties: the older token first).
    pub fn next_deadline(&self) -> Option<(i64, TimerToken)> {
        self.live.iter().map(|(t, (d, _))| (*d, *t)).min()
    }

    pub fn len(&self) -> usize {
        self.live.len()
    }
}

//! A single ZooKeeper server as a sans-IO state machine: sessions with
//! timeouts, the znode tree, one-shot watches, atomic multi.
//!
//! Feed it `handle(now, conn, xid, request)` for every request that arrives
//! and `tick(now)` when the deadline from [`ZkServer::next_deadline`] comes
//! due; send the returned [`ZkOutput`]s over the network. It never reads a
//! clock.
//!
//! How a broker uses it (what Kafka's `KafkaZkClient` does): connect with
//! `zookeeper.session.timeout.ms` (18000), keep the session alive with a
//! request at least every timeout/3 (pings when idle, see
//! [`ZkClient`](super::client::ZkClient)), register as the ephemeral
//! `/brokers/ids/N`, race to create the ephemeral `/controller`, and watch
//! with `exists`/`getData`/`getChildren` (watches are one-shot: re-arm on
//! every notification). If the broker stops talking, the session expires
//! after the timeout and its ephemeral nodes vanish, firing the watches
//! that the controller (or the controller candidates) set.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::messages::{
    ConnId, Op, OpResult, SessionId, ZkErrorCode, ZkMessage, ZkRequest, ZkResponse,
};
use super::tree::{Trigger, ZkTree};
use super::watches::Watches;

/// Server settings, ZooKeeper's names and defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkServerConfig {
    /// `tickTime`: the unit of session expiry (sessions expire on tick
    /// boundaries) and of the default timeout bounds.
    pub tick_time_ms: u64,
    /// `minSessionTimeout`, default 2 × tickTime.
    pub min_session_timeout_ms: u64,
    /// `maxSessionTimeout`, default 20 × tickTime.
    pub max_session_timeout_ms: u64,
    /// `myid`: the top byte of every session id this server hands out.
    pub server_id: u8,
}

impl Default for ZkServerConfig {
    fn default() -> Self {
        let tick = 2000;
        ZkServerConfig {
            tick_time_ms: tick,
            min_session_timeout_ms: 2 * tick,
            max_session_timeout_ms: 20 * tick,
            server_id: 1,
        }
    }
}

/// Kafka's `zookeeper.session.timeout.ms` default.
pub const KAFKA_DEFAULT_SESSION_TIMEOUT_MS: u64 = 18_000;

/// One live session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub timeout_ms: u64,
    /// When the server last heard from the session.
    pub last_heard: u64,
    /// When it expires unless heard from again (rounded up to a tick, as
    /// ZooKeeper's `ExpiryQueue` does).
    pub expires_at: u64,
    /// The connection it is bound to; `None` after a disconnect (the
    /// session lives on until it expires).
    pub conn: Option<ConnId>,
}

/// A message for the network to deliver to a client connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkOutput {
    pub to: ConnId,
    pub msg: ZkMessage,
}

/// The server. See the module docs. Serializable, so a whole ZooKeeper
/// can be snapshotted or shipped to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ZkServer {
    config: ZkServerConfig,
    tree: ZkTree,
    /// Last committed transaction id.
    zxid: i64,
    next_session: i64,
    sessions: BTreeMap<SessionId, Session>,
    conn_sessions: BTreeMap<ConnId, SessionId>,
    watches: Watches,
}

impl Default for ZkServer {
    fn default() -> Self {
        Self::new(ZkServerConfig::default())
    }
}

impl ZkServer {
    pub fn new(config: ZkServerConfig) -> Self {
        // Deterministic stand-in for ZooKeeper's time-seeded session ids:
        // server id in the top byte, then a counter.
        let next_session = (config.server_id as i64) << 56;
        ZkServer {
            config,
            tree: ZkTree::new(),
            zxid: 0,
            next_session,
            sessions: BTreeMap::new(),
            conn_sessions: BTreeMap::new(),
            watches: Watches::default(),
        }
    }

    pub fn config(&self) -> &ZkServerConfig {
        &self.config
    }

    /// The znode tree, read-only (for the UI: `server.tree().iter()`).
    pub fn tree(&self) -> &ZkTree {
        &self.tree
    }

    /// The last committed zxid.
    pub fn last_zxid(&self) -> i64 {
        self.zxid
    }

    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values()
    }

    pub fn session(&self, id: SessionId) -> Option<&Session> {
        self.sessions.get(&id)
    }

    /// The session bound to a connection, if any.
    pub fn session_of(&self, conn: ConnId) -> Option<SessionId> {
        self.conn_sessions.get(&conn).copied()
    }

    /// Paths with a data watch (getData/exists) by `session`, sorted.
    pub fn data_watches_of(&self, session: SessionId) -> Vec<&str> {
        self.watches.data_of(session)
    }

    /// Paths with a child watch (getChildren) by `session`, sorted.
    pub fn child_watches_of(&self, session: SessionId) -> Vec<&str> {
        self.watches.child_of(session)
    }

    /// When `tick` next has something to do (the earliest session expiry).
    pub fn next_deadline(&self) -> Option<u64> {
        self.sessions.values().map(|s| s.expires_at).min()
    }

    /// Convenience for a network that carries [`ZkMessage`]s: requests are
    /// handled, anything else a client should not send is ignored.
    pub fn handle_message(&mut self, now: u64, from: ConnId, msg: ZkMessage) -> Vec<ZkOutput> {
        match msg {
            ZkMessage::Request { xid, request } => self.handle(now, from, xid, request),
            _ => Vec::new(),
        }
    }

    /// Handles one request from connection `from`. Watch notifications a
    /// write triggers come first in the output, then the response, as a
    /// ZooKeeper server sends them.
    pub fn handle(
        &mut self,
        now: u64,
        from: ConnId,
        xid: i32,
        request: ZkRequest,
    ) -> Vec<ZkOutput> {
        let mut out = Vec::new();
        // Expire what is overdue first so a late request cannot revive a
        // session whose deadline already passed.
        self.expire_due(now, &mut out);
        let response = match request {
            ZkRequest::Connect {
                session_timeout_ms,
                session_id,
            } => match self.connect(now, from, session_timeout_ms, session_id) {
                Ok(r) => r,
                Err(expired) => {
                    out.push(ZkOutput {
                        to: from,
                        msg: ZkMessage::SessionExpired {
                            session_id: expired,
                        },
                    });
                    return out;
                }
            },
            request => match self.touch(now, from) {
                None => ZkResponse::Error {
                    err: ZkErrorCode::SessionExpired,
                },
                Some(session) => self.apply(now, session, request, &mut out),
            },
        };
        out.push(ZkOutput {
            to: from,
            msg: ZkMessage::Response { xid, response },
        });
        out
    }

    /// The network lost connection `conn`. Its session stays (and keeps its
    /// ephemeral nodes) until it times out, unless the client reconnects
    /// with its session id.
    pub fn disconnect(&mut self, conn: ConnId) {
        if let Some(id) = self.conn_sessions.remove(&conn) {
            if let Some(s) = self.sessions.get_mut(&id) {
                s.conn = None;
            }
        }
    }

    /// Expires every session whose deadline has passed; returns the
    /// notifications to send and the next deadline to set a timer for.
    pub fn tick(&mut self, now: u64) -> (Vec<ZkOutput>, Option<u64>) {
        let mut out = Vec::new();
        self.expire_due(now, &mut out);
        (out, self.next_deadline())
    }

    /// Expires one session now, whatever its deadline (a demo's "expire
    /// broker 1's ZooKeeper session"), along with any that are overdue.
    pub fn expire_session(&mut self, now: u64, id: SessionId) -> Vec<ZkOutput> {
        let mut out = Vec::new();
        self.expire_due(now, &mut out);
        if self.sessions.contains_key(&id) {
            self.end_session(id, true, &mut out);
        }
        out
    }

    fn connect(
        &mut self,
        now: u64,
        from: ConnId,
        requested_timeout_ms: u64,
        resume: Option<SessionId>,
    ) -> Result<ZkResponse, SessionId> {
        let timeout = requested_timeout_ms.clamp(
            self.config.min_session_timeout_ms,
            self.config.max_session_timeout_ms,
        );
        let id = match resume {
            Some(id) => {
                if !self.sessions.contains_key(&id) {
                    return Err(id);
                }
                id
            }
            None => {
                let id = SessionId(self.next_session);
                self.next_session += 1;
                id
            }
        };
        // A connection carries one session; a new Connect on it leaves the
        // previous session to time out (a restarted broker does this).
        if let Some(old) = self.conn_sessions.insert(from, id) {
            if old != id {
                if let Some(s) = self.sessions.get_mut(&old) {
                    s.conn = None;
                }
            }
        }
        let expires_at = round_to_tick(now + timeout, self.config.tick_time_ms);
        let session = self.sessions.entry(id).or_insert(Session {
            id,
            timeout_ms: timeout,
            last_heard: now,
            expires_at,
            conn: None,
        });
        if let Some(prev) = session.conn {
            if prev != from {
                self.conn_sessions.remove(&prev);
            }
        }
        session.conn = Some(from);
        session.timeout_ms = timeout;
        session.last_heard = now;
        session.expires_at = expires_at;
        Ok(ZkResponse::Connected {
            session_id: id,
            session_timeout_ms: timeout,
        })
    }

    /// Any request keeps the session alive (ZooKeeper's `touchSession`).
    fn touch(&mut self, now: u64, from: ConnId) -> Option<SessionId> {
        let id = *self.conn_sessions.get(&from)?;
        let tick = self.config.tick_time_ms;
        let s = self.sessions.get_mut(&id)?;
        s.last_heard = now;
        s.expires_at = round_to_tick(now + s.timeout_ms, tick);
        Some(id)
    }

    fn next_zxid(&mut self) -> i64 {
        self.zxid += 1;
        self.zxid
    }

    fn apply(
        &mut self,
        now: u64,
        session: SessionId,
        request: ZkRequest,
        out: &mut Vec<ZkOutput>,
    ) -> ZkResponse {
        let err = |err| ZkResponse::Error { err };
        match request {
            ZkRequest::Connect { .. } => unreachable!("handled by connect"),
            ZkRequest::Ping => ZkResponse::Pong,
            ZkRequest::CloseSession => {
                self.end_session(session, false, out);
                ZkResponse::Closed
            }
            ZkRequest::Create { path, data, mode } => {
                let zxid = self.zxid + 1;
                let owner = if mode.is_ephemeral() { session.0 } else { 0 };
                match self
                    .tree
                    .create(&path, data, owner, mode.is_sequential(), zxid, now)
                {
                    Ok((created, triggers)) => {
                        self.next_zxid();
                        self.fire(&triggers, out);
                        ZkResponse::Created { path: created }
                    }
                    Err(e) => err(e),
                }
            }
            ZkRequest::Delete { path, version } => {
                let zxid = self.zxid + 1;
                match self.tree.delete(&path, version, zxid) {
                    Ok(triggers) => {
                        self.next_zxid();
                        self.fire(&triggers, out);
                        ZkResponse::Deleted
                    }
                    Err(e) => err(e),
                }
            }
            ZkRequest::SetData {
                path,
                data,
                version,
            } => {
                let zxid = self.zxid + 1;
                match self.tree.set_data(&path, data, version, zxid, now) {
                    Ok((stat, triggers)) => {
                        self.next_zxid();
                        self.fire(&triggers, out);
                        ZkResponse::DataSet { stat }
                    }
                    Err(e) => err(e),
                }
            }
            ZkRequest::GetData { .. }
            | ZkRequest::Exists { .. }
            | ZkRequest::GetChildren { .. }
                if read_path_invalid(&request) =>
            {
                err(ZkErrorCode::BadArguments)
            }
            ZkRequest::GetData { path, watch } => match self.tree.get(&path) {
                Some(node) => {
                    let resp = ZkResponse::Data {
                        data: node.data.clone(),
                        stat: node.stat.clone(),
                    };
                    if watch {
                        self.watches.add_data(&path, session);
                    }
                    resp
                }
                None => err(ZkErrorCode::NoNode),
            },
            ZkRequest::Exists { path, watch } => {
                let stat = self.tree.get(&path).map(|n| n.stat.clone());
                // An exists watch on a missing node waits for NodeCreated.
                if watch {
                    self.watches.add_data(&path, session);
                }
                ZkResponse::Exists { stat }
            }
            ZkRequest::GetChildren { path, watch } => match self.tree.get(&path) {
                Some(node) => {
                    let resp = ZkResponse::Children {
                        children: node.children.iter().cloned().collect(),
                        stat: node.stat.clone(),
                    };
                    if watch {
                        self.watches.add_child(&path, session);
                    }
                    resp
                }
                None => err(ZkErrorCode::NoNode),
            },
            ZkRequest::Multi { ops } => self.multi(now, session, ops, out),
        }
    }

    /// All or nothing: the ops run against a copy of the tree, which
    /// replaces the real one only if every op succeeded.
    fn multi(
        &mut self,
        now: u64,
        session: SessionId,
        ops: Vec<Op>,
        out: &mut Vec<ZkOutput>,
    ) -> ZkResponse {
        let zxid = self.zxid + 1;
        let mut scratch = self.tree.clone();
        let mut results = Vec::with_capacity(ops.len());
        let mut triggers: Vec<Trigger> = Vec::new();
        let mut failed_at = None;
        for (i, op) in ops.iter().enumerate() {
            let r = match op {
                Op::Create { path, data, mode } => {
                    let owner = if mode.is_ephemeral() { session.0 } else { 0 };
                    scratch
                        .create(path, data.clone(), owner, mode.is_sequential(), zxid, now)
                        .map(|(path, t)| {
                            triggers.extend(t);
                            OpResult::Create { path }
                        })
                }
                Op::Delete { path, version } => scratch.delete(path, *version, zxid).map(|t| {
                    triggers.extend(t);
                    OpResult::Delete
                }),
                Op::SetData {
                    path,
                    data,
                    version,
                } => scratch
                    .set_data(path, data.clone(), *version, zxid, now)
                    .map(|(stat, t)| {
                        triggers.extend(t);
                        OpResult::SetData { stat }
                    }),
                Op::Check { path, version } => {
                    scratch.check(path, *version).map(|_| OpResult::Check)
                }
            };
            match r {
                Ok(result) => results.push(result),
                Err(e) => {
                    failed_at = Some((i, e));
                    break;
                }
            }
        }
        if let Some((i, e)) = failed_at {
            // ZooKeeper's shape for a failed multi: OK before, the error at
            // the failing op, RUNTIMEINCONSISTENCY after.
            let results = (0..ops.len())
                .map(|j| OpResult::Error {
                    err: match j.cmp(&i) {
                        std::cmp::Ordering::Less => ZkErrorCode::Ok,
                        std::cmp::Ordering::Equal => e,
                        std::cmp::Ordering::Greater => ZkErrorCode::RuntimeInconsistency,
                    },
                })
                .collect();
            return ZkResponse::Multi { results };
        }
        if !ops.is_empty() {
            self.tree = scratch;
            self.next_zxid();
            self.fire(&triggers, out);
        }
        ZkResponse::Multi { results }
    }

    fn expire_due(&mut self, now: u64, out: &mut Vec<ZkOutput>) {
        let due: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| s.expires_at <= now)
            .map(|s| s.id)
            .collect();
        for id in due {
            self.end_session(id, true, out);
        }
    }

    /// Closes or expires a session: its ephemeral nodes go in one
    /// transaction (firing watches), its watches are dropped.
    fn end_session(&mut self, id: SessionId, expired: bool, out: &mut Vec<ZkOutput>) {
        let Some(session) = self.sessions.remove(&id) else {
            return;
        };
        if let Some(conn) = session.conn {
            self.conn_sessions.remove(&conn);
        }
        self.watches.remove_session(id);
        let ephemerals = self.tree.ephemerals_of(id.0);
        if !ephemerals.is_empty() {
            let zxid = self.next_zxid();
            let mut triggers = Vec::new();
            for path in ephemerals {
                // Ephemeral nodes have no children, so this cannot fail.
                if let Ok(t) = self.tree.delete(&path, -1, zxid) {
                    triggers.extend(t);
                }
            }
            self.fire(&triggers, out);
        }
        if expired {
            if let Some(conn) = session.conn {
                out.push(ZkOutput {
                    to: conn,
                    msg: ZkMessage::SessionExpired { session_id: id },
                });
            }
        }
    }

    /// Sends the watch notifications `triggers` fire (and consumes those
    /// one-shot watches).
    fn fire(&mut self, triggers: &[Trigger], out: &mut Vec<ZkOutput>) {
        for (session, event) in self.watches.fire(triggers) {
            // Watches live with the session; a notification for a session
            // with no connection right now is lost, as a real client
            // re-reads state after reconnecting.
            if let Some(conn) = self.sessions.get(&session).and_then(|s| s.conn) {
                out.push(ZkOutput {
                    to: conn,
                    msg: ZkMessage::Watch { event },
                });
            }
        }
    }
}

/// `ExpiryQueue.roundToNextInterval`: sessions expire on tick boundaries.
fn round_to_tick(t: u64, tick_time_ms: u64) -> u64 {
    let tick = tick_time_ms.max(1);
    (t / tick + 1) * tick
}

fn read_path_invalid(request: &ZkRequest) -> bool {
    match request {
        ZkRequest::GetData { path, .. }
        | ZkRequest::Exists { path, .. }
        | ZkRequest::GetChildren { path, .. } => super::path::validate(path, false).is_err(),
        _ => false,
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;

//! The client side of a ZooKeeper session (what `ClientCnxn` does for
//! Kafka's `ZooKeeperClient`), as a sans-IO helper a broker embeds:
//! it numbers requests, pings when idle for a third of the session
//! timeout, notices a silent server after two thirds of it and reconnects
//! with its session id, and turns server messages into events.

use serde::{Deserialize, Serialize};

use super::messages::{SessionId, WatchedEvent, ZkMessage, ZkRequest, ZkResponse};

/// Where the session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZkClientState {
    /// No session yet (or the last one was closed): call `connect`.
    Idle,
    /// Connect sent, waiting for the server; `session` is the one being
    /// resumed, if any.
    Connecting {
        session: Option<SessionId>,
    },
    Connected {
        session: SessionId,
    },
    /// The server expired the session. Kafka re-registers from scratch
    /// (new session, ephemeral nodes recreated).
    Expired {
        session: SessionId,
    },
}

/// What a server message means to the broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZkClientEvent {
    /// A new session (`resumed: false`) or the same one on a new
    /// connection (`resumed: true`).
    Connected {
        session: SessionId,
        timeout_ms: u64,
        resumed: bool,
    },
    /// The answer to request `xid` (pongs are swallowed).
    Response {
        xid: i32,
        response: ZkResponse,
    },
    Watch(WatchedEvent),
    /// The session is gone, with its ephemeral nodes and watches.
    Expired {
        session: SessionId,
    },
}

/// See the module docs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ZkClient {
    session_timeout_ms: u64,
    state: ZkClientState,
    next_xid: i32,
    /// Last time anything was sent: pings go out when idle.
    last_sent: u64,
    /// Last time anything arrived: a silent server means a lost connection.
    last_heard: u64,
}

impl ZkClient {
    /// `session_timeout_ms` is Kafka's `zookeeper.session.timeout.ms`
    /// (18000 by default); the server's granted value replaces it.
    pub fn new(session_timeout_ms: u64) -> Self {
        ZkClient {
            session_timeout_ms,
            state: ZkClientState::Idle,
            next_xid: 1,
            last_sent: 0,
            last_heard: 0,
        }
    }

    pub fn state(&self) -> ZkClientState {
        self.state
    }

    pub fn session(&self) -> Option<SessionId> {
        match self.state {
            ZkClientState::Connected { session } => Some(session),
            _ => None,
        }
    }

    pub fn session_timeout_ms(&self) -> u64 {
        self.session_timeout_ms
    }

    /// Opens a new session (the first start, or after expiry).
    pub fn connect(&mut self, now: u64) -> ZkMessage {
        self.state = ZkClientState::Connecting { session: None };
        self.connect_message(now, None)
    }

    fn connect_message(&mut self, now: u64, session: Option<SessionId>) -> ZkMessage {
        self.last_sent = now;
        self.last_heard = now;
        ZkMessage::Request {
            xid: 0,
            request: ZkRequest::Connect {
                session_timeout_ms: self.session_timeout_ms,
                session_id: session,
            },
        }
    }

    /// Wraps a request with the next xid. Any request counts as a
    /// heartbeat, so it also postpones the next ping.
    pub fn request(&mut self, now: u64, request: ZkRequest) -> (i32, ZkMessage) {
        let xid = self.next_xid;
        self.next_xid = self.next_xid.checked_add(1).unwrap_or(1);
        self.last_sent = now;
        (xid, ZkMessage::Request { xid, request })
    }

    /// Interprets a message from the server.
    pub fn on_message(&mut self, now: u64, msg: ZkMessage) -> Option<ZkClientEvent> {
        self.last_heard = now;
        match msg {
            ZkMessage::Response {
                response:
                    ZkResponse::Connected {
                        session_id,
                        session_timeout_ms,
                    },
                ..
            } => {
                let resumed = matches!(
                    self.state,
                    ZkClientState::Connecting { session: Some(s) } if s == session_id
                );
                self.state = ZkClientState::Connected {
                    session: session_id,
                };
                self.session_timeout_ms = session_timeout_ms;
                Some(ZkClientEvent::Connected {
                    session: session_id,
                    timeout_ms: session_timeout_ms,
                    resumed,
                })
            }
            ZkMessage::Response {
                response: ZkResponse::Pong,
                ..
            } => None,
            ZkMessage::Response { xid, response } => {
                Some(ZkClientEvent::Response { xid, response })
            }
            ZkMessage::Watch { event } => Some(ZkClientEvent::Watch(event)),
            ZkMessage::SessionExpired { session_id } => {
                self.state = ZkClientState::Expired {
                    session: session_id,
                };
                Some(ZkClientEvent::Expired {
                    session: session_id,
                })
            }
            ZkMessage::Request { .. } => None,
        }
    }

    /// The transport reports the connection lost: reconnect at once,
    /// resuming the session.
    pub fn on_disconnect(&mut self, now: u64) -> Option<ZkMessage> {
        match self.state {
            ZkClientState::Connected { session } => {
                self.state = ZkClientState::Connecting {
                    session: Some(session),
                };
                Some(self.connect_message(now, Some(session)))
            }
            _ => None,
        }
    }

    /// Call when the timer from [`next_timer`](Self::next_timer) fires:
    /// returns a ping when idle, or a reconnect when the server has been
    /// silent too long.
    pub fn poll(&mut self, now: u64) -> Option<ZkMessage> {
        let read_timeout = self.session_timeout_ms * 2 / 3;
        let ping_interval = self.session_timeout_ms / 3;
        match self.state {
            ZkClientState::Connected { session } => {
                if now >= self.last_heard + read_timeout {
                    // ClientCnxn: "Client session timed out, have not heard
                    // from server in ...ms" → reconnect with the session.
                    self.state = ZkClientState::Connecting {
                        session: Some(session),
                    };
                    return Some(self.connect_message(now, Some(session)));
                }
                if now >= self.last_sent + ping_interval {
                    return Some(self.request(now, ZkRequest::Ping).1);
                }
                None
            }
            ZkClientState::Connecting { session } => {
                if now >= self.last_sent + ping_interval {
                    return Some(self.connect_message(now, session));
                }
                None
            }
            ZkClientState::Idle | ZkClientState::Expired { .. } => None,
        }
    }

    /// When to call [`poll`](Self::poll) next.
    pub fn next_timer(&self) -> Option<u64> {
        let read_timeout = self.session_timeout_ms * 2 / 3;
        let ping_interval = self.session_timeout_ms / 3;
        match self.state {
            ZkClientState::Connected { .. } => {
                Some((self.last_sent + ping_interval).min(self.last_heard + read_timeout))
            }
            ZkClientState::Connecting { .. } => Some(self.last_sent + ping_interval),
            ZkClientState::Idle | ZkClientState::Expired { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::messages::{ConnId, CreateMode};
    use crate::zk::server::ZkServer;

    /// Delivers `msg` to the server and the replies back to the client.
    fn roundtrip(
        zk: &mut ZkServer,
        c: &mut ZkClient,
        now: u64,
        conn: ConnId,
        msg: ZkMessage,
    ) -> Vec<ZkClientEvent> {
        zk.handle_message(now, conn, msg)
            .into_iter()
            .filter(|o| o.to == conn)
            .filter_map(|o| c.on_message(now, o.msg))
            .collect()
    }

    #[test]
    fn pings_keep_an_idle_session_alive() {
        let mut zk = ZkServer::default();
        let mut c = ZkClient::new(18_000);
        let conn = ConnId(1);
        let m = c.connect(0);
        let ev = roundtrip(&mut zk, &mut c, 0, conn, m);
        let session = c.session().unwrap();
        assert_eq!(
            ev,
            vec![ZkClientEvent::Connected {
                session,
                timeout_ms: 18_000,
                resumed: false
            }]
        );
        let (_, m) = c.request(
            0,
            ZkRequest::Create {
                path: "/brokers".into(),
                data: vec![],
                mode: CreateMode::Ephemeral,
            },
        );
        roundtrip(&mut zk, &mut c, 0, conn, m);
        // Drive only the client's timers for a minute of virtual time.
        let mut pings = 0;
        while let Some(t) = c.next_timer() {
            if t > 60_000 {
                break;
            }
            zk.tick(t);
            if let Some(m) = c.poll(t) {
                pings += 1;
                assert!(matches!(
                    m,
                    ZkMessage::Request {
                        request: ZkRequest::Ping,
                        ..
                    }
                ));
                roundtrip(&mut zk, &mut c, t, conn, m);
            }
        }
        assert_eq!(pings, 10, "one ping every 6000 ms");
        assert!(zk.session(session).is_some());
        assert!(zk.tree().get("/brokers").is_some());
    }

    #[test]
    fn silent_server_triggers_a_resuming_reconnect() {
        let mut zk = ZkServer::default();
        let mut c = ZkClient::new(18_000);
        let m = c.connect(0);
        roundtrip(&mut zk, &mut c, 0, ConnId(1), m);
        let session = c.session().unwrap();
        // Pings go out but nothing comes back (partitioned).
        assert!(c.poll(6_000).is_some());
        assert!(c.poll(11_999).is_none());
        let m = c.poll(12_000).expect("reconnect after 2/3 of the timeout");
        assert_eq!(
            c.state(),
            ZkClientState::Connecting {
                session: Some(session)
            }
        );
        let ev = roundtrip(&mut zk, &mut c, 12_000, ConnId(2), m);
        assert_eq!(
            ev,
            vec![ZkClientEvent::Connected {
                session,
                timeout_ms: 18_000,
                resumed: true
            }]
        );
    }

    #[test]
    fn expiry_is_reported() {
        let mut zk = ZkServer::default();
        let mut c = ZkClient::new(18_000);
        let m = c.connect(0);
        roundtrip(&mut zk, &mut c, 0, ConnId(1), m);
        let session = c.session().unwrap();
        let (out, _) = zk.tick(20_000);
        let ev: Vec<_> = out
            .into_iter()
            .filter_map(|o| c.on_message(20_000, o.msg))
            .collect();
        assert_eq!(ev, vec![ZkClientEvent::Expired { session }]);
        assert_eq!(c.state(), ZkClientState::Expired { session });
        assert_eq!(c.next_timer(), None);
    }
}

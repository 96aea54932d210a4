//! What clients and the ZooKeeper server say to each other: requests,
//! responses, watch notifications and ZooKeeper's error codes
//! (`KeeperException.Code`), all serde-serializable so the simulator and
//! the browser router can carry them.

use serde::{Deserialize, Serialize};

/// A client connection as the network sees it (the simulator's node id,
/// say). A session is bound to one connection at a time; watch
/// notifications go to the connection the session is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnId(pub u32);

/// A ZooKeeper session id, handed out by the server on connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub i64);

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // ZooKeeper logs session ids in hex ("0x100000a3b2c0000").
        write!(f, "0x{:x}", self.0)
    }
}

/// `CreateMode`: ephemeral znodes die with their session; sequential ones
/// get the parent's child version appended, zero-padded to 10 digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CreateMode {
    Persistent,
    PersistentSequential,
    Ephemeral,
    EphemeralSequential,
}

impl CreateMode {
    pub fn is_ephemeral(self) -> bool {
        matches!(
            self,
            CreateMode::Ephemeral | CreateMode::EphemeralSequential
        )
    }

    pub fn is_sequential(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentSequential | CreateMode::EphemeralSequential
        )
    }
}

/// A znode's metadata, ZooKeeper's `Stat`. Times are virtual milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stat {
    /// zxid of the transaction that created the node.
    pub czxid: i64,
    /// zxid of the last transaction that changed the node's data.
    pub mzxid: i64,
    pub ctime: u64,
    pub mtime: u64,
    /// Data version: bumped by every setData; what conditional updates check.
    pub version: i32,
    /// Child version: bumped by every child create/delete. Also the counter
    /// sequential children are numbered from.
    pub cversion: i32,
    pub aversion: i32,
    /// Owning session of an ephemeral node, 0 for persistent ones.
    pub ephemeral_owner: i64,
    pub data_length: i32,
    pub num_children: i32,
    /// zxid of the last transaction that changed the node's children.
    pub pzxid: i64,
}

/// One operation inside a `multi`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Create {
        path: String,
        data: Vec<u8>,
        mode: CreateMode,
    },
    /// `version` -1 matches any version.
    Delete { path: String, version: i32 },
    SetData {
        path: String,
        data: Vec<u8>,
        version: i32,
    },
    /// Fails the whole multi unless the node exists at `version` (-1: any).
    /// Kafka's controller guards every write with a check on
    /// `/controller_epoch`'s version.
    Check { path: String, version: i32 },
}

/// The result of one operation of a `multi`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpResult {
    /// The path actually created (differs from the request for sequential nodes).
    Create {
        path: String,
    },
    Delete,
    SetData {
        stat: Stat,
    },
    Check,
    /// The multi failed: the failing op carries its error, ops before it
    /// report `Ok` (rolled back), ops after it `RuntimeInconsistency`, as
    /// ZooKeeper does.
    Error {
        err: ZkErrorCode,
    },
}

/// A request from a client. `Connect` opens (or, with `session_id`,
/// resumes) a session; everything else needs a session bound to the
/// sending connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZkRequest {
    Connect {
        session_timeout_ms: u64,
        /// Resume this session after a disconnect instead of opening a new one.
        session_id: Option<SessionId>,
    },
    Ping,
    Create {
        path: String,
        data: Vec<u8>,
        mode: CreateMode,
    },
    Delete {
        path: String,
        version: i32,
    },
    SetData {
        path: String,
        data: Vec<u8>,
        version: i32,
    },
    GetData {
        path: String,
        watch: bool,
    },
    /// Sets a data watch even when the node does not exist, so the watcher
    /// hears `NodeCreated`.
    Exists {
        path: String,
        watch: bool,
    },
    GetChildren {
        path: String,
        watch: bool,
    },
    Multi {
        ops: Vec<Op>,
    },
    /// Ends the session now: its ephemeral nodes go at once.
    CloseSession,
}

impl ZkRequest {
    /// ZooKeeper's op name (`OpCode`), for traces and fault rules.
    pub fn op_name(&self) -> &'static str {
        match self {
            ZkRequest::Connect { .. } => "connect",
            ZkRequest::Ping => "ping",
            ZkRequest::Create { .. } => "create",
            ZkRequest::Delete { .. } => "delete",
            ZkRequest::SetData { .. } => "setData",
            ZkRequest::GetData { .. } => "getData",
            ZkRequest::Exists { .. } => "exists",
            ZkRequest::GetChildren { .. } => "getChildren",
            ZkRequest::Multi { .. } => "multi",
            ZkRequest::CloseSession => "closeSession",
        }
    }
}

/// The server's answer to one request (matched by `xid` in [`ZkMessage`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZkResponse {
    Connected {
        session_id: SessionId,
        /// The timeout the server granted (clamped to its min/max).
        session_timeout_ms: u64,
    },
    Pong,
    Created {
        path: String,
    },
    Deleted,
    DataSet {
        stat: Stat,
    },
    Data {
        data: Vec<u8>,
        stat: Stat,
    },
    /// `exists`: `None` when the node is absent (not an error in ZooKeeper).
    Exists {
        stat: Option<Stat>,
    },
    Children {
        /// Child names (not full paths), sorted.
        children: Vec<String>,
        stat: Stat,
    },
    Multi {
        results: Vec<OpResult>,
    },
    Closed,
    Error {
        err: ZkErrorCode,
    },
}

/// `Watcher.Event.EventType` for data and child watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    NodeCreated,
    NodeDeleted,
    NodeDataChanged,
    NodeChildrenChanged,
}

/// A one-shot watch firing, sent to the session that set it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WatchedEvent {
    pub event_type: EventType,
    pub path: String,
}

/// Everything that travels between a ZooKeeper client and the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZkMessage {
    Request {
        xid: i32,
        request: ZkRequest,
    },
    Response {
        xid: i32,
        response: ZkResponse,
    },
    /// Watch notifications travel with xid -1 in ZooKeeper; here they are
    /// their own variant.
    Watch {
        event: WatchedEvent,
    },
    /// The server expired this connection's session (client must start a
    /// new one; its ephemeral nodes are gone).
    SessionExpired {
        session_id: SessionId,
    },
}

/// ZooKeeper's error codes (`KeeperException.Code`) that this server can
/// produce. `name()` gives ZooKeeper's own spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ZkErrorCode {
    /// Only inside multi results: this op would have succeeded but the
    /// multi was rolled back.
    Ok,
    RuntimeInconsistency,
    BadArguments,
    NoNode,
    BadVersion,
    NoChildrenForEphemerals,
    NodeExists,
    NotEmpty,
    SessionExpired,
}

impl ZkErrorCode {
    /// ZooKeeper's numeric code.
    pub fn code(self) -> i32 {
        match self {
            ZkErrorCode::Ok => 0,
            ZkErrorCode::RuntimeInconsistency => -2,
            ZkErrorCode::BadArguments => -8,
            ZkErrorCode::NoNode => -101,
            ZkErrorCode::BadVersion => -103,
            ZkErrorCode::NoChildrenForEphemerals => -108,
            ZkErrorCode::NodeExists => -110,
            ZkErrorCode::NotEmpty => -111,
            ZkErrorCode::SessionExpired => -112,
        }
    }

    /// ZooKeeper's name for the code (`KeeperException.Code.NONODE` → `"NONODE"`).
    pub fn name(self) -> &'static str {
        match self {
            ZkErrorCode::Ok => "OK",
            ZkErrorCode::RuntimeInconsistency => "RUNTIMEINCONSISTENCY",
            ZkErrorCode::BadArguments => "BADARGUMENTS",
            ZkErrorCode::NoNode => "NONODE",
            ZkErrorCode::BadVersion => "BADVERSION",
            ZkErrorCode::NoChildrenForEphemerals => "NOCHILDRENFOREPHEMERALS",
            ZkErrorCode::NodeExists => "NODEEXISTS",
            ZkErrorCode::NotEmpty => "NOTEMPTY",
            ZkErrorCode::SessionExpired => "SESSIONEXPIRED",
        }
    }
}

impl std::fmt::Display for ZkErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_and_codes_are_zookeepers() {
        assert_eq!(ZkErrorCode::NoNode.name(), "NONODE");
        assert_eq!(ZkErrorCode::NoNode.code(), -101);
        assert_eq!(ZkErrorCode::NodeExists.code(), -110);
        assert_eq!(ZkErrorCode::NotEmpty.code(), -111);
        assert_eq!(ZkErrorCode::BadVersion.code(), -103);
        assert_eq!(ZkErrorCode::NoChildrenForEphemerals.code(), -108);
        assert_eq!(ZkErrorCode::SessionExpired.code(), -112);
    }

    #[test]
    fn messages_round_trip_through_json() {
        let msg = ZkMessage::Request {
            xid: 7,
            request: ZkRequest::Multi {
                ops: vec![
                    Op::Check {
                        path: "/controller_epoch".into(),
                        version: 3,
                    },
                    Op::Create {
                        path: "/isr_change_notification/isr_change_".into(),
                        data: b"{}".to_vec(),
                        mode: CreateMode::PersistentSequential,
                    },
                ],
            },
        };
        let json = serde_json::to_string(&msg).unwrap();
        let back: ZkMessage = serde_json::from_str(&json).unwrap();
        assert_eq!(back, msg);
    }
}

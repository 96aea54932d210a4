//! ZooKeeper as pure state machines: the znode tree, the server with
//! sessions and watches, the messages between clients and server, and a
//! small client session helper for brokers.

pub mod client;
pub mod messages;
pub mod path;
#[cfg(test)]
mod proptests;
pub mod server;
pub mod tree;
pub mod watches;

pub use client::{ZkClient, ZkClientEvent};
pub use messages::{
    ConnId, CreateMode, EventType, Op, OpResult, SessionId, Stat, WatchedEvent, ZkErrorCode,
    ZkMessage, ZkRequest, ZkResponse,
};
pub use server::{Session, ZkOutput, ZkServer, ZkServerConfig, KAFKA_DEFAULT_SESSION_TIMEOUT_MS};
pub use tree::{ZNode, ZkTree, ZnodeRow, ZnodeView};

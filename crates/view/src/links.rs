//! The links between nodes as the page's links view shows them: per
//! direction, the messages on the wire, parked by a `hold` rule, and
//! dropped so far, each by Kafka API name (`Produce`, `Fetch`,
//! `LeaderAndIsr`, `JoinGroup`, ...).

use serde::{Deserialize, Serialize};

/// Messages of one API on one link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCount {
    pub api: String,
    pub count: usize,
}

/// One direction between two nodes, by node name (`0`, `zk`, `p`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub from: String,
    pub to: String,
    /// Cut by a network partition.
    pub cut: bool,
    pub in_flight: Vec<ApiCount>,
    pub held: Vec<ApiCount>,
    /// Dropped since the start (a cut, a `drop` rule, a receiver down).
    pub dropped: Vec<ApiCount>,
}

impl LinkView {
    /// Nothing to show: no message on it ever dropped, none moving or held,
    /// not cut.
    pub fn is_quiet(&self) -> bool {
        !self.cut && self.in_flight.is_empty() && self.held.is_empty() && self.dropped.is_empty()
    }
}

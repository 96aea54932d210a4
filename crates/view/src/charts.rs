//! The page's charts: per-virtual-second samples taken in the engine
//! (`kafkascope_cluster::sampler`), at most [`CHART_LEN`] of them, so the
//! page draws a few hundred points and never every record.

use serde::{Deserialize, Serialize};

/// Samples per chart (the newest): one virtual minute.
pub const CHART_LEN: usize = 60;

/// One line of a chart with a value per sample (`None`: no value then, e.g.
/// a partition without a live leader).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// What the line is: a consumer's client id, a partition.
    pub key: String,
    pub values: Vec<Option<i64>>,
}

impl Series {
    /// The newest value, if the line has one there.
    pub fn last(&self) -> Option<i64> {
        self.values.last().copied().flatten()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charts {
    /// The end of each sampled virtual second, ms; every series below has
    /// one value per entry.
    pub t: Vec<u64>,
    /// Records/s appended by Produce requests (`MessagesInPerSec`), all brokers.
    pub messages_in: Vec<u64>,
    /// Bytes/s of those appends (`BytesInPerSec`).
    pub bytes_in: Vec<u64>,
    /// Failed partition appends/s (`FailedProduceRequestsPerSec`).
    pub failed_produce: Vec<u64>,
    /// Records/s handed to consumers' applications by `poll`.
    pub consumed: Vec<u64>,
    /// Per consumer: its largest partition lag.
    pub lag: Vec<Series>,
    /// Per partition (the first ones by name): the leader's HW and LEO.
    pub hw: Vec<Series>,
    pub leo: Vec<Series>,
}

impl Charts {
    /// The HW and LEO lines of `partition` (`t-0`).
    pub fn hw_leo(&self, partition: &str) -> Option<(&Series, &Series)> {
        let hw = self.hw.iter().find(|s| s.key == partition)?;
        let leo = self.leo.iter().find(|s| s.key == partition)?;
        Some((hw, leo))
    }
}

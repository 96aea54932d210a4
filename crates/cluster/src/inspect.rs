//! Reading the cluster's state for predicates and invariants: partition
//! states and the controller from ZooKeeper's tree (what the controller
//! wrote), replicas' offsets and records from the brokers — or, for a
//! broker that is down, from what its disk would recover.

use broker::api::{BrokerId, TopicPartition};
use controller::znodes::{paths, ControllerRegistration, LeaderIsrAndControllerEpoch};
use log::{Log, LogConfig, MemoryStorage, Storage};
use protocol::batch::RecordBatch;

use crate::cluster::Cluster;
use crate::producer::SEND_HEADER;

/// One record of a replica's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    /// The producer's `kafkascope.send` header.
    pub send_id: Option<String>,
    /// The record's whole content, to compare replicas with.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

impl RecordView {
    pub fn value_text(&self) -> String {
        match &self.value {
            Some(v) => String::from_utf8_lossy(v).into_owned(),
            None => "null".to_string(),
        }
    }
}

/// A replica's offsets and records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaView {
    pub log_start: i64,
    pub leo: i64,
    pub hw: i64,
    pub records: Vec<RecordView>,
}

const HW_CHECKPOINT_FILE: &str = "replication-offset-checkpoint";

/// Decodes concatenated batches into records (control batches skipped).
fn decode_records(mut buf: &[u8], out: &mut Vec<RecordView>) -> Option<i64> {
    let mut next = None;
    while !buf.is_empty() {
        let Ok((batch, used)) = RecordBatch::decode(buf) else {
            break;
        };
        buf = &buf[used..];
        next = Some(batch.last_offset() + 1);
        if batch.is_control {
            continue;
        }
        for r in batch.records {
            let send_id = r
                .headers
                .iter()
                .find(|h| h.key == SEND_HEADER)
                .and_then(|h| h.value.as_ref())
                .map(|v| String::from_utf8_lossy(v).into_owned());
            out.push(RecordView {
                offset: batch.base_offset + r.offset_delta as i64,
                key: r.key,
                value: r.value,
                send_id,
                headers: r.headers.into_iter().map(|h| (h.key, h.value)).collect(),
            });
        }
    }
    next
}

/// Every record of a log, log start to LEO.
fn read_all<S: Storage>(log: &Log<S>) -> Vec<RecordView> {
    let mut out = Vec::new();
    let mut offset = log.log_start_offset();
    let leo = log.log_end_offset();
    while offset < leo {
        let Ok(data) = log.read(offset, usize::MAX / 2, None, true) else {
            break;
        };
        match decode_records(data.records, &mut out) {
            Some(next) if next > offset => offset = next,
            _ => break,
        }
    }
    out.retain(|r| r.offset >= log.log_start_offset());
    out
}

impl Cluster {
    /// `/brokers/topics/T/partitions/P/state`: the controller's decision.
    pub fn partition_state(&self, tp: &TopicPartition) -> Option<LeaderIsrAndControllerEpoch> {
        let node = self
            .zk()
            .tree()
            .get(&paths::partition_state(&tp.topic, tp.partition))?;
        LeaderIsrAndControllerEpoch::decode(&node.data).ok()
    }

    /// The current leader as the controller has it, if any.
    pub fn leader(&self, tp: &TopicPartition) -> Option<BrokerId> {
        self.partition_state(tp)
            .map(|s| s.leader)
            .filter(|&l| l >= 0)
    }

    /// The active controller: the broker named in `/controller`.
    pub fn controller_id(&self) -> Option<BrokerId> {
        let node = self
            .zk()
            .tree()
            .get(controller::znodes::paths::CONTROLLER)?;
        ControllerRegistration::decode(&node.data)
            .ok()
            .map(|c| c.broker_id)
    }

    /// Replica `tp@b`: live state of a running broker, or what a broker
    /// that is down would recover from its disk. `None` if `b` has no
    /// replica of `tp`.
    pub fn replica(&self, b: BrokerId, tp: &TopicPartition) -> Option<ReplicaView> {
        // A broker that is up but has not opened this log yet (it waits
        // for the controller's LeaderAndIsr) holds what is on its disk.
        if let Some(p) = self
            .broker_up(b)
            .then(|| self.broker(b).partition(tp))
            .flatten()
        {
            let log = p.log.inner();
            return Some(ReplicaView {
                log_start: log.log_start_offset(),
                leo: log.log_end_offset(),
                hw: p.hw(),
                records: read_all(log),
            });
        }
        self.replica_on_disk(b, tp)
    }

    /// Offsets only (cheap: no record decoding) for a running broker.
    pub fn replica_offsets(&self, b: BrokerId, tp: &TopicPartition) -> Option<(i64, i64, i64)> {
        if let Some(p) = self
            .broker_up(b)
            .then(|| self.broker(b).partition(tp))
            .flatten()
        {
            return Some((p.log.log_start(), p.leo(), p.hw()));
        }
        self.replica_on_disk(b, tp)
            .map(|v| (v.log_start, v.leo, v.hw))
    }

    fn replica_on_disk(&self, b: BrokerId, tp: &TopicPartition) -> Option<ReplicaView> {
        let log = self.open_from_disk(b, tp)?;
        let disk: MemoryStorage = self.storage(b).borrow().clone();
        let hw = hw_checkpoint(&disk, tp);
        Some(ReplicaView {
            log_start: log.log_start_offset(),
            leo: log.log_end_offset(),
            hw: hw.min(log.log_end_offset()),
            records: read_all(&log),
        })
    }

    /// The log a broker that is down would recover from its disk.
    fn open_from_disk(&self, b: BrokerId, tp: &TopicPartition) -> Option<Log<MemoryStorage>> {
        let dir = tp.dir();
        // A copy: recovery writes (truncates a torn tail), and looking must
        // not change what the broker finds when it restarts.
        let disk: MemoryStorage = self.storage(b).borrow().clone();
        let prefix = format!("{dir}/");
        if !disk.paths().iter().any(|p| p.starts_with(&prefix)) {
            return None;
        }
        let mut pairs: Vec<(String, String)> = self.broker_config(b).log_defaults.clone();
        if let Some(t) = self.topics.get(&*tp.topic) {
            pairs.extend(t.config.iter().cloned());
        }
        let config =
            LogConfig::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).ok()?;
        let (log, _) = Log::open(disk, &dir, config, self.sim.now() as i64).ok()?;
        Some(log)
    }
}

/// What the storage predicates show of one replica's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLayout {
    /// Each segment's base offset, oldest first.
    pub segments: Vec<i64>,
    /// Every offset-index entry's offset, oldest first.
    pub index: Vec<i64>,
    /// Record batches in the log (control batches included).
    pub batches: usize,
    /// The segment files' size in bytes.
    pub bytes: u64,
    /// Per segment: (base offset, offset index) for lookups.
    lookups: Vec<(i64, Vec<i64>)>,
}

impl LogLayout {
    fn of<S: Storage>(log: &Log<S>) -> LogLayout {
        let lookups: Vec<(i64, Vec<i64>)> = log
            .segments()
            .map(|s| {
                (
                    s.base_offset(),
                    s.offset_index().entries().map(|(o, _)| o).collect(),
                )
            })
            .collect();
        LogLayout {
            segments: lookups.iter().map(|(b, _)| *b).collect(),
            index: lookups
                .iter()
                .flat_map(|(_, i)| i.iter().copied())
                .collect(),
            batches: log.segments().map(|s| s.batches().count()).sum(),
            bytes: log.size_in_bytes(),
            lookups,
        }
    }

    /// Kafka's read path: the last segment with base <= `offset` (a floor
    /// search over the segments), then the greatest index entry <= `offset`
    /// in it (a binary search of the sparse index); the read scans on from
    /// there. `None` below the first segment.
    pub fn lookup(&self, offset: i64) -> Option<i64> {
        let (base, index) = self.lookups.iter().rev().find(|(b, _)| *b <= offset)?;
        Some(
            index
                .iter()
                .rev()
                .find(|&&o| o <= offset)
                .copied()
                .unwrap_or(*base),
        )
    }
}

impl Cluster {
    /// The layout of replica `tp@b`'s log (live, or as its disk would
    /// recover), `None` if `b` has no replica of `tp`.
    pub fn log_layout(&self, b: BrokerId, tp: &TopicPartition) -> Option<LogLayout> {
        if let Some(p) = self
            .broker_up(b)
            .then(|| self.broker(b).partition(tp))
            .flatten()
        {
            return Some(LogLayout::of(p.log.inner()));
        }
        self.open_from_disk(b, tp).map(|log| LogLayout::of(&log))
    }
}

/// The HW a broker checkpointed for `tp` (0 if none).
fn hw_checkpoint(disk: &MemoryStorage, tp: &TopicPartition) -> i64 {
    let Ok(data) = disk.read("", HW_CHECKPOINT_FILE) else {
        return 0;
    };
    let text = String::from_utf8_lossy(&data);
    for line in text.lines().skip(2) {
        let mut f = line.rsplitn(3, ' ');
        if let (Some(hw), Some(p), Some(t)) = (f.next(), f.next(), f.next()) {
            if t == &*tp.topic && p.parse() == Ok(tp.partition) {
                return hw.parse().unwrap_or(0);
            }
        }
    }
    0
}

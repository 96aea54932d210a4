//! Reading the cluster's state for predicates and invariants: partition
//! states and the controller from ZooKeeper's tree (what the controller
//! wrote), replicas' offsets and records from the brokers — or, for a
//! broker that is down, from what its disk would recover.

use broker::api::{BrokerId, TopicPartition};
pub use broker::query::{read_all, read_newest, LogLayout, RecordView, ReplicaView};
use broker::query::{BrokerAnswer, BrokerQuery};
use controller::znodes::{paths, ControllerRegistration, LeaderIsrAndControllerEpoch};
use log::{Log, LogConfig, MemoryStorage, Storage};

use crate::cluster::Cluster;

const HW_CHECKPOINT_FILE: &str = "replication-offset-checkpoint";

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
        if let Some(r) = self.broker_replica(b, tp) {
            return Some(r);
        }
        self.replica_on_disk(b, tp)
    }

    /// The record at `offset` of replica `tp@b` (one batch read, not the
    /// whole log), live or from a down broker's disk; `None` if there is
    /// none there.
    pub fn record_at(&self, b: BrokerId, tp: &TopicPartition, offset: i64) -> Option<RecordView> {
        let live = match self.query(
            b,
            &broker::query::BrokerQuery::Record {
                tp: tp.clone(),
                offset,
            },
        ) {
            Some(broker::query::BrokerAnswer::Record(r)) => r,
            Some(other) => self.wrong_answer(b, "Record", other),
            None => None,
        };
        match live {
            Some(r) => r,
            None => self
                .open_from_disk(b, tp)
                .and_then(|log| broker::query::read_one(&log, offset)),
        }
    }

    /// [`Cluster::replica`] with only the newest `count` records, read
    /// through the log's index (the page's strips: cheap for long logs).
    pub fn replica_newest(
        &self,
        b: BrokerId,
        tp: &TopicPartition,
        count: usize,
    ) -> Option<ReplicaView> {
        let query = BrokerQuery::Newest {
            tp: tp.clone(),
            count,
        };
        let live = match self.query(b, &query) {
            Some(BrokerAnswer::Replica(r)) => r,
            Some(other) => self.wrong_answer(b, "Newest", other),
            None => None,
        };
        if live.is_some() {
            return live;
        }
        // Down, or up without this log open yet: what its disk holds.
        self.replica_on_disk_read(b, tp, |log| read_newest(log, count))
    }

    /// Offsets only (cheap: no record decoding) for a running broker.
    pub fn replica_offsets(&self, b: BrokerId, tp: &TopicPartition) -> Option<(i64, i64, i64)> {
        if let Some(p) = self.broker_partition(b, tp) {
            return Some((p.log_start, p.leo, p.hw));
        }
        self.replica_on_disk(b, tp)
            .map(|v| (v.log_start, v.leo, v.hw))
    }

    fn replica_on_disk(&self, b: BrokerId, tp: &TopicPartition) -> Option<ReplicaView> {
        self.replica_on_disk_read(b, tp, read_all)
    }

    /// The replica a broker's disk would recover, with the records `read`
    /// takes from its log.
    fn replica_on_disk_read(
        &self,
        b: BrokerId,
        tp: &TopicPartition,
        read: impl Fn(&Log<MemoryStorage>) -> Vec<RecordView>,
    ) -> Option<ReplicaView> {
        let log = self.open_from_disk(b, tp)?;
        let disk: MemoryStorage = self.storage(b).borrow().clone();
        let hw = hw_checkpoint(&disk, tp);
        Some(ReplicaView {
            log_start: log.log_start_offset(),
            leo: log.log_end_offset(),
            hw: hw.min(log.log_end_offset()),
            records: read(&log),
        })
    }

    /// The log a broker that is down would recover from its disk.
    pub(crate) fn open_from_disk(
        &self,
        b: BrokerId,
        tp: &TopicPartition,
    ) -> Option<Log<MemoryStorage>> {
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

impl Cluster {
    /// The layout of replica `tp@b`'s log (live, or as its disk would
    /// recover), `None` if `b` has no replica of `tp`.
    pub fn log_layout(&self, b: BrokerId, tp: &TopicPartition) -> Option<LogLayout> {
        if let Some(l) = self.broker_layout(b, tp) {
            return Some(l);
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

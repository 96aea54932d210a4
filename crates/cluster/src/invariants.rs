//! What "correct" means for replication, computed on a running cluster:
//! acknowledged records lost, records duplicated by retries, replicas that
//! disagree — shared by the scenario predicates and the fault search.

use std::collections::{BTreeMap, BTreeSet};

use broker::api::{BrokerId, TopicPartition};
use broker::query::{BrokerAnswer, BrokerQuery, LogBatches};
use broker::Broker;

use crate::cluster::Cluster;
use crate::inspect::RecordView;
use crate::producer::Acked;

/// Watches leaders' high watermarks after every event: within one leader
/// epoch on one broker process the HW must never move backwards. A
/// restarted process starts from its checkpointed HW and may lead again in
/// the same epoch (a controller that did not see the bounce sends it the
/// current state, as Kafka's does), so a restart starts a new watch.
///
/// It also paces the divergence check (see [`divergence_below_hw`]), which
/// the cluster runs every [`DIVERGENCE_CHECK_MS`] of virtual time.
#[derive(Debug, Default)]
pub struct HwWatch {
    last: BTreeMap<(BrokerId, TopicPartition), (i32, i64)>,
    next_divergence_check: u64,
    pub violations: Vec<String>,
}

/// How often (virtual ms) the fault search compares in-sync replicas.
pub const DIVERGENCE_CHECK_MS: u64 = 1_000;

impl HwWatch {
    /// Whether the divergence check is due at `now` (then it is re-armed).
    pub fn divergence_due(&mut self, now: u64) -> bool {
        if now < self.next_divergence_check {
            return false;
        }
        self.next_divergence_check = now + DIVERGENCE_CHECK_MS;
        true
    }

    /// Broker `b`'s process was replaced.
    pub fn forget(&mut self, b: BrokerId) {
        self.last.retain(|(broker, _), _| *broker != b);
    }

    pub fn observe(&mut self, broker: &Broker, now: u64) {
        let me = broker.id();
        for p in broker.partitions() {
            if !p.is_leader(me) {
                continue;
            }
            let key = (me, p.tp.clone());
            let hw = p.hw();
            if let Some(&(epoch, last)) = self.last.get(&key) {
                if epoch == p.leader_epoch && hw < last {
                    self.violations.push(format!(
                        "t={now}: HW of {} on leader {me} went back from {last} to {hw} in epoch {epoch}",
                        p.tp
                    ));
                }
            }
            self.last.insert(key, (p.leader_epoch, hw));
        }
    }
}

/// Send ids held by the partition's current leader, or — while it has no
/// leader — by any replica, down ones included (what their disks hold).
pub(crate) fn held_send_ids(c: &Cluster, tp: &TopicPartition) -> BTreeSet<String> {
    let brokers: Vec<BrokerId> = match c.leader(tp) {
        Some(l) => vec![l],
        None => (0..c.brokers() as BrokerId).collect(),
    };
    brokers
        .into_iter()
        .filter_map(|b| c.replica(b, tp))
        .flat_map(|v| v.records.into_iter().filter_map(|r| r.send_id))
        .collect()
}

/// The send ids of each running broker's log as last read, with the
/// batches they were read from: a log that only grew since (same log
/// start, the same batches first — a batch's CRC covers its records) is
/// read from where the last read ended, so the page's view of lost records
/// does not decode every log on every update.
#[derive(Default)]
pub struct SendIdCache {
    logs: BTreeMap<(TopicPartition, BrokerId), SendIds>,
    /// The newest read-from-the-start's generation.
    next: u64,
}

/// One log's send ids as last read.
pub(crate) struct SendIds {
    batches: LogBatches,
    pub(crate) ids: BTreeSet<String>,
    /// Changes only when the log is read again from its start: while it
    /// stays, `ids` only grew (the acked index rechecks just what is new).
    pub(crate) generation: u64,
}

impl SendIdCache {
    pub(crate) fn get(&self, tp: &TopicPartition, b: BrokerId) -> Option<&SendIds> {
        self.logs.get(&(tp.clone(), b))
    }
}

/// Brings `c`'s cache of broker `b`'s live log of `tp` up to date; false
/// if `b` does not run with that log open (read it another way).
pub(crate) fn refresh_send_ids(c: &Cluster, b: BrokerId, tp: &TopicPartition) -> bool {
    let batches = match c.query(b, &BrokerQuery::Batches(tp.clone())) {
        Some(BrokerAnswer::Batches(Some(batches))) => batches,
        Some(BrokerAnswer::Batches(None)) | None => return false,
        Some(other) => {
            // Noted in the host errors; read the log another way.
            c.wrong_answer::<()>(b, "Batches", other);
            return false;
        }
    };
    let key = (tp.clone(), b);
    let mut cache = c.send_ids.borrow_mut();
    let from = match cache.logs.get(&key) {
        Some(known) if batches.extends(&known.batches) => {
            if batches.batches.len() == known.batches.batches.len() {
                return true; // Nothing new.
            }
            known
                .batches
                .batches
                .last()
                .map_or(batches.log_start, |last| last.last_offset + 1)
        }
        _ => {
            cache.logs.remove(&key);
            batches.log_start
        }
    };
    let query = BrokerQuery::From {
        tp: tp.clone(),
        offset: from,
    };
    let records = match c.query(b, &query) {
        Some(BrokerAnswer::Replica(Some(r))) => r.records,
        _ => {
            cache.logs.remove(&key);
            return false;
        }
    };
    let SendIdCache { logs, next } = &mut *cache;
    let entry = logs.entry(key).or_insert_with(|| {
        *next += 1;
        SendIds {
            batches: LogBatches::default(),
            ids: BTreeSet::new(),
            generation: *next,
        }
    });
    entry
        .ids
        .extend(records.into_iter().filter_map(|r| r.send_id));
    entry.batches = batches;
    true
}

/// Acknowledged records (of every producer) missing from their
/// partition's current leader's log, in producer then ack order (see
/// [`crate::acked_index`]: only new acks and changed logs are checked).
pub fn lost(c: &Cluster) -> Vec<Acked> {
    let missing = c.acked_index.borrow_mut().lost(c);
    let producers: Vec<_> = c.producers().collect();
    missing
        .into_iter()
        .map(|(p, i)| producers[p].app.acked[i].clone())
        .collect()
}

/// Records in the leader's log beyond the first copy of each send.
pub fn duplicates(c: &Cluster, tp: &TopicPartition) -> i64 {
    let Some(view) = c.leader(tp).and_then(|l| c.replica(l, tp)) else {
        return 0;
    };
    let mut seen: BTreeMap<String, i64> = BTreeMap::new();
    for r in view.records {
        if let Some(id) = r.send_id {
            *seen.entry(id).or_default() += 1;
        }
    }
    seen.values().map(|n| n - 1).sum()
}

fn same_record(a: &RecordView, b: &RecordView) -> bool {
    a.key == b.key && a.value == b.value && a.headers == b.headers
}

/// Offsets below `limit` at which two of the given replicas hold different
/// records (offsets only one of them holds are not compared).
fn differing_offsets(views: &[Vec<RecordView>], limit: i64) -> BTreeSet<i64> {
    let maps: Vec<BTreeMap<i64, &RecordView>> = views
        .iter()
        .map(|v| {
            v.iter()
                .filter(|r| r.offset < limit)
                .map(|r| (r.offset, r))
                .collect()
        })
        .collect();
    let mut out = BTreeSet::new();
    for (i, a) in maps.iter().enumerate() {
        for b in &maps[i + 1..] {
            for (off, ra) in a {
                if let Some(rb) = b.get(off) {
                    if !same_record(ra, rb) {
                        out.insert(*off);
                    }
                }
            }
        }
    }
    out
}

/// `divergent TOPIC-P`: offsets below the smallest LEO of the live replicas
/// at which two of them hold different records.
pub fn divergent(c: &Cluster, tp: &TopicPartition) -> BTreeSet<i64> {
    let views: Vec<_> = (0..c.brokers() as BrokerId)
        .filter(|&b| c.broker_up(b))
        .filter_map(|b| c.replica(b, tp))
        .collect();
    let Some(min_leo) = views.iter().map(|v| v.leo).min() else {
        return BTreeSet::new();
    };
    let records: Vec<Vec<RecordView>> = views.into_iter().map(|v| v.records).collect();
    differing_offsets(&records, min_leo)
}

/// The fault search's divergence invariant: live in-sync replicas agree
/// with a live leader on every offset below the leader's HW.
pub fn divergence_below_hw(c: &Cluster, tp: &TopicPartition) -> Option<String> {
    let state = c.partition_state(tp)?;
    let leader = state.leader;
    if leader < 0 || !c.broker_up(leader) {
        return None;
    }
    let lv = c.replica(leader, tp)?;
    // The leader itself may not have caught up with the controller yet.
    if !c
        .broker_partition(leader, tp)
        .is_some_and(|p| p.is_leader(leader) && p.leader_epoch == state.leader_epoch)
    {
        return None;
    }
    for &r in state.isr.iter().filter(|&&r| r != leader && c.broker_up(r)) {
        // Only a follower that has truncated and fetches from this leader
        // counts: one still recovering from a restart has not reconciled
        // its log yet (Kafka's transient too).
        let following = c.broker_partition(r, tp).is_some_and(|p| {
            p.leader == leader && p.leader_epoch == state.leader_epoch && p.fetching
        });
        if !following {
            continue;
        }
        let Some(rv) = c.replica(r, tp) else { continue };
        let limit = lv.hw.min(rv.leo);
        let diff = differing_offsets(&[lv.records.clone(), rv.records], limit);
        if let Some(off) = diff.first() {
            return Some(format!(
                "{tp}: leader {leader} and in-sync replica {r} differ at offset {off} below HW {}",
                lv.hw
            ));
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scenario_lines;

    /// `lost` as it was before the cache: every log read in full.
    pub(crate) fn lost_read_in_full(c: &Cluster) -> Vec<Acked> {
        let mut held: BTreeMap<TopicPartition, BTreeSet<String>> = BTreeMap::new();
        let mut missing = Vec::new();
        for p in c.producers() {
            for a in &p.app.acked {
                let ids = held
                    .entry(a.tp.clone())
                    .or_insert_with(|| held_send_ids(c, &a.tp));
                if !ids.contains(&a.send_id) {
                    missing.push(a.clone());
                }
            }
        }
        missing
    }

    /// Line by line through every scenario of the repository (logs
    /// truncated, rewritten by a new leader, losing unflushed data, rolled
    /// and deleted by retention, producers added mid-run): after every
    /// line the cached, incremental `lost` is the full read's.
    #[test]
    fn the_cached_lost_records_are_the_full_reads() {
        // Broker 0 leads again after its log was truncated and rewritten
        // (to more batches than it had): its cached ids are stale (x0, x1
        // are gone from it).
        let leads_again = format!(
            "{}send p t value=w{{i}} count=2\nflush p\nsend p t value=u{{i}} count=2\nflush p\n\
             run until isr t-0 == 0,1,2 timeout=60000\n\
             crash 1\nrun until leader t-0 == 0 timeout=60000\nexpect lost == 2\n\
             send p t value=z{{i}} count=2\nflush p\ntick 1000\n",
            scenario_lines::read("replication/leader-failure.scn")
        );
        let (mut checked, mut with_loss) = (0, 0);
        let files = scenario_lines::all_files();
        assert!(files.len() >= 50, "{files:?}");
        for (file, text) in [(
            "leader-failure.scn, then 0 leads again".to_string(),
            leads_again,
        )]
        .into_iter()
        .chain(files.into_iter().map(|f| {
            let text = scenario_lines::read(&f);
            (f, text)
        })) {
            scenario_lines::each_line(&file, &text, |line, c| {
                let full = lost_read_in_full(c);
                let ids = |v: &[Acked]| v.iter().map(|a| a.send_id.clone()).collect::<Vec<_>>();
                assert_eq!(ids(&lost(c)), ids(&full), "{file}: after {line:?}");
                checked += 1;
                with_loss += usize::from(!full.is_empty());
            });
        }
        assert!(checked > 1000, "{checked} states checked");
        assert!(with_loss > 20, "{with_loss} states with lost records");
    }
}

//! The producers' acknowledged and failed records, indexed as they arrive,
//! so the page's lost-record check and each producer's counts cost what
//! changed since the last update (new acks, partitions whose leader's log
//! was read anew), not the run's length: walking every acknowledged record
//! on every update took ~120 ms with 200,000 of them.

use std::collections::{BTreeMap, BTreeSet};

use broker::api::{BrokerId, TopicPartition};
use kafkascope_view::model::FATES_LEN;

use crate::cluster::Cluster;
use crate::invariants::{held_send_ids, refresh_send_ids};
use crate::producer::{send_number, Producer};

/// A record of a producer's application: its producer's place in
/// [`Cluster::producers`] and its index in that producer's acked list.
pub(crate) type At = (usize, usize);

/// Where a send's fate is recorded: its index in the producer's acked or
/// failed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    Acked(usize),
    Failed(usize),
}

#[derive(Default)]
pub struct AckedIndex {
    producers: Vec<Seen>,
    partitions: BTreeMap<TopicPartition, Checked>,
}

/// How far one producer's application record was read.
struct Seen {
    name: String,
    acked: usize,
    failed: usize,
    /// The last send ids read: an application record that does not still
    /// have them was replaced, and everything is read again.
    last_acked: Option<String>,
    last_failed: Option<String>,
    /// The newest [`FATES_LEN`] sends with a fate, by send number (the
    /// page's order: acked before failed, then list order, on a tie).
    newest: BTreeSet<(u64, Outcome)>,
}

impl Seen {
    fn new(p: &Producer) -> Seen {
        Seen {
            name: p.name.clone(),
            acked: 0,
            failed: 0,
            last_acked: None,
            last_failed: None,
            newest: BTreeSet::new(),
        }
    }

    /// Whether `p` is still the application record read so far.
    fn still(&self, p: &Producer) -> bool {
        let (acked, failed) = (&p.app.acked, &p.app.failed);
        p.name == self.name
            && acked.len() >= self.acked
            && failed.len() >= self.failed
            && self.acked.checked_sub(1).map(|i| &acked[i].send_id) == self.last_acked.as_ref()
            && self.failed.checked_sub(1).map(|i| &failed[i].send_id) == self.last_failed.as_ref()
    }

    fn note(&mut self, send_id: &str, outcome: Outcome) {
        self.newest
            .insert((send_number(send_id).unwrap_or(u64::MAX), outcome));
        if self.newest.len() > FATES_LEN {
            self.newest.pop_first();
        }
    }
}

/// A partition's acknowledged records and which of them its log lacks.
#[derive(Default)]
struct Checked {
    records: Vec<At>,
    /// How many of `records` were checked, and against what.
    checked: usize,
    against: Option<Against>,
    missing: BTreeSet<At>,
}

/// A running leader's cached send ids: while their generation stays they
/// only grow, so what was there still is.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Against {
    leader: BrokerId,
    generation: u64,
}

/// What the page shows of one producer's records.
pub(crate) struct ProducerRecords {
    /// Indices of its acked records that their partition's log lacks.
    pub lost: BTreeSet<usize>,
    /// Its newest [`FATES_LEN`] sends with a fate, oldest first.
    pub newest: Vec<Outcome>,
}

impl AckedIndex {
    /// Reads the acks and failures that arrived since the last call.
    fn sync(&mut self, producers: &[&Producer]) {
        let same = self.producers.len() == producers.len()
            && self
                .producers
                .iter()
                .zip(producers)
                .all(|(s, p)| s.still(p));
        if !same {
            *self = AckedIndex {
                producers: producers.iter().map(|p| Seen::new(p)).collect(),
                partitions: BTreeMap::new(),
            };
        }
        for (i, (seen, p)) in self.producers.iter_mut().zip(producers).enumerate() {
            for (j, a) in p.app.acked.iter().enumerate().skip(seen.acked) {
                self.partitions
                    .entry(a.tp.clone())
                    .or_default()
                    .records
                    .push((i, j));
                seen.note(&a.send_id, Outcome::Acked(j));
            }
            for (j, f) in p.app.failed.iter().enumerate().skip(seen.failed) {
                seen.note(&f.send_id, Outcome::Failed(j));
            }
            seen.acked = p.app.acked.len();
            seen.failed = p.app.failed.len();
            seen.last_acked = p.app.acked.last().map(|a| a.send_id.clone());
            seen.last_failed = p.app.failed.last().map(|f| f.send_id.clone());
        }
    }

    /// Acknowledged records missing from their partition's current
    /// leader's log (or, without a running leader, from every replica's),
    /// in producer then ack order. A partition is checked in full only
    /// when its leader changed or its log was read anew; otherwise only
    /// its new acks and the ones missing before are.
    pub(crate) fn lost(&mut self, c: &Cluster) -> Vec<At> {
        let producers: Vec<&Producer> = c.producers().collect();
        self.sync(&producers);
        let send_id = |(p, i): At| &producers[p].app.acked[i].send_id;
        let cache = &c.send_ids;
        for (tp, checked) in &mut self.partitions {
            let leader = c.leader(tp).filter(|&l| refresh_send_ids(c, l, tp));
            let Some(l) = leader else {
                // No running leader: its replicas' disks, read in full.
                let ids = held_send_ids(c, tp);
                checked.missing = (checked.records.iter().copied())
                    .filter(|&a| !ids.contains(send_id(a)))
                    .collect();
                checked.checked = checked.records.len();
                checked.against = None;
                continue;
            };
            let cache = cache.borrow();
            let held = cache.get(tp, l);
            let against = held.map(|h| Against {
                leader: l,
                generation: h.generation,
            });
            let has = |a: At| held.is_some_and(|h| h.ids.contains(send_id(a)));
            if against.is_none() || against != checked.against {
                checked.checked = 0;
                checked.missing.clear();
            }
            checked.missing.retain(|&a| !has(a));
            for &a in &checked.records[checked.checked..] {
                if !has(a) {
                    checked.missing.insert(a);
                }
            }
            checked.checked = checked.records.len();
            checked.against = against;
        }
        let mut all: Vec<At> = (self.partitions.values())
            .flat_map(|p| p.missing.iter().copied())
            .collect();
        all.sort_unstable();
        all
    }

    /// Each producer's lost records and newest fates, in
    /// [`Cluster::producers`] order.
    pub(crate) fn producer_records(&mut self, c: &Cluster) -> Vec<ProducerRecords> {
        let lost = self.lost(c);
        let mut out: Vec<ProducerRecords> = (self.producers.iter())
            .map(|s| ProducerRecords {
                lost: BTreeSet::new(),
                newest: s.newest.iter().map(|&(_, o)| o).collect(),
            })
            .collect();
        for (p, i) in lost {
            out[p].lost.insert(i);
        }
        out
    }
}

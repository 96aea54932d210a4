//! Per-virtual-second samples of the cluster for the page's rates and
//! charts: Kafka's broker meters (`MessagesInPerSec`, `BytesInPerSec`,
//! `FailedProduceRequestsPerSec`) as rates, records handed to consumers per
//! second, each consumer's `records-lag-max`, and each partition leader's
//! HW and LEO.
//!
//! Why a sampler and not the trace: the trace has no record counts, and
//! reading every broker once per virtual second is cheap while the trace
//! grows with every message. The sampler only reads the cluster (the trace
//! and every replay stay the same) and keeps bounded ring buffers
//! ([`SERIES_LEN`] samples), never every record.

use std::collections::{BTreeMap, VecDeque};

use broker::api::{BrokerId, IsolationLevel, TopicPartition};
use broker::query::{BrokerAnswer, BrokerQuery};
use broker::stats::BrokerTopicStats;

use kafkascope_view::charts::{Charts, Series as ChartSeries};

use crate::cluster::Cluster;

/// One sample per virtual second.
pub const SAMPLE_MS: u64 = 1000;
/// Samples kept (the newest): what the page's charts show.
pub const SERIES_LEN: usize = kafkascope_view::charts::CHART_LEN;
/// Partitions with an HW/LEO series (the first by name), so a cluster with
/// thousands of partitions does not grow every view.
pub const CHART_PARTITIONS: usize = 64;
/// Kafka's `metrics.sample.window.ms` default: `records-lag-max` is the
/// largest lag seen in this window.
pub const LAG_WINDOW_MS: u64 = 30_000;

/// A keyed series aligned with the sampler's times (`None`: no value then).
pub type Series = VecDeque<Option<i64>>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sampler {
    /// Time of the next sample: the next whole virtual second.
    next_at: u64,
    /// Each broker's meters at the previous sample, this process's life.
    brokers: BTreeMap<BrokerId, BrokerTopicStats>,
    /// Each consumer's count of consumed records at the previous sample.
    consumed_before: BTreeMap<String, u64>,
    /// Sample times, virtual ms (each the end of its second).
    pub t: VecDeque<u64>,
    /// Records/s appended by Produce requests, all brokers.
    pub messages_in: VecDeque<u64>,
    /// Bytes/s of those appends.
    pub bytes_in: VecDeque<u64>,
    /// Failed partition appends per second.
    pub failed_produce: VecDeque<u64>,
    /// Records/s returned to consumers' applications.
    pub consumed: VecDeque<u64>,
    /// Per consumer: its largest partition lag (HW, or LSO under
    /// `read_committed`, minus its position) at each sample.
    pub lag: BTreeMap<String, Series>,
    /// Per partition: the leader's HW and LEO at each sample.
    pub hw: BTreeMap<TopicPartition, Series>,
    pub leo: BTreeMap<TopicPartition, Series>,
}

/// A counter's growth since `before`; a counter that went down started
/// again from zero (a restarted process), so all of it is new.
pub fn growth(now: u64, before: u64) -> u64 {
    if now >= before {
        now - before
    } else {
        now
    }
}

/// Pushes `value` for `key`, padding a new series with `None` so it lines
/// up with the `len - 1` earlier samples.
fn push_keyed<K: Ord + Clone>(
    map: &mut BTreeMap<K, Series>,
    values: &BTreeMap<K, i64>,
    len: usize,
) {
    for (k, v) in values {
        map.entry(k.clone())
            .or_insert_with(|| std::iter::repeat_n(None, len - 1).collect())
            .push_back(Some(*v));
    }
    for (k, s) in map.iter_mut() {
        if !values.contains_key(k) {
            s.push_back(None);
        }
    }
}

impl Sampler {
    /// A sampler whose first sample is at the next whole second after `now`.
    pub fn new(now: u64) -> Sampler {
        Sampler {
            next_at: (now / SAMPLE_MS + 1) * SAMPLE_MS,
            ..Sampler::default()
        }
    }

    /// A sample is due before an event at `t`: a whole second `B < t`
    /// has not been sampled. Sample `B` is the state after every event at
    /// or before `B`, whichever way the run got there (steps, one long
    /// tick or many short ones), so replays see the same samples.
    pub fn due(&self, t: u64) -> bool {
        self.next_at < t
    }

    /// Broker `b` restarted: a new process whose meters start at zero.
    pub fn restarted(&mut self, b: BrokerId) {
        self.brokers.remove(&b);
    }

    /// Takes the samples due before time `t` (see [`Sampler::due`]).
    /// The first holds everything since the previous sample; whole seconds
    /// after it passed without an event, so their rates are zero.
    pub fn sample(&mut self, c: &Cluster, t: u64) {
        if !self.due(t) {
            return;
        }
        let last = (t - 1) / SAMPLE_MS * SAMPLE_MS;
        let seconds = (last - self.next_at) / SAMPLE_MS + 1;

        let mut grown = BrokerTopicStats::default();
        for b in 0..c.brokers() as BrokerId {
            if !c.broker_up(b) {
                continue;
            }
            let Some(s) = c.broker_stats(b) else {
                continue;
            };
            let before = self.brokers.insert(b, s).unwrap_or_default();
            grown.messages_in += growth(s.messages_in, before.messages_in);
            grown.bytes_in += growth(s.bytes_in, before.bytes_in);
            grown.failed_produce_requests +=
                growth(s.failed_produce_requests, before.failed_produce_requests);
        }
        let mut consumed = 0;
        let mut lags = BTreeMap::new();
        for n in c.consumer_nodes() {
            let count = n.consumer.consumed().len() as u64;
            let before = self
                .consumed_before
                .insert(n.name.clone(), count)
                .unwrap_or(0);
            consumed += growth(count, before);
            if let Some(lag) = consumer_lag(n) {
                lags.insert(n.name.clone(), lag);
            }
        }
        let mut hws = BTreeMap::new();
        let mut leos = BTreeMap::new();
        for tp in c.all_partitions().into_iter().take(CHART_PARTITIONS) {
            if let Some((_, leo, hw)) = c
                .leader(&tp)
                .and_then(|l| c.broker_up(l).then(|| c.replica_offsets(l, &tp)).flatten())
            {
                hws.insert(tp.clone(), hw);
                leos.insert(tp, leo);
            }
        }

        // A long quiet stretch: only the newest SERIES_LEN seconds matter.
        let skip = seconds.saturating_sub(SERIES_LEN as u64);
        for i in skip..seconds {
            let first = i == 0;
            let rate = |v: u64| if first { v } else { 0 };
            self.t.push_back(self.next_at + i * SAMPLE_MS);
            self.messages_in.push_back(rate(grown.messages_in));
            self.bytes_in.push_back(rate(grown.bytes_in));
            self.failed_produce
                .push_back(rate(grown.failed_produce_requests));
            self.consumed.push_back(rate(consumed));
            let len = self.t.len();
            push_keyed(&mut self.lag, &lags, len);
            push_keyed(&mut self.hw, &hws, len);
            push_keyed(&mut self.leo, &leos, len);
            if len > SERIES_LEN {
                self.pop_oldest();
            }
        }
        self.next_at = last + SAMPLE_MS;
    }

    fn pop_oldest(&mut self) {
        self.t.pop_front();
        self.messages_in.pop_front();
        self.bytes_in.pop_front();
        self.failed_produce.pop_front();
        self.consumed.pop_front();
        fn pop<K: Ord>(m: &mut BTreeMap<K, Series>) {
            for s in m.values_mut() {
                s.pop_front();
            }
            m.retain(|_, s| s.iter().any(Option::is_some));
        }
        pop(&mut self.hw);
        pop(&mut self.leo);
        pop(&mut self.lag);
    }

    /// `records-lag-max` of consumer `name`: the largest lag among its
    /// samples of the last [`LAG_WINDOW_MS`] and `now_lag` (the lag now).
    pub fn lag_max(&self, name: &str, now: u64, now_lag: Option<i64>) -> Option<i64> {
        let from = now.saturating_sub(LAG_WINDOW_MS);
        let sampled = self.lag.get(name).into_iter().flat_map(|s| {
            s.iter()
                .zip(&self.t)
                .filter(move |(_, &t)| t >= from)
                .filter_map(|(v, _)| *v)
        });
        sampled.chain(now_lag).max()
    }
}

impl Cluster {
    /// Broker `b`'s meters (counts since its process started), if it is up.
    pub fn broker_stats(&self, b: BrokerId) -> Option<BrokerTopicStats> {
        match self.query(b, &BrokerQuery::Stats)? {
            BrokerAnswer::Stats(s) => Some(s),
            other => self.wrong_answer(b, "Stats", other),
        }
    }
}

impl Sampler {
    /// The samples as the page's charts.
    pub fn charts(&self) -> Charts {
        fn lines<K: ToString>(m: &BTreeMap<K, Series>) -> Vec<ChartSeries> {
            m.iter()
                .map(|(k, v)| ChartSeries {
                    key: k.to_string(),
                    values: v.iter().copied().collect(),
                })
                .collect()
        }
        Charts {
            t: self.t.iter().copied().collect(),
            messages_in: self.messages_in.iter().copied().collect(),
            bytes_in: self.bytes_in.iter().copied().collect(),
            failed_produce: self.failed_produce.iter().copied().collect(),
            consumed: self.consumed.iter().copied().collect(),
            lag: lines(&self.lag),
            hw: lines(&self.hw),
            leo: lines(&self.leo),
        }
    }

    /// Kafka's rate metrics over the last sampled virtual second: the
    /// broker meters (all brokers) and each consumer's `records-lag-max`
    /// (`client-id=...`, as in its MBean name).
    pub fn metrics(&self, c: &Cluster) -> Vec<(String, i64)> {
        let last = |v: &VecDeque<u64>| v.back().copied().unwrap_or(0) as i64;
        let mut out = vec![
            ("MessagesInPerSec".to_string(), last(&self.messages_in)),
            ("BytesInPerSec".to_string(), last(&self.bytes_in)),
            (
                "FailedProduceRequestsPerSec".to_string(),
                last(&self.failed_produce),
            ),
        ];
        let now = c.sim.now();
        for n in c.consumer_nodes() {
            if let Some(v) = self.lag_max(&n.name, now, consumer_lag(n)) {
                out.push((format!("records-lag-max client-id={}", n.name), v));
            }
        }
        out
    }
}

/// A consumer's largest partition lag now, as its fetcher computes
/// `records-lag`: the HW (LSO under `read_committed`) from the last fetch
/// response minus the position. `None` before any fetch answered.
pub fn consumer_lag(n: &crate::consumer_node::ConsumerNode) -> Option<i64> {
    let positions = n.consumer.positions();
    let committed = n.config.isolation_level == IsolationLevel::ReadCommitted;
    n.consumer
        .fetched_watermarks()
        .iter()
        .filter_map(|(tp, &(hw, lso, _))| {
            let end = if committed && lso >= 0 { lso } else { hw };
            positions.get(tp).map(|p| (end - p).max(0))
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    #[test]
    fn restarted_counters_count_from_zero() {
        assert_eq!(growth(10, 4), 6);
        // A restarted broker's meter starts again at 0: 3 is all new.
        assert_eq!(growth(3, 40), 3);
    }

    #[test]
    fn keyed_series_line_up_with_the_sample_times() {
        let mut m: BTreeMap<&str, Series> = BTreeMap::new();
        push_keyed(&mut m, &BTreeMap::from([("a", 1)]), 1);
        push_keyed(&mut m, &BTreeMap::from([("b", 2)]), 2);
        assert_eq!(m["a"], [Some(1), None]);
        assert_eq!(m["b"], [None, Some(2)]);
    }

    fn session(script: &str) -> Session {
        let mut s = Session::new(5);
        let out = s.submit(script).unwrap();
        assert!(
            !out.lines.iter().any(|l| l.starts_with("ERROR")),
            "{:?}",
            out.lines
        );
        s
    }

    const START: &str = "cluster brokers=3\n\
        topic create t partitions=2 replication-factor=3\n\
        producer p acks=all linger.ms=0\n";

    #[test]
    fn messages_and_bytes_in_are_per_virtual_second() {
        let s = session(&format!(
            "{START}tick 3000\nsend p t value=v{{i}} count=40\nflush p\ntick 3000\n"
        ));
        let sm = s.cluster().unwrap().sampler.as_ref().unwrap();
        assert_eq!(sm.t.len(), sm.messages_in.len());
        assert!(sm.t.iter().all(|t| t % SAMPLE_MS == 0), "{:?}", sm.t);
        // Every record appended exactly once, in whole seconds.
        let total: u64 = sm.messages_in.iter().sum();
        assert_eq!(total, 40, "{:?}", sm.messages_in);
        let bytes: u64 = sm.bytes_in.iter().sum();
        assert!(bytes > 40 * 2, "{bytes}");
        assert_eq!(sm.failed_produce.iter().sum::<u64>(), 0);
        // Both partitions charted, the leader's HW caught up with its LEO.
        let tp = TopicPartition::new("t", 0);
        let (hw, leo) = (sm.hw[&tp].back().unwrap(), sm.leo[&tp].back().unwrap());
        assert_eq!(hw, leo);
        let both: i64 = [0, 1]
            .iter()
            .map(|&p| {
                sm.leo[&TopicPartition::new("t", p)]
                    .back()
                    .unwrap()
                    .unwrap()
            })
            .sum();
        assert_eq!(both, 40);
    }

    #[test]
    fn failed_produce_requests_count_not_enough_replicas() {
        let s = session(
            "cluster brokers=2\n\
             topic create t partitions=1 replication-factor=2 assignment=0:1 min.insync.replicas=2\n\
             producer p acks=all retries=0 delivery.timeout.ms=2000 request.timeout.ms=1000 linger.ms=0 enable.idempotence=false\n\
             crash 1\n\
             tick 40000\n\
             send p t value=x count=3\n\
             tick 3000\n",
        );
        let sm = s.cluster().unwrap().sampler.as_ref().unwrap();
        assert!(
            sm.failed_produce.iter().sum::<u64>() >= 1,
            "{:?}",
            sm.failed_produce
        );
        assert_eq!(sm.messages_in.iter().sum::<u64>(), 0);
    }

    #[test]
    fn consumer_lag_and_consumed_records() {
        let s = session(&format!(
            "{START}send p t value=v{{i}} count=30\nflush p\n\
             consumer c group=g auto.offset.reset=earliest\nsubscribe c t\n\
             poll c timeout=10000\npoll c timeout=2000\ntick 3000\n"
        ));
        let c = s.cluster().unwrap();
        let sm = c.sampler.as_ref().unwrap();
        assert_eq!(sm.consumed.iter().sum::<u64>(), 30, "{:?}", sm.consumed);
        // Caught up: no lag now.
        assert_eq!(sm.lag["c"].back().copied().flatten(), Some(0));
        let n = c.consumer_nodes().next().unwrap();
        assert_eq!(consumer_lag(n), Some(0));
    }

    #[test]
    fn the_ring_buffers_stay_bounded() {
        let s = session(&format!("{START}tick 200000\n"));
        let sm = s.cluster().unwrap().sampler.as_ref().unwrap();
        assert_eq!(sm.t.len(), SERIES_LEN);
        assert!(sm.hw.values().all(|v| v.len() == SERIES_LEN));
        assert_eq!(*sm.t.back().unwrap(), 200_000 / SAMPLE_MS * SAMPLE_MS);
    }

    #[test]
    fn live_short_ticks_and_a_replayed_long_one_take_the_same_samples() {
        let mut live = session(START);
        live.submit("send p t value=v{i} count=25\n").unwrap();
        for _ in 0..17 {
            live.tick(250).unwrap();
        }
        live.submit("send p t value=w{i} count=5\n").unwrap();
        for _ in 0..5 {
            live.step(7).unwrap();
        }
        live.tick(2000).unwrap();
        let (replayed, _) = Session::replay(5, &live.script(), None).unwrap();
        let (a, b) = (live.cluster().unwrap(), replayed.cluster().unwrap());
        assert_eq!(a.sampler, b.sampler);
        assert_eq!(
            a.sampler.as_ref().unwrap().messages_in.iter().sum::<u64>(),
            30
        );
    }

    #[test]
    fn the_view_has_the_rates_lag_max_and_the_charts() {
        let mut s = session(START);
        s.submit("send p t value=v{i} count=12\nflush p\ntick 1500\n")
            .unwrap();
        let v = s.view();
        assert_eq!(v.charts.messages_in.iter().sum::<u64>(), 12);
        assert_eq!(
            v.metric("MessagesInPerSec"),
            v.charts.messages_in.last().map(|&x| x as i64)
        );
        let (hw, leo) = v.charts.hw_leo("t-0").unwrap();
        assert_eq!(hw.values.len(), v.charts.t.len());
        assert_eq!(hw.last(), leo.last());
        s.submit("consumer c group=g auto.offset.reset=earliest\nsubscribe c t\ntick 5000\n")
            .unwrap();
        let v = s.view();
        // Fetched, not yet polled: the position has not moved.
        assert_eq!(v.metric("MessagesInPerSec"), Some(0));
        // The largest partition's HW: nothing of it consumed.
        let most = v
            .partitions
            .iter()
            .filter_map(|p| p.replicas.first())
            .map(|r| r.hw)
            .max();
        assert!(most > Some(0));
        assert_eq!(v.metric("records-lag-max client-id=c"), most);
        let lag = v.charts.lag.iter().find(|l| l.key == "c").unwrap();
        assert_eq!(lag.last(), most);
        s.submit("poll c timeout=5000\npoll c timeout=5000\ntick 1000\n")
            .unwrap();
        let v = s.view();
        assert_eq!(v.charts.consumed.iter().sum::<u64>(), 12);
        // Caught up now, but the window still holds the earlier lag.
        let lag = v.charts.lag.iter().find(|l| l.key == "c").unwrap();
        assert_eq!(lag.last(), Some(0));
        assert_eq!(v.metric("records-lag-max client-id=c"), most);
    }
}

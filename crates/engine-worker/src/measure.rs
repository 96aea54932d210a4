//! A live measurement ([`Request::Measure`]): the benchmark cluster of
//! issue 9 run live in broker workers, measured on the engine's clock.
//!
//! 1. **Latency** first, on an idle cluster: producer `lat` (`linger.ms=0`)
//!    sends one record; the consumer `c`, its application always in
//!    `poll()`, gets it; the time between the `send()` call and the pump
//!    that sees the consumer hold it is one sample (Kafka's
//!    `EndToEndLatency` tool does the same). Then the next record.
//! 2. **Throughput**: producer `p` (`batch.size`, `linger.ms` as a Kafka
//!    benchmark sets them) sends one record to learn the topic's metadata,
//!    then is handed every record at once (`Producer::send_many`: the
//!    sender runs once after the appends); the figure is records / (time
//!    of the last acknowledgement - time of the first `send()`).
//!
//! Times come from the caller (`performance.now()` in the worker, in µs
//! here), so this module stays pure and testable natively.
//!
//! [`Request::Measure`]: kafkascope_view::engine::Request::Measure

use cluster::cluster::Cluster;
use cluster::producer::ProducerRecord;
use kafkascope_view::engine::{MeasureReport, MeasureSpec};

/// The benchmark cluster: 3 brokers, 3 partitions with RF=3 (one leader
/// per broker), `acks=all` producers, a consumer of every partition.
pub const SETUP: &str = "cluster brokers=3\n\
topic create bench partitions=3 replication-factor=3 assignment=0:1:2,1:2:0,2:0:1\n\
producer lat acks=all linger.ms=0\n\
producer p acks=all linger.ms=5 batch.size=262144 buffer.memory=134217728\n\
consumer c group=bench auto.offset.reset=latest\n\
subscribe c bench\n\
run until assignment bench c == bench-0,bench-1,bench-2 timeout=60000\n";

/// What the report says about the producers.
const SETUP_NOTE: &str = "3 brokers, topic bench: 3 partitions, RF=3; \
latency: producer lat acks=all linger.ms=0, one record at a time, consumer c in poll(); \
throughput: producer p acks=all linger.ms=5 batch.size=262144";

/// How long the application's `poll()` waits (it is called again at once).
const POLL_MS: u64 = 60_000;
/// A sample or a run that takes longer than this (µs) is given up.
const GIVE_UP_US: f64 = 120_000_000.0;

enum Phase {
    Latency {
        /// When the record in flight was sent, and the consumer's count
        /// of records before it.
        sent: Option<(f64, usize)>,
    },
    /// One record through `p` first, so it has its metadata (records
    /// sent before wait for it, and the timed run would measure that).
    Warm {
        sent: f64,
        acked_before: usize,
    },
    Throughput {
        started: f64,
        acked_before: usize,
        steps_before: u64,
    },
    Done,
}

pub struct Measure {
    spec: MeasureSpec,
    phase: Phase,
    latencies_us: Vec<f64>,
    report: MeasureReport,
}

impl Measure {
    pub fn new(spec: MeasureSpec) -> Measure {
        Measure {
            report: MeasureReport {
                spec: Some(spec.clone()),
                setup: SETUP_NOTE.into(),
                ..MeasureReport::default()
            },
            spec,
            phase: Phase::Latency { sent: None },
            latencies_us: Vec::new(),
        }
    }

    pub fn report(&self) -> &MeasureReport {
        &self.report
    }

    pub fn done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    fn fail(&mut self, why: String) {
        self.report.problem = Some(why);
        self.report.done = true;
        self.phase = Phase::Done;
    }

    fn value(&self, i: u64) -> Vec<u8> {
        let mut v = format!("m{i:012}").into_bytes();
        v.resize(self.spec.value_bytes as usize, b'.');
        v
    }

    fn record(&self, i: u64) -> ProducerRecord {
        ProducerRecord {
            topic: "bench".into(),
            partition: None,
            key: None,
            value: Some(self.value(i)),
            headers: Vec::new(),
        }
    }

    fn send(&mut self, c: &mut Cluster, producer: &str, i: u64) -> Result<(), String> {
        let record = self.record(i);
        match c.with_producer(producer, |p, now, out| p.send(now, record, out)) {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(format!("producer {producer}: {e}")),
            None => Err(format!("producer {producer} is not running")),
        }
    }

    /// Moves the measurement on at time `now_us`, after the cluster took
    /// in what the brokers finished. Returns true while it runs.
    pub fn on_pump(&mut self, c: &mut Cluster, now_us: f64) -> bool {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Done => return false,
            Phase::Latency { sent } => {
                let Some(consumer) = c.consumer("c") else {
                    self.fail("the benchmark's consumer c is gone".into());
                    return false;
                };
                let consumed = consumer.consumed().len();
                let polling = consumer.is_polling();
                if !polling {
                    if let Err(e) =
                        c.with_consumer("c", |n, now, out| n.start_poll(now, POLL_MS, out))
                    {
                        self.fail(e);
                        return false;
                    }
                }
                let sent = match sent {
                    Some((at, before)) if consumed > before => {
                        self.latencies_us.push(now_us - at);
                        self.update_latency();
                        None
                    }
                    Some((at, _)) if now_us - at > GIVE_UP_US => {
                        self.fail(format!(
                            "a record sent by lat was not consumed within {} s",
                            GIVE_UP_US / 1e6
                        ));
                        return false;
                    }
                    other => other,
                };
                if sent.is_none() && self.latencies_us.len() as u32 >= self.spec.samples {
                    let acked_before = c.producer("p").map_or(0, |p| p.app.acked.len());
                    if let Err(e) = self.send(c, "p", u64::MAX) {
                        self.fail(e);
                        return false;
                    }
                    self.phase = Phase::Warm {
                        sent: now_us,
                        acked_before,
                    };
                    return true;
                }
                let sent = match sent {
                    Some(s) => s,
                    None => {
                        let i = self.latencies_us.len() as u64;
                        if let Err(e) = self.send(c, "lat", i) {
                            self.fail(e);
                            return false;
                        }
                        (now_us, consumed)
                    }
                };
                self.phase = Phase::Latency { sent: Some(sent) };
            }
            Phase::Warm { sent, acked_before } => {
                let acked = c.producer("p").map_or(0, |p| p.app.acked.len());
                if acked <= acked_before {
                    if now_us - sent > GIVE_UP_US {
                        self.fail("producer p's first record was not acknowledged".into());
                        return false;
                    }
                    self.phase = Phase::Warm { sent, acked_before };
                    return true;
                }
                let records: Vec<ProducerRecord> = (0..self.spec.records as u64)
                    .map(|i| self.record(i))
                    .collect();
                match c.with_producer("p", |p, now, out| p.send_many(now, records, out)) {
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        self.fail(format!("producer p: {e}"));
                        return false;
                    }
                    None => {
                        self.fail("producer p is not running".into());
                        return false;
                    }
                }
                self.phase = Phase::Throughput {
                    started: now_us,
                    acked_before: acked,
                    steps_before: c.sim.stats().steps(),
                };
            }
            Phase::Throughput {
                started,
                acked_before,
                steps_before,
            } => {
                self.report.events = c.sim.stats().steps() - steps_before;
                let Some(p) = c.producer("p") else {
                    self.fail("the benchmark's producer p is gone".into());
                    return false;
                };
                let acked = p.app.acked.len().saturating_sub(acked_before);
                let failed = p.app.failed.len();
                self.report.acked = acked as u32;
                if failed > 0 {
                    let first = p.app.failed[0].error.clone();
                    self.fail(format!("{failed} records failed: {first}"));
                    return false;
                }
                let elapsed = now_us - started;
                if acked >= self.spec.records as usize {
                    self.report.elapsed_us = Some(elapsed as u64);
                    self.report.records_per_s =
                        Some((acked as f64 / (elapsed.max(1.0) / 1e6)) as u64);
                    self.report.done = true;
                    return false;
                }
                if elapsed > GIVE_UP_US {
                    self.fail(format!(
                        "only {acked} of {} records acknowledged in {} s",
                        self.spec.records,
                        GIVE_UP_US / 1e6
                    ));
                    return false;
                }
                self.phase = Phase::Throughput {
                    started,
                    acked_before,
                    steps_before,
                };
            }
        }
        true
    }

    /// The engine spent `us` in a live turn (counted in the throughput run).
    pub fn busy(&mut self, us: f64) {
        if matches!(self.phase, Phase::Throughput { .. }) {
            self.report.engine_busy_us += us as u64;
        }
    }

    fn update_latency(&mut self) {
        let mut v = self.latencies_us.clone();
        v.sort_by(f64::total_cmp);
        let pick = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize] as u64;
        self.report.samples = v.len() as u32;
        self.report.p50_us = Some(pick(0.5));
        self.report.p99_us = Some(pick(0.99));
    }
}

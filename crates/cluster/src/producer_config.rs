//! The producer's settings by Kafka's names and defaults.

use protocol::Compression;

/// `partitioner.class`: the built-in partitioner (null, or the deprecated
/// `DefaultPartitioner`, which behaves the same here), or one of Kafka's
/// two others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partitioner {
    /// murmur2 of the key; sticky without a key (or with `partitioner.ignore.keys`).
    BuiltIn,
    /// `RoundRobinPartitioner`: each record the next partition, keys ignored.
    RoundRobin,
    /// `UniformStickyPartitioner`: sticky, keys ignored.
    UniformSticky,
}

/// `ProducerConfig`, the subset this producer implements. Everything else is
/// refused by name before a run starts (never silently ignored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerConfig {
    /// 0, 1 or -1 (`all`).
    pub acks: i16,
    pub linger_ms: u64,
    pub batch_size: usize,
    pub retries: u32,
    pub retry_backoff_ms: u64,
    pub request_timeout_ms: u64,
    pub delivery_timeout_ms: u64,
    pub max_in_flight: usize,
    /// How long `send` may wait for the topic's metadata (`max.block.ms`).
    pub max_block_ms: u64,
    pub metadata_max_age_ms: u64,
    /// `enable.idempotence` as written; `None` when not set (Kafka 3's
    /// default `true`, quietly off when other settings conflict).
    pub enable_idempotence: Option<bool>,
    pub transactional_id: Option<String>,
    pub transaction_timeout_ms: u64,
    pub compression: Compression,
    /// Largest record (serialized) `send` accepts (`max.request.size`).
    pub max_request_size: usize,
    /// Bytes for batches not yet acknowledged; each batch takes
    /// `batch.size` (or its size if bigger), as Kafka's `BufferPool`.
    pub buffer_memory: u64,
    pub partitioner: Partitioner,
    pub partitioner_ignore_keys: bool,
    /// `delivery.timeout.ms` was written (Kafka then refuses a value below
    /// `linger.ms + request.timeout.ms` instead of raising it).
    pub delivery_timeout_explicit: bool,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: -1,
            linger_ms: 0,
            batch_size: 16_384,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
            delivery_timeout_ms: 120_000,
            max_in_flight: 5,
            max_block_ms: 60_000,
            metadata_max_age_ms: 300_000,
            enable_idempotence: None,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            compression: Compression::None,
            max_request_size: 1_048_576,
            buffer_memory: 33_554_432,
            partitioner: Partitioner::BuiltIn,
            partitioner_ignore_keys: false,
            delivery_timeout_explicit: false,
        }
    }
}

impl ProducerConfig {
    /// Whether the producer is idempotent, as Kafka 3's
    /// `postProcessAndValidateIdempotenceConfigs` decides: on by default,
    /// off when `retries=0`, `acks` other than `all` or more than 5 requests
    /// in flight were set without asking for idempotence.
    pub fn idempotent(&self) -> bool {
        match self.enable_idempotence {
            Some(v) => v,
            None => self.acks == -1 && self.retries > 0 && self.max_in_flight <= 5,
        }
    }

    /// Kafka's `ConfigException`s for settings that contradict each other
    /// (checked once every setting is applied). A `delivery.timeout.ms`
    /// left at its default below `linger.ms + request.timeout.ms` is raised
    /// to that sum, as `KafkaProducer.configureDeliveryTimeout` does.
    pub fn validate(&mut self) -> Result<(), String> {
        let floor = self.linger_ms + self.request_timeout_ms;
        if self.delivery_timeout_ms < floor {
            if self.delivery_timeout_explicit {
                return Err(
                    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
                        .into(),
                );
            }
            self.delivery_timeout_ms = floor;
        }
        if self.enable_idempotence == Some(true) {
            if self.retries == 0 {
                return Err(
                    "Must set retries to non-zero when using the idempotent producer.".into(),
                );
            }
            if self.acks != -1 {
                return Err(
                    "Must set acks to all in order to use the idempotent producer. \
                     Otherwise we cannot guarantee idempotence."
                        .into(),
                );
            }
            if self.max_in_flight > 5 {
                return Err(
                    "Must set max.in.flight.requests.per.connection to at most 5 \
                     to use the idempotent producer."
                        .into(),
                );
            }
        }
        if self.transactional_id.is_some() && !self.idempotent() {
            return Err("Cannot set a transactional.id without also enabling idempotence.".into());
        }
        Ok(())
    }

    /// Every setting by Kafka's name with the value in effect (after
    /// [`ProducerConfig::validate`]: `enable.idempotence` as decided,
    /// `delivery.timeout.ms` as raised), for the page.
    pub fn effective(&self) -> Vec<(&'static str, String)> {
        let partitioner = match self.partitioner {
            Partitioner::BuiltIn => "null",
            Partitioner::RoundRobin => "org.apache.kafka.clients.producer.RoundRobinPartitioner",
            Partitioner::UniformSticky => {
                "org.apache.kafka.clients.producer.UniformStickyPartitioner"
            }
        };
        vec![
            (
                "acks",
                if self.acks == -1 {
                    "all".into()
                } else {
                    self.acks.to_string()
                },
            ),
            ("enable.idempotence", self.idempotent().to_string()),
            ("linger.ms", self.linger_ms.to_string()),
            ("batch.size", self.batch_size.to_string()),
            ("buffer.memory", self.buffer_memory.to_string()),
            ("compression.type", self.compression.name().into()),
            (
                "max.in.flight.requests.per.connection",
                self.max_in_flight.to_string(),
            ),
            ("retries", self.retries.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("delivery.timeout.ms", self.delivery_timeout_ms.to_string()),
            ("max.block.ms", self.max_block_ms.to_string()),
            ("max.request.size", self.max_request_size.to_string()),
            ("partitioner.class", partitioner.into()),
            (
                "partitioner.ignore.keys",
                self.partitioner_ignore_keys.to_string(),
            ),
            (
                "transactional.id",
                self.transactional_id
                    .clone()
                    .unwrap_or_else(|| "null".into()),
            ),
            (
                "transaction.timeout.ms",
                self.transaction_timeout_ms.to_string(),
            ),
            ("metadata.max.age.ms", self.metadata_max_age_ms.to_string()),
        ]
    }

    /// Applies one `name=value`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        fn num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name}={v} is not valid: expected a number"))
        }
        match name {
            "acks" => {
                self.acks = match value {
                    "0" => 0,
                    "1" => 1,
                    "-1" | "all" => -1,
                    _ => return Err(format!("acks={value} is not valid: expected one of 0, 1, -1, all")),
                }
            }
            "linger.ms" => self.linger_ms = num(name, value)?,
            "batch.size" => self.batch_size = num(name, value)?,
            "retries" => self.retries = num(name, value)?,
            "retry.backoff.ms" => self.retry_backoff_ms = num(name, value)?,
            "request.timeout.ms" => self.request_timeout_ms = num(name, value)?,
            "delivery.timeout.ms" => {
                self.delivery_timeout_ms = num(name, value)?;
                self.delivery_timeout_explicit = true;
            }
            "max.in.flight.requests.per.connection" => {
                self.max_in_flight = num(name, value)?;
                if self.max_in_flight == 0 {
                    return Err(format!("{name}={value} is not valid: expected at least 1"));
                }
            }
            "max.block.ms" => self.max_block_ms = num(name, value)?,
            "metadata.max.age.ms" => self.metadata_max_age_ms = num(name, value)?,
            "enable.idempotence" => match value {
                "true" => self.enable_idempotence = Some(true),
                "false" => self.enable_idempotence = Some(false),
                _ => return Err(format!("{name}={value} is not valid: expected true or false")),
            },
            "transactional.id" => {
                if value.is_empty() {
                    return Err("transactional.id must not be empty".into());
                }
                self.transactional_id = Some(value.to_string())
            }
            "transaction.timeout.ms" => self.transaction_timeout_ms = num(name, value)?,
            "compression.type" => {
                self.compression = Compression::from_name(value).ok_or_else(|| {
                    format!("compression.type={value} is not valid: expected one of none, gzip, snappy, lz4, zstd")
                })?
            }
            "max.request.size" => self.max_request_size = num(name, value)?,
            "buffer.memory" => self.buffer_memory = num(name, value)?,
            "partitioner.class" => {
                self.partitioner = match value.rsplit('.').next().unwrap_or(value) {
                    "RoundRobinPartitioner" => Partitioner::RoundRobin,
                    "UniformStickyPartitioner" => Partitioner::UniformSticky,
                    "DefaultPartitioner" | "null" => Partitioner::BuiltIn,
                    _ => return Err(format!(
                        "partitioner.class={value} is not valid: expected one of org.apache.kafka.clients.producer.RoundRobinPartitioner, org.apache.kafka.clients.producer.UniformStickyPartitioner, org.apache.kafka.clients.producer.internals.DefaultPartitioner"
                    )),
                }
            }
            "partitioner.ignore.keys" => match value {
                "true" => self.partitioner_ignore_keys = true,
                "false" => self.partitioner_ignore_keys = false,
                _ => return Err(format!("{name}={value} is not valid: expected true or false")),
            },
            "client.id" => {}
            _ => {
                return Err(format!(
                    "unknown producer config {name}"
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_reads_back_and_shows_derived_values() {
        let mut c = ProducerConfig::default();
        c.set("acks", "1").unwrap();
        c.set("linger.ms", "50").unwrap();
        c.validate().unwrap();
        let e = c.effective();
        let get = |n: &str| e.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("acks"), Some("1"));
        // acks=1 without asking for idempotence turns it off (Kafka 3).
        assert_eq!(get("enable.idempotence"), Some("false"));
        assert_eq!(get("linger.ms"), Some("50"));
        assert_eq!(get("partitioner.class"), Some("null"));
        // Every value but the derived ones reads back through set().
        let mut again = ProducerConfig::default();
        for (n, v) in &e {
            if !matches!(*n, "enable.idempotence" | "delivery.timeout.ms") && v != "null" {
                again.set(n, v).unwrap();
            }
        }
        assert_eq!(again, c);
        // Each name is one the scenario language knows for a producer.
        for (n, _) in &e {
            assert!(
                scenario::config::lookup(scenario::config::Scope::Producer, n).is_some(),
                "{n}"
            );
        }
    }
}

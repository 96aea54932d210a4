//! The producer's settings by Kafka's names and defaults.

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
        }
    }
}

impl ProducerConfig {
    /// Applies one `name=value`. The producer is not idempotent (Kafka
    /// 2.x's default): `enable.idempotence=true` is refused rather than
    /// quietly run without sequence numbers.
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
            "delivery.timeout.ms" => self.delivery_timeout_ms = num(name, value)?,
            "max.in.flight.requests.per.connection" => {
                self.max_in_flight = num(name, value)?;
                if self.max_in_flight == 0 {
                    return Err(format!("{name}={value} is not valid: expected at least 1"));
                }
            }
            "max.block.ms" => self.max_block_ms = num(name, value)?,
            "metadata.max.age.ms" => self.metadata_max_age_ms = num(name, value)?,
            "enable.idempotence" => match value {
                "false" => {}
                "true" => {
                    return Err("enable.idempotence=true is not supported yet: this producer is not idempotent \
                         (write enable.idempotence=false; idempotence arrives with the clients issue)"
                        .to_string())
                }
                _ => return Err(format!("{name}={value} is not valid: expected true or false")),
            },
            "compression.type" if value == "none" => {}
            "client.id" => {}
            _ => {
                return Err(format!(
                    "producer config {name} is not supported yet (the producer arrives in full with the clients issue)"
                ))
            }
        }
        Ok(())
    }
}

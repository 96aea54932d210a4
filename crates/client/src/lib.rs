//! kafkascope-client: Kafka's client-side logic, pure (no IO) so it runs
//! natively and in the browser: the consumer partition assignors and the
//! consumer.

pub mod assignor;
pub mod consumer;

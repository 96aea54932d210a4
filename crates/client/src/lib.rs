//! kafkascope-client: Kafka's client-side logic, pure (no IO) so it runs
//! natively and in the browser. For now: the consumer partition assignors.

pub mod assignor;

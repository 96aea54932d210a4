//! kafkascope-broker

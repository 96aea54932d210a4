//! kafkascope-client

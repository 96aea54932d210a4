//! kafkascope-worker

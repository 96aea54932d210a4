//! kafkascope-coordinator

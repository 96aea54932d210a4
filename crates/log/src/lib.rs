//! kafkascope-log

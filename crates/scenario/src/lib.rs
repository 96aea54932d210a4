//! kafkascope-scenario

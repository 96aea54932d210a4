//! kafkascope-sim

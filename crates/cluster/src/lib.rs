//! kafkascope-cluster

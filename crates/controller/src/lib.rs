//! kafkascope-controller

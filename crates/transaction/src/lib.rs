//! kafkascope-transaction

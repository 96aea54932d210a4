//! Scenario tests ported from Kafka's GroupCoordinatorTest,
//! GroupMetadataManagerTest and GroupMetadataTest, plus a property test.
//! The harness plays the broker: it runs timers, keeps the
//! `__consumer_offsets` log, and acknowledges appends.

mod harness;
mod heartbeat_leave;
mod join_sync;
mod load;
mod offsets;
mod property;
mod static_members;
mod txn;

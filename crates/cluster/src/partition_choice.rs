//! Why the producer's partitioner chose a record's partition, kept per
//! record (the newest [`CHOICES_KEPT`]) so the page can say it: an explicit
//! partition, murmur2 of the key with the hash value, the sticky partition
//! of a record without a key, or the round-robin counter.

use std::collections::VecDeque;

use broker::api::TopicPartition;

/// Choices a producer keeps (the newest); the page lists a dozen.
pub const CHOICES_KEPT: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionReason {
    /// The application gave `partition=`.
    Explicit,
    /// `Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions`: `hash`
    /// is murmur2's (signed) value.
    Murmur2 { hash: i32, partitions: i32 },
    /// The topic's sticky partition: the record has no key, or keys are
    /// ignored (`partitioner.ignore.keys`, `UniformStickyPartitioner`).
    /// `new`: picked for this record at random among the partitions with a
    /// leader (the previous sticky batch was sent).
    Sticky { new: bool, keys_ignored: bool },
    /// `RoundRobinPartitioner`: the topic's counter before this record,
    /// over the partitions with a leader.
    RoundRobin { counter: i32, available: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionChoice {
    pub send_id: String,
    pub tp: TopicPartition,
    /// The key as text (lossy UTF-8), if the record had one.
    pub key: Option<String>,
    pub reason: PartitionReason,
}

/// Keeps the newest choices.
pub fn remember(choices: &mut VecDeque<PartitionChoice>, choice: PartitionChoice) {
    if choices.len() == CHOICES_KEPT {
        choices.pop_front();
    }
    choices.push_back(choice);
}

//! The eager `StickyAssignor` cannot rely on `owned_partitions` (an eager
//! member revokes everything before joining), so each member sends its
//! previous assignment and generation in the subscription user data, in
//! Kafka's schema (big-endian, Kafka protocol types):
//!
//! ```text
//! V0: previous_assignment: [topic: STRING(int16 len + UTF-8), partitions: [INT32]]
//! V1: V0 fields, then generation: INT32
//! ```
//!
//! `StickyAssignor.serializeTopicPartitionAssignment` writes V1; reading
//! tries V1 and falls back to V0 (no generation).

use super::TopicPartition;
use std::collections::BTreeMap;
use std::fmt;

/// `AbstractStickyAssignor.MemberData`: what a member owned, and when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberData {
    pub partitions: Vec<TopicPartition>,
    pub generation: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDataError(pub String);

impl fmt::Display for UserDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed sticky assignor user data: {}", self.0)
    }
}

/// V1 when the generation is known, else V0 (Kafka has no V1 without one).
/// Partitions are grouped by topic (topics sorted, partitions in the given
/// order), as `CollectionUtils.groupPartitionsByTopic`.
pub fn serialize_topic_partition_assignment(data: &MemberData) -> Vec<u8> {
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for tp in &data.partitions {
        by_topic.entry(&tp.topic).or_default().push(tp.partition);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(by_topic.len() as i32).to_be_bytes());
    for (topic, partitions) in by_topic {
        out.extend_from_slice(&(topic.len() as i16).to_be_bytes());
        out.extend_from_slice(topic.as_bytes());
        out.extend_from_slice(&(partitions.len() as i32).to_be_bytes());
        for p in partitions {
            out.extend_from_slice(&p.to_be_bytes());
        }
    }
    if let Some(generation) = data.generation {
        out.extend_from_slice(&generation.to_be_bytes());
    }
    out
}

/// Reads V1, or V0 when the generation is missing.
pub fn deserialize_topic_partition_assignment(bytes: &[u8]) -> Result<MemberData, UserDataError> {
    let mut r = Reader { bytes, pos: 0 };
    let topics = r.array_len()?;
    let mut partitions = Vec::new();
    for _ in 0..topics {
        let topic = r.string()?;
        for _ in 0..r.array_len()? {
            partitions.push(TopicPartition::new(topic.clone(), r.i32()?));
        }
    }
    // V1 has exactly one more INT32; anything shorter is V0.
    let generation = if r.remaining() >= 4 {
        Some(r.i32()?)
    } else {
        None
    };
    Ok(MemberData {
        partitions,
        generation,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&[u8], UserDataError> {
        if self.remaining() < n {
            return Err(UserDataError(format!(
                "needed {n} bytes at offset {}, {} left",
                self.pos,
                self.remaining()
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn i32(&mut self) -> Result<i32, UserDataError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn array_len(&mut self) -> Result<usize, UserDataError> {
        let n = self.i32()?;
        // ArrayOf in these schemas is not nullable.
        usize::try_from(n).map_err(|_| UserDataError(format!("negative array length {n}")))
    }

    fn string(&mut self) -> Result<String, UserDataError> {
        let b = self.take(2)?;
        let n = i16::from_be_bytes([b[0], b[1]]);
        let n =
            usize::try_from(n).map_err(|_| UserDataError(format!("negative string length {n}")))?;
        let s = self.take(n)?;
        String::from_utf8(s.to_vec()).map_err(|_| UserDataError("topic is not UTF-8".into()))
    }
}

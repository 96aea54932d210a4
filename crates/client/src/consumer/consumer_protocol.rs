//! `ConsumerProtocol`: the bytes a consumer puts in JoinGroup's protocol
//! metadata (`ConsumerProtocolSubscription`) and the leader puts in
//! SyncGroup (`ConsumerProtocolAssignment`). Non-flexible Kafka schemas,
//! big-endian, each prefixed by an INT16 version:
//!
//! ```text
//! Subscription  v0: topics [STRING], user_data NULLABLE_BYTES
//!               v1: + owned_partitions [topic STRING, partitions [INT32]]
//!               v2: + generation_id INT32
//!               v3: + rack_id NULLABLE_STRING
//! Assignment    v0..v3: assigned_partitions [topic STRING, partitions [INT32]],
//!                       user_data NULLABLE_BYTES
//! ```
//!
//! STRING is INT16 length + UTF-8 (-1 = null for NULLABLE_STRING), BYTES
//! INT32 length (-1 = null), arrays INT32 count. A newer version than we
//! know is read as the newest we know (Kafka's forward compatibility).

use std::fmt;

use crate::assignor::{Assignment, Subscription, TopicPartition};

/// Kafka 3.5+ (`ConsumerProtocolSubscription` highest version).
pub const SUBSCRIPTION_VERSION: i16 = 3;
pub const ASSIGNMENT_VERSION: i16 = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed consumer protocol bytes: {}", self.0)
    }
}

pub fn encode_subscription(s: &Subscription, version: i16) -> Vec<u8> {
    let mut w = Vec::new();
    w.extend_from_slice(&version.to_be_bytes());
    put_i32(&mut w, s.topics.len() as i32);
    for t in &s.topics {
        put_string(&mut w, t);
    }
    put_nullable_bytes(&mut w, s.user_data.as_deref());
    if version >= 1 {
        put_topic_partitions(&mut w, &s.owned_partitions);
    }
    if version >= 2 {
        put_i32(&mut w, s.generation_id.unwrap_or(-1));
    }
    if version >= 3 {
        match &s.rack_id {
            None => w.extend_from_slice(&(-1i16).to_be_bytes()),
            Some(r) => put_string(&mut w, r),
        }
    }
    w
}

/// Decodes a member's metadata; `group_instance_id` comes from the
/// JoinGroup member entry, not from these bytes.
pub fn decode_subscription(bytes: &[u8]) -> Result<Subscription, ProtocolError> {
    let mut r = Reader { bytes, pos: 0 };
    let version = r.i16()?;
    if version < 0 {
        return Err(ProtocolError(format!("negative version {version}")));
    }
    let mut s = Subscription::default();
    for _ in 0..r.len()? {
        s.topics.push(r.string()?);
    }
    s.user_data = r.nullable_bytes()?;
    if version >= 1 {
        s.owned_partitions = r.topic_partitions()?;
    }
    if version >= 2 {
        let g = r.i32()?;
        s.generation_id = Some(g).filter(|g| *g >= 0);
    }
    if version >= 3 {
        s.rack_id = r.nullable_string()?;
    }
    Ok(s)
}

pub fn encode_assignment(a: &Assignment, version: i16) -> Vec<u8> {
    let mut w = Vec::new();
    w.extend_from_slice(&version.to_be_bytes());
    put_topic_partitions(&mut w, &a.partitions);
    put_nullable_bytes(&mut w, a.user_data.as_deref());
    w
}

pub fn decode_assignment(bytes: &[u8]) -> Result<Assignment, ProtocolError> {
    // An empty assignment (a SyncGroup error, or a member the leader left
    // out) is no partitions, as Kafka's `ConsumerCoordinator` reads it.
    if bytes.is_empty() {
        return Ok(Assignment::default());
    }
    let mut r = Reader { bytes, pos: 0 };
    let version = r.i16()?;
    if version < 0 {
        return Err(ProtocolError(format!("negative version {version}")));
    }
    Ok(Assignment {
        partitions: r.topic_partitions()?,
        user_data: r.nullable_bytes()?,
    })
}

fn put_i32(w: &mut Vec<u8>, n: i32) {
    w.extend_from_slice(&n.to_be_bytes());
}

fn put_string(w: &mut Vec<u8>, s: &str) {
    w.extend_from_slice(&(s.len() as i16).to_be_bytes());
    w.extend_from_slice(s.as_bytes());
}

fn put_nullable_bytes(w: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => put_i32(w, -1),
        Some(b) => {
            put_i32(w, b.len() as i32);
            w.extend_from_slice(b);
        }
    }
}

/// Consecutive partitions of one topic share an entry, as Kafka's
/// serializer groups them; callers pass them sorted by topic.
fn put_topic_partitions(w: &mut Vec<u8>, tps: &[TopicPartition]) {
    let mut groups: Vec<(&str, Vec<i32>)> = Vec::new();
    for tp in tps {
        match groups.last_mut() {
            Some((t, ps)) if *t == tp.topic => ps.push(tp.partition),
            _ => groups.push((&tp.topic, vec![tp.partition])),
        }
    }
    put_i32(w, groups.len() as i32);
    for (topic, ps) in groups {
        put_string(w, topic);
        put_i32(w, ps.len() as i32);
        for p in ps {
            put_i32(w, p);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], ProtocolError> {
        if self.bytes.len() - self.pos < n {
            return Err(ProtocolError(format!(
                "needed {n} bytes at offset {}, {} left",
                self.pos,
                self.bytes.len() - self.pos
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn i16(&mut self) -> Result<i16, ProtocolError> {
        let b = self.take(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> Result<i32, ProtocolError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len(&mut self) -> Result<usize, ProtocolError> {
        let n = self.i32()?;
        usize::try_from(n).map_err(|_| ProtocolError(format!("negative array length {n}")))
    }

    fn string(&mut self) -> Result<String, ProtocolError> {
        self.nullable_string()?
            .ok_or_else(|| ProtocolError("null where a string is required".into()))
    }

    fn nullable_string(&mut self) -> Result<Option<String>, ProtocolError> {
        let n = self.i16()?;
        if n < 0 {
            return Ok(None);
        }
        let b = self.take(n as usize)?;
        String::from_utf8(b.to_vec())
            .map(Some)
            .map_err(|_| ProtocolError("string is not UTF-8".into()))
    }

    fn nullable_bytes(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(n as usize)?.to_vec()))
    }

    fn topic_partitions(&mut self) -> Result<Vec<TopicPartition>, ProtocolError> {
        let mut out = Vec::new();
        for _ in 0..self.len()? {
            let topic = self.string()?;
            for _ in 0..self.len()? {
                out.push(TopicPartition::new(topic.clone(), self.i32()?));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built by hand from the schema, field by field.
    #[test]
    fn subscription_v3_bytes_match_the_schema() {
        let s = Subscription {
            topics: vec!["t".into()],
            user_data: Some(vec![0, 0, 0, 4]),
            owned_partitions: vec![TopicPartition::new("t", 0), TopicPartition::new("t", 2)],
            group_instance_id: None,
            generation_id: Some(4),
            rack_id: None,
        };
        let expected: Vec<u8> = [
            &[0, 3][..],                           // version 3
            &[0, 0, 0, 1, 0, 1, b't'],             // topics ["t"]
            &[0, 0, 0, 4, 0, 0, 0, 4],             // user data (4 bytes)
            &[0, 0, 0, 1, 0, 1, b't', 0, 0, 0, 2], // owned: one topic "t", 2 partitions
            &[0, 0, 0, 0, 0, 0, 0, 2],             // partitions 0, 2
            &[0, 0, 0, 4],                         // generation 4
            &[0xff, 0xff],                         // rack null
        ]
        .concat();
        let bytes = encode_subscription(&s, 3);
        assert_eq!(bytes, expected);
        assert_eq!(decode_subscription(&bytes).unwrap(), s);
    }

    #[test]
    fn subscription_v0_has_no_owned_partitions() {
        let s = Subscription::new(["a", "b"]);
        let bytes = encode_subscription(&s, 0);
        assert_eq!(
            bytes,
            vec![0, 0, 0, 0, 0, 2, 0, 1, b'a', 0, 1, b'b', 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(decode_subscription(&bytes).unwrap(), s);
    }

    #[test]
    fn assignment_bytes_match_the_schema() {
        let a = Assignment {
            partitions: vec![
                TopicPartition::new("a", 1),
                TopicPartition::new("b", 0),
                TopicPartition::new("b", 1),
            ],
            user_data: None,
        };
        let bytes = encode_assignment(&a, 3);
        let expected: Vec<u8> = [
            &[0, 3][..],
            &[0, 0, 0, 2],
            &[0, 1, b'a', 0, 0, 0, 1, 0, 0, 0, 1],
            &[0, 1, b'b', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1],
            &[0xff, 0xff, 0xff, 0xff],
        ]
        .concat();
        assert_eq!(bytes, expected);
        assert_eq!(decode_assignment(&bytes).unwrap(), a);
        assert_eq!(decode_assignment(&[]).unwrap(), Assignment::default());
    }

    #[test]
    fn truncated_bytes_are_an_error() {
        let bytes = encode_subscription(&Subscription::new(["topic"]), 1);
        for cut in 0..bytes.len() {
            assert!(decode_subscription(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn newer_versions_read_as_the_newest_known() {
        let mut bytes = encode_subscription(&Subscription::new(["t"]), 3);
        bytes[1] = 9;
        bytes.extend_from_slice(&[1, 2, 3]);
        assert_eq!(decode_subscription(&bytes).unwrap().topics, vec!["t"]);
    }
}

//! The records the coordinator keeps in `__consumer_offsets`, byte for byte
//! as Kafka's `GroupMetadataManager` writes them with its generated message
//! classes (non-flexible versions): big-endian, an int16 version prefix,
//! strings as int16 length + UTF-8 (nullable strings use length -1), bytes as
//! int32 length, arrays as int32 count.
//!
//! The key's version says what the record is (it keeps the two kinds apart
//! under compaction): 0 and 1 are offset commits, 2 is group metadata.
//! Values carry their own schema version: we write OffsetCommitValue v3 and
//! GroupMetadataValue v3 (what Kafka 2.3+ writes) and read v0..=v3.

use std::fmt;

/// Key version Kafka writes for offset commits (`CURRENT_OFFSET_KEY_SCHEMA_VERSION`).
pub const OFFSET_COMMIT_KEY_VERSION: i16 = 1;
/// Key version of group metadata records (`CURRENT_GROUP_KEY_SCHEMA_VERSION`).
pub const GROUP_METADATA_KEY_VERSION: i16 = 2;
pub const OFFSET_COMMIT_VALUE_VERSION: i16 = 3;
pub const GROUP_METADATA_VALUE_VERSION: i16 = 3;

/// Kafka's `Utils.abs(groupId.hashCode) % offsets.topic.num.partitions`,
/// with Java's `String.hashCode` (over UTF-16 code units, wrapping) and
/// `Utils.abs` (which maps `Integer.MIN_VALUE` to 0, unlike `Math.abs`).
pub fn partition_for(group_id: &str, num_partitions: i32) -> i32 {
    assert!(
        num_partitions > 0,
        "offsets.topic.num.partitions must be > 0"
    );
    let hash = java_string_hash(group_id);
    let abs = if hash == i32::MIN { 0 } else { hash.abs() };
    abs % num_partitions
}

/// Java's `String.hashCode`.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(unit as i32))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    OffsetCommit(OffsetCommitKey),
    GroupMetadata(GroupMetadataKey),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OffsetCommitKey {
    pub group: String,
    pub topic: String,
    pub partition: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMetadataKey {
    pub group: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetCommitValue {
    pub offset: i64,
    /// v3+; -1 when unknown.
    pub leader_epoch: i32,
    pub metadata: String,
    pub commit_timestamp: i64,
    /// Only in v1 (explicit per-commit retention, before KIP-211); -1 otherwise.
    pub expire_timestamp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMetadataValue {
    pub protocol_type: String,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// v2+; -1 when unknown.
    pub current_state_timestamp: i64,
    pub members: Vec<MemberMetadataValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMetadataValue {
    pub member_id: String,
    /// v3+.
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    /// v1+; v0 records take the session timeout (as Kafka's reader does).
    pub rebalance_timeout: i32,
    pub session_timeout: i32,
    pub subscription: Vec<u8>,
    pub assignment: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordDecodeError {
    /// The buffer ended inside a field.
    Truncated {
        field: &'static str,
    },
    UnknownKeyVersion(i16),
    UnknownValueVersion {
        record: &'static str,
        version: i16,
    },
    InvalidUtf8 {
        field: &'static str,
    },
    /// A length below -1 (or -1 for a non-nullable field).
    InvalidLength {
        field: &'static str,
        length: i32,
    },
    /// A group metadata value with bytes left after the last field.
    TrailingBytes(usize),
}

impl fmt::Display for RecordDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordDecodeError::Truncated { field } => write!(f, "truncated in field {field}"),
            RecordDecodeError::UnknownKeyVersion(v) => write!(f, "unknown key version {v}"),
            RecordDecodeError::UnknownValueVersion { record, version } => {
                write!(f, "unknown {record} version {version}")
            }
            RecordDecodeError::InvalidUtf8 { field } => write!(f, "invalid UTF-8 in field {field}"),
            RecordDecodeError::InvalidLength { field, length } => {
                write!(f, "invalid length {length} for field {field}")
            }
            RecordDecodeError::TrailingBytes(n) => write!(f, "{n} bytes after the last field"),
        }
    }
}

impl std::error::Error for RecordDecodeError {}

// ---------------------------------------------------------------- writing

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn string(&mut self, s: &str) {
        // Kafka rejects strings longer than Short.MAX_VALUE bytes; ids and
        // metadata are far below that (offset metadata is capped at 4096).
        let len = i16::try_from(s.len()).expect("string longer than 32767 bytes");
        self.i16(len);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn nullable_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.i16(-1),
        }
    }
    fn bytes(&mut self, b: &[u8]) {
        self.i32(i32::try_from(b.len()).expect("bytes longer than 2^31"));
        self.0.extend_from_slice(b);
    }
}

impl OffsetCommitKey {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.i16(OFFSET_COMMIT_KEY_VERSION);
        w.string(&self.group);
        w.string(&self.topic);
        w.i32(self.partition);
        w.0
    }
}

impl GroupMetadataKey {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.i16(GROUP_METADATA_KEY_VERSION);
        w.string(&self.group);
        w.0
    }
}

impl RecordKey {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            RecordKey::OffsetCommit(k) => k.encode(),
            RecordKey::GroupMetadata(k) => k.encode(),
        }
    }

    pub fn decode(buf: &[u8]) -> Result<RecordKey, RecordDecodeError> {
        let mut r = Reader::new(buf);
        match r.i16("key version")? {
            0 | 1 => Ok(RecordKey::OffsetCommit(OffsetCommitKey {
                group: r.string("group")?,
                topic: r.string("topic")?,
                partition: r.i32("partition")?,
            })),
            2 => Ok(RecordKey::GroupMetadata(GroupMetadataKey {
                group: r.string("group")?,
            })),
            v => Err(RecordDecodeError::UnknownKeyVersion(v)),
        }
    }
}

impl OffsetCommitValue {
    /// Version 3: offset, leader_epoch, metadata, commit_timestamp.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.i16(OFFSET_COMMIT_VALUE_VERSION);
        w.i64(self.offset);
        w.i32(self.leader_epoch);
        w.string(&self.metadata);
        w.i64(self.commit_timestamp);
        w.0
    }

    pub fn decode(buf: &[u8]) -> Result<OffsetCommitValue, RecordDecodeError> {
        let mut r = Reader::new(buf);
        let version = r.i16("value version")?;
        if !(0..=3).contains(&version) {
            return Err(RecordDecodeError::UnknownValueVersion {
                record: "OffsetCommitValue",
                version,
            });
        }
        let offset = r.i64("offset")?;
        let (leader_epoch, metadata, commit_timestamp, expire_timestamp) = match version {
            // v0: offset, metadata, timestamp.
            // v2: offset, metadata, commit_timestamp.
            0 | 2 => (-1, r.string("metadata")?, r.i64("commit_timestamp")?, -1),
            1 => (
                -1,
                r.string("metadata")?,
                r.i64("commit_timestamp")?,
                r.i64("expire_timestamp")?,
            ),
            _ => (
                r.i32("leader_epoch")?,
                r.string("metadata")?,
                r.i64("commit_timestamp")?,
                -1,
            ),
        };
        Ok(OffsetCommitValue {
            offset,
            leader_epoch,
            metadata,
            commit_timestamp,
            expire_timestamp,
        })
    }
}

impl GroupMetadataValue {
    /// Version 3 (see the module docs for the layout).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.i16(GROUP_METADATA_VALUE_VERSION);
        w.string(&self.protocol_type);
        w.i32(self.generation);
        w.nullable_string(self.protocol.as_deref());
        w.nullable_string(self.leader.as_deref());
        w.i64(self.current_state_timestamp);
        w.i32(i32::try_from(self.members.len()).expect("too many members"));
        for m in &self.members {
            w.string(&m.member_id);
            w.nullable_string(m.group_instance_id.as_deref());
            w.string(&m.client_id);
            w.string(&m.client_host);
            w.i32(m.rebalance_timeout);
            w.i32(m.session_timeout);
            w.bytes(&m.subscription);
            w.bytes(&m.assignment);
        }
        w.0
    }

    pub fn decode(buf: &[u8]) -> Result<GroupMetadataValue, RecordDecodeError> {
        let mut r = Reader::new(buf);
        let version = r.i16("value version")?;
        if !(0..=3).contains(&version) {
            return Err(RecordDecodeError::UnknownValueVersion {
                record: "GroupMetadataValue",
                version,
            });
        }
        let protocol_type = r.string("protocol_type")?;
        let generation = r.i32("generation")?;
        let protocol = r.nullable_string("protocol")?;
        let leader = r.nullable_string("leader")?;
        let current_state_timestamp = if version >= 2 {
            r.i64("current_state_timestamp")?
        } else {
            -1
        };
        let count = r.i32("members")?;
        if count < 0 {
            return Err(RecordDecodeError::InvalidLength {
                field: "members",
                length: count,
            });
        }
        let mut members = Vec::new();
        for _ in 0..count {
            let member_id = r.string("member_id")?;
            let group_instance_id = if version >= 3 {
                r.nullable_string("group_instance_id")?
            } else {
                None
            };
            let client_id = r.string("client_id")?;
            let client_host = r.string("client_host")?;
            let rebalance_timeout = if version >= 1 {
                Some(r.i32("rebalance_timeout")?)
            } else {
                None
            };
            let session_timeout = r.i32("session_timeout")?;
            members.push(MemberMetadataValue {
                member_id,
                group_instance_id,
                client_id,
                client_host,
                rebalance_timeout: rebalance_timeout.unwrap_or(session_timeout),
                session_timeout,
                subscription: r.bytes("subscription")?,
                assignment: r.bytes("assignment")?,
            });
        }
        if r.remaining() != 0 {
            return Err(RecordDecodeError::TrailingBytes(r.remaining()));
        }
        Ok(GroupMetadataValue {
            protocol_type,
            generation,
            protocol,
            leader,
            current_state_timestamp,
            members,
        })
    }
}

// ---------------------------------------------------------------- reading

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], RecordDecodeError> {
        if self.remaining() < n {
            return Err(RecordDecodeError::Truncated { field });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn i16(&mut self, field: &'static str) -> Result<i16, RecordDecodeError> {
        let b = self.take(2, field)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self, field: &'static str) -> Result<i32, RecordDecodeError> {
        let b = self.take(4, field)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn i64(&mut self, field: &'static str) -> Result<i64, RecordDecodeError> {
        let b = self.take(8, field)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }
    fn nullable_string(
        &mut self,
        field: &'static str,
    ) -> Result<Option<String>, RecordDecodeError> {
        let len = self.i16(field)?;
        if len == -1 {
            return Ok(None);
        }
        if len < 0 {
            return Err(RecordDecodeError::InvalidLength {
                field,
                length: len as i32,
            });
        }
        let b = self.take(len as usize, field)?;
        String::from_utf8(b.to_vec())
            .map(Some)
            .map_err(|_| RecordDecodeError::InvalidUtf8 { field })
    }
    fn string(&mut self, field: &'static str) -> Result<String, RecordDecodeError> {
        self.nullable_string(field)?
            .ok_or(RecordDecodeError::InvalidLength { field, length: -1 })
    }
    fn bytes(&mut self, field: &'static str) -> Result<Vec<u8>, RecordDecodeError> {
        let len = self.i32(field)?;
        if len < 0 {
            return Err(RecordDecodeError::InvalidLength { field, length: len });
        }
        Ok(self.take(len as usize, field)?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values from `java H.java` printing "x".hashCode() on a JDK.
    #[test]
    fn java_string_hash_matches_jdk() {
        assert_eq!(java_string_hash("groupId"), 293428218);
        assert_eq!(java_string_hash("otherGroup"), -204443313);
        assert_eq!(java_string_hash("my-group"), -1906497762);
        assert_eq!(java_string_hash("test-group"), 627841412);
        assert_eq!(java_string_hash("console-consumer-12345"), 158455506);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(java_string_hash("中文组"), 20070666);
        assert_eq!(java_string_hash(""), 0);
    }

    #[test]
    fn partition_for_matches_jdk() {
        assert_eq!(partition_for("groupId", 50), 18);
        assert_eq!(partition_for("otherGroup", 50), 13);
        assert_eq!(partition_for("my-group", 50), 12);
        assert_eq!(partition_for("test-group", 50), 12);
        assert_eq!(partition_for("console-consumer-12345", 50), 6);
        assert_eq!(partition_for("orders-app", 50), 5);
        assert_eq!(partition_for("中文组", 50), 16);
        // Integer.MIN_VALUE: Utils.abs gives 0 where Math.abs would stay negative.
        assert_eq!(partition_for("polygenelubricants", 50), 0);
        // GroupCoordinatorTest relies on these landing on different partitions of 2.
        assert_eq!(partition_for("groupId", 2), 0);
        assert_eq!(partition_for("otherGroup", 2), 1);
    }

    #[test]
    fn offset_commit_key_bytes() {
        let key = OffsetCommitKey {
            group: "g".into(),
            topic: "t1".into(),
            partition: 3,
        };
        #[rustfmt::skip]
        let expected = vec![
            0x00, 0x01,             // key version 1
            0x00, 0x01, b'g',       // group
            0x00, 0x02, b't', b'1', // topic
            0x00, 0x00, 0x00, 0x03, // partition
        ];
        assert_eq!(key.encode(), expected);
        assert_eq!(
            RecordKey::decode(&expected).unwrap(),
            RecordKey::OffsetCommit(key)
        );
    }

    #[test]
    fn group_metadata_key_bytes() {
        let key = GroupMetadataKey {
            group: "grp".into(),
        };
        let expected = vec![0x00, 0x02, 0x00, 0x03, b'g', b'r', b'p'];
        assert_eq!(key.encode(), expected);
        assert_eq!(
            RecordKey::decode(&expected).unwrap(),
            RecordKey::GroupMetadata(key)
        );
    }

    #[test]
    fn offset_commit_value_v3_bytes() {
        let value = OffsetCommitValue {
            offset: 0x0102_0304_0506_0708,
            leader_epoch: 5,
            metadata: "md".into(),
            commit_timestamp: 1000,
            expire_timestamp: -1,
        };
        #[rustfmt::skip]
        let expected = vec![
            0x00, 0x03,                                     // value version 3
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // offset
            0x00, 0x00, 0x00, 0x05,                         // leader_epoch
            0x00, 0x02, b'm', b'd',                         // metadata
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, // commit_timestamp
        ];
        assert_eq!(value.encode(), expected);
        assert_eq!(OffsetCommitValue::decode(&expected).unwrap(), value);
    }

    #[test]
    fn offset_commit_value_older_versions_decode() {
        // v1: offset, metadata, commit_timestamp, expire_timestamp.
        #[rustfmt::skip]
        let v1 = vec![
            0x00, 0x01,
            0, 0, 0, 0, 0, 0, 0, 42,
            0x00, 0x00,
            0, 0, 0, 0, 0, 0, 0, 7,
            0, 0, 0, 0, 0, 0, 0, 9,
        ];
        let v = OffsetCommitValue::decode(&v1).unwrap();
        assert_eq!(
            (
                v.offset,
                v.leader_epoch,
                v.commit_timestamp,
                v.expire_timestamp
            ),
            (42, -1, 7, 9)
        );
        assert_eq!(
            OffsetCommitValue::decode(&[0x00, 0x07]),
            Err(RecordDecodeError::UnknownValueVersion {
                record: "OffsetCommitValue",
                version: 7
            })
        );
    }

    #[test]
    fn group_metadata_value_v3_bytes() {
        let value = GroupMetadataValue {
            protocol_type: "consumer".into(),
            generation: 2,
            protocol: Some("range".into()),
            leader: Some("m1".into()),
            current_state_timestamp: 1,
            members: vec![MemberMetadataValue {
                member_id: "m1".into(),
                group_instance_id: None,
                client_id: "c".into(),
                client_host: "/h".into(),
                rebalance_timeout: 300000,
                session_timeout: 45000,
                subscription: vec![0xaa],
                assignment: vec![],
            }],
        };
        #[rustfmt::skip]
        let expected = vec![
            0x00, 0x03,                                         // value version 3
            0x00, 0x08, b'c', b'o', b'n', b's', b'u', b'm', b'e', b'r', // protocol_type
            0x00, 0x00, 0x00, 0x02,                             // generation
            0x00, 0x05, b'r', b'a', b'n', b'g', b'e',           // protocol
            0x00, 0x02, b'm', b'1',                             // leader
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,     // current_state_timestamp
            0x00, 0x00, 0x00, 0x01,                             // members: 1
            0x00, 0x02, b'm', b'1',                             //   member_id
            0xff, 0xff,                                         //   group_instance_id: null
            0x00, 0x01, b'c',                                   //   client_id
            0x00, 0x02, b'/', b'h',                             //   client_host
            0x00, 0x04, 0x93, 0xe0,                             //   rebalance_timeout 300000
            0x00, 0x00, 0xaf, 0xc8,                             //   session_timeout 45000
            0x00, 0x00, 0x00, 0x01, 0xaa,                       //   subscription
            0x00, 0x00, 0x00, 0x00,                             //   assignment (empty)
        ];
        assert_eq!(value.encode(), expected);
        assert_eq!(GroupMetadataValue::decode(&expected).unwrap(), value);
    }

    #[test]
    fn empty_group_metadata_value_has_null_protocol_and_leader() {
        let value = GroupMetadataValue {
            protocol_type: "".into(),
            generation: 1,
            protocol: None,
            leader: None,
            current_state_timestamp: -1,
            members: vec![],
        };
        #[rustfmt::skip]
        let expected = vec![
            0x00, 0x03,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x01,
            0xff, 0xff,
            0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(value.encode(), expected);
        assert_eq!(GroupMetadataValue::decode(&expected).unwrap(), value);
    }

    #[test]
    fn group_metadata_value_v0_takes_session_timeout_as_rebalance_timeout() {
        #[rustfmt::skip]
        let v0 = vec![
            0x00, 0x00,
            0x00, 0x01, b'x',
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x01, b'p',
            0x00, 0x01, b'm',
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x01, b'm',
            0x00, 0x01, b'c',
            0x00, 0x01, b'h',
            0x00, 0x00, 0x27, 0x10,
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ];
        let v = GroupMetadataValue::decode(&v0).unwrap();
        assert_eq!(v.current_state_timestamp, -1);
        assert_eq!(v.members[0].rebalance_timeout, 10000);
        assert_eq!(v.members[0].session_timeout, 10000);
        assert_eq!(v.members[0].group_instance_id, None);
    }

    #[test]
    fn truncated_and_bad_records_are_errors_not_panics() {
        let full = OffsetCommitKey {
            group: "g".into(),
            topic: "t".into(),
            partition: 0,
        }
        .encode();
        for cut in 0..full.len() {
            assert!(RecordKey::decode(&full[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(
            RecordKey::decode(&[0x00, 0x05]),
            Err(RecordDecodeError::UnknownKeyVersion(5))
        );
        assert!(matches!(
            RecordKey::decode(&[0x00, 0x02, 0xff, 0xfe]),
            Err(RecordDecodeError::InvalidLength { .. })
        ));
    }
}

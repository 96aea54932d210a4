//! The records of `__transaction_state`, byte for byte as Kafka's
//! `TransactionLog` writes them with its generated message classes:
//! an int16 version, then the fields big-endian; strings are int16 length +
//! UTF-8 and arrays int32 count (-1 = null) in version 0; version 1 of the
//! value is "flexible" (compact lengths as unsigned varints + 1, tagged
//! fields). Kafka 2.x-3.x write value version 0 and read 0 and 1; so do we.
//!
//! Key: `TransactionLogKey` v0 = transactional id. Value:
//! `TransactionLogValue` = producer id, epoch, timeout, status (the state's
//! id), partitions grouped by topic (null while Empty), last update and
//! start timestamps. A null value is a tombstone: the id expired.
//!
//! Kafka groups the partitions with a Scala `groupBy` (hash order); we write
//! topics and partitions sorted, which Kafka reads back as the same set.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::metadata::{
    TopicPartition, TransactionMetadata, TxnTransitMetadata, NO_PRODUCER_EPOCH, NO_PRODUCER_ID,
};
use crate::state::TransactionState;

/// The internal topic's name (`Topic.TRANSACTION_STATE_TOPIC_NAME`).
pub const TRANSACTION_STATE_TOPIC_NAME: &str = "__transaction_state";
/// `TransactionLogKey`'s only version.
pub const KEY_VERSION: i16 = 0;
/// The value version Kafka 2.x-3.x write (the highest non-flexible one).
pub const VALUE_VERSION: i16 = 0;
/// The highest value version we read.
pub const HIGHEST_VALUE_VERSION: i16 = 1;

/// `Utils.abs(transactionalId.hashCode) % transaction.state.log.num.partitions`,
/// with Java's `String.hashCode` (UTF-16 code units, wrapping) and Kafka's
/// `Utils.abs` (`Integer.MIN_VALUE` becomes 0, not itself).
pub fn partition_for(transactional_id: &str, num_partitions: i32) -> i32 {
    assert!(
        num_partitions > 0,
        "transaction.state.log.num.partitions must be > 0"
    );
    let hash = java_string_hash(transactional_id);
    let abs = if hash == i32::MIN { 0 } else { hash.abs() };
    abs % num_partitions
}

/// Java's `String.hashCode`.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(unit as i32))
}

/// Why a record could not be read (Kafka throws; we say where).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordDecodeError {
    /// The buffer ended inside `field`.
    Truncated {
        field: &'static str,
    },
    UnknownKeyVersion(i16),
    UnknownValueVersion(i16),
    /// A string that is not UTF-8, or a negative length where none may be.
    Invalid {
        field: &'static str,
    },
    UnknownTransactionStatus(i8),
}

impl fmt::Display for RecordDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { field } => write!(f, "record truncated in {field}"),
            Self::UnknownKeyVersion(v) => write!(f, "unknown transaction log key version {v}"),
            Self::UnknownValueVersion(v) => write!(f, "unknown transaction log value version {v}"),
            Self::Invalid { field } => write!(f, "invalid {field}"),
            Self::UnknownTransactionStatus(s) => write!(f, "unknown transaction status {s}"),
        }
    }
}

impl std::error::Error for RecordDecodeError {}

/// `TransactionLogKey`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionLogKey {
    pub transactional_id: String,
}

/// One topic's partitions in a value (`PartitionsSchema`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionsSchema {
    pub topic: String,
    pub partition_ids: Vec<i32>,
}

/// `TransactionLogValue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionLogValue {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub transaction_timeout_ms: i32,
    /// [`TransactionState::id`]
    pub transaction_status: i8,
    /// `None` (null) while Empty.
    pub transaction_partitions: Option<Vec<PartitionsSchema>>,
    pub transaction_last_update_timestamp_ms: i64,
    pub transaction_start_timestamp_ms: i64,
}

/// A value that Kafka's `valueToBytes` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTransit(pub &'static str);

impl TransactionLogKey {
    pub fn new(transactional_id: &str) -> Self {
        TransactionLogKey {
            transactional_id: transactional_id.to_string(),
        }
    }

    /// `TransactionLog.keyToBytes`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.transactional_id.len());
        out.extend_from_slice(&KEY_VERSION.to_be_bytes());
        put_string(&mut out, &self.transactional_id);
        out
    }

    /// `TransactionLog.readTxnRecordKey`.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordDecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.i16("key version")?;
        if version != KEY_VERSION {
            return Err(RecordDecodeError::UnknownKeyVersion(version));
        }
        // Like Kafka's generated readers, bytes after the last field of a
        // known version are ignored.
        let transactional_id = r.string("transactional_id")?;
        Ok(TransactionLogKey { transactional_id })
    }
}

impl TransactionLogValue {
    /// The value Kafka's `valueToBytes` builds for a transit: Empty must
    /// have no partitions and writes null for them.
    pub fn from_transit(t: &TxnTransitMetadata) -> Result<Self, InvalidTransit> {
        if t.txn_state == TransactionState::Empty && !t.topic_partitions.is_empty() {
            return Err(InvalidTransit("an Empty transaction has no partitions"));
        }
        let transaction_partitions = if t.txn_state == TransactionState::Empty {
            None
        } else {
            let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
            for tp in &t.topic_partitions {
                by_topic.entry(&tp.topic).or_default().push(tp.partition);
            }
            Some(
                by_topic
                    .into_iter()
                    .map(|(topic, partition_ids)| PartitionsSchema {
                        topic: topic.to_string(),
                        partition_ids,
                    })
                    .collect(),
            )
        };
        Ok(TransactionLogValue {
            producer_id: t.producer_id,
            producer_epoch: t.producer_epoch,
            transaction_timeout_ms: t.txn_timeout_ms,
            transaction_status: t.txn_state.id(),
            transaction_partitions,
            transaction_last_update_timestamp_ms: t.txn_last_update_timestamp,
            transaction_start_timestamp_ms: t.txn_start_timestamp,
        })
    }

    /// Version 0 bytes (what Kafka 2.x-3.x write).
    pub fn encode(&self) -> Vec<u8> {
        self.encode_version(VALUE_VERSION)
    }

    /// Version 0 or 1 (flexible) bytes. Other versions are written as 1.
    pub fn encode_version(&self, version: i16) -> Vec<u8> {
        let flexible = version >= 1;
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&(if flexible { 1i16 } else { 0 }).to_be_bytes());
        out.extend_from_slice(&self.producer_id.to_be_bytes());
        out.extend_from_slice(&self.producer_epoch.to_be_bytes());
        out.extend_from_slice(&self.transaction_timeout_ms.to_be_bytes());
        out.push(self.transaction_status as u8);
        match &self.transaction_partitions {
            None if flexible => put_uvarint(&mut out, 0),
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(topics) => {
                put_len(&mut out, topics.len(), flexible);
                for t in topics {
                    if flexible {
                        put_uvarint(&mut out, t.topic.len() as u32 + 1);
                        out.extend_from_slice(t.topic.as_bytes());
                    } else {
                        put_string(&mut out, &t.topic);
                    }
                    put_len(&mut out, t.partition_ids.len(), flexible);
                    for p in &t.partition_ids {
                        out.extend_from_slice(&p.to_be_bytes());
                    }
                    if flexible {
                        put_uvarint(&mut out, 0); // no tagged fields
                    }
                }
            }
        }
        out.extend_from_slice(&self.transaction_last_update_timestamp_ms.to_be_bytes());
        out.extend_from_slice(&self.transaction_start_timestamp_ms.to_be_bytes());
        if flexible {
            put_uvarint(&mut out, 0);
        }
        out
    }

    /// Reads version 0 or 1; tagged fields (KIP-890's, from newer brokers)
    /// are skipped.
    pub fn decode(bytes: &[u8]) -> Result<Self, RecordDecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.i16("value version")?;
        if !(0..=HIGHEST_VALUE_VERSION).contains(&version) {
            return Err(RecordDecodeError::UnknownValueVersion(version));
        }
        let flexible = version >= 1;
        let producer_id = r.i64("producer_id")?;
        let producer_epoch = r.i16("producer_epoch")?;
        let transaction_timeout_ms = r.i32("transaction_timeout_ms")?;
        let transaction_status = r.i8("transaction_status")?;
        let count = r.len("transaction_partitions", flexible)?;
        let transaction_partitions = match count {
            None => None,
            Some(n) => {
                // Each entry takes at least 6 bytes: never reserve more than
                // the buffer could hold.
                let mut topics = Vec::with_capacity(n.min(r.remaining() / 6));
                for _ in 0..n {
                    let topic = if flexible {
                        r.compact_string("topic")?
                    } else {
                        r.string("topic")?
                    };
                    let n =
                        r.len("partition_ids", flexible)?
                            .ok_or(RecordDecodeError::Invalid {
                                field: "partition_ids",
                            })?;
                    let mut partition_ids = Vec::with_capacity(n.min(r.remaining() / 4));
                    for _ in 0..n {
                        partition_ids.push(r.i32("partition_ids")?);
                    }
                    if flexible {
                        r.skip_tagged_fields()?;
                    }
                    topics.push(PartitionsSchema {
                        topic,
                        partition_ids,
                    });
                }
                Some(topics)
            }
        };
        let transaction_last_update_timestamp_ms = r.i64("transaction_last_update_timestamp_ms")?;
        let transaction_start_timestamp_ms = r.i64("transaction_start_timestamp_ms")?;
        if flexible {
            r.skip_tagged_fields()?;
        }
        Ok(TransactionLogValue {
            producer_id,
            producer_epoch,
            transaction_timeout_ms,
            transaction_status,
            transaction_partitions,
            transaction_last_update_timestamp_ms,
            transaction_start_timestamp_ms,
        })
    }

    pub fn state(&self) -> Result<TransactionState, RecordDecodeError> {
        TransactionState::from_id(self.transaction_status).ok_or(
            RecordDecodeError::UnknownTransactionStatus(self.transaction_status),
        )
    }

    /// `TransactionLog.readTxnRecordValue`: the metadata a loading
    /// coordinator rebuilds. The last producer id/epoch are not in the log
    /// (value v0), so they are -1; partitions are ignored while Empty.
    pub fn to_metadata(
        &self,
        transactional_id: &str,
    ) -> Result<TransactionMetadata, RecordDecodeError> {
        let state = self.state()?;
        let mut partitions = BTreeSet::new();
        if state != TransactionState::Empty {
            for t in self.transaction_partitions.iter().flatten() {
                for &p in &t.partition_ids {
                    partitions.insert(TopicPartition::new(&t.topic, p));
                }
            }
        }
        Ok(TransactionMetadata::new(
            transactional_id,
            self.producer_id,
            NO_PRODUCER_ID,
            self.producer_epoch,
            NO_PRODUCER_EPOCH,
            self.transaction_timeout_ms,
            state,
            partitions,
            self.transaction_start_timestamp_ms,
            self.transaction_last_update_timestamp_ms,
        ))
    }
}

/// `TransactionLog.formatRecordKeyAndValue` (what kafka-dump-log prints for
/// `__transaction_state` with `--transaction-log-decoder`).
pub fn format_record(
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<(String, String), RecordDecodeError> {
    let k = TransactionLogKey::decode(key)?;
    let key_string = format!(
        "transaction_metadata::transactionalId={}",
        k.transactional_id
    );
    let value_string = match value {
        None => "<DELETE>".to_string(),
        Some(v) => {
            let m = TransactionLogValue::decode(v)?.to_metadata(&k.transactional_id)?;
            let parts: Vec<String> = m.topic_partitions.iter().map(|tp| tp.to_string()).collect();
            format!(
                "producerId:{},producerEpoch:{},state={},partitions=[{}],txnLastUpdateTimestamp={},txnTimeoutMs={}",
                m.producer_id,
                m.producer_epoch,
                m.state,
                parts.join(","),
                m.txn_last_update_timestamp,
                m.txn_timeout_ms
            )
        }
    };
    Ok((key_string, value_string))
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as i16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_len(out: &mut Vec<u8>, n: usize, flexible: bool) {
    if flexible {
        put_uvarint(out, n as u32 + 1);
    } else {
        out.extend_from_slice(&(n as i32).to_be_bytes());
    }
}

fn put_uvarint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

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

    fn i8(&mut self, f: &'static str) -> Result<i8, RecordDecodeError> {
        Ok(self.take(1, f)?[0] as i8)
    }

    fn i16(&mut self, f: &'static str) -> Result<i16, RecordDecodeError> {
        let b = self.take(2, f)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self, f: &'static str) -> Result<i32, RecordDecodeError> {
        let b = self.take(4, f)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self, f: &'static str) -> Result<i64, RecordDecodeError> {
        let b = self.take(8, f)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_be_bytes(a))
    }

    fn uvarint(&mut self, f: &'static str) -> Result<u32, RecordDecodeError> {
        let mut v: u32 = 0;
        for i in 0..5 {
            let b = self.take(1, f)?[0];
            v |= ((b & 0x7f) as u32) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(RecordDecodeError::Invalid { field: f })
    }

    fn utf8(&mut self, n: usize, f: &'static str) -> Result<String, RecordDecodeError> {
        let b = self.take(n, f)?;
        String::from_utf8(b.to_vec()).map_err(|_| RecordDecodeError::Invalid { field: f })
    }

    fn string(&mut self, f: &'static str) -> Result<String, RecordDecodeError> {
        let n = self.i16(f)?;
        if n < 0 {
            return Err(RecordDecodeError::Invalid { field: f });
        }
        self.utf8(n as usize, f)
    }

    fn compact_string(&mut self, f: &'static str) -> Result<String, RecordDecodeError> {
        let n = self.uvarint(f)?;
        if n == 0 {
            return Err(RecordDecodeError::Invalid { field: f });
        }
        self.utf8(n as usize - 1, f)
    }

    /// An array length; `None` for null.
    fn len(&mut self, f: &'static str, flexible: bool) -> Result<Option<usize>, RecordDecodeError> {
        if flexible {
            let n = self.uvarint(f)?;
            Ok(n.checked_sub(1).map(|n| n as usize))
        } else {
            let n = self.i32(f)?;
            match n {
                -1 => Ok(None),
                n if n < 0 => Err(RecordDecodeError::Invalid { field: f }),
                n => Ok(Some(n as usize)),
            }
        }
    }

    fn skip_tagged_fields(&mut self) -> Result<(), RecordDecodeError> {
        let n = self.uvarint("tagged fields")?;
        for _ in 0..n {
            self.uvarint("tag")?;
            let size = self.uvarint("tag size")? as usize;
            self.take(size, "tagged field")?;
        }
        Ok(())
    }
}

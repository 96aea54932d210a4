//! Record batch v2 (magic 2), Kafka's `DefaultRecordBatch`.
//!
//! The log works on raw batch bytes through [`BatchHeader`] (parse the fixed
//! 61-byte header, check the CRC, rewrite the base offset in place); clients
//! and tools decode whole batches into [`RecordBatch`].

use crate::compression::{self, Compression, MAX_DECOMPRESSED};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::record::{Header, Record};

pub const MAGIC: i8 = 2;
/// Bytes of the fixed batch header, up to and including `recordsCount`.
pub const HEADER_SIZE: usize = 61;
/// `baseOffset` + `batchLength`: the bytes not counted by `batchLength`.
pub const LOG_OVERHEAD: usize = 12;

pub const BASE_OFFSET_OFFSET: usize = 0;
pub const LENGTH_OFFSET: usize = 8;
pub const PARTITION_LEADER_EPOCH_OFFSET: usize = 12;
pub const MAGIC_OFFSET: usize = 16;
pub const CRC_OFFSET: usize = 17;
/// The CRC covers everything from `attributes` to the end of the batch.
pub const ATTRIBUTES_OFFSET: usize = 21;
pub const LAST_OFFSET_DELTA_OFFSET: usize = 23;
pub const BASE_TIMESTAMP_OFFSET: usize = 27;
pub const MAX_TIMESTAMP_OFFSET: usize = 35;
pub const PRODUCER_ID_OFFSET: usize = 43;
pub const PRODUCER_EPOCH_OFFSET: usize = 51;
pub const BASE_SEQUENCE_OFFSET: usize = 53;
pub const RECORDS_COUNT_OFFSET: usize = 57;

const COMPRESSION_MASK: i16 = 0x07;
const TIMESTAMP_TYPE_MASK: i16 = 0x08;
const TRANSACTIONAL_FLAG: i16 = 0x10;
const CONTROL_FLAG: i16 = 0x20;
const DELETE_HORIZON_FLAG: i16 = 0x40;

pub const NO_PRODUCER_ID: i64 = -1;
pub const NO_PRODUCER_EPOCH: i16 = -1;
pub const NO_SEQUENCE: i32 = -1;
pub const NO_PARTITION_LEADER_EPOCH: i32 = -1;
pub const NO_TIMESTAMP: i64 = -1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampType {
    #[default]
    CreateTime,
    LogAppendTime,
}

impl TimestampType {
    /// As Kafka prints it (`CreateTime`, `LogAppendTime`).
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateTime => "CreateTime",
            Self::LogAppendTime => "LogAppendTime",
        }
    }
}

fn be_i16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}
fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}
fn be_i64(b: &[u8], at: usize) -> i64 {
    i64::from_be_bytes(b[at..at + 8].try_into().unwrap())
}

/// CRC-32C of a whole batch's bytes as Kafka computes it (from `attributes`).
pub fn compute_crc(batch: &[u8]) -> u32 {
    crc32c::crc32c(&batch[ATTRIBUTES_OFFSET..])
}

/// The fixed header of a v2 batch, parsed without touching the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchHeader {
    pub base_offset: i64,
    pub batch_length: i32,
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub crc: u32,
    pub attributes: i16,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records_count: i32,
}

impl BatchHeader {
    /// Parses the header at the start of `buf`. Checks the magic byte and that
    /// `batchLength` is sane and fits in `buf`; does not check the CRC.
    pub fn parse(buf: &[u8]) -> Result<BatchHeader, DecodeError> {
        if buf.len() < LOG_OVERHEAD {
            return Err(DecodeError::eof(buf.len(), LOG_OVERHEAD - buf.len()));
        }
        let batch_length = be_i32(buf, LENGTH_OFFSET);
        if (batch_length as i64) < (HEADER_SIZE - LOG_OVERHEAD) as i64 {
            return Err(DecodeError::new(
                LENGTH_OFFSET,
                DecodeErrorKind::InvalidLength(batch_length as i64),
            ));
        }
        if buf.len() <= MAGIC_OFFSET {
            return Err(DecodeError::eof(buf.len(), MAGIC_OFFSET + 1 - buf.len()));
        }
        let magic = buf[MAGIC_OFFSET] as i8;
        if magic != MAGIC {
            return Err(DecodeError::new(
                MAGIC_OFFSET,
                DecodeErrorKind::UnsupportedMagic(magic),
            ));
        }
        let total = LOG_OVERHEAD + batch_length as usize;
        if buf.len() < total {
            return Err(DecodeError::eof(buf.len(), total - buf.len()));
        }
        Ok(BatchHeader {
            base_offset: be_i64(buf, BASE_OFFSET_OFFSET),
            batch_length,
            partition_leader_epoch: be_i32(buf, PARTITION_LEADER_EPOCH_OFFSET),
            magic,
            crc: be_i32(buf, CRC_OFFSET) as u32,
            attributes: be_i16(buf, ATTRIBUTES_OFFSET),
            last_offset_delta: be_i32(buf, LAST_OFFSET_DELTA_OFFSET),
            base_timestamp: be_i64(buf, BASE_TIMESTAMP_OFFSET),
            max_timestamp: be_i64(buf, MAX_TIMESTAMP_OFFSET),
            producer_id: be_i64(buf, PRODUCER_ID_OFFSET),
            producer_epoch: be_i16(buf, PRODUCER_EPOCH_OFFSET),
            base_sequence: be_i32(buf, BASE_SEQUENCE_OFFSET),
            records_count: be_i32(buf, RECORDS_COUNT_OFFSET),
        })
    }

    /// Parses the header and checks the CRC of the batch's bytes.
    pub fn parse_checked(buf: &[u8]) -> Result<BatchHeader, DecodeError> {
        let h = Self::parse(buf)?;
        let computed = compute_crc(&buf[..h.size_in_bytes()]);
        if computed != h.crc {
            return Err(DecodeError::new(
                CRC_OFFSET,
                DecodeErrorKind::CrcMismatch {
                    stored: h.crc,
                    computed,
                },
            ));
        }
        Ok(h)
    }

    /// Whole batch size on disk, `baseOffset` and `batchLength` included.
    pub fn size_in_bytes(&self) -> usize {
        LOG_OVERHEAD + self.batch_length as usize
    }

    pub fn last_offset(&self) -> i64 {
        self.base_offset + self.last_offset_delta as i64
    }

    pub fn next_offset(&self) -> i64 {
        self.last_offset() + 1
    }

    pub fn compression_id(&self) -> u8 {
        (self.attributes & COMPRESSION_MASK) as u8
    }

    pub fn compression(&self) -> Option<Compression> {
        Compression::from_id(self.compression_id())
    }

    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes & TIMESTAMP_TYPE_MASK != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }

    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_FLAG != 0
    }

    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_FLAG != 0
    }

    pub fn has_delete_horizon(&self) -> bool {
        self.attributes & DELETE_HORIZON_FLAG != 0
    }

    /// Kafka's `lastSequence`: the base sequence plus the offset delta,
    /// wrapping after `i32::MAX`; -1 without a sequence.
    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence == NO_SEQUENCE {
            return NO_SEQUENCE;
        }
        increment_sequence(self.base_sequence, self.last_offset_delta)
    }
}

/// Sequence arithmetic as Kafka's `DefaultRecordBatch.incrementSequence`.
pub fn increment_sequence(sequence: i32, increment: i32) -> i32 {
    if sequence > i32::MAX - increment {
        increment - (i32::MAX - sequence) - 1
    } else {
        sequence + increment
    }
}

/// Rewrites `baseOffset` in place (outside the CRC: no recomputation needed).
pub fn set_base_offset(batch: &mut [u8], base_offset: i64) {
    batch[BASE_OFFSET_OFFSET..BASE_OFFSET_OFFSET + 8].copy_from_slice(&base_offset.to_be_bytes());
}

/// Rewrites `partitionLeaderEpoch` in place (outside the CRC).
pub fn set_partition_leader_epoch(batch: &mut [u8], epoch: i32) {
    batch[PARTITION_LEADER_EPOCH_OFFSET..PARTITION_LEADER_EPOCH_OFFSET + 4]
        .copy_from_slice(&epoch.to_be_bytes());
}

/// Sets LogAppendTime: the timestamp type bit and `maxTimestamp`, then the
/// CRC (both are inside it), as the broker does for `LogAppendTime` topics.
pub fn set_log_append_time(batch: &mut [u8], timestamp: i64) {
    let attrs = be_i16(batch, ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK;
    batch[ATTRIBUTES_OFFSET..ATTRIBUTES_OFFSET + 2].copy_from_slice(&attrs.to_be_bytes());
    batch[MAX_TIMESTAMP_OFFSET..MAX_TIMESTAMP_OFFSET + 8].copy_from_slice(&timestamp.to_be_bytes());
    let crc = compute_crc(batch);
    batch[CRC_OFFSET..CRC_OFFSET + 4].copy_from_slice(&crc.to_be_bytes());
}

/// Splits a buffer of concatenated batches (a `.log` file, a fetch response)
/// into batches, stopping at the first one that does not parse.
pub fn iter_batches(
    buf: &[u8],
) -> impl Iterator<Item = Result<(usize, BatchHeader), DecodeError>> + '_ {
    let mut pos = 0usize;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || pos >= buf.len() {
            return None;
        }
        match BatchHeader::parse(&buf[pos..]) {
            Ok(h) => {
                let at = pos;
                pos += h.size_in_bytes();
                Some(Ok((at, h)))
            }
            Err(e) => {
                failed = true;
                Some(Err(e.shifted(pos)))
            }
        }
    })
}

/// A record as an application produces it (Kafka's `SimpleRecord`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleRecord {
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

/// A whole decoded v2 batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordBatch {
    pub base_offset: i64,
    pub partition_leader_epoch: i32,
    pub compression: Compression,
    pub timestamp_type: TimestampType,
    pub is_transactional: bool,
    pub is_control: bool,
    pub has_delete_horizon: bool,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records: Vec<Record>,
}

impl Default for RecordBatch {
    fn default() -> Self {
        RecordBatch {
            base_offset: 0,
            partition_leader_epoch: NO_PARTITION_LEADER_EPOCH,
            compression: Compression::None,
            timestamp_type: TimestampType::CreateTime,
            is_transactional: false,
            is_control: false,
            has_delete_horizon: false,
            last_offset_delta: -1,
            base_timestamp: NO_TIMESTAMP,
            max_timestamp: NO_TIMESTAMP,
            producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            base_sequence: NO_SEQUENCE,
            records: Vec::new(),
        }
    }
}

impl RecordBatch {
    /// A batch of `records` starting at `base_offset`, with deltas and the
    /// max timestamp computed as Kafka's `MemoryRecordsBuilder` does.
    pub fn from_simple(base_offset: i64, records: &[SimpleRecord]) -> RecordBatch {
        let base_timestamp = records.first().map_or(NO_TIMESTAMP, |r| r.timestamp);
        let max_timestamp = records
            .iter()
            .map(|r| r.timestamp)
            .max()
            .unwrap_or(NO_TIMESTAMP);
        RecordBatch {
            base_offset,
            last_offset_delta: records.len() as i32 - 1,
            base_timestamp,
            max_timestamp,
            records: records
                .iter()
                .enumerate()
                .map(|(i, r)| Record {
                    attributes: 0,
                    timestamp_delta: r.timestamp - base_timestamp,
                    offset_delta: i as i32,
                    key: r.key.clone(),
                    value: r.value.clone(),
                    headers: r.headers.clone(),
                })
                .collect(),
            ..RecordBatch::default()
        }
    }

    pub fn attributes(&self) -> i16 {
        let mut a = self.compression.id() as i16;
        if self.timestamp_type == TimestampType::LogAppendTime {
            a |= TIMESTAMP_TYPE_MASK;
        }
        if self.is_transactional {
            a |= TRANSACTIONAL_FLAG;
        }
        if self.is_control {
            a |= CONTROL_FLAG;
        }
        if self.has_delete_horizon {
            a |= DELETE_HORIZON_FLAG;
        }
        a
    }

    pub fn last_offset(&self) -> i64 {
        self.base_offset + self.last_offset_delta as i64
    }

    /// Appends the encoded batch to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(start + HEADER_SIZE, 0);
        if self.compression == Compression::None {
            for r in &self.records {
                r.encode_into(out);
            }
        } else {
            let mut raw = Vec::with_capacity(self.records.iter().map(Record::size_in_bytes).sum());
            for r in &self.records {
                r.encode_into(&mut raw);
            }
            compression::compress(self.compression, &raw, out);
        }
        let batch_length = (out.len() - start - LOG_OVERHEAD) as i32;
        let h = &mut out[start..start + HEADER_SIZE];
        h[0..8].copy_from_slice(&self.base_offset.to_be_bytes());
        h[8..12].copy_from_slice(&batch_length.to_be_bytes());
        h[12..16].copy_from_slice(&self.partition_leader_epoch.to_be_bytes());
        h[16] = MAGIC as u8;
        h[21..23].copy_from_slice(&self.attributes().to_be_bytes());
        h[23..27].copy_from_slice(&self.last_offset_delta.to_be_bytes());
        h[27..35].copy_from_slice(&self.base_timestamp.to_be_bytes());
        h[35..43].copy_from_slice(&self.max_timestamp.to_be_bytes());
        h[43..51].copy_from_slice(&self.producer_id.to_be_bytes());
        h[51..53].copy_from_slice(&self.producer_epoch.to_be_bytes());
        h[53..57].copy_from_slice(&self.base_sequence.to_be_bytes());
        h[57..61].copy_from_slice(&(self.records.len() as i32).to_be_bytes());
        let crc = compute_crc(&out[start..]);
        out[start + CRC_OFFSET..start + CRC_OFFSET + 4].copy_from_slice(&crc.to_be_bytes());
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Decodes the batch at the start of `buf`, checking its CRC; returns the
    /// batch and the bytes it took.
    pub fn decode(buf: &[u8]) -> Result<(RecordBatch, usize), DecodeError> {
        BatchHeader::parse_checked(buf)?;
        Self::decode_unverified(buf)
    }

    /// Decodes without checking the CRC (dump-log shows corrupt batches too).
    pub fn decode_unverified(buf: &[u8]) -> Result<(RecordBatch, usize), DecodeError> {
        let h = BatchHeader::parse(buf)?;
        let size = h.size_in_bytes();
        let compression = h.compression().ok_or_else(|| {
            DecodeError::new(
                ATTRIBUTES_OFFSET,
                DecodeErrorKind::UnknownCompression(h.compression_id()),
            )
        })?;
        let count = h.records_count;
        let section = &buf[HEADER_SIZE..size];
        let decompressed;
        let records_buf = if compression == Compression::None {
            section
        } else {
            decompressed = compression::decompress(compression, section, MAX_DECOMPRESSED)
                .map_err(|m| DecodeError::new(HEADER_SIZE, DecodeErrorKind::Decompression(m)))?;
            &decompressed[..]
        };
        // Errors carry a position in `buf`: inside compressed data the best
        // we can point at is the start of the records section.
        let at = |pos: usize| {
            if compression == Compression::None {
                HEADER_SIZE + pos
            } else {
                HEADER_SIZE
            }
        };
        // Every record takes at least 7 bytes: bound the count by the input
        // before allocating for it.
        if count < 0 || (count as usize) > records_buf.len() / 7 {
            return Err(DecodeError::new(
                RECORDS_COUNT_OFFSET,
                DecodeErrorKind::InvalidRecordCount(count),
            ));
        }
        let mut records = Vec::with_capacity(count as usize);
        let mut pos = 0;
        for _ in 0..count {
            records.push(
                Record::decode(records_buf, &mut pos)
                    .map_err(|e| DecodeError::new(at(e.position), e.kind))?,
            );
        }
        if pos != records_buf.len() {
            return Err(DecodeError::new(
                at(pos),
                DecodeErrorKind::InvalidRecord(format!(
                    "{} bytes left after {count} records",
                    records_buf.len() - pos
                )),
            ));
        }
        Ok((
            RecordBatch {
                base_offset: h.base_offset,
                partition_leader_epoch: h.partition_leader_epoch,
                compression,
                timestamp_type: h.timestamp_type(),
                is_transactional: h.is_transactional(),
                is_control: h.is_control(),
                has_delete_horizon: h.has_delete_horizon(),
                last_offset_delta: h.last_offset_delta,
                base_timestamp: h.base_timestamp,
                max_timestamp: h.max_timestamp,
                producer_id: h.producer_id,
                producer_epoch: h.producer_epoch,
                base_sequence: h.base_sequence,
                records,
            },
            size,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RecordBatch {
        let recs = vec![
            SimpleRecord {
                timestamp: 1000,
                key: Some(b"k".to_vec()),
                value: Some(b"v0".to_vec()),
                headers: vec![],
            },
            SimpleRecord {
                timestamp: 1005,
                key: None,
                value: None,
                headers: vec![Header {
                    key: "h".into(),
                    value: Some(b"x".to_vec()),
                }],
            },
        ];
        RecordBatch::from_simple(7, &recs)
    }

    #[test]
    fn round_trip_and_header() {
        let b = sample();
        let bytes = b.encode();
        let h = BatchHeader::parse_checked(&bytes).unwrap();
        assert_eq!(h.base_offset, 7);
        assert_eq!(h.last_offset(), 8);
        assert_eq!(h.records_count, 2);
        assert_eq!(h.max_timestamp, 1005);
        assert_eq!(h.size_in_bytes(), bytes.len());
        let (d, n) = RecordBatch::decode(&bytes).unwrap();
        assert_eq!(n, bytes.len());
        assert_eq!(d, b);
    }

    #[test]
    fn base_offset_rewrite_keeps_crc() {
        let mut bytes = sample().encode();
        set_base_offset(&mut bytes, 1234);
        set_partition_leader_epoch(&mut bytes, 5);
        let h = BatchHeader::parse_checked(&bytes).unwrap();
        assert_eq!((h.base_offset, h.partition_leader_epoch), (1234, 5));
    }

    #[test]
    fn corrupt_crc_and_magic_are_reported_with_position() {
        let mut bytes = sample().encode();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        let err = BatchHeader::parse_checked(&bytes).unwrap_err();
        assert_eq!(err.position, CRC_OFFSET);
        assert!(matches!(err.kind, DecodeErrorKind::CrcMismatch { .. }));
        bytes[MAGIC_OFFSET] = 1;
        let err = BatchHeader::parse(&bytes).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::UnsupportedMagic(1));
    }

    #[test]
    fn truncated_batch_is_eof() {
        let bytes = sample().encode();
        let err = BatchHeader::parse(&bytes[..bytes.len() - 3]).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::UnexpectedEof { needed: 3 });
    }

    #[test]
    fn sequences_wrap_like_kafka() {
        assert_eq!(increment_sequence(i32::MAX, 1), 0);
        assert_eq!(increment_sequence(i32::MAX - 1, 3), 1);
        assert_eq!(increment_sequence(5, 4), 9);
    }
}

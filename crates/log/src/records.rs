//! Zero-copy walks over the records of one batch: validation on the append
//! hot path (no allocation for uncompressed batches), keys for compaction,
//! timestamps for offsetsForTimes.

use protocol::batch::{BatchHeader, HEADER_SIZE};
use protocol::compression::{self, Compression, MAX_DECOMPRESSED};
use protocol::varint::{get_varint, get_varlong};
use protocol::{DecodeError, DecodeErrorKind, TimestampType};

/// One record seen in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordView<'a> {
    pub offset_delta: i32,
    pub timestamp_delta: i64,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
}

impl RecordView<'_> {
    /// The record's timestamp as Kafka reports it: LogAppendTime batches
    /// stamp every record with the batch's max timestamp.
    pub fn timestamp(&self, h: &BatchHeader) -> i64 {
        match h.timestamp_type() {
            TimestampType::LogAppendTime => h.max_timestamp,
            TimestampType::CreateTime => h.base_timestamp + self.timestamp_delta,
        }
    }
}

fn invalid(pos: usize, m: String) -> DecodeError {
    DecodeError::new(pos, DecodeErrorKind::InvalidRecord(m))
}

/// Unsigned LEB128 of at most `MAX` bytes, inlined: this runs for every
/// field of every appended record. Same semantics as protocol's reader
/// (surplus high bits dropped); `None` sends the caller to that reader for
/// the exact error.
#[inline(always)]
fn uvar<const MAX: usize>(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for i in 0..MAX {
        let &b = buf.get(*pos)?;
        *pos += 1;
        value |= ((b & 0x7f) as u64) << (7 * i);
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[inline(always)]
fn varint(buf: &[u8], pos: &mut usize) -> Result<i32, DecodeError> {
    let start = *pos;
    match uvar::<5>(buf, pos) {
        Some(raw) => {
            let raw = raw as u32;
            Ok(((raw >> 1) as i32) ^ -((raw & 1) as i32))
        }
        None => {
            *pos = start;
            get_varint(buf, pos)
        }
    }
}

#[inline(always)]
fn varlong(buf: &[u8], pos: &mut usize) -> Result<i64, DecodeError> {
    let start = *pos;
    match uvar::<10>(buf, pos) {
        Some(raw) => Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64)),
        None => {
            *pos = start;
            get_varlong(buf, pos)
        }
    }
}

/// A varint-length-prefixed byte string ending by `end`; -1 is null.
#[inline(always)]
fn bytes<'a>(buf: &'a [u8], pos: &mut usize, end: usize) -> Result<Option<&'a [u8]>, DecodeError> {
    let at = *pos;
    let len = varint(&buf[..end], pos)?;
    if len == -1 {
        return Ok(None);
    }
    if len < 0 || len as usize > end - *pos {
        return Err(DecodeError::new(
            at,
            DecodeErrorKind::InvalidLength(len as i64),
        ));
    }
    let s = &buf[*pos..*pos + len as usize];
    *pos += len as usize;
    Ok(Some(s))
}

/// One record's body, `section[pos..end]`.
#[inline(always)]
fn record<'a>(
    section: &'a [u8],
    pos: &mut usize,
    end: usize,
    len: i32,
) -> Result<RecordView<'a>, DecodeError> {
    let body = &section[..end];
    if *pos >= end {
        return Err(DecodeError::eof(*pos, 1));
    }
    *pos += 1; // attributes, unused
    let timestamp_delta = varlong(body, pos)?;
    let offset_delta = varint(body, pos)?;
    let key = bytes(section, pos, end)?;
    let value = bytes(section, pos, end)?;
    let hc_at = *pos;
    let headers = varint(body, pos)?;
    if headers < 0 || headers as usize * 2 > end - *pos {
        return Err(invalid(hc_at, format!("header count {headers}")));
    }
    for _ in 0..headers {
        let key_at = *pos;
        if bytes(section, pos, end)?.is_none() {
            return Err(invalid(key_at, "null header key".into()));
        }
        bytes(section, pos, end)?;
    }
    if *pos != end {
        return Err(invalid(
            *pos,
            format!("record length {len} does not match its contents"),
        ));
    }
    Ok(RecordView {
        offset_delta,
        timestamp_delta,
        key,
        value,
    })
}

/// Walks `count` records in `section` (the records part of a batch,
/// decompressed), checking each record's structure; `base` shifts error
/// positions to the batch.
fn walk_section<'a, F: FnMut(RecordView<'a>)>(
    section: &'a [u8],
    count: i32,
    base: usize,
    f: &mut F,
) -> Result<(), DecodeError> {
    // Every record takes at least 7 bytes: a count beyond that is a lie.
    if count < 0 || count as usize > section.len() / 7 {
        return Err(DecodeError::new(
            protocol::batch::RECORDS_COUNT_OFFSET,
            DecodeErrorKind::InvalidRecordCount(count),
        ));
    }
    let mut pos = 0usize;
    for _ in 0..count {
        let start = pos;
        let len = varint(section, &mut pos).map_err(|e| e.shifted(base))?;
        if len < 0 || len as usize > section.len() - pos {
            return Err(DecodeError::new(
                base + start,
                DecodeErrorKind::InvalidLength(len as i64),
            ));
        }
        let end = pos + len as usize;
        f(record(section, &mut pos, end, len).map_err(|e| e.shifted(base))?);
    }
    if pos != section.len() {
        return Err(invalid(
            base + pos,
            format!("{} bytes left after {count} records", section.len() - pos),
        ));
    }
    Ok(())
}

/// Calls `f` for every record of the batch `batch` (whole batch bytes, header
/// already parsed as `h`). Compressed batches are decompressed first, bounded
/// by Kafka's decompression limit.
pub fn for_each_record(
    batch: &[u8],
    h: &BatchHeader,
    mut f: impl FnMut(RecordView<'_>),
) -> Result<(), DecodeError> {
    let section = &batch[HEADER_SIZE..h.size_in_bytes()];
    match h.compression() {
        Some(Compression::None) => walk_section(section, h.records_count, HEADER_SIZE, &mut f),
        Some(codec) => {
            let raw = compression::decompress(codec, section, MAX_DECOMPRESSED)
                .map_err(|m| DecodeError::new(HEADER_SIZE, DecodeErrorKind::Decompression(m)))?;
            walk_section(&raw, h.records_count, 0, &mut f)
        }
        None => Err(DecodeError::new(
            protocol::batch::ATTRIBUTES_OFFSET,
            DecodeErrorKind::UnknownCompression(h.compression_id()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::batch::{RecordBatch, SimpleRecord};

    fn rec(ts: i64, k: Option<&[u8]>, v: Option<&[u8]>) -> SimpleRecord {
        SimpleRecord {
            timestamp: ts,
            key: k.map(<[u8]>::to_vec),
            value: v.map(<[u8]>::to_vec),
            headers: vec![protocol::Header {
                key: "h".into(),
                value: None,
            }],
        }
    }

    #[test]
    fn walks_keys_values_and_timestamps() {
        let b =
            RecordBatch::from_simple(0, &[rec(10, Some(b"a"), Some(b"1")), rec(15, None, None)])
                .encode();
        let h = BatchHeader::parse(&b).unwrap();
        let mut seen = vec![];
        for_each_record(&b, &h, |r| {
            seen.push((
                r.offset_delta,
                r.timestamp(&h),
                r.key.map(<[u8]>::to_vec),
                r.value.is_none(),
            ))
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![(0, 10, Some(b"a".to_vec()), false), (1, 15, None, true)]
        );
    }

    #[test]
    fn lying_counts_and_lengths_are_errors_not_panics() {
        let mut b = RecordBatch::from_simple(0, &[rec(10, Some(b"a"), Some(b"1"))]).encode();
        let mut h = BatchHeader::parse(&b).unwrap();
        h.records_count = 2;
        assert!(for_each_record(&b, &h, |_| {}).is_err());
        h.records_count = i32::MAX;
        assert!(for_each_record(&b, &h, |_| {}).is_err());
        h.records_count = 1;
        b[HEADER_SIZE] = 0x7e; // record length 63: past the end
        let e = for_each_record(&b, &h, |_| {}).unwrap_err();
        assert_eq!(e.position, HEADER_SIZE);
    }
}

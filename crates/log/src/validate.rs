//! Checks on appended records before they reach a segment: Kafka's
//! `analyzeAndValidateRecords` plus the batch/record checks of its
//! `LogValidator` for leader appends.

use protocol::batch::{compute_crc, BatchHeader, CRC_OFFSET};
use protocol::DecodeErrorKind;

use crate::config::LogConfig;
use crate::error::LogError;
use crate::records::for_each_record;

/// Who is appending (Kafka's `AppendOrigin`): a producer (full validation,
/// offsets assigned), a coordinator on this broker (the same, but it may
/// write control records: transaction markers), or a replica fetcher
/// (offsets kept, only structure and CRC checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendOrigin {
    Client,
    Coordinator,
    Replication,
}

/// What the checks learned about the appended bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analysis {
    /// Bytes of whole batches; a partial batch at the end is dropped, as Kafka
    /// trims it.
    pub valid_bytes: usize,
    pub batches: usize,
    /// As the batches carry them (meaningful for replication).
    pub first_offset: i64,
    pub last_offset: i64,
    pub max_timestamp: i64,
    pub records_count: i64,
}

/// Validates `records` (a produce request's or a fetch response's batches).
pub fn analyze(
    records: &[u8],
    origin: AppendOrigin,
    config: &LogConfig,
) -> Result<Analysis, LogError> {
    let mut a = Analysis {
        valid_bytes: 0,
        batches: 0,
        first_offset: -1,
        last_offset: -1,
        max_timestamp: -1,
        records_count: 0,
    };
    let mut pos = 0;
    while pos < records.len() {
        let h = match BatchHeader::parse(&records[pos..]) {
            Ok(h) => h,
            // A partial batch at the end is cut off silently, as Kafka does.
            Err(e) if matches!(e.kind, DecodeErrorKind::UnexpectedEof { .. }) => break,
            Err(e) => {
                return Err(LogError::CorruptMessage {
                    position: pos + e.position,
                    reason: e.kind.to_string(),
                })
            }
        };
        let size = h.size_in_bytes();
        let batch = &records[pos..pos + size];
        if origin == AppendOrigin::Client && h.base_offset != 0 {
            return Err(LogError::InvalidRecord(format!(
                "the baseOffset of the record batch at byte {pos} should be 0, but it is {}",
                h.base_offset
            )));
        }
        if origin != AppendOrigin::Replication && size > config.max_message_bytes.max(0) as usize {
            return Err(LogError::MessageTooLarge {
                size,
                max: config.max_message_bytes,
            });
        }
        let computed = compute_crc(batch);
        if computed != h.crc {
            return Err(LogError::CorruptMessage {
                position: pos + CRC_OFFSET,
                reason: format!(
                    "record is corrupt (stored crc = {}, computed crc = {computed})",
                    h.crc
                ),
            });
        }
        if h.last_offset_delta < 0 {
            return Err(LogError::CorruptMessage {
                position: pos + protocol::batch::LAST_OFFSET_DELTA_OFFSET,
                reason: format!("negative last offset delta {}", h.last_offset_delta),
            });
        }
        if origin != AppendOrigin::Replication {
            validate_leader_batch(batch, &h, pos, config, origin)?;
        } else if a.batches > 0 && h.base_offset <= a.last_offset {
            return Err(LogError::InvalidRecord(format!(
                "out of order offsets: batch at byte {pos} starts at {} after offset {}",
                h.base_offset, a.last_offset
            )));
        }
        if a.batches == 0 {
            a.first_offset = h.base_offset;
        }
        a.last_offset = h.last_offset();
        a.max_timestamp = a.max_timestamp.max(h.max_timestamp);
        a.records_count += h.records_count.max(0) as i64;
        a.batches += 1;
        pos += size;
        a.valid_bytes = pos;
    }
    Ok(a)
}

/// `LogValidator.validateBatch` and `validateRecord` for batches appended
/// by the leader.
fn validate_leader_batch(
    batch: &[u8],
    h: &BatchHeader,
    pos: usize,
    config: &LogConfig,
    origin: AppendOrigin,
) -> Result<(), LogError> {
    let count = h.records_count;
    if count <= 0 {
        return Err(LogError::InvalidRecord(format!(
            "invalid reported count for record batch at byte {pos}: {count}"
        )));
    }
    if h.last_offset_delta as i64 + 1 != count as i64 {
        return Err(LogError::InvalidRecord(format!(
            "inconsistent batch offset range [0, {}] and count of records {count} at byte {pos}",
            h.last_offset_delta
        )));
    }
    if h.is_control() && origin == AppendOrigin::Client {
        return Err(LogError::InvalidRecord(
            "clients are not allowed to write control records".into(),
        ));
    }
    if origin == AppendOrigin::Client && h.producer_id >= 0 && h.base_sequence < 0 {
        return Err(LogError::InvalidRecord(format!(
            "invalid sequence number {} in record batch with producerId {}",
            h.base_sequence, h.producer_id
        )));
    }
    if h.is_transactional() && h.producer_id < 0 {
        return Err(LogError::InvalidRecord(
            "transactional record batch without a producer id".into(),
        ));
    }
    let compacted = config.cleanup_policy.compact;
    let mut expected = 0i32;
    let mut bad_offset = None;
    let mut missing_key = false;
    for_each_record(batch, h, |r| {
        if r.offset_delta != expected && bad_offset.is_none() {
            bad_offset = Some((expected, r.offset_delta));
        }
        missing_key |= compacted && r.key.is_none();
        expected = expected.wrapping_add(1);
    })
    .map_err(|e| LogError::InvalidRecord(format!("batch at byte {pos}: {e}")))?;
    if let Some((want, got)) = bad_offset {
        return Err(LogError::InvalidRecord(format!(
            "batch at byte {pos}: record offset delta {got} where {want} was expected"
        )));
    }
    if missing_key {
        return Err(LogError::InvalidRecord(
            "compacted topic cannot accept message without key".into(),
        ));
    }
    Ok(())
}

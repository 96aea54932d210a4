//! A `.log` segment, batch by batch, as DumpLogSegments prints it.
//!
//! Batches are read as Kafka's `FileLogInputStream` reads them: stop when
//! fewer than 17 bytes (up to the magic byte) remain or when a batch runs
//! past the end of the file; what is left is reported as invalid bytes. A
//! batch whose CRC does not match is still printed, with `isvalid: false`.

use super::{info, Options};
use crate::error::Result;
use protocol::batch::{
    compute_crc, increment_sequence, BatchHeader, HEADER_SIZE, LOG_OVERHEAD, MAGIC, NO_SEQUENCE,
};
use protocol::control::{ControlRecordType, EndTransactionMarker};
use protocol::{Record, RecordBatch, TimestampType};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::Path;

/// Kafka's `HEADER_SIZE_UP_TO_MAGIC`: bytes needed to read a batch's size
/// and magic.
const HEADER_SIZE_UP_TO_MAGIC: usize = 17;
/// Kafka's `LegacyRecord.RECORD_OVERHEAD_V0`, the smallest size it accepts.
const MIN_BATCH_LENGTH: i32 = 14;

pub fn dump(
    path: &Path,
    base_offset: i64,
    bytes: &[u8],
    opts: Options,
    out: &mut impl Write,
) -> Result<()> {
    info(out, opts, &format!("Log starting offset: {base_offset}"))?;
    let mut pos = 0usize;
    while bytes.len() - pos >= HEADER_SIZE_UP_TO_MAGIC {
        let rest = &bytes[pos..];
        let length = i32::from_be_bytes([rest[8], rest[9], rest[10], rest[11]]);
        if length < MIN_BATCH_LENGTH {
            eprintln!(
                "Found record size {length} smaller than minimum record overhead ({MIN_BATCH_LENGTH}) in file {}.",
                path.display()
            );
            break;
        }
        let size = LOG_OVERHEAD + length as usize;
        if size > rest.len() {
            break; // torn tail: reported below as invalid bytes
        }
        let batch = &rest[..size];
        match BatchHeader::parse(batch) {
            Ok(h) => dump_batch(pos, &h, batch, opts, out)?,
            Err(e) if rest[16] as i8 != MAGIC => eprintln!(
                "Skipping the magic {} batch at position {pos}: only record batch v2 is supported ({e})",
                rest[16] as i8
            ),
            Err(e) => eprintln!("Skipping the unreadable batch at position {pos}: {e}"),
        }
        pos += size;
    }
    let trailing = bytes.len() - pos;
    if trailing > 0 {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        info(
            out,
            opts,
            &format!("Found {trailing} invalid bytes at the end of {name}"),
        )?;
    }
    Ok(())
}

fn dump_batch(
    position: usize,
    h: &BatchHeader,
    bytes: &[u8],
    opts: Options,
    out: &mut impl Write,
) -> Result<()> {
    let valid = bytes.len() >= HEADER_SIZE && compute_crc(bytes) == h.crc;
    let codec = h.compression().map_or_else(
        || format!("unknown({})", h.compression_id()),
        |c| c.name().to_string(),
    );
    // Kafka's deleteHorizonMs is an OptionalLong: the base timestamp when the
    // delete-horizon bit is set.
    let delete_horizon = h.has_delete_horizon().then_some(h.base_timestamp);
    let records = if opts.deep {
        match RecordBatch::decode_unverified(bytes) {
            Ok((batch, _)) => Some(batch),
            Err(e) => {
                eprintln!("Cannot read the records of the batch at position {position}: {e}");
                None
            }
        }
    } else {
        None
    };
    if opts.json {
        let mut o = json!({
            "baseOffset": h.base_offset,
            "lastOffset": h.last_offset(),
            "count": h.records_count,
            "baseSequence": h.base_sequence,
            "lastSequence": h.last_sequence(),
            "producerId": h.producer_id,
            "producerEpoch": h.producer_epoch,
            "partitionLeaderEpoch": h.partition_leader_epoch,
            "isTransactional": h.is_transactional(),
            "isControl": h.is_control(),
            "deleteHorizonMs": delete_horizon,
            "position": position,
            "timestampType": h.timestamp_type().name(),
            "maxTimestamp": h.max_timestamp,
            "size": bytes.len(),
            "magic": h.magic,
            "compresscodec": codec,
            "crc": h.crc,
            "isvalid": valid,
        });
        if let (Some(batch), Value::Object(map)) = (&records, &mut o) {
            let list = batch
                .records
                .iter()
                .map(|r| record_json(batch, r, opts))
                .collect();
            map.insert("records".into(), Value::Array(list));
        }
        writeln!(out, "{o}")?;
        return Ok(());
    }
    let horizon = delete_horizon.map_or_else(
        || "OptionalLong.empty".to_string(),
        |t| format!("OptionalLong[{t}]"),
    );
    writeln!(
        out,
        "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} \
         producerId: {} producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} \
         isControl: {} deleteHorizonMs: {horizon} position: {position} {}: {} size: {} \
         magic: {} compresscodec: {codec} crc: {} isvalid: {valid}",
        h.base_offset,
        h.last_offset(),
        h.records_count,
        h.base_sequence,
        h.last_sequence(),
        h.producer_id,
        h.producer_epoch,
        h.partition_leader_epoch,
        h.is_transactional(),
        h.is_control(),
        h.timestamp_type().name(),
        h.max_timestamp,
        bytes.len(),
        h.magic,
        h.crc,
    )?;
    if let Some(batch) = &records {
        for r in &batch.records {
            writeln!(out, "{}", record_line(batch, r, opts))?;
        }
    }
    Ok(())
}

/// The record's fields as Kafka's `DefaultRecord` reports them.
struct View {
    offset: i64,
    timestamp: i64,
    key_size: i32,
    value_size: i32,
    sequence: i32,
}

fn view(batch: &RecordBatch, r: &Record) -> View {
    // LogAppendTime batches give every record the batch's max timestamp.
    let timestamp = match batch.timestamp_type {
        TimestampType::LogAppendTime => batch.max_timestamp,
        TimestampType::CreateTime => batch.base_timestamp.wrapping_add(r.timestamp_delta),
    };
    let sequence = if batch.base_sequence >= 0 {
        increment_sequence(batch.base_sequence, r.offset_delta)
    } else {
        NO_SEQUENCE
    };
    let size = |b: &Option<Vec<u8>>| b.as_ref().map_or(-1, |b| b.len() as i32);
    View {
        offset: batch.base_offset.wrapping_add(i64::from(r.offset_delta)),
        timestamp,
        key_size: size(&r.key),
        value_size: size(&r.value),
        sequence,
    }
}

/// What a control record carries, in Kafka's words.
fn control_text(r: &Record) -> String {
    let Some(kind) = r.key.as_deref().and_then(ControlRecordType::parse_key) else {
        return " controlType: UNKNOWN(-1)".into();
    };
    match kind {
        ControlRecordType::Abort | ControlRecordType::Commit => {
            match EndTransactionMarker::from_record(r) {
                Some(m) => format!(
                    " endTxnMarker: {} coordinatorEpoch: {}",
                    m.control_type.name(),
                    m.coordinator_epoch
                ),
                None => format!(" controlType: {}({})", kind.name(), kind.type_id()),
            }
        }
        other => format!(" controlType: {}({})", other.name(), other.type_id()),
    }
}

/// Kafka's default `StringDecoder`: the bytes as UTF-8.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn record_line(batch: &RecordBatch, r: &Record, opts: Options) -> String {
    let v = view(batch, r);
    let keys: Vec<&str> = r.headers.iter().map(|h| h.key.as_str()).collect();
    let mut line = format!(
        "| offset: {} {}: {} keySize: {} valueSize: {} sequence: {} headerKeys: [{}]",
        v.offset,
        batch.timestamp_type.name(),
        v.timestamp,
        v.key_size,
        v.value_size,
        v.sequence,
        keys.join(",")
    );
    if batch.is_control {
        line.push_str(&control_text(r));
    } else if opts.data {
        if let Some(k) = &r.key {
            line.push_str(&format!(" key: {}", text(k)));
        }
        if let Some(p) = &r.value {
            line.push_str(&format!(" payload: {}", text(p)));
        }
    }
    line
}

fn record_json(batch: &RecordBatch, r: &Record, opts: Options) -> Value {
    let v = view(batch, r);
    let mut m = Map::new();
    m.insert("offset".into(), v.offset.into());
    m.insert(batch.timestamp_type.name().into(), v.timestamp.into());
    m.insert("keySize".into(), v.key_size.into());
    m.insert("valueSize".into(), v.value_size.into());
    m.insert("sequence".into(), v.sequence.into());
    let keys: Vec<Value> = r.headers.iter().map(|h| h.key.clone().into()).collect();
    m.insert("headerKeys".into(), keys.into());
    if batch.is_control {
        match EndTransactionMarker::from_record(r) {
            Some(marker) => {
                m.insert("endTxnMarker".into(), marker.control_type.name().into());
                m.insert("coordinatorEpoch".into(), marker.coordinator_epoch.into());
            }
            None => {
                let kind = r.key.as_deref().and_then(ControlRecordType::parse_key);
                m.insert(
                    "controlType".into(),
                    kind.map_or(Value::Null, |k| k.name().into()),
                );
            }
        }
    } else if opts.data {
        m.insert("key".into(), r.key.as_deref().map(text).into());
        m.insert("payload".into(), r.value.as_deref().map(text).into());
    }
    Value::Object(m)
}

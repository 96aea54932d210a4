//! `.index` (8-byte entries: int32 offset relative to the base offset, int32
//! position in the .log) and `.timeindex` (12-byte entries: int64 timestamp,
//! int32 relative offset). Index files may be preallocated with zeros: like
//! Kafka, stop at the first entry after the first that maps to the base
//! offset.

use super::{info, Options};
use crate::error::Result;
use serde_json::json;
use std::io::Write;
use std::path::Path;

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

pub fn dump_offset_index(
    path: &Path,
    base_offset: i64,
    bytes: &[u8],
    opts: Options,
    out: &mut impl Write,
) -> Result<()> {
    if bytes.len() < 8 {
        return info(out, opts, &format!("{} is empty.", path.display()));
    }
    for (i, e) in bytes.chunks_exact(8).enumerate() {
        let offset = base_offset + i64::from(be_i32(&e[..4]));
        let position = be_i32(&e[4..]);
        if offset == base_offset && i > 0 {
            break;
        }
        if opts.json {
            writeln!(out, "{}", json!({"offset": offset, "position": position}))?;
        } else {
            writeln!(out, "offset: {offset} position: {position}")?;
        }
    }
    Ok(())
}

pub fn dump_time_index(
    base_offset: i64,
    bytes: &[u8],
    opts: Options,
    out: &mut impl Write,
) -> Result<()> {
    for (i, e) in bytes.chunks_exact(12).enumerate() {
        let timestamp = i64::from_be_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]);
        let offset = base_offset + i64::from(be_i32(&e[8..]));
        if offset == base_offset && i > 0 {
            break;
        }
        if opts.json {
            writeln!(out, "{}", json!({"timestamp": timestamp, "offset": offset}))?;
        } else {
            writeln!(out, "timestamp: {timestamp} offset: {offset}")?;
        }
    }
    Ok(())
}

//! A replica's segments and one segment's batches and index entries, as
//! `kafka-dump-log.sh` prints them (`--files X.log`, `X.index`,
//! `X.timeindex`), for the page's segment view. Works on any [`Log`]: a
//! running broker's (through [`crate::query`]) or the one a down broker's
//! disk would recover (the cluster opens it).

use log::{Log, Storage};
use protocol::batch::BatchHeader;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SegmentSummary {
    pub base_offset: i64,
    pub next_offset: i64,
    pub bytes: u64,
    pub batches: usize,
    /// Kafka's file name: `00000000000000000000.log`.
    pub file: String,
    pub active: bool,
}

/// One batch's v2 header, where it sits and whether its CRC holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchSummary {
    pub position: u64,
    pub header: BatchHeader,
    pub crc_valid: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SegmentDump {
    pub base_offset: i64,
    /// The first `limit` batches.
    pub batches: Vec<BatchSummary>,
    pub more_batches: usize,
    /// (offset, position), the first `limit`.
    pub offset_index: Vec<(i64, i32)>,
    /// (timestamp, offset), the first `limit`.
    pub time_index: Vec<(i64, i64)>,
    /// Entries of either index beyond those listed.
    pub more_index: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SegmentsAnswer {
    pub segments: Vec<SegmentSummary>,
    /// The segment at `base` if asked for and present.
    pub dump: Option<SegmentDump>,
}

/// The segments of `log` and, with `base`, that segment's first `limit`
/// batches and index entries (a segment can hold millions).
pub fn segments_of<S: Storage>(log: &Log<S>, base: Option<i64>, limit: usize) -> SegmentsAnswer {
    let active = log.active_segment().base_offset();
    let segments = log
        .segments()
        .map(|s| SegmentSummary {
            base_offset: s.base_offset(),
            next_offset: s.next_offset(),
            bytes: s.size() as u64,
            batches: s.batches().count(),
            file: s.log_file_name().to_string(),
            active: s.base_offset() == active,
        })
        .collect();
    let dump = base
        .and_then(|b| log.segments().find(|s| s.base_offset() == b))
        .map(|s| {
            let bytes = s.bytes();
            let mut batches = Vec::new();
            let mut more_batches = 0;
            for (pos, header) in s.batches() {
                if batches.len() == limit {
                    more_batches += 1;
                    continue;
                }
                batches.push(BatchSummary {
                    position: pos as u64,
                    crc_valid: BatchHeader::parse_checked(&bytes[pos..]).is_ok(),
                    header,
                });
            }
            let (oi, ti) = (s.offset_index(), s.time_index());
            SegmentDump {
                base_offset: s.base_offset(),
                batches,
                more_batches,
                offset_index: oi.entries().take(limit).collect(),
                time_index: ti.entries().take(limit).collect(),
                more_index: oi.entries().len().saturating_sub(limit)
                    + ti.entries().len().saturating_sub(limit),
            }
        });
    SegmentsAnswer { segments, dump }
}

//! Control records: the transaction markers a transaction coordinator has
//! partition leaders write (Kafka's `ControlRecordType`,
//! `EndTransactionMarker`, `MemoryRecords.withEndTransactionMarker`).
//!
//! A control batch has the control and transactional attribute bits set, the
//! producer's id and epoch, no sequence, and one record whose key is
//! `version int16 (0) + type int16` and whose value is
//! `version int16 (0) + coordinatorEpoch int32`.

use crate::batch::{RecordBatch, NO_SEQUENCE};
use crate::record::Record;

/// The key of a control record. Kafka also defines the KRaft types below;
/// they are read (and printed by dump-log) but never written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlRecordType {
    Abort,
    Commit,
    LeaderChange,
    SnapshotHeader,
    SnapshotFooter,
    KraftVersion,
    KraftVoters,
    /// A type id this version does not know.
    Unknown(i16),
}

/// Current version of the control record key.
pub const CONTROL_KEY_VERSION: i16 = 0;
/// Current version of the end-transaction-marker value.
pub const END_TXN_MARKER_VERSION: i16 = 0;

impl ControlRecordType {
    pub fn type_id(self) -> i16 {
        match self {
            Self::Abort => 0,
            Self::Commit => 1,
            Self::LeaderChange => 2,
            Self::SnapshotHeader => 3,
            Self::SnapshotFooter => 4,
            Self::KraftVersion => 5,
            Self::KraftVoters => 6,
            Self::Unknown(id) => id,
        }
    }

    pub fn from_type_id(id: i16) -> Self {
        match id {
            0 => Self::Abort,
            1 => Self::Commit,
            2 => Self::LeaderChange,
            3 => Self::SnapshotHeader,
            4 => Self::SnapshotFooter,
            5 => Self::KraftVersion,
            6 => Self::KraftVoters,
            other => Self::Unknown(other),
        }
    }

    /// Kafka's enum constant name, as dump-log prints it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Abort => "ABORT",
            Self::Commit => "COMMIT",
            Self::LeaderChange => "LEADER_CHANGE",
            Self::SnapshotHeader => "SNAPSHOT_HEADER",
            Self::SnapshotFooter => "SNAPSHOT_FOOTER",
            Self::KraftVersion => "KRAFT_VERSION",
            Self::KraftVoters => "KRAFT_VOTERS",
            Self::Unknown(_) => "UNKNOWN",
        }
    }

    /// The 4-byte record key.
    pub fn key(self) -> [u8; 4] {
        let mut k = [0; 4];
        k[..2].copy_from_slice(&CONTROL_KEY_VERSION.to_be_bytes());
        k[2..].copy_from_slice(&self.type_id().to_be_bytes());
        k
    }

    /// Parses a control record key (Kafka's `ControlRecordType.parse`): at
    /// least 4 bytes; a newer key version still carries the type at bytes 2-3.
    pub fn parse_key(key: &[u8]) -> Option<Self> {
        let id = key.get(2..4)?;
        Some(Self::from_type_id(i16::from_be_bytes([id[0], id[1]])))
    }
}

/// The value of an ABORT or COMMIT control record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndTransactionMarker {
    pub control_type: ControlRecordType,
    pub coordinator_epoch: i32,
}

impl EndTransactionMarker {
    pub fn new(commit: bool, coordinator_epoch: i32) -> Self {
        let control_type = if commit {
            ControlRecordType::Commit
        } else {
            ControlRecordType::Abort
        };
        EndTransactionMarker {
            control_type,
            coordinator_epoch,
        }
    }

    /// The 6-byte record value.
    pub fn value(&self) -> [u8; 6] {
        let mut v = [0; 6];
        v[..2].copy_from_slice(&END_TXN_MARKER_VERSION.to_be_bytes());
        v[2..].copy_from_slice(&self.coordinator_epoch.to_be_bytes());
        v
    }

    /// Reads a marker from a control record; `None` unless it is an ABORT
    /// or COMMIT record with a value of at least 6 bytes.
    pub fn from_record(record: &Record) -> Option<Self> {
        let control_type = ControlRecordType::parse_key(record.key.as_deref()?)?;
        if !matches!(
            control_type,
            ControlRecordType::Abort | ControlRecordType::Commit
        ) {
            return None;
        }
        let epoch = record.value.as_deref()?.get(2..6)?;
        Some(EndTransactionMarker {
            control_type,
            coordinator_epoch: i32::from_be_bytes([epoch[0], epoch[1], epoch[2], epoch[3]]),
        })
    }

    /// The batch a partition leader appends for this marker (Kafka's
    /// `MemoryRecords.withEndTransactionMarker`).
    pub fn to_batch(
        &self,
        base_offset: i64,
        timestamp: i64,
        partition_leader_epoch: i32,
        producer_id: i64,
        producer_epoch: i16,
    ) -> RecordBatch {
        RecordBatch {
            base_offset,
            partition_leader_epoch,
            is_transactional: true,
            is_control: true,
            last_offset_delta: 0,
            base_timestamp: timestamp,
            max_timestamp: timestamp,
            producer_id,
            producer_epoch,
            base_sequence: NO_SEQUENCE,
            records: vec![Record {
                key: Some(self.control_type.key().to_vec()),
                value: Some(self.value().to_vec()),
                ..Record::default()
            }],
            ..RecordBatch::default()
        }
    }

    /// The marker of a control batch; `None` if the batch is not a control
    /// batch holding an ABORT/COMMIT record.
    pub fn from_batch(batch: &RecordBatch) -> Option<Self> {
        if !batch.is_control {
            return None;
        }
        batch.records.first().and_then(Self::from_record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::BatchHeader;

    #[test]
    fn commit_marker_batch_bytes() {
        let marker = EndTransactionMarker::new(true, 7);
        let batch = marker.to_batch(42, 1_700_000_000_000, 3, 1000, 5);
        let bytes = batch.encode();
        let h = BatchHeader::parse_checked(&bytes).unwrap();
        assert!(h.is_control() && h.is_transactional());
        assert_eq!(h.attributes, 0x30);
        assert_eq!(
            (h.producer_id, h.producer_epoch, h.base_sequence),
            (1000, 5, -1)
        );
        assert_eq!(
            (h.base_offset, h.last_offset(), h.records_count),
            (42, 42, 1)
        );
        // The single record: length 16, attrs 0, ts delta 0, offset delta 0,
        // key len 4 + [0,0,0,1], value len 6 + [0,0,0,0,0,7], 0 headers.
        assert_eq!(
            &bytes[61..],
            &[0x20, 0, 0, 0, 0x08, 0, 0, 0, 1, 0x0c, 0, 0, 0, 0, 0, 7, 0]
        );
        let (decoded, _) = RecordBatch::decode(&bytes).unwrap();
        assert_eq!(EndTransactionMarker::from_batch(&decoded), Some(marker));
    }

    #[test]
    fn abort_and_unknown_types() {
        assert_eq!(ControlRecordType::Abort.key(), [0, 0, 0, 0]);
        assert_eq!(
            ControlRecordType::parse_key(&[0, 0, 0, 2]),
            Some(ControlRecordType::LeaderChange)
        );
        assert_eq!(
            ControlRecordType::parse_key(&[0, 1, 0, 9]),
            Some(ControlRecordType::Unknown(9))
        );
        assert_eq!(ControlRecordType::parse_key(&[0, 0]), None);
        let rec = Record {
            key: Some(vec![0, 0, 0, 0]),
            value: Some(vec![0, 0, 0, 0]),
            ..Record::default()
        };
        assert_eq!(EndTransactionMarker::from_record(&rec), None, "short value");
        let not_control = RecordBatch::default();
        assert_eq!(EndTransactionMarker::from_batch(&not_control), None);
    }
}

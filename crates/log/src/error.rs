//! Log errors, named and numbered as Kafka's `Errors` enum names them, so the
//! broker can put [`LogError::code`] straight into a response.

use std::fmt;

use crate::storage::StorageError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogError {
    /// CORRUPT_MESSAGE (2): CRC mismatch or a batch that does not parse.
    CorruptMessage { position: usize, reason: String },
    /// MESSAGE_TOO_LARGE (10): a batch larger than `max.message.bytes`.
    MessageTooLarge { size: usize, max: i32 },
    /// RECORD_LIST_TOO_LARGE (18): the appended bytes exceed `segment.bytes`.
    RecordListTooLarge { size: usize, max: i32 },
    /// INVALID_RECORD (87): well formed but not acceptable (e.g. no key on a
    /// compacted topic, offsets inside a batch not sequential).
    InvalidRecord(String),
    /// OFFSET_OUT_OF_RANGE (1).
    OffsetOutOfRange {
        offset: i64,
        log_start_offset: i64,
        log_end_offset: i64,
    },
    /// Kafka's `UnexpectedAppendOffsetException` (a follower appending below
    /// its LEO); reported to clients as UNKNOWN_SERVER_ERROR (-1).
    UnexpectedAppendOffset {
        first_offset: i64,
        log_end_offset: i64,
    },
    /// Kafka's `LogSegmentOffsetOverflowException`; UNKNOWN_SERVER_ERROR.
    OffsetOverflow { base_offset: i64, offset: i64 },
    /// OUT_OF_ORDER_SEQUENCE_NUMBER (45).
    OutOfOrderSequence(String),
    /// INVALID_PRODUCER_EPOCH (47).
    InvalidProducerEpoch(String),
    /// INVALID_TXN_STATE (48): a non-transactional write inside a transaction.
    InvalidTxnState(String),
    /// KAFKA_STORAGE_ERROR (56): the store refused (quota, missing file).
    Storage(StorageError),
    /// A file that recovery cannot repair (KAFKA_STORAGE_ERROR).
    CorruptFile {
        path: String,
        position: u64,
        reason: String,
    },
}

impl LogError {
    /// Kafka's error code.
    pub fn code(&self) -> i16 {
        match self {
            Self::CorruptMessage { .. } => 2,
            Self::MessageTooLarge { .. } => 10,
            Self::RecordListTooLarge { .. } => 18,
            Self::InvalidRecord(_) => 87,
            Self::OffsetOutOfRange { .. } => 1,
            Self::UnexpectedAppendOffset { .. } | Self::OffsetOverflow { .. } => -1,
            Self::OutOfOrderSequence(_) => 45,
            Self::InvalidProducerEpoch(_) => 47,
            Self::InvalidTxnState(_) => 48,
            Self::Storage(_) | Self::CorruptFile { .. } => 56,
        }
    }

    /// Kafka's error name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CorruptMessage { .. } => "CORRUPT_MESSAGE",
            Self::MessageTooLarge { .. } => "MESSAGE_TOO_LARGE",
            Self::RecordListTooLarge { .. } => "RECORD_LIST_TOO_LARGE",
            Self::InvalidRecord(_) => "INVALID_RECORD",
            Self::OffsetOutOfRange { .. } => "OFFSET_OUT_OF_RANGE",
            Self::UnexpectedAppendOffset { .. } | Self::OffsetOverflow { .. } => {
                "UNKNOWN_SERVER_ERROR"
            }
            Self::OutOfOrderSequence(_) => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            Self::InvalidProducerEpoch(_) => "INVALID_PRODUCER_EPOCH",
            Self::InvalidTxnState(_) => "INVALID_TXN_STATE",
            Self::Storage(_) | Self::CorruptFile { .. } => "KAFKA_STORAGE_ERROR",
        }
    }
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name())?;
        match self {
            Self::CorruptMessage { position, reason } => {
                write!(f, "corrupt record batch at byte {position}: {reason}")
            }
            Self::MessageTooLarge { size, max } => write!(
                f,
                "record batch of {size} bytes is larger than max.message.bytes ({max})"
            ),
            Self::RecordListTooLarge { size, max } => write!(
                f,
                "{size} bytes of records are larger than segment.bytes ({max})"
            ),
            Self::InvalidRecord(m) => f.write_str(m),
            Self::OffsetOutOfRange {
                offset,
                log_start_offset,
                log_end_offset,
            } => write!(
                f,
                "offset {offset} is outside the log's range [{log_start_offset}, {log_end_offset}]"
            ),
            Self::UnexpectedAppendOffset {
                first_offset,
                log_end_offset,
            } => write!(
                f,
                "follower append at offset {first_offset} is below the log end offset {log_end_offset}"
            ),
            Self::OffsetOverflow {
                base_offset,
                offset,
            } => write!(
                f,
                "offset {offset} does not fit a segment based at {base_offset} (relative offset overflows int32)"
            ),
            Self::OutOfOrderSequence(m) | Self::InvalidProducerEpoch(m) | Self::InvalidTxnState(m) => {
                f.write_str(m)
            }
            Self::Storage(e) => write!(f, "{e}"),
            Self::CorruptFile {
                path,
                position,
                reason,
            } => write!(f, "{path} at byte {position}: {reason}"),
        }
    }
}

impl std::error::Error for LogError {}

impl From<StorageError> for LogError {
    fn from(e: StorageError) -> Self {
        LogError::Storage(e)
    }
}

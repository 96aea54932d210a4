//! Kafka's formats, byte for byte: record batch v2 (magic 2), zigzag varints,
//! CRC-32C, compression codecs, control records, error codes and the default
//! partitioner's hash. Pure: no IO, no clock, compiles to wasm32.

pub mod batch;
pub mod compression;
pub mod control;
pub mod error;
pub mod error_code;
pub mod partitioner_hash;
pub mod record;
pub mod varint;

pub use batch::{BatchHeader, RecordBatch, TimestampType};
pub use compression::Compression;
pub use control::{ControlRecordType, EndTransactionMarker};
pub use error::{DecodeError, DecodeErrorKind};
pub use error_code::ErrorCode;
pub use partitioner_hash::{murmur2, to_positive};
pub use record::{Header, Record};

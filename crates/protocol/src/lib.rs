//! Kafka's formats, byte for byte: record batch v2 (magic 2), zigzag varints,
//! CRC-32C, compression codecs and error codes. Pure: no IO, compiles to wasm32.

pub mod batch;
pub mod compression;
pub mod error;
pub mod record;
pub mod varint;

pub use batch::{BatchHeader, RecordBatch, TimestampType};
pub use compression::Compression;
pub use error::{DecodeError, DecodeErrorKind};
pub use record::{Header, Record};

//! Decoding errors always say *where* (byte position in the input) and *what*.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ended while `needed` more bytes were expected.
    UnexpectedEof { needed: usize },
    /// Only magic 2 (record batch v2) is supported.
    UnsupportedMagic(i8),
    /// A length field is negative or points past the end of the input.
    InvalidLength(i64),
    /// A varint used more bytes than its type allows.
    VarintTooLong,
    /// The stored CRC-32C does not match the computed one.
    CrcMismatch { stored: u32, computed: u32 },
    /// A record count that the remaining bytes cannot hold.
    InvalidRecordCount(i32),
    /// Compression codec id outside 0..=4.
    UnknownCompression(u8),
    /// The codec rejected the data (message from the codec).
    Decompression(String),
    /// A structurally invalid record (message says which field).
    InvalidRecord(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte position in the decoded input where the problem was found.
    pub position: usize,
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    pub fn new(position: usize, kind: DecodeErrorKind) -> Self {
        Self { position, kind }
    }

    pub fn eof(position: usize, needed: usize) -> Self {
        Self::new(position, DecodeErrorKind::UnexpectedEof { needed })
    }

    /// The same error, moved by `base` bytes (for errors found in a slice).
    pub fn shifted(mut self, base: usize) -> Self {
        self.position += base;
        self
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedEof { needed } => {
                write!(f, "unexpected end of input ({needed} more bytes needed)")
            }
            Self::UnsupportedMagic(m) => {
                write!(f, "unsupported magic byte {m} (only 2 is supported)")
            }
            Self::InvalidLength(l) => write!(f, "invalid length {l}"),
            Self::VarintTooLong => write!(f, "varint is too long"),
            Self::CrcMismatch { stored, computed } => write!(
                f,
                "CRC-32C mismatch: stored {stored:#010x}, computed {computed:#010x}"
            ),
            Self::InvalidRecordCount(c) => write!(f, "invalid record count {c}"),
            Self::UnknownCompression(c) => write!(f, "unknown compression codec id {c}"),
            Self::Decompression(m) => write!(f, "decompression failed: {m}"),
            Self::InvalidRecord(m) => write!(f, "invalid record: {m}"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.position, self.kind)
    }
}

impl std::error::Error for DecodeError {}

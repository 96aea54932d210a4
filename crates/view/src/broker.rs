//! The messages between the page (main thread) and a broker worker
//! (`crates/worker`), and each broker's IndexedDB database name. Here, not
//! in `kafkascope-worker`, so the page links this codec without the broker.
//!
//! Compact binary, hand-written, no JSON: every message is
//! `[VERSION, tag, fields...]` with integers little-endian and strings as a
//! `u32` byte length followed by UTF-8. The bytes travel as a transferred
//! `ArrayBuffer` (see `post` in the worker and the page). Pure Rust: builds
//! and tests natively and on wasm32.

use std::fmt;

/// The IndexedDB database name of broker `broker_id`.
pub fn database_name(broker_id: i32) -> String {
    format!("kafkascope-broker-{broker_id}")
}

/// First byte of every message; bump when the layout changes.
pub const VERSION: u8 = 1;

/// Page -> worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToWorker {
    /// Become broker `broker_id`: open its IndexedDB database and report.
    Start { broker_id: i32 },
}

/// Worker -> page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromWorker {
    /// The worker's wasm is running and it listens for messages.
    Hello,
    /// The broker opened its store, wrote and read back its first segment.
    Ready {
        broker_id: i32,
        /// Name of the segment file it verified (`00000000000000000000.log`).
        segment: String,
        /// Records in the verified batch.
        records: u32,
        /// Bytes this broker has in IndexedDB, over all its files.
        stored_bytes: u64,
    },
    /// The broker could not start; `message` says what failed, for a person.
    Failed { broker_id: i32, message: String },
}

const TAG_START: u8 = 1;
const TAG_HELLO: u8 = 0x81;
const TAG_READY: u8 = 0x82;
const TAG_FAILED: u8 = 0x83;

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The message ended `needed` bytes early at `position`.
    Truncated { position: usize, needed: usize },
    /// The first byte is not [`VERSION`].
    Version(u8),
    /// Unknown message tag.
    Tag(u8),
    /// A string field is not UTF-8.
    Utf8 { position: usize },
    /// Bytes left over after a complete message.
    Trailing { position: usize },
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { position, needed } => {
                write!(
                    f,
                    "message truncated at byte {position} ({needed} more bytes needed)"
                )
            }
            Self::Version(v) => write!(f, "message version {v}, expected {VERSION}"),
            Self::Tag(t) => write!(f, "unknown message tag {t:#04x}"),
            Self::Utf8 { position } => write!(f, "string at byte {position} is not UTF-8"),
            Self::Trailing { position } => write!(f, "unexpected bytes after byte {position}"),
        }
    }
}

impl std::error::Error for CodecError {}

impl ToWorker {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Self::Start { broker_id } => {
                w.u8(TAG_START);
                w.i32(*broker_id);
            }
        }
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(bytes)?;
        let msg = match r.u8()? {
            TAG_START => Self::Start {
                broker_id: r.i32()?,
            },
            t => return Err(CodecError::Tag(t)),
        };
        r.finish()?;
        Ok(msg)
    }
}

impl FromWorker {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Self::Hello => w.u8(TAG_HELLO),
            Self::Ready {
                broker_id,
                segment,
                records,
                stored_bytes,
            } => {
                w.u8(TAG_READY);
                w.i32(*broker_id);
                w.str(segment);
                w.u32(*records);
                w.u64(*stored_bytes);
            }
            Self::Failed { broker_id, message } => {
                w.u8(TAG_FAILED);
                w.i32(*broker_id);
                w.str(message);
            }
        }
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(bytes)?;
        let msg = match r.u8()? {
            TAG_HELLO => Self::Hello,
            TAG_READY => Self::Ready {
                broker_id: r.i32()?,
                segment: r.str()?,
                records: r.u32()?,
                stored_bytes: r.u64()?,
            },
            TAG_FAILED => Self::Failed {
                broker_id: r.i32()?,
                message: r.str()?,
            },
            t => return Err(CodecError::Tag(t)),
        };
        r.finish()?;
        Ok(msg)
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn new() -> Self {
        Writer(vec![VERSION])
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        // Longer strings are cut at a char boundary: a message never fails to encode.
        let mut end = s.len().min(u32::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.u32(end as u32);
        self.0.extend_from_slice(&s.as_bytes()[..end]);
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader { buf, pos: 0 };
        match r.u8()? {
            VERSION => Ok(r),
            v => Err(CodecError::Version(v)),
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let left = self.buf.len() - self.pos;
        if left < n {
            return Err(CodecError::Truncated {
                position: self.pos,
                needed: n - left,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }
    fn i32(&mut self) -> Result<i32, CodecError> {
        Ok(i32::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn str(&mut self) -> Result<String, CodecError> {
        let len = self.u32()? as usize;
        let position = self.pos;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::Utf8 { position })
    }
    fn finish(&self) -> Result<(), CodecError> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(CodecError::Trailing { position: self.pos })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn all_from_worker() -> Vec<FromWorker> {
        vec![
            FromWorker::Hello,
            FromWorker::Ready {
                broker_id: 2,
                segment: "00000000000000000000.log".into(),
                records: 3,
                stored_bytes: 1 << 40,
            },
            FromWorker::Failed {
                broker_id: -1,
                message: "IndexedDB unavailable: 配额".into(),
            },
        ]
    }

    #[test]
    fn round_trips() {
        for m in all_from_worker() {
            assert_eq!(FromWorker::decode(&m.encode()), Ok(m));
        }
        let s = ToWorker::Start { broker_id: 7 };
        assert_eq!(s.encode(), vec![VERSION, TAG_START, 7, 0, 0, 0]);
        assert_eq!(ToWorker::decode(&s.encode()), Ok(s));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        for m in all_from_worker() {
            let bytes = m.encode();
            for cut in 0..bytes.len() {
                assert!(
                    FromWorker::decode(&bytes[..cut]).is_err(),
                    "{m:?} cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            FromWorker::decode(&[]),
            Err(CodecError::Truncated {
                position: 0,
                needed: 1
            })
        );
        assert_eq!(
            FromWorker::decode(&[9, TAG_HELLO]),
            Err(CodecError::Version(9))
        );
        assert_eq!(
            FromWorker::decode(&[VERSION, 0x7f]),
            Err(CodecError::Tag(0x7f))
        );
        assert_eq!(
            ToWorker::decode(&[VERSION, TAG_HELLO]),
            Err(CodecError::Tag(TAG_HELLO))
        );
        assert_eq!(
            FromWorker::decode(&[VERSION, TAG_HELLO, 0]),
            Err(CodecError::Trailing { position: 2 })
        );
        let mut bad = vec![VERSION, TAG_FAILED, 0, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xfe];
        assert_eq!(
            FromWorker::decode(&bad),
            Err(CodecError::Utf8 { position: 10 })
        );
        bad[6] = 200; // length past the end
        assert!(matches!(
            FromWorker::decode(&bad),
            Err(CodecError::Truncated { .. })
        ));
    }
}

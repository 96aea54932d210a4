//! One record inside a v2 batch (Kafka's `DefaultRecord`).

use crate::error::{DecodeError, DecodeErrorKind};
use crate::varint::{get_varint, get_varlong, put_varint, put_varlong, varint_size, varlong_size};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// Unused by Kafka today; kept for byte-exactness.
    pub attributes: i8,
    pub timestamp_delta: i64,
    pub offset_delta: i32,
    pub key: Option<Vec<u8>>,
    /// `None` is a tombstone.
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

fn bytes_size(b: Option<&[u8]>) -> usize {
    match b {
        None => varint_size(-1),
        Some(b) => varint_size(b.len() as i32) + b.len(),
    }
}

fn put_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => put_varint(out, -1),
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// Reads a varint-length-prefixed byte string; -1 is null. Never allocates more
/// than the input holds.
fn get_bytes<'a>(
    buf: &'a [u8],
    pos: &mut usize,
    what: &str,
) -> Result<Option<&'a [u8]>, DecodeError> {
    let at = *pos;
    let len = get_varint(buf, pos)?;
    if len < 0 {
        if len == -1 {
            return Ok(None);
        }
        return Err(DecodeError::new(
            at,
            DecodeErrorKind::InvalidRecord(format!("{what} length {len}")),
        ));
    }
    let len = len as usize;
    if buf.len() - *pos < len {
        return Err(DecodeError::eof(*pos, len - (buf.len() - *pos)));
    }
    let s = &buf[*pos..*pos + len];
    *pos += len;
    Ok(Some(s))
}

impl Record {
    /// Size of the record body (everything after the length varint).
    pub fn body_size(&self) -> usize {
        1 + varlong_size(self.timestamp_delta)
            + varint_size(self.offset_delta)
            + bytes_size(self.key.as_deref())
            + bytes_size(self.value.as_deref())
            + varint_size(self.headers.len() as i32)
            + self
                .headers
                .iter()
                .map(|h| bytes_size(Some(h.key.as_bytes())) + bytes_size(h.value.as_deref()))
                .sum::<usize>()
    }

    /// Size on the wire, length prefix included (Kafka's `sizeInBytes`).
    pub fn size_in_bytes(&self) -> usize {
        let body = self.body_size();
        varint_size(body as i32) + body
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        put_varint(out, self.body_size() as i32);
        out.push(self.attributes as u8);
        put_varlong(out, self.timestamp_delta);
        put_varint(out, self.offset_delta);
        put_bytes(out, self.key.as_deref());
        put_bytes(out, self.value.as_deref());
        put_varint(out, self.headers.len() as i32);
        for h in &self.headers {
            put_bytes(out, Some(h.key.as_bytes()));
            put_bytes(out, h.value.as_deref());
        }
    }

    /// Decodes one record starting at `*pos`, advancing it past the record.
    pub fn decode(buf: &[u8], pos: &mut usize) -> Result<Record, DecodeError> {
        let start = *pos;
        let len = get_varint(buf, pos)?;
        if len < 0 || (len as usize) > buf.len() - *pos {
            return Err(DecodeError::new(
                start,
                DecodeErrorKind::InvalidLength(len as i64),
            ));
        }
        let end = *pos + len as usize;
        let body = &buf[..end];
        let Some(&attributes) = body.get(*pos) else {
            return Err(DecodeError::eof(*pos, 1));
        };
        *pos += 1;
        let timestamp_delta = get_varlong(body, pos)?;
        let offset_delta = get_varint(body, pos)?;
        let key = get_bytes(body, pos, "key")?.map(<[u8]>::to_vec);
        let value = get_bytes(body, pos, "value")?.map(<[u8]>::to_vec);
        let count_at = *pos;
        let count = get_varint(body, pos)?;
        // Each header takes at least 2 bytes: bound the count by what is left.
        if count < 0 || (count as usize) * 2 > end - *pos {
            return Err(DecodeError::new(
                count_at,
                DecodeErrorKind::InvalidRecord(format!("header count {count}")),
            ));
        }
        let mut headers = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let key_at = *pos;
            let key = get_bytes(body, pos, "header key")?.ok_or_else(|| {
                DecodeError::new(
                    key_at,
                    DecodeErrorKind::InvalidRecord("null header key".into()),
                )
            })?;
            let key = String::from_utf8(key.to_vec()).map_err(|_| {
                DecodeError::new(
                    key_at,
                    DecodeErrorKind::InvalidRecord("header key is not UTF-8".into()),
                )
            })?;
            let value = get_bytes(body, pos, "header value")?.map(<[u8]>::to_vec);
            headers.push(Header { key, value });
        }
        if *pos != end {
            return Err(DecodeError::new(
                *pos,
                DecodeErrorKind::InvalidRecord(format!(
                    "record length {len} does not match its contents ({} bytes)",
                    *pos - (end - len as usize)
                )),
            ));
        }
        Ok(Record {
            attributes: attributes as i8,
            timestamp_delta,
            offset_delta,
            key,
            value,
            headers,
        })
    }
}

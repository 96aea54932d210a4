//! Zigzag varints as Kafka's `ByteUtils` writes and reads them.

use crate::error::{DecodeError, DecodeErrorKind};

#[inline]
pub fn zigzag32(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

#[inline]
pub fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
pub fn put_varint(out: &mut Vec<u8>, v: i32) {
    put_unsigned(out, zigzag32(v) as u64)
}

#[inline]
pub fn put_varlong(out: &mut Vec<u8>, v: i64) {
    put_unsigned(out, zigzag64(v))
}

#[inline]
fn put_unsigned(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bytes `put_varint` writes for `v`.
pub fn varint_size(v: i32) -> usize {
    unsigned_size(zigzag32(v) as u64)
}

/// Bytes `put_varlong` writes for `v`.
pub fn varlong_size(v: i64) -> usize {
    unsigned_size(zigzag64(v))
}

fn unsigned_size(v: u64) -> usize {
    let bits = 64 - (v | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Reads an unsigned LEB128 of at most `max_bytes`; like Kafka, surplus high
/// bits in the last allowed byte are dropped rather than rejected.
fn get_unsigned(buf: &[u8], pos: &mut usize, max_bytes: usize) -> Result<u64, DecodeError> {
    let start = *pos;
    let mut value: u64 = 0;
    for i in 0..max_bytes {
        let Some(&b) = buf.get(*pos) else {
            return Err(DecodeError::eof(*pos, 1));
        };
        *pos += 1;
        value |= ((b & 0x7f) as u64) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(DecodeError::new(start, DecodeErrorKind::VarintTooLong))
}

/// Reads a zigzag varint (at most 5 bytes), advancing `pos`.
#[inline]
pub fn get_varint(buf: &[u8], pos: &mut usize) -> Result<i32, DecodeError> {
    let raw = get_unsigned(buf, pos, 5)? as u32;
    Ok(((raw >> 1) as i32) ^ -((raw & 1) as i32))
}

/// Reads a zigzag varlong (at most 10 bytes), advancing `pos`.
#[inline]
pub fn get_varlong(buf: &[u8], pos: &mut usize) -> Result<i64, DecodeError> {
    let raw = get_unsigned(buf, pos, 10)?;
    Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kafka_byteutils_vectors() {
        // From Kafka's ByteUtilsTest: zigzag varint encodings.
        let cases: &[(i32, &[u8])] = &[
            (0, &[0x00]),
            (-1, &[0x01]),
            (1, &[0x02]),
            (63, &[0x7e]),
            (-64, &[0x7f]),
            (64, &[0x80, 0x01]),
            (-65, &[0x81, 0x01]),
            (i32::MAX, &[0xfe, 0xff, 0xff, 0xff, 0x0f]),
            (i32::MIN, &[0xff, 0xff, 0xff, 0xff, 0x0f]),
        ];
        for (v, bytes) in cases {
            let mut out = Vec::new();
            put_varint(&mut out, *v);
            assert_eq!(&out[..], *bytes, "encode {v}");
            assert_eq!(varint_size(*v), bytes.len());
            let mut pos = 0;
            assert_eq!(get_varint(bytes, &mut pos).unwrap(), *v);
            assert_eq!(pos, bytes.len());
        }
    }

    #[test]
    fn too_long_and_truncated() {
        let mut pos = 0;
        let err = get_varint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01], &mut pos).unwrap_err();
        assert_eq!(err.kind, DecodeErrorKind::VarintTooLong);
        let mut pos = 2;
        let err = get_varint(&[0, 0, 0x80], &mut pos).unwrap_err();
        assert_eq!(err, DecodeError::eof(3, 1));
    }

    proptest! {
        #[test]
        fn varint_round_trip(v in any::<i32>()) {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            prop_assert_eq!(out.len(), varint_size(v));
            let mut pos = 0;
            prop_assert_eq!(get_varint(&out, &mut pos).unwrap(), v);
        }

        #[test]
        fn varlong_round_trip(v in any::<i64>()) {
            let mut out = Vec::new();
            put_varlong(&mut out, v);
            prop_assert_eq!(out.len(), varlong_size(v));
            let mut pos = 0;
            prop_assert_eq!(get_varlong(&out, &mut pos).unwrap(), v);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
            let mut pos = 0;
            let _ = get_varlong(&bytes, &mut pos);
            let mut pos = 0;
            let _ = get_varint(&bytes, &mut pos);
        }
    }
}

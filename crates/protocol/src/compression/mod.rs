//! Compression codecs of the records section (attributes bits 0-2).
//!
//! Every codec is pure Rust (wasm32-friendly). Writers produce what Kafka's
//! Java client writes (same framing and headers; the compressed bytes inside
//! may differ because the match finders differ). Readers accept anything the
//! codec's format allows and never allocate more than the input justifies.

mod gzip;
mod lz4;
mod snappy;
mod zstd;

use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

/// Decompressed output is capped here so a hostile batch cannot make us
/// allocate without bound.
pub const MAX_DECOMPRESSED: usize = 256 << 20;

impl Compression {
    pub const ALL: [Compression; 5] = [Self::None, Self::Gzip, Self::Snappy, Self::Lz4, Self::Zstd];

    pub fn id(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Gzip => 1,
            Self::Snappy => 2,
            Self::Lz4 => 3,
            Self::Zstd => 4,
        }
    }

    pub fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => Self::None,
            1 => Self::Gzip,
            2 => Self::Snappy,
            3 => Self::Lz4,
            4 => Self::Zstd,
            _ => return None,
        })
    }

    /// Kafka's `compression.type` / dump-log `compresscodec` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Snappy => "snappy",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Appends `data` compressed with `codec` to `out`. Infallible: every codec
/// writes into memory with an encoder that cannot fail.
pub fn compress(codec: Compression, data: &[u8], out: &mut Vec<u8>) {
    match codec {
        Compression::None => out.extend_from_slice(data),
        Compression::Gzip => gzip::compress(data, out),
        Compression::Snappy => snappy::compress(data, out),
        Compression::Lz4 => lz4::compress(data, out),
        Compression::Zstd => zstd::compress(data, out),
    }
}

/// Decompresses `data`; output over `limit` bytes is an error.
pub fn decompress(codec: Compression, data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    match codec {
        Compression::None if data.len() <= limit => Ok(data.to_vec()),
        Compression::None => Err(over_limit(limit)),
        Compression::Gzip => gzip::decompress(data, limit),
        Compression::Snappy => snappy::decompress(data, limit),
        Compression::Lz4 => lz4::decompress(data, limit),
        Compression::Zstd => zstd::decompress(data, limit),
    }
}

fn over_limit(limit: usize) -> String {
    format!("decompressed size exceeds the limit of {limit} bytes")
}

/// Reads a decoder to its end into `out`, failing once more than `limit`
/// bytes in total would be in `out`. The buffer grows with the real output,
/// never with a size the input merely claims.
fn read_capped(reader: impl Read, out: &mut Vec<u8>, limit: usize) -> Result<(), String> {
    let room = limit.saturating_sub(out.len()) as u64;
    reader
        .take(room.saturating_add(1))
        .read_to_end(out)
        .map_err(|e| e.to_string())?;
    if out.len() > limit {
        return Err(over_limit(limit));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut v = Vec::new();
        for i in 0..5000u32 {
            v.extend_from_slice(format!("{{\"order\":{i},\"sku\":\"A-{}\"}}", i % 17).as_bytes());
        }
        v
    }

    #[test]
    fn names_and_ids_round_trip() {
        for c in Compression::ALL {
            assert_eq!(Compression::from_id(c.id()), Some(c));
            assert_eq!(Compression::from_name(c.name()), Some(c));
        }
        assert_eq!(Compression::from_id(5), None);
    }

    #[test]
    fn every_codec_round_trips_and_compresses() {
        let data = sample();
        for c in Compression::ALL {
            for input in [&data[..], b"", b"x"] {
                let mut out = Vec::new();
                compress(c, input, &mut out);
                let back = decompress(c, &out, MAX_DECOMPRESSED).unwrap();
                assert_eq!(back, input, "{}", c.name());
            }
            let mut out = Vec::new();
            compress(c, &data, &mut out);
            if c != Compression::None {
                assert!(out.len() * 3 < data.len(), "{} ratio", c.name());
            }
        }
    }

    #[test]
    fn limit_is_enforced() {
        let data = sample();
        for c in Compression::ALL {
            let mut out = Vec::new();
            compress(c, &data, &mut out);
            let err = decompress(c, &out, data.len() - 1).unwrap_err();
            assert!(err.contains("exceeds the limit"), "{}: {err}", c.name());
            assert_eq!(decompress(c, &out, data.len()).unwrap(), data);
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for c in [
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
            Compression::Zstd,
        ] {
            assert!(
                decompress(c, b"\x00\x01garbage", 1 << 20).is_err(),
                "{}",
                c.name()
            );
            assert!(decompress(c, b"", 1 << 20).is_err(), "{}", c.name());
        }
    }
}

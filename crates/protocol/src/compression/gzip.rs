//! gzip (RFC 1952), as Java's `GZIPOutputStream` writes it.

use flate2::read::MultiGzDecoder;
use flate2::Crc;

/// Java's fixed 10-byte header: no name, mtime 0, XFL 0, OS 255 ("unknown",
/// JDK 16+; older JDKs wrote 0).
const JAVA_GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// `Deflater.DEFAULT_COMPRESSION`, which zlib maps to level 6 (Kafka's
/// default `compression.gzip.level`).
const LEVEL: u8 = 6;

pub(super) fn compress(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&JAVA_GZIP_HEADER);
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, LEVEL));
    let mut crc = Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
}

/// Reads concatenated members too, as `GZIPInputStream` does.
pub(super) fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    if data.is_empty() {
        return Err("empty gzip stream".into());
    }
    let mut out = Vec::new();
    super::read_capped(MultiGzDecoder::new(data), &mut out, limit)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_is_javas() {
        let mut out = Vec::new();
        super::compress(b"hello", &mut out);
        assert_eq!(&out[..10], &super::JAVA_GZIP_HEADER);
        // Trailer: CRC-32 of "hello" then ISIZE, both little-endian.
        assert_eq!(&out[out.len() - 8..], &[0x86, 0xa6, 0x10, 0x36, 5, 0, 0, 0]);
    }
}

//! Snappy. Kafka's Java client writes xerial framing (`SnappyOutputStream`):
//! a 16-byte header, then blocks of `[int32 BE length][raw snappy]`, each
//! holding at most 32 KiB of input. Readers also see raw snappy (sarama,
//! librdkafka and older clients write it), which snappy-java falls back to
//! when the header is absent.

/// `0x82 "SNAPPY" 0x00`, then version 1 and minimum compatible version 1.
const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
const XERIAL_HEADER_LEN: usize = 16;
/// snappy-java's `SnappyOutputStream` default block size.
const BLOCK_SIZE: usize = 32 * 1024;
/// A snappy element expands at most 64 bytes from 3 (a two-byte-offset copy),
/// so a block claiming more than 22x its size is lying.
const MAX_EXPANSION: usize = 22;

pub(super) fn compress(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&XERIAL_MAGIC);
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    let mut enc = snap::raw::Encoder::new();
    for chunk in data.chunks(BLOCK_SIZE) {
        let len_at = out.len();
        out.extend_from_slice(&[0; 4]);
        let body_at = out.len();
        out.resize(body_at + snap::raw::max_compress_len(chunk.len()), 0);
        match enc.compress(chunk, &mut out[body_at..]) {
            Ok(n) => out.truncate(body_at + n),
            // Unreachable for 32 KiB chunks; stay valid rather than panic.
            Err(_) => {
                out.truncate(body_at);
                put_literal_block(chunk, out);
            }
        }
        let n = (out.len() - body_at) as i32;
        out[len_at..body_at].copy_from_slice(&n.to_be_bytes());
    }
}

/// A raw snappy block that stores `chunk` as one literal.
fn put_literal_block(chunk: &[u8], out: &mut Vec<u8>) {
    let mut n = chunk.len();
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    if chunk.is_empty() {
        return;
    }
    let len1 = (chunk.len() - 1) as u32;
    if len1 < 60 {
        out.push((len1 as u8) << 2);
    } else {
        let bytes = len1.to_le_bytes();
        let width = 4 - (len1.leading_zeros() / 8) as usize;
        out.push(((59 + width) as u8) << 2);
        out.extend_from_slice(&bytes[..width]);
    }
    out.extend_from_slice(chunk);
}

pub(super) fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    if data.len() >= XERIAL_MAGIC.len() && data[..XERIAL_MAGIC.len()] == XERIAL_MAGIC {
        read_xerial(data, limit, &mut out)?;
    } else {
        raw_block(data, limit, &mut out)?;
    }
    Ok(out)
}

fn read_xerial(data: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), String> {
    let mut pos = 0;
    while pos < data.len() {
        let rest = &data[pos..];
        // snappy-java also reads streams concatenated with their headers.
        if rest.starts_with(&XERIAL_MAGIC) {
            if rest.len() < XERIAL_HEADER_LEN {
                return Err("truncated xerial snappy header".into());
            }
            pos += XERIAL_HEADER_LEN;
            continue;
        }
        let Some(len) = rest.get(..4) else {
            return Err(format!("truncated xerial block length at byte {pos}"));
        };
        let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        let block = usize::try_from(len)
            .ok()
            .and_then(|n| rest.get(4..4 + n))
            .ok_or_else(|| format!("xerial block length {len} at byte {pos} overruns input"))?;
        raw_block(block, limit, out)?;
        pos += 4 + block.len();
    }
    Ok(())
}

/// Appends one raw snappy block to `out`, checking its claimed length before
/// allocating for it.
fn raw_block(block: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), String> {
    let n = snap::raw::decompress_len(block).map_err(|e| e.to_string())?;
    if n > block.len().saturating_mul(MAX_EXPANSION) {
        return Err(format!(
            "snappy block of {} bytes claims {n} bytes",
            block.len()
        ));
    }
    if out.len() + n > limit {
        return Err(super::over_limit(limit));
    }
    let at = out.len();
    out.resize(at + n, 0);
    let written = snap::raw::Decoder::new()
        .decompress(block, &mut out[at..])
        .map_err(|e| e.to_string())?;
    out.truncate(at + written);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_xerial_framing_in_32k_blocks() {
        let data = vec![7u8; BLOCK_SIZE + 10];
        let mut out = Vec::new();
        compress(&data, &mut out);
        assert_eq!(&out[..8], &XERIAL_MAGIC);
        assert_eq!(&out[8..16], &[0, 0, 0, 1, 0, 0, 0, 1]);
        let first = i32::from_be_bytes(out[16..20].try_into().unwrap()) as usize;
        let second_at = 20 + first;
        let second = &out[second_at + 4..];
        assert_eq!(
            snap::raw::decompress_len(&out[20..second_at]).unwrap(),
            BLOCK_SIZE
        );
        assert_eq!(snap::raw::decompress_len(second).unwrap(), 10);
        assert_eq!(decompress(&out, 1 << 20).unwrap(), data);
    }

    #[test]
    fn reads_raw_snappy() {
        let data = b"raw snappy as sarama writes it, raw snappy as sarama writes it";
        let raw = snap::raw::Encoder::new().compress_vec(data).unwrap();
        assert_eq!(decompress(&raw, 1 << 20).unwrap(), data);
    }

    #[test]
    fn literal_fallback_is_valid_snappy() {
        for len in [0usize, 1, 59, 60, 61, 255, 256, 300, 70_000] {
            let chunk: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
            let mut block = Vec::new();
            put_literal_block(&chunk, &mut block);
            assert_eq!(
                snap::raw::Decoder::new().decompress_vec(&block).unwrap(),
                chunk
            );
        }
    }

    #[test]
    fn lying_length_is_rejected_before_allocating() {
        // varint 0xffff_ffff: a 5-byte block claiming 4 GiB.
        let err = decompress(&[0xff, 0xff, 0xff, 0xff, 0x0f], usize::MAX).unwrap_err();
        assert!(err.contains("claims"), "{err}");
    }
}

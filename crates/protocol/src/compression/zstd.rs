//! Zstandard frames (RFC 8878) with `ruzstd`. Kafka writes one frame per
//! batch through zstd-jni; we read any sequence of frames and skippable
//! frames.

use ruzstd::decoding::StreamingDecoder;
use ruzstd::encoding::{compress_to_vec, CompressionLevel};

const FRAME_MAGIC: u32 = 0xFD2F_B528;
/// Skippable frames: magic 0x184D2A50..=0x184D2A5F, then an LE u32 length.
const SKIPPABLE_MASK: u32 = 0xFFFF_FFF0;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;
/// A block regenerates at most 128 KiB and takes at least 4 bytes, so no
/// frame can produce more than this many bytes per input byte.
const MAX_EXPANSION: usize = 32 * 1024;
const MAX_BLOCK: usize = 128 * 1024;

pub(super) fn compress(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&compress_to_vec(data, CompressionLevel::Fastest));
}

pub(super) fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    if data.is_empty() {
        return Err("empty zstd stream".into());
    }
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        rest = frame(rest, limit, &mut out)?;
    }
    Ok(out)
}

/// Decodes the frame at the start of `src` into `out`; returns what follows.
fn frame<'a>(src: &'a [u8], limit: usize, out: &mut Vec<u8>) -> Result<&'a [u8], String> {
    let magic = le_u32(src, 0).ok_or("truncated zstd frame magic")?;
    if magic & SKIPPABLE_MASK == SKIPPABLE_MAGIC {
        let len = le_u32(src, 4).ok_or("truncated skippable frame")? as usize;
        return src
            .get(8 + len..)
            .ok_or_else(|| format!("skippable frame of {len} bytes overruns input"));
    }
    if magic != FRAME_MAGIC {
        return Err(format!("bad zstd magic {magic:#010x}"));
    }
    // The decoder reserves the frame's window up front: never let a small
    // input reserve more than it could ever produce.
    let justified = src
        .len()
        .saturating_mul(MAX_EXPANSION)
        .saturating_add(MAX_BLOCK)
        .min(limit.saturating_sub(out.len()).saturating_add(MAX_BLOCK));
    let patched;
    let input = match window(src)? {
        Window::Declared { at, size } if size > justified as u64 => {
            // Matches never reach further back than the output so far, so a
            // window as large as all possible output decodes the same frame.
            patched = with_window(src, at, justified);
            &patched[..]
        }
        Window::ContentSize(size) if size > justified as u64 => {
            return Err(format!(
                "zstd frame declares {size} bytes, more than it can hold"
            ));
        }
        _ => src,
    };
    let mut reader = input;
    {
        let dec = StreamingDecoder::new(&mut reader).map_err(|e| e.to_string())?;
        super::read_capped(dec, out, limit)?;
    }
    let consumed = input.len() - reader.len();
    Ok(&src[consumed..])
}

enum Window {
    /// Window descriptor byte at `at`, describing `size` bytes.
    Declared { at: usize, size: u64 },
    /// Single-segment frame: the window is the frame content size.
    ContentSize(u64),
}

fn window(src: &[u8]) -> Result<Window, String> {
    let fhd = *src.get(4).ok_or("truncated zstd frame header")?;
    let single_segment = fhd & 0x20 != 0;
    if !single_segment {
        let wd = *src.get(5).ok_or("truncated zstd frame header")?;
        let exp = 10 + u32::from(wd >> 3);
        let base = 1u64 << exp;
        return Ok(Window::Declared {
            at: 5,
            size: base + (base / 8) * u64::from(wd & 7),
        });
    }
    let dict_len = [0, 1, 2, 4][usize::from(fhd & 3)];
    let at = 5 + dict_len;
    let fcs = match fhd >> 6 {
        0 => src.get(at).map(|&b| u64::from(b)),
        1 => src
            .get(at..at + 2)
            .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])) + 256),
        2 => le_u32(src, at).map(u64::from),
        _ => src
            .get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0xff; 8]))),
    };
    fcs.map(Window::ContentSize)
        .ok_or_else(|| "truncated zstd frame content size".into())
}

/// A copy of the frame with its window descriptor lowered to the smallest
/// power of two covering `bytes`.
fn with_window(src: &[u8], at: usize, bytes: usize) -> Vec<u8> {
    let exp = (usize::BITS - bytes.saturating_sub(1).leading_zeros()).max(10);
    let mut copy = src.to_vec();
    copy[at] = ((exp - 10).min(31) as u8) << 3;
    copy
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_concatenated_and_skippable_frames() {
        let mut data = Vec::new();
        compress(b"first ", &mut data);
        data.extend_from_slice(&SKIPPABLE_MAGIC.to_le_bytes());
        data.extend_from_slice(&3u32.to_le_bytes());
        data.extend_from_slice(b"xyz");
        compress(b"second", &mut data);
        assert_eq!(decompress(&data, 1 << 20).unwrap(), b"first second");
    }

    #[test]
    fn huge_declared_window_on_tiny_input_is_lowered() {
        let mut frame = Vec::new();
        compress(b"hello hello hello", &mut frame);
        // Force a non-single-segment header with a 1 GiB window: rebuild the
        // frame header as FHD = checksum flag only (no FCS, no dictionary)
        // plus window descriptor 20<<3.
        let (header_len, checksum) = header_len(&frame);
        let mut big = FRAME_MAGIC.to_le_bytes().to_vec();
        big.extend_from_slice(&[checksum, 20 << 3]);
        big.extend_from_slice(&frame[header_len..]);
        assert_eq!(decompress(&big, 1 << 20).unwrap(), b"hello hello hello");
    }

    #[test]
    fn content_size_beyond_what_input_can_hold_is_rejected() {
        // Single segment, 8-byte FCS of 2^40.
        let mut f = FRAME_MAGIC.to_le_bytes().to_vec();
        f.push(0xE0);
        f.extend_from_slice(&(1u64 << 40).to_le_bytes());
        assert!(decompress(&f, usize::MAX).unwrap_err().contains("declares"));
    }

    /// Length of the frame header and its checksum flag bit.
    fn header_len(frame: &[u8]) -> (usize, u8) {
        let fhd = frame[4];
        let single = fhd & 0x20 != 0;
        let fcs = match fhd >> 6 {
            0 => usize::from(single),
            1 => 2,
            2 => 4,
            _ => 8,
        };
        let len = 5 + usize::from(!single) + [0, 1, 2, 4][usize::from(fhd & 3)] + fcs;
        (len, fhd & 0x04)
    }
}

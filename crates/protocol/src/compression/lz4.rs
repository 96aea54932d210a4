//! LZ4 frame format, as Kafka's `KafkaLZ4BlockOutputStream` writes it:
//! 64 KiB independent blocks, no block or content checksum, no content size,
//! a block stored uncompressed when compressing does not shrink it.

use lz4_flex::frame::FrameDecoder;

const MAGIC: u32 = 0x184D_2204;
/// FLG: version 01, block independence set, no checksums, no content size.
const FLG: u8 = 0x60;
/// BD: block maximum size 64 KiB.
const BD: u8 = 0x40;
/// Header checksum: `(xxh32([FLG, BD], 0) >> 8) & 0xff`.
const HC: u8 = 0x82;
const BLOCK_SIZE: usize = 64 * 1024;
/// High bit of a block size: the block is stored uncompressed.
const UNCOMPRESSED: u32 = 0x8000_0000;

pub(super) fn compress(data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&[FLG, BD, HC]);
    for block in data.chunks(BLOCK_SIZE) {
        let packed = lz4_flex::block::compress(block);
        if packed.len() < block.len() {
            out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            out.extend_from_slice(&packed);
        } else {
            out.extend_from_slice(&(block.len() as u32 | UNCOMPRESSED).to_le_bytes());
            out.extend_from_slice(block);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
}

/// Reads any valid frame (linked blocks, checksums, content size),
/// concatenated frames and skippable frames.
pub(super) fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    if data.is_empty() {
        return Err("empty lz4 frame".into());
    }
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let frame = Frame::scan(rest)?;
        let (bytes, tail) = rest.split_at(frame.len);
        if !frame.skippable {
            let guarded = frame.guard(bytes);
            super::read_capped(FrameDecoder::new(&guarded[..]), &mut out, limit)?;
        }
        rest = tail;
    }
    Ok(out)
}

/// Skippable frames: magic 0x184D2A50..=0x184D2A5F, then an LE u32 length.
const SKIPPABLE_MASK: u32 = 0xFFFF_FFF0;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;
/// An LZ4 sequence expands at most ~255x (each 0xFF length byte adds 255).
const MAX_EXPANSION: usize = 256;

/// One frame's extent and what its blocks can really produce, found by
/// walking the block headers without decoding.
struct Frame {
    len: usize,
    skippable: bool,
    /// Position of BD and of HC in the frame.
    bd_at: usize,
    hc_at: usize,
    /// The most one block of this frame can decode to.
    largest_block: usize,
}

impl Frame {
    fn scan(src: &[u8]) -> Result<Frame, String> {
        let u32_at = |at: usize| {
            src.get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| format!("truncated lz4 frame at byte {at}"))
        };
        let magic = u32_at(0)?;
        if magic & SKIPPABLE_MASK == SKIPPABLE_MAGIC {
            let len = 8usize.saturating_add(u32_at(4)? as usize);
            if len > src.len() {
                return Err(format!("lz4 skippable frame of {len} bytes overruns input"));
            }
            return Ok(Frame {
                len,
                skippable: true,
                bd_at: 0,
                hc_at: 0,
                largest_block: 0,
            });
        }
        if magic != MAGIC {
            return Err(format!("bad lz4 frame magic {magic:#010x}"));
        }
        let flg = *src.get(4).ok_or("truncated lz4 frame header")?;
        let content_size = if flg & 0x08 != 0 { 8 } else { 0 };
        let dict_id = if flg & 0x01 != 0 { 4 } else { 0 };
        let hc_at = 6 + content_size + dict_id;
        let block_checksum = if flg & 0x10 != 0 { 4 } else { 0 };
        let mut pos = hc_at + 1;
        let mut largest_block = 0usize;
        loop {
            let size = u32_at(pos)?;
            pos += 4;
            if size == 0 {
                break;
            }
            let len = (size & !UNCOMPRESSED) as usize;
            let produces = if size & UNCOMPRESSED != 0 {
                len
            } else {
                len.saturating_mul(MAX_EXPANSION)
            };
            largest_block = largest_block.max(produces);
            pos = pos.saturating_add(len).saturating_add(block_checksum);
        }
        if flg & 0x04 != 0 {
            pos += 4;
        }
        if pos > src.len() {
            return Err("truncated lz4 frame".into());
        }
        Ok(Frame {
            len: pos,
            skippable: false,
            bd_at: 5,
            hc_at,
            largest_block,
        })
    }

    /// The frame, with its block maximum size lowered to the smallest one
    /// covering its largest block: the decoder reserves buffers of the
    /// declared size up front, and a 7-byte header may declare 4 MiB.
    fn guard<'a>(&self, frame: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        let declared = (frame[self.bd_at] >> 4) & 7;
        // Block size codes 4..=7: 64 KiB, 256 KiB, 1 MiB, 4 MiB.
        let needed = (4u8..=7)
            .find(|code| (1usize << (8 + 2 * code)) >= self.largest_block)
            .unwrap_or(7);
        let checksum =
            |bytes: &[u8]| (twox_hash::XxHash32::oneshot(0, &bytes[4..self.hc_at]) >> 8) as u8;
        // A header that fails its own checksum is left for the decoder to
        // refuse (before it reserves anything).
        if !(4..=7).contains(&declared)
            || needed >= declared
            || checksum(frame) != frame[self.hc_at]
        {
            return frame.into();
        }
        let mut copy = frame.to_vec();
        copy[self.bd_at] = (copy[self.bd_at] & 0x8f) | (needed << 4);
        copy[self.hc_at] = checksum(&copy);
        copy.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
    use std::io::Write;

    #[test]
    fn header_matches_kafka_and_lz4_flex() {
        let mut ours = Vec::new();
        compress(b"", &mut ours);
        // Kafka's frame header bytes, and the end mark.
        assert_eq!(ours, [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0, 0, 0, 0]);
        // lz4_flex computes the same header for the same frame settings.
        let info = FrameInfo::new()
            .block_size(BlockSize::Max64KB)
            .block_mode(BlockMode::Independent);
        let mut enc = FrameEncoder::with_frame_info(info, Vec::new());
        enc.write_all(b"abc").unwrap();
        let theirs = enc.finish().unwrap();
        assert_eq!(&theirs[..7], &ours[..7]);
    }

    #[test]
    fn incompressible_blocks_are_stored() {
        let data: Vec<u8> = (0..100u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        let mut out = Vec::new();
        compress(&data, &mut out);
        assert_eq!(&out[7..11], &(100u32 | UNCOMPRESSED).to_le_bytes());
        assert_eq!(decompress(&out, 1 << 20).unwrap(), data);
    }

    #[test]
    fn declared_4mib_blocks_are_lowered_for_small_frames() {
        // sarama-style frame: BD 0x70 (4 MiB blocks), one stored block.
        let mut f = MAGIC.to_le_bytes().to_vec();
        let hc = (twox_hash::XxHash32::oneshot(0, &[0x60, 0x70]) >> 8) as u8;
        f.extend_from_slice(&[0x60, 0x70, hc]);
        f.extend_from_slice(&(3u32 | UNCOMPRESSED).to_le_bytes());
        f.extend_from_slice(b"abc");
        f.extend_from_slice(&0u32.to_le_bytes());
        let frame = Frame::scan(&f).unwrap();
        assert_eq!(frame.len, f.len());
        let guarded = frame.guard(&f);
        assert_eq!(guarded[5], 0x40, "lowered to 64 KiB");
        assert_eq!(guarded[6], HC, "header checksum recomputed");
        assert_eq!(decompress(&f, 1 << 20).unwrap(), b"abc");
        // A frame whose header fails its checksum is still refused, not
        // repaired by the rewrite.
        let mut bad = f.clone();
        bad[6] ^= 1;
        assert!(decompress(&bad, 1 << 20).is_err());
    }

    #[test]
    fn skippable_and_concatenated_frames() {
        let mut data = Vec::new();
        compress(b"one ", &mut data);
        data.extend_from_slice(&SKIPPABLE_MAGIC.to_le_bytes());
        data.extend_from_slice(&2u32.to_le_bytes());
        data.extend_from_slice(b"zz");
        compress(b"two", &mut data);
        assert_eq!(decompress(&data, 1 << 20).unwrap(), b"one two");
    }

    #[test]
    fn reads_frames_with_checksums_and_linked_blocks() {
        let data = b"linked blocks and checksums ".repeat(5000);
        let info = FrameInfo::new()
            .block_mode(BlockMode::Linked)
            .content_checksum(true)
            .block_checksums(true)
            .content_size(Some(data.len() as u64));
        let mut enc = FrameEncoder::with_frame_info(info, Vec::new());
        enc.write_all(&data).unwrap();
        let frame = enc.finish().unwrap();
        assert_eq!(decompress(&frame, 1 << 20).unwrap(), data);
    }
}

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

/// Reads any valid frame (linked blocks, checksums, content size), and
/// concatenated frames.
pub(super) fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    if data.is_empty() {
        return Err("empty lz4 frame".into());
    }
    let mut out = Vec::new();
    super::read_capped(FrameDecoder::new(data), &mut out, limit)?;
    Ok(out)
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

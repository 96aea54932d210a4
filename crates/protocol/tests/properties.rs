//! Property tests: arbitrary batches round-trip through every codec, and
//! the decoders never panic on arbitrary or mutated input, reporting errors
//! at a position inside it.

use kafkascope_protocol::batch::{compute_crc, iter_batches, BatchHeader, TimestampType};
use kafkascope_protocol::compression::{decompress, MAX_DECOMPRESSED};
use kafkascope_protocol::{Compression, Header, Record, RecordBatch};
use proptest::collection::vec;
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        1 => Just(None),
        4 => vec(any::<u8>(), 0..max).prop_map(Some),
        // Compressible payloads exercise the codecs' match paths.
        2 => (any::<u8>(), 0..max * 4).prop_map(|(b, n)| Some(vec![b; n])),
    ]
}

fn header() -> impl Strategy<Value = Header> {
    ("[a-z\u{e9}\u{4e2d}]{0,8}", bytes(16)).prop_map(|(key, value)| Header { key, value })
}

fn record() -> impl Strategy<Value = Record> {
    (any::<i64>(), bytes(40), bytes(200), vec(header(), 0..3)).prop_map(
        |(timestamp_delta, key, value, headers)| Record {
            attributes: 0,
            timestamp_delta,
            offset_delta: 0,
            key,
            value,
            headers,
        },
    )
}

fn codec() -> impl Strategy<Value = Compression> {
    prop::sample::select(Compression::ALL.to_vec())
}

prop_compose! {
    fn batch()(
        base_offset in any::<i64>(),
        partition_leader_epoch in any::<i32>(),
        compression in codec(),
        log_append_time in any::<bool>(),
        is_transactional in any::<bool>(),
        is_control in any::<bool>(),
        has_delete_horizon in any::<bool>(),
        base_timestamp in any::<i64>(),
        max_timestamp in any::<i64>(),
        producer_id in any::<i64>(),
        producer_epoch in any::<i16>(),
        base_sequence in any::<i32>(),
        mut records in vec(record(), 0..12),
    ) -> RecordBatch {
        for (i, r) in records.iter_mut().enumerate() {
            r.offset_delta = i as i32;
        }
        RecordBatch {
            base_offset,
            partition_leader_epoch,
            compression,
            timestamp_type: if log_append_time {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            },
            is_transactional,
            is_control,
            has_delete_horizon,
            last_offset_delta: records.len() as i32 - 1,
            base_timestamp,
            max_timestamp,
            producer_id,
            producer_epoch,
            base_sequence,
            records,
        }
    }
}

/// Every decoder on `buf`: no panic, and any error points inside `buf`
/// (an unexpected end is reported at its end).
fn decode_everything(buf: &[u8]) {
    for r in [
        RecordBatch::decode(buf),
        RecordBatch::decode_unverified(buf),
    ] {
        if let Err(e) = r {
            assert!(e.position <= buf.len(), "{e} beyond {} bytes", buf.len());
        }
    }
    for r in [BatchHeader::parse(buf), BatchHeader::parse_checked(buf)] {
        if let Err(e) = r {
            assert!(e.position <= buf.len(), "{e} beyond {} bytes", buf.len());
        }
    }
    for item in iter_batches(buf) {
        match item {
            Ok((at, h)) => assert!(at + h.size_in_bytes() <= buf.len()),
            Err(e) => assert!(e.position <= buf.len(), "{e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn batches_round_trip(b in batch()) {
        let bytes = b.encode();
        let h = BatchHeader::parse_checked(&bytes).unwrap();
        prop_assert_eq!(h.size_in_bytes(), bytes.len());
        prop_assert_eq!(h.records_count as usize, b.records.len());
        prop_assert_eq!(h.compression(), Some(b.compression));
        prop_assert_eq!(h.is_control(), b.is_control);
        prop_assert_eq!(h.is_transactional(), b.is_transactional);
        prop_assert_eq!(h.timestamp_type(), b.timestamp_type);
        let (back, used) = RecordBatch::decode(&bytes).unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, b);
    }

    #[test]
    fn two_batches_back_to_back(a in batch(), b in batch()) {
        let mut buf = a.encode();
        let first = buf.len();
        b.encode_into(&mut buf);
        let found: Vec<usize> = iter_batches(&buf).map(|r| r.unwrap().0).collect();
        prop_assert_eq!(found, vec![0, first]);
        prop_assert_eq!(RecordBatch::decode(&buf[first..]).unwrap().0, b);
    }

    #[test]
    fn arbitrary_bytes_never_panic(buf in vec(any::<u8>(), 0..300)) {
        decode_everything(&buf);
    }

    #[test]
    fn arbitrary_bytes_with_a_plausible_header_never_panic(
        tail in vec(any::<u8>(), 0..300),
        attrs in any::<i16>(),
        count in -2i32..40,
    ) {
        // A header that passes the length and magic checks, so the record
        // parser and codecs see the arbitrary tail.
        let mut buf = vec![0u8; 61];
        buf[8..12].copy_from_slice(&((49 + tail.len()) as i32).to_be_bytes());
        buf[16] = 2;
        buf[21..23].copy_from_slice(&(attrs & 0x7f).to_be_bytes());
        buf[57..61].copy_from_slice(&count.to_be_bytes());
        buf.extend_from_slice(&tail);
        let crc = compute_crc(&buf);
        buf[17..21].copy_from_slice(&crc.to_be_bytes());
        decode_everything(&buf);
    }

    #[test]
    fn mutated_batches_never_panic(
        b in batch(),
        flips in vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        fix_crc in any::<bool>(),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = b.encode();
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x.max(1);
        }
        if fix_crc && bytes.len() >= 61 {
            // A valid CRC sends the damage past the checksum into the parser.
            let crc = compute_crc(&bytes);
            bytes[17..21].copy_from_slice(&crc.to_be_bytes());
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        decode_everything(&bytes);
    }

    #[test]
    fn decompressors_never_panic(codec in codec(), buf in vec(any::<u8>(), 0..200)) {
        let _ = decompress(codec, &buf, MAX_DECOMPRESSED);
    }

    #[test]
    fn mutated_compressed_data_never_panics(
        codec in codec(),
        data in vec(any::<u8>(), 0..2000),
        flips in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut packed = Vec::new();
        kafkascope_protocol::compression::compress(codec, &data, &mut packed);
        prop_assert_eq!(decompress(codec, &packed, MAX_DECOMPRESSED).unwrap(), data.clone());
        for (at, x) in flips {
            let i = at.index(packed.len());
            packed[i] ^= x.max(1);
        }
        if let Ok(out) = decompress(codec, &packed, data.len() + 64) {
            prop_assert!(out.len() <= data.len() + 64);
        }
    }
}

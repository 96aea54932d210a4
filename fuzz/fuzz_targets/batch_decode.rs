//! Arbitrary bytes through every batch reader: no panic, errors point inside
//! the input, and whatever decodes re-encodes to a batch that decodes the
//! same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::batch::{iter_batches, BatchHeader};
use protocol::RecordBatch;

fuzz_target!(|data: &[u8]| {
    for r in [BatchHeader::parse(data), BatchHeader::parse_checked(data)] {
        if let Err(e) = r {
            assert!(e.position <= data.len());
        }
    }
    for item in iter_batches(data) {
        match item {
            Ok((at, h)) => assert!(at + h.size_in_bytes() <= data.len()),
            Err(e) => assert!(e.position <= data.len()),
        }
    }
    match RecordBatch::decode_unverified(data) {
        Ok((batch, used)) => {
            assert!(used <= data.len());
            let again = batch.encode();
            let (back, _) = RecordBatch::decode(&again).expect("our encoding decodes");
            assert_eq!(back, batch);
        }
        Err(e) => assert!(e.position <= data.len()),
    }
    if let Err(e) = RecordBatch::decode(data) {
        assert!(e.position <= data.len());
    }
});

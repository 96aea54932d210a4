//! Every codec's decompressor on arbitrary bytes (first byte picks the
//! codec): no panic, the output limit holds; and compressing the input
//! round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::compression::{compress, decompress};
use protocol::Compression;

/// Small enough that bombs hit the limit quickly.
const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let codec = Compression::ALL[usize::from(pick) % Compression::ALL.len()];
    if let Ok(out) = decompress(codec, rest, LIMIT) {
        assert!(out.len() <= LIMIT);
    }
    let mut packed = Vec::new();
    compress(codec, rest, &mut packed);
    assert_eq!(decompress(codec, &packed, LIMIT).as_deref(), Ok(rest));
});

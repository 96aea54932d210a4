//! The broker worker's codec on arbitrary bytes: decoding never panics,
//! errors point inside the input, and whatever decodes re-encodes to bytes
//! that decode to the same message.
#![no_main]

use std::fmt::Debug;

use broker::wire::{decode, encode, FromBroker, ToBroker, WireMessage};
use libfuzzer_sys::fuzz_target;

fn check<T: WireMessage + Debug>(data: &[u8]) {
    match decode::<T>(data) {
        Ok(message) => {
            let bytes = encode(&message);
            let back: T = decode(&bytes).unwrap_or_else(|e| panic!("{e} re-decoding {message:?}"));
            assert_eq!(format!("{back:?}"), format!("{message:?}"));
        }
        Err(e) => assert!(e.at <= data.len() && e.len == data.len(), "{e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    check::<ToBroker>(data);
    check::<FromBroker>(data);
});

//! The page's messages on arbitrary bytes: the engine worker's `Request`
//! and `Reply` (postcard behind a version byte) and the storage workers'
//! `ToWorker`/`FromWorker`. Decoding never panics, and whatever decodes
//! re-encodes to bytes that decode to the same message.
#![no_main]

use kafkascope_view::broker::{FromWorker, ToWorker};
use kafkascope_view::engine::{Reply, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // postcard's types have no PartialEq here: compare the encodings.
    if let Ok(m) = Request::decode(data) {
        let bytes = m.encode();
        let back = Request::decode(&bytes).expect("a re-encoded Request decodes");
        assert_eq!(back.encode(), bytes);
    }
    if let Ok(m) = Reply::decode(data) {
        let bytes = m.encode();
        let back = Reply::decode(&bytes).expect("a re-encoded Reply decodes");
        assert_eq!(back.encode(), bytes);
    }
    if let Ok(m) = ToWorker::decode(data) {
        assert_eq!(ToWorker::decode(&m.encode()).as_ref(), Ok(&m));
    }
    if let Ok(m) = FromWorker::decode(data) {
        assert_eq!(FromWorker::decode(&m.encode()).as_ref(), Ok(&m));
    }
});

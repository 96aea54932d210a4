//! Varint readers on arbitrary bytes: no panic, and every value read
//! re-encodes to a canonical form that reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::varint::{
    get_varint, get_varlong, put_varint, put_varlong, varint_size, varlong_size,
};

fuzz_target!(|data: &[u8]| {
    let mut pos = 0;
    while pos < data.len() {
        let start = pos;
        match get_varlong(data, &mut pos) {
            Ok(v) => {
                let mut out = Vec::new();
                put_varlong(&mut out, v);
                assert_eq!(out.len(), varlong_size(v));
                let mut p = 0;
                assert_eq!(get_varlong(&out, &mut p).unwrap(), v);
            }
            Err(e) => {
                assert!(e.position <= data.len());
                break;
            }
        }
        assert!(pos > start);
    }
    let mut pos = 0;
    while pos < data.len() {
        match get_varint(data, &mut pos) {
            Ok(v) => {
                let mut out = Vec::new();
                put_varint(&mut out, v);
                assert_eq!(out.len(), varint_size(v));
                let mut p = 0;
                assert_eq!(get_varint(&out, &mut p).unwrap(), v);
            }
            Err(e) => {
                assert!(e.position <= data.len());
                break;
            }
        }
    }
});

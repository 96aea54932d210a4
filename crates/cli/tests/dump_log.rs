//! `kafkascope dump-log` on segment files built here, checked line by line
//! against the format of Kafka's DumpLogSegments.

use protocol::batch::{BatchHeader, SimpleRecord};
use protocol::control::EndTransactionMarker;
use protocol::{Compression, Header, RecordBatch};
use std::path::{Path, PathBuf};
mod common;
use common::run as kafkascope;

fn rec(ts: i64, key: Option<&str>, value: Option<&str>, headers: &[&str]) -> SimpleRecord {
    SimpleRecord {
        timestamp: ts,
        key: key.map(|k| k.as_bytes().to_vec()),
        value: value.map(|v| v.as_bytes().to_vec()),
        headers: headers
            .iter()
            .map(|h| Header {
                key: h.to_string(),
                value: Some(b"x".to_vec()),
            })
            .collect(),
    }
}

/// Plain batch at 0: two records, the second with a null key and headers.
fn plain() -> Vec<u8> {
    RecordBatch::from_simple(
        0,
        &[
            rec(1000, Some("k0"), Some("v0"), &[]),
            rec(1005, None, Some("hello"), &["h1", "h2"]),
        ],
    )
    .encode()
}

/// Idempotent gzip batch at 2: producer 7, epoch 1, sequence 10, epoch 3.
fn idempotent_gzip() -> Vec<u8> {
    let mut b = RecordBatch::from_simple(2, &[rec(2000, Some("k2"), None, &[])]);
    b.compression = Compression::Gzip;
    b.producer_id = 7;
    b.producer_epoch = 1;
    b.base_sequence = 10;
    b.partition_leader_epoch = 3;
    b.encode()
}

fn commit_marker() -> Vec<u8> {
    EndTransactionMarker::new(true, 5)
        .to_batch(3, 3000, 3, 7, 1)
        .encode()
}

fn crc(batch: &[u8]) -> u32 {
    BatchHeader::parse(batch).unwrap().crc
}

fn segment(dir: &Path, name: &str, parts: &[&[u8]]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, parts.concat()).unwrap();
    path
}

#[test]
fn plain_segment_batches_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (plain(), idempotent_gzip(), commit_marker());
    let path = segment(dir.path(), "00000000000000000000.log", &[&a, &b, &c]);
    let p = path.to_str().unwrap();
    let (code, out, err) = kafkascope(&["dump-log", p, "--print-data-log"]);
    assert_eq!(code, 0, "{err}");
    let (pa, pb, pc) = (0, a.len(), a.len() + b.len());
    let expected = vec![
        format!("Dumping {p}"),
        "Log starting offset: 0".to_string(),
        format!(
            "baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 \
             producerEpoch: -1 partitionLeaderEpoch: -1 isTransactional: false isControl: false \
             deleteHorizonMs: OptionalLong.empty position: {pa} CreateTime: 1005 size: {} magic: 2 \
             compresscodec: none crc: {} isvalid: true",
            a.len(),
            crc(&a)
        ),
        "| offset: 0 CreateTime: 1000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: [] key: k0 payload: v0".to_string(),
        "| offset: 1 CreateTime: 1005 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [h1,h2] payload: hello".to_string(),
        format!(
            "baseOffset: 2 lastOffset: 2 count: 1 baseSequence: 10 lastSequence: 10 producerId: 7 \
             producerEpoch: 1 partitionLeaderEpoch: 3 isTransactional: false isControl: false \
             deleteHorizonMs: OptionalLong.empty position: {pb} CreateTime: 2000 size: {} magic: 2 \
             compresscodec: gzip crc: {} isvalid: true",
            b.len(),
            crc(&b)
        ),
        "| offset: 2 CreateTime: 2000 keySize: 2 valueSize: -1 sequence: 10 headerKeys: [] key: k2".to_string(),
        format!(
            "baseOffset: 3 lastOffset: 3 count: 1 baseSequence: -1 lastSequence: -1 producerId: 7 \
             producerEpoch: 1 partitionLeaderEpoch: 3 isTransactional: true isControl: true \
             deleteHorizonMs: OptionalLong.empty position: {pc} CreateTime: 3000 size: {} magic: 2 \
             compresscodec: none crc: {} isvalid: true",
            c.len(),
            crc(&c)
        ),
        "| offset: 3 CreateTime: 3000 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 5".to_string(),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
    assert_eq!(err, "");
}

#[test]
fn first_batch_line_is_byte_exact() {
    // Fully spelled out once. Size: 61-byte header + record 0 (length 1 +
    // attributes 1 + timestamp delta 1 + offset delta 1 + key 1+2 + value
    // 1+2 + header count 1 = 11) + record 1 (1 + 1 + 1 + 1 + null key 1 +
    // value 1+5 + count 1 + two headers of 1+2+1+1 = 22) = 94.
    let dir = tempfile::tempdir().unwrap();
    let a = plain();
    assert_eq!(a.len(), 94);
    let path = segment(dir.path(), "00000000000000000000.log", &[&a]);
    let (_, out, _) = kafkascope(&["dump-log", path.to_str().unwrap()]);
    let line = out.lines().nth(2).unwrap();
    assert_eq!(
        line,
        format!(
            "baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: -1 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1005 size: 94 magic: 2 compresscodec: none crc: {} isvalid: true",
            crc(&a)
        )
    );
    // Without --print-data-log or --deep-iteration: batches only.
    assert_eq!(out.lines().count(), 3);
}

#[test]
fn corrupt_batch_is_invalid_and_reading_goes_on_then_torn_tail_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = plain();
    let last = a.len() - 3;
    a[last] ^= 0xff; // inside the second record: CRC no longer matches
    let b = idempotent_gzip();
    let torn = &commit_marker()[..30];
    let path = segment(dir.path(), "00000000000000000100.log", &[&a, &b, torn]);
    let (code, out, _) = kafkascope(&["dump-log", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], "Log starting offset: 100");
    assert!(
        lines[2].starts_with("baseOffset: 0 lastOffset: 1 "),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].ends_with(&format!("crc: {} isvalid: false", crc(&a))),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with("baseOffset: 2 "), "{}", lines[3]);
    assert!(lines[3].ends_with("isvalid: true"));
    assert_eq!(
        lines[4],
        "Found 30 invalid bytes at the end of 00000000000000000100.log"
    );
    assert_eq!(lines.len(), 5);
}

#[test]
fn log_append_time_and_delete_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let mut batch = RecordBatch::from_simple(5, &[rec(10, Some("k"), Some("v"), &[])]);
    batch.has_delete_horizon = true;
    batch.base_timestamp = 86_400_010;
    let mut bytes = batch.encode();
    protocol::batch::set_log_append_time(&mut bytes, 999);
    let path = segment(dir.path(), "00000000000000000005.log", &[&bytes]);
    let (_, out, _) = kafkascope(&["dump-log", path.to_str().unwrap(), "--deep-iteration"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[2].contains(" deleteHorizonMs: OptionalLong[86400010] "),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(" LogAppendTime: 999 "), "{}", lines[2]);
    // Records of a LogAppendTime batch carry the batch's timestamp; no data
    // without --print-data-log.
    assert_eq!(
        lines[3],
        "| offset: 5 LogAppendTime: 999 keySize: 1 valueSize: 1 sequence: -1 headerKeys: []"
    );
}

#[test]
fn offset_and_time_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let mut index = Vec::new();
    for (rel, pos) in [(0i32, 0i32), (17, 4120), (40, 8300)] {
        index.extend_from_slice(&rel.to_be_bytes());
        index.extend_from_slice(&pos.to_be_bytes());
    }
    index.extend_from_slice(&[0; 16]); // preallocated, unused entries
    let idx = segment(dir.path(), "00000000000000001000.index", &[&index]);
    let (code, out, _) = kafkascope(&["dump-log", idx.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!("Dumping {}", idx.display()),
            "offset: 1000 position: 0".into(),
            "offset: 1017 position: 4120".into(),
            "offset: 1040 position: 8300".into(),
        ]
    );

    let mut time = Vec::new();
    for (ts, rel) in [(1_700_000_000_000i64, 3i32), (1_700_000_000_500, 41)] {
        time.extend_from_slice(&ts.to_be_bytes());
        time.extend_from_slice(&rel.to_be_bytes());
    }
    time.extend_from_slice(&[0; 12]);
    let tix = segment(dir.path(), "00000000000000001000.timeindex", &[&time]);
    let (_, out, _) = kafkascope(&["dump-log", tix.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            r#"{"offset":1003,"timestamp":1700000000000}"#,
            r#"{"offset":1041,"timestamp":1700000000500}"#,
        ]
    );

    let empty = segment(dir.path(), "00000000000000000000.index", &[]);
    let (_, out, _) = kafkascope(&["dump-log", empty.to_str().unwrap()]);
    assert_eq!(
        out.lines().nth(1),
        Some(format!("{} is empty.", empty.display()).as_str())
    );
}

#[test]
fn json_has_one_object_per_batch() {
    let dir = tempfile::tempdir().unwrap();
    let (a, c) = (plain(), commit_marker());
    let path = segment(dir.path(), "00000000000000000000.log", &[&a, &c]);
    let (code, out, err) = kafkascope(&[
        "dump-log",
        path.to_str().unwrap(),
        "--json",
        "--print-data-log",
    ]);
    assert_eq!(code, 0);
    assert!(err.starts_with("Dumping "), "{err}");
    let objs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[0]["baseOffset"], 0);
    assert_eq!(objs[0]["lastOffset"], 1);
    assert_eq!(objs[0]["compresscodec"], "none");
    assert_eq!(objs[0]["crc"], crc(&a));
    assert_eq!(objs[0]["deleteHorizonMs"], serde_json::Value::Null);
    assert_eq!(objs[0]["records"][0]["key"], "k0");
    assert_eq!(objs[0]["records"][1]["key"], serde_json::Value::Null);
    assert_eq!(
        objs[0]["records"][1]["headerKeys"],
        serde_json::json!(["h1", "h2"])
    );
    assert_eq!(objs[1]["position"], a.len());
    assert_eq!(objs[1]["records"][0]["endTxnMarker"], "COMMIT");
    assert_eq!(objs[1]["records"][0]["coordinatorEpoch"], 5);
}

#[test]
fn errors_are_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("00000000000000000000.log");
    let (code, out, err) = kafkascope(&["dump-log", missing.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("kafkascope: cannot read "), "{err}");

    let badname = segment(dir.path(), "segment.log", &[&plain()]);
    let (code, _, err) = kafkascope(&["dump-log", badname.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("20-digit base offset"), "{err}");

    let other = segment(dir.path(), "00000000000000000000.txt", &[b"x"]);
    let (code, _, err) = kafkascope(&["dump-log", other.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown file type"), "{err}");
}

#[test]
fn garbage_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    // A plausible length and magic 2 followed by junk, then a tiny length.
    let mut junk = vec![0u8; 12];
    junk[8..12].copy_from_slice(&60i32.to_be_bytes());
    junk.extend_from_slice(&[2; 60]);
    junk.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 2]);
    let path = segment(dir.path(), "00000000000000000000.log", &[&junk]);
    let (code, out, err) = kafkascope(&["dump-log", path.to_str().unwrap(), "--print-data-log"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().nth(2).unwrap().ends_with("isvalid: false"),
        "{out}"
    );
    assert!(
        err.contains("smaller than minimum record overhead (14)"),
        "{err}"
    );
    assert!(
        out.ends_with("Found 17 invalid bytes at the end of 00000000000000000000.log\n"),
        "{out}"
    );
}

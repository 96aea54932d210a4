//! `__transaction_state` records byte for byte (expected bytes written out
//! by hand from TransactionLogKey.json / TransactionLogValue.json), the
//! partition function against Java's `String.hashCode`, and Kafka's
//! TransactionLogTest.

use std::collections::BTreeSet;

use kafkascope_transaction::*;

fn tp(t: &str, p: i32) -> TopicPartition {
    TopicPartition::new(t, p)
}

#[test]
fn key_bytes() {
    let k = TransactionLogKey::new("id");
    assert_eq!(k.encode(), vec![0, 0, 0, 2, b'i', b'd']);
    assert_eq!(
        TransactionLogKey::decode(&[0, 0, 0, 2, b'i', b'd']).unwrap(),
        k
    );
    // Non-ASCII: the length is in UTF-8 bytes.
    assert_eq!(
        TransactionLogKey::new("é").encode(),
        vec![0, 0, 0, 2, 0xc3, 0xa9]
    );
}

#[test]
fn key_errors() {
    assert_eq!(
        TransactionLogKey::decode(&[0, 1, 0, 0]),
        Err(RecordDecodeError::UnknownKeyVersion(1))
    );
    assert_eq!(
        TransactionLogKey::decode(&[0, 0, 0, 3, b'a']),
        Err(RecordDecodeError::Truncated {
            field: "transactional_id"
        })
    );
    assert!(matches!(
        TransactionLogKey::decode(&[0, 0, 0, 1, 0xff]),
        Err(RecordDecodeError::Invalid { .. })
    ));
    assert!(TransactionLogKey::decode(&[0]).is_err());
}

fn ongoing_value() -> TransactionLogValue {
    TransactionLogValue {
        producer_id: 1334,
        producer_epoch: 5,
        transaction_timeout_ms: 60_000,
        transaction_status: 1,
        transaction_partitions: Some(vec![
            PartitionsSchema {
                topic: "t1".into(),
                partition_ids: vec![0, 2],
            },
            PartitionsSchema {
                topic: "t2".into(),
                partition_ids: vec![1],
            },
        ]),
        transaction_last_update_timestamp_ms: 1_700_000_000_123,
        transaction_start_timestamp_ms: 1_700_000_000_000,
    }
}

#[rustfmt::skip]
const ONGOING_V0: &[u8] = &[
    0, 0,                                   // version 0
    0, 0, 0, 0, 0, 0, 0x05, 0x36,           // producer id 1334
    0, 5,                                   // epoch
    0, 0, 0xea, 0x60,                       // timeout 60000
    1,                                      // status Ongoing
    0, 0, 0, 2,                             // 2 topics
    0, 2, b't', b'1', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2,
    0, 2, b't', b'2', 0, 0, 0, 1, 0, 0, 0, 1,
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, // last update
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // start
];

#[test]
fn value_v0_bytes() {
    assert_eq!(ongoing_value().encode(), ONGOING_V0);
    assert_eq!(
        TransactionLogValue::decode(ONGOING_V0).unwrap(),
        ongoing_value()
    );
}

#[test]
fn empty_value_writes_null_partitions() {
    let t = TxnTransitMetadata {
        producer_id: 7,
        last_producer_id: -1,
        producer_epoch: 0,
        last_producer_epoch: -1,
        txn_timeout_ms: 1000,
        txn_state: TransactionState::Empty,
        topic_partitions: BTreeSet::new(),
        txn_start_timestamp: -1,
        txn_last_update_timestamp: 2,
    };
    let v = TransactionLogValue::from_transit(&t).unwrap();
    assert_eq!(v.transaction_partitions, None);
    #[rustfmt::skip]
    let expected: &[u8] = &[
        0, 0,
        0, 0, 0, 0, 0, 0, 0, 7,
        0, 0,
        0, 0, 0x03, 0xe8,
        0,
        0xff, 0xff, 0xff, 0xff,                 // null array
        0, 0, 0, 0, 0, 0, 0, 2,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    assert_eq!(v.encode(), expected);
    assert_eq!(TransactionLogValue::decode(expected).unwrap(), v);
}

#[test]
fn from_transit_groups_by_topic_sorted() {
    let t = TxnTransitMetadata {
        producer_id: 1334,
        last_producer_id: 1334,
        producer_epoch: 5,
        last_producer_epoch: 4,
        txn_timeout_ms: 60_000,
        txn_state: TransactionState::Ongoing,
        topic_partitions: [tp("t2", 1), tp("t1", 2), tp("t1", 0)]
            .into_iter()
            .collect(),
        txn_start_timestamp: 1_700_000_000_000,
        txn_last_update_timestamp: 1_700_000_000_123,
    };
    assert_eq!(
        TransactionLogValue::from_transit(&t).unwrap().encode(),
        ONGOING_V0
    );
}

#[rustfmt::skip]
const ONGOING_V1: &[u8] = &[
    0, 1,
    0, 0, 0, 0, 0, 0, 0x05, 0x36,
    0, 5,
    0, 0, 0xea, 0x60,
    1,
    3,                                      // compact array: 2 topics
    3, b't', b'1', 3, 0, 0, 0, 0, 0, 0, 0, 2, 0,  // compact string, compact array, no tags
    3, b't', b'2', 2, 0, 0, 0, 1, 0,
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
    0,                                      // no tagged fields
];

#[test]
fn value_v1_flexible() {
    assert_eq!(ongoing_value().encode_version(1), ONGOING_V1);
    assert_eq!(
        TransactionLogValue::decode(ONGOING_V1).unwrap(),
        ongoing_value()
    );
    // A newer broker's tagged field (KIP-890's PreviousProducerId, tag 0)
    // is skipped.
    let mut tagged = ONGOING_V1.to_vec();
    tagged.pop();
    tagged.extend_from_slice(&[1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 9]);
    assert_eq!(
        TransactionLogValue::decode(&tagged).unwrap(),
        ongoing_value()
    );
    // Null partitions in v1: compact length 0.
    let mut empty = ongoing_value();
    empty.transaction_partitions = None;
    let bytes = empty.encode_version(1);
    assert_eq!(bytes[17], 0);
    assert_eq!(TransactionLogValue::decode(&bytes).unwrap(), empty);
}

#[test]
fn value_errors() {
    assert_eq!(
        TransactionLogValue::decode(&[0, 2]),
        Err(RecordDecodeError::UnknownValueVersion(2))
    );
    for cut in 0..ONGOING_V0.len() {
        assert!(
            TransactionLogValue::decode(&ONGOING_V0[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut bad_status = ONGOING_V0.to_vec();
    bad_status[16] = 9;
    let v = TransactionLogValue::decode(&bad_status).unwrap();
    assert_eq!(
        v.state(),
        Err(RecordDecodeError::UnknownTransactionStatus(9))
    );
    // A huge declared count must fail, not allocate.
    let mut huge = ONGOING_V0[..17].to_vec();
    huge.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
    assert!(TransactionLogValue::decode(&huge).is_err());
}

/// Java's `String.hashCode` and `Utils.abs(h) % 50`, printed by a JVM.
#[test]
fn partition_for_matches_java() {
    let cases = [
        ("hello", 99162322, 22),
        ("polygenelubricants", i32::MIN, 0), // Utils.abs(MIN_VALUE) = 0
        ("my-txn", -1061187895, 45),
        ("known", 102204227, 27),
        ("zero", 3735208, 8),
        ("transactionalId", 1263397508, 8),
        ("Aa", 2112, 12),
        ("BB", 2112, 12),
        ("🎉", 1773261, 11), // a surrogate pair: two UTF-16 units
        ("héllo", 103094734, 34),
        ("hello world", 1794106052, 2),
        ("txn-1", 110810510, 10),
        ("producer-7", 1752578236, 36),
    ];
    for (s, hash, partition) in cases {
        assert_eq!(java_string_hash(s), hash, "{s}");
        assert_eq!(partition_for(s, 50), partition, "{s}");
    }
    assert_eq!(partition_for("hello", 1), 0);
    assert_eq!(partition_for("my-txn", 7), 1061187895 % 7);
}

/// TransactionLogTest.shouldThrowExceptionWriteInvalidTxn
#[test]
fn should_throw_exception_write_invalid_txn() {
    let mut m = TransactionMetadata::new(
        "transactionalId",
        23423,
        -1,
        0,
        -1,
        1000,
        TransactionState::Empty,
        BTreeSet::new(),
        -1,
        0,
    );
    m.add_partitions([tp("topic1", 0), tp("topic1", 1)]);
    assert!(TransactionLogValue::from_transit(&m.prepare_no_transit()).is_err());
}

/// TransactionLogTest.shouldReadWriteMessages
#[test]
fn should_read_write_messages() {
    let partitions: BTreeSet<_> = [
        tp("topic1", 0),
        tp("topic1", 1),
        tp("topic2", 0),
        tp("topic2", 1),
        tp("topic2", 2),
    ]
    .into_iter()
    .collect();
    use TransactionState::*;
    let cases = [
        ("zero", 0, Empty),
        ("one", 1, Ongoing),
        ("two", 2, PrepareCommit),
        ("three", 3, CompleteCommit),
        ("four", 4, PrepareAbort),
        ("five", 5, CompleteAbort),
    ];
    let mut records = Vec::new();
    for (id, pid, state) in cases {
        let mut m =
            TransactionMetadata::new(id, pid, -1, 0, -1, 1000, state, BTreeSet::new(), 0, 0);
        if state != Empty {
            m.add_partitions(partitions.iter().cloned());
        }
        let key = TransactionLogKey::new(id).encode();
        let value = TransactionLogValue::from_transit(&m.prepare_no_transit())
            .unwrap()
            .encode();
        records.push((key, value));
    }
    for (i, (key, value)) in records.iter().enumerate() {
        let k = TransactionLogKey::decode(key).unwrap();
        let m = TransactionLogValue::decode(value)
            .unwrap()
            .to_metadata(&k.transactional_id)
            .unwrap();
        let (id, pid, state) = cases[i];
        assert_eq!((k.transactional_id.as_str(), m.producer_id), (id, pid));
        assert_eq!(
            (m.producer_epoch, m.txn_timeout_ms, m.state),
            (0, 1000, state)
        );
        if state == Empty {
            assert!(m.topic_partitions.is_empty());
        } else {
            assert_eq!(m.topic_partitions, partitions);
        }
    }
}

/// TransactionLogTest.testTransactionMetadataParsing and
/// testTransactionMetadataTombstoneParsing
#[test]
fn format_record_like_kafka() {
    let mut m = TransactionMetadata::new(
        "id",
        1334,
        -1,
        0,
        -1,
        1000,
        TransactionState::Ongoing,
        BTreeSet::new(),
        0,
        0,
    );
    m.add_partitions([tp("topic", 0)]);
    let key = TransactionLogKey::new("id").encode();
    let value = TransactionLogValue::from_transit(&m.prepare_no_transit())
        .unwrap()
        .encode();
    let (k, v) = format_record(&key, Some(&value)).unwrap();
    assert_eq!(k, "transaction_metadata::transactionalId=id");
    assert_eq!(
        v,
        "producerId:1334,producerEpoch:0,state=Ongoing,partitions=[topic-0],txnLastUpdateTimestamp=0,txnTimeoutMs=1000"
    );
    let (k, v) = format_record(&key, None).unwrap();
    assert_eq!(k, "transaction_metadata::transactionalId=id");
    assert_eq!(v, "<DELETE>");
}

#[test]
fn replay_last_value_wins_and_tombstones_delete() {
    let v = |pid: i64, state: TransactionState| {
        TransactionLogValue {
            producer_id: pid,
            producer_epoch: 0,
            transaction_timeout_ms: 1000,
            transaction_status: state.id(),
            transaction_partitions: None,
            transaction_last_update_timestamp_ms: 0,
            transaction_start_timestamp_ms: -1,
        }
        .encode()
    };
    let ka = TransactionLogKey::new("a").encode();
    let kb = TransactionLogKey::new("b").encode();
    let (a1, a2, b1) = (
        v(1, TransactionState::Empty),
        v(2, TransactionState::CompleteCommit),
        v(3, TransactionState::Empty),
    );
    let records = [
        LoadRecord {
            offset: 0,
            key: &ka,
            value: Some(&a1),
        },
        LoadRecord {
            offset: 1,
            key: &kb,
            value: Some(&b1),
        },
        LoadRecord {
            offset: 2,
            key: &ka,
            value: Some(&a2),
        },
        LoadRecord {
            offset: 3,
            key: &kb,
            value: None,
        },
    ];
    let loaded = replay(records).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded["a"].producer_id, 2);
    assert_eq!(loaded["a"].state, TransactionState::CompleteCommit);
    let bad = [LoadRecord {
        offset: 9,
        key: &[0, 7],
        value: None,
    }];
    assert_eq!(replay(bad).unwrap_err().offset, 9);
}

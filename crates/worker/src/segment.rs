//! The first-slice broker boot: the segment a new broker writes and the
//! checks it runs on what it reads back. Pure; tested natively and in wasm.

use protocol::batch::{BatchHeader, RecordBatch, SimpleRecord};

/// Kafka's segment file name: the base offset as 20 digits plus `.log`.
pub fn segment_file_name(base_offset: i64) -> String {
    format!("{base_offset:020}.log")
}

/// The record batch broker `broker_id` writes at boot: three records at
/// offsets 0..=2 with timestamp `now_ms`, Kafka's v2 format byte for byte.
pub fn boot_batch(broker_id: i32, now_ms: i64) -> Vec<u8> {
    let records: Vec<SimpleRecord> = (0..3)
        .map(|i| SimpleRecord {
            timestamp: now_ms,
            key: Some(format!("broker-{broker_id}").into_bytes()),
            value: Some(format!("hello from broker {broker_id}, record {i}").into_bytes()),
            headers: Vec::new(),
        })
        .collect();
    RecordBatch::from_simple(0, &records).encode()
}

/// Checks that `read` is exactly `written` and a valid v2 batch (CRC-32C
/// included); returns the number of records in it.
pub fn verify_read_back(written: &[u8], read: &[u8]) -> Result<u32, String> {
    if read != written {
        return Err(format!(
            "read back {} bytes that differ from the {} bytes written",
            read.len(),
            written.len()
        ));
    }
    BatchHeader::parse_checked(read).map_err(|e| format!("stored batch is invalid: {e}"))?;
    let (batch, size) =
        RecordBatch::decode(read).map_err(|e| format!("stored batch does not decode: {e}"))?;
    if size != read.len() {
        return Err(format!(
            "{} trailing bytes after the batch",
            read.len() - size
        ));
    }
    Ok(batch.records.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn file_name_is_20_digits() {
        assert_eq!(segment_file_name(0), "00000000000000000000.log");
        assert_eq!(segment_file_name(170), "00000000000000000170.log");
    }

    #[test]
    fn boot_batch_verifies() {
        let b = boot_batch(2, 1_700_000_000_000);
        assert_eq!(verify_read_back(&b, &b), Ok(3));
    }

    #[test]
    fn corruption_is_reported() {
        let b = boot_batch(1, 5);
        let mut bad = b.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(verify_read_back(&b, &bad).unwrap_err().contains("differ"));
        assert!(
            verify_read_back(&bad, &bad).unwrap_err().contains("CRC"),
            "{:?}",
            verify_read_back(&bad, &bad)
        );
        assert!(verify_read_back(&b[..10], &b[..10]).is_err());
    }
}

//! The default partitioner's hash: Kafka's `Utils.murmur2` (MurmurHash2,
//! 32-bit, seed 0x9747b28c) and `Utils.toPositive`.

const SEED: u32 = 0x9747_b28c;
const M: u32 = 0x5bd1_e995;
const R: u32 = 24;

/// Kafka's `Utils.murmur2`, as the signed int Java returns.
pub fn murmur2(data: &[u8]) -> i32 {
    let mut h = SEED ^ data.len() as u32;
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        let mut k = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Java's switch falls through from case 3 to case 1.
    let tail = words.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(&b) = tail.first() {
        h ^= u32::from(b);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which would
/// overflow on `i32::MIN`).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition the default partitioner picks for a keyed record:
/// `toPositive(murmur2(key)) % numPartitions`. `None` for zero partitions.
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> Option<u32> {
    (num_partitions > 0).then(|| to_positive(murmur2(key)) as u32 % num_partitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_utils_test_vectors() {
        // Kafka's UtilsTest.testMurmur2.
        let cases: [(&str, i32); 6] = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            ("abc", 479_470_107),
        ];
        for (s, want) in cases {
            assert_eq!(murmur2(s.as_bytes()), want, "{s}");
        }
    }

    #[test]
    fn librdkafka_murmur2_vectors() {
        // librdkafka's rdmurmur2.c unit test (Java-compatible murmur2), which
        // covers every tail length.
        let cases: [(&str, u32); 4] = [
            ("kafka", 0xd067cf64),
            ("giberish123456789", 0x8f552b0c),
            ("1234", 0x9fc97b14),
            ("234", 0xe7c009ca),
        ];
        for (s, want) in cases {
            assert_eq!(murmur2(s.as_bytes()) as u32, want, "{s}");
        }
    }

    #[test]
    fn to_positive_and_partition() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(5), 5);
        // (-790332482 & 0x7fffffff) % 50 = 1357151166 % 50 = 16.
        assert_eq!(partition_for_key(b"foobar", 50), Some(16));
        assert_eq!(partition_for_key(b"foobar", 0), None);
    }
}

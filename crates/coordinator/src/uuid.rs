//! Member ids are `clientId + "-" + UUID.randomUUID()` in Kafka. The random
//! part comes from an injected source so a run replays exactly from its seed.

/// A source of 128 random bits per call, formatted by [`format_uuid`].
pub trait UuidSource {
    /// Two 64-bit halves, most significant first (Java's
    /// `UUID(mostSigBits, leastSigBits)`).
    fn next_bits(&mut self) -> (u64, u64);
}

/// SplitMix64 seeded from the run's seed: tiny, fast, and good enough to make
/// distinct ids (cryptographic strength is not the point here).
#[derive(Debug, Clone)]
pub struct SeededUuid {
    state: u64,
}

impl SeededUuid {
    pub fn new(seed: u64) -> Self {
        SeededUuid { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl UuidSource for SeededUuid {
    /// Marked as a version-4 (random) UUID with the IETF variant, like
    /// `UUID.randomUUID()`.
    fn next_bits(&mut self) -> (u64, u64) {
        let msb = (self.next_u64() & !0xF000) | 0x4000;
        let lsb = (self.next_u64() & !(0b11 << 62)) | (0b10 << 62);
        (msb, lsb)
    }
}

/// Java's `UUID.toString()`: lowercase hex, 8-4-4-4-12.
pub fn format_uuid((msb, lsb): (u64, u64)) -> String {
    let hex = format!("{msb:016x}{lsb:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_java() {
        // new java.util.UUID(0x0123456789abcdefL, 0xfedcba9876543210L).toString()
        assert_eq!(
            format_uuid((0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210)),
            "01234567-89ab-cdef-fedc-ba9876543210"
        );
    }

    #[test]
    fn seeded_ids_are_version_4_deterministic_and_distinct() {
        let mut a = SeededUuid::new(7);
        let mut b = SeededUuid::new(7);
        let x = format_uuid(a.next_bits());
        assert_eq!(x, format_uuid(b.next_bits()));
        assert_eq!(&x[14..15], "4");
        assert!(matches!(&x[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(x, format_uuid(a.next_bits()));
    }
}

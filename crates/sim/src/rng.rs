//! The only randomness in a run: ChaCha8 streams derived from the run's seed.
//!
//! ChaCha8 gives the same stream natively and in wasm, and `set_stream` lets
//! the network and every node draw from independent streams of one seed, so a
//! node drawing more numbers never shifts the network's latencies.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A seeded random number generator handed to nodes (and used by the network).
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// The generator for `stream` of `seed`. Stream 0 is the network's; node
    /// `i` gets stream `i + 1`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        SimRng(rng)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// Uniform in `0..n` (`n > 0`), by Lemire's multiply-shift: no loop, no
    /// float, same result on every platform. The bias is below 2^-32 for the
    /// small ranges used here.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "SimRng::below(0)");
        ((self.0.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo <= hi`).
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "SimRng::range_inclusive({lo}, {hi})");
        if lo == hi {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.0.next_u64(), // the whole u64 range
        }
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    pub fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }

    /// The underlying `rand_core` 0.9 generator, for code that wants `rand`'s
    /// distributions.
    pub fn inner(&mut self) -> &mut ChaCha8Rng {
        &mut self.0
    }
}

impl RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_streams_differ() {
        let mut a = SimRng::new(7, 0);
        let mut b = SimRng::new(7, 0);
        let mut c = SimRng::new(7, 1);
        let xa: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn known_first_value_pins_the_algorithm() {
        // If this changes, every recorded trace changes: the ChaCha8 stream
        // must be identical natively and in wasm and across upgrades.
        let mut r = SimRng::new(0, 0);
        let first = r.next_u64();
        let mut again = SimRng::new(0, 0);
        assert_eq!(first, again.next_u64());
        assert_eq!(first, PINNED_SEED0_STREAM0);
    }
    const PINNED_SEED0_STREAM0: u64 = 13_080_132_717_333_068_652;

    #[test]
    fn ranges_stay_in_bounds_and_cover_them() {
        let mut r = SimRng::new(1, 0);
        let mut seen = [false; 3];
        for _ in 0..1000 {
            let x = r.range_inclusive(1, 3);
            assert!((1..=3).contains(&x));
            seen[(x - 1) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        assert_eq!(r.range_inclusive(5, 5), 5);
        let _ = r.range_inclusive(0, u64::MAX);
    }
}

//! The speed playing actually reaches: virtual ms per real second over the
//! last few seconds. Playing asks for `speed` × 100 ms of virtual time
//! every 100 ms, but only when the engine is idle, so a busy engine falls
//! behind; the Time panel shows what it reached.

use std::collections::VecDeque;

/// Real ms of samples the rate is taken over.
const WINDOW_MS: f64 = 3000.0;
/// Real ms measured before a rate is given (less is mostly jitter).
const MIN_SPAN_MS: f64 = 1000.0;
/// Below this share of the speed asked for, playing is behind.
const BEHIND: f64 = 0.9;

/// Samples of (real ms, virtual ms) while playing.
#[derive(Debug, Default)]
pub struct Pace {
    samples: VecDeque<(f64, u64)>,
}

impl Pace {
    /// Forgets what was measured (playing stopped, or the clock jumped).
    pub fn reset(&mut self) {
        self.samples.clear();
    }

    /// Virtual time was `virtual_ms` at real time `real_ms`.
    pub fn note(&mut self, real_ms: f64, virtual_ms: u64) {
        // A rewind or a new session: the clock went back, start again.
        if self
            .samples
            .back()
            .is_some_and(|&(r, v)| virtual_ms < v || real_ms < r)
        {
            self.reset();
        }
        if self.samples.back().is_some_and(|&(_, v)| v == virtual_ms) {
            return;
        }
        self.samples.push_back((real_ms, virtual_ms));
        // Keep one sample at or before the window's start.
        while self.samples.len() > 2 && real_ms - self.samples[1].0 >= WINDOW_MS {
            self.samples.pop_front();
        }
    }

    /// Virtual ms per real second over the window, once it spans a second.
    pub fn rate(&self) -> Option<f64> {
        let (&(r0, v0), &(r1, v1)) = (self.samples.front()?, self.samples.back()?);
        let span = r1 - r0;
        (span >= MIN_SPAN_MS).then(|| (v1 - v0) as f64 * 1000.0 / span)
    }

    /// Is `rate` (virtual ms per real second) short of `speed` (virtual ms
    /// per real ms)?
    pub fn behind(rate: f64, speed: f64) -> bool {
        rate < speed * 1000.0 * BEHIND
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_virtual_ms_per_real_second_over_the_window() {
        let mut p = Pace::default();
        p.note(0.0, 0);
        p.note(500.0, 5000);
        assert_eq!(p.rate(), None, "half a second is not measured yet");
        p.note(1000.0, 10_000);
        assert_eq!(p.rate(), Some(10_000.0));
        // The engine slows down: the window forgets the fast start.
        for i in 1..=40 {
            p.note(1000.0 + 100.0 * i as f64, 10_000 + 20 * i);
        }
        let r = p.rate().unwrap();
        assert!((190.0..=210.0).contains(&r), "{r}");
        assert!(Pace::behind(r, 1.0));
        assert!(!Pace::behind(950.0, 1.0));
    }

    #[test]
    fn the_clock_going_back_starts_again() {
        let mut p = Pace::default();
        p.note(0.0, 5000);
        p.note(2000.0, 7000);
        assert_eq!(p.rate(), Some(1000.0));
        p.note(2100.0, 100);
        assert_eq!(p.rate(), None);
        p.reset();
        assert_eq!(p.rate(), None);
    }

    #[test]
    fn a_repeated_clock_reading_does_not_move_the_window() {
        let mut p = Pace::default();
        p.note(0.0, 0);
        p.note(1500.0, 1500);
        p.note(1600.0, 1500);
        assert_eq!(p.rate(), Some(1000.0));
    }
}

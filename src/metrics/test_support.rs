//! Helpers shared by the unit tests of the metric families: the relative
//! tolerance comparison (`close`, `assert_close!`), a tiny deterministic
//! RNG for property tests, and `in_unit`.

pub(crate) const EPS: f64 = 1e-12;

pub(crate) fn close(actual: f64, expected: f64, tol: f64) -> bool {
    (actual - expected).abs() <= tol * expected.abs().max(1.0)
}

macro_rules! assert_close {
    ($actual:expr, $expected:expr) => {
        $crate::metrics::test_support::assert_close!(
            $actual,
            $expected,
            $crate::metrics::test_support::EPS
        )
    };
    ($actual:expr, $expected:expr, $tol:expr) => {{
        let (a, e): (f64, f64) = ($actual, $expected);
        assert!(
            $crate::metrics::test_support::close(a, e, $tol),
            "{} = {a}, expected {e} (tol {})",
            stringify!($actual),
            $tol
        );
    }};
}
pub(crate) use assert_close;

/// xorshift64 — tiny deterministic RNG for property tests.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform-ish in 0..n (n > 0); modulo bias is irrelevant here.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n as u64).unwrap()
    }
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Random distinct items from 0..n in random order (partial shuffle).
    pub(crate) fn permutation_prefix(&mut self, n: usize, len: usize) -> Vec<u32> {
        let mut all: Vec<u32> = (0..n as u32).collect();
        let len = len.min(n);
        for i in 0..len {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(len);
        all
    }
    /// Random sorted subset of 0..n, each item kept with probability p.
    pub(crate) fn subset(&mut self, n: usize, p: f64) -> Vec<u32> {
        (0..n as u32).filter(|_| self.unit() < p).collect()
    }
}

/// True if `x` lies in [0, 1].
pub(crate) fn in_unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

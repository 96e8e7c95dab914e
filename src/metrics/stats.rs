//! Statistics used to compare runs user by user: the special functions
//! (log-gamma, regularised incomplete beta, Student's t CDF and quantile,
//! erfc, normal CDF), the mean with a 95 % confidence interval, the paired
//! t-test and Wilcoxon signed-rank test (exact, sign-flip permutation or
//! normal p-value, chosen as scipy's `method="auto"` does: [`WilcoxonMethod`]),
//! [`paired_comparison`], which bundles both tests with the mean difference,
//! and the Holm–Bonferroni adjustment. `std` only, plus serde for the name of
//! the Wilcoxon method in files. Every p-value here is cross-checked against
//! scipy by `tests/integration/stats_crosscheck.rs`.

use std::f64::consts::{PI, SQRT_2};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::util::{count_f64, count64_f64, mean_of, sample_sd};

// ---------------------------------------------------------------------------
// Statistics: special functions
// ---------------------------------------------------------------------------

/// Natural log of the gamma function, Lanczos approximation (g = 7, nine
/// coefficients), relative error around 1e-15 for `x > 0`. Uses the
/// reflection formula below 0.5; returns +inf at the poles (0, -1, …).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.5 {
        // Gamma(x) Gamma(1 - x) = pi / sin(pi x)
        let s = (PI * x).sin();
        if s == 0.0 {
            return f64::INFINITY;
        }
        return (PI / s.abs()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let series = COEFFICIENTS[1..]
        .iter()
        .zip(1u32..)
        .fold(COEFFICIENTS[0], |acc, (c, i)| acc + c / (x + f64::from(i)));
    let t = x + G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// Tiny value that keeps the modified Lentz algorithm away from division by
/// zero.
const LENTZ_TINY: f64 = 1e-300;
/// Relative convergence threshold of the continued fractions and series.
const SERIES_EPS: f64 = 1e-16;
/// Iteration cap; the continued fractions need O(sqrt(max(a, b)))
/// iterations, so this covers degrees of freedom far beyond any user count.
const MAX_ITERATIONS: u32 = 100_000;

/// Replaces a near-zero Lentz term by a tiny one.
fn lentz_guard(v: f64) -> f64 {
    if v.abs() < LENTZ_TINY { LENTZ_TINY } else { v }
}

/// Continued fraction of the incomplete beta function (Numerical Recipes
/// `betacf`, modified Lentz).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / lentz_guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=MAX_ITERATIONS {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / lentz_guard(1.0 + even * d);
        c = lentz_guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / lentz_guard(1.0 + odd * d);
        c = lentz_guard(1.0 + odd / c);
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < SERIES_EPS {
            break;
        }
    }
    h
}

/// Regularised incomplete beta function `I_x(a, b)` for `a, b > 0`, via
/// the continued fraction on whichever side converges fast. Returns 0 for
/// `x <= 0`, 1 for `x >= 1`, NaN for NaN input.
pub fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// Two-sided tail probability `P(|T| >= |t|)` of Student's t with `df`
/// degrees of freedom: `I_{df/(df+t^2)}(df/2, 1/2)`, computed directly so
/// small p-values keep their relative precision.
pub fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    regularized_incomplete_beta(0.5 * df, 0.5, x).clamp(0.0, 1.0)
}

/// Cumulative distribution function of Student's t with `df > 0` degrees
/// of freedom (non-integer `df` allowed).
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let half_tail = 0.5 * student_t_two_sided_p(t, df);
    if t >= 0.0 { 1.0 - half_tail } else { half_tail }
}

/// Quantile of Student's t: the `t` with `student_t_cdf(t, df) == p`.
///
/// Found by bracketing and bisection on the two-sided tail (monotone in
/// `|t|`) to full double precision. Returns -inf / +inf for `p <= 0` /
/// `p >= 1` and NaN for NaN or `df <= 0`.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    let (upper_tail, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    let target = 2.0 * upper_tail;
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while student_t_two_sided_p(hi, df) > target {
        lo = hi;
        hi *= 2.0;
        if hi.is_infinite() {
            return sign * f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if student_t_two_sided_p(mid, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    sign * 0.5 * (lo + hi)
}

/// Upper regularised incomplete gamma `Q(a, x)` for `a > 0`, `x >= 0`:
/// series for `x < a + 1`, Lentz continued fraction otherwise (Numerical
/// Recipes `gser` / `gcf`).
fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..MAX_ITERATIONS {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * SERIES_EPS {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / LENTZ_TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_ITERATIONS {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = 1.0 / lentz_guard(an * d + b);
            c = lentz_guard(b + an / c);
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < SERIES_EPS {
                break;
            }
        }
        ln_front.exp() * h
    }
}

/// Complementary error function, `erfc(x) = Q(1/2, x^2)` for `x >= 0` and
/// `2 - erfc(-x)` below; relative error around 1e-14 or better.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x > 40.0 {
        // erfc(40) ~ 1e-697, below the smallest double.
        return 0.0;
    }
    regularized_gamma_q(0.5, x * x)
}

/// Standard normal CDF, `Phi(z) = erfc(-z / sqrt 2) / 2`.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

// ---------------------------------------------------------------------------
// Statistics: confidence interval and paired tests
// ---------------------------------------------------------------------------

/// Mean of per-user values with a 95 % Student-t confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanCi {
    /// Sample mean.
    pub mean: f64,
    /// Lower end of the 95 % interval.
    pub lo: f64,
    /// Upper end of the 95 % interval.
    pub hi: f64,
    /// Number of values.
    pub n: usize,
}

/// Mean and 95 % confidence interval `mean ± t_{0.975, n-1} * sd / sqrt(n)`
/// with the sample standard deviation (divisor n - 1).
///
/// For `n == 1` the interval collapses to the mean (there is no spread to
/// estimate). `None` for empty input or any non-finite value.
pub fn mean_ci95(values: &[f64]) -> Option<MeanCi> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = values.len();
    let mean = mean_of(values);
    if n == 1 {
        return Some(MeanCi {
            mean,
            lo: mean,
            hi: mean,
            n,
        });
    }
    let standard_error = sample_sd(values, mean) / count_f64(n).sqrt();
    let half_width = student_t_quantile(0.975, count_f64(n - 1)) * standard_error;
    Some(MeanCi {
        mean,
        lo: mean - half_width,
        hi: mean + half_width,
        n,
    })
}

/// Pairs up to which [`wilcoxon_signed_rank`] uses an exact null distribution, as
/// `scipy.stats.wilcoxon(method="auto")` does: the pairs counted are all pairs, zero
/// differences included.
pub const WILCOXON_EXACT_MAX_PAIRS: usize = 50;

/// Pairs up to which [`wilcoxon_signed_rank`] enumerates every sign flip when the
/// differences have ties or zeros: scipy's `method="auto"` hands such samples to
/// `permutation_test` with its default 9999 resamples, which enumerates all `2^n` sign
/// flips exactly while `2^n <= 9999`, i.e. `n <= 13`.
pub const WILCOXON_PERMUTATION_MAX_PAIRS: usize = 13;

/// How [`wilcoxon_signed_rank`] computed its p-value. The rule is scipy's
/// `method="auto"` (see [`WilcoxonMethod::for_sample`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WilcoxonMethod {
    /// The exact null distribution of `W+` over the `2^n` equally likely sign assignments
    /// of the ranks `1..=n` (no ties, no zeros).
    #[serde(rename = "exact")]
    Exact,
    /// The exact distribution of `W+` over the `2^n` sign flips of the differences with
    /// their mid-ranks as they are (ties or zeros, few pairs): scipy's permutation test,
    /// which enumerates every flip at these sizes and so is deterministic.
    #[serde(rename = "permutation")]
    Permutation,
    /// The normal approximation with tie-corrected variance and continuity correction.
    #[serde(rename = "normal-approx")]
    Normal,
}

impl WilcoxonMethod {
    /// Every method, in the order of the rule.
    pub const ALL: [WilcoxonMethod; 3] = [
        WilcoxonMethod::Exact,
        WilcoxonMethod::Permutation,
        WilcoxonMethod::Normal,
    ];

    /// The name in files: `exact`, `permutation`, `normal-approx`.
    pub fn name(self) -> &'static str {
        match self {
            WilcoxonMethod::Exact => "exact",
            WilcoxonMethod::Permutation => "permutation",
            WilcoxonMethod::Normal => "normal-approx",
        }
    }

    /// scipy 1.17's `method="auto"` (`scipy/stats/_wilcoxon.py`) for `pairs` pairs, zero
    /// differences included, of which some differences are zero or share an absolute value
    /// (`ties_or_zeros`):
    ///
    /// * more than [`WILCOXON_EXACT_MAX_PAIRS`] pairs: [`WilcoxonMethod::Normal`];
    /// * otherwise, no ties and no zeros: [`WilcoxonMethod::Exact`];
    /// * otherwise, at most [`WILCOXON_PERMUTATION_MAX_PAIRS`] pairs:
    ///   [`WilcoxonMethod::Permutation`];
    /// * otherwise [`WilcoxonMethod::Normal`].
    pub fn for_sample(pairs: usize, ties_or_zeros: bool) -> Self {
        if pairs > WILCOXON_EXACT_MAX_PAIRS {
            WilcoxonMethod::Normal
        } else if !ties_or_zeros {
            WilcoxonMethod::Exact
        } else if pairs <= WILCOXON_PERMUTATION_MAX_PAIRS {
            WilcoxonMethod::Permutation
        } else {
            WilcoxonMethod::Normal
        }
    }
}

impl fmt::Display for WilcoxonMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a string is not a [`WilcoxonMethod`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a Wilcoxon method (known: exact, permutation, normal-approx)")]
pub struct ParseWilcoxonMethodError(pub String);

impl FromStr for WilcoxonMethod {
    type Err = ParseWilcoxonMethodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        WilcoxonMethod::ALL
            .into_iter()
            .find(|m| m.name() == text)
            .ok_or_else(|| ParseWilcoxonMethodError(text.to_string()))
    }
}

/// Result of a two-sided paired test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedTest {
    /// Test statistic: t for the t-test, W+ for Wilcoxon.
    pub statistic: f64,
    /// Two-sided p-value in [0, 1].
    pub p_value: f64,
    /// Pairs used: all pairs for the t-test, non-zero differences for
    /// Wilcoxon.
    pub n: usize,
    /// How the p-value was computed: `None` for the t-test (always Student's t), the
    /// rule's choice for Wilcoxon.
    pub method: Option<WilcoxonMethod>,
}

/// Differences `a_i - b_i`; `None` if the lengths differ or any difference
/// is not finite.
fn paired_differences(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    if a.len() != b.len() {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    d.iter().all(|v| v.is_finite()).then_some(d)
}

/// Two-sided paired t-test on `d = a - b`: `t = mean(d) / (sd(d) / sqrt n)`
/// with `n - 1` degrees of freedom.
///
/// `None` if the lengths differ, `n < 2`, or a difference is not finite.
/// If all differences are identical (zero sd): mean 0 gives statistic 0 and
/// p = 1; a non-zero mean gives statistic ±inf and p = 0.
pub fn paired_t_test(a: &[f64], b: &[f64]) -> Option<PairedTest> {
    let d = paired_differences(a, b)?;
    let n = d.len();
    if n < 2 {
        return None;
    }
    let first = d[0];
    if d.iter().all(|&v| v == first) {
        let (statistic, p_value) = if first == 0.0 {
            (0.0, 1.0)
        } else {
            (f64::INFINITY.copysign(first), 0.0)
        };
        return Some(PairedTest {
            statistic,
            p_value,
            n,
            method: None,
        });
    }
    let mean = mean_of(&d);
    let statistic = mean / (sample_sd(&d, mean) / count_f64(n).sqrt());
    let p_value = student_t_two_sided_p(statistic, count_f64(n - 1));
    Some(PairedTest {
        statistic,
        p_value,
        n,
        method: None,
    })
}

/// Two-sided Wilcoxon signed-rank test on `d = a - b`, with scipy's default choice of how
/// to compute the p-value (`scipy.stats.wilcoxon(a, b, correction=True)`: `method="auto"`,
/// `zero_method="wilcox"`).
///
/// Zero differences are dropped (Wilcoxon's method, scipy's `zero_method="wilcox"`); the
/// remaining `|d|` are ranked with mid-ranks for exact ties. The statistic returned is
/// `W+ = sum of ranks of positive d` (scipy's two-sided test returns `min(W+, W-)`
/// instead; `W- = n(n+1)/2 - W+`), and `n` is the number of non-zero differences.
///
/// The p-value follows [`WilcoxonMethod::for_sample`] on all pairs, zeros included:
///
/// * [`WilcoxonMethod::Exact`] (at most 50 pairs, no ties, no zeros): the null distribution
///   of `W+` over the `2^n` sign assignments of the ranks `1..=n`, counted by dynamic
///   programming; `p = min(1, 2 min(P(W+ <= w), P(W+ >= w)))`.
/// * [`WilcoxonMethod::Permutation`] (at most 13 pairs with ties or zeros): the same count
///   over the `2^n` sign flips of the actual mid-ranks, which is what scipy's exhaustive
///   permutation test computes (flipping a zero changes nothing, so zeros cancel out of
///   the ratio).
/// * [`WilcoxonMethod::Normal`] (otherwise): mean `n(n+1)/4`, tie-corrected variance
///   `n(n+1)(2n+1)/24 - sum_t (t^3 - t)/48`, continuity correction
///   `z = (W+ - mean - 0.5 sign(W+ - mean)) / sd`, `p = 2 Phi(-|z|)`; this matches R
///   `wilcox.test(paired = TRUE, exact = FALSE, correct = TRUE)` and
///   `scipy.stats.wilcoxon(correction=True, method="asymptotic")`. scipy's default is
///   `correction=False`, whose p is slightly smaller; recsweep keeps the correction, which
///   R applies by default.
///
/// `None` if the lengths differ, the input is empty, or a difference is not finite. If
/// every difference is zero: statistic 0, p = 1, `n = 0`, with the method the rule names
/// (scipy agrees up to 13 pairs and returns NaN above). Ties in `|d|` are exact equality:
/// round the inputs first if tiny floating-point noise should count as a tie.
pub fn wilcoxon_signed_rank(a: &[f64], b: &[f64]) -> Option<PairedTest> {
    let d = paired_differences(a, b)?;
    if d.is_empty() {
        return None;
    }
    let pairs = d.len();
    let ranked = SignedRanks::of(&d);
    let n = ranked.doubled_ranks.len();
    let method = WilcoxonMethod::for_sample(pairs, ranked.has_ties || n < pairs);
    let w_plus = 0.5 * count_f64(ranked.doubled_w_plus);
    let p_value = if n == 0 {
        1.0
    } else {
        match method {
            WilcoxonMethod::Exact | WilcoxonMethod::Permutation => {
                sign_flip_two_sided_p(&ranked.doubled_ranks, ranked.doubled_w_plus)
            }
            WilcoxonMethod::Normal => normal_approx_two_sided_p(w_plus, n, ranked.tie_sum),
        }
    };
    Some(PairedTest {
        statistic: w_plus,
        p_value,
        n,
        method: Some(method),
    })
}

/// The signed ranks of the non-zero differences. Ranks are kept doubled (`2 × mid-rank`),
/// which makes them integers, so the sign-flip distribution is counted exactly.
#[derive(Debug, Clone, PartialEq)]
struct SignedRanks {
    /// `2 × mid-rank of |d_i|` for each non-zero difference, ascending.
    doubled_ranks: Vec<usize>,
    /// `2 × W+`.
    doubled_w_plus: usize,
    /// Whether two non-zero `|d_i|` are equal.
    has_ties: bool,
    /// `sum over tie groups of t^3 - t`, for the normal approximation's variance.
    tie_sum: f64,
}

impl SignedRanks {
    fn of(d: &[f64]) -> Self {
        let mut nonzero: Vec<(f64, bool)> = d
            .iter()
            .filter(|&&v| v != 0.0)
            .map(|&v| (v.abs(), v > 0.0))
            .collect();
        nonzero.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
        let mut out = SignedRanks {
            doubled_ranks: Vec::with_capacity(nonzero.len()),
            doubled_w_plus: 0,
            has_ties: false,
            tie_sum: 0.0,
        };
        let mut ranked_so_far = 0usize;
        for group in nonzero.chunk_by(|x, y| x.0 == y.0) {
            let t = group.len();
            // Ranks ranked_so_far + 1 ..= ranked_so_far + t share their mean, whose double
            // is 2 ranked_so_far + t + 1.
            let doubled = 2 * ranked_so_far + t + 1;
            let positives = group.iter().filter(|&&(_, positive)| positive).count();
            out.doubled_ranks.extend(std::iter::repeat_n(doubled, t));
            out.doubled_w_plus += doubled * positives;
            out.has_ties |= t > 1;
            let tf = count_f64(t);
            out.tie_sum += tf * tf * tf - tf;
            ranked_so_far += t;
        }
        out
    }
}

/// Two-sided p of `W+ = observed / 2` under the null that each difference is positive or
/// negative with probability 1/2 independently: with `N(s)` the number of the `2^n` sign
/// assignments whose doubled ranks sum to `s`,
/// `p = min(1, 2 min(sum_{s <= observed} N(s), sum_{s >= observed} N(s)) / 2^n)`.
///
/// `N` is counted by the subset-sum recurrence, one rank at a time. The counts are exact in
/// `u64` up to `n = 63`; callers use it for at most [`WILCOXON_EXACT_MAX_PAIRS`] ranks, where
/// every count is below `2^53` and so converts to `f64` exactly.
fn sign_flip_two_sided_p(doubled_ranks: &[usize], observed: usize) -> f64 {
    debug_assert!(doubled_ranks.len() <= WILCOXON_EXACT_MAX_PAIRS);
    let total: usize = doubled_ranks.iter().sum();
    let mut counts = vec![0u64; total + 1];
    counts[0] = 1;
    let mut reached = 0usize;
    for &rank in doubled_ranks {
        reached += rank;
        for s in (rank..=reached).rev() {
            counts[s] += counts[s - rank];
        }
    }
    // observed <= total: it is the sum of some of the ranks.
    let at_most: u64 = counts[..=observed].iter().sum();
    let at_least: u64 = counts[observed..].iter().sum();
    let assignments = count64_f64(1u64 << doubled_ranks.len());
    (2.0 * count64_f64(at_most.min(at_least)) / assignments).min(1.0)
}

/// Two-sided p of the normal approximation to `W+` over `n` non-zero differences, with the
/// tie correction `tie_sum = sum_t (t^3 - t)` and the continuity correction.
fn normal_approx_two_sided_p(w_plus: f64, n: usize, tie_sum: f64) -> f64 {
    let nf = count_f64(n);
    let mean = nf * (nf + 1.0) / 4.0;
    let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_sum / 48.0;
    let deviation = w_plus - mean;
    let correction = if deviation == 0.0 {
        0.0
    } else {
        0.5f64.copysign(deviation)
    };
    let z = (deviation - correction) / variance.sqrt();
    erfc(z.abs() / SQRT_2).clamp(0.0, 1.0)
}

// ---------------------------------------------------------------------------
// Statistics: paired comparison of two runs
// ---------------------------------------------------------------------------

/// Paired comparison of per-user values `a` (treatment) against `b` (baseline): mean of a−b, Wilcoxon signed-rank and paired t p-values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedComparisonStats {
    /// Mean of the differences `a_i - b_i` over all pairs.
    pub mean_difference: f64,
    /// Two-sided p-value of [`wilcoxon_signed_rank`].
    pub wilcoxon_p: f64,
    /// How [`wilcoxon_signed_rank`] computed `wilcoxon_p`.
    pub wilcoxon_method: WilcoxonMethod,
    /// Two-sided p-value of [`paired_t_test`].
    pub t_test_p: f64,
    /// Number of pairs, zero differences included.
    pub n: usize,
}

/// Compares `a` (treatment) with `b` (baseline), paired by index:
/// `mean_difference = sum_i (a_i - b_i) / n`, with the p-values of
/// [`wilcoxon_signed_rank`] and [`paired_t_test`] on the same pairs.
///
/// `None` exactly when either test returns `None`: the lengths differ,
/// `n < 2`, or a difference is not finite.
pub fn paired_comparison(a: &[f64], b: &[f64]) -> Option<PairedComparisonStats> {
    let wilcoxon = wilcoxon_signed_rank(a, b)?;
    let wilcoxon_method = wilcoxon.method?;
    let t_test = paired_t_test(a, b)?;
    let n = a.len();
    let mean_difference = a.iter().zip(b).map(|(x, y)| x - y).sum::<f64>() / count_f64(n);
    Some(PairedComparisonStats {
        mean_difference,
        wilcoxon_p: wilcoxon.p_value,
        wilcoxon_method,
        t_test_p: t_test.p_value,
        n,
    })
}

/// Holm–Bonferroni adjusted p-values (Holm 1979), in the order given: with the `m` finite
/// p-values sorted ascending, `p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) · p_(j))`. A family
/// of `m` tests rejected at `p̃ < α` keeps the family-wise error rate at α whatever the
/// tests' dependence. Non-finite entries stay as they are and do not count in `m`.
pub fn holm_adjust(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_finite()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len();
    let mut out = p.to_vec();
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        let scaled = (count_f64(m - rank) * p[i]).min(1.0);
        running = running.max(scaled);
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::test_support::*;

    // ---- special functions ----

    #[test]
    fn ln_gamma_known_values() {
        // references: Python math.lgamma
        assert_close!(ln_gamma(0.5), 0.572_364_942_924_700_4, 1e-13); // ln sqrt(pi)
        assert_close!(ln_gamma(1.0), 0.0, 1e-13);
        assert_close!(ln_gamma(2.0), 0.0, 1e-13);
        assert_close!(ln_gamma(3.7), 1.428_072_326_665_388_3, 1e-13);
        assert_close!(ln_gamma(10.0), 12.801_827_480_081_467, 1e-13); // ln 9!
        assert_close!(ln_gamma(100.0), 359.134_205_369_575_4, 1e-13);
        // reflection: Gamma(0.25) = 3.6256099082219083
        assert_close!(ln_gamma(0.25), 3.625_609_908_221_908f64.ln(), 1e-13);
        assert_eq!(ln_gamma(0.0), f64::INFINITY);
    }

    #[test]
    fn incomplete_beta_known_values() {
        // closed forms: I_x(1,1) = x; I_x(a,1) = x^a; I_x(1,b) = 1-(1-x)^b;
        // I_{1/2}(a,a) = 1/2
        assert_close!(regularized_incomplete_beta(1.0, 1.0, 0.3), 0.3);
        assert_close!(regularized_incomplete_beta(3.0, 1.0, 0.6), 0.216);
        assert_close!(
            regularized_incomplete_beta(1.0, 4.0, 0.2),
            1.0 - 0.8f64.powi(4)
        );
        assert_close!(regularized_incomplete_beta(7.5, 7.5, 0.5), 0.5);
        // scipy.stats.beta.cdf(0.3, 2.5, 4.0) and beta.cdf(0.9, 10, 0.5)
        assert_close!(
            regularized_incomplete_beta(2.5, 4.0, 0.3),
            0.352_197_585_906_767_2,
            1e-12
        );
        assert_close!(
            regularized_incomplete_beta(10.0, 0.5, 0.9),
            0.151_640_909_634_709_94,
            1e-12
        );
        assert_eq!(regularized_incomplete_beta(2.0, 3.0, 0.0), 0.0);
        assert_eq!(regularized_incomplete_beta(2.0, 3.0, 1.0), 1.0);
    }

    #[test]
    fn student_t_cdf_known_values() {
        // df = 1 (Cauchy): 1/2 + atan(1)/pi = 0.75
        assert_close!(student_t_cdf(1.0, 1.0), 0.75);
        // df = 2: 1/2 + t / (2 sqrt(2 + t^2)) = 1/2 + 1/(2 sqrt 3)
        assert_close!(student_t_cdf(1.0, 2.0), 0.5 + 1.0 / (2.0 * 3f64.sqrt()));
        assert_close!(student_t_cdf(0.0, 5.0), 0.5);
        // scipy.stats.t.cdf(-2.5, 7) and t.sf(3.0, 30)
        assert_close!(student_t_cdf(-2.5, 7.0), 0.020_496_109_292_876_444, 1e-10);
        assert_close!(
            1.0 - student_t_cdf(3.0, 30.0),
            0.002_694_982_032_825_972_7,
            1e-10
        );
        assert_close!(
            student_t_two_sided_p(3.0, 30.0),
            2.0 * 0.002_694_982_032_825_972_7,
            1e-10
        );
        assert_eq!(student_t_two_sided_p(f64::INFINITY, 3.0), 0.0);
    }

    #[test]
    fn student_t_quantile_known_values() {
        // table values, to 1e-3 as required, and tighter where exact
        assert!((student_t_quantile(0.975, 1.0) - 12.7062).abs() < 1e-3);
        assert!((student_t_quantile(0.975, 9.0) - 2.2622).abs() < 1e-3);
        assert!((student_t_quantile(0.975, 30.0) - 2.0423).abs() < 1e-3);
        assert!((student_t_quantile(0.975, 1e6) - 1.95996).abs() < 1e-3);
        // df = 1 closed form tan(pi (p - 1/2)) = 12.706204736174707
        assert_close!(student_t_quantile(0.975, 1.0), (PI * 0.475).tan(), 1e-10);
        // df = 2 closed form (2p - 1) / sqrt(2 p (1 - p)) = 0.95 / sqrt(0.04875)
        assert_close!(
            student_t_quantile(0.975, 2.0),
            0.95 / 0.04875f64.sqrt(),
            1e-10
        );
        // scipy.stats.t.ppf(0.975, 4) = 2.7764451051977934,
        // t.ppf(0.975, 9) = 2.262157162798205, t.ppf(0.975, 30) = 2.0422724563012378,
        // t.ppf(0.975, 1e6) = 1.959966356814107
        assert_close!(
            student_t_quantile(0.975, 4.0),
            2.776_445_105_197_793_4,
            1e-10
        );
        assert_close!(student_t_quantile(0.975, 9.0), 2.262_157_162_798_205, 1e-10);
        assert_close!(
            student_t_quantile(0.975, 30.0),
            2.042_272_456_301_237_8,
            1e-10
        );
        assert_close!(student_t_quantile(0.975, 1e6), 1.959_966_356_814_107, 1e-8);
        // symmetry and limits
        assert_close!(
            student_t_quantile(0.025, 9.0),
            -2.262_157_162_798_205,
            1e-10
        );
        assert_eq!(student_t_quantile(0.5, 3.0), 0.0);
        assert_eq!(student_t_quantile(1.0, 3.0), f64::INFINITY);
        assert_eq!(student_t_quantile(0.0, 3.0), f64::NEG_INFINITY);
        assert!(student_t_quantile(0.9, 0.0).is_nan());
        assert!(student_t_quantile(f64::NAN, 3.0).is_nan());
    }

    #[test]
    fn student_t_quantile_inverts_cdf() {
        let mut rng = Rng::new(11);
        for _ in 0..200 {
            let p = 0.001 + 0.998 * rng.unit();
            let df = 0.5 + 60.0 * rng.unit();
            let t = student_t_quantile(p, df);
            assert_close!(student_t_cdf(t, df), p, 1e-9);
        }
    }

    #[test]
    fn erfc_and_normal_known_values() {
        // references: Python math.erfc, scipy.stats.norm.cdf
        assert_close!(erfc(0.0), 1.0, 1e-14);
        assert_close!(erfc(0.5), 0.479_500_122_186_953_5, 1e-13);
        assert_close!(erfc(1.0), 0.157_299_207_050_285_13, 1e-13);
        assert_close!(erfc(-1.0), 1.842_700_792_949_715, 1e-13);
        assert!((erfc(2.0) / 0.004_677_734_981_047_265 - 1.0).abs() < 1e-12);
        assert!((erfc(5.0) / 1.537_459_794_428_035_1e-12 - 1.0).abs() < 1e-12);
        assert!((erfc(10.0) / 2.088_487_583_762_545e-45 - 1.0).abs() < 1e-12);
        assert_eq!(erfc(f64::INFINITY), 0.0);
        assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
        assert_close!(normal_cdf(1.96), 0.975_002_104_851_779_5, 1e-13);
        assert_close!(normal_cdf(1.959_963_984_540_054), 0.975, 1e-13);
        assert!((normal_cdf(-5.0) / 2.866_515_718_791_933e-7 - 1.0).abs() < 1e-12);
        assert_close!(normal_cdf(0.0), 0.5, 1e-15);
    }

    // ---- CI ----

    #[test]
    fn mean_ci95_by_hand() {
        // [0, 2]: mean 1, sd sqrt(2), se = sqrt(2)/sqrt(2) = 1,
        // t_{0.975,1} = 12.706204736174707 -> [1 - 12.7062, 1 + 12.7062]
        let ci = mean_ci95(&[0.0, 2.0]).unwrap();
        let t1 = (PI * 0.475).tan();
        assert_close!(ci.mean, 1.0);
        assert_close!(ci.lo, 1.0 - t1, 1e-10);
        assert_close!(ci.hi, 1.0 + t1, 1e-10);
        assert_eq!(ci.n, 2);
        // [1..=5]: mean 3, sd sqrt(2.5), se sqrt(0.5); scipy.stats.t.interval(
        // 0.95, 4, loc=3, scale=sem) = (1.0367568385224428, 4.963243161477557)
        let ci = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_close!(ci.lo, 1.036_756_838_522_442_8, 1e-10);
        assert_close!(ci.hi, 4.963_243_161_477_557, 1e-10);
    }

    #[test]
    fn mean_ci95_edge_cases() {
        assert_eq!(mean_ci95(&[]), None);
        assert_eq!(mean_ci95(&[1.0, f64::NAN]), None);
        assert_eq!(mean_ci95(&[f64::INFINITY, 1.0]), None);
        assert_eq!(
            mean_ci95(&[0.7]),
            Some(MeanCi {
                mean: 0.7,
                lo: 0.7,
                hi: 0.7,
                n: 1
            })
        );
        // zero spread -> zero width
        let ci = mean_ci95(&[0.25; 4]).unwrap();
        assert_eq!((ci.lo, ci.hi), (0.25, 0.25));
    }

    // ---- paired tests ----

    // a - b = [2, 0, 3, -1, 3, 0, 3, -1, 4, 1]
    const PAIRED_A: [f64; 10] = [5.0, 3.0, 8.0, 6.0, 7.0, 4.0, 9.0, 5.0, 6.0, 2.0];
    const PAIRED_B: [f64; 10] = [3.0, 3.0, 5.0, 7.0, 4.0, 4.0, 6.0, 6.0, 2.0, 1.0];

    #[test]
    fn paired_t_by_hand_and_scipy() {
        // d = [2,0,3,-1,3,0,3,-1,4,1]: sum 14, mean 1.4
        // squared deviations sum = 30.4 -> var 30.4/9, sd 1.8378731...
        // t = 1.4 / (sd / sqrt 10) = 2.408865...
        // scipy.stats.ttest_rel(a, b): statistic 2.408865205640898,
        // pvalue 0.039322124510764306
        let r = paired_t_test(&PAIRED_A, &PAIRED_B).unwrap();
        assert_close!(r.statistic, 1.4 / ((30.4f64 / 9.0).sqrt() / 10f64.sqrt()));
        assert_close!(r.statistic, 2.408_865_205_640_898, 1e-12);
        assert_close!(r.p_value, 0.039_322_124_510_764_306, 1e-10);
        assert_eq!(r.n, 10);
        // swapping a and b flips the sign, keeps p
        let s = paired_t_test(&PAIRED_B, &PAIRED_A).unwrap();
        assert_close!(s.statistic, -r.statistic);
        assert_close!(s.p_value, r.p_value);
    }

    #[test]
    fn paired_t_edge_cases() {
        assert_eq!(paired_t_test(&[1.0, 2.0], &[1.0]), None); // length differs
        assert_eq!(paired_t_test(&[1.0], &[0.0]), None); // n < 2
        assert_eq!(paired_t_test(&[], &[]), None);
        assert_eq!(paired_t_test(&[1.0, f64::NAN], &[0.0, 0.0]), None);
        // all differences zero -> statistic 0, p 1
        let r = paired_t_test(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((r.statistic, r.p_value, r.n), (0.0, 1.0, 3));
        // identical non-zero differences -> ±inf, p 0
        let r = paired_t_test(&[2.0, 3.0], &[1.0, 2.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (f64::INFINITY, 0.0));
        let r = paired_t_test(&[1.0, 2.0], &[2.0, 3.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (f64::NEG_INFINITY, 0.0));
        // n = 2 with d = [1, 3]: mean 2, sd sqrt 2, t = 2 / 1 = 2, df 1:
        // p = 1 - 2 atan(2)/pi = 0.2951672353008665
        let r = paired_t_test(&[1.0, 3.0], &[0.0, 0.0]).unwrap();
        assert_close!(r.statistic, 2.0);
        assert_close!(r.p_value, 1.0 - 2.0 * 2f64.atan() / PI, 1e-12);
    }

    #[test]
    fn wilcoxon_by_hand_and_scipy() {
        // d = [2,0,3,-1,3,0,3,-1,4,1]; drop the two zeros -> n = 8
        // |d| sorted: 1,1,1 (ranks 1-3, mid 2) | 2 (rank 4) |
        //             3,3,3 (ranks 5-7, mid 6) | 4 (rank 8)
        // W+ = 2 (the +1) + 4 + 3*6 + 8 = 32; W- = 2 + 2 = 4; 32 + 4 = 36 = 8*9/2
        // Ten pairs with ties and zeros -> every sign flip of the mid-ranks. W+ >= 32 exactly
        // when the ranks flipped negative sum to <= 4: none, one of the three 2s, or two of
        // them (the 4 is rank 4: {4} too) -> 1 + 3 + 3 + 1 = 8 of 2^8 = 256 flips;
        // p = 2 * 8/256 = 0.0625.
        // scipy.stats.wilcoxon(a, b) -> pvalue 0.0625 (its permutation test).
        let r = wilcoxon_signed_rank(&PAIRED_A, &PAIRED_B).unwrap();
        assert_eq!(r.statistic, 32.0);
        assert_eq!(r.n, 8);
        assert_eq!(r.method, Some(WilcoxonMethod::Permutation));
        assert_eq!(r.p_value, 0.0625);
        // swapping: W+ becomes 4, same p
        let s = wilcoxon_signed_rank(&PAIRED_B, &PAIRED_A).unwrap();
        assert_eq!(s.statistic, 4.0);
        assert_eq!(s.p_value, r.p_value);
        // The normal approximation on the same ranks, as used above 13 pairs:
        // mean = 8*9/4 = 18; var = 8*9*17/24 - (24 + 24)/48 = 51 - 1 = 50
        // z = (32 - 18 - 0.5) / sqrt(50) = 1.909188309203678
        // scipy.stats.wilcoxon(a, b, correction=True, method='asymptotic')
        //   -> zstatistic -1.909188309203678, pvalue 0.05623780387727597
        let ranks = SignedRanks::of(&[2.0, 0.0, 3.0, -1.0, 3.0, 0.0, 3.0, -1.0, 4.0, 1.0]);
        assert_eq!(ranks.doubled_ranks, vec![4, 4, 4, 8, 12, 12, 12, 16]);
        assert_eq!(ranks.doubled_w_plus, 64);
        assert!(ranks.has_ties);
        assert_eq!(ranks.tie_sum, 48.0);
        let p = normal_approx_two_sided_p(32.0, 8, ranks.tie_sum);
        assert_close!(p, erfc(13.5 / 50f64.sqrt() / SQRT_2), 1e-14);
        assert_close!(p, 0.056_237_803_877_275_97, 1e-10);
    }

    #[test]
    fn wilcoxon_exact_by_hand() {
        // d = [1, 2, 3, 4, 5], all positive: W+ = 15 is reached by 1 of the 2^5 = 32 sign
        // assignments, p = 2/32 = 0.0625. scipy.stats.wilcoxon([1,2,3,4,5]) -> 0.0625.
        let r = wilcoxon_signed_rank(&[1.0, 2.0, 3.0, 4.0, 5.0], &[0.0; 5]).unwrap();
        assert_eq!((r.statistic, r.n), (15.0, 5));
        assert_eq!(r.method, Some(WilcoxonMethod::Exact));
        assert_eq!(r.p_value, 0.0625);
        // d = [1, -2, 3]: W+ = 1 + 3 = 4. The 8 subsets of {1,2,3} sum to
        // 0, 1, 2, 3 ({3} and {1,2}), 4, 5, 6: P(W+ >= 4) = 3/8, P(W+ <= 4) = 6/8,
        // p = 2 * 3/8 = 0.75. scipy.stats.wilcoxon([1,-2,3]) -> 0.75.
        let r = wilcoxon_signed_rank(&[1.0, -2.0, 3.0], &[0.0; 3]).unwrap();
        assert_eq!(r.statistic, 4.0);
        assert_eq!(r.method, Some(WilcoxonMethod::Exact));
        assert_eq!(r.p_value, 0.75);
        // d = [1, 2, -3, 4]: W+ = 7. Subset sums of {1,2,3,4} over the 16 subsets:
        // 0:1 1:1 2:1 3:2 4:2 5:2 6:2 7:2 8:1 9:1 10:1.
        // P(W+ >= 7) = (2+1+1+1)/16 = 5/16 < P(W+ <= 7) = 13/16, p = 10/16 = 0.625.
        // scipy.stats.wilcoxon([1,2,-3,4]) -> 0.625.
        let r = wilcoxon_signed_rank(&[1.0, 2.0, -3.0, 4.0], &[0.0; 4]).unwrap();
        assert_eq!(r.statistic, 7.0);
        assert_eq!(r.p_value, 0.625);
        // single pair d = [5]: W+ = 1 in one of 2 assignments on either side -> p = 1
        let r = wilcoxon_signed_rank(&[5.0], &[0.0]).unwrap();
        assert_eq!((r.statistic, r.p_value, r.n), (1.0, 1.0, 1));
        assert_eq!(r.method, Some(WilcoxonMethod::Exact));
    }

    #[test]
    fn wilcoxon_permutation_by_hand() {
        // d = [1, 1, 2]: mid-ranks 1.5, 1.5, 3, all positive, W+ = 6. Sign flips give
        // 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6: P(W+ >= 6) = 1/8, p = 0.25.
        // scipy.stats.wilcoxon([1,1,2]) -> 0.25.
        let r = wilcoxon_signed_rank(&[1.0, 1.0, 2.0], &[0.0; 3]).unwrap();
        assert_eq!(r.statistic, 6.0);
        assert_eq!(r.method, Some(WilcoxonMethod::Permutation));
        assert_eq!(r.p_value, 0.25);
        // d = [1, -1]: one tie group, W+ = 1.5 = the centre -> p = 1
        let r = wilcoxon_signed_rank(&[1.0, 0.0], &[0.0, 1.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (1.5, 1.0));
        assert_eq!(r.method, Some(WilcoxonMethod::Permutation));
        // A zero and no tie is enough to leave the exact table.
        // d12 = [0.5,-1.5,2.5,0,3.5,-0.5,4.5,1.5,0,5.5,2.5,6.5]
        // scipy.stats.wilcoxon(d12) -> 0.01953125 (= 20/1024)
        let d12 = [0.5, -1.5, 2.5, 0.0, 3.5, -0.5, 4.5, 1.5, 0.0, 5.5, 2.5, 6.5];
        let r = wilcoxon_signed_rank(&d12, &[0.0; 12]).unwrap();
        assert_eq!(r.method, Some(WilcoxonMethod::Permutation));
        assert_eq!(r.n, 10);
        assert_eq!(r.p_value, 0.019_531_25);
    }

    #[test]
    fn wilcoxon_normal_approximation_cases() {
        // 20 pairs with ties -> normal approximation.
        // d20 = [((i%5)+1)*(1 if i%3 else -1) for i in range(20)]
        // scipy.stats.wilcoxon(d20, correction=True) -> 0.18939470181549822
        let d20: Vec<f64> = (0..20)
            .map(|i| f64::from(i % 5 + 1) * if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let r = wilcoxon_signed_rank(&d20, &[0.0; 20]).unwrap();
        assert_eq!(r.method, Some(WilcoxonMethod::Normal));
        assert_close!(r.p_value, 0.189_394_701_815_498_22, 1e-12);
        // d = [(i+1)*(1 if i%4 else -1) for i in range(n)]: no ties, no zeros.
        let alternating = |n: i32| -> Vec<f64> {
            (0..n)
                .map(|i| f64::from(i + 1) * if i % 4 == 0 { -1.0 } else { 1.0 })
                .collect()
        };
        // n = 60 > 50 -> normal: scipy.stats.wilcoxon(d60, correction=True)
        // -> 0.0004157346143241448 (the exact p would be 0.0002899530177256082)
        let r = wilcoxon_signed_rank(&alternating(60), &[0.0; 60]).unwrap();
        assert_eq!(r.method, Some(WilcoxonMethod::Normal));
        assert_close!(r.p_value, 0.000_415_734_614_324_144_8, 1e-10);
        // n = 50 -> still exact: scipy.stats.wilcoxon(d50) -> 0.0021224348550905603
        let r = wilcoxon_signed_rank(&alternating(50), &[0.0; 50]).unwrap();
        assert_eq!(r.method, Some(WilcoxonMethod::Exact));
        assert_close!(r.p_value, 0.002_122_434_855_090_560_3, 1e-12);
        // d50 plus one zero: 51 pairs -> normal, on the same 50 non-zero ranks.
        // scipy.stats.wilcoxon(d50 + [0.0], correction=True) -> 0.0025968401273038957
        let mut d51 = alternating(50);
        d51.push(0.0);
        let r = wilcoxon_signed_rank(&d51, &[0.0; 51]).unwrap();
        assert_eq!((r.method, r.n), (Some(WilcoxonMethod::Normal), 50));
        assert_close!(r.p_value, 0.002_596_840_127_303_895_7, 1e-10);
    }

    #[test]
    fn wilcoxon_method_rule_and_names() {
        use WilcoxonMethod::{Exact, Normal, Permutation};
        for (pairs, ties_or_zeros, want) in [
            (1, false, Exact),
            (50, false, Exact),
            (51, false, Normal),
            (1, true, Permutation),
            (13, true, Permutation),
            (14, true, Normal),
            (50, true, Normal),
            (80, true, Normal),
        ] {
            assert_eq!(WilcoxonMethod::for_sample(pairs, ties_or_zeros), want);
        }
        for (method, name) in [
            (Exact, "exact"),
            (Permutation, "permutation"),
            (Normal, "normal-approx"),
        ] {
            assert_eq!(method.name(), name);
            assert_eq!(method.to_string(), name);
            assert_eq!(name.parse::<WilcoxonMethod>(), Ok(method));
            let json = serde_json::to_string(&method).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<WilcoxonMethod>(&json).unwrap(),
                method
            );
        }
        assert!("Exact".parse::<WilcoxonMethod>().is_err());
        assert!(serde_json::from_str::<WilcoxonMethod>("\"normal\"").is_err());
    }

    #[test]
    fn wilcoxon_sign_flip_count_matches_enumeration() {
        // The subset-sum count against a brute-force walk over every sign assignment.
        let mut rng = Rng::new(23);
        for _ in 0..200 {
            let n = 1 + rng.below(12);
            let d: Vec<f64> = (0..n)
                .map(|_| rng.below(7) as f64 - 3.0)
                .filter(|&v| v != 0.0)
                .collect();
            if d.is_empty() {
                continue;
            }
            let ranks = SignedRanks::of(&d);
            let m = ranks.doubled_ranks.len();
            let (mut at_most, mut at_least) = (0u32, 0u32);
            for mask in 0u32..(1 << m) {
                let s: usize = (0..m)
                    .filter(|&i| mask >> i & 1 == 1)
                    .map(|i| ranks.doubled_ranks[i])
                    .sum();
                at_most += u32::from(s <= ranks.doubled_w_plus);
                at_least += u32::from(s >= ranks.doubled_w_plus);
            }
            let want = (2.0 * f64::from(at_most.min(at_least)) / f64::from(1u32 << m)).min(1.0);
            assert_eq!(
                sign_flip_two_sided_p(&ranks.doubled_ranks, ranks.doubled_w_plus),
                want,
                "{d:?}"
            );
        }
    }

    #[test]
    fn wilcoxon_edge_cases() {
        assert_eq!(wilcoxon_signed_rank(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(wilcoxon_signed_rank(&[], &[]), None);
        assert_eq!(wilcoxon_signed_rank(&[f64::NAN], &[1.0]), None);
        // all differences zero -> p = 1, n = 0 (scipy: 1 up to 13 pairs, NaN above)
        let r = wilcoxon_signed_rank(&[1.0, 2.0], &[1.0, 2.0]).unwrap();
        assert_eq!((r.statistic, r.p_value, r.n), (0.0, 1.0, 0));
        assert_eq!(r.method, Some(WilcoxonMethod::Permutation));
        let r = wilcoxon_signed_rank(&[0.0; 14], &[0.0; 14]).unwrap();
        assert_eq!((r.p_value, r.method), (1.0, Some(WilcoxonMethod::Normal)));
    }

    #[test]
    fn paired_comparison_by_hand() {
        // d = a - b = [2,0,3,-1,3,0,3,-1,4,1]: sum 14 over n = 10 -> 1.4;
        // p-values are those of the two tests on the same pairs
        // (wilcoxon_by_hand_and_scipy, paired_t_by_hand_and_scipy)
        let c = paired_comparison(&PAIRED_A, &PAIRED_B).unwrap();
        assert_close!(c.mean_difference, 1.4);
        assert_eq!(c.n, 10);
        assert_eq!(c.wilcoxon_p, 0.0625);
        assert_eq!(c.wilcoxon_method, WilcoxonMethod::Permutation);
        assert_close!(c.t_test_p, 0.039_322_124_510_764_306, 1e-10);
        assert_eq!(
            c.wilcoxon_p,
            wilcoxon_signed_rank(&PAIRED_A, &PAIRED_B).unwrap().p_value
        );
        assert_eq!(
            c.t_test_p,
            paired_t_test(&PAIRED_A, &PAIRED_B).unwrap().p_value
        );
        // swapping treatment and baseline flips the mean, keeps both p
        let s = paired_comparison(&PAIRED_B, &PAIRED_A).unwrap();
        assert_close!(s.mean_difference, -1.4);
        assert_close!(s.wilcoxon_p, c.wilcoxon_p);
        assert_close!(s.t_test_p, c.t_test_p);
        // all differences zero: mean 0, both p = 1, n counts every pair
        let z = paired_comparison(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(
            (z.mean_difference, z.wilcoxon_p, z.t_test_p, z.n),
            (0.0, 1.0, 1.0, 3)
        );
    }

    #[test]
    fn paired_comparison_none_cases() {
        // n = 1: Wilcoxon has a result but the t-test needs n >= 2
        assert!(wilcoxon_signed_rank(&[5.0], &[0.0]).is_some());
        assert_eq!(paired_comparison(&[5.0], &[0.0]), None);
        assert_eq!(paired_comparison(&[1.0, 2.0], &[1.0]), None); // length differs
        assert_eq!(paired_comparison(&[], &[]), None);
        assert_eq!(paired_comparison(&[1.0, f64::NAN], &[0.0, 0.0]), None);
    }

    // ---- property tests ----

    #[test]
    fn property_paired_tests() {
        let mut rng = Rng::new(17);
        for _ in 0..300 {
            let n = 2 + rng.below(30);
            // few distinct values -> many ties and zero differences
            let a: Vec<f64> = (0..n).map(|_| rng.below(4) as f64).collect();
            let b: Vec<f64> = (0..n).map(|_| rng.below(4) as f64).collect();
            let w = wilcoxon_signed_rank(&a, &b).unwrap();
            assert!(in_unit(w.p_value));
            let w_swapped = wilcoxon_signed_rank(&b, &a).unwrap();
            let m = w.n as f64;
            // W+ + W- = n(n+1)/2
            assert_close!(w.statistic + w_swapped.statistic, m * (m + 1.0) / 2.0);
            assert_close!(w.p_value, w_swapped.p_value, 1e-14);
            assert_eq!(w.method, w_swapped.method);
            let t = paired_t_test(&a, &b).unwrap();
            assert!(in_unit(t.p_value));
            let t_swapped = paired_t_test(&b, &a).unwrap();
            assert_close!(t.p_value, t_swapped.p_value, 1e-14);
            assert_eq!(t.statistic, -t_swapped.statistic);
            let ci = mean_ci95(&a).unwrap();
            assert!(ci.lo <= ci.mean && ci.mean <= ci.hi);
        }
    }

    #[test]
    fn holm_adjust_by_hand() {
        // p = [0.01, 0.04, 0.03, 0.005], m = 4; sorted 0.005, 0.01, 0.03, 0.04 scale to
        // 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04, and the running maximum
        // makes the last 0.06: back in order [0.03, 0.06, 0.06, 0.02].
        let adjusted = holm_adjust(&[0.01, 0.04, 0.03, 0.005]);
        for (got, want) in adjusted.iter().zip([0.03, 0.06, 0.06, 0.02]) {
            assert_close!(*got, want, 1e-15);
        }
        // Capped at 1; NaN left alone and not counted (m = 2 here).
        let adjusted = holm_adjust(&[0.6, f64::NAN, 0.2]);
        assert_close!(adjusted[0], 0.6, 1e-15);
        assert!(adjusted[1].is_nan());
        assert_close!(adjusted[2], 0.4, 1e-15);
        assert_eq!(holm_adjust(&[0.7, 0.9]), vec![1.0, 1.0]);
        assert!(holm_adjust(&[]).is_empty());
    }

    #[test]
    fn holm_adjusted_p_values_keep_the_order_and_never_fall_below_the_raw_ones() {
        let mut rng = Rng::new(11);
        for _ in 0..50 {
            let p: Vec<f64> = (0..12).map(|_| rng.unit()).collect();
            let adjusted = holm_adjust(&p);
            for i in 0..p.len() {
                assert!(adjusted[i] >= p[i] && adjusted[i] <= 1.0);
                // Bonferroni bounds Holm from above.
                assert!(adjusted[i] <= (12.0 * p[i]).min(1.0) + 1e-15);
                for j in 0..p.len() {
                    if p[i] < p[j] {
                        assert!(adjusted[i] <= adjusted[j]);
                    }
                }
            }
        }
    }
}

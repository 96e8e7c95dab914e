//! Cross-check of the paired tests against scipy (tests/crosscheck_stats.py): on 52 generated
//! paired samples of 2 to 80 pairs (continuous, with ties, with zeros, per-user-NDCG-like, all
//! equal),
//! recsweep's Wilcoxon p-value, statistic and method, its paired t-test, and the Holm
//! adjustment of the Wilcoxon p-values must agree with `scipy.stats.wilcoxon(a, b,
//! correction=True)`, `scipy.stats.ttest_rel(a, b)` and Holm written from its definition in
//! numpy, to 1e-9 relative.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use recsweep::metrics::{self, WilcoxonMethod};
use serde::Serialize;

use crate::support::python_crosscheck;

/// What the pairs look like.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    /// Uniform values and a shift: no ties, no zeros.
    Continuous,
    /// Small integers: many ties and zeros.
    SmallIntegers,
    /// Continuous, with about a fifth of the pairs equal (zero differences, no other tie).
    Zeros,
    /// Differences that are multiples of 1/2 away from 0: ties without zeros.
    TiesNoZeros,
    /// Per-user NDCG-like values: mostly 0, else 1/log2(rank + 1) of a top-5 rank.
    NdcgLike,
    /// Both runs equal: every difference zero, where scipy returns NaN above 13 pairs (and
    /// for the t-test always) and recsweep p = 1.
    Equal,
}

/// One generated sample and recsweep's answers on it.
#[derive(Debug, Serialize)]
struct Case {
    kind: Kind,
    a: Vec<f64>,
    b: Vec<f64>,
    wilcoxon_p: f64,
    wilcoxon_w_plus: f64,
    wilcoxon_n: usize,
    wilcoxon_method: WilcoxonMethod,
    t_p: f64,
    /// ±inf when the differences are constant and non-zero: written as "inf" / "-inf" (JSON
    /// has no infinity; Python's `float` reads both forms).
    #[serde(serialize_with = "number_or_infinity")]
    t_statistic: f64,
}

fn number_or_infinity<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_infinite() {
        serializer.serialize_str(if *x > 0.0 { "inf" } else { "-inf" })
    } else {
        serializer.serialize_f64(*x)
    }
}

/// The file the script reads: the cases, and `holm_adjust` of their Wilcoxon p-values in
/// case order.
#[derive(Debug, Serialize)]
struct StatsCase {
    cases: Vec<Case>,
    wilcoxon_holm: Vec<f64>,
}

fn sample(kind: Kind, n: usize, rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<f64>) {
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for _ in 0..n {
        let (x, y) = match kind {
            Kind::Continuous => {
                let y: f64 = rng.random();
                (y + 0.15 * rng.random::<f64>() - 0.05, y)
            }
            Kind::SmallIntegers => (
                f64::from(rng.random_range(0u8..4)),
                f64::from(rng.random_range(0u8..4)),
            ),
            Kind::Zeros => {
                let y: f64 = rng.random();
                if rng.random::<f64>() < 0.2 {
                    (y, y)
                } else {
                    (y + 0.2 * rng.random::<f64>() - 0.08, y)
                }
            }
            Kind::TiesNoZeros => {
                // b = j/8 and a = b ± m/2 are exact in binary, so a - b = ±m/2 exactly.
                let y = f64::from(rng.random_range(0u8..8)) / 8.0;
                let m = f64::from(rng.random_range(1u8..=4)) / 2.0;
                let sign = if rng.random::<f64>() < 0.65 {
                    1.0
                } else {
                    -1.0
                };
                (y + sign * m, y)
            }
            Kind::NdcgLike => {
                let ndcg = |rng: &mut ChaCha8Rng| {
                    let rank = rng.random_range(1u8..=10);
                    if rank > 5 {
                        0.0
                    } else {
                        1.0 / (f64::from(rank) + 1.0).log2()
                    }
                };
                (ndcg(rng), ndcg(rng))
            }
            Kind::Equal => {
                let y: f64 = rng.random();
                (y, y)
            }
        };
        a.push(x);
        b.push(y);
    }
    (a, b)
}

#[test]
fn paired_tests_and_holm_agree_with_scipy() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let kinds = [
        Kind::Continuous,
        Kind::SmallIntegers,
        Kind::Zeros,
        Kind::TiesNoZeros,
        Kind::NdcgLike,
    ];
    // The rule's edges (13/14 and 50/51 pairs) and two sizes drawn at random, for each kind.
    let mut samples = Vec::new();
    for kind in kinds {
        let mut sizes = vec![2, 6, 13, 14, 27, 50, 51, 80];
        sizes.extend([rng.random_range(2..=80), rng.random_range(2..=80)]);
        samples.extend(sizes.into_iter().map(|n| (kind, n)));
    }
    samples.extend([(Kind::Equal, 5), (Kind::Equal, 14)]);
    let cases: Vec<Case> = samples
        .into_iter()
        .map(|(kind, n)| {
            let (a, b) = sample(kind, n, &mut rng);
            let w = metrics::wilcoxon_signed_rank(&a, &b).unwrap();
            let t = metrics::paired_t_test(&a, &b).unwrap();
            Case {
                kind,
                wilcoxon_p: w.p_value,
                wilcoxon_w_plus: w.statistic,
                wilcoxon_n: w.n,
                wilcoxon_method: w.method.unwrap(),
                t_p: t.p_value,
                t_statistic: t.statistic,
                a,
                b,
            }
        })
        .collect();
    for method in WilcoxonMethod::ALL {
        let used = cases.iter().filter(|c| c.wilcoxon_method == method).count();
        assert!(used >= 5, "only {used} cases use {method}");
    }
    let p: Vec<f64> = cases.iter().map(|c| c.wilcoxon_p).collect();
    let case = StatsCase {
        wilcoxon_holm: metrics::holm_adjust(&p),
        cases,
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stats.json"),
        serde_json::to_string(&case).unwrap(),
    )
    .unwrap();
    print!("{}", python_crosscheck("crosscheck_stats.py", dir.path()));
}

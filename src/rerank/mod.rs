//! Re-rankers of one user's candidate list: a trained model's top-N items with their scores
//! go in, a top-K list that trades relevance for diversity comes out.
//!
//! Four methods, one file each, all greedy:
//!
//! * [`mmr`]: Maximal Marginal Relevance (Carbonell & Goldstein 1998),
//!   `argmax (1−θ)·rel(i) − θ·max_{j∈S} cos(i, j)`;
//! * [`dpp`]: greedy MAP inference of a determinantal point process with incremental Cholesky
//!   updates (Chen, Zhang & Zhou, NeurIPS 2018, Algorithm 1), kernel
//!   `L = Diag(q)·S·Diag(q)`, `q_i = exp(α·rel(i))`, `α = (1−θ)/(2θ)`;
//! * [`xquad`]: xQuAD (Santos, Macdonald & Ounis 2010) with categories as aspects,
//!   `argmax (1−θ)·rel(i) + θ·Σ_c p(c|u)·P(i|c)·Π_{j∈S}(1 − P(j|c))`;
//! * [`calibrated`]: calibrated recommendations (Steck, RecSys 2018),
//!   `max (1−θ)·Σ_{i∈S} rel(i) − θ·KL(p ‖ q̃(S))`.
//!
//! Conventions shared by every method:
//!
//! * `candidates` is one user's top-N as `(item id, model score)`, best first, with distinct
//!   ids (the output repeats an id only if the input does).
//! * The output holds `min(k, N)` item ids, best first, all taken from the candidates.
//! * θ ∈ [0, 1] is the diversity weight. θ = 0 returns exactly the input order truncated to
//!   K; larger θ buys more diversity. θ outside [0, 1] is clamped into it, and a NaN θ counts
//!   as 0.
//! * Relevance inside every method is the model score min–max normalised over the user's N
//!   candidates, `rel(i) = (s_i − min s) / (max s − min s)` in [0, 1] (see
//!   [`normalised_relevance`]), so a positive affine rescaling of the scores never changes
//!   the output.
//! * Ties are broken deterministically: the lower candidate position wins.
//! * Nothing panics on empty candidates, `k = 0`, `k > N` or all-equal scores.
//! * Item similarity is the cosine of the multi-hot category vectors
//!   ([`ItemCategories::cosine`]); the user's category distribution `p(c|u)` is
//!   [`UserContext::profile`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::metrics::ItemCategories;

pub mod calibrated;
pub mod dpp;
pub mod mmr;
pub mod xquad;

/// A re-ranking method. The name is what files and the command line use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RerankMethod {
    /// Maximal Marginal Relevance over category cosine similarity.
    Mmr,
    /// Greedy MAP of a determinantal point process (quality × category similarity kernel).
    Dpp,
    /// xQuAD with item categories as the aspects of the user's interest.
    Xquad,
    /// Steck's calibration of the list's category distribution to the user's.
    Calibrated,
}

impl RerankMethod {
    /// Every method, in declaration order.
    pub const ALL: [RerankMethod; 4] = [
        RerankMethod::Mmr,
        RerankMethod::Dpp,
        RerankMethod::Xquad,
        RerankMethod::Calibrated,
    ];

    /// The name in files and on the command line: `mmr`, `dpp`, `xquad`, `calibrated`.
    pub fn name(self) -> &'static str {
        match self {
            RerankMethod::Mmr => "mmr",
            RerankMethod::Dpp => "dpp",
            RerankMethod::Xquad => "xquad",
            RerankMethod::Calibrated => "calibrated",
        }
    }

    /// The name in a legend or a table: `MMR`, `DPP`, `xQuAD`, `Calibrated`.
    pub fn label(self) -> &'static str {
        match self {
            RerankMethod::Mmr => "MMR",
            RerankMethod::Dpp => "DPP",
            RerankMethod::Xquad => "xQuAD",
            RerankMethod::Calibrated => "Calibrated",
        }
    }
}

impl fmt::Display for RerankMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The valid names, comma-separated, for error messages.
fn known_names() -> String {
    RerankMethod::ALL
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a string is not a [`RerankMethod`]; the message quotes it and lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a re-ranking method (known: {known})", known = known_names())]
pub struct ParseRerankMethodError(pub String);

impl FromStr for RerankMethod {
    type Err = ParseRerankMethodError;

    /// Exactly one of the [`RerankMethod::name`]s (case-sensitive).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RerankMethod::ALL
            .into_iter()
            .find(|m| m.name() == text)
            .ok_or_else(|| ParseRerankMethodError(text.to_string()))
    }
}

impl Serialize for RerankMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for RerankMethod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What the re-rankers know about the catalogue and about one user.
#[derive(Debug, Clone, Copy)]
pub struct UserContext<'a> {
    /// Category sets of the catalogue items (similarity for MMR and DPP, aspects for xQuAD,
    /// the list's category distribution for calibration).
    pub categories: &'a ItemCategories,
    /// Number of categories; category ids are `0..n_categories` (ids at or above it are
    /// ignored by xQuAD and calibration).
    pub n_categories: usize,
    /// The user's category distribution `p(c|u)`, indexed by category id, of length
    /// `n_categories`: non-negative and summing to 1, or all zeros for a user without
    /// categorised training items (xQuAD and calibration then rank by relevance alone). A
    /// missing entry counts as 0.
    pub profile: &'a [f64],
}

/// Re-ranks one user's `candidates` (best first) with `method` at diversity weight `theta`
/// into a top-`k` list of item ids, best first, of length `min(k, candidates.len())`.
///
/// See the module documentation for the conventions (θ = 0 is the input order, relevance is
/// min–max normalised, ties go to the lower position).
pub fn rerank(
    method: RerankMethod,
    theta: f64,
    candidates: &[(u32, f32)],
    k: usize,
    user: &UserContext,
) -> Vec<u32> {
    match method {
        RerankMethod::Mmr => mmr::rerank(theta, candidates, k, user),
        RerankMethod::Dpp => dpp::rerank(theta, candidates, k, user),
        RerankMethod::Xquad => xquad::rerank(theta, candidates, k, user),
        RerankMethod::Calibrated => calibrated::rerank(theta, candidates, k, user),
    }
}

/// Min–max normalised relevance of each candidate, in candidate order:
/// `rel(i) = (s_i − min s) / (max s − min s)` in [0, 1], min and max over the finite scores.
///
/// When every finite score is equal (`max = min`) every finite score's relevance is 1 (no
/// division by zero). A non-finite score (NaN, ±∞) gets relevance 0. A positive affine map
/// `s ↦ a·s + b` (a > 0) leaves the result unchanged up to rounding.
pub(crate) fn normalised_relevance(candidates: &[(u32, f32)]) -> Vec<f64> {
    let (lo, hi) = candidates
        .iter()
        .map(|&(_, s)| f64::from(s))
        .filter(|s| s.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s), hi.max(s))
        });
    let range = hi - lo;
    candidates
        .iter()
        .map(|&(_, s)| {
            let s = f64::from(s);
            if !s.is_finite() {
                0.0
            } else if range > 0.0 {
                (s - lo) / range
            } else {
                1.0
            }
        })
        .collect()
}

/// θ clamped into [0, 1]; NaN counts as 0 (pure relevance).
fn diversity_weight(theta: f64) -> f64 {
    if theta.is_nan() {
        0.0
    } else {
        theta.clamp(0.0, 1.0)
    }
}

/// The first `k` candidate ids in input order: every method's answer at θ = 0.
fn input_order(candidates: &[(u32, f32)], k: usize) -> Vec<u32> {
    candidates.iter().take(k).map(|&(item, _)| item).collect()
}

/// Candidate positions ordered by relevance, highest first, ties by position (a stable
/// sort). Equals the input order when the candidates come best first.
fn relevance_order(rel: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rel.len()).collect();
    order.sort_by(|&a, &b| rel[b].total_cmp(&rel[a]));
    order
}

/// Objectives closer than this to the best so far count as equal to it: rounding (a cosine
/// of `1/√2` reached by two routes, a Schur complement updated in a different order) must
/// not decide what exact arithmetic calls a tie. Every objective here is O(1) (at most
/// |ln 1e-10| ≈ 23 in magnitude), and real differences are far larger.
const TIE: f64 = 1e-12;

/// The open position with the largest `objective`, the lowest position among equals (within
/// [`TIE`]); `None` when no position is open. A NaN objective never beats an earlier value,
/// so some open position is always returned.
fn argmax_open(open: &[bool], mut objective: impl FnMut(usize) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, _) in open.iter().enumerate().filter(|&(_, &o)| o) {
        let value = objective(i);
        if best.is_none_or(|(_, b)| value > b + TIE) {
            best = Some((i, value));
        }
    }
    best.map(|(i, _)| i)
}

/// Index of a category id into per-category arrays (`None` if it cannot be one).
fn category_index(c: u32) -> Option<usize> {
    usize::try_from(c).ok()
}

/// Shared fixtures and property checks for the tests of the four methods.
#[cfg(test)]
mod test_cases {
    use std::collections::BTreeSet;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::UserContext;
    use crate::metrics::ItemCategories;

    /// A method's entry point: `(theta, candidates, k, user) -> top-k ids`.
    pub(super) type Method = fn(f64, &[(u32, f32)], usize, &UserContext) -> Vec<u32>;

    /// A random catalogue and one user: `n_items` items with 0–3 of `n_categories`
    /// categories (about one in ten has none), the user's candidates (every item, distinct
    /// scores `m/256`, best first) and a random category profile summing to 1.
    pub(super) struct Fixture {
        pub(super) categories: ItemCategories,
        pub(super) n_categories: usize,
        pub(super) profile: Vec<f64>,
        pub(super) candidates: Vec<(u32, f32)>,
    }

    impl Fixture {
        pub(super) fn random(seed: u64, n_items: usize, n_categories: usize) -> Self {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let per_item = (0..n_items)
                .map(|_| {
                    let count = if rng.random::<f64>() < 0.1 {
                        0
                    } else {
                        rng.random_range(1..=3)
                    };
                    (0..count)
                        .map(|_| rng.random_range(0..n_categories as u32))
                        .collect()
                })
                .collect();
            let mut levels: Vec<u32> = (0..256).collect();
            for i in (1..levels.len()).rev() {
                levels.swap(i, rng.random_range(0..=i));
            }
            let mut candidates: Vec<(u32, f32)> = (0..n_items)
                .map(|i| (i as u32, levels[i % 256] as f32 / 256.0 + (i / 256) as f32))
                .collect();
            candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
            let raw: Vec<f64> = (0..n_categories).map(|_| rng.random::<f64>()).collect();
            let total: f64 = raw.iter().sum();
            Self {
                categories: ItemCategories::new(per_item),
                n_categories,
                profile: raw.iter().map(|r| r / total).collect(),
                candidates,
            }
        }

        pub(super) fn user(&self) -> UserContext<'_> {
            UserContext {
                categories: &self.categories,
                n_categories: self.n_categories,
                profile: &self.profile,
            }
        }
    }

    /// The scores mapped through `s ↦ a·s + b`.
    pub(super) fn rescaled(candidates: &[(u32, f32)], a: f32, b: f32) -> Vec<(u32, f32)> {
        candidates.iter().map(|&(i, s)| (i, a * s + b)).collect()
    }

    /// `out` has `min(k, N)` distinct ids, all from the candidates.
    pub(super) fn assert_valid(out: &[u32], candidates: &[(u32, f32)], k: usize) {
        assert_eq!(out.len(), k.min(candidates.len()), "{out:?}");
        let distinct: BTreeSet<u32> = out.iter().copied().collect();
        assert_eq!(distinct.len(), out.len(), "repeated id in {out:?}");
        let pool: BTreeSet<u32> = candidates.iter().map(|&(i, _)| i).collect();
        assert!(distinct.is_subset(&pool), "{out:?} not from the candidates");
    }

    /// θ = 0 is exactly the input order truncated to K.
    pub(super) fn check_theta_zero_is_input_order(method: Method) {
        for seed in 0..5 {
            let f = Fixture::random(seed, 30, 5);
            for k in [0, 1, 7, 30, 50] {
                let expected: Vec<u32> = f.candidates.iter().take(k).map(|c| c.0).collect();
                assert_eq!(method(0.0, &f.candidates, k, &f.user()), expected);
                assert_eq!(method(-0.5, &f.candidates, k, &f.user()), expected);
                assert_eq!(method(f64::NAN, &f.candidates, k, &f.user()), expected);
            }
        }
    }

    /// Scores × 0.1, × 100, + a constant: the same output at every θ.
    pub(super) fn check_rescaling_invariance(method: Method) {
        for seed in 0..6 {
            let f = Fixture::random(seed, 40, 6);
            for theta in [0.1, 0.3, 0.5, 0.7, 0.9, 1.0] {
                let base = method(theta, &f.candidates, 10, &f.user());
                for (a, b) in [(0.1, 0.0), (100.0, 0.0), (1.0, 3.0), (100.0, -7.0)] {
                    let moved = rescaled(&f.candidates, a, b);
                    assert_eq!(
                        method(theta, &moved, 10, &f.user()),
                        base,
                        "seed {seed}, θ {theta}, s ↦ {a}·s + {b}"
                    );
                }
            }
        }
    }

    /// `min(k, N)` distinct ids from the candidates, for many θ and k, and on the edge
    /// cases: no candidates, k = 0, k > N, all-equal scores, one candidate.
    pub(super) fn check_output_shape(method: Method) {
        for seed in 0..6 {
            let f = Fixture::random(seed, 25, 4);
            for theta in [0.0, 0.2, 0.5, 0.8, 1.0, 7.0] {
                for k in [0, 1, 5, 25, 40] {
                    let out = method(theta, &f.candidates, k, &f.user());
                    assert_valid(&out, &f.candidates, k);
                }
                let flat: Vec<(u32, f32)> = f.candidates.iter().map(|&(i, _)| (i, 2.5)).collect();
                assert_valid(&method(theta, &flat, 10, &f.user()), &flat, 10);
                assert!(method(theta, &[], 10, &f.user()).is_empty());
                let one = [(4u32, 1.0f32)];
                assert_eq!(method(theta, &one, 3, &f.user()), vec![4]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_cases::{Fixture, assert_valid};
    use super::*;

    #[test]
    fn names_labels_and_parsing() {
        let names: Vec<&str> = RerankMethod::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names, ["mmr", "dpp", "xquad", "calibrated"]);
        let labels: Vec<&str> = RerankMethod::ALL.iter().map(|m| m.label()).collect();
        assert_eq!(labels, ["MMR", "DPP", "xQuAD", "Calibrated"]);
        for m in RerankMethod::ALL {
            assert_eq!(m.name().parse::<RerankMethod>(), Ok(m));
            assert_eq!(m.to_string(), m.name());
        }
        let err = "MMR".parse::<RerankMethod>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'MMR' is not a re-ranking method (known: mmr, dpp, xquad, calibrated)"
        );
    }

    #[test]
    fn serde_as_the_name() {
        let json = serde_json::to_string(&RerankMethod::ALL).unwrap();
        assert_eq!(json, r#"["mmr","dpp","xquad","calibrated"]"#);
        let back: Vec<RerankMethod> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, RerankMethod::ALL);
        let err = serde_json::from_str::<RerankMethod>(r#""maximal""#).unwrap_err();
        assert!(err.to_string().contains("'maximal'"), "{err}");
        assert!(err.to_string().contains("calibrated"), "{err}");
    }

    #[test]
    fn min_max_normalisation() {
        // scores 3, 1, 2 → (s − 1) / (3 − 1) = 1, 0, 0.5
        assert_eq!(
            normalised_relevance(&[(7, 3.0), (8, 1.0), (9, 2.0)]),
            [1.0, 0.0, 0.5]
        );
        // 10·s − 4 gives the same
        assert_eq!(
            normalised_relevance(&[(7, 26.0), (8, 6.0), (9, 16.0)]),
            [1.0, 0.0, 0.5]
        );
        // all equal: max = min → every rel is 1
        assert_eq!(normalised_relevance(&[(1, 0.3), (2, 0.3)]), [1.0, 1.0]);
        // non-finite scores get 0 and do not move min or max
        assert_eq!(
            normalised_relevance(&[(1, f32::NAN), (2, 4.0), (3, f32::INFINITY), (4, 2.0)]),
            [0.0, 1.0, 0.0, 0.0]
        );
        assert!(normalised_relevance(&[]).is_empty());
        assert_eq!(normalised_relevance(&[(1, f32::NAN)]), [0.0]);
    }

    #[test]
    fn theta_is_clamped_and_nan_is_zero() {
        assert_eq!(diversity_weight(f64::NAN), 0.0);
        assert_eq!(diversity_weight(-1.0), 0.0);
        assert_eq!(diversity_weight(0.25), 0.25);
        assert_eq!(diversity_weight(3.0), 1.0);
    }

    #[test]
    fn argmax_prefers_the_lower_position_and_skips_closed_ones() {
        let open = [true, false, true, true];
        assert_eq!(argmax_open(&open, |i| [1.0, 9.0, 2.0, 2.0][i]), Some(2));
        assert_eq!(argmax_open(&open, |_| f64::NAN), Some(0));
        assert_eq!(argmax_open(&[false, false], |_| 1.0), None);
        // a rounding-sized lead is a tie: the lower position keeps it
        assert_eq!(
            argmax_open(&[true, true], |i| [0.5, 0.5 + 1e-15][i]),
            Some(0)
        );
        assert_eq!(
            argmax_open(&[true, true], |i| [0.5, 0.5 + 1e-9][i]),
            Some(1)
        );
        assert_eq!(relevance_order(&[0.5, 1.0, 0.5, 0.0]), [1, 0, 2, 3]);
    }

    #[test]
    fn dispatch_reaches_each_method() {
        let f = Fixture::random(3, 30, 5);
        let user = f.user();
        let pairs: [(RerankMethod, test_cases::Method); 4] = [
            (RerankMethod::Mmr, mmr::rerank),
            (RerankMethod::Dpp, dpp::rerank),
            (RerankMethod::Xquad, xquad::rerank),
            (RerankMethod::Calibrated, calibrated::rerank),
        ];
        for (method, direct) in pairs {
            for theta in [0.0, 0.4, 1.0] {
                let out = rerank(method, theta, &f.candidates, 8, &user);
                assert_eq!(out, direct(theta, &f.candidates, 8, &user));
                assert_valid(&out, &f.candidates, 8);
            }
        }
    }

    #[test]
    fn every_method_on_many_random_users() {
        for seed in 0..20 {
            let f = Fixture::random(100 + seed, 60, 8);
            for method in RerankMethod::ALL {
                for theta in [0.05, 0.5, 0.95] {
                    for k in [1, 10, 60, 61] {
                        let out = rerank(method, theta, &f.candidates, k, &f.user());
                        assert_valid(&out, &f.candidates, k);
                    }
                }
            }
        }
    }

    #[test]
    fn a_user_without_a_profile_gets_relevance_from_profile_methods() {
        // profile all zeros: xQuAD's coverage term and calibration's KL are both 0, so the
        // list is the input order at every θ (at θ = 1 by the position tie-break).
        let f = Fixture::random(5, 30, 5);
        let zeros = vec![0.0; 5];
        let user = UserContext {
            categories: &f.categories,
            n_categories: 5,
            profile: &zeros,
        };
        let expected: Vec<u32> = f.candidates.iter().take(10).map(|c| c.0).collect();
        for method in [RerankMethod::Xquad, RerankMethod::Calibrated] {
            for theta in [0.0, 0.3, 0.9, 1.0] {
                assert_eq!(rerank(method, theta, &f.candidates, 10, &user), expected);
            }
        }
        // an empty profile slice reads as zeros too
        let user = UserContext {
            profile: &[],
            ..user
        };
        for method in [RerankMethod::Xquad, RerankMethod::Calibrated] {
            assert_eq!(rerank(method, 0.6, &f.candidates, 10, &user), expected);
        }
    }
}

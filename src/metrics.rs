//! Evaluation metrics for top-K recommendation, and the statistics used to
//! compare two runs user by user.
//!
//! Everything recsweep reports about a model is computed here, as pure
//! functions over plain slices, so that each definition sits in one place,
//! can be read next to `docs/metrics.md`, and is tested on cases worked out
//! by hand. Correctness matters more than anything else in this module: a
//! wrong NDCG is worse than none, because it silently ranks models wrongly.
//!
//! Conventions shared by every function:
//!
//! * Items are `u32` ids in `0..n_items`.
//! * A user's top-K list (`ranked`) is best first, already excludes the
//!   user's training items and has no duplicates. It may be shorter than K
//!   (small catalogue) or longer (only the first `k` entries count).
//! * Held-out positives (`relevant`) are sorted ascending without
//!   duplicates; membership is a binary search.
//! * Reported metrics are *full-ranking*: every catalogue item is scored,
//!   only the user's own training items are removed, and no negatives are
//!   sampled. A cheaper sampled AUC used for training curves must be named
//!   `sampled_auc` and never reported as `auc`.
//! * Per-user metrics return one user's value; the evaluator averages them.
//!   Users without held-out positives are excluded from those averages by
//!   the evaluator (the functions here return 0 for them, not an error).
//! * Nothing here panics on empty input; ids outside the catalogue are
//!   handled as documented on each function rather than by panicking.
//!
//! Sections: relevance metrics, AUC, beyond-accuracy metrics over all
//! users' lists, per-list diversity/novelty, and statistics (confidence
//! intervals, paired t-test, Wilcoxon signed-rank test, and the special
//! functions they need, implemented here with `std` only).

pub mod vocabulary;

pub use vocabulary::{Direction, Metric, MetricKey, ParseMetricKeyError, Scope};

/// Per-user metrics at a cut-off K, in the column order of `per_user.csv`.
pub const PER_USER_AT_K: [&str; 9] = [
    "precision",
    "recall",
    "ndcg",
    "hit_rate",
    "mrr",
    "map",
    "ild",
    "novelty",
    "long_tail",
];

/// Metrics defined only over all users' top-K lists together.
pub const CATALOGUE_AT_K: [&str; 3] = ["coverage", "gini", "entropy"];

use std::cmp::Ordering;
use std::f64::consts::{PI, SQRT_2};

// ---------------------------------------------------------------------------
// Small numeric helpers
// ---------------------------------------------------------------------------

/// Converts a count (list length, number of users, items or pairs) to `f64`.
/// Counts in this module stay far below 2^53, where the conversion is exact.
#[allow(clippy::cast_precision_loss)]
fn count_f64(n: usize) -> f64 {
    n as f64
}

/// Converts a `u64` count (training interactions, exposures) to `f64`;
/// exact below 2^53, which real interaction counts never reach.
#[allow(clippy::cast_precision_loss)]
fn count64_f64(n: u64) -> f64 {
    n as f64
}

/// Converts a `u128` pair count or weighted sum to `f64`; the value is
/// rounded to the nearest double, which is all the final ratio needs.
#[allow(clippy::cast_precision_loss)]
fn wide_f64(n: u128) -> f64 {
    n as f64
}

/// Same as [`wide_f64`] for signed accumulators.
#[allow(clippy::cast_precision_loss)]
fn wide_signed_f64(n: i128) -> f64 {
    n as f64
}

/// Index of an item id into per-item arrays (`u32` always fits in `usize` on
/// the 32- and 64-bit targets recsweep supports; `None` otherwise).
fn item_index(item: u32) -> Option<usize> {
    usize::try_from(item).ok()
}

/// True if `xs` is strictly ascending (sorted, no duplicates).
fn is_strictly_ascending(xs: &[u32]) -> bool {
    xs.windows(2).all(|w| w[0] < w[1])
}

/// True if `xs` contains no repeated id. Only used in debug assertions.
fn has_no_duplicates(xs: &[u32]) -> bool {
    let mut sorted = xs.to_vec();
    sorted.sort_unstable();
    is_strictly_ascending(&sorted)
}

/// Arithmetic mean; callers guarantee `values` is non-empty.
fn mean_of(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / count_f64(values.len())
}

/// Sample standard deviation (divisor n - 1) around a known mean, two-pass
/// for numerical stability; callers guarantee `values.len() >= 2`.
fn sample_sd(values: &[f64], mean: f64) -> f64 {
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / count_f64(values.len() - 1)).sqrt()
}

// ---------------------------------------------------------------------------
// Relevance metrics (binary relevance, one user)
// ---------------------------------------------------------------------------

/// The first `k` entries of `ranked`, or all of it when it is shorter.
fn top_k(ranked: &[u32], k: usize) -> &[u32] {
    &ranked[..k.min(ranked.len())]
}

/// Membership in a sorted, duplicate-free slice.
fn is_relevant(relevant: &[u32], item: u32) -> bool {
    relevant.binary_search(&item).is_ok()
}

/// Per-rank hit flags for the top `k` of `ranked` (rank 1 first).
///
/// Checks the preconditions in debug builds: `relevant` strictly ascending
/// and no duplicated id in the top `k` (a duplicate would count a hit twice
/// and could push recall or NDCG above 1).
fn hit_flags<'a>(
    ranked: &'a [u32],
    relevant: &'a [u32],
    k: usize,
) -> impl Iterator<Item = bool> + 'a {
    let top = top_k(ranked, k);
    debug_assert!(
        is_strictly_ascending(relevant),
        "relevant items must be sorted ascending without duplicates"
    );
    debug_assert!(
        has_no_duplicates(top),
        "a top-K list must not repeat an item"
    );
    top.iter().map(move |&item| is_relevant(relevant, item))
}

/// Number of relevant items among the first `k` of `ranked`.
fn hits_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> usize {
    hit_flags(ranked, relevant, k).filter(|&hit| hit).count()
}

/// Position discount of rank `rank` (1-based): `1 / log2(rank + 1)`.
fn rank_discount(rank: usize) -> f64 {
    1.0 / (count_f64(rank) + 1.0).log2()
}

/// Precision@K = hits in the top K / K.
///
/// Divides by `k`, not by the list length: a list shorter than K (small
/// catalogue) is penalised for the missing slots, so values stay comparable
/// across users. `k == 0` gives 0.
pub fn precision_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    count_f64(hits_at_k(ranked, relevant, k)) / count_f64(k)
}

/// Recall@K = hits in the top K / |relevant|.
///
/// Not capped by K: a user with more positives than K cannot reach 1.
/// Empty `relevant` gives 0 (such users are excluded by the evaluator).
pub fn recall_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    count_f64(hits_at_k(ranked, relevant, k)) / count_f64(relevant.len())
}

/// NDCG@K with binary relevance.
///
/// `DCG@K = sum_{r=1..K} rel_r / log2(r + 1)`, and the ideal DCG puts
/// `min(|relevant|, K)` positives at ranks 1, 2, …, so a user with fewer
/// than K positives can still reach 1. Empty `relevant` or `k == 0`
/// gives 0.
pub fn ndcg_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> f64 {
    let ideal_hits = relevant.len().min(k);
    if ideal_hits == 0 {
        return 0.0;
    }
    let dcg: f64 = hit_flags(ranked, relevant, k)
        .enumerate()
        .filter(|&(_, hit)| hit)
        .map(|(i, _)| rank_discount(i + 1))
        .sum();
    let idcg: f64 = (1..=ideal_hits).map(rank_discount).sum();
    dcg / idcg
}

/// HitRate@K: 1 if any relevant item is in the top K, else 0.
pub fn hit_rate_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> f64 {
    if hit_flags(ranked, relevant, k).any(|hit| hit) {
        1.0
    } else {
        0.0
    }
}

/// Reciprocal rank of the first relevant item within the top K (1/rank,
/// rank 1-based), 0 if none; the mean over users is MRR@K.
pub fn mrr_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> f64 {
    hit_flags(ranked, relevant, k)
        .position(|hit| hit)
        .map_or(0.0, |i| 1.0 / count_f64(i + 1))
}

/// Average precision at K; the mean over users is MAP@K.
///
/// `AP@K = (1 / min(|relevant|, K)) * sum_{r=1..K} P@r * rel_r`. The
/// normaliser `min(|relevant|, K)` makes a perfect list score 1 even when
/// the user has more positives than K. Empty `relevant` or `k == 0`
/// gives 0.
pub fn map_at_k(ranked: &[u32], relevant: &[u32], k: usize) -> f64 {
    let denominator = relevant.len().min(k);
    if denominator == 0 {
        return 0.0;
    }
    let mut hits = 0usize;
    let mut sum = 0.0;
    for (i, hit) in hit_flags(ranked, relevant, k).enumerate() {
        if hit {
            hits += 1;
            sum += count_f64(hits) / count_f64(i + 1);
        }
    }
    sum / count_f64(denominator)
}

// ---------------------------------------------------------------------------
// AUC (full ranking)
// ---------------------------------------------------------------------------

/// Orders scores with NaN below every number (NaN ties with NaN), and
/// `-0.0 == 0.0`, so a NaN score can never win a comparison.
fn cmp_nan_lowest(a: f32, b: f32) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Full-ranking AUC of one user.
///
/// `scores[i]` is the model's score for item `i` (one entry per catalogue
/// item). Positives are `positives` (sorted ascending); negatives are all
/// other items not in `excluded` (sorted ascending, typically the user's
/// training items). An id in both lists counts as a positive. Positive ids
/// `>= scores.len()` have no score and are ignored.
///
/// `AUC = (#{pos > neg} + 0.5 * #{pos == neg}) / (P * N)` over all
/// (positive, negative) pairs: ties count one half. NaN scores are treated
/// as lower than every number and equal to each other.
///
/// Computed in O(n log n) by sorting once and counting, per group of equal
/// scores, the negatives strictly below it (the Mann-Whitney U statistic
/// with mid-ranks for ties), in exact integer arithmetic.
///
/// Returns `None` when there is no positive or no negative.
pub fn auc_from_scores(scores: &[f32], positives: &[u32], excluded: &[u32]) -> Option<f64> {
    debug_assert!(
        is_strictly_ascending(positives),
        "positives must be sorted ascending"
    );
    debug_assert!(
        is_strictly_ascending(excluded),
        "excluded must be sorted ascending"
    );
    let mut labelled: Vec<(f32, bool)> = scores
        .iter()
        .zip(0u32..)
        .filter_map(|(&score, item)| {
            if is_relevant(positives, item) {
                Some((score, true))
            } else if is_relevant(excluded, item) {
                None
            } else {
                Some((score, false))
            }
        })
        .collect();
    let n_pos = labelled.iter().filter(|&&(_, positive)| positive).count();
    let n_neg = labelled.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    labelled.sort_unstable_by(|a, b| cmp_nan_lowest(a.0, b.0));

    // 2U = sum over tie groups of pos_g * (2 * negatives_below + neg_g).
    // `usize as u128` is lossless.
    let mut twice_u: u128 = 0;
    let mut neg_below: u128 = 0;
    for group in labelled.chunk_by(|a, b| cmp_nan_lowest(a.0, b.0) == Ordering::Equal) {
        let pos = group.iter().filter(|&&(_, positive)| positive).count() as u128;
        let neg = group.len() as u128 - pos;
        twice_u += pos * (2 * neg_below + neg);
        neg_below += neg;
    }
    let pairs = n_pos as u128 * n_neg as u128;
    Some(wide_f64(twice_u) / wide_f64(2 * pairs))
}

// ---------------------------------------------------------------------------
// Beyond-accuracy metrics over all users' top-K lists
// ---------------------------------------------------------------------------

/// How many times each catalogue item appears in the first `k` entries of
/// the users' lists. Ids `>= n_items` are ignored (they are not in the
/// catalogue whose exposure is being described).
pub fn exposure_counts(lists: &[Vec<u32>], n_items: usize, k: usize) -> Vec<u64> {
    let mut counts = vec![0u64; n_items];
    for &item in lists.iter().flat_map(|list| top_k(list, k)) {
        if let Some(count) = item_index(item).and_then(|i| counts.get_mut(i)) {
            *count += 1;
        }
    }
    counts
}

/// Catalogue coverage@K: share of the `n_items` catalogue items that appear
/// in at least one user's top K. 0 when `n_items == 0` or no list.
/// Non-decreasing in K.
pub fn coverage_at_k(lists: &[Vec<u32>], n_items: usize, k: usize) -> f64 {
    if n_items == 0 {
        return 0.0;
    }
    let covered = exposure_counts(lists, n_items, k)
        .iter()
        .filter(|&&c| c > 0)
        .count();
    count_f64(covered) / count_f64(n_items)
}

/// Gini coefficient of exposure@K over the whole catalogue (items never
/// recommended count as 0 exposure): [`gini_coefficient`] of
/// [`exposure_counts`]. 0 = every item equally exposed; at most
/// `(n_items - 1) / n_items`, not 1. 0 when the catalogue is empty or
/// nothing is exposed.
pub fn gini_at_k(lists: &[Vec<u32>], n_items: usize, k: usize) -> f64 {
    gini_coefficient(&exposure_counts(lists, n_items, k))
}

/// Gini coefficient of non-negative counts, one per catalogue item:
/// `G = sum_{i=1..n} (2i - n - 1) x_(i) / (n * sum x)` with `x_(i)` sorted
/// ascending and `n = counts.len()`.
///
/// The maximum, all mass on one item, is `(n - 1) / n`, not 1: the formula
/// is deliberately not rescaled, so it matches the usual sample Gini. 0 for
/// an empty slice or an all-zero one. Computed exactly in integers before
/// the final division, so ties and uniform counts give exact results.
pub fn gini_coefficient(counts: &[u64]) -> f64 {
    let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    if counts.is_empty() || total == 0 {
        return 0.0;
    }
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    // Item counts and ranks fit in i128 with room to spare (`as` is lossless
    // for usize -> i128 on supported targets).
    let n = sorted.len() as i128;
    let weighted: i128 = sorted
        .iter()
        .zip(1i128..)
        .map(|(&x, i)| (2 * i - n - 1) * i128::from(x))
        .sum();
    wide_signed_f64(weighted) / (count_f64(sorted.len()) * wide_f64(total))
}

/// Normalised Shannon entropy of exposure@K over the catalogue:
/// [`normalized_entropy`] of [`exposure_counts`]. 1 = exposure uniform over
/// the whole catalogue, 0 = a single item exposed. 0 when `n_items <= 1` or
/// nothing is exposed.
pub fn exposure_entropy_at_k(lists: &[Vec<u32>], n_items: usize, k: usize) -> f64 {
    normalized_entropy(&exposure_counts(lists, n_items, k))
}

/// Shannon entropy of the distribution `p_i = counts_i / sum(counts)`
/// divided by `ln(n)`, `n = counts.len()`, so it lies in [0, 1]:
/// `H = -sum_i p_i ln p_i / ln n` (terms with `p_i = 0` contribute 0).
///
/// Normalising by the whole catalogue (not by the number of exposed items)
/// means 1 only when every item is exposed equally. 0 when `n <= 1` or all
/// counts are 0. Clamped to [0, 1] against rounding.
pub fn normalized_entropy(counts: &[u64]) -> f64 {
    if counts.len() <= 1 {
        return 0.0;
    }
    let total = wide_f64(counts.iter().map(|&c| u128::from(c)).sum());
    if total == 0.0 {
        return 0.0;
    }
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = count64_f64(c) / total;
            -p * p.ln()
        })
        .sum();
    (entropy / count_f64(counts.len()).ln()).clamp(0.0, 1.0)
}

// ---------------------------------------------------------------------------
// Per-list diversity, novelty and long tail
// ---------------------------------------------------------------------------

/// Category sets of the catalogue items, used as binary multi-hot vectors
/// for intra-list diversity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemCategories {
    per_item: Vec<Vec<u32>>,
}

impl ItemCategories {
    /// Builds the table from one category list per item (index = item id);
    /// each list is sorted and deduplicated here.
    pub fn new(mut per_item: Vec<Vec<u32>>) -> Self {
        for categories in &mut per_item {
            categories.sort_unstable();
            categories.dedup();
        }
        Self { per_item }
    }

    /// Number of items the table describes.
    pub fn n_items(&self) -> usize {
        self.per_item.len()
    }

    /// Sorted category ids of `item`; empty for an item without categories
    /// and for an id outside the table.
    pub fn of(&self, item: u32) -> &[u32] {
        item_index(item)
            .and_then(|i| self.per_item.get(i))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Cosine similarity of the multi-hot category vectors of `a` and `b`:
    /// `|A ∩ B| / sqrt(|A| |B|)`, in [0, 1]. If either item has no
    /// categories the cosine is 0 (an all-zero vector has no direction), so
    /// such an item is at distance 1 from everything, itself included.
    pub fn cosine(&self, a: u32, b: u32) -> f64 {
        let (ca, cb) = (self.of(a), self.of(b));
        if ca.is_empty() || cb.is_empty() {
            return 0.0;
        }
        let shared = sorted_intersection_len(ca, cb);
        (count_f64(shared) / (count_f64(ca.len()) * count_f64(cb.len())).sqrt()).min(1.0)
    }
}

/// Size of the intersection of two ascending, duplicate-free slices.
fn sorted_intersection_len(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

/// Intra-list diversity@K: mean over unordered pairs of positions in the
/// top K of `1 - cosine(categories_a, categories_b)`, in [0, 1].
///
/// Items without categories are at distance 1 from everything (see
/// [`ItemCategories::cosine`]). `None` when the top K has fewer than two
/// items (no pair to compare).
pub fn ild_at_k(ranked: &[u32], categories: &ItemCategories, k: usize) -> Option<f64> {
    let top = top_k(ranked, k);
    if top.len() < 2 {
        return None;
    }
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for (i, &a) in top.iter().enumerate() {
        for &b in &top[i + 1..] {
            sum += 1.0 - categories.cosine(a, b);
            pairs += 1;
        }
    }
    Some(sum / count_f64(pairs))
}

/// Smoothed self-information in bits: `-log2((count + 1) / denominator)`.
fn smoothed_self_information(count: u64, denominator: f64) -> f64 {
    -((count64_f64(count) + 1.0) / denominator).log2()
}

/// Novelty@K: mean self-information (bits) of the top-K items,
/// `mean_i -log2 p_i` with the add-one smoothed popularity
/// `p_i = (c_i + 1) / (total + n_items)`, `c_i = train_counts[i]`,
/// `total = sum c`, `n_items = train_counts.len()`.
///
/// Smoothing applies to every item (not only unseen ones), so novelty is
/// finite and `p` is a proper distribution. An id outside `train_counts`
/// counts as `c = 0`. `None` for an empty top K or an empty
/// `train_counts`. Not bounded by 1 (it is in bits).
///
/// This sums `train_counts` on every call (`O(n_items)`); for many users build
/// an [`ItemPopularity`] once and call [`ItemPopularity::novelty_at_k`].
pub fn novelty_at_k(ranked: &[u32], train_counts: &[u64], k: usize) -> Option<f64> {
    let top = top_k(ranked, k);
    if top.is_empty() || train_counts.is_empty() {
        return None;
    }
    let total: u128 = train_counts.iter().map(|&c| u128::from(c)).sum();
    let denominator = wide_f64(total) + count_f64(train_counts.len());
    let sum: f64 = top
        .iter()
        .map(|&item| {
            let count = item_index(item)
                .and_then(|i| train_counts.get(i))
                .copied()
                .unwrap_or(0);
            smoothed_self_information(count, denominator)
        })
        .sum();
    Some(sum / count_f64(top.len()))
}

/// Precomputed smoothed self-information of every item, so novelty over
/// many users costs O(K) per user. Same definition as [`novelty_at_k`].
#[derive(Debug, Clone, PartialEq)]
pub struct ItemPopularity {
    bits: Vec<f64>,
    unseen_bits: f64,
}

impl ItemPopularity {
    /// Computes `-log2((c_i + 1) / (total + n_items))` for every item.
    pub fn new(train_counts: &[u64]) -> Self {
        let total: u128 = train_counts.iter().map(|&c| u128::from(c)).sum();
        let denominator = wide_f64(total) + count_f64(train_counts.len());
        Self {
            bits: train_counts
                .iter()
                .map(|&c| smoothed_self_information(c, denominator))
                .collect(),
            unseen_bits: smoothed_self_information(0, denominator),
        }
    }

    /// Self-information of `item` in bits (an id outside the table counts as
    /// never seen in training).
    pub fn self_information(&self, item: u32) -> f64 {
        item_index(item)
            .and_then(|i| self.bits.get(i))
            .copied()
            .unwrap_or(self.unseen_bits)
    }

    /// Same value as [`novelty_at_k`] with the training counts given to
    /// [`ItemPopularity::new`].
    pub fn novelty_at_k(&self, ranked: &[u32], k: usize) -> Option<f64> {
        let top = top_k(ranked, k);
        if top.is_empty() || self.bits.is_empty() {
            return None;
        }
        let sum: f64 = top.iter().map(|&item| self.self_information(item)).sum();
        Some(sum / count_f64(top.len()))
    }
}

/// Long-tail share@K: share of the top-K items that are not head items
/// (`is_head[item] == false`), in [0, 1]. An id outside `is_head` counts as
/// long tail. `None` for an empty top K.
pub fn long_tail_share_at_k(ranked: &[u32], is_head: &[bool], k: usize) -> Option<f64> {
    let top = top_k(ranked, k);
    if top.is_empty() {
        return None;
    }
    let tail = top
        .iter()
        .filter(|&&item| {
            !item_index(item)
                .and_then(|i| is_head.get(i))
                .copied()
                .unwrap_or(false)
        })
        .count();
    Some(count_f64(tail) / count_f64(top.len()))
}

/// Number of head items: `ceil(fraction * n)` clamped to `0..=n`.
///
/// A relative tolerance of 1e-9 is subtracted before `ceil` so that a
/// product that should be an integer but rounds up in floating point (e.g.
/// `0.07 * 100 = 7.000000000000001`) gives 7, not 8. NaN or non-positive
/// fractions give 0; fractions above 1 give `n`.
fn head_count(n: usize, fraction: f64) -> usize {
    if fraction.is_nan() || fraction <= 0.0 {
        return 0;
    }
    let exact = fraction.min(1.0) * count_f64(n);
    let rounded = (exact - 1e-9 * exact.max(1.0)).ceil().max(0.0);
    // `rounded` is a non-negative integer no larger than n (< 2^53), so the
    // conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let count = rounded as usize;
    count.min(n)
}

/// Marks the `ceil(head_fraction * n_items)` most popular items by training
/// count as head items (`true`); the rest are the long tail.
///
/// Ties in count are broken by lower item id first, so the split is
/// deterministic. With a large fraction, items with zero training count
/// can be head items. A relative tolerance of 1e-9 is applied before the
/// ceiling, so a product that should be an integer but rounds up in floating
/// point (`0.07 * 100 = 7.000000000000001`) gives 7 head items, not 8. NaN
/// or non-positive fractions give no head item; fractions above 1 give all.
pub fn head_items(train_counts: &[u64], head_fraction: f64) -> Vec<bool> {
    let n = train_counts.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| train_counts[b].cmp(&train_counts[a]).then(a.cmp(&b)));
    let mut is_head = vec![false; n];
    for &item in order.iter().take(head_count(n, head_fraction)) {
        is_head[item] = true;
    }
    is_head
}

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
        });
    }
    let mean = mean_of(&d);
    let statistic = mean / (sample_sd(&d, mean) / count_f64(n).sqrt());
    let p_value = student_t_two_sided_p(statistic, count_f64(n - 1));
    Some(PairedTest {
        statistic,
        p_value,
        n,
    })
}

/// Two-sided Wilcoxon signed-rank test on `d = a - b`.
///
/// Zero differences are dropped (Wilcoxon's method); the remaining `|d|`
/// are ranked with mid-ranks for exact ties; the statistic is
/// `W+ = sum of ranks of positive d`. The p-value uses the normal
/// approximation with mean `n(n+1)/4`, tie-corrected variance
/// `n(n+1)(2n+1)/24 - sum_t (t^3 - t)/48`, and continuity correction
/// `z = (W+ - mean - 0.5 sign(W+ - mean)) / sd`, `p = 2 Phi(-|z|)`; this
/// matches R `wilcox.test(paired = TRUE, exact = FALSE, correct = TRUE)` and
/// `scipy.stats.wilcoxon(correction=True, method="approx")`.
///
/// `None` if the lengths differ, the input is empty, or a difference is not
/// finite. If every difference is zero: statistic 0, p = 1, `n = 0`.
/// Ties in `|d|` are exact equality: round the inputs first if tiny
/// floating-point noise should count as a tie.
pub fn wilcoxon_signed_rank(a: &[f64], b: &[f64]) -> Option<PairedTest> {
    let d = paired_differences(a, b)?;
    if d.is_empty() {
        return None;
    }
    let mut nonzero: Vec<(f64, bool)> = d
        .into_iter()
        .filter(|&v| v != 0.0)
        .map(|v| (v.abs(), v > 0.0))
        .collect();
    let n = nonzero.len();
    if n == 0 {
        return Some(PairedTest {
            statistic: 0.0,
            p_value: 1.0,
            n: 0,
        });
    }
    nonzero.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));

    let mut w_plus = 0.0;
    let mut tie_sum = 0.0; // sum over tie groups of t^3 - t
    let mut ranked_so_far = 0usize;
    for group in nonzero.chunk_by(|x, y| x.0 == y.0) {
        let t = count_f64(group.len());
        // Ranks ranked_so_far + 1 ..= ranked_so_far + t share their mean.
        let mid_rank = count_f64(ranked_so_far) + (t + 1.0) / 2.0;
        let positives = count_f64(group.iter().filter(|&&(_, positive)| positive).count());
        w_plus += mid_rank * positives;
        tie_sum += t * t * t - t;
        ranked_so_far += group.len();
    }

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
    let p_value = erfc(z.abs() / SQRT_2).clamp(0.0, 1.0);
    Some(PairedTest {
        statistic: w_plus,
        p_value,
        n,
    })
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn close(actual: f64, expected: f64, tol: f64) -> bool {
        (actual - expected).abs() <= tol * expected.abs().max(1.0)
    }

    macro_rules! assert_close {
        ($actual:expr, $expected:expr) => {
            assert_close!($actual, $expected, EPS)
        };
        ($actual:expr, $expected:expr, $tol:expr) => {{
            let (a, e): (f64, f64) = ($actual, $expected);
            assert!(
                close(a, e, $tol),
                "{} = {a}, expected {e} (tol {})",
                stringify!($actual),
                $tol
            );
        }};
    }

    /// xorshift64 — tiny deterministic RNG for property tests.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Self {
            Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
        /// Uniform-ish in 0..n (n > 0); modulo bias is irrelevant here.
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next_u64() % n as u64).unwrap()
        }
        fn unit(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }
        /// Random distinct items from 0..n in random order (partial shuffle).
        fn permutation_prefix(&mut self, n: usize, len: usize) -> Vec<u32> {
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
        fn subset(&mut self, n: usize, p: f64) -> Vec<u32> {
            (0..n as u32).filter(|_| self.unit() < p).collect()
        }
    }

    // The running example for the relevance metrics:
    // ranked = [3, 1, 4, 5, 9], relevant = {1, 5, 8}
    // rank:      1  2  3  4  5
    // hit:       0  1  0  1  0
    const RANKED: [u32; 5] = [3, 1, 4, 5, 9];
    const RELEVANT: [u32; 3] = [1, 5, 8];

    fn inv_log2(x: f64) -> f64 {
        1.0 / x.log2()
    }

    // ---- precision ----

    #[test]
    fn precision_by_hand() {
        // top 3 = [3,1,4]: one hit -> 1/3
        assert_close!(precision_at_k(&RANKED, &RELEVANT, 3), 1.0 / 3.0);
        // top 5: hits 1 and 5 -> 2/5
        assert_close!(precision_at_k(&RANKED, &RELEVANT, 5), 0.4);
        // K = 1: [3] no hit -> 0
        assert_close!(precision_at_k(&RANKED, &RELEVANT, 1), 0.0);
        // K = 2: [3,1] -> 1/2
        assert_close!(precision_at_k(&RANKED, &RELEVANT, 2), 0.5);
        // K = 10 > list length 5: still divides by K -> 2/10
        assert_close!(precision_at_k(&RANKED, &RELEVANT, 10), 0.2);
    }

    #[test]
    fn precision_edge_cases() {
        assert_eq!(precision_at_k(&RANKED, &RELEVANT, 0), 0.0);
        assert_eq!(precision_at_k(&[], &RELEVANT, 5), 0.0);
        assert_eq!(precision_at_k(&RANKED, &[], 5), 0.0);
        assert_eq!(precision_at_k(&[], &[], 0), 0.0);
        // no hit at all
        assert_eq!(precision_at_k(&[0, 2], &RELEVANT, 2), 0.0);
    }

    // ---- recall ----

    #[test]
    fn recall_by_hand() {
        // |relevant| = 3
        assert_close!(recall_at_k(&RANKED, &RELEVANT, 3), 1.0 / 3.0); // 1 hit
        assert_close!(recall_at_k(&RANKED, &RELEVANT, 5), 2.0 / 3.0); // 2 hits
        assert_close!(recall_at_k(&RANKED, &RELEVANT, 1), 0.0);
        assert_close!(recall_at_k(&RANKED, &RELEVANT, 100), 2.0 / 3.0); // K > list
        // fewer positives than K: relevant = {1}, found at rank 2 -> 1/1
        assert_close!(recall_at_k(&RANKED, &[1], 5), 1.0);
        // more positives than K: relevant = {3,1,4,5}, K = 2 -> 2/4
        assert_close!(recall_at_k(&RANKED, &[1, 3, 4, 5], 2), 0.5);
    }

    #[test]
    fn recall_edge_cases() {
        assert_eq!(recall_at_k(&RANKED, &[], 5), 0.0);
        assert_eq!(recall_at_k(&[], &RELEVANT, 5), 0.0);
        assert_eq!(recall_at_k(&RANKED, &RELEVANT, 0), 0.0);
        assert_eq!(recall_at_k(&[0, 2], &RELEVANT, 2), 0.0);
    }

    // ---- NDCG ----

    #[test]
    fn ndcg_by_hand() {
        // K = 3: DCG = 1/log2(3) (hit at rank 2);
        // IDCG over min(3,3) = 3 positives = 1 + 1/log2(3) + 1/log2(4)
        //      = 1 + 0.6309297535714575 + 0.5 = 2.1309297535714575
        // NDCG = 0.6309297535714575 / 2.1309297535714575 = 0.2960819109658652
        let idcg3 = 1.0 + inv_log2(3.0) + 0.5;
        assert_close!(ndcg_at_k(&RANKED, &RELEVANT, 3), inv_log2(3.0) / idcg3);
        assert_close!(
            ndcg_at_k(&RANKED, &RELEVANT, 3),
            0.296_081_910_965_865_2,
            1e-12
        );
        // K = 5: DCG = 1/log2(3) + 1/log2(5) (ranks 2 and 4); IDCG as above
        assert_close!(
            ndcg_at_k(&RANKED, &RELEVANT, 5),
            (inv_log2(3.0) + inv_log2(5.0)) / idcg3
        );
        // K = 1: no hit at rank 1 -> 0
        assert_eq!(ndcg_at_k(&RANKED, &RELEVANT, 1), 0.0);
        // K = 1 with a hit at rank 1: DCG = IDCG = 1
        assert_close!(ndcg_at_k(&[5, 3], &RELEVANT, 1), 1.0);
    }

    #[test]
    fn ndcg_fewer_positives_than_k() {
        // relevant = {1}, K = 5: IDCG uses min(1,5) = 1 positive = 1
        // DCG = 1/log2(3) -> NDCG = 0.6309297535714575
        assert_close!(ndcg_at_k(&RANKED, &[1], 5), 0.630_929_753_571_457_5);
        // perfect short list: [8,1,5] holds all positives at the top -> 1
        assert_close!(ndcg_at_k(&[8, 1, 5, 2], &RELEVANT, 10), 1.0);
    }

    #[test]
    fn ndcg_k_larger_than_list() {
        // ranked = [1,2] (catalogue exhausted), relevant = {1,2,3}, K = 10
        // DCG = 1 + 1/log2(3); IDCG over min(3,10) = 3 = 1 + 1/log2(3) + 1/2
        let expected = (1.0 + inv_log2(3.0)) / (1.0 + inv_log2(3.0) + 0.5);
        assert_close!(ndcg_at_k(&[1, 2], &[1, 2, 3], 10), expected);
    }

    #[test]
    fn ndcg_edge_cases() {
        assert_eq!(ndcg_at_k(&RANKED, &[], 5), 0.0);
        assert_eq!(ndcg_at_k(&[], &RELEVANT, 5), 0.0);
        assert_eq!(ndcg_at_k(&RANKED, &RELEVANT, 0), 0.0);
        assert_eq!(ndcg_at_k(&[0, 2, 7], &RELEVANT, 3), 0.0); // no hit
        // perfect list, K smaller than |relevant|: [1,5] with K = 2 -> 1
        assert_close!(ndcg_at_k(&[1, 5, 8], &RELEVANT, 2), 1.0);
    }

    // ---- hit rate ----

    #[test]
    fn hit_rate_by_hand() {
        assert_eq!(hit_rate_at_k(&RANKED, &RELEVANT, 1), 0.0); // [3]
        assert_eq!(hit_rate_at_k(&RANKED, &RELEVANT, 2), 1.0); // [3,1]
        assert_eq!(hit_rate_at_k(&RANKED, &RELEVANT, 50), 1.0); // K > list
        assert_eq!(hit_rate_at_k(&RANKED, &RELEVANT, 0), 0.0);
        assert_eq!(hit_rate_at_k(&[], &RELEVANT, 3), 0.0);
        assert_eq!(hit_rate_at_k(&RANKED, &[], 3), 0.0);
        assert_eq!(hit_rate_at_k(&[0, 2], &RELEVANT, 2), 0.0);
    }

    // ---- MRR ----

    #[test]
    fn mrr_by_hand() {
        // first hit at rank 2 -> 1/2 (the second hit at rank 4 is ignored)
        assert_close!(mrr_at_k(&RANKED, &RELEVANT, 5), 0.5);
        assert_close!(mrr_at_k(&RANKED, &RELEVANT, 2), 0.5);
        // K = 1: no hit -> 0
        assert_eq!(mrr_at_k(&RANKED, &RELEVANT, 1), 0.0);
        // hit at rank 1 -> 1
        assert_close!(mrr_at_k(&[8, 0], &RELEVANT, 1), 1.0);
        // relevant = {9}: rank 5 -> 1/5, outside K = 4 -> 0
        assert_close!(mrr_at_k(&RANKED, &[9], 5), 0.2);
        assert_eq!(mrr_at_k(&RANKED, &[9], 4), 0.0);
        assert_close!(mrr_at_k(&RANKED, &[9], 99), 0.2);
        assert_eq!(mrr_at_k(&[], &RELEVANT, 3), 0.0);
        assert_eq!(mrr_at_k(&RANKED, &[], 3), 0.0);
        assert_eq!(mrr_at_k(&RANKED, &RELEVANT, 0), 0.0);
    }

    // ---- MAP ----

    #[test]
    fn map_by_hand() {
        // K = 5: hits at ranks 2 and 4: P@2 = 1/2, P@4 = 2/4
        //        sum = 1, divided by min(3,5) = 3 -> 1/3
        assert_close!(map_at_k(&RANKED, &RELEVANT, 5), 1.0 / 3.0);
        // K = 3: hit at rank 2 only: 1/2 / min(3,3) -> 1/6
        assert_close!(map_at_k(&RANKED, &RELEVANT, 3), 1.0 / 6.0);
        // K = 2: 1/2 / min(3,2) = 2 -> 1/4
        assert_close!(map_at_k(&RANKED, &RELEVANT, 2), 0.25);
        // K = 1: no hit -> 0
        assert_eq!(map_at_k(&RANKED, &RELEVANT, 1), 0.0);
        // ranked [1,3,5], relevant {1,5}: P@1 = 1, P@3 = 2/3 -> (5/3)/2 = 5/6
        assert_close!(map_at_k(&[1, 3, 5], &[1, 5], 3), 5.0 / 6.0);
        // K > list: same as K = 5 here, divisor min(3,10) = 3 -> 1/3
        assert_close!(map_at_k(&RANKED, &RELEVANT, 10), 1.0 / 3.0);
    }

    #[test]
    fn map_fewer_positives_and_edges() {
        // relevant = {1}: hit at rank 2 -> P@2 = 1/2, / min(1,5) = 1 -> 1/2
        assert_close!(map_at_k(&RANKED, &[1], 5), 0.5);
        // perfect list with more positives than K: [1,5] K = 2 -> (1 + 1)/2
        assert_close!(map_at_k(&[1, 5, 8], &RELEVANT, 2), 1.0);
        assert_eq!(map_at_k(&RANKED, &[], 5), 0.0);
        assert_eq!(map_at_k(&[], &RELEVANT, 5), 0.0);
        assert_eq!(map_at_k(&RANKED, &RELEVANT, 0), 0.0);
        assert_eq!(map_at_k(&[0, 2], &RELEVANT, 2), 0.0);
    }

    // ---- AUC ----

    /// O(P * N) reference with the same NaN-lowest rule.
    fn brute_force_auc(scores: &[f32], positives: &[u32], excluded: &[u32]) -> Option<f64> {
        let pos: Vec<f32> = positives
            .iter()
            .filter_map(|&i| scores.get(i as usize).copied())
            .collect();
        let neg: Vec<f32> = (0..scores.len() as u32)
            .filter(|i| !positives.contains(i) && !excluded.contains(i))
            .map(|i| scores[i as usize])
            .collect();
        if pos.is_empty() || neg.is_empty() {
            return None;
        }
        let mut wins = 0.0;
        for &p in &pos {
            for &n in &neg {
                wins += match cmp_nan_lowest(p, n) {
                    Ordering::Greater => 1.0,
                    Ordering::Equal => 0.5,
                    Ordering::Less => 0.0,
                };
            }
        }
        Some(wins / (pos.len() * neg.len()) as f64)
    }

    #[test]
    fn auc_by_hand_with_tie() {
        // items:   0    1    2    3    4    5
        // scores: 0.9  0.1  0.5  0.5  0.3  0.8
        // positives {0,3}; excluded {5}; negatives {1,2,4} = 0.1, 0.5, 0.3
        // item 0 (0.9) beats all three          -> 3
        // item 3 (0.5): >0.1, =0.5 (1/2), >0.3  -> 2.5
        // AUC = 5.5 / (2 * 3) = 0.91666...
        let scores = [0.9, 0.1, 0.5, 0.5, 0.3, 0.8];
        assert_close!(auc_from_scores(&scores, &[0, 3], &[5]).unwrap(), 5.5 / 6.0);
        // without the exclusion item 5 (0.8) is a negative:
        // item 0 beats it (+1), item 3 loses (+0) -> 6.5 / 8
        assert_close!(auc_from_scores(&scores, &[0, 3], &[]).unwrap(), 6.5 / 8.0);
    }

    #[test]
    fn auc_nan_is_lowest() {
        // scores [NaN, 0.2, NaN, 0.7], positive {0}, negatives {1,2,3}
        // NaN vs 0.2: loss; NaN vs NaN: tie 1/2; NaN vs 0.7: loss -> 0.5/3
        let scores = [f32::NAN, 0.2, f32::NAN, 0.7];
        assert_close!(auc_from_scores(&scores, &[0], &[]).unwrap(), 1.0 / 6.0);
        // positive 1 (0.2) vs NaN, NaN, 0.7 -> 1 + 1 + 0 = 2/3
        assert_close!(auc_from_scores(&scores, &[1], &[]).unwrap(), 2.0 / 3.0);
    }

    #[test]
    fn auc_extremes_and_none() {
        let scores = [0.1, 0.2, 0.3, 0.4];
        assert_eq!(auc_from_scores(&scores, &[2, 3], &[]), Some(1.0)); // perfect
        assert_eq!(auc_from_scores(&scores, &[0, 1], &[]), Some(0.0)); // reversed
        assert_eq!(auc_from_scores(&[0.5; 4], &[1], &[]), Some(0.5)); // all tied
        // -0.0 and 0.0 are a tie
        assert_eq!(auc_from_scores(&[-0.0, 0.0], &[0], &[]), Some(0.5));
        assert_eq!(auc_from_scores(&scores, &[], &[]), None); // no positive
        assert_eq!(auc_from_scores(&scores, &[0, 1], &[2, 3]), None); // no negative
        assert_eq!(auc_from_scores(&scores, &[0, 1, 2, 3], &[]), None);
        assert_eq!(auc_from_scores(&[], &[], &[]), None);
        // positive out of range is ignored: only item 3 is a positive
        assert_eq!(auc_from_scores(&scores, &[3, 99], &[]), Some(1.0));
        // an id both positive and excluded counts as positive
        assert_eq!(auc_from_scores(&scores, &[3], &[3]), Some(1.0));
    }

    #[test]
    fn auc_matches_brute_force_with_many_ties() {
        let mut rng = Rng::new(7);
        let levels = [0.0f32, 0.25, 0.5, 1.0, f32::NAN];
        for case in 0..400 {
            let n = 1 + rng.below(40);
            let scores: Vec<f32> = (0..n)
                .map(|_| {
                    // NaN only in some cases
                    let max = if case % 3 == 0 {
                        levels.len()
                    } else {
                        levels.len() - 1
                    };
                    levels[rng.below(max)]
                })
                .collect();
            let positives = rng.subset(n, 0.3);
            let excluded: Vec<u32> = rng
                .subset(n, 0.2)
                .into_iter()
                .filter(|i| !positives.contains(i))
                .collect();
            let fast = auc_from_scores(&scores, &positives, &excluded);
            let slow = brute_force_auc(&scores, &positives, &excluded);
            match (fast, slow) {
                (Some(f), Some(s)) => {
                    assert_close!(f, s, 1e-12);
                    assert!((0.0..=1.0).contains(&f));
                }
                (None, None) => {}
                other => panic!("case {case}: {other:?}"),
            }
        }
    }

    // ---- exposure, coverage, Gini, entropy ----

    fn example_lists() -> Vec<Vec<u32>> {
        vec![vec![0, 1, 2], vec![2, 3, 4], vec![0, 5]]
    }

    #[test]
    fn exposure_and_coverage_by_hand() {
        let lists = example_lists();
        // K = 2: {0,1}, {2,3}, {0,5} -> counts 0:2 1:1 2:1 3:1 5:1
        assert_eq!(
            exposure_counts(&lists, 10, 2),
            vec![2, 1, 1, 1, 0, 1, 0, 0, 0, 0]
        );
        assert_close!(coverage_at_k(&lists, 10, 2), 0.5); // 5 of 10
        // K = 1: {0}, {2}, {0} -> 2 of 10
        assert_close!(coverage_at_k(&lists, 10, 1), 0.2);
        // K = 3 and K = 100 (> every list): {0..=5} -> 6 of 10
        assert_close!(coverage_at_k(&lists, 10, 3), 0.6);
        assert_close!(coverage_at_k(&lists, 10, 100), 0.6);
        assert_eq!(coverage_at_k(&lists, 10, 0), 0.0);
        assert_eq!(coverage_at_k(&[], 10, 5), 0.0);
        assert_eq!(coverage_at_k(&lists, 0, 5), 0.0);
        assert!(exposure_counts(&lists, 0, 5).is_empty());
        // ids outside the catalogue are ignored: n_items = 3 keeps 0,1,2
        // K = 3: 0:2 1:1 2:2 (3,4,5 dropped)
        assert_eq!(exposure_counts(&lists, 3, 3), vec![2, 1, 2]);
        assert_close!(coverage_at_k(&lists, 3, 3), 1.0);
    }

    #[test]
    fn gini_by_hand() {
        // lists [[0,1],[0],[0]], n = 4, K = 2 -> counts [3,1,0,0]
        // sorted ascending 0,0,1,3; weights (2i - n - 1) = -3,-1,1,3
        // sum = 1*1 + 3*3 = 10; G = 10 / (4 * 4) = 0.625
        let lists = vec![vec![0, 1], vec![0], vec![0]];
        assert_close!(gini_at_k(&lists, 4, 2), 0.625);
        // K = 1: counts [3,0,0,0] -> 3*3 / (4*3) = 0.75 = (n-1)/n, the maximum
        assert_close!(gini_at_k(&lists, 4, 1), 0.75);
        // ties: counts [2,2,0,0] -> (1*2 + 3*2) / (4*4) = 0.5
        let tied = vec![vec![0, 1], vec![1, 0]];
        assert_close!(gini_at_k(&tied, 4, 2), 0.5);
        // uniform [1,1,1,1] -> 0
        let uniform = vec![vec![0, 1], vec![2, 3]];
        assert_eq!(gini_at_k(&uniform, 4, 2), 0.0);
    }

    #[test]
    fn gini_edge_cases() {
        assert_eq!(gini_at_k(&[], 4, 2), 0.0); // no exposure
        assert_eq!(gini_at_k(&[vec![0]], 0, 2), 0.0); // empty catalogue
        assert_eq!(gini_at_k(&[vec![0]], 1, 2), 0.0); // n = 1: (n-1)/n = 0
        assert_eq!(gini_at_k(&[vec![0, 1]], 4, 0), 0.0); // K = 0
    }

    #[test]
    fn entropy_by_hand() {
        // counts [3,1,0,0], total 4 -> p = 3/4, 1/4
        // H = -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.5623351446188083
        // normalised by ln 4 = 1.3862943611198906 -> 0.4056390622295664
        let lists = vec![vec![0, 1], vec![0], vec![0]];
        assert_close!(exposure_entropy_at_k(&lists, 4, 2), 0.405_639_062_229_566_4);
        // uniform over the whole catalogue -> 1
        let uniform = vec![vec![0, 1], vec![2, 3]];
        assert_close!(exposure_entropy_at_k(&uniform, 4, 2), 1.0);
        // uniform over half the catalogue: ln 2 / ln 4 = 0.5
        assert_close!(exposure_entropy_at_k(&uniform, 4, 1), 0.5);
        // single item exposed -> 0
        assert_eq!(exposure_entropy_at_k(&lists, 4, 1), 0.0);
        assert_eq!(exposure_entropy_at_k(&lists, 1, 2), 0.0); // n_items <= 1
        assert_eq!(exposure_entropy_at_k(&lists, 0, 2), 0.0);
        assert_eq!(exposure_entropy_at_k(&[], 4, 2), 0.0); // no exposure
        assert_eq!(exposure_entropy_at_k(&lists, 4, 0), 0.0);
    }

    #[test]
    fn count_helpers_by_hand() {
        // [3,1,0,0]: see gini_by_hand / entropy_by_hand
        assert_close!(gini_coefficient(&[3, 1, 0, 0]), 0.625);
        assert_close!(gini_coefficient(&[0, 0, 1, 3]), 0.625); // order irrelevant
        assert_close!(normalized_entropy(&[0, 3, 0, 1]), 0.405_639_062_229_566_4);
        // [1, 2, 3]: sorted weights (2i - 4) = -2, 0, 2 -> (-2 + 6) / (3 * 6) = 2/9
        assert_close!(gini_coefficient(&[3, 1, 2]), 2.0 / 9.0);
        assert_eq!(gini_coefficient(&[]), 0.0);
        assert_eq!(gini_coefficient(&[0, 0]), 0.0);
        assert_eq!(gini_coefficient(&[7]), 0.0);
        assert_eq!(normalized_entropy(&[]), 0.0);
        assert_eq!(normalized_entropy(&[5]), 0.0);
        assert_eq!(normalized_entropy(&[0, 0, 0]), 0.0);
        assert_close!(normalized_entropy(&[2, 2, 2]), 1.0);
    }

    // ---- categories and ILD ----

    fn example_categories() -> ItemCategories {
        // item 0: {1,2}; item 1: {2,3}; item 2: {}; item 3: {1,2} (given
        // unsorted with a duplicate to exercise new())
        ItemCategories::new(vec![vec![1, 2], vec![3, 2], vec![], vec![2, 1, 1]])
    }

    #[test]
    fn categories_and_cosine_by_hand() {
        let cats = example_categories();
        assert_eq!(cats.n_items(), 4);
        assert_eq!(cats.of(3), &[1, 2]);
        assert_eq!(cats.of(1), &[2, 3]);
        assert!(cats.of(2).is_empty());
        assert!(cats.of(99).is_empty()); // outside the table
        // cos(0,1) = |{2}| / sqrt(2*2) = 1/2
        assert_close!(cats.cosine(0, 1), 0.5);
        assert_close!(cats.cosine(1, 0), 0.5);
        // cos(0,3) = 2 / sqrt(2*2) = 1
        assert_close!(cats.cosine(0, 3), 1.0);
        // empty categories: 0, even with itself
        assert_eq!(cats.cosine(0, 2), 0.0);
        assert_eq!(cats.cosine(2, 2), 0.0);
        // {1,2,3} vs {3}: 1 / sqrt(3) = 0.5773502691896258
        let c = ItemCategories::new(vec![vec![1, 2, 3], vec![3]]);
        assert_close!(c.cosine(0, 1), 0.577_350_269_189_625_8);
    }

    #[test]
    fn ild_by_hand() {
        let cats = example_categories();
        // [0,1,3]: pairs (0,1) 1-0.5, (0,3) 1-1, (1,3) 1-0.5 -> 1/3
        assert_close!(ild_at_k(&[0, 1, 3], &cats, 3).unwrap(), 1.0 / 3.0);
        // [0,1,2,3]: (0,1) .5, (0,2) 1, (0,3) 0, (1,2) 1, (1,3) .5, (2,3) 1
        //            sum 4 over 6 pairs -> 2/3
        assert_close!(ild_at_k(&[0, 1, 2, 3], &cats, 4).unwrap(), 2.0 / 3.0);
        // K = 2 cuts to [0,3] -> 0
        assert_close!(ild_at_k(&[0, 3, 1], &cats, 2).unwrap(), 0.0);
        // K larger than list: [0,1] -> 0.5
        assert_close!(ild_at_k(&[0, 1], &cats, 10).unwrap(), 0.5);
        // unknown item (no categories) is at distance 1
        assert_close!(ild_at_k(&[0, 99], &cats, 2).unwrap(), 1.0);
        // fewer than two items -> None
        assert_eq!(ild_at_k(&[0, 1], &cats, 1), None);
        assert_eq!(ild_at_k(&[0], &cats, 5), None);
        assert_eq!(ild_at_k(&[], &cats, 5), None);
        assert_eq!(ild_at_k(&[0, 1], &cats, 0), None);
    }

    // ---- novelty ----

    #[test]
    fn novelty_by_hand() {
        // counts [5,2,0,1]: total 8, n 4 -> denominator 12
        // p0 = 6/12 -> 1 bit; p1 = 3/12 -> 2 bits;
        // p2 = 1/12 -> log2 12 = 3.584962500721156; p3 = 2/12 -> log2 6
        let counts = [5, 2, 0, 1];
        assert_close!(novelty_at_k(&[0, 1], &counts, 2).unwrap(), 1.5);
        // (log2 12 + log2 6 + 1) / 3 = 7.169925001442312 / 3
        assert_close!(
            novelty_at_k(&[2, 3, 0], &counts, 3).unwrap(),
            7.169_925_001_442_312 / 3.0
        );
        // K = 1 -> only item 1 -> 2 bits
        assert_close!(novelty_at_k(&[1, 2], &counts, 1).unwrap(), 2.0);
        // K larger than list: mean over [0,1] -> 1.5
        assert_close!(novelty_at_k(&[0, 1], &counts, 50).unwrap(), 1.5);
        // id outside the counts = count 0 -> log2 12
        assert_close!(novelty_at_k(&[77], &counts, 1).unwrap(), 12f64.log2());
        // no training data at all: p = 1/4 -> 2 bits
        assert_close!(novelty_at_k(&[0, 3], &[0, 0, 0, 0], 2).unwrap(), 2.0);
        assert_eq!(novelty_at_k(&[], &counts, 3), None);
        assert_eq!(novelty_at_k(&[0], &counts, 0), None);
        assert_eq!(novelty_at_k(&[0], &[], 1), None);
    }

    #[test]
    fn item_popularity_matches_novelty() {
        let counts = [5, 2, 0, 1];
        let pop = ItemPopularity::new(&counts);
        assert_close!(pop.self_information(0), 1.0);
        assert_close!(pop.self_information(9), 12f64.log2());
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let len = rng.below(7);
            let list = rng.permutation_prefix(6, len); // may include 4, 5
            let k = rng.below(8);
            assert_eq!(pop.novelty_at_k(&list, k), novelty_at_k(&list, &counts, k));
        }
        assert_eq!(ItemPopularity::new(&[]).novelty_at_k(&[0], 1), None);
    }

    // ---- head / long tail ----

    #[test]
    fn head_items_by_hand() {
        // counts: item 0:5, 1:2, 2:0, 3:2, 4:9
        let counts = [5, 2, 0, 2, 9];
        // 0.4 * 5 = 2 -> items 4 (9) and 0 (5)
        assert_eq!(
            head_items(&counts, 0.4),
            vec![true, false, false, false, true]
        );
        // 0.5 * 5 = 2.5 -> ceil 3; tie 1 vs 3 (count 2) -> lower id 1
        assert_eq!(
            head_items(&counts, 0.5),
            vec![true, true, false, false, true]
        );
        // 0.6 * 5 = 3 -> same three
        assert_eq!(
            head_items(&counts, 0.6),
            vec![true, true, false, false, true]
        );
        // 0.01 * 5 = 0.05 -> ceil 1 -> item 4
        assert_eq!(
            head_items(&counts, 0.01),
            vec![false, false, false, false, true]
        );
        assert_eq!(head_items(&counts, 0.0), vec![false; 5]);
        assert_eq!(head_items(&counts, f64::NAN), vec![false; 5]);
        assert_eq!(head_items(&counts, 1.0), vec![true; 5]);
        assert_eq!(head_items(&counts, 7.0), vec![true; 5]);
        assert!(head_items(&[], 0.2).is_empty());
        // all tied -> the lowest ids: 0.2 * 10 = 2 -> items 0, 1
        let flat = head_items(&[4; 10], 0.2);
        assert_eq!(flat.iter().filter(|&&h| h).count(), 2);
        assert!(flat[0] && flat[1]);
        // 0.07 * 100 = 7.000000000000001 in floating point -> still 7
        assert_eq!(
            head_items(&[1; 100], 0.07).iter().filter(|&&h| h).count(),
            7
        );
    }

    #[test]
    fn long_tail_share_by_hand() {
        let is_head = [true, false, false, true];
        // [0,1,2]: tail items 1, 2 -> 2/3
        assert_close!(
            long_tail_share_at_k(&[0, 1, 2], &is_head, 3).unwrap(),
            2.0 / 3.0
        );
        // K = 1: [0] head -> 0
        assert_eq!(long_tail_share_at_k(&[0, 1, 2], &is_head, 1), Some(0.0));
        // K larger than list: [1,2] -> 1
        assert_eq!(long_tail_share_at_k(&[1, 2], &is_head, 10), Some(1.0));
        // unknown id counts as tail: [3, 42] -> 1/2
        assert_eq!(long_tail_share_at_k(&[3, 42], &is_head, 2), Some(0.5));
        assert_eq!(long_tail_share_at_k(&[], &is_head, 3), None);
        assert_eq!(long_tail_share_at_k(&[0], &is_head, 0), None);
    }

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
        // mean = 8*9/4 = 18; var = 8*9*17/24 - (24 + 24)/48 = 51 - 1 = 50
        // z = (32 - 18 - 0.5) / sqrt(50) = 1.909188309203678
        // scipy.stats.wilcoxon(a, b, correction=True, method='approx')
        //   -> zstatistic -1.909188309203678, pvalue 0.05623780387727597
        let r = wilcoxon_signed_rank(&PAIRED_A, &PAIRED_B).unwrap();
        assert_eq!(r.statistic, 32.0);
        assert_eq!(r.n, 8);
        assert_close!(r.p_value, erfc(13.5 / 50f64.sqrt() / SQRT_2), 1e-14);
        assert_close!(r.p_value, 0.056_237_803_877_275_97, 1e-10);
        // swapping: W+ becomes 4, same p
        let s = wilcoxon_signed_rank(&PAIRED_B, &PAIRED_A).unwrap();
        assert_eq!(s.statistic, 4.0);
        assert_close!(s.p_value, r.p_value);
    }

    #[test]
    fn wilcoxon_small_cases_by_hand() {
        // d = [1, -2, 3]: ranks 1, 2, 3 (no ties); W+ = 1 + 3 = 4
        // mean = 3*4/4 = 3; var = 3*4*7/24 = 3.5; z = (4 - 3 - 0.5)/sqrt(3.5)
        let r = wilcoxon_signed_rank(&[1.0, -2.0, 3.0], &[0.0; 3]).unwrap();
        assert_eq!(r.statistic, 4.0);
        assert_close!(r.p_value, erfc(0.5 / 3.5f64.sqrt() / SQRT_2), 1e-14);
        // single pair d = [5]: W+ = 1, mean 0.5, var 1*2*3/24 = 0.25,
        // z = (1 - 0.5 - 0.5)/0.5 = 0 -> p = 1
        let r = wilcoxon_signed_rank(&[5.0], &[0.0]).unwrap();
        assert_eq!((r.statistic, r.p_value, r.n), (1.0, 1.0, 1));
        // d = [1, -1]: tie, mid-rank 1.5 each; W+ = 1.5 = mean 2*3/4 -> p = 1
        let r = wilcoxon_signed_rank(&[1.0, 0.0], &[0.0, 1.0]).unwrap();
        assert_eq!((r.statistic, r.p_value), (1.5, 1.0));
    }

    #[test]
    fn wilcoxon_edge_cases() {
        assert_eq!(wilcoxon_signed_rank(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(wilcoxon_signed_rank(&[], &[]), None);
        assert_eq!(wilcoxon_signed_rank(&[f64::NAN], &[1.0]), None);
        // all differences zero -> p = 1, n = 0
        let r = wilcoxon_signed_rank(&[1.0, 2.0], &[1.0, 2.0]).unwrap();
        assert_eq!((r.statistic, r.p_value, r.n), (0.0, 1.0, 0));
    }

    // ---- property tests ----

    fn in_unit(x: f64) -> bool {
        (0.0..=1.0).contains(&x)
    }

    #[test]
    fn property_relevance_metrics_bounded() {
        let mut rng = Rng::new(1);
        for _ in 0..500 {
            let n = 1 + rng.below(30);
            let len = rng.below(n + 1);
            let ranked = rng.permutation_prefix(n, len);
            let p = rng.unit() * 0.5;
            let relevant = rng.subset(n, p);
            let k = rng.below(n + 5);
            for value in [
                precision_at_k(&ranked, &relevant, k),
                recall_at_k(&ranked, &relevant, k),
                ndcg_at_k(&ranked, &relevant, k),
                hit_rate_at_k(&ranked, &relevant, k),
                mrr_at_k(&ranked, &relevant, k),
                map_at_k(&ranked, &relevant, k),
            ] {
                assert!(in_unit(value), "{value} for {ranked:?} {relevant:?} k={k}");
            }
            // hit rate is 1 exactly when precision > 0
            assert_eq!(
                hit_rate_at_k(&ranked, &relevant, k) == 1.0,
                precision_at_k(&ranked, &relevant, k) > 0.0
            );
        }
    }

    #[test]
    fn property_perfect_list_scores_one() {
        let mut rng = Rng::new(2);
        for _ in 0..500 {
            let n = 1 + rng.below(30);
            let p = rng.unit();
            let relevant = rng.subset(n, p);
            if relevant.is_empty() {
                continue;
            }
            // all positives first (shuffled), then the other items
            let mut ranked = relevant.clone();
            for i in (1..ranked.len()).rev() {
                ranked.swap(i, rng.below(i + 1));
            }
            ranked.extend((0..n as u32).filter(|i| relevant.binary_search(i).is_err()));
            let k = 1 + rng.below(n + 5);
            assert_close!(ndcg_at_k(&ranked, &relevant, k), 1.0, 1e-12);
            assert_close!(map_at_k(&ranked, &relevant, k), 1.0, 1e-12);
            assert_eq!(hit_rate_at_k(&ranked, &relevant, k), 1.0);
            assert_eq!(mrr_at_k(&ranked, &relevant, k), 1.0);
            let expected_recall = relevant.len().min(k) as f64 / relevant.len() as f64;
            assert_close!(recall_at_k(&ranked, &relevant, k), expected_recall);
        }
    }

    #[test]
    fn property_beyond_accuracy_bounded_and_coverage_monotone() {
        let mut rng = Rng::new(5);
        for _ in 0..300 {
            let n_items = rng.below(25);
            let n_users = rng.below(8);
            let lists: Vec<Vec<u32>> = (0..n_users)
                .map(|_| {
                    let len = rng.below(n_items + 1);
                    rng.permutation_prefix(n_items, len)
                })
                .collect();
            let mut previous = 0.0;
            for k in 0..n_items + 3 {
                let coverage = coverage_at_k(&lists, n_items, k);
                assert!(in_unit(coverage));
                assert!(coverage >= previous, "coverage decreased at k={k}");
                previous = coverage;
                let gini = gini_at_k(&lists, n_items, k);
                let max_gini = if n_items == 0 {
                    0.0
                } else {
                    (n_items - 1) as f64 / n_items as f64
                };
                assert!((0.0..=max_gini + 1e-12).contains(&gini), "gini {gini}");
                assert!(in_unit(exposure_entropy_at_k(&lists, n_items, k)));
                let total: u64 = exposure_counts(&lists, n_items, k).iter().sum();
                let expected: usize = lists.iter().map(|l| l.len().min(k)).sum();
                assert_eq!(total, expected as u64);
            }
        }
    }

    #[test]
    fn property_per_list_metrics_bounded() {
        let mut rng = Rng::new(9);
        for _ in 0..300 {
            let n = 1 + rng.below(20);
            let per_item: Vec<Vec<u32>> = (0..n)
                .map(|_| (0..rng.below(4)).map(|_| rng.below(5) as u32).collect())
                .collect();
            let cats = ItemCategories::new(per_item);
            let len = rng.below(n + 1);
            let ranked = rng.permutation_prefix(n, len);
            let k = rng.below(n + 3);
            if let Some(ild) = ild_at_k(&ranked, &cats, k) {
                assert!(in_unit(ild), "ild {ild}");
            } else {
                assert!(ranked.len().min(k) < 2);
            }
            let a = rng.below(n) as u32;
            let b = rng.below(n) as u32;
            let cos = cats.cosine(a, b);
            assert!(in_unit(cos));
            assert_eq!(cos, cats.cosine(b, a));
            let counts: Vec<u64> = (0..n).map(|_| rng.next_u64() % 10).collect();
            if let Some(novelty) = novelty_at_k(&ranked, &counts, k) {
                assert!(novelty >= 0.0 && novelty.is_finite());
            }
            let is_head = head_items(&counts, rng.unit());
            if let Some(share) = long_tail_share_at_k(&ranked, &is_head, k) {
                assert!(in_unit(share));
            }
        }
    }

    #[test]
    fn property_head_items_count_and_order() {
        let mut rng = Rng::new(13);
        for _ in 0..300 {
            let n = rng.below(40);
            let counts: Vec<u64> = (0..n).map(|_| rng.next_u64() % 5).collect();
            let fraction = rng.unit();
            let head = head_items(&counts, fraction);
            let n_head = head.iter().filter(|&&h| h).count();
            assert_eq!(n_head, ((fraction * n as f64).ceil() as usize).min(n));
            // every head item is at least as popular as every tail item,
            // and among equal counts a head item has the lower id
            for (i, &hi) in head.iter().enumerate() {
                for (j, &hj) in head.iter().enumerate() {
                    if hi && !hj {
                        assert!(counts[i] > counts[j] || (counts[i] == counts[j] && i < j));
                    }
                }
            }
        }
    }

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
            let t = paired_t_test(&a, &b).unwrap();
            assert!(in_unit(t.p_value));
            let t_swapped = paired_t_test(&b, &a).unwrap();
            assert_close!(t.p_value, t_swapped.p_value, 1e-14);
            assert_eq!(t.statistic, -t_swapped.statistic);
            let ci = mean_ci95(&a).unwrap();
            assert!(ci.lo <= ci.mean && ci.mean <= ci.hi);
        }
    }
}

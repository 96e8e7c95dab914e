//! Relevance metrics of one user's top-K list with binary relevance
//! (precision, recall, NDCG, hit rate, MRR and MAP at K) and the
//! full-ranking AUC over every catalogue item.

use std::cmp::Ordering;

use super::util::{count_f64, has_no_duplicates, is_strictly_ascending, top_k, wide_f64};

// ---------------------------------------------------------------------------
// Relevance metrics (binary relevance, one user)
// ---------------------------------------------------------------------------

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

simd_dispatch! {
    /// `2 · #{s < p} + #{s == p}` over `scores`: one branch-free pass, which the compiler
    /// vectorises (u32 lanes, flushed before they could overflow), on AVX-512 or AVX2 where
    /// the CPU has them. Integer counts: the same result on every path. A plain loop, no
    /// iterator adapter: an adapter's `fold` is a function of its own, compiled for the
    /// baseline CPU whatever calls it.
    fn twice_below(scores: &[f32], p: f32) -> u64 {
        let mut total = 0u64;
        // Each item adds at most 2: flushed every 2³⁰ items, before the u32 could wrap.
        for part in scores.chunks(1 << 30) {
            let mut twice = 0u32;
            for &s in part {
                twice += 2 * u32::from(s < p) + u32::from(s == p);
            }
            total += u64::from(twice);
        }
        total
    }
}

/// [`auc_from_scores`] when no score is NaN: for each positive score `p`, the items below
/// and equal to it over the whole row, less the non-negatives (the positives and excluded
/// items, each once) below and equal to it.
fn auc_without_nan(
    scores: &[f32],
    positive_scores: &[f32],
    positives: &[u32],
    excluded: &[u32],
) -> Option<f64> {
    let n = scores.len();
    // The ids that are not negatives: positives and excluded items, each once. Both lists
    // are ascending, so a merge; their scores sorted, so that each positive takes them
    // away by two binary searches instead of a pass.
    let (positives, excluded) = (in_range(positives, n), in_range(excluded, n));
    let mut skip_scores: Vec<f32> = Vec::with_capacity(positives.len() + excluded.len());
    let (mut a, mut b) = (0, 0);
    while a < positives.len() || b < excluded.len() {
        let id = match (positives.get(a), excluded.get(b)) {
            (Some(&x), Some(&y)) if x == y => {
                a += 1;
                b += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                a += 1;
                x
            }
            (Some(&x), None) => {
                a += 1;
                x
            }
            (_, Some(&y)) => {
                b += 1;
                y
            }
            (None, None) => unreachable!("the loop stops when both lists are read"),
        };
        skip_scores.push(scores[id as usize]);
    }
    let n_neg = (n - skip_scores.len()) as u128;
    if n_neg == 0 {
        return None;
    }
    // The −∞ among them (excluded items, as the evaluator marks them) are below every finite
    // positive and equal to a −∞ one: counted, not sorted. No NaN here: `total_cmp` orders
    // the rest as `<` does, but for −0 before +0, which the counts below read as equal
    // (`partition_point` with `<` and `<=`).
    let mut finite = skip_scores;
    finite.retain(|&s| s > f32::NEG_INFINITY);
    let minus_infinity = (n - n_neg as usize - finite.len()) as u64;
    finite.sort_unstable_by(f32::total_cmp);
    let mut twice_u: u128 = 0;
    for &p in positive_scores {
        let (below_inf, equal_inf) = if p > f32::NEG_INFINITY {
            (minus_infinity, 0)
        } else {
            (0, minus_infinity)
        };
        let below = below_inf + finite.partition_point(|&s| s < p) as u64;
        let not_above = below_inf + equal_inf + finite.partition_point(|&s| s <= p) as u64;
        let twice_skipped = 2 * below + (not_above - below);
        twice_u += u128::from(twice_below(scores, p) - twice_skipped);
    }
    let n_pos = positive_scores.len() as u128;
    Some(wide_f64(twice_u) / wide_f64(2 * n_pos * n_neg))
}

/// The leading ids of an ascending list that are below `n`.
fn in_range(ids: &[u32], n: usize) -> &[u32] {
    &ids[..ids.partition_point(|&i| (i as usize) < n)]
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
/// Computed without sorting the catalogue, in exact integer arithmetic: `2U` (the
/// Mann-Whitney U statistic with ties counted one half) is `Σ_pos 2 · #{neg < pos} +
/// #{neg == pos}`. Without NaN scores each positive counts the whole row below and equal to it
/// in one branch-free pass (a long loop the compiler vectorises), then takes away the
/// non-negatives (positives and excluded items) counted with it. With NaN, each negative is
/// placed among the positives' scores sorted NaN-lowest by two binary searches, reading the
/// negatives as runs of ids between the positives and the excluded items.
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
    let n = scores.len();
    let mut positive_scores: Vec<f32> = positives
        .iter()
        .filter(|&&i| (i as usize) < n)
        .map(|&i| scores[i as usize])
        .collect();
    if positive_scores.is_empty() {
        return None;
    }
    let n_pos = positive_scores.len() as u128;
    // Without an early exit: a branch-free pass that vectorises.
    let mut nan = 0u32;
    for &s in scores {
        nan |= u32::from(s.is_nan());
    }
    let nan = nan != 0;
    if !nan {
        return auc_without_nan(scores, &positive_scores, positives, excluded);
    }
    positive_scores.sort_unstable_by(|a, b| cmp_nan_lowest(*a, *b));
    // 2 · #{pos > v} + #{pos == v} for one negative score v.
    let twice_u_of = |v: f32| -> u128 {
        let below = positive_scores.partition_point(|&p| cmp_nan_lowest(p, v) == Ordering::Less);
        let not_above =
            positive_scores.partition_point(|&p| cmp_nan_lowest(p, v) != Ordering::Greater);
        // `usize as u128` is lossless.
        2 * (n_pos - not_above as u128) + (not_above - below) as u128
    };
    // The ids that are not negatives, merged: positives and excluded items.
    let mut skip: Vec<usize> = positives
        .iter()
        .chain(excluded)
        .map(|&i| i as usize)
        .filter(|&i| i < n)
        .collect();
    skip.sort_unstable();
    skip.dedup();
    let mut twice_u: u128 = 0;
    let mut n_neg: u128 = 0;
    let mut from = 0;
    for end in skip.into_iter().chain(std::iter::once(n)) {
        for &v in &scores[from..end] {
            twice_u += twice_u_of(v);
        }
        n_neg += (end - from) as u128;
        from = end + 1;
    }
    if n_neg == 0 {
        return None;
    }
    Some(wide_f64(twice_u) / wide_f64(2 * n_pos * n_neg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::test_support::*;

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
        // −∞ (as the evaluator marks excluded items) and −0 besides ties; NaN last.
        let levels = [0.0f32, 0.25, 0.5, 1.0, f32::NEG_INFINITY, -0.0, f32::NAN];
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
            // Every other case, ids in both lists (they count as positives).
            let excluded: Vec<u32> = rng
                .subset(n, 0.2)
                .into_iter()
                .filter(|i| case % 2 == 1 || !positives.contains(i))
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

    // ---- property tests ----

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
}

//! Catalogue-level beyond-accuracy metrics over all users' top-K lists
//! together: exposure counts, catalogue coverage, Gini coefficient and
//! normalised entropy of exposure.

use super::util::{count_f64, count64_f64, item_index, top_k, wide_f64, wide_signed_f64};

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

/// Share of the cold items (`train_counts[i] == 0`) in at least one of `lists`' first `k`
/// items; `None` when no item is cold.
pub fn cold_coverage_at_k(lists: &[Vec<u32>], train_counts: &[u64], k: usize) -> Option<f64> {
    let cold = train_counts.iter().filter(|&&c| c == 0).count();
    if cold == 0 {
        return None;
    }
    let covered = exposure_counts(lists, train_counts.len(), k)
        .iter()
        .zip(train_counts)
        .filter(|&(&e, &c)| e > 0 && c == 0)
        .count();
    Some(count_f64(covered) / count_f64(cold))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cold_coverage_counts_only_the_cold_items_by_hand() {
        // Five items; items 1 and 4 are cold. Top-2 lists: [1, 0], [2, 3]; top-1: [1], [2].
        let counts = [3, 0, 1, 2, 0];
        let lists = vec![vec![1, 0], vec![2, 3]];
        assert_eq!(cold_coverage_at_k(&lists, &counts, 2), Some(0.5)); // item 1 of {1, 4}
        assert_eq!(cold_coverage_at_k(&lists, &counts, 1), Some(0.5));
        let warm_only = vec![vec![0, 2], vec![3, 2]];
        assert_eq!(cold_coverage_at_k(&warm_only, &counts, 2), Some(0.0));
        assert_eq!(
            cold_coverage_at_k(&lists, &[1, 1, 1, 1, 1], 2),
            None,
            "no cold item"
        );
    }
    use crate::metrics::test_support::*;

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

    // ---- property tests ----

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
}

//! Per-list beyond-accuracy metrics of one user's top-K list: intra-list
//! diversity over item categories ([`ItemCategories`]), novelty
//! ([`ItemPopularity`]), long-tail share, and the head/long-tail split of
//! the catalogue ([`head_items`]).

use std::cmp::Ordering;

use super::util::{count_f64, count64_f64, item_index, top_k, wide_f64};

// ---------------------------------------------------------------------------
// Per-list diversity, novelty and long tail
// ---------------------------------------------------------------------------

/// Category sets of the catalogue items, used as binary multi-hot vectors
/// for intra-list diversity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemCategories {
    /// Item `i`'s categories are `flat[offsets[i]..offsets[i + 1]]`: one contiguous array
    /// (the metrics read a list's items' categories, and a training profile's, per user).
    offsets: Vec<usize>,
    flat: Vec<u32>,
    /// Distinct category ids over all items.
    n_categories: usize,
    /// One past the largest category id (0 without categories).
    id_bound: usize,
}

impl ItemCategories {
    /// Builds the table from one category list per item (index = item id);
    /// each list is sorted and deduplicated here, and the distinct category
    /// ids are counted once.
    pub fn new(mut per_item: Vec<Vec<u32>>) -> Self {
        for categories in &mut per_item {
            categories.sort_unstable();
            categories.dedup();
        }
        let mut ids: Vec<u32> = per_item.iter().flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let id_bound = ids
            .last()
            .and_then(|&c| usize::try_from(c).ok())
            .map_or(0, |c| c + 1);
        let mut offsets = Vec::with_capacity(per_item.len() + 1);
        offsets.push(0);
        for categories in &per_item {
            offsets.push(offsets.last().copied().unwrap_or(0) + categories.len());
        }
        Self {
            offsets,
            flat: per_item.into_iter().flatten().collect(),
            n_categories: ids.len(),
            id_bound,
        }
    }

    /// Number of items the table describes.
    pub fn n_items(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of distinct category ids over all items: the categories of the
    /// catalogue (the denominator of category coverage). 0 when no item has
    /// a category.
    pub fn n_categories(&self) -> usize {
        self.n_categories
    }

    /// One past the largest category id, 0 when no item has a category: the
    /// length of a vector indexed by category id. Equal to
    /// [`n_categories`](Self::n_categories) when the ids are dense
    /// (`0..n`, as the data loaders make them).
    pub fn id_bound(&self) -> usize {
        self.id_bound
    }

    /// Sorted category ids of `item`; empty for an item without categories
    /// and for an id outside the table.
    pub fn of(&self, item: u32) -> &[u32] {
        item_index(item)
            .and_then(|i| Some(&self.flat[*self.offsets.get(i)?..*self.offsets.get(i + 1)?]))
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
    // With v_i item i's multi-hot categories scaled to unit length (0 without categories),
    // cos(a, b) = v_a · v_b, so the sum over pairs is (‖Σ v_i‖² − Σ ‖v_i‖²) / 2: one pass
    // over the K items' categories instead of K² / 2 intersections. Σ v_i is kept as
    // (category, weight) entries, summed per category after a sort.
    let mut entries: Vec<(u32, f64)> = Vec::with_capacity(2 * top.len());
    let mut diagonal = 0.0;
    for &item in top {
        let cats = categories.of(item);
        if cats.is_empty() {
            continue;
        }
        let w = 1.0 / count_f64(cats.len()).sqrt();
        entries.extend(cats.iter().map(|&c| (c, w)));
        diagonal += count_f64(cats.len()) * w * w;
    }
    entries.sort_unstable_by_key(|&(c, _)| c);
    let norm_squared: f64 = entries
        .chunk_by(|a, b| a.0 == b.0)
        .map(|same| {
            let s: f64 = same.iter().map(|&(_, w)| w).sum();
            s * s
        })
        .sum();
    let pairs = count_f64(top.len() * (top.len() - 1) / 2);
    // Each cosine is in [0, 1]; only rounding could take the sum outside [0, pairs].
    let similarity = ((norm_squared - diagonal) / 2.0).clamp(0.0, pairs);
    Some(1.0 - similarity / pairs)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::test_support::*;

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
        // categories {1, 2, 3}: three distinct ids, the largest 3
        assert_eq!(cats.n_categories(), 3);
        assert_eq!(cats.id_bound(), 4);
        assert_eq!(ItemCategories::default().n_categories(), 0);
        assert_eq!(ItemCategories::new(vec![vec![], vec![]]).id_bound(), 0);
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
    fn ild_matches_the_mean_over_pairs_of_one_minus_the_cosine() {
        // Items with 0–3 of 6 categories, lists of every length up to 12, against the
        // definition summed pair by pair.
        let mut state = 11u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % m
        };
        let per_item: Vec<Vec<u32>> = (0..40)
            .map(|_| (0..next(4)).map(|_| next(6) as u32).collect())
            .collect();
        let cats = ItemCategories::new(per_item);
        for len in 0..=12usize {
            let list: Vec<u32> = (0..len).map(|_| next(40) as u32).collect();
            let mut list = list;
            list.dedup();
            for k in [1, 2, 5, 12] {
                let top = &list[..k.min(list.len())];
                let mut sum = 0.0;
                let mut pairs = 0usize;
                for (i, &a) in top.iter().enumerate() {
                    for &b in &top[i + 1..] {
                        sum += 1.0 - cats.cosine(a, b);
                        pairs += 1;
                    }
                }
                let expected = (pairs > 0).then(|| sum / pairs as f64);
                let got = ild_at_k(&list, &cats, k);
                match (got, expected) {
                    (Some(g), Some(e)) => {
                        assert!((g - e).abs() < 1e-12, "{list:?} k {k}: {g} vs {e}")
                    }
                    (g, e) => assert_eq!(g, e, "{list:?} k {k}"),
                }
            }
        }
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

    // ---- property tests ----

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
}

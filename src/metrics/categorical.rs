//! Category-aware diversity and calibration of one user's top-K list, with
//! the item categories of [`ItemCategories`] as the aspects: α-NDCG
//! (Clarke et al., SIGIR 2008; [`alpha_ndcg_at_k`], [`AlphaNdcg`]),
//! miscalibration (Steck, RecSys 2018; [`miscalibration_at_k`], with the
//! category profile [`category_profile`]) and category coverage
//! ([`category_coverage_at_k`]).

use super::beyond::ItemCategories;
use super::util::{count_f64, top_k};

/// α of α-NDCG: the share of an aspect's gain lost each time a relevant item
/// covering it has already been ranked (`gain = (1 - α)^n_c`). 0.5, the value
/// of Clarke et al. (2008) and of the TREC diversity tasks.
pub const ALPHA_NDCG_ALPHA: f64 = 0.5;

/// β of Steck's miscalibration: the recommended distribution `q` is smoothed
/// towards the profile `p` as `q̃ = (1 - β) q + β p` so that the KL divergence
/// stays finite when the list misses a category of the profile. 0.01, as in
/// Steck (2018).
pub const CALIBRATION_SMOOTHING: f64 = 0.01;

/// The α-DCG gain of the relevant items of `items`, in order: for each
/// relevant item `Σ_{c ∈ C(i)} (1 - α)^{n_c}`, `n_c` = relevant items earlier
/// in `items` that cover `c`. Non-relevant items gain 0 and leave `n_c` as it
/// is; `relevant` is sorted ascending.
fn gains<'i>(
    items: &'i [u32],
    relevant: &'i [u32],
    categories: &'i ItemCategories,
) -> impl Iterator<Item = f64> + 'i {
    // factor[c] = (1 - α)^{n_c}, kept as a running product (no powers, no casts), indexed
    // by category id.
    let mut factor: Vec<f64> = vec![1.0; categories.id_bound()];
    items.iter().map(move |&item| {
        if relevant.binary_search(&item).is_err() {
            return 0.0;
        }
        let mut gain = 0.0;
        for &c in categories.of(item) {
            let f = &mut factor[c as usize];
            gain += *f;
            *f *= 1.0 - ALPHA_NDCG_ALPHA;
        }
        gain
    })
}

/// The rank discount `1 / log2(r + 1)` of the 0-based position `pos` (rank `r = pos + 1`).
fn discount(pos: usize) -> f64 {
    1.0 / (count_f64(pos) + 2.0).log2()
}

/// α-DCG@K: `Σ_{r ≤ K} gain_r / log2(r + 1)` with
/// `gain_r = Σ_{c ∈ C(i_r)} rel(i_r) (1 - α)^{n_c(r)}`, `rel(i) = 1` if `i`
/// is in `relevant` (sorted ascending) else 0, `n_c(r)` = relevant items
/// ranked above `r` that cover category `c`, and α = [`ALPHA_NDCG_ALPHA`].
///
/// Items without categories (and ids outside the table) gain 0. 0 for
/// `K = 0`, an empty list or no relevant item in the top K.
pub fn alpha_dcg_at_k(
    ranked: &[u32],
    relevant: &[u32],
    categories: &ItemCategories,
    k: usize,
) -> f64 {
    gains(top_k(ranked, k), relevant, categories)
        .enumerate()
        .map(|(pos, gain)| gain * discount(pos))
        .sum()
}

/// The greedy approximation of the ideal ordering of `relevant` for α-DCG,
/// at most `depth` items long: at each position the remaining relevant item
/// with the largest gain given those already placed, ties to the lower id.
fn greedy_ideal_order(relevant: &[u32], categories: &ItemCategories, depth: usize) -> Vec<u32> {
    greedy_ideal(relevant, categories, depth).0
}

/// [`greedy_ideal_order`], with each placed item's gain (as [`gains`] gives it for that
/// order: the same sums of the same factors).
fn greedy_ideal(
    relevant: &[u32],
    categories: &ItemCategories,
    depth: usize,
) -> (Vec<u32>, Vec<f64>) {
    // factor[c] = (1 - α)^{n_c}, n_c = placed items covering c, as in `gains`.
    let mut factor: Vec<f64> = vec![1.0; categories.id_bound()];
    let mut remaining: Vec<(u32, &[u32])> = relevant
        .iter()
        .map(|&item| (item, categories.of(item)))
        .collect();
    let length = depth.min(relevant.len());
    let (mut order, mut placed_gains) = (Vec::with_capacity(length), Vec::with_capacity(length));
    while order.len() < depth && !remaining.is_empty() {
        // `remaining` stays ascending, and only a strictly larger gain replaces the best so
        // far: ties go to the lower id.
        let mut best = 0;
        let mut best_gain = f64::NEG_INFINITY;
        for (at, &(_, cats)) in remaining.iter().enumerate() {
            let mut gain = 0.0;
            for &c in cats {
                gain += factor[c as usize];
            }
            if gain > best_gain {
                best = at;
                best_gain = gain;
            }
        }
        let (item, cats) = remaining.remove(best);
        for &c in cats {
            factor[c as usize] *= 1.0 - ALPHA_NDCG_ALPHA;
        }
        order.push(item);
        placed_gains.push(best_gain);
    }
    (order, placed_gains)
}

/// α-NDCG@K of one user with its ideal α-DCG computed once for every cut-off
/// up to a depth, so that many cut-offs cost one greedy ideal ordering.
///
/// `α-NDCG@K = α-DCG@K / ideal α-DCG@K` (see [`alpha_dcg_at_k`]). The ideal is
/// the α-DCG@K of the standard greedy approximation of the ideal ranking of
/// the user's positives: at each position the remaining positive with the
/// largest gain given those already placed, ties to the lower item id.
/// Greedy is prefix-consistent, so one ordering serves every K.
///
/// Finding the true ideal is NP-hard, and greedy can miss it (for items with
/// more than one category), so a ranking can beat the greedy ideal and
/// α-NDCG can exceed 1; with at most one category per item greedy is exact
/// and α-NDCG lies in [0, 1].
#[derive(Debug, Clone)]
pub struct AlphaNdcg<'a> {
    relevant: &'a [u32],
    categories: &'a ItemCategories,
    /// `ideal[j]` = ideal α-DCG at cut-off `j + 1`, for `j < min(depth, |relevant|)`.
    ideal: Vec<f64>,
}

impl<'a> AlphaNdcg<'a> {
    /// Computes the greedy ideal α-DCG at every cut-off `1..=depth` for the
    /// held-out positives `relevant` (sorted ascending).
    pub fn new(relevant: &'a [u32], categories: &'a ItemCategories, depth: usize) -> Self {
        let (_, placed_gains) = greedy_ideal(relevant, categories, depth);
        let ideal = placed_gains
            .into_iter()
            .enumerate()
            .scan(0.0, |sum, (pos, gain)| {
                *sum += gain * discount(pos);
                Some(*sum)
            })
            .collect();
        Self {
            relevant,
            categories,
            ideal,
        }
    }

    /// The ideal α-DCG@K; a cut-off beyond the precomputed depth computes its
    /// greedy ordering afresh.
    fn ideal_at(&self, k: usize) -> f64 {
        if k == 0 {
            return 0.0;
        }
        match self.ideal.get(k - 1) {
            Some(&v) => v,
            // Every positive already placed: the ideal stops growing.
            None if self.ideal.len() == self.relevant.len() => {
                self.ideal.last().copied().unwrap_or(0.0)
            }
            None => {
                let order = greedy_ideal_order(self.relevant, self.categories, k);
                alpha_dcg_at_k(&order, self.relevant, self.categories, k)
            }
        }
    }

    /// α-NDCG@K of `ranked`. `None` when the ideal α-DCG@K is 0: `K = 0`, no
    /// positives, or no positive with a category (nothing to normalise by).
    pub fn at_k(&self, ranked: &[u32], k: usize) -> Option<f64> {
        let ideal = self.ideal_at(k);
        if ideal <= 0.0 {
            return None;
        }
        Some(alpha_dcg_at_k(ranked, self.relevant, self.categories, k) / ideal)
    }
}

/// α-NDCG@K (Clarke et al., SIGIR 2008) with item categories as aspects and
/// α = [`ALPHA_NDCG_ALPHA`]: [`alpha_dcg_at_k`] over the α-DCG@K of the greedy
/// ideal ranking of `relevant` (sorted ascending). See [`AlphaNdcg`] for the
/// ideal, why the value can exceed 1, and the `None` cases. For many
/// cut-offs of one user build an [`AlphaNdcg`] once.
pub fn alpha_ndcg_at_k(
    ranked: &[u32],
    relevant: &[u32],
    categories: &ItemCategories,
    k: usize,
) -> Option<f64> {
    AlphaNdcg::new(relevant, categories, k).at_k(ranked, k)
}

/// The category distribution of `items` (Steck's `p(c|u)` for a user's
/// training items, `q(c|u)` for a list):
/// `p_c = Σ_{i ∈ items} p(c|i) / |{i ∈ items : C(i) ≠ ∅}|` with
/// `p(c|i) = 1 / |C(i)|` for each category `c` of `i`.
///
/// The vector is indexed by category id and has length `n_categories`;
/// only ids below `n_categories` count as categories (pass
/// [`ItemCategories::id_bound`] to count them all). Items without categories
/// are left out of both sums. The result sums to 1. `None` when no item has
/// a category.
pub fn category_profile(
    items: &[u32],
    categories: &ItemCategories,
    n_categories: usize,
) -> Option<Vec<f64>> {
    let mut profile = vec![0.0; n_categories];
    let mut categorised = 0usize;
    let counted = |c: u32| usize::try_from(c).ok().filter(|&c| c < n_categories);
    for &item in items {
        let cats = categories.of(item);
        // Counted first, then added: no list built per item.
        let n = cats.iter().filter(|&&c| counted(c).is_some()).count();
        if n == 0 {
            continue;
        }
        let share = 1.0 / count_f64(n);
        for c in cats.iter().filter_map(|&c| counted(c)) {
            profile[c] += share;
        }
        categorised += 1;
    }
    if categorised == 0 {
        return None;
    }
    let n = count_f64(categorised);
    for p in &mut profile {
        *p /= n;
    }
    Some(profile)
}

/// Miscalibration@K (Steck, RecSys 2018), in nats:
/// `KL(p ‖ q̃) = Σ_{c : p_c > 0} p_c ln(p_c / q̃_c)` with
/// `q̃ = (1 - β) q + β p`, β = [`CALIBRATION_SMOOTHING`].
///
/// `profile` is the user's `p(c|u)` from [`category_profile`] over the
/// training items; `q` is the same distribution over the top K
/// ([`category_profile`] of the list with `n_categories = profile.len()`),
/// and all zeros when no item of the top K has a category (an empty list
/// included): then `q̃ = β p` and the value is its maximum, `ln(1/β)`
/// (`ln 100 ≈ 4.605`). The value lies in `[0, ln(1/β)]`; 0 when the list's
/// distribution equals the profile. Lower is better. `None` when `profile`
/// has no positive entry (no categorised training item).
pub fn miscalibration_at_k(
    ranked: &[u32],
    profile: &[f64],
    categories: &ItemCategories,
    k: usize,
) -> Option<f64> {
    if !profile.iter().any(|&p| p > 0.0) {
        return None;
    }
    let q = category_profile(top_k(ranked, k), categories, profile.len())
        .unwrap_or_else(|| vec![0.0; profile.len()]);
    let beta = CALIBRATION_SMOOTHING;
    let kl: f64 = profile
        .iter()
        .zip(&q)
        .filter(|&(&p, _)| p > 0.0)
        .map(|(&p, &q)| {
            // (1 - β) q + β p written as p + (1 - β)(q - p): the same value, and exactly p
            // when q = p, so a list calibrated to the profile gives exactly 0.
            let smoothed = p + (1.0 - beta) * (q - p);
            p * (p / smoothed).ln()
        })
        .sum();
    // KL against a distribution (or, for q = 0, less than one) is non-negative; only
    // rounding could take the sum below 0.
    Some(kl.max(0.0))
}

/// Category coverage@K: the number of distinct categories of the top-K
/// items over the number of categories in the catalogue
/// ([`ItemCategories::n_categories`]), in [0, 1]. Items without categories
/// add none; 0 for an empty list or `K = 0`. `None` when the catalogue has
/// no categories.
pub fn category_coverage_at_k(
    ranked: &[u32],
    categories: &ItemCategories,
    k: usize,
) -> Option<f64> {
    let n = categories.n_categories();
    if n == 0 {
        return None;
    }
    let mut seen: Vec<u32> = top_k(ranked, k)
        .iter()
        .flat_map(|&item| categories.of(item).iter().copied())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    Some(count_f64(seen.len()) / count_f64(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::test_support::*;

    /// log2(3), log2(5): the discounts of ranks 2 and 4 are 1/LOG2_3 and 1/LOG2_5.
    const LOG2_3: f64 = 1.584_962_500_721_156;
    const LOG2_5: f64 = 2.321_928_094_887_362;

    /// Two categories, A = 0 and B = 1.
    /// item 0: {A}; 1: {A}; 2: {B}; 3: {A, B}; 4: {}; 5: {B}
    fn two_categories() -> ItemCategories {
        ItemCategories::new(vec![vec![0], vec![0], vec![1], vec![0, 1], vec![], vec![1]])
    }

    // ---- α-NDCG ----

    #[test]
    fn alpha_dcg_by_hand() {
        let cats = two_categories();
        let relevant = [0, 1, 2, 3];
        // ranked [0, 1, 2, 3], α = 0.5:
        //   r1 item 0 {A}:   A unseen            -> 1        / log2 2 = 1
        //   r2 item 1 {A}:   A seen once         -> 0.5      / log2 3
        //   r3 item 2 {B}:   B unseen            -> 1        / log2 4 = 0.5
        //   r4 item 3 {A,B}: A twice, B once     -> 0.25+0.5 / log2 5
        let dcg = 1.0 + 0.5 / LOG2_3 + 0.5 + 0.75 / LOG2_5;
        assert_close!(alpha_dcg_at_k(&[0, 1, 2, 3], &relevant, &cats, 4), dcg);
        // K = 2: 1 + 0.5 / log2 3
        assert_close!(
            alpha_dcg_at_k(&[0, 1, 2, 3], &relevant, &cats, 2),
            1.0 + 0.5 / LOG2_3
        );
        // A non-relevant item gains nothing and does not count as covering A:
        // [0, 1] with only item 1 relevant -> r2 item 1 {A}, A unseen -> 1 / log2 3
        assert_close!(alpha_dcg_at_k(&[0, 1], &[1], &cats, 2), 1.0 / LOG2_3);
        assert_eq!(alpha_dcg_at_k(&[], &relevant, &cats, 4), 0.0);
        assert_eq!(alpha_dcg_at_k(&[0, 1], &relevant, &cats, 0), 0.0);
    }

    #[test]
    fn alpha_ndcg_by_hand() {
        let cats = two_categories();
        let relevant = [0, 1, 2, 3];
        // Greedy ideal of {0, 1, 2, 3}:
        //   pos 1: gains 0:1, 1:1, 2:1, 3:2 (A and B unseen) -> item 3, gain 2
        //   pos 2: A, B seen once: 0:0.5, 1:0.5, 2:0.5      -> tie, lowest id 0, gain 0.5
        //   pos 3: A twice, B once: 1:0.25, 2:0.5           -> item 2, gain 0.5
        //   pos 4: item 1 {A}: A seen twice (items 3, 0)      -> gain 0.25
        // ideal@4 = 2 + 0.5/log2 3 + 0.5/2 + 0.25/log2 5
        let ideal4 = 2.0 + 0.5 / LOG2_3 + 0.25 + 0.25 / LOG2_5;
        let dcg4 = 1.0 + 0.5 / LOG2_3 + 0.5 + 0.75 / LOG2_5;
        assert_close!(
            alpha_ndcg_at_k(&[0, 1, 2, 3], &relevant, &cats, 4).unwrap(),
            dcg4 / ideal4
        );
        // numerically: dcg4 = 2.1384722953407738, ideal4 = 2.6731340163040773
        assert_close!(dcg4 / ideal4, 0.799_986_937_541_374_6, 1e-12);
        // The ideal ranking itself scores 1 at every K.
        for k in 1..=6 {
            assert_close!(
                alpha_ndcg_at_k(&[3, 0, 2, 1], &relevant, &cats, k).unwrap(),
                1.0
            );
        }
        // K = 1: [0] gains 1, ideal gains 2 -> 0.5
        assert_close!(
            alpha_ndcg_at_k(&[0, 1, 2, 3], &relevant, &cats, 1).unwrap(),
            0.5
        );
        // K above the list length: only the list's items count; the ideal of K = 10 is the
        // ideal of all four positives -> same as K = 4
        assert_close!(
            alpha_ndcg_at_k(&[0, 1, 2, 3], &relevant, &cats, 10).unwrap(),
            dcg4 / ideal4
        );
        // A positive without categories (item 4) gains nothing: relevant {2, 4},
        // ranked [4, 2] -> dcg 1/log2 3, ideal 1 (item 2 first)
        assert_close!(
            alpha_ndcg_at_k(&[4, 2], &[2, 4], &cats, 2).unwrap(),
            1.0 / LOG2_3
        );
        // Empty list -> 0 (the ideal is still defined)
        assert_eq!(alpha_ndcg_at_k(&[], &relevant, &cats, 5), Some(0.0));
        // Undefined: positives without categories, no positives, K = 0
        assert_eq!(alpha_ndcg_at_k(&[4, 0], &[4], &cats, 2), None);
        assert_eq!(alpha_ndcg_at_k(&[0], &[99], &cats, 2), None);
        assert_eq!(alpha_ndcg_at_k(&[0], &[], &cats, 2), None);
        assert_eq!(alpha_ndcg_at_k(&[0], &relevant, &cats, 0), None);
        assert_eq!(
            alpha_ndcg_at_k(&[0], &[0], &ItemCategories::default(), 1),
            None
        );
    }

    #[test]
    fn greedy_ideal_can_be_beaten_so_alpha_ndcg_can_exceed_one() {
        // item 0: {1,3}; item 1: {2,3}; item 2: {0,1}; all relevant.
        // Greedy: every gain is 2 -> item 0; then item 1 (3 seen) and item 2 (1 seen) both
        // gain 1 + 0.5 -> tie, item 1. ideal@2 = 2 + 1.5/log2 3.
        // [2, 1] shares no category: 2 + 2/log2 3, more than the greedy ideal.
        let cats = ItemCategories::new(vec![vec![1, 3], vec![2, 3], vec![0, 1]]);
        let value = alpha_ndcg_at_k(&[2, 1], &[0, 1, 2], &cats, 2).unwrap();
        assert_close!(value, (2.0 + 2.0 / LOG2_3) / (2.0 + 1.5 / LOG2_3));
        assert!(value > 1.1, "{value}");
    }

    #[test]
    fn precomputed_ideal_matches_at_every_cut_off() {
        let mut rng = Rng::new(21);
        for _ in 0..200 {
            let n = 1 + rng.below(15);
            let cats = random_categories(&mut rng, n, 4);
            let relevant = rng.subset(n, 0.4);
            let len = rng.below(n + 1);
            let ranked = rng.permutation_prefix(n, len);
            let depth = rng.below(8);
            let shared = AlphaNdcg::new(&relevant, &cats, depth);
            for k in 0..n + 3 {
                assert_eq!(
                    shared.at_k(&ranked, k),
                    alpha_ndcg_at_k(&ranked, &relevant, &cats, k),
                    "depth {depth}, k {k}"
                );
            }
        }
    }

    // ---- category profile and miscalibration ----

    #[test]
    fn category_profile_by_hand() {
        let cats = two_categories();
        // items 0 {A}, 3 {A,B}, 4 {}: two categorised items;
        // A: 1 + 1/2 = 1.5, B: 1/2 -> divided by 2 -> [0.75, 0.25]
        assert_eq!(
            category_profile(&[0, 3, 4], &cats, 2),
            Some(vec![0.75, 0.25])
        );
        // A longer vector: the extra ids get 0
        assert_eq!(category_profile(&[2], &cats, 3), Some(vec![0.0, 1.0, 0.0]));
        // Ids at or above n_categories are not counted: with n = 1 item 3 is {A} only
        assert_eq!(category_profile(&[3, 2], &cats, 1), Some(vec![1.0]));
        assert_eq!(category_profile(&[4, 99], &cats, 2), None);
        assert_eq!(category_profile(&[], &cats, 2), None);
        assert_eq!(category_profile(&[0], &cats, 0), None);
    }

    #[test]
    fn miscalibration_by_hand() {
        let cats = two_categories();
        // Profile p = [0.75, 0.25] (training items 0, 3).
        let p = category_profile(&[0, 3], &cats, 2).unwrap();
        // List [2, 5]: q = [0, 1]; q̃ = 0.99 q + 0.01 p = [0.0075, 0.9925]
        // KL = 0.75 ln(0.75/0.0075) + 0.25 ln(0.25/0.9925)
        //    = 0.75 ln 100 + 0.25 ln(0.25/0.9925)
        let want = 0.75 * 100f64.ln() + 0.25 * (0.25f64 / 0.9925).ln();
        assert_close!(miscalibration_at_k(&[2, 5], &p, &cats, 2).unwrap(), want);
        // = 3.453877639491069 - 0.34469152367477474 = 3.109186115816294
        assert_close!(want, 3.109_186_115_816_294, 1e-12);
        // List [0, 2]: q = [0.5, 0.5]; q̃ = [0.99*0.5 + 0.0075, 0.99*0.5 + 0.0025]
        //            = [0.5025, 0.4975]
        // KL = 0.75 ln(0.75/0.5025) + 0.25 ln(0.25/0.4975)
        let want = 0.75 * (0.75f64 / 0.5025).ln() + 0.25 * (0.25f64 / 0.4975).ln();
        assert_close!(miscalibration_at_k(&[0, 2, 1], &p, &cats, 2).unwrap(), want);
        // K above the list length: the list as it is
        assert_close!(miscalibration_at_k(&[0, 2], &p, &cats, 10).unwrap(), want);
        // No categorised item in the top K, or an empty list: q = 0, q̃ = 0.01 p,
        // KL = Σ p ln(1/0.01) = ln 100
        assert_close!(
            miscalibration_at_k(&[4], &p, &cats, 1).unwrap(),
            100f64.ln()
        );
        assert_close!(miscalibration_at_k(&[], &p, &cats, 3).unwrap(), 100f64.ln());
        assert_close!(
            miscalibration_at_k(&[0, 3], &p, &cats, 0).unwrap(),
            100f64.ln()
        );
        // Undefined without a profile
        assert_eq!(miscalibration_at_k(&[0], &[], &cats, 1), None);
        assert_eq!(miscalibration_at_k(&[0], &[0.0, 0.0], &cats, 1), None);
    }

    #[test]
    fn a_list_calibrated_to_the_profile_scores_exactly_zero() {
        let cats = two_categories();
        // q = p exactly (the same items): q̃ = (1-β) p + β p = p, every term p ln 1 = 0.
        let p = category_profile(&[0, 3], &cats, 2).unwrap();
        assert_eq!(miscalibration_at_k(&[0, 3], &p, &cats, 2), Some(0.0));
        // Other items, the same distribution: items 1 {A} and 3 {A,B} -> [0.75, 0.25] too.
        assert_eq!(miscalibration_at_k(&[3, 1, 2], &p, &cats, 2), Some(0.0));
        // A profile with a category the list misses: the missing mass costs
        // p_c ln(p_c / (β p_c)) = p_c ln 100 at least, here with q = [1, 0] on p = [0.5, 0.5]:
        // q̃ = [0.995, 0.005] -> 0.5 ln(0.5/0.995) + 0.5 ln(0.5/0.005)
        let p = category_profile(&[0, 2], &cats, 2).unwrap();
        assert_close!(
            miscalibration_at_k(&[1], &p, &cats, 1).unwrap(),
            0.5 * (0.5f64 / 0.995).ln() + 0.5 * 100f64.ln()
        );
    }

    // ---- category coverage ----

    #[test]
    fn category_coverage_by_hand() {
        // Three categories in the catalogue (ids 0, 1, 4; 4 stands for a sparse id).
        // item 0: {0}; 1: {0}; 2: {1}; 3: {}; 4: {4, 1}
        let cats = ItemCategories::new(vec![vec![0], vec![0], vec![1], vec![], vec![4, 1]]);
        assert_eq!(cats.n_categories(), 3);
        assert_eq!(cats.id_bound(), 5);
        // [0, 1]: {0} -> 1/3
        assert_close!(
            category_coverage_at_k(&[0, 1, 2], &cats, 2).unwrap(),
            1.0 / 3.0
        );
        // [0, 1, 2]: {0, 1} -> 2/3
        assert_close!(
            category_coverage_at_k(&[0, 1, 2], &cats, 3).unwrap(),
            2.0 / 3.0
        );
        // [3, 4, 0]: {} ∪ {1, 4} ∪ {0} -> 1
        assert_eq!(category_coverage_at_k(&[3, 4, 0], &cats, 3), Some(1.0));
        // K above the list length, unknown ids: [3, 99] -> 0
        assert_eq!(category_coverage_at_k(&[3, 99], &cats, 10), Some(0.0));
        assert_eq!(category_coverage_at_k(&[], &cats, 3), Some(0.0));
        assert_eq!(category_coverage_at_k(&[0], &cats, 0), Some(0.0));
        // No categories in the catalogue -> undefined
        let none = ItemCategories::new(vec![vec![], vec![]]);
        assert_eq!(none.n_categories(), 0);
        assert_eq!(category_coverage_at_k(&[0, 1], &none, 2), None);
        assert_eq!(
            category_coverage_at_k(&[0], &ItemCategories::default(), 1),
            None
        );
    }

    // ---- properties ----

    fn random_categories(rng: &mut Rng, n: usize, max_per_item: usize) -> ItemCategories {
        ItemCategories::new(
            (0..n)
                .map(|_| {
                    (0..rng.below(max_per_item + 1))
                        .map(|_| rng.below(5) as u32)
                        .collect()
                })
                .collect(),
        )
    }

    #[test]
    fn property_alpha_ndcg_bounds_and_the_ideal_scores_one() {
        let mut rng = Rng::new(17);
        for round in 0..400 {
            let n = 1 + rng.below(15);
            // Half the rounds with at most one category per item, where greedy is exact.
            let single = round % 2 == 0;
            let cats = random_categories(&mut rng, n, if single { 1 } else { 3 });
            let relevant = rng.subset(n, 0.4);
            let len = rng.below(n + 1);
            let ranked = rng.permutation_prefix(n, len);
            let k = rng.below(n + 3);
            match alpha_ndcg_at_k(&ranked, &relevant, &cats, k) {
                Some(v) => {
                    assert!(v >= 0.0 && v.is_finite(), "{v}");
                    if single {
                        assert!(v <= 1.0 + 1e-12, "{v}");
                    }
                }
                None => assert!(
                    k == 0 || relevant.iter().all(|&i| cats.of(i).is_empty()),
                    "None with categorised positives at k {k}"
                ),
            }
            // The greedy ideal ordering, followed by the other items, scores 1 at every K.
            let mut ideal = greedy_ideal_order(&relevant, &cats, n);
            ideal.extend((0..n as u32).filter(|i| relevant.binary_search(i).is_err()));
            for k in 1..=n + 1 {
                if let Some(v) = alpha_ndcg_at_k(&ideal, &relevant, &cats, k) {
                    assert_close!(v, 1.0);
                }
            }
        }
    }

    #[test]
    fn property_miscalibration_and_coverage_bounds() {
        let max = (1.0 / CALIBRATION_SMOOTHING).ln();
        let mut rng = Rng::new(29);
        for _ in 0..400 {
            let n = 1 + rng.below(15);
            let cats = random_categories(&mut rng, n, 3);
            let train = rng.subset(n, 0.5);
            let len = rng.below(n + 1);
            let ranked = rng.permutation_prefix(n, len);
            let k = rng.below(n + 3);
            let profile = category_profile(&train, &cats, cats.id_bound());
            if let Some(p) = &profile {
                assert_close!(p.iter().sum::<f64>(), 1.0);
                assert!(p.iter().all(|&x| x >= 0.0));
                let m = miscalibration_at_k(&ranked, p, &cats, k).unwrap();
                assert!((0.0..=max + 1e-12).contains(&m), "{m}");
                // The profile's own items, as a list, are calibrated exactly.
                assert_eq!(miscalibration_at_k(&train, p, &cats, n), Some(0.0));
            } else {
                assert!(train.iter().all(|&i| cats.of(i).is_empty()));
            }
            match category_coverage_at_k(&ranked, &cats, k) {
                Some(c) => assert!(in_unit(c), "{c}"),
                None => assert_eq!(cats.n_categories(), 0),
            }
        }
    }
}

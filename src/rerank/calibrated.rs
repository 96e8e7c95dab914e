//! Calibrated recommendations (Steck, RecSys 2018): the list's category distribution is
//! pulled towards the user's.
//!
//! Greedy maximisation, one item at a time, of
//!
//! ```text
//! (1 − θ)·Σ_{i ∈ S} rel(i) − θ·KL(p ‖ q̃(S))
//! q(c|S)  = Σ_{i∈S} w_i·p(c|i) / Σ_{i∈S} w_i,   w_i = 1,   p(c|i) = 1/|C(i)| for c ∈ C(i)
//! q̃(c|S) = (1 − a)·q(c|S) + a·p(c),            a = 0.01 (Steck's α)
//! KL(p ‖ q̃) = Σ_{c : p(c) > 0} p(c)·log(p(c) / q̃(c))
//! ```
//!
//! `p = profile`; an item without categories has `p(c|i) = 0` for every `c` but still counts
//! in `Σ w_i`. Since `q̃(c) ≥ a·p(c) > 0` wherever `p(c) > 0`, the divergence is finite; an
//! all-zero profile makes it 0 and the list is pure relevance.
//!
//! At each step every open candidate `i` is scored by the objective of `S ∪ {i}`; the term
//! `Σ_{j∈S} rel(j)` is the same for every `i` and is dropped. The divergence of `S ∪ {i}`
//! differs from the per-category terms with `q(c) = mass(c) / (|S| + 1)` only in the
//! categories of `i`, so a step costs O(n_categories + N·|C(i)|).

use super::{
    UserContext, argmax_open, category_index, diversity_weight, input_order, normalised_relevance,
};

/// Steck's mixing weight `a` in `q̃ = (1 − a)·q + a·p`.
const MIX: f64 = 0.01;

/// One category's term of `KL(p ‖ q̃)`: `p·log(p / ((1 − a)·q + a·p))`, 0 when `p ≤ 0`.
fn kl_term(p: f64, q: f64) -> f64 {
    if p > 0.0 {
        p * (p / ((1.0 - MIX) * q + MIX * p)).ln()
    } else {
        0.0
    }
}

/// Calibrated re-ranking of `candidates` (best first) into `min(k, N)` item ids at diversity
/// weight `theta` (θ = 0: the input order; θ = 1: calibration alone, ties by position).
pub fn rerank(theta: f64, candidates: &[(u32, f32)], k: usize, user: &UserContext) -> Vec<u32> {
    let theta = diversity_weight(theta);
    if theta <= 0.0 {
        return input_order(candidates, k);
    }
    let rel = normalised_relevance(candidates);
    let k = k.min(candidates.len());
    let m = user.n_categories;
    let p: Vec<f64> = (0..m)
        .map(|c| user.profile.get(c).copied().unwrap_or(0.0))
        .collect();
    // mass(c) = Σ_{j∈S} p(c|j)
    let mut mass = vec![0.0f64; m];
    let mut base = vec![0.0f64; m];
    let mut open = vec![true; candidates.len()];
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        // |S ∪ {i}| = Σ w over the list with i added
        let size = (out.len() + 1) as f64;
        for ((b, &p_c), &mass_c) in base.iter_mut().zip(&p).zip(&mass) {
            *b = kl_term(p_c, mass_c / size);
        }
        let base_sum: f64 = base.iter().sum();
        // KL(p ‖ q̃(S ∪ {i})): the base terms, with i's categories' terms replaced.
        let kl_with = |item: u32| -> f64 {
            let cats = user.categories.of(item);
            let share = 1.0 / cats.len().max(1) as f64;
            base_sum
                + cats
                    .iter()
                    .filter_map(|&c| category_index(c))
                    .filter(|&c| c < m)
                    .map(|c| kl_term(p[c], (mass[c] + share) / size) - base[c])
                    .sum::<f64>()
        };
        let Some(j) = argmax_open(&open, |i| {
            (1.0 - theta) * rel[i] - theta * kl_with(candidates[i].0)
        }) else {
            break;
        };
        open[j] = false;
        let picked = candidates[j].0;
        out.push(picked);
        let cats = user.categories.of(picked);
        let share = 1.0 / cats.len().max(1) as f64;
        for c in cats.iter().filter_map(|&c| category_index(c)) {
            if let Some(mass_c) = mass.get_mut(c) {
                *mass_c += share;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_cases::{self, Fixture};
    use super::*;
    use crate::metrics::ItemCategories;

    /// `KL(p ‖ q̃(items))` computed from the definition, for checking.
    fn miscalibration(items: &[u32], user: &UserContext) -> f64 {
        let mut q = vec![0.0; user.n_categories];
        for &i in items {
            let cats = user.categories.of(i);
            for &c in cats {
                q[c as usize] += 1.0 / cats.len() as f64 / items.len() as f64;
            }
        }
        (0..user.n_categories)
            .filter(|&c| user.profile[c] > 0.0)
            .map(|c| {
                let p = user.profile[c];
                p * (p / (0.99 * q[c] + 0.01 * p)).ln()
            })
            .sum()
    }

    #[test]
    fn hand_computed_small_case() {
        // p = (0.5, 0.5); item 0: {0} score 1, item 1: {0} 0.8, item 2: {1} 0 → rel 1, 0.8, 0
        let cats = ItemCategories::new(vec![vec![0], vec![0], vec![1]]);
        let profile = [0.5, 0.5];
        let user = UserContext {
            categories: &cats,
            n_categories: 2,
            profile: &profile,
        };
        let cands = [(0, 1.0), (1, 0.8), (2, 0.0)];
        // pick 1, each list of one item has q = (1, 0) or (0, 1):
        //   q̃ = (0.99 + 0.005, 0.005) = (0.995, 0.005)
        //   KL = 0.5·ln(0.5/0.995) + 0.5·ln(0.5/0.005) = −0.344067 + 2.302585 = 1.958518
        // θ = 0.5: item 0 0.5 − 0.979259, item 1 0.4 − 0.979259, item 2 0 − 0.979259 → item 0
        // pick 2: {0, 1}: q = (1, 0) → KL 1.958518 → 0.5·0.8 − 0.979259 = −0.579259;
        //         {0, 2}: q = (0.5, 0.5) → q̃ = p → KL 0 → 0.5·0 − 0 = 0 → item 2
        assert_eq!(rerank(0.5, &cands, 2, &user), [0, 2]);
        assert!((miscalibration(&[0, 1], &user) - 1.958_518).abs() < 1e-6);
        assert!(miscalibration(&[0, 2], &user).abs() < 1e-15);
        // θ = 0.1: pick 2: item 1 0.9·0.8 − 0.1·1.958518 = 0.524148, item 2 0 − 0 → item 1
        assert_eq!(rerank(0.1, &cands, 2, &user), [0, 1]);
        // the switch is at (1 − θ)·0.8 = θ·1.958518, θ = 0.8 / 2.758518 = 0.2900
        assert_eq!(rerank(0.28, &cands, 2, &user), [0, 1]);
        assert_eq!(rerank(0.30, &cands, 2, &user), [0, 2]);
    }

    #[test]
    fn an_item_without_categories_still_counts_in_the_list_size() {
        // p = (1); item 0: {} score 1, item 1: {0} score 0 → rel 1, 0
        let cats = ItemCategories::new(vec![vec![], vec![0]]);
        let profile = [1.0];
        let user = UserContext {
            categories: &cats,
            n_categories: 1,
            profile: &profile,
        };
        // pick 1, θ = 0.5: {0}: q = 0/1 → q̃ = 0.01 → KL = ln 100 = 4.60517 → 0.5 − 2.302585;
        //   {1}: q = 1 → q̃ = 1 → KL 0 → 0 → item 1
        // {1, 0}: q = 1/2 → q̃ = 0.495 + 0.01 = 0.505 → KL = ln(1/0.505) = 0.683197
        assert_eq!(rerank(0.5, &[(0, 1.0), (1, 0.0)], 2, &user), [1, 0]);
        assert!((miscalibration(&[1, 0], &user) - 0.683_197).abs() < 1e-6);
    }

    #[test]
    fn higher_theta_gives_lower_miscalibration() {
        // items 0–5 in category 0 lead; p = (0.4, 0.3, 0.3) over {0}, {1}, {2}
        let mut per_item = vec![vec![0]; 6];
        per_item.extend([vec![1], vec![2], vec![1], vec![2]]);
        let cats = ItemCategories::new(per_item);
        let profile = [0.4, 0.3, 0.3];
        let user = UserContext {
            categories: &cats,
            n_categories: 3,
            profile: &profile,
        };
        let scores = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.5, 0.4, 0.3, 0.2];
        let cands: Vec<(u32, f32)> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (i as u32, s))
            .collect();
        let kl: Vec<f64> = [0.0, 0.3, 0.6, 0.9, 1.0]
            .iter()
            .map(|&t| miscalibration(&rerank(t, &cands, 5, &user), &user))
            .collect();
        assert!(kl.windows(2).all(|w| w[0] >= w[1]), "{kl:?}");
        assert!(kl[4] < kl[0] / 4.0, "{kl:?}");

        let mean_kl = |theta: f64| {
            (0..20)
                .map(|seed| {
                    let f = Fixture::random(seed, 100, 18);
                    miscalibration(&rerank(theta, &f.candidates, 10, &f.user()), &f.user())
                })
                .sum::<f64>()
                / 20.0
        };
        let (low, mid, high) = (mean_kl(0.0), mean_kl(0.5), mean_kl(0.9));
        assert!(low > mid && mid >= high, "{low} {mid} {high}");
    }

    #[test]
    fn theta_zero_is_the_input_order() {
        test_cases::check_theta_zero_is_input_order(rerank);
    }

    #[test]
    fn rescaling_the_scores_changes_nothing() {
        test_cases::check_rescaling_invariance(rerank);
    }

    #[test]
    fn output_has_min_k_n_distinct_candidates() {
        test_cases::check_output_shape(rerank);
    }
}

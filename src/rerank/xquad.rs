//! xQuAD, explicit query aspect diversification (Santos, Macdonald & Ounis, WWW 2010), with
//! item categories as the aspects of the user's interest.
//!
//! Greedy: with `S` the items picked so far, pick
//!
//! ```text
//! argmax_{i ∉ S}  (1 − θ)·P(i|u) + θ·Σ_c P(c|u)·P(i|c)·Π_{j ∈ S} (1 − P(j|c))
//! ```
//!
//! with `P(i|u) = rel(i)` (min–max normalised score), `P(c|u) = profile[c]` and
//! `P(i|c) = 1` if `c` is one of `i`'s categories, else 0. The product is then 1 while no
//! picked item has category `c` and 0 afterwards, so the diversity term is the profile mass
//! of the categories `i` would newly cover. A user with an all-zero profile gets pure
//! relevance. A list of K costs O(N·K·|C(i)|).

use super::normalised_relevance;
use super::{UserContext, argmax_open, category_index, diversity_weight, input_order};

/// `P(i|c)`: 1 if `c` is among the item's categories (binary aspect membership).
const MEMBER: f64 = 1.0;

/// xQuAD re-ranking of `candidates` (best first) into `min(k, N)` item ids at diversity
/// weight `theta` (θ = 0: the input order; θ = 1: category coverage, ties by position).
pub fn rerank(theta: f64, candidates: &[(u32, f32)], k: usize, user: &UserContext) -> Vec<u32> {
    let theta = diversity_weight(theta);
    if theta <= 0.0 {
        return input_order(candidates, k);
    }
    let rel = normalised_relevance(candidates);
    let k = k.min(candidates.len());
    let p_c = |c: usize| user.profile.get(c).copied().unwrap_or(0.0);
    // Π_{j ∈ S} (1 − P(j|c)) per category: 1 until a picked item covers c.
    let mut uncovered = vec![1.0f64; user.n_categories];
    // Σ_c P(c|u)·P(i|c)·Π_{j∈S}(1 − P(j|c)) for candidate i.
    let novelty = |uncovered: &[f64], item: u32| -> f64 {
        user.categories
            .of(item)
            .iter()
            .filter_map(|&c| category_index(c))
            .filter_map(|c| uncovered.get(c).map(|u| p_c(c) * MEMBER * u))
            .sum()
    };
    let mut open = vec![true; candidates.len()];
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        let Some(j) = argmax_open(&open, |i| {
            (1.0 - theta) * rel[i] + theta * novelty(&uncovered, candidates[i].0)
        }) else {
            break;
        };
        open[j] = false;
        let picked = candidates[j].0;
        out.push(picked);
        for c in user
            .categories
            .of(picked)
            .iter()
            .filter_map(|&c| category_index(c))
        {
            if let Some(u) = uncovered.get_mut(c) {
                *u *= 1.0 - MEMBER;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::test_cases::{self, Fixture};
    use super::*;
    use crate::metrics::ItemCategories;

    /// Number of distinct categories among the listed items.
    fn covered(items: &[u32], cats: &ItemCategories) -> usize {
        items
            .iter()
            .flat_map(|&i| cats.of(i).iter().copied())
            .collect::<BTreeSet<u32>>()
            .len()
    }

    #[test]
    fn hand_computed_small_case() {
        // profile p = (0.5, 0.3, 0.2); item 0: {0}, 1: {0}, 2: {1}, 3: {2}, 4: {1, 2}
        // scores 0: 1, 1: 0.9, 2: 0.5, 4: 0.2, 3: 0 → rel equal to the scores
        let cats = ItemCategories::new(vec![vec![0], vec![0], vec![1], vec![2], vec![1, 2]]);
        let profile = [0.5, 0.3, 0.2];
        let user = UserContext {
            categories: &cats,
            n_categories: 3,
            profile: &profile,
        };
        let cands = [(0, 1.0), (1, 0.9), (2, 0.5), (4, 0.2), (3, 0.0)];
        // θ = 0.8, objective 0.2·rel + 0.8·(mass of newly covered categories)
        // pick 1: item 0 0.2 + 0.8·0.5 = 0.6, item 1 0.18 + 0.4 = 0.58, item 2 0.1 + 0.24
        //   = 0.34, item 4 0.04 + 0.8·(0.3 + 0.2) = 0.44, item 3 0 + 0.16 → item 0
        // pick 2 (category 0 covered): item 1 0.18, item 2 0.34, item 4 0.44, item 3 0.16
        //   → item 4
        // pick 3 (all covered): item 1 0.18, item 2 0.1, item 3 0 → item 1; then 2, 3
        assert_eq!(rerank(0.8, &cands, 3, &user), [0, 4, 1]);
        assert_eq!(rerank(0.8, &cands, 5, &user), [0, 4, 1, 2, 3]);
        // θ = 0.5, objective 0.5·rel + 0.5·mass
        // pick 1: item 0 0.75, item 1 0.7, item 2 0.4, item 4 0.35, item 3 0.1 → item 0
        // pick 2: item 1 0.45, item 2 0.4, item 4 0.35, item 3 0.1 → item 1
        // pick 3: item 2 0.4, item 4 0.35, item 3 0.1 → item 2
        assert_eq!(rerank(0.5, &cands, 3, &user), [0, 1, 2]);
        // θ = 1, mass only: pick 1 ties item 0, 1, 4 at 0.5 → position 0 (item 0); pick 2
        // item 4 (0.5) over item 2 (0.3) and 3 (0.2); pick 3 all 0 → position 1 (item 1)
        assert_eq!(rerank(1.0, &cands, 3, &user), [0, 4, 1]);
        // higher θ covers more categories here: 2 at θ = 0.5, 3 at θ = 0.8
        assert_eq!(covered(&rerank(0.5, &cands, 3, &user), &cats), 2);
        assert_eq!(covered(&rerank(0.8, &cands, 3, &user), &cats), 3);
    }

    #[test]
    fn categories_outside_the_profile_are_ignored() {
        // item 1 has category 7 ≥ n_categories = 2: it adds no mass and does not panic
        let cats = ItemCategories::new(vec![vec![0], vec![7], vec![1]]);
        let profile = [0.5, 0.5];
        let user = UserContext {
            categories: &cats,
            n_categories: 2,
            profile: &profile,
        };
        // θ = 1: pick 1 item 0 (0.5, position 0 of the ties with item 2); pick 2 item 2
        // (0.5) over item 1 (0)
        assert_eq!(
            rerank(1.0, &[(0, 3.0), (1, 2.0), (2, 1.0)], 3, &user),
            [0, 2, 1]
        );
    }

    #[test]
    fn higher_theta_covers_more_categories() {
        let mean_covered = |theta: f64| {
            (0..20)
                .map(|seed| {
                    let f = Fixture::random(seed, 100, 18);
                    covered(&rerank(theta, &f.candidates, 10, &f.user()), &f.categories) as f64
                })
                .sum::<f64>()
                / 20.0
        };
        let (low, mid, high) = (mean_covered(0.0), mean_covered(0.5), mean_covered(0.9));
        assert!(low < mid && mid <= high, "{low} {mid} {high}");
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

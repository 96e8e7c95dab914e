//! Maximal Marginal Relevance (Carbonell & Goldstein, SIGIR 1998) over category cosine
//! similarity.
//!
//! Greedy: with `S` the items picked so far, pick
//!
//! ```text
//! argmax_{i ∉ S}  (1 − θ)·rel(i) − θ·max_{j ∈ S} cos(i, j)      (max term 0 while S = ∅)
//! ```
//!
//! `rel` is the min–max normalised score, `cos` the cosine of the multi-hot category vectors.
//! The running maximum similarity of every open candidate is updated after each pick, so a
//! list of K costs O(N·K) cosines.

use super::{UserContext, argmax_open, diversity_weight, input_order, normalised_relevance};

/// MMR re-ranking of `candidates` (best first) into `min(k, N)` item ids at diversity weight
/// `theta` (θ = 0: the input order; θ = 1: relevance only breaks ties after the first pick).
pub fn rerank(theta: f64, candidates: &[(u32, f32)], k: usize, user: &UserContext) -> Vec<u32> {
    let theta = diversity_weight(theta);
    if theta <= 0.0 {
        return input_order(candidates, k);
    }
    let rel = normalised_relevance(candidates);
    let k = k.min(candidates.len());
    let mut open = vec![true; candidates.len()];
    // max_{j ∈ S} cos(i, j) for every candidate i; 0 while S is empty.
    let mut max_sim = vec![0.0f64; candidates.len()];
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        let Some(j) = argmax_open(&open, |i| (1.0 - theta) * rel[i] - theta * max_sim[i]) else {
            break;
        };
        open[j] = false;
        let picked = candidates[j].0;
        out.push(picked);
        if out.len() == k {
            break;
        }
        for ((sim, &(item, _)), _) in max_sim
            .iter_mut()
            .zip(candidates)
            .zip(&open)
            .filter(|(_, o)| **o)
        {
            *sim = sim.max(user.categories.cosine(item, picked));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_cases::{self, Fixture};
    use super::*;
    use crate::metrics::{ItemCategories, ild_at_k};

    fn user_of(categories: &ItemCategories) -> UserContext<'_> {
        UserContext {
            categories,
            n_categories: 5,
            profile: &[],
        }
    }

    #[test]
    fn hand_computed_small_case() {
        // item 0: {0}, item 1: {0}, item 2: {1}, item 3: {0, 1}
        // scores 1, 0.75, 0.5, 0 → rel = 1, 0.75, 0.5, 0 (min 0, max 1)
        let cats = ItemCategories::new(vec![vec![0], vec![0], vec![1], vec![0, 1]]);
        let user = user_of(&cats);
        let cands = [(0, 1.0), (1, 0.75), (2, 0.5), (3, 0.0)];
        // θ = 0.5, objective 0.5·rel − 0.5·maxsim
        // pick 1: S = ∅ → 0.5, 0.375, 0.25, 0 → item 0
        // pick 2: maxsim to {0}: item 1 cos({0},{0}) = 1, item 2 0, item 3 1/√2 = 0.7071
        //   → item 1 0.375 − 0.5 = −0.125, item 2 0.25, item 3 −0.3536 → item 2
        // pick 3: maxsim to {0, 2}: item 1 max(1, 0) = 1, item 3 max(0.7071, 0.7071)
        //   → item 1 −0.125, item 3 −0.3536 → item 1
        assert_eq!(rerank(0.5, &cands, 3, &user), [0, 2, 1]);
        // θ = 0.9, objective 0.1·rel − 0.9·maxsim
        // pick 2: item 1 0.075 − 0.9 = −0.825, item 2 0.05, item 3 0 − 0.6364 → item 2
        // pick 3: item 1 −0.825, item 3 −0.6364 → item 3
        assert_eq!(rerank(0.9, &cands, 3, &user), [0, 2, 3]);
        // k = 4 takes the last one too; k = 1 is the most relevant item at any θ < 1
        assert_eq!(rerank(0.9, &cands, 4, &user), [0, 2, 3, 1]);
        assert_eq!(rerank(0.5, &cands, 1, &user), [0]);
        // θ = 1: the first pick is a tie at 0 → lowest position; then −maxsim only:
        //   item 1 −1, item 2 0, item 3 −0.7071 → item 2; then item 1 −1, item 3 −0.7071 → 3
        assert_eq!(rerank(1.0, &cands, 4, &user), [0, 2, 3, 1]);
    }

    #[test]
    fn all_equal_scores_make_every_rel_one() {
        // rel = 1 for all, θ = 0.5: pick 0 (tie → position 0), then item 2 (maxsim 0) over
        // item 1 (1) and item 3 (0.7071); then item 3 (0.7071) over item 1 (1).
        let cats = ItemCategories::new(vec![vec![0], vec![0], vec![1], vec![0, 1]]);
        let cands = [(0, 2.0), (1, 2.0), (2, 2.0), (3, 2.0)];
        assert_eq!(rerank(0.5, &cands, 4, &user_of(&cats)), [0, 2, 3, 1]);
    }

    #[test]
    fn higher_theta_gives_higher_intra_list_diversity() {
        // items 0–5 share category 0 and lead the scores; items 6–9 have one category each
        // ({1}..{4}) and lower scores: 1, 0.95, …, 0.75, then 0.5, 0.4, 0.3, 0.2.
        // rel = (s − 0.2) / 0.8. At θ = 0.5 after item 0: item 1 0.5·0.9375 − 0.5 = −0.03,
        // item 6 0.5·0.375 − 0 = 0.1875 → item 6, then items 7 (0.125) and 8 (0.0625).
        let mut per_item = vec![vec![0]; 6];
        per_item.extend((1..=4).map(|c| vec![c]));
        let cats = ItemCategories::new(per_item);
        let user = user_of(&cats);
        let scores = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.5, 0.4, 0.3, 0.2];
        let cands: Vec<(u32, f32)> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (i as u32, s))
            .collect();
        assert_eq!(rerank(0.0, &cands, 4, &user), [0, 1, 2, 3]);
        assert_eq!(rerank(0.5, &cands, 4, &user), [0, 6, 7, 8]);
        let ild = |theta: f64| ild_at_k(&rerank(theta, &cands, 4, &user), &cats, 4).unwrap();
        assert_eq!(ild(0.0), 0.0);
        assert_eq!(ild(0.5), 1.0);
        let grid: Vec<f64> = (0..=10).map(|t| ild(f64::from(t) / 10.0)).collect();
        assert!(grid.windows(2).all(|w| w[0] <= w[1]), "{grid:?}");

        // and on average over random users
        let mean_ild = |theta: f64| {
            (0..20)
                .map(|seed| {
                    let f = Fixture::random(seed, 100, 18);
                    let out = rerank(theta, &f.candidates, 10, &f.user());
                    ild_at_k(&out, &f.categories, 10).unwrap()
                })
                .sum::<f64>()
                / 20.0
        };
        assert!(mean_ild(0.8) > mean_ild(0.0) + 0.02);
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

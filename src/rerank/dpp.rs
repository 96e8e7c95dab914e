//! Determinantal point process re-ranking: greedy MAP inference with incremental Cholesky
//! updates, Algorithm 1 of Chen, Zhang & Zhou, "Fast Greedy MAP Inference for Determinantal
//! Point Process to Improve Recommendation Diversity", NeurIPS 2018.
//!
//! Kernel over the N candidates:
//!
//! ```text
//! L = Diag(q)·S·Diag(q),   S_ij = cos(i, j) (category cosine),  S_ii = 1 for every item,
//! q_i = exp(α·rel(i)),     α = (1 − θ) / (2θ)
//! ```
//!
//! (the paper's `α = θ/(2(1−θ))` with θ mirrored, so that our θ is the diversity weight).
//! Then `log det L_Y = 2α·Σ_{i∈Y} rel(i) + log det S_Y`, and multiplying by θ > 0,
//! `θ·log det L_Y = (1 − θ)·Σ_{i∈Y} rel(i) + θ·log det S_Y`.
//!
//! Algorithm 1: start with `c_i = []`, `d_i² = L_ii`; repeatedly pick `j = argmax log d_i²`
//! over the open items, then for every open `i`
//!
//! ```text
//! e_i = (L_ji − ⟨c_j, c_i⟩) / d_j,   c_i ← [c_i, e_i],   d_i² ← d_i² − e_i²
//! ```
//!
//! so that `d_i²` is the Schur complement `det L_{Y∪{i}} / det L_Y`. One step costs O(N·|Y|),
//! a list of K costs O(N·K²).
//!
//! Numerics: with `L = Diag(q)·S·Diag(q)` the Cholesky rows factor as `c_i = q_i·c̃_i` and
//! `d_i² = q_i²·d̃_i²`, where `c̃`, `d̃` are Algorithm 1 run on `S` itself. The code runs the
//! algorithm on `S` (entries in [0, 1], no `exp(α)` that overflows as θ → 0) and picks
//! `argmax log d_i² = argmax θ·log d_i² = argmax (1 − θ)·rel(i) + θ·log d̃_i²`, which is the
//! same choice.
//!
//! Exhaustion: an item whose `d̃_i²` falls below 1e-10 lies (numerically) in the span of the
//! selected items' category vectors, so `det L_{Y∪{i}} = 0` and the greedy can never pick it;
//! it is closed. When every open item is exhausted (for example all remaining items repeat
//! selected categories) the remaining positions are filled by relevance order among the
//! unselected items. The threshold is applied to `d̃_i²` rather than to `d_i² = q_i²·d̃_i²`:
//! the two agree when `q = 1`, and for small θ the factor `q_i² = exp(2α·rel(i))` would lift
//! a rounding residue of an exhausted item above any fixed threshold.

use super::{
    UserContext, argmax_open, diversity_weight, input_order, normalised_relevance, relevance_order,
};

/// Below this Schur complement `d̃_i²` an item is exhausted (in the span of the selection).
const EXHAUSTED: f64 = 1e-10;

/// DPP re-ranking of `candidates` (best first) into `min(k, N)` item ids at diversity weight
/// `theta` (θ = 0: the input order; θ = 1: `q = 1`, diversity of categories alone).
pub fn rerank(theta: f64, candidates: &[(u32, f32)], k: usize, user: &UserContext) -> Vec<u32> {
    let theta = diversity_weight(theta);
    if theta <= 0.0 {
        return input_order(candidates, k);
    }
    let n = candidates.len();
    let k = k.min(n);
    let rel = normalised_relevance(candidates);
    // c̃_i, row-major N × K: entry t of row i is e_i of the t-th pick.
    let mut c = vec![0.0f64; n * k];
    // d̃_i² = S_ii = 1 to start.
    let mut d2 = vec![1.0f64; n];
    // open: not picked and not exhausted; picked: in the output.
    let mut open = vec![true; n];
    let mut picked = vec![false; n];
    let mut out = Vec::with_capacity(k);
    let mut c_j = Vec::with_capacity(k);
    while out.len() < k {
        // argmax log d_i² ≡ argmax (1 − θ)·rel(i) + θ·log d̃_i²
        let Some(j) = argmax_open(&open, |i| (1.0 - theta) * rel[i] + theta * d2[i].ln()) else {
            break;
        };
        let t = out.len();
        open[j] = false;
        picked[j] = true;
        out.push(candidates[j].0);
        if out.len() == k {
            break;
        }
        let d_j = d2[j].sqrt();
        c_j.clear();
        c_j.extend_from_slice(&c[j * k..j * k + t]);
        let item_j = candidates[j].0;
        for i in 0..n {
            if !open[i] {
                continue;
            }
            let c_i = &mut c[i * k..(i + 1) * k];
            // e_i = (S_ji − ⟨c̃_j, c̃_i⟩) / d̃_j
            let dot: f64 = c_j.iter().zip(c_i.iter()).map(|(a, b)| a * b).sum();
            let e = (user.categories.cosine(item_j, candidates[i].0) - dot) / d_j;
            c_i[t] = e;
            d2[i] -= e * e;
            if d2[i] < EXHAUSTED {
                open[i] = false;
            }
        }
    }
    // Kernel exhausted: the rest by relevance among the unselected.
    if out.len() < k {
        let rest: Vec<u32> = relevance_order(&rel)
            .into_iter()
            .filter(|&i| !picked[i])
            .map(|i| candidates[i].0)
            .take(k - out.len())
            .collect();
        out.extend(rest);
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
            n_categories: 6,
            profile: &[],
        }
    }

    /// Plain Cholesky of a dense symmetric matrix (row-major `m × m`): the pivots `l_tt`, or
    /// `None` when a pivot² is not positive.
    fn cholesky_pivots(a: &[f64], m: usize) -> Option<Vec<f64>> {
        let mut l = vec![0.0; m * m];
        let mut pivots = Vec::with_capacity(m);
        for r in 0..m {
            for col in 0..=r {
                let s: f64 = (0..col).map(|x| l[r * m + x] * l[col * m + x]).sum();
                if r == col {
                    let p2 = a[r * m + r] - s;
                    if p2 <= 0.0 {
                        return None;
                    }
                    l[r * m + r] = p2.sqrt();
                    pivots.push(p2.sqrt());
                } else {
                    l[r * m + col] = (a[r * m + col] - s) / l[col * m + col];
                }
            }
        }
        Some(pivots)
    }

    /// The naive greedy: each step, for every unselected i, build `L_{Y∪{i}}` with
    /// `q = exp(α·rel)` and compute `log det` by a fresh Cholesky; pick the largest, lower
    /// position on ties. An item whose last pivot² over `q_i²` (its `d̃_i²`) is below 1e-10
    /// (or whose Cholesky fails) is exhausted; when all are, fill by relevance order.
    fn naive_greedy(
        theta: f64,
        cands: &[(u32, f32)],
        k: usize,
        cats: &ItemCategories,
    ) -> Vec<usize> {
        let rel = normalised_relevance(cands);
        let alpha = (1.0 - theta) / (2.0 * theta);
        let q: Vec<f64> = rel.iter().map(|r| (alpha * r).exp()).collect();
        let s = |a: usize, b: usize| {
            if a == b {
                1.0
            } else {
                cats.cosine(cands[a].0, cands[b].0)
            }
        };
        let mut selected: Vec<usize> = Vec::new();
        let mut log_det_selected = 0.0;
        while selected.len() < k.min(cands.len()) {
            let mut best: Option<(usize, f64, f64)> = None;
            for i in (0..cands.len()).filter(|i| !selected.contains(i)) {
                let idx: Vec<usize> = selected.iter().copied().chain([i]).collect();
                let m = idx.len();
                let l: Vec<f64> = (0..m * m)
                    .map(|x| {
                        let (a, b) = (idx[x / m], idx[x % m]);
                        q[a] * s(a, b) * q[b]
                    })
                    .collect();
                let Some(pivots) = cholesky_pivots(&l, m) else {
                    continue;
                };
                let last = pivots[m - 1];
                if last * last / (q[i] * q[i]) < EXHAUSTED {
                    continue;
                }
                let log_det: f64 = pivots.iter().map(|p| 2.0 * p.ln()).sum();
                // compared on the production's scale, θ·(log det L_{Y∪{i}} − log det L_Y),
                // with the same tie tolerance
                let gain = theta * (log_det - log_det_selected);
                if best.is_none_or(|(_, b, _)| gain > b + super::super::TIE) {
                    best = Some((i, gain, log_det));
                }
            }
            match best {
                Some((i, _, log_det)) => {
                    selected.push(i);
                    log_det_selected = log_det;
                }
                None => {
                    let rest: Vec<usize> = relevance_order(&rel)
                        .into_iter()
                        .filter(|i| !selected.contains(i))
                        .collect();
                    selected.extend(rest);
                    selected.truncate(k);
                }
            }
        }
        selected
    }

    #[test]
    fn incremental_matches_naive_log_det_greedy() {
        let mut exhausted_cases = 0;
        for seed in 0..60u64 {
            let n = 5 + (seed as usize * 7) % 21; // 5..=25 candidates
            let n_cat = 3 + (seed as usize) % 4; // 3..=6 categories
            let f = Fixture::random(1000 + seed, n, n_cat);
            for theta in [0.2, 0.5, 0.8, 1.0] {
                for k in [1, 3, n / 2, n] {
                    let naive: Vec<u32> = naive_greedy(theta, &f.candidates, k, &f.categories)
                        .into_iter()
                        .map(|i| f.candidates[i].0)
                        .collect();
                    let fast = rerank(theta, &f.candidates, k, &f.user());
                    assert_eq!(fast, naive, "seed {seed}, n {n}, θ {theta}, k {k}");
                }
            }
            // with more items than the kernel's rank the fill-in path is exercised too
            if n > n_cat
                + f.candidates
                    .iter()
                    .filter(|c| f.categories.of(c.0).is_empty())
                    .count()
            {
                exhausted_cases += 1;
            }
        }
        assert!(exhausted_cases > 20, "{exhausted_cases}");
    }

    #[test]
    fn hand_computed_small_case() {
        // item 0: {0}, item 1: {0, 1}, item 2: {1}, item 3: {2}; scores 1, 0.8, 0.6, 0
        // → rel = 1, 0.8, 0.6, 0. S_01 = S_12 = 1/√2, every other off-diagonal 0.
        let cats = ItemCategories::new(vec![vec![0], vec![0, 1], vec![1], vec![2]]);
        let user = user_of(&cats);
        let cands = [(0, 1.0), (1, 0.8), (2, 0.6), (3, 0.0)];
        // θ = 0.5, objective 0.5·rel + 0.5·ln d̃²
        // pick 1: d̃² = 1 for all → 0.5·rel → item 0
        // update j = 0 (d̃_0 = 1): e_1 = S_01 = 0.7071 → d̃_1² = 0.5; e_2 = e_3 = 0 → 1
        // pick 2: item 1 0.4 + 0.5·ln 0.5 = 0.0534, item 2 0.3, item 3 0 → item 2
        // update j = 2 (c̃_2 = [0], d̃_2 = 1): e_1 = (S_21 − 0·0.7071) / 1 = 0.7071
        //   → d̃_1² = 0.5 − 0.5 = 0: exhausted ({0,1} lies in span{{0},{1}}); e_3 = 0
        // pick 3: item 3 (0 + 0) → then only item 1 is left, exhausted → filled by relevance
        assert_eq!(rerank(0.5, &cands, 3, &user), [0, 2, 3]);
        assert_eq!(rerank(0.5, &cands, 4, &user), [0, 2, 3, 1]);
        // θ = 0.1, objective 0.9·rel + 0.1·ln d̃²
        // pick 2: item 1 0.72 − 0.0347 = 0.6853, item 2 0.54, item 3 0 → item 1
        // update j = 1 (c̃_1 = [0.7071], d̃_1 = 0.7071): e_2 = (S_12 − 0.7071·0)/0.7071 = 1
        //   → d̃_2² = 1 − 1 = 0: exhausted; e_3 = 0 → d̃_3² = 1
        // pick 3: item 3; then item 2 by fill-in
        assert_eq!(rerank(0.1, &cands, 4, &user), [0, 1, 3, 2]);
    }

    #[test]
    fn exact_ties_go_to_the_lower_position_despite_rounding() {
        // θ = 1 (q = 1, categories only); positions = ids:
        // 0: {1,4}, 1: {2,4}, 2: {4}, 3: {2,3}, 4: {0}
        let cats = ItemCategories::new(vec![vec![1, 4], vec![2, 4], vec![4], vec![2, 3], vec![0]]);
        let cands = [(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.6), (4, 0.5)];
        // pick 1: every d̃² = 1 → position 0
        // pick 2: d̃² = 1 − cos² with cos to {1,4}: item 1 1/2 → 3/4, item 2 1/√2 → 1/2,
        //   items 3, 4 → 1 (tie) → item 3
        // pick 3: item 4 stays at 1 → item 4
        // pick 4: item 1: (e2+e4)/√2 projects 1/2 on each of (e1+e4)/√2, (e2+e3)/√2 →
        //   d̃² = 1 − 1/4 − 1/4 = 1/2; item 2: e4 projects 1/√2 on (e1+e4)/√2 → 1 − 1/2 = 1/2.
        //   An exact tie, reached by different rounding → the lower position, item 1
        // pick 5: item 2 (e4 is not in the span of the four picked vectors)
        assert_eq!(rerank(1.0, &cands, 5, &user_of(&cats)), [0, 3, 4, 1, 2]);
    }

    #[test]
    fn exhausted_kernel_fills_by_relevance() {
        // every item in category 0: after the first pick every d̃² is 1 − 1 = 0, so the rest
        // come in relevance order (= input order here) at any θ.
        let cats = ItemCategories::new(vec![vec![0]; 5]);
        let cands = [(3, 0.9), (1, 0.7), (4, 0.5), (0, 0.3), (2, 0.1)];
        for theta in [0.3, 1.0] {
            assert_eq!(rerank(theta, &cands, 4, &user_of(&cats)), [3, 1, 4, 0]);
        }
        // items without categories are orthogonal to everything: never exhausted; at θ = 1
        // (q = 1) each has d̃² = 1, the categorised ones 0 after item 0 → 1, 2 before 3.
        let cats = ItemCategories::new(vec![vec![0], vec![], vec![], vec![0]]);
        let cands = [(0, 0.9), (3, 0.8), (1, 0.2), (2, 0.1)];
        assert_eq!(rerank(1.0, &cands, 4, &user_of(&cats)), [0, 1, 2, 3]);
    }

    #[test]
    fn whole_catalogue_at_small_theta_stays_finite() {
        // α = (1 − θ)/(2θ) ≈ 5·10⁵: exp(α) would overflow; the factored form does not.
        let f = Fixture::random(9, 200, 18);
        let out = rerank(1e-6, &f.candidates, 20, &f.user());
        test_cases::assert_valid(&out, &f.candidates, 20);
        let top: Vec<u32> = f.candidates.iter().take(20).map(|c| c.0).collect();
        // relevance dominates the first pick (every d̃² is 1 there)
        assert_eq!(out[0], top[0]);
    }

    #[test]
    fn higher_theta_gives_higher_intra_list_diversity() {
        // items 0–5 in category 0 with the top scores, items 6–9 in {1}..{4} below them
        let mut per_item = vec![vec![0]; 6];
        per_item.extend((1..=4).map(|c| vec![c]));
        let cats = ItemCategories::new(per_item);
        let scores = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.5, 0.4, 0.3, 0.2];
        let cands: Vec<(u32, f32)> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (i as u32, s))
            .collect();
        // any θ > 0: after item 0 the rest of category 0 is exhausted (d̃² = 0), so the
        // greedy takes 6, 7, 8 (d̃² = 1, highest rel first)
        assert_eq!(rerank(0.0, &cands, 4, &user_of(&cats)), [0, 1, 2, 3]);
        assert_eq!(rerank(0.5, &cands, 4, &user_of(&cats)), [0, 6, 7, 8]);
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
        let (low, mid, high) = (mean_ild(0.0), mean_ild(0.3), mean_ild(0.9));
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

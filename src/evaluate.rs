//! Full-ranking evaluation of a model on a held-out split.
//!
//! For every user with at least one held-out positive: score every item, drop the items the
//! user is not to be recommended (training items, validation items when testing, and the
//! below-threshold interactions when the candidate rule masks them), take the top-K. Every
//! metric ranks these same candidates: AUC's negatives are the candidates that are not
//! held-out positives. No sampled negatives anywhere in reported metrics. Users are processed in
//! parallel and one score buffer per worker thread is reused, so memory is O(block · items · threads)
//! plus the top-K lists, never users × items. Users are scored in blocks by one matrix product
//! (`HostWeights::block_scorer`, the item matrix transposed once), and each list is kept by one pass over the scores
//! ([`top_k`](crate::linalg::top_k)).

use rayon::prelude::*;

use crate::events::{MetricMap, PerUserTable, Recommendations, TestReport};
use crate::linalg::top_k;
use crate::metrics::{self, ItemCategories, Metric, MetricKey};
use crate::model::HostWeights;

/// What an evaluation needs besides the weights.
pub struct EvalContext<'a> {
    /// Cut-offs, ascending.
    pub ks: &'a [usize],
    /// Per user, items removed from the candidates of every split besides the split's own
    /// exclusions: the below-threshold interactions under `data.below_threshold: mask`;
    /// `None` under `drop` (they are ordinary candidates). A user beyond the end has none.
    pub masked: Option<&'a [Vec<u32>]>,
    /// Per user, the training items (the category profile miscalibration compares a list
    /// with). A user beyond the end has none.
    pub train: &'a [Vec<u32>],
    pub categories: &'a ItemCategories,
    /// Training interactions per item (novelty and the long-tail split), as
    /// [`PreparedSplit::train_counts`](crate::data::PreparedSplit::train_counts).
    pub train_counts: &'a [u64],
    /// Items in the most popular 20% by training interactions, as
    /// [`PreparedSplit::is_head`](crate::data::PreparedSplit::is_head).
    pub is_head: &'a [bool],
}

/// What one user's per-user values are computed from, built once per user and shared by
/// every cut-off.
struct UserLists<'u> {
    /// The user's top list (longest cut-off), best first.
    top: &'u [u32],
    /// Held-out positives, sorted.
    relevant: &'u [u32],
    /// AUC of the held-out positives against the other candidates.
    auc: f64,
    /// The greedy ideal α-DCG of `relevant` at every cut-off.
    alpha_ndcg: metrics::AlphaNdcg<'u>,
    /// The category profile of the user's training items; `None` when none has a category.
    profile: Option<Vec<f64>>,
}

/// One user's value of a per-user metric at cut-off `k` (NaN where the metric is undefined
/// for the user). A metric added to the vocabulary must get its arm here.
fn per_user_value(
    metric: Metric,
    k: usize,
    user: &UserLists<'_>,
    popularity: &metrics::ItemPopularity,
    ctx: &EvalContext<'_>,
) -> f64 {
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let (top, relevant) = (user.top, user.relevant);
    match metric {
        Metric::Auc => user.auc,
        Metric::Precision => metrics::precision_at_k(top, relevant, k),
        Metric::Recall => metrics::recall_at_k(top, relevant, k),
        Metric::Ndcg => metrics::ndcg_at_k(top, relevant, k),
        Metric::HitRate => metrics::hit_rate_at_k(top, relevant, k),
        Metric::Mrr => metrics::mrr_at_k(top, relevant, k),
        Metric::Map => metrics::map_at_k(top, relevant, k),
        Metric::Ild => opt(metrics::ild_at_k(top, ctx.categories, k)),
        Metric::Novelty => opt(popularity.novelty_at_k(top, k)),
        Metric::LongTail => opt(metrics::long_tail_share_at_k(top, ctx.is_head, k)),
        Metric::AlphaNdcg => opt(user.alpha_ndcg.at_k(top, k)),
        Metric::Miscalibration => opt(user
            .profile
            .as_deref()
            .and_then(|profile| metrics::miscalibration_at_k(top, profile, ctx.categories, k))),
        Metric::CategoryCoverage => opt(metrics::category_coverage_at_k(top, ctx.categories, k)),
        // Catalogue-level: never a per-user column.
        Metric::Coverage | Metric::ColdCoverage | Metric::Gini | Metric::Entropy => f64::NAN,
    }
}

/// A catalogue-level metric at cut-off `k` over every evaluated user's list (NaN: undefined,
/// cold-item coverage without cold items).
fn catalogue_value(
    metric: Metric,
    k: usize,
    lists: &[Vec<u32>],
    n_items: usize,
    train_counts: &[u64],
) -> f64 {
    match metric {
        Metric::Coverage => metrics::coverage_at_k(lists, n_items, k),
        Metric::ColdCoverage => {
            metrics::cold_coverage_at_k(lists, train_counts, k).unwrap_or(f64::NAN)
        }
        Metric::Gini => metrics::gini_at_k(lists, n_items, k),
        Metric::Entropy => metrics::exposure_entropy_at_k(lists, n_items, k),
        _ => f64::NAN,
    }
}

/// Users scored together by one matrix product in evaluation: a block's scores
/// (`SCORE_BLOCK × n_items` floats per worker) stay in cache while each user's row is ranked.
const SCORE_BLOCK: usize = 32;

struct UserResult {
    user: u32,
    values: Vec<f64>,
    top: Vec<u32>,
    top_scores: Vec<f32>,
}

/// Evaluates `weights` against `targets` (held-out positives per user, sorted), excluding
/// `exclude_a[u] ∪ exclude_b[u]` from each user's ranking.
pub fn evaluate(
    weights: &HostWeights,
    targets: &[Vec<u32>],
    exclude_a: &[Vec<u32>],
    exclude_b: Option<&[Vec<u32>]>,
    ctx: &EvalContext<'_>,
) -> TestReport {
    let n_items = weights.n_items();
    let k_max = ctx.ks.iter().copied().max().unwrap_or(10);
    let users = evaluated_users(targets);
    let popularity = metrics::ItemPopularity::new(ctx.train_counts);
    let columns = MetricKey::per_user_columns(ctx.ks);

    let results: Vec<UserResult> = per_user_scores(weights, &users, |u, scores| {
        let relevant = &targets[u];
        let excluded = excluded(u, exclude_a, exclude_b, ctx.masked);
        for &i in &excluded {
            scores[i as usize] = f32::NEG_INFINITY;
        }
        // AUC ranks the same candidates as the lists: positives against the rest.
        let auc = metrics::auc_from_scores(scores, relevant, &excluded).unwrap_or(f64::NAN);
        let top = top_k(scores, k_max);
        let values = user_values(u, &top, relevant, auc, &columns, &popularity, ctx);
        let top_scores = top.iter().map(|&i| scores[i as usize]).collect();
        UserResult {
            user: u as u32,
            values,
            top,
            top_scores,
        }
    });
    report(results, columns, n_items, ctx)
}

/// User `u`'s items that are not candidates, sorted ascending without repeats:
/// `exclude_a[u] ∪ exclude_b[u] ∪ masked[u]`.
fn excluded(
    u: usize,
    exclude_a: &[Vec<u32>],
    exclude_b: Option<&[Vec<u32>]>,
    masked: Option<&[Vec<u32>]>,
) -> Vec<u32> {
    let b = exclude_b
        .and_then(|l| l.get(u))
        .map_or(&[][..], Vec::as_slice);
    let m = masked.and_then(|l| l.get(u)).map_or(&[][..], Vec::as_slice);
    let mut out: Vec<u32> = exclude_a[u].iter().chain(b).chain(m).copied().collect();
    // The split's lists are ascending: the stable sort finds the runs and merges them, in
    // linear time (any order is still sorted correctly).
    out.sort();
    out.dedup();
    out
}

/// One user's per-user values in `columns` order, from their top list (longest cut-off).
fn user_values(
    u: usize,
    top: &[u32],
    relevant: &[u32],
    auc: f64,
    columns: &[MetricKey],
    popularity: &metrics::ItemPopularity,
    ctx: &EvalContext<'_>,
) -> Vec<f64> {
    let k_max = ctx.ks.iter().copied().max().unwrap_or(10);
    let train = ctx.train.get(u).map_or(&[][..], Vec::as_slice);
    let user = UserLists {
        top,
        relevant,
        auc,
        alpha_ndcg: metrics::AlphaNdcg::new(relevant, ctx.categories, k_max),
        profile: metrics::category_profile(train, ctx.categories, ctx.categories.id_bound()),
    };
    columns
        .iter()
        .map(|key| {
            let k = key.k.unwrap_or(k_max);
            // `+ 0.0` turns an empty sum's −0 (Rust's float `Sum` starts at −0) into 0.
            per_user_value(key.metric, k, &user, popularity, ctx) + 0.0
        })
        .collect()
}

/// The means with their CIs, the catalogue-level metrics and the tables of per-user results.
fn report(
    results: Vec<UserResult>,
    columns: Vec<MetricKey>,
    n_items: usize,
    ctx: &EvalContext<'_>,
) -> TestReport {
    let mut means = MetricMap::new();
    let mut ci95 = std::collections::BTreeMap::new();
    for (c, name) in columns.iter().enumerate() {
        let values: Vec<f64> = results
            .iter()
            .map(|r| r.values[c])
            .filter(|v| v.is_finite())
            .collect();
        if let Some(ci) = metrics::mean_ci95(&values) {
            means.insert(*name, ci.mean);
            ci95.insert(*name, [ci.lo, ci.hi]);
        }
    }
    let lists: Vec<Vec<u32>> = results.iter().map(|r| r.top.clone()).collect();
    for &k in ctx.ks {
        for metric in Metric::CATALOGUE_AT_K {
            let value = catalogue_value(metric, k, &lists, n_items, ctx.train_counts);
            if value.is_finite() {
                means.insert(MetricKey::at(metric, k), value);
            }
        }
    }
    let users_evaluated = results.len();
    let mut rows = Vec::with_capacity(results.len());
    let mut recommendations: Recommendations = Vec::with_capacity(results.len());
    for r in results {
        rows.push((r.user, r.values));
        recommendations.push((r.user, r.top.into_iter().zip(r.top_scores).collect()));
    }
    TestReport {
        means,
        ci95,
        users_evaluated,
        per_user: PerUserTable { columns, rows },
        recommendations,
    }
}

/// Each user's top `n` (item, score), best first, with the same exclusions as [`evaluate`],
/// for every user with a held-out positive in `targets`: the candidates re-rankers re-order.
pub fn candidates(
    weights: &HostWeights,
    targets: &[Vec<u32>],
    exclude_a: &[Vec<u32>],
    exclude_b: Option<&[Vec<u32>]>,
    masked: Option<&[Vec<u32>]>,
    n: usize,
) -> Recommendations {
    per_user_scores(weights, &evaluated_users(targets), |u, scores| {
        for i in excluded(u, exclude_a, exclude_b, masked) {
            scores[i as usize] = f32::NEG_INFINITY;
        }
        let top = top_k(scores, n);
        let scored = top.iter().map(|&i| (i, scores[i as usize])).collect();
        (u as u32, scored)
    })
}

/// The users with at least one held-out positive in `targets`, ascending.
fn evaluated_users(targets: &[Vec<u32>]) -> Vec<usize> {
    (0..targets.len())
        .filter(|&u| !targets[u].is_empty())
        .collect()
}

/// `per_user(u, scores)` for each of `users`, in order, with `scores` user `u`'s score of
/// every item (the closure may overwrite them): users are scored [`SCORE_BLOCK`] at a time by
/// one matrix product, in parallel, each worker reusing one block buffer.
fn per_user_scores<T: Send>(
    weights: &HostWeights,
    users: &[usize],
    per_user: impl Fn(usize, &mut [f32]) -> T + Sync,
) -> Vec<T> {
    let n_items = weights.n_items();
    let scorer = weights.block_scorer();
    users
        .par_chunks(SCORE_BLOCK)
        .map_init(Vec::new, |block_scores, block| {
            scorer.score_users(block, block_scores);
            block
                .iter()
                .zip(block_scores.chunks_exact_mut(n_items.max(1)))
                .map(|(&u, scores)| per_user(u, scores))
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect()
}

/// Evaluates given top lists (e.g. re-ranked candidates) against `targets`: every metric of
/// [`evaluate`] but AUC, which needs the full ranking's scores (NaN, so absent from the
/// means). Users without held-out positives are skipped.
pub fn evaluate_lists(
    lists: Recommendations,
    targets: &[Vec<u32>],
    ctx: &EvalContext<'_>,
) -> TestReport {
    let n_items = ctx.train_counts.len();
    let popularity = metrics::ItemPopularity::new(ctx.train_counts);
    let columns = MetricKey::per_user_columns(ctx.ks);
    let results: Vec<UserResult> = lists
        .into_par_iter()
        .filter(|(u, _)| targets.get(*u as usize).is_some_and(|t| !t.is_empty()))
        .map(|(u, scored)| {
            let (top, top_scores): (Vec<u32>, Vec<f32>) = scored.into_iter().unzip();
            let relevant = &targets[u as usize];
            let values = user_values(
                u as usize,
                &top,
                relevant,
                f64::NAN,
                &columns,
                &popularity,
                ctx,
            );
            UserResult {
                user: u,
                values,
                top,
                top_scores,
            }
        })
        .collect();
    report(results, columns, n_items, ctx)
}

/// Only the means (for per-epoch curves).
pub fn evaluate_means(
    weights: &HostWeights,
    targets: &[Vec<u32>],
    exclude_a: &[Vec<u32>],
    exclude_b: Option<&[Vec<u32>]>,
    ctx: &EvalContext<'_>,
) -> MetricMap {
    evaluate(weights, targets, exclude_a, exclude_b, ctx).means
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluating_the_model_s_own_lists_gives_the_same_numbers_but_auc() {
        // 3 users × 6 items, d = 2; held-out positives for users 0 and 2 only.
        let weights = HostWeights {
            dim: 2,
            users: vec![1.0, 0.2, -0.3, 0.8, 0.5, 0.5],
            items: vec![0.9, 0.1, 0.2, 0.7, -0.4, 0.3, 0.6, 0.6, 0.1, -0.9, 0.3, 0.2],
            bias: vec![0.0, 0.1, 0.0, -0.1, 0.2, 0.0],
        };
        let train = vec![vec![1], vec![0], vec![5]];
        let targets = vec![vec![3], vec![], vec![0, 4]];
        let categories =
            ItemCategories::new(vec![vec![0], vec![1], vec![0, 1], vec![2], vec![1], vec![]]);
        let counts = [3u64, 1, 0, 2, 5, 1];
        let is_head = [false, false, false, false, true, false];
        let ctx = EvalContext {
            ks: &[2, 3],
            masked: None,
            train: &train,
            categories: &categories,
            train_counts: &counts,
            is_head: &is_head,
        };
        let full = evaluate(&weights, &targets, &train, None, &ctx);
        let lists = candidates(&weights, &targets, &train, None, None, 3);
        assert_eq!(lists.len(), 2, "only users with held-out positives");
        assert_eq!(lists, full.recommendations);
        let again = evaluate_lists(lists, &targets, &ctx);
        assert!(!again.means.contains_key(&MetricKey::AUC));
        assert!(full.means.contains_key(&MetricKey::AUC));
        for (key, value) in &again.means {
            assert!((full.means[key] - value).abs() < 1e-12, "{key}");
        }
        assert_eq!(again.means.len() + 1, full.means.len());
    }

    /// One user, items 0..6 scored 5, 4, 3, 2, 1, 0: item 1 is trained on, item 0 is held
    /// out for validation, item 3 for test, and item 2 was rated below the threshold.
    fn one_user_case() -> (HostWeights, ItemCategories) {
        let weights = HostWeights {
            dim: 1,
            users: vec![1.0],
            items: vec![5.0, 4.0, 3.0, 2.0, 1.0, 0.0],
            bias: vec![0.0; 6],
        };
        (weights, ItemCategories::new(vec![vec![]; 6]))
    }

    #[test]
    fn every_metric_ranks_the_same_candidates_under_each_below_threshold_rule() {
        let (weights, categories) = one_user_case();
        let (train, validation, test, below) =
            (vec![vec![1]], vec![vec![0]], vec![vec![3]], vec![vec![2]]);
        let counts = [0u64; 6];
        let is_head = [false; 6];
        let ndcg = |k| MetricKey::at(Metric::Ndcg, k);
        let p1 = MetricKey::at(Metric::Precision, 1);
        for (masked, top, auc, precision, ndcg2) in [
            // drop: item 2 is an ordinary candidate, ranked first (a miss) and a negative
            // for AUC: positive 3 (score 2) beats 4 and 5 but not 2 → AUC 2/3; the hit at
            // rank 2 gives NDCG@2 = 1/log2(3).
            (None, vec![2, 3], 2.0 / 3.0, 0.0, 1.0 / 3f64.log2()),
            // mask: item 2 is no candidate at all: item 3 first, above both negatives.
            (Some(&below[..]), vec![3, 4], 1.0, 1.0, 1.0),
        ] {
            let ctx = EvalContext {
                ks: &[1, 2],
                masked,
                train: &train,
                categories: &categories,
                train_counts: &counts,
                is_head: &is_head,
            };
            let r = evaluate(&weights, &test, &train, Some(&validation), &ctx);
            let items: Vec<u32> = r.recommendations[0].1.iter().map(|p| p.0).collect();
            // The validation item (the best score) and the training item are never candidates
            // at test time: not in the list, not a negative for AUC (2/3, not 2/5).
            assert_eq!(items, top, "masked: {masked:?}");
            assert!((r.means[&MetricKey::AUC] - auc).abs() < 1e-12);
            assert_eq!(r.means[&p1], precision);
            assert!((r.means[&ndcg(2)] - ndcg2).abs() < 1e-12);
            // The re-rankers' candidates follow the same rule.
            let c = candidates(&weights, &test, &train, Some(&validation), masked, 2);
            assert_eq!(c, r.recommendations);
        }
    }

    #[test]
    fn validation_metrics_know_nothing_of_the_test_split() {
        // On validation, only training items are excluded: the test item is an ordinary
        // candidate (listed, and a negative for AUC), exactly as an unseen item would be.
        let (weights, categories) = one_user_case();
        // Item 3 is the test item; the validation item scores below it here: item 4 (score 1).
        let train = vec![vec![1]];
        let validation = vec![vec![4]];
        let counts = [0u64; 6];
        let is_head = [false; 6];
        let ctx = EvalContext {
            ks: &[5],
            masked: None,
            train: &train,
            categories: &categories,
            train_counts: &counts,
            is_head: &is_head,
        };
        let r = evaluate(&weights, &validation, &train, None, &ctx);
        let items: Vec<u32> = r.recommendations[0].1.iter().map(|p| p.0).collect();
        assert_eq!(items, vec![0, 2, 3, 4, 5]);
        // Positive 4 (score 1) beats only item 5 of the negatives 0, 2, 3, 5: AUC 1/4.
        assert!((r.means[&MetricKey::AUC] - 0.25).abs() < 1e-12);
        // Had the test item been dropped from the negatives, AUC would read 1/3.
    }
}

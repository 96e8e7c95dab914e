//! The training objective `L = L_relevance + λ · L_diversity (+ L2)`, computed in one graph.
//!
//! The parts are returned separately so they can be logged separately; only `total` is
//! differentiated. The L2 term on the batch's rows is part of the objective only with
//! `train.weight_decay_on: batch_rows` (otherwise the optimizer decays the weights). `docs/objectives.md` derives every regulariser written here.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_sigmoid, sigmoid};

use crate::config::{Regularizer, RelevanceLoss};

pub mod host;

/// The parts of the objective for one batch, each `[1]`.
#[derive(Debug, Clone)]
pub struct Losses {
    /// What is minimised: `relevance + λ · diversity (+ l2)`.
    pub total: Tensor<1>,
    pub relevance: Tensor<1>,
    pub diversity: Tensor<1>,
    /// The L2 term on the batch's rows ([`batch_rows_l2`]), when it is part of the objective.
    pub l2: Option<Tensor<1>>,
}

/// Binary cross-entropy of positives against sampled negatives, averaged over all
/// `batch · (1 + n)` labelled pairs (as `BCEWithLogitsLoss` on the concatenation would be).
///
/// # Shapes
/// - positive: `[batch]`
/// - negative: `[batch, n]`
/// - output: `[1]`
pub fn bce_loss(positive: Tensor<1>, negative: Tensor<2>) -> Tensor<1> {
    let [batch, n] = negative.dims();
    let pairs = (batch * (1 + n)) as f64;
    // −log σ(s) for positives, −log σ(−s) = −log(1 − σ(s)) for negatives.
    let pos = log_sigmoid(positive).sum(); // [1]
    let neg = log_sigmoid(negative.neg()).sum(); // [1]
    (pos + neg).neg().div_scalar(pairs)
}

/// Bayesian personalised ranking, averaged over all (positive, negative) pairs.
///
/// # Shapes
/// - positive: `[batch]`
/// - negative: `[batch, n]`
/// - output: `[1]`
pub fn bpr_loss(positive: Tensor<1>, negative: Tensor<2>) -> Tensor<1> {
    let margin = positive.unsqueeze_dim::<2>(1) - negative; // [batch, n]
    log_sigmoid(margin).mean().neg()
}

/// Below this standard deviation a user's scores count as flat: [`exposure`] divides by
/// `sqrt(variance + STD_FLOOR²)`, so it is exactly invariant to rescaling while the spread of
/// the scores is well above it (BCE or BPR keep it there: flat scores cost the relevance loss
/// its whole margin).
pub const STD_FLOOR: f64 = 1e-6;

/// The standardised score given to items a user cannot be recommended (their training
/// items): far below any threshold, so their membership is exactly 0 in f32.
const MASKED_Z: f64 = -1.0e4;

/// Each user's soft exposure: the **soft membership of their top-K list**, over the items
/// they can still be recommended, as a distribution. Scores are first **standardised over
/// those items** (minus the mean, over the standard deviation): `z`. Then
/// `m(i) = σ((z_i − t) / τ)` with the threshold `t` set so that `Σ_i m(i) = K` — the soft
/// version of "the K highest", `t` the midpoint between the K-th and the (K+1)-th highest `z`
/// — and the exposure is `m / Σ m` (rows sum to 1).
///
/// Standardising makes the exposure invariant to a positive rescaling and to a shift of a
/// user's scores, as the ranking is, so a regulariser cannot be lowered by shrinking scores.
/// Membership, unlike a softmax, is at most 1 per item: one outlying score cannot absorb a
/// user's whole exposure (a softmax of standardised scores can, and was gamed that way:
/// see `docs/objectives.md`). The threshold is read off values detached from the graph; the
/// gradient flows through `z`, to the items near the top-K boundary. With K or fewer items
/// allowed, every allowed item is a full member.
/// Masked items (`allowed` = 0) get exactly zero exposure.
///
/// # Shapes
/// - scores: `[u, n_items]`
/// - allowed: `[u, n_items]`, 1 for an item the user can be recommended, 0 otherwise; every
///   row has at least one 1
/// - output: `[u, n_items]`, each row sums to 1
pub fn exposure(scores: Tensor<2>, allowed: Tensor<2>, temperature: f64, k: usize) -> Tensor<2> {
    let [users, n_items] = scores.dims();
    let count = allowed.clone().sum_dim(1); // [u, 1]
    let mean = (scores.clone() * allowed.clone()).sum_dim(1) / count.clone(); // [u, 1]
    let centred = (scores - mean) * allowed.clone(); // [u, n_items], 0 where masked
    let variance = centred.clone().square().sum_dim(1) / count; // [u, 1]
    let std = variance.add_scalar(STD_FLOOR * STD_FLOOR).sqrt(); // [u, 1]
    let masked = allowed.neg().add_scalar(1.0); // [u, n_items], 1 where masked
    let z = centred / std + masked.mul_scalar(MASKED_Z); // [u, n_items]

    // The hard top-K boundary of each user, off the graph.
    let device = z.device();
    let k = k.max(1);
    let threshold = if k >= n_items {
        Tensor::<2>::full([users, 1], MASKED_Z / 2.0, &device) // [u, 1]: everything is in
    } else {
        let top = z.clone().detach().topk(k + 1, 1); // [u, k + 1], descending
        top.narrow(1, k - 1, 2).mean_dim(1) // [u, 1]
    };
    let membership = sigmoid((z - threshold).div_scalar(temperature)); // [u, n_items]
    let total = membership.clone().sum_dim(1); // [u, 1]
    membership / total
}

/// Catalogue coverage: `1 − H(ē) / ln(n_items)`, where `ē` is the users' mean exposure:
/// 0 when the catalogue is exposed evenly, 1 when all exposure is on one item. Minimising it
/// moves each user's mass towards items the other users are not exposed to.
///
/// # Shapes
/// - exposure: `[u, n_items]` (rows from [`exposure`])
/// - output: `[1]`
pub fn exposure_entropy_loss(exposure: Tensor<2>) -> Tensor<1> {
    let [users, n_items] = exposure.dims();
    let mean = exposure.sum_dim(0).div_scalar(users as f64); // [1, n_items]
    // The log of a mean of distributions has no log-sum-exp form: clamp away from 0 instead
    // (an item's exposure is ≥ 0 and all sum to 1, so 0·log(1e-12) contributes nothing).
    let log_e = mean.clone().clamp_min(1e-12).log(); // [1, n_items]
    let entropy = (mean * log_e).sum().neg(); // [1]
    let max_entropy = (n_items.max(2) as f64).ln();
    entropy.div_scalar(max_entropy).neg().add_scalar(1.0)
}

/// Intra-list diversity: the expected category cosine similarity of two items drawn
/// independently from a user's exposure, averaged over users:
/// `mean_u Σ_ij p_u(i) p_u(j) cos(i, j) = mean_u ‖p_u C‖²`, with `C` the items' multi-hot
/// category rows scaled to unit length. In [0, 1]: 1 when a user's exposure lies in one
/// category; items without categories are similar to nothing (as in ILD).
///
/// # Shapes
/// - exposure: `[u, n_items]`
/// - categories: `[n_items, n_categories]`, unit-length rows (or zero rows)
/// - output: `[1]`
pub fn category_spread_loss(exposure: Tensor<2>, categories: Tensor<2>) -> Tensor<1> {
    let [users, _] = exposure.dims();
    let mass = exposure.matmul(categories); // [u, n_categories]
    mass.square().sum().div_scalar(users as f64)
}

/// Long tail and novelty: the expected log-popularity of a user's exposure, averaged over
/// users: `mean_u Σ_i p_u(i) ℓ_i`, `ℓ_i = ln(1 + n_i) / ln(1 + max_j n_j)` with `n_i` the
/// item's training interactions (see [`log_popularity`]). In [0, 1].
///
/// # Shapes
/// - exposure: `[u, n_items]`
/// - log_popularity: `[n_items]`
/// - output: `[1]`
pub fn popularity_penalty_loss(exposure: Tensor<2>, log_popularity: Tensor<1>) -> Tensor<1> {
    let [users, n_items] = exposure.dims();
    let weights = log_popularity.reshape([n_items, 1]); // [n_items, 1]
    exposure.matmul(weights).sum().div_scalar(users as f64)
}

/// `ℓ_i = ln(1 + n_i) / ln(1 + max_j n_j)` of per-item training counts, in [0, 1]
/// (all 0 when no item has an interaction).
pub fn log_popularity(train_counts: &[u64]) -> Vec<f32> {
    let max = train_counts.iter().copied().max().unwrap_or(0);
    let denominator = (max as f64).ln_1p();
    train_counts
        .iter()
        .map(|&n| {
            if denominator > 0.0 {
                ((n as f64).ln_1p() / denominator) as f32
            } else {
                0.0
            }
        })
        .collect()
}

/// The two-task model's diversity task: binary cross-entropy with soft targets of the
/// diversity head's scores, averaged over every labelled pair. A positive's target is how far
/// its categories lie from the user's training profile (1 − cosine), a sampled negative's is
/// 0: the head learns "relevant *and* outside the user's usual categories", and the shared
/// embeddings are pulled towards representing it.
///
/// Not invariant to rescaling, deliberately: it is a likelihood, minimised only where
/// `σ(s) = target`, so shrinking or inflating the scores raises it — nothing is won by
/// changing their scale.
///
/// # Shapes
/// - scores: `[batch, 1 + n]`, the diversity head's scores of each positive and its negatives
/// - targets: `[batch, 1 + n]`, in [0, 1]
/// - output: `[1]`
pub fn two_task_loss(scores: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    // −[y ln σ(s) + (1 − y) ln σ(−s)]
    let positive = log_sigmoid(scores.clone()) * targets.clone();
    let negative = log_sigmoid(scores.neg()) * targets.neg().add_scalar(1.0);
    (positive + negative).mean().neg()
}

/// Relevance loss of `kind` on candidate scores whose first column is the positive.
///
/// # Shapes
/// - scores: `[batch, 1 + n]`, column 0 the positive, the rest its sampled negatives
/// - output: `[1]`
pub fn relevance_loss(kind: RelevanceLoss, scores: Tensor<2>) -> Tensor<1> {
    let [batch, cols] = scores.dims();
    let positive = scores.clone().narrow(1, 0, 1).reshape([batch]); // [batch]
    let negative = scores.narrow(1, 1, cols - 1); // [batch, n]
    match kind {
        RelevanceLoss::Bce => bce_loss(positive, negative),
        RelevanceLoss::Bpr => bpr_loss(positive, negative),
    }
}

/// Per-run tables of the catalogue on the device, read by the regularisers.
#[derive(Debug, Clone)]
pub struct ItemTables {
    /// `[n_items, n_categories]`: each item's multi-hot categories scaled to unit length.
    pub categories: Tensor<2>,
    /// `[n_items]`: [`log_popularity`] of the training counts.
    pub log_popularity: Tensor<1>,
}

/// What one batch's regularisers read; the training loop computes only what its terms need
/// (see [`Regularizer::needs_exposure`]).
#[derive(Debug, Clone, Default)]
pub struct DiversityInputs {
    /// `[u, n_items]`, from [`exposure`], for distinct users drawn uniformly.
    pub exposure: Option<Tensor<2>>,
    /// The diversity head's scores of the batch's candidates and their targets, both
    /// `[batch, 1 + n]` (see [`two_task_loss`]).
    pub two_task: Option<(Tensor<2>, Tensor<2>)>,
}

/// `L_diversity = Σ_k w_k · L_k` over the configured terms (one term, weight 1, is the usual
/// case).
///
/// # Panics
/// If a term's input is missing from `inputs` (a bug of the training loop, not of the input).
pub fn diversity_loss(
    terms: &[(Regularizer, f64)],
    inputs: DiversityInputs,
    items: &ItemTables,
) -> Tensor<1> {
    let mut total: Option<Tensor<1>> = None;
    for &(regularizer, weight) in terms {
        let exposure = || {
            inputs
                .exposure
                .clone()
                .expect("the training loop computes the exposure for this regulariser")
        };
        let term = match regularizer {
            Regularizer::ExposureEntropy => exposure_entropy_loss(exposure()),
            Regularizer::CategorySpread => {
                category_spread_loss(exposure(), items.categories.clone())
            }
            Regularizer::PopularityPenalty => {
                popularity_penalty_loss(exposure(), items.log_popularity.clone())
            }
            Regularizer::TwoTask => {
                let (scores, targets) = inputs
                    .two_task
                    .clone()
                    .expect("the training loop computes the diversity head's scores");
                two_task_loss(scores, targets)
            }
        }
        .mul_scalar(weight);
        total = Some(match total {
            Some(t) => t + term,
            None => term,
        });
    }
    total.expect("a diversity method has at least one term")
}

/// Combines the parts: `total = relevance + λ · diversity (+ l2)`.
pub fn combine(
    relevance: Tensor<1>,
    diversity: Tensor<1>,
    lambda: f64,
    l2: Option<Tensor<1>>,
) -> Losses {
    let total = relevance.clone() + diversity.clone().mul_scalar(lambda);
    Losses {
        total: plus_l2(total, l2.as_ref()),
        relevance,
        diversity,
        l2,
    }
}

/// `total + l2`, or `total` when the objective has no L2 term.
pub fn plus_l2(total: Tensor<1>, l2: Option<&Tensor<1>>) -> Tensor<1> {
    match l2 {
        Some(l2) => total + l2.clone(),
        None => total,
    }
}

/// The L2 term on a batch's rows, `rate · ½ Σ ‖row‖² / batch`, from their summed squared
/// norms (`MatrixFactorization::batch_rows_squared_norm`) over the `batch` (user, positive)
/// pairs.
///
/// RecBole's `EmbLoss` and LightGCN's `reg_loss` normalise the same way (the ½, and the mean
/// over the batch's pairs rather than over rows), so their `reg_weight` / `weight_decay`
/// values carry over. The ½ makes a row's gradient `rate · c · row / batch` for a row touched
/// `c` times: coupled decay's `rate · row`, on the touched rows only and scaled by `c / batch`.
///
/// # Shapes
/// - squared_norm: `[1]`; output: `[1]`
pub fn batch_rows_l2(squared_norm: Tensor<1>, batch: usize, rate: f64) -> Tensor<1> {
    squared_norm.mul_scalar(rate * 0.5 / batch as f64)
}

#[cfg(test)]
mod tests {
    //! Hand-computed values on burn's flex CPU backend, and the direction of each gradient.
    //! Scores of `ln 3` and `0` make the sigmoids exact fractions:
    //! σ(ln 3) = 3/4, σ(0) = 1/2, σ(−ln 3) = 1/4.

    use super::*;
    use burn::tensor::{Device, TensorData};

    const LN3: f64 = 1.098_612_288_668_109_8;

    fn value(t: Tensor<1>) -> f64 {
        assert_eq!(t.dims(), [1]);
        f64::from(t.into_scalar::<f32>())
    }

    fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
        t.try_into_vec_as::<f32>()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect()
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-5,
            "{actual} is not {expected}"
        );
    }

    #[test]
    fn bce_averages_over_every_labelled_pair() {
        let device = Device::flex();
        // Positives 0 and ln 3, one negative each: 0 and ln 3. Four labelled pairs:
        // −[ln σ(0) + ln σ(ln 3) + ln σ(−0) + ln σ(−ln 3)] / 4 = −[ln ½ + ln ¾ + ln ½ + ln ¼] / 4.
        let positive = Tensor::<1>::from_floats([0.0, LN3], &device);
        let negative = Tensor::<2>::from_floats([[0.0], [LN3]], &device);
        let expected = -(0.5f64.ln() + 0.75f64.ln() + 0.5f64.ln() + 0.25f64.ln()) / 4.0;
        assert_close(value(bce_loss(positive, negative)), expected);
    }

    #[test]
    fn bpr_averages_log_sigmoid_of_the_margins() {
        let device = Device::flex();
        // Margins [[ln 3 − 0, ln 3 − ln 3], [0 − 0, 0 − ln 3]] = [[ln 3, 0], [0, −ln 3]]:
        // −[ln ¾ + ln ½ + ln ½ + ln ¼] / 4.
        let positive = Tensor::<1>::from_floats([LN3, 0.0], &device);
        let negative = Tensor::<2>::from_floats([[0.0, LN3], [0.0, LN3]], &device);
        let expected = -(0.75f64.ln() + 0.5f64.ln() + 0.5f64.ln() + 0.25f64.ln()) / 4.0;
        assert_close(value(bpr_loss(positive, negative)), expected);
    }

    #[test]
    fn relevance_loss_takes_column_zero_as_the_positive() {
        let device = Device::flex();
        // The same numbers as the BCE and BPR cases above, as `[batch, 1 + n]` candidates.
        let scores = Tensor::<2>::from_floats([[0.0, 0.0], [LN3, LN3]], &device);
        let bce = -(0.5f64.ln() + 0.75f64.ln() + 0.5f64.ln() + 0.25f64.ln()) / 4.0;
        assert_close(value(relevance_loss(RelevanceLoss::Bce, scores)), bce);
        let scores = Tensor::<2>::from_floats([[LN3, 0.0, LN3], [0.0, 0.0, LN3]], &device);
        let bpr = -(0.75f64.ln() + 0.5f64.ln() + 0.5f64.ln() + 0.25f64.ln()) / 4.0;
        assert_close(value(relevance_loss(RelevanceLoss::Bpr, scores)), bpr);
    }

    #[test]
    fn combine_adds_lambda_times_diversity_and_keeps_the_parts() {
        let device = Device::flex();
        let relevance = Tensor::<1>::from_floats([0.5], &device);
        let diversity = Tensor::<1>::from_floats([0.25], &device);
        let losses = combine(relevance, diversity, 2.0, None);
        assert_close(value(losses.total), 1.0);
        assert_close(value(losses.relevance), 0.5);
        assert_close(value(losses.diversity), 0.25);
        assert!(losses.l2.is_none());
        let losses = combine(
            Tensor::<1>::from_floats([0.5], &device),
            Tensor::<1>::from_floats([0.25], &device),
            0.0,
            None,
        );
        assert_close(value(losses.total), 0.5);
        // The L2 term on the batch's rows adds to the total and is kept as its own part.
        let losses = combine(
            Tensor::<1>::from_floats([0.5], &device),
            Tensor::<1>::from_floats([0.25], &device),
            2.0,
            Some(Tensor::<1>::from_floats([0.125], &device)),
        );
        assert_close(value(losses.total), 1.125);
        assert_close(value(losses.l2.unwrap()), 0.125);
    }

    #[test]
    fn batch_rows_l2_is_half_the_rate_times_the_squared_norm_over_the_batch() {
        let device = Device::flex();
        // rate 0.1, Σ‖row‖² = 39.25 over 2 pairs: 0.1 · ½ · 39.25 / 2 = 0.98125.
        let l2 = batch_rows_l2(Tensor::<1>::from_floats([39.25], &device), 2, 0.1);
        assert_close(value(l2), 0.981_25);
        // Its gradient for a row touched once is rate · row / batch: d/dw of
        // 0.1 · ½ · w² / 2 at w = 3 is 0.15.
        let device = device.autodiff();
        let w = Tensor::<1>::from_floats([3.0], &device).require_grad();
        let grads = batch_rows_l2(w.clone().square(), 2, 0.1).backward();
        assert_close(values(w.grad(&grads).unwrap())[0], 0.15);
    }

    #[test]
    fn bce_gradient_raises_positives_and_lowers_negatives() {
        let device = Device::flex().autodiff();
        let positive = Tensor::<1>::from_floats([0.3, -1.0], &device).require_grad();
        let negative = Tensor::<2>::from_floats([[0.2, -0.1], [1.5, 0.0]], &device).require_grad();
        let grads = bce_loss(positive.clone(), negative.clone()).backward();
        let g_pos = values(positive.grad(&grads).unwrap());
        let g_neg = values(negative.grad(&grads).unwrap());
        // d/ds −ln σ(s) = −(1 − σ(s)) < 0 and d/ds −ln σ(−s) = σ(s) > 0, each over 6 pairs.
        let sigmoid = |s: f64| 1.0 / (1.0 + (-s).exp());
        for (g, s) in g_pos.iter().zip([0.3, -1.0]) {
            assert!(*g < 0.0, "positive gradient {g}");
            assert_close(*g, -(1.0 - sigmoid(s)) / 6.0);
        }
        for (g, s) in g_neg.iter().zip([0.2, -0.1, 1.5, 0.0]) {
            assert!(*g > 0.0, "negative gradient {g}");
            assert_close(*g, sigmoid(s) / 6.0);
        }
    }

    fn matrix(rows: &[Vec<f64>], device: &Device) -> Tensor<2> {
        let (r, c) = (rows.len(), rows[0].len());
        let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
        Tensor::from_data(TensorData::new(flat, [r, c]), device)
    }

    fn ones(r: usize, c: usize, device: &Device) -> Tensor<2> {
        Tensor::ones([r, c], device)
    }

    /// Scores [0, 2, 4, 6] have mean 3 and standard deviation √5, so
    /// z = [−3, −1, 1, 3]/√5. With K = 2 the threshold is the midpoint of the 2nd and 3rd
    /// highest, 0; at temperature (1/√5) / ln 3 the memberships are
    /// σ([−3 ln 3, −ln 3, ln 3, 3 ln 3]) = [1/28, 1/4, 3/4, 27/28], summing to 2: the exposure
    /// is [1, 7, 21, 27]/56.
    fn hand_temperature() -> f64 {
        1.0 / 5f64.sqrt() / LN3
    }

    const HAND_K: usize = 2;
    const HAND: [f64; 4] = [1.0 / 56.0, 7.0 / 56.0, 21.0 / 56.0, 27.0 / 56.0];

    fn hand_scores() -> Vec<f64> {
        vec![0.0, 2.0, 4.0, 6.0]
    }

    #[test]
    fn exposure_is_the_soft_top_k_membership_of_standardised_scores() {
        let device = Device::flex();
        let e = values(exposure(
            matrix(&[hand_scores()], &device),
            ones(1, 4, &device),
            hand_temperature(),
            HAND_K,
        ));
        for (got, want) in e.iter().zip(HAND) {
            assert_close(*got, want);
        }
        // A masked item (the user's training item, score 100) takes no exposure and does not
        // enter the mean, the spread or the threshold: the other four read as above.
        let e = values(exposure(
            matrix(&[vec![0.0, 100.0, 2.0, 4.0, 6.0]], &device),
            matrix(&[vec![1.0, 0.0, 1.0, 1.0, 1.0]], &device),
            hand_temperature(),
            HAND_K,
        ));
        for (got, want) in e.iter().zip([HAND[0], 0.0, HAND[1], HAND[2], HAND[3]]) {
            assert_close(*got, want);
        }
        // K at least the catalogue: every allowed item is a full member.
        let all = values(exposure(
            matrix(&[hand_scores()], &device),
            ones(1, 4, &device),
            hand_temperature(),
            4,
        ));
        for got in all {
            assert_close(got, 0.25);
        }
    }

    #[test]
    fn one_outlying_score_cannot_take_more_than_its_share_of_the_top_k() {
        // A softmax of standardised scores puts almost everything on an outlier; membership
        // of the top K caps each item at 1 of K: here the outlier holds at most 1/3.
        let device = Device::flex();
        let mut row = vec![0.0; 50];
        row[7] = 1000.0;
        for (i, v) in row.iter_mut().enumerate().skip(10) {
            *v = (i % 5) as f64 * 0.1;
        }
        let e = values(exposure(
            matrix(&[row], &device),
            ones(1, 50, &device),
            0.3,
            3,
        ));
        assert!(e[7] <= 1.0 / 3.0 + 1e-5, "the outlier holds {}", e[7]);
        assert_close(e.iter().sum::<f64>(), 1.0);
    }

    /// Every exposure regulariser on the same scores, at the same temperature.
    fn regularisers(scores: &[Vec<f64>], allowed: &[Vec<f64>], device: &Device) -> [f64; 3] {
        let e = || exposure(matrix(scores, device), matrix(allowed, device), 0.7, 1);
        let categories = matrix(
            &[
                vec![1.0, 0.0],
                vec![0.5f64.sqrt(), 0.5f64.sqrt()],
                vec![0.0, 1.0],
                vec![0.0, 0.0],
            ],
            device,
        );
        let popularity = Tensor::<1>::from_floats([0.0, 0.5, 1.0, 0.25], device);
        [
            value(exposure_entropy_loss(e())),
            value(category_spread_loss(e(), categories)),
            value(popularity_penalty_loss(e(), popularity)),
        ]
    }

    #[test]
    fn every_exposure_regulariser_is_invariant_to_rescaling_and_shifting_the_scores() {
        let device = Device::flex();
        let scores = vec![vec![0.3, -1.2, 2.0, 0.9], vec![1.5, 0.2, -0.4, 0.0]];
        let allowed = vec![vec![1.0, 1.0, 1.0, 0.0], vec![1.0, 1.0, 1.0, 1.0]];
        let base = regularisers(&scores, &allowed, &device);
        for (scale, shift) in [
            (0.1, 0.0),
            (0.001, 0.0),
            (10.0, 0.0),
            (1.0, 3.0),
            (0.1, -7.0),
        ] {
            let moved: Vec<Vec<f64>> = scores
                .iter()
                .map(|row| row.iter().map(|s| s * scale + shift).collect())
                .collect();
            let got = regularisers(&moved, &allowed, &device);
            for (name, (b, g)) in ["exposure_entropy", "category_spread", "popularity_penalty"]
                .iter()
                .zip(base.iter().zip(got))
            {
                assert!(
                    (b - g).abs() < 1e-4,
                    "{name}: {b} at scale 1, {g} at scale {scale} shift {shift}"
                );
            }
        }
    }

    #[test]
    fn exposure_entropy_by_hand() {
        let device = Device::flex();
        // Users with scores [0, 2, 4, 6] and [2, 0, 4, 6]: exposures [1, 7, 21, 27]/56 and
        // [7, 1, 21, 27]/56; mean ē = [8, 8, 42, 54]/112, loss = 1 − H(ē)/ln 4.
        let e = exposure(
            matrix(&[hand_scores(), vec![2.0, 0.0, 4.0, 6.0]], &device),
            ones(2, 4, &device),
            hand_temperature(),
            HAND_K,
        );
        let mean = [8.0 / 112.0, 8.0 / 112.0, 42.0 / 112.0, 54.0 / 112.0];
        let entropy: f64 = -mean.iter().map(|p: &f64| p * p.ln()).sum::<f64>();
        assert_close(value(exposure_entropy_loss(e)), 1.0 - entropy / 4f64.ln());
        // Even exposure: 0. One item: 1.
        let even = exposure(
            matrix(&[vec![0.5; 4]], &device),
            ones(1, 4, &device),
            1.0,
            2,
        );
        assert_close(value(exposure_entropy_loss(even)), 0.0);
        let one = Tensor::<2>::from_floats([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], &device);
        assert_close(value(exposure_entropy_loss(one)), 1.0);
    }

    #[test]
    fn category_spread_by_hand_is_the_expected_pairwise_cosine() {
        let device = Device::flex();
        // Items: 0 in {a}, 1 in {a, b}, 2 in {b}, 3 without categories; exposure p = HAND.
        // cos(0,1) = cos(1,2) = 1/√2, cos(0,2) = 0, cos(i,i) = 1, item 3 similar to nothing:
        // Σ_ij p_i p_j cos(i,j) = p_0² + p_1² + p_2² + 2/√2 (p_0 p_1 + p_1 p_2).
        let p = HAND;
        let expected = p[0] * p[0]
            + p[1] * p[1]
            + p[2] * p[2]
            + 2.0 / 2f64.sqrt() * (p[0] * p[1] + p[1] * p[2]);
        let e = exposure(
            matrix(&[hand_scores()], &device),
            ones(1, 4, &device),
            hand_temperature(),
            HAND_K,
        );
        let r = 0.5f64.sqrt();
        let categories = matrix(
            &[vec![1.0, 0.0], vec![r, r], vec![0.0, 1.0], vec![0.0, 0.0]],
            &device,
        );
        assert_close(value(category_spread_loss(e, categories)), expected);
    }

    #[test]
    fn popularity_penalty_by_hand() {
        let device = Device::flex();
        // Training counts [0, 3, 8, 1]: ℓ = ln(1 + n) / ln 9 = [0, ln 4/ln 9, 1, ln 2/ln 9].
        let l = log_popularity(&[0, 3, 8, 1]);
        assert_close(f64::from(l[0]), 0.0);
        assert_close(f64::from(l[1]), 4f64.ln() / 9f64.ln());
        assert_close(f64::from(l[2]), 1.0);
        assert_eq!(log_popularity(&[0, 0]), vec![0.0, 0.0]);
        let e = exposure(
            matrix(&[hand_scores()], &device),
            ones(1, 4, &device),
            hand_temperature(),
            HAND_K,
        );
        let p = HAND;
        let expected = p[1] * 4f64.ln() / 9f64.ln() + p[2] + p[3] * 2f64.ln() / 9f64.ln();
        let weights = Tensor::<1>::from_floats(l.as_slice(), &device);
        assert_close(value(popularity_penalty_loss(e, weights)), expected);
    }

    /// One gradient step of `loss` on `start` (a `[u, n]` score matrix): the new scores.
    fn descend(start: &[Vec<f64>], loss: impl Fn(Tensor<2>) -> Tensor<1>) -> (f64, Vec<f64>) {
        let device = Device::flex().autodiff();
        let scores = matrix(start, &device).require_grad();
        let l = loss(scores.clone());
        let before = value(l.clone());
        let grad = values(scores.grad(&l.backward()).unwrap());
        let after = start
            .iter()
            .flatten()
            .zip(&grad)
            .map(|(s, g)| s - 0.5 * g)
            .collect();
        (before, after)
    }

    fn rows(flat: &[f64], n: usize) -> Vec<Vec<f64>> {
        flat.chunks(n).map(<[f64]>::to_vec).collect()
    }

    /// The exposure (temperature 1, nothing masked) of `[u, n]` scores given flat.
    fn exposure_of(flat: &[f64], n: usize, k: usize) -> Vec<f64> {
        let device = Device::flex();
        let r = flat.len() / n;
        values(exposure(
            matrix(&rows(flat, n), &device),
            ones(r, n, &device),
            1.0,
            k,
        ))
    }

    // The exposure is invariant to shifting and rescaling each user's scores, so its gradient
    // is orthogonal to both directions: a descent step reshapes the scores rather than
    // shrinking them. What must hold is what the step does to the exposure.

    #[test]
    fn a_descent_step_on_exposure_entropy_lowers_the_item_everyone_is_shown() {
        let start = vec![
            vec![2.0, 0.0, 0.1, -0.3, 0.4],
            vec![2.0, 0.5, 0.0, 0.2, -0.6],
        ];
        let (before, after) = descend(&start, |s| {
            let allowed = Tensor::ones_like(&s);
            exposure_entropy_loss(exposure(s, allowed, 1.0, 1))
        });
        let flat: Vec<f64> = start.iter().flatten().copied().collect();
        // K = 1: item 0 is each user's top item, and the boundary the regulariser moves.
        let (old, new) = (exposure_of(&flat, 5, 1), exposure_of(&after, 5, 1));
        for u in 0..2 {
            assert!(
                new[u * 5] < old[u * 5],
                "user {u}: the shared top item's exposure must fall"
            );
        }
        let device = Device::flex();
        let moved = exposure_entropy_loss(exposure(
            matrix(&rows(&after, 5), &device),
            ones(2, 5, &device),
            1.0,
            1,
        ));
        assert!(value(moved) < before, "the loss must fall");
    }

    #[test]
    fn a_descent_step_on_category_spread_moves_exposure_out_of_the_dominant_category() {
        // Items 0, 1 and 2 in category a, items 3 and 4 in b; the user's top items are in a.
        let start = vec![vec![2.0, 1.8, 0.5, 0.0, 0.2]];
        let categories = |device: &Device| {
            let (a, b) = (vec![1.0, 0.0], vec![0.0, 1.0]);
            matrix(&[a.clone(), a.clone(), a, b.clone(), b], device)
        };
        let (before, after) = descend(&start, |s| {
            let device = s.device();
            let allowed = Tensor::ones_like(&s);
            category_spread_loss(exposure(s, allowed, 1.0, 2), categories(&device))
        });
        let in_b = |e: &[f64]| e[3] + e[4];
        let (old, new) = (exposure_of(&start[0], 5, 2), exposure_of(&after, 5, 2));
        assert!(
            in_b(&new) > in_b(&old),
            "category b's exposure must grow: {} → {}",
            in_b(&old),
            in_b(&new)
        );
        let device = Device::flex();
        let moved = category_spread_loss(
            exposure(
                matrix(&rows(&after, 5), &device),
                ones(1, 5, &device),
                1.0,
                2,
            ),
            categories(&device),
        );
        assert!(value(moved) < before, "the loss must fall");
    }

    #[test]
    fn a_descent_step_on_popularity_penalty_favours_the_long_tail() {
        // Items 0..4 from the most to the least popular; the user's scores favour the head.
        let start = vec![vec![1.5, 1.0, 0.0, -0.5, 0.2]];
        let weights = [1.0, 0.8, 0.5, 0.1, 0.0];
        let (before, after) = descend(&start, |s| {
            let device = s.device();
            let allowed = Tensor::ones_like(&s);
            let weights = Tensor::<1>::from_floats(weights, &device);
            popularity_penalty_loss(exposure(s, allowed, 1.0, 1), weights)
        });
        let (old, new) = (exposure_of(&start[0], 5, 1), exposure_of(&after, 5, 1));
        assert!(new[0] < old[0], "the head item's exposure must fall");
        assert!(new[4] > old[4], "the tail item's exposure must grow");
        let expected: f64 = new.iter().zip(weights).map(|(p, w)| p * w).sum();
        assert!(
            expected < before,
            "the loss must fall: {before} → {expected}"
        );
    }

    #[test]
    fn two_task_loss_by_hand_and_it_cannot_be_lowered_by_rescaling() {
        let device = Device::flex();
        // Scores [ln 3, 0] with targets [3/4, 0]:
        // −[¾ ln σ(ln 3) + ¼ ln σ(−ln 3)] and −ln σ(0), averaged over 2 pairs.
        let scores = Tensor::<2>::from_floats([[LN3, 0.0]], &device);
        let targets = Tensor::<2>::from_floats([[0.75, 0.0]], &device);
        let expected = -(0.75 * 0.75f64.ln() + 0.25 * 0.25f64.ln() + 0.5f64.ln()) / 2.0;
        assert_close(value(two_task_loss(scores, targets.clone())), expected);
        // At calibrated scores (σ(s) = target, here s = ln 3 for ¾ and a very low score for
        // 0) any rescaling raises the loss: the scale cannot be gamed.
        let calibrated = [LN3, -20.0];
        let at = |c: f64| {
            let s = Tensor::<2>::from_floats([[calibrated[0] * c, calibrated[1] * c]], &device);
            value(two_task_loss(s, targets.clone()))
        };
        let best = at(1.0);
        for c in [0.1, 0.5, 2.0, 10.0] {
            assert!(at(c) > best, "scale {c}: {} <= {best}", at(c));
        }
    }

    #[test]
    fn the_diversity_loss_sums_its_weighted_terms() {
        let device = Device::flex();
        let e = exposure(
            matrix(&[vec![1.0, 2.0, 3.0]], &device),
            ones(1, 3, &device),
            hand_temperature(),
            HAND_K,
        );
        let r = 0.5f64.sqrt();
        let items = ItemTables {
            categories: matrix(&[vec![1.0, 0.0], vec![r, r], vec![0.0, 1.0]], &device),
            log_popularity: Tensor::<1>::from_floats([0.0, 0.5, 1.0], &device),
        };
        let inputs = DiversityInputs {
            exposure: Some(e.clone()),
            two_task: None,
        };
        let entropy = value(exposure_entropy_loss(e.clone()));
        let popularity = value(popularity_penalty_loss(e, items.log_popularity.clone()));
        let one = diversity_loss(
            &[(Regularizer::ExposureEntropy, 1.0)],
            inputs.clone(),
            &items,
        );
        assert_close(value(one), entropy);
        let mixed = diversity_loss(
            &[
                (Regularizer::ExposureEntropy, 2.0),
                (Regularizer::PopularityPenalty, 0.5),
            ],
            inputs,
            &items,
        );
        assert_close(value(mixed), 2.0 * entropy + 0.5 * popularity);
    }
}

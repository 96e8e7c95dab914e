//! The training objective `L = L_relevance + λ · L_diversity`, computed in one graph.
//!
//! The three parts are returned separately so they can be logged separately; only `total`
//! is differentiated.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_sigmoid, softmax};

use crate::config::RelevanceLoss;

/// The three parts of the objective for one batch, each `[1]`.
#[derive(Debug, Clone)]
pub struct Losses {
    pub total: Tensor<1>,
    pub relevance: Tensor<1>,
    pub diversity: Tensor<1>,
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

/// `1 − H(e) / ln(n_items)`, where `e` is the mean over the given users of their softmax
/// exposure over the whole catalogue: 0 when exposure is spread evenly, 1 when it is one item.
/// Minimising it pushes each user's probability mass towards items others are not exposed to.
///
/// # Shapes
/// - scores: `[users, n_items]`
/// - output: `[1]`
pub fn exposure_entropy_loss(scores: Tensor<2>, temperature: f64) -> Tensor<1> {
    let [users, n_items] = scores.dims();
    let logits = scores.div_scalar(temperature); // [users, n_items]
    let exposure = softmax(logits, 1).sum_dim(0).div_scalar(users as f64); // [1, n_items]
    // The log of a mean of softmaxes has no log-sum-exp form: clamp away from 0 instead
    // (an item's exposure is ≥ 0 and all sum to 1, so 0·log(1e-12) contributes nothing).
    let log_e = exposure.clone().clamp_min(1e-12).log(); // [1, n_items]
    let entropy = (exposure * log_e).sum().neg(); // [1]
    let max_entropy = (n_items.max(2) as f64).ln();
    entropy.div_scalar(max_entropy).neg().add_scalar(1.0)
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

/// Combines the parts: `total = relevance + λ · diversity`.
pub fn combine(relevance: Tensor<1>, diversity: Tensor<1>, lambda: f64) -> Losses {
    let total = relevance.clone() + diversity.clone().mul_scalar(lambda);
    Losses {
        total,
        relevance,
        diversity,
    }
}

#[cfg(test)]
mod tests {
    //! Hand-computed values on burn's flex CPU backend, and the direction of each gradient.
    //! Scores of `ln 3` and `0` make the sigmoids and softmaxes exact fractions:
    //! σ(ln 3) = 3/4, σ(0) = 1/2, σ(−ln 3) = 1/4, softmax([ln 3, 0]) = [3/4, 1/4].

    use super::*;
    use burn::tensor::Device;

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
    fn exposure_entropy_is_zero_for_even_exposure_and_near_one_for_a_single_item() {
        let device = Device::flex();
        let uniform =
            Tensor::<2>::from_floats([[0.7, 0.7, 0.7, 0.7], [-2.0, -2.0, -2.0, -2.0]], &device);
        assert_close(value(exposure_entropy_loss(uniform, 1.0)), 0.0);
        // Each user concentrated, but on different items: the catalogue's exposure is even.
        // softmax([ln 3, 0]) = [¾, ¼], softmax([0, ln 3]) = [¼, ¾], mean [½, ½].
        let opposite = Tensor::<2>::from_floats([[LN3, 0.0], [0.0, LN3]], &device);
        assert_close(value(exposure_entropy_loss(opposite, 1.0)), 0.0);
        let dominant = Tensor::<2>::from_floats([[30.0, 0.0, 0.0], [30.0, 0.0, 0.0]], &device);
        let loss = value(exposure_entropy_loss(dominant, 1.0));
        assert!(loss > 0.999 && loss <= 1.0 + 1e-6, "{loss}");
    }

    #[test]
    fn exposure_entropy_by_hand_on_two_users_and_three_items() {
        let device = Device::flex();
        // Scores [[2 ln 3, 0, 0], [0, 0, 0]] at temperature 2 are logits [[ln 3, 0, 0], [0, 0, 0]]:
        //   user 0: softmax = [3, 1, 1] / 5 = [0.6, 0.2, 0.2]
        //   user 1: softmax = [1, 1, 1] / 3
        //   exposure e = mean = [(0.6 + ⅓)/2, (0.2 + ⅓)/2, (0.2 + ⅓)/2] = [7/15, 4/15, 4/15]
        //   H(e) = −(7/15 ln 7/15 + 2 · 4/15 ln 4/15) ≈ 1.0606
        //   loss = 1 − H(e) / ln 3 ≈ 1 − 1.0606 / 1.0986 ≈ 0.0346
        let scores = Tensor::<2>::from_floats([[2.0 * LN3, 0.0, 0.0], [0.0, 0.0, 0.0]], &device);
        let e = [7.0 / 15.0, 4.0 / 15.0, 4.0 / 15.0];
        let entropy: f64 = -e.iter().map(|p: &f64| p * p.ln()).sum::<f64>();
        let expected = 1.0 - entropy / 3f64.ln();
        assert!((expected - 0.0346).abs() < 1e-4, "{expected}");
        assert_close(value(exposure_entropy_loss(scores, 2.0)), expected);
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
        let losses = combine(relevance, diversity, 2.0);
        assert_close(value(losses.total), 1.0);
        assert_close(value(losses.relevance), 0.5);
        assert_close(value(losses.diversity), 0.25);
        let losses = combine(
            Tensor::<1>::from_floats([0.5], &device),
            Tensor::<1>::from_floats([0.25], &device),
            0.0,
        );
        assert_close(value(losses.total), 0.5);
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

    #[test]
    fn a_descent_step_on_exposure_entropy_lowers_the_dominant_item() {
        let device = Device::flex().autodiff();
        let start = [[2.0, 0.0, 0.0], [2.0, 0.5, 0.0]];
        let scores = Tensor::<2>::from_floats(start, &device).require_grad();
        let loss = exposure_entropy_loss(scores.clone(), 1.0);
        let before = value(loss.clone());
        let grad = values(scores.grad(&loss.backward()).unwrap());
        let step = 0.5;
        let after: Vec<f64> = start
            .iter()
            .flatten()
            .zip(&grad)
            .map(|(s, g)| s - step * g)
            .collect();
        for u in 0..2 {
            let (old, new) = (&start[u], &after[u * 3..u * 3 + 3]);
            assert!(
                grad[u * 3] > 0.0,
                "user {u}: the dominant item's gradient is positive"
            );
            for i in 1..3 {
                assert!(
                    new[0] - new[i] < old[0] - old[i],
                    "user {u}: item 0's lead over item {i} must shrink"
                );
            }
        }
        let rows = [
            [after[0], after[1], after[2]],
            [after[3], after[4], after[5]],
        ];
        let moved = value(exposure_entropy_loss(
            Tensor::<2>::from_floats(rows, &Device::flex()),
            1.0,
        ));
        assert!(moved < before, "the loss must fall: {before} → {moved}");
    }
}

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

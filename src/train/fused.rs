//! The fused CPU engine: matrix factorisation's training step written out by hand over host
//! arrays, for `train.backend: cpu` with `train.cpu_engine: fused` (the default).
//!
//! burn's flex backend spends an MF step on framework work, not arithmetic: every Adam update
//! is a dozen whole-tensor operations, each allocating and passing over all `(n_users +
//! n_items) · d` weights, and the embedding gradients are dense tensors built by scatter. Here
//! one step is three loops: the candidates' scores and the relevance loss's gradient
//! (`8,190 · d` multiply-adds at the bench's batch), its scatter into the gradient buffers,
//! and **one pass of Adam per parameter** that reads the gradient, updates both moments and
//! the weight, and zeroes the gradient for the next step (split over the run's threads).
//!
//! It is the **same objective and optimizer** as the burn engine, not an approximation: dense
//! Adam (every row moves every step, as burn's and PyTorch's do, untouched rows through their
//! moments), burn's update formula, the same coupled/decoupled/batch-rows decay, BCE or BPR.
//! The unit tests check four steps against the burn engine's on the same batch.
//!
//! The exposure regularisers are `objective::host`: the burn terms' values and gradients
//! written out by hand (checked there against burn's autodiff), fed by one matrix product
//! (`linalg::gemm`) for the exposure users' scores of every item and two for their
//! gradients. Their gradients are added to the buffers before the optimizer's pass. The
//! two-task heads are not covered: such a model trains with the burn engine.

use rayon::prelude::*;

use super::diversity::DiversityPlan;
use super::engine::EpochLosses;
use crate::config::{RelevanceLoss, TrainSpec, WeightDecay};
use crate::linalg::{Mat, Op, axpy, dot, gemm};
use crate::model::HostWeights;
use crate::objective::host;

/// Weights per chunk of Adam's pass: large enough to amortise a task, small enough that two
/// threads share a pass of an `n_items · d` matrix evenly.
const ADAM_CHUNK: usize = 16 * 1024;

/// Adam's settings, as the burn engine's optimizer has them (`super::burn_engine::optimizer`).
#[derive(Debug, Clone, Copy)]
struct AdamRule {
    lr: f32,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// `rate · p` added to the gradient (coupled decay, `torch.optim.Adam`).
    coupled: f32,
    /// `p ← p · (1 − lr · rate)` besides the step (AdamW).
    decoupled: f32,
}

impl AdamRule {
    fn new(t: &TrainSpec) -> Self {
        let (coupled, decoupled) = match t.weight_decay {
            WeightDecay::Coupled(rate) => (rate as f32, 0.0),
            WeightDecay::Decoupled(rate) => (0.0, rate as f32),
            WeightDecay::BatchRows(_) => (0.0, 0.0),
        };
        let [beta_1, beta_2] = t.adam_betas.map(|b| b as f32);
        Self {
            lr: t.learning_rate as f32,
            beta_1,
            beta_2,
            epsilon: t.adam_epsilon as f32,
            coupled,
            decoupled,
        }
    }
}

/// One parameter: its weights, its gradient buffer and Adam's two moments, all the same length.
#[derive(Debug, Clone)]
struct Param {
    w: Vec<f32>,
    grad: Vec<f32>,
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Param {
    fn new(w: Vec<f32>) -> Self {
        let n = w.len();
        Self {
            w,
            grad: vec![0.0; n],
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    /// One Adam step at step number `time` (from 1) over every weight, in burn's formulas
    /// (`burn_optim::optim::adam` and `adamw`), and the gradient zeroed for the next step.
    fn adam_step(&mut self, rule: AdamRule, time: i32) {
        let (b1, b2) = (rule.beta_1, rule.beta_2);
        // burn's Adam: p −= lr · m · (√bc₂ / bc₁) / (√v + ε · √bc₂); AdamW divides the
        // moments by their corrections first. The same value, rounded as each rounds it.
        let bc1 = 1.0 - b1.powi(time);
        let bc2 = 1.0 - b2.powi(time);
        let bc2_sqrt = bc2.sqrt();
        let factor = bc2_sqrt / bc1;
        let eps_scaled = rule.epsilon * bc2_sqrt;
        let shrink = 1.0 - rule.lr * rule.decoupled;
        let (lr, coupled, epsilon) = (rule.lr, rule.coupled, rule.epsilon);
        // Two loops without a branch inside, so that each vectorises.
        let adam = |w: &mut [f32], g: &mut [f32], m: &mut [f32], v: &mut [f32]| {
            for (((w, g), m), v) in w.iter_mut().zip(g.iter_mut()).zip(m).zip(v) {
                let grad = *g + coupled * *w;
                *g = 0.0;
                *m = b1 * *m + (1.0 - b1) * grad;
                *v = b2 * *v + (1.0 - b2) * (grad * grad);
                *w -= lr * ((*m * factor) / (v.sqrt() + eps_scaled));
            }
        };
        let adamw = |w: &mut [f32], g: &mut [f32], m: &mut [f32], v: &mut [f32]| {
            for (((w, g), m), v) in w.iter_mut().zip(g.iter_mut()).zip(m).zip(v) {
                let grad = *g;
                *g = 0.0;
                *m = b1 * *m + (1.0 - b1) * grad;
                *v = b2 * *v + (1.0 - b2) * (grad * grad);
                let delta = (*m / bc1) / ((*v / bc2).sqrt() + epsilon);
                *w = *w * shrink - lr * delta;
            }
        };
        let chunks = self
            .w
            .par_chunks_mut(ADAM_CHUNK)
            .zip(self.grad.par_chunks_mut(ADAM_CHUNK))
            .zip(self.m.par_chunks_mut(ADAM_CHUNK))
            .zip(self.v.par_chunks_mut(ADAM_CHUNK));
        if rule.decoupled != 0.0 {
            chunks.for_each(|(((w, g), m), v)| adamw(w, g, m, v));
        } else {
            chunks.for_each(|(((w, g), m), v)| adam(w, g, m, v));
        }
    }
}

impl Param {
    /// Adds `coef · row` to row `row`'s gradient (rows of `width` weights); returns the
    /// row's squared norm.
    fn decay_row(&mut self, row: usize, width: usize, coef: f32) -> f64 {
        let at = row * width..(row + 1) * width;
        let w = &self.w[at.clone()];
        axpy(coef, w, &mut self.grad[at]);
        f64::from(dot(w, w))
    }
}

/// What one step reads: the batch's pairs and their negatives, as the loop drew them.
pub(super) struct HostBatch<'a> {
    /// (user, positive item)
    pub pairs: &'a [(u32, u32)],
    /// `per_positive` negatives per pair, in pair order.
    pub negatives: &'a [u32],
    pub per_positive: usize,
}

/// The fused engine's model and optimizer state.
pub(super) struct FusedMf {
    dim: usize,
    users: Param,
    items: Param,
    bias: Param,
    rule: AdamRule,
    loss: RelevanceLoss,
    batch_rows_rate: Option<f32>,
    time: i32,
    /// The scores of the current batch's candidates, then their gradients (`[m · (1 + n)]`).
    scores: Vec<f32>,
    /// The exposure users' scores of every item, then their gradients (`[u · n_items]`).
    exposure: Vec<f32>,
    /// The regularisers' buffers, kept between steps.
    workspace: host::Workspace,
}

/// The loss parts of one step (NaN for a part the objective does not have).
#[derive(Debug, Clone, Copy)]
pub(super) struct StepLosses {
    pub total: f64,
    pub relevance: f64,
    pub diversity: f64,
    pub l2: f64,
}

impl FusedMf {
    /// Starts from `init` (the run's initial weights, drawn as the burn engine draws them).
    pub fn new(init: HostWeights, t: &TrainSpec) -> Self {
        Self {
            dim: init.dim,
            users: Param::new(init.users),
            items: Param::new(init.items),
            bias: Param::new(init.bias),
            rule: AdamRule::new(t),
            loss: t.loss,
            batch_rows_rate: t.weight_decay.batch_rows().map(|r| r as f32),
            time: 0,
            scores: Vec::new(),
            exposure: Vec::new(),
            workspace: host::Workspace::default(),
        }
    }

    /// The current weights.
    pub fn host_weights(&self) -> HostWeights {
        HostWeights {
            dim: self.dim,
            users: self.users.w.clone(),
            items: self.items.w.clone(),
            bias: self.bias.w.clone(),
        }
    }

    /// One optimizer step on `batch`, with the regularisers of `plan` weighted by `lambda`.
    pub fn step(
        &mut self,
        batch: &HostBatch<'_>,
        regularisers: Option<(&mut DiversityPlan, &[Vec<u32>])>,
        lambda: f64,
    ) -> StepLosses {
        let relevance = self.relevance_gradients(batch);
        let l2 = self.batch_rows_gradients(batch);
        let diversity = match regularisers {
            Some((plan, train)) => self.regulariser_gradients(plan, train, lambda),
            None => f64::NAN,
        };
        self.time += 1;
        for param in [&mut self.users, &mut self.items, &mut self.bias] {
            param.adam_step(self.rule, self.time);
        }
        let mut total = relevance;
        if !diversity.is_nan() {
            total += lambda * diversity;
        }
        if !l2.is_nan() {
            total += l2;
        }
        StepLosses {
            total,
            relevance,
            diversity,
            l2,
        }
    }

    /// Scores every candidate (the positive, then its negatives), computes the relevance loss
    /// and adds its gradient to the buffers. Returns the loss.
    fn relevance_gradients(&mut self, batch: &HostBatch<'_>) -> f64 {
        let d = self.dim;
        let n = batch.per_positive;
        let cols = 1 + n;
        let m = batch.pairs.len();
        let (users, items, bias) = (&self.users.w, &self.items.w, &self.bias.w);
        self.scores.clear();
        self.scores.resize(m * cols, 0.0);
        let item_of = |p: usize, j: usize| -> usize {
            if j == 0 {
                batch.pairs[p].1 as usize
            } else {
                batch.negatives[p * n + j - 1] as usize
            }
        };
        // Scores, split over threads by pair (read-only).
        self.scores
            .par_chunks_mut(cols)
            .enumerate()
            .for_each(|(p, row)| {
                let u = batch.pairs[p].0 as usize;
                let pu = &users[u * d..(u + 1) * d];
                for (j, s) in row.iter_mut().enumerate() {
                    let i = item_of(p, j);
                    *s = dot(pu, &items[i * d..(i + 1) * d]) + bias[i];
                }
            });
        // The loss, and dL/ds written over the scores.
        let loss = match self.loss {
            RelevanceLoss::Bce => {
                let pairs = (m * cols) as f64;
                let scale = 1.0 / pairs as f32;
                let mut sum = 0f64;
                for row in self.scores.chunks_exact_mut(cols) {
                    for (j, s) in row.iter_mut().enumerate() {
                        // −log σ(s) for the positive, −log σ(−s) for a negative.
                        let signed = if j == 0 { *s } else { -*s };
                        sum -= f64::from(log_sigmoid(signed));
                        let sigma = sigmoid(*s);
                        *s = if j == 0 { sigma - 1.0 } else { sigma } * scale;
                    }
                }
                sum / pairs
            }
            RelevanceLoss::Bpr => {
                let count = (m * n) as f64;
                let scale = 1.0 / count as f32;
                let mut sum = 0f64;
                for row in self.scores.chunks_exact_mut(cols) {
                    let positive = row[0];
                    let mut grad_positive = 0f32;
                    for s in &mut row[1..] {
                        let margin = positive - *s;
                        sum -= f64::from(log_sigmoid(margin));
                        // d(−log σ(x))/dx = −σ(−x); x = s⁺ − s⁻.
                        let g = sigmoid(-margin) * scale;
                        grad_positive -= g;
                        *s = g;
                    }
                    row[0] = grad_positive;
                }
                sum / count
            }
        };
        // The scatter: dL/dp_u = Σ g q_i, dL/dq_i = Σ g p_u, dL/db_i = Σ g. Rows repeat
        // within a batch, so this pass is sequential.
        let grads = &self.scores;
        let (gu, gi, gb) = (
            &mut self.users.grad,
            &mut self.items.grad,
            &mut self.bias.grad,
        );
        for (p, row) in grads.chunks_exact(cols).enumerate() {
            let u = batch.pairs[p].0 as usize;
            let pu = &users[u * d..(u + 1) * d];
            for (j, &g) in row.iter().enumerate() {
                let i = item_of(p, j);
                let qi = &items[i * d..(i + 1) * d];
                axpy(g, qi, &mut gu[u * d..(u + 1) * d]);
                axpy(g, pu, &mut gi[i * d..(i + 1) * d]);
                gb[i] += g;
            }
        }
        loss
    }

    /// The L2 term on the batch's rows (`objective::batch_rows_l2`) and its gradient, when the
    /// weights decay that way; NaN otherwise.
    fn batch_rows_gradients(&mut self, batch: &HostBatch<'_>) -> f64 {
        let Some(rate) = self.batch_rows_rate else {
            return f64::NAN;
        };
        let d = self.dim;
        let m = batch.pairs.len();
        // rate · ½ Σ‖row‖² / m: each occurrence of a row adds rate · row / m to its gradient.
        let coef = rate / m as f32;
        let mut squared = 0f64;
        let (users, items, bias) = (&mut self.users, &mut self.items, &mut self.bias);
        for (p, &(u, positive)) in batch.pairs.iter().enumerate() {
            squared += users.decay_row(u as usize, d, coef);
            let negatives = &batch.negatives[p * batch.per_positive..(p + 1) * batch.per_positive];
            for &i in std::iter::once(&positive).chain(negatives) {
                squared += items.decay_row(i as usize, d, coef);
                squared += bias.decay_row(i as usize, 1, coef);
            }
        }
        f64::from(rate) * 0.5 * squared / m as f64
    }

    /// λ times the regularisers' terms (`objective::host`, the burn terms' values and
    /// gradients written out by hand) on this batch's exposure users, their gradients added
    /// to the buffers. Returns `L_diversity` (without λ).
    ///
    /// The products are the exposure's cost: the users' scores of every item
    /// `S = P_u Qᵀ + b` (`[u × n_items]`), then `∂P_u = G Q` and `∂Q += Gᵀ P_u` from the
    /// scores' gradient `G`.
    fn regulariser_gradients(
        &mut self,
        plan: &mut DiversityPlan,
        train: &[Vec<u32>],
        lambda: f64,
    ) -> f64 {
        let d = self.dim;
        let n_items = self.bias.w.len();
        let users = plan
            .draw_exposure_users()
            .expect("the fused engine trains exposure regularisers only (no two-task heads)");
        let u = users.len();
        let rows: Vec<f32> = users
            .iter()
            .flat_map(|&user| self.users.w[user as usize * d..(user as usize + 1) * d].iter())
            .copied()
            .collect();
        let p = Mat::new(&rows, u, d);
        let q = Mat::new(&self.items.w, n_items, d);
        // S = P_u Qᵀ + b, split over threads by user rows.
        let mut scores = std::mem::take(&mut self.exposure);
        scores.resize(u * n_items, 0.0);
        let bias = &self.bias.w;
        par_row_blocks(&mut scores, n_items, &rows, d, |rows_block, out| {
            // The biases first, the product added onto them: `b + p·q` is `p·q + b`, without
            // a second pass over the block.
            for row in out.chunks_exact_mut(n_items) {
                row.copy_from_slice(bias);
            }
            let block = Mat::new(rows_block, rows_block.len() / d, d);
            gemm(block, Op::Plain, q, Op::Transposed, out, true);
        });
        let excluded: Vec<&[u32]> = users
            .iter()
            .map(|&u| train[u as usize].as_slice())
            .collect();
        let value = host::exposure_terms_backward(
            &mut self.workspace,
            &mut scores,
            &excluded,
            &host::ExposureTerms {
                terms: &plan.terms,
                tables: &plan.host_items,
                temperature: plan.temperature,
                k: plan.k,
            },
            lambda,
        );
        let g = Mat::new(&scores, u, n_items); // λ ∂L/∂S
        // ∂P_u = G Q, by blocks of users, into the users' rows.
        let mut grad_rows = vec![0f32; u * d];
        par_row_blocks(&mut grad_rows, d, &scores, n_items, |g_block, out| {
            let block = Mat::new(g_block, g_block.len() / n_items, n_items);
            gemm(block, Op::Plain, q, Op::Plain, out, false);
        });
        for (&user, add) in users.iter().zip(grad_rows.chunks_exact(d)) {
            let at = user as usize * d;
            axpy(1.0, add, &mut self.users.grad[at..at + d]);
        }
        // ∂Q += Gᵀ P_u by blocks of items (a block of G's columns each), ∂b += the column
        // sums of G.
        let threads = rayon::current_num_threads().max(1);
        let per_block = n_items.div_ceil(threads).max(1);
        self.items
            .grad
            .par_chunks_mut(per_block * d)
            .zip(self.bias.grad.par_chunks_mut(per_block))
            .enumerate()
            .for_each(|(b, (out, bias_out))| {
                let start = b * per_block;
                let block = g.columns(start, out.len() / d);
                gemm(block, Op::Transposed, p, Op::Plain, out, true);
                for row in scores.chunks_exact(n_items) {
                    axpy(1.0, &row[start..start + bias_out.len()], bias_out);
                }
            });
        self.exposure = scores;
        value
    }
}

/// Runs `work(a_block, out_block)` on blocks of whole rows, in parallel: `out` has rows of
/// `out_width`, `a` rows of `a_width`, one row of `a` per row of `out`.
fn par_row_blocks(
    out: &mut [f32],
    out_width: usize,
    a: &[f32],
    a_width: usize,
    work: impl Fn(&[f32], &mut [f32]) + Sync,
) {
    let rows = a.len() / a_width.max(1);
    let threads = rayon::current_num_threads().max(1);
    let per_block = rows.div_ceil(threads).max(1);
    out.par_chunks_mut(per_block * out_width)
        .zip(a.par_chunks(per_block * a_width))
        .for_each(|(out, a)| work(a, out));
}

/// An epoch's loss sums on the host.
#[derive(Debug, Default)]
pub(super) struct HostLossSums {
    sums: [f64; 4],
    batches: usize,
}

impl HostLossSums {
    pub fn add(&mut self, l: StepLosses) {
        for (s, v) in self
            .sums
            .iter_mut()
            .zip([l.total, l.relevance, l.diversity, l.l2])
        {
            *s += v;
        }
        self.batches += 1;
    }

    /// The means over the steps added (and the sums reset), `None` if there were none.
    pub fn take_means(&mut self) -> Option<EpochLosses> {
        let taken = std::mem::take(self);
        (taken.batches > 0).then(|| {
            let n = taken.batches as f64;
            EpochLosses {
                total: taken.sums[0] / n,
                relevance: taken.sums[1] / n,
                diversity: taken.sums[2] / n,
                l2: taken.sums[3] / n,
            }
        })
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `log σ(x) = −(max(−x, 0) + ln(1 + e^{−|x|}))`, without overflow for large `|x|`.
fn log_sigmoid(x: f32) -> f32 {
    -((-x).max(0.0) + (-x.abs()).exp().ln_1p())
}

#[cfg(test)]
mod tests {
    //! The fused engine against the burn engine (autodiff on flex, burn's optimizer): the same
    //! weights after the same steps, for every loss, decay and exposure regulariser.

    use std::path::Path;
    use std::sync::Arc;

    use burn::tensor::Device;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::config::{DiversityMethod, Experiment, Regularizer, RunMethod};
    use crate::metrics::ItemCategories;
    use crate::model::MatrixFactorizationConfig;
    use crate::train::burn_engine::BurnEngine;

    const USERS: usize = 6;
    const ITEMS: usize = 14;

    fn experiment(train_lines: &str) -> Experiment {
        let yaml = format!(
            "name: t\ndata:\n  source: synthetic\nsweep:\n  lambda: [0]\ntrain:\n  epochs: 1\n  learning_rate: 0.05\n{train_lines}"
        );
        crate::config::parse_str(&yaml, Path::new("/tmp/t.yaml")).unwrap()
    }

    fn train_lists() -> Vec<Vec<u32>> {
        vec![
            vec![0, 3],
            vec![1, 2, 7],
            vec![4],
            vec![5, 6, 9, 13],
            vec![8, 10],
            vec![11, 12],
        ]
    }

    fn plan(terms: &[(Regularizer, f64)], lambda: f64, device: &Device) -> Option<DiversityPlan> {
        let train = train_lists();
        let categories = Arc::new(ItemCategories::new(
            (0..ITEMS as u32)
                .map(|i| vec![i % 4, (i / 3) % 4])
                .collect(),
        ));
        // Popularity that varies (every item is in one training list above, and equal
        // counts would make the popularity term a constant).
        let counts: Vec<u64> = (0..ITEMS as u64).map(|i| 1 + i * i % 11).collect();
        DiversityPlan::new(
            &RunMethod::Regularized(DiversityMethod {
                terms: terms.to_vec(),
            }),
            lambda,
            3,
            0.4,
            3,
            4,
            &train,
            &counts,
            &categories,
            device,
        )
    }

    fn difference(a: &HostWeights, b: &HostWeights) -> f32 {
        let mut largest = 0f32;
        for (x, y) in [
            (&a.users, &b.users),
            (&a.items, &b.items),
            (&a.bias, &b.bias),
        ] {
            for (x, y) in x.iter().zip(y) {
                largest = largest.max((x - y).abs());
            }
        }
        largest
    }

    /// The fused and the burn engine's weights after `steps` steps on the same batch.
    fn both_engines(
        exp: &Experiment,
        terms: &[(Regularizer, f64)],
        lambda: f64,
        steps: usize,
    ) -> (HostWeights, HostWeights) {
        let device = Device::flex().autodiff();
        let model = MatrixFactorizationConfig {
            n_users: USERS,
            n_items: ITEMS,
            dim: 5,
            init_std: 0.3,
            two_task: false,
        }
        .init(&mut ChaCha8Rng::seed_from_u64(11), &device);
        let mut fused = FusedMf::new(model.host_weights(), &exp.train);
        let mut burn = BurnEngine::new(model, &exp.train, device.clone());
        let (mut fused_plan, mut burn_plan) =
            (plan(terms, lambda, &device), plan(terms, lambda, &device));
        let train = train_lists();
        // A user may repeat in a batch, and an item appear as positive and as negative.
        let pairs = [(0, 0), (1, 7), (3, 9), (0, 3), (5, 12)];
        let negatives = [1, 2, 5, 4, 9, 10, 0, 0, 13, 7];
        let batch = HostBatch {
            pairs: &pairs,
            negatives: &negatives,
            per_positive: 2,
        };
        for _ in 0..steps {
            let losses = fused.step(
                &batch,
                fused_plan.as_mut().map(|p| (p, train.as_slice())),
                lambda,
            );
            assert!(losses.total.is_finite());
            burn.step(
                &batch,
                burn_plan.as_mut().map(|p| (p, train.as_slice())),
                exp,
                lambda,
            );
        }
        (fused.host_weights(), burn.host_weights())
    }

    /// The largest absolute difference between the two engines' weights after `steps` steps.
    fn largest_difference(
        exp: &Experiment,
        terms: &[(Regularizer, f64)],
        lambda: f64,
        steps: usize,
    ) -> f32 {
        let (a, b) = both_engines(exp, terms, lambda, steps);
        difference(&a, &b)
    }

    #[test]
    fn relevance_steps_match_the_burn_engine_for_every_loss_and_decay() {
        for lines in [
            "  loss: bce\n  weight_decay: 0.01\n",
            "  loss: bpr\n  weight_decay: 0\n",
            "  loss: bce\n  weight_decay: 0.01\n  weight_decay_kind: decoupled\n",
            "  loss: bpr\n  weight_decay: 0.1\n  weight_decay_on: batch_rows\n",
            "  loss: bce\n  weight_decay: 0\n  adam_betas: [0.5, 0.9]\n  adam_epsilon: 1.0e-4\n",
        ] {
            let diff = largest_difference(&experiment(lines), &[], 0.0, 4);
            assert!(diff < 2e-5, "{lines}: weights differ by {diff}");
        }
    }

    #[test]
    fn regularised_steps_match_the_burn_engine_for_every_exposure_term() {
        let exp = experiment("  loss: bce\n  weight_decay: 0.001\n");
        for terms in [
            vec![(Regularizer::ExposureEntropy, 1.0)],
            vec![(Regularizer::CategorySpread, 1.0)],
            vec![(Regularizer::PopularityPenalty, 1.0)],
            vec![
                (Regularizer::ExposureEntropy, 0.5),
                (Regularizer::PopularityPenalty, 2.0),
            ],
        ] {
            let (fused, burn) = both_engines(&exp, &terms, 0.5, 4);
            let diff = difference(&fused, &burn);
            assert!(diff < 5e-5, "{terms:?}: weights differ by {diff}");
            // The regulariser moves the weights: without it they end elsewhere.
            let (plain, _) = both_engines(&exp, &[], 0.0, 4);
            let moved = difference(&fused, &plain);
            assert!(
                moved > 1e-4,
                "{terms:?}: λ moved the weights by {moved} only"
            );
        }
    }
}

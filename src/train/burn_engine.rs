//! The burn engine: a step as one autodiff graph on the run's device (wgpu, or flex on the
//! CPU with `train.cpu_engine: burn`), and burn's optimizer. Every model and every
//! regulariser trains here; the fused CPU engine (`super::fused`) covers plain MF.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::diversity::{self, DiversityPlan};
use super::engine::EpochLosses;
use super::fused::HostBatch;
use crate::config::{Experiment, TrainSpec, WeightDecay};
use crate::model::{HostWeights, MatrixFactorization, Scores, index_tensor};
use crate::objective::{self, DiversityInputs, Losses};

/// The model, its optimizer and the epoch's loss sums on the device.
pub(super) struct BurnEngine {
    /// Always `Some` between steps (the optimizer takes the model by value during one).
    model: Option<MatrixFactorization>,
    optim: ModuleOptimizer,
    sums: LossSums,
    device: Device,
}

impl BurnEngine {
    pub fn new(model: MatrixFactorization, t: &TrainSpec, device: Device) -> Self {
        Self {
            model: Some(model),
            optim: optimizer(t),
            sums: LossSums::default(),
            device,
        }
    }

    /// One optimizer step on `batch`, with the regularisers of `plan` weighted by `lambda`.
    pub fn step(
        &mut self,
        batch: &HostBatch<'_>,
        regularisers: Option<(&mut DiversityPlan, &[Vec<u32>])>,
        exp: &Experiment,
        lambda: f64,
    ) {
        let device = &self.device;
        let model = self
            .model
            .take()
            .expect("the model is back after every step");
        let on_device = Batch::assemble(batch.pairs, batch.negatives, batch.per_positive, device);
        let losses = match regularisers {
            Some((plan, train)) => {
                let exposure = plan.exposure_users(train, device);
                let targets = plan.two_task_targets(batch.pairs, batch.per_positive, device);
                regularised_losses(&model, on_device, plan, exposure, targets, exp, lambda)
            }
            None => relevance_only_losses(&model, on_device, exp),
        };
        let grads = GradientsParams::from_grads(losses.total.backward(), &model);
        self.model = Some(self.optim.step(exp.train.learning_rate, model, grads));
        self.sums.add(losses);
    }

    /// The epoch's mean losses (one read from the device), and the sums reset.
    pub fn take_means(&mut self) -> Option<EpochLosses> {
        std::mem::take(&mut self.sums).means()
    }

    pub fn host_weights(&self) -> HostWeights {
        self.model
            .as_ref()
            .expect("the model is back after every step")
            .host_weights()
    }
}

/// Adam with the configured ε and β, and the configured weight decay: coupled (Adam with
/// `rate · p` added to every gradient, `torch.optim.Adam(weight_decay=rate)`; none at 0),
/// decoupled (AdamW, `torch.optim.AdamW(weight_decay=rate)`), or none in the optimizer when
/// the decay is the objective's L2 term on the batch's rows.
///
/// burn's AdamW steps `p ← p · (1 − lr · rate) − lr · m̂ / (√v̂ + ε)`, PyTorch's formula; and
/// both of burn's optimizers divide by `√v̂ + ε` as PyTorch does. Only the defaults differ
/// (burn's ε is 1e-5 and AdamW's rate 1e-4; PyTorch's 1e-8 and 1e-2), and every one is set
/// here from the file.
pub(super) fn optimizer(t: &TrainSpec) -> ModuleOptimizer {
    let [beta_1, beta_2] = t.adam_betas.map(|b| b as f32);
    let epsilon = t.adam_epsilon as f32;
    let coupled = match t.weight_decay {
        WeightDecay::Decoupled(rate) => {
            return AdamWConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(epsilon)
                .with_weight_decay(rate as f32)
                .init();
        }
        WeightDecay::Coupled(rate) => (rate > 0.0).then(|| WeightDecayConfig::new(rate as f32)),
        // The decay is the objective's L2 term: none in the optimizer.
        WeightDecay::BatchRows(_) => None,
    };
    AdamConfig::new()
        .with_beta_1(beta_1)
        .with_beta_2(beta_2)
        .with_epsilon(epsilon)
        .with_weight_decay(coupled)
        .init()
}

/// One batch on the device: its users and each user's candidates, the positive first.
struct Batch {
    /// `[m]`
    users: Tensor<1, Int>,
    /// `[m, 1 + n]`: column 0 the pair's positive item, then its `n` sampled negatives.
    candidates: Tensor<2, Int>,
}

impl Batch {
    /// The batch of `pairs` (user, positive item), whose negatives are `negatives`,
    /// `per_positive` for each pair in pair order (`[pairs.len() * per_positive]`).
    fn assemble(
        pairs: &[(u32, u32)],
        negatives: &[u32],
        per_positive: usize,
        device: &Device,
    ) -> Self {
        debug_assert_eq!(negatives.len(), pairs.len() * per_positive);
        let m = pairs.len();
        let users: Vec<u32> = pairs.iter().map(|&(u, _)| u).collect();
        let mut candidates: Vec<i64> = Vec::with_capacity(m * (1 + per_positive));
        for (p, &(_, item)) in pairs.iter().enumerate() {
            candidates.push(i64::from(item));
            let at = p * per_positive;
            candidates.extend(
                negatives[at..at + per_positive]
                    .iter()
                    .map(|&i| i64::from(i)),
            );
        }
        Self {
            users: index_tensor(&users, device), // [m]
            candidates: Tensor::from_data(
                TensorData::new(candidates, [m, 1 + per_positive]),
                device,
            ), // [m, 1 + n]
        }
    }
}

/// The objective of a batch when nothing is regularised (λ = 0): the relevance loss alone
/// (plus the L2 term on the batch's rows, when that is how the weights decay). The diversity
/// part is not computed, and reads NaN ("not computed") in the logs.
fn relevance_only_losses(model: &MatrixFactorization, batch: Batch, exp: &Experiment) -> Losses {
    let l2 = batch_rows_l2(model, &batch, &exp.train); // [1]
    let scores = model
        .scorer()
        .candidate_scores(batch.users, batch.candidates); // [m, 1 + n]
    let relevance = objective::relevance_loss(exp.train.loss, scores); // [1]
    let diversity = Tensor::<1>::full([1], f64::NAN, &relevance.device()); // [1]
    Losses {
        total: objective::plus_l2(relevance.clone(), l2.as_ref()),
        relevance,
        diversity,
        l2,
    }
}

/// The objective's L2 term on `batch`'s rows (`objective::batch_rows_l2`), when
/// `train.weight_decay_on` is `batch_rows`; `None` when the optimizer decays the weights.
fn batch_rows_l2(model: &MatrixFactorization, batch: &Batch, t: &TrainSpec) -> Option<Tensor<1>> {
    let rate = t.weight_decay.batch_rows()?;
    let pairs = batch.users.dims()[0];
    let squared = model.batch_rows_squared_norm(batch.users.clone(), batch.candidates.clone()); // [1]
    Some(objective::batch_rows_l2(squared, pairs, rate)) // [1]
}

/// The objective of a batch: the relevance loss on its candidates, plus λ times the method's
/// terms on the exposure of `exposure`'s users and on the diversity head's scores (plus the L2
/// term on the batch's rows, when that is how the weights decay).
fn regularised_losses(
    model: &MatrixFactorization,
    batch: Batch,
    plan: &DiversityPlan,
    exposure: Option<diversity::ExposureBatch>,
    two_task_targets: Option<Tensor<2>>,
    exp: &Experiment,
    lambda: f64,
) -> Losses {
    let l2 = batch_rows_l2(model, &batch, &exp.train); // [1]
    // The representations once for the step's three kinds of scores.
    let scorer = model.scorer();
    let scores = scorer.candidate_scores(batch.users.clone(), batch.candidates.clone()); // [m, 1 + n]
    let relevance = objective::relevance_loss(exp.train.loss, scores); // [1]
    let inputs = DiversityInputs {
        exposure: exposure.map(|e| {
            let all = scorer.all_item_scores(e.users); // [u, n_items]
            objective::exposure(all, e.allowed, plan.temperature, plan.k) // [u, n_items]
        }),
        two_task: two_task_targets.map(|targets| {
            let scores = scorer.diversity_scores(batch.users, batch.candidates); // [m, 1 + n]
            (scores, targets)
        }),
    };
    let diversity = objective::diversity_loss(&plan.terms, inputs, &plan.items); // [1]
    objective::combine(relevance, diversity, lambda, l2)
}

/// An epoch's loss sums, kept on the device: a read blocks on the device, so they are read
/// back once per epoch, not per batch.
#[derive(Default)]
struct LossSums {
    /// `[4]`: total, relevance, diversity, L2; `None` before the first batch.
    sums: Option<Tensor<1>>,
    batches: usize,
}

impl LossSums {
    /// Adds one batch's losses (detached: the sums take no part in any gradient). An L2 term
    /// that is not part of the objective adds NaN ("not computed").
    fn add(&mut self, losses: Losses) {
        let l2 = losses
            .l2
            .unwrap_or_else(|| Tensor::<1>::full([1], f64::NAN, &losses.total.device())); // [1]
        let parts = Tensor::cat(
            vec![losses.total, losses.relevance, losses.diversity, l2],
            0,
        )
        .detach(); // [4]
        self.sums = Some(match self.sums.take() {
            Some(s) => s + parts,
            None => parts,
        });
        self.batches += 1;
    }

    /// The means over the batches added (one read from the device), `None` if there were none.
    fn means(self) -> Option<EpochLosses> {
        let sums = self
            .sums?
            .into_data()
            .convert::<f64>()
            .try_into_vec::<f64>()
            .expect("f64 loss sums");
        let n = self.batches as f64;
        Some(EpochLosses {
            total: sums[0] / n,
            relevance: sums[1] / n,
            diversity: sums[2] / n,
            l2: sums[3] / n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MatrixFactorizationConfig;
    use burn::module::{Module, Param};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::path::Path;

    /// Two weights, trained on `loss = Σ g · w`, so that the gradient is `g` exactly.
    #[derive(Module, Debug)]
    struct TwoWeights {
        w: Param<Tensor<1>>,
    }

    /// The `train` section of a minimal experiment with `lines` under `train:`.
    fn train_spec(lines: &str) -> TrainSpec {
        let yaml = format!(
            "name: t\ndata:\n  source: synthetic\nsweep:\n  lambda: [0]\ntrain:\n  epochs: 1\n{lines}"
        );
        crate::config::parse_str(&yaml, Path::new("/tmp/t.yaml"))
            .unwrap()
            .train
    }

    /// The weights after one optimizer step per gradient of `grads`, from `w` at `lr`.
    fn after_steps(t: &TrainSpec, lr: f64, w: [f32; 2], grads: &[[f32; 2]]) -> Vec<f64> {
        let device = Device::flex().autodiff();
        let mut optim = optimizer(t);
        let mut module = TwoWeights {
            w: Param::from_tensor(Tensor::<1>::from_floats(w, &device)),
        };
        for &g in grads {
            let g = Tensor::<1>::from_floats(g, &device); // [2], a constant
            let loss = (module.w.val() * g).sum(); // [1]
            let grads = GradientsParams::from_grads(loss.backward(), &module);
            module = optim.step(lr, module, grads);
        }
        module
            .w
            .val()
            .try_into_vec_as::<f32>()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect()
    }

    fn assert_near(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < 1e-6,
            "{what}: {actual} is not {expected}"
        );
    }

    #[test]
    fn coupled_and_decoupled_decay_move_a_weight_as_their_formulas_say() {
        // lr = 0.01, rate 0.1, both weights 0.5. Weight 0 has a zero gradient (an embedding
        // row the batch did not touch); weight 1 has gradient 1. One step, t = 1, where Adam's
        // bias corrections make m̂ = g' and v̂ = g'², so its step is lr · g' / (|g'| + ε).
        let (lr, w, g) = (0.01, [0.5, 0.5], [[0.0, 1.0]]);
        // Coupled (torch Adam): g' = g + 0.1 · 0.5. Weight 0: g' = 0.05, and Adam normalises
        // it to a full step: 0.5 − 0.01 · 0.05 / (0.05 + 1e-8) = 0.49. Weight 1: g' = 1.05,
        // the same full step: 0.49.
        let coupled = train_spec("  weight_decay: 0.1\n  weight_decay_kind: coupled\n");
        let after = after_steps(&coupled, lr, w, &g);
        assert_near(after[0], 0.49, "coupled, untouched");
        assert_near(after[1], 0.49, "coupled, gradient 1");
        // Decoupled (torch AdamW): p ← p · (1 − lr · rate) − lr · m̂ / (√v̂ + ε). Weight 0:
        // m̂ = v̂ = 0, so only the decay: 0.5 · (1 − 0.001) = 0.4995. Weight 1:
        // 0.4995 − 0.01 · 1 / (1 + 1e-8) = 0.4895.
        let decoupled = train_spec("  weight_decay: 0.1\n  weight_decay_kind: decoupled\n");
        let after = after_steps(&decoupled, lr, w, &g);
        assert_near(after[0], 0.4995, "decoupled, untouched");
        assert_near(after[1], 0.4895, "decoupled, gradient 1");
        // On the batch's rows the decay is a loss term: the optimizer has none, and a weight
        // with no gradient stays put (0 / (0 + ε) = 0), as with coupled decay at rate 0.
        for lines in [
            "  weight_decay: 0.1\n  weight_decay_on: batch_rows\n",
            "  weight_decay: 0\n",
        ] {
            let after = after_steps(&train_spec(lines), lr, w, &g);
            assert_near(after[0], 0.5, lines);
            assert_near(after[1], 0.49, lines);
        }
    }

    #[test]
    fn the_batch_rows_l2_term_is_a_logged_part_of_the_total() {
        let device = Device::flex();
        let yaml = |lines: &str| {
            format!("name: t\ndata:\n  source: synthetic\nsweep:\n  lambda: [0]\ntrain:\n{lines}")
        };
        let model = MatrixFactorizationConfig {
            n_users: 3,
            n_items: 6,
            dim: 4,
            init_std: 0.5,
            two_task: false,
        }
        .init(&mut ChaCha8Rng::seed_from_u64(4), &device);
        let batch = || Batch::assemble(&[(0, 1), (2, 5)], &[3, 4, 0, 2], 2, &device);
        let value = |t: Tensor<1>| f64::from(t.into_scalar::<f32>());
        let exp = crate::config::parse_str(
            &yaml("  weight_decay: 0.1\n  weight_decay_on: batch_rows\n"),
            Path::new("/tmp/t.yaml"),
        )
        .unwrap();
        let losses = relevance_only_losses(&model, batch(), &exp);
        let l2 = value(losses.l2.expect("an L2 term with batch_rows"));
        // rate · ½ · Σ‖row‖² / 2 pairs.
        let b = batch();
        let squared = value(model.batch_rows_squared_norm(b.users, b.candidates));
        assert!((l2 - 0.1 * 0.5 * squared / 2.0).abs() < 1e-6, "{l2}");
        let (total, relevance) = (value(losses.total), value(losses.relevance));
        assert!(
            (total - (relevance + l2)).abs() < 1e-6,
            "{total} vs {relevance} + {l2}"
        );
        // With the optimizer's decay, there is no such term and the total is the relevance.
        let exp =
            crate::config::parse_str(&yaml("  weight_decay: 0.1\n"), Path::new("/tmp/t.yaml"))
                .unwrap();
        let losses = relevance_only_losses(&model, batch(), &exp);
        assert!(losses.l2.is_none());
        assert_eq!(value(losses.total), value(losses.relevance));
    }

    #[test]
    fn adam_epsilon_and_betas_reach_the_optimizer() {
        // No decay; a tiny gradient g = 1e-6 on weight 0. At t = 1 the step is
        // lr · g / (g + ε): with ε = 1e-8, 0.01 · 1e-6 / 1.01e-6 = 0.00990099; with ε = 1e-2,
        // 0.01 · 1e-6 / 0.010001 = 9.999e-7 (burn's default 1e-5 would give 0.000909).
        let (lr, w, g) = (0.01, [0.5, 0.5], [[1e-6, 0.0]]);
        let torch = train_spec("  weight_decay: 0\n");
        assert_eq!(torch.adam_epsilon, 1e-8, "PyTorch's default");
        let step = 0.5 - after_steps(&torch, lr, w, &g)[0];
        assert!((step - 0.01 / 1.01).abs() < 1e-7, "ε = 1e-8: {step}");
        let large = train_spec("  weight_decay: 0\n  adam_epsilon: 1.0e-2\n");
        let step = 0.5 - after_steps(&large, lr, w, &g)[0];
        assert!((step - 1e-8 / 0.010_001).abs() < 1e-7, "ε = 1e-2: {step}");
        // Betas: gradient 1, then 0. At t = 2, m̂ = β₁(1 − β₁) / (1 − β₁²) = β₁ / (1 + β₁)
        // and v̂ = β₂ / (1 + β₂), so the second step is lr · (β₁ / (1 + β₁)) / √(β₂ / (1 + β₂)):
        // 0.01 · 0.473684 / 0.706930 = 0.0067006 with (0.9, 0.999), and
        // 0.01 · 0.333333 / 0.706930 = 0.0047152 with (0.5, 0.999). The first step is lr.
        for (lines, second) in [
            ("  weight_decay: 0\n", 0.006_700_6),
            (
                "  weight_decay: 0\n  adam_betas: [0.5, 0.999]\n",
                0.004_715_2,
            ),
        ] {
            let after = after_steps(&train_spec(lines), lr, w, &[[1.0, 0.0], [0.0, 0.0]]);
            assert_near(0.5 - after[0], 0.01 + second, lines);
        }
    }

    #[test]
    fn batch_puts_each_positive_before_its_own_negatives() {
        let device = Device::flex();
        // Two pairs, two negatives each: user 3 liked item 7 (negatives 1, 2), user 0 liked
        // item 5 (negatives 9, 4).
        let pairs = [(3, 7), (0, 5)];
        let negatives = [1, 2, 9, 4];
        let batch = Batch::assemble(&pairs, &negatives, 2, &device);
        assert_eq!(batch.users.dims(), [2]);
        assert_eq!(batch.candidates.dims(), [2, 3]);
        let users = batch.users.try_into_vec_as::<i64>().unwrap();
        let candidates = batch.candidates.try_into_vec_as::<i64>().unwrap();
        assert_eq!(users, vec![3, 0]);
        assert_eq!(candidates, vec![7, 1, 2, 5, 9, 4]);
    }

    #[test]
    fn loss_sums_average_each_part_over_the_batches() {
        let device = Device::flex();
        let part = |v: f32| Tensor::<1>::from_floats([v], &device);
        let mut sums = LossSums::default();
        assert!(LossSums::default().means().is_none());
        sums.add(Losses {
            total: part(1.0),
            relevance: part(2.0),
            diversity: part(3.0),
            l2: Some(part(0.5)),
        });
        sums.add(Losses {
            total: part(3.0),
            relevance: part(6.0),
            diversity: part(-1.0),
            l2: Some(part(1.5)),
        });
        let means = sums.means().unwrap();
        assert_eq!(
            means,
            EpochLosses {
                total: 2.0,
                relevance: 4.0,
                diversity: 1.0,
                l2: 1.0,
            }
        );
        // Without an L2 term in the objective, its part reads NaN (not computed), and is
        // not a divergence.
        let mut without_l2 = LossSums::default();
        without_l2.add(Losses {
            total: part(1.0),
            relevance: part(1.0),
            diversity: part(0.0),
            l2: None,
        });
        let no_l2 = without_l2.means().unwrap();
        assert!(no_l2.l2.is_nan());
        assert_eq!((no_l2.total, no_l2.relevance), (1.0, 1.0));
        assert_eq!(no_l2.first_non_finite(true), None);
        assert_eq!(means.first_non_finite(true), None);
        let bad = EpochLosses {
            relevance: f64::INFINITY,
            diversity: f64::NAN,
            ..means
        };
        assert_eq!(bad.first_non_finite(true), Some(f64::INFINITY));
        let not_computed = EpochLosses {
            diversity: f64::NAN,
            ..means
        };
        assert_eq!(not_computed.first_non_finite(false), None);
        assert_eq!(
            not_computed.first_non_finite(true).map(f64::is_nan),
            Some(true)
        );
    }
}

//! Training: the per-run loop and the worker thread around it.
//!
//! One loop serves every backend. Each run owns its device handle, model, optimizer and
//! tensors; it reads its seed's [`PreparedSplit`] (made once by the sweep, shared by the runs
//! of that seed) and reports through [`RunEvent`]s only. A stop flag is checked between
//! batches; a panic or an error inside a run becomes a `Failed` event and never reaches other
//! runs.
//!
//! [`train_run`] is a sequence of named steps: per epoch `shuffle_and_sample` the pairs, then
//! per batch `Batch::assemble`, `batch_losses`, the optimizer step, `LossSums::add` and a
//! progress event when the `ProgressThrottle` says so; at the epoch's end `LossSums::means`
//! and, when due, an evaluation on the monitored split, which the `Selector` follows (the
//! best validation epoch's weights are kept; patience may end training early); at the end
//! the test evaluation of the selected weights.

use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

mod diversity;
mod rerank;
mod selection;

use crate::backend::DeviceChoice;
use crate::config::{
    BelowThreshold, EvalSplit, Experiment, RunMethod, RunSpec, TrainSpec, WeightDecay,
};
use crate::data::{Dataset, PreparedSplit, sampling};
use crate::evaluate::{self, EvalContext};
use crate::events::{Candidates, EpochRecord, RunEvent, RunOutcome, RunStatus};
use crate::metrics::ItemCategories;
use crate::model::{MatrixFactorization, MatrixFactorizationConfig, index_tensor};
use crate::objective::{self, DiversityInputs, Losses};

use diversity::DiversityPlan;
pub use rerank::spawn_rerank;
use selection::Selector;

/// Why a run failed (it is reported, the sweep goes on).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("loss became non-finite ('{value}') at epoch {epoch}: lower train.learning_rate or λ")]
    NonFinite { epoch: usize, value: f64 },
    #[error("no training interactions after the split")]
    EmptyTrain,
    #[error("the event channel closed (the caller has gone)")]
    Disconnected,
    #[error("cannot start the run's thread: {0}")]
    Spawn(std::io::Error),
    #[error("run '{0}' is not a re-ranking run")]
    NotRerank(String),
}

/// A run's stop flag: set for this run alone, or for the whole sweep at once.
#[derive(Debug, Default)]
pub struct StopFlag {
    own: AtomicBool,
    all: Arc<AtomicBool>,
}

impl StopFlag {
    /// A flag that is also raised by `all` (the sweep-wide stop).
    pub fn new(all: Arc<AtomicBool>) -> Self {
        Self {
            own: AtomicBool::new(false),
            all,
        }
    }

    pub fn stop(&self) {
        self.own.store(true, Ordering::Relaxed);
    }

    pub fn is_set(&self) -> bool {
        self.own.load(Ordering::Relaxed) || self.all.load(Ordering::Relaxed)
    }
}

/// Shared, read-only inputs of every run of a sweep.
pub struct SweepContext {
    pub experiment: Arc<Experiment>,
    pub data: Arc<Dataset>,
    pub device: DeviceChoice,
    pub categories: Arc<ItemCategories>,
}

/// Starts `run` on its own thread, training on `split` (the prepared split of `run.seed`).
/// It ends with exactly one `Finished` or `Failed` event; when the thread cannot be started
/// at all, no event is sent and the error says why.
pub fn spawn_run(
    ctx: Arc<SweepContext>,
    run: RunSpec,
    split: Arc<PreparedSplit>,
    events: Sender<RunEvent>,
    stop: Arc<StopFlag>,
) -> Result<JoinHandle<()>, RunError> {
    let id = run.id.clone();
    spawn_worker(id, events, move |events| {
        train_run(&ctx, &run, &split, events, &stop)
    })
}

/// Runs `work` on a thread named after the run and sends its one closing event: `Finished`
/// with the outcome, or `Failed` with the error or the panic's message. A panic never
/// reaches other runs.
pub(crate) fn spawn_worker(
    run_id: String,
    events: Sender<RunEvent>,
    work: impl FnOnce(&Sender<RunEvent>) -> Result<RunOutcome, RunError> + Send + 'static,
) -> Result<JoinHandle<()>, RunError> {
    std::thread::Builder::new()
        .name(format!("run {run_id}"))
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(&events)));
            let event = match result {
                Ok(Ok(outcome)) => RunEvent::Finished {
                    run_id,
                    outcome: Box::new(outcome),
                },
                Ok(Err(e)) => RunEvent::Failed {
                    run_id,
                    reason: e.to_string(),
                },
                Err(panic) => {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown panic".into());
                    RunEvent::Failed {
                        run_id,
                        reason: format!("panicked: {msg}"),
                    }
                }
            };
            // The receiver may be gone (the caller quit): nothing left to tell.
            let _ = events.send(event);
        })
        .map_err(RunError::Spawn)
}

fn send(events: &Sender<RunEvent>, e: RunEvent) -> Result<(), RunError> {
    events.send(e).map_err(|_| RunError::Disconnected)
}

/// At most one progress event this often (and always one for an epoch's last batch).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Trains one run on `prepared` (the split of `run.seed`) to the end (or until `stop`),
/// evaluating as configured.
pub fn train_run(
    ctx: &SweepContext,
    run: &RunSpec,
    prepared: &PreparedSplit,
    events: &Sender<RunEvent>,
    stop: &StopFlag,
) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let exp = &*ctx.experiment;
    let t = &exp.train;
    let data = &*ctx.data;
    let split = &prepared.split;
    let mut pairs = training_pairs(&split.train);
    if pairs.is_empty() {
        return Err(RunError::EmptyTrain);
    }
    let batches = pairs.len().div_ceil(t.batch_size);
    send(
        events,
        RunEvent::Started {
            run_id: run.id.clone(),
            device: ctx.device.describe(),
            epochs: t.epochs,
            batches_per_epoch: batches,
            train_pairs: pairs.len(),
        },
    )?;

    let device = ctx.device.device();
    // The run's one random stream: the initial weights, then per epoch the shuffle and the
    // negatives (the split has its own, drawn by the sweep).
    let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
    let mut model = MatrixFactorizationConfig {
        n_users: data.n_users(),
        n_items: data.n_items(),
        dim: exp.model_dim,
        init_std: t.init_std,
        two_task: run.method.two_task(),
    }
    .init(&mut rng, &device);
    let mut plan = DiversityPlan::new(
        &run.method,
        run.lambda,
        run.seed,
        exp.diversity.temperature,
        exp.eval.k[0],
        exp.diversity.sample_users,
        &split.train,
        &prepared.train_counts,
        &ctx.categories,
        &device,
    );
    let mut optim = optimizer(t);
    let masked = masked(exp, data);
    let eval_ctx = EvalContext {
        ks: &exp.eval.k,
        masked,
        train: &split.train,
        categories: &ctx.categories,
        train_counts: &prepared.train_counts,
        is_head: &prepared.is_head,
    };
    // The curves follow the monitored split; only a validation split selects the epoch.
    let selecting = exp.data.split.monitored_split() == EvalSplit::Validation;
    let monitor = if selecting {
        &split.validation
    } else {
        &split.test
    };
    let mut selector = Selector::new(exp.eval.select, exp.eval.patience);

    let per_positive = t.negatives;
    let mut progress = ProgressThrottle::new(Instant::now(), PROGRESS_EVERY);
    let mut epochs_completed = 0;
    for epoch in 1..=t.epochs {
        let negatives = shuffle_and_sample(
            &mut pairs,
            &split.train,
            data.n_items(),
            per_positive,
            &mut rng,
        );
        let mut sums = LossSums::default();
        for (b, range) in batch_ranges(pairs.len(), t.batch_size).enumerate() {
            if stop.is_set() {
                return Ok(RunOutcome::interrupted(
                    epochs_completed,
                    started.elapsed().as_secs_f64(),
                ));
            }
            let batch_pairs = &pairs[range.clone()];
            let batch = Batch::assemble(
                batch_pairs,
                &negatives[range.start * per_positive..range.end * per_positive],
                per_positive,
                &device,
            );
            let losses = match plan.as_mut() {
                Some(plan) => {
                    let exposure = plan.exposure_users(&split.train, &device);
                    let targets = plan.two_task_targets(batch_pairs, per_positive, &device);
                    regularised_losses(&model, batch, plan, exposure, targets, exp, run.lambda)
                }
                None => relevance_only_losses(&model, batch, exp),
            };
            let grads = GradientsParams::from_grads(losses.total.backward(), &model);
            model = optim.step(t.learning_rate, model, grads);
            sums.add(losses);
            if progress.due(Instant::now(), b + 1 == batches) {
                send(
                    events,
                    RunEvent::Progress {
                        run_id: run.id.clone(),
                        epoch,
                        batch: b + 1,
                        batches,
                    },
                )?;
            }
        }
        let means = sums.means().expect("at least one batch");
        if let Some(value) = means.first_non_finite(plan.is_some()) {
            return Err(RunError::NonFinite { epoch, value });
        }
        epochs_completed = epoch;
        let eval = (epoch % exp.eval.every == 0 || epoch == t.epochs).then(|| {
            let w = model.host_weights();
            // Validation ranks everything but training items: test items are ordinary
            // candidates (no test knowledge in a validation metric).
            let means = evaluate::evaluate_means(&w, monitor, &split.train, None, &eval_ctx);
            if selecting {
                selector.offer(epoch, &means, w);
            }
            means
        });
        let record = EpochRecord {
            epoch,
            loss: means.total,
            relevance_loss: means.relevance,
            diversity_loss: means.diversity,
            l2_loss: means.l2,
            eval,
            seconds: started.elapsed().as_secs_f64(),
        };
        send(
            events,
            RunEvent::Epoch {
                run_id: run.id.clone(),
                record,
            },
        )?;
        if selecting && selector.patience_ran_out() {
            break;
        }
    }

    // The reported model: the selected epoch's, or the last one's when nothing was selected.
    let (weights, validation, selection) = if selecting {
        let chosen = selector.finish(epochs_completed, t.epochs);
        match chosen.kept {
            Some((weights, means)) => (weights, Some(means), chosen.selection),
            None => (model.host_weights(), None, chosen.selection),
        }
    } else {
        (
            model.host_weights(),
            None,
            selection::not_selected(epochs_completed),
        )
    };
    // Test: rank everything but training and validation items.
    let test = evaluate::evaluate(
        &weights,
        &split.test,
        &split.train,
        Some(&split.validation),
        &eval_ctx,
    );
    // The re-rankers' input: each user's top-N, excluded items as for the split's metrics.
    let candidates = match (&exp.rerank, &run.method) {
        (Some(rerank), RunMethod::Baseline) => Some(Arc::new(Candidates {
            test: evaluate::candidates(
                &weights,
                &split.test,
                &split.train,
                Some(&split.validation),
                masked,
                rerank.candidates,
            ),
            validation: selecting.then(|| {
                evaluate::candidates(
                    &weights,
                    &split.validation,
                    &split.train,
                    None,
                    masked,
                    rerank.candidates,
                )
            }),
        })),
        _ => None,
    };
    Ok(RunOutcome {
        status: RunStatus::Finished,
        epochs_completed,
        seconds: started.elapsed().as_secs_f64(),
        test: Some(test),
        validation,
        selection: Some(selection),
        candidates,
    })
}

/// The items every user's candidates lose besides the split's own exclusions: the
/// below-threshold interactions when the candidate rule masks them.
pub(crate) fn masked<'d>(exp: &Experiment, data: &'d Dataset) -> Option<&'d [Vec<u32>]> {
    (exp.data.below_threshold == BelowThreshold::Mask).then_some(data.below_threshold.as_slice())
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
fn optimizer(t: &TrainSpec) -> ModuleOptimizer {
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

/// Every (user, item) training interaction, user by user.
fn training_pairs(train: &[Vec<u32>]) -> Vec<(u32, u32)> {
    train
        .iter()
        .enumerate()
        .flat_map(|(u, items)| items.iter().map(move |&i| (u as u32, i)))
        .collect()
}

/// Shuffles `pairs` and draws `per_positive` negatives for each, in the new order:
/// `[pairs.len() * per_positive]`, the negatives of pair `p` at `p * per_positive ..`.
/// Draws from `rng` in this order (shuffle, then negatives), as every run always has.
fn shuffle_and_sample(
    pairs: &mut [(u32, u32)],
    train: &[Vec<u32>],
    n_items: usize,
    per_positive: usize,
    rng: &mut impl Rng,
) -> Vec<u32> {
    pairs.shuffle(rng);
    let users: Vec<u32> = pairs.iter().map(|p| p.0).collect();
    sampling::sample_negatives(&users, train, n_items, per_positive, rng)
}

/// The index ranges of an epoch's batches: `batch_size` each, the last one shorter.
fn batch_ranges(len: usize, batch_size: usize) -> impl Iterator<Item = Range<usize>> {
    (0..len.div_ceil(batch_size)).map(move |b| b * batch_size..((b + 1) * batch_size).min(len))
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
    let scores = model.forward(batch.users, batch.candidates); // [m, 1 + n]
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
    let scores = model.forward(batch.users.clone(), batch.candidates.clone()); // [m, 1 + n]
    let relevance = objective::relevance_loss(exp.train.loss, scores); // [1]
    let inputs = DiversityInputs {
        exposure: exposure.map(|e| {
            let all = model.forward_all_items(e.users); // [u, n_items]
            objective::exposure(all, e.allowed, plan.temperature, plan.k) // [u, n_items]
        }),
        two_task: two_task_targets.map(|targets| {
            let scores = model.forward_diversity(batch.users, batch.candidates); // [m, 1 + n]
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

/// Mean losses of an epoch's batches.
#[derive(Debug, Clone, Copy, PartialEq)]
struct EpochLosses {
    total: f64,
    relevance: f64,
    diversity: f64,
    /// The L2 term on the batch's rows; NaN when it is not part of the objective.
    l2: f64,
}

impl EpochLosses {
    /// The first of total, relevance and (when `regularised`; otherwise it was not computed
    /// and reads NaN) diversity that is NaN or infinite. The L2 term, when computed, is part
    /// of the total, so a non-finite one shows there.
    fn first_non_finite(&self, regularised: bool) -> Option<f64> {
        [
            Some(self.total),
            Some(self.relevance),
            regularised.then_some(self.diversity),
        ]
        .into_iter()
        .flatten()
        .find(|v| !v.is_finite())
    }
}

/// Decides when a progress event is due: when more than `every` has passed since the last
/// one, and always on an epoch's last batch (so every epoch is seen to complete).
struct ProgressThrottle {
    last: Instant,
    every: Duration,
}

impl ProgressThrottle {
    fn new(now: Instant, every: Duration) -> Self {
        Self { last: now, every }
    }

    /// Whether to send a progress event at `now`; if so, `now` becomes the last one.
    fn due(&mut self, now: Instant, last_batch: bool) -> bool {
        let due = last_batch || now.saturating_duration_since(self.last) > self.every;
        if due {
            self.last = now;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::{Module, Param};
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
    fn batches_cover_the_pairs_once_the_last_one_shorter() {
        let ranges: Vec<_> = batch_ranges(7, 3).collect();
        assert_eq!(ranges, vec![0..3, 3..6, 6..7]);
        assert_eq!(batch_ranges(6, 3).count(), 2);
        assert_eq!(batch_ranges(0, 3).count(), 0);
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

    #[test]
    fn progress_is_throttled_to_every_period_but_never_skips_the_last_batch() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut throttle = ProgressThrottle::new(t0, ms(100));
        assert!(!throttle.due(t0 + ms(50), false));
        assert!(
            !throttle.due(t0 + ms(100), false),
            "exactly the period is not more"
        );
        assert!(throttle.due(t0 + ms(101), false));
        // The period restarts at the last event sent.
        assert!(!throttle.due(t0 + ms(150), false));
        assert!(
            throttle.due(t0 + ms(160), true),
            "the last batch always reports"
        );
        assert!(!throttle.due(t0 + ms(200), false));
        assert!(throttle.due(t0 + ms(261), false));
        // A clock reading before the last event (it cannot go back, but never panic).
        assert!(!throttle.due(t0, false));
    }
}

//! Training: the per-run loop and the worker thread around it.
//!
//! One loop serves every backend. Each run owns its device handle, model, optimizer and
//! tensors; it reports through [`RunEvent`]s only. A stop flag is checked between batches; a
//! panic or an error inside a run becomes a `Failed` event and never reaches other runs.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Int, Tensor, TensorData};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::backend::DeviceChoice;
use crate::config::{EvalSplit, Experiment, RunSpec};
use crate::data::{Dataset, Split, sampling, split};
use crate::evaluate::{self, EvalContext};
use crate::events::{EpochRecord, RunEvent, RunOutcome, RunStatus};
use crate::metrics::{self, ItemCategories};
use crate::model::{MatrixFactorization, index_tensor};
use crate::objective;

/// Why a run failed (it is reported, the sweep goes on).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("loss became non-finite ('{value}') at epoch {epoch}: lower train.learning_rate or λ")]
    NonFinite { epoch: usize, value: f64 },
    #[error("no training interactions after the split")]
    EmptyTrain,
    #[error("the event channel closed (the caller has gone)")]
    Disconnected,
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

/// Starts `run` on its own thread. It ends with exactly one `Finished` or `Failed` event.
pub fn spawn_run(
    ctx: Arc<SweepContext>,
    run: RunSpec,
    events: Sender<RunEvent>,
    stop: Arc<StopFlag>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(format!("run {}", run.id))
        .spawn(move || {
            let run_id = run.id.clone();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                train_run(&ctx, &run, &events, &stop)
            }));
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
        .expect("spawning a thread")
}

fn send(events: &Sender<RunEvent>, e: RunEvent) -> Result<(), RunError> {
    events.send(e).map_err(|_| RunError::Disconnected)
}

/// Trains one run to the end (or until `stop`), evaluating as configured.
pub fn train_run(
    ctx: &SweepContext,
    run: &RunSpec,
    events: &Sender<RunEvent>,
    stop: &StopFlag,
) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    let exp = &*ctx.experiment;
    let data = &*ctx.data;
    let (n_users, n_items) = (data.n_users(), data.n_items());
    let split = split::split(data, &exp.data.split, run.seed);
    let mut pairs: Vec<(u32, u32)> = split
        .train
        .iter()
        .enumerate()
        .flat_map(|(u, items)| items.iter().map(move |&i| (u as u32, i)))
        .collect();
    if pairs.is_empty() {
        return Err(RunError::EmptyTrain);
    }
    let t = &exp.train;
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
    let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
    let mut model = MatrixFactorization::init(
        n_users,
        n_items,
        exp.model_dim,
        t.init_std,
        &mut rng,
        &device,
    );
    let mut adam = AdamConfig::new();
    if t.weight_decay > 0.0 {
        adam = adam.with_weight_decay(Some(WeightDecayConfig::new(t.weight_decay as f32)));
    }
    let mut optim = adam.init();

    let counts = evaluate::train_counts(&split.train, n_items);
    let is_head = metrics::head_items(&counts, 0.2);
    let eval_ctx = EvalContext {
        ks: &exp.eval.k,
        interacted: &data.interacted,
        categories: &ctx.categories,
        train_counts: &counts,
        is_head: &is_head,
    };
    let monitor = match exp.data.split.monitored_split() {
        EvalSplit::Validation => &split.validation,
        EvalSplit::Test => &split.test,
    };

    let negatives = t.negatives;
    let mut last_progress = Instant::now();
    let mut epochs_completed = 0;
    for epoch in 1..=t.epochs {
        pairs.shuffle(&mut rng);
        let users: Vec<u32> = pairs.iter().map(|p| p.0).collect();
        let negs = sampling::sample_negatives(&users, &split.train, n_items, negatives, &mut rng);
        let mut sums: Option<Tensor<1>> = None;
        for b in 0..batches {
            if stop.is_set() {
                return Ok(interrupted(epochs_completed, started, split));
            }
            let lo = b * t.batch_size;
            let hi = (lo + t.batch_size).min(pairs.len());
            let m = hi - lo;
            let batch_users = index_tensor(&users[lo..hi], &device); // [m]
            let mut cand: Vec<i64> = Vec::with_capacity(m * (1 + negatives));
            for (p, &(_, item)) in pairs[lo..hi].iter().enumerate() {
                cand.push(i64::from(item));
                let at = (lo + p) * negatives;
                cand.extend(negs[at..at + negatives].iter().map(|&i| i64::from(i)));
            }
            let cand: Tensor<2, Int> =
                Tensor::from_data(TensorData::new(cand, [m, 1 + negatives]), &device);
            let scores = model.forward(batch_users.clone(), cand); // [m, 1 + n]
            let relevance = objective::relevance_loss(t.loss, scores); // [1]

            let div_users = batch_users.narrow(0, 0, m.min(exp.diversity.sample_users)); // [u]
            let mut all_scores = model.forward_all_items(div_users); // [u, n_items]
            if run.lambda == 0.0 {
                // Logged, but no gradient flows through it at λ = 0: skip its backward pass.
                all_scores = all_scores.detach();
            }
            let diversity = objective::exposure_entropy_loss(all_scores, exp.diversity.temperature);
            let losses = objective::combine(relevance, diversity, run.lambda);

            let grads = GradientsParams::from_grads(losses.total.backward(), &model);
            model = optim.step(t.learning_rate, model, grads);

            // Accumulate on the device; read back once per epoch (a read blocks on the device).
            let parts =
                Tensor::cat(vec![losses.total, losses.relevance, losses.diversity], 0).detach(); // [3]
            sums = Some(match sums {
                Some(s) => s + parts,
                None => parts,
            });
            if last_progress.elapsed() > Duration::from_millis(100) || b + 1 == batches {
                last_progress = Instant::now();
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
        let means: Vec<f64> = sums
            .expect("at least one batch")
            .into_data()
            .convert::<f64>()
            .try_into_vec::<f64>()
            .expect("f64 loss sums")
            .into_iter()
            .map(|s| s / batches as f64)
            .collect();
        if let Some(bad) = means.iter().find(|v| !v.is_finite()) {
            return Err(RunError::NonFinite { epoch, value: *bad });
        }
        epochs_completed = epoch;
        let eval = (epoch % exp.eval.every == 0 || epoch == t.epochs).then(|| {
            let w = model.host_weights();
            evaluate::evaluate_means(&w, monitor, &split.train, None, &eval_ctx)
        });
        let record = EpochRecord {
            epoch,
            loss: means[0],
            relevance_loss: means[1],
            diversity_loss: means[2],
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
    }

    // Test: rank everything but training and validation items.
    let weights = model.host_weights();
    let test = evaluate::evaluate(
        &weights,
        &split.test,
        &split.train,
        Some(&split.validation),
        &eval_ctx,
    );
    Ok(RunOutcome {
        status: RunStatus::Finished,
        epochs_completed,
        seconds: started.elapsed().as_secs_f64(),
        test: Some(test),
        split,
    })
}

fn interrupted(epochs_completed: usize, started: Instant, split: Split) -> RunOutcome {
    RunOutcome {
        status: RunStatus::Interrupted,
        epochs_completed,
        seconds: started.elapsed().as_secs_f64(),
        test: None,
        split,
    }
}

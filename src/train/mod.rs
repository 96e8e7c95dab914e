//! Training: the per-run loop and the worker thread around it.
//!
//! One loop serves every backend. Each run owns its device handle, model, optimizer and
//! tensors; it reads its seed's [`PreparedSplit`] (made once by the sweep, shared by the runs
//! of that seed) and reports through [`RunEvent`]s only. A stop flag is checked between
//! batches; a panic or an error inside a run becomes a `Failed` event and never reaches other
//! runs.
//!
//! [`train_run`] is a sequence of named steps: per epoch `shuffle_and_sample` the pairs, then
//! per batch one `Engine::step` (the fused CPU engine, `fused`, for plain MF on the CPU; the
//! burn engine, `burn_engine`, for wgpu, the two-task heads and `train.cpu_engine: burn`) and
//! a progress event when the `ProgressThrottle` says so; at the epoch's end the engine's mean
//! losses and, when due, an evaluation on the monitored split, which the `Selector` follows
//! (the best validation epoch's weights are kept; patience may end training early); at the
//! end the test evaluation of the selected weights. Each run computes on a rayon pool of its
//! own ([`threads_per_run`]).

use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use burn::tensor::Device;
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

mod burn_engine;
mod diversity;
mod engine;
mod fused;
mod memory;
mod rerank;
mod selection;

use crate::backend::{BackendKind, DeviceChoice};
use crate::config::raw::ModelKind;
use crate::config::{BelowThreshold, CpuEngine, EvalSplit, Experiment, RunMethod, RunSpec};
use crate::data::content::ItemContent;
use crate::data::{Dataset, PreparedSplit, sampling};
use crate::evaluate::{self, EvalContext};
use crate::events::{Candidates, EpochRecord, RunEvent, RunOutcome, RunStatus};
use crate::metrics::ItemCategories;
use crate::model::{MatrixFactorization, MatrixFactorizationConfig, Structure};

use burn_engine::BurnEngine;
use diversity::DiversityPlan;
use engine::Engine;
use fused::{FusedMf, HostBatch, HostLossSums};
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
    #[error("the two-tower model has no item content (data::content::for_experiment builds it)")]
    NoContent,
    #[error(
        "cannot allocate {} for {what}: the machine has not that much free memory; lower model.dim, diversity.sample_users or parallel",
        memory::human_bytes(*bytes)
    )]
    OutOfMemory { bytes: u64, what: &'static str },
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
    /// The items' content, for the two-tower model (`None` for the other models).
    pub content: Option<Arc<ItemContent>>,
    /// Threads each run computes on ([`threads_per_run`]): a run's parallel loops (its
    /// optimizer pass, regularisers, evaluation) run on a pool of its own of this size.
    pub threads_per_run: usize,
}

/// The cores split between `parallel` runs: `max(1, cores / parallel)` each, so that runs
/// trained at once never ask for more threads than the machine has (with more runs than
/// cores, each computes on one). `cores` is `std::thread::available_parallelism`.
pub fn threads_per_run(parallel: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (cores / parallel.max(1)).max(1)
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
    let threads = ctx.threads_per_run;
    spawn_worker(id, threads, events, move |events| {
        train_run(&ctx, &run, &split, events, &stop)
    })
}

/// Runs `work` on a thread named after the run, its parallel loops on a pool of `threads`
/// of its own, and sends its one closing event: `Finished` with the outcome, or `Failed`
/// with the error or the panic's message. A panic never reaches other runs.
pub(crate) fn spawn_worker(
    run_id: String,
    threads: usize,
    events: Sender<RunEvent>,
    work: impl FnOnce(&Sender<RunEvent>) -> Result<RunOutcome, RunError> + Send + 'static,
) -> Result<JoinHandle<()>, RunError> {
    std::thread::Builder::new()
        .name(format!("run {run_id}"))
        .spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads.max(1))
                .thread_name({
                    let id = run_id.clone();
                    move |i| format!("run {id} #{i}")
                })
                .build();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| match &pool {
                Ok(pool) => pool.install(|| work(&events)),
                // Without a pool of its own the run shares the global one.
                Err(_) => work(&events),
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
    // Asked for before anything is allocated: a machine that cannot hold the run fails this
    // run alone instead of aborting the sweep.
    memory::reserve(
        memory::run_bytes(exp, data),
        "the run's weights, optimizer state and score buffers",
    )?;
    let fault = memory::injected(&run.id);
    let device = ctx.device.device();
    // The run's one random stream: the initial weights, then per epoch the shuffle and the
    // negatives (the split has its own, drawn by the sweep).
    let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
    let structure = match exp.model.kind {
        ModelKind::Mf => Structure::Ids,
        ModelKind::TwoTower => {
            let content = ctx.content.as_deref().ok_or(RunError::NoContent)?;
            Structure::Towers {
                content: &content.rows,
                content_dim: content.dim,
                user_content: exp.model.content.as_ref().is_some_and(|c| c.user_content),
                train: &split.train,
            }
        }
        ModelKind::LightGcn => Structure::Graph {
            train: &split.train,
            layers: exp.model.layers,
        },
    };
    let model = MatrixFactorizationConfig {
        n_users: data.n_users(),
        n_items: data.n_items(),
        dim: exp.model.dim,
        init_std: t.init_std,
        two_task: run.method.two_task(),
    }
    .init_with(&mut rng, &device, structure);
    let mut engine = engine_for(ctx, run, model, device.clone());
    send(
        events,
        RunEvent::Started {
            run_id: run.id.clone(),
            device: engine.describe(&ctx.device.describe()),
            epochs: t.epochs,
            batches_per_epoch: batches,
            train_pairs: pairs.len(),
        },
    )?;
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
        if let (2, Some(fault)) = (epoch, fault) {
            memory::inject(fault)?;
        }
        let negatives = shuffle_and_sample(
            &mut pairs,
            &split.train,
            data.n_items(),
            per_positive,
            &mut rng,
        );
        for (b, range) in batch_ranges(pairs.len(), t.batch_size).enumerate() {
            if stop.is_set() {
                return Ok(RunOutcome::interrupted(
                    epochs_completed,
                    started.elapsed().as_secs_f64(),
                ));
            }
            let batch = HostBatch {
                pairs: &pairs[range.clone()],
                negatives: &negatives[range.start * per_positive..range.end * per_positive],
                per_positive,
            };
            let regularisers = plan.as_mut().map(|plan| (plan, split.train.as_slice()));
            engine.step(&batch, regularisers, exp, run.lambda);
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
        let means = engine.take_means().expect("at least one batch");
        if let Some(value) = means.first_non_finite(plan.is_some()) {
            return Err(RunError::NonFinite { epoch, value });
        }
        epochs_completed = epoch;
        let eval = (epoch % exp.eval.every == 0 || epoch == t.epochs).then(|| {
            let w = engine.host_weights();
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
            None => (engine.host_weights(), None, chosen.selection),
        }
    } else {
        (
            engine.host_weights(),
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

/// The engine of `run`: the fused CPU engine for plain MF on the CPU backend with
/// `train.cpu_engine: fused`, the burn engine otherwise (the GPU, the two-task heads, the
/// two-tower and LightGCN models, or `cpu_engine: burn`). Both start from `model`'s weights.
fn engine_for(
    ctx: &SweepContext,
    run: &RunSpec,
    model: MatrixFactorization,
    device: Device,
) -> Engine {
    let t = &ctx.experiment.train;
    let fused = ctx.device.kind == BackendKind::Cpu
        && t.cpu_engine == CpuEngine::Fused
        && ctx.experiment.model.kind == ModelKind::Mf
        && !run.method.two_task();
    if fused {
        Engine::Fused {
            model: Box::new(FusedMf::new(model.host_weights(), t)),
            sums: HostLossSums::default(),
        }
    } else {
        Engine::Burn(Box::new(BurnEngine::new(model, t, device)))
    }
}

/// The items every user's candidates lose besides the split's own exclusions: the
/// below-threshold interactions when the candidate rule masks them.
pub(crate) fn masked<'d>(exp: &Experiment, data: &'d Dataset) -> Option<&'d [Vec<u32>]> {
    (exp.data.below_threshold == BelowThreshold::Mask).then_some(data.below_threshold.as_slice())
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

    #[test]
    fn batches_cover_the_pairs_once_the_last_one_shorter() {
        let ranges: Vec<_> = batch_ranges(7, 3).collect();
        assert_eq!(ranges, vec![0..3, 3..6, 6..7]);
        assert_eq!(batch_ranges(6, 3).count(), 2);
        assert_eq!(batch_ranges(0, 3).count(), 0);
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

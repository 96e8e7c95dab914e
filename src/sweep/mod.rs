//! Runs a sweep: loads the data once, splits it once per split seed, starts at most `parallel`
//! worker threads, and turns their events into run directories. The caller (progress output,
//! the workbench) follows it through one typed stream of [`SweepEvent`]s: what was decided,
//! what runs report, what was recorded, and the end.

pub mod resume;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use crate::backend::{self, DeviceChoice};
use crate::compare::choice::{self, SweepChoice};
use crate::compare::gates::{self, GateOutcome};
use crate::compare::seeds;
use crate::config::{Backend, CurveKeys, Experiment, RunMethod, RunSpec};
use crate::data::{self, Dataset, PreparedSplit};
use crate::events::{Candidates, EpochRecord, PerUserTable, RunEvent, RunStatus};
use crate::front::{self, Front};
use crate::metrics::{ItemCategories, Metric, MetricKey};
use crate::store::{ManifestRun, PairedComparison, RunStore, RunSummary, SweepManifest};
use crate::train::{self, StopFlag, SweepContext};

/// Errors that stop a sweep before any run starts (exit code 2), or its store.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Data(#[from] data::DataError),
    #[error(transparent)]
    Backend(#[from] backend::BackendError),
    /// The data and split leave nothing to evaluate.
    #[error("{reason}")]
    NothingToEvaluate { reason: String },
    /// The output directory cannot be made or written, or already holds a sweep: found
    /// before anything is written into it.
    #[error("output directory '{path}': {reason}")]
    OutDir { path: PathBuf, reason: String },
    /// `--resume` cannot continue the sweep: not a sweep, a changed config or data, a
    /// damaged store.
    #[error("cannot resume '{dir}': {reason}")]
    Resume { dir: PathBuf, reason: String },
    #[error("cannot write the run store under '{path}': {error}")]
    Store {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl SweepError {
    /// Whether the error is the input's fault (bad config, data, backend request or output
    /// directory): exit code 2.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, SweepError::Store { .. })
    }
}

/// Where sweeps go when no output directory is given: `runs/<experiment>/<UTC timestamp>/`.
pub const RUNS_ROOT: &str = "runs";

#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// Overrides `train.backend` of the file.
    pub backend: Option<Backend>,
    /// Train only the run with this id.
    pub only: Option<String>,
    /// Output directory; default `runs/<experiment>/<UTC timestamp>/`.
    pub out: Option<PathBuf>,
    /// Overrides `parallel` of the file.
    pub parallel: Option<usize>,
    /// Continue the sweep stored in this directory (see [`resume`]) instead of starting one:
    /// its finished runs are kept, the others train again. With `only`, just that run trains
    /// and the sweep-level files are left to a later `Finalize` (array jobs on a cluster write
    /// their runs into one directory this way, each on its own).
    pub resume: Option<PathBuf>,
    pub mode: SweepMode,
}

/// What a sweep call does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SweepMode {
    /// Train the runs, then write the sweep-level files (comparisons, fronts, choice, gates).
    #[default]
    Train,
    /// Write the sweep's directory (sweep.json, experiment.yaml, each run's config.yaml) and
    /// train nothing: what a cluster's array jobs then fill with `--resume DIR --only ID`.
    Prepare,
    /// Train nothing; rebuild the sweep-level files from the runs that finished (with
    /// `resume`).
    Finalize,
}

/// The data a sweep trains on, as the caller shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFacts {
    pub description: String,
    pub users: usize,
    pub items: usize,
    pub positives: usize,
    /// The two-tower model's item content, described.
    pub content: Option<String>,
}

impl std::fmt::Display for DataFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} — {} users, {} items, {} positives",
            self.description, self.users, self.items, self.positives
        )?;
        match &self.content {
            Some(c) => write!(f, "; item content: {c}"),
            None => Ok(()),
        }
    }
}

/// Everything a sweep decided before its first run starts.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    pub experiment: String,
    pub out_dir: PathBuf,
    pub device: DeviceChoice,
    pub data: DataFacts,
    /// The runs to train, in order.
    pub runs: Vec<RunSpec>,
    /// Runs of a resumed sweep that had finished and are kept as they are.
    pub kept: Vec<String>,
    pub parallel: usize,
    /// Threads each run computes on (`train::threads_per_run` of `parallel`).
    pub threads_per_run: usize,
    pub curves: CurveKeys,
}

/// What a sweep tells its caller, in this order: `Prepared` once; then the runs' events and
/// each run's `Recorded` summary (once its files are written) as they happen; `Ended` last
/// (not sent when the sweep stops on an error, which `run_sweep` returns instead).
#[derive(Debug, Clone, Copy)]
pub enum SweepEvent<'a> {
    Prepared(&'a SweepPlan),
    Run(&'a RunEvent),
    Recorded(&'a RunSummary),
    Ended(&'a SweepReport),
}

/// Stops for a running sweep: one run, or all of them (no further run starts either).
#[derive(Debug, Default)]
pub struct SweepControl {
    pub all: Arc<AtomicBool>,
    runs: std::sync::Mutex<HashMap<String, Arc<StopFlag>>>,
}

impl SweepControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// A sweep whose sweep-wide stop is `all` (e.g. the flag a Ctrl-C handler raises).
    pub fn with_flag(all: Arc<AtomicBool>) -> Self {
        Self {
            all,
            runs: Default::default(),
        }
    }

    /// The flag of a run about to start (already raised if the run was stopped while queued).
    fn register(&self, run_id: &str) -> Arc<StopFlag> {
        let Ok(mut runs) = self.runs.lock() else {
            return Arc::new(StopFlag::new(Arc::clone(&self.all)));
        };
        Arc::clone(
            runs.entry(run_id.to_string())
                .or_insert_with(|| Arc::new(StopFlag::new(Arc::clone(&self.all)))),
        )
    }

    /// Stops one run after its current batch; a queued run ends as soon as it starts.
    pub fn stop_run(&self, run_id: &str) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.entry(run_id.to_string())
                .or_insert_with(|| Arc::new(StopFlag::new(Arc::clone(&self.all))))
                .stop();
        }
    }

    pub fn stop_all(&self) {
        self.all.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.all.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
pub struct SweepReport {
    pub out_dir: PathBuf,
    pub summaries: Vec<RunSummary>,
    /// Runs never started because the sweep was stopped.
    pub not_started: Vec<String>,
    /// The relevance/diversity fronts (one per diversity axis), as `front.csv` holds them.
    pub fronts: Vec<Front>,
    /// Each method's λ or θ chosen on validation (`select.lambda`), as `selection.json`.
    pub choice: Option<SweepChoice>,
    /// What the reported test metrics are of: the selection rule, or that nothing was selected.
    pub selection_note: String,
    /// The experiment's gates, each held or failed (`gates.json`); empty without gates.
    pub gates: Vec<GateOutcome>,
    /// Whether the sweep-level files were written (not by a `--resume --only` run, nor when
    /// the sweep was only prepared).
    pub sweep_files: bool,
}

impl SweepReport {
    pub fn all_finished(&self) -> bool {
        self.not_started.is_empty()
            && self
                .summaries
                .iter()
                .all(|s| s.status == RunStatus::Finished)
    }
}

struct Running {
    spec: RunSpec,
    /// `None` when the thread could not be started (its `Failed` event is already queued).
    handle: Option<std::thread::JoinHandle<()>>,
    records: Vec<EpochRecord>,
}

/// A run that has ended, out of `running`, its thread joined (`None` when it was not running).
fn take_ended(running: &mut HashMap<String, Running>, id: &str) -> Option<Running> {
    let mut r = running.remove(id)?;
    if let Some(handle) = r.handle.take() {
        let _ = handle.join();
    }
    Some(r)
}

fn store_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |error| SweepError::Store {
        path: path.to_path_buf(),
        error,
    }
}

/// Loads data and picks the device: everything that can fail before a run starts.
pub fn prepare(
    exp: &Experiment,
    opts: &SweepOptions,
) -> Result<(Vec<RunSpec>, DeviceChoice, Dataset), SweepError> {
    // A resumed sweep's runs are its manifest's, picked from the whole sweep.
    let only = if opts.resume.is_some() {
        None
    } else {
        opts.only.as_deref()
    };
    let runs = exp.select_runs(only)?;
    let requested = opts.backend.unwrap_or(exp.train.backend);
    let device = match (opts.mode, requested) {
        // Nothing trains here (prepared for other machines, or finalized after them): their
        // backend, as the caller names it, not this machine's probe.
        (SweepMode::Prepare | SweepMode::Finalize, Backend::Wgpu) => {
            backend::planned(backend::BackendKind::Wgpu)
        }
        (SweepMode::Prepare | SweepMode::Finalize, _) => {
            backend::planned(backend::BackendKind::Cpu)
        }
        (SweepMode::Train, _) => backend::select(requested)?,
    };
    let data = data::load(&exp.data, exp.seed)?;
    Ok((runs, device, data))
}

/// The manifest (`sweep.json`) of a planned sweep.
fn manifest(exp: &Experiment, plan: &SweepPlan) -> SweepManifest {
    SweepManifest {
        experiment: exp.name.clone(),
        file: exp.file.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        backend: plan.device.kind,
        adapter: plan.device.adapter.clone(),
        plots: exp.plots.clone(),
        curves: Some(plan.curves),
        runs: plan
            .runs
            .iter()
            .map(|r| ManifestRun {
                run_id: r.id.clone(),
                method: r.method.name(),
                lambda: r.lambda,
                theta: r.method.theta(),
                seed: r.seed,
            })
            .collect(),
    }
}

/// Runs the sweep of `exp` to its end (or until `control` stops it), telling `on_event`
/// everything that happens.
pub fn run_sweep(
    exp: Experiment,
    opts: &SweepOptions,
    control: Arc<SweepControl>,
    on_event: &mut dyn FnMut(SweepEvent<'_>),
) -> Result<SweepReport, SweepError> {
    let (runs, device, data) = prepare(&exp, opts)?;
    // The split is a pure function of (data, spec, split seed): made once per split seed
    // (once for the whole sweep unless it varies with the run seed) and shared by the runs
    // drawn with it, so runs pair up user by user. Looked up below by run seed.
    let mut by_split_seed: HashMap<u64, Arc<PreparedSplit>> = HashMap::new();
    let mut splits: HashMap<u64, Arc<PreparedSplit>> = HashMap::new();
    for run in &runs {
        let seed = exp.data.split.seed_for(run.seed);
        let prepared = by_split_seed.entry(seed).or_insert_with(|| {
            Arc::new(PreparedSplit::new(
                &data,
                &exp.data.split,
                seed,
                exp.eval.head_share,
            ))
        });
        splits.insert(run.seed, Arc::clone(prepared));
    }

    // Every split must leave something to evaluate: without a held-out positive no metric
    // has a value, and the sweep would end with an empty table. Checked before anything is
    // written.
    for (seed, prepared) in &by_split_seed {
        if prepared.split.test.iter().all(Vec::is_empty) {
            return Err(SweepError::NothingToEvaluate {
                reason: format!(
                    "the split with seed {seed} leaves no user with a held-out test positive ({} users, {} positives, data.split.method '{}', test share {}): every metric would be empty; use data with more positives per user or a larger data.split.test",
                    data.n_users(),
                    data.positives.len(),
                    exp.data.split.method,
                    exp.data.split.test,
                ),
            });
        }
    }
    // The two-tower model's item content: an unreadable or wrong embeddings file is found
    // here, before anything is written.
    let content = data::content::for_experiment(&data, &exp)?;
    let resumed = match &opts.resume {
        Some(dir) => Some(resume::Resumed::read(
            dir, &exp, &runs, &data, &splits, &device,
        )?),
        None => None,
    };
    // The runs to train, and the order of the whole sweep's.
    let (runs, order) = match &resumed {
        Some(r) => {
            let mut to_run = r.to_run.clone();
            if let Some(id) = &opts.only {
                if !r.runs.iter().any(|run| &run.id == id) {
                    return Err(SweepError::Resume {
                        dir: opts.resume.clone().unwrap_or_default(),
                        reason: format!(
                            "the sweep has no run '{id}' (its runs: {})",
                            r.runs
                                .iter()
                                .map(|r| r.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
                to_run.retain(|run| &run.id == id);
            }
            if opts.mode == SweepMode::Finalize {
                to_run.clear();
            }
            (to_run, r.runs.iter().map(|r| r.id.clone()).collect())
        }
        None => {
            let order = runs.iter().map(|r| r.id.clone()).collect();
            (runs, order)
        }
    };
    let out_dir = opts
        .resume
        .clone()
        .or_else(|| opts.out.clone())
        .unwrap_or_else(|| {
            PathBuf::from(RUNS_ROOT)
                .join(&exp.name)
                .join(crate::store::utc_timestamp())
        });
    let parallel = opts.parallel.unwrap_or(exp.parallel).max(1);
    let plan = SweepPlan {
        experiment: exp.name.clone(),
        out_dir: out_dir.clone(),
        device: device.clone(),
        data: DataFacts {
            description: data.description.clone(),
            users: data.n_users(),
            items: data.n_items(),
            positives: data.positives.len(),
            content: content.as_ref().map(data::content::ItemContent::describe),
        },
        runs: runs.clone(),
        kept: resumed
            .iter()
            .flat_map(|r| r.finished.iter().map(|s| s.run_id.clone()))
            .collect(),
        parallel,
        threads_per_run: train::threads_per_run(parallel),
        curves: exp.curve_keys(),
    };
    let out_err = |reason: String| SweepError::OutDir {
        path: out_dir.clone(),
        reason,
    };
    if resumed.is_none() && out_dir.join("sweep.json").exists() {
        return Err(out_err(
            "already holds a sweep (sweep.json): choose another --out, resume it with --resume, or remove it first".into(),
        ));
    }
    let store = RunStore::create(out_dir.clone()).map_err(|e| out_err(e.to_string()))?;
    let configs_to_write = match &resumed {
        Some(r) => r.missing_configs.clone(),
        None => {
            store
                .write_manifest(&manifest(&exp, &plan))
                .map_err(|e| out_err(format!("cannot write sweep.json: {e}")))?;
            runs.clone()
        }
    };
    if !out_dir.join(crate::store::EXPERIMENT_FILE).exists() {
        store
            .write_experiment(&exp.sweep_config_yaml())
            .map_err(store_err(&out_dir))?;
    }
    on_event(SweepEvent::Prepared(&plan));
    for run in &configs_to_write {
        store
            .write_config(&run.id, &exp.run_config_yaml(run))
            .map_err(store_err(&out_dir))?;
    }
    if opts.mode == SweepMode::Prepare {
        let report = SweepReport {
            out_dir,
            summaries: Vec::new(),
            not_started: Vec::new(),
            fronts: Vec::new(),
            choice: None,
            selection_note: selection_note(&exp),
            gates: Vec::new(),
            sweep_files: false,
        };
        on_event(SweepEvent::Ended(&report));
        return Ok(report);
    }

    let data = Arc::new(data);
    let ctx = Arc::new(SweepContext {
        categories: Arc::new(ItemCategories::new(data.item_categories.clone())),
        content: content.map(Arc::new),
        experiment: Arc::new(exp),
        data: Arc::clone(&data),
        device: device.clone(),
        threads_per_run: plan.threads_per_run,
    });
    let exp = &ctx.experiment;
    let (tx, rx) = mpsc::channel::<RunEvent>();
    let mut pending: VecDeque<RunSpec> = runs.into_iter().collect();
    let mut running: HashMap<String, Running> = HashMap::new();
    let mut summaries: BTreeMap<String, RunSummary> = BTreeMap::new();
    let order: Vec<String> = order;

    // Each seed's baseline, once it has ended: its candidates for the re-rankers, or why
    // there are none.
    let mut bases: HashMap<u64, Result<Arc<Candidates>, String>> = HashMap::new();
    // A resumed sweep's finished runs, as if they had just been recorded.
    if let Some(resumed) = resumed {
        for (seed, candidates) in resumed.candidates {
            bases.insert(seed, Ok(candidates));
        }
        for summary in resumed.finished {
            on_event(SweepEvent::Recorded(&summary));
            summaries.insert(summary.run_id.clone(), summary);
        }
    }
    let mut start_next = |running: &mut HashMap<String, Running>,
                          bases: &HashMap<u64, Result<Arc<Candidates>, String>>|
     -> Result<(), SweepError> {
        while running.len() < parallel && !control.is_stopped() {
            // The first pending run that can start: a re-ranking run waits for its baseline.
            let ready = pending
                .iter()
                .position(|r| r.base_id().is_none() || bases.contains_key(&r.seed));
            let Some(spec) = ready.and_then(|at| pending.remove(at)) else {
                break;
            };
            // Every run's seed was prepared above.
            let split = Arc::clone(&splits[&spec.seed]);
            // What an earlier attempt left (a resumed sweep's unfinished run) goes first.
            store.clear_results(&spec.id).map_err(store_err(&out_dir))?;
            store
                .write_split(&spec.id, &data, &split)
                .map_err(store_err(&out_dir))?;
            let flag = control.register(&spec.id);
            let spawned = match (spec.base_id(), bases.get(&spec.seed)) {
                (None, _) => {
                    train::spawn_run(Arc::clone(&ctx), spec.clone(), split, tx.clone(), flag)
                        .map_err(|e| e.to_string())
                }
                (Some(_), Some(Ok(candidates))) => train::spawn_rerank(
                    Arc::clone(&ctx),
                    spec.clone(),
                    split,
                    Arc::clone(candidates),
                    tx.clone(),
                    flag,
                )
                .map_err(|e| e.to_string()),
                (Some(base), Some(Err(why))) => Err(format!("its baseline '{base}' {why}")),
                (Some(base), None) => Err(format!("its baseline '{base}' did not run")),
            };
            let handle = match spawned {
                Ok(handle) => Some(handle),
                Err(reason) => {
                    // Recorded like any failed run, by the loop below; the others go on.
                    let _ = tx.send(RunEvent::Failed {
                        run_id: spec.id.clone(),
                        reason,
                    });
                    None
                }
            };
            running.insert(
                spec.id.clone(),
                Running {
                    spec,
                    handle,
                    records: Vec::new(),
                },
            );
        }
        Ok(())
    };
    start_next(&mut running, &bases)?;

    while !running.is_empty() {
        let event = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(e) => e,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        on_event(SweepEvent::Run(&event));
        let id = event.run_id().to_string();
        let summary = match event {
            RunEvent::Started { .. } | RunEvent::Progress { .. } => continue,
            RunEvent::Epoch { record, .. } => {
                if let Some(r) = running.get_mut(&id) {
                    r.records.push(record);
                    let monitor = ctx.experiment.data.split.monitored_split();
                    store
                        .write_metrics(&id, &r.records, &exp.eval.k, monitor)
                        .map_err(store_err(&out_dir))?;
                }
                continue;
            }
            RunEvent::Finished { outcome, .. } => {
                let Some(r) = take_ended(&mut running, &id) else {
                    continue;
                };
                if r.spec.method == RunMethod::Baseline {
                    let candidates = outcome
                        .candidates
                        .clone()
                        .ok_or_else(|| format!("was {}", outcome.status.as_str()));
                    bases.insert(r.spec.seed, candidates);
                }
                if r.records.is_empty() {
                    // No epoch (a re-ranking run): the file exists all the same, header only.
                    let monitor = ctx.experiment.data.split.monitored_split();
                    store
                        .write_metrics(&id, &[], &exp.eval.k, monitor)
                        .map_err(store_err(&out_dir))?;
                }
                let mut summary = base_summary(&ctx, &r.spec, &device, outcome.status, None);
                summary.epochs_completed = outcome.epochs_completed;
                summary.seconds = outcome.seconds;
                summary.train_pairs = splits[&r.spec.seed].train_pairs();
                summary.selection = outcome.selection.clone();
                summary.validation = outcome.validation.clone().unwrap_or_default();
                if let Some(test) = &outcome.test {
                    store
                        .write_recommendations(&id, &data, &test.recommendations)
                        .map_err(store_err(&out_dir))?;
                    store
                        .write_per_user(&id, &data, &test.per_user)
                        .map_err(store_err(&out_dir))?;
                    summary.test = test.means.clone();
                    summary.test_ci95 = test.ci95.clone();
                    summary.users_evaluated = test.users_evaluated;
                }
                if let Some(candidates) = &outcome.candidates {
                    // Before summary.json: a finished baseline always has them (`--resume`).
                    store
                        .write_candidates(&id, &data, candidates)
                        .map_err(store_err(&out_dir))?;
                }
                summary
            }
            RunEvent::Failed { reason, .. } => {
                let Some(r) = take_ended(&mut running, &id) else {
                    continue;
                };
                if r.spec.method == RunMethod::Baseline {
                    bases.insert(r.spec.seed, Err("failed".to_string()));
                }
                let mut summary =
                    base_summary(&ctx, &r.spec, &device, RunStatus::Failed, Some(reason));
                summary.epochs_completed = r.records.last().map_or(0, |e| e.epoch);
                summary.seconds = r.records.last().map_or(0.0, |e| e.seconds);
                summary.train_pairs = splits[&r.spec.seed].train_pairs();
                summary
            }
        };
        // Every ended run, finished or failed: its Parquet tables, then summary.json last (a
        // run with a summary is whole), then the next run.
        store
            .write_parquet_tables(&id)
            .map_err(store_err(&out_dir))?;
        store.write_summary(&summary).map_err(store_err(&out_dir))?;
        on_event(SweepEvent::Recorded(&summary));
        summaries.insert(id, summary);
        start_next(&mut running, &bases)?;
    }
    let not_started: Vec<String> = pending.into_iter().map(|r| r.id).collect();
    let mut summaries: Vec<RunSummary> =
        order.iter().filter_map(|id| summaries.remove(id)).collect();
    if opts.resume.is_some() && opts.only.is_some() {
        // One run of a sweep others are filling at the same time: the sweep-level files are
        // a later finalize's (they would race, and see only some of the runs).
        let report = SweepReport {
            out_dir,
            summaries,
            not_started,
            fronts: Vec::new(),
            choice: None,
            selection_note: selection_note(exp),
            gates: Vec::new(),
            sweep_files: false,
        };
        on_event(SweepEvent::Ended(&report));
        return Ok(report);
    }
    // The per-user tables are read back from the store here, not kept while the sweep runs:
    // memory stays flat however many runs a sweep has.
    let ids = crate::store::IdIndex::new(&data);
    let mut load = |s: &RunSummary| -> Result<Option<PerUserTable>, SweepError> {
        if s.status != RunStatus::Finished || s.test.is_empty() {
            return Ok(None);
        }
        let path = store.run_dir(&s.run_id).join("per_user.csv");
        crate::store::read_per_user(&path, &ids)
            .map(Some)
            .map_err(|e| SweepError::Store {
                path: path.clone(),
                error: std::io::Error::other(e.to_string()),
            })
    };
    compare_with_baselines(&mut summaries, &mut load, &paired_metrics(&exp.eval.k))?;
    seeds::fill_across_seeds(&mut summaries, &seed_level_metrics(exp));
    for s in summaries
        .iter()
        .filter(|s| !s.versus_lambda0.is_empty() || !s.across_seeds.is_empty())
    {
        store.write_summary(s).map_err(store_err(&out_dir))?;
    }
    let fronts = front::fronts(&summaries, exp.plots.relevance, &exp.plots.front_axes());
    store
        .write_front(&front::csv(&fronts))
        .map_err(store_err(&out_dir))?;
    let choice = exp.select.map(|spec| choice::choose(&summaries, &spec));
    if let Some(c) = &choice {
        store.write_selection(c).map_err(store_err(&out_dir))?;
    }
    let gates = gates::check(&summaries, choice.as_ref(), &exp.gates);
    if !gates.is_empty() {
        store.write_gates(&gates).map_err(store_err(&out_dir))?;
    }
    let report = SweepReport {
        out_dir,
        summaries,
        not_started,
        fronts,
        choice,
        selection_note: selection_note(exp),
        gates,
        sweep_files: true,
    };
    on_event(SweepEvent::Ended(&report));
    Ok(report)
}

/// The test metrics of the seed-level view: the per-user family below, the trade-off's axes
/// and the fronts' diversity axes (catalogue-level metrics have a value per seed too).
pub fn seed_level_metrics(exp: &Experiment) -> Vec<MetricKey> {
    let mut keys = paired_metrics(&exp.eval.k);
    for key in [exp.plots.relevance, exp.plots.diversity]
        .into_iter()
        .chain(exp.plots.front_axes())
    {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// One line on what the test metrics are of, for the table.
pub fn selection_note(exp: &Experiment) -> String {
    if exp.data.split.monitored_split() == crate::config::EvalSplit::Validation {
        let patience = exp
            .eval
            .patience
            .map_or(String::new(), |p| format!(", patience {p}"));
        format!(
            "test metrics of each run's epoch with the best validation {}{patience} (summary.json: selection)",
            exp.eval.select
        )
    } else {
        "no validation split: nothing was selected; test metrics of each run's last epoch, and the per-epoch curves monitored the test split".to_string()
    }
}

/// The per-user metrics compared against λ = 0 (relevance and beyond-accuracy).
pub fn paired_metrics(ks: &[usize]) -> Vec<MetricKey> {
    let mut out = vec![MetricKey::AUC];
    for &k in ks {
        out.extend(
            [
                Metric::Ndcg,
                Metric::Recall,
                Metric::Ild,
                Metric::Novelty,
                Metric::LongTail,
            ]
            .map(|m| MetricKey::at(m, k)),
        );
    }
    out
}

/// Fills `versus_lambda0` of every finished λ ≠ 0 or re-ranking run that has a finished λ = 0
/// run of the same seed — of its own method if it trains one (the two-task model), else the
/// shared baseline: the same seed means the same split, so users pair up one to one.
///
/// `load` gives a run's per-user test table (`None` when it has none). The λ = 0 runs' tables
/// are held while the others are read one at a time, so memory does not grow with the runs.
pub fn compare_with_baselines<E>(
    summaries: &mut [RunSummary],
    load: &mut dyn FnMut(&RunSummary) -> Result<Option<PerUserTable>, E>,
    metrics: &[MetricKey],
) -> Result<(), E> {
    let mut baselines: HashMap<(u64, String), (String, PerUserTable)> = HashMap::new();
    for s in summaries.iter().filter(|s| s.is_lambda_zero()) {
        if let Some(table) = load(s)? {
            baselines.insert((s.seed, s.method.clone()), (s.run_id.clone(), table));
        }
    }
    for s in summaries.iter_mut().filter(|s| !s.is_lambda_zero()) {
        let own = baselines.get(&(s.seed, s.method.clone()));
        let shared = baselines.get(&(s.seed, crate::config::BASELINE.to_string()));
        let Some((base_id, base)) = own.or(shared) else {
            continue;
        };
        let Some(table) = load(s)? else {
            continue;
        };
        let base_rows: HashMap<u32, &Vec<f64>> = base.rows.iter().map(|(u, v)| (*u, v)).collect();
        for m in metrics {
            let (Some(ci), Some(cb)) = (
                table.columns.iter().position(|c| c == m),
                base.columns.iter().position(|c| c == m),
            ) else {
                continue;
            };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for (u, values) in &table.rows {
                if let Some(bv) = base_rows.get(u)
                    && values[ci].is_finite()
                    && bv[cb].is_finite()
                {
                    a.push(values[ci]);
                    b.push(bv[cb]);
                }
            }
            let Some(stats) = crate::metrics::paired_comparison(&a, &b) else {
                continue;
            };
            s.versus_lambda0.insert(
                *m,
                PairedComparison {
                    baseline: base_id.clone(),
                    mean_difference: stats.mean_difference,
                    wilcoxon_p: stats.wilcoxon_p,
                    wilcoxon_method: Some(stats.wilcoxon_method),
                    wilcoxon_p_holm: None,
                    t_test_p: stats.t_test_p,
                    users: stats.n,
                },
            );
        }
    }
    // The sweep's family of tests: every (run, metric) pair above, Holm-adjusted together.
    let raw: Vec<f64> = summaries
        .iter()
        .flat_map(|s| s.versus_lambda0.values().map(|c| c.wilcoxon_p))
        .collect();
    let mut adjusted = crate::metrics::holm_adjust(&raw).into_iter();
    for s in summaries.iter_mut() {
        for c in s.versus_lambda0.values_mut() {
            c.wilcoxon_p_holm = adjusted.next();
        }
    }
    Ok(())
}

fn base_summary(
    ctx: &SweepContext,
    run: &RunSpec,
    device: &DeviceChoice,
    status: RunStatus,
    reason: Option<String>,
) -> RunSummary {
    let exp = &ctx.experiment;
    RunSummary {
        run_id: run.id.clone(),
        experiment: exp.name.clone(),
        method: run.method.name(),
        lambda: run.lambda,
        theta: run.method.theta(),
        seed: run.seed,
        split_seed: Some(exp.data.split.seed_for(run.seed)),
        backend: device.kind,
        adapter: device.adapter.clone(),
        status,
        reason,
        version: env!("CARGO_PKG_VERSION").to_string(),
        epochs_completed: 0,
        // A re-ranking run trains nothing.
        epochs: if run.method.theta().is_some() {
            0
        } else {
            exp.train.epochs
        },
        seconds: 0.0,
        eval_split: exp.data.split.monitored_split(),
        data: ctx.data.description.clone(),
        users: ctx.data.n_users(),
        items: ctx.data.n_items(),
        train_pairs: 0,
        users_evaluated: 0,
        test: BTreeMap::new(),
        test_ci95: BTreeMap::new(),
        versus_lambda0: BTreeMap::new(),
        selection: None,
        validation: BTreeMap::new(),
        across_seeds: BTreeMap::new(),
    }
}

/// A plain-text table of each run (method, λ or θ) against the main test metrics, with the
/// epoch reported (selected on validation, or the last), the Wilcoxon p-value of the per-user
/// NDCG difference against the λ = 0 run of the same seed, raw and Holm-adjusted over the
/// sweep's family of tests, and a `*` on the runs behind a method's choice on validation.
pub fn results_table(
    summaries: &[RunSummary],
    ks: &[usize],
    choice: Option<&SweepChoice>,
) -> String {
    let Some(&k_lo) = ks.first() else {
        return String::new();
    };
    let k_hi = ks.last().copied().unwrap_or(k_lo);
    let metrics = [
        MetricKey::AUC,
        MetricKey::at(Metric::Ndcg, k_lo),
        MetricKey::at(Metric::Recall, k_hi),
        MetricKey::at(Metric::Coverage, k_lo),
        MetricKey::at(Metric::Gini, k_lo),
        MetricKey::at(Metric::Ild, k_lo),
    ];
    let id_w = summaries
        .iter()
        .map(|s| s.run_id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let method_w = summaries
        .iter()
        .map(|s| s.method.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let param_w = summaries
        .iter()
        .map(|s| s.param_label().chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "{:<id_w$}  {:<method_w$}  {:>param_w$}  {:>6}  {:<11}  {:>5}",
        "run", "method", "λ / θ", "seed", "status", "epoch"
    );
    for m in &metrics {
        out.push_str(&format!("  {:>11}", m.to_string()));
    }
    let p_key = MetricKey::at(Metric::Ndcg, k_lo);
    out.push_str(&format!(
        "  {:>13}  {:>13}  {:>8}{}\n",
        format!("p({p_key})"),
        "Holm p",
        "seconds",
        if choice.is_some() { "  chosen" } else { "" }
    ));
    for s in summaries {
        let param = s.param_label();
        let pad = param_w.saturating_sub(param.chars().count());
        // A re-ranking run trains nothing: its model is its baseline's.
        let epoch = match (&s.selection, s.theta) {
            (_, Some(_)) => "-".to_string(),
            (Some(sel), None) => sel.epoch.to_string(),
            (None, None) => s.epochs_completed.to_string(),
        };
        out.push_str(&format!(
            "{:<id_w$}  {:<method_w$}  {}{param}  {:>6}  {:<11}  {epoch:>5}",
            s.run_id,
            s.method,
            " ".repeat(pad),
            s.seed,
            s.status.as_str()
        ));
        for m in &metrics {
            match s.test.get(m) {
                Some(v) => out.push_str(&format!("  {v:>11.4}")),
                None => out.push_str(&format!("  {:>11}", "-")),
            }
        }
        let comparison = s.versus_lambda0.get(&p_key);
        for p in [
            comparison.map(|c| c.wilcoxon_p),
            comparison.and_then(|c| c.wilcoxon_p_holm),
        ] {
            out.push_str(&format!("  {:>13}", p_text(p)));
        }
        out.push_str(&format!("  {:>8.1}", s.seconds));
        if let Some(c) = choice {
            out.push_str(if c.is_chosen(&s.run_id) { "  *" } else { "" });
        }
        out.push('\n');
    }
    let mut methods: Vec<&str> = summaries
        .iter()
        .filter_map(|s| s.versus_lambda0.get(&p_key)?.wilcoxon_method)
        .map(|m| m.name())
        .collect();
    methods.sort_unstable();
    methods.dedup();
    if !methods.is_empty() {
        out.push_str(&format!(
            "p: two-sided Wilcoxon signed-rank over the users of each run and its λ = 0 run ({}); Holm: over every (run, metric) test of the sweep\n",
            methods.join(", ")
        ));
    }
    out
}

/// A p-value for a table: `-` when absent, `<1e-300` below f64's normal range (where the
/// normal approximation only says "tiny").
fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-300 => "<1e-300".into(),
        Some(p) => format!("{p:.2e}"),
        None => "-".into(),
    }
}

/// The seed-level table (sweeps of two or more seeds; empty otherwise): per (method, λ or θ),
/// each of `keys` as its mean over seeds with a 95% CI, and the paired t-test over seeds
/// against λ = 0 (raw and Holm-adjusted over the sweep's seed-level tests).
pub fn seeds_table(summaries: &[RunSummary], keys: &[MetricKey]) -> String {
    // One row per (method, λ, θ): its first run holding the seed-level view.
    let rows: Vec<&RunSummary> = crate::compare::groups(summaries)
        .into_iter()
        .filter_map(|g| g.runs.into_iter().find(|r| !r.across_seeds.is_empty()))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let method_w = rows
        .iter()
        .map(|s| s.method.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "across seeds (mean [95% CI]; p: paired t-test over seeds against λ = 0, Holm-adjusted over the sweep's seed-level tests)\n{:<method_w$}  {:>8}  {:>5}",
        "method", "λ / θ", "seeds"
    );
    for k in keys {
        out.push_str(&format!(
            "  {:>27}  {:>9}  {:>9}",
            k.to_string(),
            "p",
            "Holm p"
        ));
    }
    out.push('\n');
    for s in rows {
        let seeds = s.across_seeds.values().map(|a| a.seeds).max().unwrap_or(0);
        out.push_str(&format!(
            "{:<method_w$}  {:>8}  {seeds:>5}",
            s.method,
            s.param_label()
        ));
        for k in keys {
            match s.across_seeds.get(k) {
                Some(a) => {
                    let c = a.versus_lambda0.as_ref();
                    out.push_str(&format!(
                        "  {:>27}  {:>9}  {:>9}",
                        format!("{:.4} [{:.4}, {:.4}]", a.mean, a.ci95[0], a.ci95[1]),
                        p_text(c.map(|c| c.t_test_p)),
                        p_text(c.and_then(|c| c.t_test_p_holm)),
                    ));
                }
                None => out.push_str(&format!("  {:>27}  {:>9}  {:>9}", "-", "-", "-")),
            }
        }
        out.push('\n');
    }
    out
}

//! `recsweep bench`: the training and evaluation workload of a researcher's PyTorch script,
//! timed on recsweep's engines and, in the same command, on the PyTorch peer
//! (`../shared/peer/mf_torch.py`), with the ratios between them.
//!
//! The workload is MovieLens-1M's shape on synthetic data (6,040 users, 3,706 items, about
//! 0.89 M training positives after an 80/20 split): matrix factorisation with an item bias,
//! d = 64, BCE with 4 uniform negatives per positive, Adam at lr 1e-3, 1,638 positives (8,190
//! labelled pairs) per step. An epoch is timed through the real per-run loop
//! (`train::train_run`: shuffling, negative sampling and every step), without evaluation;
//! the evaluation is timed on the trained weights in three passes: scoring every item for
//! every user, scoring with the exclusions and the top-K, and every metric. Each figure is the
//! median of several repeats with their min and max; the first epoch of a run is a warm-up
//! and is not counted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::backend::{self, DeviceChoice};
use crate::config::{self, Backend, Experiment, RunSpec};
use crate::data::{self, Dataset, PreparedSplit};
use crate::evaluate::{self, EvalContext};
use crate::events::RunEvent;
use crate::metrics::ItemCategories;
use crate::model::HostWeights;
use crate::train::{self, StopFlag, SweepContext};

/// What `recsweep bench` measures and with what.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Timed epochs (and evaluation passes) per figure, after one warm-up epoch.
    pub repeats: usize,
    /// Only the main figures: no scaling table, no burn-engine epoch, no quickstart.
    pub quick: bool,
    /// Also time the wgpu backend (software adapters are 20–50× slower than the CPU).
    pub wgpu: bool,
    /// Only each model's epoch at MovieLens-100K's shape (MF fused and burn, two-tower,
    /// LightGCN), on the CPU.
    pub models: bool,
    /// The Python that runs the peer (needs torch and numpy).
    pub python: String,
    /// The peer script.
    pub peer: PathBuf,
    /// The experiment whose sweep's wall time is measured (skipped when absent).
    pub quickstart: PathBuf,
}

/// One figure: the median of `samples` seconds, with min and max.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// What was timed: `epoch`, `eval_scoring`, `eval_top_k`, `eval_all_metrics`, `sweep`, …
    pub what: String,
    /// Who computed it: `recsweep fused`, `recsweep burn flex`, `pytorch`, …
    pub engine: String,
    /// The workload's parameters (λ, positives, d, threads).
    pub detail: String,
    pub median_s: f64,
    pub min_s: f64,
    pub max_s: f64,
    pub repeats: usize,
    /// Labelled pairs per second, for epochs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairs_per_s: Option<f64>,
    /// The trade-off weight of a timed epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
}

impl Figure {
    fn new(what: &str, engine: &str, detail: String, samples: &[f64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Self {
            what: what.to_string(),
            engine: engine.to_string(),
            detail,
            median_s: median,
            min_s: sorted[0],
            max_s: sorted[n - 1],
            repeats: n,
            pairs_per_s: None,
            lambda: None,
        })
    }

    fn at_lambda(mut self, lambda: f64) -> Self {
        self.lambda = Some(lambda);
        self
    }

    fn with_pairs(mut self, labelled_pairs: usize) -> Self {
        self.pairs_per_s = Some(labelled_pairs as f64 / self.median_s);
        self
    }
}

/// A ratio of two figures' medians.
#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub what: String,
    pub ratio: f64,
}

/// Why the bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("bench: {0}")]
    Config(#[from] config::ConfigError),
    #[error("bench: {0}")]
    Data(#[from] data::DataError),
    #[error("bench: {0}")]
    Backend(#[from] backend::BackendError),
    #[error("bench: run '{run}' failed: {reason}")]
    Run { run: String, reason: String },
}

/// The workload's sizes.
#[derive(Debug, Clone, Copy)]
struct Workload {
    users: usize,
    items: usize,
    /// Mean interactions per user before the split.
    per_user: usize,
    dim: usize,
    /// Positives per step.
    batch: usize,
    negatives: usize,
    /// `model.kind` and the YAML lines that follow it.
    model: &'static str,
    loss: &'static str,
}

/// MovieLens-100K's shape as the model experiments train it (`model-*-ml100k.yaml`): 943 ×
/// 1,682, ~55 k positives, BPR with one negative, 1,024 positives a step.
const ML100K: Workload = Workload {
    users: 943,
    items: 1682,
    per_user: 59,
    dim: 64,
    batch: 1024,
    negatives: 1,
    model: "mf",
    loss: "bpr",
};

/// MovieLens-1M's shape: 6,040 × 3,706, ~1.11 M interactions, ~0.89 M for training.
const ML1M: Workload = Workload {
    users: 6040,
    items: 3706,
    per_user: 184,
    dim: 64,
    batch: 1638,
    negatives: 4,
    model: "mf",
    loss: "bce",
};

impl Workload {
    fn yaml(&self, epochs: usize, lambda: f64, cpu_engine: &str) -> String {
        format!(
            "name: bench\nseed: 1\n\
             data:\n  source: synthetic\n  synthetic:\n    users: {u}\n    items: {i}\n    categories: 18\n    interactions_per_user: {p}\n  split:\n    method: random\n    test: 0.2\n\
             model:\n  kind: {model}\n  dim: {d}\n\
             train:\n  epochs: {epochs}\n  batch_size: {b}\n  learning_rate: 0.001\n  weight_decay: 0\n  negatives: {n}\n  loss: {loss}\n  cpu_engine: {cpu_engine}\n\
             diversity:\n  regularizer: exposure_entropy\n  sample_users: 64\n\
             sweep:\n  lambda: [{lambda}]\n\
             eval:\n  k: [10, 20]\n  every: {epochs}\n",
            u = self.users,
            i = self.items,
            p = self.per_user,
            d = self.dim,
            b = self.batch,
            n = self.negatives,
            model = self.model,
            loss = self.loss,
        )
    }
}

/// The data and split of a workload, made once and shared by its runs.
struct Prepared {
    data: Arc<Dataset>,
    split: Arc<PreparedSplit>,
    categories: Arc<ItemCategories>,
}

impl Prepared {
    fn new(w: Workload) -> Result<Self, BenchError> {
        let exp = parse(&w.yaml(1, 0.0, "fused"))?;
        let data = data::load(&exp.data, exp.seed)?;
        let split = PreparedSplit::new(
            &data,
            &exp.data.split,
            exp.data.split.seed_for(exp.seed),
            exp.eval.head_share,
        );
        Ok(Self {
            categories: Arc::new(ItemCategories::new(data.item_categories.clone())),
            data: Arc::new(data),
            split: Arc::new(split),
        })
    }

    fn train_positives(&self) -> usize {
        self.split.train_pairs()
    }
}

fn parse(yaml: &str) -> Result<Experiment, BenchError> {
    Ok(config::parse_str(yaml, Path::new("bench.yaml"))?)
}

/// One timed run: the seconds of each epoch after the first (the warm-up).
fn timed_epochs(
    w: Workload,
    prepared: &Prepared,
    device: &DeviceChoice,
    lambda: f64,
    cpu_engine: &str,
    repeats: usize,
) -> Result<Vec<f64>, BenchError> {
    // One warm-up epoch, `repeats` timed ones, and a last one that carries the evaluation
    // (`eval.every` = epochs), which is not timed here.
    let epochs = repeats + 2;
    let exp = parse(&w.yaml(epochs, lambda, cpu_engine))?;
    let content = data::content::for_experiment(&prepared.data, &exp)?.map(Arc::new);
    let ctx = SweepContext {
        experiment: Arc::new(exp),
        data: Arc::clone(&prepared.data),
        device: device.clone(),
        categories: Arc::clone(&prepared.categories),
        content,
        threads_per_run: rayon::current_num_threads(),
    };
    let run = RunSpec::new(lambda, 1);
    let (tx, rx) = mpsc::channel();
    let stop = StopFlag::new(Arc::new(AtomicBool::new(false)));
    train::train_run(&ctx, &run, &prepared.split, &tx, &stop).map_err(|e| BenchError::Run {
        run: run.id.clone(),
        reason: e.to_string(),
    })?;
    drop(tx);
    let mut ends = vec![0.0];
    for event in rx {
        if let RunEvent::Epoch { record, .. } = event {
            ends.push(record.seconds);
        }
    }
    // Epoch e (from 1) ended at ends[e]; keep epochs 2..=repeats + 1.
    Ok((2..=repeats + 1)
        .filter(|&e| e < ends.len())
        .map(|e| ends[e] - ends[e - 1])
        .collect())
}

/// Medians of the three evaluation passes on `weights`.
/// Each re-ranker's time per user, as a sweep's re-ranking run spends it: every test user's
/// top 100 candidates of the workload's scores (training and validation items excluded),
/// re-ranked to 10 at θ = 0.5 with the user's category profile from training, on this
/// process's threads. The figure is the time of one pass over all users divided by them.
fn rerank_figures(prepared: &Prepared, weights: &HostWeights, repeats: usize) -> Vec<Figure> {
    const N: usize = 100;
    const K: usize = 10;
    const THETA: f64 = 0.5;
    let split = &prepared.split.split;
    let candidates = crate::evaluate::candidates(
        weights,
        &split.test,
        &split.train,
        Some(&split.validation),
        None,
        N,
    );
    let categories = &*prepared.categories;
    let n_categories = categories.id_bound();
    let profiles: Vec<Vec<f64>> = candidates
        .iter()
        .map(|(u, _)| {
            crate::metrics::category_profile(&split.train[*u as usize], categories, n_categories)
                .unwrap_or_else(|| vec![0.0; n_categories])
        })
        .collect();
    let users = candidates.len().max(1);
    crate::rerank::RerankMethod::ALL
        .iter()
        .filter_map(|&method| {
            let samples: Vec<f64> = (0..repeats)
                .map(|_| {
                    let t = Instant::now();
                    let picked: usize = candidates
                        .par_iter()
                        .zip(profiles.par_iter())
                        .map(|((_, cands), profile)| {
                            let context = crate::rerank::UserContext {
                                categories,
                                n_categories,
                                profile,
                            };
                            crate::rerank::rerank(method, THETA, cands, K, &context).len()
                        })
                        .sum();
                    std::hint::black_box(picked);
                    t.elapsed().as_secs_f64() / users as f64
                })
                .collect();
            Figure::new(
                "rerank_per_user",
                &format!("recsweep {}", method.name()),
                format!(
                    "{users} users, top {N} candidates → {K}, θ = {THETA}, {} threads",
                    rayon::current_num_threads()
                ),
                &samples,
            )
        })
        .collect()
}

fn evaluation_figures(prepared: &Prepared, weights: &HostWeights, repeats: usize) -> Vec<Figure> {
    let split = &prepared.split.split;
    let ks = [10usize, 20];
    let ctx = EvalContext {
        ks: &ks,
        masked: None,
        train: &split.train,
        categories: &prepared.categories,
        train_counts: &prepared.split.train_counts,
        is_head: &prepared.split.is_head,
    };
    let n_items = weights.n_items();
    let users: Vec<usize> = (0..prepared.data.n_users()).collect();
    let detail = format!(
        "{} users × {} items, d = {}, K = 10, 20, {} threads",
        users.len(),
        n_items,
        weights.dim,
        rayon::current_num_threads()
    );
    let time = |f: &dyn Fn() -> f64| -> Vec<f64> {
        (0..repeats)
            .map(|_| {
                let t = Instant::now();
                let checksum = f();
                std::hint::black_box(checksum);
                t.elapsed().as_secs_f64()
            })
            .collect()
    };
    let scoring = time(&|| {
        let scorer = weights.block_scorer();
        users
            .par_chunks(32)
            .map_init(Vec::new, |buf, block| {
                scorer.score_users(block, buf);
                f64::from(buf.iter().copied().fold(f32::MIN, f32::max))
            })
            .sum()
    });
    // Every user's top 10 with training items excluded (what the peer's pass computes).
    let top = time(&|| {
        let all: Vec<Vec<u32>> = split.train.iter().map(|_| vec![0u32]).collect();
        evaluate::candidates(weights, &all, &split.train, None, None, 10).len() as f64
    });
    let all_metrics = time(&|| {
        evaluate::evaluate(weights, &split.test, &split.train, None, &ctx).users_evaluated as f64
    });
    [
        ("eval_scoring", scoring),
        ("eval_top_k", top),
        ("eval_all_metrics", all_metrics),
    ]
    .into_iter()
    .filter_map(|(what, s)| Figure::new(what, "recsweep", detail.clone(), &s))
    .collect()
}

/// What the PyTorch peer printed.
struct PeerFigures {
    epochs: Vec<f64>,
    eval: Option<f64>,
    threads: Option<u64>,
}

/// Runs the peer on the same sizes; `Err` says why it did not run.
fn run_peer(
    opts: &BenchOptions,
    w: Workload,
    positives: usize,
    epochs: usize,
) -> Result<PeerFigures, String> {
    if !opts.peer.is_file() {
        return Err(format!("peer script '{}' not found", opts.peer.display()));
    }
    let output = Command::new(&opts.python)
        .arg(&opts.peer)
        .args(["--users", &w.users.to_string()])
        .args(["--items", &w.items.to_string()])
        .args(["--pairs", &positives.to_string()])
        .args(["--dim", &w.dim.to_string()])
        .args(["--neg", &w.negatives.to_string()])
        .args(["--batch", &(w.batch * (1 + w.negatives)).to_string()])
        .args(["--epochs", &epochs.to_string()])
        .args(["--threads", &rayon::current_num_threads().to_string()])
        .output()
        .map_err(|e| format!("cannot start '{}': {e}", opts.python))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("").trim().to_string();
        return Err(format!(
            "'{} {}' failed ({}): {last} (a venv with 'pip install torch numpy pandas' runs it; name its python with --python)",
            opts.python,
            opts.peer.display(),
            output.status
        ));
    }
    let mut figures = PeerFigures {
        epochs: Vec::new(),
        eval: None,
        threads: None,
    };
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match v["what"].as_str() {
            Some("epoch") => {
                if let Some(s) = v["seconds"].as_f64() {
                    figures.epochs.push(s);
                }
                figures.threads = v["threads"].as_u64();
            }
            Some("eval") => figures.eval = v["seconds"].as_f64(),
            _ => {}
        }
    }
    Ok(figures)
}

/// Peak resident memory of this process so far, in MiB (Linux), if known.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Everything one bench printed.
#[derive(Debug, Default, Serialize)]
pub struct BenchReport {
    pub figures: Vec<Figure>,
    pub ratios: Vec<Ratio>,
    /// Why a part was not measured.
    pub notes: Vec<String>,
    pub peak_rss_mib: Option<f64>,
}

impl BenchReport {
    fn push(&mut self, figure: Option<Figure>, say: &mut impl FnMut(&Figure)) {
        if let Some(f) = figure {
            say(&f);
            self.figures.push(f);
        }
    }

    /// The figure of `what` by `engine`, at `lambda` when one is given.
    fn find(&self, what: &str, engine: &str, lambda: Option<f64>) -> Option<&Figure> {
        self.figures.iter().find(|f| {
            f.what == what && f.engine == engine && (lambda.is_none() || f.lambda == lambda)
        })
    }

    fn ratio(&mut self, what: &str, a: Option<f64>, b: Option<f64>) {
        if let (Some(a), Some(b)) = (a, b)
            && b > 0.0
        {
            self.ratios.push(Ratio {
                what: what.to_string(),
                ratio: a / b,
            });
        }
    }
}

/// Runs the bench, printing each figure as it is measured through `say`.
pub fn run(opts: &BenchOptions, mut say: impl FnMut(&Figure)) -> Result<BenchReport, BenchError> {
    let mut report = BenchReport::default();
    let cpu = backend::choose(Backend::Cpu, &[])?;
    if opts.models {
        models(opts, &cpu, &mut report, &mut say)?;
        report.peak_rss_mib = peak_rss_mib();
        return Ok(report);
    }
    let w = ML1M;
    let prepared = Prepared::new(w)?;
    let positives = prepared.train_positives();
    let labelled = positives * (1 + w.negatives);
    let threads = rayon::current_num_threads();
    let detail = |lambda: f64, w: Workload, positives: usize| {
        format!(
            "λ = {lambda}, {positives} positives × {} labelled, d = {}, {} pairs/step, {threads} threads",
            1 + w.negatives,
            w.dim,
            w.batch * (1 + w.negatives)
        )
    };

    // Epochs on the fused engine, λ = 0 and λ = 0.1.
    let mut engines = vec![("fused", "recsweep fused", cpu.clone())];
    if !opts.quick {
        engines.push(("burn", "recsweep burn flex", cpu.clone()));
    }
    if opts.wgpu {
        match backend::choose(Backend::Wgpu, &backend::probe_adapters()) {
            Ok(device) => engines.push(("burn", "recsweep wgpu", device)),
            Err(e) => report.notes.push(format!("wgpu not timed: {e}")),
        }
    }
    for (cpu_engine, name, device) in &engines {
        for lambda in [0.0, 0.1] {
            let seconds = timed_epochs(w, &prepared, device, lambda, cpu_engine, opts.repeats)?;
            let figure = Figure::new("epoch", name, detail(lambda, w, positives), &seconds)
                .map(|f| f.with_pairs(labelled).at_lambda(lambda));
            report.push(figure, &mut say);
        }
    }

    // Evaluation, on weights of the workload's shape (the cost does not depend on training).
    let weights = random_weights(w, prepared.data.n_users());
    for f in evaluation_figures(&prepared, &weights, opts.repeats.max(3)) {
        report.push(Some(f), &mut say);
    }
    for f in rerank_figures(&prepared, &weights, opts.repeats.max(3)) {
        report.push(Some(f), &mut say);
    }

    // The peer, same sizes and threads.
    match run_peer(opts, w, positives, opts.repeats + 1) {
        Ok(peer) => {
            let peer_threads = peer
                .threads
                .map_or(String::new(), |t| format!(", {t} threads"));
            // Its first epoch is a warm-up, as ours.
            let epochs: Vec<f64> = peer.epochs.iter().skip(1).copied().collect();
            let figure = Figure::new(
                "epoch",
                "pytorch",
                format!("λ = 0, {positives} positives (mf_torch.py){peer_threads}"),
                &epochs,
            )
            .map(|f| f.with_pairs(labelled).at_lambda(0.0));
            report.push(figure, &mut say);
            if let Some(eval) = peer.eval {
                let figure = Figure::new(
                    "eval_top_k",
                    "pytorch",
                    format!("top-10 + coverage, all users{peer_threads}"),
                    &[eval],
                );
                report.push(figure, &mut say);
            }
        }
        Err(why) => report.notes.push(format!("PyTorch peer not run: {why}")),
    }

    if !opts.quick {
        scaling(opts, &cpu, &mut report, &mut say)?;
        quickstart(opts, &mut report, &mut say);
    }

    ratios(&mut report);
    report.peak_rss_mib = peak_rss_mib();
    Ok(report)
}

/// Each model's epoch at MovieLens-100K's shape, λ = 0, on the CPU: MF on the fused engine
/// and on burn flex, the two-tower model (synthetic data: categories and the generated
/// content) and LightGCN (3 layers) on burn flex; the ratio of each to MF's burn epoch.
fn models(
    opts: &BenchOptions,
    cpu: &DeviceChoice,
    report: &mut BenchReport,
    say: &mut impl FnMut(&Figure),
) -> Result<(), BenchError> {
    let prepared = Prepared::new(ML100K)?;
    let positives = prepared.train_positives();
    let runs: [(&str, &str, Workload); 4] = [
        ("mf", "fused", ML100K),
        ("mf", "burn", ML100K),
        (
            "two_tower",
            "burn",
            Workload {
                model: "two_tower",
                ..ML100K
            },
        ),
        (
            "lightgcn",
            "burn",
            Workload {
                model: "lightgcn\n  layers: 3",
                ..ML100K
            },
        ),
    ];
    for (model, engine, w) in runs {
        let seconds = timed_epochs(w, &prepared, cpu, 0.0, engine, opts.repeats)?;
        let name = match engine {
            "fused" => "recsweep fused",
            _ => "recsweep burn flex",
        };
        let figure = Figure::new(
            &format!("epoch_{model}"),
            name,
            format!(
                "ML-100K shape, λ = 0: {positives} positives, BPR, d = {}, {} positives/step",
                w.dim, w.batch
            ),
            &seconds,
        )
        .map(|f| f.with_pairs(positives * (1 + w.negatives)).at_lambda(0.0));
        report.push(figure, say);
    }
    let mf = report
        .find("epoch_mf", "recsweep burn flex", Some(0.0))
        .map(|f| f.median_s);
    for model in ["two_tower", "lightgcn"] {
        let m = report
            .find(&format!("epoch_{model}"), "recsweep burn flex", Some(0.0))
            .map(|f| f.median_s);
        report.ratio(&format!("{model} epoch ÷ MF epoch (burn flex)"), m, mf);
    }
    Ok(())
}

/// Epoch time of the fused engine at ¼×, ½×, 1×, 2× the positives (d = 64) and at d = 32,
/// 64, 128 (1× positives), λ = 0.
fn scaling(
    opts: &BenchOptions,
    cpu: &DeviceChoice,
    report: &mut BenchReport,
    say: &mut impl FnMut(&Figure),
) -> Result<(), BenchError> {
    let mut sizes: Vec<(String, Workload)> = [(1, 4), (1, 2), (1, 1), (2, 1)]
        .into_iter()
        .map(|(num, den)| {
            (
                format!("positives {num}/{den}×"),
                Workload {
                    per_user: ML1M.per_user * num / den,
                    ..ML1M
                },
            )
        })
        .collect();
    for dim in [32, 128] {
        sizes.push((format!("d = {dim}"), Workload { dim, ..ML1M }));
    }
    for (label, w) in sizes {
        let prepared = Prepared::new(w)?;
        let positives = prepared.train_positives();
        let seconds = timed_epochs(w, &prepared, cpu, 0.0, "fused", opts.repeats)?;
        let figure = Figure::new(
            "epoch_scaling",
            "recsweep fused",
            format!("{label}: {positives} positives, d = {}", w.dim),
            &seconds,
        )
        .map(|f| f.with_pairs(positives * (1 + w.negatives)));
        report.push(figure, say);
    }
    Ok(())
}

/// The wall time of `recsweep --run` on the quickstart, from a second process (as a user runs
/// it: data, training, evaluation, figures), writing to a temporary directory.
fn quickstart(opts: &BenchOptions, report: &mut BenchReport, say: &mut impl FnMut(&Figure)) {
    if !opts.quickstart.is_file() {
        report.notes.push(format!(
            "quickstart not timed: '{}' not found",
            opts.quickstart.display()
        ));
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        report
            .notes
            .push("quickstart not timed: cannot find this executable".into());
        return;
    };
    let out = std::env::temp_dir().join(format!("recsweep-bench-{}", std::process::id()));
    let started = Instant::now();
    let status = Command::new(exe)
        .arg("--run")
        .arg(&opts.quickstart)
        .args(["--backend", "cpu", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let seconds = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&out);
    match status {
        Ok(s) if s.success() => {
            let figure = Figure::new(
                "sweep",
                "recsweep fused",
                format!("{} (--backend cpu), wall", opts.quickstart.display()),
                &[seconds],
            );
            report.push(figure, say);
        }
        Ok(s) => report
            .notes
            .push(format!("quickstart not timed: the sweep exited with {s}")),
        Err(e) => report
            .notes
            .push(format!("quickstart not timed: cannot start it: {e}")),
    }
}

/// recsweep ÷ PyTorch and λ > 0 ÷ λ = 0, where both were measured.
fn ratios(report: &mut BenchReport) {
    let median = |f: Option<&Figure>| f.map(|f| f.median_s);
    let torch_epoch = median(report.find("epoch", "pytorch", None));
    let torch_eval = median(report.find("eval_top_k", "pytorch", None));
    let fused0 = median(report.find("epoch", "recsweep fused", Some(0.0)));
    let fused1 = median(report.find("epoch", "recsweep fused", Some(0.1)));
    let burn0 = median(report.find("epoch", "recsweep burn flex", Some(0.0)));
    let burn1 = median(report.find("epoch", "recsweep burn flex", Some(0.1)));
    let eval_all = median(report.find("eval_all_metrics", "recsweep", None));
    let eval_top = median(report.find("eval_top_k", "recsweep", None));
    report.ratio("epoch λ = 0: recsweep fused ÷ pytorch", fused0, torch_epoch);
    report.ratio(
        "epoch λ = 0.1: recsweep fused ÷ pytorch (λ = 0)",
        fused1,
        torch_epoch,
    );
    report.ratio("epoch: fused λ = 0.1 ÷ fused λ = 0", fused1, fused0);
    report.ratio("epoch λ = 0: burn flex ÷ fused", burn0, fused0);
    report.ratio("epoch λ = 0.1: burn flex ÷ fused", burn1, fused1);
    report.ratio(
        "eval, all metrics: recsweep ÷ pytorch top-K",
        eval_all,
        torch_eval,
    );
    report.ratio(
        "eval, top-K: recsweep ÷ pytorch top-K",
        eval_top,
        torch_eval,
    );
}

/// Weights of the workload's shape, uniform in ±0.175 (a deterministic xorshift stream).
fn random_weights(w: Workload, n_users: usize) -> HostWeights {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.35
    };
    HostWeights {
        dim: w.dim,
        users: (0..n_users * w.dim).map(|_| next()).collect(),
        items: (0..w.items * w.dim).map(|_| next()).collect(),
        bias: (0..w.items).map(|_| next() * 0.1).collect(),
    }
}

/// The figures as an aligned table.
/// Seconds as the table prints them: four decimals, or three significant digits below
/// 10 ms (a re-ranking's time per user is microseconds).
pub fn seconds(v: f64) -> String {
    if v >= 0.01 {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

pub fn table(report: &BenchReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<18} {:<20} {:>10} {:>10} {:>10} {:>12}  {}\n",
        "what", "engine", "median s", "min s", "max s", "pairs/s", "workload"
    ));
    for f in &report.figures {
        out.push_str(&format!(
            "{:<18} {:<20} {:>10} {:>10} {:>10} {:>12}  {}\n",
            f.what,
            f.engine,
            seconds(f.median_s),
            seconds(f.min_s),
            seconds(f.max_s),
            f.pairs_per_s
                .map_or(String::from("-"), |p| format!("{p:.0}")),
            f.detail
        ));
    }
    if !report.ratios.is_empty() {
        out.push_str("\nratios of medians (same command, same machine):\n");
        for r in &report.ratios {
            out.push_str(&format!("  {:<52} {:>7.2}×\n", r.what, r.ratio));
        }
    }
    if let Some(mib) = report.peak_rss_mib {
        out.push_str(&format!("\npeak resident memory: {mib:.0} MiB\n"));
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_is_the_median_with_min_and_max() {
        let f = Figure::new("epoch", "x", String::new(), &[3.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            (f.median_s, f.min_s, f.max_s, f.repeats),
            (2.0, 1.0, 3.0, 3)
        );
        let even = Figure::new("epoch", "x", String::new(), &[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(even.median_s, 2.5);
        assert!(Figure::new("epoch", "x", String::new(), &[]).is_none());
        assert_eq!(even.with_pairs(10).pairs_per_s, Some(4.0));
    }

    #[test]
    fn the_workload_parses_and_has_ml_1m_s_shape() {
        let exp = parse(&ML1M.yaml(3, 0.1, "fused")).unwrap();
        assert_eq!(exp.train.batch_size, 1638);
        assert_eq!(exp.train.negatives, 4);
        assert_eq!(exp.model.dim, 64);
        assert_eq!(exp.eval.every, 3);
    }

    #[test]
    fn the_models_workload_parses_for_every_model() {
        for model in ["mf", "two_tower", "lightgcn\n  layers: 3"] {
            let w = Workload { model, ..ML100K };
            let exp = parse(&w.yaml(3, 0.0, "burn")).unwrap();
            assert_eq!(exp.train.negatives, 1);
            assert_eq!(exp.model.dim, 64);
        }
    }
}

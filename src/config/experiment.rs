//! The validated experiment, and phase two that builds it: [`Experiment::from_raw`] delegates
//! to one small conversion per section of the file (data, model, train, diversity, sweep, eval,
//! parallel, plots), each naming the file, the field and the quoted value when it rejects one.
//! Everything a sweep needs, nothing unchecked; choices are vocabulary types, not strings.

use super::gate::{Gate, GateParseError, GateScope};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::method::{DiversityMethod, MethodSpec, RegularizerSpec};
use super::raw::{
    self, Backend, BelowThreshold, CpuEngine, RelevanceLoss, SourceKind, SplitMethod,
    WeightDecayKind, WeightDecayOn,
};
use super::{Check, ConfigError, sweep};
use crate::metrics::{Metric, MetricKey};
use crate::rerank::RerankMethod;

/// A validated experiment: everything a sweep needs, nothing unchecked.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub name: String,
    /// The file it came from (for messages and the run store).
    pub file: PathBuf,
    pub seed: u64,
    pub data: DataSpec,
    pub model: ModelSpec,
    pub train: TrainSpec,
    pub diversity: DiversitySpec,
    pub lambdas: Vec<f64>,
    pub seeds: Vec<u64>,
    /// Re-rankers of the baseline's candidates, if any.
    pub rerank: Option<RerankSpec>,
    pub eval: EvalSpec,
    /// The sweep-level choice of λ (θ) per method on validation, if asked for.
    pub select: Option<SelectSpec>,
    /// Conditions on the test metrics checked at the end of `--run` (`gates:`, `--gate`).
    pub gates: Vec<Gate>,
    pub parallel: usize,
    pub plots: PlotSettings,
    /// The raw form with paths made absolute, from which each run's own config is written.
    pub resolved: raw::RawExperiment,
}

/// Where the interactions come from, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum DataSource {
    Synthetic(raw::SyntheticParams),
    /// Directory holding MovieLens-100K's `u.data` and `u.item`.
    MovieLens100k(PathBuf),
    /// A CSV or Parquet file with named columns.
    File {
        path: PathBuf,
        columns: raw::Columns,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    pub source: DataSource,
    /// An interaction with rating at or above this is a positive.
    pub positive_threshold: f64,
    /// The candidate rule for the interactions below the threshold.
    pub below_threshold: BelowThreshold,
    pub split: SplitSpec,
}

/// How the positives are divided between train, validation and test, and with which seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitSpec {
    pub method: SplitMethod,
    /// Share held out for test: of each user's positives (random, temporal) or of all
    /// positives (temporal-global); ignored by leave-one-out and leave-last-out.
    pub test: f64,
    /// Share of the remaining positives held out for validation (random, temporal,
    /// temporal-global), or whether to hold one out (leave-one-out, leave-last-out: any value
    /// above zero).
    pub validation: f64,
    /// Which seed the split is drawn with.
    pub seed: SplitSeed,
}

/// The seed a split is drawn with: one for the whole sweep, or each run's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitSeed {
    /// `data.split.seed`, or the experiment's `seed`: every run of the sweep trains and is
    /// evaluated on the same split, and `sweep.seeds` varies training alone.
    Fixed(u64),
    /// `data.split.vary_with_seed: true`: each run's split is drawn with its run seed.
    PerRun,
}

impl SplitSpec {
    /// The seed the split of a run with seed `run_seed` is drawn with.
    pub fn seed_for(&self, run_seed: u64) -> u64 {
        match self.seed {
            SplitSeed::Fixed(seed) => seed,
            SplitSeed::PerRun => run_seed,
        }
    }

    /// The split the per-epoch curves are computed on: validation when one is held out,
    /// otherwise test (there is no model selection, so nothing is tuned on it).
    pub fn monitored_split(&self) -> EvalSplit {
        if self.validation > 0.0 {
            EvalSplit::Validation
        } else {
            EvalSplit::Test
        }
    }
}

/// A held-out split metrics are computed on; `validation` / `test` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSplit {
    Validation,
    Test,
}

impl EvalSplit {
    /// The name in files: `validation`, `test`.
    pub fn name(self) -> &'static str {
        match self {
            EvalSplit::Validation => "validation",
            EvalSplit::Test => "test",
        }
    }
}

impl fmt::Display for EvalSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a string is not an [`EvalSplit`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a split (validation or test)")]
pub struct ParseEvalSplitError(pub String);

impl FromStr for EvalSplit {
    type Err = ParseEvalSplitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [EvalSplit::Validation, EvalSplit::Test]
            .into_iter()
            .find(|s| s.name() == text)
            .ok_or_else(|| ParseEvalSplitError(text.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrainSpec {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// `train.weight_decay` with its kind and where it acts.
    pub weight_decay: WeightDecay,
    /// Adam's ε, in (0, 0.01].
    pub adam_epsilon: f64,
    /// Adam's (β₁, β₂), each in [0, 1).
    pub adam_betas: [f64; 2],
    pub negatives: usize,
    pub loss: RelevanceLoss,
    pub backend: Backend,
    /// How a step is computed on the CPU backend.
    pub cpu_engine: CpuEngine,
    pub init_std: f64,
}

/// `train.weight_decay` (the rate, in [0, 1]) resolved with `weight_decay_kind` and
/// `weight_decay_on`. Decoupled decay is an optimizer step, so it has no batch-rows form: that
/// pair is rejected when the file is read and cannot be written here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightDecay {
    /// `coupled` on `parameters`: Adam with `rate · p` added to every parameter's gradient,
    /// every row, every step (`torch.optim.Adam(weight_decay=rate)`).
    Coupled(f64),
    /// `decoupled` on `parameters`: AdamW, `p ← p · (1 − lr · rate)` besides Adam's step
    /// (`torch.optim.AdamW(weight_decay=rate)`).
    Decoupled(f64),
    /// `coupled` on `batch_rows`: the optimizer has no decay; the objective gains
    /// `rate · ½ Σ ‖row‖² / batch` over the rows the batch touches (RecBole, LightGCN).
    BatchRows(f64),
}

impl WeightDecay {
    /// The rate, `train.weight_decay`.
    pub fn rate(self) -> f64 {
        match self {
            WeightDecay::Coupled(r) | WeightDecay::Decoupled(r) | WeightDecay::BatchRows(r) => r,
        }
    }

    /// The rate of the objective's L2 term on the batch's rows, when the decay is one.
    pub fn batch_rows(self) -> Option<f64> {
        match self {
            WeightDecay::BatchRows(r) => Some(r),
            WeightDecay::Coupled(_) | WeightDecay::Decoupled(_) => None,
        }
    }

    /// `train.weight_decay`, `weight_decay_kind` and `weight_decay_on`.
    fn from_raw(raw: &raw::RawTrain, check: Check<'_>) -> Result<Self, ConfigError> {
        let rate = check.finite_in(
            "train.weight_decay",
            raw.weight_decay,
            0.0,
            1.0,
            "must be in [0, 1]",
        )?;
        match (raw.weight_decay_kind, raw.weight_decay_on) {
            (WeightDecayKind::Coupled, WeightDecayOn::Parameters) => Ok(WeightDecay::Coupled(rate)),
            (WeightDecayKind::Decoupled, WeightDecayOn::Parameters) => {
                Ok(WeightDecay::Decoupled(rate))
            }
            (WeightDecayKind::Coupled, WeightDecayOn::BatchRows) => {
                Ok(WeightDecay::BatchRows(rate))
            }
            (WeightDecayKind::Decoupled, on @ WeightDecayOn::BatchRows) => Err(check.invalid(
                "train.weight_decay_on",
                on,
                "'train.weight_decay_kind: decoupled' is an optimizer step, not a loss term: \
                 use 'weight_decay_on: parameters' with it, or 'weight_decay_kind: coupled' \
                 for an L2 term on the batch's rows",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiversitySpec {
    /// The methods the sweep compares (one, usually), none twice.
    pub methods: Vec<DiversityMethod>,
    /// Softness of the exposure's top-K boundary, in standard deviations of a user's scores.
    pub temperature: f64,
    /// Distinct users drawn uniformly per batch for the exposure terms (cost: users × items).
    pub sample_users: usize,
}

/// Re-rankers applied to each seed's relevance-only baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct RerankSpec {
    /// At least one, none twice.
    pub methods: Vec<RerankMethod>,
    /// The trade-off values θ ∈ [0, 1], none twice.
    pub thetas: Vec<f64>,
    /// Each user's list is re-ranked from the baseline's top this many, in [1, 100000].
    pub candidates: usize,
}

impl RerankSpec {
    /// `rerank`: methods, θ values and the candidate count.
    fn from_raw(raw: &raw::RawRerank, check: Check<'_>) -> Result<Self, ConfigError> {
        if raw.methods.is_empty() {
            return Err(check.invalid("rerank.methods", "[]", "needs at least one method"));
        }
        for (i, m) in raw.methods.iter().enumerate() {
            if raw.methods[..i].contains(m) {
                return Err(check.invalid("rerank.methods", m, "appears twice"));
            }
        }
        let candidates = check.at_least("rerank.candidates", raw.candidates, 1)?;
        if candidates > 100_000 {
            return Err(check.invalid("rerank.candidates", candidates, "must be at most 100000"));
        }
        Ok(Self {
            methods: raw.methods.clone(),
            thetas: sweep::thetas_from_raw(&raw.theta, check)?,
            candidates,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvalSpec {
    /// Cut-offs, ascending, without duplicates.
    pub k: Vec<usize>,
    pub every: usize,
    /// The validation metric a run keeps its best epoch by (with a validation split).
    pub select: MetricKey,
    /// Evaluations without a better `select` value after which a run stops; `None`: never.
    pub patience: Option<usize>,
    /// Share of items, most popular in training first, that are the long-tail metrics' head.
    pub head_share: f64,
}

/// `select.lambda`, resolved: per method, the point with the best `diversity` among those
/// whose `relevance` is at least `keep` × the λ = 0 value, on validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectSpec {
    pub diversity: MetricKey,
    /// A metric that is better when higher.
    pub relevance: MetricKey,
    /// In (0, 1].
    pub keep: f64,
}

impl SelectSpec {
    /// `select`: axes that the runs evaluate (defaults: the trade-off's), a relevance metric
    /// that is better when higher, `keep` in (0, 1], and a validation split to select on.
    fn from_raw(
        raw: &raw::RawSelect,
        split: &SplitSpec,
        eval: &EvalSpec,
        plots: &PlotSettings,
        check: Check<'_>,
    ) -> Result<Self, ConfigError> {
        let raw = &raw.lambda;
        if split.validation <= 0.0 {
            return Err(check.invalid(
                "select.lambda",
                format!("with data.split.validation: {}", split.validation),
                "needs a validation split (data.split.validation > 0): selecting on test is tuning on test",
            ));
        }
        let diversity = plot_axis(
            "select.lambda.diversity",
            raw.diversity.as_deref(),
            plots.diversity,
            eval,
            check,
        )?;
        let relevance = plot_axis(
            "select.lambda.relevance",
            raw.relevance.as_deref(),
            plots.relevance,
            eval,
            check,
        )?;
        if relevance.direction() != crate::metrics::Direction::HigherIsBetter {
            return Err(check.invalid(
                "select.lambda.relevance",
                relevance,
                "must be a metric that is better when higher",
            ));
        }
        let keep = check.finite_in(
            "select.lambda.keep",
            raw.keep,
            f64::MIN_POSITIVE,
            1.0,
            "must be in (0, 1]",
        )?;
        Ok(SelectSpec {
            diversity,
            relevance,
            keep,
        })
    }
}

/// Resolved figure settings; written to `sweep.json` (the keys as their strings, `ndcg@10`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlotSettings {
    pub width: u32,
    pub height: u32,
    /// The paper column the figures are made for (their size and font sizes in points);
    /// absent: fonts scale with the height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<FigurePreset>,
    /// Trade-off y axis, a test metric.
    pub relevance: MetricKey,
    /// Trade-off x axis, a test metric.
    pub diversity: MetricKey,
    /// The diversity axes of the fronts and their hypervolumes (`diversity` first); absent in
    /// sweeps written before fronts were recorded (read [`PlotSettings::front_axes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fronts: Vec<MetricKey>,
}

/// A figure made for a paper's column: its size in inches at [`FigurePreset::DPI`] and its
/// text in points, so that it is printed at 100 % (`\includegraphics` without a width) with
/// 7–9 pt text, as the column's body text is 9–10 pt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigurePreset {
    /// 3.5 × 2.45 in: one column of a two-column paper (IEEE, ACM).
    SingleColumn,
    /// 7.0 × 2.8 in: across both columns (`figure*`).
    DoubleColumn,
}

impl FigurePreset {
    /// The pixels per inch of the PNG, and the scale of the PDF (a pixel is 72 / DPI points).
    pub const DPI: f64 = 300.0;

    pub fn name(self) -> &'static str {
        match self {
            FigurePreset::SingleColumn => "single_column",
            FigurePreset::DoubleColumn => "double_column",
        }
    }

    /// Width and height in inches.
    pub fn inches(self) -> (f64, f64) {
        match self {
            FigurePreset::SingleColumn => (3.5, 2.45),
            FigurePreset::DoubleColumn => (7.0, 2.8),
        }
    }

    /// Width and height in pixels at [`Self::DPI`].
    pub fn pixels(self) -> (u32, u32) {
        let (w, h) = self.inches();
        (
            (w * Self::DPI).round() as u32,
            (h * Self::DPI).round() as u32,
        )
    }

    /// Caption, axis titles, and ticks and legend, in points.
    pub fn font_points(self) -> (f64, f64, f64) {
        (9.0, 8.0, 7.0)
    }
}

/// The width and height a figure may have, in pixels (checked in the YAML and again when a
/// stored sweep's `sweep.json` is read back).
pub const FIGURE_PIXELS: std::ops::RangeInclusive<u32> = 320..=8000;

impl PlotSettings {
    /// The diversity axes of the fronts: `fronts`, or the trade-off's diversity axis alone.
    pub fn front_axes(&self) -> Vec<MetricKey> {
        if self.fronts.is_empty() {
            vec![self.diversity]
        } else {
            self.fronts.clone()
        }
    }
}

/// The metrics of the per-epoch curves, live (workbench) and exported (figures); decided by
/// [`Experiment::curve_keys`] alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurveKeys {
    pub auc: MetricKey,
    pub coverage: MetricKey,
}

impl Experiment {
    /// Phase two: checks every section of `raw` and resolves its paths; `file` names the file
    /// in errors and anchors relative paths. Sections are checked in a fixed order (name, data,
    /// model, train, diversity, sweep, eval, parallel, plots) and the first bad field is the
    /// one reported; plots come after eval because the axes must be evaluated cut-offs, and
    /// select after plots because its axes default to theirs.
    pub fn from_raw(mut raw: raw::RawExperiment, file: &Path) -> Result<Self, ConfigError> {
        let check = Check { file };
        let name = name_from_raw(&raw.name, check)?;
        let data = DataSpec::from_raw(&mut raw.data, raw.seed, check)?;
        let model = ModelSpec::from_raw(&mut raw.model, &data, file, check)?;
        let train = TrainSpec::from_raw(&raw.train, check)?;
        let diversity = DiversitySpec::from_raw(&raw.diversity, check)?;
        let lambdas = sweep::lambdas_from_raw(&raw.sweep.lambda, check)?;
        let seeds = sweep::seeds_from_raw(&raw.sweep, raw.seed, check)?;
        let rerank = match &raw.rerank {
            Some(r) => Some(RerankSpec::from_raw(r, check)?),
            None => None,
        };
        let eval = EvalSpec::from_raw(&raw.eval, &data.split, check)?;
        if let DataSource::Synthetic(params) = &data.source
            && let Some(&k) = eval.k.iter().find(|&&k| k > params.items)
        {
            return Err(check.invalid(
                "eval.k",
                k,
                format!(
                    "a list cannot be longer than the catalogue (data.synthetic.items: {})",
                    params.items
                ),
            ));
        }
        let parallel = parallel_from_raw(raw.parallel, check)?;
        let plots = PlotSettings::from_raw(&raw.plots, &eval, check)?;
        // The resolved file states the size (but for a preset, which sets it).
        if raw.plots.preset.is_none() {
            raw.plots.width = Some(plots.width);
            raw.plots.height = Some(plots.height);
        }
        let select = match &raw.select {
            Some(s) => Some(SelectSpec::from_raw(s, &data.split, &eval, &plots, check)?),
            None => None,
        };
        let gates = raw
            .gates
            .iter()
            .enumerate()
            .map(|(i, text)| {
                gate_from_text(text, &eval, select.is_some())
                    .map_err(|why| check.invalid(&format!("gates[{i}]"), text, why))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Experiment {
            name,
            file: std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
            seed: raw.seed,
            data,
            model,
            train,
            diversity,
            lambdas,
            seeds,
            rerank,
            eval,
            select,
            gates,
            parallel,
            plots,
            resolved: raw,
        })
    }

    /// The one place that decides which metrics the per-epoch curves show, in the workbench
    /// while runs train and in the exported figures: the full-ranking AUC, and catalogue
    /// coverage at the first cut-off of `eval.k`.
    pub fn curve_keys(&self) -> CurveKeys {
        CurveKeys {
            auc: MetricKey::AUC,
            coverage: MetricKey::at(Metric::Coverage, self.eval.k[0]),
        }
    }
}

/// The longest experiment name: it is a directory name under `runs/`, well inside the file
/// systems' 255 bytes.
const MAX_NAME_LEN: usize = 100;

/// `name`: it names the output directory, so letters, digits, `-`, `_` and `.` only, starting
/// with a letter or digit (so never `.`, `..` or a hidden directory), at most 100 characters.
fn name_from_raw(raw: &str, check: Check<'_>) -> Result<String, ConfigError> {
    let name = raw.trim();
    if name.len() > MAX_NAME_LEN {
        return Err(check.invalid(
            "name",
            raw,
            format!("at most {MAX_NAME_LEN} characters (it names the output directory)"),
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(check.invalid(
            "name",
            raw,
            "use letters, digits, '-', '_' or '.', starting with a letter or digit (it names the output directory)",
        ));
    }
    Ok(name.to_string())
}

impl DataSpec {
    /// `data`: the source, the positive threshold and the split. Resolves the raw section in
    /// place as well (path made absolute, synthetic parameters and the split seed written
    /// out), so that a run's own config reproduces it from anywhere.
    fn from_raw(
        raw: &mut raw::RawData,
        experiment_seed: u64,
        check: Check<'_>,
    ) -> Result<Self, ConfigError> {
        let source = DataSource::from_raw(raw, check)?;
        let positive_threshold = check.finite_in(
            "data.positive_threshold",
            raw.positive_threshold,
            f64::MIN,
            f64::MAX,
            "must be finite",
        )?;
        let split = SplitSpec::from_raw(&mut raw.split, &source, experiment_seed, check)?;
        Ok(DataSpec {
            source,
            positive_threshold,
            below_threshold: raw.below_threshold,
            split,
        })
    }
}

impl DataSource {
    /// `data.source` with `data.path`, `data.synthetic` and `data.columns`: only the fields
    /// the source takes, the synthetic parameters in range, the path resolved against the
    /// experiment file's directory.
    fn from_raw(raw: &mut raw::RawData, check: Check<'_>) -> Result<Self, ConfigError> {
        let source = match raw.source {
            SourceKind::Synthetic => {
                if let Some(p) = &raw.path {
                    return Err(check.invalid(
                        "data.path",
                        p.display(),
                        "synthetic data takes no path",
                    ));
                }
                let params = synthetic_from_raw(raw.synthetic.clone().unwrap_or_default(), check)?;
                raw.synthetic = Some(params.clone());
                DataSource::Synthetic(params)
            }
            SourceKind::Movielens100k | SourceKind::File => {
                let Some(p) = raw.path.clone() else {
                    return Err(check.invalid("data.path", "", "this source needs a path"));
                };
                let abs = resolve_path(check.file, &p);
                raw.path = Some(abs.clone());
                if raw.source == SourceKind::Movielens100k {
                    DataSource::MovieLens100k(abs)
                } else {
                    let ext = abs
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if ext != "csv" && ext != "parquet" {
                        return Err(check.invalid(
                            "data.path",
                            p.display(),
                            "expected a .csv or .parquet file",
                        ));
                    }
                    DataSource::File {
                        path: abs,
                        columns: raw.columns.clone().unwrap_or_default(),
                    }
                }
            }
        };
        if raw.synthetic.is_some() && raw.source != SourceKind::Synthetic {
            return Err(check.invalid(
                "data.synthetic",
                "…",
                "only allowed with 'source: synthetic'",
            ));
        }
        if raw.columns.is_some() && raw.source != SourceKind::File {
            return Err(check.invalid("data.columns", "…", "only allowed with 'source: file'"));
        }
        Ok(source)
    }
}

/// recsweep's limits on sizes, checked when the file is read, before anything is allocated:
/// far beyond the research data sets it is for, far below what aborts on allocation.
pub mod limits {
    /// Generated users, and generated items.
    pub const USERS: usize = 2_000_000;
    pub const ITEMS: usize = 1_000_000;
    /// Generated interactions (users × interactions per user).
    pub const INTERACTIONS: usize = 100_000_000;
    pub const EPOCHS: usize = 100_000;
    /// Positives per step.
    pub const BATCH: usize = 1_000_000;
    /// Negatives per positive.
    pub const NEGATIVES: usize = 1_000;
    /// Exposure users per step (each costs a row of every item's score).
    pub const SAMPLE_USERS: usize = 65_536;
    /// Values of a swept λ or θ range.
    pub const STEPS: usize = 1_000;
}

/// `data.synthetic`: a generator that can produce what it is asked for.
fn synthetic_from_raw(
    params: raw::SyntheticParams,
    check: Check<'_>,
) -> Result<raw::SyntheticParams, ConfigError> {
    check.count_in("data.synthetic.users", params.users, 2, limits::USERS)?;
    check.count_in("data.synthetic.items", params.items, 10, limits::ITEMS)?;
    check.at_least("data.synthetic.categories", params.categories, 1)?;
    if params.categories > params.items {
        return Err(check.invalid(
            "data.synthetic.categories",
            params.categories,
            format!(
                "cannot exceed 'items' ({}): every category needs an item",
                params.items
            ),
        ));
    }
    check.at_least(
        "data.synthetic.interactions_per_user",
        params.interactions_per_user,
        5,
    )?;
    if params.interactions_per_user > params.items / 2 {
        return Err(check.invalid(
            "data.synthetic.interactions_per_user",
            params.interactions_per_user,
            "must be at most half the number of items",
        ));
    }
    if params.users.saturating_mul(params.interactions_per_user) > limits::INTERACTIONS {
        return Err(check.invalid(
            "data.synthetic.interactions_per_user",
            params.interactions_per_user,
            format!(
                "{} users × {} is more than {} interactions (recsweep's limit for generated data)",
                params.users,
                params.interactions_per_user,
                limits::INTERACTIONS
            ),
        ));
    }
    check.at_least(
        "data.synthetic.categories_per_user",
        params.categories_per_user,
        1,
    )?;
    if params.categories_per_user > params.categories {
        return Err(check.invalid(
            "data.synthetic.categories_per_user",
            params.categories_per_user,
            "cannot exceed 'categories'",
        ));
    }
    check.finite_in(
        "data.synthetic.popularity_exponent",
        params.popularity_exponent,
        0.0,
        5.0,
        "must be in [0, 5]",
    )?;
    check.finite_in(
        "data.synthetic.preference_strength",
        params.preference_strength,
        0.0,
        1.0,
        "must be in [0, 1]",
    )?;
    Ok(params)
}

/// Resolves `path` against the directory of the experiment file.
fn resolve_path(file: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let base = file.parent().unwrap_or(Path::new("."));
    let joined = base.join(path);
    std::path::absolute(&joined).unwrap_or(joined)
}

impl SplitSpec {
    /// `data.split`: shares in range (`test` may be 0 only where it is ignored), a source that
    /// records time when the split orders by it, and a seed (`experiment_seed` when none is
    /// given), written back into `raw` so that each run's config names it.
    fn from_raw(
        raw: &mut raw::RawSplit,
        source: &DataSource,
        experiment_seed: u64,
        check: Check<'_>,
    ) -> Result<Self, ConfigError> {
        check.finite_in("data.split.test", raw.test, 0.0, 0.9, "must be in (0, 0.9]")?;
        if raw.test <= 0.0 && !raw.method.holds_out_one() {
            return Err(check.invalid("data.split.test", raw.test, "must be in (0, 0.9]"));
        }
        check.finite_in(
            "data.split.validation",
            raw.validation,
            0.0,
            0.5,
            "must be in [0, 0.5]",
        )?;
        if raw.method.needs_timestamps() {
            let missing = match source {
                DataSource::File { columns, .. } if columns.timestamp.is_none() => Some(
                    "orders positives by time: name the file's timestamp column in 'data.columns.timestamp'",
                ),
                DataSource::Synthetic(_) => {
                    Some("orders positives by time, and synthetic data records none")
                }
                DataSource::File { .. } | DataSource::MovieLens100k(_) => None,
            };
            if let Some(reason) = missing {
                return Err(check.invalid("data.split.method", raw.method, reason));
            }
        }
        let seed = match (raw.vary_with_seed, raw.seed) {
            (true, Some(seed)) => {
                return Err(check.invalid(
                    "data.split.seed",
                    seed,
                    "has no effect with 'vary_with_seed: true' (each run's split is drawn with its run seed): give one or the other",
                ));
            }
            (true, None) => SplitSeed::PerRun,
            (false, seed) => {
                let seed = seed.unwrap_or(experiment_seed);
                raw.seed = Some(seed);
                SplitSeed::Fixed(seed)
            }
        };
        Ok(SplitSpec {
            method: raw.method,
            test: raw.test,
            validation: raw.validation,
            seed,
        })
    }
}

/// `model`: the embedding size (the kind has a single value so far).
/// `model`: the kind, its embedding dimension, and what only its kind reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub kind: raw::ModelKind,
    pub dim: usize,
    /// LightGCN's propagation layers.
    pub layers: usize,
    /// The two-tower model's content.
    pub content: Option<ContentSpec>,
}

/// The blocks of a two-tower item's content vector (see [`raw::RawContent`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ContentSpec {
    pub categories: bool,
    pub text: bool,
    /// The embeddings file (made absolute) and its vectors' dimension.
    pub embeddings: Option<(PathBuf, usize)>,
    pub user_content: bool,
}

/// The most layers LightGCN propagates (its paper uses 1 to 4; more oversmooths).
pub const MAX_LAYERS: usize = 8;

impl ModelSpec {
    /// `model`: a dimension in [1, 4096]; `layers` only for LightGCN (1 to 8, default 3);
    /// `content` only for the two-tower model, with at least one block, an embeddings file
    /// that exists (resolved against the experiment file, and written back absolute) and
    /// whose dimension is stated.
    fn from_raw(
        raw: &mut raw::RawModel,
        data: &DataSpec,
        file: &Path,
        check: Check<'_>,
    ) -> Result<Self, ConfigError> {
        use raw::ModelKind;
        let dim = check.count_in("model.dim", raw.dim, 1, 4096)?;
        let layers = match (raw.kind, raw.layers) {
            (ModelKind::LightGcn, l) => {
                check.count_in("model.layers", l.unwrap_or(3), 1, MAX_LAYERS)?
            }
            (_, Some(l)) => {
                return Err(check.invalid(
                    "model.layers",
                    l,
                    "only model.kind 'lightgcn' propagates over layers",
                ));
            }
            (_, None) => 0,
        };
        let content = match (raw.kind, &mut raw.content) {
            (ModelKind::TwoTower, c) => {
                let c = c.get_or_insert_with(raw::RawContent::default);
                let embeddings = match (&c.embeddings, c.embedding_dim) {
                    (Some(path), Some(d)) => {
                        let d = check.count_in("model.content.embedding_dim", d, 1, 65_536)?;
                        let path = resolve_path(file, path);
                        if !path.is_file() {
                            return Err(check.invalid(
                                "model.content.embeddings",
                                path.display(),
                                "no such file",
                            ));
                        }
                        c.embeddings = Some(path.clone());
                        Some((path, d))
                    }
                    (Some(path), None) => {
                        return Err(check.invalid(
                            "model.content.embeddings",
                            path.display(),
                            "needs model.content.embedding_dim, the vectors' dimension",
                        ));
                    }
                    (None, Some(d)) => {
                        return Err(check.invalid(
                            "model.content.embedding_dim",
                            d,
                            "needs model.content.embeddings, the file of vectors",
                        ));
                    }
                    (None, None) => None,
                };
                // Text exists for MovieLens-100K (titles) and synthetic data (generated).
                let has_text = matches!(
                    data.source,
                    DataSource::MovieLens100k(_) | DataSource::Synthetic(_)
                );
                let text = c.text && has_text;
                if !c.categories && !text && embeddings.is_none() {
                    return Err(check.invalid(
                        "model.content",
                        "categories: false",
                        "the two-tower model needs some content: categories, text (MovieLens-100K, synthetic) or an embeddings file",
                    ));
                }
                Some(ContentSpec {
                    categories: c.categories,
                    text,
                    embeddings,
                    user_content: c.user_content,
                })
            }
            (_, Some(_)) => {
                return Err(check.invalid(
                    "model.content",
                    "…",
                    "only model.kind 'two_tower' reads item content",
                ));
            }
            (_, None) => None,
        };
        Ok(ModelSpec {
            kind: raw.kind,
            dim,
            layers,
            content,
        })
    }
}

impl TrainSpec {
    /// `train`: every count at least 1, every rate in range, a weight decay that exists.
    fn from_raw(raw: &raw::RawTrain, check: Check<'_>) -> Result<Self, ConfigError> {
        Ok(TrainSpec {
            epochs: check.count_in("train.epochs", raw.epochs, 1, limits::EPOCHS)?,
            batch_size: check.count_in("train.batch_size", raw.batch_size, 1, limits::BATCH)?,
            learning_rate: check.finite_in(
                "train.learning_rate",
                raw.learning_rate,
                f64::MIN_POSITIVE,
                10.0,
                "must be in (0, 10]",
            )?,
            weight_decay: WeightDecay::from_raw(raw, check)?,
            // The optimizer computes in f32: the smallest normal f32 keeps ε above zero there.
            adam_epsilon: check.finite_in(
                "train.adam_epsilon",
                raw.adam_epsilon,
                f64::from(f32::MIN_POSITIVE),
                1e-2,
                "must be > 0 (at least 1.2e-38, an f32) and at most 0.01",
            )?,
            adam_betas: adam_betas_from_raw(raw.adam_betas, check)?,
            negatives: check.count_in("train.negatives", raw.negatives, 1, limits::NEGATIVES)?,
            loss: raw.loss,
            backend: raw.backend,
            cpu_engine: raw.cpu_engine,
            init_std: check.finite_in(
                "train.init_std",
                raw.init_std,
                f64::MIN_POSITIVE,
                10.0,
                "must be in (0, 10]",
            )?,
        })
    }
}

/// `train.adam_betas`: each in [0, 1), strictly below 1 because `1 − βᵗ` divides Adam's
/// moments.
fn adam_betas_from_raw(betas: [f64; 2], check: Check<'_>) -> Result<[f64; 2], ConfigError> {
    for (i, &beta) in betas.iter().enumerate() {
        if !(0.0..1.0).contains(&beta) {
            return Err(check.invalid(
                &format!("train.adam_betas[{i}]"),
                beta,
                "must be in [0, 1)",
            ));
        }
    }
    Ok(betas)
}

impl DiversitySpec {
    /// `diversity`: the exposure temperature and the users sampled per batch.
    fn from_raw(raw: &raw::RawDiversity, check: Check<'_>) -> Result<Self, ConfigError> {
        Ok(DiversitySpec {
            methods: methods_from_raw(&raw.regularizer, check)?,
            temperature: check.finite_in(
                "diversity.temperature",
                raw.temperature,
                1e-3,
                1e3,
                "must be in [0.001, 1000]",
            )?,
            sample_users: check.count_in(
                "diversity.sample_users",
                raw.sample_users,
                1,
                limits::SAMPLE_USERS,
            )?,
        })
    }
}

/// `diversity.regularizer`: each method's terms present once with a finite weight > 0, and
/// no method twice.
fn methods_from_raw(
    spec: &RegularizerSpec,
    check: Check<'_>,
) -> Result<Vec<DiversityMethod>, ConfigError> {
    const FIELD: &str = "diversity.regularizer";
    let one = |m: &MethodSpec| -> Result<DiversityMethod, ConfigError> {
        match m {
            MethodSpec::One(r) => Ok(DiversityMethod::single(*r)),
            MethodSpec::Weighted(map) => {
                if map.is_empty() {
                    return Err(check.invalid(FIELD, "{}", "needs at least one regulariser"));
                }
                for (r, &w) in map {
                    check.finite_in(
                        &format!("{FIELD}.{r}"),
                        w,
                        f64::MIN_POSITIVE,
                        f64::MAX,
                        "a weight must be finite and > 0",
                    )?;
                }
                Ok(DiversityMethod {
                    terms: map.iter().map(|(r, w)| (*r, *w)).collect(),
                })
            }
        }
    };
    let methods = match spec {
        RegularizerSpec::One(r) => vec![DiversityMethod::single(*r)],
        RegularizerSpec::Weighted(map) => vec![one(&MethodSpec::Weighted(map.clone()))?],
        RegularizerSpec::Several(list) => {
            if list.is_empty() {
                return Err(check.invalid(FIELD, "[]", "needs at least one method"));
            }
            list.iter().map(one).collect::<Result<Vec<_>, _>>()?
        }
    };
    for (i, m) in methods.iter().enumerate() {
        if methods[..i].iter().any(|o| o.name() == m.name()) {
            return Err(check.invalid(FIELD, m.name(), "appears twice"));
        }
    }
    Ok(methods)
}

impl EvalSpec {
    /// `eval`: at least one cut-off, each in [1, 1000]; sorted and deduplicated. The selection
    /// metric is an evaluated key (default `ndcg@K` at the first K); naming it, or a patience,
    /// needs a validation split, since selecting on test would be tuning on test.
    fn from_raw(
        raw: &raw::RawEval,
        split: &SplitSpec,
        check: Check<'_>,
    ) -> Result<Self, ConfigError> {
        let mut k = raw.k.clone();
        if k.is_empty() {
            return Err(check.invalid("eval.k", "[]", "needs at least one cut-off"));
        }
        if let Some(&bad) = k.iter().find(|&&kk| kk == 0 || kk > 1000) {
            return Err(check.invalid("eval.k", bad, "each K must be in [1, 1000]"));
        }
        k.sort_unstable();
        k.dedup();
        let no_validation = |field: &str, value: String| {
            check.invalid(
                field,
                value,
                "needs a validation split (data.split.validation > 0): selecting on test is tuning on test",
            )
        };
        let select = match raw.select.as_deref() {
            None => MetricKey::at(Metric::Ndcg, k[0]),
            Some(text) => {
                if split.validation <= 0.0 {
                    return Err(no_validation("eval.select", text.to_string()));
                }
                let key = MetricKey::from_str(text)
                    .map_err(|e| check.invalid("eval.select", text, e.reason))?;
                if !key.is_evaluated_at(&k) {
                    return Err(check.invalid(
                        "eval.select",
                        text,
                        format!("not evaluated (K in {k:?})"),
                    ));
                }
                key
            }
        };
        let patience = match raw.patience {
            None => None,
            Some(p) if split.validation <= 0.0 => {
                return Err(no_validation("eval.patience", p.to_string()));
            }
            Some(p) => Some(check.at_least("eval.patience", p, 1)?),
        };
        Ok(EvalSpec {
            k,
            every: check.at_least("eval.every", raw.every, 1)?,
            select,
            patience,
            head_share: check.finite_in(
                "eval.head_share",
                raw.head_share,
                0.0,
                1.0,
                "must be in [0, 1]",
            )?,
        })
    }
}

/// `parallel`: at least 1; absent, the machine's cores, at most 4.
fn parallel_from_raw(raw: Option<usize>, check: Check<'_>) -> Result<usize, ConfigError> {
    match raw {
        Some(p) => check.at_least("parallel", p, 1),
        None => Ok(std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)),
    }
}

impl PlotSettings {
    /// `plots`: a figure size in pixels ([`FIGURE_PIXELS`]), and trade-off axes that are metric keys the runs
    /// evaluate (defaults: NDCG and catalogue coverage at the first cut-off).
    fn from_raw(
        raw: &raw::RawPlots,
        eval: &EvalSpec,
        check: Check<'_>,
    ) -> Result<Self, ConfigError> {
        let (width, height) = match (raw.preset, raw.width, raw.height) {
            (Some(p), w, h) if w.is_some() || h.is_some() => {
                let (field, v) = match w {
                    Some(w) => ("plots.width", w),
                    None => ("plots.height", h.unwrap_or_default()),
                };
                let (pw, ph) = p.pixels();
                return Err(check.invalid(
                    field,
                    v,
                    format!(
                        "plots.preset '{}' sets the size ({pw} × {ph} pixels, {} × {} in at {} dpi): remove one of them",
                        p.name(),
                        p.inches().0,
                        p.inches().1,
                        FigurePreset::DPI
                    ),
                ));
            }
            (Some(p), _, _) => p.pixels(),
            (None, w, h) => (w.unwrap_or(1600), h.unwrap_or(1000)),
        };
        for (field, v) in [("plots.width", width), ("plots.height", height)] {
            if !FIGURE_PIXELS.contains(&v) {
                return Err(check.invalid(field, v, "must be in [320, 8000] pixels"));
            }
        }
        let k0 = eval.k[0];
        let diversity = plot_axis(
            "plots.diversity",
            raw.diversity.as_deref(),
            MetricKey::at(Metric::Coverage, k0),
            eval,
            check,
        )?;
        let fronts = match &raw.fronts {
            None => {
                let ild = MetricKey::at(Metric::Ild, k0);
                let mut axes = vec![diversity];
                if ild != diversity {
                    axes.push(ild);
                }
                axes
            }
            Some(list) if list.is_empty() => {
                return Err(check.invalid("plots.fronts", "[]", "needs at least one metric key"));
            }
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    plot_axis(
                        &format!("plots.fronts[{i}]"),
                        Some(text),
                        diversity,
                        eval,
                        check,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(PlotSettings {
            width,
            height,
            preset: raw.preset,
            relevance: plot_axis(
                "plots.relevance",
                raw.relevance.as_deref(),
                MetricKey::at(Metric::Ndcg, k0),
                eval,
                check,
            )?,
            diversity,
            fronts,
        })
    }
}

/// A trade-off axis: `text` parsed as a metric key the runs evaluate, or `default` when absent.
/// A gate's text read and checked against the experiment: its metric must be evaluated, and
/// the `chosen` scope needs `select.lambda`.
pub fn gate_from_text(text: &str, eval: &EvalSpec, has_select: bool) -> Result<Gate, String> {
    let gate: Gate = text.parse().map_err(|e: GateParseError| e.0)?;
    if !gate.metric.is_evaluated_at(&eval.k) {
        return Err(format!(
            "'{}' is not evaluated (K in {:?})",
            gate.metric, eval.k
        ));
    }
    if gate.scope == GateScope::Chosen && !has_select {
        return Err("the 'chosen' scope needs a select.lambda section".into());
    }
    Ok(gate)
}

impl Experiment {
    /// Adds a gate given on the command line (`--gate TEXT`): an invalid one is a
    /// `ConfigError` naming `--gate` and the text.
    pub fn add_gate(&mut self, text: &str) -> Result<(), ConfigError> {
        let gate = gate_from_text(text, &self.eval, self.select.is_some()).map_err(|why| {
            ConfigError::Invalid {
                file: self.file.clone(),
                field: "--gate".into(),
                value: text.into(),
                reason: why,
            }
        })?;
        self.gates.push(gate);
        Ok(())
    }
}

fn plot_axis(
    field: &str,
    text: Option<&str>,
    default: MetricKey,
    eval: &EvalSpec,
    check: Check<'_>,
) -> Result<MetricKey, ConfigError> {
    let Some(text) = text else {
        return Ok(default);
    };
    let key = MetricKey::from_str(text).map_err(|e| check.invalid(field, text, e.reason))?;
    if !key.is_evaluated_at(&eval.k) {
        return Err(check.invalid(field, text, format!("not evaluated (K in {:?})", eval.k)));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;

    const MINIMAL: &str = "name: t\ndata:\n  source: synthetic\nsweep:\n  lambda: [0, 1]\n";

    fn parse(yaml: &str) -> Result<Experiment, ConfigError> {
        parse_str(yaml, Path::new("/tmp/t.yaml"))
    }

    #[test]
    fn struct_level_defaults_are_the_documented_ones() {
        let e = parse(MINIMAL).unwrap();
        assert_eq!(e.seed, 42);
        assert_eq!(e.seeds, vec![42]);
        assert_eq!(
            e.data.source,
            DataSource::Synthetic(raw::SyntheticParams {
                users: 600,
                items: 400,
                categories: 12,
                interactions_per_user: 30,
                popularity_exponent: 1.0,
                categories_per_user: 2,
                preference_strength: 0.8,
            })
        );
        assert_eq!(e.data.positive_threshold, 1.0);
        assert_eq!(
            e.data.split,
            SplitSpec {
                method: SplitMethod::Random,
                test: 0.2,
                validation: 0.1,
                seed: SplitSeed::Fixed(42),
            }
        );
        assert_eq!(e.resolved.model.kind, raw::ModelKind::Mf);
        assert_eq!(e.model.dim, 32);
        assert_eq!(
            e.train,
            TrainSpec {
                epochs: 10,
                batch_size: 1024,
                learning_rate: 0.005,
                weight_decay: WeightDecay::Coupled(1e-5),
                adam_epsilon: 1e-8,
                adam_betas: [0.9, 0.999],
                negatives: 4,
                loss: RelevanceLoss::Bce,
                backend: Backend::Auto,
                cpu_engine: CpuEngine::Fused,
                init_std: 0.1,
            }
        );
        assert_eq!(
            e.diversity,
            DiversitySpec {
                methods: vec![DiversityMethod::single(
                    super::super::method::Regularizer::ExposureEntropy
                )],
                temperature: 0.3,
                sample_users: 64,
            }
        );
        assert_eq!(
            e.eval,
            EvalSpec {
                k: vec![10, 20],
                every: 1,
                select: MetricKey::at(Metric::Ndcg, 10),
                patience: None,
                head_share: 0.2,
            }
        );
        assert_eq!(
            e.plots,
            PlotSettings {
                width: 1600,
                height: 1000,
                preset: None,
                relevance: MetricKey::at(Metric::Ndcg, 10),
                diversity: MetricKey::at(Metric::Coverage, 10),
                fronts: vec![
                    MetricKey::at(Metric::Coverage, 10),
                    MetricKey::at(Metric::Ild, 10)
                ],
            }
        );
        assert!((1..=4).contains(&e.parallel));
    }

    #[test]
    fn a_partly_written_section_keeps_the_defaults_of_the_rest() {
        let e = parse(&format!(
            "{MINIMAL}train:\n  epochs: 3\neval:\n  k: [5]\nplots:\n  width: 800\n"
        ))
        .unwrap();
        assert_eq!(e.train.epochs, 3);
        assert_eq!(e.train.batch_size, 1024);
        assert_eq!(e.train.learning_rate, 0.005);
        assert_eq!(e.eval.every, 1);
        assert_eq!((e.plots.width, e.plots.height), (800, 1000));
        // The default axes follow the first cut-off.
        assert_eq!(e.plots.relevance, MetricKey::at(Metric::Ndcg, 5));
        assert_eq!(e.plots.diversity, MetricKey::at(Metric::Coverage, 5));
        let no_validation = MINIMAL.replace(
            "  source: synthetic\n",
            "  source: synthetic\n  split:\n    validation: 0\n",
        );
        let split = parse(&no_validation).unwrap().data.split;
        assert_eq!((split.method, split.test), (SplitMethod::Random, 0.2));
        assert_eq!(split.monitored_split(), EvalSplit::Test);
    }

    /// MINIMAL with `split` lines under `data.split` and `extra` appended.
    fn with_split(split: &str, extra: &str) -> Result<Experiment, ConfigError> {
        let split: String = split.lines().map(|l| format!("    {l}\n")).collect();
        parse(&format!(
            "name: t\nseed: 9\ndata:\n  source: synthetic\n  split:\n{split}sweep:\n  lambda: [0, 1]\n{extra}"
        ))
    }

    #[test]
    fn the_split_seed_is_fixed_unless_it_varies_with_the_run() {
        // Default: the experiment's seed, whatever sweep.seeds is; written into the raw form.
        let e = with_split("test: 0.2", "  seeds: [1, 2]\n").unwrap();
        assert_eq!(e.data.split.seed, SplitSeed::Fixed(9));
        assert_eq!(e.data.split.seed_for(1), 9);
        assert_eq!(e.data.split.seed_for(2), 9);
        assert_eq!(e.resolved.data.split.seed, Some(9));
        let e = with_split("seed: 18446744073709551615", "").unwrap();
        assert_eq!(e.data.split.seed, SplitSeed::Fixed(u64::MAX));
        let e = with_split("vary_with_seed: true", "  seeds: [1, 2]\n").unwrap();
        assert_eq!(e.data.split.seed, SplitSeed::PerRun);
        assert_eq!(e.data.split.seed_for(2), 2);
        assert_eq!(e.resolved.data.split.seed, None);
        let err = with_split("seed: 3\nvary_with_seed: true", "").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("data.split.seed") && msg.contains("'3'") && msg.contains("/tmp/t.yaml"),
            "{msg}"
        );
        let err = with_split("seed: -1", "").unwrap_err().to_string();
        assert!(err.contains("seed"), "{err}");
    }

    #[test]
    fn each_runs_config_names_its_split_seed_and_reparses_to_its_split() {
        for (split, expected) in [
            ("seed: 5", [5, 5]),
            ("vary_with_seed: true", [1, 2]),
            ("method: random", [9, 9]),
        ] {
            let e = with_split(split, "  seeds: [1, 2]\n").unwrap();
            for (run, want) in e.runs().iter().zip(expected.iter().cycle()) {
                let yaml = e.run_config_yaml(run);
                assert!(yaml.contains(&format!("seed: {want}\n")), "{split}: {yaml}");
                let one = parse_str(&yaml, Path::new("/tmp/c.yaml")).unwrap();
                assert_eq!(one.data.split.seed, SplitSeed::Fixed(*want), "{split}");
                assert_eq!(
                    one.data.split.seed_for(run.seed),
                    e.data.split.seed_for(run.seed)
                );
                assert_eq!(one.data.split.method, e.data.split.method);
            }
        }
    }

    #[test]
    fn time_ordered_splits_need_a_source_that_records_time() {
        for method in SplitMethod::ALL {
            let synthetic = with_split(&format!("method: {method}"), "");
            let file = parse(&format!(
                "name: t\ndata:\n  source: file\n  path: e.csv\n  split:\n    method: {method}\nsweep:\n  lambda: [0]\n"
            ));
            let timed_file = parse(&format!(
                "name: t\ndata:\n  source: file\n  path: e.csv\n  columns:\n    timestamp: ts\n  split:\n    method: {method}\nsweep:\n  lambda: [0]\n"
            ));
            let movielens = parse(&format!(
                "name: t\ndata:\n  source: movielens-100k\n  path: ml\n  split:\n    method: {method}\nsweep:\n  lambda: [0]\n"
            ));
            assert!(timed_file.is_ok(), "{method}: {timed_file:?}");
            assert!(movielens.is_ok(), "{method}: {movielens:?}");
            if method.needs_timestamps() {
                let msg = synthetic.unwrap_err().to_string();
                assert!(
                    msg.contains("data.split.method")
                        && msg.contains(&format!("'{method}'"))
                        && msg.contains("synthetic data records none"),
                    "{msg}"
                );
                let msg = file.unwrap_err().to_string();
                assert!(
                    msg.contains(&format!("'{method}'")) && msg.contains("data.columns.timestamp"),
                    "{msg}"
                );
            } else {
                assert!(synthetic.is_ok(), "{method}: {synthetic:?}");
                assert!(file.is_ok(), "{method}: {file:?}");
            }
        }
    }

    #[test]
    fn only_the_one_positive_methods_ignore_the_test_share() {
        for method in SplitMethod::ALL {
            let yaml = format!(
                "name: t\ndata:\n  source: movielens-100k\n  path: ml\n  split:\n    method: {method}\n    test: 0\nsweep:\n  lambda: [0]\n"
            );
            match parse(&yaml) {
                Ok(_) => assert!(method.holds_out_one(), "{method}: test 0 accepted"),
                Err(err) => {
                    assert!(!method.holds_out_one(), "{method}: {err}");
                    assert!(err.to_string().contains("data.split.test"), "{err}");
                }
            }
        }
    }

    #[test]
    fn split_methods_read_and_write_their_names() {
        for method in SplitMethod::ALL {
            let json = serde_json::to_string(&method).unwrap();
            assert_eq!(json, format!("\"{}\"", method.name()));
            assert_eq!(method.to_string(), method.name());
            assert_eq!(serde_json::from_str::<SplitMethod>(&json).unwrap(), method);
        }
        let err = with_split("method: leave_last_out", "")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("leave_last_out") && err.contains("leave-last-out"),
            "{err}"
        );
    }

    #[test]
    fn weight_decay_kind_and_place_resolve_to_one_decay() {
        for (lines, expected) in [
            ("", WeightDecay::Coupled(1e-5)),
            (
                "  weight_decay_kind: coupled\n  weight_decay_on: parameters\n",
                WeightDecay::Coupled(1e-5),
            ),
            (
                "  weight_decay: 0.01\n  weight_decay_kind: decoupled\n",
                WeightDecay::Decoupled(0.01),
            ),
            (
                "  weight_decay: 1.0e-4\n  weight_decay_on: batch_rows\n",
                WeightDecay::BatchRows(1e-4),
            ),
            (
                "  weight_decay_kind: coupled\n  weight_decay_on: batch_rows\n",
                WeightDecay::BatchRows(1e-5),
            ),
        ] {
            let e = parse(&format!("{MINIMAL}train:\n  epochs: 2\n{lines}")).unwrap();
            assert_eq!(e.train.weight_decay, expected, "{lines}");
            assert_eq!(e.train.weight_decay.rate(), expected.rate());
            // A run's own config carries the decay, and reads back to the same one.
            let run = &e.runs()[0];
            let again = parse_str(&e.run_config_yaml(run), Path::new("/tmp/c.yaml")).unwrap();
            assert_eq!(again.train, e.train, "{lines}");
        }
        assert_eq!(WeightDecay::BatchRows(0.1).batch_rows(), Some(0.1));
        assert_eq!(WeightDecay::Coupled(0.1).batch_rows(), None);
        assert_eq!(WeightDecay::Decoupled(0.1).batch_rows(), None);
    }

    #[test]
    fn decoupled_decay_on_batch_rows_is_rejected_naming_field_and_value() {
        let err = parse(&format!(
            "{MINIMAL}train:\n  weight_decay_kind: decoupled\n  weight_decay_on: batch_rows\n"
        ))
        .unwrap_err();
        let ConfigError::Invalid { field, value, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            (field.as_str(), value.as_str()),
            ("train.weight_decay_on", "batch_rows")
        );
        let msg = err.to_string();
        for needle in [
            "/tmp/t.yaml",
            "'train.weight_decay_on'",
            "'batch_rows'",
            "weight_decay_kind: decoupled",
        ] {
            assert!(msg.contains(needle), "{needle}: {msg}");
        }
        // A value that is not a kind is a syntax error naming it and the known ones.
        let err = parse(&format!("{MINIMAL}train:\n  weight_decay_kind: l2\n")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("l2") && msg.contains("decoupled"), "{msg}");
    }

    #[test]
    fn adam_epsilon_and_betas_are_checked() {
        for (lines, field, value) in [
            ("  adam_epsilon: 0\n", "train.adam_epsilon", "0"),
            (
                "  adam_epsilon: -1.0e-8\n",
                "train.adam_epsilon",
                "-0.00000001",
            ),
            ("  adam_epsilon: 0.1\n", "train.adam_epsilon", "0.1"),
            ("  adam_epsilon: .nan\n", "train.adam_epsilon", "NaN"),
            ("  adam_betas: [0.9, 1.0]\n", "train.adam_betas[1]", "1"),
            (
                "  adam_betas: [-0.1, 0.999]\n",
                "train.adam_betas[0]",
                "-0.1",
            ),
        ] {
            let err = parse(&format!("{MINIMAL}train:\n{lines}")).unwrap_err();
            let ConfigError::Invalid {
                field: f, value: v, ..
            } = &err
            else {
                panic!("{lines}: {err:?}");
            };
            assert_eq!((f.as_str(), v.as_str()), (field, value), "{lines}");
        }
        let e = parse(&format!(
            "{MINIMAL}train:\n  adam_epsilon: 1.0e-2\n  adam_betas: [0, 0.5]\n"
        ))
        .unwrap();
        assert_eq!(
            (e.train.adam_epsilon, e.train.adam_betas),
            (1e-2, [0.0, 0.5])
        );
        // Only two betas.
        let err = parse(&format!("{MINIMAL}train:\n  adam_betas: [0.9]\n")).unwrap_err();
        assert!(err.to_string().contains("adam_betas"), "{err}");
    }

    #[test]
    fn any_evaluated_metric_key_is_an_axis() {
        let e = parse(&format!(
            "{MINIMAL}plots:\n  relevance: recall@20\n  diversity: gini@10\n"
        ))
        .unwrap();
        assert_eq!(e.plots.diversity, MetricKey::at(Metric::Gini, 10));
        assert_eq!(e.plots.relevance, MetricKey::at(Metric::Recall, 20));
        let auc = parse(&format!("{MINIMAL}plots:\n  relevance: auc\n")).unwrap();
        assert_eq!(auc.plots.relevance, MetricKey::AUC);
    }

    #[test]
    fn a_malformed_axis_names_field_value_and_reason() {
        for (axis, text, reason) in [
            ("diversity", "coverage@+5", "not a positive whole number"),
            ("diversity", "coverage@010", "not a positive whole number"),
            ("relevance", "bogus@10", "unknown name 'bogus'"),
            ("relevance", "ndcg", "needs a cut-off"),
            ("diversity", "gini@30", "not evaluated (K in [10, 20])"),
        ] {
            let err = parse(&format!("{MINIMAL}plots:\n  {axis}: '{text}'\n")).unwrap_err();
            let ConfigError::Invalid {
                field,
                value,
                reason: why,
                ..
            } = &err
            else {
                panic!("{text}: {err:?}");
            };
            assert_eq!(field, &format!("plots.{axis}"));
            assert_eq!(value, text);
            assert!(why.contains(reason), "{text}: {err}");
            assert!(err.to_string().contains(&format!("'{text}'")), "{err}");
        }
    }

    #[test]
    fn plot_settings_serialise_the_keys_as_their_strings() {
        let e = parse(MINIMAL).unwrap();
        let json = serde_json::to_string(&e.plots).unwrap();
        assert_eq!(
            json,
            r#"{"width":1600,"height":1000,"relevance":"ndcg@10","diversity":"coverage@10","fronts":["coverage@10","ild@10"]}"#
        );
        assert_eq!(
            serde_json::from_str::<PlotSettings>(&json).unwrap(),
            e.plots
        );
    }

    #[test]
    fn curve_keys_are_auc_and_coverage_at_the_first_cutoff() {
        let e = parse(&format!("{MINIMAL}eval:\n  k: [20, 5]\n")).unwrap();
        let keys = e.curve_keys();
        assert_eq!(keys.auc, MetricKey::AUC);
        assert_eq!(keys.coverage, MetricKey::at(Metric::Coverage, 5));
        assert_eq!(keys.coverage.to_string(), "coverage@5");
        // Whatever the trade-off axes are.
        let gini = parse(&format!("{MINIMAL}plots:\n  diversity: gini@20\n")).unwrap();
        assert_eq!(
            gini.curve_keys().coverage,
            MetricKey::at(Metric::Coverage, 10)
        );
        let json = serde_json::to_string(&keys).unwrap();
        assert_eq!(json, r#"{"auc":"auc","coverage":"coverage@5"}"#);
    }

    #[test]
    fn eval_split_reads_and_writes_its_file_names() {
        for (split, text) in [
            (EvalSplit::Validation, "validation"),
            (EvalSplit::Test, "test"),
        ] {
            assert_eq!(split.to_string(), text);
            assert_eq!(text.parse::<EvalSplit>().unwrap(), split);
            assert_eq!(
                serde_json::to_string(&split).unwrap(),
                format!("\"{text}\"")
            );
        }
        let e = "Test".parse::<EvalSplit>().unwrap_err();
        assert!(e.to_string().contains("'Test'"), "{e}");
        let e = parse(MINIMAL).unwrap();
        assert_eq!(e.data.split.monitored_split(), EvalSplit::Validation);
    }

    #[test]
    fn methods_weighted_mixes_and_re_rankers_expand_into_runs() {
        use super::super::method::{Regularizer, RunMethod};
        let yaml = "name: t\ndata:\n  source: synthetic\ndiversity:\n  regularizer: [category_spread, {exposure_entropy: 1, popularity_penalty: 0.5}, two_task]\nsweep:\n  lambda: [0, 0.1]\nrerank:\n  methods: [mmr, dpp]\n  theta: {from: 0.5, to: 1, steps: 2}\n";
        let e = parse(yaml).unwrap();
        let names: Vec<String> = e.diversity.methods.iter().map(|m| m.name()).collect();
        assert_eq!(
            names,
            [
                "category_spread",
                "exposure_entropy+popularity_penalty",
                "two_task"
            ]
        );
        assert_eq!(
            e.diversity.methods[1].weight(Regularizer::PopularityPenalty),
            Some(0.5)
        );
        let ids: Vec<String> = e.runs().into_iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "lambda-0_seed-42",
                "category_spread_lambda-0.1_seed-42",
                "exposure_entropy+popularity_penalty_lambda-0.1_seed-42",
                "two_task_lambda-0_seed-42",
                "two_task_lambda-0.1_seed-42",
                "mmr_theta-0.5_seed-42",
                "mmr_theta-1_seed-42",
                "dpp_theta-0.5_seed-42",
                "dpp_theta-1_seed-42",
            ]
        );
        let runs = e.runs();
        assert_eq!(runs[0].method, RunMethod::Baseline);
        assert_eq!(runs[5].method.theta(), Some(0.5));
        assert_eq!(runs[5].base_id().as_deref(), Some("lambda-0_seed-42"));
        // Each run's own config re-parses to it alone (a re-ranker's, with its baseline).
        for run in &runs {
            let one =
                super::super::parse_str(&e.run_config_yaml(run), Path::new("/tmp/c.yaml")).unwrap();
            let again: Vec<String> = one.runs().into_iter().map(|r| r.id).collect();
            match run.base_id() {
                Some(base) => assert_eq!(again, [base, run.id.clone()]),
                None => assert_eq!(again, std::slice::from_ref(&run.id)),
            }
        }
    }
}

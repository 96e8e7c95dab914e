//! The YAML file as written: serde structs that mirror it, and the checks that turn them into
//! an [`Experiment`](super::Experiment).
//!
//! Optional fields carry the defaults a researcher would expect; `deny_unknown_fields`
//! everywhere so a misspelt key is reported, never ignored.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    ConfigError, DataSource, DataSpec, DiversitySpec, EvalSpec, Experiment, SplitSpec, TrainSpec,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    pub name: String,
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub data: RawData,
    #[serde(default)]
    pub model: RawModel,
    #[serde(default)]
    pub train: RawTrain,
    #[serde(default)]
    pub diversity: RawDiversity,
    pub sweep: Sweep,
    #[serde(default)]
    pub eval: RawEval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<usize>,
    #[serde(default)]
    pub plots: RawPlots,
}

/// Figures written after a sweep (and by `recsweep plot`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlots {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Trade-off y axis; default `ndcg@K` for the first K.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevance: Option<String>,
    /// Trade-off x axis; default `coverage@K` for the first K.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diversity: Option<String>,
}

/// Resolved figure settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlotSettings {
    pub width: u32,
    pub height: u32,
    pub relevance: String,
    pub diversity: String,
}

/// Whether `name` is a test metric of a run evaluated at cut-offs `ks`.
pub fn is_known_metric(name: &str, ks: &[usize]) -> bool {
    if name == "auc" {
        return true;
    }
    match name.split_once('@') {
        Some((base, k)) => {
            let known = crate::metrics::PER_USER_AT_K.contains(&base)
                || crate::metrics::CATALOGUE_AT_K.contains(&base);
            known && k.parse::<usize>().is_ok_and(|k| ks.contains(&k))
        }
        None => false,
    }
}

fn default_seed() -> u64 {
    42
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Synthetic,
    #[serde(rename = "movielens-100k")]
    Movielens100k,
    File,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub source: SourceKind,
    /// Directory (movielens-100k) or file (file); relative to the experiment file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<SyntheticParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Columns>,
    #[serde(default = "default_threshold")]
    pub positive_threshold: f64,
    #[serde(default)]
    pub split: RawSplit,
}

fn default_threshold() -> f64 {
    // Synthetic data has rating 1 for every interaction; MovieLens configs set 4 explicitly.
    1.0
}

/// Parameters of the synthetic generator. The defaults show a real relevance/diversity
/// trade-off: a long-tailed catalogue in categories, users who prefer a few of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyntheticParams {
    pub users: usize,
    pub items: usize,
    pub categories: usize,
    /// Mean interactions per user (each user draws around this many, at least 5).
    pub interactions_per_user: usize,
    /// Zipf exponent of item popularity (larger: a heavier head).
    pub popularity_exponent: f64,
    /// Categories each user prefers.
    pub categories_per_user: usize,
    /// Probability that an interaction falls in one of the user's preferred categories.
    pub preference_strength: f64,
}

impl Default for SyntheticParams {
    fn default() -> Self {
        Self {
            users: 600,
            items: 400,
            categories: 12,
            interactions_per_user: 30,
            popularity_exponent: 1.0,
            categories_per_user: 2,
            preference_strength: 0.8,
        }
    }
}

/// Column names of a CSV or Parquet interaction file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    #[serde(default = "col_user")]
    pub user: String,
    #[serde(default = "col_item")]
    pub item: String,
    /// Absent: every row is a positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// Needed by the temporal split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

fn col_user() -> String {
    "user".into()
}
fn col_item() -> String {
    "item".into()
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            user: col_user(),
            item: col_item(),
            rating: None,
            timestamp: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SplitMethod {
    /// Per user, a random `test` share of positives (then `validation` of the rest).
    Random,
    /// Per user, one random positive for test (and one for validation when asked).
    LeaveOneOut,
    /// Per user, the latest `test` share of positives by timestamp.
    Temporal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplit {
    #[serde(default = "default_split_method")]
    pub method: SplitMethod,
    #[serde(default = "default_test")]
    pub test: f64,
    #[serde(default = "default_validation")]
    pub validation: f64,
}

fn default_split_method() -> SplitMethod {
    SplitMethod::Random
}
fn default_test() -> f64 {
    0.2
}
fn default_validation() -> f64 {
    0.1
}

impl Default for RawSplit {
    fn default() -> Self {
        Self {
            method: default_split_method(),
            test: default_test(),
            validation: default_validation(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Matrix factorisation: user and item embeddings, dot product, item bias.
    Mf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    #[serde(default = "default_model_kind")]
    pub kind: ModelKind,
    #[serde(default = "default_dim")]
    pub dim: usize,
}

fn default_model_kind() -> ModelKind {
    ModelKind::Mf
}
fn default_dim() -> usize {
    32
}

impl Default for RawModel {
    fn default() -> Self {
        Self {
            kind: default_model_kind(),
            dim: default_dim(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelevanceLoss {
    /// Binary cross-entropy over each positive and its sampled negatives.
    Bce,
    /// Bayesian personalised ranking: −log σ(s⁺ − s⁻) per (positive, negative) pair.
    Bpr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// wgpu on a hardware GPU adapter when there is one, the CPU backend otherwise.
    Auto,
    /// wgpu, accepting a software adapter (lavapipe) when there is no GPU.
    Wgpu,
    /// burn's pure-Rust CPU backend (flex).
    Cpu,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrain {
    #[serde(default = "default_epochs")]
    pub epochs: usize,
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    #[serde(default = "default_lr")]
    pub learning_rate: f64,
    #[serde(default = "default_wd")]
    pub weight_decay: f64,
    /// Sampled negatives per positive.
    #[serde(default = "default_negatives")]
    pub negatives: usize,
    #[serde(default = "default_loss")]
    pub loss: RelevanceLoss,
    #[serde(default = "default_backend")]
    pub backend: Backend,
    /// Standard deviation of the normal initialisation of the embeddings.
    #[serde(default = "default_init_std")]
    pub init_std: f64,
}

fn default_epochs() -> usize {
    10
}
fn default_batch() -> usize {
    1024
}
fn default_lr() -> f64 {
    0.005
}
fn default_wd() -> f64 {
    1e-5
}
fn default_negatives() -> usize {
    4
}
fn default_loss() -> RelevanceLoss {
    RelevanceLoss::Bce
}
fn default_backend() -> Backend {
    Backend::Auto
}
fn default_init_std() -> f64 {
    0.1
}

impl Default for RawTrain {
    fn default() -> Self {
        Self {
            epochs: default_epochs(),
            batch_size: default_batch(),
            learning_rate: default_lr(),
            weight_decay: default_wd(),
            negatives: default_negatives(),
            loss: default_loss(),
            backend: default_backend(),
            init_std: default_init_std(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regularizer {
    /// 1 − normalised entropy of the batch's mean softmax exposure over the catalogue.
    ExposureEntropy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiversity {
    #[serde(default = "default_regularizer")]
    pub regularizer: Regularizer,
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    #[serde(default = "default_sample_users")]
    pub sample_users: usize,
}

fn default_regularizer() -> Regularizer {
    Regularizer::ExposureEntropy
}
fn default_temperature() -> f64 {
    1.0
}
fn default_sample_users() -> usize {
    256
}

impl Default for RawDiversity {
    fn default() -> Self {
        Self {
            regularizer: default_regularizer(),
            temperature: default_temperature(),
            sample_users: default_sample_users(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LambdaScale {
    Linear,
    Log,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaRange {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    #[serde(default = "default_scale")]
    pub scale: LambdaScale,
    /// Add λ = 0 (the pure-relevance baseline) in front; handy for log scales.
    #[serde(default)]
    pub include_zero: bool,
}

fn default_scale() -> LambdaScale {
    LambdaScale::Linear
}

/// λ as a list, or as a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LambdaSpec {
    List(Vec<f64>),
    Range(LambdaRange),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub lambda: LambdaSpec,
    /// Repeats with these seeds; absent: the experiment's `seed` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Vec<u64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEval {
    #[serde(default = "default_k")]
    pub k: Vec<usize>,
    #[serde(default = "default_every")]
    pub every: usize,
}

fn default_k() -> Vec<usize> {
    vec![10, 20]
}
fn default_every() -> usize {
    1
}

impl Default for RawEval {
    fn default() -> Self {
        Self {
            k: default_k(),
            every: default_every(),
        }
    }
}

fn invalid(file: &Path, field: &str, value: impl ToString, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        file: file.to_path_buf(),
        field: field.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn at_least(file: &Path, field: &str, value: usize, min: usize) -> Result<usize, ConfigError> {
    if value < min {
        return Err(invalid(
            file,
            field,
            value,
            &format!("must be at least {min}"),
        ));
    }
    Ok(value)
}

fn finite_in(
    file: &Path,
    field: &str,
    value: f64,
    lo: f64,
    hi: f64,
    reason: &str,
) -> Result<f64, ConfigError> {
    if !value.is_finite() || value < lo || value > hi {
        return Err(invalid(file, field, value, reason));
    }
    Ok(value)
}

/// Expands the λ specification into the list of values, checked.
fn expand_lambdas(spec: &LambdaSpec, file: &Path) -> Result<Vec<f64>, ConfigError> {
    let values = match spec {
        LambdaSpec::List(list) => {
            if list.is_empty() {
                return Err(invalid(
                    file,
                    "sweep.lambda",
                    "[]",
                    "needs at least one value",
                ));
            }
            list.clone()
        }
        LambdaSpec::Range(r) => {
            at_least(file, "sweep.lambda.steps", r.steps, 1)?;
            let (from, to) = (r.from, r.to);
            finite_in(
                file,
                "sweep.lambda.from",
                from,
                0.0,
                f64::MAX,
                "must be finite and >= 0",
            )?;
            finite_in(
                file,
                "sweep.lambda.to",
                to,
                from,
                f64::MAX,
                "must be finite and >= 'from'",
            )?;
            let mut out = Vec::with_capacity(r.steps + 1);
            if r.include_zero {
                out.push(0.0);
            }
            for i in 0..r.steps {
                let t = if r.steps == 1 {
                    0.0
                } else {
                    i as f64 / (r.steps - 1) as f64
                };
                let v = match r.scale {
                    LambdaScale::Linear => from + t * (to - from),
                    LambdaScale::Log => {
                        if from <= 0.0 {
                            return Err(invalid(
                                file,
                                "sweep.lambda.from",
                                from,
                                "a log scale needs 'from' > 0 (add 'include_zero: true' for λ = 0)",
                            ));
                        }
                        (from.ln() + t * (to.ln() - from.ln())).exp()
                    }
                };
                // Round to 6 significant digits so ids read `0.0316` rather than 0.031622776601683794.
                out.push(round_sig(v, 6));
            }
            out
        }
    };
    for (i, &l) in values.iter().enumerate() {
        finite_in(
            file,
            &format!("sweep.lambda[{i}]"),
            l,
            0.0,
            f64::MAX,
            "λ must be finite and >= 0",
        )?;
    }
    let mut seen = Vec::new();
    for &l in &values {
        if seen.contains(&l) {
            return Err(invalid(file, "sweep.lambda", l, "appears twice"));
        }
        seen.push(l);
    }
    Ok(values)
}

fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
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

/// Phase two: checks every range and resolves every path.
pub fn validate(mut raw: RawExperiment, file: &Path) -> Result<Experiment, ConfigError> {
    let name = raw.name.trim().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(invalid(
            file,
            "name",
            &raw.name,
            "use letters, digits, '-', '_' or '.' (it names the output directory)",
        ));
    }

    let d = &mut raw.data;
    let source = match d.source {
        SourceKind::Synthetic => {
            if let Some(p) = &d.path {
                return Err(invalid(
                    file,
                    "data.path",
                    p.display(),
                    "synthetic data takes no path",
                ));
            }
            let params = d.synthetic.clone().unwrap_or_default();
            at_least(file, "data.synthetic.users", params.users, 2)?;
            at_least(file, "data.synthetic.items", params.items, 10)?;
            at_least(file, "data.synthetic.categories", params.categories, 1)?;
            at_least(
                file,
                "data.synthetic.interactions_per_user",
                params.interactions_per_user,
                5,
            )?;
            if params.interactions_per_user > params.items / 2 {
                return Err(invalid(
                    file,
                    "data.synthetic.interactions_per_user",
                    params.interactions_per_user,
                    "must be at most half the number of items",
                ));
            }
            at_least(
                file,
                "data.synthetic.categories_per_user",
                params.categories_per_user,
                1,
            )?;
            if params.categories_per_user > params.categories {
                return Err(invalid(
                    file,
                    "data.synthetic.categories_per_user",
                    params.categories_per_user,
                    "cannot exceed 'categories'",
                ));
            }
            finite_in(
                file,
                "data.synthetic.popularity_exponent",
                params.popularity_exponent,
                0.0,
                5.0,
                "must be in [0, 5]",
            )?;
            finite_in(
                file,
                "data.synthetic.preference_strength",
                params.preference_strength,
                0.0,
                1.0,
                "must be in [0, 1]",
            )?;
            d.synthetic = Some(params.clone());
            DataSource::Synthetic(params)
        }
        SourceKind::Movielens100k | SourceKind::File => {
            let Some(p) = d.path.clone() else {
                return Err(invalid(file, "data.path", "", "this source needs a path"));
            };
            let abs = resolve_path(file, &p);
            d.path = Some(abs.clone());
            if d.source == SourceKind::Movielens100k {
                DataSource::MovieLens100k(abs)
            } else {
                let ext = abs
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if ext != "csv" && ext != "parquet" {
                    return Err(invalid(
                        file,
                        "data.path",
                        p.display(),
                        "expected a .csv or .parquet file",
                    ));
                }
                DataSource::File {
                    path: abs,
                    columns: d.columns.clone().unwrap_or_default(),
                }
            }
        }
    };
    if d.synthetic.is_some() && d.source != SourceKind::Synthetic {
        return Err(invalid(
            file,
            "data.synthetic",
            "…",
            "only allowed with 'source: synthetic'",
        ));
    }
    if d.columns.is_some() && d.source != SourceKind::File {
        return Err(invalid(
            file,
            "data.columns",
            "…",
            "only allowed with 'source: file'",
        ));
    }
    finite_in(
        file,
        "data.positive_threshold",
        d.positive_threshold,
        f64::MIN,
        f64::MAX,
        "must be finite",
    )?;
    let s = &d.split;
    finite_in(
        file,
        "data.split.test",
        s.test,
        0.0,
        0.9,
        "must be in (0, 0.9]",
    )?;
    if s.test <= 0.0 && s.method != SplitMethod::LeaveOneOut {
        return Err(invalid(
            file,
            "data.split.test",
            s.test,
            "must be in (0, 0.9]",
        ));
    }
    finite_in(
        file,
        "data.split.validation",
        s.validation,
        0.0,
        0.5,
        "must be in [0, 0.5]",
    )?;
    if s.method == SplitMethod::Temporal {
        let has_ts = match &source {
            DataSource::File { columns, .. } => columns.timestamp.is_some(),
            _ => true,
        };
        if !has_ts {
            return Err(invalid(
                file,
                "data.split.method",
                "temporal",
                "needs 'data.columns.timestamp'",
            ));
        }
    }
    let data = DataSpec {
        source,
        positive_threshold: d.positive_threshold,
        split: SplitSpec {
            method: s.method,
            test: s.test,
            validation: s.validation,
        },
    };

    let model_dim = at_least(file, "model.dim", raw.model.dim, 1)?;
    if model_dim > 4096 {
        return Err(invalid(
            file,
            "model.dim",
            model_dim,
            "must be at most 4096",
        ));
    }

    let t = &raw.train;
    let train = TrainSpec {
        epochs: at_least(file, "train.epochs", t.epochs, 1)?,
        batch_size: at_least(file, "train.batch_size", t.batch_size, 1)?,
        learning_rate: finite_in(
            file,
            "train.learning_rate",
            t.learning_rate,
            f64::MIN_POSITIVE,
            10.0,
            "must be in (0, 10]",
        )?,
        weight_decay: finite_in(
            file,
            "train.weight_decay",
            t.weight_decay,
            0.0,
            1.0,
            "must be in [0, 1]",
        )?,
        negatives: at_least(file, "train.negatives", t.negatives, 1)?,
        loss: t.loss,
        backend: t.backend,
        init_std: finite_in(
            file,
            "train.init_std",
            t.init_std,
            f64::MIN_POSITIVE,
            10.0,
            "must be in (0, 10]",
        )?,
    };

    let dv = &raw.diversity;
    let diversity = DiversitySpec {
        regularizer: dv.regularizer,
        temperature: finite_in(
            file,
            "diversity.temperature",
            dv.temperature,
            1e-3,
            1e3,
            "must be in [0.001, 1000]",
        )?,
        sample_users: at_least(file, "diversity.sample_users", dv.sample_users, 1)?,
    };

    let lambdas = expand_lambdas(&raw.sweep.lambda, file)?;
    let seeds = raw.sweep.seeds.clone().unwrap_or_else(|| vec![raw.seed]);
    if seeds.is_empty() {
        return Err(invalid(
            file,
            "sweep.seeds",
            "[]",
            "needs at least one seed (or leave it out)",
        ));
    }
    for (i, s) in seeds.iter().enumerate() {
        if seeds[..i].contains(s) {
            return Err(invalid(file, "sweep.seeds", s, "appears twice"));
        }
    }

    let mut k = raw.eval.k.clone();
    if k.is_empty() {
        return Err(invalid(file, "eval.k", "[]", "needs at least one cut-off"));
    }
    for &kk in &k {
        if kk == 0 || kk > 1000 {
            return Err(invalid(file, "eval.k", kk, "each K must be in [1, 1000]"));
        }
    }
    k.sort_unstable();
    k.dedup();
    let eval = EvalSpec {
        k,
        every: at_least(file, "eval.every", raw.eval.every, 1)?,
    };
    let parallel = match raw.parallel {
        Some(p) => at_least(file, "parallel", p, 1)?,
        None => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4),
    };

    let p = &raw.plots;
    let k0 = eval.k[0];
    let plots = PlotSettings {
        width: p.width.unwrap_or(1600),
        height: p.height.unwrap_or(1000),
        relevance: p.relevance.clone().unwrap_or_else(|| format!("ndcg@{k0}")),
        diversity: p
            .diversity
            .clone()
            .unwrap_or_else(|| format!("coverage@{k0}")),
    };
    for (field, v) in [("plots.width", plots.width), ("plots.height", plots.height)] {
        if !(320..=8000).contains(&v) {
            return Err(invalid(file, field, v, "must be in [320, 8000] pixels"));
        }
    }
    for (field, m) in [
        ("plots.relevance", &plots.relevance),
        ("plots.diversity", &plots.diversity),
    ] {
        if !is_known_metric(m, &eval.k) {
            return Err(invalid(
                file,
                field,
                m,
                &format!(
                    "not a test metric of this experiment (e.g. 'auc', 'ndcg@K', 'coverage@K' with K in {:?})",
                    eval.k
                ),
            ));
        }
    }

    let file_abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    Ok(Experiment {
        name,
        file: file_abs,
        seed: raw.seed,
        data,
        model_dim,
        train,
        diversity,
        lambdas,
        seeds,
        eval,
        parallel,
        plots,
        resolved: raw,
    })
}

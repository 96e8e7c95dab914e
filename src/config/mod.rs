//! Experiment configuration in two phases.
//!
//! Phase one ([`raw`]) mirrors the YAML file exactly, with `deny_unknown_fields` so that a typo
//! is an error rather than a silently ignored setting. Phase two ([`Experiment`]) is the
//! validated, resolved form: ranges checked, paths made absolute, the λ sweep expanded into one
//! [`RunSpec`] per (λ, seed). serde_yaml stays behind [`parse_str`] / [`load`] alone.

pub mod raw;

use std::fmt;
use std::path::{Path, PathBuf};

pub use raw::{Backend, LambdaScale, PlotSettings, RelevanceLoss, SplitMethod};

/// Why a configuration was rejected. Every variant names the file; field errors also name the
/// field and quote the offending value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read experiment file '{file}': {error}")]
    Read { file: PathBuf, error: std::io::Error },
    #[error("{file}: {message}")]
    Syntax { file: PathBuf, message: String },
    #[error("{file}: field '{field}' has invalid value '{value}': {reason}")]
    Invalid {
        file: PathBuf,
        field: String,
        value: String,
        reason: String,
    },
    #[error("{file}: no run has id '{id}' (runs: {available})")]
    UnknownRun {
        file: PathBuf,
        id: String,
        available: String,
    },
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

/// How each user's positives are divided between train, validation and test.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitSpec {
    pub method: SplitMethod,
    /// Share of each user's positives held out for test (random split only).
    pub test: f64,
    /// Share of each user's remaining positives held out for validation (random and temporal),
    /// or whether to hold one out (leave-one-out, any value above zero).
    pub validation: f64,
}

/// A held-out split a model is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSplit {
    Validation,
    Test,
}

impl fmt::Display for EvalSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EvalSplit::Validation => "validation",
            EvalSplit::Test => "test",
        })
    }
}

impl SplitSpec {
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

#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    pub source: DataSource,
    /// An interaction with rating at or above this is a positive.
    pub positive_threshold: f64,
    pub split: SplitSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrainSpec {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub negatives: usize,
    pub loss: RelevanceLoss,
    pub backend: Backend,
    pub init_std: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiversitySpec {
    pub regularizer: raw::Regularizer,
    /// Softmax temperature of the exposure distribution.
    pub temperature: f64,
    /// At most this many users of each batch enter the exposure term (its cost is users × items).
    pub sample_users: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvalSpec {
    /// Cut-offs, ascending, without duplicates.
    pub k: Vec<usize>,
    pub every: usize,
}

/// A validated experiment: everything a sweep needs, nothing unchecked.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub name: String,
    /// The file it came from (for messages and the run store).
    pub file: PathBuf,
    pub seed: u64,
    pub data: DataSpec,
    pub model_dim: usize,
    pub train: TrainSpec,
    pub diversity: DiversitySpec,
    pub lambdas: Vec<f64>,
    pub seeds: Vec<u64>,
    pub eval: EvalSpec,
    pub parallel: usize,
    pub plots: PlotSettings,
    /// The raw form with paths made absolute, from which each run's own config is written.
    pub resolved: raw::RawExperiment,
}

/// The metrics the per-epoch curves show (live in the workbench, in `--run`'s progress lines
/// and in the exported figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CurveKeys {
    pub auc: crate::metrics::MetricKey,
    pub coverage: crate::metrics::MetricKey,
}

/// One training run of a sweep: a single (λ, seed).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Stable and readable, e.g. `lambda-0.1_seed-7`; also the run's directory name.
    pub id: String,
    pub lambda: f64,
    pub seed: u64,
}

impl RunSpec {
    pub fn new(lambda: f64, seed: u64) -> Self {
        Self {
            id: format!("lambda-{}_seed-{seed}", format_lambda(lambda)),
            lambda,
            seed,
        }
    }
}

/// λ as it appears in run ids and tables: the shortest decimal that reads back exactly.
pub fn format_lambda(lambda: f64) -> String {
    // `{}` on f64 already prints the shortest round-tripping form (0.1, 1, 0.001).
    format!("{lambda}")
}

impl Experiment {
    /// The one rule for which keys the curves show: AUC, and coverage at the first K.
    pub fn curve_keys(&self) -> CurveKeys {
        use crate::metrics::{Metric, MetricKey};
        CurveKeys {
            auc: MetricKey::AUC,
            coverage: MetricKey::at(Metric::Coverage, self.eval.k[0]),
        }
    }

    /// One run per (λ, seed), λ-major so a table reads down the sweep.
    pub fn runs(&self) -> Vec<RunSpec> {
        self.lambdas
            .iter()
            .flat_map(|&l| self.seeds.iter().map(move |&s| RunSpec::new(l, s)))
            .collect()
    }

    /// The runs to train, all or the one named by `--only`.
    pub fn select_runs(&self, only: Option<&str>) -> Result<Vec<RunSpec>, ConfigError> {
        let runs = self.runs();
        match only {
            None => Ok(runs),
            Some(id) => match runs.iter().find(|r| r.id == id) {
                Some(run) => Ok(vec![run.clone()]),
                None => Err(ConfigError::UnknownRun {
                    file: self.file.clone(),
                    id: id.to_string(),
                    available: runs
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }),
            },
        }
    }

    /// The YAML of one run alone: the resolved config with the sweep narrowed to its λ and
    /// seed. Running it reproduces that run.
    pub fn run_config_yaml(&self, run: &RunSpec) -> String {
        let mut one = self.resolved.clone();
        one.sweep = raw::Sweep {
            lambda: raw::LambdaSpec::List(vec![run.lambda]),
            seeds: Some(vec![run.seed]),
        };
        one.parallel = Some(1);
        let body =
            serde_yaml::to_string(&one).unwrap_or_else(|e| format!("# unserialisable: {e}\n"));
        format!(
            "# Resolved config of run '{}' of experiment '{}' (from {}).\n# Re-run with: recsweep --run config.yaml\n{body}",
            run.id,
            self.name,
            self.file.display()
        )
    }
}

impl fmt::Display for RunSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Reads and validates an experiment file.
pub fn load(path: &Path) -> Result<Experiment, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
        file: path.to_path_buf(),
        error,
    })?;
    parse_str(&text, path)
}

/// Parses YAML text as an experiment; `file` names it in errors and anchors relative paths.
pub fn parse_str(text: &str, file: &Path) -> Result<Experiment, ConfigError> {
    let raw: raw::RawExperiment = serde_yaml::from_str(text).map_err(|e| ConfigError::Syntax {
        file: file.to_path_buf(),
        message: e.to_string(),
    })?;
    raw::validate(raw, file)
}

//! Experiment configuration in two phases.
//!
//! Phase one ([`raw`]) mirrors the YAML file exactly, with `deny_unknown_fields` so that a typo
//! is an error rather than a silently ignored setting, and struct-level defaults. Phase two
//! ([`Experiment::from_raw`], in `experiment.rs`) is the validated, resolved form, built one
//! section at a time: ranges checked, paths made absolute, metric keys parsed, the λ sweep
//! expanded into one [`RunSpec`] per (λ, seed) (`sweep.rs`). Listing the experiment files of a
//! directory is `listing.rs`.
//!
//! serde_yaml stays in this file alone: [`parse_str`] / [`load`] read a file, and
//! [`Experiment::run_config_yaml`] writes a run's own config.

mod experiment;
pub mod gate;
mod listing;
mod method;
pub mod raw;
mod suggest;
mod sweep;
pub mod template;

use std::path::{Path, PathBuf};

pub use experiment::{
    ContentSpec, CurveKeys, DataSource, DataSpec, DiversitySpec, EvalSpec, EvalSplit, Experiment,
    FIGURE_PIXELS, FigurePreset, MAX_LAYERS, ModelSpec, ParseEvalSplitError, PlotSettings,
    RerankSpec, SelectSpec, SplitSeed, SplitSpec, TrainSpec, WeightDecay,
};
pub use listing::{ExperimentEntry, ExperimentInfo, load_experiments};
pub use method::{BASELINE, DiversityMethod, MethodSpec, Regularizer, RegularizerSpec, RunMethod};
pub use raw::{
    Backend, BelowThreshold, CpuEngine, LambdaScale, RelevanceLoss, SplitMethod, WeightDecayKind,
    WeightDecayOn,
};
pub use sweep::{RunSpec, format_lambda, is_lambda_zero, param_label};

/// Why a configuration was rejected. Every variant names the file; field errors also name the
/// field and quote the offending value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read experiment file '{file}': {error}")]
    Read {
        file: PathBuf,
        error: std::io::Error,
    },
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

/// The checks of phase two, bound to the file being validated so that every error names it
/// along with the field and the offending value.
#[derive(Debug, Clone, Copy)]
struct Check<'a> {
    file: &'a Path,
}

impl Check<'_> {
    fn invalid(&self, field: &str, value: impl ToString, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            field: field.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    fn at_least(&self, field: &str, value: usize, min: usize) -> Result<usize, ConfigError> {
        if value < min {
            return Err(self.invalid(field, value, format!("must be at least {min}")));
        }
        Ok(value)
    }

    /// `value` when it is in `[min, max]`; `max` is one of recsweep's limits on sizes, checked
    /// before anything is allocated, and the message says so.
    fn count_in(
        &self,
        field: &str,
        value: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, ConfigError> {
        self.at_least(field, value, min)?;
        if value > max {
            return Err(self.invalid(
                field,
                value,
                format!(
                    "must be at most {max} (recsweep's limit, checked before anything is allocated)"
                ),
            ));
        }
        Ok(value)
    }

    /// `value` when it is finite and in `[lo, hi]`, else an error with `reason`.
    fn finite_in(
        &self,
        field: &str,
        value: f64,
        lo: f64,
        hi: f64,
        reason: &str,
    ) -> Result<f64, ConfigError> {
        if !value.is_finite() || value < lo || value > hi {
            return Err(self.invalid(field, value, reason));
        }
        Ok(value)
    }
}

/// The largest experiment file read (a hand-written experiment is a few KiB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The deepest nesting of `[` and `{` an experiment may have (its own is at most 3): deeper
/// input is refused before the YAML parser, whose time grows steeply with it, sees it.
const MAX_FLOW_DEPTH: usize = 32;

/// Reads and validates an experiment file.
pub fn load(path: &Path) -> Result<Experiment, ConfigError> {
    let read_err = |error| ConfigError::Read {
        file: path.to_path_buf(),
        error,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ConfigError::Syntax {
            file: path.to_path_buf(),
            message: format!(
                "the file is {size} bytes; an experiment file is at most {MAX_FILE_BYTES}"
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        ConfigError::Syntax {
            file: path.to_path_buf(),
            message: format!("not UTF-8 text: byte {at} (line {line}) is not valid UTF-8"),
        }
    })?;
    parse_str(&text, path)
}

/// The line where `[`/`{` nesting first exceeds [`MAX_FLOW_DEPTH`], if it does (brackets in
/// comments and quoted strings are counted too: a false alarm needs 32 of them on one path).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1;
    for c in text.chars() {
        match c {
            '\n' => line += 1,
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(line);
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses YAML text as an experiment; `file` names it in errors and anchors relative paths.
pub fn parse_str(text: &str, file: &Path) -> Result<Experiment, ConfigError> {
    if let Some(line) = too_deep(text) {
        return Err(ConfigError::Syntax {
            file: file.to_path_buf(),
            message: format!(
                "line {line}: '[' and '{{' nest deeper than {MAX_FLOW_DEPTH} levels (an experiment needs at most 3)"
            ),
        });
    }
    let raw: raw::RawExperiment = serde_yaml::from_str(text).map_err(|e| ConfigError::Syntax {
        file: file.to_path_buf(),
        message: suggest::with_suggestion(&e.to_string()),
    })?;
    Experiment::from_raw(raw, file)
}

impl Experiment {
    /// The YAML of the whole resolved experiment (every default written out, paths
    /// absolute): a sweep directory's `experiment.yaml`, which `--resume` trains from.
    pub fn sweep_config_yaml(&self) -> String {
        let body = serde_yaml::to_string(&self.resolved)
            .unwrap_or_else(|e| format!("# unserialisable: {e}\n"));
        format!(
            "# Resolved experiment '{}' (from {}), as this sweep trains it.\n# Resume with: recsweep --resume DIR\n{body}",
            self.name,
            self.file.display()
        )
    }

    /// The YAML of one run alone: the resolved config with the sweep narrowed to its method,
    /// λ and seed, and the seed of its split written out. Running it reproduces that run.
    pub fn run_config_yaml(&self, run: &RunSpec) -> String {
        let mut one = self.resolved.clone();
        one.sweep = raw::Sweep {
            lambda: raw::LambdaSpec::List(vec![run.lambda]),
            seeds: Some(vec![run.seed]),
        };
        // The split seed as a number even where it followed the run seed: the file says which
        // split the run had without the reader knowing the rule.
        one.data.split.seed = Some(self.data.split.seed_for(run.seed));
        one.data.split.vary_with_seed = false;
        match &run.method {
            RunMethod::Regularized(method) => {
                one.diversity.regularizer = match method.to_spec() {
                    MethodSpec::One(r) => RegularizerSpec::One(r),
                    MethodSpec::Weighted(map) => RegularizerSpec::Weighted(map),
                };
                one.rerank = None;
            }
            RunMethod::Baseline => {
                one.diversity.regularizer = RegularizerSpec::default();
                one.rerank = None;
            }
            RunMethod::Rerank { method, theta } => {
                one.diversity.regularizer = RegularizerSpec::default();
                if let Some(rerank) = &mut one.rerank {
                    rerank.methods = vec![*method];
                    rerank.theta = raw::LambdaSpec::List(vec![*theta]);
                }
            }
        }
        one.parallel = Some(1);
        // Gates are the sweep's: a run re-run alone has no points to check them on; where it
        // runs changes none of its numbers.
        one.gates.clear();
        one.cluster = None;
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

//! The sweep section: the λ values (a list, or a linear or log range) and the seeds, checked,
//! and their expansion into one [`RunSpec`] per (method, λ, seed).

use std::fmt;

use super::method::{DiversityMethod, Regularizer, RunMethod};
use super::raw::{LambdaScale, LambdaSpec, Sweep};
use super::{Check, ConfigError, Experiment};

/// One run of a sweep: a method at one λ and seed.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Stable and readable: `lambda-0_seed-7` (the baseline), `category_spread_lambda-0.1_seed-7`,
    /// `mmr_theta-0.5_seed-7`; also the run's directory name.
    pub id: String,
    pub method: RunMethod,
    pub lambda: f64,
    pub seed: u64,
}

impl RunSpec {
    /// A run of a one-method sweep of `exposure_entropy` (the baseline at λ = 0).
    pub fn new(lambda: f64, seed: u64) -> Self {
        let method = if lambda == 0.0 {
            RunMethod::Baseline
        } else {
            RunMethod::Regularized(DiversityMethod::single(Regularizer::ExposureEntropy))
        };
        Self::with_method(method, lambda, seed)
    }

    /// A run of `method`: the id names the method, but for the shared baseline.
    pub fn with_method(method: RunMethod, lambda: f64, seed: u64) -> Self {
        let base = format!("lambda-{}_seed-{seed}", format_lambda(lambda));
        let id = match &method {
            RunMethod::Regularized(m) => format!("{}_{base}", m.name()),
            RunMethod::Rerank { method, theta } => {
                format!(
                    "{}_theta-{}_seed-{seed}",
                    method.name(),
                    format_lambda(*theta)
                )
            }
            _ => base,
        };
        Self {
            id,
            method,
            lambda,
            seed,
        }
    }

    /// The run's point on a trade-off plot: `λ=0.1`, or `θ=0.3` for a re-ranker.
    pub fn param_label(&self) -> String {
        param_label(self.lambda, self.method.theta())
    }

    /// The baseline run this run re-ranks (same seed), if it is a re-ranking run.
    pub fn base_id(&self) -> Option<String> {
        matches!(self.method, RunMethod::Rerank { .. })
            .then(|| RunSpec::with_method(RunMethod::Baseline, 0.0, self.seed).id)
    }
}

impl fmt::Display for RunSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Whether a run with this λ and θ is a λ = 0 training run: a baseline others compare with
/// (a re-ranking run has λ = 0 too, but a θ).
pub fn is_lambda_zero(lambda: f64, theta: Option<f64>) -> bool {
    lambda == 0.0 && theta.is_none()
}

/// A run's swept value as a label: `λ=0.1`, or `θ=0.3` when it has a θ.
pub fn param_label(lambda: f64, theta: Option<f64>) -> String {
    match theta {
        Some(t) => format!("θ={}", format_lambda(t)),
        None => format!("λ={}", format_lambda(lambda)),
    }
}

/// λ as it appears in run ids and tables: the shortest decimal that reads back exactly.
pub fn format_lambda(lambda: f64) -> String {
    // `{}` on f64 already prints the shortest round-tripping form (0.1, 1, 0.001).
    format!("{lambda}")
}

impl Experiment {
    /// One run per (method, λ, seed): first the relevance-only baseline (λ = 0, when listed
    /// and some method shares it), then method by method, λ-major so a table reads down each
    /// sweep. A method that changes the model (the two-task heads) trains its own λ = 0.
    pub fn runs(&self) -> Vec<RunSpec> {
        let methods = &self.diversity.methods;
        let mut runs = Vec::new();
        // Re-rankers need the baseline whatever λ lists.
        let shares_baseline = methods.iter().any(|m| !m.changes_model());
        if (shares_baseline && self.lambdas.contains(&0.0)) || self.rerank.is_some() {
            for &seed in &self.seeds {
                runs.push(RunSpec::with_method(RunMethod::Baseline, 0.0, seed));
            }
        }
        for method in methods {
            for &lambda in &self.lambdas {
                if lambda == 0.0 && !method.changes_model() {
                    continue;
                }
                for &seed in &self.seeds {
                    let run = RunMethod::Regularized(method.clone());
                    runs.push(RunSpec::with_method(run, lambda, seed));
                }
            }
        }
        if let Some(rerank) = &self.rerank {
            for &method in &rerank.methods {
                for &theta in &rerank.thetas {
                    for &seed in &self.seeds {
                        let run = RunMethod::Rerank { method, theta };
                        runs.push(RunSpec::with_method(run, 0.0, seed));
                    }
                }
            }
        }
        runs
    }

    /// The runs to train, all or the one named by `--only` (a re-ranking run brings the
    /// baseline it re-ranks).
    pub fn select_runs(&self, only: Option<&str>) -> Result<Vec<RunSpec>, ConfigError> {
        let runs = self.runs();
        match only {
            None => Ok(runs),
            Some(id) => match runs.iter().find(|r| r.id == id) {
                Some(run) => Ok(match run.base_id() {
                    Some(base) => runs
                        .iter()
                        .filter(|r| r.id == base || r.id == id)
                        .cloned()
                        .collect(),
                    None => vec![run.clone()],
                }),
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
}

/// `sweep.lambda` expanded into its values: each finite and >= 0, none twice.
pub(super) fn lambdas_from_raw(
    spec: &LambdaSpec,
    check: Check<'_>,
) -> Result<Vec<f64>, ConfigError> {
    values_from_raw(spec, "sweep.lambda", "λ", f64::MAX, check)
}

/// `rerank.theta` expanded into its values: each in [0, 1], none twice.
pub(super) fn thetas_from_raw(
    spec: &LambdaSpec,
    check: Check<'_>,
) -> Result<Vec<f64>, ConfigError> {
    values_from_raw(spec, "rerank.theta", "θ", 1.0, check)
}

/// A swept parameter (`field`, called `symbol` in messages) as a list or a linear or log
/// range, expanded: each finite and in [0, `max`], none twice.
fn values_from_raw(
    spec: &LambdaSpec,
    field: &str,
    symbol: &str,
    max: f64,
    check: Check<'_>,
) -> Result<Vec<f64>, ConfigError> {
    let bound = if max == f64::MAX {
        "must be finite and >= 0".to_string()
    } else {
        format!("must be in [0, {max}]")
    };
    let values = match spec {
        LambdaSpec::List(list) => {
            if list.is_empty() {
                return Err(check.invalid(field, "[]", "needs at least one value"));
            }
            list.clone()
        }
        LambdaSpec::Range(r) => {
            check.count_in(
                &format!("{field}.steps"),
                r.steps,
                1,
                super::experiment::limits::STEPS,
            )?;
            let (from, to) = (r.from, r.to);
            check.finite_in(&format!("{field}.from"), from, 0.0, max, &bound)?;
            check.finite_in(
                &format!("{field}.to"),
                to,
                from,
                max,
                &format!("{bound} and >= 'from'"),
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
                            return Err(check.invalid(
                                &format!("{field}.from"),
                                from,
                                format!(
                                    "a log scale needs 'from' > 0 (add 'include_zero: true' for {symbol} = 0)"
                                ),
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
        check.finite_in(
            &format!("{field}[{i}]"),
            l,
            0.0,
            max,
            &format!("{symbol} {bound}"),
        )?;
    }
    let mut seen = Vec::new();
    for &l in &values {
        if seen.contains(&l) {
            return Err(check.invalid(field, l, "appears twice"));
        }
        seen.push(l);
    }
    Ok(values)
}

/// `sweep.seeds`, or the experiment's `seed` alone when absent: at least one, none twice.
pub(super) fn seeds_from_raw(
    sweep: &Sweep,
    experiment_seed: u64,
    check: Check<'_>,
) -> Result<Vec<u64>, ConfigError> {
    let seeds = sweep.seeds.clone().unwrap_or_else(|| vec![experiment_seed]);
    if seeds.is_empty() {
        return Err(check.invalid(
            "sweep.seeds",
            "[]",
            "needs at least one seed (or leave it out)",
        ));
    }
    for (i, s) in seeds.iter().enumerate() {
        if seeds[..i].contains(s) {
            return Err(check.invalid("sweep.seeds", s, "appears twice"));
        }
    }
    Ok(seeds)
}

fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

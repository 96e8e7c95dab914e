//! Comparisons across a sweep's runs that go beyond one pair of runs: the seed-level view of
//! each (method, λ or θ) with its paired test against λ = 0 ([`seeds`]), and the sweep-level
//! choice of each method's λ or θ on validation ([`choice`]).
//!
//! Both read finished runs' summaries only, so a stored sweep gives the same answer as the
//! sweep that wrote it.

pub mod choice;
pub mod gates;
pub mod seeds;
pub mod sweeps;

use crate::config::{BASELINE, is_lambda_zero};
use crate::events::{MetricMap, RunStatus};
use crate::metrics::MetricKey;
use crate::store::RunSummary;

/// A (method, λ, θ) point of a sweep: the runs of its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Group<'a> {
    pub method: &'a str,
    pub lambda: f64,
    pub theta: Option<f64>,
    /// Its finished runs, in the order given.
    pub runs: Vec<&'a RunSummary>,
}

impl Group<'_> {
    pub fn is_lambda_zero(&self) -> bool {
        is_lambda_zero(self.lambda, self.theta)
    }
}

/// The finished runs of `summaries` grouped by (method, λ, θ), in order of first appearance.
pub fn groups(summaries: &[RunSummary]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for s in summaries.iter().filter(|s| s.status == RunStatus::Finished) {
        match out
            .iter_mut()
            .find(|g| g.method == s.method && g.lambda == s.lambda && g.theta == s.theta)
        {
            Some(g) => g.runs.push(s),
            None => out.push(Group {
                method: &s.method,
                lambda: s.lambda,
                theta: s.theta,
                runs: vec![s],
            }),
        }
    }
    out
}

/// The mean over the group's seeds of `key` in the map `which` picks from each run (its
/// `test` or `validation`); runs without a finite value are left out.
pub fn seed_mean(
    g: &Group<'_>,
    key: MetricKey,
    which: fn(&RunSummary) -> &MetricMap,
) -> Option<f64> {
    let v: Vec<f64> = g
        .runs
        .iter()
        .filter_map(|r| which(r).get(&key).copied())
        .filter(|v| v.is_finite())
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The method whose λ = 0 runs `method` is compared against: its own when it trains one
/// (the two-task model), else the shared baseline.
pub fn baseline_method<'a>(groups: &[Group<'a>], method: &'a str) -> &'a str {
    if groups
        .iter()
        .any(|g| g.method == method && g.is_lambda_zero())
    {
        method
    } else {
        BASELINE
    }
}

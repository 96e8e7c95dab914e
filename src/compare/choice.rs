//! The sweep-level choice (`select.lambda`): for each method, the point (λ or θ) with the
//! best validation `diversity` among those whose validation `relevance` is at least `keep` ×
//! that of λ = 0 — and that point's test numbers, which are the ones to report. Everything is
//! decided on validation means over the seeds of each point; nothing reads test.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Group, baseline_method, groups};
use crate::config::{SelectSpec, format_lambda, param_label};
use crate::metrics::{self, MetricKey};
use crate::store::RunSummary;

/// A mean over seeds with its 95% t-interval (collapsed to the value with one seed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeedMean {
    pub mean: f64,
    pub ci95: [f64; 2],
    pub seeds: usize,
}

/// One method's chosen point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodChoice {
    pub method: String,
    pub lambda: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
    /// The runs behind it, one per seed.
    pub run_ids: Vec<String>,
    /// Validation means over seeds of the chosen point.
    pub validation_diversity: f64,
    pub validation_relevance: f64,
    /// The λ = 0 validation relevance the constraint is relative to.
    pub baseline_validation_relevance: f64,
    /// Test numbers of the chosen point (what a paper reports).
    pub test_diversity: Option<SeedMean>,
    pub test_relevance: Option<SeedMean>,
    /// Points that were candidates (λ = 0 included) and how many kept the relevance.
    pub candidates: usize,
    pub eligible: usize,
    pub reason: String,
}

/// `selection.json`: the rule and each method's choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepChoice {
    pub diversity: MetricKey,
    pub relevance: MetricKey,
    pub keep: f64,
    pub methods: Vec<MethodChoice>,
}

/// Validation mean over the group's seeds of `key` (runs without it are left out).
fn validation_mean(g: &Group<'_>, key: MetricKey) -> Option<f64> {
    super::seed_mean(g, key, |r| &r.validation)
}

fn test_mean(g: &Group<'_>, key: MetricKey) -> Option<SeedMean> {
    let v: Vec<f64> = g
        .runs
        .iter()
        .filter_map(|r| r.test.get(&key).copied())
        .filter(|v| v.is_finite())
        .collect();
    metrics::mean_ci95(&v).map(|c| SeedMean {
        mean: c.mean,
        ci95: [c.lo, c.hi],
        seeds: c.n,
    })
}

/// Each method's choice under `spec`. A method whose λ = 0 point has no validation value
/// gets no choice (it is left out, and the text says so).
pub fn choose(summaries: &[RunSummary], spec: &SelectSpec) -> SweepChoice {
    let groups = groups(summaries);
    let mut methods: Vec<&str> = Vec::new();
    for g in groups.iter().filter(|g| !g.is_lambda_zero()) {
        if !methods.contains(&g.method) {
            methods.push(g.method);
        }
    }
    let direction = spec.diversity.direction();
    let mut out = Vec::new();
    for method in methods {
        let base_method = baseline_method(&groups, method);
        let Some(base) = groups
            .iter()
            .find(|g| g.method == base_method && g.is_lambda_zero())
        else {
            continue;
        };
        let Some(base_relevance) = validation_mean(base, spec.relevance) else {
            continue;
        };
        let floor = spec.keep * base_relevance;
        let points: Vec<&Group<'_>> = std::iter::once(base)
            .chain(
                groups
                    .iter()
                    .filter(|g| g.method == method && !g.is_lambda_zero()),
            )
            .collect();
        let scored: Vec<(&Group<'_>, f64, f64)> = points
            .iter()
            .filter_map(|g| {
                Some((
                    *g,
                    validation_mean(g, spec.diversity)?,
                    validation_mean(g, spec.relevance)?,
                ))
            })
            .collect();
        let eligible: Vec<&(&Group<'_>, f64, f64)> =
            scored.iter().filter(|(_, _, r)| *r >= floor).collect();
        // The best diversity; ties to the higher relevance, then to the earlier point.
        let Some(&&(g, d, r)) = eligible.iter().reduce(|best, c| {
            let (cb, cc) = (direction.orient(best.1), direction.orient(c.1));
            if cc > cb || (cc == cb && c.2 > best.2) {
                c
            } else {
                best
            }
        }) else {
            continue;
        };
        let label = param_label(g.lambda, g.theta);
        let reason = if g.is_lambda_zero() {
            format!(
                "no {method} point kept {} ≥ {} × λ=0 ({:.4}) on validation: λ = 0 is the choice",
                spec.relevance,
                format_lambda(spec.keep),
                floor
            )
        } else {
            format!(
                "best validation {} ({d:.4}) at {label} among the {} of {} points with validation {} ≥ {} × λ=0 = {floor:.4} ({r:.4})",
                spec.diversity,
                eligible.len(),
                scored.len(),
                spec.relevance,
                format_lambda(spec.keep),
            )
        };
        out.push(MethodChoice {
            method: method.to_string(),
            lambda: g.lambda,
            theta: g.theta,
            run_ids: g.runs.iter().map(|r| r.run_id.clone()).collect(),
            validation_diversity: d,
            validation_relevance: r,
            baseline_validation_relevance: base_relevance,
            test_diversity: test_mean(g, spec.diversity),
            test_relevance: test_mean(g, spec.relevance),
            candidates: scored.len(),
            eligible: eligible.len(),
            reason,
        });
    }
    SweepChoice {
        diversity: spec.diversity,
        relevance: spec.relevance,
        keep: spec.keep,
        methods: out,
    }
}

impl SweepChoice {
    /// The choice as text: the rule, then one line per method with its test numbers.
    pub fn text(&self) -> String {
        let mut out = format!(
            "chosen on validation: per method, the best {} with {} ≥ {} × λ=0; test numbers (mean over seeds [95% CI]):\n",
            self.diversity,
            self.relevance,
            format_lambda(self.keep)
        );
        let w = self
            .methods
            .iter()
            .map(|m| m.method.len())
            .max()
            .unwrap_or(6);
        let show = |m: &Option<SeedMean>| match m {
            Some(s) if s.seeds > 1 => format!("{:.4} [{:.4}, {:.4}]", s.mean, s.ci95[0], s.ci95[1]),
            Some(s) => format!("{:.4}", s.mean),
            None => "-".into(),
        };
        for m in &self.methods {
            let _ = writeln!(
                out,
                "  {:<w$}  {:>8}  {} {}  {} {}",
                m.method,
                param_label(m.lambda, m.theta),
                self.relevance,
                show(&m.test_relevance),
                self.diversity,
                show(&m.test_diversity),
            );
        }
        if self.methods.is_empty() {
            out.push_str("  (no method has a λ = 0 point with a validation value)\n");
        }
        out
    }

    /// Whether `run_id` is behind some method's choice.
    pub fn is_chosen(&self, run_id: &str) -> bool {
        self.methods
            .iter()
            .any(|m| m.run_ids.iter().any(|r| r == run_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BASELINE;
    use crate::metrics::Metric;

    fn run(
        method: &str,
        lambda: f64,
        theta: Option<f64>,
        val: (f64, f64),
        test: (f64, f64),
    ) -> RunSummary {
        let mut s = crate::store::finished_summary(method, lambda, theta, 1);
        let (ndcg, cov) = (
            MetricKey::at(Metric::Ndcg, 10),
            MetricKey::at(Metric::Coverage, 10),
        );
        s.test.insert(ndcg, test.0);
        s.test.insert(cov, test.1);
        s.validation.insert(ndcg, val.0);
        s.validation.insert(cov, val.1);
        s
    }

    #[test]
    fn picks_the_most_diverse_point_that_keeps_the_relevance_on_validation() {
        let spec = SelectSpec {
            diversity: MetricKey::at(Metric::Coverage, 10),
            relevance: MetricKey::at(Metric::Ndcg, 10),
            keep: 0.9,
        };
        // Validation (ndcg, coverage); test values differ, and must not matter.
        let runs = [
            run(BASELINE, 0.0, None, (0.30, 0.20), (0.31, 0.21)),
            run("exposure_entropy", 0.1, None, (0.29, 0.40), (0.20, 0.90)),
            run("exposure_entropy", 0.3, None, (0.27, 0.55), (0.30, 0.10)),
            run("exposure_entropy", 1.0, None, (0.26, 0.80), (0.31, 0.95)),
            // A re-ranker: none keeps 0.27, so λ = 0 is its choice.
            run("mmr", 0.0, Some(0.5), (0.20, 0.50), (0.2, 0.5)),
        ];
        let c = choose(&runs, &spec);
        assert_eq!(c.methods.len(), 2);
        let ee = &c.methods[0];
        // Floor 0.9 × 0.30 = 0.27: λ = 0.3 (0.27 ≥ 0.27) is the most diverse that keeps it.
        assert_eq!((ee.method.as_str(), ee.lambda), ("exposure_entropy", 0.3));
        assert_eq!((ee.candidates, ee.eligible), (4, 3));
        assert_eq!(ee.test_relevance.unwrap().mean, 0.30);
        assert_eq!(ee.test_diversity.unwrap().mean, 0.10);
        assert!(c.is_chosen("exposure_entropy-0.3-None-1"));
        let mmr = &c.methods[1];
        assert_eq!((mmr.lambda, mmr.theta), (0.0, None));
        assert!(mmr.reason.contains("λ = 0 is the choice"), "{}", mmr.reason);
        let text = c.text();
        assert!(text.contains("exposure_entropy"), "{text}");
        assert!(text.contains("λ=0.3"), "{text}");
    }
}

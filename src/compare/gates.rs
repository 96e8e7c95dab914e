//! Gates checked on a finished sweep (`gates:`, `--gate`; the syntax is
//! [`crate::config::gate`]): each point (method, λ or θ) is the mean of the test metric over
//! its seeds' finished runs, its baseline the λ = 0 point of the same comparison as
//! `versus_lambda0` (the method's own λ = 0 when it trains one, else the shared baseline).
//! A gate with no point to check, or a point without a value, fails: CI must not pass on
//! nothing.

use std::fmt::Write as _;

use serde::Serialize;

use super::choice::SweepChoice;
use super::{Group, baseline_method, groups};
use crate::config::gate::{Gate, GateScope, Threshold};
use crate::config::param_label;
use crate::metrics::MetricKey;
use crate::store::RunSummary;

/// One point a gate was checked on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatePoint {
    pub method: String,
    pub lambda: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
    /// The point's test mean over seeds (absent when no run has a value).
    pub value: Option<f64>,
    /// What it was compared with (absent when the baseline has no value).
    pub threshold: Option<f64>,
    pub held: bool,
}

/// A gate and whether it held (`gates.json` holds one per gate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateOutcome {
    pub gate: String,
    pub held: bool,
    pub points: Vec<GatePoint>,
}

fn test_mean(g: &Group<'_>, key: MetricKey) -> Option<f64> {
    super::seed_mean(g, key, |r| &r.test)
}

/// Checks every gate on the finished runs of `summaries` (`choice`: the sweep's
/// `select.lambda` result, for the `chosen` scope).
pub fn check(
    summaries: &[RunSummary],
    choice: Option<&SweepChoice>,
    gates: &[Gate],
) -> Vec<GateOutcome> {
    let groups = groups(summaries);
    let baseline_of = |g: &Group<'_>| -> Option<&Group<'_>> {
        let method = baseline_method(&groups, g.method);
        groups
            .iter()
            .find(|b| b.method == method && b.is_lambda_zero())
    };
    gates
        .iter()
        .map(|gate| {
            let relative = matches!(gate.threshold, Threshold::Baseline { .. });
            let points: Vec<&Group<'_>> = match gate.scope {
                GateScope::All | GateScope::Any => groups
                    .iter()
                    .filter(|g| !(relative && g.is_lambda_zero()))
                    .collect(),
                GateScope::Baseline => groups.iter().filter(|g| g.is_lambda_zero()).collect(),
                GateScope::Chosen => choice
                    .map(|c| {
                        c.methods
                            .iter()
                            .filter_map(|m| {
                                groups.iter().find(|g| {
                                    g.method == m.method
                                        && g.lambda == m.lambda
                                        && g.theta == m.theta
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let points: Vec<GatePoint> = points
                .into_iter()
                .map(|g| {
                    let value = test_mean(g, gate.metric);
                    let threshold = match gate.threshold {
                        Threshold::Value(v) => Some(v),
                        Threshold::Baseline { factor } => baseline_of(g)
                            .and_then(|b| test_mean(b, gate.metric))
                            .map(|b| factor * b),
                    };
                    let held = match (value, threshold) {
                        (Some(v), Some(t)) => gate.comparison.holds(v, t),
                        _ => false,
                    };
                    GatePoint {
                        method: g.method.to_string(),
                        lambda: g.lambda,
                        theta: g.theta,
                        value,
                        threshold,
                        held,
                    }
                })
                .collect();
            let held = !points.is_empty()
                && match gate.scope {
                    GateScope::Any => points.iter().any(|p| p.held),
                    _ => points.iter().all(|p| p.held),
                };
            GateOutcome {
                gate: gate.to_string(),
                held,
                points,
            }
        })
        .collect()
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "no value".to_string(), |v| format!("{v:.4}"))
}

/// The gates as `--run` prints them: each held or FAILED, with the points that decided it.
pub fn text(outcomes: &[GateOutcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.held).count();
    let mut out = format!("gates: {} held, {failed} failed\n", outcomes.len() - failed);
    for o in outcomes {
        let _ = write!(
            out,
            "  {:<7} {}",
            if o.held { "held" } else { "FAILED" },
            o.gate
        );
        // A failed gate shows its failing points; a held one how many points held it.
        let shown: Vec<&GatePoint> = if o.held {
            Vec::new()
        } else {
            o.points.iter().filter(|p| !p.held).collect()
        };
        if o.points.is_empty() {
            out.push_str("  (no finished point to check)");
        } else if shown.is_empty() {
            let _ = write!(out, "  ({} point(s))", o.points.len());
        }
        out.push('\n');
        for p in shown {
            let _ = writeln!(
                out,
                "            {} {}: {} against {}",
                p.method,
                param_label(p.lambda, p.theta),
                number(p.value),
                number(p.threshold)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::finished_summary;

    fn run(method: &str, lambda: f64, seed: u64, ndcg: f64, cov: f64) -> RunSummary {
        let mut s = finished_summary(method, lambda, None, seed);
        s.test.insert("ndcg@10".parse().unwrap(), ndcg);
        s.test.insert("coverage@10".parse().unwrap(), cov);
        s
    }

    fn sweep() -> Vec<RunSummary> {
        vec![
            run("baseline", 0.0, 1, 0.30, 0.20),
            run("baseline", 0.0, 2, 0.32, 0.22),
            run("exposure_entropy", 0.1, 1, 0.29, 0.30),
            run("exposure_entropy", 0.1, 2, 0.27, 0.32),
            run("exposure_entropy", 1.0, 1, 0.10, 0.90),
            run("exposure_entropy", 1.0, 2, 0.12, 0.88),
        ]
    }

    fn gate(text: &str) -> Gate {
        text.parse().unwrap()
    }

    fn held(text: &str) -> bool {
        check(&sweep(), None, &[gate(text)])[0].held
    }

    #[test]
    fn scopes_pick_their_points_and_means_are_over_seeds() {
        // The baseline point's mean NDCG is 0.31.
        assert!(held("baseline: ndcg@10 >= 0.31"));
        assert!(!held("baseline: ndcg@10 > 0.31"));
        // Every point (λ = 0.1: 0.28, λ = 1: 0.11), the baseline included.
        assert!(held("all: ndcg@10 >= 0.11"));
        assert!(!held("ndcg@10 >= 0.12"));
        assert!(held("any: coverage@10 >= 0.89"));
        assert!(!held("any: coverage@10 > 0.89"));
    }

    #[test]
    fn baseline_relative_gates_skip_the_baseline_and_scale_it() {
        // Coverage of the baseline: 0.21; λ = 0.1 has 0.31, λ = 1 has 0.89.
        assert!(held("coverage@10 >= 1.4 * baseline"));
        assert!(!held("coverage@10 >= 1.5 * baseline"));
        let o = &check(&sweep(), None, &[gate("coverage@10 >= 1.5 * baseline")])[0];
        assert_eq!(o.points.len(), 2);
        let first = &o.points[0];
        assert!(
            (first.threshold.unwrap() - 0.315).abs() < 1e-12,
            "{first:?}"
        );
        assert!((first.value.unwrap() - 0.31).abs() < 1e-12);
        assert!(!first.held && o.points[1].held);
        assert!(held("ndcg@10 <= baseline"));
    }

    #[test]
    fn a_gate_with_nothing_to_check_or_no_value_fails() {
        // No select: the chosen scope has no point.
        let o = &check(&sweep(), None, &[gate("chosen: ndcg@10 >= 0")])[0];
        assert!(!o.held && o.points.is_empty());
        assert!(text(std::slice::from_ref(o)).contains("no finished point"));
        // A metric no run has.
        assert!(!held("recall@10 >= 0"));
        // Without a baseline run, relative gates have no threshold.
        let no_base: Vec<RunSummary> = sweep().into_iter().skip(2).collect();
        assert!(!check(&no_base, None, &[gate("coverage@10 >= baseline")])[0].held);
    }

    #[test]
    fn the_text_names_failed_gates_and_their_failing_points() {
        let outcomes = check(
            &sweep(),
            None,
            &[gate("ndcg@10 >= 0.2"), gate("any: coverage@10 > 0.5")],
        );
        let t = text(&outcomes);
        assert!(t.starts_with("gates: 1 held, 1 failed"), "{t}");
        assert!(t.contains("FAILED  all: ndcg@10 >= 0.2"), "{t}");
        assert!(
            t.contains("exposure_entropy λ=1: 0.1100 against 0.2000"),
            "{t}"
        );
        assert!(
            t.contains("held    any: coverage@10 > 0.5  (3 point(s))"),
            "{t}"
        );
    }
}

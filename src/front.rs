//! The relevance/diversity front of a stored or finished sweep, method by method: each run's
//! point, the mean over seeds of each (method, λ or θ) with its 95% CI, which points are on
//! the Pareto front, and each method's hypervolume against one stated reference point (the
//! number that says which method buys diversity cheapest). Written as `front.csv`, printed
//! by `--run`, drawn by the figures and the workbench.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::config::{BASELINE, format_lambda, is_lambda_zero, param_label};
use crate::events::RunStatus;
use crate::metrics::{self, MetricKey};
use crate::pareto;
use crate::store::{RunSummary, SeedComparison};

/// One point of a front: a run, or the mean of a (method, λ, θ) over its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontPoint {
    pub method: String,
    /// The run, for a single run's point; `None` for a mean over seeds.
    pub run_id: Option<String>,
    pub lambda: f64,
    pub theta: Option<f64>,
    /// The run's seed; `None` for a mean.
    pub seed: Option<u64>,
    /// Runs behind the point (1 for a run).
    pub seeds: usize,
    pub relevance: f64,
    pub diversity: f64,
    /// 95% CI over seeds (t-based), for a mean over at least two seeds.
    pub relevance_ci95: Option<[f64; 2]>,
    pub diversity_ci95: Option<[f64; 2]>,
    /// On the Pareto front of all methods' points of its kind (runs, or means).
    pub pareto: bool,
    /// For a mean over seeds: the seed-level paired t-test of each axis against λ = 0 (as
    /// the runs' `across_seeds` hold it).
    pub relevance_vs_lambda0: Option<SeedComparison>,
    pub diversity_vs_lambda0: Option<SeedComparison>,
}

impl FrontPoint {
    /// `λ=0.1` or `θ=0.3`.
    pub fn param_label(&self) -> String {
        param_label(self.lambda, self.theta)
    }
}

/// A method's hypervolume on a front.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodVolume {
    pub method: String,
    /// The area its points dominate inside the box bounded by the front's reference point,
    /// in the units of the two metrics (oriented so that larger is better).
    pub hypervolume: f64,
    /// The points it was computed from (its own, plus the shared baseline's when the method
    /// has no λ = 0 point of its own).
    pub points: usize,
}

/// The front of one pair of axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Front {
    pub relevance: MetricKey,
    pub diversity: MetricKey,
    /// Every finished run with both metrics, in the order given.
    pub runs: Vec<FrontPoint>,
    /// Means over seeds per (method, λ, θ); the points the hypervolume uses. With one seed
    /// each mean is its run.
    pub means: Vec<FrontPoint>,
    /// `(diversity, relevance)`: the worst value of each metric among the means (the nadir).
    pub reference: Option<(f64, f64)>,
    /// One per method, in order of first appearance.
    pub volumes: Vec<MethodVolume>,
}

impl Front {
    /// The front of the finished runs of `summaries` on `relevance` (y) × `diversity` (x).
    pub fn build(summaries: &[RunSummary], relevance: MetricKey, diversity: MetricKey) -> Front {
        let mut runs: Vec<FrontPoint> = summaries
            .iter()
            .filter(|s| s.status == RunStatus::Finished)
            .filter_map(|s| {
                Some(FrontPoint {
                    method: s.method.clone(),
                    run_id: Some(s.run_id.clone()),
                    lambda: s.lambda,
                    theta: s.theta,
                    seed: Some(s.seed),
                    seeds: 1,
                    relevance: *s.test.get(&relevance)?,
                    diversity: *s.test.get(&diversity)?,
                    relevance_ci95: None,
                    diversity_ci95: None,
                    pareto: false,
                    relevance_vs_lambda0: None,
                    diversity_vs_lambda0: None,
                })
            })
            .collect();
        let (x_dir, y_dir) = (diversity.direction(), relevance.direction());
        mark_pareto(&mut runs, x_dir, y_dir);

        // Means over seeds, grouped by (method, λ, θ) in order of first appearance.
        let mut groups: Vec<(String, f64, Option<f64>, Vec<&FrontPoint>)> = Vec::new();
        for p in &runs {
            match groups
                .iter_mut()
                .find(|g| g.0 == p.method && g.1 == p.lambda && g.2 == p.theta)
            {
                Some(g) => g.3.push(p),
                None => groups.push((p.method.clone(), p.lambda, p.theta, vec![p])),
            }
        }
        let mut means: Vec<FrontPoint> = groups
            .into_iter()
            .map(|(method, lambda, theta, points)| {
                let ci = |v: Vec<f64>| metrics::mean_ci95(&v);
                let rel = ci(points.iter().map(|p| p.relevance).collect());
                let div = ci(points.iter().map(|p| p.diversity).collect());
                let several = points.len() > 1;
                let single = (!several).then(|| points[0]);
                // Every run of the group holds the same seed-level view.
                let seed_test = |key: MetricKey| {
                    let id = points[0].run_id.as_deref()?;
                    let run = summaries.iter().find(|s| s.run_id == id)?;
                    run.across_seeds.get(&key)?.versus_lambda0.clone()
                };
                FrontPoint {
                    method,
                    run_id: single.and_then(|p| p.run_id.clone()),
                    lambda,
                    theta,
                    seed: single.and_then(|p| p.seed),
                    seeds: points.len(),
                    relevance: rel.as_ref().map_or(f64::NAN, |c| c.mean),
                    diversity: div.as_ref().map_or(f64::NAN, |c| c.mean),
                    relevance_ci95: rel.filter(|_| several).map(|c| [c.lo, c.hi]),
                    diversity_ci95: div.filter(|_| several).map(|c| [c.lo, c.hi]),
                    pareto: false,
                    relevance_vs_lambda0: seed_test(relevance).filter(|_| several),
                    diversity_vs_lambda0: seed_test(diversity).filter(|_| several),
                }
            })
            .collect();
        mark_pareto(&mut means, x_dir, y_dir);

        let points: Vec<MethodPoint<'_>> = means
            .iter()
            .map(|p| MethodPoint {
                method: &p.method,
                lambda_zero: is_lambda_zero(p.lambda, p.theta),
                x: p.diversity,
                y: p.relevance,
            })
            .collect();
        let (reference, volumes) = method_volumes(&points, x_dir, y_dir);
        Front {
            relevance,
            diversity,
            runs,
            means,
            reference,
            volumes,
        }
    }

    /// The hypervolumes as text: one line per method, best first, with the reference point.
    pub fn volumes_text(&self) -> String {
        let Some((rx, ry)) = self.reference else {
            return format!(
                "hypervolume ({} × {}): no finished run has both metrics\n",
                self.relevance, self.diversity
            );
        };
        let mut out = format!(
            "hypervolume of {} × {} against the reference ({} = {rx:.4}, {} = {ry:.4}), the worst value of each among all points:\n",
            self.relevance, self.diversity, self.diversity, self.relevance
        );
        let mut sorted: Vec<&MethodVolume> = self.volumes.iter().collect();
        sorted.sort_by(|a, b| b.hypervolume.total_cmp(&a.hypervolume));
        let width = sorted.iter().map(|v| v.method.len()).max().unwrap_or(6);
        for v in sorted {
            let _ = writeln!(
                out,
                "  {:<width$}  {:>12.6}  ({} points)",
                v.method, v.hypervolume, v.points
            );
        }
        out
    }
}

/// A point as the hypervolume sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodPoint<'a> {
    pub method: &'a str,
    /// A λ = 0 training run (the baseline, or a model-changing method's own λ = 0).
    pub lambda_zero: bool,
    /// Diversity.
    pub x: f64,
    /// Relevance.
    pub y: f64,
}

/// Each method's hypervolume (in order of first appearance) against the nadir of all
/// `points`, returned with it. A method without a λ = 0 point of its own (a single-head
/// regulariser, a re-ranker) starts from the shared baseline's points.
pub fn method_volumes(
    points: &[MethodPoint<'_>],
    x_dir: metrics::Direction,
    y_dir: metrics::Direction,
) -> (Option<(f64, f64)>, Vec<MethodVolume>) {
    let all: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
    let reference = pareto::nadir(&all, x_dir, y_dir);
    (
        reference,
        method_volumes_against(points, reference, x_dir, y_dir),
    )
}

/// Each method's hypervolume (in order of first appearance) against `reference` (none: every
/// volume is 0), as [`method_volumes`] computes it; two sweeps compared on one reference point
/// have volumes that can be set side by side.
pub fn method_volumes_against(
    points: &[MethodPoint<'_>],
    reference: Option<(f64, f64)>,
    x_dir: metrics::Direction,
    y_dir: metrics::Direction,
) -> Vec<MethodVolume> {
    let mut methods: Vec<&str> = Vec::new();
    for p in points {
        if !methods.contains(&p.method) {
            methods.push(p.method);
        }
    }
    methods
        .iter()
        .map(|&method| {
            let own: Vec<&MethodPoint<'_>> = points.iter().filter(|p| p.method == method).collect();
            let shared: Vec<&MethodPoint<'_>> = if own.iter().any(|p| p.lambda_zero) {
                Vec::new()
            } else {
                points.iter().filter(|p| p.method == BASELINE).collect()
            };
            let xy: Vec<(f64, f64)> = own.iter().chain(&shared).map(|p| (p.x, p.y)).collect();
            MethodVolume {
                method: method.to_string(),
                hypervolume: reference.map_or(0.0, |r| pareto::hypervolume(&xy, r, x_dir, y_dir)),
                points: xy.len(),
            }
        })
        .collect()
}

/// Marks the points on the Pareto front of `points` (x = diversity, y = relevance).
fn mark_pareto(points: &mut [FrontPoint], x: metrics::Direction, y: metrics::Direction) {
    let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.diversity, p.relevance)).collect();
    for i in pareto::pareto_front_oriented(&xy, x, y) {
        points[i].pareto = true;
    }
}

/// The header of `front.csv`.
pub const CSV_HEADER: &str = "relevance_metric,diversity_metric,kind,run_id,method,lambda,theta,seed,seeds,relevance,diversity,relevance_ci_lo,relevance_ci_hi,diversity_ci_lo,diversity_ci_hi,pareto,hypervolume,relevance_p_seeds,relevance_p_seeds_holm,diversity_p_seeds,diversity_p_seeds_holm";

/// `front.csv`: for each front, one row per run (`kind` = `run`), then, when some point has
/// several seeds, one per mean (`kind` = `mean`, with its CI and, for λ ≠ 0, the seed-level
/// paired t-test p of each axis against λ = 0, raw and Holm-adjusted), then one per method's
/// hypervolume (`kind` = `hypervolume`, the reference point in the `relevance`/`diversity`
/// columns of a `kind` = `reference` row).
pub fn csv(fronts: &[Front]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let num = |v: f64| {
        if v.is_finite() {
            format!("{v}")
        } else {
            String::new()
        }
    };
    let ci =
        |c: Option<[f64; 2]>| c.map_or((String::new(), String::new()), |[a, b]| (num(a), num(b)));
    for f in fronts {
        let several = f.means.iter().any(|p| p.seeds > 1);
        let rows = f
            .runs
            .iter()
            .map(|p| ("run", p))
            .chain(f.means.iter().filter(|_| several).map(|p| ("mean", p)));
        let p_cols = |c: &Option<SeedComparison>| {
            c.as_ref().map_or((String::new(), String::new()), |c| {
                (
                    num(c.t_test_p),
                    c.t_test_p_holm.map(num).unwrap_or_default(),
                )
            })
        };
        for (kind, p) in rows {
            let (rl, rh) = ci(p.relevance_ci95);
            let (dl, dh) = ci(p.diversity_ci95);
            let (rp, rph) = p_cols(&p.relevance_vs_lambda0);
            let (dp, dph) = p_cols(&p.diversity_vs_lambda0);
            let _ = writeln!(
                out,
                "{},{},{kind},{},{},{},{},{},{},{},{},{rl},{rh},{dl},{dh},{},,{rp},{rph},{dp},{dph}",
                f.relevance,
                f.diversity,
                p.run_id.as_deref().unwrap_or(""),
                p.method,
                format_lambda(p.lambda),
                p.theta.map(format_lambda).unwrap_or_default(),
                p.seed.map(|s| s.to_string()).unwrap_or_default(),
                p.seeds,
                num(p.relevance),
                num(p.diversity),
                p.pareto,
            );
        }
        if let Some((rx, ry)) = f.reference {
            let _ = writeln!(
                out,
                "{},{},reference,,,,,,,{},{},,,,,,,,,,",
                f.relevance,
                f.diversity,
                num(ry),
                num(rx)
            );
        }
        for v in &f.volumes {
            let _ = writeln!(
                out,
                "{},{},hypervolume,,{},,,,{},,,,,,,,{},,,,",
                f.relevance,
                f.diversity,
                v.method,
                v.points,
                num(v.hypervolume)
            );
        }
    }
    out
}

/// The front of each diversity axis against the relevance axis.
pub fn fronts(
    summaries: &[RunSummary],
    relevance: MetricKey,
    diversity: &[MetricKey],
) -> Vec<Front> {
    diversity
        .iter()
        .map(|&d| Front::build(summaries, relevance, d))
        .collect()
}

/// Methods and their hypervolume on `front`, by name (for tables keyed by method).
pub fn volumes_by_method(front: &Front) -> BTreeMap<String, f64> {
    front
        .volumes
        .iter()
        .map(|v| (v.method.clone(), v.hypervolume))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metric;

    fn run(
        method: &str,
        lambda: f64,
        theta: Option<f64>,
        seed: u64,
        ndcg: f64,
        cov: f64,
    ) -> RunSummary {
        let mut s = crate::store::finished_summary(method, lambda, theta, seed);
        s.test.insert(MetricKey::at(Metric::Ndcg, 10), ndcg);
        s.test.insert(MetricKey::at(Metric::Coverage, 10), cov);
        s
    }

    #[test]
    fn a_front_by_hand_with_two_methods_and_the_shared_baseline() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let cov = MetricKey::at(Metric::Coverage, 10);
        let runs = [
            run(BASELINE, 0.0, None, 1, 0.30, 0.20),
            run("exposure_entropy", 0.1, None, 1, 0.28, 0.40),
            run("exposure_entropy", 1.0, None, 1, 0.10, 0.80),
            run("mmr", 0.0, Some(0.5), 1, 0.25, 0.30),
        ];
        let f = Front::build(&runs, ndcg, cov);
        // Reference: worst coverage 0.20, worst NDCG 0.10.
        assert_eq!(f.reference, Some((0.20, 0.10)));
        // exposure_entropy with the baseline: points (0.2, 0.3), (0.4, 0.28), (0.8, 0.1)
        // above (0.2, 0.1): (0.4−0.2)(0.28−0.1) = 0.036; (0.8, 0.1) has no height; the baseline
        // no width. mmr with the baseline: (0.3−0.2)(0.25−0.1) = 0.015.
        let hv = volumes_by_method(&f);
        assert!((hv["exposure_entropy"] - 0.036).abs() < 1e-12, "{hv:?}");
        assert!((hv["mmr"] - 0.015).abs() < 1e-12, "{hv:?}");
        assert_eq!(hv[BASELINE], 0.0);
        assert_eq!(f.volumes[1].points, 3);
        // mmr (0.3, 0.25) is dominated by exposure_entropy λ=0.1 (0.4, 0.28).
        let pareto: Vec<bool> = f.runs.iter().map(|p| p.pareto).collect();
        assert_eq!(pareto, vec![true, true, true, false]);
        assert!(f.volumes_text().contains("exposure_entropy"));
        let text = csv(&[f]);
        assert_eq!(text.lines().next(), Some(CSV_HEADER));
        assert!(text.contains(
            "ndcg@10,coverage@10,run,mmr-0-Some(0.5)-1,mmr,0,0.5,1,1,0.25,0.3,,,,,false,"
        ));
        let mmr = text
            .lines()
            .find(|l| l.starts_with("ndcg@10,coverage@10,hypervolume,,mmr,,,,2,"))
            .expect("mmr's hypervolume row");
        let hv_at = CSV_HEADER
            .split(',')
            .position(|c| c == "hypervolume")
            .unwrap();
        let hv: f64 = mmr.split(',').nth(hv_at).unwrap().parse().unwrap();
        assert!((hv - 0.015).abs() < 1e-12);
        // Every row has the header's columns.
        let width = CSV_HEADER.split(',').count();
        assert!(
            text.lines().all(|l| l.split(',').count() == width),
            "{text}"
        );
        assert!(!text.contains(",mean,"), "one seed: no mean rows");
    }

    #[test]
    fn seeds_are_aggregated_to_a_mean_with_a_t_interval() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let cov = MetricKey::at(Metric::Coverage, 10);
        let runs = [
            run(BASELINE, 0.0, None, 1, 0.30, 0.20),
            run(BASELINE, 0.0, None, 2, 0.32, 0.22),
        ];
        let f = Front::build(&runs, ndcg, cov);
        assert_eq!(f.means.len(), 1);
        let m = &f.means[0];
        assert_eq!((m.seeds, m.run_id.clone(), m.seed), (2, None, None));
        assert!((m.relevance - 0.31).abs() < 1e-12);
        // Two values 0.30, 0.32: sd 0.01√2, se 0.01, t(0.975, 1) = 12.7062.
        let [lo, hi] = m.relevance_ci95.unwrap();
        assert!((hi - 0.31 - 0.127062).abs() < 1e-5 && (0.31 - lo - 0.127062).abs() < 1e-5);
        assert!(csv(&[f]).contains(",mean,"));
    }
}

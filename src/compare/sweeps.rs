//! Two sweeps side by side: each (method, λ or θ) of either sweep as one row with its mean
//! over seeds of the relevance and the diversity metric in both, and the difference. What the
//! workbench's comparison view draws (the two fronts overlaid, the table diffed).
//!
//! The axes are one pair of test metrics for both sweeps (the first sweep's trade-off axes):
//! a point of a sweep that did not evaluate one of them has no value there, never a zero.

use crate::config::{BASELINE, is_lambda_zero, param_label};
use crate::front::{MethodPoint, MethodVolume, method_volumes_against};
use crate::metrics::{Direction, MetricKey};
use crate::store::RunSummary;

use super::{groups, seed_mean};

/// One side's value of a (method, λ or θ): the means over its finished seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    /// Finished runs (seeds) behind the means.
    pub seeds: usize,
    pub relevance: Option<f64>,
    pub diversity: Option<f64>,
}

/// A (method, λ or θ) of either sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    pub method: String,
    pub lambda: f64,
    pub theta: Option<f64>,
    /// `None` where that sweep has no finished run of this point.
    pub a: Option<Side>,
    pub b: Option<Side>,
}

impl DiffRow {
    /// `λ=0.1` or `θ=0.3`.
    pub fn param_label(&self) -> String {
        param_label(self.lambda, self.theta)
    }

    pub fn is_lambda_zero(&self) -> bool {
        is_lambda_zero(self.lambda, self.theta)
    }

    /// B − A on the relevance metric, where both have a value.
    pub fn relevance_delta(&self) -> Option<f64> {
        Some(self.b?.relevance? - self.a?.relevance?)
    }

    /// B − A on the diversity metric, where both have a value.
    pub fn diversity_delta(&self) -> Option<f64> {
        Some(self.b?.diversity? - self.a?.diversity?)
    }
}

/// Whether a difference `b − a` is an improvement, a regression or neither, in the metric's
/// direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Better,
    Worse,
    Same,
}

impl Change {
    pub fn of(delta: f64, direction: Direction) -> Self {
        let signed = match direction {
            Direction::HigherIsBetter => delta,
            Direction::LowerIsBetter => -delta,
        };
        if signed > 0.0 {
            Change::Better
        } else if signed < 0.0 {
            Change::Worse
        } else {
            Change::Same
        }
    }
}

/// Two sweeps' points on one pair of axes.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepDiff {
    pub relevance: MetricKey,
    pub diversity: MetricKey,
    /// The sweeps' labels (their experiment and directory name).
    pub a_label: String,
    pub b_label: String,
    /// A's points in its order, then the points only B has, in B's order.
    pub rows: Vec<DiffRow>,
    /// Each method's hypervolume in A and in B (absent where that sweep has no point of
    /// it), against one reference point: the nadir of both sweeps' points. The shared
    /// baseline is left out (it is every method's start).
    pub volumes: Vec<(String, Option<f64>, Option<f64>)>,
}

impl SweepDiff {
    /// Compares the finished runs of `a` with those of `b` on `relevance` × `diversity`.
    pub fn new(
        a: (&str, &[RunSummary]),
        b: (&str, &[RunSummary]),
        relevance: MetricKey,
        diversity: MetricKey,
    ) -> Self {
        let side = |g: &super::Group<'_>| Side {
            seeds: g.runs.len(),
            relevance: seed_mean(g, relevance, |r| &r.test),
            diversity: seed_mean(g, diversity, |r| &r.test),
        };
        let (ga, gb) = (groups(a.1), groups(b.1));
        let same = |x: &super::Group<'_>, y: &super::Group<'_>| {
            x.method == y.method && x.lambda == y.lambda && x.theta == y.theta
        };
        let mut rows: Vec<DiffRow> = ga
            .iter()
            .map(|g| DiffRow {
                method: g.method.to_string(),
                lambda: g.lambda,
                theta: g.theta,
                a: Some(side(g)),
                b: gb.iter().find(|h| same(g, h)).map(side),
            })
            .collect();
        rows.extend(
            gb.iter()
                .filter(|h| !ga.iter().any(|g| same(g, h)))
                .map(|h| DiffRow {
                    method: h.method.to_string(),
                    lambda: h.lambda,
                    theta: h.theta,
                    a: None,
                    b: Some(side(h)),
                }),
        );
        let mut diff = Self {
            relevance,
            diversity,
            a_label: a.0.to_string(),
            b_label: b.0.to_string(),
            rows,
            volumes: Vec::new(),
        };
        diff.volumes = diff.method_volumes();
        diff
    }

    /// See [`Self::volumes`].
    fn method_volumes(&self) -> Vec<(String, Option<f64>, Option<f64>)> {
        let (x_dir, y_dir) = (self.diversity.direction(), self.relevance.direction());
        let side = |w: Which| -> Vec<MethodPoint<'_>> {
            self.points(w)
                .iter()
                .map(|&(row, x, y)| MethodPoint {
                    method: &self.rows[row].method,
                    lambda_zero: self.rows[row].is_lambda_zero(),
                    x,
                    y,
                })
                .collect()
        };
        let (pa, pb) = (side(Which::A), side(Which::B));
        let both: Vec<(f64, f64)> = pa.iter().chain(&pb).map(|p| (p.x, p.y)).collect();
        let reference = crate::pareto::nadir(&both, x_dir, y_dir);
        let va = method_volumes_against(&pa, reference, x_dir, y_dir);
        let vb = method_volumes_against(&pb, reference, x_dir, y_dir);
        let find =
            |vs: &[MethodVolume], m: &str| vs.iter().find(|v| v.method == m).map(|v| v.hypervolume);
        let mut methods: Vec<&str> = Vec::new();
        for v in va.iter().chain(&vb) {
            if v.method != BASELINE && !methods.contains(&v.method.as_str()) {
                methods.push(&v.method);
            }
        }
        methods
            .iter()
            .map(|m| (m.to_string(), find(&va, m), find(&vb, m)))
            .collect()
    }

    /// One sweep's points (diversity, relevance) with their row, where both values exist.
    pub fn points(&self, which: Which) -> Vec<(usize, f64, f64)> {
        self.rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let s = match which {
                    Which::A => r.a?,
                    Which::B => r.b?,
                };
                Some((i, s.diversity?, s.relevance?))
            })
            .collect()
    }
}

/// One of the two compared sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    A,
    B,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::RunStatus;

    fn summary(method: &str, lambda: f64, seed: u64, ndcg: f64, cov: Option<f64>) -> RunSummary {
        let mut s: RunSummary = serde_json::from_str(include_str!(
            "../../tests/fixtures/stored-sweep/lambda-0_seed-5/summary.json"
        ))
        .unwrap();
        s.method = method.into();
        s.lambda = lambda;
        s.seed = seed;
        s.status = RunStatus::Finished;
        s.test.clear();
        s.test.insert(key("ndcg@10"), ndcg);
        if let Some(c) = cov {
            s.test.insert(key("coverage@10"), c);
        }
        s
    }

    fn key(k: &str) -> MetricKey {
        k.parse().unwrap()
    }

    #[test]
    fn rows_pair_points_average_seeds_and_keep_one_sided_points() {
        let a = vec![
            summary("baseline", 0.0, 1, 0.30, Some(0.10)),
            summary("baseline", 0.0, 2, 0.20, Some(0.20)),
            summary("exposure_entropy", 0.5, 1, 0.25, Some(0.40)),
        ];
        let mut failed = summary("exposure_entropy", 1.0, 1, 0.9, Some(0.9));
        failed.status = RunStatus::Failed;
        let b = vec![
            summary("baseline", 0.0, 1, 0.27, Some(0.12)),
            summary("exposure_entropy", 1.0, 1, 0.10, None),
            failed,
            summary("exposure_entropy", 0.5, 1, 0.20, Some(0.50)),
        ];
        let d = SweepDiff::new(("A", &a), ("B", &b), key("ndcg@10"), key("coverage@10"));
        let labels: Vec<(String, String)> = d
            .rows
            .iter()
            .map(|r| (r.method.clone(), r.param_label()))
            .collect();
        assert_eq!(
            labels,
            [
                ("baseline".to_string(), "λ=0".to_string()),
                ("exposure_entropy".into(), "λ=0.5".into()),
                ("exposure_entropy".into(), "λ=1".into()),
            ]
        );
        // A's baseline is the mean of its two seeds: (0.30 + 0.20) / 2, (0.10 + 0.20) / 2.
        let base = &d.rows[0];
        let a0 = base.a.unwrap();
        assert_eq!(a0.seeds, 2);
        assert!((a0.relevance.unwrap() - 0.25).abs() < 1e-12);
        assert!((a0.diversity.unwrap() - 0.15).abs() < 1e-12);
        assert!((base.relevance_delta().unwrap() - 0.02).abs() < 1e-12);
        assert!((base.diversity_delta().unwrap() + 0.03).abs() < 1e-12);
        assert!(base.is_lambda_zero());
        // λ = 1 only in B (its failed seed is not a point), without a coverage value.
        let only_b = &d.rows[2];
        assert_eq!(only_b.a, None);
        let b1 = only_b.b.unwrap();
        assert_eq!((b1.seeds, b1.diversity), (1, None));
        assert_eq!(only_b.relevance_delta(), None);
        // Points: where both axes exist.
        assert_eq!(d.points(Which::A).len(), 2);
        let pb: Vec<usize> = d.points(Which::B).iter().map(|p| p.0).collect();
        assert_eq!(pb, [0, 1]);
        assert_eq!(d.points(Which::B)[1], (1, 0.50, 0.20));
        // Hypervolumes against the nadir of both sweeps' points: (diversity 0.12, relevance
        // 0.20). A's exposure_entropy: its point (0.40, 0.25) with the baseline's
        // (0.15, 0.25): the box (0.40 − 0.12) × (0.25 − 0.20) = 0.014. B's: (0.50, 0.20)
        // adds nothing above the reference's relevance; the baseline (0.12, 0.27) spans
        // no width: 0.
        assert_eq!(d.volumes.len(), 1, "the baseline is left out");
        let (m, va, vb) = &d.volumes[0];
        assert_eq!(m, "exposure_entropy");
        assert!((va.unwrap() - 0.014).abs() < 1e-12, "{va:?}");
        assert!(vb.unwrap().abs() < 1e-12, "{vb:?}");
    }

    #[test]
    fn a_change_is_judged_in_the_metrics_direction() {
        assert_eq!(Change::of(0.1, Direction::HigherIsBetter), Change::Better);
        assert_eq!(Change::of(0.1, Direction::LowerIsBetter), Change::Worse);
        assert_eq!(Change::of(-0.1, Direction::LowerIsBetter), Change::Better);
        assert_eq!(Change::of(0.0, Direction::HigherIsBetter), Change::Same);
    }
}

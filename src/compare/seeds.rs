//! The seed-level view: each (method, λ or θ) over the sweep's seeds, per test metric, as a
//! mean with a 95% t-interval, and against λ = 0 by a paired t-test over seeds (each seed's
//! run against the λ = 0 run of the same seed), Holm–Bonferroni adjusted over every such test
//! of the sweep.
//!
//! The unit is a seed — one fitted model — so this is the test of "does the method change the
//! metric", where the per-user Wilcoxon test of one pair of models is not: it holds the two
//! models fixed and varies only the users.

use std::collections::BTreeMap;

use super::{Group, baseline_method, groups};
use crate::metrics::{self, MetricKey};
use crate::store::{AcrossSeeds, RunSummary, SeedComparison};

/// Fills `across_seeds` of every finished run whose (method, λ, θ) has at least two seeds
/// with a value, for each of `keys`; then Holm-adjusts the seed-level p-values together.
pub fn fill_across_seeds(summaries: &mut [RunSummary], keys: &[MetricKey]) {
    let found = across_seeds(summaries, keys);
    for s in summaries
        .iter_mut()
        .filter(|s| s.status == crate::events::RunStatus::Finished)
    {
        if let Some(by_key) = found.get(&(
            s.method.clone(),
            s.lambda.to_bits(),
            s.theta.map(f64::to_bits),
        )) {
            s.across_seeds = by_key.clone();
        }
    }
}

type GroupKey = (String, u64, Option<u64>);

/// Per group (method, λ bits, θ bits), per key: the seed-level summary.
fn across_seeds(
    summaries: &[RunSummary],
    keys: &[MetricKey],
) -> BTreeMap<GroupKey, BTreeMap<MetricKey, AcrossSeeds>> {
    let groups = groups(summaries);
    let mut out: BTreeMap<GroupKey, BTreeMap<MetricKey, AcrossSeeds>> = BTreeMap::new();
    for g in groups.iter().filter(|g| g.runs.len() >= 2) {
        let base = (!g.is_lambda_zero()).then(|| {
            let method = baseline_method(&groups, g.method);
            let runs = groups
                .iter()
                .find(|b| b.method == method && b.is_lambda_zero())
                .map(|b| b.runs.clone())
                .unwrap_or_default();
            (method, runs)
        });
        let mut by_key = BTreeMap::new();
        for &key in keys {
            let values: Vec<f64> = g
                .runs
                .iter()
                .filter_map(|r| r.test.get(&key).copied())
                .filter(|v| v.is_finite())
                .collect();
            if values.len() < 2 {
                continue;
            }
            let Some(ci) = metrics::mean_ci95(&values) else {
                continue;
            };
            let versus_lambda0 = base
                .as_ref()
                .and_then(|(method, runs)| compare(g, runs, method, key));
            by_key.insert(
                key,
                AcrossSeeds {
                    seeds: values.len(),
                    mean: ci.mean,
                    ci95: [ci.lo, ci.hi],
                    versus_lambda0,
                },
            );
        }
        if !by_key.is_empty() {
            out.insert(
                (
                    g.method.to_string(),
                    g.lambda.to_bits(),
                    g.theta.map(f64::to_bits),
                ),
                by_key,
            );
        }
    }
    // The family: every seed-level test above.
    let raw: Vec<f64> = out
        .values()
        .flat_map(|m| {
            m.values()
                .filter_map(|a| a.versus_lambda0.as_ref())
                .map(|c| c.t_test_p)
        })
        .collect();
    let mut adjusted = metrics::holm_adjust(&raw).into_iter();
    for m in out.values_mut() {
        for c in m.values_mut().filter_map(|a| a.versus_lambda0.as_mut()) {
            c.t_test_p_holm = adjusted.next();
        }
    }
    out
}

/// `g`'s runs against `base` (λ = 0 runs of `method`) on `key`, paired by seed; `None` with
/// fewer than two pairs.
fn compare(
    g: &Group<'_>,
    base: &[&RunSummary],
    method: &str,
    key: MetricKey,
) -> Option<SeedComparison> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in &g.runs {
        let Some(base_run) = base.iter().find(|x| x.seed == r.seed) else {
            continue;
        };
        if let (Some(&x), Some(&y)) = (r.test.get(&key), base_run.test.get(&key))
            && x.is_finite()
            && y.is_finite()
        {
            a.push(x);
            b.push(y);
        }
    }
    let test = metrics::paired_t_test(&a, &b)?;
    let diffs: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    let ci = metrics::mean_ci95(&diffs)?;
    Some(SeedComparison {
        baseline_method: method.to_string(),
        seeds: diffs.len(),
        mean_difference: ci.mean,
        difference_ci95: [ci.lo, ci.hi],
        t_test_p: test.p_value,
        t_test_p_holm: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BASELINE;
    use crate::metrics::Metric;

    fn run(method: &str, lambda: f64, seed: u64, ndcg: f64) -> RunSummary {
        let mut s = crate::store::finished_summary(method, lambda, None, seed);
        s.test.insert(MetricKey::at(Metric::Ndcg, 10), ndcg);
        s
    }

    #[test]
    fn a_seed_level_paired_t_test_by_hand() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let mut runs = vec![
            run(BASELINE, 0.0, 1, 0.30),
            run(BASELINE, 0.0, 2, 0.32),
            run(BASELINE, 0.0, 3, 0.31),
            run("exposure_entropy", 0.1, 1, 0.28),
            run("exposure_entropy", 0.1, 2, 0.29),
            run("exposure_entropy", 0.1, 3, 0.27),
            // One seed only: no seed-level view.
            run("exposure_entropy", 1.0, 1, 0.1),
        ];
        fill_across_seeds(&mut runs, &[ndcg]);
        // Baseline: mean 0.31, sd 0.01, t(0.975, 2) = 4.302653: CI 0.31 ± 0.024842.
        let b = &runs[0].across_seeds[&ndcg];
        assert_eq!(b.seeds, 3);
        assert!((b.mean - 0.31).abs() < 1e-12);
        assert!((b.ci95[1] - (0.31 + 4.302_652_729_749_462 * 0.01 / 3f64.sqrt())).abs() < 1e-9);
        assert!(b.versus_lambda0.is_none());
        assert_eq!(
            runs[1].across_seeds, runs[0].across_seeds,
            "every run of the group"
        );
        // Differences −0.02, −0.03, −0.04: mean −0.03, sd 0.01, t = −0.03/(0.01/√3) = −5.196;
        // scipy.stats.ttest_rel([.28,.29,.27],[.30,.32,.31]).pvalue = 0.035098.
        let c = runs[3].across_seeds[&ndcg].versus_lambda0.clone().unwrap();
        assert_eq!((c.seeds, c.baseline_method.as_str()), (3, BASELINE));
        assert!((c.mean_difference + 0.03).abs() < 1e-12);
        assert!((c.t_test_p - 0.035_098).abs() < 1e-5, "{}", c.t_test_p);
        // A family of one test: Holm leaves it as it is.
        assert_eq!(c.t_test_p_holm, Some(c.t_test_p));
        assert!(runs[6].across_seeds.is_empty());
    }

    #[test]
    fn a_method_with_its_own_lambda_zero_is_compared_with_it() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let mut runs = vec![
            run(BASELINE, 0.0, 1, 0.9),
            run(BASELINE, 0.0, 2, 0.9),
            run("two_task", 0.0, 1, 0.30),
            run("two_task", 0.0, 2, 0.32),
            run("two_task", 0.5, 1, 0.31),
            run("two_task", 0.5, 2, 0.34),
        ];
        fill_across_seeds(&mut runs, &[ndcg]);
        let c = runs[4].across_seeds[&ndcg].versus_lambda0.clone().unwrap();
        assert_eq!(c.baseline_method, "two_task");
        assert!((c.mean_difference - 0.015).abs() < 1e-12);
    }
}

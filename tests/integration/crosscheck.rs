//! Cross-check of the whole evaluator against independent implementations
//! (tests/crosscheck.py) on a generated case of 300 users: numpy and scikit-learn's
//! `roc_auc_score`, agreeing to 1e-6 on every per-user metric and every mean, the undefined
//! values included (users whose positives, or whose training items, have no category); and
//! pytrec_eval (trec_eval's `P_k`, `recall_k`, `ndcg_cut_k`) on recsweep's own top lists,
//! agreeing to 1e-6 on every user's precision, recall and NDCG at each K.
//!
//! Python comes from [`python`](crate::support::python): `RECSWEEP_PYTHON`, else the venv
//! `.ci/run` makes at `~/.cache/recsweep-venv`, created by the test when missing (PyPI).

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use recsweep::evaluate::{self, EvalContext};
use recsweep::metrics::{self, ItemCategories};
use recsweep::model::HostWeights;

use crate::support::python_crosscheck;

#[test]
fn evaluator_agrees_with_numpy_scikit_learn_and_pytrec_eval() {
    let (n_users, n_items, dim) = (300usize, 150usize, 4usize);
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    // Coarse weights make tied scores common, so tie handling is exercised.
    let mut coarse = |n: usize| {
        (0..n)
            .map(|_| f32::from(rng.random_range(-2i8..=2)) * 0.5)
            .collect::<Vec<f32>>()
    };
    let weights = HostWeights {
        dim,
        users: coarse(n_users * dim),
        items: coarse(n_items * dim),
        bias: coarse(n_items),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut train = Vec::new();
    let mut test = Vec::new();
    let mut interacted = Vec::new();
    for u in 0..n_users {
        let mut items: Vec<u32> = (0..n_items as u32)
            .filter(|_| rng.random::<f64>() < 0.12)
            .collect();
        // Some users have no held-out positives (skipped), some only one, some many.
        let n_test = match u % 10 {
            0 => 0,
            1 => 1.min(items.len()),
            _ => items.len() / 4,
        };
        let mut t: Vec<u32> = Vec::new();
        if u % 30 == 11 {
            // Only uncategorised positives (items 7j, below): α-NDCG is undefined.
            t = items.iter().copied().filter(|i| i % 7 == 0).collect();
            items.retain(|i| i % 7 != 0);
        } else {
            for _ in 0..n_test {
                let at = rng.random_range(0..items.len());
                t.push(items.remove(at));
            }
        }
        t.sort_unstable();
        // A few extra interacted-but-not-positive items (low ratings), masked from every
        // candidate set (the candidate rule `mask`).
        let mut all: Vec<u32> = items.iter().chain(&t).copied().collect();
        all.push(rng.random_range(0..n_items as u32));
        all.sort_unstable();
        all.dedup();
        if u % 30 == 7 {
            // No categorised training item: miscalibration is undefined. (The dropped items
            // stay interacted: they become masked, still out of the candidates.)
            items.retain(|i| i % 7 == 0);
        }
        // The last five items are never trained on: cold items, for cold-item coverage.
        items.retain(|&i| (i as usize) < n_items - 5);
        train.push(items);
        test.push(t);
        interacted.push(all);
    }
    let categories: Vec<Vec<u32>> = (0..n_items)
        .map(|i| match i % 7 {
            0 => vec![],
            1 => vec![(i % 5) as u32, ((i + 1) % 5) as u32],
            _ => vec![(i % 5) as u32],
        })
        .collect();
    let cats = ItemCategories::new(categories.clone());
    let ks = [1usize, 5, 10];
    let counts = recsweep::data::train_counts(&train, n_items);
    let is_head = metrics::head_items(&counts, 0.2);
    // Masked: what is interacted but neither a training item nor a held-out positive.
    let masked: Vec<Vec<u32>> = (0..n_users)
        .map(|u| {
            interacted[u]
                .iter()
                .copied()
                .filter(|i: &u32| !train[u].contains(i) && !test[u].contains(i))
                .collect()
        })
        .collect();
    let ctx = EvalContext {
        ks: &ks,
        masked: Some(&masked),
        train: &train,
        categories: &cats,
        train_counts: &counts,
        is_head: &is_head,
    };
    let report = evaluate::evaluate(&weights, &test, &train, None, &ctx);

    let mut scores = Vec::new();
    let mut row = vec![0f32; n_items];
    for u in 0..n_users {
        weights.score_user(u, &mut row);
        scores.push(row.clone());
    }
    let per_user: BTreeMap<String, BTreeMap<String, Option<f64>>> = report
        .per_user
        .rows
        .iter()
        .map(|(u, values)| {
            let m = report
                .per_user
                .columns
                .iter()
                .zip(values)
                .map(|(c, v)| (c.to_string(), v.is_finite().then_some(*v)))
                .collect();
            (u.to_string(), m)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let case = serde_json::json!({
        "scores": scores, "train": train, "test": test, "interacted": interacted,
        "categories": categories, "ks": ks,
    });
    std::fs::write(dir.path().join("case.json"), case.to_string()).unwrap();
    // Each user's top list, best first, for pytrec_eval.
    let top: BTreeMap<String, Vec<u32>> = report
        .recommendations
        .iter()
        .map(|(u, list)| (u.to_string(), list.iter().map(|&(item, _)| item).collect()))
        .collect();
    assert!(
        report
            .means
            .contains_key(&metrics::MetricKey::at(metrics::Metric::ColdCoverage, 10)),
        "the case has cold items: cold-item coverage is cross-checked"
    );
    let rust = serde_json::json!({ "per_user": per_user, "means": report.means, "top": top });
    std::fs::write(dir.path().join("rust.json"), rust.to_string()).unwrap();

    let stdout = python_crosscheck("crosscheck.py", dir.path());
    assert!(stdout.contains("pytrec_eval"), "{stdout}");
    // The case reaches the undefined values of the category metrics.
    let undefined = |key: &str| {
        per_user
            .values()
            .filter(|row| row.get(key).is_some_and(Option::is_none))
            .count()
    };
    assert!(undefined("alpha_ndcg@5") > 0);
    assert!(undefined("miscalibration@5") > 0);
    assert!(report.users_evaluated >= 250, "{}", report.users_evaluated);
}

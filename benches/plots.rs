//! Rendering every figure (4 PNG + 4 SVG at 1600×1000) for a 16-run sweep (8 λ × 2 seeds,
//! 50 epochs each), from an in-memory store. Prints the median of several repetitions and,
//! as the same-process reference, the time to encode one blank 1600×1000 PNG.
//! Run: `cargo bench --bench plots`

use std::collections::BTreeMap;
use std::time::Instant;

use plotters::prelude::*;
use recsweep::backend::BackendKind;
use recsweep::config::{CurveKeys, EvalSplit, PlotSettings};
use recsweep::events::RunStatus;
use recsweep::metrics::{Metric, MetricKey};
use recsweep::store::{RunSummary, StoredRun, StoredSweep, SweepManifest, val_column};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn sweep() -> StoredSweep {
    let ndcg = MetricKey::at(Metric::Ndcg, 10);
    let coverage = MetricKey::at(Metric::Coverage, 10);
    let lambdas = [0.0, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0];
    let mut runs = Vec::new();
    for (li, &lambda) in lambdas.iter().enumerate() {
        for seed in [1u64, 2] {
            let epochs: Vec<BTreeMap<String, f64>> = (1..=50)
                .map(|e| {
                    let t = f64::from(e) / 50.0;
                    let jitter = seed as f64 * 0.003;
                    BTreeMap::from([
                        ("epoch".to_string(), f64::from(e)),
                        (
                            "loss".to_string(),
                            0.7 - 0.4 * t + 0.02 * li as f64 + jitter,
                        ),
                        (
                            val_column(MetricKey::AUC),
                            0.6 + 0.3 * t.sqrt() - 0.01 * li as f64 + jitter,
                        ),
                        (val_column(coverage), 0.1 + 0.05 * li as f64 * t + jitter),
                    ])
                })
                .collect();
            let summary = RunSummary {
                run_id: format!("lambda-{lambda}_seed-{seed}"),
                experiment: "bench".into(),
                method: if lambda == 0.0 {
                    "baseline"
                } else {
                    "exposure_entropy"
                }
                .into(),
                lambda,
                theta: None,
                seed,
                split_seed: Some(seed),
                backend: BackendKind::Cpu,
                adapter: "flex (CPU)".into(),
                status: RunStatus::Finished,
                reason: None,
                version: "bench".into(),
                epochs_completed: 50,
                epochs: 50,
                seconds: 1.0,
                eval_split: EvalSplit::Validation,
                data: "bench".into(),
                users: 1,
                items: 1,
                train_pairs: 1,
                users_evaluated: 1,
                test: BTreeMap::from([
                    (ndcg, 0.3 - 0.02 * li as f64 + seed as f64 * 0.002),
                    (coverage, 0.2 + 0.05 * li as f64 + seed as f64 * 0.003),
                ]),
                test_ci95: BTreeMap::new(),
                versus_lambda0: BTreeMap::new(),
                selection: None,
                validation: BTreeMap::new(),
                across_seeds: BTreeMap::new(),
            };
            runs.push(StoredRun { summary, epochs });
        }
    }
    StoredSweep {
        dir: "bench".into(),
        manifest: SweepManifest {
            experiment: "bench".into(),
            file: "bench.yaml".into(),
            version: "bench".into(),
            backend: BackendKind::Cpu,
            adapter: "flex (CPU)".into(),
            plots: settings(),
            curves: Some(CurveKeys {
                auc: MetricKey::AUC,
                coverage,
            }),
            runs: Vec::new(),
        },
        runs,
    }
}

fn settings() -> PlotSettings {
    PlotSettings {
        preset: None,
        width: 1600,
        height: 1000,
        relevance: MetricKey::at(Metric::Ndcg, 10),
        diversity: MetricKey::at(Metric::Coverage, 10),
        fronts: vec![MetricKey::at(Metric::Coverage, 10)],
    }
}

fn main() {
    let sweep = sweep();
    let settings = settings();
    let dir = tempfile::tempdir().unwrap();
    let reps = 7;
    let mut all = Vec::new();
    let mut blank = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let files = recsweep::plot::render_all(&sweep, &settings, dir.path()).unwrap();
        all.push(t.elapsed().as_secs_f64());
        assert_eq!(files.len(), 8);

        let t = Instant::now();
        let path = dir.path().join("blank.png");
        let root = BitMapBackend::new(&path, (1600, 1000)).into_drawing_area();
        root.fill(&WHITE).unwrap();
        root.present().unwrap();
        drop(root);
        blank.push(t.elapsed().as_secs_f64());
    }
    let (a, b) = (median(all), median(blank));
    println!("16 runs x 50 epochs, 4 figures as PNG + SVG at 1600x1000");
    println!(
        "render all figures: median {:.1} ms over {reps} runs",
        a * 1e3
    );
    println!(
        "reference, one blank 1600x1000 PNG: median {:.1} ms",
        b * 1e3
    );
    println!("ratio: {:.1}x one blank PNG", a / b);
}

//! Reproducibility on the CPU backend: the same experiment gives byte-identical
//! `metrics.csv`, `per_user.csv`, `recommendations.csv` and `summary.json` but for the
//! timings (the `seconds` column and field), and a run directory's `config.yaml` re-runs that
//! run alone with the same numbers.

use std::path::Path;

use crate::support::recsweep_ok;

/// `metrics.csv` without its last column (`seconds`, the time since the run started).
fn metrics_without_time(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].ends_with(",seconds"),
        "the timing column moved: {}",
        lines[0]
    );
    lines
        .iter()
        .map(|l| l.rsplit_once(',').unwrap().0)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `summary.json` without its timing field.
fn summary_without_time(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let removed = v.as_object_mut().unwrap().remove("seconds");
    assert!(
        removed.is_some(),
        "summary.json has no 'seconds' field any more"
    );
    v
}

fn same_run(a: &Path, b: &Path, run: &str, compare_summary_whole: bool) {
    let (ra, rb) = (a.join(run), b.join(run));
    assert_eq!(
        metrics_without_time(&ra.join("metrics.csv")),
        metrics_without_time(&rb.join("metrics.csv")),
        "{run}: metrics.csv differs"
    );
    for file in ["per_user.csv", "recommendations.csv"] {
        assert_eq!(
            std::fs::read(ra.join(file)).unwrap(),
            std::fs::read(rb.join(file)).unwrap(),
            "{run}: {file} differs"
        );
    }
    let (sa, sb) = (
        summary_without_time(&ra.join("summary.json")),
        summary_without_time(&rb.join("summary.json")),
    );
    if compare_summary_whole {
        assert_eq!(sa, sb, "{run}: summary.json differs");
    } else {
        // Run alone, a run has no λ = 0 partner to be tested against: its own numbers agree.
        for key in [
            "test",
            "test_ci95",
            "validation",
            "selection",
            "epochs_completed",
        ] {
            assert_eq!(sa[key], sb[key], "{run}: summary.json '{key}' differs");
        }
    }
}

#[test]
fn the_same_experiment_gives_the_same_files_and_a_run_s_config_re_runs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, second, alone) = (
        tmp.path().join("first"),
        tmp.path().join("second"),
        tmp.path().join("alone"),
    );
    for out in [&first, &second] {
        recsweep_ok(&[
            "--run",
            "tests/fixtures/tiny.yaml",
            "--out",
            out.to_str().unwrap(),
        ]);
    }
    let runs = crate::support::run_ids(&first);
    assert!(runs.len() >= 2, "{runs:?}");
    for run in &runs {
        same_run(&first, &second, run, true);
    }
    assert_eq!(
        std::fs::read(first.join("front.csv")).unwrap(),
        std::fs::read(second.join("front.csv")).unwrap(),
        "front.csv differs"
    );
    // The regularised run, re-run from its own config.yaml.
    let run = runs
        .iter()
        .find(|r| r.contains("lambda-1"))
        .expect("a λ = 1 run");
    let config = first.join(run).join("config.yaml");
    recsweep_ok(&[
        "--run",
        config.to_str().unwrap(),
        "--out",
        alone.to_str().unwrap(),
    ]);
    same_run(&first, &alone, run, false);
}

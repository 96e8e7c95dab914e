//! One run's failure never takes the others down: a panic and a failed allocation injected
//! into two runs of a sweep (`RECSWEEP_INJECT_FAULT`, see `src/train/memory.rs`) fail those
//! runs alone, with their epoch and reason; the others finish, the sweep's fronts and figures
//! are written, it exits 1, and `--resume` then trains just the two failed runs.

use std::process::{Command, Stdio};

use crate::kill::SWEEP;
use crate::support::{recsweep, summary};

#[test]
fn a_panic_and_a_failed_allocation_fail_their_runs_alone_and_resume_trains_them() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("faults.yaml");
    std::fs::write(&yaml, SWEEP).unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_recsweep"))
        .arg("--run")
        .arg(&yaml)
        .arg("--out")
        .arg(&out)
        .env(
            "RECSWEEP_INJECT_FAULT",
            "exposure_entropy_lambda-0.1_seed-3=panic,exposure_entropy_lambda-0.3_seed-3=alloc",
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");

    let panicked = summary(&out, "exposure_entropy_lambda-0.1_seed-3");
    assert_eq!(panicked.status.as_str(), "failed");
    assert_eq!(panicked.epochs_completed, 1);
    let reason = panicked.reason.unwrap_or_default();
    assert!(reason.contains("panicked: injected fault"), "{reason}");

    let refused = summary(&out, "exposure_entropy_lambda-0.3_seed-3");
    assert_eq!(refused.status.as_str(), "failed");
    assert_eq!(refused.epochs_completed, 1);
    let reason = refused.reason.unwrap_or_default();
    assert!(
        reason.contains("cannot allocate") && reason.contains("an injected allocation"),
        "{reason}"
    );

    // The others finished, and the sweep's own files were written.
    for run in ["lambda-0_seed-3", "mmr_theta-0.5_seed-3"] {
        assert_eq!(summary(&out, run).status.as_str(), "finished", "{run}");
    }
    assert!(out.join("front.csv").is_file());
    assert!(out.join("plots/tradeoff.png").is_file());
    assert!(
        stdout.contains("exposure_entropy_lambda-0.1_seed-3: failed: panicked"),
        "{stdout}"
    );
    let kept = std::fs::read(out.join("lambda-0_seed-3/summary.json")).unwrap();

    // Resumed without the faults: the two failed runs train, the others are kept.
    let o = recsweep(&["--resume", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("resuming: 2 finished run(s) kept, 2 to train"),
        "{stdout}"
    );
    for run in crate::support::run_ids(&out) {
        assert_eq!(summary(&out, &run).status.as_str(), "finished", "{run}");
    }
    assert!(
        kept == std::fs::read(out.join("lambda-0_seed-3/summary.json")).unwrap(),
        "a kept run's summary changed"
    );
}

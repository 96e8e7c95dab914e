//! `--resume DIR`: a sweep killed at any moment and resumed ends with the files an
//! uninterrupted sweep writes (timings apart); a config that changed since is refused before
//! anything is written; a finished sweep trains nothing again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::kill::SWEEP;
use crate::support::{recsweep, recsweep_refused, spawn_sweep};

/// Every file under `dir` but the figures (their pixels carry no numbers a resume could get
/// wrong, and `plot` is tested on its own) and the hidden temporaries of atomic writes (a
/// killed process leaves its `.NAME.tmp-PID` behind; never read, and not removed by a resume,
/// which cannot tell them from those of another process writing the same sweep), by path
/// relative to `dir`.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if rel.starts_with("plots") || hidden {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A file's contents without its timings: `seconds` of a summary, the last column of
/// `metrics.csv`, the header comments of the YAML files (they name the file they came from);
/// nothing of a Parquet file (the CSVs' tables again, timings included: the CSVs are compared).
fn without_timings(rel: &Path, bytes: &[u8]) -> String {
    let name = rel.file_name().unwrap().to_str().unwrap();
    if name.ends_with(".parquet") {
        return String::new();
    }
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    match name {
        "summary.json" => {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            v.as_object_mut().unwrap().remove("seconds");
            serde_json::to_string_pretty(&v).unwrap()
        }
        "metrics.csv" => text
            .lines()
            .map(|l| l.rsplit_once(',').map_or(l, |(head, _)| head))
            .collect::<Vec<_>>()
            .join("\n"),
        _ if name.ends_with(".yaml") => text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => text,
    }
}

pub fn assert_same_sweep(expected: &Path, got: &Path, context: &str) {
    let (a, b) = (files(expected), files(got));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{context}: the resumed sweep has other files"
    );
    for (rel, bytes) in &a {
        assert_eq!(
            without_timings(rel, bytes),
            without_timings(rel, &b[rel]),
            "{context}: {} differs",
            rel.display()
        );
    }
}

fn resume(dir: &Path) -> std::process::Output {
    recsweep(&["--resume", dir.to_str().unwrap()])
}

/// `tests/fixtures/tiny.yaml`'s sweep (two runs) into `out`.
fn tiny_sweep(out: &Path) {
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
}

/// The same files with the same bytes.
fn assert_unchanged(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (rel, bytes) in before {
        assert!(bytes == &after[rel], "{} changed", rel.display());
    }
}

#[test]
fn a_sweep_killed_at_any_moment_and_resumed_equals_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("killed.yaml");
    std::fs::write(&yaml, SWEEP).unwrap();
    let whole = tmp.path().join("whole");
    let status = spawn_sweep(&yaml, &whole).wait().unwrap();
    assert!(status.success(), "the uninterrupted sweep failed");

    let mut resumed = 0;
    // While the first runs train, while the baseline's re-ranker waits, near the end.
    for (i, delay) in [250, 700, 1200, 1700].into_iter().enumerate() {
        let out = tmp.path().join(format!("killed-{i}"));
        let mut child = spawn_sweep(&yaml, &out);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let o = resume(&out);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if !out.join("sweep.json").is_file() {
            // Killed before the sweep existed: nothing to resume, and it says so.
            assert_eq!(o.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("not a sweep directory"), "{stderr}");
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "kill at {delay} ms: {stderr}");
        assert_same_sweep(&whole, &out, &format!("killed at {delay} ms"));
        resumed += 1;
    }
    assert!(resumed >= 3, "only {resumed} kills left a sweep to resume");
}

#[test]
fn a_finished_sweep_resumes_to_itself_without_training() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("done");
    tiny_sweep(&out);
    let before = files(&out);
    let o = resume(&out);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("resuming: 2 finished run(s) kept, 0 to train"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("started on"),
        "a run trained again: {stdout}"
    );
    assert_unchanged(&before, &files(&out));
}

#[test]
fn a_changed_config_or_data_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    tiny_sweep(&out);
    // An interrupted run, so that a resume would have something to train.
    std::fs::remove_file(out.join("exposure_entropy_lambda-1_seed-5/summary.json")).unwrap();
    let before = files(&out);
    let dir = out.to_str().unwrap();

    // The stored experiment edited: one more epoch.
    let stored = out.join("experiment.yaml");
    let original = std::fs::read_to_string(&stored).unwrap();
    std::fs::write(&stored, original.replace("epochs: 3", "epochs: 4")).unwrap();
    let o = resume(&out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    for needle in [
        "the config changed",
        "lambda-0_seed-5",
        "'epochs: 3' stored, 'epochs: 4' now",
    ] {
        assert!(stderr.contains(needle), "expected '{needle}' in: {stderr}");
    }
    std::fs::write(&stored, &original).unwrap();

    // Another file named with --run: a different learning rate.
    let other = tmp.path().join("tiny.yaml");
    let tiny = std::fs::read_to_string(crate::support::repo("tests/fixtures/tiny.yaml")).unwrap();
    assert!(tiny.contains("learning_rate: 0.02"));
    std::fs::write(
        &other,
        tiny.replace("learning_rate: 0.02", "learning_rate: 0.03"),
    )
    .unwrap();
    let stderr = recsweep_refused(&["--run", other.to_str().unwrap(), "--resume", dir]);
    assert!(
        stderr.contains("'learning_rate: 0.02' stored, 'learning_rate: 0.03' now"),
        "{stderr}"
    );

    // The backend: the sweep trained on the CPU.
    let stderr = recsweep_refused(&["--resume", dir, "--backend", "wgpu"]);
    assert!(stderr.contains("must not mix backends"), "{stderr}");

    // --resume with --out is a usage error.
    let o = recsweep(&["--resume", dir, "--out", "elsewhere"]);
    assert_eq!(o.status.code(), Some(2));

    // Nothing was written by any of the refusals.
    assert_unchanged(&before, &files(&out));

    // The same config resumes: the removed run trains again, the other is kept.
    let o = resume(&out);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("resuming: 1 finished run(s) kept, 1 to train"),
        "{stdout}"
    );
    assert!(
        out.join("exposure_entropy_lambda-1_seed-5/summary.json")
            .is_file()
    );
}

#[test]
fn ctrl_c_leaves_finished_runs_whole_and_the_rest_interrupted_and_resume_finishes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("killed.yaml");
    std::fs::write(&yaml, SWEEP).unwrap();
    let out = tmp.path().join("out");
    let mut child = spawn_sweep(&yaml, &out);
    // Once the first runs are training (metrics.csv written), as a user would press Ctrl-C.
    let started = std::time::Instant::now();
    while !out.join("lambda-0_seed-3/metrics.csv").is_file() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no run started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "a stopped sweep exits 1");
    let mut files = 0;
    crate::kill::check_tree(&out, &mut files);
    let mut interrupted = 0;
    for run in crate::support::run_ids(&out) {
        let path = out.join(&run).join("summary.json");
        if !path.is_file() {
            continue; // never started: the stop came first
        }
        let s = crate::support::summary(&out, &run);
        match s.status.as_str() {
            "finished" => assert!(out.join(&run).join("per_user.csv").is_file(), "{run}"),
            "interrupted" => interrupted += 1,
            other => panic!("{run}: {other}"),
        }
    }
    assert!(interrupted >= 1, "no run was interrupted");
    let o = resume(&out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for run in crate::support::run_ids(&out) {
        assert_eq!(
            crate::support::summary(&out, &run).status.as_str(),
            "finished",
            "{run}"
        );
    }
}

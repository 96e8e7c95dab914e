//! `recsweep slurm`: the prepared sweep and its job-array scripts, run here as Slurm would run
//! them (each array task a process with its `SLURM_ARRAY_TASK_ID`, all at once, then the
//! finalize job): the store they fill without a coordinator equals the same sweep run with
//! `--run` (timings apart), and so do its figures, byte for byte. And the same through a real Slurm when one answers (`sinfo`;
//! `scripts/slurm-local.sh` starts a one-node cluster, as `.ci/run` does): submitted with
//! `--submit`, waited for, compared the same way.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::kill::SWEEP;
use crate::support::recsweep;

/// Runs an sbatch script with bash as Slurm would for array task `task`.
fn run_task(script: &Path, task: Option<usize>) -> std::process::Child {
    let mut cmd = Command::new("bash");
    cmd.arg(script).stdout(Stdio::null()).stderr(Stdio::piped());
    if let Some(t) = task {
        cmd.env("SLURM_ARRAY_TASK_ID", t.to_string());
    }
    cmd.spawn().unwrap()
}

/// The sweep of [`SWEEP`] run with `--run` under `tmp`: its YAML and its directory.
fn whole_sweep(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let yaml = tmp.join("killed.yaml");
    std::fs::write(&yaml, SWEEP).unwrap();
    let whole = tmp.join("whole");
    let o = recsweep(&[
        "--run",
        yaml.to_str().unwrap(),
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    (yaml, whole)
}

/// The figures of two sweeps, byte for byte (nothing in them depends on timings).
fn assert_same_figures(expected: &Path, got: &Path) {
    let names: Vec<_> = std::fs::read_dir(expected.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        let a = std::fs::read(expected.join("plots").join(&name)).unwrap();
        let b = std::fs::read(got.join("plots").join(&name)).unwrap_or_default();
        assert!(a == b, "figure {name:?} differs");
    }
}

fn wait_ok(child: std::process::Child, what: &str) {
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn array_tasks_writing_one_store_at_once_give_the_sweep_run_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let (yaml, whole) = whole_sweep(tmp.path());

    let dir = tmp.path().join("cluster");
    let o = recsweep(&[
        "slurm",
        yaml.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--partition",
        "gpu",
        "--cpus",
        "2",
        "--concurrency",
        "3",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("4 runs to submit, nothing trained yet"),
        "{stdout}"
    );
    let slurm = dir.join("slurm");
    let train = std::fs::read_to_string(slurm.join("train.sbatch")).unwrap();
    assert!(train.contains("#SBATCH --array=0-2%3"), "{train}");
    assert!(train.contains("#SBATCH --partition=gpu") && train.contains("--backend cpu"));
    assert!(
        !dir.join("lambda-0_seed-3/summary.json").exists(),
        "nothing trains when preparing"
    );

    // The three trained runs at once, as three array tasks on three nodes.
    let tasks: Vec<_> = (0..3)
        .map(|t| run_task(&slurm.join("train.sbatch"), Some(t)))
        .collect();
    for (t, child) in tasks.into_iter().enumerate() {
        wait_ok(child, &format!("train task {t}"));
    }
    assert!(
        !dir.join("front.csv").exists(),
        "tasks leave the sweep-level files alone"
    );
    wait_ok(
        run_task(&slurm.join("rerank.sbatch"), Some(0)),
        "rerank task",
    );
    wait_ok(run_task(&slurm.join("finalize.sbatch"), None), "finalize");

    // The same store as the sweep run in one process (the scripts and logs aside).
    let without_scripts = tmp.path().join("compared");
    crate::support::copy_dir(&dir, &without_scripts);
    std::fs::remove_dir_all(without_scripts.join("slurm")).unwrap();
    crate::resume::assert_same_sweep(&whole, &without_scripts, "through the Slurm scripts");
    assert_same_figures(&whole, &dir);

    // A run lost (its task failed): `slurm --resume` submits that run alone, again.
    std::fs::remove_file(dir.join("exposure_entropy_lambda-0.1_seed-3/summary.json")).unwrap();
    let o = recsweep(&["slurm", "--resume", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("1 runs to submit"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(slurm.join("runs.txt")).unwrap(),
        "exposure_entropy_lambda-0.1_seed-3\n"
    );
    assert!(
        !slurm.join("rerank.txt").exists()
            || std::fs::read_to_string(slurm.join("rerank.txt"))
                .unwrap()
                .is_empty()
    );
    wait_ok(
        run_task(&slurm.join("train.sbatch"), Some(0)),
        "the resubmitted task",
    );
    wait_ok(run_task(&slurm.join("finalize.sbatch"), None), "finalize");
    std::fs::remove_dir_all(&slurm).unwrap();
    crate::resume::assert_same_sweep(&whole, &dir, "after a resubmitted run");
}

#[test]
fn a_sweep_submitted_to_a_real_slurm_equals_the_same_sweep_run_with_run() {
    let up = Command::new("sinfo")
        .args(["-h", "-o", "%T"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !up {
        eprintln!("no Slurm cluster answers (scripts/slurm-local.sh starts one): not run");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (yaml, whole) = whole_sweep(tmp.path());

    let dir = tmp.path().join("cluster");
    let started = std::time::Instant::now();
    let o = recsweep(&[
        "slurm",
        yaml.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--cpus",
        "1",
        "--time",
        "00:10:00",
        "--submit",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // "submitted: train 12, rerank 13, finalize 14"
    let line = stdout
        .lines()
        .find(|l| l.starts_with("submitted:"))
        .unwrap();
    let jobs: Vec<String> = line
        .split([',', ' '])
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    assert_eq!(jobs.len(), 3, "{line}");
    loop {
        let q = Command::new("squeue")
            .args(["-h", "-j", &jobs.join(",")])
            .output()
            .unwrap();
        if q.stdout.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(600),
            "the jobs did not end: {}",
            String::from_utf8_lossy(&q.stdout)
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    eprintln!(
        "slurm round trip (prepare, submit, 3 array tasks, 1 re-rank task, finalize): {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let logs = dir.join("slurm/logs");
    let finalize = std::fs::read_dir(&logs)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().contains("finalize"));
    assert!(
        finalize.is_some(),
        "the finalize job left no log in {}",
        logs.display()
    );
    std::fs::remove_dir_all(dir.join("slurm")).unwrap();
    crate::resume::assert_same_sweep(&whole, &dir, "through Slurm");
    assert_same_figures(&whole, &dir);
}

#[test]
fn a_gpu_sweep_finalizes_on_a_node_without_its_backend() {
    // Prepared for GPU nodes (backend auto with --gpus: wgpu), finalized here, where `auto`
    // would pick the CPU: finalize trains nothing and keeps the sweep's backend.
    let tmp = tempfile::tempdir().unwrap();
    let tiny = std::fs::read_to_string(crate::support::repo("tests/fixtures/tiny.yaml")).unwrap();
    assert!(tiny.contains("backend: cpu"));
    let yaml = tmp.path().join("auto.yaml");
    std::fs::write(&yaml, tiny.replace("backend: cpu", "backend: auto")).unwrap();
    let dir = tmp.path().join("gpu");
    let o = recsweep(&[
        "slurm",
        yaml.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--gpus",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let train = std::fs::read_to_string(dir.join("slurm/train.sbatch")).unwrap();
    assert!(
        train.contains("--backend wgpu") && train.contains("--gres=gpu:1"),
        "{train}"
    );
    let o = recsweep(&["finalize", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("must not mix backends"), "{stderr}");
    assert_ne!(o.status.code(), Some(2), "{stderr}");
}

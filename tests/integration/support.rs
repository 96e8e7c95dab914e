//! Helpers shared by the test modules: repository paths, the real binary, the run store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use recsweep::metrics::MetricKey;
use recsweep::store::RunSummary;

/// A metric key from its name on disk (`ndcg@10`).
pub fn key(name: &str) -> MetricKey {
    name.parse().unwrap()
}

/// A path inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the `recsweep` binary with `args` from the repository root.
pub fn recsweep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recsweep"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running recsweep")
}

/// Runs the `recsweep` binary with `args`, asserts it exited 0 (showing its output if not),
/// and returns its stdout.
pub fn recsweep_ok(args: &[&str]) -> String {
    let o = recsweep(args);
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

/// `DIR/<run>/summary.json`.
pub fn summary(dir: &Path, run: &str) -> RunSummary {
    let text = std::fs::read_to_string(dir.join(run).join("summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `DIR/sweep.json` as JSON.
pub fn sweep_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap()
}

/// The run ids listed in `DIR/sweep.json`, in order.
pub fn run_ids(dir: &Path) -> Vec<String> {
    sweep_json(dir)["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap().to_string())
        .collect()
}

/// Copies the directory tree `from` into `to` (created).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

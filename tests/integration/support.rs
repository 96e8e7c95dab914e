//! Helpers shared by the test modules: repository paths, the real binary, the run store, the
//! Python of the cross-checks.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

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

/// Starts `recsweep --run yaml --out out` in the background, its output discarded, for tests
/// that watch or kill a sweep while it runs.
pub fn spawn_sweep(yaml: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_recsweep"))
        .arg("--run")
        .arg(yaml)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting recsweep")
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

/// Runs the `recsweep` binary with `args`, asserts it refused them (exit 2, showing its
/// stderr if not), and returns its stderr.
pub fn recsweep_refused(args: &[&str]) -> String {
    let o = recsweep(args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    stderr
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

/// What the Python cross-checks import, and the PyPI packages that provide it (pytrec_eval
/// from `pytrec-eval-terrier`, which ships wheels; the original `pytrec_eval` needs a
/// compiler). `.ci/run` installs the same list.
const PYTHON_IMPORTS: &str = "import numpy, sklearn, scipy, pytrec_eval";
const PYTHON_PACKAGES: [&str; 4] = ["numpy", "scikit-learn", "scipy", "pytrec-eval-terrier"];

/// The Python of the cross-checks: `RECSWEEP_PYTHON`, else the venv `.ci/run` makes at
/// `~/.cache/recsweep-venv`, which is created or completed with pip (PyPI) when it cannot
/// import [`PYTHON_IMPORTS`]. Set up once per test binary, so cross-checks running in
/// parallel do not both run pip.
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(set_up_python).clone()
}

fn set_up_python() -> PathBuf {
    if let Ok(p) = std::env::var("RECSWEEP_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let venv = Path::new(&home).join(".cache/recsweep-venv");
    let py = venv.join("bin/python");
    let ready = py.is_file()
        && Command::new(&py)
            .args(["-c", PYTHON_IMPORTS])
            .status()
            .is_ok_and(|s| s.success());
    if !ready {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&py)
                .args(["-m", "pip", "install", "-q"])
                .args(PYTHON_PACKAGES)
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            ok,
            "could not set up {} with {}",
            venv.display(),
            PYTHON_PACKAGES.join(", ")
        );
    }
    py
}

/// Runs the cross-check script `tests/<script>` on the case directory `dir` and asserts that
/// it exited 0 and printed "all agree"; returns its stdout.
pub fn python_crosscheck(script: &str, dir: &Path) -> String {
    let out = Command::new(python())
        .arg(repo("tests").join(script))
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("all agree"), "{stdout}");
    stdout
}

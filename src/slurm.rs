//! `recsweep slurm FILE --out DIR`: a sweep as Slurm job arrays, with no scheduler of
//! recsweep's own. The sweep's directory is prepared first (sweep.json, experiment.yaml, each
//! run's config.yaml, on a shared file system); then
//!
//! - `DIR/slurm/train.sbatch`: one array task per trained run (`runs.txt`, line = task + 1),
//!   each `recsweep --resume DIR --only ID`: it writes its own run directory, atomically, and
//!   nothing else, so tasks on any node merge into one store without a lock;
//! - `DIR/slurm/rerank.sbatch` (sweeps with re-rankers): one task per re-ranking run
//!   (`rerank.txt`), after the trained runs (their baselines' candidates);
//! - `DIR/slurm/finalize.sbatch`: `recsweep finalize DIR`, after all of them: the comparisons,
//!   fronts, choice, gates and figures from whatever runs finished;
//! - `DIR/slurm/submit.sh`: submits the three with `sbatch --parsable` and the dependencies
//!   (`afterany`, so that one failed run does not cancel the finalize), and prints the job ids.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::{Backend, RunMethod, RunSpec};

/// Where and how the array tasks run (`recsweep slurm`'s flags).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    pub partition: Option<String>,
    /// `--time`, Slurm's `[D-]HH:MM:SS`.
    pub time: String,
    pub cpus_per_task: u32,
    pub gpus_per_task: u32,
    /// At most this many array tasks at once (`--array=…%N`).
    pub concurrency: Option<u32>,
    /// `--mem`, e.g. `16G`.
    pub mem: Option<String>,
}

/// What every script of one sweep shares.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The recsweep binary the tasks run (on the shared file system).
    pub recsweep: &'a Path,
    pub experiment: &'a str,
    /// The sweep's directory.
    pub dir: &'a Path,
    /// The backend every task is forced to (the one `sweep.json` records).
    pub backend: Backend,
    pub spec: &'a ClusterSpec,
}

/// The files of `DIR/slurm/`: (name, contents, executable).
pub fn scripts(t: Target<'_>, runs: &[RunSpec]) -> Vec<(String, String, bool)> {
    let (recsweep, experiment, dir, spec) = (t.recsweep, t.experiment, t.dir, t.spec);
    let (rerank, train): (Vec<&RunSpec>, Vec<&RunSpec>) = runs
        .iter()
        .partition(|r| matches!(r.method, RunMethod::Rerank { .. }));
    let slurm = dir.join("slurm");
    let ids = |runs: &[&RunSpec]| {
        runs.iter()
            .map(|r| format!("{}\n", r.id))
            .collect::<String>()
    };
    let mut files = vec![
        ("runs.txt".to_string(), ids(&train), false),
        (
            "train.sbatch".to_string(),
            array_script(t, &slurm.join("runs.txt"), train.len(), "train"),
            false,
        ),
    ];
    if !rerank.is_empty() {
        files.push(("rerank.txt".to_string(), ids(&rerank), false));
        files.push((
            "rerank.sbatch".to_string(),
            array_script(t, &slurm.join("rerank.txt"), rerank.len(), "rerank"),
            false,
        ));
    }
    files.push((
        "finalize.sbatch".to_string(),
        finalize_script(recsweep, experiment, dir, spec),
        false,
    ));
    files.push((
        "submit.sh".to_string(),
        submit_script(&slurm, !rerank.is_empty()),
        true,
    ));
    files
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

fn header(out: &mut String, name: &str, dir: &Path, spec: &ClusterSpec, cpus: u32, gpus: u32) {
    out.push_str("#!/usr/bin/env bash\n");
    let _ = writeln!(out, "#SBATCH --job-name={name}");
    if let Some(p) = &spec.partition {
        let _ = writeln!(out, "#SBATCH --partition={p}");
    }
    let _ = writeln!(out, "#SBATCH --time={}", spec.time);
    let _ = writeln!(out, "#SBATCH --cpus-per-task={cpus}");
    if gpus > 0 {
        let _ = writeln!(out, "#SBATCH --gres=gpu:{gpus}");
    }
    if let Some(m) = &spec.mem {
        let _ = writeln!(out, "#SBATCH --mem={m}");
    }
    let logs = dir.join("slurm").join("logs");
    let _ = writeln!(out, "#SBATCH --output={}/%x-%A_%a.out", logs.display());
}

fn array_script(t: Target<'_>, list: &Path, tasks: usize, what: &str) -> String {
    let (recsweep, experiment, dir, backend, spec) =
        (t.recsweep, t.experiment, t.dir, t.backend, t.spec);
    let mut out = String::new();
    header(
        &mut out,
        &format!("recsweep-{experiment}-{what}"),
        dir,
        spec,
        spec.cpus_per_task,
        spec.gpus_per_task,
    );
    let limit = spec.concurrency.map_or(String::new(), |n| format!("%{n}"));
    let _ = writeln!(out, "#SBATCH --array=0-{}{limit}", tasks.saturating_sub(1));
    let _ = writeln!(
        out,
        "# One run of the sweep per array task: the run id on line (task + 1) of {}.",
        list.display()
    );
    out.push_str("set -euo pipefail\n");
    let _ = writeln!(
        out,
        "ID=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {})",
        quote(list)
    );
    let _ = writeln!(
        out,
        "exec {} --resume {} --only \"$ID\" --backend {} --parallel 1",
        quote(recsweep),
        quote(dir),
        backend_flag(backend)
    );
    out
}

fn backend_flag(backend: Backend) -> &'static str {
    match backend {
        Backend::Wgpu => "wgpu",
        Backend::Cpu => "cpu",
        Backend::Auto => "auto",
    }
}

fn finalize_script(recsweep: &Path, experiment: &str, dir: &Path, spec: &ClusterSpec) -> String {
    let mut out = String::new();
    let cpu_only = ClusterSpec {
        gpus_per_task: 0,
        ..spec.clone()
    };
    header(
        &mut out,
        &format!("recsweep-{experiment}-finalize"),
        dir,
        &cpu_only,
        1,
        0,
    );
    out.push_str("# The sweep-level files (comparisons, fronts, choice, gates, figures) from the runs that finished.\n");
    out.push_str("set -euo pipefail\n");
    let _ = writeln!(out, "exec {} finalize {}", quote(recsweep), quote(dir));
    out
}

fn submit_script(slurm: &Path, rerank: bool) -> String {
    let mut out = String::from(
        "#!/usr/bin/env bash\n# Submits the sweep's job arrays and its finalize job, and prints their ids.\nset -euo pipefail\n",
    );
    let _ = writeln!(out, "cd {}", quote(slurm));
    out.push_str("mkdir -p logs\n");
    out.push_str("train=$(sbatch --parsable train.sbatch)\n");
    out.push_str("after=\"$train\"\n");
    if rerank {
        out.push_str(
            "rerank=$(sbatch --parsable --dependency=afterany:\"$train\" rerank.sbatch)\nafter=\"$train:$rerank\"\n",
        );
    }
    out.push_str("final=$(sbatch --parsable --dependency=afterany:\"$after\" finalize.sbatch)\n");
    if rerank {
        out.push_str("echo \"submitted: train $train, rerank $rerank, finalize $final\"\n");
    } else {
        out.push_str("echo \"submitted: train $train, finalize $final\"\n");
    }
    out
}

/// Writes the scripts into `DIR/slurm/` (the logs folder too); returns their paths.
pub fn write(files: &[(String, String, bool)], dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let slurm = dir.join("slurm");
    std::fs::create_dir_all(slurm.join("logs"))?;
    // A resubmission without re-ranking runs leaves no earlier re-rank array behind.
    for stale in ["rerank.txt", "rerank.sbatch"] {
        if !files.iter().any(|(name, _, _)| name == stale) {
            match std::fs::remove_file(slurm.join(stale)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
    }
    let mut written = Vec::new();
    for (name, text, executable) in files {
        let path = slurm.join(name);
        crate::store::write_atomic(&path, text.as_bytes())?;
        #[cfg(unix)]
        if *executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ClusterSpec {
        ClusterSpec {
            partition: Some("gpu".into()),
            time: "01:00:00".into(),
            cpus_per_task: 4,
            gpus_per_task: 1,
            concurrency: Some(8),
            mem: Some("16G".into()),
        }
    }

    #[test]
    fn an_array_task_per_run_and_rerankers_after_their_baselines() {
        let runs = vec![
            RunSpec::new(0.0, 1),
            RunSpec::new(0.5, 1),
            RunSpec::with_method(
                RunMethod::Rerank {
                    method: crate::rerank::RerankMethod::Mmr,
                    theta: 0.5,
                },
                0.0,
                1,
            ),
        ];
        let spec = spec();
        let files = scripts(
            Target {
                recsweep: Path::new("/opt/recsweep"),
                experiment: "exp",
                dir: Path::new("/shared/sweep"),
                backend: Backend::Wgpu,
                spec: &spec,
            },
            &runs,
        );
        let file = |name: &str| &files.iter().find(|f| f.0 == name).unwrap().1;
        assert_eq!(
            file("runs.txt"),
            "lambda-0_seed-1\nexposure_entropy_lambda-0.5_seed-1\n"
        );
        assert_eq!(file("rerank.txt"), "mmr_theta-0.5_seed-1\n");
        let train = file("train.sbatch");
        for needle in [
            "#SBATCH --array=0-1%8",
            "#SBATCH --partition=gpu",
            "#SBATCH --gres=gpu:1",
            "#SBATCH --cpus-per-task=4",
            "#SBATCH --mem=16G",
            "#SBATCH --time=01:00:00",
            "exec '/opt/recsweep' --resume '/shared/sweep' --only \"$ID\" --backend wgpu --parallel 1",
        ] {
            assert!(
                train.contains(needle),
                "train.sbatch lacks '{needle}':\n{train}"
            );
        }
        assert!(file("rerank.sbatch").contains("#SBATCH --array=0-0%8"));
        let finalize = file("finalize.sbatch");
        assert!(finalize.contains("exec '/opt/recsweep' finalize '/shared/sweep'"));
        assert!(!finalize.contains("--gres"), "{finalize}");
        let submit = file("submit.sh");
        assert!(submit.contains("--dependency=afterany:\"$train\" rerank.sbatch"));
        assert!(submit.contains("--dependency=afterany:\"$after\" finalize.sbatch"));
        assert!(
            files.iter().find(|f| f.0 == "submit.sh").unwrap().2,
            "submit.sh is executable"
        );
    }

    #[test]
    fn paths_with_quotes_stay_one_word() {
        assert_eq!(quote(Path::new("/a b/it's")), "'/a b/it'\\''s'");
    }
}

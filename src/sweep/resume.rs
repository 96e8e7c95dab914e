//! `--resume DIR`: what of a stored sweep is finished, what must train again, and whether the
//! experiment it would train with is the one the sweep was made from.
//!
//! The experiment is `DIR/experiment.yaml` (the whole resolved experiment, written when the
//! sweep started), or a file the caller names. Either way every run's `config.yaml` must be
//! exactly what that experiment would write for the run now: a config that changed is refused,
//! so a resumed sweep never mixes two experiments. Finished runs are read back (summary,
//! per-user table, a baseline's candidates for its re-rankers); every other run (failed,
//! interrupted, killed or never started) trains again from scratch, its stale files removed
//! first. A finished baseline whose candidates were not stored trains again when one of its
//! re-rankers has to run.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::DeviceChoice;
use crate::config::{self, EvalSplit, Experiment, RunSpec};
use crate::data::{Dataset, PreparedSplit};
use crate::events::{Candidates, RunStatus};
use crate::store::{self, IdIndex, RunSummary, SweepManifest};

use super::SweepError;

/// The experiment a sweep directory is resumed with: `file` when given (it must match the
/// sweep, which [`Resumed::read`] checks), else the stored `experiment.yaml`, else (sweeps
/// written before it was stored) the file `sweep.json` names.
pub fn experiment(dir: &Path, file: Option<&Path>) -> Result<Experiment, SweepError> {
    let manifest = read_manifest(dir)?;
    let stored = dir.join(store::EXPERIMENT_FILE);
    let path = match file {
        Some(f) => f.to_path_buf(),
        None if stored.is_file() => stored,
        None => manifest.file.clone(),
    };
    Ok(config::load(&path)?)
}

fn refuse(dir: &Path, reason: impl Into<String>) -> SweepError {
    SweepError::Resume {
        dir: dir.to_path_buf(),
        reason: reason.into(),
    }
}

fn read_manifest(dir: &Path) -> Result<SweepManifest, SweepError> {
    let path = dir.join("sweep.json");
    store::read_manifest(dir).map_err(|e| match e {
        store::StoreError::NotASweep { .. } => refuse(
            dir,
            format!("cannot read '{}': not a sweep directory", path.display()),
        ),
        store::StoreError::Unreadable { message, .. } => refuse(
            dir,
            format!("'{}' is not a sweep manifest: {message}", path.display()),
        ),
        other => refuse(dir, other.to_string()),
    })
}

/// A stored sweep, read back for resuming.
#[derive(Debug)]
pub struct Resumed {
    /// Every run of the sweep, in `sweep.json`'s order.
    pub runs: Vec<RunSpec>,
    /// The runs to train (again), in order.
    pub to_run: Vec<RunSpec>,
    /// The finished runs kept (their per-user tables checked readable).
    pub finished: Vec<RunSummary>,
    /// Finished baselines' candidates, by seed, for the re-rankers that still have to run.
    pub candidates: HashMap<u64, Arc<Candidates>>,
    /// Runs whose `config.yaml` is missing (killed before it was written).
    pub missing_configs: Vec<RunSpec>,
}

/// The YAML below a run config's comment header (which names the file it came from).
fn body(yaml: &str) -> &str {
    let mut rest = yaml;
    while rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

/// The first line where two texts differ, as `line N: 'a' (stored) against 'b' (now)`.
fn first_difference(stored: &str, now: &str) -> String {
    let (mut a, mut b) = (stored.lines(), now.lines());
    for n in 1.. {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {n}: '{}' stored, '{}' now",
                    x.unwrap_or("").trim(),
                    y.unwrap_or("").trim()
                );
            }
        }
    }
    unreachable!("the loop returns")
}

impl Resumed {
    /// Reads the sweep in `dir` against the experiment `exp` would train now (its runs
    /// `all_runs`), the data and device picked for it.
    pub fn read(
        dir: &Path,
        exp: &Experiment,
        all_runs: &[RunSpec],
        data: &Dataset,
        splits: &HashMap<u64, Arc<PreparedSplit>>,
        device: &DeviceChoice,
    ) -> Result<Self, SweepError> {
        let manifest = read_manifest(dir)?;
        if manifest.experiment != exp.name {
            return Err(refuse(
                dir,
                format!(
                    "the sweep is of experiment '{}', the config names '{}'",
                    manifest.experiment, exp.name
                ),
            ));
        }
        if manifest.backend != device.kind {
            return Err(refuse(
                dir,
                format!(
                    "the sweep trained on the '{}' backend and this one would use '{}': a resumed sweep must not mix backends (pass --backend {})",
                    manifest.backend, device.kind, manifest.backend
                ),
            ));
        }
        let by_id: HashMap<&str, &RunSpec> = all_runs.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut runs = Vec::new();
        for m in &manifest.runs {
            let Some(run) = by_id.get(m.run_id.as_str()) else {
                return Err(refuse(
                    dir,
                    format!(
                        "the config changed: it has no run '{}' of the stored sweep (its runs: {})",
                        m.run_id,
                        all_runs
                            .iter()
                            .map(|r| r.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            runs.push((*run).clone());
        }
        let mut missing_configs = Vec::new();
        for run in &runs {
            let path = dir.join(&run.id).join("config.yaml");
            match std::fs::read_to_string(&path) {
                Ok(stored) => {
                    let now = exp.run_config_yaml(run);
                    if body(&stored) != body(&now) {
                        return Err(refuse(
                            dir,
                            format!(
                                "the config changed since run '{}' was written ({}, in '{}'): start a new sweep, or resume with the config it was made from",
                                run.id,
                                first_difference(body(&stored), body(&now)),
                                path.display()
                            ),
                        ));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    missing_configs.push(run.clone());
                }
                Err(e) => {
                    return Err(refuse(
                        dir,
                        format!("cannot read '{}': {e}", path.display()),
                    ));
                }
            }
        }

        let ids = IdIndex::new(data);
        let selecting = exp.data.split.monitored_split() == EvalSplit::Validation;
        let rerank_seeds_to_run = |to_run: &[RunSpec]| -> HashSet<u64> {
            to_run
                .iter()
                .filter(|r| r.base_id().is_some())
                .map(|r| r.seed)
                .collect()
        };
        let mut finished = Vec::new();
        let mut to_run = Vec::new();
        for run in &runs {
            match read_finished(dir, run, &ids, data, splits)? {
                Some(done) => finished.push(done),
                None => to_run.push(run.clone()),
            }
        }
        // The candidates of finished baselines whose re-rankers still run; a baseline without
        // stored candidates trains again.
        let mut candidates = HashMap::new();
        for seed in rerank_seeds_to_run(&to_run) {
            let base_id = RunSpec::with_method(config::RunMethod::Baseline, 0.0, seed).id;
            let Some(at) = finished
                .iter()
                .position(|s: &RunSummary| s.run_id == base_id)
            else {
                continue; // the baseline itself runs again
            };
            let path = dir.join(&base_id).join("candidates.csv");
            if path.is_file() {
                let c = store::read_candidates(&path, &ids, selecting)
                    .map_err(|e| refuse(dir, damaged(&e.to_string(), &path)))?;
                candidates.insert(seed, Arc::new(c));
            } else {
                finished.remove(at);
                if let Some(base) = runs.iter().find(|r| r.id == base_id) {
                    to_run.push(base.clone());
                }
            }
        }
        // Keep the sweep's order (a re-trained baseline starts before its re-rankers).
        let order: HashMap<&str, usize> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        to_run.sort_by_key(|r| order[r.id.as_str()]);
        Ok(Self {
            runs,
            to_run,
            finished,
            candidates,
            missing_configs,
        })
    }
}

fn damaged(error: &str, path: &Path) -> String {
    format!(
        "{error}; the store is damaged: remove '{}' and its run's summary.json to train that run again",
        path.display()
    )
}

/// A finished run read back, or `None` when it must train again. Its facts must be those of
/// the data loaded now: a data file that changed is refused; its per-user table (read again
/// when the sweep compares runs at its end) must be readable.
fn read_finished(
    dir: &Path,
    run: &RunSpec,
    ids: &IdIndex,
    data: &Dataset,
    splits: &HashMap<u64, Arc<PreparedSplit>>,
) -> Result<Option<RunSummary>, SweepError> {
    let path: PathBuf = dir.join(&run.id).join("summary.json");
    if !path.is_file() {
        return Ok(None);
    }
    let mut summary = store::read_summary(&path).map_err(|e| {
        refuse(
            dir,
            format!("{e}; remove '{}' to train that run again", path.display()),
        )
    })?;
    if summary.status != RunStatus::Finished {
        return Ok(None);
    }
    let train_pairs = splits.get(&run.seed).map_or(0, |s| s.train_pairs());
    if (summary.users, summary.items, summary.train_pairs)
        != (data.n_users(), data.n_items(), train_pairs)
    {
        return Err(refuse(
            dir,
            format!(
                "the data changed: run '{}' trained on {} users, {} items, {} training pairs; the data now gives {}, {}, {}",
                run.id,
                summary.users,
                summary.items,
                summary.train_pairs,
                data.n_users(),
                data.n_items(),
                train_pairs
            ),
        ));
    }
    // The sweep-level comparisons are made again over every run at the end.
    summary.versus_lambda0.clear();
    summary.across_seeds.clear();
    let per_user_path = dir.join(&run.id).join("per_user.csv");
    if !summary.test.is_empty() {
        store::read_per_user(&per_user_path, ids)
            .map_err(|e| refuse(dir, damaged(&e.to_string(), &per_user_path)))?;
    }
    Ok(Some(summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_skips_the_comment_header() {
        assert_eq!(body("# a\n# b\nname: x\n"), "name: x\n");
        assert_eq!(body("name: x\n"), "name: x\n");
        assert_eq!(body("# only\n"), "");
    }

    #[test]
    fn the_first_difference_names_the_line_and_both_values() {
        let d = first_difference("a: 1\nb: 2\n", "a: 1\nb: 3\n");
        assert_eq!(d, "line 2: 'b: 2' stored, 'b: 3' now");
        let d = first_difference("a: 1\n", "a: 1\nc: 4\n");
        assert_eq!(d, "line 2: '' stored, 'c: 4' now");
    }
}

//! The run store as the workbench browses it: every stored sweep of every experiment
//! (`runs/<experiment>/<sweep>/`) listed with its runs' statuses, one sweep opened (its runs
//! replayed from disk through the [`Watcher`], so a stored sweep fills the same table and
//! charts as a live one), two sweeps read for a comparison, and a file shown as text.
//!
//! These are the runtime's I/O: `update` only asks for them (effects) and receives their
//! results (messages).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::watch::Watcher;
use crate::compare::sweeps::SweepDiff;
use crate::config::{CurveKeys, ExperimentInfo};
use crate::events::{RunEvent, RunStatus};
use crate::metrics::MetricKey;
use crate::store::{self, ManifestRun};

/// A stored sweep in the browser's list.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepListing {
    pub dir: PathBuf,
    pub experiment: String,
    /// The sweep directory's name (a UTC time stamp for sweeps the workbench launched).
    pub name: String,
    pub runs: usize,
    pub finished: usize,
    pub failed: usize,
    /// Stopped or killed runs have no summary, or an `interrupted` one: neither counted above.
    pub unfinished: usize,
}

impl SweepListing {
    /// `experiment/name`, as the list and the comparison show it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.experiment, self.name)
    }
}

#[derive(Deserialize)]
struct StatusOnly {
    status: RunStatus,
}

/// Every sweep under `root` (`root/<experiment>/<sweep>/sweep.json`), newest first (directory
/// names are UTC time stamps; ties by experiment). A directory without a readable manifest is
/// not a sweep and is left out.
pub fn list_sweeps(root: &Path) -> Vec<SweepListing> {
    let subdirs = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out: Vec<SweepListing> = subdirs(root)
        .iter()
        .flat_map(|exp| subdirs(exp))
        .filter_map(|dir| {
            let manifest = store::read_manifest(&dir).ok()?;
            let (mut finished, mut failed) = (0, 0);
            for r in &manifest.runs {
                let path = dir.join(&r.run_id).join("summary.json");
                let status = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|t| serde_json::from_str::<StatusOnly>(&t).ok())
                    .map(|s| s.status);
                match status {
                    Some(RunStatus::Finished) => finished += 1,
                    Some(RunStatus::Failed) => failed += 1,
                    _ => {}
                }
            }
            let name = dir.file_name()?.to_string_lossy().into_owned();
            Some(SweepListing {
                experiment: manifest.experiment.clone(),
                name,
                runs: manifest.runs.len(),
                finished,
                failed,
                unfinished: manifest.runs.len() - finished - failed,
                dir,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.name
            .cmp(&a.name)
            .then_with(|| a.experiment.cmp(&b.experiment))
    });
    out
}

/// A stored sweep as the workbench shows it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub dir: PathBuf,
    pub info: ExperimentInfo,
    /// Every run of the manifest, in its order.
    pub runs: Vec<ManifestRun>,
    /// What is on disk, as the events a live sweep would have sent.
    pub events: Vec<RunEvent>,
}

/// Reads the sweep in `dir`: its manifest, and every run's epochs and summary.
pub fn open(dir: &Path) -> Result<Opened, String> {
    let manifest = store::read_manifest(dir).map_err(|e| e.to_string())?;
    let curves = manifest.curve_keys().unwrap_or(CurveKeys {
        auc: MetricKey::AUC,
        coverage: manifest.plots.diversity,
    });
    let mut watcher = Watcher::new(
        dir.to_path_buf(),
        manifest
            .runs
            .iter()
            .map(|r| (r.run_id.clone(), 0))
            .collect(),
    );
    let events = watcher.poll();
    let epochs = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Started { epochs, .. } => Some(*epochs),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut lambdas: Vec<f64> = Vec::new();
    for r in &manifest.runs {
        if !lambdas.contains(&r.lambda) {
            lambdas.push(r.lambda);
        }
    }
    let info = ExperimentInfo {
        name: manifest.experiment.clone(),
        runs: manifest.runs.len(),
        lambdas,
        epochs,
        relevance: manifest.plots.relevance,
        diversity: manifest.plots.diversity,
        curves,
    };
    Ok(Opened {
        dir: dir.to_path_buf(),
        info,
        runs: manifest.runs,
        events,
    })
}

/// The two sweeps' finished runs compared on `a`'s trade-off axes.
pub fn compare(a: &Path, b: &Path) -> Result<SweepDiff, String> {
    let read = |dir: &Path| store::read_sweep(dir).map_err(|e| e.to_string());
    let (sa, sb) = (read(a)?, read(b)?);
    let label = |s: &store::StoredSweep| {
        let name = s
            .dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        format!("{}/{name}", s.manifest.experiment)
    };
    let (ra, rb) = (sa.summaries(), sb.summaries());
    Ok(SweepDiff::new(
        (&label(&sa), &ra),
        (&label(&sb), &rb),
        sa.manifest.plots.relevance,
        sa.manifest.plots.diversity,
    ))
}

/// The largest file the text view reads (a run's config is a few KiB).
const TEXT_LIMIT: u64 = 1 << 20;

/// A text file for the text view, refused when larger than 1 MiB or not UTF-8.
pub fn read_text(path: &Path) -> Result<String, String> {
    let quoted = || format!("'{}'", path.display());
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", quoted()))?;
    if meta.len() > TEXT_LIMIT {
        return Err(format!(
            "{} is {} bytes: too large to show (at most 1 MiB)",
            quoted(),
            meta.len()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", quoted()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stored-sweep")
    }

    /// `root/<experiment>/<name>` holding a copy of the fixture sweep.
    fn copy_fixture(root: &Path, experiment: &str, name: &str) -> PathBuf {
        let to = root.join(experiment).join(name);
        let copy = |from: &Path, to: &Path| {
            for entry in walk(from) {
                let rel = entry.strip_prefix(from).unwrap();
                let dest = to.join(rel);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::copy(&entry, &dest).unwrap();
            }
        };
        copy(&fixture(), &to);
        to
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn listing_finds_every_sweep_newest_first_with_its_statuses() {
        let root = tempfile::tempdir().unwrap();
        copy_fixture(root.path(), "tiny", "2026-01-01T00-00-00Z");
        let newer = copy_fixture(root.path(), "tiny", "2026-02-01T00-00-00Z");
        // The newer sweep's λ = 1 run failed; a third sweep of another experiment lost a
        // summary (killed); a directory without a manifest is no sweep.
        let summary = newer.join("lambda-1_seed-5/summary.json");
        let text = std::fs::read_to_string(&summary)
            .unwrap()
            .replace("\"finished\"", "\"failed\"");
        std::fs::write(&summary, text).unwrap();
        let other = copy_fixture(root.path(), "other", "2026-01-15T00-00-00Z");
        std::fs::remove_file(other.join("lambda-0_seed-5/summary.json")).unwrap();
        std::fs::create_dir_all(root.path().join("tiny/not-a-sweep")).unwrap();

        let list = list_sweeps(root.path());
        let seen: Vec<(String, usize, usize, usize)> = list
            .iter()
            .map(|s| (s.name.clone(), s.finished, s.failed, s.unfinished))
            .collect();
        assert_eq!(
            seen,
            [
                ("2026-02-01T00-00-00Z".to_string(), 1, 1, 0),
                ("2026-01-15T00-00-00Z".into(), 1, 0, 1),
                ("2026-01-01T00-00-00Z".into(), 2, 0, 0),
            ]
        );
        // The experiment comes from the manifest, not the directory name.
        assert_eq!(list[1].label(), "tiny/2026-01-15T00-00-00Z");
        assert!(list_sweeps(&root.path().join("missing")).is_empty());
    }

    #[test]
    fn opening_replays_the_store_as_run_events() {
        let o = open(&fixture()).unwrap();
        assert_eq!(o.info.name, "tiny");
        assert_eq!(o.runs.len(), 2);
        assert_eq!(o.info.relevance.to_string(), "ndcg@5");
        let finished = o
            .events
            .iter()
            .filter(|e| matches!(e, RunEvent::Finished { .. }))
            .count();
        let epochs = o
            .events
            .iter()
            .filter(|e| matches!(e, RunEvent::Epoch { .. }))
            .count();
        assert_eq!(finished, 2);
        // As many epoch events as metrics.csv rows.
        let rows: usize = ["lambda-0_seed-5", "lambda-1_seed-5"]
            .iter()
            .map(|id| {
                std::fs::read_to_string(fixture().join(id).join("metrics.csv"))
                    .unwrap()
                    .lines()
                    .count()
                    - 1
            })
            .sum();
        assert_eq!(epochs, rows);
        assert!(o.info.epochs > 0);
        let e = open(Path::new("/nonexistent/sweep")).unwrap_err();
        assert!(e.contains("sweep.json"), "{e}");
    }

    #[test]
    fn a_sweep_compared_with_itself_differs_by_nothing() {
        let d = compare(&fixture(), &fixture()).unwrap();
        assert_eq!(d.rows.len(), 2);
        for r in &d.rows {
            assert_eq!(r.relevance_delta(), Some(0.0));
            assert_eq!(r.diversity_delta(), Some(0.0));
        }
        assert_eq!(d.a_label, "tiny/stored-sweep");
    }

    #[test]
    fn text_is_read_whole_or_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.yaml");
        std::fs::write(&big, vec![b'a'; (TEXT_LIMIT + 1) as usize]).unwrap();
        let e = read_text(&big).unwrap_err();
        assert!(e.contains("big.yaml") && e.contains("too large"), "{e}");
        let e = read_text(&dir.path().join("none.yaml")).unwrap_err();
        assert!(e.contains("'") && e.contains("none.yaml"), "{e}");
        let ok = dir.path().join("ok.yaml");
        std::fs::write(&ok, "epochs: 3\n").unwrap();
        assert_eq!(read_text(&ok).unwrap(), "epochs: 3\n");
    }
}

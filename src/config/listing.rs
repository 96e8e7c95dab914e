//! The experiment files of a directory, each valid (with what the workbench and the command
//! line show of it) or with the error that names file, field and value.

use std::path::{Path, PathBuf};

use super::{CurveKeys, Experiment};
use crate::metrics::MetricKey;

/// An experiment file as listed: valid, or with the error that names file, field and value.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentEntry {
    pub path: PathBuf,
    pub status: Result<ExperimentInfo, String>,
}

/// What a listing shows of a valid experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentInfo {
    pub name: String,
    pub runs: usize,
    pub lambdas: Vec<f64>,
    pub epochs: usize,
    /// Trade-off axes (test metric keys).
    pub relevance: MetricKey,
    pub diversity: MetricKey,
    /// The keys of the per-epoch curves ([`Experiment::curve_keys`]).
    pub curves: CurveKeys,
}

impl ExperimentInfo {
    pub fn from_experiment(e: &Experiment) -> Self {
        Self {
            name: e.name.clone(),
            // Every run the sweep trains: each method's λ, the re-rankers' θ, per seed.
            runs: e.runs().len(),
            lambdas: e.lambdas.clone(),
            epochs: e.train.epochs,
            relevance: e.plots.relevance,
            diversity: e.plots.diversity,
            curves: e.curve_keys(),
        }
    }
}

impl ExperimentEntry {
    /// The experiment's name, or the file name when it is invalid.
    pub fn label(&self) -> String {
        match &self.status {
            Ok(info) => info.name.clone(),
            Err(_) => self.path.file_name().map_or_else(
                || self.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
        }
    }
}

/// Lists and validates the YAML files of `dir`, sorted by name.
pub fn load_experiments(dir: &Path) -> Vec<ExperimentEntry> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let status = super::load(&path)
                .map(|e| ExperimentInfo::from_experiment(&e))
                .map_err(|e| e.to_string());
            ExperimentEntry { path, status }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn lists_yaml_files_sorted_each_valid_or_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let good = "name: good\ndata:\n  source: synthetic\neval:\n  k: [5, 10]\nsweep:\n  lambda: [0, 1]\n  seeds: [1, 2]\n";
        std::fs::write(dir.path().join("b-good.yaml"), good).unwrap();
        std::fs::write(dir.path().join("a-bad.yml"), "name: bad\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not an experiment").unwrap();
        let entries = load_experiments(dir.path());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].label(), "a-bad.yml");
        let err = entries[0].status.as_ref().unwrap_err();
        assert!(err.contains("a-bad.yml"), "{err}");
        let info = entries[1].status.as_ref().unwrap();
        assert_eq!(entries[1].label(), "good");
        assert_eq!((info.runs, info.epochs), (4, 10));
        assert_eq!(info.relevance, MetricKey::at(Metric::Ndcg, 5));
        assert_eq!(info.diversity, MetricKey::at(Metric::Coverage, 5));
        assert_eq!(info.curves.coverage, MetricKey::at(Metric::Coverage, 5));
        assert_eq!(info.curves.auc, MetricKey::AUC);
    }
}

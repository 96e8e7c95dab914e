//! The run store: one directory per run that a paper's numbers can be traced back to.
//!
//! ```text
//! DIR/sweep.json                    experiment, runs, device
//! DIR/experiment.yaml               the resolved experiment the sweep was made from (`--resume`)
//! DIR/gates.json                    each gate held or failed (sweeps with gates)
//! DIR/<run-id>/config.yaml          the resolved config of this run alone (re-runs it)
//! DIR/<run-id>/metrics.csv          one row per epoch
//! DIR/<run-id>/summary.json         status, backend, test metrics with 95% CIs
//! DIR/<run-id>/per_user.csv         test metrics per user
//! DIR/<run-id>/recommendations.csv  user,rank,item,score (test top-K, original ids)
//! DIR/<run-id>/{metrics,per_user}.parquet  the same tables as Parquet (when the run ends;
//!                                   `front.parquet` beside `front.csv`)
//! DIR/<run-id>/candidates.csv       split,user,rank,item,score (a baseline's lists for the
//!                                   re-rankers, when the sweep re-ranks)
//! DIR/<run-id>/split/{train,validation,test,items}.csv
//! ```
//! Every file is written to a temporary name and renamed, so a reader (or a crash) never sees
//! half a file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::config::{CurveKeys, EvalSplit, PlotSettings};
use crate::data::{Dataset, PreparedSplit};
use crate::events::{
    Candidates, EpochRecord, MetricMap, PerUserTable, Recommendations, RunStatus, Selection,
};
use crate::metrics::MetricKey;

/// `summary.json` of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub experiment: String,
    /// The run's method: `baseline`, a regulariser (`exposure_entropy`, a `+`-joined mix).
    /// Sweeps written before methods were recorded read as [`legacy_method`] says.
    #[serde(default)]
    pub method: String,
    pub lambda: f64,
    /// A re-ranking run's trade-off θ (its λ is the baseline's, 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
    pub seed: u64,
    /// The seed the run's split was drawn with (absent in sweeps written before it was
    /// recorded, when it was the run's `seed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_seed: Option<u64>,
    pub backend: BackendKind,
    pub adapter: String,
    pub status: RunStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub version: String,
    pub epochs_completed: usize,
    pub epochs: usize,
    pub seconds: f64,
    /// Which split the per-epoch `val_*` columns of metrics.csv were computed on.
    pub eval_split: EvalSplit,
    pub data: String,
    pub users: usize,
    pub items: usize,
    pub train_pairs: usize,
    pub users_evaluated: usize,
    /// Test metrics (per-user means, and catalogue-level metrics such as `coverage@10`).
    pub test: MetricMap,
    /// 95% confidence intervals of the per-user test means.
    pub test_ci95: BTreeMap<MetricKey, [f64; 2]>,
    /// Paired tests across users against the λ = 0 run of the same seed, per metric.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub versus_lambda0: BTreeMap<MetricKey, PairedComparison>,
    /// Which epoch's model the test metrics are of, and why (absent in older sweeps, and
    /// for runs that did not finish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<Selection>,
    /// Validation metrics of the reported model (with a validation split); what the
    /// sweep-level `select.lambda` reads.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub validation: MetricMap,
    /// This run's (method, λ or θ) over the sweep's seeds, per test metric, with the
    /// seed-level test against λ = 0 (sweeps of two or more seeds).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub across_seeds: BTreeMap<MetricKey, AcrossSeeds>,
}

/// A (method, λ or θ) over its seeds on one test metric: each seed's run is one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcrossSeeds {
    /// Seeds with a finished run and a defined value.
    pub seeds: usize,
    pub mean: f64,
    /// 95% Student-t interval of the mean over seeds.
    pub ci95: [f64; 2],
    /// Against the λ = 0 run of each seed, paired by seed (absent for λ = 0 itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus_lambda0: Option<SeedComparison>,
}

/// A seed-level paired comparison: the unit is a seed (a fitted model), not a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedComparison {
    /// The method of the λ = 0 runs compared against (`baseline`, or the method's own).
    pub baseline_method: String,
    /// Seeds with both runs.
    pub seeds: usize,
    /// Mean over seeds of (this run − its seed's λ = 0 run).
    pub mean_difference: f64,
    /// 95% Student-t interval of that mean.
    pub difference_ci95: [f64; 2],
    /// Two-sided paired t-test over seeds.
    pub t_test_p: f64,
    /// `t_test_p` Holm–Bonferroni adjusted over the sweep's family of seed-level tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_test_p_holm: Option<f64>,
}

/// `sweep.json`: what a sweep is, written before its first run starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepManifest {
    pub experiment: String,
    /// The experiment file it came from.
    pub file: PathBuf,
    /// recsweep's version.
    pub version: String,
    pub backend: BackendKind,
    pub adapter: String,
    pub plots: PlotSettings,
    /// The keys of the per-epoch curves (absent in sweeps written before they were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curves: Option<CurveKeys>,
    /// Every run of the sweep, in order, whether or not it has run yet.
    pub runs: Vec<ManifestRun>,
}

/// One run as `sweep.json` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestRun {
    pub run_id: String,
    #[serde(default)]
    pub method: String,
    pub lambda: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theta: Option<f64>,
    pub seed: u64,
}

/// The method of a run stored before methods were recorded: every such sweep regularised
/// with `exposure_entropy`, and its λ = 0 run was the baseline.
pub fn legacy_method(lambda: f64) -> &'static str {
    if lambda == 0.0 {
        crate::config::BASELINE
    } else {
        "exposure_entropy"
    }
}

impl SweepManifest {
    /// The curve keys; for sweeps that did not record them, coverage at the K of the
    /// trade-off's diversity axis (or its relevance axis), as figures showed it then.
    pub fn curve_keys(&self) -> Option<CurveKeys> {
        self.curves.or_else(|| {
            let k = self.plots.diversity.k.or(self.plots.relevance.k)?;
            Some(CurveKeys {
                auc: MetricKey::AUC,
                coverage: MetricKey::at(crate::metrics::Metric::Coverage, k),
            })
        })
    }
}

impl RunSummary {
    /// Whether this is a λ = 0 training run (a baseline others compare against).
    pub fn is_lambda_zero(&self) -> bool {
        crate::config::is_lambda_zero(self.lambda, self.theta)
    }

    /// The run's swept value as a label: `λ=0.1` or `θ=0.3`.
    pub fn param_label(&self) -> String {
        crate::config::param_label(self.lambda, self.theta)
    }
}

/// A run against its λ = 0 baseline on one per-user metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedComparison {
    pub baseline: String,
    /// Mean over users of (this run − baseline).
    pub mean_difference: f64,
    /// Two-sided Wilcoxon signed-rank p-value, computed as `wilcoxon_method` says.
    pub wilcoxon_p: f64,
    /// How `wilcoxon_p` was computed (scipy's `method='auto'` rule: `exact`, `permutation` or
    /// `normal-approx`); absent in sweeps stored before it was recorded (all `normal-approx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wilcoxon_method: Option<crate::metrics::WilcoxonMethod>,
    /// `wilcoxon_p` Holm–Bonferroni adjusted over the sweep's family of tests: every
    /// (run, metric) compared against a λ = 0 baseline (absent in sweeps stored before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wilcoxon_p_holm: Option<f64>,
    /// Two-sided paired t-test p-value.
    pub t_test_p: f64,
    /// Users compared.
    pub users: usize,
}

/// Writes `contents` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// `YYYYMMDDTHHMMSSZ` for the current UTC time (civil-from-days, no date crate needed).
pub fn utc_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The column of `metrics.csv` that holds `key` on the monitored split: `val_ndcg@10`.
pub fn val_column(key: MetricKey) -> String {
    format!("val_{key}")
}

fn fmt_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// A sweep's output directory.
#[derive(Debug, Clone)]
pub struct RunStore {
    pub root: PathBuf,
}

impl RunStore {
    pub fn create(root: PathBuf) -> io::Result<Self> {
        std::fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    /// The files a run writes as it trains and when it ends (everything but its
    /// `config.yaml` and `split/`).
    pub const RESULT_FILES: [&'static str; 7] = [
        "metrics.csv",
        "summary.json",
        "per_user.csv",
        "recommendations.csv",
        "candidates.csv",
        "metrics.parquet",
        "per_user.parquet",
    ];

    /// Removes what an unfinished run left (before it is trained again), so a second attempt
    /// that fails early cannot leave the first one's epochs behind.
    pub fn clear_results(&self, run_id: &str) -> io::Result<()> {
        for name in Self::RESULT_FILES {
            match std::fs::remove_file(self.run_dir(run_id).join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    pub fn run_dir(&self, run_id: &str) -> PathBuf {
        self.root.join(run_id)
    }

    fn write(&self, run_id: &str, rel: &str, contents: &[u8]) -> io::Result<()> {
        write_atomic(&self.run_dir(run_id).join(rel), contents)
    }

    /// Writes `sweep.json`.
    pub fn write_manifest(&self, manifest: &SweepManifest) -> io::Result<()> {
        let json = serde_json::to_string_pretty(manifest).map_err(io::Error::other)?;
        write_atomic(&self.root.join("sweep.json"), json.as_bytes())
    }

    /// Writes `front.csv` (see [`crate::front::csv`]) and `front.parquet`.
    pub fn write_front(&self, csv: &str) -> io::Result<()> {
        write_atomic(&self.root.join("front.csv"), csv.as_bytes())?;
        csv_to_parquet(
            &self.root.join("front.csv"),
            &self.root.join("front.parquet"),
            &FRONT_TYPES,
        )
    }

    /// `metrics.parquet` and `per_user.parquet` beside the run's CSVs of the same tables, for
    /// polars and pandas, written once the run has ended.
    pub fn write_parquet_tables(&self, run_id: &str) -> io::Result<()> {
        let dir = self.run_dir(run_id);
        for (name, types) in [("metrics", &METRICS_TYPES), ("per_user", &PER_USER_TYPES)] {
            let csv = dir.join(format!("{name}.csv"));
            if csv.is_file() {
                csv_to_parquet(&csv, &dir.join(format!("{name}.parquet")), types)?;
            }
        }
        Ok(())
    }

    /// `selection.json`: the sweep-level choice made on validation.
    pub fn write_selection(&self, choice: &impl Serialize) -> io::Result<()> {
        let json = serde_json::to_string_pretty(choice).map_err(io::Error::other)?;
        write_atomic(&self.root.join("selection.json"), json.as_bytes())
    }

    /// `gates.json`: each gate of the sweep, held or failed, with the points it was checked on.
    pub fn write_gates(&self, gates: &impl Serialize) -> io::Result<()> {
        let json = serde_json::to_string_pretty(gates).map_err(io::Error::other)?;
        write_atomic(&self.root.join("gates.json"), json.as_bytes())
    }

    /// `experiment.yaml`: the whole resolved experiment, which `--resume` trains the rest of
    /// the sweep from.
    pub fn write_experiment(&self, yaml: &str) -> io::Result<()> {
        write_atomic(&self.root.join(EXPERIMENT_FILE), yaml.as_bytes())
    }

    pub fn write_config(&self, run_id: &str, yaml: &str) -> io::Result<()> {
        self.write(run_id, "config.yaml", yaml.as_bytes())
    }

    /// Rewrites `metrics.csv` with every epoch so far (small: one row per epoch).
    pub fn write_metrics(
        &self,
        run_id: &str,
        records: &[EpochRecord],
        ks: &[usize],
        eval_split: EvalSplit,
    ) -> io::Result<()> {
        let cols = MetricKey::all_columns(ks);
        let mut out = String::from("epoch,loss,relevance_loss,diversity_loss,l2_loss,eval_split");
        for &c in &cols {
            let _ = write!(out, ",{}", val_column(c));
        }
        out.push_str(",seconds\n");
        for r in records {
            let _ = write!(
                out,
                "{},{},{},{},{},",
                r.epoch, r.loss, r.relevance_loss, r.diversity_loss, r.l2_loss
            );
            if r.eval.is_some() {
                let _ = write!(out, "{eval_split}");
            }
            for c in &cols {
                let v = r
                    .eval
                    .as_ref()
                    .and_then(|m| m.get(c))
                    .copied()
                    .unwrap_or(f64::NAN);
                let _ = write!(out, ",{}", fmt_num(v));
            }
            let _ = writeln!(out, ",{:.3}", r.seconds);
        }
        self.write(run_id, "metrics.csv", out.as_bytes())
    }

    pub fn write_summary(&self, summary: &RunSummary) -> io::Result<()> {
        let json = serde_json::to_string_pretty(summary).map_err(io::Error::other)?;
        self.write(&summary.run_id, "summary.json", json.as_bytes())
    }

    /// `split/{train,validation,test}.csv` as `user,item` in original ids, and `split/items.csv`
    /// with each item's categories and training count.
    pub fn write_split(
        &self,
        run_id: &str,
        data: &Dataset,
        prepared: &PreparedSplit,
    ) -> io::Result<()> {
        let split = &prepared.split;
        let pairs = |parts: &[Vec<u32>]| {
            let mut out = String::from("user,item\n");
            for (u, items) in parts.iter().enumerate() {
                for &i in items {
                    let _ = writeln!(
                        out,
                        "{},{}",
                        csv_field(&data.user_ids[u]),
                        csv_field(&data.item_ids[i as usize])
                    );
                }
            }
            out
        };
        self.write(run_id, "split/train.csv", pairs(&split.train).as_bytes())?;
        self.write(
            run_id,
            "split/validation.csv",
            pairs(&split.validation).as_bytes(),
        )?;
        self.write(run_id, "split/test.csv", pairs(&split.test).as_bytes())?;
        let mut items = String::from("item,categories,train_count\n");
        for (i, id) in data.item_ids.iter().enumerate() {
            let cats: Vec<&str> = data.item_categories[i]
                .iter()
                .map(|&c| data.category_names[c as usize].as_str())
                .collect();
            let _ = writeln!(
                items,
                "{},{},{}",
                csv_field(id),
                csv_field(&cats.join("|")),
                prepared.train_counts[i]
            );
        }
        self.write(run_id, "split/items.csv", items.as_bytes())
    }

    pub fn write_recommendations(
        &self,
        run_id: &str,
        data: &Dataset,
        recs: &Recommendations,
    ) -> io::Result<()> {
        let mut out = String::from("user,rank,item,score\n");
        for (u, list) in recs {
            for (rank, (item, score)) in list.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{},{}",
                    csv_field(&data.user_ids[*u as usize]),
                    rank + 1,
                    csv_field(&data.item_ids[*item as usize]),
                    score
                );
            }
        }
        self.write(run_id, "recommendations.csv", out.as_bytes())
    }

    /// `candidates.csv`: a baseline's candidate lists for the re-rankers, test and validation
    /// users, scores written so that they read back bit for bit.
    pub fn write_candidates(
        &self,
        run_id: &str,
        data: &Dataset,
        candidates: &Candidates,
    ) -> io::Result<()> {
        let mut out = String::from("split,user,rank,item,score\n");
        let splits = [
            ("test", Some(&candidates.test)),
            ("validation", candidates.validation.as_ref()),
        ];
        for (split, recs) in splits {
            for (u, list) in recs.into_iter().flatten() {
                for (rank, (item, score)) in list.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{split},{},{},{},{score}",
                        csv_field(&data.user_ids[*u as usize]),
                        rank + 1,
                        csv_field(&data.item_ids[*item as usize]),
                    );
                }
            }
        }
        self.write(run_id, "candidates.csv", out.as_bytes())
    }

    pub fn write_per_user(
        &self,
        run_id: &str,
        data: &Dataset,
        table: &PerUserTable,
    ) -> io::Result<()> {
        let mut out = String::from("user");
        for c in &table.columns {
            let _ = write!(out, ",{c}");
        }
        out.push('\n');
        for (u, values) in &table.rows {
            out.push_str(&csv_field(&data.user_ids[*u as usize]));
            for v in values {
                let _ = write!(out, ",{}", fmt_num(*v));
            }
            out.push('\n');
        }
        self.write(run_id, "per_user.csv", out.as_bytes())
    }
}

/// The column types of a table written as Parquet: the named text, integer and boolean
/// columns, every other column a float. Fixed per table, so that the same file of two runs
/// (or two sweeps) always has the same schema, whatever values a column happens to hold.
pub struct ColumnTypes {
    pub text: &'static [&'static str],
    pub integer: &'static [&'static str],
    pub boolean: &'static [&'static str],
}

/// `metrics.csv`.
pub const METRICS_TYPES: ColumnTypes = ColumnTypes {
    text: &["eval_split"],
    integer: &["epoch"],
    boolean: &[],
};
/// `per_user.csv`: user ids are text, like every id recsweep writes.
pub const PER_USER_TYPES: ColumnTypes = ColumnTypes {
    text: &["user"],
    integer: &[],
    boolean: &[],
};
/// `front.csv`.
pub const FRONT_TYPES: ColumnTypes = ColumnTypes {
    text: &[
        "relevance_metric",
        "diversity_metric",
        "kind",
        "run_id",
        "method",
    ],
    integer: &["seed", "seeds"],
    boolean: &["pareto"],
};

/// Writes the table of the CSV `csv` (a header row) as Parquet to `parquet`, atomically, with
/// the column types `types` gives.
pub fn csv_to_parquet(csv: &Path, parquet: &Path, types: &ColumnTypes) -> io::Result<()> {
    use polars::prelude::*;
    let text = std::fs::read_to_string(csv)?;
    let header = text.lines().next().unwrap_or("");
    let dtype = |name: &str| {
        if types.text.contains(&name) {
            DataType::String
        } else if types.integer.contains(&name) {
            DataType::Int64
        } else if types.boolean.contains(&name) {
            DataType::Boolean
        } else {
            DataType::Float64
        }
    };
    let schema: Schema = header
        .split(',')
        .map(|name| Field::new(name.into(), dtype(name)))
        .collect();
    let mut frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .into_reader_with_file_handle(std::io::Cursor::new(text.into_bytes()))
        .finish()
        .map_err(io::Error::other)?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut frame)
        .map_err(io::Error::other)?;
    write_atomic(parquet, &bytes)
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A finished run's summary with placeholder facts and no metrics, for tests that build
/// sweeps by hand (fronts, seed-level statistics, the choice on validation).
#[cfg(test)]
pub(crate) fn finished_summary(
    method: &str,
    lambda: f64,
    theta: Option<f64>,
    seed: u64,
) -> RunSummary {
    let mut s: RunSummary = serde_json::from_str(
        r#"{"run_id":"r","experiment":"e","lambda":0,"seed":1,"backend":"cpu","adapter":"",
        "status":"finished","version":"0","epochs_completed":1,"epochs":1,"seconds":1,
        "eval_split":"validation","data":"d","users":1,"items":1,"train_pairs":1,
        "users_evaluated":1,"test":{},"test_ci95":{}}"#,
    )
    .expect("a valid summary");
    s.run_id = format!("{method}-{lambda}-{theta:?}-{seed}");
    s.method = method.into();
    s.lambda = lambda;
    s.theta = theta;
    s.seed = seed;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_has_the_documented_shape() {
        let t = utc_timestamp();
        assert_eq!(t.len(), 16, "{t}");
        assert!(
            t.starts_with("20") && t.ends_with('Z') && t.as_bytes()[8] == b'T',
            "{t}"
        );
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.csv");
        write_atomic(&p, b"x\n").unwrap();
        write_atomic(&p, b"y\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "y\n");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_summary_reads_back_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::create(dir.path().to_path_buf()).unwrap();
        let mut s = finished_summary("exposure_entropy", 0.1, None, 7);
        s.reason = Some("a \"quoted\" \\ reason\twith\nlines, ünïcode: λ".into());
        // 0.11111111111111115 is one that serde_json's default parser reads one ulp off.
        let mut x = 0.11111111111111115_f64;
        for i in 0..200 {
            let key = MetricKey::at(crate::metrics::Metric::Ndcg, i + 1);
            s.test.insert(key, x);
            s.test_ci95.insert(key, [x / 3.0, x * 1e-17]);
            x = (x * 7.123_456_789_123_4 + 1e-9).fract();
        }
        store.write_summary(&s).unwrap();
        let path = dir.path().join(&s.run_id).join("summary.json");
        let back = read_summary(&path).unwrap();
        assert_eq!(back, s);
        for (k, v) in &s.test {
            assert_eq!(back.test[k].to_bits(), v.to_bits(), "{k}");
        }
        // Not JSON, or JSON of something else: a clear error naming the file.
        std::fs::write(&path, "name: x\n").unwrap();
        let err = read_summary(&path).unwrap_err().to_string();
        assert!(
            err.contains("summary.json") && err.contains("not a run summary"),
            "{err}"
        );
    }

    #[test]
    fn parquet_tables_have_the_fixed_types_whatever_the_values() {
        use polars::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("metrics.csv");
        // Every value of val_x is a whole number, and loss has a NaN and an empty cell.
        std::fs::write(
            &csv,
            "epoch,loss,eval_split,val_x\n1,NaN,validation,1\n2,,validation,0\n",
        )
        .unwrap();
        let parquet = dir.path().join("metrics.parquet");
        csv_to_parquet(&csv, &parquet, &METRICS_TYPES).unwrap();
        let frame = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
            .finish()
            .unwrap();
        let dtypes: Vec<DataType> = frame.dtypes();
        assert_eq!(
            dtypes,
            [
                DataType::Int64,
                DataType::Float64,
                DataType::String,
                DataType::Float64
            ]
        );
        let loss = frame.column("loss").unwrap().f64().unwrap();
        assert!(loss.get(0).unwrap().is_nan());
        assert_eq!(loss.get(1), None);
        assert_eq!(
            frame.column("val_x").unwrap().f64().unwrap().get(0),
            Some(1.0)
        );
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("abc"), "abc");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

/// Why a stored sweep could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("'{dir}' is not a recsweep sweep directory: '{file}' is missing")]
    NotASweep { dir: PathBuf, file: String },
    #[error("cannot read '{path}': {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("'{dir}' holds no run with a summary.json yet (nothing finished)")]
    NoRuns { dir: PathBuf },
}

/// One run read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    pub summary: RunSummary,
    /// `metrics.csv`, one map per row: column → value (empty cells are absent).
    pub epochs: Vec<BTreeMap<String, f64>>,
}

/// A sweep read back from its directory (what a headless run wrote, or a past sweep).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSweep {
    pub dir: PathBuf,
    pub manifest: SweepManifest,
    /// The runs that have a `summary.json`, in manifest order.
    pub runs: Vec<StoredRun>,
}

impl StoredSweep {
    /// The runs' summaries, in manifest order (what the comparisons, fronts and reports read).
    pub fn summaries(&self) -> Vec<RunSummary> {
        self.runs.iter().map(|r| r.summary.clone()).collect()
    }
}

fn unreadable(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unreadable {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Parses `metrics.csv` (written by [`RunStore::write_metrics`]; no quoted fields).
pub fn parse_metrics_csv(
    text: &str,
    path: &Path,
) -> Result<Vec<BTreeMap<String, f64>>, StoreError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| unreadable(path, "empty file"))?
        .split(',')
        .collect();
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != header.len() {
            return Err(unreadable(
                path,
                format!(
                    "row {} has {} cells, the header {}",
                    n + 2,
                    cells.len(),
                    header.len()
                ),
            ));
        }
        let row = header
            .iter()
            .zip(cells)
            .filter_map(|(h, c)| c.parse::<f64>().ok().map(|v| (h.to_string(), v)))
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

/// The name of the whole resolved experiment in a sweep directory.
pub const EXPERIMENT_FILE: &str = "experiment.yaml";

/// The fields of one line of a CSV this store wrote ([`csv_field`]'s quoting undone).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Original user and item ids back to the dense indices of a loaded data set, for reading a
/// run's files back.
pub struct IdIndex {
    users: std::collections::HashMap<String, u32>,
    items: std::collections::HashMap<String, u32>,
}

impl IdIndex {
    pub fn new(data: &Dataset) -> Self {
        let index = |ids: &[String]| {
            ids.iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
                .collect()
        };
        Self {
            users: index(&data.user_ids),
            items: index(&data.item_ids),
        }
    }
}

/// The rows of a CSV this store wrote, after checking its header: (line number, fields).
fn csv_rows<'a>(
    text: &'a str,
    path: &'a Path,
    header: &str,
) -> Result<impl Iterator<Item = (usize, Vec<String>)> + 'a, StoreError> {
    let mut lines = text.lines();
    let found = lines.next().unwrap_or("");
    if found != header {
        return Err(unreadable(
            path,
            format!("the header is '{found}', expected '{header}'"),
        ));
    }
    Ok(lines.enumerate().map(|(n, l)| (n + 2, csv_fields(l))))
}

fn dense(
    map: &std::collections::HashMap<String, u32>,
    id: &str,
    what: &str,
    path: &Path,
    line: usize,
) -> Result<u32, StoreError> {
    map.get(id).copied().ok_or_else(|| {
        unreadable(
            path,
            format!("line {line}: {what} '{id}' is not in the data set"),
        )
    })
}

/// Reads `per_user.csv` back (as [`RunStore::write_per_user`] wrote it; empty cells are NaN).
pub fn read_per_user(path: &Path, ids: &IdIndex) -> Result<PerUserTable, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, e))?;
    let header = text.lines().next().unwrap_or("");
    let columns = header
        .split(',')
        .skip(1)
        .map(|c| {
            c.parse::<MetricKey>()
                .map_err(|e| unreadable(path, format!("column '{c}': {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for (line, fields) in csv_rows(&text, path, header)? {
        if fields.len() != columns.len() + 1 {
            return Err(unreadable(
                path,
                format!(
                    "line {line} has {} fields, the header {}",
                    fields.len(),
                    columns.len() + 1
                ),
            ));
        }
        let user = dense(&ids.users, &fields[0], "user", path, line)?;
        let values = fields[1..]
            .iter()
            .map(|v| {
                if v.is_empty() {
                    Ok(f64::NAN)
                } else {
                    v.parse::<f64>().map_err(|_| {
                        unreadable(path, format!("line {line}: '{v}' is not a number"))
                    })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push((user, values));
    }
    Ok(PerUserTable { columns, rows })
}

/// Reads `candidates.csv` back (as [`RunStore::write_candidates`] wrote it); `validation`
/// says whether the sweep has a validation split.
pub fn read_candidates(
    path: &Path,
    ids: &IdIndex,
    validation: bool,
) -> Result<Candidates, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, e))?;
    let mut test: Recommendations = Vec::new();
    let mut val: Recommendations = Vec::new();
    for (line, fields) in csv_rows(&text, path, "split,user,rank,item,score")? {
        let [split, user, rank, item, score] = fields.as_slice() else {
            return Err(unreadable(
                path,
                format!("line {line} has {} fields, not 5", fields.len()),
            ));
        };
        let lists = match split.as_str() {
            "test" => &mut test,
            "validation" => &mut val,
            other => {
                return Err(unreadable(
                    path,
                    format!("line {line}: split '{other}' is neither 'test' nor 'validation'"),
                ));
            }
        };
        let user = dense(&ids.users, user, "user", path, line)?;
        let item = dense(&ids.items, item, "item", path, line)?;
        let score: f32 = score.parse().map_err(|_| {
            unreadable(
                path,
                format!("line {line}: score '{score}' is not a number"),
            )
        })?;
        let new_user = lists
            .last()
            .is_none_or(|(u, l)| *u != user || rank == "1" && !l.is_empty());
        if new_user {
            if rank != "1" {
                return Err(unreadable(
                    path,
                    format!("line {line}: user's list starts at rank '{rank}', not 1"),
                ));
            }
            lists.push((user, Vec::new()));
        }
        if let Some((_, list)) = lists.last_mut() {
            list.push((item, score));
        }
    }
    Ok(Candidates {
        test,
        validation: validation.then_some(val),
    })
}

/// Reads a `summary.json` back, every number the very `f64` written.
///
/// The text goes through serde_yaml's parser (JSON is YAML), whose numbers go through std's
/// correctly rounded `f64::from_str`. serde_json's default parser can be one ulp off, and a
/// resumed sweep rewrites the summaries it read: they must hold what an uninterrupted sweep
/// writes. (serde_json's `float_roundtrip` feature would do as well, at the price of
/// rebuilding every crate that links serde_json.)
pub fn read_summary(path: &Path) -> Result<RunSummary, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(path, e))?;
    // Anything serde_yaml would accept beyond JSON is refused first.
    serde_json::from_str::<serde::de::IgnoredAny>(&text)
        .map_err(|e| unreadable(path, format!("not a run summary: {e}")))?;
    let mut summary: RunSummary = serde_yaml::from_str(&text)
        .map_err(|e| unreadable(path, format!("not a run summary: {e}")))?;
    if summary.method.is_empty() {
        summary.method = legacy_method(summary.lambda).to_string();
    }
    Ok(summary)
}

/// Reads `DIR/sweep.json`: `NotASweep` when there is none, `Unreadable` when it cannot be
/// read or is not a manifest (a figure size out of [`crate::config::FIGURE_PIXELS`] included).
pub fn read_manifest(dir: &Path) -> Result<SweepManifest, StoreError> {
    let sweep_path = dir.join("sweep.json");
    if !sweep_path.is_file() {
        return Err(StoreError::NotASweep {
            dir: dir.to_path_buf(),
            file: "sweep.json".into(),
        });
    }
    let text = std::fs::read_to_string(&sweep_path).map_err(|e| unreadable(&sweep_path, e))?;
    let manifest: SweepManifest =
        serde_json::from_str(&text).map_err(|e| unreadable(&sweep_path, e))?;
    // A hand-edited size must not allocate gigabytes of pixels.
    for (field, v) in [
        ("plots.width", manifest.plots.width),
        ("plots.height", manifest.plots.height),
    ] {
        if !crate::config::FIGURE_PIXELS.contains(&v) {
            return Err(unreadable(
                &sweep_path,
                format!("{field} '{v}' must be in [320, 8000] pixels"),
            ));
        }
    }
    Ok(manifest)
}

/// Reads every run of the sweep in `dir` that has a `summary.json`, in `sweep.json` order.
pub fn read_sweep(dir: &Path) -> Result<StoredSweep, StoreError> {
    let manifest = read_manifest(dir)?;
    let ids: Vec<String> = manifest.runs.iter().map(|r| r.run_id.clone()).collect();
    let mut runs = Vec::new();
    for id in ids {
        let summary_path = dir.join(&id).join("summary.json");
        if !summary_path.is_file() {
            continue; // not finished (or never started)
        }
        let summary = read_summary(&summary_path)?;
        let metrics_path = dir.join(&id).join("metrics.csv");
        let epochs = match std::fs::read_to_string(&metrics_path) {
            Ok(t) => parse_metrics_csv(&t, &metrics_path)?,
            Err(_) => Vec::new(), // a run that failed before its first epoch
        };
        runs.push(StoredRun { summary, epochs });
    }
    if runs.is_empty() {
        return Err(StoreError::NoRuns {
            dir: dir.to_path_buf(),
        });
    }
    Ok(StoredSweep {
        dir: dir.to_path_buf(),
        manifest,
        runs,
    })
}

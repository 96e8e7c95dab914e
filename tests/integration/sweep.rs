//! End-to-end sweeps: the quickstart through the real binary on the CPU backend and on wgpu
//! (software Vulkan in CI), the run store's files, determinism, and the trade-off itself.

use std::io::Write as _;
use std::path::Path;

use recsweep::metrics::MetricKey;
use recsweep::store::RunSummary;

use crate::plots::{FIGURES, check_png};
use crate::support::{
    key as metric, recsweep, recsweep_ok, recsweep_refused, repo, run_ids, summary,
};

/// Every file of the run store exists and is consistent for every run.
fn check_store(dir: &Path, backend: &str) -> Vec<RunSummary> {
    let ids = run_ids(dir);
    assert!(!ids.is_empty());
    let mut out = Vec::new();
    for id in &ids {
        let run = dir.join(id);
        for f in [
            "config.yaml",
            "metrics.csv",
            "summary.json",
            "per_user.csv",
            "recommendations.csv",
            "split/train.csv",
            "split/test.csv",
            "split/items.csv",
        ] {
            assert!(run.join(f).is_file(), "{id}: {f} missing");
        }
        let s = summary(dir, id);
        assert_eq!(
            s.status,
            recsweep::events::RunStatus::Finished,
            "{id}: {:?}",
            s.reason
        );
        assert_eq!(s.backend.as_str(), backend, "{id}");
        assert_eq!(s.run_id, *id);
        // A re-ranking run has no full ranking, so no AUC.
        if s.theta.is_none() {
            assert!(
                s.test.contains_key(&MetricKey::AUC),
                "{id}: test.auc missing"
            );
        }
        for key in ["ndcg@10", "recall@10", "coverage@10", "gini@10", "ild@10"] {
            let v = s
                .test
                .get(&metric(key))
                .unwrap_or_else(|| panic!("{id}: test.{key} missing"));
            assert!((0.0..=1.0).contains(v), "{id}: {key} = {v}");
        }
        // The category metrics: coverage is a share; α-NDCG is normalised by a greedy ideal
        // that a list can beat, so only its sign is certain; miscalibration lies in
        // [0, ln(1/0.01)].
        let test = |key: &str| {
            *s.test
                .get(&metric(key))
                .unwrap_or_else(|| panic!("{id}: test.{key} missing"))
        };
        let coverage = test("category_coverage@10");
        assert!((0.0..=1.0).contains(&coverage), "{id}: {coverage}");
        let alpha_ndcg = test("alpha_ndcg@10");
        assert!(
            alpha_ndcg >= 0.0 && alpha_ndcg.is_finite(),
            "{id}: {alpha_ndcg}"
        );
        let miscalibration = test("miscalibration@10");
        assert!(
            (0.0..=100f64.ln()).contains(&miscalibration),
            "{id}: {miscalibration}"
        );
        let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
        let header = metrics.lines().next().unwrap();
        for col in [
            "epoch",
            "loss",
            "relevance_loss",
            "diversity_loss",
            "val_auc",
            "val_coverage@10",
            "seconds",
        ] {
            assert!(
                header.split(',').any(|c| c == col),
                "{id}: metrics.csv lacks {col}: {header}"
            );
        }
        assert_eq!(
            metrics.lines().count(),
            1 + s.epochs_completed,
            "{id}: one row per epoch trained (patience may stop a run early)"
        );
        let recs = std::fs::read_to_string(run.join("recommendations.csv")).unwrap();
        assert!(recs.starts_with("user,rank,item,score\n"));
        // The resolved config re-parses to exactly this run (a re-ranking run's, to it and
        // the baseline it re-ranks).
        let one = recsweep::config::load(&run.join("config.yaml")).unwrap();
        let ids: Vec<String> = one.runs().into_iter().map(|r| r.id).collect();
        if s.theta.is_some() {
            assert_eq!(ids, [format!("lambda-0_seed-{}", s.seed), id.clone()]);
        } else {
            assert_eq!(ids, std::slice::from_ref(id));
        }
        out.push(s);
    }
    out
}

/// The store reader on `tests/fixtures/stored-sweep/` (a finished `tiny.yaml` sweep): every
/// expected value below was read off that folder's files.
#[test]
fn the_store_reader_reads_a_stored_sweep_back() {
    let dir = repo("tests/fixtures/stored-sweep");
    let sweep = recsweep::store::read_sweep(&dir).unwrap();
    assert_eq!(sweep.dir, dir);
    assert_eq!(sweep.manifest.experiment, "tiny");
    // sweep.json's figure settings: the defaults for tiny.yaml's first K, 5.
    let plots = &sweep.manifest.plots;
    assert_eq!((plots.width, plots.height), (1600, 1000));
    assert_eq!(
        (plots.relevance.to_string(), plots.diversity.to_string()),
        ("ndcg@5".to_string(), "coverage@5".to_string())
    );
    // The runs of sweep.json, in its order.
    let ids: Vec<&str> = sweep
        .runs
        .iter()
        .map(|r| r.summary.run_id.as_str())
        .collect();
    assert_eq!(ids, ["lambda-0_seed-5", "lambda-1_seed-5"]);
    assert_eq!(ids, run_ids(&dir));
    // The fixture predates the category metrics (alpha_ndcg, miscalibration,
    // category_coverage): a sweep written without them still reads back, with exactly the
    // keys it was written with.
    let test_keys = [
        "auc",
        "coverage@10",
        "coverage@5",
        "entropy@10",
        "entropy@5",
        "gini@10",
        "gini@5",
        "hit_rate@10",
        "hit_rate@5",
        "ild@10",
        "ild@5",
        "long_tail@10",
        "long_tail@5",
        "map@10",
        "map@5",
        "mrr@10",
        "mrr@5",
        "ndcg@10",
        "ndcg@5",
        "novelty@10",
        "novelty@5",
        "precision@10",
        "precision@5",
        "recall@10",
        "recall@5",
    ];
    // (λ, loss of epoch 1 in metrics.csv)
    let expected = [(0.0, 0.680_453_845_432_826_5), (1.0, 0.680_729_593_549_456)];
    for (run, (lambda, first_loss)) in sweep.runs.iter().zip(expected) {
        let s = &run.summary;
        let id = s.run_id.as_str();
        // The reader returns summary.json as written, with the method of a sweep stored
        // before methods were recorded filled in.
        // Read exactly (serde_yaml's numbers go through std's f64 parser; serde_json's default
        // one can be an ulp off): the reader must return the very values written.
        let text = std::fs::read_to_string(dir.join(id).join("summary.json")).unwrap();
        let mut written: recsweep::store::RunSummary = serde_yaml::from_str(&text).unwrap();
        assert_eq!(written.method, "", "{id}: the fixture predates methods");
        written.method = recsweep::store::legacy_method(lambda).to_string();
        assert_eq!(*s, written, "{id}");
        let expected_method = if lambda == 0.0 {
            "baseline"
        } else {
            "exposure_entropy"
        };
        assert_eq!(s.method, expected_method, "{id}");
        assert_eq!(s.lambda, lambda, "{id}");
        assert_eq!(s.seed, 5, "{id}");
        assert_eq!(s.experiment, "tiny", "{id}");
        assert_eq!(s.status, recsweep::events::RunStatus::Finished, "{id}");
        assert_eq!(s.reason, None, "{id}");
        assert_eq!((s.epochs_completed, s.epochs), (3, 3), "{id}");
        assert_eq!((s.users, s.items), (150, 120), "{id}");
        assert_eq!(s.backend.as_str(), "cpu", "{id}");
        assert_eq!(s.eval_split.to_string(), "validation", "{id}");
        let mut keys: Vec<String> = s.test.keys().map(|k| k.to_string()).collect();
        keys.sort();
        assert_eq!(keys, test_keys, "{id}");
        // Only the λ = 1 run is compared with its λ = 0 baseline.
        if lambda == 0.0 {
            assert!(s.versus_lambda0.is_empty(), "{id}");
        } else {
            assert!(s.versus_lambda0.contains_key(&metric("ndcg@5")), "{id}");
            assert!(
                s.versus_lambda0
                    .values()
                    .all(|c| c.baseline == "lambda-0_seed-5"),
                "{id}"
            );
        }
        // metrics.csv: one row per epoch; its 31 columns but the textual eval_split.
        let epochs: Vec<f64> = run.epochs.iter().map(|row| row["epoch"]).collect();
        assert_eq!(epochs, [1.0, 2.0, 3.0], "{id}");
        for row in &run.epochs {
            assert_eq!(row.len(), 30, "{id}: {row:?}");
            assert!(!row.contains_key("eval_split"), "{id}");
            for col in [
                "loss",
                "relevance_loss",
                "diversity_loss",
                "val_auc",
                "val_ndcg@5",
                "val_coverage@10",
                "seconds",
            ] {
                assert!(row[col].is_finite(), "{id}: {col}");
            }
        }
        assert_eq!(run.epochs[0]["loss"], first_loss, "{id}");
    }
}

#[test]
fn quickstart_on_cpu_writes_every_file_and_trades_relevance_for_coverage() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("qs");
    let stdout = recsweep_ok(&[
        "--run",
        "experiments/quickstart.yaml",
        "--backend",
        "cpu",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("coverage@10") && stdout.contains("lambda-0_seed-7"),
        "no results table:\n{stdout}"
    );
    // Not a terminal: plain one-line-per-epoch logs.
    assert!(stdout.contains("epoch 1/"), "{stdout}");
    // `--run` renders every figure itself, at the experiment's configured size.
    assert!(stdout.contains("figures:"), "{stdout}");
    let plots = recsweep::config::load(&repo("experiments/quickstart.yaml"))
        .unwrap()
        .plots;
    for f in FIGURES {
        check_png(
            &dir.join("plots").join(format!("{f}.png")),
            (plots.width, plots.height),
        );
        assert!(
            dir.join("plots").join(format!("{f}.svg")).is_file(),
            "{f}.svg missing"
        );
    }
    let summaries = check_store(&dir, "cpu");
    assert!(summaries.len() >= 4);
    // Two methods on one front: the regulariser's λ sweep and the MMR re-ranker's θ sweep,
    // each with its hypervolume in front.csv and after the table.
    let methods: std::collections::BTreeSet<&str> =
        summaries.iter().map(|s| s.method.as_str()).collect();
    assert!(
        methods.contains("exposure_entropy") && methods.contains("mmr"),
        "{methods:?}"
    );
    let front = std::fs::read_to_string(dir.join("front.csv")).unwrap();
    assert_eq!(front.lines().next(), Some(recsweep::front::CSV_HEADER));
    for m in ["exposure_entropy", "mmr"] {
        assert!(
            front.contains(&format!(",hypervolume,,{m},")),
            "{m} has no hypervolume row:\n{front}"
        );
        assert!(
            stdout.contains(&format!("  {m} ")),
            "{m} not in the printed hypervolumes"
        );
    }
    // MMR at its largest θ makes more diverse lists than the model it re-ranks.
    let ild = |s: &RunSummary| s.test[&metric("ild@10")];
    let base = summaries
        .iter()
        .find(|s| s.is_lambda_zero())
        .expect("λ = 0 run");
    let mmr = summaries
        .iter()
        .filter(|s| s.theta.is_some())
        .max_by(|a, b| a.theta.unwrap().total_cmp(&b.theta.unwrap()))
        .unwrap();
    assert!(
        ild(mmr) > ild(base),
        "ILD@10: MMR {} vs λ = 0 {}",
        ild(mmr),
        ild(base)
    );
    let cov = |s: &RunSummary| s.test[&metric("coverage@10")];
    let top = summaries
        .iter()
        .filter(|s| s.theta.is_none())
        .max_by(|a, b| a.lambda.total_cmp(&b.lambda))
        .unwrap();
    assert!(
        cov(top) > cov(base),
        "coverage@10 at λ = {} ({}) should exceed λ = 0 ({})",
        top.lambda,
        cov(top),
        cov(base)
    );
    // λ = 0 is a real recommender: well above chance.
    assert!(
        base.test[&MetricKey::AUC] > 0.75,
        "auc at λ = 0: {}",
        base.test[&MetricKey::AUC]
    );
    // Selection on validation: every trained run reports its best validation epoch by
    // NDCG@10, says so, and carries its validation metrics; re-ranking runs have them too.
    for s in &summaries {
        let sel = s
            .selection
            .as_ref()
            .expect("a finished run records its selection");
        if s.theta.is_none() {
            assert_eq!(sel.metric, Some(metric("ndcg@10")), "{}", s.run_id);
            assert!((1..=20).contains(&sel.epoch), "{}: {}", s.run_id, sel.epoch);
            assert_eq!(sel.epoch % 2, 0, "{}: evaluated every 2 epochs", s.run_id);
            assert_eq!(
                sel.value,
                s.validation.get(&metric("ndcg@10")).copied(),
                "{}",
                s.run_id
            );
        }
        assert!(
            s.validation.contains_key(&metric("coverage@10")),
            "{}",
            s.run_id
        );
    }
    assert!(stdout.contains("best validation ndcg@10"), "{stdout}");
    // The sweep-level choice: one per method, in selection.json and after the table.
    let choice: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("selection.json")).unwrap())
            .unwrap();
    let chosen: Vec<&str> = choice["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(chosen, ["exposure_entropy", "mmr"], "{choice}");
    assert!(stdout.contains("chosen on validation"), "{stdout}");
}

#[test]
fn two_seeds_give_seed_level_statistics_and_patience_stops_runs() {
    let out = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(repo("tests/fixtures/tiny.yaml"))
        .unwrap()
        .replace(
            "  lambda: [0, 1]\n",
            "  lambda: [0, 1]\n  seeds: [5, 6, 7]\n",
        )
        .replace("  epochs: 3\n", "  epochs: 8\n")
        .replace("  every: 1\n", "  every: 1\n  patience: 1\n");
    assert!(yaml.contains("patience: 1") && yaml.contains("seeds: [5, 6, 7]"));
    let file = out.path().join("tiny3.yaml");
    std::fs::write(&file, yaml).unwrap();
    let dir = out.path().join("s");
    let stdout = recsweep_ok(&[
        "--run",
        file.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let summaries = check_store(&dir, "cpu");
    assert_eq!(summaries.len(), 6);
    let ndcg = metric("ndcg@5");
    for s in &summaries {
        let sel = s.selection.as_ref().unwrap();
        // Patience 1: a run stops at its first evaluation without a better NDCG@5.
        assert_eq!(sel.stopped_early, s.epochs_completed < 8, "{}", s.run_id);
        assert!(sel.epoch <= s.epochs_completed, "{}", s.run_id);
        // Every run of a (method, λ) holds the same seed-level view of its three seeds.
        let a = &s.across_seeds[&ndcg];
        assert_eq!(a.seeds, 3, "{}", s.run_id);
        let same: Vec<f64> = summaries
            .iter()
            .filter(|o| o.lambda == s.lambda)
            .map(|o| o.test[&ndcg])
            .collect();
        let mean = same.iter().sum::<f64>() / 3.0;
        assert!((a.mean - mean).abs() < 1e-12, "{}", s.run_id);
        assert!(a.ci95[0] <= mean && mean <= a.ci95[1], "{}", s.run_id);
        match a.versus_lambda0.as_ref() {
            None => assert_eq!(s.lambda, 0.0),
            Some(c) => {
                assert_eq!((c.seeds, c.baseline_method.as_str()), (3, "baseline"));
                assert!((0.0..=1.0).contains(&c.t_test_p));
                assert!(c.t_test_p_holm.unwrap() >= c.t_test_p);
            }
        }
    }
    assert!(stdout.contains("across seeds"), "{stdout}");
    // front.csv's mean rows carry the seed-level p of each axis for λ ≠ 0.
    let front = std::fs::read_to_string(dir.join("front.csv")).unwrap();
    let header: Vec<&str> = front.lines().next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mean_rows: Vec<Vec<&str>> = front
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[at("kind")] == "mean" && r[at("lambda")] == "1")
        .collect();
    assert!(!mean_rows.is_empty(), "{front}");
    for r in mean_rows {
        let p: f64 = r[at("relevance_p_seeds")].parse().unwrap();
        assert!((0.0..=1.0).contains(&p), "{r:?}");
    }
}

#[test]
fn tiny_sweep_on_wgpu_really_uses_wgpu() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("w");
    let stdout = recsweep_ok(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--backend",
        "wgpu",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(stdout.contains("backend: wgpu"), "{stdout}");
    let summaries = check_store(&dir, "wgpu");
    // The adapter is a real one named by the driver, not the CPU backend's label.
    assert!(
        summaries
            .iter()
            .all(|s| s.adapter != "flex (CPU)" && !s.adapter.is_empty())
    );
}

#[test]
fn same_seed_on_cpu_gives_the_same_metrics() {
    let out = tempfile::tempdir().unwrap();
    let runs: Vec<_> = ["a", "b"]
        .iter()
        .map(|name| {
            let dir = out.path().join(name);
            recsweep_ok(&[
                "--run",
                "tests/fixtures/tiny.yaml",
                "--backend",
                "cpu",
                "--out",
                dir.to_str().unwrap(),
            ]);
            dir
        })
        .collect();
    for id in run_ids(&runs[0]) {
        let (a, b) = (summary(&runs[0], &id), summary(&runs[1], &id));
        assert_eq!(
            a.test, b.test,
            "{id}: test metrics differ between identical runs"
        );
        let recs =
            |d: &Path| std::fs::read_to_string(d.join(&id).join("recommendations.csv")).unwrap();
        assert_eq!(
            recs(&runs[0]),
            recs(&runs[1]),
            "{id}: recommendations differ"
        );
    }
}

#[test]
fn only_trains_one_run_and_unknown_only_exits_2() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("one");
    recsweep_ok(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--only",
        "exposure_entropy_lambda-1_seed-5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        run_ids(&dir),
        vec!["exposure_entropy_lambda-1_seed-5".to_string()]
    );
    assert!(!dir.join("lambda-0_seed-5").exists());
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--only",
        "lambda-7_seed-5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("'lambda-7_seed-5'"));
}

#[test]
fn a_run_that_diverges_fails_alone_and_the_sweep_exits_1() {
    // λ = 1e39 overflows f32: that run's loss is infinite. The λ = 0 run must still finish.
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(repo("tests/fixtures/tiny.yaml"))
        .unwrap()
        .replace("lambda: [0, 1]", "lambda: [0, 1.0e39]");
    let file = dir.path().join("diverge.yaml");
    std::fs::write(&file, yaml).unwrap();
    let out = dir.path().join("out");
    let o = recsweep(&[
        "--run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    let ok = summary(&out, "lambda-0_seed-5");
    assert_eq!(ok.status, recsweep::events::RunStatus::Finished);
    let bad_id = run_ids(&out)
        .into_iter()
        .find(|id| id != "lambda-0_seed-5")
        .unwrap();
    let bad = summary(&out, &bad_id);
    assert_eq!(bad.status, recsweep::events::RunStatus::Failed);
    assert!(
        bad.reason.as_deref().unwrap_or("").contains("non-finite"),
        "{:?}",
        bad.reason
    );
}

/// Made-up ratings in MovieLens-100K's `u.data` format (tab-separated user, item, rating,
/// timestamp). No real data: the licensed files are only ever read from `../shared`.
const MADE_UP_RATINGS: &str = concat!(
    "1\t10\t4\t881250960\n",
    "1\t11\t4\t881250961\n",
    "1\t12\t3\t881250962\n",
    "1\t10\t5\t881250949\n",
    "2\t12\t5\t881250972\n",
    "2\t13\t4\t881250973\n",
    "2\t14\t2\t881250974\n",
    "3\t10\t4\t881250980\n",
    "3\t13\t1\t881250981\n",
    "3\t15\t3\t881250982\n",
    "3\t14\t5\t881250983\n",
    "4\t15\t2\t881250990\n",
    "5\t16\t4\t881251001\n",
);

/// Made-up items in `u.item`'s format: pipe-separated, 19 genre flags at the end; written as
/// Latin-1 like the original.
const MADE_UP_ITEMS: &str = concat!(
    "10|Paper Kites (1994)|01-Jan-1994||http://example.invalid/movie/10|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n",
    "11|Orbit of the Lost Comet (1997)|01-Jan-1997||http://example.invalid/movie/11|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|1|1|0|0\n",
    "12|Café Lumière (1996)|01-Jan-1996||http://example.invalid/movie/12|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n",
    "13|Untitled Reel No. 3 (1995)|01-Jan-1995||http://example.invalid/movie/13|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n",
    "14|The Rain on Harbour Street (1948)|01-Jan-1948||http://example.invalid/movie/14|0|0|0|0|0|0|1|0|0|0|1|0|0|1|0|0|0|0|0\n",
    "15|Nothing in Particular (1993)|01-Jan-1993||http://example.invalid/movie/15|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n",
    "16|Last Train to Señora Creek (1952)|01-Jan-1952||http://example.invalid/movie/16|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0|1|1\n",
    "17|The Cellar Door (1981)|01-Jan-1981||http://example.invalid/movie/17|0|0|0|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0\n",
);

/// A directory in MovieLens-100K's layout holding [`MADE_UP_RATINGS`] and [`MADE_UP_ITEMS`].
fn made_up_movielens(dir: &Path) {
    std::fs::write(dir.join("u.data"), MADE_UP_RATINGS).unwrap();
    let latin1: Vec<u8> = MADE_UP_ITEMS
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect();
    std::fs::write(dir.join("u.item"), latin1).unwrap();
}

/// The MovieLens loader on made-up files in its format, every expected value counted by hand
/// from the two constants above.
#[test]
fn movielens_loader_reads_a_made_up_fixture() {
    let dir = tempfile::tempdir().unwrap();
    made_up_movielens(dir.path());
    let yaml = "name: ml-tiny\nseed: 1\ndata:\n  source: movielens-100k\n  path: .\n  positive_threshold: 4\nsweep:\n  lambda: [0]\n";
    let exp = recsweep::config::parse_str(yaml, &dir.path().join("ml-tiny.yaml")).unwrap();
    assert_eq!(exp.data.positive_threshold, 4.0);
    let data = recsweep::data::load(&exp.data, exp.seed).unwrap();
    // u.data: 13 ratings by users 1..=5 of items 10..=16, indexed in order of first appearance.
    assert_eq!(data.user_ids, ["1", "2", "3", "4", "5"]);
    assert_eq!(data.item_ids, ["10", "11", "12", "13", "14", "15", "16"]);
    assert!(
        data.description.contains("MovieLens-100K"),
        "{}",
        data.description
    );
    // Ratings 4 and 5 are positives: (1,10) (1,11) (2,12) (2,13) (3,10) (3,14) (5,16); user 1
    // rated item 10 twice (4 at 881250960, then 5 at the earlier 881250949): one positive, at
    // its latest time. User 4 rated one item 2: a user with no positive.
    let positives: Vec<(&str, &str, i64)> = data
        .positives
        .iter()
        .map(|p| {
            (
                data.user_ids[p.user as usize].as_str(),
                data.item_ids[p.item as usize].as_str(),
                p.timestamp.expect("u.data has timestamps"),
            )
        })
        .collect();
    assert_eq!(
        positives,
        [
            ("1", "10", 881_250_960),
            ("1", "11", 881_250_961),
            ("2", "12", 881_250_972),
            ("2", "13", 881_250_973),
            ("3", "10", 881_250_980),
            ("3", "14", 881_250_983),
            ("5", "16", 881_251_001),
        ]
    );
    // The interactions below the threshold, per user (what the candidate rule is about).
    let below: Vec<Vec<&str>> = data
        .below_threshold
        .iter()
        .map(|items| {
            items
                .iter()
                .map(|&i| data.item_ids[i as usize].as_str())
                .collect()
        })
        .collect();
    assert_eq!(
        below,
        [vec!["12"], vec!["14"], vec!["13", "15"], vec!["15"], vec![],]
    );
    // Genres from u.item's 19 trailing flags, in u.genre's order; item 15 has none set and
    // item 17 (in u.item, never rated) is not an item of the data set.
    assert_eq!(data.category_names.len(), 19);
    assert_eq!(data.category_names[0], "unknown");
    assert_eq!(data.category_names[18], "Western");
    let genres: Vec<Vec<&str>> = data
        .item_categories
        .iter()
        .map(|cats| {
            cats.iter()
                .map(|&c| data.category_names[c as usize].as_str())
                .collect()
        })
        .collect();
    assert_eq!(
        genres,
        [
            vec!["Animation", "Children's", "Comedy"],
            vec!["Action", "Adventure", "Sci-Fi", "Thriller"],
            vec!["Drama"],
            vec!["unknown"],
            vec!["Crime", "Film-Noir", "Mystery"],
            vec![],
            vec!["Romance", "War", "Western"],
        ]
    );
}

#[test]
fn movielens_loads_from_shared_when_present() {
    // The data set is read from ../shared, never shipped; CI clones have it beside the repo.
    let dir = repo("../shared/datasets/ml-100k");
    if !dir.join("u.data").is_file() {
        // On stderr directly: libtest captures eprintln! of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "note: MovieLens-100K not found at {}: the check against the real data set is skipped",
            dir.display()
        );
        return;
    }
    let exp = recsweep::config::load(&repo("experiments/ml100k.yaml")).unwrap();
    let data = recsweep::data::load(&exp.data, exp.seed).unwrap();
    assert_eq!((data.n_users(), data.n_items()), (943, 1682));
    // 100,000 ratings, 55,375 of them 4 or 5.
    assert_eq!(data.positives.len(), 55_375);
    assert_eq!(data.category_names.len(), 19);
    assert!(data.item_categories.iter().all(|c| !c.is_empty()));
}

#[test]
fn a_stop_flag_interrupts_a_run_cleanly() {
    use std::sync::Arc;

    let exp = recsweep::config::load(&repo("tests/fixtures/tiny.yaml")).unwrap();
    let data = recsweep::data::load(&exp.data, exp.seed).unwrap();
    let runs = exp.runs();
    let run = &runs[0];
    let split =
        recsweep::data::PreparedSplit::new(&data, &exp.data.split, run.seed, exp.eval.head_share);
    let ctx = recsweep::train::SweepContext {
        categories: Arc::new(recsweep::metrics::ItemCategories::new(
            data.item_categories.clone(),
        )),
        data: Arc::new(data),
        device: recsweep::backend::select(recsweep::config::Backend::Cpu).unwrap(),
        experiment: Arc::new(exp.clone()),
        content: None,
        threads_per_run: 1,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let stop = recsweep::train::StopFlag::default();
    stop.stop();
    let outcome = recsweep::train::train_run(&ctx, run, &split, &tx, &stop).unwrap();
    assert_eq!(outcome.status, recsweep::events::RunStatus::Interrupted);
    assert_eq!(outcome.epochs_completed, 0);
    assert!(
        outcome.test.is_none(),
        "an interrupted run is not evaluated on test"
    );
    drop(tx);
    let events: Vec<_> = rx.iter().collect();
    assert!(matches!(
        events.first(),
        Some(recsweep::events::RunEvent::Started { .. })
    ));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, recsweep::events::RunEvent::Epoch { .. }))
    );
}

#[test]
fn missing_or_malformed_data_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = |path: &str| {
        format!(
            "name: f\ndata:\n  source: file\n  path: {path}\n  columns: {{user: u, item: i}}\nsweep:\n  lambda: [0]\n"
        )
    };
    let file = dir.path().join("e.yaml");
    std::fs::write(&file, yaml("nowhere.csv")).unwrap();
    let o = recsweep(&[
        "--run",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nowhere.csv"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    std::fs::write(dir.path().join("bad.csv"), "user,item\n1,2\n").unwrap();
    std::fs::write(&file, yaml("bad.csv")).unwrap();
    let o = recsweep(&[
        "--run",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("column 'u'") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn csv_and_parquet_files_load_the_same_interactions() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut df = df!(
        "uid" => ["a", "a", "b", "b", "c"],
        "iid" => ["x", "y", "x", "z", "y"],
        "stars" => [5.0, 2.0, 4.0, 4.5, 1.0],
    )
    .unwrap();
    let csv = dir.path().join("log.csv");
    CsvWriter::new(std::fs::File::create(&csv).unwrap())
        .finish(&mut df)
        .unwrap();
    let parquet = dir.path().join("log.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut df)
        .unwrap();
    for path in [&csv, &parquet] {
        let yaml = format!(
            "name: f\ndata:\n  source: file\n  path: {}\n  columns: {{user: uid, item: iid, rating: stars}}\n  positive_threshold: 4\nsweep:\n  lambda: [0]\n",
            path.display()
        );
        let exp = recsweep::config::parse_str(&yaml, &dir.path().join("e.yaml")).unwrap();
        let data = recsweep::data::load(&exp.data, exp.seed).unwrap();
        assert_eq!(
            (data.n_users(), data.n_items()),
            (3, 3),
            "{}",
            path.display()
        );
        // Ratings 5, 4 and 4.5 are positives; 2 and 1 are interactions only.
        assert_eq!(data.positives.len(), 3, "{}", path.display());
        assert_eq!(data.below_threshold.iter().map(Vec::len).sum::<usize>(), 2);
    }
}

#[test]
fn bench_quick_prints_every_main_figure_and_says_why_the_peer_did_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("bench.jsonl");
    let stdout = recsweep_ok(&[
        "bench",
        "--quick",
        "--repeats",
        "1",
        "--python",
        "/nonexistent/python",
        // A script that exists (which one does not matter: its Python cannot start).
        "--peer",
        "tests/crosscheck.py",
        "--json",
        json.to_str().unwrap(),
    ]);
    for what in [
        "epoch",
        "eval_scoring",
        "eval_top_k",
        "eval_all_metrics",
        "rerank_per_user",
    ] {
        assert!(stdout.contains(what), "{what} missing:\n{stdout}");
    }
    for method in ["mmr", "dpp", "xquad", "calibrated"] {
        assert!(
            stdout.contains(&format!("rerank_per_user · recsweep {method}")),
            "{method}:\n{stdout}"
        );
    }
    assert!(stdout.contains("λ = 0.1"), "{stdout}");
    assert!(
        stdout.contains("PyTorch peer not run") && stdout.contains("/nonexistent/python"),
        "{stdout}"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&json)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let figures: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("median_s").is_some())
        .collect();
    // Two epochs, three evaluation passes, four re-rankers.
    assert_eq!(figures.len(), 9, "{lines:?}");
    for f in figures {
        let (lo, mid, hi) = (
            f["min_s"].as_f64().unwrap(),
            f["median_s"].as_f64().unwrap(),
            f["max_s"].as_f64().unwrap(),
        );
        assert!(0.0 < lo && lo <= mid && mid <= hi, "{f}");
    }
    // λ > 0 over λ = 0 is among the ratios (both epochs were timed).
    assert!(
        lines
            .iter()
            .any(|l| l["what"].as_str() == Some("epoch: fused λ = 0.1 ÷ fused λ = 0")),
        "{lines:?}"
    );
}

#[test]
fn an_output_directory_that_is_a_file_or_holds_a_sweep_is_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the directory should be.
    let file = tmp.path().join("taken");
    std::fs::write(&file, "not a directory").unwrap();
    let stderr = recsweep_refused(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("output directory") && stderr.contains(file.to_str().unwrap()),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
    // A directory that already holds a sweep is never written over.
    let out = tmp.path().join("sweep");
    recsweep_ok(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    let before = std::fs::read(out.join("sweep.json")).unwrap();
    let stderr = recsweep_refused(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stderr.contains("already holds a sweep"), "{stderr}");
    assert_eq!(std::fs::read(out.join("sweep.json")).unwrap(), before);
}

#[test]
fn data_that_leaves_no_held_out_positive_is_refused_before_writing() {
    // One positive per user: the per-user split holds none of them out.
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("user,item\n");
    for u in 1..=30 {
        csv.push_str(&format!("u{u},i{}\n", u % 7));
    }
    std::fs::write(tmp.path().join("one.csv"), csv).unwrap();
    let yaml = tmp.path().join("one.yaml");
    std::fs::write(
        &yaml,
        "name: one\ndata:\n  source: file\n  path: one.csv\n  columns: {user: user, item: item}\nsweep:\n  lambda: [0, 0.1]\ntrain:\n  epochs: 1\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let stderr = recsweep_refused(&[
        "--run",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("no user with a held-out test positive") && stderr.contains("30 users"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

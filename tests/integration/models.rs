//! The models beyond MF through the real binary: LightGCN and the two-tower model train with
//! a regulariser and a re-ranker on the CPU, LightGCN on wgpu too; the two-tower model reads
//! an embeddings file, counts the items it lacks, and refuses a bad one with exit 2.

use std::path::Path;

use crate::support::{recsweep, recsweep_refused, repo};

/// tiny.yaml with `model` as its model section, λ ∈ {0, 1} and MMR at θ = 0.5.
fn tiny_with(dir: &Path, name: &str, model: &str) -> std::path::PathBuf {
    let tiny = std::fs::read_to_string(repo("tests/fixtures/tiny.yaml")).unwrap();
    let yaml = tiny
        .replace(
            "model:\n  dim: 16\n",
            &format!("model:\n  dim: 16\n{model}"),
        )
        .replace("name: tiny", &format!("name: {name}"))
        + "rerank:\n  methods: [mmr]\n  theta: [0.5]\n  candidates: 20\n";
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, yaml).unwrap();
    path
}

fn run_ok(args: &[&str]) -> String {
    let o = recsweep(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `recsweep --run yaml --backend backend --out out`, which must exit 0; its stdout.
fn sweep(yaml: &Path, backend: &str, out: &Path) -> String {
    run_ok(&[
        "--run",
        yaml.to_str().unwrap(),
        "--backend",
        backend,
        "--out",
        out.to_str().unwrap(),
    ])
}

fn finished_runs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path().join("summary.json");
            let s = std::fs::read_to_string(p).ok()?;
            s.contains("\"status\": \"finished\"").then_some(())
        })
        .count()
}

/// Every regulariser (the two-task model included) and every re-ranker, on each model.
#[test]
fn lightgcn_and_two_towers_train_with_every_regulariser_and_reranker() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, model) in [
        ("lgcn", "  kind: lightgcn\n  layers: 2\n"),
        ("towers", "  kind: two_tower\n"),
    ] {
        let yaml = tiny_with(tmp.path(), name, model);
        let every = std::fs::read_to_string(&yaml)
            .unwrap()
            .replace(
                "diversity:\n",
                "diversity:\n  regularizer: [exposure_entropy, category_spread, popularity_penalty, two_task]\n",
            )
            .replace("methods: [mmr]", "methods: [mmr, dpp, xquad, calibrated]");
        std::fs::write(&yaml, every).unwrap();
        let out = tmp.path().join(format!("{name}-out"));
        let stdout = sweep(&yaml, "cpu", &out);
        // The baseline, four regularisers at λ = 1, the two-task model's own λ = 0, and four
        // re-rankers.
        assert_eq!(finished_runs(&out), 10, "{stdout}");
        assert!(
            stdout.contains("cpu (burn flex)"),
            "not the burn engine:\n{stdout}"
        );
        if name == "towers" {
            // tiny.yaml's synthetic data: 6 categories and the generated vectors.
            assert!(
                stdout.contains("item content: categories 6 + generated 16 = 22 dimensions"),
                "{stdout}"
            );
        }
        // Each run's config.yaml reproduces its model.
        let config =
            std::fs::read_to_string(out.join("lambda-0_seed-5").join("config.yaml")).unwrap();
        let kind = if name == "lgcn" {
            "lightgcn"
        } else {
            "two_tower"
        };
        assert!(config.contains(&format!("kind: {kind}")), "{config}");
    }
}

#[test]
fn lightgcn_trains_on_wgpu() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tiny_with(tmp.path(), "lgcn-gpu", "  kind: lightgcn\n  layers: 2\n");
    let text = std::fs::read_to_string(&yaml)
        .unwrap()
        .replace("epochs: 3", "epochs: 1")
        .replace("lambda: [0, 1]", "lambda: [0]");
    std::fs::write(&yaml, text).unwrap();
    let out = tmp.path().join("out");
    let stdout = sweep(&yaml, "wgpu", &out);
    assert!(stdout.contains("backend: wgpu"), "{stdout}");
    assert_eq!(finished_runs(&out), 2, "{stdout}");
}

#[test]
fn the_two_tower_model_reads_an_embeddings_file_and_refuses_a_bad_one() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml_for = |file: &str, dim: usize| {
        tiny_with(
            tmp.path(),
            &format!("emb-{}", file.replace('.', "-")),
            &format!(
                "  kind: two_tower\n  content:\n    embeddings: {file}\n    embedding_dim: {dim}\n"
            ),
        )
    };
    // The data's item ids, as the loader names them.
    let probe = yaml_for("probe.csv", 3);
    std::fs::write(tmp.path().join("probe.csv"), "item_id,a,b,c\n").unwrap();
    let exp = recsweep::config::load(&probe).unwrap();
    let data = recsweep::data::load(&exp.data, exp.seed).unwrap();
    // Vectors for all but the last 20 items.
    let mut csv = String::from("item_id,a,b,c\n");
    for (i, id) in data.item_ids.iter().enumerate().take(data.n_items() - 20) {
        csv.push_str(&format!("{id},{},{},1\n", i % 3, i % 5));
    }
    std::fs::write(tmp.path().join("vectors.csv"), &csv).unwrap();
    let yaml = yaml_for("vectors.csv", 3);
    let out = tmp.path().join("out");
    let stdout = sweep(&yaml, "cpu", &out);
    assert!(
        stdout.contains("embeddings 3 = 25 dimensions; 20 item(s) without a vector"),
        "{stdout}"
    );
    // A vector of the wrong dimension: exit 2, the file, the line and the value, nothing
    // written.
    let bad = csv.replacen(",1\n", ",1,7\n", 1);
    std::fs::write(tmp.path().join("bad.csv"), bad).unwrap();
    let yaml = yaml_for("bad.csv", 3);
    let out = tmp.path().join("bad-out");
    let stderr = recsweep_refused(&[
        "--run",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("bad.csv") && stderr.contains("line 2") && stderr.contains("4 values"),
        "{stderr}"
    );
    assert!(!out.exists(), "a refused sweep wrote its directory");
}

//! Config parsing and validation: every shipped experiment is valid, and each invalid YAML
//! under `tests/invalid_configs/` is rejected with a message naming the file, the field and
//! the offending value.

use std::path::Path;

use recsweep::config::{self, ConfigError};

use crate::support::{recsweep, repo};

#[test]
fn shipped_experiments_are_valid() {
    let mut n = 0;
    for entry in std::fs::read_dir(repo("experiments")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let exp = config::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                exp.lambdas.len() >= 2,
                "{}: a sweep needs several λ",
                path.display()
            );
            n += 1;
        }
    }
    assert!(n >= 4, "expected at least four experiments, found {n}");
}

#[test]
fn quickstart_expands_to_four_lambdas_including_zero() {
    let exp = config::load(&repo("experiments/quickstart.yaml")).unwrap();
    assert!(exp.lambdas.len() >= 4);
    assert!(exp.lambdas.contains(&0.0));
    let ids: Vec<String> = exp.runs().into_iter().map(|r| r.id).collect();
    assert!(ids.contains(&"lambda-0_seed-7".to_string()), "{ids:?}");
    assert!(
        ids.contains(&"exposure_entropy_lambda-0.3_seed-7".to_string()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"exposure_entropy_lambda-0.1_seed-7".to_string()),
        "{ids:?}"
    );
}

#[test]
fn log_range_with_zero_and_seeds_expands_lambda_major() {
    let exp = config::load(&repo("experiments/bpr-log-sweep.yaml")).unwrap();
    assert_eq!(exp.lambdas, vec![0.0, 0.03, 0.0948683, 0.3, 0.948683, 3.0]);
    let runs = exp.runs();
    assert_eq!(runs.len(), 18);
    assert_eq!(runs[0].id, "lambda-0_seed-11");
    assert_eq!(runs[1].id, "lambda-0_seed-12");
    assert_eq!(runs[3].id, "exposure_entropy_lambda-0.03_seed-11");
}

#[test]
fn only_selects_one_run_or_names_the_choices() {
    let exp = config::load(&repo("experiments/quickstart.yaml")).unwrap();
    assert_eq!(
        exp.select_runs(Some("exposure_entropy_lambda-0.3_seed-7"))
            .unwrap()
            .len(),
        1
    );
    // A re-ranking run brings the baseline whose candidates it re-ranks.
    let ids: Vec<String> = exp
        .select_runs(Some("mmr_theta-0.5_seed-7"))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["lambda-0_seed-7", "mmr_theta-0.5_seed-7"]);
    let err = exp
        .select_runs(Some("lambda-9_seed-7"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'lambda-9_seed-7'") && err.contains("lambda-0_seed-7"),
        "{err}"
    );
}

#[test]
fn run_config_reparses_to_that_run_alone() {
    let exp = config::load(&repo("experiments/quickstart.yaml")).unwrap();
    let run = &exp.runs()[2];
    let yaml = exp.run_config_yaml(run);
    let one = config::parse_str(&yaml, Path::new("/tmp/config.yaml")).unwrap();
    assert_eq!(one.lambdas, vec![run.lambda]);
    assert_eq!(one.seeds, vec![run.seed]);
    assert_eq!(one.train, exp.train);
    assert_eq!(one.data, exp.data);
    assert_eq!(one.runs()[0].id, run.id);
}

/// (file, substrings the error must contain)
const CASES: &[(&str, &[&str])] = &[
    ("zero_epochs.yaml", &["train.epochs", "'0'", "at least 1"]),
    (
        "unknown_field.yaml",
        &["unknown field", "epoch", "did you mean 'epochs'?"],
    ),
    (
        "lambda_scalar.yaml",
        &["sweep.lambda", "'0.5'", "write it as a list, [0.5]"],
    ),
    (
        "lambda_range_misspelt.yaml",
        &["sweep.lambda", "stpes", "did you mean 'steps'?", "line 5"],
    ),
    (
        "lambda_range_negative_steps.yaml",
        &["sweep.lambda", "-3", "line 5"],
    ),
    ("lambda_list_not_numbers.yaml", &["sweep.lambda", "high"]),
    (
        "k_above_catalogue.yaml",
        &["eval.k", "'100'", "data.synthetic.items: 60"],
    ),
    ("deeply_nested.yaml", &["line 5", "nest deeper than 32"]),
    ("not_utf8.yaml", &["not UTF-8", "line 4"]),
    (
        "huge_users.yaml",
        &["data.synthetic.users", "'1000000000000'", "at most 2000000"],
    ),
    (
        "huge_negatives.yaml",
        &["train.negatives", "'1000000000000'", "at most 1000"],
    ),
    (
        "huge_steps.yaml",
        &["sweep.lambda.steps", "'1000000000000'", "at most 1000"],
    ),
    (
        "huge_interactions.yaml",
        &[
            "data.synthetic.interactions_per_user",
            "'400000'",
            "more than 100000000 interactions",
        ],
    ),
    (
        "unknown_engine.yaml",
        &["train.cpu_engine", "fast", "fused", "burn"],
    ),
    ("negative_lambda.yaml", &["sweep.lambda[1]", "'-0.5'"]),
    ("wrong_type.yaml", &["train.learning_rate", "fast"]),
    ("missing_path.yaml", &["data.path", "needs a path"]),
    ("unknown_backend.yaml", &["train.backend", "tpu"]),
    (
        "log_from_zero.yaml",
        &["sweep.lambda.from", "'0'", "log scale"],
    ),
    ("test_share_too_big.yaml", &["data.split.test", "'1.5'"]),
    ("zero_k.yaml", &["eval.k", "'0'"]),
    ("empty_seeds.yaml", &["sweep.seeds", "'[]'"]),
    ("bad_name.yaml", &["name", "'bad name!'"]),
    (
        "too_many_interactions.yaml",
        &["data.synthetic.interactions_per_user", "'40'"],
    ),
    ("yaml_syntax.yaml", &["yaml_syntax.yaml"]),
    (
        "wrong_extension.yaml",
        &["data.path", "'data.txt'", ".csv or .parquet"],
    ),
    (
        "plot_metric_not_evaluated.yaml",
        &["plots.relevance", "'ndcg@10'", "[5, 20]"],
    ),
    (
        "plot_metric_malformed.yaml",
        &["plots.diversity", "'coverage@+5'", "positive whole number"],
    ),
    ("plot_too_small.yaml", &["plots.width", "'100'"]),
    (
        "preset_with_size.yaml",
        &["plots.height", "'900'", "single_column", "remove one"],
    ),
    ("preset_unknown.yaml", &["one_column", "single_column"]),
    ("layers_on_mf.yaml", &["model.layers", "'3'", "lightgcn"]),
    ("lightgcn_too_deep.yaml", &["model.layers", "'12'"]),
    (
        "embeddings_without_dim.yaml",
        &["model.content.embeddings", "vectors.csv", "embedding_dim"],
    ),
    (
        "embeddings_missing_file.yaml",
        &[
            "model.content.embeddings",
            "no-such-file.parquet",
            "no such file",
        ],
    ),
    ("unknown_model.yaml", &["deepfm", "two_tower", "lightgcn"]),
    (
        "theta_above_one.yaml",
        &["rerank.theta[1]", "'1.5'", "[0, 1]"],
    ),
    (
        "duplicate_method.yaml",
        &[
            "diversity.regularizer",
            "'exposure_entropy'",
            "appears twice",
        ],
    ),
    (
        "zero_weight.yaml",
        &["diversity.regularizer.popularity_penalty", "'0'", "> 0"],
    ),
    (
        "misspelt_regularizer.yaml",
        &["category_sprad", "category_spread", "line 5"],
    ),
    (
        "front_axis_not_evaluated.yaml",
        &["plots.fronts[1]", "'ild@30'"],
    ),
    (
        "patience_without_validation.yaml",
        &["eval.patience", "'3'", "needs a validation split"],
    ),
    (
        "select_without_validation.yaml",
        &["select.lambda", "validation: 0", "needs a validation split"],
    ),
    (
        "select_keep_above_one.yaml",
        &["select.lambda.keep", "'1.5'"],
    ),
    (
        "select_relevance_lower_is_better.yaml",
        &["select.lambda.relevance", "'gini@10'", "better when higher"],
    ),
    (
        "unknown_below_threshold.yaml",
        &["data.below_threshold", "ignore", "drop", "mask"],
    ),
    (
        "temporal_global_without_timestamps.yaml",
        &[
            "data.split.method",
            "'temporal-global'",
            "synthetic data records none",
        ],
    ),
    (
        "misspelt_split_method.yaml",
        &["data.split.method", "leave_last_out", "leave-last-out"],
    ),
    (
        "split_seed_with_vary.yaml",
        &["data.split.seed", "'7'", "vary_with_seed"],
    ),
    (
        "decoupled_on_batch_rows.yaml",
        &[
            "train.weight_decay_on",
            "'batch_rows'",
            "weight_decay_kind: decoupled",
        ],
    ),
    (
        "adam_epsilon_too_big.yaml",
        &["train.adam_epsilon", "'0.1'", "at most 0.01"],
    ),
    // `name: ".."` would write to runs/../<timestamp>, outside the store.
    (
        "name_dot_dot.yaml",
        &["name", "'..'", "starting with a letter or digit"],
    ),
    (
        "gate_not_evaluated.yaml",
        &[
            "gates[1]",
            "'chosen: coverage@20 >= 1.2 * baseline'",
            "not evaluated",
        ],
    ),
    ("gate_malformed.yaml", &["gates[0]", "'ndcg@10 => 0.2'"]),
    (
        "more_categories_than_items.yaml",
        &[
            "data.synthetic.categories",
            "'50'",
            "cannot exceed 'items' (20)",
        ],
    ),
];

#[test]
fn each_invalid_config_is_rejected_with_file_field_and_value() {
    for (file, needles) in CASES {
        let path = repo("tests/invalid_configs").join(file);
        let err = match config::load(&path) {
            Ok(_) => panic!("{file} was accepted"),
            Err(e) => e,
        };
        let msg = err.to_string();
        assert!(
            msg.contains(file),
            "{file}: error does not name the file: {msg}"
        );
        for n in *needles {
            assert!(msg.contains(n), "{file}: expected '{n}' in: {msg}");
        }
        assert!(
            matches!(
                err,
                ConfigError::Syntax { .. } | ConfigError::Invalid { .. }
            ),
            "{file}: {err:?}"
        );
    }
}

#[test]
fn every_fixture_has_a_case() {
    let fixtures: Vec<String> = std::fs::read_dir(repo("tests/invalid_configs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for f in &fixtures {
        assert!(
            CASES.iter().any(|(c, _)| c == f),
            "fixture {f} is not checked"
        );
    }
}

#[test]
fn the_binary_exits_2_with_the_error_on_stderr() {
    let out = recsweep(&["--run", "tests/invalid_configs/zero_epochs.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("zero_epochs.yaml") && stderr.contains("train.epochs"),
        "{stderr}"
    );
    // Nothing half-written: a rejected config creates no run directory.
    assert!(
        out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("run directories")
    );
}

#[test]
fn parallel_zero_on_the_command_line_is_rejected_like_in_the_file() {
    let out = recsweep(&["--run", "tests/fixtures/tiny.yaml", "--parallel", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--parallel") && stderr.contains("'0'"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("run directories"));
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let err = config::load(Path::new("no/such/experiment.yaml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'no/such/experiment.yaml'"), "{err}");
}

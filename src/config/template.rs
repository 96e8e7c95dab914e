//! `recsweep new NAME`: a new experiment file with every key at its default, commented, so
//! that a researcher edits values instead of looking keys up. Every value written is the
//! default (tested against an experiment that writes none of them).

/// The YAML of a new experiment called `name` (validated when it is read back).
pub fn new_experiment_yaml(name: &str) -> String {
    format!(
        r#"# Experiment '{name}' (written by `recsweep new`): every key below is at its default; the
# README's "Experiment YAML reference" says what each does. Run it with:
#   recsweep --run THIS_FILE
name: {name}
seed: 42                       # synthetic data, the split, and the runs when sweep.seeds is absent

data:
  source: synthetic            # synthetic | movielens-100k (path: a folder) | file (path: CSV or Parquet)
  # path: ../shared/datasets/ml-100k
  # columns: {{user: user_id, item: item_id, rating: rating, timestamp: timestamp}}   # source: file
  synthetic:
    users: 600
    items: 400
    categories: 12
    interactions_per_user: 30
    popularity_exponent: 1.0   # Zipf exponent of item popularity
    categories_per_user: 2
    preference_strength: 0.8
  positive_threshold: 1.0      # a rating at or above this is a positive
  below_threshold: drop        # drop | mask: what the interactions rated below it are
  split:
    method: random             # random | leave-one-out | leave-last-out | temporal | temporal-global
    test: 0.2
    validation: 0.1            # selects each run's epoch and the sweep's λ (0: nothing selected)

model:
  kind: mf                     # matrix factorisation with item bias; or two_tower, lightgcn
  dim: 32
  # layers: 3                  # lightgcn: propagation layers
  # content:                   # two_tower: the item content
  #   categories: true
  #   text: true               # MovieLens-100K titles, the synthetic data's vectors
  #   embeddings: vectors.csv  # item_id,v1,... (or Parquet), with embedding_dim
  #   embedding_dim: 384
  #   user_content: true

train:
  epochs: 10
  batch_size: 1024
  learning_rate: 0.005
  weight_decay: 1.0e-5
  weight_decay_kind: coupled   # coupled (Adam's L2) | decoupled (AdamW)
  weight_decay_on: parameters  # parameters | batch_rows
  adam_epsilon: 1.0e-8
  adam_betas: [0.9, 0.999]
  negatives: 4                 # sampled negatives per positive
  loss: bce                    # bce | bpr
  backend: auto                # auto (a GPU if any, else the CPU) | wgpu | cpu
  cpu_engine: fused            # fused | burn
  init_std: 0.1

diversity:
  regularizer: exposure_entropy  # exposure_entropy | category_spread | popularity_penalty | two_task, or a list
  temperature: 0.3
  sample_users: 64

sweep:
  lambda: [0, 0.1, 0.3]        # or {{from: 0.01, to: 1, steps: 5, scale: log, include_zero: true}}
  # seeds: [42, 43, 44]        # repeats of every λ

# rerank:                      # re-rankers of the λ = 0 model's candidates, swept by θ
#   methods: [mmr]             # mmr | dpp | xquad | calibrated
#   theta: [0.25, 0.5, 0.75]
#   candidates: 100

eval:
  k: [10, 20]
  every: 1
  # select: ndcg@10            # default: ndcg at the first K
  # patience: 3
  head_share: 0.2

# select:
#   lambda: {{keep: 0.95}}     # per method, the most diverse λ keeping 95% of λ = 0's NDCG

# gates:                       # conditions CI checks; a failed one exits 3
#   - "baseline: ndcg@10 >= 0.1"

# parallel: 2                  # runs at once; default: the cores, at most 4

plots:
  # preset: single_column      # or double_column: a paper's column (then no width/height)
  width: 1600
  height: 1000
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use std::path::Path;

    /// The YAML below the comment header.
    fn body(yaml: &str) -> String {
        yaml.lines()
            .skip_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_value_written_is_the_default() {
        let file = Path::new("/tmp/x.yaml");
        let written = parse_str(&new_experiment_yaml("fresh"), file).unwrap();
        let minimal = parse_str(
            "name: fresh\ndata:\n  source: synthetic\nsweep:\n  lambda: [0, 0.1, 0.3]\n",
            file,
        )
        .unwrap();
        assert_eq!(
            body(&written.sweep_config_yaml()),
            body(&minimal.sweep_config_yaml())
        );
    }

    #[test]
    fn the_commented_sections_are_valid_when_uncommented() {
        let yaml = new_experiment_yaml("fresh")
            .replace("# rerank:", "rerank:")
            .replace("#   methods:", "  methods:")
            .replace("#   theta:", "  theta:")
            .replace("#   candidates:", "  candidates:")
            .replace("# select:\n#   lambda:", "select:\n  lambda:")
            .replace("# gates:", "gates:")
            .replace("#   - \"baseline", "  - \"baseline");
        let exp = parse_str(&yaml, Path::new("/tmp/x.yaml")).unwrap();
        assert!(exp.rerank.is_some() && exp.select.is_some());
        assert_eq!(exp.gates.len(), 1);
    }
}

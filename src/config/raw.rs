//! The YAML file as written: serde structs that mirror it, and nothing else.
//!
//! Every section whose keys all have defaults carries a struct-level `#[serde(default)]`, and
//! its defaults are written once, in that struct's `impl Default` (the README's table). A
//! section with a required key (`name`, `data.source`, `sweep.lambda`, a range's
//! `from`/`to`/`steps`) cannot have a `Default`, so its optional keys default field by field.
//! `deny_unknown_fields` everywhere so that a misspelt key is reported, never ignored.
//!
//! No value is checked here: [`Experiment::from_raw`](super::Experiment::from_raw) does that,
//! section by section. The same structs serialise each run's `config.yaml`, which must parse
//! back to that run.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::method::RegularizerSpec;
use crate::rerank::RerankMethod;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    pub name: String,
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub data: RawData,
    #[serde(default)]
    pub model: RawModel,
    #[serde(default)]
    pub train: RawTrain,
    #[serde(default)]
    pub diversity: RawDiversity,
    pub sweep: Sweep,
    /// Re-rankers applied to the relevance-only baseline's candidates; absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerank: Option<RawRerank>,
    #[serde(default)]
    pub eval: RawEval,
    /// Choices made on validation across the sweep; absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<RawSelect>,
    /// Conditions on the test metrics that `--run` checks at the end (see `config::gate`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<String>,
    /// Defaults of `recsweep slurm`'s flags; absent: the flags' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<RawCluster>,
    /// Runs trained at once; absent: the machine's cores, at most 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<usize>,
    #[serde(default)]
    pub plots: RawPlots,
}

/// The experiment's seed when the file gives none. A function rather than a section `Default`
/// because the top level has required keys, and `u64::default()` is not the default seed.
pub fn default_seed() -> u64 {
    42
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Synthetic,
    #[serde(rename = "movielens-100k")]
    Movielens100k,
    File,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub source: SourceKind,
    /// Directory (movielens-100k) or file (file); relative to the experiment file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<SyntheticParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Columns>,
    #[serde(default = "default_positive_threshold")]
    pub positive_threshold: f64,
    /// What evaluation does with interactions rated below `positive_threshold`.
    #[serde(default)]
    pub below_threshold: BelowThreshold,
    #[serde(default)]
    pub split: RawSplit,
}

/// The candidate rule: what every metric does with a user's interactions rated below
/// `data.positive_threshold`. Whichever is chosen, AUC and the top-K metrics rank the same
/// candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BelowThreshold {
    /// RecBole's protocol: they are dropped from the data, so they are ordinary unseen
    /// items — candidates for every list, negatives for AUC, misses for the top-K metrics.
    #[default]
    Drop,
    /// They are masked from every user's candidates at evaluation: never recommended, never
    /// a negative. (Uses the knowledge that the user rated them, test period included.)
    Mask,
}

impl BelowThreshold {
    /// The name in files: `drop`, `mask`.
    pub fn name(self) -> &'static str {
        match self {
            BelowThreshold::Drop => "drop",
            BelowThreshold::Mask => "mask",
        }
    }
}

/// `data.positive_threshold` when the file gives none (`data.source` is required, so the data
/// section has no `Default` to carry it). Synthetic data has rating 1 for every interaction;
/// MovieLens configs set 4 explicitly.
pub fn default_positive_threshold() -> f64 {
    1.0
}

/// Parameters of the synthetic generator. The defaults show a real relevance/diversity
/// trade-off: a long-tailed catalogue in categories, users who prefer a few of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyntheticParams {
    pub users: usize,
    pub items: usize,
    pub categories: usize,
    /// Mean interactions per user (each user draws around this many, at least 5).
    pub interactions_per_user: usize,
    /// Zipf exponent of item popularity (larger: a heavier head).
    pub popularity_exponent: f64,
    /// Categories each user prefers.
    pub categories_per_user: usize,
    /// Probability that an interaction falls in one of the user's preferred categories.
    pub preference_strength: f64,
}

impl Default for SyntheticParams {
    fn default() -> Self {
        Self {
            users: 600,
            items: 400,
            categories: 12,
            interactions_per_user: 30,
            popularity_exponent: 1.0,
            categories_per_user: 2,
            preference_strength: 0.8,
        }
    }
}

/// Column names of a CSV or Parquet interaction file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Columns {
    pub user: String,
    pub item: String,
    /// Absent: every row is a positive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// Needed by the time-ordered splits (`leave-last-out`, `temporal`, `temporal-global`);
    /// a row without a readable timestamp is then an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            user: "user".into(),
            item: "item".into(),
            rating: None,
            timestamp: None,
        }
    }
}

/// How the positives are divided between train, validation and test (`data.split.method`).
/// The exact rules, ties in time included, are in [`crate::data::split`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SplitMethod {
    /// Per user, a random `test` share of positives (then `validation` of the rest).
    Random,
    /// Per user, one *random* positive for test (and one for validation when `validation` >
    /// 0); `test` is ignored. Random, not the latest: for the latest, `leave-last-out`.
    LeaveOneOut,
    /// Per user, the latest positive for test and the next latest for validation (when
    /// `validation` > 0); `test` is ignored. The common next-item protocol.
    LeaveLastOut,
    /// Per user, the latest `test` share of positives by timestamp (then the latest
    /// `validation` share of the rest).
    Temporal,
    /// One time cut for everyone: the positives after the cut are the test set, whoever they
    /// belong to (then a second cut of the rest for validation).
    TemporalGlobal,
}

impl SplitMethod {
    pub const ALL: [SplitMethod; 5] = [
        SplitMethod::Random,
        SplitMethod::LeaveOneOut,
        SplitMethod::LeaveLastOut,
        SplitMethod::Temporal,
        SplitMethod::TemporalGlobal,
    ];

    /// The name in files: `random`, `leave-one-out`, `leave-last-out`, `temporal`,
    /// `temporal-global`.
    pub fn name(self) -> &'static str {
        match self {
            SplitMethod::Random => "random",
            SplitMethod::LeaveOneOut => "leave-one-out",
            SplitMethod::LeaveLastOut => "leave-last-out",
            SplitMethod::Temporal => "temporal",
            SplitMethod::TemporalGlobal => "temporal-global",
        }
    }

    /// Whether the split orders positives by time, so that the data must record it.
    pub fn needs_timestamps(self) -> bool {
        match self {
            SplitMethod::Random | SplitMethod::LeaveOneOut => false,
            SplitMethod::LeaveLastOut | SplitMethod::Temporal | SplitMethod::TemporalGlobal => true,
        }
    }

    /// Whether the split holds out one positive per user (test, and validation when
    /// `validation` > 0) rather than shares, so that `test` is ignored.
    pub fn holds_out_one(self) -> bool {
        matches!(self, SplitMethod::LeaveOneOut | SplitMethod::LeaveLastOut)
    }
}

impl std::fmt::Display for SplitMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `data.split`. The seed lives here rather than beside `sweep.seeds` because it is part of
/// what the split *is*: one section says everything about how positives are divided, and
/// `sweep` says only what is repeated. For the same reason the switch back to one split per
/// training seed is `data.split.vary_with_seed`, not a sweep option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSplit {
    pub method: SplitMethod,
    pub test: f64,
    pub validation: f64,
    /// The seed the split is drawn with; absent: the experiment's `seed`. Resolved into each
    /// run's `config.yaml`, so a run's config reproduces its split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Each training seed of `sweep.seeds` draws its own split too (split seed = run seed);
    /// then `seed` must be absent.
    pub vary_with_seed: bool,
}

impl Default for RawSplit {
    fn default() -> Self {
        Self {
            method: SplitMethod::Random,
            test: 0.2,
            validation: 0.1,
            seed: None,
            vary_with_seed: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelKind {
    /// Matrix factorisation: user and item embeddings, dot product, item bias.
    #[serde(rename = "mf")]
    Mf,
    /// Two towers: an item's id embedding plus a projection of its content (categories,
    /// title n-grams, vectors from an embeddings file); a user's id embedding plus a
    /// projection of the mean content of their training items.
    #[serde(rename = "two_tower", alias = "two-tower")]
    TwoTower,
    /// LightGCN (He et al. 2020): id embeddings propagated over the normalised user–item
    /// graph of the training positives, the layers averaged.
    #[serde(rename = "lightgcn")]
    LightGcn,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawModel {
    pub kind: ModelKind,
    pub dim: usize,
    /// LightGCN's propagation layers (default 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
    /// The two-tower model's item content (default: categories, and titles where the data
    /// has them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<RawContent>,
}

impl Default for RawModel {
    fn default() -> Self {
        Self {
            kind: ModelKind::Mf,
            dim: 32,
            layers: None,
            content: None,
        }
    }
}

/// `model.content`: what an item's content vector is made of (blocks concatenated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawContent {
    /// The item's categories, one-hot.
    pub categories: bool,
    /// MovieLens-100K's titles as hashed character 3-grams (64 dimensions); the synthetic
    /// data's generated content vectors.
    pub text: bool,
    /// A CSV or Parquet file of precomputed item vectors: an `item_id` column and the vector
    /// (in columns, or one list column in Parquet), e.g. from a sentence encoder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embeddings: Option<PathBuf>,
    /// The vectors' dimension (must match the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedding_dim: Option<usize>,
    /// The user tower adds a projection of the mean content of the user's training items.
    pub user_content: bool,
}

impl Default for RawContent {
    fn default() -> Self {
        Self {
            categories: true,
            text: true,
            embeddings: None,
            embedding_dim: None,
            user_content: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelevanceLoss {
    /// Binary cross-entropy over each positive and its sampled negatives.
    Bce,
    /// Bayesian personalised ranking: −log σ(s⁺ − s⁻) per (positive, negative) pair.
    Bpr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// wgpu on a hardware GPU adapter when there is one, the CPU backend otherwise.
    Auto,
    /// wgpu, accepting a software adapter (lavapipe) when there is no GPU.
    Wgpu,
    /// burn's pure-Rust CPU backend (flex).
    Cpu,
}

/// `train.cpu_engine`: how a step is computed when training runs on the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpuEngine {
    /// Matrix factorisation's step written out by hand over host arrays (forward, gradient,
    /// and one fused pass of Adam per parameter), the regularisers' gradients from burn's
    /// autodiff on the rows they read. The same objective and optimizer as `burn`; a model
    /// it does not cover (the two-task heads) trains with `burn`.
    #[default]
    Fused,
    /// burn's flex backend with autodiff for the whole step, as on the GPU.
    Burn,
}

impl CpuEngine {
    /// The name in files: `fused`, `burn`.
    pub fn name(self) -> &'static str {
        match self {
            CpuEngine::Fused => "fused",
            CpuEngine::Burn => "burn",
        }
    }
}

/// `train.weight_decay_kind`: how the optimizer applies `train.weight_decay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightDecayKind {
    /// L2: `weight_decay · p` added to the gradient before Adam normalises it, as
    /// `torch.optim.Adam(weight_decay=…)` does.
    Coupled,
    /// AdamW: the weights shrunk by `learning_rate · weight_decay` apart from Adam's step, as
    /// `torch.optim.AdamW(weight_decay=…)` does.
    Decoupled,
}

impl WeightDecayKind {
    /// The name in files: `coupled`, `decoupled`.
    pub fn name(self) -> &'static str {
        match self {
            WeightDecayKind::Coupled => "coupled",
            WeightDecayKind::Decoupled => "decoupled",
        }
    }
}

impl std::fmt::Display for WeightDecayKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `train.weight_decay_on`: which weights `train.weight_decay` reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightDecayOn {
    /// Every parameter, every row of it, at every step: the optimizer's decay.
    Parameters,
    /// Only the embedding rows (and item biases) the batch touches, as an explicit L2 term of
    /// the objective (RecBole's and LightGCN's `reg_weight` convention).
    #[serde(alias = "batch-rows")]
    BatchRows,
}

impl WeightDecayOn {
    /// The name in files: `parameters`, `batch_rows`.
    pub fn name(self) -> &'static str {
        match self {
            WeightDecayOn::Parameters => "parameters",
            WeightDecayOn::BatchRows => "batch_rows",
        }
    }
}

impl std::fmt::Display for WeightDecayOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTrain {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub weight_decay_kind: WeightDecayKind,
    pub weight_decay_on: WeightDecayOn,
    /// Adam's ε (PyTorch's default, not burn's 1e-5).
    pub adam_epsilon: f64,
    /// Adam's (β₁, β₂).
    pub adam_betas: [f64; 2],
    /// Sampled negatives per positive.
    pub negatives: usize,
    pub loss: RelevanceLoss,
    pub backend: Backend,
    /// How the CPU backend computes a step (`fused` or `burn`).
    pub cpu_engine: CpuEngine,
    /// Standard deviation of the normal initialisation of the embeddings.
    pub init_std: f64,
}

impl Default for RawTrain {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 1024,
            learning_rate: 0.005,
            weight_decay: 1e-5,
            weight_decay_kind: WeightDecayKind::Coupled,
            weight_decay_on: WeightDecayOn::Parameters,
            adam_epsilon: 1e-8,
            adam_betas: [0.9, 0.999],
            negatives: 4,
            loss: RelevanceLoss::Bce,
            backend: Backend::Auto,
            cpu_engine: CpuEngine::Fused,
            init_std: 0.1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDiversity {
    /// A regulariser, a map of regularisers to weights, or a list of methods to compare.
    #[serde(alias = "regularizers")]
    pub regularizer: RegularizerSpec,
    /// Softness of the exposure's top-K boundary, in standard deviations of a user's scores.
    pub temperature: f64,
    /// Distinct users, drawn uniformly per batch, whose exposure the regularisers read.
    pub sample_users: usize,
}

impl Default for RawDiversity {
    fn default() -> Self {
        Self {
            regularizer: RegularizerSpec::default(),
            temperature: 0.3,
            sample_users: 64,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LambdaScale {
    #[default]
    Linear,
    Log,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaRange {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    /// Default: linear (the type's `Default`).
    #[serde(default)]
    pub scale: LambdaScale,
    /// Add λ = 0 (the pure-relevance baseline) in front; handy for log scales.
    #[serde(default)]
    pub include_zero: bool,
}

/// λ as a list, or as a range.
///
/// Read by hand rather than as an untagged enum, whose only error is "did not match any
/// variant": here a single number, an element that is not a number, or a misspelt range key
/// (with the keys known) is reported as such.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LambdaSpec {
    List(Vec<f64>),
    Range(LambdaRange),
}

/// A list of numbers, or a map read as a [`LambdaRange`]; anything else says what it was.
struct LambdaSpecVisitor;

impl<'de> serde::de::Visitor<'de> for LambdaSpecVisitor {
    type Value = LambdaSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of numbers such as [0, 0.1, 0.3], or a range such as {from: 0.01, to: 1, steps: 5, scale: log}")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::custom(format!(
            "a single value '{v}': write it as a list, [{v}], or as a range {{from, to, steps}}"
        )))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(v) = seq.next_element::<f64>()? {
            values.push(v);
        }
        Ok(LambdaSpec::List(values))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        LambdaRange::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(LambdaSpec::Range)
    }
}

impl<'de> Deserialize<'de> for LambdaSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LambdaSpecVisitor)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub lambda: LambdaSpec,
    /// Repeats with these seeds; absent: the experiment's `seed` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Vec<u64>>,
}

/// `rerank`: which re-rankers, at which trade-off values θ, over how many candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRerank {
    pub methods: Vec<RerankMethod>,
    /// θ as a list, or as a range (the same forms as `sweep.lambda`), each in [0, 1].
    pub theta: LambdaSpec,
    /// The top-N of the baseline each user's list is re-ranked from.
    #[serde(default = "default_candidates")]
    pub candidates: usize,
}

/// `rerank.candidates` when the section gives none.
pub fn default_candidates() -> usize {
    100
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawEval {
    pub k: Vec<usize>,
    pub every: usize,
    /// The validation metric a run's epoch is selected by; absent: `ndcg@K`, the first K.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub select: Option<String>,
    /// Stop a run after this many evaluations without a better `select` value; absent: never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patience: Option<usize>,
    /// Share of items, most popular in training first, that are the "head" of the long-tail
    /// metrics.
    pub head_share: f64,
}

impl Default for RawEval {
    fn default() -> Self {
        Self {
            k: vec![10, 20],
            every: 1,
            select: None,
            patience: None,
            head_share: 0.2,
        }
    }
}

/// `cluster`: how `recsweep slurm` submits the sweep (each field a flag of the same name,
/// which overrides it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCluster {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem: Option<String>,
}

/// `select`: choices a sweep makes on validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSelect {
    /// Per method, the λ (or θ) whose point is reported as the method's choice.
    pub lambda: RawSelectLambda,
}

/// `select.lambda`: the best `diversity` value among a method's points whose `relevance`
/// keeps at least `keep` × the λ = 0 value, all on validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSelectLambda {
    /// Absent: the trade-off's diversity axis (`plots.diversity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diversity: Option<String>,
    /// Absent: the trade-off's relevance axis (`plots.relevance`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relevance: Option<String>,
    pub keep: f64,
}

impl Default for RawSelectLambda {
    fn default() -> Self {
        Self {
            diversity: None,
            relevance: None,
            keep: 0.95,
        }
    }
}

/// Figures written after a sweep (and by `recsweep plot`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPlots {
    /// A figure size and font sizes for a paper's column: `single_column` or `double_column`
    /// (then `width` and `height` are left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<super::FigurePreset>,
    /// Pixels; absent: 1600 (or the preset's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixels; absent: 1000 (or the preset's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Trade-off y axis, a test metric key; absent: `ndcg@K` for the first K of `eval.k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relevance: Option<String>,
    /// Trade-off x axis, a test metric key; absent: `coverage@K` for the first K of `eval.k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diversity: Option<String>,
    /// The diversity axes of `front.csv` and its hypervolumes (each against `relevance`);
    /// absent: the trade-off's diversity axis and `ild@K`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fronts: Option<Vec<String>>,
}

//! Evaluation metrics for top-K recommendation, and the statistics used to
//! compare two runs user by user.
//!
//! Everything recsweep reports about a model is computed here, as pure
//! functions over plain slices, so that each definition sits in one place,
//! can be read next to `docs/metrics.md`, and is tested on cases worked out
//! by hand. Correctness matters more than anything else in this module: a
//! wrong NDCG is worse than none, because it silently ranks models wrongly.
//!
//! Conventions shared by every function:
//!
//! * Items are `u32` ids in `0..n_items`.
//! * A user's top-K list (`ranked`) is best first, already excludes the
//!   user's training items and has no duplicates. It may be shorter than K
//!   (small catalogue) or longer (only the first `k` entries count).
//! * Held-out positives (`relevant`) are sorted ascending without
//!   duplicates; membership is a binary search.
//! * Reported metrics are *full-ranking*: every catalogue item is scored,
//!   only the user's own training items are removed, and no negatives are
//!   sampled. A cheaper sampled AUC used for training curves must be named
//!   `sampled_auc` and never reported as `auc`.
//! * Per-user metrics return one user's value; the evaluator averages them.
//!   Users without held-out positives are excluded from those averages by
//!   the evaluator (the functions here return 0 for them, not an error).
//! * Nothing here panics on empty input; ids outside the catalogue are
//!   handled as documented on each function rather than by panicking.
//!
//! The module is split by family, one file each, all re-exported here so
//! that every function is reachable as `crate::metrics::name`:
//!
//! * [`vocabulary`]: which metrics exist (`Metric`, `MetricKey`), their names
//!   on disk, labels, scope and direction; the column tables of the files;
//! * [`ranking`]: relevance metrics at K (precision, recall, NDCG, hit rate,
//!   MRR, MAP) and full-ranking AUC, one user at a time;
//! * [`exposure`]: beyond-accuracy metrics over all users' top-K lists
//!   together (exposure counts, coverage, Gini, exposure entropy);
//! * [`beyond`]: per-list beyond-accuracy metrics (intra-list diversity,
//!   novelty, long-tail share, head items) and the item category table;
//! * [`categorical`]: category-aware diversity and calibration of one user's
//!   list, with item categories as aspects: α-NDCG (Clarke et al. 2008, greedy
//!   ideal), miscalibration (Steck 2018: KL of the user's training category
//!   profile against the list's, smoothed) and category coverage, plus the
//!   category profile itself;
//! * [`stats`]: statistics (confidence intervals, paired t-test, Wilcoxon
//!   signed-rank test with scipy's choice of exact, permutation or normal
//!   p-value, Holm–Bonferroni adjustment, and the special functions they
//!   need, implemented here with `std` only; serde only names the Wilcoxon
//!   method on disk).

pub mod beyond;
pub mod categorical;
pub mod exposure;
pub mod ranking;
pub mod stats;
#[cfg(test)]
pub(crate) mod test_support;
mod util;
pub mod vocabulary;

pub use beyond::{
    ItemCategories, ItemPopularity, head_items, ild_at_k, long_tail_share_at_k, novelty_at_k,
};
pub use categorical::{
    ALPHA_NDCG_ALPHA, AlphaNdcg, CALIBRATION_SMOOTHING, alpha_dcg_at_k, alpha_ndcg_at_k,
    category_coverage_at_k, category_profile, miscalibration_at_k,
};
pub use exposure::{
    cold_coverage_at_k, coverage_at_k, exposure_counts, exposure_entropy_at_k, gini_at_k,
    gini_coefficient, normalized_entropy,
};
pub use ranking::{
    auc_from_scores, hit_rate_at_k, map_at_k, mrr_at_k, ndcg_at_k, precision_at_k, recall_at_k,
};
pub use vocabulary::{Direction, Metric, MetricKey, ParseMetricKeyError, Scope};

pub use stats::{
    MeanCi, PairedComparisonStats, PairedTest, ParseWilcoxonMethodError, WILCOXON_EXACT_MAX_PAIRS,
    WILCOXON_PERMUTATION_MAX_PAIRS, WilcoxonMethod, erfc, holm_adjust, ln_gamma, mean_ci95,
    normal_cdf, paired_comparison, paired_t_test, regularized_incomplete_beta, student_t_cdf,
    student_t_quantile, student_t_two_sided_p, wilcoxon_signed_rank,
};

//! The metric vocabulary: which metrics recsweep reports, what each is called on disk and on
//! an axis, whether it is computed per user or over the whole catalogue, and whether higher
//! or lower is better.
//!
//! Strings live only at the edges (YAML, CSV headers, JSON keys): everything inside recsweep
//! holds a [`MetricKey`]. The tables here are the single source of the column order of
//! `per_user.csv` and `metrics.csv`, and of which metrics the evaluator computes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Whether larger or smaller values of a metric are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    /// `value` turned so that larger is better (for Pareto fronts and "best" markers).
    pub fn orient(self, value: f64) -> f64 {
        match self {
            Direction::HigherIsBetter => value,
            Direction::LowerIsBetter => -value,
        }
    }
}

/// Where a metric is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One value per evaluated user; the reported value is the mean over users (with a CI).
    PerUser,
    /// One value over all users' top-K lists together (coverage, Gini, entropy).
    Catalogue,
}

/// A metric recsweep computes. The declaration order is the column order of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Full-ranking AUC of a user's held-out positives against the other candidates.
    Auc,
    Precision,
    Recall,
    Ndcg,
    HitRate,
    Mrr,
    Map,
    /// Intra-list diversity: mean pairwise category distance within a top-K list.
    Ild,
    /// Mean self-information of the recommended items' training popularity (bits).
    Novelty,
    /// Share of a top-K list outside the head: the `eval.head_share` (default 20%) most
    /// popular items in training.
    LongTail,
    /// α-NDCG with item categories as aspects (α = 0.5, greedy ideal).
    AlphaNdcg,
    /// KL divergence (nats) of the user's training category profile from the
    /// list's, smoothed (Steck 2018).
    Miscalibration,
    /// Share of the catalogue's categories in a top-K list.
    CategoryCoverage,
    /// Share of the catalogue in at least one user's top K.
    Coverage,
    /// Share of the cold items (no training interaction in the split) in at least one
    /// user's top K: what only content can recommend; absent when the split has none.
    ColdCoverage,
    /// Gini coefficient of exposure over the catalogue (0: even exposure).
    Gini,
    /// Normalised entropy of exposure over the catalogue (1: even exposure).
    Entropy,
}

impl Metric {
    /// Per-user metrics at a cut-off, in the column order of `per_user.csv`.
    pub const PER_USER_AT_K: [Metric; 12] = [
        Metric::Precision,
        Metric::Recall,
        Metric::Ndcg,
        Metric::HitRate,
        Metric::Mrr,
        Metric::Map,
        Metric::Ild,
        Metric::Novelty,
        Metric::LongTail,
        Metric::AlphaNdcg,
        Metric::Miscalibration,
        Metric::CategoryCoverage,
    ];

    /// Catalogue-level metrics at a cut-off.
    pub const CATALOGUE_AT_K: [Metric; 4] = [
        Metric::Coverage,
        Metric::ColdCoverage,
        Metric::Gini,
        Metric::Entropy,
    ];

    /// Every metric, in declaration order.
    pub const ALL: [Metric; 17] = [
        Metric::Auc,
        Metric::Precision,
        Metric::Recall,
        Metric::Ndcg,
        Metric::HitRate,
        Metric::Mrr,
        Metric::Map,
        Metric::Ild,
        Metric::Novelty,
        Metric::LongTail,
        Metric::AlphaNdcg,
        Metric::Miscalibration,
        Metric::CategoryCoverage,
        Metric::Coverage,
        Metric::ColdCoverage,
        Metric::Gini,
        Metric::Entropy,
    ];

    /// The name in files and YAML: `ndcg`, `hit_rate`, `long_tail`, …
    pub fn name(self) -> &'static str {
        match self {
            Metric::Auc => "auc",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::Ndcg => "ndcg",
            Metric::HitRate => "hit_rate",
            Metric::Mrr => "mrr",
            Metric::Map => "map",
            Metric::Ild => "ild",
            Metric::Novelty => "novelty",
            Metric::LongTail => "long_tail",
            Metric::AlphaNdcg => "alpha_ndcg",
            Metric::Miscalibration => "miscalibration",
            Metric::CategoryCoverage => "category_coverage",
            Metric::Coverage => "coverage",
            Metric::ColdCoverage => "cold_coverage",
            Metric::Gini => "gini",
            Metric::Entropy => "entropy",
        }
    }

    /// The name on an axis or in a legend.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Auc => "AUC",
            Metric::Precision => "Precision",
            Metric::Recall => "Recall",
            Metric::Ndcg => "NDCG",
            Metric::HitRate => "Hit rate",
            Metric::Mrr => "MRR",
            Metric::Map => "MAP",
            Metric::Ild => "Intra-list diversity",
            Metric::Novelty => "Novelty (bits)",
            Metric::LongTail => "Long-tail share",
            Metric::AlphaNdcg => "α-NDCG",
            Metric::Miscalibration => "Miscalibration (KL)",
            Metric::CategoryCoverage => "Category coverage",
            Metric::Coverage => "Catalogue coverage",
            Metric::ColdCoverage => "Cold-item coverage",
            Metric::Gini => "Exposure Gini",
            Metric::Entropy => "Exposure entropy",
        }
    }

    pub fn scope(self) -> Scope {
        match self {
            Metric::Coverage | Metric::ColdCoverage | Metric::Gini | Metric::Entropy => {
                Scope::Catalogue
            }
            _ => Scope::PerUser,
        }
    }

    /// Gini (less concentrated exposure) and miscalibration (a list closer to the user's
    /// category profile) are better when lower; every relevance metric and every other
    /// diversity metric is better when higher.
    pub fn direction(self) -> Direction {
        match self {
            Metric::Gini | Metric::Miscalibration => Direction::LowerIsBetter,
            _ => Direction::HigherIsBetter,
        }
    }

    /// Whether the metric is taken at a cut-off K (all but AUC, which ranks the whole catalogue).
    pub fn has_cutoff(self) -> bool {
        self != Metric::Auc
    }

    /// The metric named `name` (`ndcg`, `hit_rate`, …).
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A metric at a cut-off: `auc`, `ndcg@10`, `coverage@20`. Ordered by metric, then K.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricKey {
    pub metric: Metric,
    /// `None` exactly when the metric has no cut-off (AUC).
    pub k: Option<usize>,
}

impl MetricKey {
    /// The full-ranking AUC.
    pub const AUC: MetricKey = MetricKey {
        metric: Metric::Auc,
        k: None,
    };

    /// `metric@k`; for AUC the cut-off is ignored.
    pub fn at(metric: Metric, k: usize) -> Self {
        Self {
            metric,
            k: metric.has_cutoff().then_some(k),
        }
    }

    pub fn direction(self) -> Direction {
        self.metric.direction()
    }

    pub fn scope(self) -> Scope {
        self.metric.scope()
    }

    /// `NDCG@10`, `Catalogue coverage@10`, `AUC`.
    pub fn label(self) -> String {
        match self.k {
            Some(k) => format!("{}@{k}", self.metric.label()),
            None => self.metric.label().to_string(),
        }
    }

    /// Whether the key is evaluated by a run with cut-offs `ks`.
    pub fn is_evaluated_at(self, ks: &[usize]) -> bool {
        self.k.is_none_or(|k| ks.contains(&k))
    }

    /// The per-user columns for cut-offs `ks`, in `per_user.csv` order: AUC, then each K's
    /// per-user metrics.
    pub fn per_user_columns(ks: &[usize]) -> Vec<MetricKey> {
        let mut out = vec![MetricKey::AUC];
        for &k in ks {
            out.extend(Metric::PER_USER_AT_K.iter().map(|&m| MetricKey::at(m, k)));
        }
        out
    }

    /// Every evaluated key for cut-offs `ks`, in `metrics.csv` order: AUC, then for each K its
    /// per-user metrics followed by its catalogue metrics.
    pub fn all_columns(ks: &[usize]) -> Vec<MetricKey> {
        let mut out = vec![MetricKey::AUC];
        for &k in ks {
            let names = Metric::PER_USER_AT_K.iter().chain(&Metric::CATALOGUE_AT_K);
            out.extend(names.map(|&m| MetricKey::at(m, k)));
        }
        out
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.k {
            Some(k) => write!(f, "{}@{k}", self.metric.name()),
            None => f.write_str(self.metric.name()),
        }
    }
}

/// Why a string is not a metric key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not a metric: {reason}")]
pub struct ParseMetricKeyError {
    pub text: String,
    pub reason: String,
}

impl FromStr for MetricKey {
    type Err = ParseMetricKeyError;

    /// `auc`, or `NAME@K` with NAME one of [`Metric::ALL`] and K a positive integer written
    /// in plain digits (`ndcg@10`; not `ndcg@+10` nor `ndcg@010`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseMetricKeyError {
            text: text.to_string(),
            reason,
        };
        let known = || {
            Metric::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (name, k) = match text.split_once('@') {
            Some((name, k)) => (name, Some(k)),
            None => (text, None),
        };
        let metric = Metric::from_name(name)
            .ok_or_else(|| err(format!("unknown name '{name}' (known: {})", known())))?;
        match (metric.has_cutoff(), k) {
            (false, None) => Ok(MetricKey { metric, k: None }),
            (false, Some(_)) => Err(err(format!("'{name}' takes no cut-off"))),
            (true, None) => Err(err(format!("'{name}' needs a cut-off, as in '{name}@10'"))),
            (true, Some(k)) => {
                let plain = !k.is_empty()
                    && k.bytes().all(|b| b.is_ascii_digit())
                    && !(k.len() > 1 && k.starts_with('0'));
                match k.parse::<usize>() {
                    Ok(k) if plain && k > 0 => Ok(MetricKey::at(metric, k)),
                    _ => Err(err(format!(
                        "the cut-off '{k}' is not a positive whole number"
                    ))),
                }
            }
        }
    }
}

impl Serialize for MetricKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MetricKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_print_and_parse_as_on_disk() {
        for (text, key) in [
            ("auc", MetricKey::AUC),
            ("ndcg@10", MetricKey::at(Metric::Ndcg, 10)),
            ("hit_rate@5", MetricKey::at(Metric::HitRate, 5)),
            ("long_tail@20", MetricKey::at(Metric::LongTail, 20)),
            ("alpha_ndcg@10", MetricKey::at(Metric::AlphaNdcg, 10)),
            ("miscalibration@5", MetricKey::at(Metric::Miscalibration, 5)),
            (
                "category_coverage@20",
                MetricKey::at(Metric::CategoryCoverage, 20),
            ),
            ("coverage@1", MetricKey::at(Metric::Coverage, 1)),
        ] {
            assert_eq!(text.parse::<MetricKey>().unwrap(), key, "{text}");
            assert_eq!(key.to_string(), text);
        }
        for key in MetricKey::all_columns(&[3, 10]) {
            assert_eq!(key.to_string().parse::<MetricKey>().unwrap(), key);
        }
    }

    #[test]
    fn malformed_keys_are_rejected_with_the_text() {
        for bad in [
            "",
            "ndcg",
            "auc@10",
            "ndcg@",
            "ndcg@0",
            "ndcg@+5",
            "ndcg@010",
            "ndcg@-1",
            "ndcg@1.5",
            "NDCG@10",
            "bogus@10",
            "coverage@ 5",
            "miscalibration",
            "alpha-ndcg@10",
        ] {
            let e = bad.parse::<MetricKey>().unwrap_err();
            assert_eq!(e.text, bad);
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
    }

    #[test]
    fn directions_and_scopes() {
        let lower = [Metric::Gini, Metric::Miscalibration];
        for m in lower {
            assert_eq!(m.direction(), Direction::LowerIsBetter, "{m}");
        }
        for m in Metric::ALL.into_iter().filter(|m| !lower.contains(m)) {
            assert_eq!(m.direction(), Direction::HigherIsBetter, "{m}");
        }
        assert_eq!(Direction::LowerIsBetter.orient(0.3), -0.3);
        assert_eq!(Direction::HigherIsBetter.orient(0.3), 0.3);
        for m in Metric::CATALOGUE_AT_K {
            assert_eq!(m.scope(), Scope::Catalogue);
        }
        for m in Metric::PER_USER_AT_K {
            assert_eq!(m.scope(), Scope::PerUser);
        }
        assert_eq!(Metric::Auc.scope(), Scope::PerUser);
    }

    #[test]
    fn column_tables_follow_the_files() {
        let cols: Vec<String> = MetricKey::per_user_columns(&[5])
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(
            cols,
            [
                "auc",
                "precision@5",
                "recall@5",
                "ndcg@5",
                "hit_rate@5",
                "mrr@5",
                "map@5",
                "ild@5",
                "novelty@5",
                "long_tail@5",
                "alpha_ndcg@5",
                "miscalibration@5",
                "category_coverage@5"
            ]
        );
        let all = MetricKey::all_columns(&[5, 10]);
        assert_eq!(all.len(), 1 + 2 * 16);
        assert_eq!(all[13].to_string(), "coverage@5");
        assert_eq!(all[14].to_string(), "cold_coverage@5");
        assert_eq!(all[16].to_string(), "entropy@5");
        assert_eq!(all[17].to_string(), "precision@10");
        // ALL is AUC, then the per-user table, then the catalogue table: every metric appears
        // in the tables exactly once per K, in declaration order.
        let tables: Vec<Metric> = std::iter::once(Metric::Auc)
            .chain(Metric::PER_USER_AT_K)
            .chain(Metric::CATALOGUE_AT_K)
            .collect();
        assert_eq!(tables, Metric::ALL);
        assert!(Metric::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn keys_round_trip_as_json_map_keys() {
        let map = std::collections::BTreeMap::from([
            (MetricKey::AUC, 0.9),
            (MetricKey::at(Metric::Gini, 10), 0.5),
        ]);
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, r#"{"auc":0.9,"gini@10":0.5}"#);
        let back: std::collections::BTreeMap<MetricKey, f64> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
        assert!(serde_json::from_str::<MetricKey>(r#""gini@x""#).is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(MetricKey::at(Metric::Ndcg, 10).label(), "NDCG@10");
        assert_eq!(MetricKey::AUC.label(), "AUC");
        assert_eq!(
            MetricKey::at(Metric::Coverage, 20).label(),
            "Catalogue coverage@20"
        );
        assert_eq!(MetricKey::at(Metric::AlphaNdcg, 10).label(), "α-NDCG@10");
        assert_eq!(
            MetricKey::at(Metric::Miscalibration, 10).label(),
            "Miscalibration (KL)@10"
        );
        assert_eq!(
            MetricKey::at(Metric::CategoryCoverage, 5).label(),
            "Category coverage@5"
        );
    }
}

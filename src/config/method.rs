//! The diversity methods a sweep compares, as vocabulary types: the regularisers of
//! `L_diversity` ([`Regularizer`]), a method made of one or several weighted regularisers
//! ([`DiversityMethod`]), and what a single run does ([`RunMethod`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::rerank::RerankMethod;

/// A term of `L_diversity`; `docs/objectives.md` derives each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regularizer {
    /// Catalogue coverage: 1 − normalised entropy of the users' mean exposure.
    ExposureEntropy,
    /// Intra-list diversity: expected pairwise category similarity of a user's exposure.
    CategorySpread,
    /// Long tail: expected log-popularity of a user's exposure.
    PopularityPenalty,
    /// The two-task model: a diversity head over the shared embeddings, trained to score a
    /// user's positives by how far they lie from the user's usual categories.
    TwoTask,
}

impl Regularizer {
    pub const ALL: [Regularizer; 4] = [
        Regularizer::ExposureEntropy,
        Regularizer::CategorySpread,
        Regularizer::PopularityPenalty,
        Regularizer::TwoTask,
    ];

    /// The name in YAML, run ids and files.
    pub fn name(self) -> &'static str {
        match self {
            Regularizer::ExposureEntropy => "exposure_entropy",
            Regularizer::CategorySpread => "category_spread",
            Regularizer::PopularityPenalty => "popularity_penalty",
            Regularizer::TwoTask => "two_task",
        }
    }

    /// Whether the term reads the users' soft exposure over the catalogue.
    pub fn needs_exposure(self) -> bool {
        !matches!(self, Regularizer::TwoTask)
    }

    /// Whether the term adds parameters to the model (its λ = 0 run is then a model of its
    /// own, not the shared relevance-only baseline).
    pub fn changes_model(self) -> bool {
        matches!(self, Regularizer::TwoTask)
    }
}

impl fmt::Display for Regularizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `diversity.regularizer` as written: a name, a map of names to weights (several terms under
/// one λ), or a list of either (several methods compared in one sweep).
///
/// Read by hand rather than as an untagged enum, whose error ("did not match any variant")
/// would drop the misspelt name: here an unknown name is reported with the names known.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RegularizerSpec {
    One(Regularizer),
    Weighted(BTreeMap<Regularizer, f64>),
    Several(Vec<MethodSpec>),
}

/// One method of a list: a name, or a map of names to weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MethodSpec {
    One(Regularizer),
    Weighted(BTreeMap<Regularizer, f64>),
}

/// What the two specs accept: a name or a map, and for the top level also a list.
struct SpecVisitor {
    list: bool,
}

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = RegularizerSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a regulariser name (exposure_entropy, category_spread, popularity_penalty, two_task), a map of names to weights")?;
        if self.list {
            f.write_str(", or a list of those")?;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Regularizer::deserialize(v.into_deserializer()).map(RegularizerSpec::One)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        BTreeMap::<Regularizer, f64>::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(RegularizerSpec::Weighted)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if !self.list {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let mut methods = Vec::new();
        while let Some(m) = seq.next_element::<MethodSpec>()? {
            methods.push(m);
        }
        Ok(RegularizerSpec::Several(methods))
    }
}

impl<'de> Deserialize<'de> for RegularizerSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SpecVisitor { list: true })
    }
}

impl<'de> Deserialize<'de> for MethodSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(SpecVisitor { list: false })? {
            RegularizerSpec::One(r) => Ok(MethodSpec::One(r)),
            RegularizerSpec::Weighted(map) => Ok(MethodSpec::Weighted(map)),
            RegularizerSpec::Several(_) => Err(de::Error::custom("a method cannot be a list")),
        }
    }
}

impl Default for RegularizerSpec {
    fn default() -> Self {
        RegularizerSpec::One(Regularizer::ExposureEntropy)
    }
}

/// A diversity method: `L_diversity = Σ weight · term`, in a fixed (name) order.
#[derive(Debug, Clone, PartialEq)]
pub struct DiversityMethod {
    /// At least one term, each weight finite and > 0, no term twice.
    pub terms: Vec<(Regularizer, f64)>,
}

impl DiversityMethod {
    /// A method of one term, weight 1.
    pub fn single(regularizer: Regularizer) -> Self {
        Self {
            terms: vec![(regularizer, 1.0)],
        }
    }

    /// The name in run ids and tables: the terms' names joined by `+` (their weights are in
    /// each run's `config.yaml`).
    pub fn name(&self) -> String {
        self.terms
            .iter()
            .map(|(r, _)| r.name())
            .collect::<Vec<_>>()
            .join("+")
    }

    pub fn needs_exposure(&self) -> bool {
        self.terms.iter().any(|(r, _)| r.needs_exposure())
    }

    pub fn changes_model(&self) -> bool {
        self.terms.iter().any(|(r, _)| r.changes_model())
    }

    /// The weight of `regularizer`, if it is a term.
    pub fn weight(&self, regularizer: Regularizer) -> Option<f64> {
        self.terms
            .iter()
            .find(|(r, _)| *r == regularizer)
            .map(|(_, w)| *w)
    }

    /// The method as YAML writes it (a bare name for one term of weight 1).
    pub fn to_spec(&self) -> MethodSpec {
        match self.terms.as_slice() {
            [(r, w)] if *w == 1.0 => MethodSpec::One(*r),
            terms => MethodSpec::Weighted(terms.iter().copied().collect()),
        }
    }
}

/// The name of the relevance-only baseline in summaries and tables.
pub const BASELINE: &str = "baseline";

/// What one run of a sweep does.
#[derive(Debug, Clone, PartialEq)]
pub enum RunMethod {
    /// λ = 0 on the plain model: the relevance-only baseline, shared by every method that
    /// does not change the model.
    Baseline,
    /// Trained with `L_relevance + λ · L_diversity` of this method (also at λ = 0 when the
    /// method changes the model).
    Regularized(DiversityMethod),
    /// The baseline's top-N candidates re-ranked at trade-off `theta`; nothing is trained.
    Rerank { method: RerankMethod, theta: f64 },
}

impl RunMethod {
    /// The name in summaries, tables and legends.
    pub fn name(&self) -> String {
        match self {
            RunMethod::Baseline => BASELINE.to_string(),
            RunMethod::Regularized(m) => m.name(),
            RunMethod::Rerank { method, .. } => method.name().to_string(),
        }
    }

    /// θ of a re-ranking run.
    pub fn theta(&self) -> Option<f64> {
        match self {
            RunMethod::Rerank { theta, .. } => Some(*theta),
            _ => None,
        }
    }

    /// The regulariser terms training uses (none for the baseline).
    pub fn terms(&self) -> &[(Regularizer, f64)] {
        match self {
            RunMethod::Baseline | RunMethod::Rerank { .. } => &[],
            RunMethod::Regularized(m) => &m.terms,
        }
    }

    /// Whether the model carries the two-task heads.
    pub fn two_task(&self) -> bool {
        self.terms().iter().any(|(r, _)| r.changes_model())
    }
}

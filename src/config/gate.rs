//! Gates: conditions on a sweep's test metrics that CI checks (`gates:` in the YAML, `--gate`
//! on the command line). A gate is `[SCOPE:] METRIC OP VALUE`:
//!
//! - `SCOPE` — which points (method, λ or θ; each the mean over its seeds) must hold it:
//!   `all` (the default: every point; a gate against `baseline` skips the λ = 0 points it
//!   compares with), `any` (at least one point), `baseline` (the λ = 0 points), `chosen` (each
//!   method's λ or θ chosen on validation, `select.lambda`);
//! - `METRIC` — a metric key the sweep evaluates (`ndcg@10`, `coverage@10`, `auc`);
//! - `OP` — `>=`, `>`, `<=` or `<`;
//! - `VALUE` — a number, `baseline` (the same metric at the point's λ = 0), or
//!   `NUMBER * baseline`.

use std::fmt;
use std::str::FromStr;

use crate::metrics::MetricKey;

/// Which points of a sweep a gate is checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateScope {
    All,
    Any,
    Baseline,
    Chosen,
}

impl GateScope {
    const NAMES: [(&'static str, GateScope); 4] = [
        ("all", GateScope::All),
        ("any", GateScope::Any),
        ("baseline", GateScope::Baseline),
        ("chosen", GateScope::Chosen),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("all", |(n, _)| n)
    }
}

/// How a point's value is compared with the gate's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    AtLeast,
    Above,
    AtMost,
    Below,
}

impl Comparison {
    /// Longest first, so that `>=` is not read as `>`.
    const SYMBOLS: [(&'static str, Comparison); 4] = [
        (">=", Comparison::AtLeast),
        ("<=", Comparison::AtMost),
        (">", Comparison::Above),
        ("<", Comparison::Below),
    ];

    pub fn symbol(self) -> &'static str {
        Self::SYMBOLS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or(">=", |(s, _)| s)
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::AtLeast => value >= threshold,
            Comparison::Above => value > threshold,
            Comparison::AtMost => value <= threshold,
            Comparison::Below => value < threshold,
        }
    }
}

/// What a point's value is compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    Value(f64),
    /// `factor × ` the metric at the point's λ = 0.
    Baseline {
        factor: f64,
    },
}

/// One gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub scope: GateScope,
    pub metric: MetricKey,
    pub comparison: Comparison,
    pub threshold: Threshold,
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} {} ",
            self.scope.as_str(),
            self.metric,
            self.comparison.symbol()
        )?;
        match self.threshold {
            Threshold::Value(v) => write!(f, "{v}"),
            Threshold::Baseline { factor: 1.0 } => f.write_str("baseline"),
            Threshold::Baseline { factor } => write!(f, "{factor} * baseline"),
        }
    }
}

/// Why a gate's text cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateParseError(pub String);

impl FromStr for Gate {
    type Err = GateParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why: String| GateParseError(why);
        let (scope, rest) = match text.split_once(':') {
            Some((s, rest)) => {
                let s = s.trim();
                let scope = GateScope::NAMES
                    .iter()
                    .find(|(n, _)| *n == s)
                    .map(|(_, scope)| *scope)
                    .ok_or_else(|| {
                        err(format!("scope '{s}' is none of all, any, baseline, chosen"))
                    })?;
                (scope, rest)
            }
            None => (GateScope::All, text),
        };
        let (at, symbol, comparison) = Comparison::SYMBOLS
            .iter()
            .filter_map(|(sym, c)| rest.find(sym).map(|at| (at, *sym, *c)))
            .min_by_key(|(at, sym, _)| (*at, std::cmp::Reverse(sym.len())))
            .ok_or_else(|| err("no comparison: write METRIC >= VALUE (or >, <=, <)".to_string()))?;
        let metric_text = rest[..at].trim();
        let metric: MetricKey =
            metric_text
                .parse()
                .map_err(|e: crate::metrics::ParseMetricKeyError| {
                    err(format!("metric '{metric_text}': {}", e.reason))
                })?;
        let value = rest[at + symbol.len()..].trim();
        let number = |t: &str| -> Result<f64, GateParseError> {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    err(format!(
                        "'{}' is not a number, 'baseline' or 'NUMBER * baseline'",
                        t.trim()
                    ))
                })
        };
        let threshold = if value == "baseline" {
            Threshold::Baseline { factor: 1.0 }
        } else if let Some((factor, base)) = value.split_once('*') {
            if base.trim() != "baseline" {
                return Err(err(format!(
                    "'{value}': only 'NUMBER * baseline' may multiply"
                )));
            }
            Threshold::Baseline {
                factor: number(factor)?,
            }
        } else {
            Threshold::Value(number(value)?)
        };
        if scope == GateScope::Baseline && matches!(threshold, Threshold::Baseline { .. }) {
            return Err(err(
                "the baseline scope compared with the baseline compares it with itself".into(),
            ));
        }
        Ok(Gate {
            scope,
            metric,
            comparison,
            threshold,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(text: &str) -> Gate {
        text.parse()
            .unwrap_or_else(|e: GateParseError| panic!("{text}: {}", e.0))
    }

    #[test]
    fn gates_read_with_and_without_a_scope() {
        let g = gate("ndcg@10>=0.25");
        assert_eq!(g.scope, GateScope::All);
        assert_eq!(g.metric.to_string(), "ndcg@10");
        assert_eq!(g.comparison, Comparison::AtLeast);
        assert_eq!(g.threshold, Threshold::Value(0.25));
        let g = gate("chosen: coverage@10 >= 1.2 * baseline");
        assert_eq!(g.scope, GateScope::Chosen);
        assert_eq!(g.threshold, Threshold::Baseline { factor: 1.2 });
        let g = gate(" any : gini@10 < baseline");
        assert_eq!((g.scope, g.comparison), (GateScope::Any, Comparison::Below));
        assert_eq!(g.threshold, Threshold::Baseline { factor: 1.0 });
        assert_eq!(gate("baseline: auc > 0.7").comparison, Comparison::Above);
        assert_eq!(gate("recall@20 <= 0.9").comparison, Comparison::AtMost);
    }

    #[test]
    fn a_gate_prints_as_it_reads_back() {
        for text in [
            "all: ndcg@10 >= 0.25",
            "chosen: coverage@10 >= 1.2 * baseline",
            "any: gini@10 < baseline",
        ] {
            assert_eq!(gate(text).to_string(), text);
            assert_eq!(gate(&gate(text).to_string()), gate(text));
        }
    }

    #[test]
    fn bad_gates_say_what_is_wrong_with_the_value_quoted() {
        let e = |t: &str| t.parse::<Gate>().unwrap_err().0;
        assert!(e("best: ndcg@10 >= 1").contains("scope 'best'"));
        assert!(e("ndcg@10 = 1").contains("no comparison"));
        assert!(e("ndgc@10 >= 1").contains("metric 'ndgc@10'"));
        assert!(e("ndcg@10 >= high").contains("'high' is not a number"));
        assert!(e("ndcg@10 >= 2 * lambda0").contains("only 'NUMBER * baseline'"));
        assert!(e("baseline: ndcg@10 >= baseline").contains("with itself"));
        assert!(e("ndcg@10 >= inf").contains("'inf'"));
    }

    #[test]
    fn comparisons_hold_as_their_symbols_say() {
        assert!(Comparison::AtLeast.holds(1.0, 1.0));
        assert!(!Comparison::Above.holds(1.0, 1.0));
        assert!(Comparison::AtMost.holds(1.0, 1.0));
        assert!(!Comparison::Below.holds(1.0, 1.0));
        assert!(!Comparison::AtLeast.holds(f64::NAN, 0.0));
    }
}

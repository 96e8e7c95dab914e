//! Model selection on validation: a run keeps the weights of its best evaluated epoch by one
//! validation metric (`eval.select`), stops when `eval.patience` evaluations in a row bring
//! nothing better, and says which epoch it reports and why.
//!
//! "Better" is strictly better in the metric's direction, so the earliest of tied epochs is
//! kept. An epoch whose value is undefined (NaN) counts as no improvement.

use crate::events::{MetricMap, Selection};
use crate::metrics::MetricKey;

/// The best epoch so far and what the caller keeps of it (its weights, say).
struct Best<W> {
    epoch: usize,
    value: f64,
    kept: W,
    means: MetricMap,
}

/// Follows a run's validation evaluations and keeps the best one's `W`.
pub(super) struct Selector<W> {
    metric: MetricKey,
    patience: Option<usize>,
    best: Option<Best<W>>,
    /// Evaluations since the best one (all of them while there is none).
    since_best: usize,
    evaluated: usize,
}

/// What a finished selection hands back: the kept `W` and validation means of the chosen
/// epoch (if any epoch had a defined value), and the record for `summary.json`.
pub(super) struct Chosen<W> {
    pub kept: Option<(W, MetricMap)>,
    pub selection: Selection,
}

impl<W> Selector<W> {
    pub(super) fn new(metric: MetricKey, patience: Option<usize>) -> Self {
        Self {
            metric,
            patience,
            best: None,
            since_best: 0,
            evaluated: 0,
        }
    }

    /// Offers epoch `epoch`'s validation `means`; `kept` is stored if the epoch is the best.
    pub(super) fn offer(&mut self, epoch: usize, means: &MetricMap, kept: W) {
        self.evaluated += 1;
        let value = means.get(&self.metric).copied().filter(|v| v.is_finite());
        let direction = self.metric.direction();
        let better = match (value, &self.best) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(v), Some(b)) => direction.orient(v) > direction.orient(b.value),
        };
        match value {
            Some(value) if better => {
                self.best = Some(Best {
                    epoch,
                    value,
                    kept,
                    means: means.clone(),
                });
                self.since_best = 0;
            }
            _ => self.since_best += 1,
        }
    }

    /// Whether `eval.patience` evaluations in a row have brought nothing better.
    pub(super) fn patience_ran_out(&self) -> bool {
        self.patience.is_some_and(|p| self.since_best >= p)
    }

    /// The choice once training has ended at `last_epoch` (of `epochs` planned).
    pub(super) fn finish(self, last_epoch: usize, epochs: usize) -> Chosen<W> {
        let stopped_early = last_epoch < epochs;
        let Some(best) = self.best else {
            return Chosen {
                kept: None,
                selection: Selection {
                    epoch: last_epoch,
                    metric: None,
                    value: None,
                    stopped_early,
                    reason: format!(
                        "{} was never defined on validation in {} evaluation(s): the last epoch ({last_epoch}) is reported",
                        self.metric, self.evaluated
                    ),
                },
            };
        };
        let mut reason = format!(
            "best {} on validation ({:.4}) of {} evaluated epoch(s)",
            self.metric, best.value, self.evaluated
        );
        if stopped_early {
            reason.push_str(&format!(
                "; stopped at epoch {last_epoch} of {epochs} after {} evaluation(s) without improvement",
                self.since_best
            ));
        }
        Chosen {
            selection: Selection {
                epoch: best.epoch,
                metric: Some(self.metric),
                value: Some(best.value),
                stopped_early,
                reason,
            },
            kept: Some((best.kept, best.means)),
        }
    }
}

/// The record of a run that selected nothing because there is no validation split.
pub(super) fn not_selected(last_epoch: usize) -> Selection {
    Selection {
        epoch: last_epoch,
        metric: None,
        value: None,
        stopped_early: false,
        reason: format!(
            "no validation split (data.split.validation = 0): nothing was selected, the last epoch ({last_epoch}) is reported and the curves monitored the test split"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metric;

    fn means(key: MetricKey, v: f64) -> MetricMap {
        MetricMap::from([(key, v)])
    }

    #[test]
    fn keeps_the_first_of_the_best_epochs_and_its_means() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let mut s = Selector::new(ndcg, None);
        for (epoch, v) in [(1, 0.10), (2, 0.30), (3, f64::NAN), (4, 0.30), (5, 0.20)] {
            s.offer(epoch, &means(ndcg, v), epoch * 100);
        }
        assert!(!s.patience_ran_out());
        let chosen = s.finish(5, 5);
        let (kept, m) = chosen.kept.unwrap();
        assert_eq!(kept, 200, "a tie is not an improvement: epoch 2 stays");
        assert_eq!(m[&ndcg], 0.30);
        let sel = chosen.selection;
        assert_eq!(
            (sel.epoch, sel.metric, sel.value),
            (2, Some(ndcg), Some(0.30))
        );
        assert!(!sel.stopped_early);
        assert!(
            sel.reason
                .contains("best ndcg@10 on validation (0.3000) of 5"),
            "{}",
            sel.reason
        );
    }

    #[test]
    fn a_lower_is_better_metric_keeps_the_lowest() {
        let gini = MetricKey::at(Metric::Gini, 10);
        let mut s = Selector::new(gini, None);
        for (epoch, v) in [(1, 0.9), (2, 0.5), (3, 0.7)] {
            s.offer(epoch, &means(gini, v), epoch);
        }
        assert_eq!(s.finish(3, 3).selection.epoch, 2);
    }

    #[test]
    fn patience_counts_evaluations_without_improvement() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let mut s = Selector::new(ndcg, Some(2));
        s.offer(1, &means(ndcg, 0.2), ());
        s.offer(2, &means(ndcg, 0.1), ());
        assert!(!s.patience_ran_out());
        s.offer(3, &means(ndcg, 0.25), ());
        s.offer(4, &means(ndcg, 0.25), ());
        assert!(!s.patience_ran_out());
        s.offer(5, &means(ndcg, f64::NAN), ());
        assert!(
            s.patience_ran_out(),
            "a tie and an undefined value are two misses"
        );
        let sel = s.finish(5, 20).selection;
        assert_eq!(sel.epoch, 3);
        assert!(sel.stopped_early);
        assert!(
            sel.reason.contains("stopped at epoch 5 of 20 after 2"),
            "{}",
            sel.reason
        );
    }

    #[test]
    fn an_undefined_metric_reports_the_last_epoch_and_says_so() {
        let ndcg = MetricKey::at(Metric::Ndcg, 10);
        let mut s = Selector::new(ndcg, None);
        s.offer(1, &MetricMap::new(), ());
        s.offer(2, &means(ndcg, f64::NAN), ());
        let chosen = s.finish(2, 2);
        assert!(chosen.kept.is_none());
        assert_eq!(chosen.selection.epoch, 2);
        assert_eq!(chosen.selection.metric, None);
        assert!(chosen.selection.reason.contains("never defined"));
        assert!(not_selected(7).reason.contains("last epoch (7)"));
    }
}

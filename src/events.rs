//! What runs tell the rest of recsweep. Workers own their model, optimizer and tensors; only
//! these plain values cross threads, over one channel.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::MetricKey;

/// Metric values by key (`auc`, `ndcg@10`, `coverage@10` on disk).
pub type MetricMap = BTreeMap<MetricKey, f64>;

/// One evaluated (or merely trained) epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    /// Mean over the epoch's batches of `L = L_relevance + λ · L_diversity (+ L2)`.
    pub loss: f64,
    pub relevance_loss: f64,
    /// NaN when not computed (λ = 0).
    pub diversity_loss: f64,
    /// The L2 term on the batch's rows (`train.weight_decay_on: batch_rows`); NaN when it is
    /// not part of the objective (the optimizer decays the weights).
    pub l2_loss: f64,
    /// Full-ranking metrics on the monitored split, on evaluated epochs only.
    pub eval: Option<MetricMap>,
    /// Seconds since the run started.
    pub seconds: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Finished,
    Failed,
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Finished => "finished",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// A user's top-K list: (item, score), best first, in dense indices.
pub type Recommendations = Vec<(u32, Vec<(u32, f32)>)>;

/// Metrics per evaluated user, one column per metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerUserTable {
    pub columns: Vec<MetricKey>,
    /// (dense user, one value per column; NaN where a metric is undefined for the user)
    pub rows: Vec<(u32, Vec<f64>)>,
}

/// The test-split evaluation of a finished run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestReport {
    pub means: MetricMap,
    /// 95% confidence interval of each per-user mean.
    pub ci95: BTreeMap<MetricKey, [f64; 2]>,
    pub users_evaluated: usize,
    pub per_user: PerUserTable,
    pub recommendations: Recommendations,
}

/// Which epoch's model a run reports on test, and why (`summary.json`'s `selection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The epoch whose weights were evaluated on test (0 for a re-ranking run, which
    /// re-ranks its baseline's selected model).
    pub epoch: usize,
    /// The validation metric that chose it; `None` when nothing was selected (no
    /// validation split, or the metric was never defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<MetricKey>,
    /// The metric's validation value at `epoch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The run stopped before `train.epochs` because `eval.patience` ran out.
    #[serde(default)]
    pub stopped_early: bool,
    /// The choice in words.
    pub reason: String,
}

/// A baseline's candidates for the sweep's re-rankers: each evaluated user's top-N
/// (item, score), best first, from the selected model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidates {
    /// Test users; training and validation items excluded (as for the test metrics).
    pub test: Recommendations,
    /// Validation users, training items excluded; present when there is a validation split.
    pub validation: Option<Recommendations>,
}

/// Everything a run hands back when it ends without error.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub status: RunStatus,
    pub epochs_completed: usize,
    pub seconds: f64,
    /// Present when the run finished (an interrupted run is not evaluated on test).
    pub test: Option<TestReport>,
    /// The validation means of the reported model (with a validation split).
    pub validation: Option<MetricMap>,
    /// Which epoch was reported and why (a finished run's).
    pub selection: Option<Selection>,
    /// A baseline's candidates for the sweep's re-rankers (present only when the sweep
    /// re-ranks).
    pub candidates: Option<std::sync::Arc<Candidates>>,
}

impl RunOutcome {
    /// A run stopped before it finished: nothing evaluated, nothing selected.
    pub fn interrupted(epochs_completed: usize, seconds: f64) -> Self {
        RunOutcome {
            status: RunStatus::Interrupted,
            epochs_completed,
            seconds,
            test: None,
            validation: None,
            selection: None,
            candidates: None,
        }
    }
}

/// The one message type from workers.
#[derive(Debug, Clone)]
pub enum RunEvent {
    Started {
        run_id: String,
        device: String,
        epochs: usize,
        batches_per_epoch: usize,
        train_pairs: usize,
    },
    /// Throttled batch progress within an epoch (no device sync behind it).
    Progress {
        run_id: String,
        epoch: usize,
        batch: usize,
        batches: usize,
    },
    Epoch {
        run_id: String,
        record: EpochRecord,
    },
    Finished {
        run_id: String,
        outcome: Box<RunOutcome>,
    },
    Failed {
        run_id: String,
        reason: String,
    },
}

impl RunEvent {
    /// The event without its bulk (a finished run's per-user rows and recommendations), for
    /// displays that only show means.
    pub fn without_bulk(&self) -> RunEvent {
        match self {
            RunEvent::Finished { run_id, outcome } => RunEvent::Finished {
                run_id: run_id.clone(),
                outcome: Box::new(RunOutcome {
                    status: outcome.status,
                    epochs_completed: outcome.epochs_completed,
                    seconds: outcome.seconds,
                    test: outcome.test.as_ref().map(|t| TestReport {
                        means: t.means.clone(),
                        ci95: t.ci95.clone(),
                        users_evaluated: t.users_evaluated,
                        ..TestReport::default()
                    }),
                    validation: outcome.validation.clone(),
                    selection: outcome.selection.clone(),
                    candidates: None,
                }),
            },
            other => other.clone(),
        }
    }

    pub fn run_id(&self) -> &str {
        match self {
            RunEvent::Started { run_id, .. }
            | RunEvent::Progress { run_id, .. }
            | RunEvent::Epoch { run_id, .. }
            | RunEvent::Finished { run_id, .. }
            | RunEvent::Failed { run_id, .. } => run_id,
        }
    }
}

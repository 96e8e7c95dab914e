//! `--run … --json`: the sweep as JSON lines on stdout, one object per event, for scripts and
//! notebooks (`pandas.read_json(…, lines=True)`). Every object has an `event` field:
//!
//! - `prepared`: experiment, out_dir, backend, adapter, parallel, runs (ids to train), kept
//!   (a resumed sweep's finished runs);
//! - `started`: run_id, device, epochs, batches_per_epoch, train_pairs;
//! - `epoch`: run_id, epoch, loss, relevance_loss, diversity_loss, l2_loss, eval (metric →
//!   value on the monitored split, evaluated epochs only), seconds;
//! - `finished`, `failed`, `interrupted`: run_id and the run's whole `summary` (as its
//!   `summary.json`, reason included), once its files are written;
//! - `ended`: out_dir, all_finished, not_started, gates (as `gates.json`), choice (as
//!   `selection.json`, when `select` is set).
//!
//! Numbers that are not finite (a loss not computed) are `null`. Batch progress is not sent.

use serde_json::{Value, json};

use crate::events::RunEvent;
use crate::sweep::SweepEvent;

/// The JSON object of `event`, or `None` for the events not sent.
pub fn event_json(event: SweepEvent<'_>) -> Option<Value> {
    Some(match event {
        SweepEvent::Prepared(plan) => json!({
            "event": "prepared",
            "experiment": plan.experiment,
            "out_dir": plan.out_dir,
            "backend": plan.device.kind,
            "adapter": plan.device.adapter,
            "parallel": plan.parallel,
            "runs": plan.runs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            "kept": plan.kept,
        }),
        SweepEvent::Run(RunEvent::Started {
            run_id,
            device,
            epochs,
            batches_per_epoch,
            train_pairs,
        }) => json!({
            "event": "started",
            "run_id": run_id,
            "device": device,
            "epochs": epochs,
            "batches_per_epoch": batches_per_epoch,
            "train_pairs": train_pairs,
        }),
        SweepEvent::Run(RunEvent::Epoch { run_id, record }) => json!({
            "event": "epoch",
            "run_id": run_id,
            "epoch": record.epoch,
            "loss": record.loss,
            "relevance_loss": record.relevance_loss,
            "diversity_loss": record.diversity_loss,
            "l2_loss": record.l2_loss,
            "eval": record.eval,
            "seconds": record.seconds,
        }),
        // A run's end is told once its files are written, with its summary.
        SweepEvent::Run(_) => return None,
        SweepEvent::Recorded(summary) => json!({
            "event": summary.status.as_str(),
            "run_id": summary.run_id,
            "summary": summary,
        }),
        SweepEvent::Ended(report) => json!({
            "event": "ended",
            "out_dir": report.out_dir,
            "all_finished": report.all_finished(),
            "not_started": report.not_started,
            "gates": report.gates,
            "choice": report.choice,
        }),
    })
}

/// Prints `event` as one line, if it is sent.
pub fn print(event: SweepEvent<'_>) {
    if let Some(v) = event_json(event) {
        println!("{v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EpochRecord;

    #[test]
    fn an_epoch_is_one_object_with_nulls_for_what_was_not_computed() {
        let record = EpochRecord {
            epoch: 3,
            loss: 0.5,
            relevance_loss: 0.5,
            diversity_loss: f64::NAN,
            l2_loss: f64::NAN,
            eval: Some([("auc".parse().unwrap(), 0.75)].into_iter().collect()),
            seconds: 1.25,
        };
        let event = RunEvent::Epoch {
            run_id: "lambda-0_seed-1".into(),
            record,
        };
        let v = event_json(SweepEvent::Run(&event)).unwrap();
        let line = v.to_string();
        assert!(!line.contains('\n'));
        let back: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["event"], "epoch");
        assert_eq!(back["epoch"], 3);
        assert!(back["diversity_loss"].is_null());
        assert_eq!(back["eval"]["auc"], 0.75);
    }

    #[test]
    fn batch_progress_and_raw_ends_are_not_sent() {
        let progress = RunEvent::Progress {
            run_id: "r".into(),
            epoch: 1,
            batch: 1,
            batches: 2,
        };
        assert!(event_json(SweepEvent::Run(&progress)).is_none());
        let failed = RunEvent::Failed {
            run_id: "r".into(),
            reason: "x".into(),
        };
        assert!(event_json(SweepEvent::Run(&failed)).is_none());
    }
}

//! Following a sweep other processes write (`recsweep --watch DIR`: array tasks on a cluster,
//! a headless `--run` elsewhere) by reading its store: each poll turns what changed on disk
//! into the run events a local sweep would have sent, so the workbench shows remote runs as if
//! they trained here. A run has started when its `metrics.csv` appears, every new row is an
//! epoch, and its `summary.json` ends it.
//!
//! The runtime polls when a file notification arrives and at least twice a second: the
//! network file systems a cluster shares (NFS, Lustre) do not deliver notifications for writes
//! made on other nodes, so polling is what always works. A file is read again only when its
//! size or modification time changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::events::{EpochRecord, MetricMap, RunEvent, RunOutcome, RunStatus, TestReport};
use crate::metrics::MetricKey;
use crate::store;

#[derive(Debug, Default)]
struct Seen {
    started: bool,
    epochs: usize,
    ended: bool,
    metrics_stamp: Option<(SystemTime, u64)>,
}

/// The runs of one sweep directory and what has been told of each.
#[derive(Debug)]
pub struct Watcher {
    dir: PathBuf,
    /// Run ids in the sweep's order, with the epochs each trains.
    runs: Vec<(String, usize)>,
    seen: HashMap<String, Seen>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// One row of `metrics.csv` as the epoch record it was written from.
fn record(row: &BTreeMap<String, f64>) -> EpochRecord {
    let get = |k: &str| row.get(k).copied().unwrap_or(f64::NAN);
    let eval: MetricMap = row
        .iter()
        .filter_map(|(column, &v)| {
            let key: MetricKey = column.strip_prefix("val_")?.parse().ok()?;
            Some((key, v))
        })
        .collect();
    EpochRecord {
        epoch: get("epoch") as usize,
        loss: get("loss"),
        relevance_loss: get("relevance_loss"),
        diversity_loss: get("diversity_loss"),
        l2_loss: get("l2_loss"),
        eval: (!eval.is_empty()).then_some(eval),
        seconds: get("seconds"),
    }
}

impl Watcher {
    pub fn new(dir: PathBuf, runs: Vec<(String, usize)>) -> Self {
        Self {
            dir,
            runs,
            seen: HashMap::new(),
        }
    }

    /// Whether every run has ended (its summary has been read).
    pub fn all_ended(&self) -> bool {
        self.runs
            .iter()
            .all(|(id, _)| self.seen.get(id).is_some_and(|s| s.ended))
    }

    /// The events of what changed on disk since the last poll.
    pub fn poll(&mut self) -> Vec<RunEvent> {
        let mut events = Vec::new();
        for (id, epochs) in &self.runs {
            let seen = self.seen.entry(id.clone()).or_default();
            if seen.ended {
                continue;
            }
            let run_dir = self.dir.join(id);
            let metrics = run_dir.join("metrics.csv");
            let summary = store::read_summary(&run_dir.join("summary.json")).ok();
            let now = stamp(&metrics);
            if (now.is_some() || summary.is_some()) && !seen.started {
                seen.started = true;
                events.push(RunEvent::Started {
                    run_id: id.clone(),
                    device: "another process".into(),
                    epochs: summary.as_ref().map_or(*epochs, |s| s.epochs),
                    batches_per_epoch: 0,
                    train_pairs: summary.as_ref().map_or(0, |s| s.train_pairs),
                });
            }
            if now.is_some() && now != seen.metrics_stamp {
                seen.metrics_stamp = now;
                let rows = std::fs::read_to_string(&metrics)
                    .ok()
                    .and_then(|t| store::parse_metrics_csv(&t, &metrics).ok())
                    .unwrap_or_default();
                for row in rows.iter().skip(seen.epochs) {
                    events.push(RunEvent::Epoch {
                        run_id: id.clone(),
                        record: record(row),
                    });
                }
                seen.epochs = seen.epochs.max(rows.len());
            }
            if let Some(s) = summary {
                seen.ended = true;
                events.push(match s.status {
                    RunStatus::Failed => RunEvent::Failed {
                        run_id: id.clone(),
                        reason: s.reason.unwrap_or_default(),
                    },
                    status => RunEvent::Finished {
                        run_id: id.clone(),
                        outcome: Box::new(RunOutcome {
                            status,
                            epochs_completed: s.epochs_completed,
                            seconds: s.seconds,
                            test: (status == RunStatus::Finished).then(|| TestReport {
                                means: s.test.clone(),
                                ci95: s.test_ci95.clone(),
                                users_evaluated: s.users_evaluated,
                                ..TestReport::default()
                            }),
                            validation: None,
                            selection: s.selection.clone(),
                            candidates: None,
                        }),
                    },
                });
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RunStore, finished_summary};

    const HEADER: &str =
        "epoch,loss,relevance_loss,diversity_loss,l2_loss,eval_split,val_auc,seconds\n";

    #[test]
    fn files_appearing_on_disk_become_the_events_of_a_local_sweep() {
        let dir = tempfile::tempdir().unwrap();
        let store = RunStore::create(dir.path().to_path_buf()).unwrap();
        let mut w = Watcher::new(
            dir.path().to_path_buf(),
            vec![("a".into(), 3), ("b".into(), 3)],
        );
        assert!(w.poll().is_empty(), "nothing on disk yet");

        let metrics = dir.path().join("a/metrics.csv");
        store::write_atomic(
            &metrics,
            format!("{HEADER}1,0.6,0.6,NaN,NaN,validation,0.7,0.5\n").as_bytes(),
        )
        .unwrap();
        let events = w.poll();
        assert!(matches!(&events[0], RunEvent::Started { run_id, epochs: 3, .. } if run_id == "a"));
        match &events[1] {
            RunEvent::Epoch { record, .. } => {
                assert_eq!(record.epoch, 1);
                assert_eq!(record.loss, 0.6);
                assert!(record.diversity_loss.is_nan());
                assert_eq!(record.eval.as_ref().unwrap()[&MetricKey::AUC], 0.7);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(events.len(), 2);
        assert!(w.poll().is_empty(), "an unchanged file tells nothing again");

        // A second epoch, then the summary: the new row and the end, once.
        store::write_atomic(
            &metrics,
            format!("{HEADER}1,0.6,0.6,NaN,NaN,validation,0.7,0.5\n2,0.5,0.5,NaN,NaN,,,1.0\n")
                .as_bytes(),
        )
        .unwrap();
        let mut s = finished_summary("baseline", 0.0, None, 1);
        s.run_id = "a".into();
        s.test.insert(MetricKey::AUC, 0.8);
        store.write_summary(&s).unwrap();
        let events = w.poll();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(
            matches!(&events[0], RunEvent::Epoch { record, .. } if record.epoch == 2 && record.eval.is_none())
        );
        match &events[1] {
            RunEvent::Finished { outcome, .. } => {
                assert_eq!(outcome.status, RunStatus::Finished);
                assert_eq!(outcome.test.as_ref().unwrap().means[&MetricKey::AUC], 0.8);
            }
            other => panic!("{other:?}"),
        }
        assert!(!w.all_ended());

        // A run that failed before its first epoch: started and failed at once.
        let mut f = finished_summary("exposure_entropy", 1.0, None, 1);
        f.run_id = "b".into();
        f.status = RunStatus::Failed;
        f.reason = Some("loss became non-finite".into());
        store.write_summary(&f).unwrap();
        let events = w.poll();
        assert!(matches!(&events[0], RunEvent::Started { .. }));
        assert!(
            matches!(&events[1], RunEvent::Failed { reason, .. } if reason.contains("non-finite"))
        );
        assert!(w.all_ended());
        assert!(w.poll().is_empty());
    }
}

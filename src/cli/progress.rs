//! How a headless sweep shows its progress: a bar per run on a terminal, otherwise (CI,
//! pipes) one plain line per event that matters, so logs stay readable.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::config::CurveKeys;
use crate::events::{EpochRecord, RunEvent};
use crate::metrics::{Metric, MetricKey};
use crate::sweep::{SweepEvent, SweepPlan};

/// The progress display of one sweep.
pub struct Progress {
    /// Per run: total epochs and batches per epoch (from its `Started` event).
    shape: HashMap<String, (usize, usize)>,
    /// The metrics an epoch line shows (from the plan).
    keys: Vec<MetricKey>,
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    by_run: HashMap<String, ProgressBar>,
}

/// The keys an epoch reports: the curves' AUC and coverage, and NDCG at the coverage's K.
fn epoch_keys(curves: &CurveKeys) -> Vec<MetricKey> {
    let mut keys = vec![curves.auc];
    if let Some(k) = curves.coverage.k {
        keys.push(MetricKey::at(Metric::Ndcg, k));
    }
    keys.push(curves.coverage);
    keys
}

impl Progress {
    /// Bars when `terminal`, plain lines otherwise.
    pub fn new(terminal: bool) -> Self {
        Self {
            shape: HashMap::new(),
            keys: vec![MetricKey::AUC],
            bars: terminal.then(|| Bars {
                multi: MultiProgress::new(),
                by_run: HashMap::new(),
            }),
        }
    }

    fn println(&self, line: String) {
        match &self.bars {
            Some(b) => {
                let _ = b.multi.println(crate::charset::for_terminal(&line));
            }
            None => say!("{line}"),
        }
    }

    pub fn on(&mut self, event: SweepEvent<'_>) {
        match event {
            SweepEvent::Prepared(plan) => self.prepared(plan),
            SweepEvent::Run(e) => self.run_event(e),
            SweepEvent::Recorded(_) | SweepEvent::Ended(_) => {}
        }
    }

    fn prepared(&mut self, plan: &SweepPlan) {
        self.keys = epoch_keys(&plan.curves);
        self.println(format!(
            "backend: {} · {} run(s) at once, {} thread(s) each",
            plan.device.describe(),
            plan.parallel,
            plan.threads_per_run
        ));
        self.println(format!("data: {}", plan.data));
        self.println(format!("output: {}", plan.out_dir.display()));
        if !plan.kept.is_empty() {
            self.println(format!(
                "resuming: {} finished run(s) kept, {} to train",
                plan.kept.len(),
                plan.runs.len()
            ));
        }
    }

    fn run_event(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Started {
                run_id,
                device,
                epochs,
                batches_per_epoch,
                train_pairs,
            } => {
                self.shape
                    .insert(run_id.clone(), (*epochs, *batches_per_epoch));
                match &mut self.bars {
                    Some(b) => {
                        let bar = b
                            .multi
                            .add(ProgressBar::new((epochs * batches_per_epoch) as u64));
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{prefix:<24} {bar:30.cyan/blue} {percent:>3}% eta {eta:<4} {msg}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            // Blocks where the terminal shows them, ASCII where not.
                            .progress_chars(
                                if crate::charset::unicode() {
                                    "█▉▊▋▌▍▎▏ "
                                } else {
                                    "#>-"
                                },
                            ),
                        );
                        bar.set_prefix(run_id.clone());
                        b.by_run.insert(run_id.clone(), bar);
                    }
                    None => say!(
                        "[{run_id}] started on {device}: {train_pairs} training pairs, {batches_per_epoch} batches/epoch"
                    ),
                }
            }
            RunEvent::Progress {
                run_id,
                epoch,
                batch,
                ..
            } => {
                let per_epoch = self.shape.get(run_id).map_or(0, |s| s.1);
                if let Some(bar) = self.bars.as_ref().and_then(|b| b.by_run.get(run_id)) {
                    bar.set_position(((epoch - 1) * per_epoch + batch) as u64);
                }
            }
            RunEvent::Epoch { run_id, record } => {
                match self.bars.as_ref().and_then(|b| b.by_run.get(run_id)) {
                    Some(bar) => {
                        let mut msg = format!("ep {} loss {:.4}", record.epoch, record.loss);
                        for key in &self.keys {
                            if let Some(v) = record.eval.as_ref().and_then(|m| m.get(key)) {
                                msg.push_str(&format!(" {key} {v:.3}"));
                            }
                        }
                        bar.set_message(crate::charset::for_terminal(&msg).into_owned());
                    }
                    None => {
                        let epochs = self.shape.get(run_id).map_or(0, |s| s.0);
                        say!("{}", epoch_line(run_id, epochs, record, &self.keys));
                    }
                }
            }
            RunEvent::Finished { run_id, outcome } => {
                let mut text = format!("{} after {:.1}s", outcome.status.as_str(), outcome.seconds);
                // A trained run says which epoch it reports (a re-ranking run trains none).
                if let Some(sel) = outcome.selection.as_ref().filter(|s| s.epoch > 0) {
                    text.push_str(&format!(": reports epoch {}, {}", sel.epoch, sel.reason));
                }
                match self.bars.as_ref().and_then(|b| b.by_run.get(run_id)) {
                    Some(bar) => {
                        bar.finish_with_message(crate::charset::for_terminal(&text).into_owned())
                    }
                    None => say!("[{run_id}] {text}"),
                }
            }
            RunEvent::Failed { run_id, reason } => {
                match self.bars.as_ref().and_then(|b| b.by_run.get(run_id)) {
                    Some(bar) => bar.abandon_with_message(
                        crate::charset::for_terminal(&format!("FAILED: {reason}")).into_owned(),
                    ),
                    None => self.println(format!("[{run_id}] FAILED: {reason}")),
                }
            }
        }
    }
}

fn epoch_line(run_id: &str, epochs: usize, r: &EpochRecord, keys: &[MetricKey]) -> String {
    // NaN: not computed (λ = 0).
    let diversity = if r.diversity_loss.is_nan() {
        "not computed".to_string()
    } else {
        format!("{:.4}", r.diversity_loss)
    };
    // NaN: the L2 term on the batch's rows is not part of the objective; nothing to show.
    let l2 = if r.l2_loss.is_nan() {
        String::new()
    } else {
        format!(", l2 {:.4}", r.l2_loss)
    };
    let mut line = format!(
        "[{run_id}] epoch {}/{epochs} loss {:.4} (relevance {:.4}, diversity {diversity}{l2})",
        r.epoch, r.loss, r.relevance_loss
    );
    if let Some(m) = &r.eval {
        for key in keys {
            if let Some(v) = m.get(key) {
                line.push_str(&format!(" val_{key} {v:.4}"));
            }
        }
    }
    line.push_str(&format!(" [{:.1}s]", r.seconds));
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_lines_show_the_curve_keys_at_their_k() {
        let curves = CurveKeys {
            auc: MetricKey::AUC,
            coverage: MetricKey::at(Metric::Coverage, 5),
        };
        let keys = epoch_keys(&curves);
        let record = EpochRecord {
            epoch: 2,
            loss: 0.5,
            relevance_loss: 0.4,
            diversity_loss: 0.1,
            l2_loss: f64::NAN,
            eval: Some(
                [
                    (MetricKey::AUC, 0.8),
                    (MetricKey::at(Metric::Ndcg, 5), 0.25),
                    (MetricKey::at(Metric::Coverage, 5), 0.3),
                    (MetricKey::at(Metric::Coverage, 10), 0.9),
                ]
                .into(),
            ),
            seconds: 1.0,
        };
        let line = epoch_line("r", 4, &record, &keys);
        assert!(line.contains("val_auc 0.8000"), "{line}");
        assert!(line.contains("val_ndcg@5 0.2500"), "{line}");
        assert!(line.contains("val_coverage@5 0.3000"), "{line}");
        assert!(!line.contains("coverage@10"), "{line}");
        assert!(!line.contains("l2"), "{line}");
        let with_l2 = EpochRecord {
            l2_loss: 0.0125,
            ..record
        };
        let line = epoch_line("r", 4, &with_l2, &keys);
        assert!(line.contains("diversity 0.1000, l2 0.0125)"), "{line}");
    }
}

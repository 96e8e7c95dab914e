//! Frame draw time of the workbench with 16 runs × 500 epochs on the charts (160×48
//! TestBackend, the curves view with all three charts, then the trade-off view). Prints
//! medians, and as the same-process reference a frame of the empty workbench.
//! Run: `cargo bench --bench tui`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use recsweep::config::{CurveKeys, ExperimentEntry, ExperimentInfo, RunSpec};
use recsweep::events::{EpochRecord, RunEvent};
use recsweep::metrics::{Metric, MetricKey};
use recsweep::tui::app::{Key, Msg, State};
use recsweep::tui::view;

fn key(name: &str) -> MetricKey {
    name.parse().unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn state(runs: usize, epochs: usize) -> State {
    let info = ExperimentInfo {
        name: "bench".into(),
        runs,
        lambdas: vec![],
        epochs,
        relevance: MetricKey::at(Metric::Ndcg, 10),
        diversity: MetricKey::at(Metric::Coverage, 10),
        curves: CurveKeys {
            auc: MetricKey::AUC,
            coverage: MetricKey::at(Metric::Coverage, 10),
        },
    };
    let mut s = State::new(
        PathBuf::from("x"),
        vec![ExperimentEntry {
            path: "x.yaml".into(),
            status: Ok(info),
        }],
    );
    let specs: Vec<RunSpec> = (0..runs).map(|i| RunSpec::new(i as f64 * 0.1, 1)).collect();
    s.update(Msg::SweepStarted {
        experiment: 0,
        out_dir: "out".into(),
        runs: specs.clone(),
    });
    for (i, r) in specs.iter().enumerate() {
        s.update(Msg::Run(RunEvent::Started {
            run_id: r.id.clone(),
            device: "cpu".into(),
            epochs,
            batches_per_epoch: 1,
            train_pairs: 1,
        }));
        for e in 1..=epochs {
            let t = e as f64 / epochs as f64;
            let eval = BTreeMap::from([
                (key("auc"), 0.6 + 0.3 * t.sqrt() - 0.005 * i as f64),
                (key("coverage@10"), 0.1 + 0.02 * i as f64 * t),
            ]);
            s.update(Msg::Run(RunEvent::Epoch {
                run_id: r.id.clone(),
                record: EpochRecord {
                    epoch: e,
                    loss: 0.7 - 0.4 * t,
                    relevance_loss: 0.0,
                    diversity_loss: 0.0,
                    l2_loss: f64::NAN,
                    eval: Some(eval),
                    seconds: e as f64,
                },
            }));
        }
    }
    s
}

fn time_frames(s: &State, frames: usize) -> f64 {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let t = Instant::now();
        terminal.draw(|f| view::render(s, f)).unwrap();
        times.push(t.elapsed().as_secs_f64());
    }
    median(times)
}

fn main() {
    let frames = 60;
    let empty = time_frames(&state(0, 0), frames);
    let mut busy = state(16, 500);
    let curves = time_frames(&busy, frames);
    busy.update(Msg::Key(Key::Char('t')));
    let tradeoff = time_frames(&busy, frames);
    println!("workbench frame at 160x48, median of {frames} frames");
    println!("empty workbench (reference): {:.2} ms", empty * 1e3);
    println!(
        "16 runs x 500 epochs, curves view (3 charts): {:.2} ms ({:.1}x reference)",
        curves * 1e3,
        curves / empty
    );
    println!("16 runs, trade-off view: {:.2} ms", tradeoff * 1e3);
    println!("frame budget at 30 fps: 33.3 ms");
}

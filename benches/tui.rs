//! Frame draw time of the workbench with 16 runs × 500 epochs on the charts (160×48
//! TestBackend, the curves view with all three charts, then the trade-off view). Prints
//! medians, and as the same-process reference a frame of the empty workbench.
//! Then the browser on a store of 500 runs: opening the sweep from disk (500 summaries and
//! metrics files), listing the store, and a frame of the 500 finished runs in the curves, the
//! trade-off and the filtered views.
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

/// A stored sweep of `runs` runs in `dir`, each a copy of the test fixture's λ = 1 run with
/// its own id, λ and test values.
fn write_store(dir: &std::path::Path, runs: usize) {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stored-sweep");
    let read = |p: &str| std::fs::read_to_string(fixture.join(p)).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(&read("sweep.json")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&read("lambda-1_seed-5/summary.json")).unwrap();
    let metrics = read("lambda-1_seed-5/metrics.csv");
    let mut listed = Vec::new();
    for i in 0..runs {
        let lambda = i as f64 / runs as f64;
        let id = format!("exposure_entropy_lambda-{lambda}_seed-5");
        let mut s = summary.clone();
        s["run_id"] = id.clone().into();
        s["method"] = "exposure_entropy".into();
        s["lambda"] = lambda.into();
        s["test"]["ndcg@5"] = (0.3 - 0.1 * lambda).into();
        s["test"]["coverage@5"] = (0.2 + 0.5 * lambda.sqrt()).into();
        let run_dir = dir.join(&id);
        std::fs::create_dir_all(&run_dir).unwrap();
        std::fs::write(run_dir.join("summary.json"), s.to_string()).unwrap();
        std::fs::write(run_dir.join("metrics.csv"), &metrics).unwrap();
        listed.push(serde_json::json!({
            "run_id": id, "method": "exposure_entropy", "lambda": lambda, "seed": 5
        }));
    }
    manifest["runs"] = listed.into();
    std::fs::write(dir.join("sweep.json"), manifest.to_string()).unwrap();
}

fn time_it(repeats: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..repeats)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn browse_500(frames: usize, empty: f64) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tiny/big");
    write_store(&dir, 500);
    let open = time_it(5, || {
        recsweep::tui::stored::open(&dir).unwrap();
    });
    let list = time_it(5, || {
        assert_eq!(recsweep::tui::stored::list_sweeps(root.path()).len(), 1);
    });
    let opened = recsweep::tui::stored::open(&dir).unwrap();
    let mut s = state(0, 0);
    s.update(Msg::Sweeps(recsweep::tui::stored::list_sweeps(root.path())));
    s.update(Msg::Opened(Box::new(opened)));
    assert_eq!(s.runs.len(), 500);
    s.run_selected = 400;
    let curves = time_frames(&s, frames);
    s.update(Msg::Key(Key::Char('t')));
    assert_eq!(s.tradeoff_points().len(), 500);
    let tradeoff = time_frames(&s, frames);
    s.update(Msg::Key(Key::Char('F'))); // one method: all 500 still shown
    s.update(Msg::Key(Key::Char('f'))); // finished: all 500
    let filtered = time_frames(&s, frames);
    println!(
        "store of 500 runs: open {:.1} ms, list {:.1} ms",
        open * 1e3,
        list * 1e3
    );
    println!(
        "500 stored runs, curves view: {:.2} ms ({:.1}x reference)",
        curves * 1e3,
        curves / empty
    );
    println!("500 stored runs, trade-off view: {:.2} ms", tradeoff * 1e3);
    println!(
        "500 stored runs, filtered trade-off: {:.2} ms",
        filtered * 1e3
    );
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
    browse_500(frames, empty);
    println!("frame budget at 30 fps: 33.3 ms");
}

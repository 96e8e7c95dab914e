//! SIGKILL at any moment leaves no half-written file: a sweep is killed at points spread over
//! its run (while it loads, trains, records runs, writes the fronts and the figures), and
//! every file it left is read back whole. `recsweep plot` on what is left either rebuilds
//! the figures or says why not, and never panics.

use std::path::Path;
use std::time::Duration;

use crate::support::{recsweep, spawn_sweep};

/// A sweep of about two seconds on the CPU backend: three λ, a re-ranker, validation (also
/// what `resume` kills and resumes).
pub const SWEEP: &str = "name: killed
seed: 3
data:
  source: synthetic
  synthetic:
    users: 1500
    items: 500
    categories: 8
    interactions_per_user: 30
  split:
    method: random
    test: 0.2
    validation: 0.1
model:
  dim: 16
train:
  epochs: 8
  batch_size: 256
  backend: cpu
sweep:
  lambda: [0, 0.1, 0.3]
rerank:
  methods: [mmr]
  theta: [0.5]
eval:
  k: [10]
  every: 1
parallel: 2
";

/// The fields of one CSV line, quotes respected.
fn csv_fields(line: &str) -> usize {
    let mut quoted = false;
    let mut fields = 1;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields += 1,
            _ => {}
        }
    }
    fields
}

/// Checks that `path`, a file the sweep wrote, is whole; panics naming it otherwise.
fn assert_whole(path: &Path) {
    let name = path.display();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let bytes = std::fs::read(path).unwrap();
    match ext {
        "json" => {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{name}: not whole JSON: {e}"));
        }
        "yaml" => {
            serde_yaml::from_slice::<serde_yaml::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{name}: not whole YAML: {e}"));
        }
        "csv" => {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.ends_with('\n'), "{name}: the last line is cut");
            let mut lines = text.lines();
            let header = csv_fields(lines.next().expect("a header"));
            for (i, line) in lines.enumerate() {
                assert_eq!(csv_fields(line), header, "{name}: line {} is cut", i + 2);
            }
        }
        "parquet" => {
            assert!(
                bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
                "{name}: not whole Parquet"
            );
        }
        "png" => {
            image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{name}: not a PNG: {e}"));
        }
        "svg" => {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.trim_end().ends_with("</svg>"), "{name}: cut SVG");
        }
        "pdf" => {
            assert!(
                bytes.starts_with(b"%PDF-") && bytes.ends_with(b"%%EOF\n"),
                "{name}: cut PDF"
            );
        }
        other => panic!("{name}: unexpected file kind '{other}'"),
    }
}

/// Every visible file under `dir`, checked; hidden ones are the atomic writes' temporaries.
pub fn check_tree(dir: &Path, files: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if path.is_dir() {
            check_tree(&path, files);
        } else if !hidden {
            assert_whole(&path);
            *files += 1;
        }
    }
}

#[test]
fn a_sweep_killed_at_any_moment_leaves_only_whole_files() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("killed.yaml");
    std::fs::write(&yaml, SWEEP).unwrap();
    // From before the first run starts to the figures at the end (about 2 s in all).
    let delays_ms = [30, 120, 300, 600, 900, 1300, 1700, 2200];
    let mut files_seen = 0;
    for (i, delay) in delays_ms.into_iter().enumerate() {
        let out = tmp.path().join(format!("out-{i}"));
        let mut child = spawn_sweep(&yaml, &out);
        std::thread::sleep(Duration::from_millis(delay));
        // SIGKILL on Unix: no handler runs, nothing is flushed or renamed after this.
        let _ = child.kill();
        let _ = child.wait();
        let mut files = 0;
        check_tree(&out, &mut files);
        files_seen += files;
        if out.join("sweep.json").is_file() {
            // What is left can be plotted, or `plot` says why not: never a panic (101).
            let plot = recsweep(&["plot", out.to_str().unwrap()]);
            assert_ne!(
                plot.status.code(),
                Some(101),
                "plot after a kill at {delay} ms panicked: {}",
                String::from_utf8_lossy(&plot.stderr)
            );
            let mut after = 0;
            check_tree(&out, &mut after);
        }
    }
    assert!(
        files_seen > 20,
        "the kills left almost nothing to check ({files_seen} files): the sweep is too fast"
    );
}

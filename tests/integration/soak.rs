//! Soak, the CI variant: a 64-run sweep with four runs at once on small synthetic data. Every
//! run finishes, and while they accumulate the process's threads, open files and resident
//! memory stay bounded (sampled from `/proc` as the runs are recorded; `--nocapture` prints
//! the readings).

use std::time::{Duration, Instant};

const SWEEP: &str = "name: soak
seed: 2
data:
  source: synthetic
  synthetic:
    users: 300
    items: 150
    categories: 6
    interactions_per_user: 15
  split:
    method: random
    test: 0.2
model:
  dim: 8
train:
  epochs: 3
  batch_size: 256
  backend: cpu
sweep:
  lambda: {from: 0, to: 1, steps: 32}
  seeds: [1, 2]
eval:
  k: [10]
  every: 3
parallel: 4
";

/// One `/proc` reading of the sweep process: threads, open descriptors, resident KiB.
fn sample(pid: u32) -> Option<(usize, usize, u64)> {
    let proc = format!("/proc/{pid}");
    let threads = std::fs::read_dir(format!("{proc}/task")).ok()?.count();
    let fds = std::fs::read_dir(format!("{proc}/fd")).ok()?.count();
    let status = std::fs::read_to_string(format!("{proc}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((threads, fds, rss))
}

#[test]
fn sixty_four_runs_finish_with_bounded_threads_files_and_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        panic!("the soak test reads /proc: run it on Linux");
    }
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("soak.yaml");
    std::fs::write(&yaml, SWEEP).unwrap();
    let out = tmp.path().join("out");
    let mut child = crate::support::spawn_sweep(&yaml, &out);
    // (runs recorded, threads, descriptors, RSS KiB) while the sweep runs.
    let mut samples: Vec<(usize, usize, usize, u64)> = Vec::new();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the soak sweep did not end"
        );
        if let Some((threads, fds, rss)) = sample(child.id()) {
            let recorded = std::fs::read_dir(&out)
                .map(|d| {
                    d.filter(|e| {
                        e.as_ref()
                            .is_ok_and(|e| e.path().join("summary.json").is_file())
                    })
                    .count()
                })
                .unwrap_or(0);
            samples.push((recorded, threads, fds, rss));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "the soak sweep failed: {status}");
    let runs = crate::support::run_ids(&out);
    assert_eq!(runs.len(), 64);
    for run in &runs {
        let s = crate::support::summary(&out, run);
        assert_eq!(s.status.as_str(), "finished", "{run}");
    }
    assert!(samples.len() >= 10, "too few samples: {}", samples.len());
    // Threads: per run at once, its own thread and its one-thread pool; a few of the sweep's.
    let max_threads = samples.iter().map(|s| s.1).max().unwrap();
    assert!(max_threads <= 4 * 2 + 8, "{max_threads} threads at once");
    // Descriptors: no file is left open as runs accumulate.
    let max_fds = samples.iter().map(|s| s.2).max().unwrap();
    eprintln!(
        "soak: {} samples; threads at most {max_threads}, descriptors at most {max_fds}; RSS KiB by runs recorded: {:?}",
        samples.len(),
        [0, 16, 32, 48, 63].map(|n| samples.iter().find(|s| s.0 >= n).map(|s| s.3))
    );
    assert!(max_fds <= 32, "{max_fds} descriptors open at once");
    // Memory: what is resident once a quarter of the runs are recorded, against the most
    // at any later point (nothing is kept per run: the per-user tables the paired tests need
    // are read back from the store at the end). `recsweep soak` is the full-size variant.
    let quarter = samples.iter().find(|s| s.0 >= 16).map(|s| s.3);
    if let Some(quarter) = quarter {
        let later = samples
            .iter()
            .filter(|s| s.0 >= 16)
            .map(|s| s.3)
            .max()
            .unwrap();
        assert!(
            later <= quarter + 16 * 1024,
            "resident memory grew from {quarter} KiB to {later} KiB over 48 runs"
        );
    }
}

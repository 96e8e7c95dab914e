//! `recsweep soak`: the full-size soak. A sweep of many runs (256 by default) on synthetic
//! data of MovieLens-100K's size trains through the real sweep, as many runs at once as there
//! are cores; at every recorded run the process's resident memory, threads and open file
//! descriptors are read from `/proc/self`. The report prints them against the runs recorded,
//! so growth shows: a leak grows with the runs, a bounded sweep stays flat once the first
//! runs are in. The CI variant of the same check is `tests/integration/soak.rs` (64 small runs).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config;
use crate::events::RunStatus;
use crate::sweep::{self, SweepControl, SweepEvent, SweepOptions};

#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// Runs in the sweep (λ values × 2 seeds).
    pub runs: usize,
    /// Runs trained at once (default: the cores).
    pub parallel: usize,
    pub epochs: usize,
    /// Where the sweep is written (removed afterwards unless `keep`).
    pub out: PathBuf,
    pub keep: bool,
}

/// One reading of `/proc/self` as a run is recorded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub runs_recorded: usize,
    pub rss_kib: u64,
    pub threads: usize,
    pub fds: usize,
}

#[derive(Debug, Clone)]
pub struct SoakReport {
    pub readings: Vec<Reading>,
    pub finished: usize,
    pub not_finished: Vec<String>,
    pub seconds: f64,
    /// Peak resident memory of the process (`VmHWM`), MiB.
    pub peak_rss_mib: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    #[error("the soak reads /proc/self: it runs on Linux only")]
    NoProc,
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Sweep(#[from] sweep::SweepError),
}

/// The soak's experiment: MovieLens-100K's size (943 users, 1682 items, about 50 positives a
/// user), d = 32, `runs / 2` λ values from 0 to 1 and two seeds, validation every epoch.
fn experiment_yaml(opts: &SoakOptions) -> String {
    let steps = (opts.runs / 2).max(1);
    format!(
        "name: soak
seed: 11
data:
  source: synthetic
  synthetic:
    users: 943
    items: 1682
    categories: 18
    interactions_per_user: 50
  split:
    method: random
    test: 0.2
    validation: 0.1
model:
  dim: 32
train:
  epochs: {epochs}
  batch_size: 1024
  backend: cpu
sweep:
  lambda: {{from: 0, to: 1, steps: {steps}}}
  seeds: [1, 2]
eval:
  k: [10]
  every: 1
parallel: {parallel}
",
        epochs = opts.epochs,
        parallel = opts.parallel,
    )
}

/// The `key:` line of `/proc/self/status`, in KiB.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn read_proc(runs_recorded: usize) -> Option<Reading> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some(Reading {
        runs_recorded,
        rss_kib: status_kib(&status, "VmRSS:")?,
        threads: std::fs::read_dir("/proc/self/task").ok()?.count(),
        // The listing holds its own descriptor while it reads: not counted.
        fds: std::fs::read_dir("/proc/self/fd")
            .ok()?
            .count()
            .saturating_sub(1),
    })
}

/// Runs the soak, telling `say` each reading as it is taken.
pub fn run(opts: &SoakOptions, mut say: impl FnMut(&Reading)) -> Result<SoakReport, SoakError> {
    if !Path::new("/proc/self/status").exists() {
        return Err(SoakError::NoProc);
    }
    let exp = config::parse_str(&experiment_yaml(opts), Path::new("soak.yaml"))?;
    let started = std::time::Instant::now();
    let mut readings = Vec::new();
    if let Some(r) = read_proc(0) {
        say(&r);
        readings.push(r);
    }
    let mut recorded = 0;
    let sweep_opts = SweepOptions {
        out: Some(opts.out.clone()),
        ..SweepOptions::default()
    };
    let report = sweep::run_sweep(exp, &sweep_opts, Arc::new(SweepControl::new()), &mut |e| {
        if let SweepEvent::Recorded(_) = e {
            recorded += 1;
            if let Some(r) = read_proc(recorded) {
                say(&r);
                readings.push(r);
            }
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let peak_rss_mib = crate::bench::peak_rss_mib().unwrap_or(0.0);
    if !opts.keep {
        let _ = std::fs::remove_dir_all(&opts.out);
    }
    let report = report?;
    let finished = report
        .summaries
        .iter()
        .filter(|s| s.status == RunStatus::Finished)
        .count();
    let mut not_finished: Vec<String> = report
        .summaries
        .iter()
        .filter(|s| s.status != RunStatus::Finished)
        .map(|s| format!("{}: {}", s.run_id, s.status.as_str()))
        .collect();
    not_finished.extend(
        report
            .not_started
            .iter()
            .map(|id| format!("{id}: not started")),
    );
    Ok(SoakReport {
        readings,
        finished,
        not_finished,
        seconds,
        peak_rss_mib,
    })
}

impl SoakReport {
    /// Resident memory once a quarter of the runs are in, and the most at any later point.
    pub fn growth_after_first_quarter(&self) -> Option<(u64, u64)> {
        let total = self.readings.last()?.runs_recorded;
        let quarter = self
            .readings
            .iter()
            .find(|r| r.runs_recorded * 4 >= total && r.runs_recorded > 0)?;
        let later = self
            .readings
            .iter()
            .filter(|r| r.runs_recorded >= quarter.runs_recorded)
            .map(|r| r.rss_kib)
            .max()?;
        Some((quarter.rss_kib, later))
    }

    /// The readings at 0, 10 %, 20 %, … of the runs, as a table.
    pub fn table(&self) -> String {
        let total = self.readings.last().map_or(0, |r| r.runs_recorded).max(1);
        let mut out = String::from("runs recorded   RSS MiB   threads   open fds\n");
        let mut next = 0;
        for r in &self.readings {
            if r.runs_recorded * 10 >= next * total || r.runs_recorded == total {
                out.push_str(&format!(
                    "{:>13} {:>9.1} {:>9} {:>10}\n",
                    r.runs_recorded,
                    r.rss_kib as f64 / 1024.0,
                    r.threads,
                    r.fds
                ));
                next = r.runs_recorded * 10 / total + 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(runs: usize, rss: u64) -> Reading {
        Reading {
            runs_recorded: runs,
            rss_kib: rss,
            threads: 4,
            fds: 5,
        }
    }

    #[test]
    fn growth_is_measured_from_the_first_quarter() {
        let report = SoakReport {
            readings: (0..=8).map(|n| reading(n, 1000 + 10 * n as u64)).collect(),
            finished: 8,
            not_finished: vec![],
            seconds: 1.0,
            peak_rss_mib: 1.0,
        };
        assert_eq!(report.growth_after_first_quarter(), Some((1020, 1080)));
        let table = report.table();
        assert!(table.lines().count() >= 5, "{table}");
        assert!(table.contains("            8"), "{table}");
    }

    #[test]
    fn the_experiment_parses_with_half_the_runs_as_lambdas() {
        let opts = SoakOptions {
            runs: 16,
            parallel: 2,
            epochs: 2,
            out: PathBuf::from("x"),
            keep: false,
        };
        let exp = config::parse_str(&experiment_yaml(&opts), Path::new("soak.yaml")).unwrap();
        assert_eq!(exp.select_runs(None).unwrap().len(), 16);
    }

    #[test]
    fn proc_readings_count_this_process() {
        let r = read_proc(0).expect("Linux /proc");
        assert!(r.threads >= 1 && r.rss_kib > 0, "{r:?}");
    }
}

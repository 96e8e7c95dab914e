//! recsweep's integration tests, one test binary (burn, wgpu and polars link once).
//!
//! Fixtures live beside this folder, under `tests/`, and are found from `CARGO_MANIFEST_DIR`:
//! `tests/fixtures/` (a tiny experiment, a stored sweep, a made-up MovieLens folder),
//! `tests/invalid_configs/`, and the Python cross-checks `tests/crosscheck.py` and
//! `tests/crosscheck_stats.py`.

mod support;

mod architecture;
mod config;
mod conventions;
mod crosscheck;
mod faults;
mod gates;
mod invalid_inputs;
mod kill;
mod models;
mod plots;
mod report;
mod reproduce;
mod resume;
mod slurm;
mod soak;
mod stats_crosscheck;
mod sweep;
mod tui;

//! A run's memory, asked for before it is used, and the faults tests inject into one run.
//!
//! Rust aborts the whole process when an allocation fails, which would take every other run
//! of the sweep with it. So a run first asks the allocator, fallibly, for the bytes its
//! largest buffers will hold ([`run_bytes`]): when the machine cannot give them, the run fails
//! alone with the size and what it was for, and the sweep goes on.
//!
//! `RECSWEEP_INJECT_FAULT=RUN_ID=panic|alloc[,…]` makes the named runs panic, or ask for more
//! memory than any machine has, as their second epoch starts: what the fault tests use to
//! check that one run's failure never takes the others down (a testing hook, as `fail-rs`'s
//! fail points are; without the variable nothing changes).

use crate::config::Experiment;
use crate::data::Dataset;

use super::RunError;

/// The environment variable of [`injected`].
pub const FAULT_VAR: &str = "RECSWEEP_INJECT_FAULT";

/// A fault injected into one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Panic,
    Alloc,
}

/// The fault `RECSWEEP_INJECT_FAULT` names for `run_id`, if any.
pub fn injected(run_id: &str) -> Option<Fault> {
    parse_faults(&std::env::var(FAULT_VAR).ok()?, run_id)
}

fn parse_faults(spec: &str, run_id: &str) -> Option<Fault> {
    spec.split(',').find_map(|entry| {
        let (id, fault) = entry.trim().split_once('=')?;
        (id == run_id).then_some(())?;
        match fault {
            "panic" => Some(Fault::Panic),
            "alloc" => Some(Fault::Alloc),
            _ => None,
        }
    })
}

/// Carries out an injected fault.
pub fn inject(fault: Fault) -> Result<(), RunError> {
    match fault {
        Fault::Panic => panic!("injected fault ({FAULT_VAR})"),
        // More than the address space: no allocator can give it.
        Fault::Alloc => reserve(u64::MAX / 2, "an injected allocation"),
    }
}

/// The bytes a run's largest buffers hold at once: the embedding tables with their gradient
/// and two Adam moments (4 copies of `(users + items) × (dim + 1)` floats, the two-task
/// heads a little more), the regulariser's `[sample_users, items]` scores with their
/// gradients and soft memberships, and an evaluation block of 32 users' scores; for
/// LightGCN, each layer's `[edges, dim]` messages and `[nodes, dim]` sums kept for the
/// backward pass, and their gradients (edges: twice the positives, a bound on the training
/// ones).
pub fn run_bytes(exp: &Experiment, data: &Dataset) -> u64 {
    let f32s = |n: u64| n.saturating_mul(4);
    let rows = (data.n_users() + data.n_items()) as u64;
    let dim = exp.model.dim as u64 + 1;
    let tables = f32s(rows.saturating_mul(dim).saturating_mul(4));
    let items = data.n_items() as u64;
    let regulariser = f32s((exp.diversity.sample_users as u64).saturating_mul(items) * 4);
    let evaluation = f32s(32 * items);
    let graph = if exp.model.kind == crate::config::raw::ModelKind::LightGcn {
        let edges = 2 * data.positives.len() as u64;
        let per_layer = edges.saturating_add(rows).saturating_mul(dim);
        f32s(per_layer.saturating_mul(2 * exp.model.layers as u64))
    } else {
        0
    };
    tables
        .saturating_add(regulariser)
        .saturating_add(evaluation)
        .saturating_add(graph)
}

/// Asks the allocator for `bytes` without aborting, and gives them back: `OutOfMemory` when
/// it refuses.
pub fn reserve(bytes: u64, what: &'static str) -> Result<(), RunError> {
    let refused = || RunError::OutOfMemory { bytes, what };
    let n = usize::try_from(bytes).map_err(|_| refused())?;
    let mut probe: Vec<u8> = Vec::new();
    probe.try_reserve_exact(n).map_err(|_| refused())
}

/// `bytes` for a message: `1.5 GiB`, `12.0 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_read_per_run() {
        let spec = "a_seed-1=panic, b_seed-1=alloc,c=unknown";
        assert_eq!(parse_faults(spec, "a_seed-1"), Some(Fault::Panic));
        assert_eq!(parse_faults(spec, "b_seed-1"), Some(Fault::Alloc));
        assert_eq!(parse_faults(spec, "c"), None);
        assert_eq!(parse_faults(spec, "a_seed-10"), None);
        assert_eq!(parse_faults("", "a"), None);
    }

    #[test]
    fn an_impossible_reservation_is_an_error_not_an_abort() {
        let err = inject(Fault::Alloc).unwrap_err().to_string();
        assert!(
            err.contains("cannot allocate") && err.contains("TiB"),
            "{err}"
        );
        assert!(reserve(1 << 20, "a small buffer").is_ok());
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;
    use std::path::Path;

    /// LightGCN's per-layer buffers are counted: three layers over ML-1M's shape add
    /// 2 × 3 × (2 × positives + users + items) × 65 floats.
    #[test]
    fn lightgcn_runs_count_their_propagation_buffers() {
        let yaml = |kind: &str| {
            format!(
                "name: t\ndata:\n  source: synthetic\n  synthetic:\n    users: 200\n    items: 100\n    interactions_per_user: 10\nmodel:\n  kind: {kind}\n  dim: 64\nsweep:\n  lambda: [0]\n"
            )
        };
        let mf = crate::config::parse_str(&yaml("mf"), Path::new("/tmp/t.yaml")).unwrap();
        let data = crate::data::load(&mf.data, mf.seed).unwrap();
        let lgcn = crate::config::parse_str(&yaml("lightgcn"), Path::new("/tmp/t.yaml")).unwrap();
        let extra = run_bytes(&lgcn, &data) - run_bytes(&mf, &data);
        let nodes = (data.n_users() + data.n_items()) as u64;
        let edges = 2 * data.positives.len() as u64;
        assert_eq!(extra, 4 * 2 * 3 * (edges + nodes) * 65);
    }
}

//! Which engine computes a run's steps, and what both report: the fused CPU engine
//! (`super::fused`) for plain MF on the CPU backend with `train.cpu_engine: fused`, the burn
//! engine (`super::burn_engine`) for everything else.

use super::burn_engine::BurnEngine;
use super::diversity::DiversityPlan;
use super::fused::{FusedMf, HostBatch, HostLossSums};
use crate::config::Experiment;
use crate::model::HostWeights;

/// A run's model, optimizer and loss sums, in one of the two engines.
pub(super) enum Engine {
    Burn(Box<BurnEngine>),
    Fused {
        model: Box<FusedMf>,
        sums: HostLossSums,
    },
}

impl Engine {
    /// What the run's `Started` event says it trains with.
    pub fn describe(&self, device: &str) -> String {
        match self {
            Engine::Burn(_) => device.to_string(),
            Engine::Fused { .. } => "cpu (fused MF kernels)".to_string(),
        }
    }

    /// One optimizer step on `batch`, with the regularisers of `plan` weighted by `lambda`.
    pub fn step(
        &mut self,
        batch: &HostBatch<'_>,
        regularisers: Option<(&mut DiversityPlan, &[Vec<u32>])>,
        exp: &Experiment,
        lambda: f64,
    ) {
        match self {
            Engine::Burn(engine) => engine.step(batch, regularisers, exp, lambda),
            Engine::Fused { model, sums } => sums.add(model.step(batch, regularisers, lambda)),
        }
    }

    /// The epoch's mean losses, and the sums reset; `None` before any step.
    pub fn take_means(&mut self) -> Option<EpochLosses> {
        match self {
            Engine::Burn(engine) => engine.take_means(),
            Engine::Fused { sums, .. } => sums.take_means(),
        }
    }

    pub fn host_weights(&self) -> HostWeights {
        match self {
            Engine::Burn(engine) => engine.host_weights(),
            Engine::Fused { model, .. } => model.host_weights(),
        }
    }
}

/// Mean losses of an epoch's batches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct EpochLosses {
    pub total: f64,
    pub relevance: f64,
    pub diversity: f64,
    /// The L2 term on the batch's rows; NaN when it is not part of the objective.
    pub l2: f64,
}

impl EpochLosses {
    /// The first of total, relevance and (when `regularised`; otherwise it was not computed
    /// and reads NaN) diversity that is NaN or infinite. The L2 term, when computed, is part
    /// of the total, so a non-finite one shows there.
    pub fn first_non_finite(&self, regularised: bool) -> Option<f64> {
        [
            Some(self.total),
            Some(self.relevance),
            regularised.then_some(self.diversity),
        ]
        .into_iter()
        .flatten()
        .find(|v| !v.is_finite())
    }
}

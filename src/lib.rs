//! recsweep: a workbench for the relevance/diversity trade-off of recommenders.
//!
//! Data flows one way:
//!
//! ```text
//! experiments/*.yaml ─▶ config ─▶ data ─▶ train (worker thread per run: model + objective
//!     + evaluate/metrics) ─▶ events over a channel ─▶ sweep ─▶ { store, cli output }
//! ```

pub mod backend;
pub mod bench;
pub mod cli;
pub mod compare;
pub mod config;
pub mod data;
pub mod evaluate;
pub mod events;
pub mod front;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod objective;
pub mod pareto;
pub mod plot;
pub mod report;
pub mod rerank;
pub mod slurm;
pub mod soak;
pub mod store;
pub mod sweep;
pub mod theme;
pub mod train;
pub mod tui;

//! Interaction data: loading (through polars), the synthetic generator, per-user splits and
//! negative sampling.
//!
//! Every source ends as the same [`Dataset`]: dense user and item indices (original ids kept
//! for export), the positive interactions, every user's below-threshold interactions (the
//! candidate rule decides what they are) and item categories (for ILD and the synthetic
//! trade-off).

mod frame;
pub mod movielens;
pub mod prepared;
pub mod sampling;
pub mod split;
pub mod synthetic;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::{DataSource, DataSpec};

pub use prepared::{PreparedSplit, train_counts};
pub use split::Split;

/// Why data could not be loaded. Each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read '{path}': {message}")]
    Read { path: PathBuf, message: String },
    #[error("'{path}': column '{column}' {problem}")]
    Column {
        path: PathBuf,
        column: String,
        problem: String,
    },
    #[error("'{path}': {problem}")]
    Content { path: PathBuf, problem: String },
}

/// One positive interaction, in dense indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interaction {
    pub user: u32,
    pub item: u32,
    pub timestamp: i64,
}

/// A loaded data set in dense indices.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Human-readable origin (for messages and summaries).
    pub description: String,
    /// Original user id of each dense user index.
    pub user_ids: Vec<String>,
    /// Original item id of each dense item index.
    pub item_ids: Vec<String>,
    /// Positive interactions (rating at or above the threshold), one per (user, item).
    pub positives: Vec<Interaction>,
    /// Per user, the items rated only below `data.positive_threshold` (interactions that are
    /// never a positive), sorted ascending. What evaluation does with them is
    /// `data.below_threshold`'s rule ([`BelowThreshold`](crate::config::BelowThreshold)).
    pub below_threshold: Vec<Vec<u32>>,
    /// Per item, its category indices (may be empty).
    pub item_categories: Vec<Vec<u32>>,
    pub category_names: Vec<String>,
}

impl Dataset {
    pub fn n_users(&self) -> usize {
        self.user_ids.len()
    }
    pub fn n_items(&self) -> usize {
        self.item_ids.len()
    }
}

/// Loads the data an experiment names. Synthetic data depends on `seed`.
pub fn load(spec: &DataSpec, seed: u64) -> Result<Dataset, DataError> {
    match &spec.source {
        DataSource::Synthetic(params) => {
            let raw = synthetic::generate(params, seed);
            frame::build_dataset(raw, spec.positive_threshold, "synthetic".into())
        }
        DataSource::MovieLens100k(dir) => {
            let raw = movielens::load_100k(dir)?;
            frame::build_dataset(
                raw,
                spec.positive_threshold,
                format!("MovieLens-100K ({})", dir.display()),
            )
        }
        DataSource::File { path, columns } => {
            let raw = frame::load_file(path, columns)?;
            frame::build_dataset(raw, spec.positive_threshold, path.display().to_string())
        }
    }
}

/// Interactions as read, before dense indexing: original ids as strings.
#[derive(Debug, Default)]
pub struct RawInteractions {
    pub source: PathBuf,
    pub frame: polars::prelude::DataFrame,
    /// Item id → category names, where the source has categories.
    pub categories: HashMap<String, Vec<String>>,
    /// All category names in a stable order.
    pub category_names: Vec<String>,
}

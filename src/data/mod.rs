//! Interaction data: loading (through polars), the synthetic generator, splits (per user, or
//! one global time cut) and negative sampling.
//!
//! Every source ends as the same [`Dataset`]: dense user and item indices (original ids kept
//! for export), the positive interactions, every user's below-threshold interactions (the
//! candidate rule decides what they are) and item categories (for ILD and the synthetic
//! trade-off).

pub mod content;
mod csv_diagnosis;
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
    /// When it happened, in the source's unit; `None` when the source records no time (a
    /// file without a timestamp column, synthetic data). Never made up: a source either has a
    /// timestamp on every row or on none.
    pub timestamp: Option<i64>,
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
///
/// A split that orders positives by time is refused data without timestamps (the config
/// check refuses it first; this keeps the rule where the data is known).
pub fn load(spec: &DataSpec, seed: u64) -> Result<Dataset, DataError> {
    let (raw, description) = match &spec.source {
        DataSource::Synthetic(params) => (synthetic::generate(params, seed), "synthetic".into()),
        DataSource::MovieLens100k(dir) => (
            movielens::load_100k(dir)?,
            format!("MovieLens-100K ({})", dir.display()),
        ),
        DataSource::File { path, columns } => {
            (frame::load_file(path, columns)?, path.display().to_string())
        }
    };
    let source = raw.source.clone();
    let data = frame::build_dataset(raw, spec.positive_threshold, description)?;
    let method = spec.split.method;
    if method.needs_timestamps() && data.positives.iter().any(|p| p.timestamp.is_none()) {
        return Err(DataError::Content {
            path: source,
            problem: format!(
                "records no timestamps, and data.split.method '{method}' orders positives by time"
            ),
        });
    }
    Ok(data)
}

/// Interactions as read, before dense indexing: original ids as strings.
#[derive(Debug, Default)]
pub struct RawInteractions {
    pub source: PathBuf,
    /// Where a row of `frame` is in `source`, for messages.
    pub rows: RowOrigin,
    pub frame: polars::prelude::DataFrame,
    /// Item id → category names, where the source has categories.
    pub categories: HashMap<String, Vec<String>>,
    /// All category names in a stable order.
    pub category_names: Vec<String>,
}

/// Where a row of a frame is in its source, so that a message can send the reader to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowOrigin {
    /// A text file with `header_lines` lines before the data: data row r (from 1) is on line
    /// r + `header_lines`.
    Lines { header_lines: usize },
    /// No lines to point at (Parquet, generated data): data rows counted from 1.
    #[default]
    Rows,
}

impl RowOrigin {
    /// The frame's row `index` (from 0) as a reader finds it: `data row 2 (line 3, after the
    /// header)`, `data row 2 (line 2)`, `data row 2`.
    pub fn describe(self, index: usize) -> String {
        let row = index + 1;
        match self {
            RowOrigin::Lines { header_lines: 0 } => format!("data row {row} (line {row})"),
            RowOrigin::Lines { header_lines } => format!(
                "data row {row} (line {}, after the header)",
                row + header_lines
            ),
            RowOrigin::Rows => format!("data row {row}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SplitMethod, SplitSeed, SplitSpec};

    fn synthetic(method: SplitMethod) -> DataSpec {
        DataSpec {
            source: DataSource::Synthetic(crate::config::raw::SyntheticParams {
                users: 20,
                items: 40,
                ..Default::default()
            }),
            positive_threshold: 1.0,
            below_threshold: crate::config::BelowThreshold::Drop,
            split: SplitSpec {
                method,
                test: 0.2,
                validation: 0.0,
                seed: SplitSeed::Fixed(1),
            },
        }
    }

    #[test]
    fn untimed_data_is_refused_a_time_ordered_split() {
        let data = load(&synthetic(SplitMethod::Random), 3).unwrap();
        assert!(data.positives.iter().all(|p| p.timestamp.is_none()));
        for method in [SplitMethod::LeaveLastOut, SplitMethod::TemporalGlobal] {
            let msg = load(&synthetic(method), 3).unwrap_err().to_string();
            assert!(
                msg.contains("'<synthetic>'")
                    && msg.contains("records no timestamps")
                    && msg.contains(&format!("'{method}'")),
                "{msg}"
            );
        }
    }

    #[test]
    fn rows_are_named_as_a_reader_finds_them() {
        assert_eq!(
            RowOrigin::Lines { header_lines: 1 }.describe(0),
            "data row 1 (line 2, after the header)"
        );
        assert_eq!(
            RowOrigin::Lines { header_lines: 0 }.describe(4),
            "data row 5 (line 5)"
        );
        assert_eq!(RowOrigin::Rows.describe(2), "data row 3");
    }
}

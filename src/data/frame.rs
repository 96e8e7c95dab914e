//! polars at the edge: reading CSV/Parquet files into a frame, and turning a frame with
//! `user, item, rating, timestamp` columns into a dense-indexed [`Dataset`].
//!
//! A frame with a timestamp column must have a readable integer on every row: an empty or
//! unreadable one is an error naming the file, the row and the value, never a stand-in (the
//! row number once stood in, and the time-ordered splits then ordered by file position).

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use super::{DataError, Dataset, Interaction, RawInteractions, RowOrigin, csv_diagnosis};
use crate::config::raw::Columns;

/// Canonical column names of the frame every source produces.
pub const USER: &str = "user";
pub const ITEM: &str = "item";
pub const RATING: &str = "rating";
pub const TIMESTAMP: &str = "timestamp";

/// Reads a CSV or Parquet interaction file and renames its columns to the canonical ones.
pub fn load_file(path: &Path, columns: &Columns) -> Result<RawInteractions, DataError> {
    let read_err = |e: PolarsError| DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let is_parquet = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let rows = if is_parquet {
        RowOrigin::Rows
    } else {
        RowOrigin::Lines { header_lines: 1 }
    };
    let df = if is_parquet {
        let file = std::fs::File::open(path).map_err(|e| DataError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        ParquetReader::new(file).finish().map_err(read_err)?
    } else {
        CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| csv_error(path, &e))?
    };
    let mut picked = Vec::new();
    let mut wanted = vec![(columns.user.as_str(), USER), (columns.item.as_str(), ITEM)];
    if let Some(r) = &columns.rating {
        wanted.push((r.as_str(), RATING));
    }
    if let Some(t) = &columns.timestamp {
        wanted.push((t.as_str(), TIMESTAMP));
    }
    for (name, canonical) in wanted {
        let col = df.column(name).map_err(|_| DataError::Column {
            path: path.to_path_buf(),
            column: name.to_string(),
            problem: format!(
                "is missing (the file has: {})",
                df.get_column_names()
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        picked.push(col.clone().with_name(canonical.into()));
    }
    let frame = DataFrame::new_infer_height(picked).map_err(read_err)?;
    if !is_parquet {
        refuse_repeated_header(&frame, columns, rows, path)?;
    }
    Ok(RawInteractions {
        source: path.to_path_buf(),
        rows,
        frame,
        categories: HashMap::new(),
        category_names: Vec::new(),
    })
}

/// A CSV polars refused: the line at fault when [`csv_diagnosis`] finds it, else polars'
/// first line (its advice below is about polars' options, not this file).
fn csv_error(path: &Path, e: &PolarsError) -> DataError {
    let polars = e.to_string();
    let message = std::fs::read(path)
        .ok()
        .and_then(|bytes| csv_diagnosis::diagnose(&bytes))
        .unwrap_or_else(|| polars.lines().next().unwrap_or("").trim().to_string());
    DataError::Read {
        path: path.to_path_buf(),
        message,
    }
}

/// A row whose user and item cells are the column names (a header repeated where files were
/// concatenated) would become an interaction of user 'user' with item 'item'.
fn refuse_repeated_header(
    frame: &DataFrame,
    columns: &Columns,
    rows: RowOrigin,
    path: &Path,
) -> Result<(), DataError> {
    let as_text = |name: &str| {
        frame
            .column(name)
            .and_then(|c| c.cast(&DataType::String))
            .ok()
    };
    let (Some(users), Some(items)) = (as_text(USER), as_text(ITEM)) else {
        return Ok(());
    };
    let (Ok(users), Ok(items)) = (users.str(), items.str()) else {
        return Ok(());
    };
    let repeated = users
        .iter()
        .zip(items.iter())
        .position(|(u, i)| u == Some(columns.user.as_str()) && i == Some(columns.item.as_str()));
    match repeated {
        Some(row) => Err(DataError::Content {
            path: path.to_path_buf(),
            problem: format!(
                "{} repeats the header ('{}', '{}'): were two files joined? remove that line",
                rows.describe(row),
                columns.user,
                columns.item
            ),
        }),
        None => Ok(()),
    }
}

/// A timestamp column read as numbers with a fraction (`10.5`) would be truncated by the cast
/// to integers: the first such value is an error instead.
fn refuse_fractional_timestamps(
    df: &DataFrame,
    rows: RowOrigin,
    src: &Path,
) -> Result<(), DataError> {
    let Ok(column) = df.column(TIMESTAMP) else {
        return Ok(());
    };
    if !column.dtype().is_float() {
        return Ok(());
    }
    let Ok(values) = column.cast(&DataType::Float64) else {
        return Ok(());
    };
    let Ok(values) = values.f64() else {
        return Ok(());
    };
    match values
        .iter()
        .position(|v| v.is_some_and(|v| v.fract() != 0.0 || !v.is_finite()))
    {
        Some(row) => Err(DataError::Content {
            path: src.to_path_buf(),
            problem: format!(
                "{} {}",
                rows.describe(row),
                unreadable(df, TIMESTAMP, row, "an integer")
            ),
        }),
        None => Ok(()),
    }
}

fn column_as(
    df: &DataFrame,
    name: &str,
    dtype: &DataType,
    source: &Path,
) -> Result<Option<Column>, DataError> {
    match df.column(name) {
        Err(_) => Ok(None),
        Ok(c) => c.cast(dtype).map(Some).map_err(|e| DataError::Column {
            path: source.to_path_buf(),
            column: name.to_string(),
            problem: format!("cannot be read as {dtype}: {e}"),
        }),
    }
}

/// What is wrong with the `column` cell of `row`, whose reading as `kind` (an integer, a
/// number) is null: empty, or a value that is not one (quoted as the file has it).
fn unreadable(df: &DataFrame, column: &str, row: usize, kind: &str) -> String {
    let text = df
        .column(column)
        .and_then(|c| c.cast(&DataType::String))
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.get(row).map(str::to_owned)));
    match text {
        Some(text) => format!("has {column} '{text}', which is not {kind}"),
        None => format!("has no {column} (the cell is empty)"),
    }
}

/// Dense-indexes users and items (in order of first appearance), keeps one positive per
/// (user, item) — the latest — and records, per user, the items rated only below the
/// threshold (interactions that are never a positive).
pub fn build_dataset(
    raw: RawInteractions,
    positive_threshold: f64,
    description: String,
) -> Result<Dataset, DataError> {
    let df = &raw.frame;
    let src = raw.source.as_path();
    let users = column_as(df, USER, &DataType::String, src)?.ok_or_else(|| DataError::Column {
        path: src.to_path_buf(),
        column: USER.into(),
        problem: "is missing".into(),
    })?;
    let items = column_as(df, ITEM, &DataType::String, src)?.ok_or_else(|| DataError::Column {
        path: src.to_path_buf(),
        column: ITEM.into(),
        problem: "is missing".into(),
    })?;
    let ratings = column_as(df, RATING, &DataType::Float64, src)?;
    refuse_fractional_timestamps(df, raw.rows, src)?;
    let stamps = column_as(df, TIMESTAMP, &DataType::Int64, src)?;
    let as_err = |column: &str, e: PolarsError| DataError::Column {
        path: src.to_path_buf(),
        column: column.to_string(),
        problem: e.to_string(),
    };
    let users = users.str().map_err(|e| as_err(USER, e))?;
    let items = items.str().map_err(|e| as_err(ITEM, e))?;
    let ratings = ratings
        .as_ref()
        .map(|c| c.f64())
        .transpose()
        .map_err(|e| as_err(RATING, e))?;
    let stamps = stamps
        .as_ref()
        .map(|c| c.i64())
        .transpose()
        .map_err(|e| as_err(TIMESTAMP, e))?;

    let mut user_index: HashMap<String, u32> = HashMap::new();
    let mut item_index: HashMap<String, u32> = HashMap::new();
    let mut user_ids = Vec::new();
    let mut item_ids = Vec::new();
    let mut latest_positive: HashMap<(u32, u32), Option<i64>> = HashMap::new();
    let mut interacted: Vec<Vec<u32>> = Vec::new();
    let rows = raw.rows;
    let at = |row: usize, what: String| DataError::Content {
        path: src.to_path_buf(),
        problem: format!("{} {what}", rows.describe(row)),
    };

    for row in 0..df.height() {
        let (Some(u), Some(i)) = (users.get(row), items.get(row)) else {
            return Err(at(row, "has an empty user or item id".into()));
        };
        let rating = match &ratings {
            Some(r) => r
                .get(row)
                .ok_or_else(|| at(row, unreadable(df, RATING, row, "a number")))?,
            None => f64::INFINITY,
        };
        if !rating.is_finite() && ratings.is_some() {
            return Err(at(
                row,
                format!("has rating '{rating}', which is not a finite number"),
            ));
        }
        let ts = match &stamps {
            Some(s) => Some(
                s.get(row)
                    .ok_or_else(|| at(row, unreadable(df, TIMESTAMP, row, "an integer")))?,
            ),
            None => None,
        };
        let uid = *user_index.entry(u.to_string()).or_insert_with(|| {
            user_ids.push(u.to_string());
            interacted.push(Vec::new());
            (user_ids.len() - 1) as u32
        });
        let iid = *item_index.entry(i.to_string()).or_insert_with(|| {
            item_ids.push(i.to_string());
            (item_ids.len() - 1) as u32
        });
        interacted[uid as usize].push(iid);
        if rating >= positive_threshold {
            let e = latest_positive.entry((uid, iid)).or_insert(ts);
            // Every row has a timestamp or none does: the max of two of the same kind.
            *e = (*e).max(ts);
        }
    }
    if latest_positive.is_empty() {
        return Err(DataError::Content {
            path: src.to_path_buf(),
            problem: format!(
                "no interaction has rating >= '{positive_threshold}' (data.positive_threshold)"
            ),
        });
    }
    // Below the threshold only: interacted with, never rated at or above it.
    let mut below_threshold = interacted;
    for (u, list) in below_threshold.iter_mut().enumerate() {
        list.sort_unstable();
        list.dedup();
        list.retain(|&i| !latest_positive.contains_key(&(u as u32, i)));
    }
    let mut positives: Vec<Interaction> = latest_positive
        .into_iter()
        .map(|((user, item), timestamp)| Interaction {
            user,
            item,
            timestamp,
        })
        .collect();
    // HashMap order is random: sort so that splits depend on the seed alone.
    positives.sort_unstable_by_key(|p| (p.user, p.item));

    let cat_index: HashMap<&str, u32> = raw
        .category_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let item_categories = item_ids
        .iter()
        .map(|id| {
            let mut cats: Vec<u32> = raw
                .categories
                .get(id)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(|n| cat_index.get(n.as_str()).copied())
                        .collect()
                })
                .unwrap_or_default();
            cats.sort_unstable();
            cats.dedup();
            cats
        })
        .collect();

    Ok(Dataset {
        description,
        user_ids,
        item_ids,
        positives,
        below_threshold,
        item_categories,
        category_names: raw.category_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns_with_time() -> Columns {
        Columns {
            timestamp: Some("ts".into()),
            ..Columns::default()
        }
    }

    /// Loads `csv` written to a temporary file as `columns` name it; the file's path too.
    fn load_csv(csv: &str, columns: &Columns) -> (Result<Dataset, DataError>, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        std::fs::write(&path, csv).unwrap();
        let data =
            load_file(&path, columns).and_then(|raw| build_dataset(raw, 1.0, "events".into()));
        (data, path.display().to_string())
    }

    #[test]
    fn timestamps_are_read_and_the_latest_positive_kept() {
        let (data, _) = load_csv(
            "user,item,ts\na,x,10\na,y,30\nb,x,20\na,x,5\n",
            &columns_with_time(),
        );
        let data = data.unwrap();
        let times: Vec<(u32, u32, Option<i64>)> = data
            .positives
            .iter()
            .map(|p| (p.user, p.item, p.timestamp))
            .collect();
        assert_eq!(
            times,
            [(0, 0, Some(10)), (0, 1, Some(30)), (1, 0, Some(20))]
        );
    }

    #[test]
    fn without_a_timestamp_column_no_positive_has_a_time() {
        let (data, _) = load_csv("user,item\na,x\nb,y\n", &Columns::default());
        assert!(
            data.unwrap()
                .positives
                .iter()
                .all(|p| p.timestamp.is_none())
        );
    }

    #[test]
    fn an_empty_timestamp_names_the_file_and_the_row() {
        let (data, path) = load_csv("user,item,ts\na,x,10\nb,y,\n", &columns_with_time());
        let msg = data.unwrap_err().to_string();
        assert!(msg.contains(&path), "{msg}");
        assert!(
            msg.contains("data row 2 (line 3, after the header) has no timestamp"),
            "{msg}"
        );
    }

    #[test]
    fn an_unreadable_timestamp_names_the_file_the_row_and_the_value() {
        let (data, path) = load_csv(
            "user,item,ts\na,x,10\nb,y,20\nc,z,yesterday\n",
            &columns_with_time(),
        );
        let msg = data.unwrap_err().to_string();
        assert!(msg.contains(&path), "{msg}");
        assert!(
            msg.contains("data row 3 (line 4, after the header) has timestamp 'yesterday'"),
            "{msg}"
        );
        assert!(msg.contains("not an integer"), "{msg}");
    }

    #[test]
    fn a_rating_that_is_not_a_number_names_the_line_and_the_value() {
        let columns = Columns {
            rating: Some("rating".into()),
            ..Columns::default()
        };
        let (data, path) = load_csv("user,item,rating\na,x,4\nb,y,great\n", &columns);
        let msg = data.unwrap_err().to_string();
        assert!(msg.contains(&path), "{msg}");
        assert!(
            msg.contains(
                "data row 2 (line 3, after the header) has rating 'great', which is not a number"
            ),
            "{msg}"
        );
        let (data, _) = load_csv("user,item,rating\na,x,4\nb,y,\n", &columns);
        let msg = data.unwrap_err().to_string();
        assert!(
            msg.contains("data row 2 (line 3, after the header) has no rating (the cell is empty)"),
            "{msg}"
        );
    }

    #[test]
    fn a_parquet_row_is_named_without_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.parquet");
        let mut df = df!(
            "user" => ["a", "b"],
            "item" => ["x", "y"],
            "ts" => [Some(10i64), None],
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .finish(&mut df)
            .unwrap();
        let msg = load_file(&path, &columns_with_time())
            .and_then(|raw| build_dataset(raw, 1.0, "events".into()))
            .unwrap_err()
            .to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("data row 2 has no timestamp"), "{msg}");
    }
}

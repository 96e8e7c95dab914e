//! MovieLens-100K: `u.data` (tab-separated `user item rating timestamp`) through polars, and
//! genres from `u.item` (pipe-separated, Latin-1, 19 genre flags at the end of each line).
//!
//! The data set's licence forbids redistribution: it is read from wherever the experiment
//! points (tests use `../shared/datasets/ml-100k`), never copied into the repository.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::frame::{ITEM, RATING, TIMESTAMP, USER};
use super::{DataError, RawInteractions, RowOrigin};

/// The 19 genres in `u.item`'s flag order (as listed in `u.genre`).
const GENRES: [&str; 19] = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

pub fn load_100k(dir: &Path) -> Result<RawInteractions, DataError> {
    if !dir.is_dir() {
        return Err(DataError::Read {
            path: dir.to_path_buf(),
            message:
                "not a directory (data.path should point at the folder holding u.data and u.item)"
                    .into(),
        });
    }
    let data_path = dir.join("u.data");
    let schema = Schema::from_iter([
        Field::new(USER.into(), DataType::Int64),
        Field::new(ITEM.into(), DataType::Int64),
        Field::new(RATING.into(), DataType::Float64),
        Field::new(TIMESTAMP.into(), DataType::Int64),
    ]);
    let frame = CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .with_parse_options(CsvParseOptions::default().with_separator(b'\t'))
        .try_into_reader_with_file_path(Some(data_path.clone()))
        .and_then(|r| r.finish())
        .map_err(|e| DataError::Read {
            path: data_path.clone(),
            message: e.to_string(),
        })?;
    if frame.height() == 0 {
        return Err(DataError::Content {
            path: data_path,
            problem: "holds no ratings".into(),
        });
    }
    let categories = read_genres(&dir.join("u.item"))?;
    Ok(RawInteractions {
        source: data_path,
        rows: RowOrigin::Lines { header_lines: 0 },
        frame,
        categories,
        category_names: GENRES.iter().map(|g| g.to_string()).collect(),
    })
}

/// Item id → genre names, from `u.item`'s trailing 0/1 flags.
fn read_genres(path: &Path) -> Result<HashMap<String, Vec<String>>, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    // Latin-1 titles are not UTF-8; only the id and the flags matter here.
    let text = String::from_utf8_lossy(&bytes);
    let mut out = HashMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('|').collect();
        if fields.len() < 1 + GENRES.len() {
            return Err(DataError::Content {
                path: path.to_path_buf(),
                problem: format!(
                    "line {} has {} fields, expected at least {}",
                    n + 1,
                    fields.len(),
                    1 + GENRES.len()
                ),
            });
        }
        let flags = &fields[fields.len() - GENRES.len()..];
        let genres = flags
            .iter()
            .zip(GENRES)
            .filter(|(f, _)| f.trim() == "1")
            .map(|(_, g)| g.to_string())
            .collect();
        out.insert(fields[0].trim().to_string(), genres);
    }
    Ok(out)
}

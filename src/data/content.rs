//! Item content for the two-tower model: one vector per item, made of blocks that are each
//! L2-normalised per item and weighted by `1/√blocks`, so every vector has a norm of at most 1:
//!
//! - `categories`: the item's categories, one-hot;
//! - `text`: for MovieLens-100K, the title as hashed character 3-grams (64 buckets, FNV-1a,
//!   the hash's top bit a sign: the "hashing trick" of Weinberger et al. 2009), read from
//!   `u.item`; for synthetic data, the generator's content vectors, which correlate with the
//!   categories ([`synthetic_vectors`]);
//! - `embeddings`: vectors from a CSV or Parquet file made elsewhere (a sentence encoder over
//!   titles, an image model), matched by item id. Items the file lacks get zeros there and
//!   are counted; ids the data does not know, ragged or non-finite vectors and a dimension
//!   other than the YAML's are errors that name the file, the line or row, and the value.
//!
//! Nothing is downloaded: every block comes from the data or a file the experiment names.

use std::collections::HashMap;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{DataError, Dataset};
use crate::config::{ContentSpec, DataSource};

/// The text block's width for MovieLens-100K titles.
pub const TITLE_BUCKETS: usize = 64;
/// The synthetic generator's content vectors' width.
pub const SYNTHETIC_DIM: usize = 16;

/// Every item's content vector.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemContent {
    /// The vectors' width.
    pub dim: usize,
    /// `[n_items × dim]`, row-major.
    pub rows: Vec<f32>,
    /// The blocks, in order, with their widths (`categories 19`, `text 64`, …).
    pub blocks: Vec<(String, usize)>,
    /// Items the embeddings file has no vector for (0 without a file).
    pub without_vector: usize,
}

impl ItemContent {
    /// `categories 19 + text 64 = 83 dimensions` and, with a file, the items it lacked.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .blocks
            .iter()
            .map(|(name, d)| format!("{name} {d}"))
            .collect();
        let mut s = format!("{} = {} dimensions", parts.join(" + "), self.dim);
        if self.without_vector > 0 {
            s.push_str(&format!(
                "; {} item(s) without a vector in the embeddings file (zeros)",
                self.without_vector
            ));
        }
        s
    }
}

/// L2-normalises each `dim`-wide row of `block` in place (zero rows stay zero), then scales
/// it by `weight`.
fn normalise_rows(block: &mut [f32], dim: usize, weight: f32) {
    for row in block.chunks_exact_mut(dim) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|v| *v *= weight / norm);
        }
    }
}

/// The item content `exp` trains with: its `model.content` (which only the two-tower model
/// has) built over `data`; `None` for the other models.
pub fn for_experiment(
    data: &Dataset,
    exp: &crate::config::Experiment,
) -> Result<Option<ItemContent>, DataError> {
    exp.model
        .content
        .as_ref()
        .map(|spec| build(data, &exp.data.source, spec, exp.seed))
        .transpose()
}

/// The content of `data`'s items as `spec` says, for the data of `source` (the experiment's
/// `seed` draws the synthetic vectors).
pub fn build(
    data: &Dataset,
    source: &DataSource,
    spec: &ContentSpec,
    seed: u64,
) -> Result<ItemContent, DataError> {
    let n = data.n_items();
    let mut blocks: Vec<(String, usize, Vec<f32>)> = Vec::new();
    let mut without_vector = 0;
    if spec.categories && !data.category_names.is_empty() {
        let d = data.category_names.len();
        let mut b = vec![0.0f32; n * d];
        for (i, cats) in data.item_categories.iter().enumerate() {
            for &c in cats {
                b[i * d + c as usize] = 1.0;
            }
        }
        blocks.push(("categories".into(), d, b));
    }
    if spec.text {
        match source {
            DataSource::MovieLens100k(dir) => {
                let titles = read_titles(&dir.join("u.item"))?;
                let mut b = vec![0.0f32; n * TITLE_BUCKETS];
                for (i, id) in data.item_ids.iter().enumerate() {
                    if let Some(t) = titles.get(id) {
                        hash_trigrams(t, &mut b[i * TITLE_BUCKETS..(i + 1) * TITLE_BUCKETS]);
                    }
                }
                blocks.push(("title 3-grams".into(), TITLE_BUCKETS, b));
            }
            DataSource::Synthetic(_) => {
                let b = synthetic_vectors(&data.item_categories, data.category_names.len(), seed);
                blocks.push(("generated".into(), SYNTHETIC_DIM, b));
            }
            DataSource::File { .. } => {}
        }
    }
    if let Some((path, d)) = &spec.embeddings {
        let (b, missing) = read_embeddings(path, *d, data)?;
        without_vector = missing;
        blocks.push(("embeddings".into(), *d, b));
    }
    let weight = 1.0 / (blocks.len().max(1) as f32).sqrt();
    let dim: usize = blocks.iter().map(|b| b.1).sum();
    let mut rows = vec![0.0f32; n * dim];
    let mut at = 0;
    let mut names = Vec::with_capacity(blocks.len());
    for (name, d, mut b) in blocks {
        normalise_rows(&mut b, d, weight);
        for i in 0..n {
            rows[i * dim + at..i * dim + at + d].copy_from_slice(&b[i * d..(i + 1) * d]);
        }
        at += d;
        names.push((name, d));
    }
    Ok(ItemContent {
        dim,
        rows,
        blocks: names,
        without_vector,
    })
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Adds the signed hashed character 3-grams of `text` (lower-cased, padded with a space on
/// each side) into `out`: bucket `h mod len`, sign the hash's top bit.
pub fn hash_trigrams(text: &str, out: &mut [f32]) {
    let padded: Vec<char> = format!(" {} ", text.to_lowercase()).chars().collect();
    for w in padded.windows(3) {
        let gram: String = w.iter().collect();
        let h = fnv1a(gram.as_bytes());
        let sign = if h >> 63 == 1 { -1.0 } else { 1.0 };
        out[(h % out.len() as u64) as usize] += sign;
    }
}

/// The synthetic generator's content vectors (`[n_items × 16]`): per category a prototype
/// drawn from N(0, 1), an item the mean of its categories' prototypes plus N(0, 0.5²) noise,
/// so that items of a category lie near each other without being their category.
pub fn synthetic_vectors(item_categories: &[Vec<u32>], categories: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0_47E7);
    let mut normal = move || {
        let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
        let u2: f64 = rng.random();
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    };
    let prototypes: Vec<f32> = (0..categories * SYNTHETIC_DIM).map(|_| normal()).collect();
    let mut out = vec![0.0f32; item_categories.len() * SYNTHETIC_DIM];
    for (i, cats) in item_categories.iter().enumerate() {
        let row = &mut out[i * SYNTHETIC_DIM..(i + 1) * SYNTHETIC_DIM];
        for &c in cats {
            let p = &prototypes[c as usize * SYNTHETIC_DIM..(c as usize + 1) * SYNTHETIC_DIM];
            for (r, v) in row.iter_mut().zip(p) {
                *r += v / cats.len() as f32;
            }
        }
        for r in row.iter_mut() {
            *r += 0.5 * normal();
        }
    }
    out
}

/// Item id → title, from MovieLens-100K's `u.item` (Latin-1: bytes above 127 decoded as
/// Latin-1 code points).
fn read_titles(path: &Path) -> Result<HashMap<String, String>, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut f = l.split('|');
            Some((f.next()?.trim().to_string(), f.next()?.trim().to_string()))
        })
        .collect())
}

/// The embeddings file's vectors in item order (`[n_items × dim]`), and how many items it
/// had no vector for.
fn read_embeddings(
    path: &Path,
    dim: usize,
    data: &Dataset,
) -> Result<(Vec<f32>, usize), DataError> {
    let index: HashMap<&str, usize> = data
        .item_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let parquet = path.extension().is_some_and(|e| e == "parquet");
    let records = if parquet {
        parquet_records(path)?
    } else {
        csv_records(path)?
    };
    let content = |problem: String| DataError::Content {
        path: path.to_path_buf(),
        problem,
    };
    let mut out = vec![0.0f32; data.n_items() * dim];
    let mut seen = vec![false; data.n_items()];
    for (place, id, vector) in records {
        if vector.len() != dim {
            return Err(content(format!(
                "{place}: item '{id}' has a vector of {} values, but model.content.embedding_dim is {dim}",
                vector.len()
            )));
        }
        if let Some((k, v)) = vector.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(content(format!(
                "{place}: item '{id}' has a non-finite value '{v}' at position {k}"
            )));
        }
        let Some(&i) = index.get(id.as_str()) else {
            return Err(content(format!(
                "{place}: item id '{id}' is not an item of the data"
            )));
        };
        if std::mem::replace(&mut seen[i], true) {
            return Err(content(format!("{place}: item id '{id}' appears twice")));
        }
        out[i * dim..(i + 1) * dim].copy_from_slice(&vector);
    }
    Ok((out, seen.iter().filter(|s| !**s).count()))
}

/// (where, item id, vector) of each record.
type Records = Vec<(String, String, Vec<f32>)>;

/// A CSV with a header whose first column is `item_id` and whose other columns are the
/// vector's components.
fn csv_records(path: &Path) -> Result<Records, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| DataError::Content {
        path: path.to_path_buf(),
        problem: format!("not UTF-8 text: {e}"),
    })?;
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| h).unwrap_or_default();
    let first = header.split(',').next().unwrap_or_default().trim();
    if first != "item_id" {
        return Err(DataError::Column {
            path: path.to_path_buf(),
            column: first.to_string(),
            problem:
                "must be 'item_id': the first column names the item, the others are its vector"
                    .into(),
        });
    }
    let mut out = Vec::new();
    for (n, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let mut fields = line.split(',');
        let id = fields
            .next()
            .unwrap_or_default()
            .trim()
            .trim_matches('"')
            .to_string();
        let vector = fields
            .map(|f| {
                f.trim().parse::<f32>().map_err(|_| DataError::Content {
                    path: path.to_path_buf(),
                    problem: format!("line {}: '{}' is not a number", n + 1, f.trim()),
                })
            })
            .collect::<Result<Vec<f32>, _>>()?;
        out.push((format!("line {}", n + 1), id, vector));
    }
    Ok(out)
}

/// A Parquet file with an `item_id` column and either one list-of-floats column or numeric
/// columns, read through polars.
fn parquet_records(path: &Path) -> Result<Records, DataError> {
    use polars::prelude::*;
    let read_err = |e: PolarsError| DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(|e| DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let df = ParquetReader::new(file).finish().map_err(read_err)?;
    let ids = df
        .column("item_id")
        .map_err(|_| DataError::Column {
            path: path.to_path_buf(),
            column: "item_id".into(),
            problem: "is missing: the file needs the items' ids".into(),
        })?
        .cast(&DataType::String)
        .map_err(read_err)?;
    let ids: Vec<String> = ids
        .str()
        .map_err(read_err)?
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect();
    let others: Vec<&Column> = df
        .columns()
        .iter()
        .filter(|c| c.name().as_str() != "item_id")
        .collect();
    let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); ids.len()];
    match others.as_slice() {
        [one] if matches!(one.dtype(), DataType::List(_)) => {
            let list = one.list().map_err(read_err)?;
            for (row, vector) in vectors.iter_mut().enumerate() {
                if let Some(series) = list.get_as_series(row) {
                    let f = series.cast(&DataType::Float32).map_err(read_err)?;
                    *vector = f
                        .f32()
                        .map_err(read_err)?
                        .iter()
                        .map(|x| x.unwrap_or(f32::NAN))
                        .collect();
                }
            }
        }
        columns => {
            for c in columns {
                let f = c.cast(&DataType::Float32).map_err(|_| DataError::Column {
                    path: path.to_path_buf(),
                    column: c.name().to_string(),
                    problem: "is not numeric".into(),
                })?;
                for (row, x) in f.f32().map_err(read_err)?.iter().enumerate() {
                    vectors[row].push(x.unwrap_or(f32::NAN));
                }
            }
        }
    }
    Ok(ids
        .into_iter()
        .zip(vectors)
        .enumerate()
        .map(|(row, (id, v))| (format!("row {}", row + 1), id, v))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ContentSpec;

    fn data() -> Dataset {
        Dataset {
            description: "test".into(),
            user_ids: vec!["u".into()],
            item_ids: vec!["10".into(), "20".into(), "30".into()],
            positives: Vec::new(),
            below_threshold: vec![Vec::new()],
            item_categories: vec![vec![0], vec![0, 1], vec![]],
            category_names: vec!["a".into(), "b".into()],
        }
    }

    fn spec(embeddings: Option<(&Path, usize)>) -> ContentSpec {
        ContentSpec {
            categories: true,
            text: false,
            embeddings: embeddings.map(|(p, d)| (p.to_path_buf(), d)),
            user_content: true,
        }
    }

    fn synthetic() -> DataSource {
        DataSource::Synthetic(crate::config::raw::SyntheticParams::default())
    }

    #[test]
    fn blocks_are_normalised_and_weighted_by_their_count() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("e.csv");
        std::fs::write(&file, "item_id,x,y\n20,3,4\n10,0,2\n").unwrap();
        let c = build(&data(), &synthetic(), &spec(Some((&file, 2))), 1).unwrap();
        assert_eq!(c.dim, 4);
        assert_eq!(c.without_vector, 1, "item 30 has no vector");
        let w = 1.0 / 2f32.sqrt();
        let row = |i: usize| &c.rows[i * 4..(i + 1) * 4];
        // Item 20: categories a, b → (1, 1)/√2 · w; vector (3, 4)/5 · w.
        let expect = [w / 2f32.sqrt(), w / 2f32.sqrt(), 0.6 * w, 0.8 * w];
        for (g, e) in row(1).iter().zip(expect) {
            assert!((g - e).abs() < 1e-6, "{:?}", row(1));
        }
        assert_eq!(row(2), [0.0; 4], "no category, no vector: zeros");
        assert!(
            c.describe().contains("1 item(s) without a vector"),
            "{}",
            c.describe()
        );
    }

    #[test]
    fn bad_embeddings_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("item_id,x,y\n10,1\n", "line 2", "1 values"),
            (
                "item_id,x,y\n10,1,NaN\n",
                "line 2",
                "non-finite value 'NaN'",
            ),
            ("item_id,x,y\n99,1,2\n", "line 2", "'99' is not an item"),
            ("item_id,x,y\n10,1,2\n10,2,1\n", "line 3", "appears twice"),
            ("item_id,x,y\n10,1,abc\n", "line 2", "'abc' is not a number"),
            ("id,x,y\n10,1,2\n", "'id'", "item_id"),
        ];
        for (i, (text, place, what)) in cases.iter().enumerate() {
            let file = dir.path().join(format!("bad{i}.csv"));
            std::fs::write(&file, text).unwrap();
            let e = build(&data(), &synthetic(), &spec(Some((&file, 2))), 1)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(&format!("bad{i}.csv")) && e.contains(place) && e.contains(what),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn parquet_vectors_read_as_a_list_column() {
        use polars::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("e.parquet");
        let mut df = df!(
            "item_id" => [10i64, 30],
            "vector" => [Series::new("".into(), [1.0f32, 0.0]), Series::new("".into(), [0.0f32, 2.0])],
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&file).unwrap())
            .finish(&mut df)
            .unwrap();
        let mut s = spec(Some((&file, 2)));
        s.categories = false;
        let c = build(&data(), &synthetic(), &s, 1).unwrap();
        assert_eq!(c.rows, vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(c.without_vector, 1);
    }

    #[test]
    fn hashed_trigrams_are_deterministic_and_similar_titles_overlap() {
        let v = |t: &str| {
            let mut out = vec![0.0f32; TITLE_BUCKETS];
            hash_trigrams(t, &mut out);
            out
        };
        assert_eq!(v("Toy Story (1995)"), v("toy story (1995)"));
        let cos = |a: &[f32], b: &[f32]| {
            let d: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            d / (a.iter().map(|x| x * x).sum::<f32>().sqrt()
                * b.iter().map(|x| x * x).sum::<f32>().sqrt())
        };
        let (a, b, c) = (
            v("Star Wars (1977)"),
            v("Star Trek (1979)"),
            v("Fargo (1996)"),
        );
        assert!(
            cos(&a, &b) > cos(&a, &c),
            "{} vs {}",
            cos(&a, &b),
            cos(&a, &c)
        );
        // "abc" padded: " ab", "abc", "bc ": three grams, total |weight| 3.
        assert_eq!(v("abc").iter().map(|x| x.abs()).sum::<f32>(), 3.0);
    }

    #[test]
    fn synthetic_content_correlates_with_categories() {
        let cats: Vec<Vec<u32>> = (0..200).map(|i| vec![(i % 4) as u32]).collect();
        let v = synthetic_vectors(&cats, 4, 3);
        let row = |i: usize| &v[i * SYNTHETIC_DIM..(i + 1) * SYNTHETIC_DIM];
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let (mut same, mut other) = (0.0, 0.0);
        for i in 0..100 {
            same += dot(row(i), row(i + 4));
            other += dot(row(i), row(i + 1));
        }
        assert!(same > other + 50.0, "same category {same}, other {other}");
    }
}

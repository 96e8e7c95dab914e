//! Small numeric helpers shared by the metric families: exact-enough
//! conversions of counts to `f64`, item-id indexing, sortedness checks,
//! the top-K prefix of a list, and the mean and sample standard deviation.

/// Converts a count (list length, number of users, items or pairs) to `f64`.
/// Counts in this module stay far below 2^53, where the conversion is exact.
#[allow(clippy::cast_precision_loss)]
pub(super) fn count_f64(n: usize) -> f64 {
    n as f64
}

/// Converts a `u64` count (training interactions, exposures) to `f64`;
/// exact below 2^53, which real interaction counts never reach.
#[allow(clippy::cast_precision_loss)]
pub(super) fn count64_f64(n: u64) -> f64 {
    n as f64
}

/// Converts a `u128` pair count or weighted sum to `f64`; the value is
/// rounded to the nearest double, which is all the final ratio needs.
#[allow(clippy::cast_precision_loss)]
pub(super) fn wide_f64(n: u128) -> f64 {
    n as f64
}

/// Same as [`wide_f64`] for signed accumulators.
#[allow(clippy::cast_precision_loss)]
pub(super) fn wide_signed_f64(n: i128) -> f64 {
    n as f64
}

/// Index of an item id into per-item arrays (`u32` always fits in `usize` on
/// the 32- and 64-bit targets recsweep supports; `None` otherwise).
pub(super) fn item_index(item: u32) -> Option<usize> {
    usize::try_from(item).ok()
}

/// True if `xs` is strictly ascending (sorted, no duplicates).
pub(super) fn is_strictly_ascending(xs: &[u32]) -> bool {
    xs.windows(2).all(|w| w[0] < w[1])
}

/// True if `xs` contains no repeated id. Only used in debug assertions.
pub(super) fn has_no_duplicates(xs: &[u32]) -> bool {
    let mut sorted = xs.to_vec();
    sorted.sort_unstable();
    is_strictly_ascending(&sorted)
}

/// Arithmetic mean; callers guarantee `values` is non-empty.
pub(super) fn mean_of(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / count_f64(values.len())
}

/// Sample standard deviation (divisor n - 1) around a known mean, two-pass
/// for numerical stability; callers guarantee `values.len() >= 2`.
pub(super) fn sample_sd(values: &[f64], mean: f64) -> f64 {
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / count_f64(values.len() - 1)).sqrt()
}

/// The first `k` entries of `ranked`, or all of it when it is shorter.
pub(super) fn top_k(ranked: &[u32], k: usize) -> &[u32] {
    &ranked[..k.min(ranked.len())]
}

//! The exposure regularisers on host arrays: the same values as the burn functions of the
//! parent module ([`exposure`](super::exposure) and the three exposure terms), and their
//! gradient with respect to the scores, written out by hand.
//!
//! The fused CPU engine trains with these: a burn graph over `[u, n_items]` costs a dozen
//! allocating whole-tensor passes forward and as many backward per step, where these are two
//! passes per row. The tests check values and gradients against burn's autodiff of the
//! parent's functions on random inputs.
//!
//! # The gradient
//! Per user row (`a_j` 1 for an allowed item, `c = Σ a_j`), forward:
//! `μ = Σ a_j s_j / c`, `x_j = a_j (s_j − μ)`, `σ = √(Σ x_j² / c + F²)`,
//! `z_j = x_j / σ + (1 − a_j) M`, `m_j = sigmoid((z_j − t) / τ)` (`t` detached),
//! `e_j = m_j / Σ m`. Backward from `g_j = ∂L/∂e_j`:
//! - `∂m_j = (g_j − Σ_l g_l e_l) / Σ m`, `∂z_j = ∂m_j · m_j (1 − m_j) / τ`;
//! - `∂σ = −Σ_j ∂z_j x_j / σ²`, `∂x_j = ∂z_j / σ + ∂σ · x_j / (c σ)`;
//! - `∂s_j = a_j (∂x_j − Σ_l a_l ∂x_l / c)`.

use rayon::prelude::*;

use super::{MASKED_Z, STD_FLOOR};
use crate::config::Regularizer;
use crate::linalg::{Mat, Op, dot, gemm, top_k};

/// The catalogue tables the exposure terms read, on the host.
#[derive(Debug, Clone)]
pub struct HostItemTables {
    /// `[n_items × n_categories]`, row-major: each item's multi-hot categories scaled to unit
    /// length (a zero row without categories).
    pub categories: Vec<f32>,
    pub n_categories: usize,
    /// `[n_items]`: [`log_popularity`](super::log_popularity) of the training counts.
    pub log_popularity: Vec<f32>,
}

/// The buffers of [`exposure_terms_backward`] (`[u × n_items]` each, the shared gradient row
/// `[n_items]`), kept by the caller between steps so that a step allocates none of them.
#[derive(Debug, Default)]
pub struct Workspace {
    /// 1 for an allowed item, 0 for a masked one.
    allowed: Vec<f32>,
    z: Vec<f32>,
    membership: Vec<f32>,
    /// Made only when a term's ∂L/∂e differs by user (the category spread).
    grad_e: Vec<f32>,
    /// `[n_items]`: the part of ∂L/∂e shared by every user.
    row_constant: Vec<f32>,
}

/// The exposure terms of a method, and what their exposure is made with.
#[derive(Debug, Clone, Copy)]
pub struct ExposureTerms<'a> {
    /// Weighted terms; each must read the exposure (not the two-task term).
    pub terms: &'a [(Regularizer, f64)],
    pub tables: &'a HostItemTables,
    /// `τ` and `K`, as [`exposure`](super::exposure) takes them.
    pub temperature: f64,
    pub k: usize,
}

/// One row's forward values the backward pass reads.
struct RowForward {
    /// σ of the row.
    std: f32,
    /// `Σ m`.
    total: f32,
    /// Allowed items.
    count: f32,
}

/// `L_diversity = Σ_k w_k L_k` of the exposure terms in `terms` over the exposure of `scores`,
/// and, written over `scores`, `scale · ∂L_diversity/∂scores`.
///
/// - `scores`: `[u × n_items]` row-major, the users' scores of every item (`P Qᵀ + b`)
/// - `excluded[r]`: the items user row `r` cannot be recommended (its training items)
///
/// # Panics
/// If `terms` holds the two-task term (not an exposure term), or a row has no allowed item.
pub fn exposure_terms_backward(
    work: &mut Workspace,
    scores: &mut [f32],
    excluded: &[&[u32]],
    spec: &ExposureTerms<'_>,
    scale: f64,
) -> f64 {
    let &ExposureTerms {
        terms,
        tables,
        temperature,
        k,
    } = spec;
    let users = excluded.len();
    let n_items = tables.log_popularity.len();
    assert_eq!(scores.len(), users * n_items, "scores are [u × n_items]");
    if users == 0 {
        return 0.0;
    }
    let tau = temperature as f32;
    // Forward: z, then m, then e, row by row; `z` keeps z, `scores` becomes e.
    let Workspace {
        allowed,
        z,
        membership,
        grad_e,
        row_constant,
    } = work;
    // Every buffer is overwritten row by row before it is read, but ∂L/∂e, which the terms
    // add to. The exposure entropy's and the popularity penalty's ∂L/∂e are the same row
    // for every user (`row_constant`); only the category spread's differs by user, and only
    // then is a `[u × n_items]` ∂L/∂e made (the constant row added to each of its rows).
    for buffer in [&mut *allowed, &mut *z, &mut *membership] {
        buffer.resize(scores.len(), 0.0);
    }
    let per_row = terms.iter().any(|(r, _)| *r == Regularizer::CategorySpread);
    grad_e.clear();
    if per_row {
        grad_e.resize(scores.len(), 0.0);
    }
    let rows: Vec<RowForward> = scores
        .par_chunks_mut(n_items)
        .zip(allowed.par_chunks_mut(n_items))
        .zip(z.par_chunks_mut(n_items))
        .zip(membership.par_chunks_mut(n_items))
        .zip(excluded.par_iter())
        .map(|((((s, a), z), m), excluded)| row_forward(s, a, z, m, excluded, tau, k))
        .collect();
    let exposure = scores; // now e

    // The terms, and ∂L/∂e.
    row_constant.clear();
    row_constant.resize(n_items, 0.0);
    let mut loss = 0f64;
    for &(regularizer, weight) in terms {
        let grad = Grad {
            row_constant,
            per_row: grad_e,
        };
        loss += weight * term_value_and_grad(regularizer, exposure, users, tables, weight, grad);
    }
    if per_row {
        grad_e.par_chunks_mut(n_items).for_each(|row| {
            for (g, c) in row.iter_mut().zip(row_constant.iter()) {
                *g += c;
            }
        });
    }

    // Backward through e, m, z, the standardisation, into ∂L/∂s (over the exposure buffer).
    let scale = scale as f32;
    let backward = |(((e, a), z), m): RowBuffers<'_>, g: &[f32], row: &RowForward| {
        row_backward(e, g, Row { a, z, m }, row, tau, scale);
    };
    let buffers = exposure
        .par_chunks_mut(n_items)
        .zip(allowed.par_chunks(n_items))
        .zip(z.par_chunks(n_items))
        .zip(membership.par_chunks(n_items));
    if per_row {
        buffers
            .zip(grad_e.par_chunks(n_items))
            .zip(rows.par_iter())
            .for_each(|((buffers, g), row)| backward(buffers, g, row));
    } else {
        buffers
            .zip(rows.par_iter())
            .for_each(|(buffers, row)| backward(buffers, row_constant, row));
    }
    loss
}

simd_dispatch! {
    /// Row forward: writes the mask `a`, z and m, turns `s` into e, returns what backward
    /// reads. Masked items are those of `excluded` (sorted or not; repeats allowed). Every
    /// pass is a plain loop over equal-length slices, so that it vectorises: on AVX-512 or
    /// AVX2 where the CPU has them (AVX-512 measured about 10 % faster than AVX2 here), with
    /// the same arithmetic element by element and the same order of partial sums, so the
    /// same results.
    fn row_forward(
        s: &mut [f32],
        a: &mut [f32],
        z: &mut [f32],
        m: &mut [f32],
        excluded: &[u32],
        tau: f32,
        k: usize,
    ) -> RowForward {
        a.fill(1.0);
        for &i in excluded {
            a[i as usize] = 0.0;
        }
        // A sum of ones: exact in f32 below 2²⁴ items.
        let count = dot(a, a);
        assert!(
            count > 0.0,
            "an exposure user has no item left to recommend"
        );
        let mean = dot(a, s) / count;
        // s becomes x = a (s − μ), then z = x / σ + (1 − a) M.
        for (x, &a) in s.iter_mut().zip(a.iter()) {
            *x = (*x - mean) * a;
        }
        let variance = dot(s, s) / count;
        let std = (variance + (STD_FLOOR * STD_FLOOR) as f32).sqrt();
        let masked_z = MASKED_Z as f32;
        // Each division of an element by a row's constant is a multiplication by its
        // reciprocal, taken once (a vector division costs as much as a dozen multiplications;
        // the values differ from dividing by at most an ulp).
        let (inv_std, inv_tau) = (1.0 / std, 1.0 / tau);
        for ((z, &x), &a) in z.iter_mut().zip(s.iter()).zip(a.iter()) {
            *z = x * inv_std + (1.0 - a) * masked_z;
        }
        let threshold = top_k_boundary(z, k);
        for (m, &z) in m.iter_mut().zip(z.iter()) {
            *m = sigmoid((z - threshold) * inv_tau);
        }
        let total = sum(m);
        let inv_total = 1.0 / total;
        for (e, &m) in s.iter_mut().zip(m.iter()) {
            *e = m * inv_total;
        }
        RowForward { std, total, count }
    }
}

/// The midpoint of the K-th and (K+1)-th highest of `z`, or `M / 2` when K covers the row
/// (every allowed item is then a full member), as [`exposure`](super::exposure) sets it.
/// The K + 1 highest come from [`top_k`] (masked items are finite, `M`, so they count).
fn top_k_boundary(z: &[f32], k: usize) -> f32 {
    let k = k.max(1);
    let top = if k < z.len() {
        top_k(z, k + 1)
    } else {
        Vec::new()
    };
    match (top.get(k - 1), top.get(k)) {
        (Some(&a), Some(&b)) => (z[a as usize] + z[b as usize]) / 2.0,
        _ => (MASKED_Z / 2.0) as f32,
    }
}

/// One row's exposure (then gradient) buffer and its forward buffers (`a`, z, m), as the
/// backward pass zips them.
type RowBuffers<'a> = (((&'a mut [f32], &'a [f32]), &'a [f32]), &'a [f32]);

/// One row's forward buffers, read by backward.
struct Row<'a> {
    a: &'a [f32],
    z: &'a [f32],
    m: &'a [f32],
}

simd_dispatch! {
    /// Row backward: from ∂L/∂e (`g`) and the forward buffers, writes `scale · ∂L/∂s` over
    /// `out` (which held e). `x = a z σ` is recovered from z. On AVX-512 or AVX2 where the
    /// CPU has them, as [`row_forward`].
    fn row_backward(
        out: &mut [f32],
        g: &[f32],
        row: Row<'_>,
        forward: &RowForward,
        tau: f32,
        scale: f32,
    ) -> () {
        let Row { a, z, m } = row;
        let (std, total, count) = (forward.std, forward.total, forward.count);
        // Σ g e = Σ g m / Σ m.
        let ge = dot(g, m) / total;
        // ∂z = (g − Σ g e) / Σ m · m (1 − m) / τ; the row's divisors as one reciprocal, and σ's,
        // as in the forward pass.
        let per_total_tau = 1.0 / (total * tau);
        let inv_std = 1.0 / std;
        for ((out, &g), &m) in out.iter_mut().zip(g.iter()).zip(m.iter()) {
            *out = (g - ge) * per_total_tau * (m * (1.0 - m));
        }
        // ∂σ = −Σ ∂z x / σ², with x = a z σ.
        let gz_x = dot3(out, a, z);
        let g_std = -gz_x * std / (std * std);
        // ∂x = ∂z / σ + ∂σ · x / (c σ) = ∂z / σ + ∂σ · a z / c, on allowed items.
        let per_z = g_std / count;
        for ((out, &a), &z) in out.iter_mut().zip(a.iter()).zip(z.iter()) {
            *out = a * (*out * inv_std + per_z * z);
        }
        // ∂s = a (∂x − Σ a ∂x / c).
        let mean_part = sum(out) / count;
        for (out, &a) in out.iter_mut().zip(a.iter()) {
            *out = a * (*out - mean_part) * scale;
        }
    }
}

/// `Σ a_i b_i c_i` with eight partial sums.
#[inline(always)]
fn dot3(a: &[f32], b: &[f32], c: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb, cc) = (a.chunks_exact(8), b.chunks_exact(8), c.chunks_exact(8));
    let rest: f32 = (ca.remainder().iter())
        .zip(cb.remainder())
        .zip(cc.remainder())
        .map(|((a, b), c)| a * b * c)
        .sum();
    for ((x, y), w) in ca.zip(cb).zip(cc) {
        for k in 0..8 {
            acc[k] += x[k] * y[k] * w[k];
        }
    }
    acc.iter().sum::<f32>() + rest
}

/// `Σ x` with eight partial sums (vectorised; the order of the additions differs from a plain
/// loop's, as burn's reductions do).
#[inline(always)]
fn sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let rest: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    acc.iter().sum::<f32>() + rest
}

/// Columns per parallel task of the exposure entropy's column sums.
const COLUMN_BLOCK: usize = 512;

/// Where a term adds `weight · ∂term/∂e`: a row shared by every user, or (the category
/// spread) each user's own row of `[u × n_items]`.
struct Grad<'a> {
    row_constant: &'a mut [f32],
    per_row: &'a mut [f32],
}

/// One term's value, and `weight · ∂term/∂e` added to `grad`.
fn term_value_and_grad(
    regularizer: Regularizer,
    exposure: &[f32],
    users: usize,
    tables: &HostItemTables,
    weight: f64,
    grad: Grad<'_>,
) -> f64 {
    let n_items = tables.log_popularity.len();
    let u = users as f64;
    match regularizer {
        Regularizer::ExposureEntropy => {
            // ē = mean over users; L = 1 − H(ē)/ln n = 1 + Σ ē ln ē / ln n (ē clamped at 1e-12
            // inside the log, as the burn term does). Column sums in f64, by blocks of
            // columns in parallel (each column summed over the rows in order, as a plain loop
            // would).
            let mut mean = vec![0f32; n_items];
            mean.par_chunks_mut(COLUMN_BLOCK)
                .enumerate()
                .for_each(|(b, out)| {
                    let start = b * COLUMN_BLOCK;
                    let mut acc = vec![0f64; out.len()];
                    for row in exposure.chunks_exact(n_items) {
                        for (acc, &e) in acc.iter_mut().zip(&row[start..start + out.len()]) {
                            *acc += f64::from(e);
                        }
                    }
                    // The burn term averages in f32; so does this, to agree to rounding.
                    for (m, s) in out.iter_mut().zip(acc) {
                        *m = (s / u) as f32;
                    }
                });
            let max_entropy = (n_items.max(2) as f64).ln();
            let floor = 1e-12f32;
            let mut plogp = 0f64;
            let mut d_mean = vec![0f32; n_items];
            for (d, &e) in d_mean.iter_mut().zip(&mean) {
                let log = e.max(floor).ln();
                plogp += f64::from(e * log);
                // d(ē ln max(ē, floor))/dē: ln ē + 1 above the floor, ln floor below it.
                let d_plogp = if e >= floor { log + 1.0 } else { log };
                *d = (f64::from(d_plogp) / max_entropy * weight / u) as f32;
            }
            for (g, d) in grad.row_constant.iter_mut().zip(&d_mean) {
                *g += d;
            }
            1.0 + plogp / max_entropy
        }
        Regularizer::CategorySpread => {
            // L = Σ_u ‖e_u C‖² / U; ∂L/∂e_u = 2 (e_u C) Cᵀ / U.
            let c = tables.n_categories;
            let categories = Mat::new(&tables.categories, n_items, c);
            let mut mass = vec![0f32; users * c];
            gemm(
                Mat::new(exposure, users, n_items),
                Op::Plain,
                categories,
                Op::Plain,
                &mut mass,
                false,
            );
            let value: f64 = mass.iter().map(|v| f64::from(v * v)).sum::<f64>() / u;
            let factor = (2.0 * weight / u) as f32;
            mass.iter_mut().for_each(|v| *v *= factor);
            gemm(
                Mat::new(&mass, users, c),
                Op::Plain,
                categories,
                Op::Transposed,
                grad.per_row,
                true,
            );
            value
        }
        Regularizer::PopularityPenalty => {
            // L = Σ_u Σ_j e_uj ℓ_j / U, each row's sum in parallel, added in order; ∂L/∂e_u
            // = ℓ / U, the same for every user.
            let per_row: Vec<f64> = exposure
                .par_chunks_exact(n_items)
                .map(|row| {
                    row.iter()
                        .zip(&tables.log_popularity)
                        .map(|(&e, &l)| f64::from(e) * f64::from(l))
                        .sum::<f64>()
                })
                .collect();
            for (g, &l) in grad.row_constant.iter_mut().zip(&tables.log_popularity) {
                *g += (f64::from(l) * weight / u) as f32;
            }
            per_row.iter().sum::<f64>() / u
        }
        Regularizer::TwoTask => {
            panic!("the two-task term is not an exposure term (it trains with the burn engine)")
        }
    }
}

#[inline]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + crate::linalg::exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::{self, DiversityInputs, ItemTables};
    use burn::tensor::{Device, Tensor, TensorData};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    struct Case {
        users: usize,
        n_items: usize,
        scores: Vec<f32>,
        excluded: Vec<Vec<u32>>,
        tables: HostItemTables,
    }

    fn case(seed: u64, users: usize, n_items: usize, n_categories: usize) -> Case {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let scores = (0..users * n_items)
            .map(|_| rng.random::<f32>() * 4.0 - 2.0)
            .collect();
        let excluded = (0..users)
            .map(|_| {
                (0..n_items as u32)
                    .filter(|_| rng.random::<f64>() < 0.2)
                    .collect()
            })
            .collect();
        let mut categories = vec![0f32; n_items * n_categories];
        for i in 0..n_items {
            let cats: Vec<usize> = (0..n_categories)
                .filter(|_| rng.random::<f64>() < 0.3)
                .collect();
            for &c in &cats {
                categories[i * n_categories + c] = 1.0 / (cats.len() as f32).sqrt();
            }
        }
        let counts: Vec<u64> = (0..n_items).map(|_| rng.random_range(0..50)).collect();
        Case {
            users,
            n_items,
            scores,
            excluded,
            tables: HostItemTables {
                categories,
                n_categories,
                log_popularity: objective::log_popularity(&counts),
            },
        }
    }

    /// burn's value and gradient of `scale · L` with respect to the scores.
    fn burn_reference(
        c: &Case,
        terms: &[(Regularizer, f64)],
        temperature: f64,
        k: usize,
        scale: f64,
    ) -> (f64, Vec<f32>) {
        let device = Device::flex().autodiff();
        let scores: Tensor<2> = Tensor::from_data(
            TensorData::new(c.scores.clone(), [c.users, c.n_items]),
            &device,
        )
        .require_grad();
        let mut allowed = vec![1f32; c.users * c.n_items];
        for (r, ex) in c.excluded.iter().enumerate() {
            for &i in ex {
                allowed[r * c.n_items + i as usize] = 0.0;
            }
        }
        let allowed = Tensor::from_data(TensorData::new(allowed, [c.users, c.n_items]), &device);
        let items = ItemTables {
            categories: Tensor::from_data(
                TensorData::new(
                    c.tables.categories.clone(),
                    [c.n_items, c.tables.n_categories],
                ),
                &device,
            ),
            log_popularity: Tensor::from_data(
                TensorData::new(c.tables.log_popularity.clone(), [c.n_items]),
                &device,
            ),
        };
        let inputs = DiversityInputs {
            exposure: Some(objective::exposure(scores.clone(), allowed, temperature, k)),
            two_task: None,
        };
        let loss = objective::diversity_loss(terms, inputs, &items);
        let grads = loss.clone().mul_scalar(scale).backward();
        let grad = scores
            .grad(&grads)
            .unwrap()
            .try_into_vec_as::<f32>()
            .unwrap();
        (f64::from(loss.into_scalar::<f32>()), grad)
    }

    fn host(
        c: &Case,
        terms: &[(Regularizer, f64)],
        temperature: f64,
        k: usize,
        scale: f64,
    ) -> (f64, Vec<f32>) {
        let mut scores = c.scores.clone();
        let excluded: Vec<&[u32]> = c.excluded.iter().map(Vec::as_slice).collect();
        let loss = exposure_terms_backward(
            &mut Workspace::default(),
            &mut scores,
            &excluded,
            &ExposureTerms {
                terms,
                tables: &c.tables,
                temperature,
                k,
            },
            scale,
        );
        (loss, scores)
    }

    fn assert_agree(what: &str, host: (f64, Vec<f32>), reference: (f64, Vec<f32>)) {
        assert!(
            (host.0 - reference.0).abs() <= 1e-5 * (1.0 + reference.0.abs()),
            "{what}: value {} vs burn {}",
            host.0,
            reference.0
        );
        let largest = reference
            .1
            .iter()
            .fold(0f32, |acc, v| acc.max(v.abs()))
            .max(1e-12);
        assert!(largest > 1e-9, "{what}: burn's gradient is all zero");
        for (j, (h, r)) in host.1.iter().zip(&reference.1).enumerate() {
            assert!(
                (h - r).abs() <= 2e-3 * largest,
                "{what}: ∂/∂s[{j}] = {h} vs burn {r} (largest {largest})"
            );
        }
    }

    #[test]
    fn values_and_gradients_match_burn_autodiff_for_every_exposure_term() {
        let terms: [&[(Regularizer, f64)]; 4] = [
            &[(Regularizer::ExposureEntropy, 1.0)],
            &[(Regularizer::CategorySpread, 1.0)],
            &[(Regularizer::PopularityPenalty, 1.0)],
            &[
                (Regularizer::ExposureEntropy, 0.5),
                (Regularizer::CategorySpread, 2.0),
                (Regularizer::PopularityPenalty, 0.25),
            ],
        ];
        for (seed, users, n_items, k, temperature) in [
            (1, 6, 40, 5, 0.3),
            (2, 3, 25, 10, 0.5),
            (3, 8, 60, 3, 0.2),
            (5, 4, 14, 3, 0.4),
        ] {
            let c = case(seed, users, n_items, 4);
            for t in terms {
                let what = format!("seed {seed}, k {k}, {t:?}");
                assert_agree(
                    &what,
                    host(&c, t, temperature, k, 0.7),
                    burn_reference(&c, t, temperature, k, 0.7),
                );
            }
        }
    }

    #[test]
    fn a_row_with_fewer_allowed_items_than_k_matches_too() {
        // 5 items, 3 of them excluded for row 0: 2 allowed < K = 3.
        let mut c = case(9, 2, 5, 2);
        c.excluded = vec![vec![0, 2, 4], vec![1]];
        let t = [(Regularizer::ExposureEntropy, 1.0)];
        assert_agree(
            "few allowed",
            host(&c, &t, 0.3, 3, 1.0),
            burn_reference(&c, &t, 0.3, 3, 1.0),
        );
        // K at least the catalogue: every allowed item is a full member.
        let t = [(Regularizer::PopularityPenalty, 1.0)];
        let (value, _) = host(&c, &t, 0.3, 5, 1.0);
        let (reference, _) = burn_reference(&c, &t, 0.3, 5, 1.0);
        assert!((value - reference).abs() < 1e-6, "{value} vs {reference}");
    }

    #[test]
    fn the_boundary_is_the_midpoint_of_the_k_th_and_next_highest() {
        let z = [0.5, 3.0, -1.0, 2.0, 2.0, 7.0, 0.0];
        // Descending: 7, 3, 2, 2, 0.5, 0, −1.
        assert_eq!(top_k_boundary(&z, 1), 5.0);
        assert_eq!(top_k_boundary(&z, 2), 2.5);
        assert_eq!(top_k_boundary(&z, 3), 2.0, "a tie at the boundary");
        assert_eq!(top_k_boundary(&z, 4), 1.25);
        assert_eq!(top_k_boundary(&z, 6), -0.5);
        assert_eq!(top_k_boundary(&z, 7), (MASKED_Z / 2.0) as f32);
    }

    #[test]
    fn masked_items_get_no_gradient_and_each_row_s_gradient_sums_to_zero() {
        // Shifting a row's scores changes nothing, so its gradient sums to 0; masked items
        // take no part.
        let c = case(4, 5, 30, 3);
        let t = [(Regularizer::CategorySpread, 1.0)];
        let (_, grad) = host(&c, &t, 0.3, 4, 1.0);
        for (r, row) in grad.chunks_exact(c.n_items).enumerate() {
            for &i in &c.excluded[r] {
                assert_eq!(row[i as usize], 0.0);
            }
            let sum: f32 = row.iter().sum();
            let size: f32 = row.iter().map(|v| v.abs()).sum();
            assert!(sum.abs() <= 1e-4 * size.max(1e-12), "row {r}: Σ = {sum}");
        }
    }
}

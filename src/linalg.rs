//! Dense `f32` kernels over row-major host slices: a dot product and `y += a·x` that the
//! compiler vectorises, and matrix products through the `gemm` crate (the kernels burn's
//! flex backend multiplies with), behind a safe interface that checks every length.
//!
//! The hot loops of the CPU path use these: scoring every item for a block of users
//! (evaluation, the exposure regularisers) and the regularisers' gradients. Each call runs on
//! the calling thread (`Parallelism::None`): the callers split work over rayon's pool
//! themselves, so a sweep's parallel runs share the cores instead of each spawning threads.

/// `Σ a_i b_i` with eight independent partial sums, so the loop vectorises without the
/// compiler having to reassociate a float sum.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        sum += x * y;
    }
    sum
}

/// `y += a · x`.
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// `eˣ` in plain `f32` arithmetic that the compiler vectorises (Cephes' `expf`: `x = n ln 2 +
/// r`, a degree-6 polynomial for `eʳ`, `2ⁿ` built from its bits), within 2 ulp of the
/// standard library's over the whole range; +∞ above 88.72, 0 below −103.9.
#[inline]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that n · LN2_HI is exact for the n that occur.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding and subtracting 1.5 · 2²³ rounds to the nearest integer (no libm `round`).
    const ROUND: f32 = 12_582_912.0;
    let clamped = x.clamp(-103.9, 88.72);
    let rounded = clamped * LOG2E + ROUND;
    let n = rounded - ROUND;
    let r = clamped - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // n as an integer, read from the bits of the rounding sum (its low mantissa bits are
    // 2²² + n): a float-to-int `as` saturates, which the compiler cannot vectorise.
    let n_int = (rounded.to_bits() as i32) - ROUND.to_bits() as i32;
    // 2ⁿ as two factors, so that n below −126 (subnormal results) stays representable: the
    // first product is never subnormal, so the result is rounded once.
    let half = n_int >> 1;
    let rest = n_int - half;
    let two_to = |k: i32| f32::from_bits(((k + 127).clamp(0, 255) as u32) << 23);
    let value = y * two_to(half) * two_to(rest);
    if x > 88.72 {
        f32::INFINITY
    } else if x < -103.9 {
        0.0
    } else {
        value
    }
}

/// How a row-major operand of a product is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// As stored.
    Plain,
    /// Transposed.
    Transposed,
}

/// A row-major matrix of `rows × cols`, rows `row_stride` apart in `data` (a whole matrix, or
/// a block of a wider one's columns).
#[derive(Debug, Clone, Copy)]
pub struct Mat<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
}

impl<'a> Mat<'a> {
    /// # Panics
    /// If `data` does not hold exactly `rows · cols` values.
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "a {rows} × {cols} matrix needs {} values",
            rows * cols
        );
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
        }
    }

    /// The block of columns `start .. start + len`, every row.
    ///
    /// # Panics
    /// If the block does not lie within the matrix.
    pub fn columns(&self, start: usize, len: usize) -> Self {
        assert!(
            start + len <= self.cols,
            "columns {start}..{} of {}",
            start + len,
            self.cols
        );
        if self.rows == 0 || len == 0 {
            return Self {
                data: &[],
                rows: self.rows,
                cols: len,
                row_stride: len,
            };
        }
        Self {
            data: &self.data[start..],
            rows: self.rows,
            cols: len,
            row_stride: self.row_stride,
        }
    }

    /// Shape, row stride and column stride of the operand read as `op`.
    fn view(&self, op: Op) -> (usize, usize, isize, isize) {
        let (rs, cs) = (self.row_stride as isize, 1isize);
        match op {
            Op::Plain => (self.rows, self.cols, rs, cs),
            Op::Transposed => (self.cols, self.rows, cs, rs),
        }
    }

    /// Whether every element `(r, c)`, at `r · row_stride + c`, lies inside `data`.
    fn in_bounds(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + self.cols <= self.data.len()
    }
}

/// `c ← accumulate·c + op(a) · op(b)`, with `c` row-major `m × n` where `op(a)` is `m × k` and
/// `op(b)` is `k × n`. With `accumulate` false, `c` is overwritten (its old values are never
/// read, NaN included).
///
/// # Panics
/// If the shapes do not agree or `c` does not hold `m · n` values.
pub fn gemm(a: Mat<'_>, op_a: Op, b: Mat<'_>, op_b: Op, c: &mut [f32], accumulate: bool) {
    let (m, k, a_rs, a_cs) = a.view(op_a);
    let (kb, n, b_rs, b_cs) = b.view(op_b);
    assert_eq!(k, kb, "inner dimensions differ: {m} × {k} times {kb} × {n}");
    assert_eq!(c.len(), m * n, "the product is {m} × {n}");
    assert!(
        a.in_bounds() && b.in_bounds(),
        "an operand lies outside its slice"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c.fill(0.0);
        }
        return;
    }
    // SAFETY: the strides above address element (r, c) of `a` at `r · row_stride + c`, and
    // `in_bounds` (asserted above) checked that the last one lies inside `a.data`; the same
    // holds for `b`, and `c` holds m · n values laid out
    // row-major (row stride n, column stride 1), so no two of its elements alias. `c` is a
    // unique borrow and `a`, `b` shared ones, so the output overlaps neither input.
    // `Parallelism::None`: the product runs on this thread only.
    #[allow(unsafe_code)]
    unsafe {
        ::gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a_cs,
            a_rs,
            b.data.as_ptr(),
            b_cs,
            b_rs,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            ::gemm::Parallelism::None,
        );
    }
}

/// Scores per block of [`top_k`]'s pass.
const TOP_K_BLOCK: usize = 16;

/// Bit `j` set where `block[j] ≥ floor` (NaN never is): a comparison per lane gathered into
/// a mask, which the compiler vectorises; the set bits are then read without a branch per
/// item.
#[inline]
fn at_least_mask(block: &[f32], floor: f32) -> u32 {
    debug_assert!(block.len() <= 32);
    let mut mask = 0u32;
    for (j, &x) in block.iter().enumerate() {
        mask |= u32::from(x >= floor) << j;
    }
    mask
}

/// The largest score of a block, NaN passed over (−∞ for a block without a number):
/// `x > m ? x : m`, which compiles to one vector max per lane group.
#[inline]
fn block_max(block: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let chunks = block.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (m, &x) in lanes.iter_mut().zip(chunk) {
            *m = if x > *m { x } else { *m };
        }
    }
    let mut max = f32::NEG_INFINITY;
    for &x in lanes.iter().chain(rest) {
        max = if x > max { x } else { max };
    }
    max
}

/// [`top_k`] bounds the K-th score from the blocks' largest scores first when there are at
/// least this many blocks per listed item.
const BOUND_BLOCKS_PER_ITEM: usize = 4;

/// Indices of the `k` highest scores, best first; ties go to the lower item index so lists
/// are deterministic. Items with score −∞ (excluded) are never returned.
///
/// On a long catalogue, a lower bound `t` of the K-th score comes first: the K-th largest of
/// the blocks' largest scores (K blocks each hold a score at least `t`, so an item below `t`
/// is in no top K). Then one pass over the scores keeps the best `k` so far in order,
/// offering a block's items only where they reach `t` or the list's K-th (a vectorised
/// comparison per block; few items are ever offered).
pub fn top_k(scores: &[f32], k: usize) -> Vec<u32> {
    // "a before b" in the list: higher score, then lower index.
    let before = |a: (f32, u32), b: (f32, u32)| match a.0.total_cmp(&b.0) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => a.1 < b.1,
    };
    if k == 0 {
        return Vec::new();
    }
    // The bound: NaN never is a block's largest, and comparing in `total_cmp` a −0 largest
    // may stand for a +0 beside it, which only lowers the bound. Below the bound in `<` is
    // below it in `total_cmp`.
    let bound = if scores.len() / TOP_K_BLOCK >= BOUND_BLOCKS_PER_ITEM * k {
        let mut maxima: Vec<f32> = scores.chunks_exact(TOP_K_BLOCK).map(block_max).collect();
        let (_, kth, _) = maxima.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        *kth
    } else {
        f32::NEG_INFINITY
    };
    let mut best: Vec<(f32, u32)> = Vec::with_capacity(k + 1);
    // Once the list is full, an item enters only above the K-th score: items come in
    // ascending index, so on an equal score the one already listed stays before it. The
    // comparison is `total_cmp`'s, as `before`'s.
    let mut floor = f32::NAN;
    let offer = |best: &mut Vec<(f32, u32)>, floor: &mut f32, i: u32, s: f32| {
        // The common case first: not above a full list's floor (−∞ never is).
        if best.len() == k && s.total_cmp(floor) != std::cmp::Ordering::Greater {
            return;
        }
        if s.is_nan() || s == f32::NEG_INFINITY {
            // Excluded (−∞), or no score at all.
            return;
        }
        let at = best.partition_point(|&b| before(b, (s, i)));
        if best.len() == k {
            best.pop();
        }
        best.insert(at, (s, i));
        if best.len() == k {
            *floor = best[k - 1].0;
        }
    };
    // Each block of `TOP_K_BLOCK` scores is compared at once with the higher of the bound
    // and (the list full) its floor, and only the items at least that (in `<`) are offered:
    // below it in `<` is below it in `total_cmp` (NaN never enters the list), and an item
    // equal to it (+0 against −0 included) is decided by `offer`.
    let threshold = |best: &Vec<(f32, u32)>, floor: f32| {
        if best.len() == k && floor > bound {
            floor
        } else {
            bound
        }
    };
    let blocks = scores.chunks_exact(TOP_K_BLOCK);
    let tail = blocks.remainder();
    for (b, block) in blocks.enumerate() {
        let first = (b * TOP_K_BLOCK) as u32;
        // The block's items at least the threshold, as bits; each offered in index order
        // (the floor may rise meanwhile: `offer` compares again).
        let mut at_least = at_least_mask(block, threshold(&best, floor));
        while at_least != 0 {
            let j = at_least.trailing_zeros();
            offer(&mut best, &mut floor, first + j, block[j as usize]);
            at_least &= at_least - 1;
        }
    }
    let first = (scores.len() - tail.len()) as u32;
    for (i, &s) in (first..).zip(tail) {
        if s >= threshold(&best, floor) {
            offer(&mut best, &mut floor, i, s);
        }
    }
    best.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook triple loop, as the reference.
    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0f32; m * n];
        for r in 0..m {
            for col in 0..n {
                c[r * n + col] = (0..k).map(|i| a[r * k + i] * b[i * n + col]).sum();
            }
        }
        c
    }

    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut t = vec![0f32; x.len()];
        for r in 0..rows {
            for c in 0..cols {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        t
    }

    fn close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn every_layout_matches_the_triple_loop() {
        // Odd sizes, so no kernel's block size divides them.
        let (m, k, n) = (7, 13, 5);
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37 % 11) as f32 - 5.0) / 3.0)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 17 % 7) as f32 - 3.0) / 2.0)
            .collect();
        let expected = naive(&a, &b, m, k, n);
        let (at, bt) = (transpose(&a, m, k), transpose(&b, k, n));
        for (a_mat, op_a) in [
            (Mat::new(&a, m, k), Op::Plain),
            (Mat::new(&at, k, m), Op::Transposed),
        ] {
            for (b_mat, op_b) in [
                (Mat::new(&b, k, n), Op::Plain),
                (Mat::new(&bt, n, k), Op::Transposed),
            ] {
                // NaN in the output is never read when overwriting.
                let mut c = vec![f32::NAN; m * n];
                gemm(a_mat, op_a, b_mat, op_b, &mut c, false);
                close(&c, &expected);
                // Accumulating adds to what is there.
                let mut c = vec![1.0f32; m * n];
                gemm(a_mat, op_a, b_mat, op_b, &mut c, true);
                let plus_one: Vec<f32> = expected.iter().map(|v| v + 1.0).collect();
                close(&c, &plus_one);
            }
        }
    }

    #[test]
    fn a_block_of_columns_multiplies_as_its_own_matrix() {
        // g: 3 × 5; the block of columns 1..4, transposed, times p (3 × 2).
        let g: Vec<f32> = (0..15).map(|i| i as f32 - 7.0).collect();
        let p: Vec<f32> = (0..6).map(|i| i as f32 * 0.5).collect();
        let block: Vec<f32> = (0..3)
            .flat_map(|r| g[r * 5 + 1..r * 5 + 4].to_vec())
            .collect();
        let expected = naive(&transpose(&block, 3, 3), &p, 3, 3, 2);
        let mut c = vec![0f32; 6];
        gemm(
            Mat::new(&g, 3, 5).columns(1, 3),
            Op::Transposed,
            Mat::new(&p, 3, 2),
            Op::Plain,
            &mut c,
            false,
        );
        close(&c, &expected);
        // The last columns too (the view ends where the slice ends).
        let mut c = vec![0f32; 2];
        gemm(
            Mat::new(&g, 3, 5).columns(4, 1),
            Op::Transposed,
            Mat::new(&p, 3, 2),
            Op::Plain,
            &mut c,
            false,
        );
        let last: Vec<f32> = (0..3).map(|r| g[r * 5 + 4]).collect();
        close(&c, &naive(&last, &p, 1, 3, 2));
    }

    #[test]
    #[should_panic(expected = "inner dimensions differ")]
    fn mismatched_shapes_are_refused() {
        let a = [0f32; 6];
        let mut c = [0f32; 4];
        gemm(
            Mat::new(&a, 2, 3),
            Op::Plain,
            Mat::new(&a, 2, 3),
            Op::Plain,
            &mut c,
            false,
        );
    }

    #[test]
    fn exp_is_within_two_ulp_of_the_standard_library() {
        let mut worst = 0f64;
        let mut x = -103.0f32;
        while x < 88.7 {
            let (fast, exact) = (exp(x), x.exp());
            let ulp = f64::from(exact) * f64::from(f32::EPSILON);
            if exact > f32::MIN_POSITIVE {
                worst = worst.max((f64::from(fast) - f64::from(exact)).abs() / ulp);
            } else {
                // Subnormal results: absolute error within a few of the smallest steps.
                assert!((fast - exact).abs() <= 4.0 * f32::from_bits(1), "{x}");
            }
            x += 0.0137;
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(89.0), f32::INFINITY);
        assert_eq!(exp(1.0e4), f32::INFINITY);
        assert_eq!(exp(-1.0e4), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert!(exp(f32::NAN).is_nan());
    }

    #[test]
    fn dot_and_axpy_match_the_plain_loops() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.5 - 3.0).collect();
        let b: Vec<f32> = (0..19).map(|i| 2.0 - i as f32 * 0.25).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
        let mut y = b.clone();
        axpy(2.0, &a, &mut y);
        for ((y, a), b) in y.iter().zip(&a).zip(&b) {
            assert_eq!(*y, b + 2.0 * a);
        }
    }

    #[test]
    fn top_k_orders_by_score_breaks_ties_by_id_and_skips_excluded() {
        let s = [0.5, f32::NEG_INFINITY, 0.9, 0.5, 0.1];
        assert_eq!(top_k(&s, 3), vec![2, 0, 3]);
        assert_eq!(top_k(&s, 10), vec![2, 0, 3, 4]);
        assert_eq!(top_k(&s, 1), vec![2]);
        assert!(top_k(&s, 0).is_empty());
    }

    #[test]
    fn top_k_matches_a_full_sort_with_ties_nan_and_excluded_items() {
        // Scores on a coarse grid (many ties), signed zeros, some excluded (−∞) and some NaN
        // (never listed).
        let mut state = 7u64;
        for n in [1usize, 5, 40, 300, 2000, 5000] {
            let scores: Vec<f32> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    match (state >> 33) % 13 {
                        0 => f32::NEG_INFINITY,
                        1 => f32::NAN,
                        // −0 sorts below +0 (v = 6) in total order.
                        2 => -0.0,
                        v => v as f32 * 0.5 - 3.0,
                    }
                })
                .collect();
            let mut reference: Vec<u32> = (0..n as u32)
                .filter(|&i| scores[i as usize] > f32::NEG_INFINITY)
                .collect();
            reference.sort_by(|&a, &b| {
                scores[b as usize]
                    .total_cmp(&scores[a as usize])
                    .then(a.cmp(&b))
            });
            for k in [1, 3, 10, 20, 500] {
                let expected: Vec<u32> = reference.iter().copied().take(k).collect();
                assert_eq!(top_k(&scores, k), expected, "n {n}, k {k}");
            }
        }
    }
}

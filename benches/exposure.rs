//! The exposure regulariser's step at the `recsweep bench` workload's shape: 64 exposure users
//! × 3,706 items (MovieLens-1M), d = 64, `exposure_entropy`, each user ~150 training items
//! masked. Times, separately, the three matrix products of a step (`S = P Qᵀ`, `∂P = G Q`,
//! `∂Q = Gᵀ P`, run over the threads as the fused engine runs them) and the elementwise
//! pass between them (`objective::host`), medians of many steps, so that the two costs a
//! λ > 0 epoch adds can be told apart.
//! Run: `cargo bench --bench exposure`

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use recsweep::config::Regularizer;
use recsweep::linalg::{Mat, Op, gemm};
use recsweep::objective::host::{self, ExposureTerms, HostItemTables, Workspace};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (users, n_items, dim, n_categories) = (64usize, 3706usize, 64usize, 18usize);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut uniform = |n: usize, scale: f32| -> Vec<f32> {
        (0..n)
            .map(|_| (rng.random::<f32>() - 0.5) * scale)
            .collect()
    };
    let p = uniform(users * dim, 0.5);
    let q = uniform(n_items * dim, 0.5);
    let bias = uniform(n_items, 0.2);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let excluded: Vec<Vec<u32>> = (0..users)
        .map(|_| {
            let mut l: Vec<u32> = (0..150)
                .map(|_| rng.random_range(0..n_items as u32))
                .collect();
            l.sort_unstable();
            l.dedup();
            l
        })
        .collect();
    let excluded_refs: Vec<&[u32]> = excluded.iter().map(Vec::as_slice).collect();
    let mut categories = vec![0f32; n_items * n_categories];
    for i in 0..n_items {
        categories[i * n_categories + i % n_categories] = 1.0;
    }
    let tables = HostItemTables {
        categories,
        n_categories,
        log_popularity: (0..n_items).map(|i| (i as f32 + 1.0).ln() / 10.0).collect(),
    };
    let terms = [(Regularizer::ExposureEntropy, 1.0)];
    let spec = ExposureTerms {
        terms: &terms,
        tables: &tables,
        temperature: 0.1,
        k: 10,
    };
    println!(
        "exposure step: {users} users x {n_items} items, d = {dim}, {} threads",
        rayon::current_num_threads()
    );

    let steps = 200;
    let mut work = Workspace::default();
    let (mut forward, mut elementwise, mut split, mut grad_p, mut grad_q) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut scores = vec![0f32; users * n_items];
    let mut gp = vec![0f32; users * dim];
    let mut gq = vec![0f32; n_items * dim];
    let (pm, qm) = (Mat::new(&p, users, dim), Mat::new(&q, n_items, dim));
    // The products run as the fused engine runs them, over the threads: S and ∂P by blocks
    // of user rows, ∂Q by blocks of items (a block of G's columns each). (Running ∂P and ∂Q
    // at once, one whole product per thread, measured slower here: 0.89–0.92 ms against
    // 0.62–0.66 ms.)
    let threads = rayon::current_num_threads().max(1);
    let users_per = users.div_ceil(threads);
    let items_per = n_items.div_ceil(threads);
    for _ in 0..steps {
        let t = Instant::now();
        scores
            .par_chunks_mut(users_per * n_items)
            .zip(p.par_chunks(users_per * dim))
            .for_each(|(out, rows)| {
                for row in out.chunks_exact_mut(n_items) {
                    row.copy_from_slice(&bias);
                }
                let block = Mat::new(rows, rows.len() / dim, dim);
                gemm(block, Op::Plain, qm, Op::Transposed, out, true);
            });
        forward.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let value =
            host::exposure_terms_backward(&mut work, &mut scores, &excluded_refs, &spec, 0.1);
        elementwise.push(t.elapsed().as_secs_f64());
        std::hint::black_box(value);
        let g = Mat::new(&scores, users, n_items);
        let t = Instant::now();
        gp.par_chunks_mut(users_per * dim)
            .zip(scores.par_chunks(users_per * n_items))
            .for_each(|(out, g_rows)| {
                let block = Mat::new(g_rows, g_rows.len() / n_items, n_items);
                gemm(block, Op::Plain, qm, Op::Plain, out, false);
            });
        gq.par_chunks_mut(items_per * dim)
            .enumerate()
            .for_each(|(b, out)| {
                let block = g.columns(b * items_per, out.len() / dim);
                gemm(block, Op::Transposed, pm, Op::Plain, out, true);
            });
        split.push(t.elapsed().as_secs_f64());
        // Each alone, on this thread, for reference.
        let t = Instant::now();
        gemm(g, Op::Plain, qm, Op::Plain, &mut gp, false);
        grad_p.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        gemm(g, Op::Transposed, pm, Op::Plain, &mut gq, true);
        grad_q.push(t.elapsed().as_secs_f64());
    }
    let ms = |v: Vec<f64>| median(v) * 1e3;
    let (f, e, j) = (ms(forward), ms(elementwise), ms(split));
    println!("S = P Q^T + b, by blocks of users    median {f:.3} ms");
    println!("elementwise pass                     median {e:.3} ms");
    println!("dP = G Q, dQ += G^T P, by blocks     median {j:.3} ms");
    println!("step total                           {:.3} ms", f + e + j);
    println!(
        "for reference, on one thread: dP {:.3} ms, dQ {:.3} ms",
        ms(grad_p),
        ms(grad_q)
    );
}

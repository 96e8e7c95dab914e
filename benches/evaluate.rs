//! Full-ranking evaluation at ML-1M size: 6,040 users × 3,706 items, d = 64, about a million
//! training interactions excluded, K = 10 and 20, every metric of the evaluator.
//!
//! Prints the median of several repetitions, and the ratio against a reference pass in the
//! same process that only scores every item for every user, by the same blocked matrix product
//! (the floor any evaluator pays).
//! Run: `cargo bench --bench evaluate`

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use recsweep::evaluate::{self, EvalContext};
use recsweep::metrics::{self, ItemCategories};
use recsweep::model::HostWeights;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (n_users, n_items, dim) = (6040usize, 3706usize, 64usize);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut normal = |n: usize| {
        (0..n)
            .map(|_| rng.random::<f32>() - 0.5)
            .collect::<Vec<f32>>()
    };
    let weights = HostWeights {
        dim,
        users: normal(n_users * dim),
        items: normal(n_items * dim),
        bias: normal(n_items),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let (mut train, mut test, mut interacted) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n_users {
        let all: Vec<u32> = (0..n_items as u32)
            .filter(|_| rng.random::<f64>() < 0.045)
            .collect();
        let (mut tr, mut te) = (Vec::new(), Vec::new());
        for &i in &all {
            if rng.random::<f64>() < 0.2 {
                te.push(i)
            } else {
                tr.push(i)
            }
        }
        train.push(tr);
        test.push(te);
        interacted.push(all);
    }
    let pairs: usize = interacted.iter().map(Vec::len).sum();
    let cats = ItemCategories::new((0..n_items).map(|i| vec![(i % 18) as u32]).collect());
    let counts = recsweep::data::train_counts(&train, n_items);
    let is_head = metrics::head_items(&counts, 0.2);
    let ks = [10usize, 20];
    let ctx = EvalContext {
        ks: &ks,
        masked: None,
        train: &train,
        categories: &cats,
        train_counts: &counts,
        is_head: &is_head,
    };
    println!(
        "full-ranking evaluation: {n_users} users x {n_items} items, d = {dim}, {pairs} interactions, K = {ks:?}, {} threads",
        rayon::current_num_threads()
    );

    let reps = 5;
    let mut scoring = Vec::new();
    let mut full = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        // Users scored 32 at a time by one matrix product, as the evaluator scores them.
        let users: Vec<usize> = (0..n_users).collect();
        let scorer = weights.block_scorer();
        let checksum: f64 = users
            .par_chunks(32)
            .map_init(Vec::new, |block, chunk| {
                scorer.score_users(chunk, block);
                f64::from(block[chunk[0] % n_items])
            })
            .sum();
        scoring.push(t.elapsed().as_secs_f64());
        std::hint::black_box(checksum);

        let t = Instant::now();
        let report = evaluate::evaluate(&weights, &test, &train, None, &ctx);
        full.push(t.elapsed().as_secs_f64());
        std::hint::black_box(report.means.len());
    }
    let (s, f) = (median(scoring), median(full));
    println!(
        "reference (score all items only): median {:.3} s over {reps} runs",
        s
    );
    println!(
        "evaluate (all metrics, top-K, AUC): median {:.3} s over {reps} runs",
        f
    );
    println!("ratio evaluate / scoring-only: {:.2}x", f / s);
}

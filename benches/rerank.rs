//! Re-ranking cost per user at MovieLens-1M catalogue size: 3,706 items, 18 categories (each
//! item 1–3 of them), random scores, K = 10, θ = 0.5, over N = 100 candidates and over the
//! whole catalogue (N = 3,706).
//!
//! For each method and N: the time per user (one repetition re-ranks every synthetic user,
//! divided by the number of users), as median, min and max over the repetitions, and the
//! ratio of the medians to a reference pass in the same process: a plain sort-by-score
//! top-10 of the same candidates. One thread.
//! Run: `cargo bench --bench rerank`

use std::hint::black_box;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use recsweep::metrics::ItemCategories;
use recsweep::rerank::{self, RerankMethod, UserContext};

const N_ITEMS: usize = 3706;
const N_CATEGORIES: usize = 18;
const K: usize = 10;
const THETA: f64 = 0.5;
const USERS: usize = 200;

/// One synthetic user: every catalogue item with a random score, best first, and a category
/// profile built from 20 random "history" items (`p(c|u) = mean over them of 1/|C(i)|`).
struct User {
    candidates: Vec<(u32, f32)>,
    profile: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds per user of `f` over every user, for each of `reps` repetitions.
fn time_per_user(reps: usize, users: &[User], mut f: impl FnMut(&User) -> usize) -> Vec<f64> {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            let mut checksum = 0usize;
            for user in users {
                checksum = checksum.wrapping_add(f(user));
            }
            let elapsed = t.elapsed().as_secs_f64();
            black_box(checksum);
            elapsed / users.len() as f64
        })
        .collect()
}

/// The reference: copy the candidates, sort by score (best first), keep the top K ids.
fn sort_top_k(candidates: &[(u32, f32)]) -> Vec<u32> {
    let mut all = candidates.to_vec();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all.iter().take(K).map(|&(item, _)| item).collect()
}

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let per_item: Vec<Vec<u32>> = (0..N_ITEMS)
        .map(|_| {
            let count = rng.random_range(1..=3);
            let mut cats: Vec<u32> = Vec::new();
            while cats.len() < count {
                let c = rng.random_range(0..N_CATEGORIES as u32);
                if !cats.contains(&c) {
                    cats.push(c);
                }
            }
            cats
        })
        .collect();
    let categories = ItemCategories::new(per_item);
    let users: Vec<User> = (0..USERS)
        .map(|_| {
            let mut candidates: Vec<(u32, f32)> = (0..N_ITEMS as u32)
                .map(|i| (i, rng.random::<f32>() * 4.0 - 2.0))
                .collect();
            candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
            let mut profile = vec![0.0; N_CATEGORIES];
            for _ in 0..20 {
                let cats = categories.of(rng.random_range(0..N_ITEMS as u32));
                for &c in cats {
                    profile[c as usize] += 1.0 / cats.len() as f64 / 20.0;
                }
            }
            User {
                candidates,
                profile,
            }
        })
        .collect();

    println!(
        "re-ranking: {N_ITEMS} items, {N_CATEGORIES} categories (1-3 per item), {USERS} users, K = {K}, θ = {THETA}, one thread"
    );
    println!(
        "{:>6}  {:<26} {:>12} {:>12} {:>12} {:>10}",
        "N", "method", "median µs", "min µs", "max µs", "× ref"
    );
    for (n, reps) in [(100usize, 9usize), (N_ITEMS, 5)] {
        let reference = time_per_user(reps, &users, |u| sort_top_k(&u.candidates[..n]).len());
        let ref_median = median(&reference);
        let row = |name: &str, times: &[f64]| {
            let min = times.iter().copied().fold(f64::INFINITY, f64::min);
            let max = times.iter().copied().fold(0.0, f64::max);
            println!(
                "{n:>6}  {name:<26} {:>12.2} {:>12.2} {:>12.2} {:>9.1}x",
                median(times) * 1e6,
                min * 1e6,
                max * 1e6,
                median(times) / ref_median
            );
        };
        row("reference (sort, top 10)", &reference);
        for method in RerankMethod::ALL {
            let times = time_per_user(reps, &users, |u| {
                let user = UserContext {
                    categories: &categories,
                    n_categories: N_CATEGORIES,
                    profile: &u.profile,
                };
                rerank::rerank(method, THETA, &u.candidates[..n], K, &user).len()
            });
            row(method.label(), &times);
        }
        println!("        ({reps} repetitions of {USERS} users)");
    }
}

//! A synthetic data set with a real relevance/diversity trade-off, generated in code (no
//! downloads): power-law item popularity, items in categories, users who prefer a few
//! categories. A pure-relevance model then piles its lists onto popular items of popular
//! categories, and a diversity term has something to win back.
//!
//! The generator records no time: the order it draws a user's items in is not a history, and
//! a clock running user after user would make a global time cut a cut between users. So the
//! frame has no timestamp column, and the time-ordered splits refuse synthetic data.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use polars::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::frame::{ITEM, RATING, USER};
use super::{RawInteractions, RowOrigin};
use crate::config::raw::SyntheticParams;

/// Cumulative popularity weights of a set of items, for sampling by popularity.
struct Sampler {
    items: Vec<u32>,
    cumulative: Vec<f64>,
}

impl Sampler {
    fn new(items: Vec<u32>, weight: &[f64]) -> Self {
        let mut acc = 0.0;
        let cumulative = items
            .iter()
            .map(|&i| {
                acc += weight[i as usize];
                acc
            })
            .collect();
        Self { items, cumulative }
    }

    fn draw(&self, rng: &mut impl Rng) -> u32 {
        let total = *self.cumulative.last().unwrap_or(&0.0);
        let x = rng.random::<f64>() * total;
        let at = self
            .cumulative
            .partition_point(|&c| c <= x)
            .min(self.items.len() - 1);
        self.items[at]
    }
}

/// Generates interactions (all with rating 1) for the given parameters, deterministic in
/// `seed`.
pub fn generate(p: &SyntheticParams, seed: u64) -> RawInteractions {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_DA7A);
    let n_items = p.items;

    // Popularity: Zipf over a random permutation of items, so popularity and category are
    // independent.
    let mut rank: Vec<usize> = (0..n_items).collect();
    rank.shuffle(&mut rng);
    let weight: Vec<f64> = rank
        .iter()
        .map(|&r| 1.0 / ((r + 1) as f64).powf(p.popularity_exponent))
        .collect();

    // Categories: every category gets items (round-robin over a shuffled order); a fifth of
    // the items get a second category, so category vectors overlap.
    let mut order: Vec<u32> = (0..n_items as u32).collect();
    order.shuffle(&mut rng);
    let mut item_cats: Vec<Vec<u32>> = vec![Vec::new(); n_items];
    for (pos, &item) in order.iter().enumerate() {
        item_cats[item as usize].push((pos % p.categories) as u32);
        if p.categories > 1 && rng.random::<f64>() < 0.2 {
            let extra = rng.random_range(0..p.categories) as u32;
            if !item_cats[item as usize].contains(&extra) {
                item_cats[item as usize].push(extra);
            }
        }
    }
    let mut in_cat: Vec<Vec<u32>> = vec![Vec::new(); p.categories];
    for (item, cats) in item_cats.iter().enumerate() {
        for &c in cats {
            in_cat[c as usize].push(item as u32);
        }
    }
    let all = Sampler::new((0..n_items as u32).collect(), &weight);
    let per_cat: Vec<Sampler> = in_cat
        .into_iter()
        .map(|items| Sampler::new(items, &weight))
        .collect();

    let (mut users, mut items) = (Vec::new(), Vec::new());
    for u in 0..p.users {
        let mut cats: Vec<usize> = (0..p.categories).collect();
        cats.shuffle(&mut rng);
        let liked = &cats[..p.categories_per_user];
        let lo = (p.interactions_per_user / 2).max(5);
        let hi = (p.interactions_per_user * 3 / 2).max(lo + 1);
        let count = rng.random_range(lo..hi).min(n_items / 2);
        let mut seen = HashSet::new();
        let mut attempts = 0;
        while seen.len() < count && attempts < count * 50 {
            attempts += 1;
            let item = if rng.random::<f64>() < p.preference_strength {
                per_cat[liked[rng.random_range(0..liked.len())]].draw(&mut rng)
            } else {
                all.draw(&mut rng)
            };
            if seen.insert(item) {
                users.push(u as u32);
                items.push(item);
            }
        }
    }
    let ratings = vec![1.0f64; users.len()];
    let frame = df!(
        USER => users,
        ITEM => items,
        RATING => ratings,
    )
    .expect("columns of equal length");

    let category_names: Vec<String> = (0..p.categories).map(|c| format!("c{c}")).collect();
    let categories: HashMap<String, Vec<String>> = item_cats
        .iter()
        .enumerate()
        .map(|(i, cats)| {
            (
                i.to_string(),
                cats.iter()
                    .map(|&c| category_names[c as usize].clone())
                    .collect(),
            )
        })
        .collect();
    RawInteractions {
        source: PathBuf::from("<synthetic>"),
        rows: RowOrigin::Rows,
        frame,
        categories,
        category_names,
    }
}

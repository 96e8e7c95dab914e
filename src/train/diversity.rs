//! What a run's regularisers read each batch, built on the host: the distinct users whose
//! exposure enters the exposure terms (drawn uniformly, independently of the batch's pairs),
//! the mask of the items each can still be recommended, the two-task targets, and the
//! catalogue tables (categories, log-popularity) that stay on the device for the whole run.

use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::config::{Regularizer, RunMethod};
use crate::metrics::ItemCategories;
use crate::model::index_tensor;
use crate::objective::host::HostItemTables;
use crate::objective::{self, ItemTables};

/// The random stream of the exposure users: separate from the run's own stream (weights,
/// shuffles, negatives), so a regularised run and its λ = 0 baseline shuffle and sample the
/// same batches.
const EXPOSURE_STREAM: u64 = 1;

/// Per run: which inputs the method's terms need, and what they are built from.
pub(super) struct DiversityPlan {
    pub terms: Vec<(Regularizer, f64)>,
    pub temperature: f64,
    /// The list length the exposure is a soft membership of (the first cut-off of `eval.k`).
    pub k: usize,
    pub items: ItemTables,
    /// The same tables on the host (the fused CPU engine's regularisers read these).
    pub host_items: HostItemTables,
    exposure: Option<ExposureUsers>,
    two_task: Option<TwoTaskTargets>,
}

impl DiversityPlan {
    /// The plan of `method` for a run with `seed`, or `None` when nothing is regularised
    /// (λ = 0, or the baseline).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        method: &RunMethod,
        lambda: f64,
        seed: u64,
        temperature: f64,
        k: usize,
        sample_users: usize,
        train: &[Vec<u32>],
        train_counts: &[u64],
        categories: &Arc<ItemCategories>,
        device: &Device,
    ) -> Option<Self> {
        let terms = method.terms().to_vec();
        if lambda == 0.0 || terms.is_empty() {
            return None;
        }
        let n_items = train_counts.len();
        let needs_exposure = terms.iter().any(|(r, _)| r.needs_exposure());
        let exposure =
            needs_exposure.then(|| ExposureUsers::new(train, n_items, sample_users, seed));
        let two_task = method
            .two_task()
            .then(|| TwoTaskTargets::new(train, Arc::clone(categories)));
        let popularity = objective::log_popularity(train_counts);
        let (table, n_categories) = category_table(categories, n_items);
        let items = ItemTables {
            categories: Tensor::from_data(
                TensorData::new(table.clone(), [n_items, n_categories]),
                device,
            ),
            log_popularity: Tensor::from_data(
                TensorData::new(popularity.clone(), [n_items]),
                device,
            ),
        };
        let host_items = HostItemTables {
            categories: table,
            n_categories,
            log_popularity: popularity,
        };
        Some(Self {
            terms,
            temperature,
            k,
            items,
            host_items,
            exposure,
            two_task,
        })
    }

    /// This batch's exposure users (distinct, in the order drawn), if a term reads the
    /// exposure: the fused engine's draw, from the same stream as [`Self::exposure_users`].
    pub fn draw_exposure_users(&mut self) -> Option<Vec<u32>> {
        Some(self.exposure.as_mut()?.draw())
    }

    /// This batch's exposure users and their masks, if a term reads the exposure.
    pub fn exposure_users(&mut self, train: &[Vec<u32>], device: &Device) -> Option<ExposureBatch> {
        let sampler = self.exposure.as_mut()?;
        let users = sampler.draw();
        let n_items = sampler.n_items;
        let mut allowed = vec![1f32; users.len() * n_items];
        for (row, &u) in users.iter().enumerate() {
            for &i in &train[u as usize] {
                allowed[row * n_items + i as usize] = 0.0;
            }
        }
        Some(ExposureBatch {
            users: index_tensor(&users, device),
            allowed: Tensor::from_data(TensorData::new(allowed, [users.len(), n_items]), device),
        })
    }

    /// The two-task targets of a batch's candidates (`[m, 1 + n]`, the positive first), if the
    /// model has the heads.
    pub fn two_task_targets(
        &self,
        pairs: &[(u32, u32)],
        per_positive: usize,
        device: &Device,
    ) -> Option<Tensor<2>> {
        let targets = self.two_task.as_ref()?;
        let cols = 1 + per_positive;
        let mut values = vec![0f32; pairs.len() * cols];
        for (p, &(u, i)) in pairs.iter().enumerate() {
            values[p * cols] = targets.target(u, i);
        }
        Some(Tensor::from_data(
            TensorData::new(values, [pairs.len(), cols]),
            device,
        ))
    }
}

/// One batch's exposure users on the device.
pub(super) struct ExposureBatch {
    /// `[u]`, distinct
    pub users: Tensor<1, burn::tensor::Int>,
    /// `[u, n_items]`: 1 where the user can be recommended the item (not a training item)
    pub allowed: Tensor<2>,
}

/// Draws up to `sample` distinct users per batch, uniformly among those with at least one
/// training item and at least one item left to recommend.
struct ExposureUsers {
    eligible: Vec<u32>,
    sample: usize,
    n_items: usize,
    rng: ChaCha8Rng,
}

impl ExposureUsers {
    fn new(train: &[Vec<u32>], n_items: usize, sample: usize, seed: u64) -> Self {
        let eligible = train
            .iter()
            .enumerate()
            .filter(|(_, items)| !items.is_empty() && items.len() < n_items)
            .map(|(u, _)| u as u32)
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(EXPOSURE_STREAM);
        Self {
            eligible,
            sample,
            n_items,
            rng,
        }
    }

    /// Distinct users, in the order drawn.
    fn draw(&mut self) -> Vec<u32> {
        let n = self.eligible.len();
        rand::seq::index::sample(&mut self.rng, n, self.sample.min(n))
            .into_iter()
            .map(|i| self.eligible[i])
            .collect()
    }
}

/// `[n_items × n_categories]` row-major, and `n_categories`: item `i`'s row is `1/√|C_i|` on
/// each of its categories (unit length; all zero without categories), so row products are
/// category cosines.
fn category_table(categories: &ItemCategories, n_items: usize) -> (Vec<f32>, usize) {
    let n_categories = categories.id_bound().max(1);
    let mut values = vec![0f32; n_items * n_categories];
    for i in 0..n_items {
        let cats = categories.of(i as u32);
        for &c in cats {
            values[i * n_categories + c as usize] = 1.0 / (cats.len() as f32).sqrt();
        }
    }
    (values, n_categories)
}

/// The two-task model's diversity targets: for user `u` and item `i`,
/// `1 − cos(profile_u, c_i)`, with `profile_u` the sum of the user's training items' unit
/// category rows and `c_i` the item's (an item without categories: 1).
struct TwoTaskTargets {
    /// Per user, the unit-length profile over categories (all zero without categories).
    profiles: Vec<Vec<f32>>,
    /// The catalogue's categories (the sweep's table, shared).
    categories: Arc<ItemCategories>,
}

impl TwoTaskTargets {
    fn new(train: &[Vec<u32>], categories: Arc<ItemCategories>) -> Self {
        let n_categories = categories.id_bound();
        let profiles = train
            .iter()
            .map(|items| {
                let mut profile = vec![0f32; n_categories];
                for &i in items {
                    let cats = categories.of(i);
                    for &c in cats {
                        profile[c as usize] += 1.0 / (cats.len() as f32).sqrt();
                    }
                }
                let norm = profile.iter().map(|v| v * v).sum::<f32>().sqrt();
                if norm > 0.0 {
                    profile.iter_mut().for_each(|v| *v /= norm);
                }
                profile
            })
            .collect();
        Self {
            profiles,
            categories,
        }
    }

    fn target(&self, user: u32, item: u32) -> f32 {
        let profile = &self.profiles[user as usize];
        let cats = self.categories.of(item);
        if cats.is_empty() {
            return 1.0;
        }
        let dot: f32 = cats.iter().map(|&c| profile[c as usize]).sum();
        (1.0 - dot / (cats.len() as f32).sqrt()).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure_users_are_distinct_eligible_and_uniform() {
        // User 2 has no training items, user 3 has every item: neither is ever drawn.
        let train = vec![vec![0], vec![1, 2], vec![], vec![0, 1, 2, 3], vec![3]];
        let mut users = ExposureUsers::new(&train, 4, 2, 5);
        let mut counts = [0usize; 5];
        for _ in 0..3000 {
            let drawn = users.draw();
            assert_eq!(drawn.len(), 2);
            assert_ne!(drawn[0], drawn[1], "distinct within a batch");
            for u in drawn {
                counts[u as usize] += 1;
            }
        }
        assert_eq!((counts[2], counts[3]), (0, 0));
        // Each of the 3 eligible users is in 2/3 of the batches: 2000 ± a few %.
        for u in [0, 1, 4] {
            assert!((1850..2150).contains(&counts[u]), "user {u}: {}", counts[u]);
        }
        // More asked than eligible: every eligible user once.
        let mut all = ExposureUsers::new(&train, 4, 10, 5).draw();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 4]);
    }

    #[test]
    fn two_task_targets_are_one_minus_the_profile_cosine() {
        // Items: 0 in {0}, 1 in {1}, 2 in {0, 1}, 3 without categories.
        let categories = ItemCategories::new(vec![vec![0], vec![1], vec![0, 1], vec![]]);
        // User 0 trained on items 0 and 0's category only: profile (1, 0).
        // User 1 trained on items 0 and 1: profile (1, 1)/√2.
        let targets = TwoTaskTargets::new(&[vec![0], vec![0, 1]], Arc::new(categories));
        let close = |a: f32, b: f64| (f64::from(a) - b).abs() < 1e-6;
        assert!(close(targets.target(0, 0), 0.0));
        assert!(close(targets.target(0, 1), 1.0));
        assert!(close(targets.target(0, 2), 1.0 - 1.0 / 2f64.sqrt()));
        assert!(close(targets.target(0, 3), 1.0));
        assert!(close(targets.target(1, 0), 1.0 - 1.0 / 2f64.sqrt()));
        assert!(close(targets.target(1, 2), 0.0));
    }

    #[test]
    fn category_rows_are_unit_length() {
        let categories = ItemCategories::new(vec![vec![0], vec![0, 2], vec![]]);
        let (v, n_categories) = category_table(&categories, 3);
        assert_eq!(n_categories, 3);
        let r = 1.0 / 2f32.sqrt();
        assert_eq!(v, vec![1.0, 0.0, 0.0, r, 0.0, r, 0.0, 0.0, 0.0]);
    }
}

//! Uniform negative sampling among the items a user has not interacted with in training.
//!
//! Only training interactions are excluded: excluding held-out items too would leak the test
//! set into training (it would stop the model from pushing test items down).

use rand::Rng;

/// Draws `per_positive` negatives for each (user, positive) pair, uniformly among items not in
/// the user's sorted `train` list. Returns `[pairs.len() * per_positive]` item indices, the
/// negatives of pair `p` at `p * per_positive ..`.
pub fn sample_negatives(
    pairs_users: &[u32],
    train: &[Vec<u32>],
    n_items: usize,
    per_positive: usize,
    rng: &mut impl Rng,
) -> Vec<u32> {
    let mut out = Vec::with_capacity(pairs_users.len() * per_positive);
    for &u in pairs_users {
        let seen = &train[u as usize];
        // A user who has interacted with every item has no negatives: fall back to any item
        // so shapes stay fixed (it cannot happen with held-out data, but never loop forever).
        let saturated = seen.len() >= n_items;
        for _ in 0..per_positive {
            loop {
                let item = rng.random_range(0..n_items as u32);
                if saturated || seen.binary_search(&item).is_err() {
                    out.push(item);
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn negatives_avoid_training_items_and_cover_the_rest_uniformly() {
        let train = vec![vec![0, 2, 4, 6, 8]];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let users = vec![0u32; 2000];
        let neg = sample_negatives(&users, &train, 10, 5, &mut rng);
        assert_eq!(neg.len(), 10_000);
        let mut counts = [0usize; 10];
        for &i in &neg {
            counts[i as usize] += 1;
        }
        for i in [0, 2, 4, 6, 8] {
            assert_eq!(counts[i], 0, "training item {i} sampled as negative");
        }
        for i in [1, 3, 5, 7, 9] {
            // Expected 2000 each; 5 sigma is about ±200.
            assert!(
                (1800..=2200).contains(&counts[i]),
                "item {i}: {}",
                counts[i]
            );
        }
    }
}

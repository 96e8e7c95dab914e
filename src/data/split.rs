//! Per-user splits of the positives into train, validation and test, from the run's seed.
//!
//! Splitting per user keeps every user with history in train and something to evaluate;
//! the same seed gives the same split for every λ, so runs of a sweep are paired user by user.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::Dataset;
use crate::config::{SplitMethod, SplitSpec};

/// Per user, sorted item indices of each part.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<Vec<u32>>,
    pub validation: Vec<Vec<u32>>,
    pub test: Vec<Vec<u32>>,
}

/// How many of `n` go to a held-out part of share `share`, leaving at least one behind.
fn held_out(n: usize, share: f64) -> usize {
    if n < 2 || share <= 0.0 {
        return 0;
    }
    ((n as f64 * share).round() as usize).clamp(1, n - 1)
}

pub fn split(data: &Dataset, spec: &SplitSpec, seed: u64) -> Split {
    let n_users = data.n_users();
    let mut per_user: Vec<Vec<(i64, u32)>> = vec![Vec::new(); n_users];
    for p in &data.positives {
        per_user[p.user as usize].push((p.timestamp, p.item));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5B11_7000);
    let mut out = Split {
        train: Vec::with_capacity(n_users),
        validation: Vec::with_capacity(n_users),
        test: Vec::with_capacity(n_users),
    };
    for mut items in per_user {
        // Held-out parts are taken from the end of `items`: the latest for a temporal split,
        // a random choice otherwise.
        match spec.method {
            SplitMethod::Temporal => items.sort_unstable(),
            SplitMethod::Random | SplitMethod::LeaveOneOut => items.shuffle(&mut rng),
        }
        let n = items.len();
        let n_test = match spec.method {
            SplitMethod::LeaveOneOut => usize::from(n >= 2),
            _ => held_out(n, spec.test),
        };
        let rest = n - n_test;
        let n_val = match spec.method {
            SplitMethod::LeaveOneOut => usize::from(rest >= 2 && spec.validation > 0.0),
            _ => held_out(rest, spec.validation),
        };
        let take = |range: std::ops::Range<usize>| {
            let mut v: Vec<u32> = items[range].iter().map(|&(_, i)| i).collect();
            v.sort_unstable();
            v
        };
        out.test.push(take(rest..n));
        out.validation.push(take(rest - n_val..rest));
        out.train.push(take(0..rest - n_val));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Interaction;

    fn toy(n_per_user: &[usize]) -> Dataset {
        let mut positives = Vec::new();
        for (u, &n) in n_per_user.iter().enumerate() {
            for i in 0..n {
                positives.push(Interaction {
                    user: u as u32,
                    item: i as u32,
                    timestamp: (100 - i) as i64,
                });
            }
        }
        let n_items = *n_per_user.iter().max().unwrap();
        Dataset {
            description: "toy".into(),
            user_ids: (0..n_per_user.len()).map(|u| u.to_string()).collect(),
            item_ids: (0..n_items).map(|i| i.to_string()).collect(),
            below_threshold: vec![Vec::new(); n_per_user.len()],
            positives,
            item_categories: vec![Vec::new(); n_items],
            category_names: Vec::new(),
        }
    }

    #[test]
    fn random_split_partitions_each_user_and_keeps_train() {
        let data = toy(&[10, 1, 2, 5]);
        let spec = SplitSpec {
            method: SplitMethod::Random,
            test: 0.2,
            validation: 0.1,
        };
        let s = split(&data, &spec, 3);
        assert_eq!(s.test[0].len(), 2);
        assert_eq!(s.validation[0].len(), 1); // round(0.1 * 8) = 1
        assert_eq!(s.train[0].len(), 7);
        assert_eq!((s.train[1].len(), s.test[1].len()), (1, 0));
        assert_eq!(
            (s.train[2].len(), s.test[2].len(), s.validation[2].len()),
            (1, 1, 0)
        );
        for u in 0..4 {
            let mut all: Vec<u32> = [
                s.train[u].as_slice(),
                s.validation[u].as_slice(),
                s.test[u].as_slice(),
            ]
            .concat();
            all.sort_unstable();
            let positives: Vec<u32> = (0..[10, 1, 2, 5][u]).collect();
            assert_eq!(all, positives, "user {u} parts must partition the positives");
        }
    }

    #[test]
    fn same_seed_same_split_other_seed_other_split() {
        let data = toy(&[30, 30, 30]);
        let spec = SplitSpec {
            method: SplitMethod::Random,
            test: 0.2,
            validation: 0.0,
        };
        assert_eq!(split(&data, &spec, 1), split(&data, &spec, 1));
        assert_ne!(split(&data, &spec, 1), split(&data, &spec, 2));
    }

    #[test]
    fn temporal_split_holds_out_the_latest() {
        // Item i has timestamp 100 - i, so the latest are the lowest item ids.
        let data = toy(&[10]);
        let spec = SplitSpec {
            method: SplitMethod::Temporal,
            test: 0.3,
            validation: 0.0,
        };
        let s = split(&data, &spec, 0);
        assert_eq!(s.test[0], vec![0, 1, 2]);
    }

    #[test]
    fn leave_one_out_holds_out_one_each() {
        let data = toy(&[10, 2]);
        let spec = SplitSpec {
            method: SplitMethod::LeaveOneOut,
            test: 0.0,
            validation: 0.1,
        };
        let s = split(&data, &spec, 0);
        assert_eq!(
            (s.test[0].len(), s.validation[0].len(), s.train[0].len()),
            (1, 1, 8)
        );
        assert_eq!(
            (s.test[1].len(), s.validation[1].len(), s.train[1].len()),
            (1, 0, 1)
        );
    }
}

//! A seed's split together with what training and evaluation derive from it.
//!
//! The split is a pure function of (data, split spec, split seed), so the sweep makes one
//! [`PreparedSplit`] per split seed (one for the whole sweep unless the split varies with the
//! run seed), writes it into each run's directory before the run starts and shares it with the
//! workers read-only: nothing downstream splits or counts again.

use super::{Dataset, Split, split};
use crate::config::SplitSpec;

/// One split seed's split and its per-item training statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedSplit {
    pub split: Split,
    /// Training interactions per item, `[n_items]`.
    pub train_counts: Vec<u64>,
    /// Whether each item is among the `eval.head_share` most popular in training (the
    /// long-tail metrics count recommendations outside them), `[n_items]`.
    pub is_head: Vec<bool>,
}

impl PreparedSplit {
    /// Splits `data` as `spec` says with the split seed `seed`, counts the training interactions and marks
    /// the `head_share` most popular items as the head.
    pub fn new(data: &Dataset, spec: &SplitSpec, seed: u64, head_share: f64) -> Self {
        let split = split::split(data, spec, seed);
        let train_counts = train_counts(&split.train, data.n_items());
        let is_head = crate::metrics::head_items(&train_counts, head_share);
        Self {
            split,
            train_counts,
            is_head,
        }
    }

    /// The number of (user, item) training interactions.
    pub fn train_pairs(&self) -> usize {
        self.train_counts.iter().map(|&c| c as usize).sum()
    }
}

/// Per-item training counts, `[n_items]`, from per-user training lists.
pub fn train_counts(train: &[Vec<u32>], n_items: usize) -> Vec<u64> {
    let mut counts = vec![0u64; n_items];
    for list in train {
        for &i in list {
            counts[i as usize] += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SplitMethod, SplitSeed};
    use crate::data::Interaction;

    #[test]
    fn counts_and_head_items_follow_the_training_part() {
        // Three users; item 0 is everyone's, item 1 two users', item 2 and 3 one each.
        let lists: [&[u32]; 3] = [&[0, 1, 2], &[0, 1], &[0, 3]];
        let mut positives = Vec::new();
        for (u, items) in lists.iter().enumerate() {
            for &item in *items {
                positives.push(Interaction {
                    user: u as u32,
                    item,
                    timestamp: None,
                });
            }
        }
        let data = Dataset {
            description: "toy".into(),
            user_ids: (0..3).map(|u| u.to_string()).collect(),
            item_ids: (0..5).map(|i| i.to_string()).collect(),
            below_threshold: vec![Vec::new(); 3],
            positives,
            item_categories: vec![Vec::new(); 5],
            category_names: Vec::new(),
        };
        // Nothing held out: train is everything.
        let spec = SplitSpec {
            method: SplitMethod::Random,
            test: 0.0,
            validation: 0.0,
            seed: SplitSeed::Fixed(7),
        };
        let p = PreparedSplit::new(&data, &spec, 7, 0.2);
        assert_eq!(p.split, split::split(&data, &spec, 7));
        assert_eq!(p.train_counts, vec![3, 2, 1, 1, 0]);
        assert_eq!(p.train_pairs(), 7);
        // 20% of 5 items is one: the most popular.
        assert_eq!(p.is_head, vec![true, false, false, false, false]);
        // The head share is the caller's (eval.head_share): 40% is two items.
        let wider = PreparedSplit::new(&data, &spec, 7, 0.4);
        assert_eq!(wider.is_head, vec![true, true, false, false, false]);
    }
}

//! Splits of the positives into train, validation and test, drawn with the split's seed.
//!
//! The per-user methods hold out part of every user's positives and always leave one in
//! train: `random` (random shares), `leave-one-out` (one random positive for test, one for
//! validation), `leave-last-out` (the latest positive for test, the next latest for
//! validation) and `temporal` (the latest shares). A user with a single positive keeps it in
//! train; validation is taken only from what test leaves.
//!
//! `temporal-global` cuts everyone's positives at one time instead (see [`global_cut`]): the
//! positives after the cut are the test set whoever they belong to, and a second cut of the
//! rest takes validation. A user may then end with nothing in train (all their positives
//! after the cut: they are evaluated as cold users, on an embedding no positive trained) or
//! nothing in test (all before it: they train but are not evaluated; evaluation skips a user
//! without held-out positives). That is the protocol: the model never sees the future.
//!
//! Ties in time are never broken by item id. The per-user time-ordered methods shuffle a
//! user's positives with the split's random stream and then sort them stably by timestamp,
//! so of two positives at the same time either is the "later" with equal odds, fixed by the
//! seed. The global cut never separates positives at the same time, so it needs no draw: a
//! `temporal-global` split depends on the data alone.
//!
//! The split is a pure function of (data, spec, seed): every run given the same split seed
//! gets the same split, so runs pair up user by user.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{Dataset, Interaction};
use crate::config::{SplitMethod, SplitSpec};

/// Per user, sorted item indices of each part.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<Vec<u32>>,
    pub validation: Vec<Vec<u32>>,
    pub test: Vec<Vec<u32>>,
}

/// Splits `data`'s positives as `spec` says, with the random stream of `seed` (the split
/// seed, [`SplitSpec::seed_for`]).
///
/// # Panics
///
/// When `spec.method` orders by time and a positive has no timestamp; [`super::load`] refuses
/// such data first.
pub fn split(data: &Dataset, spec: &SplitSpec, seed: u64) -> Split {
    let mut per_user: Vec<Vec<Interaction>> = vec![Vec::new(); data.n_users()];
    for p in &data.positives {
        per_user[p.user as usize].push(*p);
    }
    match spec.method {
        // The global cut splits no tie, so it draws nothing: the seed does not matter to it.
        SplitMethod::TemporalGlobal => split_globally(per_user, spec),
        SplitMethod::Random
        | SplitMethod::LeaveOneOut
        | SplitMethod::LeaveLastOut
        | SplitMethod::Temporal => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5B11_7000);
            split_per_user(per_user, spec, &mut rng)
        }
    }
}

/// The time of a positive of a time-ordered split.
fn time_of(p: &Interaction) -> i64 {
    p.timestamp
        .expect("a time-ordered split of data without timestamps (data::load refuses it)")
}

/// How many of `n` go to a held-out part of share `share`, leaving at least one behind.
fn held_out(n: usize, share: f64) -> usize {
    if n < 2 || share <= 0.0 {
        return 0;
    }
    ((n as f64 * share).round() as usize).clamp(1, n - 1)
}

/// Each user's positives in the order the method holds out from the end of: random, or by
/// time with ties in random order; then test from the end, validation before it.
fn split_per_user(
    per_user: Vec<Vec<Interaction>>,
    spec: &SplitSpec,
    rng: &mut ChaCha8Rng,
) -> Split {
    let mut out = Split::with_capacity(per_user.len());
    for mut items in per_user {
        items.shuffle(rng);
        if spec.method.needs_timestamps() {
            // Stable: positives at the same time keep the shuffled order, so the seed, not
            // the item id, decides which of them is the later.
            items.sort_by_key(time_of);
        }
        let n = items.len();
        let n_test = if spec.method.holds_out_one() {
            usize::from(n >= 2)
        } else {
            held_out(n, spec.test)
        };
        let rest = n - n_test;
        let n_val = if spec.method.holds_out_one() {
            usize::from(rest >= 2 && spec.validation > 0.0)
        } else {
            held_out(rest, spec.validation)
        };
        let take = |part: &[Interaction]| sorted_items(part.iter());
        out.test.push(take(&items[rest..]));
        out.validation.push(take(&items[rest - n_val..rest]));
        out.train.push(take(&items[..rest - n_val]));
    }
    out
}

/// One cut for everyone: test after the cut of all positives at share `test`, validation
/// after the cut of the rest at share `validation`.
fn split_globally(per_user: Vec<Vec<Interaction>>, spec: &SplitSpec) -> Split {
    let times = |users: &[Vec<Interaction>]| -> Vec<i64> {
        let mut t: Vec<i64> = users.iter().flatten().map(time_of).collect();
        t.sort_unstable();
        t
    };
    let test_cut = global_cut(&times(&per_user), spec.test);
    let (test, rest) = divide(per_user, test_cut);
    let validation_cut = global_cut(&times(&rest), spec.validation);
    let (validation, train) = divide(rest, validation_cut);
    let lists = |users: Vec<Vec<Interaction>>| -> Vec<Vec<u32>> {
        users.iter().map(|u| sorted_items(u.iter())).collect()
    };
    Split {
        train: lists(train),
        validation: lists(validation),
        test: lists(test),
    }
}

/// Per user, the positives after `cut` and those at or before it (all of them when there is
/// no cut).
fn divide(
    per_user: Vec<Vec<Interaction>>,
    cut: Option<i64>,
) -> (Vec<Vec<Interaction>>, Vec<Vec<Interaction>>) {
    per_user
        .into_iter()
        .map(|items| match cut {
            Some(t) => items.into_iter().partition(|p| time_of(p) > t),
            None => (Vec::new(), items),
        })
        .unzip()
}

/// The time cut of a global split holding out `share` of the positives whose times are
/// `sorted` (ascending): the positives with a time strictly after the cut are held out.
///
/// The cut is one of the distinct times but the latest, so that at least one positive lies on
/// each side; of those, the one whose held-out count is closest to `share` × n (on equal
/// distance, the later cut: the smaller held-out part). Positives at the cut's time all stay
/// before it: a tie is never split (the positives of one moment are all held out or none is),
/// so the held-out share can differ from `share` when many positives share a time near the
/// cut.
/// This is the (1 − `share`) quantile of the times in that sense. `None` (nothing held out)
/// when `share` is 0 or every positive has the same time.
pub fn global_cut(sorted: &[i64], share: f64) -> Option<i64> {
    if share <= 0.0 {
        return None;
    }
    let n = sorted.len();
    let target = n as f64 * share;
    let mut best: Option<(f64, i64)> = None;
    let mut at = 0;
    while at < n {
        let t = sorted[at];
        // The end of the run of positives at time `t`.
        let end = at + sorted[at..].partition_point(|&x| x == t);
        if end == n {
            break; // the latest time: nothing would be held out
        }
        let distance = ((n - end) as f64 - target).abs();
        // `<=`: a later cut wins an equal distance.
        if best.is_none_or(|(d, _)| distance <= d) {
            best = Some((distance, t));
        }
        at = end;
    }
    best.map(|(_, t)| t)
}

/// The item indices of `part`, sorted.
fn sorted_items<'a>(part: impl Iterator<Item = &'a Interaction>) -> Vec<u32> {
    let mut v: Vec<u32> = part.map(|p| p.item).collect();
    v.sort_unstable();
    v
}

impl Split {
    fn with_capacity(n_users: usize) -> Self {
        Self {
            train: Vec::with_capacity(n_users),
            validation: Vec::with_capacity(n_users),
            test: Vec::with_capacity(n_users),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SplitSeed;

    /// A data set from each user's (item, timestamp) positives.
    fn data_of(users: &[&[(u32, i64)]]) -> Dataset {
        let mut positives = Vec::new();
        for (u, list) in users.iter().enumerate() {
            for &(item, t) in *list {
                positives.push(Interaction {
                    user: u as u32,
                    item,
                    timestamp: Some(t),
                });
            }
        }
        let n_items = positives
            .iter()
            .map(|p| p.item as usize + 1)
            .max()
            .unwrap_or(0);
        Dataset {
            description: "toy".into(),
            user_ids: (0..users.len()).map(|u| u.to_string()).collect(),
            item_ids: (0..n_items).map(|i| i.to_string()).collect(),
            below_threshold: vec![Vec::new(); users.len()],
            positives,
            item_categories: vec![Vec::new(); n_items],
            category_names: Vec::new(),
        }
    }

    /// `n_per_user[u]` positives for user u, item i at time 100 − i (the latest are the
    /// lowest item ids).
    fn toy(n_per_user: &[usize]) -> Dataset {
        let lists: Vec<Vec<(u32, i64)>> = n_per_user
            .iter()
            .map(|&n| (0..n).map(|i| (i as u32, 100 - i as i64)).collect())
            .collect();
        let refs: Vec<&[(u32, i64)]> = lists.iter().map(Vec::as_slice).collect();
        data_of(&refs)
    }

    fn spec(method: SplitMethod, test: f64, validation: f64) -> SplitSpec {
        SplitSpec {
            method,
            test,
            validation,
            seed: SplitSeed::Fixed(0),
        }
    }

    /// Each user's (train, validation, test).
    fn parts(s: &Split, u: usize) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
        (
            s.train[u].clone(),
            s.validation[u].clone(),
            s.test[u].clone(),
        )
    }

    fn assert_partitions(s: &Split, data: &Dataset) {
        for u in 0..data.n_users() {
            let mut all: Vec<u32> = [
                s.train[u].as_slice(),
                s.validation[u].as_slice(),
                s.test[u].as_slice(),
            ]
            .concat();
            all.sort_unstable();
            let mut positives: Vec<u32> = data
                .positives
                .iter()
                .filter(|p| p.user as usize == u)
                .map(|p| p.item)
                .collect();
            positives.sort_unstable();
            assert_eq!(
                all, positives,
                "user {u} parts must partition the positives"
            );
        }
    }

    #[test]
    fn random_split_partitions_each_user_and_keeps_train() {
        let data = toy(&[10, 1, 2, 5]);
        let s = split(&data, &spec(SplitMethod::Random, 0.2, 0.1), 3);
        assert_eq!(s.test[0].len(), 2);
        assert_eq!(s.validation[0].len(), 1); // round(0.1 * 8) = 1
        assert_eq!(s.train[0].len(), 7);
        assert_eq!((s.train[1].len(), s.test[1].len()), (1, 0));
        assert_eq!(
            (s.train[2].len(), s.test[2].len(), s.validation[2].len()),
            (1, 1, 0)
        );
        assert_partitions(&s, &data);
    }

    #[test]
    fn same_seed_same_split_other_seed_other_split() {
        let data = toy(&[30, 30, 30]);
        let spec = spec(SplitMethod::Random, 0.2, 0.0);
        assert_eq!(split(&data, &spec, 1), split(&data, &spec, 1));
        assert_ne!(split(&data, &spec, 1), split(&data, &spec, 2));
    }

    #[test]
    fn temporal_split_holds_out_the_latest_shares() {
        // Item i has timestamp 100 - i: the latest are the lowest item ids.
        let data = toy(&[10, 1]);
        let s = split(&data, &spec(SplitMethod::Temporal, 0.3, 0.2), 0);
        // round(0.3 · 10) = 3 for test, round(0.2 · 7) = 1 for validation.
        assert_eq!(
            parts(&s, 0),
            (vec![4, 5, 6, 7, 8, 9], vec![3], vec![0, 1, 2])
        );
        assert_eq!(parts(&s, 1), (vec![0], vec![], vec![]));
    }

    #[test]
    fn leave_one_out_holds_out_one_random_positive_each() {
        let data = toy(&[10, 2]);
        let s = split(&data, &spec(SplitMethod::LeaveOneOut, 0.0, 0.1), 0);
        assert_eq!(
            (s.test[0].len(), s.validation[0].len(), s.train[0].len()),
            (1, 1, 8)
        );
        assert_eq!(
            (s.test[1].len(), s.validation[1].len(), s.train[1].len()),
            (1, 0, 1)
        );
        assert_partitions(&s, &data);
        // Random: over seeds, user 0's test item is not always the latest (item 0).
        let tests: Vec<u32> = (0..20)
            .map(|seed| split(&data, &spec(SplitMethod::LeaveOneOut, 0.0, 0.1), seed).test[0][0])
            .collect();
        assert!(tests.iter().any(|&i| i != 0), "{tests:?}");
    }

    #[test]
    fn leave_last_out_holds_out_the_latest_then_the_next_latest() {
        let data = data_of(&[
            &[(3, 10), (1, 30), (2, 20), (0, 40)],
            &[(4, 5), (5, 7)],
            &[(6, 1)],
            &[(7, 1), (8, 3), (9, 2)],
        ]);
        // `test` is ignored, as by leave-one-out.
        let s = split(&data, &spec(SplitMethod::LeaveLastOut, 0.0, 0.1), 9);
        assert_eq!(parts(&s, 0), (vec![2, 3], vec![1], vec![0]));
        // Two positives: test takes the latest, validation nothing (train keeps one).
        assert_eq!(parts(&s, 1), (vec![4], vec![], vec![5]));
        assert_eq!(parts(&s, 2), (vec![6], vec![], vec![]));
        assert_eq!(parts(&s, 3), (vec![7], vec![9], vec![8]));
        // No validation asked: only test is held out.
        let s = split(&data, &spec(SplitMethod::LeaveLastOut, 0.2, 0.0), 9);
        assert_eq!(parts(&s, 0), (vec![1, 2, 3], vec![], vec![0]));
        // Whatever the seed: the order is the timestamps'.
        for seed in 0..10 {
            let other = split(&data, &spec(SplitMethod::LeaveLastOut, 0.2, 0.0), seed);
            assert_eq!(other, s);
        }
    }

    /// Two positives at the same latest time: which one is held out is a fair draw of the
    /// seed, the same for one seed every time.
    fn tie_frequency(method: SplitMethod, test: f64) -> usize {
        // Items 0 and 1 both at the latest time, 2..5 earlier; item 0 has the lower id, the
        // one a sort by (time, item) would always have put first.
        let data = data_of(&[&[(2, 1), (3, 2), (4, 3), (5, 4), (0, 9), (1, 9)]]);
        let spec = spec(method, test, 0.0);
        let mut item_1_held_out = 0;
        for seed in 0..400 {
            let s = split(&data, &spec, seed);
            assert_eq!(s, split(&data, &spec, seed), "seed {seed} must reproduce");
            assert_eq!(s.test[0].len(), 1);
            assert!(
                s.test[0][0] <= 1,
                "a tie at the latest time: {:?}",
                s.test[0]
            );
            item_1_held_out += usize::from(s.test[0] == [1]);
        }
        item_1_held_out
    }

    #[test]
    fn ties_in_time_are_broken_by_the_seed_not_the_item_id() {
        // 400 fair draws: 200 ± 10 σ is about ±100; a bias toward either id fails.
        for (method, test) in [
            (SplitMethod::LeaveLastOut, 0.0),
            (SplitMethod::Temporal, 1.0 / 6.0),
        ] {
            let n = tie_frequency(method, test);
            assert!(
                (150..=250).contains(&n),
                "{method}: item 1 held out {n}/400"
            );
        }
    }

    #[test]
    fn global_cut_is_the_closest_share_and_never_splits_a_tie() {
        // Ten distinct times: the cut leaves exactly round(n · share) after it.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(global_cut(&ten, 0.2), Some(8));
        assert_eq!(global_cut(&ten, 0.3), Some(7));
        // 2.5 wanted: 2 and 3 are as close; the later cut (2 held out) wins.
        assert_eq!(global_cut(&ten, 0.25), Some(8));
        // At least one held out, at least one left.
        assert_eq!(global_cut(&ten, 0.01), Some(9));
        assert_eq!(global_cut(&ten, 0.99), Some(1));
        assert_eq!(global_cut(&ten, 0.0), None);
        // Ties: times 1 1 2 2 2 2 3 3 3 3 — two wanted after the cut; the options are 8
        // (after 1), 4 (after 2) and none (after 3, the latest, not allowed). 4 is closest.
        let tied = [1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
        assert_eq!(global_cut(&tied, 0.2), Some(2));
        // Seven wanted: 8 (after 1) is closer than 4.
        assert_eq!(global_cut(&tied, 0.7), Some(1));
        // One time for all: no cut.
        assert_eq!(global_cut(&[5, 5, 5], 0.5), None);
        assert_eq!(global_cut(&[], 0.5), None);
    }

    #[test]
    fn temporal_global_cuts_everyone_at_one_time() {
        // Times 1..=10 over three users; test 0.2 cuts after 8, validation 0.25 of the
        // remaining eight (two) cuts after 6.
        let data = data_of(&[
            &[(0, 1), (1, 5), (2, 9)],
            &[(3, 2), (4, 3), (5, 4), (6, 7)],
            &[(7, 6), (8, 8), (9, 10)],
        ]);
        let spec = spec(SplitMethod::TemporalGlobal, 0.2, 0.25);
        let s = split(&data, &spec, 1);
        assert_eq!(parts(&s, 0), (vec![0, 1], vec![], vec![2]));
        assert_eq!(parts(&s, 1), (vec![3, 4, 5], vec![6], vec![]));
        assert_eq!(parts(&s, 2), (vec![7], vec![8], vec![9]));
        assert_partitions(&s, &data);
        // The cut depends on the data alone.
        assert_eq!(split(&data, &spec, 2), s);
    }

    #[test]
    fn temporal_global_keeps_ties_together_and_may_empty_a_users_train() {
        // Times: user 0 at 1, 2; user 1 at 3, 3; user 2 at 3, 3. One wanted after the cut of
        // six: cutting after 2 holds out four, after 1 five; the latest time (3) cannot be the
        // cut. After 2 is closest: the four positives at time 3 go together.
        let data = data_of(&[&[(0, 1), (1, 2)], &[(2, 3), (3, 3)], &[(4, 3), (5, 3)]]);
        let s = split(&data, &spec(SplitMethod::TemporalGlobal, 0.1, 0.0), 0);
        assert_eq!(parts(&s, 0), (vec![0, 1], vec![], vec![]));
        assert_eq!(parts(&s, 1), (vec![], vec![], vec![2, 3]));
        assert_eq!(parts(&s, 2), (vec![], vec![], vec![4, 5]));
        assert_partitions(&s, &data);
    }

    #[test]
    #[should_panic(expected = "without timestamps")]
    fn a_time_ordered_split_of_untimed_data_panics() {
        let mut data = toy(&[3]);
        for p in &mut data.positives {
            p.timestamp = None;
        }
        split(&data, &spec(SplitMethod::LeaveLastOut, 0.0, 0.0), 0);
    }
}

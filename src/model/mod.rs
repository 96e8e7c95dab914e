//! The recommender models: every one scores a (user, item) pair as the dot product of a user
//! and an item representation plus an item bias, optionally with the two-task heads (a
//! relevance head `W_r` and a diversity head `W_d` over the shared representations). What
//! differs is how the representations are made from the id embeddings:
//!
//! - `mf`: they are the id embeddings;
//! - `two_tower` ([`towers`]): plus a projection of the item's content, and of the mean content
//!   of the user's training items;
//! - `lightgcn` ([`graph`]): propagated over the normalised user–item graph, layers averaged.
//!
//! The training loop sees one [`Scores`] interface (a [`Scorer`], representations computed
//! once per step), and evaluation one [`HostWeights`] (the final representations), so it has
//! no branch per model, and every regulariser and re-ranker works with every model.
//!
//! Weights are initialised here from the run's own RNG (not burn's process-global seed, and
//! not lazily), so parallel runs with the same seed start from identical parameters.

pub mod graph;
pub mod towers;

use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::Rng;

pub use graph::Graph;
pub use towers::ContentTowers;

/// How a model makes its representations from the id embeddings (what
/// [`MatrixFactorizationConfig::init_with`] builds beside them).
#[derive(Debug, Clone, Copy)]
pub enum Structure<'a> {
    /// Matrix factorisation: the id embeddings themselves.
    Ids,
    /// Two towers over `content` (`[n_items × content_dim]`, row-major); `user_content` adds
    /// the user tower's content projection. `train` is each user's training items (whose mean
    /// content is the user's).
    Towers {
        content: &'a [f32],
        content_dim: usize,
        user_content: bool,
        train: &'a [Vec<u32>],
    },
    /// LightGCN over the graph of `train`'s positives, `layers` deep.
    Graph {
        train: &'a [Vec<u32>],
        layers: usize,
    },
}

/// The shape and initial spread of a [`MatrixFactorization`].
///
/// Built with named fields, not burn's `#[derive(Config)]`: its generated positional
/// `new(n_users, n_items, dim, …)` would let the two counts be swapped silently, which is what
/// this type exists to prevent. Nothing reads a model config back from disk (the run's
/// `config.yaml` records what it used), so burn's JSON save/load is not missed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatrixFactorizationConfig {
    pub n_users: usize,
    pub n_items: usize,
    /// Embedding dimension.
    pub dim: usize,
    /// Standard deviation of the normal the embeddings are drawn from.
    pub init_std: f64,
    /// Adds the two-task heads `W_r`, `W_d` (`[dim, dim]`, identity at the start).
    pub two_task: bool,
}

impl MatrixFactorizationConfig {
    /// Matrix factorisation: see [`Self::init_with`].
    pub fn init(&self, rng: &mut impl Rng, device: &Device) -> MatrixFactorization {
        self.init_with(rng, device, Structure::Ids)
    }

    /// Embeddings ~ N(0, init_std²), drawn from `rng` (user embeddings first, row by row, then
    /// item embeddings), biases zero; then what `structure` adds (drawn after them). The
    /// two-tower item id embeddings start at zero instead: an item is scored by its content
    /// until training moves its own embedding (a cold item's never moves).
    pub fn init_with(
        &self,
        rng: &mut impl Rng,
        device: &Device,
        structure: Structure<'_>,
    ) -> MatrixFactorization {
        let users = normal_matrix(self.n_users, self.dim, self.init_std, rng, device); // [n_users, dim]
        let items = normal_matrix(self.n_items, self.dim, self.init_std, rng, device); // [n_items, dim]
        let items = match structure {
            Structure::Towers { .. } => items.zeros_like(),
            _ => items,
        };
        let bias = Tensor::<1>::zeros([self.n_items], device); // [n_items]
        let (towers, graph) = match structure {
            Structure::Ids => (None, None),
            Structure::Towers {
                content,
                content_dim,
                user_content,
                train,
            } => (
                Some(ContentTowers::new(
                    content,
                    content_dim,
                    user_content.then_some(train),
                    self.dim,
                    self.init_std,
                    rng,
                    device,
                )),
                None,
            ),
            Structure::Graph { train, layers } => (
                None,
                Some(Graph::new(
                    self.n_users,
                    self.n_items,
                    train,
                    layers,
                    device,
                )),
            ),
        };
        let heads = self.two_task.then(|| TwoTaskHeads {
            relevance: Param::from_tensor(Tensor::eye(self.dim, device)), // [dim, dim]
            diversity: Param::from_tensor(Tensor::eye(self.dim, device)), // [dim, dim]
        });
        MatrixFactorization {
            user_embedding: Param::from_tensor(users),
            item_embedding: Param::from_tensor(items),
            item_bias: Param::from_tensor(bias),
            heads,
            towers,
            graph,
        }
    }
}

/// score(u, i) = ⟨p_u, q_i⟩ + b_i, or ⟨p_u W_r, q_i⟩ + b_i with the two-task heads, where
/// `p`, `q` are the model's representations of the ids' embeddings (themselves for MF).
#[derive(Module, Debug)]
pub struct MatrixFactorization {
    /// `[n_users, dim]`
    pub user_embedding: Param<Tensor<2>>,
    /// `[n_items, dim]`
    pub item_embedding: Param<Tensor<2>>,
    /// `[n_items]`
    pub item_bias: Param<Tensor<1>>,
    /// The two-task heads, when the method is `two_task`.
    pub heads: Option<TwoTaskHeads>,
    /// The two-tower model's content projections.
    pub towers: Option<ContentTowers>,
    /// LightGCN's graph (constants: no parameters of its own).
    #[module(skip)]
    pub graph: Option<Graph>,
}

/// The two heads over the shared embeddings: relevance `⟨p_u W_r, q_i⟩ + b_i` (what is
/// ranked) and diversity `⟨p_u W_d, q_i⟩` (trained on the diversity task only).
#[derive(Module, Debug)]
pub struct TwoTaskHeads {
    /// `W_r`, `[dim, dim]`
    pub relevance: Param<Tensor<2>>,
    /// `W_d`, `[dim, dim]`
    pub diversity: Param<Tensor<2>>,
}

/// The model's weights copied to the host, row-major, for evaluation on the CPU.
#[derive(Debug, Clone)]
pub struct HostWeights {
    pub dim: usize,
    /// `[n_users * dim]`
    pub users: Vec<f32>,
    /// `[n_items * dim]`
    pub items: Vec<f32>,
    /// `[n_items]`
    pub bias: Vec<f32>,
}

impl HostWeights {
    pub fn n_items(&self) -> usize {
        self.bias.len()
    }

    /// Scores of every item for `user`, written into `out` (`[n_items]`).
    pub fn score_user(&self, user: usize, out: &mut [f32]) {
        let d = self.dim;
        let p = &self.users[user * d..(user + 1) * d];
        for ((score, q), b) in out
            .iter_mut()
            .zip(self.items.chunks_exact(d))
            .zip(&self.bias)
        {
            *score = crate::linalg::dot(p, q) + b;
        }
    }

    /// What scores users in blocks: these weights with the item matrix transposed once
    /// (`[dim × n_items]`), so that each block's product reads it as it lies, where `Q`
    /// itself would be packed again for every block (measured: 26 ms against 33 ms to score
    /// MovieLens-1M's 6,040 users, the same values).
    pub fn block_scorer(&self) -> BlockScorer<'_> {
        let (d, n_items) = (self.dim, self.n_items());
        let mut items_t = vec![0f32; d * n_items];
        for (i, row) in self.items.chunks_exact(d.max(1)).enumerate() {
            for (k, &v) in row.iter().enumerate() {
                items_t[k * n_items + i] = v;
            }
        }
        BlockScorer {
            weights: self,
            items_t,
        }
    }
}

/// [`HostWeights`] with the item matrix transposed, for scoring users in blocks
/// ([`HostWeights::block_scorer`]).
pub struct BlockScorer<'w> {
    weights: &'w HostWeights,
    /// `Qᵀ`, `[dim × n_items]` row-major.
    items_t: Vec<f32>,
}

impl BlockScorer<'_> {
    /// Scores of every item for each of `users`, row by row, into `out` (resized to
    /// `[users.len() × n_items]`): the biases, and one matrix product `P_users Qᵀ` for the
    /// block added onto them. The same values as [`HostWeights::score_user`] up to the order
    /// of the sums.
    pub fn score_users(&self, users: &[usize], out: &mut Vec<f32>) {
        use crate::linalg::{Mat, Op, gemm};
        let w = self.weights;
        let (d, n_items) = (w.dim, w.n_items());
        let rows: Vec<f32> = users
            .iter()
            .flat_map(|&u| w.users[u * d..(u + 1) * d].iter())
            .copied()
            .collect();
        // The biases first, the product added onto them (`b + p·q` is `p·q + b`), without a
        // second pass over the block.
        out.clear();
        for _ in users {
            out.extend_from_slice(&w.bias);
        }
        gemm(
            Mat::new(&rows, users.len(), d),
            Op::Plain,
            Mat::new(&self.items_t, d, n_items),
            Op::Plain,
            out,
            true,
        );
    }
}

/// A standard normal draw (Box–Muller), so initialisation needs no extra crate.
fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn normal_matrix(
    rows: usize,
    cols: usize,
    std: f64,
    rng: &mut impl Rng,
    device: &Device,
) -> Tensor<2> {
    let values: Vec<f32> = (0..rows * cols)
        .map(|_| (standard_normal(rng) * std) as f32)
        .collect();
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// Indices as an `Int` tensor `[len]`.
pub fn index_tensor(indices: &[u32], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = indices.iter().map(|&i| i64::from(i)).collect();
    Tensor::from_data(TensorData::new(values, [indices.len()]), device)
}

/// What the training loop asks of a model: scores of given candidates, and scores of every
/// item, for given users.
pub trait Scores {
    /// # Shapes
    /// - users: `[batch]`, user indices
    /// - items: `[batch, n]`, item indices, `n` candidates per user
    /// - output: `[batch, n]`, the score of `items[b, j]` for `users[b]`
    fn candidate_scores(&self, users: Tensor<1, Int>, items: Tensor<2, Int>) -> Tensor<2>;

    /// # Shapes
    /// - users: `[u]`, user indices
    /// - output: `[u, n_items]`, row `r` the scores of every item for `users[r]`
    fn all_item_scores(&self, users: Tensor<1, Int>) -> Tensor<2>;
}

/// A model with its representations computed (once for a training step, however many times
/// it is scored: LightGCN propagates over the whole graph to make them).
pub struct Scorer<'a> {
    model: &'a MatrixFactorization,
    /// `[n_users, dim]`
    users: Tensor<2>,
    /// `[n_items, dim]`
    items: Tensor<2>,
}

impl Scores for Scorer<'_> {
    fn candidate_scores(&self, users: Tensor<1, Int>, items: Tensor<2, Int>) -> Tensor<2> {
        let p = self.user_rows(users); // [batch, dim]
        self.pair_scores(p, items, true)
    }

    fn all_item_scores(&self, users: Tensor<1, Int>) -> Tensor<2> {
        let p = self.user_rows(users); // [u, dim]
        let b = self.model.item_bias.val().unsqueeze_dim::<2>(0); // [1, n_items]
        p.matmul(self.items.clone().transpose()) + b // [u, n_items]
    }
}

impl Scorer<'_> {
    /// The diversity head's scores of given candidates, `⟨p_u W_d, q_i⟩` (no bias).
    ///
    /// # Shapes
    /// - users: `[batch]`; items: `[batch, n]`; output: `[batch, n]`
    ///
    /// # Panics
    /// Without the two-task heads (the training loop asks only for a two-task model).
    pub fn diversity_scores(&self, users: Tensor<1, Int>, items: Tensor<2, Int>) -> Tensor<2> {
        let heads = self.model.heads.as_ref().expect("a two-task model");
        let p = self.users.clone().select(0, users); // [batch, dim]
        let p = p.matmul(heads.diversity.val()); // [batch, dim]
        self.pair_scores(p, items, false)
    }

    /// The relevance head's user rows: `p_u`, or `p_u W_r` with the two-task heads.
    ///
    /// # Shapes
    /// - users: `[batch]`; output: `[batch, dim]`
    fn user_rows(&self, users: Tensor<1, Int>) -> Tensor<2> {
        let p = self.users.clone().select(0, users); // [batch, dim]
        match &self.model.heads {
            Some(heads) => p.matmul(heads.relevance.val()),
            None => p,
        }
    }

    /// `⟨p_b, q_items[b, j]⟩ (+ b_items[b, j])` for user rows `p` (`[batch, dim]`) and items
    /// `[batch, n]`: `[batch, n]`.
    fn pair_scores(&self, p: Tensor<2>, items: Tensor<2, Int>, with_bias: bool) -> Tensor<2> {
        let [batch, n] = items.dims();
        let dim = self.items.dims()[1];
        let flat = items.reshape([batch * n]); // [batch * n]
        let q = self
            .items
            .clone()
            .select(0, flat.clone())
            .reshape([batch, n, dim]); // [batch, n, dim]
        let dot = (q * p.unsqueeze_dim::<3>(1)).sum_dim(2).reshape([batch, n]); // [batch, n]
        if with_bias {
            dot + self
                .model
                .item_bias
                .val()
                .select(0, flat)
                .reshape([batch, n]) // [batch, n]
        } else {
            dot
        }
    }
}

impl MatrixFactorization {
    /// The model's representations, computed once for scoring.
    pub fn scorer(&self) -> Scorer<'_> {
        let (users, items) = self.representations();
        Scorer {
            model: self,
            users,
            items,
        }
    }

    /// User `[n_users, dim]` and item `[n_items, dim]` representations: the id embeddings,
    /// through the content towers (two-tower), propagated over the graph (LightGCN).
    fn representations(&self) -> (Tensor<2>, Tensor<2>) {
        let (p, q) = (self.user_embedding.val(), self.item_embedding.val());
        let (p, q) = match &self.towers {
            Some(t) => t.forward(p, q),
            None => (p, q),
        };
        match &self.graph {
            Some(g) => g.propagate(p, q),
            None => (p, q),
        }
    }

    /// The summed squared norms of the parameter rows a batch touches: each user's embedding
    /// `p_u`, and each candidate's embedding `q_i` and bias `b_i`, counted once per occurrence
    /// (a row touched twice counts twice, as its gradient does):
    /// `Σ_b ‖p_{users[b]}‖² + Σ_{b,j} (‖q_{items[b, j]}‖² + b_{items[b, j]}²)`.
    ///
    /// The raw embeddings, not `p_u W_r`: this is the L2 norm of the parameters. The two-task
    /// heads are not rows of the batch and are not included.
    ///
    /// # Shapes
    /// - users: `[batch]`; items: `[batch, n]` (the positive and its negatives); output: `[1]`
    pub fn batch_rows_squared_norm(
        &self,
        users: Tensor<1, Int>,
        items: Tensor<2, Int>,
    ) -> Tensor<1> {
        let [batch, n] = items.dims();
        let flat = items.reshape([batch * n]); // [batch * n]
        let p = self.user_embedding.val().select(0, users); // [batch, dim]
        let q = self.item_embedding.val().select(0, flat.clone()); // [batch * n, dim]
        let b = self.item_bias.val().select(0, flat); // [batch * n]
        p.square().sum() + q.square().sum() + b.square().sum() // [1]
    }

    /// Copies the representations the relevance score uses to the host (blocks on the
    /// device); with the two-task heads the user rows are `P W_r`, so evaluation scores as
    /// training ranks.
    pub fn host_weights(&self) -> HostWeights {
        let to_vec = |data: TensorData| {
            data.convert::<f32>()
                .try_into_vec::<f32>()
                .expect("f32 weights")
        };
        let (users, items) = self.representations();
        HostWeights {
            dim: self.user_embedding.dims()[1],
            users: to_vec(match &self.heads {
                Some(heads) => users.matmul(heads.relevance.val()).into_data(),
                None => users.into_data(),
            }),
            items: to_vec(items.into_data()),
            bias: to_vec(self.item_bias.val().into_data()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn config() -> MatrixFactorizationConfig {
        MatrixFactorizationConfig {
            n_users: 3,
            n_items: 5,
            dim: 4,
            init_std: 0.1,
            two_task: false,
        }
    }

    #[test]
    fn init_has_the_configured_shapes_and_is_reproducible_from_the_rng() {
        let device = Device::flex();
        let a = config()
            .init(&mut ChaCha8Rng::seed_from_u64(9), &device)
            .host_weights();
        let b = config()
            .init(&mut ChaCha8Rng::seed_from_u64(9), &device)
            .host_weights();
        assert_eq!((a.dim, a.users.len(), a.items.len()), (4, 3 * 4, 5 * 4));
        assert_eq!(a.bias, vec![0.0; 5]);
        assert_eq!((&a.users, &a.items), (&b.users, &b.items));
        // User rows are drawn first, then item rows, from the same stream.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let first = (standard_normal(&mut rng) * 0.1) as f32;
        assert_eq!(a.users[0], first);
    }

    #[test]
    fn candidate_and_all_item_scores_agree_with_host_scores() {
        let device = Device::flex();
        let model = config().init(&mut ChaCha8Rng::seed_from_u64(2), &device);
        let host = model.host_weights();
        let users = index_tensor(&[2, 0], &device); // [2]
        let items: Tensor<2, Int> =
            Tensor::from_data(TensorData::new(vec![4i64, 1, 0, 3], [2, 2]), &device); // [2, 2]
        let pairs = model
            .scorer()
            .candidate_scores(users.clone(), items)
            .try_into_vec_as::<f32>()
            .unwrap();
        let all = model
            .scorer()
            .all_item_scores(users)
            .try_into_vec_as::<f32>()
            .unwrap(); // [2, 5]
        let mut expected = vec![0f32; 5];
        for (row, (user, candidates)) in [(2usize, [4usize, 1]), (0, [0, 3])].iter().enumerate() {
            host.score_user(*user, &mut expected);
            for (j, &item) in candidates.iter().enumerate() {
                assert!((pairs[row * 2 + j] - expected[item]).abs() < 1e-6);
            }
            for item in 0..5 {
                assert!((all[row * 5 + item] - expected[item]).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn the_two_task_model_ranks_with_the_relevance_head_and_host_weights_agree() {
        let device = Device::flex();
        let two_task = MatrixFactorizationConfig {
            two_task: true,
            ..config()
        };
        let mut model = two_task.init(&mut ChaCha8Rng::seed_from_u64(3), &device);
        // Identity heads at the start: the same scores as plain MF from the same draw.
        let plain = config().init(&mut ChaCha8Rng::seed_from_u64(3), &device);
        assert_eq!(model.host_weights().users, plain.host_weights().users);
        // A non-trivial W_r: the candidate and all-item scores and the host copy must all use it.
        let heads = model.heads.take().unwrap();
        let w: Vec<f32> = (0..16).map(|v| (v as f32 - 7.0) / 10.0).collect();
        model.heads = Some(TwoTaskHeads {
            relevance: Param::from_tensor(Tensor::from_data(TensorData::new(w, [4, 4]), &device)),
            diversity: heads.diversity,
        });
        let host = model.host_weights();
        let users = index_tensor(&[1], &device);
        let items: Tensor<2, Int> =
            Tensor::from_data(TensorData::new(vec![3i64, 0], [1, 2]), &device);
        let pairs = model
            .scorer()
            .candidate_scores(users.clone(), items.clone())
            .try_into_vec_as::<f32>()
            .unwrap();
        let all = model
            .scorer()
            .all_item_scores(users.clone())
            .try_into_vec_as::<f32>()
            .unwrap();
        let mut expected = vec![0f32; 5];
        host.score_user(1, &mut expected);
        assert!((pairs[0] - expected[3]).abs() < 1e-5 && (pairs[1] - expected[0]).abs() < 1e-5);
        for item in 0..5 {
            assert!((all[item] - expected[item]).abs() < 1e-5);
        }
        // The diversity head (identity) scores plain dot products, without the bias.
        let div = model
            .scorer()
            .diversity_scores(users, items)
            .try_into_vec_as::<f32>()
            .unwrap();
        let unit = plain.host_weights();
        let dot = |u: usize, i: usize| -> f32 {
            (0..4)
                .map(|d| unit.users[u * 4 + d] * unit.items[i * 4 + d])
                .sum()
        };
        assert!((div[0] - dot(1, 3)).abs() < 1e-5 && (div[1] - dot(1, 0)).abs() < 1e-5);
    }

    #[test]
    fn batch_rows_squared_norm_sums_each_touched_row_once_per_occurrence() {
        let device = Device::flex();
        let mut model = MatrixFactorizationConfig {
            n_users: 2,
            n_items: 3,
            dim: 2,
            init_std: 0.1,
            two_task: false,
        }
        .init(&mut ChaCha8Rng::seed_from_u64(1), &device);
        let matrix = |v: Vec<f32>, rows: usize| {
            Param::from_tensor(Tensor::<2>::from_data(
                TensorData::new(v, [rows, 2]),
                &device,
            ))
        };
        // p_0 = (1, 2), p_1 = (3, 0); q_0 = (1, 0), q_1 = (0, 3), q_2 = (2, 2);
        // b = (0.5, −1, 0).
        model.user_embedding = matrix(vec![1.0, 2.0, 3.0, 0.0], 2);
        model.item_embedding = matrix(vec![1.0, 0.0, 0.0, 3.0, 2.0, 2.0], 3);
        model.item_bias = Param::from_tensor(Tensor::<1>::from_floats([0.5, -1.0, 0.0], &device));
        let items = |v: Vec<i64>, rows: usize, n: usize| {
            Tensor::<2, Int>::from_data(TensorData::new(v, [rows, n]), &device)
        };
        let norm = |users: &[u32], candidates: Tensor<2, Int>| {
            f64::from(
                model
                    .batch_rows_squared_norm(index_tensor(users, &device), candidates)
                    .into_scalar::<f32>(),
            )
        };
        // User 0 with candidates (0, 2): ‖p_0‖² = 5, ‖q_0‖² + b_0² = 1 + 0.25,
        // ‖q_2‖² + b_2² = 8 + 0: 14.25.
        assert!((norm(&[0], items(vec![0, 2], 1, 2)) - 14.25).abs() < 1e-5);
        // Users 0 and 0 again, candidates (0, 2) and (1, 1): 5 + 5 + 1.25 + 8 + 2 · (9 + 1)
        // = 39.25; user 1, whom the batch does not touch, counts nothing.
        assert!((norm(&[0, 0], items(vec![0, 2, 1, 1], 2, 2)) - 39.25).abs() < 1e-5);
        // User 1 (‖p_1‖² = 9) with item 1 alone: 9 + 10 = 19.
        assert!((norm(&[1], items(vec![1], 1, 1)) - 19.0).abs() < 1e-5);
    }
}

#[cfg(test)]
mod structure_tests {
    //! Every model scores in training as evaluation scores its host weights: the candidate
    //! and all-item scores of the [`Scorer`] equal the dot products of [`HostWeights`].
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const USERS: usize = 4;
    const ITEMS: usize = 6;

    fn train() -> Vec<Vec<u32>> {
        vec![vec![0, 1], vec![1, 2, 5], vec![], vec![3]]
    }

    fn content() -> Vec<f32> {
        (0..ITEMS * 3).map(|i| ((i * 5) % 7) as f32 / 7.0).collect()
    }

    fn model(structure: Structure<'_>, device: &Device) -> MatrixFactorization {
        MatrixFactorizationConfig {
            n_users: USERS,
            n_items: ITEMS,
            dim: 4,
            init_std: 0.3,
            two_task: false,
        }
        .init_with(&mut ChaCha8Rng::seed_from_u64(2), device, structure)
    }

    fn tower_structure<'a>(c: &'a [f32], t: &'a [Vec<u32>]) -> Structure<'a> {
        Structure::Towers {
            content: c,
            content_dim: 3,
            user_content: true,
            train: t,
        }
    }

    fn check_scores_match_host_weights(m: &MatrixFactorization, device: &Device) {
        let w = m.host_weights();
        let users = index_tensor(&[3, 0, 2], device);
        let all = m
            .scorer()
            .all_item_scores(users.clone())
            .try_into_vec_as::<f32>()
            .unwrap();
        let mut host = vec![0.0; ITEMS];
        for (r, u) in [3usize, 0, 2].into_iter().enumerate() {
            w.score_user(u, &mut host);
            for (i, h) in host.iter().enumerate() {
                assert!((all[r * ITEMS + i] - h).abs() < 1e-5, "user {u} item {i}");
            }
        }
        let items =
            Tensor::<2, Int>::from_data(TensorData::new(vec![5i64, 1, 0, 2, 4, 3], [3, 2]), device);
        let pairs = m
            .scorer()
            .candidate_scores(users, items)
            .try_into_vec_as::<f32>()
            .unwrap();
        for (k, (u, i)) in [(3, 5), (3, 1), (0, 0), (0, 2), (2, 4), (2, 3)]
            .into_iter()
            .enumerate()
        {
            w.score_user(u, &mut host);
            assert!((pairs[k] - host[i]).abs() < 1e-5, "pair ({u}, {i})");
        }
    }

    #[test]
    fn lightgcn_and_two_towers_score_in_training_as_in_evaluation() {
        let device = Device::flex();
        let t = train();
        let c = content();
        check_scores_match_host_weights(&model(Structure::Ids, &device), &device);
        check_scores_match_host_weights(
            &model(
                Structure::Graph {
                    train: &t,
                    layers: 2,
                },
                &device,
            ),
            &device,
        );
        let towers = model(tower_structure(&c, &t), &device);
        check_scores_match_host_weights(&towers, &device);
        // The item id embeddings start at zero: an item is its content's projection.
        let w = towers.host_weights();
        let proj = towers.towers.as_ref().unwrap().item_projection.val();
        let expect = Tensor::<2>::from_data(TensorData::new(c.clone(), [ITEMS, 3]), &device)
            .matmul(proj)
            .try_into_vec_as::<f32>()
            .unwrap();
        for (a, b) in w.items.iter().zip(&expect) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    /// The towers' projections and every id embedding LightGCN propagates get gradients.
    #[test]
    fn the_structures_parameters_are_trained() {
        let device = Device::flex().autodiff();
        let t = train();
        let c = content();
        let users = || index_tensor(&[0, 1], &device);
        let items =
            || Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 3, 2, 0], [2, 2]), &device);
        let towers = model(tower_structure(&c, &t), &device);
        let grads = towers
            .scorer()
            .candidate_scores(users(), items())
            .sum()
            .backward();
        let tw = towers.towers.as_ref().unwrap();
        for (name, g) in [
            ("W_item", tw.item_projection.grad(&grads)),
            ("W_user", tw.user_projection.as_ref().unwrap().grad(&grads)),
        ] {
            let g = g.unwrap_or_else(|| panic!("{name} has no gradient"));
            assert!(g.abs().sum().into_scalar::<f32>() > 0.0, "{name}");
        }
        // LightGCN: user 3 likes item 3 only, and item 3 is a candidate of user 0, so that
        // score takes user 3's embedding through one propagation step.
        let graph = model(
            Structure::Graph {
                train: &t,
                layers: 2,
            },
            &device,
        );
        let grads = graph
            .scorer()
            .candidate_scores(users(), items())
            .sum()
            .backward();
        let g = graph
            .user_embedding
            .grad(&grads)
            .unwrap()
            .try_into_vec_as::<f32>()
            .unwrap();
        assert!(
            g[3 * 4..4 * 4].iter().any(|v| *v != 0.0),
            "user 3 is not in the batch but its embedding is propagated"
        );
    }
}

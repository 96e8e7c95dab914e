//! The recommender model: matrix factorisation with an item bias.
//!
//! Weights are initialised here from the run's own RNG (not burn's process-global seed, and
//! not lazily), so parallel runs with the same seed start from identical parameters.

use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::Rng;

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
}

impl MatrixFactorizationConfig {
    /// Embeddings ~ N(0, init_std²), drawn from `rng` (user embeddings first, row by row, then
    /// item embeddings), biases zero.
    pub fn init(&self, rng: &mut impl Rng, device: &Device) -> MatrixFactorization {
        let users = normal_matrix(self.n_users, self.dim, self.init_std, rng, device); // [n_users, dim]
        let items = normal_matrix(self.n_items, self.dim, self.init_std, rng, device); // [n_items, dim]
        let bias = Tensor::<1>::zeros([self.n_items], device); // [n_items]
        MatrixFactorization {
            user_embedding: Param::from_tensor(users),
            item_embedding: Param::from_tensor(items),
            item_bias: Param::from_tensor(bias),
        }
    }
}

/// score(u, i) = ⟨p_u, q_i⟩ + b_i
#[derive(Module, Debug)]
pub struct MatrixFactorization {
    /// `[n_users, dim]`
    pub user_embedding: Param<Tensor<2>>,
    /// `[n_items, dim]`
    pub item_embedding: Param<Tensor<2>>,
    /// `[n_items]`
    pub item_bias: Param<Tensor<1>>,
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
            *score = p.iter().zip(q).map(|(a, b)| a * b).sum::<f32>() + b;
        }
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

impl MatrixFactorization {
    /// Scores of given (user, item) candidates.
    ///
    /// # Shapes
    /// - users: `[batch]`, user indices
    /// - items: `[batch, n]`, item indices, `n` candidates per user
    /// - output: `[batch, n]`, the score of `items[b, j]` for `users[b]`
    pub fn forward(&self, users: Tensor<1, Int>, items: Tensor<2, Int>) -> Tensor<2> {
        let [batch, n] = items.dims();
        let dim = self.user_embedding.dims()[1];
        let p = self.user_embedding.val().select(0, users); // [batch, dim]
        let flat = items.reshape([batch * n]); // [batch * n]
        let q = self
            .item_embedding
            .val()
            .select(0, flat.clone())
            .reshape([batch, n, dim]); // [batch, n, dim]
        let b = self.item_bias.val().select(0, flat).reshape([batch, n]); // [batch, n]
        let dot = (q * p.unsqueeze_dim::<3>(1)).sum_dim(2).reshape([batch, n]); // [batch, n]
        dot + b
    }

    /// Scores of every item for the given users.
    ///
    /// # Shapes
    /// - users: `[u]`, user indices
    /// - output: `[u, n_items]`, row `r` the scores of every item for `users[r]`
    pub fn forward_all_items(&self, users: Tensor<1, Int>) -> Tensor<2> {
        let p = self.user_embedding.val().select(0, users); // [u, dim]
        let q = self.item_embedding.val(); // [n_items, dim]
        let b = self.item_bias.val().unsqueeze_dim::<2>(0); // [1, n_items]
        p.matmul(q.transpose()) + b // [u, n_items]
    }

    /// Copies the weights to the host (blocks on the device).
    pub fn host_weights(&self) -> HostWeights {
        let to_vec = |data: TensorData| {
            data.convert::<f32>()
                .try_into_vec::<f32>()
                .expect("f32 weights")
        };
        HostWeights {
            dim: self.user_embedding.dims()[1],
            users: to_vec(self.user_embedding.val().into_data()),
            items: to_vec(self.item_embedding.val().into_data()),
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
    fn forward_and_forward_all_items_agree_with_host_scores() {
        let device = Device::flex();
        let model = config().init(&mut ChaCha8Rng::seed_from_u64(2), &device);
        let host = model.host_weights();
        let users = index_tensor(&[2, 0], &device); // [2]
        let items: Tensor<2, Int> =
            Tensor::from_data(TensorData::new(vec![4i64, 1, 0, 3], [2, 2]), &device); // [2, 2]
        let pairs = model
            .forward(users.clone(), items)
            .try_into_vec_as::<f32>()
            .unwrap();
        let all = model
            .forward_all_items(users)
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
}

//! The recommender model: matrix factorisation with an item bias.
//!
//! Weights are initialised here from the run's own RNG (not burn's process-global seed, and
//! not lazily), so parallel runs with the same seed start from identical parameters.

use burn::module::{Module, Param};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::Rng;

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
    /// Embeddings ~ N(0, std²), biases zero, drawn from `rng`.
    pub fn init(
        n_users: usize,
        n_items: usize,
        dim: usize,
        std: f64,
        rng: &mut impl Rng,
        device: &Device,
    ) -> Self {
        let users = normal_matrix(n_users, dim, std, rng, device);
        let items = normal_matrix(n_items, dim, std, rng, device);
        let bias = Tensor::<1>::zeros([n_items], device);
        Self {
            user_embedding: Param::from_tensor(users),
            item_embedding: Param::from_tensor(items),
            item_bias: Param::from_tensor(bias),
        }
    }

    /// Scores of given (user, item) candidates.
    ///
    /// # Shapes
    /// - users: `[batch]`
    /// - items: `[batch, n]` (n candidates per user)
    /// - output: `[batch, n]`
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
    /// - users: `[u]`
    /// - output: `[u, n_items]`
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

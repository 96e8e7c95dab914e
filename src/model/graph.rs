//! LightGCN's propagation (He et al. 2020, "LightGCN: Simplifying and Powering Graph
//! Convolution Network for Recommendation"): the user and item embeddings `E⁽⁰⁾` are
//! propagated `K` times over the symmetric-normalised adjacency of the user–item graph of the
//! training positives, `E⁽ᵏ⁺¹⁾ = Â E⁽ᵏ⁾` with `Â_ui = 1 / √(|N_u| |N_i|)`, and the
//! representation is the layers' mean `(E⁽⁰⁾ + … + E⁽ᴷ⁾) / (K + 1)` (the paper's α_k = 1/(K+1)).
//! No feature transformation, no non-linearity.
//!
//! `Â E` is a gather of each edge's source row, scaled by its weight, and a scatter-add into
//! its target row: burn's `select` and `select_assign(…, Add)`, which run (and differentiate)
//! on every backend, wgpu and the CPU.

use burn::tensor::IndexingUpdateOp;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// The graph's edges, both directions, as constants on the model's device. Nodes are the
/// users `0..n_users`, then the items `n_users..n_users + n_items`.
#[derive(Debug, Clone)]
pub struct Graph {
    /// `[edges]`: each directed edge's source node.
    src: Tensor<1, Int>,
    /// `[edges]`: its target node.
    dst: Tensor<1, Int>,
    /// `[edges, 1]`: `1 / √(deg(src) · deg(dst))`.
    weight: Tensor<2>,
    n_users: usize,
    n_items: usize,
    layers: usize,
}

/// The directed edges of the graph of `train` (user → item and item → user for each positive)
/// with their normalised weights, in the order: each user's items, then the reverse edges.
pub fn edges(n_users: usize, n_items: usize, train: &[Vec<u32>]) -> (Vec<i64>, Vec<i64>, Vec<f32>) {
    let mut item_degree = vec![0u32; n_items];
    for items in train {
        for &i in items {
            item_degree[i as usize] += 1;
        }
    }
    let nnz: usize = train.iter().map(Vec::len).sum();
    let (mut src, mut dst, mut weight) = (
        Vec::with_capacity(2 * nnz),
        Vec::with_capacity(2 * nnz),
        Vec::with_capacity(2 * nnz),
    );
    for direction in 0..2 {
        for (u, items) in train.iter().enumerate() {
            for &i in items {
                let w = 1.0 / (items.len() as f64 * f64::from(item_degree[i as usize])).sqrt();
                let (user_node, item_node) = (u as i64, (n_users + i as usize) as i64);
                let (from, to) = if direction == 0 {
                    (user_node, item_node)
                } else {
                    (item_node, user_node)
                };
                src.push(from);
                dst.push(to);
                weight.push(w as f32);
            }
        }
    }
    (src, dst, weight)
}

impl Graph {
    /// The graph of `train`'s positives (each user's training items), `layers` deep.
    pub fn new(
        n_users: usize,
        n_items: usize,
        train: &[Vec<u32>],
        layers: usize,
        device: &Device,
    ) -> Self {
        let (src, dst, weight) = edges(n_users, n_items, train);
        let n = src.len();
        Self {
            src: Tensor::from_data(TensorData::new(src, [n]), device),
            dst: Tensor::from_data(TensorData::new(dst, [n]), device),
            weight: Tensor::from_data(TensorData::new(weight, [n, 1]), device),
            n_users,
            n_items,
            layers,
        }
    }

    /// Directed edges (twice the positives).
    pub fn edges(&self) -> usize {
        self.src.dims()[0]
    }

    /// The layer mean of the propagated embeddings.
    ///
    /// # Shapes
    /// - users: `[n_users, dim]`; items: `[n_items, dim]`
    /// - output: the same shapes
    pub fn propagate(&self, users: Tensor<2>, items: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let dim = users.dims()[1];
        let nodes = self.n_users + self.n_items;
        let mut layer = Tensor::cat(vec![users, items], 0); // [nodes, dim]
        let mut sum = layer.clone();
        for _ in 0..self.layers {
            let messages = layer.select(0, self.src.clone()) * self.weight.clone(); // [edges, dim]
            layer = Tensor::<2>::zeros([nodes, dim], &messages.device()).select_assign(
                0,
                self.dst.clone(),
                messages,
                IndexingUpdateOp::Add,
            ); // [nodes, dim]
            sum = sum + layer.clone();
        }
        let mean = sum / (self.layers as f64 + 1.0); // [nodes, dim]
        (
            mean.clone().slice([0..self.n_users, 0..dim]),
            mean.slice([self.n_users..nodes, 0..dim]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: Tensor<2>) -> Vec<Vec<f32>> {
        let [r, c] = t.dims();
        let v = t.try_into_vec_as::<f32>().unwrap();
        (0..r).map(|i| v[i * c..(i + 1) * c].to_vec()).collect()
    }

    /// Two users, three items: user 0 likes items 0 and 1, user 1 likes item 1. Degrees:
    /// users 2, 1; items 1, 2, 0. One layer by hand: Â E for 1-d embeddings
    /// e_u0 = 1, e_u1 = 2, e_i0 = 3, e_i1 = 4, e_i2 = 5:
    /// u0 ← e_i0/√(2·1) + e_i1/√(2·2) = 3/√2 + 2; u1 ← e_i1/√(1·2) = 4/√2;
    /// i0 ← e_u0/√2 = 1/√2; i1 ← e_u0/√4 + e_u1/√2 = 0.5 + 2/√2; i2 ← 0 (no edge).
    /// The representation is (E⁰ + E¹) / 2.
    #[test]
    fn one_layer_is_the_normalised_adjacency_by_hand() {
        let device = Device::flex();
        let train = vec![vec![0, 1], vec![1]];
        let g = Graph::new(2, 3, &train, 1, &device);
        assert_eq!(g.edges(), 6);
        let users = Tensor::<2>::from_floats([[1.0], [2.0]], &device);
        let items = Tensor::<2>::from_floats([[3.0], [4.0], [5.0]], &device);
        let (u, i) = g.propagate(users, items);
        let r2 = std::f32::consts::SQRT_2;
        let expect_u = [(1.0 + 3.0 / r2 + 2.0) / 2.0, (2.0 + 4.0 / r2) / 2.0];
        let expect_i = [
            (3.0 + 1.0 / r2) / 2.0,
            (4.0 + 0.5 + 2.0 / r2) / 2.0,
            5.0 / 2.0,
        ];
        for (got, want) in rows(u).iter().zip(expect_u) {
            assert!((got[0] - want).abs() < 1e-5, "{got:?} vs {want}");
        }
        for (got, want) in rows(i).iter().zip(expect_i) {
            assert!((got[0] - want).abs() < 1e-5, "{got:?} vs {want}");
        }
    }

    /// K layers against a dense Â built independently: the mean of Âᵏ E over k = 0..K.
    #[test]
    fn k_layers_match_dense_powers_of_the_adjacency() {
        let device = Device::flex();
        let train = vec![vec![0, 2, 3], vec![1], vec![0, 1, 2], vec![]];
        let (n_users, n_items, dim, layers) = (4, 4, 3, 3);
        let n = n_users + n_items;
        // Dense Â.
        let mut a = vec![vec![0.0f64; n]; n];
        let mut deg = vec![0.0f64; n];
        for (u, items) in train.iter().enumerate() {
            for &i in items {
                deg[u] += 1.0;
                deg[n_users + i as usize] += 1.0;
            }
        }
        for (u, items) in train.iter().enumerate() {
            for &i in items {
                let j = n_users + i as usize;
                let w = 1.0 / (deg[u] * deg[j]).sqrt();
                a[u][j] = w;
                a[j][u] = w;
            }
        }
        let e0: Vec<Vec<f64>> = (0..n)
            .map(|r| {
                (0..dim)
                    .map(|c| ((r * 7 + c * 3) % 5) as f64 - 2.0)
                    .collect()
            })
            .collect();
        let mut layer = e0.clone();
        let mut sum = e0.clone();
        for _ in 0..layers {
            layer = (0..n)
                .map(|r| {
                    (0..dim)
                        .map(|c| (0..n).map(|k| a[r][k] * layer[k][c]).sum())
                        .collect()
                })
                .collect();
            for r in 0..n {
                for c in 0..dim {
                    sum[r][c] += layer[r][c];
                }
            }
        }
        let flat =
            |rows: &[Vec<f64>]| -> Vec<f32> { rows.iter().flatten().map(|&v| v as f32).collect() };
        let users = Tensor::<2>::from_data(
            TensorData::new(flat(&e0[..n_users]), [n_users, dim]),
            &device,
        );
        let items = Tensor::<2>::from_data(
            TensorData::new(flat(&e0[n_users..]), [n_items, dim]),
            &device,
        );
        let g = Graph::new(n_users, n_items, &train, layers, &device);
        let (u, i) = g.propagate(users, items);
        let got: Vec<Vec<f32>> = rows(u).into_iter().chain(rows(i)).collect();
        for r in 0..n {
            for c in 0..dim {
                let want = sum[r][c] / (layers as f64 + 1.0);
                assert!(
                    (f64::from(got[r][c]) - want).abs() < 1e-4,
                    "node {r}, {c}: {} vs {want}",
                    got[r][c]
                );
            }
        }
    }
}

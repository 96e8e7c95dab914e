//! The two-tower model's content projections: an item's representation is its id embedding
//! plus `c_i W_item` (its content vector `c_i`, `[content_dim]`, projected to `[dim]`), and a
//! user's is their id embedding plus `c̄_u W_user`, the mean content of their training items
//! projected (when `model.content.user_content`).
//!
//! The content is a constant of the model (what the data says of the items); `W_item` and
//! `W_user` are trained. Items without training interactions (cold items) keep an id
//! embedding of zero and are scored through their content alone.

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;

/// The content constants: the items' content and the users' mean content.
#[derive(Debug, Clone)]
pub struct Content {
    /// `[n_items, content_dim]`
    items: Tensor<2>,
    /// `[n_users, content_dim]`, with the user tower's content.
    users: Option<Tensor<2>>,
}

#[derive(Module, Debug)]
pub struct ContentTowers {
    /// `W_item`, `[content_dim, dim]`
    pub item_projection: Param<Tensor<2>>,
    /// `W_user`, `[content_dim, dim]`, with the user tower's content.
    pub user_projection: Option<Param<Tensor<2>>>,
    #[module(skip)]
    content: Content,
}

/// Each user's mean content over their training items (`[n_users × content_dim]`; a user
/// without training items has zeros).
pub fn user_means(content: &[f32], content_dim: usize, train: &[Vec<u32>]) -> Vec<f32> {
    let mut out = vec![0.0f32; train.len() * content_dim];
    for (u, items) in train.iter().enumerate() {
        if items.is_empty() {
            continue;
        }
        let row = &mut out[u * content_dim..(u + 1) * content_dim];
        for &i in items {
            let c = &content[i as usize * content_dim..(i as usize + 1) * content_dim];
            for (r, v) in row.iter_mut().zip(c) {
                *r += v;
            }
        }
        let n = items.len() as f32;
        row.iter_mut().for_each(|r| *r /= n);
    }
    out
}

impl ContentTowers {
    /// The projections ~ N(0, init_std²) (so that a unit-norm content vector's projection has
    /// the spread of an id embedding), drawn from `rng`: `W_item`, then `W_user`.
    pub fn new(
        content: &[f32],
        content_dim: usize,
        user_train: Option<&[Vec<u32>]>,
        dim: usize,
        init_std: f64,
        rng: &mut impl Rng,
        device: &Device,
    ) -> Self {
        let n_items = content.len() / content_dim.max(1);
        let item_projection = super::normal_matrix(content_dim, dim, init_std, rng, device);
        let user_projection = user_train.map(|_| {
            Param::from_tensor(super::normal_matrix(
                content_dim,
                dim,
                init_std,
                rng,
                device,
            ))
        });
        let items = Tensor::from_data(
            TensorData::new(content.to_vec(), [n_items, content_dim]),
            device,
        );
        let users = user_train.map(|train| {
            Tensor::from_data(
                TensorData::new(
                    user_means(content, content_dim, train),
                    [train.len(), content_dim],
                ),
                device,
            )
        });
        Self {
            item_projection: Param::from_tensor(item_projection),
            user_projection,
            content: Content { items, users },
        }
    }

    /// The towers' representations.
    ///
    /// # Shapes
    /// - users: `[n_users, dim]`; items: `[n_items, dim]` (the id embeddings)
    /// - output: the same shapes
    pub fn forward(&self, users: Tensor<2>, items: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let items = items
            + self
                .content
                .items
                .clone()
                .matmul(self.item_projection.val()); // [n_items, dim]
        let users = match (&self.user_projection, &self.content.users) {
            (Some(w), Some(c)) => users + c.clone().matmul(w.val()), // [n_users, dim]
            _ => users,
        };
        (users, items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_content_is_the_mean_of_their_training_items() {
        // Three items of content dimension 2; user 0 has items 0 and 2, user 1 none.
        let content = [1.0, 0.0, 0.0, 1.0, 0.5, 0.5];
        let means = user_means(&content, 2, &[vec![0, 2], vec![]]);
        assert_eq!(means, vec![0.75, 0.25, 0.0, 0.0]);
    }
}

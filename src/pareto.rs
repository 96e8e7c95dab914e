//! The Pareto front of a relevance/diversity trade-off, shared by the plots and the workbench.

use crate::metrics::Direction;

/// Indices of the points on the Pareto front when `x` and `y` are better in their metrics'
/// directions (e.g. a Gini axis is better when lower), ordered by ascending raw `x`.
pub fn pareto_front_oriented(points: &[(f64, f64)], x: Direction, y: Direction) -> Vec<usize> {
    let oriented: Vec<(f64, f64)> = points
        .iter()
        .map(|&(px, py)| (x.orient(px), y.orient(py)))
        .collect();
    let mut front = pareto_front(&oriented);
    front.sort_by(|&a, &b| {
        points[a]
            .0
            .total_cmp(&points[b].0)
            .then(points[b].1.total_cmp(&points[a].1))
    });
    front
}

/// Indices of the points on the Pareto front when both coordinates are to be maximised,
/// ordered by ascending `x` (so they can be joined by a line).
///
/// A point is on the front when no other point is at least as good in both coordinates and
/// strictly better in one. Exact duplicates are both kept. Points with a non-finite
/// coordinate are never on the front.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let finite = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    let dominated = |i: usize| {
        let (xi, yi) = points[i];
        points.iter().enumerate().any(|(j, &(xj, yj))| {
            j != i && finite(&points[j]) && xj >= xi && yj >= yi && (xj > xi || yj > yi)
        })
    };
    let mut front: Vec<usize> = (0..points.len())
        .filter(|&i| finite(&points[i]) && !dominated(i))
        .collect();
    front.sort_by(|&a, &b| {
        points[a]
            .0
            .total_cmp(&points[b].0)
            .then(points[b].1.total_cmp(&points[a].1))
    });
    front
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_of_a_small_sweep_by_hand() {
        // (coverage, ndcg): λ=0 (0.2, 0.30), λ=0.1 (0.3, 0.28), λ=0.3 (0.25, 0.20) is
        // dominated by λ=0.1, λ=1 (0.5, 0.15).
        let pts = [(0.2, 0.30), (0.3, 0.28), (0.25, 0.20), (0.5, 0.15)];
        assert_eq!(pareto_front(&pts), vec![0, 1, 3]);
    }

    #[test]
    fn duplicates_ties_and_nan() {
        assert_eq!(pareto_front(&[(1.0, 1.0), (1.0, 1.0)]), vec![0, 1]);
        // Same x, lower y is dominated.
        assert_eq!(pareto_front(&[(1.0, 1.0), (1.0, 0.5)]), vec![0]);
        assert_eq!(pareto_front(&[(f64::NAN, 9.0), (0.0, 0.0)]), vec![1]);
        assert!(pareto_front(&[]).is_empty());
    }

    #[test]
    fn a_gini_axis_is_better_when_lower() {
        // (gini@10, ndcg@10): λ=0 is accurate but concentrated (0.9, 0.30); λ=1 spreads
        // exposure (0.6, 0.25); λ=0.3 (0.8, 0.20) is worse than λ=1 on both counts; λ=3 is
        // the most even (0.5, 0.10).
        let pts = [(0.9, 0.30), (0.6, 0.25), (0.8, 0.20), (0.5, 0.10)];
        let lower = Direction::LowerIsBetter;
        let higher = Direction::HigherIsBetter;
        assert_eq!(pareto_front_oriented(&pts, lower, higher), vec![3, 1, 0]);
        // Read as if higher Gini were better, the front would link the least diverse runs.
        assert_eq!(pareto_front(&pts), vec![0]);
        // Both higher-is-better: the oriented front is the plain one.
        let both = [(0.2, 0.30), (0.3, 0.28), (0.25, 0.20), (0.5, 0.15)];
        assert_eq!(
            pareto_front_oriented(&both, higher, higher),
            pareto_front(&both)
        );
    }

    #[test]
    fn no_front_point_is_dominated_and_every_other_point_is() {
        let mut seed = 12345u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 1000) as f64 / 1000.0
        };
        for _ in 0..200 {
            let pts: Vec<(f64, f64)> = (0..12).map(|_| (next(), next())).collect();
            let front = pareto_front(&pts);
            let dominates =
                |a: (f64, f64), b: (f64, f64)| a.0 >= b.0 && a.1 >= b.1 && (a.0 > b.0 || a.1 > b.1);
            for (i, &p) in pts.iter().enumerate() {
                let on = front.contains(&i);
                let beaten = pts.iter().any(|&q| dominates(q, p));
                assert_eq!(on, !beaten, "point {p:?}");
            }
            assert!(front.windows(2).all(|w| pts[w[0]].0 <= pts[w[1]].0));
        }
    }
}

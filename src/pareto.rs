//! The Pareto front of a relevance/diversity trade-off and the hypervolume it dominates,
//! shared by the front table, the plots and the workbench.

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

/// The area dominated by `points` inside the box they share with `reference`, when `x` and
/// `y` are better in their metrics' directions: the area of the union of the rectangles
/// spanned by each point and the reference. Points not strictly better than the reference on
/// both axes, or with a non-finite coordinate, add nothing; no point at all gives 0.
///
/// Computed on the front sorted by oriented `x` descending (so oriented `y` ascends): each
/// point adds the slab `(x_i − x_ref) · (y_i − y_prev)`.
pub fn hypervolume(
    points: &[(f64, f64)],
    reference: (f64, f64),
    x: Direction,
    y: Direction,
) -> f64 {
    let (rx, ry) = (x.orient(reference.0), y.orient(reference.1));
    let inside: Vec<(f64, f64)> = points
        .iter()
        .map(|&(px, py)| (x.orient(px), y.orient(py)))
        .filter(|&(px, py)| px.is_finite() && py.is_finite() && px > rx && py > ry)
        .collect();
    let mut front: Vec<(f64, f64)> = pareto_front(&inside)
        .into_iter()
        .map(|i| inside[i])
        .collect();
    front.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)));
    let mut area = 0.0;
    let mut below = ry;
    for (px, py) in front {
        if py > below {
            area += (px - rx) * (py - below);
            below = py;
        }
    }
    area
}

/// The reference point of a set of fronts: on each axis the worst value any point reaches
/// (the nadir), so every method's hypervolume is measured in the same box. `None` without a
/// finite point.
pub fn nadir(points: &[(f64, f64)], x: Direction, y: Direction) -> Option<(f64, f64)> {
    let finite: Vec<&(f64, f64)> = points
        .iter()
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let worst = |d: Direction, v: &mut dyn Iterator<Item = f64>| {
        v.min_by(|a, b| d.orient(*a).total_cmp(&d.orient(*b)))
    };
    Some((
        worst(x, &mut finite.iter().map(|p| p.0))?,
        worst(y, &mut finite.iter().map(|p| p.1))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypervolume_by_hand() {
        use Direction::*;
        // Reference (0, 0); front (1, 3), (2, 2), (3, 1): the staircase's area is
        // 3·1 + 2·(2 − 1) + 1·(3 − 2) = 6. A dominated point (1, 1) adds nothing.
        let pts = [(1.0, 3.0), (2.0, 2.0), (3.0, 1.0), (1.0, 1.0)];
        let hv = hypervolume(&pts, (0.0, 0.0), HigherIsBetter, HigherIsBetter);
        assert!((hv - 6.0).abs() < 1e-12, "{hv}");
        // One point: its rectangle. None, or none beyond the reference: 0.
        assert_eq!(
            hypervolume(&[(2.0, 3.0)], (1.0, 1.0), HigherIsBetter, HigherIsBetter),
            2.0
        );
        assert_eq!(
            hypervolume(&[], (0.0, 0.0), HigherIsBetter, HigherIsBetter),
            0.0
        );
        assert_eq!(
            hypervolume(&[(0.0, 5.0)], (0.0, 0.0), HigherIsBetter, HigherIsBetter),
            0.0
        );
        // A lower-is-better x (Gini): points (0.2, 3) and (0.5, 4) against reference
        // (0.9, 0) are oriented (−0.2, 3), (−0.5, 4) against (−0.9, 0):
        // 0.7·3 + 0.4·(4 − 3) = 2.5.
        let hv = hypervolume(
            &[(0.2, 3.0), (0.5, 4.0)],
            (0.9, 0.0),
            LowerIsBetter,
            HigherIsBetter,
        );
        assert!((hv - 2.5).abs() < 1e-12, "{hv}");
    }

    #[test]
    fn hypervolume_agrees_with_counting_grid_cells() {
        // An independent computation: the share of a fine grid's cell centres dominated by
        // some point, on random point sets.
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20 {
            let pts: Vec<(f64, f64)> = (0..6).map(|_| (next(), next())).collect();
            let hv = hypervolume(
                &pts,
                (0.0, 0.0),
                Direction::HigherIsBetter,
                Direction::HigherIsBetter,
            );
            let n = 400;
            let mut inside = 0;
            for i in 0..n {
                for j in 0..n {
                    let (cx, cy) = ((i as f64 + 0.5) / n as f64, (j as f64 + 0.5) / n as f64);
                    if pts.iter().any(|&(x, y)| x >= cx && y >= cy) {
                        inside += 1;
                    }
                }
            }
            let grid = inside as f64 / (n * n) as f64;
            assert!((hv - grid).abs() < 6.0 / n as f64, "{hv} vs {grid}");
        }
    }

    #[test]
    fn the_nadir_is_the_worst_value_on_each_oriented_axis() {
        let pts = [(0.2, 0.3), (0.5, 0.1), (f64::NAN, 0.0)];
        assert_eq!(
            nadir(&pts, Direction::HigherIsBetter, Direction::HigherIsBetter),
            Some((0.2, 0.1))
        );
        assert_eq!(
            nadir(&pts, Direction::LowerIsBetter, Direction::HigherIsBetter),
            Some((0.5, 0.1))
        );
        assert_eq!(
            nadir(&[], Direction::HigherIsBetter, Direction::HigherIsBetter),
            None
        );
    }

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

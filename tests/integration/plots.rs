//! Figures: `recsweep plot DIR` renders the stored sweep of `tests/fixtures/stored-sweep/`
//! (no training); every PNG decodes at the configured size and is not blank; the SVGs hold
//! one series per λ with one point per epoch; bad or empty stores are clear errors. That
//! `--run` writes the figures itself is checked by the quickstart test in `sweep`.

use std::path::Path;

use recsweep::plot::PALETTE;

use crate::support::{copy_dir, recsweep, recsweep_ok, repo, sweep_json};

pub const FIGURES: [&str; 4] = ["loss", "auc", "coverage", "tradeoff"];

/// The PNG decodes at `size`, is not blank, and shows the first two series colours.
pub fn check_png(path: &Path, size: (u32, u32)) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(img.dimensions(), size, "{}", path.display());
    // Not blank: the luminance varies (a white canvas has variance 0).
    let lum: Vec<f64> = img
        .pixels()
        .map(|p| (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    assert!(
        var > 50.0,
        "{}: pixel variance {var:.1} is too low (blank figure?)",
        path.display()
    );
    let coloured = img
        .pixels()
        .filter(|p| {
            PALETTE[..2]
                .iter()
                .any(|c| p[0] == c.0 && p[1] == c.1 && p[2] == c.2)
        })
        .count();
    assert!(
        coloured > 100,
        "{}: the series colours are missing ({coloured} pixels)",
        path.display()
    );
}

/// Polylines of the given stroke colour and their point counts.
fn polylines(svg: &str, color: &str) -> Vec<usize> {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p.contains(&format!("stroke=\"{color}\"")))
        .map(|p| {
            let pts = p
                .split("points=\"")
                .nth(1)
                .unwrap_or("")
                .split('"')
                .next()
                .unwrap_or("");
            pts.split_whitespace().count()
        })
        .collect()
}

/// A copy of the stored-sweep fixture (2 λ, one seed, 3 epochs; no `plots/`) whose
/// `sweep.json` asks for 900×560 figures instead of the default size it was run with.
fn stored_sweep_at_900x560(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("sweep");
    copy_dir(&repo("tests/fixtures/stored-sweep"), &dir);
    assert!(!dir.join("plots").exists(), "the fixture ships no figures");
    let mut sweep = sweep_json(&dir);
    sweep["plots"]["width"] = 900.into();
    sweep["plots"]["height"] = 560.into();
    std::fs::write(
        dir.join("sweep.json"),
        serde_json::to_string_pretty(&sweep).unwrap(),
    )
    .unwrap();
    dir
}

#[test]
fn plot_renders_every_figure_of_a_stored_sweep() {
    let out = tempfile::tempdir().unwrap();
    let dir = stored_sweep_at_900x560(out.path());
    let stdout = recsweep_ok(&["plot", dir.to_str().unwrap()]);
    assert!(stdout.contains("12 figures written to"), "{stdout}");

    let plots = dir.join("plots");
    for f in FIGURES {
        check_png(&plots.join(format!("{f}.png")), (900, 560));
        assert!(plots.join(format!("{f}.svg")).is_file(), "{f}.svg missing");
        // The PDF at 300 pixels to the inch: 900 × 560 pixels are 216 × 134.4 points.
        let pdf = std::fs::read(plots.join(format!("{f}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/MediaBox [0 0 216 134.4]"), "{f}.pdf");
    }
    // tiny.yaml: λ ∈ {0, 1}, one seed, 3 epochs: one polyline of 3 points per λ.
    let svg = std::fs::read_to_string(plots.join("loss.svg")).unwrap();
    for (i, c) in PALETTE[..2].iter().enumerate() {
        let hex = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        let lines = polylines(&svg, &hex);
        assert!(
            lines.contains(&3),
            "λ series {i} ({hex}) should have 3 points: {lines:?}"
        );
    }
    assert!(
        !polylines(
            &svg,
            &format!(
                "#{:02X}{:02X}{:02X}",
                PALETTE[2].0, PALETTE[2].1, PALETTE[2].2
            )
        )
        .contains(&3)
    );
    let tradeoff = std::fs::read_to_string(plots.join("tradeoff.svg")).unwrap();
    assert!(
        tradeoff.contains("λ=0") && tradeoff.contains("λ=1"),
        "points are labelled with λ"
    );
    assert!(
        tradeoff.contains("NDCG@5") && tradeoff.contains("Catalogue coverage@5"),
        "axes name metric and K"
    );

    // Rendering again over existing figures succeeds and leaves them whole.
    recsweep_ok(&["plot", dir.to_str().unwrap()]);
    for f in FIGURES {
        check_png(&plots.join(format!("{f}.png")), (900, 560));
    }
}

#[test]
fn plotting_a_bad_store_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = recsweep(&["plot", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not a recsweep sweep directory") && err.contains("sweep.json"),
        "{err}"
    );

    // A valid manifest whose runs never wrote a summary (an unfinished sweep).
    std::fs::copy(
        repo("tests/fixtures/stored-sweep/sweep.json"),
        dir.path().join("sweep.json"),
    )
    .unwrap();
    let o = recsweep(&["plot", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no run with a summary.json"));

    std::fs::write(dir.path().join("sweep.json"), "{ not json").unwrap();
    let o = recsweep(&["plot", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sweep.json"));
}

/// The front on a lower-is-better axis, on the stored fixture: λ = 1 has the lower exposure
/// Gini@5 (0.9064 against 0.9084) and the higher NDCG@5 (0.2206 against 0.2197), so it alone
/// is on the front. Read as if a higher Gini were better, both runs would be.
#[test]
fn on_a_gini_axis_the_front_keeps_the_more_even_run() {
    use recsweep::pareto::{pareto_front, pareto_front_oriented};

    let sweep = recsweep::store::read_sweep(&repo("tests/fixtures/stored-sweep")).unwrap();
    let mut settings = sweep.manifest.plots.clone();
    settings.diversity = "gini@5".parse().unwrap();
    let fig = recsweep::plot::tradeoff_figure(&sweep, &settings);
    // One series per method: the baseline (λ = 0) and exposure_entropy (λ = 1).
    let methods: Vec<&str> = fig.series.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["baseline", "exposure_entropy"]);
    let points: Vec<_> = fig.series.iter().flat_map(|s| &s.points).collect();
    let labels: Vec<&str> = points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["λ=0", "λ=1"]);
    let pts: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.y)).collect();
    assert!(pts[1].0 < pts[0].0 && pts[1].1 > pts[0].1, "{pts:?}");
    assert_eq!(
        pareto_front_oriented(&pts, fig.x.direction(), fig.y.direction()),
        vec![1]
    );
    assert_eq!(pareto_front(&pts), vec![1, 0]);
}

#[test]
fn the_figure_vocabulary_names_the_files_the_tests_expect() {
    let stems: Vec<&str> = recsweep::plot::FigureKind::ALL
        .iter()
        .map(|f| f.stem())
        .collect();
    assert_eq!(stems, FIGURES);
}

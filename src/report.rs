//! `recsweep report DIR`: a stored sweep as a paper section, without copying numbers by hand.
//!
//! - `DIR/report.md`: the experiment, data and split facts, one row per point (method, λ or θ)
//!   with each metric's mean and 95% CI and the Holm-adjusted p against λ = 0, each method's λ
//!   or θ chosen on validation, each front's hypervolumes, the gates, and the figures embedded
//!   (made first, as `recsweep plot` makes them);
//! - `DIR/table.tex`: the same points as a booktabs table for `\input{table.tex}` (the
//!   preamble needs `\usepackage{booktabs}`), mean ± CI half-width, the best value of each
//!   column in bold in its metric's better direction.
//!
//! A point's mean and CI are over its seeds (the seed-level view) when the sweep has two or
//! more; with one seed, its run's test mean and the per-user 95% CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::param_label;
use crate::events::RunStatus;
use crate::front;
use crate::metrics::{Direction, MetricKey};
use crate::store::{self, RunSummary, StoredSweep};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
    #[error("cannot write '{path}': {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// One metric of one point: mean, 95% CI, and the Holm-adjusted p against λ = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub mean: f64,
    pub ci95: Option<[f64; 2]>,
    pub p_holm: Option<f64>,
}

/// A (method, λ or θ) point of the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub method: String,
    pub lambda: f64,
    pub theta: Option<f64>,
    pub seeds: usize,
    pub cells: Vec<Option<Cell>>,
}

/// The points of `summaries` (finished runs, grouped as [`crate::compare::groups`] does) on
/// `columns`.
pub fn points(summaries: &[RunSummary], columns: &[MetricKey]) -> Vec<Point> {
    crate::compare::groups(summaries)
        .into_iter()
        .map(|g| Point {
            method: g.method.to_string(),
            lambda: g.lambda,
            theta: g.theta,
            seeds: g.runs.len(),
            cells: columns.iter().map(|&key| cell(&g.runs, key)).collect(),
        })
        .collect()
}

fn cell(runs: &[&RunSummary], key: MetricKey) -> Option<Cell> {
    if let [run] = runs {
        let mean = run.test.get(&key).copied().filter(|v| v.is_finite())?;
        return Some(Cell {
            mean,
            ci95: run.test_ci95.get(&key).copied(),
            p_holm: run.versus_lambda0.get(&key).and_then(|c| c.wilcoxon_p_holm),
        });
    }
    // Several seeds: the seed-level view every run of the point carries.
    let across = runs.iter().find_map(|r| r.across_seeds.get(&key))?;
    Some(Cell {
        mean: across.mean,
        ci95: Some(across.ci95),
        p_holm: across.versus_lambda0.as_ref().and_then(|v| v.t_test_p_holm),
    })
}

/// Per column, the index of the best point (in the metric's better direction).
fn best_rows(points: &[Point], columns: &[MetricKey]) -> Vec<Option<usize>> {
    columns
        .iter()
        .enumerate()
        .map(|(c, key)| {
            let better = |a: f64, b: f64| match key.direction() {
                Direction::HigherIsBetter => a > b,
                Direction::LowerIsBetter => a < b,
            };
            let mut best: Option<(usize, f64)> = None;
            for (i, p) in points.iter().enumerate() {
                if let Some(cell) = p.cells[c]
                    && best.is_none_or(|(_, b)| better(cell.mean, b))
                {
                    best = Some((i, cell.mean));
                }
            }
            best.map(|(i, _)| i)
        })
        .collect()
}

/// `_`, `%`, `&`, `#`, `$`, `{`, `}` escaped; `~`, `^`, `\` spelled out.
pub fn latex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '_' | '%' | '&' | '#' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            c => out.push(c),
        }
    }
    out
}

/// The point's swept value for LaTeX: `$\lambda = 0.1$`, `$\theta = 0.5$`.
fn latex_param(p: &Point) -> String {
    match p.theta {
        Some(t) => format!("$\\theta = {t}$"),
        None => format!("$\\lambda = {}$", p.lambda),
    }
}

/// The booktabs table of `points` on `columns`.
pub fn table_tex(experiment: &str, points: &[Point], columns: &[MetricKey]) -> String {
    let best = best_rows(points, columns);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "% recsweep report: experiment '{experiment}'. Needs \\usepackage{{booktabs}}."
    );
    out.push_str("\\begin{table}[t]\n\\centering\n\\small\n");
    let _ = writeln!(out, "\\begin{{tabular}}{{ll{}}}", "r".repeat(columns.len()));
    out.push_str("\\toprule\n");
    out.push_str("Method & Setting");
    for key in columns {
        let arrow = match key.direction() {
            Direction::HigherIsBetter => "$\\uparrow$",
            Direction::LowerIsBetter => "$\\downarrow$",
        };
        let _ = write!(out, " & {} {arrow}", latex_escape(&key.to_string()));
    }
    out.push_str(" \\\\\n\\midrule\n");
    for (i, p) in points.iter().enumerate() {
        let _ = write!(out, "{} & {}", latex_escape(&p.method), latex_param(p));
        for (c, cell) in p.cells.iter().enumerate() {
            let text = match cell {
                None => "--".to_string(),
                Some(cell) => {
                    let value = format!("{:.4}", cell.mean);
                    let value = if best[c] == Some(i) {
                        format!("\\textbf{{{value}}}")
                    } else {
                        value
                    };
                    match cell.ci95 {
                        Some([lo, hi]) if lo.is_finite() && hi.is_finite() => {
                            format!("{value} {{\\scriptsize $\\pm$ {:.4}}}", (hi - lo) / 2.0)
                        }
                        _ => value,
                    }
                }
            };
            let _ = write!(out, " & {text}");
        }
        out.push_str(" \\\\\n");
    }
    out.push_str("\\bottomrule\n\\end{tabular}\n");
    let _ = writeln!(
        out,
        "\\caption{{Test metrics of experiment \\texttt{{{}}}: mean $\\pm$ half-width of the 95\\% CI (over seeds with two or more, else over users); best of each column in bold.}}",
        latex_escape(experiment)
    );
    let _ = writeln!(
        out,
        "\\label{{tab:{}}}",
        experiment.replace(['_', ' '], "-")
    );
    out.push_str("\\end{table}\n");
    out
}

fn md_cell(cell: Option<Cell>) -> String {
    match cell {
        None => "–".to_string(),
        Some(c) => match c.ci95 {
            Some([lo, hi]) if lo.is_finite() && hi.is_finite() => {
                format!("{:.4} [{lo:.4}, {hi:.4}]", c.mean)
            }
            _ => format!("{:.4}", c.mean),
        },
    }
}

/// `report.md` of `sweep` (whose figures are `figures`, relative to its directory).
pub fn report_md(sweep: &StoredSweep, columns: &[MetricKey], figures: &[String]) -> String {
    let m = &sweep.manifest;
    let summaries: Vec<RunSummary> = sweep.summaries();
    let first = &summaries[0];
    let mut out = format!("# {} — recsweep report\n\n", m.experiment);
    let finished = summaries
        .iter()
        .filter(|s| s.status == RunStatus::Finished)
        .count();
    let seeds: std::collections::BTreeSet<u64> = summaries.iter().map(|s| s.seed).collect();
    let _ = writeln!(out, "- experiment file: `{}`", m.file.display());
    let _ = writeln!(
        out,
        "- recsweep {}, backend {} ({})",
        m.version, m.backend, m.adapter
    );
    let _ = writeln!(
        out,
        "- data: {} — {} users, {} items, {} training pairs (seed {}'s split)",
        first.data, first.users, first.items, first.train_pairs, first.seed
    );
    let _ = writeln!(
        out,
        "- runs: {} listed, {} finished; seeds {:?}; epochs per run {}; curves and selection on the {} split",
        m.runs.len(),
        finished,
        seeds,
        first.epochs,
        first.eval_split
    );
    match summaries
        .iter()
        .find_map(|s| s.selection.as_ref().and_then(|sel| sel.metric))
    {
        Some(metric) => {
            let _ = writeln!(
                out,
                "- each trained run reports its epoch with the best validation `{metric}`"
            );
        }
        None => out.push_str("- each trained run reports its last epoch (nothing selected)\n"),
    }
    out.push_str("\n## Results (test)\n\n");
    let with_seeds = seeds.len() > 1;
    let _ = writeln!(
        out,
        "Mean and 95% CI ({}); p: {} against λ = 0 on `{}`, Holm–Bonferroni adjusted over the sweep's tests.\n",
        if with_seeds {
            "over seeds"
        } else {
            "over users"
        },
        if with_seeds {
            "paired t-test over seeds"
        } else {
            "Wilcoxon signed-rank over users"
        },
        columns[0]
    );
    let pts = points(&summaries, columns);
    out.push_str("| method | λ / θ | seeds |");
    for key in columns {
        let _ = write!(out, " {key} |");
    }
    out.push_str(" p (Holm) |\n|---|---|---|");
    for _ in columns {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for p in &pts {
        let _ = write!(
            out,
            "| {} | {} | {} |",
            p.method,
            param_label(p.lambda, p.theta),
            p.seeds
        );
        for c in &p.cells {
            let _ = write!(out, " {} |", md_cell(*c));
        }
        let p_text = p.cells[0]
            .and_then(|c| c.p_holm)
            .map_or("–".to_string(), |v| format!("{v:.3e}"));
        let _ = writeln!(out, " {p_text} |");
    }
    let failed: Vec<&RunSummary> = summaries
        .iter()
        .filter(|s| s.status != RunStatus::Finished)
        .collect();
    if !failed.is_empty() {
        out.push_str("\nNot finished:\n\n");
        for s in failed {
            let _ = writeln!(
                out,
                "- `{}`: {}{}",
                s.run_id,
                s.status.as_str(),
                s.reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(" ({r})"))
            );
        }
    }
    if let Some(choice) = read_json(&sweep.dir.join("selection.json")) {
        out.push_str("\n## λ chosen on validation\n\n");
        let _ = writeln!(
            out,
            "Each method's point with the best validation `{}` whose validation `{}` keeps at least {} × λ = 0's.\n",
            choice["diversity"].as_str().unwrap_or("?"),
            choice["relevance"].as_str().unwrap_or("?"),
            choice["keep"]
        );
        out.push_str("| method | chosen | test relevance | test diversity |\n|---|---|---|---|\n");
        for m in choice["methods"].as_array().into_iter().flatten() {
            let param = param_label(
                m["lambda"].as_f64().unwrap_or(f64::NAN),
                m["theta"].as_f64(),
            );
            let mean = |v: &serde_json::Value| {
                v["mean"]
                    .as_f64()
                    .map_or("–".to_string(), |x| format!("{x:.4}"))
            };
            let _ = writeln!(
                out,
                "| {} | {param} | {} | {} |",
                m["method"].as_str().unwrap_or("?"),
                mean(&m["test_relevance"]),
                mean(&m["test_diversity"])
            );
        }
    }
    let plots = &m.plots;
    out.push_str("\n## Fronts\n\n");
    for f in front::fronts(&summaries, plots.relevance, &plots.front_axes()) {
        let _ = writeln!(out, "```text\n{}```", f.volumes_text());
    }
    if let Some(gates) = read_json(&sweep.dir.join("gates.json")) {
        out.push_str("\n## Gates\n\n");
        for g in gates.as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "- {} `{}`",
                if g["held"] == true {
                    "held"
                } else {
                    "**FAILED**"
                },
                g["gate"].as_str().unwrap_or("?")
            );
        }
    }
    if !figures.is_empty() {
        out.push_str("\n## Figures\n\n");
        out.push_str(
            "Each figure is also a vector PDF beside its SVG, for `\\includegraphics` in LaTeX \
             (text as outlines, no fonts to embed); `plots.preset: single_column` or \
             `double_column` sizes them for a paper's column.\n\n",
        );
        for f in figures {
            let _ = writeln!(out, "![{f}]({f})\n");
        }
    }
    out
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Writes `report.md` and `table.tex` into the sweep directory `dir` (figures first); returns
/// their paths.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let sweep = store::read_sweep(dir)?;
    let figures: Vec<String> = crate::plot::replot(dir)?
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .filter_map(|p| p.strip_prefix(dir).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let plots = &sweep.manifest.plots;
    let mut columns = vec![plots.relevance];
    columns.extend(plots.front_axes());
    let summaries: Vec<RunSummary> = sweep.summaries();
    let md = report_md(&sweep, &columns, &figures);
    let tex = table_tex(
        &sweep.manifest.experiment,
        &points(&summaries, &columns),
        &columns,
    );
    let mut written = Vec::new();
    for (name, text) in [("report.md", md), ("table.tex", tex)] {
        let path = dir.join(name);
        store::write_atomic(&path, text.as_bytes()).map_err(|error| ReportError::Write {
            path: path.clone(),
            error,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::finished_summary;

    fn key(k: &str) -> MetricKey {
        k.parse().unwrap()
    }

    fn run(method: &str, lambda: f64, ndcg: f64, gini: f64) -> RunSummary {
        let mut s = finished_summary(method, lambda, None, 1);
        s.test.insert(key("ndcg@10"), ndcg);
        s.test.insert(key("gini@10"), gini);
        s.test_ci95
            .insert(key("ndcg@10"), [ndcg - 0.01, ndcg + 0.01]);
        s
    }

    #[test]
    fn the_best_of_each_column_is_bold_in_its_direction() {
        let summaries = vec![
            run("baseline", 0.0, 0.30, 0.90),
            run("exposure_entropy", 0.5, 0.25, 0.60),
        ];
        let columns = [key("ndcg@10"), key("gini@10")];
        let pts = points(&summaries, &columns);
        let tex = table_tex("my_exp", &pts, &columns);
        // Higher NDCG is better (the baseline's), lower Gini is better (λ = 0.5's).
        assert!(tex.contains("baseline & $\\lambda = 0$ & \\textbf{0.3000} {\\scriptsize $\\pm$ 0.0100} & 0.9000 \\\\"), "{tex}");
        assert!(tex.contains("exposure\\_entropy & $\\lambda = 0.5$ & 0.2500 {\\scriptsize $\\pm$ 0.0100} & \\textbf{0.6000} \\\\"), "{tex}");
        assert!(
            tex.contains("ndcg@10 $\\uparrow$ & gini@10 $\\downarrow$"),
            "{tex}"
        );
        assert!(tex.contains("\\toprule") && tex.contains("\\bottomrule"));
        assert!(tex.contains("\\label{tab:my-exp}"));
    }

    #[test]
    fn latex_specials_are_escaped() {
        assert_eq!(
            latex_escape("a_b%c&d#e$f{g}"),
            "a\\_b\\%c\\&d\\#e\\$f\\{g\\}"
        );
        assert_eq!(
            latex_escape("~^\\"),
            "\\textasciitilde{}\\textasciicircum{}\\textbackslash{}"
        );
    }

    #[test]
    fn a_missing_value_is_a_dash_and_never_bold() {
        let mut a = run("baseline", 0.0, 0.3, 0.9);
        a.test.remove(&key("gini@10"));
        let columns = [key("ndcg@10"), key("gini@10")];
        let pts = points(&[a], &columns);
        assert_eq!(pts[0].cells[1], None);
        let tex = table_tex("e", &pts, &columns);
        assert!(tex.contains("& -- \\\\"), "{tex}");
    }
}

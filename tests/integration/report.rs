//! `recsweep report DIR`: `report.md` with the facts, the results, the fronts and the figures
//! it links (which exist), and a booktabs `table.tex` that a stock `pdflatex` compiles (checked
//! when `pdflatex` is installed, as `.ci/run` does; otherwise the test says it was not run).

use std::process::Command;

use crate::support::recsweep;

#[test]
fn report_writes_markdown_with_its_figures_and_a_table_that_compiles() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    // Figures for one column of a paper.
    let yaml = tmp.path().join("tiny.yaml");
    let tiny = std::fs::read_to_string(crate::support::repo("tests/fixtures/tiny.yaml")).unwrap();
    std::fs::write(&yaml, format!("{tiny}plots:\n  preset: single_column\n")).unwrap();
    let o = recsweep(&[
        "--run",
        yaml.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--gate",
        "baseline: auc > 0",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = recsweep(&["report", out.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for needle in [
        "# tiny — recsweep report",
        "## Results (test)",
        "| baseline | λ=0 | 1 |",
        "| exposure_entropy | λ=1 | 1 |",
        "## Fronts",
        "hypervolume of ndcg@5 × coverage@5",
        "## Gates",
        "held `baseline: auc > 0`",
        "![plots/tradeoff.svg](plots/tradeoff.svg)",
    ] {
        assert!(md.contains(needle), "report.md lacks '{needle}':\n{md}");
    }
    // Every figure it links exists.
    for line in md.lines().filter(|l| l.starts_with("![")) {
        let target = line.split("](").nth(1).unwrap().trim_end_matches(')');
        assert!(out.join(target).is_file(), "{target} is linked but missing");
    }
    let tex = std::fs::read_to_string(out.join("table.tex")).unwrap();
    assert!(
        tex.contains("\\toprule") && tex.contains("exposure\\_entropy"),
        "{tex}"
    );
    assert_eq!(
        tex.matches("\\textbf{").count(),
        3,
        "one bold per column:\n{tex}"
    );

    let Ok(version) = Command::new("pdflatex").arg("--version").output() else {
        eprintln!(
            "pdflatex not found: table.tex was not compiled (install texlive-latex-recommended)"
        );
        return;
    };
    assert!(version.status.success());
    std::fs::write(
        out.join("paper.tex"),
        // The table, and the trade-off figure at its own size, which the log reports.
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\begin{document}\n\\input{table.tex}\n\\newsavebox\\fig\\sbox\\fig{\\includegraphics{plots/tradeoff.pdf}}\n\\typeout{FIGURE=\\the\\wd\\fig\\space x \\the\\ht\\fig}\n\\usebox\\fig\n\\end{document}\n",
    )
    .unwrap();
    let o = Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "paper.tex"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "pdflatex failed:\n{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(out.join("paper.pdf").is_file());
    // 3.5 × 2.45 in = 252 × 176.4 bp = 252.94 × 177.06 TeX points.
    let log = String::from_utf8_lossy(&o.stdout);
    let size = log
        .lines()
        .find_map(|l| l.strip_prefix("FIGURE="))
        .unwrap_or_else(|| panic!("no figure size in the log:\n{log}"));
    let pt: Vec<f64> = size
        .split(" x ")
        .map(|v| v.trim().trim_end_matches("pt").parse().unwrap())
        .collect();
    assert!(
        (pt[0] - 252.94).abs() < 0.1 && (pt[1] - 177.06).abs() < 0.1,
        "the single-column figure is {size}"
    );
}

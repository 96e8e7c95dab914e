//! Figures for papers: learning curves and the relevance/diversity trade-off, as PNG and SVG,
//! rendered with plotters from a stored sweep (so a past sweep re-renders without training).
//!
//! Text is drawn with the DejaVu Sans font shipped in `assets/` (no fontconfig or freetype on
//! the machine needed); colours are the Okabe–Ito palette of [`crate::theme`], which stays
//! distinguishable under the common forms of colour blindness and matches the workbench's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::config::EvalSplit;
use crate::config::{FigurePreset, PlotSettings, format_lambda};
use crate::metrics::{Direction, MetricKey};
use crate::pareto::pareto_front_oriented;
use crate::store::{StoredRun, StoredSweep, val_column, write_atomic};
use crate::theme;

pub mod pdf;

/// The series colours on paper, from [`crate::theme`] (Okabe & Ito 2008, black last).
pub const PALETTE: [RGBColor; theme::SERIES_LEN] = {
    let mut p = [RGBColor(0, 0, 0); theme::SERIES_LEN];
    let mut i = 0;
    while i < theme::SERIES_LEN {
        let theme::Rgb(r, g, b) = theme::series_on_paper(i);
        p[i] = RGBColor(r, g, b);
        i += 1;
    }
    p
};

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot draw '{file}': {message}")]
    Draw { file: PathBuf, message: String },
    #[error("cannot write '{file}': {error}")]
    Write {
        file: PathBuf,
        error: std::io::Error,
    },
}

const FONT: &str = "sans-serif";

/// DejaVu Sans, compiled in: what plotters rasterises and what the PDF figures outline.
pub(crate) const FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse; a failure would only lose text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
}

/// A line per λ: the mean over seeds, with the min–max band when there are several seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub label: String,
    pub color: usize,
    /// (epoch, mean)
    pub points: Vec<(f64, f64)>,
    /// (epoch, min, max) over seeds; empty with one seed.
    pub band: Vec<(f64, f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CurveFigure {
    pub title: String,
    /// Where the legend goes: away from where the curves end (loss falls, AUC rises).
    pub legend_upper: bool,
    pub x_desc: String,
    pub y_desc: String,
    pub curves: Vec<Curve>,
}

/// How a trade-off series marks its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
}

impl Marker {
    /// The markers, in the order methods take them.
    pub const ALL: [Marker; 3] = [Marker::Circle, Marker::Triangle, Marker::Square];
}

#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffPoint {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// One method on the trade-off plot: a regulariser's λ sweep, a re-ranker's θ sweep, or the
/// baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffSeries {
    /// The legend entry.
    pub name: String,
    /// The method's name in summaries.
    pub method: String,
    pub marker: Marker,
    pub color: usize,
    pub points: Vec<TradeoffPoint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffFigure {
    pub title: String,
    /// The diversity metric (x) and the relevance metric (y): their labels and directions.
    pub x: MetricKey,
    pub y: MetricKey,
    pub series: Vec<TradeoffSeries>,
}

/// Trained runs grouped by (method, λ) in order of first appearance, with a label: `λ = 0.1`,
/// or `exposure_entropy λ = 0.1` when the sweep trains several methods. Re-ranking runs
/// (no epochs) are left out.
fn by_lambda(runs: &[StoredRun]) -> Vec<(String, Vec<&StoredRun>)> {
    let trained: Vec<&StoredRun> = runs.iter().filter(|r| r.summary.theta.is_none()).collect();
    let methods = trained
        .iter()
        .map(|r| r.summary.method.as_str())
        .filter(|m| *m != crate::config::BASELINE)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let mut groups: Vec<((String, f64), Vec<&StoredRun>)> = Vec::new();
    for r in trained {
        let key = (r.summary.method.clone(), r.summary.lambda);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|((method, lambda), runs)| {
            let label = if methods > 1 && method != crate::config::BASELINE {
                format!("{method} λ = {}", format_lambda(lambda))
            } else {
                format!("λ = {}", format_lambda(lambda))
            };
            (label, runs)
        })
        .collect()
}

/// The curve of `column` of `metrics.csv` for every trained (method, λ).
pub fn curves(sweep: &StoredSweep, column: &str) -> Vec<Curve> {
    by_lambda(&sweep.runs)
        .into_iter()
        .enumerate()
        .filter_map(|(i, (name, runs))| {
            let mut per_epoch: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
            for r in &runs {
                for row in &r.epochs {
                    if let (Some(e), Some(v)) = (row.get("epoch"), row.get(column)) {
                        per_epoch.entry(*e as u64).or_default().push(*v);
                    }
                }
            }
            if per_epoch.is_empty() {
                return None;
            }
            let seeds = runs.len();
            let points = per_epoch
                .iter()
                .map(|(e, v)| (*e as f64, v.iter().sum::<f64>() / v.len() as f64))
                .collect();
            let band = if seeds > 1 {
                per_epoch
                    .iter()
                    .map(|(e, v)| {
                        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        (*e as f64, lo, hi)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let label = if seeds > 1 {
                format!("{name} (mean of {seeds} seeds)")
            } else {
                name
            };
            Some(Curve {
                label,
                color: i % PALETTE.len(),
                points,
                band,
            })
        })
        .collect()
}

/// The figures of a sweep, each written as `plots/<stem>.png` and `.svg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    Loss,
    Auc,
    Coverage,
    Tradeoff,
}

impl FigureKind {
    pub const ALL: [FigureKind; 4] = [
        FigureKind::Loss,
        FigureKind::Auc,
        FigureKind::Coverage,
        FigureKind::Tradeoff,
    ];

    /// The file name without its extension.
    pub fn stem(self) -> &'static str {
        match self {
            FigureKind::Loss => "loss",
            FigureKind::Auc => "auc",
            FigureKind::Coverage => "coverage",
            FigureKind::Tradeoff => "tradeoff",
        }
    }
}

impl std::fmt::Display for FigureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.stem())
    }
}

/// The learning-curve figures of a sweep.
pub fn curve_figures(sweep: &StoredSweep) -> Vec<(FigureKind, CurveFigure)> {
    let split = sweep
        .runs
        .first()
        .map_or(EvalSplit::Validation, |r| r.summary.eval_split);
    let curve_keys = sweep.manifest.curve_keys();
    let name = &sweep.manifest.experiment;
    // Curves on test mean nothing was selected: the figure says so where it is read.
    let note = if split == EvalSplit::Test {
        " (no validation split: nothing selected)"
    } else {
        ""
    };
    let mut figures = vec![
        (
            FigureKind::Loss,
            CurveFigure {
                legend_upper: true,
                title: format!("{name}: training loss L = L_rel + λ·L_div"),
                x_desc: "epoch".into(),
                y_desc: "loss (mean over batches)".into(),
                curves: curves(sweep, "loss"),
            },
        ),
        (
            FigureKind::Auc,
            CurveFigure {
                legend_upper: false,
                title: format!("{name}: AUC on the {split} split{note}"),
                x_desc: "epoch".into(),
                y_desc: format!("AUC ({split}, full ranking)"),
                curves: curves(
                    sweep,
                    &val_column(curve_keys.map_or(MetricKey::AUC, |c| c.auc)),
                ),
            },
        ),
    ];
    if let Some(cov) = curve_keys.map(|c| c.coverage) {
        figures.push((
            FigureKind::Coverage,
            CurveFigure {
                legend_upper: false,
                title: format!("{name}: {} on the {split} split{note}", cov.label()),
                x_desc: "epoch".into(),
                y_desc: format!("{} ({split})", cov.label()),
                curves: curves(sweep, &val_column(cov)),
            },
        ));
    }
    figures
}

/// Every run as a point (x = diversity metric, y = relevance metric), one series per method
/// (its own marker and colour, its hypervolume in the legend), labelled with its λ or θ. The
/// relevance-only baseline is a series of its own.
pub fn tradeoff_figure(sweep: &StoredSweep, settings: &PlotSettings) -> TradeoffFigure {
    let summaries: Vec<_> = sweep.summaries();
    let front = crate::front::Front::build(&summaries, settings.relevance, settings.diversity);
    let volumes = crate::front::volumes_by_method(&front);
    let mut series: Vec<TradeoffSeries> = Vec::new();
    for r in &sweep.runs {
        let s = &r.summary;
        let (Some(x), Some(y)) = (
            s.test.get(&settings.diversity),
            s.test.get(&settings.relevance),
        ) else {
            continue;
        };
        let point = TradeoffPoint {
            x: *x,
            y: *y,
            label: s.param_label(),
        };
        match series.iter_mut().find(|t| t.method == s.method) {
            Some(t) => t.points.push(point),
            None => {
                let i = series.len();
                let hv = volumes.get(&s.method).copied().unwrap_or(0.0);
                let name = if s.method == crate::config::BASELINE {
                    "baseline (λ = 0)".to_string()
                } else {
                    format!("{} (HV {hv:.4})", s.method)
                };
                series.push(TradeoffSeries {
                    name,
                    method: s.method.clone(),
                    marker: Marker::ALL[i % Marker::ALL.len()],
                    color: i % PALETTE.len(),
                    points: vec![point],
                });
            }
        }
    }
    TradeoffFigure {
        title: format!(
            "{}: relevance against diversity (test)",
            sweep.manifest.experiment
        ),
        x: settings.diversity,
        y: settings.relevance,
        series,
    }
}

/// A trade-off axis title: the metric's label, and which way is better when it is not up.
fn axis_title(key: MetricKey) -> String {
    match key.direction() {
        Direction::HigherIsBetter => key.label(),
        Direction::LowerIsBetter => format!("{} (lower is better)", key.label()),
    }
}

fn range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let pad = if hi > lo {
        (hi - lo) * 0.06
    } else {
        lo.abs().max(1.0) * 0.05
    };
    (lo - pad)..(hi + pad)
}

fn draw_err<E: std::fmt::Display>(file: &Path) -> impl Fn(E) -> PlotError + '_ {
    move |e| PlotError::Draw {
        file: file.to_path_buf(),
        message: e.to_string(),
    }
}

/// Text sizes of a figure, in plotters' font size (pixels of the font's ascent − descent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FontSizes {
    pub caption: u32,
    /// Axis titles.
    pub desc: u32,
    /// Tick labels and the legend.
    pub tick: u32,
    /// The trade-off's marker radius, in pixels.
    pub marker: u32,
}

/// A figure's size in pixels, its text sizes, and the pixels per inch its PDF is made at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Canvas {
    pub size: (u32, u32),
    pub fonts: FontSizes,
    pub dpi: f64,
}

impl Canvas {
    /// A preset's size with its text in points; without one, text that scales with the
    /// height (and 300 pixels to the inch in the PDF).
    pub fn of(settings: &PlotSettings) -> Self {
        let size = (settings.width, settings.height);
        let dpi = FigurePreset::DPI;
        let fonts = match settings.preset {
            Some(p) => {
                let (cap, desc, tick) = p.font_points();
                let px = |pt: f64| (pt / 72.0 * dpi * em_to_size()).round() as u32;
                // Markers a third of the tick text (about 1 mm across in print).
                FontSizes {
                    caption: px(cap),
                    desc: px(desc),
                    tick: px(tick),
                    marker: (px(tick) / 3).max(4),
                }
            }
            None => {
                let h = f64::from(settings.height);
                let tick = (h * 0.026) as u32;
                FontSizes {
                    caption: (h * 0.042) as u32,
                    desc: (h * 0.03) as u32,
                    tick,
                    marker: (tick / 2).max(4),
                }
            }
        };
        Self { size, fonts, dpi }
    }
}

/// Plotters sizes text by the font's height (ascent − descent), not its em: the factor that
/// makes an em of `pt` points `pt` points tall in print.
fn em_to_size() -> f64 {
    use ab_glyph::Font as _;
    ab_glyph::FontRef::try_from_slice(FONT_BYTES)
        .ok()
        .and_then(|f| Some(f64::from(f.height_unscaled() / f.units_per_em()?)))
        .unwrap_or(1.164)
}

/// Axes, title and mesh shared by every figure: a white canvas with the caption, labelled
/// axes and a light grid. `integer_x` prints x ticks without decimals (epochs).
#[allow(clippy::too_many_arguments)]
fn chart_frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_range: std::ops::Range<f64>,
    y_range: std::ops::Range<f64>,
    integer_x: bool,
    fonts: FontSizes,
    file: &Path,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError> {
    register_font();
    let (cap, desc, tick) = (fonts.caption, fonts.desc, fonts.tick);
    root.fill(&WHITE).map_err(draw_err(file))?;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, cap))
        .margin(cap / 2)
        .x_label_area_size(desc * 3)
        .y_label_area_size(desc * 4)
        .build_cartesian_2d(x_range, y_range)
        .map_err(draw_err(file))?;
    let integer = |x: &f64| format!("{x:.0}");
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style((FONT, desc))
        .label_style((FONT, tick))
        .light_line_style(RGBColor(235, 235, 235));
    if integer_x {
        mesh.x_label_formatter(&integer);
    }
    mesh.draw().map_err(draw_err(file))?;
    Ok(chart)
}

/// The legend box, in a corner chosen by the figure.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    position: SeriesLabelPosition,
    tick: u32,
    file: &Path,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .label_font((FONT, tick))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
        .map_err(draw_err(file))
}

/// Draws a curve figure on any plotters backend.
pub fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &CurveFigure,
    fonts: FontSizes,
    file: &Path,
) -> Result<(), PlotError> {
    let tick = fonts.tick;
    let xs = fig.curves.iter().flat_map(|c| c.points.iter().map(|p| p.0));
    let ys = fig.curves.iter().flat_map(|c| {
        c.points
            .iter()
            .map(|p| p.1)
            .chain(c.band.iter().flat_map(|b| [b.1, b.2]))
    });
    let mut chart = chart_frame(
        root,
        &fig.title,
        &fig.x_desc,
        &fig.y_desc,
        range(xs),
        range(ys),
        true,
        fonts,
        file,
    )?;
    let stroke = (root.dim_in_pixel().1 / 300).max(2);
    for c in &fig.curves {
        let color = PALETTE[c.color % PALETTE.len()];
        if !c.band.is_empty() {
            let mut poly: Vec<(f64, f64)> = c.band.iter().map(|b| (b.0, b.2)).collect();
            poly.extend(c.band.iter().rev().map(|b| (b.0, b.1)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.18).filled(),
                )))
                .map_err(draw_err(file))?;
        }
        chart
            .draw_series(LineSeries::new(
                c.points.clone(),
                color.stroke_width(stroke),
            ))
            .map_err(draw_err(file))?
            .label(&c.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], color.stroke_width(stroke))
            });
    }
    let corner = if fig.legend_upper {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerRight
    };
    draw_legend(&mut chart, corner, tick, file)?;
    root.present().map_err(draw_err(file))
}

/// Draws the trade-off figure on any plotters backend: each run a labelled point, the Pareto
/// front over all series as a dashed line.
pub fn draw_tradeoff<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &TradeoffFigure,
    fonts: FontSizes,
    file: &Path,
) -> Result<(), PlotError> {
    let tick = fonts.tick;
    let all: Vec<&TradeoffPoint> = fig.series.iter().flat_map(|s| &s.points).collect();
    let x_range = range(all.iter().map(|p| p.x));
    let y_range = range(all.iter().map(|p| p.y));
    let mut chart = chart_frame(
        root,
        &fig.title,
        &axis_title(fig.x),
        &axis_title(fig.y),
        x_range,
        y_range,
        false,
        fonts,
        file,
    )?;

    let coords: Vec<(f64, f64)> = all.iter().map(|p| (p.x, p.y)).collect();
    let front: Vec<(f64, f64)> =
        pareto_front_oriented(&coords, fig.x.direction(), fig.y.direction())
            .into_iter()
            .map(|i| coords[i])
            .collect();
    let stroke = (root.dim_in_pixel().1 / 400).max(2);
    if front.len() > 1 {
        let grey = RGBColor(90, 90, 90);
        chart
            .draw_series(DashedLineSeries::new(
                front,
                12,
                8,
                grey.stroke_width(stroke),
            ))
            .map_err(draw_err(file))?
            .label("Pareto front")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], grey.stroke_width(stroke))
            });
    }
    let r = fonts.marker as i32;
    for s in &fig.series {
        let color = PALETTE[s.color % PALETTE.len()];
        let anno = match s.marker {
            Marker::Circle => chart.draw_series(
                s.points
                    .iter()
                    .map(|p| Circle::new((p.x, p.y), r, color.filled())),
            ),
            Marker::Triangle => chart.draw_series(
                s.points
                    .iter()
                    .map(|p| TriangleMarker::new((p.x, p.y), r + 2, color.filled())),
            ),
            Marker::Square => chart.draw_series(s.points.iter().map(|p| {
                EmptyElement::at((p.x, p.y)) + Rectangle::new([(-r, -r), (r, r)], color.filled())
            })),
        }
        .map_err(draw_err(file))?;
        let marker = s.marker;
        anno.label(&s.name)
            .legend(move |(x, y)| -> DynElement<'static, DB, (i32, i32)> {
                match marker {
                    Marker::Circle => Circle::new((x + 15, y), r, color.filled()).into_dyn(),
                    Marker::Triangle => {
                        TriangleMarker::new((x + 15, y), r + 2, color.filled()).into_dyn()
                    }
                    Marker::Square => {
                        Rectangle::new([(x + 15 - r, y - r), (x + 15 + r, y + r)], color.filled())
                            .into_dyn()
                    }
                }
            });
        chart
            .draw_series(s.points.iter().map(|p| {
                // Beside the marker, not on it.
                EmptyElement::at((p.x, p.y))
                    + Text::new(
                        p.label.clone(),
                        (r + 6, -(tick as i32)),
                        (FONT, tick).into_font(),
                    )
            }))
            .map_err(draw_err(file))?;
    }
    // A trade-off runs from the accurate to the diverse corner; the legend goes in the
    // corner it leaves empty, which depends on the directions of the axes.
    let corner = if fig.x.direction() == fig.y.direction() {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerRight
    };
    draw_legend(&mut chart, corner, tick, file)?;
    root.present().map_err(draw_err(file))
}

enum Figure {
    Curves(CurveFigure),
    Tradeoff(TradeoffFigure),
}

impl Figure {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: FontSizes,
        path: &Path,
    ) -> Result<(), PlotError> {
        match self {
            Figure::Curves(c) => draw_curves(root, c, fonts, path),
            Figure::Tradeoff(t) => draw_tradeoff(root, t, fonts, path),
        }
    }
}

fn render_png(fig: &Figure, path: &Path, canvas: &Canvas) -> Result<(), PlotError> {
    // Draw to a temporary name, then rename: a reader never sees half a PNG.
    let tmp = path.with_file_name(format!(
        ".tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("plot.png")
    ));
    {
        let root = BitMapBackend::new(&tmp, canvas.size).into_drawing_area();
        fig.draw(&root, canvas.fonts, path)?;
    }
    std::fs::rename(&tmp, path).map_err(|error| PlotError::Write {
        file: path.to_path_buf(),
        error,
    })
}

fn render_svg(fig: &Figure, path: &Path, canvas: &Canvas) -> Result<(), PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, canvas.size).into_drawing_area();
        fig.draw(&root, canvas.fonts, path)?;
    }
    write_atomic(path, svg.as_bytes()).map_err(|error| PlotError::Write {
        file: path.to_path_buf(),
        error,
    })
}

/// The figure as a vector PDF at the canvas's physical size (see [`pdf`]).
fn render_pdf(fig: &Figure, path: &Path, canvas: &Canvas) -> Result<(), PlotError> {
    let mut bytes = Vec::new();
    {
        let root = pdf::PdfBackend::new(&mut bytes, canvas.size, canvas.dpi)
            .map_err(draw_err(path))?
            .into_drawing_area();
        fig.draw(&root, canvas.fonts, path)?;
    }
    write_atomic(path, &bytes).map_err(|error| PlotError::Write {
        file: path.to_path_buf(),
        error,
    })
}

/// Renders every figure of `sweep` into `out_dir` as PNG, SVG and PDF; returns the files
/// written.
pub fn render_all(
    sweep: &StoredSweep,
    settings: &PlotSettings,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, PlotError> {
    std::fs::create_dir_all(out_dir).map_err(|error| PlotError::Write {
        file: out_dir.to_path_buf(),
        error,
    })?;
    let canvas = Canvas::of(settings);
    let mut figures: Vec<(String, Figure)> = curve_figures(sweep)
        .into_iter()
        .map(|(kind, f)| (kind.stem().to_string(), Figure::Curves(f)))
        .collect();
    figures.push((
        FigureKind::Tradeoff.stem().to_string(),
        Figure::Tradeoff(tradeoff_figure(sweep, settings)),
    ));
    // The fronts' other diversity axes: `tradeoff-ild@10`, …
    for axis in settings.front_axes() {
        if axis != settings.diversity {
            let other = PlotSettings {
                diversity: axis,
                ..settings.clone()
            };
            figures.push((
                format!("{}-{axis}", FigureKind::Tradeoff.stem()),
                Figure::Tradeoff(tradeoff_figure(sweep, &other)),
            ));
        }
    }
    let mut written = Vec::new();
    for (stem, fig) in &figures {
        let png = out_dir.join(format!("{stem}.png"));
        render_png(fig, &png, &canvas)?;
        let svg = out_dir.join(format!("{stem}.svg"));
        render_svg(fig, &svg, &canvas)?;
        let pdf = out_dir.join(format!("{stem}.pdf"));
        render_pdf(fig, &pdf, &canvas)?;
        written.extend([png, svg, pdf]);
    }
    Ok(written)
}

/// `recsweep plot DIR`: re-renders every figure of a stored sweep into `DIR/plots`, and
/// rebuilds its `front.csv` from the runs stored.
pub fn replot(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let sweep = crate::store::read_sweep(dir)?;
    let summaries: Vec<_> = sweep.summaries();
    let plots = &sweep.manifest.plots;
    let fronts = crate::front::fronts(&summaries, plots.relevance, &plots.front_axes());
    let front_csv = dir.join("front.csv");
    crate::store::write_atomic(&front_csv, crate::front::csv(&fronts).as_bytes()).map_err(
        |error| PlotError::Write {
            file: front_csv.clone(),
            error,
        },
    )?;
    let front_parquet = dir.join("front.parquet");
    crate::store::csv_to_parquet(&front_csv, &front_parquet, &crate::store::FRONT_TYPES).map_err(
        |error| PlotError::Write {
            file: front_parquet.clone(),
            error,
        },
    )?;
    render_all(&sweep, plots, &dir.join("plots"))
}

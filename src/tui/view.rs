//! Drawing the workbench from `&State` only.
//!
//! Layout (80×24 and up): experiments on the left; runs table, charts and log on the right;
//! a footer with the keys. Below 60×16 only experiments, runs and the footer are drawn.
//! The footer and the help overlay are rendered from the key table ([`super::keys::KEYS`]);
//! colours come from [`crate::theme`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Clear, Dataset, GraphType, List, ListItem, ListState,
    Paragraph, Row, Table, TableState, Wrap,
};

use super::app::{ChartKind, Focus, LogLevel, RunState, State, Target, TextView, View};
use super::keys;
use crate::compare::sweeps::{Change, SweepDiff, Which};
use crate::front::{MethodPoint, method_volumes};
use crate::metrics::Direction;
use crate::pareto::pareto_front_oriented;
use crate::theme::{self, Rgb, terminal};

/// Colour of the i-th run: stable for the life of a sweep, and the colour its λ has in the
/// exported figures (see [`theme`]).
pub fn run_color(i: usize) -> Color {
    let Rgb(r, g, b) = theme::series_on_terminal(i);
    Color::Rgb(r, g, b)
}

/// Where each pane is drawn: one function for drawing and for the mouse's hit test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub footer: Rect,
    /// The experiments' list, and the selected invalid experiment's error under it.
    pub experiments: Option<Rect>,
    pub error: Option<Rect>,
    pub sweeps: Option<Rect>,
    pub runs: Rect,
    pub charts: Option<Rect>,
    pub log: Option<Rect>,
    /// Below 60×16: lists only, fewer columns.
    pub small: bool,
}

/// The layout of `area` for `state` (80×24 and up: experiments over the stored sweeps on the
/// left; runs, the view and the log on the right. Smaller: the focused list over the runs).
pub fn panes(state: &State, area: Rect) -> Panes {
    let [main, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let small = area.width < 60 || area.height < 16;
    let (left, runs, charts, log) = if small {
        let [left, runs] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(main);
        (left, runs, None, None)
    } else {
        let left_w = (area.width / 4).clamp(18, 36);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(1)]).areas(main);
        let table_h = (state.visible_runs().len() as u16 + 3).clamp(4, main.height / 3);
        let log_h = if main.height >= 30 { 7 } else { 4 };
        let [runs, charts, log] = Layout::vertical([
            Constraint::Length(table_h),
            Constraint::Min(4),
            Constraint::Length(log_h),
        ])
        .areas(right);
        (left, runs, Some(charts), Some(log))
    };
    let (exps, sweeps) = if small {
        match state.focus {
            Focus::Sweeps => (None, Some(left)),
            _ => (Some(left), None),
        }
    } else {
        let [e, s] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(left);
        (Some(e), Some(s))
    };
    let invalid = state
        .selected_experiment()
        .is_some_and(|e| e.status.is_err());
    let (experiments, error) = match exps {
        Some(a) if invalid && a.height > 8 => {
            let [a, b] =
                Layout::vertical([Constraint::Min(3), Constraint::Percentage(50)]).areas(a);
            (Some(a), Some(b))
        }
        other => (other, None),
    };
    Panes {
        footer,
        experiments,
        error,
        sweeps,
        runs,
        charts,
        log,
        small,
    }
}

/// The first row on screen of a list of `rows` visible rows scrolled to show `selected`
/// (what ratatui's list and table do from a fresh state; set explicitly so that the hit test
/// knows it).
fn scroll_offset(selected: usize, rows: usize) -> usize {
    selected.saturating_sub(rows.saturating_sub(1))
}

/// The index of the item under row `y` of a bordered list in `r` with `header` lines above
/// its items, of `len` items scrolled to show `selected`.
fn item_at(r: Rect, y: u16, header: u16, selected: usize, len: usize) -> Option<usize> {
    let top = r.y + 1 + header;
    let bottom = (r.y + r.height).saturating_sub(1);
    if y < top || y >= bottom {
        return None;
    }
    let rows = (bottom - top) as usize;
    let i = scroll_offset(selected, rows) + (y - top) as usize;
    (i < len).then_some(i)
}

/// What the mouse at (`x`, `y`) is over, in a terminal of size `area`.
pub fn hit(state: &State, area: Rect, x: u16, y: u16) -> Option<Target> {
    let p = panes(state, area);
    let at = ratatui::layout::Position { x, y };
    if let Some(r) = p.experiments.filter(|r| r.contains(at)) {
        let i = item_at(r, y, 0, state.selected, state.experiments.len());
        return Some(i.map_or(Target::Pane(Focus::Experiments), |i| {
            Target::Item(Focus::Experiments, i)
        }));
    }
    if let Some(r) = p.sweeps.filter(|r| r.contains(at)) {
        let i = item_at(r, y, 0, state.sweep_selected, state.sweeps.len());
        return Some(i.map_or(Target::Pane(Focus::Sweeps), |i| {
            Target::Item(Focus::Sweeps, i)
        }));
    }
    if p.runs.contains(at) {
        let visible = state.visible_runs();
        let selected = visible
            .iter()
            .position(|&i| i == state.run_selected)
            .unwrap_or(0);
        let i = item_at(p.runs, y, 1, selected, visible.len()).map(|k| visible[k]);
        return Some(i.map_or(Target::Pane(Focus::Runs), |i| Target::Item(Focus::Runs, i)));
    }
    None
}

/// Every cell of `buf` in ASCII (a terminal whose locale is not UTF-8): box drawing as
/// `+ - |`, Braille dots as `.`, blocks as `#`, λ as `l` (see [`crate::charset::cell`]).
pub fn ascii_cells(buf: &mut ratatui::buffer::Buffer) {
    for c in buf.content.iter_mut() {
        if !c.symbol().is_ascii() {
            let first = c.symbol().chars().next().unwrap_or(' ');
            c.set_char(crate::charset::cell(first).unwrap_or('?'));
        }
    }
}

/// The most runs the charts name one by one in their legends.
const LEGEND_RUNS: usize = 24;

pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let p = panes(state, area);
    frame.render_widget(
        Paragraph::new(keys::footer(area.width as usize))
            .style(Style::new().fg(terminal::FOOTER_FG).bg(terminal::FOOTER_BG)),
        p.footer,
    );
    if let Some(r) = p.experiments {
        render_experiments(state, frame, r, p.error);
    }
    if let Some(r) = p.sweeps {
        render_sweeps(state, frame, r);
    }
    render_runs(state, frame, p.runs, p.small);
    if let Some(r) = p.charts {
        match state.view {
            View::Curves => render_curves(state, frame, r),
            View::Tradeoff => render_tradeoff(state, frame, r),
            View::Compare => render_compare(state, frame, r),
        }
    }
    if let Some(r) = p.log {
        render_log(state, frame, r);
    }
    if let Some(t) = &state.text {
        render_text(frame, area, t);
    }
    if state.help {
        render_help(frame, area);
    }
    if state.confirm_quit {
        render_popup(
            frame,
            area,
            "Quit?",
            "Runs are in flight. Stop them and quit? (y / any key to stay)",
        );
    }
}

fn focus_block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new()
            .fg(terminal::SELECTION)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    Block::new()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

fn render_experiments(state: &State, frame: &mut Frame, area: Rect, error_area: Option<Rect>) {
    let items: Vec<ListItem> = state
        .experiments
        .iter()
        .map(|e| match &e.status {
            Ok(info) => ListItem::new(Line::from(vec![
                Span::styled("✓ ", Style::new().fg(terminal::OK)),
                Span::raw(format!("{} ({} runs)", info.name, info.runs)),
            ])),
            Err(_) => ListItem::new(Line::from(vec![
                Span::styled("✗ ", Style::new().fg(terminal::FAILED)),
                Span::raw(e.label()),
            ])),
        })
        .collect();
    let block = focus_block(" Experiments ".into(), state.focus == Focus::Experiments);
    let rows = area.height.saturating_sub(2) as usize;
    let mut ls = ListState::default()
        .with_offset(scroll_offset(state.selected, rows))
        .with_selected(Some(state.selected));
    let list = List::new(items)
        .block(block)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_stateful_widget(list, area, &mut ls);
    let error = state
        .selected_experiment()
        .and_then(|e| e.status.as_ref().err());
    if let (Some(msg), Some(a)) = (error, error_area) {
        let p = Paragraph::new(msg.as_str())
            .wrap(Wrap { trim: true })
            .style(Style::new().fg(terminal::FAILED))
            .block(Block::new().borders(Borders::ALL).title(" invalid "));
        frame.render_widget(p, a);
    }
}

/// The stored sweeps: `experiment/stamp`, finished of all runs, and failed ones in red. The
/// sweep on screen is marked `▶`, a live one behind it `●`.
fn render_sweeps(state: &State, frame: &mut Frame, area: Rect) {
    let shown = state.sweep.as_ref().map(|s| &s.out_dir);
    let behind = state.behind.as_ref().map(|b| &b.sweep.out_dir);
    let items: Vec<ListItem> = state
        .sweeps
        .iter()
        .map(|s| {
            let mark = if Some(&s.dir) == shown {
                "▶ "
            } else if Some(&s.dir) == behind {
                "● "
            } else {
                "  "
            };
            // Counts first: a narrow pane cuts the end of the label, not the counts.
            let mut spans = vec![
                Span::styled(mark, Style::new().fg(terminal::SELECTION)),
                Span::raw(format!("{}/{} ", s.finished, s.runs)),
            ];
            if s.failed > 0 {
                spans.push(Span::styled(
                    format!("{}✗ ", s.failed),
                    Style::new().fg(terminal::FAILED),
                ));
            }
            spans.push(Span::raw(s.label()));
            ListItem::new(Line::from(spans))
        })
        .collect();
    let title = format!(" Sweeps ({}; Enter opens, m compares) ", state.sweeps.len());
    let rows = area.height.saturating_sub(2) as usize;
    let mut ls = ListState::default()
        .with_offset(scroll_offset(state.sweep_selected, rows))
        .with_selected(Some(state.sweep_selected));
    let list = List::new(items)
        .block(focus_block(title, state.focus == Focus::Sweeps))
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_stateful_widget(list, area, &mut ls);
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

fn fmt_eta(secs: Option<f64>) -> String {
    match secs {
        Some(s) if s >= 60.0 => format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64),
        Some(s) => format!("{s:.0}s"),
        None => "-".into(),
    }
}

fn render_runs(state: &State, frame: &mut Frame, area: Rect, small: bool) {
    // Below 90 columns the id already says λ and seed: show fewer, wider columns.
    let compact = small || area.width < 90;
    let tiny = small;
    let visible = state.visible_runs();
    let filter = if state.filter.is_all() {
        String::new()
    } else {
        format!(
            "[{}: {} of {}] ",
            state.filter.describe(),
            visible.len(),
            state.runs.len()
        )
    };
    let title = match &state.sweep {
        Some(s) => format!(
            " Runs: {} {}{}",
            s.info.name,
            if s.running {
                "(running) ".to_string()
            } else if s.stored {
                format!("(stored: {}) ", s.out_dir.display())
            } else {
                String::new()
            },
            filter
        ),
        None => " Runs (Enter launches the selected experiment) ".into(),
    };
    let header = if tiny {
        Row::new(["run", "status", "ep"])
    } else if compact {
        Row::new(["run", "status", "epoch", "AUC", "cov"])
    } else {
        Row::new([
            "run", "λ", "seed", "status", "epoch", "ETA", "loss", "AUC", "cov",
        ])
    }
    .style(Style::new().add_modifier(Modifier::BOLD));
    let rows: Vec<Row> = visible
        .iter()
        .map(|&i| {
            let r = &state.runs[i];
            let color = run_color(i);
            let status_style = Style::new().fg(match r.state {
                RunState::Failed => terminal::FAILED,
                RunState::Finished => terminal::OK,
                RunState::Queued | RunState::Running | RunState::Interrupted | RunState::NotRun => {
                    terminal::RUNNING
                }
            });
            let status = match (&r.reason, r.state) {
                (Some(reason), RunState::Failed) => format!("FAILED: {reason}"),
                _ => r.state.label().to_string(),
            };
            let epoch = format!("{}/{}", r.epoch, r.epochs);
            if tiny {
                Row::new(vec![
                    Cell::new(r.id.clone()).style(Style::new().fg(color)),
                    Cell::new(status).style(status_style),
                    Cell::new(epoch),
                ])
            } else if compact {
                Row::new(vec![
                    Cell::new(r.id.clone()).style(Style::new().fg(color)),
                    Cell::new(status).style(status_style),
                    Cell::new(epoch),
                    Cell::new(fmt_opt(r.last_auc())),
                    Cell::new(fmt_opt(r.last_coverage())),
                ])
            } else {
                Row::new(vec![
                    Cell::new(r.id.clone()).style(Style::new().fg(color)),
                    Cell::new(r.param_label()),
                    Cell::new(r.seed.to_string()),
                    Cell::new(status).style(status_style),
                    Cell::new(epoch),
                    Cell::new(fmt_eta(r.eta())),
                    Cell::new(
                        r.history
                            .last()
                            .map_or_else(|| "-".into(), |p| format!("{:.4}", p.loss)),
                    ),
                    Cell::new(fmt_opt(r.last_auc())),
                    Cell::new(fmt_opt(r.last_coverage())),
                ])
            }
        })
        .collect();
    let widths: Vec<Constraint> = if tiny {
        vec![
            Constraint::Min(12),
            Constraint::Length(9),
            Constraint::Length(6),
        ]
    } else if compact {
        vec![
            Constraint::Min(18),
            Constraint::Length(9),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(6),
        ]
    } else {
        vec![
            Constraint::Min(18),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(6),
        ]
    };
    let selected = visible.iter().position(|&i| i == state.run_selected);
    let rows_on_screen = area.height.saturating_sub(3) as usize;
    let mut ts = TableState::default()
        .with_offset(scroll_offset(selected.unwrap_or(0), rows_on_screen))
        .with_selected(selected);
    let table = Table::new(rows, widths)
        .header(header)
        .block(focus_block(title, state.focus == Focus::Runs))
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_stateful_widget(table, area, &mut ts);
}

/// (min, max) padded, and three tick labels.
fn bounds(values: impl Iterator<Item = f64>) -> ([f64; 2], Vec<String>) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let labels = [lo, (lo + hi) / 2.0, hi]
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect();
    ([lo, hi], labels)
}

fn render_curves(state: &State, frame: &mut Frame, area: Rect) {
    if area.width >= 120 {
        let cols = Layout::horizontal([Constraint::Ratio(1, 3); 3]).split(area);
        for (i, kind) in [ChartKind::Loss, ChartKind::Auc, ChartKind::Coverage]
            .into_iter()
            .enumerate()
        {
            render_chart(state, frame, cols[i], kind);
        }
    } else {
        render_chart(state, frame, area, state.chart);
    }
}

fn render_chart(state: &State, frame: &mut Frame, area: Rect, kind: ChartKind) {
    let cov = state.sweep.as_ref().map_or_else(
        || "coverage".to_string(),
        |s| s.info.curves.coverage.to_string(),
    );
    let (title, y_name) = match kind {
        ChartKind::Loss => (" Loss ".to_string(), "L"),
        ChartKind::Auc => (" Validation AUC ".to_string(), "AUC"),
        ChartKind::Coverage => (format!(" Validation {cov} "), "coverage"),
    };
    let visible = state.visible_runs();
    let series: Vec<Vec<(f64, f64)>> = visible
        .iter()
        .map(|&i| {
            state.runs[i]
                .history
                .iter()
                .filter_map(|p| {
                    let y = match kind {
                        ChartKind::Loss => Some(p.loss),
                        ChartKind::Auc => p.auc,
                        ChartKind::Coverage => p.coverage,
                    };
                    y.map(|y| (p.epoch, y))
                })
                .collect()
        })
        .collect();
    let datasets: Vec<Dataset> = visible
        .iter()
        .zip(&series)
        .filter(|(_, pts)| !pts.is_empty())
        .map(|(&i, pts)| {
            let d = Dataset::default();
            // A legend of more runs than fit is unreadable (and costly): names up to a screenful.
            let d = if visible.len() <= LEGEND_RUNS {
                d.name(state.runs[i].param_label())
            } else {
                d
            };
            d.marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(run_color(i)))
                .data(pts)
        })
        .collect();
    let max_epoch = state
        .runs
        .iter()
        .map(|r| r.epochs)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (y_bounds, y_labels) = bounds(series.iter().flatten().map(|p| p.1));
    let title = if state.chart == kind && area.width < 120 {
        format!("{title}(c: next chart) ")
    } else {
        title
    };
    let chart = Chart::new(datasets)
        .block(Block::new().borders(Borders::ALL).title(title))
        .x_axis(
            Axis::default()
                .title("epoch")
                .bounds([1.0, max_epoch])
                .labels(["1".to_string(), format!("{}", max_epoch as usize)]),
        )
        .y_axis(
            Axis::default()
                .title(y_name)
                .bounds(y_bounds)
                .labels(y_labels),
        );
    frame.render_widget(chart, area);
}

fn render_tradeoff(state: &State, frame: &mut Frame, area: Rect) {
    let axes = state.sweep.as_ref().map(|s| &s.info).or_else(|| {
        state
            .selected_experiment()
            .and_then(|e| e.status.as_ref().ok())
    });
    let (rel, div) = axes.map_or_else(
        || ("relevance".to_string(), "diversity".to_string()),
        |i| (i.relevance.to_string(), i.diversity.to_string()),
    );
    let (x_dir, y_dir) = axes.map_or(
        (Direction::HigherIsBetter, Direction::HigherIsBetter),
        |i| (i.diversity.direction(), i.relevance.direction()),
    );
    let current = state.tradeoff_points();
    let coords: Vec<(f64, f64)> = current.iter().map(|p| (p.x, p.y)).collect();
    let front: Vec<(f64, f64)> = pareto_front_oriented(&coords, x_dir, y_dir)
        .into_iter()
        .map(|i| coords[i])
        .collect();
    let past: Vec<(f64, f64)> = state
        .past
        .iter()
        .flat_map(|p| p.points.iter().map(|q| (q.0, q.1)))
        .collect();
    let points: Vec<Vec<(f64, f64)>> = current.iter().map(|p| vec![(p.x, p.y)]).collect();
    let mut datasets = Vec::new();
    if !past.is_empty() {
        datasets.push(
            Dataset::default()
                .name(format!("{} past sweep(s)", state.past.len()))
                .marker(Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(Style::new().fg(terminal::PAST))
                .data(&past),
        );
    }
    if front.len() > 1 {
        datasets.push(
            Dataset::default()
                .name("Pareto front")
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(terminal::PARETO))
                .data(&front),
        );
    }
    // One marker per method, in order of first appearance; the run's own colour, as in
    // the runs table and the curves.
    let mut methods: Vec<&str> = Vec::new();
    for p in &current {
        if !methods.contains(&p.method.as_str()) {
            methods.push(&p.method);
        }
    }
    const MARKERS: [Marker; 4] = [Marker::Block, Marker::HalfBlock, Marker::Bar, Marker::Dot];
    // Up to a screenful of points, each is a legend entry in its run's colour; beyond, one
    // entry per method, in the colour of its first run.
    let by_method: Vec<Vec<(f64, f64)>> = methods
        .iter()
        .map(|m| {
            current
                .iter()
                .filter(|p| p.method == *m)
                .map(|p| (p.x, p.y))
                .collect()
        })
        .collect();
    if current.len() <= LEGEND_RUNS {
        for (p, pts) in current.iter().zip(&points) {
            let m = methods.iter().position(|m| *m == p.method).unwrap_or(0);
            datasets.push(
                Dataset::default()
                    .name(p.label.clone())
                    .marker(MARKERS[m % MARKERS.len()])
                    .graph_type(GraphType::Scatter)
                    .style(Style::new().fg(run_color(p.run)))
                    .data(pts),
            );
        }
    } else {
        for (m, (method, pts)) in methods.iter().zip(&by_method).enumerate() {
            let first = current
                .iter()
                .find(|p| p.method == *method)
                .map_or(0, |p| p.run);
            datasets.push(
                Dataset::default()
                    .name(format!("{method} ({} runs)", pts.len()))
                    .marker(MARKERS[m % MARKERS.len()])
                    .graph_type(GraphType::Scatter)
                    .style(Style::new().fg(run_color(first)))
                    .data(pts),
            );
        }
    }
    let method_points: Vec<MethodPoint<'_>> = current
        .iter()
        .map(|p| MethodPoint {
            method: &p.method,
            lambda_zero: p.lambda_zero,
            x: p.x,
            y: p.y,
        })
        .collect();
    let (_, volumes) = method_volumes(&method_points, x_dir, y_dir);
    let hv: Vec<String> = volumes
        .iter()
        .filter(|v| v.method != crate::config::BASELINE)
        .map(|v| format!("{} HV {:.4}", v.method, v.hypervolume))
        .collect();
    let (xb, xl) = bounds(coords.iter().chain(&past).map(|p| p.0));
    let (yb, yl) = bounds(coords.iter().chain(&past).map(|p| p.1));
    let title = if current.is_empty() {
        " Trade-off (test; points appear as runs finish) ".to_string()
    } else if hv.is_empty() {
        format!(" Trade-off (test): {rel} against {div} ")
    } else {
        format!(
            " Trade-off (test): {rel} against {div} — {} ",
            hv.join(", ")
        )
    };
    let chart = Chart::new(datasets)
        .block(Block::new().borders(Borders::ALL).title(title))
        // The legend is how points are labelled with their λ: let it take space.
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 1)))
        .x_axis(Axis::default().title(div).bounds(xb).labels(xl))
        .y_axis(Axis::default().title(rel).bounds(yb).labels(yl));
    frame.render_widget(chart, area);
}

/// Two stored sweeps: their seed-mean points and Pareto fronts overlaid (A in the first
/// series colour, B in the second), and the table of every (method, λ or θ) diffed, B − A
/// in green where B is better in the metric's direction and red where worse; under it each
/// method's hypervolume in both, against one reference point (the nadir of both sweeps).
fn render_compare(state: &State, frame: &mut Frame, area: Rect) {
    let Some(d) = state.comparison.as_deref() else {
        frame.render_widget(
            Paragraph::new(
                "No comparison yet: open a sweep (Sweeps, Enter), select another, press m.",
            )
            .block(Block::new().borders(Borders::ALL).title(" Comparison ")),
            area,
        );
        return;
    };
    // The table as wide as its longest method name needs (nine columns, their gaps and the
    // borders), the chart the rest.
    let method_w = d
        .rows
        .iter()
        .map(|r| r.method.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let table_w = (method_w + COMPARE_NUMBER_COLUMNS + 10) as u16;
    let [chart_area, table_area] = if area.width >= table_w + 30 {
        Layout::horizontal([Constraint::Min(30), Constraint::Length(table_w)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
    };
    render_compare_chart(d, frame, chart_area);
    render_compare_table(d, frame, table_area);
}

/// The comparison table's columns after the method name, in cells (see its widths).
const COMPARE_NUMBER_COLUMNS: usize = 6 + 5 + 6 + 6 + 7 + 6 + 6 + 7;

/// A compared sweep's points on the chart: which, its name, (diversity, relevance).
type SidePoints<'a> = (Which, &'a str, Vec<(f64, f64)>);

const SIDES: [(Which, &str); 2] = [(Which::A, "A"), (Which::B, "B")];

fn side_color(which: Which) -> Color {
    run_color(match which {
        Which::A => 0,
        Which::B => 1,
    })
}

fn render_compare_chart(d: &SweepDiff, frame: &mut Frame, area: Rect) {
    let (x_dir, y_dir) = (d.diversity.direction(), d.relevance.direction());
    let sides: Vec<SidePoints<'_>> = SIDES
        .iter()
        .map(|&(w, name)| {
            let pts = d.points(w).iter().map(|p| (p.1, p.2)).collect();
            (w, name, pts)
        })
        .collect();
    let fronts: Vec<Vec<(f64, f64)>> = sides
        .iter()
        .map(|(_, _, pts)| {
            let mut f: Vec<(f64, f64)> = pareto_front_oriented(pts, x_dir, y_dir)
                .into_iter()
                .map(|i| pts[i])
                .collect();
            f.sort_by(|a, b| a.0.total_cmp(&b.0));
            f
        })
        .collect();
    let mut datasets = Vec::new();
    for ((w, name, pts), front) in sides.iter().zip(&fronts) {
        let label = match w {
            Which::A => &d.a_label,
            Which::B => &d.b_label,
        };
        datasets.push(
            Dataset::default()
                .name(format!("{name} {label}"))
                .marker(match w {
                    Which::A => Marker::Block,
                    Which::B => Marker::HalfBlock,
                })
                .graph_type(GraphType::Scatter)
                .style(Style::new().fg(side_color(*w)))
                .data(pts),
        );
        if front.len() > 1 {
            datasets.push(
                Dataset::default()
                    .name(format!("{name} front"))
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(Style::new().fg(side_color(*w)))
                    .data(front),
            );
        }
    }
    let all = || sides.iter().flat_map(|(_, _, p)| p.iter());
    let (xb, xl) = bounds(all().map(|p| p.0));
    let (yb, yl) = bounds(all().map(|p| p.1));
    let chart = Chart::new(datasets)
        .block(Block::new().borders(Borders::ALL).title(format!(
            " Fronts (test, means over seeds): {} against {} ",
            d.relevance, d.diversity
        )))
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 1)))
        .x_axis(
            Axis::default()
                .title(d.diversity.to_string())
                .bounds(xb)
                .labels(xl),
        )
        .y_axis(
            Axis::default()
                .title(d.relevance.to_string())
                .bounds(yb)
                .labels(yl),
        );
    frame.render_widget(chart, area);
}

/// The hypervolume lines under the table ([`SweepDiff::volumes`]).
fn compare_volumes(d: &SweepDiff) -> Vec<String> {
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    d.volumes
        .iter()
        .map(|(m, a, b)| format!("HV {m}: A {}  B {}", fmt(*a), fmt(*b)))
        .collect()
}

fn render_compare_table(d: &SweepDiff, frame: &mut Frame, area: Rect) {
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    let delta_cell = |delta: Option<f64>, key: crate::metrics::MetricKey| match delta {
        None => Cell::new("-"),
        Some(v) => {
            let color = match Change::of(v, key.direction()) {
                Change::Better => terminal::OK,
                Change::Worse => terminal::FAILED,
                Change::Same => terminal::TEXT,
            };
            Cell::new(format!("{v:+.4}")).style(Style::new().fg(color))
        }
    };
    let header = Row::new([
        "method", "λ/θ", "seeds", "rel A", "rel B", "Δ rel", "div A", "div B", "Δ div",
    ])
    .style(Style::new().add_modifier(Modifier::BOLD));
    let rows: Vec<Row> = d
        .rows
        .iter()
        .map(|r| {
            let seeds = |s: Option<crate::compare::sweeps::Side>| {
                s.map_or_else(|| "-".to_string(), |s| s.seeds.to_string())
            };
            Row::new(vec![
                Cell::new(r.method.clone()),
                Cell::new(r.param_label()),
                Cell::new(format!("{}/{}", seeds(r.a), seeds(r.b))),
                Cell::new(fmt(r.a.and_then(|s| s.relevance))),
                Cell::new(fmt(r.b.and_then(|s| s.relevance))),
                delta_cell(r.relevance_delta(), d.relevance),
                Cell::new(fmt(r.a.and_then(|s| s.diversity))),
                Cell::new(fmt(r.b.and_then(|s| s.diversity))),
                delta_cell(r.diversity_delta(), d.diversity),
            ])
        })
        .collect();
    let mut volumes = vec![format!(
        "rel = {}, div = {}; Δ = B − A, green where B is better",
        d.relevance, d.diversity
    )];
    volumes.extend(compare_volumes(d));
    let hv_h = (volumes.len() as u16).min(area.height / 3);
    let [table_area, hv_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(hv_h)]).areas(area);
    // Widths of the columns after the method's: COMPARE_NUMBER_COLUMNS in all.
    let widths = [
        Constraint::Min(6),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(7),
    ];
    let title = format!(" A {}  B {} ", d.a_label, d.b_label);
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(Block::new().borders(Borders::ALL).title(title)),
        table_area,
    );
    frame.render_widget(Paragraph::new(volumes.join("\n")), hv_area);
}

fn render_log(state: &State, frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = state
        .log
        .iter()
        .take(area.height.saturating_sub(2) as usize)
        .map(|l| {
            let color = match l.level {
                LogLevel::Info => terminal::TEXT,
                LogLevel::Warn => terminal::WARN,
                LogLevel::Error => terminal::FAILED,
            };
            Line::styled(l.text.clone(), Style::new().fg(color))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .title(" Log (newest first) "),
        ),
        area,
    );
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn render_popup(frame: &mut Frame, area: Rect, title: &str, text: &str) {
    let r = centered(area, 60, 5);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::new()
                .borders(Borders::ALL)
                .title(format!(" {title} ")),
        ),
        r,
    );
}

/// A file over the workbench, from its scrolled line.
fn render_text(frame: &mut Frame, area: Rect, t: &TextView) {
    let r = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let rows = r.height.saturating_sub(2) as usize;
    let last = (t.scroll + rows).min(t.lines.len());
    let title = format!(
        " {} — lines {}–{} of {} (j/k, PgUp/PgDn; any other key closes) ",
        t.title,
        (t.scroll + 1).min(last),
        last,
        t.lines.len()
    );
    let body: Vec<Line> = t.lines[t.scroll.min(t.lines.len())..last]
        .iter()
        .map(|l| Line::raw(l.clone()))
        .collect();
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(body).block(Block::new().borders(Borders::ALL).title(title)),
        r,
    );
}

fn render_help(frame: &mut Frame, area: Rect) {
    let mut text = keys::help_lines();
    text.extend(["".into(), "any key closes this help".into()]);
    let widest = text.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let r = centered(area, widest as u16 + 2, text.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(text.join("\n")).block(Block::new().borders(Borders::ALL).title(" Keys ")),
        r,
    );
}

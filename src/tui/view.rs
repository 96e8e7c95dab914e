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

use super::app::{ChartKind, Focus, LogLevel, RunState, State, View};
use super::keys;
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

pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let [main, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(keys::footer(area.width as usize))
            .style(Style::new().fg(terminal::FOOTER_FG).bg(terminal::FOOTER_BG)),
        footer,
    );

    let small = area.width < 60 || area.height < 16;
    if small {
        let [exps, runs] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(main);
        render_experiments(state, frame, exps);
        render_runs(state, frame, runs, true);
    } else {
        let left_w = (area.width / 4).clamp(18, 36);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(1)]).areas(main);
        render_experiments(state, frame, left);
        let table_h = (state.runs.len() as u16 + 3).clamp(4, main.height / 3);
        let log_h = if main.height >= 30 { 7 } else { 4 };
        let [runs, charts, log] = Layout::vertical([
            Constraint::Length(table_h),
            Constraint::Min(4),
            Constraint::Length(log_h),
        ])
        .areas(right);
        render_runs(state, frame, runs, false);
        match state.view {
            View::Curves => render_curves(state, frame, charts),
            View::Tradeoff => render_tradeoff(state, frame, charts),
        }
        render_log(state, frame, log);
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

fn render_experiments(state: &State, frame: &mut Frame, area: Rect) {
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
    let error = state
        .selected_experiment()
        .and_then(|e| e.status.as_ref().err());
    let (list_area, err_area) = match error {
        Some(_) if area.height > 8 => {
            let [a, b] =
                Layout::vertical([Constraint::Min(3), Constraint::Percentage(50)]).areas(area);
            (a, Some(b))
        }
        _ => (area, None),
    };
    let mut ls = ListState::default().with_selected(Some(state.selected));
    let list = List::new(items)
        .block(block)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_stateful_widget(list, list_area, &mut ls);
    if let (Some(msg), Some(a)) = (error, err_area) {
        let p = Paragraph::new(msg.as_str())
            .wrap(Wrap { trim: true })
            .style(Style::new().fg(terminal::FAILED))
            .block(Block::new().borders(Borders::ALL).title(" invalid "));
        frame.render_widget(p, a);
    }
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
    let title = match &state.sweep {
        Some(s) => format!(
            " Runs: {} {}",
            s.info.name,
            if s.running { "(running) " } else { "" }
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
    let rows: Vec<Row> = state
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let color = run_color(i);
            let status_style = Style::new().fg(match r.state {
                RunState::Failed => terminal::FAILED,
                RunState::Finished => terminal::OK,
                RunState::Queued | RunState::Running | RunState::Interrupted => terminal::RUNNING,
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
    let mut ts = TableState::default().with_selected(Some(state.run_selected));
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
    let series: Vec<Vec<(f64, f64)>> = state
        .runs
        .iter()
        .map(|r| {
            r.history
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
    let datasets: Vec<Dataset> = state
        .runs
        .iter()
        .zip(&series)
        .enumerate()
        .filter(|(_, (_, pts))| !pts.is_empty())
        .map(|(i, (r, pts))| {
            Dataset::default()
                .name(r.param_label())
                .marker(Marker::Braille)
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

fn render_help(frame: &mut Frame, area: Rect) {
    let mut text = keys::help_lines();
    text.extend(["".into(), "any key closes this help".into()]);
    let r = centered(area, 70, text.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(text.join("\n")).block(Block::new().borders(Borders::ALL).title(" Keys ")),
        r,
    );
}

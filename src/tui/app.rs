//! Workbench state and its pure `update`.

use std::collections::VecDeque;
use std::path::PathBuf;

use super::stored::{Opened, SweepListing};
use crate::compare::sweeps::SweepDiff;
use crate::config::{
    CurveKeys, ExperimentEntry, ExperimentInfo, RunSpec, is_lambda_zero, param_label,
};
use crate::events::{MetricMap, RunEvent, RunStatus};
use crate::plot::FigureKind;
use crate::store::ManifestRun;

/// Keys the workbench understands (decoupled from crossterm so `update` is testable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Up,
    Down,
    Tab,
    Enter,
    Esc,
    PageUp,
    PageDown,
    Char(char),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Queued,
    Running,
    Finished,
    Failed,
    Interrupted,
    /// A run of a stored sweep that has no files: it never started.
    NotRun,
}

impl RunState {
    pub fn label(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Finished => "finished",
            RunState::Failed => "FAILED",
            RunState::Interrupted => "stopped",
            RunState::NotRun => "not run",
        }
    }
}

/// Which runs the table, the charts and the trade-off show, by status (`f` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    Finished,
    Failed,
    /// Queued, running, stopped or never run.
    Unfinished,
}

impl StatusFilter {
    fn next(self) -> Self {
        match self {
            StatusFilter::All => StatusFilter::Finished,
            StatusFilter::Finished => StatusFilter::Failed,
            StatusFilter::Failed => StatusFilter::Unfinished,
            StatusFilter::Unfinished => StatusFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Finished => "finished",
            StatusFilter::Failed => "failed",
            StatusFilter::Unfinished => "unfinished",
        }
    }

    fn admits(self, state: RunState) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Finished => state == RunState::Finished,
            StatusFilter::Failed => state == RunState::Failed,
            StatusFilter::Unfinished => !matches!(state, RunState::Finished | RunState::Failed),
        }
    }
}

/// The run filter: a status and, optionally, one method (`F` cycles through the methods).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunFilter {
    pub status: StatusFilter,
    pub method: Option<String>,
}

impl RunFilter {
    pub fn admits(&self, r: &RunView) -> bool {
        self.status.admits(r.state) && self.method.as_ref().is_none_or(|m| *m == r.method)
    }

    pub fn is_all(&self) -> bool {
        self.status == StatusFilter::All && self.method.is_none()
    }

    /// `status: failed, method: mmr`, for the runs table's title.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.status != StatusFilter::All {
            parts.push(format!("status {}", self.status.label()));
        }
        if let Some(m) = &self.method {
            parts.push(format!("method {m}"));
        }
        parts.join(", ")
    }
}

/// A file shown over the workbench (a run's `config.yaml`, an experiment), scrolled by line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextView {
    pub title: String,
    pub lines: Vec<String>,
    /// The first line on screen.
    pub scroll: usize,
}

/// One evaluated or trained epoch as the charts need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochPoint {
    pub epoch: f64,
    pub loss: f64,
    pub auc: Option<f64>,
    pub coverage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub id: String,
    /// The run's method (`baseline`, a regulariser, a re-ranker).
    pub method: String,
    pub lambda: f64,
    /// A re-ranking run's θ.
    pub theta: Option<f64>,
    pub seed: u64,
    pub state: RunState,
    pub epoch: usize,
    pub epochs: usize,
    /// Progress within the epoch (batch, batches).
    pub batch: (usize, usize),
    /// Seconds since the run started, at its last epoch.
    pub seconds: f64,
    pub history: Vec<EpochPoint>,
    pub reason: Option<String>,
    pub test: MetricMap,
}

impl RunView {
    /// A run of a stored sweep before its files are read: not run until they say otherwise.
    pub fn stored(m: &ManifestRun, epochs: usize) -> Self {
        let mut r = Self::blank(m.run_id.clone(), m.method.clone(), epochs);
        (r.lambda, r.theta, r.seed, r.state) = (m.lambda, m.theta, m.seed, RunState::NotRun);
        r
    }

    pub fn queued(spec: &RunSpec, epochs: usize) -> Self {
        let mut r = Self::blank(spec.id.clone(), spec.method.name(), epochs);
        (r.lambda, r.theta, r.seed) = (spec.lambda, spec.method.theta(), spec.seed);
        r
    }

    /// A queued run with no progress, λ = 0 and seed 0 until the caller says otherwise.
    fn blank(id: String, method: String, epochs: usize) -> Self {
        Self {
            id,
            method,
            lambda: 0.0,
            theta: None,
            seed: 0,
            state: RunState::Queued,
            epoch: 0,
            epochs,
            batch: (0, 0),
            seconds: 0.0,
            history: Vec::new(),
            reason: None,
            test: MetricMap::new(),
        }
    }

    /// Seconds left, from the pace of the epochs so far.
    /// `λ=0.1`, or `θ=0.3` for a re-ranking run.
    pub fn param_label(&self) -> String {
        param_label(self.lambda, self.theta)
    }

    pub fn eta(&self) -> Option<f64> {
        (self.state == RunState::Running && self.epoch > 0)
            .then(|| self.seconds / self.epoch as f64 * (self.epochs - self.epoch) as f64)
    }

    pub fn last_auc(&self) -> Option<f64> {
        self.history.iter().rev().find_map(|p| p.auc)
    }

    pub fn last_coverage(&self) -> Option<f64> {
        self.history.iter().rev().find_map(|p| p.coverage)
    }
}

/// A finished run of the sweep on screen as a point of the trade-off view.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffPoint {
    /// Index into [`State::runs`]: which run this is (several runs may share a λ).
    pub run: usize,
    /// The run's method: points of one method share a marker.
    pub method: String,
    /// A λ = 0 training run (a baseline for the hypervolume).
    pub lambda_zero: bool,
    /// The diversity metric (test).
    pub x: f64,
    /// The relevance metric (test).
    pub y: f64,
    /// `λ=…`, for display only.
    pub label: String,
}

/// How a log line is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

/// One line of the workbench's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub level: LogLevel,
    pub text: String,
}

impl LogLine {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            level: LogLevel::Info,
            text: text.into(),
        }
    }

    pub fn warn(text: impl Into<String>) -> Self {
        Self {
            level: LogLevel::Warn,
            text: text.into(),
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self {
            level: LogLevel::Error,
            text: text.into(),
        }
    }
}

/// A past sweep of the selected experiment, for the trade-off overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct PastSweep {
    pub label: String,
    /// (diversity, relevance, λ label)
    pub points: Vec<(f64, f64, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Experiments,
    /// The stored sweeps (`runs/`).
    Sweeps,
    Runs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Curves,
    Tradeoff,
    /// Two stored sweeps: fronts overlaid, tables diffed.
    Compare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Loss,
    Auc,
    Coverage,
}

impl ChartKind {
    fn next(self) -> Self {
        match self {
            ChartKind::Loss => ChartKind::Auc,
            ChartKind::Auc => ChartKind::Coverage,
            ChartKind::Coverage => ChartKind::Loss,
        }
    }
}

/// The sweep on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    pub info: ExperimentInfo,
    pub out_dir: PathBuf,
    pub running: bool,
    /// Opened from the store (a snapshot of its files), not launched here.
    pub stored: bool,
}

/// The live sweep while a stored one is on screen: its events keep landing here.
#[derive(Debug, Clone, PartialEq)]
pub struct Behind {
    pub sweep: Sweep,
    pub runs: Vec<RunView>,
    pub run_selected: usize,
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Launch {
        file: PathBuf,
    },
    StopRun(String),
    StopAll,
    /// Render the sweep's figures; `figure` is the one of the view on screen.
    Export {
        dir: PathBuf,
        figure: FigureKind,
    },
    Reload,
    LoadPast {
        experiment: String,
    },
    /// List the stored sweeps again.
    ListSweeps,
    OpenSweep {
        dir: PathBuf,
    },
    /// Read two stored sweeps and compare them (`a` on screen, `b` selected).
    Compare {
        a: PathBuf,
        b: PathBuf,
    },
    /// Show a file over the workbench.
    ShowText {
        title: String,
        path: PathBuf,
    },
    Quit,
}

/// What the mouse did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    Click,
    WheelDown,
    WheelUp,
}

/// What a mouse event is over (the view's hit test decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An item of a pane's list (an index into its whole list, not its visible rows).
    Item(Focus, usize),
    /// A pane, away from its items.
    Pane(Focus),
}

/// Everything that can change the state.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Run(RunEvent),
    SweepStarted {
        experiment: usize,
        out_dir: PathBuf,
        runs: Vec<RunSpec>,
    },
    SweepEnded {
        error: Option<String>,
    },
    Experiments(Vec<ExperimentEntry>),
    Past(Vec<PastSweep>),
    Log(LogLine),
    Sweeps(Vec<SweepListing>),
    Opened(Box<Opened>),
    Compared(Box<SweepDiff>),
    Text {
        title: String,
        body: String,
    },
    /// The mouse at a cell, as the input thread read it; the runtime turns it into `Click` or
    /// `Wheel` through the view's hit test (`update` ignores it).
    Pointer {
        x: u16,
        y: u16,
        kind: Pointer,
    },
    /// A left click.
    Click(Target),
    /// The mouse wheel over a pane: one step down (`true`) or up.
    Wheel(Focus, bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub dir: PathBuf,
    pub experiments: Vec<ExperimentEntry>,
    pub selected: usize,
    pub focus: Focus,
    pub sweep: Option<Sweep>,
    pub runs: Vec<RunView>,
    pub run_selected: usize,
    pub view: View,
    pub chart: ChartKind,
    pub past: Vec<PastSweep>,
    /// Newest first.
    pub log: VecDeque<LogLine>,
    pub help: bool,
    pub confirm_quit: bool,
    /// A launch was asked for and its sweep has not reported its plan (or its end) yet.
    pub launching: bool,
    /// The stored sweeps, newest first.
    pub sweeps: Vec<SweepListing>,
    pub sweep_selected: usize,
    /// The live sweep, while a stored one is on screen.
    pub behind: Option<Box<Behind>>,
    pub filter: RunFilter,
    pub comparison: Option<Box<SweepDiff>>,
    pub text: Option<TextView>,
}

const LOG_LINES: usize = 200;

impl State {
    pub fn new(dir: PathBuf, experiments: Vec<ExperimentEntry>) -> Self {
        let mut s = Self {
            dir,
            experiments,
            selected: 0,
            focus: Focus::Experiments,
            sweep: None,
            runs: Vec::new(),
            run_selected: 0,
            view: View::Curves,
            chart: ChartKind::Auc,
            past: Vec::new(),
            log: VecDeque::new(),
            help: false,
            confirm_quit: false,
            launching: false,
            sweeps: Vec::new(),
            sweep_selected: 0,
            behind: None,
            filter: RunFilter::default(),
            comparison: None,
            text: None,
        };
        let n = s.experiments.len();
        let bad = s.experiments.iter().filter(|e| e.status.is_err()).count();
        s.log(LogLine::info(format!(
            "{n} experiment(s) in {}, {bad} invalid",
            s.dir.display()
        )));
        s
    }

    pub fn log(&mut self, line: LogLine) {
        self.log.push_front(line);
        self.log.truncate(LOG_LINES);
    }

    pub fn selected_experiment(&self) -> Option<&ExperimentEntry> {
        self.experiments.get(self.selected)
    }

    pub fn running(&self) -> bool {
        self.launching
            || self.sweep.as_ref().is_some_and(|s| s.running)
            || self.behind.as_ref().is_some_and(|b| b.sweep.running)
    }

    fn past_effect(&self) -> Vec<Effect> {
        match self.selected_experiment().map(|e| &e.status) {
            Some(Ok(info)) => vec![Effect::LoadPast {
                experiment: info.name.clone(),
            }],
            _ => Vec::new(),
        }
    }

    /// Indices of the runs the filter lets through, in table order.
    pub fn visible_runs(&self) -> Vec<usize> {
        self.runs
            .iter()
            .enumerate()
            .filter(|(_, r)| self.filter.admits(r))
            .map(|(i, _)| i)
            .collect()
    }

    /// The selected stored sweep.
    pub fn selected_sweep(&self) -> Option<&SweepListing> {
        self.sweeps.get(self.sweep_selected)
    }

    /// Applies one message; returns what the runtime must do. No I/O here.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Run(e) => {
                self.on_live_event(e);
                Vec::new()
            }
            Msg::SweepStarted {
                experiment,
                out_dir,
                runs,
            } => {
                self.launching = false;
                let Some(Ok(info)) = self.experiments.get(experiment).map(|e| e.status.clone())
                else {
                    return Vec::new();
                };
                // The new live sweep takes the screen, whatever was shown or behind.
                self.behind = None;
                self.runs = runs
                    .iter()
                    .map(|r| RunView::queued(r, info.epochs))
                    .collect();
                self.run_selected = 0;
                self.log(LogLine::info(format!(
                    "launched '{}': {} run(s) → {}",
                    info.name,
                    runs.len(),
                    out_dir.display()
                )));
                self.sweep = Some(Sweep {
                    info,
                    out_dir,
                    running: true,
                    stored: false,
                });
                vec![Effect::ListSweeps]
            }
            Msg::SweepEnded { error } => {
                self.launching = false;
                let (sweep, runs) = match (&mut self.behind, &mut self.sweep) {
                    (Some(b), _) => (Some(&mut b.sweep), &mut b.runs),
                    (None, s) => (s.as_mut(), &mut self.runs),
                };
                if let Some(s) = sweep {
                    s.running = false;
                }
                for r in runs.iter_mut() {
                    if r.state == RunState::Queued {
                        r.state = RunState::Interrupted;
                    }
                }
                let done = runs
                    .iter()
                    .filter(|r| r.state == RunState::Finished)
                    .count();
                let total = runs.len();
                match error {
                    Some(e) => self.log(LogLine::error(format!("sweep failed: {e}"))),
                    None => self.log(LogLine::info(format!(
                        "sweep ended: {done}/{total} run(s) finished"
                    ))),
                }
                let mut effects = self.past_effect();
                effects.push(Effect::ListSweeps);
                effects
            }
            Msg::Experiments(list) => {
                self.experiments = list;
                self.selected = self.selected.min(self.experiments.len().saturating_sub(1));
                let bad = self
                    .experiments
                    .iter()
                    .filter(|e| e.status.is_err())
                    .count();
                self.log(LogLine::info(format!(
                    "reloaded: {} experiment(s), {bad} invalid",
                    self.experiments.len()
                )));
                self.past_effect()
            }
            Msg::Past(p) => {
                self.past = p;
                Vec::new()
            }
            Msg::Log(line) => {
                self.log(line);
                Vec::new()
            }
            Msg::Sweeps(list) => {
                // Keep the same sweep selected when the list grows.
                let was = self.selected_sweep().map(|s| s.dir.clone());
                self.sweeps = list;
                self.sweep_selected = was
                    .and_then(|d| self.sweeps.iter().position(|s| s.dir == d))
                    .unwrap_or(0)
                    .min(self.sweeps.len().saturating_sub(1));
                Vec::new()
            }
            Msg::Opened(opened) => {
                self.show_stored(*opened);
                Vec::new()
            }
            Msg::Compared(diff) => {
                self.log(LogLine::info(format!(
                    "comparing {} (A) with {} (B): {} point(s)",
                    diff.a_label,
                    diff.b_label,
                    diff.rows.len()
                )));
                self.comparison = Some(diff);
                self.view = View::Compare;
                Vec::new()
            }
            Msg::Text { title, body } => {
                self.text = Some(TextView {
                    title,
                    lines: body.lines().map(str::to_string).collect(),
                    scroll: 0,
                });
                Vec::new()
            }
            Msg::Pointer { .. } => Vec::new(),
            Msg::Click(target) => self.on_click(target),
            Msg::Wheel(pane, down) => {
                if self.text.is_some() {
                    return self.on_key(if down { Key::Down } else { Key::Up });
                }
                self.focus = pane;
                self.move_selection(if down { 1 } else { -1 })
            }
        }
    }

    fn on_click(&mut self, target: Target) -> Vec<Effect> {
        if self.help || self.confirm_quit || self.text.is_some() {
            return Vec::new();
        }
        let (pane, item) = match target {
            Target::Item(p, i) => (p, Some(i)),
            Target::Pane(p) => (p, None),
        };
        self.focus = pane;
        let Some(i) = item else {
            return Vec::new();
        };
        match pane {
            Focus::Experiments if i < self.experiments.len() && i != self.selected => {
                self.selected = i;
                self.past_effect()
            }
            Focus::Sweeps if i < self.sweeps.len() => {
                self.sweep_selected = i;
                Vec::new()
            }
            Focus::Runs if i < self.runs.len() => {
                self.run_selected = i;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A stored sweep takes the screen; a live one goes behind it and keeps its events.
    fn show_stored(&mut self, o: Opened) {
        if let Some(s) = self.sweep.take()
            && s.running
        {
            self.behind = Some(Box::new(Behind {
                sweep: s,
                runs: std::mem::take(&mut self.runs),
                run_selected: self.run_selected,
            }));
        }
        let curves = Some(o.info.curves);
        self.runs = o
            .runs
            .iter()
            .map(|m| RunView::stored(m, o.info.epochs))
            .collect();
        for e in o.events {
            apply_event(&mut self.runs, curves, e);
        }
        // A snapshot: a run that has epochs but no summary was stopped or killed (or is
        // being written elsewhere: `--watch DIR` follows it).
        for r in &mut self.runs {
            if r.state == RunState::Running {
                r.state = RunState::Interrupted;
            }
        }
        self.run_selected = 0;
        self.filter = RunFilter::default();
        let finished = self
            .runs
            .iter()
            .filter(|r| r.state == RunState::Finished)
            .count();
        self.log(LogLine::info(format!(
            "opened {} ({finished}/{} run(s) finished)",
            o.dir.display(),
            self.runs.len()
        )));
        self.sweep = Some(Sweep {
            info: o.info,
            out_dir: o.dir,
            running: false,
            stored: true,
        });
        if self.view == View::Compare {
            self.view = View::Curves;
        }
    }

    /// The live sweep back on screen.
    fn bring_back_live(&mut self) {
        if let Some(b) = self.behind.take() {
            self.sweep = Some(b.sweep);
            self.runs = b.runs;
            self.run_selected = b.run_selected;
            self.filter = RunFilter::default();
            self.log(LogLine::info("back to the live sweep"));
        }
    }

    fn on_text_key(&mut self, k: Key) -> Vec<Effect> {
        use super::keys::{Action, action_for};
        let Some(t) = &mut self.text else {
            return Vec::new();
        };
        let last = t.lines.len().saturating_sub(1);
        match (k, action_for(k)) {
            (Key::PageDown, _) => t.scroll = (t.scroll + 20).min(last),
            (Key::PageUp, _) => t.scroll = t.scroll.saturating_sub(20),
            (_, Some(Action::Down)) => t.scroll = (t.scroll + 1).min(last),
            (_, Some(Action::Up)) => t.scroll = t.scroll.saturating_sub(1),
            // Esc, q, v or any other key closes the text.
            _ => self.text = None,
        }
        Vec::new()
    }

    fn on_key(&mut self, k: Key) -> Vec<Effect> {
        use super::keys::{Action, action_for};

        let action = action_for(k);
        if self.confirm_quit {
            // `y` means "yes" here only, so it is not in the key table; `q` again quits too.
            return if k == Key::Char('y') || action == Some(Action::Quit) {
                vec![Effect::StopAll, Effect::Quit]
            } else {
                self.confirm_quit = false;
                Vec::new()
            };
        }
        if self.help {
            // Any key closes the help.
            self.help = false;
            return Vec::new();
        }
        if self.text.is_some() {
            return self.on_text_key(k);
        }
        let Some(action) = action else {
            return Vec::new();
        };
        match action {
            Action::Quit => {
                if self.running() {
                    self.confirm_quit = true;
                    Vec::new()
                } else {
                    vec![Effect::Quit]
                }
            }
            Action::Help => {
                self.help = true;
                Vec::new()
            }
            Action::SwitchPane => {
                self.focus = match self.focus {
                    Focus::Experiments => Focus::Sweeps,
                    Focus::Sweeps => Focus::Runs,
                    Focus::Runs => Focus::Experiments,
                };
                Vec::new()
            }
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::ToggleView => {
                self.view = match self.view {
                    View::Curves => View::Tradeoff,
                    View::Tradeoff if self.comparison.is_some() => View::Compare,
                    View::Tradeoff | View::Compare => View::Curves,
                };
                Vec::new()
            }
            Action::NextChart => {
                self.chart = self.chart.next();
                Vec::new()
            }
            Action::Reload => vec![Effect::Reload, Effect::ListSweeps],
            Action::StopAll => {
                if self.running() {
                    self.log(LogLine::warn("stopping all runs"));
                    vec![Effect::StopAll]
                } else {
                    Vec::new()
                }
            }
            Action::StopRun => {
                let live = self.sweep.as_ref().is_some_and(|s| !s.stored);
                match self.runs.get(self.run_selected) {
                    Some(r)
                        if live
                            && (r.state == RunState::Running || r.state == RunState::Queued) =>
                    {
                        let id = r.id.clone();
                        self.log(LogLine::warn(format!("stopping {id}")));
                        vec![Effect::StopRun(id)]
                    }
                    Some(r) => {
                        let line = LogLine::info(format!("{} is not running", r.id));
                        self.log(line);
                        Vec::new()
                    }
                    None => Vec::new(),
                }
            }
            Action::Export => match &self.sweep {
                Some(s) if self.runs.iter().any(|r| r.state != RunState::Queued) => {
                    vec![Effect::Export {
                        dir: s.out_dir.clone(),
                        figure: self.figure_on_screen(),
                    }]
                }
                _ => {
                    self.log(LogLine::info("nothing to export yet: launch a sweep first"));
                    Vec::new()
                }
            },
            Action::Enter => match self.focus {
                Focus::Experiments => self.launch(),
                Focus::Sweeps => self.open_selected(),
                Focus::Runs => self.show_text(),
            },
            Action::Compare => self.compare_selected(),
            Action::ShowText => self.show_text(),
            Action::FilterStatus => {
                self.filter.status = self.filter.status.next();
                self.after_filter();
                Vec::new()
            }
            Action::FilterMethod => {
                let mut methods: Vec<&str> = Vec::new();
                for r in &self.runs {
                    if !methods.contains(&r.method.as_str()) {
                        methods.push(&r.method);
                    }
                }
                let next = match &self.filter.method {
                    None => methods.first(),
                    Some(m) => methods
                        .iter()
                        .position(|x| x == m)
                        .and_then(|i| methods.get(i + 1)),
                };
                self.filter.method = next.map(|m| m.to_string());
                self.after_filter();
                Vec::new()
            }
        }
    }

    /// Keeps the selected run among the visible ones and says what the filter shows.
    fn after_filter(&mut self) {
        let visible = self.visible_runs();
        if !visible.contains(&self.run_selected) {
            self.run_selected = visible.first().copied().unwrap_or(0);
        }
        let text = if self.filter.is_all() {
            format!("filter off: {} run(s)", self.runs.len())
        } else {
            format!(
                "filter {}: {} of {} run(s)",
                self.filter.describe(),
                visible.len(),
                self.runs.len()
            )
        };
        self.log(LogLine::info(text));
    }

    fn open_selected(&mut self) -> Vec<Effect> {
        let Some(dir) = self.selected_sweep().map(|s| s.dir.clone()) else {
            self.log(LogLine::info(format!(
                "no stored sweep under {}/ yet",
                crate::sweep::RUNS_ROOT
            )));
            return Vec::new();
        };
        if self.behind.as_ref().is_some_and(|b| b.sweep.out_dir == dir) {
            self.bring_back_live();
            return Vec::new();
        }
        if self
            .sweep
            .as_ref()
            .is_some_and(|s| s.out_dir == dir && !s.stored)
        {
            self.log(LogLine::info("that is the live sweep on screen"));
            return Vec::new();
        }
        vec![Effect::OpenSweep { dir }]
    }

    fn compare_selected(&mut self) -> Vec<Effect> {
        let on_screen = self.sweep.as_ref().map(|s| s.out_dir.clone());
        let selected = self.selected_sweep().map(|s| s.dir.clone());
        match (on_screen, selected) {
            (Some(a), Some(b)) if a != b => vec![Effect::Compare { a, b }],
            (Some(_), Some(_)) => {
                self.log(LogLine::info(
                    "select another sweep in Sweeps to compare with the one on screen",
                ));
                Vec::new()
            }
            _ => {
                self.log(LogLine::info(
                    "open a sweep first (Sweeps, Enter), then select another and press m",
                ));
                Vec::new()
            }
        }
    }

    /// The file behind the selection: the experiment's YAML, a stored sweep's
    /// `experiment.yaml`, or the selected run's `config.yaml`.
    fn show_text(&mut self) -> Vec<Effect> {
        let pick = match self.focus {
            Focus::Experiments => self
                .selected_experiment()
                .map(|e| (e.path.display().to_string(), e.path.clone())),
            Focus::Sweeps => self.selected_sweep().map(|s| {
                (
                    format!("{} experiment.yaml", s.label()),
                    s.dir.join(crate::store::EXPERIMENT_FILE),
                )
            }),
            Focus::Runs => match (&self.sweep, self.runs.get(self.run_selected)) {
                (Some(s), Some(r)) => Some((
                    format!("{} config.yaml", r.id),
                    s.out_dir.join(&r.id).join("config.yaml"),
                )),
                _ => None,
            },
        };
        match pick {
            Some((title, path)) => vec![Effect::ShowText { title, path }],
            None => Vec::new(),
        }
    }

    fn move_selection(&mut self, delta: isize) -> Vec<Effect> {
        let step = |i: usize, n: usize| {
            if n == 0 {
                0
            } else {
                (i as isize + delta).clamp(0, n as isize - 1) as usize
            }
        };
        match self.focus {
            Focus::Experiments => {
                let before = self.selected;
                self.selected = step(self.selected, self.experiments.len());
                if before != self.selected {
                    self.past_effect()
                } else {
                    Vec::new()
                }
            }
            Focus::Sweeps => {
                self.sweep_selected = step(self.sweep_selected, self.sweeps.len());
                Vec::new()
            }
            Focus::Runs => {
                // Within the runs the filter shows.
                let visible = self.visible_runs();
                let at = visible
                    .iter()
                    .position(|&i| i == self.run_selected)
                    .unwrap_or(0);
                if let Some(&i) = visible.get(step(at, visible.len())) {
                    self.run_selected = i;
                }
                Vec::new()
            }
        }
    }

    fn launch(&mut self) -> Vec<Effect> {
        match self.selected_experiment() {
            Some(ExperimentEntry { status: Ok(_), .. }) if self.running() => {
                self.log(LogLine::info(
                    "a sweep is already running: stop it (S) before launching another",
                ));
                Vec::new()
            }
            Some(ExperimentEntry {
                path,
                status: Ok(_),
            }) => {
                let file = path.clone();
                self.launching = true;
                vec![Effect::Launch { file }]
            }
            Some(ExperimentEntry { status: Err(e), .. }) => {
                let line = LogLine::error(format!("cannot launch: {e}"));
                self.log(line);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// An event of the live sweep: to its runs, on screen or behind a stored one.
    fn on_live_event(&mut self, e: RunEvent) {
        let line = match (&mut self.behind, &self.sweep) {
            (Some(b), _) => apply_event(&mut b.runs, Some(b.sweep.info.curves), e),
            (None, Some(s)) if !s.stored => {
                let curves = Some(s.info.curves);
                apply_event(&mut self.runs, curves, e)
            }
            _ => None,
        };
        if let Some(l) = line {
            self.log(l);
        }
    }

    /// The figure file (stem) that shows what is on screen.
    pub fn figure_on_screen(&self) -> FigureKind {
        match (self.view, self.chart) {
            (View::Tradeoff | View::Compare, _) => FigureKind::Tradeoff,
            (View::Curves, ChartKind::Loss) => FigureKind::Loss,
            (View::Curves, ChartKind::Auc) => FigureKind::Auc,
            (View::Curves, ChartKind::Coverage) => FigureKind::Coverage,
        }
    }

    /// Points of the trade-off view: finished runs of the sweep on screen, each with the
    /// index of its run.
    pub fn tradeoff_points(&self) -> Vec<TradeoffPoint> {
        let Some(s) = &self.sweep else {
            return Vec::new();
        };
        self.runs
            .iter()
            .enumerate()
            .filter(|(_, r)| self.filter.admits(r))
            .filter_map(|(run, r)| {
                Some(TradeoffPoint {
                    run,
                    method: r.method.clone(),
                    lambda_zero: is_lambda_zero(r.lambda, r.theta),
                    x: *r.test.get(&s.info.diversity)?,
                    y: *r.test.get(&s.info.relevance)?,
                    label: format!("{} {}", r.method, r.param_label()),
                })
            })
            .collect()
    }
}

/// Applies a run event to the run it names in `runs`; returns the log line it makes.
fn apply_event(runs: &mut [RunView], curves: Option<CurveKeys>, e: RunEvent) -> Option<LogLine> {
    let i = runs.iter().position(|r| r.id == e.run_id())?;
    let r = &mut runs[i];
    match e {
        RunEvent::Started { epochs, device, .. } => {
            r.state = RunState::Running;
            r.epochs = epochs;
            Some(LogLine::info(format!("{} started on {device}", r.id)))
        }
        RunEvent::Progress {
            epoch,
            batch,
            batches,
            ..
        } => {
            r.batch = (batch, batches);
            r.epoch = r.epoch.max(epoch.saturating_sub(1));
            None
        }
        RunEvent::Epoch { record, .. } => {
            r.epoch = record.epoch;
            r.seconds = record.seconds;
            r.history.push(EpochPoint {
                epoch: record.epoch as f64,
                loss: record.loss,
                auc: curves.and_then(|c| record.eval.as_ref()?.get(&c.auc).copied()),
                coverage: curves.and_then(|c| record.eval.as_ref()?.get(&c.coverage).copied()),
            });
            None
        }
        RunEvent::Finished { outcome, .. } => {
            r.state = match outcome.status {
                RunStatus::Finished => RunState::Finished,
                RunStatus::Interrupted => RunState::Interrupted,
                RunStatus::Failed => RunState::Failed,
            };
            if let Some(t) = &outcome.test {
                r.test = t.means.clone();
            }
            let text = format!("{} {} after {:.1}s", r.id, r.state.label(), outcome.seconds);
            Some(match r.state {
                RunState::Failed => LogLine::error(text),
                // Stopped on request (s, S or quitting).
                RunState::Interrupted => LogLine::warn(text),
                _ => LogLine::info(text),
            })
        }
        RunEvent::Failed { reason, .. } => {
            r.state = RunState::Failed;
            let line = LogLine::error(format!("{} FAILED: {reason}", r.id));
            r.reason = Some(reason);
            Some(line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CurveKeys;
    use crate::events::EpochRecord;
    use crate::metrics::{Metric, MetricKey};
    use std::collections::BTreeMap;

    fn key(name: &str) -> MetricKey {
        name.parse().unwrap()
    }

    fn entry(name: &str, ok: bool) -> ExperimentEntry {
        ExperimentEntry {
            path: PathBuf::from(format!("experiments/{name}.yaml")),
            status: if ok {
                Ok(ExperimentInfo {
                    name: name.into(),
                    runs: 2,
                    lambdas: vec![0.0, 1.0],
                    epochs: 4,
                    relevance: MetricKey::at(Metric::Ndcg, 10),
                    diversity: MetricKey::at(Metric::Coverage, 10),
                    curves: CurveKeys {
                        auc: MetricKey::AUC,
                        coverage: MetricKey::at(Metric::Coverage, 10),
                    },
                })
            } else {
                Err(format!(
                    "experiments/{name}.yaml: field 'train.epochs' has invalid value '0': must be at least 1"
                ))
            },
        }
    }

    fn state() -> State {
        State::new(
            PathBuf::from("experiments"),
            vec![entry("good", true), entry("bad", false)],
        )
    }

    fn started(s: &mut State) {
        let runs = vec![RunSpec::new(0.0, 1), RunSpec::new(1.0, 1)];
        s.update(Msg::SweepStarted {
            experiment: 0,
            out_dir: "runs/good/x".into(),
            runs,
        });
    }

    #[test]
    fn enter_launches_a_valid_experiment_and_refuses_an_invalid_one() {
        let mut s = state();
        assert_eq!(
            s.update(Msg::Key(Key::Enter)),
            vec![Effect::Launch {
                file: "experiments/good.yaml".into()
            }]
        );
        s.update(Msg::Key(Key::Char('j')));
        assert_eq!(s.selected, 1);
        assert!(s.update(Msg::Key(Key::Enter)).is_empty());
        assert!(s.log[0].text.contains("train.epochs"), "{:?}", s.log[0]);
        // Moving past the end stays on the last item.
        s.update(Msg::Key(Key::Down));
        assert_eq!(s.selected, 1);
    }

    #[test]
    fn events_fill_the_runs_and_the_tradeoff() {
        let mut s = state();
        started(&mut s);
        assert_eq!(s.runs.len(), 2);
        assert_eq!(s.runs[0].state, RunState::Queued);
        s.update(Msg::Run(RunEvent::Started {
            run_id: "lambda-0_seed-1".into(),
            device: "cpu".into(),
            epochs: 4,
            batches_per_epoch: 10,
            train_pairs: 100,
        }));
        let eval = BTreeMap::from([(key("auc"), 0.8), (key("coverage@10"), 0.3)]);
        s.update(Msg::Run(RunEvent::Epoch {
            run_id: "lambda-0_seed-1".into(),
            record: EpochRecord {
                epoch: 1,
                loss: 0.5,
                relevance_loss: 0.5,
                diversity_loss: 0.1,
                l2_loss: f64::NAN,
                eval: Some(eval),
                seconds: 2.0,
            },
        }));
        let r = &s.runs[0];
        assert_eq!(
            (r.state, r.epoch, r.last_auc(), r.last_coverage()),
            (RunState::Running, 1, Some(0.8), Some(0.3))
        );
        assert_eq!(r.eta(), Some(6.0)); // 2 s per epoch, 3 to go
        s.update(Msg::Run(RunEvent::Failed {
            run_id: "exposure_entropy_lambda-1_seed-1".into(),
            reason: "loss became non-finite".into(),
        }));
        assert_eq!(s.runs[1].state, RunState::Failed);
        assert!(s.log[0].text.contains("non-finite"));
        assert!(s.tradeoff_points().is_empty(), "no finished run yet");
    }

    /// The workbench's memory grows with the runs and their epochs, never with the events
    /// (progress ticks, log lines): a soak-sized sweep of 256 runs × 50 epochs, with ten
    /// progress events per epoch and a log line per run, leaves 50 points per run and a log
    /// of at most `LOG_LINES`.
    #[test]
    fn memory_is_bounded_by_runs_and_epochs_not_by_events() {
        let mut s = state();
        let runs: Vec<RunSpec> = (0..256)
            .map(|i| RunSpec::new(f64::from(i) / 256.0, 1))
            .collect();
        let ids: Vec<String> = runs.iter().map(|r| r.id.clone()).collect();
        s.update(Msg::SweepStarted {
            experiment: 0,
            out_dir: "runs/good/x".into(),
            runs,
        });
        for id in &ids {
            s.update(Msg::Run(RunEvent::Started {
                run_id: id.clone(),
                device: "cpu".into(),
                epochs: 50,
                batches_per_epoch: 10,
                train_pairs: 100,
            }));
            for epoch in 1..=50 {
                for batch in 1..=10 {
                    s.update(Msg::Run(RunEvent::Progress {
                        run_id: id.clone(),
                        epoch,
                        batch,
                        batches: 10,
                    }));
                }
                s.update(Msg::Run(RunEvent::Epoch {
                    run_id: id.clone(),
                    record: EpochRecord {
                        epoch,
                        loss: 0.5,
                        relevance_loss: 0.5,
                        diversity_loss: 0.1,
                        l2_loss: f64::NAN,
                        eval: Some(BTreeMap::from([(key("auc"), 0.8)])),
                        seconds: epoch as f64,
                    },
                }));
            }
            s.update(Msg::Run(RunEvent::Failed {
                run_id: id.clone(),
                reason: "x".repeat(100),
            }));
        }
        assert_eq!(s.runs.len(), 256);
        assert!(s.runs.iter().all(|r| r.history.len() == 50));
        assert!(s.log.len() <= LOG_LINES, "{} log lines", s.log.len());
        let points: usize = s.runs.iter().map(|r| r.history.capacity()).sum();
        assert!(
            points * std::mem::size_of::<EpochPoint>() < 1 << 20,
            "{points} points held"
        );
    }

    #[test]
    fn a_second_enter_while_the_sweep_prepares_launches_nothing() {
        let mut s = state();
        assert_eq!(s.update(Msg::Key(Key::Enter)).len(), 1);
        assert!(s.running(), "launching counts as running");
        assert!(s.update(Msg::Key(Key::Enter)).is_empty());
        assert!(s.log[0].text.contains("already running"), "{:?}", s.log[0]);
        // The sweep failed before its plan (say, unreadable data): launching is over.
        s.update(Msg::SweepEnded {
            error: Some("cannot read data".into()),
        });
        assert!(!s.running());
        assert_eq!(s.update(Msg::Key(Key::Enter)).len(), 1);
        started(&mut s);
        assert!(!s.launching && s.running());
    }

    #[test]
    fn stop_keys_and_quit_confirmation() {
        let mut s = state();
        started(&mut s);
        s.update(Msg::Key(Key::Tab));
        s.update(Msg::Key(Key::Tab));
        assert_eq!(s.focus, Focus::Runs);
        assert_eq!(
            s.update(Msg::Key(Key::Char('s'))),
            vec![Effect::StopRun("lambda-0_seed-1".into())]
        );
        assert_eq!(s.update(Msg::Key(Key::Char('S'))), vec![Effect::StopAll]);
        // Runs in flight: q asks first; any other key cancels; y quits.
        assert!(s.update(Msg::Key(Key::Char('q'))).is_empty());
        assert!(s.confirm_quit);
        assert!(s.update(Msg::Key(Key::Char('n'))).is_empty());
        assert!(!s.confirm_quit);
        s.update(Msg::Key(Key::Char('q')));
        assert_eq!(
            s.update(Msg::Key(Key::Char('y'))),
            vec![Effect::StopAll, Effect::Quit]
        );
        // No sweep running: q quits at once.
        let mut idle = state();
        assert_eq!(idle.update(Msg::Key(Key::Char('q'))), vec![Effect::Quit]);
    }

    #[test]
    fn views_help_export_and_reload() {
        let mut s = state();
        assert!(
            s.update(Msg::Key(Key::Char('e'))).is_empty(),
            "nothing to export before a sweep"
        );
        s.update(Msg::Key(Key::Char('t')));
        assert_eq!(s.view, View::Tradeoff);
        s.update(Msg::Key(Key::Char('c')));
        assert_eq!(s.chart, ChartKind::Coverage);
        s.update(Msg::Key(Key::Char('?')));
        assert!(s.help);
        assert!(
            s.update(Msg::Key(Key::Char('q'))).is_empty(),
            "a key closes help, not the app"
        );
        assert!(!s.help);
        assert_eq!(
            s.update(Msg::Key(Key::Char('r'))),
            vec![Effect::Reload, Effect::ListSweeps]
        );
        started(&mut s);
        s.update(Msg::SweepEnded { error: None });
        assert_eq!(
            s.runs[0].state,
            RunState::Interrupted,
            "queued runs never started"
        );
        s.runs[0].state = RunState::Finished;
        // The view on screen is the trade-off (t was pressed above).
        assert_eq!(
            s.update(Msg::Key(Key::Char('e'))),
            vec![Effect::Export {
                dir: "runs/good/x".into(),
                figure: FigureKind::Tradeoff
            }]
        );
    }

    fn finished(run_id: &str, status: RunStatus, test: &[(&str, f64)]) -> Msg {
        Msg::Run(RunEvent::Finished {
            run_id: run_id.into(),
            outcome: Box::new(crate::events::RunOutcome {
                status,
                epochs_completed: 4,
                seconds: 3.0,
                test: (status == RunStatus::Finished).then(|| crate::events::TestReport {
                    means: test.iter().map(|(k, v)| (key(k), *v)).collect(),
                    ..Default::default()
                }),
                validation: None,
                selection: None,
                candidates: None,
            }),
        })
    }

    #[test]
    fn tradeoff_points_name_their_run_by_index_when_runs_share_a_lambda() {
        let mut s = state();
        // Two seeds of the same λ: the same `λ=0.5` label, two runs.
        s.update(Msg::SweepStarted {
            experiment: 0,
            out_dir: "runs/good/x".into(),
            runs: vec![RunSpec::new(0.5, 1), RunSpec::new(0.5, 2)],
        });
        s.update(finished(
            "exposure_entropy_lambda-0.5_seed-2",
            RunStatus::Finished,
            &[("ndcg@10", 0.2), ("coverage@10", 0.6)],
        ));
        s.update(finished(
            "exposure_entropy_lambda-0.5_seed-1",
            RunStatus::Finished,
            &[("ndcg@10", 0.3), ("coverage@10", 0.4)],
        ));
        let points = s.tradeoff_points();
        assert_eq!(
            points,
            vec![
                TradeoffPoint {
                    run: 0,
                    method: "exposure_entropy".into(),
                    lambda_zero: false,
                    x: 0.4,
                    y: 0.3,
                    label: "exposure_entropy λ=0.5".into()
                },
                TradeoffPoint {
                    run: 1,
                    method: "exposure_entropy".into(),
                    lambda_zero: false,
                    x: 0.6,
                    y: 0.2,
                    label: "exposure_entropy λ=0.5".into()
                },
            ]
        );
        for p in &points {
            let r = &s.runs[p.run];
            assert_eq!(
                (r.test[&key("coverage@10")], r.test[&key("ndcg@10")]),
                (p.x, p.y)
            );
        }
        assert_eq!(s.runs[points[1].run].seed, 2);
    }

    #[test]
    fn log_lines_carry_their_level() {
        let mut s = state();
        assert_eq!(s.log[0].level, LogLevel::Info, "{:?}", s.log[0]);
        started(&mut s);
        assert_eq!(s.log[0].level, LogLevel::Info, "{:?}", s.log[0]);
        s.update(Msg::Run(RunEvent::Failed {
            run_id: "exposure_entropy_lambda-1_seed-1".into(),
            reason: "loss became non-finite".into(),
        }));
        assert_eq!(s.log[0].level, LogLevel::Error);
        assert!(s.log[0].text.contains("FAILED"), "{:?}", s.log[0]);
        s.update(finished(
            "exposure_entropy_lambda-1_seed-1",
            RunStatus::Failed,
            &[],
        ));
        assert_eq!(s.log[0].level, LogLevel::Error, "{:?}", s.log[0]);
        assert_eq!(s.update(Msg::Key(Key::Char('S'))), vec![Effect::StopAll]);
        assert_eq!(
            s.log[0],
            LogLine {
                level: LogLevel::Warn,
                text: "stopping all runs".into()
            }
        );
        s.update(Msg::Key(Key::Tab));
        s.update(Msg::Key(Key::Tab));
        s.update(Msg::Key(Key::Char('s')));
        assert_eq!(s.log[0].level, LogLevel::Warn, "{:?}", s.log[0]);
        assert!(s.log[0].text.contains("stopping lambda-0_seed-1"));
        s.update(finished("lambda-0_seed-1", RunStatus::Interrupted, &[]));
        assert_eq!(s.log[0].level, LogLevel::Warn, "{:?}", s.log[0]);
        s.update(Msg::SweepEnded {
            error: Some("disk full".into()),
        });
        assert_eq!(s.log[0].level, LogLevel::Error);
        assert!(s.log[0].text.contains("sweep failed"), "{:?}", s.log[0]);
        // Selecting the invalid experiment and pressing Enter: cannot launch, an error.
        s.update(Msg::Key(Key::Tab));
        s.update(Msg::Key(Key::Char('j')));
        s.update(Msg::Key(Key::Enter));
        assert_eq!(s.log[0].level, LogLevel::Error);
        assert!(s.log[0].text.starts_with("cannot launch"), "{:?}", s.log[0]);
        s.update(Msg::Log(LogLine::info("backend: cpu")));
        assert_eq!(s.log[0], LogLine::info("backend: cpu"));
    }
}

#[cfg(test)]
mod browser_tests {
    //! The workbench as a browser of the store: opening stored sweeps (with a live one behind),
    //! filtering, comparing, viewing files, and the mouse.
    use super::*;
    use crate::config::CurveKeys;
    use crate::events::{EpochRecord, RunOutcome, TestReport};
    use crate::metrics::{Metric, MetricKey};
    use std::collections::BTreeMap;

    fn key(name: &str) -> MetricKey {
        name.parse().unwrap()
    }

    fn info(name: &str) -> ExperimentInfo {
        ExperimentInfo {
            name: name.into(),
            runs: 2,
            lambdas: vec![0.0, 1.0],
            epochs: 2,
            relevance: MetricKey::at(Metric::Ndcg, 10),
            diversity: MetricKey::at(Metric::Coverage, 10),
            curves: CurveKeys {
                auc: MetricKey::AUC,
                coverage: MetricKey::at(Metric::Coverage, 10),
            },
        }
    }

    fn state() -> State {
        let mut s = State::new(
            PathBuf::from("experiments"),
            vec![ExperimentEntry {
                path: "experiments/live.yaml".into(),
                status: Ok(info("live")),
            }],
        );
        let listing = |name: &str| SweepListing {
            dir: PathBuf::from(format!("runs/old/{name}")),
            experiment: "old".into(),
            name: name.into(),
            runs: 3,
            finished: 2,
            failed: 1,
            unfinished: 0,
        };
        s.update(Msg::Sweeps(vec![listing("s2"), listing("s1")]));
        s
    }

    fn manifest_run(id: &str, method: &str, lambda: f64) -> ManifestRun {
        ManifestRun {
            run_id: id.into(),
            method: method.into(),
            lambda,
            theta: None,
            seed: 1,
        }
    }

    fn finished(id: &str, status: RunStatus, ndcg: f64) -> RunEvent {
        RunEvent::Finished {
            run_id: id.into(),
            outcome: Box::new(RunOutcome {
                status,
                epochs_completed: 2,
                seconds: 1.0,
                test: (status == RunStatus::Finished).then(|| TestReport {
                    means: BTreeMap::from([(key("ndcg@10"), ndcg), (key("coverage@10"), 0.5)]),
                    ..TestReport::default()
                }),
                validation: None,
                selection: None,
                candidates: None,
            }),
        }
    }

    fn epoch(id: &str, e: usize) -> RunEvent {
        RunEvent::Epoch {
            run_id: id.into(),
            record: EpochRecord {
                epoch: e,
                loss: 0.5,
                relevance_loss: 0.5,
                diversity_loss: f64::NAN,
                l2_loss: f64::NAN,
                eval: Some(BTreeMap::from([(MetricKey::AUC, 0.7)])),
                seconds: e as f64,
            },
        }
    }

    /// The stored sweep `runs/old/s1`: a finished baseline, a failed λ = 1 run, and a run that
    /// trained one epoch and has no summary (killed), and one that never started.
    fn opened() -> Msg {
        let started = |id: &str| RunEvent::Started {
            run_id: id.into(),
            device: "another process".into(),
            epochs: 2,
            batches_per_epoch: 0,
            train_pairs: 0,
        };
        Msg::Opened(Box::new(Opened {
            dir: "runs/old/s1".into(),
            info: info("old"),
            runs: vec![
                manifest_run("lambda-0_seed-1", "baseline", 0.0),
                manifest_run("exposure_entropy_lambda-1_seed-1", "exposure_entropy", 1.0),
                manifest_run("mmr_lambda-0.5_seed-1", "mmr", 0.5),
                manifest_run("mmr_lambda-0.9_seed-1", "mmr", 0.9),
            ],
            events: vec![
                started("lambda-0_seed-1"),
                epoch("lambda-0_seed-1", 1),
                epoch("lambda-0_seed-1", 2),
                finished("lambda-0_seed-1", RunStatus::Finished, 0.3),
                started("exposure_entropy_lambda-1_seed-1"),
                RunEvent::Failed {
                    run_id: "exposure_entropy_lambda-1_seed-1".into(),
                    reason: "loss became non-finite".into(),
                },
                started("mmr_lambda-0.5_seed-1"),
                epoch("mmr_lambda-0.5_seed-1", 1),
            ],
        }))
    }

    #[test]
    fn an_opened_sweep_shows_its_runs_as_stored_and_stop_keys_leave_it_alone() {
        let mut s = state();
        s.focus = Focus::Sweeps;
        s.update(Msg::Key(Key::Down));
        assert_eq!(
            s.update(Msg::Key(Key::Enter)),
            vec![Effect::OpenSweep {
                dir: "runs/old/s1".into()
            }]
        );
        s.update(opened());
        let states: Vec<RunState> = s.runs.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [
                RunState::Finished,
                RunState::Failed,
                RunState::Interrupted,
                RunState::NotRun
            ]
        );
        assert_eq!(s.runs[0].history.len(), 2);
        assert_eq!(s.runs[0].last_auc(), Some(0.7));
        assert_eq!(s.tradeoff_points().len(), 1);
        let sw = s.sweep.as_ref().unwrap();
        assert!(sw.stored && !sw.running);
        assert!(!s.running());
        s.focus = Focus::Runs;
        s.run_selected = 2;
        assert!(
            s.update(Msg::Key(Key::Char('s'))).is_empty(),
            "a stored run is not stopped"
        );
        // Enter in Runs shows the run's config.
        assert_eq!(
            s.update(Msg::Key(Key::Enter)),
            vec![Effect::ShowText {
                title: "mmr_lambda-0.5_seed-1 config.yaml".into(),
                path: "runs/old/s1/mmr_lambda-0.5_seed-1/config.yaml".into()
            }]
        );
    }

    #[test]
    fn a_live_sweep_keeps_its_events_behind_a_stored_one_and_comes_back() {
        let mut s = state();
        s.update(Msg::Key(Key::Enter));
        s.update(Msg::SweepStarted {
            experiment: 0,
            out_dir: "runs/live/now".into(),
            runs: vec![RunSpec::new(0.0, 1), RunSpec::new(1.0, 1)],
        });
        s.update(opened());
        assert!(s.behind.is_some() && s.running());
        // An event of the live sweep whose run id the stored one shares: it goes behind.
        s.update(Msg::Run(epoch("lambda-0_seed-1", 1)));
        assert_eq!(s.runs[0].history.len(), 2, "the stored run is unchanged");
        assert_eq!(s.behind.as_ref().unwrap().runs[0].history.len(), 1);
        s.update(Msg::Run(finished(
            "lambda-0_seed-1",
            RunStatus::Finished,
            0.2,
        )));
        s.update(Msg::SweepEnded { error: None });
        let b = s.behind.as_ref().unwrap();
        assert!(!b.sweep.running);
        assert_eq!(b.runs[1].state, RunState::Interrupted, "never started");
        // The live sweep is listed; Enter on it brings it back.
        let mut list = s.sweeps.clone();
        list.insert(
            0,
            SweepListing {
                dir: "runs/live/now".into(),
                experiment: "live".into(),
                name: "now".into(),
                runs: 2,
                finished: 1,
                failed: 0,
                unfinished: 1,
            },
        );
        s.update(Msg::Sweeps(list));
        s.focus = Focus::Sweeps;
        s.sweep_selected = 0;
        assert!(s.update(Msg::Key(Key::Enter)).is_empty());
        assert!(s.behind.is_none());
        let sw = s.sweep.as_ref().unwrap();
        assert_eq!(sw.out_dir, PathBuf::from("runs/live/now"));
        assert_eq!(s.runs[0].test[&key("ndcg@10")], 0.2);
    }

    #[test]
    fn filters_hide_runs_from_the_table_the_selection_and_the_tradeoff() {
        let mut s = state();
        s.update(opened());
        s.focus = Focus::Runs;
        s.update(Msg::Key(Key::Char('f'))); // finished
        assert_eq!(s.visible_runs(), [0]);
        s.update(Msg::Key(Key::Char('f'))); // failed
        assert_eq!(s.visible_runs(), [1]);
        assert_eq!(s.run_selected, 1, "the selection moves to a visible run");
        assert!(s.tradeoff_points().is_empty());
        s.update(Msg::Key(Key::Char('f'))); // unfinished
        assert_eq!(s.visible_runs(), [2, 3]);
        s.update(Msg::Key(Key::Down));
        assert_eq!(s.run_selected, 3);
        s.update(Msg::Key(Key::Down));
        assert_eq!(s.run_selected, 3, "stays within the visible runs");
        s.update(Msg::Key(Key::Char('f'))); // all
        assert!(s.filter.is_all());
        // Methods in order of appearance, then all again.
        let mut seen = Vec::new();
        for _ in 0..4 {
            s.update(Msg::Key(Key::Char('F')));
            seen.push(s.filter.method.clone());
        }
        assert_eq!(
            seen,
            [
                Some("baseline".to_string()),
                Some("exposure_entropy".into()),
                Some("mmr".into()),
                None
            ]
        );
        s.update(Msg::Key(Key::Char('F')));
        s.update(Msg::Key(Key::Char('F')));
        s.update(Msg::Key(Key::Char('F')));
        assert_eq!(s.visible_runs(), [2, 3]);
        assert!(s.log[0].text.contains("2 of 4"), "{:?}", s.log[0]);
    }

    #[test]
    fn m_compares_the_sweep_on_screen_with_the_selected_one() {
        let mut s = state();
        assert!(s.update(Msg::Key(Key::Char('m'))).is_empty());
        assert!(
            s.log[0].text.contains("open a sweep first"),
            "{:?}",
            s.log[0]
        );
        s.update(opened()); // runs/old/s1
        s.sweep_selected = 1; // runs/old/s1 itself
        assert!(s.update(Msg::Key(Key::Char('m'))).is_empty());
        s.sweep_selected = 0;
        assert_eq!(
            s.update(Msg::Key(Key::Char('m'))),
            vec![Effect::Compare {
                a: "runs/old/s1".into(),
                b: "runs/old/s2".into()
            }]
        );
        let diff = SweepDiff::new(("A", &[]), ("B", &[]), key("ndcg@10"), key("coverage@10"));
        s.update(Msg::Compared(Box::new(diff)));
        assert_eq!(s.view, View::Compare);
        // t cycles curves → trade-off → comparison → curves.
        s.update(Msg::Key(Key::Char('t')));
        assert_eq!(s.view, View::Curves);
        s.update(Msg::Key(Key::Char('t')));
        s.update(Msg::Key(Key::Char('t')));
        assert_eq!(s.view, View::Compare);
    }

    #[test]
    fn the_text_view_scrolls_and_any_other_key_closes_it() {
        let mut s = state();
        s.update(Msg::Text {
            title: "x".into(),
            body: (0..50).map(|i| format!("line {i}\n")).collect(),
        });
        s.update(Msg::Key(Key::Char('j')));
        s.update(Msg::Key(Key::PageDown));
        assert_eq!(s.text.as_ref().unwrap().scroll, 21);
        s.update(Msg::Key(Key::PageDown));
        s.update(Msg::Key(Key::PageDown));
        assert_eq!(
            s.text.as_ref().unwrap().scroll,
            49,
            "not past the last line"
        );
        s.update(Msg::Key(Key::Up));
        assert_eq!(s.text.as_ref().unwrap().scroll, 48);
        assert!(
            s.update(Msg::Key(Key::Char('q'))).is_empty(),
            "q closes the text, it does not quit"
        );
        assert!(s.text.is_none());
    }

    #[test]
    fn clicks_and_the_wheel_select_in_the_pane_under_the_mouse() {
        let mut s = state();
        s.update(opened());
        s.update(Msg::Click(Target::Item(Focus::Runs, 2)));
        assert_eq!((s.focus, s.run_selected), (Focus::Runs, 2));
        s.update(Msg::Wheel(Focus::Sweeps, true));
        assert_eq!((s.focus, s.sweep_selected), (Focus::Sweeps, 1));
        s.update(Msg::Click(Target::Item(Focus::Sweeps, 7)));
        assert_eq!(s.sweep_selected, 1, "a click past the list selects nothing");
        s.update(Msg::Click(Target::Pane(Focus::Experiments)));
        assert_eq!(s.focus, Focus::Experiments);
        assert!(
            s.update(Msg::Pointer {
                x: 1,
                y: 1,
                kind: Pointer::Click
            })
            .is_empty()
        );
    }
}

//! Workbench state and its pure `update`.

use std::collections::VecDeque;
use std::path::PathBuf;

use crate::config::{ExperimentEntry, ExperimentInfo, RunSpec, is_lambda_zero, param_label};
use crate::events::{MetricMap, RunEvent, RunStatus};
use crate::plot::FigureKind;

/// Keys the workbench understands (decoupled from crossterm so `update` is testable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Up,
    Down,
    Tab,
    Enter,
    Esc,
    Char(char),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Queued,
    Running,
    Finished,
    Failed,
    Interrupted,
}

impl RunState {
    pub fn label(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Finished => "finished",
            RunState::Failed => "FAILED",
            RunState::Interrupted => "stopped",
        }
    }
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
    pub fn queued(spec: &RunSpec, epochs: usize) -> Self {
        Self {
            id: spec.id.clone(),
            method: spec.method.name(),
            lambda: spec.lambda,
            theta: spec.method.theta(),
            seed: spec.seed,
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
    Runs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Curves,
    Tradeoff,
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
    pub experiment: usize,
    pub info: ExperimentInfo,
    pub out_dir: PathBuf,
    pub running: bool,
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
    Quit,
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
        self.launching || self.sweep.as_ref().is_some_and(|s| s.running)
    }

    fn past_effect(&self) -> Vec<Effect> {
        match self.selected_experiment().map(|e| &e.status) {
            Some(Ok(info)) => vec![Effect::LoadPast {
                experiment: info.name.clone(),
            }],
            _ => Vec::new(),
        }
    }

    /// Applies one message; returns what the runtime must do. No I/O here.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Run(e) => {
                self.on_run_event(e);
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
                    experiment,
                    info,
                    out_dir,
                    running: true,
                });
                Vec::new()
            }
            Msg::SweepEnded { error } => {
                self.launching = false;
                if let Some(s) = &mut self.sweep {
                    s.running = false;
                }
                for r in &mut self.runs {
                    if r.state == RunState::Queued {
                        r.state = RunState::Interrupted;
                    }
                }
                match error {
                    Some(e) => self.log(LogLine::error(format!("sweep failed: {e}"))),
                    None => {
                        let done = self
                            .runs
                            .iter()
                            .filter(|r| r.state == RunState::Finished)
                            .count();
                        self.log(LogLine::info(format!(
                            "sweep ended: {done}/{} run(s) finished",
                            self.runs.len()
                        )));
                    }
                }
                self.past_effect()
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
        }
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
                    Focus::Experiments => Focus::Runs,
                    Focus::Runs => Focus::Experiments,
                };
                Vec::new()
            }
            Action::Down => self.move_selection(1),
            Action::Up => self.move_selection(-1),
            Action::ToggleView => {
                self.view = match self.view {
                    View::Curves => View::Tradeoff,
                    View::Tradeoff => View::Curves,
                };
                Vec::new()
            }
            Action::NextChart => {
                self.chart = self.chart.next();
                Vec::new()
            }
            Action::Reload => vec![Effect::Reload],
            Action::StopAll => {
                if self.running() {
                    self.log(LogLine::warn("stopping all runs"));
                    vec![Effect::StopAll]
                } else {
                    Vec::new()
                }
            }
            Action::StopRun => match self.runs.get(self.run_selected) {
                Some(r) if r.state == RunState::Running || r.state == RunState::Queued => {
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
            },
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
            Action::Launch => self.launch(),
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
            Focus::Runs => {
                self.run_selected = step(self.run_selected, self.runs.len());
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

    fn on_run_event(&mut self, e: RunEvent) {
        let Some(i) = self.runs.iter().position(|r| r.id == e.run_id()) else {
            return;
        };
        let curves = self.sweep.as_ref().map(|s| s.info.curves);
        let mut line = None;
        let r = &mut self.runs[i];
        match e {
            RunEvent::Started { epochs, device, .. } => {
                r.state = RunState::Running;
                r.epochs = epochs;
                line = Some(LogLine::info(format!("{} started on {device}", r.id)));
            }
            RunEvent::Progress {
                epoch,
                batch,
                batches,
                ..
            } => {
                r.batch = (batch, batches);
                r.epoch = r.epoch.max(epoch.saturating_sub(1));
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
                line = Some(match r.state {
                    RunState::Failed => LogLine::error(text),
                    // Stopped on request (s, S or quitting).
                    RunState::Interrupted => LogLine::warn(text),
                    _ => LogLine::info(text),
                });
            }
            RunEvent::Failed { reason, .. } => {
                r.state = RunState::Failed;
                line = Some(LogLine::error(format!("{} FAILED: {reason}", r.id)));
                r.reason = Some(reason);
            }
        }
        if let Some(l) = line {
            self.log(l);
        }
    }

    /// The figure file (stem) that shows what is on screen.
    pub fn figure_on_screen(&self) -> FigureKind {
        match (self.view, self.chart) {
            (View::Tradeoff, _) => FigureKind::Tradeoff,
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
        assert_eq!(s.update(Msg::Key(Key::Char('r'))), vec![Effect::Reload]);
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

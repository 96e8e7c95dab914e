//! The terminal loop: one channel carries key presses (from an input thread) and run events
//! (from the sweep thread); the loop drains bursts, updates, draws at most ~30 times a
//! second, and carries out the effects. Training never runs on this thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEventKind, MouseButton,
    MouseEventKind,
};
use ratatui::layout::Rect;

use super::app::{Effect, Key, LogLine, Msg, PastSweep, Pointer, State, Target};
use super::{stored, view};
use crate::config::load_experiments;
use crate::sweep::{self, SweepControl, SweepEvent, SweepOptions};

const FRAME: Duration = Duration::from_millis(33);

/// Turns what the sweep tells into workbench messages: the plan becomes the runs table (as
/// the sweep decided it), run events pass through without their bulk.
fn forward(tx: &Sender<Msg>, experiment: usize, event: SweepEvent<'_>) {
    let msg = match event {
        SweepEvent::Prepared(plan) => {
            let _ = tx.send(Msg::Log(LogLine::info(format!(
                "backend: {}",
                plan.device.describe()
            ))));
            let _ = tx.send(Msg::Log(LogLine::info(format!("data: {}", plan.data))));
            Msg::SweepStarted {
                experiment,
                out_dir: plan.out_dir.clone(),
                runs: plan.runs.clone(),
            }
        }
        SweepEvent::Run(e) => Msg::Run(e.without_bulk()),
        SweepEvent::Recorded(_) | SweepEvent::Ended(_) => return,
    };
    let _ = tx.send(msg);
}

fn map_key(code: KeyCode) -> Option<Key> {
    Some(match code {
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Tab => Key::Tab,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Char(c) => Key::Char(c),
        _ => return None,
    })
}

/// Reads past sweeps of `experiment` from `runs/<experiment>/*/`.
pub fn load_past(root: &Path, experiment: &str) -> Vec<PastSweep> {
    let dir = root.join(experiment);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.iter()
        .filter_map(|d| {
            let sweep = crate::store::read_sweep(d).ok()?;
            // The same points the trade-off figure of that sweep draws.
            let figure = crate::plot::tradeoff_figure(&sweep, &sweep.manifest.plots);
            let points: Vec<(f64, f64, String)> = figure
                .series
                .into_iter()
                .flat_map(|s| s.points)
                .map(|p| (p.x, p.y, p.label))
                .collect();
            let label = d.file_name()?.to_string_lossy().into_owned();
            (!points.is_empty()).then_some(PastSweep { label, points })
        })
        .collect()
}

/// Runs the workbench until the user quits: over the experiments in `dir`, or, with `watch`,
/// following the sweep stored in that directory as other processes write it.
pub fn run(dir: PathBuf, watch: Option<PathBuf>) -> std::io::Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>();
    spawn_input(tx.clone())?;
    let (mut state, effects) = match watch {
        None => {
            let state = State::new(dir.clone(), load_experiments(&dir));
            let effects = match state
                .selected_experiment()
                .and_then(|e| e.status.as_ref().ok())
            {
                Some(info) => vec![Effect::LoadPast {
                    experiment: info.name.clone(),
                }],
                None => Vec::new(),
            };
            (state, effects)
        }
        Some(sweep_dir) => watched(sweep_dir, &tx)?,
    };
    let runs_root = PathBuf::from(sweep::RUNS_ROOT);
    let mut effects = effects;
    effects.push(Effect::ListSweeps);
    let mut control: Option<Arc<SweepControl>> = None;
    let mut worker: Option<std::thread::JoinHandle<()>> = None;
    // ratatui::init installs a panic hook that restores the terminal.
    let mut terminal = ratatui::init();
    // Clicks and the wheel select in the lists (the terminal's own text selection then
    // needs Shift, as in other mouse-aware terminal apps).
    let _ = ratatui::crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let result = (|| -> std::io::Result<()> {
        loop {
            for effect in effects.drain(..) {
                match effect {
                    Effect::Quit => return Ok(()),
                    other => {
                        if let Some(handle) =
                            carry_out(other, &state, &tx, &mut control, &runs_root)
                        {
                            worker = Some(handle);
                        }
                    }
                }
            }
            let drawn = Instant::now();
            let frame = terminal.draw(|f| {
                view::render(&state, f);
                if !crate::charset::unicode() {
                    view::ascii_cells(f.buffer_mut());
                }
            })?;
            let area = frame.area;
            effects = next_messages(&rx, &mut state, drawn, area)?;
        }
    })();
    if let Some(c) = &control {
        c.stop_all();
    }
    let _ = ratatui::crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    // Runs stop after their current batch and the store records them as interrupted: wait
    // for that (bounded), so quitting never leaves a run directory without its summary.
    if let Some(handle) = worker.filter(|h| !h.is_finished()) {
        say!("waiting for runs to stop after their current batch…");
        let start = Instant::now();
        while !handle.is_finished() && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    result
}

/// The workbench following the sweep in `dir` (see [`super::watch`]): its experiment as the
/// one entry, its runs as the sweep on screen, and a thread that polls the store when a file
/// notification arrives and at least twice a second, sends what changed, then `SweepEnded`
/// once every run has ended.
fn watched(dir: PathBuf, tx: &Sender<Msg>) -> std::io::Result<(State, Vec<Effect>)> {
    let fail = |e: String| std::io::Error::other(e);
    let exp = sweep::resume::experiment(&dir, None).map_err(|e| fail(e.to_string()))?;
    let manifest = crate::store::read_manifest(&dir).map_err(|e| fail(e.to_string()))?;
    let all = exp.select_runs(None).map_err(|e| fail(e.to_string()))?;
    let runs: Vec<_> = manifest
        .runs
        .iter()
        .filter_map(|m| all.iter().find(|r| r.id == m.run_id).cloned())
        .collect();
    let entry = crate::config::ExperimentEntry {
        path: exp.file.clone(),
        status: Ok(crate::config::ExperimentInfo::from_experiment(&exp)),
    };
    let mut state = State::new(dir.clone(), vec![entry]);
    let mut effects = state.update(Msg::SweepStarted {
        experiment: 0,
        out_dir: dir.clone(),
        runs: runs.clone(),
    });
    let epochs = exp.train.epochs;
    let watched_dir = dir.clone();
    let watched_dir_label = dir.display().to_string();
    let mut watcher =
        super::watch::Watcher::new(dir, runs.iter().map(|r| (r.id.clone(), epochs)).collect());
    let tx = tx.clone();
    // File notifications wake the poll at once where the file system delivers them (a local
    // disk); the half-second timeout polls anyway, for the network file systems that do not.
    let (wake_tx, wake) = mpsc::channel::<()>();
    let notifier = notify::recommended_watcher(move |_: notify::Result<notify::Event>| {
        let _ = wake_tx.send(());
    })
    .and_then(|mut w| {
        use notify::Watcher as _;
        w.watch(&watched_dir, notify::RecursiveMode::Recursive)?;
        Ok(w)
    });
    let mode = if notifier.is_ok() {
        "file notifications, polled at least twice a second"
    } else {
        "polled twice a second"
    };
    effects.extend(state.update(Msg::Log(LogLine::info(format!(
        "watching {} ({} runs): {mode}",
        watched_dir_label,
        runs.len()
    )))));
    std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            // Kept alive with the thread: dropping it ends the notifications.
            let _notifier = notifier;
            let mut told_end = false;
            loop {
                for e in watcher.poll() {
                    if tx.send(Msg::Run(e)).is_err() {
                        return;
                    }
                }
                if !told_end && watcher.all_ended() {
                    told_end = true;
                    if tx.send(Msg::SweepEnded { error: None }).is_err() {
                        return;
                    }
                }
                // A burst of notifications (one write is several) is one poll.
                let _ = wake.recv_timeout(Duration::from_millis(500));
                std::thread::sleep(Duration::from_millis(50));
                while wake.try_recv().is_ok() {}
            }
        })?;
    Ok((state, effects))
}

/// A mouse event as the message of what it is over (in a terminal of size `area`), or none.
fn resolve(msg: Msg, state: &State, area: Rect) -> Option<Msg> {
    let Msg::Pointer { x, y, kind } = msg else {
        return Some(msg);
    };
    let target = view::hit(state, area, x, y)?;
    let pane = match target {
        Target::Item(p, _) | Target::Pane(p) => p,
    };
    Some(match kind {
        Pointer::Click => Msg::Click(target),
        Pointer::WheelDown => Msg::Wheel(pane, true),
        Pointer::WheelUp => Msg::Wheel(pane, false),
    })
}

/// Waits for messages, drains the burst, and paces frames to at most ~30 per second.
fn next_messages(
    rx: &Receiver<Msg>,
    state: &mut State,
    last_draw: Instant,
    area: Rect,
) -> std::io::Result<Vec<Effect>> {
    let mut effects = Vec::new();
    let mut take = |state: &mut State, msg: Msg| {
        if let Some(msg) = resolve(msg, state, area) {
            effects.extend(state.update(msg));
        }
    };
    match rx.recv_timeout(Duration::from_millis(250)) {
        Ok(msg) => take(state, msg),
        Err(RecvTimeoutError::Timeout) => return Ok(effects), // redraw (ETA, resize)
        Err(RecvTimeoutError::Disconnected) => {
            return Err(std::io::Error::other("input channel closed"));
        }
    }
    // Let a burst accumulate until the next frame is due, then take all of it.
    if let Some(wait) = FRAME.checked_sub(last_draw.elapsed()) {
        std::thread::sleep(wait);
    }
    while let Ok(msg) = rx.try_recv() {
        take(state, msg);
    }
    Ok(effects)
}

/// Starts the thread that reads the terminal's keys.
fn spawn_input(tx: Sender<Msg>) -> std::io::Result<()> {
    let reader = std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                match event::poll(Duration::from_millis(100)) {
                    Ok(true) => match event::read() {
                        Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                            if let Some(key) = map_key(k.code)
                                && tx.send(Msg::Key(key)).is_err()
                            {
                                return;
                            }
                        }
                        Ok(Event::Mouse(m)) => {
                            let kind = match m.kind {
                                MouseEventKind::Down(MouseButton::Left) => Pointer::Click,
                                MouseEventKind::ScrollDown => Pointer::WheelDown,
                                MouseEventKind::ScrollUp => Pointer::WheelUp,
                                _ => continue,
                            };
                            let msg = Msg::Pointer {
                                x: m.column,
                                y: m.row,
                                kind,
                            };
                            if tx.send(msg).is_err() {
                                return;
                            }
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    },
                    Ok(false) => {}
                    Err(_) => return,
                }
            }
        });
    reader.map(drop)
}

/// Sends what `work` returns from a thread of its own (an error line when no thread can
/// start).
fn in_background(tx: &Sender<Msg>, work: impl FnOnce() -> Msg + Send + 'static) {
    let sender = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("store".into())
        .spawn(move || {
            let _ = sender.send(work());
        });
    if let Err(e) = spawned {
        let line = LogLine::error(format!(
            "cannot read the store: no thread to read it on: {e}"
        ));
        let _ = tx.send(Msg::Log(line));
    }
}

/// Carries out one effect; returns the sweep thread when it started one.
fn carry_out(
    effect: Effect,
    state: &State,
    tx: &Sender<Msg>,
    control: &mut Option<Arc<SweepControl>>,
    runs_root: &Path,
) -> Option<std::thread::JoinHandle<()>> {
    match effect {
        Effect::Launch { file } => {
            let exp = match crate::config::load(&file) {
                Ok(e) => e,
                Err(e) => {
                    // Ends the launch the state is waiting for.
                    let error = Some(format!("cannot launch: {e}"));
                    let _ = tx.send(Msg::SweepEnded { error });
                    return None;
                }
            };
            let experiment = state.selected;
            let c = Arc::new(SweepControl::new());
            *control = Some(Arc::clone(&c));
            let sweep_tx = tx.clone();
            let spawned = std::thread::Builder::new()
                .name("sweep".into())
                .spawn(move || {
                    let tx = sweep_tx;
                    // The sweep decides its directory (under `runs/`) and tells it in its plan.
                    let opts = SweepOptions::default();
                    let on_event = &mut |e: SweepEvent<'_>| forward(&tx, experiment, e);
                    let error = match sweep::run_sweep(exp, &opts, c, on_event) {
                        Ok(report) => match crate::plot::replot(&report.out_dir) {
                            Ok(_) => None,
                            Err(e) => Some(format!("figures not written: {e}")),
                        },
                        Err(e) => Some(e.to_string()),
                    };
                    let _ = tx.send(Msg::SweepEnded { error });
                });
            match spawned {
                Ok(handle) => return Some(handle),
                Err(e) => {
                    let error = Some(format!("cannot start the sweep thread: {e}"));
                    let _ = tx.send(Msg::SweepEnded { error });
                }
            }
        }
        Effect::StopRun(id) => {
            if let Some(c) = control {
                c.stop_run(&id);
            }
        }
        Effect::StopAll => {
            if let Some(c) = control {
                c.stop_all();
            }
        }
        Effect::Export { dir, figure } => {
            let line = match crate::plot::replot(&dir) {
                Ok(files) => LogLine::info(format!(
                    "exported {} figure files; this view: {}",
                    files.len(),
                    dir.join("plots").join(format!("{figure}.png")).display()
                )),
                Err(e) => LogLine::error(format!("export failed: {e}")),
            };
            let _ = tx.send(Msg::Log(line));
        }
        Effect::Reload => {
            let _ = tx.send(Msg::Experiments(load_experiments(&state.dir)));
        }
        // Reading the store can take a while (hundreds of sweeps and runs): on a thread of
        // its own, so that the workbench keeps drawing; the result arrives as a message.
        Effect::LoadPast { experiment } => {
            let root = runs_root.to_path_buf();
            in_background(tx, move || Msg::Past(load_past(&root, &experiment)));
        }
        Effect::ListSweeps => {
            let root = runs_root.to_path_buf();
            in_background(tx, move || Msg::Sweeps(stored::list_sweeps(&root)));
        }
        Effect::OpenSweep { dir } => in_background(tx, move || match stored::open(&dir) {
            Ok(o) => Msg::Opened(Box::new(o)),
            Err(e) => Msg::Log(LogLine::error(format!("cannot open the sweep: {e}"))),
        }),
        Effect::Compare { a, b } => in_background(tx, move || match stored::compare(&a, &b) {
            Ok(d) => Msg::Compared(Box::new(d)),
            Err(e) => Msg::Log(LogLine::error(format!("cannot compare: {e}"))),
        }),
        Effect::ShowText { title, path } => {
            let msg = match stored::read_text(&path) {
                Ok(body) => Msg::Text { title, body },
                Err(e) => Msg::Log(LogLine::error(e)),
            };
            let _ = tx.send(msg);
        }
        Effect::Quit => {}
    }
    None
}

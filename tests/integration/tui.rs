//! The workbench: rendering on ratatui's TestBackend at 80×24, 120×40 and 40×12, and the real
//! binary driven in a pseudo-terminal (util-linux `script`): launch a sweep, see a chart with
//! data, quit cleanly.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use recsweep::config::{CurveKeys, ExperimentEntry, ExperimentInfo, RunSpec};
use recsweep::events::{EpochRecord, RunEvent};
use recsweep::metrics::{Metric, MetricKey};
use recsweep::tui::app::{Key, Msg, State};
use recsweep::tui::keys::{KEYS, action_for};
use recsweep::tui::view;

use crate::support::repo;

fn key(name: &str) -> MetricKey {
    name.parse().unwrap()
}

fn info(name: &str) -> ExperimentInfo {
    ExperimentInfo {
        name: name.into(),
        runs: 3,
        lambdas: vec![0.0, 0.3, 1.0],
        epochs: 10,
        relevance: MetricKey::at(Metric::Ndcg, 10),
        diversity: MetricKey::at(Metric::Coverage, 10),
        curves: CurveKeys {
            auc: MetricKey::AUC,
            coverage: MetricKey::at(Metric::Coverage, 10),
        },
    }
}

/// A workbench mid-sweep: three runs with a few epochs, one failed.
fn busy_state() -> State {
    let entries = vec![
        ExperimentEntry { path: "experiments/quickstart.yaml".into(), status: Ok(info("quickstart")) },
        ExperimentEntry {
            path: "experiments/broken.yaml".into(),
            status: Err("experiments/broken.yaml: field 'train.epochs' has invalid value '0': must be at least 1".into()),
        },
    ];
    let mut s = State::new(PathBuf::from("experiments"), entries);
    let runs: Vec<RunSpec> = [0.0, 0.3, 1.0]
        .iter()
        .map(|&l| RunSpec::new(l, 7))
        .collect();
    s.update(Msg::SweepStarted {
        experiment: 0,
        out_dir: "runs/quickstart/t".into(),
        runs: runs.clone(),
    });
    for (i, r) in runs.iter().enumerate().take(2) {
        s.update(Msg::Run(RunEvent::Started {
            run_id: r.id.clone(),
            device: "cpu (burn flex)".into(),
            epochs: 10,
            batches_per_epoch: 5,
            train_pairs: 100,
        }));
        for e in 1..=4 {
            let eval = BTreeMap::from([
                (key("auc"), 0.7 + 0.04 * f64::from(e) - 0.01 * i as f64),
                (
                    key("coverage@10"),
                    0.1 + 0.05 * f64::from(e) + 0.1 * i as f64,
                ),
            ]);
            s.update(Msg::Run(RunEvent::Epoch {
                run_id: r.id.clone(),
                record: EpochRecord {
                    epoch: e as usize,
                    loss: 0.7 - 0.05 * f64::from(e),
                    relevance_loss: 0.6,
                    diversity_loss: 0.1,
                    l2_loss: f64::NAN,
                    eval: Some(eval),
                    seconds: f64::from(e),
                },
            }));
        }
    }
    s.update(Msg::Run(RunEvent::Failed {
        run_id: runs[2].id.clone(),
        reason: "loss became non-finite".into(),
    }));
    s
}

fn draw(state: &State, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::render(state, f)).unwrap();
    let buf = terminal.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cells of a 120×40 trade-off view drawn in `color`.
fn cells_in(state: &State, color: ratatui::style::Color) -> usize {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| view::render(state, f)).unwrap();
    let buf = terminal.backend().buffer();
    buf.content().iter().filter(|c| c.fg == color).count()
}

fn has_braille(s: &str) -> bool {
    s.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c))
}

#[test]
fn renders_fully_at_80x24() {
    let s = busy_state();
    let screen = draw(&s, 80, 24);
    for needle in [
        "Experiments",
        "quickstart",
        "lambda-0_seed-7",
        "running",
        "FAILED",
        "Validation AUC",
        "Log",
        "q quit",
    ] {
        assert!(screen.contains(needle), "80x24 lacks '{needle}':\n{screen}");
    }
    assert!(has_braille(&screen), "the chart shows no data:\n{screen}");
}

#[test]
fn wide_terminals_show_all_three_charts_and_the_tradeoff_view() {
    let mut s = busy_state();
    let screen = draw(&s, 160, 40);
    for needle in [
        "Loss",
        "Validation AUC",
        "Validation coverage@10",
        "λ=0.3",
        "ETA",
        "non-finite",
    ] {
        assert!(
            screen.contains(needle),
            "160x40 lacks '{needle}':\n{screen}"
        );
    }
    let screen = draw(&s, 120, 40);
    assert!(screen.contains("Runs: quickstart"), "{screen}");
    s.update(Msg::Key(Key::Char('t')));
    let screen = draw(&s, 120, 40);
    assert!(screen.contains("Trade-off"), "{screen}");
}

#[test]
fn an_invalid_experiment_shows_its_error_instead_of_crashing() {
    let mut s = busy_state();
    s.update(Msg::Key(Key::Char('j')));
    let screen = draw(&s, 120, 40);
    assert!(
        screen.contains("train.epochs") && screen.contains("invalid"),
        "{screen}"
    );
}

#[test]
fn tiny_terminals_degrade_without_panicking() {
    let mut s = busy_state();
    let screen = draw(&s, 40, 12);
    assert!(
        screen.contains("Experiments") && screen.contains("Runs"),
        "{screen}"
    );
    s.update(Msg::Key(Key::Char('?')));
    for (w, h) in [(40, 12), (20, 6), (1, 1), (80, 24)] {
        draw(&s, w, h);
    }
    let screen = draw(&s, 80, 24);
    assert!(
        screen.contains("Keys") && screen.contains("launch"),
        "help overlay:\n{screen}"
    );
}

#[test]
fn the_help_overlay_and_the_footer_come_from_the_key_table() {
    let mut s = busy_state();
    // Every binding's keys reach its action (the unit tests check each key of the table).
    for b in KEYS {
        for &k in b.triggers {
            assert_eq!(action_for(k), Some(b.action), "{}", b.keys);
        }
    }
    let wide = draw(&s, 200, 40);
    let footer = wide.lines().last().unwrap();
    for b in KEYS {
        let item = format!("{} {}", b.keys, b.short);
        assert!(footer.contains(&item), "footer lacks '{item}': {footer}");
    }
    let narrow = draw(&s, 80, 24);
    let footer = narrow.lines().last().unwrap();
    for b in KEYS.iter().filter(|b| b.footer) {
        let item = format!("{} {}", b.keys, b.short);
        assert!(
            footer.contains(&item),
            "80-column footer lacks '{item}': {footer}"
        );
    }
    s.update(Msg::Key(Key::Char('?')));
    assert!(s.help);
    let screen = draw(&s, 120, 40);
    for b in KEYS {
        let line = format!("{:<10} {}", b.keys, b.help);
        assert!(screen.contains(&line), "help lacks '{line}':\n{screen}");
    }
}

#[test]
fn tradeoff_points_take_the_colour_of_their_own_run_when_two_seeds_share_a_lambda() {
    let entries = vec![ExperimentEntry {
        path: "experiments/seeds.yaml".into(),
        status: Ok(info("seeds")),
    }];
    let mut s = State::new(PathBuf::from("experiments"), entries);
    let runs = vec![RunSpec::new(0.3, 1), RunSpec::new(0.3, 2)];
    s.update(Msg::SweepStarted {
        experiment: 0,
        out_dir: "runs/seeds/t".into(),
        runs: runs.clone(),
    });
    s.update(Msg::Key(Key::Char('t')));
    // The test metrics arrive with a finished run; set them as the state would hold them.
    for (i, (ndcg, cov)) in [(0.30, 0.40), (0.20, 0.60)].into_iter().enumerate() {
        s.runs[i].test = BTreeMap::from([(key("ndcg@10"), ndcg), (key("coverage@10"), cov)]);
    }
    let points = s.tradeoff_points();
    assert_eq!(points.iter().map(|p| p.run).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(points[0].label, points[1].label, "same λ, same label");
    assert_eq!(s.runs[points[1].run].id, runs[1].id);
    // Before, both points took the colour of the first run with that λ label; the second
    // seed's colour now shows in the chart (its marker and its legend entry).
    let second = view::run_color(1);
    assert_ne!(second, view::run_color(0));
    s.runs[1].test.clear();
    let without = cells_in(&s, second);
    s.runs[1].test = BTreeMap::from([(key("ndcg@10"), 0.20), (key("coverage@10"), 0.60)]);
    let with = cells_in(&s, second);
    assert!(
        with > without,
        "second seed's point not drawn in its colour ({with} vs {without})"
    );
}

/// The workbench binary in a pseudo-terminal of 120 × 36 (util-linux `script`) in `work`,
/// with `args` (`experiments`, `--watch DIR`) and `env` set: the child (killed when dropped), everything it printed so far,
/// its stdin and the thread reading its output.
struct Workbench {
    child: KillOnDrop,
    out: Arc<Mutex<Vec<u8>>>,
    stdin: std::process::ChildStdin,
    reader: std::thread::JoinHandle<()>,
}

/// A failing assertion must not leave the workbench running (it would hold the test run's
/// pipes open): the guard kills `script`, whose pty hang-up ends the binary.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl Workbench {
    fn start(work: &std::path::Path, args: &str, env: &[(&str, &str)]) -> Self {
        let bin = env!("CARGO_BIN_EXE_recsweep");
        // `script` gives the binary a real pseudo-terminal; stty sets its size.
        let mut cmd = Command::new("script");
        cmd.args([
            "-qfec",
            &format!("stty cols 120 rows 36; exec {bin} {args}"),
            "/dev/null",
        ])
        .current_dir(work)
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = KillOnDrop(
            cmd.spawn()
                .expect("util-linux 'script' is needed for the pty test"),
        );
        let out = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.0.stdout.take().unwrap();
        let sink = Arc::clone(&out);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let stdin = child.0.stdin.take().unwrap();
        Self {
            child,
            out,
            stdin,
            reader,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Whether `what` holds of the output within `secs` seconds.
    fn wait_for(&self, what: &dyn Fn(&str) -> bool, secs: u64) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            if what(&self.text()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Whether `text` shows within `secs` seconds: in the output as printed, or on the
    /// replayed screen (a redraw writes only the cells that changed, so text that replaces
    /// other text can be split in the raw output).
    fn wait_for_text(&self, text: &str, secs: u64) -> bool {
        self.wait_for(&|t| t.contains(text) || screen(t).contains(text), secs)
    }

    fn press(&mut self, keys: &[u8]) {
        self.stdin.write_all(keys).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Presses `q` and waits for a clean exit; returns everything printed.
    fn quit(mut self) -> String {
        self.press(b"q");
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.0.try_wait().unwrap() {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "q did not quit the workbench"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        self.reader.join().unwrap();
        assert!(status.success(), "exit status {status:?}");
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }
}

/// The screen `raw` (a pty's output) leaves on a 120 × 36 terminal, row by row: printable
/// characters at the cursor, the cursor moved by `CSI row;col H`, the screen cleared by
/// `CSI 2 J`; every other escape sequence (colours, modes) passed over.
fn screen(raw: &str) -> String {
    let (rows, cols) = (36usize, 120usize);
    let mut grid = vec![vec![' '; cols]; rows];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() != Some(&'[') {
                chars.next();
                continue;
            }
            chars.next();
            let mut params = String::new();
            let mut end = ' ';
            for p in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&p) {
                    end = p;
                    break;
                }
                params.push(p);
            }
            match end {
                'H' => {
                    let mut at = params.split(';').map(|v| v.parse::<usize>().unwrap_or(1));
                    row = at.next().unwrap_or(1).saturating_sub(1);
                    col = at.next().unwrap_or(1).saturating_sub(1);
                }
                'J' if params == "2" => grid = vec![vec![' '; cols]; rows],
                _ => {}
            }
        } else if !c.is_control() {
            if row < rows && col < cols {
                grid[row][col] = c;
            }
            col += 1;
        }
    }
    grid.iter()
        .map(|r| r.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_replayed_screen_keeps_cells_a_redraw_did_not_touch() {
    // "finished" first, then a redraw that changes only some cells (colours between them),
    // as the workbench's terminal backend does.
    let raw = "\u{1b}[2J\u{1b}[3;5H2/4 run(s) finished\u{1b}[38;5;2;49m\u{1b}[3;5H4\u{1b}[3;21Hh";
    let rows: Vec<String> = screen(raw).lines().map(str::to_owned).collect();
    assert_eq!(rows.len(), 36);
    assert_eq!(rows[2].trim(), "4/4 run(s) finished");
    assert!(!raw.contains("4/4 run(s) finished"));
}

/// A folder with `experiments/tiny.yaml` (six epochs).
fn tiny_workplace() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let exps = work.path().join("experiments");
    std::fs::create_dir_all(&exps).unwrap();
    let tiny = std::fs::read_to_string(repo("tests/fixtures/tiny.yaml")).unwrap();
    std::fs::write(
        exps.join("tiny.yaml"),
        tiny.replace("epochs: 3", "epochs: 6"),
    )
    .unwrap();
    work
}

#[test]
fn the_real_binary_launches_a_sweep_in_a_pty_and_quits_cleanly() {
    let work = tiny_workplace();
    let mut wb = Workbench::start(work.path(), "experiments", &[]);
    assert!(
        wb.wait_for_text("tiny (2 runs)", 20),
        "workbench did not start:\n{}",
        wb.text()
    );
    // Colours by default (a 24-bit series colour or a named one).
    assert!(wb.text().contains("\u{1b}[38;"), "no colour drawn");
    wb.press(b"\r");
    assert!(
        // The screen is redrawn cell by cell, so only the start of the log line is sure to be
        // contiguous ("sweep ended: …" may overwrite a line sharing some of its letters).
        wb.wait_for(&|t| t.contains("sweep") && has_braille(t), 120),
        "no chart data / sweep end seen:\n{}",
        wb.text()
    );
    let all = wb.quit();
    // The terminal is restored: the alternate screen is left on exit.
    assert!(all.contains("\u{1b}[?1049l"), "alternate screen not left");
    // The sweep wrote its run store and figures under ./runs.
    let sweeps: Vec<_> = std::fs::read_dir(work.path().join("runs/tiny"))
        .unwrap()
        .collect();
    assert_eq!(sweeps.len(), 1);
    let dir = sweeps[0].as_ref().unwrap().path();
    assert!(dir.join("lambda-0_seed-5/summary.json").is_file());
    assert!(dir.join("plots/tradeoff.png").is_file());
}

#[test]
fn no_color_draws_the_workbench_without_colours() {
    let work = tiny_workplace();
    let wb = Workbench::start(work.path(), "experiments", &[("NO_COLOR", "1")]);
    assert!(
        wb.wait_for_text("tiny (2 runs)", 20),
        "workbench did not start:\n{}",
        wb.text()
    );
    let all = wb.quit();
    for colour in ["\u{1b}[38;", "\u{1b}[48;", "\u{1b}[31m", "\u{1b}[32m"] {
        assert!(
            !all.contains(colour),
            "a colour was drawn under NO_COLOR: {colour:?}"
        );
    }
}

/// Under a locale that is not UTF-8 every byte the workbench writes is ASCII (box drawing as
/// `+-|`, chart dots as `.`), and it still draws its panes.
#[test]
fn a_non_utf8_locale_draws_the_workbench_in_ascii() {
    let work = tiny_workplace();
    let wb = Workbench::start(work.path(), "experiments", &[("LC_ALL", "C")]);
    assert!(
        wb.wait_for_text("tiny (2 runs)", 20),
        "workbench did not start:\n{}",
        wb.text()
    );
    assert!(wb.text().contains("+ Experiments -"), "{}", wb.text());
    let all = wb.quit();
    let odd: String = all.chars().filter(|c| !c.is_ascii()).take(20).collect();
    assert!(odd.is_empty(), "non-ASCII drawn under LC_ALL=C: {odd:?}");
}

#[test]
fn watch_follows_a_sweep_another_process_writes() {
    let work = tempfile::tempdir().unwrap();
    let yaml = work.path().join("killed.yaml");
    std::fs::write(&yaml, crate::kill::SWEEP).unwrap();
    let out = work.path().join("remote");
    let mut remote = crate::support::spawn_sweep(&yaml, &out);
    let start = Instant::now();
    while !out.join("sweep.json").is_file() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the sweep did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let wb = Workbench::start(work.path(), "--watch remote", &[]);
    assert!(
        wb.wait_for_text("watching", 20),
        "the workbench did not open the sweep:\n{}",
        wb.text()
    );
    assert!(remote.wait().unwrap().success());
    // The remote runs' epochs reach the charts, and their ends the log.
    assert!(
        wb.wait_for(
            &|t| has_braille(t) && t.contains("mmr_theta-0.5_seed-3"),
            30
        ),
        "no remote progress seen:\n{}",
        wb.text()
    );
    // Every remote run ended: the sweep ends on screen too, and q quits without asking.
    assert!(
        wb.wait_for_text("4/4 run(s) finished", 30),
        "no run end seen:\n{}",
        wb.text()
    );
    wb.quit();
}

/// A state showing `runs` stored runs (`run_selected` far down the table) and `sweeps` stored
/// sweeps in the browser (`sweep_selected` far down too).
fn browsing_state(runs: usize, sweeps: usize) -> State {
    use recsweep::tui::stored::SweepListing;
    let mut s = busy_state();
    let specs: Vec<RunSpec> = (0..runs).map(|i| RunSpec::new(i as f64, 1)).collect();
    s.update(Msg::SweepStarted {
        experiment: 0,
        out_dir: "runs/quickstart/t".into(),
        runs: specs,
    });
    s.update(Msg::Sweeps(
        (0..sweeps)
            .map(|i| SweepListing {
                dir: format!("runs/quickstart/sweep-{i:03}").into(),
                experiment: "quickstart".into(),
                name: format!("sweep-{i:03}"),
                runs: 8,
                finished: 8,
                failed: 0,
                unfinished: 0,
            })
            .collect(),
    ));
    s.run_selected = runs * 3 / 4;
    s.sweep_selected = sweeps * 3 / 4;
    s
}

/// The mouse's hit test and the drawing agree: the item a click on a row selects is the one
/// drawn on that row, in scrolled lists too.
#[test]
fn a_click_selects_the_item_drawn_under_the_mouse() {
    use recsweep::tui::app::{Focus, Target};
    let s = browsing_state(40, 30);
    let (w, h) = (120, 40);
    let screen = draw(&s, w, h);
    let lines: Vec<&str> = screen.lines().collect();
    let area = ratatui::layout::Rect::new(0, 0, w, h);
    let (mut runs_hit, mut sweeps_hit) = (0, 0);
    for y in 0..h {
        for x in [2, 60] {
            match view::hit(&s, area, x, y) {
                Some(Target::Item(Focus::Runs, i)) => {
                    // Ids are cut to the column; the λ column tells the runs apart.
                    let lambda = format!(" {} ", s.runs[i].param_label());
                    assert!(
                        lines[y as usize].contains(&lambda),
                        "row {y} does not show {lambda}:\n{screen}"
                    );
                    runs_hit += 1;
                }
                Some(Target::Item(Focus::Sweeps, i)) => {
                    assert!(
                        lines[y as usize].contains(&s.sweeps[i].name),
                        "row {y} does not show {}:\n{screen}",
                        s.sweeps[i].name
                    );
                    sweeps_hit += 1;
                }
                _ => {}
            }
        }
    }
    assert!(runs_hit >= 5 && sweeps_hit >= 5, "{runs_hit} {sweeps_hit}");
    // The selected items are on screen (scrolled into view) and hit where they are drawn.
    let run_row = lines
        .iter()
        .position(|l| l.contains(&format!(" {} ", s.runs[s.run_selected].param_label())))
        .expect("the selected run is drawn");
    assert_eq!(
        view::hit(&s, area, 60, run_row as u16),
        Some(Target::Item(Focus::Runs, s.run_selected))
    );
}

/// The comparison view of a stored sweep against itself: both sweeps named, every point's
/// difference zero, the chart drawn.
#[test]
fn the_comparison_view_shows_both_sweeps_and_their_differences() {
    let fixture = repo("tests/fixtures/stored-sweep");
    let diff = recsweep::tui::stored::compare(&fixture, &fixture).unwrap();
    let mut s = busy_state();
    s.update(Msg::Compared(Box::new(diff)));
    let screen = draw(&s, 160, 48);
    assert!(
        screen.contains("A tiny/stored-sweep  B tiny/stored-sweep"),
        "{screen}"
    );
    assert!(screen.contains("+0.0000"), "{screen}");
    assert!(
        screen.contains("rel = ndcg@5, div = coverage@5"),
        "{screen}"
    );
    assert!(screen.contains("Fronts"), "{screen}");
    // Narrow: the table under the chart, still drawn without panicking.
    let narrow = draw(&s, 80, 24);
    assert!(narrow.contains("Fronts"), "{narrow}");
}

/// The real binary as a browser of the store: two sweeps written headless, opened, compared,
/// and a run's config viewed, all from the keyboard.
#[test]
fn the_real_binary_opens_and_compares_stored_sweeps() {
    let work = tiny_workplace();
    let tiny = repo("tests/fixtures/tiny.yaml");
    let other = work.path().join("tiny-more-lambda.yaml");
    std::fs::write(
        &other,
        std::fs::read_to_string(&tiny)
            .unwrap()
            .replace("lambda: [0, 1]", "lambda: [0, 3]"),
    )
    .unwrap();
    for (file, out) in [
        (tiny.as_path(), "runs/tiny/a"),
        (other.as_path(), "runs/tiny/b"),
    ] {
        let status = Command::new(env!("CARGO_BIN_EXE_recsweep"))
            .current_dir(work.path())
            .args(["--run", file.to_str().unwrap(), "--out", out])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{out}");
    }
    let mut wb = Workbench::start(work.path(), "experiments", &[]);
    assert!(
        wb.wait_for_text("2/2 tiny/b", 20),
        "the stored sweeps are not listed:\n{}",
        wb.text()
    );
    // Tab to the sweeps, open the newest (b), select a, compare.
    wb.press(b"\t\r");
    assert!(
        wb.wait_for_text("(stored: runs/tiny/b)", 20),
        "the sweep did not open:\n{}",
        wb.text()
    );
    wb.press(b"jm");
    assert!(
        wb.wait_for_text("comparing tiny/b (A) with tiny/a (B): 3 point(s)", 20),
        "no comparison drawn:\n{}",
        wb.text()
    );
    // The runs pane: Enter shows the selected run's config.yaml.
    wb.press(b"\t\r");
    assert!(
        wb.wait_for_text("learning_rate", 20),
        "no config shown:\n{}",
        wb.text()
    );
    // Any key but the scroll keys closes the text; then q quits.
    wb.press(b"x");
    std::thread::sleep(Duration::from_millis(300));
    wb.quit();
}

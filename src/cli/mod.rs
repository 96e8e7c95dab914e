//! The command line: `recsweep --run FILE` (headless), `recsweep plot DIR`, `recsweep bench`, and the workbench
//! or the experiment listing otherwise; exit codes. How a headless sweep's progress is shown
//! is [`progress`].

mod json_events;
mod progress;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use crate::config::{self, Backend};
use crate::sweep::{self, SweepOptions};

/// What `--help` says of exit codes (the README's table).
const EXIT_CODES: &str = "Exit codes:
  0  every run finished (and every gate held)
  1  a run failed or was interrupted, or the store could not be written (the other runs still finish)
  2  invalid input: config, data file, command line, backend request, output directory or stored sweep, found before anything is written
  3  every run finished but a gate failed (gates: in the YAML, --gate)";

/// recsweep — sweep the relevance/diversity trade-off λ of a recommender and compare runs.
#[derive(Debug, Parser)]
#[command(
    name = "recsweep",
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Train the sweep of this experiment YAML headless, write run directories, print a table.
    #[arg(long, value_name = "FILE")]
    pub run: Option<PathBuf>,
    /// Override the file's `train.backend`.
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,
    /// Train only the run with this id (e.g. `exposure_entropy_lambda-0.1_seed-7`).
    #[arg(long, value_name = "ID")]
    pub only: Option<String>,
    /// Output directory (default `runs/<experiment>/<UTC timestamp>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue the sweep stored in DIR: keep its finished runs, train the others again (from
    /// DIR/experiment.yaml, or from `--run FILE`, which must be the config the sweep was made
    /// from).
    /// With `--only ID`, train just that run and leave the sweep-level files to
    /// `recsweep finalize DIR` (what a cluster's array tasks do).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub resume: Option<PathBuf>,
    /// A condition on the test metrics, checked after the sweep (repeatable; added to the
    /// file's `gates:`): `[all|any|baseline|chosen:] METRIC >=|>|<=|< NUMBER|baseline|N * baseline`,
    /// e.g. 'chosen: coverage@10 >= 1.2 * baseline'. A failed gate exits 3.
    #[arg(long, value_name = "GATE")]
    pub gate: Vec<String>,
    /// Open the workbench on the sweep stored in DIR and follow it as other processes (array
    /// tasks on a cluster, a headless run) write it.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["run", "resume"])]
    pub watch: Option<PathBuf>,
    /// Print the sweep as JSON lines on stdout (one object per event: prepared, started,
    /// epoch, finished, failed, interrupted, ended) instead of the progress and the tables.
    #[arg(long)]
    pub json: bool,
    /// Override the file's `parallel` (runs trained at once), at least 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub parallel: Option<u64>,
    /// Directory of experiment YAMLs the workbench opens over.
    #[arg(value_name = "DIR", default_value = "experiments")]
    pub dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Re-render every figure of a stored sweep into DIR/plots (PNG and SVG), without training.
    Plot {
        /// A sweep directory written by `recsweep --run` (holds sweep.json).
        dir: PathBuf,
    },
    /// Write a new experiment file, every key at its default and commented: DIR/NAME.yaml.
    New {
        /// The experiment's name (letters, digits, `-_.`); also the file's.
        name: String,
        /// The folder it is written to.
        #[arg(long, default_value = "experiments", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Prepare FILE's sweep in DIR (on a shared file system) and write DIR/slurm/: a job
    /// array of one task per run, a finalize job after them, and submit.sh. The flags default
    /// to the YAML's `cluster:` section, then to the values shown.
    Slurm {
        /// The experiment YAML.
        #[arg(required_unless_present = "resume", conflicts_with = "resume")]
        file: Option<PathBuf>,
        /// The sweep's directory, seen by every node (must not hold a sweep yet).
        #[arg(
            long,
            value_name = "DIR",
            required_unless_present = "resume",
            conflicts_with = "resume"
        )]
        out: Option<PathBuf>,
        /// Write the scripts for the runs of the sweep in DIR that did not finish (failed,
        /// interrupted, never run), to submit them again.
        #[arg(long, value_name = "DIR")]
        resume: Option<PathBuf>,
        /// `--partition` of the jobs.
        #[arg(long)]
        partition: Option<String>,
        /// `--time` of each task, Slurm's [D-]HH:MM:SS [default: 04:00:00].
        #[arg(long)]
        time: Option<String>,
        /// CPUs per task [default: 4].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
        cpus: Option<u32>,
        /// GPUs per task (`--gres=gpu:N`) [default: 0].
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=64))]
        gpus: Option<u32>,
        /// At most this many tasks at once (`--array=…%N`).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        concurrency: Option<u32>,
        /// `--mem` of each task, e.g. 16G.
        #[arg(long)]
        mem: Option<String>,
        /// Also run submit.sh (sbatch) and print the job ids.
        #[arg(long)]
        submit: bool,
    },
    /// Rebuild a sweep's comparisons, fronts, choice, gates and figures from the runs that
    /// finished, training nothing (after a cluster's array jobs).
    Finalize {
        /// The sweep directory.
        dir: PathBuf,
    },
    /// Print a shell completion script: `recsweep completions bash > ~/.local/share/bash-completion/completions/recsweep`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write DIR/report.md (facts, results with CIs and p-values, the choice on validation,
    /// hypervolumes, gates, figures) and DIR/table.tex (booktabs, best per column in bold)
    /// for a stored sweep.
    Report {
        /// A sweep directory written by `recsweep --run` (holds sweep.json).
        dir: PathBuf,
    },
    /// Time training and evaluation on MovieLens-1M's shape (synthetic), and the PyTorch peer
    /// on the same sizes in the same command; print medians, min, max and the ratios.
    Bench {
        /// Timed repeats per figure (after one warm-up epoch).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
        repeats: u64,
        /// Main figures only: no scaling table, no burn-engine epochs, no quickstart sweep.
        #[arg(long)]
        quick: bool,
        /// Also time the wgpu backend (a software adapter is 20–50× slower than the CPU).
        #[arg(long)]
        wgpu: bool,
        /// Only each model's epoch (MF, two-tower, LightGCN) at MovieLens-100K's shape.
        #[arg(long, conflicts_with_all = ["quick", "wgpu"])]
        models: bool,
        /// The Python that runs the PyTorch peer (needs torch and numpy).
        #[arg(long, default_value = "python3", value_name = "PYTHON")]
        python: String,
        /// The PyTorch peer script.
        #[arg(
            long,
            default_value = "../shared/peer/mf_torch.py",
            value_name = "FILE"
        )]
        peer: PathBuf,
        /// The experiment whose sweep's wall time is measured.
        #[arg(
            long,
            default_value = "experiments/quickstart.yaml",
            value_name = "FILE"
        )]
        quickstart: PathBuf,
        /// Also write every figure and ratio as JSON lines to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Train a sweep of many runs (MovieLens-100K's size, synthetic) and print the process's
    /// resident memory, threads and open files against the runs recorded: flat once the
    /// first runs are in, or a leak. Exit 1 when a run did not finish.
    Soak {
        /// Runs in the sweep (λ values × 2 seeds).
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(2..=2000))]
        runs: u64,
        /// Runs trained at once (default: the cores).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
        parallel: Option<u64>,
        /// Epochs per run.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1000))]
        epochs: u64,
        /// Where the sweep is written (default: a temporary directory, removed afterwards).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// Exit codes: 0 all runs finished, 1 a run failed or was interrupted, 2 invalid input.
pub fn main_with(cli: Cli) -> ExitCode {
    // Before any thread exists: `--run` probes the wgpu adapters too (backend `auto`).
    quiet_window_system_probes();
    match &cli.command {
        Some(Command::Plot { dir }) => return plot_command(dir),
        Some(Command::New { name, dir }) => return new_command(name, dir),
        Some(Command::Slurm {
            file,
            out,
            resume,
            partition,
            time,
            cpus,
            gpus,
            concurrency,
            mem,
            submit,
        }) => {
            let flags = config::raw::RawCluster {
                partition: partition.clone(),
                time: time.clone(),
                cpus: *cpus,
                gpus: *gpus,
                concurrency: *concurrency,
                mem: mem.clone(),
            };
            return slurm_command(
                file.as_deref(),
                out.as_deref(),
                resume.as_deref(),
                &flags,
                *submit,
            );
        }
        Some(Command::Finalize { dir }) => {
            return match sweep::resume::experiment(dir, None) {
                Ok(exp) => {
                    // The sweep's own backend (the finalize job may run where it is absent).
                    let cli = Cli {
                        resume: Some(dir.clone()),
                        backend: recorded_backend(dir),
                        ..Cli::parse_from(["recsweep"])
                    };
                    run_headless_mode(exp, &cli, sweep::SweepMode::Finalize)
                }
                Err(e) => {
                    say_err!("error: {e}");
                    ExitCode::from(2)
                }
            };
        }
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "recsweep",
                &mut std::io::stdout(),
            );
            return ExitCode::SUCCESS;
        }
        Some(Command::Report { dir }) => {
            return match crate::report::write(dir) {
                Ok(files) => {
                    for f in files {
                        say!("written: {}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    say_err!("error: {e}");
                    let write = matches!(e, crate::report::ReportError::Write { .. });
                    ExitCode::from(if write { 1 } else { 2 })
                }
            };
        }
        Some(Command::Bench {
            repeats,
            quick,
            wgpu,
            models,
            python,
            peer,
            quickstart,
            json,
        }) => {
            let opts = crate::bench::BenchOptions {
                repeats: usize::try_from(*repeats).unwrap_or(3),
                quick: *quick,
                wgpu: *wgpu,
                models: *models,
                python: python.clone(),
                peer: peer.clone(),
                quickstart: quickstart.clone(),
            };
            return bench_command(&opts, json.as_deref());
        }
        Some(Command::Soak {
            runs,
            parallel,
            epochs,
            out,
        }) => {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
            let opts = crate::soak::SoakOptions {
                runs: usize::try_from(*runs).unwrap_or(256),
                parallel: parallel.map_or(cores, |p| usize::try_from(p).unwrap_or(1)),
                epochs: usize::try_from(*epochs).unwrap_or(5),
                out: out.clone().unwrap_or_else(|| {
                    std::env::temp_dir().join(format!("recsweep-soak-{}", std::process::id()))
                }),
                keep: out.is_some(),
            };
            return soak_command(&opts);
        }
        None => {}
    }
    if let Some(dir) = &cli.watch {
        if !dir.join("sweep.json").is_file() {
            say_err!(
                "error: '{}' holds no sweep (sweep.json) to watch",
                dir.display()
            );
            return ExitCode::from(2);
        }
        return workbench(&cli.dir, Some(dir.clone()));
    }
    if cli.run.is_none() && cli.resume.is_none() && !cli.dir.is_dir() {
        say_err!(
            "error: cannot read experiment directory '{}' (try 'recsweep --run FILE')",
            cli.dir.display()
        );
        return ExitCode::from(2);
    }
    if let Some(dir) = &cli.resume {
        return match sweep::resume::experiment(dir, cli.run.as_deref()) {
            Ok(exp) => run_headless(exp, &cli),
            Err(e) => {
                say_err!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    match &cli.run {
        Some(file) => match config::load(file) {
            Ok(exp) => run_headless(exp, &cli),
            Err(e) => {
                say_err!("error: {e}");
                ExitCode::from(2)
            }
        },
        None if std::io::stdout().is_terminal() => workbench(&cli.dir, None),
        // Not a terminal (a pipe, CI): list the experiments instead of drawing a UI.
        None => list_experiments(&cli.dir),
    }
}

fn workbench(dir: &std::path::Path, watch: Option<PathBuf>) -> ExitCode {
    match crate::tui::runtime::run(dir.to_path_buf(), watch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say_err!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Mesa's Vulkan driver complains on stderr when XDG_RUNTIME_DIR is unset ("error:
/// XDG_RUNTIME_DIR is invalid"), which would scribble over the workbench and read as a
/// failure in `--run`'s output: point it at a private directory first.
#[allow(unsafe_code)] // set_var before any other thread exists; see the SAFETY note.
fn quiet_window_system_probes() {
    if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
        return;
    }
    // One directory per user, reused by every run (one per process would pile up in /tmp),
    // and used only when it is this user's own and private to it.
    #[cfg(unix)]
    let dir = {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let uid = std::fs::metadata("/proc/self").map_or(0, |m| m.uid());
        let dir = std::env::temp_dir().join(format!("recsweep-runtime-{uid}"));
        let _ = std::fs::create_dir(&dir);
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        let private = std::fs::symlink_metadata(&dir)
            .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.permissions().mode() & 0o077 == 0);
        if !private {
            return;
        }
        dir
    };
    #[cfg(not(unix))]
    let dir = {
        let dir = std::env::temp_dir().join("recsweep-runtime");
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        dir
    };
    // SAFETY: called first thing in `main_with`, on the main thread, before any other
    // thread exists.
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
}

/// `recsweep new NAME`: the template, checked by reading it back, written where no file is.
fn new_command(name: &str, dir: &std::path::Path) -> ExitCode {
    let path = dir.join(format!("{name}.yaml"));
    let yaml = config::template::new_experiment_yaml(name);
    if let Err(e) = config::parse_str(&yaml, &path) {
        say_err!("error: {e}");
        return ExitCode::from(2);
    }
    if path.exists() {
        say_err!(
            "error: '{}' already exists: choose another name, or remove it first",
            path.display()
        );
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(dir)
        .and_then(|()| crate::store::write_atomic(&path, yaml.as_bytes()))
    {
        say_err!("error: cannot write '{}': {e}", path.display());
        return ExitCode::from(1);
    }
    say!(
        "written: {} (every key at its default)\nrun it with: recsweep --run {}",
        path.display(),
        path.display()
    );
    ExitCode::SUCCESS
}

fn plot_command(dir: &std::path::Path) -> ExitCode {
    let started = std::time::Instant::now();
    match crate::plot::replot(dir) {
        Ok(files) => {
            say!(
                "{} figures written to {} in {:.2}s",
                files.len(),
                dir.join("plots").display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            say_err!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `recsweep bench`: each figure as it is measured, then the table, the ratios and the notes;
/// JSON lines to `json` when asked. Exit 0, or 1 when a timed run failed.
fn bench_command(opts: &crate::bench::BenchOptions, json: Option<&std::path::Path>) -> ExitCode {
    say!(
        "recsweep bench: {} (synthetic), {} repeats per figure, {} threads",
        if opts.models {
            "each model at MovieLens-100K's shape"
        } else {
            "MovieLens-1M's shape"
        },
        opts.repeats,
        rayon::current_num_threads()
    );
    let report = match crate::bench::run(opts, |f| {
        say!(
            "  {} · {} · {} s (min {}, max {}) · {}",
            f.what,
            f.engine,
            crate::bench::seconds(f.median_s),
            crate::bench::seconds(f.min_s),
            crate::bench::seconds(f.max_s),
            f.detail
        );
    }) {
        Ok(r) => r,
        Err(e) => {
            say_err!("error: {e}");
            return ExitCode::from(1);
        }
    };
    say!();
    say_raw!("{}", crate::bench::table(&report));
    if let Some(path) = json {
        let mut lines = String::new();
        for f in &report.figures {
            lines.push_str(&serde_json::to_string(f).unwrap_or_default());
            lines.push('\n');
        }
        for r in &report.ratios {
            lines.push_str(&serde_json::to_string(r).unwrap_or_default());
            lines.push('\n');
        }
        // Whole or not at all, as every file recsweep writes.
        if let Err(e) = crate::store::write_atomic(path, lines.as_bytes()) {
            say_err!("error: cannot write '{}': {e}", path.display());
            return ExitCode::from(1);
        }
        say!("JSON lines written to {}", path.display());
    }
    ExitCode::SUCCESS
}

/// `recsweep soak`: readings as they come, then the table and the verdict.
fn soak_command(opts: &crate::soak::SoakOptions) -> ExitCode {
    say!(
        "recsweep soak: {} runs, {} at once, {} epochs each, into {}",
        opts.runs,
        opts.parallel,
        opts.epochs,
        opts.out.display()
    );
    let report = match crate::soak::run(opts, |r| {
        if r.runs_recorded % 16 == 0 {
            say!(
                "  {} runs recorded: RSS {:.1} MiB, {} threads, {} open files",
                r.runs_recorded,
                r.rss_kib as f64 / 1024.0,
                r.threads,
                r.fds
            );
        }
    }) {
        Ok(r) => r,
        Err(e) => {
            say_err!("error: {e}");
            return ExitCode::from(if matches!(e, crate::soak::SoakError::Sweep(_)) {
                1
            } else {
                2
            });
        }
    };
    say!();
    say_raw!("{}", report.table());
    let max =
        |f: fn(&crate::soak::Reading) -> usize| report.readings.iter().map(f).max().unwrap_or(0);
    say!(
        "\n{} of {} runs finished in {:.1}s; threads at most {}, open files at most {}, peak RSS {:.1} MiB",
        report.finished,
        report.finished + report.not_finished.len(),
        report.seconds,
        max(|r| r.threads),
        max(|r| r.fds),
        report.peak_rss_mib
    );
    if let Some((quarter, later)) = report.growth_after_first_quarter() {
        say!(
            "RSS once a quarter of the runs were in: {:.1} MiB; the most after: {:.1} MiB ({:+.1} MiB)",
            quarter as f64 / 1024.0,
            later as f64 / 1024.0,
            (later as f64 - quarter as f64) / 1024.0
        );
    }
    for lost in &report.not_finished {
        say!("not finished: {lost}");
    }
    if report.not_finished.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The cluster settings: each flag, else the YAML's `cluster:` value, else the default.
fn cluster_spec(
    flags: &config::raw::RawCluster,
    file: Option<&config::raw::RawCluster>,
) -> crate::slurm::ClusterSpec {
    let file = file.cloned().unwrap_or_default();
    crate::slurm::ClusterSpec {
        partition: flags.partition.clone().or(file.partition),
        time: flags
            .time
            .clone()
            .or(file.time)
            .unwrap_or_else(|| "04:00:00".into()),
        cpus_per_task: flags.cpus.or(file.cpus).unwrap_or(4).max(1),
        gpus_per_task: flags.gpus.or(file.gpus).unwrap_or(0),
        concurrency: flags.concurrency.or(file.concurrency),
        mem: flags.mem.clone().or(file.mem),
    }
}

/// The backend the sweep in `dir` recorded in its `sweep.json`, if it can be read.
fn recorded_backend(dir: &std::path::Path) -> Option<config::Backend> {
    let manifest = crate::store::read_manifest(dir).ok()?;
    Some(match manifest.backend.as_str() {
        "wgpu" => config::Backend::Wgpu,
        _ => config::Backend::Cpu,
    })
}

/// `recsweep slurm`: the sweep's directory prepared (nothing trained), then its scripts; with
/// `--resume DIR`, the scripts of the runs of DIR that did not finish.
fn slurm_command(
    file: Option<&std::path::Path>,
    out: Option<&std::path::Path>,
    resume: Option<&std::path::Path>,
    flags: &config::raw::RawCluster,
    submit: bool,
) -> ExitCode {
    let loaded = match (file, resume) {
        (_, Some(dir)) => sweep::resume::experiment(dir, None).map_err(|e| e.to_string()),
        (Some(f), None) => config::load(f).map_err(|e| e.to_string()),
        (None, None) => Err("give an experiment FILE or --resume DIR".to_string()),
    };
    let exp = match loaded {
        Ok(e) => e,
        Err(e) => {
            say_err!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let spec = &cluster_spec(flags, exp.resolved.cluster.as_ref());
    let name = exp.name.clone();
    // The tasks' backend, fixed for all of them: a resumed sweep's own, else the file's, or
    // with `auto` wgpu when they get GPUs and the CPU otherwise.
    let backend = match (resume.and_then(recorded_backend), exp.train.backend) {
        (Some(recorded), _) => recorded,
        (None, config::Backend::Auto) if spec.gpus_per_task > 0 => config::Backend::Wgpu,
        (None, config::Backend::Auto) => config::Backend::Cpu,
        (None, other) => other,
    };
    let opts = SweepOptions {
        out: out.map(|o| std::path::absolute(o).unwrap_or_else(|_| o.to_path_buf())),
        resume: resume.map(|d| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf())),
        backend: Some(backend),
        mode: sweep::SweepMode::Prepare,
        ..SweepOptions::default()
    };
    let mut runs = Vec::new();
    let report =
        match sweep::run_sweep(exp, &opts, Arc::new(sweep::SweepControl::new()), &mut |e| {
            if let sweep::SweepEvent::Prepared(plan) = e {
                runs = plan.runs.clone();
            }
        }) {
            Ok(r) => r,
            Err(e) => {
                say_err!("error: {e}");
                return ExitCode::from(if e.is_input_error() { 2 } else { 1 });
            }
        };
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("recsweep"));
    let target = crate::slurm::Target {
        recsweep: &exe,
        experiment: &name,
        dir: &report.out_dir,
        backend,
        spec,
    };
    let files = crate::slurm::scripts(target, &runs);
    let written = match crate::slurm::write(&files, &report.out_dir) {
        Ok(w) => w,
        Err(e) => {
            say_err!(
                "error: cannot write the scripts under '{}': {e}",
                report.out_dir.display()
            );
            return ExitCode::from(1);
        }
    };
    if runs.is_empty() {
        say!(
            "sweep '{name}' in {}: every run has finished; nothing to submit (run 'recsweep finalize {}' if its sweep-level files are missing)",
            report.out_dir.display(),
            report.out_dir.display()
        );
        return ExitCode::SUCCESS;
    }
    say!(
        "sweep '{name}' prepared in {} ({} runs to submit, nothing trained yet)",
        report.out_dir.display(),
        runs.len()
    );
    for w in &written {
        say!("  {}", w.display());
    }
    let submit_sh = report.out_dir.join("slurm").join("submit.sh");
    if !submit {
        say!("submit with: {}", submit_sh.display());
        return ExitCode::SUCCESS;
    }
    match std::process::Command::new("bash").arg(&submit_sh).output() {
        Ok(o) if o.status.success() => {
            say_raw!("{}", String::from_utf8_lossy(&o.stdout));
            ExitCode::SUCCESS
        }
        Ok(o) => {
            say_err!(
                "error: submitting failed (is sbatch on PATH?): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            say_err!("error: cannot run '{}': {e}", submit_sh.display());
            ExitCode::from(1)
        }
    }
}

/// Trains `exp`'s sweep (or resumes one, with `--resume`) and prints its results.
fn run_headless(exp: config::Experiment, cli: &Cli) -> ExitCode {
    run_headless_mode(exp, cli, sweep::SweepMode::Train)
}

fn run_headless_mode(mut exp: config::Experiment, cli: &Cli, mode: sweep::SweepMode) -> ExitCode {
    for gate in &cli.gate {
        if let Err(e) = exp.add_gate(gate) {
            say_err!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let file = exp.file.clone();
    let ks = exp.eval.k.clone();
    let (relevance, diversity) = (exp.plots.relevance, exp.plots.diversity);
    let opts = SweepOptions {
        backend: cli.backend,
        only: cli.only.clone(),
        out: cli.out.clone(),
        parallel: cli
            .parallel
            .map(|p| usize::try_from(p).unwrap_or(usize::MAX)),
        resume: cli.resume.clone(),
        mode,
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // A second Ctrl-C while runs wind down exits at once.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::Relaxed) {
                std::process::exit(130);
            }
            say_err!("\nstopping: runs end after their current batch (Ctrl-C again to quit now)");
        });
    }
    let control = Arc::new(sweep::SweepControl::with_flag(stop));
    let result = if cli.json {
        sweep::run_sweep(exp, &opts, control, &mut json_events::print)
    } else {
        let mut progress = progress::Progress::new(std::io::stdout().is_terminal());
        say!(
            "experiment '{}' ({}): {} run(s)",
            exp.name,
            file.display(),
            exp.select_runs(cli.only.as_deref()).map_or(0, |r| r.len())
        );
        sweep::run_sweep(exp, &opts, control, &mut |e| progress.on(e))
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            say_err!("error: {e}");
            return ExitCode::from(if e.is_input_error() { 2 } else { 1 });
        }
    };
    if !report.sweep_files {
        // One run of a sweep being filled by others (`--resume DIR --only ID`).
        for s in &report.summaries {
            if cli.only.as_deref() == Some(s.run_id.as_str()) && !cli.json {
                say!("{}: {}", s.run_id, s.status.as_str());
            }
        }
        for id in &report.not_started {
            say_err!("{id}: not started (a re-ranking run starts once its baseline has finished)");
        }
        // On stderr: with --json, stdout carries JSON lines only.
        say_err!(
            "sweep-level files not rebuilt: run 'recsweep finalize {}' once every run has ended",
            report.out_dir.display()
        );
        let done = report
            .summaries
            .iter()
            .filter(|s| cli.only.as_deref() == Some(s.run_id.as_str()))
            .all(|s| s.status == crate::events::RunStatus::Finished);
        return if done && report.not_started.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    if !cli.json {
        print_results(&report, &ks, [relevance, diversity]);
    }
    let started = std::time::Instant::now();
    let plots_ok = match crate::plot::replot(&report.out_dir) {
        Ok(files) => {
            let dir = report.out_dir.join("plots");
            if cli.json {
                say!(
                    "{}",
                    serde_json::json!({"event": "figures", "dir": dir, "files": files.len()})
                );
            } else {
                say!(
                    "figures: {} ({} files, {:.2}s)",
                    dir.display(),
                    files.len(),
                    started.elapsed().as_secs_f64()
                );
            }
            true
        }
        Err(e) => {
            say_err!("error: figures not written: {e}");
            false
        }
    };
    if !(report.all_finished() && plots_ok) {
        ExitCode::from(1)
    } else if report.gates.iter().any(|g| !g.held) {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// The text results of a sweep: the table, the seed-level view, the choice, the fronts'
/// hypervolumes, the gates, and what did not finish.
fn print_results(report: &sweep::SweepReport, ks: &[usize], axes: [crate::metrics::MetricKey; 2]) {
    say!();
    say!("{}", report.selection_note);
    say_raw!(
        "{}",
        sweep::results_table(&report.summaries, ks, report.choice.as_ref())
    );
    let seeds = sweep::seeds_table(&report.summaries, &axes);
    if !seeds.is_empty() {
        say!();
        say_raw!("{seeds}");
    }
    if let Some(choice) = &report.choice {
        say!();
        say_raw!("{}", choice.text());
    }
    for front in &report.fronts {
        say!();
        say_raw!("{}", front.volumes_text());
    }
    if !report.gates.is_empty() {
        say!();
        say_raw!("{}", crate::compare::gates::text(&report.gates));
    }
    for id in &report.not_started {
        say!("{id}: not started (sweep stopped)");
    }
    for s in report.summaries.iter().filter(|s| s.reason.is_some()) {
        say!(
            "{}: failed: {}",
            s.run_id,
            s.reason.as_deref().unwrap_or("")
        );
    }
    say!("\nrun directories: {}", report.out_dir.display());
}

/// Without `--run`: list the experiments of `dir`, each valid or with its error.
fn list_experiments(dir: &std::path::Path) -> ExitCode {
    say!("experiments in {}:", dir.display());
    for entry in config::load_experiments(dir) {
        match &entry.status {
            Ok(info) => say!(
                "  ok       {}  ({} runs: λ = {:?})",
                entry.path.display(),
                info.runs,
                info.lambdas
            ),
            Err(e) => say!("  invalid  {e}"),
        }
    }
    say!("\nrun one with: recsweep --run FILE");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_flags_override_the_yaml_which_overrides_the_defaults() {
        let file = config::raw::RawCluster {
            partition: Some("gpu".into()),
            time: Some("01:00:00".into()),
            gpus: Some(1),
            ..Default::default()
        };
        let flags = config::raw::RawCluster {
            time: Some("00:30:00".into()),
            cpus: Some(8),
            ..Default::default()
        };
        let spec = cluster_spec(&flags, Some(&file));
        assert_eq!(spec.partition.as_deref(), Some("gpu"));
        assert_eq!(spec.time, "00:30:00");
        assert_eq!((spec.cpus_per_task, spec.gpus_per_task), (8, 1));
        let none = cluster_spec(&config::raw::RawCluster::default(), None);
        assert_eq!(
            (none.time.as_str(), none.cpus_per_task, none.gpus_per_task),
            ("04:00:00", 4, 0)
        );
    }
}

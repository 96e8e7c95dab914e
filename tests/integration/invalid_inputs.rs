//! Bad input beyond the experiment files of `tests/invalid_configs/` (see `config.rs`): data
//! files, command lines and damaged run stores, each run through the binary in a directory of
//! its own. Every case must exit with its code (2: the input's fault), say what is wrong with
//! the file, field or line and the value in quotes, and leave the directory exactly as it was:
//! no run directory, no half-written sweep, no figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{copy_dir, repo};

/// An experiment over `data.csv` with ratings (positive at 4) and timestamps.
const RATED: &[u8] = b"name: f
data:
  source: file
  path: data.csv
  columns: {user: u, item: i, rating: r, timestamp: t}
  positive_threshold: 4
sweep:
  lambda: [0]
";

/// An experiment over `data.csv` of bare (user, item) pairs.
const PAIRS: &[u8] = b"name: f
data:
  source: file
  path: data.csv
  columns: {user: u, item: i}
sweep:
  lambda: [0]
";

/// What is done to a copy of a finished sweep (`tiny.yaml`, two runs) at `sweep/` first.
type Damage = fn(&Path);

struct Case {
    name: &'static str,
    /// Written into the case's directory first (a path ending in `/` is a directory).
    files: &'static [(&'static str, &'static [u8])],
    /// Written as `data.csv`.
    csv: Option<&'static [u8]>,
    /// A finished sweep copied to `sweep/` and damaged so.
    store: Option<Damage>,
    /// `{tiny}` stands for `tests/fixtures/tiny.yaml`.
    args: &'static [&'static str],
    code: i32,
    needles: &'static [&'static str],
}

const fn data(name: &'static str, csv: &'static [u8], needles: &'static [&'static str]) -> Case {
    Case {
        name,
        files: &[("e.yaml", RATED)],
        csv: Some(csv),
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles,
    }
}

const fn cli(
    name: &'static str,
    args: &'static [&'static str],
    needles: &'static [&'static str],
) -> Case {
    Case {
        name,
        files: &[],
        csv: None,
        store: None,
        args,
        code: 2,
        needles,
    }
}

const fn store(
    name: &'static str,
    damage: Damage,
    args: &'static [&'static str],
    needles: &'static [&'static str],
) -> Case {
    Case {
        name,
        files: &[],
        csv: None,
        store: Some(damage),
        args,
        code: 2,
        needles,
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no '{from}'", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

const BASE: &str = "sweep/lambda-0_seed-5";
const REGULARISED: &str = "sweep/exposure_entropy_lambda-1_seed-5";

const CASES: &[Case] = &[
    // Data files.
    Case {
        name: "data file missing",
        files: &[("e.yaml", RATED)],
        csv: None,
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles: &["data.csv", "No such file"],
    },
    data("data file empty", b"", &["data.csv", "empty"]),
    data(
        "data header only",
        b"u,i,r,t\n",
        &["data.csv", "no interaction has rating >= '4'"],
    ),
    data(
        "no rating reaches the threshold",
        b"u,i,r,t\n1,2,1,10\n2,3,2,11\n",
        &["data.positive_threshold", "'4'"],
    ),
    data(
        "a column missing",
        b"u,i,r\n1,2,5\n",
        &["data.csv", "column 't'", "is missing", "u, i, r"],
    ),
    data(
        "rating not a number",
        b"u,i,r,t\n1,2,five,10\n",
        &["data.csv", "line 2", "rating 'five'"],
    ),
    data(
        "rating empty",
        b"u,i,r,t\n1,2,5,10\n1,3,,11\n",
        &["data.csv", "line 3", "no rating"],
    ),
    data("rating NaN", b"u,i,r,t\n1,2,NaN,10\n", &["line 2", "'NaN'"]),
    data(
        "rating infinite",
        b"u,i,r,t\n1,2,inf,10\n",
        &["line 2", "'inf'", "not a finite number"],
    ),
    data(
        "timestamp not an integer",
        b"u,i,r,t\n1,2,5,yesterday\n",
        &["line 2", "timestamp 'yesterday'"],
    ),
    data(
        "timestamp a fraction",
        b"u,i,r,t\n1,2,5,10.5\n",
        &["line 2", "timestamp '10.5'", "not an integer"],
    ),
    data(
        "a row with a field too many",
        b"u,i,r,t\n1,2,5,10\n1,3,5,11,99\n",
        &["data.csv", "line 3 has 5 field(s), the header 4", "'1,3,5,11,99'"],
    ),
    data(
        "an unterminated quote",
        b"u,i,r,t\n1,2,5,10\n1,\"3,5,11\n2,3,5,12\n",
        &["data.csv", "line 3: a quote opened there is never closed"],
    ),
    data(
        "bytes that are not UTF-8",
        b"u,i,r,t\n1,2,5,10\n\xff\xfe,3,5,11\n",
        &["data.csv", "line 3", "'\\xff'", "not UTF-8"],
    ),
    data(
        "an empty item id",
        b"u,i,r,t\n1,,5,10\n",
        &["line 2", "empty user or item id"],
    ),
    Case {
        name: "the header repeated mid-file",
        files: &[("e.yaml", PAIRS), ("data.csv", b"u,i\n1,2\n1,3\nu,i\n2,3\n")],
        csv: None,
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles: &["line 4", "repeats the header ('u', 'i')"],
    },
    Case {
        name: "a CSV named .parquet",
        files: &[
            (
                "e.yaml",
                b"name: f\ndata:\n  source: file\n  path: data.parquet\n  columns: {user: u, item: i}\nsweep:\n  lambda: [0]\n",
            ),
            ("data.parquet", b"u,i\n1,2\n"),
        ],
        csv: None,
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles: &["data.parquet"],
    },
    Case {
        name: "the data path is a directory",
        files: &[("e.yaml", PAIRS), ("data.csv/", b"")],
        csv: None,
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles: &["data.csv"],
    },
    Case {
        name: "no user keeps a held-out positive",
        files: &[("e.yaml", PAIRS), ("data.csv", b"u,i\n1,2\n2,3\n3,4\n")],
        csv: None,
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles: &["no user with a held-out test positive", "3 users"],
    },
    Case {
        name: "a MovieLens folder without u.data",
        files: &[
            (
                "e.yaml",
                b"name: f\ndata:\n  source: movielens-100k\n  path: ml/\nsweep:\n  lambda: [0]\n",
            ),
            ("ml/", b""),
        ],
        csv: None,
        store: None,
        args: &["--run", "e.yaml"],
        code: 2,
        needles: &["u.data"],
    },
    // Command lines.
    cli(
        "--run of a missing file",
        &["--run", "nowhere.yaml"],
        &["'nowhere.yaml'"],
    ),
    Case {
        name: "--run of a directory",
        files: &[("adir/", b"")],
        csv: None,
        store: None,
        args: &["--run", "adir"],
        code: 2,
        needles: &["'adir'"],
    },
    cli(
        "--run without a value",
        &["--run"],
        &["--run <FILE>", "a value is required"],
    ),
    cli(
        "--parallel 0",
        &["--run", "{tiny}", "--parallel", "0"],
        &["--parallel", "'0'"],
    ),
    cli(
        "--parallel not a number",
        &["--run", "{tiny}", "--parallel", "many"],
        &["--parallel", "'many'"],
    ),
    cli(
        "--backend unknown",
        &["--run", "{tiny}", "--backend", "tpu"],
        &["'tpu'", "auto, wgpu, cpu"],
    ),
    cli(
        "--only an unknown run",
        &["--run", "{tiny}", "--only", "nope"],
        &["'nope'", "lambda-0_seed-5"],
    ),
    cli(
        "a misspelt flag",
        &["--run", "{tiny}", "--paralel", "2"],
        &["'--paralel'", "'--parallel'"],
    ),
    Case {
        name: "--out is a file",
        files: &[("out", b"not a directory\n")],
        csv: None,
        store: None,
        args: &["--run", "{tiny}", "--out", "out"],
        code: 2,
        needles: &["output directory 'out'"],
    },
    Case {
        name: "--out holds a sweep",
        files: &[("out/sweep.json", b"{}\n")],
        csv: None,
        store: None,
        args: &["--run", "{tiny}", "--out", "out"],
        code: 2,
        needles: &["'out'", "already holds a sweep", "--resume"],
    },
    cli(
        "--resume with --out",
        &["--resume", "sweep", "--out", "other"],
        &["'--out <DIR>'", "cannot be used with"],
    ),
    store(
        "--resume --only a run the sweep lacks",
        |_| {},
        &["--resume", "sweep", "--only", "nope"],
        &["cannot resume 'sweep'", "has no run 'nope'"],
    ),
    cli(
        "slurm without --out",
        &["slurm", "{tiny}"],
        &["--out <DIR>", "required"],
    ),
    Case {
        name: "slurm into a folder that holds a sweep",
        files: &[("out/sweep.json", b"{}\n")],
        csv: None,
        store: None,
        args: &["slurm", "{tiny}", "--out", "out"],
        code: 2,
        needles: &["already holds a sweep"],
    },
    cli(
        "finalize of a folder that holds no sweep",
        &["finalize", "nowhere"],
        &["cannot resume 'nowhere'", "not a sweep directory"],
    ),
    cli(
        "--gate on a metric not evaluated",
        &["--run", "{tiny}", "--gate", "ndcg@99 >= 0.2"],
        &["--gate", "'ndcg@99 >= 0.2'", "not evaluated"],
    ),
    cli(
        "--gate without a comparison",
        &["--run", "{tiny}", "--gate", "ndcg@10 = 0.2"],
        &["--gate", "'ndcg@10 = 0.2'", "no comparison"],
    ),
    cli(
        "bench --repeats 0",
        &["bench", "--repeats", "0"],
        &["--repeats", "'0'"],
    ),
    cli(
        "the workbench over a missing folder",
        &["nowhere"],
        &["experiment directory 'nowhere'"],
    ),
    cli(
        "new with a name that is not one",
        &["new", "bad name!"],
        &["name", "'bad name!'"],
    ),
    Case {
        name: "new over an existing file",
        files: &[("experiments/taken.yaml", b"name: taken\n")],
        csv: None,
        store: None,
        args: &["new", "taken"],
        code: 2,
        needles: &["'experiments/taken.yaml' already exists"],
    },
    cli(
        "completions for an unknown shell",
        &["completions", "tcsh"],
        &["'tcsh'", "bash"],
    ),
    cli(
        "report of a missing folder",
        &["report", "nowhere"],
        &["'nowhere'", "sweep.json"],
    ),
    cli("plot of a missing folder", &["plot", "nowhere"], &["'nowhere'", "sweep.json"]),
    // Damaged stores, read by `plot` and by `--resume`.
    store(
        "plot: sweep.json cut",
        |d| std::fs::write(d.join("sweep/sweep.json"), "{\"experiment\": \"ti").unwrap(),
        &["plot", "sweep"],
        &["sweep.json", "EOF"],
    ),
    store(
        "plot: summary.json cut",
        |d| std::fs::write(d.join(BASE).join("summary.json"), "{\"run_id\": ").unwrap(),
        &["plot", "sweep"],
        &["lambda-0_seed-5/summary.json", "not a run summary"],
    ),
    store(
        "plot: a metrics.csv row cut",
        |d| {
            let path = d.join(BASE).join("metrics.csv");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}4,0.5\n")).unwrap();
        },
        &["plot", "sweep"],
        &["metrics.csv", "row 5 has 2 cells"],
    ),
    store(
        "plot: no run finished",
        |d| {
            std::fs::remove_file(d.join(BASE).join("summary.json")).unwrap();
            std::fs::remove_file(d.join(REGULARISED).join("summary.json")).unwrap();
        },
        &["plot", "sweep"],
        &["'sweep'", "holds no run"],
    ),
    store(
        "plot: a figure size of 200000 pixels",
        |d| edit(&d.join("sweep/sweep.json"), "\"width\": 1600", "\"width\": 200000"),
        &["plot", "sweep"],
        &["sweep.json", "plots.width '200000'", "[320, 8000]"],
    ),
    cli(
        "--resume of a folder that holds no sweep",
        &["--resume", "nowhere"],
        &["cannot resume 'nowhere'", "not a sweep directory"],
    ),
    store(
        "--resume: sweep.json not JSON",
        |d| std::fs::write(d.join("sweep/sweep.json"), "runs: []\n").unwrap(),
        &["--resume", "sweep"],
        &["sweep.json", "is not a sweep manifest"],
    ),
    store(
        "--resume: summary.json cut",
        |d| std::fs::write(d.join(REGULARISED).join("summary.json"), "{").unwrap(),
        &["--resume", "sweep"],
        &["summary.json", "not a run summary", "remove"],
    ),
    store(
        "--resume: per_user.csv names a user the data lacks",
        |d| {
            let path = d.join(REGULARISED).join("per_user.csv");
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let rest = lines[1].split_once(',').unwrap().1.to_string();
            lines[1] = format!("ghost,{rest}");
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        },
        &["--resume", "sweep"],
        &["per_user.csv", "line 2: user 'ghost' is not in the data set", "damaged"],
    ),
    store(
        "--resume: per_user.csv row cut",
        |d| {
            let path = d.join(BASE).join("per_user.csv");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}u1,0.5\n")).unwrap();
        },
        &["--resume", "sweep"],
        &["per_user.csv", "has 2 fields"],
    ),
    store(
        "--resume: the stored experiment edited",
        |d| edit(&d.join("sweep/experiment.yaml"), "epochs: 3", "epochs: 30"),
        &["--resume", "sweep"],
        &["the config changed", "'epochs: 3' stored, 'epochs: 30' now"],
    ),
    store(
        "--resume: the stored experiment renamed",
        |d| edit(&d.join("sweep/experiment.yaml"), "name: tiny", "name: other"),
        &["--resume", "sweep"],
        &["the sweep is of experiment 'tiny', the config names 'other'"],
    ),
    store(
        "--resume: the stored experiment broken",
        |d| std::fs::write(d.join("sweep/experiment.yaml"), "name: [\n").unwrap(),
        &["--resume", "sweep"],
        &["experiment.yaml"],
    ),
    store(
        "--resume: a run the experiment does not have",
        |d| {
            edit(
                &d.join("sweep/sweep.json"),
                "\"run_id\": \"lambda-0_seed-5\"",
                "\"run_id\": \"lambda-0_seed-6\"",
            )
        },
        &["--resume", "sweep"],
        &["has no run 'lambda-0_seed-6'"],
    ),
    store(
        "--resume: no experiment.yaml and the original file gone",
        |d| {
            std::fs::remove_file(d.join("sweep/experiment.yaml")).unwrap();
            let manifest = d.join("sweep/sweep.json");
            let text = std::fs::read_to_string(&manifest).unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            v["file"] = "gone/tiny.yaml".into();
            std::fs::write(&manifest, v.to_string()).unwrap();
        },
        &["--resume", "sweep"],
        &["'gone/tiny.yaml'"],
    ),
    store(
        "--resume on another backend",
        |_| {},
        &["--resume", "sweep", "--backend", "wgpu"],
        &["trained on the 'cpu' backend", "--backend cpu"],
    ),
];

/// Every file under `dir` with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.insert(path.clone(), Vec::new());
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

#[test]
fn every_bad_input_is_a_clear_error_that_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let tiny = repo("tests/fixtures/tiny.yaml");
    let finished = tmp.path().join("finished");
    let o = Command::new(env!("CARGO_BIN_EXE_recsweep"))
        .args(["--run", tiny.to_str().unwrap(), "--out"])
        .arg(&finished)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut failures = Vec::new();
    for (n, case) in CASES.iter().enumerate() {
        let dir = tmp.path().join(format!("case-{n}"));
        std::fs::create_dir(&dir).unwrap();
        for (path, contents) in case.files {
            let at = dir.join(path);
            if path.ends_with('/') {
                std::fs::create_dir_all(&at).unwrap();
            } else {
                std::fs::create_dir_all(at.parent().unwrap()).unwrap();
                std::fs::write(&at, contents).unwrap();
            }
        }
        if let Some(csv) = case.csv {
            std::fs::write(dir.join("data.csv"), csv).unwrap();
        }
        if let Some(damage) = case.store {
            copy_dir(&finished, &dir.join("sweep"));
            damage(&dir);
        }
        let before = snapshot(&dir);
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{tiny}", tiny.to_str().unwrap()))
            .collect();
        let o = Command::new(env!("CARGO_BIN_EXE_recsweep"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        let mut wrong = Vec::new();
        if o.status.code() != Some(case.code) {
            wrong.push(format!(
                "exit {:?}, expected {}",
                o.status.code(),
                case.code
            ));
        }
        for needle in case.needles {
            if !stderr.contains(needle) {
                wrong.push(format!("no '{needle}'"));
            }
        }
        if stderr.contains("panicked") {
            wrong.push("a panic".into());
        }
        if snapshot(&dir) != before {
            wrong.push("the directory changed (something was written)".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  stderr: {stderr}",
                case.name,
                wrong.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn the_suite_with_the_config_fixtures_has_at_least_sixty_inputs() {
    let configs = std::fs::read_dir(repo("tests/invalid_configs"))
        .unwrap()
        .count();
    assert!(
        configs + CASES.len() >= 60,
        "{configs} invalid configs + {} other inputs",
        CASES.len()
    );
}

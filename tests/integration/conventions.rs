//! The command line's conventions: `--help` documents the exit codes, `completions` prints a
//! shell's completion script, `new NAME` writes an experiment that runs as it is.

use std::process::Command;

use crate::support::recsweep_ok;

#[test]
fn help_documents_the_exit_codes() {
    let help = recsweep_ok(&["--help"]);
    for needle in [
        "Exit codes:",
        "  2  invalid input",
        "  3  every run finished but a gate failed",
    ] {
        assert!(help.contains(needle), "--help lacks '{needle}':\n{help}");
    }
}

#[test]
fn completions_cover_the_flags_and_subcommands() {
    let bash = recsweep_ok(&["completions", "bash"]);
    for needle in ["_recsweep()", "--resume", "--gate", "report", "soak"] {
        assert!(bash.contains(needle), "bash completions lack '{needle}'");
    }
    let zsh = recsweep_ok(&["completions", "zsh"]);
    assert!(
        zsh.starts_with("#compdef recsweep"),
        "{}",
        &zsh[..80.min(zsh.len())]
    );
    let fish = recsweep_ok(&["completions", "fish"]);
    assert!(fish.contains("complete -c recsweep"));
}

#[test]
fn new_writes_an_experiment_that_runs_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_recsweep"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    let o = run(&["new", "fresh"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let path = tmp.path().join("experiments/fresh.yaml");
    let before = std::fs::read(&path).unwrap();
    // It lists as valid, and a second `new` of the same name is refused.
    let listing = String::from_utf8(run(&[]).stdout).unwrap();
    assert!(
        listing.contains("ok       experiments/fresh.yaml"),
        "{listing}"
    );
    let o = run(&["new", "fresh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Shrunk to a few seconds, it trains as written.
    let quick = String::from_utf8(before)
        .unwrap()
        .replace("epochs: 10", "epochs: 1")
        .replace("lambda: [0, 0.1, 0.3]", "lambda: [0, 0.1]")
        .replace("backend: auto", "backend: cpu");
    std::fs::write(&path, quick).unwrap();
    let o = run(&["--run", "experiments/fresh.yaml", "--out", "out"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        tmp.path()
            .join("out/lambda-0_seed-42/summary.json")
            .is_file()
    );
}

/// A terminal whose locale is not UTF-8 (`LC_ALL=C`) gets ASCII: the table's λ and θ spelled
/// out, arrows as `->`; with a UTF-8 locale the same sweep prints λ.
#[test]
fn a_non_utf8_locale_gets_ascii_output() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |locale: &str, out: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_recsweep"))
            .args(["--run", "tests/fixtures/tiny.yaml", "--out"])
            .arg(tmp.path().join(out))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("LC_ALL", locale)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (o.stdout, o.stderr)
    };
    let (stdout, stderr) = run("C", "ascii");
    let text = String::from_utf8_lossy(&stdout);
    assert!(
        stdout.is_ascii() && stderr.is_ascii(),
        "non-ASCII under LC_ALL=C:\n{text}"
    );
    assert!(text.contains("lambda=1"), "{text}");
    let (stdout, _) = run("C.UTF-8", "utf8");
    assert!(String::from_utf8(stdout).unwrap().contains("λ=1"));
}

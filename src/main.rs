//! The `recsweep` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    recsweep::cli::main_with(recsweep::cli::Cli::parse())
}

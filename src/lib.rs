//! recsweep: a workbench for the relevance/diversity trade-off of recommenders.
//!
//! Data flows one way:
//!
//! ```text
//! experiments/*.yaml ─▶ config ─▶ data ─▶ train (worker thread per run: model + objective
//!     + evaluate/metrics) ─▶ events over a channel ─▶ sweep ─▶ { store, cli output }
//! ```

/// `println!` as the terminal can show it ([`charset::for_terminal`]: ASCII stand-ins for λ,
/// θ, arrows and box drawing when the locale is not UTF-8).
macro_rules! say {
    () => { println!() };
    ($($t:tt)*) => { println!("{}", $crate::charset::for_terminal(&format!($($t)*))) };
}

/// `print!` as the terminal can show it (see [`say!`]).
macro_rules! say_raw {
    ($($t:tt)*) => { print!("{}", $crate::charset::for_terminal(&format!($($t)*))) };
}

/// `eprintln!` as the terminal can show it (see [`say!`]).
macro_rules! say_err {
    () => { eprintln!() };
    ($($t:tt)*) => { eprintln!("{}", $crate::charset::for_terminal(&format!($($t)*))) };
}

pub mod backend;
pub mod bench;
pub mod charset;
pub mod cli;
pub mod compare;
pub mod config;
pub mod data;
pub mod evaluate;
pub mod events;
pub mod front;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod objective;
pub mod pareto;
pub mod plot;
pub mod report;
pub mod rerank;
pub mod slurm;
pub mod soak;
pub mod store;
pub mod sweep;
pub mod theme;
pub mod train;
pub mod tui;

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

/// `fn NAME(args) -> T { BODY }` whose body (plain loops) is compiled for AVX-512F or AVX2
/// where the CPU has them, and as the baseline build otherwise: the same arithmetic on every
/// path, 16 or 8 lanes instead of 4.
macro_rules! simd_dispatch {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$doc])*
        fn $name($($arg: $ty),*) -> $ret {
            #[inline(always)]
            fn body($($arg: $ty),*) -> $ret $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F (checked just above), the one
                    // requirement of calling a `#[target_feature(enable = "avx512f")]` function.
                    #[allow(unsafe_code)]
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: as above, for AVX2.
                    #[allow(unsafe_code)]
                    return unsafe { avx2($($arg),*) };
                }
            }
            body($($arg),*)
        }
    };
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

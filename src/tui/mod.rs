//! The workbench: a terminal app that lists experiments, launches sweeps and shows them live.
//!
//! Elm architecture: [`app::State`] plus [`app::State::update`], which does no I/O and returns
//! [`app::Effect`]s for the runtime to carry out; [`view::render`] draws from `&State` only;
//! [`keys::KEYS`] is the one table of keys, read by `update` and by the footer and help;
//! terminal input and worker events arrive on one channel ([`runtime`]).

pub mod app;
pub mod keys;
pub mod runtime;
pub mod stored;
pub mod view;
pub mod watch;

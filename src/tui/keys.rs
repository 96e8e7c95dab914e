//! The one key table: which keys do what, as the footer and the `?` overlay show it.
//!
//! `update` looks keys up here ([`action_for`]) and `view` renders the footer and the help
//! from [`KEYS`], so a key cannot be bound without being documented, or the other way round.
//! (ratatui's demo2 renders its footer from one key table in the same way.) The one key
//! outside the table is `y` in the quit confirmation, which means "yes" there only.

use std::fmt;

use super::app::Key;

/// What a key asks the workbench to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Launch (Experiments), open (Sweeps), show the run's config (Runs).
    Enter,
    Compare,
    ShowText,
    FilterStatus,
    FilterMethod,
    StopRun,
    StopAll,
    SwitchPane,
    Down,
    Up,
    ToggleView,
    NextChart,
    Export,
    Reload,
    Help,
    Quit,
}

/// One row of the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBinding {
    /// The keys as shown in the footer and the help.
    pub keys: &'static str,
    /// The keys that trigger the action; each is named in `keys`.
    pub triggers: &'static [Key],
    pub action: Action,
    /// A word or two for the footer.
    pub short: &'static str,
    /// A line for the help overlay.
    pub help: &'static str,
    /// Shown in the footer even when the terminal is too narrow for every binding.
    pub footer: bool,
}

/// Every key the workbench understands, in the order the footer and the help list them.
pub const KEYS: &[KeyBinding] = &[
    KeyBinding {
        keys: "Enter",
        triggers: &[Key::Enter],
        action: Action::Enter,
        short: "launch/open",
        help: "launch (Experiments), open (Sweeps), show config.yaml (Runs)",
        footer: true,
    },
    KeyBinding {
        keys: "m",
        triggers: &[Key::Char('m')],
        action: Action::Compare,
        short: "compare",
        help: "compare the sweep on screen (A) with the one selected (B)",
        footer: true,
    },
    KeyBinding {
        keys: "v",
        triggers: &[Key::Char('v')],
        action: Action::ShowText,
        short: "view file",
        help: "view the selected experiment's, sweep's or run's file",
        footer: false,
    },
    KeyBinding {
        keys: "f",
        triggers: &[Key::Char('f')],
        action: Action::FilterStatus,
        short: "filter status",
        help: "show runs by status: all, finished, failed, unfinished",
        footer: false,
    },
    KeyBinding {
        keys: "F",
        triggers: &[Key::Char('F')],
        action: Action::FilterMethod,
        short: "filter method",
        help: "show the runs of one method, the next one, … then all",
        footer: false,
    },
    KeyBinding {
        keys: "s",
        triggers: &[Key::Char('s')],
        action: Action::StopRun,
        short: "stop",
        help: "stop the selected run (after its current batch)",
        footer: true,
    },
    KeyBinding {
        keys: "S",
        triggers: &[Key::Char('S')],
        action: Action::StopAll,
        short: "stop all",
        help: "stop all runs",
        footer: false,
    },
    KeyBinding {
        keys: "Tab",
        triggers: &[Key::Tab],
        action: Action::SwitchPane,
        short: "pane",
        help: "next pane: Experiments, Sweeps (stored in runs/), Runs",
        footer: true,
    },
    KeyBinding {
        keys: "j/↓",
        triggers: &[Key::Char('j'), Key::Down],
        action: Action::Down,
        short: "down",
        help: "move the selection down",
        footer: false,
    },
    KeyBinding {
        keys: "k/↑",
        triggers: &[Key::Char('k'), Key::Up],
        action: Action::Up,
        short: "up",
        help: "move the selection up",
        footer: false,
    },
    KeyBinding {
        keys: "t",
        triggers: &[Key::Char('t')],
        action: Action::ToggleView,
        short: "trade-off",
        help: "next view: curves, trade-off, comparison (after m)",
        footer: true,
    },
    KeyBinding {
        keys: "c",
        triggers: &[Key::Char('c')],
        action: Action::NextChart,
        short: "chart",
        help: "next chart (narrow terminals show one at a time)",
        footer: false,
    },
    KeyBinding {
        keys: "e",
        triggers: &[Key::Char('e')],
        action: Action::Export,
        short: "export",
        help: "export the figures of the sweep on screen (PNG, SVG, PDF)",
        footer: true,
    },
    KeyBinding {
        keys: "r",
        triggers: &[Key::Char('r')],
        action: Action::Reload,
        short: "reload",
        help: "reload the experiments and the stored sweeps",
        footer: false,
    },
    KeyBinding {
        keys: "?",
        triggers: &[Key::Char('?')],
        action: Action::Help,
        short: "help",
        help: "show this help",
        footer: true,
    },
    KeyBinding {
        keys: "q",
        triggers: &[Key::Char('q')],
        action: Action::Quit,
        short: "quit",
        help: "quit (asks while runs are in flight)",
        footer: true,
    },
];

/// The action bound to `key`, if any.
pub fn action_for(key: Key) -> Option<Action> {
    KEYS.iter()
        .find(|b| b.triggers.contains(&key))
        .map(|b| b.action)
}

/// The footer line: every binding when it fits in `width` columns, else the ones marked
/// `footer`, closer together.
pub fn footer(width: usize) -> String {
    let line = |sep: &str, all: bool| {
        KEYS.iter()
            .filter(|b| all || b.footer)
            .map(|b| format!("{} {}", b.keys, b.short))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let wide = line("  ", true);
    if wide.chars().count() <= width {
        wide
    } else {
        line(" ", false)
    }
}

/// The help overlay's lines: one per binding.
pub fn help_lines() -> Vec<String> {
    KEYS.iter()
        .map(|b| format!("{:<10} {}", b.keys, b.help))
        .collect()
}

impl fmt::Display for Key {
    /// The key as the table names it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Tab => f.write_str("Tab"),
            Key::Enter => f.write_str("Enter"),
            Key::Esc => f.write_str("Esc"),
            Key::PageUp => f.write_str("PgUp"),
            Key::PageDown => f.write_str("PgDn"),
            Key::Char(c) => write!(f, "{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action; the match makes a new variant fail to compile until it is listed here.
    fn all_actions() -> Vec<Action> {
        let all = vec![
            Action::Enter,
            Action::Compare,
            Action::ShowText,
            Action::FilterStatus,
            Action::FilterMethod,
            Action::StopRun,
            Action::StopAll,
            Action::SwitchPane,
            Action::Down,
            Action::Up,
            Action::ToggleView,
            Action::NextChart,
            Action::Export,
            Action::Reload,
            Action::Help,
            Action::Quit,
        ];
        for a in &all {
            match a {
                Action::Enter
                | Action::Compare
                | Action::ShowText
                | Action::FilterStatus
                | Action::FilterMethod
                | Action::StopRun
                | Action::StopAll
                | Action::SwitchPane
                | Action::Down
                | Action::Up
                | Action::ToggleView
                | Action::NextChart
                | Action::Export
                | Action::Reload
                | Action::Help
                | Action::Quit => {}
            }
        }
        all
    }

    #[test]
    fn every_action_is_reachable_by_the_keys_its_binding_lists() {
        for action in all_actions() {
            let bindings: Vec<_> = KEYS.iter().filter(|b| b.action == action).collect();
            assert_eq!(bindings.len(), 1, "{action:?} needs exactly one binding");
            let b = bindings[0];
            assert!(!b.triggers.is_empty(), "{action:?} has no key");
            for &key in b.triggers {
                assert_eq!(action_for(key), Some(action), "key {key} of {action:?}");
                assert!(
                    b.keys.split('/').any(|shown| shown == key.to_string()),
                    "'{}' does not show key {key}",
                    b.keys
                );
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_and_y_stays_free_for_the_quit_confirmation() {
        let all: Vec<Key> = KEYS
            .iter()
            .flat_map(|b| b.triggers.iter().copied())
            .collect();
        for (i, k) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(k), "{k} is bound twice");
        }
        assert_eq!(action_for(Key::Char('y')), None);
        assert_eq!(action_for(Key::Char('Q')), None);
    }

    #[test]
    fn the_footer_lists_every_binding_when_wide_and_the_marked_ones_when_narrow() {
        let wide = footer(200);
        for b in KEYS {
            assert!(wide.contains(&format!("{} {}", b.keys, b.short)), "{wide}");
        }
        let narrow = footer(80);
        assert!(narrow.chars().count() <= 80, "{narrow}");
        for b in KEYS.iter().filter(|b| b.footer) {
            assert!(
                narrow.contains(&format!("{} {}", b.keys, b.short)),
                "{narrow}"
            );
        }
        assert!(narrow.ends_with("q quit"), "{narrow}");
    }
}

//! The terminal's character set: UTF-8, or plain ASCII when the locale says so (`LC_ALL`,
//! else `LC_CTYPE`, else `LANG`, names a charset other than UTF-8, e.g. `LC_ALL=C` or
//! `en_US.ISO-8859-1`), and the ASCII stand-ins for the symbols recsweep prints: λ, θ, arrows,
//! box drawing, Braille dots, blocks, ✓ and ✗.
//!
//! With no locale variable set at all the terminal is taken as UTF-8 (what containers and CI
//! logs without a locale show correctly), so only an explicit non-UTF-8 locale turns ASCII on.
//! Files (the store, reports, figures) are UTF-8 whatever the terminal.

use std::borrow::Cow;
use std::sync::OnceLock;

/// Whether a locale with these variables writes UTF-8: the first set (non-empty) of
/// `LC_ALL`, `LC_CTYPE`, `LANG` decides; none set means yes.
pub fn locale_is_utf8(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> bool {
    match [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
    {
        None => true,
        Some(v) => {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        }
    }
}

/// Whether this process's terminal takes UTF-8 (read once from the environment).
pub fn unicode() -> bool {
    static UNICODE: OnceLock<bool> = OnceLock::new();
    *UNICODE.get_or_init(|| {
        let var = |k: &str| std::env::var(k).ok();
        locale_is_utf8(
            var("LC_ALL").as_deref(),
            var("LC_CTYPE").as_deref(),
            var("LANG").as_deref(),
        )
    })
}

/// One character's ASCII stand-in in running text (several characters where that reads
/// better: `λ` is `lambda`); `None` for ASCII itself.
fn spelled(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return None;
    }
    Some(match c {
        'λ' => "lambda",
        'θ' => "theta",
        'Δ' => "delta",
        '→' => "->",
        '←' => "<-",
        '↑' => "^",
        '↓' => "v",
        '×' => "x",
        '·' => "-",
        '−' | '–' => "-",
        '—' => "--",
        '±' => "+/-",
        '≥' => ">=",
        '≤' => "<=",
        '≈' => "~",
        '…' => "...",
        '✓' => "ok",
        '✗' => "x",
        '●' | '•' => "*",
        '▶' => ">",
        '°' => "deg",
        // Box drawing, Braille and blocks as their cell stand-ins.
        _ => match cell(c) {
            Some('-') => "-",
            Some('|') => "|",
            Some('+') => "+",
            Some('.') => ".",
            Some('#') => "#",
            Some(' ') => " ",
            _ => "?",
        },
    })
}

/// One character's stand-in in a single terminal cell (the workbench's grid cannot widen):
/// box drawing as `+ - |`, Braille dots as `.`, blocks as `#`, letters by their initial.
pub fn cell(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    Some(match c {
        '─' | '━' | '═' | '┄' | '╌' => '-',
        '│' | '┃' | '║' | '┆' | '╎' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' | '╔' | '╗'
        | '╚' | '╝' => '+',
        '\u{2800}' => ' ',
        '\u{2801}'..='\u{28ff}' => '.',
        '█' | '▀' | '▄' | '▌' | '▐' | '▆' | '▇' | '▅' | '▃' | '▂' | '▁' => {
            '#'
        }
        '•' | '●' => '*',
        '▶' => '>',
        'λ' => 'l',
        'θ' => 't',
        'Δ' => 'd',
        '→' => '>',
        '←' => '<',
        '↑' => '^',
        '↓' => 'v',
        '×' | '✗' => 'x',
        '−' | '–' | '—' | '·' => '-',
        '✓' => 'v',
        '…' => '.',
        '≥' => '>',
        '≤' => '<',
        _ => '?',
    })
}

/// `text` as the terminal can show it: itself in UTF-8, spelled out in ASCII otherwise.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if unicode() {
        Cow::Borrowed(text)
    } else {
        ascii(text)
    }
}

/// `text` with every non-ASCII character spelled out in ASCII.
pub fn ascii(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match spelled(c) {
            None => out.push(c),
            Some(s) => out.push_str(s),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_locale_variable_set_decides() {
        assert!(locale_is_utf8(None, None, None), "no locale: UTF-8");
        assert!(locale_is_utf8(None, None, Some("en_US.UTF-8")));
        assert!(locale_is_utf8(Some("C.utf8"), None, Some("C")));
        assert!(!locale_is_utf8(Some("C"), None, Some("en_US.UTF-8")));
        assert!(!locale_is_utf8(None, Some("POSIX"), None));
        assert!(!locale_is_utf8(Some(""), None, Some("de_DE.ISO-8859-1")));
        assert!(
            locale_is_utf8(Some(""), Some(""), Some("")),
            "all empty: unset"
        );
    }

    #[test]
    fn text_is_spelled_out_in_ascii() {
        assert_eq!(
            ascii("λ=0.1 → θ=0.5 · coverage ≥ 0.2 ± 0.01 (✓, ✗) …"),
            "lambda=0.1 -> theta=0.5 - coverage >= 0.2 +/- 0.01 (ok, x) ..."
        );
        assert!(matches!(ascii("plain"), Cow::Borrowed("plain")));
        assert_eq!(ascii("日本"), "??");
        assert!(ascii("─┌⣿█").is_ascii());
    }

    #[test]
    fn every_cell_stand_in_is_one_ascii_character() {
        for c in ('\u{80}'..='\u{2fff}').filter_map(|c| cell(c).map(|a| (c, a))) {
            assert!(c.1.is_ascii() && !c.1.is_ascii_control(), "{c:?}");
        }
        assert_eq!(cell('a'), None);
        assert_eq!(cell('┌'), Some('+'));
        assert_eq!(cell('\u{28ff}'), Some('.'));
    }
}

//! Colours, once, for both media: the series palette shared by the figures ([`crate::plot`])
//! and the workbench ([`crate::tui::view`]), and the workbench's status colours.
//!
//! A run keeps the same colour in the live charts and in the exported PNG/SVG: the i-th series
//! is `series_on_terminal(i)` on screen and `series_on_paper(i)` in a figure, and the two differ
//! only in the one slot where a single colour cannot serve both (see [`EIGHTH_ON_PAPER`]).

use ratatui::style::Color;

/// A colour as plain 8-bit red, green and blue, for either renderer to convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Okabe & Ito (2008), distinguishable under the common forms of colour blindness; the
/// seven colours both media share, in series order (their black comes last, per medium).
pub const SERIES: [Rgb; 7] = [
    Rgb(0, 114, 178),   // blue
    Rgb(230, 159, 0),   // orange
    Rgb(0, 158, 115),   // bluish green
    Rgb(204, 121, 167), // reddish purple
    Rgb(86, 180, 233),  // sky blue
    Rgb(213, 94, 0),    // vermillion
    Rgb(240, 228, 66),  // yellow
];

/// Series colours per medium before they repeat: the shared seven and one per medium.
pub const SERIES_LEN: usize = SERIES.len() + 1;

/// The eighth series on paper: Okabe–Ito's black, which reads well on a white figure.
pub const EIGHTH_ON_PAPER: Rgb = Rgb(0, 0, 0);

/// The eighth series on a terminal: light grey, because black vanishes on a dark background.
pub const EIGHTH_ON_TERMINAL: Rgb = Rgb(200, 200, 200);

/// The colour of series `i` (wrapping after [`SERIES_LEN`]) in a figure.
pub const fn series_on_paper(i: usize) -> Rgb {
    series(i, EIGHTH_ON_PAPER)
}

/// The colour of series `i` (wrapping after [`SERIES_LEN`]) in the workbench.
pub const fn series_on_terminal(i: usize) -> Rgb {
    series(i, EIGHTH_ON_TERMINAL)
}

const fn series(i: usize, eighth: Rgb) -> Rgb {
    let i = i % SERIES_LEN;
    if i < SERIES.len() { SERIES[i] } else { eighth }
}

/// The workbench's colours by role. Named ANSI colours rather than RGB on purpose: they follow
/// the user's terminal scheme (light or dark), where fixed RGB values would not.
pub mod terminal {
    use super::Color;

    /// Finished runs and valid experiments (✓).
    pub const OK: Color = Color::Green;
    /// Failed runs, invalid experiments (✗ and their error) and error lines of the log.
    pub const FAILED: Color = Color::Red;
    /// Plain text, info lines of the log included: the terminal's own foreground.
    pub const TEXT: Color = Color::Reset;
    /// Queued, running and stopped runs: plain text.
    pub const RUNNING: Color = TEXT;
    /// Warning lines of the log.
    pub const WARN: Color = Color::Yellow;
    /// The border of the pane with the focus (the selected row is shown reversed).
    pub const SELECTION: Color = Color::Cyan;
    /// Points of past sweeps behind the trade-off of the sweep on screen.
    pub const PAST: Color = Color::DarkGray;
    /// The Pareto front of the trade-off view.
    pub const PARETO: Color = Color::Gray;
    /// The key footer: dark text on a light bar.
    pub const FOOTER_FG: Color = Color::Black;
    pub const FOOTER_BG: Color = Color::Gray;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_share_seven_colours_and_differ_in_the_eighth_only() {
        for i in 0..SERIES.len() {
            assert_eq!(series_on_paper(i), series_on_terminal(i));
        }
        assert_eq!(series_on_paper(7), Rgb(0, 0, 0));
        assert_ne!(series_on_terminal(7), series_on_paper(7));
        // Wrapping: the ninth series is the first again.
        assert_eq!(series_on_terminal(SERIES_LEN), SERIES[0]);
        assert_eq!(series_on_paper(SERIES_LEN + 7), EIGHTH_ON_PAPER);
    }
}

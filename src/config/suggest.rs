//! "Did you mean" for near-misses: serde's messages for an unknown key or name list what was
//! expected (`unknown field `epoch`, expected one of `epochs`, `batch_size`, …`); the closest
//! of those, within a small edit distance, is added to the message.

/// `message` with `; did you mean 'NAME'?` added when it reports an unknown field or variant
/// and one of the expected names is close to it.
pub(super) fn with_suggestion(message: &str) -> String {
    match suggestion(message) {
        Some(name) => format!("{message}; did you mean '{name}'?"),
        None => message.to_string(),
    }
}

/// The expected name closest to the unknown one in `message`, if close enough: at most one
/// edit for names up to four letters, two up to eight, three beyond; or equal but for case,
/// `-`/`_`.
fn suggestion(message: &str) -> Option<String> {
    let at = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|p| message.find(p).map(|i| i + p.len()))?;
    let rest = &message[at..];
    let end = rest.find('`')?;
    let unknown = &rest[..end];
    let expected_at = rest.find("expected")?;
    // The names are the backticked words after "expected".
    let names: Vec<&str> = rest[expected_at..].split('`').skip(1).step_by(2).collect();
    let normal = |s: &str| s.to_lowercase().replace('-', "_");
    if let Some(same) = names.iter().find(|n| normal(n) == normal(unknown)) {
        return Some((*same).to_string());
    }
    let limit = match unknown.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    names
        .iter()
        .map(|n| (edit_distance(&normal(unknown), &normal(n)), *n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.to_string())
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_by_hand() {
        assert_eq!(edit_distance("epochs", "epochs"), 0);
        assert_eq!(edit_distance("epoch", "epochs"), 1);
        assert_eq!(edit_distance("stpes", "steps"), 1, "a swap is one edit");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn near_misses_get_the_closest_expected_name() {
        let m = "train: unknown field `epoch`, expected one of `epochs`, `batch_size`, `learning_rate` at line 3 column 3";
        assert_eq!(with_suggestion(m), format!("{m}; did you mean 'epochs'?"));
        let m = "sweep.lambda: unknown field `stpes`, expected one of `from`, `to`, `steps`, `scale`, `include_zero`";
        assert_eq!(suggestion(m).as_deref(), Some("steps"));
        let m = "unknown variant `Log`, expected `linear` or `log`";
        assert_eq!(suggestion(m).as_deref(), Some("log"));
        let m = "unknown variant `include-zero`, expected `include_zero`";
        assert_eq!(suggestion(m).as_deref(), Some("include_zero"));
        // Nothing close: the message is left alone.
        let m = "unknown field `colour`, expected one of `width`, `height`";
        assert_eq!(with_suggestion(m), m);
        // Not an unknown-name message.
        assert_eq!(
            with_suggestion("invalid type: string"),
            "invalid type: string"
        );
    }
}

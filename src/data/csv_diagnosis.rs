//! Why a CSV file is malformed, with its line: read when polars refuses a file, whose own
//! messages name no line ("found more fields than defined in 'Schema'", "invalid utf-8
//! sequence") or paste the rest of the file (an unterminated quote).
//!
//! One pass over the bytes, quotes respected as RFC 4180 has them (`""` inside a quoted field
//! is a quote): the first byte that is not UTF-8, the first record whose field count differs
//! from the header's, or a quote still open at the end.

/// The first problem found, as `line N: …`, or `None` when the file looks well-formed.
pub fn diagnose(bytes: &[u8]) -> Option<String> {
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let line = line_of(bytes, at);
        return Some(format!(
            "line {line}: byte {at} ('\\x{:02x}') is not UTF-8 text",
            bytes[at]
        ));
    }
    let mut header_fields = None;
    let mut fields = 1;
    let mut quoted = false;
    let mut quote_line = 0;
    let mut line = 1;
    let mut record_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if quoted && bytes.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => {
                quoted = !quoted;
                quote_line = line;
            }
            b',' if !quoted => fields += 1,
            b'\n' => {
                if !quoted {
                    let record = String::from_utf8_lossy(&bytes[record_start..i]);
                    let record = record.trim_end_matches('\r');
                    if !record.is_empty() {
                        match header_fields {
                            None => header_fields = Some(fields),
                            Some(h) if h != fields => {
                                return Some(format!(
                                    "line {line} has {fields} field(s), the header {h}: '{}'",
                                    shorten(record)
                                ));
                            }
                            Some(_) => {}
                        }
                    }
                    fields = 1;
                    record_start = i + 1;
                }
                line += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if quoted {
        return Some(format!(
            "line {quote_line}: a quote opened there is never closed"
        ));
    }
    let last = String::from_utf8_lossy(&bytes[record_start..]);
    let last = last.trim_end_matches('\r');
    match header_fields {
        Some(h) if !last.is_empty() && h != fields => Some(format!(
            "line {line} has {fields} field(s), the header {h}: '{}'",
            shorten(last)
        )),
        _ => None,
    }
}

/// The 1-based line of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A record as quoted in a message: at most 80 characters.
fn shorten(record: &str) -> String {
    if record.chars().count() <= 80 {
        record.to_string()
    } else {
        let head: String = record.chars().take(77).collect();
        format!("{head}...")
    }
}

#[cfg(test)]
mod tests {
    use super::diagnose;

    #[test]
    fn well_formed_files_have_nothing_to_say() {
        assert_eq!(diagnose(b"u,i\n1,2\n3,4\n"), None);
        assert_eq!(diagnose(b"u,i\r\n1,2\r\n3,4"), None);
        assert_eq!(diagnose(b"u,i\n\"a,b\",2\n\"say \"\"hi\"\"\",4\n"), None);
        // A quoted field over two lines is one record.
        assert_eq!(diagnose(b"u,i\n\"a\nb\",2\n"), None);
        assert_eq!(diagnose(b""), None);
        assert_eq!(diagnose(b"u,i\n\n1,2\n"), None);
    }

    #[test]
    fn a_ragged_line_is_named_with_its_counts_and_text() {
        assert_eq!(
            diagnose(b"u,i,r\n1,2,5\n1,2,5,9\n").as_deref(),
            Some("line 3 has 4 field(s), the header 3: '1,2,5,9'")
        );
        assert_eq!(
            diagnose(b"u,i,r\n1,2").as_deref(),
            Some("line 2 has 2 field(s), the header 3: '1,2'")
        );
    }

    #[test]
    fn an_unterminated_quote_names_where_it_opened() {
        assert_eq!(
            diagnose(b"u,i\n1,2\n3,\"4\n5,6\n7,8\n").as_deref(),
            Some("line 3: a quote opened there is never closed")
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        assert_eq!(
            diagnose(b"u,i\n1,2\n\xff,4\n").as_deref(),
            Some("line 3: byte 8 ('\\xff') is not UTF-8 text")
        );
    }

    #[test]
    fn long_records_are_shortened() {
        let mut text = b"u,i\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 200));
        let msg = diagnose(&text).unwrap();
        assert!(msg.ends_with("...'") && msg.len() < 140, "{msg}");
    }
}

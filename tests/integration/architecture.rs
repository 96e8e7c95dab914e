//! The rooms of `docs/architecture.md` hold: every `crate::<module>` path in a file of `src/`
//! names its own module or one the table lets it use. The table is read from the document,
//! so the document and the code cannot drift apart silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::repo;

/// `module → modules it may use`, parsed from the rooms table of `docs/architecture.md`.
fn rooms() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(repo("docs/architecture.md")).unwrap();
    let mut out = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // ["", module, owns, may use, ""]
        let module = cells[1].trim_matches('`').to_string();
        let may_use = cells[3]
            .split(',')
            .filter_map(|c| c.split('`').nth(1))
            .map(str::to_string)
            .collect();
        out.insert(module, may_use);
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source text names as `crate::<module>` in code (comments, doc
/// links included, are not dependencies).
fn crate_paths(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = code.as_str();
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        // Skip `$crate::` in macros (they name the crate itself, as a path root).
        if text[..at].ends_with('$') {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

#[test]
fn every_module_uses_only_what_the_architecture_table_allows() {
    let rooms = rooms();
    assert!(rooms.len() >= 15, "rooms table not found: {rooms:?}");
    let lib = std::fs::read_to_string(repo("src/lib.rs")).unwrap();
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect();
    let listed: BTreeSet<String> = rooms.keys().cloned().collect();
    assert_eq!(
        declared, listed,
        "src/lib.rs modules vs docs/architecture.md rooms"
    );

    let src = repo("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let allowed = &rooms[&module];
        let text = std::fs::read_to_string(&file).unwrap();
        for used in crate_paths(&text) {
            if used != module && !allowed.contains(&used) {
                violations.push(format!("{}: uses crate::{used}", rel.display()));
            }
        }
        if module == "cli" {
            for (at, _) in text.match_indices("crate::tui::") {
                let rest = &text[at..];
                assert!(
                    rest.starts_with("crate::tui::runtime::run("),
                    "{}: cli may only call the workbench's entry, found {}",
                    rel.display(),
                    rest.lines().next().unwrap_or("")
                );
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_path_scanner_finds_module_roots() {
    let text = "use crate::metrics::{Metric};\nlet x = crate::store::read(d);\n$crate::ignored\n/// [`crate::tui`]";
    let found: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["metrics", "store"]);
}

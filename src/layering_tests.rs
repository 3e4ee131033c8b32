//! Imports point down: cli → tui → ui → app → ops/create → probes/docker →
//! model → config; types two layers share live in the lower one. A file
//! that names a layer above its own (`crate::probes` in model, say) fails
//! here, so a shortcut up cannot come back unnoticed. Comments count too: a
//! doc link up is a dependency up.

use std::path::{Path, PathBuf};

/// The layers, lowest first; modules on one rung may name each other.
const LADDER: &[&[&str]] = &[
    &["config"],
    &["model"],
    &["probes", "docker"],
    &["ops", "create"],
    &["app"],
    &["ui"],
    &["tui"],
    &["cli"],
];

fn rung(module: &str) -> Option<usize> {
    LADDER.iter().position(|r| r.contains(&module))
}

/// The top-level modules a text names after `crate::`, with their line
/// numbers; `crate::{a::X, b}` names `a` and `b`.
fn named_modules(text: &str) -> Vec<(usize, String)> {
    let mut named = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let line = text[..at].matches('\n').count() + 1;
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        named.push((line, identifier(&group[i..])));
                    }
                    _ => {}
                }
            }
        } else {
            named.push((line, identifier(rest)));
        }
    }
    named
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_layer_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = Vec::new();
    for (own_rung, modules) in LADDER.iter().enumerate() {
        for module in *modules {
            let mut files = Vec::new();
            rust_files(&src.join(module), &mut files);
            assert!(!files.is_empty(), "no files under src/{module}");
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap();
                for (line, named) in named_modules(&text) {
                    if rung(&named).is_some_and(|r| r > own_rung) {
                        let file = file.strip_prefix(&src).unwrap().display();
                        upward.push(format!("src/{file}:{line} names crate::{named}"));
                    }
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports must point down:\n{}",
        upward.join("\n")
    );
}

#[test]
fn paths_and_groups_are_both_seen() {
    let text = "use crate::model::SafeText;\n\
                use crate::{\n    config::Settings,\n    probes::{run, ProbeError},\n};\n\
                /// See [`crate::ops::plan`].\n";
    assert_eq!(
        named_modules(text),
        vec![
            (1, "model".to_string()),
            (2, "config".into()),
            (2, "probes".into()),
            (6, "ops".into())
        ]
    );
}

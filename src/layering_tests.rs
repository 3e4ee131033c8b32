//! Imports point down: cli → tui → ui → app → ops/create → probes/docker →
//! model → config; types two layers share live in the lower one. A file
//! that names a layer above its own (`crate::probes` in model, say) fails
//! here, so a shortcut up cannot come back unnoticed. Comments count too: a
//! doc link up is a dependency up. Inside a folder, no two files need each
//! other, even through others: the type they share moves down.

use std::collections::{BTreeMap, BTreeSet};
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
    named_after(text, "crate::")
}

/// The modules a text names right after `prefix` (`super::`, say).
fn named_after(text: &str, prefix: &str) -> Vec<(usize, String)> {
    let mut named = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let line = text[..at].matches('\n').count() + 1;
        let rest = &text[at + prefix.len()..];
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

/// Import circles allowed, by folder: none is left (each was broken by
/// moving its shared type down). A new circle fails.
const KNOWN_CIRCLES: &[(&str, &[&str])] = &[];

/// The code of a file without its own tests (which may use anything
/// beside it).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// All the code under `dir`, its tests aside.
fn code_under(dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            all.push_str(&code_under(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && !name.ends_with("tests") {
            all.push_str(&code_of(&path));
        }
    }
    all
}

/// Each file and subfolder of `dir` (tests aside) and the siblings it
/// names: a file by `super::` or the folder's full path, a subfolder's
/// files by the full path (`crate::ops::base::claim` names `base`).
fn sibling_imports(dir: &Path, folder: &str) -> BTreeMap<String, BTreeSet<String>> {
    // name -> (code, whether a `super::` in it means this folder)
    let mut nodes = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            nodes.insert(name, (code_under(&path), false));
        } else if path.extension().is_some_and(|e| e == "rs")
            && name != "mod"
            && !name.ends_with("tests")
        {
            nodes.insert(name, (code_of(&path), true));
        }
    }
    let own = format!("crate::{}::", folder.replace('/', "::"));
    let names: BTreeSet<String> = nodes.keys().cloned().collect();
    nodes
        .iter()
        .map(|(name, (code, file))| {
            let by_super = if *file {
                named_after(code, "super::")
            } else {
                Vec::new()
            };
            let uses = by_super
                .into_iter()
                .chain(named_after(code, &own))
                .map(|(_, m)| m)
                .filter(|m| m != name && names.contains(m))
                .collect();
            (name.clone(), uses)
        })
        .collect()
}

/// `folder` and every folder under it, as paths from src.
fn folders_from(src: &Path, folder: &str) -> Vec<String> {
    let mut all = vec![folder.to_string()];
    let Ok(entries) = std::fs::read_dir(src.join(folder)) else {
        return all;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            all.extend(folders_from(src, &format!("{folder}/{name}")));
        }
    }
    all
}

/// The circles of `imports`: sets of two or more files each reaching the
/// others.
fn circles(imports: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for next in imports.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        imports.keys().map(|m| (m, reach(m))).collect();
    reached
        .iter()
        .filter(|(m, r)| r.contains(**m))
        .map(|(m, r)| {
            let mut circle: Vec<String> = r
                .iter()
                .filter(|o| reached[o].contains(*m))
                .cloned()
                .collect();
            circle.sort();
            circle
        })
        .collect()
}

#[test]
fn no_import_circle_inside_a_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
    for module in LADDER.iter().flat_map(|r| r.iter()) {
        for folder in folders_from(&src, module) {
            for circle in circles(&sibling_imports(&src.join(&folder), &folder)) {
                found.insert((folder.clone(), circle));
            }
        }
    }
    let known: BTreeSet<(String, Vec<String>)> = KNOWN_CIRCLES
        .iter()
        .map(|(f, c)| (f.to_string(), c.iter().map(|m| m.to_string()).collect()))
        .collect();
    let new: Vec<_> = found.difference(&known).collect();
    assert!(
        new.is_empty(),
        "import circles (move the shared type down): {new:?}"
    );
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "broken circles, strike them from KNOWN_CIRCLES: {gone:?}"
    );
}

/// The ops folders are checked as nodes of their own: the kernel names
/// the steps below it, and nothing below names the plans above.
#[test]
fn subfolders_are_nodes_with_the_files_they_hold() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let ops = sibling_imports(&src.join("ops"), "ops");
    assert!(ops["kernel"].contains("steps"), "{ops:?}");
    assert!(ops["plans"].contains("kernel"), "{ops:?}");
    for below in ["base", "steps", "kernel"] {
        assert!(
            !ops[below].contains("plans"),
            "{below} names the plans: {ops:?}"
        );
    }
    assert!(folders_from(&src, "ops").contains(&"ops/steps".to_string()));
}

#[test]
fn a_circle_through_a_third_file_is_found() {
    let imports: BTreeMap<String, BTreeSet<String>> = [
        ("a", &["b"][..]),
        ("b", &["c"]),
        ("c", &["a"]),
        ("d", &["a"]),
    ]
    .iter()
    .map(|(m, uses)| (m.to_string(), uses.iter().map(|u| u.to_string()).collect()))
    .collect();
    let found = circles(&imports);
    assert_eq!(
        found,
        BTreeSet::from([vec!["a".into(), "b".into(), "c".into()]])
    );
}

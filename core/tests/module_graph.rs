//! No import circles between sibling modules of the crate: the types (`model/`) never reach
//! into the readers (`read/`), the readers depend on each other one way, and so do the request
//! builders (`request/`).
//!
//! Reads `src/` as text: every `crate::a::...`, `super::a...` and root re-export (`crate::Body`
//! is `model`) outside `#[cfg(test)]` code and comments is an edge from the file's module to the
//! sibling it names. `error` is left out at the top level: the crate's one error type wraps the
//! GOID and request errors, which in turn return it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, as (module path, text).
fn files(dir: &Path, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            let mut p = prefix.to_vec();
            p.push(stem);
            files(&path, &p, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut p = prefix.to_vec();
            if stem != "mod" && stem != "lib" {
                p.push(stem);
            }
            out.push((p, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The code of a file without its `#[cfg(test)]` module and without comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `name` -> module for every `pub use module::{...}` / `pub use module::Name` in lib.rs.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names
            .split([',', '{', '}', ' ', '\n'])
            .filter(|n| !n.is_empty())
        {
            out.insert(name.to_owned(), module.to_owned());
        }
    }
    out
}

/// Identifiers following `prefix` in `code`.
fn after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .filter(|(at, _)| {
            // `crate::` inside `ews_notify_crate::` or `xsuper::` is not a path start.
            *at == 0 || !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let rest = &code[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// Edges between sibling modules: (parent path, from, to).
fn edges() -> BTreeSet<(Vec<String>, String, String)> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &[], &mut all);
    let lib = all.iter().find(|(p, _)| p.is_empty()).unwrap().1.clone();
    let reexports = root_reexports(&lib);
    let mut out = BTreeSet::new();
    for (module, text) in &all {
        if module.is_empty() {
            continue;
        }
        let code = code(text);
        // `crate::x` names a top-level module (or, through a root re-export, its module).
        for name in after(&code, "crate::") {
            let target = reexports
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_owned());
            if target != module[0] {
                out.insert((Vec::new(), module[0].clone(), target.clone()));
            }
            // `crate::model::x` from inside `model/` names a sibling too.
        }
        // `super::x` names a sibling of the file's module (or a child of the parent's mod.rs).
        if module.len() >= 2 {
            let parent = module[..module.len() - 1].to_vec();
            for name in after(&code, "super::") {
                if name != module[module.len() - 1] && !name.is_empty() {
                    out.insert((
                        parent.clone(),
                        module[module.len() - 1].clone(),
                        name.to_owned(),
                    ));
                }
            }
        }
    }
    out
}

/// The first cycle in `graph`, if any.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut c = path[at..].to_vec();
            c.push(node.to_owned());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn sibling_modules_import_one_way() {
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let all = edges();
    assert!(
        all.len() >= 20,
        "only {} edges found: the reader went wrong",
        all.len()
    );
    for (parent, from, to) in all {
        if parent.is_empty() && (from == "error" || to == "error") {
            continue;
        }
        graphs
            .entry(parent)
            .or_default()
            .entry(from)
            .or_default()
            .insert(to);
    }
    for parent in [
        vec![],
        vec!["model".to_owned()],
        vec!["read".to_owned()],
        vec!["request".to_owned()],
    ] {
        assert!(
            graphs.contains_key(&parent),
            "no imports seen in {parent:?}"
        );
    }
    for (parent, graph) in &graphs {
        assert!(
            cycle(graph).is_none(),
            "import circle in {}: {}",
            if parent.is_empty() {
                "src".to_owned()
            } else {
                parent.join("/")
            },
            cycle(graph).unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_reader_finds_a_circle_when_there_is_one() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.get_mut("c").unwrap().clear();
    assert!(cycle(&graph).is_none());
}

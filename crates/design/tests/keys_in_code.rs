//! Settings read or written by name in the workspace's code name settings
//! the catalogue has. Code in the crates reads through the typed keys of
//! `design::keys`, which do not compile when misspelt; what is still
//! spelt out as text (`node.num("ttl_s")`, `node.flag(…)`,
//! `node.choice(…)`, `node.set_param("ttl_s", …)`: the app, the browser
//! and end-to-end tests, the string accessors' own tests) is checked here,
//! so a typo fails a test instead of reading 0, off or "".

use std::path::{Path, PathBuf};

use design::{NodeKind, ParamKind};

/// The calls whose first argument is a setting's key, and the type of
/// setting each reads (`None`: any).
const CALLS: [(&str, Option<Type>); 4] = [
    (".num(\"", Some(Type::Number)),
    (".flag(\"", Some(Type::Switch)),
    (".choice(\"", Some(Type::Choice)),
    ("set_param(\"", None),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Type {
    Number,
    Switch,
    Choice,
}

fn type_of(kind: &ParamKind) -> Type {
    match kind {
        ParamKind::Number { .. } => Type::Number,
        ParamKind::Bool { .. } => Type::Switch,
        ParamKind::Choice { .. } => Type::Choice,
    }
}

/// True when some kind has a setting `key` of type `ty` (any type for
/// `None`).
fn known(key: &str, ty: Option<Type>) -> bool {
    NodeKind::ALL.iter().any(|kind| {
        kind.param(key)
            .is_some_and(|spec| ty.is_none_or(|t| type_of(&spec.kind) == t))
    })
}

/// Every `.rs` file under `dir`, outside build output and installed tools.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "node_modules" | "dist")
                && !name.starts_with('.')
            {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// Each key a file passes as text to one of [`CALLS`]: (line, call, key).
fn keys_in(text: &str) -> Vec<(usize, &'static str, Option<Type>, &str)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for (call, ty) in CALLS {
            let mut rest = line;
            while let Some(at) = rest.find(call) {
                rest = &rest[at + call.len()..];
                if let Some(end) = rest.find('"') {
                    found.push((i + 1, call, ty, &rest[..end]));
                }
            }
        }
    }
    found
}

#[test]
fn every_key_spelt_out_in_the_code_is_in_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["crates", "src", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "the workspace's sources: {}", files.len());
    let mut checked = 0;
    let mut unknown = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for (line, call, ty, key) in keys_in(&text) {
            checked += 1;
            if !known(key, ty) {
                let file = path.strip_prefix(&root).unwrap_or(path).display();
                unknown.push(format!("{file}:{line}: {call}{key}\""));
            }
        }
    }
    assert!(checked > 0, "no key found: the scan is broken");
    assert!(
        unknown.is_empty(),
        "settings the catalogue does not have (or of another type):\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_scan_finds_keys_and_their_type() {
    let text = "let a = n.num(\"ttl_s\") + n.num(\"ttl_z\");\nn.flag(\"size\");\nm.set_param(\"count\", 2)";
    let found = keys_in(text);
    let keys: Vec<&str> = found.iter().map(|f| f.3).collect();
    assert_eq!(keys, ["ttl_s", "ttl_z", "size", "count"]);
    assert!(known("ttl_s", Some(Type::Number)));
    assert!(!known("ttl_z", Some(Type::Number)), "a typo");
    assert!(
        !known("size", Some(Type::Switch)),
        "a choice read as a switch"
    );
    assert!(known("count", None));
    assert_eq!(found[2].0, 2, "line numbers from 1");
}

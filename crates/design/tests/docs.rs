//! Keeps `docs/design-format.md` in step with the code: the parameter
//! tables and the connection table there are generated from the catalogue
//! and from `classify`. Run with `DESIGN_DOCS_BLESS=1` to rewrite them.

use std::path::PathBuf;

use design::format::{parse, to_json_pretty};
use design::{classify, EdgeKind, NodeKind, ParamKind};

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/design-format.md")
}

fn params_block() -> String {
    let mut out = String::new();
    for kind in NodeKind::ALL {
        out.push_str(&format!("#### `{}`: {}\n\n", kind.key(), kind.name()));
        out.push_str(&format!("{}\n\n", kind.summary()));
        out.push_str("| key | unit | default | allowed | meaning |\n|---|---|---|---|---|\n");
        for spec in kind.params() {
            let unit = if spec.unit.is_empty() {
                "–"
            } else {
                spec.unit
            };
            let (default, allowed) = match spec.kind {
                ParamKind::Number {
                    default, min, max, ..
                } => {
                    let whole = if spec.kind.is_whole() { ", whole" } else { "" };
                    (format!("`{default}`"), format!("{min} to {max}{whole}"))
                }
                ParamKind::Bool { default } => (format!("`{default}`"), "`true`, `false`".into()),
                ParamKind::Choice { default, options } => {
                    let options: Vec<String> =
                        options.iter().map(|o| format!("`\"{o}\"`")).collect();
                    (format!("`\"{default}\"`"), options.join(", "))
                }
            };
            out.push_str(&format!(
                "| `{}` | {unit} | {default} | {allowed} | **{}.** {} |\n",
                spec.key,
                spec.label,
                spec.help()
            ));
        }
        out.push('\n');
    }
    out
}

fn connections_block() -> String {
    let mut out = String::from("| from | to | carries (`kind`) |\n|---|---|---|\n");
    for from in NodeKind::ALL {
        for carries in EdgeKind::ALL {
            let targets: Vec<String> = NodeKind::ALL
                .iter()
                .filter(|&&to| classify(from, to) == Ok(carries))
                .map(|to| format!("`{}`", to.key()))
                .collect();
            if !targets.is_empty() {
                out.push_str(&format!(
                    "| `{}` | {} | {} (`\"{}\"`) |\n",
                    from.key(),
                    targets.join(", "),
                    carries.name(),
                    carries.key()
                ));
            }
        }
    }
    out.push('\n');
    out
}

/// Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn splice(doc: &str, name: &str, body: &str) -> Option<String> {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let start = doc.find(&begin)? + begin.len();
    let stop = start + doc[start..].find(&end)?;
    Some(format!("{}{}{}", &doc[..start], body, &doc[stop..]))
}

#[test]
fn generated_tables_are_up_to_date() {
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).expect("docs/design-format.md exists");
    let fresh = splice(&doc, "params", &params_block())
        .and_then(|d| splice(&d, "connections", &connections_block()))
        .expect("the doc has params and connections markers");
    if fresh != doc {
        if std::env::var_os("DESIGN_DOCS_BLESS").is_some() {
            std::fs::write(&path, fresh).expect("write the doc");
        } else {
            panic!("docs/design-format.md is out of date: run `DESIGN_DOCS_BLESS=1 cargo test -p design --test docs`");
        }
    }
}

/// The complete example in the doc parses without a single diagnostic and
/// is exactly what `to_json_pretty` writes for it.
#[test]
fn the_example_document_is_valid() {
    let doc = std::fs::read_to_string(doc_path()).expect("docs/design-format.md exists");
    let begin = "<!-- example:begin -->\n```json\n";
    let start = doc.find(begin).expect("example marker") + begin.len();
    let stop = start + doc[start..].find("```").expect("end of example");
    let example = &doc[start..stop];
    let parsed = parse(example).expect("the example parses");
    assert_eq!(parsed.diagnostics, []);
    assert_eq!(to_json_pretty(&parsed.design).trim(), example.trim());
    assert_eq!(design::lint(&parsed.design), []);
}

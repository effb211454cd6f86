//! The page's build script:
//! - it reads and checks every built-in kata (`sim::kata::load`) and
//!   writes it out as Rust (`sim::kata::literal`), which `src/built_in.rs`
//!   includes: the page opens its kata without JSON readers for the
//!   kata's types or the checks that compile its run, and a built-in kata
//!   that fails its checks fails the build, in words;
//! - it writes `style/later.css` without its comments and runs of spaces
//!   into `OUT_DIR`, for the page's later part to add (`src/later.rs`);
//! - with the `split` feature, on wasm, the page's binary keeps the
//!   linker's relocations: the split tool (scripts/split.sh) needs them to
//!   move the page's later part (src/later.rs) into a module of its own.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SPLIT");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("TARGET").is_ok_and(|target| target.starts_with("wasm32"));
    if split && wasm {
        println!("cargo:rustc-link-arg-bin=playground=--emit-relocs");
    }
    if let Err(reason) = write_built_in_katas().and_then(|()| write_later_styles()) {
        // Cargo shows a build script's stderr when it fails.
        eprintln!("{reason}");
        std::process::exit(1);
    }
}

/// Writes `built_in_katas.rs` into `OUT_DIR`: `checked(id)`, each
/// built-in kata as a Rust expression with an empty starter, and its
/// starter design's document, which the page reads with the same reader
/// as any design; and `IDS`, their ids.
fn write_built_in_katas() -> Result<(), String> {
    let mut source = String::from(
        "// Written by build.rs from the built-in kata files; not edited by hand.\n\n\
         /// The built-in kata `id`, read and checked when the page was built,\n\
         /// without its starter design (empty), and that design's document.\n\
         fn checked(id: &str) -> Option<(::sim::kata::Kata, &'static str)> {\n    match id {\n",
    );
    let ids: Vec<&str> = sim::kata::ids().collect();
    for id in &ids {
        let kata = sim::kata::load(id)
            .map_err(|e| format!("the built-in kata \"{id}\" does not load: {e}"))?;
        let starter = design::format::to_json(&kata.starter);
        let expression = sim::kata::literal::kata(&kata, "::design::Design::default()");
        let _ = writeln!(
            source,
            "        {id:?} => Some(({expression}, {starter:?})),"
        );
    }
    source.push_str("        _ => None,\n    }\n}\n\n");
    let _ = writeln!(
        source,
        "/// The ids of the built-in katas.\nconst IDS: &[&str] = &{ids:?};"
    );
    let out = std::env::var("OUT_DIR").map_err(|e| format!("no OUT_DIR: {e}"))?;
    let path = std::path::Path::new(&out).join("built_in_katas.rs");
    std::fs::write(&path, source).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes `later.css` into `OUT_DIR`: `style/later.css` with its comments
/// taken out and each run of whitespace made one space (none beside a
/// brace or a semicolon). It does not read CSS strings, so a quoted string
/// that holds whitespace, a brace or a semicolon fails the build, as does a
/// comment left open.
fn write_later_styles() -> Result<(), String> {
    const SOURCE: &str = "style/later.css";
    println!("cargo:rerun-if-changed={SOURCE}");
    let css = std::fs::read_to_string(SOURCE).map_err(|e| format!("cannot read {SOURCE}: {e}"))?;
    let mut text = String::with_capacity(css.len());
    let mut rest = css.as_str();
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        // From after the opening, so that `/*/` does not close itself.
        let end = rest[start + 2..]
            .find("*/")
            .ok_or_else(|| format!("{SOURCE}: a comment is not closed"))?;
        rest = &rest[start + 2 + end + 2..];
    }
    text.push_str(rest);
    for quote in ['"', '\''] {
        let mut strings = text.split(quote).skip(1).step_by(2);
        if let Some(bad) =
            strings.find(|s| s.contains(|c: char| c.is_whitespace() || "{};".contains(c)))
        {
            return Err(format!(
                "{SOURCE}: the string {quote}{bad}{quote} holds what the build's minifier would change"
            ));
        }
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let joins = out.ends_with(['{', '}', ';']) || word.starts_with(['{', '}', ';']);
        if !out.is_empty() && !joins {
            out.push(' ');
        }
        out.push_str(word);
    }
    let dir = std::env::var("OUT_DIR").map_err(|e| format!("no OUT_DIR: {e}"))?;
    let path = std::path::Path::new(&dir).join("later.css");
    std::fs::write(&path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

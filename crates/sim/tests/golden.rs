//! The reference design's reports, pinned by fingerprint. The browser test
//! `tests/determinism.rs` (workspace root) computes the same fingerprints
//! in wasm and compares them with the same file: native and wasm runs are
//! bit-identical. After an intended engine change, regenerate with
//! `GOLDEN_BLESS=1 cargo test -p sim --test golden`.

use std::fmt::Write;

const GOLDEN: &str = include_str!("data/reference-fingerprints.txt");

fn fingerprints() -> String {
    let kata = sim::kata::load("status-dashboard").expect("built in");
    let text = include_str!("../../../katas/status-dashboard/designs/reference.json");
    let design = design::format::parse(text).expect("parses").design;
    let mut out = String::new();
    for seed in [1, 2] {
        let grade = sim::grade::grade(&design, &kata, seed).expect("grades");
        for run in &grade.runs {
            writeln!(
                out,
                "seed {seed} run {} {:016x}",
                run.id,
                run.report.fingerprint()
            )
            .expect("write");
        }
    }
    out
}

#[test]
fn reference_reports_match_the_pinned_fingerprints() {
    let now = fingerprints();
    if std::env::var_os("GOLDEN_BLESS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/reference-fingerprints.txt"
        );
        std::fs::write(path, &now).expect("write the golden file");
        return;
    }
    assert_eq!(
        now, GOLDEN,
        "the engine's output changed; if intended, bless (see the module docs)"
    );
}

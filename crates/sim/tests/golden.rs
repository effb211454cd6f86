//! The reference design's reports, pinned by fingerprint. The browser test
//! `tests/determinism.rs` (workspace root) computes the same fingerprints
//! in wasm and compares them with the same file: native and wasm runs are
//! bit-identical. Every canonical design's grade (its runs' reports and
//! the whole grade, explanations included) is pinned too, natively: the
//! failing designs take the engine's paths the reference never does (a
//! queue fed straight by noisy demand, saturated queues, serverless), so a
//! speed-up there that changed a bit would show. After an intended engine
//! change, regenerate both files with
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
    check_or_bless(
        &fingerprints(),
        GOLDEN,
        "reference-fingerprints.txt",
        "the engine's output changed",
    );
}

/// Compares `now` with the pinned `golden` text, or with `GOLDEN_BLESS` set
/// writes `now` to `tests/data/{file}` instead.
fn check_or_bless(now: &str, golden: &str, file: &str, what: &str) {
    if std::env::var_os("GOLDEN_BLESS").is_some() {
        let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(path, now).expect("write the golden file");
        return;
    }
    assert_eq!(
        now, golden,
        "{what}; if intended, bless (see the module docs)"
    );
}

const CANONICAL: &str = include_str!("data/canonical-fingerprints.txt");

/// Every canonical design's grade with seeds 1 and 2: each run's report
/// and the whole grade, by fingerprint (FNV-1a of the JSON, whose numbers
/// round-trip bit for bit).
fn canonical_fingerprints() -> String {
    let kata = sim::kata::load("status-dashboard").expect("built in");
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../katas/status-dashboard/designs"
    );
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("designs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 14, "the canonical designs");
    let mut out = String::new();
    for path in paths {
        let name = path.file_stem().expect("a name").to_string_lossy();
        let text = std::fs::read_to_string(&path).expect("a design");
        let design = design::format::parse(&text).expect("parses").design;
        for seed in [1, 2] {
            let grade = sim::grade::grade(&design, &kata, seed).expect("grades");
            for run in &grade.runs {
                writeln!(
                    out,
                    "{name} seed {seed} run {} {:016x}",
                    run.id,
                    run.report.fingerprint()
                )
                .expect("write");
            }
            writeln!(out, "{name} seed {seed} grade {:016x}", grade.fingerprint()).expect("write");
        }
    }
    out
}

#[test]
fn canonical_grades_match_the_pinned_fingerprints() {
    check_or_bless(
        &canonical_fingerprints(),
        CANONICAL,
        "canonical-fingerprints.txt",
        "a canonical design's grade changed",
    );
}

//! Determinism across targets: the reference design's reports, computed
//! here in wasm (headless Chromium), must have exactly the fingerprints the
//! native test `crates/sim/tests/golden.rs` pins.
#![cfg(target_arch = "wasm32")]

use std::fmt::Write;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn wasm_reports_are_bit_identical_to_native() {
    let kata = sim::kata::load("status-dashboard").unwrap();
    let text = include_str!("../katas/status-dashboard/designs/reference.json");
    let design = design::format::parse(text).unwrap().design;
    let mut now = String::new();
    for seed in [1, 2] {
        let grade = sim::grade::grade(&design, &kata, seed).unwrap();
        for run in &grade.runs {
            writeln!(
                now,
                "seed {seed} run {} {:016x}",
                run.id,
                run.report.fingerprint()
            )
            .unwrap();
        }
    }
    assert_eq!(
        now,
        include_str!("../crates/sim/tests/data/reference-fingerprints.txt")
    );
}

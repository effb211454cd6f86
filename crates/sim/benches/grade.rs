//! Grading the status dashboard's reference design on all four scenarios
//! (`sim::grade::grade`): `cargo bench -p sim --bench grade`.
//!
//! A grade runs the design through the kata's two runs (the incident, and
//! the incident with faults: the first three scenarios share the calm
//! run), measures the checks and writes the explanations. Also measured:
//! the starter design (users → API → database, saturated all incident
//! long) and the explanations alone (grading with the runs done, which is
//! what the grade adds on top of the engine).

use design::Design;
use sim::kata::Kata;

fn main() {
    divan::main();
}

fn kata() -> Kata {
    sim::kata::load("status-dashboard").expect("kata")
}

fn reference() -> Design {
    design::format::parse(include_str!(
        "../../../katas/status-dashboard/designs/reference.json"
    ))
    .expect("reference design")
    .design
}

/// All four scenarios of the reference design.
#[divan::bench]
fn grade_reference(bencher: divan::Bencher) {
    let k = kata();
    let d = reference();
    bencher.bench(|| sim::grade::grade(divan::black_box(&d), divan::black_box(&k), 1));
}

/// All four scenarios of the starter design.
#[divan::bench]
fn grade_starter(bencher: divan::Bencher) {
    let k = kata();
    let d = k.starter.clone();
    bencher.bench(|| sim::grade::grade(divan::black_box(&d), divan::black_box(&k), 1));
}

/// The same kata with runs of one minute: the grading around the engine
/// (lints, measuring, explaining) is what remains.
#[divan::bench]
fn grade_reference_one_minute_runs(bencher: divan::Bencher) {
    let mut k = kata();
    if let Some(run) = k.run.as_mut() {
        run.minutes = 1.0;
    }
    let d = reference();
    bencher.bench(|| sim::grade::grade(divan::black_box(&d), divan::black_box(&k), 1));
}

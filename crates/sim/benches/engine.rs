//! A full 60-minute run of the ~12-node reference design (users → CDN → LB →
//! autoscaled API → cache → replicas, primary, operator → admin LB → admin
//! API → primary, internal users, object storage) under the status-dashboard
//! kata's run: `cargo bench -p sim --bench engine`.
//!
//! Also measured, to see how cost grows: the same run at 15 and 240 minutes
//! (ticks), and a 48-node design (four copies of the reference side by
//! side), 60 minutes.

mod common;

use design::Design;
use sim::engine::{Scenario, Sim};

fn main() {
    divan::main();
}

fn reference() -> Design {
    design::format::parse(include_str!("../tests/data/reference.json"))
        .expect("reference design")
        .design
}

/// Four copies of the reference design, with ids suffixed.
fn reference_x4() -> Design {
    common::copies_of(&reference(), 4)
}

fn kata_run(minutes: f64) -> Scenario {
    let kata = sim::kata::load("status-dashboard").expect("kata");
    let mut spec = kata.run.expect("kata run");
    spec.minutes = minutes;
    spec.scenario(1).expect("scenario")
}

#[divan::bench(args = [15.0, 60.0, 240.0])]
fn reference_run(bencher: divan::Bencher, minutes: f64) {
    let d = reference();
    let s = kata_run(minutes);
    bencher.bench(|| {
        let sim = Sim::new(divan::black_box(&d), divan::black_box(&s), 1);
        sim.run()
    });
}

#[divan::bench]
fn reference_x4_run_60_min(bencher: divan::Bencher) {
    let d = reference_x4();
    let s = kata_run(60.0);
    bencher.bench(|| Sim::new(divan::black_box(&d), divan::black_box(&s), 1).run());
}

/// The floor: the reference design under a constant 30,000 req/s, no
/// updates, no noise, no extra windows, 60 minutes.
#[divan::bench]
fn reference_constant_60_min(bencher: divan::Bencher) {
    let d = reference();
    let s = Scenario::constant(30_000.0, 3600);
    bencher.bench(|| Sim::new(divan::black_box(&d), divan::black_box(&s), 1).run());
}

/// Compiling the design and reporting without running any tick.
#[divan::bench]
fn reference_new_and_report(bencher: divan::Bencher) {
    let d = reference();
    let s = kata_run(60.0);
    bencher.bench(|| Sim::new(divan::black_box(&d), divan::black_box(&s), 1).report());
}

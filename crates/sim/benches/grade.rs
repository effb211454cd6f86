//! Grading the status dashboard's reference design on all four scenarios
//! (`sim::grade::grade`): `cargo bench -p sim --bench grade`.
//!
//! A grade runs the design through the kata's two runs (the incident, and
//! the incident with faults: the first three scenarios share the calm
//! run), measures the checks and writes the explanations. Also measured:
//! the starter design (users → API → database, saturated all incident
//! long) and the explanations alone (grading with the runs done, which is
//! what the grade adds on top of the engine).

mod common;

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

/// The starter graded, then every failed scenario's candidate fixes
/// applied to copies and graded (`sim::grade::advise`): what the CLI does,
/// and the page does a candidate per task.
#[divan::bench(sample_count = 20)]
fn advise_starter(bencher: divan::Bencher) {
    let k = kata();
    let d = k.starter.clone();
    bencher.bench(|| sim::grade::advise(divan::black_box(&d), divan::black_box(&k), 1));
}

/// The same with the candidates handed out to two threads as tasks
/// (`Verifier::take` and `put`), as the page's grading worker hands them
/// to a helper worker: how much of testing the fixes runs in parallel
/// (the pairs of the second round wait for every single candidate).
#[divan::bench(sample_count = 20)]
fn advise_starter_two_threads(bencher: divan::Bencher) {
    let k = kata();
    let d = k.starter.clone();
    bencher.bench(|| {
        let mut g = sim::grade::grade(divan::black_box(&d), &k, 1).expect("grades");
        let verifier = std::sync::Mutex::new(sim::grade::Verifier::new(&d, &k, 1, &g));
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| loop {
                    let task = {
                        let mut v = verifier.lock().expect("not poisoned");
                        if v.finished() {
                            return;
                        }
                        v.take()
                    };
                    match task {
                        Some(task) => {
                            let outcome = sim::grade::grade(&task.design, &k, 1).expect("grades");
                            let mut v = verifier.lock().expect("not poisoned");
                            v.put(task.index, outcome.into());
                        }
                        // The other thread holds what is left.
                        None => std::thread::yield_now(),
                    }
                });
            }
        });
        let v = verifier.into_inner().expect("not poisoned");
        v.finish(&mut g);
        g
    });
}

/// The same for every canonical design that fails a scenario, one after
/// the other (11 designs).
#[divan::bench(sample_count = 10)]
fn advise_every_failing_canonical_design(bencher: divan::Bencher) {
    let k = kata();
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../katas/status-dashboard/designs"
    );
    let mut designs: Vec<Design> = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("designs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).expect("a design");
        let d = design::format::parse(&text).expect("parses").design;
        if !sim::grade::grade(&d, &k, 1).expect("grades").all_passed() {
            designs.push(d);
        }
    }
    bencher.bench(|| {
        for d in &designs {
            divan::black_box(sim::grade::advise(d, &k, 1).expect("grades"));
        }
    });
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

/// The 14 canonical designs of the kata, by file name.
const CANONICAL: [&str; 14] = [
    "cdn-ttl-1h-no-purge",
    "long-cache-ttl",
    "no-autoscaling",
    "no-cdn-autoscaling",
    "no-multi-az",
    "no-replica",
    "no-stale-if-error",
    "peak-fleet",
    "purge-long-ttl",
    "purge-no-collapse-no-shield",
    "reference",
    "serverless-no-limit",
    "starter",
    "static-pages",
];

/// A canonical design, read from `katas/status-dashboard/designs/`.
fn canonical(name: &str) -> Design {
    let path = format!(
        "{}/../../katas/status-dashboard/designs/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("a canonical design");
    design::format::parse(&text).expect("parses").design
}

/// Each canonical design graded on its own (all four scenarios): the
/// per-design medians.
#[divan::bench(args = CANONICAL)]
fn grade_canonical(bencher: divan::Bencher, name: &str) {
    let k = kata();
    let d = canonical(name);
    bencher.bench(|| sim::grade::grade(divan::black_box(&d), divan::black_box(&k), 1));
}

/// `copies` copies of the reference design side by side, ids suffixed
/// (`common::copies_of`, as `benches/engine.rs` builds its 48-node design).
fn reference_copies(copies: usize) -> Design {
    let d = common::copies_of(&reference(), copies);
    assert!(d.nodes.len() <= design::limits::MAX_NODES);
    d
}

/// How a grade's cost grows with nodes: 1, 4, 42 and 166 copies of the
/// reference design (12, 48, 504 and 1,992 nodes).
#[divan::bench(args = [1, 4, 42], sample_count = 20)]
fn grade_reference_copies(bencher: divan::Bencher, copies: usize) {
    let k = kata();
    let d = reference_copies(copies);
    bencher.bench(|| sim::grade::grade(divan::black_box(&d), divan::black_box(&k), 1));
}

/// The largest: 166 copies (1,992 nodes, within `design::limits`), few
/// samples.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn grade_reference_copies_166(bencher: divan::Bencher) {
    let k = kata();
    let d = reference_copies(166);
    bencher.bench(|| sim::grade::grade(divan::black_box(&d), divan::black_box(&k), 1));
}

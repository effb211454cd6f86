//! The reference run (`Sim::set_shortcuts(false)`) is the plain model:
//! it takes no fast path at all, on the reference design, the starter and
//! every canonical design, calm and under faults; the default run takes the
//! common fast paths (so the equivalence tests compare two different
//! computations, not one with itself).

mod engine;

use design::Design;
use engine::assert_close;
use sim::engine::{FastPathCounts, Fault, Scenario, Sim, Target};

const DESIGNS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../katas/status-dashboard/designs"
);

fn design(name: &str) -> Design {
    let text = std::fs::read_to_string(format!("{DESIGNS}/{name}.json")).unwrap();
    design::format::parse(&text).unwrap().design
}

/// The status dashboard's run (seed 9), calm and with its three faults.
fn scenarios() -> [Scenario; 2] {
    let kata = sim::kata::load("status-dashboard").unwrap();
    let calm = kata.run.unwrap().scenario(9).unwrap();
    let faulty = calm
        .clone()
        .fault(Fault::outage(600.0, Target::CdnOrigins, 300.0))
        .fault(Fault::primary_failover(1500.0))
        .fault(Fault::replica_lag_spike(2400.0, 120.0));
    [calm, faulty]
}

fn counts(d: &Design, s: &Scenario, shortcuts: bool) -> FastPathCounts {
    let mut sim = Sim::new(d, s, 9);
    sim.set_shortcuts(shortcuts);
    sim.run_to_end();
    // A report mid-way or at the end takes no fast path either.
    let _ = sim.report();
    sim.fast_path_counts()
}

fn assert_none_taken(c: &FastPathCounts, what: &str) {
    for (name, n) in c.named() {
        assert_eq!(n, 0, "{what}: the reference took {name} {n} times");
    }
    assert_eq!(c.total(), 0);
}

/// Every canonical design of the status dashboard, calm and under faults:
/// the reference takes no fast path, and every fast path counted is taken
/// by the default run of one of them at least.
#[test]
fn the_reference_takes_no_fast_path_on_any_canonical_design() {
    let mut seen = 0;
    let mut taken = [0u64; 17];
    for entry in std::fs::read_dir(DESIGNS).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        for (k, s) in scenarios().iter().enumerate() {
            let c = counts(&design(&name), s, false);
            assert_none_taken(&c, &format!("{name}, scenario {k}"));
            for (t, (_, n)) in taken
                .iter_mut()
                .zip(counts(&design(&name), s, true).named())
            {
                *t += n;
            }
        }
        seen += 1;
    }
    assert!(seen >= 10, "{seen} designs");
    for (t, (name, _)) in taken.iter().zip(FastPathCounts::default().named()) {
        assert!(*t > 0, "no canonical design took {name}");
    }
}

/// The default run of the reference design takes the common fast paths:
/// quiet ticks, bulk ticks, replayed pulses, steady CDN ticks, reused
/// nodes, run-length totals, unchanged paths, skipped reverse passes,
/// remembered queue solves and kinks, merged latency slots, a kept p95.
#[test]
fn the_default_run_takes_the_common_fast_paths_on_the_reference() {
    let [calm, faulty] = scenarios();
    let d = design("reference");
    let c = counts(&d, &calm, true);
    for (name, n) in c.named() {
        let expected = !matches!(
            name,
            // Not taken by this design (it has no serverless node; its
            // cache is read only at the shield's fetches, 30 s apart, after
            // its 5 s TTL ran out; no sojourn's kinks recur): other
            // canonical designs take them (the test above).
            "erlang_memo_hits" | "fresh_cache_ticks" | "kinks_memo_hits"
        );
        if expected {
            assert!(n > 0, "the default run never took {name}: {c:?}");
        }
    }
    let f = counts(&d, &faulty, true);
    assert!(f.quiet_ticks > 0 && f.reused_nodes > 0, "{f:?}");
}

/// The starter (API straight behind the users, no CDN) and the serverless
/// design: the node-level fast paths are taken by default, none by the
/// reference.
#[test]
fn the_starter_and_serverless_take_node_fast_paths_by_default_only() {
    let [calm, _] = scenarios();
    let starter = design("starter");
    let c = counts(&starter, &calm, true);
    assert!(c.reused_nodes + c.run_length_ticks > 0, "{c:?}");
    assert!(c.queue_memo_hits > 0, "{c:?}");
    assert!(c.unchanged_paths > 0, "{c:?}");
    assert_none_taken(&counts(&starter, &calm, false), "starter");
    let serverless = design("serverless-no-limit");
    let c = counts(&serverless, &calm, true);
    assert!(c.erlang_memo_hits > 0, "{c:?}");
    assert_none_taken(&counts(&serverless, &calm, false), "serverless");
}

/// The second kata's designs (kept as data in `tests/data/katas`), under
/// its own run: the reference takes no fast path and the default run
/// agrees with it to 1e-9.
#[test]
fn the_second_kata_s_designs_agree_with_the_reference() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/katas/profile-page");
    let file = std::fs::read_to_string(format!("{dir}/kata.json")).unwrap();
    let starter = std::fs::read_to_string(format!("{dir}/designs/starter.json")).unwrap();
    let kata = sim::kata::Kata::from_json(&file, &starter).unwrap();
    let s = kata.run.unwrap().scenario(5).unwrap();
    for name in ["starter", "passing"] {
        let text = std::fs::read_to_string(format!("{dir}/designs/{name}.json")).unwrap();
        let d = design::format::parse(&text).unwrap().design;
        let mut slow = Sim::new(&d, &s, 5);
        slow.set_shortcuts(false);
        slow.run_to_end();
        assert_none_taken(&slow.fast_path_counts(), name);
        let fast = Sim::new(&d, &s, 5).run();
        assert_close(&fast, &slow.report(), 1e-9);
    }
}

//! Tested advice: a failed scenario's next step is a typed fix that the
//! grader applied to a copy and graded with the same seed. Here the fixes
//! are applied again, independently, and graded again:
//!
//! - on ≥ 200 designs made by random edits of the canonical designs, every
//!   shown fix improves its scenario's deciding metric, and the share that
//!   makes the scenario pass is reported;
//! - pressing only "Apply" from the starter reaches 4 of 4;
//! - the regressions that made the grade's words wrong stay fixed.

use design::{Design, NodeId, NodeKind, ParamKind, ParamValue, Point};
use rand::{Rng, SeedableRng};
use sim::grade::{self, Advice, Bound, CheckResult, Grade};
use sim::kata::{self, Kata};

fn kata() -> Kata {
    kata::load("status-dashboard").expect("built-in kata")
}

const DESIGNS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../katas/status-dashboard/designs"
);

fn design(file: &str) -> Design {
    let text = std::fs::read_to_string(format!("{DESIGNS}/{file}")).expect("a canonical design");
    design::format::parse(&text).expect("parses").design
}

fn canonical() -> Vec<(String, Design)> {
    let mut files: Vec<String> = std::fs::read_dir(DESIGNS)
        .expect("the designs folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let d = design(&f);
            (f, d)
        })
        .collect()
}

/// The value a check measured, with "nothing to measure" (failed though
/// its number meets the target) as the worst value.
fn effective(c: &CheckResult) -> f64 {
    let meets = match c.target.bound {
        Bound::AtMost => c.measured.value <= c.target.value,
        Bound::AtLeast => c.measured.value >= c.target.value,
    };
    match (c.target.bound, !c.passed && meets) {
        (Bound::AtMost, true) => f64::INFINITY,
        (Bound::AtLeast, true) => f64::NEG_INFINITY,
        _ => c.measured.value,
    }
}

fn better(before: &CheckResult, after: &CheckResult) -> bool {
    if after.passed && !before.passed {
        return true;
    }
    let (b, a) = (effective(before), effective(after));
    match before.target.bound {
        Bound::AtMost => a < b,
        Bound::AtLeast => a > b,
    }
}

/// The first failed check of a scenario.
fn deciding<'a>(g: &'a Grade, id: &str) -> Option<&'a CheckResult> {
    g.scenario(id)?.checks.iter().find(|c| !c.passed)
}

// ----- random designs ------------------------------------------------------

/// A design made from `base` by 1–3 random edits: remove a node or an
/// edge, add a node (wired in) or an edge, or change a parameter.
fn mutate(base: &Design, rng: &mut rand_pcg::Pcg64) -> (Design, Vec<String>) {
    let mut d = base.clone();
    let mut what = Vec::new();
    let edits = rng.random_range(1..=3);
    for _ in 0..edits {
        let ids: Vec<NodeId> = d.nodes.iter().map(|n| n.id.clone()).collect();
        if ids.is_empty() {
            break;
        }
        let pick = |rng: &mut rand_pcg::Pcg64| ids[rng.random_range(0..ids.len())].clone();
        match rng.random_range(0..6) {
            0 => {
                let id = pick(rng);
                d.remove_node(&id);
                what.push(format!("remove {id}"));
            }
            1 if !d.edges.is_empty() => {
                let i = rng.random_range(0..d.edges.len());
                let e = d.edges.remove(i);
                what.push(format!("disconnect {} → {}", e.from, e.to));
            }
            2 => {
                let kind = NodeKind::ALL[rng.random_range(0..NodeKind::ALL.len())];
                let at = Point {
                    x: rng.random_range(0.0..900.0f64).round(),
                    y: rng.random_range(0.0..600.0f64).round(),
                };
                let id = d.add_node(kind, at);
                let (a, b) = (pick(rng), pick(rng));
                let _ = d.connect(&a, &id);
                let _ = d.connect(&id, &b);
                what.push(format!("add {id} ({}) from {a} to {b}", kind.key()));
            }
            3 => {
                let (a, b) = (pick(rng), pick(rng));
                if d.connect(&a, &b).is_ok() {
                    what.push(format!("connect {a} → {b}"));
                }
            }
            _ => {
                let id = pick(rng);
                let Some(n) = d.node_mut(&id) else { continue };
                let specs = n.kind.params();
                if specs.is_empty() {
                    continue;
                }
                let spec = specs[rng.random_range(0..specs.len())];
                let value = match spec.kind {
                    ParamKind::Number { min, max, step, .. } => {
                        // Log-uniform over the range, on the step.
                        let lo = min.max(step.max(1e-3));
                        let v = (lo.ln() + rng.random::<f64>() * (max.ln() - lo.ln())).exp();
                        let v = if spec.kind.is_whole() { v.round() } else { v };
                        ParamValue::Number(v.clamp(min, max))
                    }
                    ParamKind::Bool { .. } => ParamValue::Bool(!n.flag(spec.key)),
                    ParamKind::Choice { options, .. } => {
                        ParamValue::Text(options[rng.random_range(0..options.len())].to_string())
                    }
                };
                if n.set_param(spec.key, value.clone()).is_ok() {
                    what.push(format!("set {id}.{} = {value:?}", spec.key));
                }
            }
        }
    }
    (d, what)
}

/// ≥ 200 designs: the canonical designs, each mutated with a seeded
/// generator.
fn random_designs() -> Vec<(String, Design)> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(0x5eed_f1c5);
    let bases = canonical();
    let mut out = Vec::new();
    for i in 0..210 {
        let (name, base) = &bases[i % bases.len()];
        let (d, what) = mutate(base, &mut rng);
        out.push((format!("#{i} {name}: {}", what.join("; ")), d));
    }
    out
}

#[test]
fn every_shown_fix_improves_its_scenario_on_random_designs() {
    let k = kata();
    let mut shown = 0;
    let mut pass = 0;
    let mut failed_scenarios = 0;
    let mut none_helped: Vec<String> = Vec::new();
    for (name, d) in random_designs() {
        let g = grade::advise(&d, &k, 1).expect("the kata grades");
        for s in g.scenarios.iter().filter(|s| !s.passed) {
            failed_scenarios += 1;
            let head = deciding(&g, &s.id).expect("a failed scenario has a failed check");
            match &s.advice {
                Advice::Tested(t) => {
                    shown += 1;
                    // Never what is already there: the fix changes the design.
                    let changed = t.fix.apply(&d).expect("a shown fix applies");
                    assert_ne!(changed, d, "{name}: {}", t.fix.text);
                    let after = grade::grade(&changed, &k, 1).unwrap();
                    let sa = after.scenario(&s.id).unwrap();
                    let ca = sa
                        .checks
                        .iter()
                        .find(|c| c.metric == head.metric && c.window == head.window)
                        .unwrap();
                    assert!(
                        better(head, ca),
                        "{name}: {}: “{}” did not improve {}: {} → {}",
                        s.id,
                        t.fix.text,
                        head.name,
                        head.measured.text,
                        ca.measured.text
                    );
                    assert_eq!(sa.passed, t.passes, "{name}: {}", s.id);
                    assert_eq!(ca.measured, t.after, "{name}: {}", s.id);
                    if sa.passed {
                        pass += 1;
                    } else if std::env::var_os("FIXES_VERBOSE").is_some() {
                        println!("not enough: {name}: {}: {} {}", s.id, t.fix.text, t.effect);
                    }
                    let next = s.next_step.as_deref().unwrap_or_default();
                    assert!(next.starts_with(&t.fix.text) && next.contains("Tried it:"));
                }
                Advice::NothingHelped { tried } => {
                    let next = s.next_step.as_deref().unwrap_or_default();
                    assert!(next.contains("tried") || next.contains("no single change"));
                    none_helped.push(format!("{name}: {} ({tried} tried)", s.id));
                }
                Advice::Untested => panic!("{name}: {} was not tested", s.id),
            }
        }
    }
    let rate = pass as f64 / shown.max(1) as f64;
    println!(
        "{failed_scenarios} failed scenarios; a fix shown for {shown}, of which {pass} make the scenario pass ({:.1} %)",
        100.0 * rate
    );
    println!("no fix helped ({}):", none_helped.len());
    for n in &none_helped {
        println!("  {n}");
    }
    assert!(shown > 200, "{shown}");
    // The goal: four shown fixes in five make their scenario pass (82.6 %
    // when this was written; the designs are seeded, so this is exact).
    assert!(
        rate >= 0.8,
        "only {:.1} % of the shown fixes pass (the goal is 80 %)",
        100.0 * rate
    );
}

// ----- the starter, by "Apply" alone ---------------------------------------

#[test]
fn applying_the_first_failed_card_s_fix_from_the_starter_reaches_four_of_four() {
    let k = kata();
    let mut d = design("starter.json");
    let mut presses = Vec::new();
    loop {
        let g = grade::advise(&d, &k, 1).unwrap();
        if g.all_passed() {
            break;
        }
        let s = g.scenarios.iter().find(|s| !s.passed).unwrap();
        let Advice::Tested(t) = &s.advice else {
            panic!("after {presses:?}: no fix for {}: {:?}", s.id, s.next_step);
        };
        presses.push(t.fix.text.clone());
        d = t.fix.apply(&d).unwrap();
        assert!(presses.len() <= 8, "{presses:#?}");
    }
    println!("{} presses:", presses.len());
    for p in &presses {
        println!("  {p}");
    }
}

// ----- regressions -----------------------------------------------------------

/// The reference with the operator's writes going through the read API,
/// whose only database is now the replica: no write path reaches a primary.
fn writes_to_nowhere() -> Design {
    let mut d = design("reference.json");
    d.remove_node(&NodeId::from("admin"));
    d.remove_node(&NodeId::from("lb_admin"));
    d.connect(&NodeId::from("operator"), &NodeId::from("lb"))
        .unwrap();
    d.connect(&NodeId::from("staff"), &NodeId::from("lb"))
        .unwrap();
    d
}

#[test]
fn a_design_whose_writes_reach_no_primary_fails_isolation_and_is_told_to_connect_it() {
    let k = kata();
    let d = writes_to_nowhere();
    let g = grade::advise(&d, &k, 1).unwrap();
    let iso = g.scenario("isolation").unwrap();
    assert!(!iso.passed, "{}", iso.cause);
    let not_committed = &iso.checks[0];
    assert_eq!(not_committed.metric, grade::Metric::UpdatesNotCommitted);
    assert!(!not_committed.passed, "{}", not_committed.measured.text);
    assert!(
        iso.cause.contains("reach no database primary"),
        "{}",
        iso.cause
    );
    let Advice::Tested(t) = &iso.advice else {
        panic!("{:?}", iso.next_step)
    };
    assert!(
        t.fix.text.contains("Connect") && t.fix.text.contains("“Primary”"),
        "{}",
        t.fix.text
    );
    assert!(t.after.value < t.before.value);
    // Nothing says the updates were committed.
    assert!(!iso.cause.contains("committed …"));
    for s in &g.scenarios {
        assert!(!s.cause.contains("All 7 updates committed"), "{}", s.cause);
    }
}

#[test]
fn a_ttl_already_at_30_s_is_never_asked_for() {
    let k = kata();
    for (name, d) in canonical().into_iter().chain(std::iter::once((
        "writes to nowhere".to_string(),
        writes_to_nowhere(),
    ))) {
        let g = grade::advise(&d, &k, 1).unwrap();
        for s in &g.scenarios {
            if let Advice::Tested(t) = &s.advice {
                for e in &t.fix.edits {
                    if let grade::Edit::SetParam { node, key, value } = e {
                        let n = d.node(node).unwrap();
                        let now = n
                            .params
                            .get(key)
                            .cloned()
                            .unwrap_or_else(|| n.kind.param(key).unwrap().default_value());
                        assert_ne!(&now, value, "{name}: {} asks for {key} = {value:?}", s.id);
                    }
                }
                assert!(t.fix.apply(&d).is_ok());
            }
        }
    }
}

#[test]
fn staff_reading_through_a_cdn_miss_their_own_writes_and_fail_isolation() {
    let k = kata();
    let mut d = design("reference.json");
    d.disconnect(&NodeId::from("staff"), &NodeId::from("lb_admin"));
    d.connect(&NodeId::from("staff"), &NodeId::from("cdn"))
        .unwrap();
    let g = grade::advise(&d, &k, 1).unwrap();
    let iso = g.scenario("isolation").unwrap();
    let staff = iso
        .checks
        .iter()
        .find(|c| c.metric == grade::Metric::StaffReadsMissingOwnWrite)
        .unwrap();
    assert!(
        !staff.passed && staff.measured.value > 0.0,
        "{}",
        staff.measured.text
    );
    assert!(!iso.passed);
    assert!(iso.cause.contains("through “CDN”"), "{}", iso.cause);
    let Advice::Tested(t) = &iso.advice else {
        panic!("{:?}", iso.next_step)
    };
    assert!(t.passes, "{}", t.fix.text);

    // The reference's staff read through the admin API: none missed.
    let g = grade::grade(&design("reference.json"), &k, 1).unwrap();
    let staff = g
        .scenario("isolation")
        .unwrap()
        .checks
        .iter()
        .find(|c| c.metric == grade::Metric::StaffReadsMissingOwnWrite)
        .unwrap();
    assert!(staff.passed && staff.measured.value == 0.0);

    // Without staff tools there is nothing to show they read their writes.
    let mut d = design("reference.json");
    d.remove_node(&NodeId::from("staff"));
    let g = grade::grade(&d, &k, 1).unwrap();
    let iso = g.scenario("isolation").unwrap();
    assert!(!iso.passed);
    assert!(iso.cause.contains("no staff tools"), "{}", iso.cause);
}

#[test]
fn counts_under_one_read_are_written_as_numbers() {
    let k = kata();
    let g = grade::grade(&design("no-replica.json"), &k, 1).unwrap();
    let iso = g.scenario("isolation").unwrap();
    let at_primary = iso
        .checks
        .iter()
        .find(|c| c.metric == grade::Metric::ExternalReadsAtPrimary)
        .unwrap();
    let text = &at_primary.measured.text;
    assert!(at_primary.measured.value > 0.0 && at_primary.measured.value < 1.0);
    assert!(
        text.starts_with(|c: char| c.is_ascii_digit()) && text.contains(" reads in "),
        "{text}"
    );
}

/// Fixes handed out as tasks and graded in any order (as worker threads
/// grade them, each at its own pace) give the advice that grading them
/// one after the other gives: for every failing canonical design, the
/// tasks available at each moment are graded in a shuffled order, some
/// kept back while later ones return, and the result equals `advise`'s.
#[test]
fn fixes_graded_out_of_order_give_the_same_advice() {
    let kata = kata();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(16);
    let mut failing = 0;
    for (name, d) in canonical() {
        let expected = grade::advise(&d, &kata, 1).expect("grades");
        if expected.all_passed() {
            continue;
        }
        failing += 1;
        let mut got = grade::grade(&d, &kata, 1).expect("grades");
        let mut verifier = grade::Verifier::new(&d, &kata, 1, &got);
        let mut out: Vec<grade::Task> = Vec::new();
        let mut published = 0;
        loop {
            // Take a few (as idle threads would), then give one back at
            // random: the others stay out meanwhile.
            for _ in 0..rng.random_range(1..4) {
                if let Some(task) = verifier.take() {
                    out.push(task);
                }
            }
            if out.is_empty() {
                assert!(
                    verifier.finished(),
                    "{name}: nothing out, nothing to take, yet not finished"
                );
                break;
            }
            let task = out.swap_remove(rng.random_range(0..out.len()));
            let graded = grade::grade(&task.design, &kata, 1).expect("grades");
            verifier.put(task.index, graded.into());
            published += verifier.finish_ready(&mut got);
            // What is published early is final: a card never changes its fix.
            for (now, last) in got.scenarios.iter().zip(&expected.scenarios) {
                if now.advice != Advice::Untested {
                    assert_eq!(now, last, "{name}: {} was published unsettled", now.id);
                }
            }
            assert!(!verifier.finished() || out.is_empty(), "{name}");
        }
        let (done, total) = verifier.progress();
        assert_eq!(done, total, "{name}: every candidate came back");
        verifier.finish(&mut got);
        assert_eq!(
            got.scenarios, expected.scenarios,
            "{name}: the advice depends on the order fixes were graded in"
        );
        assert_eq!(
            published,
            expected.scenarios.iter().filter(|s| !s.passed).count(),
            "{name}: every failed scenario's advice was published once"
        );
    }
    assert!(failing >= 10, "{failing} failing canonical designs");
}

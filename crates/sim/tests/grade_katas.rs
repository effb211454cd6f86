//! The status dashboard's canonical designs (katas/status-dashboard/
//! designs/) graded: each passes and fails exactly the scenarios it should,
//! and each failure names the right node, cause and next step. The reasons
//! behind the kata's thresholds are in docs/katas/status-dashboard.md.

use design::Design;
use sim::grade::{self, Grade};
use sim::kata::{self, Kata};

fn kata() -> Kata {
    kata::load("status-dashboard").expect("built-in kata")
}

fn design(file: &str) -> Design {
    let path = format!(
        "{}/../../katas/status-dashboard/designs/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let parsed = design::format::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        parsed.diagnostics.is_empty(),
        "{file}: {:?}",
        parsed.diagnostics
    );
    parsed.design
}

/// What a failed scenario must say: its id, the limiting node, words of
/// the cause and words of the next step.
struct Fails {
    scenario: &'static str,
    node: &'static str,
    cause: &'static [&'static str],
    next: &'static [&'static str],
}

const fn fails(
    scenario: &'static str,
    node: &'static str,
    cause: &'static [&'static str],
    next: &'static [&'static str],
) -> Fails {
    Fails {
        scenario,
        node,
        cause,
        next,
    }
}

/// Grades `file` with `seed`, testing each failed scenario's fixes, and
/// checks that exactly the `expected` scenarios fail, each for its reason
/// and with a tested next step that makes it pass. Returns the grade.
fn check(file: &str, seed: u64, expected: &[Fails]) -> Grade {
    let g = grade::advise(&design(file), &kata(), seed).expect("the kata grades");
    assert_eq!(g.total, 4, "{file}");
    for s in &g.scenarios {
        let want = expected.iter().find(|f| f.scenario == s.id);
        match want {
            None => {
                assert!(
                    s.passed,
                    "{file} (seed {seed}): {} should pass: {}",
                    s.id, s.cause
                );
                assert!(s.next_step.is_none());
            }
            Some(f) => {
                assert!(!s.passed, "{file} (seed {seed}): {} should fail", s.id);
                assert_eq!(
                    s.limiting_node.as_ref().map(|n| n.as_str()),
                    Some(f.node),
                    "{file} (seed {seed}): {}: {}",
                    s.id,
                    s.cause
                );
                for w in f.cause {
                    assert!(
                        s.cause.contains(w),
                        "{file} (seed {seed}): {}: cause lacks “{w}”: {}",
                        s.id,
                        s.cause
                    );
                }
                let next = s.next_step.as_deref().unwrap_or_default();
                for w in f.next {
                    assert!(
                        next.contains(w),
                        "{file} (seed {seed}): {}: next step lacks “{w}”: {next}",
                        s.id
                    );
                }
                assert!(next.ends_with('.') && !next.contains('\n'), "{next}");
                assert!(
                    next.contains("Tried it:"),
                    "{file}: {}: untested: {next}",
                    s.id
                );
            }
        }
        // Every result reads on its own.
        assert!(s.cause.ends_with('.'), "{file}: {}", s.cause);
        assert!(!s.metric.is_empty() && !s.measured.text.is_empty() && !s.target.text.is_empty());
        assert_eq!(s.checks.iter().all(|c| c.passed), s.passed);
    }
    assert_eq!(g.passed, 4 - expected.len(), "{file}");
    g
}

#[test]
fn reference_passes_all_four() {
    let g = check("reference.json", 1, &[]);
    assert!(g.all_passed());
    assert!(g.lints.is_empty(), "{:?}", g.lints);
    // Headroom: the numbers the kata's thresholds were set against.
    let fast = g.scenario("fast").unwrap();
    let p95 = fast
        .checks
        .iter()
        .find(|c| c.metric == grade::Metric::ReadP95Ms)
        .unwrap();
    assert!(p95.measured.value < 0.7 * 80.0, "{}", p95.measured.text);
    assert!(g.cost.total_usd < 0.7 * 4000.0, "{:?}", g.cost);
}

#[test]
fn starter_fails_fast_isolation_and_faults() {
    let g = check(
        "starter.json",
        1,
        &[
            fails(
                "fast",
                "api",
                &["saturated", "44,754 reads/s", "Nothing caches"],
                &[
                    "Add a CDN",
                    "between “Readers” and “Status API”",
                    "this scenario passes",
                ],
            ),
            fails(
                "isolation",
                "api",
                &["operator's writes go through", "queued behind reads"],
                &["path of its own"],
            ),
            fails(
                "faults",
                "api",
                &["saturated"],
                &["Add a CDN", "Multi-AZ", "this scenario passes"],
            ),
        ],
    );
    let codes: Vec<design::LintCode> = g.lints.iter().map(|l| l.code).collect();
    assert!(codes.contains(&design::LintCode::ReadsReachPrimary));
    assert!(codes.contains(&design::LintCode::NoCdnInFrontOfUsers));
    assert!(g.lints.iter().all(|l| !l.explanation.is_empty()));
    // The starter design is the kata's own.
    assert_eq!(design("starter.json"), kata().starter);
}

#[test]
fn one_hour_ttl_without_purge_fails_freshness() {
    check(
        "cdn-ttl-1h-no-purge.json",
        1,
        &[
            fails(
                "fast",
                "cdn",
                &["1 h (its TTL)", "nothing tells it about updates"],
                &["On “CDN”, set TTL to 30 s.", "this scenario passes"],
            ),
            fails(
                "faults",
                "cdn",
                &["had not reached readers"],
                &["set TTL to 30 s"],
            ),
        ],
    );
}

#[test]
fn no_replica_fails_write_isolation() {
    check(
        "no-replica.json",
        1,
        &[fails(
            "isolation",
            "db",
            &[
                "reached “Primary” (Database primary)",
                "every miss of “Redis” (Cache)",
            ],
            &[
                "Add a read replica fed by “Primary”",
                "let “Redis” read from it",
            ],
        )],
    );
}

#[test]
fn peak_sized_always_on_fleet_fails_cost() {
    let g = check(
        "peak-fleet.json",
        1,
        &[fails(
            "cost",
            "api",
            &[
                "48 xlarge instances running all month",
                "over the $4,000 budget",
            ],
            &["autoscaling", "this scenario passes", "cost −$"],
        )],
    );
    assert!(g.cost.total_usd > 5.0 * 4000.0, "{:?}", g.cost);
}

#[test]
fn no_stale_if_error_fails_under_faults() {
    check(
        "no-stale-if-error.json",
        1,
        &[fails(
            "faults",
            "cdn",
            &["origin outage", "no stale-if-error"],
            &["On “CDN”, set stale-if-error to 3,600 s."],
        )],
    );
}

#[test]
fn purge_with_a_long_ttl_fails_freshness_and_the_outage() {
    check(
        "purge-long-ttl.json",
        1,
        &[
            fails(
                "fast",
                "cdn",
                &["purged its edges", "refetched at once"],
                &["set TTL to 30 s"],
            ),
            fails(
                "faults",
                "cdn",
                &[
                    "during the origin outage",
                    "purged every copy",
                    "nothing left to serve stale",
                ],
                &["turn off purge on update"],
            ),
        ],
    );
}

#[test]
fn purge_without_collapsing_or_shield_melts_the_origin_after_the_outage() {
    check(
        "purge-no-collapse-no-shield.json",
        1,
        &[fails(
            "faults",
            "cdn",
            &[
                "saturated",
                "right after the outage",
                "no request collapsing",
            ],
            &["turn on request collapsing", "this scenario passes"],
        )],
    );
}

#[test]
fn no_multi_az_fails_under_faults() {
    check(
        "no-multi-az.json",
        1,
        &[fails(
            "faults",
            "db",
            &[
                "no Multi-AZ standby",
                "down for 15 min",
                "committed only at",
            ],
            &["On “Primary”, turn on Multi-AZ."],
        )],
    );
}

#[test]
fn long_cache_ttl_fails_freshness_at_the_cache() {
    check(
        "long-cache-ttl.json",
        1,
        &[
            fails(
                "fast",
                "cache",
                &["10 min (its key TTL)"],
                &["On “Redis”, set key TTL to 5 s."],
            ),
            fails("faults", "cache", &["key TTL"], &["key TTL"]),
        ],
    );
}

#[test]
fn autoscaling_without_a_cdn_is_too_slow() {
    check(
        "no-cdn-autoscaling.json",
        1,
        &[
            fails(
                "fast",
                "cache",
                &["saturated", "Nothing caches"],
                &["Add a CDN", "between “Readers” and “Read LB”"],
            ),
            fails(
                "faults",
                "api",
                &["Autoscaling could grow it to 100 instances", "too late"],
                &["Add a CDN"],
            ),
        ],
    );
}

#[test]
fn serverless_without_a_concurrency_limit_passes_the_surge_on() {
    check(
        "serverless-no-limit.json",
        1,
        &[
            fails(
                "fast",
                "cache",
                &["concurrency limit of 100,000", "passed every read on"],
                &["Add a CDN"],
            ),
            fails("faults", "cache", &["saturated"], &["Add a CDN"]),
        ],
    );
}

#[test]
fn behind_a_cdn_autoscaling_and_a_read_api_are_optional() {
    check("no-autoscaling.json", 1, &[]);
    let g = check("static-pages.json", 1, &[]);
    // Pre-rendered pages are the cheapest design that passes.
    let reference = grade::grade(&design("reference.json"), &kata(), 1).unwrap();
    assert!(g.cost.total_usd < reference.cost.total_usd);
}

/// The verdicts do not depend on the seed (which draws the update times
/// and the traffic noise): a few more seeds for every design.
#[test]
fn verdicts_hold_across_seeds() {
    let expected: &[(&str, &str)] = &[
        ("reference.json", "PPPP"),
        ("starter.json", "FFPF"),
        ("cdn-ttl-1h-no-purge.json", "FPPF"),
        ("no-replica.json", "PFPP"),
        ("peak-fleet.json", "PPFP"),
        ("no-stale-if-error.json", "PPPF"),
        ("purge-long-ttl.json", "FPPF"),
        ("purge-no-collapse-no-shield.json", "PPPF"),
        ("no-multi-az.json", "PPPF"),
        ("long-cache-ttl.json", "FPPF"),
        ("no-cdn-autoscaling.json", "FPPF"),
        ("serverless-no-limit.json", "FPPF"),
        ("no-autoscaling.json", "PPPP"),
        ("static-pages.json", "PPPP"),
    ];
    let k = kata();
    for (file, pattern) in expected {
        let d = design(file);
        for seed in [2, 7, 1234] {
            let g = grade::grade(&d, &k, seed).unwrap();
            let got: String = g
                .scenarios
                .iter()
                .map(|s| if s.passed { 'P' } else { 'F' })
                .collect();
            assert_eq!(&got, pattern, "{file} with seed {seed}");
        }
    }
}

#[test]
fn every_design_file_is_covered() {
    let dir = format!(
        "{}/../../katas/status-dashboard/designs",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        14,
        "{files:?}: add the new design to the tests"
    );
}

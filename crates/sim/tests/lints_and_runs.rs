//! Lints agree with runs: a lint says what the diagram allows, and the
//! grade marks whether its runs bore it out, so that no lint contradicts a
//! scenario card.

use design::{Design, Edge, EdgeKind, Lint, LintCode, NodeId};
use sim::grade::{self, Grade, Metric};
use sim::kata::{self, Kata};

fn kata() -> Kata {
    kata::load("status-dashboard").expect("built-in kata")
}

fn parse(text: &str) -> Design {
    design::format::parse(text).expect("a kata design").design
}

fn reads_lint(g: &Grade) -> &Lint {
    g.lints
        .iter()
        .find(|l| l.code == LintCode::ReadsReachPrimary)
        .expect("the design lets readers reach the primary")
}

/// What the isolation card measured: external reads at the primary.
fn reads_at_primary(g: &Grade) -> f64 {
    g.scenarios
        .iter()
        .flat_map(|s| &s.checks)
        .find(|c| c.metric == Metric::ExternalReadsAtPrimary)
        .expect("a card measures reads at the primary")
        .measured
        .value
}

/// The reference design with one more read path: the status API may also
/// read the primary. The lint sees the path; the engine sends the API's
/// external reads to its cache, so no reader's request reaches the
/// primary in the run.
fn reference_with_api_to_primary() -> Design {
    let mut d = parse(include_str!(
        "../../../katas/status-dashboard/designs/reference.json"
    ));
    d.edges.push(Edge {
        from: NodeId::from("api"),
        to: NodeId::from("db"),
        kind: EdgeKind::ReadWrite,
    });
    assert!(
        design::validate(&d).is_empty(),
        "{:?}",
        design::validate(&d)
    );
    d
}

#[test]
fn a_path_the_run_never_took_is_a_hint_that_says_so() {
    let d = reference_with_api_to_primary();
    let before = design::lint(&d);
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0].observed, None, "the diagram alone checks nothing");

    let g = grade::grade(&d, &kata(), 1).unwrap();
    assert_eq!(reads_at_primary(&g), 0.0);
    let isolation = g.scenario("isolation").unwrap();
    let card = isolation
        .checks
        .iter()
        .find(|c| c.metric == Metric::ExternalReadsAtPrimary)
        .unwrap();
    assert!(card.passed, "{card:?}");

    let lint = reads_lint(&g);
    assert_eq!(lint.observed, Some(false));
    assert!(lint.ruled_out());
    assert_eq!(lint.nodes, before[0].nodes);
    assert_eq!(
        lint.message,
        "Reader traffic could reach “Primary” (db) (users → cdn → lb → api → db) on CDN misses; \
         in this run no reader's request did."
    );
    // It never claims that readers reached the primary.
    for claim in ["can reach", "reached", "reaches"] {
        assert!(!lint.message.contains(claim), "{}", lint.message);
    }
    // The JSON the app and the CLI read carries it.
    let v = serde_json::to_value(&g).unwrap();
    assert_eq!(v["lints"][0]["observed"], false);
}

#[test]
fn readers_at_the_primary_confirm_the_lint() {
    let k = kata();
    let starter = parse(include_str!(
        "../../../katas/status-dashboard/designs/starter.json"
    ));
    let g = grade::grade(&starter, &k, 1).unwrap();
    assert!(reads_at_primary(&g) > 1e6);
    let lint = reads_lint(&g);
    assert_eq!(lint.observed, Some(true));
    assert!(!lint.ruled_out());
    assert_eq!(
        lint.message,
        "Reader traffic could reach “Database” (db) (users → api → db)."
    );
    // No run measures the others as such: they stay unchecked.
    for l in g
        .lints
        .iter()
        .filter(|l| l.code != LintCode::ReadsReachPrimary)
    {
        assert_eq!(l.observed, None, "{l:?}");
    }
    let v = serde_json::to_value(&g).unwrap();
    assert_eq!(v["lints"][0]["observed"], true);
    assert!(v["lints"][1]["observed"].is_null());

    // A fraction of a read (the fluid model's expected count) still
    // reached the primary: the card counts it, so does the lint.
    let no_replica = parse(include_str!(
        "../../../katas/status-dashboard/designs/no-replica.json"
    ));
    let g = grade::grade(&no_replica, &k, 1).unwrap();
    let reads = reads_at_primary(&g);
    assert!(reads > 0.0 && reads < 1.0, "{reads}");
    assert_eq!(reads_lint(&g).observed, Some(true));
}

#[test]
fn no_lint_contradicts_a_card_on_any_kata_design() {
    let k = kata();
    for (name, text) in [
        (
            "cdn-ttl-1h-no-purge",
            include_str!("../../../katas/status-dashboard/designs/cdn-ttl-1h-no-purge.json"),
        ),
        (
            "long-cache-ttl",
            include_str!("../../../katas/status-dashboard/designs/long-cache-ttl.json"),
        ),
        (
            "no-autoscaling",
            include_str!("../../../katas/status-dashboard/designs/no-autoscaling.json"),
        ),
        (
            "no-cdn-autoscaling",
            include_str!("../../../katas/status-dashboard/designs/no-cdn-autoscaling.json"),
        ),
        (
            "no-multi-az",
            include_str!("../../../katas/status-dashboard/designs/no-multi-az.json"),
        ),
        (
            "no-replica",
            include_str!("../../../katas/status-dashboard/designs/no-replica.json"),
        ),
        (
            "no-stale-if-error",
            include_str!("../../../katas/status-dashboard/designs/no-stale-if-error.json"),
        ),
        (
            "peak-fleet",
            include_str!("../../../katas/status-dashboard/designs/peak-fleet.json"),
        ),
        (
            "purge-long-ttl",
            include_str!("../../../katas/status-dashboard/designs/purge-long-ttl.json"),
        ),
        (
            "purge-no-collapse-no-shield",
            include_str!(
                "../../../katas/status-dashboard/designs/purge-no-collapse-no-shield.json"
            ),
        ),
        (
            "reference",
            include_str!("../../../katas/status-dashboard/designs/reference.json"),
        ),
        (
            "serverless-no-limit",
            include_str!("../../../katas/status-dashboard/designs/serverless-no-limit.json"),
        ),
        (
            "starter",
            include_str!("../../../katas/status-dashboard/designs/starter.json"),
        ),
        (
            "static-pages",
            include_str!("../../../katas/status-dashboard/designs/static-pages.json"),
        ),
    ] {
        let g = grade::grade(&parse(text), &k, 1).unwrap();
        let reads = reads_at_primary(&g);
        for l in &g.lints {
            if l.code == LintCode::ReadsReachPrimary {
                assert_eq!(l.observed, Some(reads > 0.0), "{name}: {l:?}");
                assert_eq!(l.ruled_out(), l.message.contains("no reader's request did"));
            } else {
                assert_eq!(l.observed, None, "{name}: {l:?}");
            }
            assert!(!l.message.contains(" can reach"), "{name}: {}", l.message);
        }
    }
}

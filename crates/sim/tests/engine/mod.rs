//! Helpers shared by the engine's test files: small designs built with the
//! design crate's editing operations, and the reference design.
#![allow(dead_code)]

use design::keys::api;
use design::{Design, NodeId, NodeKind, Point};
use sim::engine::{Override, Report, Scenario, Sim};

/// The ~12-node reference design (tests/data/reference.json).
pub const REFERENCE_JSON: &str = include_str!("../data/reference.json");

/// The reference design, parsed.
pub fn reference() -> Design {
    let parsed = design::format::parse(REFERENCE_JSON).expect("reference design parses");
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed.design
}

/// Users → API with a fixed pool: `instances` instances of `size`, each
/// request taking `service_ms` on average, autoscaling off, no timeout to
/// speak of (60 s). Returns the design and the API's id.
pub fn queue_design(
    instances: u32,
    size: &str,
    service_ms: f64,
    queue_limit: f64,
) -> (Design, NodeId) {
    let mut d = Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let api = d.add_node(NodeKind::Api, Point::default());
    d.connect(&users, &api).expect("users → api");
    let n = d.node_mut(&api).expect("api");
    n.set_param("size", size).expect("size");
    n.set_param("autoscale", false).expect("autoscale");
    if f64::from(instances) < n.get(api::MIN_INSTANCES) {
        n.set_param("min_instances", f64::from(instances))
            .expect("min");
        n.set_param("max_instances", f64::from(instances))
            .expect("max");
    } else {
        n.set_param("max_instances", f64::from(instances))
            .expect("max");
        n.set_param("min_instances", f64::from(instances))
            .expect("min");
    }
    n.set_param("service_ms", service_ms).expect("service time");
    n.set_param("queue_limit", queue_limit)
        .expect("queue limit");
    n.set_param("timeout_ms", 60_000.0).expect("timeout");
    (d, api)
}

/// A scenario for validating queues: no network time.
pub fn bare(s: Scenario) -> Scenario {
    s.with_override(Override::ZeroNetwork)
}

/// Runs to the end and returns the report.
pub fn run(d: &Design, s: &Scenario, seed: u64) -> Report {
    let mut sim = Sim::new(d, s, seed);
    sim.run_to_end();
    sim.report()
}

/// Relative error.
pub fn rel(got: f64, expected: f64) -> f64 {
    if expected == 0.0 {
        got.abs()
    } else {
        (got / expected - 1.0).abs()
    }
}

/// Asserts and prints one comparison.
pub fn check(case: &str, what: &str, got: f64, expected: f64, tol: f64) {
    let err = rel(got, expected);
    println!(
        "{case:4} {what:30} engine {got:>12.5}  expected {expected:>12.5}  rel.err {:>7.4}%  (tolerance {}%)",
        100.0 * err,
        100.0 * tol
    );
    assert!(
        err <= tol,
        "{case} {what}: engine {got} vs expected {expected} (rel. error {err:e} > {tol:e})"
    );
}

/// Two reports agree: same structure, numbers within `rel` (relative) or
/// 1e-9 (absolute). In a total (an object with `offered`), the counts
/// `served` and `errors` are compared relative to the traffic offered and
/// `error_rate` relative to 1: a handful of errors out of millions of
/// requests is a difference of large sums, whose last bits depend on the
/// order of the additions (a fast path sums in another order than the plain
/// model).
pub fn assert_close(a: &Report, b: &Report, rel: f64) {
    fn walk(
        x: &serde_json::Value,
        y: &serde_json::Value,
        rel: f64,
        floor: f64,
        path: &mut Vec<String>,
    ) {
        use serde_json::Value::*;
        match (x, y) {
            (Number(p), Number(q)) => {
                let (p, q) = (p.as_f64().unwrap_or(0.0), q.as_f64().unwrap_or(0.0));
                let tol = rel * p.abs().max(q.abs()).max(floor) + 1e-9;
                assert!((p - q).abs() <= tol, "{}: {p} vs {q}", path.join("."));
            }
            (Array(p), Array(q)) => {
                assert_eq!(p.len(), q.len(), "{}", path.join("."));
                for (i, (p, q)) in p.iter().zip(q).enumerate() {
                    path.push(i.to_string());
                    walk(p, q, rel, 0.0, path);
                    path.pop();
                }
            }
            (Object(p), Object(q)) => {
                let offered = p.get("offered").and_then(|o| o.as_f64());
                for (k, v) in p {
                    let floor = match (k.as_str(), offered) {
                        ("served" | "errors", Some(offered)) => offered.abs(),
                        ("error_rate", Some(_)) => 1.0,
                        _ => 0.0,
                    };
                    path.push(k.clone());
                    walk(v, &q[k], rel, floor, path);
                    path.pop();
                }
            }
            _ => assert_eq!(x, y, "{}", path.join(".")),
        }
    }
    let x = serde_json::to_value(a).expect("json");
    let y = serde_json::to_value(b).expect("json");
    walk(&x, &y, rel, 0.0, &mut Vec::new());
}

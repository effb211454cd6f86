//! The closed-form cases of `docs/validation.md` (Q1–Q7 and the cache
//! and staleness closed forms), reproduced by running designs through the
//! engine: Users → API with a fixed pool of c workers (min = max instances,
//! autoscaling off), service time 1000/μ ms, no network time
//! (`Override::ZeroNetwork`), a constant Poisson source.
//!
//! Tolerances: analytic quantities (means, probabilities) 0.1 %; quantiles,
//! which the engine reads off its window accumulator, 2 %. Run with
//! `--nocapture` to see every figure.

mod engine;

use design::{NodeKind, Point};
use engine::{bare, check, queue_design, run};
use sim::engine::{Override, Profile, Scenario, Sim};
use sim::mmck::MMcK;

const ANALYTIC: f64 = 1e-3;
const FITTED: f64 = 0.02;

/// Runs Users → API(c = instances × workers) at λ and returns
/// (mean, p50, p95, p99) in ms and the error share.
fn mmc(
    lambda: f64,
    mu: f64,
    instances: u32,
    size: &str,
    workers: Option<u32>,
    scv: Option<f64>,
) -> ([f64; 4], f64) {
    let (d, api) = queue_design(instances, size, 1000.0 / mu, 1_000_000.0);
    let mut s = bare(Scenario::constant(lambda, 120));
    if let Some(w) = workers {
        s = s.with_override(Override::Workers {
            node: api.to_string(),
            workers: w,
        });
    }
    if let Some(scv) = scv {
        s = s.with_override(Override::ServiceScv {
            node: api.to_string(),
            scv,
        });
    }
    let r = run(&d, &s, 1);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let l = r.overall.latency;
    (
        [l.mean_ms, l.p50_ms, l.p95_ms, l.p99_ms],
        r.overall.error_rate,
    )
}

#[test]
fn q1_mm1_through_the_engine() {
    let (lat, err) = mmc(80.0, 100.0, 1, "small", Some(1), None);
    let w = lat[0];
    let wq = w - 10.0;
    check("Q1", "W (ms)", w, 50.00, ANALYTIC);
    check("Q1", "W_q (ms)", wq, 40.00, ANALYTIC);
    check(
        "Q1",
        "rho = λ/μ (from L_q = ρ²/(1−ρ))",
        80.0 * wq / 1000.0,
        3.2,
        ANALYTIC,
    );
    check("Q1", "T p50 (ms)", lat[1], 34.66, FITTED);
    check("Q1", "T p95 (ms)", lat[2], 149.8, FITTED);
    check("Q1", "T p99 (ms)", lat[3], 230.3, FITTED);
    assert_eq!(err, 0.0);
}

#[test]
fn q2_mm4_through_the_engine() {
    // One medium instance: 4 workers.
    let (lat, _) = mmc(300.0, 100.0, 1, "medium", None, None);
    let wq = lat[0] - 10.0;
    check("Q2", "W (ms)", lat[0], 15.09, 5e-4 + ANALYTIC);
    check("Q2", "W_q (ms)", wq, 5.094, ANALYTIC);
    check(
        "Q2",
        "C = W_q·θ",
        wq / 1000.0 * (400.0 - 300.0),
        0.5094,
        ANALYTIC,
    );
    check("Q2", "L_q = λ·W_q", 300.0 * wq / 1000.0, 1.528, ANALYTIC);
    check("Q2", "T p50 (ms)", lat[1], 11.56, FITTED);
    check("Q2", "T p95 (ms)", lat[2], 41.28, FITTED);
    check("Q2", "T p99 (ms)", lat[3], 60.06, FITTED);
}

#[test]
fn q3_mm20_through_the_engine() {
    // Five medium instances: 20 workers in one pool (M/M/20, not M/M/1 at 20μ).
    let (lat, _) = mmc(1800.0, 100.0, 5, "medium", None, None);
    let wq = lat[0] - 10.0;
    check("Q3", "W (ms)", lat[0], 12.75, 5e-4 + ANALYTIC);
    check("Q3", "W_q (ms)", wq, 2.754, ANALYTIC);
    check(
        "Q3",
        "C = W_q·θ",
        wq / 1000.0 * (2000.0 - 1800.0),
        0.5508,
        ANALYTIC,
    );
    check("Q3", "T p50 (ms)", lat[1], 9.904, FITTED);
    check("Q3", "T p95 (ms)", lat[2], 34.23, FITTED);
    check("Q3", "T p99 (ms)", lat[3], 50.42, FITTED);
}

#[test]
fn q4_md1_through_the_engine() {
    let (lat, _) = mmc(80.0, 100.0, 1, "small", Some(1), Some(0.0));
    let wq = lat[0] - 10.0;
    check("Q4", "W_q (ms)", wq, 20.00, ANALYTIC);
    check("Q4", "W (ms)", lat[0], 30.00, ANALYTIC);
    check("Q4", "L_q", 80.0 * wq / 1000.0, 1.600, ANALYTIC);
}

#[test]
fn q5_mg1_through_the_engine() {
    let (lat, _) = mmc(80.0, 100.0, 1, "small", Some(1), Some(4.0));
    check("Q5", "W_q (ms)", lat[0] - 10.0, 100.0, ANALYTIC);
    check("Q5", "W (ms)", lat[0], 110.0, ANALYTIC);
}

#[test]
fn q6_erlang_b_and_c_through_the_engine() {
    // c = 10 (five small instances), μ = 10/s, λ = 80/s: a = 8.
    // Erlang B: no waiting room, so the blocked share is B.
    let (d, _) = queue_design(5, "small", 100.0, 0.0);
    let r = run(&d, &bare(Scenario::constant(80.0, 60)), 1);
    check(
        "Q6",
        "B (blocked share, no queue)",
        r.overall.error_rate,
        0.1217,
        0.1217e-3 / 0.1217 * 3.0,
    );
    // Erlang C from the mean wait with an unlimited queue: C = W_q·θ.
    let (lat, _) = mmc(80.0, 10.0, 5, "small", None, None);
    let c = (lat[0] - 100.0) / 1000.0 * (100.0 - 80.0);
    check("Q6", "C = W_q·θ", c, 0.4092, ANALYTIC);
}

#[test]
fn q7_fluid_backlog_through_the_engine() {
    // Capacity 1000/s: 10 workers (five small instances) at 10 ms.
    let profile = Profile::starting_at(1200.0)
        .step_to(30.0, 1200.0)
        .step_to(90.0, 800.0);
    for (limit, name) in [(1_000_000.0, "unbounded"), (2000.0, "Q_max = 2000")] {
        let (d, api) = queue_design(5, "small", 10.0, limit);
        let s = bare(Scenario::new(90).profile(profile.clone()));
        let mut sim = Sim::new(&d, &s, 1);
        let i = sim
            .report()
            .nodes
            .iter()
            .position(|n| n.id == api.as_str())
            .expect("api node");
        let mut backlog = Vec::new();
        let mut dropped = 0.0;
        while !sim.is_done() {
            let sample = sim.step();
            backlog.push(sample.nodes[i].backlog);
            dropped += sample.nodes[i].errors;
        }
        let peak = backlog.iter().copied().fold(0.0, f64::max);
        let peak_at = backlog.iter().position(|&b| b == peak).unwrap_or(0) + 1;
        let drained_at = (30..backlog.len())
            .find(|&k| backlog[k] == 0.0)
            .map(|k| k + 1);
        if limit > 1e5 {
            check(
                "Q7",
                &format!("{name}: peak backlog"),
                peak,
                6000.0,
                ANALYTIC,
            );
            check(
                "Q7",
                &format!("{name}: peak at (s)"),
                peak_at as f64,
                30.0,
                ANALYTIC,
            );
            check(
                "Q7",
                &format!("{name}: delay at peak (s)"),
                peak / 1000.0,
                6.0,
                ANALYTIC,
            );
            check(
                "Q7",
                &format!("{name}: drained at (s)"),
                drained_at.unwrap_or(0) as f64,
                60.0,
                ANALYTIC,
            );
            // Nothing refused; the ticks around the drain have a wait with
            // an exponential tail, of which ~1e-11 requests pass the 60 s
            // timeout.
            assert!(dropped < 1e-6, "{dropped}");
        } else {
            // A limit that fills before the timeout: once the fluid has
            // filled to it, the queue is the M/M/10/2000 steady state,
            // whose backlog is its mean number waiting L_q (≈ 1,995) and
            // which refuses λ·P_B = 200/s. Over the surge 36,000 arrive,
            // 30,000 are served and L_q wait: 6,000 − L_q are refused.
            let lq = MMcK::new(1200.0, 100.0, 10, 2000)
                .solve()
                .expect("solves")
                .mean_queue_length();
            check(
                "Q7",
                &format!("{name}: dropped"),
                dropped,
                6000.0 - lq,
                ANALYTIC,
            );
            check(
                "Q7",
                &format!("{name}: drained at (s)"),
                drained_at.unwrap_or(0) as f64,
                40.0,
                ANALYTIC,
            );
            check("Q7", &format!("{name}: peak backlog"), peak, lq, ANALYTIC);
        }
    }
}

#[test]
fn cache_hit_ratio_through_the_engine() {
    // Users → API → cache (TTL 60 s) → replica, 10 reads/s: hit ratio
    // λT/(1 + λT) = 0.99834.
    let mut d = design::Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let api = d.add_node(NodeKind::Api, Point::default());
    let cache = d.add_node(NodeKind::Cache, Point::default());
    let replica = d.add_node(NodeKind::ReadReplica, Point::default());
    d.connect(&users, &api).unwrap();
    d.connect(&api, &cache).unwrap();
    d.connect(&cache, &replica).unwrap();
    d.node_mut(&cache)
        .unwrap()
        .set_param("ttl_s", 60.0)
        .unwrap();
    let r = run(&d, &Scenario::constant(10.0, 60_100), 1);
    let c = &r.node(cache.as_str()).unwrap().summary;
    let misses = r.node(replica.as_str()).unwrap().summary.offered;
    let hit = 1.0 - misses / c.served;
    check("C1", "TTL cache hit ratio", hit, 600.0 / 601.0, ANALYTIC);
}

#[test]
fn cdn_stale_share_without_purge_through_the_engine() {
    // Users → CDN (TTL 60 s, no purge) → API → primary; operator → API
    // (an update commits only at a primary). Updates every
    // 5–15 min (mean U = 600 s): stale share ≈ T/(2U) = 0.05; a reader's
    // copy is at most T (plus a refetch) old.
    let mut d = design::Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let op = d.add_node(NodeKind::Operator, Point::default());
    let cdn = d.add_node(NodeKind::Cdn, Point::default());
    let api = d.add_node(NodeKind::Api, Point::default());
    let db = d.add_node(NodeKind::DbPrimary, Point::default());
    d.connect(&users, &cdn).unwrap();
    d.connect(&cdn, &api).unwrap();
    d.connect(&op, &api).unwrap();
    d.connect(&api, &db).unwrap();
    let seconds = 200_000;
    let updates = Scenario::seeded_updates(300.0, 300.0, 900.0, f64::from(seconds), 11);
    let mean_gap = (updates.last().unwrap() - updates[0]) / (updates.len() - 1) as f64;
    let s = Scenario::constant(2000.0, seconds).updates_at(updates);
    let r = run(&d, &s, 3);
    let share = r.overall.staleness.stale_share;
    let expected = 60.0 / (2.0 * mean_gap);
    // Within 8 %: T/(2U) is the continuous-time figure; at a 1 s tick a PoP
    // that refetches in the very tick an update commits still gets the old
    // copy (its origin's version is learnt at the end of the tick), which
    // happens about once in T per update and adds ≈ 1/U to the share.
    check("C2", "stale share without purge", share, expected, 0.08);
    let max_stale = r
        .nodes
        .iter()
        .find(|n| n.id == cdn.as_str())
        .unwrap()
        .summary
        .staleness;
    assert!(max_stale.p95_s <= 62.0, "{max_stale:?}");
    assert!(r.overall.staleness.mean_s > 0.0);
}

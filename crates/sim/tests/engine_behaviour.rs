//! The engine's behaviours on whole designs: the status-dashboard kata's
//! run on the reference and starter designs, CDN freshness and serving
//! stale, database failover and replica lag, autoscaling, serverless cold
//! starts, cost, and the step → report API.

mod engine;

use design::{Design, NodeKind, Point};
use engine::{reference, run};
use sim::engine::{EventKind, Fault, Profile, Scenario, Sim, Target};

fn kata_run(seed: u64) -> Scenario {
    let kata = sim::kata::load("status-dashboard").expect("kata");
    kata.run
        .expect("run section")
        .scenario(seed)
        .expect("scenario")
}

#[test]
fn reference_design_handles_the_incident() {
    let r = run(&reference(), &kata_run(1), 1);
    let incident = r.window("incident").expect("incident window");
    println!(
        "reference: p95 {:.1} ms, errors {:.4}%, staleness p95 {:.1} s, reach p95 {:.0} s, run ${:.2}, always-on ${:.0}/month",
        incident.external.latency.p95_ms,
        100.0 * incident.external.error_rate,
        incident.external.staleness.p95_s,
        r.freshness.reach_p95_s,
        r.cost.run_usd,
        r.cost.always_on_monthly_usd
    );
    assert!(incident.external.offered > 1e7, "tens of millions of reads");
    assert!(incident.external.latency.p95_ms <= 80.0);
    assert!(incident.external.error_rate <= 0.001);
    assert!(incident.external.staleness.p95_s <= 60.0);
    assert_eq!(r.external_reads_at_primary, 0.0);
    assert_eq!(r.ticks_with_external_reads_at_primary, 0);
    assert!(!r.freshness.updates.is_empty());
    assert!(
        r.freshness.updates.iter().all(|u| u.committed_s.is_some()),
        "{:?}",
        r.freshness.updates
    );
    assert!(r.writes.latency.p95_ms > 0.0 && r.writes.latency.p95_ms <= 150.0);
    assert!(r
        .events
        .iter()
        .any(|e| e.kind == EventKind::UpdateCommitted && e.detail.contains("purged")));
    // Deterministic with noise on.
    assert_eq!(
        r.fingerprint(),
        run(&reference(), &kata_run(1), 1).fingerprint()
    );
    assert_ne!(
        r.fingerprint(),
        run(&reference(), &kata_run(2), 2).fingerprint()
    );
}

#[test]
fn starter_design_sends_reads_to_the_primary_and_fails() {
    let kata = sim::kata::load("status-dashboard").unwrap();
    let r = run(&kata.starter, &kata_run(1), 1);
    assert!(r.external_reads_at_primary > 1e6);
    assert!(r.ticks_with_external_reads_at_primary > 3000);
    assert!(r.overall.error_rate > 0.5);
    let api = r.nodes.iter().find(|n| n.kind == NodeKind::Api).unwrap();
    assert!(api.summary.saturated_max_s > 30.0);
}

/// Users → CDN → API → primary; operator → API (an update commits only
/// at a primary).
fn cdn_design(ttl: f64, purge: bool, swr: f64, sie: f64) -> Design {
    let mut d = Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let op = d.add_node(NodeKind::Operator, Point::default());
    let cdn = d.add_node(NodeKind::Cdn, Point::default());
    let api = d.add_node(NodeKind::Api, Point::default());
    let db = d.add_node(NodeKind::DbPrimary, Point::default());
    d.connect(&users, &cdn).unwrap();
    d.connect(&cdn, &api).unwrap();
    d.connect(&op, &api).unwrap();
    d.connect(&api, &db).unwrap();
    let n = d.node_mut(&cdn).unwrap();
    n.set_param("ttl_s", ttl).unwrap();
    n.set_param("purge_on_update", purge).unwrap();
    n.set_param("swr_s", swr).unwrap();
    n.set_param("sie_s", sie).unwrap();
    d
}

#[test]
fn long_ttl_without_purge_is_stale_and_purge_fixes_it() {
    let s = Scenario::constant(5000.0, 3600).updates_at(vec![360.0, 1200.0, 2000.0, 2900.0]);
    let stale = run(&cdn_design(3600.0, false, 0.0, 0.0), &s, 1);
    let fresh = run(&cdn_design(3600.0, true, 0.0, 0.0), &s, 1);
    println!(
        "TTL 1 h: staleness p95 {:.0} s without purge, {:.1} s with",
        stale.overall.staleness.p95_s, fresh.overall.staleness.p95_s
    );
    assert!(stale.overall.staleness.p95_s > 600.0);
    assert!(fresh.overall.staleness.p95_s <= 5.0);
    assert!(fresh.freshness.reach_max_s <= 5.0, "{:?}", fresh.freshness);
    // The purge is a synchronised burst at the origin: one fetch per PoP.
    let api = fresh
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Api)
        .unwrap();
    assert!(
        api.summary.offered >= 4.0 * 40.0 * 0.9,
        "{}",
        api.summary.offered
    );
}

#[test]
fn stale_if_error_rides_out_an_origin_outage() {
    let s = Scenario::constant(5000.0, 900).fault(Fault::outage(300.0, Target::CdnOrigins, 300.0));
    let without = run(&cdn_design(30.0, false, 0.0, 0.0), &s, 1);
    let with = run(&cdn_design(30.0, false, 30.0, 3600.0), &s, 1);
    println!(
        "origin outage: errors {:.3}% without stale-if-error, {:.4}% with (p95 {:.1} ms)",
        100.0 * without.overall.error_rate,
        100.0 * with.overall.error_rate,
        with.overall.latency.p95_ms
    );
    assert!(without.overall.error_rate > 0.2);
    assert!(with.overall.error_rate < 0.001);
    assert!(with.overall.latency.p95_ms < 80.0);
    assert!(with.events.iter().any(|e| e.kind == EventKind::FaultEnded));
}

/// Staff → API → primary (read your writes) and → replica for users.
fn db_design(multi_az: bool) -> Design {
    let mut d = Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let staff = d.add_node(NodeKind::InternalUsers, Point::default());
    let op = d.add_node(NodeKind::Operator, Point::default());
    let api = d.add_node(NodeKind::Api, Point::default());
    let db = d.add_node(NodeKind::DbPrimary, Point::default());
    let replica = d.add_node(NodeKind::ReadReplica, Point::default());
    d.connect(&users, &api).unwrap();
    d.connect(&staff, &api).unwrap();
    d.connect(&op, &api).unwrap();
    d.connect(&api, &db).unwrap();
    d.connect(&api, &replica).unwrap();
    d.connect(&db, &replica).unwrap();
    d.node_mut(&db)
        .unwrap()
        .set_param("multi_az", multi_az)
        .unwrap();
    d
}

#[test]
fn failover_windows_and_read_your_writes() {
    let s = Scenario::constant(200.0, 1800)
        .internal_rps(5.0)
        .updates_at(vec![100.0, 700.0])
        .fault(Fault::primary_failover(600.0));
    let multi = run(&db_design(true), &s, 1);
    let single = run(&db_design(false), &s, 1);
    let ended = |r: &sim::engine::Report| {
        r.events
            .iter()
            .find(|e| e.kind == EventKind::FaultEnded)
            .map(|e| e.t_s)
    };
    assert_eq!(ended(&multi), Some(690.0));
    assert_eq!(ended(&single), Some(1500.0));
    // Staff reads hit the primary: they fail during failover…
    assert!(multi.internal.errors > 0.0 && multi.internal.errors < single.internal.errors);
    // …and the update posted during failover commits after it, on retry.
    let late = &multi.freshness.updates[1];
    assert!(
        late.committed_s.unwrap() >= 690.0 && late.committed_s.unwrap() < 710.0,
        "{late:?}"
    );
    let late = &single.freshness.updates[1];
    assert!(late.committed_s.unwrap() >= 1500.0, "{late:?}");
    // External reads go to the replica: untouched by the failover.
    assert_eq!(multi.overall.errors, 0.0);
    assert_eq!(multi.external_reads_at_primary, 0.0);
    // Internal reads read their writes: never stale.
    assert_eq!(multi.internal.staleness.stale_share, 0.0);
}

/// A fault's events carry the fault as data: its kind, the nodes it hits,
/// its start and how long until they are back (the failover time with
/// Multi-AZ, the recovery without), the same at its start and its end.
#[test]
fn fault_events_carry_the_fault_as_data() {
    let s = Scenario::constant(200.0, 1800)
        .fault(Fault::primary_failover(600.0))
        .fault(Fault::outage(60.0, Target::Node("replica1".into()), 30.0))
        .fault(Fault::replica_lag_spike(120.0, 5.0));
    for (multi_az, lasts) in [(true, 90.0), (false, 900.0)] {
        let r = run(&db_design(multi_az), &s, 1);
        let faults: Vec<_> = r
            .events
            .iter()
            .filter_map(|e| Some((e.kind, e.t_s, e.fault.as_ref()?)))
            .collect();
        let failover: Vec<_> = faults.iter().filter(|f| f.2.index == 0).collect();
        assert_eq!(failover.len(), 2, "{faults:?}");
        for (kind, t, f) in &failover {
            assert_eq!(f.kind, Fault::primary_failover(0.0).kind);
            assert_eq!(f.nodes, vec!["db1".to_string()]);
            assert_eq!((f.start_s, f.duration_s), (600.0, lasts));
            match kind {
                EventKind::FaultStarted => assert_eq!(*t, 600.0),
                EventKind::FaultEnded => assert_eq!(*t, 600.0 + lasts),
                other => panic!("{other:?}"),
            }
        }
        let outage = faults.iter().find(|f| f.2.index == 1).expect("the outage");
        assert_eq!(outage.2.kind.node(), Some("replica1"));
        assert_eq!(outage.2.nodes, vec!["replica1".to_string()]);
        assert_eq!((outage.2.start_s, outage.2.duration_s), (60.0, 30.0));
        let spike: Vec<_> = faults.iter().filter(|f| f.2.index == 2).collect();
        assert_eq!(spike.len(), 1, "a lag spike has no end event");
        assert_eq!(spike[0].2.duration_s, 0.0);
        // The words are for display, and say the same.
        for e in r.events.iter().filter(|e| e.fault.is_some()) {
            let f = e.fault.as_ref().expect("filtered");
            assert!(e.detail.starts_with(&f.kind.name()), "{}", e.detail);
        }
    }
}

#[test]
fn replica_lag_spike_makes_external_reads_stale() {
    let s = Scenario::constant(200.0, 600)
        .updates_at(vec![100.0, 300.0])
        .fault(Fault::replica_lag_spike(290.0, 120.0));
    let r = run(&db_design(true), &s, 1);
    // Lag 120 s at t = 290, recovering at 1 s/s (dL/dt = w/a − 1 with no
    // writes): the replica shows the update posted at 300 once
    // t − L(t) ≥ 300, i.e. t − (120 − (t − 290)) ≥ 300 ⇒ t ≥ 355.
    let u = &r.freshness.updates[1];
    let reach = u.reached_after_s.unwrap();
    assert!((54.0..=58.0).contains(&reach), "{u:?}");
    assert!(r.freshness.updates[0].reached_after_s.unwrap() <= 2.0);
}

#[test]
fn autoscaling_adds_instances_after_three_minutes_and_a_boot() {
    let mut d = Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let api = d.add_node(NodeKind::Api, Point::default());
    d.connect(&users, &api).unwrap();
    // 2 medium instances: 800/s; 1000/s offered.
    let s = Scenario::new(1800).profile(Profile::constant(1000.0));
    let r = run(&d, &s, 1);
    let out = r
        .events
        .iter()
        .find(|e| e.kind == EventKind::ScaledOut)
        .expect("scaled out");
    assert_eq!(out.t_s, 180.0);
    let ready = r
        .events
        .iter()
        .find(|e| e.kind == EventKind::InstancesReady)
        .expect("booted");
    assert_eq!(ready.t_s, 270.0);
    let a = &r.node(api.as_str()).unwrap().summary;
    assert!(a.instances_end > 2.0);
    assert!(a.errors > 0.0);
    // Load gone: scale in after 15 quiet minutes.
    let s = Scenario::new(3600).profile(
        Profile::starting_at(1000.0)
            .hold(600.0)
            .step_to(3600.0, 10.0),
    );
    let r = run(&d, &s, 1);
    assert!(r.events.iter().any(|e| e.kind == EventKind::ScaledIn));
}

#[test]
fn serverless_cold_starts_then_warm() {
    let mut d = Design::default();
    let users = d.add_node(NodeKind::Users, Point::default());
    let f = d.add_node(NodeKind::Serverless, Point::default());
    d.connect(&users, &f).unwrap();
    let s = Scenario::new(600).profile(
        Profile::starting_at(50.0)
            .hold(300.0)
            .step_to(600.0, 20_000.0),
    );
    let mut sim = Sim::new(&d, &s, 1);
    let first = sim.step().nodes[1].mean_ms;
    for _ in 0..100 {
        sim.step();
    }
    let warm = sim.sample().nodes[1].mean_ms;
    // 50/s at 10 ms: ≈ 2.6 copies start cold, 5 % of the first tick's calls
    // pay 300 ms.
    assert!(first > warm + 10.0, "cold {first} ms, warm {warm} ms");
    sim.run_to_end();
    let r = sim.report();
    // The jump to 20,000/s needs 200 copies at 10 ms: the ramp (100 per
    // second) covers it within seconds, with some throttling first.
    let fnr = &r.node(f.as_str()).unwrap().summary;
    assert!(fnr.instances_max >= 200.0);
    assert!(fnr.errors > 0.0 && fnr.error_rate < 0.01);
}

#[test]
fn cost_always_on_and_per_request() {
    let r = run(&reference(), &kata_run(1), 1);
    assert!(r.cost.run_usd > 0.0 && r.cost.always_on_monthly_usd > 0.0);
    assert!(!r.cost.price_date.is_empty());
    let cdn = r.nodes.iter().find(|n| n.kind == NodeKind::Cdn).unwrap();
    assert!(
        cdn.summary.cost_usd > 0.5 * r.cost.run_usd,
        "CDN traffic dominates the incident's cost"
    );
    // A fleet sized for the peak costs more every month.
    let mut peak = reference();
    let api = peak.node_mut(&"api".into()).unwrap();
    api.set_param("size", "xlarge").unwrap();
    api.set_param("max_instances", 40.0).unwrap();
    api.set_param("min_instances", 40.0).unwrap();
    let p = run(&peak, &kata_run(1), 1);
    assert!(p.cost.always_on_monthly_usd > 5.0 * r.cost.always_on_monthly_usd);
}

#[test]
fn step_api_and_reports_mid_run() {
    let d = reference();
    let s = kata_run(3);
    let mut sim = Sim::new(&d, &s, 3);
    assert!(sim.diagnostics().is_empty(), "{:?}", sim.diagnostics());
    for t in 0..600 {
        let sample = sim.step();
        assert_eq!(sample.t, t);
        assert_eq!(sample.nodes.len(), d.nodes.len());
        assert_eq!(sample.external_reads_at_primary, 0.0);
    }
    let mid = sim.report();
    assert_eq!(mid.duration_s, 600);
    sim.run_to_end();
    assert!(sim.is_done());
    let last = sim.sample().clone();
    assert_eq!(sim.step(), &last, "stepping past the end changes nothing");
    let end = sim.report();
    assert_eq!(end.duration_s, 3600);
    assert_eq!(end.series.t_s.len(), 360);
    assert_eq!(end.series.nodes.len(), d.nodes.len());
    // Reporting mid-run does not change the final report.
    let mut again = Sim::new(&d, &s, 3);
    again.run_to_end();
    assert_eq!(again.report().fingerprint(), end.fingerprint());
}

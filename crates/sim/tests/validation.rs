//! The closed-form validation cases of `docs/validation.md` (Q1–Q7 and
//! the cache closed forms), reproduced through the engine's modules.
//!
//! Tolerances (from docs/validation.md): analytic quantities 0.1 % relative,
//! anything obtained by fitting or sampling 2 %. Run with `--nocapture` to see
//! the engine's figure next to the expected one for every case.

use sim::fluid::FluidQueue;
use sim::histogram::LatencyHistogram;
use sim::latency::{Distribution, LogNormal, Mixture, Moments};
use sim::queueing::{
    erlang_b, erlang_c, stale_share_without_purge, ttl_hit_ratio, ttl_origin_rate, MMc,
    MMcSolution, MG1,
};
use sim::rng::SimRng;

const ANALYTIC: f64 = 1e-3;
const FITTED: f64 = 0.02;

/// Asserts `got` is within `rel` of `expected` and prints the comparison.
fn check(case: &str, what: &str, got: f64, expected: f64, rel: f64) {
    let err = if expected == 0.0 {
        got.abs()
    } else {
        (got / expected - 1.0).abs()
    };
    println!(
        "{case:4} {what:28} engine {got:>14.6}  expected {expected:>14.6}  rel.err {:>8.4}%",
        100.0 * err
    );
    assert!(
        err <= rel,
        "{case} {what}: engine {got} vs expected {expected} (rel. error {err:e} > {rel:e})"
    );
}

fn ms(x: f64) -> f64 {
    1e3 * x
}

fn solve(lambda: f64, mu: f64, c: u32) -> MMcSolution {
    MMc::new(lambda, mu, c).solve().expect("stable queue")
}

#[test]
fn q1_mm1() {
    let q = solve(80.0, 100.0, 1);
    check("Q1", "rho", q.utilisation(), 0.8, ANALYTIC);
    check("Q1", "W (ms)", ms(q.mean_time()), 50.00, ANALYTIC);
    check("Q1", "W_q (ms)", ms(q.mean_wait()), 40.00, ANALYTIC);
    check(
        "Q1",
        "T p50 (ms)",
        ms(q.time_quantile(0.50)),
        34.66,
        ANALYTIC,
    );
    check(
        "Q1",
        "T p95 (ms)",
        ms(q.time_quantile(0.95)),
        149.8,
        ANALYTIC,
    );
    check(
        "Q1",
        "T p99 (ms)",
        ms(q.time_quantile(0.99)),
        230.3,
        ANALYTIC,
    );
    check(
        "Q1",
        "W_q p95 (ms)",
        ms(q.wait_quantile(0.95)),
        138.6,
        ANALYTIC,
    );
    // M/M/1: T ~ Exp(μ − λ), so T_p = −ln(1 − p)/(μ − λ) exactly.
    for p in [0.5, 0.95, 0.99, 0.999] {
        let exact = -libm::log(1.0 - p) / 20.0;
        assert!((q.time_quantile(p) / exact - 1.0).abs() < 1e-10, "p={p}");
    }
    // Var T = 1/(μ − λ)² for M/M/1.
    check("Q1", "Var T (ms^2)", 1e6 * q.time_variance(), 2500.0, 1e-12);
}

#[test]
fn q2_mm4() {
    let q = solve(300.0, 100.0, 4);
    check("Q2", "C", q.wait_probability(), 0.5094, ANALYTIC);
    check("Q2", "W_q (ms)", ms(q.mean_wait()), 5.094, ANALYTIC);
    check("Q2", "W (ms)", ms(q.mean_time()), 15.09, ANALYTIC);
    check("Q2", "L_q", q.mean_queue_length(), 1.528, ANALYTIC);
    check(
        "Q2",
        "W_q p95 (ms)",
        ms(q.wait_quantile(0.95)),
        23.21,
        ANALYTIC,
    );
    check(
        "Q2",
        "T p50 (ms)",
        ms(q.time_quantile(0.50)),
        11.56,
        ANALYTIC,
    );
    check(
        "Q2",
        "T p95 (ms)",
        ms(q.time_quantile(0.95)),
        41.28,
        ANALYTIC,
    );
    check(
        "Q2",
        "T p99 (ms)",
        ms(q.time_quantile(0.99)),
        60.06,
        ANALYTIC,
    );
}

#[test]
fn q3_mm20() {
    let q = solve(1800.0, 100.0, 20);
    check("Q3", "C", q.wait_probability(), 0.5508, ANALYTIC);
    check("Q3", "W_q (ms)", ms(q.mean_wait()), 2.754, ANALYTIC);
    check("Q3", "W (ms)", ms(q.mean_time()), 12.75, ANALYTIC);
    check(
        "Q3",
        "W_q p95 (ms)",
        ms(q.wait_quantile(0.95)),
        12.00,
        ANALYTIC,
    );
    check(
        "Q3",
        "T p50 (ms)",
        ms(q.time_quantile(0.50)),
        9.904,
        ANALYTIC,
    );
    check(
        "Q3",
        "T p95 (ms)",
        ms(q.time_quantile(0.95)),
        34.23,
        ANALYTIC,
    );
    check(
        "Q3",
        "T p99 (ms)",
        ms(q.time_quantile(0.99)),
        50.42,
        ANALYTIC,
    );
}

#[test]
fn q4_md1() {
    let q = MG1::new(80.0, 0.010, 0.0);
    check(
        "Q4",
        "W_q (ms)",
        ms(q.mean_wait().unwrap()),
        20.00,
        ANALYTIC,
    );
    check("Q4", "W (ms)", ms(q.mean_time().unwrap()), 30.00, ANALYTIC);
    check("Q4", "L_q", q.mean_queue_length().unwrap(), 1.600, ANALYTIC);
}

#[test]
fn q5_mg1() {
    let q = MG1::new(80.0, 0.010, 4.0);
    check(
        "Q5",
        "W_q (ms)",
        ms(q.mean_wait().unwrap()),
        100.0,
        ANALYTIC,
    );
    check("Q5", "W (ms)", ms(q.mean_time().unwrap()), 110.0, ANALYTIC);
    // P–K with C_s² = 1 is M/M/1.
    let mm1 = MG1::new(80.0, 0.010, 1.0).mean_wait().unwrap();
    assert!((mm1 - solve(80.0, 100.0, 1).mean_wait()).abs() < 1e-15);
}

#[test]
fn q6_erlang() {
    check("Q6", "Erlang B", erlang_b(10, 8.0), 0.1217, ANALYTIC);
    check(
        "Q6",
        "Erlang C",
        erlang_c(10, 8.0).unwrap(),
        0.4092,
        ANALYTIC,
    );
}

#[test]
fn q7_fluid() {
    let capacity = 1000.0;
    let rate = |t: usize| if t < 30 { 1200.0 } else { 800.0 };

    // Unbounded backlog: peaks at 6000 at t = 30 s, drains at t = 60 s.
    let mut q = FluidQueue::new(f64::INFINITY);
    let mut peak = (0.0, 0);
    let mut drained_at = None;
    for t in 0..120 {
        let s = q.step(rate(t), capacity, 1.0);
        if s.backlog > peak.0 {
            peak = (s.backlog, t + 1);
        }
        if t >= 30 && s.backlog == 0.0 && drained_at.is_none() {
            drained_at = Some(t + 1);
        }
        if t + 1 == 30 {
            check("Q7", "delay at t=30 s (s)", s.delay, 6.000, ANALYTIC);
        }
    }
    check("Q7", "peak backlog", peak.0, 6000.0, ANALYTIC);
    check("Q7", "peak at (s)", peak.1 as f64, 30.0, 0.0);
    check(
        "Q7",
        "drained at (s)",
        drained_at.unwrap() as f64,
        60.0,
        0.0,
    );

    // Q_max = 2000: 200/s dropped for 20 s, drained 10 s after the surge.
    let mut q = FluidQueue::new(2000.0);
    let (mut dropped, mut arrivals, mut served) = (0.0, 0.0, 0.0);
    let mut drained_at = None;
    for t in 0..120 {
        let s = q.step(rate(t), capacity, 1.0);
        dropped += s.dropped;
        arrivals += s.arrivals;
        served += s.served;
        if t >= 30 && s.backlog == 0.0 && drained_at.is_none() {
            drained_at = Some(t + 1);
        }
    }
    check("Q7", "dropped (Q_max 2000)", dropped, 4000.0, ANALYTIC);
    check(
        "Q7",
        "drained after surge (s)",
        drained_at.unwrap() as f64 - 30.0,
        10.0,
        0.0,
    );
    assert!((arrivals - served - dropped - q.backlog()).abs() < 1e-9);
}

#[test]
fn cache_closed_forms() {
    check(
        "C1",
        "TTL hit ratio",
        ttl_hit_ratio(10.0, 60.0),
        0.99834,
        ANALYTIC,
    );
    check(
        "C1",
        "origin requests/s",
        ttl_origin_rate(10.0, 60.0),
        10.0 / 601.0,
        ANALYTIC,
    );
    check(
        "C2",
        "stale share T=60 U=600",
        stale_share_without_purge(60.0, 600.0),
        60.0 / 1200.0,
        ANALYTIC,
    );
}

fn sample_quantile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// Draws a time in system of a stable M/M/c queue: S + (Exp(θ) w.p. C).
fn sample_sojourn(rng: &mut SimRng, q: &MMcSolution) -> f64 {
    let mu = q.queue().mu;
    let wait = if rng.chance(q.wait_probability()) {
        rng.exponential(q.theta())
    } else {
        0.0
    };
    wait + rng.exponential(mu)
}

#[test]
fn sampled_sojourn_moments_and_quantiles() {
    // The engine's sojourn moments (mean and the derived variance) and exact
    // quantiles against 300 000 seeded samples of T = S + W_q.
    for (case, lambda, mu, c) in [
        ("Q1", 80.0, 100.0, 1),
        ("Q2", 300.0, 100.0, 4),
        ("Q3", 1800.0, 100.0, 20),
    ] {
        let q = solve(lambda, mu, c);
        let mut rng = SimRng::new(2024);
        let mut x: Vec<f64> = (0..300_000).map(|_| sample_sojourn(&mut rng, &q)).collect();
        let (m, v) = mean_var(&x);
        x.sort_by(f64::total_cmp);
        let name = format!("{case}s");
        check(
            &name,
            "sampled mean T (ms)",
            ms(m),
            ms(q.mean_time()),
            FITTED,
        );
        check(
            &name,
            "sampled Var T (ms^2)",
            1e6 * v,
            1e6 * q.time_variance(),
            FITTED,
        );
        for p in [0.5, 0.95, 0.99] {
            check(
                &name,
                &format!("sampled T p{} (ms)", (p * 100.0) as u32),
                ms(sample_quantile(&x, p)),
                ms(q.time_quantile(p)),
                FITTED,
            );
        }
    }
}

#[test]
fn sampled_rng_distributions() {
    let mut rng = SimRng::new(7);
    for mean in [4.0, 2500.0] {
        let x: Vec<f64> = (0..100_000).map(|_| rng.poisson(mean) as f64).collect();
        let (m, v) = mean_var(&x);
        check("R1", &format!("Poisson({mean}) mean"), m, mean, FITTED);
        check("R1", &format!("Poisson({mean}) var"), v, mean, FITTED);
    }
    let x: Vec<f64> = (0..100_000).map(|_| rng.exponential(50.0)).collect();
    let (m, v) = mean_var(&x);
    check("R2", "Exp(50) mean (ms)", ms(m), 20.0, FITTED);
    check("R2", "Exp(50) var (ms^2)", 1e6 * v, 400.0, FITTED);
    let mut x: Vec<f64> = (0..100_000)
        .map(|_| rng.lognormal(libm::log(0.020), 0.5))
        .collect();
    x.sort_by(f64::total_cmp);
    let l = LogNormal::from_median(0.020, 0.5);
    check(
        "R3",
        "lognormal p50 (ms)",
        ms(sample_quantile(&x, 0.5)),
        20.0,
        FITTED,
    );
    check(
        "R3",
        "lognormal p95 (ms)",
        ms(sample_quantile(&x, 0.95)),
        ms(l.quantile(0.95)),
        FITTED,
    );
}

#[test]
fn fitted_hop_lognormal() {
    // Client↔edge default hop: lognormal, median 20 ms, σ 0.5. Its moments,
    // refitted, give back the same quantiles.
    let hop = Moments::lognormal(0.020, 0.5);
    let d = Distribution::fit(hop);
    check("F1", "fitted p50 (ms)", ms(d.quantile(0.50)), 20.00, FITTED);
    check("F1", "fitted p95 (ms)", ms(d.quantile(0.95)), 45.52, FITTED);
    check("F1", "fitted p99 (ms)", ms(d.quantile(0.99)), 64.00, FITTED);
}

#[test]
fn fitted_path_against_sampled_path() {
    // A kata-like read path: client↔edge (lognormal 20 ms, σ 0.5), edge↔origin
    // (lognormal 40 ms, σ 0.3), load balancer 1 ms, API service as M/M/20 at
    // Q3's load. Hop moments added, one lognormal fitted; compared with
    // 300 000 samples of the actual sum.
    let q = solve(1800.0, 100.0, 20);
    let path = Moments::lognormal(0.020, 0.5)
        + Moments::lognormal(0.040, 0.3)
        + Moments::constant(0.001)
        + q.time_moments();
    let fitted = Distribution::fit(path);
    let mut rng = SimRng::new(99);
    let mut x: Vec<f64> = (0..300_000)
        .map(|_| {
            rng.lognormal(libm::log(0.020), 0.5)
                + rng.lognormal(libm::log(0.040), 0.3)
                + 0.001
                + sample_sojourn(&mut rng, &q)
        })
        .collect();
    let (m, v) = mean_var(&x);
    x.sort_by(f64::total_cmp);
    check("F2", "path mean (ms)", ms(m), ms(path.mean), FITTED);
    check(
        "F2",
        "path var (ms^2)",
        1e6 * v,
        1e6 * path.variance,
        FITTED,
    );
    for p in [0.5, 0.95, 0.99] {
        check(
            "F2",
            &format!("fitted path p{} (ms)", (p * 100.0) as u32),
            ms(fitted.quantile(p)),
            ms(sample_quantile(&x, p)),
            FITTED,
        );
    }
}

#[test]
fn lognormal_fit_of_a_lone_mmc_hop_is_approximate() {
    // Known limitation, measured here: a lognormal matched to the first two
    // moments of an M/M/c sojourn time alone misses the exact quantiles by a
    // few percent (the fit has the wrong skew). Paths with network hops are
    // much closer (see `fitted_path_against_sampled_path`).
    for (case, lambda, mu, c) in [
        ("Q1", 80.0, 100.0, 1),
        ("Q2", 300.0, 100.0, 4),
        ("Q3", 1800.0, 100.0, 20),
    ] {
        let q = solve(lambda, mu, c);
        let fit = Distribution::fit(q.time_moments());
        for p in [0.5, 0.95, 0.99] {
            let (a, e) = (fit.quantile(p), q.time_quantile(p));
            println!(
                "{case}f lognormal-fit T p{:<2} {:>9.3} ms vs exact {:>9.3} ms ({:+.2}%)",
                (p * 100.0) as u32,
                ms(a),
                ms(e),
                100.0 * (a / e - 1.0)
            );
            assert!((a / e - 1.0).abs() < 0.12, "{case} p{p}");
        }
    }
}

#[test]
fn histogram_window_quantiles_over_an_hour() {
    // 3600 one-second ticks; each tick a two-path mixture (CDN hit, origin
    // miss) whose request count and miss latency vary with the load. The
    // window quantiles from the histogram are compared with the exact
    // quantiles of the whole hour (one big mixture, by bisection).
    let mut hist = LatencyHistogram::new();
    let mut hour = Mixture::with_capacity(2 * 3600);
    let mut tick = Mixture::with_capacity(2);
    let mut weighted_mean = 0.0;
    let mut requests = 0.0;
    for t in 0..3600 {
        let phase = t as f64 / 3600.0;
        let load = 5_000.0 + 40_000.0 * libm::exp(-((phase - 0.3) / 0.1).powi(2));
        let miss = 0.02 + 0.03 * phase;
        let service = MMc::new(load * miss, 100.0, 20)
            .solve()
            .map(|s| s.time_moments())
            .unwrap_or(Moments::exponential(0.2));
        let hit_path = Moments::lognormal(0.020, 0.5);
        let miss_path = hit_path + Moments::lognormal(0.040, 0.3) + service;
        tick.clear();
        tick.push_moments(1.0 - miss, hit_path);
        tick.push_moments(miss, miss_path);
        hist.add_mixture(load, &tick);
        for (w, d) in tick.components() {
            hour.push(load * w, *d);
        }
        weighted_mean += load * tick.mean();
        requests += load;
    }
    check(
        "H1",
        "hour mean (ms)",
        ms(hist.mean().unwrap()),
        ms(weighted_mean / requests),
        1e-9,
    );
    for p in [0.5, 0.95, 0.99] {
        let exact = hour.quantile(p).unwrap();
        let got = hist.quantile(p).unwrap();
        check(
            "H1",
            &format!("hour p{} (ms)", (p * 100.0) as u32),
            ms(got),
            ms(exact),
            FITTED,
        );
        assert!(
            libm::log(got / exact).abs() <= hist.log_step() * (1.0 + 1e-9),
            "p{p}: more than one bucket off"
        );
    }
}

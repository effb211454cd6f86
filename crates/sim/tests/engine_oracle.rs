//! The engine against the per-request oracle (`tests/oracle/mod.rs`, a
//! discrete-event M/M/c simulator): the same queue (Users → API with c
//! workers, no network time) under steady load, a surge above capacity and
//! the drain that follows. For each 10 s window, the engine's mean time in
//! system must lie inside the oracle's 95 % confidence interval over 20
//! seeds (or within 1 % of its mean when that is wider), and its p95 within
//! 3 % of the oracle's pooled p95. The fluid backlog carries its spread (a
//! random walk's variance, λ + cμ per second), which is what brings the
//! surge windows' p95 within 1.5 %.
//!
//! The first window after the backlog drains is compared in
//! `validation_overload.rs` (case Q10) instead: its mean varies so much
//! from run to run (the oracle's queue empties at a random time) that 20
//! seeds cannot tell a 15 % error. Run with `--nocapture` for the table.

mod engine;
mod oracle;

use engine::{bare, queue_design};
use oracle::{mean_ci95, quantile, simulate, Config};
use sim::engine::{Profile, Scenario, Sim};

const SEEDS: u64 = 20;

struct Compared {
    from: usize,
    engine_mean: f64,
    oracle_mean: f64,
    half: f64,
    engine_p95: f64,
    oracle_p95: f64,
}

impl Compared {
    fn mean_err(&self) -> f64 {
        self.engine_mean / self.oracle_mean - 1.0
    }
    fn p95_err(&self) -> f64 {
        self.engine_p95 / self.oracle_p95 - 1.0
    }
    fn mean_ok(&self) -> bool {
        (self.engine_mean - self.oracle_mean).abs() <= self.half.max(0.01 * self.oracle_mean)
    }
}

/// Runs engine and oracle on per-second rates; compares each window.
#[allow(clippy::too_many_arguments)]
fn compare(
    name: &str,
    servers: usize,
    size: &str,
    instances: u32,
    rates: &[f64],
    limit: Option<usize>,
    window: usize,
) -> Vec<Compared> {
    let wlen = window;
    let mu = 100.0;
    let (d, _) = queue_design(
        instances,
        size,
        1000.0 / mu,
        limit.map_or(1_000_000.0, |l| l as f64),
    );
    let mut profile = Profile::starting_at(rates[0]);
    for (t, &r) in rates.iter().enumerate() {
        profile = profile.step_to((t + 1) as f64, r);
    }
    let mut s = bare(Scenario::new(rates.len() as u32).profile(profile));
    let n_windows = rates.len() / wlen;
    for w in 0..n_windows {
        s = s.window(&format!("w{w}"), (w * wlen) as f64, ((w + 1) * wlen) as f64);
    }
    let mut sim = Sim::new(&d, &s, 1);
    sim.run_to_end();
    let report = sim.report();

    let mut means: Vec<Vec<f64>> = vec![Vec::new(); n_windows];
    let mut pooled: Vec<Vec<f64>> = vec![Vec::new(); n_windows];
    for seed in 0..SEEDS {
        let run = simulate(&Config {
            servers,
            service_rate: mu,
            arrival_rates: rates.to_vec(),
            queue_limit: limit,
            window: wlen,
            seed: 9000 + seed,
        });
        for (w, win) in run.windows.iter().enumerate().take(n_windows) {
            if let Some(m) = win.mean_sojourn() {
                means[w].push(m);
                pooled[w].extend(win.sojourns.iter().copied());
            }
        }
    }
    let mut out = Vec::new();
    println!(
        "{name}: window   engine mean / oracle mean ± CI (ms)      engine p95 / oracle p95 (ms)"
    );
    for w in 0..n_windows {
        let e = &report
            .window(&format!("w{w}"))
            .expect("window")
            .external
            .latency;
        let (m, half) = mean_ci95(&means[w]);
        let p95 = quantile(&mut pooled[w], 0.95).unwrap_or(0.0);
        let c = Compared {
            from: w * wlen,
            engine_mean: e.mean_ms / 1e3,
            oracle_mean: m,
            half,
            engine_p95: e.p95_ms / 1e3,
            oracle_p95: p95,
        };
        println!(
            "  [{:>3},{:>3})  {:>9.3} / {:>9.3} ± {:>7.3} ({:+6.2}%) {}   {:>9.3} / {:>9.3} ({:+6.2}%)",
            c.from,
            c.from + wlen,
            1e3 * c.engine_mean,
            1e3 * c.oracle_mean,
            1e3 * c.half,
            100.0 * c.mean_err(),
            if c.mean_ok() { "in CI " } else { "OUT   " },
            1e3 * c.engine_p95,
            1e3 * c.oracle_p95,
            100.0 * c.p95_err()
        );
        out.push(c);
    }
    out
}

#[test]
fn steady_windows_agree() {
    // Q2: M/M/4 at ρ = 0.75 and Q3: M/M/20 at ρ = 0.9: a 20 s warm-up
    // window, then 100 s.
    for (name, servers, size, instances, lambda) in [
        ("M/M/4 λ=300", 4, "medium", 1, 300.0),
        ("M/M/20 λ=1800", 20, "medium", 5, 1800.0),
    ] {
        let mut rates = vec![lambda; 120];
        rates.truncate(120);
        let windows = compare(name, servers, size, instances, &rates, None, 60);
        // Both windows: the oracle's warm-up from empty is seconds long.
        for c in &windows {
            assert!(
                c.mean_ok(),
                "{name} [{}]: mean {:+.3}%",
                c.from,
                100.0 * c.mean_err()
            );
            assert!(
                c.p95_err().abs() <= 0.03,
                "{name} [{}]: p95 {:+.3}%",
                c.from,
                100.0 * c.p95_err()
            );
        }
    }
}

/// Capacity 1000/s (10 workers at 10 ms); 1200/s for 30 s, then 800/s.
fn surge_rates() -> Vec<f64> {
    (0..90)
        .map(|t| if t < 30 { 1200.0 } else { 800.0 })
        .collect()
}

#[test]
fn surge_and_drain_windows_agree() {
    let windows = compare(
        "surge 1200/s then 800/s, c=10",
        10,
        "small",
        5,
        &surge_rates(),
        None,
        10,
    );
    // Surge [0, 30) and drain [30, 60): the fluid backlog.
    for c in &windows[..6] {
        assert!(
            c.mean_ok(),
            "[{}]: mean {:+.3}% (CI ±{:.3} ms)",
            c.from,
            100.0 * c.mean_err(),
            1e3 * c.half
        );
        assert!(
            c.p95_err().abs() <= 0.03,
            "[{}]: p95 {:+.3}%",
            c.from,
            100.0 * c.p95_err()
        );
    }
    // Well after the drain, [70, 90): back to the steady M/M/10 at ρ = 0.8.
    for c in &windows[7..] {
        assert!(
            c.mean_ok(),
            "[{}]: mean {:+.3}%",
            c.from,
            100.0 * c.mean_err()
        );
        assert!(
            c.p95_err().abs() <= 0.03,
            "[{}]: p95 {:+.3}%",
            c.from,
            100.0 * c.p95_err()
        );
    }
}

/// A surge into a bounded queue: requests beyond 2000 waiting are refused.
#[test]
fn bounded_surge_drops_like_the_oracle() {
    let rates = surge_rates();
    let (d, api) = queue_design(5, "small", 10.0, 2000.0);
    let mut profile = Profile::starting_at(rates[0]);
    for (t, &r) in rates.iter().enumerate() {
        profile = profile.step_to((t + 1) as f64, r);
    }
    let report = Sim::new(&d, &bare(Scenario::new(90).profile(profile)), 1).run();
    let engine = report.node(api.as_str()).unwrap().summary.errors;
    let mut dropped = Vec::new();
    for seed in 0..SEEDS {
        let run = simulate(&Config {
            servers: 10,
            service_rate: 100.0,
            arrival_rates: rates.clone(),
            queue_limit: Some(2000),
            window: 10,
            seed: 7000 + seed,
        });
        dropped.push(run.dropped() as f64);
    }
    let (m, half) = mean_ci95(&dropped);
    println!(
        "bounded surge: dropped engine {engine:.0}, oracle {m:.0} ± {half:.0} ({:+.2}%)",
        100.0 * (engine / m - 1.0)
    );
    assert!((engine / m - 1.0).abs() <= 0.05, "{engine} vs {m}");
}

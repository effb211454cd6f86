//! The engine's queueing and fluid models against the per-request oracle.
//!
//! Steady windows (validation cases Q1–Q3): over 20 seeds, the analytic mean
//! time in system lies inside the oracle's 95 % confidence interval and the
//! analytic p95 is within 3 % of the oracle's pooled p95. Overload (case Q7):
//! the fluid backlog's peak, drain time and drops against the oracle's
//! averages. Run with `--nocapture` to see the figures.

mod oracle;

use oracle::{mean_ci95, quantile, simulate, Config};
use sim::fluid::FluidQueue;
use sim::queueing::MMc;

const SEEDS: u64 = 20;

fn steady_case(name: &str, lambda: f64, mu: f64, c: usize, warmup: usize, windows: usize) {
    let analytic = MMc::new(lambda, mu, c as u32).solve().unwrap();
    let mut seed_means = Vec::new();
    let mut pooled = Vec::new();
    for seed in 0..SEEDS {
        // Window 0 is the warm-up from an empty system and is discarded.
        let run = simulate(&Config::steady(
            c,
            mu,
            lambda,
            warmup * (windows + 1),
            warmup,
            1000 + seed,
        ));
        let x = run.sojourns_from(1);
        seed_means.push(x.iter().sum::<f64>() / x.len() as f64);
        pooled.extend(x);
    }
    let (mean, half) = mean_ci95(&seed_means);
    let p95 = quantile(&mut pooled, 0.95).unwrap();
    let w = analytic.mean_time();
    let t95 = analytic.time_quantile(0.95);
    println!(
        "{name}: {} requests; W analytic {:.4} ms, oracle {:.4} ± {:.4} ms (95% CI, {} seeds, rel. {:+.2}%); \
         p95 analytic {:.3} ms, oracle {:.3} ms ({:+.2}%)",
        pooled.len(),
        1e3 * w,
        1e3 * mean,
        1e3 * half,
        SEEDS,
        100.0 * (w / mean - 1.0),
        1e3 * t95,
        1e3 * p95,
        100.0 * (t95 / p95 - 1.0)
    );
    assert!(
        (w - mean).abs() <= half,
        "{name}: analytic W {w} outside the oracle's CI {mean} ± {half}"
    );
    assert!(
        (t95 / p95 - 1.0).abs() <= 0.03,
        "{name}: analytic p95 {t95} vs oracle {p95}"
    );
}

#[test]
fn steady_q1_mm1() {
    steady_case("Q1 M/M/1 λ=80 μ=100", 80.0, 100.0, 1, 20, 30);
}

#[test]
fn steady_q2_mm4() {
    steady_case("Q2 M/M/4 λ=300 μ=100", 300.0, 100.0, 4, 20, 10);
}

#[test]
fn steady_q3_mm20() {
    steady_case("Q3 M/M/20 λ=1800 μ=100", 1800.0, 100.0, 20, 10, 4);
}

/// Q7's load: capacity 1000/s (c = 10, μ = 100), 1200/s for 30 s, then 800/s.
fn q7_rates() -> Vec<f64> {
    (0..90)
        .map(|t| if t < 30 { 1200.0 } else { 800.0 })
        .collect()
}

fn first_empty_after(waiting: &[usize], from: usize) -> usize {
    (from..waiting.len())
        .find(|&s| waiting[s] == 0)
        .map(|s| s + 1)
        .unwrap_or(waiting.len())
}

#[test]
fn overload_q7_fluid_against_oracle() {
    const RUNS: u64 = 10;
    let rates = q7_rates();

    // Engine: the fluid backlog, and the delay each tick's arrivals see.
    let mut fluid = FluidQueue::new(f64::INFINITY);
    let mut backlog = Vec::new();
    let mut delay_start = Vec::new();
    let mut delay_mid = Vec::new();
    for &r in &rates {
        let before = fluid.delay(1000.0);
        let s = fluid.step(r, 1000.0, 1.0);
        backlog.push(s.backlog);
        delay_start.push(before);
        delay_mid.push(0.5 * (before + s.delay));
    }
    let fluid_drain = first_empty_after(
        &backlog
            .iter()
            .map(|&q| (q > 0.0) as usize)
            .collect::<Vec<_>>(),
        30,
    );

    // Oracle, unbounded queue.
    let mut peaks = Vec::new();
    let mut drains = Vec::new();
    let mut window_means = Vec::new();
    for seed in 0..RUNS {
        let run = simulate(&Config {
            servers: 10,
            service_rate: 100.0,
            arrival_rates: rates.clone(),
            queue_limit: None,
            window: 10,
            seed: 500 + seed,
        });
        peaks.push(run.waiting_at_second[29] as f64);
        drains.push(first_empty_after(&run.waiting_at_second, 30) as f64);
        window_means.push(run.windows[2].mean_sojourn().unwrap());
    }
    let (peak, peak_half) = mean_ci95(&peaks);
    let (drain, drain_half) = mean_ci95(&drains);
    let (w20, w20_half) = mean_ci95(&window_means);
    // The engine's window [20 s, 30 s) mean: per-tick delay + service 1/μ.
    let engine_start = delay_start[20..30].iter().sum::<f64>() / 10.0 + 0.01;
    let engine_mid = delay_mid[20..30].iter().sum::<f64>() / 10.0 + 0.01;
    println!(
        "Q7 unbounded: backlog at 30 s fluid {:.0}, oracle {:.0} ± {:.0} ({:+.2}%); \
         drained at fluid {} s, oracle {:.1} ± {:.1} s",
        backlog[29],
        peak,
        peak_half,
        100.0 * (backlog[29] / peak - 1.0),
        fluid_drain,
        drain,
        drain_half
    );
    println!(
        "Q7 unbounded: window [20,30) mean sojourn oracle {:.4} ± {:.4} s; engine with start-of-tick \
         delay {:.4} s ({:+.2}%), with mid-tick delay {:.4} s ({:+.2}%)",
        w20,
        w20_half,
        engine_start,
        100.0 * (engine_start / w20 - 1.0),
        engine_mid,
        100.0 * (engine_mid / w20 - 1.0)
    );
    assert!((backlog[29] / peak - 1.0).abs() < 0.05);
    assert!((fluid_drain as f64 - drain).abs() <= 3.0);
    assert!((engine_mid / w20 - 1.0).abs() < 0.03);
    assert!((engine_start / w20 - 1.0).abs() < 0.05);

    // Oracle and fluid with Q_max = 2000.
    let mut fluid = FluidQueue::new(2000.0);
    let mut fluid_dropped = 0.0;
    let mut backlog = Vec::new();
    for &r in &rates {
        let s = fluid.step(r, 1000.0, 1.0);
        fluid_dropped += s.dropped;
        backlog.push((s.backlog > 0.0) as usize);
    }
    let fluid_drain = first_empty_after(&backlog, 30);
    let mut dropped = Vec::new();
    let mut drains = Vec::new();
    for seed in 0..RUNS {
        let run = simulate(&Config {
            servers: 10,
            service_rate: 100.0,
            arrival_rates: rates.clone(),
            queue_limit: Some(2000),
            window: 10,
            seed: 700 + seed,
        });
        dropped.push(run.dropped() as f64);
        drains.push(first_empty_after(&run.waiting_at_second, 30) as f64);
    }
    let (d, d_half) = mean_ci95(&dropped);
    let (drain, drain_half) = mean_ci95(&drains);
    println!(
        "Q7 Q_max=2000: dropped fluid {:.0}, oracle {:.0} ± {:.0} ({:+.2}%); drained at fluid {} s, \
         oracle {:.1} ± {:.1} s",
        fluid_dropped,
        d,
        d_half,
        100.0 * (fluid_dropped / d - 1.0),
        fluid_drain,
        drain,
        drain_half
    );
    assert!((fluid_dropped / d - 1.0).abs() < 0.05);
    assert!((fluid_drain as f64 - drain).abs() <= 3.0);
}

//! The test oracle: a per-request discrete-event simulator of an M/M/c FCFS
//! queue with a piecewise-constant arrival rate (one rate per simulated
//! second), an optional limit on the number waiting, and a seeded RNG.
//!
//! It is deliberately independent of the engine: its own generator
//! (`Pcg64Mcg` seeded directly), its own exponential draws (inversion with
//! `f64::ln`), no use of `sim::queueing`, `sim::rng` or `sim::fluid`. Test
//! code only; shared by the test files that say `mod oracle;`.
//!
//! How it works: arrivals are generated second by second as a Poisson process
//! at that second's rate (memorylessness makes restarting at each second
//! boundary exact). Under FCFS every request's start and finish times are
//! known when it arrives: it takes the server that frees up first (a min-heap
//! of server free times). The requests that are waiting (start > now) form a
//! FIFO of start times; an arrival that finds all servers busy and
//! `queue_limit` requests waiting is dropped. Cost: O(log c) per request.
#![allow(dead_code)]

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use rand::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Number of servers c.
    pub servers: usize,
    /// Service rate μ of one server (1/s); service times are Exp(μ).
    pub service_rate: f64,
    /// Arrival rate for each simulated second [s, s + 1), requests/s.
    pub arrival_rates: Vec<f64>,
    /// Maximum number of requests waiting (not in service); `None` for no limit.
    pub queue_limit: Option<usize>,
    /// Length of a reporting window, in whole seconds (≥ 1).
    pub window: usize,
    /// Seed of the oracle's own generator.
    pub seed: u64,
}

impl Config {
    /// A constant arrival rate for `seconds` seconds, no queue limit.
    pub fn steady(
        servers: usize,
        service_rate: f64,
        arrival_rate: f64,
        seconds: usize,
        window: usize,
        seed: u64,
    ) -> Self {
        Config {
            servers,
            service_rate,
            arrival_rates: vec![arrival_rate; seconds],
            queue_limit: None,
            window,
            seed,
        }
    }
}

/// Per-window results; requests belong to the window in which they arrive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Window {
    /// Window start, seconds.
    pub start: f64,
    /// Window end, seconds.
    pub end: f64,
    /// Requests that arrived.
    pub arrivals: u64,
    /// Requests admitted (arrivals − dropped).
    pub accepted: u64,
    /// Requests dropped at the queue limit.
    pub dropped: u64,
    /// Time in system (wait + service) of every admitted request, in arrival order.
    pub sojourns: Vec<f64>,
}

impl Window {
    /// Mean time in system of the admitted requests.
    pub fn mean_sojourn(&self) -> Option<f64> {
        if self.sojourns.is_empty() {
            None
        } else {
            Some(self.sojourns.iter().sum::<f64>() / self.sojourns.len() as f64)
        }
    }

    /// The empirical p-quantile of time in system.
    pub fn sojourn_quantile(&self, p: f64) -> Option<f64> {
        let mut v = self.sojourns.clone();
        quantile(&mut v, p)
    }

    /// The empirical p95 of time in system.
    pub fn p95_sojourn(&self) -> Option<f64> {
        self.sojourn_quantile(0.95)
    }
}

/// A finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Reporting windows, in time order.
    pub windows: Vec<Window>,
    /// Number of requests waiting (not in service) at the end of each second.
    pub waiting_at_second: Vec<usize>,
}

impl Run {
    /// All admitted requests' sojourn times from windows `from..`, pooled.
    pub fn sojourns_from(&self, from: usize) -> Vec<f64> {
        self.windows[from.min(self.windows.len())..]
            .iter()
            .flat_map(|w| w.sojourns.iter().copied())
            .collect()
    }

    /// Total dropped requests.
    pub fn dropped(&self) -> u64 {
        self.windows.iter().map(|w| w.dropped).sum()
    }

    /// Total arrivals.
    pub fn arrivals(&self) -> u64 {
        self.windows.iter().map(|w| w.arrivals).sum()
    }
}

/// An f64 time ordered by `total_cmp`, for the heap.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Time(f64);

impl Eq for Time {}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

fn exponential(rng: &mut Pcg64Mcg, rate: f64) -> f64 {
    // u in (0, 1]: −ln(u) is finite.
    let u = ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    -u.ln() / rate
}

/// Runs the simulation.
pub fn simulate(cfg: &Config) -> Run {
    assert!(cfg.servers >= 1 && cfg.service_rate > 0.0 && cfg.window >= 1);
    let mut rng = Pcg64Mcg::seed_from_u64(cfg.seed);
    let horizon = cfg.arrival_rates.len();
    let n_windows = horizon.div_ceil(cfg.window);
    let mut windows: Vec<Window> = (0..n_windows)
        .map(|i| Window {
            start: (i * cfg.window) as f64,
            end: ((i + 1) * cfg.window).min(horizon) as f64,
            ..Window::default()
        })
        .collect();
    let mut free: BinaryHeap<Reverse<Time>> =
        (0..cfg.servers).map(|_| Reverse(Time(0.0))).collect();
    let mut waiting: VecDeque<f64> = VecDeque::new();
    let mut waiting_at_second = Vec::with_capacity(horizon);

    for (s, &rate) in cfg.arrival_rates.iter().enumerate() {
        let end = (s + 1) as f64;
        let w = &mut windows[s / cfg.window];
        if rate > 0.0 {
            let mut t = s as f64;
            loop {
                t += exponential(&mut rng, rate);
                if t >= end {
                    break;
                }
                while waiting.front().is_some_and(|&start| start <= t) {
                    waiting.pop_front();
                }
                w.arrivals += 1;
                let earliest = free.peek().expect("c ≥ 1").0 .0;
                if let Some(limit) = cfg.queue_limit {
                    if earliest > t && waiting.len() >= limit {
                        w.dropped += 1;
                        continue;
                    }
                }
                free.pop();
                let start = earliest.max(t);
                let finish = start + exponential(&mut rng, cfg.service_rate);
                free.push(Reverse(Time(finish)));
                if start > t {
                    waiting.push_back(start);
                }
                w.accepted += 1;
                w.sojourns.push(finish - t);
            }
        }
        while waiting.front().is_some_and(|&start| start <= end) {
            waiting.pop_front();
        }
        waiting_at_second.push(waiting.len());
    }
    Run {
        windows,
        waiting_at_second,
    }
}

/// The empirical p-quantile (the ⌈np⌉-th smallest value); reorders `v`.
pub fn quantile(v: &mut [f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    let (_, x, _) = v.select_nth_unstable_by(i, f64::total_cmp);
    Some(*x)
}

/// Mean and 95 % confidence half-width (Student t) of independent values.
pub fn mean_ci95(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    assert!(n >= 2, "need at least two values");
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    (mean, t975(n - 1) * (var / n as f64).sqrt())
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => 1.960 + 2.4 / df as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oracle_is_deterministic_per_seed() {
        let cfg = Config::steady(2, 100.0, 150.0, 20, 10, 5);
        assert_eq!(simulate(&cfg), simulate(&cfg));
        let other = Config {
            seed: 6,
            ..cfg.clone()
        };
        assert_ne!(simulate(&cfg), simulate(&other));
    }

    #[test]
    fn oracle_follows_piecewise_rates() {
        let mut rates = vec![0.0; 10];
        rates.extend(vec![500.0; 10]);
        let run = simulate(&Config {
            servers: 10,
            service_rate: 100.0,
            arrival_rates: rates,
            queue_limit: None,
            window: 10,
            seed: 1,
        });
        assert_eq!(run.windows.len(), 2);
        assert_eq!(run.windows[0].arrivals, 0);
        let n = run.windows[1].arrivals as f64;
        // Poisson(5000): ±5 standard deviations.
        assert!((n - 5000.0).abs() < 5.0 * 5000f64.sqrt(), "{n}");
        assert_eq!(run.windows[1].accepted, run.windows[1].arrivals);
    }

    #[test]
    fn oracle_loss_system_blocks_at_erlang_b() {
        // Queue limit 0 is the M/M/c/c loss system: blocking = Erlang B.
        // c = 10, a = 8 ⇒ B = 0.1217 (validation case Q6, hard-coded here so
        // the oracle stays independent of the engine).
        let run = simulate(&Config {
            queue_limit: Some(0),
            ..Config::steady(10, 10.0, 80.0, 1000, 1000, 3)
        });
        let b = run.dropped() as f64 / run.arrivals() as f64;
        assert!((b - 0.1217).abs() < 0.008, "blocking {b}");
        assert!(run.waiting_at_second.iter().all(|&q| q == 0));
    }

    #[test]
    fn oracle_light_load_sojourn_is_service_time() {
        let run = simulate(&Config::steady(1, 1000.0, 1.0, 4000, 4000, 9));
        let m = run.windows[0].mean_sojourn().unwrap();
        assert!((m / 1e-3 - 1.0).abs() < 0.06, "{m}");
    }

    #[test]
    fn oracle_overload_grows_and_respects_limit() {
        let unbounded = simulate(&Config::steady(1, 100.0, 200.0, 50, 10, 4));
        let q = unbounded.waiting_at_second[49] as f64;
        // Drift (200 − 100)/s for 50 s; sd ≈ √(50·300) ≈ 122.
        assert!((q - 5000.0).abs() < 750.0, "{q}");
        let limited = simulate(&Config {
            queue_limit: Some(100),
            ..Config::steady(1, 100.0, 200.0, 50, 10, 4)
        });
        assert!(limited.waiting_at_second.iter().all(|&q| q <= 100));
        assert!(limited.dropped() > 4000);
    }
}

//! Property tests of the numerical core.

use proptest::prelude::*;
use sim::fluid::FluidQueue;
use sim::histogram::{LatencyHistogram, MAX_LATENCY};
use sim::latency::{Distribution, LogNormal, Mixture, Moments};
use sim::queueing::{erlang_b, erlang_c, MMc};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Integration tests have no lib.rs beside them to anchor a
        // regressions file; failures print their minimal input instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Erlang C is a probability, and adding a server never raises it.
    #[test]
    fn erlang_c_in_unit_interval_and_monotone_in_c(c in 1u32..100_000, frac in 0.0f64..0.999_999) {
        let a = frac * c as f64;
        let now = erlang_c(c, a).unwrap();
        let more = erlang_c(c + 1, a).unwrap();
        prop_assert!((0.0..=1.0).contains(&now));
        prop_assert!((0.0..=1.0).contains(&more));
        prop_assert!(more <= now * (1.0 + 1e-12), "C({}) = {} < C({}) = {}", c, now, c + 1, more);
        let b = erlang_b(c, a);
        prop_assert!((0.0..=1.0).contains(&b) && b <= now + 1e-15);
    }

    /// More servers, less waiting; unstable queues are reported, never NaN.
    #[test]
    fn mean_wait_decreases_in_c(c in 1u32..2_000, lambda in 0.0f64..5_000.0, mu in 0.5f64..500.0) {
        match (MMc::new(lambda, mu, c).solve(), MMc::new(lambda, mu, c + 1).solve()) {
            (Ok(a), Ok(b)) => {
                prop_assert!(a.mean_wait().is_finite());
                prop_assert!(b.mean_wait() <= a.mean_wait() * (1.0 + 1e-12));
                prop_assert!(b.mean_time() <= a.mean_time() * (1.0 + 1e-12));
            }
            (Err(_), Ok(b)) => prop_assert!(b.mean_wait().is_finite()),
            (Ok(_), Err(e)) => prop_assert!(false, "c+1 unstable but c stable: {e}"),
            (Err(_), Err(_)) => prop_assert!(lambda >= (c + 1) as f64 * mu),
        }
    }

    /// The exact sojourn quantile inverts the survival function and is
    /// monotone in p.
    #[test]
    fn sojourn_quantile_inverts_survival(
        c in 1u32..200, rho in 0.01f64..0.999, mu in 1.0f64..1000.0, p in 0.01f64..0.999
    ) {
        let q = MMc::new(rho * c as f64 * mu, mu, c).solve().unwrap();
        let t = q.time_quantile(p);
        prop_assert!(t.is_finite() && t > 0.0);
        prop_assert!((q.time_survival(t) - (1.0 - p)).abs() < 1e-9);
        prop_assert!(q.time_quantile((p + 0.0005).min(0.9999)) >= t);
        prop_assert!(q.wait_quantile(p) <= t);
    }

    /// Mixture quantiles are monotone in p and invert the CDF.
    #[test]
    fn mixture_quantile_monotone(
        parts in prop::collection::vec((0.01f64..10.0, 1e-4f64..5.0, 0.0f64..2.0, any::<bool>()), 1..5),
        p1 in 0.0f64..1.0,
        p2 in 0.0f64..1.0,
    ) {
        let mut m = Mixture::new();
        for (w, mean, scv, point) in parts {
            if point {
                m.push(w, Distribution::Point(mean));
            } else {
                m.push_moments(w, Moments::new(mean, scv * mean * mean));
            }
        }
        let (lo, hi) = if p1 <= p2 { (p1, p2) } else { (p2, p1) };
        let (qlo, qhi) = (m.quantile(lo).unwrap(), m.quantile(hi).unwrap());
        prop_assert!(qlo <= qhi, "q({}) = {} > q({}) = {}", lo, qlo, hi, qhi);
        prop_assert!(m.cdf(qhi * (1.0 + 1e-9)) >= hi - 1e-9);
    }

    /// A histogram of one lognormal gives every quantile within one bucket.
    #[test]
    fn histogram_quantile_within_one_bucket(
        median in 1e-3f64..10.0, sigma in 0.01f64..1.5, weight in 1e-3f64..1e7, p in 0.001f64..0.999
    ) {
        let l = LogNormal::from_median(median, sigma);
        let mut h = LatencyHistogram::new();
        h.add_lognormal(weight, &l);
        let (got, exact) = (h.quantile(p).unwrap(), l.quantile(p));
        if exact >= MAX_LATENCY {
            // Beyond the last bucket the quantile saturates, as documented.
            prop_assert_eq!(got, MAX_LATENCY, "p{}: exact {}", p, exact);
        } else {
            prop_assert!(
                libm::log(got / exact).abs() <= h.log_step() * (1.0 + 1e-6),
                "p{}: {} vs {}", p, got, exact
            );
        }
        prop_assert!((h.requests() / weight - 1.0).abs() < 1e-12);
    }

    /// Fluid steps conserve requests: arrivals = served + dropped + ΔQ, with
    /// the backlog in [0, Q_max] and service within capacity.
    #[test]
    fn fluid_conserves_requests(
        q_max in prop_oneof![Just(f64::INFINITY), 0.0f64..1e5],
        steps in prop::collection::vec((0.0f64..5e4, 0.0f64..5e4, 0.01f64..5.0), 1..50),
    ) {
        let mut q = FluidQueue::new(q_max);
        for (lambda, capacity, dt) in steps {
            let before = q.backlog();
            let s = q.step(lambda, capacity, dt);
            let scale = s.arrivals + before + 1.0;
            prop_assert!((s.arrivals - (s.served + s.dropped + s.backlog - before)).abs() <= 1e-12 * scale);
            prop_assert!(s.backlog >= 0.0 && s.backlog <= q_max);
            prop_assert!(s.served >= 0.0 && s.served <= capacity * dt * (1.0 + 1e-15));
            prop_assert!(s.dropped >= 0.0);
            prop_assert!(!s.delay.is_nan() && !s.utilisation.is_nan());
        }
    }

    /// Fitting a lognormal keeps the mean and variance.
    #[test]
    fn fit_keeps_moments(mean in 1e-6f64..100.0, scv in 0.0f64..20.0) {
        let m = Moments::new(mean, scv * mean * mean);
        let d = Distribution::fit(m);
        prop_assert!((d.mean() / mean - 1.0).abs() < 1e-10);
        prop_assert!((d.variance() - m.variance).abs() <= 1e-9 * m.variance.max(mean * mean * 1e-9));
    }
}

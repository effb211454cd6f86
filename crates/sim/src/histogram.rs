//! A request-weighted latency histogram for window quantiles.
//!
//! Each tick the engine knows, per flow, how many requests it served and the
//! latency distribution they saw (a [`Mixture`] of lognormals and point
//! masses). [`LatencyHistogram::add_mixture`] spreads that many requests over
//! fixed log-spaced buckets using each component's exact CDF at the bucket
//! edges; a window's p50/p95/p99 are then read off the accumulated counts.
//! This is how quantiles over many ticks (an hour, say) are combined: never by
//! averaging per-tick quantiles.
//!
//! Layout: [`BUCKETS`] buckets, log-spaced from [`MIN_LATENCY`] (10 µs) to
//! [`MAX_LATENCY`] (600 s), each ≈ 1.0 % wide, plus an underflow bucket
//! [0, 10 µs) and an overflow bucket [600 s, ∞). The storage is allocated once,
//! by the first addition (a histogram nothing reaches costs nothing); adding
//! never allocates after that.
#![deny(missing_docs)]

use core::fmt;

use crate::latency::{Distribution, LogNormal, Mixture};

/// Lower edge of the first log-spaced bucket, in seconds (0.01 ms).
pub const MIN_LATENCY: f64 = 1e-5;
/// Upper edge of the last log-spaced bucket, in seconds.
pub const MAX_LATENCY: f64 = 600.0;
/// Number of log-spaced buckets between [`MIN_LATENCY`] and [`MAX_LATENCY`];
/// each spans a ratio of (6·10⁷)^(1/1800) ≈ 1.0100.
pub const BUCKETS: usize = 1800;

/// Slots: underflow, the log-spaced buckets, overflow.
const SLOTS: usize = BUCKETS + 2;
/// A lognormal's mass beyond ±Z_CUT standard deviations (Φ(−7) ≈ 1.3·10⁻¹²
/// on each side) is put in the bucket just past the cut instead of being
/// spread further; this bounds the work per add to 14σ/0.00995 ≈ 1400σ
/// `erfc` calls.
const Z_CUT: f64 = 7.0;

/// A latency's place in a histogram (see [`LatencyHistogram::point`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    slot: usize,
    latency: f64,
}

/// A request-weighted latency histogram (see the module docs).
#[derive(Clone)]
pub struct LatencyHistogram {
    /// Per slot; empty until the first addition (then [`SLOTS`] long).
    counts: Vec<f64>,
    total: f64,
    weighted_sum: f64,
    ln_min: f64,
    step: f64,
}

/// Equal when they hold the same counts (a histogram not yet allocated
/// holds zeros) and totals.
impl PartialEq for LatencyHistogram {
    fn eq(&self, other: &Self) -> bool {
        let count = |h: &LatencyHistogram, i: usize| h.counts.get(i).copied().unwrap_or(0.0);
        self.total == other.total
            && self.weighted_sum == other.weighted_sum
            && self.ln_min == other.ln_min
            && self.step == other.step
            && (0..SLOTS).all(|i| count(self, i) == count(other, i))
    }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram::new()
    }
}

impl fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatencyHistogram")
            .field("requests", &self.total)
            .field("mean", &self.mean())
            .field("p50", &self.quantile(0.5))
            .field("p95", &self.quantile(0.95))
            .field("p99", &self.quantile(0.99))
            .finish()
    }
}

impl LatencyHistogram {
    /// An empty histogram (its fixed bucket storage, ≈ 14 KB, is
    /// allocated by the first addition).
    pub fn new() -> Self {
        let ln_min = libm::log(MIN_LATENCY);
        let ln_max = libm::log(MAX_LATENCY);
        LatencyHistogram {
            counts: Vec::new(),
            total: 0.0,
            weighted_sum: 0.0,
            ln_min,
            step: (ln_max - ln_min) / BUCKETS as f64,
        }
    }

    /// The bucket storage, allocated if it is not yet.
    fn slots_mut(&mut self) -> &mut [f64] {
        if self.counts.is_empty() {
            self.counts = vec![0.0; SLOTS];
        }
        &mut self.counts
    }

    /// Empties the histogram, keeping its storage.
    pub fn clear(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0.0);
        self.total = 0.0;
        self.weighted_sum = 0.0;
    }

    /// Number of requests added (the sum of the weights).
    pub fn requests(&self) -> f64 {
        self.total
    }

    /// True if nothing has been added.
    pub fn is_empty(&self) -> bool {
        self.total <= 0.0
    }

    /// The request-weighted mean latency, exact (from the means of the added
    /// distributions, not from the buckets); `None` if empty.
    pub fn mean(&self) -> Option<f64> {
        if self.total > 0.0 {
            Some(self.weighted_sum / self.total)
        } else {
            None
        }
    }

    /// Adds `requests` requests whose latency follows the mixture (each
    /// component gets its share of the weight). Non-positive or non-finite
    /// weights and empty mixtures add nothing.
    pub fn add_mixture(&mut self, requests: f64, mixture: &Mixture) {
        if !(requests > 0.0 && requests.is_finite()) {
            return;
        }
        let w = mixture.total_weight();
        if !(w > 0.0 && w.is_finite()) {
            return;
        }
        for (wi, d) in mixture.components() {
            self.add_distribution(requests * wi / w, d);
        }
    }

    /// Adds `requests` requests whose latency follows `distribution`.
    pub fn add_distribution(&mut self, requests: f64, distribution: &Distribution) {
        match distribution {
            Distribution::Point(x) => self.add_point(requests, *x),
            Distribution::LogNormal(l) => self.add_lognormal(requests, l),
        }
    }

    /// Adds `requests` requests that all took exactly `latency` seconds.
    pub fn add_point(&mut self, requests: f64, latency: f64) {
        let point = self.point(latency);
        self.add_at(requests, point);
    }

    /// Where [`LatencyHistogram::add_point`] puts a latency: its bucket
    /// (the same in every histogram) and the latency counted.
    pub fn point(&self, latency: f64) -> Point {
        let x = if latency.is_nan() || latency < 0.0 {
            0.0
        } else {
            latency
        };
        Point {
            slot: self.slot_of(x),
            latency: x,
        }
    }

    /// Adds `requests` requests at `point` (from [`LatencyHistogram::point`]
    /// of any histogram: finding the bucket takes a logarithm, adding
    /// does not).
    pub fn add_at(&mut self, requests: f64, point: Point) {
        if !(requests > 0.0 && requests.is_finite()) {
            return;
        }
        self.slots_mut()[point.slot] += requests;
        self.total += requests;
        self.weighted_sum += requests * point.latency;
    }

    /// Adds `requests` requests with a lognormal latency, spreading them over
    /// the buckets by the exact CDF at the bucket edges.
    pub fn add_lognormal(&mut self, requests: f64, l: &LogNormal) {
        if !(requests > 0.0 && requests.is_finite()) {
            return;
        }
        let (mu, sigma) = (l.mu, l.sigma);
        if !(sigma > 0.0 && sigma.is_finite() && mu.is_finite()) {
            self.add_point(requests, libm::exp(mu));
            return;
        }
        self.total += requests;
        self.weighted_sum += requests * l.mean();
        self.slots_mut();

        let n = BUCKETS as f64;
        let kf = ((mu - Z_CUT * sigma - self.ln_min) / self.step).ceil();
        let kl = ((mu + Z_CUT * sigma - self.ln_min) / self.step).floor();
        if kf > n {
            self.counts[SLOTS - 1] += requests;
            return;
        }
        if kl < 0.0 {
            self.counts[0] += requests;
            return;
        }
        if kf > kl {
            // The whole ±Z_CUT range lies inside one bucket.
            let slot = self.slot_of(libm::exp(mu));
            self.counts[slot] += requests;
            return;
        }
        let k_first = kf.max(0.0) as usize;
        let k_last = kl.min(n) as usize;
        let (ln_min, step) = (self.ln_min, self.step);
        let z_at = |k: usize| (ln_min + k as f64 * step - mu) / sigma;
        let z_first = z_at(k_first);
        let z_last = z_at(k_last);
        // Mass below edge k_first goes to slot k_first (the bucket just below
        // that edge); mass above edge k_last to slot k_last + 1.
        let below = crate::latency::std_normal_cdf(z_first);
        let above = crate::latency::std_normal_cdf(-z_last);
        self.counts[k_first] += requests * below;
        self.counts[k_last + 1] += requests * above;
        if k_last == k_first {
            return;
        }
        let mut prev = below;
        for k in k_first + 1..=k_last {
            let f = if k == k_last {
                1.0 - above
            } else {
                crate::latency::std_normal_cdf(z_at(k))
            };
            self.counts[k] += requests * (f - prev).max(0.0);
            prev = f;
        }
    }

    /// Adds every request of `other` to this histogram.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        if !other.counts.is_empty() {
            self.slots_mut();
        }
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += *b;
        }
        self.total += other.total;
        self.weighted_sum += other.weighted_sum;
    }

    /// The p-quantile of the added requests' latency, interpolated
    /// geometrically inside its bucket (so within one bucket, ≈ 1 %, of the
    /// exact quantile of what was added). Saturates at [`MAX_LATENCY`] if it
    /// falls in the overflow bucket. `None` if empty. p is clamped to [0, 1].
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let sum: f64 = self.counts.iter().sum();
        if sum.is_nan() || sum <= 0.0 {
            return None;
        }
        let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
        let target = p * sum;
        let mut cum = 0.0;
        let mut last_nonzero = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            if c <= 0.0 {
                continue;
            }
            last_nonzero = i;
            if cum + c >= target {
                let frac = ((target - cum) / c).clamp(0.0, 1.0);
                return Some(self.position(i, frac));
            }
            cum += c;
        }
        Some(self.position(last_nonzero, 1.0))
    }

    /// The share of added requests that took at most `latency` seconds
    /// (interpolated inside the bucket); 0 if empty.
    pub fn fraction_at_most(&self, latency: f64) -> f64 {
        let sum: f64 = self.counts.iter().sum();
        if sum.is_nan() || sum <= 0.0 || latency.is_nan() || latency < 0.0 {
            return 0.0;
        }
        let slot = self.slot_of(latency);
        let below: f64 = self.counts[..slot].iter().sum();
        let (lo, hi) = self.bucket_bounds(slot);
        let frac = if slot == 0 {
            latency / hi
        } else if slot == SLOTS - 1 {
            0.0
        } else {
            libm::log(latency / lo) / self.step
        };
        ((below + self.counts[slot] * frac.clamp(0.0, 1.0)) / sum).clamp(0.0, 1.0)
    }

    /// Number of slots: the underflow bucket, [`BUCKETS`] log-spaced buckets
    /// and the overflow bucket.
    pub fn slots(&self) -> usize {
        SLOTS
    }

    /// The requests counted in slot `i` (0 underflow, `BUCKETS + 1` overflow).
    pub fn count(&self, i: usize) -> f64 {
        self.counts.get(i).copied().unwrap_or(0.0)
    }

    /// The lower and upper latency bounds of slot `i`, in seconds (the
    /// underflow slot is [0, MIN_LATENCY), the overflow slot
    /// [MAX_LATENCY, ∞)).
    pub fn bucket_bounds(&self, i: usize) -> (f64, f64) {
        if i == 0 {
            (0.0, MIN_LATENCY)
        } else if i >= SLOTS - 1 {
            (MAX_LATENCY, f64::INFINITY)
        } else {
            (self.edge(i - 1), self.edge(i))
        }
    }

    /// The natural-log width of one log-spaced bucket (≈ 0.00995).
    pub fn log_step(&self) -> f64 {
        self.step
    }

    fn edge(&self, k: usize) -> f64 {
        if k == 0 {
            MIN_LATENCY
        } else if k >= BUCKETS {
            MAX_LATENCY
        } else {
            libm::exp(self.ln_min + k as f64 * self.step)
        }
    }

    fn slot_of(&self, x: f64) -> usize {
        if x.is_nan() || x < MIN_LATENCY {
            return 0;
        }
        if x >= MAX_LATENCY {
            return SLOTS - 1;
        }
        // (Truncating a non-negative number is its floor: no `floor` call.
        // The logarithm inline: the engine finds a bucket for every
        // staleness it counts.)
        let k = (crate::expo::ln(x) - self.ln_min) / self.step;
        (k.max(0.0) as usize + 1).min(BUCKETS)
    }

    fn position(&self, slot: usize, frac: f64) -> f64 {
        if slot == 0 {
            frac * MIN_LATENCY
        } else if slot >= SLOTS - 1 {
            MAX_LATENCY
        } else {
            libm::exp(self.ln_min + ((slot - 1) as f64 + frac) * self.step)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The storage comes with the first addition; a histogram without it
    /// equals one with it that holds nothing, and reads as empty.
    #[test]
    fn storage_comes_with_the_first_addition() {
        let a = LatencyHistogram::new();
        assert!(a.counts.is_empty());
        assert_eq!(a.quantile(0.5), None);
        assert_eq!(a.fraction_at_most(1.0), 0.0);
        assert_eq!(a.count(3), 0.0);
        let mut b = LatencyHistogram::new();
        b.slots_mut();
        assert_eq!(b.counts.len(), SLOTS);
        assert_eq!(a, b);
        let mut c = LatencyHistogram::new();
        c.add_point(0.0, 0.01); // no requests: nothing added
        assert!(c.counts.is_empty());
        c.add_point(2.0, 0.01);
        assert_eq!(c.counts.len(), SLOTS);
        assert_ne!(a, c);
        let mut d = LatencyHistogram::new();
        d.merge(&c);
        assert_eq!(d, c);
    }
    use crate::latency::Moments;

    #[test]
    fn point_masses_land_in_their_bucket() {
        let mut h = LatencyHistogram::new();
        assert_eq!(h.quantile(0.5), None);
        assert_eq!(h.mean(), None);
        h.add_point(10.0, 0.005);
        h.add_point(10.0, 0.050);
        let q25 = h.quantile(0.25).unwrap();
        assert!((libm::log(q25 / 0.005)).abs() <= h.log_step());
        let q75 = h.quantile(0.75).unwrap();
        assert!((libm::log(q75 / 0.050)).abs() <= h.log_step());
        assert!((h.mean().unwrap() - 0.0275).abs() < 1e-15);
        // Zero latency and beyond-range latency.
        h.add_point(1.0, 0.0);
        h.add_point(1.0, 1e6);
        assert_eq!(h.count(0), 1.0);
        assert_eq!(h.count(h.slots() - 1), 1.0);
        assert_eq!(h.quantile(1.0), Some(MAX_LATENCY));
    }

    #[test]
    fn bucket_masses_match_the_cdf() {
        // Compare bucket masses with a direct erfc evaluation.
        for sigma in [0.05, 0.3, 1.2] {
            let l = LogNormal::from_median(0.02, sigma);
            let mut h = LatencyHistogram::new();
            h.add_lognormal(1.0, &l);
            let total: f64 = (0..h.slots()).map(|i| h.count(i)).sum();
            assert!((total - 1.0).abs() < 1e-12, "sigma={sigma}: {total}");
            // Bucket masses and the cumulative distribution match the CDF
            // (up to the Φ(−7) tails folded at the cut).
            let mut cum = h.count(0);
            for i in 1..h.slots() - 1 {
                let (lo, hi) = h.bucket_bounds(i);
                let exact = l.cdf(hi) - l.cdf(lo);
                assert!(
                    (h.count(i) - exact).abs() < 1e-6 * exact + 1e-11,
                    "sigma={sigma} slot {i}: {} vs {exact}",
                    h.count(i)
                );
                cum += h.count(i);
                assert!((cum - l.cdf(hi)).abs() < 1e-10, "sigma={sigma} slot {i}");
            }
        }
    }

    #[test]
    fn lognormal_quantiles_and_merge() {
        let l = LogNormal::from_median(0.020, 0.5);
        let mut a = LatencyHistogram::new();
        let mut b = LatencyHistogram::new();
        a.add_lognormal(600.0, &l);
        b.add_lognormal(400.0, &l);
        a.merge(&b);
        assert_eq!(a.requests(), 1000.0);
        for p in [0.5, 0.95, 0.99] {
            let q = a.quantile(p).unwrap();
            assert!((libm::log(q / l.quantile(p))).abs() <= a.log_step());
        }
        assert!((a.mean().unwrap() / l.mean() - 1.0).abs() < 1e-12);
        let f = a.fraction_at_most(l.quantile(0.95));
        assert!((f - 0.95).abs() < 2e-3, "{f}");
    }

    #[test]
    fn mixture_weights_are_requests() {
        let mut m = Mixture::new();
        m.push(0.9, Distribution::Point(0.010));
        m.push_moments(0.1, Moments::lognormal(0.200, 0.3));
        let mut h = LatencyHistogram::new();
        h.add_mixture(1000.0, &m);
        assert!((h.requests() - 1000.0).abs() < 1e-9);
        let q50 = h.quantile(0.5).unwrap();
        assert!((libm::log(q50 / 0.010)).abs() <= h.log_step());
        let q99 = h.quantile(0.99).unwrap();
        let exact = m.quantile(0.99).unwrap();
        assert!(
            (libm::log(q99 / exact)).abs() <= h.log_step(),
            "{q99} vs {exact}"
        );
    }
}

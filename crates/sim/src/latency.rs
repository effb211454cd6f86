//! Latency as moments, lognormal fits and mixtures.
//!
//! A hop's latency is carried as its first two moments ([`Moments`]). The
//! latency of a path of independent hops has the sum of their means and the
//! sum of their variances; a lognormal with the same mean and variance
//! ([`Distribution::fit`]) stands in for the path's distribution, and the
//! paths of a flow are mixed by their probabilities ([`Mixture`]). Quantiles
//! are always read off a distribution (by bisection for a mixture): quantiles
//! are never added or averaged.
//!
//! All times are in seconds. Every transcendental function comes from `libm`
//! so that results are bit-identical natively and in wasm.
#![deny(missing_docs)]

use core::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// Mean and variance of a latency, in seconds and seconds².
///
/// Independent hops compose by addition (`a + b` or [`Moments::then`]): means
/// add and variances add.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Mean, in seconds.
    pub mean: f64,
    /// Variance, in seconds².
    pub variance: f64,
}

impl Moments {
    /// No latency at all: mean 0, variance 0.
    pub const ZERO: Moments = Moments {
        mean: 0.0,
        variance: 0.0,
    };

    /// Moments with the given mean and variance; a negative or non-finite
    /// input is replaced by 0 so that nothing downstream sees a NaN.
    pub fn new(mean: f64, variance: f64) -> Self {
        Moments {
            mean: sanitize(mean),
            variance: sanitize(variance),
        }
    }

    /// A constant latency (variance 0).
    pub fn constant(value: f64) -> Self {
        Moments::new(value, 0.0)
    }

    /// An exponentially distributed latency with the given mean (variance = mean²).
    pub fn exponential(mean: f64) -> Self {
        let m = sanitize(mean);
        Moments::new(m, m * m)
    }

    /// A lognormal latency given by its median and the standard deviation
    /// `sigma` of its logarithm: mean = median·e^{σ²/2}, variance =
    /// (e^{σ²} − 1)·mean².
    pub fn lognormal(median: f64, sigma: f64) -> Self {
        LogNormal::from_median(median, sigma).moments()
    }

    /// Moments of a mixture: with probability ∝ `weight` the latency has the
    /// component's moments. Non-positive weights are ignored; an empty or
    /// all-zero list gives [`Moments::ZERO`].
    pub fn mixture(components: &[(f64, Moments)]) -> Self {
        let mut w_total = 0.0;
        let mut m1 = 0.0;
        let mut m2 = 0.0;
        for &(w, m) in components {
            if w > 0.0 && w.is_finite() {
                w_total += w;
                m1 += w * m.mean;
                m2 += w * (m.variance + m.mean * m.mean);
            }
        }
        if w_total <= 0.0 {
            return Moments::ZERO;
        }
        let mean = m1 / w_total;
        Moments::new(mean, m2 / w_total - mean * mean)
    }

    /// The latency of this hop followed by an independent `next` hop.
    pub fn then(self, next: Moments) -> Self {
        self + next
    }

    /// Standard deviation, in seconds.
    pub fn std_dev(&self) -> f64 {
        self.variance.sqrt()
    }

    /// Squared coefficient of variation, variance / mean² (0 for a zero mean).
    pub fn scv(&self) -> f64 {
        if self.mean > 0.0 {
            self.variance / (self.mean * self.mean)
        } else {
            0.0
        }
    }
}

impl Add for Moments {
    type Output = Moments;
    fn add(self, rhs: Moments) -> Moments {
        Moments {
            mean: self.mean + rhs.mean,
            variance: self.variance + rhs.variance,
        }
    }
}

impl AddAssign for Moments {
    fn add_assign(&mut self, rhs: Moments) {
        *self = *self + rhs;
    }
}

impl core::iter::Sum for Moments {
    fn sum<I: Iterator<Item = Moments>>(iter: I) -> Moments {
        iter.fold(Moments::ZERO, Add::add)
    }
}

fn sanitize(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else if x == f64::INFINITY {
        f64::MAX
    } else {
        0.0
    }
}

/// A lognormal distribution: `ln X ~ Normal(mu, sigma²)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogNormal {
    /// Mean of ln X (ln of the median).
    pub mu: f64,
    /// Standard deviation of ln X; positive.
    pub sigma: f64,
}

impl LogNormal {
    /// The lognormal with the given median (seconds) and log-standard-deviation.
    pub fn from_median(median: f64, sigma: f64) -> Self {
        LogNormal {
            mu: libm::log(median),
            sigma: sanitize(sigma),
        }
    }

    /// The median, e^μ.
    pub fn median(&self) -> f64 {
        libm::exp(self.mu)
    }

    /// The mean, e^{μ + σ²/2}.
    pub fn mean(&self) -> f64 {
        libm::exp(self.mu + 0.5 * self.sigma * self.sigma)
    }

    /// The variance, (e^{σ²} − 1)·e^{2μ + σ²}.
    pub fn variance(&self) -> f64 {
        let s2 = self.sigma * self.sigma;
        libm::expm1(s2) * libm::exp(2.0 * self.mu + s2)
    }

    /// Mean and variance together.
    pub fn moments(&self) -> Moments {
        Moments::new(self.mean(), self.variance())
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return 0.0;
        }
        if self.sigma <= 0.0 {
            return if libm::log(x) >= self.mu { 1.0 } else { 0.0 };
        }
        std_normal_cdf((libm::log(x) - self.mu) / self.sigma)
    }

    /// The p-quantile, e^{μ + σ·Φ⁻¹(p)} (0 for p ≤ 0, +∞ for p ≥ 1).
    pub fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() || p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return f64::INFINITY;
        }
        libm::exp(self.mu + self.sigma * std_normal_quantile(p))
    }
}

/// A latency distribution: a point mass or a lognormal.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Distribution {
    /// Every request takes exactly this long (seconds, ≥ 0).
    Point(f64),
    /// A lognormal latency.
    LogNormal(LogNormal),
}

impl Distribution {
    /// The lognormal with the given mean and variance (moment matching:
    /// σ² = ln(1 + v/m²), μ = ln m − σ²/2). A zero (or invalid) variance gives
    /// a point mass at the mean; a zero mean gives a point mass at 0.
    pub fn fit(moments: Moments) -> Self {
        let m = sanitize(moments.mean);
        let v = sanitize(moments.variance);
        if m <= 0.0 || v <= 0.0 {
            return Distribution::Point(m);
        }
        let s2 = libm::log1p(v / (m * m));
        if s2.is_nan() || s2 <= 0.0 {
            return Distribution::Point(m);
        }
        Distribution::LogNormal(LogNormal {
            mu: libm::log(m) - 0.5 * s2,
            sigma: s2.sqrt(),
        })
    }

    /// The mean, in seconds.
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Point(v) => *v,
            Distribution::LogNormal(l) => l.mean(),
        }
    }

    /// The variance, in seconds².
    pub fn variance(&self) -> f64 {
        match self {
            Distribution::Point(_) => 0.0,
            Distribution::LogNormal(l) => l.variance(),
        }
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Distribution::Point(v) => {
                if x >= *v {
                    1.0
                } else {
                    0.0
                }
            }
            Distribution::LogNormal(l) => l.cdf(x),
        }
    }

    /// The p-quantile (p ≤ 0 gives the lower end of the support, p ≥ 1 the
    /// upper end, +∞ for a lognormal).
    pub fn quantile(&self, p: f64) -> f64 {
        match self {
            Distribution::Point(v) => *v,
            Distribution::LogNormal(l) => l.quantile(p),
        }
    }
}

/// A weighted mixture of latency distributions: a request follows component
/// `i` with probability `weight_i / Σ weight`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mixture {
    components: Vec<(f64, Distribution)>,
}

impl Mixture {
    /// An empty mixture.
    pub fn new() -> Self {
        Mixture::default()
    }

    /// An empty mixture with room for `n` components (so that pushing them
    /// does not reallocate).
    pub fn with_capacity(n: usize) -> Self {
        Mixture {
            components: Vec::with_capacity(n),
        }
    }

    /// Adds a component with the given weight; a non-positive or non-finite
    /// weight is ignored.
    pub fn push(&mut self, weight: f64, distribution: Distribution) {
        if weight > 0.0 && weight.is_finite() {
            self.components.push((weight, distribution));
        }
    }

    /// Adds a component fitted to the given moments ([`Distribution::fit`]).
    pub fn push_moments(&mut self, weight: f64, moments: Moments) {
        self.push(weight, Distribution::fit(moments));
    }

    /// Removes every component, keeping the allocation.
    pub fn clear(&mut self) {
        self.components.clear();
    }

    /// The components and their (unnormalised) weights.
    pub fn components(&self) -> &[(f64, Distribution)] {
        &self.components
    }

    /// True if there is no component.
    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Sum of the weights.
    pub fn total_weight(&self) -> f64 {
        self.components.iter().map(|(w, _)| w).sum()
    }

    /// The mean of the mixture (0 if empty).
    pub fn mean(&self) -> f64 {
        let w = self.total_weight();
        if w <= 0.0 {
            return 0.0;
        }
        self.components
            .iter()
            .map(|(wi, d)| wi * d.mean())
            .sum::<f64>()
            / w
    }

    /// Mean and variance of the mixture.
    pub fn moments(&self) -> Moments {
        let (mut w_total, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for (w, d) in &self.components {
            let mean = d.mean();
            w_total += w;
            m1 += w * mean;
            m2 += w * (d.variance() + mean * mean);
        }
        if w_total <= 0.0 {
            return Moments::ZERO;
        }
        let mean = m1 / w_total;
        Moments::new(mean, m2 / w_total - mean * mean)
    }

    /// P(X ≤ x) (0 if empty).
    pub fn cdf(&self, x: f64) -> f64 {
        let w = self.total_weight();
        if w <= 0.0 {
            return 0.0;
        }
        let s: f64 = self.components.iter().map(|(wi, d)| wi * d.cdf(x)).sum();
        (s / w).clamp(0.0, 1.0)
    }

    /// The p-quantile: the smallest x with P(X ≤ x) ≥ p, found by bisection
    /// between the smallest and largest component quantiles at p. `None` if
    /// the mixture is empty; p is clamped to [0, 1] (p ≥ 1 may give +∞).
    pub fn quantile(&self, p: f64) -> Option<f64> {
        if self.components.is_empty() {
            return None;
        }
        let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
        let mut lo = f64::INFINITY;
        let mut hi = 0.0_f64;
        for (_, d) in &self.components {
            let q = d.quantile(p);
            lo = lo.min(q);
            hi = hi.max(q);
        }
        if lo >= hi || !hi.is_finite() {
            return Some(if hi.is_finite() { hi } else { f64::INFINITY });
        }
        // Invariant: cdf(lo) < p ≤ cdf(hi) unless lo already satisfies p.
        if self.cdf(lo) >= p {
            return Some(lo);
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi || hi - lo <= 1e-13 * hi {
                break;
            }
            if self.cdf(mid) >= p {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        // A jump of the CDF (a point mass) inside the final bracket is the
        // exact answer: snap to it.
        let snapped = self
            .components
            .iter()
            .filter_map(|(_, d)| match d {
                Distribution::Point(v) if *v > lo && *v <= hi && self.cdf(*v) >= p => Some(*v),
                _ => None,
            })
            .fold(hi, f64::min);
        Some(snapped)
    }
}

/// Φ(z), the standard normal CDF, as ½·erfc(−z/√2).
pub fn std_normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * core::f64::consts::FRAC_1_SQRT_2)
}

/// Φ⁻¹(p), the standard normal quantile (Wichura's AS 241 followed by one
/// Halley step on `erfc`). Returns ∓∞ at p = 0 and 1; NaN input gives 0.
pub fn std_normal_quantile(p: f64) -> f64 {
    if p.is_nan() {
        return 0.0;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    let mut x = if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        q * (((((((r * 2_509.080_928_730_122_7 + 33_430.575_583_588_13) * r
            + 67_265.770_927_008_7)
            * r
            + 45_921.953_931_549_87)
            * r
            + 13_731.693_765_509_46)
            * r
            + 1_971.590_950_306_551_3)
            * r
            + 133.141_667_891_784_38)
            * r
            + 3.387_132_872_796_366_5)
            / (((((((r * 5_226.495_278_852_546 + 28_729.085_735_721_943) * r
                + 39_307.895_800_092_71)
                * r
                + 21_213.794_301_586_597)
                * r
                + 5_394.196_021_424_751)
                * r
                + 687.187_007_492_057_9)
                * r
                + 42.313_330_701_600_91)
                * r
                + 1.0)
    } else {
        let tail = if q < 0.0 { p } else { 1.0 - p };
        let mut r = (-libm::log(tail)).sqrt();
        let v = if r <= 5.0 {
            r -= 1.6;
            (((((((r * 7.745_450_142_783_414e-4 + 0.022_723_844_989_269_184) * r
                + 0.241_780_725_177_450_6)
                * r
                + 1.270_458_252_452_368_4)
                * r
                + 3.647_848_324_763_204_5)
                * r
                + 5.769_497_221_460_691)
                * r
                + 4.630_337_846_156_545)
                * r
                + 1.423_437_110_749_683_5)
                / (((((((r * 1.050_750_071_644_416_9e-9 + 5.475_938_084_995_345e-4) * r
                    + 0.015_198_666_563_616_457)
                    * r
                    + 0.148_103_976_427_480_08)
                    * r
                    + 0.689_767_334_985_1)
                    * r
                    + 1.676_384_830_183_803_8)
                    * r
                    + 2.053_191_626_637_759)
                    * r
                    + 1.0)
        } else {
            r -= 5.0;
            (((((((r * 2.010_334_399_292_288_1e-7 + 2.711_555_568_743_487_6e-5) * r
                + 0.001_242_660_947_388_078_4)
                * r
                + 0.026_532_189_526_576_124)
                * r
                + 0.296_560_571_828_504_9)
                * r
                + 1.784_826_539_917_291_3)
                * r
                + 5.463_784_911_164_114)
                * r
                + 6.657_904_643_501_103)
                / (((((((r * 2.044_263_103_389_939_7e-15 + 1.421_511_758_316_446e-7) * r
                    + 1.846_318_317_510_054_8e-5)
                    * r
                    + 7.868_691_311_456_133e-4)
                    * r
                    + 0.014_875_361_290_850_615)
                    * r
                    + 0.136_929_880_922_735_8)
                    * r
                    + 0.599_832_206_555_888)
                    * r
                    + 1.0)
        };
        if q < 0.0 {
            -v
        } else {
            v
        }
    };
    // One Halley step polishes the last bits (and guards the coefficients).
    if x.is_finite() {
        let e = std_normal_cdf(x) - p;
        let pdf = libm::exp(-0.5 * x * x) / (2.0 * core::f64::consts::PI).sqrt();
        if pdf > 0.0 {
            let u = e / pdf;
            x -= u / (1.0 + 0.5 * x * u);
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn normal_quantile_matches_reference_values() {
        // Reference values from scipy.stats.norm.ppf.
        let cases = [
            (0.5, 0.0),
            (0.95, 1.644_853_626_951_472_2),
            (0.99, 2.326_347_874_040_840_8),
            (0.3, -0.524_400_512_708_040_9),
            (1e-10, -6.361_340_902_404_056),
            (1e-12, -7.034_483_825_301_131),
            (1e-300, -37.047_096_299_361_2),
        ];
        for (p, z) in cases {
            let got = std_normal_quantile(p);
            assert!(
                (got - z).abs() <= 1e-9 * (1.0 + z.abs()),
                "p={p}: {got} vs {z}"
            );
        }
        for i in 1..1000 {
            let p = i as f64 / 1_000.0;
            let z = std_normal_quantile(p);
            assert!((std_normal_cdf(z) - p).abs() < 1e-14, "p={p}");
        }
    }

    #[test]
    fn moments_add_and_fit_round_trip() {
        let edge = Moments::lognormal(0.020, 0.5);
        let origin = Moments::lognormal(0.040, 0.3);
        let path = edge + origin + Moments::constant(0.001);
        assert!(close(path.mean, edge.mean + origin.mean + 0.001, 1e-15));
        assert!(close(path.variance, edge.variance + origin.variance, 1e-15));
        match Distribution::fit(edge) {
            Distribution::LogNormal(l) => {
                assert!(close(l.median(), 0.020, 1e-12));
                assert!(close(l.sigma, 0.5, 1e-12));
            }
            other => panic!("expected a lognormal, got {other:?}"),
        }
        let d = Distribution::fit(path);
        assert!(close(d.mean(), path.mean, 1e-12));
        assert!(close(d.variance(), path.variance, 1e-10));
    }

    #[test]
    fn degenerate_fits_are_point_masses() {
        assert_eq!(
            Distribution::fit(Moments::constant(0.005)),
            Distribution::Point(0.005)
        );
        assert_eq!(Distribution::fit(Moments::ZERO), Distribution::Point(0.0));
        assert_eq!(
            Distribution::fit(Moments::new(f64::NAN, -1.0)),
            Distribution::Point(0.0)
        );
    }

    #[test]
    fn mixture_quantiles() {
        let mut m = Mixture::new();
        assert_eq!(m.quantile(0.5), None);
        m.push(1.0, Distribution::Point(0.001));
        m.push(1.0, Distribution::Point(0.010));
        assert_eq!(m.quantile(0.25), Some(0.001));
        assert_eq!(m.quantile(0.75), Some(0.010));
        // A single lognormal: mixture quantile equals the closed form.
        let l = LogNormal::from_median(0.020, 0.5);
        let mut single = Mixture::new();
        single.push(3.0, Distribution::LogNormal(l));
        for p in [0.01, 0.5, 0.95, 0.99] {
            let q = single.quantile(p).unwrap();
            assert!(close(q, l.quantile(p), 1e-12), "p={p}");
        }
        // Mixture moments.
        let mm = m.moments();
        assert!(close(mm.mean, 0.0055, 1e-12));
        assert!(close(mm.variance, 0.0045 * 0.0045, 1e-9));
    }
}

//! The engine's seeded random numbers.
//!
//! [`SimRng`] wraps `rand_pcg::Pcg64Mcg` (a named, portable generator; never
//! `SmallRng` or `thread_rng`), seeded through SplitMix64 from a `u64` so that
//! the stream does not depend on any library's seeding routine. Every
//! transform to a distribution uses `libm`, so the same seed gives
//! bit-identical draws natively and in wasm.
//!
//! [`SimRng::stream`] gives each consumer (a PoP, a node, a scenario) its own
//! independent stream derived from the run's seed, so adding a consumer does
//! not shift the draws of the others.
#![deny(missing_docs)]

use rand::RngCore;
use rand_pcg::Pcg64Mcg;

use crate::expo::{floor_below_2_52, TWO_52};

/// Above this mean, [`SimRng::poisson`] uses the normal approximation
/// N(m, m) rounded to the nearest non-negative integer; below it, exact
/// inversion.
pub const POISSON_NORMAL_THRESHOLD: f64 = 30.0;

/// The ziggurat's layers: 256 of them, each of area [`ZIG_V`] under
/// e^(−x²/2), the lowest holding the tail beyond `ZIG_R`.
const ZIG_LAYERS: usize = 256;
/// Where the tail starts for 256 layers.
const ZIG_R: f64 = 3.654_152_885_361_009;
/// The area of each layer for 256 layers.
const ZIG_V: f64 = 4.928_673_233_99e-3;

/// The ziggurat's table: `x[i]` the right edge of layer `i` (`x[0]` the
/// width of the base strip holding the tail, decreasing to `x[256]` = 0)
/// and `f[i]` = e^(−x[i]²/2).
struct Ziggurat {
    x: [f64; ZIG_LAYERS + 1],
    f: [f64; ZIG_LAYERS + 1],
}

/// The ziggurat's table, computed once (with `libm`, so identical on
/// every target).
fn ziggurat() -> &'static Ziggurat {
    static TABLE: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let pdf = |x: f64| libm::exp(-0.5 * x * x);
        let mut x = [0.0; ZIG_LAYERS + 1];
        x[0] = ZIG_V / pdf(ZIG_R);
        x[1] = ZIG_R;
        for i in 2..ZIG_LAYERS {
            x[i] = (-2.0 * libm::log(ZIG_V / x[i - 1] + pdf(x[i - 1]))).sqrt();
        }
        x[ZIG_LAYERS] = 0.0;
        let mut f = [0.0; ZIG_LAYERS + 1];
        for (fi, &xi) in f.iter_mut().zip(&x) {
            *fi = pdf(xi);
        }
        Ziggurat { x, f }
    })
}

/// The project's seeded random number generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRng(Pcg64Mcg);

impl SimRng {
    /// A generator for the given seed.
    pub fn new(seed: u64) -> Self {
        let mut s = seed;
        let hi = splitmix64(&mut s);
        let lo = splitmix64(&mut s);
        SimRng(Pcg64Mcg::new((u128::from(hi) << 64) | u128::from(lo)))
    }

    /// An independent generator for consumer `stream` of the run seeded with
    /// `seed`.
    pub fn stream(seed: u64, stream: u64) -> Self {
        let mut t = stream ^ 0xD1B5_4A32_D192_ED03;
        let mixed = seed ^ splitmix64(&mut t);
        SimRng::new(mixed)
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw in the open interval (0, 1).
    pub fn uniform_open(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (clamped to [0, 1]).
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// An exponential draw with the given rate (mean 1/rate), by inversion;
    /// +∞ for a rate that is not positive.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        if rate.is_nan() || rate <= 0.0 {
            return f64::INFINITY;
        }
        -libm::log(self.uniform_open()) / rate
    }

    /// A standard normal draw by the ziggurat method with 256 layers. One
    /// 64-bit draw picks the layer (low 8 bits) and the position in it
    /// (top 53 bits); about 99 % of draws end there, with
    /// no `exp` or `log`. The rest test the wedge under the curve (one
    /// `exp`) or draw from the tail beyond R ≈ 3.654 (two `log`s a try).
    /// Exact: the layers have equal areas, so no layer is favoured.
    #[inline]
    pub fn standard_normal(&mut self) -> f64 {
        // The common case inline; a draw outside its layer's rectangle goes
        // on in `standard_normal_edge`, the same loop.
        let (i, u, x) = self.ziggurat_try();
        if x.abs() < ziggurat().x[i + 1] {
            return x;
        }
        self.standard_normal_edge(i, u, x)
    }

    /// One try of the ziggurat: the layer, the signed position in it, and
    /// the point.
    #[inline(always)]
    fn ziggurat_try(&mut self) -> (usize, f64, f64) {
        let bits = self.0.next_u64();
        let i = (bits & 0xff) as usize;
        // Signed position in (−1, 1), from bits independent of `i`.
        let u = ((bits >> 11) as f64 + 0.5) * (2.0 / (1u64 << 53) as f64) - 1.0;
        (i, u, ziggurat().x[i] * u)
    }

    /// [`SimRng::standard_normal`] after a try `(i, u, x)` that fell outside
    /// its layer's rectangle: the tail or the wedge, then new tries.
    #[cold]
    #[inline(never)]
    fn standard_normal_edge(&mut self, i: usize, u: f64, x: f64) -> f64 {
        let z = ziggurat();
        let (mut i, mut u, mut x) = (i, u, x);
        loop {
            if i == 0 {
                return self.normal_tail(u < 0.0);
            }
            let y = z.f[i + 1] + self.uniform() * (z.f[i] - z.f[i + 1]);
            if y < libm::exp(-0.5 * x * x) {
                return x;
            }
            (i, u, x) = self.ziggurat_try();
            if x.abs() < z.x[i + 1] {
                return x;
            }
        }
    }

    /// A standard normal draw beyond ±[`ZIG_R`]: an exponential step past
    /// R, kept with probability e^(−a²/2) (the test `2b > a²` below).
    fn normal_tail(&mut self, negative: bool) -> f64 {
        loop {
            let a = -libm::log(self.uniform_open()) / ZIG_R;
            let b = -libm::log(self.uniform_open());
            if 2.0 * b > a * a {
                return if negative { -(ZIG_R + a) } else { ZIG_R + a };
            }
        }
    }

    /// A normal draw with the given mean and standard deviation.
    pub fn normal(&mut self, mean: f64, std_dev: f64) -> f64 {
        mean + std_dev * self.standard_normal()
    }

    /// A lognormal draw, e^{μ + σZ}.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        libm::exp(mu + sigma * self.standard_normal())
    }

    /// A Poisson count with the given mean: exact inversion below
    /// [`POISSON_NORMAL_THRESHOLD`], the normal approximation above it.
    /// 0 for a mean that is not positive.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean.is_nan() || mean <= 0.0 {
            return 0;
        }
        if mean >= POISSON_NORMAL_THRESHOLD {
            return normal_count(mean, self.standard_normal());
        }
        self.poisson_by_inversion(mean)
    }

    /// [`SimRng::poisson`] as a float (the same draws, the same count;
    /// without the round trip through an unsigned integer, which costs
    /// more than the draw on some targets).
    pub fn poisson_f64(&mut self, mean: f64) -> f64 {
        if mean.is_nan() || mean <= 0.0 {
            return 0.0;
        }
        if mean >= POISSON_NORMAL_THRESHOLD {
            let z = self.standard_normal();
            let x = mean + mean.sqrt() * z;
            let y = (x + 0.5).max(0.0);
            // As `normal_count` rounds it (truncating toward zero): below
            // 2⁵² without converting to an integer and back; below 2⁶³ a
            // signed conversion truncates the same way.
            return if y < TWO_52 {
                floor_below_2_52(y)
            } else if y < 9.2e18 {
                (y as i64) as f64
            } else {
                y as u64 as f64
            };
        }
        self.poisson_by_inversion(mean) as f64
    }

    /// A Poisson count by inversion of its CDF (small means).
    fn poisson_by_inversion(&mut self, mean: f64) -> u64 {
        let u = self.uniform();
        let mut p = libm::exp(-mean);
        let mut f = p;
        let mut k = 0u64;
        while u > f && k < 1000 {
            k += 1;
            p *= mean / k as f64;
            f += p;
        }
        k
    }
}

impl RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.0.fill_bytes(dst)
    }
}

/// A Poisson count of large `mean` from a standard normal draw `z`.
fn normal_count(mean: f64, z: f64) -> u64 {
    let x = mean + mean.sqrt() * z;
    // Rounded half up: `as` truncates toward zero, which is the floor of a
    // non-negative number, and saturates (+∞ becomes u64::MAX; NaN and
    // negatives are clamped to 0 first).
    (x + 0.5).max(0.0) as u64
}

/// SplitMix64: advances `state` by a fixed odd step and returns it mixed
/// by two xor-shift-multiply rounds, a well-mixed 64-bit value.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::new(42);
        let mut b = SimRng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(SimRng::new(1).next_u64(), SimRng::new(2).next_u64());
        assert_ne!(
            SimRng::stream(7, 0).next_u64(),
            SimRng::stream(7, 1).next_u64()
        );
    }

    /// `poisson_f64` draws what `poisson` draws, by inversion and by the
    /// normal approximation, up to means past 2⁶³ (where the count
    /// saturates).
    #[test]
    fn poisson_as_a_float_is_the_same_count() {
        let mut a = SimRng::new(11);
        let mut b = SimRng::new(11);
        for k in 0..20_000 {
            let mean = match k % 5 {
                0 => 0.5 + f64::from(k % 29),
                1 => 30.0 + f64::from(k),
                2 => 4.0e4 * f64::from(k % 7),
                3 => 1.0e19,
                _ => f64::from(k) * 1e9,
            };
            assert_eq!(a.poisson(mean) as f64, b.poisson_f64(mean), "mean {mean}");
        }
        assert_eq!(b.poisson_f64(f64::NAN), 0.0);
        assert_eq!(b.poisson_f64(-1.0), 0.0);
    }

    #[test]
    fn first_draws_are_pinned() {
        // Pins the streams bit for bit: a change here changes every seeded
        // report (and breaks native/wasm agreement if it differs by target).
        let mut r = SimRng::new(0);
        assert_eq!(
            [r.next_u64(), r.next_u64()],
            [0x98b3_8b34_f7b4_617d, 0x5a6a_da5d_4326_cf9d]
        );
        let mut r = SimRng::new(0);
        assert_eq!(r.exponential(1.0).to_bits(), 0x3fe0_88c0_ad51_6e4f);
        assert_eq!(r.standard_normal().to_bits(), 0xbfd9_321d_6c0f_1caf);
        assert_eq!(r.poisson(3.0), 4);
        assert_eq!(r.poisson(1000.0), 989);
        assert_eq!(SimRng::stream(0, 1).next_u64(), 0x187c_4680_8903_7a8f);
    }

    #[test]
    fn degenerate_parameters() {
        let mut r = SimRng::new(3);
        assert_eq!(r.exponential(0.0), f64::INFINITY);
        assert_eq!(r.exponential(f64::NAN), f64::INFINITY);
        assert_eq!(r.poisson(0.0), 0);
        assert_eq!(r.poisson(-1.0), 0);
        assert_eq!(r.poisson(f64::NAN), 0);
        assert!(!r.chance(0.0));
        assert!(r.chance(1.0));
    }

    #[test]
    fn the_ziggurat_table_closes() {
        // Built downwards from the tail, the layers must end at the top
        // with the same area: the top layer's rectangle x[255]·(1 − f)
        // equals V (to the precision of the published R and V).
        let z = ziggurat();
        let top = z.x[ZIG_LAYERS - 1] * (1.0 - z.f[ZIG_LAYERS - 1]);
        assert!((top / ZIG_V - 1.0).abs() < 1e-8, "{top}");
        // The base strip: the rectangle under f(R) plus the tail.
        let tail = (core::f64::consts::PI / 2.0).sqrt() * libm::erfc(ZIG_R / 2f64.sqrt());
        assert!(((ZIG_R * z.f[1] + tail) / ZIG_V - 1.0).abs() < 1e-8);
        assert!(z.x.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn standard_normal_has_the_normal_distribution() {
        // 400,000 draws in 24 bins of width 0.25 over [−3, 3] plus the two
        // tails: Pearson's χ² against the exact probabilities (25 degrees
        // of freedom: the 0.1 % critical value is 52.6); and the tails
        // beyond the ziggurat's R are drawn at their rate (2·Φ(−R) ≈
        // 2.6·10⁻⁴, so ≈ 103 of 400,000).
        let n = 400_000;
        let mut r = SimRng::new(2026);
        let mut bins = [0u32; 26];
        let mut beyond_r = 0;
        let mut sum = 0.0;
        let mut sum_sq = 0.0;
        for _ in 0..n {
            let x = r.standard_normal();
            sum += x;
            sum_sq += x * x;
            if x.abs() > ZIG_R {
                beyond_r += 1;
            }
            let b = if x < -3.0 {
                0
            } else if x >= 3.0 {
                25
            } else {
                1 + ((x + 3.0) / 0.25) as usize
            };
            bins[b] += 1;
        }
        let phi = |x: f64| 0.5 * libm::erfc(-x / 2f64.sqrt());
        let mut chi2 = 0.0;
        for (b, &count) in bins.iter().enumerate() {
            let (lo, hi) = match b {
                0 => (f64::NEG_INFINITY, -3.0),
                25 => (3.0, f64::INFINITY),
                _ => (-3.0 + 0.25 * (b - 1) as f64, -3.0 + 0.25 * b as f64),
            };
            let p = phi(hi) - phi(lo);
            let expected = p * f64::from(n);
            chi2 += (f64::from(count) - expected).powi(2) / expected;
        }
        assert!(chi2 < 52.6, "χ² = {chi2}, bins {bins:?}");
        let mean = sum / f64::from(n);
        let var = sum_sq / f64::from(n) - mean * mean;
        assert!(mean.abs() < 4.0 / f64::from(n).sqrt(), "{mean}");
        assert!((var - 1.0).abs() < 0.01, "{var}");
        let expected_tail = 2.0 * phi(-ZIG_R) * f64::from(n);
        let got = f64::from(beyond_r);
        assert!(
            (got - expected_tail).abs() < 4.0 * expected_tail.sqrt(),
            "{got} vs {expected_tail}"
        );
    }

    #[test]
    fn poisson_has_the_poisson_mean_and_variance() {
        // 20,000 draws of mean 10,000 (the normal branch): the sample mean
        // within 4 standard errors (4·√(10⁴/2·10⁴) ≈ 2.8) and the variance
        // within 5 %; consecutive draws uncorrelated.
        let mut r = SimRng::new(11);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| r.poisson(10_000.0) as f64).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        assert!((mean - 10_000.0).abs() < 2.9, "{mean}");
        assert!((var / 10_000.0 - 1.0).abs() < 0.05, "{var}");
        let cov = xs
            .windows(2)
            .map(|p| (p[0] - mean) * (p[1] - mean))
            .sum::<f64>()
            / (n - 1) as f64;
        assert!((cov / var).abs() < 0.05, "{}", cov / var);
    }
}

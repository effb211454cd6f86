//! External traffic: the rate profile over time and its spread over edge
//! locations (PoPs).
//!
//! A [`Profile`] is piecewise in time: it starts at a rate and then holds,
//! ramps linearly or decays geometrically to a new rate by given times; after
//! its last piece it holds the last rate. [`pop_shares`] spreads traffic over
//! PoPs with a Zipf-like skew, and [`PopGroups`] bundles PoPs of similar
//! share so the CDN model keeps one state machine per group, not per PoP.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How the rate moves during one piece of a [`Profile`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Stays at the rate the piece starts with.
    Hold,
    /// Moves in a straight line to `to_rps`.
    Linear {
        /// Rate at the end of the piece (requests per second).
        to_rps: f64,
    },
    /// Moves geometrically (a constant factor per second) to `to_rps`: a
    /// burst decaying, or a surge growing like word of mouth.
    Geometric {
        /// Rate at the end of the piece (requests per second).
        to_rps: f64,
    },
    /// Jumps to `to_rps` at the start of the piece and holds it.
    Step {
        /// Rate during the piece (requests per second).
        to_rps: f64,
    },
}

/// One piece of a profile: a shape that lasts until `until_s`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    /// End of the piece, seconds from the start of the run.
    pub until_s: f64,
    /// How the rate moves during it.
    pub shape: Shape,
}

/// A piecewise external traffic profile (requests per second over time).
///
/// ```
/// use sim::engine::Profile;
/// let p = Profile::starting_at(30.0)
///     .hold(300.0)
///     .ramp_to(480.0, 30_000.0)
///     .decay_to(3600.0, 5_000.0);
/// assert_eq!(p.rate_at(100.0), 30.0);
/// assert!((p.rate_at(390.0) - 15_015.0).abs() < 1e-6);
/// assert!((p.rate_at(3600.0) - 5_000.0).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Rate at time 0.
    pub start_rps: f64,
    /// The pieces in time order.
    pub pieces: Vec<Piece>,
}

/// Why a profile could not be read from text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

/// A rate that is a finite number ≥ 0 (anything else counts as 0).
pub(crate) fn clean_rate(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

impl Profile {
    /// The same rate for the whole run.
    pub fn constant(rps: f64) -> Self {
        Profile {
            start_rps: clean_rate(rps),
            pieces: Vec::new(),
        }
    }

    /// A profile that starts at `rps`; add pieces with the builder methods.
    pub fn starting_at(rps: f64) -> Self {
        Profile::constant(rps)
    }

    /// Holds the current rate until `until_s`.
    pub fn hold(self, until_s: f64) -> Self {
        self.piece(until_s, Shape::Hold)
    }

    /// Ramps linearly to `rps` by `until_s`.
    pub fn ramp_to(self, until_s: f64, rps: f64) -> Self {
        self.piece(until_s, Shape::Linear { to_rps: rps })
    }

    /// Moves geometrically to `rps` by `until_s` (a decay when `rps` is
    /// lower).
    pub fn decay_to(self, until_s: f64, rps: f64) -> Self {
        self.piece(until_s, Shape::Geometric { to_rps: rps })
    }

    /// Jumps to `rps` and holds it until `until_s`.
    pub fn step_to(self, until_s: f64, rps: f64) -> Self {
        self.piece(until_s, Shape::Step { to_rps: rps })
    }

    /// Adds a piece.
    pub fn piece(mut self, until_s: f64, shape: Shape) -> Self {
        self.pieces.push(Piece { until_s, shape });
        self
    }

    /// Reads a profile from text: `constant:RPS`, or a list of
    /// `SECONDS=RPS` points joined by commas with `ramp:` in front
    /// (`ramp:0=30,300=30,480=30000`) for straight lines between them.
    pub fn parse(text: &str) -> Result<Self, ProfileError> {
        let text = text.trim();
        let number = |s: &str, what: &str| -> Result<f64, ProfileError> {
            match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(ProfileError(format!(
                    "{what} must be a number of at least 0, not “{}”",
                    s.trim()
                ))),
            }
        };
        if let Some(rest) = text.strip_prefix("constant:") {
            return Ok(Profile::constant(number(rest, "The rate")?));
        }
        if let Some(rest) = text.strip_prefix("ramp:") {
            let mut points = Vec::new();
            for part in rest.split(',') {
                let (t, r) = part.split_once('=').ok_or_else(|| {
                    ProfileError(format!(
                        "Each ramp point is SECONDS=RPS; “{}” is not",
                        part.trim()
                    ))
                })?;
                points.push((number(t, "A time")?, number(r, "A rate")?));
            }
            let Some(&(_, first)) = points.first() else {
                return Err(ProfileError("A ramp needs at least one point".into()));
            };
            let mut p = Profile::starting_at(first);
            let mut last_t = f64::NEG_INFINITY;
            for &(t, r) in &points {
                if t < last_t {
                    return Err(ProfileError(
                        "Ramp points must be in time order".to_string(),
                    ));
                }
                last_t = t;
                p = p.ramp_to(t, r);
            }
            return Ok(p);
        }
        Err(ProfileError(format!(
            "A profile is “constant:RPS” or “ramp:T=RPS,T=RPS,…”; “{text}” is neither"
        )))
    }

    /// The rate at time `t` seconds (≥ 0, finite).
    pub fn rate_at(&self, t: f64) -> f64 {
        let mut from_t = 0.0;
        let mut rate = clean_rate(self.start_rps);
        for piece in &self.pieces {
            let until = if piece.until_s.is_finite() {
                piece.until_s.max(from_t)
            } else {
                from_t
            };
            if t < until {
                return clean_rate(piece_rate(piece.shape, rate, from_t, until, t));
            }
            rate = end_rate(piece.shape, rate);
            from_t = until;
        }
        rate
    }

    /// The largest rate the profile reaches at any time.
    pub fn peak(&self) -> f64 {
        let mut rate = clean_rate(self.start_rps);
        let mut peak = rate;
        for piece in &self.pieces {
            rate = end_rate(piece.shape, rate);
            peak = peak.max(rate);
        }
        peak
    }
}

fn end_rate(shape: Shape, rate: f64) -> f64 {
    match shape {
        Shape::Hold => rate,
        Shape::Linear { to_rps } | Shape::Geometric { to_rps } | Shape::Step { to_rps } => {
            clean_rate(to_rps)
        }
    }
}

fn piece_rate(shape: Shape, start: f64, t0: f64, t1: f64, t: f64) -> f64 {
    let frac = if t1 > t0 {
        ((t - t0) / (t1 - t0)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    match shape {
        Shape::Hold => start,
        Shape::Step { to_rps } => clean_rate(to_rps),
        Shape::Linear { to_rps } => start + (clean_rate(to_rps) - start) * frac,
        Shape::Geometric { to_rps } => {
            let end = clean_rate(to_rps);
            if start <= 0.0 || end <= 0.0 {
                start + (end - start) * frac
            } else {
                libm::exp(libm::log(start) + (libm::log(end) - libm::log(start)) * frac)
            }
        }
    }
}

/// Reads of a geometric piece between two exact computations of its rate.
const GEO_EXACT_EVERY: u32 = 64;

/// A profile prepared for reading at increasing times: each piece's bounds
/// and logarithms are computed once, so a tick costs at most one `exp`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProfileCursor {
    /// (start time, end time, start rate, end rate, ln start, ln end, shape)
    pieces: Vec<(f64, f64, f64, f64, f64, f64, Shape)>,
    /// Per piece: the geometric rate's ratio per second.
    ratio: Vec<f64>,
    last: f64,
    at: usize,
    prev_t: f64,
    /// A geometric piece read second after second: (piece, time, rate,
    /// reads since the rate was last computed exactly).
    geo: Option<(usize, f64, f64, u32)>,
}

impl ProfileCursor {
    pub(crate) fn new(p: &Profile) -> Self {
        let mut pieces = Vec::with_capacity(p.pieces.len());
        let mut from_t = 0.0;
        let mut rate = clean_rate(p.start_rps);
        for piece in &p.pieces {
            let until = if piece.until_s.is_finite() {
                piece.until_s.max(from_t)
            } else {
                from_t
            };
            let end = end_rate(piece.shape, rate);
            let ln = |x: f64| if x > 0.0 { libm::log(x) } else { 0.0 };
            pieces.push((from_t, until, rate, end, ln(rate), ln(end), piece.shape));
            rate = end;
            from_t = until;
        }
        let ratio = pieces
            .iter()
            .map(|&(t0, t1, _, _, l0, l1, _)| {
                if t1 > t0 {
                    libm::exp((l1 - l0) / (t1 - t0))
                } else {
                    1.0
                }
            })
            .collect();
        ProfileCursor {
            ratio,
            pieces,
            last: rate,
            at: 0,
            prev_t: f64::NEG_INFINITY,
            geo: None,
        }
    }

    /// The rate at `t`; `t` must not decrease between calls (a smaller `t`
    /// restarts the search from the first piece).
    pub(crate) fn rate_at(&mut self, t: f64) -> f64 {
        if t < self.prev_t {
            self.at = 0;
        }
        self.prev_t = t;
        while self.at < self.pieces.len() && t >= self.pieces[self.at].1 {
            self.at += 1;
        }
        let Some(&(t0, t1, r0, r1, l0, l1, shape)) = self.pieces.get(self.at) else {
            return self.last;
        };
        // Where `t` is in the piece, computed only by the shapes that read
        // it (a division: most reads are of a held rate or of a geometric
        // piece read second after second).
        let frac = || {
            if t1 > t0 {
                ((t - t0) / (t1 - t0)).clamp(0.0, 1.0)
            } else {
                1.0
            }
        };
        clean_rate(match shape {
            Shape::Hold => r0,
            Shape::Step { .. } => r1,
            Shape::Linear { .. } => r0 + (r1 - r0) * frac(),
            Shape::Geometric { .. } => {
                if r0 <= 0.0 || r1 <= 0.0 {
                    r0 + (r1 - r0) * frac()
                } else {
                    self.geometric(t, t0, t1, l0, l1, frac)
                }
            }
        })
    }

    /// A geometric piece's rate at `t`. Read a second after the last read,
    /// it is the last rate times the piece's ratio per second (one `exp`
    /// per second is most of a quiet tick otherwise), recomputed exactly
    /// every [`GEO_EXACT_EVERY`] reads: the relative error stays within
    /// 10⁻¹⁴.
    fn geometric(
        &mut self,
        t: f64,
        t0: f64,
        t1: f64,
        l0: f64,
        l1: f64,
        frac: impl FnOnce() -> f64,
    ) -> f64 {
        if let Some((piece, prev, rate, n)) = self.geo {
            if piece == self.at && t == prev + 1.0 && n < GEO_EXACT_EVERY && t1 > t0 {
                let r = rate * self.ratio[piece];
                self.geo = Some((piece, t, r, n + 1));
                return r;
            }
        }
        let r = libm::exp(l0 + (l1 - l0) * frac());
        self.geo = Some((self.at, t, r, 0));
        r
    }
}

/// The share of external traffic each of `pops` PoPs receives, largest
/// first: share_i ∝ 1/i^skew (Zipf), normalised to sum to 1. `skew` 0 is an
/// even spread. At least one PoP.
pub fn pop_shares(pops: u32, skew: f64) -> Vec<f64> {
    let n = pops.clamp(1, 10_000) as usize;
    let s = if skew.is_finite() {
        skew.clamp(0.0, 5.0)
    } else {
        0.0
    };
    let raw: Vec<f64> = (1..=n).map(|i| libm::pow(i as f64, -s)).collect();
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

/// PoPs bundled into at most a few groups of similar share: the CDN keeps
/// one state machine (version, expiry, fetch in flight) per group, valid for
/// every PoP in it.
#[derive(Clone, Debug, PartialEq)]
pub struct PopGroups {
    /// Per group: (number of PoPs, total share of traffic).
    pub groups: Vec<(u32, f64)>,
}

impl PopGroups {
    /// Groups the PoPs of [`pop_shares`] into at most `max_groups`
    /// contiguous runs of equal count (largest shares first).
    pub fn new(pops: u32, skew: f64, max_groups: usize) -> Self {
        let shares = pop_shares(pops, skew);
        let g = max_groups.clamp(1, shares.len());
        let mut groups = Vec::with_capacity(g);
        let n = shares.len();
        for k in 0..g {
            let lo = k * n / g;
            let hi = (k + 1) * n / g;
            let share: f64 = shares[lo..hi].iter().sum();
            groups.push(((hi - lo) as u32, share));
        }
        PopGroups { groups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_pieces() {
        let p = Profile::starting_at(10.0)
            .hold(10.0)
            .ramp_to(20.0, 110.0)
            .decay_to(30.0, 11.0)
            .step_to(40.0, 5.0);
        assert_eq!(p.rate_at(5.0), 10.0);
        assert!((p.rate_at(15.0) - 60.0).abs() < 1e-9);
        assert!((p.rate_at(25.0) - libm::sqrt(110.0 * 11.0)).abs() < 1e-9);
        assert_eq!(p.rate_at(35.0), 5.0);
        assert_eq!(p.rate_at(1e9), 5.0);
        assert_eq!(p.peak(), 110.0);
        assert_eq!(Profile::constant(f64::NAN).rate_at(1.0), 0.0);
    }

    #[test]
    fn cursor_matches_rate_at() {
        let p = Profile::starting_at(10.0)
            .hold(10.0)
            .ramp_to(20.0, 110.0)
            .decay_to(30.0, 11.0)
            .step_to(40.0, 5.0);
        let mut c = ProfileCursor::new(&p);
        for k in 0..100 {
            let t = f64::from(k) * 0.5;
            assert_eq!(c.rate_at(t).to_bits(), p.rate_at(t).to_bits(), "t={t}");
        }
        assert_eq!(c.rate_at(0.0), 10.0);
    }

    #[test]
    fn cursor_read_each_second_stays_within_1e_14_of_rate_at() {
        // A 40-minute decay read at every tick's middle, as the engine does:
        // the per-second ratio stands in for most `exp`s.
        let p = Profile::starting_at(45_000.0).decay_to(2_400.0, 5_000.0);
        let mut c = ProfileCursor::new(&p);
        let mut worst: f64 = 0.0;
        for k in 0..2_400 {
            let t = f64::from(k) + 0.5;
            let exact = p.rate_at(t);
            worst = worst.max((c.rate_at(t) / exact - 1.0).abs());
        }
        assert!(worst < 1e-14, "{worst:e}");
        assert!(worst > 0.0, "the ratio path was not taken");
    }

    #[test]
    fn parse_profiles() {
        assert_eq!(Profile::parse("constant:500"), Ok(Profile::constant(500.0)));
        let p = Profile::parse("ramp:0=10,100=20").unwrap();
        assert!((p.rate_at(50.0) - 15.0).abs() < 1e-12);
        assert!(Profile::parse("constant:-1").is_err());
        assert!(Profile::parse("burst").is_err());
        assert!(Profile::parse("ramp:10=1,5=2").is_err());
        assert!(Profile::parse("ramp:").is_err());
    }

    #[test]
    fn pop_shares_sum_to_one_and_groups_cover_all() {
        let s = pop_shares(40, 1.0);
        assert_eq!(s.len(), 40);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(s[0] > s[39]);
        let g = PopGroups::new(40, 1.0, 8);
        assert_eq!(g.groups.len(), 8);
        assert_eq!(g.groups.iter().map(|x| x.0).sum::<u32>(), 40);
        assert!((g.groups.iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(PopGroups::new(0, 1.0, 8).groups.len(), 1);
    }
}

//! What a run puts a design through: duration, traffic, updates, faults.
//!
//! [`Scenario`] is filled with builder methods (for code and tests) or from
//! a [`RunSpec`] (the serde form a kata file carries, in minutes).

use serde::{Deserialize, Serialize};

use super::faults::{Fault, FaultKind};
use super::traffic::{clean_rate, Profile, Shape};
use crate::rng::SimRng;

/// A reporting window: quantiles and counts over `[from_s, to_s)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Name used in the report ("incident", "surge").
    pub name: String,
    /// Start, seconds.
    pub from_s: f64,
    /// End (exclusive), seconds.
    pub to_s: f64,
}

/// How a service's time per request varies (a test-level override: the
/// design catalogue only has the mean).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Override {
    /// Every network hop (readers' and the operator's network, the CDN's
    /// edge-to-origin network) takes no time: for validating queues alone.
    ZeroNetwork,
    /// The service time of node `node` has squared coefficient of variation
    /// `scv` (0 deterministic, 1 exponential — the default — 4 highly
    /// variable). Waiting follows Pollaczek–Khinchine (one worker) or the
    /// Allen–Cunneen scaling of Erlang C (several).
    ServiceScv {
        /// The node id.
        node: String,
        /// C_s², at least 0.
        scv: f64,
    },
    /// Each instance of API node `node` runs `workers` workers instead of
    /// what its size gives (the catalogue's sizes have 2, 4, 8 or 16): for
    /// validating single-server queues.
    Workers {
        /// The node id.
        node: String,
        /// Workers per instance, at least 1.
        workers: u32,
    },
}

/// Everything a run needs besides the design and the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Length of the run, seconds (one tick per second).
    pub duration_s: u32,
    /// External readers' request rate over time (all Users nodes together).
    pub profile: Profile,
    /// Number of CDN edge locations readers are spread over.
    pub pops: u32,
    /// Zipf skew of the spread (0 even, 1 typical).
    pub pop_skew: f64,
    /// When the operator posts updates, seconds (each is one write).
    pub updates_s: Vec<f64>,
    /// Staff tools' read rate (all internal users together), per second.
    pub internal_rps: f64,
    /// Faults, in any order.
    pub faults: Vec<Fault>,
    /// Poisson noise on the external rate, drawn from the seed.
    pub noise: bool,
    /// Size of the page readers fetch, kilobytes (for per-GB charges).
    pub page_kb: f64,
    /// Extra reporting windows (the whole run is always reported).
    pub windows: Vec<Window>,
    /// Test-level overrides of the model.
    pub overrides: Vec<Override>,
    /// Seconds between points of the per-tick series in the report.
    pub series_every_s: u32,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::new(3600)
    }
}

impl Scenario {
    /// A run of `duration_s` seconds with no traffic yet: 40 PoPs with skew
    /// 1, no updates, no internal reads, no faults, no noise, 100 KB pages,
    /// a series point every 10 s.
    pub fn new(duration_s: u32) -> Self {
        Scenario {
            duration_s,
            profile: Profile::constant(0.0),
            pops: 40,
            pop_skew: 1.0,
            updates_s: Vec::new(),
            internal_rps: 0.0,
            faults: Vec::new(),
            noise: false,
            page_kb: 100.0,
            windows: Vec::new(),
            overrides: Vec::new(),
            series_every_s: 10,
        }
    }

    /// A plain run: a constant external rate for `duration_s` seconds.
    pub fn constant(rps: f64, duration_s: u32) -> Self {
        Scenario::new(duration_s).profile(Profile::constant(rps))
    }

    /// Sets the external profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Sets the number of PoPs and their skew.
    pub fn pops(mut self, pops: u32, skew: f64) -> Self {
        self.pops = pops;
        self.pop_skew = skew;
        self
    }

    /// Sets the operator's update times (seconds).
    pub fn updates_at(mut self, times_s: Vec<f64>) -> Self {
        self.updates_s = times_s;
        self
    }

    /// Sets the staff tools' read rate.
    pub fn internal_rps(mut self, rps: f64) -> Self {
        self.internal_rps = clean_rate(rps);
        self
    }

    /// Adds a fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Turns Poisson noise on the external rate on or off.
    pub fn noise(mut self, on: bool) -> Self {
        self.noise = on;
        self
    }

    /// Sets the page size in kilobytes.
    pub fn page_kb(mut self, kb: f64) -> Self {
        self.page_kb = kb;
        self
    }

    /// Adds a reporting window.
    pub fn window(mut self, name: &str, from_s: f64, to_s: f64) -> Self {
        self.windows.push(Window {
            name: name.to_string(),
            from_s,
            to_s,
        });
        self
    }

    /// Adds a model override.
    pub fn with_override(mut self, o: Override) -> Self {
        self.overrides.push(o);
        self
    }

    /// Sets the series spacing (seconds, at least 1).
    pub fn series_every(mut self, seconds: u32) -> Self {
        self.series_every_s = seconds.max(1);
        self
    }

    /// Update times from `first_s`, then gaps drawn uniformly in
    /// `[min_gap_s, max_gap_s]` from `seed`, up to (not including) `until_s`.
    pub fn seeded_updates(
        first_s: f64,
        min_gap_s: f64,
        max_gap_s: f64,
        until_s: f64,
        seed: u64,
    ) -> Vec<f64> {
        let mut rng = SimRng::stream(seed, 0x5550_4441_5445);
        let lo = if min_gap_s.is_finite() {
            min_gap_s.max(1.0)
        } else {
            1.0
        };
        let hi = if max_gap_s.is_finite() {
            max_gap_s.max(lo)
        } else {
            lo
        };
        let mut out = Vec::new();
        let mut t = first_s;
        while t.is_finite() && t < until_s && out.len() < 100_000 {
            out.push(t);
            t += libm::round(lo + (hi - lo) * rng.uniform());
        }
        out
    }
}

/// A kata's run, as written in its JSON file (times in minutes). The kata
/// module turns it into a [`Scenario`] with [`RunSpec::scenario`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Length of the run, minutes.
    pub minutes: f64,
    /// External rate at minute 0.
    pub start_rps: f64,
    /// The profile's pieces after the start.
    #[serde(default)]
    pub profile: Vec<ProfilePoint>,
    /// Number of PoPs.
    #[serde(default = "default_pops")]
    pub pops: u32,
    /// Zipf skew of the PoP spread.
    #[serde(default = "default_skew")]
    pub pop_skew: f64,
    /// The operator's schedule.
    #[serde(default)]
    pub updates: Option<UpdateSpec>,
    /// Staff tools' reads per second.
    #[serde(default)]
    pub internal_rps: f64,
    /// Poisson noise on the external rate.
    #[serde(default)]
    pub noise: bool,
    /// Page size, kilobytes.
    #[serde(default = "default_page_kb")]
    pub page_kb: f64,
    /// Named windows, minutes.
    #[serde(default)]
    pub windows: Vec<WindowSpec>,
    /// Faults, minutes.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

fn default_pops() -> u32 {
    40
}
fn default_skew() -> f64 {
    1.0
}
fn default_page_kb() -> f64 {
    100.0
}

/// One piece of a kata's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfilePoint {
    /// End of the piece, minutes.
    pub until_min: f64,
    /// `hold`, `ramp` (linear), `decay` (geometric) or `step`.
    pub shape: String,
    /// Rate at the end of the piece (ignored for `hold`).
    #[serde(default)]
    pub rps: f64,
}

/// The operator's schedule in a kata file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateSpec {
    /// First update, minutes.
    pub first_min: f64,
    /// Gaps between updates, minutes: drawn uniformly in [min, max] from the
    /// run's seed.
    pub every_min: [f64; 2],
}

/// A named window in a kata file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Name.
    pub name: String,
    /// Start, minutes.
    pub from_min: f64,
    /// End, minutes.
    pub to_min: f64,
}

/// A fault in a kata file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// When, minutes.
    pub at_min: f64,
    /// What goes wrong.
    pub kind: FaultKind,
}

impl RunSpec {
    /// The scenario this spec describes, with the update times drawn from
    /// `seed`. Unknown profile shapes are reported in words.
    pub fn scenario(&self, seed: u64) -> Result<Scenario, String> {
        let minutes = if self.minutes.is_finite() {
            self.minutes.clamp(0.0, 7.0 * 24.0 * 60.0)
        } else {
            0.0
        };
        let duration_s = libm::round(minutes * 60.0) as u32;
        let mut profile = Profile::starting_at(self.start_rps);
        for p in &self.profile {
            let until = p.until_min * 60.0;
            let shape = match p.shape.as_str() {
                "hold" => Shape::Hold,
                "ramp" => Shape::Linear { to_rps: p.rps },
                "decay" => Shape::Geometric { to_rps: p.rps },
                "step" => Shape::Step { to_rps: p.rps },
                other => {
                    return Err(format!(
                        "A profile piece is hold, ramp, decay or step; “{other}” is none of them"
                    ))
                }
            };
            profile = profile.piece(until, shape);
        }
        let mut s = Scenario::new(duration_s)
            .profile(profile)
            .pops(self.pops, self.pop_skew)
            .internal_rps(self.internal_rps)
            .noise(self.noise)
            .page_kb(self.page_kb);
        if let Some(u) = &self.updates {
            s.updates_s = Scenario::seeded_updates(
                u.first_min * 60.0,
                u.every_min[0] * 60.0,
                u.every_min[1] * 60.0,
                f64::from(duration_s),
                seed,
            );
        }
        for w in &self.windows {
            s = s.window(&w.name, w.from_min * 60.0, w.to_min * 60.0);
        }
        for f in &self.faults {
            let kind = match &f.kind {
                FaultKind::Outage { target, duration_s } => FaultKind::Outage {
                    target: target.clone(),
                    duration_s: *duration_s,
                },
                other => other.clone(),
            };
            s = s.fault(Fault {
                at_s: f.at_min * 60.0,
                kind,
            });
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_updates_are_deterministic_and_spaced() {
        let a = Scenario::seeded_updates(360.0, 300.0, 900.0, 3600.0, 7);
        let b = Scenario::seeded_updates(360.0, 300.0, 900.0, 3600.0, 7);
        assert_eq!(a, b);
        assert_eq!(a[0], 360.0);
        for w in a.windows(2) {
            assert!((300.0..=900.0).contains(&(w[1] - w[0])));
        }
        assert!(a.iter().all(|&t| t < 3600.0));
    }

    #[test]
    fn run_spec_round_trip() {
        let json = r#"{"minutes": 60, "start_rps": 30,
            "profile": [{"until_min": 5, "shape": "hold"}, {"until_min": 8, "shape": "ramp", "rps": 30000}],
            "updates": {"first_min": 6, "every_min": [5, 15]},
            "internal_rps": 5,
            "faults": [{"at_min": 30, "kind": {"outage": {"target": "cdn_origins", "duration_s": 300}}},
                       {"at_min": 40, "kind": "primary_failover"}]}"#;
        let spec: RunSpec = serde_json::from_str(json).unwrap();
        let s = spec.scenario(1).unwrap();
        assert_eq!(s.duration_s, 3600);
        assert_eq!(s.profile.rate_at(100.0), 30.0);
        assert_eq!(s.updates_s[0], 360.0);
        assert_eq!(s.faults.len(), 2);
        assert_eq!(s.faults[0].at_s, 1800.0);
        let bad: RunSpec = serde_json::from_str(
            r#"{"minutes": 1, "start_rps": 1, "profile": [{"until_min": 1, "shape": "zigzag"}]}"#,
        )
        .unwrap();
        assert!(bad.scenario(0).unwrap_err().contains("zigzag"));
    }
}

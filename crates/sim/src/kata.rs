//! Katas as data: a kata is a JSON file plus its starter design (a design
//! document). The built-in ones live under `katas/<id>/` at the workspace
//! root and are compiled into the binary ([`load`]); any other is read with
//! [`Kata::from_json`]. `docs/katas/README.md` describes every field.
//!
//! A kata holds the words a learner reads (brief, constraints, outcomes,
//! scenarios, difficulty and time), the run a design is put through (the
//! traffic profile, the operator's update schedule, internal traffic), and
//! how it is graded: each scenario's checks (a metric, a window, a target),
//! and the variants of the run the scenarios use (the fault schedule). The
//! grading itself is [`crate::grade`].

use design::{format, Design};
use serde::Deserialize;
use std::fmt;

pub mod literal;

use crate::engine::{Fault, FaultKind};
pub use crate::grade::Metric;

/// The kata files built into the binary: (id, kata JSON, starter design JSON).
const BUILTIN: &[(&str, &str, &str)] = &[(
    "status-dashboard",
    include_str!("../../../katas/status-dashboard/kata.json"),
    include_str!("../../../katas/status-dashboard/designs/starter.json"),
)];

/// One scenario a design is graded on: in words, and as checks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScenarioInfo {
    /// Stable identifier, e.g. `"fast"`.
    pub id: String,
    /// Short name shown on the scenario card.
    pub name: String,
    /// What it takes to pass, in one sentence.
    pub passes: String,
    /// The id of the [`GradingRun`] this scenario is measured on (`""`:
    /// the first one).
    #[serde(default)]
    pub run: String,
    /// What is measured and the target of each measurement; the scenario
    /// passes when every check passes.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// One measurement of a scenario and its target.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Check {
    /// What is measured.
    pub metric: Metric,
    /// The reporting window it is measured over (for the metrics that
    /// have one, such as `"incident"`); `None` for the whole run.
    #[serde(default)]
    pub window: Option<String>,
    /// The largest value that passes.
    #[serde(default)]
    pub at_most: Option<f64>,
    /// The smallest value that passes.
    #[serde(default)]
    pub at_least: Option<f64>,
}

/// How a kata grades: the variants of its run, and what a month holds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Grading {
    /// How many incidents a month the cost scenario pays for, on top of
    /// the always-on monthly cost.
    #[serde(default = "default_incidents")]
    pub incidents_per_month: f64,
    /// The runs scenarios are measured on: the kata's run, each with its
    /// own faults.
    pub runs: Vec<GradingRun>,
}

fn default_incidents() -> f64 {
    2.0
}

/// One variant of the kata's run: the same traffic, updates and staff
/// reads, with these faults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GradingRun {
    /// Stable identifier, named by [`ScenarioInfo::run`].
    pub id: String,
    /// Shown above the run's charts.
    pub name: String,
    /// The faults of this run (none for a calm run).
    #[serde(default)]
    pub faults: Vec<PlannedFault>,
}

/// A fault of a grading run, with the time the kata allows for recovery.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PlannedFault {
    /// When it starts, minutes from the start of the run; with
    /// [`PlannedFault::before_update_s`], the earliest it may start.
    pub at_min: f64,
    /// When given, the fault starts this many seconds before an operator
    /// update: the first update posted at least this long after `at_min`.
    /// Updates are drawn from the seed, so this is how a kata makes sure a
    /// fault meets an update whatever the seed. Without an update late
    /// enough, the fault starts at `at_min`.
    #[serde(default)]
    pub before_update_s: Option<f64>,
    /// What goes wrong.
    pub kind: FaultKind,
    /// When the kata counts the system as recovered, seconds after the
    /// start: updates are due within the scenario's target after it.
    /// Without it: an outage's duration, a lag spike's extra lag, and 90 s
    /// for a primary failover (a Multi-AZ standby taking over).
    #[serde(default)]
    pub recovers_after_s: Option<f64>,
}

impl PlannedFault {
    /// Seconds from the fault's start until the kata counts the system as
    /// recovered (see [`PlannedFault::recovers_after_s`]); never negative.
    pub fn recovery_s(&self) -> f64 {
        let s = self.recovers_after_s.unwrap_or(match &self.kind {
            FaultKind::Outage { duration_s, .. } => *duration_s,
            FaultKind::PrimaryFailover => DEFAULT_FAILOVER_S,
            FaultKind::ReplicaLagSpike { extra_s } => *extra_s,
        });
        if s.is_finite() {
            s.max(0.0)
        } else {
            0.0
        }
    }

    /// When the fault starts, seconds, given the run's update times.
    pub fn start_s(&self, updates_s: &[f64]) -> f64 {
        let earliest = if self.at_min.is_finite() {
            (self.at_min * 60.0).max(0.0)
        } else {
            0.0
        };
        match self.before_update_s {
            Some(lead) if lead.is_finite() && lead >= 0.0 => updates_s
                .iter()
                .map(|u| u - lead)
                .find(|start| *start >= earliest)
                .unwrap_or(earliest),
            _ => earliest,
        }
    }

    /// The engine's form of this fault, given the run's update times.
    pub fn fault(&self, updates_s: &[f64]) -> Fault {
        Fault {
            at_s: self.start_s(updates_s),
            kind: self.kind.clone(),
        }
    }
}

/// How long a primary failover takes with a Multi-AZ standby, when a
/// kata does not say: the catalogue's default `failover_s`.
pub const DEFAULT_FAILOVER_S: f64 = 90.0;

/// A kata: the problem statement and the design a learner starts from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kata {
    /// Stable identifier, used in links and grades.
    pub id: String,
    /// Title shown in the top bar.
    pub title: String,
    /// Difficulty in one word.
    pub difficulty: String,
    /// Expected time to solve, in minutes.
    pub minutes: u32,
    /// The brief, one string per paragraph.
    pub brief: Vec<String>,
    /// Rules of the exercise.
    pub constraints: Vec<String>,
    /// What the learner should take away.
    pub outcomes: Vec<String>,
    /// The scenarios the design is graded on.
    pub scenarios: Vec<ScenarioInfo>,
    /// What the graded run plays, as the page names it ("the incident",
    /// "the evening"); see [`Kata::event`] for the default.
    #[serde(default)]
    pub event: Option<String>,
    /// The run a design is put through (traffic, updates, windows), when
    /// the kata file gives one; see [`crate::engine::RunSpec`]. Its own
    /// faults are ignored by grading: each [`GradingRun`] brings its own.
    #[serde(default)]
    pub run: Option<crate::engine::RunSpec>,
    /// How the kata grades, when the kata file says (see [`crate::grade`]).
    #[serde(default)]
    pub grading: Option<Grading>,
    /// The design a learner starts from.
    #[serde(skip)]
    pub starter: Design,
}

/// The first reporting window of `run` that is not a stretch of it, with
/// what is wrong: a name given twice or reserved ("run" is the whole run),
/// or bounds that are not numbers, end before they start or fall outside
/// the run.
fn bad_window(run: &crate::engine::RunSpec) -> Option<(String, &'static str)> {
    run.windows.iter().enumerate().find_map(|(i, w)| {
        let reason = if w.name.is_empty() || w.name == "run" {
            "needs a name other than \"run\" (the whole run)"
        } else if run.windows[..i].iter().any(|e| e.name == w.name) {
            "is given twice"
        } else if !(w.from_min.is_finite() && w.to_min.is_finite()) {
            "needs numbers for from_min and to_min"
        } else if w.from_min < 0.0 || w.to_min > run.minutes {
            "falls outside the run"
        } else if w.to_min <= w.from_min {
            "ends before it starts"
        } else {
            return None;
        };
        Some((w.name.clone(), reason))
    })
}

impl Kata {
    /// Reads a kata from its file (`kata_json`) and its starter design
    /// (`starter_json`, a design document: `docs/design-format.md`), and
    /// checks it: an id that can name it, scenario ids given once, a
    /// starter that reads without corrections and, when it has a grading
    /// section, that it can grade ([`crate::grade::check_kata`]). Built-in
    /// katas are loaded this way too.
    pub fn from_json(kata_json: &str, starter_json: &str) -> Result<Kata, KataError> {
        let mut kata: Kata = serde_json::from_str(kata_json).map_err(|e| KataError::Json {
            reason: e.to_string(),
        })?;
        if !is_kata_id(&kata.id) {
            return Err(KataError::BadId { id: kata.id });
        }
        for (i, s) in kata.scenarios.iter().enumerate() {
            if kata.scenarios[..i].iter().any(|earlier| earlier.id == s.id) {
                return Err(KataError::DuplicateScenario {
                    kata: kata.id.clone(),
                    scenario: s.id.clone(),
                });
            }
        }
        if let Some((window, reason)) = kata.run.as_ref().and_then(bad_window) {
            return Err(KataError::BadWindow {
                kata: kata.id.clone(),
                window,
                reason,
            });
        }
        kata.read_starter(starter_json)?;
        if kata.grading.is_some() {
            crate::grade::check_kata(&kata).map_err(|error| KataError::Grading {
                kata: kata.id.clone(),
                error,
            })?;
        }
        Ok(kata)
    }

    /// Reads `starter_json` (a design document) as the kata's starter
    /// design: it must read without corrections. The page opens a kata
    /// the build already checked this way (`src/built_in.rs` at the
    /// workspace root) and reads its starter with the browser's JSON
    /// parser, then takes it through [`Kata::take_starter`].
    pub fn read_starter(&mut self, starter_json: &str) -> Result<(), KataError> {
        self.take_starter(format::parse(starter_json))
    }

    /// Takes a starter design already read as a design document (what
    /// `design::format::parse` or `parse_with` gave): it must have been
    /// read without corrections.
    pub fn take_starter(
        &mut self,
        parsed: Result<format::Parsed, format::FormatError>,
    ) -> Result<(), KataError> {
        let starter = |reason: String| KataError::Starter {
            kata: self.id.clone(),
            reason,
        };
        let parsed = parsed.map_err(|e| starter(e.to_string()))?;
        if let Some(problem) = parsed.diagnostics.first() {
            return Err(starter(problem.message.clone()));
        }
        self.starter = parsed.design;
        Ok(())
    }

    /// The tightest upper limit the scenarios set on `metric` (the
    /// smallest `at_most` among their checks of it), if any: the target
    /// line the page draws on that metric's chart.
    pub fn limit(&self, metric: crate::grade::Metric) -> Option<f64> {
        self.scenarios
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| c.metric == metric)
            .filter_map(|c| c.at_most)
            .min_by(f64::total_cmp)
    }

    /// What the graded run plays, as the page names it ("Watch the
    /// incident"): the kata's `event`, else its first grading run's name
    /// ("The incident" → "the incident"), else "the run". Only an ASCII
    /// capital is lowered ("Étude" stays as it is): the page names the
    /// event before its later part comes, and Unicode's lower-case table
    /// would cost its first download 4.3 KB gzipped.
    pub fn event(&self) -> String {
        if let Some(e) = self
            .event
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            return e.to_string();
        }
        let first = self
            .grading
            .as_ref()
            .and_then(|g| g.runs.first())
            .map(|r| r.name.trim())
            .filter(|n| !n.is_empty());
        match first {
            Some(name) => {
                let mut chars = name.chars();
                chars
                    .next()
                    .map(|c| {
                        std::iter::once(c.to_ascii_lowercase())
                            .chain(chars)
                            .collect()
                    })
                    .unwrap_or_default()
            }
            None => "the run".to_string(),
        }
    }

    /// Each reporting window of the kata's run with its start, seconds,
    /// in the run's order: the moments the page marks on the timeline.
    pub fn window_starts(&self) -> Vec<(String, f64)> {
        self.run
            .iter()
            .flat_map(|r| &r.windows)
            .map(|w| (w.name.clone(), w.from_min * 60.0))
            .collect()
    }
}

/// Why a kata could not be loaded. Its `Display` says so in words.
#[derive(Debug, Clone, PartialEq)]
pub enum KataError {
    /// No built-in kata has this id.
    Unknown(String),
    /// The kata file is not JSON, or a field is missing or of the wrong
    /// type.
    Json {
        /// What went wrong and where (line and column), in words.
        reason: String,
    },
    /// The kata's id cannot name a kata: it is used in links, file names
    /// and storage keys, so it is lower-case letters, digits and hyphens.
    BadId {
        /// The id the file gives.
        id: String,
    },
    /// Two scenarios share an id.
    DuplicateScenario {
        /// The kata's id.
        kata: String,
        /// The id given twice.
        scenario: String,
    },
    /// A reporting window of the kata's run is not a stretch of the run.
    BadWindow {
        /// The kata's id.
        kata: String,
        /// The window's name.
        window: String,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// The starter design cannot be read, or reads only with corrections.
    Starter {
        /// The kata's id.
        kata: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// The kata has a grading section, but it cannot grade designs.
    Grading {
        /// The kata's id.
        kata: String,
        /// Why not.
        error: crate::grade::GradeError,
    },
}

impl fmt::Display for KataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KataError::Unknown(id) => write!(f, "there is no kata called \"{id}\""),
            KataError::Json { reason } => write!(f, "the kata file could not be read: {reason}"),
            KataError::BadId { id } => write!(
                f,
                "the kata's id \"{id}\" is not one: use lower-case letters, digits and hyphens"
            ),
            KataError::DuplicateScenario { kata, scenario } => write!(
                f,
                "the kata \"{kata}\" has two scenarios called \"{scenario}\""
            ),
            KataError::BadWindow {
                kata,
                window,
                reason,
            } => write!(f, "the window \"{window}\" of the kata \"{kata}\" {reason}"),
            KataError::Starter { kata, reason } => write!(
                f,
                "the starter design of the kata \"{kata}\" could not be read: {reason}"
            ),
            KataError::Grading { kata, error } => {
                write!(f, "the kata \"{kata}\" cannot grade designs: {error}")
            }
        }
    }
}

impl std::error::Error for KataError {}

/// Whether `id` can name a kata: lower-case ASCII letters, digits and
/// hyphens, not empty, not starting or ending with a hyphen.
fn is_kata_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The ids of every built-in kata.
pub fn ids() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(id, _, _)| *id)
}

/// Loads a built-in kata and its starter design (see
/// [`Kata::from_json`]).
pub fn load(id: &str) -> Result<Kata, KataError> {
    let (_, kata_json, starter_json) = BUILTIN
        .iter()
        .find(|(known, _, _)| *known == id)
        .ok_or_else(|| KataError::Unknown(id.to_string()))?;
    Kata::from_json(kata_json, starter_json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::NodeKind;

    #[test]
    fn the_status_dashboards_chart_lines_come_from_its_scenarios() {
        use crate::grade::Metric;
        let kata = load("status-dashboard").expect("built in");
        assert_eq!(kata.limit(Metric::ReadP95Ms), Some(80.0));
        assert_eq!(kata.limit(Metric::ReadErrorsPct), Some(0.1));
        assert_eq!(kata.limit(Metric::ReadStalenessP95S), Some(60.0));
        assert_eq!(
            kata.window_starts(),
            vec![
                ("incident".to_string(), 300.0),
                ("surge".to_string(), 480.0)
            ]
        );
        // A kata without such a check has no line.
        let mut bare = kata.clone();
        bare.scenarios.clear();
        bare.run = None;
        assert_eq!(bare.limit(Metric::ReadP95Ms), None);
        assert!(bare.window_starts().is_empty());
    }

    #[test]
    fn every_builtin_kata_loads_cleanly() {
        for id in ids() {
            let kata = load(id).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(kata.id, id, "a built-in kata's file gives its id");
            assert!(!kata.scenarios.is_empty());
            assert!(!kata.brief.is_empty());
        }
    }

    #[test]
    fn the_status_dashboard_has_four_scenarios() {
        let kata = load("status-dashboard").expect("built in");
        let ids: Vec<&str> = kata.scenarios.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["fast", "isolation", "cost", "faults"]);
    }

    #[test]
    fn status_dashboard_starts_from_users_api_database() {
        let kata = load("status-dashboard").unwrap();
        let kinds: Vec<NodeKind> = kata.starter.nodes.iter().map(|n| n.kind).collect();
        assert!(kinds.contains(&NodeKind::Users));
        assert!(kinds.contains(&NodeKind::Api));
        assert!(kinds.contains(&NodeKind::DbPrimary));
        assert_eq!(kata.starter.edges.len(), 3);
    }

    #[test]
    fn every_builtin_kata_can_grade() {
        for id in ids() {
            let kata = load(id).unwrap();
            assert_eq!(crate::grade::check_kata(&kata), Ok(()));
            let grading = kata.grading.as_ref().expect("grading section");
            assert!(grading.incidents_per_month > 0.0);
            for s in &kata.scenarios {
                assert!(!s.checks.is_empty(), "{}", s.id);
            }
        }
    }

    #[test]
    fn status_dashboard_faults_meet_an_update_whatever_the_seed() {
        let kata = load("status-dashboard").unwrap();
        let run = kata.run.clone().unwrap();
        let grading = kata.grading.clone().unwrap();
        let faults = &grading
            .runs
            .iter()
            .find(|r| r.id == "faults")
            .unwrap()
            .faults;
        assert_eq!(faults.len(), 3);
        for seed in 0..200 {
            let s = run.scenario(seed).unwrap();
            let mut last_end = 0.0;
            for f in faults {
                let start = f.start_s(&s.updates_s);
                let lead = f.before_update_s.unwrap();
                // An update is posted `lead` seconds after the fault starts…
                assert!(
                    s.updates_s.iter().any(|u| (u - lead - start).abs() < 1e-9),
                    "seed {seed}: {f:?} at {start}"
                );
                // …the faults do not overlap, and they end before the run.
                assert!(start >= last_end, "seed {seed}");
                last_end = start + f.recovery_s();
                assert!(last_end < 3600.0, "seed {seed}");
            }
        }
    }

    #[test]
    fn planned_faults_recover_as_the_kata_says() {
        let f = |json: &str| serde_json::from_str::<PlannedFault>(json).unwrap();
        let outage = f(
            r#"{"at_min": 10, "kind": {"outage": {"target": "cdn_origins", "duration_s": 300}}}"#,
        );
        assert_eq!(outage.recovery_s(), 300.0);
        assert_eq!(outage.start_s(&[100.0, 700.0]), 600.0);
        let failover = f(r#"{"at_min": 1, "before_update_s": 30, "kind": "primary_failover"}"#);
        assert_eq!(failover.recovery_s(), DEFAULT_FAILOVER_S);
        assert_eq!(failover.start_s(&[60.0, 100.0, 700.0]), 70.0);
        // No update late enough: the fault starts at its earliest time.
        assert_eq!(failover.start_s(&[10.0]), 60.0);
        let lag = f(
            r#"{"at_min": 0, "kind": {"replica_lag_spike": {"extra_s": 120}}, "recovers_after_s": 200}"#,
        );
        assert_eq!(lag.recovery_s(), 200.0);
    }

    #[test]
    fn unknown_kata_is_a_typed_error() {
        assert_eq!(load("nope"), Err(KataError::Unknown("nope".to_string())));
    }
}

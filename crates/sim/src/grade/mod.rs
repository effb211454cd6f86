//! Grading: a design is run through a kata's runs and each of the kata's
//! scenarios is judged pass or fail, with the reason in words.
//!
//! [`grade`] runs the design once per [`crate::kata::GradingRun`] the
//! scenarios use (for the status dashboard: the incident without faults,
//! and the incident with the kata's faults), measures every scenario's
//! checks on the run's [`Report`] and, for each scenario, tells:
//!
//! - the metric that decided it and its target (the first check that
//!   failed; for a scenario that passed, the check with the least
//!   headroom), and the measured value, as a number and as text;
//! - the node that limited it (the bottleneck, or the node whose setting
//!   caused the failure);
//! - what happened in the simulation, in one or two sentences;
//! - for a failed scenario, the one thing to try next: a typed [`Fix`]
//!   that [`advise`] applied to a copy and graded with the same seed
//!   before showing it, with what that measured ([`TestedFix`]).
//!
//! The design's lints ([`design::lint`]) come with the grade, marked with
//! whether a run bore them out ([`design::Lint::observed`]), and every
//! run's report, for charts. Everything is `serde::Serialize`.
//!
//! ```
//! use sim::{grade, kata};
//!
//! let kata = kata::load("status-dashboard").expect("built in");
//! // `advise` grades, then tries each failed scenario's candidate fixes
//! // on a copy (`grade` alone leaves the next steps untested and empty).
//! let g = grade::advise(&kata.starter, &kata, 1).expect("the kata grades");
//! assert_eq!(g.total, 4);
//! let fast = g.scenario("fast").expect("a scenario of the kata");
//! assert!(!fast.passed);
//! let grade::Advice::Tested(fix) = &fast.advice else { panic!("a tested fix") };
//! assert!(fix.passes && fix.fix.apply(&kata.starter).is_ok());
//! assert!(fast.next_step.as_deref().is_some_and(|s| s.contains("Tried it:")));
//! assert!(g.report_for(fast).is_some());
//! ```
//!
//! Grading is deterministic (same design, kata and seed: the same grade)
//! and never panics: a design that makes no sense fails with reasons.

// `is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
#![allow(clippy::manual_is_multiple_of)]
#![deny(missing_docs)]

mod advice;
mod candidates;
mod cost;
mod facts;
pub mod fix;
mod metrics;
mod observed;
mod tagged;
mod verify;

use std::fmt;

use design::{Design, Diagnostic, Lint, NodeId};
use serde::{Deserialize, Serialize};

use crate::engine::{self, Fault, FaultKind, Report};
use crate::kata::{Check, Kata};

pub use cost::{CostItem, MonthlyCost};
pub use fix::{Edit, Fix, FixError};
pub use metrics::Metric;
pub use verify::{advise, Advice, Outcome, ScenarioOutcome, Task, TestedFix, Verifier};

/// A value as measured, or a target, in the unit the learner reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// The number, in `unit` (a share of errors is in percent).
    pub value: f64,
    /// The unit: `"ms"`, `"s"`, `"%"`, `"US$/month"`, `"reads"`,
    /// `"updates"`.
    pub unit: String,
    /// The value as text for people: `"46.2 ms"`, `"0.42 %"`,
    /// `"$2,540/month"`, `"no read was answered"`.
    pub text: String,
}

/// Which side of the target passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The measured value must be at most the target.
    AtMost,
    /// The measured value must be at least the target.
    AtLeast,
}

/// A check's target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Which side passes.
    pub bound: Bound,
    /// The number, in `unit`.
    pub value: f64,
    /// The unit, as in [`Measure::unit`].
    pub unit: String,
    /// For people: `"≤ 80 ms"`.
    pub text: String,
}

/// One check of a scenario, measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// What was measured.
    pub metric: Metric,
    /// The metric's name for people, with its window: "External read p95
    /// over the incident (minutes 5–60)".
    pub name: String,
    /// The window it was measured over, if any.
    pub window: Option<String>,
    /// What the run gave.
    pub measured: Measure,
    /// What passes.
    pub target: Target,
    /// True if the measured value meets the target.
    pub passed: bool,
}

/// One scenario of the kata, judged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// The scenario's id (`"fast"`, `"isolation"`, `"cost"`, `"faults"`).
    pub id: String,
    /// Its name on the scenario card.
    pub name: String,
    /// What it takes to pass, in one sentence (from the kata).
    pub passes: String,
    /// True when every check passed.
    pub passed: bool,
    /// The id of the run it was measured on (see [`Grade::runs`]).
    pub run: String,
    /// The metric that decided the scenario: the first failed check, or
    /// for a passed scenario the check closest to its target.
    pub metric: String,
    /// That metric's measured value.
    pub measured: Measure,
    /// That metric's target.
    pub target: Target,
    /// The node that limited it: the bottleneck, or the node whose
    /// setting caused the failure. `None` when no node is to blame (an
    /// empty design, say).
    pub limiting_node: Option<NodeId>,
    /// What happened in the simulation, in one or two sentences.
    pub cause: String,
    /// For a failed scenario whose fixes were tested ([`advise`]), the
    /// one thing to try next and what trying it measured, in words
    /// (`None` until tested, and for a passed scenario).
    pub next_step: Option<String>,
    /// For a failed scenario, the tested fix (see [`Advice`]).
    pub advice: Advice,
    /// Every check of the scenario, in the kata's order.
    pub checks: Vec<CheckResult>,
}

/// A fault of a graded run, as the grade counts it: its kind (with the
/// node it names and its duration, when the fault says them: see
/// [`FaultKind::node`], [`FaultKind::duration_s`]), its start and when the
/// kata counts the system as recovered. The run's fault events carry the
/// same fault as the engine ran it ([`engine::Event::fault`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultWindow {
    /// What went wrong.
    pub kind: FaultKind,
    /// What went wrong, in words ("outage of the CDN origins for 300 s"),
    /// for display: code reads `kind`.
    pub description: String,
    /// When it started, seconds.
    pub start_s: f64,
    /// When the kata counts the system as recovered, seconds.
    pub recovered_s: f64,
}

impl FaultWindow {
    /// What went wrong, without its duration: "outage of the CDN
    /// origins", "database primary failover".
    pub fn name(&self) -> String {
        self.kind.name()
    }
}

/// One run of the design, with its report (for charts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradedRun {
    /// The run's id (`"incident"`, `"faults"`).
    pub id: String,
    /// Its name for people.
    pub name: String,
    /// Its faults.
    pub faults: Vec<FaultWindow>,
    /// What the engine reported.
    pub report: Report,
}

/// A design's grade on a kata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// The kata's id.
    pub kata: String,
    /// The seed of the runs.
    pub seed: u64,
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios in all.
    pub total: usize,
    /// Each scenario, in the kata's order.
    pub scenarios: Vec<ScenarioResult>,
    /// Design advice found on the diagram before any run, each with
    /// whether the runs bore it out ([`Lint::observed`]: set for readers'
    /// requests reaching the primary, from the external reads the runs
    /// measured there).
    pub lints: Vec<Lint>,
    /// Problems with the design the engine found (the runs went ahead).
    pub diagnostics: Vec<Diagnostic>,
    /// The cost scenario's arithmetic: always-on and incident cost per
    /// node (on the first run the cost metric is measured on, or the first
    /// run).
    pub cost: MonthlyCost,
    /// The runs, in the kata's order (only those a scenario uses).
    pub runs: Vec<GradedRun>,
}

impl Grade {
    /// A hash of the grade's exact contents (FNV-1a of its JSON, whose
    /// numbers round-trip bit for bit), as [`Report::fingerprint`] is of
    /// a report's: equal fingerprints, equal grades.
    pub fn fingerprint(&self) -> u64 {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        crate::engine::fnv1a(&bytes)
    }

    /// True when every scenario passed.
    pub fn all_passed(&self) -> bool {
        self.passed == self.total
    }

    /// The scenario with this id.
    pub fn scenario(&self, id: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The run with this id.
    pub fn run(&self, id: &str) -> Option<&GradedRun> {
        self.runs.iter().find(|r| r.id == id)
    }

    /// The report a scenario was measured on.
    pub fn report_for(&self, scenario: &ScenarioResult) -> Option<&Report> {
        self.run(&scenario.run).map(|r| &r.report)
    }
}

/// Why a kata cannot grade designs. Its `Display` says so in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GradeError {
    /// The kata file has no `run` section.
    NoRun {
        /// The kata's id.
        kata: String,
    },
    /// The kata file has no `grading` section, or it lists no runs.
    NoGrading {
        /// The kata's id.
        kata: String,
    },
    /// The kata's run cannot be turned into a simulation.
    BadRun {
        /// The kata's id.
        kata: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// A scenario names a run the grading section does not have.
    UnknownRun {
        /// The scenario's id.
        scenario: String,
        /// The run it names.
        run: String,
    },
    /// A scenario has no checks.
    NoChecks {
        /// The scenario's id.
        scenario: String,
    },
    /// A check is measured over a window the kata's run does not have.
    UnknownWindow {
        /// The scenario's id.
        scenario: String,
        /// The window it names.
        window: String,
    },
    /// A check has no target, or one that is not a finite number.
    NoTarget {
        /// The scenario's id.
        scenario: String,
        /// The check's metric.
        metric: String,
    },
}

impl fmt::Display for GradeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradeError::NoRun { kata } => write!(
                f,
                "the kata “{kata}” has no run section, so designs cannot be graded on it"
            ),
            GradeError::NoGrading { kata } => write!(
                f,
                "the kata “{kata}” has no grading section with at least one run"
            ),
            GradeError::BadRun { kata, reason } => {
                write!(f, "the run of the kata “{kata}” cannot be simulated: {reason}")
            }
            GradeError::UnknownRun { scenario, run } => write!(
                f,
                "the scenario “{scenario}” is measured on the run “{run}”, which the kata's grading section does not list"
            ),
            GradeError::NoChecks { scenario } => {
                write!(f, "the scenario “{scenario}” has no checks to grade")
            }
            GradeError::UnknownWindow { scenario, window } => write!(
                f,
                "the scenario “{scenario}” measures over the window “{window}”, which the kata's run does not have"
            ),
            GradeError::NoTarget { scenario, metric } => write!(
                f,
                "a check of the scenario “{scenario}” ({metric}) has no target: give it “at_most” or “at_least” as a number"
            ),
        }
    }
}

impl std::error::Error for GradeError {}

/// Checks that `kata` can grade designs: it has a run and a grading
/// section, and every scenario names a known run, has checks with
/// targets, and measures over windows the run has.
pub fn check_kata(kata: &Kata) -> Result<(), GradeError> {
    plan(kata).map(|_| ())
}

/// What [`grade`] needs from a kata, checked.
struct Plan<'a> {
    run: &'a crate::engine::RunSpec,
    grading: &'a crate::kata::Grading,
    /// Per scenario: the index of its run in `grading.runs`.
    run_of: Vec<usize>,
}

// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
fn plan(kata: &Kata) -> Result<Plan<'_>, GradeError> {
    let run = kata.run.as_ref().ok_or_else(|| GradeError::NoRun {
        kata: kata.id.clone(),
    })?;
    let grading = kata
        .grading
        .as_ref()
        .filter(|g| !g.runs.is_empty())
        .ok_or_else(|| GradeError::NoGrading {
            kata: kata.id.clone(),
        })?;
    // The run must compile (a bad profile shape is a kata defect).
    run.scenario(0).map_err(|reason| GradeError::BadRun {
        kata: kata.id.clone(),
        reason,
    })?;
    let mut run_of = Vec::with_capacity(kata.scenarios.len());
    for s in &kata.scenarios {
        let index = if s.run.is_empty() {
            0
        } else {
            grading
                .runs
                .iter()
                .position(|r| r.id == s.run)
                .ok_or_else(|| GradeError::UnknownRun {
                    scenario: s.id.clone(),
                    run: s.run.clone(),
                })?
        };
        if s.checks.is_empty() {
            return Err(GradeError::NoChecks {
                scenario: s.id.clone(),
            });
        }
        for c in &s.checks {
            if target_of(c).is_none() {
                return Err(GradeError::NoTarget {
                    scenario: s.id.clone(),
                    metric: c.metric.key().to_string(),
                });
            }
            if let Some(w) = &c.window {
                if w != "run" && !run.windows.iter().any(|x| &x.name == w) {
                    return Err(GradeError::UnknownWindow {
                        scenario: s.id.clone(),
                        window: w.clone(),
                    });
                }
            }
        }
        run_of.push(index);
    }
    Ok(Plan {
        run,
        grading,
        run_of,
    })
}

/// An origin outage (an outage of [`engine::Target::CdnOrigins`]) takes down what
/// the CDNs fetch from; in a design whose readers reach no CDN, it takes
/// down what the readers connect to, so that leaving the CDN out does not
/// dodge the fault. Other faults are kept as they are.
fn origin_outage(facts: &facts::DesignFacts<'_>, fault: Fault) -> Vec<Fault> {
    match &fault.kind {
        FaultKind::Outage {
            target: engine::Target::CdnOrigins,
            duration_s,
        } if facts.read_cdns().is_empty() => {
            let mut out: Vec<Fault> = Vec::new();
            for users in facts.of_kind(design::NodeKind::Users) {
                for n in facts.next(users, false) {
                    let target = engine::Target::Node(n.id.as_str().to_string());
                    if !out.iter().any(
                        |f| matches!(&f.kind, FaultKind::Outage { target: t, .. } if *t == target),
                    ) {
                        out.push(Fault::outage(fault.at_s, target, *duration_s));
                    }
                }
            }
            out
        }
        _ => vec![fault],
    }
}

/// The bound and value of a check's target (`at_most` wins when both are
/// given).
fn target_of(c: &Check) -> Option<(Bound, f64)> {
    match (c.at_most, c.at_least) {
        (Some(v), _) if v.is_finite() => Some((Bound::AtMost, v)),
        (_, Some(v)) if v.is_finite() => Some((Bound::AtLeast, v)),
        _ => None,
    }
}

/// Grades `design` on `kata` with runs seeded by `seed`: runs the design
/// through each of the kata's grading runs that a scenario uses, then
/// judges every scenario (see the module docs). Fails only when the kata
/// cannot grade ([`check_kata`]); any design gets a grade.
pub fn grade(design: &Design, kata: &Kata, seed: u64) -> Result<Grade, GradeError> {
    let plan = plan(kata)?;
    let mut lints = design::lint(design);
    let facts = facts::DesignFacts::new(design);

    // The runs the scenarios use, in the kata's order: the kata's run,
    // each with its own faults.
    let mut spec = plan.run.clone();
    spec.faults.clear();
    let calm = spec.scenario(seed).map_err(|reason| GradeError::BadRun {
        kata: kata.id.clone(),
        reason,
    })?;
    // Per run used: its index in the kata, its fault windows, its faults.
    let mut used: Vec<(usize, Vec<FaultWindow>, Vec<Fault>)> = Vec::new();
    for (ri, gr) in plan.grading.runs.iter().enumerate() {
        if !plan.run_of.contains(&ri) {
            continue;
        }
        let mut faults = Vec::with_capacity(gr.faults.len());
        let mut schedule = Vec::new();
        for planned in &gr.faults {
            let fault = planned.fault(&calm.updates_s);
            let start = if fault.at_s.is_finite() {
                fault.at_s.max(0.0)
            } else {
                0.0
            };
            faults.push(FaultWindow {
                kind: fault.kind.clone(),
                description: fault.describe(),
                start_s: start,
                recovered_s: start + planned.recovery_s(),
            });
            schedule.extend(origin_outage(&facts, fault));
        }
        used.push((ri, faults, schedule));
    }
    // The runs differ only in their faults: the calm one is the trunk the
    // others branch from at their first fault (see `engine::run_branched`).
    let calm_run = used.iter().position(|u| u.2.is_empty());
    let schedules: Vec<Vec<Fault>> = used
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != calm_run)
        .map(|(_, u)| u.2.clone())
        .collect();
    let reports = engine::run_branched(design, &calm, seed, &schedules, calm_run.is_some());
    let mut trunk = reports.trunk;
    let mut branches = reports.branches.into_iter();
    let mut runs: Vec<GradedRun> = Vec::with_capacity(used.len());
    let mut index_of: Vec<Option<usize>> = vec![None; plan.grading.runs.len()];
    for (i, (ri, faults, _)) in used.into_iter().enumerate() {
        let report = if Some(i) == calm_run {
            trunk.take()
        } else {
            branches.next()
        };
        let (Some(report), Some(gr)) = (report, plan.grading.runs.get(ri)) else {
            continue;
        };
        index_of[ri] = Some(runs.len());
        runs.push(GradedRun {
            id: gr.id.clone(),
            name: gr.name.clone(),
            faults,
            report,
        });
    }

    let incidents = plan.grading.incidents_per_month;
    let mut cost_run = None;
    let mut scenarios = Vec::with_capacity(kata.scenarios.len());
    for (si, s) in kata.scenarios.iter().enumerate() {
        let Some(run) = plan
            .run_of
            .get(si)
            .and_then(|&ri| index_of.get(ri).copied().flatten())
            .and_then(|i| runs.get(i))
        else {
            continue;
        };
        let ctx = metrics::Context {
            design,
            facts: &facts,
            run,
            incidents_per_month: incidents,
        };
        if cost_run.is_none() && s.checks.iter().any(|c| c.metric == Metric::MonthlyCostUsd) {
            cost_run = Some(run.id.clone());
        }
        let checks: Vec<(CheckResult, &Check)> = s
            .checks
            .iter()
            .map(|c| (metrics::measure(&ctx, c), c))
            .collect();
        let passed = checks.iter().all(|(r, _)| r.passed);
        // The deciding check: the first failure, else the least headroom.
        let decisive = checks
            .iter()
            .find(|(r, _)| !r.passed)
            .or_else(|| {
                checks
                    .iter()
                    .max_by(|a, b| metrics::closeness(&a.0).total_cmp(&metrics::closeness(&b.0)))
            })
            .map(|(r, c)| (r.clone(), *c));
        let Some((head, _)) = decisive else {
            continue;
        };
        let all: Vec<CheckResult> = checks.iter().map(|(r, _)| r.clone()).collect();
        let verdict = advice::explain(&ctx, &head, &all);
        scenarios.push(ScenarioResult {
            id: s.id.clone(),
            name: s.name.clone(),
            passes: s.passes.clone(),
            passed,
            run: run.id.clone(),
            metric: head.name.clone(),
            measured: head.measured.clone(),
            target: head.target.clone(),
            limiting_node: verdict.node,
            cause: verdict.cause,
            next_step: None,
            advice: Advice::Untested,
            checks: all,
        });
    }

    let cost_report = cost_run
        .as_deref()
        .and_then(|id| runs.iter().find(|r| r.id == id))
        .or_else(|| runs.first());
    let cost = match cost_report {
        Some(r) => cost::monthly(design, &r.report, incidents),
        None => MonthlyCost::default(),
    };
    let diagnostics = runs
        .first()
        .map(|r| r.report.diagnostics.clone())
        .unwrap_or_default();
    let passed = scenarios.iter().filter(|s| s.passed).count();
    // What the diagram allows, against what the runs measured.
    observed::observe(&mut lints, &scenarios, &runs);
    Ok(Grade {
        kata: kata.id.clone(),
        seed,
        passed,
        total: scenarios.len(),
        scenarios,
        lints,
        diagnostics,
        cost,
        runs,
    })
}

//! Branched runs: one scenario under several fault schedules, sharing the
//! minutes before each schedule's first fault.
//!
//! Runs that differ only in their faults are the same run until the first
//! fault strikes. [`run_branched`] runs the scenario without faults (the
//! *trunk*) once and, at the tick of each schedule's first fault, clones it
//! and goes on with that schedule ([`Sim::set_faults`]). A grade's incident
//! with faults is the calm incident for its first ten minutes or more: those
//! are not simulated twice.
//!
//! Invariants:
//! - before a schedule's first fault, the run with that schedule takes the
//!   same ticks as the calm run, in the same way: a fault only ends the
//!   quiet stretch that would run into its tick, and [`Sim::set_faults`]
//!   ends the trunk's there too (the quiet sums are added at the same
//!   tick). So every branch's report is bit for bit the report of the run
//!   scheduled with its faults from the start, and the trunk's that of the
//!   calm run (a test checks both);
//! - branching never changes what is simulated, only what is computed
//!   once: a schedule that cannot be set on the trunk (see [`BranchError`])
//!   is run from the start instead.

use std::fmt;

use design::Design;

use super::plan::Model;
use super::quiet::first_tick_at;
use super::{schedule_faults, Fault, Report, Scenario, Sim};

/// Why a fault schedule cannot be set on a running simulation.
#[derive(Clone, Debug, PartialEq)]
pub enum BranchError {
    /// A fault of the run has already struck: the run is no longer the
    /// calm one a schedule branches from.
    FaultsStarted,
    /// A fault would strike before the tick the simulation is at.
    FaultInThePast {
        /// When the fault strikes, seconds.
        at_s: f64,
        /// The tick the simulation runs next.
        now_s: u32,
    },
}

impl fmt::Display for BranchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BranchError::FaultsStarted => {
                write!(f, "a fault has already struck in this run")
            }
            BranchError::FaultInThePast { at_s, now_s } => write!(
                f,
                "a fault at {at_s} s would strike before the simulation's time ({now_s} s)"
            ),
        }
    }
}

impl std::error::Error for BranchError {}

/// The reports of [`run_branched`].
#[derive(Clone, Debug)]
pub struct Branched {
    /// The scenario's own run, when asked for.
    pub trunk: Option<Report>,
    /// One report per fault schedule, in the order given.
    pub branches: Vec<Report>,
}

impl Sim {
    /// Runs ticks until tick `t` is the next one (or the run ends).
    pub fn run_until(&mut self, t: u32) {
        while self.t < t && !self.is_done() {
            self.run_plain_quiet(t);
            if self.t >= t || self.is_done() {
                break;
            }
            self.step();
        }
    }

    /// Replaces the run's faults by `faults` for the rest of the run. None
    /// of the run's faults may have struck yet, and none of `faults` may
    /// strike before the next tick.
    pub fn set_faults(&mut self, faults: Vec<Fault>) -> Result<(), BranchError> {
        if self.next_fault > 0 {
            return Err(BranchError::FaultsStarted);
        }
        let now = self.t;
        if let Some(f) = faults
            .iter()
            .find(|f| f.at_s.is_finite() && f.at_s.max(0.0) < f64::from(now))
        {
            return Err(BranchError::FaultInThePast {
                at_s: f.at_s,
                now_s: now,
            });
        }
        self.scenario.faults = faults;
        self.fault_events = schedule_faults(&self.scenario, &self.nodes, &self.cdns);
        // A stretch planned without these faults ends before the first.
        if let Some(fe) = self.fault_events.first() {
            self.quiet.until = self.quiet.until.min(first_tick_at(fe.at));
        }
        Ok(())
    }
}

/// Runs a branch and its trunk to their ends a tick at a time, taking
/// turns, with one memo of sojourn kinks between them ([`Kinks::swap_memo`]:
/// before the trunk's tick the branch's memo is handed over, after it
/// handed back). Once a branch's faults are over, its queues often see
/// what the trunk's see at the same tick (the same demand, drawn from the
/// same stream), so the trunk finds those solves and kinks computed. Every
/// tick is taken as [`Sim::run_until`] takes it, and a memo only saves
/// computing what it holds: both reports are unchanged, bit for bit.
fn run_in_step(branch: &mut Sim, trunk: &mut Sim) {
    let mut t = branch.time().max(trunk.time());
    while !branch.is_done() || !trunk.is_done() {
        t += 1;
        branch.run_until(t);
        branch.swap_memos(trunk);
        trunk.run_until(t);
        branch.swap_memos(trunk);
    }
}

impl Sim {
    /// Exchanges the memos of pure computations with `other`, a copy of
    /// this simulation (the same nodes in the same order): the sojourn
    /// kinks, every queue's steady-state ticks and every serverless node's
    /// Erlang B values.
    fn swap_memos(&mut self, other: &mut Sim) {
        self.kinks.swap_memo(&mut other.kinks);
        for (a, b) in self.nodes.iter_mut().zip(other.nodes.iter_mut()) {
            if let (Some(qa), Some(qb)) = (a.model.queue_mut(), b.model.queue_mut()) {
                qa.swap_memo(qb);
            } else if let (Model::Fn(fa), Model::Fn(fb)) = (&mut a.model, &mut b.model) {
                fa.erlang.swap(&mut fb.erlang);
            }
        }
    }
}

/// The tick of a schedule's first fault (0 for a schedule without one).
fn first_fault_tick(faults: &[Fault]) -> u32 {
    faults
        .iter()
        .filter(|f| f.at_s.is_finite())
        .map(|f| first_tick_at(f.at_s))
        .min()
        .unwrap_or(0)
}

/// Runs `design` under `scenario` with each fault schedule of `schedules`
/// (replacing the scenario's faults), and under `scenario` itself when
/// `with_trunk`, sharing the ticks before each schedule's first fault (see
/// the module docs). With faults of its own, `scenario` is no trunk: every
/// run starts from the beginning.
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
pub fn run_branched(
    design: &Design,
    scenario: &Scenario,
    seed: u64,
    schedules: &[Vec<Fault>],
    with_trunk: bool,
) -> Branched {
    let from_start = |faults: &[Fault]| {
        let mut s = scenario.clone();
        s.faults = faults.to_vec();
        Sim::new(design, &s, seed).run()
    };
    if !scenario.faults.is_empty() {
        return Branched {
            trunk: with_trunk.then(|| Sim::new(design, scenario, seed).run()),
            branches: schedules.iter().map(|f| from_start(f)).collect(),
        };
    }
    let mut order: Vec<usize> = (0..schedules.len()).collect();
    order.sort_by_key(|&i| first_fault_tick(&schedules[i]));
    let mut trunk = Sim::new(design, scenario, seed);
    let mut branches: Vec<Option<Report>> = vec![None; schedules.len()];
    let last = order.last().copied();
    for &i in &order {
        trunk.run_until(first_fault_tick(&schedules[i]));
        let mut branch = trunk.clone();
        branch.reserve_series();
        branches[i] = Some(match branch.set_faults(schedules[i].clone()) {
            Ok(()) => {
                // The last branch and the trunk both run to the end: in
                // step, when a design has no quiet ticks to lose by it.
                if with_trunk && Some(i) == last && !trunk.quiet.capable() {
                    run_in_step(&mut branch, &mut trunk);
                }
                branch.run()
            }
            Err(_) => from_start(&schedules[i]),
        });
    }
    Branched {
        trunk: with_trunk.then(|| trunk.run()),
        branches: branches
            .into_iter()
            .zip(schedules)
            .map(|(r, f)| r.unwrap_or_else(|| from_start(f)))
            .collect(),
    }
}

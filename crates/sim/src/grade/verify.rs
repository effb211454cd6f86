//! Tested advice: every candidate fix of a failed scenario is applied to a
//! copy of the design and graded with the same seed before it is shown.
//! A fix is shown only when it improves the scenario's deciding metric;
//! among those, one that makes the scenario pass without breaking a
//! passing one wins, then one that makes it pass, then the most passed
//! scenarios, then the cheapest.
//!
//! The work is a list of candidate grades, so it can run a step at a time
//! ([`Verifier::step`]) between frames of a page, or all at once
//! ([`advise`]), or be handed out as tasks ([`Verifier::take`]) to be
//! graded anywhere, in any order, and given back ([`Verifier::put`]): the
//! advice depends only on which candidates were graded and what they
//! measured, never on the order. Candidates shared by several scenarios
//! are graded once.

use std::cmp::Reverse;

use design::Design;
use serde::{Deserialize, Serialize};

use super::candidates::{self, Situation};
use super::facts::{lower, DesignFacts};
use super::fix::Fix;
use super::{grade, metrics, Bound, CheckResult, Grade, GradeError, Measure, ScenarioResult};
use crate::kata::Kata;

/// What grading a fix on a copy of the design measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestedFix {
    /// The change.
    pub fix: Fix,
    /// The scenario's deciding metric before the change.
    pub before: Measure,
    /// The same metric with the change.
    pub after: Measure,
    /// True when the scenario passes with the change.
    pub passes: bool,
    /// Scenarios that passed before and fail with the change (their ids).
    pub breaks: Vec<String>,
    /// Scenarios that pass with the change.
    pub passed_with_fix: usize,
    /// How the monthly cost changes, US dollars (with incidents).
    pub cost_change_usd: f64,
    /// What the test measured, for people: "Tried it: p95 1,131 ms → 46
    /// ms, this scenario passes, cost +$120/month."
    pub effect: String,
}

/// The advice of a failed scenario once its candidates were tested. In
/// JSON its kind is its `status` field, a tested fix's fields beside it
/// (read through `tagged::AdviceFields`, the same JSON without serde's
/// buffering).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "status",
    rename_all = "snake_case",
    try_from = "super::tagged::AdviceFields"
)]
pub enum Advice {
    /// Not tested yet (a grade without [`advise`]).
    Untested,
    /// The best candidate that helped.
    Tested(Box<TestedFix>),
    /// No candidate improved the deciding metric.
    NothingHelped {
        /// How many changes were tried.
        tried: usize,
    },
}

/// Runs the candidate grades of a grade's failed scenarios, one per
/// [`Verifier::step`] (or per task, [`Verifier::take`]): first every
/// single candidate; then, once all of those are graded, for each failed
/// scenario no single candidate makes pass, its best candidates two at a
/// time.
///
/// It owns copies of the design and the kata, so a page can keep it in a
/// task between frames.
pub struct Verifier {
    design: Design,
    kata: Kata,
    seed: u64,
    /// Every distinct candidate, with its outcome once graded.
    candidates: Vec<(Fix, Option<Outcome>)>,
    /// Where each candidate is: not handed out, out, or back.
    slots: Vec<Slot>,
    /// Per failed scenario: its candidates' indices.
    wanted: Vec<Wanted>,
    /// Ids of the scenarios that passed, and every scenario's id and name.
    passed_before: Vec<String>,
    names: Vec<(String, String)>,
    cost_before: f64,
    /// Candidates before this index are handed out (or back).
    next: usize,
    /// Candidates back (graded, or found not to apply).
    back: usize,
    paired: bool,
    /// How many single candidates there are (the pairs come after them).
    singles: usize,
    /// Per failed scenario: its advice is in a grade already
    /// ([`Verifier::finish_ready`]).
    published: Vec<bool>,
}

/// What the verifier reads of a candidate's grade: each scenario's
/// checks and whether it passed, how many passed, and the monthly cost.
/// A thread that grades a candidate elsewhere sends this back
/// ([`Verifier::put`]), not the whole grade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Each scenario, in the kata's order.
    pub scenarios: Vec<ScenarioOutcome>,
    /// Scenarios passed.
    pub passed: usize,
    /// The monthly cost with incidents, US dollars.
    pub cost_usd: f64,
}

/// What the verifier reads of a candidate's scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioOutcome {
    /// The scenario's id.
    pub id: String,
    /// True when every check passed.
    pub passed: bool,
    /// Every check, as graded.
    pub checks: Vec<CheckResult>,
}

impl From<Grade> for Outcome {
    fn from(g: Grade) -> Self {
        Outcome {
            scenarios: g.scenarios.into_iter().map(ScenarioOutcome::from).collect(),
            passed: g.passed,
            cost_usd: g.cost.total_usd,
        }
    }
}

impl From<ScenarioResult> for ScenarioOutcome {
    fn from(s: ScenarioResult) -> Self {
        ScenarioOutcome {
            id: s.id,
            passed: s.passed,
            checks: s.checks,
        }
    }
}

impl Outcome {
    fn scenario(&self, id: &str) -> Option<&ScenarioOutcome> {
        self.scenarios.iter().find(|s| s.id == id)
    }
}

/// Where a candidate's grade is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// Not handed out yet.
    Open,
    /// Handed out ([`Verifier::take`]), not back yet.
    Out,
    /// Back: graded, or it did not apply to the design.
    Back,
}

/// A candidate to grade: the design with the candidate fix applied. Grade
/// it with the verifier's kata and seed and give its [`Outcome`] back with
/// [`Verifier::put`], by `index`.
#[derive(Clone, Debug)]
pub struct Task {
    /// The candidate's number.
    pub index: usize,
    /// The design with the fix applied.
    pub design: Design,
}

/// A failed scenario the verifier tests fixes for.
struct Wanted {
    /// Its index in the grade.
    index: usize,
    id: String,
    /// Its deciding check.
    head: CheckResult,
    /// Every failed check, in the kata's order.
    failed_checks: Vec<CheckResult>,
    candidates: Vec<usize>,
}

/// How many of a scenario's best single fixes are tried two at a time.
const PAIRED: usize = 3;

impl Verifier {
    /// Proposes the candidates of `g`'s failed scenarios (`g` is `design`'s
    /// grade on `kata` with `seed`), in the order of the grade's cards, so
    /// the first failed card's fixes are ready first.
    pub fn new(design: &Design, kata: &Kata, seed: u64, g: &Grade) -> Self {
        let facts = DesignFacts::new(design);
        let mut candidates: Vec<(Fix, Option<Outcome>)> = Vec::new();
        let mut wanted = Vec::new();
        for (si, s) in g.scenarios.iter().enumerate() {
            if s.passed {
                continue;
            }
            let (Some(report), Some(head)) = (g.report_for(s), deciding(s)) else {
                continue;
            };
            // The deciding check first, then the other failed ones.
            let mut failed = vec![head.metric];
            for c in s.checks.iter().filter(|c| !c.passed) {
                if !failed.contains(&c.metric) {
                    failed.push(c.metric);
                }
            }
            let situation = Situation {
                design,
                facts: &facts,
                report,
                failed,
            };
            let mut mine = Vec::new();
            for fix in candidates::propose(&situation) {
                // Only what changes the design (never what is there).
                if fix.apply(design).is_ok() {
                    mine.push(intern(&mut candidates, fix));
                }
            }
            wanted.push(Wanted {
                index: si,
                id: s.id.clone(),
                head: head.clone(),
                failed_checks: s.checks.iter().filter(|c| !c.passed).cloned().collect(),
                candidates: mine,
            });
        }
        // Candidates were interned card by card, so they are graded in the
        // order the cards need them.
        Verifier {
            design: design.clone(),
            kata: kata.clone(),
            seed,
            slots: vec![Slot::Open; candidates.len()],
            candidates,
            passed_before: g
                .scenarios
                .iter()
                .filter(|s| s.passed)
                .map(|s| s.id.clone())
                .collect(),
            names: g
                .scenarios
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            cost_before: g.cost.total_usd,
            next: 0,
            back: 0,
            paired: false,
            singles: usize::MAX,
            published: vec![false; wanted.len()],
            wanted,
        }
    }

    /// Candidates graded so far, and known so far (the pairs of the second
    /// round are known once the singles are graded).
    pub fn progress(&self) -> (usize, usize) {
        (self.back, self.candidates.len())
    }

    /// Grades the next candidate here; false when none is left.
    pub fn step(&mut self) -> Result<bool, GradeError> {
        if let Some(task) = self.take() {
            let graded = grade(&task.design, &self.kata, self.seed)?;
            self.put(task.index, graded.into());
        }
        Ok(!self.finished())
    }

    /// Hands out the next candidate to grade, or `None` when none can be
    /// handed out now: every candidate is out or back, and the pairs of
    /// the second round wait for every single candidate to be back.
    pub fn take(&mut self) -> Option<Task> {
        loop {
            while self.next < self.candidates.len() {
                let index = self.next;
                self.next += 1;
                match self.candidates[index].0.apply(&self.design) {
                    Ok(design) => {
                        self.slots[index] = Slot::Out;
                        return Some(Task { index, design });
                    }
                    // Counts as graded, with nothing to show.
                    Err(_) => self.mark_back(index),
                }
            }
            if self.paired || self.back < self.candidates.len() {
                return None;
            }
            self.paired = true;
            self.singles = self.candidates.len();
            self.pair();
            self.slots.resize(self.candidates.len(), Slot::Open);
        }
    }

    /// Gives back the outcome of the task `index` (ignored unless that
    /// task is out).
    pub fn put(&mut self, index: usize, graded: Outcome) {
        if self.is_out(index) {
            self.candidates[index].1 = Some(graded);
            self.mark_back(index);
        }
    }

    fn mark_back(&mut self, index: usize) {
        self.slots[index] = Slot::Back;
        self.back += 1;
    }

    /// True while the task `index` is handed out and not back.
    pub fn is_out(&self, index: usize) -> bool {
        self.slots.get(index) == Some(&Slot::Out)
    }

    /// True once every candidate, pairs included, is back.
    pub fn finished(&self) -> bool {
        self.paired && self.back == self.candidates.len()
    }

    /// The second round: for each failed scenario that no single candidate
    /// makes pass, its best few improving candidates two at a time, and
    /// its best candidate for the deciding check together with the best
    /// for each other failed check (a scenario that fails on two counts
    /// needs two changes).
    fn pair(&mut self) {
        for wi in 0..self.wanted.len() {
            let ranked = self.ranked(wi);
            if ranked.iter().any(|(r, _)| r.passes) {
                continue;
            }
            let best: Vec<usize> = ranked.iter().take(PAIRED).map(|(_, t)| t.0).collect();
            let mut combos: Vec<Vec<usize>> = Vec::new();
            for a in 0..best.len() {
                for b in a + 1..best.len() {
                    combos.push(vec![best[a], best[b]]);
                }
            }
            // One change per failed check.
            if let Some(&first) = best.first() {
                let mut chain = vec![first];
                for check in self.other_failed_checks(wi) {
                    if let Some(c) = self.best_for(wi, &check) {
                        if !chain.contains(&c) {
                            chain.push(c);
                            combos.push(vec![first, c]);
                        }
                    }
                }
                if chain.len() > 2 {
                    combos.push(chain);
                }
            }
            for combo in combos {
                let mut parts = combo.iter().map(|&i| &self.candidates[i].0);
                let Some(mut fix) = parts.next().cloned() else {
                    continue;
                };
                let mut clash = false;
                for next in parts {
                    match fix.then(next) {
                        Some(f) => fix = f,
                        None => clash = true,
                    }
                }
                if clash || fix.apply(&self.design).is_err() {
                    continue;
                }
                let i = intern(&mut self.candidates, fix);
                if !self.wanted[wi].candidates.contains(&i) {
                    self.wanted[wi].candidates.push(i);
                }
            }
        }
    }

    /// A failed scenario's failed checks other than its deciding one, as
    /// graded (metric and window).
    fn other_failed_checks(&self, wi: usize) -> Vec<CheckResult> {
        let w = &self.wanted[wi];
        w.failed_checks
            .iter()
            .filter(|c| !(c.metric == w.head.metric && c.window == w.head.window))
            .cloned()
            .collect()
    }

    /// The single candidate of a failed scenario that goes furthest on
    /// `check` (among those that improve it).
    fn best_for(&self, wi: usize, check: &CheckResult) -> Option<usize> {
        let w = &self.wanted[wi];
        let mut best: Option<(f64, usize)> = None;
        for &ci in &w.candidates {
            if ci >= self.singles {
                continue;
            }
            let Some((_, Some(after))) = self.candidates.get(ci) else {
                continue;
            };
            let Some(ca) = after.scenario(&w.id).and_then(|sa| {
                sa.checks
                    .iter()
                    .find(|c| c.metric == check.metric && c.window == check.window)
            }) else {
                continue;
            };
            if !improves(check, ca) {
                continue;
            }
            let g = gain(check, ca) + if ca.passed { 1.0 } else { 0.0 };
            if best.is_none_or(|(bg, _)| g > bg + 1e-12) {
                best = Some((g, ci));
            }
        }
        best.map(|b| b.1)
    }

    /// A failed scenario's graded candidates that improve its deciding
    /// metric, best first: (rank, (candidate index, what it measured)).
    fn ranked(&self, wi: usize) -> Vec<(Rank, (usize, TestedFix))> {
        let w = &self.wanted[wi];
        let mut out: Vec<(Rank, (usize, TestedFix))> = Vec::new();
        for (order, &ci) in w.candidates.iter().enumerate() {
            let Some((fix, Some(after))) = self.candidates.get(ci) else {
                continue;
            };
            let Some(sa) = after.scenario(&w.id) else {
                continue;
            };
            let Some(ca) = sa
                .checks
                .iter()
                .find(|c| c.metric == w.head.metric && c.window == w.head.window)
            else {
                continue;
            };
            if !improves(&w.head, ca) {
                continue;
            }
            let breaks: Vec<String> = after
                .scenarios
                .iter()
                .filter(|x| !x.passed && self.passed_before.contains(&x.id))
                .map(|x| x.id.clone())
                .collect();
            let cost_change = after.cost_usd - self.cost_before;
            let rank = Rank {
                clean_pass: sa.passed && breaks.is_empty(),
                passes: sa.passed,
                pair: ci >= self.singles,
                passed: after.passed,
                gain: gain(&w.head, ca),
                cost: cost_change,
                order,
            };
            let effect = effect(&w.head, ca, sa.passed, &breaks, &self.names, cost_change);
            out.push((
                rank,
                (
                    ci,
                    TestedFix {
                        fix: fix.clone(),
                        before: w.head.measured.clone(),
                        after: ca.measured.clone(),
                        passes: sa.passed,
                        breaks,
                        passed_with_fix: after.passed,
                        cost_change_usd: cost_change,
                        effect,
                    },
                ),
            ));
        }
        out.sort_by_key(|r| r.0.key());
        out
    }

    /// Whether a failed scenario's advice is settled: every candidate it
    /// will have is graded (a single one passes, so no pairs are needed,
    /// or the pairs are in and graded too).
    fn settled(&self, wi: usize) -> bool {
        let w = &self.wanted[wi];
        let graded = w
            .candidates
            .iter()
            .all(|&ci| self.slots.get(ci) == Some(&Slot::Back));
        graded && (self.paired || self.ranked(wi).iter().any(|(r, _)| r.passes))
    }

    /// Puts into `g` the advice of the failed scenarios that is settled
    /// and not put in yet (so a page can show the first card's fix while
    /// the others are still being tried); returns how many it put in.
    pub fn finish_ready(&mut self, g: &mut Grade) -> usize {
        let mut n = 0;
        for wi in 0..self.wanted.len() {
            if !self.published[wi] && self.settled(wi) {
                self.publish(wi, g);
                self.published[wi] = true;
                n += 1;
            }
        }
        n
    }

    /// Puts the tested advice into `g` (the grade the verifier was made
    /// from): each failed scenario's `advice` and `next_step`. Candidates
    /// not graded yet count as not helping.
    pub fn finish(self, g: &mut Grade) {
        for wi in 0..self.wanted.len() {
            self.publish(wi, g);
        }
    }

    fn publish(&self, wi: usize, g: &mut Grade) {
        let best = self.ranked(wi).into_iter().next();
        let w = &self.wanted[wi];
        let Some(s) = g.scenarios.get_mut(w.index) else {
            return;
        };
        match best {
            Some((_, (_, t))) => {
                s.next_step = Some(format!("{} {}", t.fix.text, t.effect));
                s.advice = Advice::Tested(Box::new(t));
            }
            None => {
                let tried = w.candidates.len();
                s.next_step = Some(nothing_helped(tried, s.limiting_node.as_ref(), &w.head));
                s.advice = Advice::NothingHelped { tried };
            }
        }
    }
}

/// The index of `fix` among `candidates`, added (ungraded) if it is new:
/// a fix shared by several cards is graded once.
fn intern(candidates: &mut Vec<(Fix, Option<Outcome>)>, fix: Fix) -> usize {
    match candidates.iter().position(|c| c.0.edits == fix.edits) {
        Some(i) => i,
        None => {
            candidates.push((fix, None));
            candidates.len() - 1
        }
    }
}

/// Grades `design` and tests every failed scenario's candidate fixes (see
/// the module docs): the grade with each failed scenario's advice.
pub fn advise(design: &Design, kata: &Kata, seed: u64) -> Result<Grade, GradeError> {
    let mut g = grade(design, kata, seed)?;
    let mut v = Verifier::new(design, kata, seed, &g);
    while v.step()? {}
    v.finish(&mut g);
    Ok(g)
}

/// The deciding check of a scenario: its first failed check, else the one
/// its card names.
fn deciding(s: &super::ScenarioResult) -> Option<&CheckResult> {
    s.checks
        .iter()
        .find(|c| !c.passed)
        .or_else(|| s.checks.iter().find(|c| c.name == s.metric))
}

/// A measured value where "nothing to measure" (a check that failed
/// although its number meets the target) counts as the worst value.
fn effective(c: &CheckResult) -> f64 {
    let meets = match c.target.bound {
        Bound::AtMost => c.measured.value <= c.target.value,
        Bound::AtLeast => c.measured.value >= c.target.value,
    };
    let unusable = !c.passed && meets;
    match (c.target.bound, unusable) {
        (Bound::AtMost, true) => f64::INFINITY,
        (Bound::AtLeast, true) => f64::NEG_INFINITY,
        _ => c.measured.value,
    }
}

/// True when `after` is better than `before` on the same metric, by more
/// than rounding.
pub(crate) fn improves(before: &CheckResult, after: &CheckResult) -> bool {
    if after.passed && !before.passed {
        return true;
    }
    // Never "Tried it: 1,131 ms → 1,131 ms": a change the learner cannot
    // see in the numbers is no improvement.
    if after.measured.text == before.measured.text {
        return false;
    }
    let (b, a) = (effective(before), effective(after));
    let margin = 1e-6 * b.abs().max(1e-9);
    match before.target.bound {
        Bound::AtMost => a < b - margin || (b.is_infinite() && a.is_finite()),
        Bound::AtLeast => a > b + margin || (b.is_infinite() && a.is_finite()),
    }
}

/// How much of the way to the target a change went (1 = reached it).
fn gain(before: &CheckResult, after: &CheckResult) -> f64 {
    let (b, a, t) = (effective(before), effective(after), before.target.value);
    if !b.is_finite() {
        return if a.is_finite() { 1.0 } else { 0.0 };
    }
    let gap = (b - t).abs();
    if gap <= 0.0 {
        return 0.0;
    }
    ((b - a).abs() / gap).min(1.0)
}

/// The order candidates are preferred in.
#[derive(Clone, Copy, Debug)]
struct Rank {
    clean_pass: bool,
    passes: bool,
    /// Two fixes together: one change is preferred over two.
    pair: bool,
    passed: usize,
    gain: f64,
    cost: f64,
    /// Position in the candidate list (more specific first).
    order: usize,
}

impl Rank {
    /// The sort key, smallest first: a total order (gain rounded to
    /// millionths and cost to whole dollars first, so near-equal values
    /// tie and the next field decides, the same way for every pair).
    fn key(&self) -> (bool, bool, bool, Reverse<usize>, Reverse<i64>, i64, usize) {
        (
            !self.clean_pass,
            !self.passes,
            self.pair,
            Reverse(self.passed),
            Reverse((self.gain * 1e6).round() as i64),
            self.cost.round() as i64,
            self.order,
        )
    }
}

/// "Tried it: External read p95 1,131 ms → 46.0 ms, this scenario
/// passes, cost +$120/month."
fn effect(
    before: &CheckResult,
    after: &CheckResult,
    passes: bool,
    breaks: &[String],
    names: &[(String, String)],
    cost_change: f64,
) -> String {
    let mut parts = vec![format!(
        "Tried it: {} {} → {}",
        lower(&short_name(before)),
        before.measured.text,
        after.measured.text
    )];
    parts.push(if passes {
        "this scenario passes".to_string()
    } else {
        "not yet enough to pass".to_string()
    });
    if !breaks.is_empty() {
        let names: Vec<String> = breaks
            .iter()
            .map(|id| {
                names
                    .iter()
                    .find(|n| &n.0 == id)
                    .map_or(id.clone(), |n| format!("“{}”", n.1))
            })
            .collect();
        let verb = if names.len() == 1 { "fails" } else { "fail" };
        parts.push(format!("but {} then {verb}", names.join(" and ")));
    }
    if cost_change.abs() >= 0.5 {
        let sign = if cost_change > 0.0 { "+" } else { "−" };
        parts.push(format!(
            "cost {sign}{}/month",
            metrics::usd(cost_change.abs())
        ));
    } else {
        parts.push("same cost".to_string());
    }
    format!("{}.", parts.join(", "))
}

/// The metric's name without its window ("External read p95").
fn short_name(c: &CheckResult) -> String {
    c.metric.name().to_string()
}

fn nothing_helped(tried: usize, node: Option<&design::NodeId>, head: &CheckResult) -> String {
    let limit = match node {
        Some(n) => format!(" What limited it: “{}”, as the card says.", n.as_str()),
        None => String::new(),
    };
    let what = lower(&short_name(head));
    match tried {
        0 => format!(
            "We found no single change to try for {what}; it needs a larger redesign.{limit}"
        ),
        1 => format!(
            "The one change we tried did not improve {what}; it needs a larger redesign.{limit}"
        ),
        n => format!(
            "None of the {n} changes we tried improved {what}; it needs a larger redesign.{limit}"
        ),
    }
}

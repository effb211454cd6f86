//! Lints against runs: a lint says what the diagram *allows*; after the
//! runs the grade records whether a run bore it out
//! ([`design::Lint::observed`]), so that no lint contradicts a scenario
//! card (a warning "reader traffic could reach the primary" beside a card
//! measuring that no reader's request did).

use design::{Lint, LintCode};

use super::{GradedRun, Metric, ScenarioResult};

/// The clause a lint's message gains when a run measured that no reader's
/// request reached the primary.
const NO_READER_REACHED: &str = "in this run no reader's request did";

/// Sets [`Lint::observed`] where a run measures what the lint warns of:
///
/// - [`LintCode::ReadsReachPrimary`]: the external reads at the primary
///   the scenario cards measured (every check of
///   [`Metric::ExternalReadsAtPrimary`]; without such a check, the run
///   without faults over the whole run). Over zero: `Some(true)`, and
///   with several primaries flagged (the run counts them together) left
///   `None`; zero: `Some(false)`, and the message says that no reader's
///   request did.
/// - Every other lint is left `None`: no run measures it as such (a
///   single instance that did not fail in a run is still a single
///   instance).
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
pub(super) fn observe(lints: &mut [Lint], scenarios: &[ScenarioResult], runs: &[GradedRun]) {
    let measured: Vec<f64> = scenarios
        .iter()
        .flat_map(|s| &s.checks)
        .filter(|c| c.metric == Metric::ExternalReadsAtPrimary)
        .map(|c| c.measured.value)
        .collect();
    let reads = if measured.is_empty() {
        runs.iter()
            .find(|r| r.faults.is_empty())
            .map(|r| r.report.external_reads_at_primary)
    } else {
        Some(measured.iter().copied().fold(0.0, f64::max))
    };
    let Some(reads) = reads.filter(|r| r.is_finite()) else {
        return;
    };
    let flagged = lints
        .iter()
        .filter(|l| l.code == LintCode::ReadsReachPrimary)
        .count();
    for lint in lints
        .iter_mut()
        .filter(|l| l.code == LintCode::ReadsReachPrimary)
    {
        if reads > 0.0 {
            if flagged == 1 {
                lint.observed = Some(true);
            }
        } else {
            lint.observed = Some(false);
            let said = lint.message.trim_end_matches('.');
            lint.message = format!("{said}; {NO_READER_REACHED}.");
        }
    }
}

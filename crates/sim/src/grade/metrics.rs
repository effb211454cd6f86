//! The metrics a kata's checks measure, and how each is read off a run.

use design::Design;
use serde::{Deserialize, Serialize};

use super::facts::DesignFacts;
use super::{cost, target_of, Bound, CheckResult, GradedRun, Measure, Target};
use crate::engine::{Report, Summary};
use crate::kata::Check;

/// What a check measures. The JSON spelling is snake_case
/// (`"read_p95_ms"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of external reads that failed over the window, percent.
    ReadErrorsPct,
    /// 95th percentile latency of answered external reads over the
    /// window, ms.
    ReadP95Ms,
    /// 95th percentile staleness of the external reads answered over the
    /// window, seconds: how long after an update was posted readers were
    /// still shown the page without it.
    ReadStalenessP95S,
    /// Operator updates posted during the run that never committed.
    UpdatesNotCommitted,
    /// 95th percentile latency of the operator's writes over the window,
    /// ms.
    WriteP95Ms,
    /// External reads that reached a database primary during the run.
    ExternalReadsAtPrimary,
    /// The always-on monthly cost plus the kata's incidents a month,
    /// US dollars.
    MonthlyCostUsd,
    /// The slowest update to reach readers, counted from its posting or,
    /// when a fault was in progress or began before it was due, from the
    /// fault's recovery (as the kata times it), seconds.
    UpdateDelayAfterRecoveryS,
    /// The longest time any node spent saturated (every worker busy) in a
    /// row, seconds.
    LongestSaturationS,
    /// Staff reads, made after an update committed, that came back with
    /// an older version (read-your-writes misses) during the run.
    StaffReadsMissingOwnWrite,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 10] = [
        Metric::ReadErrorsPct,
        Metric::ReadP95Ms,
        Metric::ReadStalenessP95S,
        Metric::UpdatesNotCommitted,
        Metric::WriteP95Ms,
        Metric::ExternalReadsAtPrimary,
        Metric::MonthlyCostUsd,
        Metric::UpdateDelayAfterRecoveryS,
        Metric::LongestSaturationS,
        Metric::StaffReadsMissingOwnWrite,
    ];

    /// The JSON spelling: `"read_p95_ms"`…
    pub fn key(self) -> &'static str {
        match self {
            Metric::ReadErrorsPct => "read_errors_pct",
            Metric::ReadP95Ms => "read_p95_ms",
            Metric::ReadStalenessP95S => "read_staleness_p95_s",
            Metric::UpdatesNotCommitted => "updates_not_committed",
            Metric::WriteP95Ms => "write_p95_ms",
            Metric::ExternalReadsAtPrimary => "external_reads_at_primary",
            Metric::MonthlyCostUsd => "monthly_cost_usd",
            Metric::UpdateDelayAfterRecoveryS => "update_delay_after_recovery_s",
            Metric::LongestSaturationS => "longest_saturation_s",
            Metric::StaffReadsMissingOwnWrite => "staff_reads_missing_own_write",
        }
    }

    /// The name shown to people, without a window: "External read p95".
    pub fn name(self) -> &'static str {
        match self {
            Metric::ReadErrorsPct => "External read errors",
            Metric::ReadP95Ms => "External read p95",
            Metric::ReadStalenessP95S => "Staleness p95 of external reads",
            Metric::UpdatesNotCommitted => "Updates that never committed",
            Metric::WriteP95Ms => "Operator write p95",
            Metric::ExternalReadsAtPrimary => "External reads at the primary",
            Metric::MonthlyCostUsd => "Monthly cost with incidents",
            Metric::UpdateDelayAfterRecoveryS => "Slowest update after recovery",
            Metric::LongestSaturationS => "Longest saturation of a node",
            Metric::StaffReadsMissingOwnWrite => "Staff reads that missed their own write",
        }
    }

    /// The unit its values are in.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::ReadErrorsPct => "%",
            Metric::ReadP95Ms | Metric::WriteP95Ms => "ms",
            Metric::ReadStalenessP95S
            | Metric::UpdateDelayAfterRecoveryS
            | Metric::LongestSaturationS => "s",
            Metric::UpdatesNotCommitted => "updates",
            Metric::ExternalReadsAtPrimary | Metric::StaffReadsMissingOwnWrite => "reads",
            Metric::MonthlyCostUsd => "US$/month",
        }
    }

    /// A value of this metric as text: "46.2 ms", "0.42 %", "$2,540/month".
    pub fn format(self, v: f64) -> String {
        match self {
            Metric::ReadErrorsPct => pct(v),
            Metric::ReadP95Ms | Metric::WriteP95Ms => ms(v),
            Metric::ReadStalenessP95S
            | Metric::UpdateDelayAfterRecoveryS
            | Metric::LongestSaturationS => secs(v),
            Metric::UpdatesNotCommitted => match v.round() as i64 {
                1 => "1 update".to_string(),
                n => format!("{n} updates"),
            },
            Metric::ExternalReadsAtPrimary | Metric::StaffReadsMissingOwnWrite => reads(v),
            Metric::MonthlyCostUsd => format!("{}/month", usd(v)),
        }
    }
}

/// What measuring needs.
pub(crate) struct Context<'a> {
    pub design: &'a Design,
    pub facts: &'a DesignFacts<'a>,
    pub run: &'a GradedRun,
    pub incidents_per_month: f64,
}

impl Context<'_> {
    pub fn report(&self) -> &Report {
        &self.run.report
    }
}

/// The external, internal and write summaries of a window (`None` or
/// `"run"`: the whole run).
pub(crate) fn window<'r>(
    r: &'r Report,
    name: Option<&str>,
) -> Option<&'r crate::engine::WindowReport> {
    r.window(name.unwrap_or("run"))
}

/// "over the incident (minutes 5–60)".
pub(crate) fn window_phrase(r: &Report, name: Option<&str>) -> String {
    match name.and_then(|n| r.window(n)) {
        Some(w) if w.name != "run" => format!(
            "over the {} (minutes {}–{})",
            w.name,
            num(w.from_s / 60.0),
            num(w.to_s / 60.0)
        ),
        _ => "over the run".to_string(),
    }
}

/// When an update reached readers, and when it was due.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UpdateTiming {
    /// 1-based update number.
    pub number: usize,
    pub posted_s: f64,
    /// Posting, or the recovery of the fault that held it up.
    pub due_s: f64,
    /// The fault (index into the run's faults) that moved `due_s`.
    pub fault: Option<usize>,
    pub committed_s: Option<f64>,
    /// When 95 % of readers had it, if they did.
    pub reached_s: Option<f64>,
    /// Reached (or the end of the run) minus due.
    pub delay_s: f64,
}

/// Every update of the run that can be judged with `slack_s` to reach
/// readers: its due time and delay.
pub(crate) fn update_timings(run: &GradedRun, slack_s: f64) -> Vec<UpdateTiming> {
    let r = &run.report;
    let end = f64::from(r.duration_s);
    let slack = if slack_s.is_finite() {
        slack_s.max(0.0)
    } else {
        0.0
    };
    let mut faults: Vec<(usize, f64, f64)> = run
        .faults
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.start_s, f.recovered_s))
        .collect();
    faults.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut out = Vec::new();
    for (k, u) in r.freshness.updates.iter().enumerate() {
        let mut due = u.posted_s;
        let mut by = None;
        for &(i, start, recovered) in &faults {
            if start <= due + slack && recovered >= u.posted_s && recovered > due {
                due = recovered;
                by = Some(i);
            }
        }
        let reached = u.reached_after_s.map(|a| u.posted_s + a);
        if reached.is_none() && due + slack >= end {
            // Still within its time when the run ended: not judged.
            continue;
        }
        let at = reached.unwrap_or(end);
        out.push(UpdateTiming {
            number: k + 1,
            posted_s: u.posted_s,
            due_s: due,
            fault: by,
            committed_s: u.committed_s,
            reached_s: reached,
            delay_s: (at - due).max(0.0),
        });
    }
    out
}

/// The node that spent the longest saturated: (index in the report's
/// nodes, seconds).
pub(crate) fn longest_saturation(r: &Report) -> Option<(usize, f64)> {
    r.nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (i, n.summary.saturated_max_s))
        .filter(|(_, s)| *s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn no_answer(what: &str) -> (f64, String, bool) {
    (0.0, format!("no {what} was answered"), false)
}

/// Measures one check on the context's run.
// Kept out of its callers: ARCHITECTURE.md, "The grading worker's wasm".
#[inline(never)]
pub(crate) fn measure(ctx: &Context<'_>, c: &Check) -> CheckResult {
    let r = ctx.report();
    let m = c.metric;
    let (bound, target) = target_of(c).unwrap_or((Bound::AtMost, 0.0));
    let win = window(r, c.window.as_deref());
    let empty = Summary::default();
    let ext = win.map_or(&empty, |w| &w.external);
    // (value, text, usable): a latency of nothing answered is no pass.
    let no_readers = matches!(
        m,
        Metric::ReadErrorsPct | Metric::ReadP95Ms | Metric::ReadStalenessP95S
    ) && ext.offered <= 0.0;
    let (value, text, usable) = match m {
        _ if no_readers => (0.0, "no reads were made".to_string(), false),
        Metric::ReadErrorsPct => {
            let v = 100.0 * ext.error_rate;
            (v, m.format(v), true)
        }
        Metric::ReadP95Ms => {
            if ext.offered > 0.0 && ext.served <= 0.0 {
                no_answer("read")
            } else {
                let v = ext.latency.p95_ms;
                (v, m.format(v), true)
            }
        }
        Metric::ReadStalenessP95S => {
            if ext.offered > 0.0 && ext.served <= 0.0 {
                no_answer("read")
            } else {
                let v = ext.staleness.p95_s;
                (v, m.format(v), true)
            }
        }
        Metric::UpdatesNotCommitted => {
            let posted = r.freshness.updates.len();
            let missing = r
                .freshness
                .updates
                .iter()
                .filter(|u| u.committed_s.is_none())
                .count();
            let v = missing as f64;
            (v, format!("{missing} of {posted}"), true)
        }
        Metric::WriteP95Ms => {
            let w = win.map_or(&empty, |w| &w.writes);
            if w.offered > 0.0 && w.served <= 0.0 {
                no_answer("write")
            } else {
                let v = w.latency.p95_ms;
                (v, m.format(v), true)
            }
        }
        Metric::ExternalReadsAtPrimary => {
            let v = win.map_or(r.external_reads_at_primary, |w| w.external_reads_at_primary);
            let ticks = r.ticks_with_external_reads_at_primary;
            let text = if v <= 0.0 {
                m.format(0.0)
            } else {
                // The fluid model's expected count (under one read in all
                // is written with its decimals), and the seconds in which
                // some reached the primary.
                format!("{} in {}", m.format(v), secs(f64::from(ticks)))
            };
            (v, text, true)
        }
        Metric::StaffReadsMissingOwnWrite => {
            // No staff tools, no evidence: the brief's constraint is not
            // met by leaving the staff out of the design.
            let staff = ctx
                .facts
                .of_kind(design::NodeKind::InternalUsers)
                .next()
                .is_some();
            if !staff {
                (0.0, "no staff tools in the design".to_string(), false)
            } else if r.internal.served <= 0.0 {
                (0.0, "no staff read was answered".to_string(), false)
            } else {
                let v = r.staff_reads_missing_own_write;
                (v, m.format(v), true)
            }
        }
        Metric::MonthlyCostUsd => {
            let mc = cost::monthly(ctx.design, r, ctx.incidents_per_month);
            (mc.total_usd, m.format(mc.total_usd), true)
        }
        Metric::UpdateDelayAfterRecoveryS => {
            let worst = update_timings(ctx.run, target)
                .into_iter()
                .map(|u| u.delay_s)
                .fold(0.0, f64::max);
            (worst, m.format(worst), true)
        }
        Metric::LongestSaturationS => {
            let v = longest_saturation(r).map_or(0.0, |x| x.1);
            (v, m.format(v), true)
        }
    };
    let value = if value.is_finite() { value } else { 0.0 };
    let passed = usable
        && match bound {
            Bound::AtMost => value <= target,
            Bound::AtLeast => value >= target,
        };
    let sign = match bound {
        Bound::AtMost => "≤",
        Bound::AtLeast => "≥",
    };
    let target_text = match m {
        Metric::UpdatesNotCommitted if bound == Bound::AtMost && target == 0.0 => {
            "every update commits".to_string()
        }
        Metric::ExternalReadsAtPrimary | Metric::StaffReadsMissingOwnWrite
            if bound == Bound::AtMost && target == 0.0 =>
        {
            "none".to_string()
        }
        Metric::ReadP95Ms | Metric::WriteP95Ms => format!("{sign} {} ms", num(target)),
        Metric::ReadErrorsPct => format!("{sign} {} %", num_fine(target)),
        _ => format!("{sign} {}", m.format(target)),
    };
    CheckResult {
        metric: m,
        name: match m {
            Metric::ReadErrorsPct
            | Metric::ReadP95Ms
            | Metric::ReadStalenessP95S
            | Metric::WriteP95Ms => {
                format!("{} {}", m.name(), window_phrase(r, c.window.as_deref()))
            }
            _ => m.name().to_string(),
        },
        window: c.window.clone(),
        measured: Measure {
            value,
            unit: m.unit().to_string(),
            text,
        },
        target: Target {
            bound,
            value: target,
            unit: m.unit().to_string(),
            text: target_text,
        },
        passed,
    }
}

/// How close a passed check came to its target: 0 far, 1 at the target.
pub(crate) fn closeness(c: &CheckResult) -> f64 {
    let (v, t) = (c.measured.value, c.target.value);
    let x = match c.target.bound {
        Bound::AtMost if t > 0.0 => v / t,
        Bound::AtMost => {
            if v <= t {
                0.0
            } else {
                1.0
            }
        }
        Bound::AtLeast if v > 0.0 => t / v,
        Bound::AtLeast => 1.0,
    };
    if x.is_finite() {
        x
    } else {
        1.0
    }
}

// Number formatting for people.

/// A number with at most one decimal, no trailing ".0".
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let r = (v * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        thousands(r.round())
    } else {
        format!("{r:.1}")
    }
}

/// A small number with the digits it needs: 0.1, 0.05, 2.
pub(crate) fn num_fine(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// A whole number with thousands separators: 45,000.
pub(crate) fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let n = v.round().abs() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < -0.5 {
        format!("-{out}")
    } else {
        out
    }
}

/// A count for people: 950, 12,400, 1.2 million.
pub(crate) fn count(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    if v.abs() >= 1e6 {
        format!("{:.1} million", v / 1e6)
    } else {
        thousands(v)
    }
}

/// A count of reads from the fluid model, which may be a fraction of
/// one: "none", "0.31 reads", "1 read", "12,400 reads".
pub(crate) fn reads(v: f64) -> String {
    if v.is_nan() || v <= 0.0 {
        "none".to_string()
    } else if v < 0.995 {
        // Two significant digits: 0.12 reads, 0.0013 reads (never "0.00").
        let digits = (-v.log10()).floor().clamp(0.0, 12.0) as usize + 2;
        format!("{v:.digits$} reads")
    } else if v.round() == 1.0 {
        "1 read".to_string()
    } else {
        format!("{} reads", count(v))
    }
}

/// "46.2 ms".
pub(crate) fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{} ms", thousands(v))
    } else {
        format!("{v:.1} ms")
    }
}

/// "0.42 %" (two significant digits below 1 %).
pub(crate) fn pct(v: f64) -> String {
    if v == 0.0 {
        "0 %".to_string()
    } else if v < 0.01 {
        format!("{v:.4} %")
    } else if v < 1.0 {
        format!("{v:.2} %")
    } else {
        format!("{v:.1} %")
    }
}

/// "45 s", "14 min 10 s", "1 h 2 min".
pub(crate) fn secs(v: f64) -> String {
    if !v.is_finite() || v < 0.0 {
        return "0 s".to_string();
    }
    if v < 10.0 && (v - v.round()).abs() > 0.05 {
        return format!("{v:.1} s");
    }
    let s = v.round() as u64;
    if s < 120 {
        format!("{s} s")
    } else if s < 3600 {
        if s % 60 == 0 {
            format!("{} min", s / 60)
        } else {
            format!("{} min {} s", s / 60, s % 60)
        }
    } else if (s % 3600) / 60 == 0 {
        format!("{} h", s / 3600)
    } else {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    }
}

/// "$2,540".
pub(crate) fn usd(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("${v:.2}")
    } else {
        format!("${}", thousands(v))
    }
}

/// "minute 20" or "minute 20:30" for a time in seconds.
pub(crate) fn at(t_s: f64) -> String {
    let t = if t_s.is_finite() { t_s.max(0.0) } else { 0.0 };
    let s = t.round() as u64;
    if s % 60 == 0 {
        format!("minute {}", s / 60)
    } else {
        format!("minute {}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(45_000.0), "45,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(count(1_234_567.0), "1.2 million");
        assert_eq!(ms(46.23), "46.2 ms");
        assert_eq!(pct(0.42), "0.42 %");
        assert_eq!(pct(0.0), "0 %");
        assert_eq!(secs(45.0), "45 s");
        assert_eq!(secs(850.0), "14 min 10 s");
        assert_eq!(secs(3720.0), "1 h 2 min");
        assert_eq!(secs(3600.0), "1 h");
        assert_eq!(usd(2540.4), "$2,540");
        assert_eq!(at(1230.0), "minute 20:30");
        assert_eq!(num(5.0), "5");
        assert_eq!(num(1.25), "1.3");
        for m in Metric::ALL {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.key()));
            assert!(!m.name().is_empty() && !m.unit().is_empty());
        }
    }
}

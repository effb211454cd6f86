//! What `simulate` and `grade` print: the tables and the JSON brief.

use std::fmt::Write as _;

use serde::Serialize;
use sim::engine::{Report, Summary};

/// The JSON `--json` prints: what a person or a script compares.
#[derive(Serialize)]
pub struct Brief<'a> {
    seed: u64,
    duration_s: u32,
    overall: Row<'a>,
    internal: Row<'a>,
    writes: Row<'a>,
    windows: Vec<Row<'a>>,
    nodes: Vec<Row<'a>>,
    external_reads_at_primary: f64,
    updates_reach_p95_s: f64,
    always_on_monthly_usd: f64,
    run_cost_usd: f64,
    prices: String,
    diagnostics: Vec<String>,
}

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    offered: f64,
    served: f64,
    errors: f64,
    error_rate: f64,
    mean_ms: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    utilisation: f64,
    instances_max: f64,
    staleness_p95_s: f64,
    cost_usd: f64,
}

fn row<'a>(name: &'a str, s: &Summary) -> Row<'a> {
    Row {
        name,
        offered: s.offered,
        served: s.served,
        errors: s.errors,
        error_rate: s.error_rate,
        mean_ms: s.latency.mean_ms,
        p50_ms: s.latency.p50_ms,
        p95_ms: s.latency.p95_ms,
        p99_ms: s.latency.p99_ms,
        utilisation: s.utilisation_mean,
        instances_max: s.instances_max,
        staleness_p95_s: s.staleness.p95_s,
        cost_usd: s.cost_usd,
    }
}

pub fn brief(r: &Report) -> Brief<'_> {
    Brief {
        seed: r.seed,
        duration_s: r.duration_s,
        overall: row("external reads", &r.overall),
        internal: row("internal reads", &r.internal),
        writes: row("writes", &r.writes),
        windows: r
            .windows
            .iter()
            .map(|w| row(w.name.as_str(), &w.external))
            .collect(),
        nodes: r
            .nodes
            .iter()
            .map(|n| row(n.id.as_str(), &n.summary))
            .collect(),
        external_reads_at_primary: r.external_reads_at_primary,
        updates_reach_p95_s: r.freshness.reach_p95_s,
        always_on_monthly_usd: r.cost.always_on_monthly_usd,
        run_cost_usd: r.cost.run_usd,
        prices: format!("{} ({})", r.cost.price_date, r.cost.price_source),
        diagnostics: r.diagnostics.iter().map(|d| d.to_string()).collect(),
    }
}

fn human(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.2}G", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2}M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} s simulated, seed {}. Latency in ms, staleness in s, cost in US$.",
        r.duration_s, r.seed
    );
    let _ = writeln!(
        out,
        "{:<22} {:>9} {:>9} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6} {:>9}",
        "",
        "offered",
        "served",
        "errors",
        "err %",
        "mean",
        "p50",
        "p95",
        "p99",
        "util",
        "stale",
        "cost"
    );
    let mut line = |name: &str, s: &Summary| {
        let _ = writeln!(
            out,
            "{:<22} {:>9} {:>9} {:>8} {:>7.3} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>6.2} {:>6.1} {:>9.2}",
            name.chars().take(22).collect::<String>(),
            human(s.offered),
            human(s.served),
            human(s.errors),
            100.0 * s.error_rate,
            s.latency.mean_ms,
            s.latency.p50_ms,
            s.latency.p95_ms,
            s.latency.p99_ms,
            s.utilisation_mean,
            s.staleness.p95_s,
            s.cost_usd
        );
    };
    line("external reads", &r.overall);
    line("internal reads", &r.internal);
    line("writes", &r.writes);
    for w in r.windows.iter().filter(|w| w.name != "run") {
        line(&format!("  window {}", w.name), &w.external);
    }
    for n in &r.nodes {
        line(&format!("{} ({})", n.id, n.kind.key()), &n.summary);
    }
    let _ = writeln!(
        out,
        "external reads at the primary: {}; updates reach readers (p95): {:.0} s; always-on monthly cost: ${:.2}",
        human(r.external_reads_at_primary),
        r.freshness.reach_p95_s,
        r.cost.always_on_monthly_usd
    );
    let _ = writeln!(
        out,
        "prices: {} ({})",
        r.cost.price_date, r.cost.price_source
    );
    for d in &r.diagnostics {
        let _ = writeln!(out, "{d}");
    }
    out
}

/// Text padded with spaces to `width` characters (not bytes: the
/// metrics' names hold “–” and “≤”).
fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

pub fn grade_table(g: &sim::grade::Grade, d: &design::Design, title: &str, what: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{what} on “{title}” (seed {}): {} of {} scenarios passed.",
        g.seed, g.passed, g.total
    );
    let _ = writeln!(out);
    let width = |f: &dyn Fn(&sim::grade::ScenarioResult) -> usize, head: &str| {
        g.scenarios
            .iter()
            .map(f)
            .max()
            .unwrap_or(0)
            .max(head.chars().count())
    };
    let w_name = width(&|s| s.name.chars().count(), "scenario");
    let w_metric = width(&|s| s.metric.chars().count(), "metric");
    let w_measured = width(&|s| s.measured.text.chars().count(), "measured");
    let _ = writeln!(
        out,
        "{}  {}  {}  {}  target",
        pad("", 4),
        pad("scenario", w_name),
        pad("metric", w_metric),
        pad("measured", w_measured)
    );
    for s in &g.scenarios {
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}",
            if s.passed { "PASS" } else { "FAIL" },
            pad(&s.name, w_name),
            pad(&s.metric, w_metric),
            pad(&s.measured.text, w_measured),
            s.target.text
        );
    }
    for s in &g.scenarios {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}: {}",
            if s.passed { "PASS" } else { "FAIL" },
            s.name,
            s.passes
        );
        for c in &s.checks {
            let _ = writeln!(
                out,
                "  {} {}: {} (target {})",
                if c.passed { "✓" } else { "✗" },
                c.name,
                c.measured.text,
                c.target.text
            );
        }
        if let Some(node) = &s.limiting_node {
            match d.node(node) {
                Some(n)
                    if !n.label.is_empty()
                        && n.label != n.kind.name()
                        && n.label != node.as_str() =>
                {
                    let label = &n.label;
                    let _ = writeln!(out, "  limited by: {node} (“{label}”)");
                }
                _ => {
                    let _ = writeln!(out, "  limited by: {node}");
                }
            }
        }
        let _ = writeln!(out, "  what happened: {}", s.cause);
        match &s.advice {
            sim::grade::Advice::Tested(t) => {
                let _ = writeln!(out, "  next step: {}", t.fix.text);
                let _ = writeln!(out, "  {}", t.effect);
            }
            _ => {
                if let Some(next) = &s.next_step {
                    let _ = writeln!(out, "  next step: {next}");
                }
            }
        }
    }
    if !g.lints.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Design advice:");
        for l in &g.lints {
            let _ = writeln!(out, "  - {}: {}", l.code.title(), l.message);
        }
    }
    if !g.diagnostics.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Problems with the design:");
        for d in &g.diagnostics {
            let _ = writeln!(out, "  - {d}");
        }
    }
    out
}

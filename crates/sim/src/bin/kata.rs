//! The `kata` command-line tool: run a design through the engine.
//!
//! ```text
//! kata simulate DESIGN.json [--profile constant:RPS | --profile ramp:T=RPS,…]
//!                           [--seconds N] [--seed S] [--kata ID] [--json]
//! kata grade DESIGN.json|LINK [--kata ID] [--seed S] [--json [--reports]]
//! kata list
//! ```
//!
//! `grade` exits 0 when every scenario passes and 1 when any fails. Bad
//! input gets a message in words and exit code 2.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;
use sim::engine::{Profile, Report, Scenario, Sim, Summary};

const USAGE: &str = "\
usage:
  kata simulate DESIGN.json [options]   run a design and print what happened
  kata grade DESIGN.json|LINK [options] grade a design on a kata's scenarios
  kata list                             list the built-in katas

options for simulate:
  --profile constant:RPS        external readers at a constant rate (default constant:1000)
  --profile ramp:T=RPS,T=RPS    straight lines between points (seconds=requests/s)
  --seconds N                   length of the run (default 600; a kata's run sets its own)
  --seed S                      seed for noise and schedules (default 1)
  --kata ID                     use that kata's run (traffic, updates, staff reads)
  --json                        print JSON instead of a table

options for grade (exit code 0: every scenario passed, 1: some failed):
  DESIGN.json or LINK           a design file, or a share link (d1.…, #d1.… or a whole URL)
  --kata ID                     the kata (default: the link's kata, else status-dashboard)
  --seed S                      seed of the runs (default: the link's seed, else 1)
  --json                        print the grade as JSON instead of a table
  --reports                     with --json, include each run's full report";

/// Arguments of `kata simulate`.
struct Args {
    design: String,
    profile: Option<Profile>,
    seconds: Option<u32>,
    seed: u64,
    kata: Option<String>,
    json: bool,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut design = None;
    let mut out = Args {
        design: String::new(),
        profile: None,
        seconds: None,
        seed: 1,
        kata: None,
        json: false,
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = |name: &str| -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a {
            "--profile" => {
                let v = value("--profile")?;
                out.profile = Some(Profile::parse(&v).map_err(|e| e.to_string())?);
            }
            "--seconds" => {
                let v = value("--seconds")?;
                let n: u32 = v.parse().map_err(|_| {
                    format!("--seconds must be a whole number of seconds, not “{v}”")
                })?;
                if n == 0 || n > 7 * 24 * 3600 {
                    return Err("--seconds must be between 1 and 604800 (7 days)".to_string());
                }
                out.seconds = Some(n);
            }
            "--seed" => {
                out.seed = parse_seed(&value("--seed")?)?;
            }
            "--kata" => out.kata = Some(value("--kata")?),
            "--json" => out.json = true,
            other => take_design(&mut design, other, "design file")?,
        }
        i += 1;
    }
    out.design =
        design.ok_or_else(|| "which design? give the path of a design JSON file".to_string())?;
    Ok(out)
}

fn scenario_for(args: &Args) -> Result<Scenario, String> {
    let mut s = match &args.kata {
        Some(id) => {
            let kata = sim::kata::load(id).map_err(|e| e.to_string())?;
            let run = kata
                .run
                .ok_or_else(|| format!("the kata “{id}” has no run yet"))?;
            run.scenario(args.seed)?
        }
        None => Scenario::constant(1000.0, 600),
    };
    if let Some(p) = &args.profile {
        s.profile = p.clone();
    }
    if let Some(n) = args.seconds {
        s.duration_s = n;
        s.windows.retain(|w| w.from_s < f64::from(n));
    }
    Ok(s)
}

/// The JSON `--json` prints: what a person or a script compares.
#[derive(Serialize)]
struct Brief<'a> {
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

fn brief(r: &Report) -> Brief<'_> {
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

fn table(r: &Report) -> String {
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

fn simulate(args: &[String]) -> Result<String, String> {
    let args = parse_args(args)?;
    let text = std::fs::read_to_string(&args.design)
        .map_err(|e| format!("could not read “{}”: {e}", args.design))?;
    let parsed = design::format::parse(&text)
        .map_err(|e| format!("“{}” is not a design: {e}", args.design))?;
    let scenario = scenario_for(&args)?;
    let mut sim = Sim::new(&parsed.design, &scenario, args.seed);
    sim.run_to_end();
    let mut report = sim.report();
    // What the file's reader repaired comes first.
    let mut all = parsed.diagnostics;
    all.append(&mut report.diagnostics);
    report.diagnostics = all;
    if args.json {
        serde_json::to_string_pretty(&brief(&report))
            .map_err(|e| format!("could not write JSON: {e}"))
    } else {
        Ok(table(&report))
    }
}

/// Arguments of `kata grade`.
struct GradeArgs {
    design: String,
    kata: Option<String>,
    seed: Option<u64>,
    json: bool,
    reports: bool,
}

/// A `--seed` value.
fn parse_seed(v: &str) -> Result<u64, String> {
    v.parse()
        .map_err(|_| format!("--seed must be a whole number, not “{v}”"))
}

/// An argument that is not a known option: the (one) design, or an error
/// naming the unknown option or the extra design.
fn take_design(design: &mut Option<String>, arg: &str, what: &str) -> Result<(), String> {
    if arg.starts_with("--") {
        return Err(format!("unknown option “{arg}”"));
    }
    if design.is_some() {
        return Err(format!("only one {what}, please (“{arg}” is extra)"));
    }
    *design = Some(arg.to_string());
    Ok(())
}

fn parse_grade_args(args: &[String]) -> Result<GradeArgs, String> {
    let mut out = GradeArgs {
        design: String::new(),
        kata: None,
        seed: None,
        json: false,
        reports: false,
    };
    let mut design = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = |name: &str| -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a {
            "--kata" => out.kata = Some(value("--kata")?),
            "--seed" => {
                out.seed = Some(parse_seed(&value("--seed")?)?);
            }
            "--json" => out.json = true,
            "--reports" => out.reports = true,
            other => take_design(&mut design, other, "design")?,
        }
        i += 1;
    }
    out.design = design.ok_or_else(|| {
        "which design? give the path of a design JSON file or a share link".to_string()
    })?;
    Ok(out)
}

/// True for text that reads as a share link rather than a path or JSON.
fn looks_like_link(text: &str) -> bool {
    let t = text.trim();
    let versioned = t
        .strip_prefix('d')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(digits, _)| {
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        });
    versioned || t.starts_with("#d") || t.contains("://") || t.contains("#d")
}

/// The design named on the command line (a file holding JSON or a link,
/// or a link), with the kata and seed a link carries.
fn read_design(arg: &str) -> Result<(design::Design, Option<String>, Option<u64>), String> {
    let path = std::path::Path::new(arg);
    let text = if path.is_file() {
        std::fs::read_to_string(path).map_err(|e| format!("could not read “{arg}”: {e}"))?
    } else if looks_like_link(arg) {
        arg.to_string()
    } else {
        return Err(format!(
            "“{arg}” is neither a file nor a share link (a link looks like d1.… or https://…#d1.…)"
        ));
    };
    if !text.trim_start().starts_with('{') && looks_like_link(&text) {
        let shared = design::share::decode(&text).map_err(|e| e.to_string())?;
        let kata = (!shared.kata.is_empty()).then(|| shared.kata.clone());
        return Ok((shared.design, kata, Some(shared.seed)));
    }
    let parsed =
        design::format::parse(&text).map_err(|e| format!("“{arg}” is not a design: {e}"))?;
    Ok((parsed.design, None, None))
}

/// Text padded with spaces to `width` characters (not bytes: the
/// metrics' names hold “–” and “≤”).
fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

fn grade_table(g: &sim::grade::Grade, d: &design::Design, title: &str, what: &str) -> String {
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

fn grade(args: &[String]) -> Result<(String, bool), String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok((format!("{USAGE}\n"), true));
    }
    let args = parse_grade_args(args)?;
    let (design, link_kata, link_seed) = read_design(&args.design)?;
    let kata_id = args
        .kata
        .clone()
        .or(link_kata)
        .unwrap_or_else(|| "status-dashboard".to_string());
    let seed = args.seed.or(link_seed).unwrap_or(1);
    let kata = sim::kata::load(&kata_id).map_err(|e| e.to_string())?;
    // Every failed scenario's next step is tried on a copy before it is
    // printed.
    let mut g = sim::grade::advise(&design, &kata, seed).map_err(|e| e.to_string())?;
    let passed = g.all_passed();
    let text = if args.json {
        if !args.reports {
            for r in &mut g.runs {
                r.report.series = Default::default();
                r.report.events.clear();
                r.report.nodes.clear();
                r.report.windows.clear();
            }
        }
        serde_json::to_string_pretty(&g).map_err(|e| format!("could not write JSON: {e}"))?
    } else {
        grade_table(&g, &design, &kata.title, &args.design)
    };
    Ok((text, passed))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("grade") {
        return match grade(&args[1..]) {
            Ok((text, passed)) => {
                print!("{text}");
                if !text.ends_with('\n') {
                    println!();
                }
                if passed {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(message) => {
                eprintln!("kata: {message}");
                ExitCode::from(2)
            }
        };
    }
    let result = match args.first().map(String::as_str) {
        Some("simulate") => simulate(&args[1..]),
        Some("list") => Ok(sim::kata::ids().map(|id| format!("{id}\n")).collect()),
        Some("help") | Some("--help") | Some("-h") => Ok(format!("{USAGE}\n")),
        Some(other) => Err(format!("unknown command “{other}”\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("kata: {message}");
            ExitCode::from(2)
        }
    }
}

//! The `kata` command-line tool: run a design through the engine.
//!
//! ```text
//! kata simulate DESIGN [--profile constant:RPS | --profile ramp:T=RPS,…]
//!                      [--seconds N] [--seed S] [--kata ID|FOLDER] [--json]
//! kata grade DESIGN [--kata ID|FOLDER] [--seed S] [--json [--reports]]
//! kata link DESIGN [--kata ID|FOLDER] [--seed S]
//! kata list
//! ```
//!
//! DESIGN is a design JSON file, `-` for standard input, or a share link;
//! a kata is a built-in one's id or the folder of a kata being written.
//! `grade` exits 0 when every scenario passes and 1 when any fails. Bad
//! input, input past the limits in `limits.rs`, or output that cannot be
//! written gets a message in words and exit code 2 (`CliError`). A reader
//! that closes the pipe early (`kata … | head -1`) is not an error.

mod args;
mod error;
mod input;
mod limits;
mod output;
mod progress;
mod tables;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use sim::engine::{Scenario, Sim};

use crate::args::Options;
use crate::error::CliError;
use crate::limits::{input_limit, rate_limit, seconds_limit, MAX_SECONDS};
use crate::output::emit;

/// The kata a design is graded on when neither `--kata` nor a link names
/// one.
const DEFAULT_KATA: &str = "status-dashboard";

fn usage() -> String {
    format!(
        "\
usage:
  kata simulate DESIGN [options]   run a design and print what happened
  kata grade DESIGN [options]      grade a design on a kata's scenarios
  kata link DESIGN [options]       print the design's share link
  kata list                        list the built-in katas

DESIGN is a design JSON file, “-” for standard input, or a share link
(d2.…, #d2.… or a whole URL; old d1.… links still open). A kata is a
built-in kata's id (see list) or the folder of a kata being written,
holding kata.json and designs/starter.json.

options for simulate:
  --profile constant:RPS        external readers at a constant rate (default constant:1000)
  --profile ramp:T=RPS,T=RPS    straight lines between points (seconds=requests/s)
  --seconds N                   length of the run (default 600; a kata's run sets its own)
  --seed S                      seed for noise and schedules (default 1)
  --kata ID|FOLDER              use that kata's run (traffic, updates, staff reads)
  --json                        print JSON instead of a table
  A run that takes more than 2 s of wall time reports its progress on stderr.

options for grade (exit code 0: every scenario passed, 1: some failed):
  --kata ID|FOLDER              the kata (default: the link's kata, else {DEFAULT_KATA})
  --seed S                      seed of the runs (default: the link's seed, else 1)
  --json                        print the grade as JSON instead of a table
  --reports                     with --json, include each run's full report

options for link:
  --kata ID|FOLDER              the kata in the link (default: the link's kata, else {DEFAULT_KATA})
  --seed S                      the seed in the link (default: the link's seed, else 1)

limits (anything past them is refused with exit code 2):
  a design file or standard input   at most {}
  every rate of a --profile         from 0 to {}
  --seconds                         from 1 to {}",
        input_limit(),
        rate_limit(),
        seconds_limit()
    )
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            output::say(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs the command; `Ok` holds the exit code (1: the grade failed).
fn run() -> Result<u8, CliError> {
    let args = args::from_env()?;
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("simulate") => simulate(rest),
        Some("grade") => grade(rest),
        Some("link") => link(rest),
        Some("list") => {
            emit(
                &sim::kata::ids()
                    .map(|id| format!("{id}\n"))
                    .collect::<String>(),
            )?;
            Ok(0)
        }
        Some("help" | "--help" | "-h") => help(),
        Some(other) => Err(CliError::Usage(format!(
            "unknown command “{other}”\n{}",
            usage()
        ))),
        None => Err(CliError::Usage(usage())),
    }
}

fn help() -> Result<u8, CliError> {
    emit(&usage())?;
    Ok(0)
}

/// The kata `--kata` (or a link) names: a built-in kata's id, or the
/// folder of a kata being written (`kata.json` and `designs/starter.json`,
/// see `docs/katas/README.md`).
fn load_kata(name: &str) -> Result<sim::kata::Kata, CliError> {
    let dir = std::path::Path::new(name);
    if sim::kata::ids().all(|id| id != name) && dir.is_dir() {
        return input::read_kata_dir(dir);
    }
    sim::kata::load(name).map_err(|e| CliError::Input(e.to_string()))
}

/// The scenario `simulate` runs: the kata's run or a constant 1000
/// requests/s for 600 s, with `--profile` and `--seconds` on top.
fn scenario_for(o: &Options, seed: u64) -> Result<Scenario, CliError> {
    let mut s = match &o.kata {
        Some(id) => {
            let kata = load_kata(id)?;
            let run = kata
                .run
                .ok_or_else(|| CliError::Input(format!("the kata “{id}” has no run yet")))?;
            run.scenario(seed).map_err(CliError::Input)?
        }
        None => Scenario::constant(1000.0, 600),
    };
    if let Some(p) = &o.profile {
        s.profile = p.clone();
    }
    if let Some(n) = o.seconds {
        s.duration_s = n;
        s.windows.retain(|w| w.from_s < f64::from(n));
    }
    Ok(s)
}

fn simulate(args: &[String]) -> Result<u8, CliError> {
    let o = args::parse(
        args,
        "simulate",
        &["--profile", "--seconds", "--seed", "--kata", "--json"],
    )?;
    if o.help {
        return help();
    }
    let seed = o.seed.unwrap_or(1);
    let input = input::read_design(&o.design)?;
    let scenario = scenario_for(&o, seed)?;
    let mut sim = Sim::new(&input.design, &scenario, seed);
    run_showing_progress(&mut sim, scenario.duration_s.min(MAX_SECONDS));
    let mut report = sim.report();
    // What the file's reader repaired comes first.
    let mut all = input.diagnostics;
    all.append(&mut report.diagnostics);
    report.diagnostics = all;
    let text = if o.json {
        serde_json::to_string_pretty(&tables::brief(&report))
            .map_err(|e| CliError::Input(format!("could not make the JSON: {e}")))?
    } else {
        tables::table(&report)
    };
    emit(&text)?;
    Ok(0)
}

/// Runs `sim` to its end (`total` simulated seconds) tick by tick, which
/// gives the report of `Sim::run_to_end` bit for bit, and after 2 s of wall
/// time says how far it got on stderr, at most once a second
/// (`progress::line`). On a terminal the line is rewritten in place and
/// cleared at the end; elsewhere each is a line of its own.
fn run_showing_progress(sim: &mut Sim, total: u32) {
    /// Ticks between looks at the clock.
    const CHUNK: u32 = 64;
    let start = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut last = None;
    while !sim.is_done() {
        for _ in 0..CHUNK {
            if sim.is_done() {
                break;
            }
            sim.step();
        }
        let elapsed = start.elapsed();
        if let Some(line) = progress::line(elapsed, last, sim.time(), total) {
            last = Some(elapsed);
            if terminal {
                output::whisper(&format!("\rkata: {line}\x1b[K"));
            } else {
                output::say(&line);
            }
        }
    }
    if terminal && last.is_some() {
        output::whisper("\r\x1b[K");
    }
}

/// The kata and seed for `grade` and `link`: the options, else the link's,
/// else the defaults.
fn kata_and_seed(o: &Options, input: &input::Input) -> (String, u64) {
    let kata = o
        .kata
        .clone()
        .or_else(|| input.kata.clone())
        .unwrap_or_else(|| DEFAULT_KATA.to_string());
    (kata, o.seed.or(input.seed).unwrap_or(1))
}

fn grade(args: &[String]) -> Result<u8, CliError> {
    let o = args::parse(args, "grade", &["--kata", "--seed", "--json", "--reports"])?;
    if o.help {
        return help();
    }
    let input = input::read_design(&o.design)?;
    let (kata_id, seed) = kata_and_seed(&o, &input);
    let kata = load_kata(&kata_id)?;
    // Every failed scenario's next step is tried on a copy before it is
    // printed.
    let mut g = sim::grade::advise(&input.design, &kata, seed)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let code = if g.all_passed() { 0 } else { 1 };
    let text = if o.json {
        if !o.reports {
            for r in &mut g.runs {
                r.report.series = Default::default();
                r.report.events.clear();
                r.report.nodes.clear();
                r.report.windows.clear();
            }
        }
        serde_json::to_string_pretty(&g)
            .map_err(|e| CliError::Input(format!("could not make the JSON: {e}")))?
    } else {
        let what = if o.design == "-" {
            "standard input"
        } else {
            &o.design
        };
        tables::grade_table(&g, &input.design, &kata.title, what)
    };
    emit(&text)?;
    Ok(code)
}

/// `kata link`: the design's share link, as `design::share::encode` makes
/// it, and a newline; what reading the design repaired goes to stderr.
fn link(args: &[String]) -> Result<u8, CliError> {
    let o = args::parse(args, "link", &["--kata", "--seed"])?;
    if o.help {
        return help();
    }
    let input = input::read_design(&o.design)?;
    let (kata_name, seed) = kata_and_seed(&o, &input);
    let kata = load_kata(&kata_name)?;
    for d in &input.diagnostics {
        output::say(&d.to_string());
    }
    emit(&design::share::encode(&input.design, &kata.id, seed))?;
    Ok(0)
}

//! The command line: the words after the command, checked against what
//! the command accepts and against the limits in `limits`.

use sim::engine::{Profile, Shape};

use crate::error::{within, CliError};
use crate::limits::{rate_limit, seconds_limit, MAX_RATE_RPS, MAX_SECONDS};

/// The arguments of the process as text. An argument that is not valid
/// UTF-8 is refused in words (`std::env::args` would panic).
pub fn from_env() -> Result<Vec<String>, CliError> {
    std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string().map_err(|a| {
                CliError::Usage(format!(
                    "the argument “{}” is not valid text (UTF-8)",
                    a.to_string_lossy()
                ))
            })
        })
        .collect()
}

/// What a command was given. Which fields can be set depends on the
/// command (see `parse`).
#[derive(Debug, Default)]
pub struct Options {
    /// The design: a path, `-` for standard input, or a share link.
    pub design: String,
    pub profile: Option<Profile>,
    pub seconds: Option<u32>,
    pub seed: Option<u64>,
    pub kata: Option<String>,
    pub json: bool,
    pub reports: bool,
    /// `--help` or `-h` was given: print the usage and nothing else.
    pub help: bool,
}

/// Reads the words after `kata COMMAND`; `allowed` lists the options the
/// command takes (`--help` always works).
pub fn parse(args: &[String], command: &str, allowed: &[&str]) -> Result<Options, CliError> {
    let mut out = Options::default();
    let mut design: Option<String> = None;
    let mut words = args.iter();
    while let Some(a) = words.next() {
        let a = a.as_str();
        if a == "--help" || a == "-h" {
            out.help = true;
            continue;
        }
        if a.starts_with("--") && !allowed.contains(&a) {
            return Err(CliError::Usage(format!(
                "unknown option “{a}” for kata {command}"
            )));
        }
        let mut value = || {
            words
                .next()
                .cloned()
                .ok_or_else(|| CliError::Usage(format!("{a} needs a value")))
        };
        match a {
            "--profile" => out.profile = Some(parse_profile(&value()?)?),
            "--seconds" => out.seconds = Some(parse_seconds(&value()?)?),
            "--seed" => out.seed = Some(parse_seed(&value()?)?),
            "--kata" => out.kata = Some(value()?),
            "--json" => out.json = true,
            "--reports" => out.reports = true,
            other => {
                if let Some(first) = &design {
                    return Err(CliError::Usage(format!(
                        "only one design, please (“{first}” and “{other}”)"
                    )));
                }
                design = Some(other.to_string());
            }
        }
    }
    match design {
        Some(d) => out.design = d,
        None if out.help => {}
        None => {
            return Err(CliError::Usage(
                "which design? give the path of a design JSON file, “-” for standard input, or a share link"
                    .to_string(),
            ))
        }
    }
    Ok(out)
}

/// A `--seed` value.
fn parse_seed(v: &str) -> Result<u64, CliError> {
    v.trim()
        .parse()
        .map_err(|_| CliError::Usage(format!("--seed must be a whole number, not “{v}”")))
}

/// A `--seconds` value: a whole number from 1 to `MAX_SECONDS`.
fn parse_seconds(v: &str) -> Result<u32, CliError> {
    let n: u64 = v.trim().parse().map_err(|_| {
        CliError::Usage(format!(
            "--seconds must be a whole number of seconds, not “{v}”"
        ))
    })?;
    match u32::try_from(n) {
        Ok(n) if (1..=MAX_SECONDS).contains(&n) => Ok(n),
        _ => Err(CliError::Usage(format!(
            "--seconds must be from 1 to {}, not {n}",
            seconds_limit()
        ))),
    }
}

/// A `--profile` value: read by the engine, then every rate in it checked
/// against `MAX_RATE_RPS`.
pub fn parse_profile(v: &str) -> Result<Profile, CliError> {
    let bounds = format!(
        "a profile is constant:RPS or ramp:T=RPS,T=RPS,…, each rate from 0 to {}",
        rate_limit()
    );
    let p = Profile::parse(v).map_err(|e| {
        CliError::Usage(format!(
            "{} ({bounds})",
            within(&format!("--profile “{v}”"), &e.0)
        ))
    })?;
    let rates =
        std::iter::once(p.start_rps).chain(p.pieces.iter().filter_map(|piece| match piece.shape {
            Shape::Hold => None,
            Shape::Linear { to_rps } | Shape::Geometric { to_rps } | Shape::Step { to_rps } => {
                Some(to_rps)
            }
        }));
    for r in rates {
        if !(r.is_finite() && (0.0..=MAX_RATE_RPS).contains(&r)) {
            let shown = if r.is_finite() && r < 1e12 {
                format!("{r}")
            } else {
                format!("{r:e}")
            };
            return Err(CliError::Usage(format!(
                "--profile “{v}”: a rate of {shown} requests/s is beyond what kata simulates ({bounds})"
            )));
        }
    }
    Ok(p)
}

//! Signs of life for long runs, decided from numbers only: the binary reads
//! the clock and hands the elapsed time in, so this module (like the
//! engine) never looks at a clock and is tested with made-up times.

use std::time::Duration;

/// Nothing is printed in the first 2 s of wall time: quick runs stay quiet.
pub const QUIET_FOR: Duration = Duration::from_secs(2);

/// At most one line per second.
pub const EVERY: Duration = Duration::from_secs(1);

/// The progress line to print now, if any. `elapsed` is the wall time since
/// the run started, `last` when the previous line was printed (`None`:
/// never), `simulated` and `total` are seconds of simulated time.
///
/// For example "simulated 12 of 60 min (20 %), about 8 s left…".
pub fn line(
    elapsed: Duration,
    last: Option<Duration>,
    simulated: u32,
    total: u32,
) -> Option<String> {
    if elapsed < QUIET_FOR || total == 0 || simulated >= total {
        return None;
    }
    if last.is_some_and(|last| elapsed < last.saturating_add(EVERY)) {
        return None;
    }
    let (unit, size) = unit_of(total);
    let done = f64::from(simulated) / f64::from(size);
    let of = f64::from(total) / f64::from(size);
    let share = 100.0 * f64::from(simulated) / f64::from(total);
    let share = if share < 1.0 {
        format!("{:.1}", (share * 10.0).floor() / 10.0)
    } else {
        format!("{:.0}", share.floor())
    };
    let left = if simulated == 0 {
        String::new()
    } else {
        let rest = elapsed.as_secs_f64() * f64::from(total - simulated) / f64::from(simulated);
        format!(", about {} left", wall(rest))
    };
    Some(format!(
        "simulated {} of {} {unit} ({share} %){left}…",
        number((done * 10.0).floor() / 10.0),
        number(of)
    ))
}

/// The unit a run of `total` seconds is counted in, and its size in seconds.
fn unit_of(total: u32) -> (&'static str, u32) {
    if total < 120 {
        ("s", 1)
    } else if total <= 2 * 3600 {
        ("min", 60)
    } else if total <= 48 * 3600 {
        ("h", 3600)
    } else {
        ("days", 24 * 3600)
    }
}

/// A whole number without decimals, else one decimal.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Wall time in words: "8 s", "3 min", "2 h 5 min".
fn wall(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s < 90 {
        format!("{s} s")
    } else if s < 90 * 60 {
        format!("{} min", (s + 30) / 60)
    } else {
        let m = (s + 30) / 60;
        format!("{} h {} min", m / 60, m % 60)
    }
}

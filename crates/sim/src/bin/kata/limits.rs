//! What `kata` accepts, in one place: the checks, the usage text and
//! README.md's "Grading from the command line" all quote these.

/// The most bytes read from a design file or standard input: the design
/// reader's own limit (4 MiB). One byte more is read, to tell a file at the
/// limit from a larger one; nothing past it.
pub const MAX_INPUT_BYTES: usize = design::limits::MAX_INPUT_BYTES;

/// The highest external rate a `--profile` may name, in requests per
/// second (about a hundred times the busiest kata's surge).
pub const MAX_RATE_RPS: f64 = 10_000_000.0;

/// The longest run `--seconds` may ask for: 7 days, where the engine stops.
pub const MAX_SECONDS: u32 = sim::engine::MAX_DURATION_S;

/// A whole number with commas between groups of three digits: 4,194,304.
// `is_multiple_of` needs Rust 1.87; the workspace supports 1.85.
#[allow(clippy::manual_is_multiple_of)]
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The input limit in words: "4 MiB (4,194,304 bytes)".
pub fn input_limit() -> String {
    format!(
        "{} MiB ({} bytes)",
        MAX_INPUT_BYTES / (1024 * 1024),
        grouped(MAX_INPUT_BYTES as u64)
    )
}

/// The rate limit in words: "10,000,000 requests/s".
pub fn rate_limit() -> String {
    format!("{} requests/s", grouped(MAX_RATE_RPS as u64))
}

/// The length limit in words: "604,800 s (7 days)".
pub fn seconds_limit() -> String {
    format!(
        "{} s ({} days)",
        grouped(u64::from(MAX_SECONDS)),
        MAX_SECONDS / (24 * 3600)
    )
}

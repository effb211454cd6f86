//! The built-in katas, as the page's build read them.
//!
//! `build.rs` loads each built-in kata with `sim::kata::load` (which reads
//! the kata file and checks it: scenario ids, windows, a starter without
//! corrections, a run that compiles) and writes it out as Rust
//! (`sim::kata::literal`). So the page opens its kata without serde's
//! readers for the kata's types and without compiling the kata's run,
//! code the page would carry only for that (about 20 KB gzipped, see
//! BENCHMARKS.md, "First load"); the grading worker reads and checks the
//! same files itself. The starter design stays a design document, read
//! here as `sim::kata::Kata::from_json` reads it, but with the browser's
//! JSON parser (`crate::json`, `Kata::take_starter`).

use sim::kata::{Kata, KataError};

include!(concat!(env!("OUT_DIR"), "/built_in_katas.rs"));

/// The built-in kata `id` and its starter design: what `sim::kata::load`
/// gives, without reading the kata file again.
pub fn load(id: &str) -> Result<Kata, KataError> {
    let (mut kata, starter) = checked(id).ok_or_else(|| KataError::Unknown(id.to_string()))?;
    kata.take_starter(crate::json::parse_design(starter))?;
    Ok(kata)
}

/// The ids of the built-in katas (`sim::kata::ids`, without the kata
/// files that come with it).
pub fn ids() -> impl Iterator<Item = &'static str> {
    IDS.iter().copied()
}

//! A kata written as Rust source: an expression that builds the same
//! [`Kata`] value without reading JSON.
//!
//! The page's build script (`build.rs` at the workspace root) loads each
//! built-in kata through [`super::load`], which checks it, and writes it
//! out with [`kata`]. The page then opens its kata without serde's
//! readers for the kata's types or the checks that compile its run: the
//! kata was read and checked when the page was built, and a kata that
//! fails its checks fails the build.
//!
//! Every struct is taken apart field by field without `..`, so a field
//! added to a kata type does not compile here until it is written out.
//! The enums with data (`FaultKind`, `Target`) are matched variant by
//! variant; the unit-only enums (`Metric`, `NodeKind`) are written by
//! their `Debug` names, which are their variants' names. The browser test
//! `tests/second_kata.rs` compares what the page builds from the output
//! with [`super::load`], field for field.

use std::fmt::Write;

use design::NodeKind;

use super::{Check, Grading, GradingRun, Kata, Metric, PlannedFault, ScenarioInfo};
use crate::engine::{FaultKind, FaultSpec, ProfilePoint, RunSpec, Target, UpdateSpec, WindowSpec};

/// A Rust expression of type `::sim::kata::Kata` equal to `kata`, whose
/// `starter` field is the expression `starter` (the caller decides how
/// the page reads the starter design).
pub fn kata(kata: &Kata, starter: &str) -> String {
    let Kata {
        id,
        title,
        difficulty,
        minutes,
        brief,
        constraints,
        outcomes,
        scenarios,
        event,
        run,
        grading,
        starter: _,
    } = kata;
    let mut out = String::new();
    Struct::new(&mut out, "::sim::kata::Kata")
        .field("id", id)
        .field("title", title)
        .field("difficulty", difficulty)
        .field("minutes", minutes)
        .field("brief", brief)
        .field("constraints", constraints)
        .field("outcomes", outcomes)
        .field("scenarios", scenarios)
        .field("event", event)
        .field("run", run)
        .field("grading", grading)
        .raw("starter", starter)
        .end();
    out
}

/// A value that can be written as a Rust expression.
trait Literal {
    fn write(&self, out: &mut String);
}

/// Writes `path { field: value, … }`.
struct Struct<'a> {
    out: &'a mut String,
}

impl<'a> Struct<'a> {
    fn new(out: &'a mut String, path: &str) -> Self {
        out.push_str(path);
        out.push_str(" {");
        Struct { out }
    }

    fn field(self, name: &str, value: &dyn Literal) -> Self {
        self.out.push_str(name);
        self.out.push_str(": ");
        value.write(self.out);
        self.out.push_str(", ");
        self
    }

    fn raw(self, name: &str, expression: &str) -> Self {
        let _ = write!(self.out, "{name}: {expression}, ");
        self
    }

    fn end(self) {
        self.out.push('}');
    }
}

impl Literal for String {
    fn write(&self, out: &mut String) {
        // `Debug` writes a string as a Rust string literal, escapes
        // included.
        let _ = write!(out, "::std::string::String::from({self:?})");
    }
}

impl Literal for f64 {
    fn write(&self, out: &mut String) {
        // `Debug` writes the shortest decimal that reads back to the same
        // bits, always with a `.` or an exponent, so it is an f64 literal.
        if self.is_finite() {
            let _ = write!(out, "{self:?}_f64");
        } else if self.is_nan() {
            out.push_str("f64::NAN");
        } else if *self > 0.0 {
            out.push_str("f64::INFINITY");
        } else {
            out.push_str("f64::NEG_INFINITY");
        }
    }
}

impl Literal for u32 {
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}_u32");
    }
}

impl Literal for bool {
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl<T: Literal> Literal for Option<T> {
    fn write(&self, out: &mut String) {
        match self {
            Some(value) => {
                out.push_str("::std::option::Option::Some(");
                value.write(out);
                out.push(')');
            }
            None => out.push_str("::std::option::Option::None"),
        }
    }
}

impl<T: Literal> Literal for Vec<T> {
    fn write(&self, out: &mut String) {
        list(out, "::std::vec![", self, ']');
    }
}

impl<T: Literal, const N: usize> Literal for [T; N] {
    fn write(&self, out: &mut String) {
        list(out, "[", self, ']');
    }
}

/// Writes `items` between `open` and `close`, each followed by a comma.
fn list<T: Literal>(out: &mut String, open: &str, items: &[T], close: char) {
    out.push_str(open);
    for item in items {
        item.write(out);
        out.push_str(", ");
    }
    out.push(close);
}

impl Literal for Metric {
    fn write(&self, out: &mut String) {
        // A unit variant's `Debug` is its name.
        let _ = write!(out, "::sim::kata::Metric::{self:?}");
    }
}

impl Literal for NodeKind {
    fn write(&self, out: &mut String) {
        let _ = write!(out, "::design::NodeKind::{self:?}");
    }
}

/// `Literal` for structs whose fields are all `Literal`: the struct is
/// taken apart without `..`, so a field missing from the list does not
/// compile.
macro_rules! struct_literal {
    ($ty:ident at $path:literal { $($field:ident),* $(,)? }) => {
        impl Literal for $ty {
            fn write(&self, out: &mut String) {
                let $ty { $($field),* } = self;
                Struct::new(out, $path)
                    $(.field(stringify!($field), $field))*
                    .end();
            }
        }
    };
}

struct_literal!(ScenarioInfo at "::sim::kata::ScenarioInfo" { id, name, passes, run, checks });
struct_literal!(Check at "::sim::kata::Check" { metric, window, at_most, at_least });
struct_literal!(Grading at "::sim::kata::Grading" { incidents_per_month, runs });
struct_literal!(GradingRun at "::sim::kata::GradingRun" { id, name, faults });
struct_literal!(PlannedFault at "::sim::kata::PlannedFault" {
    at_min,
    before_update_s,
    kind,
    recovers_after_s,
});
struct_literal!(RunSpec at "::sim::engine::RunSpec" {
    minutes,
    start_rps,
    profile,
    pops,
    pop_skew,
    updates,
    internal_rps,
    noise,
    page_kb,
    windows,
    faults,
});
struct_literal!(ProfilePoint at "::sim::engine::ProfilePoint" { until_min, shape, rps });
struct_literal!(UpdateSpec at "::sim::engine::UpdateSpec" { first_min, every_min });
struct_literal!(WindowSpec at "::sim::engine::WindowSpec" { name, from_min, to_min });
struct_literal!(FaultSpec at "::sim::engine::FaultSpec" { at_min, kind });

impl Literal for FaultKind {
    fn write(&self, out: &mut String) {
        match self {
            FaultKind::Outage { target, duration_s } => {
                Struct::new(out, "::sim::engine::FaultKind::Outage")
                    .field("target", target)
                    .field("duration_s", duration_s)
                    .end();
            }
            FaultKind::PrimaryFailover => out.push_str("::sim::engine::FaultKind::PrimaryFailover"),
            FaultKind::ReplicaLagSpike { extra_s } => {
                Struct::new(out, "::sim::engine::FaultKind::ReplicaLagSpike")
                    .field("extra_s", extra_s)
                    .end();
            }
        }
    }
}

impl Literal for Target {
    fn write(&self, out: &mut String) {
        match self {
            Target::Node(id) => {
                out.push_str("::sim::engine::Target::Node(");
                id.write(out);
                out.push(')');
            }
            Target::Kind(kind) => {
                out.push_str("::sim::engine::Target::Kind(");
                kind.write(out);
                out.push(')');
            }
            Target::CdnOrigins => out.push_str("::sim::engine::Target::CdnOrigins"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_so_that_they_read_back_to_the_same_bits() {
        for x in [
            0.0,
            -0.0,
            0.1,
            1.0 / 3.0,
            1e-300,
            5e-324,
            2.5e15,
            1e22,
            -7.25,
        ] {
            let mut out = String::new();
            x.write(&mut out);
            let inner = out.trim_end_matches("_f64");
            let back: f64 = inner.parse().expect("a decimal");
            assert_eq!(back.to_bits(), x.to_bits(), "{x} was written {out}");
            assert!(
                inner.contains('.') || inner.contains('e'),
                "{out} is not a float"
            );
        }
    }

    #[test]
    fn strings_are_written_as_string_literals() {
        let mut out = String::new();
        "say \"hi\"\n\\ — ok".to_string().write(&mut out);
        assert_eq!(out, r#"::std::string::String::from("say \"hi\"\n\\ — ok")"#);
    }

    #[test]
    fn the_built_in_katas_are_written_whole() {
        for id in super::super::ids() {
            let kata = super::super::load(id).expect("built in");
            let source = super::kata(&kata, "STARTER");
            assert!(source.starts_with("::sim::kata::Kata {"), "{source}");
            assert!(source.ends_with("starter: STARTER, }"), "{source}");
            // Every scenario, check and paragraph is in it.
            for s in &kata.scenarios {
                assert!(source.contains(&format!("{:?}", s.passes)));
            }
            assert_eq!(
                source.matches("::sim::kata::Check {").count(),
                kata.scenarios.iter().map(|s| s.checks.len()).sum::<usize>()
            );
            for p in &kata.brief {
                assert!(source.contains(&format!("{p:?}")));
            }
        }
    }
}

//! Diagnostics: problems found while reading or checking a design.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::document::NodeId;
use crate::limits::MAX_DIAGNOSTICS;

/// How serious a diagnostic is.
///
/// When reading a file: an error means something was dropped, a warning
/// that a value was changed, information that something was ignored
/// without changing the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Part of the design is broken or was dropped.
    Error,
    /// A value is wrong or was changed.
    Warning,
    /// Something was ignored; the design is unaffected.
    Info,
}

impl fmt::Display for Severity {
    /// Writes "error", "warning" or "info".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One problem, in words a learner understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The node it is about (for a connection, the node it starts from),
    /// so the editor can highlight it; `None` for the whole document.
    pub subject: Option<NodeId>,
    /// What is wrong and, when reading a file, what was done about it. A
    /// full sentence that names the node, so it reads well on its own.
    pub message: String,
}

/// How many corrections a notice lists by name; the rest are counted.
pub const LISTED_CORRECTIONS: usize = 12;

/// "1 correction: …" or "3 corrections: …; …; …": every correction made
/// while reading a design, by its message (past [`LISTED_CORRECTIONS`],
/// "and N more"), for a notice that says what was repaired.
pub fn corrections(diagnostics: &[Diagnostic]) -> String {
    let n = diagnostics.len();
    let listed: Vec<&str> = diagnostics
        .iter()
        .take(LISTED_CORRECTIONS)
        .map(|d| d.message.trim_end_matches('.'))
        .collect();
    let more = n.saturating_sub(LISTED_CORRECTIONS);
    let tail = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    let noun = if n == 1 { "correction" } else { "corrections" };
    format!("{n} {noun}: {}{tail}.", listed.join("; "))
}

impl Diagnostic {
    /// An error about `subject`.
    pub fn error(subject: Option<NodeId>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            subject,
            message: message.into(),
        }
    }

    /// A warning about `subject`.
    pub fn warning(subject: Option<NodeId>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            subject,
            message: message.into(),
        }
    }

    /// Information about `subject`.
    pub fn info(subject: Option<NodeId>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            subject,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// Writes "warning: message".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

/// Collects diagnostics up to [`MAX_DIAGNOSTICS`] and counts the rest.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    list: Vec<Diagnostic>,
    more: usize,
}

impl Collector {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        if self.list.len() < MAX_DIAGNOSTICS {
            self.list.push(diagnostic);
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        if self.more > 0 {
            let s = if self.more == 1 { "" } else { "s" };
            self.list.push(Diagnostic::info(
                None,
                format!("… and {} more problem{s} not listed.", self.more),
            ));
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_are_all_named_up_to_a_dozen_then_counted() {
        let one = [Diagnostic::warning(None, "Node “a” had no label.")];
        assert_eq!(corrections(&one), "1 correction: Node “a” had no label.");
        let three: Vec<Diagnostic> = ["A.", "B.", "C."]
            .iter()
            .map(|m| Diagnostic::error(None, *m))
            .collect();
        assert_eq!(corrections(&three), "3 corrections: A; B; C.");
        let many: Vec<Diagnostic> = (0..15)
            .map(|i| Diagnostic::error(None, format!("N{i}.")))
            .collect();
        let text = corrections(&many);
        assert!(text.starts_with("15 corrections: N0; N1;"), "{text}");
        assert!(text.ends_with("N11; and 3 more."), "{text}");
    }

    #[test]
    fn collector_caps_the_list() {
        let mut c = Collector::default();
        for i in 0..MAX_DIAGNOSTICS + 5 {
            c.push(Diagnostic::warning(None, format!("problem {i}")));
        }
        let list = c.finish();
        assert_eq!(list.len(), MAX_DIAGNOSTICS + 1);
        assert_eq!(
            list.last().map(|d| d.message.as_str()),
            Some("… and 5 more problems not listed.")
        );
    }

    #[test]
    fn display() {
        let d = Diagnostic::error(Some(NodeId::from("api1")), "Broken.");
        assert_eq!(d.to_string(), "error: Broken.");
        assert!(Severity::Error < Severity::Warning && Severity::Warning < Severity::Info);
    }
}

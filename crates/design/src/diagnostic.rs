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

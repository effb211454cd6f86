//! Katas as data: each kata is a JSON file under `katas/<id>/` at the
//! workspace root, compiled into the binary, plus its starter design.
//!
//! A kata holds the words a learner reads (brief, constraints, outcomes,
//! scenarios); the run parameters arrive with the grading work.

use design::{format, Design};
use serde::Deserialize;
use std::fmt;

/// The kata files built into the binary: (id, kata JSON, starter design JSON).
const BUILTIN: &[(&str, &str, &str)] = &[(
    "status-dashboard",
    include_str!("../../../katas/status-dashboard/kata.json"),
    include_str!("../../../katas/status-dashboard/designs/starter.json"),
)];

/// One scenario a design is graded on, in words.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScenarioInfo {
    /// Stable identifier, e.g. `"fast"`.
    pub id: String,
    /// Short name shown on the scenario card.
    pub name: String,
    /// What it takes to pass, in one sentence.
    pub passes: String,
}

/// A kata: the problem statement and the design a learner starts from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kata {
    /// Stable identifier, used in links and grades.
    pub id: String,
    /// Title shown in the top bar.
    pub title: String,
    /// Difficulty in one word.
    pub difficulty: String,
    /// Expected time to solve, in minutes.
    pub minutes: u32,
    /// The brief, one string per paragraph.
    pub brief: Vec<String>,
    /// Rules of the exercise.
    pub constraints: Vec<String>,
    /// What the learner should take away.
    pub outcomes: Vec<String>,
    /// The scenarios the design is graded on.
    pub scenarios: Vec<ScenarioInfo>,
    /// The run a design is put through (traffic, updates, windows), when
    /// the kata file gives one; see [`crate::engine::RunSpec`].
    #[serde(default)]
    pub run: Option<crate::engine::RunSpec>,
    /// The design a learner starts from.
    #[serde(skip)]
    pub starter: Design,
}

/// Why a built-in kata could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum KataError {
    /// No kata has this id.
    Unknown(String),
    /// The kata file is malformed (a build defect, caught by the tests).
    Malformed {
        /// Which kata.
        id: String,
        /// What went wrong, in words.
        reason: String,
    },
}

impl fmt::Display for KataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KataError::Unknown(id) => write!(f, "there is no kata called \"{id}\""),
            KataError::Malformed { id, reason } => {
                write!(f, "the kata \"{id}\" could not be read: {reason}")
            }
        }
    }
}

impl std::error::Error for KataError {}

/// The ids of every built-in kata.
pub fn ids() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(id, _, _)| *id)
}

/// Loads a built-in kata and its starter design.
pub fn load(id: &str) -> Result<Kata, KataError> {
    let (_, kata_json, starter_json) = BUILTIN
        .iter()
        .find(|(known, _, _)| *known == id)
        .ok_or_else(|| KataError::Unknown(id.to_string()))?;
    let malformed = |reason: String| KataError::Malformed {
        id: id.to_string(),
        reason,
    };
    let mut kata: Kata = serde_json::from_str(kata_json).map_err(|e| malformed(e.to_string()))?;
    let parsed = format::parse(starter_json).map_err(|e| malformed(e.to_string()))?;
    if let Some(problem) = parsed.diagnostics.first() {
        return Err(malformed(format!("starter design: {}", problem.message)));
    }
    kata.starter = parsed.design;
    Ok(kata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::NodeKind;

    #[test]
    fn every_builtin_kata_loads_cleanly() {
        for id in ids() {
            let kata = load(id).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(kata.id, id);
            assert_eq!(kata.scenarios.len(), 4);
            assert!(!kata.brief.is_empty());
        }
    }

    #[test]
    fn status_dashboard_starts_from_users_api_database() {
        let kata = load("status-dashboard").unwrap();
        let kinds: Vec<NodeKind> = kata.starter.nodes.iter().map(|n| n.kind).collect();
        assert!(kinds.contains(&NodeKind::Users));
        assert!(kinds.contains(&NodeKind::Api));
        assert!(kinds.contains(&NodeKind::DbPrimary));
        assert_eq!(kata.starter.edges.len(), 3);
    }

    #[test]
    fn unknown_kata_is_a_typed_error() {
        assert_eq!(load("nope"), Err(KataError::Unknown("nope".to_string())));
    }
}

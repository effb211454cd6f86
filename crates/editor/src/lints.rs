//! Which lints the canvas shows, and how. A lint says what the diagram
//! allows; a grade's lints also say whether its runs bore them out
//! ([`design::Lint::observed`]). The canvas shows the grade's lints while
//! they still describe the design on screen, so that a node's badge never
//! contradicts a scenario card, and the diagram's own lints otherwise.

use design::{Design, Lint, NodeId};

/// The lints of the last graded design, kept while they still describe
/// the design on screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GradedLints {
    graded: Option<(Design, Vec<Lint>)>,
}

impl GradedLints {
    /// Nothing graded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers the lints of a grade of `design` (the design graded).
    pub fn record(&mut self, design: &Design, lints: Vec<Lint>) {
        self.graded = Some((design.clone(), lints));
    }

    /// The lints to show for `design`: the grade's while `design` differs
    /// from the graded one at most in where its nodes sit (moving a node
    /// changes no run), else [`design::lint`]'s, which no run has checked.
    pub fn for_design(&self, design: &Design) -> Vec<Lint> {
        match &self.graded {
            Some((graded, lints)) if same_but_positions(graded, design) => lints.clone(),
            _ => design::lint(design),
        }
    }
}

/// True when `a` and `b` differ at most in their nodes' positions.
fn same_but_positions(a: &Design, b: &Design) -> bool {
    a.edges == b.edges
        && a.nodes.len() == b.nodes.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| {
            x.id == y.id && x.kind == y.kind && x.label == y.label && x.params == y.params
        })
}

/// How a node's badge looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadgeKind {
    /// Advice the runs did not rule out: a warning.
    Warning,
    /// Every piece of advice on the node was ruled out by a run (it could
    /// happen, but did not): a quieter hint.
    Hint,
}

/// A node's lint badge: its look and its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    /// Warning or hint.
    pub kind: BadgeKind,
    /// The badge's tooltip: one line per lint, a hint's saying that the
    /// run did not bear it out.
    pub title: String,
    /// For the node's accessible name: "Warning: …" or "Hint: …".
    pub spoken: String,
}

/// The badge of node `id`, from the lints that concern it; `None` when
/// none does.
pub fn badge(lints: &[Lint], id: &NodeId) -> Option<Badge> {
    let mine: Vec<&Lint> = lints.iter().filter(|l| l.nodes.contains(id)).collect();
    if mine.is_empty() {
        return None;
    }
    let (hints, warnings): (Vec<&Lint>, Vec<&Lint>) = mine.iter().partition(|l| l.ruled_out());
    let hint_lines: Vec<String> = hints
        .iter()
        .map(|l| format!("Hint (it did not happen in the run): {}", l.message))
        .collect();
    let warning_lines: Vec<&str> = warnings.iter().map(|l| l.message.as_str()).collect();
    let mut title: Vec<&str> = warning_lines.clone();
    title.extend(hint_lines.iter().map(String::as_str));
    let hint_words: Vec<&str> = hints.iter().map(|l| l.message.as_str()).collect();
    let spoken = match (warning_lines.is_empty(), hint_words.is_empty()) {
        (true, _) => format!("Hint: {}", hint_words.join(" ")),
        (false, true) => format!("Warning: {}", warning_lines.join(" ")),
        (false, false) => format!(
            "Warning: {} Hint: {}",
            warning_lines.join(" "),
            hint_words.join(" ")
        ),
    };
    Some(Badge {
        kind: if warnings.is_empty() {
            BadgeKind::Hint
        } else {
            BadgeKind::Warning
        },
        title: title.join("\n"),
        spoken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::{LintCode, NodeKind, Point};

    /// users → api → db: every lint there is.
    fn starter() -> Design {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, Point::default());
        let api = d.add_node(NodeKind::Api, Point::default());
        let db = d.add_node(NodeKind::DbPrimary, Point::default());
        d.connect(&users, &api).unwrap();
        d.connect(&api, &db).unwrap();
        d
    }

    /// The lints as a grade gives them: readers at the primary ruled out.
    fn graded(d: &Design) -> Vec<Lint> {
        let mut lints = design::lint(d);
        for l in &mut lints {
            if l.code == LintCode::ReadsReachPrimary {
                l.observed = Some(false);
                l.message = l
                    .message
                    .replace('.', "; in this run no reader's request did.");
            }
        }
        lints
    }

    #[test]
    fn a_grade_s_lints_last_until_the_design_changes() {
        let d = starter();
        let mut shown = GradedLints::new();
        assert_eq!(shown.for_design(&d), design::lint(&d), "nothing graded");
        shown.record(&d, graded(&d));
        assert_eq!(shown.for_design(&d), graded(&d));
        // Moving a node changes no run.
        let mut moved = d.clone();
        moved.nodes[1].position = Point { x: 300.0, y: 80.0 };
        assert_eq!(shown.for_design(&moved), graded(&d));
        // A parameter does: until the next grade, the diagram's own.
        let mut changed = d.clone();
        changed
            .node_mut(&NodeId::from("api1"))
            .unwrap()
            .set_param("max_instances", 4)
            .unwrap();
        assert_eq!(shown.for_design(&changed), design::lint(&changed));
        assert!(shown
            .for_design(&changed)
            .iter()
            .all(|l| l.observed.is_none()));
    }

    #[test]
    fn a_ruled_out_lint_is_a_hint_that_says_so() {
        let d = starter();
        let lints = graded(&d);
        // The primary's only lints: readers (ruled out) and no Multi-AZ.
        let db = badge(&lints, &NodeId::from("db1")).unwrap();
        assert_eq!(db.kind, BadgeKind::Warning, "Multi-AZ is still a warning");
        assert!(db
            .title
            .contains("Hint (it did not happen in the run): Reader traffic could reach"));
        assert!(db
            .spoken
            .starts_with("Warning: Database primary “db1” has no Multi-AZ"));
        assert!(db.spoken.contains(" Hint: Reader traffic could reach"));

        // Only the ruled-out one: a hint, never a warning.
        let only: Vec<Lint> = lints
            .iter()
            .filter(|l| l.code == LintCode::ReadsReachPrimary)
            .cloned()
            .collect();
        let hint = badge(&only, &NodeId::from("db1")).unwrap();
        assert_eq!(hint.kind, BadgeKind::Hint);
        assert!(!hint.spoken.contains("Warning"));
        assert!(hint.title.contains("did not happen in the run"));
        assert!(hint.title.contains("no reader's request did"));

        // Unchecked or borne out: a warning.
        let mut seen = only.clone();
        seen[0].observed = Some(true);
        assert_eq!(
            badge(&seen, &NodeId::from("db1")).unwrap().kind,
            BadgeKind::Warning
        );
        let unchecked = design::lint(&d);
        let w = badge(&unchecked, &NodeId::from("users1")).unwrap();
        assert_eq!(w.kind, BadgeKind::Warning);
        assert!(w.spoken.starts_with("Warning: "));
        assert_eq!(badge(&unchecked, &NodeId::from("nobody")), None);
    }
}

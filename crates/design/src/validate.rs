//! Structural checks of a design in memory: the same checks the parser
//! applies to a file, reported instead of repaired.

use crate::hash::{IdMap, IdSet};

use crate::connect::classify;
use crate::diagnostic::{Collector, Diagnostic};
use crate::document::{Design, Node, NodeId};
use crate::kind::NodeKind;
use crate::limits::{MAX_COORD, MAX_EDGES, MAX_ID_CHARS, MAX_LABEL_CHARS, MAX_NODES};
use crate::number::shortest;
use crate::params::{mid_sentence, ORDERED};

/// Checks a design built in the editor (or anywhere else) and returns its
/// structural problems, most serious first within each node:
///
/// - errors: too many nodes or connections, bad or duplicate ids,
///   connections to missing nodes, to the same node, twice, or between
///   kinds that [`classify`] refuses;
/// - warnings: labels too long or with control characters, positions that
///   are not numbers or far off the canvas, parameter values of the wrong
///   type or out of range, min instances above max instances, a connection
///   whose recorded kind differs from what it carries;
/// - information: parameters the node's kind does not have.
///
/// A design returned by [`crate::format::parse`] always validates clean.
pub fn validate(d: &Design) -> Vec<Diagnostic> {
    let mut out = Collector::default();
    if d.nodes.len() > MAX_NODES {
        out.push(Diagnostic::error(
            None,
            format!(
                "The design has {} nodes; at most {MAX_NODES} are allowed.",
                d.nodes.len()
            ),
        ));
    }
    if d.edges.len() > MAX_EDGES {
        out.push(Diagnostic::error(
            None,
            format!(
                "The design has {} connections; at most {MAX_EDGES} are allowed.",
                d.edges.len()
            ),
        ));
    }
    let mut seen: IdSet<&NodeId> = IdSet::default();
    for node in &d.nodes {
        // Built only for a diagnostic (most designs have none).
        let subject = || Some(node.id.clone());
        if let Err(reason) = check_id(node.id.as_str()) {
            out.push(Diagnostic::error(
                subject(),
                format!("The node id “{}” {reason}.", shorten(node.id.as_str())),
            ));
        }
        if !seen.insert(&node.id) {
            out.push(Diagnostic::error(
                subject(),
                format!("Two nodes have the id “{}”.", shorten(node.id.as_str())),
            ));
        }
        if let Some((_, problem)) = clean_label(&node.label) {
            out.push(Diagnostic::warning(
                subject(),
                format!("{}: the {}.", who(node), problem.words()),
            ));
        }
        for (axis, value) in [("x", node.position.x), ("y", node.position.y)] {
            if !value.is_finite() {
                out.push(Diagnostic::warning(
                    subject(),
                    format!("{}: its position {axis} is not a number.", who(node)),
                ));
            } else if value.abs() > MAX_COORD {
                out.push(Diagnostic::warning(
                    subject(),
                    format!(
                        "{}: its position {axis} = {} is too far off the canvas (the limit is ±{}).",
                        who(node),
                        shortest(value),
                        shortest(MAX_COORD)
                    ),
                ));
            }
        }
        for (key, value) in node.params.iter() {
            match node.kind.param(key) {
                None => out.push(Diagnostic::info(
                    subject(),
                    format!(
                        "{}: {} nodes have no setting called “{}”; it is ignored.",
                        who(node),
                        node.kind.name(),
                        shorten(key)
                    ),
                )),
                Some(spec) => {
                    if let Err(err) = spec.check(value) {
                        out.push(Diagnostic::warning(
                            subject(),
                            format!(
                                "{}: {err} (it is {}).",
                                who(node),
                                shorten(&value.to_string())
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(message) = order_problem(node) {
            out.push(Diagnostic::warning(
                subject(),
                format!("{}: {message}.", who(node)),
            ));
        }
    }
    // The first node with each id, as `Design::node` would find it.
    let mut by_id: IdMap<&NodeId, &Node> = IdMap::default();
    for node in &d.nodes {
        by_id.entry(&node.id).or_insert(node);
    }
    let mut pairs: IdSet<(&NodeId, &NodeId)> = IdSet::default();
    for edge in &d.edges {
        let subject = || Some(edge.from.clone());
        let name = || edge_name(&edge.from, &edge.to);
        let (from, to) = match (by_id.get(&edge.from), by_id.get(&edge.to)) {
            (Some(from), Some(to)) => (from, to),
            (None, _) => {
                out.push(Diagnostic::error(
                    None,
                    format!(
                        "{}: there is no node “{}”.",
                        name(),
                        shorten(edge.from.as_str())
                    ),
                ));
                continue;
            }
            (_, None) => {
                out.push(Diagnostic::error(
                    subject(),
                    format!(
                        "{}: there is no node “{}”.",
                        name(),
                        shorten(edge.to.as_str())
                    ),
                ));
                continue;
            }
        };
        if edge.from == edge.to {
            out.push(Diagnostic::error(
                subject(),
                format!("{}: a node cannot connect to itself.", name()),
            ));
            continue;
        }
        if !pairs.insert((&edge.from, &edge.to)) {
            out.push(Diagnostic::error(
                subject(),
                format!("{} appears twice.", name()),
            ));
            continue;
        }
        match classify(from.kind, to.kind) {
            Err(reason) => out.push(Diagnostic::error(
                subject(),
                format!("{} is not allowed: {reason}.", name()),
            )),
            Ok(kind) if kind != edge.kind => out.push(Diagnostic::warning(
                subject(),
                format!(
                    "{} is marked “{}” but carries {}.",
                    name(),
                    edge.kind.name(),
                    kind.name()
                ),
            )),
            Ok(_) => {}
        }
    }
    out.finish()
}

/// Checks a node id: 1 to [`MAX_ID_CHARS`] characters, no spaces or
/// control characters. The error completes "The node id “…” ".
pub(crate) fn check_id(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        Err("is empty")
    } else if id.chars().count() > MAX_ID_CHARS {
        Err("is longer than 64 characters")
    } else if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("contains spaces or control characters")
    } else {
        Ok(())
    }
}

/// What is wrong with a node's label ([`clean_label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelProblem {
    /// More than [`MAX_LABEL_CHARS`] characters (it may have control
    /// characters too).
    TooLong,
    /// Control characters, such as line breaks.
    ControlCharacters,
}

impl LabelProblem {
    /// The problem in words, after "the".
    pub(crate) fn words(self) -> &'static str {
        match self {
            LabelProblem::TooLong => "label is longer than 80 characters",
            LabelProblem::ControlCharacters => {
                "label contains control characters (such as line breaks)"
            }
        }
    }

    /// What [`clean_label`]'s repair did, in words.
    pub(crate) fn repair(self) -> &'static str {
        match self {
            LabelProblem::TooLong => "it was shortened",
            LabelProblem::ControlCharacters => "they were replaced by spaces",
        }
    }
}

/// A label with control characters replaced by spaces and cut to
/// [`MAX_LABEL_CHARS`], and what was wrong; `None` when it is fine.
pub(crate) fn clean_label(label: &str) -> Option<(String, LabelProblem)> {
    let too_long = label.chars().count() > MAX_LABEL_CHARS;
    let control = label.chars().any(char::is_control);
    if !too_long && !control {
        return None;
    }
    let fixed: String = label
        .chars()
        .take(MAX_LABEL_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let problem = if too_long {
        LabelProblem::TooLong
    } else {
        LabelProblem::ControlCharacters
    };
    Some((fixed, problem))
}

/// "min instances (12) is above max instances (10)" when an ordered pair
/// of parameters is out of order.
pub(crate) fn order_problem(node: &Node) -> Option<String> {
    ORDERED
        .iter()
        .filter(|(kind, _, _)| *kind == node.kind)
        .find_map(|&(kind, lower, upper)| {
            let (lo, hi) = (node.num(lower), node.num(upper));
            (lo > hi).then(|| {
                format!(
                    "{} ({}) is above {} ({})",
                    label(kind, lower),
                    shortest(lo),
                    mid_sentence(label(kind, upper)),
                    shortest(hi)
                )
            })
        })
}

fn label(kind: NodeKind, key: &'static str) -> &'static str {
    kind.param(key).map_or(key, |spec| spec.label)
}

/// How a node is named in messages: `API service “api1”`, or with its label
/// when the learner renamed it: `“Status API” (api1)`.
pub(crate) fn who(node: &Node) -> String {
    let id = shorten(node.id.as_str());
    if node.label.is_empty() || node.label == node.kind.name() {
        format!("{} “{id}”", node.kind.name())
    } else {
        format!("“{}” ({id})", shorten(&node.label))
    }
}

/// How a connection is named in messages: `The connection “a” → “b”`.
pub(crate) fn edge_name(from: &NodeId, to: &NodeId) -> String {
    format!(
        "The connection “{}” → “{}”",
        shorten(from.as_str()),
        shorten(to.as_str())
    )
}

/// Text cut to 40 characters for quoting in a message.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(39).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::EdgeKind;
    use crate::diagnostic::Severity;
    use crate::document::{Edge, Point};
    use crate::params::ParamValue;

    fn small() -> (Design, NodeId, NodeId) {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, Point::default());
        let api = d.add_node(NodeKind::Api, Point::default());
        d.connect(&users, &api).unwrap();
        (d, users, api)
    }

    fn messages(d: &Design) -> Vec<String> {
        validate(d).into_iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_design_built_with_the_editing_operations_is_clean() {
        let (d, _, _) = small();
        assert!(validate(&d).is_empty());
        assert!(validate(&Design::default()).is_empty());
    }

    #[test]
    fn reports_bad_ids_labels_and_positions() {
        let (mut d, users, api) = small();
        d.nodes[0].id = NodeId::from("api1");
        d.nodes[1].label = "x".repeat(81);
        d.nodes[1].position.x = f64::NAN;
        d.nodes[1].position.y = 2e6;
        let mut extra = Node::new(NodeId::from("has space"), NodeKind::Cache, Point::default());
        extra.label = "two\nlines".into();
        d.nodes.push(extra);
        let m = messages(&d);
        assert!(
            m.contains(&"error: Two nodes have the id “api1”.".to_string()),
            "{m:?}"
        );
        assert!(m.iter().any(|s| s.contains("contains spaces")), "{m:?}");
        assert!(m.iter().any(|s| s.contains("longer than 80")), "{m:?}");
        assert!(m.iter().any(|s| s.contains("control characters")), "{m:?}");
        assert!(
            m.iter().any(|s| s.contains("position x is not a number")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|s| s.contains("too far off the canvas")),
            "{m:?}"
        );
        // The edge from `users` now points from a missing node.
        assert!(
            m.iter()
                .any(|s| s.contains(&format!("there is no node “{users}”"))),
            "{m:?}"
        );
        let _ = api;
    }

    #[test]
    fn reports_bad_params() {
        let (mut d, _, api) = small();
        let node = d.node_mut(&api).unwrap();
        node.params
            .insert_unchecked("ttl_s".into(), ParamValue::Number(5.0));
        node.params
            .insert_unchecked("service_ms".into(), ParamValue::Number(-1.0));
        node.params
            .insert_unchecked("size".into(), ParamValue::Text("huge".into()));
        node.params
            .insert_unchecked("min_instances".into(), ParamValue::Number(12.0));
        let list = validate(&d);
        let m: Vec<String> = list.iter().map(|x| x.to_string()).collect();
        assert!(m.contains(&"info: API service “api1”: API service nodes have no setting called “ttl_s”; it is ignored.".to_string()), "{m:?}");
        assert!(m.contains(&"warning: API service “api1”: Service time must be between 0.1 and 10000 ms (it is -1).".to_string()), "{m:?}");
        assert!(
            m.iter().any(|s| s.contains("Instance size must be one of")),
            "{m:?}"
        );
        assert!(
            m.contains(
                &"warning: API service “api1”: Min instances (12) is above max instances (10)."
                    .to_string()
            ),
            "{m:?}"
        );
        assert!(list.iter().all(|x| x.subject.as_ref() == Some(&api)));
    }

    #[test]
    fn reports_bad_edges() {
        let (mut d, users, api) = small();
        let db = d.add_node(NodeKind::DbPrimary, Point::default());
        d.edges.push(Edge {
            from: users.clone(),
            to: api.clone(),
            kind: EdgeKind::Read,
        });
        d.edges.push(Edge {
            from: api.clone(),
            to: api.clone(),
            kind: EdgeKind::Read,
        });
        d.edges.push(Edge {
            from: users.clone(),
            to: db.clone(),
            kind: EdgeKind::Read,
        });
        d.edges.push(Edge {
            from: api.clone(),
            to: db.clone(),
            kind: EdgeKind::Read,
        });
        d.edges.push(Edge {
            from: api.clone(),
            to: NodeId::from("gone"),
            kind: EdgeKind::Read,
        });
        let list = validate(&d);
        let m: Vec<String> = list.iter().map(|x| x.to_string()).collect();
        assert_eq!(
            m,
            [
                "error: The connection “users1” → “api1” appears twice.",
                "error: The connection “api1” → “api1”: a node cannot connect to itself.",
                "error: The connection “users1” → “db1” is not allowed: Readers cannot query a database directly; put a service in front of it.",
                "warning: The connection “api1” → “db1” is marked “read” but carries read/write.",
                "error: The connection “api1” → “gone”: there is no node “gone”.",
            ]
        );
        assert_eq!(list[0].severity, Severity::Error);
    }

    #[test]
    fn helpers() {
        assert_eq!(check_id("api1"), Ok(()));
        assert!(check_id("").is_err());
        assert!(check_id(&"a".repeat(65)).is_err());
        assert!(check_id(&"a".repeat(64)).is_ok());
        assert_eq!(clean_label("Status API"), None);
        assert_eq!(clean_label("a\tb").map(|(s, _)| s), Some("a b".to_string()));
        let (long, problem) = clean_label(&"é".repeat(100)).unwrap();
        assert_eq!(long.chars().count(), 80);
        assert_eq!(problem, LabelProblem::TooLong);
        assert_eq!(
            clean_label("a\nb").map(|(_, p)| p),
            Some(LabelProblem::ControlCharacters)
        );
        // Too long and with a line break: shortened, and the break mended.
        let (both, problem) = clean_label(&format!("a\nb{}", "x".repeat(90))).unwrap();
        assert_eq!((both.chars().count(), problem), (80, LabelProblem::TooLong));
        assert!(!both.contains('\n'));
        // The words name the limit the code checks.
        assert!(LabelProblem::TooLong
            .words()
            .contains(&MAX_LABEL_CHARS.to_string()));
        assert_eq!(shorten(&"x".repeat(50)).chars().count(), 40);
        let mut node = Node::new(NodeId::from("api1"), NodeKind::Api, Point::default());
        assert_eq!(who(&node), "API service “api1”");
        node.label = "Status API".into();
        assert_eq!(who(&node), "“Status API” (api1)");
    }
}

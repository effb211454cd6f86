//! Next steps as data: a [`Fix`] is a typed change to a design (set a
//! parameter, add a node, connect or disconnect two nodes), applied to a
//! copy as one change, with the sentence a learner reads generated from
//! it. The grader proposes fixes from what happened in a run and shows one
//! only after grading the changed copy (see `verify.rs`); a course page
//! or a script can apply the same fix from `kata grade --json`.

use std::fmt;

use design::{Design, Node, NodeId, NodeKind, ParamValue, Point};
use serde::{Deserialize, Serialize};

use super::facts::{capital, join, lower, quoted};
use super::metrics;

/// One edit of a [`Fix`]. In JSON its kind is its `edit` field (read
/// through `tagged::EditFields`, the same JSON without serde's buffering).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "edit",
    rename_all = "snake_case",
    try_from = "super::tagged::EditFields"
)]
pub enum Edit {
    /// Sets a node's parameter.
    SetParam {
        /// The node.
        node: NodeId,
        /// The parameter's key (`"ttl_s"`).
        key: String,
        /// Its new value.
        value: ParamValue,
    },
    /// Adds a node with these settings (its other parameters at their
    /// defaults).
    AddNode {
        /// The new node's id (free in the design the fix was made for).
        node: NodeId,
        /// What it is.
        kind: NodeKind,
        /// Its label.
        label: String,
        /// Where it goes on the canvas.
        x: f64,
        /// Where it goes on the canvas.
        y: f64,
        /// Parameters it sets, in order.
        params: Vec<(String, ParamValue)>,
    },
    /// Connects two nodes.
    Connect {
        /// The sending node.
        from: NodeId,
        /// The receiving node.
        to: NodeId,
    },
    /// Removes the connection between two nodes.
    Disconnect {
        /// The sending node.
        from: NodeId,
        /// The receiving node.
        to: NodeId,
    },
}

/// A next step: edits applied together as one change, and the sentence
/// that says what it does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// The edits, in the order they apply.
    pub edits: Vec<Edit>,
    /// What it does, in one sentence ("Set the TTL of “CDN” to 30 s.").
    pub text: String,
}

/// Why a fix cannot be applied to a design. Its `Display` says so in
/// words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FixError {
    /// An edit names a node the design does not have.
    MissingNode(NodeId),
    /// An edit adds a node whose id is taken.
    TakenId(NodeId),
    /// The parameter is not one of the node's, or the value is refused.
    BadParam {
        /// The node.
        node: NodeId,
        /// The parameter's key.
        key: String,
        /// Why, in words.
        reason: String,
    },
    /// The connection is refused.
    BadConnection {
        /// The sending node.
        from: NodeId,
        /// The receiving node.
        to: NodeId,
        /// Why, in words.
        reason: String,
    },
    /// The fix changes nothing: the design already has it.
    AlreadyThere,
}

impl fmt::Display for FixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixError::MissingNode(id) => write!(f, "the design has no node “{id}”"),
            FixError::TakenId(id) => write!(f, "a node “{id}” is already in the design"),
            FixError::BadParam { node, key, reason } => {
                write!(f, "“{key}” of “{node}” cannot be set: {reason}")
            }
            FixError::BadConnection { from, to, reason } => {
                write!(f, "“{from}” cannot be connected to “{to}”: {reason}")
            }
            FixError::AlreadyThere => write!(f, "the design already has this change"),
        }
    }
}

impl std::error::Error for FixError {}

impl Fix {
    /// The design with the fix applied. Fails, changing nothing, when an
    /// edit does not fit the design or when the fix would change nothing
    /// (the grader never asks for what is already there).
    pub fn apply(&self, d: &Design) -> Result<Design, FixError> {
        let mut out = d.clone();
        for e in &self.edits {
            match e {
                Edit::SetParam { node, key, value } => {
                    let n = out
                        .node_mut(node)
                        .ok_or_else(|| FixError::MissingNode(node.clone()))?;
                    set_param(n, key, value)?;
                }
                Edit::AddNode {
                    node,
                    kind,
                    label,
                    x,
                    y,
                    params,
                } => {
                    if out.contains(node) {
                        return Err(FixError::TakenId(node.clone()));
                    }
                    let mut n = Node::new(node.clone(), *kind, Point { x: *x, y: *y });
                    n.label = label.clone();
                    for (key, value) in params {
                        set_param(&mut n, key, value)?;
                    }
                    out.nodes.push(n);
                }
                Edit::Connect { from, to } => {
                    if out.edge(from, to).is_none() {
                        out.connect(from, to)
                            .map_err(|err| FixError::BadConnection {
                                from: from.clone(),
                                to: to.clone(),
                                reason: err.to_string(),
                            })?;
                    }
                }
                Edit::Disconnect { from, to } => {
                    out.disconnect(from, to);
                }
            }
        }
        if out == *d {
            return Err(FixError::AlreadyThere);
        }
        Ok(out)
    }

    /// The nodes a fix touches (to select them after applying it): added
    /// nodes first, then the others in the order the edits name them.
    pub fn touched(&self) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = Vec::new();
        let mut push = |id: &NodeId| {
            if !out.contains(id) {
                out.push(id.clone());
            }
        };
        for e in &self.edits {
            if let Edit::AddNode { node, .. } = e {
                push(node);
            }
        }
        for e in &self.edits {
            match e {
                Edit::SetParam { node, .. } | Edit::AddNode { node, .. } => push(node),
                Edit::Connect { from, to } | Edit::Disconnect { from, to } => {
                    push(from);
                    push(to);
                }
            }
        }
        out
    }
}

/// Sets one parameter of a node, or says why it cannot be set.
fn set_param(n: &mut Node, key: &str, value: &ParamValue) -> Result<(), FixError> {
    n.set_param(key, value.clone())
        .map_err(|err| FixError::BadParam {
            node: n.id.clone(),
            key: key.to_string(),
            reason: err.to_string(),
        })
}

/// Builds fixes for one design, keeping out every edit that would change
/// nothing, and writing each fix's sentence.
pub(crate) struct FixBuilder<'a> {
    design: &'a Design,
}

impl<'a> FixBuilder<'a> {
    pub fn new(design: &'a Design) -> Self {
        FixBuilder { design }
    }

    /// Sets parameters of one node: `None` when every value is already
    /// what the node has (or a key is not the node's).
    pub fn set(&self, n: &Node, values: &[(&str, ParamValue)]) -> Option<Fix> {
        let mut edits = Vec::new();
        let mut parts = Vec::new();
        for (key, value) in values {
            let spec = n.kind.param(key)?;
            if spec.check(value).is_err() {
                continue;
            }
            let current = n
                .params
                .get(key)
                .cloned()
                .unwrap_or_else(|| spec.default_value());
            if same_value(&current, value) {
                continue;
            }
            parts.push(match value {
                ParamValue::Bool(true) => format!("turn on {}", lower(spec.label)),
                ParamValue::Bool(false) => format!("turn off {}", lower(spec.label)),
                _ => format!(
                    "set {} to {}",
                    lower(spec.label),
                    describe(spec.unit, value)
                ),
            });
            edits.push(Edit::SetParam {
                node: n.id.clone(),
                key: (*key).to_string(),
                value: value.clone(),
            });
        }
        if edits.is_empty() {
            return None;
        }
        let text = format!("On {}, {}.", quoted(n), join(&parts));
        Some(Fix {
            edits,
            text: capital(&text),
        })
    }

    /// Connects `from` to `to` (and, first, takes away the connections
    /// `from` → each of `instead_of`): `None` when nothing would change.
    pub fn connect(&self, from: &Node, to: &Node, instead_of: &[&Node]) -> Option<Fix> {
        if from.id == to.id || design::classify(from.kind, to.kind).is_err() {
            return None;
        }
        let mut edits = Vec::new();
        let mut gone = Vec::new();
        for old in instead_of {
            if old.id != to.id && self.design.edge(&from.id, &old.id).is_some() {
                edits.push(Edit::Disconnect {
                    from: from.id.clone(),
                    to: old.id.clone(),
                });
                gone.push(quoted(old));
            }
        }
        let new = self.design.edge(&from.id, &to.id).is_none();
        if new {
            edits.push(Edit::Connect {
                from: from.id.clone(),
                to: to.id.clone(),
            });
        }
        if edits.is_empty() {
            return None;
        }
        let text = if gone.is_empty() {
            format!("Connect {} to {}.", quoted(from), quoted(to))
        } else if new {
            format!(
                "Connect {} to {} instead of {}.",
                quoted(from),
                quoted(to),
                join(&gone)
            )
        } else {
            format!(
                "Take away the connection from {} to {}, so it uses {} only.",
                quoted(from),
                join(&gone),
                quoted(to)
            )
        };
        Some(Fix { edits, text })
    }

    /// Adds a node of `kind` labelled `label` at `at`, with `params`, fed
    /// by `from` and sending to `to`; with `between`, the connections from
    /// each of `from` to each of `to` are taken away (the node goes in
    /// between them). `what` says why, after the node's name.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &self,
        kind: NodeKind,
        label: &str,
        at: Point,
        params: &[(&str, ParamValue)],
        from: &[&Node],
        to: &[&Node],
        between: bool,
        what: &str,
    ) -> Option<Fix> {
        let id = self.design.fresh_id(kind);
        let mut edits = vec![Edit::AddNode {
            node: id.clone(),
            kind,
            label: label.to_string(),
            x: at.x,
            y: at.y,
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        }];
        for f in from {
            design::classify(f.kind, kind).ok()?;
            if between {
                for t in to {
                    if self.design.edge(&f.id, &t.id).is_some() {
                        edits.push(Edit::Disconnect {
                            from: f.id.clone(),
                            to: t.id.clone(),
                        });
                    }
                }
            }
            edits.push(Edit::Connect {
                from: f.id.clone(),
                to: id.clone(),
            });
        }
        for t in to {
            design::classify(kind, t.kind).ok()?;
            edits.push(Edit::Connect {
                from: id.clone(),
                to: t.id.clone(),
            });
        }
        let settings: Vec<String> = params
            .iter()
            .filter_map(|(k, v)| {
                let spec = kind.param(k)?;
                Some(match v {
                    ParamValue::Bool(true) => lower(spec.label),
                    ParamValue::Bool(false) => format!("no {}", lower(spec.label)),
                    _ => format!("{} {}", lower(spec.label), describe(spec.unit, v)),
                })
            })
            .collect();
        let names =
            |ns: &[&Node]| -> String { join(&ns.iter().map(|n| quoted(n)).collect::<Vec<_>>()) };
        let place = match (from.is_empty(), to.is_empty(), between) {
            (false, false, true) => format!(" between {} and {}", names(from), names(to)),
            (false, false, false) => format!(", fed by {}, in front of {}", names(from), names(to)),
            (false, true, _) => format!(" behind {}", names(from)),
            (true, false, _) if kind.is_source() => format!(" connected to {}", names(to)),
            (true, false, _) => format!(" in front of {}", names(to)),
            (true, true, _) => String::new(),
        };
        let with = if settings.is_empty() {
            String::new()
        } else {
            format!(" ({})", join(&settings))
        };
        let name = lower(kind.name());
        let article = if name.ends_with("users") {
            ""
        } else if starts_with_vowel(&name) {
            "an "
        } else {
            "a "
        };
        let text = format!("Add {article}{name} “{label}”{place}{with}{what}.");
        Some(Fix { edits, text })
    }
}

/// True when two parameter values are the same setting.
fn same_value(a: &ParamValue, b: &ParamValue) -> bool {
    match (a, b) {
        (ParamValue::Number(x), ParamValue::Number(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// "30 s", "3,600 s", "small".
fn describe(unit: &str, v: &ParamValue) -> String {
    match v {
        ParamValue::Number(x) => {
            let n = metrics::num(*x);
            if unit.is_empty() {
                n
            } else {
                format!("{n} {unit}")
            }
        }
        ParamValue::Bool(true) => "on".into(),
        ParamValue::Bool(false) => "off".into(),
        ParamValue::Text(t) => t.replace('_', " "),
    }
}

/// Whether "an" goes before it: "an API service", "an operator", but "a
/// users node" ("u" sounds "you").
fn starts_with_vowel(s: &str) -> bool {
    s.starts_with(['A', 'E', 'I', 'O', 'a', 'e', 'i', 'o'])
}

impl Fix {
    /// Two fixes made for the same design, applied one after the other,
    /// as one change: `None` when they touch the same node's setting or
    /// add nodes with the same id.
    pub(crate) fn then(&self, other: &Fix) -> Option<Fix> {
        for a in &self.edits {
            for b in &other.edits {
                let clash = match (a, b) {
                    (
                        Edit::SetParam {
                            node: n1, key: k1, ..
                        },
                        Edit::SetParam {
                            node: n2, key: k2, ..
                        },
                    ) => n1 == n2 && k1 == k2,
                    (Edit::AddNode { node: n1, .. }, Edit::AddNode { node: n2, .. }) => n1 == n2,
                    _ => a == b,
                };
                if clash {
                    return None;
                }
            }
        }
        let mut edits = self.edits.clone();
        edits.extend(other.edits.iter().cloned());
        Some(Fix {
            edits,
            text: format!("{} Also: {}", self.text, lower(&other.text)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use design::keys::cdn;

    fn design() -> Design {
        let mut d = Design::default();
        let u = d.add_node(NodeKind::Users, Point { x: 0.0, y: 0.0 });
        let c = d.add_node(NodeKind::Cdn, Point { x: 200.0, y: 0.0 });
        let a = d.add_node(NodeKind::Api, Point { x: 400.0, y: 0.0 });
        d.connect(&u, &c).unwrap();
        d.connect(&c, &a).unwrap();
        d.node_mut(&c).unwrap().set_param("ttl_s", 30.0).unwrap();
        d
    }

    #[test]
    fn a_setting_already_there_is_never_proposed() {
        let d = design();
        let b = FixBuilder::new(&d);
        let cdn = d.node(&NodeId::new("cdn1")).unwrap();
        assert!(b.set(cdn, &[("ttl_s", ParamValue::Number(30.0))]).is_none());
        let fix = b
            .set(
                cdn,
                &[
                    ("ttl_s", ParamValue::Number(30.0)),
                    ("sie_s", ParamValue::Number(3600.0)),
                ],
            )
            .unwrap();
        assert_eq!(fix.edits.len(), 1, "{fix:?}");
        assert_eq!(fix.text, "On “CDN”, set stale-if-error to 3,600 s.");
        let after = fix.apply(&d).unwrap();
        assert_eq!(
            after.node(&NodeId::new("cdn1")).unwrap().get(cdn::SIE_S),
            3600.0
        );
        // Applied twice, it changes nothing, and says so.
        assert_eq!(fix.apply(&after), Err(FixError::AlreadyThere));
    }

    #[test]
    fn an_existing_connection_is_never_proposed() {
        let d = design();
        let b = FixBuilder::new(&d);
        let cdn = d.node(&NodeId::new("cdn1")).unwrap();
        let api = d.node(&NodeId::new("api1")).unwrap();
        assert!(b.connect(cdn, api, &[]).is_none());
    }

    #[test]
    fn adding_a_node_between_two_rewires_them_and_says_so() {
        let d = design();
        let b = FixBuilder::new(&d);
        let cdn = d.node(&NodeId::new("cdn1")).unwrap();
        let api = d.node(&NodeId::new("api1")).unwrap();
        let fix = b
            .add(
                NodeKind::LoadBalancer,
                "Read LB",
                Point { x: 300.0, y: 0.0 },
                &[],
                &[cdn],
                &[api],
                true,
                "",
            )
            .unwrap();
        assert_eq!(
            fix.text,
            "Add a load balancer “Read LB” between “CDN” and “API service”."
        );
        let after = fix.apply(&d).unwrap();
        assert!(after.edge(&cdn.id, &api.id).is_none());
        let lb = NodeId::new("lb1");
        assert!(after.edge(&cdn.id, &lb).is_some() && after.edge(&lb, &api.id).is_some());
        assert_eq!(fix.touched()[0], lb);
    }

    #[test]
    fn a_fix_for_another_design_is_refused_in_words() {
        let d = design();
        let fix = Fix {
            edits: vec![Edit::SetParam {
                node: NodeId::new("gone"),
                key: "ttl_s".into(),
                value: ParamValue::Number(5.0),
            }],
            text: String::new(),
        };
        let err = fix.apply(&d).unwrap_err();
        assert_eq!(err.to_string(), "the design has no node “gone”");
    }

    #[test]
    fn fixes_read_back_from_json() {
        let d = design();
        let cdn = d.node(&NodeId::new("cdn1")).unwrap();
        let fix = FixBuilder::new(&d)
            .set(cdn, &[("shield", ParamValue::Bool(true))])
            .unwrap();
        let json = serde_json::to_string(&fix).unwrap();
        assert!(json.contains(r#""edit":"set_param""#), "{json}");
        let back: Fix = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fix);
    }
}

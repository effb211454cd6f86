//! Format version 1: the encoder (the current format) and its decoder,
//! which stays here unchanged once a later version exists.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::writer::{self, JsonWriter};
use crate::connect::{classify, EdgeKind};
use crate::diagnostic::{Collector, Diagnostic};
use crate::document::{Design, Edge, Node, NodeId, Point};
use crate::kind::NodeKind;
use crate::limits::{MAX_COORD, MAX_EDGES, MAX_NODES};
use crate::number::shortest;
use crate::params::{mid_sentence, ParamError, ParamValue, Params, ORDERED};
use crate::validate::{check_id, clean_label, edge_name, shorten, who};

// ---------------------------------------------------------------- encode

/// A coordinate or a parameter's number: a JSON integer when it is whole
/// (`300`, not `300.0`), keeping links short; `null` if it is not a number
/// at all.
fn number(w: &mut JsonWriter, v: f64) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() < EXACT {
        w.i64(v as i64);
    } else {
        w.f64(v);
    }
}

pub(super) fn encode(d: &Design, pretty: bool) -> String {
    let mut w = JsonWriter::new(pretty);
    w.begin_object();
    w.key("version");
    w.u64(1);
    w.key("nodes");
    w.begin_array();
    for n in &d.nodes {
        w.begin_object();
        w.key("id");
        w.string(n.id.as_str());
        w.key("kind");
        w.string(n.kind.key());
        w.key("label");
        w.string(&n.label);
        w.key("x");
        number(&mut w, n.position.x);
        w.key("y");
        number(&mut w, n.position.y);
        // In key order (`Params::iter`'s); none when there are none.
        if !n.params.is_empty() {
            w.key("params");
            w.begin_object();
            for (key, value) in n.params.iter() {
                w.key(key);
                match value {
                    ParamValue::Number(v) => number(&mut w, *v),
                    ParamValue::Bool(v) => w.bool(*v),
                    ParamValue::Text(v) => w.string(v),
                }
            }
            w.end_object();
        }
        w.end_object();
    }
    w.end_array();
    w.key("edges");
    w.begin_array();
    for e in &d.edges {
        w.begin_object();
        w.key("from");
        w.string(e.from.as_str());
        w.key("to");
        w.string(e.to.as_str());
        w.key("kind");
        w.string(e.kind.key());
        w.end_object();
    }
    w.end_array();
    w.end_object();
    w.finish()
}

// ---------------------------------------------------------------- decode

pub(super) fn decode(doc: &Map<String, Value>, out: &mut Collector) -> Design {
    let mut design = Design::default();

    // Kinds by id: who is already taken, and what each end of an edge is.
    let mut kinds: HashMap<NodeId, NodeKind> = HashMap::new();
    let nodes = list(doc, "nodes", out);
    let mut over = 0usize;
    for (index, value) in nodes.iter().enumerate() {
        if design.nodes.len() >= MAX_NODES {
            over += 1;
            continue;
        }
        if let Some(node) = decode_node(index + 1, value, &kinds, out) {
            kinds.insert(node.id.clone(), node.kind);
            design.nodes.push(node);
        }
    }
    if over > 0 {
        out.push(Diagnostic::error(
            None,
            format!("The design has more than {MAX_NODES} nodes; the last {over} were dropped."),
        ));
    }

    let mut pairs: HashSet<(NodeId, NodeId)> = HashSet::new();
    let edges = list(doc, "edges", out);
    let mut over = 0usize;
    for (index, value) in edges.iter().enumerate() {
        if design.edges.len() >= MAX_EDGES {
            over += 1;
            continue;
        }
        if let Some(edge) = decode_edge(index + 1, value, &kinds, &pairs, out) {
            pairs.insert((edge.from.clone(), edge.to.clone()));
            design.edges.push(edge);
        }
    }
    if over > 0 {
        out.push(Diagnostic::error(
            None,
            format!(
                "The design has more than {MAX_EDGES} connections; the last {over} were dropped."
            ),
        ));
    }
    design
}

/// The array under `key`; empty when absent, and when it is not an array
/// (with an error).
fn list<'a>(doc: &'a Map<String, Value>, key: &str, out: &mut Collector) -> &'a [Value] {
    match doc.get(key) {
        None => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            out.push(Diagnostic::error(
                None,
                format!("The “{key}” field must be a list; it was ignored."),
            ));
            &[]
        }
    }
}

/// A JSON value quoted for a message: text as is, anything else as JSON.
fn quote(value: &Value) -> String {
    match value {
        Value::String(text) => shorten(text),
        other => shorten(&writer::compact(other)),
    }
}

fn decode_node(
    number: usize,
    value: &Value,
    taken: &HashMap<NodeId, NodeKind>,
    out: &mut Collector,
) -> Option<Node> {
    let Value::Object(obj) = value else {
        out.push(Diagnostic::error(
            None,
            format!("Node {number} is not an object; it was dropped."),
        ));
        return None;
    };
    let Some(Value::String(id)) = obj.get("id") else {
        out.push(Diagnostic::error(
            None,
            format!("Node {number} has no id; it was dropped."),
        ));
        return None;
    };
    if let Err(reason) = check_id(id) {
        out.push(Diagnostic::error(
            None,
            format!(
                "Node {number}: its id “{}” {reason}; it was dropped.",
                shorten(id)
            ),
        ));
        return None;
    }
    let id = NodeId::from(id.as_str());
    if taken.contains_key(&id) {
        out.push(Diagnostic::error(
            None,
            format!("Two nodes have the id “{id}”; the second was dropped."),
        ));
        return None;
    }
    let kind = match obj.get("kind") {
        Some(Value::String(key)) => match NodeKind::from_key(key) {
            Some(kind) => kind,
            None => {
                out.push(Diagnostic::error(
                    None,
                    format!(
                        "Node “{id}” has an unknown kind “{}”; it was dropped.",
                        shorten(key)
                    ),
                ));
                return None;
            }
        },
        _ => {
            out.push(Diagnostic::error(
                None,
                format!("Node “{id}” has no kind; it was dropped."),
            ));
            return None;
        }
    };

    let mut node = Node::new(id, kind, Point::default());
    let mut later: Vec<(bool, String)> = Vec::new(); // (is warning, text after "who: ")
    match obj.get("label") {
        None => {}
        Some(Value::String(label)) => match clean_label(label) {
            None => node.label = label.clone(),
            Some((fixed, problem)) => {
                node.label = fixed;
                later.push((
                    true,
                    format!("the {}; {}.", problem.words(), problem.repair()),
                ));
            }
        },
        Some(_) => later.push((
            true,
            "the label must be text; the kind's name was used.".into(),
        )),
    }
    // Name the node by its final label in every message about it.
    let name = who(&node);
    let subject = Some(node.id.clone());
    for (_, text) in later {
        out.push(Diagnostic::warning(
            subject.clone(),
            format!("{name}: {text}"),
        ));
    }

    node.position = Point {
        x: coord(obj, "x", &name, &subject, out),
        y: coord(obj, "y", &name, &subject, out),
    };

    match obj.get("params") {
        None => {}
        Some(Value::Object(params)) => {
            node.params = decode_params(kind, params, &name, &subject, out);
        }
        Some(_) => out.push(Diagnostic::warning(
            subject.clone(),
            format!("{name}: its parameters must be an object; they were ignored."),
        )),
    }
    for &(k, lower, upper) in ORDERED {
        if k != kind {
            continue;
        }
        let (lo, hi) = (node.num(lower), node.num(upper));
        if lo > hi {
            node.params
                .insert_unchecked(upper.to_string(), ParamValue::Number(lo));
            let upper_label = mid_sentence(label(kind, upper));
            out.push(Diagnostic::warning(
                subject.clone(),
                format!(
                    "{name}: {} ({}) was above {upper_label} ({}); {upper_label} was raised to {}.",
                    label(kind, lower),
                    shortest(lo),
                    shortest(hi),
                    shortest(lo)
                ),
            ));
        }
    }
    Some(node)
}

fn label(kind: NodeKind, key: &'static str) -> &'static str {
    kind.param(key).map_or(key, |spec| spec.label)
}

/// One coordinate: 0 when absent, 0 with a warning when not a number,
/// clamped with a warning when far off the canvas.
fn coord(
    obj: &Map<String, Value>,
    axis: &str,
    name: &str,
    subject: &Option<NodeId>,
    out: &mut Collector,
) -> f64 {
    match obj.get(axis) {
        None => 0.0,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() && v.abs() <= MAX_COORD => v,
            Some(v) if v.is_finite() => {
                let fixed = v.clamp(-MAX_COORD, MAX_COORD);
                out.push(Diagnostic::warning(
                    subject.clone(),
                    format!(
                        "{name}: its position {axis} = {} is too far off the canvas; it was moved to {}.",
                        shortest(v),
                        shortest(fixed)
                    ),
                ));
                fixed
            }
            _ => {
                out.push(Diagnostic::warning(
                    subject.clone(),
                    format!("{name}: its position {axis} is not a number; 0 was used."),
                ));
                0.0
            }
        },
        Some(_) => {
            out.push(Diagnostic::warning(
                subject.clone(),
                format!("{name}: its position {axis} must be a number; 0 was used."),
            ));
            0.0
        }
    }
}

fn decode_params(
    kind: NodeKind,
    params: &Map<String, Value>,
    name: &str,
    subject: &Option<NodeId>,
    out: &mut Collector,
) -> Params {
    let mut result = Params::new();
    for (key, raw) in params {
        let Some(spec) = kind.param(key) else {
            out.push(Diagnostic::info(
                subject.clone(),
                format!(
                    "{name}: {} nodes have no setting called “{}”; it was ignored.",
                    kind.name(),
                    shorten(key)
                ),
            ));
            continue;
        };
        let value = match raw {
            Value::Number(n) => n
                .as_f64()
                .map_or(ParamValue::Number(f64::NAN), ParamValue::Number),
            Value::Bool(b) => ParamValue::Bool(*b),
            Value::String(s) => ParamValue::Text(s.clone()),
            other => ParamValue::Text(writer::compact(other)),
        };
        match spec.repair(&value) {
            Ok(valid) => result.insert_unchecked(spec.key.to_string(), valid),
            Err((Some(fixed), err)) => {
                out.push(Diagnostic::warning(
                    subject.clone(),
                    format!("{name}: {err}; {} was changed to {fixed}.", quote(raw)),
                ));
                result.insert_unchecked(spec.key.to_string(), fixed);
            }
            Err((None, err)) => {
                let default = spec.describe(&spec.default_value());
                let text = if matches!(err, ParamError::NotAnOption { .. }) {
                    format!("{name}: {err}; the default ({default}) is used.")
                } else {
                    format!(
                        "{name}: {err}; “{}” was ignored and the default ({default}) is used.",
                        quote(raw)
                    )
                };
                out.push(Diagnostic::warning(subject.clone(), text));
                result.remove_unchecked(spec.key);
            }
        }
    }
    result
}

fn decode_edge(
    number: usize,
    value: &Value,
    kinds: &HashMap<NodeId, NodeKind>,
    pairs: &HashSet<(NodeId, NodeId)>,
    out: &mut Collector,
) -> Option<Edge> {
    let Value::Object(obj) = value else {
        out.push(Diagnostic::error(
            None,
            format!("Connection {number} is not an object; it was dropped."),
        ));
        return None;
    };
    let end = |key: &str| match obj.get(key) {
        Some(Value::String(id)) => Some(NodeId::from(id.as_str())),
        _ => None,
    };
    let (from, to) = match (end("from"), end("to")) {
        (Some(from), Some(to)) => (from, to),
        (None, _) => {
            out.push(Diagnostic::error(
                None,
                format!("Connection {number} has no “from” node; it was dropped."),
            ));
            return None;
        }
        (_, None) => {
            out.push(Diagnostic::error(
                None,
                format!("Connection {number} has no “to” node; it was dropped."),
            ));
            return None;
        }
    };
    let name = edge_name(&from, &to);
    let subject = kinds.contains_key(&from).then(|| from.clone());
    let dropped = |out: &mut Collector, why: String| {
        out.push(Diagnostic::error(
            subject.clone(),
            format!("{name} was dropped: {why}."),
        ));
        None
    };
    let Some(&from_kind) = kinds.get(&from) else {
        return dropped(
            out,
            format!("there is no node “{}”", shorten(from.as_str())),
        );
    };
    let Some(&to_kind) = kinds.get(&to) else {
        return dropped(out, format!("there is no node “{}”", shorten(to.as_str())));
    };
    if from == to {
        return dropped(out, "a node cannot connect to itself".into());
    }
    if pairs.contains(&(from.clone(), to.clone())) {
        out.push(Diagnostic::error(
            subject,
            format!("{name} appears twice; the second was dropped."),
        ));
        return None;
    }
    let kind = match classify(from_kind, to_kind) {
        Ok(kind) => kind,
        Err(reason) => return dropped(out, reason.to_string()),
    };
    match obj.get("kind") {
        None => {}
        Some(Value::String(key)) if EdgeKind::from_key(key) == Some(kind) => {}
        Some(given) => out.push(Diagnostic::info(
            subject.clone(),
            format!(
                "{name} was marked “{}” but carries {}; the kind was corrected.",
                quote(given),
                kind.name()
            ),
        )),
    }
    Some(Edge { from, to, kind })
}

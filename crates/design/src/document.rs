//! The design document in memory: nodes, edges and the editing operations
//! that keep them consistent.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::connect::{classify, ConnectionRefused, EdgeKind};
use crate::keys::{Key, ParamType};
use crate::kind::NodeKind;
use crate::params::{ParamError, ParamValue, Params};

/// A node's id: short, unique within a design, stable across edits
/// (`"cdn1"`, `"api2"`). Serialised as a bare string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub String);

impl NodeId {
    /// An id from any text (no check: see [`crate::validate()`]).
    pub fn new(id: impl Into<String>) -> Self {
        NodeId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeId {
    /// Writes the bare id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for NodeId {
    /// An id from text.
    fn from(id: &str) -> Self {
        NodeId(id.to_string())
    }
}

impl From<String> for NodeId {
    /// An id from text.
    fn from(id: String) -> Self {
        NodeId(id)
    }
}

impl AsRef<str> for NodeId {
    /// The id as text.
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A position on the canvas, in canvas pixels (before pan and zoom); y
/// grows downwards.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
}

/// One box on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Unique within the design.
    pub id: NodeId,
    /// What the node is.
    pub kind: NodeKind,
    /// The name the learner gave it (defaults to the kind's name).
    pub label: String,
    /// Where it sits on the canvas (its top-left corner, by the app's
    /// convention). Serialised as `x` and `y` beside the other fields.
    #[serde(flatten)]
    pub position: Point,
    /// The parameter values it sets; the rest are at their defaults.
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

impl Node {
    /// A node with the kind's name as its label and every parameter at its
    /// default.
    pub fn new(id: NodeId, kind: NodeKind, position: Point) -> Self {
        Node {
            id,
            kind,
            label: kind.name().to_string(),
            position,
            params: Params::new(),
        }
    }

    /// The number parameter `key`: the value set (clamped into its range),
    /// or the default. 0 if this kind has no number parameter `key`. For
    /// a key known when writing the code, use [`Node::get`] with a typed
    /// key (`keys::cdn::TTL_S`): a misspelling then does not compile.
    pub fn num(&self, key: &str) -> f64 {
        self.params.number(self.kind, key)
    }

    /// The on/off parameter `key`: the value set, or the default. False if
    /// this kind has no on/off parameter `key`. See [`Node::get`] for
    /// keys known when writing the code.
    pub fn flag(&self, key: &str) -> bool {
        self.params.flag(self.kind, key)
    }

    /// The choice parameter `key`: the value set (if it is one of the
    /// options), or the default. "" if this kind has no choice `key`. See
    /// [`Node::get`] for keys known when writing the code.
    pub fn choice(&self, key: &str) -> &str {
        self.params.choice(self.kind, key)
    }

    /// The parameter `key` of this node: the value set, or the catalogue
    /// default. `key` is a constant of [`crate::keys`], so a misspelt key
    /// does not compile (`node.get(keys::cdn::TTL_S)` is an `f64`,
    /// `node.get(keys::cdn::COLLAPSE)` a `bool`, `node.get(keys::api::SIZE)`
    /// a `&str`). A key of another kind reads as the string accessors do
    /// (0, false or ""), and is refused in debug builds.
    pub fn get<T: ParamType>(&self, key: Key<T>) -> T::Value<'_> {
        debug_assert!(
            key.applies_to(self.kind),
            "{} nodes have no parameter {key:?}",
            self.kind.name()
        );
        T::read(&self.params, self.kind, key.name())
    }

    /// Sets a parameter after checking it against this node's kind (see
    /// [`Params::set`]).
    pub fn set_param(&mut self, key: &str, value: impl Into<ParamValue>) -> Result<(), ParamError> {
        self.params.set(self.kind, key, value)
    }

    /// Puts a parameter back to its default (see [`Params::reset`]).
    pub fn reset_param(&mut self, key: &str) -> Result<(), ParamError> {
        self.params.reset(self.kind, key)
    }
}

/// A connection: requests (or, for replication and publish, data) flow from
/// `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edge {
    /// The sending node.
    pub from: NodeId,
    /// The receiving node.
    pub to: NodeId,
    /// What it carries; always [`classify`] of the two nodes' kinds.
    pub kind: EdgeKind,
}

/// The whole document: what the learner drew.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Design {
    /// The nodes, in drawing order (later ones on top).
    pub nodes: Vec<Node>,
    /// The connections, in the order they were made.
    pub edges: Vec<Edge>,
}

impl Design {
    /// The node with this id.
    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.nodes.iter().find(|n| &n.id == id)
    }

    /// The node with this id, to change it.
    pub fn node_mut(&mut self, id: &NodeId) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| &n.id == id)
    }

    /// True if a node has this id.
    pub fn contains(&self, id: &NodeId) -> bool {
        self.node(id).is_some()
    }

    /// An id no node has yet: the kind's prefix and the smallest number
    /// not in use (`cdn1`, `cdn2`…).
    pub fn fresh_id(&self, kind: NodeKind) -> NodeId {
        let used: HashSet<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
        let prefix = kind.id_prefix();
        let mut n: usize = 1;
        loop {
            let id = format!("{prefix}{n}");
            if !used.contains(id.as_str()) {
                return NodeId(id);
            }
            n += 1;
        }
    }

    /// Adds a node of `kind` at `position` with a fresh id, the kind's name
    /// as its label and default parameters; returns its id.
    pub fn add_node(&mut self, kind: NodeKind, position: Point) -> NodeId {
        let id = self.fresh_id(kind);
        self.nodes.push(Node::new(id.clone(), kind, position));
        id
    }

    /// Connects `from` to `to` if that makes sense, and returns what the
    /// connection carries. Refuses missing nodes, a node connecting to
    /// itself, a connection that already exists and kinds that
    /// [`classify`] refuses; on refusal nothing changes.
    pub fn connect(&mut self, from: &NodeId, to: &NodeId) -> Result<EdgeKind, ConnectionRefused> {
        let from_kind = self
            .node(from)
            .ok_or_else(|| ConnectionRefused::MissingNode(from.clone()))?
            .kind;
        let to_kind = self
            .node(to)
            .ok_or_else(|| ConnectionRefused::MissingNode(to.clone()))?
            .kind;
        if from == to {
            return Err(ConnectionRefused::SelfLoop);
        }
        if self.edge(from, to).is_some() {
            return Err(ConnectionRefused::Duplicate);
        }
        let kind = classify(from_kind, to_kind)?;
        self.edges.push(Edge {
            from: from.clone(),
            to: to.clone(),
            kind,
        });
        Ok(kind)
    }

    /// Removes the connection from `from` to `to`; true if there was one.
    pub fn disconnect(&mut self, from: &NodeId, to: &NodeId) -> bool {
        let before = self.edges.len();
        self.edges.retain(|e| !(&e.from == from && &e.to == to));
        self.edges.len() != before
    }

    /// Removes a node and every connection to or from it. Does nothing if
    /// there is no such node.
    pub fn remove_node(&mut self, id: &NodeId) {
        self.nodes.retain(|n| &n.id != id);
        self.edges.retain(|e| &e.from != id && &e.to != id);
    }

    /// The connection from `from` to `to`, if any.
    pub fn edge(&self, from: &NodeId, to: &NodeId) -> Option<&Edge> {
        self.edges.iter().find(|e| &e.from == from && &e.to == to)
    }

    /// The connections leaving `id`.
    pub fn edges_from<'a>(&'a self, id: &'a NodeId) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| &e.from == id)
    }

    /// The connections arriving at `id`.
    pub fn edges_to<'a>(&'a self, id: &'a NodeId) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| &e.to == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn add_node_gives_fresh_short_ids_and_default_labels() {
        let mut d = Design::default();
        let a = d.add_node(NodeKind::Cdn, at(0.0, 0.0));
        let b = d.add_node(NodeKind::Cdn, at(10.0, 0.0));
        let c = d.add_node(NodeKind::Api, at(20.0, 0.0));
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("cdn1", "cdn2", "api1")
        );
        assert_eq!(d.node(&a).map(|n| n.label.as_str()), Some("CDN"));
        assert_eq!(d.node(&c).map(|n| n.label.as_str()), Some("API service"));
        d.remove_node(&a);
        assert_eq!(d.add_node(NodeKind::Cdn, at(0.0, 0.0)).as_str(), "cdn1");
        assert_eq!(d.add_node(NodeKind::Cdn, at(0.0, 0.0)).as_str(), "cdn3");
    }

    #[test]
    fn connect_refuses_with_reasons() {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, at(0.0, 0.0));
        let cdn = d.add_node(NodeKind::Cdn, at(0.0, 0.0));
        let replica = d.add_node(NodeKind::ReadReplica, at(0.0, 0.0));
        assert_eq!(d.connect(&users, &cdn), Ok(EdgeKind::Read));
        assert_eq!(d.connect(&users, &cdn), Err(ConnectionRefused::Duplicate));
        assert_eq!(d.connect(&cdn, &cdn), Err(ConnectionRefused::SelfLoop));
        let ghost = NodeId::from("ghost");
        assert_eq!(
            d.connect(&cdn, &ghost),
            Err(ConnectionRefused::MissingNode(ghost.clone()))
        );
        assert_eq!(
            d.connect(&ghost, &cdn).unwrap_err().to_string(),
            "There is no node “ghost”"
        );
        assert!(matches!(
            d.connect(&replica, &users),
            Err(ConnectionRefused::Kinds { .. })
        ));
        assert_eq!(d.edges.len(), 1);
    }

    #[test]
    fn remove_node_removes_its_edges() {
        let mut d = Design::default();
        let users = d.add_node(NodeKind::Users, at(0.0, 0.0));
        let cdn = d.add_node(NodeKind::Cdn, at(0.0, 0.0));
        let api = d.add_node(NodeKind::Api, at(0.0, 0.0));
        d.connect(&users, &cdn).unwrap();
        d.connect(&cdn, &api).unwrap();
        d.connect(&users, &api).unwrap();
        assert_eq!(d.edges_from(&users).count(), 2);
        assert_eq!(d.edges_to(&api).count(), 2);
        d.remove_node(&cdn);
        assert_eq!(d.nodes.len(), 2);
        assert_eq!(d.edges.len(), 1);
        assert!(d.edge(&users, &api).is_some());
        d.remove_node(&NodeId::from("nothing"));
        assert_eq!(d.nodes.len(), 2);
        assert!(d.disconnect(&users, &api));
        assert!(!d.disconnect(&users, &api));
        assert!(d.edges.is_empty());
    }

    #[test]
    fn node_accessors_use_defaults() {
        let mut d = Design::default();
        let id = d.add_node(NodeKind::Cdn, at(0.0, 0.0));
        let node = d.node_mut(&id).unwrap();
        assert_eq!(node.num("ttl_s"), 60.0);
        assert!(node.flag("collapse"));
        assert_eq!(node.choice("plan"), "pay_as_you_go");
        node.set_param("ttl_s", 5).unwrap();
        node.set_param("collapse", false).unwrap();
        node.set_param("plan", "pro").unwrap();
        assert!(node.set_param("ttl_s", -5).is_err());
        assert_eq!(node.num("ttl_s"), 5.0);
        assert!(!node.flag("collapse"));
        assert_eq!(node.choice("plan"), "pro");
        // The typed keys read the same values.
        assert_eq!(node.get(crate::keys::cdn::TTL_S), 5.0);
        assert!(!node.get(crate::keys::cdn::COLLAPSE));
        assert_eq!(node.get(crate::keys::cdn::PLAN), "pro");
        node.reset_param("ttl_s").unwrap();
        assert_eq!(node.num("ttl_s"), 60.0);
    }

    #[test]
    fn node_id_serde_is_a_bare_string() {
        let id = NodeId::from("api1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"api1\"");
        assert_eq!(id.to_string(), "api1");
    }

    #[test]
    fn derived_serde_matches_the_wire_body() {
        let mut d = Design::default();
        let id = d.add_node(NodeKind::Api, at(300.0, 200.0));
        d.node_mut(&id)
            .unwrap()
            .set_param("service_ms", 12.5)
            .unwrap();
        let value = serde_json::to_value(&d).unwrap();
        let node = &value["nodes"][0];
        assert_eq!(node["x"], 300.0);
        assert_eq!(node["kind"], "api");
        assert_eq!(node["params"]["service_ms"], 12.5);
        let back: Design = serde_json::from_value(value).unwrap();
        assert_eq!(back, d);
    }
}

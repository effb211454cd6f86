//! What is selected: some nodes, or one edge.

use crate::id_set::IdSet;
use design::NodeId;

/// An edge named by its two ends (a design has at most one edge per pair).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeRef {
    /// Where the edge starts.
    pub from: NodeId,
    /// Where the edge ends.
    pub to: NodeId,
}

/// The selection: a set of nodes, or a single edge, never both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    nodes: IdSet,
    edge: Option<EdgeRef>,
}

impl Selection {
    /// The selected nodes.
    pub fn nodes(&self) -> &IdSet {
        &self.nodes
    }

    /// The selected edge, if an edge is selected.
    pub fn edge(&self) -> Option<&EdgeRef> {
        self.edge.as_ref()
    }

    /// Whether the node is selected.
    pub fn contains(&self, id: &NodeId) -> bool {
        self.nodes.contains(id)
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edge.is_none()
    }

    /// The one selected node, when exactly one is selected.
    pub fn single_node(&self) -> Option<&NodeId> {
        if self.nodes.len() == 1 {
            self.nodes.iter().next()
        } else {
            None
        }
    }

    /// Selects exactly this node.
    pub fn select_only(&mut self, id: NodeId) {
        self.clear();
        self.nodes.insert(id);
    }

    /// Adds the node if absent, removes it if present.
    pub fn toggle(&mut self, id: NodeId) {
        self.edge = None;
        if !self.nodes.remove(&id) {
            self.nodes.insert(id);
        }
    }

    /// Selects exactly these nodes.
    pub fn set_nodes(&mut self, nodes: IdSet) {
        self.edge = None;
        self.nodes = nodes;
    }

    /// Selects exactly this edge.
    pub fn select_edge(&mut self, edge: EdgeRef) {
        self.nodes.clear();
        self.edge = Some(edge);
    }

    /// Selects nothing.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.edge = None;
    }

    /// Drops whatever no longer exists (after undo, delete or a load).
    pub fn retain_existing(&mut self, design: &design::Design) {
        self.nodes.retain(|id| design.contains(id));
        if let Some(e) = &self.edge {
            if design.edge(&e.from, &e.to).is_none() {
                self.edge = None;
            }
        }
    }
}

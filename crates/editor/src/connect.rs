//! Connecting two nodes with the keyboard, as plain functions on a design:
//! which nodes a connection from a node may go to, in what order Tab and
//! the arrows walk them, and what is said about each.
//!
//! The [`Editor`](crate::Editor) holds the connection under way (its
//! source and the candidate target, [`Gesture::KeyboardConnecting`](crate::Gesture));
//! these functions decide where a key moves the candidate. Every other
//! node is a candidate, including ones the connection rules refuse: the
//! prompt says so before Enter, and Enter is refused with the reason.

use design::geometry;
use design::{classify, ConnectionRefused, Design, EdgeKind, Node, NodeId, Point};

use crate::EditError;

/// A direction on the canvas (an arrow key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Towards smaller x.
    Left,
    /// Towards larger x.
    Right,
    /// Towards smaller y.
    Up,
    /// Towards larger y.
    Down,
}

impl Direction {
    /// "to the left of", "below"…: where a node lies, in words.
    pub fn words(self) -> &'static str {
        match self {
            Direction::Left => "to the left of",
            Direction::Right => "to the right of",
            Direction::Up => "above",
            Direction::Down => "below",
        }
    }
}

/// How a key moves the candidate target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Tab: the next candidate, nearest to the source first.
    Next,
    /// Shift Tab: the previous candidate.
    Previous,
    /// An arrow: the nearest candidate that way from the current one.
    Toward(Direction),
}

/// The centre of a node's box, in canvas space.
fn centre(node: &Node) -> Point {
    let r = geometry::node_rect(node.position);
    Point {
        x: r.x + r.width / 2.0,
        y: r.y + r.height / 2.0,
    }
}

/// The squared distance between two points (the order is all that counts).
fn distance2(a: Point, b: Point) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// Every node a connection from `from` may be offered to, in the order Tab
/// walks them: nearest to the source first (centre to centre), then in
/// reading order (top to bottom, left to right), then by id. Empty when
/// `from` is not in the design.
pub fn candidates(design: &Design, from: &NodeId) -> Vec<NodeId> {
    let Some(source) = design.node(from) else {
        return Vec::new();
    };
    let origin = centre(source);
    let mut others: Vec<&Node> = design.nodes.iter().filter(|n| n.id != *from).collect();
    others.sort_by(|a, b| {
        distance2(origin, centre(a))
            .total_cmp(&distance2(origin, centre(b)))
            .then(a.position.y.total_cmp(&b.position.y))
            .then(a.position.x.total_cmp(&b.position.x))
            .then_with(|| a.id.cmp(&b.id))
    });
    others.into_iter().map(|n| n.id.clone()).collect()
}

/// What connecting `from` → `to` would give: the edge's kind, or why
/// [`Design::connect`] would refuse it (the same checks in the same
/// order, without touching the design).
pub fn check(design: &Design, from: &NodeId, to: &NodeId) -> Result<EdgeKind, ConnectionRefused> {
    let source = design
        .node(from)
        .ok_or_else(|| ConnectionRefused::MissingNode(from.clone()))?;
    let target = design
        .node(to)
        .ok_or_else(|| ConnectionRefused::MissingNode(to.clone()))?;
    if from == to {
        return Err(ConnectionRefused::SelfLoop);
    }
    if design.edge(from, to).is_some() {
        return Err(ConnectionRefused::Duplicate);
    }
    classify(source.kind, target.kind)
}

/// The candidate offered first: the nearest node the connection rules
/// accept, else the nearest node; `None` when there is no other node.
pub fn first_candidate(design: &Design, from: &NodeId) -> Option<NodeId> {
    let all = candidates(design, from);
    all.iter()
        .find(|to| check(design, from, to).is_ok())
        .or(all.first())
        .cloned()
}

/// Where `step` moves the candidate from `current`, or `None` when it
/// cannot move (no other candidate, or none that way). A `current` that
/// is gone starts again from the first candidate.
pub fn step(design: &Design, from: &NodeId, current: &NodeId, step: Step) -> Option<NodeId> {
    let all = candidates(design, from);
    let Some(index) = all.iter().position(|id| id == current) else {
        return first_candidate(design, from);
    };
    match step {
        Step::Next | Step::Previous if all.len() < 2 => None,
        Step::Next => Some(all[(index + 1) % all.len()].clone()),
        Step::Previous => Some(all[(index + all.len() - 1) % all.len()].clone()),
        Step::Toward(direction) => toward(design, &all, current, direction),
    }
}

/// The nearest of `candidates` that lies `direction` of `current`: first
/// among those within 45° of that direction, else anywhere on that side.
/// Nearer along the direction wins; a sideways offset counts double.
fn toward(
    design: &Design,
    candidates: &[NodeId],
    current: &NodeId,
    direction: Direction,
) -> Option<NodeId> {
    let here = centre(design.node(current)?);
    // (along, across): how far the node is in the direction, and beside it.
    let offset = |p: Point| {
        let (dx, dy) = (p.x - here.x, p.y - here.y);
        match direction {
            Direction::Left => (-dx, dy.abs()),
            Direction::Right => (dx, dy.abs()),
            Direction::Up => (-dy, dx.abs()),
            Direction::Down => (dy, dx.abs()),
        }
    };
    let scored: Vec<(f64, bool, &NodeId)> = candidates
        .iter()
        .filter(|id| *id != current)
        .filter_map(|id| {
            let (along, across) = offset(centre(design.node(id)?));
            (along > 0.0).then_some((along + 2.0 * across, across <= along, id))
        })
        .collect();
    let best = |in_cone: bool| {
        scored
            .iter()
            .filter(|(_, cone, _)| *cone || !in_cone)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, _, id)| (*id).clone())
    };
    best(true).or_else(|| best(false))
}

/// How a node is named when spoken: its label, with its id when another
/// node has the same label (two "API"s).
pub fn spoken_name(design: &Design, id: &NodeId) -> String {
    let Some(node) = design.node(id) else {
        return id.to_string();
    };
    let same = design
        .nodes
        .iter()
        .filter(|n| n.label == node.label)
        .count();
    if same > 1 {
        format!("{} ({})", node.label, node.id)
    } else {
        node.label.clone()
    }
}

/// What is announced while `to` is the candidate: the question, and what
/// Enter would do. "Connect Status API to Database (read/write)? Enter to
/// connect, Escape to cancel." A connection the rules refuse says why
/// before Enter is pressed.
pub fn prompt(design: &Design, from: &NodeId, to: &NodeId) -> String {
    let (source, target) = (spoken_name(design, from), spoken_name(design, to));
    match check(design, from, to) {
        Ok(kind) => format!(
            "Connect {source} to {target} ({})? Enter to connect, Escape to cancel.",
            kind.name()
        ),
        Err(refused) => format!(
            "Connect {source} to {target}? Not possible: {}. Tab or arrows choose another node, Escape cancels.",
            refused.to_string().trim_end_matches('.')
        ),
    }
}

/// What is announced after Enter: the connection made, or why it was not
/// (the question then stays, so another node may be chosen).
pub fn outcome(
    design: &Design,
    from: &NodeId,
    to: &NodeId,
    result: &Result<EdgeKind, EditError>,
) -> String {
    let (source, target) = (spoken_name(design, from), spoken_name(design, to));
    match result {
        Ok(kind) => format!("Connected {source} to {target} ({}).", kind.name()),
        Err(error) => format!(
            "Not connected: {}. Choose another node, or press Escape to cancel.",
            error.to_string().trim_end_matches('.')
        ),
    }
}

/// What is announced when an arrow finds no node its way: the candidate
/// stays where it was.
pub fn nothing_toward(design: &Design, current: &NodeId, direction: Direction) -> String {
    format!(
        "No other node {} {}.",
        direction.words(),
        spoken_name(design, current)
    )
}

//! The editor: a design plus selection, gesture in progress, viewport,
//! clipboard and undo history, and every edit a learner can make.
//!
//! Pointer input arrives already converted to canvas space (the app calls
//! [`Viewport::canvas_from_screen`]); panning takes screen space, since it
//! moves the viewport itself. Every edit that changes the design records one
//! undo step; a drag is one step however long it lasts.

use std::fmt;

use design::geometry::{self, Rect, Viewport};
use design::limits::MAX_LABEL_CHARS;
use design::{
    ConnectionRefused, Design, Edge, EdgeKind, Node, NodeId, NodeKind, ParamError, Point,
};

use crate::connect::{self, Step};
use crate::history::History;
use crate::id_set::IdSet;
use crate::selection::{EdgeRef, Selection};

/// How many undo steps are kept.
pub const UNDO_LIMIT: usize = 200;

/// How far a paste or duplicate lands from the original, in canvas pixels.
const PASTE_OFFSET: f64 = 2.0 * geometry::GRID;

/// The step down and right that pastes, and adds that would land on a
/// node, take.
const DIAGONAL: Point = Point {
    x: PASTE_OFFSET,
    y: PASTE_OFFSET,
};

/// How many further steps a placement may take to avoid landing exactly
/// on another node before it is refused.
const UNSTACK_TRIES: i32 = 64;

/// Why an edit was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq)]
pub enum EditError {
    /// The connection makes no sense; the reason says why.
    Refused(ConnectionRefused),
    /// The parameter value is not acceptable; the message says why.
    Param(ParamError),
    /// No node has this id (it was deleted meanwhile).
    UnknownNode(NodeId),
    /// A label must have some text.
    EmptyLabel,
    /// A label is longer than the canvas can show.
    LabelTooLong,
    /// The editor is read-only (an embed with `readonly=1`).
    ReadOnly,
    /// A keyboard connection starts from one selected node.
    SelectOneNode,
    /// A keyboard connection needs another node to go to.
    NoOtherNode,
    /// No keyboard connection is under way.
    NotConnecting,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Refused(reason) => write!(f, "{reason}"),
            EditError::Param(error) => write!(f, "{error}"),
            EditError::UnknownNode(id) => write!(f, "there is no node \"{id}\" any more"),
            EditError::EmptyLabel => write!(f, "a label needs at least one character"),
            EditError::ReadOnly => write!(f, "this design is read-only here"),
            EditError::SelectOneNode => write!(f, "select one node to connect from"),
            EditError::NoOtherNode => write!(f, "there is no other node to connect to"),
            EditError::NotConnecting => write!(f, "no connection is under way"),
            EditError::LabelTooLong => {
                write!(
                    f,
                    "a label can be at most {MAX_LABEL_CHARS} characters long"
                )
            }
        }
    }
}

impl std::error::Error for EditError {}

/// The pointer gesture under way.
#[derive(Debug, Clone, PartialEq)]
pub enum Gesture {
    /// Nothing is being dragged.
    Idle,
    /// Selected nodes follow the pointer.
    MovingNodes {
        /// Where the drag started, in canvas space.
        grab_in_canvas: Point,
        /// Each moving node's position when the drag started.
        originals: Vec<(NodeId, Point)>,
        /// The design before the drag, for the undo step.
        before: Box<Design>,
    },
    /// A connection is being made with the keyboard: `to` is the candidate
    /// target (highlighted and announced) until Enter connects or Escape
    /// cancels. See [`crate::connect`].
    KeyboardConnecting {
        /// The node the connection starts from.
        from: NodeId,
        /// The candidate target.
        to: NodeId,
    },
    /// A connection is being dragged out of a node's output port.
    Connecting {
        /// The node the connection starts from.
        from: NodeId,
        /// The loose end, in canvas space.
        pointer_in_canvas: Point,
    },
    /// A selection box is being drawn.
    BoxSelecting {
        /// Where the box started, in canvas space.
        anchor_in_canvas: Point,
        /// The opposite corner, in canvas space.
        current_in_canvas: Point,
        /// What was selected before (kept when the box is additive).
        base: IdSet,
    },
    /// The view follows the pointer.
    Panning {
        /// The last pointer position, in screen space.
        last_in_screen: Point,
        /// Whether the pointer moved at all: a press and release in place
        /// on empty canvas is a click, which clears the selection.
        moved: bool,
    },
}

/// What the app copies and pastes: nodes and the edges among them.
#[derive(Debug, Clone, PartialEq)]
struct Clipboard {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

/// The editor's whole state. Plain data: the app holds one and calls its
/// methods from event handlers.
#[derive(Debug, Clone)]
pub struct Editor {
    design: Design,
    selection: Selection,
    history: History<Design>,
    clipboard: Option<Clipboard>,
    gesture: Gesture,
    viewport: Viewport,
    revision: u64,
    readonly: bool,
}

impl Editor {
    /// An editor on `design`, nothing selected, no history.
    pub fn new(design: Design) -> Self {
        Editor {
            design,
            selection: Selection::default(),
            history: History::new(UNDO_LIMIT),
            clipboard: None,
            gesture: Gesture::Idle,
            viewport: Viewport::default(),
            revision: 0,
            readonly: false,
        }
    }

    /// The design being edited.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// The selection.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The gesture under way.
    pub fn gesture(&self) -> &Gesture {
        &self.gesture
    }

    /// The viewport (pan and zoom).
    pub fn viewport(&self) -> Viewport {
        self.viewport
    }

    /// A counter that grows with every change to the design (edits, undo,
    /// redo, drag steps); the app saves and re-syncs when it moves.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Whether the clipboard holds something to paste.
    pub fn can_paste(&self) -> bool {
        self.clipboard.is_some()
    }

    /// Makes the design read-only (or editable again): every edit is then
    /// refused; selecting, panning and zooming still work.
    pub fn set_readonly(&mut self, readonly: bool) {
        self.readonly = readonly;
        if readonly {
            self.gesture = Gesture::Idle;
        }
    }

    /// Whether edits are refused.
    pub fn is_readonly(&self) -> bool {
        self.readonly
    }

    /// Records the current design as an undo step, then applies `edit`;
    /// `None` (and nothing changes) when the editor is read-only. Every
    /// learner edit goes through here or through [`Editor::writable`].
    fn edit<R>(&mut self, edit: impl FnOnce(&mut Design) -> R) -> Option<R> {
        if self.readonly {
            return None;
        }
        Some(self.apply_edit(edit))
    }

    /// Records an undo step and applies `edit`, read-only or not (for
    /// replacing the whole design, which the embedding page may do).
    fn apply_edit<R>(&mut self, edit: impl FnOnce(&mut Design) -> R) -> R {
        self.history.record(self.design.clone());
        let result = edit(&mut self.design);
        self.revision += 1;
        result
    }

    /// `Err(ReadOnly)` when edits are refused.
    fn writable(&self) -> Result<(), EditError> {
        if self.readonly {
            Err(EditError::ReadOnly)
        } else {
            Ok(())
        }
    }

    // ---- document edits -------------------------------------------------

    /// Adds a node of `kind` with its top-left corner at `at_in_canvas`
    /// (snapped to the grid), selects it and returns its id. A spot
    /// exactly on another node moves on diagonally until it is free, so no
    /// node is ever hidden under another; `None` when no spot is free (or
    /// the editor is read-only).
    pub fn add_node(&mut self, kind: NodeKind, at_in_canvas: Point) -> Option<NodeId> {
        let at = clamp_to_canvas(geometry::snap_to_grid(at_in_canvas));
        let shift = unstacked_shift(
            &self.design,
            &[at],
            &IdSet::new(),
            DIAGONAL,
            clamp_to_canvas,
        )?;
        let at = clamp_to_canvas(shifted(at, shift));
        let id = self.edit(|d| d.add_node(kind, at))?;
        self.selection.select_only(id.clone());
        Some(id)
    }

    /// Adds a node of `kind` in a free spot near the centre of the view
    /// (the keyboard way to add a node).
    pub fn add_node_in_view(
        &mut self,
        kind: NodeKind,
        screen_width: f64,
        screen_height: f64,
    ) -> Option<NodeId> {
        let visible = self.viewport.visible_rect(screen_width, screen_height);
        let mut at = Point {
            x: visible.x + visible.width / 2.0 - geometry::NODE_WIDTH / 2.0,
            y: visible.y + visible.height / 2.0 - geometry::NODE_HEIGHT / 2.0,
        };
        // Step down-right until the spot is free, so repeated adds don't stack.
        for _ in 0..50 {
            let spot = geometry::node_rect(geometry::snap_to_grid(at));
            if !self
                .design
                .nodes
                .iter()
                .any(|n| geometry::node_rect(n.position).intersects(spot))
            {
                break;
            }
            at.x += PASTE_OFFSET;
            at.y += PASTE_OFFSET;
        }
        self.add_node(kind, at)
    }

    /// Connects two nodes; refused connections change nothing and say why.
    pub fn connect(&mut self, from: &NodeId, to: &NodeId) -> Result<EdgeKind, EditError> {
        self.writable()?;
        // Check on a scratch copy first so a refusal records no undo step.
        let mut trial = self.design.clone();
        let kind = trial.connect(from, to).map_err(EditError::Refused)?;
        self.history
            .record(std::mem::replace(&mut self.design, trial));
        self.revision += 1;
        self.selection.select_edge(EdgeRef {
            from: from.clone(),
            to: to.clone(),
        });
        Ok(kind)
    }

    /// Deletes the selected nodes (with their edges) or the selected edge.
    /// Returns whether anything was deleted.
    pub fn delete_selection(&mut self) -> bool {
        let deleted = if let Some(edge) = self.selection.edge().cloned() {
            self.edit(|d| d.disconnect(&edge.from, &edge.to)).is_some()
        } else if !self.selection.nodes().is_empty() {
            let doomed = self.selection.nodes().clone();
            self.edit(|d| {
                for id in &doomed {
                    d.remove_node(id);
                }
            })
            .is_some()
        } else {
            false
        };
        if deleted {
            self.selection.clear();
        }
        deleted
    }

    /// Moves the selected nodes by whole grid steps (the arrow keys). A
    /// nudge that would leave a node exactly on another (hidden under
    /// it) goes one grid step further, and again, until no node is; it is
    /// refused (false, nothing changes) when that runs off the canvas or
    /// nothing would move.
    pub fn nudge(&mut self, dx: i32, dy: i32) -> bool {
        if self.selection.nodes().is_empty() || (dx == 0 && dy == 0) || self.readonly {
            return false;
        }
        let ids = self.selection.nodes().clone();
        let moving: Vec<&Node> = self
            .design
            .nodes
            .iter()
            .filter(|n| ids.contains(&n.id))
            .collect();
        let first: Vec<Point> = moving
            .iter()
            .map(|n| shifted(n.position, grid_steps(dx, dy)))
            .collect();
        let place = |p: Point| clamp_to_canvas(geometry::snap_to_grid(p));
        let further = grid_steps(dx.signum(), dy.signum());
        let Some(extra) = unstacked_shift(&self.design, &first, &ids, further, place) else {
            return false;
        };
        let targets: Vec<(NodeId, Point)> = moving
            .iter()
            .zip(&first)
            .map(|(n, p)| (n.id.clone(), place(shifted(*p, extra))))
            .collect();
        if moving
            .iter()
            .zip(&targets)
            .all(|(n, (_, to))| n.position == *to)
        {
            return false; // against the canvas's edge: nothing to move
        }
        self.edit(|d| {
            for (id, to) in targets {
                if let Some(node) = d.node_mut(&id) {
                    node.position = to;
                }
            }
        })
        .is_some()
    }

    /// Sets a node's parameter from what the learner typed. Invalid input is
    /// refused with a message and never reaches the design.
    pub fn set_param(&mut self, id: &NodeId, key: &str, input: &str) -> Result<(), EditError> {
        self.writable()?;
        let node = self
            .design
            .node(id)
            .ok_or_else(|| EditError::UnknownNode(id.clone()))?;
        let spec = node
            .kind
            .param(key)
            .ok_or(EditError::Param(ParamError::UnknownKey {
                kind: node.kind,
                key: key.to_string(),
            }))?;
        let value = spec.parse_input(input).map_err(EditError::Param)?;
        if node.params.get(key) == Some(&value) {
            return Ok(());
        }
        let mut trial = node.clone();
        trial.set_param(key, value).map_err(EditError::Param)?;
        self.edit(|d| {
            if let Some(n) = d.node_mut(id) {
                *n = trial;
            }
        });
        Ok(())
    }

    /// Puts a parameter back to its default.
    pub fn reset_param(&mut self, id: &NodeId, key: &str) -> Result<(), EditError> {
        self.writable()?;
        let node = self
            .design
            .node(id)
            .ok_or_else(|| EditError::UnknownNode(id.clone()))?;
        if node.params.get(key).is_none() {
            return Ok(());
        }
        let mut trial = node.clone();
        trial.reset_param(key).map_err(EditError::Param)?;
        self.edit(|d| {
            if let Some(n) = d.node_mut(id) {
                *n = trial;
            }
        });
        Ok(())
    }

    /// Renames a node. Surrounding spaces are trimmed.
    pub fn rename(&mut self, id: &NodeId, label: &str) -> Result<(), EditError> {
        self.writable()?;
        let label = label.trim();
        if label.is_empty() {
            return Err(EditError::EmptyLabel);
        }
        if label.chars().count() > MAX_LABEL_CHARS {
            return Err(EditError::LabelTooLong);
        }
        let node = self
            .design
            .node(id)
            .ok_or_else(|| EditError::UnknownNode(id.clone()))?;
        if node.label == label {
            return Ok(());
        }
        self.edit(|d| {
            if let Some(n) = d.node_mut(id) {
                n.label = label.to_string();
            }
        });
        Ok(())
    }

    /// Replaces the whole design (new from starter, clear, load), as one
    /// undoable step.
    pub fn replace_design(&mut self, design: Design) {
        self.gesture = Gesture::Idle;
        self.apply_edit(|d| *d = design);
        self.selection.clear();
    }

    /// Replaces the design with a changed copy (a tested fix applied to
    /// it) as one undoable step, and selects the nodes the change touched
    /// that the new design has. Refused in read-only mode.
    pub fn apply_change(&mut self, design: Design, touched: &[NodeId]) -> Result<(), EditError> {
        self.writable()?;
        self.gesture = Gesture::Idle;
        self.apply_edit(|d| *d = design);
        let ids = touched
            .iter()
            .filter(|id| self.design.contains(id))
            .cloned()
            .collect();
        self.selection.set_nodes(ids);
        Ok(())
    }

    /// Copies the selected nodes and the edges among them.
    pub fn copy(&mut self) -> bool {
        let ids = self.selection.nodes();
        if ids.is_empty() {
            return false;
        }
        let nodes: Vec<Node> = self
            .design
            .nodes
            .iter()
            .filter(|n| ids.contains(&n.id))
            .cloned()
            .collect();
        let edges: Vec<Edge> = self
            .design
            .edges
            .iter()
            .filter(|e| ids.contains(&e.from) && ids.contains(&e.to))
            .cloned()
            .collect();
        self.clipboard = Some(Clipboard { nodes, edges });
        true
    }

    /// Pastes the clipboard, offset from where it was copied, with fresh
    /// ids; selects what was pasted. Each paste lands a step further on.
    pub fn paste(&mut self) -> bool {
        let Some(clip) = self.clipboard.clone() else {
            return false;
        };
        let first: Vec<Point> = clip
            .nodes
            .iter()
            .map(|n| shifted(n.position, DIAGONAL))
            .collect();
        let Some(extra) = unstacked_shift(
            &self.design,
            &first,
            &IdSet::new(),
            DIAGONAL,
            clamp_to_canvas,
        ) else {
            return false;
        };
        let offset = shifted(DIAGONAL, extra);
        let Some(pasted) = self.edit(|d| insert_copies(d, &clip, offset)) else {
            return false;
        };
        self.selection
            .set_nodes(pasted.iter().map(|(_, new)| new.clone()).collect());
        // The next paste should land beyond this one.
        if let Some(c) = &mut self.clipboard {
            for n in &mut c.nodes {
                n.position.x += PASTE_OFFSET;
                n.position.y += PASTE_OFFSET;
            }
        }
        true
    }

    /// Duplicates the selected nodes (and the edges among them) without
    /// touching the clipboard.
    pub fn duplicate_selection(&mut self) -> bool {
        let saved = self.clipboard.take();
        let done = self.copy() && self.paste();
        self.clipboard = saved;
        done
    }

    /// Undoes the last edit.
    pub fn undo(&mut self) -> bool {
        self.step_history(History::undo)
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) -> bool {
        self.step_history(History::redo)
    }

    /// One step through the history, in the direction `step` takes.
    fn step_history(
        &mut self,
        step: fn(&mut History<Design>, Design) -> Result<Design, Design>,
    ) -> bool {
        self.cancel_gesture();
        let current = std::mem::take(&mut self.design);
        let (design, changed) = match step(&mut self.history, current) {
            Ok(other) => (other, true),
            Err(current) => (current, false),
        };
        self.design = design;
        self.after_history_step(changed)
    }

    fn after_history_step(&mut self, changed: bool) -> bool {
        if changed {
            self.revision += 1;
            self.selection.retain_existing(&self.design);
        }
        changed
    }

    // ---- selection ------------------------------------------------------

    /// Selects one node (or toggles it with `additive`).
    pub fn select_node(&mut self, id: &NodeId, additive: bool) {
        if !self.design.contains(id) {
            return;
        }
        if additive {
            self.selection.toggle(id.clone());
        } else {
            self.selection.select_only(id.clone());
        }
    }

    /// Selects one edge.
    pub fn select_edge(&mut self, from: &NodeId, to: &NodeId) {
        if self.design.edge(from, to).is_some() {
            self.selection.select_edge(EdgeRef {
                from: from.clone(),
                to: to.clone(),
            });
        }
    }

    /// Selects every node.
    pub fn select_all(&mut self) {
        self.selection
            .set_nodes(self.design.nodes.iter().map(|n| n.id.clone()).collect());
    }

    /// Selects nothing.
    pub fn clear_selection(&mut self) {
        self.selection.clear();
    }

    // ---- keyboard connection ---------------------------------------------

    /// Starts connecting the one selected node with the keyboard (the `C`
    /// key); returns the first candidate target
    /// ([`connect::first_candidate`]). Refused when read-only, when not
    /// exactly one node is selected, or when there is no other node.
    pub fn start_keyboard_connection(&mut self) -> Result<NodeId, EditError> {
        self.writable()?;
        let from = self
            .selection
            .single_node()
            .cloned()
            .ok_or(EditError::SelectOneNode)?;
        let to = connect::first_candidate(&self.design, &from).ok_or(EditError::NoOtherNode)?;
        self.gesture = Gesture::KeyboardConnecting {
            from,
            to: to.clone(),
        };
        Ok(to)
    }

    /// The keyboard connection under way, as (source, candidate target),
    /// while both nodes exist.
    pub fn keyboard_connection(&self) -> Option<(&NodeId, &NodeId)> {
        match &self.gesture {
            Gesture::KeyboardConnecting { from, to }
                if self.design.contains(from) && self.design.contains(to) =>
            {
                Some((from, to))
            }
            _ => None,
        }
    }

    /// Moves the keyboard connection's candidate target (Tab, Shift Tab,
    /// an arrow); returns the new candidate, or `None` when it stayed
    /// (nothing that way) or no keyboard connection is under way.
    pub fn choose_connection_target(&mut self, how: Step) -> Option<NodeId> {
        let Gesture::KeyboardConnecting { from, to } = &mut self.gesture else {
            return None;
        };
        let next = connect::step(&self.design, from, to, how)?;
        *to = next.clone();
        Some(next)
    }

    /// Enter: connects the keyboard connection's source to its candidate
    /// through [`Editor::connect`]. Made, the connection ends and the
    /// source stays selected (it keeps the keyboard focus, so the arrows
    /// still move it); refused, it stays under way so another target can
    /// be chosen.
    pub fn finish_keyboard_connection(&mut self) -> Result<EdgeKind, EditError> {
        let Gesture::KeyboardConnecting { from, to } = self.gesture.clone() else {
            return Err(EditError::NotConnecting);
        };
        let kind = self.connect(&from, &to)?;
        self.gesture = Gesture::Idle;
        self.selection.select_only(from);
        Ok(kind)
    }

    /// What to announce about the keyboard connection under way: the
    /// question its candidate asks ([`connect::prompt`]).
    pub fn keyboard_connection_prompt(&self) -> Option<String> {
        self.keyboard_connection()
            .map(|(from, to)| connect::prompt(&self.design, from, to))
    }

    /// A pointer pressed on the canvas ends a keyboard connection.
    fn end_keyboard_connection(&mut self) {
        if let Gesture::KeyboardConnecting { .. } = self.gesture {
            self.gesture = Gesture::Idle;
        }
    }

    // ---- pointer gestures -------------------------------------------------

    /// The pointer went down on a node: select it (toggle with `additive`)
    /// and start moving the selection.
    pub fn press_node(&mut self, id: &NodeId, at_in_canvas: Point, additive: bool) {
        self.end_keyboard_connection();
        if !self.design.contains(id) {
            return;
        }
        if additive {
            self.selection.toggle(id.clone());
            if !self.selection.contains(id) {
                return;
            }
        } else if !self.selection.contains(id) {
            self.selection.select_only(id.clone());
        }
        if self.readonly {
            return; // selecting is fine; moving is an edit
        }
        let ids = self.selection.nodes();
        let originals = self
            .design
            .nodes
            .iter()
            .filter(|n| ids.contains(&n.id))
            .map(|n| (n.id.clone(), n.position))
            .collect();
        self.gesture = Gesture::MovingNodes {
            grab_in_canvas: at_in_canvas,
            originals,
            before: Box::new(self.design.clone()),
        };
    }

    /// The pointer went down on a node's output port: start a connection.
    pub fn press_port(&mut self, from: &NodeId, at_in_canvas: Point) {
        self.end_keyboard_connection();
        if self.design.contains(from) && !self.readonly {
            self.gesture = Gesture::Connecting {
                from: from.clone(),
                pointer_in_canvas: at_in_canvas,
            };
        }
    }

    /// The pointer went down on empty canvas: start a selection box.
    pub fn press_background(&mut self, at_in_canvas: Point, additive: bool) {
        self.end_keyboard_connection();
        let base = if additive {
            self.selection.nodes().clone()
        } else {
            IdSet::new()
        };
        self.selection.set_nodes(base.clone());
        self.gesture = Gesture::BoxSelecting {
            anchor_in_canvas: at_in_canvas,
            current_in_canvas: at_in_canvas,
            base,
        };
    }

    /// Start panning the view (drag on empty canvas, or with the middle
    /// button anywhere).
    pub fn press_pan(&mut self, at_in_screen: Point) {
        self.gesture = Gesture::Panning {
            last_in_screen: at_in_screen,
            moved: false,
        };
    }

    /// The pointer moved. Returns the nodes whose position changed (only
    /// those need redrawing).
    pub fn pointer_moved(&mut self, at_in_canvas: Point, at_in_screen: Point) -> Vec<NodeId> {
        match &mut self.gesture {
            Gesture::Idle | Gesture::KeyboardConnecting { .. } => Vec::new(),
            Gesture::MovingNodes {
                grab_in_canvas,
                originals,
                ..
            } => {
                let (dx, dy) = (
                    at_in_canvas.x - grab_in_canvas.x,
                    at_in_canvas.y - grab_in_canvas.y,
                );
                let mut moved = Vec::new();
                for (id, original) in originals.iter() {
                    let target = clamp_to_canvas(geometry::snap_to_grid(Point {
                        x: original.x + dx,
                        y: original.y + dy,
                    }));
                    if let Some(node) = self.design.node_mut(id) {
                        if node.position != target {
                            node.position = target;
                            moved.push(id.clone());
                        }
                    }
                }
                if !moved.is_empty() {
                    self.revision += 1;
                }
                moved
            }
            Gesture::Connecting {
                pointer_in_canvas, ..
            } => {
                *pointer_in_canvas = at_in_canvas;
                Vec::new()
            }
            Gesture::BoxSelecting {
                anchor_in_canvas,
                current_in_canvas,
                base,
            } => {
                *current_in_canvas = at_in_canvas;
                let area = Rect::from_corners(*anchor_in_canvas, at_in_canvas);
                let mut chosen = base.clone();
                chosen.extend(
                    self.design
                        .nodes
                        .iter()
                        .filter(|n| area.intersects(geometry::node_rect(n.position)))
                        .map(|n| n.id.clone()),
                );
                self.selection.set_nodes(chosen);
                Vec::new()
            }
            Gesture::Panning {
                last_in_screen,
                moved,
            } => {
                let delta = Point {
                    x: at_in_screen.x - last_in_screen.x,
                    y: at_in_screen.y - last_in_screen.y,
                };
                if delta.x != 0.0 || delta.y != 0.0 {
                    *moved = true;
                    *last_in_screen = at_in_screen;
                    self.viewport = self.viewport.pan_by(delta);
                }
                Vec::new()
            }
        }
    }

    /// A drag that ends with a node exactly on another (hidden under it)
    /// goes on down and to the right, a grid step at a time, until none
    /// is, as a nudge does; the group keeps its shape.
    fn unstack_dropped(&mut self, originals: &[(NodeId, Point)]) {
        let ids: IdSet = originals.iter().map(|(id, _)| id.clone()).collect();
        let dropped: Vec<Point> = originals
            .iter()
            .filter_map(|(id, _)| self.design.node(id).map(|n| n.position))
            .collect();
        let place = |p: Point| clamp_to_canvas(geometry::snap_to_grid(p));
        let step = grid_steps(1, 1);
        let Some(extra) = unstacked_shift(&self.design, &dropped, &ids, step, place) else {
            return;
        };
        if extra == (Point { x: 0.0, y: 0.0 }) {
            return;
        }
        for (id, _) in originals {
            if let Some(node) = self.design.node_mut(id) {
                node.position = place(shifted(node.position, extra));
            }
        }
        self.revision += 1;
    }

    /// The pointer was released, over `over` (a node) or over nothing.
    /// Finishes the gesture: a move becomes one undo step, a connection is
    /// made or refused with its reason.
    pub fn release(&mut self, over: Option<&NodeId>) -> Result<Option<EdgeKind>, EditError> {
        match std::mem::replace(&mut self.gesture, Gesture::Idle) {
            Gesture::MovingNodes {
                before, originals, ..
            } => {
                self.unstack_dropped(&originals);
                if *before != self.design {
                    self.history.record(*before);
                }
                Ok(None)
            }
            Gesture::Connecting { from, .. } => match over {
                Some(to) if *to != from => self.connect(&from, to).map(Some),
                _ => Ok(None),
            },
            Gesture::Panning { moved: false, .. } => {
                self.selection.clear();
                Ok(None)
            }
            Gesture::BoxSelecting { .. }
            | Gesture::Panning { .. }
            | Gesture::KeyboardConnecting { .. }
            | Gesture::Idle => Ok(None),
        }
    }

    /// Escape: cancels a drag (nodes go back where they were), a
    /// connection (dragged or by keyboard) or a selection box; with no
    /// gesture, clears the selection.
    pub fn cancel(&mut self) {
        if self.gesture == Gesture::Idle {
            self.selection.clear();
        } else {
            self.cancel_gesture();
        }
    }

    fn cancel_gesture(&mut self) {
        match std::mem::replace(&mut self.gesture, Gesture::Idle) {
            Gesture::MovingNodes { before, .. } => {
                if *before != self.design {
                    self.design = *before;
                    self.revision += 1;
                }
            }
            Gesture::BoxSelecting { base, .. } => self.selection.set_nodes(base),
            Gesture::Connecting { .. }
            | Gesture::KeyboardConnecting { .. }
            | Gesture::Panning { .. }
            | Gesture::Idle => {}
        }
    }

    // ---- viewport ---------------------------------------------------------

    /// Zooms by `factor` around a screen point (wheel, pinch, buttons).
    pub fn zoom_around(&mut self, anchor_in_screen: Point, factor: f64) {
        self.viewport = self.viewport.zoom_around(anchor_in_screen, factor);
    }

    /// Pans the view by a screen-space delta (two-finger pan).
    pub fn pan_by(&mut self, delta_in_screen: Point) {
        self.viewport = self.viewport.pan_by(delta_in_screen);
    }

    /// Fits the whole design into a screen of this size.
    pub fn fit_to_view(&mut self, screen_width: f64, screen_height: f64) {
        if let Some(content) = geometry::bounds(&self.design) {
            self.viewport = Viewport::fit(content, screen_width, screen_height, 32.0);
        } else {
            self.viewport = Viewport::default();
        }
    }

    /// Sets the viewport outright (restoring a saved view).
    pub fn set_viewport(&mut self, viewport: Viewport) {
        self.viewport = viewport;
    }
}

/// Keeps positions inside the canvas the format accepts.
fn clamp_to_canvas(p: Point) -> Point {
    let limit = design::limits::MAX_COORD - geometry::NODE_WIDTH;
    Point {
        x: p.x.clamp(-limit, limit),
        y: p.y.clamp(-limit, limit),
    }
}

/// `p` moved by `by`.
fn shifted(p: Point, by: Point) -> Point {
    Point {
        x: p.x + by.x,
        y: p.y + by.y,
    }
}

/// `dx`, `dy` grid steps as a canvas-space offset.
fn grid_steps(dx: i32, dy: i32) -> Point {
    Point {
        x: f64::from(dx) * geometry::GRID,
        y: f64::from(dy) * geometry::GRID,
    }
}

/// How much further than `positions` (nodes about to be placed; `place`
/// turns a spot into where a node would really go: snapped, kept on the
/// canvas) a group must go, in whole `step`s, so that none of them lands
/// exactly on a node outside `moving`, nor two of them on each other.
/// `Some` of no shift when they are fine where they are; `None` when
/// every try up to [`UNSTACK_TRIES`] steps lands on a node.
fn unstacked_shift(
    design: &Design,
    positions: &[Point],
    moving: &IdSet,
    step: Point,
    place: impl Fn(Point) -> Point,
) -> Option<Point> {
    let taken: Vec<Point> = design
        .nodes
        .iter()
        .filter(|n| !moving.contains(&n.id))
        .map(|n| n.position)
        .collect();
    (0..=UNSTACK_TRIES)
        .map(|i| Point {
            x: step.x * f64::from(i),
            y: step.y * f64::from(i),
        })
        .find(|shift| {
            let placed: Vec<Point> = positions
                .iter()
                .map(|p| place(shifted(*p, *shift)))
                .collect();
            placed.iter().enumerate().all(|(i, p)| {
                // Nodes that were stacked already may stay so; a group is
                // not split apart by this.
                !taken.contains(p)
                    && !(0..i).any(|j| placed[j] == *p && positions[j] != positions[i])
            })
        })
}

/// Inserts copies of the clipboard's nodes (fresh ids, moved by `offset`)
/// and of the edges among them; returns (old id, new id) pairs.
fn insert_copies(design: &mut Design, clip: &Clipboard, offset: Point) -> Vec<(NodeId, NodeId)> {
    let mut mapping = Vec::with_capacity(clip.nodes.len());
    for node in &clip.nodes {
        let id = design.fresh_id(node.kind);
        let mut copy = node.clone();
        copy.id = id.clone();
        copy.position = clamp_to_canvas(shifted(node.position, offset));
        design.nodes.push(copy);
        mapping.push((node.id.clone(), id));
    }
    let new_id = |old: &NodeId| {
        mapping
            .iter()
            .find(|(o, _)| o == old)
            .map(|(_, n)| n.clone())
    };
    for edge in &clip.edges {
        if let (Some(from), Some(to)) = (new_id(&edge.from), new_id(&edge.to)) {
            // Copies of a valid edge between copies of its nodes are valid.
            let _ = design.connect(&from, &to);
        }
    }
    mapping
}

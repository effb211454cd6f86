//! The editor as the components see it: the plain [`Editor`] behind a
//! `StoredValue`, projected into fine-grained signals.
//!
//! Reactivity decisions:
//! - The [`Editor`] is the only source of truth. It lives in a
//!   `StoredValue` (not a signal) so that reading it in a handler never
//!   subscribes anything.
//! - Each node gets its own pair of signals (its data and its position).
//!   A drag step sets only the position signals of the nodes that moved, so
//!   only those nodes and the edges touching them re-render.
//! - Everything else (the node and edge lists, selection, lints, undo
//!   state) is re-derived by [`EditorState::sync`] after each command, and a
//!   signal is set only when its value changed.

use std::collections::HashMap;

use design::geometry::{self, Rect, Viewport};
use design::{Design, EdgeKind, Lint, Node, NodeId, NodeKind, Point};
use editor::lints::GradedLints;
use editor::notices::Notices;
use editor::{EditError, Editor, Gesture, Selection};
use leptos::prelude::*;

/// The reactive handles of one node.
#[derive(Clone)]
pub struct NodeSignals {
    /// Kind, label and parameters.
    pub data: ArcRwSignal<Node>,
    /// Top-left corner in canvas space.
    pub position: ArcRwSignal<Point>,
}

/// One edge as the canvas draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeView {
    /// Source node.
    pub from: NodeId,
    /// Target node.
    pub to: NodeId,
    /// What it carries.
    pub kind: EdgeKind,
}

impl EdgeView {
    /// A key that stays the same while the edge exists.
    pub fn key(&self) -> String {
        format!("{}→{}:{}", self.from, self.to, self.kind.key())
    }
}

/// What the canvas draws on top while a gesture is under way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Preview {
    /// Nothing.
    None,
    /// A connection being dragged from an output port, in canvas space.
    Connection {
        /// The output port.
        from: Point,
        /// The loose end.
        to: Point,
    },
    /// The selection box, in canvas space.
    Box(Rect),
}

/// One node's state at the playback cursor.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NodeLive {
    /// Utilisation, 0–1.
    pub utilisation: f32,
    /// Errors per second.
    pub errors_rps: f32,
    /// Instances running.
    pub instances: f32,
    /// Requests waiting.
    pub backlog: f32,
    /// Requests per second arriving.
    pub offered_rps: f32,
    /// A CDN's share of reads answered at the edge, 0–1.
    pub edge_share: Option<f32>,
    /// A replica's replication lag, seconds.
    pub lag_s: Option<f32>,
}

/// Every node's state at the playback cursor, by node id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveFrame {
    /// Per node.
    pub nodes: HashMap<String, NodeLive>,
    /// Whether playback is running (edges animate only then).
    pub playing: bool,
    /// The busiest node's arrivals, requests per second (edge flow speeds
    /// are relative to it).
    pub max_offered_rps: f32,
}

/// The editor and its reactive projection. `Copy`: every handle is an
/// arena id, so components pass it around freely.
#[derive(Clone, Copy)]
pub struct EditorState {
    editor: StoredValue<Editor>,
    node_signals: StoredValue<HashMap<NodeId, NodeSignals>>,
    graded_lints: StoredValue<GradedLints>,
    /// The design revision the node, connection and lint signals show.
    synced_revision: StoredValue<Option<u64>>,
    /// Node ids in document order (the canvas's and Tab's order).
    pub node_ids: RwSignal<Vec<NodeId>>,
    /// Edges to draw.
    pub edges: RwSignal<Vec<EdgeView>>,
    /// The selection.
    pub selection: RwSignal<Selection>,
    /// Pan and zoom.
    pub viewport: RwSignal<Viewport>,
    /// Lints of the current design: the grade's (which say whether the
    /// run bore each out, [`Lint::observed`]) while the grade describes
    /// the design on screen, else the diagram's own.
    pub lints: RwSignal<Vec<Lint>>,
    /// Whether undo is possible.
    pub can_undo: RwSignal<bool>,
    /// Whether redo is possible.
    pub can_redo: RwSignal<bool>,
    /// Whether paste is possible.
    pub can_paste: RwSignal<bool>,
    /// Gesture overlay.
    pub preview: RwSignal<Preview>,
    /// The candidate target of a keyboard connection under way (the
    /// canvas highlights it).
    pub connect_target: RwSignal<Option<NodeId>>,
    /// What a keyboard connection under way asks, for the canvas's live
    /// region ("Connect Status API to Database? Enter to connect…").
    pub connect_prompt: RwSignal<Option<String>>,
    /// The messages for the learner on screen: what was repaired or
    /// refused stays until dismissed, the latest passing one fades.
    pub notices: RwSignal<Notices>,
    /// Bumped whenever the design changed and settled (not on every drag
    /// step): autosave and the inspector follow it.
    pub saved_revision: RwSignal<u64>,
    /// The canvas element's size in CSS pixels, for fit-to-view.
    pub screen_size: RwSignal<(f64, f64)>,
    /// The run's state at the playback cursor, when a run is shown.
    pub live: RwSignal<Option<std::sync::Arc<LiveFrame>>>,
}

impl EditorState {
    /// Wraps an editor on `design` and builds the signals.
    pub fn new(design: Design) -> Self {
        let state = EditorState {
            editor: StoredValue::new(Editor::new(design)),
            node_signals: StoredValue::new(HashMap::new()),
            graded_lints: StoredValue::new(GradedLints::new()),
            synced_revision: StoredValue::new(None),
            node_ids: RwSignal::new(Vec::new()),
            edges: RwSignal::new(Vec::new()),
            selection: RwSignal::new(Selection::default()),
            viewport: RwSignal::new(Viewport::default()),
            lints: RwSignal::new(Vec::new()),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            can_paste: RwSignal::new(false),
            preview: RwSignal::new(Preview::None),
            connect_target: RwSignal::new(None),
            connect_prompt: RwSignal::new(None),
            notices: RwSignal::new(Notices::new()),
            saved_revision: RwSignal::new(0),
            screen_size: RwSignal::new((960.0, 600.0)),
            live: RwSignal::new(None),
        };
        state.sync();
        state
    }

    /// Reads the editor without subscribing to anything.
    pub fn with_editor<R>(&self, read: impl FnOnce(&Editor) -> R) -> R {
        self.editor.with_value(read)
    }

    /// Runs a command on the editor, then brings every signal up to date.
    pub fn apply<R>(&self, command: impl FnOnce(&mut Editor) -> R) -> R {
        let mut slot = None;
        self.editor.update_value(|e| slot = Some(command(e)));
        self.sync();
        // `update_value` always runs the closure on a live StoredValue.
        slot.expect("the command ran")
    }

    /// Like [`EditorState::apply`] for commands that may be refused: the
    /// refusal's reason is shown as a notice.
    pub fn try_apply<R>(
        &self,
        command: impl FnOnce(&mut Editor) -> Result<R, EditError>,
    ) -> Option<R> {
        match self.apply(command) {
            Ok(value) => Some(value),
            Err(error) => {
                self.notify(error.to_string());
                None
            }
        }
    }

    /// Shows a message to the learner.
    pub fn notify(&self, text: impl Into<String>) {
        self.show_notice(text.into(), false);
    }

    /// Shows a notice that stays until the learner dismisses it: what was
    /// repaired or refused in a link, file, autosave or course message.
    pub fn notify_lasting(&self, text: impl Into<String>) {
        self.show_notice(text.into(), true);
    }

    /// Shows a notice that stays until dismissed or until the page's
    /// state `about` is over ([`EditorState::withdraw_notices`]): what a
    /// missing part of the page stops.
    pub fn notify_lasting_about(&self, about: &'static str, text: impl Into<String>) {
        self.notices.update(|n| {
            n.show_about(about, text.into());
        });
    }

    /// Takes away the notices about `about`, a state of the page that is
    /// over (nothing is notified when none was shown).
    pub fn withdraw_notices(&self, about: &'static str) {
        self.notices.maybe_update(|n| n.withdraw(about));
    }

    /// Whether the page that made this state is gone (unmounted): what
    /// waited for the page's later part may come after that.
    pub fn is_gone(&self) -> bool {
        self.notices.is_disposed()
    }

    fn show_notice(&self, text: String, lasting: bool) {
        self.notices.update(|n| {
            n.show(text, lasting);
        });
    }

    /// The signals of a node, if it exists.
    pub fn node(&self, id: &NodeId) -> Option<NodeSignals> {
        self.node_signals.with_value(|m| m.get(id).cloned())
    }

    /// Shows the lints of a grade of revision `revision` (they say whether
    /// the run bore each out), if that is still the design on screen; a
    /// later grade replaces them, an edit that changes more than where
    /// nodes sit sets them aside.
    pub fn show_graded_lints(&self, revision: u64, lints: Vec<Lint>) {
        let Some(design) =
            self.with_editor(|e| (e.revision() == revision).then(|| e.design().clone()))
        else {
            return;
        };
        self.graded_lints.update_value(|g| g.record(&design, lints));
        self.show_lints(design);
    }

    /// Shows the lints of `design`, the design on screen: its grade's while
    /// it differs from the graded design at most in where nodes sit, else
    /// those no run has checked (`GradedLints::for_design`). The page's
    /// later part finds them (so `design::lint` is in its wasm, not the
    /// page's), at once once it is there. Before that nothing is found (or
    /// queued: the edits made meanwhile would each be linted when it
    /// comes): the app shows the lints of the design on screen when the
    /// part comes ([`EditorState::refresh_lints`]). So a design opens with
    /// its badges a moment after it is drawn.
    fn show_lints(&self, design: Design) {
        if let Some(part) = crate::later::now() {
            (part.show_lints)(*self, design);
        }
    }

    /// [`EditorState::show_lints`] once the page's later part is there:
    /// in the part (`later::Later::show_lints`), with the lints' code.
    pub fn find_lints(self, design: Design) {
        // (A browser test's mount may be gone.)
        if let Some(lints) = self.graded_lints.try_with_value(|g| g.for_design(&design)) {
            if self.lints.try_get_untracked().is_some() {
                set_if_changed(self.lints, lints);
            }
        }
    }

    /// Shows the lints of the design on screen (see
    /// [`EditorState::show_lints`]): the app calls it when the page's later
    /// part has come.
    pub fn refresh_lints(&self) {
        self.show_lints(self.with_editor(|e| e.design().clone()));
    }

    /// A pointer move during a gesture. Only the nodes that moved are
    /// touched; lists, lints and autosave wait for the release.
    pub fn pointer_moved(&self, at_in_canvas: Point, at_in_screen: Point) {
        let mut moved = Vec::new();
        self.editor
            .update_value(|e| moved = e.pointer_moved(at_in_canvas, at_in_screen));
        let (positions, gesture, viewport) = self.with_editor(|e| {
            let positions: Vec<(NodeId, Point)> = moved
                .iter()
                .filter_map(|id| e.design().node(id).map(|n| (id.clone(), n.position)))
                .collect();
            (positions, e.gesture().clone(), e.viewport())
        });
        self.node_signals.with_value(|signals| {
            for (id, position) in positions {
                if let Some(s) = signals.get(&id) {
                    s.position.set(position);
                }
            }
        });
        self.set_if_changed_preview(&gesture);
        if self.viewport.get_untracked() != viewport {
            self.viewport.set(viewport);
        }
        if let Gesture::BoxSelecting { .. } = gesture {
            let selection = self.with_editor(|e| e.selection().clone());
            set_if_changed(self.selection, selection);
        }
    }

    fn set_if_changed_preview(&self, gesture: &Gesture) {
        let preview = match gesture {
            Gesture::Connecting {
                from,
                pointer_in_canvas,
            } => self
                .with_editor(|e| {
                    e.design()
                        .node(from)
                        .map(|n| geometry::output_port(n.position))
                })
                .map_or(Preview::None, |port| Preview::Connection {
                    from: port,
                    to: *pointer_in_canvas,
                }),
            // The keyboard's candidate is drawn as the connection it
            // would make, port to port.
            Gesture::KeyboardConnecting { from, to } => self
                .with_editor(|e| {
                    let design = e.design();
                    Some(Preview::Connection {
                        from: geometry::output_port(design.node(from)?.position),
                        to: geometry::input_port(design.node(to)?.position),
                    })
                })
                .unwrap_or(Preview::None),
            Gesture::BoxSelecting {
                anchor_in_canvas,
                current_in_canvas,
                ..
            } => Preview::Box(Rect::from_corners(*anchor_in_canvas, *current_in_canvas)),
            _ => Preview::None,
        };
        set_if_changed(self.preview, preview);
    }

    /// Brings every signal in line with the editor; a signal is set only
    /// when its value changed. The nodes, connections and lints are
    /// compared only when the design's revision moved: a pan, a zoom or a
    /// selection then costs nothing per node (the editor bumps the
    /// revision on every change to the design).
    pub fn sync(&self) {
        let (selection, viewport, gesture, undo, redo, paste, revision) = self.with_editor(|e| {
            (
                e.selection().clone(),
                e.viewport(),
                e.gesture().clone(),
                e.can_undo(),
                e.can_redo(),
                e.can_paste(),
                e.revision(),
            )
        });
        if self.synced_revision.get_value() != Some(revision) {
            self.sync_design();
            self.synced_revision.set_value(Some(revision));
        } else {
            debug_assert!(
                self.with_editor(
                    |e| self.node_ids.with_untracked(|ids| ids.len()) == e.design().nodes.len()
                ),
                "the design changed without a new revision"
            );
        }
        let (connect_target, connect_prompt) = self.with_editor(|e| {
            (
                e.keyboard_connection().map(|(_, to)| to.clone()),
                e.keyboard_connection_prompt(),
            )
        });
        set_if_changed(self.selection, selection);
        set_if_changed(self.viewport, viewport);
        set_if_changed(self.can_undo, undo);
        set_if_changed(self.can_redo, redo);
        set_if_changed(self.can_paste, paste);
        set_if_changed(self.saved_revision, revision);
        set_if_changed(self.connect_target, connect_target);
        set_if_changed(self.connect_prompt, connect_prompt);
        self.set_if_changed_preview(&gesture);
    }

    /// The part of [`EditorState::sync`] that reads the design: each
    /// node's signals, the node ids, the connections and the lints.
    fn sync_design(&self) {
        let design = self.with_editor(|e| e.design().clone());
        self.node_signals.update_value(|signals| {
            signals.retain(|id, _| design.contains(id));
            for node in &design.nodes {
                match signals.get(&node.id) {
                    Some(s) => {
                        if s.data.with_untracked(|d| d != node) {
                            s.data.set(node.clone());
                        }
                        if s.position.get_untracked() != node.position {
                            s.position.set(node.position);
                        }
                    }
                    None => {
                        signals.insert(
                            node.id.clone(),
                            NodeSignals {
                                data: ArcRwSignal::new(node.clone()),
                                position: ArcRwSignal::new(node.position),
                            },
                        );
                    }
                }
            }
        });
        set_if_changed(
            self.node_ids,
            design.nodes.iter().map(|n| n.id.clone()).collect(),
        );
        set_if_changed(
            self.edges,
            design
                .edges
                .iter()
                .map(|e| EdgeView {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    kind: e.kind,
                })
                .collect(),
        );
        self.show_lints(design);
    }

    /// Adds a node of `kind` near the middle of the view (keyboard and
    /// click on the palette); `None` when the design is read-only.
    pub fn add_in_view(&self, kind: NodeKind) -> Option<NodeId> {
        let (w, h) = self.screen_size.get_untracked();
        self.apply(|e| e.add_node_in_view(kind, w, h))
    }

    /// Fits the design into the canvas element.
    pub fn fit_to_view(&self) {
        let (w, h) = self.screen_size.get_untracked();
        self.apply(|e| e.fit_to_view(w, h));
    }

    /// Zooms around the middle of the canvas element (the zoom buttons).
    pub fn zoom_centre(&self, factor: f64) {
        let (w, h) = self.screen_size.get_untracked();
        self.apply(|e| {
            e.zoom_around(
                Point {
                    x: w / 2.0,
                    y: h / 2.0,
                },
                factor,
            )
        });
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|current| *current != value) {
        signal.set(value);
    }
}

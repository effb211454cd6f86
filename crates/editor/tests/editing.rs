//! The editor's interactions, driven the way the app drives them.

use design::geometry::{self, GRID};
use design::{Design, EdgeKind, NodeId, NodeKind, Point};
use editor::{EditError, Editor, Gesture};
use proptest::prelude::*;

fn p(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// Users → API → primary, laid out left to right on the grid.
fn three_tier() -> (Editor, NodeId, NodeId, NodeId) {
    let mut e = Editor::new(Design::default());
    let users = e.add_node(NodeKind::Users, p(0.0, 0.0)).unwrap();
    let api = e.add_node(NodeKind::Api, p(256.0, 0.0)).unwrap();
    let db = e.add_node(NodeKind::DbPrimary, p(512.0, 0.0)).unwrap();
    e.connect(&users, &api).unwrap();
    e.connect(&api, &db).unwrap();
    (e, users, api, db)
}

fn position(e: &Editor, id: &NodeId) -> Point {
    e.design().node(id).unwrap().position
}

#[test]
fn adding_snaps_to_the_grid_and_selects() {
    let mut e = Editor::new(Design::default());
    let id = e.add_node(NodeKind::Cdn, p(37.0, 90.0)).unwrap();
    assert_eq!(position(&e, &id), p(32.0, 96.0));
    assert_eq!(e.selection().single_node(), Some(&id));
}

#[test]
fn dragging_moves_snaps_and_is_one_undo_step() {
    let (mut e, _, api, _) = three_tier();
    e.press_node(&api, p(260.0, 10.0), false);
    for step in 1..=10 {
        let x = 260.0 + 7.0 * f64::from(step);
        e.pointer_moved(p(x, 10.0 + f64::from(step)), p(0.0, 0.0));
    }
    e.release(None).unwrap();
    assert_eq!(position(&e, &api), p(256.0 + 64.0, 16.0));
    assert!(e.undo());
    assert_eq!(
        position(&e, &api),
        p(256.0, 0.0),
        "the whole drag undoes at once"
    );
}

/// A node dropped exactly on another would hide it: it goes on a grid
/// step down and to the right, in the same undo step.
#[test]
fn a_node_dropped_on_another_does_not_hide_it() {
    let (mut e, _, api, db) = three_tier();
    e.press_node(&api, p(260.0, 10.0), false);
    e.pointer_moved(p(260.0 + 256.0, 10.0), p(0.0, 0.0));
    e.release(None).unwrap();
    let step = geometry::snap_to_grid(p(GRID, GRID));
    assert_eq!(position(&e, &db), p(512.0, 0.0), "the other node stays");
    assert_eq!(position(&e, &api), p(512.0 + step.x, step.y));
    assert!(e.undo());
    assert_eq!(position(&e, &api), p(256.0, 0.0), "one undo step");
}

#[test]
fn a_drag_reports_only_the_nodes_it_moved() {
    let (mut e, users, api, _) = three_tier();
    e.press_node(&api, p(260.0, 10.0), false);
    let moved = e.pointer_moved(p(300.0, 10.0), p(0.0, 0.0));
    assert_eq!(moved, vec![api.clone()]);
    assert!(!moved.contains(&users));
    assert!(
        e.pointer_moved(p(301.0, 10.0), p(0.0, 0.0)).is_empty(),
        "same grid cell"
    );
}

#[test]
fn escape_cancels_a_drag_and_puts_nodes_back() {
    let (mut e, _, api, _) = three_tier();
    let revision = e.revision();
    e.press_node(&api, p(260.0, 10.0), false);
    e.pointer_moved(p(400.0, 200.0), p(0.0, 0.0));
    e.cancel();
    assert_eq!(position(&e, &api), p(256.0, 0.0));
    assert_eq!(*e.gesture(), Gesture::Idle);
    assert!(
        e.revision() > revision,
        "the app must redraw the restored node"
    );
    assert!(e.undo(), "the connect before it is still undoable");
    assert_eq!(e.design().edges.len(), 1);
}

#[test]
fn multi_select_moves_together() {
    let (mut e, users, api, db) = three_tier();
    e.select_node(&users, false);
    e.select_node(&db, true);
    e.press_node(&db, p(520.0, 8.0), false);
    e.pointer_moved(p(520.0, 8.0 + 3.0 * GRID), p(0.0, 0.0));
    e.release(None).unwrap();
    assert_eq!(position(&e, &users), p(0.0, 48.0));
    assert_eq!(position(&e, &db), p(512.0, 48.0));
    assert_eq!(position(&e, &api), p(256.0, 0.0));
}

#[test]
fn box_select_picks_touched_nodes_and_shift_adds() {
    let (mut e, users, api, db) = three_tier();
    e.press_background(p(-20.0, -20.0), false);
    e.pointer_moved(p(300.0, 100.0), p(0.0, 0.0));
    e.release(None).unwrap();
    let chosen: Vec<_> = e.selection().nodes().iter().cloned().collect();
    assert_eq!(chosen.len(), 2);
    assert!(e.selection().contains(&users) && e.selection().contains(&api));

    e.press_background(p(500.0, -10.0), true);
    e.pointer_moved(p(700.0, 10.0), p(0.0, 0.0));
    e.release(None).unwrap();
    assert_eq!(e.selection().nodes().len(), 3);
    assert!(e.selection().contains(&db));
}

#[test]
fn connecting_by_drag_makes_typed_edges_and_refuses_nonsense_with_a_reason() {
    let mut e = Editor::new(Design::default());
    let users = e.add_node(NodeKind::Users, p(0.0, 0.0)).unwrap();
    let cdn = e.add_node(NodeKind::Cdn, p(256.0, 0.0)).unwrap();
    let replica = e.add_node(NodeKind::ReadReplica, p(512.0, 0.0)).unwrap();

    e.press_port(&users, p(160.0, 28.0));
    e.pointer_moved(p(250.0, 30.0), p(0.0, 0.0));
    assert_eq!(e.release(Some(&cdn)), Ok(Some(EdgeKind::Read)));

    let edges_before = e.design().edges.len();
    e.press_port(&replica, p(672.0, 28.0));
    let refused = e.release(Some(&users));
    let Err(EditError::Refused(reason)) = refused else {
        panic!("expected a refusal, got {refused:?}")
    };
    assert!(!reason.to_string().is_empty());
    assert_eq!(
        e.design().edges.len(),
        edges_before,
        "a refusal changes nothing"
    );

    e.press_port(&users, p(160.0, 28.0));
    assert_eq!(e.release(None), Ok(None), "released over nothing: no edge");
}

#[test]
fn deleting_a_node_removes_its_edges_and_undo_brings_both_back() {
    let (mut e, _, api, _) = three_tier();
    e.select_node(&api, false);
    assert!(e.delete_selection());
    assert!(e.design().node(&api).is_none());
    assert!(e.design().edges.is_empty());
    assert!(e.undo());
    assert!(e.design().node(&api).is_some());
    assert_eq!(e.design().edges.len(), 2);
}

#[test]
fn selecting_and_deleting_an_edge() {
    let (mut e, users, api, _) = three_tier();
    e.select_edge(&users, &api);
    assert!(e.selection().edge().is_some());
    assert!(e.delete_selection());
    assert!(e.design().edge(&users, &api).is_none());
    assert_eq!(e.design().nodes.len(), 3);
}

#[test]
fn copy_paste_and_duplicate_give_fresh_ids_and_keep_inner_edges() {
    let (mut e, _, api, db) = three_tier();
    e.select_node(&api, false);
    e.select_node(&db, true);
    assert!(e.copy());
    assert!(e.paste());
    assert_eq!(e.design().nodes.len(), 5);
    assert_eq!(e.design().edges.len(), 3, "the api → db edge is copied too");
    let pasted: Vec<_> = e.selection().nodes().iter().cloned().collect();
    assert_eq!(pasted.len(), 2);
    assert!(!pasted.contains(&api) && !pasted.contains(&db));
    assert!(e.paste(), "a second paste lands further on");
    let positions: Vec<Point> = e.design().nodes.iter().map(|n| n.position).collect();
    let distinct: std::collections::BTreeSet<(i64, i64)> =
        positions.iter().map(|q| (q.x as i64, q.y as i64)).collect();
    assert_eq!(distinct.len(), positions.len(), "no two nodes stacked");

    e.select_node(&api, false);
    assert!(e.duplicate_selection());
    assert_eq!(e.design().nodes.len(), 8);
}

#[test]
fn nudging_moves_by_grid_steps() {
    let (mut e, users, _, _) = three_tier();
    e.select_node(&users, false);
    assert!(e.nudge(1, 0));
    assert!(e.nudge(0, -4));
    assert_eq!(position(&e, &users), p(GRID, -4.0 * GRID));
}

#[test]
fn invalid_parameter_values_never_reach_the_design() {
    let (mut e, _, api, _) = three_tier();
    let before = e.design().clone();
    assert!(matches!(
        e.set_param(&api, "min_instances", "-3"),
        Err(EditError::Param(_))
    ));
    assert!(matches!(
        e.set_param(&api, "min_instances", "lots"),
        Err(EditError::Param(_))
    ));
    assert!(matches!(
        e.set_param(&api, "no_such_key", "1"),
        Err(EditError::Param(_))
    ));
    assert_eq!(*e.design(), before);
    let message = e
        .set_param(&api, "min_instances", "-3")
        .unwrap_err()
        .to_string();
    assert!(
        message.to_lowercase().contains("between") || message.contains("min"),
        "{message}"
    );

    e.set_param(&api, "min_instances", "3").unwrap();
    assert_eq!(e.design().node(&api).unwrap().num("min_instances"), 3.0);
    assert!(e.undo());
    assert_eq!(*e.design(), before);
}

#[test]
fn labels_are_trimmed_and_checked() {
    let (mut e, users, _, _) = three_tier();
    assert_eq!(e.rename(&users, "   "), Err(EditError::EmptyLabel));
    assert_eq!(
        e.rename(&users, &"x".repeat(200)),
        Err(EditError::LabelTooLong)
    );
    e.rename(&users, "  Readers ").unwrap();
    assert_eq!(e.design().node(&users).unwrap().label, "Readers");
}

#[test]
fn panning_and_zooming_keep_canvas_points_consistent() {
    let (mut e, ..) = three_tier();
    e.press_pan(p(100.0, 100.0));
    e.pointer_moved(p(0.0, 0.0), p(150.0, 80.0));
    e.release(None).unwrap();
    assert_eq!(e.viewport().origin, p(-50.0, 20.0));
    let anchor = p(200.0, 120.0);
    let under = e.viewport().canvas_from_screen(anchor);
    e.zoom_around(anchor, 2.0);
    let still = e.viewport().canvas_from_screen(anchor);
    assert!((under.x - still.x).abs() < 1e-9 && (under.y - still.y).abs() < 1e-9);
    e.fit_to_view(1000.0, 600.0);
    let content = geometry::bounds(e.design()).unwrap();
    let visible = e.viewport().visible_rect(1000.0, 600.0);
    assert!(visible.x <= content.x && visible.x + visible.width >= content.x + content.width);
}

#[test]
fn a_click_on_empty_canvas_clears_the_selection_but_a_pan_does_not() {
    let (mut e, users, ..) = three_tier();
    e.select_node(&users, false);
    e.press_pan(p(10.0, 10.0));
    e.pointer_moved(p(0.0, 0.0), p(30.0, 10.0));
    e.release(None).unwrap();
    assert!(e.selection().contains(&users));
    e.press_pan(p(10.0, 10.0));
    e.release(None).unwrap();
    assert!(e.selection().is_empty());
}

#[test]
fn keyboard_add_places_nodes_without_stacking() {
    let mut e = Editor::new(Design::default());
    let a = e.add_node_in_view(NodeKind::Api, 800.0, 600.0).unwrap();
    let b = e.add_node_in_view(NodeKind::Api, 800.0, 600.0).unwrap();
    assert_ne!(position(&e, &a), position(&e, &b));
}

/// An edit the property test can apply at random.
#[derive(Debug, Clone)]
enum Op {
    Add(usize, i16, i16),
    Connect(usize, usize),
    Drag(usize, i16, i16),
    Delete(usize),
    Param(usize, u16),
    Rename(usize),
    Nudge(usize, i8, i8),
    Paste(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..11usize, any::<i16>(), any::<i16>()).prop_map(|(k, x, y)| Op::Add(k, x, y)),
        (0..40usize, 0..40usize).prop_map(|(a, b)| Op::Connect(a, b)),
        (0..40usize, any::<i16>(), any::<i16>()).prop_map(|(n, x, y)| Op::Drag(n, x, y)),
        (0..40usize).prop_map(Op::Delete),
        (0..40usize, any::<u16>()).prop_map(|(n, v)| Op::Param(n, v)),
        (0..40usize).prop_map(Op::Rename),
        (0..40usize, -3i8..3, -3i8..3).prop_map(|(n, x, y)| Op::Nudge(n, x, y)),
        (0..40usize).prop_map(Op::Paste),
    ]
}

fn nth(e: &Editor, i: usize) -> Option<NodeId> {
    let n = e.design().nodes.len();
    (n > 0).then(|| e.design().nodes[i % n].id.clone())
}

fn apply(e: &mut Editor, op: &Op) {
    match *op {
        Op::Add(k, x, y) => {
            e.add_node(NodeKind::ALL[k], p(f64::from(x), f64::from(y)));
        }
        Op::Connect(a, b) => {
            if let (Some(a), Some(b)) = (nth(e, a), nth(e, b)) {
                let _ = e.connect(&a, &b);
            }
        }
        Op::Drag(n, x, y) => {
            if let Some(id) = nth(e, n) {
                e.press_node(&id, p(0.0, 0.0), false);
                e.pointer_moved(p(f64::from(x), f64::from(y)), p(0.0, 0.0));
                let _ = e.release(None);
            }
        }
        Op::Delete(n) => {
            if let Some(id) = nth(e, n) {
                e.select_node(&id, false);
                e.delete_selection();
            }
        }
        Op::Param(n, v) => {
            if let Some(id) = nth(e, n) {
                let kind = e.design().node(&id).unwrap().kind;
                if let Some(spec) = kind.params().first() {
                    let _ = e.set_param(&id, spec.key, &v.to_string());
                }
            }
        }
        Op::Rename(n) => {
            if let Some(id) = nth(e, n) {
                let _ = e.rename(&id, &format!("node {n}"));
            }
        }
        Op::Nudge(n, x, y) => {
            if let Some(id) = nth(e, n) {
                e.select_node(&id, false);
                e.nudge(i32::from(x), i32::from(y));
            }
        }
        Op::Paste(n) => {
            if let Some(id) = nth(e, n) {
                e.select_node(&id, false);
                e.copy();
                e.paste();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Undo walks back through every state of a mixed edit sequence, and
    /// redo walks forward again; every state stays valid.
    #[test]
    fn undo_and_redo_retrace_a_mixed_edit_sequence(ops in prop::collection::vec(op(), 1..40)) {
        let mut e = Editor::new(Design::default());
        let mut states = vec![e.design().clone()];
        for op in &ops {
            apply(&mut e, op);
            prop_assert!(design::validate(e.design()).is_empty(), "{:?}", design::validate(e.design()));
            if *e.design() != *states.last().unwrap() {
                states.push(e.design().clone());
            }
        }
        for expected in states.iter().rev().skip(1) {
            prop_assert!(e.undo());
            prop_assert_eq!(e.design(), expected);
        }
        prop_assert!(!e.undo());
        for expected in states.iter().skip(1) {
            prop_assert!(e.redo());
            prop_assert_eq!(e.design(), expected);
        }
        prop_assert!(!e.redo());
    }
}

#[test]
fn a_read_only_editor_refuses_every_edit_but_still_selects_and_pans() {
    let (mut e, users, api, db) = three_tier();
    e.set_readonly(true);
    let before = e.design().clone();
    assert_eq!(e.add_node(NodeKind::Cdn, p(0.0, 400.0)), None);
    assert_eq!(e.connect(&users, &db), Err(EditError::ReadOnly));
    assert_eq!(
        e.set_param(&api, "min_instances", "3"),
        Err(EditError::ReadOnly)
    );
    assert_eq!(e.rename(&api, "x"), Err(EditError::ReadOnly));
    e.select_node(&api, false);
    assert!(!e.nudge(1, 0));
    assert!(!e.delete_selection());
    assert!(e.copy() && !e.paste());
    e.press_node(&api, p(260.0, 10.0), false);
    e.pointer_moved(p(400.0, 10.0), p(0.0, 0.0));
    e.release(None).unwrap();
    e.press_port(&users, p(160.0, 28.0));
    assert_eq!(e.release(Some(&api)), Ok(None));
    assert_eq!(*e.design(), before, "nothing changed");
    assert!(e.selection().contains(&api), "selection still works");
    e.press_pan(p(0.0, 0.0));
    e.pointer_moved(p(0.0, 0.0), p(40.0, 0.0));
    e.release(None).unwrap();
    assert_ne!(e.viewport().origin, p(0.0, 0.0), "panning still works");
    // The embedding page may still load a design.
    e.replace_design(Design::default());
    assert!(e.design().nodes.is_empty());
}

#[test]
fn a_change_applies_as_one_undoable_step_and_selects_what_it_touched() {
    let (mut e, users, api, db) = three_tier();
    let before = e.design().clone();
    let mut changed = before.clone();
    let cdn = changed.add_node(NodeKind::Cdn, p(160.0, 0.0));
    changed.disconnect(&users, &api);
    changed.connect(&users, &cdn).unwrap();
    changed.connect(&cdn, &api).unwrap();
    let gone = NodeId::from("gone");
    e.apply_change(changed.clone(), &[cdn.clone(), users.clone(), gone])
        .unwrap();
    assert_eq!(e.design(), &changed);
    let selected: Vec<NodeId> = e.selection().nodes().iter().cloned().collect();
    assert_eq!(selected.len(), 2, "{selected:?}");
    assert!(selected.contains(&cdn) && selected.contains(&users));
    assert!(e.undo());
    assert_eq!(e.design(), &before);
    assert!(e.redo());
    assert_eq!(e.design(), &changed);
    // Read-only: refused, nothing changes.
    e.set_readonly(true);
    assert_eq!(
        e.apply_change(before.clone(), &[db]),
        Err(EditError::ReadOnly)
    );
    assert_eq!(e.design(), &changed);
}

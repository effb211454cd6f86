//! What the keyboard alone can do: connect two nodes (the `C` key, Tab or
//! arrows to choose, Enter, Escape), and nudge, add and paste without
//! ever hiding a node exactly under another.

use std::collections::BTreeSet;

use design::geometry::GRID;
use design::{Design, EdgeKind, NodeId, NodeKind, Point};
use editor::connect::{self, Direction, Step};
use editor::{EditError, Editor, Gesture};
use proptest::prelude::*;

fn p(x: f64, y: f64) -> Point {
    Point { x, y }
}

fn id(s: &str) -> NodeId {
    NodeId::from(s)
}

/// The kata's starter: Readers and Operator on the left, Status API in the
/// middle, Database on the right.
fn starter() -> Editor {
    let text = include_str!("../../../katas/status-dashboard/designs/starter.json");
    Editor::new(
        design::format::parse(text)
            .expect("the starter parses")
            .design,
    )
}

// ---- connecting by keyboard ---------------------------------------------

#[test]
fn starting_needs_one_selected_node_another_node_and_a_writable_design() {
    let mut e = starter();
    assert_eq!(
        e.start_keyboard_connection(),
        Err(EditError::SelectOneNode),
        "nothing selected"
    );
    e.select_all();
    assert_eq!(e.start_keyboard_connection(), Err(EditError::SelectOneNode));

    let mut alone = Editor::new(Design::default());
    alone.add_node(NodeKind::Api, p(0.0, 0.0)).unwrap();
    assert_eq!(
        alone.start_keyboard_connection(),
        Err(EditError::NoOtherNode)
    );

    e.select_node(&id("api"), false);
    e.set_readonly(true);
    assert_eq!(e.start_keyboard_connection(), Err(EditError::ReadOnly));
    assert_eq!(*e.gesture(), Gesture::Idle);
    assert_eq!(e.keyboard_connection(), None);
}

#[test]
fn the_first_candidate_is_the_nearest_node_the_rules_accept() {
    let mut e = starter();
    e.select_edge(&id("users"), &id("api"));
    assert!(e.delete_selection());
    // From Readers the nearest node is Operator, which nothing may send
    // to; the Status API is the nearest that accepts.
    e.select_node(&id("users"), false);
    assert_eq!(e.start_keyboard_connection(), Ok(id("api")));
    assert_eq!(e.keyboard_connection(), Some((&id("users"), &id("api"))));
    assert_eq!(
        connect::candidates(e.design(), &id("users")),
        vec![id("operator"), id("api"), id("db")],
        "Tab's order: nearest first"
    );
    // With nothing acceptable, the nearest is offered all the same.
    e.cancel();
    e.select_node(&id("db"), false);
    assert_eq!(e.start_keyboard_connection(), Ok(id("api")));
}

#[test]
fn tab_and_shift_tab_walk_every_other_node_and_wrap() {
    let mut e = starter();
    e.select_node(&id("api"), false);
    assert_eq!(e.start_keyboard_connection(), Ok(id("db")));
    let order = connect::candidates(e.design(), &id("api"));
    assert_eq!(order.len(), 3);
    assert!(!order.contains(&id("api")), "never the source itself");
    let mut seen = vec![id("db")];
    for _ in 0..3 {
        seen.push(e.choose_connection_target(Step::Next).unwrap());
    }
    assert_eq!(seen.first(), seen.last(), "Tab wraps round: {seen:?}");
    let walked: BTreeSet<NodeId> = seen.iter().cloned().collect();
    assert_eq!(walked.len(), 3, "every candidate comes up: {seen:?}");
    let back = e.choose_connection_target(Step::Previous).unwrap();
    assert_eq!(back, seen[2], "Shift Tab goes back");
}

#[test]
fn arrows_choose_the_nearest_node_that_way() {
    let mut e = starter();
    e.select_node(&id("db"), false);
    assert_eq!(e.start_keyboard_connection(), Ok(id("api")));
    // Left of the Status API: Readers (above) and Operator (below) are
    // equally far; nothing is right of the API but the source itself.
    assert_eq!(
        e.choose_connection_target(Step::Toward(Direction::Right)),
        None,
        "the source is never a candidate"
    );
    let left = e
        .choose_connection_target(Step::Toward(Direction::Left))
        .unwrap();
    assert!(left == id("users") || left == id("operator"), "{left}");
    let (down_from_users, up_from_operator) = if left == id("users") {
        (
            e.choose_connection_target(Step::Toward(Direction::Down)),
            None,
        )
    } else {
        (
            None,
            e.choose_connection_target(Step::Toward(Direction::Up)),
        )
    };
    assert!(
        down_from_users == Some(id("operator")) || up_from_operator == Some(id("users")),
        "the arrow along the column reaches the other source"
    );
    assert_eq!(
        e.choose_connection_target(Step::Toward(Direction::Left)),
        None,
        "nothing further left: the candidate stays"
    );
    let (_, to) = e.keyboard_connection().unwrap();
    assert!(*to == id("users") || *to == id("operator"));
    assert_eq!(
        e.choose_connection_target(Step::Toward(Direction::Right)),
        Some(id("api"))
    );
}

#[test]
fn an_arrow_prefers_what_lies_that_way_over_what_is_near_beside() {
    let mut e = Editor::new(Design::default());
    let from = e.add_node(NodeKind::Users, p(0.0, 0.0)).unwrap();
    let beside = e.add_node(NodeKind::Cdn, p(320.0, 0.0)).unwrap();
    // Nearer, but mostly below the CDN rather than right of it.
    let below = e.add_node(NodeKind::Api, p(352.0, 192.0)).unwrap();
    let right = e.add_node(NodeKind::Api, p(800.0, 16.0)).unwrap();
    e.select_node(&from, false);
    assert_eq!(e.start_keyboard_connection(), Ok(beside.clone()));
    assert_eq!(
        e.choose_connection_target(Step::Toward(Direction::Right)),
        Some(right.clone())
    );
    assert_eq!(
        e.choose_connection_target(Step::Toward(Direction::Left)),
        Some(beside)
    );
    assert_eq!(
        e.choose_connection_target(Step::Toward(Direction::Down)),
        Some(below)
    );
}

#[test]
fn enter_connects_through_the_editor_as_one_undo_step() {
    let mut e = starter();
    let cdn = e.add_node(NodeKind::Cdn, p(256.0, 160.0)).unwrap();
    e.select_node(&id("users"), false);
    let before = e.design().clone();
    let first = e.start_keyboard_connection().unwrap();
    // The CDN, right of Readers, is nearer to them than the API.
    assert_eq!(first, cdn);
    let prompt = e.keyboard_connection_prompt().unwrap();
    assert_eq!(
        prompt,
        "Connect Readers to CDN (read)? Enter to connect, Escape to cancel."
    );
    assert_eq!(e.design(), &before, "choosing changes nothing");

    assert_eq!(e.finish_keyboard_connection(), Ok(EdgeKind::Read));
    assert!(e.design().edge(&id("users"), &cdn).is_some());
    assert_eq!(*e.gesture(), Gesture::Idle, "the connection is made");
    assert_eq!(
        e.selection().single_node(),
        Some(&id("users")),
        "the source keeps the selection (and the focus)"
    );
    assert!(e.undo());
    assert_eq!(e.design(), &before, "one undo step");
}

#[test]
fn a_refused_target_is_said_before_and_after_enter_and_the_question_stays() {
    let mut e = starter();
    e.select_node(&id("users"), false);
    // Readers already send to the API, and nothing else accepts them:
    // the nearest node is offered.
    assert_eq!(e.start_keyboard_connection(), Ok(id("operator")));
    let prompt = e.keyboard_connection_prompt().unwrap();
    assert!(
        prompt.starts_with(
            "Connect Readers to Operator? Not possible: Nothing sends requests to the operator"
        ),
        "{prompt}"
    );
    let before = e.design().clone();
    let undo_before = e.can_undo();
    let refused = e.finish_keyboard_connection().unwrap_err();
    assert!(matches!(refused, EditError::Refused(_)), "{refused:?}");
    assert!(refused.to_string().contains("operator"), "{refused}");
    assert_eq!(e.design(), &before);
    assert_eq!(e.can_undo(), undo_before, "no undo step for a refusal");
    assert_eq!(
        e.keyboard_connection(),
        Some((&id("users"), &id("operator"))),
        "still asking: another target may be chosen"
    );
    // An existing connection is refused too.
    e.choose_connection_target(Step::Next);
    assert_eq!(e.keyboard_connection().unwrap().1, &id("api"));
    assert!(e
        .keyboard_connection_prompt()
        .unwrap()
        .contains("already connected"));
    assert!(matches!(
        e.finish_keyboard_connection(),
        Err(EditError::Refused(design::ConnectionRefused::Duplicate))
    ));
}

#[test]
fn escape_cancels_and_keeps_the_selection() {
    let mut e = starter();
    e.select_node(&id("api"), false);
    e.start_keyboard_connection().unwrap();
    let before = e.design().clone();
    e.cancel();
    assert_eq!(*e.gesture(), Gesture::Idle);
    assert_eq!(e.keyboard_connection_prompt(), None);
    assert_eq!(e.design(), &before);
    assert_eq!(e.selection().single_node(), Some(&id("api")));
    assert_eq!(
        e.finish_keyboard_connection(),
        Err(EditError::NotConnecting)
    );
    assert_eq!(e.choose_connection_target(Step::Next), None);
}

#[test]
fn a_pointer_press_or_an_undo_ends_a_keyboard_connection() {
    let mut e = starter();
    e.rename(&id("db"), "Primary").unwrap();
    e.select_node(&id("api"), false);
    e.start_keyboard_connection().unwrap();
    e.press_node(&id("db"), p(600.0, 240.0), false);
    assert!(e.keyboard_connection().is_none());
    e.release(None).unwrap();

    e.select_node(&id("api"), false);
    e.start_keyboard_connection().unwrap();
    assert!(e.undo());
    assert!(e.keyboard_connection().is_none());
}

#[test]
fn a_deleted_candidate_ends_nothing_but_is_not_offered() {
    let mut e = starter();
    e.select_node(&id("api"), false);
    e.start_keyboard_connection().unwrap();
    // The design changes under the question (a click on the palette).
    let extra = e.add_node(NodeKind::Cache, p(576.0, 64.0)).unwrap();
    assert!(connect::candidates(e.design(), &id("api")).contains(&extra));
    let mut gone = e.design().clone();
    gone.remove_node(&id("db"));
    // A candidate that is gone starts again from the first one.
    assert_eq!(
        connect::step(&gone, &id("api"), &id("db"), Step::Next),
        connect::first_candidate(&gone, &id("api"))
    );
}

#[test]
fn names_that_repeat_are_told_apart_by_id() {
    let mut e = starter();
    let second = e.add_node(NodeKind::Api, p(320.0, 480.0)).unwrap();
    e.rename(&second, "Status API").unwrap();
    assert_eq!(
        connect::spoken_name(e.design(), &second),
        format!("Status API ({second})")
    );
    assert_eq!(connect::spoken_name(e.design(), &id("db")), "Database");
}

#[test]
fn the_check_gives_what_connect_gives_for_every_pair_of_kinds() {
    for from in NodeKind::ALL {
        for to in NodeKind::ALL {
            let mut d = Design::default();
            let a = d.add_node(from, p(0.0, 0.0));
            let b = d.add_node(to, p(320.0, 0.0));
            let checked = connect::check(&d, &a, &b);
            assert_eq!(checked, d.clone().connect(&a, &b), "{from:?} → {to:?}");
            assert_eq!(connect::check(&d, &a, &a), d.clone().connect(&a, &a));
            if checked.is_ok() {
                d.connect(&a, &b).unwrap();
                assert_eq!(connect::check(&d, &a, &b), d.clone().connect(&a, &b));
            }
        }
    }
}

// ---- never stacked exactly ----------------------------------------------

#[test]
fn a_nudge_onto_another_node_goes_one_step_further() {
    let mut e = Editor::new(Design::default());
    let a = e.add_node(NodeKind::Api, p(0.0, 0.0)).unwrap();
    let b = e.add_node(NodeKind::Api, p(GRID, 0.0)).unwrap();
    e.select_node(&a, false);
    assert!(e.nudge(1, 0));
    assert_eq!(e.design().node(&a).unwrap().position, p(2.0 * GRID, 0.0));
    assert_eq!(e.design().node(&b).unwrap().position, p(GRID, 0.0));
    // Shift-arrow (4 steps) onto a node: one step more.
    let c = e
        .add_node(NodeKind::Cache, p(2.0 * GRID, 4.0 * GRID))
        .unwrap();
    assert_eq!(e.design().node(&c).unwrap().position, p(2.0 * GRID, 64.0));
    e.select_node(&a, false);
    assert!(e.nudge(0, 4));
    assert_eq!(
        e.design().node(&a).unwrap().position,
        p(2.0 * GRID, 5.0 * GRID)
    );
    assert!(e.undo());
    assert_eq!(e.design().node(&a).unwrap().position, p(2.0 * GRID, 0.0));
}

#[test]
fn a_nudge_that_cannot_avoid_a_node_or_move_at_all_is_refused() {
    let limit = design::limits::MAX_COORD - design::geometry::NODE_WIDTH;
    let edge = (limit / GRID).floor() * GRID;
    let mut e = Editor::new(Design::default());
    let a = e.add_node(NodeKind::Api, p(edge - GRID, 0.0)).unwrap();
    let b = e.add_node(NodeKind::Api, p(edge, 0.0)).unwrap();
    let revision = e.revision();
    e.select_node(&a, false);
    assert!(!e.nudge(1, 0), "the only spot right of it is taken");
    e.select_node(&b, false);
    assert!(!e.nudge(1, 0), "against the edge: nothing moves");
    assert_eq!(e.revision(), revision, "refusals change nothing");
    assert_eq!(e.design().node(&a).unwrap().position, p(edge - GRID, 0.0));
}

#[test]
fn selected_nodes_nudge_together_past_others() {
    let mut e = Editor::new(Design::default());
    let a = e.add_node(NodeKind::Api, p(0.0, 0.0)).unwrap();
    let b = e.add_node(NodeKind::Api, p(0.0, 128.0)).unwrap();
    let blocker = e.add_node(NodeKind::Cache, p(GRID, 128.0)).unwrap();
    e.select_node(&a, false);
    e.select_node(&b, true);
    assert!(e.nudge(1, 0));
    assert_eq!(e.design().node(&a).unwrap().position, p(2.0 * GRID, 0.0));
    assert_eq!(
        e.design().node(&b).unwrap().position,
        p(2.0 * GRID, 128.0),
        "the group keeps its shape"
    );
    assert_eq!(e.design().node(&blocker).unwrap().position, p(GRID, 128.0));
}

#[test]
fn adding_or_pasting_onto_a_node_lands_beside_it() {
    let mut e = Editor::new(Design::default());
    let a = e.add_node(NodeKind::Api, p(64.0, 64.0)).unwrap();
    let b = e.add_node(NodeKind::Cache, p(64.0, 64.0)).unwrap();
    assert_ne!(
        e.design().node(&a).unwrap().position,
        e.design().node(&b).unwrap().position
    );
    // A node sits where the paste would land.
    let mut e = Editor::new(Design::default());
    let a = e.add_node(NodeKind::Api, p(0.0, 0.0)).unwrap();
    e.add_node(NodeKind::Cache, p(32.0, 32.0)).unwrap();
    e.select_node(&a, false);
    assert!(e.duplicate_selection());
    let copy = e.selection().single_node().unwrap().clone();
    assert_eq!(e.design().node(&copy).unwrap().position, p(64.0, 64.0));
}

/// An edit that places nodes, at random.
#[derive(Debug, Clone)]
enum Op {
    Add(usize, i8, i8),
    Nudge(usize, i8, i8),
    Duplicate(usize),
    Paste(usize),
    AddInView(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..11usize, -4i8..4, -4i8..4).prop_map(|(k, x, y)| Op::Add(k, x, y)),
        (0..40usize, -5i8..5, -5i8..5).prop_map(|(n, x, y)| Op::Nudge(n, x, y)),
        (0..40usize).prop_map(Op::Duplicate),
        (0..40usize).prop_map(Op::Paste),
        (0..11usize).prop_map(Op::AddInView),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// However nodes are added, nudged, pasted and duplicated (on a
    /// crowded grid, where they often would land on each other), no node
    /// ends up exactly on another.
    #[test]
    fn no_node_is_ever_hidden_exactly_under_another(ops in prop::collection::vec(op(), 1..60)) {
        let mut e = Editor::new(Design::default());
        for op in &ops {
            let nth = |e: &Editor, i: usize| {
                let n = e.design().nodes.len();
                (n > 0).then(|| e.design().nodes[i % n].id.clone())
            };
            match *op {
                Op::Add(k, x, y) => {
                    let at = p(f64::from(x) * 2.0 * GRID, f64::from(y) * 2.0 * GRID);
                    e.add_node(NodeKind::ALL[k], at);
                }
                Op::Nudge(n, x, y) => {
                    if let Some(id) = nth(&e, n) {
                        e.select_node(&id, false);
                        e.nudge(i32::from(x), i32::from(y));
                    }
                }
                Op::Duplicate(n) => {
                    if let Some(id) = nth(&e, n) {
                        e.select_node(&id, false);
                        e.duplicate_selection();
                    }
                }
                Op::Paste(n) => {
                    if let Some(id) = nth(&e, n) {
                        e.select_node(&id, false);
                        e.copy();
                        e.paste();
                        e.paste();
                    }
                }
                Op::AddInView(k) => {
                    e.add_node_in_view(NodeKind::ALL[k], 400.0, 300.0);
                }
            }
            let positions: Vec<(i64, i64)> = e
                .design()
                .nodes
                .iter()
                .map(|n| (n.position.x as i64, n.position.y as i64))
                .collect();
            let distinct: BTreeSet<(i64, i64)> = positions.iter().copied().collect();
            prop_assert_eq!(distinct.len(), positions.len(), "after {:?}: {:?}", op, positions);
        }
    }
}

#[test]
fn what_is_said_after_enter_and_when_an_arrow_finds_nothing() {
    let mut e = starter();
    let cdn = e.add_node(NodeKind::Cdn, p(256.0, 160.0)).unwrap();
    e.select_node(&id("users"), false);
    e.start_keyboard_connection().unwrap();
    let (from, to) = (id("users"), cdn.clone());
    let made = e.finish_keyboard_connection();
    assert_eq!(
        connect::outcome(e.design(), &from, &to, &made),
        "Connected Readers to CDN (read)."
    );
    let refused = Err(EditError::Refused(design::ConnectionRefused::Duplicate));
    let said = connect::outcome(e.design(), &from, &to, &refused);
    assert!(
        said.starts_with("Not connected: These two nodes are already connected."),
        "{said}"
    );
    assert!(said.contains("Escape"), "{said}");
    assert_eq!(
        connect::nothing_toward(e.design(), &id("db"), Direction::Right),
        "No other node to the right of Database."
    );
}

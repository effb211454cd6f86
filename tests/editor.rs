//! The diagram editor driven in headless Chromium with DOM pointer,
//! keyboard and wheel events; each test checks the design the app saved,
//! not only what the page shows.
#![cfg(target_arch = "wasm32")]

mod support;

use design::{geometry, NodeId, NodeKind, Point};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The id of the first node of `kind` in the design.
fn first_of(design: &design::Design, kind: NodeKind) -> NodeId {
    design
        .nodes
        .iter()
        .find(|n| n.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} node"))
        .id
        .clone()
}

fn kinds(design: &design::Design, kind: NodeKind) -> usize {
    design.nodes.iter().filter(|n| n.kind == kind).count()
}

#[wasm_bindgen_test]
async fn dragging_from_the_palette_adds_a_node_where_it_is_dropped() {
    let app = mount_fresh().await;
    app.open_palette().await;
    let item = app.find("[data-palette=\"cdn\"]");
    let drop_at = at_fraction(&app.canvas(), 0.5, 0.85);
    pointer("pointerdown", &item, centre(&item), false);
    pointer("pointermove", &item, drop_at, false);
    settle().await;
    assert!(app.has(".palette-ghost"), "a ghost follows the pointer");
    pointer("pointerup", &item, drop_at, false);
    settle().await;

    let design = saved_design();
    assert_eq!(kinds(&design, NodeKind::Cdn), 1);
    let cdn = first_of(&design, NodeKind::Cdn);
    let drawn = centre(
        &app.node(cdn.as_str())
            .query_selector("rect")
            .unwrap()
            .unwrap(),
    );
    let tolerance = geometry::GRID * app.zoom();
    assert!(
        (drawn.x - drop_at.x).abs() <= tolerance && (drawn.y - drop_at.y).abs() <= tolerance,
        "node centre {drawn:?} is not under the drop point {drop_at:?}"
    );
    assert!(!app.has(".palette-ghost"));
}

#[wasm_bindgen_test]
async fn dropping_a_palette_item_outside_the_canvas_adds_nothing() {
    let app = mount_fresh().await;
    app.open_palette().await;
    let item = app.find("[data-palette=\"cache\"]");
    let outside = Point {
        x: centre(&item).x + 20.0,
        y: centre(&item).y + 120.0,
    };
    pointer("pointerdown", &item, centre(&item), false);
    pointer("pointermove", &item, outside, false);
    pointer("pointerup", &item, outside, false);
    settle().await;
    assert_eq!(app.count("g.node"), 4);
}

#[wasm_bindgen_test]
async fn tapping_a_palette_item_adds_the_node_in_view() {
    let app = mount_fresh().await;
    app.open_palette().await;
    tap(&app.find("[data-palette=\"serverless\"]")).await;
    assert_eq!(kinds(&saved_design(), NodeKind::Serverless), 1);
}

#[wasm_bindgen_test]
async fn keyboard_activation_of_a_palette_item_adds_and_focuses_a_node() {
    let app = mount_fresh().await;
    app.open_palette().await;
    let item: web_sys::HtmlElement = app.find("[data-palette=\"read_replica\"]").unchecked_into();
    item.click(); // what Enter or Space on a focused button does
    settle().await;
    let design = saved_design();
    assert_eq!(kinds(&design, NodeKind::ReadReplica), 1);
    let focused = document().active_element().unwrap();
    assert_eq!(
        focused.get_attribute("data-kind").as_deref(),
        Some("read_replica"),
        "focus is on <{}> {:?}; replica elements: {}",
        focused.tag_name(),
        focused.get_attribute("class"),
        app.count("[data-kind=\"read_replica\"]")
    );
}

#[wasm_bindgen_test]
async fn dragging_a_node_moves_it_on_the_grid_and_undo_redo_follow() {
    let app = mount_fresh().await;
    let api = app.node("api");
    let start = centre(&api);
    let to = Point {
        x: start.x + 100.0,
        y: start.y + 52.0,
    };
    drag(&api, start, to, &app.canvas(), false).await;

    let moved = position(&saved_design(), "api");
    let zoom = app.zoom();
    assert_eq!(moved.x % geometry::GRID, 0.0, "snapped to the grid");
    assert!(
        (moved.x - 320.0 - 100.0 / zoom).abs() <= geometry::GRID / 2.0 + 0.5,
        "moved to {moved:?}"
    );
    assert!(
        (moved.y - 224.0 - 52.0 / zoom).abs() <= geometry::GRID / 2.0 + 0.5,
        "moved to {moved:?}"
    );

    key("z", true, false).await;
    assert_eq!(
        position(&saved_design(), "api"),
        Point { x: 320.0, y: 224.0 }
    );
    key("z", true, true).await;
    assert_eq!(position(&saved_design(), "api"), moved);
}

#[wasm_bindgen_test]
async fn escape_cancels_a_drag() {
    let app = mount_fresh().await;
    let api = app.node("api");
    let start = centre(&api);
    pointer("pointerdown", &api, start, false);
    pointer(
        "pointermove",
        &app.canvas(),
        Point {
            x: start.x + 120.0,
            y: start.y,
        },
        false,
    );
    settle().await;
    assert_ne!(
        api.get_attribute("transform").as_deref(),
        Some("translate(320 224)")
    );
    key("Escape", false, false).await;
    assert_eq!(
        api.get_attribute("transform").as_deref(),
        Some("translate(320 224)")
    );
    pointer("pointerup", &app.canvas(), start, false);
    settle().await;
    assert!(
        stored(AUTOSAVE).is_none()
            || position(&saved_design(), "api") == Point { x: 320.0, y: 224.0 }
    );
}

#[wasm_bindgen_test]
async fn connecting_ports_adds_typed_edges_and_nonsense_is_refused_with_a_reason() {
    let app = mount_fresh().await;
    app.open_palette().await;
    let cdn_button: web_sys::HtmlElement = app.find("[data-palette=\"cdn\"]").unchecked_into();
    cdn_button.click();
    settle().await;
    let cdn = first_of(&saved_design(), NodeKind::Cdn);

    // Users → CDN: a read path.
    let port = app.find("[data-port-out=\"users\"]");
    let target = app.node(cdn.as_str());
    drag(&port, centre(&port), centre(&target), &app.canvas(), false).await;
    let design = saved_design();
    let edge = design
        .edge(&NodeId::from("users"), &cdn)
        .expect("edge users → cdn");
    assert_eq!(edge.kind, design::EdgeKind::Read);
    assert_eq!(app.count("path.edge"), 4);

    // Database → Users makes no sense: refused, with the reason shown.
    let port = app.find("[data-port-out=\"db\"]");
    let users = app.node("users");
    drag(&port, centre(&port), centre(&users), &app.canvas(), false).await;
    assert_eq!(saved_design().edges.len(), 4, "nothing was added");
    let notice = app.notice();
    assert!(
        notice.to_lowercase().contains("user"),
        "the refusal says why: {notice:?}"
    );
}

#[wasm_bindgen_test]
async fn shift_drag_box_selects_and_delete_removes_nodes_with_their_edges() {
    let app = mount_fresh().await;
    let users = app.node("users").get_bounding_client_rect();
    let operator = app.node("operator").get_bounding_client_rect();
    let from = Point {
        x: users.left() - 12.0,
        y: users.top() - 12.0,
    };
    let to = Point {
        x: operator.right() + 4.0,
        y: operator.bottom() + 4.0,
    };
    drag(&app.canvas(), from, to, &app.canvas(), true).await;
    assert_eq!(app.count("g.node.selected"), 2);

    key("Delete", false, false).await;
    let design = saved_design();
    assert_eq!(design.nodes.len(), 2);
    assert!(design.node(&NodeId::from("users")).is_none());
    assert_eq!(design.edges.len(), 1, "only api → db is left");
}

#[wasm_bindgen_test]
async fn clicking_an_edge_selects_it_and_backspace_removes_it() {
    let app = mount_fresh().await;
    let hit = app.find("path.edge-hit[data-edge-from=\"api\"]");
    tap(&hit).await;
    assert_eq!(app.count(".edge-group.selected"), 1);
    assert!(app
        .find(".inspector")
        .text_content()
        .unwrap_or_default()
        .contains("Connection from api to db"));
    key("Backspace", false, false).await;
    let design = saved_design();
    assert!(design
        .edge(&NodeId::from("api"), &NodeId::from("db"))
        .is_none());
    assert_eq!(design.nodes.len(), 4);
}

/// The keyboard's way to a connection: the inspected node lists its
/// connections, each with a button that removes it.
#[wasm_bindgen_test]
async fn the_inspector_lists_a_node_s_connections_and_removes_one() {
    let app = mount_fresh().await;
    tap(&app.node("api")).await;
    let before = saved_design_or_starter();
    let api = NodeId::from("api");
    let edges = (before.edges_from(&api).count() + before.edges_to(&api).count()) as u32;
    assert!(edges >= 2, "the starter's API sends and receives");
    assert_eq!(app.count(".node-connections li"), edges);
    let kind = before.edge(&api, &NodeId::from("db")).unwrap().kind;
    let row = app.find(&format!(
        ".node-connections li[data-connection=\"api→db:{}\"]",
        kind.key()
    ));
    assert!(row.text_content().unwrap_or_default().starts_with("To "));
    let button: web_sys::HtmlElement = row
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    settle().await;
    let after = saved_design();
    assert!(after.edge(&api, &NodeId::from("db")).is_none());
    assert_eq!(
        after.nodes.len(),
        before.nodes.len(),
        "only the connection goes"
    );
    // The inspector stays on the node, the focus on its list.
    assert_eq!(app.count(".node-connections li"), edges - 1);
    let focused = document().active_element().map(|e| e.id());
    assert_eq!(focused.as_deref(), Some("connections-heading"));
    // One undo step puts it back.
    key("z", true, false).await;
    assert!(saved_design().edge(&api, &NodeId::from("db")).is_some());
}

#[wasm_bindgen_test]
async fn the_inspector_refuses_invalid_values_in_place() {
    let app = mount_fresh().await;
    tap(&app.node("api")).await;
    // Each field says what it does: the catalogue's help sentence.
    for spec in design::NodeKind::Api.params() {
        let help = app
            .find(&format!("[data-param=\"{}\"] .field-help", spec.key))
            .text_content()
            .unwrap_or_default();
        assert!(
            !spec.help().is_empty() && help.starts_with(spec.help()),
            "{}: {help:?}",
            spec.key
        );
    }
    let field = app.find("[data-param=\"min_instances\"] input");
    type_into(&field, "-3").await;
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error = app
        .find("[data-param=\"min_instances\"] .field-error")
        .text_content()
        .unwrap_or_default();
    assert!(!error.is_empty(), "the reason is shown");
    let unchanged = stored(AUTOSAVE).map(|t| design::format::parse(&t).unwrap().design);
    assert!(unchanged.is_none_or(|d| d
        .node(&NodeId::from("api"))
        .unwrap()
        .params
        .get("min_instances")
        .is_none()));

    type_into(&field, "3").await;
    assert_eq!(
        saved_design()
            .node(&NodeId::from("api"))
            .unwrap()
            .num("min_instances"),
        3.0
    );
    assert_eq!(
        field.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );

    let label = app.find("#field-label");
    type_into(&label, "  Status API v2 ").await;
    assert_eq!(
        saved_design().node(&NodeId::from("api")).unwrap().label,
        "Status API v2"
    );
    type_into(&label, "   ").await;
    assert_eq!(
        saved_design().node(&NodeId::from("api")).unwrap().label,
        "Status API v2"
    );
    assert_eq!(label.get_attribute("aria-invalid").as_deref(), Some("true"));

    let flag = app.find("[data-param=\"autoscale\"] input");
    let flag_input: web_sys::HtmlInputElement = flag.clone().unchecked_into();
    flag_input.set_checked(false);
    type_into(&flag, "").await; // fires change; the checkbox's state is what counts
    assert!(!saved_design()
        .node(&NodeId::from("api"))
        .unwrap()
        .flag("autoscale"));
}

#[wasm_bindgen_test]
async fn keyboard_tab_arrows_enter_and_delete() {
    let app = mount_fresh().await;
    app.focus_node("users").await;
    assert!(
        app.node("users").class_list().contains("selected"),
        "focus selects"
    );

    key_on(&app.node("users"), "ArrowRight", false, false).await;
    key_on(&app.node("users"), "ArrowDown", false, true).await;
    assert_eq!(
        position(&saved_design(), "users"),
        Point {
            x: 64.0 + 16.0,
            y: 160.0 + 64.0
        }
    );

    key_on(&app.node("users"), "Enter", false, false).await;
    assert_eq!(document().active_element().unwrap().id(), "field-label");

    app.focus_node("users").await;
    key_on(&app.node("users"), "Delete", false, false).await;
    assert!(saved_design().node(&NodeId::from("users")).is_none());
    assert_eq!(
        app.find(".node").get_attribute("tabindex").as_deref(),
        Some("0")
    );
}

#[wasm_bindgen_test]
async fn undo_and_redo_retrace_a_sequence_of_mixed_edits() {
    let app = mount_fresh().await;
    app.open_palette().await;
    let mut snapshots = Vec::new();

    // 1. add a cache from the palette
    let cache: web_sys::HtmlElement = app.find("[data-palette=\"cache\"]").unchecked_into();
    cache.click();
    settle().await;
    snapshots.push(saved_design());
    // 2. move the database
    let db = app.node("db");
    drag(
        &db,
        centre(&db),
        Point {
            x: centre(&db).x,
            y: centre(&db).y + 90.0,
        },
        &app.canvas(),
        false,
    )
    .await;
    snapshots.push(saved_design());
    // 3. connect api → cache
    let cache_id = first_of(&snapshots[0], NodeKind::Cache);
    let port = app.find("[data-port-out=\"api\"]");
    drag(
        &port,
        centre(&port),
        centre(&app.node(cache_id.as_str())),
        &app.canvas(),
        false,
    )
    .await;
    snapshots.push(saved_design());
    // 4. change a parameter
    tap(&app.node("api")).await;
    type_into(&app.find("[data-param=\"max_instances\"] input"), "12").await;
    snapshots.push(saved_design());
    // 5. rename through the inspector
    type_into(&app.find("#field-label"), "Edge API").await;
    snapshots.push(saved_design());
    // 6. delete the operator
    tap(&app.node("operator")).await;
    key("Delete", false, false).await;
    snapshots.push(saved_design());

    for pair in snapshots.windows(2) {
        assert_ne!(pair[0], pair[1], "each step changed the design");
    }
    for expected in snapshots.iter().rev().skip(1) {
        app.find("[data-action=\"undo\"]")
            .unchecked_ref::<web_sys::HtmlElement>()
            .click();
        settle().await;
        assert_eq!(&saved_design(), expected);
    }
    for expected in snapshots.iter().skip(1) {
        key("z", true, true).await;
        assert_eq!(&saved_design(), expected);
    }
    let redo: web_sys::HtmlButtonElement = app.find("[data-action=\"redo\"]").unchecked_into();
    assert!(redo.disabled(), "nothing left to redo");
}

#[wasm_bindgen_test]
async fn copy_paste_and_duplicate() {
    let app = mount_fresh().await;
    tap(&app.node("api")).await;
    key("c", true, false).await;
    key("v", true, false).await;
    assert_eq!(kinds(&saved_design(), NodeKind::Api), 2);
    key("d", true, false).await;
    assert_eq!(kinds(&saved_design(), NodeKind::Api), 3);
    let ids: std::collections::BTreeSet<_> =
        saved_design().nodes.iter().map(|n| n.id.clone()).collect();
    assert_eq!(ids.len(), 6, "every copy has its own id");
}

#[wasm_bindgen_test]
async fn wheel_zooms_around_the_pointer_and_fit_brings_everything_back() {
    let app = mount_fresh().await;
    let before = app.zoom();
    let canvas = app.canvas();
    let anchor = centre(&app.node("api"));
    let init = web_sys::WheelEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_client_x(anchor.x as i32);
    init.set_client_y(anchor.y as i32);
    init.set_delta_y(-300.0);
    let wheel = web_sys::WheelEvent::new_with_event_init_dict("wheel", &init).unwrap();
    canvas.dispatch_event(&wheel).unwrap();
    settle().await;
    assert!(
        app.zoom() > before * 1.3,
        "zoomed in: {} → {}",
        before,
        app.zoom()
    );
    let after = centre(&app.node("api"));
    assert!(
        (after.x - anchor.x).abs() < 40.0 && (after.y - anchor.y).abs() < 40.0,
        "the point under the pointer stays put"
    );

    // Pan far away, then fit to view.
    let start = at_fraction(&canvas, 0.9, 0.1);
    drag(
        &canvas,
        start,
        Point {
            x: start.x - 600.0,
            y: start.y + 300.0,
        },
        &canvas,
        false,
    )
    .await;
    app.find("[aria-label=\"Fit to view\"]")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    let frame = canvas.get_bounding_client_rect();
    for id in ["users", "operator", "api", "db"] {
        let r = app.node(id).get_bounding_client_rect();
        assert!(
            r.left() >= frame.left()
                && r.right() <= frame.right()
                && r.top() >= frame.top()
                && r.bottom() <= frame.bottom(),
            "{id} is in view after fit"
        );
    }
}

#[wasm_bindgen_test]
async fn a_reload_restores_the_design_exactly() {
    let edited = {
        let app = mount_fresh().await;
        let api = app.node("api");
        drag(
            &api,
            centre(&api),
            Point {
                x: centre(&api).x + 64.0,
                y: centre(&api).y - 40.0,
            },
            &app.canvas(),
            false,
        )
        .await;
        tap(&app.node("db")).await;
        type_into(&app.find("[data-param=\"multi_az\"] input"), "").await;
        saved_design()
    };
    let app = mount().await;
    assert_eq!(saved_design(), edited);
    let api = edited.node(&NodeId::from("api")).unwrap().position;
    assert_eq!(
        app.node("api").get_attribute("transform"),
        Some(format!("translate({} {})", api.x, api.y))
    );
}

#[wasm_bindgen_test]
async fn new_from_starter_and_clear_ask_first_and_can_be_undone() {
    let app = mount_fresh().await;
    app.find("[data-action=\"clear\"]")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert!(app.has("[role=\"dialog\"]"));
    key("Escape", false, false).await;
    assert!(!app.has("[role=\"dialog\"]"));
    assert_eq!(app.count("g.node"), 4, "cancel keeps the design");

    app.find("[data-action=\"clear\"]")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    app.find("[data-confirm=\"yes\"]")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert!(saved_design().nodes.is_empty());
    assert!(app.has(".canvas-hint"), "an empty canvas says what to do");

    key("z", true, false).await;
    assert_eq!(saved_design().nodes.len(), 4);

    app.find("[data-action=\"starter\"]")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    app.find("[data-confirm=\"yes\"]")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(
        saved_design(),
        sim::kata::load("status-dashboard").unwrap().starter
    );
}

#[wasm_bindgen_test]
async fn an_unreadable_autosave_is_kept_aside_and_explained() {
    set_autosave("{ this is not a design");
    let app = mount().await;
    assert_eq!(app.count("g.node"), 4, "the starter is shown");
    assert!(app.notice().contains("could not be read"));
    let backups = playground::autosave_backups();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(
        stored(&backups[0]).as_deref(),
        Some("{ this is not a design")
    );
}

#[wasm_bindgen_test]
async fn lints_show_on_the_nodes_they_concern() {
    let app = mount_fresh().await;
    assert!(
        app.node("users")
            .query_selector(".lint-badge")
            .unwrap()
            .is_some(),
        "no CDN in front of users"
    );
    let label = app
        .node("users")
        .get_attribute("aria-label")
        .unwrap_or_default();
    assert!(label.contains("Warning"), "{label}");
}

#[wasm_bindgen_test]
async fn the_shortcuts_help_opens_with_question_mark() {
    let app = mount_fresh().await;
    key("?", false, true).await;
    assert!(app.text().contains("Keyboard shortcuts"));
    key("Escape", false, false).await;
    assert!(!app.has("[role=\"dialog\"]"));
}

#[wasm_bindgen_test]
async fn two_finger_pinch_zooms_without_moving_nodes() {
    let app = mount_fresh().await;
    let canvas = app.canvas();
    let before_zoom = app.zoom();
    let before = saved_design_or_starter();
    let c = at_fraction(&canvas, 0.5, 0.8);
    touch(
        "pointerdown",
        &canvas,
        11,
        Point {
            x: c.x - 40.0,
            y: c.y,
        },
    );
    touch(
        "pointerdown",
        &canvas,
        12,
        Point {
            x: c.x + 40.0,
            y: c.y,
        },
    );
    for step in 1..=5 {
        let spread = 40.0 + 16.0 * f64::from(step);
        touch(
            "pointermove",
            &canvas,
            11,
            Point {
                x: c.x - spread,
                y: c.y,
            },
        );
        touch(
            "pointermove",
            &canvas,
            12,
            Point {
                x: c.x + spread,
                y: c.y,
            },
        );
    }
    touch("pointerup", &canvas, 11, c);
    touch("pointerup", &canvas, 12, c);
    settle().await;
    assert!(
        app.zoom() > before_zoom * 1.5,
        "pinch zoomed in: {before_zoom} → {}",
        app.zoom()
    );
    assert_eq!(saved_design_or_starter(), before, "no node moved");
}

fn saved_design_or_starter() -> design::Design {
    stored(AUTOSAVE)
        .map(|t| design::format::parse(&t).unwrap().design)
        .unwrap_or_else(|| sim::kata::load("status-dashboard").unwrap().starter)
}

#[wasm_bindgen_test]
async fn a_minimap_appears_for_designs_larger_than_the_view_and_moves_it() {
    let mut design = sim::kata::load("status-dashboard").unwrap().starter;
    design.add_node(
        NodeKind::Cache,
        Point {
            x: 24_000.0,
            y: 9_000.0,
        },
    );
    save_design(&design);
    let app = mount().await;
    assert!(
        app.has("svg.minimap"),
        "the design does not fit, so the minimap shows"
    );
    let before = app.find("g.viewport").get_attribute("transform");
    let minimap = app.find("svg.minimap");
    let corner = at_fraction(&minimap, 0.9, 0.9);
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_client_x(corner.x as i32);
    init.set_client_y(corner.y as i32);
    let click = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    minimap.dispatch_event(&click).unwrap();
    settle().await;
    assert_ne!(
        app.find("g.viewport").get_attribute("transform"),
        before,
        "the view moved"
    );
}

#[wasm_bindgen_test]
async fn a_long_press_on_a_node_opens_the_inspector_pane() {
    let app = mount_fresh().await;
    let api = app.node("api");
    let at = centre(&api);
    touch("pointerdown", &api, 11, at);
    gloo_timers::future::TimeoutFuture::new(800).await;
    touch("pointerup", &app.canvas(), 11, at);
    settle().await;
    assert_eq!(
        app.find(".app").get_attribute("data-pane").as_deref(),
        Some("inspector")
    );
    assert!(app.node("api").class_list().contains("selected"));
}

#[wasm_bindgen_test]
async fn a_finger_that_moves_is_a_drag_not_a_long_press() {
    let app = mount_fresh().await;
    let api = app.node("api");
    let at = centre(&api);
    touch("pointerdown", &api, 11, at);
    touch(
        "pointermove",
        &app.canvas(),
        11,
        Point {
            x: at.x + 60.0,
            y: at.y,
        },
    );
    gloo_timers::future::TimeoutFuture::new(800).await;
    touch(
        "pointerup",
        &app.canvas(),
        11,
        Point {
            x: at.x + 60.0,
            y: at.y,
        },
    );
    settle().await;
    assert_eq!(
        app.find(".app").get_attribute("data-pane").as_deref(),
        Some("canvas")
    );
    assert_ne!(
        position(&saved_design(), "api"),
        Point { x: 320.0, y: 224.0 },
        "the node was dragged"
    );
}

#[wasm_bindgen_test]
async fn a_label_too_long_is_refused_in_words_not_cut_short() {
    let app = mount_fresh().await;
    tap(&app.node("api")).await;
    let field = app.find("#field-label");
    assert!(
        field.get_attribute("maxlength").is_none(),
        "nothing cuts it silently"
    );
    type_into(&field, &"x".repeat(120)).await;
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    let error = app
        .find("#field-label-error")
        .text_content()
        .unwrap_or_default();
    assert!(error.contains("at most 80 characters"), "{error}");
    type_into(&field, "Read API").await;
    assert_eq!(
        saved_design().node(&NodeId::from("api")).unwrap().label,
        "Read API"
    );
}

/// The node the keyboard connection offers, if one is highlighted.
fn candidate(app: &Mounted) -> Option<String> {
    app.host
        .query_selector(".node.connect-target")
        .unwrap()
        .and_then(|e| e.get_attribute("data-node"))
}

/// The `data-node` of the focused element.
fn focused_node() -> Option<String> {
    document()
        .active_element()
        .and_then(|e| e.get_attribute("data-node"))
}

#[wasm_bindgen_test]
async fn the_keyboard_connects_two_nodes_and_says_what_it_did() {
    let app = mount_fresh().await;
    app.open_palette().await;
    let cdn_button: web_sys::HtmlElement = app.find("[data-palette=\"cdn\"]").unchecked_into();
    cdn_button.click();
    settle().await;
    let cdn = first_of(&saved_design(), NodeKind::Cdn);
    let edges_before = saved_design().edges.len();

    app.focus_node("users").await;
    let region = app.find(".connect-prompt-region");
    assert_eq!(region.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(region.text_content().unwrap_or_default(), "");
    key_on(&app.node("users"), "c", false, false).await;
    assert!(candidate(&app).is_some(), "a candidate is highlighted");
    assert!(
        app.has(".edge-preview"),
        "the connection it would make is drawn"
    );
    // Tab walks the candidates (and does not move the focus).
    for _ in 0..4 {
        if candidate(&app).as_deref() == Some(cdn.as_str()) {
            break;
        }
        key_on(&app.node("users"), "Tab", false, false).await;
    }
    assert_eq!(candidate(&app).as_deref(), Some(cdn.as_str()));
    assert_eq!(focused_node().as_deref(), Some("users"));
    assert_eq!(
        region.text_content().unwrap_or_default(),
        "Connect Readers to CDN (read)? Enter to connect, Escape to cancel."
    );

    key_on(&app.node("users"), "Enter", false, false).await;
    let design = saved_design();
    assert_eq!(design.edges.len(), edges_before + 1);
    assert_eq!(
        design.edge(&NodeId::from("users"), &cdn).map(|e| e.kind),
        Some(design::EdgeKind::Read)
    );
    let notice = app.find(".notice-area");
    assert_eq!(notice.get_attribute("aria-live").as_deref(), Some("polite"));
    assert!(
        notice
            .text_content()
            .unwrap_or_default()
            .contains("Connected Readers to CDN (read)."),
        "{:?}",
        notice.text_content()
    );
    assert_eq!(candidate(&app), None, "the question is over");
    assert_eq!(region.text_content().unwrap_or_default(), "");
    assert_eq!(focused_node().as_deref(), Some("users"), "focus stays");
    assert!(app.node("users").class_list().contains("selected"));
    // Undo takes the connection back.
    key_on(&app.node("users"), "z", true, false).await;
    assert_eq!(saved_design().edges.len(), edges_before);
}

#[wasm_bindgen_test]
async fn a_refused_keyboard_connection_says_why_and_escape_cancels() {
    let app = mount_fresh().await;
    app.focus_node("db").await;
    key_on(&app.node("db"), "c", false, false).await;
    // Nothing takes requests from a database: the nearest node is offered,
    // and the prompt says before Enter that it will not do.
    assert_eq!(
        candidate(&app).as_deref(),
        Some("api"),
        "notice: {:?}, focus: {:?}",
        app.find(".notice-area").text_content(),
        focused_node()
    );
    let prompt = app
        .find(".connect-prompt-region")
        .text_content()
        .unwrap_or_default();
    assert!(prompt.contains("Not possible"), "{prompt}");
    key_on(&app.node("db"), "Enter", false, false).await;
    assert_eq!(
        stored(AUTOSAVE).map_or(3, |t| design::format::parse(&t).unwrap().design.edges.len()),
        3,
        "nothing was added"
    );
    let notice = app.notice();
    assert!(
        notice.starts_with("Not connected: A database primary"),
        "{notice}"
    );
    assert_eq!(candidate(&app).as_deref(), Some("api"), "still asking");
    // Delete means nothing while the question is asked.
    key_on(&app.node("db"), "Delete", false, false).await;
    assert_eq!(app.count("g.node"), 4);
    key_on(&app.node("db"), "Escape", false, false).await;
    assert_eq!(candidate(&app), None);
    assert!(app.notice().contains("Connection cancelled."));
    assert!(
        app.node("db").class_list().contains("selected"),
        "Escape ends the question, not the selection"
    );
    // Focus leaving the source ends a question too.
    key_on(&app.node("db"), "c", false, false).await;
    assert!(candidate(&app).is_some());
    app.focus_node("api").await;
    assert_eq!(candidate(&app), None);
    assert!(app
        .notice()
        .contains("Connection cancelled: the focus left the node."));
}

#[wasm_bindgen_test]
async fn escape_in_the_inspector_returns_to_the_node_so_undo_undoes_the_design() {
    let app = mount_fresh().await;
    app.focus_node("api").await;
    key_on(&app.node("api"), "Enter", false, false).await;
    assert_eq!(document().active_element().unwrap().id(), "field-label");
    let field = app.find("[data-param=\"min_instances\"] input");
    field
        .unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    type_into(&field, "3").await;
    assert_eq!(
        saved_design()
            .node(&NodeId::from("api"))
            .unwrap()
            .num("min_instances"),
        3.0
    );
    key_on(&field, "Escape", false, false).await;
    assert_eq!(focused_node().as_deref(), Some("api"), "back on the canvas");
    // Ctrl+Z now reaches the editor (in a field it would undo text).
    key_on(&app.node("api"), "z", true, false).await;
    assert!(saved_design()
        .node(&NodeId::from("api"))
        .unwrap()
        .params
        .get("min_instances")
        .is_none());
}

#[wasm_bindgen_test]
async fn a_click_exactly_on_a_connection_line_selects_it() {
    let app = mount_fresh().await;
    // Status API → Database is a straight line: the middle of its box is
    // on the line.
    let line = app.find(".edge-group:has([data-edge-from=\"api\"][data-edge-to=\"db\"]) path.edge");
    let on_line = centre(&line);
    let hit = document()
        .element_from_point(on_line.x as f32, on_line.y as f32)
        .expect("something is under the line");
    assert_eq!(
        hit.get_attribute("data-edge-from").as_deref(),
        Some("api"),
        "the hit path is what the pointer finds, not <{} class={:?}>",
        hit.tag_name(),
        hit.get_attribute("class")
    );
    pointer("pointerdown", &hit, on_line, false);
    pointer("pointerup", &hit, on_line, false);
    settle().await;
    assert_eq!(app.count(".edge-group.selected"), 1);
    // The hit area is at least 8 px wide on screen: 4 px either side.
    for dy in [-3.9, 3.9] {
        let beside = document()
            .element_from_point(on_line.x as f32, (on_line.y + dy) as f32)
            .and_then(|e| e.get_attribute("data-edge-from"));
        assert_eq!(beside.as_deref(), Some("api"), "{dy} px off the line");
    }
}

/// The words a reader sees in an element, as axe-core reads them for
/// label-content-name-mismatch: its text nodes joined as they are (no
/// `<title>` tooltips, which are not shown), split at anything but
/// letters and digits.
fn visible_words(element: &web_sys::Element) -> Vec<String> {
    fn text(node: &web_sys::Node, out: &mut String) {
        if node.node_type() == web_sys::Node::TEXT_NODE {
            out.push_str(&node.node_value().unwrap_or_default());
        } else if !node.node_name().eq_ignore_ascii_case("title") {
            let children = node.child_nodes();
            for i in 0..children.length() {
                text(&children.item(i).unwrap(), out);
            }
        }
    }
    let mut all = String::new();
    text(element, &mut all);
    words(&all)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[wasm_bindgen_test]
async fn a_node_is_named_by_the_words_it_shows() {
    let app = mount_fresh().await;
    let nodes = app.host.query_selector_all("g.node").unwrap();
    assert_eq!(nodes.length(), 4);
    for i in 0..nodes.length() {
        let node: web_sys::Element = nodes.item(i).unwrap().unchecked_into();
        let shown = visible_words(&node);
        let name = words(&node.get_attribute("aria-label").unwrap_or_default());
        assert!(
            shown.len() >= 2 && name.windows(shown.len()).any(|w| w == shown.as_slice()),
            "{:?}: the name {name:?} does not hold the words shown {shown:?}",
            node.get_attribute("data-node")
        );
    }
    assert!(
        app.node("users")
            .get_attribute("aria-label")
            .unwrap_or_default()
            .starts_with("Readers, Users"),
        "label first, then kind"
    );
    // Tooltips are SVG's <title>, which SVG shows and reads (an HTML
    // <title> inside <svg> is neither).
    for tooltip in [".port-out title", ".lint-badge title", ".edge-group title"] {
        assert_eq!(
            app.find(tooltip).namespace_uri().as_deref(),
            Some("http://www.w3.org/2000/svg"),
            "{tooltip}"
        );
    }
}

#[wasm_bindgen_test]
async fn enter_on_a_button_activates_it_even_with_a_node_selected() {
    let app = mount_fresh().await;
    app.open_palette().await;
    app.focus_node("api").await;
    assert!(app.node("api").class_list().contains("selected"));
    let item: web_sys::HtmlElement = app.find("[data-palette=\"cache\"]").unchecked_into();
    item.focus().unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_key("Enter");
    let enter =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    let left_to_the_button = item.dispatch_event(&enter).unwrap();
    settle().await;
    assert!(
        left_to_the_button,
        "the app took Enter from the palette item"
    );
    assert_ne!(document().active_element().unwrap().id(), "field-label");
}

//! Dragging a node in a 200-node design: what re-renders, and how long each
//! pointer move takes in the page (report, not assert: machines here are
//! shared and noisy). Run with `--nocapture` to see the figures.
#![cfg(target_arch = "wasm32")]

mod support;

use design::{Design, NodeId, NodeKind, Point};
use std::collections::BTreeSet;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// 50 chains of users → CDN → API → read replica: 200 nodes, 150 edges.
fn two_hundred_nodes() -> Design {
    let mut d = Design::default();
    let kinds = [
        NodeKind::Users,
        NodeKind::Cdn,
        NodeKind::Api,
        NodeKind::ReadReplica,
    ];
    for chain in 0..50 {
        let (group, row) = (chain / 10, chain % 10);
        let mut previous: Option<NodeId> = None;
        for (k, kind) in kinds.iter().enumerate() {
            let at = Point {
                x: f64::from(group * 4 + k as i32) * 208.0,
                y: f64::from(row) * 96.0,
            };
            let id = d.add_node(*kind, at);
            if let Some(p) = previous {
                d.connect(&p, &id).unwrap();
            }
            previous = Some(id);
        }
    }
    assert_eq!(d.nodes.len(), 200);
    d
}

/// Lets pending microtasks (the reactive updates) run.
async fn flush_microtasks() {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn dragging_in_a_200_node_design_touches_only_the_dragged_node_and_its_edges() {
    let design = two_hundred_nodes();
    save_design(&design);
    let app = mount().await;
    // A big design is drawn a chunk per task: wait until all of it is.
    app.wait_until_drawn(200, 150).await;

    // The API of the first chain has two edges: CDN → it, it → replica.
    let api = design
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Api)
        .unwrap()
        .id
        .to_string();
    let node = app.node(&api);
    let canvas = app.canvas();

    // Record every element whose attributes change during the drag.
    let touched = std::rc::Rc::new(std::cell::RefCell::new(Vec::<web_sys::Element>::new()));
    let sink = touched.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |records: js_sys::Array| {
        for record in records.iter() {
            let record: web_sys::MutationRecord = record.unchecked_into();
            if let Some(target) = record.target() {
                sink.borrow_mut().push(target.unchecked_into());
            }
        }
    });
    let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).unwrap();
    let options = web_sys::MutationObserverInit::new();
    options.set_attributes(true);
    options.set_child_list(true);
    options.set_subtree(true);
    observer.observe_with_options(&canvas, &options).unwrap();

    let performance = web_sys::window().unwrap().performance().unwrap();
    let start = centre(&node);
    pointer("pointerdown", &node, start, false);
    let mut frame_ms = Vec::new();
    for step in 1..=120 {
        let at = Point {
            x: start.x + f64::from(step) * 3.0,
            y: start.y + f64::from(step % 40) * 2.0,
        };
        let t0 = performance.now();
        pointer("pointermove", &canvas, at, false);
        flush_microtasks().await;
        // Force style and layout, as the next frame would.
        let _ = node.get_bounding_client_rect();
        frame_ms.push(performance.now() - t0);
    }
    pointer("pointerup", &canvas, start, false);
    // Deliver the last mutation records before the release's re-sync.
    let pending = observer.take_records();
    observer.disconnect();
    for record in pending.iter() {
        let record: web_sys::MutationRecord = record.unchecked_into();
        if let Some(target) = record.target() {
            touched.borrow_mut().push(target.unchecked_into());
        }
    }

    let mut changed = BTreeSet::new();
    for element in touched.borrow().iter() {
        let tag = element.tag_name();
        // Anything inside an edge's group belongs to that edge.
        let edge_group = element.closest(".edge-group").ok().flatten();
        let label = if let Some(id) = element.get_attribute("data-node") {
            format!("node {id}")
        } else if let Some(id) = element.get_attribute("data-live-for") {
            // The run's figures beside a node move with it.
            format!("node {id}")
        } else if let Some(group) = edge_group {
            let hit = group.query_selector(".edge-hit").unwrap().unwrap();
            format!(
                "edge {}→{}",
                hit.get_attribute("data-edge-from").unwrap(),
                hit.get_attribute("data-edge-to").unwrap()
            )
        } else {
            format!("<{tag} class={:?}>", element.get_attribute("class"))
        };
        changed.insert(label);
    }
    let edges: Vec<String> = design
        .edges
        .iter()
        .filter(|e| e.from.as_str() == api || e.to.as_str() == api)
        .map(|e| format!("edge {}→{}", e.from, e.to))
        .collect();
    let mut expected: BTreeSet<String> = edges.into_iter().collect();
    expected.insert(format!("node {api}"));
    assert_eq!(
        changed, expected,
        "only the dragged node (and its figures) and its two edges re-render"
    );

    frame_ms.sort_by(f64::total_cmp);
    let median = frame_ms[frame_ms.len() / 2];
    let p95 = frame_ms[frame_ms.len() * 95 / 100];
    console_log!(
        "drag in a 200-node design: {} pointer moves, median {:.3} ms, p95 {:.3} ms per move (handler + reactive update + style/layout; target ≤ 8 ms)",
        frame_ms.len(),
        median,
        p95
    );
    drop(callback);
}

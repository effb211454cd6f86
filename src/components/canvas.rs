//! The SVG canvas: draws the design in canvas space under the viewport's
//! transform and turns pointer input into editor gestures.
//!
//! Events are delegated: one set of pointer handlers on the `<svg>` finds
//! what was hit through `data-*` attributes (`data-node`, `data-port-out`,
//! `data-edge-from`), so a 200-node design has 3 listeners, not 600.

use design::geometry::{self, Rect};
use design::number::{plain, shortest};
use design::{NodeId, Point};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::components::edge::EdgeView;
use crate::components::minimap::Minimap;
use crate::components::node::NodeView;
use crate::dom;
use crate::state::{EditorState, Preview};
use editor::chunks;

/// How fast the wheel zooms: the factor per pixel of wheel delta.
const WHEEL_ZOOM_RATE: f64 = 0.0015;
/// How long a finger rests on a node before it counts as a long press.
const LONG_PRESS_MS: u32 = 550;
/// How far (screen pixels) a finger may drift and still be pressing.
const LONG_PRESS_SLOP: f64 = 8.0;

/// The canvas with its zoom controls, minimap and notices.
#[component]
pub fn Canvas(
    /// The editor the canvas shows and edits.
    state: EditorState,
    /// Called when a finger rests on a node (long press): on a phone this
    /// opens the inspector.
    on_long_press: Callback<()>,
) -> impl IntoView {
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    // A pending long press: the timer, and where the finger went down.
    let long_press = StoredValue::new_local(None::<(Timeout, Point)>);
    // Touch pointers currently down (id, screen point), for pinch zoom.
    let touches = StoredValue::new(Vec::<(i32, Point)>::new());

    // The first size known fits the design into view.
    let fitted = StoredValue::new(false);
    let measure = move || {
        if let Some(svg) = svg_ref.get_untracked() {
            let (_, w, h) = dom::client_rect(&svg);
            if w > 0.0 && h > 0.0 && state.screen_size.get_untracked() != (w, h) {
                state.screen_size.set((w, h));
            }
            if w > 0.0 && h > 0.0 && !fitted.get_value() {
                fitted.set_value(true);
                state.fit_to_view();
            }
        }
    };
    // The canvas changes size with the window and when a side panel folds
    // or opens, so it is watched itself rather than the window. The
    // observer also reports the first size, after the browser's own
    // layout: measuring at mount instead forced a layout inside the
    // opening task (a fifth of it). Without `ResizeObserver` the canvas is
    // measured at mount.
    let watcher = StoredValue::new_local(None::<dom::ResizeWatch>);
    Effect::new(move |_| {
        if let Some(svg) = svg_ref.get() {
            let watch = dom::ResizeWatch::new(&svg, measure);
            if watch.is_none() {
                measure();
            }
            watcher.set_value(watch);
        }
    });
    on_cleanup(move || watcher.set_value(None));

    // Many nodes coming on screen at once (a link, an import) are drawn a
    // chunk per task (`editor::chunks`), an edit's few at once, and none
    // in the task that builds the canvas (the design's first come a task
    // later). Each memo holds the list it last saw and how much of it is
    // drawn; the lists are read through the memos, so a changed list is
    // never drawn with the count of the one before. While behind, they
    // grow by a chunk a task, the first chunk of nodes alone (so that no
    // task compiles both kinds of view), then both together.
    let grow_nodes = RwSignal::new(0u64);
    let grow_edges = RwSignal::new(0u64);
    let drawn_nodes = Memo::new(move |before: Option<&(Vec<NodeId>, usize)>| {
        grow_nodes.track();
        state.node_ids.with(|ids| catch_up(before, ids.clone()))
    });
    let drawn_edges = Memo::new(move |before: Option<&(Vec<String>, usize)>| {
        grow_edges.track();
        state
            .edges
            .with(|edges| catch_up(before, edges.iter().map(|e| e.key()).collect()))
    });
    Effect::new(move |_| {
        let (nodes_behind, nodes_started) =
            drawn_nodes.with(|(ids, n)| (*n < ids.len(), *n > 0 || ids.is_empty()));
        let edges_behind = drawn_edges.with(|(keys, n)| *n < keys.len()) && nodes_started;
        if nodes_behind || edges_behind {
            Timeout::new(0, move || {
                if nodes_behind {
                    grow_nodes.try_update(|g| *g += 1);
                }
                if edges_behind {
                    grow_edges.try_update(|g| *g += 1);
                }
            })
            .forget();
        }
    });

    let points = move |ev: &web_sys::PointerEvent| -> Option<(Point, Point)> {
        let svg = svg_ref.get_untracked()?;
        let screen =
            dom::point_in_element(&svg, f64::from(ev.client_x()), f64::from(ev.client_y()));
        let canvas = state.with_editor(|e| e.viewport().canvas_from_screen(screen));
        Some((screen, canvas))
    };

    let on_pointerdown = move |ev: web_sys::PointerEvent| {
        let Some((screen, canvas)) = points(&ev) else {
            return;
        };
        if let Some(svg) = svg_ref.get_untracked() {
            let _ = svg.set_pointer_capture(ev.pointer_id());
        }
        if ev.pointer_type() == "touch" {
            let count = touches.try_update_value(|t| {
                t.retain(|(id, _)| *id != ev.pointer_id());
                t.push((ev.pointer_id(), screen));
                t.len()
            });
            if count.unwrap_or(0) >= 2 {
                // A second finger: this is a pinch, not a drag.
                state.apply(|e| e.cancel());
                return;
            }
        }
        let target = ev.target();
        let additive = ev.shift_key() || ev.ctrl_key() || ev.meta_key();
        if ev.button() == 1 {
            ev.prevent_default();
            state.apply(|e| e.press_pan(screen));
        } else if let Some(id) = dom::closest_with(target.clone(), "data-port-out") {
            ev.prevent_default();
            state.apply(|e| e.press_port(&NodeId::from(id), canvas));
        } else if let Some(id) = dom::closest_with(target.clone(), "data-node") {
            state.apply(|e| e.press_node(&NodeId::from(id), canvas, additive));
            if ev.pointer_type() == "touch" {
                let timer = Timeout::new(LONG_PRESS_MS, move || {
                    long_press.set_value(None);
                    on_long_press.run(());
                });
                long_press.set_value(Some((timer, screen)));
            }
        } else if let (Some(from), Some(to)) = (
            dom::closest_with(target.clone(), "data-edge-from"),
            dom::closest_with(target, "data-edge-to"),
        ) {
            state.apply(|e| e.select_edge(&NodeId::from(from), &NodeId::from(to)));
        } else if ev.shift_key() {
            state.apply(|e| e.press_background(canvas, true));
        } else {
            state.apply(|e| e.press_pan(screen));
        }
    };

    let on_pointermove = move |ev: web_sys::PointerEvent| {
        let Some((screen, canvas)) = points(&ev) else {
            return;
        };
        // A finger that moves is dragging, not pressing.
        let moved_off = long_press.with_value(|p| {
            p.as_ref()
                .is_some_and(|(_, at)| (at.x - screen.x).hypot(at.y - screen.y) > LONG_PRESS_SLOP)
        });
        if moved_off {
            long_press.set_value(None);
        }
        if ev.pointer_type() == "touch" {
            let pinch = touches.try_update_value(|t| {
                let before: Vec<Point> = t.iter().map(|(_, p)| *p).collect();
                for (id, p) in t.iter_mut() {
                    if *id == ev.pointer_id() {
                        *p = screen;
                    }
                }
                let after: Vec<Point> = t.iter().map(|(_, p)| *p).collect();
                match (before.as_slice(), after.as_slice()) {
                    ([a0, b0], [a1, b1]) => editor::pinch_step((*a0, *b0), (*a1, *b1)),
                    _ => None,
                }
            });
            if let Some(Some(step)) = pinch {
                state.apply(|e| {
                    e.pan_by(step.pan_in_screen);
                    e.zoom_around(step.anchor_in_screen, step.factor);
                });
                return;
            }
            if touches.with_value(|t| t.len()) >= 2 {
                return;
            }
        }
        state.pointer_moved(canvas, screen);
    };

    let on_pointerup = move |ev: web_sys::PointerEvent| {
        long_press.set_value(None);
        touches.update_value(|t| t.retain(|(id, _)| *id != ev.pointer_id()));
        let over = dom::attribute_at_point(
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
            "data-node",
        )
        .map(NodeId::from);
        state.try_apply(|e| e.release(over.as_ref()));
    };

    let on_pointercancel = move |ev: web_sys::PointerEvent| {
        long_press.set_value(None);
        touches.update_value(|t| t.retain(|(id, _)| *id != ev.pointer_id()));
        state.apply(|e| e.cancel());
    };

    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let Some(svg) = svg_ref.get_untracked() else {
            return;
        };
        let anchor =
            dom::point_in_element(&svg, f64::from(ev.client_x()), f64::from(ev.client_y()));
        // Line-based deltas (a mouse wheel in some browsers) are ~16 px a line.
        let delta = if ev.delta_mode() == 1 {
            ev.delta_y() * 16.0
        } else {
            ev.delta_y()
        };
        let factor = (-delta * WHEEL_ZOOM_RATE).exp();
        state.apply(|e| e.zoom_around(anchor, factor));
    };

    let content_transform = move || {
        let v = state.viewport.get();
        format!(
            "scale({}) translate({} {})",
            shortest(v.zoom),
            shortest(-v.origin.x),
            shortest(-v.origin.y)
        )
    };
    let grid_rect = move || {
        let (w, h) = state.screen_size.get();
        state
            .viewport
            .get()
            .visible_rect(w, h)
            .inflate(geometry::GRID)
    };
    let empty = move || state.node_ids.with(|ids| ids.is_empty());

    view! {
        <div class="canvas-frame">
            <svg
                node_ref=svg_ref
                class="canvas"
                class:gesture-active=move || state.preview.get() != Preview::None
                class:playing=move || state.live.with(|l| l.as_ref().is_some_and(|f| f.playing))
                role="application"
                // The zoom, for CSS that keeps touch targets a size on
                // screen (a port's hit circle: style/main.css).
                style=move || format!("--zoom: {}", shortest(state.viewport.get().zoom))
                aria-label="Design canvas. Tab moves between nodes; arrows move the selection; Enter opens the inspector; C connects the selected node to another; press ? for all shortcuts."
                on:pointerdown=on_pointerdown
                on:pointermove=on_pointermove
                on:pointerup=on_pointerup
                on:pointercancel=on_pointercancel
                on:wheel=on_wheel
                on:contextmenu=|ev| ev.prevent_default()
            >
                <defs>
                    <pattern id="grid" width="16" height="16" patternUnits="userSpaceOnUse">
                        <circle cx="1" cy="1" r="1" class="grid-dot" />
                    </pattern>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                <g class="viewport" transform=content_transform>
                    <rect
                        class="grid"
                        x=move || plain(grid_rect().x)
                        y=move || plain(grid_rect().y)
                        width=move || plain(grid_rect().width)
                        height=move || plain(grid_rect().height)
                        fill="url(#grid)"
                    />
                    <g class="edges">
                        <For
                            each=move || {
                                let n = drawn_edges.with(|(_, n)| *n);
                                state.edges.with(|edges| edges.iter().take(n).cloned().collect::<Vec<_>>())
                            }
                            key=|edge| edge.key()
                            children=move |edge| view! { <EdgeView state=state edge=edge /> }
                        />
                    </g>
                    <g class="nodes">
                        <For
                            each=move || {
                                let n = drawn_nodes.with(|(_, n)| *n);
                                state.node_ids.with(|ids| ids.iter().take(n).cloned().collect::<Vec<_>>())
                            }
                            key=|id| id.clone()
                            children=move |id| view! { <NodeView state=state id=id /> }
                        />
                    </g>
                    {move || preview_view(state.preview.get())}
                </g>
            </svg>
            // Always in the page, so that screen readers are listening
            // when a keyboard connection starts asking; empty otherwise.
            <div class="connect-prompt-region" role="status" aria-live="polite">
                {move || state.connect_prompt.get().map(|text| view! { <p class="connect-prompt">{text}</p> })}
            </div>
            <Show when=empty>
                <p class="canvas-hint">"Drag a node from the palette onto the canvas, or focus one there and press Enter."</p>
            </Show>
            <div class="zoom-controls" role="toolbar" aria-label="Zoom">
                <button type="button" class="icon-button" aria-label="Zoom in" title="Zoom in (+)" on:click=move |_| state.zoom_centre(1.25)>"+"</button>
                <button type="button" class="icon-button" aria-label="Zoom out" title="Zoom out (−)" on:click=move |_| state.zoom_centre(0.8)>"−"</button>
                <button type="button" class="icon-button" aria-label="Fit to view" title="Fit to view (0)" on:click=move |_| state.fit_to_view()>
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                        <path d="M4 9V4h5 M20 9V4h-5 M4 15v5h5 M20 15v5h-5" fill="none" stroke="currentColor" stroke-width="2" />
                    </svg>
                </button>
            </div>
            <Minimap state=state />
        </div>
    }
}

/// The list to draw and how much of it to draw now, from what the memo
/// held before: the first list draws none (`chunks::DRAWN_AT_FIRST`), the
/// same list one more chunk (a grow tick), a changed one keeps what was
/// drawn and adds its new items.
fn catch_up<K: Eq + std::hash::Hash>(
    before: Option<&(Vec<K>, usize)>,
    list: Vec<K>,
) -> (Vec<K>, usize) {
    let drawn = match before {
        Some((previous, drawn)) if *previous == list => chunks::drawn_next(*drawn, list.len()),
        Some((previous, drawn)) => chunks::drawn_now(previous, *drawn, &list),
        None => chunks::DRAWN_AT_FIRST,
    };
    (list, drawn)
}

fn preview_view(preview: Preview) -> impl IntoView {
    match preview {
        Preview::None => ().into_any(),
        Preview::Connection { from, to } => view! {
            <path class="edge edge-preview" d=geometry::edge_path(from, to) />
        }
        .into_any(),
        Preview::Box(Rect {
            x,
            y,
            width,
            height,
        }) => view! {
            <rect class="selection-box" x=plain(x) y=plain(y) width=plain(width) height=plain(height) />
        }
        .into_any(),
    }
}

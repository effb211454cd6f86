//! The palette: every node kind with its icon and one line on what it does.
//! Drag an item onto the canvas to add it there, or activate it with the
//! keyboard (Enter or Space) to add it in the middle of the view.

use design::geometry::{NODE_HEIGHT, NODE_WIDTH};
use design::{NodeKind, Point};
use leptos::prelude::*;

use crate::dom;
use crate::state::EditorState;
use editor::icons::icon_path;

/// A palette item being dragged: which kind and where the pointer is
/// (client coordinates).
#[derive(Debug, Clone, Copy, PartialEq)]
struct PaletteDrag {
    kind: NodeKind,
    /// Where the press started.
    start: Point,
    /// Where the pointer is now.
    client: Point,
}

/// How far (CSS pixels) a press may move and still be a tap.
const TAP_SLOP: f64 = 6.0;

/// The list of node kinds.
#[component]
pub fn Palette(
    /// The editor nodes are added to.
    state: EditorState,
    /// Called after a tap or keyboard activation added a node in the middle
    /// of the view (a phone switches back to the canvas).
    on_added: Callback<()>,
) -> impl IntoView {
    let add_in_view = move |kind: NodeKind| {
        let Some(id) = state.add_in_view(kind) else {
            return;
        };
        state.notify(format!("Added {} to the canvas.", kind.name()));
        on_added.run(());
        // The node's element is created when the view updates, after this
        // handler: focus it on the next turn.
        gloo_timers::callback::Timeout::new(0, move || dom::focus_node(id.as_str())).forget();
    };
    let dragging = RwSignal::new(None::<PaletteDrag>);

    let drop_at = move |kind: NodeKind, client: Point| {
        let canvas = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("svg.canvas").ok().flatten());
        let Some(canvas) = canvas else { return };
        let (corner, w, h) = dom::client_rect(&canvas);
        let screen = Point {
            x: client.x - corner.x,
            y: client.y - corner.y,
        };
        if screen.x < 0.0 || screen.y < 0.0 || screen.x > w || screen.y > h {
            return; // dropped outside the canvas: nothing happens
        }
        let at = state.with_editor(|e| e.viewport().canvas_from_screen(screen));
        let corner_at = Point {
            x: at.x - NODE_WIDTH / 2.0,
            y: at.y - NODE_HEIGHT / 2.0,
        };
        state.apply(|e| e.add_node(kind, corner_at));
    };

    let items = NodeKind::ALL
        .into_iter()
        .map(|kind| {
            let on_pointerdown = move |ev: web_sys::PointerEvent| {
                if ev.button() != 0 {
                    return;
                }
                ev.prevent_default();
                if let Some(target) = ev.current_target() {
                    use wasm_bindgen::JsCast;
                    if let Ok(element) = target.dyn_into::<web_sys::Element>() {
                        let _ = element.set_pointer_capture(ev.pointer_id());
                    }
                }
                let at = Point {
                    x: f64::from(ev.client_x()),
                    y: f64::from(ev.client_y()),
                };
                dragging.set(Some(PaletteDrag {
                    kind,
                    start: at,
                    client: at,
                }));
            };
            let on_pointermove = move |ev: web_sys::PointerEvent| {
                if let Some(drag) = dragging.get_untracked().filter(|d| d.kind == kind) {
                    dragging.set(Some(PaletteDrag {
                        client: Point {
                            x: f64::from(ev.client_x()),
                            y: f64::from(ev.client_y()),
                        },
                        ..drag
                    }));
                }
            };
            let on_pointerup = move |ev: web_sys::PointerEvent| {
                if let Some(drag) = dragging.get_untracked() {
                    dragging.set(None);
                    let end = Point {
                        x: f64::from(ev.client_x()),
                        y: f64::from(ev.client_y()),
                    };
                    if (end.x - drag.start.x).hypot(end.y - drag.start.y) <= TAP_SLOP {
                        add_in_view(drag.kind); // a tap or click adds it in view
                    } else {
                        drop_at(drag.kind, end);
                    }
                }
            };
            // A click with detail 0 comes from the keyboard (Enter/Space);
            // pointer taps and clicks are handled by the handlers above.
            let on_click = move |ev: web_sys::MouseEvent| {
                if ev.detail() == 0 {
                    add_in_view(kind);
                }
            };
            view! {
                <li>
                    <button
                        type="button"
                        class="palette-item"
                        data-palette=kind.key()
                        aria-label=format!("Add {}: {}", kind.name(), kind.summary())
                        on:pointerdown=on_pointerdown
                        on:pointermove=on_pointermove
                        on:pointerup=on_pointerup
                        on:pointercancel=move |_| dragging.set(None)
                        on:click=on_click
                    >
                        <svg class="palette-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                            <path d=icon_path(kind) />
                        </svg>
                        <span class="palette-text">
                            <span class="palette-name">{kind.name()}</span>
                            <span class="palette-summary">{kind.summary()}</span>
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();

    let ghost = move || {
        dragging.get().map(|drag| {
            view! {
                <div
                    class="palette-ghost"
                    aria-hidden="true"
                    style=format!("left: {}px; top: {}px;", drag.client.x, drag.client.y)
                >
                    {drag.kind.name()}
                </div>
            }
        })
    };

    view! {
        <section class="palette" aria-label="Palette">
            <p class="hint">"Drag onto the canvas, or click an item to add it in view."</p>
            <ul class="palette-list">{items}</ul>
            {ghost}
        </section>
    }
}

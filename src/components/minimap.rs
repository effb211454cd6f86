//! The minimap: the whole design in miniature with the visible part
//! outlined. It appears only when the design does not fit in view, and
//! follows settled edits (not every drag step).

use design::geometry::{self, Rect};
use design::number::{plain, shortest};
use design::Point;
use leptos::prelude::*;

use crate::dom;
use crate::state::EditorState;

const WIDTH: f64 = 180.0;
const HEIGHT: f64 = 120.0;

/// The minimap in the canvas's corner. A click centres the view there.
#[component]
pub fn Minimap(
    /// The editor.
    state: EditorState,
) -> impl IntoView {
    let layout = Memo::new(move |_| {
        state.saved_revision.track();
        let (w, h) = state.screen_size.get();
        let visible = state.viewport.get().visible_rect(w, h);
        state.with_editor(|e| {
            let content = geometry::bounds(e.design())?;
            let fits = visible.x <= content.x
                && visible.y <= content.y
                && visible.x + visible.width >= content.x + content.width
                && visible.y + visible.height >= content.y + content.height;
            if fits {
                return None;
            }
            let frame = content.union(visible).inflate(40.0);
            // Every node as one path: one element however big the design,
            // rebuilt cheaply as the view pans.
            let boxes = boxes_path(
                e.design()
                    .nodes
                    .iter()
                    .map(|n| geometry::node_rect(n.position)),
            );
            Some((frame, visible, boxes))
        })
    });
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let on_click = move |ev: web_sys::MouseEvent| {
        let (Some(svg), Some((frame, _, _))) = (svg_ref.get_untracked(), layout.get_untracked())
        else {
            return;
        };
        let local = dom::point_in_element(&svg, f64::from(ev.client_x()), f64::from(ev.client_y()));
        let scale = (frame.width / WIDTH).max(frame.height / HEIGHT);
        // preserveAspectRatio xMidYMid meet: the frame is centred.
        let offset_x = (WIDTH * scale - frame.width) / 2.0;
        let offset_y = (HEIGHT * scale - frame.height) / 2.0;
        let target = Point {
            x: frame.x - offset_x + local.x * scale,
            y: frame.y - offset_y + local.y * scale,
        };
        let (w, h) = state.screen_size.get_untracked();
        state.apply(|e| {
            let mut v = e.viewport();
            v.origin = Point {
                x: target.x - w / (2.0 * v.zoom),
                y: target.y - h / (2.0 * v.zoom),
            };
            e.set_viewport(v);
        });
    };
    move || {
        layout.get().map(|(frame, visible, boxes)| {
            view! {
                <svg
                    node_ref=svg_ref
                    class="minimap"
                    width=plain(WIDTH)
                    height=plain(HEIGHT)
                    viewBox=format!("{} {} {} {}", shortest(frame.x), shortest(frame.y), shortest(frame.width), shortest(frame.height))
                    role="img"
                    aria-label="Minimap: click to move the view"
                    on:click=on_click
                >
                    <path class="minimap-node" d=boxes />
                    <rect class="minimap-view" x=plain(visible.x) y=plain(visible.y) width=plain(visible.width) height=plain(visible.height) />
                </svg>
            }
        })
    }
}

/// The outlines of `rects` as one SVG path.
fn boxes_path(rects: impl Iterator<Item = Rect>) -> String {
    use std::fmt::Write as _;
    let mut d = String::new();
    for r in rects {
        let _ = write!(
            d,
            "M{} {}h{}v{}h{}z",
            shortest(r.x),
            shortest(r.y),
            shortest(r.width),
            shortest(r.height),
            shortest(-r.width)
        );
    }
    d
}

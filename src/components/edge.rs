//! One edge: a curve between two ports that follows its nodes' position
//! signals, with a wide invisible twin that makes it easy to click.

use design::geometry;
use leptos::prelude::*;

use crate::state::{EdgeView as Edge, EditorState};

/// Draws one edge; nothing if either end is gone.
#[component]
pub fn EdgeView(
    /// The editor.
    state: EditorState,
    /// Which edge.
    edge: Edge,
) -> impl IntoView {
    let (Some(from), Some(to)) = (state.node(&edge.from), state.node(&edge.to)) else {
        return ().into_any();
    };
    let (from_position, to_position) = (from.position, to.position);
    let d = move || {
        geometry::edge_path(
            geometry::output_port(from_position.get()),
            geometry::input_port(to_position.get()),
        )
    };
    let selected = {
        let edge = edge.clone();
        move || {
            state.selection.with(|s| {
                s.edge()
                    .is_some_and(|e| e.from == edge.from && e.to == edge.to)
            })
        }
    };
    let class = format!("edge edge-{}", edge.kind.key().replace('_', "-"));
    let title = format!("{} → {}: {}", edge.from, edge.to, edge.kind.name());
    view! {
        <g class="edge-group" class:selected=selected>
            <title>{title}</title>
            <path
                class="edge-hit"
                d=d.clone()
                data-edge-from=edge.from.to_string()
                data-edge-to=edge.to.to_string()
            />
            <path class=class d=d marker-end="url(#arrow)" />
        </g>
    }
    .into_any()
}

//! One edge: a curve between two ports that follows its nodes' position
//! signals, with a wide invisible twin that makes it easy to click.

use design::geometry;
use design::number::fixed;
use leptos::prelude::*;
// An SVG <title> (a tooltip); in view! a <title> is HTML's, which
// SVG neither shows nor reads.
use leptos::svg;

use crate::state::{EdgeView as Edge, EditorState, LiveFrame};

/// The style of an edge into `target` while a run plays (`frame`): it
/// flows faster and thicker with the traffic arriving at its target; none
/// when nothing arrives. In the page's later part
/// (`later::Later::edge_flow_style`).
pub fn flow_style(frame: &LiveFrame, target: &str) -> Option<String> {
    let n = frame.nodes.get(target)?;
    // Traffic on a log scale relative to the busiest node: the busiest
    // edge cycles in 0.2 s, a trickle in 1.6 s.
    let share = if frame.max_offered_rps > 0.0 {
        (1.0 + n.offered_rps).ln() / (1.0 + frame.max_offered_rps).ln()
    } else {
        0.0
    };
    (n.offered_rps > 0.0).then(|| {
        let seconds = 1.6 - 1.4 * f64::from(share.clamp(0.0, 1.0));
        format!(
            "animation-duration: {}s; stroke-width: {}px",
            fixed(seconds, 2),
            fixed(f64::from(1.5 + 2.5 * share), 1)
        )
    })
}

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
    // While a run plays, an edge flows faster and thicker with the traffic
    // arriving at its target.
    let target = edge.to.to_string();
    // A run's state comes only with the page's later part, which writes
    // the style. (`live` is read first, so that it is tracked whether the
    // part is there or not.)
    let flow = move || {
        state.live.with(|l| {
            let frame = l.as_ref()?;
            (crate::later::now()?.edge_flow_style)(frame, &target)
        })
    };
    let title = format!("{} → {}: {}", edge.from, edge.to, edge.kind.name());
    view! {
        <g class="edge-group" class:selected=selected>
            {svg::title().child(title)}
            <path
                class="edge-hit"
                d=d.clone()
                data-edge-from=edge.from.to_string()
                data-edge-to=edge.to.to_string()
            />
            // The visible line lets the pointer through to the wide hit
            // path under it, so a click exactly on the line selects it.
            <path class=class d=d.clone() marker-end="url(#arrow)" pointer-events="none" />
            <path class="edge-flow-track" d=d style=flow.clone() class:edge-flow=move || flow().is_some() />
        </g>
    }
    .into_any()
}

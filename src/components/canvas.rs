//! The SVG canvas that draws a design: nodes as labelled boxes with ports,
//! edges as curves with arrowheads. Read-only until the editor lands.

use design::geometry::{self, Rect};
use design::{Design, Node};
use leptos::prelude::*;

use crate::icons::icon_path;

/// Blank space kept around the design when it is fitted into view, in
/// canvas pixels.
const FIT_MARGIN: f64 = 48.0;

/// Draws `design`, fitted into the element's box.
#[component]
pub fn Canvas(
    /// The design to draw.
    design: Design,
) -> impl IntoView {
    let frame = geometry::bounds(&design)
        .unwrap_or(Rect {
            x: 0.0,
            y: 0.0,
            width: 640.0,
            height: 360.0,
        })
        .inflate(FIT_MARGIN);
    let view_box = format!(
        "{:.0} {:.0} {:.0} {:.0}",
        frame.x, frame.y, frame.width, frame.height
    );

    let edges = design
        .edges
        .iter()
        .filter_map(|edge| {
            let from = design.node(&edge.from)?;
            let to = design.node(&edge.to)?;
            let d = geometry::edge_path(
                geometry::output_port(from.position),
                geometry::input_port(to.position),
            );
            let class = format!("edge edge-{}", edge_kind_class(edge.kind));
            Some(view! { <path class=class d=d marker-end="url(#arrow)" /> })
        })
        .collect_view();
    let nodes = design.nodes.iter().map(node_view).collect_view();

    view! {
        <svg
            class="canvas"
            viewBox=view_box
            preserveAspectRatio="xMidYMid meet"
            role="img"
            aria-label="Design diagram"
        >
            <defs>
                <pattern id="grid" width="16" height="16" patternUnits="userSpaceOnUse">
                    <circle cx="1" cy="1" r="1" class="grid-dot" />
                </pattern>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                </marker>
            </defs>
            <rect class="grid" x=frame.x y=frame.y width=frame.width height=frame.height fill="url(#grid)" />
            <g class="edges">{edges}</g>
            <g class="nodes">{nodes}</g>
        </svg>
    }
}

fn edge_kind_class(kind: design::EdgeKind) -> &'static str {
    match kind {
        design::EdgeKind::Read => "read",
        design::EdgeKind::Write => "write",
        design::EdgeKind::ReadWrite => "read-write",
        design::EdgeKind::Replication => "replication",
        design::EdgeKind::Publish => "publish",
    }
}

fn node_view(node: &Node) -> impl IntoView {
    let transform = format!("translate({} {})", node.position.x, node.position.y);
    let accessible_name = format!("{}: {}", node.kind.name(), node.label);
    let width = geometry::NODE_WIDTH;
    let height = geometry::NODE_HEIGHT;
    view! {
        <g class="node" data-id=node.id.to_string() data-kind=node.kind.key() transform=transform aria-label=accessible_name>
            <rect class="node-box" width=width height=height rx="10" />
            <g class="node-icon" transform="translate(12 16)">
                <path d=icon_path(node.kind) />
            </g>
            <text class="node-label" x="46" y="25">{node.label.clone()}</text>
            <text class="node-kind" x="46" y="42">{node.kind.name()}</text>
            <circle class="port port-in" cx="0" cy=height / 2.0 r="4" />
            <circle class="port port-out" cx=width cy=height / 2.0 r="4" />
        </g>
    }
}

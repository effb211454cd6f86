//! One node on the canvas. It reads only its own signals (data, position)
//! plus the selection and lints, so dragging another node never touches it.

use design::geometry::{NODE_HEIGHT, NODE_WIDTH};
use design::NodeId;
use leptos::prelude::*;

use crate::state::EditorState;
use editor::icons::icon_path;

/// Draws the node `id`; nothing if it no longer exists.
#[component]
pub fn NodeView(
    /// The editor.
    state: EditorState,
    /// Which node.
    id: NodeId,
) -> impl IntoView {
    let Some(signals) = state.node(&id) else {
        return ().into_any();
    };
    let data = signals.data;
    let position = signals.position;

    let transform = move || {
        let p = position.get();
        format!("translate({} {})", p.x, p.y)
    };
    let selected = {
        let id = id.clone();
        move || state.selection.with(|s| s.contains(&id))
    };
    let lint_messages = {
        let id = id.clone();
        move || {
            state.lints.with(|lints| {
                lints
                    .iter()
                    .filter(|l| l.nodes.contains(&id))
                    .map(|l| l.message.clone())
                    .collect::<Vec<_>>()
            })
        }
    };
    let label = {
        let data = data.clone();
        move || data.with(|n| n.label.clone())
    };
    let kind = data.with_untracked(|n| n.kind);
    let accessible_name = {
        let data = data.clone();
        let lint_messages = lint_messages.clone();
        move || {
            let (label, kind_name) = data.with(|n| (n.label.clone(), n.kind.name()));
            let warnings = lint_messages();
            if warnings.is_empty() {
                format!("{label}, {kind_name}")
            } else {
                format!("{label}, {kind_name}. Warning: {}", warnings.join(" "))
            }
        }
    };
    // Tab focus follows the selection, so arrows move what has focus.
    let on_focus = {
        let id = id.clone();
        move |_| {
            let already = state.selection.with_untracked(|s| s.contains(&id));
            if !already {
                state.apply(|e| e.select_node(&id, false));
            }
        }
    };
    let badge = move || {
        let messages = lint_messages();
        (!messages.is_empty()).then(|| {
            let title = messages.join("\n");
            view! {
                <g class="lint-badge" transform=format!("translate({} -8)", NODE_WIDTH - 10.0)>
                    <title>{title}</title>
                    <path d="M0 -9 L9 7 L-9 7 Z" />
                    <text x="0" y="5" text-anchor="middle">"!"</text>
                </g>
            }
        })
    };
    let key = id.to_string();
    let port_key = key.clone();

    view! {
        <g
            class="node"
            class:selected=selected
            data-node=key
            data-kind=kind.key()
            transform=transform
            tabindex="0"
            role="button"
            aria-label=accessible_name
            on:focus=on_focus
        >
            <rect class="node-box" width=NODE_WIDTH height=NODE_HEIGHT rx="10" />
            <g class="node-icon" transform="translate(12 16)">
                <path d=icon_path(kind) />
            </g>
            <text class="node-label" x="46" y="25">{label}</text>
            <text class="node-kind" x="46" y="42">{kind.name()}</text>
            {badge}
            <circle class="port port-in" cx="0" cy=NODE_HEIGHT / 2.0 r="5" />
            <circle class="port port-out" data-port-out=port_key cx=NODE_WIDTH cy=NODE_HEIGHT / 2.0 r="6">
                <title>"Drag to connect"</title>
            </circle>
        </g>
    }
    .into_any()
}
